#pragma once
// The SLA settings as one JSON document: what GET /api/v1/sla-policies
// returns, what PUT takes, what the store keeps, and what the config file's
// `sla:` section holds (in YAML). See docs/sla.md.
//
// {"calendars": {"berlin": {"time_zone": "Europe/Berlin",
//                           "hours": {"mon": "09:00-17:00", "sat": ["10:00-12:00"]},
//                           "holidays": ["2026-12-25"]}},
//  "policies": [{"name": "vip", "match": {"priority": [], "tier": ["vip"], "channel": [], "team": ["Network"]},
//                "calendar": "berlin", "first_response_minutes": 30, "resolution_minutes": 480,
//                "warn_at": 0.75,
//                "escalation": [{"on": "warning", "action": "notify"},
//                               {"on": "breach", "action": "move_team", "team": "Tier 2"},
//                               {"on": "breach", "action": "assign", "agent": 7}]}]}
//
// Parsing is strict (unknown fields, bad values: 422 naming the field, e.g.
// "policies[1].escalation[0].team"); teams are given by name or id.
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "json/json_fields.h"
#include "sla/sla_policy.h"

namespace sb::http {

// `tiers`: the configured tiers a policy may match (config `tiers:`).
Result<std::vector<sla::SlaPolicy>> parse_sla_settings(const nlohmann::json& doc, const TeamResolver& teams,
                                                       const std::vector<std::string>& tiers = default_tiers());
// The document for `policies`; teams as `team_ref` gives them (names for
// people, ids for the store), calendars by the names the policies carry.
nlohmann::json sla_settings_to_json(const std::vector<sla::SlaPolicy>& policies,
                                    const std::function<nlohmann::json(TeamId)>& team_ref);

}  // namespace sb::http
