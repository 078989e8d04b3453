#include <gtest/gtest.h>

#include <thread>

#include "cluster/forward.h"
#include "http/server.h"

namespace sb::cluster {
namespace {

TEST(Forward, FollowersAnswerReadsOfTheStoreAndHandOnTheRest) {
  auto req = [](std::string method, std::string path) {
    http::Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    return r;
  };
  EXPECT_TRUE(answered_by_any_node(req("GET", "/healthz")));
  EXPECT_TRUE(answered_by_any_node(req("GET", "/api/v1/events")));
  EXPECT_TRUE(answered_by_any_node(req("GET", "/api/v1/reports/tickets")));
  EXPECT_TRUE(answered_by_any_node(req("GET", "/assets/app.js")));
  EXPECT_FALSE(answered_by_any_node(req("POST", "/support")));
  EXPECT_FALSE(answered_by_any_node(req("POST", "/api/v1/tickets")));
  EXPECT_FALSE(answered_by_any_node(req("GET", "/api/v1/tickets/1")));  // carries live queue positions
  EXPECT_FALSE(answered_by_any_node(req("GET", "/api/v1/queues")));
}

TEST(Forward, TheOwnersAnswerComesBackAsItCame) {
  http::ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  http::Server owner(options, [](http::Request& r) {
    http::Response res;
    res.status = r.method == "POST" ? 201 : 200;
    res.body = {{"method", r.method}, {"path", r.path}, {"q", r.query["q"]}, {"body", r.body},
                {"auth", r.authorization}, {"key", r.idempotency_key}, {"by", r.forwarded_by}};
    res.headers.emplace_back("Location", "/api/v1/tickets/7");
    return res;
  });
  ASSERT_TRUE(owner.listen().ok());
  std::thread serving([&] { owner.run(); });
  const std::string address = "127.0.0.1:" + std::to_string(owner.port());

  http::Request r;
  r.method = "POST";
  r.path = "/api/v1/tickets";
  r.target = "/api/v1/tickets?q=a%20b";
  r.body = R"({"subject":"hi"})";
  r.authorization = "Bearer secret";
  r.idempotency_key = "k-1";
  r.content_type = "application/json";
  for (int i = 0; i < 3; ++i) {  // the connection is kept and reused
    http::Response res = forward(r, address, "node-b");
    ASSERT_EQ(res.status, 201);
    ASSERT_TRUE(res.text);
    const auto doc = nlohmann::json::parse(*res.text);
    EXPECT_EQ(doc["path"], "/api/v1/tickets");
    EXPECT_EQ(doc["q"], "a b");
    EXPECT_EQ(doc["body"], r.body);
    EXPECT_EQ(doc["auth"], "Bearer secret");
    EXPECT_EQ(doc["key"], "k-1");
    EXPECT_EQ(doc["by"], "node-b");
    EXPECT_EQ(res.content_type, "application/json");
    bool location = false;
    for (const auto& [k, v] : res.headers) location |= (k == "Location" && v == "/api/v1/tickets/7");
    EXPECT_TRUE(location);
  }
  owner.stop();
  serving.join();

  // Nobody there: a 503 the client retries, never a hang or a 500.
  http::Response gone = forward(r, address, "node-b", std::chrono::milliseconds(2000));
  EXPECT_EQ(gone.status, 503);
  EXPECT_EQ(gone.body["error"]["code"], "not_owner");
  bool retry_after = false;
  for (const auto& [k, v] : gone.headers) retry_after |= k == "Retry-After";
  EXPECT_TRUE(retry_after);
}

}  // namespace
}  // namespace sb::cluster
