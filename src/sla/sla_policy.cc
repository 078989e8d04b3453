#include "sla/sla_policy.h"

#include <algorithm>

namespace sb::sla {
namespace {

template <class T>
bool any_or(const std::vector<T>& allowed, const T& value) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

}  // namespace

bool SlaPolicy::matches(const Ticket& t) const {
  if (!any_or(priorities, t.priority) || !any_or(tiers, t.requester.tier) || !any_or(channels, t.channel)) return false;
  if (!teams.empty() && (!t.team || !any_or(teams, *t.team))) return false;
  return true;
}

const SlaPolicy* match_policy(const std::vector<SlaPolicy>& policies, const Ticket& t) {
  for (const SlaPolicy& p : policies) {
    if (p.matches(t)) return &p;
  }
  return nullptr;
}

}  // namespace sb::sla

namespace sb::sla {

void pause(SlaClockState& c, const BusinessCalendar& cal, Time now) {
  if (!c.running_since) return;
  c.consumed += cal.between(*c.running_since, now);
  c.running_since.reset();
  c.due.reset();
}

void resume(SlaClockState& c, const BusinessCalendar& cal, Time now) {
  if (c.running_since || c.met) return;
  c.running_since = now;
  refresh_due(c, cal);
}

void refresh_due(SlaClockState& c, const BusinessCalendar& cal) {
  if (!c.running_since || c.met) {
    c.due.reset();
    return;
  }
  c.due = cal.add(*c.running_since, std::max(c.target - c.consumed, Duration(0)));
}

std::optional<Time> warn_time(const SlaClockState& c, const BusinessCalendar& cal, double share) {
  if (!c.running_since || c.met) return std::nullopt;
  const Duration at{static_cast<std::int64_t>(static_cast<double>(c.target.count()) * share)};
  return cal.add(*c.running_since, std::max(at - c.consumed, Duration(0)));
}

Duration remaining(const SlaClockState& c, const BusinessCalendar& cal, Time now) {
  const Duration used = c.consumed + (c.running_since ? cal.between(*c.running_since, now) : Duration(0));
  return c.target - used;
}

}  // namespace sb::sla
