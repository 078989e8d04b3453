#pragma once
// The application service: the one place where the engine and the store
// meet. Commands run the engine under a lock, queue the changed records for
// group commit, and return only once those records are durable; so a caller
// that gets a ticket back knows that the ticket and its assignment are
// committed. Reads go to the store (the truth), except live routing views
// (queue position, load, queues) which come from the engine.
//
// When a commit fails the engine may hold changes the store does not: the
// service fails the request (unavailable) and rebuilds the engine from the
// store before the next command.
//
// Thread-safe.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "engine/engine.h"
#include "service/group_commit.h"
#include "store/store.h"

namespace sb {

using Clock = std::function<Time()>;
Time system_now();

struct TicketView {
  Ticket ticket;
  std::optional<std::size_t> queue_position;  // set while waiting
  std::optional<ExpectedWait> expected_wait;  // set where the engine was asked
  std::optional<Duration> first_response_left;  // business time left on the SLA clocks
  std::optional<Duration> resolution_left;
};

struct AgentView {
  Agent agent;
  ChannelCounts load{};
  std::optional<Time> last_assigned;
};

class Service {
 public:
  Service(Store& store, EngineOptions options = {}, Clock clock = system_now);

  // Rebuilds the engine from the store and commits whatever routing that
  // unblocks (agents online with room and tickets waiting).
  Status start();

  Result<TicketView> create_ticket(Ticket draft);
  Result<TicketView> update_ticket(TicketId id, const TicketPatch& patch);
  Result<AgentView> create_agent(Agent draft);
  Result<AgentView> update_agent(AgentId id, const AgentPatch& patch);
  Result<Team> create_team(Team draft);
  Result<Team> update_team(TeamId id, const TeamPatch& patch);
  Result<std::optional<Team>> find_team(TeamId id);
  // The agent accepts or declines a ticket offered (or assigned) to it.
  Result<TicketView> accept(TicketId id, AgentId agent);
  Result<TicketView> decline(TicketId id, AgentId agent);
  // Fires the engine's due timers (offer timeouts, relaxation, sticky waits,
  // presence grace) and commits what they changed. Call it often (the server
  // does, every 100 ms); it does nothing when nothing is due.
  Status tick();
  void set_sla_policies(std::vector<sla::SlaPolicy> policies);
  std::vector<sla::SlaPolicy> sla_policies();
  Result<std::vector<Decision>> list_decisions(TicketId id, int limit);
  // Persists a token record; for agent tokens the agent must exist (422 agent_id).
  Status add_token(TokenRecord token);

  Result<std::optional<TicketView>> find_ticket(TicketId id);
  Result<TicketPage> list_tickets(const TicketQuery& query);
  Result<std::optional<AgentView>> find_agent(AgentId id);
  Result<std::vector<AgentView>> list_agents();
  Result<std::vector<Team>> list_teams();
  std::optional<TeamId> team_by_name(const std::string& name);
  std::vector<QueueStats> queues();
  Result<std::optional<TokenRecord>> find_token(const std::string& hash) { return store_.find_token(hash); }

  std::size_t commits() const { return committer_.transactions(); }

 private:
  // Runs `command` on the engine under the lock, queues its changes, and
  // waits for them to be durable. `view` reads what the caller needs from
  // the engine while the lock is still held.
  template <class Command, class View>
  auto apply(Command&& command, View&& view)
      -> Result<decltype(view(std::declval<const Changes&>()))>;
  Status rebuild_locked();
  AgentView agent_view_locked(const Agent& a) const;
  TicketView ticket_view_locked(const Ticket& t) const;

  Store& store_;
  Clock clock_;
  std::mutex engine_mu_;
  Engine engine_;
  bool needs_rebuild_ = false;
  GroupCommitter committer_;
};

}  // namespace sb
