#include "routing/ticket_queue.h"

#include <gtest/gtest.h>

namespace sb {
namespace {

TEST(TicketQueue, OrdersByPriorityThenAge) {
  TicketQueue q;
  q.push({Priority::kNormal, from_millis(100), TicketId{1}});
  q.push({Priority::kUrgent, from_millis(300), TicketId{2}});
  q.push({Priority::kNormal, from_millis(50), TicketId{3}});
  q.push({Priority::kLow, from_millis(10), TicketId{4}});
  std::vector<std::int64_t> order;
  for (const auto& e : q) order.push_back(e.id.value);
  EXPECT_EQ(order, (std::vector<std::int64_t>{2, 3, 1, 4}));
  EXPECT_EQ(q.position({Priority::kNormal, from_millis(100), TicketId{1}}), 3u);
  EXPECT_EQ(q.oldest(), from_millis(10));
  q.erase({Priority::kUrgent, from_millis(300), TicketId{2}});
  EXPECT_EQ(q.position({Priority::kNormal, from_millis(100), TicketId{1}}), 2u);
  EXPECT_FALSE(q.position({Priority::kUrgent, from_millis(300), TicketId{2}}));
}

}  // namespace
}  // namespace sb

#include "routing/team_queue.h"

namespace sb {
namespace {

TEST(TeamQueue, BestLooksAtGroupHeadsInServingOrder) {
  TeamQueue q;
  const std::vector<SkillLevel> vpn{{0, 3}}, none{};
  q.push({Priority::kNormal, from_millis(10), TicketId{1}}, Channel::kEmail, vpn);
  q.push({Priority::kHigh, from_millis(20), TicketId{2}}, Channel::kEmail, vpn);
  q.push({Priority::kNormal, from_millis(5), TicketId{3}}, Channel::kChat, none);
  q.push({Priority::kLow, from_millis(1), TicketId{4}}, Channel::kEmail, none);
  EXPECT_EQ(q.size(), 4u);
  EXPECT_EQ(q.position({Priority::kNormal, from_millis(10), TicketId{1}}), 3u);
  EXPECT_EQ(q.position({Priority::kHigh, from_millis(20), TicketId{2}}), 1u);
  EXPECT_EQ(q.oldest(), from_millis(1));
  auto any = q.best([](Channel, const std::vector<SkillLevel>&) { return true; });
  EXPECT_EQ(any->id, TicketId{2});
  auto no_skills = q.best([](Channel, const std::vector<SkillLevel>& n) { return n.empty(); });
  EXPECT_EQ(no_skills->id, TicketId{3});
  auto email_only = q.best([](Channel c, const std::vector<SkillLevel>& n) { return c == Channel::kEmail && n.empty(); });
  EXPECT_EQ(email_only->id, TicketId{4});
  q.erase({Priority::kHigh, from_millis(20), TicketId{2}}, Channel::kEmail, vpn);
  q.erase({Priority::kNormal, from_millis(10), TicketId{1}}, Channel::kEmail, vpn);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_FALSE(q.position({Priority::kNormal, from_millis(10), TicketId{1}}));
}

}  // namespace
}  // namespace sb
