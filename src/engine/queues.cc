// Needs and queues: what a waiting ticket needs now (relaxation with waiting
// time, overflow teams, the sticky preference), where it waits, its place.
#include "engine/engine.h"

#include <algorithm>

namespace sb {
namespace {

// Merges required and optional needs (both sorted by skill), keeping the
// higher minimum where a skill is in both.
std::vector<SkillLevel> merge_needs(const std::vector<SkillLevel>& a, const std::vector<SkillLevel>& b) {
  std::vector<SkillLevel> out;
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].skill < b[j].skill)) {
      out.push_back(a[i++]);
    } else if (i == a.size() || b[j].skill < a[i].skill) {
      out.push_back(b[j++]);
    } else {
      out.push_back({a[i].skill, std::max(a[i].level, b[j].level)});
      ++i, ++j;
    }
  }
  return out;
}

}  // namespace

int Engine::relax_level(const LiveTicket& lt, Time now) const {
  const Ticket& t = lt.ticket;
  if (!t.team || !t.queued_at) return 0;
  auto team = teams_.find(*t.team);
  if (team == teams_.end()) return 0;
  const Duration waited = now - *t.queued_at;
  int level = 0;
  for (const RelaxStep& step : team->second.routing.relaxation) {
    if (step.after <= waited) ++level;
  }
  return level;
}

TicketNeeds Engine::needs_at(const LiveTicket& lt, TeamId team, Time now) const {
  const Ticket& t = lt.ticket;
  TicketNeeds needs{team, t.channel, {}, std::nullopt, t.declined_by};
  bool drop_optional = false;
  int lower = 0;
  if (t.team) {
    const int level = relax_level(lt, now);
    const auto& steps = teams_.at(*t.team).routing.relaxation;
    for (int i = 0; i < level; ++i) {
      const RelaxStep& step = steps[static_cast<std::size_t>(i)];
      if (step.action == RelaxAction::kDropOptionalSkills) drop_optional = true;
      if (step.action == RelaxAction::kLowerProficiency) lower += step.by;
    }
  }
  needs.skills = drop_optional || lt.optional.empty() ? lt.required : merge_needs(lt.required, lt.optional);
  for (SkillLevel& s : needs.skills) s.level = std::max(kMinProficiency, s.level - lower);
  if (t.team && !lt.sticky_done && pool_.policy(*t.team).preferred_wait() > Duration(0) && !t.requester.email.empty()) {
    if (auto it = last_agent_of_.find(t.requester.email); it != last_agent_of_.end()) needs.preferred = it->second;
  }
  return needs;
}

std::vector<TeamId> Engine::teams_for(const LiveTicket& lt, Time now) const {
  std::vector<TeamId> out;
  if (!lt.ticket.team) return out;
  out.push_back(*lt.ticket.team);
  const int level = relax_level(lt, now);
  const auto& steps = teams_.at(*lt.ticket.team).routing.relaxation;
  for (int i = 0; i < level; ++i) {
    const RelaxStep& step = steps[static_cast<std::size_t>(i)];
    if (step.action == RelaxAction::kOverflow && step.team && teams_.count(*step.team) &&
        std::find(out.begin(), out.end(), *step.team) == out.end()) {
      out.push_back(*step.team);
    }
  }
  return out;
}

TicketQueue::Entry Engine::queue_entry(const Ticket& t, TeamId team) const {
  auto it = teams_.find(team);
  const Duration aging = it == teams_.end() ? Duration(0) : it->second.routing.aging_step;
  if (it != teams_.end() && it->second.routing.queue_order == QueueOrder::kTimeToBreach) {
    // The soonest running SLA clock; without one, a year after arrival (after
    // every ticket that has a clock, by age). The due time only changes while
    // the ticket is out of the queue, so the rank is stable while it waits.
    std::optional<Time> breach;
    if (t.sla) {
      for (const auto* c : t.sla->clocks()) {
        if (*c && !(*c)->met && (*c)->due && (!breach || *(*c)->due < *breach)) breach = (*c)->due;
      }
    }
    const Time at = breach.value_or(t.created_at + std::chrono::hours(24 * 365));
    return {queue_rank(t.priority, t.created_at, aging, at), t.created_at, t.id};
  }
  return {queue_rank(t.priority, t.created_at, aging), t.created_at, t.id};
}

void Engine::enqueue(LiveTicket& lt, Time now) {
  Ticket& t = lt.ticket;
  if (!t.team) return;
  if (!t.queued_at) t.queued_at = now;
  lt.queued_needs = needs_at(lt, *t.team, now).skills;
  lt.queued_in = teams_for(lt, now);
  for (TeamId team : lt.queued_in) queues_[team].push(queue_entry(t, team), t.channel, lt.queued_needs);
  // Wake the ticket when its next relaxation step comes due.
  const Duration waited = now - *t.queued_at;
  for (const RelaxStep& step : teams_.at(*t.team).routing.relaxation) {
    if (step.after > waited) {
      schedule(*t.queued_at + step.after, Timer{TimerKind::kRelax, t.id.value, *t.queued_at});
      break;
    }
  }
}

void Engine::dequeue(LiveTicket& lt) {
  for (TeamId team : lt.queued_in) {
    if (auto it = queues_.find(team); it != queues_.end()) {
      it->second.erase(queue_entry(lt.ticket, team), lt.ticket.channel, lt.queued_needs);
    }
  }
  lt.queued_in.clear();
}

void Engine::unreserve(LiveTicket& lt) {
  if (!lt.reserved_for) return;
  if (auto it = reserved_.find(*lt.reserved_for); it != reserved_.end()) it->second.erase(lt.ticket.id);
  lt.reserved_for.reset();
}

void Engine::rekey_queue(TeamId team, Time now) {
  auto q = queues_.find(team);
  if (q == queues_.end()) return;
  for (const TicketQueue::Entry& e : q->second.entries()) {
    LiveTicket& lt = live_.at(e.id);
    dequeue(lt);
    enqueue(lt, now);
  }
}

std::optional<TicketNeeds> Engine::current_needs(TicketId id, TeamId team, Time now) const {
  auto it = live_.find(id);
  if (it == live_.end()) return std::nullopt;
  return needs_at(it->second, team, now);
}

std::vector<TeamId> Engine::routable_teams(TicketId id, Time now) const {
  auto it = live_.find(id);
  if (it == live_.end()) return {};
  return teams_for(it->second, now);
}

std::vector<TicketId> Engine::queued(TeamId team) const {
  std::vector<TicketId> out;
  auto q = queues_.find(team);
  if (q == queues_.end()) return out;
  for (const TicketQueue::Entry& e : q->second.entries()) out.push_back(e.id);
  return out;
}

bool Engine::held_for_previous_agent(TicketId id) const {
  auto it = live_.find(id);
  return it != live_.end() && it->second.reserved_for.has_value();
}

std::optional<std::size_t> Engine::queue_position(TicketId id) const {
  auto it = live_.find(id);
  if (it == live_.end() || !it->second.ticket.team || it->second.queued_in.empty()) return std::nullopt;
  const TeamId team = *it->second.ticket.team;
  auto q = queues_.find(team);
  if (q == queues_.end()) return std::nullopt;
  return q->second.position(queue_entry(it->second.ticket, team));
}

}  // namespace sb
