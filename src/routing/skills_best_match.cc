#include "routing/skills_best_match.h"

namespace sb {

RankKey SkillsBestMatch::rank(const AgentState& a, Channel c, int level) const {
  const auto i = static_cast<std::size_t>(c);
  return {-level, load_ratio_key(a.load[i], a.capacity[i]), to_millis(a.last_assigned_on[i])};
}

ScoreParts SkillsBestMatch::score(const AgentState& a, const TicketNeeds& needs) const {
  const auto i = static_cast<std::size_t>(needs.channel);
  return {{"proficiency", proficiency(a, needs)},
          {"load_share", load_share(a.load[i], a.capacity[i])},
          {"last_assigned_ms", static_cast<double>(to_millis(a.last_assigned_on[i]))}};
}

std::optional<Pick> SkillsBestMatch::pick(const AgentPool& pool, const TicketNeeds& needs) const {
  if (needs.skills.size() <= 1) {
    // The bucket is in exactly this policy's order: its first fit wins.
    const SkillId skill = needs.skills.empty() ? kAnySkill : needs.skills.front().skill;
    const int min = needs.skills.empty() ? 0 : needs.skills.front().level;
    const AgentPool::Bucket* b = pool.bucket(needs.team, needs.channel, skill);
    if (!b) return std::nullopt;
    for (const AgentPool::Entry& e : *b) {
      if (e.level < min) return std::nullopt;
      if (!needs.excludes(e.id)) return Pick{e.id, e.level, 1};
    }
    return std::nullopt;
  }

  // Several skills: walk the smallest bucket among them; its order is by that
  // skill's level, so the walk can stop once no later agent can beat the best.
  const AgentPool::Bucket* primary = nullptr;
  SkillLevel primary_need{};
  for (SkillLevel need : needs.skills) {
    const AgentPool::Bucket* b = pool.bucket(needs.team, needs.channel, need.skill);
    if (!b) return std::nullopt;
    if (!primary || b->size() < primary->size()) {
      primary = b;
      primary_need = need;
    }
  }
  const int others_max = kMaxProficiency * static_cast<int>(needs.skills.size() - 1);

  std::optional<Pick> best;
  const AgentPool::Entry* best_entry = nullptr;
  int compared = 0;
  const std::uint64_t mask = skill_mask(needs.skills);
  for (const AgentPool::Entry& e : *primary) {
    if (e.level < primary_need.level) break;
    if (best && best->proficiency > e.level + others_max) break;
    if ((e.skill_mask & mask) != mask || !e.agent->meets(needs.skills) || needs.excludes(e.id)) continue;
    const int sum = proficiency(*e.agent, needs);
    ++compared;
    // Among equal sums the lower load share, then the longer idle, wins;
    // those are key[1] and key[2] of the rank.
    bool better = !best || sum > best->proficiency;
    if (!better && sum == best->proficiency) {
      better = std::tie(e.key[1], e.key[2], e.id) < std::tie(best_entry->key[1], best_entry->key[2], best_entry->id);
    }
    if (better) {
      best = Pick{e.id, sum, 0};
      best_entry = &e;
    }
  }
  if (best) best->compared = compared;
  return best;
}

}  // namespace sb
