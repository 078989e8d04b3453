#include "engine/engine.h"

#include <gtest/gtest.h>

namespace sb {
namespace {

Time at(int s) { return from_millis(1'000'000 + s * 1000); }

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() {
    team = engine.create_team(Team{TeamId{}, "support", {}}, at(0))->teams.at(0).id;
    other_team = engine.create_team(Team{TeamId{}, "billing", {}}, at(0))->teams.at(0).id;
  }

  AgentId agent(const SkillLevels& skills, Presence p = Presence::kOnline,
                ChannelCounts cap = {2, 2, 1, 1, 2}) {
    Agent a;
    a.name = "agent";
    a.skills = skills;
    a.teams = {team};
    a.capacity = cap;
    a.presence = p;
    return engine.create_agent(a, at(0))->agents.at(0).id;
  }

  Ticket ticket(TicketId id) {
    if (const Ticket* t = engine.find_live_ticket(id)) return *t;
    return stored.at(id);
  }

  TicketId create(const SkillLevels& needs = {}, Priority p = Priority::kNormal,
                  Channel c = Channel::kEmail, int when = 1) {
    Ticket t;
    t.subject = "help";
    t.team = team;
    t.channel = c;
    t.priority = p;
    t.required_skills = needs;
    auto changes = engine.create_ticket(t, at(when));
    EXPECT_TRUE(changes.ok());
    remember(*changes);
    return changes->tickets.at(0).id;
  }

  Changes patch(TicketId id, const TicketPatch& p, int when = 10) {
    const Ticket current = ticket(id);
    auto changes = engine.update_ticket(id, p, at(when), &current);
    EXPECT_TRUE(changes.ok()) << (changes.ok() ? "" : changes.error().message);
    remember(*changes);
    return *changes;
  }

  Changes presence(AgentId a, Presence p, int when = 10) {
    AgentPatch patch;
    patch.presence = p;
    auto changes = engine.update_agent(a, patch, at(when));
    EXPECT_TRUE(changes.ok());
    remember(*changes);
    return *changes;
  }

  void remember(const Changes& c) {
    for (const Ticket& t : c.tickets) stored[t.id] = t;
    for (const Event& e : c.events) {
      std::string line = std::string(to_string(e.type)) + " #" + std::to_string(e.ticket.value);
      for (const auto& [k, v] : e.details) line += " " + k + "=" + v;
      events.push_back(line);
    }
  }

  int load(AgentId a, Channel c = Channel::kEmail) {
    return engine.agent_state(a)->load[static_cast<std::size_t>(c)];
  }

  Engine engine;
  TeamId team, other_team;
  std::map<TicketId, Ticket> stored;
  std::vector<std::string> events;
};

TEST_F(EngineTest, AssignsOnArrivalToTheBestSkilledAgent) {
  agent({{"network", 2}});
  AgentId expert = agent({{"network", 5}});
  TicketId t = create({{"network", 1}});
  EXPECT_EQ(ticket(t).assignee, expert);
  EXPECT_EQ(ticket(t).status, TicketStatus::kOpen);
  ASSERT_TRUE(ticket(t).routing);
  EXPECT_EQ(ticket(t).routing->policy, "skills_best_match");
  EXPECT_EQ(ticket(t).routing->proficiency, 5);
  EXPECT_FALSE(engine.queue_position(t));
}

TEST_F(EngineTest, EmitsAnEventForEachThingThatHappened) {
  const AgentId a = agent({}, Presence::kOnline, {1, 1, 1, 1, 1});
  const TicketId first = create();
  const TicketId second = create();
  TicketPatch solve;
  solve.status = TicketStatus::kSolved;
  patch(first, solve);
  const std::string agent_id = std::to_string(a.value);
  EXPECT_EQ(events, (std::vector<std::string>{
                        "ticket.created #1",
                        "ticket.assigned #1 agent_id=" + agent_id + " how=routed",
                        "ticket.status_changed #1 from=new to=open",
                        "ticket.created #2",
                        "ticket.status_changed #1 from=open to=solved",
                        "ticket.assigned #2 agent_id=" + agent_id + " how=routed",
                        "ticket.status_changed #2 from=new to=open",
                    }));
  (void)second;
}

// The events are a complete assignment history: whatever takes a ticket off
// its agent says so (the multi-node chaos checker replays them).
TEST_F(EngineTest, EveryUnassignmentIsAnEvent) {
  const AgentId a = agent({}, Presence::kOnline, {1, 1, 1, 1, 1});
  const AgentId b = agent({}, Presence::kOffline, {1, 1, 1, 1, 1});
  const TicketId t = create();
  ASSERT_EQ(ticket(t).assignee, a);
  // a goes offline before taking it on: requeued (b is offline, so it waits).
  events.clear();
  presence(a, Presence::kOffline, 2);
  EXPECT_FALSE(ticket(t).assignee);
  EXPECT_EQ(events, (std::vector<std::string>{"ticket.unassigned #1 agent_id=" + std::to_string(a.value) +
                                              " reason=requeued"}));
  // Back online, it gets it again; then a supervisor hands it to b.
  presence(a, Presence::kOnline, 3);
  presence(b, Presence::kOnline, 4);
  ASSERT_EQ(ticket(t).assignee, a);
  events.clear();
  TicketPatch to_b;
  to_b.assignee = std::optional<AgentId>(b);
  patch(t, to_b, 5);
  EXPECT_EQ(ticket(t).assignee, b);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front(), "ticket.unassigned #1 agent_id=" + std::to_string(a.value) + " reason=updated");
  EXPECT_EQ(std::count_if(events.begin(), events.end(),
                          [&](const std::string& e) { return e.starts_with("ticket.assigned #1 agent_id=" + std::to_string(b.value)); }),
            1);
  // Moved to a team b is not in: unassigned again.
  events.clear();
  TicketPatch move;
  move.team = std::optional<TeamId>(other_team);
  patch(t, move, 6);
  EXPECT_FALSE(ticket(t).assignee);
  EXPECT_EQ(events, (std::vector<std::string>{"ticket.unassigned #1 agent_id=" + std::to_string(b.value) +
                                              " reason=updated"}));
}

TEST_F(EngineTest, WaitsWhenNobodyIsEligible) {
  agent({{"network", 2}}, Presence::kOffline);
  agent({{"network", 1}});
  TicketId t = create({{"network", 2}});
  EXPECT_FALSE(ticket(t).assignee);
  EXPECT_EQ(ticket(t).status, TicketStatus::kNew);
  EXPECT_EQ(engine.queue_position(t), 1u);
}

TEST_F(EngineTest, NeverExceedsCapacity) {
  AgentId a = agent({}, Presence::kOnline, {2, 2, 1, 1, 2});
  TicketId t1 = create({}, Priority::kNormal, Channel::kChat);
  TicketId t2 = create({}, Priority::kNormal, Channel::kChat);
  EXPECT_EQ(ticket(t1).assignee, a);
  EXPECT_FALSE(ticket(t2).assignee);
  EXPECT_EQ(load(a, Channel::kChat), 1);
  // Another channel still has room.
  TicketId t3 = create({}, Priority::kNormal, Channel::kEmail);
  EXPECT_EQ(ticket(t3).assignee, a);
  // A manual assignment over capacity is refused and changes nothing.
  TicketPatch p;
  p.assignee = std::optional<AgentId>(a);
  const Ticket before = ticket(t2);
  auto refused = engine.update_ticket(t2, p, at(5), &before);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "capacity_exceeded");
  EXPECT_FALSE(ticket(t2).assignee);
  EXPECT_EQ(load(a, Channel::kChat), 1);
}

TEST_F(EngineTest, SolvingFreesCapacityAndPullsTheBestWaitingTicket) {
  AgentId a = agent({}, Presence::kOnline, {1, 1, 1, 1, 1});
  TicketId first = create();
  TicketId low = create({}, Priority::kLow, Channel::kEmail, 2);
  TicketId old_normal = create({}, Priority::kNormal, Channel::kEmail, 3);
  TicketId urgent = create({}, Priority::kUrgent, Channel::kEmail, 4);
  EXPECT_EQ(engine.queue_position(urgent), 1u);
  EXPECT_EQ(engine.queue_position(low), 3u);
  TicketPatch solve;
  solve.status = TicketStatus::kSolved;
  patch(first, solve);
  EXPECT_EQ(ticket(first).status, TicketStatus::kSolved);
  EXPECT_TRUE(ticket(first).solved_at);
  EXPECT_EQ(ticket(urgent).assignee, a);
  patch(urgent, solve, 11);
  EXPECT_EQ(ticket(old_normal).assignee, a);
  EXPECT_FALSE(ticket(low).assignee);
  EXPECT_EQ(load(a), 1);
}

TEST_F(EngineTest, ComingOnlinePullsWaitingWork) {
  AgentId a = agent({{"vpn", 3}}, Presence::kOffline, {2, 2, 1, 1, 2});
  TicketId t1 = create({{"vpn", 3}});
  TicketId t2 = create({{"vpn", 4}});  // a lacks the level
  TicketId t3 = create();
  Changes c = presence(a, Presence::kOnline);
  EXPECT_EQ(ticket(t1).assignee, a);
  EXPECT_FALSE(ticket(t2).assignee);
  EXPECT_EQ(ticket(t3).assignee, a);
  EXPECT_EQ(c.tickets.size(), 2u);
  EXPECT_EQ(c.agents.size(), 1u);
}

TEST_F(EngineTest, GoingOfflineReturnsUnworkedTicketsOnly) {
  AgentId a = agent({}, Presence::kOnline, {3, 3, 3, 3, 3});
  TicketId open = create();
  TicketId pending = create();
  TicketPatch p;
  p.status = TicketStatus::kPending;
  patch(pending, p);
  AgentId b = agent({}, Presence::kOffline);
  presence(a, Presence::kOffline);
  EXPECT_FALSE(ticket(open).assignee);
  EXPECT_EQ(ticket(open).status, TicketStatus::kOpen);
  EXPECT_EQ(engine.queue_position(open), 1u);
  EXPECT_EQ(ticket(pending).assignee, a);
  EXPECT_EQ(load(a), 1);
  presence(b, Presence::kOnline, 20);
  EXPECT_EQ(ticket(open).assignee, b);
}

TEST_F(EngineTest, AwayKeepsWorkButTakesNoNewWork) {
  AgentId a = agent({});
  TicketId t1 = create();
  presence(a, Presence::kAway);
  EXPECT_EQ(ticket(t1).assignee, a);
  TicketId t2 = create();
  EXPECT_FALSE(ticket(t2).assignee);
}

TEST_F(EngineTest, InvalidTransitionChangesNothing) {
  agent({});
  TicketId t = create();
  TicketPatch p;
  p.status = TicketStatus::kClosed;
  const Ticket before = ticket(t);
  auto r = engine.update_ticket(t, p, at(3), &before);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(ticket(t).status, TicketStatus::kOpen);
}

TEST_F(EngineTest, ATicketWithoutATeamCanBeAssignedByHand) {
  AgentId a = agent({});
  Ticket t;
  t.subject = "no team";
  auto created = engine.create_ticket(t, at(1));
  ASSERT_TRUE(created.ok());
  const TicketId id = created->tickets[0].id;
  EXPECT_FALSE(created->tickets[0].assignee);
  TicketPatch p;
  p.assignee = std::optional<AgentId>(a);
  auto assigned = engine.update_ticket(id, p, at(2), nullptr);
  ASSERT_TRUE(assigned.ok());
  EXPECT_EQ(engine.find_live_ticket(id)->assignee, a);
  EXPECT_EQ(load(a, Channel::kApi), 1);
}

TEST_F(EngineTest, UnknownTeamIsAFieldError) {
  Ticket t;
  t.subject = "x";
  t.team = TeamId{99};
  auto r = engine.create_ticket(t, at(1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "team");
  EXPECT_EQ(engine.live_ticket_count(), 0u);
}

TEST_F(EngineTest, ReopeningAFullAgentsTicketRequeuesIt) {
  AgentId a = agent({}, Presence::kOnline, {1, 1, 1, 1, 1});
  TicketId t1 = create();
  TicketPatch solve;
  solve.status = TicketStatus::kSolved;
  patch(t1, solve);
  TicketId t2 = create({}, Priority::kNormal, Channel::kEmail, 20);
  EXPECT_EQ(ticket(t2).assignee, a);
  TicketPatch reopen;
  reopen.status = TicketStatus::kOpen;
  patch(t1, reopen, 30);
  EXPECT_FALSE(ticket(t1).assignee);
  EXPECT_EQ(engine.queue_position(t1), 1u);
  EXPECT_EQ(load(a), 1);
}

TEST_F(EngineTest, MovingTeamsReroutes) {
  AgentId a = agent({});
  Agent b;
  b.name = "b";
  b.teams = {other_team};
  b.presence = Presence::kOnline;
  AgentId bid = engine.create_agent(b, at(0))->agents.at(0).id;
  TicketId t = create();
  EXPECT_EQ(ticket(t).assignee, a);
  TicketPatch move;
  move.team = std::optional<TeamId>(other_team);
  patch(t, move);
  EXPECT_EQ(ticket(t).assignee, bid);
  EXPECT_EQ(load(a), 0);
}

TEST_F(EngineTest, RestoreRebuildsLoadAndQueues) {
  AgentId a = agent({}, Presence::kOnline, {1, 1, 1, 1, 1});
  TicketId t1 = create();
  TicketId t2 = create();
  Snapshot s;
  s.teams = {*engine.find_team(team), *engine.find_team(other_team)};
  s.agents = {*engine.find_agent(a)};
  s.open_tickets = {ticket(t1), ticket(t2)};
  s.max_ticket_id = 2;
  s.max_agent_id = a.value;
  s.max_team_id = 2;
  Engine fresh;
  Changes c = fresh.restore(s, at(50));
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(fresh.agent_state(a)->load[0], 1);
  EXPECT_EQ(fresh.queue_position(t2), 1u);
  Ticket next;
  next.subject = "next";
  EXPECT_EQ(fresh.create_ticket(next, at(51))->tickets.at(0).id, TicketId{3});
}

}  // namespace
}  // namespace sb
