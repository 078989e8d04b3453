// Classifier speed: predictions per second on one thread over the real
// help-desk tickets (model trained on tickets_train.csv, predicting
// tickets_test.csv, text = title + body). Run from the project root.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "triage/classifier.h"
#include "triage/csv.h"

namespace sb::triage {
namespace {

struct Data {
  std::vector<std::vector<std::string>> docs;
  std::vector<std::string> labels;
};

Data load(const std::string& path, const std::string& label) {
  Data d;
  auto t = read_csv(path);
  if (!t) {
    std::fprintf(stderr, "%s\n", t.error().message.c_str());
    std::exit(1);
  }
  const std::size_t title = *t->column("title", ""), body = *t->column("body", ""), l = *t->column(label, "");
  for (auto& row : t->rows) {
    d.docs.push_back({row[title], row[body]});
    d.labels.push_back(row[l]);
  }
  return d;
}

void predict_all(benchmark::State& state, const std::string& label) {
  const Data train = load("../shared/data/tickets_train.csv", label);
  const Data test = load("../shared/data/tickets_test.csv", label);
  auto model = Classifier::train(train.docs, train.labels, TrainOptions{});
  std::vector<std::vector<std::string_view>> views;
  for (const auto& d : test.docs) views.emplace_back(d.begin(), d.end());
  for (auto _ : state) {
    for (const auto& v : views) benchmark::DoNotOptimize(model->predict(v));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * views.size()));
}

void BM_PredictCategory(benchmark::State& state) { predict_all(state, "category"); }
void BM_PredictBusinessService(benchmark::State& state) { predict_all(state, "business_service"); }
BENCHMARK(BM_PredictCategory)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PredictBusinessService)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sb::triage

BENCHMARK_MAIN();
