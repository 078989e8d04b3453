// Teams and their routing settings, the live queues, and SLA policies.
#include "http/api.h"

#include "http/api_helpers.h"
#include "json/sla_json.h"

namespace sb::http {

using namespace detail;

Response Api::create_team(Request& r) {
  const json body = parse_body(r);
  Team draft = ok_or_throw(parse_team_create(body, resolve_team()));
  return created(to_json(ok_or_throw(service_.create_team(std::move(draft)))));
}

Response Api::list_teams(Request& r) {
  json teams = json::array();
  const std::vector<Team> all = ok_or_throw(service_.list_teams());
  // An agent sees their teams, and every team when one of theirs lets agents move tickets (where to).
  const bool moves = std::any_of(all.begin(), all.end(), [&](const Team& t) {
    return r.principal.works_in(t.id) && t.routing.agents_move_tickets;
  });
  for (const Team& t : all) {
    if (r.principal.manages(t.id) || r.principal.works_in(t.id) || moves) teams.push_back(to_json(t));
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
  check_team_patch_in_scope(r, team, patch);
  return ok(to_json(ok_or_throw(service_.update_team(id, patch))));
}

Response Api::list_queues(Request& r) {
  json queues = json::array();
  for (const QueueStats& q : service_.queues()) {
    if (r.principal.manages(q.team)) queues.push_back(to_json(q));
  }
  return ok({{"queues", std::move(queues)}});
}

Response Api::list_sla_policies(Request&) {
  return ok(sla_settings_to_json(service_.sla_policies(), [this](TeamId id) {
    auto team = service_.find_team(id);
    return team.ok() && *team ? json((*team)->name) : json(id.value);
  }));
}

Response Api::replace_sla_policies(Request& r) {
  auto policies = ok_or_throw(parse_sla_settings(parse_body(r), resolve_team(), intake_.triage().settings()->tiers));
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

}  // namespace sb::http
