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
  // 10 s is not below the first edge (10 s): 0 below 10 s, 2 in [10, 30), 3 in [30, 60), 5 in [60, 120).
  EXPECT_EQ(rows[0].wait_histogram, (std::vector<std::size_t>{0, 2, 3, 5, 0, 0, 0, 0, 0}));
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

TEST(Reports, SlaAttainmentAndRoutingCounts) {
  std::vector<TicketFact> facts(4, TicketFact{h(0)});
  facts[0].sla = SlaOutcome::kMet;
  facts[1].sla = SlaOutcome::kMet;
  facts[2].sla = SlaOutcome::kBreached;
  facts[3].sla = SlaOutcome::kRunning;  // not decided yet: neither
  facts[0].reassignments = 2;
  facts[1].declines = 1;
  facts[2].offer_timeouts = 3;
  facts[3].escalations = 1;
  facts[3].first_response_at = h(0) + std::chrono::seconds(90);
  const auto rows = aggregate(facts, Interval::kNone);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].sla_met, 2u);
  EXPECT_EQ(rows[0].sla_breached, 1u);
  EXPECT_DOUBLE_EQ(*rows[0].sla_attainment, 2.0 / 3.0);
  EXPECT_EQ(rows[0].reassignments, 2u);
  EXPECT_EQ(rows[0].declines, 1u);
  EXPECT_EQ(rows[0].offer_timeouts, 3u);
  EXPECT_EQ(rows[0].escalations, 1u);
  EXPECT_EQ(rows[0].time_to_first_response.count, 1u);
  EXPECT_EQ(*rows[0].time_to_first_response.median, 90.0);
}

TEST(Reports, BacklogAtTheEndOfEachBucketWithAges) {
  std::vector<TicketFact> facts;
  facts.push_back({h(-5), h(-4), std::nullopt, "1"});  // from before the range, never solved
  facts.push_back({h(0.5), std::nullopt, h(1.5), "1"});  // open during hour 0 only, never assigned
  facts.push_back({h(1.25), h(2.5), std::nullopt, "1"});  // assigned in hour 2
  facts.push_back({h(0.1), std::nullopt, std::nullopt, "2"});
  const auto rows = backlog(facts, h(0), h(3), Interval::kHour);
  // Three moments (1 h, 2 h, 3 h) for each of two groups, in time order.
  ASSERT_EQ(rows.size(), 6u);
  auto row = [&](Time at, const std::string& g) {
    for (const auto& r : rows) {
      if (r.at == at && r.group == g) return r;
    }
    ADD_FAILURE() << "no row";
    return BacklogRow{};
  };
  EXPECT_EQ(row(h(1), "1").open, 2u);
  EXPECT_EQ(row(h(1), "1").unassigned, 1u);
  EXPECT_EQ(*row(h(1), "1").age_max, 6 * 3600.0);
  EXPECT_EQ(*row(h(1), "1").age_median, 0.5 * 3600);  // nearest rank: the younger of two
  EXPECT_EQ(row(h(2), "1").open, 2u);                 // the old one and the 1:15 one
  EXPECT_EQ(row(h(2), "1").unassigned, 1u);
  EXPECT_EQ(row(h(3), "1").unassigned, 0u);
  EXPECT_EQ(*row(h(3), "1").age_median, 1.75 * 3600);
  EXPECT_EQ(row(h(3), "2").open, 1u);
  const auto now = backlog(facts, h(0), h(3), Interval::kNone);
  ASSERT_EQ(now.size(), 2u);
  EXPECT_EQ(now[0].at, h(3));
}

TEST(Reports, OccupancyAndUtilisationFromPresenceAndHolds) {
  const AgentId a{1}, b{2};
  std::vector<PresenceChange> presence{{a, h(-1), Presence::kOnline},  // online since before the range
                                       {a, h(2), Presence::kOffline},
                                       {b, h(1), Presence::kOnline}};
  std::vector<TicketFact> facts;
  TicketFact f{h(0), h(0.5), h(1.5), "", a};  // agent a holds one ticket 0:30-1:30
  facts.push_back(f);
  f = TicketFact{h(0), h(1), std::nullopt, "", a};  // and another from 1:00 on
  facts.push_back(f);
  const auto use = agent_use(facts, presence, {{a, 2}, {b, 4}}, h(0), h(4));
  ASSERT_EQ(use.size(), 2u);
  EXPECT_EQ(use[0].agent, a);
  EXPECT_DOUBLE_EQ(use[0].online_seconds, 2 * 3600.0);
  EXPECT_DOUBLE_EQ(use[0].busy_seconds, 1.5 * 3600.0);
  EXPECT_DOUBLE_EQ(*use[0].occupancy, 0.75);
  // Held/capacity: 0.5 over 0:30-1:00, 1 over 1:00-1:30, 0.5 over 1:30-2:00 -> 1 h of 2.
  EXPECT_DOUBLE_EQ(*use[0].utilisation, 0.5);
  EXPECT_EQ(use[0].held, 2u);
  EXPECT_EQ(use[0].solved, 1u);
  EXPECT_DOUBLE_EQ(use[1].online_seconds, 3 * 3600.0);
  EXPECT_DOUBLE_EQ(*use[1].occupancy, 0.0);
}

TEST(Reports, ClassifierAccuracyOverSettledTickets) {
  auto fact = [](std::string predicted, std::string category, bool used, bool solved) {
    TicketFact f{h(0)};
    f.predicts = "category";
    f.predicted = std::move(predicted);
    f.category = std::move(category);
    f.prediction_used = used;
    if (solved) f.solved_at = h(1);
    return f;
  };
  std::vector<TicketFact> facts{fact("network", "network", true, true), fact("network", "access", true, true),
                                fact("access", "access", false, true), fact("access", "network", false, false),
                                TicketFact{h(0)}};
  const auto s = classifier(facts, [](const TicketFact& f) { return f.category; });
  EXPECT_EQ(s.settled, 3u);  // unsolved and unguessed tickets left out
  EXPECT_EQ(s.correct, 2u);
  EXPECT_DOUBLE_EQ(*s.accuracy, 2.0 / 3.0);
  EXPECT_EQ(s.confident, 2u);
  EXPECT_DOUBLE_EQ(*s.confident_accuracy, 0.5);
  EXPECT_DOUBLE_EQ(*s.coverage, 2.0 / 3.0);
  ASSERT_EQ(s.labels.size(), 2u);
  EXPECT_EQ(s.labels[1].label, "network");
  EXPECT_DOUBLE_EQ(*s.labels[1].precision, 0.5);
  EXPECT_DOUBLE_EQ(*s.labels[1].recall, 1.0);
  EXPECT_DOUBLE_EQ(*s.labels[0].recall, 0.5);  // access: one of two found
}

}  // namespace
}  // namespace sb::reports
