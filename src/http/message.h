#pragma once
// What handlers see of an HTTP exchange, independent of Beast.
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/enums.h"
#include "core/ids.h"
#include "core/status.h"

namespace sb {
struct IdempotencyRecord;
}

namespace sb::http {

// Who is calling, from the bearer token.
struct Principal {
  Role role = Role::kAgent;
  std::optional<AgentId> agent;  // set for agent tokens
  std::string token_hash;        // who exactly: scopes Idempotency-Keys
  // A supervisor's teams (named when the token was issued); an agent's teams
  // (the agent's membership when the request came).
  std::vector<TeamId> teams;
  bool is_admin() const { return role == Role::kAdmin; }
  bool is_supervisor() const { return role == Role::kSupervisor; }
  // Whether the caller manages this team: an admin every team, a supervisor
  // their own; nobody else any.
  bool manages(std::optional<TeamId> team) const {
    if (is_admin()) return true;
    return is_supervisor() && team && std::find(teams.begin(), teams.end(), *team) != teams.end();
  }
  bool manages_any(const std::vector<TeamId>& of) const {
    return is_admin() || std::any_of(of.begin(), of.end(), [&](TeamId t) { return manages(t); });
  }
  // Whether an agent token's agent is a member of this team.
  bool works_in(std::optional<TeamId> team) const {
    return role == Role::kAgent && team && std::find(teams.begin(), teams.end(), *team) != teams.end();
  }
};

struct Request {
  std::string method;
  std::string path;                            // without the query string
  std::string target;                          // as sent: path and query string, still encoded
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> params;   // from the route pattern, e.g. {id}
  std::string body;
  std::string authorization;                   // the raw header
  std::string idempotency_key;
  std::string last_event_id;                   // Last-Event-ID (event streams resume after it)
  std::string content_type;
  std::string if_match;                        // If-Match
  std::string forwarded_by;                    // X-Switchboard-Forwarded-By: the node that handed it on
  std::string remote;                          // the peer's address (a proxy's, behind one)
  std::string forwarded_for;                   // X-Forwarded-For, believed from trusted proxies only
  Principal principal;                         // filled in after authentication
  // While an Idempotency-Key request runs: its record, for a create to
  // commit (with the answer) in the same transaction as the ticket.
  const IdempotencyRecord* idempotency = nullptr;
};

// Writes one chunk of a streamed body; false once the client is gone or the
// server is stopping (then the producer should return).
using StreamWriter = std::function<bool(std::string_view)>;

struct Response {
  int status = 200;
  nlohmann::json body;                         // sent as application/json unless null
  std::vector<std::pair<std::string, std::string>> headers;
  // A body that is not JSON (an HTML page), sent as is with `content_type`.
  std::optional<std::string> text;
  std::string content_type = "text/html; charset=utf-8";
  // Set for a streamed body (Server-Sent Events): the server sends the
  // status and headers, then calls it on the connection's thread; the body
  // ends when it returns and the connection closes.
  std::function<void(const StreamWriter&)> stream;
};

// Sets r.target, r.path (decoded) and r.query (decoded) from a request
// target as sent ("/api/v1/tickets?status=open&limit=5").
void set_target(Request& r, std::string_view target);
// %XX and '+' decoded (a bad escape is kept as it is).
std::string url_decode(std::string_view s);

// The error body every 4xx/5xx carries:
// {"error":{"code":"...","message":"...","field":"..."}}.
Response error_response(const Error& e);
int http_status(ErrorKind kind);

}  // namespace sb::http
