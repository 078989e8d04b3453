// GET /metrics: Prometheus text exposition.
#include "http/api.h"

#include <sstream>

#include "http/api_helpers.h"

namespace sb::http {

using namespace detail;

// Prometheus text exposition: requests and latencies by route, queues,
// agents by presence, events committed by type, the outbox backlog.
Response Api::prometheus(Request&) {
  std::ostringstream out;
  out << metrics_.exposition();
  out << "# HELP switchboard_queue_waiting Tickets waiting in a team's queue.\n# TYPE switchboard_queue_waiting gauge\n";
  const auto queues = service_.queues();
  for (const QueueStats& q : queues) {
    out << "switchboard_queue_waiting{team=\"" << prometheus_label(q.name) << "\"} " << q.waiting << "\n";
  }
  out << "# HELP switchboard_queue_oldest_wait_seconds How long the oldest waiting ticket has waited.\n"
         "# TYPE switchboard_queue_oldest_wait_seconds gauge\n";
  for (const QueueStats& q : queues) {
    out << "switchboard_queue_oldest_wait_seconds{team=\"" << prometheus_label(q.name) << "\"} "
        << (q.oldest_wait ? q.oldest_wait->count() / 1000.0 : 0.0) << "\n";
  }
  out << "# HELP switchboard_queue_agents_online Agents online in a team.\n# TYPE switchboard_queue_agents_online gauge\n";
  for (const QueueStats& q : queues) {
    out << "switchboard_queue_agents_online{team=\"" << prometheus_label(q.name) << "\"} " << q.agents_online << "\n";
  }
  std::array<int, enum_count<Presence>()> presence{};
  for (const AgentView& a : ok_or_throw(service_.list_agents())) ++presence[static_cast<std::size_t>(a.agent.presence)];
  out << "# HELP switchboard_agents Agents by presence.\n# TYPE switchboard_agents gauge\n";
  for (std::size_t i = 0; i < presence.size(); ++i) {
    out << "switchboard_agents{presence=\"" << to_string(static_cast<Presence>(i)) << "\"} " << presence[i] << "\n";
  }
  out << "# HELP switchboard_events_total Events committed since start, by type (assignments, SLA warnings and "
         "breaches, escalations, ...).\n# TYPE switchboard_events_total counter\n";
  const auto events = service_.event_counts();
  for (std::size_t i = 0; i < events.size(); ++i) {
    out << "switchboard_events_total{type=\"" << to_string(static_cast<EventType>(i)) << "\"} " << events[i] << "\n";
  }
  out << "# HELP switchboard_commands_shed_total Changes refused with 503 overloaded (too many in hand).\n"
         "# TYPE switchboard_commands_shed_total counter\n"
      << "switchboard_commands_shed_total " << service_.commands_shed() << "\n"
      << "# HELP switchboard_commands_in_flight Changes in hand now (waiting for the engine or their commit).\n"
         "# TYPE switchboard_commands_in_flight gauge\n"
      << "switchboard_commands_in_flight " << service_.commands_in_flight() << "\n";
  out << "# HELP switchboard_outbox_pending Webhook and e-mail deliveries waiting to be sent.\n"
         "# TYPE switchboard_outbox_pending gauge\n"
      << "switchboard_outbox_pending " << ok_or_throw(service_.count_deliveries(DeliveryState::kPending)) << "\n"
      << "# HELP switchboard_outbox_dead Deliveries given up on (redeliver them from the API).\n"
         "# TYPE switchboard_outbox_dead gauge\n"
      << "switchboard_outbox_dead " << ok_or_throw(service_.count_deliveries(DeliveryState::kDead)) << "\n";
  Response res{200, nullptr, {}};
  res.text = out.str();
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return res;
}

}  // namespace sb::http
