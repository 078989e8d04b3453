#include "app/serve.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "json/json_mapping.h"
#include "intake/intake.h"
#include "intake/triage_gate.h"
#include "mail/ingest.h"
#include "app/rules_yaml.h"

#include "app/config.h"
#include "cluster/forward.h"
#include "lease/lease_keeper.h"
#include "http/api.h"
#include "http/auth.h"
#include "http/server.h"
#include "json/sla_json.h"
#include "notify/dispatcher.h"
#include "service/service.h"
#include "db/open_store.h"

namespace sb {
namespace {

constexpr const char* kDefaultDb = "var/switchboard.db";
constexpr const char* kDefaultListen = "127.0.0.1:8080";

// Creates the config's teams and agents that do not exist yet (teams by name,
// agents by e-mail, or by name when they have none). Safe on every start.
Status seed(Service& service, const Config& config) {
  for (const SeedTeam& seed : config.teams) {
    if (service.team_by_name(seed.name)) continue;
    auto t = service.create_team(Team{TeamId{}, seed.name, {}, {}});
    if (!t) return t.error();
  }
  // Routing settings from the config apply at every start (after every team
  // exists, so overflow may name any of them).
  auto resolve = [&](const std::string& name) { return service.team_by_name(name); };
  for (const SeedTeam& seed : config.teams) {
    if (seed.routing.is_null()) continue;
    const TeamId id = *service.team_by_name(seed.name);
    auto routing = http::parse_routing(seed.routing, TeamRouting{}, resolve);
    if (!routing) return routing.error();
    TeamPatch patch;
    patch.routing = std::move(*routing);
    auto t = service.update_team(id, patch);
    if (!t) return t.error();
  }
  auto existing = service.list_agents();
  if (!existing) return existing.error();
  for (const SeedAgent& seed : config.agents) {
    const bool present = std::any_of(existing->begin(), existing->end(), [&](const AgentView& v) {
      return seed.agent.email.empty() ? v.agent.name == seed.agent.name : v.agent.email == seed.agent.email;
    });
    if (present) continue;
    Agent a = seed.agent;
    for (const std::string& name : seed.team_names) a.teams.push_back(*service.team_by_name(name));
    auto created = service.create_agent(std::move(a));
    if (!created) return created.error();
  }
  return Status::Ok();
}

// What a node does when it takes charge of routing (at start for one node,
// on taking the lease for several): rebuild the engine from the store, load
// the webhooks, create what the config names, and put the SLA policies in
// force. Errors of the config are invalid-argument errors (exit 2).
Status take_charge(Service& service, Store& store, notify::Outbox& outbox, const Config& config,
                   const std::optional<Fence>& fence) {
  if (auto s = outbox.load(); !s) return Error::Unavailable("cannot load webhooks: " + s.error().message);
  if (auto s = fence ? service.take_over(*fence) : service.start(); !s) {
    return Error::Unavailable("cannot load state: " + s.error().message);
  }
  if (auto s = seed(service, config); !s) return Error::Unavailable("cannot seed from config: " + s.error().message);
  if (config.triage && !config.triage->models.empty() && !service.team_by_name(config.triage->triage_team)) {
    // Its agents' work is moving tickets to where they belong.
    Team triage_team{TeamId{}, config.triage->triage_team, {}, {}};
    triage_team.routing.agents_move_tickets = true;
    if (auto t = service.create_team(std::move(triage_team)); !t) {
      return Error::Unavailable("cannot create the triage team: " + t.error().message);
    }
  }
  // SLA policies, with team names resolved now that every team exists.
  // Policies saved through the API (PUT /api/v1/sla-policies) win over the
  // config file's.
  auto saved = store.find_setting("sla");
  if (!saved) return Error::Unavailable("cannot read settings: " + saved.error().message);
  std::optional<nlohmann::json> doc = config.sla;
  const char* source = "the config file";
  if (*saved) {
    doc = nlohmann::json::parse(**saved, nullptr, false);
    source = "the store (saved through the API)";
  }
  if (doc) {
    auto policies = http::parse_sla_settings(
        *doc, [&service](const std::string& name) { return service.team_by_name(name); }, config.tiers);
    if (!policies) {
      return Error::Invalid("sla", std::string("SLA policies from ") + source + ": " + policies.error().field + ": " +
                                       policies.error().message);
    }
    spdlog::info("{} SLA policies from {}", policies->size(), source);
    service.set_sla_policies(std::move(*policies));
  }
  return Status::Ok();
}

}  // namespace

int serve(const ServeOptions& options) {
  // Logs go to stderr; stdout carries only what a person or script reads
  // (the address, and a generated admin token).
  spdlog::set_default_logger(spdlog::stderr_color_mt("switchboard"));
  Config config;
  if (options.config) {
    auto c = load_config(*options.config);
    if (!c) {
      std::fprintf(stderr, "switchboard: bad config: %s\n", c.error().message.c_str());
      return 2;
    }
    config = std::move(*c);
  }
  set_outbound_policy(config.outbound);  // webhooks, SMTP and IMAP connect only where it allows
  const std::string db_path = options.db.value_or(config.db.value_or(kDefaultDb));
  const std::string listen_text = options.listen.value_or(config.listen.value_or(kDefaultListen));
  auto listen = parse_listen(listen_text);
  if (!listen) {
    std::fprintf(stderr, "switchboard: --listen: %s\n", listen.error().message.c_str());
    return 2;
  }
  const bool clustered = options.node.has_value();
  if (clustered && (options.node->empty() || options.node->size() > 64)) {
    std::fprintf(stderr, "switchboard: --node: give this node a name of 1 to 64 characters\n");
    return 2;
  }
  if (options.advertise && !clustered) {
    std::fprintf(stderr, "switchboard: --advertise only applies with --node\n");
    return 2;
  }
  if (clustered && !options.advertise && (listen->address == "0.0.0.0" || listen->address == "::")) {
    std::fprintf(stderr, "switchboard: listening on every address: give --advertise HOST:PORT for the other nodes\n");
    return 2;
  }

  std::string admin_token;
  bool generated = false;
  if (options.admin_token) {
    admin_token = *options.admin_token;
  } else if (const char* env = std::getenv("SWITCHBOARD_ADMIN_TOKEN"); env && *env) {
    admin_token = env;
  } else if (clustered) {
    std::fprintf(stderr, "switchboard: every node needs the same admin token: give --admin-token or "
                         "SWITCHBOARD_ADMIN_TOKEN\n");
    return 2;
  } else {
    admin_token = http::new_token();
    generated = true;
  }
  if (admin_token.size() < 16) {
    std::fprintf(stderr, "switchboard: the admin token must be at least 16 characters\n");
    return 2;
  }

  auto store = open_store(db_path);
  if (!store) {
    std::fprintf(stderr, "switchboard: %s\n", store.error().message.c_str());
    return 1;
  }
  EngineOptions engine_options;
  engine_options.presence_grace = config.presence_grace;
  Service service(**store, engine_options);
  // The outbox: events are written with their changes; the dispatcher
  // delivers webhooks and confirmation e-mails in the background.
  notify::Outbox outbox(**store, config.notifications, system_now);
  for (const connectors::ConnectorSettings& cs : config.connectors) outbox.add_connector(cs.name, nullptr);
  service.set_outbox(&outbox);

  // Triage: the classifier and rules, checked before serving anything.
  triage::TriageSettings triage_settings;
  const triage::RuleVocabulary vocabulary{config.tiers, config.directory.customer_attributes,
                                          config.directory.organization_attributes, config.directory.ticket_fields};
  std::optional<std::string> rules_path;
  if (config.triage) {
    const TriageConfig& tc = *config.triage;
    triage_settings.triage_team = tc.triage_team;
    triage_settings.priority = tc.priority;
    for (const ModelConfig& mc : tc.models) {
      auto model = triage::Classifier::load(mc.path);
      if (!model) {
        std::fprintf(stderr, "switchboard: triage model '%s': %s\n", mc.name.c_str(), model.error().message.c_str());
        return 2;
      }
      triage_settings.models.push_back(triage::ModelSettings{
          std::make_shared<const triage::Classifier>(std::move(*model)), mc.name, mc.min_confidence, mc.predicts, mc.labels,
          mc.path});
    }
    if (tc.rules) {
      auto book = triage::load_rules(*tc.rules, vocabulary);
      if (!book) {
        std::fprintf(stderr, "switchboard: triage.rules: %s\n", book.error().message.c_str());
        return 2;
      }
      triage_settings.rules = std::make_shared<const triage::RuleBook>(std::move(*book));
      rules_path = tc.rules;
    }
  }

  if (clustered) {
    service.stand_down();  // until the lease is ours
  } else if (auto s = take_charge(service, **store, outbox, config, std::nullopt); !s) {
    std::fprintf(stderr, "switchboard: %s\n", s.error().message.c_str());
    return s.error().kind == ErrorKind::kInvalidArgument ? 2 : 1;
  }

  triage_settings.tiers = config.tiers;
  intake::TriageGate triage_gate(std::move(triage_settings), rules_path,
                                 [vocabulary](const std::string& path) { return triage::load_rules(path, vocabulary); });
  Directory directory(**store, service.clock(), config.directory);
  intake::Intake intake(service, triage_gate, &directory);
  intake::ModelUpdater model_updater(service, triage_gate, config.triage ? config.triage->check : intake::ModelCheckOptions{});
  // Connectors: help desks kept in step (docs/connectors.md); their names
  // were given to the outbox before the service started.
  std::vector<std::unique_ptr<connectors::Connector>> connectors;
  for (const connectors::ConnectorSettings& cs : config.connectors) {
    connectors.push_back(connectors::make_connector(cs, intake, service));
    outbox.add_connector(cs.name, connectors.back().get());
  }
  http::Api api(service, intake, http::hash_token(admin_token), &outbox);
  api.set_connector_check([&connectors](const std::string& name) -> std::optional<nlohmann::json> {
    for (auto& c : connectors) {
      if (c->settings().name != name) continue;
      const connectors::CheckReport r = c->check();
      return nlohmann::json{{"name", name}, {"ok", r.ok()}, {"errors", r.errors}, {"warnings", r.warnings}, {"facts", r.facts}};
    }
    return std::nullopt;
  });
  api.set_web_dir(options.web_dir.value_or(SWITCHBOARD_WEB_DIR));
  api.set_limits(config.limits);
  api.set_macros(config.macros);
  if (config.triage && !config.triage->models.empty()) api.set_model_updater(&model_updater);
  service.set_max_commands_in_flight(config.limits.commands_in_flight);
  http::ServerOptions server_options;
  server_options.address = listen->address;
  server_options.port = listen->port;
  server_options.max_connections = config.limits.connections;
  server_options.max_connections_per_address = config.limits.connections_per_address;
  server_options.idle_timeout = std::chrono::seconds(config.limits.idle_seconds);
  server_options.check_head = [&api](http::Request& head) { return api.check_head(head); };
  if (auto proxies = http::TrustedProxies::parse(config.limits.trusted_proxies); proxies && !proxies->empty()) {
    server_options.exempt = [trusted = std::move(*proxies)](const std::string& address) { return trusted.trusts(address); };
  }
  server_options.drain = std::chrono::milliseconds(static_cast<std::int64_t>(options.drain_seconds * 1000));
  // Several nodes: what only the routing owner may do is handed to it.
  std::unique_ptr<cluster::LeaseKeeper> keeper;
  const std::string node_name = options.node.value_or("");
  http::Server server(server_options, [&](http::Request& r) -> http::Response {
    for (int attempt = 0;; ++attempt) {
      if (!keeper || keeper->owner() || cluster::answered_by_any_node(r)) return api.handle(r);
      if (!r.forwarded_by.empty()) {
        return http::error_response(Error::NotOwner("handed on by " + r.forwarded_by + ", but " + node_name +
                                                    " does not own routing either; retry"));
      }
      const cluster::NodeStatus st = keeper->status();
      if (st.owner_address.empty() || st.owner_id == keeper->options().id) {
        return http::error_response(Error::NotOwner("no node owns routing just now; retry"));
      }
      bool not_sent = false;
      http::Response res = cluster::forward(r, st.owner_address, node_name, std::chrono::seconds(30), &not_sent);
      if (!not_sent || attempt == 1) return res;
      keeper->refresh();  // the owner is gone: who has routing now? (it may be this node)
    }
  });
  std::vector<std::thread> model_checks;  // joined before the updater goes
  server.on_hangup([&triage_gate, &model_updater, &model_checks] {
    if (triage_gate.rules_path()) {
      auto n = triage_gate.reload_rules();
      if (n) {
        spdlog::info("SIGHUP: reloaded {} rules", *n);
      } else {
        spdlog::error("SIGHUP: {}", n.error().message);
      }
    }
    // Candidate models are checked off the signal thread's way: scoring takes a while.
    model_checks.emplace_back([&model_updater] {
      auto checks = model_updater.check_candidates();
      if (!checks && checks.error().code != "no_candidate") spdlog::error("SIGHUP: {}", checks.error().message);
    });
  });
  server.on_drain([&keeper] {
    // An owner going away hands routing to another node at once, while its
    // own requests in progress finish.
    if (keeper) keeper->stop();
  });
  if (auto s = server.listen(); !s) {
    std::fprintf(stderr, "switchboard: %s\n", s.error().message.c_str());
    return 1;
  }
  spdlog::info("switchboard {} serving http://{}:{} on {}", SWITCHBOARD_VERSION, listen->address, server.port(),
               redact_store_target(db_path));
  if (clustered) {
    cluster::NodeOptions node;
    node.name = node_name;
    node.id = cluster::unique_node_id(node_name);
    node.address = options.advertise.value_or(listen->address + ":" + std::to_string(server.port()));
    node.ttl = std::chrono::milliseconds(static_cast<std::int64_t>(options.lease_ttl_seconds * 1000));
    keeper = std::make_unique<cluster::LeaseKeeper>(
        **store, node, system_now,
        [&](const Fence& fence) { return take_charge(service, **store, outbox, config, fence); },
        [&service] { service.stand_down(); });
    api.set_node_status([&keeper, node] {
      const cluster::NodeStatus st = keeper->status();
      return nlohmann::json{{"name", node.name},          {"id", node.id},
                            {"address", node.address},    {"role", st.owner ? "owner" : "follower"},
                            {"owner", st.owner_id},       {"owner_address", st.owner_address},
                            {"epoch", st.epoch},          {"takeovers", st.takeovers}};
    });
    keeper->run_once();  // the first round before serving: a lone node owns routing when it says it listens
    keeper->start();
    spdlog::info("node {} ({}) at {}: {}", node.name, node.id, node.address,
                 keeper->owner() ? "owns routing" : "follows " + keeper->status().owner_id);
  }
  if (generated) {
    // Shown once: only its hash is kept, in memory.
    std::printf("admin token: %s\n", admin_token.c_str());
  }
  std::printf("listening on http://%s:%u\n", listen->address.c_str(), static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  // Time reaches the engine as ticks: offer timeouts, relaxation steps,
  // sticky waits and presence grace fire from here (on the routing owner).
  std::jthread ticker([&service](std::stop_token stop) {
    while (!stop.stop_requested()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (auto s = service.tick(); !s) spdlog::warn("timer step failed: {}", s.error().message);
    }
  });
  notify::Dispatcher dispatcher(outbox);
  dispatcher.start(std::chrono::milliseconds(100), [&service] { return service.active(); });
  for (auto& c : connectors) c->start([&service] { return service.active(); });
  // IMAP inboxes: each polled on its own thread into the same intake as POST /api/v1/mail.
  std::vector<std::unique_ptr<mail::ImapPoller>> pollers;
  for (const mail::ImapMailbox& box : config.mailboxes) {
    pollers.push_back(std::make_unique<mail::ImapPoller>(box, [&intake, name = box.name](const std::string& raw) -> Status {
      auto r = mail::ingest(intake, raw, name);
      if (!r) return r.error();
      spdlog::info("mailbox {}: {} ticket {}", name, r->outcome.outcome, r->outcome.ticket ? r->outcome.ticket->value : 0);
      return Status::Ok();
    }));
    pollers.back()->start();
  }
  server.run();
  for (std::thread& t : model_checks) t.join();
  if (keeper) keeper->stop();  // hands the lease back at once
  service.wake_event_waiters();
  for (auto& p : pollers) p->stop();
  ticker.request_stop();
  ticker.join();
  for (auto& c : connectors) c->stop();
  dispatcher.stop();  // what it did not send stays pending in the store
  spdlog::info("switchboard stopped");
  return 0;
}

}  // namespace sb
