// Idempotency-Key on a POST (intake/idempotency.h keeps the records): the
// first answer to a key is replayed for the same request, with
// Idempotent-Replayed: true.
#include "http/api.h"
#include "http/api_helpers.h"
#include "http/auth.h"

namespace sb::http {

using namespace detail;

Response Api::idempotent(Request& r, const Handler& handler) {
  std::string query;
  for (const auto& [k, v] : r.query) query += k + "=" + v + "&";
  const std::string request = r.method + " " + r.path + "?" + query + " " + hash_token(r.body);
  auto begun = ok_or_throw(idempotency_.begin(r.principal.token_hash, r.idempotency_key, request));
  if (begun.replay) {
    Response replay{begun.replay->status, json::parse(begun.replay->response, nullptr, false),
                    {{"Idempotent-Replayed", "true"}}};
    if (replay.body.is_discarded()) replay.body = nullptr;
    return replay;
  }
  r.idempotency = &begun.claim->pending();
  Response res = handler(r);
  r.idempotency = nullptr;
  if (res.status < 500 && !res.stream) {
    idempotency_.keep(*begun.claim, res.status, res.body.is_null() ? "" : res.body.dump());
  }
  return res;
}

}  // namespace sb::http
