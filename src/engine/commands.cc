// The commands: each validates, changes the live state, routes what that
// frees or brings, runs the batches, and returns the Changes.
#include "engine/engine.h"

#include <algorithm>
#include <string>

#include "routing/skills_best_match.h"  // the policy a restored team falls back to

namespace sb {

Changes Engine::restore(const Snapshot& s, Time now) {
  *this = Engine(options_);
  last_ticket_id_ = s.max_ticket_id;
  last_agent_id_ = s.max_agent_id;
  last_team_id_ = s.max_team_id;
  for (const Team& t : s.teams) {
    Team& team = teams_[t.id] = t;
    if (!set_team_policy(team)) {
      team.routing.policy = std::string(SkillsBestMatch::kName);  // a policy this binary lacks
      (void)set_team_policy(team);
    }
  }
  for (const Agent& a : s.agents) {
    agents_[a.id] = a;
    sync_pool(a, now);
    if (a.presence == Presence::kOffline) offline_since_[a.id] = now;
  }
  for (const auto& [agent, at] : s.last_assigned) pool_.set_last_assigned(agent, at);
  for (const auto& [email, agent] : s.last_agent_of) last_agent_of_[email] = agent;
  for (const Ticket& t : s.open_tickets) {
    LiveTicket& lt = admit(t);
    Ticket& ticket = lt.ticket;
    if (ticket.assignee) {
      pool_.add_load(*ticket.assignee, ticket.channel, ticket.assigned_at.value_or(Time{}));
      assigned_[*ticket.assignee].insert(ticket.id);
      if (ticket.offer_expires_at) {
        schedule(*ticket.offer_expires_at, Timer{TimerKind::kOfferExpiry, ticket.id.value, *ticket.offer_expires_at});
      }
    } else if (ticket.team) {
      if (!ticket.queued_at) ticket.queued_at = ticket.created_at;
      enqueue(lt, now);
      if (pool_.policy(*ticket.team).batch()) batch_dirty_.insert(*ticket.team);
    }
  }
  for (const auto& [id, lt] : live_) schedule_sla(lt.ticket);  // flags are stored: each fires once
  for (const auto& [id, agent] : agents_) {
    if (agent.presence == Presence::kOffline && assigned_.count(id)) {
      schedule(now + options_.presence_grace, Timer{TimerKind::kGrace, id.value, now});
    }
  }
  for (const auto& [id, agent] : agents_) pull(id, now);
  decisions_.clear();  // restoring is not a decision; what pull() assigned is recorded below
  for (TicketId id : touched_tickets_) {
    LiveTicket& lt = live_.at(id);
    if (lt.ticket.assignee) {
      record(lt, Outcome::kAssigned, &pool_.policy(*lt.ticket.team), lt.ticket.assignee, lt.ticket.team, now,
             "assigned at start-up to " + agent_label(*lt.ticket.assignee));
    }
  }
  finish(now);
  return take_changes();
}

Result<Changes> Engine::create_team(Team draft, Time now) {
  if (auto s = check_team(draft); !s) return s.error();
  draft.id = TeamId{++last_team_id_};
  draft.created_at = now;
  Team& team = teams_[draft.id] = std::move(draft);
  (void)set_team_policy(team);
  touch(team);
  return take_changes();
}

Result<Changes> Engine::update_team(TeamId id, const TeamPatch& patch, Time now) {
  auto it = teams_.find(id);
  if (it == teams_.end()) return Error::NotFound("team " + std::to_string(id.value));
  Team next = it->second;
  if (patch.name) next.name = *patch.name;
  if (patch.routing) next.routing = *patch.routing;
  if (auto s = check_team(next); !s) return s.error();
  // Waiting tickets leave the queues under the old settings and rejoin under the new.
  std::vector<LiveTicket*> waiting;
  if (auto q = queues_.find(id); q != queues_.end()) {
    for (const TicketQueue::Entry& e : q->second.entries()) waiting.push_back(&live_.at(e.id));
  }
  for (LiveTicket* lt : waiting) dequeue(*lt);
  it->second = std::move(next);
  (void)set_team_policy(it->second);
  touch(it->second);
  for (LiveTicket* lt : waiting) {
    if (lt->ticket.team == id) {
      route(*lt, now, "team settings changed");
    } else {
      enqueue(*lt, now);
    }
  }
  for (const AgentState* a : pool_.members(id)) pull(a->id, now);
  finish(now);
  return take_changes();
}

Result<Changes> Engine::create_agent(Agent draft, Time now) {
  if (auto s = validate(draft); !s) return s.error();
  if (auto s = check_teams(draft.teams, "teams"); !s) return s.error();
  draft.id = AgentId{++last_agent_id_};
  draft.created_at = draft.updated_at = now;
  Agent& a = agents_[draft.id] = std::move(draft);
  sync_pool(a, now);
  if (a.presence == Presence::kOffline) offline_since_[a.id] = now;
  touch(a);
  pull(a.id, now);
  finish(now);
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

  const Presence before = it->second.presence;
  next.updated_at = now;
  it->second = std::move(next);
  sync_pool(it->second, now);
  touch(it->second);
  if (it->second.presence == Presence::kOffline && before != Presence::kOffline) {
    offline_since_[id] = now;
    if (options_.presence_grace <= Duration(0)) {
      requeue_unworked(id, now);
    } else {
      schedule(now + options_.presence_grace, Timer{TimerKind::kGrace, id.value, now});
    }
  } else if (it->second.presence == Presence::kOnline && before != Presence::kOnline) {
    offline_since_.erase(id);
    missed_offers_.erase(id);
  }
  pull(id, now);
  finish(now);
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
  draft.queued_at = now;
  draft.declined_by.clear();
  LiveTicket& lt = admit(std::move(draft));
  if (lt.ticket.team) load_[*lt.ticket.team].observe_arrival(now);
  start_sla(lt, now);
  touch(lt.ticket);
  emit(EventType::kTicketCreated, lt.ticket, now);
  route(lt, now, "arrived");
  finish(now);
  return take_changes();
}

Result<Changes> Engine::import_ticket(Ticket draft, Time now) {
  if (auto s = validate(draft); !s) return s.error();
  if (draft.team && !teams_.count(*draft.team)) {
    return Error::Invalid("team", "team " + std::to_string(draft.team->value) + " does not exist");
  }
  if (draft.assignee && !pool_.find(*draft.assignee)) {
    return Error::Invalid("assignee_id", "agent " + std::to_string(draft.assignee->value) + " does not exist");
  }
  if (draft.created_at == Time{} || draft.created_at > now) draft.created_at = now;
  draft.id = TicketId{++last_ticket_id_};
  draft.updated_at = std::clamp(draft.updated_at, draft.created_at, now);
  draft.declined_by.clear();
  draft.queued_at.reset();
  draft.offer_expires_at.reset();
  draft.accepted_at.reset();
  if (is_terminal(draft.status)) {
    // History only: never live, no clock, nobody told.
    if (!draft.solved_at) draft.solved_at = draft.updated_at;
    if (draft.assignee && !draft.assigned_at) draft.assigned_at = draft.created_at;
    touch(draft);
    retired_[draft.id] = std::move(draft);
    return take_changes();
  }
  const std::optional<AgentId> holder = draft.assignee;
  draft.assignee.reset();
  draft.assigned_at.reset();
  if (!holder) draft.status = TicketStatus::kNew;
  LiveTicket& lt = admit(std::move(draft));
  touch(lt.ticket);
  if (holder) {
    // Work the agent already holds there counts against their capacity, even
    // past it; it is not routed.
    const TeamId team = lt.ticket.team.value_or(TeamId{});
    assign(lt, *holder, 0, pool_.policy(team), team, Outcome::kManual, now, 0,
           "held there before it came here");
    lt.ticket.accepted_at = now;
  } else {
    lt.ticket.queued_at = now;
    if (lt.ticket.team) load_[*lt.ticket.team].observe_arrival(now);
    start_sla(lt, now);
    route(lt, now, "arrived");
  }
  if (lt.ticket.source.empty()) {
    // History from a file: nobody is told (a connector's ticket keeps its
    // events: they carry routing's choice back to its help desk).
    const TicketId id = lt.ticket.id;
    std::erase_if(events_, [id](const Event& e) { return e.ticket == id; });
  }
  finish(now);
  return take_changes();
}

Result<Changes> Engine::update_ticket(TicketId id, const TicketPatch& patch, Time now, const Ticket* stored) {
  auto live = live_.find(id);
  const bool was_live = live != live_.end();
  if (!was_live && !stored) return Error::NotFound("ticket " + std::to_string(id.value));
  const Ticket& current = was_live ? live->second.ticket : *stored;

  // Validate everything before changing anything.
  if (patch.if_version && *patch.if_version != current.version) {
    return Error::PreconditionFailed("ticket " + std::to_string(id.value) + " has changed (version " +
                                     std::to_string(current.version) + ", not " + std::to_string(*patch.if_version) +
                                     "); read it again");
  }
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
    const bool takes_new_load = !is_terminal(next_status) && (!was_live || current.assignee != agent);
    if (takes_new_load && !a->has_room(current.channel)) {
      return Error::Conflict("capacity_exceeded",
                             "agent " + std::to_string(agent.value) + " has no room on " +
                                 std::string(to_string(current.channel)),
                             "assignee_id");
    }
  }

  // Apply. (`current` may alias the live ticket, so keep what we compare against.)
  const TicketStatus status_before = current.status;
  std::optional<AgentId> freed;
  LiveTicket* lt = nullptr;
  if (was_live) {
    lt = &live->second;
    dequeue(*lt);
    unreserve(*lt);
    if (lt->ticket.assignee) {
      freed = lt->ticket.assignee;
      release(*lt, now);
    }
  } else {
    lt = &admit(*stored);  // a solved/closed ticket; retired again below if it stays terminal
  }
  Ticket& t = lt->ticket;
  const std::optional<AgentId> assignee_before = t.assignee;
  if (patch.priority) t.priority = *patch.priority;
  if (patch.tags) t.tags = *patch.tags;
  if (patch.category) t.category = *patch.category;
  for (const auto& [name, value] : patch.fields) t.fields[name] = value;
  for (const std::string& name : patch.removed_fields) t.fields.erase(name);
  if (patch.team) {
    t.team = *patch.team;
    // Moving to a team the assignee is not in hands the ticket to the new team.
    if (!explicit_assignee && t.assignee && t.team) {
      const AgentState* a = pool_.find(*t.assignee);
      if (!a || !a->in_team(*t.team)) t.assignee.reset();
    }
  }
  if (patch.status && *patch.status != t.status) {
    // solved_at marks when it left the backlog: solved, or closed straight away.
    if (*patch.status == TicketStatus::kSolved || (is_terminal(*patch.status) && !is_terminal(t.status))) {
      t.solved_at = now;
    }
    if (!is_terminal(*patch.status)) t.solved_at.reset();  // reopened
    // The agent working the ticket has taken it on.
    if (t.assignee && !t.accepted_at && *patch.status != TicketStatus::kOpen) t.accepted_at = now;
    set_status(t, *patch.status, now);
  }
  if (patch.assignee && *patch.assignee != t.assignee) {
    t.assigned_at.reset();
    t.accepted_at.reset();
    t.assignee = *patch.assignee;
  }
  if (assignee_before && t.assignee != assignee_before) emit_unassigned(t, *assignee_before, "updated", now);
  if (t.accepted_at || !t.assignee) t.offer_expires_at.reset();
  t.updated_at = now;
  sla_status_changed(*lt, status_before, now);
  touch(t);

  if (is_terminal(t.status)) {
    t.offer_expires_at.reset();
    if (was_live && t.team && t.assigned_at && !is_terminal(status_before)) {
      TeamLoad& load = load_[*t.team];
      const double seconds = std::chrono::duration<double>(now - *t.assigned_at).count();
      load.handle = load.handled == 0 ? seconds : 0.9 * load.handle + 0.1 * seconds;
      ++load.handled;
    } else if (was_live && t.team && !t.assignee && t.queued_at && !is_terminal(status_before)) {
      // Left the queue without being served: abandoned.
      load_[*t.team].observe_wait(std::chrono::duration<double>(now - *t.queued_at).count(), true);
    }
    retire(id);
  } else if (t.assignee) {
    const AgentState* a = pool_.find(*t.assignee);
    if (a && a->has_room(t.channel)) {
      if (!t.assigned_at) {
        assign(*lt, *t.assignee, proficiency(*a, needs_at(*lt, t.team.value_or(TeamId{}), now)),
               pool_.policy(t.team.value_or(TeamId{})), t.team.value_or(TeamId{}), Outcome::kManual, now, 0);
        lt->ticket.accepted_at = now;  // assigned by hand: nothing to accept
      } else {
        pool_.add_load(*t.assignee, t.channel, *t.assigned_at);
        assigned_[*t.assignee].insert(t.id);
      }
    } else {
      // A reopened ticket whose agent is now full goes back to the queue.
      t.queued_at = now;
      (void)unassign(*lt, now, "reopened");
      route(*lt, now, "reopened");
    }
  } else {
    if (!t.queued_at || freed) t.queued_at = now;
    route(*lt, now, freed ? "unassigned" : "updated");
  }
  if (freed) pull(*freed, now);
  finish(now);
  return take_changes();
}

Result<Changes> Engine::accept(TicketId id, AgentId agent, Time now) {
  auto it = live_.find(id);
  if (it == live_.end() || it->second.ticket.assignee != agent) {
    return Error::Conflict("not_offered", "ticket " + std::to_string(id.value) + " is not assigned or offered to agent " +
                                              std::to_string(agent.value));
  }
  LiveTicket& lt = it->second;
  Ticket& t = lt.ticket;
  if (t.accepted_at) return take_changes();  // accepting twice is harmless
  t.offer_expires_at.reset();
  t.accepted_at = now;
  t.updated_at = now;
  if (t.status == TicketStatus::kNew) set_status(t, TicketStatus::kOpen, now);
  missed_offers_.erase(agent);
  record(lt, Outcome::kAccepted, nullptr, agent, std::nullopt, now, agent_label(agent) + " accepted");
  emit(EventType::kTicketAssigned, t, now, {{"agent_id", std::to_string(agent.value)}, {"how", "accepted"}});
  touch(t);
  finish(now);
  return take_changes();
}

Result<Changes> Engine::add_message(TicketId id, MessageKind kind, Time now, const Ticket* stored) {
  auto live = live_.find(id);
  const Ticket* current = live != live_.end() ? &live->second.ticket : stored;
  if (!current) return Error::NotFound("ticket " + std::to_string(id.value));
  if (current->status == TicketStatus::kClosed) {
    return Error::Conflict("ticket_closed", "ticket " + std::to_string(id.value) + " is closed; open a new one",
                           "ticket");
  }
  if (kind == MessageKind::kNote) return take_changes();
  Changes out;
  if (kind == MessageKind::kCustomer && current->status != TicketStatus::kNew &&
      current->status != TicketStatus::kOpen) {
    // The customer answered (pending, on hold) or came back (solved): open again.
    TicketPatch reopen;
    reopen.status = TicketStatus::kOpen;
    auto r = update_ticket(id, reopen, now, stored);
    if (!r) return r.error();
    out = std::move(*r);
  }
  auto it = live_.find(id);
  if (it == live_.end()) return out;
  LiveTicket& lt = it->second;
  if (kind == MessageKind::kCustomer) {
    sla_customer_wrote(lt, now);
  } else {
    if (!lt.ticket.stats.first_response_at) lt.ticket.stats.first_response_at = now;
    sla_replied(lt, now);
    schedule_sla(lt.ticket);
  }
  lt.ticket.updated_at = now;
  touch(lt.ticket);
  Changes more = take_changes();
  // The latest version of each ticket comes last.
  for (Ticket& t : more.tickets) out.tickets.push_back(std::move(t));
  for (Decision& d : more.decisions) out.decisions.push_back(std::move(d));
  for (Event& e : more.events) out.events.push_back(std::move(e));
  return out;
}

Result<Changes> Engine::decline(TicketId id, AgentId agent, Time now) {
  auto it = live_.find(id);
  if (it == live_.end() || it->second.ticket.assignee != agent) {
    return Error::Conflict("not_offered", "ticket " + std::to_string(id.value) + " is not assigned or offered to agent " +
                                              std::to_string(agent.value));
  }
  if (it->second.ticket.accepted_at) {
    return Error::Conflict("already_accepted", "ticket " + std::to_string(id.value) + " was accepted; unassign it instead");
  }
  unassign_and_route(it->second, now, Outcome::kDeclined, true);
  pull(agent, now);
  finish(now);
  return take_changes();
}

std::optional<Time> Engine::next_due() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first;
}

Changes Engine::advance(Time now) {
  while (!timers_.empty() && timers_.begin()->first <= now) {
    const auto [at, timer] = *timers_.begin();
    timers_.erase(timers_.begin());
    switch (timer.kind) {
      case TimerKind::kOfferExpiry: {
        auto it = live_.find(TicketId{timer.id});
        if (it == live_.end() || it->second.ticket.offer_expires_at != timer.stamp || !it->second.ticket.assignee) break;
        const AgentId agent = *it->second.ticket.assignee;
        const auto home = it->second.ticket.team ? teams_.find(*it->second.ticket.team) : teams_.end();
        const int max_missed = home != teams_.end() ? home->second.routing.max_missed_offers : TeamRouting{}.max_missed_offers;
        unassign_and_route(it->second, at, Outcome::kOfferExpired, true);
        if (++missed_offers_[agent] >= max_missed) {
          Agent& a = agents_.at(agent);
          if (a.presence == Presence::kOnline) {
            a.presence = Presence::kAway;
            a.updated_at = at;
            pool_.set_presence(agent, Presence::kAway, at);
            touch(a);
          }
          missed_offers_.erase(agent);
        } else {
          pull(agent, at);
        }
        break;
      }
      case TimerKind::kRelax: {
        auto it = live_.find(TicketId{timer.id});
        if (it == live_.end()) break;
        LiveTicket& lt = it->second;
        if (lt.ticket.assignee || lt.reserved_for || lt.ticket.queued_at != timer.stamp) break;
        record(lt, Outcome::kRelaxed, nullptr, std::nullopt, std::nullopt, at,
               "waited long enough for relaxation step " + std::to_string(relax_level(lt, at)));
        route(lt, at, "relaxed");
        break;
      }
      case TimerKind::kStickyWait: {
        auto it = live_.find(TicketId{timer.id});
        if (it == live_.end()) break;
        LiveTicket& lt = it->second;
        if (!lt.reserved_for || lt.ticket.queued_at != timer.stamp) break;
        lt.sticky_done = true;
        unreserve(lt);
        route(lt, at, "sticky wait over");
        break;
      }
      case TimerKind::kSla: {
        auto it = live_.find(TicketId{timer.id});
        if (it != live_.end()) fire_sla(it->second, at);
        break;
      }
      case TimerKind::kGrace: {
        const AgentId agent{timer.id};
        auto since = offline_since_.find(agent);
        if (since == offline_since_.end() || since->second != timer.stamp) break;
        requeue_unworked(agent, at);
        break;
      }
    }
    finish(at);
  }
  return take_changes();
}

}  // namespace sb
