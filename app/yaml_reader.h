#pragma once
// Reading YAML settings with errors that name the file, line and field
// ("file:line: field: message"): the config file and simulation scenarios.
#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "core/enums.h"

namespace sb {

// Errors carry "file:line: field: message".
struct ConfigError {
  std::string text;
};

inline std::string fmt_number(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& field, const std::string& message) const {
    const int line = at.Mark().line >= 0 ? at.Mark().line + 1 : 0;
    throw ConfigError{file_ + ":" + std::to_string(line) + ": " + field + ": " + message};
  }

  std::string string(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) fail(n, field, "must be a string");
    return n.as<std::string>();
  }

  int integer(const YAML::Node& n, const std::string& field, int lo, int hi) const {
    if (!n.IsScalar()) fail(n, field, "must be an integer");
    int v = 0;
    if (!YAML::convert<int>::decode(n, v)) fail(n, field, "must be an integer");
    if (v < lo || v > hi) fail(n, field, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    return v;
  }

  double number(const YAML::Node& n, const std::string& field, double lo, double hi) const {
    double v = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, v)) fail(n, field, "must be a number");
    if (v < lo || v > hi) fail(n, field, "must be between " + fmt_number(lo) + " and " + fmt_number(hi));
    return v;
  }

  bool boolean(const YAML::Node& n, const std::string& field) const {
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) fail(n, field, "must be true or false");
    return v;
  }

  void only(const YAML::Node& map, const std::string& field, std::set<std::string> keys) const {
    if (!map.IsMap()) fail(map, field, "must be a mapping");
    for (const auto& kv : map) {
      const std::string key = kv.first.as<std::string>();
      if (!keys.count(key)) fail(kv.first, field.empty() ? key : field + "." + key, "unknown setting");
    }
  }

  template <class E>
  E enumeration(const YAML::Node& n, const std::string& field) const {
    auto e = parse_enum<E>(string(n, field), field);
    if (!e) fail(n, field, e.error().message);
    return *e;
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

}  // namespace sb
