#include "json/json_codec.h"

namespace sb {
namespace {

using nlohmann::json;

template <class E>
E enum_or(const json& j, const char* key, E fallback) {
  if (!j.contains(key) || !j.at(key).is_string()) return fallback;
  auto r = parse_enum<E>(j.at(key).get<std::string>(), key);
  return r.ok() ? *r : fallback;
}

double seconds(Duration d) { return static_cast<double>(d.count()) / 1000.0; }
Duration from_seconds(const json& j, const char* key, Duration fallback) {
  if (!j.contains(key) || !j.at(key).is_number()) return fallback;
  return Duration(static_cast<std::int64_t>(j.at(key).get<double>() * 1000.0));
}

}  // namespace

json routing_to_json(const TeamRouting& r) {
  json offers = json::object();
  for (std::size_t c = 0; c < r.offer_mode.size(); ++c) {
    offers[std::string(to_string(static_cast<Channel>(c)))] = to_string(r.offer_mode[c]);
  }
  json steps = json::array();
  for (const RelaxStep& s : r.relaxation) {
    json step{{"after_seconds", seconds(s.after)}, {"action", to_string(s.action)}};
    if (s.action == RelaxAction::kLowerProficiency) step["by"] = s.by;
    if (s.team) step["team"] = s.team->value;
    steps.push_back(std::move(step));
  }
  return {{"policy", r.policy},
          {"fallback_policy", r.fallback_policy},
          {"sticky_wait_seconds", seconds(r.sticky_wait)},
          {"load_measure", to_string(r.load_measure)},
          {"aging_step_seconds", seconds(r.aging_step)},
          {"queue_order", to_string(r.queue_order)},
          {"relaxation", std::move(steps)},
          {"offer_mode", std::move(offers)},
          {"offer_timeout_seconds", seconds(r.offer_timeout)},
          {"max_missed_offers", r.max_missed_offers},
          {"agents_move_tickets", r.agents_move_tickets}};
}

TeamRouting routing_from_json(const json& j) {
  TeamRouting r;
  if (!j.is_object()) return r;
  r.policy = j.value("policy", r.policy);
  r.fallback_policy = j.value("fallback_policy", r.fallback_policy);
  r.sticky_wait = from_seconds(j, "sticky_wait_seconds", r.sticky_wait);
  r.load_measure = enum_or(j, "load_measure", r.load_measure);
  r.aging_step = from_seconds(j, "aging_step_seconds", r.aging_step);
  r.queue_order = enum_or(j, "queue_order", r.queue_order);
  if (j.contains("relaxation") && j.at("relaxation").is_array()) {
    for (const json& s : j.at("relaxation")) {
      RelaxStep step;
      step.after = from_seconds(s, "after_seconds", Duration(0));
      step.action = enum_or(s, "action", RelaxAction::kDropOptionalSkills);
      step.by = s.value("by", 1);
      if (s.contains("team") && s.at("team").is_number_integer()) step.team = TeamId{s.at("team").get<std::int64_t>()};
      r.relaxation.push_back(step);
    }
  }
  if (j.contains("offer_mode") && j.at("offer_mode").is_object()) {
    for (std::size_t c = 0; c < r.offer_mode.size(); ++c) {
      r.offer_mode[c] = enum_or(j.at("offer_mode"), std::string(to_string(static_cast<Channel>(c))).c_str(), OfferMode::kDirect);
    }
  }
  r.offer_timeout = from_seconds(j, "offer_timeout_seconds", r.offer_timeout);
  r.max_missed_offers = j.value("max_missed_offers", r.max_missed_offers);
  r.agents_move_tickets = j.value("agents_move_tickets", r.agents_move_tickets);
  return r;
}

json triage_to_json(const TriageInfo& t) {
  return {{"model", t.model},
          {"predicted", t.predicted},
          {"predicts", t.predicts},
          {"predicted_value", t.predicted_value},
          {"prediction_used", t.prediction_used},
          {"confidence", t.confidence},
          {"sent_to_triage", t.sent_to_triage},
          {"rules", t.rules},
          {"priority_reason", t.priority_reason},
          {"auto_reply", t.auto_reply},
          {"predictions", [&] {
             json out = json::array();
             for (const ModelPrediction& p : t.predictions) {
               out.push_back({{"model", p.model}, {"label", p.label}, {"confidence", p.confidence}, {"used", p.used}});
             }
             return out;
           }()}};
}

TriageInfo triage_from_json(const json& j) {
  TriageInfo t;
  if (!j.is_object()) return t;
  t.model = j.value("model", "");
  t.predicted = j.value("predicted", "");
  t.predicts = j.value("predicts", "");
  t.predicted_value = j.value("predicted_value", "");
  t.prediction_used = j.value("prediction_used", false);
  t.confidence = j.value("confidence", 0.0);
  t.sent_to_triage = j.value("sent_to_triage", false);
  if (j.contains("rules") && j.at("rules").is_array()) t.rules = j.at("rules").get<std::vector<std::string>>();
  t.priority_reason = j.value("priority_reason", "");
  t.auto_reply = j.value("auto_reply", "");
  if (j.contains("predictions") && j.at("predictions").is_array()) {
    for (const json& p : j.at("predictions")) {
      t.predictions.push_back({p.value("model", ""), p.value("label", ""), p.value("confidence", 0.0), p.value("used", false)});
    }
  }
  return t;
}

namespace {

json clock_to_json(const std::optional<SlaClockState>& c) {
  if (!c) return nullptr;
  return {{"target_seconds", seconds(c->target)},
          {"consumed_ms", c->consumed.count()},
          {"running_since_ms", c->running_since ? json(to_millis(*c->running_since)) : json(nullptr)},
          {"due", c->due ? json(format_time(*c->due)) : json(nullptr)},
          {"due_ms", c->due ? json(to_millis(*c->due)) : json(nullptr)},
          {"warned", c->warned},
          {"breached", c->breached},
          {"met", c->met}};
}

std::optional<SlaClockState> clock_from_json(const json& j) {
  if (!j.is_object()) return std::nullopt;
  SlaClockState c;
  c.target = from_seconds(j, "target_seconds", Duration(0));
  c.consumed = Duration(j.value("consumed_ms", std::int64_t{0}));
  if (j.contains("running_since_ms") && j.at("running_since_ms").is_number_integer()) {
    c.running_since = from_millis(j.at("running_since_ms").get<std::int64_t>());
  }
  if (j.contains("due_ms") && j.at("due_ms").is_number_integer()) c.due = from_millis(j.at("due_ms").get<std::int64_t>());
  c.warned = j.value("warned", false);
  c.breached = j.value("breached", false);
  c.met = j.value("met", false);
  return c;
}

}  // namespace

json sla_to_json(const SlaState& s) {
  return {{"policy", s.policy},
          {"first_response", clock_to_json(s.first_response)},
          {"next_reply", clock_to_json(s.next_reply)},
          {"resolution", clock_to_json(s.resolution)}};
}

SlaState sla_from_json(const json& j) {
  SlaState s;
  if (!j.is_object()) return s;
  s.policy = j.value("policy", "");
  if (j.contains("first_response")) s.first_response = clock_from_json(j.at("first_response"));
  if (j.contains("next_reply")) s.next_reply = clock_from_json(j.at("next_reply"));
  if (j.contains("resolution")) s.resolution = clock_from_json(j.at("resolution"));
  return s;
}

json decision_to_json(const Decision& d) {
  json candidates = json::array();
  for (const CandidateNote& c : d.candidates) {
    json score = json::object();
    for (const auto& [name, value] : c.score) score[name] = value;
    candidates.push_back({{"agent_id", c.agent.value},
                          {"name", c.name},
                          {"eligible", c.eligible},
                          {"reason", c.reason},
                          {"score", std::move(score)}});
  }
  return {{"ticket_id", d.ticket.value},
          {"at", format_time(d.at)},
          {"at_ms", to_millis(d.at)},
          {"outcome", to_string(d.outcome)},
          {"policy", d.policy},
          {"agent_id", d.agent ? json(d.agent->value) : json(nullptr)},
          {"relaxation_level", d.relaxation_level},
          {"summary", d.summary},
          {"candidates", std::move(candidates)},
          {"excluded_counts", d.excluded_counts}};
}

Decision decision_from_json(const json& j) {
  Decision d;
  d.ticket = TicketId{j.value("ticket_id", std::int64_t{0})};
  d.at = from_millis(j.value("at_ms", std::int64_t{0}));
  // Every stored outcome is a name of the table; anything else reads as queued.
  d.outcome = parse_enum<Outcome>(j.value("outcome", ""), "outcome").value_or(Outcome::kQueued);
  d.policy = j.value("policy", "");
  if (j.contains("agent_id") && j.at("agent_id").is_number_integer()) d.agent = AgentId{j.at("agent_id").get<std::int64_t>()};
  d.relaxation_level = j.value("relaxation_level", 0);
  d.summary = j.value("summary", "");
  if (j.contains("candidates") && j.at("candidates").is_array()) {
    for (const json& c : j.at("candidates")) {
      CandidateNote n;
      n.agent = AgentId{c.value("agent_id", std::int64_t{0})};
      n.name = c.value("name", "");
      n.eligible = c.value("eligible", false);
      n.reason = c.value("reason", "");
      if (c.contains("score") && c.at("score").is_object()) {
        for (const auto& [name, value] : c.at("score").items()) n.score.emplace_back(name, value.get<double>());
      }
      d.candidates.push_back(std::move(n));
    }
  }
  if (j.contains("excluded_counts") && j.at("excluded_counts").is_object()) {
    d.excluded_counts = j.at("excluded_counts").get<std::map<std::string, int>>();
  }
  return d;
}

nlohmann::json attributes_to_json(const Attributes& a) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& entry : a) {
    const std::string& name = entry.first;  // not a structured binding: the lambda captures it (clang 14)
    std::visit([&](const auto& v) { out[name] = v; }, entry.second);
  }
  return out;
}

Attributes attributes_from_json(const nlohmann::json& j) {
  Attributes out;
  if (!j.is_object()) return out;
  for (const auto& [name, v] : j.items()) {
    if (v.is_string()) out[name] = v.get<std::string>();
    else if (v.is_boolean()) out[name] = v.get<bool>();
    else if (v.is_number()) out[name] = v.get<double>();
  }
  return out;
}

nlohmann::json ticket_customer_to_json(const Ticket& t) {
  nlohmann::json out = nlohmann::json::object();
  if (t.requester.customer) out["customer"] = t.requester.customer->value;
  if (!t.requester.matched.empty()) out["matched"] = t.requester.matched;
  if (!t.fields.empty()) out["fields"] = attributes_to_json(t.fields);
  if (t.account_owner) out["account_owner"] = t.account_owner->value;
  return out;
}

void ticket_customer_from_json(const nlohmann::json& j, Ticket& t) {
  if (!j.is_object()) return;
  if (auto it = j.find("customer"); it != j.end() && it->is_number_integer()) {
    t.requester.customer = CustomerId{it->get<std::int64_t>()};
  }
  if (auto it = j.find("matched"); it != j.end() && it->is_string()) t.requester.matched = it->get<std::string>();
  if (auto it = j.find("fields"); it != j.end()) t.fields = attributes_from_json(*it);
  if (auto it = j.find("account_owner"); it != j.end() && it->is_number_integer()) {
    t.account_owner = AgentId{it->get<std::int64_t>()};
  }
}

}  // namespace sb
