#include "app/serve.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "http/json_mapping.h"
#include "http/triage_gate.h"
#include "triage/rules_yaml.h"

#include "app/config.h"
#include "http/api.h"
#include "http/auth.h"
#include "http/server.h"
#include "http/sla_json.h"
#include "notify/dispatcher.h"
#include "service/service.h"
#include "store/open_store.h"

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
  const std::string db_path = options.db.value_or(config.db.value_or(kDefaultDb));
  const std::string listen_text = options.listen.value_or(config.listen.value_or(kDefaultListen));
  auto listen = parse_listen(listen_text);
  if (!listen) {
    std::fprintf(stderr, "switchboard: --listen: %s\n", listen.error().message.c_str());
    return 2;
  }

  std::string admin_token;
  bool generated = false;
  if (options.admin_token) {
    admin_token = *options.admin_token;
  } else if (const char* env = std::getenv("SWITCHBOARD_ADMIN_TOKEN"); env && *env) {
    admin_token = env;
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
  if (auto s = outbox.load(); !s) {
    std::fprintf(stderr, "switchboard: cannot load webhooks: %s\n", s.error().message.c_str());
    return 1;
  }
  service.set_outbox(&outbox);
  if (auto s = service.start(); !s) {
    std::fprintf(stderr, "switchboard: cannot load state: %s\n", s.error().message.c_str());
    return 1;
  }
  if (auto s = seed(service, config); !s) {
    std::fprintf(stderr, "switchboard: cannot seed from config: %s\n", s.error().message.c_str());
    return 1;
  }

  // SLA policies, with team names resolved now that every team exists.
  // Policies saved through the API (PUT /api/v1/sla-policies) win over the
  // config file's.
  {
    auto saved = (*store)->find_setting("sla");
    if (!saved) {
      std::fprintf(stderr, "switchboard: cannot read settings: %s\n", saved.error().message.c_str());
      return 1;
    }
    std::optional<nlohmann::json> doc = config.sla;
    const char* source = "the config file";
    if (*saved) {
      doc = nlohmann::json::parse(**saved, nullptr, false);
      source = "the store (saved through the API)";
    }
    if (doc) {
      auto policies = http::parse_sla_settings(*doc, [&service](const std::string& name) { return service.team_by_name(name); });
      if (!policies) {
        std::fprintf(stderr, "switchboard: SLA policies from %s: %s: %s\n", source, policies.error().field.c_str(),
                     policies.error().message.c_str());
        return 2;
      }
      spdlog::info("{} SLA policies from {}", policies->size(), source);
      service.set_sla_policies(std::move(*policies));
    }
  }

  // Triage: the classifier and rules, checked before serving anything.
  triage::TriageSettings triage_settings;
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
          std::make_shared<const triage::Classifier>(std::move(*model)), mc.name, mc.min_confidence, mc.predicts, mc.labels});
    }
    if (tc.rules) {
      auto book = triage::load_rules(*tc.rules);
      if (!book) {
        std::fprintf(stderr, "switchboard: triage.rules: %s\n", book.error().message.c_str());
        return 2;
      }
      triage_settings.rules = std::make_shared<const triage::RuleBook>(std::move(*book));
      rules_path = tc.rules;
    }
    if (!tc.models.empty() && !service.team_by_name(tc.triage_team)) {
      if (auto t = service.create_team(Team{TeamId{}, tc.triage_team, {}, {}}); !t) {
        std::fprintf(stderr, "switchboard: cannot create the triage team: %s\n", t.error().message.c_str());
        return 1;
      }
    }
  }
  http::TriageGate triage_gate(std::move(triage_settings), rules_path);
  http::Api api(service, http::hash_token(admin_token), &triage_gate, &outbox);
  api.set_web_dir(options.web_dir.value_or(SWITCHBOARD_WEB_DIR));
  http::ServerOptions server_options;
  server_options.address = listen->address;
  server_options.port = listen->port;
  http::Server server(server_options, [&api](http::Request& r) { return api.handle(r); });
  server.on_hangup([&triage_gate] {
    auto n = triage_gate.reload_rules();
    if (n) {
      spdlog::info("SIGHUP: reloaded {} rules", *n);
    } else {
      spdlog::error("SIGHUP: {}", n.error().message);
    }
  });
  if (auto s = server.listen(); !s) {
    std::fprintf(stderr, "switchboard: %s\n", s.error().message.c_str());
    return 1;
  }
  spdlog::info("switchboard {} serving http://{}:{} on {}", SWITCHBOARD_VERSION, listen->address, server.port(),
               redact_store_target(db_path));
  if (generated) {
    // Shown once: only its hash is kept, in memory.
    std::printf("admin token: %s\n", admin_token.c_str());
  }
  std::printf("listening on http://%s:%u\n", listen->address.c_str(), static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  // Time reaches the engine as ticks: offer timeouts, relaxation steps,
  // sticky waits and presence grace fire from here.
  std::jthread ticker([&service](std::stop_token stop) {
    while (!stop.stop_requested()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (auto s = service.tick(); !s) spdlog::warn("timer step failed: {}", s.error().message);
    }
  });
  notify::Dispatcher dispatcher(outbox);
  dispatcher.start();
  // IMAP inboxes: each polled on its own thread into the same intake as POST /api/v1/mail.
  std::vector<std::unique_ptr<mail::ImapPoller>> pollers;
  for (const mail::ImapMailbox& box : config.mailboxes) {
    pollers.push_back(std::make_unique<mail::ImapPoller>(box, [&api, name = box.name](const std::string& raw) -> Status {
      auto r = api.ingest_mail(raw, name);
      if (!r) return r.error();
      spdlog::info("mailbox {}: {} ticket {}", name, r->outcome, r->ticket ? r->ticket->value : 0);
      return Status::Ok();
    }));
    pollers.back()->start();
  }
  server.run();
  service.wake_event_waiters();
  for (auto& p : pollers) p->stop();
  ticker.request_stop();
  ticker.join();
  dispatcher.stop();  // what it did not send stays pending in the store
  spdlog::info("switchboard stopped");
  return 0;
}

}  // namespace sb
