#include "intake/idempotency.h"

#include <algorithm>
#include <chrono>

namespace sb::intake {
namespace {
constexpr auto kKeepFor = std::chrono::hours(24);
}  // namespace

IdempotencyKeys::Claim::~Claim() { keys_.release(pending_); }

void IdempotencyKeys::release(const IdempotencyRecord& pending) {
  std::lock_guard lock(mu_);
  running_.erase({pending.scope, pending.key});
}

Result<IdempotencyKeys::Begun> IdempotencyKeys::begin(const std::string& scope, const std::string& key,
                                                      const std::string& request) {
  if (key.empty() || key.size() > 255 ||
      std::any_of(key.begin(), key.end(), [](unsigned char c) { return c < 0x21 || c > 0x7e; })) {
    return Error::Invalid("Idempotency-Key", "an Idempotency-Key is 1 to 255 printable characters");
  }
  {
    std::lock_guard lock(mu_);
    if (!running_.insert({scope, key}).second) {
      return Error::Conflict("idempotency_key_in_use", "a request with this Idempotency-Key is still running",
                             "Idempotency-Key");
    }
  }
  const Time now = service_.clock()();
  Begun out;
  out.claim.reset(new Claim(*this, IdempotencyRecord{scope, key, request, 0, "", now}));
  auto seen = service_.find_idempotency(scope, key, now - kKeepFor);
  if (!seen) return seen.error();  // the claim's destructor frees the key
  if (*seen) {
    if ((*seen)->request != request) {
      return Error::Invalid("Idempotency-Key", "this Idempotency-Key was used for a different request");
    }
    out.replay = std::move(**seen);
    out.claim.reset();
  }
  return out;
}

void IdempotencyKeys::keep(const Claim& claim, int status, std::string response) {
  IdempotencyRecord record = claim.pending();
  record.status = status;
  record.response = std::move(response);
  const Time now = record.created_at;
  // (Also after a create that committed its record already: the final answer
  // may differ, when rules acted on the new ticket.)
  (void)service_.keep_idempotency(std::move(record));
  if (++writes_ % 256 == 0) (void)service_.purge_idempotency(now - kKeepFor);
}

}  // namespace sb::intake
