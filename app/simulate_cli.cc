#include "app/simulate_cli.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "app/scenario.h"
#include "app/svg_plot.h"
#include "routing/policy.h"
#include "erlang/erlang.h"
#include "sim/simulator.h"
#include "triage/csv.h"

namespace sb {
namespace {

using nlohmann::json;

std::string pm(const sim::Estimate& e, double scale, const char* unit, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f ± %.*f%s", digits, e.mean * scale, digits, e.half_width * scale, unit);
  return buf;
}

json estimate_json(const sim::Estimate& e) { return {{"mean", e.mean}, {"half_width_95", e.half_width}}; }

json figures_json(const sim::Figures& f) {
  return {{"name", f.name},
          {"calls", estimate_json(f.calls)},
          {"asa_seconds", estimate_json(f.asa)},
          {"service_level", estimate_json(f.service_level)},
          {"p_wait", estimate_json(f.p_wait)},
          {"p_abandon", estimate_json(f.p_abandon)},
          {"occupancy", estimate_json(f.occupancy)}};
}

void print_row(const std::string& name, const sim::Figures& f, bool with_occupancy, const std::string& fairness) {
  std::printf("%-22s %10.0f  %-16s %-17s %-17s %-17s %-17s %s\n", name.c_str(), f.calls.mean,
              pm(f.asa, 1, " s", 1).c_str(), pm(f.service_level, 100, " %", 1).c_str(),
              pm(f.p_wait, 100, " %", 1).c_str(), pm(f.p_abandon, 100, " %", 1).c_str(),
              with_occupancy ? pm(f.occupancy, 100, " %", 1).c_str() : "", fairness.c_str());
}

// What the replayed log says happened.
void print_observed(const Observed& o) {
  char asa[32], sl[32], abandoned[32];
  std::snprintf(asa, sizeof asa, "%.1f s", o.answered ? o.wait_sum / o.answered : 0);
  std::snprintf(sl, sizeof sl, "%.1f %%", 100 * o.within / std::max(1.0, o.calls));
  std::snprintf(abandoned, sizeof abandoned, "%.1f %%", 100 * o.abandoned / std::max(1.0, o.calls));
  std::printf("%-22s %10.0f  %-16s %-17s %-17s %-17s\n", "actual (the log)", o.calls, asa, sl, "", abandoned);
}

std::string hour_label(int h) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:00", h);
  return buf;
}

// `observed`: the replayed log's figures by hour of day (empty when not a replay).
// Makes `dir` (if need be) and checks a file can be written in it; the
// problem, or "" when it can.
std::string plots_dir_problem(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return "cannot create '" + dir + "': " + ec.message();
  const std::string probe = dir + "/.switchboard-write-test";
  if (!std::ofstream(probe)) return "cannot write in '" + dir + "'";
  std::filesystem::remove(probe, ec);
  return {};
}

// Returns false (and says why on stderr) when a plot could not be written.
bool write_plots(const std::string& dir, const sim::Scenario& s, const std::vector<sim::Outcome>& outs,
                 const std::vector<Observed>& observed) {
  if (const std::string problem = plots_dir_problem(dir); !problem.empty()) {
    std::fprintf(stderr, "switchboard simulate: --plots: %s\n", problem.c_str());
    return false;
  }
  // Wait-time distribution of answered calls, as the share in each bucket.
  const std::vector<double> edges{0.001, 5, 10, 20, 30, 60, 120, 300, 600};
  Plot waits{"Wait for an agent", s.name, "wait (answered calls)", "share of answered calls", {}, {}, true, 1.0, true};
  waits.x_labels.push_back("0 s");
  for (std::size_t i = 1; i < edges.size(); ++i) waits.x_labels.push_back("< " + std::to_string(static_cast<int>(edges[i])) + " s");
  waits.x_labels.push_back("≥ 600 s");
  double y_max = 0;
  for (const auto& o : outs) {
    std::vector<double> counts(edges.size() + 1, 0);
    for (double w : o.waits) counts[static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), w) - edges.begin())] += 1;
    PlotSeries series{o.policy, {}};
    for (double c : counts) {
      const double share = o.waits.empty() ? 0 : c / static_cast<double>(o.waits.size());
      y_max = std::max(y_max, share);
      series.values.push_back(share);
    }
    waits.series.push_back(series);
  }
  waits.y_max = std::min(1.0, std::ceil(y_max * 10) / 10);
  bool written = static_cast<bool>(std::ofstream(dir + "/waits.svg") << render_svg(waits));

  Plot sl{"Service level by hour of arrival (answered within " + std::to_string(static_cast<int>(s.target_seconds)) + " s)",
          s.name, "hour of day", "service level", {}, {}, false, 1.0, true};
  for (int h = 0; h < 24; ++h) sl.x_labels.push_back(hour_label(h));
  for (const auto& o : outs) {
    PlotSeries series{o.policy, {}};
    for (int h = 0; h < 24; ++h) {
      if (o.calls_by_hour[static_cast<std::size_t>(h)] > 0) {
        series.values.push_back(o.service_level_by_hour[static_cast<std::size_t>(h)].mean);
      } else {
        series.values.push_back(std::nullopt);
      }
    }
    sl.series.push_back(series);
  }
  if (!observed.empty()) {
    PlotSeries actual{"actual (the log)", {}};
    for (const Observed& o : observed) {
      actual.values.push_back(o.calls > 0 ? std::optional<double>(o.within / o.calls) : std::nullopt);
    }
    sl.series.push_back(actual);
  }
  written = static_cast<bool>(std::ofstream(dir + "/service_level_by_hour.svg") << render_svg(sl)) && written;
  if (!written) std::fprintf(stderr, "switchboard simulate: --plots: cannot write the plots in '%s'\n", dir.c_str());
  return written;
}

}  // namespace

int run_simulate(const SimulateCommand& cmd) {
  auto loaded = load_scenario(cmd.scenario);
  if (!loaded) {
    std::fprintf(stderr, "switchboard simulate: %s\n", loaded.error().message.c_str());
    return 2;
  }
  sim::Scenario base = loaded->scenario;
  if (cmd.replications) {
    if (*cmd.replications < 1) {
      std::fprintf(stderr, "switchboard simulate: --replications must be at least 1\n");
      return 2;
    }
    base.replications = *cmd.replications;
  }
  if (cmd.seed) base.seed = static_cast<std::uint64_t>(*cmd.seed);
  base.threads = cmd.threads.value_or(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  std::vector<std::string> policies;
  if (cmd.compare.empty()) {
    policies.push_back(base.routing.policy);
  } else {
    std::stringstream ss(cmd.compare);
    for (std::string p; std::getline(ss, p, ',');) {
      if (!p.empty()) policies.push_back(p);
    }
  }
  for (const std::string& p : policies) {
    if (!make_policy(p)) {
      std::fprintf(stderr, "switchboard simulate: --compare: unknown policy '%s'\n", p.c_str());
      return 2;
    }
  }
  // Where the plots go is checked before the run, not after it.
  if (!cmd.plots.empty()) {
    if (const std::string problem = plots_dir_problem(cmd.plots); !problem.empty()) {
      std::fprintf(stderr, "switchboard simulate: --plots: %s\n", problem.c_str());
      return 2;
    }
  }
  const bool tty = isatty(STDERR_FILENO);
  std::vector<sim::Outcome> outs;
  for (const std::string& policy : policies) {
    sim::Scenario s = base;
    s.routing.policy = policy;
    std::size_t last_percent = 101;
    auto outcome = sim::simulate(s, [&](std::size_t done, std::size_t total) {
      const std::size_t percent = total ? std::min<std::size_t>(100, done * 100 / total) : 100;
      if (percent == last_percent) return;
      last_percent = percent;
      if (tty || percent == 100 || percent % 25 == 0) {
        std::fprintf(stderr, "%ssimulating %s: %3zu %% (%zu calls)%s", tty ? "\r" : "", policy.c_str(), percent, done,
                     tty ? "" : "\n");
      }
    });
    if (tty) std::fprintf(stderr, "\n");
    if (!outcome) {
      std::fprintf(stderr, "switchboard simulate: %s\n", outcome.error().message.c_str());
      return 1;
    }
    outs.push_back(std::move(*outcome));
  }
  // The results are printed first; a plot that cannot be written then loses nothing.
  auto plots = [&]() -> int {
    if (cmd.plots.empty()) return 0;
    std::fflush(stdout);
    return write_plots(cmd.plots, base, outs, loaded->observed_by_hour) ? 0 : 1;
  };

  if (cmd.json) {
    json j{{"scenario", base.name}, {"replications", base.replications}, {"target_seconds", base.target_seconds}};
    j["policies"] = json::array();
    for (const auto& o : outs) {
      json p{{"policy", o.policy}, {"all", figures_json(o.all)}, {"fairness_gini", estimate_json(o.fairness)},
             {"calls_simulated", o.simulated}};
      for (const auto& f : o.per_type) p["per_type"].push_back(figures_json(f));
      for (const auto& f : o.per_group) p["per_group"].push_back({{"name", f.name}, {"occupancy", estimate_json(f.occupancy)}});
      for (const auto& a : o.per_agent) {
        p["per_agent"].push_back({{"name", a.name}, {"handled", estimate_json(a.handled)}, {"occupancy", estimate_json(a.occupancy)}});
      }
      for (int h = 0; h < 24; ++h) {
        p["service_level_by_hour"].push_back(o.calls_by_hour[static_cast<std::size_t>(h)]
                                                 ? json(o.service_level_by_hour[static_cast<std::size_t>(h)].mean)
                                                 : json(nullptr));
      }
      j["policies"].push_back(p);
    }
    for (const Observed& o : loaded->observed) {
      j["actual"].push_back({{"name", o.name},
                             {"calls", o.calls},
                             {"asa_seconds", o.answered ? o.wait_sum / o.answered : 0},
                             {"service_level", o.calls ? o.within / o.calls : 0},
                             {"p_abandon", o.calls ? o.abandoned / o.calls : 0}});
    }
    std::printf("%s\n", j.dump(2).c_str());
    return plots();
  }
  std::printf("%s: %zu call types, %zu agent groups, %d replications (95 %% intervals), service level = answered "
              "within %g s\n\n",
              base.name.c_str(), base.types.size(), base.agents.size(), base.replications, base.target_seconds);
  std::printf("%-22s %10s  %-16s %-17s %-17s %-17s %-17s %s\n", "", "calls", "ASA", "service level", "P(wait)",
              "abandoned", "occupancy", "fairness (Gini)");
  if (!loaded->observed.empty()) print_observed(loaded->observed.front());
  for (const auto& o : outs) print_row(o.policy, o.all, true, pm(o.fairness, 1, "", 3));
  for (std::size_t k = 0; k < base.types.size(); ++k) {
    std::printf("\ntype %s\n", base.types[k].name.c_str());
    if (k + 1 < loaded->observed.size()) print_observed(loaded->observed[k + 1]);
    for (const auto& o : outs) print_row(o.policy, o.per_type[k], false, "");
  }
  std::printf("\noccupancy by agent group\n");
  for (std::size_t g = 0; g < base.agents.size(); ++g) {
    std::printf("  %-20s", base.agents[g].name.c_str());
    for (const auto& o : outs) std::printf("  %s: %s", o.policy.c_str(), pm(o.per_group[g].occupancy, 100, " %", 1).c_str());
    std::printf("\n");
  }
  if (outs.front().per_agent.size() <= 30) {
    std::printf("\nby agent (calls answered, occupancy)\n");
    for (std::size_t a = 0; a < outs.front().per_agent.size(); ++a) {
      std::printf("  %-20s", outs.front().per_agent[a].name.c_str());
      for (const auto& o : outs) {
        std::printf("  %s: %.0f, %s", o.policy.c_str(), o.per_agent[a].handled.mean,
                    pm(o.per_agent[a].occupancy, 100, " %", 1).c_str());
      }
      std::printf("\n");
    }
  }
  if (const int failed = plots(); failed) return failed;
  if (!cmd.plots.empty()) {
    std::printf("\nplots: %s/waits.svg, %s/service_level_by_hour.svg\n", cmd.plots.c_str(), cmd.plots.c_str());
  }
  return 0;
}

// ---- staffing ------------------------------------------------------------------

namespace {

double normal_pdf(double x) { return std::exp(-x * x / 2) / std::sqrt(2 * M_PI); }
double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2)); }

// Halfin–Whitt: P(wait) ≈ α(β) for N = R + β√R, and the wait of those who
// wait is about exponential with rate β√R / AHT.
int square_root_staffing(double load, double aht, double share, double within, double* beta_out) {
  for (double beta = 0.01; beta < 6; beta += 0.01) {
    const double alpha = 1 / (1 + beta * normal_cdf(beta) / normal_pdf(beta));
    const double sl = 1 - alpha * std::exp(-beta * std::sqrt(load) * within / aht);
    if (sl >= share) {
      *beta_out = beta;
      return static_cast<int>(std::ceil(load + beta * std::sqrt(load)));
    }
  }
  *beta_out = 6;
  return static_cast<int>(std::ceil(load + 6 * std::sqrt(load)));
}

}  // namespace

int run_staffing(const StaffingCommand& cmd) {
  double share = 0, within = 0;
  if (std::sscanf(cmd.target.c_str(), "%lf/%lf", &share, &within) != 2 || share <= 0 || share >= 100 || within < 0) {
    std::fprintf(stderr, "switchboard staffing: --target must look like 80/20 (percent answered / within seconds)\n");
    return 2;
  }
  share /= 100;
  if (!(cmd.interval_minutes > 0)) {
    std::fprintf(stderr, "switchboard staffing: --interval-minutes must be more than 0\n");
    return 2;
  }
  auto table = triage::read_csv(cmd.forecast);
  if (!table) {
    std::fprintf(stderr, "switchboard staffing: %s\n", table.error().message.c_str());
    return 2;
  }
  struct Interval {
    std::string start;
    double calls = 0, aht = 0;
  };
  std::vector<Interval> intervals;
  int line_no = 1;  // the header's
  for (const auto& c : table->rows) {
    ++line_no;
    Interval iv;
    char* end = nullptr;
    if (c.size() < 2 || (iv.calls = std::strtod(c[1].c_str(), &end), end == c[1].c_str()) || iv.calls < 0) {
      std::fprintf(stderr, "switchboard staffing: %s:%d: expected start,calls[,aht_seconds]\n", cmd.forecast.c_str(), line_no);
      return 2;
    }
    iv.start = c[0];
    iv.aht = c.size() > 2 && !c[2].empty() ? std::atof(c[2].c_str()) : cmd.aht.value_or(0);
    if (!(iv.aht > 0)) {
      std::fprintf(stderr, "switchboard staffing: %s:%d: no handle time (add a column or --aht)\n", cmd.forecast.c_str(), line_no);
      return 2;
    }
    intervals.push_back(iv);
  }
  if (intervals.empty()) {
    std::fprintf(stderr, "switchboard staffing: %s has no intervals\n", cmd.forecast.c_str());
    return 2;
  }
  json rows = json::array();
  if (!cmd.json) {
    std::printf("target: %.0f %% answered within %g s%s\n\n", share * 100, within,
                cmd.patience ? " (Erlang A figures with the given patience beside)" : "");
    std::printf("%-10s %8s %8s %9s  %7s %10s  %9s %6s%s\n", "interval", "calls", "AHT s", "load Erl", "Erlang C",
                "SL (C)", "sqrt rule", "beta", cmd.check ? "   simulated SL" : "");
  }
  for (const Interval& iv : intervals) {
    const double rate = iv.calls / (cmd.interval_minutes * 60);  // per second
    const double load = rate * iv.aht;
    int n = std::max(1, static_cast<int>(std::floor(load)));
    sim::QueueFigures f{};
    for (;; ++n) {
      if (rate <= 0) {
        n = 0;
        break;
      }
      auto c = sim::erlang_c(sim::QueueModel{rate, iv.aht, n, std::nullopt}, within);
      if (c && c->stable && c->service_level >= share) {
        f = *c;
        break;
      }
    }
    double beta = 0;
    const int sqrt_n = rate > 0 ? square_root_staffing(load, iv.aht, share, within, &beta) : 0;
    std::optional<double> p_abandon, simulated;
    if (cmd.patience && n > 0) {
      if (auto a = sim::erlang_a(sim::QueueModel{rate, iv.aht, n, cmd.patience}, within)) p_abandon = a->p_abandon;
    }
    if (cmd.check && n > 0) {
      sim::Scenario s;
      s.name = iv.start;
      sim::CallType t;
      t.name = "calls";
      t.per_hour = rate * 3600;
      t.handle = {sim::Distribution::Kind::kExponential, iv.aht};
      if (cmd.patience) t.patience = sim::Distribution{sim::Distribution::Kind::kExponential, *cmd.patience};
      s.types = {t};
      s.agents = {sim::AgentGroup{"agents", n, {}, 1, {}}};
      s.hours = std::max(20.0, 40000 / (rate * 3600));  // about 40,000 calls
      s.warmup_hours = 1;
      s.target_seconds = within;
      s.replications = 2;
      s.threads = 2;
      if (auto out = sim::simulate(s)) simulated = out->all.service_level.mean;
    }
    if (cmd.json) {
      json row{{"interval", iv.start}, {"calls", iv.calls}, {"aht_seconds", iv.aht}, {"load_erlangs", load},
               {"agents_erlang_c", n}, {"service_level_erlang_c", n ? json(f.service_level) : json(nullptr)},
               {"agents_square_root", sqrt_n}, {"beta", beta}};
      if (p_abandon) row["p_abandon_erlang_a"] = *p_abandon;
      if (simulated) row["service_level_simulated"] = *simulated;
      rows.push_back(row);
    } else {
      std::printf("%-10s %8.0f %8.0f %9.2f  %7d %9.1f%%  %9d %6.2f", iv.start.c_str(), iv.calls, iv.aht, load, n,
                  n ? 100 * f.service_level : 0.0, sqrt_n, beta);
      if (p_abandon) std::printf("  P(abandon) %.1f %%", 100 * *p_abandon);
      if (simulated) std::printf("   %6.1f %%", 100 * *simulated);
      std::printf("\n");
    }
  }
  if (cmd.json) std::printf("%s\n", json{{"target", {{"share", share}, {"within_seconds", within}}}, {"intervals", rows}}.dump(2).c_str());
  return 0;
}

}  // namespace sb
