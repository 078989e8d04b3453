// SLA clocks in the engine: warnings and breaches fire once (also after a
// restore), clocks pause while the customer has the ball, and the escalation
// ladder acts.
#include <gtest/gtest.h>

#include "engine/engine.h"

namespace sb {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
Time at_min(double m) { return from_millis(1'000'000 + static_cast<std::int64_t>(m * 60'000)); }

class SlaRules : public ::testing::Test {
 protected:
  SlaRules() { reset(policy()); }

  static sla::SlaPolicy policy() {
    sla::SlaPolicy p;
    p.name = "standard";
    p.targets.first_response = hours(1);
    p.targets.resolution = hours(4);
    p.warn_at = 0.75;
    return p;
  }

  void reset(sla::SlaPolicy p) {
    EngineOptions o;
    o.sla_policies = {std::move(p)};
    engine = std::make_unique<Engine>(o);
    team = engine->create_team(Team{TeamId{}, "support", {}, {}}, at_min(0))->teams[0].id;
    tier2 = engine->create_team(Team{TeamId{}, "tier2", {}, {}}, at_min(0))->teams[0].id;
  }

  TicketId create(double when = 0) {
    Ticket t;
    t.subject = "help";
    t.team = team;
    auto c = engine->create_ticket(t, at_min(when));
    keep(*c);
    return c->tickets[0].id;
  }
  AgentId agent(TeamId in, Presence p = Presence::kOnline) {
    Agent a;
    a.name = "agent";
    a.teams = {in};
    a.presence = p;
    auto c = engine->create_agent(a, at_min(0));
    keep(*c);
    return c->agents[0].id;
  }
  void keep(const Changes& c) {
    for (const Ticket& t : c.tickets) stored[t.id] = t;
    for (const Decision& d : c.decisions) outcomes.push_back(std::string(to_string(d.outcome)));
    for (const Event& e : c.events) {
      auto detail = [&](const char* k) { return e.details.count(k) ? e.details.at(k) : std::string(); };
      events.push_back(std::string(to_string(e.type)) + " " + detail("clock") + detail("action"));
    }
  }
  int events_of(const std::string& what) const {
    return static_cast<int>(std::count(events.begin(), events.end(), what));
  }
  void advance(double m) { keep(engine->advance(at_min(m))); }
  void status(TicketId id, TicketStatus s, double when) {
    TicketPatch p;
    p.status = s;
    const Ticket before = stored.at(id);  // what the store would hand in for a solved ticket
    auto c = engine->update_ticket(id, p, at_min(when), &before);
    ASSERT_TRUE(c.ok()) << c.error().message;
    keep(*c);
  }
  int count(const std::string& outcome) const { return static_cast<int>(std::count(outcomes.begin(), outcomes.end(), outcome)); }
  const Ticket& ticket(TicketId id) { return stored.at(id); }

  std::unique_ptr<Engine> engine;
  TeamId team, tier2;
  std::map<TicketId, Ticket> stored;
  std::vector<std::string> outcomes;
  std::vector<std::string> events;  // "type clock|action"
};

TEST_F(SlaRules, WarnsThenBreachesOnceEach) {
  const TicketId t = create();
  ASSERT_TRUE(ticket(t).sla);
  EXPECT_EQ(ticket(t).sla->policy, "standard");
  EXPECT_EQ(ticket(t).sla->first_response->due, at_min(60));
  EXPECT_EQ(ticket(t).sla->resolution->due, at_min(240));
  advance(44);
  EXPECT_EQ(count("sla_warning"), 0);
  advance(45);  // 75 % of the first-response hour
  EXPECT_EQ(count("sla_warning"), 1);
  advance(50);
  advance(60);
  EXPECT_EQ(count("sla_breached"), 1);
  EXPECT_TRUE(ticket(t).sla->first_response->breached);
  advance(180);  // resolution warns at 3 h
  EXPECT_EQ(count("sla_warning"), 2);
  advance(600);
  EXPECT_EQ(count("sla_breached"), 2);
  advance(2000);
  EXPECT_EQ(count("sla_warning"), 2);
  EXPECT_EQ(count("sla_breached"), 2);
  EXPECT_EQ(events, (std::vector<std::string>{"ticket.created ", "sla.warning first_response", "sla.breached first_response",
                                              "sla.warning resolution", "sla.breached resolution"}));
}

TEST_F(SlaRules, PendingPausesTheClockAndTheAgentsActionIsTheFirstResponse) {
  agent(team);
  const TicketId t = create();
  status(t, TicketStatus::kPending, 30);  // the agent asked the customer: first response met, clock stops
  EXPECT_TRUE(ticket(t).sla->first_response->met);
  EXPECT_FALSE(ticket(t).sla->resolution->due);
  advance(600);
  EXPECT_EQ(count("sla_breached"), 0);
  EXPECT_EQ(engine->sla_remaining(t, at_min(600))[2], minutes(210));  // paused: nothing used while pending
  EXPECT_FALSE(engine->sla_remaining(t, at_min(600))[0]);               // met
  status(t, TicketStatus::kOpen, 600);  // the customer answered: 3.5 h of resolution time left
  EXPECT_EQ(ticket(t).sla->resolution->due, at_min(600 + 210));
  advance(600 + 209);
  EXPECT_EQ(count("sla_breached"), 0);
  advance(600 + 210);
  EXPECT_EQ(count("sla_breached"), 1);
  status(t, TicketStatus::kSolved, 900);
  EXPECT_TRUE(ticket(t).sla->resolution->met);
}

TEST_F(SlaRules, TheLadderRaisesPriorityMovesTeamsAndAssigns) {
  sla::SlaPolicy p = policy();
  using S = sla::EscalationStep;
  p.ladder = {{S::On::kWarning, S::Action::kNotify, std::nullopt, std::nullopt},
              {S::On::kWarning, S::Action::kRaisePriority, std::nullopt, std::nullopt},
              {S::On::kBreach, S::Action::kMoveTeam, TeamId{2}, std::nullopt}};
  reset(p);
  const AgentId senior = agent(tier2, Presence::kOffline);
  const TicketId t = create();
  advance(45);
  EXPECT_EQ(count("notified"), 1);
  EXPECT_EQ(ticket(t).priority, Priority::kHigh);
  advance(60);
  EXPECT_EQ(ticket(t).team, tier2);
  AgentPatch online;
  online.presence = Presence::kOnline;
  keep(*engine->update_agent(senior, online, at_min(61)));
  EXPECT_EQ(ticket(t).assignee, senior);

  sla::SlaPolicy q = policy();
  q.ladder = {{S::On::kBreach, S::Action::kAssign, std::nullopt, AgentId{1}}};
  reset(q);
  const AgentId supervisor = agent(tier2);
  const TicketId u = create();
  advance(61);
  EXPECT_EQ(ticket(u).assignee, supervisor);
  EXPECT_EQ(events_of("ticket.escalated notify"), 1);
  EXPECT_EQ(events_of("ticket.escalated raise_priority"), 1);
  EXPECT_EQ(events_of("ticket.escalated move_team"), 1);
  EXPECT_EQ(events_of("ticket.escalated assign"), 1);
  EXPECT_EQ(events_of("ticket.assigned "), 2);  // the senior agent, then the supervisor
}

TEST_F(SlaRules, ARestoredEngineDoesNotFireAgain) {
  const TicketId t = create();
  advance(46);
  ASSERT_EQ(count("sla_warning"), 1);
  // Restart: the store's state (flags included) rebuilds a fresh engine.
  Snapshot s;
  s.teams = {*engine->find_team(team), *engine->find_team(tier2)};
  s.open_tickets = {ticket(t)};
  s.max_ticket_id = t.value;
  s.max_team_id = 2;
  EngineOptions o;
  o.sla_policies = {policy()};
  engine = std::make_unique<Engine>(o);
  keep(engine->restore(s, at_min(47)));
  advance(50);
  EXPECT_EQ(count("sla_warning"), 1);
  advance(61);
  EXPECT_EQ(count("sla_breached"), 1);
  EXPECT_EQ(events_of("sla.warning first_response"), 1);
  EXPECT_EQ(events_of("sla.breached first_response"), 1);
}

TEST_F(SlaRules, PoliciesSetAfterARestoreStillFire) {
  const TicketId t = create();
  Snapshot s;
  s.teams = {*engine->find_team(team), *engine->find_team(tier2)};
  s.open_tickets = {ticket(t)};
  s.max_ticket_id = t.value;
  s.max_team_id = 2;
  engine = std::make_unique<Engine>(EngineOptions{});  // as the server starts: no policies yet
  keep(engine->restore(s, at_min(1)));
  engine->set_sla_policies({policy()});
  advance(61);
  EXPECT_EQ(count("sla_warning"), 1);
  EXPECT_EQ(count("sla_breached"), 1);
}

TEST_F(SlaRules, NoPolicyNoClock) {
  Ticket t;
  t.subject = "x";
  t.team = team;
  t.priority = Priority::kLow;
  sla::SlaPolicy urgent_only = policy();
  urgent_only.priorities = {Priority::kUrgent};
  reset(urgent_only);
  auto c = engine->create_ticket(t, at_min(0));
  EXPECT_FALSE(c->tickets[0].sla);
}

}  // namespace
}  // namespace sb

namespace sb {
namespace {

class Conversation : public SlaRules {
 protected:
  Conversation() {
    sla::SlaPolicy p = policy();
    p.targets.next_reply = hours(2);
    p.targets.resolution = hours(8);
    reset(p);
  }
  Changes message(TicketId id, MessageKind kind, double when) {
    auto stored_copy = stored.count(id) ? std::optional<Ticket>(stored.at(id)) : std::nullopt;
    auto c = engine->add_message(id, kind, at_min(when), stored_copy ? &*stored_copy : nullptr);
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    keep(*c);
    return *c;
  }
};

TEST_F(Conversation, RepliesMeetClocksAndCustomerMessagesStartTheNextReplyClock) {
  agent(team);
  const TicketId t = create();
  message(t, MessageKind::kNote, 10);
  EXPECT_FALSE(ticket(t).sla->first_response->met);  // a note is not a response
  message(t, MessageKind::kReply, 30);
  EXPECT_TRUE(ticket(t).sla->first_response->met);
  EXPECT_FALSE(ticket(t).sla->next_reply);
  message(t, MessageKind::kCustomer, 60);
  ASSERT_TRUE(ticket(t).sla->next_reply);
  EXPECT_EQ(ticket(t).sla->next_reply->due, at_min(180));
  EXPECT_EQ(engine->sla_remaining(t, at_min(90))[1], minutes(90));
  advance(150);  // 75 % of two hours
  EXPECT_EQ(events_of("sla.warning next_reply"), 1);
  message(t, MessageKind::kReply, 170);
  EXPECT_TRUE(ticket(t).sla->next_reply->met);
  advance(400);
  EXPECT_EQ(events_of("sla.breached next_reply"), 0);

  message(t, MessageKind::kCustomer, 400);  // a new question: a new clock, flags fresh
  EXPECT_FALSE(ticket(t).sla->next_reply->warned);
  EXPECT_EQ(ticket(t).sla->next_reply->due, at_min(520));
  message(t, MessageKind::kCustomer, 410);  // a second message while one is owed changes nothing
  EXPECT_EQ(ticket(t).sla->next_reply->due, at_min(520));
  advance(520);
  EXPECT_EQ(events_of("sla.breached next_reply"), 1);
}

TEST_F(Conversation, TheCustomerWritingReopensAndAnswersPending) {
  const AgentId a = agent(team);
  const TicketId t = create();
  status(t, TicketStatus::kPending, 20);
  EXPECT_FALSE(ticket(t).sla->resolution->due);  // paused
  message(t, MessageKind::kCustomer, 30);
  EXPECT_EQ(ticket(t).status, TicketStatus::kOpen);
  EXPECT_TRUE(ticket(t).sla->resolution->due);  // running again
  EXPECT_EQ(ticket(t).sla->next_reply->due, at_min(150));
  status(t, TicketStatus::kSolved, 40);
  EXPECT_TRUE(ticket(t).sla->next_reply->met);  // nothing is owed on a solved ticket
  message(t, MessageKind::kCustomer, 50);  // "it broke again"
  EXPECT_EQ(ticket(t).status, TicketStatus::kOpen);
  EXPECT_FALSE(ticket(t).sla->resolution->met);
  EXPECT_EQ(ticket(t).assignee, a);
  EXPECT_TRUE(engine->find_live_ticket(t));
  status(t, TicketStatus::kSolved, 60);
  status(t, TicketStatus::kClosed, 61);
  const Ticket closed = ticket(t);
  auto refused = engine->add_message(t, MessageKind::kCustomer, at_min(62), &closed);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "ticket_closed");
  EXPECT_EQ(engine->add_message(TicketId{99}, MessageKind::kReply, at_min(62), nullptr).error().code, "not_found");
}

}  // namespace
}  // namespace sb
