#pragma once
// What handlers see of an HTTP exchange, independent of Beast.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/enums.h"
#include "core/ids.h"
#include "core/status.h"

namespace sb::http {

// Who is calling, from the bearer token.
struct Principal {
  Role role = Role::kAgent;
  std::optional<AgentId> agent;  // set for agent tokens
  bool is_admin() const { return role == Role::kAdmin; }
};

struct Request {
  std::string method;
  std::string path;                            // without the query string
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> params;   // from the route pattern, e.g. {id}
  std::string body;
  std::string authorization;                   // the raw header
  std::string idempotency_key;
  Principal principal;                         // filled in after authentication
};

struct Response {
  int status = 200;
  nlohmann::json body;                         // sent as application/json unless null
  std::vector<std::pair<std::string, std::string>> headers;
};

// The error body every 4xx/5xx carries:
// {"error":{"code":"...","message":"...","field":"..."}}.
Response error_response(const Error& e);
int http_status(ErrorKind kind);

}  // namespace sb::http
