#pragma once
// `switchboard erlang`: Erlang C (or A with --patience) figures for a queue.
#include <optional>
#include <string>

namespace sb {

struct ErlangCommand {
  std::string arrival_rate;  // "720/h"
  double aht = 0;            // seconds
  int agents = 0;
  double target = 20;        // seconds, for the service level
  std::optional<double> patience;
  bool json = false;
};

int run_erlang(const ErlangCommand& cmd);

}  // namespace sb
