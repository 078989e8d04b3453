// Routing benchmarks on the real engine.
//
// World A (issue 3): 10 teams x 1,000 agents = 10,000 agents, 50 skills,
// ~10,000 waiting tickets. World B (issue 4): the same agents over 100 skills
// with ~100,000 waiting tickets. In both, each agent has 5 skills at levels
// 1-5 and capacity email 8, chat 3, phone 1, all online; phone is saturated
// (every agent holds a call and the rest wait in the queues) and 30,000
// e-mails are spread over the agents so loads vary. A decision routes an
// e-mail ticket of a random team needing 1-2 random skills at minimum 1-3.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>

#include "engine/engine.h"
#include "routing/batch_optimal.h"

namespace sb {
namespace {

constexpr int kTeams = 10;
constexpr int kAgents = 10'000;

std::string skill_name(int i) { return "skill" + std::to_string(i); }

struct World {
  const int skills;
  Engine engine{EngineOptions{Duration(0), /*record_decisions=*/false}};
  std::mt19937 rng{12345};
  std::vector<TeamId> teams;
  Time now = from_millis(1'700'000'000'000);

  Time tick() { return now += Duration(1); }

  SkillLevels random_needs() {
    std::uniform_int_distribution<int> skill(0, skills - 1), level(1, 3), count(1, 2);
    SkillLevels needs;
    for (int i = count(rng); i > 0; --i) needs[skill_name(skill(rng))] = level(rng);
    return needs;
  }

  Ticket ticket(Channel c, SkillLevels needs) {
    Ticket t;
    t.subject = "bench";
    t.channel = c;
    t.team = teams[std::uniform_int_distribution<std::size_t>(0, teams.size() - 1)(rng)];
    t.required_skills = std::move(needs);
    return t;
  }

  World(int skill_count, int waiting) : skills(skill_count) {
    for (int i = 0; i < kTeams; ++i) {
      teams.push_back(engine.create_team(Team{TeamId{}, "team" + std::to_string(i), {}, {}}, tick())->teams[0].id);
    }
    std::uniform_int_distribution<int> skill(0, skills - 1), level(1, 5);
    for (int i = 0; i < kAgents; ++i) {
      Agent a;
      a.name = "agent" + std::to_string(i);
      a.teams = {teams[static_cast<std::size_t>(i % kTeams)]};
      while (a.skills.size() < 5) a.skills[skill_name(skill(rng))] = level(rng);
      a.capacity = {8, 8, 3, 1, 8};
      a.presence = Presence::kOnline;
      (void)engine.create_agent(a, tick());
    }
    for (int i = 0; i < kAgents + waiting; ++i) (void)engine.create_ticket(ticket(Channel::kPhone, {}), tick());
    for (int i = 0; i < 30'000; ++i) (void)engine.create_ticket(ticket(Channel::kEmail, random_needs()), tick());
  }

  std::size_t waiting() const {
    std::size_t n = 0;
    for (const QueueStats& q : engine.queues(now)) n += q.waiting;
    return n;
  }

  void use_policy(const std::string& name) {
    TeamRouting r;
    r.policy = name;
    TeamPatch p;
    p.routing = r;
    for (TeamId t : teams) (void)engine.update_team(t, p, tick());
  }

  std::vector<TicketNeeds> decisions(int n) {
    std::vector<TicketNeeds> out;
    for (int i = 0; i < n; ++i) {
      const Ticket t = ticket(Channel::kEmail, random_needs());
      out.push_back(engine.needs_for(*t.team, t.channel, t.required_skills));
    }
    return out;
  }
};

World& world_a() {
  static World w(50, 10'000);
  return w;
}
World& world_b() {
  static World w(100, 100'000);
  return w;
}

// Single decisions timed one by one: p50/p90/p99 in ns, and decisions per
// second on one thread (from the total).
void time_decisions(benchmark::State& state, World& w) {
  const std::vector<TicketNeeds> needs = w.decisions(4096);
  std::vector<double> ns;
  double total_s = 0;
  std::size_t found = 0;
  for (auto _ : state) {
    ns.clear();
    const auto run_start = std::chrono::steady_clock::now();
    for (int i = 0; i < 200'000; ++i) {
      const TicketNeeds& n = needs[static_cast<std::size_t>(i) & 4095];
      const auto start = std::chrono::steady_clock::now();
      auto pick = w.engine.policy(n.team).pick(w.engine.pool(), n);
      benchmark::DoNotOptimize(pick);
      ns.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count());
      found += pick.has_value();
    }
    total_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
  }
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) { return ns[static_cast<std::size_t>(q * static_cast<double>(ns.size() - 1))]; };
  state.counters["p50_ns"] = at(0.50);
  state.counters["p90_ns"] = at(0.90);
  state.counters["p99_ns"] = at(0.99);
  state.counters["found_share"] = static_cast<double>(found) / (200'000.0 * static_cast<double>(state.iterations()));
  state.counters["waiting"] = static_cast<double>(w.waiting());
  // Throughput without the per-decision clock reads.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 200'000; ++i) {
    const TicketNeeds& n = needs[static_cast<std::size_t>(i) & 4095];
    auto pick = w.engine.policy(n.team).pick(w.engine.pool(), n);
    benchmark::DoNotOptimize(pick);
  }
  state.counters["decisions_per_s"] =
      200'000.0 / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void BM_Decision_50Skills_10kWaiting(benchmark::State& state) { time_decisions(state, world_a()); }
BENCHMARK(BM_Decision_50Skills_10kWaiting)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_Decision_100Skills_100kWaiting(benchmark::State& state, const char* policy) {
  World& w = world_b();
  w.use_policy(policy);
  time_decisions(state, w);
}
BENCHMARK_CAPTURE(BM_Decision_100Skills_100kWaiting, round_robin, "round_robin")->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decision_100Skills_100kWaiting, least_loaded, "least_loaded")->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decision_100Skills_100kWaiting, longest_idle, "longest_idle")->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decision_100Skills_100kWaiting, skills_best_match, "skills_best_match")->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decision_100Skills_100kWaiting, sticky, "sticky")->Iterations(1)->Unit(benchmark::kMillisecond);

// A whole command in world A: an e-mail ticket arrives and is routed
// (decision, load and index update, explanation summary, change set).
void BM_CreateAndRoute(benchmark::State& state) {
  World& w = world_a();
  std::vector<TicketId> created;
  TicketPatch solve;
  solve.status = TicketStatus::kSolved;
  for (auto _ : state) {
    auto c = w.engine.create_ticket(w.ticket(Channel::kEmail, w.random_needs()), w.tick());
    created.push_back(c->tickets[0].id);
    benchmark::DoNotOptimize(c);
    if (created.size() == 64) {  // keep the world steady: solve what was made
      state.PauseTiming();
      for (TicketId id : created) (void)w.engine.update_ticket(id, solve, w.tick(), nullptr);
      created.clear();
      state.ResumeTiming();
    }
  }
}
BENCHMARK(BM_CreateAndRoute);

// World A: an agent finishes a call; solving it frees phone capacity and the
// agent pulls the best waiting call. A new call joins the queue outside the
// timing so the queue stays full.
void BM_SolveAndPull(benchmark::State& state) {
  World& w = world_a();
  TicketPatch solve;
  solve.status = TicketStatus::kSolved;
  std::vector<TicketId> phone;
  for (const Ticket* t : w.engine.live_tickets()) {
    if (t->assignee && t->channel == Channel::kPhone) phone.push_back(t->id);
  }
  std::sort(phone.begin(), phone.end());
  std::size_t i = 0;
  for (auto _ : state) {
    const TicketId id = phone[i % phone.size()];
    auto c = w.engine.update_ticket(id, solve, w.tick(), nullptr);
    benchmark::DoNotOptimize(c);
    state.PauseTiming();
    for (const Ticket& t : c->tickets) {
      if (t.id != id && t.assignee) phone[i % phone.size()] = t.id;
    }
    ++i;
    (void)w.engine.create_ticket(w.ticket(Channel::kPhone, {}), w.tick());
    state.ResumeTiming();
  }
  state.counters["waiting"] = static_cast<double>(w.waiting());
}
BENCHMARK(BM_SolveAndPull);

// batch_optimal: 1,000 waiting tickets x 500 agents with free capacity, one
// min-cost flow (LEMON network simplex) plus building the graph.
void BM_BatchOptimal_1000x500(benchmark::State& state) {
  std::mt19937 rng(7);
  auto fallback = std::move(make_policy("batch_optimal").value());
  AgentPool pool(*fallback);
  SkillTable skills;
  const TeamId team{1};
  std::uniform_int_distribution<int> skill(0, 19), level(1, 5), cap(1, 4);
  for (int i = 1; i <= 500; ++i) {
    SkillLevels s;
    while (s.size() < 4) s[skill_name(skill(rng))] = level(rng);
    pool.upsert(AgentId{i}, skills.intern_all(s), {team}, {cap(rng), 2, 2, 1, 2}, Presence::kOnline, from_millis(0));
  }
  std::vector<BatchTicket> tickets;
  std::uniform_int_distribution<int> count(0, 2), min(1, 3), prio(0, 3), waited(0, 600);
  for (int i = 1; i <= 1000; ++i) {
    SkillLevels needs;
    for (int k = count(rng); k > 0; --k) needs[skill_name(skill(rng))] = min(rng);
    tickets.push_back({TicketId{i}, {team, Channel::kEmail, skills.intern_all(needs), std::nullopt, {}},
                       static_cast<Priority>(prio(rng)), std::chrono::seconds(waited(rng))});
  }
  std::size_t assigned = 0;
  for (auto _ : state) {
    auto out = assign_batch(pool, tickets);
    assigned = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["assigned"] = static_cast<double>(assigned);
}
BENCHMARK(BM_BatchOptimal_1000x500)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sb

BENCHMARK_MAIN();
