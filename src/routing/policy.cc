#include "routing/policy.h"

#include <string>

#include "routing/skills_best_match.h"

namespace sb {

Result<std::unique_ptr<RoutingPolicy>> make_policy(std::string_view name, std::string_view field) {
  if (name == SkillsBestMatch::kName) return std::unique_ptr<RoutingPolicy>(new SkillsBestMatch());
  return Error::Invalid(std::string(field), "unknown routing policy '" + std::string(name) +
                                                "'; expected one of skills_best_match");
}

}  // namespace sb
