// The simulator's speed (issue 9 target: 1,000,000 simulated tickets in
// under 10 s on one core): one replication, one thread, the real engine
// routing every call. M/M/55 at 87 % load; and six call types on a chain of
// two-skill agents (skills routing, queues per skill set).
#include <benchmark/benchmark.h>

#include "sim/simulator.h"

namespace {

using namespace sb::sim;

constexpr double kHours = 1'000'000 / 720.0;  // a million calls at 720 an hour

void Run(benchmark::State& state, const Scenario& s) {
  std::size_t calls = 0;
  for (auto _ : state) {
    auto out = simulate(s);
    calls = out->simulated;
    benchmark::DoNotOptimize(out);
  }
  state.counters["calls"] = static_cast<double>(calls);
  state.counters["calls_per_s"] = benchmark::Counter(static_cast<double>(calls), benchmark::Counter::kIsIterationInvariantRate);
}

void SingleSkill(benchmark::State& state) {
  Scenario s;
  CallType call;
  call.name = "call";
  call.per_hour = 720;
  call.handle = {Distribution::Kind::kExponential, 240};
  s.types = {call};
  s.agents = {AgentGroup{"agents", 55, {}, 1, {}}};
  s.hours = kHours;
  s.replications = 1;
  Run(state, s);
}
BENCHMARK(SingleSkill)->Unit(benchmark::kSecond)->Iterations(1);

void ChainOfSkills(benchmark::State& state) {
  Scenario s;
  for (int k = 0; k < 6; ++k) {
    CallType t;
    t.name = "type " + std::to_string(k);
    t.per_hour = 120;
    t.skills = {{"skill" + std::to_string(k), 1}};
    t.handle = {Distribution::Kind::kExponential, 240};
    s.types.push_back(t);
    AgentGroup g;
    g.name = "group " + std::to_string(k);
    g.count = k < 1 ? 10 : 9;
    g.skills = {{"skill" + std::to_string(k), 3}, {"skill" + std::to_string((k + 1) % 6), 3}};
    s.agents.push_back(g);
  }
  s.hours = kHours;
  s.replications = 1;
  Run(state, s);
}
BENCHMARK(ChainOfSkills)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
