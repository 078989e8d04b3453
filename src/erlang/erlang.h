#pragma once
// Queueing formulas for a pool of identical agents fed by Poisson arrivals
// with exponential handle times. Erlang C (M/M/N: callers wait as long as it
// takes) and Erlang A (M/M/N+M: callers give up after an exponential
// patience). Pure functions; all times in seconds.
#include <optional>

#include "core/status.h"

namespace sb::sim {

struct QueueModel {
  double arrival_rate = 0;  // per second
  double handle_time = 0;   // mean, seconds
  int agents = 0;
  std::optional<double> patience;  // mean, seconds: Erlang A when set
};

struct QueueFigures {
  double offered_load = 0;      // Erlangs: arrival_rate x handle_time
  double p_wait = 0;            // probability an arrival waits at all
  double mean_wait = 0;         // over all arrivals (Erlang C: the average speed of answer)
  double service_level = 0;     // share answered within the target (Erlang C only; NaN for A)
  double p_abandon = 0;         // Erlang A; 0 for C
  double occupancy = 0;         // share of agent time busy
  bool stable = true;           // Erlang C needs offered_load < agents
};

// Erlang C. Invalid inputs (non-positive rate, time or agents) are errors;
// an overloaded queue (load >= agents) returns stable = false and infinite waits.
Result<QueueFigures> erlang_c(const QueueModel& m, double target_seconds);
// Erlang A: needs patience > 0; always stable.
Result<QueueFigures> erlang_a(const QueueModel& m, double target_seconds);

// Parses "720/h", "12/min", "0.2/s" or a bare number (per hour) into a rate
// per second. Error on field `field`.
Result<double> parse_rate(const std::string& text, const std::string& field);

}  // namespace sb::sim
