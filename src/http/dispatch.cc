// The road every request takes: route, authenticate, limit, run, audit.
#include "http/api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
#include <stdexcept>

#include "http/api_helpers.h"
#include "http/auth.h"

namespace sb::http {

using namespace detail;

int http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kMalformed: return 400;
    case ErrorKind::kUnauthenticated: return 401;
    case ErrorKind::kPermissionDenied: return 403;
    case ErrorKind::kNotFound: return 404;
    case ErrorKind::kMethodNotAllowed: return 405;
    case ErrorKind::kConflict: return 409;
    case ErrorKind::kPreconditionFailed: return 412;
    case ErrorKind::kTooLarge: return 413;
    case ErrorKind::kTooManyRequests: return 429;
    case ErrorKind::kInvalidArgument: return 422;
    case ErrorKind::kUnavailable: return 503;
    case ErrorKind::kInternal: return 500;
  }
  return 500;
}

Response error_response(const Error& e) {
  json err{{"code", e.code}, {"message", e.message}};
  err["field"] = e.field.empty() ? json(nullptr) : json(e.field);
  Response r{http_status(e.kind), json{{"error", err}}, {}};
  if (e.kind == ErrorKind::kUnavailable) r.headers.emplace_back("Retry-After", "1");
  return r;
}

void Api::set_limits(ApiLimits limits) {
  auto proxies = TrustedProxies::parse(limits.trusted_proxies);
  if (!proxies) throw std::invalid_argument(proxies.error().message);
  proxies_ = std::move(*proxies);
  limits_ = std::move(limits);
}

std::optional<Response> Api::over_limit(const std::string& caller, const RateLimit& limit) {
  int retry_after = 1;
  if (limiter_.take(caller, limit, &retry_after)) return std::nullopt;
  Response res = error_response(Error::RateLimited("too many requests; retry in " + std::to_string(retry_after) + " s"));
  res.headers.emplace_back("Retry-After", std::to_string(retry_after));
  return res;
}

namespace {

// Request ids: this process's random prefix and a counter ("3f9a0c1d-42").
std::string next_request_id() {
  static const std::string prefix = [] {
    std::random_device rd;
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
    return std::string(buf);
  }();
  static std::atomic<std::uint64_t> counter{0};
  return prefix + "-" + std::to_string(++counter);
}

}  // namespace

Response Api::handle(Request& request) {
  const auto started = std::chrono::steady_clock::now();
  const std::string id = next_request_id();
  std::string route = "(no route)";
  Response res = dispatch(request, route);
  if (res.status >= 500 && res.body.is_object() && res.body.contains("error")) {
    json& err = res.body["error"];
    const std::string code = err.value("code", "");
    if (code == "unavailable" || code == "internal") {
      // A fault of ours, whose text may be the database's own: logged with
      // the request id; the client gets the code and the id to quote.
      spdlog::warn("request {} {} {}: {} ({})", id, request.method, request.path, err.value("message", ""), code);
      err["message"] = code == "internal" ? "an internal error; quote request " + id
                                          : "the server could not complete this just now; retry (request " + id + ")";
    }
  }
  res.headers.emplace_back("X-Request-Id", id);
  if (std::none_of(res.headers.begin(), res.headers.end(),
                   [](const auto& h) { return h.first == "X-Content-Type-Options"; })) {
    res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  }
  metrics_.record(request.method, route, res.status,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return res;
}

Response Api::dispatch(Request& request, std::string& route_pattern) {
  try {
    std::string allow;
    auto route = router_.match(request, &allow);
    if (route) route_pattern = (*route)->pattern;
    if (!route) {
      Response res = error_response(route.error());
      if (!allow.empty()) res.headers.emplace_back("Allow", allow);
      return res;
    }
    if ((*route)->access != Access::kPublic) {
      auto who = authenticate(request);
      if (!who) return error_response(who.error());
      request.principal = *who;
      if (auto limited = over_limit(request.principal.token_hash,
                                    request.principal.is_admin() ? limits_.admin : limits_.per_token)) {
        return *limited;
      }
      if (auto refused = role_refused((*route)->access, request.principal.role)) {
        return error_response(Error::Forbidden(refused));
      }
    } else if (request.method != "GET") {
      // Posts that need no token (the support form): per client address.
      const std::string client = proxies_.client(request.remote, request.forwarded_for);
      if (auto limited = over_limit("addr:" + client, limits_.public_posts)) return *limited;
    }
    Response res = request.method == "POST" && !request.idempotency_key.empty() && (*route)->access != Access::kPublic
                       ? idempotent(request, (*route)->handler)
                       : (*route)->handler(request);
    if ((*route)->audited && res.status < 400) audit(request, res);
    return res;
  } catch (const Fail& f) {
    return error_response(f.error);
  } catch (const std::exception& e) {
    return error_response(Error::Internal(std::string("unexpected: ") + e.what()));
  }
}

}  // namespace sb::http
