// The real binary serving on PostgreSQL (`--db postgresql://...`): the
// throwaway cluster ctest starts (scripts/pg-cluster), a database per test.
#include <gtest/gtest.h>
#include <fstream>

#include "tests/support/http_client.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

const std::string kAdmin = "postgres-admin-token-0123456789";

TEST(PostgresApi, TicketsRoutedAndKeptAcrossARestart) {
  TempDir dir("sb_pg_api");
  const std::string cluster = pg_test_server(PG_TEST_URL_FILE);
  ASSERT_FALSE(cluster.empty()) << "no PostgreSQL test cluster: " << PG_TEST_URL_FILE;
  const std::string url = create_pg_database(cluster, "sb_api");
  ServerProcess server(SWITCHBOARD_BINARY, dir.path().string(), kAdmin);
  server.set_db(url);
  ASSERT_TRUE(server.start()) << server.log_path();
  {
    HttpClient admin("127.0.0.1", server.port(), kAdmin);
    ASSERT_EQ(admin.post("/api/v1/teams", {{"name", "Network"}}).status, 201);
    auto ada = admin.post("/api/v1/agents", {{"name", "Ada"}, {"teams", {"Network"}}, {"presence", "online"},
                                             {"capacity", {{"email", 1}}}});
    ASSERT_EQ(ada.status, 201);
    auto first = admin.post("/api/v1/tickets", {{"subject", "VPN down"}, {"team", "Network"}, {"channel", "email"}});
    ASSERT_EQ(first.status, 201) << first.raw;
    EXPECT_EQ(first.body["assignee_id"], ada.body["id"]);
    auto second = admin.post("/api/v1/tickets", {{"subject", "Printer"}, {"team", "Network"}, {"channel", "email"},
                                                 {"external_id", "CRM-7"}});
    EXPECT_TRUE(second.body["assignee_id"].is_null());  // Ada is full: it waits
    EXPECT_EQ(admin.post("/api/v1/tickets", {{"subject", "again"}, {"team", "Network"}, {"external_id", "CRM-7"}}).status,
              409);
    // Raw mail with bytes a text column would refuse is kept as sent.
    auto mail = admin.request("POST", "/api/v1/mail?mailbox=support",
                              std::string("From: kim@example.com\r\nTo: help@example.com\r\nSubject: bytes\r\n"
                                          "Message-ID: <b1@example.com>\r\n\r\nback\\slash \xff\xfe end\r\n"),
                              {{"Content-Type", "message/rfc822"}});
    EXPECT_EQ(mail.status, 201) << mail.raw;
  }
  server.stop();
  ASSERT_TRUE(server.start()) << server.log_path();
  HttpClient admin("127.0.0.1", server.port(), kAdmin);
  auto list = admin.get("/api/v1/tickets?limit=10");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["tickets"].size(), 3u);
  // The engine came back from the store: solving the first hands the waiting one to Ada.
  ASSERT_EQ(admin.patch("/api/v1/tickets/1", {{"status", "solved"}}).status, 200);
  EXPECT_FALSE(admin.get("/api/v1/tickets/2").body["assignee_id"].is_null());
  // Reports read PostgreSQL too.
  auto report = admin.get("/api/v1/reports/tickets?interval=none");
  ASSERT_EQ(report.status, 200) << report.raw;
  EXPECT_EQ(report.body["tickets"], 3);
  // The log shows the URL without a password.
  std::ifstream log(server.log_path());
  std::string text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(text.find("on postgresql://"), std::string::npos);
}

}  // namespace
}  // namespace sb::testing
