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

void SlaClock::pause(const BusinessCalendar& cal, Time now) {
  if (!running_since_) return;
  consumed_before_ += cal.between(*running_since_, now);
  running_since_.reset();
}

void SlaClock::resume(Time now) {
  if (!running_since_) running_since_ = now;
}

Duration SlaClock::consumed(const BusinessCalendar& cal, Time now) const {
  return consumed_before_ + (running_since_ ? cal.between(*running_since_, now) : Duration(0));
}

std::optional<Time> SlaClock::after(const BusinessCalendar& cal, Duration business_total) const {
  if (!running_since_) return std::nullopt;
  return cal.add(*running_since_, std::max(business_total - consumed_before_, Duration(0)));
}

std::optional<Time> SlaClock::due(const BusinessCalendar& cal) const { return after(cal, target_); }

std::optional<Time> SlaClock::warn_time(const BusinessCalendar& cal, double share) const {
  return after(cal, Duration(static_cast<std::int64_t>(static_cast<double>(target_.count()) * share)));
}

}  // namespace sb::sla
