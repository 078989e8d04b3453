#include "routing/agent_pool.h"

#include <algorithm>
#include <tuple>

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

bool AgentPool::Entry::operator<(const Entry& o) const {
  if (level != o.level) return level > o.level;
  // load/capacity < o.load/o.capacity without division; capacity > 0 here
  // because an agent with no room is not in the index.
  const long lhs = static_cast<long>(load) * o.capacity;
  const long rhs = static_cast<long>(o.load) * capacity;
  if (lhs != rhs) return lhs < rhs;
  return std::tie(last_assigned, id) < std::tie(o.last_assigned, o.id);
}

std::size_t AgentPool::KeyHash::operator()(const Key& k) const noexcept {
  std::size_t h = std::hash<std::int64_t>{}(k.team.value);
  h = h * 31 + static_cast<std::size_t>(k.channel);
  return h * 1000003u + static_cast<std::size_t>(k.skill + 1);
}

AgentPool::Entry AgentPool::entry(const AgentState& a, std::size_t c, int level) const {
  return {level, a.load[c], a.capacity[c], a.last_assigned_on[c], a.id, &a};
}

void AgentPool::unindex(const AgentState& a, Channel ch) {
  const auto c = static_cast<std::size_t>(ch);
  if (a.presence != Presence::kOnline || a.load[c] >= a.capacity[c]) return;
  for (TeamId team : a.teams) {
    if (auto it = buckets_.find({team, ch, kAnySkill}); it != buckets_.end()) it->second.erase(entry(a, c, 0));
    for (SkillLevel s : a.skills) {
      if (auto it = buckets_.find({team, ch, s.skill}); it != buckets_.end()) it->second.erase(entry(a, c, s.level));
    }
  }
}

void AgentPool::index(const AgentState& a, Channel ch) {
  const auto c = static_cast<std::size_t>(ch);
  if (a.presence != Presence::kOnline || a.load[c] >= a.capacity[c]) return;
  for (TeamId team : a.teams) {
    buckets_[{team, ch, kAnySkill}].insert(entry(a, c, 0));
    for (SkillLevel s : a.skills) buckets_[{team, ch, s.skill}].insert(entry(a, c, s.level));
  }
}

void AgentPool::unindex(const AgentState& a) {
  for (std::size_t c = 0; c < a.capacity.size(); ++c) unindex(a, static_cast<Channel>(c));
}

void AgentPool::index(const AgentState& a) {
  for (std::size_t c = 0; c < a.capacity.size(); ++c) index(a, static_cast<Channel>(c));
}

void AgentPool::upsert(AgentId id, std::vector<SkillLevel> skills, std::vector<TeamId> teams,
                       const ChannelCounts& capacity, Presence presence) {
  auto [it, inserted] = agents_.try_emplace(id);
  AgentState& a = it->second;
  if (!inserted) unindex(a);
  a.id = id;
  a.skills.assign(skills.begin(), skills.end());
  a.teams = std::move(teams);
  a.capacity = capacity;
  a.presence = presence;
  index(a);
}

void AgentPool::set_presence(AgentId id, Presence presence) {
  auto it = agents_.find(id);
  if (it == agents_.end()) return;
  unindex(it->second);
  it->second.presence = presence;
  index(it->second);
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

void AgentPool::remove_load(AgentId id, Channel c) {
  auto it = agents_.find(id);
  if (it == agents_.end()) return;
  unindex(it->second, c);
  int& load = it->second.load[static_cast<std::size_t>(c)];
  if (load > 0) --load;
  index(it->second, c);
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

const AgentPool::Bucket* AgentPool::bucket(TeamId team, Channel c, SkillId skill) const {
  auto it = buckets_.find({team, c, skill});
  return it == buckets_.end() || it->second.empty() ? nullptr : &it->second;
}

}  // namespace sb
