#include "json/json_mapping.h"

#include <gtest/gtest.h>

namespace sb::http {
namespace {

std::optional<TeamId> resolve(const std::string& name) {
  if (name == "network") return TeamId{3};
  return std::nullopt;
}

TEST(ParseTicket, ReadsEveryField) {
  auto t = parse_ticket_create(json::parse(R"({"channel":"chat","subject":"VPN","body":"down",
      "requester":{"email":"a@b.c","name":"A","tier":"vip"},"priority":"high","category":"net",
      "team":"network","required_skills":{"vpn":3},"tags":["x"]})"), resolve);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->ticket.channel, Channel::kChat);
  EXPECT_EQ(t->ticket.requester.tier, "vip");
  EXPECT_EQ(t->ticket.team, TeamId{3});
  EXPECT_EQ(t->team_name, "network");
  EXPECT_EQ(t->explicit_priority, Priority::kHigh);
  EXPECT_EQ(t->ticket.required_skills.at("vpn"), 3);
}

TEST(ParseTicket, BadValuesNameTheirField) {
  auto field_of = [](const char* body) {
    auto t = parse_ticket_create(json::parse(body), resolve);
    return t.ok() ? std::string("ok") : t.error().field;
  };
  EXPECT_EQ(field_of(R"({"subject":"x","priority":"critical"})"), "priority");
  EXPECT_EQ(field_of(R"({"body":"no subject"})"), "subject");
  EXPECT_EQ(field_of(R"({"subject":"x","channel":"fax"})"), "channel");
  EXPECT_EQ(field_of(R"({"subject":"x","team":"nope"})"), "team");
  EXPECT_EQ(field_of(R"({"subject":"x","required_skills":{"vpn":9}})"), "required_skills.vpn");
  EXPECT_EQ(field_of(R"({"subject":"x","requester":{"tier":"Gold Tier"}})"), "requester.tier");
  EXPECT_EQ(field_of(R"({"subject":"x","priorty":"low"})"), "priorty");
  EXPECT_EQ(field_of(R"({"subject":42})"), "subject");
  EXPECT_EQ(field_of(R"({"subject":"x","tags":[1]})"), "tags");
  EXPECT_EQ(field_of(R"({"subject":"x","urgency":"extreme"})"), "urgency");
  EXPECT_EQ(field_of(R"({"subject":"x","body":"a\u0000b"})"), "body");  // no NUL in text
}

TEST(ParseAgent, CapacityByChannelName) {
  auto a = parse_agent_create(json::parse(R"({"name":"Ada","capacity":{"chat":2,"phone":0},"teams":["network",5]})"), resolve);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->capacity[static_cast<int>(Channel::kChat)], 2);
  EXPECT_EQ(a->capacity[static_cast<int>(Channel::kPhone)], 0);
  EXPECT_EQ(a->capacity[static_cast<int>(Channel::kEmail)], kDefaultCapacity[0]);
  EXPECT_EQ(a->teams, (std::vector<TeamId>{TeamId{3}, TeamId{5}}));
  auto bad = parse_agent_create(json::parse(R"({"name":"Ada","capacity":{"fax":2}})"), resolve);
  EXPECT_EQ(bad.error().field, "capacity.fax");
}

TEST(ParsePatch, NullClearsAssignee) {
  auto p = parse_ticket_patch(json::parse(R"({"assignee_id":null,"status":"solved"})"), resolve);
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->assignee.has_value());
  EXPECT_FALSE(p->assignee->has_value());
  EXPECT_EQ(p->status, TicketStatus::kSolved);
}

}  // namespace
}  // namespace sb::http
