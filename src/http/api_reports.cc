// GET /api/v1/reports/tickets: volume, time to assign and time to resolve
// per time bucket and group, as JSON or CSV (docs/reporting.md).
#include <sstream>

#include "http/api.h"
#include "http/api_helpers.h"
#include "reports/reports.h"

namespace sb::http {

using namespace detail;

namespace {

std::optional<Time> time_query(const Request& r, const std::string& key) {
  auto it = r.query.find(key);
  if (it == r.query.end() || it->second.empty()) return std::nullopt;
  auto t = parse_time(it->second);
  if (!t) throw Fail{Error::Invalid(key, "'" + key + "' must be a time like 2026-11-25T00:00:00Z")};
  return t;
}

json stats_json(const reports::Stats& s) {
  auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  return {{"count", s.count}, {"median_seconds", opt(s.median)}, {"p90_seconds", opt(s.p90)}, {"mean_seconds", opt(s.mean)}};
}

Response csv_response(std::string text, const std::string& filename) {
  Response res{200, nullptr, {{"Content-Disposition", "attachment; filename=\"" + filename + "\""}}};
  res.text = std::move(text);
  res.content_type = "text/csv; charset=utf-8";
  return res;
}

std::string number(const std::optional<double>& v) {
  if (!v) return "";
  std::ostringstream out;
  out << *v;
  return out.str();
}

}  // namespace

Response Api::ticket_report(Request& r) {
  const std::string& name = r.params.at("name");
  if (name != "tickets" && name != "fairness") {
    throw Fail{Error::NotFound("report '" + name + "' (reports: tickets, fairness)")};
  }
  const Time now = service_.clock()();
  const Time to = time_query(r, "to").value_or(now);
  const Time from = time_query(r, "from").value_or(to - std::chrono::hours(24 * 7));
  if (from >= to) throw Fail{Error::Invalid("from", "'from' must be before 'to'")};
  if (to - from > std::chrono::hours(24 * 400)) throw Fail{Error::Invalid("from", "a report spans at most 400 days")};
  ReportGroup group = ReportGroup::kNone;
  if (auto it = r.query.find("group_by"); it != r.query.end() && !it->second.empty()) {
    group = ok_or_throw(parse_enum<ReportGroup>(it->second, "group_by"));
  }
  reports::Interval interval = reports::Interval::kDay;
  std::string interval_name = "day";
  if (auto it = r.query.find("interval"); it != r.query.end() && !it->second.empty()) {
    interval_name = it->second;
    if (interval_name == "hour") {
      interval = reports::Interval::kHour;
    } else if (interval_name == "none") {
      interval = reports::Interval::kNone;
    } else if (interval_name != "day") {
      throw Fail{Error::Invalid("interval", "'interval' must be hour, day or none")};
    }
  }
  std::string format = "json";
  if (auto it = r.query.find("format"); it != r.query.end() && !it->second.empty()) format = it->second;
  if (format != "json" && format != "csv") throw Fail{Error::Invalid("format", "'format' must be json or csv")};
  if (interval == reports::Interval::kHour && to - from > std::chrono::hours(24 * 31)) {
    throw Fail{Error::Invalid("interval", "hourly reports span at most 31 days")};
  }

  if (name == "fairness") return fairness_report(r, from, to, format);
  const auto facts = ok_or_throw(service_.store().ticket_facts(from, to, group));
  auto rows = reports::aggregate(facts, interval);
  // Ids to names for people.
  std::map<std::string, std::string> names;
  if (group == ReportGroup::kTeam) {
    for (const Team& t : ok_or_throw(service_.list_teams())) names[std::to_string(t.id.value)] = t.name;
  } else if (group == ReportGroup::kAgent) {
    for (const AgentView& a : ok_or_throw(service_.list_agents())) names[std::to_string(a.agent.id.value)] = a.agent.name;
  }
  auto label = [&](const std::string& g) {
    auto it = names.find(g);
    return it == names.end() ? g : it->second;
  };

  if (format == "csv") {
    std::ostringstream out;
    out << "bucket,group,created,solved,assign_count,assign_median_s,assign_p90_s,assign_mean_s,resolve_count,"
           "resolve_median_s,resolve_p90_s,resolve_mean_s\r\n";
    for (const auto& row : rows) {
      out << (row.bucket ? format_time(*row.bucket) : "") << ',' << reports::csv_cell(label(row.group)) << ','
          << row.created << ',' << row.solved << ',' << row.time_to_assign.count << ','
          << number(row.time_to_assign.median) << ',' << number(row.time_to_assign.p90) << ','
          << number(row.time_to_assign.mean) << ',' << row.time_to_resolve.count << ','
          << number(row.time_to_resolve.median) << ',' << number(row.time_to_resolve.p90) << ','
          << number(row.time_to_resolve.mean) << "\r\n";
    }
    return csv_response(out.str(), "tickets-report.csv");
  }
  json list = json::array();
  for (const auto& row : rows) {
    list.push_back({{"bucket", row.bucket ? json(format_time(*row.bucket)) : json(nullptr)},
                    {"group", group == ReportGroup::kNone ? json(nullptr) : json(label(row.group))},
                    {"created", row.created},
                    {"solved", row.solved},
                    {"time_to_assign", stats_json(row.time_to_assign)},
                    {"time_to_resolve", stats_json(row.time_to_resolve)}});
  }
  return ok({{"report", "tickets"},
             {"from", format_time(from)},
             {"to", format_time(to)},
             {"interval", interval_name},
             {"group_by", to_string(group)},
             {"tickets", facts.size()},
             {"rows", std::move(list)}});
}

// Load fairness per team: tickets created in the range and assigned to the
// team's agents, and the Gini coefficient of tickets per agent.
Response Api::fairness_report(Request&, Time from, Time to, const std::string& format) {
  const auto facts = ok_or_throw(service_.store().ticket_facts(from, to, ReportGroup::kTeam));
  std::map<std::string, std::vector<AgentId>> members;
  for (const AgentView& a : ok_or_throw(service_.list_agents())) {
    for (TeamId t : a.agent.teams) members[std::to_string(t.value)].push_back(a.agent.id);
  }
  std::map<std::string, std::string> names;
  for (const Team& t : ok_or_throw(service_.list_teams())) names[std::to_string(t.id.value)] = t.name;
  std::vector<reports::Fairness> rows;
  for (auto& f : reports::fairness(facts, members)) {
    if (!f.team.empty()) rows.push_back(std::move(f));  // tickets without a team have no agents to compare
  }
  auto label = [&](const std::string& id) { return names.count(id) ? names.at(id) : id; };
  if (format == "csv") {
    std::ostringstream out;
    out << "team,agents,assigned,most,least,gini\r\n";
    for (const auto& f : rows) {
      out << reports::csv_cell(label(f.team)) << ',' << f.agents << ',' << f.assigned << ',' << f.most << ','
          << f.least << ',' << f.gini << "\r\n";
    }
    return csv_response(out.str(), "fairness-report.csv");
  }
  json list = json::array();
  for (const auto& f : rows) {
    list.push_back({{"team", label(f.team)}, {"agents", f.agents}, {"assigned", f.assigned}, {"most", f.most},
                    {"least", f.least}, {"gini", f.gini}});
  }
  return ok({{"report", "fairness"}, {"from", format_time(from)}, {"to", format_time(to)}, {"rows", std::move(list)}});
}

}  // namespace sb::http
