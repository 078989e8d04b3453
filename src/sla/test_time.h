#pragma once
// Tests: a UTC instant from a civil date and time.
#include <chrono>

#include "core/time.h"

namespace sb::sla {

inline Time utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  using namespace std::chrono;
  return Time(sys_days(year{y} / month{m} / day{d})) + hours(h) + minutes(min);
}

}  // namespace sb::sla
