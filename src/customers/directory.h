#pragma once
// The directory of customers and organisations (docs/customers.md): their
// checks, ids and writes, merging two customers, and the match every new
// ticket gets at intake (by address; a new address makes a customer; an
// organisation by the customer's record or the address's domain).
//
// No JSON, no HTTP. Thread-safe: writes are serialised here (so two tickets
// from one new address make one customer); reads go to the store.
#include <chrono>
#include <functional>
#include <map>
#include <unordered_map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace sb {

// What a team declares (config `tiers:`, `customers:`, `organizations:`).
struct DirectorySettings {
  std::vector<std::string> tiers = default_tiers();
  std::vector<AttributeSpec> customer_attributes;
  std::vector<AttributeSpec> organization_attributes;
  std::vector<AttributeSpec> ticket_fields;  // custom fields (config `fields:`)
};

// A requester matched to the records: the customer (found or made), its
// organisation, the tier the ticket takes and why, for people.
struct DirectoryMatch {
  std::optional<Customer> customer;
  std::optional<Organization> organization;
  bool created = false;   // the customer is new: commit it with the ticket (WriteBatch::customers)
  std::string tier;       // the records' tier ("" : they give none)
  std::string how;        // "customer 12 by address ada@bigco.com; organisation 3 (BigCo) by domain bigco.com; ..."
};

class Directory {
 public:
  Directory(Store& store, std::function<Time()> clock, DirectorySettings settings = {});

  const DirectorySettings& settings() const { return settings_; }

  // Creates: checked (422 naming the field; 409 on an address, domain or
  // external id another record holds), given the next id and times.
  Result<Customer> create_customer(Customer draft);
  // Replaces the stored record with `c` (same id; 404 when gone).
  Result<Customer> update_customer(Customer c);
  Status remove_customer(CustomerId id);
  // `from` goes into `into`: its addresses are added, fields `into` lacks
  // (name, organisation, tier, language, time zone, external id, attributes)
  // are taken from it; `from` is removed, in the same commit.
  Result<Customer> merge_customers(CustomerId into, CustomerId from);

  Result<Organization> create_organization(Organization draft);
  Result<Organization> update_organization(Organization o);
  Status remove_organization(OrganizationId id);

  Result<std::optional<Customer>> find_customer(CustomerId id) { return store_.find_customer(id); }
  Result<std::optional<Organization>> find_organization(OrganizationId id) { return store_.find_organization(id); }
  Result<std::vector<Customer>> list_customers(const DirectoryQuery& q) { return store_.list_customers(q); }
  Result<std::vector<Organization>> list_organizations(const DirectoryQuery& q) { return store_.list_organizations(q); }
  Result<std::optional<Customer>> find_customer_by_email(const std::string& e) { return store_.find_customer_by_email(e); }
  Result<std::optional<Customer>> find_customer_by_external_id(const std::string& x) {
    return store_.find_customer_by_external_id(x);
  }
  Result<std::optional<Organization>> find_organization_by_external_id(const std::string& x) {
    return store_.find_organization_by_external_id(x);
  }

  // One row of an import (switchboard import customers): matched by external
  // id, else by any of its addresses; a match is updated with the row's
  // non-empty values (addresses added), else a customer is made. An
  // organisation is named (made when no organisation has the name).
  // Attribute values may come as text and are read as their declared type
  // ("4000.5", "yes").
  struct ImportRow {
    std::string external_id, name, organization, tier, language, time_zone;
    std::vector<std::string> emails;
    Attributes attributes;
  };
  enum class ImportOutcome { kCreated, kUpdated, kUnchanged, kRejected };
  struct ImportResult {
    ImportOutcome outcome = ImportOutcome::kRejected;
    CustomerId id;
    std::optional<Error> error;  // why rejected (its field names the column)
  };
  // The rows in one commit (rows refused are left out, with the reason).
  Result<std::vector<ImportResult>> import_rows(const std::vector<ImportRow>& rows);

  // The requester's records: the customer holding `email` (when none does,
  // a new one named `name`, with its id, not yet written: `created`), and its
  // organisation (the customer's, else the one holding the address's
  // domain). The tier is the customer's, else the organisation's. An empty
  // address matches nothing. Writes nothing.
  Result<DirectoryMatch> match(const std::string& email, const std::string& name);

 private:
  // Creating, replacing and removing either kind of record (one commit each).
  template <class Record>
  Result<Record> save(Record r, bool create);
  template <class Id>
  Status remove(Id id);
  Result<std::optional<Customer>> stored(CustomerId id);
  Result<std::optional<Organization>> stored(OrganizationId id);
  Result<std::int64_t> next_id_for(const Customer&);
  Result<std::int64_t> next_id_for(const Organization&);
  // Commits and empties the match caches.
  Status commit(const WriteBatch& b);
  Status check(Customer& c);
  // Recently matched records (matching reads them for every new ticket):
  // by address, organisation id, and domain (an unknown domain too). Every
  // write through this directory empties them; an entry lives a minute, so
  // another node's changes show within it.
  template <class T>
  struct Cached {
    T value;
    std::chrono::steady_clock::time_point at;
  };
  template <class T>
  std::optional<T> cached(const std::unordered_map<std::string, Cached<T>>& map, const std::string& key);
  // Kept only if nothing was written since `generation` (read before the store was).
  template <class T>
  void remember(std::unordered_map<std::string, Cached<T>>& map, const std::string& key, T value,
                std::uint64_t generation);
  std::uint64_t generation();
  void forget();
  Result<std::optional<Organization>> organization_by_id(OrganizationId id);
  Result<std::optional<Organization>> organization_by_domain(const std::string& domain);
  // Reads text attribute values as their declared types ("12.5", "yes").
  void coerce(Attributes& a) const;
  Result<std::optional<OrganizationId>> organization_named(const std::string& name, WriteBatch& batch,
                                                           std::map<std::string, OrganizationId>& made);
  Status check(Organization& o);
  // The next id: past every id the store or this process has given.
  Result<std::int64_t> next_id(std::int64_t& last, Result<std::int64_t> (Store::*stored)());

  Store& store_;
  std::function<Time()> clock_;
  DirectorySettings settings_;
  std::mutex write_mu_;  // writes one at a time
  std::mutex id_mu_;
  std::mutex cache_mu_;
  std::uint64_t generation_ = 0;
  // New customers drafted for new addresses, kept a minute: every ticket
  // from that address matched meanwhile gets the same draft — also one whose
  // store read missed just before the first ticket's commit landed — so their
  // commits write one customer and never clash (a clash would fail every
  // ticket of that group commit).
  std::unordered_map<std::string, Cached<Customer>> pending_;
  std::unordered_map<std::string, Cached<Customer>> by_address_;
  std::unordered_map<std::string, Cached<std::optional<Organization>>> by_domain_, by_organization_;
  std::int64_t last_customer_ = -1, last_organization_ = -1;  // -1: not read from the store yet
};

}  // namespace sb
