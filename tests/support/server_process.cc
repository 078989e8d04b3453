#include "tests/support/server_process.h"

#include <signal.h>

namespace sb::testing {

ServerProcess::ServerProcess(std::string binary, std::string dir, std::string admin_token,
                             std::vector<std::string> extra_args)
    : binary_(std::move(binary)), dir_(std::move(dir)), token_(std::move(admin_token)),
      log_(dir_ + "/server.log"), extra_(std::move(extra_args)) {}

ServerProcess::~ServerProcess() {
  if (process_) process_->stop(SIGKILL);
}

bool ServerProcess::start() {
  std::vector<std::string> args{binary_, "serve", "--db", db_path(), "--listen", "127.0.0.1:0", "--admin-token", token_};
  args.insert(args.end(), extra_.begin(), extra_.end());
  process_ = std::make_unique<ChildProcess>(std::move(args), log_, "listening on http://127.0.0.1:");
  return process_->start();
}

int ServerProcess::stop(int signal) { return process_ ? process_->stop(signal) : -1; }

}  // namespace sb::testing
