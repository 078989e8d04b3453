#pragma once
// The store contract's fixture: one Store per backend (memory, SQLite,
// PostgreSQL), made fresh for every test. The tests are in
// store_contract_test.cc (records) and store_contract_outbox_test.cc (the
// outbox, conversations, intake records, tokens, leases).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "store/memory_store.h"
#include "db/postgres/pg_store.h"
#include "db/sqlite/sqlite_store.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/temp_dir.h"

namespace sb::contract {

struct Backend {
  std::string name;
  std::function<std::unique_ptr<Store>(const std::string& dir)> open;
};

inline void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

class StoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    store = GetParam().open(dir.path().string());
    ASSERT_NE(store, nullptr);
  }

  testing::TempDir dir{"sb_store"};
  std::unique_ptr<Store> store;
};

inline Ticket sample_ticket(std::int64_t id, TicketStatus status = TicketStatus::kOpen) {
  Ticket t;
  t.id = TicketId{id};
  t.channel = Channel::kChat;
  t.subject = "VPN drops — ünïcode ✓";
  t.body = "line one\nline 'two' \"quoted\"";
  t.requester = {"ana@example.com", "Ana", "vip"};
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

inline Event sample_event(std::int64_t seq, EventType type = EventType::kTicketCreated) {
  Event e;
  e.seq = seq;
  e.id = "evt_" + std::to_string(seq);
  e.type = type;
  e.ticket = TicketId{seq * 10};
  e.at = from_millis(seq * 1000);
  e.data = R"({"n":)" + std::to_string(seq) + "}";
  return e;
}

inline Delivery sample_delivery(std::int64_t seq, std::int64_t due_ms) {
  Delivery d;
  d.kind = DeliveryKind::kWebhook;
  d.event_seq = seq;
  d.webhook = WebhookId{1};
  d.next_attempt_at = from_millis(due_ms);
  d.created_at = from_millis(1);
  return d;
}

}  // namespace sb::contract
