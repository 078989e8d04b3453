#pragma once
// Skill names are interned to small integers so that routing compares ints,
// not strings. A SkillTable lives as long as the engine that owns it.
#include <string>
#include <string_view>
#include <unordered_map>
#include <optional>
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
  // The name of an interned id.
  const std::string& name(SkillId id) const { return names_[static_cast<std::size_t>(id)]; }
  // Sorted by skill id, for AgentState and TicketNeeds.
  std::vector<SkillLevel> intern_all(const SkillLevels& levels);
  std::size_t size() const { return ids_.size(); }

 private:
  std::unordered_map<std::string, SkillId> ids_;
  std::vector<std::string> names_;
};

// What a ticket asks of an agent: the team whose agents may take it, the
// channel whose capacity it uses, and each required skill's minimum level.
struct TicketNeeds {
  TeamId team;
  Channel channel = Channel::kApi;
  std::vector<SkillLevel> skills;     // sorted by skill id
  std::optional<AgentId> preferred;   // sticky: the requester's previous agent
  std::vector<AgentId> excluded;      // agents who declined this ticket
  bool excludes(AgentId a) const {
    for (AgentId x : excluded) {
      if (x == a) return true;
    }
    return false;
  }
};

}  // namespace sb
