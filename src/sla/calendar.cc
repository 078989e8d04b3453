#include "sla/calendar.h"

#include <date/tz.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace sb::sla {

struct BusinessCalendar::Impl {
  CalendarSpec spec;                      // as given (hours sorted)
  const date::time_zone* zone = nullptr;  // null: UTC
  std::array<std::vector<Interval>, 7> weekly;
  std::set<date::local_days> holidays;
  bool always_open = false;

  // The business intervals of one local day, as system-time instants.
  std::vector<std::pair<Time, Time>> day(date::local_days d) const {
    std::vector<std::pair<Time, Time>> out;
    if (holidays.count(d)) return out;
    const unsigned wd = date::weekday(d).iso_encoding() - 1;  // Monday = 0
    for (const auto& [from, to] : weekly[wd]) {
      const auto lf = date::local_time<std::chrono::minutes>(d.time_since_epoch() + std::chrono::minutes(from));
      const auto lt = date::local_time<std::chrono::minutes>(d.time_since_epoch() + std::chrono::minutes(to));
      out.emplace_back(to_sys(lf), to_sys(lt));
    }
    return out;
  }

  // Local to system time. In a spring-forward gap the hours that do not exist
  // are skipped (the later mapping); in a fall-back overlap the first one counts.
  Time to_sys(date::local_time<std::chrono::minutes> t) const {
    if (!zone) return std::chrono::time_point_cast<Duration>(Time(t.time_since_epoch()));
    const auto info = zone->get_info(t);
    const std::chrono::seconds local = t.time_since_epoch();
    std::chrono::sys_seconds s{local - info.first.offset};
    if (info.result == date::local_info::nonexistent) s = std::max(s, info.second.begin);
    return std::chrono::time_point_cast<Duration>(s);
  }

  date::local_days local_day(Time t) const {
    if (!zone) return date::local_days(std::chrono::floor<date::days>(t).time_since_epoch());
    return std::chrono::floor<date::days>(zone->to_local(t));
  }
};

Result<BusinessCalendar> BusinessCalendar::make(const CalendarSpec& spec) {
  auto impl = std::make_shared<Impl>();
  impl->spec.time_zone = spec.time_zone;
  impl->spec.holidays = spec.holidays;
  if (spec.time_zone != "UTC") {
    try {
      impl->zone = date::locate_zone(spec.time_zone);
    } catch (const std::exception&) {
      return Error::Invalid("time_zone", "unknown time zone '" + spec.time_zone + "' (use an IANA name such as Europe/Berlin)");
    }
  }
  for (std::size_t d = 0; d < 7; ++d) {
    std::vector<Interval> hours = spec.weekly[d];
    std::sort(hours.begin(), hours.end());
    for (std::size_t i = 0; i < hours.size(); ++i) {
      const auto [from, to] = hours[i];
      if (from < 0 || to > 1440 || from >= to || (i > 0 && from < hours[i - 1].second)) {
        return Error::Invalid("hours", "opening hours must lie within the day, each from < to, not overlapping");
      }
    }
    impl->spec.weekly[d] = hours;
    impl->weekly[d] = std::move(hours);
  }
  for (const std::string& h : spec.holidays) {
    std::istringstream in(h);
    date::year_month_day ymd;
    in >> date::parse("%F", ymd);
    if (in.fail() || !ymd.ok()) return Error::Invalid("holidays", "'" + h + "' is not a date like 2026-12-25");
    impl->holidays.insert(date::local_days(ymd));
  }
  return BusinessCalendar(std::move(impl));
}

BusinessCalendar BusinessCalendar::always() {
  auto impl = std::make_shared<Impl>();
  impl->always_open = true;
  for (auto& day : impl->spec.weekly) day = {{0, 1440}};
  return BusinessCalendar(std::move(impl));
}

const CalendarSpec& BusinessCalendar::spec() const { return impl_->spec; }

Time BusinessCalendar::add(Time start, Duration business) const {
  const Impl& c = *impl_;
  if (c.always_open || business <= Duration(0)) return start + std::max(business, Duration(0));
  Duration left = business;
  date::local_days d = c.local_day(start) - date::days(1);  // the day before: a late DST shift may overlap
  for (int i = 0; i < 3700; ++i, d += date::days(1)) {     // ten years of closed days at most
    for (const auto& [from, to] : c.day(d)) {
      const Time a = std::max(from, start);
      if (a >= to) continue;
      if (to - a >= left) return a + left;
      left -= to - a;
    }
  }
  return start + business;  // never open: give up rather than loop
}

Duration BusinessCalendar::between(Time a, Time b) const {
  const Impl& c = *impl_;
  if (b <= a) return Duration(0);
  if (c.always_open) return b - a;
  Duration total{0};
  for (date::local_days d = c.local_day(a) - date::days(1); d <= c.local_day(b); d += date::days(1)) {
    for (const auto& [from, to] : c.day(d)) {
      const Time x = std::max(from, a), y = std::min(to, b);
      if (y > x) total += y - x;
    }
  }
  return total;
}

}  // namespace sb::sla
