// Randomized event sequences (fixed seeds) over every policy. After every
// event: no agent over capacity, every agent's load equals the tickets it
// holds (so no ticket is held twice), no ticket waits while an eligible agent
// has room, and the same events give the same decisions.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "engine/engine.h"

namespace sb {
namespace {

using std::chrono::seconds;

struct EventRun {
  std::vector<std::string> log;  // every decision, in order
  int assignments = 0;
  int events = 0;
};

class Invariants : public ::testing::TestWithParam<std::string> {};

std::string check(const Engine& engine, Time now) {
  std::map<std::pair<AgentId, int>, int> held;
  for (const Ticket* t : engine.live_tickets()) {
    if (t->assignee) ++held[{*t->assignee, static_cast<int>(t->channel)}];
  }
  for (const auto& [id, a] : engine.pool().all()) {
    for (int c = 0; c < 5; ++c) {
      if (a.load[c] > a.capacity[c]) return "agent " + std::to_string(id.value) + " over capacity";
      const int count = held.count({id, c}) ? held.at({id, c}) : 0;
      if (a.load[c] != count) {
        return "agent " + std::to_string(id.value) + " load " + std::to_string(a.load[c]) + " but holds " +
               std::to_string(count);
      }
    }
  }
  // Queues hold exactly the waiting tickets: no stale entry, none missing.
  std::set<TicketId> queued;
  std::map<TicketId, const Ticket*> live;
  for (const Ticket* x : engine.live_tickets()) live[x->id] = x;
  for (TeamId team : {TeamId{1}, TeamId{2}, TeamId{3}}) {
    for (TicketId id : engine.queued(team)) {
      const Ticket* t = live.count(id) ? live.at(id) : nullptr;
      if (!t || t->assignee) return "queue of team " + std::to_string(team.value) + " holds ticket " + std::to_string(id.value) + " that is not waiting";
      queued.insert(id);
    }
  }
  for (const Ticket* t : engine.live_tickets()) {
    if (!t->assignee && t->team && !engine.held_for_previous_agent(t->id) && !queued.count(t->id)) {
      return "ticket " + std::to_string(t->id.value) + " waits in no queue";
    }
  }
  for (const Ticket* t : engine.live_tickets()) {
    if (t->assignee || !t->team || engine.held_for_previous_agent(t->id)) continue;
    for (TeamId team : engine.routable_teams(t->id, now)) {
      const TicketNeeds needs = *engine.current_needs(t->id, team, now);
      for (const AgentState* a : engine.pool().members(team)) {
        if (a->presence == Presence::kOnline && a->has_room(t->channel) && a->meets(needs.skills) &&
            !needs.excludes(a->id)) {
          return "ticket " + std::to_string(t->id.value) + " waits while agent " + std::to_string(a->id.value) +
                 " could take it";
        }
      }
    }
  }
  return {};
}

EventRun simulate(const std::string& policy, unsigned seed, int steps) {
  std::mt19937 rng(seed);
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const std::vector<std::string> skills{"vpn", "dns", "billing", "french"};
  EngineOptions options{seconds(20)};
  sla::SlaPolicy urgent_sla;
  urgent_sla.name = "urgent";
  urgent_sla.priorities = {Priority::kUrgent, Priority::kHigh};
  urgent_sla.targets.first_response = seconds(120);
  urgent_sla.targets.resolution = seconds(900);
  urgent_sla.ladder = {{sla::EscalationStep::On::kWarning, sla::EscalationStep::Action::kRaisePriority, std::nullopt, std::nullopt},
                       {sla::EscalationStep::On::kBreach, sla::EscalationStep::Action::kMoveTeam, TeamId{1}, std::nullopt}};
  sla::SlaPolicy normal_sla;
  normal_sla.name = "normal";
  normal_sla.targets.resolution = seconds(3600);
  options.sla_policies = {urgent_sla, normal_sla};
  Engine engine(options);
  Time now = from_millis(1'700'000'000'000);
  EventRun run;
  auto take = [&](const Changes& c) {
    for (const Decision& d : c.decisions) {
      run.log.push_back(std::to_string(d.ticket.value) + ":" + std::string(to_string(d.outcome)) + ":" +
                        (d.agent ? std::to_string(d.agent->value) : "-"));
      if (gives_ticket(d.outcome)) ++run.assignments;
    }
  };

  std::vector<TeamId> teams;
  for (int i = 0; i < 3; ++i) {
    TeamRouting r;
    r.policy = policy;
    r.fallback_policy = "least_loaded";
    r.sticky_wait = seconds(30);
    r.aging_step = i == 0 ? seconds(0) : seconds(120);
    if (i == 2) r.queue_order = QueueOrder::kTimeToBreach;
    r.offer_mode[static_cast<int>(Channel::kChat)] = OfferMode::kOffer;
    r.offer_timeout = seconds(15);
    r.relaxation = {{seconds(40), RelaxAction::kDropOptionalSkills, 1, std::nullopt},
                    {seconds(90), RelaxAction::kLowerProficiency, 1, std::nullopt}};
    if (!teams.empty()) r.relaxation.push_back({seconds(200), RelaxAction::kOverflow, 1, teams.front()});
    take(*engine.create_team(Team{TeamId{}, "team" + std::to_string(i), {}, r}, now));
    teams.push_back(TeamId{i + 1});
  }
  std::vector<AgentId> agents;
  for (int i = 0; i < 15; ++i) {
    Agent a;
    a.name = "a" + std::to_string(i);
    a.teams = {teams[static_cast<std::size_t>(i % 3)]};
    if (i % 5 == 0) a.teams.push_back(teams[static_cast<std::size_t>((i + 1) % 3)]);
    for (const std::string& s : skills) {
      if (chance(0.6)) a.skills[s] = 1 + pick(5);
    }
    a.capacity = {1 + pick(4), 1 + pick(3), 1 + pick(3), 1, 1 + pick(3)};
    a.presence = chance(0.7) ? Presence::kOnline : Presence::kOffline;
    auto c = engine.create_agent(a, now);
    take(*c);
    agents.push_back(c->agents[0].id);
  }

  for (int step = 0; step < steps; ++step) {
    now += Duration(1 + pick(4000));
    take(engine.advance(now));
    const int kind = pick(100);
    std::vector<const Ticket*> live = engine.live_tickets();
    std::sort(live.begin(), live.end(), [](const Ticket* x, const Ticket* y) { return x->id < y->id; });
    if (kind < 40) {
      Ticket t;
      t.subject = "t";
      t.team = teams[static_cast<std::size_t>(pick(3))];
      t.channel = static_cast<Channel>(pick(5));
      t.priority = static_cast<Priority>(pick(4));
      t.requester.email = "c" + std::to_string(pick(10)) + "@x";
      if (chance(0.6)) t.required_skills[skills[static_cast<std::size_t>(pick(4))]] = 1 + pick(4);
      if (chance(0.3)) t.optional_skills[skills[static_cast<std::size_t>(pick(4))]] = 1 + pick(5);
      take(*engine.create_ticket(t, now));
    } else if (kind < 58 && !live.empty()) {
      const Ticket* t = live[static_cast<std::size_t>(pick(static_cast<int>(live.size())))];
      TicketPatch p;
      p.status = chance(0.8) ? TicketStatus::kSolved : TicketStatus::kPending;
      if (check_transition(t->status, *p.status)) take(*engine.update_ticket(t->id, p, now, nullptr));
    } else if (kind < 72) {
      AgentPatch p;
      const int r = pick(10);
      p.presence = r < 6 ? Presence::kOnline : r < 8 ? Presence::kAway : Presence::kOffline;
      take(*engine.update_agent(agents[static_cast<std::size_t>(pick(15))], p, now));
    } else if (kind < 84 && !live.empty()) {
      const Ticket* t = live[static_cast<std::size_t>(pick(static_cast<int>(live.size())))];
      if (t->assignee && !t->accepted_at) {
        auto r = chance(0.6) ? engine.accept(t->id, *t->assignee, now) : engine.decline(t->id, *t->assignee, now);
        if (r) take(*r);
      }
    } else if (kind < 90 && !live.empty()) {
      const Ticket* t = live[static_cast<std::size_t>(pick(static_cast<int>(live.size())))];
      TicketPatch p;
      if (chance(0.5)) {
        p.priority = static_cast<Priority>(pick(4));
      } else {
        p.assignee = std::optional<AgentId>();  // unassign: back to routing
      }
      take(*engine.update_ticket(t->id, p, now, nullptr));
    } else if (kind < 95) {
      AgentPatch p;
      const std::size_t c = static_cast<std::size_t>(pick(5));
      const AgentId a = agents[static_cast<std::size_t>(pick(15))];
      p.capacity[c] = std::max(engine.agent_state(a)->load[c], 1 + pick(5));  // never below what it holds
      take(*engine.update_agent(a, p, now));
    } else {
      now += seconds(60 + pick(240));  // a quiet spell: timers fire
      take(engine.advance(now));
    }
    ++run.events;
    const std::string broken = check(engine, now);
    if (!broken.empty()) {
      ADD_FAILURE() << policy << " seed " << seed << " step " << step << ": " << broken;
      return run;
    }
  }
  return run;
}

TEST_P(Invariants, HoldOverRandomEventsAndReplayIdentically) {
  for (unsigned seed : {1u, 2u, 3u}) {
    const EventRun first = simulate(GetParam(), seed, 1500);
    if (HasFailure()) return;
    EXPECT_GT(first.assignments, 300) << "the run should route a lot of work";
    const EventRun again = simulate(GetParam(), seed, 1500);
    EXPECT_EQ(first.log, again.log) << "same events, different decisions";
  }
}

INSTANTIATE_TEST_SUITE_P(EveryPolicy, Invariants,
                         ::testing::Values("round_robin", "least_loaded", "longest_idle", "skills_best_match",
                                           "sticky", "batch_optimal"));

}  // namespace
}  // namespace sb
