#pragma once
// Everything the engine needs to rebuild its live state at start-up, as the
// store holds it. The store is the truth; the engine is a cache of it.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/agent.h"
#include "core/ticket.h"

namespace sb {

struct Snapshot {
  std::vector<Team> teams;
  std::vector<Agent> agents;
  std::vector<Ticket> open_tickets;          // every ticket not solved or closed
  std::map<AgentId, Time> last_assigned;     // latest assigned_at per agent, over all tickets
  std::map<std::string, AgentId> last_agent_of;  // requester e-mail -> agent of their latest assigned ticket
  std::int64_t max_ticket_id = 0;
  std::int64_t max_agent_id = 0;
  std::int64_t max_team_id = 0;
};

}  // namespace sb
