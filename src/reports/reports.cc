#include "reports/reports.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace sb::reports {
namespace {

Stats stats(std::vector<double>& v) {
  Stats s;
  s.count = v.size();
  if (v.empty()) return s;
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  s.median = percentile(v, 0.5);
  s.p90 = percentile(v, 0.9);
  return s;
}

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

std::optional<double> ratio(double part, double whole) {
  if (whole <= 0) return std::nullopt;
  return part / whole;
}

std::int64_t bucket_width(Interval interval) {
  return interval == Interval::kHour ? 3'600'000 : interval == Interval::kDay ? 86'400'000 : 0;
}

// Counts per position (tickets in creation order) with k-th present lookup:
// which tickets are in the backlog at a moment, oldest first.
class Fenwick {
 public:
  explicit Fenwick(std::size_t n) : tree_(n + 1, 0) {}
  void add(std::size_t i, int delta) {
    for (++i; i < tree_.size(); i += i & (~i + 1)) tree_[i] += delta;
  }
  // The position of the k-th (1-based) present item.
  std::size_t kth(int k) const {
    std::size_t pos = 0;
    std::size_t step = 1;
    while (step * 2 < tree_.size()) step *= 2;
    for (; step; step /= 2) {
      if (pos + step < tree_.size() && tree_[pos + step] < k) {
        pos += step;
        k -= tree_[pos];
      }
    }
    return pos;  // 0-based
  }

 private:
  std::vector<int> tree_;
};

}  // namespace

double percentile(std::vector<double>& values, double q) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

struct TicketAggregator::Acc {
  std::size_t created = 0, solved = 0;
  std::vector<double> assign, first_response, resolve;
  std::size_t sla_met = 0, sla_breached = 0, reassignments = 0, escalations = 0, declines = 0, offer_timeouts = 0;
  std::vector<std::size_t> waits = std::vector<std::size_t>(kWaitEdges.size() + 1, 0);
};

// A group's buckets; facts come in creation order, so the last bucket is the usual one.
struct TicketAggregator::Group {
  std::map<std::int64_t, Acc> buckets;
  std::int64_t last_bucket = 0;
  Acc* last = nullptr;
};

TicketAggregator::TicketAggregator(Interval interval) : width_(bucket_width(interval)) {}
TicketAggregator::~TicketAggregator() = default;

void TicketAggregator::add(const TicketFact& f) {
  ++tickets_;
  const std::int64_t ms = to_millis(f.created_at);
  const std::int64_t bucket = width_ ? ms - ((ms % width_) + width_) % width_ : 0;
  auto& group = groups_[f.group];
  if (!group) group = std::make_unique<Group>();
  if (!group->last || group->last_bucket != bucket) {
    group->last = &group->buckets[bucket];
    group->last_bucket = bucket;
  }
  Acc& a = *group->last;
  ++a.created;
  if (f.assigned_at) {
    const double wait = seconds(*f.assigned_at - f.created_at);
    a.assign.push_back(wait);
    ++a.waits[std::upper_bound(kWaitEdges.begin(), kWaitEdges.end(), wait) - kWaitEdges.begin()];
  }
  if (f.first_response_at) a.first_response.push_back(seconds(*f.first_response_at - f.created_at));
  a.sla_met += f.sla == SlaOutcome::kMet;
  a.sla_breached += f.sla == SlaOutcome::kBreached;
  a.reassignments += static_cast<std::size_t>(f.reassignments);
  a.escalations += static_cast<std::size_t>(f.escalations);
  a.declines += static_cast<std::size_t>(f.declines);
  a.offer_timeouts += static_cast<std::size_t>(f.offer_timeouts);
  if (f.solved_at) {
    ++a.solved;
    a.resolve.push_back(seconds(*f.solved_at - f.created_at));
  }
}

std::vector<Row> TicketAggregator::rows() {
  std::vector<Row> out;
  for (auto& [name, group] : groups_) {
    for (auto& [bucket, a] : group->buckets) {
      Row r;
      if (width_) r.bucket = from_millis(bucket);
      r.group = name;
      r.created = a.created;
      r.solved = a.solved;
      r.time_to_assign = stats(a.assign);
      r.time_to_first_response = stats(a.first_response);
      r.time_to_resolve = stats(a.resolve);
      r.sla_met = a.sla_met;
      r.sla_breached = a.sla_breached;
      r.sla_attainment = ratio(a.sla_met, a.sla_met + a.sla_breached);
      r.reassignments = a.reassignments;
      r.escalations = a.escalations;
      r.declines = a.declines;
      r.offer_timeouts = a.offer_timeouts;
      r.wait_histogram = std::move(a.waits);
      out.push_back(std::move(r));
    }
  }
  std::sort(out.begin(), out.end(), [](const Row& x, const Row& y) {
    return std::tie(x.bucket, x.group) < std::tie(y.bucket, y.group);
  });
  return out;
}

std::vector<Row> aggregate(const std::vector<TicketFact>& facts, Interval interval) {
  TicketAggregator agg(interval);
  for (const TicketFact& f : facts) agg.add(f);
  return agg.rows();
}

void BacklogBuilder::add(const TicketFact& f) { groups_[f.group].push_back({f.created_at, f.assigned_at, f.solved_at}); }

std::vector<BacklogRow> backlog(const std::vector<TicketFact>& facts, Time from, Time to, Interval interval) {
  BacklogBuilder b;
  for (const TicketFact& f : facts) b.add(f);
  return b.rows(from, to, interval);
}

std::vector<BacklogRow> BacklogBuilder::rows(Time from, Time to, Interval interval) const {
  // Snapshot moments: the end of each bucket, the last one cut at `to`.
  std::vector<Time> moments;
  if (const std::int64_t width = bucket_width(interval)) {
    const std::int64_t f = to_millis(from);
    for (std::int64_t b = f - ((f % width) + width) % width; b < to_millis(to); b += width) {
      moments.push_back(std::min(to, from_millis(b + width)));
    }
  } else {
    moments.push_back(to);
  }
  std::vector<BacklogRow> out;
  for (const auto& entry : groups_) {
    // Named, not structured bindings: lambdas below capture them (clang 14).
    const auto& group = entry.first;
    const auto& list = entry.second;
    const std::size_t n = list.size();
    // Leaving the backlog, and getting an agent, in time order.
    std::vector<std::pair<Time, std::size_t>> leaves, assigned;
    for (std::size_t i = 0; i < n; ++i) {
      if (list[i].solved) leaves.emplace_back(*list[i].solved, i);
      if (list[i].assigned) assigned.emplace_back(*list[i].assigned, i);
    }
    std::sort(leaves.begin(), leaves.end());
    std::sort(assigned.begin(), assigned.end());
    Fenwick present(n);
    std::vector<bool> in(n, false), has_agent(n, false);
    std::size_t next_created = 0, next_leave = 0, next_assigned = 0;
    int open = 0, unassigned = 0;
    for (Time at : moments) {
      while (next_created < n && list[next_created].created <= at) {
        const Life& f = list[next_created];
        const bool gone = f.solved && *f.solved <= at;
        if (!gone) {
          in[next_created] = true;
          present.add(next_created, 1);
          ++open;
          if (!(f.assigned && *f.assigned <= at)) ++unassigned; else has_agent[next_created] = true;
        }
        ++next_created;
      }
      for (; next_assigned < assigned.size() && assigned[next_assigned].first <= at; ++next_assigned) {
        const std::size_t i = assigned[next_assigned].second;
        if (in[i] && !has_agent[i]) {
          has_agent[i] = true;
          --unassigned;
        }
      }
      for (; next_leave < leaves.size() && leaves[next_leave].first <= at; ++next_leave) {
        const std::size_t i = leaves[next_leave].second;
        if (!in[i]) continue;
        in[i] = false;
        present.add(i, -1);
        --open;
        if (!has_agent[i]) --unassigned;
      }
      BacklogRow row;
      row.at = at;
      row.group = group;
      row.open = static_cast<std::size_t>(open);
      row.unassigned = static_cast<std::size_t>(unassigned);
      if (open > 0) {
        // Ages ascending are creation times descending: the q-th age is the
        // (open - ceil(q * open) + 1)-th oldest ticket.
        auto age = [&](double q) {
          const int rank = std::clamp(static_cast<int>(std::ceil(q * open)), 1, open);
          return seconds(at - list[present.kth(open - rank + 1)].created);
        };
        row.age_median = age(0.5);
        row.age_p90 = age(0.9);
        row.age_max = age(1.0);
      }
      out.push_back(std::move(row));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const BacklogRow& a, const BacklogRow& b) { return a.at < b.at; });
  return out;
}

void AgentUseBuilder::add(const TicketFact& f) {
  if (!f.assignee || !f.assigned_at) return;
  const Time start = std::max(*f.assigned_at, from_);
  const Time end = std::min(f.solved_at.value_or(to_), to_);
  if (start < end) holds_.push_back({*f.assignee, start, end, f.solved_at && *f.solved_at < to_});
}

std::vector<AgentUse> agent_use(const std::vector<TicketFact>& facts, const std::vector<PresenceChange>& presence,
                                const std::map<AgentId, int>& capacity, Time from, Time to) {
  AgentUseBuilder b(from, to);
  for (const TicketFact& f : facts) b.add(f);
  return b.rows(presence, capacity);
}

std::vector<AgentUse> AgentUseBuilder::rows(const std::vector<PresenceChange>& presence,
                                            const std::map<AgentId, int>& capacity) const {
  const Time from = from_, to = to_;
  // Per agent, a timeline of presence changes and ticket holds.
  struct Change {
    Time at;
    int held = 0;                       // +1 picks up, -1 puts down
    std::optional<bool> online;         // presence change
  };
  std::map<AgentId, std::vector<Change>> timeline;
  std::map<AgentId, AgentUse> use;
  for (const auto& [agent, cap] : capacity) use[agent].agent = agent;
  for (const PresenceChange& p : presence) {
    timeline[p.agent].push_back({std::max(p.at, from), 0, p.presence == Presence::kOnline});
  }
  for (const Hold& h : holds_) {
    AgentUse& u = use[h.agent];
    u.agent = h.agent;
    ++u.held;
    u.solved += h.solved;
    timeline[h.agent].push_back({h.start, 1, std::nullopt});
    timeline[h.agent].push_back({h.end, -1, std::nullopt});
  }
  std::vector<AgentUse> out;
  for (auto& entry : use) {
    const auto& agent = entry.first;
    auto& u = entry.second;  // captured by a lambda below: not a structured binding (clang 14)
    auto& changes = timeline[agent];
    std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) { return a.at < b.at; });
    auto cap_it = capacity.find(agent);
    const double cap = cap_it != capacity.end() ? cap_it->second : 0;
    bool online = false;
    int held = 0;
    Time t = from;
    double load_seconds = 0;
    auto advance = [&](Time until) {
      if (until <= t) return;
      const double s = seconds(until - t);
      if (online) {
        u.online_seconds += s;
        if (held > 0) u.busy_seconds += s;
        if (cap > 0) load_seconds += s * std::min(1.0, held / cap);
      }
      t = until;
    };
    for (const Change& c : changes) {
      advance(c.at);
      held += c.held;
      if (c.online) online = *c.online;
    }
    advance(to);
    u.occupancy = ratio(u.busy_seconds, u.online_seconds);
    if (cap > 0) u.utilisation = ratio(load_seconds, u.online_seconds);
    out.push_back(u);
  }
  return out;
}

void ClassifierTally::add(const TicketFact& f, const std::string& actual) {
  if (f.predicts.empty() || !f.solved_at) return;
  const bool right = actual == f.predicted;
  ++s_.settled;
  s_.correct += right;
  if (f.prediction_used) {
    ++s_.confident;
    s_.confident_correct += right;
  }
  ++labels_[f.predicted].predicted;
  ++labels_[actual].actual;
  labels_[f.predicted].correct += right;
}

Overrules overrules(const std::vector<Correction>& corrections, Interval interval) {
  Overrules out;
  std::map<std::string, OverruleRow> labels;
  std::map<std::int64_t, OverruleRow> buckets;
  auto count = [](OverruleRow& row, const Correction& c) {
    ++row.decisions;
    if (c.guess.empty()) return;
    ++row.guessed;
    if (c.guess != c.label) ++row.overruled;
  };
  const std::int64_t width = bucket_width(interval);
  for (const Correction& c : corrections) {
    count(out.total, c);
    count(labels[c.guess], c);
    if (width) {
      const std::int64_t ms = to_millis(c.at);
      count(buckets[ms - ((ms % width) + width) % width], c);
    }
  }
  auto finish = [](OverruleRow& row) { row.rate = ratio(static_cast<double>(row.overruled), static_cast<double>(row.guessed)); };
  finish(out.total);
  for (auto& [label, row] : labels) {
    row.key = label;
    finish(row);
    out.by_label.push_back(row);
  }
  for (auto& [start, row] : buckets) {
    row.key = format_time(from_millis(start));
    finish(row);
    out.over_time.push_back(row);
  }
  return out;
}

ClassifierScore classifier(const std::vector<TicketFact>& facts,
                           const std::function<std::string(const TicketFact&)>& final_value) {
  ClassifierTally tally;
  for (const TicketFact& f : facts) tally.add(f, final_value(f));
  return tally.score();
}

ClassifierScore ClassifierTally::score() const {
  ClassifierScore s = s_;
  auto labels = labels_;
  s.accuracy = ratio(s.correct, s.settled);
  s.confident_accuracy = ratio(s.confident_correct, s.confident);
  s.coverage = ratio(s.confident, s.settled);
  for (auto& [label, l] : labels) {
    l.label = label;
    l.precision = ratio(l.correct, l.predicted);
    l.recall = ratio(l.correct, l.actual);
    s.labels.push_back(l);
  }
  return s;
}

double gini(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  double total = 0, weighted = 0;
  const double n = static_cast<double>(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    total += values[i];
    weighted += (2.0 * static_cast<double>(i + 1) - n - 1.0) * values[i];
  }
  return total == 0 ? 0 : weighted / (n * total);
}

FairnessTally::FairnessTally(const std::map<std::string, std::vector<AgentId>>& members) {
  for (const auto& [team, agents] : members) {
    for (AgentId a : agents) counts_[team][a];  // zero for those who got nothing
  }
}

void FairnessTally::add(const TicketFact& f) {
  if (f.assignee) ++counts_[f.group][*f.assignee];
}

std::vector<Fairness> fairness(const std::vector<TicketFact>& facts,
                               const std::map<std::string, std::vector<AgentId>>& members) {
  FairnessTally tally(members);
  for (const TicketFact& f : facts) tally.add(f);
  return tally.rows();
}

std::vector<Fairness> FairnessTally::rows() const {
  std::vector<Fairness> out;
  for (const auto& [team, per_agent] : counts_) {
    Fairness fr;
    fr.team = team;
    fr.agents = per_agent.size();
    std::vector<double> values;
    for (const auto& [agent, n] : per_agent) {
      values.push_back(static_cast<double>(n));
      fr.assigned += n;
    }
    if (!values.empty()) {
      fr.most = static_cast<std::size_t>(*std::max_element(values.begin(), values.end()));
      fr.least = static_cast<std::size_t>(*std::min_element(values.begin(), values.end()));
    }
    fr.gini = gini(values);
    out.push_back(std::move(fr));
  }
  return out;
}

std::string csv_cell(const std::string& value) {
  std::string v = value;
  if (!v.empty() && std::string_view("=+-@\t\r").find(v.front()) != std::string_view::npos) v.insert(v.begin(), '\'');
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace sb::reports
