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

TEST(Config, ListenAddress) {
  EXPECT_EQ(parse_listen("0.0.0.0:8080")->port, 8080);
  EXPECT_FALSE(parse_listen("8080").ok());
  EXPECT_FALSE(parse_listen("localhost:99999").ok());
}

}  // namespace
}  // namespace sb
