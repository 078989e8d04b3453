#pragma once
// `switchboard serve`: open the store, rebuild the engine, seed from config,
// and serve the API until SIGINT/SIGTERM.
#include <optional>
#include <string>

namespace sb {

struct ServeOptions {
  std::optional<std::string> db;
  std::optional<std::string> listen;
  std::optional<std::string> config;
  std::optional<std::string> admin_token;
  std::optional<std::string> web_dir;
};

// Returns the process exit code.
int serve(const ServeOptions& options);

}  // namespace sb
