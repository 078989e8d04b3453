#pragma once
// Several switchboard nodes (`serve --node`) over one PostgreSQL database,
// for end-to-end tests of the routing lease: each node in its own directory
// (dir/nI/server.log), on a free loopback port, with the same admin token.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace sb::testing {

class NodeCluster {
 public:
  NodeCluster(std::string binary, std::string db_url, const std::string& dir, int nodes, std::string token,
              double lease_ttl_seconds = 2)
      : token_(std::move(token)) {
    for (int i = 0; i < nodes; ++i) {
      const std::string node_dir = dir + "/n" + std::to_string(i);
      std::filesystem::create_directories(node_dir);
      char ttl[32];
      std::snprintf(ttl, sizeof ttl, "%g", lease_ttl_seconds);
      nodes_.push_back(std::make_unique<ServerProcess>(
          binary, node_dir, token_, std::vector<std::string>{"--node", "n" + std::to_string(i), "--lease-ttl", ttl}));
      nodes_.back()->set_db(db_url);
    }
  }

  int size() const { return static_cast<int>(nodes_.size()); }
  ServerProcess& node(int i) { return *nodes_.at(i); }
  std::uint16_t port(int i) const { return nodes_.at(i)->port(); }
  bool start(int i) { return nodes_.at(i)->start(); }
  bool start_all() {
    for (auto& n : nodes_) {
      if (!n->start()) return false;
    }
    return true;
  }
  int stop(int i, int signal = SIGKILL) { return nodes_.at(i)->stop(signal); }
  HttpClient client(int i) const { return HttpClient("127.0.0.1", port(i), token_); }

  // What node i's /healthz says (null when it does not answer).
  nlohmann::json health(int i) const {
    HttpClient c("127.0.0.1", port(i));
    auto r = c.get("/healthz");
    return r.status == 200 ? r.body["node"] : nlohmann::json();
  }
  // The nodes (among `alive`) that say they own routing.
  std::vector<int> owners(const std::vector<int>& alive) const {
    std::vector<int> out;
    for (int i : alive) {
      if (health(i).value("role", "") == "owner") out.push_back(i);
    }
    return out;
  }

 private:
  std::string token_;
  std::vector<std::unique_ptr<ServerProcess>> nodes_;
};

}  // namespace sb::testing
