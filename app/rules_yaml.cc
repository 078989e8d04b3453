#include "app/rules_yaml.h"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

namespace sb::triage {
namespace {

struct LoadError {
  std::string text;
};

class Loader {
 public:
  Loader(std::string file, const RuleVocabulary& vocabulary)
      : file_(std::move(file)), words_(vocabulary), tiers_(vocabulary.tiers) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& field, const std::string& message) const {
    const auto mark = at.Mark();
    throw LoadError{file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": " +
                    field + ": " + message};
  }
  void only(const YAML::Node& map, const std::string& field, const std::set<std::string>& keys) const {
    if (!map.IsMap()) fail(map, field, "must be a mapping");
    for (const auto& kv : map) {
      if (!keys.count(kv.first.as<std::string>())) fail(kv.first, field + "." + kv.first.as<std::string>(), "unknown key");
    }
  }
  std::string text(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) fail(n, field, "must be text");
    return n.as<std::string>();
  }
  std::vector<std::string> texts(const YAML::Node& n, const std::string& field) const {
    if (!n.IsSequence()) fail(n, field, "must be a list");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n.size(); ++i) out.push_back(text(n[i], field + "[" + std::to_string(i) + "]"));
    return out;
  }
  double number(const YAML::Node& n, const std::string& field) const {
    double d = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, d)) fail(n, field, "must be a number");
    return d;
  }
  bool flag(const YAML::Node& n, const std::string& field) const {
    bool b = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, b)) fail(n, field, "must be true or false");
    return b;
  }
  template <class E>
  E enumeration(const YAML::Node& n, const std::string& field) const {
    auto e = parse_enum<E>(text(n, field), field);
    if (!e) fail(n, field, e.error().message);
    return *e;
  }

  Condition condition(const YAML::Node& n, const std::string& field) const {
    if (!n.IsMap()) fail(n, field, "must be a mapping (all, any, not, field, weekday or hours)");
    Condition c;
    if (n["all"] || n["any"]) {
      only(n, field, {"all", "any"});
      if (n["all"] && n["any"]) fail(n, field, "give all or any, not both");
      const char* key = n["all"] ? "all" : "any";
      c.kind = n["all"] ? Condition::Kind::kAll : Condition::Kind::kAny;
      const YAML::Node list = n[key];
      if (!list.IsSequence() || list.size() == 0) fail(list, field + "." + key, "must be a non-empty list");
      for (std::size_t i = 0; i < list.size(); ++i) {
        c.children.push_back(condition(list[i], field + "." + key + "[" + std::to_string(i) + "]"));
      }
      return c;
    }
    if (n["not"]) {
      only(n, field, {"not"});
      c.kind = Condition::Kind::kNot;
      c.children.push_back(condition(n["not"], field + ".not"));
      return c;
    }
    if (n["weekday"]) {
      only(n, field, {"weekday"});
      c.kind = Condition::Kind::kWeekday;
      static const std::vector<std::string> days{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
      for (const std::string& d : texts(n["weekday"], field + ".weekday")) {
        auto it = std::find(days.begin(), days.end(), d);
        if (it == days.end()) fail(n["weekday"], field + ".weekday", "unknown day '" + d + "' (mon..sun)");
        c.weekdays.push_back(static_cast<int>(it - days.begin()));
      }
      return c;
    }
    if (n["hours"]) {
      only(n, field, {"hours"});
      c.kind = Condition::Kind::kHours;
      const std::string h = text(n["hours"], field + ".hours");
      int h1, m1, h2, m2;
      if (std::sscanf(h.c_str(), "%d:%d-%d:%d", &h1, &m1, &h2, &m2) != 4 || h1 < 0 || h1 > 24 || h2 < 0 || h2 > 24 ||
          m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59) {
        fail(n["hours"], field + ".hours", "must be HH:MM-HH:MM");
      }
      c.from_minute = h1 * 60 + m1;
      c.to_minute = h2 * 60 + m2;
      return c;
    }
    if (!n["field"]) fail(n, field, "must have one of all, any, not, field, weekday, hours");
    c.kind = Condition::Kind::kField;
    c.field = text(n["field"], field + ".field");
    if (!known_field(c.field)) {
      std::string known;
      for (const auto& f : field_names()) known += (known.empty() ? "" : ", ") + f;
      fail(n["field"], field + ".field",
           "unknown field '" + c.field + "' (" + known +
               ", customer.*, organization.* and fields.* of the declared attributes and fields)");
    }
    only(n, field, {"field", "equals", "in", "contains", "regex", "gt", "gte", "lt", "lte"});
    int ops = 0;
    for (const char* op : {"equals", "in", "contains", "regex", "gt", "gte", "lt", "lte"}) ops += n[op] ? 1 : 0;
    if (ops != 1) fail(n, field, "needs exactly one test: equals, in, contains, regex, gt, gte, lt or lte");
    if (n["equals"]) {
      c.op = Condition::Op::kEquals;
      c.values = {text(n["equals"], field + ".equals")};
    } else if (n["in"]) {
      c.op = Condition::Op::kIn;
      c.values = texts(n["in"], field + ".in");
    } else if (n["contains"]) {
      c.op = Condition::Op::kContains;
      c.values = {text(n["contains"], field + ".contains")};
    } else if (n["regex"]) {
      c.op = Condition::Op::kRegex;
      const std::string pattern = text(n["regex"], field + ".regex");
      RE2::Options o;
      o.set_log_errors(false);
      auto re = std::make_shared<RE2>(pattern, o);
      if (!re->ok()) fail(n["regex"], field + ".regex", re->error());
      c.regex = std::move(re);
    } else {
      for (auto [key, op] : {std::pair{"gt", Condition::Op::kGt}, std::pair{"gte", Condition::Op::kGte},
                             std::pair{"lt", Condition::Op::kLt}, std::pair{"lte", Condition::Op::kLte}}) {
        if (n[key]) {
          c.op = op;
          c.number = number(n[key], field + "." + key);
        }
      }
    }
    return c;
  }

  static bool declared(const std::vector<AttributeSpec>& specs, const std::string& name) {
    return std::any_of(specs.begin(), specs.end(), [&](const AttributeSpec& s) { return s.name == name; });
  }

  bool known_field(const std::string& f) const {
    const auto& names = field_names();
    const auto& records = record_field_names();
    if (std::find(names.begin(), names.end(), f) != names.end()) return true;
    if (std::find(records.begin(), records.end(), f) != records.end()) return true;
    if (f.rfind("customer.", 0) == 0) return declared(words_.customer_attributes, f.substr(9));
    if (f.rfind("organization.", 0) == 0) return declared(words_.organization_attributes, f.substr(13));
    if (f.rfind("fields.", 0) == 0) return declared(words_.ticket_fields, f.substr(7));
    return false;
  }

  // `fields: {name: value}`: each a declared custom field, of its type.
  Attributes fields(const YAML::Node& n, const std::string& field) const {
    if (!n.IsMap()) fail(n, field, "must be a mapping of field: value");
    Attributes out;
    for (const auto& kv : n) {
      const std::string name = kv.first.as<std::string>();
      const std::string at = field + "." + name;
      auto spec = std::find_if(words_.ticket_fields.begin(), words_.ticket_fields.end(),
                               [&](const AttributeSpec& s) { return s.name == name; });
      if (spec == words_.ticket_fields.end()) fail(kv.first, at, "'" + name + "' is not a declared field");
      const std::string value = text(kv.second, at);
      Attributes one;
      if (spec->type == AttributeType::kNumber) one[name] = number(kv.second, at);
      else if (spec->type == AttributeType::kBoolean) one[name] = flag(kv.second, at);
      else one[name] = value;
      if (auto s = check_attributes(one, words_.ticket_fields, field); !s) fail(kv.second, at, s.error().message);
      out.insert(one.begin(), one.end());
    }
    return out;
  }

  Action action(const YAML::Node& n, const std::string& field) const {
    only(n, field,
         {"priority", "category", "team", "tier", "required_skills", "tags", "fields", "assign_to", "spam",
          "auto_reply", "stop"});
    Action a;
    if (n["priority"]) a.priority = enumeration<Priority>(n["priority"], field + ".priority");
    if (n["category"]) a.category = text(n["category"], field + ".category");
    if (n["team"]) a.team = text(n["team"], field + ".team");
    if (n["tier"]) {
      a.tier = text(n["tier"], field + ".tier");
      if (std::find(tiers_.begin(), tiers_.end(), *a.tier) == tiers_.end()) {
        fail(n["tier"], field + ".tier", "'" + *a.tier + "' is not one of the tiers (" + tier_list(tiers_) + ")");
      }
    }
    if (n["required_skills"]) {
      const YAML::Node s = n["required_skills"];
      if (!s.IsMap()) fail(s, field + ".required_skills", "must be a mapping of skill: level");
      SkillLevels levels;
      for (const auto& kv : s) {
        const std::string name = kv.first.as<std::string>();
        const double level = number(kv.second, field + ".required_skills." + name);
        if (level < 1 || level > 5) fail(kv.second, field + ".required_skills." + name, "must be between 1 and 5");
        levels[name] = static_cast<int>(level);
      }
      a.required_skills = std::move(levels);
    }
    if (n["tags"]) a.tags = texts(n["tags"], field + ".tags");
    if (n["fields"]) a.fields = fields(n["fields"], field + ".fields");
    if (n["assign_to"]) {
      const double id = number(n["assign_to"], field + ".assign_to");
      if (id < 1) fail(n["assign_to"], field + ".assign_to", "must be an agent id");
      a.assign_to = AgentId{static_cast<std::int64_t>(id)};
    }
    if (n["spam"]) a.spam = flag(n["spam"], field + ".spam");
    if (n["auto_reply"]) a.auto_reply = text(n["auto_reply"], field + ".auto_reply");
    if (n["stop"]) a.stop = flag(n["stop"], field + ".stop");
    return a;
  }

  RuleBook book(const YAML::Node& root) const {
    RuleBook b;
    b.source = file_;
    if (root.IsNull()) return b;
    only(root, "", {"rule_sets"});
    const YAML::Node sets = root["rule_sets"];
    if (!sets || !sets.IsSequence()) fail(root, "rule_sets", "must be a list");
    for (std::size_t i = 0; i < sets.size(); ++i) {
      const std::string field = "rule_sets[" + std::to_string(i) + "]";
      const YAML::Node s = sets[i];
      only(s, field, {"name", "match", "rules"});
      RuleSet set;
      set.name = s["name"] ? text(s["name"], field + ".name") : "set " + std::to_string(i + 1);
      if (s["match"]) {
        const std::string m = text(s["match"], field + ".match");
        if (m != "first" && m != "all") fail(s["match"], field + ".match", "must be first or all");
        set.first_match = m == "first";
      }
      const YAML::Node rules = s["rules"];
      if (!rules || !rules.IsSequence()) fail(s, field + ".rules", "must be a list");
      for (std::size_t k = 0; k < rules.size(); ++k) {
        const std::string rf = field + ".rules[" + std::to_string(k) + "]";
        const YAML::Node r = rules[k];
        only(r, rf, {"name", "when", "then"});
        Rule rule;
        if (!r["name"]) fail(r, rf + ".name", "is required");
        rule.name = text(r["name"], rf + ".name");
        if (!r["when"]) fail(r, rf + ".when", "is required");
        if (!r["then"]) fail(r, rf + ".then", "is required");
        rule.when = condition(r["when"], rf + ".when");
        rule.then = action(r["then"], rf + ".then");
        set.rules.push_back(std::move(rule));
      }
      b.sets.push_back(std::move(set));
    }
    return b;
  }

 private:
  std::string file_;
  const RuleVocabulary& words_;
  const std::vector<std::string>& tiers_;
};

}  // namespace

Result<RuleBook> load_rules(const std::string& path, const RuleVocabulary& vocabulary) {
  try {
    const YAML::Node root = YAML::LoadFile(path);
    return Loader(path, vocabulary).book(root);
  } catch (const YAML::BadFile&) {
    return Error::Invalid("rules", path + ": cannot read the file");
  } catch (const LoadError& e) {
    return Error::Invalid("rules", e.text);
  } catch (const YAML::Exception& e) {
    return Error::Invalid("rules", path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                                       ": " + e.msg);
  }
}

}  // namespace sb::triage
