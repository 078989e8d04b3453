#include "routing/skills_best_match.h"

namespace sb {

std::optional<Pick> SkillsBestMatch::pick(const AgentPool& pool, const TicketNeeds& needs) const {
  if (needs.skills.empty()) {
    const AgentPool::Bucket* any = pool.bucket(needs.team, needs.channel, kAnySkill);
    if (!any) return std::nullopt;
    return Pick{any->begin()->id, 0, 1};
  }

  if (needs.skills.size() == 1) {
    // The bucket is in exactly this policy's order: its first agent wins.
    const SkillLevel need = needs.skills.front();
    const AgentPool::Bucket* b = pool.bucket(needs.team, needs.channel, need.skill);
    if (!b || b->begin()->level < need.level) return std::nullopt;
    return Pick{b->begin()->id, b->begin()->level, 1};
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
  for (const AgentPool::Entry& e : *primary) {
    if (e.level < primary_need.level) break;
    if (best && best->proficiency > e.level + others_max) break;
    const AgentState* agent = e.agent;
    int sum = 0;
    bool ok = true;
    for (SkillLevel need : needs.skills) {
      const int level = agent->level(need.skill);
      if (level < need.level) {
        ok = false;
        break;
      }
      sum += level;
    }
    if (!ok) continue;
    ++compared;
    // Entries come in (level, load, idle) order, so among equal sums the first
    // seen wins unless a later one is less loaded or idler.
    bool better = !best || sum > best->proficiency;
    if (!better && sum == best->proficiency) {
      AgentPool::Entry a = e, b = *best_entry;
      a.level = b.level = 0;  // compare on load, idle and id alone
      better = a < b;
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
