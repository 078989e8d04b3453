#pragma once
// Reports over stored tickets (docs/reporting.md): pure aggregation of
// TicketFacts into rows per time bucket and group. Percentiles are exact
// (nearest rank over the values of each row).
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace sb::reports {

enum class Interval { kNone, kHour, kDay };

struct Stats {
  std::size_t count = 0;
  std::optional<double> median, p90, mean;  // seconds
};

struct Row {
  std::optional<Time> bucket;  // start of the hour/day (UTC); none for Interval::kNone
  std::string group;
  std::size_t created = 0;     // volume
  std::size_t solved = 0;
  Stats time_to_assign;        // created -> (last) assignment, over tickets assigned
  Stats time_to_first_response;  // created -> first public reply, over tickets replied to
  Stats time_to_resolve;       // created -> solved, over tickets solved
  std::size_t sla_met = 0, sla_breached = 0;  // tickets whose SLA is decided
  std::optional<double> sla_attainment;       // met / (met + breached)
  std::size_t reassignments = 0, escalations = 0, declines = 0, offer_timeouts = 0;
  // Time to assign as a histogram: counts below each of kWaitEdges, then above the last.
  std::vector<std::size_t> wait_histogram;
};
inline constexpr std::array<double, 8> kWaitEdges{10, 30, 60, 120, 300, 600, 1800, 3600};  // seconds

// Rows per bucket and group, fed one fact at a time (Store::scan_ticket_facts).
class TicketAggregator {
 public:
  explicit TicketAggregator(Interval interval);
  ~TicketAggregator();
  void add(const TicketFact& f);
  std::vector<Row> rows();  // in bucket, then group order
  std::size_t tickets() const { return tickets_; }

 private:
  struct Acc;
  struct Group;
  std::int64_t width_;
  std::size_t tickets_ = 0;
  std::unordered_map<std::string, std::unique_ptr<Group>> groups_;
};
std::vector<Row> aggregate(const std::vector<TicketFact>& facts, Interval interval);

// The backlog (tickets created and not yet solved or closed) at the end of
// each bucket of [from, to), or at `to` for Interval::kNone, per group: how
// many, how many without an agent, and how old (seconds since creation).
// Reads facts of FactRange::kOpen.
struct BacklogRow {
  Time at;
  std::string group;
  std::size_t open = 0, unassigned = 0;
  std::optional<double> age_median, age_p90, age_max;
};
// Keeps what the backlog needs of each fact (24 bytes), per group.
class BacklogBuilder {
 public:
  void add(const TicketFact& f);
  std::vector<BacklogRow> rows(Time from, Time to, Interval interval) const;

 private:
  struct Life {
    Time created;
    std::optional<Time> assigned, solved;
  };
  std::map<std::string, std::vector<Life>> groups_;  // each in creation order
};
std::vector<BacklogRow> backlog(const std::vector<TicketFact>& facts, Time from, Time to, Interval interval);

// How busy agents were over [from, to), from their presence history and the
// tickets they held (assigned until solved; FactRange::kOpen facts):
// occupancy = share of online time holding at least one ticket;
// utilisation = online-time average of tickets held / capacity (capped at 1).
struct AgentUse {
  AgentId agent;
  double online_seconds = 0, busy_seconds = 0;
  std::optional<double> occupancy, utilisation;
  std::size_t held = 0;    // tickets held at some moment of the range
  std::size_t solved = 0;  // of those, solved within it
};
class AgentUseBuilder {
 public:
  AgentUseBuilder(Time from, Time to) : from_(from), to_(to) {}
  void add(const TicketFact& f);  // keeps the hold, if any, within [from, to)
  std::vector<AgentUse> rows(const std::vector<PresenceChange>& presence, const std::map<AgentId, int>& capacity) const;

 private:
  struct Hold {
    AgentId agent;
    Time start, end;
    bool solved;
  };
  Time from_, to_;
  std::vector<Hold> holds_;
};
std::vector<AgentUse> agent_use(const std::vector<TicketFact>& facts, const std::vector<PresenceChange>& presence,
                                const std::map<AgentId, int>& capacity, Time from, Time to);

// How often the classifier's guess (fact.predicted) matched the final value
// over settled (solved or closed) tickets that had a guess. `final_value`
// gives the final team name or category a fact's guess is compared with.
struct LabelScore {
  std::string label;
  std::size_t predicted = 0, actual = 0, correct = 0;
  std::optional<double> precision, recall;
};
struct ClassifierScore {
  std::size_t settled = 0;             // settled tickets with a guess
  std::size_t correct = 0;
  std::size_t confident = 0, confident_correct = 0;  // guesses acted on
  std::optional<double> accuracy, confident_accuracy, coverage;  // coverage = confident / settled
  std::vector<LabelScore> labels;      // by label
};
class ClassifierTally {
 public:
  void add(const TicketFact& f, const std::string& final_value);  // ignores unsettled and unguessed
  ClassifierScore score() const;

 private:
  ClassifierScore s_;
  std::map<std::string, LabelScore> labels_;
};
// How often people overrule the model: over corrections (Store), a decision
// is overruled when the model had a guess and the person chose another label.
// Per guessed label, and per time bucket (Interval::kNone: none).
struct OverruleRow {
  std::string key;            // the model's label, or the bucket's start
  std::size_t decisions = 0;  // people's decisions
  std::size_t guessed = 0;    // of which the model had a guess
  std::size_t overruled = 0;  // of which the person chose otherwise
  std::optional<double> rate; // overruled / guessed
};
struct Overrules {
  OverruleRow total;
  std::vector<OverruleRow> by_label;   // by the model's guess ("" when none), label order
  std::vector<OverruleRow> over_time;  // bucket order
};
Overrules overrules(const std::vector<Correction>& corrections, Interval interval);

ClassifierScore classifier(const std::vector<TicketFact>& facts,
                           const std::function<std::string(const TicketFact&)>& final_value);

// Load fairness: how evenly a team's tickets went to its agents. `members`
// lists each team (fact.group) and its agents, so that agents who got
// nothing count too. Gini coefficient of tickets per agent: 0 = perfectly
// even, towards 1 = one agent got everything.
struct Fairness {
  std::string team;            // fact.group
  std::size_t agents = 0;
  std::size_t assigned = 0;
  std::size_t most = 0, least = 0;  // tickets of the busiest and the idlest agent
  double gini = 0;
};
class FairnessTally {
 public:
  // Agents who got nothing count too: `members` lists each team's agents.
  explicit FairnessTally(const std::map<std::string, std::vector<AgentId>>& members);
  void add(const TicketFact& f);
  std::vector<Fairness> rows() const;

 private:
  std::map<std::string, std::map<AgentId, std::size_t>> counts_;
};
std::vector<Fairness> fairness(const std::vector<TicketFact>& facts,
                               const std::map<std::string, std::vector<AgentId>>& members);
double gini(std::vector<double> values);

// Nearest-rank percentile of `values` (sorted in place), q in (0, 1].
double percentile(std::vector<double>& values, double q);

// A CSV cell: quoted when needed; a value starting with = + - @, tab or CR
// gets a leading ' so that spreadsheets do not run it as a formula.
std::string csv_cell(const std::string& value);

}  // namespace sb::reports
