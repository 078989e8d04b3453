#pragma once
// The outbox: what Switchboard tells the outside world, written in the same
// transaction as the change that caused it (the Service calls write() under
// its lock), then delivered at least once by the Dispatcher.
//
// For each event: its JSON document (the ticket as of the change plus what
// the engine said about it), one delivery per active webhook subscribed to
// its type, and, for ticket.created / ticket.assigned, the customer's
// confirmation e-mail when a relay is configured and the requester has an
// address.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "notify/mail.h"
#include "notify/transport.h"
#include "service/service.h"

namespace sb::notify {

// A help desk a connector keeps in step (docs/connectors.md): the outbox
// gives it one delivery per change of one of its tickets, and the dispatcher
// hands it the ticket to write back (its current state, so repeats and
// reorders do no harm).
class ConnectorSink {
 public:
  struct Outcome {
    bool ok = false;
    bool permanent = false;
    std::string error;
    std::optional<Duration> retry_after;  // the help desk said when (429 Retry-After)
  };
  // How the connector is doing, for the dashboard and /metrics.
  struct Health {
    std::string name, kind, url;
    bool ok = false;             // the last sync round reached the help desk and applied everything
    std::string last_error;      // "" when none
    std::optional<Time> last_sync;  // the last round that reached the help desk
    double lag_seconds = 0;      // from the newest change taken in to when we took it
    std::int64_t backlog = 0;    // changes there not taken in yet (as of the last round)
    std::int64_t errors = 0;     // failed rounds and refused changes since start
    std::int64_t taken = 0;      // changes taken in since start
    std::int64_t written = 0;    // write-backs done since start
    std::vector<std::string> problems;  // unmapped users and queues found in the help desk
  };
  virtual ~ConnectorSink() = default;
  virtual Outcome push(TicketId ticket) = 0;
  virtual Health health() const = 0;
};

struct MessageTemplate {
  std::string subject;
  std::string body;
};

struct ConfirmationSettings {
  bool on_created = true;
  bool on_assigned = true;
  MessageTemplate created;   // defaults in default_confirmation()
  MessageTemplate assigned;
};
ConfirmationSettings default_confirmation();
// The names a confirmation template may use.
const std::vector<std::string>& confirmation_placeholders();

struct NotifySettings {
  std::optional<SmtpSettings> smtp;  // none: no e-mail is sent
  ConfirmationSettings confirmation = default_confirmation();
  // Delivery: attempts before a delivery is dead, and the backoff between
  // them: base x 2^(attempt-1), at most `retry_max`, times a random 0.5..1.
  int max_attempts = 8;
  Duration retry_base = std::chrono::seconds(10);
  Duration retry_max = std::chrono::hours(1);
  Duration timeout = std::chrono::seconds(10);  // per attempt
  int workers = 4;                              // deliveries attempted at once
};

class Outbox final : public OutboxWriter {
 public:
  Outbox(Store& store, NotifySettings settings, Clock clock);
  // Loads the webhooks from the store. Call before the service starts.
  Status load();

  void write(std::vector<Event>& events, const Views& views, WriteBatch& batch) override;

  // Webhook administration. create assigns the id, the signing secret and
  // the time; a bad URL is a 422 on "url".
  Result<Webhook> create_webhook(Webhook draft);
  Result<Webhook> update_webhook(WebhookId id, const WebhookPatch& patch);
  std::vector<Webhook> webhooks() const;
  std::optional<Webhook> webhook(WebhookId id) const;
  // Puts a delivery back in line (pending, attempts reset, due now). 404
  // when there is no such delivery.
  Result<Delivery> redeliver(std::int64_t delivery_id);
  // Deliveries as the API lists them (Store::list_deliveries).
  Result<std::vector<Delivery>> list_deliveries(const DeliveryQuery& q) { return store_.list_deliveries(q); }

  // Tickets whose source is `name` get a connector delivery per change and
  // no customer e-mail (their help desk talks to its customers). Call before
  // the service starts (a null sink names the connector until it runs;
  // its deliveries wait); `sink` must outlive the outbox.
  void add_connector(const std::string& name, ConnectorSink* sink);
  ConnectorSink* connector(const std::string& name) const;
  std::vector<ConnectorSink::Health> connector_health() const;

  const NotifySettings& settings() const { return settings_; }
  Store& store() { return store_; }
  Time now() const { return clock_(); }

 private:
  std::optional<Delivery> confirmation(const Event& e, const TicketView& v, bool assigned) const;
  // An agent's public reply, e-mailed to the requester, threaded under
  // their mail (In-Reply-To, References) and not marked automatic.
  std::optional<Delivery> reply_mail(const Event& e, const TicketView& v, std::vector<OutboundMail::File> files) const;
  std::optional<Delivery> mail_to_requester(const Event& e, const TicketView& v, std::string subject,
                                            std::string body, bool automatic = true, std::string in_reply_to = {},
                                            std::vector<std::string> references = {},
                                            std::vector<OutboundMail::File> files = {}) const;

  Store& store_;
  NotifySettings settings_;
  Clock clock_;
  mutable std::mutex mu_;
  std::vector<Webhook> webhooks_;  // id order
  std::map<std::string, ConnectorSink*> connectors_;
};

}  // namespace sb::notify
