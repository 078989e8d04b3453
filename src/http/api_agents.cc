// Agents: create, list, read, change (skills, teams, capacity), presence.
#include "http/api.h"

#include "http/api_helpers.h"

namespace sb::http {

using namespace detail;

Response Api::create_agent(Request& r) {
  const json body = parse_body(r);
  Agent draft = ok_or_throw(parse_agent_create(body, resolve_team()));
  return created(to_json(ok_or_throw(service_.create_agent(std::move(draft)))));
}

Response Api::list_agents(Request& r) {
  json agents = json::array();
  for (const AgentView& v : ok_or_throw(service_.list_agents())) {
    // An agent sees their teammates (to hand a ticket on), a supervisor their teams' agents.
    const bool shown = r.principal.role == Role::kAgent
                           ? v.agent.id == r.principal.agent ||
                                 std::any_of(v.agent.teams.begin(), v.agent.teams.end(),
                                             [&](TeamId t) { return r.principal.works_in(t); })
                           : r.principal.manages_any(v.agent.teams);
    if (shown) agents.push_back(to_json(v));
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
  check_agent_patch_in_scope(r, current.agent, patch);
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

}  // namespace sb::http
