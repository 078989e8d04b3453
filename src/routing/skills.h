#pragma once
// Skill names are interned to small integers so that routing compares ints,
// not strings. A SkillTable lives as long as the engine that owns it.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/ids.h"
#include "core/enums.h"
#include "core/ticket.h"

namespace sb {

using SkillId = int;
inline constexpr SkillId kAnySkill = -1;  // index bucket of agents regardless of skill

struct SkillLevel {
  SkillId skill;
  int level;
};

class SkillTable {
 public:
  // Returns the id of `name`, adding it when new.
  SkillId intern(std::string_view name);
  // Sorted by skill id, for AgentState and TicketNeeds.
  std::vector<SkillLevel> intern_all(const SkillLevels& levels);
  std::size_t size() const { return ids_.size(); }

 private:
  std::unordered_map<std::string, SkillId> ids_;
};

// What a ticket asks of an agent: the team whose agents may take it, the
// channel whose capacity it uses, and each required skill's minimum level.
struct TicketNeeds {
  TeamId team;
  Channel channel = Channel::kApi;
  std::vector<SkillLevel> skills;  // sorted by skill id
};

}  // namespace sb
