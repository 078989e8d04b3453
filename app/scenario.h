#pragma once
// Simulation scenarios in YAML (docs/simulation.md) and the call-centre log
// they can replay. Errors name the file and line.
#include <string>
#include <vector>

#include "core/status.h"
#include "sim/simulator.h"

namespace sb {

// What actually happened in a replayed log, per call type, to set beside
// the simulation.
struct Observed {
  std::string name;
  double calls = 0, answered = 0, within = 0, abandoned = 0, wait_sum = 0;
};

struct LoadedScenario {
  sim::Scenario scenario;
  std::vector<Observed> observed;  // replays: "all" first, then per type
  std::vector<Observed> observed_by_hour;  // replays: 24, by the hour of day calls arrived
  std::size_t skipped = 0;         // log rows not replayed (phantoms, types not in the scenario)
};

Result<LoadedScenario> load_scenario(const std::string& path);

// The Anonymous Bank call log (../shared/data/callcenter_*.tsv): calls from
// `from_day` (YYMMDD, or the first day when empty) for `days` days, times from
// that day's midnight. Types are matched to `scenario.types` by name.
Status read_call_log(const std::string& path, const std::string& from_day, int days, LoadedScenario& into);

// A Switchboard store's own tickets created in [from, to): each ticket's
// team is matched to a call type of the same name; its handle time is
// solved - assigned when it has both (else drawn from the type). "Answered"
// in the history means assigned; tickets solved or closed unassigned count as
// abandoned.
Status read_store_history(const std::string& db, Time from, Time to, LoadedScenario& into);

}  // namespace sb
