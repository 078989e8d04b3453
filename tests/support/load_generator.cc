#include "tests/support/load_generator.h"

#include <map>
#include <memory>
#include <random>

#include "tests/support/http_client.h"

namespace sb::testing {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// One client per port, made again when a server moved to another port.
class Clients {
 public:
  Clients(std::string token) : token_(std::move(token)) {}
  HttpClient& at(std::uint16_t port) {
    auto& c = clients_[port];
    if (!c) c = std::make_unique<HttpClient>("127.0.0.1", port, token_);
    return *c;
  }

 private:
  std::string token_;
  std::map<std::uint16_t, std::unique_ptr<HttpClient>> clients_;
};

}  // namespace

bool seed_load_org(const LoadOptions& options, std::uint16_t port) {
  HttpClient c("127.0.0.1", port, options.token);
  for (const auto& t : options.teams) {
    if (c.post("/api/v1/teams", {{"name", t}}).status != 201) return false;
  }
  for (int i = 0; i < options.agents; ++i) {
    // Every third agent is in every team; the others in one each.
    const json teams = i % 3 == 2 ? json(options.teams) : json{options.teams[i % options.teams.size()]};
    auto r = c.post("/api/v1/agents", {{"name", "agent" + std::to_string(i)}, {"teams", teams},
                                      {"presence", "online"}, {"capacity", {{"email", 3}, {"chat", 1}}}});
    if (r.status != 201) return false;
  }
  return true;
}

bool all_agents_online(const LoadOptions& options, std::uint16_t port) {
  HttpClient c("127.0.0.1", port, options.token);
  for (int agent = 1; agent <= options.agents; ++agent) {
    bool ok = false;
    for (int i = 0; i < 100 && !ok; ++i) {
      ok = c.put("/api/v1/agents/" + std::to_string(agent) + "/presence", {{"presence", "online"}}).status == 200;
      if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!ok) return false;
  }
  return true;
}

void LoadGenerator::start() {
  for (int i = 0; i < options_.creators; ++i) threads_.emplace_back([this, i] { create_loop(i); });
  threads_.emplace_back([this] { churn_loop(); });
}

void LoadGenerator::stop() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void LoadGenerator::mark() { mark_ns_ = Clock::now().time_since_epoch().count(); }

LoadResult LoadGenerator::result() {
  std::lock_guard lock(mu_);
  return result_;
}

void LoadGenerator::create_loop(int who) {
  std::mt19937 rng(1000 + who);
  Clients clients(options_.token);
  const std::vector<std::string> channels{"email", "email", "email", "chat"};
  for (int n = 0; !stop_; ++n) {
    const std::string key = "load-" + std::to_string(who) + "-" + std::to_string(n);
    json body{{"subject", "ticket " + key}, {"team", options_.teams[rng() % options_.teams.size()]},
              {"channel", channels[rng() % channels.size()]}};
    std::vector<std::pair<std::string, std::string>> headers;
    if (options_.idempotency_keys) {
      headers.emplace_back("Idempotency-Key", key);
    } else {
      body["external_id"] = key;
    }
    const std::string text = body.dump();
    const auto first_try = Clock::now();
    bool done = false;
    for (int attempt = 0; !done && Clock::now() - first_try < options_.give_up; ++attempt) {
      const std::vector<std::uint16_t> ports = ports_();
      if (ports.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      const auto tried = Clock::now();
      auto r = clients.at(ports[(n + attempt) % ports.size()]).request("POST", "/api/v1/tickets", text, headers);
      bool retry = false;
      {
        std::lock_guard lock(mu_);
        if (r.status == 201) {
          result_.ids.push_back(r.body["id"].get<std::int64_t>());
          result_.keys_of_ids.push_back(key);
          result_.attempt_ms.push_back(ms_since(tried));
          result_.acknowledged_ms.push_back(ms_since(first_try));
          if (mark_ns_ > 0 && result_.after_mark++ == 0) {
            result_.first_after_mark_s = static_cast<double>(Clock::now().time_since_epoch().count() - mark_ns_) / 1e9;
          }
          done = true;
        } else if (r.status == 409 && r.body["error"]["code"] == "duplicate_external_id") {
          result_.known_external.push_back(key);  // an earlier try was committed; its answer was lost
          done = true;
        } else if (r.status != 503 && r.status != 0) {
          result_.unexpected.push_back(std::to_string(r.status) + ": " + r.raw);
          done = true;
        } else {
          retry = true;
        }
      }
      if (retry) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!done) {
      std::lock_guard lock(mu_);
      ++result_.unanswered;
    }
    std::this_thread::sleep_for(options_.pause);
  }
}

void LoadGenerator::churn_loop() {
  std::mt19937 rng(7);
  Clients clients(options_.token);
  const std::vector<std::string> presences{"online", "online", "online", "away", "offline"};
  for (int n = 0; !stop_; ++n) {
    std::this_thread::sleep_for(options_.churn_every);
    const std::vector<std::uint16_t> ports = ports_();
    if (ports.empty()) continue;
    HttpClient& c = clients.at(ports[rng() % ports.size()]);
    if (n % 3 == 0) {
      const int agent = 1 + static_cast<int>(rng() % options_.agents);
      c.put("/api/v1/agents/" + std::to_string(agent) + "/presence", {{"presence", presences[rng() % presences.size()]}});
    } else {
      // Work gets done: an agent solves one of the open (assigned) tickets,
      // which frees room for the next waiting one.
      auto open = c.get("/api/v1/tickets?status=open&limit=20");
      if (open.status == 200 && !open.body["tickets"].empty()) {
        const json& list = open.body["tickets"];
        const auto id = list[rng() % list.size()]["id"].get<std::int64_t>();
        c.patch("/api/v1/tickets/" + std::to_string(id), {{"status", "solved"}});
      }
    }
  }
}

}  // namespace sb::testing
