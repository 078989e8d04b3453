#pragma once
// A routing decision as it is kept for people to read: what happened to a
// ticket, under which policy, who was considered and why each agent was
// passed over or how it scored. GET /api/v1/tickets/{id}/routing lists them.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/ids.h"
#include "core/time.h"

namespace sb {

struct CandidateNote {
  AgentId agent;
  std::string name;
  bool eligible = false;
  std::string reason;                               // why excluded ("offline", "missing skill vpn", ...)
  std::vector<std::pair<std::string, double>> score;  // the policy's score components, when eligible
};

struct Decision {
  TicketId ticket;
  Time at;
  // assigned, offered, queued, accepted, declined, offer_expired, requeued,
  // relaxed, reserved, manual
  std::string outcome;
  std::string policy;
  std::optional<AgentId> agent;
  int relaxation_level = 0;
  std::string summary;
  std::vector<CandidateNote> candidates;        // winner first, then runners-up, then some excluded
  std::map<std::string, int> excluded_counts;   // every team member passed over, by reason kind
};

}  // namespace sb
