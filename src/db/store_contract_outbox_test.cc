// The store contract, continued: events and deliveries, conversations, mail
// receipts, Idempotency-Key records, external ids, tokens and the audit log,
// webhooks and settings, routing leases.
#include "db/store_contract.h"

namespace sb::contract {
namespace {

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

}  // namespace
}  // namespace sb::contract
