#pragma once
// Errors are values. An Error says what went wrong (a kind, which the HTTP
// edge maps to a status code), a stable machine-readable code, a sentence for
// people, and the input field at fault when there is one. Result<T> holds
// either a T or an Error; Status is Result<void>. No exception crosses a
// module API.
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sb {

enum class ErrorKind {
  kMalformed,         // input cannot be read at all (bad JSON)           -> 400
  kUnauthenticated,   // no or unknown credentials                        -> 401
  kPermissionDenied,  // known caller, not allowed                        -> 403
  kNotFound,          // unknown id or path                               -> 404
  kMethodNotAllowed,  //                                                  -> 405
  kConflict,          // valid request, wrong state (status transition)   -> 409
  kPreconditionFailed,  // If-Match named another version                 -> 412
  kTooLarge,          // request body over the limit                      -> 413
  kTooManyRequests,   // over the caller's rate limit                     -> 429
  kInvalidArgument,   // a field with a bad value                         -> 422
  kUnavailable,       // try again later (store failure, shutting down)   -> 503
  kInternal,          // a bug                                            -> 500
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;     // e.g. "invalid_value", "invalid_transition"
  std::string message;  // one sentence for people
  std::string field;    // the offending input field, or empty

  static Error Malformed(std::string message) {
    return {ErrorKind::kMalformed, "malformed_request", std::move(message), {}};
  }
  static Error Invalid(std::string field, std::string message) {
    return {ErrorKind::kInvalidArgument, "invalid_value", std::move(message), std::move(field)};
  }
  static Error Missing(std::string field) {
    std::string message = "'" + field + "' is required";
    return {ErrorKind::kInvalidArgument, "missing_field", std::move(message), std::move(field)};
  }
  static Error NotFound(std::string what) {
    return {ErrorKind::kNotFound, "not_found", std::move(what) + " not found", {}};
  }
  static Error Conflict(std::string code, std::string message, std::string field = {}) {
    return {ErrorKind::kConflict, std::move(code), std::move(message), std::move(field)};
  }
  static Error PreconditionFailed(std::string message) {
    return {ErrorKind::kPreconditionFailed, "precondition_failed", std::move(message), "If-Match"};
  }
  static Error RateLimited(std::string message) {
    return {ErrorKind::kTooManyRequests, "rate_limited", std::move(message), {}};
  }
  static Error Forbidden(std::string message) {
    return {ErrorKind::kPermissionDenied, "forbidden", std::move(message), {}};
  }
  static Error Unauthenticated(std::string message) {
    return {ErrorKind::kUnauthenticated, "unauthenticated", std::move(message), {}};
  }
  static Error Unavailable(std::string message) {
    return {ErrorKind::kUnavailable, "unavailable", std::move(message), {}};
  }
  // This node does not hold the routing lease (docs/scaling.md): try again
  // (through any node) in a moment.
  static Error NotOwner(std::string message) {
    return {ErrorKind::kUnavailable, "not_owner", std::move(message), {}};
  }
  // Too much work in hand: refused before anything changed; retry later.
  static Error Overloaded(std::string message) {
    return {ErrorKind::kUnavailable, "overloaded", std::move(message), {}};
  }
  static Error Internal(std::string message) {
    return {ErrorKind::kInternal, "internal", std::move(message), {}};
  }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }
  // The value, or `fallback` on an error.
  T value_or(T fallback) const& { return ok() ? std::get<0>(v_) : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  static Result Ok() { return {}; }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace sb
