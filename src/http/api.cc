#include "http/api.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <exception>
#include <sstream>
#include <stdexcept>

#include "http/api_helpers.h"
#include "http/auth.h"
#include "http/metrics.h"
#include "http/json_mapping.h"
#include "http/sla_json.h"
#include "store/json_codec.h"

namespace sb::http {

using namespace detail;

int http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kMalformed: return 400;
    case ErrorKind::kUnauthenticated: return 401;
    case ErrorKind::kPermissionDenied: return 403;
    case ErrorKind::kNotFound: return 404;
    case ErrorKind::kMethodNotAllowed: return 405;
    case ErrorKind::kConflict: return 409;
    case ErrorKind::kPreconditionFailed: return 412;
    case ErrorKind::kTooLarge: return 413;
    case ErrorKind::kTooManyRequests: return 429;
    case ErrorKind::kInvalidArgument: return 422;
    case ErrorKind::kUnavailable: return 503;
    case ErrorKind::kInternal: return 500;
  }
  return 500;
}

Response error_response(const Error& e) {
  json err{{"code", e.code}, {"message", e.message}};
  err["field"] = e.field.empty() ? json(nullptr) : json(e.field);
  Response r{http_status(e.kind), json{{"error", err}}, {}};
  if (e.kind == ErrorKind::kUnavailable) r.headers.emplace_back("Retry-After", "1");
  return r;
}

Api::Api(Service& service, std::string admin_token_hash, TriageGate* triage, notify::Outbox* outbox)
    : service_(service),
      admin_hash_(std::move(admin_token_hash)),
      triage_(triage ? triage : &default_triage_),
      outbox_(outbox),
      router_({
          // The whole API, in one table.
          {"GET", "/healthz", Access::kPublic, [this](Request& r) { return healthz(r); }},
          {"GET", "/", Access::kPublic, [this](Request& r) { return dashboard(r); }},
          {"GET", "/assets/{file}", Access::kPublic, [this](Request& r) { return asset(r); }},
          {"GET", "/api/v1/me", Access::kAnyToken, [this](Request& r) { return me(r); }},
          {"GET", "/support", Access::kPublic, [this](Request& r) { return support_form(r); }},
          {"POST", "/support", Access::kPublic, [this](Request& r) { return support_submit(r); }},
          {"POST", "/api/v1/tickets", Access::kAdmin, [this](Request& r) { return create_ticket(r); }},
          {"GET", "/api/v1/tickets", Access::kAgent, [this](Request& r) { return list_tickets(r); }},
          {"GET", "/api/v1/tickets/{id}", Access::kAgent, [this](Request& r) { return get_ticket(r); }},
          {"PATCH", "/api/v1/tickets/{id}", Access::kAgent, [this](Request& r) { return update_ticket(r); }},
          {"POST", "/api/v1/tickets/{id}/accept", Access::kAgent, [this](Request& r) { return accept_ticket(r); }},
          {"POST", "/api/v1/tickets/{id}/decline", Access::kAgent, [this](Request& r) { return decline_ticket(r); }},
          {"GET", "/api/v1/tickets/{id}/routing", Access::kAgent, [this](Request& r) { return ticket_routing(r); }},
          {"POST", "/api/v1/tickets/{id}/comments", Access::kAgent, [this](Request& r) { return add_comment(r); }},
          {"GET", "/api/v1/tickets/{id}/comments", Access::kAgent, [this](Request& r) { return list_comments(r); }},
          {"POST", "/api/v1/agents", Access::kAdmin, [this](Request& r) { return create_agent(r); }, true},
          {"GET", "/api/v1/agents", Access::kSupervisor, [this](Request& r) { return list_agents(r); }},
          {"GET", "/api/v1/agents/{id}", Access::kAgent, [this](Request& r) { return get_agent(r); }},
          {"PATCH", "/api/v1/agents/{id}", Access::kSupervisor, [this](Request& r) { return update_agent(r); }, true},
          {"PUT", "/api/v1/agents/{id}/presence", Access::kAgent, [this](Request& r) { return set_presence(r); }},
          {"POST", "/api/v1/teams", Access::kAdmin, [this](Request& r) { return create_team(r); }, true},
          {"GET", "/api/v1/teams", Access::kSupervisor, [this](Request& r) { return list_teams(r); }},
          {"GET", "/api/v1/teams/{id}", Access::kSupervisor, [this](Request& r) { return get_team(r); }},
          {"PATCH", "/api/v1/teams/{id}", Access::kSupervisor, [this](Request& r) { return update_team(r); }, true},
          {"GET", "/api/v1/queues", Access::kSupervisor, [this](Request& r) { return list_queues(r); }},
          {"POST", "/api/v1/tokens", Access::kAdmin, [this](Request& r) { return create_token(r); }, true},
          {"GET", "/api/v1/tokens", Access::kAdmin, [this](Request& r) { return list_tokens(r); }},
          {"DELETE", "/api/v1/tokens/{id}", Access::kAdmin, [this](Request& r) { return revoke_token(r); }, true},
          {"GET", "/api/v1/audit", Access::kAdmin, [this](Request& r) { return audit_log(r); }},
          {"POST", "/api/v1/triage/preview", Access::kAdmin, [this](Request& r) { return triage_preview(r); }},
          {"POST", "/api/v1/rules/reload", Access::kAdmin, [this](Request& r) { return reload_rules(r); }, true},
          {"GET", "/api/v1/sla-policies", Access::kAdmin, [this](Request& r) { return list_sla_policies(r); }},
          {"PUT", "/api/v1/sla-policies", Access::kAdmin, [this](Request& r) { return replace_sla_policies(r); }, true},
          {"POST", "/api/v1/webhooks", Access::kAdmin, [this](Request& r) { return create_webhook(r); }, true},
          {"GET", "/api/v1/webhooks", Access::kAdmin, [this](Request& r) { return list_webhooks(r); }},
          {"GET", "/api/v1/webhooks/{id}", Access::kAdmin, [this](Request& r) { return get_webhook(r); }},
          {"PATCH", "/api/v1/webhooks/{id}", Access::kAdmin, [this](Request& r) { return update_webhook(r); }, true},
          {"DELETE", "/api/v1/webhooks/{id}", Access::kAdmin, [this](Request& r) { return delete_webhook(r); }, true},
          {"GET", "/api/v1/deliveries", Access::kAdmin, [this](Request& r) { return list_deliveries(r); }},
          {"POST", "/api/v1/deliveries/{id}/redeliver", Access::kAdmin, [this](Request& r) { return redeliver(r); }, true},
          {"GET", "/api/v1/events", Access::kAgent, [this](Request& r) { return event_stream(r); }},
          {"POST", "/api/v1/mail", Access::kAdmin, [this](Request& r) { return post_mail(r); }},
          {"GET", "/metrics", Access::kAdmin, [this](Request& r) { return prometheus(r); }},
          {"GET", "/api/v1/reports/{name}", Access::kViewer, [this](Request& r) { return report(r); }},
      }) {}

namespace {

// Which roles a route's access level lets in (docs/security.md): the reason
// for a 403, or null. What inside a route a caller may see (which tickets,
// agents, teams) is each handler's check.
const char* role_refused(Access access, Role role) {
  if (role == Role::kAdmin || access == Access::kAnyToken) return nullptr;
  switch (access) {
    case Access::kAdmin: return "this needs an admin token";
    case Access::kSupervisor:
      return role == Role::kSupervisor ? nullptr : "this needs an admin or supervisor token";
    case Access::kViewer:
      return role == Role::kSupervisor || role == Role::kViewer ? nullptr : "this needs an admin, supervisor or viewer token";
    case Access::kAgent: return role == Role::kViewer ? "a viewer token reads reports only" : nullptr;
    case Access::kPublic:
    case Access::kAnyToken: return nullptr;
  }
  return "forbidden";
}

}  // namespace

Result<Principal> Api::authenticate(const Request& r) {
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view token;
  if (r.authorization.size() > kBearer.size() && r.authorization.compare(0, kBearer.size(), kBearer) == 0) {
    token = std::string_view(r.authorization).substr(kBearer.size());
  } else if (auto q = r.query.find("access_token"); r.authorization.empty() && r.path == "/api/v1/events" &&
                                                      q != r.query.end() && !q->second.empty()) {
    token = q->second;  // browsers' EventSource cannot send headers
  } else {
    return Error::Unauthenticated("send 'Authorization: Bearer <token>'");
  }
  const std::string hash = hash_token(token);
  if (same_hash(hash, admin_hash_)) return Principal{Role::kAdmin, std::nullopt, hash, {}};
  auto found = service_.find_token(hash);
  if (!found) return found.error();
  if (!found->has_value()) return Error::Unauthenticated("unknown token");
  const TokenRecord& t = **found;
  const Time now = service_.clock()();
  if (t.revoked_at && *t.revoked_at <= now) return Error::Unauthenticated("this token was revoked");
  if (t.expires_at && *t.expires_at <= now) return Error::Unauthenticated("this token has expired");
  return Principal{t.role, t.agent, hash, t.teams};
}

void Api::set_limits(ApiLimits limits) {
  auto proxies = TrustedProxies::parse(limits.trusted_proxies);
  if (!proxies) throw std::invalid_argument(proxies.error().message);
  proxies_ = std::move(*proxies);
  limits_ = std::move(limits);
}

std::optional<Response> Api::over_limit(const std::string& caller, const RateLimit& limit) {
  int retry_after = 1;
  if (limiter_.take(caller, limit, &retry_after)) return std::nullopt;
  Response res = error_response(Error::RateLimited("too many requests; retry in " + std::to_string(retry_after) + " s"));
  res.headers.emplace_back("Retry-After", std::to_string(retry_after));
  return res;
}

Response Api::handle(Request& request) {
  const auto started = std::chrono::steady_clock::now();
  std::string route = "(no route)";
  Response res = dispatch(request, route);
  metrics_.record(request.method, route, res.status,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return res;
}

Response Api::dispatch(Request& request, std::string& route_pattern) {
  try {
    std::string allow;
    auto route = router_.match(request, &allow);
    if (route) route_pattern = (*route)->pattern;
    if (!route) {
      Response res = error_response(route.error());
      if (!allow.empty()) res.headers.emplace_back("Allow", allow);
      return res;
    }
    if ((*route)->access != Access::kPublic) {
      auto who = authenticate(request);
      if (!who) return error_response(who.error());
      request.principal = *who;
      if (auto limited = over_limit(request.principal.token_hash,
                                    request.principal.is_admin() ? limits_.admin : limits_.per_token)) {
        return *limited;
      }
      if (auto refused = role_refused((*route)->access, request.principal.role)) {
        return error_response(Error::Forbidden(refused));
      }
    } else if (request.method != "GET") {
      // Posts that need no token (the support form): per client address.
      const std::string client = proxies_.client(request.remote, request.forwarded_for);
      if (auto limited = over_limit("addr:" + client, limits_.public_posts)) return *limited;
    }
    Response res = request.method == "POST" && !request.idempotency_key.empty() && (*route)->access != Access::kPublic
                       ? idempotent(request, (*route)->handler)
                       : (*route)->handler(request);
    if ((*route)->audited && res.status < 400) audit(request, res);
    return res;
  } catch (const Fail& f) {
    return error_response(f.error);
  } catch (const std::exception& e) {
    return error_response(Error::Internal(std::string("unexpected: ") + e.what()));
  }
}

// Prometheus text exposition: requests and latencies by route, queues,
// agents by presence, events committed by type, the outbox backlog.
Response Api::prometheus(Request&) {
  std::ostringstream out;
  out << metrics_.exposition();
  out << "# HELP switchboard_queue_waiting Tickets waiting in a team's queue.\n# TYPE switchboard_queue_waiting gauge\n";
  const auto queues = service_.queues();
  for (const QueueStats& q : queues) {
    out << "switchboard_queue_waiting{team=\"" << prometheus_label(q.name) << "\"} " << q.waiting << "\n";
  }
  out << "# HELP switchboard_queue_oldest_wait_seconds How long the oldest waiting ticket has waited.\n"
         "# TYPE switchboard_queue_oldest_wait_seconds gauge\n";
  for (const QueueStats& q : queues) {
    out << "switchboard_queue_oldest_wait_seconds{team=\"" << prometheus_label(q.name) << "\"} "
        << (q.oldest_wait ? q.oldest_wait->count() / 1000.0 : 0.0) << "\n";
  }
  out << "# HELP switchboard_queue_agents_online Agents online in a team.\n# TYPE switchboard_queue_agents_online gauge\n";
  for (const QueueStats& q : queues) {
    out << "switchboard_queue_agents_online{team=\"" << prometheus_label(q.name) << "\"} " << q.agents_online << "\n";
  }
  std::array<int, enum_count<Presence>()> presence{};
  for (const AgentView& a : ok_or_throw(service_.list_agents())) ++presence[static_cast<std::size_t>(a.agent.presence)];
  out << "# HELP switchboard_agents Agents by presence.\n# TYPE switchboard_agents gauge\n";
  for (std::size_t i = 0; i < presence.size(); ++i) {
    out << "switchboard_agents{presence=\"" << to_string(static_cast<Presence>(i)) << "\"} " << presence[i] << "\n";
  }
  out << "# HELP switchboard_events_total Events committed since start, by type (assignments, SLA warnings and "
         "breaches, escalations, ...).\n# TYPE switchboard_events_total counter\n";
  const auto events = service_.event_counts();
  for (std::size_t i = 0; i < events.size(); ++i) {
    out << "switchboard_events_total{type=\"" << to_string(static_cast<EventType>(i)) << "\"} " << events[i] << "\n";
  }
  out << "# HELP switchboard_commands_shed_total Changes refused with 503 overloaded (too many in hand).\n"
         "# TYPE switchboard_commands_shed_total counter\n"
      << "switchboard_commands_shed_total " << service_.commands_shed() << "\n"
      << "# HELP switchboard_commands_in_flight Changes in hand now (waiting for the engine or their commit).\n"
         "# TYPE switchboard_commands_in_flight gauge\n"
      << "switchboard_commands_in_flight " << service_.commands_in_flight() << "\n";
  out << "# HELP switchboard_outbox_pending Webhook and e-mail deliveries waiting to be sent.\n"
         "# TYPE switchboard_outbox_pending gauge\n"
      << "switchboard_outbox_pending " << ok_or_throw(service_.store().count_deliveries(DeliveryState::kPending)) << "\n"
      << "# HELP switchboard_outbox_dead Deliveries given up on (redeliver them from the API).\n"
         "# TYPE switchboard_outbox_dead gauge\n"
      << "switchboard_outbox_dead " << ok_or_throw(service_.store().count_deliveries(DeliveryState::kDead)) << "\n";
  Response res{200, nullptr, {}};
  res.text = out.str();
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return res;
}

// Stripe's Idempotency-Key: the first answer to a key is kept for 24 hours
// and replayed for the same request; the same key on a different request is
// a 422; while the first is still running, a second gets 409.
Response Api::idempotent(Request& r, const std::function<Response(Request&)>& handler) {
  const std::string& key = r.idempotency_key;
  if (key.size() > 255 || std::any_of(key.begin(), key.end(), [](unsigned char c) { return c < 0x21 || c > 0x7e; })) {
    throw Fail{Error::Invalid("Idempotency-Key", "an Idempotency-Key is 1 to 255 printable characters")};
  }
  std::string query;
  for (const auto& [k, v] : r.query) query += k + "=" + v + "&";
  const std::string request = r.method + " " + r.path + "?" + query + " " + hash_token(r.body);
  const std::pair<std::string, std::string> slot{r.principal.token_hash, key};
  {
    std::lock_guard lock(idempotency_mu_);
    if (!idempotency_running_.insert(slot).second) {
      throw Fail{Error::Conflict("idempotency_key_in_use", "a request with this Idempotency-Key is still running",
                                 "Idempotency-Key")};
    }
  }
  struct Release {
    Api* api;
    std::pair<std::string, std::string> slot;
    ~Release() {
      std::lock_guard lock(api->idempotency_mu_);
      api->idempotency_running_.erase(slot);
    }
  } release{this, slot};
  const Time now = service_.clock()();
  const IdempotencyRecord pending{slot.first, key, request, 0, "", now};
  r.idempotency = &pending;
  auto seen = ok_or_throw(service_.store().find_idempotency(slot.first, key, now - std::chrono::hours(24)));
  if (seen) {
    if (seen->request != request) {
      throw Fail{Error::Invalid("Idempotency-Key", "this Idempotency-Key was used for a different request")};
    }
    Response replay{seen->status, json::parse(seen->response, nullptr, false), {{"Idempotent-Replayed", "true"}}};
    if (replay.body.is_discarded()) replay.body = nullptr;
    return replay;
  }
  Response res = handler(r);
  r.idempotency = nullptr;
  // (Also after a create that committed its record already: the final answer
  // may differ, when rules acted on the new ticket.)
  if (res.status < 500 && !res.stream) {
    WriteBatch b;
    b.idempotency.push_back({slot.first, key, request, res.status, res.body.is_null() ? "" : res.body.dump(), now});
    if (auto s = service_.store().commit(b); !s) spdlog::warn("Idempotency-Key not kept: {}", s.error().message);
    if (++idempotency_writes_ % 256 == 0) (void)service_.store().purge_idempotency(now - std::chrono::hours(24));
  }
  return res;
}

// ---- handlers ------------------------------------------------------------------

Response Api::healthz(Request&) {
  json body{{"status", "ok"}};
  if (node_status_) body["node"] = node_status_();
  return ok(body);
}

TeamResolver Api::resolve_team() {
  return [this](const std::string& name) { return service_.team_by_name(name); };
}

triage::TriageOutcome Api::triage_ticket(const TicketInput& in, const triage::TriageSettings& settings) {
  triage::TriageOutcome out = triage::run_triage(
      triage::TriageInput{in.ticket, in.team_name, in.explicit_priority, in.urgency, in.impact}, settings, system_now());
  if (out.team_name) {
    auto id = service_.team_by_name(*out.team_name);
    if (!id && *out.team_name != settings.triage_team) {
      // The label names no team here: a person decides.
      out.ticket.triage->sent_to_triage = true;
      out.ticket.triage->priority_reason += "; no team named '" + *out.team_name + "', sent to triage";
      out.team_name = settings.triage_team;
      id = service_.team_by_name(settings.triage_team);
    }
    out.ticket.team = id;
  }
  return out;
}

Response Api::create_ticket(Request& r) {
  const json body = parse_body(r);
  const TicketInput in = ok_or_throw(parse_ticket_create(body, resolve_team()));
  if (in.ticket.external_id) {
    // Checked first: a duplicate caught only at commit would cost an engine rebuild.
    if (auto existing = ok_or_throw(service_.store().find_ticket_by_external_id(*in.ticket.external_id))) {
      throw Fail{Error::Conflict("duplicate_external_id",
                                 "ticket " + std::to_string(existing->value) + " has external_id '" +
                                     *in.ticket.external_id + "'",
                                 "external_id")};
    }
  }
  Service::Answer answer;
  if (r.idempotency) {
    // The key's record commits with the ticket: a crash before the answer
    // reaches the client cannot let its retry make a second ticket.
    answer = [record = *r.idempotency](WriteBatch& b, const TicketView& v) {
      IdempotencyRecord committed = record;
      committed.status = 201;
      committed.response = to_json(v).dump(-1, ' ', false, json::error_handler_t::replace);
      b.idempotency.push_back(std::move(committed));
    };
  }
  return created(to_json(ok_or_throw(create_triaged(in, {}, answer))));
}

Result<TicketView> Api::create_triaged(const TicketInput& in, const Service::Attach& attach,
                                       const Service::Answer& answer) {
  const auto settings = triage_->settings();
  triage::TriageOutcome out = triage_ticket(in, *settings);
  auto created_view = service_.create_ticket(std::move(out.ticket), attach, answer);
  if (!created_view) return created_view.error();
  TicketView view = std::move(*created_view);
  // Rule actions that need the ticket to exist; each is its own commit.
  if (out.assign_to) {
    TicketPatch assign;
    assign.assignee = std::optional<AgentId>(*out.assign_to);
    if (auto v = service_.update_ticket(view.ticket.id, assign)) view = std::move(*v);
  }
  if (out.spam) {
    for (TicketStatus s : {TicketStatus::kSolved, TicketStatus::kClosed}) {
      TicketPatch close;
      close.status = s;
      if (auto v = service_.update_ticket(view.ticket.id, close)) view = std::move(*v);
    }
  }
  return view;
}

Response Api::triage_preview(Request& r) {
  const json body = parse_body(r);
  const TicketInput in =
      ok_or_throw(parse_ticket_create(body, resolve_team()));
  const auto settings = triage_->settings();
  const triage::TriageOutcome out = triage_ticket(in, *settings);
  json ticket = to_json(TicketView{out.ticket, std::nullopt});
  for (const char* key : {"id", "created_at", "updated_at", "status", "assignee_id", "queue_position", "routing",
                          "queued_at", "offer_expires_at", "accepted_at", "declined_by", "assigned_at", "solved_at"}) {
    ticket.erase(key);
  }
  return ok({{"ticket", std::move(ticket)},
             {"team_name", out.team_name ? json(*out.team_name) : json(nullptr)},
             {"assign_to", out.assign_to ? json(out.assign_to->value) : json(nullptr)},
             {"spam", out.spam},
             {"created", false}});
}

Response Api::list_sla_policies(Request&) {
  return ok(sla_settings_to_json(service_.sla_policies(), [this](TeamId id) {
    auto team = service_.find_team(id);
    return team.ok() && *team ? json((*team)->name) : json(id.value);
  }));
}

Response Api::replace_sla_policies(Request& r) {
  auto policies = ok_or_throw(parse_sla_settings(parse_body(r), resolve_team()));
  for (const sla::SlaPolicy& p : policies) {
    for (TeamId t : p.teams) {
      if (!ok_or_throw(service_.find_team(t))) {
        throw Fail{Error::Invalid("match.team", "team " + std::to_string(t.value) + " does not exist")};
      }
    }
    for (const sla::EscalationStep& step : p.ladder) {
      if (step.agent && !ok_or_throw(service_.find_agent(*step.agent))) {
        throw Fail{Error::Invalid("escalation.agent", "agent " + std::to_string(step.agent->value) + " does not exist")};
      }
      if (step.team && !ok_or_throw(service_.find_team(*step.team))) {
        throw Fail{Error::Invalid("escalation.team", "team " + std::to_string(step.team->value) + " does not exist")};
      }
    }
  }
  // Stored with team ids, so that renaming a team does not break them.
  const std::string document = sla_settings_to_json(policies, [](TeamId id) { return json(id.value); }).dump();
  ok_or_throw(service_.replace_sla_policies(std::move(policies), document));
  return list_sla_policies(r);
}

Response Api::reload_rules(Request&) {
  const int count = ok_or_throw(triage_->reload_rules());
  return ok({{"rules", count}, {"file", *triage_->rules_path()}});
}

TicketView Api::visible_ticket(const Request& r, TicketId id) {
  auto found = ok_or_throw(service_.find_ticket(id));
  if (!found) throw Fail{Error::NotFound("ticket " + std::to_string(id.value))};
  if (!sees(r.principal, found->ticket)) {
    // Outside the caller's scope: as if it did not exist (no probing for ids).
    throw Fail{Error::NotFound("ticket " + std::to_string(id.value))};
  }
  return std::move(*found);
}

// An admin sees every ticket, a supervisor their teams' tickets, an agent the
// tickets assigned to them.
bool Api::sees(const Principal& p, const Ticket& t) {
  if (p.role == Role::kAgent) return p.agent && t.assignee == p.agent;
  return p.manages(t.team);
}

AgentView Api::visible_agent(const Request& r, AgentId id) {
  auto found = ok_or_throw(service_.find_agent(id));
  if (!found || !r.principal.manages_any(found->agent.teams)) throw Fail{Error::NotFound("agent " + std::to_string(id.value))};
  return std::move(*found);
}

Team Api::visible_team(const Request& r, TeamId id) {
  auto team = ok_or_throw(service_.find_team(id));
  if (!team || !r.principal.manages(id)) throw Fail{Error::NotFound("team " + std::to_string(id.value))};
  return std::move(*team);
}

// A supervisor may hand tickets only to their teams and to agents of them.
void Api::check_in_scope(const Request& r, const TicketPatch& patch) {
  if (r.principal.is_admin()) return;
  if (patch.team && !r.principal.manages(*patch.team)) {
    throw Fail{Error::Invalid("team", "a supervisor moves tickets only between their own teams")};
  }
  if (patch.assignee && *patch.assignee) {
    auto agent = ok_or_throw(service_.find_agent(**patch.assignee));
    if (!agent || !r.principal.manages_any(agent->agent.teams)) {
      throw Fail{Error::Invalid("assignee_id", "a supervisor assigns tickets only to agents of their own teams")};
    }
  }
}

namespace {

// A ticket's ETag: its id and version, strong ("7-12").
std::string etag(const Ticket& t) {
  return "\"" + std::to_string(t.id.value) + "-" + std::to_string(t.version) + "\"";
}

// If-Match on a ticket: one strong ETag from a GET or PATCH of it, or "*".
// Returns the version it names (nullopt for "*"); an ETag of another ticket
// names no version it can have (-1).
std::optional<std::int64_t> if_match_version(const std::string& header, TicketId id) {
  std::string v = header;
  v.erase(0, v.find_first_not_of(" \t"));
  v.erase(v.find_last_not_of(" \t") + 1);
  if (v == "*") return std::nullopt;
  const std::size_t dash = v.find('-');
  std::int64_t ticket = 0, version = 0;
  if (v.size() < 5 || v.front() != '"' || v.back() != '"' || dash == std::string::npos ||
      std::from_chars(v.data() + 1, v.data() + dash, ticket).ptr != v.data() + dash ||
      std::from_chars(v.data() + dash + 1, v.data() + v.size() - 1, version).ptr != v.data() + v.size() - 1) {
    throw Fail{Error::Invalid("If-Match", "If-Match must be one ETag as a GET of the ticket gave it, or *")};
  }
  return ticket == id.value ? version : -1;
}

}  // namespace

Response Api::get_ticket(Request& r) {
  const TicketView v = visible_ticket(r, TicketId{id_param(r, "ticket")});
  json out = to_json(v);
  json comments = json::array();
  for (const Message& m : ok_or_throw(service_.list_messages(v.ticket.id))) comments.push_back(to_json(m));
  out["comments"] = std::move(comments);
  Response res = ok(std::move(out));
  res.headers.emplace_back("ETag", etag(v.ticket));
  return res;
}

Response Api::list_comments(Request& r) {
  const TicketView v = visible_ticket(r, TicketId{id_param(r, "ticket")});
  json comments = json::array();
  for (const Message& m : ok_or_throw(service_.list_messages(v.ticket.id))) comments.push_back(to_json(m));
  return ok({{"comments", std::move(comments)}});
}

Response Api::add_comment(Request& r) {
  const TicketView v = visible_ticket(r, TicketId{id_param(r, "ticket")});
  CommentInput in = ok_or_throw(parse_comment_create(parse_body(r)));
  Message& m = in.message;
  m.ticket = v.ticket.id;
  if (r.principal.role == Role::kAgent) {
    if (in.author_given) throw Fail{Error::Invalid("author", "an agent token writes as its own agent")};
    m.agent = r.principal.agent;
  } else if (!in.author_given) {
    throw Fail{Error::Missing("author")};
  }
  if (m.agent) {
    auto agent = ok_or_throw(service_.find_agent(*m.agent));
    if (!agent) throw Fail{Error::Invalid("author.agent_id", "agent " + std::to_string(m.agent->value) + " does not exist")};
    if (r.principal.is_supervisor() && !r.principal.manages_any(agent->agent.teams)) {
      throw Fail{Error::Invalid("author.agent_id", "a supervisor writes as agents of their own teams only")};
    }
    if (m.author_name.empty()) m.author_name = agent->agent.name;
    if (m.author_email.empty()) m.author_email = agent->agent.email;
  } else {
    if (m.author_name.empty()) m.author_name = v.ticket.requester.name;
    if (m.author_email.empty()) m.author_email = v.ticket.requester.email;
  }
  if (in.status) {
    // Checked first, so that a bad status changes nothing.
    if (m.kind == MessageKind::kCustomer) throw Fail{Error::Invalid("status", "only agents set the status with a comment")};
    ok_or_throw(check_transition(v.ticket.status, *in.status));
  }
  Message saved = ok_or_throw(service_.add_message(std::move(m)));
  if (in.status && *in.status != v.ticket.status) {
    TicketPatch patch;
    patch.status = in.status;
    ok_or_throw(service_.update_ticket(saved.ticket, patch));
  }
  Response res = created(to_json(saved));
  res.headers.emplace_back("Location", "/api/v1/tickets/" + std::to_string(saved.ticket.value) + "/comments");
  return res;
}

Response Api::accept_ticket(Request& r) {
  const TicketView t = visible_ticket(r, TicketId{id_param(r, "ticket")});
  if (!t.ticket.assignee) throw Fail{Error::Conflict("not_offered", "the ticket is not offered to anyone")};
  return ok(to_json(ok_or_throw(service_.accept(t.ticket.id, *t.ticket.assignee))));
}

Response Api::decline_ticket(Request& r) {
  const TicketView t = visible_ticket(r, TicketId{id_param(r, "ticket")});
  if (!t.ticket.assignee) throw Fail{Error::Conflict("not_offered", "the ticket is not offered to anyone")};
  return ok(to_json(ok_or_throw(service_.decline(t.ticket.id, *t.ticket.assignee))));
}

Response Api::ticket_routing(Request& r) {
  const TicketView t = visible_ticket(r, TicketId{id_param(r, "ticket")});
  const int limit = static_cast<int>(int_query(r, "limit", 1, 100).value_or(50));
  json decisions = json::array();
  for (const Decision& d : ok_or_throw(service_.list_decisions(t.ticket.id, limit))) decisions.push_back(to_json(d));
  return ok({{"ticket_id", t.ticket.id.value},
             {"triage", t.ticket.triage ? triage_to_json(*t.ticket.triage) : json(nullptr)},
             {"decisions", std::move(decisions)}});
}

Response Api::list_tickets(Request& r) {
  TicketQuery q;
  if (auto it = r.query.find("status"); it != r.query.end() && !it->second.empty()) {
    q.status = ok_or_throw(parse_enum<TicketStatus>(it->second, "status"));
  }
  if (auto it = r.query.find("team"); it != r.query.end() && !it->second.empty()) {
    if (auto byname = service_.team_by_name(it->second)) {
      q.team = byname;
    } else {
      q.team = TeamId{*int_query(r, "team", 1, INT64_MAX)};
    }
  }
  if (auto a = int_query(r, "assignee_id", 1, INT64_MAX)) q.assignee = AgentId{*a};
  q.limit = static_cast<int>(int_query(r, "limit", 1, 100).value_or(50));
  if (auto it = r.query.find("cursor"); it != r.query.end() && !it->second.empty()) {
    q.after = ok_or_throw(decode_cursor(it->second));
  }
  if (r.principal.is_supervisor()) {
    // Their teams' tickets; another team's are as if there were none.
    if (q.team && !r.principal.manages(*q.team)) throw Fail{Error::NotFound("team " + std::to_string(q.team->value))};
    if (!q.team) q.teams = r.principal.teams;
  } else if (!r.principal.is_admin()) {
    if (q.assignee && q.assignee != r.principal.agent) throw Fail{Error::Forbidden("agents may list only their own tickets")};
    q.assignee = r.principal.agent;
  }
  TicketPage page = ok_or_throw(service_.list_tickets(q));
  json tickets = json::array();
  for (Ticket& t : page.tickets) tickets.push_back(to_json(TicketView{std::move(t), std::nullopt}));
  json next = page.more ? json(encode_cursor(tickets.back()["id"].get<std::int64_t>())) : json(nullptr);
  return ok({{"tickets", std::move(tickets)}, {"next_cursor", next}});
}

Response Api::update_ticket(Request& r) {
  const TicketId id{id_param(r, "ticket")};
  const json body = parse_body(r);
  TicketPatch patch = ok_or_throw(parse_ticket_patch(body, resolve_team()));
  if (!r.principal.is_admin()) {
    (void)visible_ticket(r, id);
    if (r.principal.role == Role::kAgent && (patch.priority || patch.team || patch.assignee || patch.tags)) {
      throw Fail{Error::Forbidden("agents may change only the status of their tickets")};
    }
    check_in_scope(r, patch);
  }
  if (!r.if_match.empty()) patch.if_version = if_match_version(r.if_match, id);
  auto updated = service_.update_ticket(id, patch);
  if (!updated && updated.error().kind == ErrorKind::kPreconditionFailed) {
    // A stale write: nothing changed; here is the version to read again.
    Response res = error_response(updated.error());
    if (auto now = service_.find_ticket(id); now && *now) res.headers.emplace_back("ETag", etag((*now)->ticket));
    return res;
  }
  const TicketView view = ok_or_throw(std::move(updated));
  Response res = ok(to_json(view));
  res.headers.emplace_back("ETag", etag(view.ticket));
  return res;
}

Response Api::create_agent(Request& r) {
  const json body = parse_body(r);
  Agent draft = ok_or_throw(parse_agent_create(body, resolve_team()));
  return created(to_json(ok_or_throw(service_.create_agent(std::move(draft)))));
}

Response Api::list_agents(Request& r) {
  json agents = json::array();
  for (const AgentView& v : ok_or_throw(service_.list_agents())) {
    if (r.principal.manages_any(v.agent.teams)) agents.push_back(to_json(v));
  }
  return ok({{"agents", std::move(agents)}});
}

Response Api::get_agent(Request& r) {
  const AgentId id{id_param(r, "agent")};
  if (r.principal.role == Role::kAgent) {
    if (r.principal.agent != id) throw Fail{Error::Forbidden("agents may read only themselves")};
    auto found = ok_or_throw(service_.find_agent(id));
    if (!found) throw Fail{Error::NotFound("agent " + std::to_string(id.value))};
    return ok(to_json(*found));
  }
  return ok(to_json(visible_agent(r, id)));
}

Response Api::update_agent(Request& r) {
  const AgentId id{id_param(r, "agent")};
  const AgentView current = visible_agent(r, id);
  const json body = parse_body(r);
  AgentPatch patch = ok_or_throw(parse_agent_patch(body, resolve_team()));
  if (patch.teams && !r.principal.is_admin()) {
    // A supervisor adds agents to, or takes them off, their own teams only.
    auto changed = [&](TeamId t) {
      const bool before = std::find(current.agent.teams.begin(), current.agent.teams.end(), t) != current.agent.teams.end();
      const bool after = std::find(patch.teams->begin(), patch.teams->end(), t) != patch.teams->end();
      return before != after && !r.principal.manages(t);
    };
    if (std::any_of(patch.teams->begin(), patch.teams->end(), changed) ||
        std::any_of(current.agent.teams.begin(), current.agent.teams.end(), changed)) {
      throw Fail{Error::Invalid("teams", "a supervisor changes membership of their own teams only")};
    }
  }
  return ok(to_json(ok_or_throw(service_.update_agent(id, patch))));
}

Response Api::set_presence(Request& r) {
  const AgentId id{id_param(r, "agent")};
  if (r.principal.role == Role::kAgent && r.principal.agent != id) {
    throw Fail{Error::Forbidden("agents may set only their own presence")};
  }
  if (r.principal.is_supervisor()) (void)visible_agent(r, id);
  const json body = parse_body(r);
  AgentPatch patch;
  patch.presence = ok_or_throw(parse_presence(body));
  return ok(to_json(ok_or_throw(service_.update_agent(id, patch))));
}

Response Api::create_team(Request& r) {
  const json body = parse_body(r);
  Team draft = ok_or_throw(parse_team_create(body, resolve_team()));
  return created(to_json(ok_or_throw(service_.create_team(std::move(draft)))));
}

Response Api::list_teams(Request& r) {
  json teams = json::array();
  for (const Team& t : ok_or_throw(service_.list_teams())) {
    if (r.principal.manages(t.id)) teams.push_back(to_json(t));
  }
  return ok({{"teams", std::move(teams)}});
}

Response Api::get_team(Request& r) {
  return ok(to_json(visible_team(r, TeamId{id_param(r, "team")})));
}

Response Api::update_team(Request& r) {
  const TeamId id{id_param(r, "team")};
  const Team team = visible_team(r, id);
  const json body = parse_body(r);
  TeamPatch patch = ok_or_throw(parse_team_patch(body, team.routing, resolve_team()));
  return ok(to_json(ok_or_throw(service_.update_team(id, patch))));
}

Response Api::list_queues(Request& r) {
  json queues = json::array();
  for (const QueueStats& q : service_.queues()) {
    if (r.principal.manages(q.team)) queues.push_back(to_json(q));
  }
  return ok({{"queues", std::move(queues)}});
}

Response Api::create_token(Request& r) {
  const json body = parse_body(r);
  const TokenRequest req = ok_or_throw(parse_token_request(body, resolve_team()));
  for (TeamId t : req.teams) {
    if (!ok_or_throw(service_.find_team(t))) throw Fail{Error::Invalid("teams", "team " + std::to_string(t.value) + " does not exist")};
  }
  const std::string token = new_token();
  TokenRecord record{hash_token(token), req.role, req.agent, {}};
  record.teams = req.teams;
  if (req.expires_in_seconds) record.expires_at = service_.clock()() + std::chrono::seconds(*req.expires_in_seconds);
  ok_or_throw(service_.add_token(record));
  // The secret is shown here once; only its hash is stored.
  json out = to_json(record);
  out.erase("created_at");
  out["token"] = token;
  return created(std::move(out));
}

Response Api::list_tokens(Request&) {
  json tokens = json::array();
  for (const TokenRecord& t : ok_or_throw(service_.store().list_tokens())) tokens.push_back(to_json(t));
  return ok({{"tokens", std::move(tokens)}});
}

Response Api::revoke_token(Request& r) {
  const std::string& id = r.params.at("id");
  for (TokenRecord t : ok_or_throw(service_.store().list_tokens())) {
    if (t.id() != id) continue;
    if (!t.revoked_at) {
      t.revoked_at = service_.clock()();
      WriteBatch b;
      b.tokens.push_back(t);
      if (auto s = service_.store().commit(b); !s) throw Fail{Error::Unavailable("the revocation was not saved: " + s.error().message)};
    }
    return ok(to_json(t));
  }
  throw Fail{Error::NotFound("token " + id)};
}

Response Api::audit_log(Request& r) {
  const auto before = int_query(r, "before", 1, INT64_MAX).value_or(0);
  const int limit = static_cast<int>(int_query(r, "limit", 1, 500).value_or(100));
  json entries = json::array();
  for (const AuditEntry& a : ok_or_throw(service_.store().list_audit(before, limit))) entries.push_back(to_json(a));
  return ok({{"entries", std::move(entries)}});
}

namespace {
// The request as the audit log keeps it: secrets replaced, at most 4 KiB.
json redacted(json v) {
  if (v.is_object()) {
    for (auto& [key, value] : v.items()) {
      const bool secret = key.find("secret") != std::string::npos || key.find("token") != std::string::npos ||
                          key.find("password") != std::string::npos;
      value = secret ? json("***") : redacted(value);
    }
  } else if (v.is_array()) {
    for (auto& e : v) e = redacted(e);
  }
  return v;
}
}  // namespace

void Api::audit(const Request& r, const Response& res) {
  AuditEntry a;
  a.at = service_.clock()();
  a.actor = r.principal.is_admin() ? "admin" : "tok_" + r.principal.token_hash.substr(0, 16);
  a.action = r.method + " " + r.path;
  a.target = r.path;
  if (r.method == "POST" && res.body.is_object() && res.body.contains("id")) {
    a.target += "/" + (res.body["id"].is_string() ? res.body["id"].get<std::string>() : res.body["id"].dump());
  }
  const json body = json::parse(r.body, nullptr, false);
  a.detail = body.is_discarded() ? std::string() : redacted(body).dump(-1, ' ', false, json::error_handler_t::replace);
  if (a.detail.size() > 4096) a.detail = json{{"truncated", a.detail.substr(0, 4000)}}.dump(-1, ' ', false, json::error_handler_t::replace);
  a.status = res.status;
  WriteBatch b;
  b.audit.push_back(std::move(a));
  // Right after the change it records (its own transaction).
  if (auto s = service_.store().commit(b); !s) spdlog::error("audit log: not written: {}", s.error().message);
}

}  // namespace sb::http
