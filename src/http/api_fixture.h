#pragma once
// The fixture of the in-process API tests: a fresh ApiHarness per test, an
// admin client, and helpers to make teams, agents and tickets.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "http/api_harness.h"

namespace sb::http {

using nlohmann::json;
using HttpResult = ApiResult;

class ApiInProcess : public ::testing::Test {
 protected:
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

  ApiHarness h;
  std::unique_ptr<ApiHarness::Client> admin = std::make_unique<ApiHarness::Client>(h.admin());
};

}  // namespace sb::http
