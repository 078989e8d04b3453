#pragma once
// Starts the real switchboard binary on a free loopback port with its own
// SQLite file, for end-to-end tests; stops it (SIGTERM, or SIGKILL to test
// crashes) on request or on destruction.
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace sb::testing {

class ServerProcess {
 public:
  // `dir` holds the database (dir/switchboard.db) and the server's log.
  ServerProcess(std::string binary, std::string dir, std::string admin_token,
                std::vector<std::string> extra_args = {});
  ~ServerProcess();

  // Starts the server and waits until it listens. False when it exited first.
  bool start();
  // Signals and waits for exit; returns the exit status as from waitpid.
  int stop(int signal = 15);
  std::uint16_t port() const { return process_ ? process_->port() : 0; }
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  const std::string& log_path() const { return log_; }
  std::string db_path() const { return db_.empty() ? dir_ + "/switchboard.db" : db_; }
  // Serve another store: a postgresql:// URL (default: dir/switchboard.db).
  void set_db(std::string db) { db_ = std::move(db); }

 private:
  std::string binary_, dir_, token_, log_, db_;
  std::vector<std::string> extra_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace sb::testing
