#pragma once
// Rows of the outbox (deliveries, webhooks, events) and of tokens, the
// readers' helpers, and write_batches(): one WriteBatch into every table, for
// SqlStore<Db> (sql_store_impl.h). Header-only, included only by it.
#include "db/sql/sql_directory_records.h"

namespace sb {
namespace {

const char* kDeliveryColumns =
    "id, kind, event_seq, webhook_id, recipient, message, message_id, state, attempts, next_attempt_at, "
    "delivered_at, last_error, created_at";

struct ReadDelivery {
  template <class St>
  Delivery operator()(const St& s) const {
    Delivery d;
    d.id = s.int64(0);
    d.kind = enum_or(s.text(1), DeliveryKind::kWebhook);
    d.event_seq = s.int64(2);
    if (auto w = s.optional_int64(3)) d.webhook = WebhookId{*w};
    d.recipient = s.text(4);
    d.message = s.text(5);
    d.message_id = s.text(6);
    d.state = enum_or(s.text(7), DeliveryState::kPending);
    d.attempts = static_cast<int>(s.int64(8));
    d.next_attempt_at = from_millis(s.int64(9));
    d.delivered_at = opt_time(s.optional_int64(10));
    d.last_error = s.text(11);
    d.created_at = from_millis(s.int64(12));
    return d;
  }
};
inline constexpr ReadDelivery read_delivery;

struct ReadWebhook {
  template <class St>
  Webhook operator()(const St& s) const {
    Webhook w;
    w.id = WebhookId{s.int64(0)};
    w.url = s.text(1);
    w.secret = s.text(2);
    for (const auto& name : json::parse(s.text(3), nullptr, false)) {
      if (name.is_string()) {
        if (auto e = parse_enum<EventType>(name.template get<std::string>(), "events"); e.ok()) w.events.push_back(*e);
      }
    }
    w.description = s.text(4);
    w.active = s.int64(5) != 0;
    w.created_at = from_millis(s.int64(6));
    return w;
  }
};
inline constexpr ReadWebhook read_webhook;

struct ReadEvent {
  template <class St>
  Event operator()(const St& s) const {
    Event e;
    e.seq = s.int64(0);
    e.id = s.text(1);
    e.type = enum_or(s.text(2), EventType::kTicketCreated);
    e.ticket = TicketId{s.int64(3)};
    e.at = from_millis(s.int64(4));
    e.data = s.text(5);
    return e;
  }
};
inline constexpr ReadEvent read_event;

template <class T, class St, class Read>
Result<std::vector<T>> read_all(St& st, Read read) {
  std::vector<T> out;
  for (;;) {
    auto row = st.step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read(st));
  }
  st.reset();
  return out;
}

template <class T, class St, class Read>
Result<std::optional<T>> first_row(St& st, Read read) {
  auto rows = read_all<T>(st, read);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<T>();
  return std::optional<T>(std::move(rows->front()));
}

struct ReadToken {
  template <class St>
  TokenRecord operator()(const St& s) const {
    TokenRecord t;
    t.hash = s.text(0);
    t.role = enum_or(s.text(1), Role::kAgent);
    if (auto a = s.optional_int64(2)) t.agent = AgentId{*a};
    t.created_at = from_millis(s.int64(3));
    t.expires_at = opt_time(s.optional_int64(4));
    t.revoked_at = opt_time(s.optional_int64(5));
    t.teams = team_ids_from_json(s.text(6));
    return t;
  }
};
inline constexpr ReadToken read_token;
const char* kTokenColumns = "hash, role, agent_id, created_at, expires_at, revoked_at, teams";

template <class Conn>
Status write_batches(Conn& c, std::span<const WriteBatch* const> batches) {
  // Fences first: the lease row is locked (PostgreSQL) until the commit, so a
  // take-over waits for this transaction or this transaction sees it.
  for (const WriteBatch* b : batches) {
    if (!b->fence) continue;
    const Fence& f = *b->fence;
    auto st = c.prepare(
        "UPDATE leases SET epoch = epoch WHERE partition = ? AND owner = ? AND epoch = ? AND expires_at > ? "
        "RETURNING epoch");
    if (!st) return st.error();
    st->bind(1, f.partition).bind(2, f.owner).bind(3, f.epoch).bind(4, to_millis(f.now));
    auto rows = read_all<std::int64_t>(*st, [](const auto& s) { return s.int64(0); });
    if (!rows) return rows.error();
    if (rows->empty()) {
      return Error::Conflict("not_owner", "the lease on '" + f.partition + "' is no longer " + f.owner + "'s");
    }
  }
  for (const WriteBatch* b : batches) {
    if (auto s = write_directory(c, *b); !s) return s;
    for (const Team& t : b->teams) {
      if (auto s = write_team(c, t); !s) {
        if (s.error().code == "constraint") {
          return Error::Conflict("duplicate_name", "a team named '" + t.name + "' exists", "name");
        }
        return s;
      }
    }
    for (const Agent& a : b->agents) {
      if (auto s = write_agent(c, a); !s) return s;
    }
    for (const Ticket& t : b->tickets) {
      if (auto s = write_ticket(c, t); !s) return s;
    }
    for (const AuditEntry& a : b->audit) {
      if (auto s = write_audit(c, a); !s) return s;
    }
    for (const Correction& k : b->corrections) {
      if (auto s = write_correction(c, k); !s) return s;
    }
    for (const TokenRecord& t : b->tokens) {
      if (auto s = write_token(c, t); !s) return s;
    }
    for (const Decision& d : b->decisions) {
      if (auto s = write_decision(c, d); !s) return s;
    }
    for (const Event& e : b->events) {
      if (auto s = write_event(c, e); !s) {
        if (s.error().code == "constraint") {
          return Error::Conflict("duplicate_event", "event " + std::to_string(e.seq) + " exists");
        }
        return s;
      }
    }
    for (const Delivery& d : b->deliveries) {
      if (auto s = write_delivery(c, d); !s) return s;
    }
    for (const Message& m : b->messages) {
      if (auto s = write_message(c, m); !s) return s;
    }
    for (const MailReceipt& r : b->receipts) {
      if (auto s = write_receipt(c, r); !s) return s;
    }
    for (const IdempotencyRecord& r : b->idempotency) {
      auto st = c.prepare(
          "INSERT INTO idempotency (scope, key, request, status, response, created_at) VALUES (?,?,?,?,?,?) "
          "ON CONFLICT (scope, key) DO UPDATE SET request = excluded.request, status = excluded.status, "
          "response = excluded.response, created_at = excluded.created_at");
      if (!st) return st.error();
      st->bind(1, r.scope).bind(2, r.key).bind(3, r.request).bind(4, std::int64_t{r.status}).bind(5, r.response);
      st->bind(6, to_millis(r.created_at));
      if (auto s = st->run(); !s) return s;
    }
    for (const Webhook& w : b->webhooks) {
      if (auto s = write_webhook(c, w); !s) return s;
    }
    for (const auto& [k, v] : b->settings) {
      if (auto s = write_setting(c, k, v); !s) return s;
    }
  }
  return Status::Ok();
}

}  // namespace
}  // namespace sb
