#pragma once
// The engine holds the live routing state (teams with their policies, agents
// with presence and load, open tickets, per-team queues, timers) and makes
// every routing decision. It is a deterministic state machine: commands come
// in with the current time, and each returns the records it changed so the
// caller can make them durable. It does no I/O, never reads a clock and is
// not thread-safe; the caller serialises access. Time-driven work (offer
// timeouts, relaxation steps, sticky waits, presence grace) happens in
// advance(now), which the server calls on a wall-clock tick and the
// simulator on a virtual one.
//
// Every command either fails with an Error and changes nothing, or succeeds
// and returns Changes: the final state of each ticket, agent and team it
// touched, and the routing decisions it made.
//
// Rules:
// - A ticket with a team and no assignee is routed on arrival by its team's
//   policy among agents that are online, in the team, have every needed
//   skill at its minimum, room on the ticket's channel and have not declined
//   it; if nobody is eligible it waits in the team's queue.
// - Needs relax with waiting time, per the team's ladder: optional skills
//   dropped, minimum levels lowered, another team's agents let in.
// - Queue order: rank (priority with aging), then age.
// - An agent who comes online or gains room pulls the best waiting tickets
//   it can serve (its sticky holds first), until it has no room or none fits.
// - Offers (per team and channel): the agent holds the slot until it accepts,
//   declines or the offer times out; then the next candidate gets it.
//   max_missed_offers timeouts in a row set the agent away.
// - An agent going offline keeps its work for the presence grace, then its
//   unaccepted new/open tickets return to the queue, oldest first.
// - batch_optimal teams assign their waiting tickets together at the end of
//   each command (min-cost flow), then greedily whatever is left.
// - solved/closed frees capacity. Capacity is never exceeded.
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/agent.h"
#include "core/decision.h"
#include "core/event.h"
#include "core/snapshot.h"
#include "core/status.h"
#include "core/ticket.h"
#include "routing/agent_pool.h"
#include "routing/policy.h"
#include "routing/skills.h"
#include "routing/team_queue.h"
#include "sla/sla_policy.h"

namespace sb {

struct Changes {
  std::vector<Ticket> tickets;
  std::vector<Agent> agents;
  std::vector<Team> teams;
  std::vector<Decision> decisions;
  std::vector<Event> events;  // in the order they happened; seq, id and data unset
  std::vector<Message> messages;  // never from the engine (it keeps no text): the service adds them
  bool empty() const {
    return tickets.empty() && agents.empty() && teams.empty() && decisions.empty() && events.empty() &&
           messages.empty();
  }
};

// Fields a PATCH may change; an absent optional leaves the field alone. For
// team and assignee an inner nullopt clears the field.
struct TicketPatch {
  std::optional<TicketStatus> status;
  std::optional<Priority> priority;
  std::optional<std::optional<TeamId>> team;
  std::optional<std::optional<AgentId>> assignee;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::string> category;
  // Custom fields set (checked against their declarations by the caller)
  // and removed; the others stay.
  Attributes fields;
  std::vector<std::string> removed_fields;
  // If-Match: refused (412) unless the ticket is still at this version.
  std::optional<std::int64_t> if_version;
};

struct AgentPatch {
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::optional<SkillLevels> skills;
  std::optional<std::vector<TeamId>> teams;
  std::array<std::optional<int>, enum_count<Channel>()> capacity;  // per channel, absent = keep
  std::optional<Presence> presence;
};

struct TeamPatch {
  std::optional<std::string> name;
  std::optional<TeamRouting> routing;
};

// How long a ticket should wait, and how that was worked out.
struct ExpectedWait {
  std::optional<double> seconds;
  // assigned (0), erlang_c (position x handle time / agents online, the M/M/N
  // wait of the k-th in line), erlang_a (the same where customers have been
  // seen to abandon: those ahead may leave too), no_agents_online,
  // no_history (no handle times seen yet), no_team
  std::string method;
};

struct QueueStats {
  TeamId team;
  std::string name;
  std::string policy;
  std::size_t waiting = 0;
  std::optional<Duration> oldest_wait;
  int agents_online = 0;
  double arrivals_per_hour = 0;             // exponentially weighted (1 h time constant)
  std::optional<double> handle_seconds;     // exponentially weighted mean, once tickets were handled
  std::optional<double> patience_seconds;   // estimated mean patience, once abandonment was seen
  ExpectedWait new_arrival;                 // Erlang C average speed of answer for the next ticket
};

struct EngineOptions {
  // How long an agent who goes offline keeps its work before unaccepted
  // tickets return to the queue (mobile connections flap). 0: at once.
  Duration presence_grace{0};
  // Keep a Decision (with candidates and reasons) for every routing outcome.
  // Off only where nobody will read them (benchmark set-up, bulk replays).
  bool record_decisions = true;
  // Emit events (webhooks, the event stream, metrics). Off in the simulator.
  bool emit_events = true;
  // SLA policies, first match wins; each carries its calendar and ladder.
  std::vector<sla::SlaPolicy> sla_policies;
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});

  // Replaces all state with `snapshot`, then lets every online agent pull
  // waiting work. Returns what that routing changed.
  Changes restore(const Snapshot& snapshot, Time now);

  // Team names are unique (409 duplicate_name); an unknown policy is 422.
  Result<Changes> create_team(Team draft, Time now);
  Result<Changes> update_team(TeamId id, const TeamPatch& patch, Time now);
  // Teams must exist (422 on "teams").
  Result<Changes> create_agent(Agent draft, Time now);
  Result<Changes> update_agent(AgentId id, const AgentPatch& patch, Time now);
  // Assigns the id, timestamps, and routes the ticket.
  Result<Changes> create_ticket(Ticket draft, Time now);
  // A ticket from another system's history (a connector's first sync, a
  // history import): it keeps its creation time, status and assignee. A
  // solved or closed one is recorded only; an open one held by an agent is
  // theirs, counted against their capacity even past it, without routing or
  // SLA clocks; one nobody holds is new work, routed like create_ticket.
  // Emits no ticket.created; without a source (a file's history) no event
  // at all.
  Result<Changes> import_ticket(Ticket draft, Time now);
  // `stored` is the ticket as the store has it; used when the engine does
  // not hold it live (it is solved or closed). 404 when neither has it.
  Result<Changes> update_ticket(TicketId id, const TicketPatch& patch, Time now, const Ticket* stored);
  // The agent takes an offered (or directly assigned, not yet accepted)
  // ticket. 409 not_offered when the ticket is not the agent's to accept.
  Result<Changes> accept(TicketId id, AgentId agent, Time now);
  // The agent refuses the ticket; it goes to the next candidate. 409 as above.
  Result<Changes> decline(TicketId id, AgentId agent, Time now);
  // A message joins the ticket's conversation (the store keeps the text; the
  // engine keeps the clocks). A customer message reopens a solved ticket and
  // returns a pending/on-hold one to open, and starts the next-reply clock;
  // an agent's public reply meets the first-response and next-reply clocks;
  // a note changes nothing. A closed ticket takes no messages (409
  // ticket_closed). `stored` as for update_ticket.
  Result<Changes> add_message(TicketId id, MessageKind kind, Time now, const Ticket* stored);
  // Replaces the SLA policies (for tickets created from now on; open tickets
  // keep their clocks and find their policy by name).
  // Also schedules the timers of open tickets' clocks (after a restore they
  // find their policy only now).
  void set_sla_policies(std::vector<sla::SlaPolicy> policies);
  const std::vector<sla::SlaPolicy>& sla_policies() const { return options_.sla_policies; }
  // Fires every timer due at or before `now`, in time order.
  Changes advance(Time now);
  // When the next timer is due, if any.
  std::optional<Time> next_due() const;

  const Ticket* find_live_ticket(TicketId id) const;
  const Agent* find_agent(AgentId id) const;
  const Team* find_team(TeamId id) const;
  std::optional<TeamId> team_named(const std::string& name) const;
  const AgentState* agent_state(AgentId id) const { return pool_.find(id); }
  // 1-based place in its team's queue, nullopt when not waiting.
  std::optional<std::size_t> queue_position(TicketId id) const;
  std::vector<QueueStats> queues(Time now) const;
  ExpectedWait expected_wait(TicketId id, Time now) const;
  // Business time left on a live ticket's SLA clocks (first response, next
  // reply, resolution), negative once breached; nullopt where there is no
  // running clock.
  std::array<std::optional<Duration>, 3> sla_remaining(TicketId id, Time now) const;
  std::size_t live_ticket_count() const { return live_.size(); }
  // The routing view, for benchmarks, tests and diagnostics.
  const AgentPool& pool() const { return pool_; }
  const RoutingPolicy& policy(TeamId team) const { return pool_.policy(team); }
  TicketNeeds needs_for(TeamId team, Channel channel, const SkillLevels& skills) {
    return {team, channel, skills_.intern_all(skills), std::nullopt, {}};
  }
  // The needs a live ticket has now (after relaxation), for `team`.
  std::optional<TicketNeeds> current_needs(TicketId id, TeamId team, Time now) const;
  // Teams a waiting ticket may be routed to now (its own, plus overflow).
  std::vector<TeamId> routable_teams(TicketId id, Time now) const;
  // Every live (not solved/closed) ticket, in no particular order.
  std::vector<const Ticket*> live_tickets() const;
  // The tickets in a team's queue, in serving order (diagnostics, tests).
  std::vector<TicketId> queued(TeamId team) const;
  // True while a sticky team holds the ticket for the requester's previous agent.
  bool held_for_previous_agent(TicketId id) const;

 private:
  struct LiveTicket {
    Ticket ticket;
    std::vector<SkillLevel> required;   // interned
    std::vector<SkillLevel> optional;   // interned
    std::vector<TeamId> queued_in;      // teams whose queue holds it
    std::vector<SkillLevel> queued_needs;
    std::optional<AgentId> reserved_for;  // sticky: held for this agent
    bool sticky_done = false;           // the sticky wait is over
  };
  enum class TimerKind { kOfferExpiry, kRelax, kStickyWait, kGrace, kSla };
  struct Timer {
    TimerKind kind;
    std::int64_t id;   // ticket or agent id
    Time stamp;        // what the target must still show for the timer to count
    auto operator<=>(const Timer&) const = default;
  };

  // change_log.cc, queues.cc: ticket bookkeeping.
  LiveTicket& admit(Ticket t);
  void retire(TicketId id);
  int relax_level(const LiveTicket& lt, Time now) const;
  TicketNeeds needs_at(const LiveTicket& lt, TeamId team, Time now) const;
  std::vector<TeamId> teams_for(const LiveTicket& lt, Time now) const;
  TicketQueue::Entry queue_entry(const Ticket& t, TeamId team) const;
  void enqueue(LiveTicket& lt, Time now);
  void dequeue(LiveTicket& lt);
  void unreserve(LiveTicket& lt);

  // routing.cc
  void route(LiveTicket& lt, Time now, const char* why);
  // `note`: said after the summary (why the account owner did not get it);
  // `account`: the ticket went to its organisation's account owner.
  void assign(LiveTicket& lt, AgentId agent, int proficiency, const RoutingPolicy& policy, TeamId team,
              Outcome outcome, Time now, int compared, const std::string& note = {}, bool account = false);
  // Account routing (docs/customers.md): the ticket's account owner when
  // online with room and the skills it needs; else "" and why not in `why_not`.
  bool route_to_account_owner(LiveTicket& lt, TeamId home, const RoutingPolicy& policy, Time now, std::string& why_not);
  // Frees the agent's slot (the ticket keeps its assignee).
  void release(LiveTicket& lt, Time now);
  // Takes the ticket off its agent (every path that does so comes here);
  // returns the agent. The ticket is left unassigned and unqueued.
  AgentId unassign(LiveTicket& lt, Time now, const char* reason);
  // unassign, record `outcome`, route again (declined: not to this agent).
  void unassign_and_route(LiveTicket& lt, Time now, Outcome outcome, bool declined);
  void pull(AgentId agent, Time now);
  void requeue_unworked(AgentId agent, Time now);
  void run_batches(Time now);
  void finish(Time now);  // end of every command: batches

  // change_log.cc: decisions and events.
  void record(LiveTicket& lt, Outcome outcome, const RoutingPolicy* policy, std::optional<AgentId> agent,
              std::optional<TeamId> team, Time now, std::string summary);
  std::string agent_label(AgentId id) const;
  void emit(EventType type, const Ticket& t, Time now, std::map<std::string, std::string> details = {});
  // Every status change goes through here (it emits ticket.status_changed).
  void set_status(Ticket& t, TicketStatus to, Time now);
  // Emits ticket.unassigned: `agent` no longer holds the ticket (every path
  // that takes an assignee off says so, so the events are a complete
  // assignment history).
  void emit_unassigned(const Ticket& t, AgentId agent, const char* reason, Time now);

  // sla_clocks.cc
  const sla::SlaPolicy* sla_policy_of(const Ticket& t) const;
  void start_sla(LiveTicket& lt, Time now);
  void schedule_sla(const Ticket& t);
  void sla_first_response(LiveTicket& lt, Time now);
  void sla_replied(LiveTicket& lt, Time now);
  void sla_customer_wrote(LiveTicket& lt, Time now);
  void sla_status_changed(LiveTicket& lt, TicketStatus before, Time now);
  void fire_sla(LiveTicket& lt, Time now);
  void escalate(LiveTicket& lt, const sla::SlaPolicy& policy, sla::EscalationStep::On on, Time now);

  void sync_pool(const Agent& a, Time now);
  Status check_teams(const std::vector<TeamId>& teams, const std::string& field) const;
  // Field checks, a unique name, overflow teams that exist, a known policy.
  Status check_team(const Team& team) const;
  Status set_team_policy(Team& team);
  void rekey_queue(TeamId team, Time now);
  void schedule(Time at, Timer t) { timers_.emplace(at, t); }

  void touch(const Ticket& t);
  void touch(const Agent& a);
  void touch(const Team& t);
  Changes take_changes();

  EngineOptions options_;
  std::unique_ptr<RoutingPolicy> default_policy_;
  std::map<TeamId, std::unique_ptr<RoutingPolicy>> policies_;
  SkillTable skills_;
  AgentPool pool_;
  std::map<TeamId, Team> teams_;
  std::map<AgentId, Agent> agents_;
  std::unordered_map<TicketId, LiveTicket> live_;
  std::map<TeamId, TeamQueue> queues_;
  std::unordered_map<AgentId, std::set<TicketId>> assigned_;  // live tickets holding load
  std::unordered_map<AgentId, std::set<TicketId>> reserved_;  // sticky holds
  std::unordered_map<std::string, AgentId> last_agent_of_;    // requester e-mail -> agent
  std::unordered_map<AgentId, int> missed_offers_;
  std::unordered_map<AgentId, Time> offline_since_;
  std::multimap<Time, Timer> timers_;
  // Live load per team, for expected waits: arrival rate (decayed sum, time
  // constant one hour) and handle time (mean weighted 1/10 to the newest).
  struct TeamLoad {
    double rate = 0;  // per second, as of last_arrival
    Time last_arrival{};
    double handle = 0;
    int handled = 0;
    // Abandonment: a ticket that leaves the queue solved or closed without
    // ever being assigned. Mean patience (exponential, with the served
    // waits as censored observations) = waiting time / abandonments, both
    // sums fading by 1 % per observation.
    double waited = 0;     // seconds waited, served and abandoned
    double abandoned = 0;
    static constexpr double kRateWindowSeconds = 3600;
    void observe_arrival(Time now);
    void observe_wait(double seconds, bool abandon);
    std::optional<double> patience() const;
    double rate_at(Time now) const;
  };
  std::map<TeamId, TeamLoad> load_;
  int online_in(TeamId team) const;
  std::set<TeamId> batch_dirty_;
  std::int64_t last_ticket_id_ = 0;
  std::int64_t last_agent_id_ = 0;
  std::int64_t last_team_id_ = 0;

  // Records touched by the command in progress.
  std::vector<TicketId> touched_tickets_;
  std::unordered_set<TicketId> touched_ticket_set_;
  std::unordered_map<TicketId, Ticket> retired_;
  std::vector<AgentId> touched_agents_;
  std::vector<TeamId> touched_teams_;
  std::vector<Decision> decisions_;
  std::vector<Event> events_;
};

}  // namespace sb
