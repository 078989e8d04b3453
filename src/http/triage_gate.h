#pragma once
// The API's handle on triage settings: the current settings (model, rules,
// priority policy), swapped whole on a rules reload so requests in flight
// keep the version they started with. Thread-safe.
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/status.h"
#include "triage/triage.h"

namespace sb::http {

class TriageGate {
 public:
  TriageGate(triage::TriageSettings settings, std::optional<std::string> rules_path)
      : settings_(std::make_shared<const triage::TriageSettings>(std::move(settings))), rules_path_(std::move(rules_path)) {}

  std::shared_ptr<const triage::TriageSettings> settings() const {
    std::lock_guard lock(mu_);
    return settings_;
  }
  // Reads the rules file again. On error the previous rules stay and the
  // error says why (file:line:column). Returns the number of rules loaded.
  Result<int> reload_rules();
  const std::optional<std::string>& rules_path() const { return rules_path_; }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const triage::TriageSettings> settings_;
  std::optional<std::string> rules_path_;
};

}  // namespace sb::http
