#include "reports/reports.h"

#include <gtest/gtest.h>

namespace sb::reports {
namespace {

Time h(double hours) { return from_millis(static_cast<std::int64_t>(1795597200000 + hours * 3'600'000)); }

TEST(Reports, BucketsGroupsAndExactPercentiles) {
  std::vector<TicketFact> facts;
  // Hour 0, team 1: assigned after 10, 20, ..., 100 s; half solved after 1 h.
  for (int i = 1; i <= 10; ++i) {
    TicketFact f{h(0), h(0) + std::chrono::seconds(10 * i), std::nullopt, "1"};
    if (i % 2 == 0) f.solved_at = h(1);
    facts.push_back(f);
  }
  facts.push_back({h(0.5), std::nullopt, std::nullopt, "2"});  // never assigned
  facts.push_back({h(1.2), h(1.2) + std::chrono::seconds(5), std::nullopt, "1"});
  const auto rows = aggregate(facts, Interval::kHour);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].bucket, h(0));
  EXPECT_EQ(rows[0].group, "1");
  EXPECT_EQ(rows[0].created, 10u);
  EXPECT_EQ(rows[0].solved, 5u);
  EXPECT_EQ(rows[0].time_to_assign.count, 10u);
  EXPECT_EQ(*rows[0].time_to_assign.median, 50.0);  // nearest rank: 5th of 10
  EXPECT_EQ(*rows[0].time_to_assign.p90, 90.0);
  EXPECT_EQ(*rows[0].time_to_assign.mean, 55.0);
  EXPECT_EQ(*rows[0].time_to_resolve.median, 3600.0);
  EXPECT_EQ(rows[1].group, "2");
  EXPECT_FALSE(rows[1].time_to_assign.median);  // nothing to measure
  EXPECT_EQ(rows[2].bucket, h(1));
  // No interval: one row per group over the whole range.
  const auto whole = aggregate(facts, Interval::kNone);
  ASSERT_EQ(whole.size(), 2u);
  EXPECT_EQ(whole[0].created, 11u);
  EXPECT_FALSE(whole[0].bucket);
  // Days start at 00:00 UTC.
  EXPECT_EQ(aggregate(facts, Interval::kDay)[0].bucket, from_millis(1795597200000 - 9 * 3'600'000));
}

TEST(Reports, FairnessCountsIdleAgentsAndMeasuresGini) {
  EXPECT_DOUBLE_EQ(gini({5, 5, 5, 5}), 0.0);
  EXPECT_DOUBLE_EQ(gini({0, 0, 0, 12}), 0.75);  // (n-1)/n when one has everything
  EXPECT_NEAR(gini({1, 2, 3, 4}), 0.25, 1e-12);
  std::vector<TicketFact> facts;
  for (int i = 0; i < 6; ++i) facts.push_back({h(0), h(0), std::nullopt, "1", AgentId{1}});
  for (int i = 0; i < 2; ++i) facts.push_back({h(0), h(0), std::nullopt, "1", AgentId{2}});
  facts.push_back({h(0), std::nullopt, std::nullopt, "1", std::nullopt});  // waiting: nobody's
  const auto f = fairness(facts, {{"1", {AgentId{1}, AgentId{2}, AgentId{3}}}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].agents, 3u);
  EXPECT_EQ(f[0].assigned, 8u);
  EXPECT_EQ(f[0].most, 6u);
  EXPECT_EQ(f[0].least, 0u);
  EXPECT_NEAR(f[0].gini, gini({6, 2, 0}), 1e-12);
  EXPECT_NEAR(f[0].gini, 0.5, 1e-12);
}

TEST(Reports, CsvCellsCannotBecomeFormulas) {
  EXPECT_EQ(csv_cell("plain"), "plain");
  EXPECT_EQ(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(csv_cell("+1"), "'+1");
  EXPECT_EQ(csv_cell("-2"), "'-2");
  EXPECT_EQ(csv_cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_cell("\tx"), "'\tx");
  EXPECT_EQ(csv_cell("\rx"), "\"'\rx\"");
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
}

}  // namespace
}  // namespace sb::reports
