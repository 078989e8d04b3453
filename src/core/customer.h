#pragma once
// Who is asking (docs/customers.md): customers and the organisations they
// belong to, with the typed attributes a team declares for them in config
// (`customers: {attributes: [...]}`): text, number, boolean, date, one_of.
// The records and their checks; storing, matching and the API build on them.
#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/enums.h"
#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"

namespace sb {

using CustomerId = Id<struct CustomerTag>;
using OrganizationId = Id<struct OrganizationTag>;

enum class AttributeType { kText, kNumber, kBoolean, kDate, kOneOf, kPattern };
template <>
struct EnumNames<AttributeType> {
  static constexpr std::array<std::string_view, 6> names{"text", "number", "boolean", "date", "one_of", "pattern"};
};

// A declared attribute (or ticket custom field): its name (1 to 64 of a-z,
// 0-9, '_') and type; a one_of lists its values; a pattern is text the
// whole of which matches `pattern` (RE2 syntax, e.g. "[A-Z]{2}-[0-9]{6}" for
// an order number). `label` is what forms show ("" : the name); `form`: the
// support form asks for it (ticket fields).
struct AttributeSpec {
  std::string name;
  AttributeType type = AttributeType::kText;
  std::vector<std::string> values;
  std::string pattern;
  std::string label;
  bool form = false;
};

// An attribute's value: text (also a one_of's value and a date as
// YYYY-MM-DD), a number, or a boolean.
using AttributeValue = std::variant<std::string, double, bool>;
using Attributes = std::map<std::string, AttributeValue>;

// The declarations themselves: names well-formed and unique, a one_of with
// at least one value, a pattern that compiles. Errors name `field` and the
// spec's place.
Status check_specs(const std::vector<AttributeSpec>& specs, const std::string& field);
// Every attribute declared and of its type (a date a real calendar date, a
// one_of's value among its values, a number finite, text at most 1,000
// bytes, a pattern's text matching it whole); errors name `prefix`.NAME.
Status check_attributes(const Attributes& attributes, const std::vector<AttributeSpec>& specs,
                        const std::string& prefix = "attributes");

struct Organization {
  OrganizationId id;
  std::string name;
  std::vector<std::string> domains;  // lower-case, e.g. "bigco.com"
  std::string tier;  // "" : none of its own
  std::optional<AgentId> account_owner;
  std::string external_id;
  Attributes attributes;
  Time created_at, updated_at;
};

struct Customer {
  CustomerId id;
  std::string name;
  std::vector<std::string> emails;  // lower-case; the first is the one replies go to
  std::optional<OrganizationId> organization;
  std::string tier;       // "" : the organisation's, else what the ticket says
  std::string language;   // "de", "pt-BR" ("" unknown)
  std::string time_zone;  // "Europe/Berlin" ("" unknown)
  std::string external_id;
  Attributes attributes;
  Time created_at, updated_at;
};

// `s` with ASCII letters lower-cased (addresses, domains, header values).
std::string ascii_lower(std::string_view s);
// The domain of an address, lower-cased ("" when it has none).
std::string email_domain(std::string_view email);

// Checks a record against the configured tiers and declared attributes and
// normalises it (addresses and domains lower-cased). At least one address
// or a name; every address valid and listed once; a language tag like
// "de" or "pt-BR"; a time zone like "Europe/Berlin".
Status validate(Customer& c, const std::vector<std::string>& tiers, const std::vector<AttributeSpec>& specs);
// A name; every domain a plausible host name ("bigco.com"), listed once.
Status validate(Organization& o, const std::vector<std::string>& tiers, const std::vector<AttributeSpec>& specs);

}  // namespace sb
