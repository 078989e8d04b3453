#pragma once
// Rows of the ticket, agent, team, decision, token, audit, message and
// receipt tables: how each record is written and read, for SqlStore<Db>
// (sql_store_impl.h). Templates over the connection; header-only, included
// only by sql_store_impl.h (and so by one .cc per backend).
#include <cmath>
#include <nlohmann/json.hpp>

#include "db/sql/sql_store.h"
#include "json/json_codec.h"

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
    "first_response_at, tallies, predicts, predicted, prediction_used, version, due_at, organization_id, customer, source";

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
    t.requester.tier = s.text(6);
    if (t.requester.tier.empty()) t.requester.tier = "standard";
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
    if (auto o = s.optional_int64(34)) t.requester.organization = OrganizationId{*o};
    if (const std::string customer = s.text(35); !customer.empty()) {
      ticket_customer_from_json(json::parse(customer, nullptr, false), t);
    }
    t.source = s.text(36);
    return t;
  }
};
inline constexpr ReadTicket read_ticket;

// An upsert on id of `table`'s `columns` (the first is id), `count` of them.
std::string upsert_sql(const char* table, const std::string& columns, int count) {
  std::string set, marks;
  std::size_t pos = 0;
  while (pos < columns.size()) {
    std::size_t end = std::min(columns.find(',', pos), columns.size());
    std::string col = columns.substr(pos, end - pos);
    col.erase(0, col.find_first_not_of(' '));
    if (col != "id") set += (set.empty() ? "" : ", ") + col + " = excluded." + col;
    pos = end + 1;
  }
  for (int i = 0; i < count; ++i) marks += i ? ",?" : "?";
  return std::string("INSERT INTO ") + table + " (" + columns + ") VALUES (" + marks + ") ON CONFLICT (id) DO UPDATE SET " + set;
}

template <class Conn>
Status write_ticket(Conn& c, const Ticket& t) {
  // An upsert on id (not INSERT OR REPLACE, which would delete another
  // ticket holding the same external_id instead of failing).
  static const std::string sql = upsert_sql("tickets", kTicketColumns, 37);
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
      .bind(7, t.requester.tier)
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
      .bind(33, t.version)
      .bind(34, opt_millis(next_due(t)));
  std::optional<std::int64_t> organization;
  if (t.requester.organization) organization = t.requester.organization->value;
  const json customer = ticket_customer_to_json(t);
  st->bind(35, organization).bind(36, customer.empty() ? std::string() : customer.dump()).bind(37, t.source);
  if (auto s = st->run(); !s) {
    if (s.error().code == "constraint" && t.external_id) {
      return Error::Conflict("duplicate_external_id",
                             "a ticket with external_id '" + *t.external_id + "' exists" +
                                 (t.source.empty() ? std::string() : " in " + t.source),
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
Status write_correction(Conn& c, const Correction& k) {
  auto st = c.prepare(
      "INSERT INTO corrections (ticket_id, at, field, from_value, to_value, label, guess, confidence, source, actor, "
      "subject, body, waited_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!st) return st.error();
  st->bind(1, k.ticket.value).bind(2, to_millis(k.at)).bind(3, k.field).bind(4, k.from).bind(5, k.to);
  st->bind(6, k.label).bind(7, k.guess).bind(8, static_cast<std::int64_t>(std::llround(k.confidence * 1e6))).bind(9, k.source).bind(10, k.by);
  st->bind(11, k.subject).bind(12, k.body).bind(13, static_cast<std::int64_t>(k.waited.count()));
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
  if (auto s = st->run(); !s) return s;
  for (std::size_t i = 0; i < m.attachments.size(); ++i) {
    if (m.attachments[i].content.empty()) continue;
    auto content = c.prepare("INSERT INTO attachment_content (message_id, idx, content) VALUES (?,?,?)");
    if (!content) return content.error();
    content->bind(1, m.id).bind(2, static_cast<std::int64_t>(i)).bind_blob(3, m.attachments[i].content);
    if (auto s = content->run(); !s) return s;
  }
  return Status::Ok();
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

}  // namespace
}  // namespace sb
