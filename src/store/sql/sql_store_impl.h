#pragma once
// The SQL stores' shared implementation (SqliteStore, PgStore): every query
// and mapping, written once over a database type Db that supplies the
// connection (prepare/bind/step in the style of src/store/sqlite/connection.h),
// migrations and the few places the dialects differ. Included by exactly one
// .cc per backend, which instantiates SqlStore<Db>.
#include <nlohmann/json.hpp>

#include "store/json_codec.h"
#include "store/sql/sql_store.h"

namespace sb {
namespace {

using nlohmann::json;

// Nested values (skills, tags, team lists, capacities, the routing
// explanation) are stored as JSON text in one column each.
json skills_json(const SkillLevels& s) { return json(s); }

std::string team_ids_json(const std::vector<TeamId>& teams) {
  json out = json::array();
  for (TeamId t : teams) out.push_back(t.value);
  return out.dump();
}

std::vector<TeamId> team_ids_from_json(const std::string& text) {
  std::vector<TeamId> out;
  if (text.empty()) return out;  // rows from before the column was filled
  for (std::int64_t t : json::parse(text).get<std::vector<std::int64_t>>()) out.push_back(TeamId{t});
  return out;
}

// "1,3,7" for `team_id IN (...)`: our own integers, so written into the SQL.
std::string sql_id_list(const std::vector<TeamId>& teams) {
  if (teams.empty()) return "NULL";  // matches nothing
  std::string out;
  for (TeamId t : teams) out += (out.empty() ? "" : ",") + std::to_string(t.value);
  return out;
}

const char* kTicketColumns =
    "id, channel, subject, body, requester_email, requester_name, requester_tier, status, priority, "
    "category, team_id, required_skills, tags, assignee_id, created_at, updated_at, assigned_at, "
    "solved_at, routing, optional_skills, queued_at, offer_expires_at, accepted_at, declined_by, triage, sla, external_id, "
    "first_response_at, tallies, predicts, predicted, prediction_used, version";

// The tallies column (migration 11): the SLA outcome in bits 0-1, then four
// 8-bit counts.
std::int64_t pack_tallies(SlaOutcome sla, const TicketStats& s) {
  auto byte = [](int n) { return static_cast<std::int64_t>(std::clamp(n, 0, 255)); };
  return static_cast<std::int64_t>(sla) | byte(s.reassignments) << 2 | byte(s.declines) << 10 |
         byte(s.offer_timeouts) << 18 | byte(s.escalations) << 26;
}

void unpack_tallies(std::int64_t v, SlaOutcome& sla, int& reassignments, int& declines, int& offer_timeouts,
                    int& escalations) {
  sla = static_cast<SlaOutcome>(v & 3);
  reassignments = static_cast<int>(v >> 2 & 255);
  declines = static_cast<int>(v >> 10 & 255);
  offer_timeouts = static_cast<int>(v >> 18 & 255);
  escalations = static_cast<int>(v >> 26 & 255);
}

template <class E>
E enum_or(const std::string& name, E fallback) {
  auto r = parse_enum<E>(name, "");
  return r.ok() ? *r : fallback;
}

std::optional<std::int64_t> opt_millis(const std::optional<Time>& t) {
  if (!t) return std::nullopt;
  return to_millis(*t);
}

std::optional<Time> opt_time(const std::optional<std::int64_t>& ms) {
  if (!ms) return std::nullopt;
  return from_millis(*ms);
}

std::string routing_text(const std::optional<RoutingExplanation>& r) {
  if (!r) return {};
  return json{{"policy", r->policy},         {"agent", r->agent.value},
              {"proficiency", r->proficiency}, {"load", r->load},
              {"capacity", r->capacity},     {"candidates", r->candidates},
              {"summary", r->summary},       {"at", to_millis(r->at)}}
      .dump();
}

std::optional<RoutingExplanation> routing_from(const std::string& text) {
  if (text.empty()) return std::nullopt;
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  RoutingExplanation r;
  r.policy = j.value("policy", "");
  r.agent = AgentId{j.value("agent", std::int64_t{0})};
  r.proficiency = j.value("proficiency", 0);
  r.load = j.value("load", 0);
  r.capacity = j.value("capacity", 0);
  r.candidates = j.value("candidates", 0);
  r.summary = j.value("summary", "");
  r.at = from_millis(j.value("at", std::int64_t{0}));
  return r;
}

struct ReadTicket {
  template <class St>
  Ticket operator()(const St& s) const {
    Ticket t;
    t.id = TicketId{s.int64(0)};
    t.channel = enum_or(s.text(1), Channel::kApi);
    t.subject = s.text(2);
    t.body = s.text(3);
    t.requester.email = s.text(4);
    t.requester.name = s.text(5);
    t.requester.tier = enum_or(s.text(6), Tier::kStandard);
    t.status = enum_or(s.text(7), TicketStatus::kNew);
    t.priority = enum_or(s.text(8), Priority::kNormal);
    t.category = s.text(9);
    if (auto team = s.optional_int64(10)) t.team = TeamId{*team};
    t.required_skills = json::parse(s.text(11)).template get<SkillLevels>();
    t.tags = json::parse(s.text(12)).template get<std::vector<std::string>>();
    if (auto a = s.optional_int64(13)) t.assignee = AgentId{*a};
    t.created_at = from_millis(s.int64(14));
    t.updated_at = from_millis(s.int64(15));
    t.assigned_at = opt_time(s.optional_int64(16));
    t.solved_at = opt_time(s.optional_int64(17));
    t.routing = routing_from(s.text(18));
    t.optional_skills = json::parse(s.text(19)).template get<SkillLevels>();
    t.queued_at = opt_time(s.optional_int64(20));
    t.offer_expires_at = opt_time(s.optional_int64(21));
    t.accepted_at = opt_time(s.optional_int64(22));
    for (std::int64_t a : json::parse(s.text(23)).template get<std::vector<std::int64_t>>()) t.declined_by.push_back(AgentId{a});
    if (const std::string triage = s.text(24); !triage.empty()) t.triage = triage_from_json(json::parse(triage, nullptr, false));
    if (const std::string sla = s.text(25); !sla.empty()) t.sla = sla_from_json(json::parse(sla, nullptr, false));
    if (!s.is_null(26)) t.external_id = s.text(26);
    t.stats.first_response_at = opt_time(s.optional_int64(27));
    SlaOutcome ignored;  // recomputed from the sla column
    unpack_tallies(s.int64(28), ignored, t.stats.reassignments, t.stats.declines, t.stats.offer_timeouts,
                   t.stats.escalations);
    t.version = s.int64(32);
    return t;
  }
};
inline constexpr ReadTicket read_ticket;

template <class Conn>
Status write_ticket(Conn& c, const Ticket& t) {
  // An upsert on id (not INSERT OR REPLACE, which would delete another
  // ticket holding the same external_id instead of failing).
  static const std::string sql = [] {
    std::string set;
    std::string columns = kTicketColumns;
    std::size_t pos = 0;
    while (pos < columns.size()) {
      std::size_t end = columns.find(',', pos);
      if (end == std::string::npos) end = columns.size();
      std::string col = columns.substr(pos, end - pos);
      col.erase(0, col.find_first_not_of(' '));
      if (col != "id") set += (set.empty() ? "" : ", ") + col + " = excluded." + col;
      pos = end + 1;
    }
    return std::string("INSERT INTO tickets (") + kTicketColumns +
           ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET " + set;
  }();
  auto st = c.prepare(sql);
  if (!st) return st.error();
  std::optional<std::int64_t> team, assignee;
  if (t.team) team = t.team->value;
  if (t.assignee) assignee = t.assignee->value;
  st->bind(1, t.id.value)
      .bind(2, to_string(t.channel))
      .bind(3, t.subject)
      .bind(4, t.body)
      .bind(5, t.requester.email)
      .bind(6, t.requester.name)
      .bind(7, to_string(t.requester.tier))
      .bind(8, to_string(t.status))
      .bind(9, to_string(t.priority))
      .bind(10, t.category)
      .bind(11, team)
      .bind(12, skills_json(t.required_skills).dump())
      .bind(13, json(t.tags).dump())
      .bind(14, assignee)
      .bind(15, to_millis(t.created_at))
      .bind(16, to_millis(t.updated_at))
      .bind(17, opt_millis(t.assigned_at))
      .bind(18, opt_millis(t.solved_at))
      .bind(19, routing_text(t.routing))
      .bind(20, skills_json(t.optional_skills).dump())
      .bind(21, opt_millis(t.queued_at))
      .bind(22, opt_millis(t.offer_expires_at))
      .bind(23, opt_millis(t.accepted_at));
  std::vector<std::int64_t> declined;
  for (AgentId a : t.declined_by) declined.push_back(a.value);
  st->bind(24, json(declined).dump());
  st->bind(25, t.triage ? triage_to_json(*t.triage).dump() : std::string());
  st->bind(26, t.sla ? sla_to_json(*t.sla).dump() : std::string());
  if (t.external_id) st->bind(27, *t.external_id); else st->bind_null(27);
  st->bind(28, opt_millis(t.stats.first_response_at))
      .bind(29, pack_tallies(sla_outcome(t.sla), t.stats));
  const bool guessed = t.triage && !t.triage->predicts.empty();
  st->bind(30, guessed ? t.triage->predicts : std::string())
      .bind(31, guessed ? t.triage->predicted_value : std::string())
      .bind(32, guessed && t.triage->prediction_used ? 1 : 0)
      .bind(33, t.version);
  if (auto s = st->run(); !s) {
    if (s.error().code == "constraint" && t.external_id) {
      return Error::Conflict("duplicate_external_id", "a ticket with external_id '" + *t.external_id + "' exists",
                             "external_id");
    }
    return s;
  }
  return Status::Ok();
}

const char* kAgentColumns = "id, name, email, skills, teams, capacity, presence, created_at, updated_at";

struct ReadAgent {
  template <class St>
  Agent operator()(const St& s) const {
    Agent a;
    a.id = AgentId{s.int64(0)};
    a.name = s.text(1);
    a.email = s.text(2);
    a.skills = json::parse(s.text(3)).template get<SkillLevels>();
    for (std::int64_t t : json::parse(s.text(4)).template get<std::vector<std::int64_t>>()) a.teams.push_back(TeamId{t});
    a.capacity = json::parse(s.text(5)).template get<ChannelCounts>();
    a.presence = enum_or(s.text(6), Presence::kOffline);
    a.created_at = from_millis(s.int64(7));
    a.updated_at = from_millis(s.int64(8));
    return a;
  }
};
inline constexpr ReadAgent read_agent;

template <class Conn>
Status write_agent(Conn& c, const Agent& a) {
  // Presence history for occupancy reports: a row whenever it changes.
  auto log = c.prepare(
      "INSERT INTO presence_log (agent_id, at, presence) SELECT CAST(?1 AS BIGINT), CAST(?2 AS BIGINT), CAST(?3 AS TEXT) "
      "WHERE NOT EXISTS (SELECT 1 FROM agents WHERE id = CAST(?1 AS BIGINT) AND presence = CAST(?3 AS TEXT))");
  if (!log) return log.error();
  log->bind(1, a.id.value).bind(2, to_millis(a.updated_at)).bind(3, to_string(a.presence));
  if (auto s = log->run(); !s) return s;
  auto st = c.prepare(std::string("INSERT INTO agents (") + kAgentColumns +
                      ") VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                      "email = excluded.email, skills = excluded.skills, teams = excluded.teams, "
                      "capacity = excluded.capacity, presence = excluded.presence, created_at = excluded.created_at, "
                      "updated_at = excluded.updated_at");
  if (!st) return st.error();
  std::vector<std::int64_t> teams;
  for (TeamId t : a.teams) teams.push_back(t.value);
  st->bind(1, a.id.value)
      .bind(2, a.name)
      .bind(3, a.email)
      .bind(4, skills_json(a.skills).dump())
      .bind(5, json(teams).dump())
      .bind(6, json(a.capacity).dump())
      .bind(7, to_string(a.presence))
      .bind(8, to_millis(a.created_at))
      .bind(9, to_millis(a.updated_at));
  return st->run();
}

const char* kTeamColumns = "id, name, created_at, routing";

struct ReadTeam {
  template <class St>
  Team operator()(const St& s) const {
    Team t{TeamId{s.int64(0)}, s.text(1), from_millis(s.int64(2)), {}};
    t.routing = routing_from_json(json::parse(s.text(3), nullptr, false));
    return t;
  }
};
inline constexpr ReadTeam read_team;

template <class Conn>
Status write_team(Conn& c, const Team& t) {
  auto st = c.prepare("INSERT INTO teams (id, name, created_at, routing) VALUES (?,?,?,?) "
                      "ON CONFLICT(id) DO UPDATE SET name = excluded.name, routing = excluded.routing");
  if (!st) return st.error();
  st->bind(1, t.id.value).bind(2, t.name).bind(3, to_millis(t.created_at)).bind(4, routing_to_json(t.routing).dump());
  return st->run();
}

template <class Conn>
Status write_decision(Conn& c, const Decision& d) {
  auto st = c.prepare("INSERT INTO decisions (ticket_id, at, body) VALUES (?,?,?)");
  if (!st) return st.error();
  st->bind(1, d.ticket.value).bind(2, to_millis(d.at)).bind(3, decision_to_json(d).dump());
  return st->run();
}

template <class Conn>
Status write_token(Conn& c, const TokenRecord& t) {
  auto st = c.prepare(
      "INSERT INTO tokens (hash, role, agent_id, created_at, expires_at, revoked_at, teams) VALUES (?,?,?,?,?,?,?) "
      "ON CONFLICT (hash) DO UPDATE SET role = excluded.role, agent_id = excluded.agent_id, "
      "created_at = excluded.created_at, expires_at = excluded.expires_at, revoked_at = excluded.revoked_at, "
      "teams = excluded.teams");
  if (!st) return st.error();
  std::optional<std::int64_t> agent;
  if (t.agent) agent = t.agent->value;
  st->bind(1, t.hash).bind(2, to_string(t.role)).bind(3, agent).bind(4, to_millis(t.created_at));
  st->bind(5, opt_millis(t.expires_at)).bind(6, opt_millis(t.revoked_at)).bind(7, team_ids_json(t.teams));
  return st->run();
}

template <class Conn>
Status write_audit(Conn& c, const AuditEntry& a) {
  auto st = c.prepare("INSERT INTO audit_log (at, actor, action, target, detail, status) VALUES (?,?,?,?,?,?)");
  if (!st) return st.error();
  st->bind(1, to_millis(a.at)).bind(2, a.actor).bind(3, a.action).bind(4, a.target).bind(5, a.detail);
  st->bind(6, static_cast<std::int64_t>(a.status));
  return st->run();
}

template <class Conn>
Status write_event(Conn& c, const Event& e) {
  auto st = c.prepare("INSERT INTO events (seq, id, type, ticket_id, at, data) VALUES (?,?,?,?,?,?)");
  if (!st) return st.error();
  st->bind(1, e.seq).bind(2, e.id).bind(3, to_string(e.type)).bind(4, e.ticket.value).bind(5, to_millis(e.at));
  st->bind(6, e.data);
  return st->run();
}

template <class Conn>
Status write_message(Conn& c, const Message& m) {
  auto st = c.prepare(
      "INSERT INTO messages (id, ticket_id, kind, agent_id, author_name, author_email, body, attachments, message_id, at) "
      "VALUES (?,?,?,?,?,?,?,?,?,?)");
  if (!st) return st.error();
  json attachments = json::array();
  for (const Attachment& a : m.attachments) {
    attachments.push_back({{"name", a.name}, {"content_type", a.content_type}, {"size", a.size}});
  }
  std::optional<std::int64_t> agent;
  if (m.agent) agent = m.agent->value;
  st->bind(1, m.id).bind(2, m.ticket.value).bind(3, to_string(m.kind)).bind(4, agent).bind(5, m.author_name);
  st->bind(6, m.author_email).bind(7, m.body).bind(8, attachments.dump()).bind(9, m.message_id).bind(10, to_millis(m.at));
  return st->run();
}

template <class Conn>
Status write_receipt(Conn& c, const MailReceipt& r) {
  auto st = c.prepare(
      "INSERT INTO mail_receipts (mailbox, message_id, ticket_id, outcome, raw, received_at) VALUES (?,?,?,?,?,?)");
  if (!st) return st.error();
  std::optional<std::int64_t> ticket;
  if (r.ticket) ticket = r.ticket->value;
  st->bind(1, r.mailbox).bind(2, r.message_id).bind(3, ticket).bind(4, r.outcome).bind_blob(5, r.raw);
  st->bind(6, to_millis(r.received_at));
  if (auto s = st->run(); !s) {
    if (s.error().code == "constraint") {
      return Error::Conflict("duplicate_message", "message " + r.message_id + " was received already");
    }
    return s;
  }
  return Status::Ok();
}

struct ReadMessage {
  template <class St>
  Message operator()(const St& s) const {
    Message m;
    m.id = s.int64(0);
    m.ticket = TicketId{s.int64(1)};
    m.kind = enum_or(s.text(2), MessageKind::kCustomer);
    if (auto a = s.optional_int64(3)) m.agent = AgentId{*a};
    m.author_name = s.text(4);
    m.author_email = s.text(5);
    m.body = s.text(6);
    for (const json& a : json::parse(s.text(7), nullptr, false)) {
      if (a.is_object()) {
        m.attachments.push_back({a.value("name", ""), a.value("content_type", ""), a.value("size", std::int64_t{0})});
      }
    }
    m.message_id = s.text(8);
    m.at = from_millis(s.int64(9));
    return m;
  }
};
inline constexpr ReadMessage read_message;

template <class Conn>
Status write_delivery(Conn& c, const Delivery& d) {
  auto st = c.prepare(
      "INSERT INTO deliveries (kind, event_seq, webhook_id, recipient, message, message_id, state, attempts, "
      "next_attempt_at, delivered_at, last_error, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!st) return st.error();
  std::optional<std::int64_t> webhook;
  if (d.webhook) webhook = d.webhook->value;
  st->bind(1, to_string(d.kind)).bind(2, d.event_seq).bind(3, webhook).bind(4, d.recipient).bind(5, d.message);
  st->bind(6, d.message_id).bind(7, to_string(d.state)).bind(8, d.attempts).bind(9, to_millis(d.next_attempt_at));
  st->bind(10, opt_millis(d.delivered_at)).bind(11, d.last_error).bind(12, to_millis(d.created_at));
  return st->run();
}

template <class Conn>
Status write_webhook(Conn& c, const Webhook& w) {
  auto st = c.prepare(
      "INSERT INTO webhooks (id, url, secret, events, description, active, created_at) VALUES (?,?,?,?,?,?,?) "
      "ON CONFLICT (id) DO UPDATE SET url = excluded.url, secret = excluded.secret, events = excluded.events, "
      "description = excluded.description, active = excluded.active, created_at = excluded.created_at");
  if (!st) return st.error();
  json events = json::array();
  for (EventType e : w.events) events.push_back(to_string(e));
  st->bind(1, w.id.value).bind(2, w.url).bind(3, w.secret).bind(4, events.dump()).bind(5, w.description);
  st->bind(6, std::int64_t{w.active ? 1 : 0}).bind(7, to_millis(w.created_at));
  return st->run();
}

template <class Conn>
Status write_setting(Conn& c, const std::string& key, const std::string& value) {
  auto st = c.prepare("INSERT INTO settings (key, value) VALUES (?,?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!st) return st.error();
  st->bind(1, key).bind(2, value);
  return st->run();
}

const char* kDeliveryColumns =
    "id, kind, event_seq, webhook_id, recipient, message, message_id, state, attempts, next_attempt_at, "
    "delivered_at, last_error, created_at";

struct ReadDelivery {
  template <class St>
  Delivery operator()(const St& s) const {
    Delivery d;
    d.id = s.int64(0);
    d.kind = enum_or(s.text(1), DeliveryKind::kWebhook);
    d.event_seq = s.int64(2);
    if (auto w = s.optional_int64(3)) d.webhook = WebhookId{*w};
    d.recipient = s.text(4);
    d.message = s.text(5);
    d.message_id = s.text(6);
    d.state = enum_or(s.text(7), DeliveryState::kPending);
    d.attempts = static_cast<int>(s.int64(8));
    d.next_attempt_at = from_millis(s.int64(9));
    d.delivered_at = opt_time(s.optional_int64(10));
    d.last_error = s.text(11);
    d.created_at = from_millis(s.int64(12));
    return d;
  }
};
inline constexpr ReadDelivery read_delivery;

struct ReadWebhook {
  template <class St>
  Webhook operator()(const St& s) const {
    Webhook w;
    w.id = WebhookId{s.int64(0)};
    w.url = s.text(1);
    w.secret = s.text(2);
    for (const auto& name : json::parse(s.text(3), nullptr, false)) {
      if (name.is_string()) {
        if (auto e = parse_enum<EventType>(name.template get<std::string>(), "events"); e.ok()) w.events.push_back(*e);
      }
    }
    w.description = s.text(4);
    w.active = s.int64(5) != 0;
    w.created_at = from_millis(s.int64(6));
    return w;
  }
};
inline constexpr ReadWebhook read_webhook;

struct ReadEvent {
  template <class St>
  Event operator()(const St& s) const {
    Event e;
    e.seq = s.int64(0);
    e.id = s.text(1);
    e.type = enum_or(s.text(2), EventType::kTicketCreated);
    e.ticket = TicketId{s.int64(3)};
    e.at = from_millis(s.int64(4));
    e.data = s.text(5);
    return e;
  }
};
inline constexpr ReadEvent read_event;

template <class T, class St, class Read>
Result<std::vector<T>> read_all(St& st, Read read) {
  std::vector<T> out;
  for (;;) {
    auto row = st.step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read(st));
  }
  st.reset();
  return out;
}

template <class T, class St, class Read>
Result<std::optional<T>> first_row(St& st, Read read) {
  auto rows = read_all<T>(st, read);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<T>();
  return std::optional<T>(std::move(rows->front()));
}

struct ReadToken {
  template <class St>
  TokenRecord operator()(const St& s) const {
    TokenRecord t;
    t.hash = s.text(0);
    t.role = enum_or(s.text(1), Role::kAgent);
    if (auto a = s.optional_int64(2)) t.agent = AgentId{*a};
    t.created_at = from_millis(s.int64(3));
    t.expires_at = opt_time(s.optional_int64(4));
    t.revoked_at = opt_time(s.optional_int64(5));
    t.teams = team_ids_from_json(s.text(6));
    return t;
  }
};
inline constexpr ReadToken read_token;
const char* kTokenColumns = "hash, role, agent_id, created_at, expires_at, revoked_at, teams";

template <class Conn>
Status write_batches(Conn& c, std::span<const WriteBatch* const> batches) {
  // Fences first: the lease row is locked (PostgreSQL) until the commit, so a
  // take-over waits for this transaction or this transaction sees it.
  for (const WriteBatch* b : batches) {
    if (!b->fence) continue;
    const Fence& f = *b->fence;
    auto st = c.prepare(
        "UPDATE leases SET epoch = epoch WHERE partition = ? AND owner = ? AND epoch = ? AND expires_at > ? "
        "RETURNING epoch");
    if (!st) return st.error();
    st->bind(1, f.partition).bind(2, f.owner).bind(3, f.epoch).bind(4, to_millis(f.now));
    auto rows = read_all<std::int64_t>(*st, [](const auto& s) { return s.int64(0); });
    if (!rows) return rows.error();
    if (rows->empty()) {
      return Error::Conflict("not_owner", "the lease on '" + f.partition + "' is no longer " + f.owner + "'s");
    }
  }
  for (const WriteBatch* b : batches) {
    for (const Team& t : b->teams) {
      if (auto s = write_team(c, t); !s) {
        if (s.error().code == "constraint") {
          return Error::Conflict("duplicate_name", "a team named '" + t.name + "' exists", "name");
        }
        return s;
      }
    }
    for (const Agent& a : b->agents) {
      if (auto s = write_agent(c, a); !s) return s;
    }
    for (const Ticket& t : b->tickets) {
      if (auto s = write_ticket(c, t); !s) return s;
    }
    for (const AuditEntry& a : b->audit) {
      if (auto s = write_audit(c, a); !s) return s;
    }
    for (const TokenRecord& t : b->tokens) {
      if (auto s = write_token(c, t); !s) return s;
    }
    for (const Decision& d : b->decisions) {
      if (auto s = write_decision(c, d); !s) return s;
    }
    for (const Event& e : b->events) {
      if (auto s = write_event(c, e); !s) {
        if (s.error().code == "constraint") {
          return Error::Conflict("duplicate_event", "event " + std::to_string(e.seq) + " exists");
        }
        return s;
      }
    }
    for (const Delivery& d : b->deliveries) {
      if (auto s = write_delivery(c, d); !s) return s;
    }
    for (const Message& m : b->messages) {
      if (auto s = write_message(c, m); !s) return s;
    }
    for (const MailReceipt& r : b->receipts) {
      if (auto s = write_receipt(c, r); !s) return s;
    }
    for (const IdempotencyRecord& r : b->idempotency) {
      auto st = c.prepare(
          "INSERT INTO idempotency (scope, key, request, status, response, created_at) VALUES (?,?,?,?,?,?) "
          "ON CONFLICT (scope, key) DO UPDATE SET request = excluded.request, status = excluded.status, "
          "response = excluded.response, created_at = excluded.created_at");
      if (!st) return st.error();
      st->bind(1, r.scope).bind(2, r.key).bind(3, r.request).bind(4, std::int64_t{r.status}).bind(5, r.response);
      st->bind(6, to_millis(r.created_at));
      if (auto s = st->run(); !s) return s;
    }
    for (const Webhook& w : b->webhooks) {
      if (auto s = write_webhook(c, w); !s) return s;
    }
    for (const auto& [k, v] : b->settings) {
      if (auto s = write_setting(c, k, v); !s) return s;
    }
  }
  return Status::Ok();
}

}  // namespace

template <class Db>
int SqlStore<Db>::schema_version() { return Db::kSchemaVersion; }

template <class Db>
Result<std::unique_ptr<SqlStore<Db>>> SqlStore<Db>::open(const std::string& path) {
  std::unique_ptr<SqlStore<Db>> store(new SqlStore<Db>(path));
  auto writer = Db::connect(path);
  if (!writer) return writer.error();
  store->writer_ = std::move(*writer);
  if (auto s = Db::migrate(*store->writer_); !s) return s.error();
  return store;
}

template <class Db>
SqlStore<Db>::ReaderLease::~ReaderLease() {
  if (!c_) return;
  std::lock_guard lock(store_->pool_mu_);
  store_->idle_readers_.push_back(std::move(c_));
}

template <class Db>
Result<typename SqlStore<Db>::ReaderLease> SqlStore<Db>::reader() {
  {
    std::lock_guard lock(pool_mu_);
    if (!idle_readers_.empty()) {
      auto c = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(this, std::move(c));
    }
  }
  auto c = Db::connect(path_);
  if (!c) return c.error();
  return ReaderLease(this, std::move(*c));
}

template <class Db>
Status SqlStore<Db>::commit(std::span<const WriteBatch* const> batches) {
  std::lock_guard lock(writer_mu_);
  auto& c = *writer_;
  if (auto s = c.exec(Db::kBeginWrite); !s) return s;
  if (auto s = write_batches(c, batches); !s) {
    (void)c.exec("ROLLBACK");
    return s;
  }
  if (auto s = c.exec("COMMIT"); !s) {
    (void)c.exec("ROLLBACK");
    return s;
  }
  return Status::Ok();
}

template <class Db>
Result<Snapshot> SqlStore<Db>::load_snapshot() {
  std::lock_guard lock(writer_mu_);
  auto& c = *writer_;
  if (auto s = c.exec(Db::kBeginRead); !s) return s.error();
  Snapshot snap;
  auto fail = [&](const Error& e) -> Result<Snapshot> {
    (void)c.exec("ROLLBACK");
    return e;
  };
  auto teams = c.prepare(std::string("SELECT ") + kTeamColumns + " FROM teams ORDER BY id");
  if (!teams) return fail(teams.error());
  auto t = read_all<Team>(*teams, read_team);
  if (!t) return fail(t.error());
  snap.teams = std::move(*t);

  auto agents = c.prepare(std::string("SELECT ") + kAgentColumns + " FROM agents ORDER BY id");
  if (!agents) return fail(agents.error());
  auto a = read_all<Agent>(*agents, read_agent);
  if (!a) return fail(a.error());
  snap.agents = std::move(*a);

  auto open = c.prepare(std::string("SELECT ") + kTicketColumns +
                        " FROM tickets WHERE status NOT IN ('solved','closed') ORDER BY id");
  if (!open) return fail(open.error());
  auto o = read_all<Ticket>(*open, read_ticket);
  if (!o) return fail(o.error());
  snap.open_tickets = std::move(*o);

  auto last = c.prepare("SELECT assignee_id, MAX(assigned_at) FROM tickets "
                        "WHERE assignee_id IS NOT NULL AND assigned_at IS NOT NULL GROUP BY assignee_id");
  if (!last) return fail(last.error());
  auto l = read_all<std::pair<AgentId, Time>>(*last, [](const auto& s) {
    return std::pair{AgentId{s.int64(0)}, from_millis(s.int64(1))};
  });
  if (!l) return fail(l.error());
  for (auto& [agent, at] : *l) snap.last_assigned[agent] = at;

  // Each requester's latest assigned ticket's agent (ties: the highest ticket id).
  auto sticky = c.prepare(
      "SELECT t.requester_email, t.assignee_id FROM tickets t JOIN (SELECT requester_email, MAX(assigned_at) AS at "
      "FROM tickets WHERE requester_email != '' AND assignee_id IS NOT NULL AND assigned_at IS NOT NULL "
      "GROUP BY requester_email) m ON t.requester_email = m.requester_email AND t.assigned_at = m.at "
      "WHERE t.assignee_id IS NOT NULL ORDER BY t.id");
  if (!sticky) return fail(sticky.error());
  auto st_rows = read_all<std::pair<std::string, AgentId>>(*sticky, [](const auto& s) {
    return std::pair{s.text(0), AgentId{s.int64(1)}};
  });
  if (!st_rows) return fail(st_rows.error());
  for (auto& [email, agent] : *st_rows) snap.last_agent_of[email] = agent;

  auto maxes = c.prepare("SELECT (SELECT COALESCE(MAX(id), 0) FROM tickets), "
                         "(SELECT COALESCE(MAX(id), 0) FROM agents), (SELECT COALESCE(MAX(id), 0) FROM teams)");
  if (!maxes) return fail(maxes.error());
  auto row = maxes->step();
  if (!row) return fail(row.error());
  snap.max_ticket_id = maxes->int64(0);
  snap.max_agent_id = maxes->int64(1);
  snap.max_team_id = maxes->int64(2);
  maxes->reset();
  (void)c.exec("COMMIT");
  return snap;
}

template <class Db>
Result<std::optional<Ticket>> SqlStore<Db>::find_ticket(TicketId id) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kTicketColumns + " FROM tickets WHERE id = ?");
  if (!st) return st.error();
  st->bind(1, id.value);
  return first_row<Ticket>(*st, read_ticket);
}

template <class Db>
Result<TicketPage> SqlStore<Db>::list_tickets(const TicketQuery& q) {
  auto c = reader();
  if (!c) return c.error();
  // NULL parameters mean "any"; one statement serves every filter combination.
  auto st = (*c)->prepare(std::string("SELECT ") + kTicketColumns +
                          " FROM tickets WHERE id > ?1 AND (CAST(?2 AS TEXT) IS NULL OR status = ?2) "
                          "AND (CAST(?3 AS BIGINT) IS NULL OR team_id = ?3) "
                          "AND (CAST(?4 AS BIGINT) IS NULL OR assignee_id = ?4) " +
                          (q.teams ? "AND team_id IN (" + sql_id_list(*q.teams) + ") " : std::string()) +
                          "ORDER BY id LIMIT ?5");
  if (!st) return st.error();
  st->bind(1, q.after);
  if (q.status) st->bind(2, to_string(*q.status)); else st->bind_null(2);
  if (q.team) st->bind(3, q.team->value); else st->bind_null(3);
  if (q.assignee) st->bind(4, q.assignee->value); else st->bind_null(4);
  st->bind(5, static_cast<std::int64_t>(q.limit) + 1);
  auto rows = read_all<Ticket>(*st, read_ticket);
  if (!rows) return rows.error();
  TicketPage page;
  page.more = static_cast<int>(rows->size()) > q.limit;
  if (page.more) rows->pop_back();
  page.tickets = std::move(*rows);
  return page;
}

template <class Db>
Result<std::optional<Agent>> SqlStore<Db>::find_agent(AgentId id) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kAgentColumns + " FROM agents WHERE id = ?");
  if (!st) return st.error();
  st->bind(1, id.value);
  return first_row<Agent>(*st, read_agent);
}

template <class Db>
Result<std::vector<Agent>> SqlStore<Db>::list_agents() {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kAgentColumns + " FROM agents ORDER BY id");
  if (!st) return st.error();
  return read_all<Agent>(*st, read_agent);
}

template <class Db>
Result<std::vector<Team>> SqlStore<Db>::list_teams() {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kTeamColumns + " FROM teams ORDER BY id");
  if (!st) return st.error();
  return read_all<Team>(*st, read_team);
}

template <class Db>
Result<std::optional<TokenRecord>> SqlStore<Db>::find_token(const std::string& hash) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kTokenColumns + " FROM tokens WHERE hash = ?");
  if (!st) return st.error();
  st->bind(1, hash);
  return first_row<TokenRecord>(*st, read_token);
}

template <class Db>
Result<std::vector<TokenRecord>> SqlStore<Db>::list_tokens() {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kTokenColumns + " FROM tokens ORDER BY created_at, hash");
  if (!st) return st.error();
  return read_all<TokenRecord>(*st, read_token);
}

template <class Db>
Result<std::vector<AuditEntry>> SqlStore<Db>::list_audit(std::int64_t before, int limit) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(
      "SELECT id, at, actor, action, target, detail, status FROM audit_log WHERE (?1 = 0 OR id < ?1) "
      "ORDER BY id DESC LIMIT ?2");
  if (!st) return st.error();
  st->bind(1, before).bind(2, static_cast<std::int64_t>(limit));
  return read_all<AuditEntry>(*st, [](const auto& s) {
    return AuditEntry{s.int64(0), from_millis(s.int64(1)), s.text(2), s.text(3), s.text(4), s.text(5),
                      static_cast<int>(s.int64(6))};
  });
}

}  // namespace sb

namespace sb {

template <class Db>
Result<std::vector<Decision>> SqlStore<Db>::list_decisions(TicketId ticket, int limit) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare("SELECT body FROM decisions WHERE ticket_id = ? ORDER BY id DESC LIMIT ?");
  if (!st) return st.error();
  st->bind(1, ticket.value).bind(2, static_cast<std::int64_t>(limit));
  return read_all<Decision>(*st, [](const auto& s) {
    return decision_from_json(nlohmann::json::parse(s.text(0), nullptr, false));
  });
}

template <class Db>
Result<std::vector<Message>> SqlStore<Db>::list_messages(TicketId ticket) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(
      "SELECT id, ticket_id, kind, agent_id, author_name, author_email, body, attachments, message_id, at "
      "FROM messages WHERE ticket_id = ? ORDER BY id");
  if (!st) return st.error();
  st->bind(1, ticket.value);
  return read_all<Message>(*st, read_message);
}

template <class Db>
Result<std::int64_t> SqlStore<Db>::max_of(const char* column, const char* table) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT COALESCE(MAX(") + column + "), 0) FROM " + table);
  if (!st) return st.error();
  auto row = read_all<std::int64_t>(*st, [](const auto& s) { return s.int64(0); });
  if (!row) return row.error();
  return row->empty() ? 0 : row->front();
}

template <class Db>
Result<std::int64_t> SqlStore<Db>::last_message_id() { return max_of("id", "messages"); }

template <class Db>
Result<std::optional<MailReceipt>> SqlStore<Db>::find_mail_receipt(const std::string& mailbox,
                                                                  const std::string& message_id) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(
      "SELECT mailbox, message_id, ticket_id, outcome, raw, received_at FROM mail_receipts "
      "WHERE mailbox = ? AND message_id = ?");
  if (!st) return st.error();
  st->bind(1, mailbox).bind(2, message_id);
  return first_row<MailReceipt>(*st, [](const auto& s) {
    MailReceipt r;
    r.mailbox = s.text(0);
    r.message_id = s.text(1);
    if (auto t = s.optional_int64(2)) r.ticket = TicketId{*t};
    r.outcome = s.text(3);
    r.raw = s.blob(4);
    r.received_at = from_millis(s.int64(5));
    return r;
  });
}

template <class Db>
Result<std::optional<TicketId>> SqlStore<Db>::find_ticket_by_external_id(const std::string& external_id) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare("SELECT id FROM tickets WHERE external_id = ?");
  if (!st) return st.error();
  st->bind(1, external_id);
  return first_row<TicketId>(*st, [](const auto& s) { return TicketId{s.int64(0)}; });
}

template <class Db>
Result<std::optional<IdempotencyRecord>> SqlStore<Db>::find_idempotency(const std::string& scope,
                                                                       const std::string& key, Time since) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(
      "SELECT scope, key, request, status, response, created_at FROM idempotency "
      "WHERE scope = ? AND key = ? AND created_at >= ?");
  if (!st) return st.error();
  st->bind(1, scope).bind(2, key).bind(3, to_millis(since));
  return first_row<IdempotencyRecord>(*st, [](const auto& s) {
    return IdempotencyRecord{s.text(0), s.text(1), s.text(2), static_cast<int>(s.int64(3)), s.text(4),
                             from_millis(s.int64(5))};
  });
}

template <class Db>
Status SqlStore<Db>::purge_idempotency(Time before) {
  std::lock_guard lock(writer_mu_);
  auto st = writer_->prepare("DELETE FROM idempotency WHERE created_at < ?");
  if (!st) return st.error();
  st->bind(1, to_millis(before));
  return st->run();
}

template <class Db>
Result<std::optional<TicketId>> SqlStore<Db>::find_ticket_by_message_ids(const std::vector<std::string>& ids) {
  auto c = reader();
  if (!c) return c.error();
  for (const std::string& id : ids) {
    auto st = (*c)->prepare(
        "SELECT ticket_id FROM mail_receipts WHERE message_id = ?1 AND ticket_id IS NOT NULL "
        "UNION ALL SELECT e.ticket_id FROM deliveries d JOIN events e ON e.seq = d.event_seq "
        "WHERE d.message_id = '<' || ?1 || '>' LIMIT 1");
    if (!st) return st.error();
    st->bind(1, id);
    auto found = first_row<TicketId>(*st, [](const auto& s) { return TicketId{s.int64(0)}; });
    if (!found) return found.error();
    if (*found) return *found;
  }
  return std::optional<TicketId>();
}

template <class Db>
Result<std::vector<Event>> SqlStore<Db>::list_events(std::int64_t after_seq, int limit) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare("SELECT seq, id, type, ticket_id, at, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?");
  if (!st) return st.error();
  st->bind(1, after_seq).bind(2, static_cast<std::int64_t>(limit));
  return read_all<Event>(*st, read_event);
}

template <class Db>
Result<std::int64_t> SqlStore<Db>::last_event_seq() { return max_of("seq", "events"); }

template <class Db>
Result<std::vector<Webhook>> SqlStore<Db>::list_webhooks() {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare("SELECT id, url, secret, events, description, active, created_at FROM webhooks ORDER BY id");
  if (!st) return st.error();
  return read_all<Webhook>(*st, read_webhook);
}

template <class Db>
Result<std::vector<Delivery>> SqlStore<Db>::due_deliveries(Time now, int limit) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kDeliveryColumns +
                          " FROM deliveries WHERE state = 'pending' AND next_attempt_at <= ? "
                          "ORDER BY next_attempt_at, id LIMIT ?");
  if (!st) return st.error();
  st->bind(1, to_millis(now)).bind(2, static_cast<std::int64_t>(limit));
  return read_all<Delivery>(*st, read_delivery);
}

template <class Db>
Result<std::vector<Delivery>> SqlStore<Db>::list_deliveries(const DeliveryQuery& q) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kDeliveryColumns +
                          " FROM deliveries WHERE id > ?1 AND (CAST(?2 AS TEXT) IS NULL OR state = ?2) "
                          "AND (CAST(?3 AS BIGINT) IS NULL OR webhook_id = ?3) AND (CAST(?4 AS BIGINT) IS NULL OR event_seq = ?4) "
                          "ORDER BY id LIMIT ?5");
  if (!st) return st.error();
  st->bind(1, q.after);
  if (q.state) st->bind(2, to_string(*q.state)); else st->bind_null(2);
  if (q.webhook) st->bind(3, q.webhook->value); else st->bind_null(3);
  st->bind(4, q.event_seq);
  st->bind(5, static_cast<std::int64_t>(q.limit));
  return read_all<Delivery>(*st, read_delivery);
}

template <class Db>
Result<std::optional<Delivery>> SqlStore<Db>::find_delivery(std::int64_t id) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(std::string("SELECT ") + kDeliveryColumns + " FROM deliveries WHERE id = ?");
  if (!st) return st.error();
  st->bind(1, id);
  return first_row<Delivery>(*st, read_delivery);
}

template <class Db>
Status SqlStore<Db>::scan_ticket_facts(Time from, Time to, ReportGroup group, FactRange range, unsigned fields,
                                      const std::function<void(const TicketFact&)>& visit) {
  auto c = reader();
  if (!c) return c.error();
  static const char* columns[] = {"''", "COALESCE(CAST(team_id AS TEXT), '')", "channel", "category", "priority",
                                  "COALESCE(CAST(assignee_id AS TEXT), '')"};
  // Every column read is in the tickets_report index (migration 11); only
  // the ones asked for are read.
  std::string sql = std::string("SELECT created_at, assigned_at, solved_at, ") + columns[static_cast<int>(group)];
  if (fields & kFactAssignee) sql += ", assignee_id";
  if (fields & kFactTeam) sql += ", team_id";
  if (fields & kFactCategory) sql += ", category";
  if (fields & kFactTallies) sql += ", first_response_at, tallies";
  if (fields & kFactGuess) sql += ", predicts, predicted, prediction_used";
  sql += range == FactRange::kCreated
             ? std::string(" FROM tickets") + Db::kReportIndex + " WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at"
             : std::string(" FROM tickets") + Db::kReportIndex + " WHERE created_at < ?2 AND (solved_at IS NULL OR solved_at >= ?1)"
               " ORDER BY created_at";
  auto st = (*c)->prepare(sql);
  if (!st) return st.error();
  st->bind(1, to_millis(from)).bind(2, to_millis(to));
  // One fact, refilled per row: its strings keep their buffers.
  TicketFact f;
  auto& s = *st;
  for (;;) {
    auto row = s.step();
    if (!row) {
      s.reset();
      return row.error();
    }
    if (!*row) break;
    f.created_at = from_millis(s.int64(0));
    f.assigned_at = opt_time(s.optional_int64(1));
    f.solved_at = opt_time(s.optional_int64(2));
    f.group.assign(s.text_view(3));
    int col = 4;
    if (fields & kFactAssignee) {
      f.assignee.reset();
      if (auto a = s.optional_int64(col)) f.assignee = AgentId{*a};
      ++col;
    }
    if (fields & kFactTeam) {
      f.team.reset();
      if (auto t = s.optional_int64(col)) f.team = TeamId{*t};
      ++col;
    }
    if (fields & kFactCategory) f.category.assign(s.text_view(col++));
    if (fields & kFactTallies) {
      f.first_response_at = opt_time(s.optional_int64(col++));
      unpack_tallies(s.int64(col++), f.sla, f.reassignments, f.declines, f.offer_timeouts, f.escalations);
    }
    if (fields & kFactGuess) {
      f.predicts.assign(s.text_view(col++));
      f.predicted.assign(s.text_view(col++));
      f.prediction_used = s.int64(col++) != 0;
    }
    visit(f);
  }
  s.reset();
  return Status::Ok();
}

template <class Db>
Result<std::vector<PresenceChange>> SqlStore<Db>::presence_history(Time from, Time to) {
  auto c = reader();
  if (!c) return c.error();
  auto read = [](const auto& s) {
    return PresenceChange{AgentId{s.int64(0)}, from_millis(s.int64(1)), enum_or(s.text(2), Presence::kOffline)};
  };
  // Each agent's last change before `from`.
  auto before = (*c)->prepare(
      "SELECT p.agent_id, p.at, p.presence FROM presence_log p JOIN (SELECT agent_id, MAX(at) AS at FROM presence_log "
      "WHERE at < ?1 GROUP BY agent_id) m ON p.agent_id = m.agent_id AND p.at = m.at ORDER BY p.agent_id");
  if (!before) return before.error();
  before->bind(1, to_millis(from));
  auto out = read_all<PresenceChange>(*before, read);
  if (!out) return out.error();
  auto within = (*c)->prepare(
      std::string("SELECT agent_id, at, presence FROM presence_log WHERE at >= ? AND at < ? ORDER BY at, ") +
      Db::kInsertOrder);
  if (!within) return within.error();
  within->bind(1, to_millis(from)).bind(2, to_millis(to));
  auto rest = read_all<PresenceChange>(*within, read);
  if (!rest) return rest.error();
  out->insert(out->end(), rest->begin(), rest->end());
  return out;
}

template <class Db>
Result<std::int64_t> SqlStore<Db>::count_deliveries(DeliveryState state) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare("SELECT COUNT(*) FROM deliveries WHERE state = ?");
  if (!st) return st.error();
  st->bind(1, to_string(state));
  auto row = read_all<std::int64_t>(*st, [](const auto& s) { return s.int64(0); });
  if (!row) return row.error();
  return row->empty() ? 0 : row->front();
}

template <class Db>
Status SqlStore<Db>::update_delivery(const Delivery& d) {
  std::lock_guard lock(writer_mu_);
  auto& c = *writer_;
  auto st = c.prepare(
      "UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, delivered_at = ?, last_error = ? "
      "WHERE id = ? RETURNING id");
  if (!st) return st.error();
  st->bind(1, to_string(d.state)).bind(2, d.attempts).bind(3, to_millis(d.next_attempt_at));
  st->bind(4, opt_millis(d.delivered_at)).bind(5, d.last_error).bind(6, d.id);
  auto rows = read_all<std::int64_t>(*st, [](const auto& s) { return s.int64(0); });
  if (!rows) return rows.error();
  if (rows->empty()) return Error::NotFound("delivery " + std::to_string(d.id));
  return Status::Ok();
}

template <class Db>
Result<std::optional<std::string>> SqlStore<Db>::find_setting(const std::string& key) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare("SELECT value FROM settings WHERE key = ?");
  if (!st) return st.error();
  st->bind(1, key);
  return first_row<std::string>(*st, [](const auto& s) { return s.text(0); });
}

template <class Db>
Result<Lease> SqlStore<Db>::take_lease(const std::string& partition, const std::string& owner, const std::string& address,
                                       Time now, Duration ttl) {
  std::lock_guard lock(writer_mu_);
  auto& c = *writer_;
  // One statement: the conflict's row lock (PostgreSQL) or the write lock
  // (SQLite) makes racing nodes take turns, and only one of them wins.
  auto take = c.prepare(
      "INSERT INTO leases (partition, owner, address, epoch, expires_at) VALUES (?1, ?2, ?3, 1, ?5) "
      "ON CONFLICT (partition) DO UPDATE SET "
      "epoch = CASE WHEN leases.owner = excluded.owner THEN leases.epoch ELSE leases.epoch + 1 END, "
      "owner = excluded.owner, address = excluded.address, expires_at = excluded.expires_at "
      "WHERE leases.owner = excluded.owner OR leases.expires_at <= ?4");
  if (!take) return take.error();
  take->bind(1, partition).bind(2, owner).bind(3, address).bind(4, to_millis(now)).bind(5, to_millis(now + ttl));
  if (auto s = take->run(); !s) return s.error();
  auto st = c.prepare("SELECT partition, owner, address, epoch, expires_at FROM leases WHERE partition = ?");
  if (!st) return st.error();
  st->bind(1, partition);
  auto lease = first_row<Lease>(*st, [](const auto& s) {
    return Lease{s.text(0), s.text(1), s.text(2), s.int64(3), from_millis(s.int64(4))};
  });
  if (!lease) return lease.error();
  if (!*lease) return Error::Unavailable("lease '" + partition + "' vanished");
  return **lease;
}

}  // namespace sb
