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

}  // namespace

double percentile(std::vector<double>& values, double q) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

std::vector<Row> aggregate(const std::vector<TicketFact>& facts, Interval interval) {
  const std::int64_t width = interval == Interval::kHour ? 3'600'000 : interval == Interval::kDay ? 86'400'000 : 0;
  struct Acc {
    std::size_t created = 0, solved = 0;
    std::vector<double> assign, resolve;
  };
  std::map<std::pair<std::int64_t, std::string>, Acc> rows;
  for (const TicketFact& f : facts) {
    const std::int64_t ms = to_millis(f.created_at);
    const std::int64_t bucket = width ? ms - ((ms % width) + width) % width : 0;
    Acc& a = rows[{bucket, f.group}];
    ++a.created;
    if (f.assigned_at) a.assign.push_back(std::chrono::duration<double>(*f.assigned_at - f.created_at).count());
    if (f.solved_at) {
      ++a.solved;
      a.resolve.push_back(std::chrono::duration<double>(*f.solved_at - f.created_at).count());
    }
  }
  std::vector<Row> out;
  out.reserve(rows.size());
  for (auto& [key, a] : rows) {
    Row r;
    if (width) r.bucket = from_millis(key.first);
    r.group = key.second;
    r.created = a.created;
    r.solved = a.solved;
    r.time_to_assign = stats(a.assign);
    r.time_to_resolve = stats(a.resolve);
    out.push_back(std::move(r));
  }
  return out;
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

std::vector<Fairness> fairness(const std::vector<TicketFact>& facts,
                               const std::map<std::string, std::vector<AgentId>>& members) {
  std::map<std::string, std::map<AgentId, std::size_t>> counts;
  for (const auto& [team, agents] : members) {
    for (AgentId a : agents) counts[team][a];  // zero for those who got nothing
  }
  for (const TicketFact& f : facts) {
    if (f.assignee) ++counts[f.group][*f.assignee];
  }
  std::vector<Fairness> out;
  for (const auto& [team, per_agent] : counts) {
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
