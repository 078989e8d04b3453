// The change log of a command: which records it touched (returned whole as
// Changes at its end), the events it emits and the decisions it records.
#include "engine/engine.h"

#include <algorithm>
#include <string>

#include "routing/explain.h"

namespace sb {

void Engine::touch(const Ticket& t) {
  if (touched_ticket_set_.insert(t.id).second) touched_tickets_.push_back(t.id);
}

void Engine::touch(const Agent& a) {
  if (std::find(touched_agents_.begin(), touched_agents_.end(), a.id) == touched_agents_.end()) {
    touched_agents_.push_back(a.id);
  }
}

void Engine::touch(const Team& t) {
  if (std::find(touched_teams_.begin(), touched_teams_.end(), t.id) == touched_teams_.end()) {
    touched_teams_.push_back(t.id);
  }
}

Changes Engine::take_changes() {
  Changes out;
  out.tickets.reserve(touched_tickets_.size());
  for (TicketId id : touched_tickets_) {
    if (auto it = live_.find(id); it != live_.end()) {
      ++it->second.ticket.version;
      out.tickets.push_back(it->second.ticket);
    } else if (auto r = retired_.find(id); r != retired_.end()) {
      ++r->second.version;
      out.tickets.push_back(std::move(r->second));
    }
  }
  for (AgentId id : touched_agents_) out.agents.push_back(agents_.at(id));
  for (TeamId id : touched_teams_) out.teams.push_back(teams_.at(id));
  out.decisions = std::move(decisions_);
  out.events = std::move(events_);
  touched_tickets_.clear();
  touched_ticket_set_.clear();
  retired_.clear();
  touched_agents_.clear();
  touched_teams_.clear();
  decisions_.clear();
  events_.clear();
  return out;
}

void Engine::emit(EventType type, const Ticket& t, Time now, std::map<std::string, std::string> details) {
  if (!options_.emit_events) return;
  Event e;
  e.type = type;
  e.ticket = t.id;
  e.at = now;
  e.details = std::move(details);
  events_.push_back(std::move(e));
}

void Engine::emit_unassigned(const Ticket& t, AgentId agent, const char* reason, Time now) {
  emit(EventType::kTicketUnassigned, t, now, {{"agent_id", std::to_string(agent.value)}, {"reason", reason}});
}

void Engine::set_status(Ticket& t, TicketStatus to, Time now) {
  if (t.status == to) return;
  const TicketStatus from = t.status;
  t.status = to;
  emit(EventType::kTicketStatusChanged, t, now, {{"from", std::string(to_string(from))}, {"to", std::string(to_string(to))}});
}

std::string Engine::agent_label(AgentId id) const {
  const Agent* a = find_agent(id);
  const std::string ref = "agent " + std::to_string(id.value);
  return a && !a->name.empty() ? a->name + " (" + ref + ")" : ref;
}

void Engine::record(LiveTicket& lt, Outcome outcome, const RoutingPolicy* policy, std::optional<AgentId> agent,
                    std::optional<TeamId> team, Time now, std::string summary) {
  TicketStats& stats = lt.ticket.stats;
  if (outcome == Outcome::kDeclined) ++stats.declines;
  if (outcome == Outcome::kOfferExpired) ++stats.offer_timeouts;
  if (outcome == Outcome::kEscalated) ++stats.escalations;
  if (!options_.record_decisions) return;
  Decision d;
  d.ticket = lt.ticket.id;
  d.at = now;
  d.outcome = outcome;
  d.policy = policy ? std::string(policy->name()) : std::string();
  d.agent = agent;
  d.relaxation_level = relax_level(lt, now);
  d.summary = std::move(summary);
  if (policy && team) {
    explain(pool_, *policy, needs_at(lt, *team, now), skills_,
            [this](AgentId id) {
              const Agent* a = find_agent(id);
              return a ? a->name : std::string();
            },
            agent, d);
  }
  decisions_.push_back(std::move(d));
}

Engine::LiveTicket& Engine::admit(Ticket t) {
  const TicketId id = t.id;
  auto& lt = live_[id];
  lt.required = skills_.intern_all(t.required_skills);
  lt.optional = skills_.intern_all(t.optional_skills);
  lt.ticket = std::move(t);
  return lt;
}

void Engine::retire(TicketId id) {
  auto it = live_.find(id);
  if (it == live_.end()) return;
  retired_[id] = std::move(it->second.ticket);
  live_.erase(it);
}

}  // namespace sb
