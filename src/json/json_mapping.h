#pragma once
// Domain records to and from JSON. Parsing is strict: an unknown field, a
// wrong type or a bad value is a 422 naming the field; a missing required
// field is a 422 missing_field.
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "service/service.h"
#include "intake/ticket_input.h"
#include "triage/priority.h"

namespace sb::http {

using nlohmann::json;
// Turns a team name into its id; nullopt when no team has that name.
using TeamResolver = std::function<std::optional<TeamId>(const std::string&)>;

// A new ticket as the API's caller sent it (intake/ticket_input.h).
using intake::TicketInput;
Result<TicketInput> parse_ticket_create(const json& body, const TeamResolver& teams);
Result<TicketPatch> parse_ticket_patch(const json& body, const TeamResolver& teams);
Result<Agent> parse_agent_create(const json& body, const TeamResolver& teams);
Result<AgentPatch> parse_agent_patch(const json& body, const TeamResolver& teams);
// A team: {"name", "routing": {...}}. Team names in routing (overflow) are
// resolved with `teams`.
Result<Team> parse_team_create(const json& body, const TeamResolver& teams);
// {"name"?, "routing"?: {...}}: routing fields not given keep `current`'s.
Result<TeamPatch> parse_team_patch(const json& body, const TeamRouting& current, const TeamResolver& teams);
// The "routing" object alone, over `base`; errors name "routing.<field>".
Result<TeamRouting> parse_routing(const json& routing, TeamRouting base, const TeamResolver& teams);
Result<Presence> parse_presence(const json& body);
// POST /api/v1/tokens: {"role": "agent" (default) | "viewer", "agent_id"
// (agent tokens), "expires_in_seconds" (optional, up to ten years)}.
struct TokenRequest {
  Role role = Role::kAgent;
  std::optional<AgentId> agent;
  std::vector<TeamId> teams;  // a supervisor's
  std::optional<std::int64_t> expires_in_seconds;
};
Result<TokenRequest> parse_token_request(const json& body, const TeamResolver& teams);
json to_json(const TokenRecord& t);
json to_json(const AuditEntry& a);

// Webhooks: {"url", "events"?: [type], "description"?, "active"?}.
Result<Webhook> parse_webhook_create(const json& body);
Result<WebhookPatch> parse_webhook_patch(const json& body);

// A comment as POST /tickets/{id}/comments takes it: {"body", "public"?,
// "author"?: {"type": "customer"|"agent", "agent_id"?, "name"?, "email"?},
// "attachments"?: [{"name", "content_type", "size"}], "status"?}. The author
// is resolved by the caller (agent tokens are their own author).
struct CommentInput {
  Message message;                   // kind from author type and "public"
  bool author_given = false;
  bool is_public = true;
  std::optional<TicketStatus> status;  // set after the comment (e.g. reply and set pending)
};
Result<CommentInput> parse_comment_create(const json& body);

json to_json(const TicketView& v);
// The ticket as event documents carry it: what integrations act on (ids,
// subject, status, priority, team, assignee, requester, place in line, SLA due
// times), without the body, triage details or routing explanation (GET the
// ticket for those).
json ticket_summary(const TicketView& v);
json to_json(const Message& m);
// The secret only when it is shown (once, at creation).
json to_json(const Webhook& w, bool with_secret);
json to_json(const Delivery& d);
json to_json(const AgentView& v);
json to_json(const Team& t);
json to_json(const QueueStats& q);
json to_json(const Decision& d);

}  // namespace sb::http
