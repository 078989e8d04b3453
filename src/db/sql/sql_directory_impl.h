#pragma once
// SqlStore<Db>'s reads of customers and organisations (docs/customers.md).
// Included only by sql_store_impl.h.
#include "db/sql/sql_store_impl.h"

namespace sb {

namespace {

// " AND search LIKE '% word%'" for each word: every word starts a word of the
// record's search text. Words are letters and digits (search_words), so they
// need no escaping for LIKE; they are bound, not written into the SQL.
std::string search_clause(const std::vector<std::string>& words, int first_parameter) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    out += " AND search LIKE ?" + std::to_string(first_parameter + static_cast<int>(i));
  }
  return out;
}

}  // namespace

template <class Db>
template <class T, class Key, class Read>
Result<std::optional<T>> SqlStore<Db>::find_one(const std::string& sql, const Key& key, Read read) {
  auto c = reader();
  if (!c) return c.error();
  auto st = (*c)->prepare(sql);
  if (!st) return st.error();
  st->bind(1, key);
  return first_row<T>(*st, read);
}

template <class Db>
Result<std::optional<Customer>> SqlStore<Db>::find_customer(CustomerId id) {
  return find_one<Customer>(std::string("SELECT ") + kCustomerColumns +
                                " FROM customers WHERE id = ?1 AND removed = 0",
                            id.value, read_customer);
}

template <class Db>
Result<std::optional<Customer>> SqlStore<Db>::find_customer_by_email(const std::string& email) {
  return find_one<Customer>(std::string("SELECT ") + kCustomerColumns +
                                " FROM customers WHERE id = (SELECT customer_id FROM customer_emails WHERE email = ?1)",
                            email, read_customer);
}

template <class Db>
Result<std::optional<Customer>> SqlStore<Db>::find_customer_by_external_id(const std::string& external_id) {
  return find_one<Customer>(std::string("SELECT ") + kCustomerColumns + " FROM customers WHERE external_id = ?1",
                            external_id, read_customer);
}

template <class Db>
Result<std::vector<Customer>> SqlStore<Db>::list_customers(const DirectoryQuery& q) {
  auto c = reader();
  if (!c) return c.error();
  const auto words = search_words(q.text);
  std::string sql = std::string("SELECT ") + kCustomerColumns +
                    " FROM customers WHERE id > ?1 AND removed = 0 AND (?2 = 0 OR organization_id = ?2)" +
                    search_clause(words, 4) + " ORDER BY id LIMIT ?3";
  auto st = (*c)->prepare(sql);
  if (!st) return st.error();
  st->bind(1, q.after).bind(2, q.organization ? q.organization->value : 0).bind(3, std::int64_t{q.limit});
  for (std::size_t i = 0; i < words.size(); ++i) st->bind(4 + static_cast<int>(i), "% " + words[i] + "%");
  return read_all<Customer>(*st, read_customer);
}

template <class Db>
Result<std::optional<Organization>> SqlStore<Db>::find_organization(OrganizationId id) {
  return find_one<Organization>(std::string("SELECT ") + kOrganizationColumns +
                                    " FROM organizations WHERE id = ?1 AND removed = 0",
                                id.value, read_organization);
}

template <class Db>
Result<std::optional<Organization>> SqlStore<Db>::find_organization_by_domain(const std::string& domain) {
  return find_one<Organization>(
      std::string("SELECT ") + kOrganizationColumns +
          " FROM organizations WHERE id = (SELECT organization_id FROM organization_domains WHERE domain = ?1)",
      domain, read_organization);
}

template <class Db>
Result<std::optional<Organization>> SqlStore<Db>::find_organization_by_external_id(const std::string& external_id) {
  return find_one<Organization>(std::string("SELECT ") + kOrganizationColumns +
                                    " FROM organizations WHERE external_id = ?1",
                                external_id, read_organization);
}

template <class Db>
Result<std::optional<Organization>> SqlStore<Db>::find_organization_by_name(const std::string& name) {
  return find_one<Organization>(std::string("SELECT ") + kOrganizationColumns +
                                    " FROM organizations WHERE name = ?1 AND removed = 0 ORDER BY id LIMIT 1",
                                name, read_organization);
}

template <class Db>
Result<std::vector<Organization>> SqlStore<Db>::list_organizations(const DirectoryQuery& q) {
  auto c = reader();
  if (!c) return c.error();
  const auto words = search_words(q.text);
  std::string sql = std::string("SELECT ") + kOrganizationColumns + " FROM organizations WHERE id > ?1 AND removed = 0" +
                    search_clause(words, 3) + " ORDER BY id LIMIT ?2";
  auto st = (*c)->prepare(sql);
  if (!st) return st.error();
  st->bind(1, q.after).bind(2, std::int64_t{q.limit});
  for (std::size_t i = 0; i < words.size(); ++i) st->bind(3 + static_cast<int>(i), "% " + words[i] + "%");
  return read_all<Organization>(*st, read_organization);
}

template <class Db>
Result<std::int64_t> SqlStore<Db>::last_customer_id() { return max_of("id", "customers"); }

template <class Db>
Result<std::int64_t> SqlStore<Db>::last_organization_id() { return max_of("id", "organizations"); }

}  // namespace sb
