#include "app/scenario.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "app/yaml_reader.h"
#include "db/open_store.h"
#include "db/postgres/pg_store.h"
#include "erlang/erlang.h"
#include "triage/csv.h"

namespace sb {
namespace {

using sim::Distribution;

Distribution distribution(const Reader& r, const YAML::Node& n, const std::string& field) {
  r.only(n, field, {"distribution", "mean", "sd", "values"});
  Distribution d;
  const std::string kind = n["distribution"] ? r.string(n["distribution"], field + ".distribution") : "exponential";
  if (kind == "exponential") {
    d.kind = Distribution::Kind::kExponential;
  } else if (kind == "lognormal") {
    d.kind = Distribution::Kind::kLognormal;
  } else if (kind == "constant") {
    d.kind = Distribution::Kind::kConstant;
  } else if (kind == "empirical") {
    d.kind = Distribution::Kind::kEmpirical;
  } else {
    r.fail(n["distribution"], field + ".distribution", "must be exponential, lognormal, constant or empirical");
  }
  if (d.kind == Distribution::Kind::kEmpirical) {
    // Values listed here, or (in a replay) taken from the log's answered calls of the type.
    if (const auto v = n["values"]) {
      if (!v.IsSequence() || v.size() == 0) r.fail(v, field + ".values", "must be a list of seconds");
      for (std::size_t i = 0; i < v.size(); ++i) d.values.push_back(r.number(v[i], field + ".values", 0, 1e7));
    }
    return d;
  }
  if (!n["mean"]) r.fail(n, field + ".mean", "is required");
  d.mean = r.number(n["mean"], field + ".mean", 0.001, 1e7);
  if (d.kind == Distribution::Kind::kLognormal) {
    if (!n["sd"]) r.fail(n, field + ".sd", "is required for a lognormal distribution");
    d.sd = r.number(n["sd"], field + ".sd", 0.001, 1e7);
  }
  return d;
}

SkillLevels skills(const Reader& r, const YAML::Node& n, const std::string& field, int lo) {
  if (!n.IsMap()) r.fail(n, field, "must be a mapping of skill: level");
  SkillLevels out;
  for (const auto& kv : n) {
    const std::string name = kv.first.as<std::string>();
    out[name] = r.integer(kv.second, field + "." + name, lo, kMaxProficiency);
  }
  return out;
}

// "08:00-16:00" (whole hours; may wrap past midnight) to 24 on-duty flags.
std::vector<bool> hours_on_duty(const Reader& r, const YAML::Node& n, const std::string& field) {
  const std::string text = r.string(n, field);
  int from = 0, to = 0;
  if (std::sscanf(text.c_str(), "%d:00-%d:00", &from, &to) != 2 || from < 0 || from > 23 || to < 0 || to > 24 ||
      from == to) {
    r.fail(n, field, "must be whole hours like 08:00-16:00");
  }
  std::vector<bool> duty(24, false);
  for (int h = from;; h = (h + 1) % 24) {
    duty[static_cast<std::size_t>(h)] = true;
    if ((h + 1) % 24 == to % 24) break;
  }
  return duty;
}

// callcenter_shifts.csv: Hour,StartTime,Shift1..Shift8 (1 = on duty).
std::map<std::string, std::vector<bool>> read_shifts(const std::string& path) {
  std::map<std::string, std::vector<bool>> out;
  auto table = triage::read_csv(path);
  if (!table) return out;
  const auto& names = table->header;
  for (std::size_t i = 2; i < names.size(); ++i) out[names[i]] = std::vector<bool>(24, false);
  for (const auto& cells : table->rows) {
    const int hour = std::atoi(cells[0].c_str()) - 1;  // 1 = the hour from midnight
    if (hour < 0 || hour > 23) continue;
    for (std::size_t i = 2; i < cells.size(); ++i) out[names[i]][static_cast<std::size_t>(hour)] = cells[i] == "1";
  }
  return out;
}

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  return (std::filesystem::path(base).parent_path() / path).lexically_normal().string();
}

int seconds_of(const std::string& hms) {
  int h = 0, m = 0, s = 0;
  if (std::sscanf(hms.c_str(), "%d:%d:%d", &h, &m, &s) != 3) return -1;
  return h * 3600 + m * 60 + s;
}

}  // namespace

// One recorded arrival: when (seconds from the first day's midnight), its
// type, how long it waited, its handle time when answered.
struct ReplayRow {
  int type;
  double at, wait, service;
  bool answered;
};

// Adds recorded rows to the scenario as its replay, and tallies what
// happened in them (the "actual" figures).
Status add_replay(std::vector<ReplayRow>& rows, const std::string& source, LoadedScenario& into);

Status read_call_log(const std::string& path, const std::string& from_day, int days, LoadedScenario& into) {
  std::ifstream in(path);
  if (!in) return Error::Invalid("replay.callcenter", "cannot read " + path);
  sim::Scenario& s = into.scenario;
  std::map<std::string, int> type_of;
  for (std::size_t k = 0; k < s.types.size(); ++k) type_of[s.types[k].name] = static_cast<int>(k);
  std::vector<ReplayRow> rows;
  std::string line;
  std::getline(in, line);  // header
  std::string first = from_day;
  std::map<std::string, int> day_index;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> c;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, '\t');) c.push_back(cell);
    if (c.size() < 16) {
      ++into.skipped;
      continue;
    }
    const std::string& date = c[5];
    if (first.empty()) first = date;
    if (date < first) {
      ++into.skipped;
      continue;
    }
    auto d = day_index.find(date);
    if (d == day_index.end()) d = day_index.emplace(date, static_cast<int>(day_index.size())).first;
    if (d->second >= days) continue;
    const std::string& outcome = c[12];
    auto type = type_of.find(c[4]);
    if ((outcome != "AGENT" && outcome != "HANG") || type == type_of.end()) {
      ++into.skipped;
      continue;
    }
    const int at = seconds_of(c[7]);  // leaving the voice menu: joining the queue
    if (at < 0) {
      ++into.skipped;
      continue;
    }
    rows.push_back({type->second, d->second * 86400.0 + at, std::atof(c[11].c_str()), std::atof(c[15].c_str()),
                    outcome == "AGENT"});
  }
  return add_replay(rows, path, into);
}

Status add_replay(std::vector<ReplayRow>& rows, const std::string& source, LoadedScenario& into) {
  sim::Scenario& s = into.scenario;
  // Handle times of calls that hung up, and patience of answered calls, are
  // not recorded: drawn from the type's distributions (an empirical handle
  // time takes the record's answered calls of that type).
  for (const ReplayRow& r : rows) {
    auto& h = s.types[static_cast<std::size_t>(r.type)].handle;
    if (r.answered && h.kind == sim::Distribution::Kind::kEmpirical && r.service > 0) h.values.push_back(r.service);
  }
  for (const auto& t : s.types) {
    if (t.handle.kind == sim::Distribution::Kind::kEmpirical && t.handle.values.empty()) {
      return Error::Invalid("types", "type '" + t.name + "' has an empirical handle time but no answered calls in " + source);
    }
  }
  std::sort(rows.begin(), rows.end(), [](const ReplayRow& a, const ReplayRow& b) { return a.at < b.at; });
  into.observed.assign(s.types.size() + 1, {});
  into.observed[0].name = "all";
  for (std::size_t k = 0; k < s.types.size(); ++k) into.observed[k + 1].name = s.types[k].name;
  into.observed_by_hour.assign(24, {});
  const double origin = rows.empty() ? 0 : std::floor(rows.front().at / 3600) * 3600;  // the first call's hour
  for (const ReplayRow& r : rows) {
    sim::Arrival a;
    a.at = r.at - origin;
    a.type = r.type;
    if (r.answered && r.service > 0) a.handle = r.service;
    if (!r.answered) a.patience = r.wait;
    a.waited = r.wait;
    s.replay.push_back(a);
    Observed* hour = &into.observed_by_hour[static_cast<std::size_t>(static_cast<long>(r.at) / 3600 % 24)];
    for (Observed* o : {&into.observed[0], &into.observed[static_cast<std::size_t>(r.type) + 1], hour}) {
      ++o->calls;
      if (r.answered) {
        ++o->answered;
        o->wait_sum += r.wait;
        if (r.wait <= s.target_seconds) ++o->within;
      } else {
        ++o->abandoned;
      }
    }
  }
  // The virtual clock starts at the first call's hour of the day.
  s.hours = rows.empty() ? 0 : std::ceil((rows.back().at - origin) / 3600);
  s.hour_offset = static_cast<int>(origin / 3600) % 24;
  return Status::Ok();
}

Status read_store_history(const std::string& db, Time from, Time to, LoadedScenario& into) {
  if (!is_postgres_url(db) && !std::filesystem::exists(db)) return Error::Invalid("replay.store", "no database at " + db);
  auto store = open_store(db);
  if (!store) return store.error();
  auto teams = (*store)->list_teams();
  if (!teams) return teams.error();
  std::map<std::int64_t, int> type_of_team;
  for (const Team& t : *teams) {
    for (std::size_t k = 0; k < into.scenario.types.size(); ++k) {
      if (into.scenario.types[k].name == t.name) type_of_team[t.id.value] = static_cast<int>(k);
    }
  }
  std::vector<ReplayRow> rows;
  const double day0 = std::floor(static_cast<double>(to_millis(from)) / 86'400'000) * 86400;  // from's midnight (UTC)
  auto st = (*store)->scan_ticket_facts(from, to, ReportGroup::kNone, FactRange::kCreated, kFactTeam,
                                        [&](const TicketFact& f) {
    auto type = f.team ? type_of_team.find(f.team->value) : type_of_team.end();
    if (type == type_of_team.end()) {
      ++into.skipped;
      return;
    }
    const double created = static_cast<double>(to_millis(f.created_at)) / 1000;
    ReplayRow r{type->second, created - day0, 0, 0, f.assigned_at.has_value()};
    if (f.assigned_at) {
      r.wait = static_cast<double>(to_millis(*f.assigned_at) - to_millis(f.created_at)) / 1000;
      if (f.solved_at && *f.solved_at > *f.assigned_at) {
        r.service = static_cast<double>(to_millis(*f.solved_at) - to_millis(*f.assigned_at)) / 1000;
      }
    } else if (f.solved_at) {
      r.wait = static_cast<double>(to_millis(*f.solved_at) - to_millis(f.created_at)) / 1000;  // left unserved
    } else {
      ++into.skipped;  // still waiting: no outcome yet
      return;
    }
    rows.push_back(r);
  });
  if (!st) return st.error();
  return add_replay(rows, db, into);
}

Result<LoadedScenario> load_scenario(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Error::Invalid("scenario", "cannot read " + path);
  } catch (const YAML::Exception& e) {
    return Error::Invalid("scenario", path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  Reader r(path);
  LoadedScenario out;
  sim::Scenario& s = out.scenario;
  try {
    r.only(root, "", {"name", "hours", "warmup_hours", "target_seconds", "replications", "seed", "policy", "routing",
                      "types", "agents", "shifts_file", "replay"});
    s.name = root["name"] ? r.string(root["name"], "name") : std::filesystem::path(path).stem().string();
    if (root["hours"]) s.hours = r.number(root["hours"], "hours", 0.01, 1e6);
    if (root["warmup_hours"]) s.warmup_hours = r.number(root["warmup_hours"], "warmup_hours", 0, 1e6);
    if (root["target_seconds"]) s.target_seconds = r.number(root["target_seconds"], "target_seconds", 0, 86400);
    if (root["replications"]) s.replications = r.integer(root["replications"], "replications", 1, 1000);
    if (root["seed"]) s.seed = static_cast<std::uint64_t>(r.integer(root["seed"], "seed", 0, 1 << 30));
    if (root["policy"]) s.routing.policy = r.string(root["policy"], "policy");
    if (const auto rt = root["routing"]) {
      r.only(rt, "routing", {"policy", "aging_step_seconds", "fallback_policy", "sticky_wait_seconds"});
      if (rt["policy"]) s.routing.policy = r.string(rt["policy"], "routing.policy");
      if (rt["fallback_policy"]) s.routing.fallback_policy = r.string(rt["fallback_policy"], "routing.fallback_policy");
      if (rt["aging_step_seconds"]) {
        s.routing.aging_step = Duration(static_cast<std::int64_t>(1000 * r.number(rt["aging_step_seconds"], "routing.aging_step_seconds", 0, 86400)));
      }
      if (rt["sticky_wait_seconds"]) {
        s.routing.sticky_wait = Duration(static_cast<std::int64_t>(1000 * r.number(rt["sticky_wait_seconds"], "routing.sticky_wait_seconds", 0, 86400)));
      }
    }
    const auto types = root["types"];
    if (!types || !types.IsSequence() || types.size() == 0) r.fail(types ? types : root, "types", "must be a non-empty list");
    for (std::size_t i = 0; i < types.size(); ++i) {
      const auto n = types[i];
      const std::string f = "types[" + std::to_string(i) + "]";
      r.only(n, f, {"name", "per_hour", "profile", "skills", "priority", "channel", "handle", "patience"});
      sim::CallType t;
      if (!n["name"]) r.fail(n, f + ".name", "is required");
      t.name = r.string(n["name"], f + ".name");
      if (n["per_hour"]) {
        auto rate = sim::parse_rate(r.string(n["per_hour"], f + ".per_hour"), f + ".per_hour");
        if (!rate) r.fail(n["per_hour"], f + ".per_hour", rate.error().message);
        t.per_hour = *rate * 3600;
      }
      if (const auto p = n["profile"]) {
        if (!p.IsSequence() || p.size() != 24) r.fail(p, f + ".profile", "must list 24 hourly factors");
        for (std::size_t h = 0; h < 24; ++h) t.profile.push_back(r.number(p[h], f + ".profile", 0, 1e6));
      }
      if (n["skills"]) t.skills = skills(r, n["skills"], f + ".skills", kMinProficiency);
      if (n["priority"]) t.priority = r.enumeration<Priority>(n["priority"], f + ".priority");
      if (n["channel"]) t.channel = r.enumeration<Channel>(n["channel"], f + ".channel");
      if (!n["handle"]) r.fail(n, f + ".handle", "is required");
      t.handle = distribution(r, n["handle"], f + ".handle");
      if (n["patience"]) t.patience = distribution(r, n["patience"], f + ".patience");
      s.types.push_back(std::move(t));
    }
    std::map<std::string, std::vector<bool>> shifts;
    if (root["shifts_file"]) {
      const std::string file = resolve(path, r.string(root["shifts_file"], "shifts_file"));
      shifts = read_shifts(file);
      if (shifts.empty()) r.fail(root["shifts_file"], "shifts_file", "no shifts in " + file);
    }
    const auto agents = root["agents"];
    if (!agents || !agents.IsSequence() || agents.size() == 0) r.fail(agents ? agents : root, "agents", "must be a non-empty list");
    for (std::size_t i = 0; i < agents.size(); ++i) {
      const auto n = agents[i];
      const std::string f = "agents[" + std::to_string(i) + "]";
      r.only(n, f, {"name", "count", "skills", "capacity", "hours", "shift"});
      sim::AgentGroup g;
      g.name = n["name"] ? r.string(n["name"], f + ".name") : "group " + std::to_string(i + 1);
      if (n["count"]) g.count = r.integer(n["count"], f + ".count", 0, 100000);
      if (n["skills"]) g.skills = skills(r, n["skills"], f + ".skills", kMinProficiency);
      if (n["capacity"]) g.capacity = r.integer(n["capacity"], f + ".capacity", 1, 1000);
      if (n["hours"]) g.on_duty = hours_on_duty(r, n["hours"], f + ".hours");
      if (n["shift"]) {
        const std::string name = r.string(n["shift"], f + ".shift");
        auto it = shifts.find(name);
        if (it == shifts.end()) r.fail(n["shift"], f + ".shift", "no shift '" + name + "' (set shifts_file)");
        g.on_duty = it->second;
      }
      s.agents.push_back(std::move(g));
    }
    if (const auto rp = root["replay"]) {
      r.only(rp, "replay", {"callcenter", "store", "from", "to", "days"});
      std::string file;
      if (rp["callcenter"]) {
        file = resolve(path, r.string(rp["callcenter"], "replay.callcenter"));
        const std::string from = rp["from"] ? r.string(rp["from"], "replay.from") : "";
        const int days = rp["days"] ? r.integer(rp["days"], "replay.days", 1, 366) : 1;
        if (auto st = read_call_log(file, from, days, out); !st) r.fail(rp, "replay", st.error().message);
      } else if (rp["store"]) {
        file = r.string(rp["store"], "replay.store");
        if (!is_postgres_url(file)) file = resolve(path, file);
        auto time = [&](const char* key) {
          auto t = parse_time(r.string(rp[key], std::string("replay.") + key));
          if (!t) r.fail(rp[key], std::string("replay.") + key, "must be a time like 2026-11-25T00:00:00Z");
          return *t;
        };
        if (!rp["from"] || !rp["to"]) r.fail(rp, "replay", "a store replay needs from and to");
        if (auto st = read_store_history(file, time("from"), time("to"), out); !st) r.fail(rp, "replay", st.error().message);
      } else {
        r.fail(rp, "replay", "give callcenter (a call log) or store (a Switchboard database)");
      }
      if (out.scenario.replay.empty()) r.fail(rp, "replay", "nothing of the scenario's types to replay in " + file);
    } else {
      for (std::size_t i = 0; i < s.types.size(); ++i) {
        if (s.types[i].handle.kind == sim::Distribution::Kind::kEmpirical && s.types[i].handle.values.empty()) {
          r.fail(types[i]["handle"], "types[" + std::to_string(i) + "].handle.values", "is required outside a replay");
        }
        if (s.types[i].per_hour <= 0) r.fail(types[i], "types[" + std::to_string(i) + "].per_hour", "is required outside a replay");
      }
    }
  } catch (const ConfigError& e) {
    return Error::Invalid("scenario", e.text);
  }
  return out;
}

}  // namespace sb
