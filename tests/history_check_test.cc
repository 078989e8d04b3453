// The chaos checker itself: a sound history passes, and each kind of broken
// history is caught (so the chaos test can fail).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/history_check.h"

namespace sb::testing {
namespace {

class History : public ::testing::Test {
 protected:
  History() {
    for (int i = 1; i <= 2; ++i) {
      Agent a;
      a.id = AgentId{i};
      a.name = "agent" + std::to_string(i);
      a.teams = {TeamId{1}};
      a.capacity = {1, 1, 1, 1, 1};
      a.presence = Presence::kOnline;
      agents.push_back(a);
    }
  }
  void event(EventType type, std::int64_t ticket, nlohmann::json data) {
    Event e;
    e.seq = static_cast<std::int64_t>(events.size()) + 1;
    e.type = type;
    e.ticket = TicketId{ticket};
    data["ticket"] = {{"channel", "email"}};
    e.data = nlohmann::json{{"data", data}}.dump();
    events.push_back(e);
  }
  void created(std::int64_t t) { event(EventType::kTicketCreated, t, nlohmann::json::object()); }
  void assigned(std::int64_t t, int agent) {
    event(EventType::kTicketAssigned, t, {{"agent_id", agent}, {"how", "routed"}});
  }
  void status(std::int64_t t, const std::string& from, const std::string& to) {
    event(EventType::kTicketStatusChanged, t, {{"from", from}, {"to", to}});
  }
  Ticket stored(std::int64_t id, std::optional<int> agent, TicketStatus s) {
    Ticket t;
    t.id = TicketId{id};
    t.team = TeamId{1};
    t.channel = Channel::kEmail;
    if (agent) t.assignee = AgentId{*agent};
    t.status = s;
    return t;
  }
  std::vector<std::string> check(const std::vector<Ticket>& final_state) { return check_history(events, agents, final_state); }

  std::vector<Agent> agents;
  std::vector<Event> events;
};

TEST_F(History, ASoundHistoryPasses) {
  created(1);
  assigned(1, 1);
  status(1, "new", "open");
  created(2);
  assigned(2, 2);
  status(2, "new", "open");
  event(EventType::kTicketUnassigned, 2, {{"agent_id", 2}, {"reason", "requeued"}});
  status(1, "open", "solved");
  assigned(2, 1);  // agent 1 has room again
  HistoryStats stats;
  EXPECT_TRUE(check_history(events, agents, {stored(1, 1, TicketStatus::kSolved), stored(2, 1, TicketStatus::kOpen)}, &stats)
                  .empty());
  EXPECT_EQ(stats.assignments, 3);
  EXPECT_EQ(stats.unassignments, 1);
}

TEST_F(History, ATicketHeldByTwoAgentsIsCaught) {
  created(1);
  assigned(1, 1);
  assigned(1, 2);  // no unassignment between: two owners decided
  const auto problems = check({stored(1, 2, TicketStatus::kOpen)});
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find("while held by 1"), std::string::npos) << problems[0];
}

TEST_F(History, AnAgentOverCapacityIsCaught) {
  created(1);
  created(2);
  assigned(1, 1);
  assigned(2, 1);
  const auto problems = check({stored(1, 1, TicketStatus::kNew), stored(2, 1, TicketStatus::kNew)});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("holds 2 email tickets, capacity 1"), std::string::npos) << problems[0];
}

TEST_F(History, GapsInterleavedStatusesAndStrandedTicketsAreCaught) {
  created(1);
  events.back().seq = 2;  // event 1 missing
  status(1, "open", "solved");  // the replay has it new
  created(3);  // agent 1 and 2 online with room, yet it waits
  const auto problems = check({stored(1, std::nullopt, TicketStatus::kSolved), stored(3, std::nullopt, TicketStatus::kNew)});
  auto has = [&](const std::string& text) {
    return std::any_of(problems.begin(), problems.end(), [&](const std::string& p) { return p.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("event 2 follows 0"));
  EXPECT_TRUE(has("status from open but the history has it new"));
  EXPECT_TRUE(has("ticket 3 waits while agent1 is online with room"));
  // And the store disagreeing with the replay.
  EXPECT_FALSE(check({stored(1, 2, TicketStatus::kSolved)}).empty());
}

}  // namespace
}  // namespace sb::testing
