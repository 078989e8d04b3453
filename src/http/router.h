#pragma once
// Matches a method and path against the route table. Patterns are literal
// segments and {name} placeholders, e.g. "/api/v1/tickets/{id}".
#include <functional>
#include <string>
#include <vector>

#include "http/message.h"

namespace sb::http {

using Handler = std::function<Response(Request&)>;

enum class Access {
  kPublic,       // no token needed
  kAnyToken,     // any valid token (who am I)
  kAgent,        // admin, supervisor or agent tokens; the handler checks what the caller may see
  kAdmin,       // admin token only
  kSupervisor,  // admin or supervisor tokens; the handler scopes a supervisor to their teams
  kViewer,      // admin, supervisor or viewer tokens (reports)
};

struct Route {
  std::string method;
  std::string pattern;
  Access access;
  Handler handler;
  bool audited = false;  // an administrative change: written to the audit log when it succeeds
};

class Router {
 public:
  explicit Router(std::vector<Route> routes);

  // The route for the request, filling request.params; on no match an error
  // response: 404 for an unknown path, 405 (with Allow) for a known path with
  // another method. HEAD matches the GET route.
  Result<const Route*> match(Request& request, std::string* allow) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

std::vector<std::string> split_path(const std::string& path);

}  // namespace sb::http
