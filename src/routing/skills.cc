#include "routing/skills.h"

#include <algorithm>

namespace sb {

SkillId SkillTable::intern(std::string_view name) {
  auto [it, inserted] = ids_.try_emplace(std::string(name), static_cast<SkillId>(ids_.size()));
  if (inserted) names_.emplace_back(name);
  return it->second;
}

std::vector<SkillLevel> SkillTable::intern_all(const SkillLevels& levels) {
  std::vector<SkillLevel> out;
  out.reserve(levels.size());
  for (const auto& [name, level] : levels) out.push_back({intern(name), level});
  std::sort(out.begin(), out.end(), [](SkillLevel a, SkillLevel b) { return a.skill < b.skill; });
  return out;
}

}  // namespace sb
