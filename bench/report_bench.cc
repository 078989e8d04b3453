// Reports over 1,000,000 stored tickets on SQLite (issue 8 target: under 1 s).
// Delete the database after changing what the fill writes.
// The first run fills a database (default /tmp/switchboard-report-bench.db,
// or the path in $REPORT_BENCH_DB) with a year of synthetic tickets: 20 teams,
// 200 agents, 5 channels, most assigned, most solved. Then each benchmark
// runs the query and aggregation GET /api/v1/reports/tickets does.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "reports/reports.h"
#include "db/sqlite/sqlite_store.h"

namespace {

constexpr int kTickets = 1'000'000;
const sb::Time kStart = sb::from_millis(1764547200000);  // 2025-12-01

sb::SqliteStore& store() {
  static std::unique_ptr<sb::SqliteStore> s = [] {
    const char* env = std::getenv("REPORT_BENCH_DB");
    const std::string path = env ? env : "/tmp/switchboard-report-bench.db";
    auto opened = sb::SqliteStore::open(path);
    if (!opened) {
      std::fprintf(stderr, "%s\n", opened.error().message.c_str());
      std::exit(1);
    }
    auto st = std::move(*opened);
    sb::TicketQuery q;
    q.after = kTickets - 1;
    q.limit = 1;
    if (st->list_tickets(q)->tickets.empty()) {
      std::mt19937_64 rng(7);
      std::exponential_distribution<double> assign(1.0 / 600), resolve(1.0 / 14400);
      for (int base = 0; base < kTickets; base += 20'000) {
        sb::WriteBatch b;
        for (int i = base; i < base + 20'000; ++i) {
          sb::Ticket t;
          t.id = sb::TicketId{i + 1};
          t.subject = "synthetic ticket";
          t.channel = static_cast<sb::Channel>(i % 5);
          t.priority = static_cast<sb::Priority>(i % 4);
          t.category = "category " + std::to_string(i % 9);
          t.team = sb::TeamId{1 + i % 20};
          t.created_at = t.updated_at = kStart + std::chrono::seconds(i * 31);  // a year
          if (i % 10 != 0) {
            t.assignee = sb::AgentId{1 + static_cast<int>(rng() % 200)};
            t.assigned_at = t.created_at + std::chrono::seconds(static_cast<int>(assign(rng)));
            t.stats.first_response_at = *t.assigned_at + std::chrono::seconds(static_cast<int>(assign(rng)));
            t.stats.reassignments = i % 17 == 0;
            if (i % 10 > 2) {
              t.status = sb::TicketStatus::kSolved;
              t.solved_at = *t.assigned_at + std::chrono::seconds(static_cast<int>(resolve(rng)));
            } else {
              t.status = sb::TicketStatus::kOpen;
            }
          }
          // An SLA on every ticket (a tenth breached), a confident guess on most.
          sb::SlaClockState clock;
          clock.met = t.status == sb::TicketStatus::kSolved;
          clock.breached = i % 10 == 9;
          t.sla = sb::SlaState{"standard", std::nullopt, std::nullopt, clock};
          t.triage = sb::TriageInfo{};
          t.triage->predicts = "category";
          t.triage->predicted_value = "category " + std::to_string((i + (i % 7 == 0)) % 9);
          t.triage->prediction_used = i % 5 != 0;
          b.tickets.push_back(std::move(t));
        }
        if (auto s = st->commit(b); !s) {
          std::fprintf(stderr, "fill: %s\n", s.error().message.c_str());
          std::exit(1);
        }
        std::fprintf(stderr, "\rfilling the report database: %d/%d", base + 20'000, kTickets);
      }
      std::fprintf(stderr, "\n");
    }
    return st;
  }();
  return *s;
}

void Report(benchmark::State& state, sb::ReportGroup group, sb::reports::Interval interval, int days) {
  auto& s = store();
  std::size_t rows = 0, tickets = 0;
  for (auto _ : state) {
    sb::reports::TicketAggregator agg(interval);
    (void)s.scan_ticket_facts(kStart, kStart + std::chrono::hours(24 * days), group, sb::FactRange::kCreated,
                              sb::kFactTallies, [&](const sb::TicketFact& f) { agg.add(f); });
    auto result = agg.rows();
    tickets = agg.tickets();
    rows = result.size();
    benchmark::DoNotOptimize(result);
  }
  state.counters["tickets"] = static_cast<double>(tickets);
  state.counters["rows"] = static_cast<double>(rows);
}

// The backlog at the end of each day of a year, per team (tickets open at
// some moment of the year: every one of them here).
void Backlog(benchmark::State& state) {
  auto& s = store();
  std::size_t rows = 0;
  const sb::Time to = kStart + std::chrono::hours(24 * 366);
  for (auto _ : state) {
    sb::reports::BacklogBuilder b;
    (void)s.scan_ticket_facts(kStart, to, sb::ReportGroup::kTeam, sb::FactRange::kOpen, 0,
                              [&](const sb::TicketFact& f) { b.add(f); });
    auto result = b.rows(kStart, to, sb::reports::Interval::kDay);
    rows = result.size();
    benchmark::DoNotOptimize(result);
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(Backlog)->Unit(benchmark::kMillisecond);

// Classifier accuracy over a year.
void Classifier(benchmark::State& state) {
  auto& s = store();
  for (auto _ : state) {
    sb::reports::ClassifierTally tally;
    (void)s.scan_ticket_facts(kStart, kStart + std::chrono::hours(24 * 366), sb::ReportGroup::kNone,
                              sb::FactRange::kCreated, sb::kFactCategory | sb::kFactGuess,
                              [&](const sb::TicketFact& f) { tally.add(f, f.category); });
    auto result = tally.score();
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(Classifier)->Unit(benchmark::kMillisecond);

BENCHMARK_CAPTURE(Report, year_by_team_per_day, sb::ReportGroup::kTeam, sb::reports::Interval::kDay, 366)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Report, year_by_agent_whole, sb::ReportGroup::kAgent, sb::reports::Interval::kNone, 366)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Report, month_by_channel_per_hour, sb::ReportGroup::kChannel, sb::reports::Interval::kHour, 31)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
