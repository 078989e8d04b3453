#pragma once
// round_robin: the eligible agent who has gone longest since an assignment on
// the ticket's channel, so work rotates through the team.
#include "routing/policy.h"

namespace sb {

class RoundRobin final : public RoutingPolicy {
 public:
  static constexpr std::string_view kName = "round_robin";
  std::string_view name() const override { return kName; }
  RankKey rank(const AgentState& a, Channel c, int) const override {
    return {to_millis(a.last_assigned_on[static_cast<std::size_t>(c)]), 0, 0};
  }
  ScoreParts score(const AgentState& a, const TicketNeeds& needs) const override {
    return {{"last_assigned_ms", static_cast<double>(to_millis(a.last_assigned_on[static_cast<std::size_t>(needs.channel)]))}};
  }
};

}  // namespace sb
