// Issue 23: matching a ticket's requester to its records over 1,000,000
// customers and 100,000 organisations on SQLite: what intake does for every
// new ticket (Directory::match). Median and p99 per ticket are the p50_us
// and p99_us counters.
//
// The first run fills a database (default /tmp/switchboard-customer-bench.db,
// or $CUSTOMER_BENCH_DB): organisation i owns domain org<i>.example; customer
// i has address c<i>@org<i % 100000>.example, every other one a member of
// that organisation, with two attributes. Delete it after changing the fill.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "customers/directory.h"
#include "db/sqlite/sqlite_store.h"

namespace {

constexpr int kCustomers = 1'000'000;
constexpr int kOrganizations = 100'000;

sb::SqliteStore& store() {
  static std::unique_ptr<sb::SqliteStore> s = [] {
    const char* env = std::getenv("CUSTOMER_BENCH_DB");
    auto opened = sb::SqliteStore::open(env ? env : "/tmp/switchboard-customer-bench.db");
    if (!opened) {
      std::fprintf(stderr, "%s\n", opened.error().message.c_str());
      std::exit(1);
    }
    auto st = std::move(*opened);
    if (*st->last_customer_id() < kCustomers) {
      const sb::Time now = sb::from_millis(1764547200000);
      for (int base = 0; base < kOrganizations; base += 20'000) {
        sb::WriteBatch b;
        for (int i = base; i < base + 20'000; ++i) {
          sb::Organization o;
          o.id = sb::OrganizationId{i + 1};
          o.name = "Organisation " + std::to_string(i);
          o.domains = {"org" + std::to_string(i) + ".example"};
          o.tier = i % 10 == 0 ? "vip" : "";
          if (i % 3 == 0) o.account_owner = sb::AgentId{1 + i % 50};
          o.created_at = o.updated_at = now;
          b.organizations.push_back(std::move(o));
        }
        if (auto r = st->commit(b); !r) {
          std::fprintf(stderr, "fill: %s\n", r.error().message.c_str());
          std::exit(1);
        }
      }
      for (int base = 0; base < kCustomers; base += 20'000) {
        sb::WriteBatch b;
        for (int i = base; i < base + 20'000; ++i) {
          sb::Customer c;
          c.id = sb::CustomerId{i + 1};
          c.name = "Customer " + std::to_string(i);
          c.emails = {"c" + std::to_string(i) + "@org" + std::to_string(i % kOrganizations) + ".example"};
          if (i % 2 == 0) c.organization = sb::OrganizationId{i % kOrganizations + 1};
          c.external_id = "crm-" + std::to_string(i);
          c.attributes = {{"lifetime_value", static_cast<double>(i % 5000)}, {"plan", std::string(i % 3 ? "pro" : "free")}};
          c.created_at = c.updated_at = now;
          b.customers.push_back(std::move(c));
        }
        if (auto r = st->commit(b); !r) {
          std::fprintf(stderr, "fill: %s\n", r.error().message.c_str());
          std::exit(1);
        }
        std::fprintf(stderr, "\rfilling the customer database: %d/%d", base + 20'000, kCustomers);
      }
      std::fprintf(stderr, "\n");
    }
    return st;
  }();
  return *s;
}

sb::Directory& directory() {
  static sb::Directory d(store(), [] { return sb::from_millis(1764547200000); });
  return d;
}

// Times each match; the counters are the median and 99th percentile.
template <class Address>
void time_matches(benchmark::State& state, Address address) {
  std::vector<double> us;
  std::mt19937 rng(11);
  for (auto _ : state) {
    const std::string email = address(rng);
    const auto t0 = std::chrono::steady_clock::now();
    auto m = directory().match(email, "Someone");
    const auto t1 = std::chrono::steady_clock::now();
    if (!m) state.SkipWithError(m.error().message.c_str());
    benchmark::DoNotOptimize(m);
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  std::sort(us.begin(), us.end());
  if (!us.empty()) {
    state.counters["p50_us"] = us[us.size() / 2];
    state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  }
}

// A known customer's address (found; its organisation read).
void BM_MatchKnownCustomer(benchmark::State& state) {
  time_matches(state, [](std::mt19937& rng) {
    const int i = static_cast<int>(rng() % kCustomers);
    return "c" + std::to_string(i) + "@org" + std::to_string(i % kOrganizations) + ".example";
  });
}
BENCHMARK(BM_MatchKnownCustomer)->Iterations(20'000);

// A new address at a known organisation's domain (a new customer drafted, the organisation found by domain).
void BM_MatchNewAddressKnownDomain(benchmark::State& state) {
  time_matches(state, [](std::mt19937& rng) {
    return "new" + std::to_string(rng()) + "@org" + std::to_string(rng() % kOrganizations) + ".example";
  });
}
BENCHMARK(BM_MatchNewAddressKnownDomain)->Iterations(20'000);

// Nobody we know.
void BM_MatchStranger(benchmark::State& state) {
  time_matches(state, [](std::mt19937& rng) { return "x" + std::to_string(rng()) + "@nowhere.example"; });
}
BENCHMARK(BM_MatchStranger)->Iterations(20'000);

}  // namespace

BENCHMARK_MAIN();
