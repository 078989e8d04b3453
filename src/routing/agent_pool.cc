#include "routing/agent_pool.h"

#include <algorithm>

#include "routing/policy.h"

namespace sb {

int AgentState::level(SkillId skill) const {
  auto it = std::lower_bound(skills.begin(), skills.end(), skill,
                             [](SkillLevel s, SkillId id) { return s.skill < id; });
  return it != skills.end() && it->skill == skill ? it->level : 0;
}

bool AgentState::in_team(TeamId team) const {
  return std::find(teams.begin(), teams.end(), team) != teams.end();
}

bool AgentState::has_room(Channel c) const {
  const auto i = static_cast<std::size_t>(c);
  return load[i] < capacity[i];
}

bool AgentState::meets(const std::vector<SkillLevel>& needs) const {
  return std::all_of(needs.begin(), needs.end(),
                     [&](SkillLevel n) { return level(n.skill) >= n.level; });
}

std::size_t AgentPool::KeyHash::operator()(const Key& k) const noexcept {
  std::size_t h = std::hash<std::int64_t>{}(k.team.value);
  h = h * 31 + static_cast<std::size_t>(k.channel);
  return h * 1000003u + static_cast<std::size_t>(k.skill + 1);
}

const RoutingPolicy& AgentPool::policy(TeamId team) const {
  auto it = policies_.find(team);
  return it == policies_.end() ? *fallback_ : *it->second;
}

void AgentPool::set_policy(TeamId team, const RoutingPolicy* policy) {
  std::vector<AgentState*> members;
  for (AgentId id : members_[team]) members.push_back(&agents_.at(id));
  for (AgentState* a : members) {
    for (std::size_t c = 0; c < a->capacity.size(); ++c) unindex(*a, team, static_cast<Channel>(c));
  }
  policies_[team] = policy;
  for (AgentState* a : members) {
    for (std::size_t c = 0; c < a->capacity.size(); ++c) index(*a, team, static_cast<Channel>(c));
  }
}

void AgentPool::unindex(const AgentState& a, TeamId team, Channel ch) {
  const auto c = static_cast<std::size_t>(ch);
  if (a.presence != Presence::kOnline || a.load[c] >= a.capacity[c]) return;
  const RoutingPolicy& p = policy(team);
  if (auto it = buckets_.find({team, ch, kAnySkill}); it != buckets_.end()) {
    it->second.erase(Entry{p.rank(a, ch, 0), a.id, 0, a.skill_mask, &a});
  }
  for (SkillLevel s : a.skills) {
    if (auto it = buckets_.find({team, ch, s.skill}); it != buckets_.end()) {
      it->second.erase(Entry{p.rank(a, ch, s.level), a.id, s.level, a.skill_mask, &a});
    }
  }
}

void AgentPool::index(const AgentState& a, TeamId team, Channel ch) {
  const auto c = static_cast<std::size_t>(ch);
  if (a.presence != Presence::kOnline || a.load[c] >= a.capacity[c]) return;
  const RoutingPolicy& p = policy(team);
  buckets_[{team, ch, kAnySkill}].insert(Entry{p.rank(a, ch, 0), a.id, 0, a.skill_mask, &a});
  for (SkillLevel s : a.skills) {
    buckets_[{team, ch, s.skill}].insert(Entry{p.rank(a, ch, s.level), a.id, s.level, a.skill_mask, &a});
  }
}

void AgentPool::unindex(const AgentState& a, Channel c) {
  for (TeamId team : a.teams) unindex(a, team, c);
}

void AgentPool::index(const AgentState& a, Channel c) {
  for (TeamId team : a.teams) index(a, team, c);
}

void AgentPool::unindex(const AgentState& a) {
  for (std::size_t c = 0; c < a.capacity.size(); ++c) unindex(a, static_cast<Channel>(c));
}

void AgentPool::index(const AgentState& a) {
  for (std::size_t c = 0; c < a.capacity.size(); ++c) index(a, static_cast<Channel>(c));
}

void AgentPool::upsert(AgentId id, const std::vector<SkillLevel>& skills, std::vector<TeamId> teams,
                       const ChannelCounts& capacity, Presence presence, Time now) {
  auto [it, inserted] = agents_.try_emplace(id);
  AgentState& a = it->second;
  if (!inserted) unindex(a);
  for (TeamId t : a.teams) members_[t].erase(id);
  for (TeamId t : teams) members_[t].insert(id);
  a.id = id;
  a.skills.assign(skills.begin(), skills.end());
  a.skill_mask = skill_mask(skills);
  a.teams = std::move(teams);
  a.capacity = capacity;
  if (presence == Presence::kOnline && (inserted || a.presence != Presence::kOnline)) a.idle_since_on.fill(now);
  a.presence = presence;
  index(a);
}

void AgentPool::set_presence(AgentId id, Presence presence, Time now) {
  auto it = agents_.find(id);
  if (it == agents_.end()) return;
  AgentState& a = it->second;
  unindex(a);
  if (presence == Presence::kOnline && a.presence != Presence::kOnline) a.idle_since_on.fill(now);
  a.presence = presence;
  index(a);
}

void AgentPool::add_load(AgentId id, Channel c, Time at) {
  auto it = agents_.find(id);
  if (it == agents_.end()) return;
  AgentState& a = it->second;
  const auto i = static_cast<std::size_t>(c);
  unindex(a, c);
  ++a.load[i];
  a.last_assigned = std::max(a.last_assigned, at);
  a.last_assigned_on[i] = std::max(a.last_assigned_on[i], at);
  index(a, c);
}

void AgentPool::remove_load(AgentId id, Channel c, Time now) {
  auto it = agents_.find(id);
  if (it == agents_.end()) return;
  AgentState& a = it->second;
  const auto i = static_cast<std::size_t>(c);
  unindex(a, c);
  if (a.load[i] > 0) --a.load[i];
  a.idle_since_on[i] = std::max(a.idle_since_on[i], now);
  index(a, c);
}

void AgentPool::set_last_assigned(AgentId id, Time at) {
  auto it = agents_.find(id);
  if (it == agents_.end()) return;
  AgentState& a = it->second;
  unindex(a);
  a.last_assigned = std::max(a.last_assigned, at);
  for (Time& t : a.last_assigned_on) t = std::max(t, at);
  index(a);
}

const AgentState* AgentPool::find(AgentId id) const {
  auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : &it->second;
}

std::vector<const AgentState*> AgentPool::members(TeamId team) const {
  std::vector<const AgentState*> out;
  auto it = members_.find(team);
  if (it == members_.end()) return out;
  for (AgentId id : it->second) out.push_back(&agents_.at(id));
  return out;
}

const AgentPool::Bucket* AgentPool::bucket(TeamId team, Channel c, SkillId skill) const {
  auto it = buckets_.find({team, c, skill});
  return it == buckets_.end() || it->second.empty() ? nullptr : &it->second;
}

}  // namespace sb
