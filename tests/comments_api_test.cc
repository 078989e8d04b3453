// Conversations over HTTP against the real binary: replies, customer
// messages and internal notes, what they do to the status and the SLA clocks
// (first response, next reply), and every way to get a comment wrong.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

using nlohmann::json;
const std::string kAdmin = "comments-admin-token-0123456789";

class Comments : public ::testing::Test {
 protected:
  void SetUp() override {
    config = (dir.path() / "config.yaml").string();
    std::ofstream(config) << "teams: [Support]\n"
                             "sla:\n"
                             "  policies:\n"
                             "    - {name: standard, first_response_minutes: 60, next_reply_minutes: 120,"
                             " resolution_minutes: 480}\n";
    start();
    agent_id = admin->post("/api/v1/agents", {{"name", "Bo"}, {"email", "bo@acme.example"}, {"teams", {"Support"}},
                                              {"presence", "online"}})
                   .body["id"];
    auto token = admin->post("/api/v1/tokens", {{"agent_id", agent_id}});
    agent = std::make_unique<HttpClient>("127.0.0.1", server->port(), token.body["token"].get<std::string>());
    auto t = admin->post("/api/v1/tickets", {{"subject", "Printer jams"}, {"team", "Support"},
                                              {"requester", {{"email", "ann@example.com"}, {"name", "Ann"}}}});
    ASSERT_EQ(t.status, 201) << t.raw;
    ASSERT_EQ(t.body["assignee_id"], agent_id);
    ticket = "/api/v1/tickets/" + std::to_string(t.body["id"].get<int>());
  }
  void start() {
    server = std::make_unique<ServerProcess>(SWITCHBOARD_BINARY, dir.path().string(), kAdmin,
                                             std::vector<std::string>{"--config", config});
    ASSERT_TRUE(server->start()) << server->log_path();
    admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
  }
  json get() { return admin->get(ticket).body; }

  TempDir dir{"sb_comments"};
  std::string config;
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> admin, agent;
  std::int64_t agent_id = 0;
  std::string ticket;
};

TEST_F(Comments, RepliesCustomerMessagesAndNotesMoveTheTicketAndItsClocks) {
  EXPECT_FALSE(get()["sla"]["first_response"]["met"].get<bool>());
  // The agent replies and asks the customer: first response met, the ticket waits on the customer.
  auto reply = agent->post(ticket + "/comments", {{"body", "Which tray?"}, {"status", "pending"},
                                                  {"attachments", {{{"name", "howto.pdf"}, {"size", 2048}}}}});
  ASSERT_EQ(reply.status, 201) << reply.raw;
  EXPECT_EQ(reply.body["kind"], "reply");
  EXPECT_EQ(reply.body["author"]["agent_id"], agent_id);
  EXPECT_EQ(reply.body["author"]["name"], "Bo");
  EXPECT_EQ(reply.body["attachments"][0]["size"], 2048);
  json t = get();
  EXPECT_EQ(t["status"], "pending");
  EXPECT_TRUE(t["sla"]["first_response"]["met"].get<bool>());
  EXPECT_TRUE(t["sla"]["next_reply"].is_null());

  // The customer answers: open again, and a reply is owed within two hours.
  auto answer = admin->post(ticket + "/comments", {{"body", "The lower one."}, {"author", {{"type", "customer"}}}});
  ASSERT_EQ(answer.status, 201) << answer.raw;
  EXPECT_EQ(answer.body["author"]["email"], "ann@example.com");
  t = get();
  EXPECT_EQ(t["status"], "open");
  ASSERT_TRUE(t["sla"]["next_reply"].is_object()) << t["sla"].dump();
  EXPECT_NEAR(t["sla"]["next_reply"]["remaining_seconds"].get<double>(), 7200, 10);
  EXPECT_FALSE(t["sla"]["next_reply"]["due"].is_null());

  // An internal note is not a reply.
  auto note = agent->post(ticket + "/comments", {{"body", "Tray 2 roller is worn."}, {"public", false}});
  ASSERT_EQ(note.status, 201);
  EXPECT_EQ(note.body["kind"], "note");
  EXPECT_FALSE(get()["sla"]["next_reply"]["met"].get<bool>());

  // The thread is on the ticket and survives a restart, clocks included.
  server->stop();
  start();
  t = get();
  ASSERT_EQ(t["comments"].size(), 3u);
  EXPECT_EQ(t["comments"][0]["kind"], "reply");
  EXPECT_EQ(t["comments"][1]["kind"], "customer");
  EXPECT_EQ(t["comments"][2]["kind"], "note");
  EXPECT_EQ(t["comments"][2]["public"], false);
  EXPECT_EQ(admin->get(ticket + "/comments").body["comments"].size(), 3u);
  EXPECT_FALSE(t["sla"]["next_reply"]["met"].get<bool>());
  auto second = admin->post(ticket + "/comments", {{"body", "Replacing the roller."},
                                                   {"author", {{"type", "agent"}, {"agent_id", agent_id}}}});
  ASSERT_EQ(second.status, 201) << second.raw;
  EXPECT_TRUE(get()["sla"]["next_reply"]["met"].get<bool>());
}

TEST_F(Comments, BadCommentsAreRefusedAndChangeNothing) {
  auto expect_422 = [&](HttpClient& c, const json& body, const std::string& field) {
    auto r = c.post(ticket + "/comments", body);
    EXPECT_EQ(r.status, 422) << body.dump() << " " << r.raw;
    EXPECT_EQ(r.body["error"]["field"], field) << r.raw;
  };
  expect_422(*agent, json::object(), "body");
  expect_422(*agent, {{"body", "  \n"}}, "body");
  expect_422(*agent, {{"body", "x"}, {"colour", "red"}}, "colour");
  expect_422(*agent, {{"body", "x"}, {"author", {{"type", "customer"}}}}, "author");
  expect_422(*admin, {{"body", "x"}}, "author");
  expect_422(*admin, {{"body", "x"}, {"author", {{"type", "robot"}}}}, "author.type");
  expect_422(*admin, {{"body", "x"}, {"author", {{"type", "agent"}}}}, "author.agent_id");
  expect_422(*admin, {{"body", "x"}, {"author", {{"type", "agent"}, {"agent_id", 99}}}}, "author.agent_id");
  expect_422(*admin, {{"body", "x"}, {"public", false}, {"author", {{"type", "customer"}}}}, "public");
  expect_422(*agent, {{"body", "x"}, {"attachments", {{{"size", 1}}}}}, "attachments[0].name");
  expect_422(*agent, {{"body", "x"}, {"status", "lost"}}, "status");
  auto bad_transition = agent->post(ticket + "/comments", {{"body", "x"}, {"status", "closed"}});
  EXPECT_EQ(bad_transition.status, 409) << bad_transition.raw;
  EXPECT_EQ(admin->post("/api/v1/tickets/999/comments", {{"body", "x"}, {"author", {{"type", "customer"}}}}).status, 404);
  EXPECT_TRUE(get()["comments"].empty());  // nothing above was stored
  EXPECT_EQ(get()["status"], "open");

  // A closed ticket takes no more messages.
  ASSERT_EQ(admin->patch(ticket, {{"status", "solved"}}).status, 200);
  ASSERT_EQ(admin->patch(ticket, {{"status", "closed"}}).status, 200);
  auto closed = admin->post(ticket + "/comments", {{"body", "again"}, {"author", {{"type", "customer"}}}});
  EXPECT_EQ(closed.status, 409);
  EXPECT_EQ(closed.body["error"]["code"], "ticket_closed");
}

}  // namespace
}  // namespace sb::testing
