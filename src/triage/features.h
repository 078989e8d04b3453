#pragma once
// Text to TF-IDF features. A document is a list of fields (e.g. title, body);
// tokens are lower-cased runs of letters and digits. Features are word
// n-grams (1..max_ngram) over all fields, plus, when title_features is set,
// the first field's words again under their own names, so a word in the title
// can weigh differently from the same word in the body. Values are
// sublinear TF (1 + log tf) times IDF, times the term's kind weight (title
// words and n-grams of two or more words may count more or less than plain
// words), L2-normalised.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sb::triage {

struct FeatureOptions {
  int max_ngram = 2;
  int min_df = 2;              // features in fewer documents are dropped
  bool title_features = true;
  double title_weight = 1.0;   // title words ("t:" features) are scaled by this
  double ngram_weight = 1.0;   // n-grams of 2+ words are scaled by this
};

using SparseVector = std::vector<std::pair<int, double>>;  // (feature index from 1, value), sorted

class Featurizer {
 public:
  explicit Featurizer(FeatureOptions options = {}) : options_(options) {}

  // Learns the vocabulary and IDF from `docs`.
  void fit(const std::vector<std::vector<std::string>>& docs);
  SparseVector transform(const std::vector<std::string_view>& fields) const;
  // The same into a caller's buffer (no allocation once it has grown).
  void transform_into(const std::vector<std::string_view>& fields, SparseVector& out) const;
  SparseVector transform(const std::vector<std::string>& fields) const;

  int size() const { return static_cast<int>(idf_.size()); }
  const FeatureOptions& options() const { return options_; }

  // For the model file.
  std::vector<std::pair<std::string, double>> vocabulary() const;  // (term, idf) in index order
  void restore(FeatureOptions options, std::vector<std::pair<std::string, double>> vocabulary);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  // Calls emit(term) for every term occurrence of the document (training).
  template <class Emit>
  void terms(const std::vector<std::string_view>& fields, std::string& scratch, Emit&& emit) const;

  // Prediction looks each word up once (word id), then n-grams by packed ids.
  FeatureOptions options_;
  std::unordered_map<std::string, int, Hash, std::equal_to<>> word_id_;  // kept unigram -> word id
  std::vector<int> unigram_feature_;                                     // word id -> feature index
  std::vector<int> title_feature_;                                       // word id -> feature index, 0: none
  std::unordered_map<std::uint64_t, int> ngram_feature_;                 // packed word ids -> feature index
  std::vector<std::string> terms_;                                       // feature index - 1 -> term
  std::vector<double> idf_;                                              // feature index - 1 -> idf
  std::vector<double> scale_;                                            // idf x the term kind's weight
};

}  // namespace sb::triage
