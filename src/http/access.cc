// Who may see and change what: the role each route lets in, authentication
// of bearer tokens, and the scope rules inside routes (docs/security.md).
// Every access decision of the API is made in this file.
#include "http/api.h"

#include "http/api_helpers.h"
#include "http/auth.h"

namespace sb::http {

using namespace detail;

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

// An admin sees every ticket, a supervisor their teams' tickets, an agent
// their teams' tickets and those assigned to them.
bool sees(const Principal& p, const Ticket& t) {
  if (p.role == Role::kAgent) return (p.agent && t.assignee == p.agent) || p.works_in(t.team);
  return p.manages(t.team);
}

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
  Principal p{t.role, t.agent, hash, t.teams};
  if (t.role == Role::kAgent && t.agent) {
    // An agent's scope is their teams as they are now (membership changes take effect at once).
    auto agent = service_.find_agent(*t.agent);
    if (!agent) return agent.error();
    if (*agent) p.teams = (*agent)->agent.teams;
  }
  return p;
}

std::optional<Response> Api::check_head(Request& head) {
  auto route = router_.match(head, nullptr);
  if (!route || (*route)->access == Access::kPublic) return std::nullopt;  // the whole road answers these
  auto who = authenticate(head);
  if (!who) return error_response(who.error());
  if (auto refused = role_refused((*route)->access, who->role)) return error_response(Error::Forbidden(refused));
  return std::nullopt;
}

bool Api::still_authorised(const Principal& p) {
  if (p.is_admin()) return true;  // the admin token is the server's own; it is neither revoked nor expires
  auto found = service_.find_token(p.token_hash);
  if (!found || !*found) return false;
  const TokenRecord& t = **found;
  const Time now = service_.clock()();
  return !(t.revoked_at && *t.revoked_at <= now) && !(t.expires_at && *t.expires_at <= now);
}

TeamResolver Api::resolve_team() {
  return [this](const std::string& name) { return service_.team_by_name(name); };
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
// An agent changes a ticket of their teams (or assigned to them) within its
// team: they take it, hand it to an agent of its team or back to the queue;
// they move it to another team only when its team lets agents move tickets.
void Api::check_in_scope(const Request& r, const Ticket& current, const TicketPatch& patch) {
  if (r.principal.is_admin()) return;
  if (r.principal.role == Role::kAgent) {
    if (patch.team && *patch.team != current.team) {
      std::optional<Team> from;
      if (current.team) from = ok_or_throw(service_.find_team(*current.team));
      if (!from || !from->routing.agents_move_tickets) {
        throw Fail{Error::Forbidden("moving a ticket to another team is for supervisors and admins (the team '" +
                                    (from ? from->name : std::string("none")) + "' does not let agents move tickets)")};
      }
    }
    if (patch.assignee && *patch.assignee && **patch.assignee != r.principal.agent) {
      const std::optional<TeamId> team = patch.team ? *patch.team : current.team;
      auto agent = ok_or_throw(service_.find_agent(**patch.assignee));
      const bool in_team = agent && team &&
                           std::find(agent->agent.teams.begin(), agent->agent.teams.end(), *team) != agent->agent.teams.end();
      if (!in_team) throw Fail{Error::Invalid("assignee_id", "an agent hands tickets only to agents of the ticket's team")};
    }
    return;
  }
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

// A supervisor changes their teams' routing settings, not their names, and
// lets a team overflow only to teams of their own (an overflow an admin set
// to another team may stay).
void Api::check_team_patch_in_scope(const Request& r, const Team& current, const TeamPatch& patch) {
  if (r.principal.is_admin()) return;
  if (patch.name && *patch.name != current.name) {
    throw Fail{Error::Forbidden("a supervisor changes a team's routing settings, not its name")};
  }
  if (!patch.routing) return;
  for (const RelaxStep& step : patch.routing->relaxation) {
    if (!step.team || r.principal.manages(*step.team)) continue;
    const bool there_before = std::any_of(current.routing.relaxation.begin(), current.routing.relaxation.end(),
                                          [&](const RelaxStep& s) { return s.team == step.team; });
    if (!there_before) {
      throw Fail{Error::Invalid("routing.relaxation", "a supervisor lets a team overflow only to their own teams")};
    }
  }
}

// A supervisor adds agents to, or takes them off, their own teams only, and
// changes the name or address only of agents in none but their teams.
void Api::check_agent_patch_in_scope(const Request& r, const Agent& current, const AgentPatch& patch) {
  if (r.principal.is_admin()) return;
  if (patch.teams) {
    auto changed = [&](TeamId t) {
      const bool before = std::find(current.teams.begin(), current.teams.end(), t) != current.teams.end();
      const bool after = std::find(patch.teams->begin(), patch.teams->end(), t) != patch.teams->end();
      return before != after && !r.principal.manages(t);
    };
    if (std::any_of(patch.teams->begin(), patch.teams->end(), changed) ||
        std::any_of(current.teams.begin(), current.teams.end(), changed)) {
      throw Fail{Error::Invalid("teams", "a supervisor changes membership of their own teams only")};
    }
  }
  const bool shared = std::any_of(current.teams.begin(), current.teams.end(), [&](TeamId t) { return !r.principal.manages(t); });
  if (shared && ((patch.name && *patch.name != current.name) || (patch.email && *patch.email != current.email))) {
    throw Fail{Error::Forbidden("this agent is also in teams you do not manage; an admin changes their name and address")};
  }
}

}  // namespace sb::http
