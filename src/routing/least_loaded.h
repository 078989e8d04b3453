#pragma once
// least_loaded: the eligible agent with the most spare capacity on the
// ticket's channel, measured as free slots (absolute) or as load over
// capacity (percentage); ties go to the longest since an assignment.
#include "routing/policy.h"

namespace sb {

class LeastLoaded final : public RoutingPolicy {
 public:
  static constexpr std::string_view kName = "least_loaded";
  explicit LeastLoaded(LoadMeasure measure) : measure_(measure) {}
  std::string_view name() const override { return kName; }
  RankKey rank(const AgentState& a, Channel c, int) const override {
    const auto i = static_cast<std::size_t>(c);
    const std::int64_t spare = a.capacity[i] - a.load[i];
    const std::int64_t ratio = load_ratio_key(a.load[i], a.capacity[i]);
    if (measure_ == LoadMeasure::kAbsolute) return {-spare, ratio, to_millis(a.last_assigned_on[i])};
    return {ratio, -spare, to_millis(a.last_assigned_on[i])};
  }
  ScoreParts score(const AgentState& a, const TicketNeeds& needs) const override {
    const auto i = static_cast<std::size_t>(needs.channel);
    return {{"spare", a.capacity[i] - a.load[i]}, {"load_share", load_share(a.load[i], a.capacity[i])}};
  }

 private:
  LoadMeasure measure_;
};

}  // namespace sb
