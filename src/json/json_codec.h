#pragma once
// JSON forms of the nested records both the store and the API write: a
// team's routing settings and a routing decision. Reading is lenient (what
// the store wrote, or a default); the API validates its input separately.
#include <nlohmann/json.hpp>

#include "core/agent.h"
#include "core/decision.h"
#include "core/ticket.h"

namespace sb {

nlohmann::json routing_to_json(const TeamRouting& r);
TeamRouting routing_from_json(const nlohmann::json& j);

nlohmann::json triage_to_json(const TriageInfo& t);
TriageInfo triage_from_json(const nlohmann::json& j);

nlohmann::json sla_to_json(const SlaState& s);
SlaState sla_from_json(const nlohmann::json& j);

nlohmann::json decision_to_json(const Decision& d);
Decision decision_from_json(const nlohmann::json& j);

// Attributes and custom fields as a JSON object (text, number, boolean).
// Reading keeps what has one of those types and leaves the rest out; the
// API checks types against the declarations (attributes_from_request).
nlohmann::json attributes_to_json(const Attributes& a);
Attributes attributes_from_json(const nlohmann::json& j);

// What a ticket carries about its requester's record and its custom fields,
// as the store keeps it (one column): customer, matched, fields, account_owner.
nlohmann::json ticket_customer_to_json(const Ticket& t);
void ticket_customer_from_json(const nlohmann::json& j, Ticket& t);

}  // namespace sb
