#include "sla/calendar.h"

#include <gtest/gtest.h>

#include "sla/test_time.h"

namespace sb::sla {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

CalendarSpec office(const std::string& zone) {
  CalendarSpec s;
  s.time_zone = zone;
  for (int d = 0; d < 5; ++d) s.weekly[static_cast<std::size_t>(d)] = {{9 * 60, 17 * 60}};  // Mon-Fri 09-17
  return s;
}

TEST(Calendar, SkipsTheWeekend) {
  auto cal = BusinessCalendar::make(office("UTC"));
  ASSERT_TRUE(cal.ok());
  // Friday 2026-11-27 16:00 + 2 business hours = Monday 10:00.
  EXPECT_EQ(cal->add(utc(2026, 11, 27, 16), hours(2)), utc(2026, 11, 30, 10));
  EXPECT_EQ(cal->between(utc(2026, 11, 27, 16), utc(2026, 11, 30, 10)), hours(2));
  // Starting on Saturday counts from Monday 09:00.
  EXPECT_EQ(cal->add(utc(2026, 11, 28, 12), hours(1)), utc(2026, 11, 30, 10));
  EXPECT_EQ(cal->between(utc(2026, 11, 28, 0), utc(2026, 11, 29, 23)), Duration(0));
}

TEST(Calendar, SkipsHolidays) {
  CalendarSpec s = office("UTC");
  s.holidays = {"2026-12-25"};  // a Friday
  auto cal = BusinessCalendar::make(s);
  ASSERT_TRUE(cal.ok());
  // Thursday 16:00 + 2 h: one hour Thursday, Friday is a holiday, one hour Monday.
  EXPECT_EQ(cal->add(utc(2026, 12, 24, 16), hours(2)), utc(2026, 12, 28, 10));
}

TEST(Calendar, LocalHoursFollowTheZoneAcrossDst) {
  auto cal = BusinessCalendar::make(office("Europe/Berlin"));
  ASSERT_TRUE(cal.ok());
  // Before the change (CET, UTC+1): 09:00 local is 08:00 UTC.
  EXPECT_EQ(cal->add(utc(2026, 3, 27, 7), hours(1)), utc(2026, 3, 27, 9));
  // After 2026-03-29 (CEST, UTC+2): Monday 09:00 local is 07:00 UTC.
  EXPECT_EQ(cal->add(utc(2026, 3, 27, 15, 30), hours(1)), utc(2026, 3, 30, 7, 30));
  // A 24-hour calendar: the spring-forward Sunday has 23 hours, the fall-back one 25.
  CalendarSpec all;
  all.time_zone = "Europe/Berlin";
  for (auto& day : all.weekly) day = {{0, 1440}};
  auto open = BusinessCalendar::make(all);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->between(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)), hours(23));
  EXPECT_EQ(open->between(utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)), hours(25));
}

TEST(Calendar, RejectsBadSpecs) {
  CalendarSpec s = office("Mars/Olympus_Mons");
  EXPECT_EQ(BusinessCalendar::make(s).error().field, "time_zone");
  s = office("UTC");
  s.weekly[0] = {{10 * 60, 9 * 60}};
  EXPECT_EQ(BusinessCalendar::make(s).error().field, "hours");
  s = office("UTC");
  s.holidays = {"2026-02-30"};
  EXPECT_EQ(BusinessCalendar::make(s).error().field, "holidays");
  EXPECT_EQ(BusinessCalendar::always().add(utc(2026, 1, 1, 0), hours(5)), utc(2026, 1, 1, 5));
}

}  // namespace
}  // namespace sb::sla
