#include "json/json_mapping.h"

#include "json/json_fields.h"

#include <algorithm>
#include <set>

#include "routing/policy.h"
#include "json/json_codec.h"

namespace sb::http {

using detail::Fields;
using detail::kMaxText;
using detail::kMaxBody;

namespace {

json optional_time(const std::optional<Time>& t) {
  return t ? json(format_time(*t)) : json(nullptr);
}

// The requester and the records intake matched (docs/customers.md).
json requester_json(const Ticket& t) {
  const Requester& r = t.requester;
  return json{{"email", r.email},
              {"name", r.name},
              {"tier", r.tier},
              {"customer_id", r.customer ? json(r.customer->value) : json(nullptr)},
              {"organization_id", r.organization ? json(r.organization->value) : json(nullptr)},
              {"matched", r.matched}};
}

json channel_counts(const ChannelCounts& counts) {
  json j = json::object();
  for (std::size_t c = 0; c < counts.size(); ++c) j[std::string(to_string(static_cast<Channel>(c)))] = counts[c];
  return j;
}

}  // namespace

Result<TicketInput> parse_ticket_create(const json& body, const TeamResolver& teams) {
  Fields f(body);
  TicketInput in;
  Ticket& t = in.ticket;
  if (auto c = f.enumeration<Channel>("channel")) t.channel = *c;
  if (!f.has("subject") && !f.error()) return Error::Missing("subject");
  if (auto s = f.string("subject")) t.subject = *s;
  if (auto s = f.string("body", kMaxBody)) t.body = *s;
  if (f.has("requester") && !f.error()) {
    Fields r(body.at("requester"), "requester");
    if (auto s = r.string("email")) t.requester.email = *s;
    if (auto s = r.string("name")) t.requester.name = *s;
    if (auto tier = r.string("tier", 32)) {
      // Whether it is one of the configured tiers is intake's to say.
      if (!valid_tier_name(*tier)) {
        r.fail(Error::Invalid("requester.tier", "'requester.tier' must be a tier's name (a-z, 0-9, '_', '-')"));
      } else {
        t.requester.tier = *tier;
        in.tier_given = true;
      }
    }
    if (auto s = r.finish(); !s) f.fail(s.error());
  }
  if (auto p = f.enumeration<Priority>("priority")) {
    t.priority = *p;
    in.explicit_priority = *p;
  }
  in.urgency = f.enumeration<triage::Level>("urgency");
  in.impact = f.enumeration<triage::Level>("impact");
  if (auto s = f.string("category", 200)) t.category = *s;
  if (f.has("team") && !f.is_null("team") && !f.error()) {
    t.team = f.team(body.at("team"), "team", teams);
    if (body.at("team").is_string()) in.team_name = body.at("team").get<std::string>();
  }
  if (auto s = f.skills("required_skills")) t.required_skills = *s;
  if (auto s = f.skills("optional_skills")) t.optional_skills = *s;
  if (auto s = f.strings("tags")) t.tags = *s;
  if (auto s = f.string("external_id", 200)) {
    if (s->empty()) return Error::Invalid("external_id", "'external_id' must not be empty");
    t.external_id = *s;
  }
  if (auto a = f.attributes("fields")) t.fields = std::move(*a);  // checked against the declarations by intake
  if (f.has("history") && !f.error()) {
    // Another system's ticket as it was there (docs/connectors.md): its own
    // creation time and status, and who held it.
    Fields h(body.at("history"), "history");
    if (!h.has("created_at") && !h.error()) h.fail(Error::Missing("history.created_at"));
    if (auto s = h.string("created_at", 40)) {
      in.original_created_at = parse_time(*s);
      if (!in.original_created_at) {
        h.fail(Error::Invalid("history.created_at", "'history.created_at' must be a time like 2026-01-31T09:30:00Z"));
      }
    }
    in.original_status = h.enumeration<TicketStatus>("status");
    if (!in.original_status && !h.error()) in.original_status = TicketStatus::kSolved;
    if (auto a = h.integer("assignee_id", 1, INT64_MAX)) t.assignee = AgentId{*a};
    if (auto s = h.finish(); !s) f.fail(s.error());
  }
  if (auto s = f.finish(); !s) return s.error();
  if (auto s = validate(t); !s) return s.error();
  return in;
}

Result<TicketPatch> parse_ticket_patch(const json& body, const TeamResolver& teams) {
  Fields f(body);
  TicketPatch p;
  p.status = f.enumeration<TicketStatus>("status");
  p.priority = f.enumeration<Priority>("priority");
  if (f.has("team") && !f.error()) {
    if (f.is_null("team")) {
      p.team = std::optional<TeamId>();
    } else if (auto t = f.team(body.at("team"), "team", teams)) {
      p.team = t;
    }
  }
  if (f.has("assignee_id") && !f.error()) {
    if (f.is_null("assignee_id")) {
      p.assignee = std::optional<AgentId>();
    } else if (auto a = f.integer("assignee_id", 1, INT64_MAX)) {
      p.assignee = std::optional<AgentId>(AgentId{*a});
    }
  }
  p.tags = f.strings("tags");
  p.category = f.string("category", 200);
  if (auto a = f.attributes("fields", &p.removed_fields)) p.fields = std::move(*a);  // checked by the API
  if (auto s = f.finish(); !s) return s.error();
  return p;
}

Result<Agent> parse_agent_create(const json& body, const TeamResolver& teams) {
  Fields f(body);
  Agent a;
  if (!f.has("name") && !f.error()) return Error::Missing("name");
  if (auto s = f.string("name")) a.name = *s;
  if (auto s = f.string("email")) a.email = *s;
  if (auto s = f.skills("skills")) a.skills = *s;
  if (auto t = f.teams("teams", teams)) a.teams = *t;
  std::array<std::optional<int>, enum_count<Channel>()> capacity;
  f.capacity("capacity", capacity);
  for (std::size_t c = 0; c < capacity.size(); ++c) {
    if (capacity[c]) a.capacity[c] = *capacity[c];
  }
  if (auto p = f.enumeration<Presence>("presence")) a.presence = *p;
  if (auto s = f.finish(); !s) return s.error();
  if (auto s = validate(a); !s) return s.error();
  return a;
}

Result<AgentPatch> parse_agent_patch(const json& body, const TeamResolver& teams) {
  Fields f(body);
  AgentPatch p;
  p.name = f.string("name");
  p.email = f.string("email");
  p.skills = f.skills("skills");
  p.teams = f.teams("teams", teams);
  f.capacity("capacity", p.capacity);
  p.presence = f.enumeration<Presence>("presence");
  if (auto s = f.finish(); !s) return s.error();
  return p;
}

Result<TeamRouting> parse_routing(const json& routing, TeamRouting r, const TeamResolver& teams) {
  Fields f(routing, "routing");
  if (auto p = f.string("policy", 64)) r.policy = *p;
  if (auto p = f.string("fallback_policy", 64)) r.fallback_policy = *p;
  if (auto d = f.seconds("sticky_wait_seconds", 0, 86400)) r.sticky_wait = *d;
  if (auto m = f.enumeration<LoadMeasure>("load_measure")) r.load_measure = *m;
  if (auto d = f.seconds("aging_step_seconds", 0, 30 * 86400)) r.aging_step = *d;
  if (auto o = f.enumeration<QueueOrder>("queue_order")) r.queue_order = *o;
  if (auto d = f.seconds("offer_timeout_seconds", 1, 3600)) r.offer_timeout = *d;
  if (auto n = f.integer("max_missed_offers", 1, 100)) r.max_missed_offers = static_cast<int>(*n);
  if (auto b = f.boolean("agents_move_tickets")) r.agents_move_tickets = *b;
  if (f.has("offer_mode") && !f.error()) {
    const json& modes = f.at("offer_mode");
    Fields m(modes, "routing.offer_mode");
    if (modes.is_object()) {
      for (const auto& [channel, mode] : modes.items()) {
        auto c = parse_enum<Channel>(channel, "routing.offer_mode." + channel);
        if (!c) {
          f.fail(c.error());
          break;
        }
        if (auto v = m.enumeration<OfferMode>(channel)) r.offer_mode[static_cast<std::size_t>(*c)] = *v;
      }
    }
    if (auto e = m.error()) f.fail(*e);
  }
  if (f.has("relaxation") && !f.error()) {
    const json& steps = f.at("relaxation");
    if (!steps.is_array()) {
      f.fail(Error::Invalid("routing.relaxation", "'routing.relaxation' must be an array of steps"));
    } else {
      r.relaxation.clear();
      for (std::size_t i = 0; i < steps.size() && !f.error(); ++i) {
        Fields step(steps[i], "routing.relaxation[" + std::to_string(i) + "]");
        RelaxStep out;
        if (!step.has("after_seconds") && !step.error()) step.fail(Error::Missing(step.field("after_seconds")));
        if (auto d = step.seconds("after_seconds", 0, 30 * 86400)) out.after = *d;
        if (!step.has("action") && !step.error()) step.fail(Error::Missing(step.field("action")));
        if (auto a = step.enumeration<RelaxAction>("action")) out.action = *a;
        if (auto by = step.integer("by", 1, 4)) out.by = static_cast<int>(*by);
        if (step.has("team") && !step.error()) out.team = step.team(steps[i].at("team"), step.field("team"), teams);
        if (out.action == RelaxAction::kOverflow && !out.team && !step.error()) {
          step.fail(Error::Missing(step.field("team")));
        }
        if (auto s = step.finish(); !s) f.fail(s.error());
        r.relaxation.push_back(out);
      }
    }
  }
  if (auto s = f.finish(); !s) return s.error();
  if (auto p = make_policy(r); !p) return p.error();
  return r;
}

Result<Team> parse_team_create(const json& body, const TeamResolver& teams) {
  Fields f(body);
  Team t;
  if (!f.has("name") && !f.error()) return Error::Missing("name");
  if (auto s = f.string("name", 200)) t.name = *s;
  if (f.has("routing") && !f.error()) {
    auto r = parse_routing(body.at("routing"), t.routing, teams);
    if (!r) return r.error();
    t.routing = std::move(*r);
  }
  if (auto s = f.finish(); !s) return s.error();
  if (auto s = validate(t); !s) return s.error();
  return t;
}

Result<TeamPatch> parse_team_patch(const json& body, const TeamRouting& current, const TeamResolver& teams) {
  Fields f(body);
  TeamPatch p;
  p.name = f.string("name", 200);
  if (f.has("routing") && !f.error()) {
    auto r = parse_routing(body.at("routing"), current, teams);
    if (!r) return r.error();
    p.routing = std::move(*r);
  }
  if (auto s = f.finish(); !s) return s.error();
  return p;
}

Result<Presence> parse_presence(const json& body) {
  Fields f(body);
  if (!f.has("presence") && !f.error()) return Error::Missing("presence");
  auto p = f.enumeration<Presence>("presence");
  if (auto s = f.finish(); !s) return s.error();
  return *p;
}

namespace {

std::optional<std::vector<EventType>> event_types(Fields& f, const std::string& key) {
  auto names = f.strings(key);
  if (!names) return std::nullopt;
  std::vector<EventType> out;
  for (const std::string& n : *names) {
    auto e = parse_enum<EventType>(n, f.field(key));
    if (!e) return f.fail(e.error());
    if (std::find(out.begin(), out.end(), *e) == out.end()) out.push_back(*e);
  }
  return out;
}


}  // namespace

Result<Webhook> parse_webhook_create(const json& body) {
  Fields f(body);
  if (!f.has("url") && !f.error()) return Error::Missing("url");
  Webhook w;
  if (auto url = f.string("url", 2048)) w.url = *url;
  if (auto events = event_types(f, "events")) w.events = *events;
  if (auto d = f.string("description", 1000)) w.description = *d;
  if (auto a = f.boolean("active")) w.active = *a;
  if (auto s = f.finish(); !s) return s.error();
  return w;
}

Result<WebhookPatch> parse_webhook_patch(const json& body) {
  Fields f(body);
  WebhookPatch p;
  p.url = f.string("url", 2048);
  p.events = event_types(f, "events");
  p.description = f.string("description", 1000);
  p.active = f.boolean("active");
  if (auto s = f.finish(); !s) return s.error();
  return p;
}

Result<CommentInput> parse_comment_create(const json& body) {
  Fields f(body);
  CommentInput in;
  if (!f.has("body") && !f.error()) return Error::Missing("body");
  if (auto text = f.string("body", kMaxBody)) in.message.body = *text;
  if (!f.error() && in.message.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Error::Invalid("body", "'body' must not be empty");
  }
  if (auto p = f.boolean("public")) in.is_public = *p;
  std::string type = "agent";
  if (f.has("author") && !f.error()) {
    in.author_given = true;
    Fields a(f.at("author"), "author");
    if (!a.has("type") && !a.error()) return Error::Missing("author.type");
    if (auto t = a.string("type", 20)) type = *t;
    if (type != "customer" && type != "agent") return Error::Invalid("author.type", "'author.type' must be customer or agent");
    if (auto id = a.integer("agent_id", 1, INT64_MAX)) in.message.agent = AgentId{*id};
    if (auto n = a.string("name")) in.message.author_name = *n;
    if (auto e = a.string("email")) in.message.author_email = *e;
    if (auto s = a.finish(); !s) return s.error();
    if (type == "agent" && !in.message.agent) return Error::Missing("author.agent_id");
    if (type == "customer" && in.message.agent) {
      return Error::Invalid("author.agent_id", "a customer message has no agent_id");
    }
  }
  if (type == "customer" && !in.is_public) return Error::Invalid("public", "customer messages are always public");
  in.message.kind = type == "customer" ? MessageKind::kCustomer : in.is_public ? MessageKind::kReply : MessageKind::kNote;
  if (f.has("attachments") && !f.error()) {
    const json& list = f.at("attachments");
    if (!list.is_array() || list.size() > 100) {
      return Error::Invalid("attachments", "'attachments' must be a list of at most 100 {name, content_type, size}");
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      Fields a(list[i], "attachments[" + std::to_string(i) + "]");
      Attachment att;
      if (!a.has("name") && !a.error()) return Error::Missing("attachments[" + std::to_string(i) + "].name");
      if (auto n = a.string("name", 255)) att.name = *n;
      if (auto c = a.string("content_type", 255)) att.content_type = *c;
      if (auto z = a.integer("size", 0, INT64_MAX)) att.size = *z;
      // A file's bytes, base64: decoded and measured by the API (api_tickets.cc).
      if (auto b = a.string("content_base64", kMaxBody)) att.content = *b;
      if (auto s = a.finish(); !s) return s.error();
      in.message.attachments.push_back(std::move(att));
    }
  }
  in.status = f.enumeration<TicketStatus>("status");
  if (auto s = f.finish(); !s) return s.error();
  return in;
}

json ticket_summary(const TicketView& v) {
  const Ticket& t = v.ticket;
  json j{{"id", t.id.value},
         {"subject", t.subject},
         {"channel", to_string(t.channel)},
         {"status", to_string(t.status)},
         {"priority", to_string(t.priority)},
         {"category", t.category},
         {"team", t.team ? json(t.team->value) : json(nullptr)},
         {"tags", t.tags},
         {"assignee_id", t.assignee ? json(t.assignee->value) : json(nullptr)},
         {"assignee_name", v.assignee_name ? json(*v.assignee_name) : json(nullptr)},
         {"requester", requester_json(t)},
         {"created_at", format_time(t.created_at)},
         {"updated_at", format_time(t.updated_at)},
         {"queue_position", v.queue_position ? json(*v.queue_position) : json(nullptr)}};
  if (v.expected_wait) {
    j["expected_wait_seconds"] = v.expected_wait->seconds ? json(*v.expected_wait->seconds) : json(nullptr);
    j["expected_wait_method"] = v.expected_wait->method;
  }
  if (t.sla) {
    json sla{{"policy", t.sla->policy}};
    for (std::size_t i = 0; i < SlaState::kClockNames.size(); ++i) {
      const auto& c = *t.sla->clocks()[i];
      sla[SlaState::kClockNames[i]] =
          c ? json{{"due", optional_time(c->due)}, {"breached", c->breached}, {"met", c->met}} : json(nullptr);
    }
    j["sla"] = std::move(sla);
  } else {
    j["sla"] = nullptr;
  }
  return j;
}

json to_json(const Message& m) {
  json attachments = json::array();
  for (const Attachment& a : m.attachments) {
    attachments.push_back({{"name", a.name}, {"content_type", a.content_type}, {"size", a.size}});
  }
  return json{{"id", m.id},
              {"ticket_id", m.ticket.value},
              {"kind", to_string(m.kind)},
              {"public", m.kind != MessageKind::kNote},
              {"author", {{"type", m.kind == MessageKind::kCustomer ? "customer" : "agent"},
                          {"agent_id", m.agent ? json(m.agent->value) : json(nullptr)},
                          {"name", m.author_name},
                          {"email", m.author_email}}},
              {"body", m.body},
              {"attachments", std::move(attachments)},
              {"message_id", m.message_id.empty() ? json(nullptr) : json(m.message_id)},
              {"created_at", format_time(m.at)}};
}

json to_json(const Webhook& w, bool with_secret) {
  json events = json::array();
  for (EventType e : w.events) events.push_back(to_string(e));
  json j{{"id", w.id.value},         {"url", w.url},       {"events", std::move(events)},
         {"description", w.description}, {"active", w.active}, {"created_at", format_time(w.created_at)}};
  if (with_secret) j["secret"] = w.secret;
  return j;
}

json to_json(const Delivery& d) {
  return json{{"id", d.id},
              {"kind", to_string(d.kind)},
              {"event_sequence", d.event_seq},
              {"webhook_id", d.webhook ? json(d.webhook->value) : json(nullptr)},
              {"recipient", d.kind != DeliveryKind::kWebhook ? json(d.recipient) : json(nullptr)},
              {"message_id", d.message_id.empty() ? json(nullptr) : json(d.message_id)},
              {"state", to_string(d.state)},
              {"attempts", d.attempts},
              {"next_attempt_at", d.state == DeliveryState::kPending ? json(format_time(d.next_attempt_at)) : json(nullptr)},
              {"delivered_at", optional_time(d.delivered_at)},
              {"last_error", d.last_error.empty() ? json(nullptr) : json(d.last_error)},
              {"created_at", format_time(d.created_at)}};
}

namespace {
json team_ids(const std::vector<TeamId>& teams) {
  json out = json::array();
  for (TeamId t : teams) out.push_back(t.value);
  return out;
}
}  // namespace

Result<TokenRequest> parse_token_request(const json& body, const TeamResolver& teams) {
  Fields f(body);
  TokenRequest out;
  if (auto role = f.enumeration<Role>("role")) out.role = *role;
  if (auto e = f.error()) return *e;
  if (out.role == Role::kAdmin) {
    return Error::Invalid("role", "there is one admin token, given to the server; make agent, supervisor or viewer tokens");
  }
  if (out.role == Role::kAgent && !f.has("agent_id")) return Error::Missing("agent_id");
  if (out.role != Role::kAgent && f.has("agent_id")) {
    return Error::Invalid("agent_id", "a " + std::string(to_string(out.role)) + " token belongs to no agent");
  }
  if (out.role == Role::kSupervisor && !f.has("teams")) return Error::Missing("teams");
  if (out.role != Role::kSupervisor && f.has("teams")) return Error::Invalid("teams", "only a supervisor token has teams");
  if (auto id = f.integer("agent_id", 1, INT64_MAX)) out.agent = AgentId{*id};
  if (auto t = f.teams("teams", teams)) out.teams = *t;
  if (out.role == Role::kSupervisor && out.teams.empty() && !f.error()) {
    return Error::Invalid("teams", "a supervisor token has at least one team");
  }
  out.expires_in_seconds = f.integer("expires_in_seconds", 1, 10LL * 365 * 86400);
  if (auto s = f.finish(); !s) return s.error();
  return out;
}

json to_json(const TokenRecord& t) {
  auto time_or_null = [](const std::optional<Time>& v) { return v ? json(format_time(*v)) : json(nullptr); };
  return json{{"id", t.id()},
              {"role", to_string(t.role)},
              {"agent_id", t.agent ? json(t.agent->value) : json(nullptr)},
              {"teams", team_ids(t.teams)},
              {"created_at", format_time(t.created_at)},
              {"expires_at", time_or_null(t.expires_at)},
              {"revoked_at", time_or_null(t.revoked_at)}};
}

json to_json(const AuditEntry& a) {
  json detail = json::parse(a.detail, nullptr, false);
  if (detail.is_discarded()) detail = a.detail;
  return json{{"id", a.id},       {"at", format_time(a.at)}, {"actor", a.actor}, {"action", a.action},
              {"target", a.target}, {"detail", detail},      {"status", a.status}};
}

json to_json(const TicketView& v) {
  const Ticket& t = v.ticket;
  json j{{"id", t.id.value},
         {"channel", to_string(t.channel)},
         {"subject", t.subject},
         {"body", t.body},
         {"requester", requester_json(t)},
         {"fields", attributes_to_json(t.fields)},
         {"account_owner_id", t.account_owner ? json(t.account_owner->value) : json(nullptr)},
         {"status", to_string(t.status)},
         {"priority", to_string(t.priority)},
         {"category", t.category},
         {"team", t.team ? json(t.team->value) : json(nullptr)},
         {"required_skills", t.required_skills},
         {"optional_skills", t.optional_skills},
         {"tags", t.tags},
         {"assignee_id", t.assignee ? json(t.assignee->value) : json(nullptr)},
         {"assignee_name", v.assignee_name ? json(*v.assignee_name) : json(nullptr)},
         {"external_id", t.external_id ? json(*t.external_id) : json(nullptr)},
         {"source", t.source.empty() ? json(nullptr) : json(t.source)},
         {"created_at", format_time(t.created_at)},
         {"updated_at", format_time(t.updated_at)},
         {"assigned_at", optional_time(t.assigned_at)},
         {"solved_at", optional_time(t.solved_at)},
         {"queue_position", v.queue_position ? json(*v.queue_position) : json(nullptr)},
         {"queued_at", optional_time(t.queued_at)},
         {"offer_expires_at", optional_time(t.offer_expires_at)},
         {"accepted_at", optional_time(t.accepted_at)}};
  json declined = json::array();
  for (AgentId a : t.declined_by) declined.push_back(a.value);
  j["declined_by"] = std::move(declined);
  j["triage"] = t.triage ? triage_to_json(*t.triage) : json(nullptr);
  if (t.sla) {
    json sla = sla_to_json(*t.sla);
    for (const char* clock : SlaState::kClockNames) {
      if (sla[clock].is_object()) {
        sla[clock].erase("consumed_ms");
        sla[clock].erase("running_since_ms");
        sla[clock].erase("due_ms");
      }
    }
    auto left = [](const std::optional<Duration>& d) { return d ? json(d->count() / 1000.0) : json(nullptr); };
    if (sla["first_response"].is_object()) sla["first_response"]["remaining_seconds"] = left(v.first_response_left);
    if (sla["resolution"].is_object()) sla["resolution"]["remaining_seconds"] = left(v.resolution_left);
    if (sla["next_reply"].is_object()) sla["next_reply"]["remaining_seconds"] = left(v.next_reply_left);
    j["sla"] = std::move(sla);
  } else {
    j["sla"] = nullptr;
  }
  if (v.expected_wait) {
    j["expected_wait_seconds"] = v.expected_wait->seconds ? json(*v.expected_wait->seconds) : json(nullptr);
    j["expected_wait_method"] = v.expected_wait->method;
  }
  if (t.routing) {
    const RoutingExplanation& r = *t.routing;
    j["routing"] = {{"policy", r.policy},   {"agent_id", r.agent.value}, {"proficiency", r.proficiency},
                    {"load", r.load},       {"capacity", r.capacity},    {"candidates_compared", r.candidates},
                    {"summary", r.summary}, {"at", format_time(r.at)}};
  } else {
    j["routing"] = nullptr;
  }
  return j;
}

json to_json(const AgentView& v) {
  const Agent& a = v.agent;
  return {{"id", a.id.value},
          {"name", a.name},
          {"email", a.email},
          {"skills", a.skills},
          {"teams", team_ids(a.teams)},
          {"capacity", channel_counts(a.capacity)},
          {"load", channel_counts(v.load)},
          {"presence", to_string(a.presence)},
          {"last_assigned_at", optional_time(v.last_assigned)},
          {"created_at", format_time(a.created_at)},
          {"updated_at", format_time(a.updated_at)}};
}

json to_json(const Team& t) {
  return {{"id", t.id.value}, {"name", t.name}, {"created_at", format_time(t.created_at)},
          {"routing", routing_to_json(t.routing)}};
}

json to_json(const Decision& d) {
  json j = decision_to_json(d);
  j.erase("at_ms");
  return j;
}

json to_json(const QueueStats& q) {
  return {{"team", q.team.value},
          {"name", q.name},
          {"policy", q.policy},
          {"waiting", q.waiting},
          {"oldest_wait_seconds", q.oldest_wait ? json(q.oldest_wait->count() / 1000.0) : json(nullptr)},
          {"agents_online", q.agents_online},
          {"arrivals_per_hour", q.arrivals_per_hour},
          {"handle_seconds", q.handle_seconds ? json(*q.handle_seconds) : json(nullptr)},
          {"patience_seconds", q.patience_seconds ? json(*q.patience_seconds) : json(nullptr)},
          {"expected_wait_seconds", q.new_arrival.seconds ? json(*q.new_arrival.seconds) : json(nullptr)},
          {"expected_wait_method", q.new_arrival.method}};
}

}  // namespace sb::http
