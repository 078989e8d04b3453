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
  const TeamRouting& r = t.routing;
  if (r.sticky_wait < Duration(0)) return Error::Invalid("routing.sticky_wait", "must not be negative");
  if (r.aging_step < Duration(0)) return Error::Invalid("routing.aging_step", "must not be negative");
  if (r.offer_timeout <= Duration(0)) return Error::Invalid("routing.offer_timeout", "must be positive");
  if (r.max_missed_offers < 1) return Error::Invalid("routing.max_missed_offers", "must be at least 1");
  Duration last{-1};
  for (std::size_t i = 0; i < r.relaxation.size(); ++i) {
    const RelaxStep& step = r.relaxation[i];
    const std::string field = "routing.relaxation[" + std::to_string(i) + "]";
    if (step.after <= last) return Error::Invalid(field + ".after", "steps must be in increasing order of 'after'");
    last = step.after;
    if (step.action == RelaxAction::kLowerProficiency && (step.by < 1 || step.by > 4)) {
      return Error::Invalid(field + ".by", "must be between 1 and 4");
    }
    if (step.action == RelaxAction::kOverflow && (!step.team || *step.team == t.id)) {
      return Error::Invalid(field + ".team", "overflow needs another team");
    }
  }
  return Status::Ok();
}

}  // namespace sb
