#include "store/memory_store.h"

#include <algorithm>
#include <set>

#include "store/directory.h"

namespace sb {
namespace {

template <class Map, class Key>
std::optional<typename Map::mapped_type> copy_of(const Map& map, const Key& key) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

}  // namespace

Status MemoryStore::commit(std::span<const WriteBatch* const> batches) {
  std::lock_guard lock(mu_);
  for (const WriteBatch* b : batches) {
    if (!b->fence) continue;
    const Fence& f = *b->fence;
    auto it = leases_.find(f.partition);
    if (it == leases_.end() || it->second.owner != f.owner || it->second.epoch != f.epoch || it->second.expires_at <= f.now) {
      return Error::Conflict("not_owner", "the lease on '" + f.partition + "' is no longer " + f.owner + "'s");
    }
  }
  // Team names are unique, as in the SQL stores; check before writing anything.
  std::map<std::string, TeamId> names;
  for (const auto& [id, t] : teams_) names[t.name] = id;
  for (const WriteBatch* b : batches) {
    for (const Team& t : b->teams) {
      auto [it, inserted] = names.try_emplace(t.name, t.id);
      if (!inserted && it->second != t.id) {
        return Error::Conflict("duplicate_name", "a team named '" + t.name + "' exists", "name");
      }
    }
  }
  for (const WriteBatch* b : batches) {
    for (const Event& e : b->events) {
      if (events_.count(e.seq)) return Error::Conflict("duplicate_event", "event " + std::to_string(e.seq) + " exists");
    }
    for (const Ticket& t : b->tickets) {
      if (!t.external_id) continue;
      for (const auto& [id, other] : tickets_) {
        if (id != t.id && other.external_id == t.external_id && other.source == t.source) {
          return Error::Conflict("duplicate_external_id", "a ticket with external_id '" + *t.external_id + "' exists",
                                 "external_id");
        }
      }
    }
    for (const MailReceipt& r : b->receipts) {
      if (receipts_.count({r.mailbox, r.message_id})) {
        return Error::Conflict("duplicate_message", "message " + r.message_id + " was received already");
      }
    }
  }
  if (auto s = check_directory_locked(batches); !s) return s;
  for (const WriteBatch* b : batches) {
    for (const Organization& o : b->organizations) {
      organizations_[o.id] = o;
      max_organization_id_ = std::max(max_organization_id_, o.id.value);
    }
    for (const Customer& c : b->customers) {
      customers_[c.id] = c;
      max_customer_id_ = std::max(max_customer_id_, c.id.value);
    }
    for (CustomerId id : b->removed_customers) customers_.erase(id);
    for (OrganizationId id : b->removed_organizations) {
      organizations_.erase(id);
      for (auto& [cid, c] : customers_) {
        if (c.organization == id) c.organization.reset();
      }
    }
    for (const Ticket& t : b->tickets) tickets_[t.id] = t;
    for (const Event& e : b->events) events_[e.seq] = e;
    for (const Message& m : b->messages) messages_[m.id] = m;
    for (const MailReceipt& r : b->receipts) receipts_[{r.mailbox, r.message_id}] = r;
    for (const IdempotencyRecord& r : b->idempotency) idempotency_[{r.scope, r.key}] = r;
    for (Delivery d : b->deliveries) {
      d.id = deliveries_.empty() ? 1 : deliveries_.rbegin()->first + 1;
      deliveries_[d.id] = std::move(d);
    }
    for (const Webhook& w : b->webhooks) webhooks_[w.id] = w;
    for (const auto& [k, v] : b->settings) settings_[k] = v;
    for (const Agent& a : b->agents) {
      auto it = agents_.find(a.id);
      if (it == agents_.end() || it->second.presence != a.presence) {
        presence_log_.push_back({a.id, a.updated_at, a.presence});
      }
      agents_[a.id] = a;
    }
    for (const Team& t : b->teams) teams_[t.id] = t;
    for (const TokenRecord& t : b->tokens) tokens_[t.hash] = t;
    for (AuditEntry a : b->audit) {
      a.id = static_cast<std::int64_t>(audit_.size()) + 1;
      audit_.push_back(std::move(a));
    }
    for (const Decision& d : b->decisions) decisions_[d.ticket].push_back(d);
    for (Correction c : b->corrections) {
      c.id = static_cast<std::int64_t>(corrections_.size()) + 1;
      corrections_.push_back(std::move(c));
    }
  }
  return Status::Ok();
}

namespace {

// Who holds each key ("email" -> address -> customer id) once the batches
// are written: a key two records hold is a conflict naming the field.
struct Holders {
  std::map<std::string, std::int64_t> keys;
  std::set<std::int64_t> replaced;  // records the batches rewrite or remove: their stored keys go
  Status claim(const std::string& key, std::int64_t id, const std::string& what, const std::string& field) {
    if (key.empty()) return Status::Ok();
    auto [it, inserted] = keys.try_emplace(key, id);
    if (!inserted && it->second != id) {
      return Error::Conflict("duplicate_" + what, "'" + key.substr(key.find(':') + 1) + "' belongs to another record",
                             field);
    }
    return Status::Ok();
  }
};

}  // namespace

Status MemoryStore::check_directory_locked(std::span<const WriteBatch* const> batches) const {
  Holders customers, organizations;
  for (const WriteBatch* b : batches) {
    for (const Customer& c : b->customers) customers.replaced.insert(c.id.value);
    for (CustomerId id : b->removed_customers) customers.replaced.insert(id.value);
    for (const Organization& o : b->organizations) organizations.replaced.insert(o.id.value);
    for (OrganizationId id : b->removed_organizations) organizations.replaced.insert(id.value);
  }
  for (const auto& [id, c] : customers_) {
    if (customers.replaced.count(id.value)) continue;
    for (const std::string& e : c.emails) customers.keys["e:" + e] = id.value;
    if (!c.external_id.empty()) customers.keys["x:" + c.external_id] = id.value;
  }
  for (const auto& [id, o] : organizations_) {
    if (organizations.replaced.count(id.value)) continue;
    for (const std::string& d : o.domains) organizations.keys["d:" + d] = id.value;
    if (!o.external_id.empty()) organizations.keys["x:" + o.external_id] = id.value;
  }
  for (const WriteBatch* b : batches) {
    for (const Customer& c : b->customers) {
      for (const std::string& e : c.emails) {
        if (auto s = customers.claim("e:" + e, c.id.value, "email", "emails"); !s) return s;
      }
      if (!c.external_id.empty()) {
        if (auto s = customers.claim("x:" + c.external_id, c.id.value, "external_id", "external_id"); !s) return s;
      }
    }
    for (const Organization& o : b->organizations) {
      for (const std::string& d : o.domains) {
        if (auto s = organizations.claim("d:" + d, o.id.value, "domain", "domains"); !s) return s;
      }
      if (!o.external_id.empty()) {
        if (auto s = organizations.claim("x:" + o.external_id, o.id.value, "external_id", "external_id"); !s) return s;
      }
    }
  }
  return Status::Ok();
}

Result<std::optional<Customer>> MemoryStore::find_customer(CustomerId id) {
  std::lock_guard lock(mu_);
  return copy_of(customers_, id);
}

Result<std::optional<Customer>> MemoryStore::find_customer_by_email(const std::string& email) {
  std::lock_guard lock(mu_);
  for (const auto& [id, c] : customers_) {
    if (std::find(c.emails.begin(), c.emails.end(), email) != c.emails.end()) return std::optional<Customer>(c);
  }
  return std::optional<Customer>();
}

Result<std::optional<Customer>> MemoryStore::find_customer_by_external_id(const std::string& external_id) {
  std::lock_guard lock(mu_);
  for (const auto& [id, c] : customers_) {
    if (!external_id.empty() && c.external_id == external_id) return std::optional<Customer>(c);
  }
  return std::optional<Customer>();
}

Result<std::vector<Customer>> MemoryStore::list_customers(const DirectoryQuery& q) {
  std::lock_guard lock(mu_);
  const auto words = search_words(q.text);
  std::vector<Customer> out;
  for (auto it = customers_.upper_bound(CustomerId{q.after}); it != customers_.end(); ++it) {
    if (static_cast<int>(out.size()) >= q.limit) break;
    if (q.organization && it->second.organization != q.organization) continue;
    if (directory_matches(directory_text(it->second), words)) out.push_back(it->second);
  }
  return out;
}

Result<std::optional<Organization>> MemoryStore::find_organization(OrganizationId id) {
  std::lock_guard lock(mu_);
  return copy_of(organizations_, id);
}

Result<std::optional<Organization>> MemoryStore::find_organization_by_domain(const std::string& domain) {
  std::lock_guard lock(mu_);
  for (const auto& [id, o] : organizations_) {
    if (std::find(o.domains.begin(), o.domains.end(), domain) != o.domains.end()) return std::optional<Organization>(o);
  }
  return std::optional<Organization>();
}

Result<std::optional<Organization>> MemoryStore::find_organization_by_external_id(const std::string& external_id) {
  std::lock_guard lock(mu_);
  for (const auto& [id, o] : organizations_) {
    if (!external_id.empty() && o.external_id == external_id) return std::optional<Organization>(o);
  }
  return std::optional<Organization>();
}

Result<std::optional<Organization>> MemoryStore::find_organization_by_name(const std::string& name) {
  std::lock_guard lock(mu_);
  for (const auto& [id, o] : organizations_) {
    if (o.name == name) return std::optional<Organization>(o);
  }
  return std::optional<Organization>();
}

Result<std::vector<Organization>> MemoryStore::list_organizations(const DirectoryQuery& q) {
  std::lock_guard lock(mu_);
  const auto words = search_words(q.text);
  std::vector<Organization> out;
  for (auto it = organizations_.upper_bound(OrganizationId{q.after}); it != organizations_.end(); ++it) {
    if (static_cast<int>(out.size()) >= q.limit) break;
    if (directory_matches(directory_text(it->second), words)) out.push_back(it->second);
  }
  return out;
}

Result<std::int64_t> MemoryStore::last_customer_id() {
  std::lock_guard lock(mu_);
  return max_customer_id_;
}

Result<std::int64_t> MemoryStore::last_organization_id() {
  std::lock_guard lock(mu_);
  return max_organization_id_;
}

Result<Snapshot> MemoryStore::load_snapshot() {
  std::lock_guard lock(mu_);
  Snapshot s;
  for (const auto& [id, t] : teams_) {
    s.teams.push_back(t);
    s.max_team_id = std::max(s.max_team_id, id.value);
  }
  for (const auto& [id, a] : agents_) {
    s.agents.push_back(a);
    s.max_agent_id = std::max(s.max_agent_id, id.value);
  }
  for (const auto& [id, t] : tickets_) {
    s.max_ticket_id = std::max(s.max_ticket_id, id.value);
    if (!is_terminal(t.status)) s.open_tickets.push_back(t);
    if (t.assignee && t.assigned_at) {
      Time& last = s.last_assigned[*t.assignee];
      last = std::max(last, *t.assigned_at);
    }
  }
  // Requester -> agent of their latest assigned ticket.
  std::map<std::string, std::pair<Time, AgentId>> latest;
  for (const auto& [id, t] : tickets_) {
    if (t.requester.email.empty() || !t.assignee || !t.assigned_at) continue;
    auto [it, inserted] = latest.try_emplace(t.requester.email, *t.assigned_at, *t.assignee);
    if (!inserted && it->second.first <= *t.assigned_at) it->second = {*t.assigned_at, *t.assignee};
  }
  for (const auto& [email, entry] : latest) s.last_agent_of[email] = entry.second;
  return s;
}

Result<std::optional<Ticket>> MemoryStore::find_ticket(TicketId id) {
  std::lock_guard lock(mu_);
  return copy_of(tickets_, id);
}

namespace {
void add_words(std::string_view text, std::set<std::string>& out) {
  for_each_word(text, [&](std::string&& w) { out.insert(std::move(w)); });
}
}  // namespace

Result<TicketPage> MemoryStore::list_tickets(const TicketQuery& q) {
  std::lock_guard lock(mu_);
  const bool descending = q.sort == TicketSort::kUpdated || q.sort == TicketSort::kCreated;
  const bool first_page = q.after == 0;
  std::vector<std::pair<std::int64_t, const Ticket*>> found;
  for (const auto& [id, t] : tickets_) {
    if (!matches_filters(t, q)) continue;
    const std::int64_t key = sort_key(t, q.sort);
    if (!first_page) {
      const auto here = std::pair{key, t.id.value}, cursor = std::pair{q.after_key, q.after};
      if (q.sort == TicketSort::kId ? t.id.value <= q.after : descending ? here >= cursor : here <= cursor) continue;
    }
    if (!q.words.empty()) {
      // As the databases' indexes: every word in the ticket's own text, or every word in one message.
      auto holds_all = [&](const std::set<std::string>& words) {
        return std::all_of(q.words.begin(), q.words.end(), [&](const std::string& w) { return words.count(w) > 0; });
      };
      std::set<std::string> words;
      add_words(t.subject, words);
      add_words(t.body, words);
      add_words(t.requester.name, words);
      add_words(t.requester.email, words);
      bool found_words = holds_all(words);
      for (auto m = messages_.begin(); !found_words && m != messages_.end(); ++m) {
        if (m->second.ticket != t.id) continue;
        words.clear();
        add_words(m->second.body, words);
        found_words = holds_all(words);
      }
      if (!found_words) continue;
    }
    found.emplace_back(key, &t);
  }
  std::sort(found.begin(), found.end(), [&](const auto& a, const auto& b) {
    const auto ka = std::pair{a.first, a.second->id.value}, kb = std::pair{b.first, b.second->id.value};
    return descending ? ka > kb : ka < kb;
  });
  TicketPage page;
  for (const auto& [key, t] : found) {
    if (static_cast<int>(page.tickets.size()) == q.limit) {
      page.more = true;
      break;
    }
    page.tickets.push_back(*t);
  }
  return page;
}

Result<std::optional<Agent>> MemoryStore::find_agent(AgentId id) {
  std::lock_guard lock(mu_);
  return copy_of(agents_, id);
}

Result<std::vector<Agent>> MemoryStore::list_agents() {
  std::lock_guard lock(mu_);
  std::vector<Agent> out;
  for (const auto& [id, a] : agents_) out.push_back(a);
  return out;
}

Result<std::vector<Team>> MemoryStore::list_teams() {
  std::lock_guard lock(mu_);
  std::vector<Team> out;
  for (const auto& [id, t] : teams_) out.push_back(t);
  return out;
}

Result<std::vector<TokenRecord>> MemoryStore::list_tokens() {
  std::lock_guard lock(mu_);
  std::vector<TokenRecord> out;
  for (const auto& [hash, t] : tokens_) out.push_back(t);
  std::stable_sort(out.begin(), out.end(), [](const TokenRecord& a, const TokenRecord& b) { return a.created_at < b.created_at; });
  return out;
}

Result<std::vector<AuditEntry>> MemoryStore::list_audit(std::int64_t before, int limit) {
  std::lock_guard lock(mu_);
  std::vector<AuditEntry> out;
  for (auto it = audit_.rbegin(); it != audit_.rend() && static_cast<int>(out.size()) < limit; ++it) {
    if (before == 0 || it->id < before) out.push_back(*it);
  }
  return out;
}

Result<std::vector<Correction>> MemoryStore::list_corrections(const std::string& field, std::int64_t after,
                                                              int limit) {
  std::lock_guard lock(mu_);
  std::vector<Correction> out;
  for (std::size_t i = static_cast<std::size_t>(std::max<std::int64_t>(after, 0));
       i < corrections_.size() && static_cast<int>(out.size()) < limit; ++i) {
    if (field.empty() || corrections_[i].field == field) out.push_back(corrections_[i]);
  }
  return out;
}

Result<std::vector<Correction>> MemoryStore::recent_corrections(Time since, int limit) {
  std::lock_guard lock(mu_);
  std::vector<Correction> out;
  for (auto it = corrections_.rbegin(); it != corrections_.rend() && static_cast<int>(out.size()) < limit; ++it) {
    if (it->at < since) break;
    out.push_back(*it);
  }
  return out;
}

Result<std::optional<TokenRecord>> MemoryStore::find_token(const std::string& hash) {
  std::lock_guard lock(mu_);
  return copy_of(tokens_, hash);
}

}  // namespace sb

namespace sb {

Result<std::vector<Decision>> MemoryStore::list_decisions(TicketId ticket, int limit) {
  std::lock_guard lock(mu_);
  std::vector<Decision> out;
  auto it = decisions_.find(ticket);
  if (it == decisions_.end()) return out;
  for (auto d = it->second.rbegin(); d != it->second.rend() && static_cast<int>(out.size()) < limit; ++d) {
    out.push_back(*d);
  }
  return out;
}

Result<std::vector<Message>> MemoryStore::list_messages(TicketId ticket) {
  std::lock_guard lock(mu_);
  std::vector<Message> out;
  for (const auto& [id, m] : messages_) {
    if (m.ticket != ticket) continue;
    out.push_back(m);
    for (Attachment& a : out.back().attachments) a.content.clear();  // as the databases read it back
  }
  return out;
}

Result<std::optional<std::string>> MemoryStore::find_attachment_content(std::int64_t message_id, int index) {
  std::lock_guard lock(mu_);
  auto m = messages_.find(message_id);
  if (m == messages_.end() || index < 0 || index >= static_cast<int>(m->second.attachments.size()) ||
      m->second.attachments[static_cast<std::size_t>(index)].content.empty()) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(m->second.attachments[static_cast<std::size_t>(index)].content);
}

Result<std::optional<MailReceipt>> MemoryStore::find_mail_receipt(const std::string& mailbox,
                                                                  const std::string& message_id) {
  std::lock_guard lock(mu_);
  if (mailbox.empty()) {
    std::optional<MailReceipt> first;
    for (const auto& [key, r] : receipts_) {
      if (key.second == message_id && (!first || r.received_at < first->received_at)) first = r;
    }
    return first;
  }
  return copy_of(receipts_, std::pair{mailbox, message_id});
}

Result<std::optional<TicketId>> MemoryStore::find_ticket_by_message_ids(const std::vector<std::string>& ids) {
  std::lock_guard lock(mu_);
  for (const std::string& id : ids) {
    for (const auto& [key, r] : receipts_) {
      if (key.second == id && r.ticket) return std::optional<TicketId>(r.ticket);
    }
    for (const auto& [did, d] : deliveries_) {
      if (d.message_id == "<" + id + ">") {
        if (auto e = events_.find(d.event_seq); e != events_.end()) return std::optional<TicketId>(e->second.ticket);
      }
    }
  }
  return std::optional<TicketId>();
}

Result<std::optional<TicketId>> MemoryStore::find_ticket_by_external_id(const std::string& external_id,
                                                                        const std::string& source) {
  std::lock_guard lock(mu_);
  for (const auto& [id, t] : tickets_) {
    if (t.external_id == external_id && t.source == source) return std::optional<TicketId>(id);
  }
  return std::optional<TicketId>();
}

Result<std::optional<IdempotencyRecord>> MemoryStore::find_idempotency(const std::string& scope,
                                                                       const std::string& key, Time since) {
  std::lock_guard lock(mu_);
  auto it = idempotency_.find({scope, key});
  if (it == idempotency_.end() || it->second.created_at < since) return std::optional<IdempotencyRecord>();
  return std::optional<IdempotencyRecord>(it->second);
}

Status MemoryStore::purge_idempotency(Time before) {
  std::lock_guard lock(mu_);
  std::erase_if(idempotency_, [&](const auto& kv) { return kv.second.created_at < before; });
  return Status::Ok();
}

Result<std::int64_t> MemoryStore::last_message_id() {
  std::lock_guard lock(mu_);
  return messages_.empty() ? 0 : messages_.rbegin()->first;
}

Result<std::vector<Event>> MemoryStore::list_events(std::int64_t after_seq, int limit) {
  std::lock_guard lock(mu_);
  std::vector<Event> out;
  for (auto it = events_.upper_bound(after_seq); it != events_.end() && static_cast<int>(out.size()) < limit; ++it) {
    out.push_back(it->second);
  }
  return out;
}

Result<std::int64_t> MemoryStore::last_event_seq() {
  std::lock_guard lock(mu_);
  return events_.empty() ? 0 : events_.rbegin()->first;
}

Result<std::vector<Webhook>> MemoryStore::list_webhooks() {
  std::lock_guard lock(mu_);
  std::vector<Webhook> out;
  for (const auto& [id, w] : webhooks_) out.push_back(w);
  return out;
}

Result<std::vector<Delivery>> MemoryStore::due_deliveries(Time now, int limit) {
  std::lock_guard lock(mu_);
  std::vector<Delivery> out;
  for (const auto& [id, d] : deliveries_) {
    if (d.state == DeliveryState::kPending && d.next_attempt_at <= now) out.push_back(d);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Delivery& a, const Delivery& b) { return a.next_attempt_at < b.next_attempt_at; });
  if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
  return out;
}

Result<std::vector<Delivery>> MemoryStore::list_deliveries(const DeliveryQuery& q) {
  std::lock_guard lock(mu_);
  std::vector<Delivery> out;
  for (auto it = deliveries_.upper_bound(q.after); it != deliveries_.end() && static_cast<int>(out.size()) < q.limit;
       ++it) {
    const Delivery& d = it->second;
    if (q.state && d.state != *q.state) continue;
    if (q.webhook && d.webhook != q.webhook) continue;
    if (q.event_seq && d.event_seq != *q.event_seq) continue;
    out.push_back(d);
  }
  return out;
}

Result<std::optional<Delivery>> MemoryStore::find_delivery(std::int64_t id) {
  std::lock_guard lock(mu_);
  return copy_of(deliveries_, id);
}

Status MemoryStore::scan_ticket_facts(Time from, Time to, ReportGroup group, FactRange range, unsigned,
                                      const std::function<void(const TicketFact&)>& visit) {
  std::lock_guard lock(mu_);
  std::vector<TicketFact> out;
  for (const auto& [id, t] : tickets_) {
    if (range == FactRange::kCreated && (t.created_at < from || t.created_at >= to)) continue;
    if (range == FactRange::kOpen && (t.created_at >= to || (t.solved_at && *t.solved_at < from))) continue;
    TicketFact f{t.created_at, t.assigned_at, t.solved_at, {}, t.assignee};
    f.team = t.team;
    f.category = t.category;
    f.first_response_at = t.stats.first_response_at;
    f.sla = sla_outcome(t.sla);
    f.reassignments = t.stats.reassignments;
    f.declines = t.stats.declines;
    f.offer_timeouts = t.stats.offer_timeouts;
    f.escalations = t.stats.escalations;
    if (t.triage && !t.triage->predicts.empty()) {
      f.predicts = t.triage->predicts;
      f.predicted = t.triage->predicted_value;
      f.prediction_used = t.triage->prediction_used;
    }
    switch (group) {
      case ReportGroup::kNone: break;
      case ReportGroup::kTeam: f.group = t.team ? std::to_string(t.team->value) : ""; break;
      case ReportGroup::kChannel: f.group = std::string(to_string(t.channel)); break;
      case ReportGroup::kCategory: f.group = t.category; break;
      case ReportGroup::kPriority: f.group = std::string(to_string(t.priority)); break;
      case ReportGroup::kAgent: f.group = t.assignee ? std::to_string(t.assignee->value) : ""; break;
      case ReportGroup::kTier: f.group = t.requester.tier; break;
      case ReportGroup::kOrganization:
        f.group = t.requester.organization ? std::to_string(t.requester.organization->value) : "";
        break;
    }
    out.push_back(std::move(f));
  }
  std::stable_sort(out.begin(), out.end(), [](const TicketFact& a, const TicketFact& b) { return a.created_at < b.created_at; });
  for (const TicketFact& f : out) visit(f);
  return Status::Ok();
}

Result<std::vector<PresenceChange>> MemoryStore::presence_history(Time from, Time to) {
  std::lock_guard lock(mu_);
  std::map<AgentId, PresenceChange> before;
  std::vector<PresenceChange> within;
  for (const PresenceChange& c : presence_log_) {
    if (c.at < from) {
      auto it = before.find(c.agent);
      if (it == before.end() || it->second.at <= c.at) before[c.agent] = c;
    } else if (c.at < to) {
      within.push_back(c);
    }
  }
  std::vector<PresenceChange> out;
  for (const auto& [id, c] : before) out.push_back(c);
  std::stable_sort(within.begin(), within.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  out.insert(out.end(), within.begin(), within.end());
  return out;
}

Result<std::int64_t> MemoryStore::count_deliveries(DeliveryState state) {
  std::lock_guard lock(mu_);
  std::int64_t n = 0;
  for (const auto& [id, d] : deliveries_) n += d.state == state ? 1 : 0;
  return n;
}

Status MemoryStore::update_delivery(const Delivery& d) {
  std::lock_guard lock(mu_);
  auto it = deliveries_.find(d.id);
  if (it == deliveries_.end()) return Error::NotFound("delivery " + std::to_string(d.id));
  Delivery& stored = it->second;
  stored.state = d.state;
  stored.attempts = d.attempts;
  stored.next_attempt_at = d.next_attempt_at;
  stored.delivered_at = d.delivered_at;
  stored.last_error = d.last_error;
  return Status::Ok();
}

Result<std::optional<std::string>> MemoryStore::find_setting(const std::string& key) {
  std::lock_guard lock(mu_);
  return copy_of(settings_, key);
}

Result<Lease> MemoryStore::take_lease(const std::string& partition, const std::string& owner, const std::string& address,
                                     Time now, Duration ttl) {
  std::lock_guard lock(mu_);
  auto [it, fresh] = leases_.try_emplace(partition, Lease{partition, owner, address, 1, now + ttl});
  Lease& l = it->second;
  if (!fresh && (l.owner == owner || l.expires_at <= now)) {
    if (l.owner != owner) ++l.epoch;
    l.owner = owner;
    l.address = address;
    l.expires_at = now + ttl;
  }
  return l;
}

}  // namespace sb
