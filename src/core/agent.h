#pragma once
// A person who works tickets, and a team of them.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/enums.h"
#include "core/ids.h"
#include "core/ticket.h"
#include "core/time.h"

namespace sb {

// How many tickets of each channel an agent may hold at once, indexed by
// Channel. Default: email 8, web 8, chat 3, phone 1, api 8.
using ChannelCounts = std::array<int, enum_count<Channel>()>;
inline constexpr ChannelCounts kDefaultCapacity{8, 8, 3, 1, 8};
inline constexpr int kMaxCapacity = 1000;

struct Agent {
  AgentId id;
  std::string name;
  std::string email;
  SkillLevels skills;
  std::vector<TeamId> teams;
  ChannelCounts capacity = kDefaultCapacity;
  Presence presence = Presence::kOffline;
  Time created_at;
  Time updated_at;
};

// How a team routes: the policy and its settings. Every field has a default,
// so a team with no settings routes by skills_best_match, directly, strict
// priority, no relaxation.
struct RelaxStep {
  Duration after{};              // waiting time at which the step applies
  RelaxAction action = RelaxAction::kDropOptionalSkills;
  int by = 1;                    // lower_proficiency: levels to lower
  std::optional<TeamId> team;    // overflow: the team whose agents may also take it
};

struct TeamRouting {
  std::string policy = "skills_best_match";
  std::string fallback_policy = "skills_best_match";  // sticky: when the previous agent is not there
  Duration sticky_wait{std::chrono::seconds(60)};      // sticky: how long to wait for the previous agent
  LoadMeasure load_measure = LoadMeasure::kPercentage; // least_loaded
  // Aging: each priority level counts as this much waiting, so a ticket one
  // level lower that has waited this much longer goes first. 0: strict priority.
  Duration aging_step{0};
  // priority: rank by priority (with aging), then age. time_to_breach: the
  // soonest SLA due time first; tickets without a running clock after them.
  QueueOrder queue_order = QueueOrder::kPriority;
  std::vector<RelaxStep> relaxation;                   // ordered by `after`
  // Per channel: phone calls are offered (the agent must pick up within
  // offer_timeout, else the next agent rings); everything else is direct.
  std::array<OfferMode, enum_count<Channel>()> offer_mode{OfferMode::kDirect, OfferMode::kDirect, OfferMode::kDirect,
                                                          OfferMode::kOffer, OfferMode::kDirect};
  Duration offer_timeout{std::chrono::seconds(30)};
  int max_missed_offers = 3;                           // then the agent is set away
  // Whether the team's agents may move its tickets to another team (else
  // only supervisors and admins do; docs/security.md).
  bool agents_move_tickets = false;
};

struct Team {
  TeamId id;
  std::string name;
  Time created_at;
  TeamRouting routing;
};

// Name present, skills within 1..5, capacities within 0..1000.
Status validate(const Agent& a);
// Name 1..200 characters; routing settings in range (timeouts positive,
// relaxation steps in increasing order, overflow naming another team).
Status validate(const Team& t);

}  // namespace sb
