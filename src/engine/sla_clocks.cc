// SLA clocks and escalation: clocks started, paused and met as the ticket
// moves, timers for warnings and breaches, and the escalation ladder.
#include "engine/engine.h"

#include <string>

namespace sb {

void Engine::set_sla_policies(std::vector<sla::SlaPolicy> policies) {
  options_.sla_policies = std::move(policies);
  for (const auto& [id, lt] : live_) schedule_sla(lt.ticket);
}

const sla::SlaPolicy* Engine::sla_policy_of(const Ticket& t) const {
  if (!t.sla) return nullptr;
  for (const sla::SlaPolicy& p : options_.sla_policies) {
    if (p.name == t.sla->policy) return &p;
  }
  return nullptr;
}

std::array<std::optional<Duration>, 3> Engine::sla_remaining(TicketId id, Time now) const {
  auto it = live_.find(id);
  if (it == live_.end()) return {};
  const Ticket& t = it->second.ticket;
  const sla::SlaPolicy* policy = sla_policy_of(t);
  if (!policy) return {};
  auto left = [&](const std::optional<SlaClockState>& c) -> std::optional<Duration> {
    if (!c || c->met) return std::nullopt;
    return sla::remaining(*c, policy->calendar, now);
  };
  return {left(t.sla->first_response), left(t.sla->next_reply), left(t.sla->resolution)};
}

void Engine::start_sla(LiveTicket& lt, Time now) {
  Ticket& t = lt.ticket;
  const sla::SlaPolicy* policy = sla::match_policy(options_.sla_policies, t);
  if (!policy) return;
  SlaState state;
  state.policy = policy->name;
  auto clock = [&](const std::optional<Duration>& target) -> std::optional<SlaClockState> {
    if (!target) return std::nullopt;
    SlaClockState c;
    c.target = *target;
    if (sla::clock_runs(t.status)) sla::resume(c, policy->calendar, now);
    return c;
  };
  state.first_response = clock(policy->targets.first_response);
  state.resolution = clock(policy->targets.resolution);
  t.sla = std::move(state);
  schedule_sla(t);
}

void Engine::schedule_sla(const Ticket& t) {
  const sla::SlaPolicy* policy = sla_policy_of(t);
  if (!policy) return;
  std::optional<Time> next;
  for (const auto* c : t.sla->clocks()) {
    if (!*c || (*c)->met || !(*c)->running_since) continue;
    if (!(*c)->warned) {
      if (auto w = sla::warn_time(**c, policy->calendar, policy->warn_at); w && (!next || *w < *next)) next = w;
    }
    if (!(*c)->breached && (*c)->due && (!next || *(*c)->due < *next)) next = (*c)->due;
  }
  if (next) schedule(*next, Timer{TimerKind::kSla, t.id.value, *next});
}

void Engine::sla_first_response(LiveTicket& lt, Time now) {
  Ticket& t = lt.ticket;
  const sla::SlaPolicy* policy = sla_policy_of(t);
  if (!policy || !t.sla->first_response || t.sla->first_response->met) return;
  sla::pause(*t.sla->first_response, policy->calendar, now);
  t.sla->first_response->met = true;
}

void Engine::sla_replied(LiveTicket& lt, Time now) {
  Ticket& t = lt.ticket;
  const sla::SlaPolicy* policy = sla_policy_of(t);
  if (!policy) return;
  sla_first_response(lt, now);
  if (t.sla->next_reply && !t.sla->next_reply->met) {
    sla::pause(*t.sla->next_reply, policy->calendar, now);
    t.sla->next_reply->met = true;
  }
}

void Engine::sla_customer_wrote(LiveTicket& lt, Time now) {
  Ticket& t = lt.ticket;
  const sla::SlaPolicy* policy = sla_policy_of(t);
  if (!policy || !policy->targets.next_reply) return;
  // Owed already (first response or a reply still due): that clock covers it.
  if (t.sla->first_response && !t.sla->first_response->met) return;
  if (t.sla->next_reply && !t.sla->next_reply->met) return;
  SlaClockState c;
  c.target = *policy->targets.next_reply;
  if (sla::clock_runs(t.status)) sla::resume(c, policy->calendar, now);
  t.sla->next_reply = c;
  schedule_sla(t);
}

void Engine::sla_status_changed(LiveTicket& lt, TicketStatus before, Time now) {
  Ticket& t = lt.ticket;
  if (before == t.status || !t.sla) return;
  const sla::SlaPolicy* policy = sla_policy_of(t);
  if (!policy) {
    // Its policy was renamed or removed since: nothing is owed once it is
    // done, though the calendar to count the last stretch is gone.
    if (is_terminal(t.status)) {
      for (auto* c : t.sla->clocks()) {
        if (!*c || (*c)->met) continue;
        (*c)->met = true;
        (*c)->running_since.reset();
      }
    }
    return;
  }
  // Leaving new/open (asking the customer, holding, solving) counts as the first response.
  if (t.status != TicketStatus::kNew && t.status != TicketStatus::kOpen) sla_first_response(lt, now);
  for (auto* c : t.sla->clocks()) {
    if (!*c) continue;
    if (is_terminal(t.status)) {
      sla::pause(**c, policy->calendar, now);
      if (c != &t.sla->first_response) (*c)->met = true;  // nothing more is owed
    } else if (is_terminal(before) && c == &t.sla->resolution) {
      (*c)->met = false;  // reopened: resolution runs again
      sla::resume(**c, policy->calendar, now);
    } else if (sla::clock_runs(t.status)) {
      sla::resume(**c, policy->calendar, now);
    } else {
      sla::pause(**c, policy->calendar, now);
    }
  }
  schedule_sla(t);
}

void Engine::fire_sla(LiveTicket& lt, Time now) {
  Ticket& t = lt.ticket;
  const sla::SlaPolicy* policy = sla_policy_of(t);
  if (!policy) return;
  const char* names[] = {"first response", "next reply", "resolution"};
  const auto& kClocks = SlaState::kClockNames;
  int i = 0;
  for (auto* c : t.sla->clocks()) {
    const char* name = names[i++];
    if (!*c || (*c)->met || !(*c)->running_since) continue;
    SlaClockState& clock = **c;
    if (!clock.warned) {
      if (auto w = sla::warn_time(clock, policy->calendar, policy->warn_at); w && *w <= now) {
        clock.warned = true;
        touch(t);
        emit(EventType::kSlaWarning, t, now, {{"clock", kClocks[i - 1]}, {"policy", policy->name}});
        record(lt, Outcome::kSlaWarning, nullptr, t.assignee, std::nullopt, now,
               std::string(name) + " target of policy '" + policy->name + "' is " +
                   std::to_string(static_cast<int>(policy->warn_at * 100)) + " % used");
        escalate(lt, *policy, sla::EscalationStep::On::kWarning, now);
      }
    }
    if (!clock.breached && clock.due && *clock.due <= now) {
      clock.breached = true;
      touch(t);
      emit(EventType::kSlaBreached, t, now, {{"clock", kClocks[i - 1]}, {"policy", policy->name}});
      record(lt, Outcome::kSlaBreached, nullptr, t.assignee, std::nullopt, now,
             std::string(name) + " target of policy '" + policy->name + "' breached");
      escalate(lt, *policy, sla::EscalationStep::On::kBreach, now);
    }
  }
  schedule_sla(t);
}

void Engine::escalate(LiveTicket& lt, const sla::SlaPolicy& policy, sla::EscalationStep::On on, Time now) {
  using A = sla::EscalationStep::Action;
  const std::string on_name = on == sla::EscalationStep::On::kWarning ? "warning" : "breach";
  for (const sla::EscalationStep& step : policy.ladder) {
    if (step.on != on) continue;
    Ticket& t = lt.ticket;
    switch (step.action) {
      case A::kRaisePriority: {
        if (t.priority == Priority::kUrgent) break;
        const bool waiting = !lt.queued_in.empty();
        if (waiting) dequeue(lt);
        t.priority = static_cast<Priority>(static_cast<int>(t.priority) + 1);
        if (waiting) enqueue(lt, now);
        record(lt, Outcome::kEscalated, nullptr, t.assignee, std::nullopt, now,
               "priority raised to " + std::string(to_string(t.priority)));
        emit(EventType::kTicketEscalated, t, now,
             {{"on", on_name}, {"policy", policy.name}, {"action", "raise_priority"},
              {"priority", std::string(to_string(t.priority))}});
        break;
      }
      case A::kMoveTeam: {
        if (!step.team || !teams_.count(*step.team) || t.team == step.team) break;
        std::optional<AgentId> freed;
        dequeue(lt);
        unreserve(lt);
        if (t.assignee && !pool_.find(*t.assignee)->in_team(*step.team)) {
          t.queued_at = now;
          freed = unassign(lt, now, "escalated");
        }
        t.team = step.team;
        record(lt, Outcome::kEscalated, nullptr, t.assignee, step.team, now,
               "moved to team " + teams_.at(*step.team).name);
        emit(EventType::kTicketEscalated, t, now,
             {{"on", on_name}, {"policy", policy.name}, {"action", "move_team"},
              {"team_id", std::to_string(step.team->value)}});
        route(lt, now, "escalated");
        if (freed) pull(*freed, now);
        break;
      }
      case A::kAssign: {
        if (!step.agent || t.assignee == step.agent) break;
        const AgentState* a = pool_.find(*step.agent);
        if (!a || !a->has_room(t.channel)) {
          record(lt, Outcome::kEscalated, nullptr, step.agent, std::nullopt, now,
                 "could not reassign to " + agent_label(*step.agent) + ": no room");
          break;
        }
        std::optional<AgentId> freed;
        if (t.assignee) freed = unassign(lt, now, "escalated");
        dequeue(lt);
        unreserve(lt);
        emit(EventType::kTicketEscalated, t, now,
             {{"on", on_name}, {"policy", policy.name}, {"action", "assign"},
              {"agent_id", std::to_string(step.agent->value)}});
        assign(lt, *step.agent, 0, pool_.policy(t.team.value_or(TeamId{})), t.team.value_or(TeamId{}), Outcome::kManual, now, 0);
        if (freed) pull(*freed, now);
        break;
      }
      case A::kNotify:
        record(lt, Outcome::kNotified, nullptr, t.assignee, std::nullopt, now,
               std::string("SLA ") + (on == sla::EscalationStep::On::kWarning ? "warning" : "breach") +
                   " notification for policy '" + policy.name + "'");
        emit(EventType::kTicketEscalated, t, now, {{"on", on_name}, {"policy", policy.name}, {"action", "notify"}});
        break;
    }
    touch(lt.ticket);
  }
}

}  // namespace sb
