// The audit log: administrative changes that succeeded, with the request
// (secrets redacted), written right after the change they record.
#include "http/api.h"

#include "http/api_helpers.h"

namespace sb::http {

using namespace detail;

Response Api::audit_log(Request& r) {
  const auto before = int_query(r, "before", 1, INT64_MAX).value_or(0);
  const int limit = static_cast<int>(int_query(r, "limit", 1, 500).value_or(100));
  json entries = json::array();
  for (const AuditEntry& a : ok_or_throw(service_.list_audit(before, limit))) entries.push_back(to_json(a));
  return ok({{"entries", std::move(entries)}});
}

namespace {
// The request as the audit log keeps it: secrets replaced, at most 4 KiB.
json redacted(json v) {
  if (v.is_object()) {
    for (auto& [key, value] : v.items()) {
      const bool secret = key.find("secret") != std::string::npos || key.find("token") != std::string::npos ||
                          key.find("password") != std::string::npos;
      value = secret ? json("***") : redacted(value);
    }
  } else if (v.is_array()) {
    for (auto& e : v) e = redacted(e);
  }
  return v;
}
}  // namespace

void Api::audit(const Request& r, const Response& res) {
  AuditEntry a;
  a.at = service_.clock()();
  a.actor = r.principal.is_admin() ? "admin" : "tok_" + r.principal.token_hash.substr(0, 16);
  a.action = r.method + " " + r.path;
  a.target = r.path;
  if (r.method == "POST" && res.body.is_object() && res.body.contains("id")) {
    a.target += "/" + (res.body["id"].is_string() ? res.body["id"].get<std::string>() : res.body["id"].dump());
  }
  const json body = json::parse(r.body, nullptr, false);
  a.detail = body.is_discarded() ? std::string() : redacted(body).dump(-1, ' ', false, json::error_handler_t::replace);
  if (a.detail.size() > 4096) a.detail = json{{"truncated", a.detail.substr(0, 4000)}}.dump(-1, ' ', false, json::error_handler_t::replace);
  a.status = res.status;
  // Right after the change it records (its own transaction); a failure is logged.
  (void)service_.append_audit(std::move(a));
}

}  // namespace sb::http
