// The road every request takes: route, authenticate, limit, run, audit.
#include "http/api.h"

#include <spdlog/spdlog.h>

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

Response Api::handle(Request& request) {
  const auto started = std::chrono::steady_clock::now();
  std::string route = "(no route)";
  Response res = dispatch(request, route);
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
