#include "http/router.h"

namespace sb::http {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const std::size_t j = path.find('/', i);
    out.push_back(path.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j;
  }
  return out;
}

Router::Router(std::vector<Route> routes) : routes_(std::move(routes)) {}

Result<const Route*> Router::match(Request& request, std::string* allow) const {
  const std::vector<std::string> parts = split_path(request.path);
  bool path_known = false;
  for (const Route& r : routes_) {
    const std::vector<std::string> pattern = split_path(r.pattern);
    if (pattern.size() != parts.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (std::size_t i = 0; i < parts.size() && ok; ++i) {
      const std::string& p = pattern[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        params[p.substr(1, p.size() - 2)] = parts[i];
      } else {
        ok = p == parts[i];
      }
    }
    if (!ok) continue;
    path_known = true;
    // HEAD is GET without the body (the server sends the head only).
    const bool same = r.method == request.method || (request.method == "HEAD" && r.method == "GET");
    if (!same) {
      if (allow) *allow += (allow->empty() ? "" : ", ") + r.method;
      continue;
    }
    request.params = std::move(params);
    return &r;
  }
  if (path_known) {
    return Error{ErrorKind::kMethodNotAllowed, "method_not_allowed",
                 request.method + " is not allowed on " + request.path, {}};
  }
  return Error{ErrorKind::kNotFound, "not_found", "no such path: " + request.path, {}};
}

}  // namespace sb::http
