#pragma once
// A routing policy ranks the agents that could take a ticket and picks one.
// Eligibility (online, in the team, every required skill at its minimum,
// room on the ticket's channel, not having declined it) is decided before a
// policy's ranking matters: the AgentPool's index holds only available agents
// and orders each bucket by the policy's rank(). A policy is pure: it reads
// the pool and returns a choice, it never changes state.
//
// Each policy lives in its own file; make_policy() is the one place that
// maps a name to a policy.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/agent.h"
#include "core/status.h"
#include "routing/agent_pool.h"
#include "routing/skills.h"

namespace sb {

// One waiting ticket in a batch (batch policies assign many at once).
struct BatchTicket {
  TicketId id;
  TicketNeeds needs;
  Priority priority = Priority::kNormal;
  Duration waited{0};
};

struct BatchAssignment {
  TicketId ticket;
  AgentId agent;
  int proficiency = 0;
  std::int64_t cost = 0;  // what the batch solver charged for this pair
};

// A waiting ticket an agent could take now (it meets the ticket's needs and
// has room on its channel), as the engine offers it to take_next().
struct WaitingTicket {
  TicketId id;
  TeamId team;                  // the queue it waits in (its own team, or one it overflows to)
  std::int64_t rank = 0;        // its queue rank (priority with aging, or time to breach); lower first
  Time since{};                 // when it arrived
  bool held_for_agent = false;  // held for this very agent (sticky)
};

struct Pick {
  AgentId agent;
  int proficiency = 0;  // sum of the agent's levels in the required skills
  int compared = 0;     // eligible agents compared before choosing
};

using ScoreParts = std::vector<std::pair<std::string, double>>;

class RoutingPolicy {
 public:
  virtual ~RoutingPolicy() = default;
  virtual std::string_view name() const = 0;

  // Orders an index bucket of channel `c`, best first (lower key wins; ties
  // go to the lower agent id). `level` is the agent's level in the bucket's
  // skill, 0 in the any-skill bucket.
  virtual RankKey rank(const AgentState& a, Channel c, int level) const = 0;

  // The best eligible agent for `needs`, or nullopt when nobody is eligible.
  // By default: the first agent in rank order, in the smallest bucket among
  // the required skills, that meets every need.
  virtual std::optional<Pick> pick(const AgentPool& pool, const TicketNeeds& needs) const;

  // The components of `a`'s rank, named, for explanations.
  virtual ScoreParts score(const AgentState& a, const TicketNeeds& needs) const = 0;

  // How long a ticket may wait for needs.preferred while that agent cannot
  // take it (sticky); zero: never wait.
  virtual Duration preferred_wait() const { return Duration(0); }

  // True when the engine should assign this team's waiting tickets in batches
  // (batch_optimal) rather than one at a time.
  virtual bool batch() const { return false; }

  // Batch policies: assignments for `tickets` at once (each ticket at most
  // once, never past an agent's room). The engine serves what is left
  // greedily with pick(). By default none.
  virtual std::vector<BatchAssignment> assign_batch(const AgentPool& pool, const std::vector<BatchTicket>& tickets) const {
    return {};
  }

  // The other question: which waiting ticket an agent who just came online
  // or gained room takes next, of `waiting` (never empty; every one is a
  // ticket the agent can serve): its index. The engine asks the policy of
  // the agent's first team. By default a ticket held for the agent first,
  // then the lowest rank, then the oldest (the order of the queues).
  virtual std::size_t take_next(const AgentState& agent, const std::vector<WaitingTicket>& waiting) const;
};

// The names make_policy() knows, for messages and docs.
inline constexpr std::string_view kPolicyNames =
    "round_robin|least_loaded|longest_idle|skills_best_match|sticky|batch_optimal";

// Builds the policy `routing.policy` names, with the team's settings. An
// unknown name (or an unknown or sticky fallback for sticky) is an
// invalid_value error on `field`.
Result<std::unique_ptr<RoutingPolicy>> make_policy(const TeamRouting& routing,
                                                   std::string_view field = "routing.policy");
Result<std::unique_ptr<RoutingPolicy>> make_policy(std::string_view name,
                                                   std::string_view field = "routing.policy");

// Helpers for rank keys.
// load/capacity scaled to an integer that keeps every distinct ratio of
// loads and capacities up to 1,000 distinct.
inline std::int64_t load_ratio_key(int load, int capacity) {
  return capacity > 0 ? static_cast<std::int64_t>(load) * 10'000'000 / capacity : 10'000'000;
}
inline double load_share(int load, int capacity) { return capacity > 0 ? double(load) / capacity : 1.0; }

// Sum of `a`'s levels over the needed skills.
int proficiency(const AgentState& a, const TicketNeeds& needs);

}  // namespace sb
