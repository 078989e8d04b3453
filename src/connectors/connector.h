#pragma once
// Connectors: Switchboard as the routing brain of a help desk a team already
// runs (docs/connectors.md). A connector takes the help desk's new tickets
// and changes in through intake (tickets keyed by source = the connector's
// name and external id = the help desk's ticket id) and writes what routing
// decided back through the outbox (one connector delivery per change, at
// least once, retried with backoff, dead letters listed with the others).
// The engine never knows a connector exists.
//
// What it has taken in is remembered in the store (a setting per connector:
// the last help-desk change applied), so a restart of either side misses
// nothing; applying a change twice does nothing more (intake refuses a
// second ticket for one external id; statuses and owners are compared
// first).
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "intake/intake.h"
#include "notify/outbox.h"

namespace sb::connectors {

struct ConnectorSettings {
  std::string name;                    // the tickets' source; unique among connectors
  std::string kind = "request_tracker";
  std::string url;                     // the help desk's base URL (http://rt.example.com)
  std::string user;                    // the help-desk user the connector acts as
  std::string password;                // HTTP Basic (config: password_env names the variable)
  std::string token;                   // or an auth token (token_env)
  std::map<std::string, std::string> queues;  // help-desk queue -> team (only these queues are taken in)
  std::map<std::string, std::string> agents;  // help-desk user -> agent e-mail (default: the user's own address)
  // Help-desk status -> ours; the way back is the first status mapped to ours.
  std::map<std::string, TicketStatus> statuses;
  Duration poll = std::chrono::seconds(2);
  bool history = true;                 // the first sync brings the tickets already there
  int page_size = 100;
  std::chrono::milliseconds timeout{10000};
};
// Request Tracker's statuses as ours.
std::map<std::string, TicketStatus> default_rt_statuses();

// What `switchboard connect check` prints: errors (the connector cannot work)
// and warnings (it works, but something will not be routed or written back).
struct CheckReport {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  std::vector<std::string> facts;  // what it found ("3 queues, 2 mapped", ...)
  bool ok() const { return errors.empty(); }
};

class Connector : public notify::ConnectorSink {
 public:
  // Polls every settings.poll on its own thread while `active` says so (the
  // routing owner, with several nodes).
  virtual void start(std::function<bool()> active) = 0;
  virtual void stop() = 0;
  // One round: every change the help desk has after the checkpoint, applied
  // in order, the checkpoint saved after each page.
  virtual Status sync_once() = 0;
  virtual CheckReport check() = 0;
  virtual const ConnectorSettings& settings() const = 0;
};

std::unique_ptr<Connector> make_connector(ConnectorSettings settings, intake::Intake& intake, Service& service);

}  // namespace sb::connectors
