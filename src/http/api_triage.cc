// Triage: what triage would do with a ticket (creating nothing), and
// reloading the rules file.
#include "http/api.h"

#include <map>
#include <set>

#include "http/api_helpers.h"

namespace sb::http {

using namespace detail;

Response Api::triage_preview(Request& r) {
  const json body = parse_body(r);
  const TicketInput in = ok_or_throw(parse_ticket_create(body, resolve_team()));
  ok_or_throw(intake::check_tier(in.ticket.requester.tier, intake_.triage().settings()->tiers));
  const triage::TriageOutcome out = intake_.preview(in);
  json ticket = to_json(TicketView{out.ticket, std::nullopt});
  for (const char* key : {"id", "created_at", "updated_at", "status", "assignee_id", "queue_position", "routing",
                          "queued_at", "offer_expires_at", "accepted_at", "declined_by", "assigned_at", "solved_at"}) {
    ticket.erase(key);
  }
  return ok({{"ticket", std::move(ticket)},
             {"team_name", out.team_name ? json(*out.team_name) : json(nullptr)},
             {"assign_to", out.assign_to ? json(out.assign_to->value) : json(nullptr)},
             {"spam", out.spam},
             {"created", false}});
}

Response Api::reload_rules(Request&) {
  intake::TriageGate& gate = intake_.triage();
  const int count = ok_or_throw(gate.reload_rules());
  return ok({{"rules", count}, {"file", *gate.rules_path()}});
}

}  // namespace sb::http

namespace sb::http {

using namespace detail;

Service::Editor Api::editor(const Request& r) {
  Service::Editor e;
  const Principal& p = r.principal;
  e.by = std::string(to_string(p.role));
  if (p.agent) {
    e.by = "agent " + std::to_string(p.agent->value);
    if (auto a = service_.find_agent(*p.agent); a.ok() && *a && !(*a)->agent.name.empty()) e.by += " " + (*a)->agent.name;
  }
  const auto settings = intake_.triage().settings();
  e.triage_team = service_.team_by_name(settings->triage_team);
  e.label_of = [settings](const std::string& field, const std::string& value) {
    for (const triage::ModelSettings& m : settings->models) {
      if (intake::corrected_field(m.predicts) != field) continue;
      for (const auto& [label, mapped] : m.labels) {
        if (mapped == value) return label;
      }
    }
    return value;  // a label names its team or category itself
  };
  return e;
}

namespace {

// The team or category model: the one whose guesses the desk shows.
const triage::ModelSettings* deciding_model(const triage::TriageSettings& s) {
  for (const triage::ModelSettings& m : s.models) {
    if (!intake::corrected_field(m.predicts).empty()) return &m;
  }
  return nullptr;
}

// The model's three most likely choices for a ticket, as teams or categories
// (labels mapped; labels that map to one team add up; for a team model,
// labels that name no team are left out: a person cannot pick them).
json guesses(const triage::ModelSettings& m, const Ticket& t, const std::function<bool(const std::string&)>& choosable) {
  const std::vector<double> p = m.model->probabilities({t.subject, t.body});
  const auto& labels = m.model->labels();
  std::map<std::string, std::pair<std::string, double>> by_value;  // value -> (its likeliest label, probability)
  for (std::size_t i = 0; i < p.size() && i < labels.size(); ++i) {
    auto it = m.labels.find(labels[i]);
    const std::string& value = it != m.labels.end() ? it->second : labels[i];
    if (!choosable(value)) continue;
    auto& slot = by_value[value];
    if (slot.first.empty() || p[i] > slot.second) slot.first = labels[i];
    slot.second += p[i];
  }
  std::vector<std::pair<std::string, std::pair<std::string, double>>> ranked(by_value.begin(), by_value.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second.second > b.second.second; });
  json out = json::array();
  for (std::size_t k = 0; k < ranked.size() && k < 3; ++k) {
    out.push_back({{"label", ranked[k].second.first}, {"value", ranked[k].first}, {"confidence", ranked[k].second.second}});
  }
  return out;
}

double median_seconds(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

// GET /api/v1/triage/desk: the tickets waiting for a person to say where they
// belong, oldest first, with the model's three best guesses, the rules that
// matched, the requester's other tickets, and how the desk is doing.
Response Api::triage_desk(Request& r) {
  const auto settings = intake_.triage().settings();
  const auto team = service_.team_by_name(settings->triage_team);
  const int limit = static_cast<int>(int_query(r, "limit", 0, 100).value_or(25));
  const triage::ModelSettings* model = deciding_model(*settings);
  json tickets = json::array();
  std::set<std::string> team_names;
  for (const Team& t : ok_or_throw(service_.list_teams())) {
    if (t.name != settings->triage_team) team_names.insert(t.name);
  }
  const bool by_team = model && model->predicts == triage::Predicts::kTeam;
  const auto choosable = [&](const std::string& value) { return !by_team || team_names.count(value) > 0; };
  if (team && limit > 0) {
    TicketQuery q;
    q.team = team;
    q.statuses = {TicketStatus::kNew, TicketStatus::kOpen};
    q.limit = limit;
    for (Ticket& t : ok_or_throw(service_.list_tickets(q)).tickets) {
      if (!sees(r.principal, t)) continue;
      json item = to_json(TicketView{t, std::nullopt});
      // The desk decides with If-Match: two triagers cannot both move a ticket.
      item["etag"] = "\"" + std::to_string(t.id.value) + "-" + std::to_string(t.version) + "\"";
      item["guesses"] = model && model->model ? guesses(*model, t, choosable) : json::array();
      json others = json::array();
      if (!t.requester.email.empty()) {
        TicketQuery mine;
        mine.requester = t.requester.email;
        mine.sort = TicketSort::kCreated;
        mine.limit = 6;
        for (const Ticket& o : ok_or_throw(service_.list_tickets(mine)).tickets) {
          if (o.id == t.id || !sees(r.principal, o) || others.size() >= 5) continue;
          others.push_back({{"id", o.id.value},
                            {"subject", o.subject},
                            {"status", to_string(o.status)},
                            {"category", o.category},
                            {"team", o.team ? json(o.team->value) : json(nullptr)},
                            {"created_at", format_time(o.created_at)}});
        }
      }
      item["requester_tickets"] = std::move(others);
      tickets.push_back(std::move(item));
    }
  }
  // How the desk is doing: what waits, what was decided lately and how long it took.
  json stats = {{"waiting", 0}, {"oldest_wait_seconds", nullptr}};
  if (team) {
    for (const QueueStats& qs : service_.queues()) {
      if (qs.team != *team) continue;
      stats["waiting"] = qs.waiting;
      if (qs.oldest_wait) stats["oldest_wait_seconds"] = qs.oldest_wait->count() / 1000.0;
    }
  }
  const Time now = service_.clock()();
  std::size_t last_hour = 0, overruled = 0, decided = 0;
  std::vector<double> waited;
  // One decision per ticket: the latest on the field the model guesses.
  const std::string field = model ? intake::corrected_field(model->predicts) : "team";
  std::map<TicketId, bool> seen;
  for (const Correction& c : ok_or_throw(service_.recent_corrections(now - std::chrono::hours(24), 5000))) {
    if (c.source != "desk" || c.field != field || seen.count(c.ticket)) continue;
    seen[c.ticket] = true;
    ++decided;
    if (c.at >= now - std::chrono::hours(1)) ++last_hour;
    if (!c.guess.empty() && c.guess != c.label) ++overruled;
    waited.push_back(static_cast<double>(c.waited.count()) / 1000.0);
  }
  stats["decided_last_hour"] = last_hour;
  stats["decided_24h"] = decided;
  stats["overruled_24h"] = overruled;
  stats["median_decision_seconds_24h"] = waited.empty() ? json(nullptr) : json(median_seconds(waited));
  json model_json = nullptr;
  if (model) {
    model_json = {{"name", model->name}, {"predicts", intake::corrected_field(model->predicts)},
                  {"min_confidence", model->min_confidence}};
  }
  return ok({{"team", team ? json({{"id", team->value}, {"name", settings->triage_team}}) : json(nullptr)},
             {"model", std::move(model_json)},
             {"tickets", std::move(tickets)},
             {"stats", std::move(stats)}});
}

// GET /api/v1/triage/models: what serves, where its candidate goes, and the checks so far.
Response Api::list_models(Request&) {
  const auto settings = intake_.triage().settings();
  json models = json::array();
  for (const triage::ModelSettings& m : settings->models) {
    json labels = json::object();
    for (const auto& [label, value] : m.labels) labels[label] = value;
    models.push_back({{"name", m.name},
                      {"predicts", std::string(intake::corrected_field(m.predicts).empty()
                                                   ? (m.predicts == triage::Predicts::kUrgency ? "urgency" : "impact")
                                                   : intake::corrected_field(m.predicts))},
                      {"min_confidence", m.min_confidence},
                      {"path", m.path},
                      {"candidate", m.path.empty() ? json(nullptr) : json(m.path + ".candidate")},
                      {"labels", std::move(labels)},
                      {"classes", m.model ? json(m.model->labels()) : json::array()},
                      {"trained_through", m.model ? m.model->options().trained_through : 0},
                      {"provenance", m.model ? m.model->options().provenance : ""}});
  }
  json checks = models_ ? json::parse(models_->history_json()) : json::array();
  return ok({{"models", std::move(models)},
             {"holdout", models_ ? json(models_->options().holdout) : json(nullptr)},
             {"checks", std::move(checks)}});
}

// POST /api/v1/triage/models/reload: checks each candidate model; the not
// worse replace the serving ones at once, the others are refused with their figures.
Response Api::reload_models(Request&) {
  if (!models_) throw Fail{Error::Conflict("no_candidate", "no triage model is configured")};
  const auto checks = ok_or_throw(models_->check_candidates());
  json out = json::array();
  for (const intake::ModelCheck& c : checks) out.push_back(json::parse(intake::to_json_text(c)));
  return ok({{"checks", std::move(out)}});
}

}  // namespace sb::http
