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
