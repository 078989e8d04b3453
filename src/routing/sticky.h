#pragma once
// sticky: the requester's previous agent when that agent can take the ticket;
// otherwise the ticket waits for them up to `wait`, then the team's fallback
// policy picks (the engine holds the ticket; see preferred_wait()).
#include <memory>

#include "routing/policy.h"

namespace sb {

class Sticky final : public RoutingPolicy {
 public:
  static constexpr std::string_view kName = "sticky";
  Sticky(std::unique_ptr<RoutingPolicy> fallback, Duration wait) : fallback_(std::move(fallback)), wait_(wait) {}
  std::string_view name() const override { return kName; }
  RankKey rank(const AgentState& a, Channel c, int level) const override { return fallback_->rank(a, c, level); }
  std::optional<Pick> pick(const AgentPool& pool, const TicketNeeds& needs) const override {
    if (needs.preferred && !needs.excludes(*needs.preferred)) {
      const AgentState* a = pool.find(*needs.preferred);
      if (a && a->presence == Presence::kOnline && a->in_team(needs.team) && a->has_room(needs.channel) &&
          a->meets(needs.skills)) {
        return Pick{a->id, proficiency(*a, needs), 1};
      }
    }
    return fallback_->pick(pool, needs);
  }
  ScoreParts score(const AgentState& a, const TicketNeeds& needs) const override {
    ScoreParts parts = fallback_->score(a, needs);
    parts.insert(parts.begin(), {"previous_agent", needs.preferred == a.id ? 1.0 : 0.0});
    return parts;
  }
  Duration preferred_wait() const override { return wait_; }

 private:
  std::unique_ptr<RoutingPolicy> fallback_;
  Duration wait_;
};

}  // namespace sb
