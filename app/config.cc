#include "app/config.h"
#include "app/yaml_reader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "json/json_mapping.h"
#include "json/sla_json.h"
#include "notify/mail.h"
#include "notify/message_template.h"

namespace sb {
namespace {

// Settings only the config file has.
class ConfigReader : public Reader {
 public:
  using Reader::Reader;

  SeedAgent agent(const YAML::Node& n, const std::string& field) const {
    only(n, field, {"name", "email", "teams", "skills", "capacity", "presence"});
    SeedAgent s;
    Agent& a = s.agent;
    if (!n["name"]) fail(n, field + ".name", "is required");
    a.name = string(n["name"], field + ".name");
    if (n["email"]) a.email = string(n["email"], field + ".email");
    if (const auto teams = n["teams"]) {
      if (!teams.IsSequence()) fail(teams, field + ".teams", "must be a list of team names");
      for (std::size_t i = 0; i < teams.size(); ++i) {
        s.team_names.push_back(string(teams[i], field + ".teams[" + std::to_string(i) + "]"));
      }
    }
    if (const auto skills = n["skills"]) {
      if (!skills.IsMap()) fail(skills, field + ".skills", "must be a mapping of skill: level");
      for (const auto& kv : skills) {
        const std::string name = kv.first.as<std::string>();
        a.skills[name] = integer(kv.second, field + ".skills." + name, kMinProficiency, kMaxProficiency);
      }
    }
    if (const auto cap = n["capacity"]) {
      if (!cap.IsMap()) fail(cap, field + ".capacity", "must be a mapping of channel: count");
      for (const auto& kv : cap) {
        const std::string channel = kv.first.as<std::string>();
        const Channel c = enumeration<Channel>(kv.first, field + ".capacity." + channel);
        a.capacity[static_cast<std::size_t>(c)] = integer(kv.second, field + ".capacity." + channel, 0, kMaxCapacity);
      }
    }
    if (n["presence"]) a.presence = enumeration<Presence>(n["presence"], field + ".presence");
    return s;
  }

 private:
  std::string file_;
};

// YAML to JSON, for settings the API parser checks: numbers stay numbers.
nlohmann::json to_json(const YAML::Node& n) {
  if (n.IsMap()) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& kv : n) j[kv.first.as<std::string>()] = to_json(kv.second);
    return j;
  }
  if (n.IsSequence()) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& item : n) j.push_back(to_json(item));
    return j;
  }
  if (!n.IsScalar()) return nullptr;
  const std::string text = n.as<std::string>();
  if (n.Tag() != "!") {  // unquoted: may be a number or a boolean
    long long i = 0;
    double d = 0;
    bool b = false;
    if (YAML::convert<long long>::decode(n, i)) return i;
    if (YAML::convert<double>::decode(n, d)) return d;
    if (YAML::convert<bool>::decode(n, b)) return b;
  }
  return text;
}

// The node at an API field path such as "routing.relaxation[1].action",
// starting from `root`; the deepest node found when the path runs out.
YAML::Node node_at(YAML::Node root, const std::string& path) {
  YAML::Node at = root;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find_first_of(".[", i);
    const std::string key = path.substr(i, j == std::string::npos ? std::string::npos : j - i);
    if (!key.empty()) {
      if (!at.IsMap() || !at[key]) return at;
      at = at[key];
    }
    if (j == std::string::npos) break;
    if (path[j] == '[') {
      const std::size_t close = path.find(']', j);
      const std::size_t index = static_cast<std::size_t>(std::stoul(path.substr(j + 1, close - j - 1)));
      if (!at.IsSequence() || index >= at.size()) return at;
      at = at[index];
      i = close + 1;
      if (i < path.size() && path[i] == '.') ++i;
    } else {
      i = j + 1;
    }
  }
  return at;
}

}  // namespace

Result<ListenAddress> parse_listen(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  const Error bad = Error::Invalid("listen", "'" + text + "' is not ADDRESS:PORT (e.g. 127.0.0.1:8080)");
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return bad;
  const std::string port = text.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return bad;
  const int p = std::stoi(port);
  if (p > 65535) return bad;
  return ListenAddress{text.substr(0, colon), static_cast<std::uint16_t>(p)};
}

Result<Config> load_config(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Error::Invalid("config", path + ": cannot read the file");
  } catch (const YAML::ParserException& e) {
    return Error::Invalid("config", path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  ConfigReader r(path);
  Config c;
  try {
    if (root.IsNull()) return c;
    r.only(root, "",
           {"listen", "db", "teams", "agents", "presence_grace_seconds", "triage", "sla", "notifications", "mailboxes",
            "limits", "outbound", "macros", "tiers", "customers", "organizations", "fields", "connectors"});
    // Before triage and SLA policies: they name tiers.
    if (const auto tn = root["tiers"]) {
      if (!tn.IsSequence() || tn.size() == 0) r.fail(tn, "tiers", "must be a list of tier names");
      c.tiers.clear();
      for (std::size_t i = 0; i < tn.size(); ++i) {
        const std::string field = "tiers[" + std::to_string(i) + "]";
        const std::string name = r.string(tn[i], field);
        if (!valid_tier_name(name)) r.fail(tn[i], field, "a tier's name is 1 to 32 of a-z, 0-9, '_' and '-'");
        if (std::find(c.tiers.begin(), c.tiers.end(), name) != c.tiers.end()) r.fail(tn[i], field, "'" + name + "' is listed twice");
        c.tiers.push_back(name);
      }
    }
    // Declared attributes of customers and organisations, and ticket custom fields.
    auto specs = [&](const YAML::Node& list, const std::string& field, bool ticket_fields) {
      std::vector<AttributeSpec> out;
      if (!list.IsSequence()) r.fail(list, field, "must be a list");
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string f = field + "[" + std::to_string(i) + "]";
        const YAML::Node n = list[i];
        if (ticket_fields) r.only(n, f, {"name", "type", "values", "pattern", "label", "form"});
        else r.only(n, f, {"name", "type", "values", "label"});
        AttributeSpec spec;
        if (!n["name"]) r.fail(n, f + ".name", "is required");
        spec.name = r.string(n["name"], f + ".name");
        if (n["type"]) spec.type = r.enumeration<AttributeType>(n["type"], f + ".type");
        if (spec.type == AttributeType::kPattern && !ticket_fields) r.fail(n["type"], f + ".type", "pattern is for ticket fields");
        if (const auto v = n["values"]) {
          if (!v.IsSequence()) r.fail(v, f + ".values", "must be a list");
          for (std::size_t k = 0; k < v.size(); ++k) spec.values.push_back(r.string(v[k], f + ".values[" + std::to_string(k) + "]"));
        }
        if (n["pattern"]) spec.pattern = r.string(n["pattern"], f + ".pattern");
        if (n["label"]) spec.label = r.string(n["label"], f + ".label");
        if (n["form"]) spec.form = r.boolean(n["form"], f + ".form");
        out.push_back(std::move(spec));
        if (auto s = check_specs(out, field); !s) r.fail(n, s.error().field, s.error().message);
      }
      return out;
    };
    if (const auto cn = root["customers"]) {
      r.only(cn, "customers", {"attributes"});
      if (cn["attributes"]) c.directory.customer_attributes = specs(cn["attributes"], "customers.attributes", false);
    }
    if (const auto on = root["organizations"]) {
      r.only(on, "organizations", {"attributes"});
      if (on["attributes"]) c.directory.organization_attributes = specs(on["attributes"], "organizations.attributes", false);
    }
    if (const auto fn = root["fields"]) c.directory.ticket_fields = specs(fn, "fields", true);
    c.directory.tiers = c.tiers;
    if (const auto macros = root["macros"]) {
      if (!macros.IsSequence()) r.fail(macros, "macros", "must be a list");
      for (std::size_t i = 0; i < macros.size(); ++i) {
        const std::string f = "macros[" + std::to_string(i) + "]";
        const YAML::Node m = macros[i];
        r.only(m, f, {"name", "body", "public", "status", "priority", "add_tags"});
        for (const char* required : {"name", "body"}) {
          if (!m[required]) r.fail(m, f + "." + required, "is required");
        }
        http::Macro macro;
        macro.name = r.string(m["name"], f + ".name");
        macro.body = r.string(m["body"], f + ".body");
        const auto unknown = notify::unknown_placeholders(macro.body, http::macro_placeholders());
        if (!unknown.empty()) {
          std::string known;
          for (const auto& k : http::macro_placeholders()) known += (known.empty() ? "" : ", ") + k;
          r.fail(m["body"], f + ".body", "unknown placeholder {{" + unknown.front() + "}}; known: " + known);
        }
        if (m["public"]) macro.is_public = r.boolean(m["public"], f + ".public");
        if (m["status"]) macro.status = r.enumeration<TicketStatus>(m["status"], f + ".status");
        if (m["priority"]) macro.priority = r.enumeration<Priority>(m["priority"], f + ".priority");
        if (const auto tags = m["add_tags"]) {
          if (!tags.IsSequence()) r.fail(tags, f + ".add_tags", "must be a list of tags");
          for (std::size_t t = 0; t < tags.size(); ++t) {
            macro.add_tags.push_back(r.string(tags[t], f + ".add_tags[" + std::to_string(t) + "]"));
          }
        }
        c.macros.push_back(std::move(macro));
      }
    }
    if (const auto out = root["outbound"]) {
      r.only(out, "outbound", {"allow_loopback", "allow_private", "allow_link_local"});
      if (out["allow_loopback"]) c.outbound.allow_loopback = r.boolean(out["allow_loopback"], "outbound.allow_loopback");
      if (out["allow_private"]) c.outbound.allow_private = r.boolean(out["allow_private"], "outbound.allow_private");
      if (out["allow_link_local"]) c.outbound.allow_link_local = r.boolean(out["allow_link_local"], "outbound.allow_link_local");
    }
    if (const auto limits = root["limits"]) {
      r.only(limits, "limits", {"per_token", "admin", "public_posts", "commands_in_flight", "connections",
                                "connections_per_address", "idle_seconds", "event_stream_seconds", "trusted_proxies"});
      if (const auto proxies = limits["trusted_proxies"]) {
        if (!proxies.IsSequence()) r.fail(proxies, "limits.trusted_proxies", "must be a list of addresses or networks");
        for (std::size_t i = 0; i < proxies.size(); ++i) {
          const std::string field = "limits.trusted_proxies[" + std::to_string(i) + "]";
          c.limits.trusted_proxies.push_back(r.string(proxies[i], field));
          if (auto p = http::TrustedProxies::parse({c.limits.trusted_proxies.back()}); !p) {
            r.fail(proxies[i], field, p.error().message);
          }
        }
      }
      if (limits["connections"]) {
        c.limits.connections = static_cast<int>(r.integer(limits["connections"], "limits.connections", 1, 1'000'000));
      }
      if (limits["connections_per_address"]) {
        c.limits.connections_per_address = static_cast<int>(
            r.integer(limits["connections_per_address"], "limits.connections_per_address", 0, 1'000'000));
      }
      if (limits["idle_seconds"]) {
        c.limits.idle_seconds = static_cast<int>(r.integer(limits["idle_seconds"], "limits.idle_seconds", 1, 86'400));
      }
      if (limits["event_stream_seconds"]) {
        c.limits.event_stream_seconds =
            static_cast<int>(r.integer(limits["event_stream_seconds"], "limits.event_stream_seconds", 1, 86'400 * 7));
      }
      if (limits["commands_in_flight"]) {
        c.limits.commands_in_flight =
            static_cast<int>(r.integer(limits["commands_in_flight"], "limits.commands_in_flight", 0, 1'000'000));
      }
      auto rate = [&](const char* key, http::RateLimit& out) {
        const auto node = limits[key];
        if (!node) return;
        const std::string field = std::string("limits.") + key;
        r.only(node, field, {"per_second", "burst"});
        if (node["per_second"]) out.rate = r.number(node["per_second"], field + ".per_second", 0, 1e6);
        if (node["burst"]) out.burst = r.number(node["burst"], field + ".burst", 1, 1e6);
        if (out.burst < 1) out.burst = std::max(1.0, out.rate);
      };
      rate("per_token", c.limits.per_token);
      rate("admin", c.limits.admin);
      rate("public_posts", c.limits.public_posts);
    }
    if (const auto boxes = root["mailboxes"]) {
      if (!boxes.IsSequence()) r.fail(boxes, "mailboxes", "must be a list");
      for (std::size_t i = 0; i < boxes.size(); ++i) {
        const std::string f = "mailboxes[" + std::to_string(i) + "]";
        const YAML::Node b = boxes[i];
        r.only(b, f, {"name", "url", "username", "password", "poll_seconds"});
        mail::ImapMailbox box;
        for (const char* required : {"name", "url", "username", "password"}) {
          if (!b[required]) r.fail(b, f + "." + required, "is required");
        }
        box.name = r.string(b["name"], f + ".name");
        box.url = r.string(b["url"], f + ".url");
        if (!box.url.starts_with("imap://") && !box.url.starts_with("imaps://")) {
          r.fail(b["url"], f + ".url", "must be imap://host:port/MAILBOX or imaps://...");
        }
        box.username = r.string(b["username"], f + ".username");
        box.password = r.string(b["password"], f + ".password");
        if (b["poll_seconds"]) {
          box.poll = Duration(static_cast<std::int64_t>(r.number(b["poll_seconds"], f + ".poll_seconds", 0.1, 86400) * 1000));
        }
        for (const auto& other : c.mailboxes) {
          if (other.name == box.name) r.fail(b["name"], f + ".name", "two mailboxes are named '" + box.name + "'");
        }
        c.mailboxes.push_back(std::move(box));
      }
    }
    if (const auto t = root["triage"]) {
      r.only(t, "triage", {"model", "model_name", "min_confidence", "predicts", "labels", "models", "triage_team", "rules", "priority", "model_check"});
      TriageConfig tc;
      // One model as keys of `triage`, or several under `models`.
      auto model = [&](const YAML::Node& n, const std::string& field, const char* path_key) {
        ModelConfig m;
        m.path = r.string(n[path_key], field + "." + path_key);
        if (n["model_name"]) m.name = r.string(n["model_name"], field + ".model_name");
        if (n["name"]) m.name = r.string(n["name"], field + ".name");
        if (n["min_confidence"]) {
          double d = 0;
          if (!YAML::convert<double>::decode(n["min_confidence"], d) || d < 0 || d > 1) {
            r.fail(n["min_confidence"], field + ".min_confidence", "must be a number between 0 and 1");
          }
          m.min_confidence = d;
        }
        if (n["predicts"]) {
          const std::string p = r.string(n["predicts"], field + ".predicts");
          static const std::map<std::string, triage::Predicts> kinds{{"team", triage::Predicts::kTeam},
                                                                     {"category", triage::Predicts::kCategory},
                                                                     {"urgency", triage::Predicts::kUrgency},
                                                                     {"impact", triage::Predicts::kImpact}};
          if (!kinds.count(p)) r.fail(n["predicts"], field + ".predicts", "must be team, category, urgency or impact");
          m.predicts = kinds.at(p);
        }
        if (const auto labels = n["labels"]) {
          if (!labels.IsMap()) r.fail(labels, field + ".labels", "must be a mapping of label: value");
          for (const auto& kv : labels) {
            const std::string key = kv.first.as<std::string>();
            const std::string value = r.string(kv.second, field + ".labels." + key);
            if ((m.predicts == triage::Predicts::kUrgency || m.predicts == triage::Predicts::kImpact) &&
                !parse_enum<triage::Level>(value, "").ok()) {
              r.fail(kv.second, field + ".labels." + key, "must be low, medium or high");
            }
            m.labels[key] = value;
          }
        }
        return m;
      };
      if (t["model"]) tc.models.push_back(model(t, "triage", "model"));
      if (const auto list = t["models"]) {
        if (!list.IsSequence()) r.fail(list, "triage.models", "must be a list");
        for (std::size_t i = 0; i < list.size(); ++i) {
          const std::string field = "triage.models[" + std::to_string(i) + "]";
          r.only(list[i], field, {"path", "name", "min_confidence", "predicts", "labels"});
          if (!list[i]["path"]) r.fail(list[i], field + ".path", "is required");
          tc.models.push_back(model(list[i], field, "path"));
        }
      }
      int routing_models = 0;
      for (const ModelConfig& m : tc.models) {
        routing_models += m.predicts == triage::Predicts::kTeam || m.predicts == triage::Predicts::kCategory;
      }
      if (routing_models > 1) r.fail(t, "triage.models", "at most one model may predict the team or category");
      if (t["triage_team"]) tc.triage_team = r.string(t["triage_team"], "triage.triage_team");
      if (t["rules"]) tc.rules = r.string(t["rules"], "triage.rules");
      if (const auto mc = t["model_check"]) {
        r.only(mc, "triage.model_check", {"holdout", "tolerance"});
        if (mc["holdout"]) {
          tc.check.holdout = static_cast<std::size_t>(r.integer(mc["holdout"], "triage.model_check.holdout", 1, 1'000'000));
        }
        if (mc["tolerance"]) tc.check.tolerance = r.number(mc["tolerance"], "triage.model_check.tolerance", 0, 1);
      }
      if (const auto p = t["priority"]) {
        r.only(p, "triage.priority", {"vip_bump", "raise_tiers", "urgent_phrases", "matrix"});
        if (p["vip_bump"] && !p["vip_bump"].as<bool>()) tc.priority.raise_tiers.clear();
        if (const auto raise = p["raise_tiers"]) {
          if (!raise.IsSequence()) r.fail(raise, "triage.priority.raise_tiers", "must be a list of tiers");
          tc.priority.raise_tiers.clear();
          for (std::size_t i = 0; i < raise.size(); ++i) {
            const std::string field = "triage.priority.raise_tiers[" + std::to_string(i) + "]";
            const std::string name = r.string(raise[i], field);
            if (std::find(c.tiers.begin(), c.tiers.end(), name) == c.tiers.end()) {
              r.fail(raise[i], field, "'" + name + "' is not one of the tiers");
            }
            tc.priority.raise_tiers.push_back(name);
          }
        }
        if (const auto phrases = p["urgent_phrases"]) {
          if (!phrases.IsSequence()) r.fail(phrases, "triage.priority.urgent_phrases", "must be a list");
          tc.priority.urgent_phrases.clear();
          for (std::size_t i = 0; i < phrases.size(); ++i) {
            tc.priority.urgent_phrases.push_back(r.string(phrases[i], "triage.priority.urgent_phrases[" + std::to_string(i) + "]"));
          }
        }
        if (const auto m = p["matrix"]) {
          // matrix: {urgency: {impact: priority}}, e.g. high: {high: urgent, medium: high, low: normal}
          if (!m.IsMap()) r.fail(m, "triage.priority.matrix", "must map urgency to {impact: priority}");
          for (const auto& row : m) {
            const std::string u = row.first.as<std::string>();
            const auto urgency = r.enumeration<triage::Level>(row.first, "triage.priority.matrix." + u);
            if (!row.second.IsMap()) r.fail(row.second, "triage.priority.matrix." + u, "must map impact to priority");
            for (const auto& cell : row.second) {
              const std::string i = cell.first.as<std::string>();
              const auto impact = r.enumeration<triage::Level>(cell.first, "triage.priority.matrix." + u + "." + i);
              tc.priority.matrix[static_cast<std::size_t>(urgency)][static_cast<std::size_t>(impact)] =
                  r.enumeration<Priority>(cell.second, "triage.priority.matrix." + u + "." + i);
            }
          }
        }
      }
      c.triage = std::move(tc);
    }
    if (root["presence_grace_seconds"]) {
      c.presence_grace = std::chrono::seconds(r.integer(root["presence_grace_seconds"], "presence_grace_seconds", 0, 86400));
    }
    if (root["listen"]) {
      c.listen = r.string(root["listen"], "listen");
      if (auto l = parse_listen(*c.listen); !l) r.fail(root["listen"], "listen", l.error().message);
    }
    if (root["db"]) c.db = r.string(root["db"], "db");
    if (const auto teams = root["teams"]) {
      if (!teams.IsSequence()) r.fail(teams, "teams", "must be a list");
      for (std::size_t i = 0; i < teams.size(); ++i) {
        const std::string field = "teams[" + std::to_string(i) + "]";
        const YAML::Node& t = teams[i];
        SeedTeam team;
        if (t.IsMap()) {
          r.only(t, field, {"name", "routing"});
          if (!t["name"]) r.fail(t, field + ".name", "is required");
          team.name = r.string(t["name"], field + ".name");
          if (t["routing"]) team.routing = to_json(t["routing"]);
        } else {
          team.name = r.string(t, field);
        }
        c.teams.push_back(std::move(team));
      }
      // Check routing settings as the API would, with overflow teams named
      // from this file.
      for (std::size_t i = 0; i < c.teams.size(); ++i) {
        if (c.teams[i].routing.is_null()) continue;
        auto routing = http::parse_routing(c.teams[i].routing, TeamRouting{}, [&](const std::string& name) {
          return c.has_team(name) ? std::optional<TeamId>(TeamId{1'000'000}) : std::nullopt;
        });
        if (!routing) {
          const std::string field = "teams[" + std::to_string(i) + "]." + routing.error().field;
          r.fail(node_at(teams[i], routing.error().field), field, routing.error().message);
        }
      }
    }
    if (const auto list = root["connectors"]) {
      if (!list.IsSequence()) r.fail(list, "connectors", "must be a list");
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string f = "connectors[" + std::to_string(i) + "]";
        const YAML::Node n = list[i];
        r.only(n, f, {"name", "type", "url", "user", "password_env", "token_env", "queues", "agents", "statuses",
                      "poll_seconds", "history", "page_size"});
        connectors::ConnectorSettings cs;
        for (const char* required : {"name", "type", "url", "user", "queues"}) {
          if (!n[required]) r.fail(n, f + "." + required, "is required");
        }
        cs.name = r.string(n["name"], f + ".name");
        if (cs.name.empty() || cs.name.size() > 40 ||
            cs.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
          r.fail(n["name"], f + ".name", "must be 1 to 40 lower-case letters, digits, '-' or '_'");
        }
        for (const auto& other : c.connectors) {
          if (other.name == cs.name) r.fail(n["name"], f + ".name", "two connectors are named '" + cs.name + "'");
        }
        cs.kind = r.string(n["type"], f + ".type");
        if (cs.kind != "request_tracker") r.fail(n["type"], f + ".type", "must be request_tracker");
        cs.url = r.string(n["url"], f + ".url");
        if (!cs.url.starts_with("http://") && !cs.url.starts_with("https://")) {
          r.fail(n["url"], f + ".url", "must be http://host[:port] or https://...");
        }
        while (cs.url.ends_with("/")) cs.url.pop_back();
        cs.user = r.string(n["user"], f + ".user");
        if (n["password_env"] && n["token_env"]) r.fail(n, f, "set password_env or token_env, not both");
        if (!n["password_env"] && !n["token_env"]) r.fail(n, f + ".password_env", "is required (or token_env)");
        for (const char* key : {"password_env", "token_env"}) {
          if (!n[key]) continue;
          const std::string var = r.string(n[key], f + "." + key);
          const char* value = std::getenv(var.c_str());
          if (!value || !*value) r.fail(n[key], f + "." + key, "the environment has no " + var);
          (std::string(key) == "token_env" ? cs.token : cs.password) = value;
        }
        auto names = [&](const char* key, std::map<std::string, std::string>& out) {
          const YAML::Node m = n[key];
          if (!m) return;
          if (!m.IsMap()) r.fail(m, f + "." + key, "must be a mapping");
          for (const auto& entry : m) {
            const std::string k = r.string(entry.first, f + "." + key);
            out[k] = r.string(entry.second, f + "." + key + "." + k);
          }
        };
        names("queues", cs.queues);
        if (cs.queues.empty()) r.fail(n["queues"], f + ".queues", "must map at least one queue to a team");
        for (const auto& entry : cs.queues) {
          const std::string& team = entry.second;
          if (!c.teams.empty() && std::none_of(c.teams.begin(), c.teams.end(),
                                               [&](const SeedTeam& t) { return t.name == team; })) {
            r.fail(n["queues"][entry.first], f + ".queues." + entry.first, "team '" + team + "' is not in teams:");
          }
          // A help desk's tickets come as e-mail; RT has no "offered" owner.
          for (const SeedTeam& t : c.teams) {
            if (t.name == team && t.routing.is_object() && t.routing.contains("offer_mode") &&
                t.routing["offer_mode"].value("email", "direct") == "offer") {
              r.fail(n["queues"][entry.first], f + ".queues." + entry.first,
                     "team '" + team + "' offers e-mail tickets (routing.offer_mode.email: offer); a help desk has no "
                     "offered owner: use direct for its teams");
            }
          }
        }
        names("agents", cs.agents);
        if (n["statuses"]) {
          std::map<std::string, std::string> statuses;
          names("statuses", statuses);
          cs.statuses = connectors::default_rt_statuses();
          for (const auto& [theirs, ours] : statuses) {
            auto s = parse_enum<TicketStatus>(ours, "status");
            if (!s) r.fail(n["statuses"][theirs], f + ".statuses." + theirs, "must be new, open, pending, hold, solved or closed");
            cs.statuses[theirs] = *s;
          }
        }
        if (n["poll_seconds"]) {
          cs.poll = Duration(static_cast<std::int64_t>(r.number(n["poll_seconds"], f + ".poll_seconds", 0.1, 3600) * 1000));
        }
        if (n["history"]) cs.history = r.boolean(n["history"], f + ".history");
        if (n["page_size"]) cs.page_size = static_cast<int>(r.number(n["page_size"], f + ".page_size", 1, 100));
        c.connectors.push_back(std::move(cs));
      }
    }
    if (const auto agents = root["agents"]) {
      if (!agents.IsSequence()) r.fail(agents, "agents", "must be a list");
      for (std::size_t i = 0; i < agents.size(); ++i) {
        const std::string field = "agents[" + std::to_string(i) + "]";
        SeedAgent a = r.agent(agents[i], field);
        for (const std::string& team : a.team_names) {
          if (!c.has_team(team)) {
            r.fail(agents[i]["teams"], field + ".teams", "team '" + team + "' is not listed under teams");
          }
        }
        c.agents.push_back(std::move(a));
      }
    }
    // After teams: policies name them. Checked as the API would check a PUT.
    if (const auto sn = root["sla"]) {
      c.sla = to_json(sn);
      auto policies = http::parse_sla_settings(
          *c.sla,
          [&](const std::string& name) {
            return c.has_team(name) ? std::optional<TeamId>(TeamId{1'000'000}) : std::nullopt;
          },
          c.tiers);
      if (!policies) {
        const std::string field = policies.error().field;
        r.fail(node_at(sn, field), "sla." + field, policies.error().message);
      }
    }
    if (const auto nn = root["notifications"]) {
      r.only(nn, "notifications", {"smtp", "confirmation", "delivery"});
      notify::NotifySettings& ns = c.notifications;
      if (const auto smtp = nn["smtp"]) {
        r.only(smtp, "notifications.smtp", {"url", "from", "username", "password"});
        notify::SmtpSettings ss;
        if (!smtp["url"]) r.fail(smtp, "notifications.smtp.url", "is required (smtp://host:port)");
        ss.url = r.string(smtp["url"], "notifications.smtp.url");
        if (!ss.url.starts_with("smtp://") && !ss.url.starts_with("smtps://")) {
          r.fail(smtp["url"], "notifications.smtp.url", "must start with smtp:// or smtps://");
        }
        if (!smtp["from"]) r.fail(smtp, "notifications.smtp.from", "is required (\"Support <help@example.com>\")");
        ss.from = r.string(smtp["from"], "notifications.smtp.from");
        if (!notify::is_plain_address(notify::address_of(ss.from))) {
          r.fail(smtp["from"], "notifications.smtp.from", "has no plain e-mail address");
        }
        if (smtp["username"]) ss.username = r.string(smtp["username"], "notifications.smtp.username");
        if (smtp["password"]) ss.password = r.string(smtp["password"], "notifications.smtp.password");
        ns.smtp = std::move(ss);
      }
      if (const auto cn = nn["confirmation"]) {
        const std::string f = "notifications.confirmation";
        r.only(cn, f, {"on_created", "on_assigned", "created", "assigned"});
        if (cn["on_created"]) ns.confirmation.on_created = r.boolean(cn["on_created"], f + ".on_created");
        if (cn["on_assigned"]) ns.confirmation.on_assigned = r.boolean(cn["on_assigned"], f + ".on_assigned");
        for (const char* which : {"created", "assigned"}) {
          const auto tn = cn[which];
          if (!tn) continue;
          const std::string tf = f + "." + which;
          r.only(tn, tf, {"subject", "body"});
          notify::MessageTemplate& tpl =
              std::string(which) == "created" ? ns.confirmation.created : ns.confirmation.assigned;
          for (const char* part : {"subject", "body"}) {
            if (!tn[part]) continue;
            const std::string text = r.string(tn[part], tf + "." + part);
            const auto unknown = notify::unknown_placeholders(text, notify::confirmation_placeholders());
            if (!unknown.empty()) {
              std::string known;
              for (const auto& k : notify::confirmation_placeholders()) known += (known.empty() ? "" : ", ") + k;
              r.fail(tn[part], tf + "." + part, "unknown placeholder {{" + unknown.front() + "}}; known: " + known);
            }
            (std::string(part) == "subject" ? tpl.subject : tpl.body) = text;
          }
        }
      }
      if (const auto dn = nn["delivery"]) {
        const std::string f = "notifications.delivery";
        r.only(dn, f, {"max_attempts", "retry_base_seconds", "retry_max_seconds", "timeout_seconds", "workers"});
        auto seconds = [&](const char* key, double lo, double hi) {
          return Duration(static_cast<std::int64_t>(r.number(dn[key], f + "." + key, lo, hi) * 1000));
        };
        if (dn["max_attempts"]) ns.max_attempts = r.integer(dn["max_attempts"], f + ".max_attempts", 1, 100);
        if (dn["retry_base_seconds"]) ns.retry_base = seconds("retry_base_seconds", 0.01, 86400);
        if (dn["retry_max_seconds"]) ns.retry_max = seconds("retry_max_seconds", 0.01, 7 * 86400);
        if (dn["timeout_seconds"]) ns.timeout = seconds("timeout_seconds", 0.1, 300);
        if (dn["workers"]) ns.workers = r.integer(dn["workers"], f + ".workers", 1, 64);
      }
    }
  } catch (const ConfigError& e) {
    return Error::Invalid("config", e.text);
  } catch (const YAML::Exception& e) {
    return Error::Invalid("config", path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return c;
}

}  // namespace sb
