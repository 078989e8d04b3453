#pragma once
// How good a classifier is on labelled data: accuracy, per-class precision,
// recall and F1, macro-F1 (the mean over labels seen in truth or
// prediction), the confusion matrix, and coverage at a precision target (the
// largest share of tickets, taken in order of confidence, that can be
// auto-routed with at least that precision).
#include <map>
#include <string>
#include <vector>

namespace sb::triage {

struct ClassScore {
  std::string label;
  double precision = 0, recall = 0, f1 = 0;
  int support = 0;
};

struct Evaluation {
  int n = 0;
  double accuracy = 0;
  double macro_f1 = 0;
  double coverage_at_90 = 0;
  double threshold_at_90 = 1;  // the confidence at which coverage_at_90 stops
  std::vector<ClassScore> classes;
  std::vector<std::string> labels;                  // confusion order
  std::vector<std::vector<int>> confusion;          // [truth][predicted]
};

Evaluation evaluate(const std::vector<std::string>& truth, const std::vector<std::string>& predicted,
                    const std::vector<double>& confidence, double target_precision = 0.9);

std::string to_text(const Evaluation& e);

}  // namespace sb::triage
