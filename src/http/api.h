#pragma once
// The REST API under /api/v1 and /healthz. Api::handle() takes a parsed
// request through routing (404/405), authentication (401/403), the handler,
// and maps every Error to its status code and JSON error body. No input
// reaches a 500: handler exceptions are caught and reported as internal.
//
// Thread-safe: the Service serialises what needs serialising.
#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"
#include "http/metrics.h"
#include "http/proxies.h"
#include "http/rate_limit.h"
#include "http/router.h"
#include "http/triage_gate.h"
#include "notify/outbox.h"
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
  std::vector<std::string> trusted_proxies;  // whose X-Forwarded-For names the client (http/proxies.h)
};

class Api {
 public:
  // `admin_token_hash` is hash_token() of the admin token. `triage` holds
  // the classifier, rules and priority policy; null: priority only.
  // `outbox` serves the webhook and delivery routes; null: they answer 503.
  Api(Service& service, std::string admin_token_hash, TriageGate* triage = nullptr,
      notify::Outbox* outbox = nullptr);

  Response handle(Request& request);

  // One inbound e-mail (raw RFC 5322) from `mailbox`: a new ticket, or a
  // customer message on the ticket it replies to, or nothing new when this
  // mailbox has seen its Message-ID before. The receipt (with the raw
  // message) commits with the ticket or message. Used by POST /api/v1/mail
  // and the IMAP poller. Thread-safe (intake is serialised).
  struct MailOutcome {
    std::string outcome;  // created | threaded | follow_up | bounce | duplicate
    std::optional<TicketId> ticket;
    std::vector<std::string> problems;  // what the parser could not read
  };
  Result<MailOutcome> ingest_mail(std::string_view raw, const std::string& mailbox);

  // Where the dashboard's files are (GET /, /assets/...); empty: none.
  void set_web_dir(std::string dir) { web_dir_ = std::move(dir); }
  // Throws std::invalid_argument when a trusted proxy does not parse (the
  // config reader checks them first).
  void set_limits(ApiLimits limits);
  // Several nodes: what /healthz says about this node (its role, the owner).
  void set_node_status(std::function<nlohmann::json()> status) { node_status_ = std::move(status); }

 private:
  Result<Principal> authenticate(const Request& request);
  // A 429 when `caller` is over `limit`.
  std::optional<Response> over_limit(const std::string& caller, const RateLimit& limit);
  // Routing, authentication and the handler; `route_pattern` names the route matched.
  Response dispatch(Request& request, std::string& route_pattern);
  Response prometheus(Request&);
  // Reports (api_reports.cc): one query, five reports.
  Response report(Request&);
  std::function<std::string(const std::string&)> group_labels(ReportGroup group);
  Response tickets_report(const ReportQuery&);
  Response backlog_report(const ReportQuery&);
  Response agents_report(const ReportQuery&);
  Response fairness_report(const ReportQuery&);
  Response classifier_report(const ReportQuery&);
  Response idempotent(Request& request, const std::function<Response(Request&)>& handler);

  Response healthz(Request&);
  Response create_ticket(Request&);
  Response get_ticket(Request&);
  Response list_tickets(Request&);
  Response update_ticket(Request&);
  Response create_agent(Request&);
  Response list_agents(Request&);
  Response get_agent(Request&);
  Response update_agent(Request&);
  Response set_presence(Request&);
  Response create_team(Request&);
  Response list_teams(Request&);
  Response get_team(Request&);
  Response update_team(Request&);
  Response accept_ticket(Request&);
  Response decline_ticket(Request&);
  Response ticket_routing(Request&);
  Response add_comment(Request&);
  Response list_comments(Request&);
  Response triage_preview(Request&);
  Response list_sla_policies(Request&);
  Response replace_sla_policies(Request&);
  Response reload_rules(Request&);
  // Team names to ids, for the JSON parsers.
  std::function<std::optional<TeamId>(const std::string&)> resolve_team();
  // Runs triage on a parsed ticket and resolves the team it chose.
  triage::TriageOutcome triage_ticket(const struct TicketInput& input, const triage::TriageSettings& settings);
  // Objects by id as the caller may see them (an admin everything, a
  // supervisor their teams', an agent their own tickets): 404 outside it.
  TicketView visible_ticket(const Request& r, TicketId id);
  AgentView visible_agent(const Request& r, AgentId id);
  Team visible_team(const Request& r, TeamId id);
  static bool sees(const Principal& p, const Ticket& t);
  void check_in_scope(const Request& r, const TicketPatch& patch);
  Response list_queues(Request&);
  Response create_token(Request&);
  Response list_tokens(Request&);
  Response revoke_token(Request&);
  Response audit_log(Request&);
  // Writes an administrative change to the audit log (after it succeeded).
  void audit(const Request& request, const Response& response);
  // Outbox (api_outbox.cc).
  notify::Outbox& outbox();
  Response create_webhook(Request&);
  Response list_webhooks(Request&);
  Response get_webhook(Request&);
  Response update_webhook(Request&);
  Response delete_webhook(Request&);
  Response list_deliveries(Request&);
  Response redeliver(Request&);
  Response event_stream(Request&);
  Response post_mail(Request&);
  Response support_form(Request&);
  Response dashboard(Request&);
  Response asset(Request&);
  Response web_file(const std::string& name);
  Response me(Request&);
  Response support_submit(Request&);
  Result<TicketView> create_triaged(const struct TicketInput& in, const Service::Attach& attach,
                                    const Service::Answer& answer = {});

  Service& service_;
  std::string admin_hash_;
  std::string web_dir_;
  std::function<nlohmann::json()> node_status_;
  ApiLimits limits_;
  TrustedProxies proxies_;
  RateLimiter limiter_;
  TriageGate* triage_;
  notify::Outbox* outbox_;
  TriageGate default_triage_{triage::TriageSettings{}, std::nullopt};
  Router router_;
  RequestMetrics metrics_;
  std::mutex mail_mu_;
  std::mutex idempotency_mu_;
  std::set<std::pair<std::string, std::string>> idempotency_running_;  // (token hash, key)
  std::atomic<unsigned> idempotency_writes_{0};
};

}  // namespace sb::http
