#pragma once
// A routing decision as it is kept for people to read: what happened to a
// ticket, under which policy, who was considered and why each agent was
// passed over or how it scored. GET /api/v1/tickets/{id}/routing lists them.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/enums.h"
#include "core/ids.h"
#include "core/time.h"

namespace sb {

// What happened to a ticket in one routing decision.
enum class Outcome {
  kAssigned,      // routed to an agent (on arrival, after waiting, at start-up)
  kOffered,       // offered to an agent, who must accept within the offer timeout
  kPulled,        // taken from the queue by an agent who came online or gained room
  kManual,        // assigned by hand (API, rule, escalation)
  kQueued,        // nobody eligible with room: waits in its team's queue
  kReserved,      // held for the requester's previous agent (sticky)
  kAccepted,      // the agent accepted the offer
  kDeclined,      // the agent declined the offer
  kOfferExpired,  // the offer timed out
  kRequeued,      // taken back from an agent who went offline
  kRelaxed,       // waited long enough for the next relaxation step
  kEscalated,     // an escalation step acted (priority, team, agent)
  kNotified,      // an escalation step notified a supervisor
  kSlaWarning,    // an SLA clock reached its warning threshold
  kSlaBreached,   // an SLA clock passed its target
};
template <>
struct EnumNames<Outcome> {
  static constexpr std::array<std::string_view, 15> names{
      "assigned", "offered",       "pulled",   "manual",  "queued",    "reserved",    "accepted",    "declined",
      "offer_expired", "requeued", "relaxed", "escalated", "notified", "sla_warning", "sla_breached"};
};
// Whether the outcome put the ticket with an agent.
inline bool gives_ticket(Outcome o) {
  return o == Outcome::kAssigned || o == Outcome::kOffered || o == Outcome::kPulled || o == Outcome::kManual;
}

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
  Outcome outcome = Outcome::kQueued;
  std::string policy;
  std::optional<AgentId> agent;
  int relaxation_level = 0;
  std::string summary;
  std::vector<CandidateNote> candidates;        // winner first, then runners-up, then some excluded
  std::map<std::string, int> excluded_counts;   // every team member passed over, by reason kind
};

}  // namespace sb
