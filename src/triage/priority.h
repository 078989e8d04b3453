#pragma once
// Priority on arrival: an ITIL-like urgency x impact matrix, urgency signals
// in the text ("down", "outage", "charged twice"), a bump for VIP requesters.
// Rules may still override it afterwards. The result says how it was reached.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/ticket.h"

namespace sb::triage {

enum class Level { kLow, kMedium, kHigh };

struct PriorityPolicy {
  // matrix[urgency][impact], each low/medium/high.
  std::array<std::array<Priority, 3>, 3> matrix{{
      {Priority::kLow, Priority::kLow, Priority::kNormal},        // urgency low
      {Priority::kLow, Priority::kNormal, Priority::kHigh},       // urgency medium
      {Priority::kNormal, Priority::kHigh, Priority::kUrgent},    // urgency high
  }};
  // Requesters of these tiers one level up (at most urgent). Config:
  // `raise_tiers: [...]`; `vip_bump: false` empties it.
  std::vector<std::string> raise_tiers{"vip"};
  // Phrases (case-insensitive, whole words) that make urgency high.
  std::vector<std::string> urgent_phrases{"down", "outage", "charged twice", "not working", "cannot login",
                                          "can't login", "data loss", "security breach"};
};

struct PriorityInput {
  std::optional<Priority> explicit_priority;  // given by the caller
  std::optional<Level> urgency;
  std::optional<Level> impact;
  std::string tier = "standard";
  std::string text;  // subject and body
};

struct PriorityResult {
  Priority priority = Priority::kNormal;
  std::string reason;
};

PriorityResult compute_priority(const PriorityInput& in, const PriorityPolicy& policy);

}  // namespace sb::triage

namespace sb {
template <>
struct EnumNames<triage::Level> {
  static constexpr std::array<std::string_view, 3> names{"low", "medium", "high"};
};
}  // namespace sb
