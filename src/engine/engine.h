#pragma once
// The engine holds the live routing state (teams, agents with presence and
// load, open tickets, per-team queues) and makes every routing decision. It
// is a deterministic state machine: commands come in with the current time,
// and each returns the records it changed so the caller can make them
// durable. It does no I/O, never reads a clock and is not thread-safe; the
// caller serialises access.
//
// Every command either fails with an Error and changes nothing, or succeeds
// and returns Changes: the final state of each ticket, agent and team it
// touched.
//
// Rules:
// - A ticket with a team and no assignee is routed on arrival: the policy
//   picks among agents that are online, in the team, have every required
//   skill at its minimum and room on the ticket's channel; if nobody is
//   eligible it waits in the team's queue (priority, then age).
// - An agent who comes online or gains room pulls the best waiting tickets
//   it can serve, until it has no room or nothing fits.
// - An agent going offline returns its tickets that are not yet being
//   worked (status new or open) to their queues; pending/hold stay.
// - solved/closed frees capacity. Capacity is never exceeded by routing or
//   by a manual assignment (409 capacity_exceeded).
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/agent.h"
#include "core/snapshot.h"
#include "core/status.h"
#include "core/ticket.h"
#include "routing/agent_pool.h"
#include "routing/policy.h"
#include "routing/skills.h"
#include "routing/team_queue.h"

namespace sb {

struct Changes {
  std::vector<Ticket> tickets;
  std::vector<Agent> agents;
  std::vector<Team> teams;
  bool empty() const { return tickets.empty() && agents.empty() && teams.empty(); }
};

// Fields a PATCH may change; an absent optional leaves the field alone. For
// team and assignee an inner nullopt clears the field.
struct TicketPatch {
  std::optional<TicketStatus> status;
  std::optional<Priority> priority;
  std::optional<std::optional<TeamId>> team;
  std::optional<std::optional<AgentId>> assignee;
  std::optional<std::vector<std::string>> tags;
};

struct AgentPatch {
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::optional<SkillLevels> skills;
  std::optional<std::vector<TeamId>> teams;
  std::array<std::optional<int>, enum_count<Channel>()> capacity;  // per channel, absent = keep
  std::optional<Presence> presence;
};

struct QueueStats {
  TeamId team;
  std::string name;
  std::size_t waiting = 0;
  std::optional<Duration> oldest_wait;
  int agents_online = 0;
};

class Engine {
 public:
  explicit Engine(std::unique_ptr<RoutingPolicy> policy);

  // Replaces all state with `snapshot`, then lets every online agent pull
  // waiting work. Returns what that routing changed.
  Changes restore(const Snapshot& snapshot, Time now);

  // Team names are unique (409 duplicate_name).
  Result<Changes> create_team(Team draft, Time now);
  // Teams must exist (422 on "teams").
  Result<Changes> create_agent(Agent draft, Time now);
  Result<Changes> update_agent(AgentId id, const AgentPatch& patch, Time now);
  // Assigns the id, timestamps, and routes the ticket.
  Result<Changes> create_ticket(Ticket draft, Time now);
  // `stored` is the ticket as the store has it; used when the engine does
  // not hold it live (it is solved or closed). 404 when neither has it.
  Result<Changes> update_ticket(TicketId id, const TicketPatch& patch, Time now,
                                const Ticket* stored);

  const Ticket* find_live_ticket(TicketId id) const;
  const Agent* find_agent(AgentId id) const;
  const Team* find_team(TeamId id) const;
  std::optional<TeamId> team_named(const std::string& name) const;
  const AgentState* agent_state(AgentId id) const { return pool_.find(id); }
  // 1-based place in its team's queue, nullopt when not waiting.
  std::optional<std::size_t> queue_position(TicketId id) const;
  std::vector<QueueStats> queues(Time now) const;
  const RoutingPolicy& policy() const { return *policy_; }
  // The routing view, for benchmarks and diagnostics.
  const AgentPool& pool() const { return pool_; }
  TicketNeeds needs_for(TeamId team, Channel channel, const SkillLevels& skills) {
    return {team, channel, skills_.intern_all(skills)};
  }
  std::size_t live_ticket_count() const { return live_.size(); }

 private:
  struct LiveTicket {
    Ticket ticket;
    std::vector<SkillLevel> skills;  // interned required skills
  };

  LiveTicket& admit(Ticket t);
  void retire(TicketId id);
  TicketQueue::Entry queue_entry(const Ticket& t) const;
  void enqueue(LiveTicket& lt);
  void dequeue(LiveTicket& lt);
  // Routes an unassigned ticket: assigns it or queues it.
  void route(LiveTicket& lt, Time now);
  void assign(LiveTicket& lt, AgentId agent, RoutingExplanation why, Time now);
  // Takes the ticket's load off its assignee (the assignee stays recorded).
  void release(LiveTicket& lt);
  // Lets `agent` take waiting tickets while it has room.
  void pull(AgentId agent, Time now);
  void requeue_unworked(AgentId agent, Time now);
  void sync_pool(const Agent& a);
  Status check_teams(const std::vector<TeamId>& teams, const std::string& field) const;

  void touch(const Ticket& t);
  void touch(const Agent& a);
  void touch(const Team& t);
  Changes take_changes();

  std::unique_ptr<RoutingPolicy> policy_;
  SkillTable skills_;
  AgentPool pool_;
  std::map<TeamId, Team> teams_;
  std::map<AgentId, Agent> agents_;
  std::unordered_map<TicketId, LiveTicket> live_;
  std::map<TeamId, TeamQueue> queues_;
  std::unordered_map<AgentId, std::set<TicketId>> assigned_;  // live tickets holding load
  std::int64_t last_ticket_id_ = 0;
  std::int64_t last_agent_id_ = 0;
  std::int64_t last_team_id_ = 0;

  // Records touched by the command in progress.
  std::vector<TicketId> touched_tickets_;
  std::unordered_set<TicketId> touched_ticket_set_;
  std::unordered_map<TicketId, Ticket> retired_;
  std::vector<AgentId> touched_agents_;
  std::vector<TeamId> touched_teams_;
};

}  // namespace sb
