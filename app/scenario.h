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

}  // namespace sb
