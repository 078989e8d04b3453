#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "triage/classifier.h"
#include "triage/csv.h"
#include "triage/metrics.h"

namespace sb::triage {
namespace {

std::string temp(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("sb_triage_" + std::to_string(::getpid()) + "_" + name)).string();
}

TEST(Csv, ReadsQuotesAndCrlfAndNamesBadLines) {
  const std::string path = temp("a.csv");
  std::ofstream(path) << "title,body,label\r\n\"VPN, again\",\"he said \"\"down\"\"\nline two\",net\r\nx,y,z\r\n";
  auto t = read_csv(path);
  ASSERT_TRUE(t.ok()) << t.error().message;
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0][0], "VPN, again");
  EXPECT_EQ(t->rows[0][1], "he said \"down\"\nline two");
  EXPECT_EQ(*t->column("label", "label"), 2u);
  EXPECT_FALSE(t->column("nope", "label").ok());
  std::ofstream(path) << "a,b\n1,2\n3\n";
  auto bad = read_csv(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find(":3:"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(Metrics, AccuracyMacroF1AndCoverage) {
  // 4 right (high confidence), then 1 wrong, 1 right.
  std::vector<std::string> truth{"a", "a", "b", "b", "a", "b"};
  std::vector<std::string> pred{"a", "a", "b", "b", "b", "b"};
  std::vector<double> conf{0.99, 0.98, 0.97, 0.96, 0.6, 0.5};
  auto e = evaluate(truth, pred, conf);
  EXPECT_NEAR(e.accuracy, 5.0 / 6, 1e-9);
  // a: P 1, R 2/3 -> F1 0.8; b: P 3/4, R 1 -> F1 6/7.
  EXPECT_NEAR(e.macro_f1, (0.8 + 6.0 / 7) / 2, 1e-9);
  // Top 4 are 100 % right; top 5 80 %; all 6: 5/6 = 83 % < 90 %.
  EXPECT_NEAR(e.coverage_at_90, 4.0 / 6, 1e-9);
  EXPECT_EQ(e.confusion[0][1], 1);
}

// Title words and n-grams are scaled by their weights before the vector is
// normalised: against a plain word of the same document, a title feature
// counts twice as much with title_weight 2, a bigram half with ngram_weight 0.5.
TEST(Features, TitleAndNgramWeightsScaleTheirTerms) {
  const std::vector<std::vector<std::string>> docs{{"vpn", "vpn tunnel"}, {"vpn", "vpn tunnel"}, {"mail", "mail box"},
                                                   {"mail", "mail box"}, {"tunnel", "box"}};
  auto values = [&](double title_weight, double ngram_weight) {
    Featurizer f(FeatureOptions{2, 1, true, title_weight, ngram_weight});
    f.fit(docs);
    std::map<std::string, double> out;
    const auto vocabulary = f.vocabulary();
    for (const auto& [index, value] : f.transform(docs[0])) out[vocabulary[static_cast<std::size_t>(index - 1)].first] = value;
    return out;
  };
  const auto plain = values(1, 1), weighted = values(2, 0.5);
  ASSERT_TRUE(plain.count("t:vpn") && plain.count("vpn tunnel") && plain.count("tunnel"));
  EXPECT_NEAR(weighted.at("t:vpn") / weighted.at("tunnel"), 2 * plain.at("t:vpn") / plain.at("tunnel"), 1e-12);
  EXPECT_NEAR(weighted.at("vpn tunnel") / weighted.at("tunnel"), 0.5 * plain.at("vpn tunnel") / plain.at("tunnel"), 1e-12);
  EXPECT_NEAR(weighted.at("vpn") / weighted.at("tunnel"), plain.at("vpn") / plain.at("tunnel"), 1e-12);
  double norm = 0;
  for (const auto& [term, value] : weighted) norm += value * value;
  EXPECT_NEAR(norm, 1.0, 1e-12);
}

TEST(Classifier, LearnsSavesAndLoadsTheSameModel) {
  std::vector<std::vector<std::string>> docs;
  std::vector<std::string> labels;
  for (int i = 0; i < 30; ++i) {
    docs.push_back({"vpn drops", "the vpn tunnel drops every hour " + std::to_string(i)});
    labels.push_back("network");
    docs.push_back({"invoice wrong", "charged twice on my invoice " + std::to_string(i)});
    labels.push_back("billing");
    docs.push_back({"password reset", "cannot log in, reset my password " + std::to_string(i)});
    labels.push_back("access");
  }
  TrainOptions options;
  options.features.title_weight = 2;  // not the defaults, so the file must keep them
  options.features.ngram_weight = 0.5;
  auto model = Classifier::train(docs, labels, options);
  ASSERT_TRUE(model.ok()) << model.error().message;
  const std::vector<std::string_view> ticket{"tunnel down", "my vpn keeps dropping"};
  const auto p = model->predict(ticket);
  EXPECT_EQ(p.label, "network");
  EXPECT_GT(p.confidence, 0.5);
  const std::string path = temp("model.bin");
  ASSERT_TRUE(model->save(path).ok());
  auto loaded = Classifier::load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->labels(), model->labels());
  EXPECT_EQ(loaded->options().features.title_weight, 2);
  EXPECT_EQ(loaded->options().features.ngram_weight, 0.5);
  const auto q = loaded->predict(ticket);
  EXPECT_EQ(q.label, p.label);
  EXPECT_DOUBLE_EQ(q.confidence, p.confidence);
  std::ofstream(path) << "not a model";
  EXPECT_FALSE(Classifier::load(path).ok());
  std::filesystem::remove(path);
  EXPECT_FALSE(Classifier::train({{"x"}}, {"only"}, TrainOptions{}).ok());
}

}  // namespace
}  // namespace sb::triage
