// The engine's construction, team checks and lookups. The rest is one file
// per concept: commands.cc, routing.cc, queues.cc, sla_clocks.cc, load.cc,
// change_log.cc.
#include "engine/engine.h"

#include <string>

namespace sb {
Engine::Engine(EngineOptions options)
    : options_(options), default_policy_(std::move(make_policy("skills_best_match").value())), pool_(*default_policy_) {}

Status Engine::check_teams(const std::vector<TeamId>& teams, const std::string& field) const {
  for (TeamId t : teams) {
    if (!teams_.count(t)) return Error::Invalid(field, "team " + std::to_string(t.value) + " does not exist");
  }
  return Status::Ok();
}

Status Engine::check_team(const Team& team) const {
  if (auto s = validate(team); !s) return s;
  for (const auto& [id, other] : teams_) {
    if (id != team.id && other.name == team.name) {
      return Error::Conflict("duplicate_name", "a team named '" + team.name + "' exists", "name");
    }
  }
  for (const RelaxStep& step : team.routing.relaxation) {
    if (step.team && !teams_.count(*step.team)) {
      return Error::Invalid("routing.relaxation", "overflow team " + std::to_string(step.team->value) + " does not exist");
    }
  }
  if (auto p = make_policy(team.routing); !p) return p.error();
  return Status::Ok();
}

Status Engine::set_team_policy(Team& team) {
  auto policy = make_policy(team.routing);
  if (!policy) return policy.error();
  pool_.set_policy(team.id, policy->get());
  policies_[team.id] = std::move(*policy);
  return Status::Ok();
}

const Ticket* Engine::find_live_ticket(TicketId id) const {
  auto it = live_.find(id);
  return it == live_.end() ? nullptr : &it->second.ticket;
}

const Agent* Engine::find_agent(AgentId id) const {
  auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : &it->second;
}

const Team* Engine::find_team(TeamId id) const {
  auto it = teams_.find(id);
  return it == teams_.end() ? nullptr : &it->second;
}

std::optional<TeamId> Engine::team_named(const std::string& name) const {
  for (const auto& [id, team] : teams_) {
    if (team.name == name) return id;
  }
  return std::nullopt;
}

std::vector<const Ticket*> Engine::live_tickets() const {
  std::vector<const Ticket*> out;
  out.reserve(live_.size());
  for (const auto& [id, lt] : live_) out.push_back(&lt.ticket);
  return out;
}

}  // namespace sb
