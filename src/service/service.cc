#include "service/service.h"

#include <algorithm>
#include <exception>
#include <random>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace sb {
namespace {

WriteBatch to_batch(Changes&& c) {
  WriteBatch b;
  b.tickets = std::move(c.tickets);
  b.agents = std::move(c.agents);
  b.teams = std::move(c.teams);
  b.decisions = std::move(c.decisions);
  b.events = std::move(c.events);
  b.messages = std::move(c.messages);
  return b;
}

// Unique event ids: "evt_" + 24 hex digits from a per-process random stream.
std::string new_event_id() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard lock(mu);
  static const char* hex = "0123456789abcdef";
  std::string id = "evt_";
  for (int i = 0; i < 2; ++i) {
    std::uint64_t v = rng();
    for (int k = 0; k < (i == 0 ? 16 : 8); ++k, v >>= 4) id += hex[v & 15];
  }
  return id;
}

}  // namespace

Time system_now() { return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()); }

Service::Service(Store& store, EngineOptions options, Clock clock)
    : store_(store), clock_(std::move(clock)), engine_(options), committer_(store) {}

Service::Pending Service::enqueue_locked(Changes&& changes, const Attach& attach) {
  WriteBatch batch = to_batch(std::move(changes));
  if (attach) attach(batch);
  Pending p;
  OutboxWriter::Views views;
  for (Event& e : batch.events) {
    e.seq = next_event_seq_++;
    e.id = new_event_id();
    p.last_seq = e.seq;
    ++p.types[static_cast<std::size_t>(e.type)];
    if (!outbox_) {
      e.data = nlohmann::json{{"id", e.id}, {"type", to_string(e.type)}, {"ticket_id", e.ticket.value}}.dump();
    } else if (!views.count(e.ticket)) {
      const Ticket* found = nullptr;
      for (auto t = batch.tickets.rbegin(); t != batch.tickets.rend() && !found; ++t) {
        if (t->id == e.ticket) found = &*t;  // the latest version in the batch
      }
      if (!found) found = engine_.find_live_ticket(e.ticket);
      Ticket fallback;
      fallback.id = e.ticket;
      views.emplace(e.ticket, ticket_view_locked(found ? *found : fallback));
    }
  }
  if (outbox_ && !batch.events.empty()) outbox_->write(batch.events, views, batch);
  p.handle = committer_.enqueue(std::move(batch));
  return p;
}

Status Service::commit_pending(Pending& p) {
  Status s = committer_.wait(p.handle);
  if (s) {
    for (std::size_t i = 0; i < p.types.size(); ++i) event_counts_[i] += p.types[i];
  }
  if (s && p.last_seq > 0) {
    std::lock_guard lock(feed_mu_);
    committed_seq_ = std::max(committed_seq_, p.last_seq);
    feed_cv_.notify_all();
  }
  return s;
}

std::int64_t Service::wait_for_events(std::int64_t after, std::chrono::milliseconds timeout) {
  std::unique_lock lock(feed_mu_);
  const std::uint64_t generation = feed_generation_;
  feed_cv_.wait_for(lock, timeout, [&] { return committed_seq_ > after || feed_generation_ != generation; });
  return committed_seq_;
}

std::array<std::uint64_t, enum_count<EventType>()> Service::event_counts() const {
  std::array<std::uint64_t, enum_count<EventType>()> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = event_counts_[i].load();
  return out;
}

std::int64_t Service::committed_event_seq() {
  if (!active_) {
    // Another node commits the events: the store knows how far they go.
    if (auto last = store_.last_event_seq()) return *last;
  }
  std::lock_guard lock(feed_mu_);
  return committed_seq_;
}

void Service::wake_event_waiters() {
  std::lock_guard lock(feed_mu_);
  ++feed_generation_;
  feed_cv_.notify_all();
}

Status Service::rebuild_locked() {
  committer_.recover();
  auto snapshot = store_.load_snapshot();
  if (!snapshot) return snapshot.error();
  auto last = store_.last_event_seq();
  if (!last) return last.error();
  next_event_seq_ = *last + 1;
  auto last_message = store_.last_message_id();
  if (!last_message) return last_message.error();
  next_message_id_ = *last_message + 1;
  {
    std::lock_guard lock(feed_mu_);
    committed_seq_ = std::max(committed_seq_, *last);
  }
  Changes unblocked = engine_.restore(*snapshot, clock_());
  needs_rebuild_ = false;
  if (unblocked.empty()) return Status::Ok();
  Pending pending = enqueue_locked(std::move(unblocked));
  return commit_pending(pending);
}

Status Service::start() {
  std::lock_guard lock(engine_mu_);
  return rebuild_locked();
}

Status Service::take_over(Fence fence) {
  std::lock_guard lock(engine_mu_);
  committer_.set_fence(std::move(fence), clock_);
  active_ = true;
  if (auto s = rebuild_locked(); !s) {
    needs_rebuild_ = true;
    return s;
  }
  return Status::Ok();
}

void Service::stand_down() {
  std::lock_guard lock(engine_mu_);
  active_ = false;
  needs_rebuild_ = true;  // what it holds is stale once another node decides
}

namespace {
// A commit the store refused because the lease moved is the caller's cue to
// retry (through the node that owns routing now), not a conflict of theirs.
Error commit_error(const Error& e, const char* what) {
  if (e.code == "not_owner") return Error::NotOwner(e.message);
  if (e.kind == ErrorKind::kConflict) return e;
  return Error::Unavailable(std::string(what) + e.message);
}
Error not_owner() { return Error::NotOwner("this node does not own routing just now; retry"); }
}  // namespace

template <class Command, class View, class AnswerHook>
auto Service::apply(Command&& command, View&& view, const Attach& attach, const AnswerHook& answer)
    -> Result<decltype(view(std::declval<const Changes&>()))> {
  // Admission: a bounded number of commands in hand; past it, shed at once.
  struct InFlight {
    std::atomic<int>& n;
    ~InFlight() { --n; }
  } in_flight{in_flight_};
  if (const int limit = max_in_flight_.load(); ++in_flight_ > limit && limit > 0) {
    ++shed_;
    return Error::Overloaded("too many changes in hand (" + std::to_string(limit) + "); retry in a moment");
  }
  Pending pending;
  std::optional<decltype(view(std::declval<const Changes&>()))> out;
  {
    std::lock_guard lock(engine_mu_);
    if (!active_) return not_owner();
    if (needs_rebuild_) {
      if (auto s = rebuild_locked(); !s) return commit_error(s.error(), "store unavailable: ");
    }
    try {
      Result<Changes> changes = command();
      if (!changes) return changes.error();
      out.emplace(view(*changes));
      if constexpr (std::is_same_v<AnswerHook, std::nullptr_t>) {
        pending = enqueue_locked(std::move(*changes), attach);
      } else {
        pending = enqueue_locked(std::move(*changes), [&](WriteBatch& b) {
          if (attach) attach(b);
          if (answer) answer(b, *out);
        });
      }
    } catch (const std::exception& e) {
      // A bug left the engine half-changed: it is rebuilt from the store
      // before the next command, and this request writes nothing.
      needs_rebuild_ = true;
      return Error::Internal(std::string("routing failed: ") + e.what());
    }
  }
  if (auto s = commit_pending(pending); !s) {
    std::lock_guard lock(engine_mu_);
    needs_rebuild_ = true;
    return commit_error(s.error(), "the change was not saved: ");
  }
  return std::move(*out);
}

Result<TicketView> Service::create_ticket(Ticket draft, const Attach& attach, const Answer& answer,
                                          std::optional<Message> first) {
  return apply(
      [&]() -> Result<Changes> {
        const Time now = clock_();
        auto changes = engine_.create_ticket(std::move(draft), now);
        if (!changes || !first) return changes;
        first->ticket = changes->tickets.front().id;
        first->id = next_message_id_++;
        first->at = now;
        changes->messages.push_back(std::move(*first));
        return changes;
      },
               [&](const Changes& c) {
                 return ticket_view_locked(c.tickets.front());  // the new ticket is touched first
               },
               attach, answer);
}

Result<TicketView> Service::import_ticket(Ticket draft, const Attach& attach) {
  return apply([&]() -> Result<Changes> { return engine_.import_ticket(std::move(draft), clock_()); },
               [&](const Changes& c) { return ticket_view_locked(c.tickets.front()); }, attach, {});
}

Status Service::load_if_not_live_locked(TicketId id, std::optional<Ticket>& stored) {
  if (engine_.find_live_ticket(id)) return Status::Ok();
  // Not live: solved or closed (or unknown). Its newest version is in a batch
  // not yet committed, or in the store.
  stored = committer_.pending_ticket(id);
  if (stored) return Status::Ok();
  auto found = store_.find_ticket(id);
  if (!found) return found.error();
  stored = std::move(*found);
  return Status::Ok();
}

Result<Message> Service::add_message(Message draft, const Attach& attach) {
  const TicketId id = draft.ticket;
  std::optional<Ticket> stored;
  // A public reply answers the customer's mail: the outbox threads it under
  // their newest message (In-Reply-To) and the ones before (References).
  std::string in_reply_to, references;
  if (draft.kind == MessageKind::kReply) {
    if (auto earlier = store_.list_messages(id)) {
      for (const Message& m : *earlier) {
        if (m.kind != MessageKind::kCustomer || m.message_id.empty()) continue;
        in_reply_to = m.message_id;
        references += (references.empty() ? "" : " ") + m.message_id;
      }
    }
  }
  return apply(
      [&]() -> Result<Changes> {
        if (auto s = load_if_not_live_locked(id, stored); !s) return s.error();
        const Time now = clock_();
        auto changes = engine_.add_message(id, draft.kind, now, stored ? &*stored : nullptr);
        if (!changes) return changes.error();
        draft.id = next_message_id_++;
        draft.at = now;
        changes->messages.push_back(draft);
        Event e;
        e.type = EventType::kCommentAdded;
        e.ticket = id;
        e.at = now;
        e.details = {{"comment_id", std::to_string(draft.id)},
                     {"kind", std::string(to_string(draft.kind))},
                     {"public", draft.kind == MessageKind::kNote ? "false" : "true"},
                     {"author_name", draft.author_name},
                     {"body", draft.body}};
        if (!in_reply_to.empty()) {
          e.details["in_reply_to"] = in_reply_to;
          e.details["references"] = references;
        }
        changes->events.push_back(std::move(e));
        return changes;
      },
      [&](const Changes&) { return draft; }, attach);
}

namespace {
// The corrections an editor's change from `before` to `after` makes.
std::vector<Correction> corrections_of(const Ticket& before, const Ticket& after, const Service::Editor& editor,
                                       const std::function<std::string(std::optional<TeamId>)>& team_name, Time now) {
  std::vector<Correction> out;
  auto add = [&](const char* field, std::string from, std::string to) {
    if (from == to || to.empty()) return;
    Correction k;
    k.ticket = after.id;
    k.at = now;
    k.field = field;
    k.from = std::move(from);
    k.to = std::move(to);
    k.label = editor.label_of ? editor.label_of(field, k.to) : k.to;
    if (before.triage && before.triage->predicts == field) {
      k.guess = before.triage->predicted;
      k.confidence = before.triage->confidence;
    }
    const bool at_desk = editor.triage_team && before.team == editor.triage_team;
    k.source = at_desk ? "desk" : k.field == "team" ? "move" : "edit";
    k.by = editor.by;
    k.subject = after.subject;
    k.body = after.body;
    k.waited = now - before.created_at;
    out.push_back(std::move(k));
  };
  add("team", team_name(before.team), team_name(after.team));
  add("category", before.category, after.category);
  return out;
}
}  // namespace

Result<TicketView> Service::update_ticket(TicketId id, const TicketPatch& patch, const Editor* editor) {
  std::optional<Ticket> stored;
  std::vector<Correction> corrections;
  return apply(
      [&]() -> Result<Changes> {
        if (auto s = load_if_not_live_locked(id, stored); !s) return s.error();
        std::optional<Ticket> before;
        if (editor) {
          if (const Ticket* live = engine_.find_live_ticket(id)) before = *live;
          else if (stored) before = *stored;
        }
        const Time now = clock_();
        auto changes = engine_.update_ticket(id, patch, now, stored ? &*stored : nullptr);
        if (!changes || !before) return changes;
        for (const Ticket& t : changes->tickets) {
          if (t.id != id) continue;
          auto name = [&](std::optional<TeamId> team) -> std::string {
            if (!team) return "";
            const Team* found = engine_.find_team(*team);
            return found ? found->name : std::to_string(team->value);
          };
          corrections = corrections_of(*before, t, *editor, name, now);
        }
        return changes;
      },
      [&](const Changes& c) {
        for (const Ticket& t : c.tickets) {
          // As a read of it would show it (SLA clocks' remaining time, the wait, the agent's name).
          if (t.id == id) return ticket_view_locked(t);
        }
        return TicketView{*stored, std::nullopt};
      },
      [&](WriteBatch& b) { b.corrections = std::move(corrections); });
}

TicketView Service::ticket_view_locked(const Ticket& t) const {
  const Time now = clock_();
  const auto [first_response, next_reply, resolution] = engine_.sla_remaining(t.id, now);
  TicketView v{t, engine_.queue_position(t.id), engine_.expected_wait(t.id, now), first_response, resolution, {}};
  v.next_reply_left = next_reply;
  if (t.assignee) {
    if (const Agent* a = engine_.find_agent(*t.assignee); a && !a->name.empty()) v.assignee_name = a->name;
  }
  return v;
}

AgentView Service::agent_view_locked(const Agent& a) const {
  AgentView v{a, {}, std::nullopt};
  if (const AgentState* s = engine_.agent_state(a.id)) {
    v.load = s->load;
    if (s->last_assigned != Time{}) v.last_assigned = s->last_assigned;
  }
  return v;
}

Result<AgentView> Service::create_agent(Agent draft) {
  return apply([&] { return engine_.create_agent(std::move(draft), clock_()); },
               [&](const Changes& c) { return agent_view_locked(c.agents.front()); });
}

Result<AgentView> Service::update_agent(AgentId id, const AgentPatch& patch) {
  return apply([&] { return engine_.update_agent(id, patch, clock_()); },
               [&](const Changes& c) { return agent_view_locked(c.agents.front()); });
}

Result<Team> Service::create_team(Team draft) {
  return apply([&] { return engine_.create_team(std::move(draft), clock_()); },
               [&](const Changes& c) { return c.teams.front(); });
}

Result<Team> Service::update_team(TeamId id, const TeamPatch& patch) {
  return apply([&] { return engine_.update_team(id, patch, clock_()); },
               [&](const Changes&) { return *engine_.find_team(id); });
}

Result<std::optional<Team>> Service::find_team(TeamId id) {
  std::lock_guard lock(engine_mu_);
  const Team* t = engine_.find_team(id);
  return t ? std::optional<Team>(*t) : std::optional<Team>();
}

Result<TicketView> Service::accept(TicketId id, AgentId agent) {
  return apply([&] { return engine_.accept(id, agent, clock_()); },
               [&](const Changes&) {
                 return ticket_view_locked(*engine_.find_live_ticket(id));
               });
}

Result<TicketView> Service::decline(TicketId id, AgentId agent) {
  return apply([&] { return engine_.decline(id, agent, clock_()); },
               [&](const Changes& c) {
                 for (const Ticket& t : c.tickets) {
                   if (t.id == id) return ticket_view_locked(t);
                 }
                 return ticket_view_locked(*engine_.find_live_ticket(id));
               });
}

Status Service::tick() {
  Pending pending;
  {
    std::lock_guard lock(engine_mu_);
    if (!active_) return Status::Ok();  // another node's timers
    if (needs_rebuild_) {
      if (auto s = rebuild_locked(); !s) return s;
    }
    const Time now = clock_();
    const auto due = engine_.next_due();
    if (!due || *due > now) return Status::Ok();
    try {
      Changes changes = engine_.advance(now);
      if (changes.empty()) return Status::Ok();
      pending = enqueue_locked(std::move(changes));
    } catch (const std::exception& e) {
      needs_rebuild_ = true;
      return Error::Internal(std::string("timer step failed: ") + e.what());
    }
  }
  if (auto s = commit_pending(pending); !s) {
    std::lock_guard lock(engine_mu_);
    needs_rebuild_ = true;
    return s;
  }
  return Status::Ok();
}

void Service::set_sla_policies(std::vector<sla::SlaPolicy> policies) {
  std::lock_guard lock(engine_mu_);
  engine_.set_sla_policies(std::move(policies));
}

Status Service::replace_sla_policies(std::vector<sla::SlaPolicy> policies, std::string document) {
  GroupCommitter::Handle handle;
  {
    std::lock_guard lock(engine_mu_);
    if (!active_) return not_owner();
    WriteBatch b;
    b.settings["sla"] = std::move(document);
    handle = committer_.enqueue(std::move(b));
  }
  if (auto s = committer_.wait(handle); !s) return commit_error(s.error(), "the SLA policies were not saved: ");
  std::lock_guard lock(engine_mu_);
  engine_.set_sla_policies(std::move(policies));
  return Status::Ok();
}

Result<std::string> Service::change_setting(
    const std::string& key, const std::function<Result<std::string>(const std::optional<std::string>&)>& change) {
  std::lock_guard settings(settings_mu_);
  auto current = store_.find_setting(key);
  if (!current) return current.error();
  auto next = change(*current);
  if (!next) return next.error();
  GroupCommitter::Handle handle;
  {
    std::lock_guard lock(engine_mu_);
    if (!active_) return not_owner();
    WriteBatch b;
    b.settings[key] = *next;
    handle = committer_.enqueue(std::move(b));
  }
  if (auto s = committer_.wait(handle); !s) return commit_error(s.error(), "the change was not saved: ");
  return next;
}

std::vector<sla::SlaPolicy> Service::sla_policies() {
  std::lock_guard lock(engine_mu_);
  return engine_.sla_policies();
}

Result<std::vector<Decision>> Service::list_decisions(TicketId id, int limit) {
  return store_.list_decisions(id, limit);
}

Status Service::add_token(TokenRecord token) {
  GroupCommitter::Handle handle;
  {
    std::lock_guard lock(engine_mu_);
    if (!active_) return not_owner();
    if (token.agent && !engine_.find_agent(*token.agent)) {
      return Error::Invalid("agent_id", "agent " + std::to_string(token.agent->value) + " does not exist");
    }
    token.created_at = clock_();
    WriteBatch b;
    b.tokens.push_back(std::move(token));
    handle = committer_.enqueue(std::move(b));
  }
  if (auto s = committer_.wait(handle); !s) return commit_error(s.error(), "the token was not saved: ");
  return Status::Ok();
}

Result<std::optional<TicketView>> Service::find_ticket(TicketId id) {
  auto found = store_.find_ticket(id);
  if (!found) return found.error();
  if (!found->has_value()) return std::optional<TicketView>();
  std::lock_guard lock(engine_mu_);
  return std::optional<TicketView>(ticket_view_locked(**found));
}

Result<TicketPage> Service::list_tickets(const TicketQuery& query) { return store_.list_tickets(query); }

Result<std::optional<AgentView>> Service::find_agent(AgentId id) {
  auto found = store_.find_agent(id);
  if (!found) return found.error();
  if (!found->has_value()) return std::optional<AgentView>();
  std::lock_guard lock(engine_mu_);
  return std::optional<AgentView>(agent_view_locked(**found));
}

Result<std::vector<AgentView>> Service::list_agents() {
  auto agents = store_.list_agents();
  if (!agents) return agents.error();
  std::vector<AgentView> out;
  std::lock_guard lock(engine_mu_);
  for (const Agent& a : *agents) out.push_back(agent_view_locked(a));
  return out;
}

Result<std::vector<Team>> Service::list_teams() { return store_.list_teams(); }

std::optional<TeamId> Service::team_by_name(const std::string& name) {
  std::lock_guard lock(engine_mu_);
  return engine_.team_named(name);
}

std::vector<QueueStats> Service::queues() {
  std::lock_guard lock(engine_mu_);
  return engine_.queues(clock_());
}

// ---- records beside the engine's -------------------------------------------------

namespace {
Status commit_one(Store& store, WriteBatch&& b) { return store.commit(b); }
}  // namespace

Status Service::keep_receipt(MailReceipt receipt) {
  WriteBatch b;
  b.receipts.push_back(std::move(receipt));
  return commit_one(store_, std::move(b));
}

Status Service::keep_idempotency(IdempotencyRecord record) {
  WriteBatch b;
  b.idempotency.push_back(std::move(record));
  auto s = commit_one(store_, std::move(b));
  if (!s) spdlog::warn("Idempotency-Key not kept: {}", s.error().message);
  return s;
}

Result<TokenRecord> Service::revoke_token(const std::string& id) {
  auto tokens = store_.list_tokens();
  if (!tokens) return tokens.error();
  for (TokenRecord& t : *tokens) {
    if (t.id() != id) continue;
    if (!t.revoked_at) {
      t.revoked_at = clock_();
      WriteBatch b;
      b.tokens.push_back(t);
      if (auto s = commit_one(store_, std::move(b)); !s) {
        return Error::Unavailable("the revocation was not saved: " + s.error().message);
      }
    }
    return std::move(t);
  }
  return Error::NotFound("token " + id);
}

Status Service::append_audit(AuditEntry entry) {
  WriteBatch b;
  b.audit.push_back(std::move(entry));
  auto s = commit_one(store_, std::move(b));
  if (!s) spdlog::error("audit log: not written: {}", s.error().message);
  return s;
}

}  // namespace sb
