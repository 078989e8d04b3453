#include "triage/classifier.h"

#include <linear.h>
#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sb::triage {

struct Classifier::Impl {
  TrainOptions options;
  Featurizer featurizer;
  std::vector<std::string> labels;  // label index -> name (liblinear label = index)
  std::vector<int> label_ids;       // liblinear's class order
  int columns = 0;                  // weight columns: 1 for two classes, else one per class
  std::vector<double> w;            // (features + 1 bias row) x columns, liblinear's layout
  model m{};                        // points into w and label_ids
  // Per label (by label index): calibrated = sigmoid(a * logit(p) + b). Empty: off.
  std::vector<std::pair<double, double>> calibration;

  double calibrate(std::size_t label, double p) const {
    if (calibration.empty()) return p;
    const double q = std::clamp(p, 1e-6, 1 - 1e-6);
    const auto [a, b] = calibration[label];
    return 1.0 / (1.0 + std::exp(-(a * std::log(q / (1 - q)) + b)));
  }

  void bind() {
    m.param.solver_type = L2R_LR;
    m.nr_class = static_cast<int>(label_ids.size());
    m.nr_feature = featurizer.size();
    m.w = w.data();
    m.label = label_ids.data();
    m.bias = 1.0;
  }
};

namespace {

void quiet(const char*) {}

std::vector<feature_node> nodes(const SparseVector& v, int features) {
  std::vector<feature_node> x;
  x.reserve(v.size() + 2);
  for (const auto& [index, value] : v) x.push_back({index, value});
  x.push_back({features + 1, 1.0});  // bias
  x.push_back({-1, 0.0});
  return x;
}

// Platt scaling for one label: fits P(correct) = sigmoid(a * x + b) over
// (x = logit of the raw confidence, correct) pairs by Newton's method, with
// an L2 pull towards the identity (a = 1, b = 0) so that labels with few
// predictions stay close to the raw confidence.
std::pair<double, double> fit_platt(const std::vector<std::pair<double, bool>>& samples, double pull) {
  double a = 1, b = 0;
  for (int iter = 0; iter < 50; ++iter) {
    double ga = pull * (a - 1), gb = pull * b, haa = pull, hab = 0, hbb = pull;
    for (const auto& [x, y] : samples) {
      const double p = 1.0 / (1.0 + std::exp(-(a * x + b)));
      const double r = p - (y ? 1.0 : 0.0), w = std::max(p * (1 - p), 1e-9);
      ga += r * x;
      gb += r;
      haa += w * x * x;
      hab += w * x;
      hbb += w;
    }
    const double det = haa * hbb - hab * hab;
    if (std::abs(det) < 1e-12) break;
    const double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (std::abs(da) + std::abs(db) < 1e-9) break;
  }
  return {a, b};
}

}  // namespace

Result<Classifier> Classifier::train(const std::vector<std::vector<std::string>>& docs,
                                     const std::vector<std::string>& labels, const TrainOptions& options,
                                     const Progress& progress, const std::vector<std::size_t>& copies_of) {
  if (!copies_of.empty() && copies_of.size() != docs.size()) {
    return Error::Invalid("copies_of", "one example index per row is needed");
  }
  auto say = [&](const std::string& s) {
    if (progress) progress(s);
  };
  if (docs.size() != labels.size() || docs.empty()) return Error::Invalid("data", "no training rows");
  auto impl = std::make_shared<Impl>();
  impl->options = options;
  impl->featurizer = Featurizer(options.features);

  std::map<std::string, int> ids;
  for (const std::string& l : labels) ids.emplace(l, 0);
  if (ids.size() < 2) return Error::Invalid("label", "training needs at least two distinct labels");
  for (auto& [name, id] : ids) {
    id = static_cast<int>(impl->labels.size());
    impl->labels.push_back(name);
  }

  say("building features from " + std::to_string(docs.size()) + " documents");
  impl->featurizer.fit(docs);
  const int features = impl->featurizer.size();
  std::vector<std::vector<feature_node>> rows(docs.size());
  std::vector<feature_node*> x(docs.size());
  std::vector<double> y(docs.size());
  std::vector<int> counts(impl->labels.size());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    rows[i] = nodes(impl->featurizer.transform(docs[i]), features);
    x[i] = rows[i].data();
    y[i] = ids.at(labels[i]);
    ++counts[static_cast<std::size_t>(ids.at(labels[i]))];
  }
  say(std::to_string(features) + " features, " + std::to_string(impl->labels.size()) + " labels");

  problem prob{};
  prob.l = static_cast<int>(docs.size());
  prob.n = features + 1;
  prob.y = y.data();
  prob.x = x.data();
  prob.bias = 1.0;

  parameter param{};
  param.solver_type = L2R_LR;
  param.C = options.C;
  param.eps = options.eps;
  std::vector<int> weight_label;
  std::vector<double> weight;
  if (options.balanced) {
    for (std::size_t c = 0; c < counts.size(); ++c) {
      weight_label.push_back(static_cast<int>(c));
      weight.push_back(std::pow(static_cast<double>(docs.size()) / (static_cast<double>(counts.size()) * counts[c]),
                                options.balance_power));
    }
    param.nr_weight = static_cast<int>(weight.size());
    param.weight_label = weight_label.data();
    param.weight = weight.data();
  }
  if (const char* err = check_parameter(&prob, &param)) return Error::Invalid("options", err);
  set_print_string_function(quiet);
  say("training logistic regression (liblinear, C=" + std::to_string(options.C) + ", " +
      (options.balanced ? "class-balanced" : "unweighted") + ", one-vs-rest over " +
      std::to_string(impl->labels.size()) + " labels)");
  model* trained = ::train(&prob, &param);

  impl->label_ids.assign(trained->label, trained->label + trained->nr_class);
  impl->columns = trained->nr_class == 2 ? 1 : trained->nr_class;
  impl->w.assign(trained->w, trained->w + static_cast<std::size_t>(features + 1) * impl->columns);
  free_and_destroy_model(&trained);
  impl->bind();

  if (options.calibration_folds > 1) {
    say("calibrating confidences on " + std::to_string(options.calibration_folds) + " folds");
    TrainOptions inner = options;
    inner.calibration_folds = 0;
    std::vector<std::vector<std::pair<double, bool>>> samples(impl->labels.size());
    for (int k = 0; k < options.calibration_folds; ++k) {
      std::vector<std::vector<std::string>> fold_docs;
      std::vector<std::string> fold_labels;
      std::vector<std::size_t> held;
      for (std::size_t i = 0; i < docs.size(); ++i) {
        const std::size_t example = copies_of.empty() ? i : copies_of[i];
        if (static_cast<int>(example % static_cast<std::size_t>(options.calibration_folds)) == k) {
          if (copies_of.empty() || i == 0 || copies_of[i - 1] != example) held.push_back(i);  // copies scored once
        } else {
          fold_docs.push_back(docs[i]);
          fold_labels.push_back(labels[i]);
        }
      }
      auto fold_model = Classifier::train(fold_docs, fold_labels, inner);
      if (!fold_model) continue;  // a fold without two labels: skip it
      for (std::size_t i : held) {
        const std::vector<std::string_view> fields(docs[i].begin(), docs[i].end());
        const Prediction p = fold_model->predict(fields);
        if (p.confidence <= 0) continue;
        const double q = std::clamp(p.confidence, 1e-6, 1 - 1e-6);
        samples[static_cast<std::size_t>(ids.at(p.label))].emplace_back(std::log(q / (1 - q)), p.label == labels[i]);
      }
    }
    impl->calibration.resize(impl->labels.size(), {1.0, 0.0});
    for (std::size_t c = 0; c < samples.size(); ++c) {
      if (!samples[c].empty()) impl->calibration[c] = fit_platt(samples[c], 5.0);
    }
  }
  say("trained");
  return Classifier(std::move(impl));
}

namespace {

// liblinear's probabilities for `fields`, in liblinear's class order, in a
// per-thread buffer (no allocation once warm). `known` says whether any word
// of the text is in the vocabulary.
const std::vector<double>& raw_probabilities(const model& m, const Featurizer& featurizer,
                                             const std::vector<std::string_view>& fields, bool* known = nullptr) {
  thread_local SparseVector v;
  thread_local std::vector<feature_node> x;
  thread_local std::vector<double> raw;
  featurizer.transform_into(fields, v);
  if (known) *known = !v.empty();
  x.clear();
  for (const auto& [index, value] : v) x.push_back({index, value});
  x.push_back({featurizer.size() + 1, 1.0});  // bias
  x.push_back({-1, 0.0});
  raw.resize(static_cast<std::size_t>(m.nr_class));
  predict_probability(&m, x.data(), raw.data());
  return raw;
}

}  // namespace

std::vector<double> Classifier::probabilities(const std::vector<std::string_view>& fields) const {
  const Impl& m = *impl_;
  const std::vector<double>& raw = raw_probabilities(m.m, m.featurizer, fields);
  std::vector<double> out(m.labels.size());
  for (std::size_t i = 0; i < m.label_ids.size(); ++i) out[static_cast<std::size_t>(m.label_ids[i])] = raw[i];
  return out;
}

Prediction Classifier::predict(const std::vector<std::string_view>& fields) const {
  const Impl& m = *impl_;
  bool known = false;
  const std::vector<double>& raw = raw_probabilities(m.m, m.featurizer, fields, &known);
  std::size_t best = 0;
  for (std::size_t i = 1; i < raw.size(); ++i) {
    if (raw[i] > raw[best]) best = i;
  }
  // With no known word the model only repeats its prior: that is no evidence.
  const auto label = static_cast<std::size_t>(m.label_ids[best]);
  return {m.labels[label], known ? m.calibrate(label, raw[best]) : 0.0};
}

const std::vector<std::string>& Classifier::labels() const { return impl_->labels; }
const TrainOptions& Classifier::options() const { return impl_->options; }
int Classifier::feature_count() const { return impl_->featurizer.size(); }

// File: a text header (magic line, one JSON line of options and labels),
// then the body: the vocabulary as "term<TAB>idf" lines and the weights as
// raw doubles. Version 2 puts a BLAKE2b checksum of the body in the header.
namespace {
std::string body_checksum(std::string_view body) {
  static const bool ready = sodium_init() >= 0;
  (void)ready;
  unsigned char hash[crypto_generichash_BYTES];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(body.data()), body.size(), nullptr, 0);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : hash) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}
}  // namespace

Status Classifier::save(const std::string& path) const {
  const Impl& m = *impl_;
  std::ostringstream body;
  body.precision(17);
  for (const auto& [term, idf] : m.featurizer.vocabulary()) body << term << '\t' << idf << '\n';
  body.write(reinterpret_cast<const char*>(m.w.data()), static_cast<std::streamsize>(m.w.size() * sizeof(double)));
  const std::string bytes = std::move(body).str();
  const FeatureOptions& f = m.options.features;
  nlohmann::json meta{{"labels", m.labels},
                      {"label_ids", m.label_ids},
                      {"columns", m.columns},
                      {"features",
                       {{"max_ngram", f.max_ngram},
                        {"min_df", f.min_df},
                        {"title_features", f.title_features},
                        {"title_weight", f.title_weight},
                        {"ngram_weight", f.ngram_weight}}},
                      {"C", m.options.C},
                      {"balanced", m.options.balanced},
                      {"balance_power", m.options.balance_power},
                      {"text_fields", m.options.text_fields},
                      {"label_field", m.options.label_field},
                      {"calibration", m.calibration},
                      {"trained_through", m.options.trained_through},
                      {"provenance", m.options.provenance},
                      {"vocabulary", m.featurizer.size()},
                      {"weights", m.w.size()},
                      {"checksum", body_checksum(bytes)}};
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Error::Invalid("out", path + ": cannot write");
    out << "switchboard-classifier 2\n" << meta.dump() << "\n" << bytes;
    out.flush();
    if (!out) return Error::Invalid("out", path + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Error::Invalid("out", path + ": cannot replace it");
  return Status::Ok();
}

Result<Classifier> Classifier::load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error::Invalid("model", path + ": cannot read the model file");
  const Error bad = Error::Invalid("model", path + ": not a switchboard classifier (or damaged)");
  std::string line;
  if (!std::getline(file, line) || (line != "switchboard-classifier 1" && line != "switchboard-classifier 2")) {
    return bad;
  }
  const bool checked = line.back() == '2';
  if (!std::getline(file, line)) return bad;
  const nlohmann::json meta = nlohmann::json::parse(line, nullptr, false);
  if (meta.is_discarded() || !meta.is_object()) return bad;
  std::string bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  if (checked && (!meta.contains("checksum") || meta["checksum"] != body_checksum(bytes))) {
    return Error::Invalid("model", path + ": damaged (its contents do not match the checksum written with them)");
  }
  std::istringstream in(std::move(bytes));
  auto impl = std::make_shared<Impl>();
  try {
    impl->labels = meta.at("labels").get<std::vector<std::string>>();
    impl->label_ids = meta.at("label_ids").get<std::vector<int>>();
    impl->columns = meta.at("columns").get<int>();
    const auto& f = meta.at("features");
    FeatureOptions fo{f.at("max_ngram").get<int>(), f.at("min_df").get<int>(), f.at("title_features").get<bool>(),
                      f.value("title_weight", 1.0), f.value("ngram_weight", 1.0)};
    if (!(fo.title_weight > 0) || !(fo.ngram_weight > 0)) return bad;
    impl->options.features = fo;
    impl->options.C = meta.at("C").get<double>();
    impl->options.balanced = meta.at("balanced").get<bool>();
    impl->options.balance_power = meta.value("balance_power", 1.0);
    impl->options.text_fields = meta.at("text_fields").get<std::vector<std::string>>();
    impl->options.label_field = meta.at("label_field").get<std::string>();
    impl->options.trained_through = meta.value("trained_through", std::int64_t{0});
    impl->options.provenance = meta.value("provenance", std::string());
    if (meta.contains("calibration")) {
      impl->calibration = meta.at("calibration").get<std::vector<std::pair<double, double>>>();
    }
    const auto vocab_size = meta.at("vocabulary").get<std::size_t>();
    const auto weights = meta.at("weights").get<std::size_t>();
    std::vector<std::pair<std::string, double>> vocab;
    vocab.reserve(vocab_size);
    for (std::size_t i = 0; i < vocab_size; ++i) {
      if (!std::getline(in, line)) return bad;
      const auto tab = line.rfind('\t');
      if (tab == std::string::npos) return bad;
      vocab.emplace_back(line.substr(0, tab), std::stod(line.substr(tab + 1)));
    }
    impl->featurizer.restore(fo, std::move(vocab));
    if (weights != (vocab_size + 1) * static_cast<std::size_t>(impl->columns) ||
        impl->label_ids.size() != impl->labels.size()) {
      return bad;
    }
    impl->w.resize(weights);
    in.read(reinterpret_cast<char*>(impl->w.data()), static_cast<std::streamsize>(weights * sizeof(double)));
    if (!in) return bad;
  } catch (const std::exception&) {
    return bad;
  }
  impl->bind();
  return Classifier(std::move(impl));
}

}  // namespace sb::triage
