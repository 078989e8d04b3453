#pragma once
// Whether a candidate model may replace the serving one: both are scored on
// the same held-out examples (corrections the candidate never learnt from);
// the candidate wins unless it is worse on macro-F1 or on coverage at the
// configured confidence threshold. Coverage counts the tickets it would
// route on its own *and rightly*: a confident wrong guess is a misroute, so
// an overconfident model cannot win on coverage. Pure.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "triage/classifier.h"

namespace sb::triage {

struct Example {
  std::string subject, body;
  std::string label;  // in the model's label space
};

struct ModelFigures {
  std::size_t examples = 0;
  double accuracy = 0;
  double macro_f1 = 0;
  double coverage = 0;   // share routed on its own and rightly (confidence >= the threshold, label right)
  double confident = 0;  // share with confidence >= the threshold, right or not
  double precision = 0;  // right among the confident (0 when none)
};

ModelFigures score_model(const Classifier& model, const std::vector<Example>& examples, double threshold);

struct Verdict {
  bool accepted = false;
  std::string reason;
};

// `serving` absent: nothing to compare with, accepted. Worse by more than
// `tolerance` on either figure: refused, saying which and by how much.
Verdict judge(const ModelFigures& candidate, const std::optional<ModelFigures>& serving, double tolerance);

}  // namespace sb::triage
