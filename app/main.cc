// The switchboard binary: parses the command line and dispatches.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "app/serve.h"

int main(int argc, char** argv) {
  CLI::App app{"Switchboard: routes support tickets to the right agent."};
  app.require_subcommand(1);

  sb::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Serve the HTTP API (until SIGINT or SIGTERM)");
  serve_cmd->add_option("--db", serve.db, "SQLite database file (default var/switchboard.db)");
  serve_cmd->add_option("--listen", serve.listen, "Address and port, ADDR:PORT (default 127.0.0.1:8080)");
  serve_cmd->add_option("--config", serve.config, "YAML config: listen, db, teams and agents to seed")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--admin-token", serve.admin_token,
                        "Admin bearer token (else $SWITCHBOARD_ADMIN_TOKEN, else one is generated and printed)");

  auto* version_cmd = app.add_subcommand("version", "Print the version");

  CLI11_PARSE(app, argc, argv);
  if (*version_cmd) {
    std::printf("switchboard %s\n", SWITCHBOARD_VERSION);
    return 0;
  }
  if (*serve_cmd) return sb::serve(serve);
  return 1;
}
