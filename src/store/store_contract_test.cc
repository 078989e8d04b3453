// The contract every Store implementation keeps, run against each backend.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "store/memory_store.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/temp_dir.h"

namespace sb {
namespace {

struct Backend {
  std::string name;
  std::function<std::unique_ptr<Store>(const std::string& dir)> open;
};

void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

class StoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    store = GetParam().open(dir.path().string());
    ASSERT_NE(store, nullptr);
  }

  testing::TempDir dir{"sb_store"};
  std::unique_ptr<Store> store;
};

Ticket sample_ticket(std::int64_t id, TicketStatus status = TicketStatus::kOpen) {
  Ticket t;
  t.id = TicketId{id};
  t.channel = Channel::kChat;
  t.subject = "VPN drops — ünïcode ✓";
  t.body = "line one\nline 'two' \"quoted\"";
  t.requester = {"ana@example.com", "Ana", Tier::kVip};
  t.status = status;
  t.priority = Priority::kHigh;
  t.category = "network";
  t.team = TeamId{1};
  t.required_skills = {{"vpn", 3}, {"spanish", 2}};
  t.tags = {"vpn", "remote"};
  t.assignee = AgentId{7};
  t.created_at = from_millis(1000);
  t.updated_at = from_millis(2000);
  t.assigned_at = from_millis(1500 + id);
  if (is_terminal(status)) t.solved_at = from_millis(3000);
  RoutingExplanation why;
  why.policy = "skills_best_match";
  why.agent = AgentId{7};
  why.proficiency = 5;
  why.load = 1;
  why.capacity = 3;
  why.candidates = 4;
  why.summary = "chosen";
  why.at = from_millis(1500);
  t.routing = why;
  t.optional_skills = {{"french", 2}};
  t.queued_at = from_millis(1200);
  t.offer_expires_at = from_millis(1600);
  t.declined_by = {AgentId{4}, AgentId{5}};
  t.triage = TriageInfo{"category", "network", 0.93, false, {"vip first"}, "matrix high x high", "", {}};
  SlaClockState clock;
  clock.target = std::chrono::hours(8);
  clock.consumed = std::chrono::minutes(30);
  clock.running_since = from_millis(1600);
  clock.due = from_millis(9000);
  clock.warned = true;
  t.sla = SlaState{"standard", std::nullopt, clock, clock};
  t.triage->predicts = "category";
  t.triage->predicted_value = "network";
  t.triage->prediction_used = true;
  t.stats = TicketStats{from_millis(1700), 1, 2, 3, 4};
  return t;
}

TEST_P(StoreContract, TicketRoundTripsEveryField) {
  const Ticket t = sample_ticket(1);
  ASSERT_TRUE(store->commit(WriteBatch{{t}, {}, {}, {}, {}}).ok());
  auto got = store->find_ticket(TicketId{1});
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  const Ticket& g = **got;
  EXPECT_EQ(g.subject, t.subject);
  EXPECT_EQ(g.body, t.body);
  EXPECT_EQ(g.requester.tier, Tier::kVip);
  EXPECT_EQ(g.channel, Channel::kChat);
  EXPECT_EQ(g.priority, Priority::kHigh);
  EXPECT_EQ(g.team, t.team);
  EXPECT_EQ(g.required_skills, t.required_skills);
  EXPECT_EQ(g.tags, t.tags);
  EXPECT_EQ(g.assignee, t.assignee);
  EXPECT_EQ(g.assigned_at, t.assigned_at);
  EXPECT_FALSE(g.solved_at);
  ASSERT_TRUE(g.routing);
  EXPECT_EQ(g.routing->candidates, 4);
  EXPECT_EQ(g.routing->summary, "chosen");
  EXPECT_EQ(g.optional_skills, t.optional_skills);
  EXPECT_EQ(g.queued_at, t.queued_at);
  EXPECT_EQ(g.offer_expires_at, t.offer_expires_at);
  EXPECT_FALSE(g.accepted_at);
  EXPECT_EQ(g.declined_by, t.declined_by);
  ASSERT_TRUE(g.triage);
  EXPECT_EQ(g.triage->predicted, "network");
  EXPECT_DOUBLE_EQ(g.triage->confidence, 0.93);
  EXPECT_EQ(g.triage->rules, std::vector<std::string>{"vip first"});
  ASSERT_TRUE(g.sla);
  EXPECT_EQ(g.sla->policy, "standard");
  EXPECT_FALSE(g.sla->first_response);
  ASSERT_TRUE(g.sla->next_reply);
  EXPECT_EQ(g.sla->next_reply->due, from_millis(9000));
  ASSERT_TRUE(g.sla->resolution);
  EXPECT_EQ(g.sla->resolution->target, std::chrono::hours(8));
  EXPECT_EQ(g.sla->resolution->consumed, std::chrono::minutes(30));
  EXPECT_EQ(g.sla->resolution->running_since, from_millis(1600));
  EXPECT_EQ(g.sla->resolution->due, from_millis(9000));
  EXPECT_TRUE(g.sla->resolution->warned);
  EXPECT_FALSE(g.sla->resolution->breached);
  EXPECT_EQ(g.triage->predicts, "category");
  EXPECT_EQ(g.triage->predicted_value, "network");
  EXPECT_TRUE(g.triage->prediction_used);
  EXPECT_EQ(g.stats.first_response_at, from_millis(1700));
  EXPECT_EQ(g.stats.reassignments, 1);
  EXPECT_EQ(g.stats.declines, 2);
  EXPECT_EQ(g.stats.offer_timeouts, 3);
  EXPECT_EQ(g.stats.escalations, 4);
  EXPECT_FALSE(store->find_ticket(TicketId{2})->has_value());
}

TEST_P(StoreContract, ReportFactsByCreationOrOpenDuringTheRange) {
  Ticket old = sample_ticket(1);  // created at 1000, still open
  Ticket solved = sample_ticket(2, TicketStatus::kSolved);  // created 1000, solved 3000
  Ticket late = sample_ticket(3);
  late.created_at = from_millis(5000);
  late.team = TeamId{2};
  late.sla->resolution->breached = true;
  ASSERT_TRUE(store->commit(WriteBatch{{old, solved, late}, {}, {}, {}, {}}).ok());

  auto created = store->ticket_facts(from_millis(4000), from_millis(6000), ReportGroup::kTeam);
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->size(), 1u);
  const TicketFact& f = created->front();
  EXPECT_EQ(f.group, "2");
  EXPECT_EQ(f.team, TeamId{2});
  EXPECT_EQ(f.category, "network");
  EXPECT_EQ(f.sla, SlaOutcome::kBreached);
  EXPECT_EQ(f.first_response_at, from_millis(1700));
  EXPECT_EQ(f.reassignments + f.declines + f.offer_timeouts + f.escalations, 10);
  EXPECT_EQ(f.predicts, "category");
  EXPECT_EQ(f.predicted, "network");
  EXPECT_TRUE(f.prediction_used);
  EXPECT_EQ(f.assignee, AgentId{7});

  // Open at some moment of [4000, 6000): the old open one and the late one, not the solved one.
  auto open = store->ticket_facts(from_millis(4000), from_millis(6000), ReportGroup::kNone, FactRange::kOpen);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ(open->at(0).created_at, from_millis(1000));
  EXPECT_FALSE(open->at(0).solved_at);
  EXPECT_EQ(open->at(1).created_at, from_millis(5000));
  auto early = store->ticket_facts(from_millis(2000), from_millis(4000), ReportGroup::kNone, FactRange::kOpen);
  EXPECT_EQ(early->size(), 2u);  // the solved one was still open at 2000
}

TEST_P(StoreContract, PresenceChangesAreLoggedWithTheLastOneBeforeTheRange) {
  Agent a;
  a.id = AgentId{1};
  a.name = "Ana";
  a.email = "ana@example.com";
  auto at = [&](std::int64_t ms, Presence p) {
    a.presence = p;
    a.updated_at = from_millis(ms);
    WriteBatch b;
    b.agents.push_back(a);
    ASSERT_TRUE(store->commit(b).ok());
  };
  at(100, Presence::kOffline);
  at(200, Presence::kOnline);
  at(250, Presence::kOnline);  // no change: not logged
  at(300, Presence::kAway);
  at(400, Presence::kOnline);
  auto h = store->presence_history(from_millis(350), from_millis(1000));
  ASSERT_TRUE(h.ok()) << h.error().message;
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ(h->at(0).at, from_millis(300));
  EXPECT_EQ(h->at(0).presence, Presence::kAway);
  EXPECT_EQ(h->at(1).at, from_millis(400));
  EXPECT_EQ(h->at(1).presence, Presence::kOnline);
  EXPECT_EQ(store->presence_history(from_millis(0), from_millis(1000))->size(), 4u);
}

TEST_P(StoreContract, TeamRoutingSettingsRoundTrip) {
  Team team{TeamId{1}, "support", from_millis(1), {}};
  team.routing.policy = "sticky";
  team.routing.fallback_policy = "least_loaded";
  team.routing.sticky_wait = std::chrono::seconds(45);
  team.routing.load_measure = LoadMeasure::kAbsolute;
  team.routing.aging_step = std::chrono::minutes(10);
  team.routing.relaxation = {{std::chrono::seconds(60), RelaxAction::kDropOptionalSkills, 1, std::nullopt},
                             {std::chrono::seconds(120), RelaxAction::kLowerProficiency, 2, std::nullopt},
                             {std::chrono::seconds(300), RelaxAction::kOverflow, 1, TeamId{2}}};
  team.routing.offer_mode[static_cast<int>(Channel::kChat)] = OfferMode::kOffer;
  team.routing.offer_timeout = std::chrono::seconds(20);
  team.routing.max_missed_offers = 2;
  ASSERT_TRUE(store->commit(WriteBatch{{}, {}, {team}, {}, {}}).ok());
  const TeamRouting got = store->list_teams()->at(0).routing;
  EXPECT_EQ(got.policy, "sticky");
  EXPECT_EQ(got.fallback_policy, "least_loaded");
  EXPECT_EQ(got.sticky_wait, std::chrono::seconds(45));
  EXPECT_EQ(got.load_measure, LoadMeasure::kAbsolute);
  EXPECT_EQ(got.aging_step, std::chrono::minutes(10));
  ASSERT_EQ(got.relaxation.size(), 3u);
  EXPECT_EQ(got.relaxation[1].by, 2);
  EXPECT_EQ(got.relaxation[2].team, TeamId{2});
  EXPECT_EQ(got.offer_mode[static_cast<int>(Channel::kChat)], OfferMode::kOffer);
  EXPECT_EQ(got.offer_mode[static_cast<int>(Channel::kEmail)], OfferMode::kDirect);
  EXPECT_EQ(got.offer_timeout, std::chrono::seconds(20));
  EXPECT_EQ(got.max_missed_offers, 2);
}

TEST_P(StoreContract, DecisionsComeBackNewestFirst) {
  WriteBatch b;
  for (int i = 0; i < 3; ++i) {
    Decision d;
    d.ticket = TicketId{7};
    d.at = from_millis(100 + i);
    d.outcome = i == 2 ? "assigned" : "queued";
    d.policy = "round_robin";
    d.candidates = {{AgentId{1}, "Ada", false, "offline", {}}, {AgentId{2}, "Bo", true, "chosen", {{"load_share", 0.5}}}};
    d.excluded_counts = {{"offline", 1}};
    b.decisions.push_back(d);
  }
  ASSERT_TRUE(store->commit(b).ok());
  auto got = store->list_decisions(TicketId{7}, 2);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].outcome, "assigned");
  EXPECT_EQ((*got)[0].at, from_millis(102));
  EXPECT_EQ((*got)[0].candidates[1].score[0].second, 0.5);
  EXPECT_EQ((*got)[0].excluded_counts.at("offline"), 1);
  EXPECT_TRUE(store->list_decisions(TicketId{8}, 10)->empty());
}

TEST_P(StoreContract, ListFiltersAndPagesInIdOrder) {
  WriteBatch b;
  for (int i = 1; i <= 7; ++i) {
    Ticket t = sample_ticket(i, i % 2 ? TicketStatus::kOpen : TicketStatus::kSolved);
    if (i == 3) t.team = TeamId{2};
    b.tickets.push_back(t);
  }
  ASSERT_TRUE(store->commit(b).ok());
  TicketQuery q;
  q.status = TicketStatus::kOpen;
  q.limit = 2;
  auto p1 = store->list_tickets(q);
  ASSERT_TRUE(p1.ok()) << p1.error().message;
  ASSERT_EQ(p1->tickets.size(), 2u);
  EXPECT_EQ(p1->tickets[0].id, TicketId{1});
  EXPECT_EQ(p1->tickets[1].id, TicketId{3});
  EXPECT_TRUE(p1->more);
  q.after = 3;
  auto p2 = store->list_tickets(q);
  ASSERT_EQ(p2->tickets.size(), 2u);
  EXPECT_EQ(p2->tickets[1].id, TicketId{7});
  EXPECT_FALSE(p2->more);
  TicketQuery by_team;
  by_team.team = TeamId{2};
  EXPECT_EQ(store->list_tickets(by_team)->tickets.size(), 1u);
  TicketQuery by_agent;
  by_agent.assignee = AgentId{8};
  EXPECT_TRUE(store->list_tickets(by_agent)->tickets.empty());
  // A supervisor's scope: any of a set of teams (none: nothing).
  TicketQuery scoped;
  scoped.teams = std::vector<TeamId>{TeamId{2}, TeamId{9}};
  auto in_scope = store->list_tickets(scoped);
  ASSERT_TRUE(in_scope.ok()) << in_scope.error().message;
  ASSERT_EQ(in_scope->tickets.size(), 1u);
  EXPECT_EQ(in_scope->tickets[0].id, TicketId{3});
  scoped.teams = std::vector<TeamId>{TeamId{1}};
  EXPECT_EQ(store->list_tickets(scoped)->tickets.size(), 6u);
  scoped.teams = std::vector<TeamId>{};
  EXPECT_TRUE(store->list_tickets(scoped)->tickets.empty());
}

TEST_P(StoreContract, SnapshotHoldsOpenTicketsAndMaxIds) {
  WriteBatch b;
  b.teams = {Team{TeamId{1}, "support", from_millis(1), {}}, Team{TeamId{4}, "billing", from_millis(1), {}}};
  Agent a;
  a.id = AgentId{7};
  a.name = "Ada";
  a.skills = {{"vpn", 4}};
  a.teams = {TeamId{1}, TeamId{4}};
  a.capacity = {1, 2, 3, 4, 5};
  a.presence = Presence::kAway;
  b.agents = {a};
  b.tickets = {sample_ticket(1), sample_ticket(9, TicketStatus::kSolved), sample_ticket(5, TicketStatus::kPending)};
  ASSERT_TRUE(store->commit(b).ok());
  auto s = store->load_snapshot();
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->max_ticket_id, 9);
  EXPECT_EQ(s->max_agent_id, 7);
  EXPECT_EQ(s->max_team_id, 4);
  ASSERT_EQ(s->open_tickets.size(), 2u);
  EXPECT_EQ(s->open_tickets[0].id, TicketId{1});
  EXPECT_EQ(s->open_tickets[1].id, TicketId{5});
  ASSERT_EQ(s->agents.size(), 1u);
  EXPECT_EQ(s->agents[0].capacity, a.capacity);
  EXPECT_EQ(s->agents[0].teams, a.teams);
  EXPECT_EQ(s->agents[0].presence, Presence::kAway);
  EXPECT_EQ(s->last_assigned.at(AgentId{7}), from_millis(1509));
  EXPECT_EQ(s->last_agent_of.at("ana@example.com"), AgentId{7});
}

TEST_P(StoreContract, UpsertReplacesTheWholeRecord) {
  Ticket t = sample_ticket(1);
  ASSERT_TRUE(store->commit(WriteBatch{{t}, {}, {}, {}, {}}).ok());
  t.status = TicketStatus::kSolved;
  t.assignee.reset();
  t.tags.clear();
  ASSERT_TRUE(store->commit(WriteBatch{{t}, {}, {}, {}, {}}).ok());
  auto g = store->find_ticket(TicketId{1});
  EXPECT_EQ((*g)->status, TicketStatus::kSolved);
  EXPECT_FALSE((*g)->assignee);
  EXPECT_TRUE((*g)->tags.empty());
}

TEST_P(StoreContract, AFailedCommitWritesNothing) {
  ASSERT_TRUE(store->commit(WriteBatch{{}, {}, {Team{TeamId{1}, "support", from_millis(1), {}}}, {}, {}}).ok());
  WriteBatch ok_part{{sample_ticket(1)}, {}, {}, {}, {}};
  WriteBatch bad_part{{}, {}, {Team{TeamId{2}, "support", from_millis(1), {}}}, {}, {}};  // duplicate name
  const WriteBatch* both[] = {&ok_part, &bad_part};
  auto s = store->commit(both);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "duplicate_name");
  EXPECT_FALSE(store->find_ticket(TicketId{1})->has_value());
  EXPECT_EQ(store->list_teams()->size(), 1u);
}

TEST_P(StoreContract, TokensAreFoundByHash) {
  TokenRecord t{"abc123", Role::kAgent, AgentId{3}, from_millis(5)};
  ASSERT_TRUE(store->commit(WriteBatch{{}, {}, {}, {t}, {}}).ok());
  auto got = store->find_token("abc123");
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->agent, AgentId{3});
  EXPECT_EQ((*got)->role, Role::kAgent);
  EXPECT_FALSE(store->find_token("abc124")->has_value());
}

Event sample_event(std::int64_t seq, EventType type = EventType::kTicketCreated) {
  Event e;
  e.seq = seq;
  e.id = "evt_" + std::to_string(seq);
  e.type = type;
  e.ticket = TicketId{seq * 10};
  e.at = from_millis(seq * 1000);
  e.data = R"({"n":)" + std::to_string(seq) + "}";
  return e;
}

Delivery sample_delivery(std::int64_t seq, std::int64_t due_ms) {
  Delivery d;
  d.kind = DeliveryKind::kWebhook;
  d.event_seq = seq;
  d.webhook = WebhookId{1};
  d.next_attempt_at = from_millis(due_ms);
  d.created_at = from_millis(1);
  return d;
}

TEST_P(StoreContract, EventsAndTheirDeliveriesCommitWithTheChange) {
  WriteBatch b;
  b.tickets = {sample_ticket(1)};
  b.events = {sample_event(1), sample_event(2, EventType::kTicketAssigned)};
  b.deliveries = {sample_delivery(1, 5000), sample_delivery(2, 3000)};
  Delivery mail = sample_delivery(1, 4000);
  mail.kind = DeliveryKind::kEmail;
  mail.webhook.reset();
  mail.recipient = "ann@example.com";
  mail.message = "Subject: hi\r\n\r\nbody";
  mail.message_id = "<t1.e1@example.com>";
  b.deliveries.push_back(mail);
  ASSERT_TRUE(store->commit(b).ok());
  EXPECT_EQ(*store->last_event_seq(), 2);
  auto events = *store->list_events(0, 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].id, "evt_2");
  EXPECT_EQ(events[1].type, EventType::kTicketAssigned);
  EXPECT_EQ(events[1].ticket, TicketId{20});
  EXPECT_EQ(events[1].at, from_millis(2000));
  EXPECT_EQ(events[1].data, R"({"n":2})");
  EXPECT_EQ(store->list_events(1, 10)->size(), 1u);

  // Due: pending and next_attempt_at <= now, soonest first.
  auto due = *store->due_deliveries(from_millis(4500), 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].event_seq, 2);
  EXPECT_EQ(due[1].kind, DeliveryKind::kEmail);
  EXPECT_EQ(due[1].recipient, "ann@example.com");
  EXPECT_EQ(due[1].message, mail.message);
  EXPECT_EQ(due[1].message_id, mail.message_id);
  EXPECT_FALSE(due[1].webhook);

  // An attempt's outcome is recorded; delivered and dead ones are no longer due.
  Delivery done = due[0];
  done.state = DeliveryState::kDelivered;
  done.attempts = 2;
  done.delivered_at = from_millis(4600);
  done.last_error = "HTTP 500 once";
  ASSERT_TRUE(store->update_delivery(done).ok());
  auto back = *store->find_delivery(done.id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->state, DeliveryState::kDelivered);
  EXPECT_EQ(back->attempts, 2);
  EXPECT_EQ(back->delivered_at, from_millis(4600));
  EXPECT_EQ(back->last_error, "HTTP 500 once");
  EXPECT_EQ(store->due_deliveries(from_millis(9000), 10)->size(), 2u);
  Delivery missing = done;
  missing.id = 999;
  EXPECT_EQ(store->update_delivery(missing).error().code, "not_found");

  DeliveryQuery q;
  q.state = DeliveryState::kDelivered;
  EXPECT_EQ(store->list_deliveries(q)->size(), 1u);
  EXPECT_EQ(*store->count_deliveries(DeliveryState::kDelivered), 1);
  EXPECT_EQ(*store->count_deliveries(DeliveryState::kPending), 2);
  EXPECT_EQ(*store->count_deliveries(DeliveryState::kDead), 0);
  q = {};
  q.event_seq = 1;
  EXPECT_EQ(store->list_deliveries(q)->size(), 2u);
  q = {};
  q.limit = 2;
  auto page = *store->list_deliveries(q);
  ASSERT_EQ(page.size(), 2u);
  q.after = page.back().id;
  EXPECT_EQ(store->list_deliveries(q)->size(), 1u);
}

TEST_P(StoreContract, AnEventNumberIsNeverReused) {
  WriteBatch first;
  first.events = {sample_event(1)};
  ASSERT_TRUE(store->commit(first).ok());
  WriteBatch again;
  again.tickets = {sample_ticket(7)};
  again.events = {sample_event(1)};
  auto s = store->commit(again);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "duplicate_event");
  EXPECT_FALSE(store->find_ticket(TicketId{7})->has_value());
}

TEST_P(StoreContract, MessagesComeBackInOrderPerTicket) {
  WriteBatch b;
  Message m;
  m.id = 1;
  m.ticket = TicketId{4};
  m.kind = MessageKind::kReply;
  m.agent = AgentId{2};
  m.author_name = "Bo";
  m.body = "Have you tried turning it off and on again?";
  m.attachments = {{"log.txt", "text/plain", 1234}};
  m.at = from_millis(77);
  b.messages.push_back(m);
  Message other = m;
  other.id = 2;
  other.ticket = TicketId{5};
  b.messages.push_back(other);
  Message customer;
  customer.id = 3;
  customer.ticket = TicketId{4};
  customer.kind = MessageKind::kCustomer;
  customer.author_email = "ann@example.com";
  customer.body = "Yes.";
  customer.message_id = "<abc@mail.example>";
  customer.at = from_millis(99);
  b.messages.push_back(customer);
  ASSERT_TRUE(store->commit(b).ok());
  auto thread = *store->list_messages(TicketId{4});
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_EQ(thread[0].body, m.body);
  EXPECT_EQ(thread[0].kind, MessageKind::kReply);
  EXPECT_EQ(thread[0].agent, AgentId{2});
  ASSERT_EQ(thread[0].attachments.size(), 1u);
  EXPECT_EQ(thread[0].attachments[0].size, 1234);
  EXPECT_EQ(thread[0].attachments[0].content_type, "text/plain");
  EXPECT_EQ(thread[1].author_email, "ann@example.com");
  EXPECT_EQ(thread[1].message_id, "<abc@mail.example>");
  EXPECT_EQ(thread[1].at, from_millis(99));
  EXPECT_FALSE(thread[1].agent);
  EXPECT_EQ(*store->last_message_id(), 3);
}

TEST_P(StoreContract, MailReceiptsAreUniquePerMailboxAndFindTheirTicket) {
  WriteBatch b;
  b.receipts.push_back({"support", "abc@mail.example", TicketId{7}, "created", "From: a@b.c\r\n\r\nhi", from_millis(5)});
  b.events = {sample_event(1)};  // ticket 10
  Delivery mail = sample_delivery(1, 0);
  mail.kind = DeliveryKind::kEmail;
  mail.message_id = "<sb.t10.x@acme.example>";
  b.deliveries = {mail};
  ASSERT_TRUE(store->commit(b).ok());
  auto r = *store->find_mail_receipt("support", "abc@mail.example");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->ticket, TicketId{7});
  EXPECT_EQ(r->raw, "From: a@b.c\r\n\r\nhi");
  EXPECT_FALSE(store->find_mail_receipt("sales", "abc@mail.example")->has_value());
  // By a received message's id, or by the id of one we sent.
  EXPECT_EQ(*store->find_ticket_by_message_ids({"nope", "abc@mail.example"}), std::optional<TicketId>(TicketId{7}));
  EXPECT_EQ(*store->find_ticket_by_message_ids({"sb.t10.x@acme.example"}), std::optional<TicketId>(TicketId{10}));
  EXPECT_FALSE(store->find_ticket_by_message_ids({"unknown@x"})->has_value());
  // The same message again in the same mailbox is refused, with everything else in the batch.
  WriteBatch again;
  again.tickets = {sample_ticket(9)};
  again.receipts.push_back({"support", "abc@mail.example", TicketId{9}, "created", "x", from_millis(6)});
  auto s = store->commit(again);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "duplicate_message");
  EXPECT_FALSE(store->find_ticket(TicketId{9})->has_value());
}

TEST_P(StoreContract, IdempotencyRecordsAreFoundWhileFreshAndPurged) {
  WriteBatch b;
  b.idempotency.push_back({"tok", "k1", "POST /api/v1/tickets abc", 201, R"({"id":1})", from_millis(1000)});
  b.idempotency.push_back({"tok", "k2", "POST /api/v1/tickets def", 422, R"({"error":{}})", from_millis(5000)});
  ASSERT_TRUE(store->commit(b).ok());
  auto r = *store->find_idempotency("tok", "k1", from_millis(0));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->response, R"({"id":1})");
  EXPECT_EQ(r->request, "POST /api/v1/tickets abc");
  EXPECT_FALSE(store->find_idempotency("other", "k1", from_millis(0))->has_value());  // per caller
  EXPECT_FALSE(store->find_idempotency("tok", "k1", from_millis(2000))->has_value());  // too old
  ASSERT_TRUE(store->purge_idempotency(from_millis(2000)).ok());
  EXPECT_FALSE(store->find_idempotency("tok", "k1", from_millis(0))->has_value());
  EXPECT_TRUE(store->find_idempotency("tok", "k2", from_millis(0))->has_value());
}

TEST_P(StoreContract, ExternalIdsAreUniqueAndFindTheirTicket) {
  Ticket a = sample_ticket(1);
  a.external_id = "crm-17";
  Ticket b = sample_ticket(2);  // none: any number of tickets may have none
  Ticket c = sample_ticket(3);
  ASSERT_TRUE(store->commit(WriteBatch{{a, b, c}, {}, {}, {}, {}}).ok());
  EXPECT_EQ((*store->find_ticket(TicketId{1}))->external_id, std::optional<std::string>("crm-17"));
  EXPECT_FALSE((*store->find_ticket(TicketId{2}))->external_id);
  EXPECT_EQ(*store->find_ticket_by_external_id("crm-17"), std::optional<TicketId>(TicketId{1}));
  EXPECT_FALSE(store->find_ticket_by_external_id("crm-18")->has_value());
  ASSERT_TRUE(store->commit(WriteBatch{{a}, {}, {}, {}, {}}).ok());  // the same ticket again: fine
  Ticket dup = sample_ticket(4);
  dup.external_id = "crm-17";
  auto s = store->commit(WriteBatch{{dup}, {}, {}, {}, {}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "duplicate_external_id");
  EXPECT_FALSE(store->find_ticket(TicketId{4})->has_value());
}

TEST_P(StoreContract, TokensExpireAndAreRevokedAndTheAuditLogReadsNewestFirst) {
  TokenRecord t;
  t.hash = std::string(64, 'a');
  t.role = Role::kViewer;
  t.created_at = from_millis(1000);
  t.expires_at = from_millis(90'000);
  WriteBatch b;
  b.tokens.push_back(t);
  for (int i = 1; i <= 3; ++i) {
    b.audit.push_back(AuditEntry{0, from_millis(1000 + i), "admin", "POST /api/v1/teams", "team " + std::to_string(i),
                                 "{\"name\":\"T\"}", 201});
  }
  ASSERT_TRUE(store->commit(b).ok());
  auto found = store->find_token(t.hash);
  ASSERT_TRUE(found.ok() && *found);
  EXPECT_EQ((*found)->role, Role::kViewer);
  EXPECT_EQ((*found)->expires_at, from_millis(90'000));
  EXPECT_FALSE((*found)->revoked_at);
  EXPECT_EQ((*found)->id(), "tok_aaaaaaaaaaaaaaaa");
  EXPECT_TRUE((*found)->teams.empty());
  // Revoked: the same record written again with the time.
  TokenRecord revoked = **found;
  revoked.revoked_at = from_millis(5000);
  WriteBatch r;
  r.tokens.push_back(revoked);
  ASSERT_TRUE(store->commit(r).ok());
  // A supervisor's token keeps its teams.
  TokenRecord supervisor;
  supervisor.hash = std::string(64, 'b');
  supervisor.role = Role::kSupervisor;
  supervisor.created_at = from_millis(2000);
  supervisor.teams = {TeamId{4}, TeamId{2}};
  WriteBatch s;
  s.tokens.push_back(supervisor);
  ASSERT_TRUE(store->commit(s).ok());
  auto all = store->list_tokens();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].revoked_at, from_millis(5000));
  EXPECT_EQ((*all)[1].role, Role::kSupervisor);
  EXPECT_EQ((*all)[1].teams, (std::vector<TeamId>{TeamId{4}, TeamId{2}}));

  auto log = store->list_audit(0, 2);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].target, "team 3");
  EXPECT_EQ((*log)[1].target, "team 2");
  EXPECT_EQ((*log)[0].status, 201);
  EXPECT_EQ((*log)[0].at, from_millis(1003));
  auto older = store->list_audit((*log)[1].id, 10);
  ASSERT_EQ(older->size(), 1u);
  EXPECT_EQ((*older)[0].target, "team 1");
  EXPECT_EQ((*older)[0].detail, "{\"name\":\"T\"}");
}

TEST_P(StoreContract, WebhooksAndSettingsUpsert) {
  Webhook w;
  w.id = WebhookId{1};
  w.url = "http://127.0.0.1:9/hook";
  w.secret = "whsec_x";
  w.events = {EventType::kSlaBreached, EventType::kTicketEscalated};
  w.description = "pager";
  w.created_at = from_millis(3);
  WriteBatch b;
  b.webhooks = {w};
  b.settings = {{"sla_policies", "[1]"}};
  ASSERT_TRUE(store->commit(b).ok());
  w.active = false;
  b.webhooks = {w};
  b.settings = {{"sla_policies", "[2]"}};
  ASSERT_TRUE(store->commit(b).ok());
  auto hooks = *store->list_webhooks();
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(hooks[0].url, w.url);
  EXPECT_EQ(hooks[0].secret, "whsec_x");
  EXPECT_EQ(hooks[0].events, w.events);
  EXPECT_EQ(hooks[0].description, "pager");
  EXPECT_FALSE(hooks[0].active);
  EXPECT_EQ(hooks[0].created_at, from_millis(3));
  EXPECT_EQ(*store->find_setting("sla_policies"), std::optional<std::string>("[2]"));
  EXPECT_FALSE(store->find_setting("nothing")->has_value());
}

TEST_P(StoreContract, LeasesChangeHandsOnlyWhenExpiredAndFenceStaleWriters) {
  const Duration ttl = std::chrono::seconds(5);
  auto a = store->take_lease("p1", "node-a", "10.0.0.1:8080", from_millis(1000), ttl);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->owner, "node-a");
  EXPECT_EQ(a->epoch, 1);
  EXPECT_EQ(a->expires_at, from_millis(6000));
  // Another node cannot take it while it runs; it learns who holds it.
  auto b = store->take_lease("p1", "node-b", "10.0.0.2:8080", from_millis(2000), ttl);
  EXPECT_EQ(b->owner, "node-a");
  EXPECT_EQ(b->address, "10.0.0.1:8080");
  // A renewal keeps the epoch.
  a = store->take_lease("p1", "node-a", "10.0.0.1:8080", from_millis(4000), ttl);
  EXPECT_EQ(a->epoch, 1);
  EXPECT_EQ(a->expires_at, from_millis(9000));
  // A writer under its lease commits.
  WriteBatch w;
  w.tickets = {sample_ticket(1)};
  w.fence = Fence{"p1", "node-a", 1, from_millis(5000)};
  ASSERT_TRUE(store->commit(w).ok());
  // Expired: node-b takes it, with the next epoch.
  b = store->take_lease("p1", "node-b", "10.0.0.2:8080", from_millis(9000), ttl);
  EXPECT_EQ(b->owner, "node-b");
  EXPECT_EQ(b->epoch, 2);
  // node-a, not knowing, writes under its old lease: refused, nothing written.
  WriteBatch stale;
  stale.tickets = {sample_ticket(2)};
  stale.fence = Fence{"p1", "node-a", 1, from_millis(9500)};
  auto s = store->commit(stale);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "not_owner");
  EXPECT_FALSE(store->find_ticket(TicketId{2})->has_value());
  // node-b's commit goes through; an expired lease fences its own holder too.
  stale.fence = Fence{"p1", "node-b", 2, from_millis(9500)};
  EXPECT_TRUE(store->commit(stale).ok());
  stale.fence = Fence{"p1", "node-b", 2, from_millis(14000)};
  EXPECT_EQ(store->commit(stale).error().code, "not_owner");
  // Partitions are independent.
  EXPECT_EQ(store->take_lease("p2", "node-a", "10.0.0.1:8080", from_millis(9500), ttl)->owner, "node-a");
}

// A new database on the throwaway cluster ctest starts (Postgres.ClusterStart,
// scripts/pg-cluster); the cluster, and with it the database, is removed
// when the tests end. Empty (and a failure) without the cluster.
std::string fresh_postgres_database() {
  const std::string server = testing::pg_test_server(PG_TEST_URL_FILE);
  if (server.empty()) {
    ADD_FAILURE() << "no PostgreSQL test cluster (" << PG_TEST_URL_FILE << "): run through ctest, which starts it";
    return {};
  }
  return testing::create_pg_database(server, "sb_contract");
}

INSTANTIATE_TEST_SUITE_P(
    Backends, StoreContract,
    ::testing::Values(Backend{"memory", [](const std::string&) -> std::unique_ptr<Store> {
                                return std::make_unique<MemoryStore>();
                              }},
                      Backend{"sqlite", [](const std::string& dir) -> std::unique_ptr<Store> {
                                auto s = SqliteStore::open(dir + "/test.db");
                                return s.ok() ? std::move(*s) : nullptr;
                              }},
                      Backend{"postgresql", [](const std::string&) -> std::unique_ptr<Store> {
                                const std::string url = fresh_postgres_database();
                                if (url.empty()) return nullptr;
                                auto s = PgStore::open(url);
                                if (!s.ok()) ADD_FAILURE() << s.error().message;
                                return s.ok() ? std::move(*s) : nullptr;
                              }}),
    [](const auto& info) { return info.param.name; });

// SQLite only: data outlives the process's handle, and migrations are recorded.
TEST(SqliteStore, SurvivesReopen) {
  testing::TempDir dir("sb_reopen");
  const std::string path = dir / "test.db";
  {
    auto s = SqliteStore::open(path);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->commit(WriteBatch{{sample_ticket(3)}, {}, {}, {}, {}}).ok());
  }
  auto s = SqliteStore::open(path);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE((*s)->find_ticket(TicketId{3})->has_value());
}

TEST(SqliteStore, RefusesANewerSchema) {
  testing::TempDir dir("sb_newer");
  const std::string path = dir / "test.db";
  {
    auto c = sqlite::Connection::open(path);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->exec("CREATE TABLE schema_version (version INTEGER NOT NULL);"
                           "INSERT INTO schema_version VALUES (99)").ok());
  }
  auto s = SqliteStore::open(path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("newer"), std::string::npos);
}

}  // namespace
}  // namespace sb
