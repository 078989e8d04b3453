// The attack regression suite (issue 20): what an outside attack run found,
// replayed against the real binary, on SQLite and on PostgreSQL where the
// store is involved. Each test names the numbered point it covers.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

using nlohmann::json;
namespace asio = boost::asio;
const std::string kAdmin = "attack-admin-token-0123456789";
// The binary under attack: this build's, or another one named by
// SB_ATTACK_BINARY (to show the suite failing on a binary without the fixes).
const std::string kBinary = std::getenv("SB_ATTACK_BINARY") ? std::getenv("SB_ATTACK_BINARY") : SWITCHBOARD_BINARY;
const std::vector<std::pair<std::string, std::string>> kForm{{"Content-Type", "application/x-www-form-urlencoded"}};

class Attack : public ::testing::TestWithParam<std::string> {
 protected:
  // A server on the backend under test, with `config` (YAML) as its config.
  void start(const std::string& config = "") {
    const std::string path = dir / "attack.yaml";
    std::ofstream(path) << (config.empty() ? "{}\n" : config);
    server = std::make_unique<ServerProcess>(kBinary, dir.path().string(), kAdmin,
                                             std::vector<std::string>{"--config", path});
    if (GetParam() == "postgresql") {
      const std::string cluster = pg_test_server(PG_TEST_URL_FILE);
      ASSERT_FALSE(cluster.empty()) << "no PostgreSQL test cluster: " << PG_TEST_URL_FILE;
      server->set_db(create_pg_database(cluster, "sb_attack"));
    }
    ASSERT_TRUE(server->start()) << server->log_path();
    admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
  }
  HttpClient client(const std::string& token = "") { return HttpClient("127.0.0.1", server->port(), token); }

  TempDir dir{"sb_attack"};
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> admin;
};

// Points 1 and 6: hostile posts on every way in, interleaved with valid
// creates from several threads. Every hostile one is refused with a 4xx (or,
// on the web form, taken with its text cleaned); no valid create fails.
TEST_P(Attack, HostileInputNeverBreaksOtherPeoplesWrites) {
  start("limits:\n  public_posts: {per_second: 10000, burst: 10000}\n");
  ASSERT_EQ(admin->post("/api/v1/teams", {{"name", "Network"}}).status, 201);
  std::atomic<int> valid_failed{0}, hostile_5xx{0}, hostile_taken{0};
  std::vector<std::thread> writers;
  constexpr int kWriters = 3, kEach = 40;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      HttpClient c("127.0.0.1", server->port(), kAdmin);
      for (int i = 0; i < kEach; ++i) {
        auto r = c.post("/api/v1/tickets", {{"subject", "valid " + std::to_string(w) + "-" + std::to_string(i)},
                                            {"team", "Network"}});
        if (r.status != 201) {
          ++valid_failed;
          ADD_FAILURE() << r.status << " " << r.raw;
        }
      }
    });
  }
  std::thread hostile([&] {
    HttpClient anon("127.0.0.1", server->port());
    HttpClient c("127.0.0.1", server->port(), kAdmin);
    std::vector<std::string> many(60000, "t");
    for (int round = 0; round < 8; ++round) {
      std::vector<HttpResult> answers;
      answers.push_back(anon.request("POST", "/support",
                                     "name=x&email=x%40example.com&subject=bytes&message=bad+%ff+%00+end", kForm));
      answers.push_back(anon.request("POST", "/support", "name=%ff%fe&email=y%40example.com&subject=%ff&message=%00",
                                     kForm));
      answers.push_back(c.post("/api/v1/tickets", {{"subject", "nul tag"}, {"tags", {std::string("a\0b", 3)}}}));
      answers.push_back(c.post("/api/v1/tickets", {{"subject", "nul skill"}, {"required_skills", {{std::string("v\0pn", 4), 2}}}}));
      answers.push_back(c.post("/api/v1/tickets", {{"subject", "many tags"}, {"tags", many}}));
      answers.push_back(c.post("/api/v1/tickets", {{"subject", "bad address"}, {"requester", {{"email", "not an address"}}}}));
      answers.push_back(c.request("POST", "/api/v1/tickets", "{\"subject\":\"bad \xff utf-8\"}"));
      answers.push_back(c.post("/api/v1/agents", {{"name", "Nul"}, {"skills", {{std::string("a\0", 2), 1}}}}));
      for (const HttpResult& r : answers) {
        if (r.status >= 500) {
          ++hostile_5xx;
          ADD_FAILURE() << r.status << " " << r.raw;
        }
        if (r.status == 201) ++hostile_taken;
        if (r.status >= 400 && r.body.is_object()) {
          EXPECT_TRUE(r.body["error"]["field"].is_string() || r.status == 400) << r.raw;
        }
      }
    }
  });
  for (auto& t : writers) t.join();
  hostile.join();
  EXPECT_EQ(valid_failed, 0);
  EXPECT_EQ(hostile_5xx, 0);
  EXPECT_EQ(hostile_taken, 16);  // the web form's posts, cleaned
  auto list = admin->get("/api/v1/tickets?limit=100&status=new");
  int total = 0;
  std::string cursor;
  do {
    auto page = admin->get("/api/v1/tickets?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(page.status, 200) << page.raw;
    total += static_cast<int>(page.body["tickets"].size());
    cursor = page.body["next_cursor"].is_null() ? "" : page.body["next_cursor"].get<std::string>();
  } while (!cursor.empty());
  EXPECT_EQ(total, kWriters * kEach + 16);
  // What the web form took is text both stores keep: the bad bytes became U+FFFD, NUL a space.
  auto first = admin->get("/api/v1/tickets?limit=100");
  bool seen = false;
  for (const json& t : first.body["tickets"]) {
    if (t["subject"] != "bytes") continue;
    seen = true;
    EXPECT_EQ(admin->get("/api/v1/tickets/" + std::to_string(t["id"].get<int>())).body["body"], "bad \xEF\xBF\xBD   end");
  }
  EXPECT_TRUE(seen);
}

// Points 4, 6, 7, 8: probes that must be refused with a 4xx naming what was
// wrong, on both backends.
TEST_P(Attack, BadInputProbesGetA4xxNamingTheField) {
  start();
  struct Probe {
    std::string method, path, body;
    int status;
    std::string field;
  };
  const std::vector<Probe> probes = {
      {"POST", "/api/v1/webhooks", R"({"url":"http://[::127.0.0.1]/x"})", 422, "url"},
      {"POST", "/api/v1/webhooks", R"({"url":"http://[::ffff:0:127.0.0.1]/x"})", 422, "url"},
      {"POST", "/api/v1/webhooks", R"({"url":"http://[64:ff9b::127.0.0.1]/x"})", 422, "url"},
      {"POST", "/api/v1/webhooks", R"({"url":"http://[fec0::1]/x"})", 422, "url"},
      {"POST", "/api/v1/webhooks", R"({"url":"http://198.18.0.1/x"})", 422, "url"},
      {"POST", "/api/v1/webhooks", R"({"url":"http://192.0.0.1/x"})", 422, "url"},
      {"POST", "/api/v1/webhooks", R"({"url":"http://240.0.0.1/x"})", 422, "url"},
      {"POST", "/api/v1/webhooks", R"({"url":"http:///x"})", 422, "url"},
      {"POST", "/api/v1/tickets", R"({"subject":"x","tags":["a\u0000b"]})", 422, "tags"},
      {"POST", "/api/v1/tickets", R"({"subject":"x","required_skills":{"v\u0000pn":2}})", 422, "required_skills"},
      {"POST", "/api/v1/tickets", R"({"subject":"x","requester":{"email":"nobody"}})", 422, "requester.email"},
      {"POST", "/api/v1/agents", R"({"name":"x","skills":{"a\u0000":1}})", 422, "skills"},
      {"GET", "/api/v1/reports/tickets?to=0000-01-01T00:00:00Z", "", 422, "to"},
      {"GET", "/api/v1/reports/tickets?from=0001-01-01T00:00:00Z", "", 422, "from"},
  };
  for (const Probe& p : probes) {
    auto r = admin->request(p.method, p.path, p.body);
    EXPECT_EQ(r.status, p.status) << p.method << " " << p.path << " " << p.body << ": " << r.raw;
    EXPECT_EQ(r.body["error"]["field"], p.field) << p.path << " " << p.body << ": " << r.raw;
  }
  json tags = json::array();
  for (int i = 0; i < 101; ++i) tags.push_back("t" + std::to_string(i));
  auto many = admin->post("/api/v1/tickets", {{"subject", "x"}, {"tags", tags}});
  EXPECT_EQ(many.status, 422) << many.raw;
  EXPECT_EQ(many.body["error"]["field"], "tags");
  EXPECT_EQ(admin->get("/api/v1/tickets").body["tickets"].size(), 0u);  // nothing above was written
  EXPECT_EQ(admin->get("/api/v1/webhooks").body["webhooks"].size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, Attack, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// Point 7: every HTML page carries a strict policy; /assets serves the
// dashboard's files only. (No store involved: SQLite only.)
TEST(AttackHttp, PagesCarryAStrictPolicyAndAssetsAreTheDashboardsOnly) {
  TempDir dir("sb_attack_html");
  ServerProcess server(kBinary, dir.path().string(), kAdmin);
  ASSERT_TRUE(server.start()) << server.log_path();
  HttpClient anon("127.0.0.1", server.port());
  for (const char* path : {"/support", "/"}) {
    auto page = anon.get(path);
    ASSERT_EQ(page.status, 200) << path;
    EXPECT_NE(page.header("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos) << path;
    EXPECT_EQ(page.header("X-Content-Type-Options"), "nosniff") << path;
  }
  auto refused = anon.request("POST", "/support", "email=bad", kForm);
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.header("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(anon.get("/assets/app.js").status, 200);
  for (const char* path : {"/assets/vendor", "/assets/package.json", "/assets/package-lock.json", "/assets/node_modules"}) {
    EXPECT_EQ(anon.get(path).status, 404) << path;
  }
}

// An idle socket from `from`, connected to the server.
std::unique_ptr<asio::ip::tcp::socket> connect_from(asio::io_context& io, const std::string& from, std::uint16_t port) {
  auto s = std::make_unique<asio::ip::tcp::socket>(io);
  s->open(asio::ip::tcp::v4());
  s->bind({asio::ip::make_address(from), 0});
  s->connect({asio::ip::make_address("127.0.0.1"), port});
  timeval tv{5, 0};
  ::setsockopt(s->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return s;
}

// Reads until the server closes the connection (or 5 s pass); what it sent.
std::string read_to_close(asio::ip::tcp::socket& s, bool* closed) {
  std::string out;
  char buf[4096];
  for (;;) {
    boost::system::error_code ec;
    const std::size_t n = s.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) {
      *closed = ec == asio::error::eof || ec == asio::error::connection_reset;
      return out;
    }
  }
}

// Point 3: one address cannot take every connection slot; idle connections
// are closed after limits.idle_seconds.
TEST(AttackHttp, OneAddressCannotStarveAnother) {
  TempDir dir("sb_attack_conn");
  const std::string config = dir / "c.yaml";
  std::ofstream(config) << "limits:\n  connections_per_address: 3\n  idle_seconds: 2\n";
  ServerProcess server(kBinary, dir.path().string(), kAdmin, {"--config", config});
  ASSERT_TRUE(server.start()) << server.log_path();
  asio::io_context io;
  std::vector<std::unique_ptr<asio::ip::tcp::socket>> held;
  for (int i = 0; i < 3; ++i) held.push_back(connect_from(io, "127.0.0.1", server.port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto fourth = connect_from(io, "127.0.0.1", server.port());
  bool closed = false;
  const std::string answer = read_to_close(*fourth, &closed);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 503")) << answer;
  EXPECT_NE(answer.find("too many connections from your address"), std::string::npos) << answer;
  // Another address is served meanwhile.
  auto other = connect_from(io, "127.0.0.2", server.port());
  asio::write(*other, asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
  const std::string ok = read_to_close(*other, &closed);
  EXPECT_TRUE(ok.starts_with("HTTP/1.1 200")) << ok;
  // The idle ones are closed after idle_seconds, and their address has room again.
  const auto before = std::chrono::steady_clock::now();
  bool idle_closed = false;
  (void)read_to_close(*held[0], &idle_closed);
  EXPECT_TRUE(idle_closed);
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(4));
  held.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  HttpClient again("127.0.0.1", server.port());
  EXPECT_EQ(again.get("/healthz").status, 200);
}

// Point 2: an event stream ends within a second or so of its token's
// revocation, and at its lifetime (limits.event_stream_seconds).
TEST(AttackHttp, EventStreamsEndOnRevocationAndAtTheirLifetime) {
  TempDir dir("sb_attack_sse");
  const std::string config = dir / "c.yaml";
  std::ofstream(config) << "limits:\n  event_stream_seconds: 3\n";
  ServerProcess server(kBinary, dir.path().string(), kAdmin, {"--config", config});
  ASSERT_TRUE(server.start()) << server.log_path();
  HttpClient admin("127.0.0.1", server.port(), kAdmin);
  ASSERT_EQ(admin.post("/api/v1/teams", {{"name", "Network"}}).status, 201);
  auto token = admin.post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", {"Network"}}});
  ASSERT_EQ(token.status, 201) << token.raw;
  asio::io_context io;
  auto stream = connect_from(io, "127.0.0.1", server.port());
  asio::write(*stream, asio::buffer("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                    token.body["token"].get<std::string>() + "\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto revoked_at = std::chrono::steady_clock::now();
  ASSERT_EQ(admin.request("DELETE", "/api/v1/tokens/" + token.body["id"].get<std::string>()).status, 200);
  bool closed = false;
  const std::string seen = read_to_close(*stream, &closed);
  EXPECT_TRUE(closed) << seen;
  EXPECT_LT(std::chrono::steady_clock::now() - revoked_at, std::chrono::milliseconds(2500));
  EXPECT_TRUE(seen.starts_with("HTTP/1.1 200")) << seen;

  // The admin's stream (never revoked) ends at its lifetime.
  auto lasting = connect_from(io, "127.0.0.1", server.port());
  const auto opened = std::chrono::steady_clock::now();
  asio::write(*lasting, asio::buffer("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kAdmin + "\r\n\r\n"));
  closed = false;
  (void)read_to_close(*lasting, &closed);
  EXPECT_TRUE(closed);
  const auto lived = std::chrono::steady_clock::now() - opened;
  EXPECT_GE(lived, std::chrono::milliseconds(2500));
  EXPECT_LT(lived, std::chrono::milliseconds(5000));
}

// Point 8: HEAD answers as GET without the body; a request whose head is
// refused (no token) gets its answer before any body is asked for; a body
// just over the limit is answered with a readable 413, not a reset.
TEST(AttackHttp, HeadExpectAndOversizedBodiesGetReadableAnswers) {
  TempDir dir("sb_attack_head");
  ServerProcess server(kBinary, dir.path().string(), kAdmin);
  ASSERT_TRUE(server.start()) << server.log_path();
  asio::io_context io;
  bool closed = false;

  auto head = connect_from(io, "127.0.0.1", server.port());
  asio::write(*head, asio::buffer(std::string("HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
  const std::string head_answer = read_to_close(*head, &closed);
  EXPECT_TRUE(head_answer.starts_with("HTTP/1.1 200")) << head_answer;
  EXPECT_NE(head_answer.find("Content-Length: "), std::string::npos) << head_answer;
  EXPECT_TRUE(head_answer.ends_with("\r\n\r\n")) << head_answer;  // no body

  auto expect = connect_from(io, "127.0.0.1", server.port());
  asio::write(*expect, asio::buffer(std::string("POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
                                                "Expect: 100-continue\r\n\r\n")));
  const std::string expect_answer = read_to_close(*expect, &closed);
  EXPECT_TRUE(expect_answer.starts_with("HTTP/1.1 401")) << expect_answer;
  EXPECT_EQ(expect_answer.find("100 Continue"), std::string::npos) << expect_answer;

  // 33 MiB of raw mail, 1 MiB over its limit, sent whole by a client that does not wait.
  auto big = connect_from(io, "127.0.0.1", server.port());
  const std::size_t size = 33u << 20;
  asio::write(*big, asio::buffer("POST /api/v1/mail HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kAdmin +
                                 "\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n"));
  std::string chunk(1u << 20, 'x');
  boost::system::error_code wec;
  for (std::size_t sent = 0; sent < size && !wec; sent += chunk.size()) asio::write(*big, asio::buffer(chunk), wec);
  EXPECT_FALSE(wec) << "the body could not be sent whole: " << wec.message();
  const std::string big_answer = read_to_close(*big, &closed);
  EXPECT_TRUE(big_answer.starts_with("HTTP/1.1 413")) << big_answer.substr(0, 200);
  HttpClient admin("127.0.0.1", server.port(), kAdmin);
  EXPECT_EQ(admin.get("/api/v1/tickets").body["tickets"].size(), 0u);
}

}  // namespace
}  // namespace sb::testing
