#pragma once
// longest_idle: the eligible agent who finished work on the ticket's channel
// (or came online) longest ago, as contact-centre ACDs route calls.
#include "routing/policy.h"

namespace sb {

class LongestIdle final : public RoutingPolicy {
 public:
  static constexpr std::string_view kName = "longest_idle";
  std::string_view name() const override { return kName; }
  RankKey rank(const AgentState& a, Channel c, int) const override {
    const auto i = static_cast<std::size_t>(c);
    return {to_millis(a.idle_since_on[i]), load_ratio_key(a.load[i], a.capacity[i]), 0};
  }
  ScoreParts score(const AgentState& a, const TicketNeeds& needs) const override {
    return {{"idle_since_ms", static_cast<double>(to_millis(a.idle_since_on[static_cast<std::size_t>(needs.channel)]))}};
  }
};

}  // namespace sb
