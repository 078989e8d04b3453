// The whole API, in one table: method, path, who may call it (access.cc),
// the handler, and whether a success is written to the audit log.
#include "http/api.h"

namespace sb::http {

Api::Api(Service& service, intake::Intake& intake, std::string admin_token_hash, notify::Outbox* outbox)
    : service_(service),
      intake_(intake),
      idempotency_(service),
      admin_hash_(std::move(admin_token_hash)),
      outbox_(outbox),
      router_(route_table()) {}

std::vector<Route> Api::route_table() {
  return {
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
      {"POST", "/api/v1/tickets/bulk", Access::kAgent, [this](Request& r) { return bulk_update(r); }},
      {"GET", "/api/v1/tickets/{id}/macros", Access::kAgent, [this](Request& r) { return ticket_macros(r); }},
      {"PUT", "/api/v1/tickets/{id}/viewing", Access::kAgent, [this](Request& r) { return ticket_viewing(r); }},
      {"GET", "/api/v1/tickets/{id}/messages/{message}/attachments/{index}", Access::kAgent,
       [this](Request& r) { return attachment(r); }},
      {"GET", "/api/v1/views", Access::kAgent, [this](Request& r) { return list_views(r); }},
      {"POST", "/api/v1/views", Access::kAgent, [this](Request& r) { return create_view(r); }},
      {"DELETE", "/api/v1/views/{id}", Access::kAgent, [this](Request& r) { return delete_view(r); }},
      {"POST", "/api/v1/agents", Access::kAdmin, [this](Request& r) { return create_agent(r); }, true},
      {"GET", "/api/v1/agents", Access::kAgent, [this](Request& r) { return list_agents(r); }},
      {"GET", "/api/v1/agents/{id}", Access::kAgent, [this](Request& r) { return get_agent(r); }},
      {"PATCH", "/api/v1/agents/{id}", Access::kSupervisor, [this](Request& r) { return update_agent(r); }, true},
      {"PUT", "/api/v1/agents/{id}/presence", Access::kAgent, [this](Request& r) { return set_presence(r); }},
      {"POST", "/api/v1/teams", Access::kAdmin, [this](Request& r) { return create_team(r); }, true},
      {"GET", "/api/v1/teams", Access::kAgent, [this](Request& r) { return list_teams(r); }},
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
  };
}

}  // namespace sb::http
