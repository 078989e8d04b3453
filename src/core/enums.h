#pragma once
// The domain's enumerations. Each has exactly one name table (EnumNames<E>),
// and to_string / parse_enum go through it; an unknown name is an error that
// names the input field.
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sb {

enum class Channel { kEmail, kWeb, kChat, kPhone, kApi };
enum class TicketStatus { kNew, kOpen, kPending, kHold, kSolved, kClosed };
enum class Priority { kLow, kNormal, kHigh, kUrgent };
enum class Presence { kOnline, kAway, kOffline };
// A token's role (docs/security.md): admin (everything), agent (own tickets,
// own presence, comments), viewer (reports only), supervisor (a set of teams:
// their tickets, agents, queues, reports and routing settings).
enum class Role { kAdmin, kAgent, kViewer, kSupervisor };
// How a team hands a ticket to the chosen agent: at once, or as an offer the
// agent must accept within the team's offer timeout.
enum class OfferMode { kDirect, kOffer };
// What least_loaded compares: spare slots, or load as a share of capacity.
enum class LoadMeasure { kAbsolute, kPercentage };
// How a team's queue is ordered.
enum class QueueOrder { kPriority, kTimeToBreach };
// One step of a team's relaxation ladder.
enum class RelaxAction { kDropOptionalSkills, kLowerProficiency, kOverflow };

template <class E>
struct EnumNames;

template <>
struct EnumNames<Channel> {
  static constexpr std::array<std::string_view, 5> names{"email", "web", "chat", "phone", "api"};
};
template <>
struct EnumNames<TicketStatus> {
  static constexpr std::array<std::string_view, 6> names{"new",  "open",   "pending",
                                                         "hold", "solved", "closed"};
};
template <>
struct EnumNames<Priority> {
  static constexpr std::array<std::string_view, 4> names{"low", "normal", "high", "urgent"};
};
template <>
struct EnumNames<Presence> {
  static constexpr std::array<std::string_view, 3> names{"online", "away", "offline"};
};
template <>
struct EnumNames<Role> {
  static constexpr std::array<std::string_view, 4> names{"admin", "agent", "viewer", "supervisor"};
};

template <>
struct EnumNames<OfferMode> {
  static constexpr std::array<std::string_view, 2> names{"direct", "offer"};
};
template <>
struct EnumNames<LoadMeasure> {
  static constexpr std::array<std::string_view, 2> names{"absolute", "percentage"};
};
template <>
struct EnumNames<QueueOrder> {
  static constexpr std::array<std::string_view, 2> names{"priority", "time_to_breach"};
};
template <>
struct EnumNames<RelaxAction> {
  static constexpr std::array<std::string_view, 3> names{"drop_optional_skills", "lower_proficiency", "overflow"};
};

template <class E>
constexpr std::size_t enum_count() {
  return EnumNames<E>::names.size();
}

template <class E>
constexpr std::string_view to_string(E e) {
  return EnumNames<E>::names[static_cast<std::size_t>(e)];
}

// The names of E joined with '|', for error messages ("email|web|chat").
template <class E>
std::string enum_choices() {
  std::string out;
  for (auto n : EnumNames<E>::names) {
    if (!out.empty()) out += '|';
    out += n;
  }
  return out;
}

// Parses `name` into E. On an unknown name returns an invalid_value error for
// `field` that lists the valid names.
template <class E>
Result<E> parse_enum(std::string_view name, std::string_view field) {
  const auto& names = EnumNames<E>::names;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return Error::Invalid(std::string(field), "unknown value '" + std::string(name) + "' for '" +
                                                std::string(field) + "'; expected one of " +
                                                enum_choices<E>());
}

}  // namespace sb
