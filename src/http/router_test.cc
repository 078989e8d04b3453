#include "http/router.h"

#include <gtest/gtest.h>

namespace sb::http {
namespace {

Router make() {
  auto h = [](Request&) { return Response{}; };
  return Router({{"GET", "/api/v1/tickets/{id}", Access::kAgent, h},
                 {"PATCH", "/api/v1/tickets/{id}", Access::kAgent, h},
                 {"PUT", "/api/v1/agents/{id}/presence", Access::kAgent, h}});
}

TEST(Router, MatchesPatternsAndFillsParams) {
  Router r = make();
  Request req;
  req.method = "PUT";
  req.path = "/api/v1/agents/42/presence";
  auto m = r.match(req, nullptr);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(req.params.at("id"), "42");
}

TEST(Router, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  Router r = make();
  Request req;
  req.method = "GET";
  req.path = "/api/v1/nothing";
  EXPECT_EQ(r.match(req, nullptr).error().kind, ErrorKind::kNotFound);
  req.method = "DELETE";
  req.path = "/api/v1/tickets/1";
  std::string allow;
  auto m = r.match(req, &allow);
  EXPECT_EQ(m.error().kind, ErrorKind::kMethodNotAllowed);
  EXPECT_EQ(allow, "GET, PATCH");
}

}  // namespace
}  // namespace sb::http
