#include "tests/support/command.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>

namespace sb::testing {

CommandResult run_command(const std::string& shell_command) {
  FILE* p = popen(shell_command.c_str(), "r");
  if (!p) return {};
  std::string out;
  std::array<char, 4096> buf;
  while (std::size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace sb::testing
