#include "routing/policy.h"

#include <algorithm>
#include <tuple>

#include <string>

#include "routing/batch_optimal.h"
#include "routing/least_loaded.h"
#include "routing/longest_idle.h"
#include "routing/round_robin.h"
#include "routing/skills_best_match.h"
#include "routing/sticky.h"

namespace sb {

int proficiency(const AgentState& a, const TicketNeeds& needs) {
  int sum = 0;
  for (SkillLevel n : needs.skills) sum += a.level(n.skill);
  return sum;
}

std::optional<Pick> RoutingPolicy::pick(const AgentPool& pool, const TicketNeeds& needs) const {
  const AgentPool::Bucket* walk = nullptr;
  if (needs.skills.empty()) {
    walk = pool.bucket(needs.team, needs.channel, kAnySkill);
  } else {
    for (SkillLevel need : needs.skills) {
      const AgentPool::Bucket* b = pool.bucket(needs.team, needs.channel, need.skill);
      if (!b) return std::nullopt;
      if (!walk || b->size() < walk->size()) walk = b;
    }
  }
  if (!walk) return std::nullopt;
  const std::uint64_t mask = skill_mask(needs.skills);
  for (const AgentPool::Entry& e : *walk) {
    if ((e.skill_mask & mask) != mask || !e.agent->meets(needs.skills) || needs.excludes(e.id)) continue;
    return Pick{e.id, proficiency(*e.agent, needs), 1};
  }
  return std::nullopt;
}

std::size_t RoutingPolicy::take_next(const AgentState&, const std::vector<WaitingTicket>& waiting) const {
  auto before = [](const WaitingTicket& a, const WaitingTicket& b) {
    if (a.held_for_agent != b.held_for_agent) return a.held_for_agent;
    return std::tie(a.rank, a.since, a.id) < std::tie(b.rank, b.since, b.id);
  };
  return static_cast<std::size_t>(std::min_element(waiting.begin(), waiting.end(), before) - waiting.begin());
}

Result<std::unique_ptr<RoutingPolicy>> make_policy(const TeamRouting& routing, std::string_view field) {
  const std::string_view name = routing.policy;
  if (name == SkillsBestMatch::kName) return std::unique_ptr<RoutingPolicy>(new SkillsBestMatch());
  if (name == RoundRobin::kName) return std::unique_ptr<RoutingPolicy>(new RoundRobin());
  if (name == LeastLoaded::kName) return std::unique_ptr<RoutingPolicy>(new LeastLoaded(routing.load_measure));
  if (name == LongestIdle::kName) return std::unique_ptr<RoutingPolicy>(new LongestIdle());
  if (name == BatchOptimal::kName) return std::unique_ptr<RoutingPolicy>(new BatchOptimal());
  if (name == Sticky::kName) {
    TeamRouting fallback = routing;
    fallback.policy = routing.fallback_policy;
    if (fallback.policy == Sticky::kName || fallback.policy == BatchOptimal::kName) {
      return Error::Invalid("routing.fallback_policy", "sticky falls back to a greedy policy other than sticky");
    }
    auto inner = make_policy(fallback, "routing.fallback_policy");
    if (!inner) return inner.error();
    return std::unique_ptr<RoutingPolicy>(new Sticky(std::move(*inner), routing.sticky_wait));
  }
  return Error::Invalid(std::string(field), "unknown routing policy '" + std::string(name) + "'; expected one of " +
                                                std::string(kPolicyNames));
}

Result<std::unique_ptr<RoutingPolicy>> make_policy(std::string_view name, std::string_view field) {
  TeamRouting routing;
  routing.policy = std::string(name);
  return make_policy(routing, field);
}

}  // namespace sb
