#include "core/agent.h"

namespace sb {

Status validate(const Agent& a) {
  if (a.name.empty()) return Error::Missing("name");
  if (a.name.size() > 200) return Error::Invalid("name", "name is longer than 200 characters");
  if (auto s = validate_skills(a.skills, "skills"); !s) return s;
  for (std::size_t c = 0; c < a.capacity.size(); ++c) {
    if (a.capacity[c] < 0 || a.capacity[c] > kMaxCapacity) {
      return Error::Invalid("capacity." + std::string(to_string(static_cast<Channel>(c))),
                            "capacity must be between 0 and 1000");
    }
  }
  return Status::Ok();
}

Status validate(const Team& t) {
  if (t.name.empty()) return Error::Missing("name");
  if (t.name.size() > 200) return Error::Invalid("name", "name is longer than 200 characters");
  return Status::Ok();
}

}  // namespace sb
