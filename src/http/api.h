#pragma once
// The REST API under /api/v1, /healthz, /metrics and the pages (/, /support).
// Api::handle() takes a parsed request through the route table (404/405),
// authentication and the route's access level (401/403; access.cc), the
// caller's rate limit (429), Idempotency-Key (idempotency.cc), the handler,
// and the audit log (audit.cc); every Error becomes its status code and JSON
// error body. No input reaches a 500: handler exceptions are caught and
// reported as internal.
//
// Files: routes.cc the route table, dispatch.cc the road above, access.cc
// who may see what, then one file of thin handlers per resource
// (api_tickets, api_agents, api_teams, api_tokens, api_triage, api_outbox,
// api_mail, api_form, api_reports, api_web) and prometheus.cc. Handlers parse
// (json/), check scope (access.cc), and ask intake or the service.
//
// Thread-safe: the Service serialises what needs serialising.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"
#include "http/metrics.h"
#include "http/proxies.h"
#include "http/router.h"
#include "intake/idempotency.h"
#include "intake/intake.h"
#include "intake/model_updater.h"
#include "json/json_mapping.h"
#include "notify/outbox.h"
#include "rate_limit/rate_limit.h"
#include "reports/reports.h"
#include "service/service.h"

namespace sb::http {

// What a report request asked for (api_reports.cc).
struct ReportQuery {
  Time from, to;
  ReportGroup group = ReportGroup::kNone;
  reports::Interval interval = reports::Interval::kDay;
  std::string interval_name = "day";
  std::string format = "json";
  // A supervisor's teams: only their tickets, agents and teams are counted.
  std::optional<std::vector<TeamId>> teams;
  bool covers(std::optional<TeamId> team) const {
    return !teams || (team && std::find(teams->begin(), teams->end(), *team) != teams->end());
  }
  bool covers_any(const std::vector<TeamId>& of) const {
    return !teams || std::any_of(of.begin(), of.end(), [&](TeamId t) { return covers(t); });
  }
  unsigned team_field() const { return teams ? kFactTeam : 0u; }
};

// Per-caller rate limits (429 with Retry-After beyond them).
struct ApiLimits {
  RateLimit per_token{20, 40};     // agents' and other tokens: requests/s, burst
  RateLimit admin{0, 0};           // the admin token (integrations, imports): unlimited unless set
  RateLimit public_posts{2, 10};   // per client address, for posts that need no token (/support)
  int commands_in_flight = 512;    // changes in hand at once before shedding (Service); 0: no bound
  int connections = 1024;          // open connections before new ones get 503 (Server)
  int connections_per_address = 256;  // from one peer address (trusted proxies exempt); 0: no cap
  int idle_seconds = 60;           // a connection with no request in progress is closed after this
  int event_stream_seconds = 3600; // an event stream ends after this (the client resumes with Last-Event-ID)
  std::vector<std::string> trusted_proxies;  // whose X-Forwarded-For names the client (http/proxies.h)
};

// A canned reply an agent applies on a ticket's page (config `macros:`):
// its text with placeholders (macro_placeholders()), public reply or note,
// and the changes it makes with it.
struct Macro {
  std::string name;
  std::string body;
  bool is_public = true;
  std::optional<TicketStatus> status;
  std::optional<Priority> priority;
  std::vector<std::string> add_tags;
};
// The names a macro's {{placeholders}} may use.
const std::vector<std::string>& macro_placeholders();

// Which roles a route's access level lets in (docs/security.md): the reason
// for a 403, or null. What inside a route a caller may see (which tickets,
// agents, teams) is decided by the scope rules in access.cc.
const char* role_refused(Access access, Role role);
// An admin sees every ticket, a supervisor their teams' tickets, an agent
// their teams' tickets and those assigned to them.
bool sees(const Principal& p, const Ticket& t);

class Api {
 public:
  // `admin_token_hash` is hash_token() of the admin token. New tickets and
  // mail go through `intake` (which holds the triage settings). `outbox`
  // serves the webhook and delivery routes; null: they answer 503. None is
  // owned.
  Api(Service& service, intake::Intake& intake, std::string admin_token_hash, notify::Outbox* outbox = nullptr);

  Response handle(Request& request);
  // For the server (ServerOptions::check_head): a request's head, before its
  // body is read, refused at once when its route needs a token it does not
  // carry (401) or its role may not use (403); nullopt to read it whole.
  std::optional<Response> check_head(Request& head);

  // Where the dashboard's files are (GET /, /assets/...); empty: none.
  void set_web_dir(std::string dir) { web_dir_ = std::move(dir); }
  // Throws std::invalid_argument when a trusted proxy does not parse (the
  // config reader checks them first).
  void set_limits(ApiLimits limits);
  // Several nodes: what /healthz says about this node (its role, the owner).
  void set_node_status(std::function<nlohmann::json()> status) { node_status_ = std::move(status); }
  // `switchboard connect check`: the named connector's check as JSON
  // ({"ok", "errors", "warnings", "facts"}), nullopt for no such connector.
  using ConnectorCheck = std::function<std::optional<nlohmann::json>(const std::string& name)>;
  void set_connector_check(ConnectorCheck check) { connector_check_ = std::move(check); }
  // Checks and swaps candidate models (POST /api/v1/triage/models/reload); null: 409.
  void set_model_updater(intake::ModelUpdater* models) { models_ = models; }
  // The macros agents may apply (config `macros:`).
  void set_macros(std::vector<Macro> macros) { macros_ = std::move(macros); }
  // Every route, for the access table test and the docs.
  const std::vector<Route>& routes() const { return router_.routes(); }

 private:
  std::vector<Route> route_table();  // routes.cc

  // dispatch.cc: routing, authentication, limits, the handler.
  Response dispatch(Request& request, std::string& route_pattern);
  Result<Principal> authenticate(const Request& request);
  std::optional<Response> over_limit(const std::string& caller, const RateLimit& limit);
  // idempotency.cc
  Response idempotent(Request& request, const Handler& handler);
  // audit.cc: writes an administrative change to the audit log (after it succeeded).
  void audit(const Request& request, const Response& response);
  Response audit_log(Request&);
  // prometheus.cc
  Response prometheus(Request&);

  // access.cc: objects by id as the caller may see them (an admin
  // everything, a supervisor their teams', an agent their own tickets);
  // 404 outside it, as if they did not exist.
  TicketView visible_ticket(const Request& r, TicketId id);
  AgentView visible_agent(const Request& r, AgentId id);
  Team visible_team(const Request& r, TeamId id);
  // A supervisor hands tickets only to their teams and to agents of them;
  // an agent works within the ticket's team (moves only where it allows).
  void check_in_scope(const Request& r, const Ticket& current, const TicketPatch& patch);
  // A supervisor's changes to a team (routing only; overflow to their own
  // teams) and to an agent (membership of their teams; name and address
  // only of agents in none but their teams).
  void check_team_patch_in_scope(const Request& r, const Team& current, const TeamPatch& patch);
  void check_agent_patch_in_scope(const Request& r, const Agent& current, const AgentPatch& patch);
  // Team names to ids, for the JSON parsers.
  TeamResolver resolve_team();
  // Whether the caller's token still lets it in (not revoked or expired
  // since it was checked): long requests (event streams) ask again.
  bool still_authorised(const Principal& p);

  // api_tickets.cc
  Response create_ticket(Request&);
  Response get_ticket(Request&);
  Response list_tickets(Request&);
  Response update_ticket(Request&);
  Response accept_ticket(Request&);
  Response decline_ticket(Request&);
  Response ticket_routing(Request&);
  Response add_comment(Request&);
  Response list_comments(Request&);
  // api_desk.cc: the workspace beside the ticket.
  Response ticket_macros(Request&);
  Response bulk_update(Request&);
  Response ticket_viewing(Request&);
  Response attachment(Request&);
  Response list_views(Request&);
  Response create_view(Request&);
  Response delete_view(Request&);
  // api_agents.cc
  Response create_agent(Request&);
  Response list_agents(Request&);
  Response get_agent(Request&);
  Response update_agent(Request&);
  Response set_presence(Request&);
  // api_teams.cc: teams, their live queues, SLA policies.
  Response create_team(Request&);
  Response list_teams(Request&);
  Response get_team(Request&);
  Response update_team(Request&);
  Response list_queues(Request&);
  Response list_sla_policies(Request&);
  Response replace_sla_policies(Request&);
  // api_tokens.cc
  Response create_token(Request&);
  Response list_tokens(Request&);
  Response revoke_token(Request&);
  Response me(Request&);
  // api_triage.cc
  Response triage_preview(Request&);
  Response reload_rules(Request&);
  Response triage_desk(Request&);
  Response list_customers(Request&);
  Response get_customer(Request&);
  Response create_customer(Request&);
  Response update_customer(Request&);
  Response delete_customer(Request&);
  Response merge_customer(Request&);
  Response import_customers(Request&);
  Response list_organizations(Request&);
  Response get_organization(Request&);
  Response create_organization(Request&);
  Response update_organization(Request&);
  Response delete_organization(Request&);
  void check_account_owner(const Organization& o);
  // A patch's custom fields against their declarations (422 naming the field).
  void check_fields(const TicketPatch& patch);
  Response list_models(Request&);
  Response reload_models(Request&);
  // The caller as the editor of tickets: their team and category changes
  // are kept as corrections (labelled examples).
  Service::Editor editor(const Request& r);
  // api_outbox.cc
  notify::Outbox& outbox();
  Response list_connectors(Request& r);
  Response check_connector(Request& r);
  Response create_webhook(Request&);
  Response list_webhooks(Request&);
  Response get_webhook(Request&);
  Response update_webhook(Request&);
  Response delete_webhook(Request&);
  Response list_deliveries(Request&);
  Response redeliver(Request&);
  Response event_stream(Request&);
  // api_mail.cc, api_form.cc
  Response post_mail(Request&);
  Response support_form(Request&);
  Response support_submit(Request&);
  // api_web.cc
  Response healthz(Request&);
  Response dashboard(Request&);
  Response asset(Request&);
  Response web_file(const std::string& name);
  // api_reports.cc: one query, five reports.
  Response report(Request&);
  std::function<std::string(const std::string&)> group_labels(ReportGroup group);
  Response tickets_report(const ReportQuery&);
  Response backlog_report(const ReportQuery&);
  Response agents_report(const ReportQuery&);
  Response fairness_report(const ReportQuery&);
  Response classifier_report(const ReportQuery&);

  Service& service_;
  intake::Intake& intake_;
  intake::IdempotencyKeys idempotency_;
  std::string admin_hash_;
  std::string web_dir_;
  std::function<nlohmann::json()> node_status_;
  ConnectorCheck connector_check_;
  ApiLimits limits_;
  TrustedProxies proxies_;
  RateLimiter limiter_;
  notify::Outbox* outbox_;
  Router router_;
  RequestMetrics metrics_;
  std::vector<Macro> macros_;
  intake::ModelUpdater* models_ = nullptr;
  // Who has which ticket open (ticket_viewing): token hash -> name, last seen.
  std::mutex viewers_mu_;
  std::map<std::int64_t, std::map<std::string, std::pair<std::string, std::chrono::steady_clock::time_point>>> viewers_;
};

}  // namespace sb::http
