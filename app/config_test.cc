#include "app/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sb {
namespace {

std::string write(const std::string& text) {
  static int n = 0;
  const auto path = std::filesystem::temp_directory_path() /
                    ("sb_config_" + std::to_string(::getpid()) + "_" + std::to_string(++n) + ".yaml");
  std::ofstream(path) << text;
  return path.string();
}

TEST(Config, ReadsTeamsAndAgents) {
  auto c = load_config(write(R"(listen: 127.0.0.1:9000
db: /tmp/x.db
teams: [Network, Billing]
agents:
  - name: Ada
    email: ada@example.com
    teams: [Network]
    skills: {vpn: 5, french: 2}
    capacity: {chat: 2}
    presence: online
)"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(*c->listen, "127.0.0.1:9000");
  ASSERT_EQ(c->agents.size(), 1u);
  EXPECT_EQ(c->agents[0].agent.skills.at("vpn"), 5);
  EXPECT_EQ(c->agents[0].agent.capacity[static_cast<int>(Channel::kChat)], 2);
  EXPECT_EQ(c->agents[0].agent.presence, Presence::kOnline);
  EXPECT_EQ(c->agents[0].team_names, std::vector<std::string>{"Network"});
}

TEST(Config, ErrorsNameFileLineAndField) {
  const std::string path = write("teams: [Network]\nagents:\n  - name: Ada\n    skills:\n      vpn: 9\n");
  auto c = load_config(path);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, path + ":5: agents[0].skills.vpn: must be between 1 and 5");

  auto unknown = load_config(write("teams: [A]\nlisten: 127.0.0.1:80\nport: 9\n"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find(":3: port: unknown setting"), std::string::npos);

  auto team = load_config(write("teams: [A]\nagents:\n  - {name: Bo, teams: [B]}\n"));
  EXPECT_NE(team.error().message.find("agents[0].teams: team 'B' is not listed"), std::string::npos);

  auto syntax = load_config(write("teams: [A\n"));
  EXPECT_FALSE(syntax.ok());
  EXPECT_FALSE(load_config("/nonexistent/config.yaml").ok());
}

// connectors: each help desk's settings, its secret from the environment;
// mistakes name the file, the line and the setting.
TEST(Config, ConnectorsTakeTheirSecretFromTheEnvironmentAndNameTheirMistakes) {
  ::setenv("SB_TEST_RT_PASSWORD", "s3cret", 1);
  ::unsetenv("SB_TEST_NO_SUCH_VARIABLE");
  auto c = load_config(write("teams: [Support, Hardware]\n"
                             "connectors:\n"
                             "  - name: rt\n"
                             "    type: request_tracker\n"
                             "    url: http://rt.example.com/\n"
                             "    user: switchboard\n"
                             "    password_env: SB_TEST_RT_PASSWORD\n"
                             "    queues: {General: Support, Disks: Hardware}\n"
                             "    agents: {olga: olga.s@example.com}\n"
                             "    statuses: {waiting_on_vendor: hold}\n"
                             "    poll_seconds: 0.5\n"
                             "    history: false\n"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->connectors.size(), 1u);
  const connectors::ConnectorSettings& rt = c->connectors[0];
  EXPECT_EQ(rt.url, "http://rt.example.com");
  EXPECT_EQ(rt.password, "s3cret");
  EXPECT_EQ(rt.queues.at("Disks"), "Hardware");
  EXPECT_EQ(rt.agents.at("olga"), "olga.s@example.com");
  EXPECT_EQ(rt.statuses.at("waiting_on_vendor"), TicketStatus::kHold);
  EXPECT_EQ(rt.statuses.at("resolved"), TicketStatus::kSolved);  // the defaults stay
  EXPECT_EQ(rt.poll, std::chrono::milliseconds(500));
  EXPECT_FALSE(rt.history);

  auto expect = [](const std::string& yaml, const std::string& error) {
    const std::string path = write(yaml);
    auto bad = load_config(path);
    ASSERT_FALSE(bad.ok()) << yaml;
    EXPECT_NE(bad.error().message.find(path + error), std::string::npos) << bad.error().message;
  };
  const std::string head = "teams: [Support]\nconnectors:\n  - name: rt\n    type: request_tracker\n";
  expect(head + "    url: http://rt\n    user: u\n    password_env: SB_TEST_NO_SUCH_VARIABLE\n    queues: {General: Support}\n",
         ":7: connectors[0].password_env: the environment has no SB_TEST_NO_SUCH_VARIABLE");
  expect(head + "    url: http://rt\n    user: u\n    password_env: SB_TEST_RT_PASSWORD\n    queues: {General: Sales}\n",
         ":8: connectors[0].queues.General: team 'Sales' is not in teams:");
  expect("teams:\n  - {name: Support, routing: {offer_mode: {email: offer}}}\nconnectors:\n  - name: rt\n"
         "    type: request_tracker\n    url: http://rt\n    user: u\n    password_env: SB_TEST_RT_PASSWORD\n"
         "    queues: {General: Support}\n",
         ":9: connectors[0].queues.General: team 'Support' offers e-mail tickets");
  expect(head + "    url: rt.example.com\n    user: u\n    password_env: SB_TEST_RT_PASSWORD\n    queues: {General: Support}\n",
         ":5: connectors[0].url: must be http://host[:port] or https://...");
  expect("teams: [Support]\nconnectors:\n  - {name: rt, type: zendesk, url: http://z, user: u, password_env: SB_TEST_RT_PASSWORD, "
         "queues: {General: Support}}\n",
         ":3: connectors[0].type: must be request_tracker");
  expect(head + "    url: http://rt\n    user: u\n    password_env: SB_TEST_RT_PASSWORD\n    queues: {General: Support}\n"
                "    statuses: {stalled: waiting}\n",
         ":9: connectors[0].statuses.stalled: must be new, open, pending, hold, solved or closed");
}

TEST(Config, TiersAreAConfiguredList) {
  auto plain = load_config(write("teams: [A]\n"));
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->tiers, (std::vector<std::string>{"standard", "vip"}));
  auto three = load_config(write("teams: [A]\ntiers: [standard, vip, enterprise]\n"
                                 "sla:\n  policies:\n    - {name: e, match: {tier: [enterprise]}, first_response_minutes: 15}\n"));
  ASSERT_TRUE(three.ok()) << three.error().message;
  EXPECT_EQ(three->tiers.back(), "enterprise");
  auto unknown = load_config(write("teams: [A]\nsla:\n  policies:\n    - {name: e, match: {tier: [enterprise]}, first_response_minutes: 15}\n"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find(":4: sla.policies[0].match.tier: unknown tier 'enterprise' (tiers: standard, vip)"),
            std::string::npos) << unknown.error().message;
  auto bad_name = load_config(write("tiers: [standard, Gold]\n"));
  ASSERT_FALSE(bad_name.ok());
  EXPECT_NE(bad_name.error().message.find(":1: tiers[1]: a tier's name is"), std::string::npos) << bad_name.error().message;
  auto twice = load_config(write("tiers: [standard, vip, vip]\n"));
  EXPECT_NE(twice.error().message.find("tiers[2]: 'vip' is listed twice"), std::string::npos) << twice.error().message;
  auto raise = load_config(write("triage:\n  priority: {raise_tiers: [gold]}\n"));
  ASSERT_FALSE(raise.ok());
  EXPECT_NE(raise.error().message.find("triage.priority.raise_tiers[0]: 'gold' is not one of the tiers"), std::string::npos)
      << raise.error().message;
}

TEST(Config, AttributesAndCustomFieldsAreDeclaredWithTheirTypes) {
  auto c = load_config(write("tiers: [standard, vip, enterprise]\n"
                             "customers:\n  attributes:\n    - {name: lifetime_value, type: number}\n"
                             "    - {name: plan, type: one_of, values: [free, pro]}\n"
                             "organizations:\n  attributes: [{name: segment}]\n"
                             "fields:\n  - {name: order_number, type: pattern, pattern: \"[A-Z]{2}-[0-9]{6}\", label: Order number, form: true}\n"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->directory.customer_attributes.size(), 2u);
  EXPECT_EQ(c->directory.customer_attributes[1].values, (std::vector<std::string>{"free", "pro"}));
  EXPECT_EQ(c->directory.organization_attributes[0].type, AttributeType::kText);
  EXPECT_TRUE(c->directory.ticket_fields[0].form);
  EXPECT_EQ(c->directory.ticket_fields[0].label, "Order number");
  EXPECT_EQ(c->directory.tiers.back(), "enterprise");
  auto error = [](const std::string& text) {
    auto r = load_config(write(text));
    return r.ok() ? std::string("ok") : r.error().message;
  };
  EXPECT_NE(error("customers:\n  attributes:\n    - {name: Plan}\n").find(":3: customers.attributes[0].name: "),
            std::string::npos);
  EXPECT_NE(error("customers:\n  attributes:\n    - {name: a, type: colour}\n").find(":3: customers.attributes[0].type"),
            std::string::npos);
  EXPECT_NE(error("customers:\n  attributes:\n    - {name: a, type: one_of}\n").find("customers.attributes[0].values"),
            std::string::npos);
  EXPECT_NE(error("customers:\n  attributes:\n    - {name: a}\n    - {name: a}\n").find(":4: customers.attributes[1].name: 'a' is declared twice"),
            std::string::npos);
  EXPECT_NE(error("fields:\n  - {name: n, type: pattern, pattern: \"(\"}\n").find(":2: fields[0].pattern"), std::string::npos);
  EXPECT_NE(error("customers:\n  attributes:\n    - {name: a, type: pattern}\n").find("pattern is for ticket fields"),
            std::string::npos);
}

TEST(Config, TriageModelsAndRules) {
  auto c = load_config(write(R"(triage:
  models:
    - {path: team.bin, predicts: team, labels: {"4": Service Desk}}
    - {path: urgency.bin, name: urgency, predicts: urgency, min_confidence: 0.7, labels: {"0": high, "3": low}}
  triage_team: Humans
  rules: rules.yaml
  priority: {vip_bump: false, matrix: {high: {high: urgent, low: high}}}
)"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_TRUE(c->triage);
  ASSERT_EQ(c->triage->models.size(), 2u);
  EXPECT_EQ(c->triage->models[1].predicts, triage::Predicts::kUrgency);
  EXPECT_DOUBLE_EQ(c->triage->models[1].min_confidence, 0.7);
  EXPECT_EQ(c->triage->models[0].labels.at("4"), "Service Desk");
  EXPECT_EQ(c->triage->triage_team, "Humans");
  EXPECT_TRUE(c->triage->priority.raise_tiers.empty());
  EXPECT_EQ(c->triage->priority.matrix[2][0], Priority::kHigh);

  const std::string bad = write("triage:\n  models:\n    - {path: u.bin, predicts: urgency, labels: {\"0\": extreme}}\n");
  auto b = load_config(bad);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find(bad + ":3: triage.models[0].labels.0: must be low, medium or high"), std::string::npos)
      << b.error().message;
  auto two = load_config(write("triage:\n  models:\n    - {path: a.bin}\n    - {path: b.bin, predicts: category}\n"));
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.error().message.find("at most one model"), std::string::npos);
}

TEST(Config, Notifications) {
  auto c = load_config(write(R"(notifications:
  smtp: {url: "smtp://127.0.0.1:2525", from: "Acme Support <help@acme.example>"}
  confirmation:
    on_assigned: false
    created: {subject: "Ticket {{ticket_id}}"}
  delivery: {max_attempts: 3, retry_base_seconds: 0.2, timeout_seconds: 2}
)"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_TRUE(c->notifications.smtp);
  EXPECT_EQ(c->notifications.smtp->url, "smtp://127.0.0.1:2525");
  EXPECT_FALSE(c->notifications.confirmation.on_assigned);
  EXPECT_EQ(c->notifications.confirmation.created.subject, "Ticket {{ticket_id}}");
  EXPECT_EQ(c->notifications.confirmation.created.body, notify::default_confirmation().created.body);
  EXPECT_EQ(c->notifications.max_attempts, 3);
  EXPECT_EQ(c->notifications.retry_base, std::chrono::milliseconds(200));

  auto typo = load_config(write("notifications:\n  confirmation:\n    created:\n      body: \"Hi {{nmae}}\"\n"));
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find(":4: notifications.confirmation.created.body: unknown placeholder {{nmae}}"),
            std::string::npos)
      << typo.error().message;
  auto scheme = load_config(write("notifications:\n  smtp: {url: \"http://x\", from: a@b.c}\n"));
  EXPECT_NE(scheme.error().message.find("notifications.smtp.url: must start with smtp://"), std::string::npos);
}

TEST(Config, Macros) {
  auto c = load_config(write(R"(macros:
  - name: Need details
    body: "Hello {{requester_name}}, by {{sla_due}}"
    public: false
    status: pending
    priority: high
    add_tags: [waiting]
)"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->macros.size(), 1u);
  EXPECT_EQ(c->macros[0].name, "Need details");
  EXPECT_FALSE(c->macros[0].is_public);
  EXPECT_EQ(c->macros[0].status, TicketStatus::kPending);
  EXPECT_EQ(c->macros[0].priority, Priority::kHigh);
  EXPECT_EQ(c->macros[0].add_tags, std::vector<std::string>{"waiting"});
  auto typo = load_config(write("macros:\n  - name: x\n    body: \"Hi {{nmae}}\"\n"));
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find(":3: macros[0].body: unknown placeholder {{nmae}}"), std::string::npos)
      << typo.error().message;
  auto status = load_config(write("macros:\n  - name: x\n    body: y\n    status: maybe\n"));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find(":4: macros[0].status"), std::string::npos) << status.error().message;
  auto missing = load_config(write("macros:\n  - name: x\n"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("macros[0].body: is required"), std::string::npos) << missing.error().message;
}

TEST(Config, ListenAddress) {
  EXPECT_EQ(parse_listen("0.0.0.0:8080")->port, 8080);
  EXPECT_FALSE(parse_listen("8080").ok());
  EXPECT_FALSE(parse_listen("localhost:99999").ok());
}

}  // namespace
}  // namespace sb
