// Each greedy policy's ranking, and batch_optimal's assignment, on a small pool.
#include <gtest/gtest.h>

#include "routing/batch_optimal.h"
#include "routing/explain.h"
#include "routing/policy.h"

namespace sb {
namespace {

const TeamId kTeam{1};

class PoliciesTest : public ::testing::Test {
 protected:
  void use(std::string_view name, LoadMeasure measure = LoadMeasure::kPercentage) {
    TeamRouting r;
    r.policy = std::string(name);
    r.load_measure = measure;
    auto next = std::move(make_policy(r).value());
    pool.set_policy(kTeam, next.get());  // re-indexes with the old one first, so swap after
    policy = std::move(next);
  }
  void add(std::int64_t id, const SkillLevels& levels, ChannelCounts cap = {4, 4, 4, 4, 4}) {
    pool.upsert(AgentId{id}, skills.intern_all(levels), {kTeam}, cap, Presence::kOnline, from_millis(0));
  }
  AgentId pick(const SkillLevels& needs = {}, std::optional<AgentId> preferred = std::nullopt) {
    auto p = policy->pick(pool, TicketNeeds{kTeam, Channel::kEmail, skills.intern_all(needs), preferred, {}});
    return p ? p->agent : AgentId{};
  }
  SkillTable skills;
  std::unique_ptr<RoutingPolicy> fallback = std::move(make_policy("skills_best_match").value());
  AgentPool pool{*fallback};
  std::unique_ptr<RoutingPolicy> policy;
};

TEST_F(PoliciesTest, RoundRobinRotatesByLastAssignment) {
  use("round_robin");
  add(1, {{"vpn", 5}});
  add(2, {{"vpn", 1}});
  add(3, {{"vpn", 3}});
  pool.add_load(AgentId{1}, Channel::kEmail, from_millis(30));
  pool.add_load(AgentId{2}, Channel::kEmail, from_millis(10));
  pool.add_load(AgentId{3}, Channel::kEmail, from_millis(20));
  EXPECT_EQ(pick({{"vpn", 1}}), AgentId{2});  // assigned longest ago, whatever the level
  EXPECT_EQ(pick({{"vpn", 2}}), AgentId{3});  // 2 lacks the level
}

TEST_F(PoliciesTest, LeastLoadedAbsoluteAndPercentage) {
  add(1, {}, {10, 4, 4, 4, 4});
  add(2, {}, {2, 4, 4, 4, 4});
  for (int i = 0; i < 4; ++i) pool.add_load(AgentId{1}, Channel::kEmail, from_millis(i));
  use("least_loaded", LoadMeasure::kAbsolute);
  EXPECT_EQ(pick(), AgentId{1});  // 6 free slots against 2
  use("least_loaded", LoadMeasure::kPercentage);
  EXPECT_EQ(pick(), AgentId{2});  // 0 % against 40 %
}

TEST_F(PoliciesTest, LongestIdleTakesWhoFinishedFirst) {
  use("longest_idle");
  add(1, {});
  add(2, {});
  pool.add_load(AgentId{1}, Channel::kEmail, from_millis(1));
  pool.add_load(AgentId{2}, Channel::kEmail, from_millis(2));
  pool.remove_load(AgentId{2}, Channel::kEmail, from_millis(50));
  pool.remove_load(AgentId{1}, Channel::kEmail, from_millis(90));
  EXPECT_EQ(pick(), AgentId{2});
}

TEST_F(PoliciesTest, StickyPrefersThePreviousAgentElseFallsBack) {
  use("sticky");
  add(1, {{"vpn", 5}});
  add(2, {{"vpn", 2}});
  EXPECT_EQ(pick({{"vpn", 1}}, AgentId{2}), AgentId{2});
  EXPECT_EQ(pick({{"vpn", 3}}, AgentId{2}), AgentId{1});  // previous agent lacks the level
  EXPECT_EQ(pick({{"vpn", 1}}), AgentId{1});
  EXPECT_GT(policy->preferred_wait(), Duration(0));
}

TEST_F(PoliciesTest, BatchOptimalKeepsTheSpecialistForSpecialistWork) {
  use("batch_optimal");
  // One generalist, one specialist (who also has the common skill, at a higher level).
  add(1, {{"general", 2}}, {1, 1, 1, 1, 1});
  add(2, {{"general", 5}, {"kernel", 5}}, {1, 1, 1, 1, 1});
  std::vector<BatchTicket> tickets{
      {TicketId{10}, {kTeam, Channel::kEmail, skills.intern_all({{"general", 1}}), std::nullopt, {}}, Priority::kNormal, {}},
      {TicketId{11}, {kTeam, Channel::kEmail, skills.intern_all({{"kernel", 4}}), std::nullopt, {}}, Priority::kNormal, {}},
  };
  // Greedy, one at a time, would give the first ticket to the best match: the specialist.
  EXPECT_EQ(policy->pick(pool, tickets[0].needs)->agent, AgentId{2});
  auto assigned = assign_batch(pool, tickets);
  ASSERT_EQ(assigned.size(), 2u);
  std::map<std::int64_t, std::int64_t> by_ticket;
  for (const auto& a : assigned) by_ticket[a.ticket.value] = a.agent.value;
  EXPECT_EQ(by_ticket[10], 1);
  EXPECT_EQ(by_ticket[11], 2);
}

TEST_F(PoliciesTest, BatchOptimalGivesScarceSlotsToUrgentWork) {
  use("batch_optimal");
  add(1, {}, {1, 1, 1, 1, 1});
  std::vector<BatchTicket> tickets{
      {TicketId{1}, {kTeam, Channel::kEmail, {}, std::nullopt, {}}, Priority::kLow, std::chrono::seconds(100)},
      {TicketId{2}, {kTeam, Channel::kEmail, {}, std::nullopt, {}}, Priority::kUrgent, std::chrono::seconds(1)},
  };
  auto assigned = assign_batch(pool, tickets);
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].ticket, TicketId{2});
}

// The batch goes through the seam: batch_optimal answers as assign_batch()
// does; a greedy policy assigns no batch (the engine serves it with pick()).
TEST_F(PoliciesTest, BatchesGoThroughThePolicySeam) {
  use("batch_optimal");
  add(1, {}, {1, 1, 1, 1, 1});
  std::vector<BatchTicket> tickets{{TicketId{1}, {kTeam, Channel::kEmail, {}, std::nullopt, {}}, Priority::kLow, {}},
                                   {TicketId{2}, {kTeam, Channel::kEmail, {}, std::nullopt, {}}, Priority::kUrgent, {}}};
  auto through_seam = policy->assign_batch(pool, tickets);
  ASSERT_EQ(through_seam.size(), 1u);
  EXPECT_EQ(through_seam[0].ticket, assign_batch(pool, tickets)[0].ticket);
  use("skills_best_match");
  EXPECT_TRUE(policy->assign_batch(pool, tickets).empty());
}

// Which waiting ticket a freed agent takes, by default: one held for it
// first, then the lowest rank, then the oldest, then the lowest id.
TEST_F(PoliciesTest, TakeNextPrefersHeldThenRankThenAge) {
  use("round_robin");
  add(1, {}, {1, 1, 1, 1, 1});
  const AgentState& a = *pool.find(AgentId{1});
  const Time t0{};
  const Time t1 = t0 + std::chrono::seconds(1);
  std::vector<WaitingTicket> waiting{{TicketId{5}, kTeam, 20, t0, false},
                                     {TicketId{6}, kTeam, 10, t1, false},
                                     {TicketId{7}, kTeam, 10, t0, false}};
  EXPECT_EQ(policy->take_next(a, waiting), 2u);  // rank 10, older
  waiting.push_back({TicketId{8}, kTeam, 30, t1, true});
  EXPECT_EQ(policy->take_next(a, waiting), 3u);  // held for this agent beats a better rank
  waiting = {{TicketId{9}, kTeam, 10, t0, false}, {TicketId{4}, kTeam, 10, t0, false}};
  EXPECT_EQ(policy->take_next(a, waiting), 1u);  // same rank and age: the lower id
}

TEST_F(PoliciesTest, ExplanationsGiveReasonsAndScores) {
  use("skills_best_match");
  add(1, {{"vpn", 5}});
  add(2, {{"vpn", 1}});
  add(3, {{"dns", 4}});
  pool.upsert(AgentId{4}, skills.intern_all({{"vpn", 5}}), {kTeam}, {4, 4, 4, 4, 4}, Presence::kOffline, from_millis(0));
  pool.upsert(AgentId{5}, skills.intern_all({{"vpn", 5}}), {kTeam}, {0, 4, 4, 4, 4}, Presence::kOnline, from_millis(0));
  const TicketNeeds needs{kTeam, Channel::kEmail, skills.intern_all({{"vpn", 2}}), std::nullopt, {}};
  Decision d;
  explain(pool, *policy, needs, skills, [](AgentId id) { return "a" + std::to_string(id.value); }, AgentId{1}, d);
  ASSERT_GE(d.candidates.size(), 5u);
  EXPECT_EQ(d.candidates[0].agent, AgentId{1});
  EXPECT_TRUE(d.candidates[0].eligible);
  EXPECT_EQ(d.candidates[0].score[0].first, "proficiency");
  std::map<std::int64_t, std::string> reasons;
  for (const auto& c : d.candidates) reasons[c.agent.value] = c.reason;
  EXPECT_EQ(reasons[2], "skill vpn at 1, needs 2");
  EXPECT_EQ(reasons[3], "missing skill vpn");
  EXPECT_EQ(reasons[4], "offline");
  EXPECT_EQ(reasons[5], "at capacity on email (0/0)");
  EXPECT_EQ(d.excluded_counts["low_proficiency"], 1);
  EXPECT_EQ(d.excluded_counts["missing_skill"], 1);
}

}  // namespace
}  // namespace sb
