#pragma once
// A person who works tickets, and a team of them.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/enums.h"
#include "core/ids.h"
#include "core/ticket.h"
#include "core/time.h"

namespace sb {

// How many tickets of each channel an agent may hold at once, indexed by
// Channel. Default: email 8, web 8, chat 3, phone 1, api 8.
using ChannelCounts = std::array<int, enum_count<Channel>()>;
inline constexpr ChannelCounts kDefaultCapacity{8, 8, 3, 1, 8};
inline constexpr int kMaxCapacity = 1000;

struct Agent {
  AgentId id;
  std::string name;
  std::string email;
  SkillLevels skills;
  std::vector<TeamId> teams;
  ChannelCounts capacity = kDefaultCapacity;
  Presence presence = Presence::kOffline;
  Time created_at;
  Time updated_at;
};

struct Team {
  TeamId id;
  std::string name;
  Time created_at;
};

// Name present, skills within 1..5, capacities within 0..1000.
Status validate(const Agent& a);
// Name 1..200 characters.
Status validate(const Team& t);

}  // namespace sb
