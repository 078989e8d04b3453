// End-to-end tests: the real switchboard binary on loopback, with a real
// SQLite file, driven over HTTP.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <boost/asio.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/command.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

using nlohmann::json;
const std::string kAdmin = "test-admin-token-0123456789";

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ServerProcess>(SWITCHBOARD_BINARY, dir.path().string(), kAdmin);
    ASSERT_TRUE(server->start()) << "server did not start; see " << server->log_path();
    admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
  }
  void TearDown() override {
    admin.reset();
    server.reset();
  }

  void restart(int signal) {
    server->stop(signal);
    ASSERT_TRUE(server->start()) << "server did not restart; see " << server->log_path();
    admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
  }

  std::int64_t team(const std::string& name) {
    auto r = admin->post("/api/v1/teams", {{"name", name}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body["id"];
  }
  std::int64_t agent(json body) {
    auto r = admin->post("/api/v1/agents", body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body["id"];
  }
  json ticket(json body) {
    auto r = admin->post("/api/v1/tickets", body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body;
  }
  json get_ticket(std::int64_t id) {
    auto r = admin->get("/api/v1/tickets/" + std::to_string(id));
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body;
  }
  int ticket_count() {
    auto r = admin->get("/api/v1/tickets?limit=100");
    return static_cast<int>(r.body["tickets"].size());
  }
  void expect_error(const HttpResult& r, int status, const std::string& code, const std::string& field = "") {
    EXPECT_EQ(r.status, status) << r.raw;
    ASSERT_TRUE(r.body.is_object()) << r.raw;
    EXPECT_EQ(r.body["error"]["code"], code) << r.raw;
    EXPECT_TRUE(r.body["error"]["message"].is_string());
    if (!field.empty()) {
      EXPECT_EQ(r.body["error"]["field"], field) << r.raw;
    }
  }

  TempDir dir{"sb_api"};
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> admin;
};

TEST_F(ApiTest, HealthzNeedsNoToken) {
  HttpClient anon("127.0.0.1", server->port());
  auto r = anon.get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["status"], "ok");
}

TEST_F(ApiTest, CreateAssignsToTheBestSkilledAgent) {
  const auto net = team("Network");
  agent({{"name", "Junior"}, {"teams", {net}}, {"skills", {{"vpn", 2}}}, {"presence", "online"}});
  const auto senior = agent({{"name", "Senior"}, {"teams", {"Network"}}, {"skills", {{"vpn", 5}}}, {"presence", "online"}});
  json t = ticket({{"subject", "VPN drops every hour"}, {"channel", "chat"}, {"team", net},
                   {"priority", "high"}, {"required_skills", {{"vpn", 3}}},
                   {"requester", {{"email", "ana@example.com"}, {"name", "Ana"}, {"tier", "vip"}}}});
  EXPECT_EQ(t["status"], "open");
  EXPECT_EQ(t["assignee_id"], senior);
  EXPECT_EQ(t["team"], net);
  EXPECT_TRUE(t["queue_position"].is_null());
  EXPECT_EQ(t["routing"]["policy"], "skills_best_match");
  EXPECT_EQ(t["routing"]["proficiency"], 5);
  json again = get_ticket(t["id"]);
  EXPECT_EQ(again["assignee_id"], senior);
  EXPECT_EQ(again["requester"]["tier"], "vip");
  auto s = admin->get("/api/v1/agents/" + std::to_string(senior));
  EXPECT_EQ(s.body["load"]["chat"], 1);
}

TEST_F(ApiTest, CapacityHoldsAndSolvingPullsTheNextTicket) {
  const auto net = team("Network");
  const auto a = agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"phone", 1}}}, {"presence", "online"}});
  json first = ticket({{"subject", "call 1"}, {"channel", "phone"}, {"team", net}});
  json second = ticket({{"subject", "call 2"}, {"channel", "phone"}, {"team", net}});
  json urgent = ticket({{"subject", "call 3"}, {"channel", "phone"}, {"team", net}, {"priority", "urgent"}});
  EXPECT_EQ(first["assignee_id"], a);
  // A call rings: offered to the agent, who must pick up (accept) within the offer timeout.
  EXPECT_EQ(first["status"], "new");
  EXPECT_FALSE(first["offer_expires_at"].is_null());
  EXPECT_TRUE(first["accepted_at"].is_null());
  EXPECT_TRUE(second["assignee_id"].is_null());
  EXPECT_EQ(second["queue_position"], 1);
  EXPECT_EQ(second["expected_wait_method"], "no_history");  // nothing handled yet
  EXPECT_TRUE(second["expected_wait_seconds"].is_null());
  EXPECT_EQ(first["expected_wait_method"], "assigned");
  EXPECT_EQ(urgent["queue_position"], 1);  // urgent jumps ahead
  EXPECT_EQ(get_ticket(second["id"])["queue_position"], 2);
  EXPECT_EQ(get_ticket(second["id"])["expected_wait_method"], "no_history");

  auto q = admin->get("/api/v1/queues");
  ASSERT_EQ(q.status, 200);
  EXPECT_EQ(q.body["queues"][0]["waiting"], 2);
  EXPECT_EQ(q.body["queues"][0]["agents_online"], 1);
  EXPECT_GE(q.body["queues"][0]["oldest_wait_seconds"].get<double>(), 0.0);

  auto solved = admin->patch("/api/v1/tickets/" + std::to_string(first["id"].get<int>()), {{"status", "solved"}});
  EXPECT_EQ(solved.status, 200) << solved.raw;
  EXPECT_EQ(solved.body["status"], "solved");
  EXPECT_FALSE(solved.body["solved_at"].is_null());
  EXPECT_EQ(get_ticket(urgent["id"])["assignee_id"], a);
  EXPECT_TRUE(get_ticket(second["id"])["assignee_id"].is_null());
  EXPECT_EQ(admin->get("/api/v1/agents/" + std::to_string(a)).body["load"]["phone"], 1);
  // One call handled: waits are now estimated from handle time and position.
  json waiting = get_ticket(second["id"]);
  EXPECT_EQ(waiting["expected_wait_method"], "erlang_c");
  EXPECT_GE(waiting["expected_wait_seconds"].get<double>(), 0.0);
  EXPECT_EQ(admin->get("/api/v1/queues").body["queues"][0]["expected_wait_method"], "erlang_c");
}

TEST_F(ApiTest, PresenceChangesMoveWork) {
  const auto net = team("Network");
  const auto a = agent({{"name", "Ada"}, {"teams", {net}}, {"presence", "online"}});
  const auto b = agent({{"name", "Bo"}, {"teams", {net}}, {"presence", "offline"}});
  json open = ticket({{"subject", "one"}, {"team", net}});
  json pending = ticket({{"subject", "two"}, {"team", net}});
  EXPECT_EQ(open["assignee_id"], a);
  admin->patch("/api/v1/tickets/" + std::to_string(pending["id"].get<int>()), {{"status", "pending"}});

  auto off = admin->put("/api/v1/agents/" + std::to_string(a) + "/presence", {{"presence", "offline"}});
  EXPECT_EQ(off.status, 200) << off.raw;
  EXPECT_EQ(off.body["presence"], "offline");
  json requeued = get_ticket(open["id"]);
  EXPECT_TRUE(requeued["assignee_id"].is_null());
  EXPECT_EQ(requeued["queue_position"], 1);
  EXPECT_EQ(get_ticket(pending["id"])["assignee_id"], a);  // being worked: stays

  auto on = admin->put("/api/v1/agents/" + std::to_string(b) + "/presence", {{"presence", "online"}});
  EXPECT_EQ(on.status, 200);
  EXPECT_EQ(get_ticket(open["id"])["assignee_id"], b);
  auto away = admin->put("/api/v1/agents/" + std::to_string(b) + "/presence", {{"presence", "away"}});
  EXPECT_EQ(away.status, 200);
  EXPECT_TRUE(ticket({{"subject", "three"}, {"team", net}})["assignee_id"].is_null());
}

TEST_F(ApiTest, EveryErrorIsJsonAndWritesNothing) {
  const auto net = team("Network");
  agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"email", 1}}}, {"presence", "online"}});
  json t = ticket({{"subject", "ok"}, {"team", net}, {"channel", "email"}});
  const std::string path = "/api/v1/tickets/" + std::to_string(t["id"].get<int>());
  const int before = ticket_count();

  expect_error(admin->request("POST", "/api/v1/tickets", "{\"subject\":"), 400, "malformed_request");
  expect_error(admin->request("POST", "/api/v1/tickets", "[1,2]"), 400, "malformed_request");
  HttpClient anon("127.0.0.1", server->port());
  expect_error(anon.post("/api/v1/tickets", {{"subject", "x"}}), 401, "unauthenticated");
  HttpClient wrong("127.0.0.1", server->port(), "not-a-real-token");
  expect_error(wrong.get("/api/v1/tickets"), 401, "unauthenticated");
  expect_error(admin->get("/api/v1/tickets/999"), 404, "not_found");
  expect_error(admin->get("/api/v1/tickets/abc"), 404, "not_found");
  expect_error(admin->get("/api/v1/nothing-here"), 404, "not_found");
  auto m = admin->request("DELETE", path);
  expect_error(m, 405, "method_not_allowed");
  EXPECT_EQ(m.header("Allow"), "GET, PATCH");
  expect_error(admin->post("/api/v1/tickets", {{"subject", "x"}, {"priority", "critical"}}), 422, "invalid_value", "priority");
  expect_error(admin->post("/api/v1/tickets", {{"subject", "x"}, {"channel", "fax"}}), 422, "invalid_value", "channel");
  expect_error(admin->post("/api/v1/tickets", {{"subject", "x"}, {"team", 42}}), 422, "invalid_value", "team");
  expect_error(admin->post("/api/v1/tickets", {{"body", "no subject"}}), 422, "missing_field", "subject");
  expect_error(admin->post("/api/v1/tickets", {{"subject", "x"}, {"required_skills", {{"vpn", 0}}}}), 422,
               "invalid_value", "required_skills.vpn");
  expect_error(admin->post("/api/v1/tickets", {{"subject", "x"}, {"colour", "red"}}), 422, "unknown_field", "colour");
  expect_error(admin->get("/api/v1/tickets?limit=500"), 422, "invalid_value", "limit");
  expect_error(admin->get("/api/v1/tickets?status=lost"), 422, "invalid_value", "status");
  expect_error(admin->get("/api/v1/tickets?cursor=bogus"), 422, "invalid_value", "cursor");
  expect_error(admin->post("/api/v1/agents", {{"name", "Bo"}, {"skills", {{"vpn", 6}}}}), 422, "invalid_value", "skills.vpn");
  expect_error(admin->post("/api/v1/agents", {{"name", "Bo"}, {"capacity", {{"fax", 1}}}}), 422, "invalid_value", "capacity.fax");
  expect_error(admin->post("/api/v1/teams", {{"name", "Network"}}), 409, "duplicate_name", "name");
  expect_error(admin->put("/api/v1/agents/1/presence", {{"presence", "busy"}}), 422, "invalid_value", "presence");
  expect_error(admin->put("/api/v1/agents/77/presence", {{"presence", "online"}}), 404, "not_found");

  // 409: closed is final; new cannot be re-entered; an over-capacity assignment.
  expect_error(admin->patch(path, {{"status", "new"}}), 409, "invalid_transition", "status");
  json waiting = ticket({{"subject", "waits"}, {"team", net}, {"channel", "email"}});
  expect_error(admin->patch("/api/v1/tickets/" + std::to_string(waiting["id"].get<int>()), {{"assignee_id", 1}}),
               409, "capacity_exceeded", "assignee_id");
  ASSERT_EQ(admin->patch(path, {{"status", "solved"}}).status, 200);
  ASSERT_EQ(admin->patch(path, {{"status", "closed"}}).status, 200);
  expect_error(admin->patch(path, {{"status", "open"}}), 409, "invalid_transition", "status");

  // 413: over 1 MiB.
  const std::string big = "{\"subject\":\"big\",\"body\":\"" + std::string(1100000, 'x') + "\"}";
  HttpClient fresh("127.0.0.1", server->port(), kAdmin);
  expect_error(fresh.request("POST", "/api/v1/tickets", big), 413, "payload_too_large");

  // Nothing above wrote a ticket except the one that waits.
  EXPECT_EQ(ticket_count(), before + 1);
  EXPECT_EQ(get_ticket(t["id"])["status"], "closed");
}

TEST_F(ApiTest, ATicketWithoutATeamCanBeAssignedByHand) {
  const auto net = team("Network");
  const auto a = agent({{"name", "Ada"}, {"teams", {net}}, {"presence", "online"}});
  json t = ticket({{"subject", "no team yet"}});
  EXPECT_TRUE(t["team"].is_null());
  EXPECT_TRUE(t["assignee_id"].is_null());
  auto r = admin->patch("/api/v1/tickets/" + std::to_string(t["id"].get<int>()), {{"assignee_id", a}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["assignee_id"], a);
  EXPECT_EQ(r.body["routing"]["policy"], "manual");
}

TEST_F(ApiTest, AgentTokensSeeOnlyTheirOwnTickets) {
  const auto net = team("Network");
  const auto a = agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"email", 1}}}, {"presence", "online"}});
  const auto b = agent({{"name", "Bo"}, {"teams", {net}}, {"capacity", {{"email", 1}}}, {"presence", "online"}});
  json mine = ticket({{"subject", "for Ada"}, {"team", net}, {"channel", "email"}});
  json theirs = ticket({{"subject", "for Bo"}, {"team", net}, {"channel", "email"}});
  ASSERT_EQ(mine["assignee_id"], a);
  ASSERT_EQ(theirs["assignee_id"], b);

  auto issued = admin->post("/api/v1/tokens", {{"agent_id", a}});
  ASSERT_EQ(issued.status, 201) << issued.raw;
  const std::string token = issued.body["token"];
  EXPECT_GE(token.size(), 40u);
  expect_error(admin->post("/api/v1/tokens", {{"agent_id", 999}}), 422, "invalid_value", "agent_id");

  HttpClient ada("127.0.0.1", server->port(), token);
  const std::string mine_path = "/api/v1/tickets/" + std::to_string(mine["id"].get<int>());
  const std::string theirs_path = "/api/v1/tickets/" + std::to_string(theirs["id"].get<int>());
  EXPECT_EQ(ada.get(mine_path).status, 200);
  expect_error(ada.get(theirs_path), 404, "not_found");  // outside its scope: as if it did not exist
  auto list = ada.get("/api/v1/tickets");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["tickets"].size(), 1u);
  EXPECT_EQ(list.body["tickets"][0]["id"], mine["id"]);
  expect_error(ada.get("/api/v1/tickets?assignee_id=" + std::to_string(b)), 403, "forbidden");
  EXPECT_EQ(ada.patch(mine_path, {{"status", "pending"}}).status, 200);
  expect_error(ada.patch(mine_path, {{"priority", "urgent"}}), 403, "forbidden");
  expect_error(ada.patch(theirs_path, {{"status", "solved"}}), 404, "not_found");
  expect_error(ada.get(theirs_path + "/comments"), 404, "not_found");
  expect_error(ada.get(theirs_path + "/routing"), 404, "not_found");
  expect_error(ada.post("/api/v1/tickets", {{"subject", "x"}}), 403, "forbidden");
  expect_error(ada.get("/api/v1/agents"), 403, "forbidden");
  expect_error(ada.post("/api/v1/tokens", {{"agent_id", a}}), 403, "forbidden");
  EXPECT_EQ(get_ticket(theirs["id"])["status"], "open");
}

TEST_F(ApiTest, ListPagesWithAnOpaqueCursor) {
  const auto net = team("Network");
  for (int i = 0; i < 7; ++i) ticket({{"subject", "t" + std::to_string(i)}, {"team", net}});
  std::vector<std::int64_t> ids;
  std::string cursor;
  int pages = 0;
  do {
    auto r = admin->get("/api/v1/tickets?limit=3&team=" + std::to_string(net) + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.raw;
    for (const auto& t : r.body["tickets"]) ids.push_back(t["id"]);
    cursor = r.body["next_cursor"].is_null() ? "" : r.body["next_cursor"].get<std::string>();
    ++pages;
  } while (!cursor.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(admin->get("/api/v1/tickets?status=open").body["tickets"].size(), 0u);
  EXPECT_EQ(admin->get("/api/v1/tickets?status=new").body["tickets"].size(), 7u);
}

TEST_F(ApiTest, NothingAcknowledgedIsLostToKillNine) {
  const auto net = team("Network");
  const auto a = agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"email", 3}}}, {"presence", "online"}});
  const auto b = agent({{"name", "Bo"}, {"teams", {net}}, {"capacity", {{"email", 2}}}, {"presence", "offline"}});

  // Writers create tickets until the server is killed under them; every 201
  // they saw must survive.
  std::mutex mu;
  std::vector<json> acknowledged;
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      HttpClient c("127.0.0.1", server->port(), kAdmin);
      for (int i = 0; i < 100000; ++i) {
        auto r = c.post("/api/v1/tickets", {{"subject", "w" + std::to_string(w) + "-" + std::to_string(i)},
                                            {"team", net}, {"channel", "email"}});
        if (r.status != 201) return;
        std::lock_guard lock(mu);
        acknowledged.push_back(r.body);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  restart(SIGKILL);
  for (auto& t : writers) t.join();
  ASSERT_GT(acknowledged.size(), 10u);
  std::printf("acknowledged before kill -9: %zu\n", acknowledged.size());

  int assigned_to_a = 0;
  for (const json& t : acknowledged) {
    auto r = admin->get("/api/v1/tickets/" + std::to_string(t["id"].get<int>()));
    ASSERT_EQ(r.status, 200) << "acknowledged ticket " << t["id"] << " was lost";
    EXPECT_EQ(r.body["subject"], t["subject"]);
    EXPECT_EQ(r.body["assignee_id"], t["assignee_id"]);
    if (t["assignee_id"] == a) ++assigned_to_a;
  }
  EXPECT_EQ(assigned_to_a, 3);
  auto agent_a = admin->get("/api/v1/agents/" + std::to_string(a));
  EXPECT_EQ(agent_a.body["load"]["email"], 3);
  EXPECT_EQ(agent_a.body["presence"], "online");

  // Routing goes on after the restart: Bo comes online and pulls two waiting tickets.
  ASSERT_EQ(admin->put("/api/v1/agents/" + std::to_string(b) + "/presence", {{"presence", "online"}}).status, 200);
  EXPECT_EQ(admin->get("/api/v1/agents/" + std::to_string(b)).body["load"]["email"], 2);
  auto listed = admin->get("/api/v1/tickets?assignee_id=" + std::to_string(b));
  EXPECT_EQ(listed.body["tickets"].size(), 2u);
  // New tickets get fresh ids.
  json next = ticket({{"subject", "after restart"}, {"team", net}});
  EXPECT_GT(next["id"].get<std::int64_t>(), acknowledged.back()["id"].get<std::int64_t>());
}

TEST_F(ApiTest, AnswersExpectContinueBeforeTheBody) {
  namespace asio = boost::asio;
  asio::io_context ctx;
  asio::ip::tcp::socket s(ctx);
  s.connect({asio::ip::make_address("127.0.0.1"), server->port()});
  const std::string body = R"({"subject":"sent after 100 Continue"})";
  const std::string head = "POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kAdmin +
                           "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n";
  asio::write(s, asio::buffer(head));
  asio::streambuf in;
  asio::read_until(s, in, "\r\n\r\n");  // the body has not been sent: only an interim answer can come
  std::string interim{asio::buffers_begin(in.data()), asio::buffers_end(in.data())};
  EXPECT_EQ(interim.rfind("HTTP/1.1 100 Continue", 0), 0u) << interim;
  in.consume(in.size());
  asio::write(s, asio::buffer(body));
  asio::read_until(s, in, "\r\n\r\n");
  std::string final_head{asio::buffers_begin(in.data()), asio::buffers_end(in.data())};
  EXPECT_EQ(final_head.rfind("HTTP/1.1 201", 0), 0u) << final_head;
}

TEST_F(ApiTest, GracefulStopKeepsEverything) {
  const auto net = team("Network");
  agent({{"name", "Ada"}, {"teams", {net}}, {"presence", "online"}});
  json t = ticket({{"subject", "survives"}, {"team", net}});
  const int status = server->stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ASSERT_TRUE(server->start());
  admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
  EXPECT_EQ(get_ticket(t["id"])["assignee_id"], t["assignee_id"]);
  EXPECT_EQ(admin->get("/api/v1/teams").body["teams"].size(), 1u);
}

// SIGTERM: a drain first (--drain): /healthz and every new request answer
// 503 shutting_down with Retry-After (on new and kept-alive connections),
// event streams end, then the server exits 0 within the bound.
TEST_F(ApiTest, ShutdownDrainsThenExitsZero) {
  const auto net = team("Network");
  json t = ticket({{"subject", "kept"}, {"team", net}});
  server->stop(SIGTERM);
  ServerProcess draining(SWITCHBOARD_BINARY, dir.path().string(), kAdmin, {"--drain", "1.5"});
  ASSERT_TRUE(draining.start());
  HttpClient kept("127.0.0.1", draining.port(), kAdmin);
  ASSERT_EQ(kept.get("/healthz").status, 200);
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket stream(io);
  stream.connect({asio::ip::make_address("127.0.0.1"), draining.port()});
  const std::string sse = "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kAdmin + "\r\n\r\n";
  asio::write(stream, asio::buffer(sse));
  asio::streambuf head;
  asio::read_until(stream, head, "\r\n\r\n");

  const auto signalled = std::chrono::steady_clock::now();
  ::kill(draining.pid(), SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  HttpClient fresh("127.0.0.1", draining.port(), kAdmin);
  auto health = fresh.get("/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(health.body["error"]["code"], "shutting_down");
  EXPECT_EQ(health.header("Retry-After"), "1");
  auto refused = kept.post("/api/v1/tickets", {{"subject", "too late"}, {"team", net}});
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.header("Connection"), "close");
  // The event stream was ended, not left hanging.
  boost::system::error_code ec;
  char buf[4096];
  while (!ec) stream.read_some(asio::buffer(buf), ec);
  EXPECT_EQ(ec, asio::error::eof);
  const int status = draining.stop(SIGTERM);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_GE(took, 1.4);
  EXPECT_LT(took, 1.5 + 5 + 1);
  // What was committed is there; what was refused is not.
  ASSERT_TRUE(server->start());
  admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
  EXPECT_EQ(admin->get("/api/v1/tickets").body["tickets"].size(), 1u);
}

}  // namespace
}  // namespace sb::testing

namespace sb::testing {
namespace {

// Two supervisors cannot silently overwrite each other: tickets carry an
// ETag, and PATCH with If-Match refuses a stale write (412 with the current
// ETag) and changes nothing.
TEST_F(ApiTest, IfMatchRefusesAStaleWrite) {
  const auto net = team("Network");
  const json t = ticket({{"subject", "shared"}, {"team", net}});
  const std::string path = "/api/v1/tickets/" + std::to_string(t["id"].get<int>());
  auto read = admin->get(path);
  const std::string etag = read.header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');
  // The first supervisor writes with the ETag it read: accepted, new ETag.
  auto first = admin->request("PATCH", path, json{{"priority", "high"}}.dump(), {{"If-Match", etag}});
  ASSERT_EQ(first.status, 200) << first.raw;
  const std::string after_first = first.header("ETag");
  EXPECT_NE(after_first, etag);
  EXPECT_EQ(admin->get(path).header("ETag"), after_first);
  // The second read before that write: refused, told the current ETag, nothing changed.
  auto second = admin->request("PATCH", path, json{{"priority", "low"}}.dump(), {{"If-Match", etag}});
  EXPECT_EQ(second.status, 412);
  EXPECT_EQ(second.body["error"]["code"], "precondition_failed");
  EXPECT_EQ(second.body["error"]["field"], "If-Match");
  EXPECT_EQ(second.header("ETag"), after_first);
  EXPECT_EQ(admin->get(path).body["priority"], "high");
  // Retried with the fresh ETag it goes through.
  EXPECT_EQ(admin->request("PATCH", path, json{{"priority", "low"}}.dump(), {{"If-Match", after_first}}).status, 200);
  // "*" matches any version; no If-Match is a plain write; junk is a 422.
  EXPECT_EQ(admin->request("PATCH", path, json{{"tags", {"a"}}}.dump(), {{"If-Match", "*"}}).status, 200);
  EXPECT_EQ(admin->request("PATCH", path, json{{"priority", "urgent"}}.dump(), {{"If-Match", "W/\"x\""}}).status, 422);
  // Another ticket's ETag never matches.
  const json other = ticket({{"subject", "other"}, {"team", net}});
  const std::string other_etag = admin->get("/api/v1/tickets/" + std::to_string(other["id"].get<int>())).header("ETag");
  EXPECT_EQ(admin->request("PATCH", path, json{{"priority", "urgent"}}.dump(), {{"If-Match", other_etag}}).status, 412);
  // Versions are kept across a restart.
  const std::string before = admin->get(path).header("ETag");
  restart(15);
  EXPECT_EQ(admin->get(path).header("ETag"), before);
  EXPECT_EQ(admin->request("PATCH", path, json{{"priority", "normal"}}.dump(), {{"If-Match", before}}).status, 200);
}

// Limits answer clearly and change nothing: a token over its rate gets 429
// with Retry-After (others are not slowed), the support form per client
// address likewise, JSON nested too deep is a 422, headers too large a 431.
TEST_F(ApiTest, LimitsAnswerClearlyAndChangeNothing) {
  const auto net = team("Network");
  const auto ada = agent({{"name", "Ada"}, {"teams", {net}}, {"presence", "online"}});
  const std::string token = admin->post("/api/v1/tokens", {{"agent_id", ada}}).body["token"];
  server->stop(SIGTERM);
  {
    std::ofstream config(dir / "limits.yaml");
    config << "limits:\n  per_token: {per_second: 1, burst: 3}\n  public_posts: {per_second: 0.5, burst: 2}\n";
  }
  ServerProcess limited(SWITCHBOARD_BINARY, dir.path().string(), kAdmin, {"--config", dir / "limits.yaml"});
  ASSERT_TRUE(limited.start()) << limited.log_path();
  HttpClient agent_client("127.0.0.1", limited.port(), token);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(agent_client.get("/api/v1/tickets").status, 200) << i;
  auto refused = agent_client.put("/api/v1/agents/" + std::to_string(ada) + "/presence", {{"presence", "away"}});
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.body["error"]["code"], "rate_limited");
  EXPECT_EQ(refused.header("Retry-After"), "1");
  HttpClient boss("127.0.0.1", limited.port(), kAdmin);
  EXPECT_EQ(boss.get("/api/v1/agents/" + std::to_string(ada)).body["presence"], "online");  // the refused change did nothing
  for (int i = 0; i < 10; ++i) EXPECT_EQ(boss.get("/api/v1/teams").status, 200);  // the admin token is not limited here
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(agent_client.get("/api/v1/tickets").status, 200);  // refilled

  // The support form: per client address.
  HttpClient visitor("127.0.0.1", limited.port());
  const std::vector<std::pair<std::string, std::string>> form{{"Content-Type", "application/x-www-form-urlencoded"}};
  const std::string fields = "name=Kim&email=kim%40example.com&subject=Help&message=Printer";
  int created = 0, limited_answers = 0;
  for (int i = 0; i < 4; ++i) {
    // A client naming itself in X-Forwarded-For is not believed (no trusted proxies here).
    auto f = form;
    f.emplace_back("X-Forwarded-For", "203.0.113." + std::to_string(i + 1));
    auto r = visitor.request("POST", "/support", fields, f);
    created += r.status == 201 || r.status == 200;
    if (r.status == 429) {
      ++limited_answers;
      EXPECT_FALSE(r.header("Retry-After").empty());
    }
  }
  EXPECT_EQ(created, 2);
  EXPECT_EQ(limited_answers, 2);

  // JSON nested deeper than 32 levels: 422 on "body", nothing created.
  std::string deep = "{\"subject\":\"x\",\"team\":\"Network\",\"tags\":";
  for (int i = 0; i < 40; ++i) deep += "[";
  for (int i = 0; i < 40; ++i) deep += "]";
  deep += "}";
  auto nested = boss.request("POST", "/api/v1/tickets", deep);
  EXPECT_EQ(nested.status, 422);
  EXPECT_EQ(nested.body["error"]["field"], "body");
  // Headers over 16 KiB: 431.
  HttpClient big_headers("127.0.0.1", limited.port(), kAdmin);
  EXPECT_EQ(big_headers.request("GET", "/api/v1/teams", "", {{"X-Filler", std::string(20000, 'a')}}).status, 431);
  // A string field over its limit: 422 naming it.
  auto long_subject = boss.post("/api/v1/tickets", {{"subject", std::string(70000, 's')}, {"team", "Network"}});
  EXPECT_EQ(long_subject.status, 422);
  EXPECT_EQ(long_subject.body["error"]["field"], "subject");
  EXPECT_EQ(boss.get("/api/v1/tickets").body["tickets"].size(), 2u);  // the two support-form tickets only
}

// SSRF: without outbound.allow_* in the config, a webhook may not point at
// the machine itself, the private network or the cloud metadata address,
// whether by address or by a name that resolves there.
TEST_F(ApiTest, WebhooksCannotReachInside) {
  for (const char* url : {"http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://[::1]:9/hook",
                          "http://10.1.2.3/hook", "http://192.168.0.10/hook", "http://169.254.169.254/latest/meta-data/"}) {
    auto r = admin->post("/api/v1/webhooks", {{"url", url}});
    EXPECT_EQ(r.status, 422) << url << " " << r.raw;
    EXPECT_EQ(r.body["error"]["field"], "url") << url;
    EXPECT_NE(r.body["error"]["message"].get<std::string>().find("refused"), std::string::npos) << r.raw;
  }
  EXPECT_EQ(admin->get("/api/v1/webhooks").body["webhooks"].size(), 0u);
}

// Tokens: a viewer reads reports only; tokens expire and can be revoked;
// secrets are shown once and listed without them; every administrative
// change is in the audit log (who, what, when), readable by admins only.
TEST_F(ApiTest, ViewerTokensExpiryRevocationAndTheAuditLog) {
  const auto net = team("Network");
  const auto ada = agent({{"name", "Ada"}, {"teams", {net}}, {"presence", "online"}});
  ticket({{"subject", "counted"}, {"team", net}});

  auto issued = admin->post("/api/v1/tokens", {{"role", "viewer"}});
  ASSERT_EQ(issued.status, 201) << issued.raw;
  EXPECT_EQ(issued.body["role"], "viewer");
  HttpClient viewer("127.0.0.1", server->port(), issued.body["token"]);
  auto report = viewer.get("/api/v1/reports/tickets?interval=none");
  ASSERT_EQ(report.status, 200) << report.raw;
  EXPECT_EQ(report.body["tickets"], 1);
  EXPECT_EQ(viewer.get("/api/v1/me").body["role"], "viewer");
  expect_error(viewer.get("/api/v1/tickets"), 403, "forbidden");
  expect_error(viewer.get("/api/v1/tickets/1"), 403, "forbidden");
  expect_error(viewer.put("/api/v1/agents/" + std::to_string(ada) + "/presence", {{"presence", "away"}}), 403, "forbidden");
  expect_error(viewer.post("/api/v1/teams", {{"name", "X"}}), 403, "forbidden");
  // An agent token does not read reports.
  HttpClient agent_client("127.0.0.1", server->port(), admin->post("/api/v1/tokens", {{"agent_id", ada}}).body["token"]);
  expect_error(agent_client.get("/api/v1/reports/tickets"), 403, "forbidden");
  // Bad requests for tokens.
  expect_error(admin->post("/api/v1/tokens", {{"role", "admin"}}), 422, "invalid_value", "role");
  expect_error(admin->post("/api/v1/tokens", {{"role", "viewer"}, {"agent_id", ada}}), 422, "invalid_value", "agent_id");
  expect_error(admin->post("/api/v1/tokens", {{"role", "boss"}}), 422, "invalid_value", "role");

  // Expiry.
  auto brief = admin->post("/api/v1/tokens", {{"agent_id", ada}, {"expires_in_seconds", 1}});
  ASSERT_EQ(brief.status, 201);
  EXPECT_FALSE(brief.body["expires_at"].is_null());
  HttpClient brief_client("127.0.0.1", server->port(), brief.body["token"]);
  EXPECT_EQ(brief_client.get("/api/v1/tickets").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  expect_error(brief_client.get("/api/v1/tickets"), 401, "unauthenticated");

  // Listing (no secrets) and revocation.
  auto list = admin->get("/api/v1/tokens");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["tokens"].size(), 3u);
  for (const auto& t : list.body["tokens"]) {
    EXPECT_FALSE(t.contains("token"));
    EXPECT_EQ(t["id"].get<std::string>().rfind("tok_", 0), 0u);
  }
  const std::string viewer_id = issued.body["id"];
  auto revoked = admin->request("DELETE", "/api/v1/tokens/" + viewer_id);
  ASSERT_EQ(revoked.status, 200) << revoked.raw;
  EXPECT_FALSE(revoked.body["revoked_at"].is_null());
  expect_error(viewer.get("/api/v1/reports/tickets"), 401, "unauthenticated");
  expect_error(admin->request("DELETE", "/api/v1/tokens/tok_0000000000000000"), 404, "not_found");
  expect_error(agent_client.request("DELETE", "/api/v1/tokens/" + viewer_id), 403, "forbidden");

  // The audit log: newest first; who, what, on what; no secrets; admins only.
  auto log = admin->get("/api/v1/audit?limit=50");
  ASSERT_EQ(log.status, 200) << log.raw;
  const json& entries = log.body["entries"];
  ASSERT_GE(entries.size(), 5u);
  EXPECT_EQ(entries[0]["action"], "DELETE /api/v1/tokens/" + viewer_id);
  EXPECT_EQ(entries[0]["actor"], "admin");
  EXPECT_FALSE(entries[0]["at"].is_null());
  const json& first = entries[entries.size() - 1];
  EXPECT_EQ(first["action"], "POST /api/v1/teams");
  EXPECT_EQ(first["target"], "/api/v1/teams/" + std::to_string(net));
  EXPECT_EQ(first["detail"]["name"], "Network");
  EXPECT_EQ(first["status"], 201);
  for (const auto& e : entries) {
    EXPECT_EQ(e["action"].get<std::string>().find("/api/v1/tickets"), std::string::npos);  // operations are not audited
    EXPECT_EQ(e.dump().find(issued.body["token"].get<std::string>()), std::string::npos);  // no secret
  }
  // Refused requests change nothing and are not logged as changes.
  const auto before = entries.size();
  expect_error(admin->post("/api/v1/teams", {{"name", "Network"}}), 409, "duplicate_name", "name");
  EXPECT_EQ(admin->get("/api/v1/audit?limit=50").body["entries"].size(), before);
  expect_error(agent_client.get("/api/v1/audit"), 403, "forbidden");
}

// A supervisor token manages a set of teams: their tickets, agents, queues,
// routing settings and reports; everything else is as if it did not exist
// (404) or needs an admin (403). One assertion per boundary.
TEST_F(ApiTest, SupervisorsManageTheirTeamsOnly) {
  const auto net = team("Network");
  const auto hw = team("Hardware");
  const auto ada = agent({{"name", "Ada"}, {"teams", {net}}});
  const auto bob = agent({{"name", "Bob"}, {"teams", {hw}}});
  const auto cy = agent({{"name", "Cy"}, {"teams", {net, hw}}});
  const auto mine = ticket({{"subject", "router down"}, {"team", net}})["id"].get<std::int64_t>();
  const auto theirs = ticket({{"subject", "broken laptop"}, {"team", hw}})["id"].get<std::int64_t>();
  const std::string m = "/api/v1/tickets/" + std::to_string(mine), t = "/api/v1/tickets/" + std::to_string(theirs);

  // Issuing: teams by name or id, required, known, only for supervisors.
  auto issued = admin->post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", {"Network"}}});
  ASSERT_EQ(issued.status, 201) << issued.raw;
  EXPECT_EQ(issued.body["teams"], json::array({net}));
  expect_error(admin->post("/api/v1/tokens", {{"role", "supervisor"}}), 422, "missing_field", "teams");
  expect_error(admin->post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", json::array()}}), 422, "invalid_value", "teams");
  expect_error(admin->post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", {"Nowhere"}}}), 422, "invalid_value", "teams");
  expect_error(admin->post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", {9999}}}), 422, "invalid_value", "teams");
  expect_error(admin->post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", {net}}, {"agent_id", ada}}), 422,
               "invalid_value", "agent_id");
  expect_error(admin->post("/api/v1/tokens", {{"agent_id", ada}, {"teams", {net}}}), 422, "invalid_value", "teams");
  HttpClient sup("127.0.0.1", server->port(), issued.body["token"]);
  auto me = sup.get("/api/v1/me");
  EXPECT_EQ(me.body["role"], "supervisor");
  EXPECT_EQ(me.body["teams"][0]["name"], "Network");

  // Tickets: their team's, not another's.
  auto list = sup.get("/api/v1/tickets");
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body["tickets"].size(), 1u);
  EXPECT_EQ(list.body["tickets"][0]["id"], mine);
  expect_error(sup.get("/api/v1/tickets?team=Hardware"), 404, "not_found");
  EXPECT_EQ(sup.get(m).status, 200);
  expect_error(sup.get(t), 404, "not_found");
  expect_error(sup.get(t + "/routing"), 404, "not_found");
  expect_error(sup.get(t + "/comments"), 404, "not_found");
  expect_error(sup.patch(t, {{"priority", "high"}}), 404, "not_found");
  expect_error(sup.post(t + "/comments", {{"body", "x"}, {"author", {{"type", "agent"}, {"agent_id", cy}}}}), 404, "not_found");
  // Their ticket: priority, tags, assignment to their agents; not to others, not out of their teams.
  auto patched = sup.patch(m, {{"priority", "high"}, {"tags", {"vip"}}, {"assignee_id", cy}});
  ASSERT_EQ(patched.status, 200) << patched.raw;
  EXPECT_EQ(patched.body["priority"], "high");
  EXPECT_EQ(patched.body["assignee_id"], cy);
  expect_error(sup.patch(m, {{"assignee_id", bob}}), 422, "invalid_value", "assignee_id");
  expect_error(sup.patch(m, {{"team", hw}}), 422, "invalid_value", "team");
  EXPECT_EQ(get_ticket(mine)["team"], net);
  EXPECT_EQ(get_ticket(mine)["assignee_id"], cy);
  auto note = sup.post(m + "/comments", {{"body", "on it"}, {"public", false}, {"author", {{"type", "agent"}, {"agent_id", cy}}}});
  EXPECT_EQ(note.status, 201) << note.raw;
  expect_error(sup.post(m + "/comments", {{"body", "x"}, {"author", {{"type", "agent"}, {"agent_id", bob}}}}), 422, "invalid_value",
               "author.agent_id");
  expect_error(sup.post("/api/v1/tickets", {{"subject", "new"}, {"team", net}}), 403, "forbidden");

  // Agents: members of their teams (Cy is in both).
  auto agents = sup.get("/api/v1/agents");
  ASSERT_EQ(agents.status, 200) << agents.raw;
  std::set<std::int64_t> seen;
  for (const auto& a : agents.body["agents"]) seen.insert(a["id"].get<std::int64_t>());
  EXPECT_EQ(seen, (std::set<std::int64_t>{ada, cy}));
  expect_error(sup.get("/api/v1/agents/" + std::to_string(bob)), 404, "not_found");
  expect_error(sup.patch("/api/v1/agents/" + std::to_string(bob), {{"capacity", {{"email", 1}}}}), 404, "not_found");
  expect_error(sup.put("/api/v1/agents/" + std::to_string(bob) + "/presence", {{"presence", "online"}}), 404, "not_found");
  EXPECT_EQ(sup.patch("/api/v1/agents/" + std::to_string(ada), {{"capacity", {{"email", 3}}}}).status, 200);
  EXPECT_EQ(sup.put("/api/v1/agents/" + std::to_string(ada) + "/presence", {{"presence", "away"}}).status, 200);
  // Membership of their own teams only: Cy may leave Network, not Hardware; Ada may not join Hardware.
  expect_error(sup.patch("/api/v1/agents/" + std::to_string(ada), {{"teams", {net, hw}}}), 422, "invalid_value", "teams");
  expect_error(sup.patch("/api/v1/agents/" + std::to_string(cy), {{"teams", {net}}}), 422, "invalid_value", "teams");
  EXPECT_EQ(sup.patch("/api/v1/agents/" + std::to_string(cy), {{"teams", {hw}}}).status, 200);
  expect_error(sup.post("/api/v1/agents", {{"name", "Dee"}, {"teams", {net}}}), 403, "forbidden");

  // Teams, routing settings and queues: theirs.
  auto teams = sup.get("/api/v1/teams");
  ASSERT_EQ(teams.body["teams"].size(), 1u);
  EXPECT_EQ(teams.body["teams"][0]["id"], net);
  expect_error(sup.get("/api/v1/teams/" + std::to_string(hw)), 404, "not_found");
  expect_error(sup.patch("/api/v1/teams/" + std::to_string(hw), {{"routing", {{"policy", "round_robin"}}}}), 404, "not_found");
  auto routing = sup.patch("/api/v1/teams/" + std::to_string(net), {{"routing", {{"policy", "round_robin"}}}});
  EXPECT_EQ(routing.status, 200) << routing.raw;
  expect_error(sup.post("/api/v1/teams", {{"name", "Mine"}}), 403, "forbidden");
  auto queues = sup.get("/api/v1/queues");
  ASSERT_EQ(queues.body["queues"].size(), 1u);
  EXPECT_EQ(queues.body["queues"][0]["team"], net);

  // Reports: their teams' tickets.
  auto report = sup.get("/api/v1/reports/tickets?interval=none&group_by=team");
  ASSERT_EQ(report.status, 200) << report.raw;
  EXPECT_EQ(report.body["tickets"], 1);
  ASSERT_EQ(report.body["rows"].size(), 1u);
  EXPECT_EQ(report.body["rows"][0]["group"], "Network");
  EXPECT_EQ(admin->get("/api/v1/reports/tickets?interval=none").body["tickets"], 2);

  // Administration stays with the admin.
  for (const char* path : {"/api/v1/tokens", "/api/v1/audit", "/api/v1/webhooks", "/api/v1/sla-policies", "/metrics"}) {
    expect_error(sup.get(path), 403, "forbidden");
  }
  expect_error(sup.post("/api/v1/tokens", {{"role", "viewer"}}), 403, "forbidden");
  // Their changes are in the audit log under their token's id.
  auto log = admin->get("/api/v1/audit?limit=50");
  bool found = false;
  for (const auto& e : log.body["entries"]) {
    if (e["action"] == "PATCH /api/v1/teams/" + std::to_string(net)) {
      EXPECT_EQ(e["actor"], issued.body["id"]);
      found = true;
    }
  }
  EXPECT_TRUE(found) << log.raw;
  // An agent's and a viewer's tokens reach none of the supervisor's routes.
  HttpClient agent_client("127.0.0.1", server->port(), admin->post("/api/v1/tokens", {{"agent_id", ada}}).body["token"]);
  expect_error(agent_client.get("/api/v1/agents"), 403, "forbidden");
  expect_error(agent_client.get("/api/v1/queues"), 403, "forbidden");
  expect_error(agent_client.patch("/api/v1/teams/" + std::to_string(net), {{"name", "N"}}), 403, "forbidden");
}

// Overload: with the disk stalled (another process holds SQLite's write
// lock), changes in hand wait and are kept; past `limits.commands_in_flight`
// a change is refused at once with 503 overloaded and Retry-After, and
// changes nothing; reads go on.
TEST_F(ApiTest, OverloadShedsChangesAndKeepsAcceptedWork) {
  server->stop(SIGTERM);
  std::ofstream(dir / "shed.yaml") << "teams: [Network]\nlimits:\n  commands_in_flight: 2\n";
  ServerProcess shedding(SWITCHBOARD_BINARY, dir.path().string(), kAdmin, {"--config", dir / "shed.yaml"});
  ASSERT_TRUE(shedding.start()) << shedding.log_path();
  HttpClient boss("127.0.0.1", shedding.port(), kAdmin);
  auto metric = [&](const std::string& name) {
    const std::string text = boss.get("/metrics").raw;
    const auto at = text.find("\n" + name + " ");
    return at == std::string::npos ? -1.0 : std::stod(text.substr(at + name.size() + 2));
  };
  ChildProcess locker({"/usr/bin/python3", "-c",
                       "import sqlite3,sys,time\n"
                       "c=sqlite3.connect(sys.argv[1],isolation_level=None)\n"
                       "c.execute('BEGIN EXCLUSIVE')\n"
                       "print('locked 1',flush=True)\n"
                       "time.sleep(30)\n",
                       shedding.db_path()},
                      dir / "locker.log", "locked ");
  ASSERT_TRUE(locker.start());
  std::vector<int> statuses(2, 0);
  std::vector<std::thread> in_hand;
  for (int i = 0; i < 2; ++i) {
    in_hand.emplace_back([&, i] {
      HttpClient c("127.0.0.1", shedding.port(), kAdmin);
      statuses[i] = c.post("/api/v1/tickets", {{"subject", "kept " + std::to_string(i)}, {"team", "Network"}}).status;
    });
  }
  for (int i = 0; i < 500 && metric("switchboard_commands_in_flight") < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(metric("switchboard_commands_in_flight"), 2);
  for (int i = 0; i < 3; ++i) {
    auto shed = boss.post("/api/v1/tickets", {{"subject", "shed"}, {"team", "Network"}});
    expect_error(shed, 503, "overloaded");
    EXPECT_EQ(shed.header("Retry-After"), "1");
  }
  EXPECT_EQ(boss.get("/api/v1/teams").status, 200);  // reads are not shed
  EXPECT_EQ(metric("switchboard_commands_shed_total"), 3);
  locker.stop();  // the disk comes back
  for (auto& t : in_hand) t.join();
  EXPECT_EQ(statuses, (std::vector<int>{201, 201}));
  auto all = boss.get("/api/v1/tickets");
  ASSERT_EQ(all.body["tickets"].size(), 2u) << all.raw;
  for (const auto& t : all.body["tickets"]) EXPECT_NE(t["subject"], "shed");
  EXPECT_EQ(boss.post("/api/v1/tickets", {{"subject", "later"}, {"team", "Network"}}).status, 201);
}

// The connection cap: past `limits.connections` open connections a new one
// is answered 503 with Retry-After and closed; when one closes, room again.
TEST_F(ApiTest, ConnectionsPastTheCapAreTurnedAway) {
  server->stop(SIGTERM);
  std::ofstream(dir / "conns.yaml") << "limits:\n  connections: 2\n";
  ServerProcess capped(SWITCHBOARD_BINARY, dir.path().string(), kAdmin, {"--config", dir / "conns.yaml"});
  ASSERT_TRUE(capped.start()) << capped.log_path();
  namespace asio = boost::asio;
  asio::io_context io;
  const asio::ip::tcp::endpoint at(asio::ip::make_address("127.0.0.1"), capped.port());
  auto open = [&] {
    auto s = std::make_unique<asio::ip::tcp::socket>(io);
    s->connect(at);
    return s;
  };
  auto answer = [&](asio::ip::tcp::socket& s) {
    const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    boost::system::error_code ec;
    asio::write(s, asio::buffer(req), ec);
    std::string out;
    char buf[4096];
    for (;;) {
      const std::size_t n = s.read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;
    }
    return out;
  };
  auto first = open(), second = open();  // idle, holding both places
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto third = open();
  const std::string refused = answer(*third);
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 503")) << refused;
  EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos) << refused;
  EXPECT_NE(refused.find("\"overloaded\""), std::string::npos) << refused;
  first->close();
  std::string later;
  for (int i = 0; i < 50 && !later.starts_with("HTTP/1.1 200"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto again = open();
    later = answer(*again);
  }
  EXPECT_TRUE(later.starts_with("HTTP/1.1 200")) << later;
  EXPECT_TRUE(answer(*second).starts_with("HTTP/1.1 200"));  // the one kept waiting is served
}

// Behind a trusted proxy (limits.trusted_proxies), the support form's
// per-address limit counts each client named in X-Forwarded-For.
TEST_F(ApiTest, TrustedProxiesNameTheClientForPerAddressLimits) {
  server->stop(SIGTERM);
  std::ofstream(dir / "proxy.yaml") << "limits:\n  public_posts: {per_second: 0.1, burst: 1}\n"
                                       "  trusted_proxies: [127.0.0.1, 10.0.0.0/8]\n";
  ServerProcess proxied(SWITCHBOARD_BINARY, dir.path().string(), kAdmin, {"--config", dir / "proxy.yaml"});
  ASSERT_TRUE(proxied.start()) << proxied.log_path();
  HttpClient lb("127.0.0.1", proxied.port());
  const std::string fields = "name=Kim&email=kim%40example.com&subject=Help&message=Printer";
  auto post = [&](const std::string& chain) {
    return lb.request("POST", "/support", fields,
                      {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Forwarded-For", chain}}).status;
  };
  EXPECT_EQ(post("203.0.113.5"), 201);
  EXPECT_EQ(post("203.0.113.5"), 429);            // that client's one post
  EXPECT_EQ(post("198.51.100.9"), 201);           // another client: its own bucket
  EXPECT_EQ(post("203.0.113.5, 10.1.2.3"), 429);  // through a second trusted hop: the same client
  EXPECT_EQ(post("6.6.6.6, 203.0.113.5"), 429);   // what the client claimed before the proxy is not believed
  // A bad entry is a config error with file and line.
  std::ofstream(dir / "bad-proxy.yaml") << "limits:\n  trusted_proxies: [10.0.0.0/8, lb.example.com]\n";
  const auto out = run_command(std::string(SWITCHBOARD_BINARY) + " serve --config " + (dir / "bad-proxy.yaml") +
                               " --db " + (dir / "never.db") + " --admin-token " + kAdmin + " 2>&1");
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find("bad-proxy.yaml:2: limits.trusted_proxies[1]"), std::string::npos) << out.output;
}

TEST_F(ApiTest, IdempotencyKeysReplayTheFirstAnswer) {
  const auto team_id = team("Idem");
  const std::string body = json{{"subject", "once"}, {"team", team_id}}.dump();
  auto first = admin->request("POST", "/api/v1/tickets", body, {{"Idempotency-Key", "order-42"}});
  ASSERT_EQ(first.status, 201) << first.raw;
  auto again = admin->request("POST", "/api/v1/tickets", body, {{"Idempotency-Key", "order-42"}});
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body["id"], first.body["id"]);
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
  // The same key on another request is refused; another key is another ticket.
  auto other = admin->request("POST", "/api/v1/tickets", json{{"subject", "twice"}, {"team", team_id}}.dump(),
                              {{"Idempotency-Key", "order-42"}});
  EXPECT_EQ(other.status, 422);
  EXPECT_EQ(other.body["error"]["field"], "Idempotency-Key");
  auto fresh = admin->request("POST", "/api/v1/tickets", body, {{"Idempotency-Key", "order-43"}});
  EXPECT_NE(fresh.body["id"], first.body["id"]);
  EXPECT_EQ(admin->request("POST", "/api/v1/tickets", body, {{"Idempotency-Key", std::string(300, 'k')}}).status, 422);
  // Keys belong to the caller, and survive a restart.
  restart(15);
  auto replayed = admin->request("POST", "/api/v1/tickets", body, {{"Idempotency-Key", "order-42"}});
  EXPECT_EQ(replayed.body["id"], first.body["id"]);
  EXPECT_EQ(admin->get("/api/v1/tickets?team=" + std::to_string(team_id)).body["tickets"].size(), 2u);
}

}  // namespace
}  // namespace sb::testing

namespace sb::testing {
namespace {

TEST_F(ApiTest, TheWebFormCreatesAWebTicketAndEscapesWhatItShows) {
  auto form = admin->get("/support");
  ASSERT_EQ(form.status, 200);
  EXPECT_EQ(form.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(form.raw.find("<form method=\"post\" action=\"/support\">"), std::string::npos);

  HttpClient browser("127.0.0.1", server->port());  // no token
  const std::vector<std::pair<std::string, std::string>> type{{"Content-Type", "application/x-www-form-urlencoded"}};
  auto sent = browser.request("POST", "/support",
                              "name=Ann+%3Cb%3EExample%3C%2Fb%3E&email=ann%40example.com"
                              "&subject=%3Cscript%3Ealert(1)%3C%2Fscript%3E&message=VPN+down%0Asince+9",
                              type);
  ASSERT_EQ(sent.status, 201) << sent.raw;
  EXPECT_EQ(sent.raw.find("<script>"), std::string::npos);
  EXPECT_NE(sent.raw.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  const auto at = sent.raw.find("id=\"ticket\">#");
  ASSERT_NE(at, std::string::npos);
  const int id = std::stoi(sent.raw.substr(at + 13));
  auto t = admin->get("/api/v1/tickets/" + std::to_string(id)).body;
  EXPECT_EQ(t["channel"], "web");
  EXPECT_EQ(t["subject"], "<script>alert(1)</script>");  // kept as typed; escaped wherever shown
  EXPECT_EQ(t["body"], "VPN down\nsince 9");
  EXPECT_EQ(t["requester"]["email"], "ann@example.com");

  // Mistakes re-show the form with what was typed (escaped) and create nothing.
  auto bad = browser.request("POST", "/support", "email=not-an-address&subject=x&message=%22quoted%22", type);
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.raw.find("role=\"alert\""), std::string::npos);
  EXPECT_NE(bad.raw.find("&quot;quoted&quot;"), std::string::npos);
  EXPECT_EQ(browser.request("POST", "/support", "{}", {{"Content-Type", "application/json"}}).status, 415);
  EXPECT_EQ(admin->get("/api/v1/tickets").body["tickets"].size(), 1u);
}

}  // namespace
}  // namespace sb::testing

namespace sb::testing {
namespace {

TEST_F(ApiTest, PrometheusMetricsCountRequestsQueuesAgentsAndEvents) {
  const auto net = team("Network");
  agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"email", 1}}}, {"presence", "online"}});
  agent({{"name", "Bo"}, {"teams", {net}}, {"presence", "away"}});
  ticket({{"subject", "one"}, {"team", net}, {"channel", "email"}});
  ticket({{"subject", "two"}, {"team", net}, {"channel", "email"}});  // waits: Ada is full
  EXPECT_EQ(admin->get("/api/v1/tickets/999").status, 404);
  auto m = admin->get("/metrics");
  ASSERT_EQ(m.status, 200) << m.raw;
  EXPECT_TRUE(m.header("Content-Type").starts_with("text/plain; version=0.0.4"));
  const std::string& text = m.raw;
  auto has = [&](const std::string& line) { return text.find(line + "\n") != std::string::npos; };
  EXPECT_TRUE(has(R"(switchboard_http_requests_total{method="POST",route="/api/v1/tickets",status="201"} 2)")) << text;
  EXPECT_TRUE(has(R"(switchboard_http_requests_total{method="GET",route="/api/v1/tickets/{id}",status="404"} 1)"));
  EXPECT_TRUE(has(R"(switchboard_http_request_duration_seconds_count{method="POST",route="/api/v1/tickets"} 2)"));
  EXPECT_TRUE(has(R"(switchboard_queue_waiting{team="Network"} 1)"));
  EXPECT_TRUE(has(R"(switchboard_queue_agents_online{team="Network"} 1)"));
  EXPECT_TRUE(has(R"(switchboard_agents{presence="online"} 1)"));
  EXPECT_TRUE(has(R"(switchboard_agents{presence="away"} 1)"));
  EXPECT_TRUE(has(R"(switchboard_events_total{type="ticket.created"} 2)"));
  EXPECT_TRUE(has(R"(switchboard_events_total{type="ticket.assigned"} 1)"));
  EXPECT_TRUE(has("switchboard_outbox_pending 0"));
  // Every sample line is "name{labels} value" and every family is typed.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    static const std::regex sample(R"([a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|\+Inf))");
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
  }
  HttpClient anonymous("127.0.0.1", server->port());
  EXPECT_EQ(anonymous.get("/metrics").status, 401);
}

}  // namespace
}  // namespace sb::testing

namespace sb::testing {
namespace {

TEST_F(ApiTest, TicketReportAsJsonAndFormulaSafeCsv) {
  const auto net = team("=Network");  // a team name a spreadsheet would run as a formula
  const auto ada = agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"email", 5}}}, {"presence", "online"}});
  for (int i = 0; i < 3; ++i) ticket({{"subject", "t" + std::to_string(i)}, {"team", net}, {"channel", "email"}});
  ticket({{"subject", "no team"}});
  auto solved = admin->patch("/api/v1/tickets/1", {{"status", "solved"}});
  ASSERT_EQ(solved.status, 200);
  auto r = admin->get("/api/v1/reports/tickets?group_by=team&interval=none");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["tickets"], 4);
  ASSERT_EQ(r.body["rows"].size(), 2u);  // no team, and =Network
  const json& team_row = r.body["rows"][1];
  EXPECT_EQ(team_row["group"], "=Network");
  EXPECT_EQ(team_row["created"], 3);
  EXPECT_EQ(team_row["solved"], 1);
  EXPECT_EQ(team_row["time_to_assign"]["count"], 3);
  EXPECT_GE(team_row["time_to_assign"]["median_seconds"].get<double>(), 0.0);
  EXPECT_EQ(team_row["time_to_resolve"]["count"], 1);
  auto by_agent = admin->get("/api/v1/reports/tickets?group_by=agent&interval=hour");
  bool found = false;
  for (const json& row : by_agent.body["rows"]) found = found || row["group"] == "Ada";
  EXPECT_TRUE(found) << by_agent.raw;

  auto csv = admin->get("/api/v1/reports/tickets?group_by=team&interval=day&format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_TRUE(csv.header("Content-Type").starts_with("text/csv"));
  EXPECT_NE(csv.raw.find(",'=Network,3,1,3,"), std::string::npos) << csv.raw;
  EXPECT_EQ(csv.raw.find(",=Network"), std::string::npos);

  EXPECT_EQ(admin->get("/api/v1/reports/tickets?group_by=colour").body["error"]["field"], "group_by");
  EXPECT_EQ(admin->get("/api/v1/reports/tickets?from=yesterday").body["error"]["field"], "from");
  EXPECT_EQ(admin->get("/api/v1/reports/tickets?interval=week").body["error"]["field"], "interval");
  EXPECT_EQ(admin->get("/api/v1/reports/nothing").status, 404);

  // Fairness: Ada has all three of the team's tickets; Bo, in the team, none.
  agent({{"name", "Bo"}, {"teams", {net}}, {"presence", "offline"}});
  auto fair = admin->get("/api/v1/reports/fairness");
  ASSERT_EQ(fair.status, 200) << fair.raw;
  ASSERT_EQ(fair.body["rows"].size(), 1u);
  EXPECT_EQ(fair.body["rows"][0]["team"], "=Network");
  EXPECT_EQ(fair.body["rows"][0]["agents"], 2);
  EXPECT_EQ(fair.body["rows"][0]["assigned"], 3);
  EXPECT_EQ(fair.body["rows"][0]["most"], 3);
  EXPECT_EQ(fair.body["rows"][0]["least"], 0);
  EXPECT_DOUBLE_EQ(fair.body["rows"][0]["gini"].get<double>(), 0.5);
  EXPECT_NE(admin->get("/api/v1/reports/fairness?format=csv").raw.find("'=Network,2,3,3,0,0.5"), std::string::npos);
  (void)ada;
}

TEST_F(ApiTest, BacklogAgentsAndRoutingCountsReports) {
  const auto net = team("Network");
  const auto ada = agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"email", 2}}}, {"presence", "offline"}});
  const auto bo = agent({{"name", "Bo"}, {"teams", {net}}, {"capacity", {{"email", 2}}}, {"presence", "offline"}});
  const std::int64_t first = ticket({{"subject", "one"}, {"team", net}, {"channel", "email"}})["id"];
  ticket({{"subject", "two"}, {"team", net}, {"channel", "email"}});
  ticket({{"subject", "three"}, {"team", net}, {"channel", "email"}});
  // Ada comes online to a full load at once ("three" waits), so she holds
  // work all the time she is online, however slowly this machine runs.
  ASSERT_EQ(admin->patch("/api/v1/agents/" + std::to_string(ada), {{"presence", "online"}}).status, 200);
  ASSERT_EQ(get_ticket(first)["assignee_id"], ada);
  // A public reply (first response), a hand-over to Bo (a reassignment), then solved.
  ASSERT_EQ(admin->post("/api/v1/tickets/" + std::to_string(first) + "/comments",
                        {{"body", "Looking at it"}, {"author", {{"type", "agent"}, {"agent_id", ada}}}})
                .status,
            201);
  ASSERT_EQ(admin->patch("/api/v1/agents/" + std::to_string(bo), {{"presence", "online"}}).status, 200);
  ASSERT_EQ(admin->patch("/api/v1/tickets/" + std::to_string(first), {{"assignee_id", bo}}).status, 200);
  ASSERT_EQ(admin->patch("/api/v1/tickets/" + std::to_string(first), {{"status", "solved"}}).status, 200);

  auto t = admin->get("/api/v1/reports/tickets?interval=none");
  ASSERT_EQ(t.status, 200) << t.raw;
  const json& row = t.body["rows"][0];
  EXPECT_EQ(row["time_to_first_response"]["count"], 1);
  EXPECT_EQ(row["reassignments"], 1);
  EXPECT_EQ(row["sla"]["attainment"], nullptr);  // no SLA policy here

  auto b = admin->get("/api/v1/reports/backlog?group_by=team&interval=none");
  ASSERT_EQ(b.status, 200) << b.raw;
  ASSERT_EQ(b.body["rows"].size(), 1u);
  EXPECT_EQ(b.body["rows"][0]["group"], "Network");
  EXPECT_EQ(b.body["rows"][0]["open"], 2);  // the solved one left the backlog
  EXPECT_GE(b.body["rows"][0]["age"]["max_seconds"].get<double>(), 0.0);
  auto bcsv = admin->get("/api/v1/reports/backlog?group_by=team&interval=none&format=csv");
  EXPECT_TRUE(bcsv.raw.starts_with("at,group,open,unassigned,age_median_seconds,age_p90_seconds,age_max_seconds\r\n"))
      << bcsv.raw;

  auto a = admin->get("/api/v1/reports/agents");
  ASSERT_EQ(a.status, 200) << a.raw;
  ASSERT_EQ(a.body["rows"].size(), 2u);
  const json& ada_row = a.body["rows"][0];
  EXPECT_EQ(ada_row["agent"], "Ada");
  EXPECT_EQ(ada_row["teams"], "Network");
  EXPECT_GT(ada_row["online_seconds"].get<double>(), 0.0);
  EXPECT_EQ(ada_row["held"], 1);  // "two"; "one" went to Bo, "three" to Bo when he came online
  ASSERT_TRUE(ada_row["occupancy"].is_number()) << a.raw;
  EXPECT_GT(ada_row["occupancy"].get<double>(), 0.5);  // holding work nearly all the time it was online
  EXPECT_LE(ada_row["occupancy"].get<double>(), 1.0);
  EXPECT_LE(ada_row["utilisation"].get<double>(), ada_row["occupancy"].get<double>());
  EXPECT_EQ(admin->get("/api/v1/reports/agents?format=xml").body["error"]["field"], "format");
  EXPECT_EQ(admin->get("/api/v1/reports/backlog?interval=hour&from=2026-01-01T00:00:00Z&to=2026-01-20T00:00:00Z")
                .body["error"]["field"],
            "interval");
}

TEST_F(ApiTest, DashboardFilesAreServedWithAStrictContentSecurityPolicy) {
  HttpClient anonymous("127.0.0.1", server->port());
  auto page = anonymous.get("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(page.header("Content-Type").starts_with("text/html"));
  EXPECT_NE(page.raw.find("/assets/app.js"), std::string::npos);
  EXPECT_NE(page.header("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(page.header("X-Content-Type-Options"), "nosniff");
  EXPECT_TRUE(anonymous.get("/assets/app.js").header("Content-Type").starts_with("text/javascript"));
  EXPECT_EQ(anonymous.get("/assets/.gitignore").status, 404);
  EXPECT_EQ(anonymous.get("/assets/..%2FCMakeLists.txt").status, 404);
  EXPECT_EQ(anonymous.get("/assets/nothing.js").body["error"]["code"], "not_found");
  // Who a token is, for the sign-in.
  EXPECT_EQ(admin->get("/api/v1/me").body["role"], "admin");
  EXPECT_EQ(anonymous.get("/api/v1/me").status, 401);
}

}  // namespace
}  // namespace sb::testing
