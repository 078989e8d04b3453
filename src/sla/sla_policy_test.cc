#include "sla/sla_policy.h"

#include <gtest/gtest.h>

#include "sla/test_time.h"

namespace sb::sla {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

BusinessCalendar office() {
  CalendarSpec s;
  for (int d = 0; d < 5; ++d) s.weekly[static_cast<std::size_t>(d)] = {{9 * 60, 17 * 60}};
  return std::move(BusinessCalendar::make(s).value());
}

TEST(SlaPolicy, FirstMatchByPriorityTierChannelTeam) {
  SlaPolicy vip{"vip", {}, {"vip"}, {}, {}, {hours(1), {}, hours(8)}, 0.75};
  SlaPolicy urgent_chat{"urgent chat", {Priority::kUrgent}, {}, {Channel::kChat}, {}, {minutes(5), {}, {}}, 0.75};
  SlaPolicy team2{"team 2", {}, {}, {}, {TeamId{2}}, {hours(4), {}, {}}, 0.75};
  SlaPolicy fallback{"default", {}, {}, {}, {}, {hours(8), {}, hours(40)}, 0.75};
  const std::vector<SlaPolicy> all{vip, urgent_chat, team2, fallback};
  Ticket t;
  t.priority = Priority::kUrgent;
  t.channel = Channel::kChat;
  EXPECT_EQ(match_policy(all, t)->name, "urgent chat");
  t.requester.tier = "vip";
  EXPECT_EQ(match_policy(all, t)->name, "vip");
  t.requester.tier = "standard";
  t.channel = Channel::kEmail;
  EXPECT_EQ(match_policy(all, t)->name, "default");
  t.team = TeamId{2};
  EXPECT_EQ(match_policy(all, t)->name, "team 2");
  EXPECT_EQ(match_policy({urgent_chat}, Ticket{}), nullptr);
}

TEST(SlaClock, CountsBusinessTimeAndPausesWhileTheCustomerHasTheBall) {
  const BusinessCalendar cal = office();
  // 4 business hours from Friday 15:00: 2 h Friday, 2 h Monday -> due Monday 11:00.
  SlaClockState clock;
  clock.target = hours(4);
  resume(clock, cal, utc(2026, 11, 27, 15));
  EXPECT_EQ(clock.due, utc(2026, 11, 30, 11));
  EXPECT_EQ(warn_time(clock, cal, 0.75), utc(2026, 11, 30, 10));  // 3 h in
  // Pending from Friday 16:00 (1 h used) to Monday 12:00: the clock stops.
  pause(clock, cal, utc(2026, 11, 27, 16));
  EXPECT_FALSE(clock.due);
  EXPECT_EQ(remaining(clock, cal, utc(2026, 11, 30, 11)), hours(3));
  resume(clock, cal, utc(2026, 11, 30, 12));
  EXPECT_EQ(clock.due, utc(2026, 11, 30, 15));
  EXPECT_EQ(remaining(clock, cal, utc(2026, 11, 30, 16)), -hours(1));  // breached by an hour
  EXPECT_TRUE(clock_runs(TicketStatus::kOpen));
  EXPECT_FALSE(clock_runs(TicketStatus::kPending));
  EXPECT_FALSE(clock_runs(TicketStatus::kHold));
}

}  // namespace
}  // namespace sb::sla
