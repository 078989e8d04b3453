#pragma once
// Loads a RuleBook from YAML. Errors name the file, line and column:
//   "rules.yaml:12:9: rule_sets[0].rules[2].when.regex: missing ) in '(down'".
//
//   rule_sets:
//     - name: intake
//       match: first            # first (default) or all
//       rules:
//         - name: outage from a VIP
//           when:
//             all:
//               - {field: requester.tier, equals: vip}
//               - {field: text, regex: "(?i)\\b(down|outage)\\b"}
//               - not: {field: tags, contains: test}
//               - {weekday: [mon, tue, wed, thu, fri]}
//               - {hours: "08:00-18:00"}      # UTC
//               - {field: prediction.confidence, gte: 0.8}
//           then: {priority: urgent, team: Network, tags: [vip], stop: true}
//
// Conditions may also name customer.*, organization.* and fields.* (see
// triage/rules.h): built-in record fields and the declared attributes and
// custom fields; any other name is an error.
//
// Actions: priority, category, team, tier, required_skills, tags, fields
// ({order_number: AB-123456}, checked against the declarations), assign_to
// (agent id), spam (true: closed as spam), auto_reply (template), stop.
#include <string>

#include "core/status.h"
#include "triage/rules.h"

namespace sb::triage {

// What a rules file may name besides the fixed fields: the configured tiers
// and the declared attributes and custom fields.
struct RuleVocabulary {
  std::vector<std::string> tiers = default_tiers();
  std::vector<AttributeSpec> customer_attributes, organization_attributes, ticket_fields;
};

Result<RuleBook> load_rules(const std::string& path, const RuleVocabulary& vocabulary = {});

}  // namespace sb::triage
