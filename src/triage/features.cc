#include "triage/features.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <array>
#include <unordered_set>

namespace sb::triage {
namespace {

// ASCII letters and digits, and every byte of a UTF-8 sequence (so words in
// other scripts stay whole); no locale lookups on the hot path.
inline bool word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}
inline char lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

void tokenize(std::string_view text, std::vector<std::string_view>& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !word_byte(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t j = i;
    while (j < text.size() && word_byte(static_cast<unsigned char>(text[j]))) ++j;
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j;
  }
}

}  // namespace

template <class Emit>
void Featurizer::terms(const std::vector<std::string_view>& fields, std::string& scratch, Emit&& emit) const {
  std::vector<std::string_view> words;
  for (std::size_t f = 0; f < fields.size(); ++f) {
    words.clear();
    tokenize(fields[f], words);
    for (std::size_t i = 0; i < words.size(); ++i) {
      for (int n = 1; n <= options_.max_ngram && i + static_cast<std::size_t>(n) <= words.size(); ++n) {
        scratch.clear();
        for (int k = 0; k < n; ++k) {
          if (k) scratch += ' ';
          for (char c : words[i + static_cast<std::size_t>(k)]) scratch += lower_ascii(c);
        }
        emit(std::string_view(scratch));
        if (f == 0 && n == 1 && options_.title_features) {
          scratch.insert(0, "t:");
          emit(std::string_view(scratch));
        }
      }
    }
  }
}

namespace {

std::uint64_t pack(const int* ids, int n) {
  std::uint64_t key = static_cast<std::uint64_t>(n);
  for (int k = 0; k < n; ++k) key = (key << 21) | static_cast<std::uint64_t>(ids[k] + 1);
  return key;
}

}  // namespace

void Featurizer::fit(const std::vector<std::vector<std::string>>& docs) {
  std::unordered_map<std::string, int> df;
  std::string scratch;
  for (const auto& doc : docs) {
    std::vector<std::string_view> fields(doc.begin(), doc.end());
    std::unordered_set<std::string> seen;
    terms(fields, scratch, [&](std::string_view t) { seen.emplace(t); });
    for (const std::string& t : seen) ++df[t];
  }
  std::vector<std::string> kept;
  for (const auto& [term, count] : df) {
    if (count >= options_.min_df) kept.push_back(term);
  }
  std::sort(kept.begin(), kept.end());  // a stable index order: same data, same model
  std::vector<std::pair<std::string, double>> vocabulary;
  const double n = static_cast<double>(docs.size());
  for (const std::string& term : kept) vocabulary.emplace_back(term, std::log((1.0 + n) / (1.0 + df[term])) + 1.0);
  restore(options_, std::move(vocabulary));
}

SparseVector Featurizer::transform(const std::vector<std::string_view>& fields) const {
  SparseVector out;
  transform_into(fields, out);
  std::sort(out.begin(), out.end());  // liblinear's training wants increasing indices
  return out;
}

void Featurizer::transform_into(const std::vector<std::string_view>& fields, SparseVector& out) const {
  thread_local std::vector<int> found;
  thread_local std::vector<int> ids;
  thread_local std::vector<std::string_view> words;
  found.clear();
  char lower[64];
  for (std::size_t f = 0; f < fields.size(); ++f) {
    words.clear();
    tokenize(fields[f], words);
    ids.clear();
    for (std::string_view w : words) {
      int id = -1;
      if (w.size() <= sizeof lower) {
        for (std::size_t k = 0; k < w.size(); ++k) lower[k] = lower_ascii(w[k]);
        auto it = word_id_.find(std::string_view(lower, w.size()));
        if (it != word_id_.end()) id = it->second;
      }
      ids.push_back(id);
      if (id < 0) continue;
      found.push_back(unigram_feature_[static_cast<std::size_t>(id)]);
      if (f == 0 && options_.title_features && title_feature_[static_cast<std::size_t>(id)]) {
        found.push_back(title_feature_[static_cast<std::size_t>(id)]);
      }
    }
    for (int n = 2; n <= options_.max_ngram; ++n) {
      for (std::size_t i = 0; i + static_cast<std::size_t>(n) <= ids.size(); ++i) {
        bool known = true;
        for (int k = 0; k < n; ++k) known = known && ids[i + static_cast<std::size_t>(k)] >= 0;
        if (!known) continue;
        auto it = ngram_feature_.find(pack(&ids[i], n));
        if (it != ngram_feature_.end()) found.push_back(it->second);
      }
    }
  }
  // Count terms in a per-thread dense array; features keep first-seen order
  // (a linear model does not care, and sorting costs more than the rest).
  thread_local std::vector<std::uint16_t> counts;
  if (counts.size() < idf_.size() + 1) counts.assign(idf_.size() + 1, 0);
  out.clear();
  for (int index : found) {
    if (counts[static_cast<std::size_t>(index)]++ == 0) out.emplace_back(index, 0.0);
  }
  for (auto& [index, tf] : out) {
    tf = counts[static_cast<std::size_t>(index)];
    counts[static_cast<std::size_t>(index)] = 0;
  }
  static const auto log1p_table = [] {
    std::array<double, 64> t{};
    for (std::size_t i = 1; i < t.size(); ++i) t[i] = 1.0 + std::log(static_cast<double>(i));
    return t;
  }();
  double norm = 0;
  for (auto& [index, tf] : out) {
    const auto count = static_cast<std::size_t>(tf);
    tf = (count < log1p_table.size() ? log1p_table[count] : 1.0 + std::log(tf)) * scale_[static_cast<std::size_t>(index - 1)];
    norm += tf * tf;
  }
  if (norm > 0) {
    norm = std::sqrt(norm);
    for (auto& [index, value] : out) value /= norm;
  }
}

SparseVector Featurizer::transform(const std::vector<std::string>& fields) const {
  return transform(std::vector<std::string_view>(fields.begin(), fields.end()));
}

std::vector<std::pair<std::string, double>> Featurizer::vocabulary() const {
  std::vector<std::pair<std::string, double>> out;
  out.reserve(terms_.size());
  for (std::size_t i = 0; i < terms_.size(); ++i) out.emplace_back(terms_[i], idf_[i]);
  return out;
}

void Featurizer::restore(FeatureOptions options, std::vector<std::pair<std::string, double>> vocabulary) {
  options_ = options;
  word_id_.clear();
  unigram_feature_.clear();
  title_feature_.clear();
  ngram_feature_.clear();
  terms_.clear();
  idf_.clear();
  scale_.clear();
  // Feature indices follow the vocabulary's order; word ids are given to
  // unigrams in a first pass so n-grams and title terms can refer to them.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < vocabulary.size(); ++i) {
    const std::string& t = vocabulary[i].first;
    if (t.rfind("t:", 0) != 0 && t.find(' ') == std::string::npos) order.push_back(i);
  }
  for (std::size_t i = 0; i < vocabulary.size(); ++i) {
    const std::string& t = vocabulary[i].first;
    if (t.rfind("t:", 0) == 0 || t.find(' ') != std::string::npos) order.push_back(i);
  }
  // add_term numbers features in call order; keep the vocabulary's numbering
  // by first sizing, then filling.
  terms_.resize(vocabulary.size());
  idf_.resize(vocabulary.size());
  scale_.resize(vocabulary.size());
  for (std::size_t i : order) {
    const std::string& term = vocabulary[i].first;
    const int index = static_cast<int>(i) + 1;
    terms_[i] = term;
    idf_[i] = vocabulary[i].second;
    const bool title = term.rfind("t:", 0) == 0, ngram = !title && term.find(' ') != std::string::npos;
    scale_[i] = idf_[i] * (title ? options.title_weight : ngram ? options.ngram_weight : 1.0);
    if (title) {
      auto it = word_id_.find(std::string_view(term).substr(2));
      if (it != word_id_.end()) title_feature_[static_cast<std::size_t>(it->second)] = index;
    } else if (!ngram) {
      word_id_.emplace(term, static_cast<int>(unigram_feature_.size()));
      unigram_feature_.push_back(index);
      title_feature_.push_back(0);
    } else {
      int ids[3];
      int n = 0;
      std::size_t a = 0;
      bool ok = true;
      while (n < 3) {
        const std::size_t b = term.find(' ', a);
        auto it = word_id_.find(std::string_view(term).substr(a, b == std::string::npos ? std::string::npos : b - a));
        if (it == word_id_.end()) {
          ok = false;
          break;
        }
        ids[n++] = it->second;
        if (b == std::string::npos) break;
        a = b + 1;
      }
      if (ok) ngram_feature_.emplace(pack(ids, n), index);
    }
  }
}

}  // namespace sb::triage
