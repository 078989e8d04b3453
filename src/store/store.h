#pragma once
// The Store is where the truth lives: every ticket, agent, team and token.
// The engine's state is a cache rebuilt from load_snapshot() at start-up.
//
// Writes come as batches, and commit() writes all the records of all the
// batches it is given in one transaction: either every record is durable
// when it returns ok, or none is written. Records are whole rows (upserts by
// id), so replaying a batch is harmless.
//
// Implementations are thread-safe: reads may run concurrently with each
// other and with one commit at a time.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/agent.h"
#include "core/decision.h"
#include "core/snapshot.h"
#include "core/status.h"
#include "core/ticket.h"

namespace sb {

// An API token. Only a hash of the secret is ever stored.
struct TokenRecord {
  std::string hash;  // hex BLAKE2b-256 of the secret
  Role role = Role::kAgent;
  std::optional<AgentId> agent;  // set for agent tokens
  Time created_at;
};

struct WriteBatch {
  std::vector<Ticket> tickets;
  std::vector<Agent> agents;
  std::vector<Team> teams;
  std::vector<TokenRecord> tokens;
  std::vector<Decision> decisions;  // appended, never replaced
  bool empty() const {
    return tickets.empty() && agents.empty() && teams.empty() && tokens.empty() && decisions.empty();
  }
};

// Tickets in id order, filtered; `after` is the last id of the previous page.
struct TicketQuery {
  std::optional<TicketStatus> status;
  std::optional<TeamId> team;
  std::optional<AgentId> assignee;
  std::int64_t after = 0;
  int limit = 50;
};

struct TicketPage {
  std::vector<Ticket> tickets;
  bool more = false;  // another page follows the last ticket
};

class Store {
 public:
  virtual ~Store() = default;

  // Writes every batch in one transaction. On error nothing is written.
  virtual Status commit(std::span<const WriteBatch* const> batches) = 0;
  Status commit(const WriteBatch& batch) {
    const WriteBatch* one[] = {&batch};
    return commit(one);
  }

  virtual Result<Snapshot> load_snapshot() = 0;
  virtual Result<std::optional<Ticket>> find_ticket(TicketId id) = 0;
  virtual Result<TicketPage> list_tickets(const TicketQuery& query) = 0;
  virtual Result<std::optional<Agent>> find_agent(AgentId id) = 0;
  virtual Result<std::vector<Agent>> list_agents() = 0;
  virtual Result<std::vector<Team>> list_teams() = 0;
  virtual Result<std::optional<TokenRecord>> find_token(const std::string& hash) = 0;
  // The routing decisions about a ticket, newest first, at most `limit`.
  virtual Result<std::vector<Decision>> list_decisions(TicketId ticket, int limit) = 0;
};

}  // namespace sb
