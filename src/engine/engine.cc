#include "engine/engine.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "routing/batch_optimal.h"
#include "routing/explain.h"
#include "sim/erlang.h"

namespace sb {
namespace {

std::string describe_load(int load, int capacity, Channel c) {
  return std::to_string(load) + "/" + std::to_string(capacity) + " on " + std::string(to_string(c));
}

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

constexpr std::size_t kMaxBatch = 2000;  // tickets per min-cost-flow solve
constexpr double kRateWindowSeconds = 3600;

}  // namespace

Engine::Engine(EngineOptions options)
    : options_(options), default_policy_(std::move(make_policy("skills_best_match").value())), pool_(*default_policy_) {}

// ---- bookkeeping ---------------------------------------------------------

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

void Engine::record(LiveTicket& lt, const char* outcome, const RoutingPolicy* policy, std::optional<AgentId> agent,
                    std::optional<TeamId> team, Time now, std::string summary) {
  TicketStats& stats = lt.ticket.stats;
  const std::string_view what = outcome;
  if (what == "declined") ++stats.declines;
  if (what == "offer_expired") ++stats.offer_timeouts;
  if (what == "escalated") ++stats.escalations;
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

// ---- needs, relaxation, queues ----------------------------------------------

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

// ---- routing ---------------------------------------------------------------

void Engine::assign(LiveTicket& lt, AgentId agent, int proficiency, const RoutingPolicy& policy, TeamId team,
                    const char* outcome, Time now, int compared) {
  Ticket& t = lt.ticket;
  const AgentState* a = pool_.find(agent);
  const auto c = static_cast<std::size_t>(t.channel);
  // A ticket may have no team (assigned by hand): then default settings apply.
  static const TeamRouting kDefaultRouting;
  const auto home = teams_.find(t.team.value_or(team));
  const TeamRouting& routing = home != teams_.end() ? home->second.routing : kDefaultRouting;
  const bool manual = std::string_view(outcome) == "manual";
  const bool offer = !manual && routing.offer_mode[c] == OfferMode::kOffer;
  if (offer) outcome = "offered";

  RoutingExplanation why;
  why.policy = manual ? "manual" : std::string(policy.name());
  why.agent = agent;
  why.proficiency = proficiency;
  why.load = a->load[c];
  why.capacity = a->capacity[c];
  why.candidates = compared;
  why.at = now;
  why.summary = manual ? "assigned by hand to " + agent_label(agent)
                       : std::string(policy.name()) + (offer ? " offered it to " : " chose ") + agent_label(agent) +
                             ": proficiency " + std::to_string(proficiency) + ", load " +
                             describe_load(why.load, why.capacity, t.channel) +
                             (t.team && team != *t.team ? ", by overflow to team " + std::to_string(team.value) : "");
  record(lt, outcome, manual ? nullptr : &policy, agent, team, now, why.summary);

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

void Engine::route(LiveTicket& lt, Time now, const char* why) {
  Ticket& t = lt.ticket;
  if (t.assignee || !t.team || is_terminal(t.status)) return;
  dequeue(lt);
  unreserve(lt);
  if (!t.queued_at) t.queued_at = now;
  const TeamId home = *t.team;
  const RoutingPolicy& home_policy = pool_.policy(home);
  const Duration waited = now - *t.queued_at;

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
      assign(lt, pick->agent, pick->proficiency, policy, team, "assigned", now, pick->compared);
      return;
    }
    if (may_hold) {
      {
        lt.reserved_for = prev->id;
        reserved_[prev->id].insert(t.id);
        schedule(*t.queued_at + home_policy.preferred_wait(), Timer{TimerKind::kStickyWait, t.id.value, *t.queued_at});
        record(lt, "reserved", &home_policy, prev->id, home, now,
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
  record(lt, "queued", &home_policy, std::nullopt, home, now,
         std::string(why) + ": " + (home_policy.batch() ? "waiting for the next batch assignment"
                                                         : "no eligible agent with room; waiting in the queue"));
  touch(t);
}

void Engine::unassign_and_route(LiveTicket& lt, Time now, const char* outcome, bool declined) {
  Ticket& t = lt.ticket;
  if (!t.assignee) return;
  const AgentId agent = *t.assignee;
  release(lt, now);
  if (declined && std::find(t.declined_by.begin(), t.declined_by.end(), agent) == t.declined_by.end()) {
    t.declined_by.push_back(agent);
  }
  t.assignee.reset();
  t.assigned_at.reset();
  t.offer_expires_at.reset();
  t.accepted_at.reset();
  t.queued_at = now;
  t.updated_at = now;
  emit_unassigned(t, agent, outcome, now);
  record(lt, outcome, nullptr, agent, std::nullopt, now, std::string(outcome) + " by " + agent_label(agent));
  touch(t);
  route(lt, now, outcome);
}

void Engine::pull(AgentId agent_id, Time now) {
  for (;;) {
    const AgentState* a = pool_.find(agent_id);
    if (!a || a->presence != Presence::kOnline) return;
    LiveTicket* best = nullptr;
    std::optional<TicketQueue::Entry> best_entry;
    TeamId best_team;
    auto consider = [&](LiveTicket& lt, const TicketQueue::Entry& e, TeamId team) {
      if (!best_entry || e < *best_entry) {
        best = &lt;
        best_entry = e;
        best_team = team;
      }
    };
    // Tickets held for this agent (sticky) first, then the team queues.
    if (auto r = reserved_.find(agent_id); r != reserved_.end()) {
      for (TicketId id : r->second) {
        LiveTicket& lt = live_.at(id);
        const TicketNeeds needs = needs_at(lt, *lt.ticket.team, now);
        if (a->has_room(lt.ticket.channel) && a->meets(needs.skills) && !needs.excludes(agent_id)) {
          const TicketQueue::Entry e = queue_entry(lt.ticket, *lt.ticket.team);
          if (!best_entry || e < *best_entry) {
            best = &lt;
            best_entry = e;
            best_team = *lt.ticket.team;
          }
        }
      }
    }
    if (best) {
      assign(*best, agent_id, proficiency(*a, needs_at(*best, best_team, now)), pool_.policy(best_team), best_team,
             "assigned", now, 1);
      continue;
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
      if (e) consider(live_.at(e->id), *e, team);
    }
    if (!best) return;
    const TicketNeeds needs = needs_at(*best, best_team, now);
    assign(*best, agent_id, proficiency(*a, needs), pool_.policy(best_team), best_team, "pulled", now, 1);
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
  for (LiveTicket* lt : unworked) unassign_and_route(*lt, now, "requeued", false);
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
    for (const BatchAssignment& a : assign_batch(pool_, batch)) {
      LiveTicket& lt = live_.at(a.ticket);
      const AgentState* agent = pool_.find(a.agent);
      if (lt.ticket.assignee || !agent->has_room(lt.ticket.channel)) continue;
      assign(lt, a.agent, a.proficiency, policy, team, "assigned", now, static_cast<int>(batch.size()));
    }
    // Whatever the flow left (tickets past the batch, arcs not offered),
    // greedily, so no ticket waits while an eligible agent has room.
    for (const TicketQueue::Entry& e : waiting) {
      LiveTicket& lt = live_.at(e.id);
      if (lt.ticket.assignee || std::find(lt.queued_in.begin(), lt.queued_in.end(), team) == lt.queued_in.end()) continue;
      const TicketNeeds needs = needs_at(lt, team, now);
      if (auto pick = policy.pick(pool_, needs)) {
        assign(lt, pick->agent, pick->proficiency, policy, team, "assigned", now, pick->compared);
        if (--free_slots == 0) break;
      }
    }
  }
}

void Engine::finish(Time now) { run_batches(now); }

void Engine::sync_pool(const Agent& a, Time now) {
  pool_.upsert(a.id, skills_.intern_all(a.skills), a.teams, a.capacity, a.presence, now);
}

Status Engine::check_teams(const std::vector<TeamId>& teams, const std::string& field) const {
  for (TeamId t : teams) {
    if (!teams_.count(t)) return Error::Invalid(field, "team " + std::to_string(t.value) + " does not exist");
  }
  return Status::Ok();
}

Status Engine::check_team(const Team& team) const {
  if (auto s = validate(team); !s) return s;
  for (const auto& [id, other] : teams_) {
    if (id != team.id && other.name == team.name) {
      return Error::Conflict("duplicate_name", "a team named '" + team.name + "' exists", "name");
    }
  }
  for (const RelaxStep& step : team.routing.relaxation) {
    if (step.team && !teams_.count(*step.team)) {
      return Error::Invalid("routing.relaxation", "overflow team " + std::to_string(step.team->value) + " does not exist");
    }
  }
  if (auto p = make_policy(team.routing); !p) return p.error();
  return Status::Ok();
}

Status Engine::set_team_policy(Team& team) {
  auto policy = make_policy(team.routing);
  if (!policy) return policy.error();
  pool_.set_policy(team.id, policy->get());
  policies_[team.id] = std::move(*policy);
  return Status::Ok();
}

// ---- SLA ---------------------------------------------------------------------

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
        record(lt, "sla_warning", nullptr, t.assignee, std::nullopt, now,
               std::string(name) + " target of policy '" + policy->name + "' is " +
                   std::to_string(static_cast<int>(policy->warn_at * 100)) + " % used");
        escalate(lt, *policy, sla::EscalationStep::On::kWarning, now);
      }
    }
    if (!clock.breached && clock.due && *clock.due <= now) {
      clock.breached = true;
      touch(t);
      emit(EventType::kSlaBreached, t, now, {{"clock", kClocks[i - 1]}, {"policy", policy->name}});
      record(lt, "sla_breached", nullptr, t.assignee, std::nullopt, now,
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
        record(lt, "escalated", nullptr, t.assignee, std::nullopt, now,
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
          freed = t.assignee;
          release(lt, now);
          t.assignee.reset();
          t.assigned_at.reset();
          t.offer_expires_at.reset();
          t.accepted_at.reset();
          t.queued_at = now;
          emit_unassigned(t, *freed, "escalated", now);
        }
        t.team = step.team;
        record(lt, "escalated", nullptr, t.assignee, step.team, now,
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
          record(lt, "escalated", nullptr, step.agent, std::nullopt, now,
                 "could not reassign to " + agent_label(*step.agent) + ": no room");
          break;
        }
        std::optional<AgentId> freed = t.assignee;
        if (freed) release(lt, now);
        dequeue(lt);
        unreserve(lt);
        t.assignee.reset();
        if (freed) emit_unassigned(t, *freed, "escalated", now);
        emit(EventType::kTicketEscalated, t, now,
             {{"on", on_name}, {"policy", policy.name}, {"action", "assign"},
              {"agent_id", std::to_string(step.agent->value)}});
        assign(lt, *step.agent, 0, pool_.policy(t.team.value_or(TeamId{})), t.team.value_or(TeamId{}), "manual", now, 0);
        if (freed) pull(*freed, now);
        break;
      }
      case A::kNotify:
        record(lt, "notified", nullptr, t.assignee, std::nullopt, now,
               std::string("SLA ") + (on == sla::EscalationStep::On::kWarning ? "warning" : "breach") +
                   " notification for policy '" + policy.name + "'");
        emit(EventType::kTicketEscalated, t, now, {{"on", on_name}, {"policy", policy.name}, {"action", "notify"}});
        break;
    }
    touch(lt.ticket);
  }
}

// ---- commands ----------------------------------------------------------------

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
      record(lt, "assigned", &pool_.policy(*lt.ticket.team), lt.ticket.assignee, lt.ticket.team, now,
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
  if (lt.ticket.team) {
    TeamLoad& load = load_[*lt.ticket.team];
    load.rate = load.rate_at(now) + 1.0 / kRateWindowSeconds;
    load.last_arrival = now;
  }
  start_sla(lt, now);
  touch(lt.ticket);
  emit(EventType::kTicketCreated, lt.ticket, now);
  route(lt, now, "arrived");
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
               pool_.policy(t.team.value_or(TeamId{})), t.team.value_or(TeamId{}), "manual", now, 0);
        lt->ticket.accepted_at = now;  // assigned by hand: nothing to accept
      } else {
        pool_.add_load(*t.assignee, t.channel, *t.assigned_at);
        assigned_[*t.assignee].insert(t.id);
      }
    } else {
      // A reopened ticket whose agent is now full goes back to the queue.
      emit_unassigned(t, *t.assignee, "reopened", now);
      t.assignee.reset();
      t.assigned_at.reset();
      t.accepted_at.reset();
      t.queued_at = now;
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
  record(lt, "accepted", nullptr, agent, std::nullopt, now, agent_label(agent) + " accepted");
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
  unassign_and_route(it->second, now, "declined", true);
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
        unassign_and_route(it->second, at, "offer_expired", true);
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
        record(lt, "relaxed", nullptr, std::nullopt, std::nullopt, at,
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

void Engine::TeamLoad::observe_wait(double seconds, bool abandon) {
  waited = 0.99 * waited + std::max(seconds, 0.0);
  abandoned = 0.99 * abandoned + (abandon ? 1.0 : 0.0);
}

std::optional<double> Engine::TeamLoad::patience() const {
  if (abandoned < 1e-9 || waited <= 0) return std::nullopt;
  return waited / abandoned;
}

double Engine::TeamLoad::rate_at(Time now) const {
  const double dt = std::chrono::duration<double>(now - last_arrival).count();
  return rate * std::exp(-std::max(dt, 0.0) / kRateWindowSeconds);
}

int Engine::online_in(TeamId team) const {
  int n = 0;
  for (const AgentState* a : pool_.members(team)) n += a->presence == Presence::kOnline;
  return n;
}

ExpectedWait Engine::expected_wait(TicketId id, Time now) const {
  auto it = live_.find(id);
  if (it == live_.end()) return {std::nullopt, "not_waiting"};
  const Ticket& t = it->second.ticket;
  if (t.assignee) return {0.0, "assigned"};
  if (!t.team) return {std::nullopt, "no_team"};
  const int online = online_in(*t.team);
  if (online == 0) return {std::nullopt, "no_agents_online"};
  auto load = load_.find(*t.team);
  if (load == load_.end() || load->second.handled == 0) return {std::nullopt, "no_history"};
  const std::size_t position = queue_position(id).value_or(1);
  const double service_rate = online / load->second.handle;  // N mu, all agents busy
  if (auto patience = load->second.patience()) {
    // M/M/N+M: at place j in line, the line moves on a completion (N mu) or
    // when one of the j-1 ahead gives up ((j-1) theta).
    double wait = 0;
    for (std::size_t j = 1; j <= position; ++j) wait += 1.0 / (service_rate + static_cast<double>(j - 1) / *patience);
    return {wait, "erlang_a"};
  }
  // In M/M/N the k-th in line starts when k of the N busy agents finish: k / (N mu).
  return {static_cast<double>(position) / service_rate, "erlang_c"};
}

std::vector<const Ticket*> Engine::live_tickets() const {
  std::vector<const Ticket*> out;
  out.reserve(live_.size());
  for (const auto& [id, lt] : live_) out.push_back(&lt.ticket);
  return out;
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
    s.policy = team.routing.policy;
    if (auto q = queues_.find(id); q != queues_.end()) {
      s.waiting = q->second.size();
      if (auto oldest = q->second.oldest()) s.oldest_wait = now - *oldest;
    }
    if (auto o = online.find(id); o != online.end()) s.agents_online = o->second;
    if (auto l = load_.find(id); l != load_.end()) {
      s.arrivals_per_hour = l->second.rate_at(now) * 3600;
      if (l->second.handled > 0) s.handle_seconds = l->second.handle;
      s.patience_seconds = l->second.patience();
    }
    if (s.agents_online == 0) {
      s.new_arrival = {std::nullopt, "no_agents_online"};
    } else if (!s.handle_seconds || s.arrivals_per_hour <= 0) {
      s.new_arrival = {std::nullopt, "no_history"};
    } else if (s.patience_seconds) {
      auto f = sim::erlang_a({s.arrivals_per_hour / 3600, *s.handle_seconds, s.agents_online, s.patience_seconds}, 0);
      s.new_arrival = f ? ExpectedWait{f->mean_wait, "erlang_a"} : ExpectedWait{std::nullopt, "no_history"};
    } else if (auto f = sim::erlang_c({s.arrivals_per_hour / 3600, *s.handle_seconds, s.agents_online, std::nullopt}, 0);
               f && f->stable) {
      s.new_arrival = {f->mean_wait, "erlang_c"};
    } else {
      // Overloaded: the queue grows; the line ahead still drains at N / AHT.
      s.new_arrival = {static_cast<double>(s.waiting + 1) * *s.handle_seconds / s.agents_online, "overloaded"};
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace sb
