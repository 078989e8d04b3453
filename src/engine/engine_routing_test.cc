// Engine rules added with per-team routing: relaxation, overflow, aging,
// offers, presence grace, sticky waits, batch assignment, decisions.
#include <gtest/gtest.h>

#include "engine/engine.h"

namespace sb {
namespace {

using std::chrono::seconds;
Time at(double s) { return from_millis(1'000'000 + static_cast<std::int64_t>(s * 1000)); }

class RoutingRules : public ::testing::Test {
 protected:
  explicit RoutingRules(EngineOptions options = {}) : engine(options) {
    team = make_team("support");
    other = make_team("tier2");
  }
  TeamId make_team(const std::string& name, TeamRouting routing = {}) {
    auto c = engine.create_team(Team{TeamId{}, name, {}, routing}, at(0));
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return c->teams.at(0).id;
  }
  void set_routing(TeamId id, TeamRouting routing) {
    TeamPatch p;
    p.routing = routing;
    auto c = engine.update_team(id, p, at(0));
    ASSERT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    keep(*c);
  }
  AgentId agent(const SkillLevels& skills, TeamId in, Presence p = Presence::kOnline, ChannelCounts cap = {1, 1, 1, 1, 1}) {
    Agent a;
    a.name = "agent";
    a.skills = skills;
    a.teams = {in};
    a.capacity = cap;
    a.presence = p;
    auto c = engine.create_agent(a, at(0));
    keep(*c);
    return c->agents.at(0).id;
  }
  TicketId create(const SkillLevels& required = {}, const SkillLevels& optional = {}, double when = 0,
                  Priority p = Priority::kNormal, std::string requester = "") {
    Ticket t;
    t.subject = "help";
    t.team = team;
    t.channel = Channel::kEmail;
    t.priority = p;
    t.required_skills = required;
    t.optional_skills = optional;
    t.requester.email = std::move(requester);
    auto c = engine.create_ticket(t, at(when));
    EXPECT_TRUE(c.ok());
    keep(*c);
    return c->tickets.at(0).id;
  }
  void keep(const Changes& c) {
    for (const Ticket& t : c.tickets) stored[t.id] = t;
    for (const Decision& d : c.decisions) decisions.push_back(d);
  }
  Ticket ticket(TicketId id) {
    if (const Ticket* t = engine.find_live_ticket(id)) return *t;
    return stored.at(id);
  }
  void advance(double s) { keep(engine.advance(at(s))); }
  void presence(AgentId a, Presence p, double when) {
    AgentPatch patch;
    patch.presence = p;
    keep(*engine.update_agent(a, patch, at(when)));
  }
  void solve(TicketId id, double when) {
    TicketPatch p;
    p.status = TicketStatus::kSolved;
    const Ticket current = ticket(id);
    keep(*engine.update_ticket(id, p, at(when), &current));
  }
  std::vector<std::string> outcomes(TicketId id) {
    std::vector<std::string> out;
    for (const Decision& d : decisions) {
      if (d.ticket == id) out.push_back(std::string(to_string(d.outcome)));
    }
    return out;
  }

  Engine engine;
  TeamId team, other;
  std::map<TicketId, Ticket> stored;
  std::vector<Decision> decisions;
};

TEST_F(RoutingRules, RelaxationDropsOptionalSkillsThenLowersLevelsThenOverflows) {
  TeamRouting r;
  r.relaxation = {{seconds(60), RelaxAction::kDropOptionalSkills, 1, std::nullopt},
                  {seconds(120), RelaxAction::kLowerProficiency, 1, std::nullopt},
                  {seconds(300), RelaxAction::kOverflow, 1, other}};
  set_routing(team, r);
  const AgentId plain = agent({{"vpn", 3}}, team);
  const TicketId t = create({{"vpn", 3}}, {{"french", 2}});
  EXPECT_FALSE(ticket(t).assignee);  // nobody speaks French
  advance(59);
  EXPECT_FALSE(ticket(t).assignee);
  advance(60);
  EXPECT_EQ(ticket(t).assignee, plain);
  EXPECT_EQ(outcomes(t).back(), "assigned");
  EXPECT_EQ(decisions.back().relaxation_level, 1);

  const TicketId hard = create({{"vpn", 4}}, {}, 70);
  advance(189);
  EXPECT_FALSE(ticket(hard).assignee);  // 119 s waited: still needs vpn 4
  solve(t, 189.5);  // the agent has room again, but vpn 3 < 4
  EXPECT_FALSE(ticket(hard).assignee);
  advance(190);  // 120 s: minimum lowered to 3
  EXPECT_EQ(ticket(hard).assignee, plain);

  const TicketId far = create({{"kernel", 2}}, {}, 200);
  const AgentId outsider = agent({{"kernel", 5}}, other);
  EXPECT_FALSE(ticket(far).assignee);  // kernel expert is in another team
  advance(499);
  EXPECT_FALSE(ticket(far).assignee);
  advance(500);
  EXPECT_EQ(ticket(far).assignee, outsider);
  EXPECT_NE(ticket(far).routing->summary.find("overflow"), std::string::npos);
}

TEST_F(RoutingRules, AgingLetsALongWaitingLowPriorityTicketGoFirst) {
  TeamRouting r;
  r.aging_step = std::chrono::minutes(10);
  set_routing(team, r);
  const AgentId a = agent({}, team, Presence::kOffline);
  const TicketId low = create({}, {}, 0, Priority::kLow);
  const TicketId normal = create({}, {}, 11 * 60, Priority::kNormal);  // 11 minutes later
  const TicketId urgent = create({}, {}, 11 * 60, Priority::kUrgent);
  EXPECT_EQ(engine.queue_position(urgent), 1u);
  EXPECT_EQ(engine.queue_position(low), 2u);
  EXPECT_EQ(engine.queue_position(normal), 3u);
  presence(a, Presence::kOnline, 12 * 60);
  EXPECT_EQ(ticket(urgent).assignee, a);
}

TEST_F(RoutingRules, OffersTimeOutToTheNextAgentAndRepeatedMissesSetAway) {
  TeamRouting r;
  r.offer_mode[static_cast<int>(Channel::kEmail)] = OfferMode::kOffer;
  r.offer_timeout = seconds(30);
  r.max_missed_offers = 2;
  r.policy = "round_robin";
  set_routing(team, r);
  const AgentId a = agent({}, team);
  const AgentId b = agent({}, team);
  const TicketId t = create();
  ASSERT_EQ(ticket(t).assignee, a);  // round robin: a first (lower id on a tie)
  EXPECT_EQ(ticket(t).status, TicketStatus::kNew);
  EXPECT_EQ(ticket(t).offer_expires_at, at(30));
  EXPECT_EQ(engine.agent_state(a)->load[0], 1);  // an offer holds the slot
  advance(30);
  EXPECT_EQ(ticket(t).assignee, b);
  EXPECT_EQ(ticket(t).declined_by, std::vector<AgentId>{a});
  ASSERT_TRUE(engine.accept(t, b, at(31)).ok());
  EXPECT_EQ(ticket(t).status, TicketStatus::kOpen);
  EXPECT_FALSE(ticket(t).offer_expires_at);

  const TicketId t2 = create({}, {}, 40);
  ASSERT_EQ(ticket(t2).assignee, a);
  advance(70);  // a misses a second offer: away
  EXPECT_EQ(engine.find_agent(a)->presence, Presence::kAway);
  EXPECT_FALSE(ticket(t2).assignee);  // b is full, a declined
  EXPECT_EQ(outcomes(t2), (std::vector<std::string>{"offered", "offer_expired", "queued"}));
  // Counted for reports: a lapsed offer is a timeout, not a reassignment.
  EXPECT_EQ(ticket(t).stats.offer_timeouts, 1);
  EXPECT_EQ(ticket(t).stats.reassignments, 0);
  EXPECT_EQ(ticket(t2).stats.offer_timeouts, 1);
}

TEST_F(RoutingRules, DeclineGoesToTheNextCandidateAndAcceptedCannotBeDeclined) {
  TeamRouting r;
  r.offer_mode[static_cast<int>(Channel::kEmail)] = OfferMode::kOffer;
  set_routing(team, r);
  const AgentId a = agent({{"vpn", 5}}, team);
  const AgentId b = agent({{"vpn", 2}}, team);
  const TicketId t = create({{"vpn", 1}});
  ASSERT_EQ(ticket(t).assignee, a);
  EXPECT_EQ(engine.decline(t, b, at(1)).error().code, "not_offered");
  auto d = engine.decline(t, a, at(1));
  ASSERT_TRUE(d.ok());
  keep(*d);
  EXPECT_EQ(ticket(t).assignee, b);
  keep(*engine.accept(t, b, at(2)));
  EXPECT_EQ(engine.decline(t, b, at(3)).error().code, "already_accepted");
  EXPECT_EQ(engine.agent_state(a)->load[0], 0);
  EXPECT_EQ(ticket(t).stats.declines, 1);
  EXPECT_EQ(ticket(t).stats.reassignments, 0);
  // Handed over by hand from b to a: a reassignment.
  TicketPatch p;
  p.assignee = std::optional<AgentId>(a);
  keep(*engine.update_ticket(t, p, at(4), nullptr));
  EXPECT_EQ(ticket(t).assignee, a);
  EXPECT_EQ(ticket(t).stats.reassignments, 1);
}

class GraceRules : public RoutingRules {
 protected:
  GraceRules() : RoutingRules(EngineOptions{seconds(30)}) {}
};

TEST_F(GraceRules, OfflineAgentKeepsWorkForTheGraceThenUnacceptedWorkReturnsOldestFirst) {
  const AgentId a = agent({}, team, Presence::kOnline, {3, 3, 3, 3, 3});
  const TicketId old_one = create({}, {}, 1);
  const TicketId newer = create({}, {}, 2);
  const TicketId accepted = create({}, {}, 3);
  keep(*engine.accept(accepted, a, at(4)));
  presence(a, Presence::kOffline, 10);
  advance(39);
  EXPECT_EQ(ticket(old_one).assignee, a);  // within the grace
  // Flapping: back online inside the grace keeps everything.
  presence(a, Presence::kOnline, 20);
  advance(45);
  EXPECT_EQ(ticket(old_one).assignee, a);
  presence(a, Presence::kOffline, 50);
  const AgentId b = agent({}, team, Presence::kOnline, {1, 1, 1, 1, 1});
  advance(80);
  EXPECT_EQ(ticket(old_one).assignee, b);  // oldest first gets the one free slot
  EXPECT_FALSE(ticket(newer).assignee);
  EXPECT_EQ(ticket(accepted).assignee, a);
}

TEST_F(RoutingRules, StickyWaitsForThePreviousAgentThenFallsBack) {
  TeamRouting r;
  r.policy = "sticky";
  r.sticky_wait = seconds(60);
  set_routing(team, r);
  const AgentId a = agent({}, team);
  const AgentId b = agent({}, team);
  const TicketId first = create({}, {}, 0, Priority::kNormal, "ana@example.com");
  const AgentId previous = *ticket(first).assignee;
  const AgentId someone_else = previous == a ? b : a;
  // The previous agent is busy: the second ticket waits for them.
  const TicketId second = create({}, {}, 5, Priority::kNormal, "ana@example.com");
  EXPECT_FALSE(ticket(second).assignee);
  EXPECT_EQ(outcomes(second).back(), "reserved");
  solve(first, 10);  // previous agent frees up and takes it
  EXPECT_EQ(ticket(second).assignee, previous);
  // A third one waits, the agent stays busy, and after 60 s another agent takes it.
  const TicketId third = create({}, {}, 20, Priority::kNormal, "ana@example.com");
  EXPECT_FALSE(ticket(third).assignee);
  advance(79);
  EXPECT_FALSE(ticket(third).assignee);
  advance(80);
  EXPECT_EQ(ticket(third).assignee, someone_else);
}

TEST_F(RoutingRules, BatchTeamsAssignTogetherAndKeepSpecialistsFree) {
  TeamRouting r;
  r.policy = "batch_optimal";
  set_routing(team, r);
  const AgentId generalist = agent({{"general", 2}}, team, Presence::kOffline);
  const AgentId specialist = agent({{"general", 5}, {"kernel", 5}}, team, Presence::kOffline);
  const TicketId easy = create({{"general", 1}});
  const TicketId hard = create({{"kernel", 4}});
  // Both come online in one command: the batch sees both tickets at once.
  TeamPatch same;
  same.routing = r;
  presence(specialist, Presence::kOnline, 1);
  // The specialist alone: it takes one (the batch prefers the hard one for it).
  EXPECT_EQ(ticket(hard).assignee, specialist);
  presence(generalist, Presence::kOnline, 2);
  EXPECT_EQ(ticket(easy).assignee, generalist);
}

TEST_F(RoutingRules, EveryDecisionIsRecordedWithCandidates) {
  const AgentId a = agent({{"vpn", 5}}, team);
  agent({{"dns", 5}}, team);
  agent({{"vpn", 5}}, team, Presence::kOffline);
  const TicketId t = create({{"vpn", 2}});
  ASSERT_EQ(ticket(t).assignee, a);
  const Decision& d = decisions.back();
  EXPECT_EQ(d.ticket, t);
  EXPECT_EQ(d.outcome, Outcome::kAssigned);
  EXPECT_EQ(d.policy, "skills_best_match");
  EXPECT_EQ(d.agent, a);
  ASSERT_EQ(d.candidates.size(), 3u);
  EXPECT_EQ(d.candidates[0].reason, "chosen");
  EXPECT_EQ(d.excluded_counts.at("missing_skill"), 1);
  EXPECT_EQ(d.excluded_counts.at("offline"), 1);
}

TEST_F(RoutingRules, UnknownPolicyIsRejectedAndChangesNothing) {
  TeamRouting r;
  r.policy = "fastest_finger";
  TeamPatch p;
  p.routing = r;
  auto c = engine.update_team(team, p, at(1));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().field, "routing.policy");
  EXPECT_EQ(engine.find_team(team)->routing.policy, "skills_best_match");
}

}  // namespace
}  // namespace sb

namespace sb {
namespace {

TEST_F(RoutingRules, ExpectedWaitFromHandleTimesAndQueuePosition) {
  const AgentId a = agent({}, team);
  agent({}, team);
  const TicketId t1 = create({}, {}, 0);
  create({}, {}, 0);
  EXPECT_EQ(engine.expected_wait(t1, at(1)).method, "assigned");
  EXPECT_EQ(*engine.expected_wait(t1, at(1)).seconds, 0.0);
  const TicketId waits = create({}, {}, 1);
  EXPECT_EQ(engine.expected_wait(waits, at(1)).method, "no_history");  // nothing handled yet
  solve(t1, 100);  // handled in 100 s; the agent pulls the waiting ticket
  EXPECT_EQ(ticket(waits).assignee, a);
  const TicketId fourth = create({}, {}, 101);
  const TicketId fifth = create({}, {}, 102);
  const ExpectedWait w4 = engine.expected_wait(fourth, at(103));
  EXPECT_EQ(w4.method, "erlang_c");
  EXPECT_NEAR(*w4.seconds, 1 * 100.0 / 2, 1e-6);  // first in line, two agents
  EXPECT_NEAR(*engine.expected_wait(fifth, at(103)).seconds, 2 * 100.0 / 2, 1e-6);

  const QueueStats q = engine.queues(at(103)).front();
  EXPECT_GT(q.arrivals_per_hour, 4.9);
  EXPECT_NEAR(*q.handle_seconds, 100.0, 1e-6);
  EXPECT_EQ(q.new_arrival.method, "erlang_c");

  const TicketId elsewhere = [&] {
    Ticket t;
    t.subject = "x";
    t.team = other;
    auto c = engine.create_ticket(t, at(104));
    keep(*c);
    return c->tickets[0].id;
  }();
  EXPECT_EQ(engine.expected_wait(elsewhere, at(104)).method, "no_agents_online");

  // A customer gives up: the fifth ticket leaves the queue unserved after 301 s.
  // Patience = time waited (0 + 0 + 99 s served, fading 1 % per observation, + 301 s) / abandonments.
  solve(fifth, 403);
  const double patience = 99 * 0.99 + 301;
  const TicketId sixth = create({}, {}, 404);
  const ExpectedWait w = engine.expected_wait(sixth, at(405));
  EXPECT_EQ(w.method, "erlang_a");
  // Second in line: one completion (2 agents / 100 s), then a completion or the one ahead leaving.
  EXPECT_NEAR(*w.seconds, 50.0 + 1.0 / (2.0 / 100 + 1.0 / patience), 1e-6);
  EXPECT_NEAR(*engine.expected_wait(fourth, at(405)).seconds, 50.0, 1e-6);  // first in line: nobody ahead to leave
  const QueueStats qa = engine.queues(at(405)).front();
  EXPECT_EQ(qa.new_arrival.method, "erlang_a");
  EXPECT_NEAR(*qa.patience_seconds, patience, 1e-6);
}

}  // namespace
}  // namespace sb
