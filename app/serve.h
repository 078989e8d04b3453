#pragma once
// `switchboard serve`: open the store, rebuild the engine, seed from config,
// and serve the API until SIGINT/SIGTERM. With --node, one of several nodes:
// it rebuilds and seeds only when it takes the routing lease.
#include <optional>
#include <string>

namespace sb {

struct ServeOptions {
  std::optional<std::string> db;
  std::optional<std::string> listen;
  std::optional<std::string> config;
  std::optional<std::string> admin_token;
  std::optional<std::string> web_dir;
  // Several nodes over one store (docs/scaling.md): this node's name; the
  // routing lease decides which node routes, the others hand requests on.
  std::optional<std::string> node;
  std::optional<std::string> advertise;  // HOST:PORT the other nodes reach this one at
  double lease_ttl_seconds = 5;
  double drain_seconds = 1;  // on SIGTERM: answer 503 (healthz too) this long before closing
};

// Returns the process exit code.
int serve(const ServeOptions& options);

}  // namespace sb
