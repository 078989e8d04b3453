#include "routing/agent_pool.h"
#include "routing/skills_best_match.h"

#include <gtest/gtest.h>

namespace sb {
namespace {

const TeamId kTeam{1};
const ChannelCounts kCap{2, 2, 1, 1, 2};
const SkillsBestMatch kPolicy;
const Time kNow = from_millis(1);

TEST(AgentPool, OnlyOnlineAgentsWithRoomAreIndexed) {
  AgentPool pool(kPolicy);
  pool.upsert(AgentId{1}, std::vector<SkillLevel>{}, {kTeam}, kCap, Presence::kOnline, kNow);
  pool.upsert(AgentId{2}, std::vector<SkillLevel>{}, {kTeam}, kCap, Presence::kAway, kNow);
  pool.upsert(AgentId{3}, std::vector<SkillLevel>{}, {TeamId{2}}, kCap, Presence::kOnline, kNow);
  const auto* b = pool.bucket(kTeam, Channel::kChat, kAnySkill);
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ(b->begin()->id, AgentId{1});

  pool.add_load(AgentId{1}, Channel::kChat, from_millis(5));  // chat capacity 1: now full
  EXPECT_EQ(pool.bucket(kTeam, Channel::kChat, kAnySkill), nullptr);
  EXPECT_NE(pool.bucket(kTeam, Channel::kEmail, kAnySkill), nullptr);  // email still has room
  EXPECT_EQ(pool.find(AgentId{1})->last_assigned, from_millis(5));

  pool.remove_load(AgentId{1}, Channel::kChat, kNow);
  EXPECT_NE(pool.bucket(kTeam, Channel::kChat, kAnySkill), nullptr);
  pool.set_presence(AgentId{1}, Presence::kOffline, kNow);
  EXPECT_EQ(pool.bucket(kTeam, Channel::kChat, kAnySkill), nullptr);
}

TEST(AgentPool, BucketsOrderByLevelThenRelativeLoadThenIdle) {
  SkillTable skills;
  const SkillId billing = skills.intern("billing");
  AgentPool pool(kPolicy);
  ChannelCounts cap{4, 4, 4, 4, 4};
  pool.upsert(AgentId{1}, std::vector<SkillLevel>{{billing, 3}}, {kTeam}, cap, Presence::kOnline, kNow);
  pool.upsert(AgentId{2}, std::vector<SkillLevel>{{billing, 5}}, {kTeam}, cap, Presence::kOnline, kNow);
  pool.upsert(AgentId{3}, std::vector<SkillLevel>{{billing, 5}}, {kTeam}, cap, Presence::kOnline, kNow);
  pool.add_load(AgentId{2}, Channel::kEmail, from_millis(10));
  const auto* b = pool.bucket(kTeam, Channel::kEmail, billing);
  ASSERT_NE(b, nullptr);
  std::vector<std::int64_t> order;
  for (const auto& e : *b) order.push_back(e.id.value);
  EXPECT_EQ(order, (std::vector<std::int64_t>{3, 2, 1}));
}

TEST(AgentPool, UpsertKeepsLoad) {
  AgentPool pool(kPolicy);
  pool.upsert(AgentId{1}, std::vector<SkillLevel>{}, {kTeam}, kCap, Presence::kOnline, kNow);
  pool.add_load(AgentId{1}, Channel::kPhone, from_millis(1));
  pool.upsert(AgentId{1}, std::vector<SkillLevel>{}, {kTeam}, kCap, Presence::kOnline, kNow);
  EXPECT_EQ(pool.find(AgentId{1})->load[static_cast<int>(Channel::kPhone)], 1);
  EXPECT_EQ(pool.bucket(kTeam, Channel::kPhone, kAnySkill), nullptr);
}

}  // namespace
}  // namespace sb
