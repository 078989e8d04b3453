#include "routing/skills_best_match.h"

#include <gtest/gtest.h>

namespace sb {
namespace {

const TeamId kTeam{1};
const ChannelCounts kCap{4, 4, 4, 4, 4};

class SkillsBestMatchTest : public ::testing::Test {
 protected:
  void add(std::int64_t id, const SkillLevels& levels, Presence p = Presence::kOnline) {
    pool.upsert(AgentId{id}, skills.intern_all(levels), {kTeam}, kCap, p, from_millis(0));
  }
  std::optional<Pick> pick(const SkillLevels& needs, Channel c = Channel::kEmail) {
    return policy.pick(pool, TicketNeeds{kTeam, c, skills.intern_all(needs), std::nullopt, {}});
  }
  SkillTable skills;
  SkillsBestMatch policy;
  AgentPool pool{policy};
};

TEST_F(SkillsBestMatchTest, RequiresEverySkillAtTheMinimum) {
  add(1, {{"billing", 2}, {"french", 5}});
  add(2, {{"billing", 4}});
  EXPECT_EQ(pick({{"billing", 3}})->agent, AgentId{2});
  EXPECT_EQ(pick({{"billing", 2}, {"french", 1}})->agent, AgentId{1});
  EXPECT_FALSE(pick({{"billing", 3}, {"french", 1}}));
  EXPECT_FALSE(pick({{"german", 1}}));
}

TEST_F(SkillsBestMatchTest, RanksByProficiencyThenLoadThenIdle) {
  add(1, {{"billing", 3}});
  add(2, {{"billing", 5}});
  add(3, {{"billing", 5}});
  EXPECT_EQ(pick({{"billing", 1}})->agent, AgentId{2});  // tie on level and load: lower id
  pool.add_load(AgentId{2}, Channel::kEmail, from_millis(100));
  EXPECT_EQ(pick({{"billing", 1}})->agent, AgentId{3});  // less loaded
  pool.add_load(AgentId{3}, Channel::kEmail, from_millis(50));
  EXPECT_EQ(pick({{"billing", 1}})->agent, AgentId{3});  // equal load; idle since 50 < 100
}

TEST_F(SkillsBestMatchTest, SumsLevelsOverSeveralSkills) {
  add(1, {{"billing", 5}, {"french", 1}});
  add(2, {{"billing", 3}, {"french", 4}});
  auto p = pick({{"billing", 1}, {"french", 1}});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->agent, AgentId{2});
  EXPECT_EQ(p->proficiency, 7);
}

TEST_F(SkillsBestMatchTest, IgnoresOfflineAndFullAgents) {
  add(1, {{"billing", 5}}, Presence::kOffline);
  add(2, {{"billing", 1}});
  EXPECT_EQ(pick({{"billing", 1}})->agent, AgentId{2});
  for (int i = 0; i < 4; ++i) pool.add_load(AgentId{2}, Channel::kChat, from_millis(i));
  EXPECT_FALSE(pick({{"billing", 1}}, Channel::kChat));
  EXPECT_TRUE(pick({{"billing", 1}}, Channel::kEmail));
}

TEST(MakePolicy, UnknownNameIsAnError) {
  auto p = make_policy("skills_best_match");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ((*p)->name(), "skills_best_match");
  for (std::string_view name : {"round_robin", "least_loaded", "longest_idle", "sticky", "batch_optimal"}) {
    auto q = make_policy(name);
    ASSERT_TRUE(q.ok()) << name;
    EXPECT_EQ((*q)->name(), name);
  }
  auto bad = make_policy("fastest", "routing.policy");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "routing.policy");
  TeamRouting sticky_on_sticky;
  sticky_on_sticky.policy = "sticky";
  sticky_on_sticky.fallback_policy = "sticky";
  EXPECT_EQ(make_policy(sticky_on_sticky).error().field, "routing.fallback_policy");
}

TEST_F(SkillsBestMatchTest, SkipsAgentsWhoDeclined) {
  add(1, {{"billing", 5}});
  add(2, {{"billing", 3}});
  TicketNeeds needs{kTeam, Channel::kEmail, skills.intern_all({{"billing", 1}}), std::nullopt, {AgentId{1}}};
  EXPECT_EQ(policy.pick(pool, needs)->agent, AgentId{2});
}

}  // namespace
}  // namespace sb
