#pragma once
// Triage: what happens to a ticket between arrival and routing. In order:
// the classifier proposes a label with a confidence (setting the team or
// category only when it is sure enough, else sending the ticket to the
// triage team for a person); priority comes from urgency x impact, the
// text's urgency signals and the requester's tier; then the business rules
// run and may override anything. Stateless and pure: safe on many threads.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "triage/classifier.h"
#include "triage/priority.h"
#include "triage/rules.h"

namespace sb::triage {

// What a model's label decides.
enum class Predicts { kTeam, kCategory, kUrgency, kImpact };

struct ModelSettings {
  std::shared_ptr<const Classifier> model;
  std::string name = "category";
  double min_confidence = 0.6;
  Predicts predicts = Predicts::kTeam;
  // label -> team name (team; default: a team named as the label), or
  // label -> low|medium|high (urgency, impact; default: the label itself).
  std::map<std::string, std::string> labels;
  std::string path;  // the file it was loaded from ("" none); its candidate is path + ".candidate"
};

struct TriageSettings {
  // At most one team or category model (its unsure tickets go to the triage
  // team), and optionally models for urgency and impact that feed priority.
  std::vector<ModelSettings> models;
  std::string triage_team = "Triage";
  PriorityPolicy priority;
  std::shared_ptr<const RuleBook> rules;  // null: none
  std::vector<std::string> tiers = default_tiers();  // a requester's tier must be one of these
};

struct TriageInput {
  Ticket ticket;                    // as parsed; ticket.team set when the caller named one
  std::string team_name;            // the caller's team, by name ("" when none)
  std::optional<Priority> explicit_priority;
  std::optional<Level> urgency;
  std::optional<Level> impact;
  // The requester's records (intake's match), for rules; not owned, may be null.
  const Customer* customer = nullptr;
  const Organization* organization = nullptr;
};

struct TriageOutcome {
  Ticket ticket;                          // fields set; .triage filled in
  std::optional<std::string> team_name;   // route to this team (by name), when triage chose one
  std::optional<AgentId> assign_to;
  bool spam = false;
};

TriageOutcome run_triage(const TriageInput& input, const TriageSettings& settings, Time now);

}  // namespace sb::triage
