#pragma once
// Runs a shell command for end-to-end tests: its exit code and its output
// (stdout, and stderr when the command redirects it).
#include <string>

namespace sb::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult run_command(const std::string& shell_command);

}  // namespace sb::testing
