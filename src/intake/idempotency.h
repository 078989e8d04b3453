#pragma once
// Idempotency-Key (as Stripe has it): the first answer to a key is kept for
// 24 hours and given again for the same request; the same key on a
// different request is a 422; while the first is still running, a second
// gets 409. Keys are scoped to the caller (its token's hash). A create keeps
// its record in the ticket's own commit (Intake::Hooks::answer), so a crash
// before the answer reaches the client cannot let a retry make a second
// ticket. Thread-safe.
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "service/service.h"

namespace sb::intake {

class IdempotencyKeys {
 public:
  explicit IdempotencyKeys(Service& service) : service_(service) {}

  // A request being run under its key; the key is free again when the claim
  // is destroyed.
  class Claim {
   public:
    ~Claim();
    Claim(const Claim&) = delete;
    Claim& operator=(const Claim&) = delete;
    // The record as it will be kept, without the answer yet.
    const IdempotencyRecord& pending() const { return pending_; }

   private:
    friend class IdempotencyKeys;
    Claim(IdempotencyKeys& keys, IdempotencyRecord pending) : keys_(keys), pending_(std::move(pending)) {}
    IdempotencyKeys& keys_;
    IdempotencyRecord pending_;
  };

  // Either the answer kept from the key's first run (`replay`), or a claim to
  // run the request now. `request` identifies the request (method, path,
  // query and a hash of the body). Errors: 422 on "Idempotency-Key" for a key
  // that is not 1 to 255 printable characters or that was used for another
  // request; 409 idempotency_key_in_use while the first still runs; 503 when
  // the store cannot be read.
  struct Begun {
    std::optional<IdempotencyRecord> replay;
    std::unique_ptr<Claim> claim;
  };
  Result<Begun> begin(const std::string& scope, const std::string& key, const std::string& request);

  // Keeps the answer of a claimed request for 24 hours (a failure to keep it
  // is logged, not returned: the request itself succeeded). Purges expired
  // records now and then.
  void keep(const Claim& claim, int status, std::string response);

 private:
  void release(const IdempotencyRecord& pending);

  Service& service_;
  std::mutex mu_;
  std::set<std::pair<std::string, std::string>> running_;  // (scope, key)
  std::atomic<unsigned> writes_{0};
};

}  // namespace sb::intake
