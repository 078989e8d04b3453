#pragma once
// Reports over stored tickets (docs/reporting.md): pure aggregation of
// TicketFacts into rows per time bucket and group. Percentiles are exact
// (nearest rank over the values of each row).
#include <map>
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
  Stats time_to_assign;        // created -> first assignment, over tickets assigned
  Stats time_to_resolve;       // created -> solved, over tickets solved
};

std::vector<Row> aggregate(const std::vector<TicketFact>& facts, Interval interval);

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
std::vector<Fairness> fairness(const std::vector<TicketFact>& facts,
                               const std::map<std::string, std::vector<AgentId>>& members);
double gini(std::vector<double> values);

// Nearest-rank percentile of `values` (sorted in place), q in (0, 1].
double percentile(std::vector<double>& values, double q);

// A CSV cell: quoted when needed; a value starting with = + - @, tab or CR
// gets a leading ' so that spreadsheets do not run it as a formula.
std::string csv_cell(const std::string& value);

}  // namespace sb::reports
