// The agent workspace's lists over 1,000,000 tickets and 3,000,000 messages
// (issue 21 target: p95 < 50 ms on SQLite; PostgreSQL recorded beside it).
//
//   build/bench/search_bench [--db FILE|postgresql://...] [--tickets N] [--runs R]
//
// The first run fills the database (default /tmp/switchboard-search-bench.db)
// with tickets whose subjects and bodies are the real help-desk data's
// (../shared/data/tickets_train.csv, cycled), three messages each, a year of
// update times, 20 teams, 200 agents, a tenth open, a tenth unassigned (each
// drawn on its own); every 10,000th
// ticket's body carries the rare word "quetzal". Later runs reuse it (delete
// it after changing the fill). Then each query runs R times through the
// Store (as GET /api/v1/tickets asks it) and the median and p95 are printed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "db/open_store.h"
#include "store/store.h"

namespace {

using namespace sb;

const Time kStart = from_millis(1764547200000);  // 2025-12-01

// title,body of the shared CSV (no quoted commas in it: the text is plain words).
std::vector<std::pair<std::string, std::string>> read_texts(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto a = line.find(',');
    const auto b = line.find(',', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    out.emplace_back(line.substr(0, a), line.substr(a + 1, b - a - 1));
  }
  return out;
}

void fill(Store& store, int tickets, const std::vector<std::pair<std::string, std::string>>& texts) {
  std::mt19937_64 rng(21);
  const auto started = std::chrono::steady_clock::now();
  std::int64_t message_id = 0;
  constexpr int kBatch = 5'000;
  for (int base = 0; base < tickets; base += kBatch) {
    WriteBatch b;
    for (int i = base; i < std::min(tickets, base + kBatch); ++i) {
      const auto& [title, body] = texts[static_cast<std::size_t>(i) % texts.size()];
      Ticket t;
      t.id = TicketId{i + 1};
      t.channel = static_cast<Channel>(i % 5);
      t.subject = title.empty() ? "(no subject)" : title;
      t.body = body + (i % 10'000 == 0 ? " quetzal" : "");
      t.requester = {"user" + std::to_string(rng() % 50'000) + "@example.com", "Customer", "standard"};
      // Team, state and assignee drawn independently (no accidental correlation between filters).
      const bool open = rng() % 10 == 0;
      t.priority = static_cast<Priority>(rng() % 4);
      t.team = TeamId{1 + static_cast<std::int64_t>(rng() % 20)};
      t.tags = {i % 3 == 0 ? "hardware" : "software"};
      t.created_at = kStart + std::chrono::seconds(i * 31);  // a year
      t.updated_at = t.created_at + std::chrono::seconds(static_cast<int>(rng() % 86'400));
      if (open) {
        t.status = rng() % 2 ? TicketStatus::kNew : TicketStatus::kOpen;
        SlaClockState c;
        c.target = std::chrono::hours(8);
        c.running_since = t.created_at;
        c.due = t.created_at + std::chrono::hours(8);
        t.sla = SlaState{"standard", std::nullopt, std::nullopt, c};
      } else {
        t.status = TicketStatus::kSolved;
        t.solved_at = t.updated_at;
      }
      if (rng() % 10 != 0) t.assignee = AgentId{1 + static_cast<std::int64_t>(rng() % 200)};
      for (int m = 0; m < 3; ++m) {
        Message msg;
        msg.id = ++message_id;
        msg.ticket = t.id;
        msg.kind = m == 1 ? MessageKind::kReply : MessageKind::kCustomer;
        msg.body = texts[(static_cast<std::size_t>(i) * 7 + static_cast<std::size_t>(m) * 13 + 1) % texts.size()].second;
        msg.at = t.created_at + std::chrono::minutes(10 * (m + 1));
        b.messages.push_back(std::move(msg));
      }
      b.tickets.push_back(std::move(t));
    }
    if (auto s = store.commit(b); !s) {
      std::fprintf(stderr, "\nfill: %s\n", s.error().message.c_str());
      std::exit(1);
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(stderr, "\rfilling: %d/%d tickets, %lld messages (%.0f s)", std::min(tickets, base + kBatch), tickets,
                 static_cast<long long>(message_id), secs);
  }
  std::fprintf(stderr, "\n");
}

struct Figures {
  double median_ms, p95_ms;
  std::size_t rows;
};

Figures measure(Store& store, const TicketQuery& q, int runs) {
  std::vector<double> ms;
  std::size_t rows = 0;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    auto page = store.list_tickets(q);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (!page) {
      std::fprintf(stderr, "query failed: %s\n", page.error().message.c_str());
      std::exit(1);
    }
    rows = page->tickets.size();
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 95 / 100)], rows};
}

}  // namespace

int main(int argc, char** argv) {
  std::string db = "/tmp/switchboard-search-bench.db";
  int tickets = 1'000'000, runs = 100;
  std::string data = "../shared/data/tickets_train.csv";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--db") db = v;
    else if (k == "--tickets") tickets = std::stoi(v);
    else if (k == "--runs") runs = std::stoi(v);
    else if (k == "--data") data = v;
    else {
      std::fprintf(stderr, "usage: search_bench [--db FILE|URL] [--tickets N] [--runs R] [--data CSV]\n");
      return 2;
    }
  }
  auto opened = open_store(db);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message.c_str());
    return 1;
  }
  Store& store = **opened;
  TicketQuery last;
  last.after = tickets - 1;
  last.limit = 1;
  if (store.list_tickets(last)->tickets.empty()) {
    const auto texts = read_texts(data);
    if (texts.empty()) {
      std::fprintf(stderr, "no ticket texts in %s\n", data.c_str());
      return 1;
    }
    fill(store, tickets, texts);
  }

  auto query = [](auto setup) {
    TicketQuery q;
    q.sort = TicketSort::kUpdated;
    q.limit = 50;
    setup(q);
    return q;
  };
  const std::vector<TeamId> an_agents_teams{TeamId{3}, TeamId{7}};
  const std::vector<std::pair<const char*, TicketQuery>> cases = {
      {"view: my teams' open tickets, by update", query([&](TicketQuery& q) {
         q.statuses = {TicketStatus::kNew, TicketStatus::kOpen, TicketStatus::kPending, TicketStatus::kHold};
         q.teams = an_agents_teams;
         q.or_assignee = AgentId{17};
       })},
      {"view: closest to breach", query([](TicketQuery& q) { q.sort = TicketSort::kDue; })},
      {"view: unassigned open, by creation", query([](TicketQuery& q) {
         q.statuses = {TicketStatus::kNew, TicketStatus::kOpen};
         q.unassigned = true;
         q.sort = TicketSort::kCreated;
       })},
      {"search: a rare word (100 tickets)", query([](TicketQuery& q) { q.words = search_words("quetzal"); })},
      {"search: a common word", query([](TicketQuery& q) { q.words = search_words("access"); })},
      {"search: a word + status + team", query([](TicketQuery& q) {
         q.words = search_words("password");
         q.statuses = {TicketStatus::kOpen};
         q.team = TeamId{5};
       })},
      {"search: a word, an agent's scope", query([&](TicketQuery& q) {
         q.words = search_words("laptop");
         q.teams = an_agents_teams;
         q.or_assignee = AgentId{17};
       })},
  };
  std::printf("%-42s %10s %10s %6s\n", "query (50 per page, newest update first)", "median ms", "p95 ms", "rows");
  for (const auto& [name, q] : cases) {
    (void)store.list_tickets(q);  // warm the cache once
    const Figures f = measure(store, q, runs);
    std::printf("%-42s %10.2f %10.2f %6zu\n", name, f.median_ms, f.p95_ms, f.rows);
  }
  return 0;
}
