#pragma once
// A text classifier: TF-IDF word n-grams (features.h) and a linear model
// trained by liblinear (L2-regularised logistic regression, one-vs-rest,
// optionally class-balanced). Predictions come with a confidence (the
// normalised probability of the chosen label). One file holds everything a
// prediction needs: options, vocabulary with IDF, labels and weights.
//
// A trained Classifier is immutable; predict() is thread-safe.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "triage/features.h"

namespace sb::triage {

struct TrainOptions {
  FeatureOptions features;
  double C = 10.0;          // inverse regularisation strength
  bool balanced = true;     // weight classes by (n / (classes x count)) ^ balance_power
  double balance_power = 1.0;
  double eps = 0.01;        // liblinear's stopping tolerance
  std::vector<std::string> text_fields;  // recorded in the model: which columns make the text
  std::string label_field;               // recorded in the model
  // Calibrate confidences per predicted label (Platt scaling on out-of-fold
  // predictions from `calibration_folds` folds of the training data), so one
  // threshold means the same across labels. 0: off.
  int calibration_folds = 0;
  // Where the examples came from, recorded in the model: the newest stored
  // correction it learnt from (corrections after it are unseen: the server
  // checks a candidate on them), and a line for people.
  std::int64_t trained_through = 0;
  std::string provenance;
};

struct Prediction {
  std::string label;
  double confidence = 0;  // probability of `label`, 0..1; 0 when no word of the text is known
};

using Progress = std::function<void(const std::string&)>;

class Classifier {
 public:
  // Trains on `docs` (each a list of field texts) with their labels. At least
  // two distinct labels are needed. `copies_of`, when given, names for each
  // row the example it repeats (rows repeated to weigh more): calibration
  // folds keep an example's copies together, so no fold is scored on a copy
  // of what it learnt from.
  static Result<Classifier> train(const std::vector<std::vector<std::string>>& docs,
                                  const std::vector<std::string>& labels, const TrainOptions& options,
                                  const Progress& progress = {}, const std::vector<std::size_t>& copies_of = {});
  // Refuses a file that is not a model, or whose contents no longer match
  // the checksum written with them (a damaged or truncated file).
  static Result<Classifier> load(const std::string& path);
  // Writes to `path`.tmp and renames it over `path`: a reader never sees half a model.
  Status save(const std::string& path) const;

  Prediction predict(const std::vector<std::string_view>& fields) const;
  // Every label's probability, in labels() order.
  std::vector<double> probabilities(const std::vector<std::string_view>& fields) const;

  const std::vector<std::string>& labels() const;
  const TrainOptions& options() const;
  int feature_count() const;

 private:
  struct Impl;
  explicit Classifier(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sb::triage
