#pragma once
// `switchboard simulate` and `switchboard staffing` (docs/simulation.md).
#include <optional>
#include <string>

namespace sb {

struct SimulateCommand {
  std::string scenario;                 // YAML file
  std::string compare;                  // "policy1,policy2": the same arrivals through each
  std::optional<int> replications;      // overrides the scenario's
  std::optional<int> threads;           // default: every core
  std::optional<int> seed;
  std::string plots = "var/sim";        // directory for the SVG plots; "" for none
  bool json = false;
};
int run_simulate(const SimulateCommand& cmd);

struct StaffingCommand {
  std::string forecast;        // CSV: interval start, calls per interval[, handle time seconds]
  std::string target = "80/20";  // percent answered / within seconds
  double interval_minutes = 60;
  std::optional<double> aht;   // seconds, when the forecast has no handle-time column
  std::optional<double> patience;  // Erlang A
  bool check = false;          // simulate each interval's staffing
  bool json = false;
};
int run_staffing(const StaffingCommand& cmd);

}  // namespace sb
