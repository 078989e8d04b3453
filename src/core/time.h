#pragma once
// Time in Switchboard is a point on the system clock at millisecond
// resolution. The core never reads the clock: time is passed in.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sb {

using Time = std::chrono::sys_time<std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;

inline std::int64_t to_millis(Time t) { return t.time_since_epoch().count(); }
inline Time from_millis(std::int64_t ms) { return Time(Duration(ms)); }

// "2026-11-25T21:32:48.123Z"
std::string format_time(Time t);
// Parses the format above (the fraction is optional). nullopt when malformed.
std::optional<Time> parse_time(std::string_view text);

}  // namespace sb
