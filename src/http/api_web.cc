// The dashboard's files (docs/dashboard.md): GET / and GET /assets/{file},
// read from the web directory (web/ in the source tree, the chart library in
// web/vendor/ put there by scripts/web). Only plain file names are served;
// every page is sent with a Content-Security-Policy that allows scripts from
// this server only, so ticket text can never run as code.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/api.h"
#include "http/api_helpers.h"

namespace sb::http {

using namespace detail;

namespace {

bool plain_name(const std::string& name) {
  if (name.empty() || name.size() > 100 || name.front() == '.') return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
  }
  return true;
}

// The dashboard's kinds of file; anything else in the web folder (the npm
// manifests, licences, folders) is not served.
std::optional<std::string> content_type_of(const std::string& name) {
  auto ends = [&](std::string_view ext) { return name.ends_with(ext); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  return std::nullopt;
}

std::optional<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

Response Api::web_file(const std::string& name) {
  const auto type = content_type_of(name);
  if (!plain_name(name) || !type) throw Fail{Error::NotFound("file '" + name + "'")};
  std::optional<std::string> body;
  for (const char* sub : {"/", "/vendor/"}) {
    if (!web_dir_.empty() && (body = read_file(web_dir_ + sub + name))) break;
  }
  if (!body) throw Fail{Error::NotFound("file '" + name + "'")};
  Response res{200, nullptr,
               {{"Content-Security-Policy",
                 "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                 "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
                {"X-Content-Type-Options", "nosniff"},
                {"Referrer-Policy", "no-referrer"},
                {"Cache-Control", "no-cache"}}};
  res.text = std::move(*body);
  res.content_type = *type;
  return res;
}

Response Api::dashboard(Request&) { return web_file("index.html"); }
Response Api::asset(Request& r) { return web_file(r.params.at("file")); }

Response Api::healthz(Request&) {
  json body{{"status", "ok"}};
  if (node_status_) body["node"] = node_status_();
  return ok(body);
}

}  // namespace sb::http
