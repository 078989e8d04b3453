#pragma once
// Business-hours calendars: a time zone (IANA name, from the system's tz
// database), weekly opening hours in local time, and holidays. SLA clocks
// count only business time: add() finds when a business-time target falls
// due, between() measures business time elapsed. Both handle DST changes
// (local hours are converted day by day) and are pure and thread-safe.
#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace sb::sla {

// [from, to) in minutes after local midnight; to may be 1440.
using Interval = std::pair<int, int>;

struct CalendarSpec {
  std::string time_zone = "UTC";
  std::array<std::vector<Interval>, 7> weekly;  // Monday = 0 .. Sunday = 6
  std::vector<std::string> holidays;            // local dates, YYYY-MM-DD
};

class BusinessCalendar {
 public:
  // Checks the zone name, the intervals (inside the day, ordered, not
  // overlapping) and the dates; errors name the field.
  static Result<BusinessCalendar> make(const CalendarSpec& spec);
  // A calendar open all the time.
  static BusinessCalendar always();

  // The instant at which `business` of business time has passed since `start`.
  Time add(Time start, Duration business) const;
  // Business time in [a, b); zero when b <= a.
  Duration between(Time a, Time b) const;
  // What it was made from (always(): UTC, every day 00:00-24:00).
  const CalendarSpec& spec() const;

 private:
  struct Impl;
  explicit BusinessCalendar(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sb::sla
