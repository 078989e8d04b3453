#include "triage/rules.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <variant>

namespace sb::triage {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return s;
}

// An attribute's value as text: 4000, 4000.5, true, 2024-03-01.
std::string value_text(const AttributeValue& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[32];
    if (std::floor(*d) == *d && std::fabs(*d) < 1e15) std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(*d));
    else std::snprintf(buf, sizeof buf, "%.15g", *d);
    return buf;
  }
  return std::get<std::string>(v);
}

std::optional<std::string> attribute_text(const Attributes& a, const std::string& name) {
  auto it = a.find(name);
  if (it == a.end()) return std::nullopt;
  return value_text(it->second);
}

std::optional<std::string> customer_text(const Customer* c, const std::string& name) {
  if (!c) return std::nullopt;
  if (name == "id") return std::to_string(c->id.value);
  if (name == "name") return c->name;
  if (name == "email") return c->emails.empty() ? std::string() : c->emails.front();
  if (name == "tier") return c->tier;
  if (name == "language") return c->language;
  if (name == "time_zone") return c->time_zone;
  if (name == "external_id") return c->external_id;
  return attribute_text(c->attributes, name);
}

std::optional<std::string> organization_text(const Organization* o, const std::string& name) {
  if (!o) return std::nullopt;
  if (name == "id") return std::to_string(o->id.value);
  if (name == "name") return o->name;
  if (name == "tier") return o->tier;
  if (name == "external_id") return o->external_id;
  return attribute_text(o->attributes, name);
}

// The value of a named field as text; numbers are formatted.
std::optional<std::string> field_text(const Facts& f, const std::string& field) {
  const Ticket& t = f.ticket;
  if (field.rfind("customer.", 0) == 0) return customer_text(f.customer, field.substr(9));
  if (field.rfind("organization.", 0) == 0) return organization_text(f.organization, field.substr(13));
  if (field.rfind("fields.", 0) == 0) return attribute_text(t.fields, field.substr(7));
  if (field == "subject") return t.subject;
  if (field == "body") return t.body;
  if (field == "text") return t.subject + "\n" + t.body;
  if (field == "channel") return std::string(to_string(t.channel));
  if (field == "priority") return std::string(to_string(t.priority));
  if (field == "category") return t.category;
  if (field == "team") return f.team_name;
  if (field == "requester.email") return t.requester.email;
  if (field == "requester.domain") {
    const auto at = t.requester.email.rfind('@');
    return at == std::string::npos ? std::string() : lower(t.requester.email.substr(at + 1));
  }
  if (field == "requester.name") return t.requester.name;
  if (field == "requester.tier") return t.requester.tier;
  if (field == "prediction.label") return f.predicted;
  if (field == "prediction.confidence") return std::to_string(f.confidence);
  return std::nullopt;
}

bool compare(double value, Condition::Op op, double number) {
  switch (op) {
    case Condition::Op::kGt: return value > number;
    case Condition::Op::kGte: return value >= number;
    case Condition::Op::kLt: return value < number;
    case Condition::Op::kLte: return value <= number;
    default: return false;
  }
}

}  // namespace

const std::vector<std::string>& field_names() {
  static const std::vector<std::string> names{"subject",         "body",           "text",
                                              "channel",         "priority",       "category",
                                              "team",            "tags",           "requester.email",
                                              "requester.domain", "requester.name", "requester.tier",
                                              "prediction.label", "prediction.confidence"};
  return names;
}

const std::vector<std::string>& record_field_names() {
  static const std::vector<std::string> names{
      "customer.id",        "customer.name",     "customer.email", "customer.tier",        "customer.language",
      "customer.time_zone", "customer.external_id", "organization.id", "organization.name", "organization.tier",
      "organization.external_id"};
  return names;
}

bool Condition::matches(const Facts& f) const {
  switch (kind) {
    case Kind::kAll:
      return std::all_of(children.begin(), children.end(), [&](const Condition& c) { return c.matches(f); });
    case Kind::kAny:
      return std::any_of(children.begin(), children.end(), [&](const Condition& c) { return c.matches(f); });
    case Kind::kNot:
      return !children.front().matches(f);
    case Kind::kWeekday: {
      const auto days = std::chrono::floor<std::chrono::days>(f.now);
      const unsigned wd = std::chrono::weekday(days).iso_encoding() - 1;  // Monday = 0
      return std::find(weekdays.begin(), weekdays.end(), static_cast<int>(wd)) != weekdays.end();
    }
    case Kind::kHours: {
      const auto day = std::chrono::floor<std::chrono::days>(f.now);
      const int minute = static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(f.now - day).count());
      return from_minute <= to_minute ? (minute >= from_minute && minute < to_minute)
                                      : (minute >= from_minute || minute < to_minute);  // overnight
    }
    case Kind::kField:
      break;
  }
  if (field == "tags") {
    const auto& tags = f.ticket.tags;
    auto has = [&](const std::string& v) { return std::find(tags.begin(), tags.end(), v) != tags.end(); };
    if (op == Op::kEquals || op == Op::kContains) return has(values.front());
    if (op == Op::kIn) return std::any_of(values.begin(), values.end(), has);
    if (op == Op::kRegex) {
      return std::any_of(tags.begin(), tags.end(), [&](const std::string& t) { return RE2::PartialMatch(t, *regex); });
    }
    return false;
  }
  const auto value = field_text(f, field);
  if (!value) return false;
  switch (op) {
    case Op::kEquals: return *value == values.front();
    case Op::kIn: return std::find(values.begin(), values.end(), *value) != values.end();
    case Op::kContains: return lower(*value).find(lower(values.front())) != std::string::npos;
    case Op::kRegex: return RE2::PartialMatch(*value, *regex);
    default: {
      char* end = nullptr;
      const double v = std::strtod(value->c_str(), &end);
      if (end == value->c_str()) return false;
      return compare(v, op, number);
    }
  }
}

}  // namespace sb::triage
