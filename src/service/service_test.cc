#include "service/service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "store/memory_store.h"

namespace sb {
namespace {

// A store whose commits can be made to fail, to see the service recover.
class FlakyStore final : public Store {
 public:
  using Store::commit;
  Status commit(std::span<const WriteBatch* const> b) override {
    {
      std::unique_lock lock(hold_mu);
      hold_cv.wait(lock, [&] { return !held; });
    }
    ++commits;
    if (fail_next.exchange(false)) return Error::Unavailable("disk full");
    return inner.commit(b);
  }
  Result<Snapshot> load_snapshot() override { return inner.load_snapshot(); }
  Result<std::optional<Ticket>> find_ticket(TicketId id) override { return inner.find_ticket(id); }
  Result<std::optional<TicketId>> find_ticket_by_external_id(const std::string& e, const std::string& s) override {
    return inner.find_ticket_by_external_id(e, s);
  }
  Result<TicketPage> list_tickets(const TicketQuery& q) override { return inner.list_tickets(q); }
  Result<std::optional<Agent>> find_agent(AgentId id) override { return inner.find_agent(id); }
  Result<std::vector<Agent>> list_agents() override { return inner.list_agents(); }
  Result<std::vector<Team>> list_teams() override { return inner.list_teams(); }
  Result<std::optional<TokenRecord>> find_token(const std::string& h) override { return inner.find_token(h); }
  Result<std::vector<Decision>> list_decisions(TicketId id, int limit) override { return inner.list_decisions(id, limit); }
  Result<std::vector<Event>> list_events(std::int64_t after, int limit) override { return inner.list_events(after, limit); }
  Result<std::int64_t> last_event_seq() override { return inner.last_event_seq(); }
  Result<std::vector<Message>> list_messages(TicketId id) override { return inner.list_messages(id); }
  Result<std::optional<Customer>> find_customer(CustomerId id) override { return inner.find_customer(id); }
  Result<std::optional<Customer>> find_customer_by_email(const std::string& e) override {
    return inner.find_customer_by_email(e);
  }
  Result<std::optional<Customer>> find_customer_by_external_id(const std::string& x) override {
    return inner.find_customer_by_external_id(x);
  }
  Result<std::vector<Customer>> list_customers(const DirectoryQuery& q) override { return inner.list_customers(q); }
  Result<std::optional<Organization>> find_organization(OrganizationId id) override {
    return inner.find_organization(id);
  }
  Result<std::optional<Organization>> find_organization_by_domain(const std::string& d) override {
    return inner.find_organization_by_domain(d);
  }
  Result<std::optional<Organization>> find_organization_by_external_id(const std::string& x) override {
    return inner.find_organization_by_external_id(x);
  }
  Result<std::optional<Organization>> find_organization_by_name(const std::string& n) override {
    return inner.find_organization_by_name(n);
  }
  Result<std::vector<Organization>> list_organizations(const DirectoryQuery& q) override {
    return inner.list_organizations(q);
  }
  Result<std::int64_t> last_customer_id() override { return inner.last_customer_id(); }
  Result<std::int64_t> last_organization_id() override { return inner.last_organization_id(); }
  Result<std::int64_t> last_message_id() override { return inner.last_message_id(); }
  Result<std::optional<std::string>> find_attachment_content(std::int64_t m, int i) override {
    return inner.find_attachment_content(m, i);
  }
  Result<std::optional<MailReceipt>> find_mail_receipt(const std::string& m, const std::string& id) override {
    return inner.find_mail_receipt(m, id);
  }
  Result<std::optional<TicketId>> find_ticket_by_message_ids(const std::vector<std::string>& ids) override {
    return inner.find_ticket_by_message_ids(ids);
  }
  Result<std::optional<IdempotencyRecord>> find_idempotency(const std::string& s, const std::string& k, Time t) override {
    return inner.find_idempotency(s, k, t);
  }
  Status purge_idempotency(Time before) override { return inner.purge_idempotency(before); }
  Result<std::vector<Webhook>> list_webhooks() override { return inner.list_webhooks(); }
  Result<std::vector<Delivery>> due_deliveries(Time now, int limit) override { return inner.due_deliveries(now, limit); }
  Result<std::vector<Delivery>> list_deliveries(const DeliveryQuery& q) override { return inner.list_deliveries(q); }
  Result<std::optional<Delivery>> find_delivery(std::int64_t id) override { return inner.find_delivery(id); }
  Result<std::int64_t> count_deliveries(DeliveryState s) override { return inner.count_deliveries(s); }
  Status scan_ticket_facts(Time f, Time t, ReportGroup g, FactRange r, unsigned fields,
                           const std::function<void(const TicketFact&)>& v) override {
    return inner.scan_ticket_facts(f, t, g, r, fields, v);
  }
  Result<std::vector<PresenceChange>> presence_history(Time f, Time t) override { return inner.presence_history(f, t); }
  Result<Lease> take_lease(const std::string& p, const std::string& o, const std::string& a, Time n, Duration t) override {
    return inner.take_lease(p, o, a, n, t);
  }
  Status update_delivery(const Delivery& d) override { return inner.update_delivery(d); }
  Result<std::optional<std::string>> find_setting(const std::string& k) override { return inner.find_setting(k); }
  Result<std::vector<TokenRecord>> list_tokens() override { return inner.list_tokens(); }
  Result<std::vector<AuditEntry>> list_audit(std::int64_t before, int limit) override {
    return inner.list_audit(before, limit);
  }
  Result<std::vector<Correction>> list_corrections(const std::string& field, std::int64_t after, int limit) override {
    return inner.list_corrections(field, after, limit);
  }
  Result<std::vector<Correction>> recent_corrections(Time since, int limit) override {
    return inner.recent_corrections(since, limit);
  }

  // While held, commits wait (a slow disk).
  void hold(bool on) {
    std::lock_guard lock(hold_mu);
    held = on;
    hold_cv.notify_all();
  }

  MemoryStore inner;
  std::mutex hold_mu;
  std::condition_variable hold_cv;
  bool held = false;
  std::atomic<bool> fail_next{false};
  std::atomic<int> commits{0};
};

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest() : service(store) {
    EXPECT_TRUE(service.start().ok());
    team = service.create_team(Team{TeamId{}, "support", {}})->id;
  }
  AgentId add_agent(ChannelCounts cap, Presence p = Presence::kOnline) {
    Agent a;
    a.name = "a";
    a.teams = {team};
    a.capacity = cap;
    a.presence = p;
    return service.create_agent(a)->agent.id;
  }
  Ticket draft() {
    Ticket t;
    t.subject = "help";
    t.team = team;
    return t;
  }
  FlakyStore store;
  Service service;
  TeamId team;
};

TEST_F(ServiceTest, CreatedTicketIsInTheStoreWithItsAssignment) {
  AgentId a = add_agent({1, 1, 1, 1, 1});
  auto v = service.create_ticket(draft());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->ticket.assignee, a);
  auto stored = store.inner.find_ticket(v->ticket.id);
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->assignee, a);
  auto waiting = service.create_ticket(draft());
  EXPECT_EQ(waiting->queue_position, 1u);
}

// Past the bound on commands in hand, a change is refused at once (503
// overloaded) and changes nothing; those in hand finish and are kept.
TEST_F(ServiceTest, OverloadShedsNewChangesAndKeepsThoseInHand) {
  service.set_max_commands_in_flight(2);
  store.hold(true);
  std::vector<Result<TicketView>> done(2, Error::Internal("not run"));
  std::vector<std::thread> in_hand;
  for (int i = 0; i < 2; ++i) in_hand.emplace_back([&, i] { done[i] = service.create_ticket(draft()); });
  // Both in hand: applied by the engine (waiting in the queue), their commit held.
  while (service.commands_in_flight() < 2 || service.queues().front().waiting < 2) std::this_thread::yield();
  auto shed = service.create_ticket(draft());
  ASSERT_FALSE(shed.ok());
  EXPECT_EQ(shed.error().code, "overloaded");
  EXPECT_EQ(shed.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(service.commands_shed(), 1u);
  EXPECT_EQ(service.queues().front().waiting, 2u);  // the engine did not take it
  store.hold(false);
  for (auto& t : in_hand) t.join();
  for (const auto& d : done) {
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_TRUE(store.inner.find_ticket(d->ticket.id)->has_value());
  }
  TicketQuery all;
  EXPECT_EQ(store.inner.list_tickets(all)->tickets.size(), 2u);
  EXPECT_EQ(service.commands_in_flight(), 0);
  EXPECT_TRUE(service.create_ticket(draft()).ok());  // room again
}

// Records what the outbox writer was given, and adds one delivery per event.
class RecordingOutbox final : public OutboxWriter {
 public:
  void write(std::vector<Event>& events, const Views& views, WriteBatch& batch) override {
    for (Event& e : events) {
      e.data = std::string(to_string(e.type)) + " queue=" + std::to_string(views.at(e.ticket).queue_position.value_or(0));
      Delivery d;
      d.event_seq = e.seq;
      batch.deliveries.push_back(d);
    }
  }
};

TEST_F(ServiceTest, EventsAreNumberedAndCommittedWithTheirChange) {
  RecordingOutbox outbox;
  service.set_outbox(&outbox);
  ASSERT_TRUE(service.create_ticket(draft()).ok());  // waits: nobody online
  const AgentId a = add_agent({1, 1, 1, 1, 1});
  auto events = *store.inner.list_events(0, 10);
  ASSERT_EQ(events.size(), 3u);  // created, then (when the agent came) assigned and status_changed
  EXPECT_EQ(events[0].seq, 1);
  EXPECT_EQ(events[0].data, "ticket.created queue=1");  // the view as of the change
  EXPECT_EQ(events[1].data, "ticket.assigned queue=0");
  EXPECT_EQ(events[2].seq, 3);
  EXPECT_NE(events[0].id, events[1].id);
  EXPECT_EQ(store.inner.list_deliveries({})->size(), 3u);
  EXPECT_EQ(service.committed_event_seq(), 3);
  EXPECT_EQ(service.wait_for_events(2, std::chrono::milliseconds(0)), 3);

  // A failed commit loses its numbers with its change; the next event takes the next free one.
  store.fail_next = true;
  EXPECT_FALSE(service.create_ticket(draft()).ok());
  auto v = service.create_ticket(draft());
  ASSERT_TRUE(v.ok());
  events = *store.inner.list_events(3, 10);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].seq, 4);
  EXPECT_EQ(events[0].ticket, v->ticket.id);
  (void)a;
}

TEST_F(ServiceTest, AFailedCommitIsReportedAndTheEngineIsRebuilt) {
  AgentId a = add_agent({1, 1, 1, 1, 1});
  store.fail_next = true;
  auto lost = service.create_ticket(draft());
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().kind, ErrorKind::kUnavailable);
  // The engine had assigned it; after the rebuild the agent is free again.
  auto next = service.create_ticket(draft());
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->ticket.assignee, a);
  // The lost ticket was never acknowledged, so its id is free again.
  TicketQuery all;
  auto stored = store.inner.list_tickets(all);
  ASSERT_EQ(stored->tickets.size(), 1u);
  EXPECT_EQ(stored->tickets[0].id, next->ticket.id);
}

TEST_F(ServiceTest, ConcurrentCreatesAllLandAndKeepCapacity) {
  const AgentId a = add_agent({5, 5, 5, 5, 5});
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 50; ++j) {
        if (service.create_ticket(draft()).ok()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 400);
  TicketQuery q;
  q.limit = 1000;
  auto all = store.inner.list_tickets(q);
  ASSERT_EQ(all->tickets.size(), 400u);
  int assigned = 0;
  for (const Ticket& t : all->tickets) assigned += t.assignee == a;
  EXPECT_EQ(assigned, 5);
  auto view = service.find_agent(a);
  EXPECT_EQ((*view)->load[static_cast<int>(Channel::kApi)], 5);
}

// A batch writing one ticket.
WriteBatch batch(std::int64_t id) {
  WriteBatch b;
  Ticket t;
  t.id = TicketId{id};
  t.subject = "t";
  b.tickets.push_back(t);
  return b;
}

TEST(GroupCommit, BatchesQueuedTogetherShareOneTransaction) {
  FlakyStore store;
  GroupCommitter committer(store);
  auto h1 = committer.enqueue(batch(1));
  auto h2 = committer.enqueue(batch(2));
  auto h3 = committer.enqueue(batch(3));
  ASSERT_TRUE(committer.wait(h3).ok());  // the first waiter leads and commits all queued
  EXPECT_TRUE(committer.wait(h1).ok());
  EXPECT_TRUE(committer.wait(h2).ok());
  EXPECT_EQ(store.commits, 1);
  EXPECT_EQ(committer.transactions(), 1u);
  TicketQuery q;
  EXPECT_EQ(store.inner.list_tickets(q)->tickets.size(), 3u);
  EXPECT_TRUE(committer.pending_ticket(TicketId{1}) == std::nullopt);  // committed: no longer pending

  // A failed transaction fails every batch in it and those queued behind it until recover().
  store.fail_next = true;
  auto f1 = committer.enqueue(batch(4));
  EXPECT_EQ(committer.pending_ticket(TicketId{4})->id, TicketId{4});
  EXPECT_FALSE(committer.wait(f1).ok());
  auto f2 = committer.enqueue(batch(5));
  EXPECT_FALSE(committer.wait(f2).ok());
  committer.recover();
  auto ok = committer.enqueue(batch(6));
  EXPECT_TRUE(committer.wait(ok).ok());
  EXPECT_FALSE(store.inner.find_ticket(TicketId{5})->has_value());
  EXPECT_TRUE(store.inner.find_ticket(TicketId{6})->has_value());
}

// Under a lease, commits land while it is ours and are refused, writing
// nothing, once another node has taken it over.
TEST(GroupCommit, CommitsAreFencedByThePartitionLease) {
  FlakyStore store;
  GroupCommitter committer(store);
  Time now = from_millis(1000);
  const auto lease = store.take_lease("all", "node-a", "a:1", now, std::chrono::seconds(5));
  ASSERT_TRUE(lease.ok());
  committer.set_fence(Fence{"all", "node-a", lease->epoch, {}}, [&] { return now; });
  ASSERT_TRUE(committer.wait(committer.enqueue(batch(1))).ok());
  now = from_millis(7000);  // expired; node-b takes over
  ASSERT_EQ(store.take_lease("all", "node-b", "b:1", now, std::chrono::seconds(5))->owner, "node-b");
  const Status refused = committer.wait(committer.enqueue(batch(2)));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "not_owner");
  EXPECT_TRUE(store.inner.find_ticket(TicketId{1})->has_value());
  EXPECT_FALSE(store.inner.find_ticket(TicketId{2})->has_value());
}

// Two nodes' services over one store: only the lease holder runs commands;
// the next holder rebuilds from the store and carries on; the old one's
// commands are refused (not_owner, a 503) and write nothing.
TEST(ServiceOwnership, OnlyTheLeaseHolderRoutesAndATakeOverCarriesOn) {
  FlakyStore store;
  Time now = from_millis(1'000'000);
  Clock clock = [&] { return now; };
  Service a(store, {}, clock), b(store, {}, clock);
  b.stand_down();
  const auto lease_a = store.take_lease("routing", "a", "a:1", now, std::chrono::seconds(5));
  ASSERT_TRUE(a.take_over(Fence{"routing", "a", lease_a->epoch, {}}).ok());
  const TeamId team = a.create_team(Team{TeamId{}, "support", {}})->id;
  Agent agent;
  agent.name = "ada";
  agent.teams = {team};
  agent.capacity = {1, 1, 1, 1, 1};
  agent.presence = Presence::kOnline;
  ASSERT_TRUE(a.create_agent(agent).ok());
  Ticket t;
  t.subject = "help";
  t.team = team;
  ASSERT_TRUE(a.create_ticket(t)->ticket.assignee.has_value());
  EXPECT_EQ(b.create_ticket(t).error().code, "not_owner");
  EXPECT_EQ(b.create_ticket(t).error().kind, ErrorKind::kUnavailable);
  EXPECT_TRUE(b.tick().ok());  // another node's timers: nothing to do

  now += std::chrono::seconds(6);  // a stopped renewing; b takes over
  const auto lease_b = store.take_lease("routing", "b", "b:1", now, std::chrono::seconds(5));
  ASSERT_EQ(lease_b->owner, "b");
  ASSERT_TRUE(b.take_over(Fence{"routing", "b", lease_b->epoch, {}}).ok());
  auto second = b.create_ticket(t);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->ticket.id, TicketId{2});            // numbering carried on from the store
  EXPECT_FALSE(second->ticket.assignee.has_value());   // ada is full with the first: b's engine knows
  EXPECT_EQ(second->queue_position, 1u);

  // a does not know yet: its commit is refused by the fence and leaves nothing.
  const auto stale = a.create_ticket(t);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, "not_owner");
  TicketQuery all;
  EXPECT_EQ(store.inner.list_tickets(all)->tickets.size(), 2u);
}

// Many request threads at once (the server's shape): creates and solves
// go through the group commit, timers fire beside them, and readers wait on
// the event feed. Every create is committed once, with its own id. Run under
// ThreadSanitizer by make test-sanitize. (How many transactions they share
// depends on the scheduler, and timers commit too, so it is not counted here;
// GroupCommit.BatchesQueuedTogetherShareOneTransaction shows sharing.)
TEST_F(ServiceTest, ConcurrentCommandsLoseNothing) {
  add_agent({3, 3, 3, 3, 3});
  add_agent({3, 3, 3, 3, 3});
  constexpr int kThreads = 6, kEach = 150;
  std::vector<std::vector<TicketId>> made(kThreads);
  std::atomic<bool> done{false};
  std::thread timers([&] {
    while (!done) EXPECT_TRUE(service.tick().ok());
  });
  std::thread reader([&] {
    std::int64_t seen = 0;
    while (!done) seen = service.wait_for_events(seen, std::chrono::milliseconds(5));
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kThreads; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        auto v = service.create_ticket(draft());
        ASSERT_TRUE(v.ok()) << v.error().message;
        made[w].push_back(v->ticket.id);
        if (v->ticket.assignee) {
          TicketPatch solve;
          solve.status = TicketStatus::kSolved;
          ASSERT_TRUE(service.update_ticket(v->ticket.id, solve).ok());
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  done = true;
  timers.join();
  reader.join();
  std::set<TicketId> ids;
  for (const auto& list : made) ids.insert(list.begin(), list.end());
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kEach));
  TicketQuery all;
  all.limit = 10000;
  EXPECT_EQ(store.inner.list_tickets(all)->tickets.size(), ids.size());
}

TEST_F(ServiceTest, SolvingAClosedTicketIsAConflictAndSolvedCanReopen) {
  add_agent({1, 1, 1, 1, 1});
  TicketId id = service.create_ticket(draft())->ticket.id;
  TicketPatch solve;
  solve.status = TicketStatus::kSolved;
  ASSERT_TRUE(service.update_ticket(id, solve).ok());
  TicketPatch reopen;
  reopen.status = TicketStatus::kOpen;
  auto r = service.update_ticket(id, reopen);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ticket.status, TicketStatus::kOpen);
  TicketPatch close;
  close.status = TicketStatus::kClosed;
  EXPECT_EQ(service.update_ticket(id, close).error().code, "invalid_transition");
  EXPECT_EQ(service.update_ticket(TicketId{99}, reopen).error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace sb
