#pragma once
// The API in process, for tests that want milliseconds rather than a server:
// the real Api, Intake, Service and Outbox over the in-memory store and a
// clock the test moves. Requests go straight to Api::handle() (no socket, no
// Beast): what the server adds (body limits, connection caps, keep-alive,
// streaming, signals) is left to the real-binary tests in tests/.
//
//   ApiHarness api;
//   auto admin = api.client(ApiHarness::kAdminToken);
//   auto r = admin.post("/api/v1/teams", {{"name", "Network"}});
//   EXPECT_EQ(r.status, 201);
//
// Not thread-safe beyond what Api is; one harness per test.
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/api.h"
#include "http/auth.h"
#include "store/memory_store.h"

namespace sb::http {

struct ApiResult {
  int status = 0;
  nlohmann::json body;  // null when the answer is not JSON
  std::string raw;      // the JSON body as text, or the text body
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return {};
  }
};

class ApiHarness {
 public:
  static constexpr const char* kAdminToken = "harness-admin-token";
  // 2026-12-01 09:00 UTC, a Tuesday.
  static Time start_time() { return Time(std::chrono::sys_days(std::chrono::year{2026} / 12 / 1)) + std::chrono::hours(9); }

  explicit ApiHarness(triage::TriageSettings triage = {}, DirectorySettings directory = {})
      : ApiHarness(std::make_unique<MemoryStore>(), std::move(triage), std::move(directory)) {}
  // Over `store` (a MemoryStore, or a test's wrapper of one).
  explicit ApiHarness(std::unique_ptr<MemoryStore> store, triage::TriageSettings triage = {},
                      DirectorySettings directory = {})
      : store_(std::move(store)),
        triage_(std::move(triage)),
        service_(*store_, {}, [this] { return now_; }),
        outbox_(*store_, notify::NotifySettings{}, [this] { return now_; }),
        directory_(*store_, [this] { return now_; }, std::move(directory)),
        intake_(service_, triage_, &directory_),
        api_(service_, intake_, hash_token(kAdminToken), &outbox_) {
    (void)outbox_.load();
    service_.set_outbox(&outbox_);
    (void)service_.start();
    ApiLimits unlimited;
    unlimited.per_token = {0, 0};
    unlimited.public_posts = {0, 0};
    api_.set_limits(unlimited);
  }

  class Client {
   public:
    Client(ApiHarness& h, std::string token) : h_(h), token_(std::move(token)) {}
    ApiResult request(const std::string& method, const std::string& target, const std::string& body = {},
                      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
      return h_.request(method, target, body, token_, headers);
    }
    ApiResult get(const std::string& target) { return request("GET", target); }
    ApiResult post(const std::string& target, const nlohmann::json& body) { return request("POST", target, body.dump()); }
    ApiResult patch(const std::string& target, const nlohmann::json& body) { return request("PATCH", target, body.dump()); }
    ApiResult put(const std::string& target, const nlohmann::json& body) { return request("PUT", target, body.dump()); }
    ApiResult del(const std::string& target) { return request("DELETE", target); }

   private:
    ApiHarness& h_;
    std::string token_;
  };
  Client client(std::string token = {}) { return Client(*this, std::move(token)); }
  Client admin() { return client(kAdminToken); }

  // One request as the server would hand it over, 10 ms after the one
  // before (as over a socket, time passes between requests; a report's
  // range ends at "now", exclusive). Headers understood: Idempotency-Key,
  // If-Match, Content-Type, X-Forwarded-For.
  ApiResult request(const std::string& method, const std::string& target, const std::string& body,
                    const std::string& token, const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    now_ += std::chrono::milliseconds(10);
    Request r;
    r.method = method;
    set_target(r, target);
    r.body = body;
    r.remote = "127.0.0.1";
    if (!token.empty()) r.authorization = "Bearer " + token;
    for (const auto& [k, v] : headers) {
      if (k == "Idempotency-Key") r.idempotency_key = v;
      if (k == "If-Match") r.if_match = v;
      if (k == "Content-Type") r.content_type = v;
      if (k == "X-Forwarded-For") r.forwarded_for = v;
    }
    Response res = api_.handle(r);
    ApiResult out;
    out.status = res.status;
    out.headers = res.headers;
    if (res.text) {
      out.raw = *res.text;
      out.headers.emplace_back("Content-Type", res.content_type);
    } else if (!res.body.is_null()) {
      out.body = res.body;
      out.raw = res.body.dump();
    }
    return out;
  }

  // Moves the clock and fires what came due (offer timeouts, SLA clocks, ...).
  void advance(Duration d) {
    now_ += d;
    (void)service_.tick();
  }
  Time now() const { return now_; }

  Api& api() { return api_; }
  Service& service() { return service_; }
  MemoryStore& store() { return *store_; }

 private:
  Time now_ = start_time();
  std::unique_ptr<MemoryStore> store_;
  intake::TriageGate triage_;
  Service service_;
  notify::Outbox outbox_;
  Directory directory_;
  intake::Intake intake_;
  Api api_;
};

}  // namespace sb::http
