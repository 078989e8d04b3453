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
// Actions: priority, category, team, required_skills, tags, assign_to (agent
// id), spam (true: closed as spam), auto_reply (template), stop.
#include <string>

#include "core/status.h"
#include "triage/rules.h"

namespace sb::triage {

// `tiers`: the configured tiers an action may set.
Result<RuleBook> load_rules(const std::string& path, const std::vector<std::string>& tiers = default_tiers());

}  // namespace sb::triage
