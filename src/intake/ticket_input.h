#pragma once
// A new ticket as a channel hands it to intake: the ticket's own fields and
// the triage inputs that are not ticket fields. Every way in (the API, the
// web form, e-mail over HTTP or IMAP, and the connectors and history imports
// to come) fills one of these and calls Intake::create.
#include <optional>
#include <string>

#include "core/ticket.h"
#include "triage/priority.h"

namespace sb::intake {

struct TicketInput {
  Ticket ticket;          // channel, subject, body, requester, tags, skills, external_id, ...
  std::string team_name;  // when the team was given by name ("" when none)
  std::optional<Priority> explicit_priority;  // the caller set the priority itself
  std::optional<triage::Level> urgency;       // low|medium|high, feeding the priority matrix
  std::optional<triage::Level> impact;
  // The caller gave the requester's tier: it stands over the customer's and
  // organisation's (docs/customers.md).
  bool tier_given = false;

  // Where the ticket came from: "api", "web", "email", or a connector's or
  // import's name. Set by every channel; not stored yet (connectors will key
  // their tickets on it with the external id).
  std::string source = "api";
  // A ticket imported from another system's history keeps its creation time
  // and status there. Room for the connectors and history imports (issue 24);
  // until the engine can take them, intake refuses a ticket that sets them
  // (422 naming the field) rather than dropping them silently.
  std::optional<Time> original_created_at;
  std::optional<TicketStatus> original_status;
};

}  // namespace sb::intake
