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
  EXPECT_TRUE(valid_tier_name("vip"));
  EXPECT_TRUE(valid_tier_name("tier_2-gold"));
  EXPECT_FALSE(valid_tier_name(""));
  EXPECT_FALSE(valid_tier_name("VIP"));
  EXPECT_FALSE(valid_tier_name(std::string(33, 'a')));
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

// Every special-purpose range of the IANA registries, and IPv4 hidden in IPv6.
TEST(Outbound, SpecialPurposeRangesAreClassifiedAsTheRegistriesSay) {
  struct Case {
    const char* ip;
    const char* kind;  // what the refusal must name; "" = allowed
  };
  const Case cases[] = {
      {"127.0.0.1", "loopback"},       {"127.255.255.254", "loopback"},  {"::1", "loopback"},
      {"::ffff:127.0.0.1", "loopback"},  // IPv4-mapped
      {"::127.0.0.1", "loopback"},       // IPv4-compatible (deprecated)
      {"::ffff:0:127.0.0.1", "loopback"},  // IPv4-translated (SIIT)
      {"64:ff9b::127.0.0.1", "loopback"},  // NAT64 well-known prefix
      {"2002:7f00:1::", "loopback"},       // 6to4 of 127.0.0.1
      {"10.0.0.1", "private"},           {"172.16.0.1", "private"},        {"172.31.255.255", "private"},
      {"192.168.0.1", "private"},        {"100.64.0.1", "private"},        {"100.127.255.255", "private"},
      {"fd00::1", "private"},            {"fc00::1", "private"},           {"fec0::1", "private"},
      {"64:ff9b:1::1", "private"},       {"::ffff:10.1.2.3", "private"},   {"64:ff9b::10.0.0.1", "private"},
      {"2002:c0a8:101::", "private"},      // 6to4 of 192.168.1.1
      {"169.254.169.254", "link-local"}, {"fe80::1", "link-local"},        {"::ffff:169.254.169.254", "link-local"},
      {"0.0.0.0", "this network"},       {"0.1.2.3", "this network"},      {"192.0.0.1", "IETF protocol"},
      {"192.0.2.1", "documentation"},    {"198.51.100.1", "documentation"}, {"203.0.113.1", "documentation"},
      {"198.18.0.1", "benchmarking"},    {"198.19.255.255", "benchmarking"}, {"192.88.99.1", "6to4 relay"},
      {"224.0.0.1", "multicast"},        {"239.255.255.255", "multicast"},  {"240.0.0.1", "reserved"},
      {"255.255.255.255", "reserved"},   {"::", "unspecified"},             {"100::1", "discard"},
      {"2001:db8::1", "documentation"},  {"3fff::1", "documentation"},      {"2001::1", "IETF protocol"},
      {"ff02::1", "multicast"},          {"5f00::1", "segment routing"},
      {"93.184.216.34", ""},             {"172.32.0.1", ""},                {"100.128.0.1", ""},
      {"198.20.0.1", ""},                {"1.1.1.1", ""},                   {"2606:4700::1111", ""},
      {"::ffff:93.184.216.34", ""},      {"64:ff9b::93.184.216.34", ""},    {"2002:5db8:d822::", ""},
      {"2a00:1450:4001::1", ""},
  };
  for (const Case& c : cases) {
    const std::string why = refused(c.ip);
    if (std::string(c.kind).empty()) {
      EXPECT_EQ(why, "") << c.ip;
    } else {
      EXPECT_NE(why.find(c.kind), std::string::npos) << c.ip << ": " << why;
    }
  }
  // Allowing loopback, private and link-local never opens the rest.
  OutboundPolicy open;
  open.allow_loopback = open.allow_private = open.allow_link_local = true;
  for (const char* ip : {"64:ff9b::127.0.0.1", "fec0::1", "::127.0.0.1"}) EXPECT_EQ(refused(ip, open), "") << ip;
  for (const char* ip : {"198.18.0.1", "192.0.0.1", "240.0.0.1", "2001:db8::1", "192.0.2.1"}) {
    EXPECT_FALSE(refused(ip, open).empty()) << ip;
  }
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
