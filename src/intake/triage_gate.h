#pragma once
// Intake's handle on triage settings: the current settings (models, rules,
// priority policy), swapped whole on a rules reload so requests in flight
// keep the version they started with. Thread-safe.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/status.h"
#include "triage/triage.h"

namespace sb::intake {

// Reads a rules file (the app's YAML reader); errors say file:line:column.
using RulesLoader = std::function<Result<triage::RuleBook>(const std::string& path)>;

class TriageGate {
 public:
  explicit TriageGate(triage::TriageSettings settings = {}, std::optional<std::string> rules_path = std::nullopt,
                      RulesLoader load_rules = {})
      : settings_(std::make_shared<const triage::TriageSettings>(std::move(settings))),
        rules_path_(std::move(rules_path)),
        load_rules_(std::move(load_rules)) {}

  std::shared_ptr<const triage::TriageSettings> settings() const {
    std::lock_guard lock(mu_);
    return settings_;
  }
  // Reads the rules file again. On error the previous rules stay and the
  // error says why (file:line:column); 409 no_rules when no file (or no
  // loader) is configured. Returns the number of rules loaded.
  Result<int> reload_rules();
  const std::optional<std::string>& rules_path() const { return rules_path_; }
  // Puts `model` in place of the model named `name` (requests in flight keep
  // the one they started with). False when no model has that name.
  bool replace_model(const std::string& name, std::shared_ptr<const triage::Classifier> model);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const triage::TriageSettings> settings_;
  std::optional<std::string> rules_path_;
  RulesLoader load_rules_;
};

}  // namespace sb::intake
