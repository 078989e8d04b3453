// Routing: a ticket to an agent (the team's policy picks), an agent to a
// waiting ticket (the policy chooses what it takes next), batches, and the
// one way a ticket is taken off its agent.
#include "engine/engine.h"

#include <algorithm>
#include <string>

namespace sb {
namespace {

std::string describe_load(int load, int capacity, Channel c) {
  return std::to_string(load) + "/" + std::to_string(capacity) + " on " + std::string(to_string(c));
}

constexpr std::size_t kMaxBatch = 2000;  // tickets per batch solve

}  // namespace

void Engine::assign(LiveTicket& lt, AgentId agent, int proficiency, const RoutingPolicy& policy, TeamId team,
                    Outcome outcome, Time now, int compared, const std::string& note, bool account) {
  Ticket& t = lt.ticket;
  const AgentState* a = pool_.find(agent);
  const auto c = static_cast<std::size_t>(t.channel);
  // A ticket may have no team (assigned by hand): then default settings apply.
  static const TeamRouting kDefaultRouting;
  const auto home = teams_.find(t.team.value_or(team));
  const TeamRouting& routing = home != teams_.end() ? home->second.routing : kDefaultRouting;
  const bool manual = outcome == Outcome::kManual;
  const bool offer = !manual && routing.offer_mode[c] == OfferMode::kOffer;
  if (offer) outcome = Outcome::kOffered;

  RoutingExplanation why;
  why.policy = manual ? "manual" : account ? "account_owner" : std::string(policy.name());
  why.agent = agent;
  why.proficiency = proficiency;
  why.load = a->load[c];
  why.capacity = a->capacity[c];
  why.candidates = compared;
  why.at = now;
  why.summary = manual    ? "assigned by hand to " + agent_label(agent)
                : account ? std::string(offer ? "offered to " : "went to ") + "the organisation's account owner " +
                                agent_label(agent) + ": online with room, load " +
                                describe_load(why.load, why.capacity, t.channel)
                          : std::string(policy.name()) + (offer ? " offered it to " : " chose ") + agent_label(agent) +
                                ": proficiency " + std::to_string(proficiency) + ", load " +
                                describe_load(why.load, why.capacity, t.channel) +
                                (t.team && team != *t.team ? ", by overflow to team " + std::to_string(team.value) : "");
  if (!note.empty()) why.summary += "; " + note;
  record(lt, outcome, manual ? nullptr : &policy, agent, team, now, why.summary);
  // The team's policy still explains the candidates; the choice was the account's.
  if (account && options_.record_decisions && !decisions_.empty()) decisions_.back().policy = "account_owner";

  // Moving work from one agent to another; a lapsed or declined offer was not work handed over.
  if (t.routing && t.routing->agent != agent &&
      std::find(t.declined_by.begin(), t.declined_by.end(), t.routing->agent) == t.declined_by.end()) {
    ++t.stats.reassignments;
  }
  dequeue(lt);
  unreserve(lt);
  if (t.queued_at && t.team) {
    load_[*t.team].observe_wait(std::chrono::duration<double>(now - *t.queued_at).count(), false);
  }
  t.assignee = agent;
  t.assigned_at = now;
  t.updated_at = now;
  t.queued_at.reset();
  t.accepted_at.reset();
  t.routing = std::move(why);
  if (offer) {
    t.offer_expires_at = now + routing.offer_timeout;
    schedule(*t.offer_expires_at, Timer{TimerKind::kOfferExpiry, t.id.value, *t.offer_expires_at});
  } else {
    t.offer_expires_at.reset();
  }
  emit(EventType::kTicketAssigned, t, now,
       {{"agent_id", std::to_string(agent.value)}, {"how", manual ? "manual" : offer ? "offered" : "routed"}});
  if (!offer && t.status == TicketStatus::kNew) set_status(t, TicketStatus::kOpen, now);
  pool_.add_load(agent, t.channel, now);
  assigned_[agent].insert(t.id);
  if (!t.requester.email.empty()) last_agent_of_[t.requester.email] = agent;
  touch(t);
}

void Engine::release(LiveTicket& lt, Time now) {
  const Ticket& t = lt.ticket;
  if (!t.assignee) return;
  auto it = assigned_.find(*t.assignee);
  if (it == assigned_.end() || it->second.erase(t.id) == 0) return;
  pool_.remove_load(*t.assignee, t.channel, now);
}

bool Engine::route_to_account_owner(LiveTicket& lt, TeamId home, const RoutingPolicy& policy, Time now,
                                    std::string& why_not) {
  const Ticket& t = lt.ticket;
  const AgentId owner = *t.account_owner;
  const AgentState* a = pool_.find(owner);
  const TicketNeeds needs = needs_at(lt, home, now);
  const std::string who = "account owner " + agent_label(owner);
  if (!a) why_not = who + " is not an agent here";
  else if (needs.excludes(owner)) why_not = who + " declined it";
  else if (a->presence != Presence::kOnline) why_not = who + " is " + std::string(to_string(a->presence));
  else if (!a->has_room(t.channel)) why_not = who + " has no room on " + std::string(to_string(t.channel));
  else if (!a->meets(needs.skills)) why_not = who + " lacks the skills it needs";
  if (!why_not.empty()) {
    why_not += ", so the team's policy chose";
    return false;
  }
  assign(lt, owner, proficiency(*a, needs), policy, home, Outcome::kAssigned, now, 1, {}, true);
  return true;
}

void Engine::route(LiveTicket& lt, Time now, const char* why) {
  Ticket& t = lt.ticket;
  if (t.assignee || !t.team || is_terminal(t.status)) return;
  dequeue(lt);
  unreserve(lt);
  if (!t.queued_at) t.queued_at = now;
  const TeamId home = *t.team;
  const RoutingPolicy& home_policy = pool_.policy(home);
  const Duration waited = now - *t.queued_at;

  std::string account_note;
  if (t.account_owner && route_to_account_owner(lt, home, home_policy, now, account_note)) return;

  if (!home_policy.batch()) {
    // Sticky: the ticket may wait for the requester's previous agent while
    // the policy allows, if that agent is still in the team.
    const TicketNeeds home_needs = needs_at(lt, home, now);
    const AgentState* prev = home_needs.preferred ? pool_.find(*home_needs.preferred) : nullptr;
    const bool may_hold = prev && prev->in_team(home) && !home_needs.excludes(prev->id) &&
                          waited < home_policy.preferred_wait();
    for (TeamId team : teams_for(lt, now)) {
      const TicketNeeds needs = needs_at(lt, team, now);
      const RoutingPolicy& policy = pool_.policy(team);
      auto pick = policy.pick(pool_, needs);
      if (!pick) continue;
      if (may_hold && pick->agent != prev->id) break;
      assign(lt, pick->agent, pick->proficiency, policy, team, Outcome::kAssigned, now, pick->compared, account_note);
      return;
    }
    if (may_hold) {
      {
        lt.reserved_for = prev->id;
        reserved_[prev->id].insert(t.id);
        schedule(*t.queued_at + home_policy.preferred_wait(), Timer{TimerKind::kStickyWait, t.id.value, *t.queued_at});
        record(lt, Outcome::kReserved, &home_policy, prev->id, home, now,
               "held for the requester's previous agent " + agent_label(prev->id) + " for up to " +
                   std::to_string(home_policy.preferred_wait().count() / 1000) + " s");
        touch(t);
        return;
      }
    }
  }
  enqueue(lt, now);
  for (TeamId team : lt.queued_in) {
    if (pool_.policy(team).batch()) batch_dirty_.insert(team);
  }
  record(lt, Outcome::kQueued, &home_policy, std::nullopt, home, now,
         std::string(why) + ": " + (home_policy.batch() ? "waiting for the next batch assignment"
                                                         : "no eligible agent with room; waiting in the queue") +
             (account_note.empty() ? "" : "; " + account_note));
  touch(t);
}

// The one way a ticket leaves its agent: the agent's slot is freed, the
// assignment cleared (who, when, the offer and its expiry, the acceptance)
// and ticket.unassigned says why. The caller decides where it goes next.
AgentId Engine::unassign(LiveTicket& lt, Time now, const char* reason) {
  Ticket& t = lt.ticket;
  const AgentId agent = *t.assignee;
  release(lt, now);
  t.assignee.reset();
  t.assigned_at.reset();
  t.offer_expires_at.reset();
  t.accepted_at.reset();
  emit_unassigned(t, agent, reason, now);
  touch(t);
  return agent;
}

void Engine::unassign_and_route(LiveTicket& lt, Time now, Outcome outcome, bool declined) {
  Ticket& t = lt.ticket;
  if (!t.assignee) return;
  const char* why = to_string(outcome).data();
  if (declined && std::find(t.declined_by.begin(), t.declined_by.end(), *t.assignee) == t.declined_by.end()) {
    t.declined_by.push_back(*t.assignee);
  }
  t.queued_at = now;
  t.updated_at = now;
  const AgentId agent = unassign(lt, now, why);
  record(lt, outcome, nullptr, agent, std::nullopt, now, std::string(why) + " by " + agent_label(agent));
  route(lt, now, why);
}

// An agent who came online or gained room takes waiting work until it has
// no room or nothing fits: the tickets held for it (sticky) and the best
// ticket it can serve in each of its teams' queues are the candidates, and
// the policy of its first team chooses (RoutingPolicy::take_next).
void Engine::pull(AgentId agent_id, Time now) {
  std::vector<WaitingTicket> waiting;
  for (;;) {
    const AgentState* a = pool_.find(agent_id);
    if (!a || a->presence != Presence::kOnline) return;
    waiting.clear();
    auto candidate = [&](const TicketQueue::Entry& e, TeamId team, bool held) {
      waiting.push_back({e.id, team, e.rank, e.created_at, held});
    };
    if (auto r = reserved_.find(agent_id); r != reserved_.end()) {
      for (TicketId id : r->second) {
        LiveTicket& lt = live_.at(id);
        const TicketNeeds needs = needs_at(lt, *lt.ticket.team, now);
        if (a->has_room(lt.ticket.channel) && a->meets(needs.skills) && !needs.excludes(agent_id)) {
          candidate(queue_entry(lt.ticket, *lt.ticket.team), *lt.ticket.team, true);
        }
      }
    }
    for (TeamId team : a->teams) {
      auto q = queues_.find(team);
      if (q == queues_.end() || q->second.size() == 0) continue;
      if (pool_.policy(team).batch()) {
        batch_dirty_.insert(team);
        continue;
      }
      auto e = q->second.best(
          [a](Channel c, const std::vector<SkillLevel>& needs) { return a->has_room(c) && a->meets(needs); },
          [&](const TicketQueue::Entry& x) {
            const Ticket& t = live_.at(x.id).ticket;
            return std::find(t.declined_by.begin(), t.declined_by.end(), agent_id) == t.declined_by.end();
          });
      if (e) candidate(*e, team, false);
    }
    if (waiting.empty()) return;
    const RoutingPolicy& chooser = a->teams.empty() ? *default_policy_ : pool_.policy(a->teams.front());
    const WaitingTicket& next = waiting.at(chooser.take_next(*a, waiting));
    LiveTicket& lt = live_.at(next.id);
    assign(lt, agent_id, proficiency(*a, needs_at(lt, next.team, now)), pool_.policy(next.team), next.team,
           next.held_for_agent ? Outcome::kAssigned : Outcome::kPulled, now, 1);
  }
}

void Engine::requeue_unworked(AgentId agent, Time now) {
  auto it = assigned_.find(agent);
  if (it == assigned_.end()) return;
  std::vector<LiveTicket*> unworked;
  for (TicketId id : it->second) {
    LiveTicket& lt = live_.at(id);
    const TicketStatus s = lt.ticket.status;
    if ((s == TicketStatus::kNew || s == TicketStatus::kOpen) && !lt.ticket.accepted_at) unworked.push_back(&lt);
  }
  std::sort(unworked.begin(), unworked.end(), [](const LiveTicket* x, const LiveTicket* y) {
    return std::tie(x->ticket.created_at, x->ticket.id) < std::tie(y->ticket.created_at, y->ticket.id);
  });
  for (LiveTicket* lt : unworked) unassign_and_route(*lt, now, Outcome::kRequeued, false);
}

void Engine::run_batches(Time now) {
  while (!batch_dirty_.empty()) {
    const TeamId team = *batch_dirty_.begin();
    batch_dirty_.erase(batch_dirty_.begin());
    auto q = queues_.find(team);
    if (q == queues_.end() || q->second.size() == 0) continue;
    const RoutingPolicy& policy = pool_.policy(team);
    std::size_t free_slots = 0;
    for (const AgentState* a : pool_.members(team)) {
      if (a->presence != Presence::kOnline) continue;
      for (std::size_t c = 0; c < a->capacity.size(); ++c) free_slots += static_cast<std::size_t>(std::max(a->capacity[c] - a->load[c], 0));
    }
    if (free_slots == 0) continue;

    const std::vector<TicketQueue::Entry> waiting = q->second.entries();
    std::vector<BatchTicket> batch;
    const std::size_t limit = std::min(kMaxBatch, free_slots * 4);
    for (const TicketQueue::Entry& e : waiting) {
      if (batch.size() == limit) break;
      LiveTicket& lt = live_.at(e.id);
      batch.push_back({e.id, needs_at(lt, team, now), lt.ticket.priority, now - lt.ticket.queued_at.value_or(now)});
    }
    for (const BatchAssignment& a : policy.assign_batch(pool_, batch)) {
      LiveTicket& lt = live_.at(a.ticket);
      const AgentState* agent = pool_.find(a.agent);
      if (lt.ticket.assignee || !agent->has_room(lt.ticket.channel)) continue;
      assign(lt, a.agent, a.proficiency, policy, team, Outcome::kAssigned, now, static_cast<int>(batch.size()));
    }
    // Whatever the flow left (tickets past the batch, arcs not offered),
    // greedily, so no ticket waits while an eligible agent has room.
    for (const TicketQueue::Entry& e : waiting) {
      LiveTicket& lt = live_.at(e.id);
      if (lt.ticket.assignee || std::find(lt.queued_in.begin(), lt.queued_in.end(), team) == lt.queued_in.end()) continue;
      const TicketNeeds needs = needs_at(lt, team, now);
      if (auto pick = policy.pick(pool_, needs)) {
        assign(lt, pick->agent, pick->proficiency, policy, team, Outcome::kAssigned, now, pick->compared);
        if (--free_slots == 0) break;
      }
    }
  }
}

void Engine::finish(Time now) { run_batches(now); }

void Engine::sync_pool(const Agent& a, Time now) {
  pool_.upsert(a.id, skills_.intern_all(a.skills), a.teams, a.capacity, a.presence, now);
}

}  // namespace sb
