#include "triage/metrics.h"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <set>

namespace sb::triage {

Evaluation evaluate(const std::vector<std::string>& truth, const std::vector<std::string>& predicted,
                    const std::vector<double>& confidence, double target_precision) {
  Evaluation e;
  e.n = static_cast<int>(truth.size());
  std::set<std::string> all(truth.begin(), truth.end());
  all.insert(predicted.begin(), predicted.end());
  e.labels.assign(all.begin(), all.end());
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < e.labels.size(); ++i) index[e.labels[i]] = i;
  e.confusion.assign(e.labels.size(), std::vector<int>(e.labels.size(), 0));
  int right = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    ++e.confusion[index[truth[i]]][index[predicted[i]]];
    right += truth[i] == predicted[i];
  }
  e.accuracy = e.n ? static_cast<double>(right) / e.n : 0;
  double f1_sum = 0;
  for (std::size_t c = 0; c < e.labels.size(); ++c) {
    int tp = e.confusion[c][c], col = 0, row = 0;
    for (std::size_t k = 0; k < e.labels.size(); ++k) {
      col += e.confusion[k][c];
      row += e.confusion[c][k];
    }
    ClassScore s{e.labels[c], col ? double(tp) / col : 0, row ? double(tp) / row : 0, 0, row};
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;
    f1_sum += s.f1;
    e.classes.push_back(s);
  }
  e.macro_f1 = e.labels.empty() ? 0 : f1_sum / static_cast<double>(e.labels.size());

  std::vector<std::size_t> order(truth.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return confidence[a] > confidence[b]; });
  int correct = 0, best = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    correct += truth[order[k]] == predicted[order[k]];
    // Only cut between distinct confidences: ties go in or out together.
    const bool boundary = k + 1 == order.size() || confidence[order[k + 1]] < confidence[order[k]];
    if (boundary && correct >= target_precision * static_cast<double>(k + 1)) {
      best = static_cast<int>(k + 1);
      e.threshold_at_90 = confidence[order[k]];
    }
  }
  e.coverage_at_90 = e.n ? static_cast<double>(best) / e.n : 0;
  return e;
}

std::string to_text(const Evaluation& e) {
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "tickets %d\naccuracy %.4f\nmacro-F1 %.4f\ncoverage at 90%% precision %.4f (confidence >= %.3f)\n\n",
                e.n, e.accuracy, e.macro_f1, e.coverage_at_90, e.threshold_at_90);
  out += buf;
  out += "label                 precision  recall      F1  support\n";
  for (const ClassScore& s : e.classes) {
    std::snprintf(buf, sizeof buf, "%-20s %10.3f %7.3f %7.3f %8d\n", s.label.substr(0, 20).c_str(), s.precision, s.recall,
                  s.f1, s.support);
    out += buf;
  }
  out += "\nconfusion (rows: truth, columns: predicted)\n";
  std::snprintf(buf, sizeof buf, "%12s", "");
  out += buf;
  for (const std::string& l : e.labels) {
    std::snprintf(buf, sizeof buf, " %6s", l.substr(0, 6).c_str());
    out += buf;
  }
  out += '\n';
  for (std::size_t r = 0; r < e.labels.size(); ++r) {
    std::snprintf(buf, sizeof buf, "%12s", e.labels[r].substr(0, 12).c_str());
    out += buf;
    for (int v : e.confusion[r]) {
      std::snprintf(buf, sizeof buf, " %6d", v);
      out += buf;
    }
    out += '\n';
  }
  return out;
}

}  // namespace sb::triage
