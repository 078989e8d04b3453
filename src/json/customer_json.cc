#include "json/customer_json.h"

#include "json/json_codec.h"
#include "json/json_fields.h"

namespace sb::http {
namespace {

using detail::Fields;
using nlohmann::json;

json time_json(Time t) { return format_time(t); }

void merge_attributes(Fields& f, Attributes& into) {
  std::vector<std::string> removed;
  if (auto a = f.attributes("attributes", &removed)) {
    for (auto& [name, value] : *a) into[name] = std::move(value);
  }
  for (const std::string& name : removed) into.erase(name);
}

// A tier, or null / "" for none of its own.
void read_tier(Fields& f, std::string& tier) {
  if (f.is_null("tier")) {
    tier.clear();
  } else if (auto t = f.string("tier", 32)) {
    tier = *t;
  }
}

}  // namespace

Result<Customer> parse_customer(const json& body, Customer c) {
  Fields f(body);
  if (auto s = f.string("name", 200)) c.name = *s;
  if (auto e = f.strings("emails")) c.emails = std::move(*e);
  if (f.is_null("organization_id")) {
    c.organization.reset();
  } else if (auto o = f.integer("organization_id", 1, INT64_MAX)) {
    c.organization = OrganizationId{*o};
  }
  read_tier(f, c.tier);
  if (auto s = f.string("language", 35)) c.language = *s;
  if (auto s = f.string("time_zone", 64)) c.time_zone = *s;
  if (auto s = f.string("external_id", 200)) c.external_id = *s;
  merge_attributes(f, c.attributes);
  if (auto s = f.finish(); !s) return s.error();
  return c;
}

Result<Organization> parse_organization(const json& body, Organization o) {
  Fields f(body);
  if (auto s = f.string("name", 200)) o.name = *s;
  if (auto d = f.strings("domains")) o.domains = std::move(*d);
  read_tier(f, o.tier);
  if (f.is_null("account_owner_id")) {
    o.account_owner.reset();
  } else if (auto a = f.integer("account_owner_id", 1, INT64_MAX)) {
    o.account_owner = AgentId{*a};
  }
  if (auto s = f.string("external_id", 200)) o.external_id = *s;
  merge_attributes(f, o.attributes);
  if (auto s = f.finish(); !s) return s.error();
  return o;
}

json to_json(const Customer& c) {
  return json{{"id", c.id.value},
              {"name", c.name},
              {"emails", c.emails},
              {"organization_id", c.organization ? json(c.organization->value) : json(nullptr)},
              {"tier", c.tier.empty() ? json(nullptr) : json(c.tier)},
              {"language", c.language},
              {"time_zone", c.time_zone},
              {"external_id", c.external_id.empty() ? json(nullptr) : json(c.external_id)},
              {"attributes", attributes_to_json(c.attributes)},
              {"created_at", time_json(c.created_at)},
              {"updated_at", time_json(c.updated_at)}};
}

json to_json(const Organization& o) {
  return json{{"id", o.id.value},
              {"name", o.name},
              {"domains", o.domains},
              {"tier", o.tier.empty() ? json(nullptr) : json(o.tier)},
              {"account_owner_id", o.account_owner ? json(o.account_owner->value) : json(nullptr)},
              {"external_id", o.external_id.empty() ? json(nullptr) : json(o.external_id)},
              {"attributes", attributes_to_json(o.attributes)},
              {"created_at", time_json(o.created_at)},
              {"updated_at", time_json(o.updated_at)}};
}

}  // namespace sb::http
