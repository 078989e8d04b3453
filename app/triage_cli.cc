#include "app/triage_cli.h"

#include <chrono>
#include <cstdio>

#include "store/open_store.h"
#include "triage/classifier.h"
#include "triage/csv.h"
#include "triage/metrics.h"

namespace sb {
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

// Solved and closed tickets with their final field: the agents' corrections are the labels.
Result<Labelled> read_store(const std::string& db, const std::string& label) {
  if (label != "category" && label != "team") {
    return Error::Invalid("label", "--from-db learns 'category' or 'team'");
  }
  auto store = open_store(db);
  if (!store) return store.error();
  Labelled out;
  for (TicketStatus status : {TicketStatus::kSolved, TicketStatus::kClosed}) {
    TicketQuery q;
    q.status = status;
    q.limit = 1000;
    for (;;) {
      auto page = (*store)->list_tickets(q);
      if (!page) return page.error();
      for (const Ticket& t : page->tickets) {
        const std::string y = label == "team" ? (t.team ? std::to_string(t.team->value) : "") : t.category;
        if (y.empty()) continue;
        out.docs.push_back({t.subject, t.body});
        out.labels.push_back(y);
      }
      if (!page->more) break;
      q.after = page->tickets.back().id.value;
    }
  }
  return out;
}

void progress(const std::string& s) { std::fprintf(stderr, "  %s\n", s.c_str()); }

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
  options.text_fields = cmd.from_db ? std::vector<std::string>{"subject", "body"} : split(cmd.text);
  options.label_field = cmd.label;
  options.calibration_folds = cmd.calibrate;
  if (cmd.ngrams < 1 || cmd.ngrams > 3 || cmd.min_df < 1 || cmd.c <= 0) {
    std::fprintf(stderr, "switchboard train: --ngrams must be 1..3, --min-df >= 1, --C > 0\n");
    return 2;
  }

  std::fprintf(stderr, "reading %s\n", cmd.from_db ? cmd.db.value_or("var/switchboard.db").c_str() : cmd.data.c_str());
  auto data = cmd.from_db ? read_store(cmd.db.value_or("var/switchboard.db"), cmd.label)
                          : read_labelled(cmd.data, options.text_fields, cmd.label);
  if (!data) {
    std::fprintf(stderr, "switchboard train: %s\n", data.error().message.c_str());
    return 2;
  }
  std::fprintf(stderr, "  %zu labelled tickets\n", data->docs.size());

  if (cmd.cv > 1) {
    // k-fold on this data only; folds by row index, so runs repeat exactly.
    std::vector<std::string> truth, predicted;
    std::vector<double> confidence;
    for (int k = 0; k < cmd.cv; ++k) {
      std::fprintf(stderr, "fold %d/%d\n", k + 1, cmd.cv);
      std::vector<std::vector<std::string>> train_docs;
      std::vector<std::string> train_labels;
      std::vector<std::size_t> held;
      for (std::size_t i = 0; i < data->docs.size(); ++i) {
        if (static_cast<int>(i % static_cast<std::size_t>(cmd.cv)) == k) {
          held.push_back(i);
        } else {
          train_docs.push_back(data->docs[i]);
          train_labels.push_back(data->labels[i]);
        }
      }
      auto model = Classifier::train(train_docs, train_labels, options);
      if (!model) {
        std::fprintf(stderr, "switchboard train: %s\n", model.error().message.c_str());
        return 1;
      }
      for (std::size_t i : held) {
        std::vector<std::string_view> fields(data->docs[i].begin(), data->docs[i].end());
        const auto p = model->predict(fields);
        truth.push_back(data->labels[i]);
        predicted.push_back(p.label);
        confidence.push_back(p.confidence);
      }
    }
    const auto e = triage::evaluate(truth, predicted, confidence);
    std::printf("%d-fold cross-validation\n%s", cmd.cv, triage::to_text(e).c_str());
    return 0;
  }

  if (cmd.out.empty()) {
    std::fprintf(stderr, "switchboard train: --out MODEL.bin is required (or --cv K)\n");
    return 2;
  }
  auto model = Classifier::train(data->docs, data->labels, options, progress);
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
    auto j = triage::to_json(e);
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
