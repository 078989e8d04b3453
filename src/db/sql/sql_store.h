#pragma once
// A Store over SQL (SQLite, PostgreSQL): one writer connection serves
// commit(); readers take connections from a small pool so that GETs run
// beside the writer. The schema is versioned; open() applies any migrations
// the database has not seen. Db supplies Connection (with prepare() giving
// statements that bind, step and read columns), connect(), migrate(),
// kSchemaVersion and the dialect's kBeginWrite, kBeginRead and kReportIndex.
// The implementation, shared by both, is sql_store_impl.h.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace sb {

template <class Db>
class SqlStore final : public Store {
 public:
  // Opens (SQLite: creates) the database `target` (a file, or a
  // postgresql:// URL) and migrates it to the latest schema. Fails
  // (unavailable) when it cannot be opened or is newer than this binary.
  static Result<std::unique_ptr<SqlStore>> open(const std::string& target);
  static int schema_version();

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
  using Connection = typename Db::Connection;
  explicit SqlStore(std::string path) : path_(std::move(path)) {}

  // A reader connection, returned to the pool when the lease ends.
  class ReaderLease {
   public:
    ReaderLease(SqlStore* store, std::unique_ptr<Connection> c) : store_(store), c_(std::move(c)) {}
    ReaderLease(ReaderLease&&) = default;
    ~ReaderLease();
    Connection* operator->() { return c_.get(); }
   private:
    SqlStore* store_;
    std::unique_ptr<Connection> c_;
  };
  Result<ReaderLease> reader();
  Result<std::int64_t> max_of(const char* column, const char* table);
  // The first row `sql` gives with ?1 bound to `key`.
  template <class T, class Key, class Read>
  Result<std::optional<T>> find_one(const std::string& sql, const Key& key, Read read);

  std::string path_;
  std::mutex writer_mu_;
  std::unique_ptr<Connection> writer_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
};

}  // namespace sb
