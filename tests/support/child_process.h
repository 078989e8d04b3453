#pragma once
// A process for end-to-end tests (the server, a webhook receiver, an SMTP
// sink): started with its stdout read until it prints `ready_prefix`
// followed by its port, stopped on request or on destruction.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sb::testing {

class ChildProcess {
 public:
  // argv[0] is the program's path; stderr goes to `log_path`.
  ChildProcess(std::vector<std::string> argv, std::string log_path, std::string ready_prefix = "listening ");
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts it and waits (up to 20 s) for the ready line. False when it
  // exited or stayed silent (then it is killed).
  bool start();
  // Signals and waits for exit; returns the status as from waitpid (-1 if
  // it was not running).
  int stop(int signal = 15);
  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  std::vector<std::string> argv_;
  std::string log_;
  std::string ready_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace sb::testing
