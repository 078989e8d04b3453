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
  if (outbox_) {
    const auto connectors = outbox_->connector_health();
    if (!connectors.empty()) {
      out << "# HELP switchboard_connector_up Whether the connector's last round reached its help desk and applied everything.\n"
             "# TYPE switchboard_connector_up gauge\n"
             "# HELP switchboard_connector_lag_seconds From the newest help-desk change taken in to when it was taken.\n"
             "# TYPE switchboard_connector_lag_seconds gauge\n"
             "# HELP switchboard_connector_backlog Help-desk changes not taken in yet.\n"
             "# TYPE switchboard_connector_backlog gauge\n"
             "# HELP switchboard_connector_last_sync_seconds When the last round reached the help desk (Unix time).\n"
             "# TYPE switchboard_connector_last_sync_seconds gauge\n"
             "# HELP switchboard_connector_errors_total Failed rounds and refused changes.\n"
             "# TYPE switchboard_connector_errors_total counter\n"
             "# HELP switchboard_connector_written_total Write-backs done.\n"
             "# TYPE switchboard_connector_written_total counter\n";
      for (const auto& h : connectors) {
        const std::string l = "{connector=\"" + h.name + "\"} ";
        out << "switchboard_connector_up" << l << (h.ok ? 1 : 0) << "\n"
            << "switchboard_connector_lag_seconds" << l << h.lag_seconds << "\n"
            << "switchboard_connector_backlog" << l << h.backlog << "\n"
            << "switchboard_connector_last_sync_seconds" << l << (h.last_sync ? to_millis(*h.last_sync) / 1000 : 0) << "\n"
            << "switchboard_connector_errors_total" << l << h.errors << "\n"
            << "switchboard_connector_written_total" << l << h.written << "\n";
      }
    }
  }
  Response res{200, nullptr, {}};
  res.text = out.str();
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return res;
}

}  // namespace sb::http
