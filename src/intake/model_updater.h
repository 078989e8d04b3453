#pragma once
// Models change without a restart (docs/triage.md): `switchboard train
// --from-db` writes a candidate beside a serving model (its path +
// ".candidate"); on SIGHUP or POST /api/v1/triage/models/reload the
// candidate is scored with the serving model on the newest corrections
// neither learnt from (at least `holdout` of them) and replaces it only if it
// is not worse (triage/model_check.h). An accepted candidate is renamed over
// the model file (a restart serves it too) and swapped into the triage
// settings; a refused or damaged one is renamed to ".refused" and the
// serving model stays. Every check, with both models' figures, is kept in
// the store's settings ("triage.model_checks"). Thread-safe: one check at a
// time.
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "intake/triage_gate.h"
#include "service/service.h"
#include "triage/model_check.h"

namespace sb::intake {

// A stored decision as a training or test example.
struct Lesson {
  std::int64_t id = 0;  // the correction's
  Time at;
  triage::Example example;
};
// Each ticket's latest decision, in the order those decisions were made
// (a ticket moved twice teaches where it ended up).
std::vector<Lesson> latest_decisions(const std::vector<Correction>& corrections);
// How many times each lesson counts when training (liblinear 2.3 has no
// instance weights, so a heavier lesson is repeated): a decision `age` older
// than the newest weighs 1 + (recent_weight - 1) * 2^(-age / half_life),
// relative to the lightest and rounded; lessons all of an age count once.
std::vector<int> copies_by_recency(const std::vector<Lesson>& lessons, Duration half_life, double recent_weight);
// Every stored correction of `field`, oldest first, read a page at a time.
Result<std::vector<Correction>> read_corrections(
    const std::function<Result<std::vector<Correction>>(std::int64_t after, int limit)>& page);
// The correction field a model learns from: "team" or "category"; "" for
// urgency and impact models (no person corrects those).
std::string corrected_field(triage::Predicts predicts);

struct ModelCheckOptions {
  std::size_t holdout = 200;  // at least this many corrections the candidate has not seen
  double tolerance = 0;       // "not worse" allows this much less macro-F1 or coverage
};

struct ModelCheck {
  std::string model;  // its name
  Time at;
  std::string file;   // the candidate's
  bool accepted = false;
  std::string reason;
  std::optional<triage::ModelFigures> candidate, serving;
  std::int64_t trained_through = 0;
  std::string provenance;
  double seconds = 0;  // reading, scoring and swapping
};
// A check as a JSON object's text (as the store keeps it and the API shows it).
std::string to_json_text(const ModelCheck& c);

class ModelUpdater {
 public:
  ModelUpdater(Service& service, TriageGate& gate, ModelCheckOptions options = {})
      : service_(service), gate_(gate), options_(options) {}
  // Checks every model's candidate file that exists, in model order.
  // 409 no_candidate when there is none.
  Result<std::vector<ModelCheck>> check_candidates();
  // The checks so far, newest first, as a JSON array's text.
  std::string history_json();
  const ModelCheckOptions& options() const { return options_; }

 private:
  ModelCheck check(const triage::ModelSettings& m, const std::string& file);
  void record(const ModelCheck& c);

  Service& service_;
  TriageGate& gate_;
  ModelCheckOptions options_;
  std::mutex mu_;
};

}  // namespace sb::intake
