#include "app/triage_cli.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "db/open_store.h"
#include "intake/model_updater.h"
#include "triage/classifier.h"
#include "triage/csv.h"
#include "triage/metrics.h"

namespace sb {

namespace {

nlohmann::json evaluation_json(const triage::Evaluation& e) {
  nlohmann::json classes = nlohmann::json::array();
  for (const triage::ClassScore& s : e.classes) {
    classes.push_back({{"label", s.label}, {"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}, {"support", s.support}});
  }
  return {{"tickets", e.n},
          {"accuracy", e.accuracy},
          {"macro_f1", e.macro_f1},
          {"coverage_at_90", e.coverage_at_90},
          {"threshold_at_90", e.threshold_at_90},
          {"classes", classes},
          {"labels", e.labels},
          {"confusion", e.confusion}};
}


}  // namespace
namespace {

using triage::Classifier;

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= s.size()) {
    const std::size_t j = s.find(',', i);
    out.push_back(s.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return out;
}

struct Labelled {
  std::vector<std::vector<std::string>> docs;
  std::vector<std::string> labels;
  std::vector<std::size_t> copies_of;  // each row's example, when rows repeat examples (else empty)
};

Result<Labelled> read_labelled(const std::string& path, const std::vector<std::string>& text, const std::string& label) {
  auto table = triage::read_csv(path);
  if (!table) return table.error();
  std::vector<std::size_t> cols;
  for (const std::string& t : text) {
    auto c = table->column(t, "text");
    if (!c) return c.error();
    cols.push_back(*c);
  }
  auto lc = table->column(label, "label");
  if (!lc) return lc.error();
  Labelled out;
  for (auto& row : table->rows) {
    if (row[*lc].empty()) continue;
    std::vector<std::string> doc;
    for (std::size_t c : cols) doc.push_back(row[c]);
    out.docs.push_back(std::move(doc));
    out.labels.push_back(row[*lc]);
  }
  return out;
}

// The corrections people made (intake/model_updater.h): each ticket's
// latest decision on `field`, oldest first; the first `limit` of them when
// set (the learning curve), the newest `holdout` left out (the server checks
// the model on them). Recent ones count more: a decision `age` older than
// the newest weighs 1 + (recent_weight - 1) * 2^(-age / half_life), applied
// by repeating it that many times, rounded (liblinear 2.3 has no instance
// weights).
struct FromDb {
  Labelled data;
  std::size_t decisions = 0, held_out = 0, copies = 0;
  std::int64_t trained_through = 0;
};
Result<FromDb> read_corrections(const TrainCommand& cmd) {
  if (cmd.label != "category" && cmd.label != "team") {
    return Error::Invalid("label", "--from-db learns 'category' or 'team'");
  }
  auto store = open_store(cmd.db.value_or("var/switchboard.db"));
  if (!store) return store.error();
  Store& s = **store;
  auto all = intake::read_corrections(
      [&](std::int64_t after, int limit) { return s.list_corrections(cmd.label, after, limit); });
  if (!all) return all.error();
  std::vector<intake::Lesson> lessons = intake::latest_decisions(*all);
  if (cmd.limit > 0 && lessons.size() > static_cast<std::size_t>(cmd.limit)) lessons.resize(static_cast<std::size_t>(cmd.limit));
  FromDb out;
  out.decisions = lessons.size();
  const std::size_t held = std::min(lessons.size(), static_cast<std::size_t>(std::max(cmd.holdout, 0)));
  out.held_out = held;
  lessons.resize(lessons.size() - held);
  if (lessons.empty()) return out;
  out.trained_through = lessons.back().id;
  const auto half_life = Duration(static_cast<std::int64_t>(cmd.half_life_days * 86'400'000.0));
  const std::vector<int> repeats = intake::copies_by_recency(lessons, half_life, cmd.recent_weight);
  for (std::size_t i = 0; i < lessons.size(); ++i) {
    const int copies = repeats[i];
    for (int k = 0; k < copies; ++k) {
      out.data.docs.push_back({lessons[i].example.subject, lessons[i].example.body});
      out.data.labels.push_back(lessons[i].example.label);
      out.data.copies_of.push_back(i);
    }
    out.copies += static_cast<std::size_t>(copies);
  }
  return out;
}

void progress(const std::string& s) { std::fprintf(stderr, "  %s\n", s.c_str()); }

Result<triage::TrainOptions> tune(const Labelled& data, const triage::TrainOptions& options, bool verbose);

// k folds by row index (runs repeat exactly); each fold is predicted by a
// model trained on the others, tuned on them first when `tuned`.
Result<triage::Evaluation> cross_validate(const Labelled& data, const triage::TrainOptions& options, int folds,
                                          bool tuned, bool verbose) {
  std::vector<std::string> truth, predicted;
  std::vector<double> confidence;
  for (int k = 0; k < folds; ++k) {
    if (verbose) std::fprintf(stderr, "fold %d/%d\n", k + 1, folds);
    Labelled part;
    std::vector<std::size_t> held;
    for (std::size_t i = 0; i < data.docs.size(); ++i) {
      // Repeated rows (recent corrections) stay in one fold, scored once.
      const std::size_t example = data.copies_of.empty() ? i : data.copies_of[i];
      if (static_cast<int>(example % static_cast<std::size_t>(folds)) == k) {
        if (data.copies_of.empty() || i == 0 || data.copies_of[i - 1] != example) held.push_back(i);
      } else {
        part.docs.push_back(data.docs[i]);
        part.labels.push_back(data.labels[i]);
      }
    }
    triage::TrainOptions fold_options = options;
    if (tuned) {
      auto t = tune(part, options, verbose);
      if (!t) return t.error();
      fold_options = *t;
    }
    auto model = Classifier::train(part.docs, part.labels, fold_options);
    if (!model) return model.error();
    for (std::size_t i : held) {
      std::vector<std::string_view> fields(data.docs[i].begin(), data.docs[i].end());
      const auto p = model->predict(fields);
      truth.push_back(data.labels[i]);
      predicted.push_back(p.label);
      confidence.push_back(p.confidence);
    }
  }
  return triage::evaluate(truth, predicted, confidence);
}

// Picks the title and n-gram weights with the best macro-F1 by 5-fold
// cross-validation on `data` (calibration off meanwhile: it moves confidences,
// not labels). Plain weights (1, 1) stay unless the best beats them by at
// least kMargin: smaller differences are well inside fold-to-fold noise.
Result<triage::TrainOptions> tune(const Labelled& data, const triage::TrainOptions& options, bool verbose) {
  constexpr int kFolds = 5;
  constexpr double kMargin = 0.005;
  const std::vector<double> title_weights =
      options.features.title_features ? std::vector<double>{1, 1.5, 2} : std::vector<double>{1};
  const std::vector<double> ngram_weights =
      options.features.max_ngram > 1 ? std::vector<double>{1, 0.5} : std::vector<double>{1};
  triage::TrainOptions best = options;
  double best_f1 = -1, plain_f1 = -1;
  for (double nw : ngram_weights) {
    for (double tw : title_weights) {
      triage::TrainOptions candidate = options;
      candidate.features.title_weight = tw;
      candidate.features.ngram_weight = nw;
      candidate.calibration_folds = 0;
      auto e = cross_validate(data, candidate, kFolds, false, false);
      if (!e) return e.error();
      if (verbose) {
        std::fprintf(stderr, "  tune: title weight %.1f, n-gram weight %.1f: macro-F1 %.4f, accuracy %.4f\n", tw, nw,
                     e->macro_f1, e->accuracy);
      }
      if (tw == 1 && nw == 1) plain_f1 = e->macro_f1;
      if (e->macro_f1 > best_f1) {
        best_f1 = e->macro_f1;
        best = candidate;
      }
    }
  }
  if (best_f1 < plain_f1 + kMargin) {
    best = options;
    best.features.title_weight = best.features.ngram_weight = 1;
    best_f1 = plain_f1;
  }
  best.calibration_folds = options.calibration_folds;
  if (verbose) {
    std::fprintf(stderr, "  tune: chose title weight %.1f, n-gram weight %.1f (%d-fold macro-F1 %.4f)\n",
                 best.features.title_weight, best.features.ngram_weight, kFolds, best_f1);
  }
  return best;
}

}  // namespace

int run_train(const TrainCommand& cmd) {
  const auto started = std::chrono::steady_clock::now();
  triage::TrainOptions options;
  options.C = cmd.c;
  options.balanced = !cmd.unbalanced;
  options.balance_power = cmd.balance_power;
  options.features.max_ngram = cmd.ngrams;
  options.features.min_df = cmd.min_df;
  options.features.title_features = !cmd.no_title_features;
  options.features.title_weight = cmd.title_weight;
  options.features.ngram_weight = cmd.ngram_weight;
  options.text_fields = cmd.from_db ? std::vector<std::string>{"subject", "body"} : split(cmd.text);
  if (cmd.from_db && (cmd.holdout < 0 || cmd.limit < 0 || !(cmd.half_life_days > 0) || cmd.recent_weight < 1)) {
    std::fprintf(stderr, "switchboard train: --holdout and --limit must be >= 0, --half-life > 0, --recent-weight >= 1\n");
    return 2;
  }
  options.label_field = cmd.label;
  options.calibration_folds = cmd.calibrate;
  if (cmd.ngrams < 1 || cmd.ngrams > 3 || cmd.min_df < 1 || !(cmd.c > 0) || !(cmd.title_weight > 0) ||
      !(cmd.ngram_weight > 0)) {
    std::fprintf(stderr,
                 "switchboard train: --ngrams must be 1..3, --min-df >= 1, --C, --title-weight and --ngram-weight > 0\n");
    return 2;
  }

  Result<Labelled> data = Labelled{};
  if (cmd.from_db) {
    std::fprintf(stderr, "reading the corrections in %s\n", cmd.db.value_or("var/switchboard.db").c_str());
    auto corrections = read_corrections(cmd);
    if (!corrections) {
      std::fprintf(stderr, "switchboard train: %s\n", corrections.error().message.c_str());
      return 2;
    }
    std::fprintf(stderr, "  %zu decisions: %zu learnt from (as %zu examples, recent ones repeated), newest %zu held out\n",
                 corrections->decisions, corrections->decisions - corrections->held_out, corrections->copies,
                 corrections->held_out);
    options.trained_through = corrections->trained_through;
    options.provenance = std::to_string(corrections->decisions - corrections->held_out) + " corrections of '" +
                         cmd.label + "' up to #" + std::to_string(corrections->trained_through);
    data = std::move(corrections->data);
  }
  if (!cmd.data.empty()) {
    // The shared history: rows of a CSV (the label column: --data-label, else --label).
    std::fprintf(stderr, "reading %s\n", cmd.data.c_str());
    auto history = read_labelled(cmd.data, split(cmd.text), cmd.data_label.value_or(cmd.label));
    if (!history) {
      std::fprintf(stderr, "switchboard train: %s\n", history.error().message.c_str());
      return 2;
    }
    std::fprintf(stderr, "  %zu labelled rows\n", history->docs.size());
    if (cmd.from_db) options.provenance += " + " + std::to_string(history->docs.size()) + " rows of " + cmd.data;
    const std::size_t first = data->copies_of.empty() ? 0 : data->copies_of.back() + 1;
    for (std::size_t i = 0; i < history->docs.size(); ++i) {
      data->docs.push_back(std::move(history->docs[i]));
      data->labels.push_back(std::move(history->labels[i]));
      if (cmd.from_db) data->copies_of.push_back(first + i);
    }
  }
  std::fprintf(stderr, "  %zu labelled tickets\n", data->docs.size());

  if (cmd.cv > 1) {
    // k-fold on this data only; with --tune each fold's training part is tuned
    // on its own (nested), so the figure is that of the whole procedure.
    auto e = cross_validate(*data, options, cmd.cv, cmd.tune, true);
    if (!e) {
      std::fprintf(stderr, "switchboard train: %s\n", e.error().message.c_str());
      return 1;
    }
    std::printf("%d-fold cross-validation\n%s", cmd.cv, triage::to_text(*e).c_str());
    return 0;
  }

  if (cmd.out.empty()) {
    std::fprintf(stderr, "switchboard train: --out MODEL.bin is required (or --cv K)\n");
    return 2;
  }
  if (cmd.tune) {
    auto tuned = tune(*data, options, true);
    if (!tuned) {
      std::fprintf(stderr, "switchboard train: %s\n", tuned.error().message.c_str());
      return 1;
    }
    options = *tuned;
  }
  auto model = Classifier::train(data->docs, data->labels, options, progress, data->copies_of);
  if (!model) {
    std::fprintf(stderr, "switchboard train: %s\n", model.error().message.c_str());
    return 1;
  }
  if (auto s = model->save(cmd.out); !s) {
    std::fprintf(stderr, "switchboard train: %s\n", s.error().message.c_str());
    return 1;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr, "wrote %s: %zu labels, %d features, %.1f s\n", cmd.out.c_str(), model->labels().size(),
               model->feature_count(), secs);
  return 0;
}

int run_eval(const EvalCommand& cmd) {
  auto model = Classifier::load(cmd.model);
  if (!model) {
    std::fprintf(stderr, "switchboard eval: %s\n", model.error().message.c_str());
    return 2;
  }
  const auto text = cmd.text ? split(*cmd.text) : model->options().text_fields;
  const std::string label = cmd.label.value_or(model->options().label_field);
  auto data = read_labelled(cmd.data, text, label);
  if (!data) {
    std::fprintf(stderr, "switchboard eval: %s\n", data.error().message.c_str());
    return 2;
  }
  std::vector<std::string> predicted;
  std::vector<double> confidence;
  const auto started = std::chrono::steady_clock::now();
  for (const auto& doc : data->docs) {
    std::vector<std::string_view> fields(doc.begin(), doc.end());
    const auto p = model->predict(fields);
    predicted.push_back(p.label);
    confidence.push_back(p.confidence);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto e = triage::evaluate(data->labels, predicted, confidence);
  if (cmd.json) {
    auto j = evaluation_json(e);
    j["model"] = cmd.model;
    j["data"] = cmd.data;
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("model %s on %s (label '%s')\n%s", cmd.model.c_str(), cmd.data.c_str(), label.c_str(),
                triage::to_text(e).c_str());
    std::printf("\n%.0f predictions/s\n", secs > 0 ? static_cast<double>(data->docs.size()) / secs : 0.0);
  }
  return 0;
}

}  // namespace sb
