// Notifications against the real binary: webhooks signed and delivered at
// least once to a receiver that is down for a while; the customer's
// confirmation through a real SMTP server (aiosmtpd); the live event stream.
#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/event_reader.h"
#include "tests/support/eventually.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
const std::string kAdmin = "notify-admin-token-0123456789";
const std::string kPython = "/usr/bin/python3";

std::vector<json> read_lines(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

class Notify : public ::testing::Test {
 protected:
  void start_server(const std::string& extra_yaml = "") {
    const std::string config = (dir.path() / "config.yaml").string();
    std::ofstream(config) << "teams: [Support]\n"
                             "outbound: {allow_loopback: true}\nnotifications:\n"
                             "  delivery: {retry_base_seconds: 0.2, retry_max_seconds: 0.5, max_attempts: 60,"
                             " timeout_seconds: 2}\n"
                          << extra_yaml;
    server = std::make_unique<ServerProcess>(SWITCHBOARD_BINARY, dir.path().string(), kAdmin,
                                             std::vector<std::string>{"--config", config});
    ASSERT_TRUE(server->start()) << server->log_path();
    admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
  }
  std::int64_t agent(const std::string& name, const std::string& presence) {
    auto r = admin->post("/api/v1/agents", {{"name", name}, {"teams", {"Support"}}, {"presence", presence},
                                            {"capacity", {{"email", 5}}}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body["id"];
  }
  json ticket(const std::string& subject, const std::string& email = "") {
    json body{{"subject", subject}, {"team", "Support"}, {"channel", "email"}};
    if (!email.empty()) body["requester"] = {{"email", email}, {"name", "Ann Example"}};
    auto r = admin->post("/api/v1/tickets", body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body;
  }
  json deliveries(const std::string& query = "") {
    return admin->get("/api/v1/deliveries?limit=500" + query).body["deliveries"];
  }

  TempDir dir{"sb_notify"};
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> admin;
};

TEST_F(Notify, WebhooksReachAReceiverThatWasDownSignedAndOnceAfterDedupe) {
  const std::string secret_file = (dir.path() / "secret").string();
  const std::string received = (dir.path() / "received.jsonl").string();
  std::ofstream(secret_file) << "unknown-yet";
  const std::string receiver_log = (dir.path() / "receiver.log").string();
  auto receiver = std::make_unique<ChildProcess>(
      std::vector<std::string>{kPython, SUPPORT_DIR "/webhook_receiver.py", "0", secret_file, received}, receiver_log);
  ASSERT_TRUE(receiver->start()) << receiver_log;
  const std::uint16_t port = receiver->port();
  receiver->stop();  // down: deliveries fail and back off

  start_server();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  auto hook = admin->post("/api/v1/webhooks", {{"url", url}, {"description", "all events"}});
  ASSERT_EQ(hook.status, 201) << hook.raw;
  const std::string secret = hook.body["secret"];
  EXPECT_TRUE(secret.starts_with("whsec_"));
  std::ofstream(secret_file) << secret;
  auto status_only = admin->post("/api/v1/webhooks", {{"url", url + "/status"}, {"events", {"ticket.status_changed"}}});
  ASSERT_EQ(status_only.status, 201);
  EXPECT_NE(status_only.body["secret"], secret);  // each hook signs with its own
  std::ofstream(secret_file) << secret << "\n" << status_only.body["secret"].get<std::string>() << "\n";
  // The secret is shown once; listings never show it.
  auto listed = admin->get("/api/v1/webhooks");
  ASSERT_EQ(listed.body["webhooks"].size(), 2u);
  EXPECT_FALSE(listed.body["webhooks"][0].contains("secret"));

  const auto a = agent("Bo", "online");
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(ticket("printer " + std::to_string(i))["id"]);
  ASSERT_EQ(admin->patch("/api/v1/tickets/" + std::to_string(ids[0]), {{"status", "solved"}}).status, 200);

  // While the receiver is down every delivery is pending with an error and more than one attempt.
  ASSERT_TRUE(eventually([&] {
    json all = deliveries();
    if (all.empty()) return false;
    for (const json& d : all) {
      if (d["attempts"].get<int>() < 2) return false;
    }
    return true;
  }));
  for (const json& d : deliveries()) {
    EXPECT_EQ(d["state"], "pending");
    EXPECT_TRUE(d["last_error"].is_string());
  }

  // Back up (same port): every event arrives, signed; the status-only hook got only status changes.
  receiver = std::make_unique<ChildProcess>(
      std::vector<std::string>{kPython, SUPPORT_DIR "/webhook_receiver.py", std::to_string(port), secret_file, received},
      receiver_log);
  ASSERT_TRUE(receiver->start());
  ASSERT_TRUE(eventually([&] {
    for (const json& d : deliveries()) {
      if (d["state"] != "delivered") return false;
    }
    return true;
  })) << deliveries().dump() << "\n" << std::ifstream(received).rdbuf();

  std::set<std::int64_t> expected_all, expected_status;
  for (const json& d : deliveries()) {
    (d["webhook_id"] == 1 ? expected_all : expected_status).insert(d["event_sequence"].get<std::int64_t>());
  }
  // 4 created + 4 assigned + 4 new->open + 1 open->solved events.
  EXPECT_EQ(expected_all.size(), 13u);
  EXPECT_EQ(expected_status.size(), 5u);
  std::map<std::string, int> by_type;
  std::set<std::int64_t> got;
  int retried = 0;
  for (const json& r : read_lines(received)) {
    ASSERT_TRUE(r["valid"].get<bool>()) << r.dump();  // the receiver's own HMAC check
    EXPECT_EQ(r["id"], r["header_id"]);
    if (r["attempt"].get<int>() > 1) ++retried;
    if (r["duplicate"].get<bool>()) continue;  // the receiver's dedupe
    got.insert(r["sequence"].get<std::int64_t>());
    ++by_type[r["type"]];
  }
  EXPECT_EQ(got, expected_all);  // every status change went to both hooks, under one event id
  EXPECT_GT(retried, 0);
  EXPECT_EQ(by_type["ticket.created"], 4);
  EXPECT_EQ(by_type["ticket.assigned"], 4);
  EXPECT_EQ(by_type["ticket.status_changed"], 5);

  // Redelivery sends the same event again (the receiver sees a duplicate id).
  const std::int64_t first = deliveries()[0]["id"];
  auto again = admin->request("POST", "/api/v1/deliveries/" + std::to_string(first) + "/redeliver");
  ASSERT_EQ(again.status, 202) << again.raw;
  EXPECT_EQ(again.body["state"], "pending");
  ASSERT_TRUE(eventually([&] {
    auto lines = read_lines(received);
    return !lines.empty() && lines.back()["duplicate"].get<bool>();
  }));
  (void)a;
}

TEST_F(Notify, WebhookAndDeliveryErrorsAreClear) {
  start_server();
  auto bad_url = admin->post("/api/v1/webhooks", {{"url", "ftp://example.com/x"}});
  EXPECT_EQ(bad_url.status, 422);
  EXPECT_EQ(bad_url.body["error"]["field"], "url");
  auto bad_type = admin->post("/api/v1/webhooks", {{"url", "http://127.0.0.1:9/x"}, {"events", {"ticket.eaten"}}});
  EXPECT_EQ(bad_type.status, 422);
  EXPECT_EQ(bad_type.body["error"]["field"], "events");
  EXPECT_EQ(admin->post("/api/v1/webhooks", {{"url", "http://127.0.0.1:9/x"}, {"secret", "mine"}}).body["error"]["code"],
            "unknown_field");
  EXPECT_EQ(admin->post("/api/v1/webhooks", json::object()).body["error"]["code"], "missing_field");
  EXPECT_EQ(admin->get("/api/v1/webhooks/99").status, 404);
  EXPECT_EQ(admin->request("POST", "/api/v1/deliveries/99/redeliver").status, 404);
  EXPECT_EQ(admin->get("/api/v1/deliveries?state=lost").body["error"]["field"], "state");
  EXPECT_TRUE(admin->get("/api/v1/webhooks").body["webhooks"].empty());  // nothing was created

  auto hook = admin->post("/api/v1/webhooks", {{"url", "http://127.0.0.1:9/x"}});
  const std::string path = "/api/v1/webhooks/" + std::to_string(hook.body["id"].get<int>());
  EXPECT_EQ(admin->patch(path, {{"active", "no"}}).body["error"]["field"], "active");
  EXPECT_EQ(admin->request("DELETE", path).status, 204);
  EXPECT_EQ(admin->get(path).body["active"], false);
  ticket("after the hook was switched off");
  EXPECT_TRUE(deliveries().empty());

  // Agents cannot manage webhooks.
  const auto a = agent("Cy", "online");
  auto token = admin->post("/api/v1/tokens", {{"agent_id", a}});
  HttpClient agent_client("127.0.0.1", server->port(), token.body["token"]);
  EXPECT_EQ(agent_client.get("/api/v1/webhooks").status, 403);
}

TEST_F(Notify, TheCustomerGetsAConfirmationByEmail) {
  const std::string maildir = (dir.path() / "maildir").string();
  const std::string sink_log = (dir.path() / "smtp.log").string();
  ChildProcess sink({kPython, SUPPORT_DIR "/smtp_sink.py", maildir}, sink_log);
  ASSERT_TRUE(sink.start()) << sink_log;
  start_server("  smtp: {url: \"smtp://127.0.0.1:" + std::to_string(sink.port()) +
               "\", from: \"Acme Support <help@acme.example>\"}\n");

  // Nobody online: the first message gives the place in line.
  json t = ticket("VPN drops\r\nBcc: eve@example.com", "ann@example.com");
  const std::string id = std::to_string(t["id"].get<int>());
  auto messages = [&] {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(maildir + "/new", ec)) {
      std::ifstream in(e.path());
      out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return out;
  };
  ASSERT_TRUE(eventually([&] { return messages().size() == 1; })) << server->log_path();
  std::string first = messages()[0];
  const std::string head = first.substr(0, first.find("\n\n"));
  EXPECT_NE(head.find("Auto-Submitted: auto-generated"), std::string::npos) << head;
  EXPECT_NE(head.find("To: Ann Example <ann@example.com>"), std::string::npos) << head;
  EXPECT_NE(head.find("Subject: [#" + id + "] We have your request: VPN drops  Bcc: eve@example.com"),
            std::string::npos)
      << head;
  EXPECT_EQ(head.find("\nBcc:"), std::string::npos);  // the CR/LF in the subject did not start a header
  EXPECT_NE(first.find("You are number 1 in the queue"), std::string::npos) << first;
  // The Message-ID is the one stored on the delivery, to thread replies on.
  // (The sink has the message a moment before the dispatcher records the outcome.)
  json mail;
  EXPECT_TRUE(eventually([&] {
    mail = deliveries("&event_sequence=1")[0];
    return mail["state"] == "delivered";
  })) << mail.dump();
  EXPECT_EQ(mail["kind"], "email");
  EXPECT_NE(head.find("Message-Id: " + mail["message_id"].get<std::string>()), std::string::npos) << head;

  // An agent comes online and takes it: a second message names the agent.
  agent("Dana Agent", "online");
  ASSERT_TRUE(eventually([&] { return messages().size() == 2; }));
  bool named = false;
  for (const std::string& m : messages()) {
    if (m.find("Subject: [#" + id + "] Dana Agent is handling your request") != std::string::npos) named = true;
  }
  EXPECT_TRUE(named);
  // No requester address: no message.
  ticket("no address");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(messages().size(), 2u);
}

TEST_F(Notify, TheLiveStreamShowsCommittedEventsAndResumes) {
  start_server();
  EventReader live(server->port(), "/api/v1/events", "Authorization: Bearer " + kAdmin + "\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // connected before the change
  const json t = ticket("stream me");
  auto e = live.next();
  ASSERT_FALSE(e.empty()) << live.head;
  EXPECT_NE(live.head.find("text/event-stream"), std::string::npos);
  EXPECT_EQ(e["event"], "ticket.created");
  EXPECT_EQ(e["id"], "1");
  const json doc = json::parse(e["data"]);
  EXPECT_EQ(doc["data"]["ticket"]["id"], t["id"]);
  EXPECT_EQ(doc["data"]["ticket"]["subject"], "stream me");

  // Resuming from an id replays what came after it (here with the token in the URL, as EventSource must).
  const auto a = agent("Eve", "online");  // takes the ticket: assigned + status_changed
  EventReader resumed(server->port(), "/api/v1/events?access_token=" + kAdmin + "&types=ticket.assigned",
                      "Last-Event-ID: 1\r\n");
  auto assigned = resumed.next();
  ASSERT_FALSE(assigned.empty()) << resumed.head;
  EXPECT_EQ(assigned["event"], "ticket.assigned");
  EXPECT_EQ(json::parse(assigned["data"])["data"]["agent_id"], a);

  // An agent sees their teams' tickets' events (Fay is in Support), and no other team's.
  const auto teammate = agent("Fay", "offline");
  auto token = admin->post("/api/v1/tokens", {{"agent_id", teammate}});
  EventReader mine(server->port(), "/api/v1/events?after=0",
                   "Authorization: Bearer " + token.body["token"].get<std::string>() + "\r\n");
  auto seen = mine.next();
  ASSERT_FALSE(seen.empty()) << mine.head;
  EXPECT_EQ(json::parse(seen["data"])["data"]["ticket"]["id"], t["id"]);
  ASSERT_EQ(admin->post("/api/v1/teams", {{"name", "Far away"}}).status, 201);
  auto outsider = admin->post("/api/v1/agents", {{"name", "Gus"}, {"teams", {"Far away"}}});
  auto outsider_token = admin->post("/api/v1/tokens", {{"agent_id", outsider.body["id"]}});
  EventReader theirs(server->port(), "/api/v1/events?after=0",
                     "Authorization: Bearer " + outsider_token.body["token"].get<std::string>() + "\r\n");
  EXPECT_TRUE(theirs.next(std::chrono::seconds(2)).empty());
  // A supervisor sees their teams' tickets' events, and no other team's.
  auto support = admin->post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", {"Support"}}});
  ASSERT_EQ(support.status, 201) << support.raw;
  EventReader supervised(server->port(), "/api/v1/events?after=0",
                         "Authorization: Bearer " + support.body["token"].get<std::string>() + "\r\n");
  auto first = supervised.next();
  ASSERT_FALSE(first.empty()) << supervised.head;
  EXPECT_EQ(json::parse(first["data"])["data"]["ticket"]["id"], t["id"]);
  ASSERT_EQ(admin->post("/api/v1/teams", {{"name", "Elsewhere"}}).status, 201);
  auto elsewhere = admin->post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", {"Elsewhere"}}});
  EventReader unsupervised(server->port(), "/api/v1/events?after=0",
                           "Authorization: Bearer " + elsewhere.body["token"].get<std::string>() + "\r\n");
  EXPECT_TRUE(unsupervised.next(std::chrono::seconds(2)).empty());

  EventReader bad(server->port(), "/api/v1/events?types=nope", "Authorization: Bearer " + kAdmin + "\r\n");
  bad.next(std::chrono::seconds(1));
  EXPECT_NE(bad.head.find("422"), std::string::npos) << bad.head;
  EventReader anonymous(server->port(), "/api/v1/events");
  anonymous.next(std::chrono::seconds(1));
  EXPECT_NE(anonymous.head.find("401"), std::string::npos) << anonymous.head;
}

}  // namespace
}  // namespace sb::testing
