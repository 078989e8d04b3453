// Load estimates: each team's live arrival rate, handle time and patience,
// and the expected waits and queue figures made from them (Erlang C / A).
#include "engine/engine.h"

#include <algorithm>
#include <cmath>

#include "erlang/erlang.h"

namespace sb {

void Engine::TeamLoad::observe_arrival(Time now) {
  rate = rate_at(now) + 1.0 / kRateWindowSeconds;
  last_arrival = now;
}

void Engine::TeamLoad::observe_wait(double seconds, bool abandon) {
  waited = 0.99 * waited + std::max(seconds, 0.0);
  abandoned = 0.99 * abandoned + (abandon ? 1.0 : 0.0);
}

std::optional<double> Engine::TeamLoad::patience() const {
  if (abandoned < 1e-9 || waited <= 0) return std::nullopt;
  return waited / abandoned;
}

double Engine::TeamLoad::rate_at(Time now) const {
  const double dt = std::chrono::duration<double>(now - last_arrival).count();
  return rate * std::exp(-std::max(dt, 0.0) / kRateWindowSeconds);
}

int Engine::online_in(TeamId team) const {
  int n = 0;
  for (const AgentState* a : pool_.members(team)) n += a->presence == Presence::kOnline;
  return n;
}

ExpectedWait Engine::expected_wait(TicketId id, Time now) const {
  auto it = live_.find(id);
  if (it == live_.end()) return {std::nullopt, "not_waiting"};
  const Ticket& t = it->second.ticket;
  if (t.assignee) return {0.0, "assigned"};
  if (!t.team) return {std::nullopt, "no_team"};
  const int online = online_in(*t.team);
  if (online == 0) return {std::nullopt, "no_agents_online"};
  auto load = load_.find(*t.team);
  if (load == load_.end() || load->second.handled == 0) return {std::nullopt, "no_history"};
  const std::size_t position = queue_position(id).value_or(1);
  const double service_rate = online / load->second.handle;  // N mu, all agents busy
  if (auto patience = load->second.patience()) {
    // M/M/N+M: at place j in line, the line moves on a completion (N mu) or
    // when one of the j-1 ahead gives up ((j-1) theta).
    double wait = 0;
    for (std::size_t j = 1; j <= position; ++j) wait += 1.0 / (service_rate + static_cast<double>(j - 1) / *patience);
    return {wait, "erlang_a"};
  }
  // In M/M/N the k-th in line starts when k of the N busy agents finish: k / (N mu).
  return {static_cast<double>(position) / service_rate, "erlang_c"};
}

std::vector<QueueStats> Engine::queues(Time now) const {
  std::map<TeamId, int> online;
  for (const auto& [aid, a] : pool_.all()) {
    if (a.presence != Presence::kOnline) continue;
    for (TeamId t : a.teams) ++online[t];
  }
  std::vector<QueueStats> out;
  for (const auto& [id, team] : teams_) {
    QueueStats s;
    s.team = id;
    s.name = team.name;
    s.policy = team.routing.policy;
    if (auto q = queues_.find(id); q != queues_.end()) {
      s.waiting = q->second.size();
      if (auto oldest = q->second.oldest()) s.oldest_wait = now - *oldest;
    }
    if (auto o = online.find(id); o != online.end()) s.agents_online = o->second;
    if (auto l = load_.find(id); l != load_.end()) {
      s.arrivals_per_hour = l->second.rate_at(now) * 3600;
      if (l->second.handled > 0) s.handle_seconds = l->second.handle;
      s.patience_seconds = l->second.patience();
    }
    if (s.agents_online == 0) {
      s.new_arrival = {std::nullopt, "no_agents_online"};
    } else if (!s.handle_seconds || s.arrivals_per_hour <= 0) {
      s.new_arrival = {std::nullopt, "no_history"};
    } else if (s.patience_seconds) {
      auto f = sim::erlang_a({s.arrivals_per_hour / 3600, *s.handle_seconds, s.agents_online, s.patience_seconds}, 0);
      s.new_arrival = f ? ExpectedWait{f->mean_wait, "erlang_a"} : ExpectedWait{std::nullopt, "no_history"};
    } else if (auto f = sim::erlang_c({s.arrivals_per_hour / 3600, *s.handle_seconds, s.agents_online, std::nullopt}, 0);
               f && f->stable) {
      s.new_arrival = {f->mean_wait, "erlang_c"};
    } else {
      // Overloaded: the queue grows; the line ahead still drains at N / AHT.
      s.new_arrival = {static_cast<double>(s.waiting + 1) * *s.handle_seconds / s.agents_online, "overloaded"};
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace sb
