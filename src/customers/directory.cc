#include "customers/directory.h"

#include <algorithm>
#include <cstdlib>

namespace sb {

Directory::Directory(Store& store, std::function<Time()> clock, DirectorySettings settings)
    : store_(store), clock_(std::move(clock)), settings_(std::move(settings)) {}

namespace {
constexpr auto kCacheLife = std::chrono::seconds(60);
constexpr std::size_t kCacheSize = 200'000;  // entries per map; emptied past it
}  // namespace

template <class T>
std::optional<T> Directory::cached(const std::unordered_map<std::string, Cached<T>>& map, const std::string& key) {
  std::lock_guard lock(cache_mu_);
  auto it = map.find(key);
  if (it == map.end() || std::chrono::steady_clock::now() - it->second.at > kCacheLife) return std::nullopt;
  return it->second.value;
}

template <class T>
void Directory::remember(std::unordered_map<std::string, Cached<T>>& map, const std::string& key, T value,
                         std::uint64_t generation) {
  std::lock_guard lock(cache_mu_);
  if (generation != generation_) return;  // a write since the read: it may be stale
  if (map.size() >= kCacheSize) map.clear();
  map[key] = Cached<T>{std::move(value), std::chrono::steady_clock::now()};
}

std::uint64_t Directory::generation() {
  std::lock_guard lock(cache_mu_);
  return generation_;
}

void Directory::forget() {
  std::lock_guard lock(cache_mu_);
  ++generation_;
  pending_.clear();
  by_address_.clear();
  by_domain_.clear();
  by_organization_.clear();
}

Result<std::optional<Organization>> Directory::organization_by_id(OrganizationId id) {
  const std::string key = std::to_string(id.value);
  if (auto hit = cached(by_organization_, key)) return *hit;
  const auto gen = generation();
  auto o = store_.find_organization(id);
  if (!o) return o.error();
  remember(by_organization_, key, *o, gen);
  return *o;
}

Result<std::optional<Organization>> Directory::organization_by_domain(const std::string& domain) {
  if (auto hit = cached(by_domain_, domain)) return *hit;
  const auto gen = generation();
  auto o = store_.find_organization_by_domain(domain);
  if (!o) return o.error();
  remember(by_domain_, domain, *o, gen);
  return *o;
}

Status Directory::check(Customer& c) {
  if (auto s = validate(c, settings_.tiers, settings_.customer_attributes); !s) return s;
  if (c.organization) {
    auto o = store_.find_organization(*c.organization);
    if (!o) return o.error();
    if (!*o) return Error::Invalid("organization", "no organisation " + std::to_string(c.organization->value));
  }
  return Status::Ok();
}

Status Directory::check(Organization& o) {
  return validate(o, settings_.tiers, settings_.organization_attributes);
}

Result<std::int64_t> Directory::next_id(std::int64_t& last, Result<std::int64_t> (Store::*stored)()) {
  std::lock_guard lock(id_mu_);
  if (last < 0) {
    auto max = (store_.*stored)();
    if (!max) return max.error();
    last = *max;
  }
  return ++last;
}

namespace {

// Where a batch holds each kind of record, and what people call it.
std::vector<Customer>& upserts(WriteBatch& b, const Customer&) { return b.customers; }
std::vector<Organization>& upserts(WriteBatch& b, const Organization&) { return b.organizations; }
void removal(WriteBatch& b, CustomerId id) { b.removed_customers.push_back(id); }
void removal(WriteBatch& b, OrganizationId id) { b.removed_organizations.push_back(id); }
std::string noun(CustomerId id) { return "customer " + std::to_string(id.value); }
std::string noun(OrganizationId id) { return "organization " + std::to_string(id.value); }

}  // namespace

Result<std::optional<Customer>> Directory::stored(CustomerId id) { return store_.find_customer(id); }
Result<std::optional<Organization>> Directory::stored(OrganizationId id) { return store_.find_organization(id); }
Result<std::int64_t> Directory::next_id_for(const Customer&) { return next_id(last_customer_, &Store::last_customer_id); }
Result<std::int64_t> Directory::next_id_for(const Organization&) {
  return next_id(last_organization_, &Store::last_organization_id);
}

Status Directory::commit(const WriteBatch& b) {
  const Status committed = store_.commit(b);
  forget();  // after the commit: a match read before it may be stale
  return committed;
}

template <class Record>
Result<Record> Directory::save(Record r, bool create) {
  std::lock_guard lock(write_mu_);
  if (create) {
    if (auto s = check(r); !s) return s.error();
    auto id = next_id_for(r);
    if (!id) return id.error();
    r.id = decltype(r.id){*id};
    r.created_at = clock_();
  } else {
    auto old = stored(r.id);
    if (!old) return old.error();
    if (!*old) return Error::NotFound(noun(r.id));
    if (auto s = check(r); !s) return s.error();
    r.created_at = (*old)->created_at;
  }
  r.updated_at = clock_();
  WriteBatch b;
  upserts(b, r).push_back(r);
  if (auto s = commit(b); !s) return s.error();
  return r;
}

template <class Id>
Status Directory::remove(Id id) {
  std::lock_guard lock(write_mu_);
  auto old = stored(id);
  if (!old) return old.error();
  if (!*old) return Error::NotFound(noun(id));
  WriteBatch b;
  removal(b, id);
  return commit(b);
}

Result<Customer> Directory::create_customer(Customer draft) { return save(std::move(draft), true); }
Result<Customer> Directory::update_customer(Customer c) { return save(std::move(c), false); }
Status Directory::remove_customer(CustomerId id) { return remove(id); }
Result<Organization> Directory::create_organization(Organization draft) { return save(std::move(draft), true); }
Result<Organization> Directory::update_organization(Organization o) { return save(std::move(o), false); }
Status Directory::remove_organization(OrganizationId id) { return remove(id); }

Result<Customer> Directory::merge_customers(CustomerId into, CustomerId from) {
  if (into == from) return Error::Invalid("from", "a customer cannot be merged into itself");
  std::lock_guard lock(write_mu_);
  auto keep = store_.find_customer(into);
  if (!keep) return keep.error();
  if (!*keep) return Error::NotFound("customer " + std::to_string(into.value));
  auto gone = store_.find_customer(from);
  if (!gone) return gone.error();
  if (!*gone) return Error::Invalid("from", "no customer " + std::to_string(from.value));
  Customer c = **keep;
  const Customer& f = **gone;
  for (const std::string& e : f.emails) {
    if (std::find(c.emails.begin(), c.emails.end(), e) == c.emails.end()) c.emails.push_back(e);
  }
  auto fill = [](std::string& mine, const std::string& theirs) {
    if (mine.empty()) mine = theirs;
  };
  fill(c.name, f.name);
  fill(c.tier, f.tier);
  fill(c.language, f.language);
  fill(c.time_zone, f.time_zone);
  fill(c.external_id, f.external_id);
  if (!c.organization) c.organization = f.organization;
  for (const auto& [name, value] : f.attributes) c.attributes.try_emplace(name, value);
  c.updated_at = clock_();
  // One commit: the removal frees the addresses and external id the kept
  // record takes (removals are written after upserts, so remove first by
  // writing the removed record without its keys).
  Customer emptied = f;
  emptied.emails.clear();
  emptied.external_id.clear();
  WriteBatch b;
  b.customers = {emptied, c};
  b.removed_customers = {from};
  if (auto s = commit(b); !s) return s.error();
  return c;
}


void Directory::coerce(Attributes& a) const {
  for (auto& [name, value] : a) {
    const auto* text = std::get_if<std::string>(&value);
    if (!text) continue;
    for (const AttributeSpec& spec : settings_.customer_attributes) {
      if (spec.name != name) continue;
      if (spec.type == AttributeType::kNumber) {
        char* end = nullptr;
        const double d = std::strtod(text->c_str(), &end);
        if (!text->empty() && end == text->c_str() + text->size()) value = d;
      } else if (spec.type == AttributeType::kBoolean) {
        std::string t = *text;
        for (char& ch : t) ch = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch + 32) : ch;
        if (t == "true" || t == "yes" || t == "1") value = true;
        else if (t == "false" || t == "no" || t == "0") value = false;
      }
      break;
    }
  }
}

Result<std::optional<OrganizationId>> Directory::organization_named(const std::string& name, WriteBatch& batch,
                                                                    std::map<std::string, OrganizationId>& made) {
  if (name.empty()) return std::optional<OrganizationId>();
  if (auto it = made.find(name); it != made.end()) return std::optional<OrganizationId>(it->second);
  auto found = store_.find_organization_by_name(name);
  if (!found) return found.error();
  if (*found) {
    made[name] = (*found)->id;
    return std::optional<OrganizationId>((*found)->id);
  }
  Organization o;
  o.name = name;
  if (auto s = check(o); !s) return s.error();
  auto id = next_id(last_organization_, &Store::last_organization_id);
  if (!id) return id.error();
  o.id = OrganizationId{*id};
  o.created_at = o.updated_at = clock_();
  batch.organizations.push_back(o);
  made[name] = o.id;
  return std::optional<OrganizationId>(o.id);
}

Result<std::vector<Directory::ImportResult>> Directory::import_rows(const std::vector<ImportRow>& rows) {
  std::lock_guard lock(write_mu_);
  std::vector<ImportResult> results(rows.size());
  WriteBatch batch;
  std::map<std::string, OrganizationId> organizations;
  std::map<std::string, std::size_t> in_batch;  // "e:" address / "x:" external id -> index in batch.customers
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ImportRow& row = rows[i];
    ImportResult& result = results[i];
    // The record this row updates: one this request already touched, else the store's.
    std::optional<Customer> current;
    std::optional<std::size_t> slot;
    auto look = [&](const std::string& key) -> Status {
      if (current) return Status::Ok();
      if (auto it = in_batch.find(key); it != in_batch.end()) {
        slot = it->second;
        current = batch.customers[it->second];
        return Status::Ok();
      }
      auto found = key[0] == 'x' ? store_.find_customer_by_external_id(key.substr(2))
                                 : store_.find_customer_by_email(key.substr(2));
      if (!found) return found.error();
      current = std::move(*found);
      return Status::Ok();
    };
    Status s = Status::Ok();
    if (!row.external_id.empty()) s = look("x:" + row.external_id);
    for (const std::string& e : row.emails) {
      if (s) {
        s = look("e:" + ascii_lower(e));
      }
    }
    if (!s) return s.error();
    Customer c = current.value_or(Customer{});
    const Customer before = c;
    auto set = [](std::string& field, const std::string& value) {
      if (!value.empty()) field = value;
    };
    set(c.external_id, row.external_id);
    set(c.name, row.name);
    set(c.tier, row.tier);
    set(c.language, row.language);
    set(c.time_zone, row.time_zone);
    for (const std::string& e : row.emails) {
      const std::string lower = ascii_lower(e);
      if (std::find(c.emails.begin(), c.emails.end(), lower) == c.emails.end()) c.emails.push_back(lower);
    }
    Attributes attributes = row.attributes;
    coerce(attributes);
    for (auto& [name, value] : attributes) c.attributes[name] = value;
    // The organisation is made only for a row that is otherwise good.
    Customer checked = c;
    if (auto v = validate(checked, settings_.tiers, settings_.customer_attributes); !v) {
      result.error = v.error();
      continue;
    }
    if (!row.organization.empty()) {
      auto o = organization_named(row.organization, batch, organizations);
      if (!o) {
        result.error = o.error();
        result.error->field = "organization";
        continue;
      }
      c.organization = *o;
    }
    if (auto v = validate(c, settings_.tiers, settings_.customer_attributes); !v) {
      result.error = v.error();
      continue;
    }
    // Another record (in the store or this request) holding one of the addresses.
    bool clash = false;
    for (const std::string& e : c.emails) {
      auto it = in_batch.find("e:" + e);
      if (it != in_batch.end() && (!slot || it->second != *slot)) clash = true;
      // Without a match every address was looked up above and found free.
      const bool own = std::find(before.emails.begin(), before.emails.end(), e) != before.emails.end();
      if (!clash && current && !own) {
        auto other = store_.find_customer_by_email(e);
        if (!other) return other.error();
        clash = other->has_value() && (!current || (*other)->id != current->id);
      }
      if (clash) {
        result.error = Error::Conflict("duplicate_email", "'" + e + "' belongs to another customer", "emails");
        break;
      }
    }
    if (clash) continue;
    if (current) {
      result.id = c.id;
      const bool same = before.name == c.name && before.emails == c.emails && before.organization == c.organization &&
                        before.tier == c.tier && before.language == c.language && before.time_zone == c.time_zone &&
                        before.external_id == c.external_id && before.attributes == c.attributes;
      result.outcome = same ? ImportOutcome::kUnchanged : ImportOutcome::kUpdated;
      if (same) continue;
      c.updated_at = clock_();
    } else {
      auto id = next_id(last_customer_, &Store::last_customer_id);
      if (!id) return id.error();
      c.id = CustomerId{*id};
      c.created_at = c.updated_at = clock_();
      result.id = c.id;
      result.outcome = ImportOutcome::kCreated;
    }
    if (slot) {
      batch.customers[*slot] = c;
    } else {
      slot = batch.customers.size();
      batch.customers.push_back(c);
    }
    for (const std::string& e : c.emails) in_batch["e:" + e] = *slot;
    if (!c.external_id.empty()) in_batch["x:" + c.external_id] = *slot;
  }
  if (!batch.empty()) {
    if (auto s = commit(batch); !s) return s.error();
  }
  return results;
}

Result<DirectoryMatch> Directory::match(const std::string& address, const std::string& name) {
  DirectoryMatch m;
  if (address.empty()) return m;
  std::string email = address;
  for (char& ch : email) ch = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch + 32) : ch;
  Result<std::optional<Customer>> found = std::optional<Customer>();
  if (auto hit = cached(by_address_, email)) {
    *found = std::move(*hit);
  } else {
    const auto gen = generation();
    found = store_.find_customer_by_email(email);
    if (!found) return found.error();
    if (*found) remember(by_address_, email, **found, gen);
  }
  if (!*found && is_email_address(email)) {
    std::lock_guard lock(cache_mu_);
    const auto now = std::chrono::steady_clock::now();
    auto it = pending_.find(email);
    if (it != pending_.end() && now - it->second.at > kCacheLife) {
      pending_.erase(it);
      it = pending_.end();
    }
    if (it == pending_.end()) {
      Customer draft;
      draft.name = name.size() <= 200 ? name : name.substr(0, 200);
      draft.emails = {email};
      auto id = next_id(last_customer_, &Store::last_customer_id);
      if (!id) return id.error();
      draft.id = CustomerId{*id};
      draft.created_at = draft.updated_at = clock_();
      if (pending_.size() >= kCacheSize) pending_.clear();
      it = pending_.emplace(email, Cached<Customer>{std::move(draft), now}).first;
    }
    *found = it->second.value;
    m.created = true;
  }
  const std::string domain = email_domain(email);
  if (*found) {
    m.customer = std::move(**found);
    m.how = "customer " + std::to_string(m.customer->id.value) + (m.created ? " made for " : " by address ") + email;
    if (m.customer->organization) {
      auto o = organization_by_id(*m.customer->organization);
      if (!o) return o.error();
      if (*o) {
        m.organization = std::move(**o);
        m.how += "; organisation " + std::to_string(m.organization->id.value) + " (" + m.organization->name +
                 ") of the customer";
      }
    }
  }
  if (!m.organization && !domain.empty()) {
    auto o = organization_by_domain(domain);
    if (!o) return o.error();
    if (*o) {
      m.organization = std::move(**o);
      m.how += std::string(m.how.empty() ? "" : "; ") + "organisation " + std::to_string(m.organization->id.value) +
               " (" + m.organization->name + ") by domain " + domain;
      if (m.created) m.customer->organization = m.organization->id;  // a new customer joins it
    }
  }
  if (m.customer && !m.customer->tier.empty()) {
    m.tier = m.customer->tier;
    m.how += "; tier " + m.tier + " from the customer";
  } else if (m.organization && !m.organization->tier.empty()) {
    m.tier = m.organization->tier;
    m.how += "; tier " + m.tier + " from the organisation";
  }
  return m;
}

}  // namespace sb
