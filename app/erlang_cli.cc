#include "app/erlang_cli.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "erlang/erlang.h"

namespace sb {

int run_erlang(const ErlangCommand& cmd) {
  auto rate = sim::parse_rate(cmd.arrival_rate, "arrival-rate");
  if (!rate) {
    std::fprintf(stderr, "switchboard erlang: --arrival-rate: %s\n", rate.error().message.c_str());
    return 2;
  }
  if (cmd.target < 0 || (cmd.patience && !(*cmd.patience > 0))) {
    std::fprintf(stderr, "switchboard erlang: --target must be >= 0 and --patience > 0\n");
    return 2;
  }
  const sim::QueueModel model{*rate, cmd.aht, cmd.agents, cmd.patience};
  auto f = cmd.patience ? sim::erlang_a(model, cmd.target) : sim::erlang_c(model, cmd.target);
  if (!f) {
    std::fprintf(stderr, "switchboard erlang: --%s: %s\n", f.error().field.c_str(), f.error().message.c_str());
    return 2;
  }
  const char* method = cmd.patience ? "erlang_a" : "erlang_c";
  if (cmd.json) {
    nlohmann::json j{{"method", method},
                     {"offered_load_erlangs", f->offered_load},
                     {"agents", cmd.agents},
                     {"stable", f->stable},
                     {"p_wait", f->p_wait},
                     {"occupancy", f->occupancy}};
    j[cmd.patience ? "mean_wait_seconds" : "average_speed_of_answer_seconds"] =
        std::isfinite(f->mean_wait) ? nlohmann::json(f->mean_wait) : nlohmann::json(nullptr);
    if (cmd.patience) {
      j["p_abandon"] = f->p_abandon;
    } else {
      j["service_level"] = f->service_level;
      j["target_seconds"] = cmd.target;
    }
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("%s: %.4g calls/s, handle time %.4g s, %d agents -> offered load %.2f Erlangs\n", method, *rate, cmd.aht,
              cmd.agents, f->offered_load);
  if (!f->stable) {
    std::printf("overloaded: the load is at least the number of agents, so the queue grows without bound\n");
    return 0;
  }
  std::printf("P(wait)                  %.4f\n", f->p_wait);
  if (cmd.patience) {
    std::printf("P(abandon)               %.2f %%\n", 100 * f->p_abandon);
    std::printf("mean wait                %.2f s\n", f->mean_wait);
  } else {
    std::printf("average speed of answer  %.2f s\n", f->mean_wait);
    std::printf("service level (%g s)     %.1f %%\n", cmd.target, 100 * f->service_level);
  }
  std::printf("occupancy                %.1f %%\n", 100 * f->occupancy);
  return 0;
}

}  // namespace sb
