// IMAP intake against a real Dovecot on loopback (started by the test):
// new mail becomes tickets, processed mail is flagged and never deleted, and
// a crash between commit and flag (simulated by removing the flag) or a
// restart makes no second ticket.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/command.h"
#include "tests/support/eventually.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

using nlohmann::json;
const std::string kAdmin = "imap-admin-token-0123456789";

class Imap : public ::testing::Test {
 protected:
  void SetUp() override {
    dovecot = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/python3", SUPPORT_DIR "/imap_server.py", (dir.path() / "imap").string()},
        (dir.path() / "imap.log").string());
    ASSERT_TRUE(dovecot->start()) << "dovecot did not start; see " << (dir.path() / "imap").string();
    url = "imap://127.0.0.1:" + std::to_string(dovecot->port()) + "/INBOX";
    config = (dir.path() / "config.yaml").string();
    std::ofstream(config) << "teams: [Support]\noutbound: {allow_loopback: true}\nmailboxes:\n  - {name: support, url: \"" << url
                          << "\", username: support, password: secret, poll_seconds: 0.2}\n";
    start();
  }
  void start() {
    server = std::make_unique<ServerProcess>(SWITCHBOARD_BINARY, dir.path().string(), kAdmin,
                                             std::vector<std::string>{"--config", config});
    ASSERT_TRUE(server->start()) << server->log_path();
    admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
  }
  // curl(1) as an independent IMAP client.
  std::string imap(const std::string& args) {
    return run_command("curl -s --url '" + url + "' --user support:secret " + args + " 2>&1").output;
  }
  void deliver(const std::string& from, const std::string& subject, const std::string& id) {
    const std::string file = (dir.path() / (id + ".eml")).string();
    std::ofstream(file) << "From: " << from << "\r\nSubject: " << subject << "\r\nMessage-ID: <" << id
                        << ">\r\n\r\nSent by IMAP.\r\n";
    imap("-T " + file);
  }
  std::size_t tickets() { return admin->get("/api/v1/tickets?limit=100").body["tickets"].size(); }

  TempDir dir{"sb_imap"};
  std::unique_ptr<ChildProcess> dovecot;
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> admin;
  std::string url, config;
};

TEST_F(Imap, NewMailBecomesTicketsFlaggedNeverDeletedAndNeverTwice) {
  deliver("ann@example.com", "VPN down", "imap-1@example.com");
  deliver("bob@example.com", "Printer", "imap-2@example.com");
  ASSERT_TRUE(eventually([&] { return tickets() == 2; })) << server->log_path();
  auto first = admin->get("/api/v1/tickets?limit=10").body["tickets"][0];
  EXPECT_EQ(first["channel"], "email");
  EXPECT_EQ(first["requester"]["email"], "ann@example.com");
  // Flagged as processed (and seen), still there.
  ASSERT_TRUE(eventually([&] { return imap("-X 'UID FETCH 1:* (FLAGS)'").find("$SwitchboardDone") != std::string::npos; }));
  const std::string flags = imap("-X 'UID FETCH 1:* (FLAGS)'");
  EXPECT_NE(flags.find("UID 2 FLAGS (\\Seen $SwitchboardDone)"), std::string::npos) << flags;
  EXPECT_NE(imap("-X 'EXAMINE INBOX'").find("* 2 EXISTS"), std::string::npos);

  // As if the server had died after the commit but before the flag: fetched again, no second ticket.
  imap("-X 'UID STORE 1 -FLAGS ($SwitchboardDone)'");
  ASSERT_TRUE(eventually([&] { return imap("-X 'UID FETCH 1 (FLAGS)'").find("$SwitchboardDone") != std::string::npos; }));
  EXPECT_EQ(tickets(), 2u);

  // A restart picks up what arrived meanwhile, once; a reply threads.
  server->stop();
  deliver("cy@example.com", "Laptop", "imap-3@example.com");
  std::ofstream(dir.path() / "reply.eml") << "From: ann@example.com\r\nSubject: Re: VPN down\r\nMessage-ID: "
                                             "<imap-4@example.com>\r\nIn-Reply-To: <imap-1@example.com>\r\n\r\nStill.\r\n";
  imap("-T " + (dir.path() / "reply.eml").string());
  start();
  ASSERT_TRUE(eventually([&] { return tickets() == 3; }));
  ASSERT_TRUE(eventually([&] {
    return admin->get("/api/v1/tickets/" + std::to_string(first["id"].get<int>())).body["comments"].size() == 1;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // a few more polls
  EXPECT_EQ(tickets(), 3u);
  EXPECT_NE(imap("-X 'EXAMINE INBOX'").find("* 4 EXISTS"), std::string::npos);
}

}  // namespace
}  // namespace sb::testing
