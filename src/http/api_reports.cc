// GET /api/v1/reports/{name}: tickets, backlog, agents, fairness and
// classifier reports over stored tickets, as JSON or CSV (docs/reporting.md).
// Each report builds its rows as ordered JSON objects; CSV flattens the same
// rows (nested keys joined by '_') in the same column order.
#include <set>
#include <sstream>

#include "http/api.h"
#include "http/api_helpers.h"
#include "reports/reports.h"

namespace sb::http {

using namespace detail;

namespace {

using Row = nlohmann::ordered_json;

Row opt(const std::optional<double>& v) { return v ? Row(*v) : Row(nullptr); }

Row stats_json(const reports::Stats& s) {
  return {{"count", s.count}, {"median_seconds", opt(s.median)}, {"p90_seconds", opt(s.p90)}, {"mean_seconds", opt(s.mean)}};
}

void flatten(const Row& value, const std::string& prefix, std::vector<std::pair<std::string, const Row*>>& out) {
  if (value.is_object()) {
    for (const auto& [key, v] : value.items()) flatten(v, prefix.empty() ? key : prefix + "_" + key, out);
  } else {
    out.emplace_back(prefix, &value);
  }
}

std::string csv_value(const Row& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return reports::csv_cell(v.get<std::string>());
  if (v.is_number_float()) {
    std::ostringstream out;
    out << v.get<double>();
    return out.str();
  }
  return reports::csv_cell(v.dump());
}

std::string csv(const std::vector<Row>& rows) {
  std::ostringstream out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::vector<std::pair<std::string, const Row*>> cells;
    flatten(rows[i], "", cells);
    if (i == 0) {
      for (std::size_t c = 0; c < cells.size(); ++c) out << (c ? "," : "") << cells[c].first;
      out << "\r\n";
    }
    for (std::size_t c = 0; c < cells.size(); ++c) out << (c ? "," : "") << csv_value(*cells[c].second);
    out << "\r\n";
  }
  return out.str();
}

Response respond(const std::string& name, const ReportQuery& q, std::vector<Row> rows, json extra = json::object()) {
  if (q.format == "csv") {
    Response res{200, nullptr, {{"Content-Disposition", "attachment; filename=\"" + name + "-report.csv\""}}};
    res.text = csv(rows);
    res.content_type = "text/csv; charset=utf-8";
    return res;
  }
  json list = json::array();
  for (const Row& r : rows) list.push_back(json(r));
  json body{{"report", name}, {"from", format_time(q.from)}, {"to", format_time(q.to)}, {"rows", std::move(list)}};
  body.update(extra);
  return ok(std::move(body));
}

}  // namespace

Response Api::report(Request& r) {
  const std::string& name = r.params.at("name");
  using Handler = Response (Api::*)(const ReportQuery&);
  static const std::map<std::string, Handler> reports{{"tickets", &Api::tickets_report},
                                                      {"backlog", &Api::backlog_report},
                                                      {"agents", &Api::agents_report},
                                                      {"fairness", &Api::fairness_report},
                                                      {"classifier", &Api::classifier_report}};
  auto handler = reports.find(name);
  if (handler == reports.end()) {
    throw Fail{Error::NotFound("report '" + name + "' (reports: tickets, backlog, agents, fairness, classifier)")};
  }
  ReportQuery q;
  if (r.principal.is_supervisor()) q.teams = r.principal.teams;
  const Time now = service_.clock()();
  q.to = time_query(r, "to").value_or(now);
  q.from = time_query(r, "from").value_or(q.to - std::chrono::hours(24 * 7));
  if (q.from >= q.to) throw Fail{Error::Invalid("from", "'from' must be before 'to'")};
  if (q.to - q.from > std::chrono::hours(24 * 400)) throw Fail{Error::Invalid("from", "a report spans at most 400 days")};
  if (auto it = r.query.find("group_by"); it != r.query.end() && !it->second.empty()) {
    q.group = ok_or_throw(parse_enum<ReportGroup>(it->second, "group_by"));
  }
  if (auto it = r.query.find("interval"); it != r.query.end() && !it->second.empty()) {
    q.interval_name = it->second;
    if (q.interval_name == "hour") {
      q.interval = reports::Interval::kHour;
    } else if (q.interval_name == "none") {
      q.interval = reports::Interval::kNone;
    } else if (q.interval_name != "day") {
      throw Fail{Error::Invalid("interval", "'interval' must be hour, day or none")};
    }
  }
  if (auto it = r.query.find("format"); it != r.query.end() && !it->second.empty()) q.format = it->second;
  if (q.format != "json" && q.format != "csv") throw Fail{Error::Invalid("format", "'format' must be json or csv")};
  if (q.interval == reports::Interval::kHour && q.to - q.from > std::chrono::hours(24 * 31)) {
    throw Fail{Error::Invalid("interval", "hourly reports span at most 31 days")};
  }
  return (this->*handler->second)(q);
}

// Ids to names for people (teams and agents), by the group's value.
std::function<std::string(const std::string&)> Api::group_labels(ReportGroup group) {
  auto names = std::make_shared<std::map<std::string, std::string>>();
  if (group == ReportGroup::kTeam) {
    for (const Team& t : ok_or_throw(service_.list_teams())) (*names)[std::to_string(t.id.value)] = t.name;
  } else if (group == ReportGroup::kAgent) {
    for (const AgentView& a : ok_or_throw(service_.list_agents())) {
      (*names)[std::to_string(a.agent.id.value)] = a.agent.name;
    }
  }
  if (group == ReportGroup::kOrganization && intake_.directory()) {
    // Organisations are many: each named when a report first meets it.
    Directory* directory = intake_.directory();
    return [names, directory](const std::string& g) {
      auto it = names->find(g);
      if (it != names->end()) return it->second;
      std::string name = g;
      char* end = nullptr;
      const long long id = std::strtoll(g.c_str(), &end, 10);
      if (!g.empty() && *end == '\0') {
        if (auto o = directory->find_organization(OrganizationId{id}); o.ok() && *o) name = (*o)->name;
      }
      return (*names)[g] = name;
    };
  }
  return [names](const std::string& g) {
    auto it = names->find(g);
    return it == names->end() ? g : it->second;
  };
}

Response Api::tickets_report(const ReportQuery& q) {
  reports::TicketAggregator agg(q.interval);
  ok_or_throw(service_.scan_ticket_facts(q.from, q.to, q.group, FactRange::kCreated,
                                                 kFactTallies | q.team_field(), [&](const TicketFact& f) {
                                                   if (q.covers(f.team)) agg.add(f);
                                                 }));
  const auto label = group_labels(q.group);
  std::vector<Row> rows;
  for (const auto& row : agg.rows()) {
    rows.push_back({{"bucket", row.bucket ? Row(format_time(*row.bucket)) : Row(nullptr)},
                    {"group", q.group == ReportGroup::kNone ? Row(nullptr) : Row(label(row.group))},
                    {"created", row.created},
                    {"solved", row.solved},
                    {"time_to_assign", stats_json(row.time_to_assign)},
                    {"time_to_first_response", stats_json(row.time_to_first_response)},
                    {"time_to_resolve", stats_json(row.time_to_resolve)},
                    {"sla", {{"met", row.sla_met}, {"breached", row.sla_breached}, {"attainment", opt(row.sla_attainment)}}},
                    {"reassignments", row.reassignments},
                    {"escalations", row.escalations},
                    {"declines", row.declines},
                    {"offer_timeouts", row.offer_timeouts},
                    {"wait_histogram", row.wait_histogram}});
  }
  return respond("tickets", q, std::move(rows),
                 {{"interval", q.interval_name},
                  {"group_by", to_string(q.group)},
                  {"tickets", agg.tickets()},
                  {"wait_histogram_edges_seconds", reports::kWaitEdges}});
}

Response Api::backlog_report(const ReportQuery& q) {
  if (q.interval == reports::Interval::kHour && q.to - q.from > std::chrono::hours(24 * 7)) {
    throw Fail{Error::Invalid("interval", "an hourly backlog spans at most 7 days")};
  }
  reports::BacklogBuilder backlog;
  ok_or_throw(service_.scan_ticket_facts(q.from, q.to, q.group, FactRange::kOpen, q.team_field(),
                                                 [&](const TicketFact& f) {
                                                   if (q.covers(f.team)) backlog.add(f);
                                                 }));
  const auto label = group_labels(q.group);
  std::vector<Row> rows;
  for (const auto& b : backlog.rows(q.from, q.to, q.interval)) {
    rows.push_back({{"at", format_time(b.at)},
                    {"group", q.group == ReportGroup::kNone ? Row(nullptr) : Row(label(b.group))},
                    {"open", b.open},
                    {"unassigned", b.unassigned},
                    {"age", {{"median_seconds", opt(b.age_median)}, {"p90_seconds", opt(b.age_p90)},
                             {"max_seconds", opt(b.age_max)}}}});
  }
  return respond("backlog", q, std::move(rows), {{"interval", q.interval_name}, {"group_by", to_string(q.group)}});
}

// Occupancy and utilisation per agent (the presence history and the tickets
// they held), with each agent's teams.
Response Api::agents_report(const ReportQuery& q) {
  reports::AgentUseBuilder use(q.from, q.to);
  ok_or_throw(service_.scan_ticket_facts(q.from, q.to, ReportGroup::kNone, FactRange::kOpen, kFactAssignee,
                                                 [&](const TicketFact& f) { use.add(f); }));
  const auto presence = ok_or_throw(service_.presence_history(q.from, q.to));
  std::map<AgentId, int> capacity;
  std::map<AgentId, const Agent*> agents;
  const auto views = ok_or_throw(service_.list_agents());
  for (const AgentView& a : views) {
    int total = 0;
    for (int c : a.agent.capacity) total += c;
    capacity[a.agent.id] = total;
    agents[a.agent.id] = &a.agent;
  }
  const auto team_name = group_labels(ReportGroup::kTeam);
  std::vector<Row> rows;
  for (const auto& u : use.rows(presence, capacity)) {
    auto it = agents.find(u.agent);
    if (it == agents.end()) continue;  // deleted since
    if (!q.covers_any(it->second->teams)) continue;  // outside a supervisor's teams
    std::string teams;
    for (TeamId t : it->second->teams) {
      if (!q.covers(t)) continue;  // a shared agent's other teams are not a supervisor's to see
      teams += (teams.empty() ? "" : "; ") + team_name(std::to_string(t.value));
    }
    rows.push_back({{"agent", it->second->name},
                    {"agent_id", u.agent.value},
                    {"teams", teams},
                    {"online_seconds", u.online_seconds},
                    {"busy_seconds", u.busy_seconds},
                    {"occupancy", opt(u.occupancy)},
                    {"utilisation", opt(u.utilisation)},
                    {"held", u.held},
                    {"solved", u.solved}});
  }
  return respond("agents", q, std::move(rows));
}

// Load fairness per team: tickets created in the range and assigned to the
// team's agents, and the Gini coefficient of tickets per agent.
Response Api::fairness_report(const ReportQuery& q) {
  std::map<std::string, std::vector<AgentId>> members;
  for (const AgentView& a : ok_or_throw(service_.list_agents())) {
    for (TeamId t : a.agent.teams) members[std::to_string(t.value)].push_back(a.agent.id);
  }
  reports::FairnessTally tally(members);
  ok_or_throw(service_.scan_ticket_facts(q.from, q.to, ReportGroup::kTeam, FactRange::kCreated, kFactAssignee,
                                                 [&](const TicketFact& f) { tally.add(f); }));
  const auto label = group_labels(ReportGroup::kTeam);
  std::vector<Row> rows;
  for (const auto& f : tally.rows()) {
    if (f.team.empty()) continue;  // tickets without a team have no agents to compare
    if (!q.covers(TeamId{std::stoll(f.team)})) continue;
    rows.push_back({{"team", label(f.team)}, {"agents", f.agents}, {"assigned", f.assigned}, {"most", f.most},
                    {"least", f.least}, {"gini", f.gini}});
  }
  return respond("fairness", q, std::move(rows));
}

// The classifier's guesses against the final team or category of tickets
// created in the range and since solved or closed: overall, and per label.
Response Api::classifier_report(const ReportQuery& q) {
  const auto team_name = group_labels(ReportGroup::kTeam);
  reports::ClassifierTally tally;
  ok_or_throw(service_.scan_ticket_facts(q.from, q.to, ReportGroup::kNone, FactRange::kCreated,
                                                 kFactTeam | kFactCategory | kFactGuess, [&](const TicketFact& f) {
                                                   if (f.predicts.empty() || !f.solved_at) return;  // not counted
                                                   if (!q.covers(f.team)) return;
                                                   if (f.predicts != "team") return tally.add(f, f.category);
                                                   tally.add(f, f.team ? team_name(std::to_string(f.team->value)) : "");
                                                 }));
  const auto s = tally.score();
  std::vector<Row> rows;
  for (const auto& l : s.labels) {
    rows.push_back({{"label", l.label}, {"predicted", l.predicted}, {"actual", l.actual}, {"correct", l.correct},
                    {"precision", opt(l.precision)}, {"recall", opt(l.recall)}});
  }
  // People's decisions in the range on the field the model guesses: how often they overrule it.
  const auto settings = intake_.triage().settings();
  std::string field = "team";
  for (const triage::ModelSettings& m : settings->models) {
    if (!intake::corrected_field(m.predicts).empty()) field = intake::corrected_field(m.predicts);
  }
  std::set<std::string> own;  // a supervisor's teams, by name
  if (q.teams) {
    for (TeamId t : *q.teams) own.insert(team_name(std::to_string(t.value)));
  }
  std::vector<Correction> decisions;
  for (std::int64_t after = 0;;) {
    const auto page = ok_or_throw(service_.list_corrections(field, after, 1000));
    for (const Correction& c : page) {
      if (c.at < q.from || c.at >= q.to) continue;
      if (q.teams && field == "team" && !own.count(c.from) && !own.count(c.to)) continue;
      decisions.push_back(c);
    }
    if (page.size() < 1000) break;
    after = page.back().id;
  }
  const reports::Overrules o = reports::overrules(decisions, q.interval);
  auto overrule_json = [](const reports::OverruleRow& r) {
    return json{{"key", r.key}, {"decisions", r.decisions}, {"guessed", r.guessed}, {"overruled", r.overruled},
                {"rate", r.rate ? json(*r.rate) : json(nullptr)}};
  };
  json by_label = json::array(), over_time = json::array();
  for (const auto& r : o.by_label) by_label.push_back(overrule_json(r));
  for (const auto& r : o.over_time) over_time.push_back(overrule_json(r));
  json corrections = overrule_json(o.total);
  corrections.erase("key");
  corrections["field"] = field;
  corrections["by_label"] = std::move(by_label);
  corrections["over_time"] = std::move(over_time);
  return respond("classifier", q, std::move(rows),
                 {{"corrections", std::move(corrections)},
                  {"settled", s.settled},
                  {"correct", s.correct},
                  {"accuracy", s.accuracy ? json(*s.accuracy) : json(nullptr)},
                  {"confident", s.confident},
                  {"confident_accuracy", s.confident_accuracy ? json(*s.confident_accuracy) : json(nullptr)},
                  {"coverage", s.coverage ? json(*s.coverage) : json(nullptr)}});
}

}  // namespace sb::http
