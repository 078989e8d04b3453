#include "notify/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "notify/signature.h"

namespace sb::notify {

Dispatcher::Dispatcher(Outbox& outbox) : outbox_(outbox) {}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::start(std::chrono::milliseconds poll, std::function<bool()> active) {
  thread_ = std::thread([this, poll, active = std::move(active)] {
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, poll, [&] { return woken_ || stopping_; });
        if (stopping_) return;
        woken_ = false;
      }
      if (active && !active()) continue;
      try {
        while (run_once(outbox_.now()) > 0) {
          std::lock_guard lock(mu_);
          if (stopping_) return;
        }
      } catch (const std::exception& e) {
        spdlog::error("outbox delivery round failed: {}", e.what());
      }
    }
  });
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Dispatcher::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

Duration Dispatcher::backoff(int attempts) {
  const NotifySettings& s = outbox_.settings();
  double ms = static_cast<double>(s.retry_base.count());
  for (int i = 1; i < attempts && ms < static_cast<double>(s.retry_max.count()); ++i) ms *= 2;
  ms = std::min(ms, static_cast<double>(s.retry_max.count()));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return Duration(static_cast<std::int64_t>(ms * jitter(rng_)));
}

Dispatcher::Outcome Dispatcher::attempt(const Delivery& d, Time now) {
  const NotifySettings& s = outbox_.settings();
  if (d.kind == DeliveryKind::kEmail) {
    if (!s.smtp) return {false, true, "no SMTP relay is configured"};
    if (auto sent = send_mail(*s.smtp, d.recipient, d.message, s.timeout); !sent) {
      return {false, sent.error().kind == ErrorKind::kInvalidArgument, sent.error().message};
    }
    return {true, false, {}};
  }
  if (d.kind == DeliveryKind::kConnector) {
    ConnectorSink* sink = outbox_.connector(d.recipient);
    if (!sink) return {false, false, "connector " + d.recipient + " is not running here"};
    auto events = outbox_.store().list_events(d.event_seq - 1, 1);
    if (!events) return {false, false, events.error().message};
    if (events->empty() || events->front().seq != d.event_seq) return {false, true, "the event is gone"};
    const ConnectorSink::Outcome o = sink->push(events->front().ticket);
    return {o.ok, o.permanent, o.error, o.retry_after};
  }
  const std::optional<Webhook> hook = d.webhook ? outbox_.webhook(*d.webhook) : std::nullopt;
  if (!hook) return {false, true, "the webhook no longer exists"};
  if (!hook->active) return {false, true, "the webhook is disabled"};
  auto events = outbox_.store().list_events(d.event_seq - 1, 1);
  if (!events) return {false, false, events.error().message};
  if (events->empty() || events->front().seq != d.event_seq) return {false, true, "the event is gone"};
  const Event& e = events->front();
  const std::vector<std::string> headers{
      std::string(kSignatureHeader) + ": " + signature_header(hook->secret, to_millis(now) / 1000, e.data),
      "Switchboard-Event-Id: " + e.id,
      "Switchboard-Event-Type: " + std::string(to_string(e.type)),
      "Switchboard-Delivery-Id: " + std::to_string(d.id),
      "Switchboard-Delivery-Attempt: " + std::to_string(d.attempts + 1),
      "User-Agent: Switchboard-Webhooks/1"};
  auto status = post_json(hook->url, headers, e.data, s.timeout);
  if (!status) return {false, false, status.error().message};
  if (*status >= 200 && *status < 300) return {true, false, {}};
  return {false, false, "the receiver answered HTTP " + std::to_string(*status)};
}

int Dispatcher::run_once(Time now, int limit) {
  auto due = outbox_.store().due_deliveries(now, limit);
  if (!due) {
    spdlog::warn("outbox: cannot read due deliveries: {}", due.error().message);
    return 0;
  }
  if (due->empty()) return 0;
  const NotifySettings& s = outbox_.settings();
  std::vector<Outcome> outcomes(due->size());
  {
    // A few at a time, so that one slow receiver does not hold up the rest.
    std::atomic<std::size_t> next{0};
    std::vector<std::jthread> workers;
    const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, s.workers)), due->size());
    for (std::size_t w = 0; w < n; ++w) {
      workers.emplace_back([&] {
        for (std::size_t i; (i = next++) < due->size();) outcomes[i] = attempt((*due)[i], now);
      });
    }
  }
  const Time done = outbox_.now();
  for (std::size_t i = 0; i < due->size(); ++i) {
    Delivery d = (*due)[i];
    const Outcome& o = outcomes[i];
    ++d.attempts;
    if (o.ok) {
      d.state = DeliveryState::kDelivered;
      d.delivered_at = done;
      d.last_error.clear();
    } else {
      d.last_error = o.error;
      if (o.permanent || d.attempts >= s.max_attempts) {
        d.state = DeliveryState::kDead;
        spdlog::warn("outbox: delivery {} ({} of event {}) is dead after {} attempts: {}", d.id, to_string(d.kind),
                     d.event_seq, d.attempts, o.error);
      } else {
        d.next_attempt_at = done + (o.retry_after ? *o.retry_after : backoff(d.attempts));
      }
    }
    if (auto st = outbox_.store().update_delivery(d); !st) {
      spdlog::warn("outbox: cannot record delivery {}: {}", d.id, st.error().message);
    }
  }
  return static_cast<int>(due->size());
}

}  // namespace sb::notify
