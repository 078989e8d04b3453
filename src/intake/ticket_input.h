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

  // Which channel brought it: "api", "web", "email", or a connector's name
  // (logs). A connector's tickets also carry ticket.source, which is stored
  // and keys their external ids (docs/connectors.md).
  std::string source = "api";
  // A ticket from another system's history keeps its creation time, its
  // status there and its holder (ticket.assignee): a connector's first sync,
  // `import csv --history`. Engine::import_ticket takes it: nothing is
  // announced, held or solved ones are not routed.
  std::optional<Time> original_created_at;
  std::optional<TicketStatus> original_status;
};

}  // namespace sb::intake
