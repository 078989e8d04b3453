#pragma once
// SLA policies and clocks. A policy is matched to a ticket by priority,
// requester tier, channel and team (first match in order; an empty list
// matches anything) and sets targets in business time on a calendar. A clock
// (SlaClockState, stored on the ticket) counts business time while it runs and
// stops while the ticket waits on the customer (pending, hold); its due time,
// warning time and remaining time follow from the target. Pure: the engine
// owns the clocks and fires their timers.
#include <optional>
#include <string>
#include <vector>

#include "core/ticket.h"
#include "sla/calendar.h"

namespace sb::sla {

struct SlaTargets {
  std::optional<Duration> first_response;
  std::optional<Duration> next_reply;
  std::optional<Duration> resolution;
};

// What to do when a clock warns or breaches.
struct EscalationStep {
  enum class On { kWarning, kBreach };
  enum class Action { kRaisePriority, kMoveTeam, kAssign, kNotify };
  On on = On::kBreach;
  Action action = Action::kNotify;
  std::optional<TeamId> team;    // kMoveTeam
  std::optional<AgentId> agent;  // kAssign: e.g. a supervisor
};

struct SlaPolicy {
  std::string name;
  std::vector<Priority> priorities;  // empty: any
  std::vector<std::string> tiers;  // configured tier names
  std::vector<Channel> channels;
  std::vector<TeamId> teams;
  SlaTargets targets;
  double warn_at = 0.75;             // share of the target at which to warn
  std::string calendar_name;          // "" = always open
  BusinessCalendar calendar = BusinessCalendar::always();
  std::vector<EscalationStep> ladder;
  bool matches(const Ticket& t) const;
};

// The first policy that matches, or nullptr.
const SlaPolicy* match_policy(const std::vector<SlaPolicy>& policies, const Ticket& t);

// Status-driven pausing: the clock stops while the customer has the ball.
inline bool clock_runs(TicketStatus s) {
  return s == TicketStatus::kNew || s == TicketStatus::kOpen;
}

// Operations on a stored clock state, on `cal`.
void pause(SlaClockState& c, const BusinessCalendar& cal, Time now);
void resume(SlaClockState& c, const BusinessCalendar& cal, Time now);
// Sets c.due from the state (nullopt while paused or met).
void refresh_due(SlaClockState& c, const BusinessCalendar& cal);
std::optional<Time> warn_time(const SlaClockState& c, const BusinessCalendar& cal, double share);
Duration remaining(const SlaClockState& c, const BusinessCalendar& cal, Time now);

}  // namespace sb::sla
