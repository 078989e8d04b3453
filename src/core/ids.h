#pragma once
// Typed ids: a TicketId cannot be passed where an AgentId is wanted.
// Ids are positive; 0 means "none yet".
#include <compare>
#include <cstdint>
#include <functional>

namespace sb {

template <class Tag>
struct Id {
  std::int64_t value = 0;

  constexpr Id() = default;
  constexpr explicit Id(std::int64_t v) : value(v) {}
  constexpr bool valid() const { return value > 0; }
  constexpr auto operator<=>(const Id&) const = default;
};

using TicketId = Id<struct TicketTag>;
using AgentId = Id<struct AgentTag>;
using TeamId = Id<struct TeamTag>;

}  // namespace sb

template <class Tag>
struct std::hash<sb::Id<Tag>> {
  std::size_t operator()(sb::Id<Tag> id) const noexcept { return std::hash<std::int64_t>{}(id.value); }
};
