#include "triage/triage.h"

#include <algorithm>

namespace sb::triage {
namespace {

std::string render(std::string text, const Ticket& t) {
  auto replace = [&](const std::string& key, const std::string& value) {
    for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
      text.replace(at, key.size(), value);
    }
  };
  replace("{{subject}}", t.subject);
  replace("{{requester.name}}", t.requester.name.empty() ? std::string("there") : t.requester.name);
  replace("{{requester.email}}", t.requester.email);
  return text;
}

}  // namespace

TriageOutcome run_triage(const TriageInput& in, const TriageSettings& settings, Time now) {
  TriageOutcome out;
  out.ticket = in.ticket;
  Ticket& t = out.ticket;
  TriageInfo info;
  std::string team_name = in.team_name;

  std::optional<Level> urgency = in.urgency, impact = in.impact;
  for (const ModelSettings& m : settings.models) {
    if (!m.model) continue;
    const std::vector<std::string_view> text{t.subject, t.body};
    const Prediction p = m.model->predict(text);
    const bool sure = p.confidence >= m.min_confidence;
    auto mapped = [&](const std::string& label) {
      auto it = m.labels.find(label);
      return it != m.labels.end() ? it->second : label;
    };
    ModelPrediction record{m.name, p.label, p.confidence, false};
    if (m.predicts == Predicts::kTeam || m.predicts == Predicts::kCategory) {
      info.model = m.name;
      info.predicted = p.label;
      info.predicts = m.predicts == Predicts::kTeam ? "team" : "category";
      info.predicted_value = mapped(p.label);
      info.prediction_used = sure;
      info.confidence = p.confidence;
      if (m.predicts == Predicts::kTeam && !t.team) {
        team_name = sure ? mapped(p.label) : settings.triage_team;
        info.sent_to_triage = !sure;
        out.team_name = team_name;
        record.used = sure;
      }
      if (m.predicts == Predicts::kCategory && t.category.empty()) {
        if (sure) {
          t.category = p.label;
          record.used = true;
        } else if (!t.team) {
          team_name = settings.triage_team;
          out.team_name = team_name;
          info.sent_to_triage = true;
        }
      }
    } else {
      // Urgency or impact: used only when the caller gave none and the model is sure.
      std::optional<Level>& target = m.predicts == Predicts::kUrgency ? urgency : impact;
      auto level = parse_enum<Level>(mapped(p.label), "label");
      if (!target && sure && level) {
        target = *level;
        record.used = true;
      }
    }
    info.predictions.push_back(std::move(record));
  }

  const PriorityResult pr = compute_priority(
      PriorityInput{in.explicit_priority, urgency, impact, t.requester.tier, t.subject + "\n" + t.body},
      settings.priority);
  t.priority = pr.priority;
  info.priority_reason = pr.reason;

  if (settings.rules) {
    bool stop = false;
    for (const RuleSet& set : settings.rules->sets) {
      for (const Rule& rule : set.rules) {
        const Facts facts{t, team_name, info.predicted, info.confidence, now, in.customer, in.organization};
        if (!rule.when.matches(facts)) continue;
        info.rules.push_back(rule.name);
        const Action& a = rule.then;
        if (a.priority) {
          t.priority = *a.priority;
          info.priority_reason += "; rule '" + rule.name + "' set " + std::string(to_string(*a.priority));
        }
        if (a.category) t.category = *a.category;
        if (a.tier && *a.tier != t.requester.tier) {
          // Before the SLA policy is chosen (at create). A tier that raises
          // priority raises it now, unless a priority was given or this rule sets one.
          const auto& raise = settings.priority.raise_tiers;
          auto raises = [&](const std::string& tier) { return std::find(raise.begin(), raise.end(), tier) != raise.end(); };
          const bool raised_before = raises(t.requester.tier);
          t.requester.tier = *a.tier;
          if (raises(*a.tier) && !raised_before && !in.explicit_priority && !a.priority && t.priority != Priority::kUrgent) {
            t.priority = static_cast<Priority>(static_cast<int>(t.priority) + 1);
            info.priority_reason += "; rule '" + rule.name + "' made the requester '" + *a.tier + "': raised to " +
                                    std::string(to_string(t.priority));
          }
        }
        if (a.team) {
          team_name = *a.team;
          out.team_name = team_name;
          t.team.reset();
          info.sent_to_triage = false;
        }
        if (a.required_skills) t.required_skills = *a.required_skills;
        for (const std::string& tag : a.tags) {
          if (std::find(t.tags.begin(), t.tags.end(), tag) == t.tags.end()) t.tags.push_back(tag);
        }
        for (const auto& [name, value] : a.fields) t.fields[name] = value;
        if (a.assign_to) out.assign_to = a.assign_to;
        if (a.spam) {
          out.spam = true;
          if (std::find(t.tags.begin(), t.tags.end(), "spam") == t.tags.end()) t.tags.push_back("spam");
        }
        if (a.auto_reply) info.auto_reply = render(*a.auto_reply, t);
        if (a.stop) stop = true;
        if (set.first_match || stop) break;
      }
      if (stop) break;
    }
  }
  t.triage = std::move(info);
  return out;
}

}  // namespace sb::triage
