// Triage: what triage would do with a ticket (creating nothing), and
// reloading the rules file.
#include "http/api.h"

#include "http/api_helpers.h"

namespace sb::http {

using namespace detail;

Response Api::triage_preview(Request& r) {
  const json body = parse_body(r);
  const TicketInput in = ok_or_throw(parse_ticket_create(body, resolve_team()));
  const triage::TriageOutcome out = intake_.preview(in);
  json ticket = to_json(TicketView{out.ticket, std::nullopt});
  for (const char* key : {"id", "created_at", "updated_at", "status", "assignee_id", "queue_position", "routing",
                          "queued_at", "offer_expires_at", "accepted_at", "declined_by", "assigned_at", "solved_at"}) {
    ticket.erase(key);
  }
  return ok({{"ticket", std::move(ticket)},
             {"team_name", out.team_name ? json(*out.team_name) : json(nullptr)},
             {"assign_to", out.assign_to ? json(out.assign_to->value) : json(nullptr)},
             {"spam", out.spam},
             {"created", false}});
}

Response Api::reload_rules(Request&) {
  intake::TriageGate& gate = intake_.triage();
  const int count = ok_or_throw(gate.reload_rules());
  return ok({{"rules", count}, {"file", *gate.rules_path()}});
}

}  // namespace sb::http
