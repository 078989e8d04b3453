#pragma once
// Something that happened to a ticket that the outside world may want to
// hear about: webhooks, the live event stream, customer confirmations. The
// engine emits them with the change; the service numbers them and writes
// them to the outbox in the same transaction as the change, so an event is
// durable exactly when the change is.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/enums.h"
#include "core/ids.h"
#include "core/time.h"

namespace sb {

enum class EventType {
  kTicketCreated,
  kTicketAssigned,
  kTicketStatusChanged,
  kSlaWarning,
  kSlaBreached,
  kTicketEscalated,
  kCommentAdded,  // from the service (the engine keeps no text): kind, public, author_name, body, comment_id
  kTicketUnassigned,  // the assignee was taken off: agent_id, reason (requeued, declined, offer_expired, ...)
};
template <>
struct EnumNames<EventType> {
  static constexpr std::array<std::string_view, 8> names{"ticket.created",        "ticket.assigned",
                                                         "ticket.status_changed", "sla.warning",
                                                         "sla.breached",          "ticket.escalated",
                                                         "ticket.comment_added",  "ticket.unassigned"};
};

struct Event {
  std::int64_t seq = 0;  // outbox order, 1, 2, ...; set by the service
  std::string id;        // unique ("evt_" + 24 hex); set by the service
  EventType type = EventType::kTicketCreated;
  TicketId ticket;
  Time at;
  // What the engine knows beyond the ticket: from/to status, the clock, the
  // escalation action, the agent offered. Flat strings; the encoder maps them.
  std::map<std::string, std::string> details;
  std::string data;      // the JSON document delivered; set by the service
};

// An outbound HTTP subscriber.
using WebhookId = Id<struct WebhookTag>;
struct Webhook {
  WebhookId id;
  std::string url;
  std::string secret;             // HMAC-SHA256 key for the signature header
  std::vector<EventType> events;  // empty: every type
  std::string description;
  bool active = true;
  Time created_at;
  bool wants(EventType t) const;
};

// What PATCH /api/v1/webhooks/{id} may change; absent = keep.
struct WebhookPatch {
  std::optional<std::string> url;
  std::optional<std::vector<EventType>> events;
  std::optional<std::string> description;
  std::optional<bool> active;
};

// kConnector: a ticket's state written back to the help desk that holds it
// (recipient: the connector's name).
enum class DeliveryKind { kWebhook, kEmail, kConnector };
template <>
struct EnumNames<DeliveryKind> {
  static constexpr std::array<std::string_view, 3> names{"webhook", "email", "connector"};
};
enum class DeliveryState { kPending, kDelivered, kDead };
template <>
struct EnumNames<DeliveryState> {
  static constexpr std::array<std::string_view, 3> names{"pending", "delivered", "dead"};
};

// One event (or one e-mail) on its way to one destination. Written with the
// event; the dispatcher sends it at least once, backing off between
// attempts, and gives up (dead) after the configured number of attempts.
struct Delivery {
  std::int64_t id = 0;  // set by the store
  DeliveryKind kind = DeliveryKind::kWebhook;
  std::int64_t event_seq = 0;
  std::optional<WebhookId> webhook;  // kWebhook
  std::string recipient;             // kEmail: the address
  std::string message;               // kEmail: the whole RFC 5322 message
  std::string message_id;            // kEmail: its Message-ID, for threading replies
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;
  Time next_attempt_at;
  std::optional<Time> delivered_at;
  std::string last_error;
  Time created_at;
};

inline bool Webhook::wants(EventType t) const {
  if (events.empty()) return true;
  for (EventType e : events) {
    if (e == t) return true;
  }
  return false;
}

}  // namespace sb
