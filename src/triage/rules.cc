#include "triage/rules.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdlib>

namespace sb::triage {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return s;
}

// The value of a named field as text; numbers are formatted.
std::optional<std::string> field_text(const Facts& f, const std::string& field) {
  const Ticket& t = f.ticket;
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
