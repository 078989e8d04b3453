#include "core/customer.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <set>

#include <re2/re2.h>

#include "core/ticket.h"

namespace sb {

namespace {

bool attribute_name(std::string_view n) {
  return !n.empty() && n.size() <= 64 && std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}


// YYYY-MM-DD naming a day the calendar has.
bool calendar_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const std::chrono::year_month_day d{std::chrono::year{std::stoi(s.substr(0, 4))},
                                      std::chrono::month{static_cast<unsigned>(std::stoi(s.substr(5, 2)))},
                                      std::chrono::day{static_cast<unsigned>(std::stoi(s.substr(8, 2)))}};
  return d.ok();
}

// "de", "pt-BR", "zh-Hant-TW": 2-3 letters, then parts of 2-8 letters or digits.
bool language_tag(const std::string& s) {
  std::size_t start = 0;
  for (int part = 0; start <= s.size(); ++part) {
    const std::size_t end = std::min(s.find('-', start), s.size());
    const std::string_view p(s.data() + start, end - start);
    const bool alnum = std::all_of(p.begin(), p.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
    if (part == 0 ? (p.size() < 2 || p.size() > 3 || !std::all_of(p.begin(), p.end(), [](char c) {
                       return std::isalpha(static_cast<unsigned char>(c));
                     }))
                  : (p.size() < 2 || p.size() > 8 || !alnum)) {
      return false;
    }
    if (end == s.size()) return true;
    start = end + 1;
  }
  return false;
}

// "Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC": the IANA names' alphabet.
bool time_zone_name(const std::string& s) {
  return !s.empty() && s.size() <= 64 && s.front() != '/' && s.back() != '/' &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
         });
}

// "bigco.com": labels of letters, digits and '-', at least two of them.
bool host_name(const std::string& s) {
  if (s.empty() || s.size() > 253 || s.find('.') == std::string::npos || s.front() == '.' || s.back() == '.') return false;
  if (s.find("..") != std::string::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

// Lower-cases each of `items` (addresses, domains) and checks it is well
// formed (`ok`, else "is not `what`") and listed once; errors name `key`[i].
template <class Check>
Status normalise_unique(std::vector<std::string>& items, const std::string& key, Check ok, const std::string& what) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    items[i] = ascii_lower(items[i]);
    const std::string field = key + "[" + std::to_string(i) + "]";
    if (!ok(items[i])) return Error::Invalid(field, "'" + items[i] + "' is not " + what);
    if (!seen.insert(items[i]).second) return Error::Invalid(field, "'" + items[i] + "' is listed twice");
  }
  return Status::Ok();
}

Status check_tier_of(const std::string& tier, const std::vector<std::string>& tiers) {
  if (tier.empty() || std::find(tiers.begin(), tiers.end(), tier) != tiers.end()) return Status::Ok();
  return Error::Invalid("tier", "'tier' must be one of the tiers: " + tier_list(tiers) + " (not '" + tier + "')");
}

}  // namespace

Status check_specs(const std::vector<AttributeSpec>& specs, const std::string& field) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const AttributeSpec& s = specs[i];
    const std::string at = field + "[" + std::to_string(i) + "]";
    if (!attribute_name(s.name)) return Error::Invalid(at + ".name", "an attribute's name is 1 to 64 of a-z, 0-9 and '_'");
    if (!seen.insert(s.name).second) return Error::Invalid(at + ".name", "'" + s.name + "' is declared twice");
    if (s.type == AttributeType::kOneOf && s.values.empty()) {
      return Error::Invalid(at + ".values", "a one_of attribute lists its values");
    }
    if (s.type == AttributeType::kPattern) {
      if (s.pattern.empty()) return Error::Invalid(at + ".pattern", "a pattern field gives its pattern");
      RE2 re(s.pattern, RE2::Quiet);
      if (!re.ok()) return Error::Invalid(at + ".pattern", re.error());
    }
  }
  return Status::Ok();
}

Status check_attributes(const Attributes& attributes, const std::vector<AttributeSpec>& specs, const std::string& prefix) {
  for (const auto& entry : attributes) {
    const std::string& name = entry.first;  // not a structured binding: lambdas below capture it (clang 14)
    const AttributeValue& value = entry.second;
    const std::string field = prefix + "." + name;
    auto spec = std::find_if(specs.begin(), specs.end(), [&](const AttributeSpec& s) { return s.name == name; });
    if (spec == specs.end()) return Error::Invalid(field, "'" + name + "' is not a declared attribute");
    const std::string type(to_string(spec->type));
    auto wrong = [&] { return Error::Invalid(field, "'" + field + "' must be " + (type == "one_of" ? "one of its values" : "a " + type)); };
    switch (spec->type) {
      case AttributeType::kNumber:
        if (!std::holds_alternative<double>(value) || !std::isfinite(std::get<double>(value))) return wrong();
        break;
      case AttributeType::kBoolean:
        if (!std::holds_alternative<bool>(value)) return wrong();
        break;
      case AttributeType::kText:
        if (!std::holds_alternative<std::string>(value)) return wrong();
        if (std::get<std::string>(value).size() > 1000) return Error::Invalid(field, "'" + field + "' is longer than 1000 bytes");
        break;
      case AttributeType::kDate:
        if (!std::holds_alternative<std::string>(value) || !calendar_date(std::get<std::string>(value))) {
          return Error::Invalid(field, "'" + field + "' must be a date, YYYY-MM-DD");
        }
        break;
      case AttributeType::kPattern: {
        const auto* s = std::get_if<std::string>(&value);
        if (!s || s->size() > 1000 || !RE2::FullMatch(*s, RE2(spec->pattern, RE2::Quiet))) {
          return Error::Invalid(field, "'" + field + "' must match " + spec->pattern);
        }
        break;
      }
      case AttributeType::kOneOf: {
        const auto* s = std::get_if<std::string>(&value);
        if (!s || std::find(spec->values.begin(), spec->values.end(), *s) == spec->values.end()) {
          std::string known;
          for (const std::string& v : spec->values) known += (known.empty() ? "" : ", ") + v;
          return Error::Invalid(field, "'" + field + "' must be one of: " + known);
        }
        break;
      }
    }
  }
  return Status::Ok();
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string email_domain(std::string_view email) {
  const auto at = email.rfind('@');
  return at == std::string_view::npos ? "" : ascii_lower(email.substr(at + 1));
}

Status validate(Customer& c, const std::vector<std::string>& tiers, const std::vector<AttributeSpec>& specs) {
  if (c.name.size() > 200) return Error::Invalid("name", "'name' is longer than 200 bytes");
  if (c.name.empty() && c.emails.empty()) return Error::Missing("emails");
  auto address = [](const std::string& e) { return is_email_address(e); };
  if (auto s = normalise_unique(c.emails, "emails", address, "an e-mail address"); !s) return s;
  if (auto s = check_tier_of(c.tier, tiers); !s) return s;
  if (!c.language.empty() && !language_tag(c.language)) {
    return Error::Invalid("language", "'language' must be a language tag such as de or pt-BR");
  }
  if (!c.time_zone.empty() && !time_zone_name(c.time_zone)) {
    return Error::Invalid("time_zone", "'time_zone' must be a time zone such as Europe/Berlin");
  }
  if (c.external_id.size() > 200) return Error::Invalid("external_id", "'external_id' is longer than 200 bytes");
  return check_attributes(c.attributes, specs);
}

Status validate(Organization& o, const std::vector<std::string>& tiers, const std::vector<AttributeSpec>& specs) {
  if (o.name.empty()) return Error::Missing("name");
  if (o.name.size() > 200) return Error::Invalid("name", "'name' is longer than 200 bytes");
  if (auto s = normalise_unique(o.domains, "domains", host_name, "a domain such as bigco.com"); !s) return s;
  if (auto s = check_tier_of(o.tier, tiers); !s) return s;
  if (o.external_id.size() > 200) return Error::Invalid("external_id", "'external_id' is longer than 200 bytes");
  return check_attributes(o.attributes, specs);
}

}  // namespace sb
