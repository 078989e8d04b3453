#include <gtest/gtest.h>

#include <set>

#include "core/agent.h"
#include "core/decision.h"
#include "core/enums.h"
#include "core/ticket.h"
#include "core/time.h"

namespace sb {
namespace {

TEST(Enums, RoundTripEveryName) {
  for (auto name : EnumNames<Channel>::names) {
    auto c = parse_enum<Channel>(name, "channel");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(to_string(*c), name);
  }
  EXPECT_EQ(to_string(TicketStatus::kHold), "hold");
  EXPECT_EQ(to_string(Priority::kUrgent), "urgent");
  EXPECT_EQ(to_string(Presence::kAway), "away");
  EXPECT_EQ(to_string(Tier::kVip), "vip");
}

TEST(Enums, EveryOutcomeHasOneNameThatParsesBack) {
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < enum_count<Outcome>(); ++i) {
    const auto o = static_cast<Outcome>(i);
    EXPECT_TRUE(seen.insert(to_string(o)).second) << to_string(o);
    auto back = parse_enum<Outcome>(to_string(o), "outcome");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, o);
  }
  EXPECT_EQ(to_string(Outcome::kOfferExpired), "offer_expired");
  EXPECT_TRUE(gives_ticket(Outcome::kPulled));
  EXPECT_FALSE(gives_ticket(Outcome::kQueued));
  EXPECT_FALSE(parse_enum<Outcome>("assigned_by_magic", "outcome").ok());
}

TEST(Enums, UnknownNameIsAnErrorNamingTheField) {
  auto p = parse_enum<Priority>("critical", "priority");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(p.error().field, "priority");
  EXPECT_NE(p.error().message.find("low|normal|high|urgent"), std::string::npos);
  EXPECT_FALSE(parse_enum<Channel>("Email", "channel").ok());  // names are exact
}

TEST(Transitions, FollowZendesk) {
  using S = TicketStatus;
  EXPECT_TRUE(check_transition(S::kNew, S::kOpen).ok());
  EXPECT_TRUE(check_transition(S::kOpen, S::kPending).ok());
  EXPECT_TRUE(check_transition(S::kHold, S::kSolved).ok());
  EXPECT_TRUE(check_transition(S::kSolved, S::kOpen).ok());
  EXPECT_TRUE(check_transition(S::kSolved, S::kClosed).ok());
  EXPECT_FALSE(check_transition(S::kOpen, S::kNew).ok());
  EXPECT_FALSE(check_transition(S::kOpen, S::kClosed).ok());
  EXPECT_FALSE(check_transition(S::kSolved, S::kPending).ok());
  auto closed = check_transition(S::kClosed, S::kOpen);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(closed.error().code, "invalid_transition");
}

TEST(Time, FormatsAndParsesIso8601) {
  Time t = from_millis(1764106368123);
  EXPECT_EQ(format_time(t), "2025-11-25T21:32:48.123Z");
  EXPECT_EQ(parse_time("2025-11-25T21:32:48.123Z"), t);
  EXPECT_EQ(parse_time("2025-11-25T21:32:48Z"), from_millis(1764106368000));
  EXPECT_FALSE(parse_time("2025-13-25T21:32:48Z"));
  EXPECT_FALSE(parse_time("yesterday"));
}

TEST(Validate, RejectsOutOfRangeSkillsAndCapacity) {
  Agent a;
  a.name = "Ada";
  a.skills = {{"billing", 6}};
  auto s = validate(a);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().field, "skills.billing");
  a.skills = {{"billing", 5}};
  a.capacity[static_cast<int>(Channel::kChat)] = -1;
  EXPECT_EQ(validate(a).error().field, "capacity.chat");

  Ticket t;
  EXPECT_EQ(validate(t).error().field, "subject");
}


TEST(SlaOutcome, BreachedWinsThenRunningThenMet) {
  EXPECT_EQ(sla_outcome(std::nullopt), SlaOutcome::kNone);
  SlaState s;
  EXPECT_EQ(sla_outcome(s), SlaOutcome::kNone);  // a policy with no targets
  s.first_response = SlaClockState{};
  s.resolution = SlaClockState{};
  EXPECT_EQ(sla_outcome(s), SlaOutcome::kRunning);
  s.first_response->met = true;
  EXPECT_EQ(sla_outcome(s), SlaOutcome::kRunning);
  s.resolution->met = true;
  EXPECT_EQ(sla_outcome(s), SlaOutcome::kMet);
  s.first_response->breached = true;
  EXPECT_EQ(sla_outcome(s), SlaOutcome::kBreached);
}

}  // namespace
}  // namespace sb

#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/outbound.h"

namespace sb {
namespace {

std::string refused(const std::string& ip, const OutboundPolicy& p = {}) {
  sockaddr_storage s{};
  if (ip.find(':') == std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in*>(&s);
    a->sin_family = AF_INET;
    inet_pton(AF_INET, ip.c_str(), &a->sin_addr);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&s);
    a->sin6_family = AF_INET6;
    inet_pton(AF_INET6, ip.c_str(), &a->sin6_addr);
  }
  return refused_address(reinterpret_cast<sockaddr*>(&s), p);
}

TEST(Outbound, PrivateLoopbackAndLinkLocalAreRefusedUnlessAllowed) {
  for (const char* ip : {"127.0.0.1", "::1", "::ffff:127.0.0.1"}) EXPECT_NE(refused(ip).find("loopback"), std::string::npos) << ip;
  for (const char* ip : {"10.1.2.3", "172.16.0.9", "192.168.1.1", "100.64.0.1", "fd00::1"}) {
    EXPECT_NE(refused(ip).find("private"), std::string::npos) << ip;
  }
  for (const char* ip : {"169.254.169.254", "fe80::1"}) EXPECT_NE(refused(ip).find("link-local"), std::string::npos) << ip;
  for (const char* ip : {"0.0.0.0", "::", "224.0.0.1"}) EXPECT_FALSE(refused(ip).empty()) << ip;
  for (const char* ip : {"93.184.216.34", "172.32.0.1", "2606:4700::1111"}) EXPECT_EQ(refused(ip), "") << ip;
  OutboundPolicy open;
  open.allow_loopback = open.allow_private = open.allow_link_local = true;
  EXPECT_EQ(refused("127.0.0.1", open), "");
  EXPECT_EQ(refused("10.0.0.1", open), "");
  EXPECT_EQ(refused("169.254.169.254", open), "");
  EXPECT_FALSE(refused("0.0.0.0", open).empty());  // never
}

TEST(Outbound, HostsAreCheckedAfterResolution) {
  EXPECT_FALSE(check_outbound_host("localhost", "url", OutboundPolicy{}).ok());  // a name for a loopback address
  EXPECT_FALSE(check_outbound_host("127.0.0.1", "url", OutboundPolicy{}).ok());
  OutboundPolicy loopback;
  loopback.allow_loopback = true;
  EXPECT_TRUE(check_outbound_host("127.0.0.1", "url", loopback).ok());
  EXPECT_EQ(check_outbound_host("no-such-host.invalid", "url", loopback).error().field, "url");
}

}  // namespace
}  // namespace sb
