#include "erlang/erlang.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

namespace sb::sim {
namespace {

Status check(const QueueModel& m) {
  if (!(m.arrival_rate > 0)) return Error::Invalid("arrival_rate", "the arrival rate must be positive");
  if (!(m.handle_time > 0)) return Error::Invalid("aht", "the handle time must be positive");
  if (m.agents < 1 || m.agents > 100000) return Error::Invalid("agents", "agents must be between 1 and 100000");
  return Status::Ok();
}

// Erlang B by the recursion B(k) = A B(k-1) / (k + A B(k-1)): stable for any N.
double erlang_b(int n, double a) {
  double b = 1.0;
  for (int k = 1; k <= n; ++k) b = a * b / (k + a * b);
  return b;
}

}  // namespace

Result<QueueFigures> erlang_c(const QueueModel& m, double target) {
  if (auto s = check(m); !s) return s.error();
  QueueFigures f;
  const double a = m.arrival_rate * m.handle_time;
  const double n = m.agents;
  f.offered_load = a;
  f.occupancy = std::min(a / n, 1.0);
  if (a >= n) {
    f.stable = false;
    f.p_wait = 1;
    f.mean_wait = std::numeric_limits<double>::infinity();
    f.service_level = 0;
    return f;
  }
  const double b = erlang_b(m.agents, a);
  f.p_wait = n * b / (n - a * (1 - b));
  f.mean_wait = f.p_wait * m.handle_time / (n - a);
  f.service_level = 1 - f.p_wait * std::exp(-(n - a) * target / m.handle_time);
  return f;
}

Result<QueueFigures> erlang_a(const QueueModel& m, double target) {
  if (auto s = check(m); !s) return s.error();
  if (!m.patience || !(*m.patience > 0)) return Error::Invalid("patience", "the mean patience must be positive");
  // Birth-death chain on the number in system k: births at rate lambda;
  // deaths k mu up to N, then N mu + (k - N) theta. Unnormalised weights,
  // scaled as we go to stay in range; summed until the tail vanishes.
  const double lambda = m.arrival_rate, mu = 1 / m.handle_time, theta = 1 / *m.patience;
  const int n = m.agents;
  std::vector<double> w{1.0};
  for (int k = 1; k <= n; ++k) w.push_back(w.back() * lambda / (k * mu));
  for (int k = n + 1;; ++k) {
    w.push_back(w.back() * lambda / (n * mu + (k - n) * theta));
    if (w.back() < 1e-18 * w[static_cast<std::size_t>(n)] && k > n + 10) break;
    if (k > n + 10'000'000) break;
  }
  double total = 0, waiting = 0, queue = 0;
  for (std::size_t k = 0; k < w.size(); ++k) {
    total += w[k];
    if (static_cast<int>(k) >= n) waiting += w[k];
    if (static_cast<int>(k) > n) queue += (static_cast<double>(k) - n) * w[k];
  }
  QueueFigures f;
  f.offered_load = lambda * m.handle_time;
  f.p_wait = waiting / total;               // PASTA: arrivals see the time average
  const double mean_queue = queue / total;
  f.mean_wait = mean_queue / lambda;        // Little's law over all arrivals
  f.p_abandon = theta * mean_queue / lambda;
  f.occupancy = lambda * (1 - f.p_abandon) * m.handle_time / n;
  f.service_level = std::numeric_limits<double>::quiet_NaN();
  (void)target;
  return f;
}

Result<double> parse_rate(const std::string& text, const std::string& field) {
  const auto slash = text.find('/');
  const std::string number = text.substr(0, slash);
  char* end = nullptr;
  const double v = std::strtod(number.c_str(), &end);
  const Error bad = Error::Invalid(field, "'" + text + "' is not a rate like 720/h, 12/min or 0.2/s");
  if (number.empty() || end != number.c_str() + number.size() || !(v > 0)) return bad;
  if (slash == std::string::npos) return v / 3600;
  const std::string unit = text.substr(slash + 1);
  if (unit == "h" || unit == "hour") return v / 3600;
  if (unit == "min" || unit == "m") return v / 60;
  if (unit == "s" || unit == "sec") return v;
  return bad;
}

}  // namespace sb::sim
