#include "routing/explain.h"

#include <algorithm>

namespace sb {

std::optional<Exclusion> exclusion(const AgentState& a, const TicketNeeds& needs, const SkillTable& skills) {
  if (a.presence != Presence::kOnline) {
    return Exclusion{std::string(to_string(a.presence)), std::string(to_string(a.presence))};
  }
  if (needs.excludes(a.id)) return Exclusion{"declined", "declined this ticket or let the offer lapse"};
  for (SkillLevel n : needs.skills) {
    const int level = a.level(n.skill);
    if (level == 0) return Exclusion{"missing_skill", "missing skill " + skills.name(n.skill)};
    if (level < n.level) {
      return Exclusion{"low_proficiency", "skill " + skills.name(n.skill) + " at " + std::to_string(level) +
                                              ", needs " + std::to_string(n.level)};
    }
  }
  if (!a.has_room(needs.channel)) {
    const auto c = static_cast<std::size_t>(needs.channel);
    return Exclusion{"at_capacity", "at capacity on " + std::string(to_string(needs.channel)) + " (" +
                                        std::to_string(a.load[c]) + "/" + std::to_string(a.capacity[c]) + ")"};
  }
  return std::nullopt;
}

void explain(const AgentPool& pool, const RoutingPolicy& policy, const TicketNeeds& needs, const SkillTable& skills,
             const std::function<std::string(AgentId)>& name_of, std::optional<AgentId> winner, Decision& decision,
             std::size_t runners_up, std::size_t excluded) {
  std::vector<const AgentState*> eligible;
  std::vector<CandidateNote> passed_over;
  for (const AgentState* a : pool.members(needs.team)) {
    if (auto why = exclusion(*a, needs, skills)) {
      ++decision.excluded_counts[why->kind];
      if (passed_over.size() < excluded) passed_over.push_back({a->id, name_of(a->id), false, why->text, {}});
    } else if (!winner || a->id != *winner) {
      eligible.push_back(a);
    }
  }
  auto key = [&](const AgentState* a) { return policy.rank(*a, needs.channel, proficiency(*a, needs)); };
  const std::size_t keep = std::min(runners_up, eligible.size());
  std::partial_sort(eligible.begin(), eligible.begin() + static_cast<std::ptrdiff_t>(keep), eligible.end(),
                    [&](const AgentState* x, const AgentState* y) {
                      auto kx = key(x), ky = key(y);
                      return kx != ky ? kx < ky : x->id < y->id;
                    });
  decision.candidates.clear();
  if (winner) {
    if (const AgentState* w = pool.find(*winner)) {
      decision.candidates.push_back({w->id, name_of(w->id), true, "chosen", policy.score(*w, needs)});
    }
  }
  for (std::size_t i = 0; i < keep; ++i) {
    decision.candidates.push_back(
        {eligible[i]->id, name_of(eligible[i]->id), true, "eligible, ranked lower", policy.score(*eligible[i], needs)});
  }
  if (eligible.size() > keep) decision.excluded_counts["eligible_not_shown"] += static_cast<int>(eligible.size() - keep);
  for (CandidateNote& n : passed_over) decision.candidates.push_back(std::move(n));
}

}  // namespace sb
