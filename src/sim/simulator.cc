#include "sim/simulator.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <atomic>
#include <mutex>
#include <queue>
#include <thread>

#include "engine/engine.h"
#include "reports/reports.h"

namespace sb::sim {

double Distribution::sample(std::mt19937_64& rng) const {
  switch (kind) {
    case Kind::kExponential: return std::exponential_distribution<double>(1.0 / mean)(rng);
    case Kind::kConstant: return mean;
    case Kind::kLognormal: {
      // The normal's parameters from the duration's own mean and standard deviation.
      const double s2 = std::log(1 + (sd * sd) / (mean * mean));
      return std::lognormal_distribution<double>(std::log(mean) - s2 / 2, std::sqrt(s2))(rng);
    }
    case Kind::kEmpirical: {
      if (values.empty()) return 0;
      return values[std::uniform_int_distribution<std::size_t>(0, values.size() - 1)(rng)];
    }
  }
  return mean;
}

double t95(int df) {
  static const double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086};
  if (df <= 0) return 0;
  if (df <= 20) return table[df - 1];
  if (df <= 30) return 2.042;
  return 1.96;
}

namespace {

constexpr std::int64_t kHourMs = 3'600'000;
// The virtual clock starts at a midnight (UTC), so hours of the day line up.
const Time kEpoch = from_millis(1'767'225'600'000);  // 2026-01-01T00:00:00Z

std::int64_t ms(double seconds) { return std::llround(seconds * 1000.0); }

enum class Kind : std::uint8_t { kArrival, kDone, kAbandon, kShift };
struct Event {
  std::int64_t at;
  std::uint64_t seq;  // ties: in the order scheduled
  Kind kind;
  std::int32_t index;
  bool operator>(const Event& o) const { return at != o.at ? at > o.at : seq > o.seq; }
};

struct Call {
  std::int64_t arrival = 0;
  std::int64_t handle = 0;
  std::int64_t wait = 0;
  std::int32_t type = 0;
  std::int32_t agent = -1;  // index into the agent list
  bool answered = false, abandoned = false;
  std::optional<std::int64_t> patience;
};

// Per replication, per group of calls.
struct Tally {
  double calls = 0, answered = 0, waited = 0, within = 0, abandoned = 0, wait_sum = 0;
  void add(const Call& c, std::int64_t target) {
    ++calls;
    if (c.answered) {
      ++answered;
      wait_sum += static_cast<double>(c.wait) / 1000.0;
      if (c.wait > 0) ++waited;
      if (c.wait <= target) ++within;
    } else {
      ++abandoned;
      ++waited;
    }
  }
};

struct Replication {
  Tally all;
  std::vector<Tally> per_type;
  std::vector<double> group_busy, group_duty;  // seconds
  std::array<Tally, 24> by_hour;
  std::vector<double> handled;  // per agent
  std::vector<double> agent_busy;  // seconds, per agent
  std::vector<double> waits;
  std::size_t simulated = 0;
};

// `hour` counts from the start of the virtual clock.
bool on_duty(const Scenario& s, const AgentGroup& g, std::int64_t hour) {
  return g.on_duty.empty() || g.on_duty[static_cast<std::size_t>((hour + s.hour_offset) % 24)];
}

std::vector<Call> arrivals(const Scenario& s, std::mt19937_64& rng) {
  std::vector<Call> calls;
  if (!s.replay.empty()) {
    for (const Arrival& a : s.replay) {
      const CallType& type = s.types[static_cast<std::size_t>(a.type)];
      Call c;
      c.arrival = ms(a.at);
      c.type = a.type;
      c.handle = std::max<std::int64_t>(1, ms(a.handle ? *a.handle : type.handle.sample(rng)));
      if (a.patience) {
        c.patience = ms(*a.patience);
      } else if (type.patience) {
        double p = 0;
        for (int i = 0; i < 100 && p < a.waited; ++i) p = type.patience->sample(rng);
        c.patience = ms(std::max(p, a.waited));
      }
      calls.push_back(c);
    }
  } else {
    const std::int64_t end = ms(s.hours * 3600);
    for (std::size_t k = 0; k < s.types.size(); ++k) {
      const CallType& type = s.types[k];
      // A Poisson process with a rate constant within each hour: the gap past
      // an hour's end is drawn again at the next hour's rate (memoryless).
      double t = 0;
      while (t * 1000 < end) {
        const auto hour = static_cast<std::int64_t>(t / 3600);
        const double factor =
            type.profile.empty() ? 1.0 : type.profile[static_cast<std::size_t>((hour + s.hour_offset) % 24)];
        const double rate = type.per_hour * factor / 3600.0;
        const double hour_end = static_cast<double>(hour + 1) * 3600;
        if (rate <= 0) {
          t = hour_end;
          continue;
        }
        const double next = t + std::exponential_distribution<double>(rate)(rng);
        if (next >= hour_end) {
          t = hour_end;
          continue;
        }
        t = next;
        if (t * 1000 >= end) break;
        Call c;
        c.arrival = ms(t);
        c.type = static_cast<std::int32_t>(k);
        c.handle = std::max<std::int64_t>(1, ms(type.handle.sample(rng)));
        if (type.patience) c.patience = ms(type.patience->sample(rng));
        calls.push_back(c);
      }
    }
    std::stable_sort(calls.begin(), calls.end(), [](const Call& a, const Call& b) { return a.arrival < b.arrival; });
  }
  return calls;
}

Result<Replication> run_once(const Scenario& s, std::uint64_t seed, std::atomic<std::size_t>& progress_count,
                             const std::function<void(std::size_t)>& tick) {
  std::mt19937_64 rng(seed);
  std::vector<Call> calls = arrivals(s, rng);

  EngineOptions options;
  options.record_decisions = false;  // nobody reads them in a simulation
  options.emit_events = false;
  Engine engine(options);
  auto at = [](std::int64_t t) { return kEpoch + Duration(t); };
  TeamRouting routing = s.routing;
  routing.offer_mode.fill(OfferMode::kDirect);  // simulated agents pick up at once
  auto team = engine.create_team(Team{TeamId{}, "simulated", at(0), routing}, at(0));
  if (!team) return team.error();
  const TeamId team_id = team->teams.front().id;

  struct SimAgent {
    AgentId id;
    std::size_t group;
  };
  std::vector<SimAgent> agents;
  std::vector<std::int32_t> agent_index;  // engine id -> index into `agents`
  for (std::size_t g = 0; g < s.agents.size(); ++g) {
    const AgentGroup& group = s.agents[g];
    for (int i = 0; i < group.count; ++i) {
      Agent a;
      a.name = group.name + " " + std::to_string(i + 1);
      a.skills = group.skills;
      a.teams = {team_id};
      a.capacity.fill(group.capacity);
      a.presence = on_duty(s, group, 0) ? Presence::kOnline : Presence::kAway;
      auto made = engine.create_agent(a, at(0));
      if (!made) return made.error();
      const AgentId id = made->agents.front().id;
      if (agent_index.size() <= static_cast<std::size_t>(id.value)) agent_index.resize(static_cast<std::size_t>(id.value) + 1, -1);
      agent_index[static_cast<std::size_t>(id.value)] = static_cast<std::int32_t>(agents.size());
      agents.push_back({id, g});
    }
  }

  std::priority_queue<Event, std::vector<Event>, std::greater<>> events;
  std::uint64_t seq = 0;
  auto schedule = [&](std::int64_t t, Kind k, std::int32_t i) { events.push({t, seq++, k, i}); };
  for (std::size_t i = 0; i < calls.size(); ++i) schedule(calls[i].arrival, Kind::kArrival, static_cast<std::int32_t>(i));
  const std::int64_t end = s.replay.empty() ? ms(s.hours * 3600) : (calls.empty() ? 0 : calls.back().arrival + 1);
  for (std::int64_t h = 1; h * kHourMs < end; ++h) {
    for (std::size_t g = 0; g < s.agents.size(); ++g) {
      if (on_duty(s, s.agents[g], h) != on_duty(s, s.agents[g], h - 1)) schedule(h * kHourMs, Kind::kShift, static_cast<std::int32_t>(g));
    }
  }

  // Ticket ids are handed out in creation order from 1: call i is ticket i + 1.
  auto handle_changes = [&](const Changes& changes, std::int64_t now) {
    for (const Ticket& t : changes.tickets) {
      Call& c = calls[static_cast<std::size_t>(t.id.value - 1)];
      if (c.answered || c.abandoned || !t.assignee || is_terminal(t.status)) continue;
      c.answered = true;
      c.wait = now - c.arrival;
      c.agent = agent_index.at(static_cast<std::size_t>(t.assignee->value));
      schedule(now + c.handle, Kind::kDone, static_cast<std::int32_t>(t.id.value - 1));
    }
  };
  auto solve = [&](std::int32_t i, std::int64_t now) -> Status {
    TicketPatch p;
    p.status = TicketStatus::kSolved;
    auto changes = engine.update_ticket(TicketId{i + 1}, p, at(now), nullptr);
    if (!changes) return changes.error();
    handle_changes(*changes, now);
    return Status::Ok();
  };

  while (!events.empty()) {
    const Event e = events.top();
    events.pop();
    const std::int64_t now = e.at;
    // The engine's own timers (relaxation steps, sticky waits) due by now.
    while (auto due = engine.next_due()) {
      const std::int64_t t = to_millis(*due) - to_millis(kEpoch);
      if (t > now) break;
      handle_changes(engine.advance(*due), t);
    }
    switch (e.kind) {
      case Kind::kArrival: {
        Call& c = calls[static_cast<std::size_t>(e.index)];
        const CallType& type = s.types[static_cast<std::size_t>(c.type)];
        Ticket draft;
        draft.subject = type.name;
        draft.channel = type.channel;
        draft.priority = type.priority;
        draft.required_skills = type.skills;
        draft.team = team_id;
        auto changes = engine.create_ticket(std::move(draft), at(now));
        if (!changes) return changes.error();
        handle_changes(*changes, now);
        if (c.patience && !c.answered) schedule(now + *c.patience, Kind::kAbandon, e.index);
        if (const std::size_t n = ++progress_count; n % 65536 == 0 && tick) tick(n);
        break;
      }
      case Kind::kDone:
        if (auto st = solve(e.index, now); !st) return st.error();
        break;
      case Kind::kAbandon: {
        Call& c = calls[static_cast<std::size_t>(e.index)];
        if (c.answered) break;
        c.abandoned = true;
        if (auto st = solve(e.index, now); !st) return st.error();  // left the queue unserved
        break;
      }
      case Kind::kShift: {
        const AgentGroup& g = s.agents[static_cast<std::size_t>(e.index)];
        AgentPatch p;
        // Off duty: away (finishes what it holds, takes nothing new).
        p.presence = on_duty(s, g, now / kHourMs) ? Presence::kOnline : Presence::kAway;
        for (const SimAgent& a : agents) {
          if (a.group != static_cast<std::size_t>(e.index)) continue;
          auto changes = engine.update_agent(a.id, p, at(now));
          if (!changes) return changes.error();
          handle_changes(*changes, now);
        }
        break;
      }
    }
  }

  // Measure arrivals after the warm-up.
  const std::int64_t warmup = ms(s.warmup_hours * 3600);
  const std::int64_t target = ms(s.target_seconds);
  Replication r;
  r.simulated = calls.size();
  r.per_type.resize(s.types.size());
  r.group_busy.assign(s.agents.size(), 0);
  r.group_duty.assign(s.agents.size(), 0);
  r.handled.assign(agents.size(), 0);
  r.agent_busy.assign(agents.size(), 0);
  for (const Call& c : calls) {
    if (c.arrival < warmup) continue;
    r.all.add(c, target);
    r.per_type[static_cast<std::size_t>(c.type)].add(c, target);
    r.by_hour[static_cast<std::size_t>((c.arrival / kHourMs + s.hour_offset) % 24)].add(c, target);
    if (c.answered) {
      r.waits.push_back(static_cast<double>(c.wait) / 1000.0);
      const std::size_t g = agents[static_cast<std::size_t>(c.agent)].group;
      const std::int64_t start = c.arrival + c.wait;
      const std::int64_t busy = std::max<std::int64_t>(0, std::min(start + c.handle, end) - std::max(start, warmup));
      r.group_busy[g] += static_cast<double>(busy) / 1000.0;
      r.handled[static_cast<std::size_t>(c.agent)] += 1;
      r.agent_busy[static_cast<std::size_t>(c.agent)] += static_cast<double>(busy) / 1000.0;
    }
  }
  for (std::size_t g = 0; g < s.agents.size(); ++g) {
    const AgentGroup& group = s.agents[g];
    double duty = 0;
    for (std::int64_t h = warmup / kHourMs; h * kHourMs < end; ++h) {
      if (!on_duty(s, group, h)) continue;
      const std::int64_t from = std::max(h * kHourMs, warmup), to = std::min((h + 1) * kHourMs, end);
      if (to > from) duty += static_cast<double>(to - from) / 1000.0;
    }
    r.group_duty[g] = duty * group.count * group.capacity;
  }
  return r;
}

Estimate estimate(const std::vector<double>& xs) {
  Estimate e;
  if (xs.empty()) return e;
  double sum = 0;
  for (double x : xs) sum += x;
  e.mean = sum / static_cast<double>(xs.size());
  if (xs.size() > 1) {
    double ss = 0;
    for (double x : xs) ss += (x - e.mean) * (x - e.mean);
    const double sd = std::sqrt(ss / static_cast<double>(xs.size() - 1));
    e.half_width = t95(static_cast<int>(xs.size()) - 1) * sd / std::sqrt(static_cast<double>(xs.size()));
  }
  return e;
}

double ratio(double a, double b) { return b > 0 ? a / b : 0; }

Figures figures(const std::string& name, const std::vector<const Tally*>& reps) {
  Figures f;
  f.name = name;
  std::vector<double> calls, asa, p_wait, sl, p_abandon;
  for (const Tally* t : reps) {
    calls.push_back(t->calls);
    asa.push_back(ratio(t->wait_sum, t->answered));
    p_wait.push_back(ratio(t->waited, t->calls));
    sl.push_back(ratio(t->within, t->calls));
    p_abandon.push_back(ratio(t->abandoned, t->calls));
  }
  f.calls = estimate(calls);
  f.asa = estimate(asa);
  f.p_wait = estimate(p_wait);
  f.service_level = estimate(sl);
  f.p_abandon = estimate(p_abandon);
  return f;
}

}  // namespace

Result<Outcome> simulate(const Scenario& s, const std::function<void(std::size_t, std::size_t)>& progress) {
  if (s.types.empty()) return Error::Invalid("types", "a scenario needs at least one call type");
  if (s.agents.empty()) return Error::Invalid("agents", "a scenario needs at least one agent group");
  if (s.replications < 1) return Error::Invalid("replications", "at least one replication");
  // Expected calls, for the progress display.
  double expected = static_cast<double>(s.replay.size());
  if (s.replay.empty()) {
    for (const CallType& t : s.types) {
      double factor = 0;
      for (int h = 0; h < static_cast<int>(std::ceil(s.hours)); ++h) {
        factor += t.profile.empty() ? 1.0 : t.profile[static_cast<std::size_t>(h % 24)];
      }
      expected += t.per_hour * factor;
    }
  }
  const auto total = static_cast<std::size_t>(expected * s.replications);
  std::atomic<std::size_t> done = 0;
  // Replications are independent (each its own engine): run them on threads.
  std::vector<std::optional<Result<Replication>>> results(static_cast<std::size_t>(s.replications));
  std::atomic<int> next = 0;
  std::mutex progress_mu;
  auto work = [&] {
    for (int k; (k = next++) < s.replications;) {
      results[static_cast<std::size_t>(k)] =
          run_once(s, s.seed * 1'000'003ULL + static_cast<std::uint64_t>(k), done, [&](std::size_t n) {
            if (!progress) return;
            std::lock_guard lock(progress_mu);
            progress(n, total);
          });
    }
  };
  std::vector<std::thread> threads;
  const int workers = std::clamp(s.threads, 1, s.replications);
  for (int i = 1; i < workers; ++i) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  std::vector<Replication> reps;
  for (auto& r : results) {
    if (!*r) return r->error();
    reps.push_back(std::move(**r));
  }
  if (progress) progress(done, done);

  Outcome out;
  out.policy = s.routing.policy;
  std::vector<const Tally*> all;
  std::vector<double> occupancy, fairness;
  for (const Replication& r : reps) {
    all.push_back(&r.all);
    double busy = 0, duty = 0;
    for (std::size_t g = 0; g < r.group_busy.size(); ++g) {
      busy += r.group_busy[g];
      duty += r.group_duty[g];
    }
    occupancy.push_back(ratio(busy, duty));
    fairness.push_back(reports::gini(r.handled));
    out.simulated += r.simulated;
    out.waits.insert(out.waits.end(), r.waits.begin(), r.waits.end());
    for (int h = 0; h < 24; ++h) out.calls_by_hour[static_cast<std::size_t>(h)] += static_cast<int>(r.by_hour[static_cast<std::size_t>(h)].calls);
  }
  out.all = figures("all", all);
  out.all.occupancy = estimate(occupancy);
  out.fairness = estimate(fairness);
  for (std::size_t k = 0; k < s.types.size(); ++k) {
    std::vector<const Tally*> t;
    for (const Replication& r : reps) t.push_back(&r.per_type[k]);
    out.per_type.push_back(figures(s.types[k].name, t));
  }
  for (std::size_t g = 0; g < s.agents.size(); ++g) {
    Figures f;
    f.name = s.agents[g].name;
    std::vector<double> occ;
    for (const Replication& r : reps) occ.push_back(ratio(r.group_busy[g], r.group_duty[g]));
    f.occupancy = estimate(occ);
    out.per_group.push_back(f);
  }
  // Agents in creation order: group by group, numbered within the group.
  std::size_t index = 0;
  for (std::size_t g = 0; g < s.agents.size(); ++g) {
    const AgentGroup& group = s.agents[g];
    for (int i = 0; i < group.count; ++i, ++index) {
      Outcome::AgentFigures a;
      a.name = group.name + " " + std::to_string(i + 1);
      std::vector<double> handled, occ;
      for (const Replication& r : reps) {
        handled.push_back(r.handled[index]);
        occ.push_back(ratio(r.agent_busy[index], r.group_duty[g] / std::max(1, group.count)));
      }
      a.handled = estimate(handled);
      a.occupancy = estimate(occ);
      out.per_agent.push_back(a);
    }
  }
  for (std::size_t h = 0; h < 24; ++h) {
    std::vector<double> sl;
    for (const Replication& r : reps) {
      if (r.by_hour[h].calls > 0) sl.push_back(r.by_hour[h].within / r.by_hour[h].calls);
    }
    out.service_level_by_hour[h] = estimate(sl);
  }
  return out;
}

}  // namespace sb::sim
