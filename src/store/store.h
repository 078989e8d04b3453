#pragma once
// The Store is where the truth lives: every ticket, agent, team and token.
// The engine's state is a cache rebuilt from load_snapshot() at start-up.
//
// Writes come as batches, and commit() writes all the records of all the
// batches it is given in one transaction: either every record is durable
// when it returns ok, or none is written. Records are whole rows (upserts by
// id), so replaying a batch is harmless.
//
// Implementations are thread-safe: reads may run concurrently with each
// other and with one commit at a time.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/agent.h"
#include "core/customer.h"
#include "core/decision.h"
#include "core/event.h"
#include "core/snapshot.h"
#include "core/status.h"
#include "core/ticket.h"

namespace sb {

// An API token. Only a hash of the secret is ever stored.
struct TokenRecord {
  std::string hash;  // hex BLAKE2b-256 of the secret
  Role role = Role::kAgent;
  std::optional<AgentId> agent;  // set for agent tokens
  Time created_at;
  std::optional<Time> expires_at;  // refused from then on
  std::optional<Time> revoked_at;  // refused from then on
  std::vector<TeamId> teams;       // a supervisor's teams
  // The token's public name (for listing and revoking): "tok_" + the first
  // 16 hex digits of its hash.
  std::string id() const { return "tok_" + hash.substr(0, 16); }
};

// One administrative change (docs/security.md): who, what, when.
struct AuditEntry {
  std::int64_t id = 0;  // set by the store, growing
  Time at;
  std::string actor;    // "admin", or a token's id
  std::string action;   // "POST /api/v1/teams"
  std::string target;   // what it changed: "team 3", "token tok_..."
  std::string detail;   // the request, secrets removed (JSON text)
  int status = 0;       // the answer's status
};

// One inbound e-mail as received from a mailbox: the raw message is kept, and
// (mailbox, Message-ID) is unique, so a redelivery is recognised.
struct MailReceipt {
  std::string mailbox;
  std::string message_id;            // the Message-ID, or "sha256:<hex>" of the raw message without one
  std::optional<TicketId> ticket;    // the ticket it made or joined
  std::string outcome;               // created | threaded | follow_up | bounce
  std::string raw;
  Time received_at;
};

// A POST's Idempotency-Key and the answer it got (Stripe semantics): the
// same key with the same request replays the answer; kept 24 hours.
struct IdempotencyRecord {
  std::string scope;      // who sent it (the token's hash)
  std::string key;
  std::string request;    // method, path and a hash of the body
  int status = 0;
  std::string response;   // the JSON body
  Time created_at;
};

// A partition's lease (docs/scaling.md): who may make its routing decisions
// until when. The epoch grows each time the lease changes hands.
struct Lease {
  std::string partition;
  std::string owner;    // a node's id
  std::string address;  // where that node takes requests (host:port)
  std::int64_t epoch = 0;
  Time expires_at;
};

// A commit made under a lease: written only if the lease is still the
// writer's (same owner and epoch, not expired at `now`); else a conflict
// "not_owner" and nothing is written.
struct Fence {
  std::string partition;
  std::string owner;
  std::int64_t epoch = 0;
  Time now;
};

// A person's decision about a ticket's team or category (at the triage
// desk, a move, a category change later): a labelled example the classifier
// learns from (docs/triage.md). Appended, never changed.
struct Correction {
  std::int64_t id = 0;   // given by the store, rising
  TicketId ticket;
  Time at;
  std::string field;     // "team" or "category"
  std::string from, to;  // team names or categories ("" none)
  std::string label;     // `to` as the model's label (triage.labels mapped back)
  std::string guess;     // the model's label for this field at intake ("" none)
  double confidence = 0; // the guess's
  std::string source;    // "desk" (the ticket waited for triage), "move", "edit"
  std::string by;        // who decided ("agent 3 Ada", "admin", "supervisor")
  std::string subject, body;  // the text the model reads, as it was
  Duration waited{0};    // from the ticket's creation to this decision
};

struct WriteBatch {
  std::vector<Ticket> tickets;
  std::vector<Agent> agents;
  std::vector<Team> teams;
  std::vector<TokenRecord> tokens;
  std::vector<Decision> decisions;  // appended, never replaced
  std::vector<Message> messages;    // appended; ids set by the caller
  std::vector<MailReceipt> receipts;  // appended; a second receipt for (mailbox, message_id) is a conflict
  std::vector<IdempotencyRecord> idempotency;  // upserts by (scope, key)
  // The outbox: events (numbered by the caller, appended) and their
  // deliveries (appended; the store assigns their ids).
  std::vector<Event> events;
  std::vector<Delivery> deliveries;
  std::vector<Webhook> webhooks;                // upserts by id
  std::map<std::string, std::string> settings;  // upserts by key (e.g. "sla_policies" -> JSON)
  std::vector<AuditEntry> audit;
  std::vector<Correction> corrections;  // appended; the store assigns their ids
  // Customers and organisations: upserts by id (ids given by the caller). An
  // address or domain another record holds, or an external id another record
  // has, is a conflict naming the field. Removals drop the record, its
  // addresses or domains; a removed organisation's customers keep none.
  std::vector<Customer> customers;
  std::vector<Organization> organizations;
  std::vector<CustomerId> removed_customers;
  std::vector<OrganizationId> removed_organizations;
  std::optional<Fence> fence;  // checked (all batches of a commit) before anything is written
  bool empty() const {
    return tickets.empty() && agents.empty() && teams.empty() && tokens.empty() && decisions.empty() &&
           events.empty() && deliveries.empty() && webhooks.empty() && settings.empty() && messages.empty() &&
           receipts.empty() && idempotency.empty() && audit.empty() && corrections.empty() && customers.empty() &&
           organizations.empty() && removed_customers.empty() && removed_organizations.empty();
  }
};

// What reports need of one ticket (docs/reporting.md).
enum class ReportGroup { kNone, kTeam, kChannel, kCategory, kPriority, kAgent, kTier, kOrganization };
template <>
struct EnumNames<ReportGroup> {
  static constexpr std::array<std::string_view, 8> names{"none", "team", "channel", "category", "priority", "agent",
                                                         "tier", "organization"};
};
struct TicketFact {
  Time created_at;
  std::optional<Time> assigned_at;
  std::optional<Time> solved_at;  // left the backlog (solved, or closed)
  std::string group;  // the grouping column's value ("" when none or unset)
  std::optional<AgentId> assignee;
  std::optional<TeamId> team;
  std::string category;
  std::optional<Time> first_response_at;
  SlaOutcome sla = SlaOutcome::kNone;
  int reassignments = 0, declines = 0, offer_timeouts = 0, escalations = 0;
  std::string predicts, predicted;  // the classifier's guess (TriageInfo)
  bool prediction_used = false;
};

// An agent's presence from `at` on (the presence_log).
struct PresenceChange {
  AgentId agent;
  Time at;
  Presence presence = Presence::kOffline;
};

// Which fields of a TicketFact a report reads (created, assigned and solved
// times and the group always): reading fewer is faster on a million rows.
enum FactFields : unsigned {
  kFactAssignee = 1,
  kFactTeam = 2,
  kFactCategory = 4,
  kFactTallies = 8,  // first_response_at, sla, reassignments, declines, offer_timeouts, escalations
  kFactGuess = 16,   // predicts, predicted, prediction_used
  kFactAll = 31,
};

// Which tickets a report reads: created in [from, to), or open at some
// moment of [from, to) (created before `to`, not solved before `from`).
enum class FactRange { kCreated, kOpen };

// Deliveries in id order, filtered; `after` is the last id of the previous page.
struct DeliveryQuery {
  std::optional<DeliveryState> state;
  std::optional<WebhookId> webhook;
  std::optional<std::int64_t> event_seq;
  std::int64_t after = 0;
  int limit = 50;
};

// How a ticket list is ordered: by id (oldest first), by last update or
// creation (newest first; creation order is id order), or by the soonest
// running SLA clock's due time.
enum class TicketSort { kId, kUpdated, kCreated, kDue };
template <>
struct EnumNames<TicketSort> {
  static constexpr std::array<std::string_view, 4> names{"id", "updated", "created", "due"};
};

// The words of a full-text search as the indexes hold them: runs of letters
// and digits (any byte past ASCII counts as a letter), ASCII lower-cased, at
// most 16 words of at most 64 bytes. Every word must match (AND).
std::vector<std::string> search_words(std::string_view text);
// Every word of `text` as search_words() makes them, without its bounds.
void for_each_word(std::string_view text, const std::function<void(std::string&&)>& visit);

// Tickets filtered, searched and ordered (docs/dashboard.md, the workspace's
// views and search). Every filter that is set must hold. Paging is by
// cursor: the sort key and id of the previous page's last ticket.
struct TicketQuery {
  std::optional<TicketStatus> status;
  std::vector<TicketStatus> statuses;        // any of these (empty: any)
  std::optional<Priority> priority;
  std::optional<TeamId> team;
  std::optional<AgentId> assignee;
  bool unassigned = false;                   // no assignee
  std::optional<Channel> channel;
  std::optional<std::string> category;
  std::optional<std::string> tag;            // one of the ticket's tags
  std::optional<std::string> requester;      // the requester's address, exactly
  std::optional<Time> created_from, created_to, updated_from, updated_to;  // [from, to)
  std::vector<std::string> words;            // full text: subject, body, requester, conversation (search_words)
  std::optional<std::vector<TeamId>> teams;  // any of these (a supervisor's or an agent's scope)
  std::optional<AgentId> or_assignee;        // with `teams`: or assigned to this agent (an agent's scope)
  TicketSort sort = TicketSort::kId;
  // The previous page's last ticket: its id, and its sort key (milliseconds)
  // for the time orders.
  std::int64_t after = 0;
  std::int64_t after_key = 0;
  int limit = 50;
};

// A ticket's sort key for `sort` (milliseconds; the due order puts tickets
// without a running clock last), as the cursor carries it.
std::int64_t sort_key(const Ticket& t, TicketSort sort);
// The soonest due time among a ticket's running, unmet SLA clocks.
std::optional<Time> next_due(const Ticket& t);
// Whether `t` passes every filter of `q` except the words and the cursor (the
// memory store, and tests, check with it).
bool matches_filters(const Ticket& t, const TicketQuery& q);

// Customers or organisations in id order, after the previous page's last id;
// `text`: every word (search_words) found in the name, an address or domain,
// or the external id, as a prefix of one of their words.
struct DirectoryQuery {
  std::string text;
  std::optional<OrganizationId> organization;  // customers of this organisation
  std::int64_t after = 0;
  int limit = 50;
};

struct TicketPage {
  std::vector<Ticket> tickets;
  bool more = false;  // another page follows the last ticket
};

class Store {
 public:
  virtual ~Store() = default;

  // Writes every batch in one transaction. On error nothing is written.
  virtual Status commit(std::span<const WriteBatch* const> batches) = 0;
  Status commit(const WriteBatch& batch) {
    const WriteBatch* one[] = {&batch};
    return commit(one);
  }

  virtual Result<Snapshot> load_snapshot() = 0;
  virtual Result<std::optional<Ticket>> find_ticket(TicketId id) = 0;
  // The ticket with this external id from `source` ("" our own channels;
  // else a connector's name).
  virtual Result<std::optional<TicketId>> find_ticket_by_external_id(const std::string& external_id,
                                                                     const std::string& source = "") = 0;
  virtual Result<TicketPage> list_tickets(const TicketQuery& query) = 0;
  virtual Result<std::optional<Agent>> find_agent(AgentId id) = 0;
  virtual Result<std::vector<Agent>> list_agents() = 0;
  virtual Result<std::vector<Team>> list_teams() = 0;
  virtual Result<std::optional<TokenRecord>> find_token(const std::string& hash) = 0;
  // Every token, oldest first.
  virtual Result<std::vector<TokenRecord>> list_tokens() = 0;
  // The audit log, newest first: up to `limit` entries with id < `before` (0: from the newest).
  virtual Result<std::vector<AuditEntry>> list_audit(std::int64_t before, int limit) = 0;
  // The routing decisions about a ticket, newest first, at most `limit`.
  virtual Result<std::vector<Decision>> list_decisions(TicketId ticket, int limit) = 0;

  // Corrections of `field` ("" any) with id > `after`, oldest first, at most `limit`.
  virtual Result<std::vector<Correction>> list_corrections(const std::string& field, std::int64_t after,
                                                           int limit) = 0;
  // Corrections made at or after `since`, newest first, at most `limit`.
  virtual Result<std::vector<Correction>> recent_corrections(Time since, int limit) = 0;

  // Customers and organisations (docs/customers.md).
  virtual Result<std::optional<Customer>> find_customer(CustomerId id) = 0;
  // By address (lower-case) or external id.
  virtual Result<std::optional<Customer>> find_customer_by_email(const std::string& email) = 0;
  virtual Result<std::optional<Customer>> find_customer_by_external_id(const std::string& external_id) = 0;
  virtual Result<std::vector<Customer>> list_customers(const DirectoryQuery& query) = 0;
  virtual Result<std::optional<Organization>> find_organization(OrganizationId id) = 0;
  // By domain (lower-case) or external id.
  virtual Result<std::optional<Organization>> find_organization_by_domain(const std::string& domain) = 0;
  virtual Result<std::optional<Organization>> find_organization_by_external_id(const std::string& external_id) = 0;
  // The oldest organisation with exactly this name.
  virtual Result<std::optional<Organization>> find_organization_by_name(const std::string& name) = 0;
  virtual Result<std::vector<Organization>> list_organizations(const DirectoryQuery& query) = 0;
  // The highest ids given so far (0 when none).
  virtual Result<std::int64_t> last_customer_id() = 0;
  virtual Result<std::int64_t> last_organization_id() = 0;

  // A ticket's conversation, oldest first.
  virtual Result<std::vector<Message>> list_messages(TicketId ticket) = 0;
  virtual Result<std::int64_t> last_message_id() = 0;
  // The bytes of attachment `index` of message `message_id`, when they were
  // kept with it (Attachment::content); nullopt otherwise.
  virtual Result<std::optional<std::string>> find_attachment_content(std::int64_t message_id, int index) = 0;
  // The receipt of (mailbox, Message-ID); an empty mailbox: the first
  // received in any mailbox.
  virtual Result<std::optional<MailReceipt>> find_mail_receipt(const std::string& mailbox,
                                                               const std::string& message_id) = 0;
  // The ticket an e-mail with one of these Message-IDs belongs to: one we
  // received (any mailbox) or one we sent (confirmations). Ids without angle
  // brackets; the first that matches wins.
  virtual Result<std::optional<TicketId>> find_ticket_by_message_ids(const std::vector<std::string>& ids) = 0;
  // The record for (scope, key) made at or after `since`; older ones count as gone.
  virtual Result<std::optional<IdempotencyRecord>> find_idempotency(const std::string& scope, const std::string& key,
                                                                    Time since) = 0;
  // Drops records made before `before`.
  virtual Status purge_idempotency(Time before) = 0;

  // The outbox. Events in seq order after `after_seq`, at most `limit`.
  virtual Result<std::vector<Event>> list_events(std::int64_t after_seq, int limit) = 0;
  virtual Result<std::int64_t> last_event_seq() = 0;
  virtual Result<std::vector<Webhook>> list_webhooks() = 0;
  // Pending deliveries whose next attempt is due at `now`, soonest first.
  virtual Result<std::vector<Delivery>> due_deliveries(Time now, int limit) = 0;
  virtual Result<std::vector<Delivery>> list_deliveries(const DeliveryQuery& query) = 0;
  virtual Result<std::optional<Delivery>> find_delivery(std::int64_t id) = 0;
  virtual Result<std::int64_t> count_deliveries(DeliveryState state) = 0;
  // Report facts (FactRange: created in [from, to), or open during it), with
  // the group's value, one at a time, in creation order, without holding them all
  // (a year of tickets is a million facts). `visit` may keep a copy, not the
  // reference.
  // Fields not in `fields` are left empty.
  virtual Status scan_ticket_facts(Time from, Time to, ReportGroup group, FactRange range, unsigned fields,
                                   const std::function<void(const TicketFact&)>& visit) = 0;
  // The same, collected.
  Result<std::vector<TicketFact>> ticket_facts(Time from, Time to, ReportGroup group,
                                               FactRange range = FactRange::kCreated) {
    std::vector<TicketFact> out;
    auto s = scan_ticket_facts(from, to, group, range, kFactAll, [&](const TicketFact& f) { out.push_back(f); });
    if (!s) return s.error();
    return out;
  }
  // Presence changes in [from, to), each agent's last one before `from`
  // first; ordered by time.
  virtual Result<std::vector<PresenceChange>> presence_history(Time from, Time to) = 0;
  // Records an attempt's outcome: state, attempts, next_attempt_at,
  // delivered_at and last_error of the delivery with d.id (404 if none).
  virtual Status update_delivery(const Delivery& d) = 0;
  virtual Result<std::optional<std::string>> find_setting(const std::string& key) = 0;

  // Takes `partition` for `owner` until now + ttl when it is free, expired,
  // or `owner`'s already (a renewal, same epoch); otherwise leaves it. Returns
  // the lease as it stands afterwards, whoever holds it.
  virtual Result<Lease> take_lease(const std::string& partition, const std::string& owner, const std::string& address,
                                   Time now, Duration ttl) = 0;
};

}  // namespace sb
