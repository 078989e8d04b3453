#pragma once
// Strict reading of one JSON object's fields, shared by the API's parsers
// (json_mapping.cc, sla_json.cc). Not a public interface.
#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/agent.h"
#include "core/status.h"
#include "core/ticket.h"

namespace sb::http {
using TeamResolver = std::function<std::optional<TeamId>(const std::string&)>;
}

namespace sb::http::detail {

using nlohmann::json;

inline constexpr std::size_t kMaxText = 64 * 1024;    // subject, names, e-mail
inline constexpr std::size_t kMaxBody = 1024 * 1024;  // a ticket body (the request limit bounds it too)

// Reads fields from one JSON object, remembering the first error and which
// keys were read, so that finish() can reject unknown fields.
class Fields {
 public:
  Fields(const json& obj, std::string prefix = {}) : obj_(obj), prefix_(std::move(prefix)) {
    if (!obj_.is_object()) fail(Error::Invalid(prefix_.empty() ? "body" : prefix_, "must be a JSON object"));
  }

  bool has(const std::string& key) {
    seen_.insert(key);
    return obj_.is_object() && obj_.contains(key);
  }
  bool is_null(const std::string& key) { return has(key) && obj_.at(key).is_null(); }

  std::optional<std::string> string(const std::string& key, std::size_t max = kMaxText) {
    if (!has(key) || error_) return std::nullopt;
    const json& v = obj_.at(key);
    if (!v.is_string()) return fail(Error::Invalid(name(key), "'" + name(key) + "' must be a string"));
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() > max) {
      return fail(Error::Invalid(name(key), "'" + name(key) + "' is longer than " + std::to_string(max) + " bytes"));
    }
    // Text never holds NUL (PostgreSQL's text cannot, and no ticket needs one).
    if (s.find('\0') != std::string::npos) {
      return fail(Error::Invalid(name(key), "'" + name(key) + "' contains a NUL character"));
    }
    return s;
  }

  std::optional<std::int64_t> integer(const std::string& key, std::int64_t lo, std::int64_t hi) {
    if (!has(key) || error_) return std::nullopt;
    const json& v = obj_.at(key);
    if (!v.is_number_integer()) return fail(Error::Invalid(name(key), "'" + name(key) + "' must be an integer"));
    const auto i = v.get<std::int64_t>();
    if (i < lo || i > hi) {
      return fail(Error::Invalid(name(key), "'" + name(key) + "' must be between " + std::to_string(lo) +
                                                " and " + std::to_string(hi)));
    }
    return i;
  }

  std::optional<bool> boolean(const std::string& key) {
    if (!has(key) || error_) return std::nullopt;
    const json& v = obj_.at(key);
    if (!v.is_boolean()) return fail(Error::Invalid(name(key), "'" + name(key) + "' must be true or false"));
    return v.get<bool>();
  }

  std::optional<double> number(const std::string& key, double lo, double hi) {
    if (!has(key) || error_) return std::nullopt;
    const json& v = obj_.at(key);
    if (!v.is_number()) return fail(Error::Invalid(name(key), "'" + name(key) + "' must be a number"));
    const double d = v.get<double>();
    if (!(d >= lo && d <= hi)) {
      return fail(Error::Invalid(name(key), "'" + name(key) + "' must be between " + std::to_string(static_cast<long long>(lo)) +
                                                " and " + std::to_string(static_cast<long long>(hi))));
    }
    return d;
  }

  std::optional<Duration> seconds(const std::string& key, double lo, double hi) {
    auto d = number(key, lo, hi);
    if (!d) return std::nullopt;
    return Duration(static_cast<std::int64_t>(*d * 1000.0));
  }

  const json& at(const std::string& key) const { return obj_.at(key); }
  std::string field(const std::string& key) const { return name(key); }

  template <class E>
  std::optional<E> enumeration(const std::string& key) {
    auto s = string(key, 64);
    if (!s) return std::nullopt;
    auto e = parse_enum<E>(*s, name(key));
    if (!e) return fail(e.error());
    return *e;
  }

  std::optional<SkillLevels> skills(const std::string& key) {
    if (!has(key) || error_) return std::nullopt;
    Fields inner(obj_.at(key), name(key));
    SkillLevels out;
    if (obj_.at(key).is_object()) {
      for (const auto& [skill, level] : obj_.at(key).items()) {
        auto l = inner.integer(skill, kMinProficiency, kMaxProficiency);
        if (l) out[skill] = static_cast<int>(*l);
      }
    }
    if (auto e = inner.error()) return fail(*e);
    return out;
  }

  std::optional<std::vector<std::string>> strings(const std::string& key) {
    if (!has(key) || error_) return std::nullopt;
    const json& v = obj_.at(key);
    if (!v.is_array()) return fail(Error::Invalid(name(key), "'" + name(key) + "' must be an array of strings"));
    std::vector<std::string> out;
    for (const json& item : v) {
      if (!item.is_string()) return fail(Error::Invalid(name(key), "'" + name(key) + "' must be an array of strings"));
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  // Attributes or custom fields: an object of text, numbers and booleans
  // (their declared types are checked later, against the declarations). A
  // null value names one to remove (`removed`, when the caller takes them;
  // otherwise null is refused).
  std::optional<Attributes> attributes(const std::string& key, std::vector<std::string>* removed = nullptr) {
    if (!has(key) || error_) return std::nullopt;
    const json& v = obj_.at(key);
    if (!v.is_object()) return fail(Error::Invalid(name(key), "'" + name(key) + "' must be an object"));
    Attributes out;
    for (const auto& [attribute, value] : v.items()) {
      const std::string field = name(key) + "." + attribute;
      if (value.is_string()) {
        Fields inner(v, name(key));
        auto text = inner.string(attribute, 1000);
        if (!text) return fail(*inner.error());
        out[attribute] = *text;
      } else if (value.is_boolean()) {
        out[attribute] = value.get<bool>();
      } else if (value.is_number()) {
        out[attribute] = value.get<double>();
      } else if (value.is_null() && removed) {
        removed->push_back(attribute);
      } else {
        return fail(Error::Invalid(field, "'" + field + "' must be text, a number or true/false"));
      }
    }
    return out;
  }

  // A team given by id (integer) or by name (string).
  std::optional<TeamId> team(const json& v, const std::string& field, const TeamResolver& teams) {
    if (v.is_number_integer() && v.get<std::int64_t>() > 0) return TeamId{v.get<std::int64_t>()};
    if (v.is_string()) {
      if (auto id = teams(v.get<std::string>())) return id;
      return fail(Error::Invalid(field, "no team named '" + v.get<std::string>() + "'"));
    }
    return fail(Error::Invalid(field, "'" + field + "' must be a team id or name"));
  }

  std::optional<std::vector<TeamId>> teams(const std::string& key, const TeamResolver& resolve) {
    if (!has(key) || error_) return std::nullopt;
    const json& v = obj_.at(key);
    if (!v.is_array()) return fail(Error::Invalid(name(key), "'" + name(key) + "' must be an array of team ids or names"));
    std::vector<TeamId> out;
    for (const json& item : v) {
      auto t = team(item, name(key), resolve);
      if (!t) return std::nullopt;
      if (std::find(out.begin(), out.end(), *t) == out.end()) out.push_back(*t);
    }
    return out;
  }

  // {"email": 8, "chat": 3}: channels not named are left as they are.
  void capacity(const std::string& key, std::array<std::optional<int>, enum_count<Channel>()>& out) {
    if (!has(key) || error_) return;
    const json& v = obj_.at(key);
    Fields inner(v, name(key));
    if (v.is_object()) {
      for (const auto& [channel, count] : v.items()) {
        auto c = parse_enum<Channel>(channel, name(key) + "." + channel);
        if (!c) {
          fail(c.error());
          return;
        }
        if (auto n = inner.integer(channel, 0, kMaxCapacity)) out[static_cast<std::size_t>(*c)] = static_cast<int>(*n);
      }
    }
    if (auto e = inner.error()) fail(*e);
  }

  std::optional<Error> error() const { return error_; }

  // The first error met, else an unknown_field error for a key no reader asked for.
  Status finish() const {
    if (error_) return *error_;
    if (obj_.is_object()) {
      for (const auto& [key, value] : obj_.items()) {
        if (!seen_.count(key)) {
          return Error{ErrorKind::kInvalidArgument, "unknown_field", "unknown field '" + name(key) + "'", name(key)};
        }
      }
    }
    return Status::Ok();
  }

  std::nullopt_t fail(Error e) {
    if (!error_) error_ = std::move(e);
    return std::nullopt;
  }

 private:
  std::string name(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

  const json& obj_;
  std::string prefix_;
  std::set<std::string> seen_;
  std::optional<Error> error_;
};


}  // namespace sb::http::detail
