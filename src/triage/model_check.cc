#include "triage/model_check.h"

#include <cstdio>

#include "triage/metrics.h"

namespace sb::triage {

ModelFigures score_model(const Classifier& model, const std::vector<Example>& examples, double threshold) {
  std::vector<std::string> truth, predicted;
  std::vector<double> confidence;
  ModelFigures f;
  std::size_t sure = 0, sure_right = 0;
  for (const Example& e : examples) {
    const Prediction p = model.predict({e.subject, e.body});
    truth.push_back(e.label);
    predicted.push_back(p.label);
    confidence.push_back(p.confidence);
    if (p.confidence >= threshold) {
      ++sure;
      if (p.label == e.label) ++sure_right;
    }
  }
  f.examples = examples.size();
  if (examples.empty()) return f;
  const Evaluation e = evaluate(truth, predicted, confidence);
  f.accuracy = e.accuracy;
  f.macro_f1 = e.macro_f1;
  f.confident = static_cast<double>(sure) / static_cast<double>(examples.size());
  f.coverage = static_cast<double>(sure_right) / static_cast<double>(examples.size());
  f.precision = sure ? static_cast<double>(sure_right) / static_cast<double>(sure) : 0;
  return f;
}

Verdict judge(const ModelFigures& candidate, const std::optional<ModelFigures>& serving, double tolerance) {
  if (!serving) return {true, "no model was serving"};
  char buf[200];
  if (candidate.macro_f1 < serving->macro_f1 - tolerance) {
    std::snprintf(buf, sizeof buf, "worse macro-F1 on the held-out corrections: %.3f against %.3f", candidate.macro_f1,
                  serving->macro_f1);
    return {false, buf};
  }
  if (candidate.coverage < serving->coverage - tolerance) {
    std::snprintf(buf, sizeof buf, "lower coverage at the threshold on the held-out corrections: %.3f against %.3f",
                  candidate.coverage, serving->coverage);
    return {false, buf};
  }
  std::snprintf(buf, sizeof buf, "not worse on %zu held-out corrections: macro-F1 %.3f (serving %.3f), coverage %.3f (%.3f)",
                candidate.examples, candidate.macro_f1, serving->macro_f1, candidate.coverage, serving->coverage);
  return {true, buf};
}

}  // namespace sb::triage
