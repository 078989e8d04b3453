// The outbox's routes: webhook subscriptions, deliveries (list, redeliver)
// and the live event stream (Server-Sent Events).
#include <algorithm>
#include <chrono>
#include <sstream>

#include "http/api.h"
#include "http/api_helpers.h"
#include "json/json_mapping.h"

namespace sb::http {

using namespace detail;

notify::Outbox& Api::outbox() {
  if (!outbox_) {
    throw Fail{Error{ErrorKind::kUnavailable, "not_configured", "notifications are not set up on this server", {}}};
  }
  return *outbox_;
}

json connector_health_json(const notify::ConnectorSink::Health& h) {
  return {{"name", h.name},
          {"type", h.kind},
          {"url", h.url},
          {"ok", h.ok},
          {"last_error", h.last_error.empty() ? json(nullptr) : json(h.last_error)},
          {"last_sync", h.last_sync ? json(format_time(*h.last_sync)) : json(nullptr)},
          {"lag_seconds", h.lag_seconds},
          {"backlog", h.backlog},
          {"errors", h.errors},
          {"taken", h.taken},
          {"written", h.written},
          {"problems", h.problems}};
}

// Connectors and how they are doing (the dashboard's panel).
Response Api::list_connectors(Request&) {
  json out = json::array();
  if (outbox_) {
    for (const auto& h : outbox_->connector_health()) {
      json j = connector_health_json(h);
      DeliveryQuery q;
      q.state = DeliveryState::kDead;
      q.limit = 200;
      std::int64_t dead = 0;
      if (auto list = outbox_->list_deliveries(q)) {
        for (const Delivery& d : *list) dead += d.kind == DeliveryKind::kConnector && d.recipient == h.name;
      }
      j["dead_letters"] = dead;
      out.push_back(std::move(j));
    }
  }
  return ok({{"connectors", std::move(out)}});
}

Response Api::check_connector(Request& r) {
  const std::string name = r.params.at("name");
  std::optional<json> report = connector_check_ ? connector_check_(name) : std::nullopt;
  if (!report) throw Fail{Error::NotFound("connector " + name)};
  return ok(*report);
}

Response Api::create_webhook(Request& r) {
  Webhook draft = ok_or_throw(parse_webhook_create(parse_body(r)));
  const Webhook w = ok_or_throw(outbox().create_webhook(std::move(draft)));
  Response res = created(to_json(w, /*with_secret=*/true));
  res.headers.emplace_back("Location", "/api/v1/webhooks/" + std::to_string(w.id.value));
  return res;
}

Response Api::list_webhooks(Request&) {
  json out = json::array();
  for (const Webhook& w : outbox().webhooks()) out.push_back(to_json(w, false));
  return ok({{"webhooks", std::move(out)}});
}

Response Api::get_webhook(Request& r) {
  const WebhookId id{id_param(r, "webhook")};
  auto w = outbox().webhook(id);
  if (!w) throw Fail{Error::NotFound("webhook " + std::to_string(id.value))};
  return ok(to_json(*w, false));
}

Response Api::update_webhook(Request& r) {
  const WebhookId id{id_param(r, "webhook")};
  const WebhookPatch patch = ok_or_throw(parse_webhook_patch(parse_body(r)));
  return ok(to_json(ok_or_throw(outbox().update_webhook(id, patch)), false));
}

Response Api::delete_webhook(Request& r) {
  // Deactivates: its deliveries stay listable; nothing new is sent to it.
  const WebhookId id{id_param(r, "webhook")};
  WebhookPatch off;
  off.active = false;
  ok_or_throw(outbox().update_webhook(id, off));
  return Response{204, nullptr, {}};
}

Response Api::list_deliveries(Request& r) {
  DeliveryQuery q;
  if (auto it = r.query.find("state"); it != r.query.end() && !it->second.empty()) {
    q.state = ok_or_throw(parse_enum<DeliveryState>(it->second, "state"));
  }
  if (auto w = int_query(r, "webhook_id", 1, INT64_MAX)) q.webhook = WebhookId{*w};
  if (auto e = int_query(r, "event_sequence", 1, INT64_MAX)) q.event_seq = *e;
  if (auto a = int_query(r, "after", 0, INT64_MAX)) q.after = *a;
  if (auto l = int_query(r, "limit", 1, 500)) q.limit = static_cast<int>(*l);
  const std::vector<Delivery> page = ok_or_throw(outbox().list_deliveries(q));
  json out = json::array();
  for (const Delivery& d : page) out.push_back(to_json(d));
  json body{{"deliveries", std::move(out)}};
  body["next_after"] = static_cast<int>(page.size()) == q.limit ? json(page.back().id) : json(nullptr);
  return ok(std::move(body));
}

Response Api::redeliver(Request& r) {
  const std::int64_t id = id_param(r, "delivery");
  return Response{202, to_json(ok_or_throw(outbox().redeliver(id))), {}};
}

// GET /api/v1/events: every committed event after ?after= (or Last-Event-ID;
// default: only new ones), as Server-Sent Events: "id: <seq>", "event:
// <type>", "data: <the webhook document>". ?types=a,b filters by type.
Response Api::event_stream(Request& r) {
  std::int64_t after = service_.committed_event_seq();
  if (!r.last_event_id.empty()) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(r.last_event_id.data(), r.last_event_id.data() + r.last_event_id.size(), v);
    if (ec != std::errc() || p != r.last_event_id.data() + r.last_event_id.size() || v < 0) {
      throw Fail{Error::Invalid("Last-Event-ID", "Last-Event-ID must be an event sequence number")};
    }
    after = v;
  }
  if (auto a = int_query(r, "after", 0, INT64_MAX)) after = *a;
  std::vector<EventType> types;
  if (auto it = r.query.find("types"); it != r.query.end() && !it->second.empty()) {
    std::stringstream list(it->second);
    for (std::string name; std::getline(list, name, ',');) types.push_back(ok_or_throw(parse_enum<EventType>(name, "types")));
  }
  // An agent sees the events of tickets assigned to them, a supervisor those
  // of their teams' tickets (the team the ticket is in after the event).
  const Principal who = r.principal;

  Response res;
  res.headers = {{"Content-Type", "text/event-stream"}, {"X-Accel-Buffering", "no"}};
  res.stream = [this, after, types, who](const StreamWriter& write) mutable {
    using namespace std::chrono;
    if (!write("retry: 2000\n\n")) return;
    auto last_write = steady_clock::now();
    const auto ends = last_write + seconds(limits_.event_stream_seconds);
    for (bool first = true;; first = false) {
      // A token revoked or expired while the stream is open ends it within
      // the second; every stream ends after its lifetime (the client's
      // EventSource reconnects with Last-Event-ID and is checked afresh).
      if (!first && (!still_authorised(who) || steady_clock::now() >= ends)) return;
      auto events = service_.list_events(after, 200);
      if (!events) return;
      std::string chunk;
      for (const Event& e : *events) {
        after = e.seq;
        if (!types.empty() && std::find(types.begin(), types.end(), e.type) == types.end()) continue;
        if (!who.is_admin()) {
          const json doc = json::parse(e.data, nullptr, false);
          const json* ticket = doc.is_object() ? &doc["data"]["ticket"] : nullptr;
          if (!ticket || !ticket->is_object()) continue;
          auto id_of = [&](const char* key) -> std::optional<std::int64_t> {
            auto it = ticket->find(key);
            if (it == ticket->end() || !it->is_number_integer()) return std::nullopt;
            return it->get<std::int64_t>();
          };
          const auto assignee = id_of("assignee_id");
          const auto team = id_of("team");
          const std::optional<TeamId> team_id = team ? std::optional<TeamId>(TeamId{*team}) : std::nullopt;
          const bool shown = who.is_supervisor() ? who.manages(team_id)
                                                 : (who.agent && assignee && *assignee == who.agent->value) ||
                                                       who.works_in(team_id);
          if (!shown) continue;
        }
        chunk += "id: " + std::to_string(e.seq) + "\nevent: " + std::string(to_string(e.type)) + "\ndata: " + e.data +
                 "\n\n";
      }
      if (!chunk.empty()) {
        if (!write(chunk)) return;
        last_write = steady_clock::now();
      }
      if (events->size() == 200) continue;  // more to catch up on
      service_.wait_for_events(after, seconds(1));
      if (steady_clock::now() - last_write > seconds(15)) {
        if (!write(": keep-alive\n\n")) return;  // also finds clients that left
        last_write = steady_clock::now();
      } else if (!write("")) {
        return;  // the server is stopping
      }
    }
  };
  return res;
}

}  // namespace sb::http
