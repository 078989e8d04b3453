#include "intake/triage_gate.h"

namespace sb::intake {

Result<int> TriageGate::reload_rules() {
  if (!rules_path_ || !load_rules_) return Error::Conflict("no_rules", "no rules file is configured (triage.rules)");
  auto book = load_rules_(*rules_path_);
  if (!book) return Error::Invalid("rules", book.error().message + " (the previous rules stay in force)");
  int count = 0;
  for (const auto& set : book->sets) count += static_cast<int>(set.rules.size());
  std::lock_guard lock(mu_);
  auto next = std::make_shared<triage::TriageSettings>(*settings_);
  next->rules = std::make_shared<const triage::RuleBook>(std::move(*book));
  settings_ = std::move(next);
  return count;
}

bool TriageGate::replace_model(const std::string& name, std::shared_ptr<const triage::Classifier> model) {
  std::lock_guard lock(mu_);
  auto next = std::make_shared<triage::TriageSettings>(*settings_);
  for (triage::ModelSettings& m : next->models) {
    if (m.name != name) continue;
    m.model = std::move(model);
    settings_ = std::move(next);
    return true;
  }
  return false;
}

}  // namespace sb::intake
