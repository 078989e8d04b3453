#pragma once
// Rows of the customers and organisations tables (and the address and
// domain tables that make an address or domain belong to one record), for
// SqlStore<Db>. Header-only, included only by sql_outbox_records.h.
#include "db/sql/sql_records.h"
#include "store/directory.h"

namespace sb {
namespace {

const char* kCustomerColumns =
    "id, name, emails, organization_id, tier, language, time_zone, external_id, attributes, created_at, updated_at";
const char* kOrganizationColumns =
    "id, name, domains, tier, account_owner, external_id, attributes, created_at, updated_at";

std::vector<std::string> strings_from_json(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& v : json::parse(text, nullptr, false)) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

struct ReadCustomer {
  template <class St>
  Customer operator()(const St& s) const {
    Customer c;
    c.id = CustomerId{s.int64(0)};
    c.name = s.text(1);
    c.emails = strings_from_json(s.text(2));
    if (auto o = s.optional_int64(3)) c.organization = OrganizationId{*o};
    c.tier = s.text(4);
    c.language = s.text(5);
    c.time_zone = s.text(6);
    if (!s.is_null(7)) c.external_id = s.text(7);
    c.attributes = attributes_from_json(json::parse(s.text(8), nullptr, false));
    c.created_at = from_millis(s.int64(9));
    c.updated_at = from_millis(s.int64(10));
    return c;
  }
};
inline constexpr ReadCustomer read_customer;

struct ReadOrganization {
  template <class St>
  Organization operator()(const St& s) const {
    Organization o;
    o.id = OrganizationId{s.int64(0)};
    o.name = s.text(1);
    o.domains = strings_from_json(s.text(2));
    o.tier = s.text(3);
    if (auto a = s.optional_int64(4)) o.account_owner = AgentId{*a};
    if (!s.is_null(5)) o.external_id = s.text(5);
    o.attributes = attributes_from_json(json::parse(s.text(6), nullptr, false));
    o.created_at = from_millis(s.int64(7));
    o.updated_at = from_millis(s.int64(8));
    return o;
  }
};
inline constexpr ReadOrganization read_organization;

// Runs `sql` with one id bound.
template <class Conn>
Status run_with_id(Conn& c, const char* sql, std::int64_t id) {
  auto st = c.prepare(sql);
  if (!st) return st.error();
  st->bind(1, id);
  return st->run();
}

// The keys (addresses, domains) a record holds: the old ones dropped, the
// new ones inserted; one another record holds is a conflict on `field`.
template <class Conn>
Status write_keys(Conn& c, const char* table, const char* key, const char* owner, std::int64_t id,
                  const std::vector<std::string>& keys, const std::string& what, const std::string& field) {
  if (auto s = run_with_id(c, (std::string("DELETE FROM ") + table + " WHERE " + owner + " = ?").c_str(), id); !s) {
    return s;
  }
  auto st = c.prepare(std::string("INSERT INTO ") + table + " (" + key + ", " + owner + ") VALUES (?, ?)");
  if (!st) return st.error();
  for (const std::string& k : keys) {
    st->bind(1, k).bind(2, id);
    if (auto s = st->run(); !s) {
      if (s.error().code == "constraint") {
        return Error::Conflict("duplicate_" + what, "'" + k + "' belongs to another record", field);
      }
      return s;
    }
  }
  return Status::Ok();
}

template <class Conn>
Status write_customer(Conn& c, const Customer& k) {
  if (auto s = write_keys(c, "customer_emails", "email", "customer_id", k.id.value, k.emails, "email", "emails"); !s) {
    return s;
  }
  static const std::string sql = upsert_sql("customers", std::string(kCustomerColumns) + ", search, removed", 13);
  auto st = c.prepare(sql);
  if (!st) return st.error();
  std::optional<std::int64_t> organization;
  if (k.organization) organization = k.organization->value;
  st->bind(1, k.id.value).bind(2, k.name).bind(3, json(k.emails).dump()).bind(4, organization).bind(5, k.tier);
  st->bind(6, k.language).bind(7, k.time_zone);
  if (k.external_id.empty()) st->bind_null(8); else st->bind(8, k.external_id);
  st->bind(9, attributes_to_json(k.attributes).dump()).bind(10, to_millis(k.created_at));
  st->bind(11, to_millis(k.updated_at)).bind(12, directory_text(k)).bind(13, std::int64_t{0});
  if (auto s = st->run(); !s) {
    if (s.error().code == "constraint") {
      return Error::Conflict("duplicate_external_id", "a customer with external_id '" + k.external_id + "' exists",
                             "external_id");
    }
    return s;
  }
  return Status::Ok();
}

template <class Conn>
Status write_organization(Conn& c, const Organization& o) {
  if (auto s = write_keys(c, "organization_domains", "domain", "organization_id", o.id.value, o.domains, "domain",
                          "domains");
      !s) {
    return s;
  }
  static const std::string sql = upsert_sql("organizations", std::string(kOrganizationColumns) + ", search, removed", 11);
  auto st = c.prepare(sql);
  if (!st) return st.error();
  std::optional<std::int64_t> owner;
  if (o.account_owner) owner = o.account_owner->value;
  st->bind(1, o.id.value).bind(2, o.name).bind(3, json(o.domains).dump()).bind(4, o.tier).bind(5, owner);
  if (o.external_id.empty()) st->bind_null(6); else st->bind(6, o.external_id);
  st->bind(7, attributes_to_json(o.attributes).dump()).bind(8, to_millis(o.created_at));
  st->bind(9, to_millis(o.updated_at)).bind(10, directory_text(o)).bind(11, std::int64_t{0});
  if (auto s = st->run(); !s) {
    if (s.error().code == "constraint") {
      return Error::Conflict("duplicate_external_id",
                             "an organisation with external_id '" + o.external_id + "' exists", "external_id");
    }
    return s;
  }
  return Status::Ok();
}

// A removed record stays as a row (its id is never given again) without
// addresses, domains, external id or search words; an organisation's
// customers lose it.
template <class Conn>
Status remove_customer(Conn& c, CustomerId id) {
  if (auto s = run_with_id(c, "DELETE FROM customer_emails WHERE customer_id = ?", id.value); !s) return s;
  return run_with_id(c, "UPDATE customers SET removed = 1, external_id = NULL, search = '' WHERE id = ?", id.value);
}

template <class Conn>
Status remove_organization(Conn& c, OrganizationId id) {
  if (auto s = run_with_id(c, "DELETE FROM organization_domains WHERE organization_id = ?", id.value); !s) return s;
  if (auto s = run_with_id(c, "UPDATE customers SET organization_id = NULL WHERE organization_id = ?", id.value); !s) {
    return s;
  }
  return run_with_id(c, "UPDATE organizations SET removed = 1, external_id = NULL, search = '' WHERE id = ?", id.value);
}

template <class Conn>
Status write_directory(Conn& c, const WriteBatch& b) {
  for (const Organization& o : b.organizations) {
    if (auto s = write_organization(c, o); !s) return s;
  }
  for (const Customer& k : b.customers) {
    if (auto s = write_customer(c, k); !s) return s;
  }
  for (CustomerId id : b.removed_customers) {
    if (auto s = remove_customer(c, id); !s) return s;
  }
  for (OrganizationId id : b.removed_organizations) {
    if (auto s = remove_organization(c, id); !s) return s;
  }
  return Status::Ok();
}

}  // namespace
}  // namespace sb
