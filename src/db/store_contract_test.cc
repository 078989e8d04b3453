// The contract every Store implementation keeps, run against each backend:
// tickets, agents, teams, decisions, reports' facts, snapshots, commits.
#include "db/store_contract.h"

namespace sb::contract {
namespace {

TEST_P(StoreContract, TicketRoundTripsEveryField) {
  const Ticket t = sample_ticket(1);
  ASSERT_TRUE(store->commit(WriteBatch{{t}, {}, {}, {}, {}}).ok());
  auto got = store->find_ticket(TicketId{1});
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  const Ticket& g = **got;
  EXPECT_EQ(g.subject, t.subject);
  EXPECT_EQ(g.body, t.body);
  EXPECT_EQ(g.requester.tier, "vip");
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

  // By the requester's tier (a configured name, kept as text).
  late.requester.tier = "enterprise";
  ASSERT_TRUE(store->commit(WriteBatch{{late}, {}, {}, {}, {}}).ok());
  auto tiers = store->ticket_facts(from_millis(0), from_millis(6000), ReportGroup::kTier);
  ASSERT_EQ(tiers->size(), 3u);
  EXPECT_EQ(tiers->at(0).group, "vip");
  EXPECT_EQ(tiers->at(2).group, "enterprise");
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
    d.outcome = i == 2 ? Outcome::kAssigned : Outcome::kQueued;
    d.policy = "round_robin";
    d.candidates = {{AgentId{1}, "Ada", false, "offline", {}}, {AgentId{2}, "Bo", true, "chosen", {{"load_share", 0.5}}}};
    d.excluded_counts = {{"offline", 1}};
    b.decisions.push_back(d);
  }
  ASSERT_TRUE(store->commit(b).ok());
  auto got = store->list_decisions(TicketId{7}, 2);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].outcome, Outcome::kAssigned);
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

// The workspace's search (docs/dashboard.md): words in a ticket's subject,
// body or requester, or in one of its messages, every word required; the
// filters; newest-updated first and soonest-due first, paged by cursor. The
// memory store, SQLite's FTS5 and PostgreSQL's tsvector agree.
TEST_P(StoreContract, SearchFiltersAndOrdersByUpdateOrDueTime) {
  WriteBatch b;
  const char* subjects[] = {"Printer jammed on floor 3", "VPN drops every hour", "Invoice 2041 is wrong",
                            "Printer out of toner", "Laptop screen flickers", "Password reset"};
  for (int i = 1; i <= 6; ++i) {
    Ticket t = sample_ticket(i);
    t.subject = subjects[i - 1];
    t.body = "Hello, it is broken.";
    t.requester = {i <= 3 ? "kim@example.com" : "lee@example.org", i <= 3 ? "Kim Novak" : "Lee Marvin", "standard"};
    t.created_at = from_millis(1000 * i);
    t.updated_at = from_millis(100000 - 1000 * i);  // the first created is the last updated
    t.priority = i % 2 ? Priority::kHigh : Priority::kLow;
    t.tags = i == 4 ? std::vector<std::string>{"toner", "floor-3"} : std::vector<std::string>{};
    if (i >= 5) t.assignee.reset();
    // A running first-response clock on 2, 3 and 5, due in reverse order of id.
    t.sla.reset();
    if (i == 2 || i == 3 || i == 5) {
      SlaState sla;
      sla.policy = "standard";
      SlaClockState c;
      c.target = std::chrono::hours(1);
      c.running_since = from_millis(1000);
      c.due = from_millis(50000 - 1000 * i);
      sla.first_response = c;
      t.sla = sla;
    }
    b.tickets.push_back(t);
  }
  Message m;
  m.id = 1;
  m.ticket = TicketId{5};
  m.kind = MessageKind::kCustomer;
  m.body = "The flicker started after the docking station update.";
  m.at = from_millis(9000);
  b.messages.push_back(m);
  ASSERT_TRUE(store->commit(b).ok());

  auto ids = [&](TicketQuery q) {
    std::vector<std::int64_t> out;
    auto page = store->list_tickets(q);
    EXPECT_TRUE(page.ok()) << page.error().message;
    if (page.ok()) {
      for (const Ticket& t : page->tickets) out.push_back(t.id.value);
    }
    return out;
  };
  using V = std::vector<std::int64_t>;
  TicketQuery q;
  q.words = search_words("PRINTER");
  EXPECT_EQ(ids(q), (V{1, 4}));
  q.words = search_words("printer toner");  // every word
  EXPECT_EQ(ids(q), (V{4}));
  q.words = search_words("docking station");  // in the conversation
  EXPECT_EQ(ids(q), (V{5}));
  q.words = search_words("novak");  // the requester's name
  EXPECT_EQ(ids(q), (V{1, 2, 3}));
  q.words = search_words("2041");
  EXPECT_EQ(ids(q), (V{3}));
  q.words = search_words("nowhere");
  EXPECT_EQ(ids(q), V{});
  // Words and filters together, newest update first.
  q.words = search_words("broken");
  q.priority = Priority::kHigh;
  q.sort = TicketSort::kUpdated;
  EXPECT_EQ(ids(q), (V{1, 3, 5}));
  TicketQuery f;
  f.requester = "lee@example.org";
  EXPECT_EQ(ids(f), (V{4, 5, 6}));
  f.tag = "toner";
  EXPECT_EQ(ids(f), (V{4}));
  TicketQuery unassigned;
  unassigned.unassigned = true;
  EXPECT_EQ(ids(unassigned), (V{5, 6}));
  TicketQuery created;
  created.created_from = from_millis(2000);
  created.created_to = from_millis(4000);
  created.statuses = {TicketStatus::kOpen, TicketStatus::kPending};
  EXPECT_EQ(ids(created), (V{2, 3}));
  // Paging by (updated_at, id), newest first, two at a time.
  TicketQuery paged;
  paged.sort = TicketSort::kUpdated;
  paged.limit = 2;
  V seen;
  for (int guard = 0; guard < 5; ++guard) {
    auto page = store->list_tickets(paged);
    ASSERT_TRUE(page.ok());
    for (const Ticket& t : page->tickets) seen.push_back(t.id.value);
    if (!page->more) break;
    paged.after = page->tickets.back().id.value;
    paged.after_key = sort_key(page->tickets.back(), paged.sort);
  }
  EXPECT_EQ(seen, (V{1, 2, 3, 4, 5, 6}));
  // Closest to breach: running clocks only, soonest first, paged.
  TicketQuery due;
  due.sort = TicketSort::kDue;
  EXPECT_EQ(ids(due), (V{5, 3, 2}));
  due.limit = 1;
  auto first = store->list_tickets(due);
  ASSERT_TRUE(first.ok());
  due.after = first->tickets.back().id.value;
  due.after_key = sort_key(first->tickets.back(), due.sort);
  due.limit = 10;
  EXPECT_EQ(ids(due), (V{3, 2}));
  // An agent's scope: their teams, or assigned to them.
  TicketQuery scope;
  scope.teams = std::vector<TeamId>{TeamId{9}};
  scope.or_assignee = AgentId{7};
  EXPECT_EQ(ids(scope), (V{1, 2, 3, 4}));
  // A change of the text is found, the old text no longer.
  Ticket renamed = sample_ticket(6);
  renamed.subject = "Password expired";
  renamed.assignee.reset();
  renamed.sla.reset();
  ASSERT_TRUE(store->commit(WriteBatch{{renamed}, {}, {}, {}, {}}).ok());
  TicketQuery after_change;
  after_change.words = search_words("expired");
  EXPECT_EQ(ids(after_change), (V{6}));
  after_change.words = search_words("reset");
  EXPECT_EQ(ids(after_change), V{});
}

// Files attached to a message are kept beside it (every byte, NUL included)
// and read on their own; the conversation lists their names only.
TEST_P(StoreContract, AttachedFilesAreKeptBesideTheirMessage) {
  Message m;
  m.id = 7;
  m.ticket = TicketId{1};
  m.kind = MessageKind::kNote;
  m.body = "see file";
  m.at = from_millis(5000);
  m.attachments.push_back(Attachment{"mail.eml", "message/rfc822", 0, ""});
  m.attachments.push_back(Attachment{"blob.bin", "application/octet-stream", 4, std::string("a\0\xff\n", 4)});
  WriteBatch b;
  b.tickets.push_back(sample_ticket(1));
  b.messages.push_back(m);
  ASSERT_TRUE(store->commit(b).ok());
  auto kept = store->find_attachment_content(7, 1);
  ASSERT_TRUE(kept.ok()) << kept.error().message;
  ASSERT_TRUE(kept->has_value());
  EXPECT_EQ(**kept, std::string("a\0\xff\n", 4));
  EXPECT_FALSE(store->find_attachment_content(7, 0)->has_value());
  EXPECT_FALSE(store->find_attachment_content(8, 1)->has_value());
  auto listed = store->list_messages(TicketId{1});
  ASSERT_EQ(listed->size(), 1u);
  ASSERT_EQ((*listed)[0].attachments.size(), 2u);
  EXPECT_EQ((*listed)[0].attachments[1].name, "blob.bin");
  EXPECT_TRUE((*listed)[0].attachments[1].content.empty());
}

TEST_P(StoreContract, CorrectionsAreAppendedAndReadByFieldOrTime) {
  auto correction = [](std::int64_t ticket, const char* field, const char* to, std::int64_t at_ms) {
    Correction k;
    k.ticket = TicketId{ticket};
    k.at = from_millis(at_ms);
    k.field = field;
    k.from = "Triage";
    k.to = to;
    k.label = std::string("L-") + to;
    k.guess = "L-Applications";
    k.confidence = 0.4375;
    k.source = "desk";
    k.by = "agent 3 Tess";
    k.subject = "VPN \xc3\xa9" "chec";
    k.body = "it drops\nat night";
    k.waited = Duration(90'000);
    return k;
  };
  WriteBatch first;
  first.corrections = {correction(1, "team", "Network", 1000), correction(1, "category", "vpn", 1000)};
  WriteBatch second;
  second.corrections = {correction(2, "team", "Hardware", 5000)};
  ASSERT_TRUE(store->commit(first).ok());
  ASSERT_TRUE(store->commit(second).ok());

  auto teams = store->list_corrections("team", 0, 10);
  ASSERT_TRUE(teams.ok()) << teams.error().message;
  ASSERT_EQ(teams->size(), 2u);
  const Correction& k = (*teams)[0];
  EXPECT_GT(k.id, 0);
  EXPECT_LT(k.id, (*teams)[1].id);  // oldest first
  EXPECT_EQ(k.ticket, TicketId{1});
  EXPECT_EQ(k.at, from_millis(1000));
  EXPECT_EQ(k.from, "Triage");
  EXPECT_EQ(k.to, "Network");
  EXPECT_EQ(k.label, "L-Network");
  EXPECT_EQ(k.guess, "L-Applications");
  EXPECT_DOUBLE_EQ(k.confidence, 0.4375);
  EXPECT_EQ(k.source, "desk");
  EXPECT_EQ(k.by, "agent 3 Tess");
  EXPECT_EQ(k.subject, "VPN \xc3\xa9" "chec");
  EXPECT_EQ(k.body, "it drops\nat night");
  EXPECT_EQ(k.waited, Duration(90'000));
  EXPECT_EQ(store->list_corrections("", 0, 10)->size(), 3u);
  EXPECT_EQ(store->list_corrections("team", k.id, 10)->size(), 1u);  // after the first
  EXPECT_EQ(store->list_corrections("team", 0, 1)->size(), 1u);
  EXPECT_EQ(store->list_corrections("category", 0, 10)->front().to, "vpn");

  auto recent = store->recent_corrections(from_millis(2000), 10);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_EQ(recent->front().to, "Hardware");
  auto all = store->recent_corrections(from_millis(0), 10);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ(all->front().to, "Hardware");  // newest first
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
}  // namespace sb::contract
