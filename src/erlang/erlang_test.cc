// Against published values (e.g. the Erlang C tables and Mandelbaum & Zeltyn's
// Erlang A figures for the same call centre).
#include "erlang/erlang.h"

#include <gtest/gtest.h>

namespace sb::sim {
namespace {

TEST(ErlangC, MatchesPublishedValues) {
  auto f = erlang_c({720.0 / 3600, 240, 55, std::nullopt}, 20);
  ASSERT_TRUE(f.ok());
  EXPECT_NEAR(f->offered_load, 48.0, 1e-9);
  EXPECT_NEAR(f->p_wait, 0.2387, 0.0005);
  EXPECT_NEAR(f->mean_wait, 8.18, 0.01);
  EXPECT_NEAR(f->service_level, 0.867, 0.001);
  EXPECT_NEAR(f->occupancy, 48.0 / 55, 1e-9);

  auto g = erlang_c({720.0 / 3600, 240, 54, std::nullopt}, 20);
  EXPECT_NEAR(g->p_wait, 0.3013, 0.0005);
  EXPECT_NEAR(g->mean_wait, 12.05, 0.01);
  EXPECT_NEAR(g->service_level, 0.817, 0.001);
}

TEST(ErlangC, OverloadIsUnstableNotAnError) {
  auto f = erlang_c({720.0 / 3600, 240, 48, std::nullopt}, 20);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->stable);
  EXPECT_EQ(f->p_wait, 1);
  EXPECT_FALSE(erlang_c({0, 240, 5, std::nullopt}, 20).ok());
  EXPECT_EQ(erlang_c({1, 240, 0, std::nullopt}, 20).error().field, "agents");
}

TEST(ErlangA, MatchesPublishedValues) {
  auto f = erlang_a({720.0 / 3600, 240, 48, 120.0}, 20);
  ASSERT_TRUE(f.ok());
  EXPECT_NEAR(f->p_abandon, 0.0673, 0.0005);
  EXPECT_NEAR(f->mean_wait, 8.08, 0.02);
  EXPECT_TRUE(f->stable);
  EXPECT_FALSE(erlang_a({1, 240, 5, std::nullopt}, 20).ok());
}

TEST(Rates, ParseUnits) {
  EXPECT_NEAR(*parse_rate("720/h", "r"), 0.2, 1e-12);
  EXPECT_NEAR(*parse_rate("12/min", "r"), 0.2, 1e-12);
  EXPECT_NEAR(*parse_rate("0.2/s", "r"), 0.2, 1e-12);
  EXPECT_NEAR(*parse_rate("720", "r"), 0.2, 1e-12);
  EXPECT_FALSE(parse_rate("fast", "r").ok());
  EXPECT_FALSE(parse_rate("10/week", "r").ok());
  EXPECT_FALSE(parse_rate("-3/h", "r").ok());
}

}  // namespace
}  // namespace sb::sim
