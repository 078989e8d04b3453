#pragma once
// The routing view of every agent: skills, teams, presence, capacity and load
// per channel, and when each last got and last finished work. Alongside it an
// availability index answers "which agents of team T could take one more
// ticket on channel C, with skill S" without scanning every agent.
//
// An agent is *available* on (team, channel) when it is online, belongs to
// the team and its load on the channel is below its capacity there. Each
// index bucket (team, channel, skill) holds the available agents with that
// skill, ordered best first by the team's policy (RoutingPolicy::rank). The
// times in a rank are per channel, so work on one channel reorders only that
// channel's buckets.
//
// Not thread-safe; owned by one Engine.
#include <boost/container/flat_set.hpp>
#include <boost/container/small_vector.hpp>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "core/agent.h"
#include "routing/skills.h"

namespace sb {

class RoutingPolicy;
using RankKey = std::array<std::int64_t, 3>;

// One bit per skill (id mod 64): if an agent's mask lacks a needed skill's
// bit, the agent lacks the skill, so a walk can skip it without reading it.
inline std::uint64_t skill_bit(SkillId s) { return std::uint64_t{1} << (static_cast<unsigned>(s) & 63u); }
inline std::uint64_t skill_mask(const std::vector<SkillLevel>& skills) {
  std::uint64_t m = 0;
  for (SkillLevel s : skills) m |= skill_bit(s.skill);
  return m;
}

struct AgentState {
  AgentId id;
  std::uint64_t skill_mask = 0;
  // Sorted by skill id, kept inline for the usual handful of skills: the
  // ranking walk reads them for every candidate.
  boost::container::small_vector<SkillLevel, 8> skills;
  std::vector<TeamId> teams;
  ChannelCounts capacity{};
  ChannelCounts load{};
  Presence presence = Presence::kOffline;
  Time last_assigned{};  // on any channel; the epoch when never assigned
  std::array<Time, enum_count<Channel>()> last_assigned_on{};  // per channel
  std::array<Time, enum_count<Channel>()> idle_since_on{};     // last finished work or came online, per channel

  // The agent's level in `skill`, 0 when it lacks it.
  int level(SkillId skill) const;
  bool in_team(TeamId team) const;
  bool has_room(Channel c) const;
  // True when the agent meets every required level (ignoring team, presence, room).
  bool meets(const std::vector<SkillLevel>& needs) const;
};

class AgentPool {
 public:
  struct Entry {
    RankKey key;               // the team policy's rank: lower is better
    AgentId id;
    int level;                 // in the bucket's skill; 0 in the any-skill bucket
    std::uint64_t skill_mask;  // skill_bit() of every skill the agent has
    const AgentState* agent;   // stable: agents are never erased
    bool operator<(const Entry& o) const { return key != o.key ? key < o.key : id < o.id; }
  };
  // Contiguous and sorted: walks read memory in order. Small buckets make
  // the O(n) insert cheap; the large any-skill buckets are read at the head.
  using Bucket = boost::container::flat_set<Entry>;

  // `fallback` ranks the buckets of teams with no policy set.
  explicit AgentPool(const RoutingPolicy& fallback) : fallback_(&fallback) {}

  // The policy that orders `team`'s buckets; re-indexes the team. The policy
  // must outlive the pool or the next call for the team.
  void set_policy(TeamId team, const RoutingPolicy* policy);
  const RoutingPolicy& policy(TeamId team) const;

  // Adds or replaces the agent; keeps its load and times when it exists.
  void upsert(AgentId id, const std::vector<SkillLevel>& skills, std::vector<TeamId> teams,
              const ChannelCounts& capacity, Presence presence, Time now);
  void set_presence(AgentId id, Presence presence, Time now);
  // Moves one unit of load on `c`; `at` becomes the last assignment on `c`
  // when later. Does not check capacity: callers do.
  void add_load(AgentId id, Channel c, Time at);
  // Frees one unit on `c`; the agent has been idle on `c` since `now`.
  void remove_load(AgentId id, Channel c, Time now);
  // Restores the last assignment time (at start-up), on every channel.
  void set_last_assigned(AgentId id, Time at);

  const AgentState* find(AgentId id) const;
  const std::map<AgentId, AgentState>& all() const { return agents_; }
  // The agents in `team`, in id order.
  std::vector<const AgentState*> members(TeamId team) const;

  // Available agents of (team, channel) having `skill`, best first; nullptr
  // when none. kAnySkill gives all available agents of the team.
  const Bucket* bucket(TeamId team, Channel c, SkillId skill) const;

 private:
  struct Key {
    TeamId team;
    Channel channel;
    SkillId skill;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept;
  };

  // Index maintenance: every change to an agent is unindex, mutate, index,
  // over all channels or only the one whose load changed.
  void unindex(const AgentState& a);
  void index(const AgentState& a);
  void unindex(const AgentState& a, Channel c);
  void index(const AgentState& a, Channel c);
  void unindex(const AgentState& a, TeamId team, Channel c);
  void index(const AgentState& a, TeamId team, Channel c);

  const RoutingPolicy* fallback_;
  std::unordered_map<TeamId, const RoutingPolicy*> policies_;
  std::map<AgentId, AgentState> agents_;  // node-based: Entry::agent stays valid
  std::unordered_map<TeamId, std::set<AgentId>> members_;
  std::unordered_map<Key, Bucket, KeyHash> buckets_;
};

}  // namespace sb
