#pragma once
// Business rules: ordered rule sets, each first-match or all-match. A rule
// has a condition (all / any / not over field tests and time windows) and
// actions that set or override ticket fields. Evaluation is pure.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ticket.h"
#include "core/time.h"

namespace re2 {
class RE2;
}

namespace sb::triage {

// What a condition can look at: the ticket as it stands when the rule runs
// (after the classifier and earlier rules), and the time.
struct Facts {
  const Ticket& ticket;
  const std::string& team_name;     // current team, by name ("" when none)
  const std::string& predicted;     // classifier label ("" when none)
  double confidence = 0;
  Time now;
  const Customer* customer = nullptr;          // the requester's record, when intake matched one
  const Organization* organization = nullptr;  // and its organisation
};

struct Condition {
  enum class Kind { kAll, kAny, kNot, kField, kWeekday, kHours };
  enum class Op { kEquals, kIn, kContains, kRegex, kGt, kGte, kLt, kLte };
  Kind kind = Kind::kAll;
  std::vector<Condition> children;         // all / any / not (one child)
  std::string field;                       // kField: see field_names()
  Op op = Op::kEquals;
  std::vector<std::string> values;         // equals (1), in (n), contains (1)
  double number = 0;                       // gt/gte/lt/lte
  std::shared_ptr<const re2::RE2> regex;   // kRegex
  std::vector<int> weekdays;               // kWeekday: 0 = Monday .. 6 = Sunday (UTC)
  int from_minute = 0, to_minute = 0;      // kHours: [from, to) minutes of the day (UTC)

  bool matches(const Facts& f) const;
};

struct Action {
  std::optional<Priority> priority;
  std::optional<std::string> category;
  std::optional<std::string> team;         // by name
  std::optional<std::string> tier;         // the requester's, one of the configured tiers
  std::optional<SkillLevels> required_skills;
  std::vector<std::string> tags;           // added
  Attributes fields;                       // custom fields set (checked against their declarations)
  std::optional<AgentId> assign_to;
  bool spam = false;                       // close as spam
  std::optional<std::string> auto_reply;   // template: {{subject}}, {{requester.name}}, {{id}}
  bool stop = false;                       // no further rules in any set
};

struct Rule {
  std::string name;
  Condition when;
  Action then;
};

struct RuleSet {
  std::string name;
  bool first_match = true;  // false: every matching rule applies, in order
  std::vector<Rule> rules;
};

struct RuleBook {
  std::vector<RuleSet> sets;
  std::string source;  // file it came from
};

// The fields conditions may name, for messages. Besides these, conditions
// name the requester's record and the ticket's custom fields:
// customer.{id, name, email, tier, language, time_zone, external_id} and
// customer.ATTRIBUTE, organization.{id, name, tier, external_id} and
// organization.ATTRIBUTE, fields.FIELD (rules_yaml checks the names against
// the declarations). A record or value the ticket lacks matches nothing.
const std::vector<std::string>& field_names();
// The built-in customer.* and organization.* fields.
const std::vector<std::string>& record_field_names();

}  // namespace sb::triage
