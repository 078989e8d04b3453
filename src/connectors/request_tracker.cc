// Request Tracker 5 over REST2 (docs/connectors.md).
//
// In: RT's transactions after the checkpoint (one monotonic id for every
// change of every ticket), oldest first, a page at a time. A ticket we do
// not hold yet, in a mapped queue, is fetched and taken through intake (new
// and unowned: routed; owned or past new: as history, with its time, status
// and owner). Changes of tickets we hold: a status (resolved/rejected ->
// solved), an owner set by a person (a manual assignment; Nobody: routed
// again), a queue (its team), correspondence by an agent (meets the first
// response). Changes the connector's own user made are its write-backs and
// are skipped.
// Out: the ticket's Owner, Queue, Priority and Status, compared with RT's
// first and written only where they differ.
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "connectors/connector.h"
#include "core/customer.h"
#include "notify/transport.h"

namespace sb::connectors {
namespace {

using nlohmann::json;

std::string lower(std::string_view s) { return ascii_lower(s); }

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string base64(const std::string& in) {
  std::string out(sodium_base64_encoded_len(in.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// RT's times: "2026-12-04T07:54:12Z" (UTC).
std::optional<Time> parse_rt_time(const std::string& s) {
  std::tm tm{};
  if (s.size() < 19 || s.starts_with("1970-01-01")) return std::nullopt;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return Time(std::chrono::seconds(timegm(&tm)));
}

int rt_priority(Priority p) {
  switch (p) {
    case Priority::kLow: return 0;
    case Priority::kNormal: return 50;
    case Priority::kHigh: return 80;
    case Priority::kUrgent: return 100;
  }
  return 50;
}

// An id or name out of RT's {"id": ..., "type": ...} links.
std::string link_id(const json& j) {
  if (j.is_object() && j.contains("id")) {
    const json& id = j["id"];
    return id.is_string() ? id.get<std::string>() : id.dump();
  }
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number()) return j.dump();
  return {};
}

// Whether one of RT's answers to a PUT says the field now has the value
// asked for: changed, set, or already so ("That user already owns that
// ticket", "You can't change status from 'open' to 'open'": RT opened it
// itself when the owner was set).
bool change_done(const std::string& text) {
  if (text.find("changed") != std::string::npos || text.find(" set to ") != std::string::npos ||
      text.find("already") != std::string::npos) {
    return true;
  }
  const auto from = text.find("from '");
  const auto to = text.find("' to '");
  if (from == std::string::npos || to == std::string::npos || to < from) return false;
  const std::string before = text.substr(from + 6, to - from - 6);
  const std::string after = text.substr(to + 6, text.find('\'', to + 6) - to - 6);
  return before == after;
}

struct Reply {
  long status = 0;
  json body;
  std::optional<std::chrono::seconds> retry_after;
  std::string error;  // no answer at all
  bool ok() const { return error.empty() && status >= 200 && status < 300; }
  std::string describe() const {
    if (!error.empty()) return error;
    std::string what = "HTTP " + std::to_string(status);
    if (status == 401) what += " (bad credentials)";
    if (body.is_object() && body.contains("message")) what += ": " + body["message"].dump();
    if (body.is_array() && !body.empty()) what += ": " + body.dump();
    return what;
  }
};

class RequestTracker final : public Connector {
 public:
  RequestTracker(ConnectorSettings settings, intake::Intake& intake, Service& service)
      : s_(std::move(settings)), intake_(intake), service_(service) {
    if (s_.statuses.empty()) s_.statuses = default_rt_statuses();
    health_.name = s_.name;
    health_.kind = s_.kind;
    health_.url = s_.url;
  }
  ~RequestTracker() override { stop(); }

  const ConnectorSettings& settings() const override { return s_; }

  void start(std::function<bool()> active) override {
    thread_ = std::thread([this, active = std::move(active)] {
      for (;;) {
        {
          std::unique_lock lock(mu_);
          cv_.wait_for(lock, s_.poll, [&] { return stopping_; });
          if (stopping_) return;
        }
        if (active && !active()) continue;
        try {
          (void)sync_once();
        } catch (const std::exception& e) {
          note_error(std::string("sync round failed: ") + e.what());
        }
      }
    });
  }

  void stop() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  Health health() const override {
    std::lock_guard lock(health_mu_);
    return health_;
  }

  Status sync_once() override {
    std::lock_guard round(sync_mu_);
    refresh_maps();
    if (const Time now = service_.clock()(); !users_scanned_ || now - *users_scanned_ > std::chrono::minutes(10)) {
      users_scanned_ = now;
      int mapped = 0;
      (void)scan_users(mapped);
    }
    auto cp = load_checkpoint();
    if (!cp) return fail_round(cp.error().message);
    std::int64_t last = *cp;
    if (last < 0) {
      // The first sync: where RT's changes stand now, then the tickets already there.
      Reply newest = post("/transactions?per_page=1&orderby=id&order=DESC&fields=Created",
                          json::array({{{"field", "ObjectType"}, {"value", "RT::Ticket"}}}));
      if (!newest.ok()) return fail_round("cannot read RT's transactions: " + newest.describe());
      last = 0;
      if (newest.body.contains("items") && !newest.body["items"].empty()) {
        last = std::stoll(link_id(newest.body["items"][0]));
      }
      if (s_.history) {
        if (auto st = take_history(); !st) return fail_round(st.error().message);
      }
      if (auto st = save_checkpoint(last); !st) return fail_round(st.error().message);
    }
    for (;;) {
      const std::string path = "/transactions?per_page=" + std::to_string(s_.page_size) +
                               "&orderby=id&order=ASC&fields=Type,Field,OldValue,NewValue,Creator,ObjectId,Created";
      Reply page = post(path, json::array({{{"field", "ObjectType"}, {"value", "RT::Ticket"}},
                                           {{"field", "id"}, {"operator", ">"}, {"value", std::to_string(last)}}}));
      if (!page.ok()) return fail_round("cannot read RT's transactions: " + page.describe());
      const json items = page.body.value("items", json::array());
      // RT leaves the total out (null) of transaction searches; then the backlog is the rest of this page.
      const json& total_field = page.body.contains("total") ? page.body["total"] : json();
      const std::int64_t total = total_field.is_number() ? total_field.get<std::int64_t>()
                                                         : static_cast<std::int64_t>(items.size());
      std::optional<Time> newest;
      for (const json& txn : items) {
        if (auto st = apply(txn); !st) {
          // A change that cannot be applied is counted and logged, never retried forever.
          note_error("transaction " + link_id(txn) + ": " + st.error().message, false);
          if (st.error().kind == ErrorKind::kUnavailable) return fail_round(st.error().message);
        }
        last = std::max<std::int64_t>(last, std::stoll(link_id(txn)));
        if (auto at = parse_rt_time(txn.value("Created", ""))) newest = at;
      }
      if (!items.empty()) {
        if (auto st = save_checkpoint(last); !st) return fail_round(st.error().message);
      }
      {
        std::lock_guard lock(health_mu_);
        health_.ok = true;
        health_.last_error.clear();
        health_.last_sync = service_.clock()();
        health_.taken += static_cast<std::int64_t>(items.size());
        health_.backlog = std::max<std::int64_t>(0, total - static_cast<std::int64_t>(items.size()));
        if (newest) health_.lag_seconds = std::chrono::duration<double>(*health_.last_sync - *newest).count();
        else if (items.empty()) health_.lag_seconds = 0;
      }
      if (static_cast<int>(items.size()) < s_.page_size) break;
    }
    return Status::Ok();
  }

  Outcome push(TicketId id) override {
    // One write-back of a ticket at a time: two at once would both read RT's
    // old owner and the second would be refused ("already owns").
    std::unique_lock pushing(push_mu_);
    push_cv_.wait(pushing, [&] { return !pushing_.count(id); });
    pushing_.insert(id);
    pushing.unlock();
    Outcome o = push_now(id);
    pushing.lock();
    pushing_.erase(id);
    push_cv_.notify_all();
    return o;
  }

  Outcome push_now(TicketId id) {
    refresh_maps();
    auto found = service_.find_ticket(id);
    if (!found) return {false, false, found.error().message, std::nullopt};
    if (!*found) return {false, true, "ticket " + std::to_string(id.value) + " is gone", std::nullopt};
    const Ticket& t = (*found)->ticket;
    if (t.source != s_.name || !t.external_id) return {false, true, "not a ticket of " + s_.name, std::nullopt};
    const std::string path = "/ticket/" + url_encode(*t.external_id);
    Reply now = call("GET", path, {});
    if (!now.ok()) return outcome_of(now);
    json change = json::object();
    // Owner: the agent's RT user; nobody when routing took it off its agent.
    std::string owner = "Nobody";
    if (t.assignee) {
      auto user = rt_user_of(*t.assignee);
      if (!user) return {false, true, "agent " + std::to_string(t.assignee->value) + " has no RT user", std::nullopt};
      owner = *user;
    }
    if (lower(link_id(now.body.value("Owner", json()))) != lower(owner)) change["Owner"] = owner;
    // Queue: RT's, unless it maps to another team than the ticket's.
    if (t.team) {
      const std::string queue_id = link_id(now.body.value("Queue", json()));
      const std::optional<TeamId> there = team_of_queue(queue_name(queue_id));
      if (there != t.team) {
        if (auto q = queue_of_team(*t.team)) change["Queue"] = *q;
      }
    }
    const std::string priority = std::to_string(rt_priority(t.priority));
    if (link_id(now.body.value("Priority", json())) != priority) change["Priority"] = rt_priority(t.priority);
    const std::string rt_status = now.body.value("Status", "");
    auto theirs = s_.statuses.find(rt_status);
    if (theirs == s_.statuses.end() || theirs->second != t.status) {
      if (auto back = rt_status_of(t.status); back && *back != rt_status) change["Status"] = *back;
    }
    if (change.empty()) return {true, false, {}, std::nullopt};
    Reply put = call("PUT", path, change.dump());
    if (!put.ok()) return outcome_of(put);
    // RT answers 200 with one message per field; a refusal is a message too.
    if (put.body.is_array()) {
      for (const json& m : put.body) {
        const std::string text = m.is_string() ? m.get<std::string>() : m.dump();
        if (!change_done(text)) {
          return {false, true, "RT refused: " + text, std::nullopt};
        }
      }
    }
    std::lock_guard lock(health_mu_);
    ++health_.written;
    return {true, false, {}, std::nullopt};
  }

  CheckReport check() override {
    CheckReport r;
    Reply queues = call("GET", "/queues/all?per_page=100&fields=Name", {});
    if (!queues.ok()) {
      if (queues.status == 401) {
        r.errors.push_back("RT refused the credentials of user '" + s_.user + "' (HTTP 401): check " +
                           (s_.token.empty() ? "the password" : "the token"));
      } else {
        r.errors.push_back("cannot reach RT at " + s_.url + ": " + queues.describe());
      }
      return r;
    }
    std::set<std::string> names;
    for (const json& q : queues.body.value("items", json::array())) names.insert(q.value("Name", link_id(q)));
    r.facts.push_back("RT at " + s_.url + " answers as '" + s_.user + "'; " + std::to_string(names.size()) + " queues");
    for (const auto& [queue, team] : s_.queues) {
      if (!names.count(queue)) r.errors.push_back("queue '" + queue + "' is not in RT");
      if (!service_.team_by_name(team)) r.errors.push_back("team '" + team + "' (for queue '" + queue + "') is not a team here");
    }
    for (const std::string& q : names) {
      if (!s_.queues.count(q)) r.warnings.push_back("RT queue '" + q + "' has no team: its tickets are not taken in");
    }
    int mapped = 0;
    const std::vector<std::string> problems = scan_users(mapped);
    r.facts.push_back(std::to_string(mapped) + " RT users are agents here");
    r.warnings.insert(r.warnings.end(), problems.begin(), problems.end());
    return r;
  }

 private:
  struct RtUser {
    std::string id, name, email;  // id: RT's number
    std::optional<AgentId> agent;
  };

  // --- HTTP ---------------------------------------------------------------
  Reply call(const std::string& method, const std::string& path, const std::string& body) {
    std::vector<std::string> headers{"Accept: application/json"};
    if (!body.empty() || method != "GET") headers.push_back("Content-Type: application/json");
    headers.push_back(s_.token.empty() ? "Authorization: Basic " + base64(s_.user + ":" + s_.password)
                                       : "Authorization: token " + s_.token);
    Reply r;
    auto reply = notify::request(method, s_.url + "/REST/2.0" + path, headers, body, s_.timeout);
    if (!reply) {
      r.error = reply.error().message;
      return r;
    }
    r.status = reply->status;
    r.retry_after = reply->retry_after;
    r.body = json::parse(reply->body, nullptr, false);
    if (r.body.is_discarded()) r.body = json();
    return r;
  }
  Reply post(const std::string& path, const json& search) { return call("POST", path, search.dump()); }

  Outcome outcome_of(const Reply& r) const {
    Outcome o;
    o.error = "RT: " + r.describe();
    o.retry_after = r.retry_after;
    // Not found or refused for good: a person must look; the rest may pass.
    o.permanent = r.error.empty() && (r.status == 400 || r.status == 403 || r.status == 404);
    return o;
  }

  // --- maps ---------------------------------------------------------------
  void refresh_maps(bool force = false) {
    const Time now = service_.clock()();
    {
      std::lock_guard lock(maps_mu_);
      if (!force && maps_at_ && now - *maps_at_ < std::chrono::seconds(30)) return;
    }
    std::map<std::string, RtUser> users;
    std::map<std::string, std::string> queue_names;
    Reply q = call("GET", "/queues/all?per_page=100&fields=Name", {});
    if (!q.ok()) return;
    for (const json& item : q.body.value("items", json::array())) queue_names[link_id(item)] = item.value("Name", "");
    std::map<std::string, AgentId> agent_by_email;
    if (auto agents = service_.list_agents()) {
      for (const AgentView& a : *agents) agent_by_email[lower(a.agent.email)] = a.agent.id;
    }
    for (int page = 1; page < 100; ++page) {
      Reply u = post("/users?per_page=100&page=" + std::to_string(page) + "&fields=id,Name,EmailAddress",
                     json::array({{{"field", "id"}, {"operator", ">"}, {"value", "0"}}}));
      if (!u.ok()) return;
      const json items = u.body.value("items", json::array());
      for (const json& item : items) {
        RtUser user;
        user.id = link_id(item);
        user.name = item.value("Name", "");
        user.email = lower(item.value("EmailAddress", ""));
        std::string email = user.email;
        if (auto m = s_.agents.find(user.name); m != s_.agents.end()) email = lower(m->second);
        if (auto a = agent_by_email.find(email); a != agent_by_email.end() && !email.empty()) user.agent = a->second;
        users[lower(user.name)] = user;
      }
      if (static_cast<int>(items.size()) < 100) break;
    }
    std::lock_guard lock(maps_mu_);
    users_by_name_ = std::move(users);
    users_by_id_.clear();
    for (const auto& entry : users_by_name_) users_by_id_[entry.second.id] = entry.first;
    queue_names_ = std::move(queue_names);
    maps_at_ = now;
  }

  std::optional<RtUser> user_by_key(const std::string& key) {
    std::lock_guard lock(maps_mu_);
    auto by_id = users_by_id_.find(key);
    auto it = users_by_name_.find(by_id != users_by_id_.end() ? by_id->second : lower(key));
    if (it == users_by_name_.end()) return std::nullopt;
    return it->second;
  }
  // The RT user of an RT id or name, looked up again when not known yet.
  std::optional<RtUser> user(const std::string& key) {
    if (auto u = user_by_key(key)) return u;
    refresh_maps(true);
    return user_by_key(key);
  }
  std::optional<std::string> rt_user_of(AgentId agent) {
    std::lock_guard lock(maps_mu_);
    for (const auto& entry : users_by_name_) {
      if (entry.second.agent == agent) return entry.second.name;
    }
    return std::nullopt;
  }
  std::string queue_name(const std::string& id_or_name) {
    std::lock_guard lock(maps_mu_);
    auto it = queue_names_.find(id_or_name);
    return it == queue_names_.end() ? id_or_name : it->second;
  }
  std::optional<TeamId> team_of_queue(const std::string& queue) {
    auto it = s_.queues.find(queue);
    if (it == s_.queues.end()) return std::nullopt;
    return service_.team_by_name(it->second);
  }
  std::optional<std::string> queue_of_team(TeamId team) {
    for (const auto& [queue, name] : s_.queues) {
      if (service_.team_by_name(name) == team) return queue;
    }
    return std::nullopt;
  }
  // Ours as RT's: RT's usual status first (resolved, not rejected); never
  // deleted; closed is resolved there.
  std::optional<std::string> rt_status_of(TicketStatus status) const {
    if (status == TicketStatus::kClosed) status = TicketStatus::kSolved;
    for (const char* usual : {"new", "open", "stalled", "resolved"}) {
      auto it = s_.statuses.find(usual);
      if (it != s_.statuses.end() && it->second == status) return it->first;
    }
    for (const auto& entry : s_.statuses) {
      if (entry.second == status && entry.first != "deleted") return entry.first;
    }
    return std::nullopt;
  }

  // RT's staff (privileged users) without an agent here, also kept among
  // the health's problems. `mapped`: how many have one.
  std::vector<std::string> scan_users(int& mapped) {
    refresh_maps(true);
    std::vector<RtUser> users;
    {
      std::lock_guard lock(maps_mu_);
      for (const auto& entry : users_by_name_) users.push_back(entry.second);
    }
    std::vector<std::string> problems;
    for (const RtUser& user : users) {
      if (lower(user.name) == lower(s_.user) || user.name == "root" || user.name == "RT_System" || user.name == "Nobody") continue;
      if (user.agent) {
        ++mapped;
        continue;
      }
      // Only staff own tickets; customers are users too.
      Reply one = call("GET", "/user/" + url_encode(user.id), {});
      if (!one.ok() || link_id(one.body.value("Privileged", json())) != "1") continue;
      problems.push_back("RT user '" + user.name + "' has no agent here (no agent has " +
                         (user.email.empty() ? std::string("an address") : "the address " + user.email) +
                         "; map it under agents:): tickets they own are not counted");
    }
    std::lock_guard lock(health_mu_);
    for (const std::string& p : problems) {
      if (std::find(health_.problems.begin(), health_.problems.end(), p) == health_.problems.end()) {
        health_.problems.push_back(p);
      }
    }
    return problems;
  }

  // --- the checkpoint -----------------------------------------------------
  std::string checkpoint_key() const { return "connector:" + s_.name; }
  Result<std::int64_t> load_checkpoint() {
    auto v = service_.find_setting(checkpoint_key());
    if (!v) return v.error();
    if (!*v) return static_cast<std::int64_t>(-1);
    const json j = json::parse(**v, nullptr, false);
    if (!j.is_object() || !j.contains("transaction")) return static_cast<std::int64_t>(-1);
    return j["transaction"].get<std::int64_t>();
  }
  Status save_checkpoint(std::int64_t transaction) {
    auto r = service_.change_setting(checkpoint_key(), [&](const std::optional<std::string>&) -> Result<std::string> {
      return json{{"transaction", transaction}}.dump();
    });
    if (!r) return r.error();
    return Status::Ok();
  }

  // --- taking changes in -------------------------------------------------
  Status take_history() {
    std::string query;
    for (const auto& entry : s_.queues) {
      query += (query.empty() ? "" : " OR ") + std::string("Queue = '") + entry.first + "'";
    }
    if (query.empty()) return Status::Ok();
    for (int page = 1;; ++page) {
      Reply r = call("GET", "/tickets?query=" + url_encode(query) + "&orderby=id&order=ASC&per_page=" +
                                std::to_string(s_.page_size) + "&page=" + std::to_string(page) +
                                "&fields=Subject,Status,Owner,Queue,Requestor,Created,LastUpdated,Priority",
                     {});
      if (!r.ok()) return Error::Unavailable("cannot list RT's tickets: " + r.describe());
      const json items = r.body.value("items", json::array());
      for (const json& item : items) {
        if (auto st = take_ticket(item, true); !st && st.error().kind == ErrorKind::kUnavailable) return st;
      }
      if (static_cast<int>(items.size()) < s_.page_size) break;
    }
    return Status::Ok();
  }

  Result<std::optional<TicketView>> ours(const std::string& rt_id) {
    auto id = service_.find_ticket_by_external_id(rt_id, s_.name);
    if (!id) return id.error();
    if (!*id) return std::optional<TicketView>();
    return service_.find_ticket(**id);
  }

  // A ticket as RT has it (GET /ticket/{id}, or a search item with fields).
  Status take_ticket(const json& t, bool history) {
    const std::string rt_id = link_id(t);
    const std::optional<TeamId> team = team_of_queue(queue_name(link_id(t.value("Queue", json()))));
    if (!team) return Status::Ok();  // not a queue we route
    intake::TicketInput in;
    in.source = s_.name;
    in.ticket.source = s_.name;
    in.ticket.external_id = rt_id;
    in.ticket.channel = Channel::kEmail;
    in.ticket.subject = t.value("Subject", "");
    if (in.ticket.subject.empty()) in.ticket.subject = "(RT ticket " + rt_id + ")";
    for (const json& r : t.value("Requestor", json::array())) {
      const std::string who = link_id(r);
      if (who.find('@') != std::string::npos) {
        in.ticket.requester.email = lower(who);
        break;
      }
      if (auto u = user(who); u && !u->email.empty()) {
        in.ticket.requester.email = u->email;
        break;
      }
    }
    in.ticket.team = team;
    const std::string status = t.value("Status", "new");
    auto mapped = s_.statuses.find(status);
    if (status == "deleted" || mapped == s_.statuses.end()) return Status::Ok();
    const std::string owner = link_id(t.value("Owner", json()));
    std::optional<AgentId> holder;
    if (!owner.empty() && lower(owner) != "nobody") {
      if (auto u = user(owner)) holder = u->agent;
    }
    if (history || holder || mapped->second != TicketStatus::kNew) {
      in.original_created_at = parse_rt_time(t.value("Created", ""));
      if (!in.original_created_at) in.original_created_at = service_.clock()();
      in.original_status = holder || mapped->second != TicketStatus::kNew ? mapped->second : TicketStatus::kNew;
      if (in.original_status == TicketStatus::kNew && holder) in.original_status = TicketStatus::kOpen;
      in.ticket.assignee = holder;
    }
    auto created = intake_.create(std::move(in));
    if (!created && created.error().code != "duplicate_external_id") return created.error();
    return Status::Ok();
  }

  Status apply(const json& txn) {
    const std::string creator = lower(link_id(txn.value("Creator", json())));
    // Our own write-backs come back as changes by our user (we never create tickets there).
    if (creator == lower(s_.user) && txn.value("Type", "") != "Create") return Status::Ok();
    const std::string rt_id = link_id(txn.value("ObjectId", json()));
    auto held = ours(rt_id);
    if (!held) return held.error();
    if (!*held) {
      // A new ticket, or one that came into a mapped queue: taken as RT has it now.
      Reply r = call("GET", "/ticket/" + url_encode(rt_id), {});
      if (r.status == 404) return Status::Ok();
      if (!r.ok()) return Error::Unavailable("cannot read RT ticket " + rt_id + ": " + r.describe());
      return take_ticket(r.body, false);
    }
    const TicketView& v = **held;
    const std::string type = txn.value("Type", "");
    const std::string field = txn.value("Field", "");
    const std::string to = txn.value("NewValue", "");
    TicketPatch patch;
    if (type == "Status") {
      auto m = s_.statuses.find(to);
      if (m == s_.statuses.end() || m->second == v.ticket.status) return Status::Ok();
      if (is_terminal(m->second) && is_terminal(v.ticket.status)) return Status::Ok();
      patch.status = m->second;
    } else if ((type == "Set" && field == "Owner") || type == "Give" || type == "Take" || type == "Steal" ||
               type == "Untake") {
      auto u = user(to);
      std::optional<AgentId> agent;
      if (u && lower(u->name) != "nobody") {
        if (!u->agent) {
          return Error::Invalid("owner", "RT ticket " + rt_id + " was given to RT user '" + u->name +
                                             "', who has no agent here (map it under agents:)");
        }
        agent = u->agent;
      }
      if (agent == v.ticket.assignee) return Status::Ok();
      patch.assignee = agent;
    } else if (type == "Set" && field == "Queue") {
      const std::optional<TeamId> team = team_of_queue(queue_name(to));
      if (!team || team == v.ticket.team) return Status::Ok();
      patch.team = team;
    } else if (type == "Correspond") {
      auto u = user(creator);
      if (!u || !u->agent) return Status::Ok();  // the customer's mail: RT's to answer
      Message m;
      m.ticket = v.ticket.id;
      m.kind = MessageKind::kReply;
      m.agent = u->agent;
      m.author_name = u->name;
      m.body = "(replied in RT)";
      auto added = service_.add_message(std::move(m));
      if (!added) return added.error();
      return Status::Ok();
    } else {
      return Status::Ok();
    }
    auto updated = service_.update_ticket(v.ticket.id, patch);
    if (!updated) return updated.error();
    return Status::Ok();
  }

  // --- health -------------------------------------------------------------
  Status fail_round(const std::string& why) {
    note_error(why);
    return Error::Unavailable(why);
  }
  // A failed round (the dashboard shows it until a round succeeds), or a
  // change refused (kept among the problems, the latest 20).
  void note_error(const std::string& why, bool round = true) {
    spdlog::warn("connector {}: {}", s_.name, why);
    std::lock_guard lock(health_mu_);
    ++health_.errors;
    if (round) {
      health_.last_error = why;
      health_.ok = false;
    } else if (std::find(health_.problems.begin(), health_.problems.end(), why) == health_.problems.end()) {
      health_.problems.push_back(why);
      if (health_.problems.size() > 20) health_.problems.erase(health_.problems.begin());
    }
  }

  ConnectorSettings s_;
  intake::Intake& intake_;
  Service& service_;

  std::mutex sync_mu_;  // one round at a time
  std::mutex push_mu_;
  std::condition_variable push_cv_;
  std::set<TicketId> pushing_;
  mutable std::mutex maps_mu_;
  std::map<std::string, RtUser> users_by_name_;  // lower-case name
  std::map<std::string, std::string> users_by_id_;
  std::map<std::string, std::string> queue_names_;  // id -> name
  std::optional<Time> maps_at_;
  std::optional<Time> users_scanned_;

  mutable std::mutex health_mu_;
  Health health_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

std::map<std::string, TicketStatus> default_rt_statuses() {
  // The way back: rt_status_of.
  return {{"new", TicketStatus::kNew},         {"open", TicketStatus::kOpen},       {"stalled", TicketStatus::kPending},
          {"resolved", TicketStatus::kSolved}, {"rejected", TicketStatus::kSolved}, {"deleted", TicketStatus::kClosed}};
}

std::unique_ptr<Connector> make_connector(ConnectorSettings settings, intake::Intake& intake, Service& service) {
  return std::make_unique<RequestTracker>(std::move(settings), intake, service);
}

}  // namespace sb::connectors
