// Routing benchmarks on the real engine, in the state the issue names:
// 10,000 agents, 50 skills, 10,000 waiting tickets.
//
// The state: 10 teams of 1,000 agents; each agent has 5 of the 50 skills at
// levels 1-5 and capacity email 8, chat 3, phone 1, all online. Phone is
// saturated: every agent holds one call and 10,000 more calls wait in the
// queues. Email has room: 30,000 e-mails are spread over the agents, so
// loads vary.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "engine/engine.h"

namespace sb {
namespace {

constexpr int kTeams = 10;
constexpr int kAgents = 10'000;
constexpr int kSkills = 50;
constexpr int kWaiting = 10'000;

std::string skill_name(int i) { return "skill" + std::to_string(i); }

struct World {
  Engine engine;
  std::mt19937 rng{12345};
  std::vector<TeamId> teams;
  Time now = from_millis(1'700'000'000'000);
  std::vector<TicketId> assigned_email;

  Time tick() { return now += Duration(1); }

  SkillLevels random_needs() {
    std::uniform_int_distribution<int> skill(0, kSkills - 1), level(1, 3), count(1, 2);
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

  World() {
    for (int i = 0; i < kTeams; ++i) {
      teams.push_back(engine.create_team(Team{TeamId{}, "team" + std::to_string(i), {}}, tick())->teams[0].id);
    }
    std::uniform_int_distribution<int> skill(0, kSkills - 1), level(1, 5);
    for (int i = 0; i < kAgents; ++i) {
      Agent a;
      a.name = "agent" + std::to_string(i);
      a.teams = {teams[static_cast<std::size_t>(i % kTeams)]};
      while (a.skills.size() < 5) a.skills[skill_name(skill(rng))] = level(rng);
      a.capacity = {8, 8, 3, 1, 8};
      a.presence = Presence::kOnline;
      (void)engine.create_agent(a, tick());
    }
    for (int i = 0; i < kAgents + kWaiting; ++i) (void)engine.create_ticket(ticket(Channel::kPhone, {}), tick());
    for (int i = 0; i < 30'000; ++i) {
      auto c = engine.create_ticket(ticket(Channel::kEmail, random_needs()), tick());
      if (c->tickets[0].assignee) assigned_email.push_back(c->tickets[0].id);
    }
  }

  std::size_t waiting() const {
    std::size_t n = 0;
    for (const QueueStats& q : engine.queues(now)) n += q.waiting;
    return n;
  }
};

World& world() {
  static World w;
  return w;
}

// One routing decision: filter and rank the eligible agents for a ticket
// (random team, 1-2 required skills at minimum 1-3, e-mail). Pure: no state
// changes, so every iteration sees the same world.
void BM_RoutingDecision(benchmark::State& state) {
  World& w = world();
  std::vector<TicketNeeds> needs;
  for (int i = 0; i < 4096; ++i) {
    const Ticket t = w.ticket(Channel::kEmail, w.random_needs());
    needs.push_back(w.engine.needs_for(*t.team, t.channel, t.required_skills));
  }
  std::size_t i = 0, found = 0;
  for (auto _ : state) {
    auto pick = w.engine.policy(needs[i & 4095].team).pick(w.engine.pool(), needs[i & 4095]); ++i;
    found += pick.has_value();
    benchmark::DoNotOptimize(pick);
  }
  state.counters["found_share"] = static_cast<double>(found) / static_cast<double>(state.iterations());
  state.counters["agents"] = kAgents;
  state.counters["waiting"] = static_cast<double>(w.waiting());
}
BENCHMARK(BM_RoutingDecision);

// The same decisions timed one by one, to give the distribution (the figure
// above is a mean): p50/p90/p99 in nanoseconds over 200,000 decisions.
void BM_RoutingDecisionDistribution(benchmark::State& state) {
  World& w = world();
  std::vector<TicketNeeds> needs;
  for (int i = 0; i < 4096; ++i) {
    const Ticket t = w.ticket(Channel::kEmail, w.random_needs());
    needs.push_back(w.engine.needs_for(*t.team, t.channel, t.required_skills));
  }
  std::vector<double> ns;
  for (auto _ : state) {
    ns.clear();
    for (int i = 0; i < 200'000; ++i) {
      const auto start = std::chrono::steady_clock::now();
      const TicketNeeds& n = needs[static_cast<std::size_t>(i) & 4095];
      auto pick = w.engine.policy(n.team).pick(w.engine.pool(), n);
      benchmark::DoNotOptimize(pick);
      ns.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count());
    }
  }
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) { return ns[static_cast<std::size_t>(q * static_cast<double>(ns.size() - 1))]; };
  state.counters["p50_ns"] = at(0.50);
  state.counters["p90_ns"] = at(0.90);
  state.counters["p99_ns"] = at(0.99);
}
BENCHMARK(BM_RoutingDecisionDistribution)->Iterations(1)->Unit(benchmark::kMillisecond);

// A whole command: an e-mail ticket arrives and is routed (decision, load
// update, explanation, change set).
void BM_CreateAndRoute(benchmark::State& state) {
  World& w = world();
  std::vector<TicketId> created;
  for (auto _ : state) {
    auto c = w.engine.create_ticket(w.ticket(Channel::kEmail, w.random_needs()), w.tick());
    created.push_back(c->tickets[0].id);
    benchmark::DoNotOptimize(c);
    if (created.size() == 64) {  // keep the world steady: solve what was made
      state.PauseTiming();
      TicketPatch solve;
      solve.status = TicketStatus::kSolved;
      for (TicketId id : created) {
        const Ticket* t = w.engine.find_live_ticket(id);
        if (t) (void)w.engine.update_ticket(id, solve, w.tick(), nullptr);
      }
      created.clear();
      state.ResumeTiming();
    }
  }
}
BENCHMARK(BM_CreateAndRoute);

// An agent finishes a call: solving it frees phone capacity and the agent
// pulls the best of the 10,000 waiting calls. A new call joins the queue
// outside the timing so the queue stays at 10,000.
void BM_SolveAndPull(benchmark::State& state) {
  World& w = world();
  TicketPatch solve;
  solve.status = TicketStatus::kSolved;
  std::vector<TicketId> phone;
  for (std::int64_t id = 1; phone.size() < static_cast<std::size_t>(kAgents); ++id) {
    const Ticket* t = w.engine.find_live_ticket(TicketId{id});
    if (t && t->assignee && t->channel == Channel::kPhone) phone.push_back(t->id);
  }
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

}  // namespace
}  // namespace sb

BENCHMARK_MAIN();
