#pragma once
// Explanations: why each agent of a team could or could not take a ticket,
// and how the eligible ones scored under the team's policy.
#include <functional>
#include <optional>
#include <string>

#include "core/decision.h"
#include "routing/agent_pool.h"
#include "routing/policy.h"

namespace sb {

struct Exclusion {
  std::string kind;  // offline, away, declined, missing_skill, low_proficiency, at_capacity
  std::string text;  // "missing skill vpn", "at capacity on chat (3/3)"
};

// Why `a` cannot take a ticket with `needs` now; nullopt when it can.
std::optional<Exclusion> exclusion(const AgentState& a, const TicketNeeds& needs, const SkillTable& skills);

// Fills decision.candidates and decision.excluded_counts from the members of
// needs.team: the winner first, then up to `runners_up` other eligible agents
// in the policy's order, then up to `excluded` passed-over agents with their
// reasons. Counts cover every member. `name_of` gives an agent's name.
void explain(const AgentPool& pool, const RoutingPolicy& policy, const TicketNeeds& needs, const SkillTable& skills,
             const std::function<std::string(AgentId)>& name_of, std::optional<AgentId> winner, Decision& decision,
             std::size_t runners_up = 4, std::size_t excluded = 6);

}  // namespace sb
