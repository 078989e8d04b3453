#include "engine/engine.h"

#include <algorithm>
#include <string>

namespace sb {
namespace {

std::string describe_load(int load, int capacity, Channel c) {
  return std::to_string(load) + "/" + std::to_string(capacity) + " on " + std::string(to_string(c));
}

std::string describe_agent(const Agent* a, AgentId id) {
  const std::string ref = "agent " + std::to_string(id.value);
  return a && !a->name.empty() ? a->name + " (" + ref + ")" : ref;
}

}  // namespace

Engine::Engine(std::unique_ptr<RoutingPolicy> policy) : policy_(std::move(policy)) {}

// ---- bookkeeping ---------------------------------------------------------

void Engine::touch(const Ticket& t) {
  if (touched_ticket_set_.insert(t.id).second) touched_tickets_.push_back(t.id);
}
void Engine::touch(const Agent& a) {
  if (std::find(touched_agents_.begin(), touched_agents_.end(), a.id) == touched_agents_.end()) {
    touched_agents_.push_back(a.id);
  }
}
void Engine::touch(const Team& t) { touched_teams_.push_back(t.id); }

Changes Engine::take_changes() {
  Changes out;
  out.tickets.reserve(touched_tickets_.size());
  for (TicketId id : touched_tickets_) {
    if (auto it = live_.find(id); it != live_.end()) {
      out.tickets.push_back(it->second.ticket);
    } else if (auto r = retired_.find(id); r != retired_.end()) {
      out.tickets.push_back(std::move(r->second));
    }
  }
  for (AgentId id : touched_agents_) out.agents.push_back(agents_.at(id));
  for (TeamId id : touched_teams_) out.teams.push_back(teams_.at(id));
  touched_tickets_.clear();
  touched_ticket_set_.clear();
  retired_.clear();
  touched_agents_.clear();
  touched_teams_.clear();
  return out;
}

Engine::LiveTicket& Engine::admit(Ticket t) {
  std::vector<SkillLevel> needs = skills_.intern_all(t.required_skills);
  const TicketId id = t.id;
  auto& lt = live_[id];
  lt.ticket = std::move(t);
  lt.skills = std::move(needs);
  return lt;
}

void Engine::retire(TicketId id) {
  auto it = live_.find(id);
  if (it == live_.end()) return;
  retired_[id] = std::move(it->second.ticket);
  live_.erase(it);
}

TicketQueue::Entry Engine::queue_entry(const Ticket& t) const {
  return {t.priority, t.created_at, t.id};
}

void Engine::enqueue(LiveTicket& lt) {
  if (lt.ticket.team) queues_[*lt.ticket.team].push(queue_entry(lt.ticket), lt.ticket.channel, lt.skills);
}

void Engine::dequeue(LiveTicket& lt) {
  if (!lt.ticket.team) return;
  if (auto it = queues_.find(*lt.ticket.team); it != queues_.end()) {
    it->second.erase(queue_entry(lt.ticket), lt.ticket.channel, lt.skills);
  }
}

// ---- routing ---------------------------------------------------------------

void Engine::assign(LiveTicket& lt, AgentId agent, RoutingExplanation why, Time now) {
  Ticket& t = lt.ticket;
  t.assignee = agent;
  t.assigned_at = now;
  t.updated_at = now;
  if (t.status == TicketStatus::kNew) t.status = TicketStatus::kOpen;
  why.agent = agent;
  why.at = now;
  t.routing = std::move(why);
  pool_.add_load(agent, t.channel, now);
  assigned_[agent].insert(t.id);
  touch(t);
}

void Engine::release(LiveTicket& lt) {
  const Ticket& t = lt.ticket;
  if (!t.assignee) return;
  auto it = assigned_.find(*t.assignee);
  if (it == assigned_.end() || it->second.erase(t.id) == 0) return;
  pool_.remove_load(*t.assignee, t.channel);
}

void Engine::route(LiveTicket& lt, Time now) {
  Ticket& t = lt.ticket;
  if (t.assignee || !t.team || is_terminal(t.status)) return;
  const TicketNeeds needs{*t.team, t.channel, lt.skills};
  if (auto pick = policy_->pick(pool_, needs)) {
    const AgentState* a = pool_.find(pick->agent);
    const auto c = static_cast<std::size_t>(t.channel);
    RoutingExplanation why;
    why.policy = std::string(policy_->name());
    why.proficiency = pick->proficiency;
    why.load = a->load[c];
    why.capacity = a->capacity[c];
    why.candidates = pick->compared;
    why.summary = std::string(policy_->name()) + " chose " + describe_agent(find_agent(pick->agent), pick->agent) +
                  ": proficiency " + std::to_string(pick->proficiency) + ", load " +
                  describe_load(why.load, why.capacity, t.channel) + ", best of " +
                  std::to_string(pick->compared) + " compared";
    assign(lt, pick->agent, std::move(why), now);
    return;
  }
  enqueue(lt);
  touch(t);
}

void Engine::pull(AgentId agent_id, Time now) {
  for (;;) {
    const AgentState* a = pool_.find(agent_id);
    if (!a || a->presence != Presence::kOnline) return;
    // The best waiting ticket over the agent's teams that it has room and
    // skills for.
    std::optional<TicketQueue::Entry> best_entry;
    for (TeamId team : a->teams) {
      auto q = queues_.find(team);
      if (q == queues_.end()) continue;
      auto e = q->second.best([a](Channel c, const std::vector<SkillLevel>& needs) {
        return a->has_room(c) && a->meets(needs);
      });
      if (e && (!best_entry || *e < *best_entry)) best_entry = e;
    }
    if (!best_entry) return;
    LiveTicket* best = &live_.at(best_entry->id);
    dequeue(*best);
    const auto c = static_cast<std::size_t>(best->ticket.channel);
    int proficiency = 0;
    for (SkillLevel need : best->skills) proficiency += a->level(need.skill);
    RoutingExplanation why;
    why.policy = std::string(policy_->name());
    why.proficiency = proficiency;
    why.load = a->load[c];
    why.capacity = a->capacity[c];
    why.candidates = 1;
    why.summary = describe_agent(find_agent(agent_id), agent_id) + " had room (load " +
                  describe_load(why.load, why.capacity, best->ticket.channel) +
                  ") and took the first ticket in queue order it is skilled for";
    assign(*best, agent_id, std::move(why), now);
  }
}

void Engine::requeue_unworked(AgentId agent, Time now) {
  auto it = assigned_.find(agent);
  if (it == assigned_.end()) return;
  const std::vector<TicketId> held(it->second.begin(), it->second.end());
  for (TicketId id : held) {
    LiveTicket& lt = live_.at(id);
    const TicketStatus s = lt.ticket.status;
    if (s != TicketStatus::kNew && s != TicketStatus::kOpen) continue;
    release(lt);
    lt.ticket.assignee.reset();
    lt.ticket.assigned_at.reset();
    lt.ticket.updated_at = now;
    touch(lt.ticket);
    route(lt, now);
  }
}

void Engine::sync_pool(const Agent& a) {
  pool_.upsert(a.id, skills_.intern_all(a.skills), a.teams, a.capacity, a.presence);
}

Status Engine::check_teams(const std::vector<TeamId>& teams, const std::string& field) const {
  for (TeamId t : teams) {
    if (!teams_.count(t)) return Error::Invalid(field, "team " + std::to_string(t.value) + " does not exist");
  }
  return Status::Ok();
}

// ---- commands ----------------------------------------------------------------

Changes Engine::restore(const Snapshot& s, Time now) {
  *this = Engine(std::move(policy_));
  last_ticket_id_ = s.max_ticket_id;
  last_agent_id_ = s.max_agent_id;
  last_team_id_ = s.max_team_id;
  for (const Team& t : s.teams) teams_[t.id] = t;
  for (const Agent& a : s.agents) {
    agents_[a.id] = a;
    sync_pool(a);
  }
  for (const auto& [agent, at] : s.last_assigned) pool_.set_last_assigned(agent, at);
  for (const Ticket& t : s.open_tickets) {
    LiveTicket& lt = admit(t);
    if (lt.ticket.assignee) {
      pool_.add_load(*lt.ticket.assignee, lt.ticket.channel, lt.ticket.assigned_at.value_or(Time{}));
      assigned_[*lt.ticket.assignee].insert(lt.ticket.id);
    } else {
      enqueue(lt);
    }
  }
  for (const auto& [id, agent] : agents_) pull(id, now);
  return take_changes();
}

Result<Changes> Engine::create_team(Team draft, Time now) {
  if (auto s = validate(draft); !s) return s.error();
  for (const auto& [id, team] : teams_) {
    if (team.name == draft.name) {
      return Error::Conflict("duplicate_name", "a team named '" + draft.name + "' exists", "name");
    }
  }
  draft.id = TeamId{++last_team_id_};
  draft.created_at = now;
  touch(teams_[draft.id] = std::move(draft));
  return take_changes();
}

Result<Changes> Engine::create_agent(Agent draft, Time now) {
  if (auto s = validate(draft); !s) return s.error();
  if (auto s = check_teams(draft.teams, "teams"); !s) return s.error();
  draft.id = AgentId{++last_agent_id_};
  draft.created_at = draft.updated_at = now;
  Agent& a = agents_[draft.id] = std::move(draft);
  sync_pool(a);
  touch(a);
  pull(a.id, now);
  return take_changes();
}

Result<Changes> Engine::update_agent(AgentId id, const AgentPatch& patch, Time now) {
  auto it = agents_.find(id);
  if (it == agents_.end()) return Error::NotFound("agent " + std::to_string(id.value));
  Agent next = it->second;
  if (patch.name) next.name = *patch.name;
  if (patch.email) next.email = *patch.email;
  if (patch.skills) next.skills = *patch.skills;
  if (patch.teams) next.teams = *patch.teams;
  for (std::size_t c = 0; c < patch.capacity.size(); ++c) {
    if (patch.capacity[c]) next.capacity[c] = *patch.capacity[c];
  }
  if (patch.presence) next.presence = *patch.presence;
  if (auto s = validate(next); !s) return s.error();
  if (auto s = check_teams(next.teams, "teams"); !s) return s.error();

  const bool going_offline =
      next.presence == Presence::kOffline && it->second.presence != Presence::kOffline;
  next.updated_at = now;
  it->second = std::move(next);
  sync_pool(it->second);
  touch(it->second);
  if (going_offline) requeue_unworked(id, now);
  pull(id, now);
  return take_changes();
}

Result<Changes> Engine::create_ticket(Ticket draft, Time now) {
  if (auto s = validate(draft); !s) return s.error();
  if (draft.team && !teams_.count(*draft.team)) {
    return Error::Invalid("team", "team " + std::to_string(draft.team->value) + " does not exist");
  }
  draft.id = TicketId{++last_ticket_id_};
  draft.status = TicketStatus::kNew;
  draft.assignee.reset();
  draft.created_at = draft.updated_at = now;
  LiveTicket& lt = admit(std::move(draft));
  touch(lt.ticket);
  route(lt, now);
  return take_changes();
}

Result<Changes> Engine::update_ticket(TicketId id, const TicketPatch& patch, Time now,
                                      const Ticket* stored) {
  auto live = live_.find(id);
  const bool was_live = live != live_.end();
  if (!was_live && !stored) return Error::NotFound("ticket " + std::to_string(id.value));
  const Ticket& current = was_live ? live->second.ticket : *stored;

  // Validate everything before changing anything.
  const TicketStatus next_status = patch.status.value_or(current.status);
  if (patch.status) {
    if (auto s = check_transition(current.status, *patch.status); !s) return s.error();
  }
  if (patch.team && *patch.team && !teams_.count(**patch.team)) {
    return Error::Invalid("team", "team " + std::to_string((*patch.team)->value) + " does not exist");
  }
  if (patch.tags) {
    Ticket probe = current;
    probe.tags = *patch.tags;
    if (auto s = validate(probe); !s) return s.error();
  }
  const bool explicit_assignee = patch.assignee && patch.assignee->has_value();
  if (explicit_assignee) {
    const AgentId agent = **patch.assignee;
    const AgentState* a = pool_.find(agent);
    if (!a) return Error::Invalid("assignee_id", "agent " + std::to_string(agent.value) + " does not exist");
    const bool takes_new_load =
        !is_terminal(next_status) && (!was_live || current.assignee != agent);
    if (takes_new_load && !a->has_room(current.channel)) {
      return Error::Conflict("capacity_exceeded",
                             "agent " + std::to_string(agent.value) + " has no room on " +
                                 std::string(to_string(current.channel)),
                             "assignee_id");
    }
  }

  // Apply.
  std::optional<AgentId> freed;
  LiveTicket* lt = nullptr;
  if (was_live) {
    lt = &live->second;
    dequeue(*lt);
    if (lt->ticket.assignee) {
      freed = lt->ticket.assignee;
      release(*lt);
    }
  } else {
    lt = &admit(*stored);  // a solved/closed ticket; retired again below if it stays terminal
  }
  Ticket& t = lt->ticket;
  if (patch.priority) t.priority = *patch.priority;
  if (patch.tags) t.tags = *patch.tags;
  if (patch.team) {
    t.team = *patch.team;
    // Moving to a team the assignee is not in hands the ticket to the new team.
    if (!explicit_assignee && t.assignee && t.team) {
      const AgentState* a = pool_.find(*t.assignee);
      if (!a || !a->in_team(*t.team)) t.assignee.reset();
    }
  }
  if (patch.status && *patch.status != t.status) {
    if (*patch.status == TicketStatus::kSolved) t.solved_at = now;
    t.status = *patch.status;
  }
  if (patch.assignee) {
    if (*patch.assignee != t.assignee) t.assigned_at.reset();
    t.assignee = *patch.assignee;
  }
  t.updated_at = now;
  touch(t);

  if (is_terminal(t.status)) {
    retire(id);
  } else if (t.assignee) {
    const AgentState* a = pool_.find(*t.assignee);
    if (a && a->has_room(t.channel)) {
      if (!t.assigned_at) {
        RoutingExplanation why;
        why.policy = "manual";
        why.load = a->load[static_cast<std::size_t>(t.channel)];
        why.capacity = a->capacity[static_cast<std::size_t>(t.channel)];
        why.summary = "assigned by hand to " + describe_agent(find_agent(*t.assignee), *t.assignee);
        assign(*lt, *t.assignee, std::move(why), now);
      } else {
        pool_.add_load(*t.assignee, t.channel, *t.assigned_at);
        assigned_[*t.assignee].insert(t.id);
      }
    } else {
      // A reopened ticket whose agent is now full goes back to the queue.
      t.assignee.reset();
      t.assigned_at.reset();
      route(*lt, now);
    }
  } else {
    route(*lt, now);
  }
  if (freed) pull(*freed, now);
  return take_changes();
}

// ---- queries -------------------------------------------------------------------

const Ticket* Engine::find_live_ticket(TicketId id) const {
  auto it = live_.find(id);
  return it == live_.end() ? nullptr : &it->second.ticket;
}

const Agent* Engine::find_agent(AgentId id) const {
  auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : &it->second;
}

const Team* Engine::find_team(TeamId id) const {
  auto it = teams_.find(id);
  return it == teams_.end() ? nullptr : &it->second;
}

std::optional<TeamId> Engine::team_named(const std::string& name) const {
  for (const auto& [id, team] : teams_) {
    if (team.name == name) return id;
  }
  return std::nullopt;
}

std::optional<std::size_t> Engine::queue_position(TicketId id) const {
  auto it = live_.find(id);
  if (it == live_.end() || !it->second.ticket.team) return std::nullopt;
  auto q = queues_.find(*it->second.ticket.team);
  if (q == queues_.end()) return std::nullopt;
  return q->second.position(queue_entry(it->second.ticket));
}

std::vector<QueueStats> Engine::queues(Time now) const {
  std::map<TeamId, int> online;
  for (const auto& [aid, a] : pool_.all()) {
    if (a.presence != Presence::kOnline) continue;
    for (TeamId t : a.teams) ++online[t];
  }
  std::vector<QueueStats> out;
  for (const auto& [id, team] : teams_) {
    QueueStats s;
    s.team = id;
    s.name = team.name;
    if (auto q = queues_.find(id); q != queues_.end()) {
      s.waiting = q->second.size();
      if (auto oldest = q->second.oldest()) s.oldest_wait = now - *oldest;
    }
    if (auto o = online.find(id); o != online.end()) s.agents_online = o->second;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace sb
