#pragma once
// The in-memory Store: the fake for tests and the simulator. Same contract as
// the real stores (see store_contract_test.cc), nothing survives the process.
#include <map>
#include <mutex>

#include "store/store.h"

namespace sb {

// Not final: tests wrap it to make commits fail.
class MemoryStore : public Store {
 public:
  using Store::commit;
  Status commit(std::span<const WriteBatch* const> batches) override;
  Result<Snapshot> load_snapshot() override;
  Result<std::optional<Ticket>> find_ticket(TicketId id) override;
  Result<std::optional<TicketId>> find_ticket_by_external_id(const std::string& external_id,
                                                              const std::string& source) override;
  Result<TicketPage> list_tickets(const TicketQuery& query) override;
  Result<std::optional<Agent>> find_agent(AgentId id) override;
  Result<std::vector<Agent>> list_agents() override;
  Result<std::vector<Team>> list_teams() override;
  Result<std::optional<TokenRecord>> find_token(const std::string& hash) override;
  Result<std::vector<TokenRecord>> list_tokens() override;
  Result<std::vector<AuditEntry>> list_audit(std::int64_t before, int limit) override;
  Result<std::vector<Correction>> list_corrections(const std::string& field, std::int64_t after, int limit) override;
  Result<std::vector<Correction>> recent_corrections(Time since, int limit) override;
  Result<std::vector<Decision>> list_decisions(TicketId ticket, int limit) override;
  Result<std::optional<Customer>> find_customer(CustomerId id) override;
  Result<std::optional<Customer>> find_customer_by_email(const std::string& email) override;
  Result<std::optional<Customer>> find_customer_by_external_id(const std::string& external_id) override;
  Result<std::vector<Customer>> list_customers(const DirectoryQuery& query) override;
  Result<std::optional<Organization>> find_organization(OrganizationId id) override;
  Result<std::optional<Organization>> find_organization_by_domain(const std::string& domain) override;
  Result<std::optional<Organization>> find_organization_by_external_id(const std::string& external_id) override;
  Result<std::optional<Organization>> find_organization_by_name(const std::string& name) override;
  Result<std::vector<Organization>> list_organizations(const DirectoryQuery& query) override;
  Result<std::int64_t> last_customer_id() override;
  Result<std::int64_t> last_organization_id() override;
  Result<std::vector<Message>> list_messages(TicketId ticket) override;
  Result<std::int64_t> last_message_id() override;
  Result<std::optional<std::string>> find_attachment_content(std::int64_t message_id, int index) override;
  Result<std::optional<MailReceipt>> find_mail_receipt(const std::string& mailbox, const std::string& message_id) override;
  Result<std::optional<TicketId>> find_ticket_by_message_ids(const std::vector<std::string>& ids) override;
  Result<std::optional<IdempotencyRecord>> find_idempotency(const std::string& scope, const std::string& key,
                                                            Time since) override;
  Status purge_idempotency(Time before) override;
  Result<std::vector<Event>> list_events(std::int64_t after_seq, int limit) override;
  Result<std::int64_t> last_event_seq() override;
  Result<std::vector<Webhook>> list_webhooks() override;
  Result<std::vector<Delivery>> due_deliveries(Time now, int limit) override;
  Result<std::vector<Delivery>> list_deliveries(const DeliveryQuery& query) override;
  Result<std::optional<Delivery>> find_delivery(std::int64_t id) override;
  Result<std::int64_t> count_deliveries(DeliveryState state) override;
  Status scan_ticket_facts(Time from, Time to, ReportGroup group, FactRange range, unsigned fields,
                           const std::function<void(const TicketFact&)>& visit) override;
  Result<std::vector<PresenceChange>> presence_history(Time from, Time to) override;
  Status update_delivery(const Delivery& d) override;
  Result<std::optional<std::string>> find_setting(const std::string& key) override;
  Result<Lease> take_lease(const std::string& partition, const std::string& owner, const std::string& address, Time now,
                           Duration ttl) override;

 private:
  std::mutex mu_;
  std::map<TicketId, Ticket> tickets_;
  std::map<AgentId, Agent> agents_;
  std::vector<PresenceChange> presence_log_;  // in write order
  std::map<std::string, Lease> leases_;
  std::map<TeamId, Team> teams_;
  std::map<std::string, TokenRecord> tokens_;
  std::vector<AuditEntry> audit_;
  std::vector<Correction> corrections_;  // id order
  std::map<TicketId, std::vector<Decision>> decisions_;  // oldest first
  std::map<std::int64_t, Event> events_;
  std::map<std::int64_t, Message> messages_;
  std::map<std::pair<std::string, std::string>, MailReceipt> receipts_;
  std::map<std::pair<std::string, std::string>, IdempotencyRecord> idempotency_;
  std::map<std::int64_t, Delivery> deliveries_;
  std::map<WebhookId, Webhook> webhooks_;
  std::map<std::string, std::string> settings_;
  std::map<CustomerId, Customer> customers_;
  std::map<OrganizationId, Organization> organizations_;
  std::int64_t max_customer_id_ = 0, max_organization_id_ = 0;  // removed ones count
  // Checks the batches' customers and organisations against each other and
  // the stored ones (unique addresses, domains, external ids).
  Status check_directory_locked(std::span<const WriteBatch* const> batches) const;
};

}  // namespace sb
