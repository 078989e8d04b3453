#include "json/sla_json.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace sb::http {
namespace {

using detail::Fields;
using nlohmann::json;

constexpr const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr const char* kActions[] = {"raise_priority", "move_team", "assign", "notify"};

// "09:00-17:30" -> minutes after midnight; nullopt when malformed.
std::optional<sla::Interval> parse_span(const std::string& s) {
  int h1 = 0, m1 = 0, h2 = 0, m2 = 0;
  char tail = 0;
  if (s.size() != 11 || std::sscanf(s.c_str(), "%2d:%2d-%2d:%2d%c", &h1, &m1, &h2, &m2, &tail) != 4) return std::nullopt;
  if (h1 > 24 || h2 > 24 || m1 > 59 || m2 > 59) return std::nullopt;
  return sla::Interval{h1 * 60 + m1, h2 * 60 + m2};
}

std::string format_span(const sla::Interval& i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d-%02d:%02d", i.first / 60, i.first % 60, i.second / 60, i.second % 60);
  return buf;
}

Result<sla::BusinessCalendar> parse_calendar(const json& j, const std::string& field) {
  Fields f(j, field);
  sla::CalendarSpec spec;
  if (auto tz = f.string("time_zone", 100)) spec.time_zone = *tz;
  if (f.has("hours") && !f.error()) {
    const json& hours = f.at("hours");
    if (!hours.is_object()) return Error::Invalid(field + ".hours", "'" + field + ".hours' must map mon..sun to \"HH:MM-HH:MM\" or a list of them");
    for (const auto& [day, value] : hours.items()) {
      const std::string df = field + ".hours." + day;
      const auto* it = std::find(std::begin(kDays), std::end(kDays), day);
      if (it == std::end(kDays)) return Error::Invalid(df, "unknown day '" + day + "' (mon..sun)");
      std::vector<json> spans = value.is_array() ? value.get<std::vector<json>>() : std::vector<json>{value};
      for (const json& span : spans) {
        const auto interval = span.is_string() ? parse_span(span.get<std::string>()) : std::nullopt;
        if (!interval) return Error::Invalid(df, "'" + df + "' must be \"HH:MM-HH:MM\" or a list of them");
        spec.weekly[static_cast<std::size_t>(it - std::begin(kDays))].push_back(*interval);
      }
    }
  }
  if (auto holidays = f.strings("holidays")) spec.holidays = *holidays;
  if (auto s = f.finish(); !s) return s.error();
  auto cal = sla::BusinessCalendar::make(spec);
  if (!cal) return Error::Invalid(field + "." + cal.error().field, cal.error().message);
  return *cal;
}

template <class E>
Status enum_list(Fields& f, const std::string& key, std::vector<E>& out) {
  auto names = f.strings(key);
  if (!names) return Status::Ok();
  for (const std::string& n : *names) {
    auto e = parse_enum<E>(n, f.field(key));
    if (!e) return e.error();
    out.push_back(*e);
  }
  return Status::Ok();
}

Result<sla::EscalationStep> parse_step(const json& j, const std::string& field, const TeamResolver& teams) {
  Fields f(j, field);
  using Step = sla::EscalationStep;
  Step step;
  const auto on = f.string("on", 20);
  const auto action = f.string("action", 40);
  if (!f.error() && !on) return Error::Missing(field + ".on");
  if (!f.error() && !action) return Error::Missing(field + ".action");
  if (on && *on != "warning" && *on != "breach") return Error::Invalid(field + ".on", "'" + field + ".on' must be warning or breach");
  if (on) step.on = *on == "warning" ? Step::On::kWarning : Step::On::kBreach;
  if (action) {
    const auto* it = std::find_if(std::begin(kActions), std::end(kActions), [&](const char* a) { return *action == a; });
    if (it == std::end(kActions)) {
      return Error::Invalid(field + ".action", "'" + field + ".action' must be raise_priority, move_team, assign or notify");
    }
    step.action = static_cast<Step::Action>(it - std::begin(kActions));
  }
  if (f.has("team") && !f.error()) step.team = f.team(f.at("team"), field + ".team", teams);
  if (auto agent = f.integer("agent", 1, INT64_MAX)) step.agent = AgentId{*agent};
  if (auto s = f.finish(); !s) return s.error();
  if (step.action == Step::Action::kMoveTeam && !step.team) return Error::Missing(field + ".team");
  if (step.action == Step::Action::kAssign && !step.agent) return Error::Missing(field + ".agent");
  return step;
}

}  // namespace

Result<std::vector<sla::SlaPolicy>> parse_sla_settings(const json& doc, const TeamResolver& teams,
                                                       const std::vector<std::string>& tiers) {
  Fields top(doc);
  std::map<std::string, sla::BusinessCalendar> calendars;
  if (top.has("calendars")) {
    const json& cals = top.at("calendars");
    if (!cals.is_object()) return Error::Invalid("calendars", "'calendars' must map names to calendars");
    for (const auto& [name, value] : cals.items()) {
      auto cal = parse_calendar(value, "calendars." + name);
      if (!cal) return cal.error();
      calendars.emplace(name, std::move(*cal));
    }
  }
  std::vector<sla::SlaPolicy> out;
  if (top.has("policies")) {
    const json& list = top.at("policies");
    if (!list.is_array()) return Error::Invalid("policies", "'policies' must be a list");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string field = "policies[" + std::to_string(i) + "]";
      Fields f(list[i], field);
      sla::SlaPolicy p;
      if (!f.error() && !f.has("name")) return Error::Missing(field + ".name");
      if (auto name = f.string("name", 200)) p.name = *name;
      for (const sla::SlaPolicy& earlier : out) {
        if (earlier.name == p.name) return Error::Invalid(field + ".name", "two policies are named '" + p.name + "'");
      }
      if (f.has("match") && !f.error()) {
        Fields m(f.at("match"), field + ".match");
        if (auto s = enum_list<Priority>(m, "priority", p.priorities); !s) return s.error();
        if (auto names = m.strings("tier")) {
          for (const std::string& n : *names) {
            if (std::find(tiers.begin(), tiers.end(), n) == tiers.end()) {
              return Error::Invalid(field + ".match.tier", "unknown tier '" + n + "' (tiers: " + tier_list(tiers) + ")");
            }
            p.tiers.push_back(n);
          }
        }
        if (auto s = enum_list<Channel>(m, "channel", p.channels); !s) return s.error();
        if (m.has("team") && !m.error()) {
          const json& t = m.at("team");
          if (!t.is_array()) return Error::Invalid(field + ".match.team", "'" + field + ".match.team' must be a list");
          for (const json& item : t) {
            if (auto id = m.team(item, field + ".match.team", teams)) p.teams.push_back(*id);
          }
        }
        if (auto s = m.finish(); !s) return s.error();
      }
      if (auto cal = f.string("calendar", 200); cal && !cal->empty()) {
        auto it = calendars.find(*cal);
        if (it == calendars.end()) return Error::Invalid(field + ".calendar", "no calendar named '" + *cal + "'");
        p.calendar_name = *cal;
        p.calendar = it->second;
      }
      if (auto m = f.integer("first_response_minutes", 1, 525600)) p.targets.first_response = std::chrono::minutes(*m);
      if (auto m = f.integer("next_reply_minutes", 1, 525600)) p.targets.next_reply = std::chrono::minutes(*m);
      if (auto m = f.integer("resolution_minutes", 1, 525600)) p.targets.resolution = std::chrono::minutes(*m);
      if (auto w = f.number("warn_at", 0, 1)) {
        if (*w <= 0 || *w >= 1) return Error::Invalid(field + ".warn_at", "'" + field + ".warn_at' must be a share between 0 and 1");
        p.warn_at = *w;
      }
      if (f.has("escalation") && !f.error()) {
        const json& ladder = f.at("escalation");
        if (!ladder.is_array()) return Error::Invalid(field + ".escalation", "'" + field + ".escalation' must be a list");
        for (std::size_t k = 0; k < ladder.size(); ++k) {
          auto step = parse_step(ladder[k], field + ".escalation[" + std::to_string(k) + "]", teams);
          if (!step) return step.error();
          p.ladder.push_back(*step);
        }
      }
      if (auto s = f.finish(); !s) return s.error();
      out.push_back(std::move(p));
    }
  }
  if (auto s = top.finish(); !s) return s.error();
  return out;
}

json sla_settings_to_json(const std::vector<sla::SlaPolicy>& policies,
                          const std::function<nlohmann::json(TeamId)>& team_ref) {
  json calendars = json::object();
  json list = json::array();
  auto names = [](const auto& values) {
    json a = json::array();
    for (const auto& v : values) a.push_back(to_string(v));
    return a;
  };
  auto minutes = [](const std::optional<Duration>& d) {
    return d ? json(std::chrono::duration_cast<std::chrono::minutes>(*d).count()) : json(nullptr);
  };
  for (const sla::SlaPolicy& p : policies) {
    if (!p.calendar_name.empty() && !calendars.contains(p.calendar_name)) {
      const sla::CalendarSpec& spec = p.calendar.spec();
      json hours = json::object();
      for (std::size_t d = 0; d < 7; ++d) {
        if (spec.weekly[d].empty()) continue;
        json spans = json::array();
        for (const auto& i : spec.weekly[d]) spans.push_back(format_span(i));
        hours[kDays[d]] = std::move(spans);
      }
      calendars[p.calendar_name] = {{"time_zone", spec.time_zone}, {"hours", std::move(hours)}, {"holidays", spec.holidays}};
    }
    json teams = json::array();
    for (TeamId t : p.teams) teams.push_back(team_ref(t));
    json ladder = json::array();
    for (const sla::EscalationStep& s : p.ladder) {
      json step{{"on", s.on == sla::EscalationStep::On::kWarning ? "warning" : "breach"},
                {"action", kActions[static_cast<int>(s.action)]}};
      if (s.team) step["team"] = team_ref(*s.team);
      if (s.agent) step["agent"] = s.agent->value;
      ladder.push_back(std::move(step));
    }
    json policy{{"name", p.name},
                {"match", {{"priority", names(p.priorities)}, {"tier", p.tiers}, {"channel", names(p.channels)},
                           {"team", std::move(teams)}}},
                {"warn_at", p.warn_at},
                {"escalation", std::move(ladder)}};
    if (!p.calendar_name.empty()) policy["calendar"] = p.calendar_name;
    if (p.targets.first_response) policy["first_response_minutes"] = minutes(p.targets.first_response);
    if (p.targets.next_reply) policy["next_reply_minutes"] = minutes(p.targets.next_reply);
    if (p.targets.resolution) policy["resolution_minutes"] = minutes(p.targets.resolution);
    list.push_back(std::move(policy));
  }
  return json{{"calendars", std::move(calendars)}, {"policies", std::move(list)}};
}

}  // namespace sb::http
