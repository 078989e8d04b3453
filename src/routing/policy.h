#pragma once
// A routing policy ranks the agents that could take a ticket and picks one.
// Eligibility (online, in the team, every required skill at its minimum,
// room on the ticket's channel) is decided by the AgentPool's index before a
// policy sees anyone; a policy only ranks. Policies are pure: pick() reads
// the pool and returns a choice, it never changes state.
#include <memory>
#include <optional>
#include <string_view>

#include "core/status.h"
#include "routing/agent_pool.h"
#include "routing/skills.h"

namespace sb {

struct Pick {
  AgentId agent;
  int proficiency = 0;  // sum of the agent's levels in the required skills
  int compared = 0;     // eligible agents compared before choosing
};

class RoutingPolicy {
 public:
  virtual ~RoutingPolicy() = default;
  virtual std::string_view name() const = 0;
  // The best eligible agent for `needs`, or nullopt when nobody is eligible.
  virtual std::optional<Pick> pick(const AgentPool& pool, const TicketNeeds& needs) const = 0;
};

// The one place that maps a policy name to a policy. An unknown name is an
// invalid_value error on `field`.
Result<std::unique_ptr<RoutingPolicy>> make_policy(std::string_view name,
                                                   std::string_view field = "routing.policy");

}  // namespace sb
