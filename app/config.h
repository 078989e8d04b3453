#pragma once
// The optional YAML configuration of `switchboard serve`, parsed at the edge
// into typed structs. Errors name the file, the line and the field:
//   "demo.yaml:14: agents[2].skills.vpn: proficiency must be between 1 and 5"
#include "core/outbound.h"
#include "http/api.h"
#include <nlohmann/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/agent.h"
#include "customers/directory.h"
#include "core/status.h"
#include "triage/priority.h"
#include "triage/triage.h"
#include "connectors/connector.h"
#include "mail/imap.h"
#include "notify/outbox.h"

namespace sb {

struct SeedAgent {
  Agent agent;                          // teams left empty; see team_names
  std::vector<std::string> team_names;
};

struct SeedTeam {
  std::string name;
  // The team's routing settings as the API takes them ({"policy": ...}),
  // already checked; applied at every start. Null: leave the team's as they are.
  nlohmann::json routing;
};

struct ModelConfig {
  std::string path;                              // model file from `switchboard train`
  std::string name = "category";
  double min_confidence = 0.6;
  triage::Predicts predicts = triage::Predicts::kTeam;  // team|category|urgency|impact
  std::map<std::string, std::string> labels;     // label -> team name, or -> low|medium|high
};

// triage: the classifiers, rules and priority policy (see docs/triage.md).
struct TriageConfig {
  std::vector<ModelConfig> models;               // `model:` (one) or `models:` (a list)
  std::string triage_team = "Triage";
  std::optional<std::string> rules;              // rules file; reloaded on SIGHUP
  triage::PriorityPolicy priority;
  intake::ModelCheckOptions check;               // model_check: {holdout, tolerance}
};

struct Config {
  std::optional<std::string> listen;    // "ADDR:PORT"
  std::optional<std::string> db;        // SQLite file path
  std::vector<SeedTeam> teams;          // created when missing
  std::vector<SeedAgent> agents;        // created when no agent has the same e-mail
  Duration presence_grace{0};           // presence_grace_seconds
  std::optional<TriageConfig> triage;
  // tiers: the requester tiers SLA policies, priority and rules match on
  // (docs/customers.md); existing data's standard and vip by default.
  std::vector<std::string> tiers = default_tiers();
  // customers/organizations: attributes declared for them; fields: ticket
  // custom fields (docs/customers.md). directory.tiers is `tiers`.
  DirectorySettings directory;
  // sla: calendars and policies, the document GET/PUT /api/v1/sla-policies
  // use (see http/sla_json.h), already checked with the teams named here.
  std::optional<nlohmann::json> sla;
  // notifications: SMTP relay, confirmation templates, delivery retries (docs/notifications.md).
  notify::NotifySettings notifications;
  // mailboxes: IMAP inboxes polled for new tickets (docs/channels.md).
  std::vector<mail::ImapMailbox> mailboxes;
  // connectors: help desks kept in step (docs/connectors.md).
  std::vector<connectors::ConnectorSettings> connectors;
  // limits: requests per second and bursts per token, for the admin token
  // and per client address for the support form; changes in hand at once
  // before the server sheds load (docs/security.md).
  http::ApiLimits limits;
  // outbound: which addresses webhooks, SMTP and IMAP may connect to.
  OutboundPolicy outbound;
  // macros: canned replies agents apply on a ticket's page (docs/dashboard.md).
  std::vector<http::Macro> macros;
  bool has_team(const std::string& name) const {
    for (const SeedTeam& t : teams) {
      if (t.name == name) return true;
    }
    return false;
  }
};

Result<Config> load_config(const std::string& path);

// "127.0.0.1:8080" -> address and port; 422 on field "listen" when malformed.
struct ListenAddress {
  std::string address;
  std::uint16_t port = 0;
};
Result<ListenAddress> parse_listen(const std::string& text);

}  // namespace sb
