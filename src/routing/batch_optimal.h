#pragma once
// batch_optimal: instead of routing one ticket at a time, the engine hands
// all of a team's waiting tickets and its free capacity to assign_batch(),
// which solves one min-cost flow (LEMON's network simplex):
//
//   source -> ticket (1) -> agent on the ticket's channel (1, cost c(t,a))
//          -> sink (one arc per free slot, cost rising with the slot's load)
//   ticket -> sink directly (1, cost M + value(t)): leaving it unassigned
//
//   c(t,a)   = w_skill x (levels above the minimum, summed, + skills the
//              ticket does not use): a specialist is expensive to spend on
//              work a generalist can do
//   slot k   = w_load x (load + k) / capacity: fills agents evenly
//   value(t) = w_priority x priority + w_wait x seconds waited: when slots
//              are short, the most urgent and longest-waiting get them
//
// M exceeds any assignment cost, so the flow assigns as many tickets as the
// candidate arcs allow. Each ticket considers its best `candidates_per_ticket`
// eligible agents (in the skills_best_match order); the engine then routes
// whatever is left greedily, so no ticket waits while an eligible agent has
// room. Single tickets (pulls) use skills_best_match.
#include <vector>

#include "routing/skills_best_match.h"

namespace sb {

class BatchOptimal final : public RoutingPolicy {
 public:
  static constexpr std::string_view kName = "batch_optimal";
  std::string_view name() const override { return kName; }
  RankKey rank(const AgentState& a, Channel c, int level) const override { return greedy_.rank(a, c, level); }
  std::optional<Pick> pick(const AgentPool& pool, const TicketNeeds& needs) const override {
    return greedy_.pick(pool, needs);
  }
  ScoreParts score(const AgentState& a, const TicketNeeds& needs) const override;
  bool batch() const override { return true; }
  std::vector<BatchAssignment> assign_batch(const AgentPool& pool, const std::vector<BatchTicket>& tickets) const override;

 private:
  SkillsBestMatch greedy_;
};

struct BatchWeights {
  std::int64_t skill = 100;     // per level above the minimum or unused skill
  std::int64_t load = 300;      // per unit of load share
  std::int64_t priority = 10'000;
  std::int64_t wait_per_second = 10;
  int candidates_per_ticket = 24;
};

// Assigns tickets to free capacity at minimum total cost. Pure.
std::vector<BatchAssignment> assign_batch(const AgentPool& pool, const std::vector<BatchTicket>& tickets,
                                          const BatchWeights& weights = {});

// The skill part of c(t,a), for explanations.
std::int64_t mismatch_cost(const AgentState& a, const TicketNeeds& needs, const BatchWeights& weights = {});

}  // namespace sb
