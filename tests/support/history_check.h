#pragma once
// The chaos test's checker (tests/chaos_test.cc): replays a store's whole
// event history in commit order and says what is wrong with it:
// - the events are one unbroken sequence 1, 2, ..., one ticket.created per ticket;
// - no ticket is ever held by two agents: an assignment only goes to a
//   ticket nobody holds (the holder's ticket.unassigned comes first);
// - no agent ever holds more than its capacity on a channel;
// - every status change starts from the status the replay has (one line of
//   history, not two owners' interleaved);
// - the replay ends where the store is (each ticket's agent and status), and
//   no ticket waits while an agent of its team is online with room for it.
#include <string>
#include <vector>

#include "core/event.h"
#include "core/ticket.h"
#include "core/agent.h"
#include "store/store.h"

namespace sb::testing {

struct HistoryStats {
  int assignments = 0;
  int unassignments = 0;
  int waiting = 0;  // open tickets without an agent at the end
};

// `stored` and `agents` are the store's final state. Empty: a sound history.
std::vector<std::string> check_history(const std::vector<Event>& events, const std::vector<Agent>& agents,
                                       const std::vector<Ticket>& stored, HistoryStats* stats = nullptr);

// Everything the checker reads, from a store.
struct StoreHistory {
  std::vector<Event> events;
  std::vector<Agent> agents;
  std::vector<Ticket> tickets;
};
Result<StoreHistory> read_history(Store& store);

}  // namespace sb::testing
