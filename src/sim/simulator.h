#pragma once
// The simulator (docs/simulation.md): the real Engine and its routing
// policies driven on a virtual clock by generated or recorded arrivals.
// Nothing of routing is re-implemented here: tickets are created, agents
// change presence at shift boundaries, and work is solved after its handle
// time, all through the Engine's commands; the simulator only keeps the
// clock and measures. Deterministic for a given seed.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/agent.h"
#include "core/ticket.h"

namespace sb::sim {

// A distribution of durations in seconds.
struct Distribution {
  enum class Kind { kExponential, kLognormal, kConstant, kEmpirical };
  Kind kind = Kind::kExponential;
  double mean = 0;
  double sd = 0;               // lognormal: the standard deviation of the duration itself
  std::vector<double> values;  // empirical: drawn uniformly
  double sample(std::mt19937_64& rng) const;
};

// One kind of work: its arrivals, what it needs and how long it takes.
struct CallType {
  std::string name;
  double per_hour = 0;         // Poisson arrivals per hour, times profile[hour of day]
  std::vector<double> profile;  // 24 multipliers by hour of day; empty: flat
  SkillLevels skills;          // the skills an agent needs
  Priority priority = Priority::kNormal;
  Channel channel = Channel::kPhone;
  Distribution handle;
  std::optional<Distribution> patience;  // none: callers wait as long as it takes
};

// Agents alike: skills, how many calls each holds at once, when on duty.
struct AgentGroup {
  std::string name;
  int count = 1;
  SkillLevels skills;
  int capacity = 1;
  std::vector<bool> on_duty;  // 24 hours of the day; empty: always
};

// A recorded arrival (replay): times in seconds from the start. What the
// record does not tell is drawn from the type's distributions in each
// replication: the handle time of a caller who hung up, the patience of one
// who was answered (at least as long as they were seen to wait).
struct Arrival {
  double at = 0;
  int type = 0;                    // index into Scenario::types
  std::optional<double> handle;    // none: drawn
  std::optional<double> patience;  // known (they hung up after it); none: drawn, if the type has a patience
  double waited = 0;               // a drawn patience is at least this
};

struct Scenario {
  std::string name;
  std::vector<CallType> types;
  std::vector<AgentGroup> agents;
  TeamRouting routing;           // the policy under test, and its settings
  double hours = 24;             // arrivals stop then; calls in progress finish
  int hour_offset = 0;           // the hour of the day the virtual clock starts at (shifts, profiles, by-hour figures)
  double warmup_hours = 0;       // arrivals before this are not measured
  double target_seconds = 20;    // service level: answered within this
  int replications = 5;
  int threads = 1;               // replications run in parallel on this many threads
  std::uint64_t seed = 1;
  // When set, arrivals come from here (replications then differ only where
  // the routing draws lots).
  std::vector<Arrival> replay;
};

// A mean over replications and its 95 % confidence half-width (Student t).
struct Estimate {
  double mean = 0;
  double half_width = 0;
};

struct Figures {
  std::string name;      // "all", a call type, or an agent group
  Estimate calls;        // measured arrivals per replication
  Estimate asa;          // average speed of answer: mean wait of answered calls, seconds
  Estimate p_wait;       // share of calls that waited at all
  Estimate service_level;  // share of calls answered within the target
  Estimate p_abandon;    // share of calls that gave up
  Estimate occupancy;    // agents' busy time / on-duty time (groups and "all")
};

struct Outcome {
  std::string policy;
  Figures all;
  std::vector<Figures> per_type;
  std::vector<Figures> per_group;
  struct AgentFigures {
    std::string name;    // "<group> <n>"
    Estimate handled;    // calls answered per replication
    Estimate occupancy;  // busy time / on-duty time × capacity
  };
  std::vector<AgentFigures> per_agent;
  Estimate fairness;                 // Gini of calls handled per agent
  std::array<Estimate, 24> service_level_by_hour{};  // by the hour of day calls arrived
  std::array<int, 24> calls_by_hour{};               // over all replications
  std::vector<double> waits;         // every answered call's wait, all replications (for plots)
  std::size_t simulated = 0;         // calls simulated, warm-up included, all replications
};

// Runs the scenario's replications. `progress(done, total)` is called now and
// then with calls simulated so far. Errors: a bad scenario (no types, no
// agents, a type no agent can serve is fine: it waits or abandons).
Result<Outcome> simulate(const Scenario& scenario, const std::function<void(std::size_t, std::size_t)>& progress = {});

// Student t quantile for a two-sided 95 % interval with `df` degrees of freedom.
double t95(int df);

}  // namespace sb::sim
