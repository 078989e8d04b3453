#pragma once
// The default policy: the eligible agent with the highest proficiency in the
// ticket's required skills (summed), then the lowest load relative to
// capacity on the ticket's channel, then the longest since an assignment on
// that channel.
#include "routing/policy.h"

namespace sb {

class SkillsBestMatch final : public RoutingPolicy {
 public:
  static constexpr std::string_view kName = "skills_best_match";
  std::string_view name() const override { return kName; }
  RankKey rank(const AgentState& a, Channel c, int level) const override;
  std::optional<Pick> pick(const AgentPool& pool, const TicketNeeds& needs) const override;
  ScoreParts score(const AgentState& a, const TicketNeeds& needs) const override;
};

}  // namespace sb
