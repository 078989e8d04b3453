#pragma once
// Helpers shared by the API's handler files (api_*.cc, access.cc,
// dispatch.cc, ...). Not a public interface.
#include <charconv>
#include <optional>
#include <string>

#include "http/message.h"

namespace sb::http::detail {

using nlohmann::json;

// Thrown inside handlers to leave early with an Error; caught in handle().
struct Fail {
  Error error;
};

template <class T>
T ok_or_throw(Result<T> r) {
  if (!r) throw Fail{r.error()};
  return std::move(*r);
}
inline void ok_or_throw(Status s) {
  if (!s) throw Fail{s.error()};
}

inline constexpr int kMaxJsonDepth = 32;

inline json parse_body(const Request& r) {
  bool too_deep = false;
  json body = json::parse(
      r.body,
      [&too_deep](int depth, json::parse_event_t, json&) {
        if (depth > kMaxJsonDepth) too_deep = true;
        return !too_deep;  // past the limit, keep nothing
      },
      false);
  if (too_deep) {
    throw Fail{Error::Invalid("body", "the request body is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels")};
  }
  if (body.is_discarded()) throw Fail{Error::Malformed("the request body is not valid JSON")};
  if (!body.is_object()) throw Fail{Error::Malformed("the request body must be a JSON object")};
  return body;
}

inline std::int64_t id_param(const Request& r, const std::string& what) {
  const std::string& s = r.params.at("id");
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || p != s.data() + s.size() || id <= 0) throw Fail{Error::NotFound(what + " " + s)};
  return id;
}

inline std::optional<std::int64_t> int_query(const Request& r, const std::string& key, std::int64_t lo, std::int64_t hi) {
  auto it = r.query.find(key);
  if (it == r.query.end() || it->second.empty()) return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || p != it->second.data() + it->second.size() || v < lo || v > hi) {
    throw Fail{Error::Invalid(key, "'" + key + "' must be an integer between " + std::to_string(lo) + " and " +
                                       std::to_string(hi))};
  }
  return v;
}

// A time in the query (ISO 8601, UTC), within the years tickets can have.
inline std::optional<Time> time_query(const Request& r, const std::string& key) {
  auto it = r.query.find(key);
  if (it == r.query.end() || it->second.empty()) return std::nullopt;
  auto t = parse_time(it->second);
  if (!t) throw Fail{Error::Invalid(key, "'" + key + "' must be a time like 2026-11-25T00:00:00Z")};
  // Reports cover the years tickets can have; a range reaching outside them
  // would only print impossible dates.
  using namespace std::chrono;
  static const Time kEarliest = Time(sys_days(year{1970} / 1 / 1));
  static const Time kLatest = Time(sys_days(year{9999} / 1 / 1));
  if (*t < kEarliest || *t > kLatest) {
    throw Fail{Error::Invalid(key, "'" + key + "' must be between 1970-01-01 and 9999-01-01")};
  }
  return t;
}

// A text query parameter, at most `max` bytes (422 naming it beyond).
inline std::optional<std::string> text_query(const Request& r, const std::string& key, std::size_t max = 200) {
  auto it = r.query.find(key);
  if (it == r.query.end() || it->second.empty()) return std::nullopt;
  if (it->second.size() > max || it->second.find('\0') != std::string::npos) {
    throw Fail{Error::Invalid(key, "'" + key + "' must be at most " + std::to_string(max) + " bytes of text")};
  }
  return it->second;
}

inline void require_admin(const Request& r) {
  if (!r.principal.is_admin()) throw Fail{Error::Forbidden("this needs an admin token")};
}

inline Response created(json body) { return Response{201, std::move(body), {}}; }
inline Response ok(json body) { return Response{200, std::move(body), {}}; }

}  // namespace sb::http::detail
