#include "routing/ticket_queue.h"

#include <gtest/gtest.h>

namespace sb {
namespace {

TEST(TicketQueue, AgingLetsOldLowPriorityTicketsAhead) {
  const Duration step = std::chrono::minutes(10);
  TicketQueue q;
  const Time t0 = from_millis(1'000'000'000);
  q.push({queue_rank(Priority::kNormal, t0, step), t0, TicketId{1}});
  const Time older = t0 - std::chrono::minutes(11);  // waited 11 minutes longer
  q.push({queue_rank(Priority::kLow, older, step), older, TicketId{2}});
  const Time slightly = t0 - std::chrono::minutes(9);
  q.push({queue_rank(Priority::kLow, slightly, step), slightly, TicketId{3}});
  std::vector<std::int64_t> order;
  for (const auto& e : q) order.push_back(e.id.value);
  EXPECT_EQ(order, (std::vector<std::int64_t>{2, 1, 3}));
}

TEST(TicketQueue, OrdersByPriorityThenAge) {
  TicketQueue q;
  q.push({queue_rank(Priority::kNormal, from_millis(100), Duration(0)), from_millis(100), TicketId{1}});
  q.push({queue_rank(Priority::kUrgent, from_millis(300), Duration(0)), from_millis(300), TicketId{2}});
  q.push({queue_rank(Priority::kNormal, from_millis(50), Duration(0)), from_millis(50), TicketId{3}});
  q.push({queue_rank(Priority::kLow, from_millis(10), Duration(0)), from_millis(10), TicketId{4}});
  std::vector<std::int64_t> order;
  for (const auto& e : q) order.push_back(e.id.value);
  EXPECT_EQ(order, (std::vector<std::int64_t>{2, 3, 1, 4}));
  EXPECT_EQ(q.position({queue_rank(Priority::kNormal, from_millis(100), Duration(0)), from_millis(100), TicketId{1}}), 3u);
  EXPECT_EQ(q.oldest(), from_millis(10));
  q.erase({queue_rank(Priority::kUrgent, from_millis(300), Duration(0)), from_millis(300), TicketId{2}});
  EXPECT_EQ(q.position({queue_rank(Priority::kNormal, from_millis(100), Duration(0)), from_millis(100), TicketId{1}}), 2u);
  EXPECT_FALSE(q.position({queue_rank(Priority::kUrgent, from_millis(300), Duration(0)), from_millis(300), TicketId{2}}));
}

}  // namespace
}  // namespace sb

#include "routing/team_queue.h"

namespace sb {
namespace {

TEST(TeamQueue, BestLooksAtGroupHeadsInServingOrder) {
  TeamQueue q;
  const std::vector<SkillLevel> vpn{{0, 3}}, none{};
  q.push({queue_rank(Priority::kNormal, from_millis(10), Duration(0)), from_millis(10), TicketId{1}}, Channel::kEmail, vpn);
  q.push({queue_rank(Priority::kHigh, from_millis(20), Duration(0)), from_millis(20), TicketId{2}}, Channel::kEmail, vpn);
  q.push({queue_rank(Priority::kNormal, from_millis(5), Duration(0)), from_millis(5), TicketId{3}}, Channel::kChat, none);
  q.push({queue_rank(Priority::kLow, from_millis(1), Duration(0)), from_millis(1), TicketId{4}}, Channel::kEmail, none);
  EXPECT_EQ(q.size(), 4u);
  EXPECT_EQ(q.position({queue_rank(Priority::kNormal, from_millis(10), Duration(0)), from_millis(10), TicketId{1}}), 3u);
  EXPECT_EQ(q.position({queue_rank(Priority::kHigh, from_millis(20), Duration(0)), from_millis(20), TicketId{2}}), 1u);
  EXPECT_EQ(q.oldest(), from_millis(1));
  auto all = [](const TicketQueue::Entry&) { return true; };
  auto any = q.best([](Channel, const std::vector<SkillLevel>&) { return true; }, all);
  EXPECT_EQ(any->id, TicketId{2});
  auto no_skills = q.best([](Channel, const std::vector<SkillLevel>& n) { return n.empty(); }, all);
  EXPECT_EQ(no_skills->id, TicketId{3});
  auto email_only = q.best([](Channel c, const std::vector<SkillLevel>& n) { return c == Channel::kEmail && n.empty(); }, all);
  EXPECT_EQ(email_only->id, TicketId{4});
  auto not_two = q.best([](Channel, const std::vector<SkillLevel>&) { return true; },
                        [](const TicketQueue::Entry& e) { return e.id != TicketId{2}; });
  EXPECT_EQ(not_two->id, TicketId{3});  // past 2, the vpn group's next (1) ranks after 3
  EXPECT_EQ(q.entries().size(), 4u);
  q.erase({queue_rank(Priority::kHigh, from_millis(20), Duration(0)), from_millis(20), TicketId{2}}, Channel::kEmail, vpn);
  q.erase({queue_rank(Priority::kNormal, from_millis(10), Duration(0)), from_millis(10), TicketId{1}}, Channel::kEmail, vpn);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_FALSE(q.position({queue_rank(Priority::kNormal, from_millis(10), Duration(0)), from_millis(10), TicketId{1}}));
}

}  // namespace
}  // namespace sb
