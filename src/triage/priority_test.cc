#include <gtest/gtest.h>

#include <chrono>

#include "triage/triage.h"

namespace sb::triage {
namespace {

// 2026-11-25 is a Wednesday.
Time wednesday_at(int hour) {
  using namespace std::chrono;
  return Time(sys_days(year{2026} / 11 / 25)) + hours(hour);
}

TEST(Priority, MatrixSignalsVipAndExplicit) {
  PriorityPolicy p;
  auto r = compute_priority({std::nullopt, Level::kHigh, Level::kHigh, "standard", "x"}, p);
  EXPECT_EQ(r.priority, Priority::kUrgent);
  r = compute_priority({std::nullopt, Level::kLow, Level::kMedium, "standard", "printer jam"}, p);
  EXPECT_EQ(r.priority, Priority::kLow);
  r = compute_priority({std::nullopt, std::nullopt, Level::kMedium, "standard", "I was charged twice!"}, p);
  EXPECT_EQ(r.priority, Priority::kHigh);  // the text makes urgency high
  EXPECT_NE(r.reason.find("charged twice"), std::string::npos);
  r = compute_priority({std::nullopt, std::nullopt, std::nullopt, "standard", "the download page"}, p);
  EXPECT_EQ(r.priority, Priority::kNormal);  // "download" is not "down"
  r = compute_priority({Priority::kLow, std::nullopt, std::nullopt, "vip", "x"}, p);
  EXPECT_EQ(r.priority, Priority::kNormal);  // VIP bump
  EXPECT_NE(r.reason.find("VIP"), std::string::npos);
}

TEST(Pipeline, AnUrgencyModelFeedsThePriorityMatrix) {
  std::vector<std::vector<std::string>> docs;
  std::vector<std::string> labels;
  for (int i = 0; i < 30; ++i) {
    docs.push_back({"server unreachable", "production server unreachable since " + std::to_string(i)});
    labels.push_back("u0");
    docs.push_back({"question about holidays", "a general question " + std::to_string(i)});
    labels.push_back("u3");
  }
  TrainOptions options;
  options.calibration_folds = 0;
  auto model = Classifier::train(docs, labels, options);
  ASSERT_TRUE(model.ok());
  TriageSettings settings;
  settings.models.push_back(ModelSettings{std::make_shared<const Classifier>(std::move(*model)), "urgency", 0.6,
                                          Predicts::kUrgency, {{"u0", "high"}, {"u3", "low"}}});
  TriageInput in;
  in.ticket.subject = "server unreachable";
  in.ticket.body = "the production server";
  auto out = run_triage(in, settings, wednesday_at(10));
  EXPECT_EQ(out.ticket.priority, Priority::kHigh);  // urgency high x impact medium
  ASSERT_EQ(out.ticket.triage->predictions.size(), 1u);
  EXPECT_EQ(out.ticket.triage->predictions[0].model, "urgency");
  EXPECT_EQ(out.ticket.triage->predictions[0].label, "u0");
  EXPECT_TRUE(out.ticket.triage->predictions[0].used);
  EXPECT_FALSE(out.team_name);  // no team model: the team is left alone

  in.urgency = Level::kLow;  // the caller's urgency wins
  out = run_triage(in, settings, wednesday_at(10));
  EXPECT_EQ(out.ticket.priority, Priority::kLow);
  EXPECT_FALSE(out.ticket.triage->predictions[0].used);
}

}  // namespace
}  // namespace sb::triage
