// The PostgreSQL schema against a real server: the throwaway cluster the
// ctest fixture starts (scripts/pg-cluster). Each test gets a database of
// its own.
#include "db/postgres/pg_schema.h"
#include "db/postgres/pg_store.h"
#include "tests/support/pg_test_db.h"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <thread>

namespace sb::pg {
namespace {

// A fresh database on the test cluster, dropped afterwards.
class PgSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string server = testing::pg_test_server(PG_TEST_URL_FILE);
    ASSERT_FALSE(server.empty()) << "no test cluster: " << PG_TEST_URL_FILE << " (ctest starts it: Postgres.ClusterStart)";
    admin_ = std::make_unique<pqxx::connection>(server);
    url_ = testing::create_pg_database(server, "sb_schema");
    name_ = url_.substr(url_.rfind('/') + 1);
  }
  void TearDown() override {
    if (admin_) pqxx::nontransaction(*admin_).exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  std::unique_ptr<pqxx::connection> connect() { return std::make_unique<pqxx::connection>(url_); }
  int rows(pqxx::connection& c, const std::string& sql) {
    return pqxx::nontransaction(c).exec(sql)[0][0].as<int>();
  }

  std::unique_ptr<pqxx::connection> admin_;
  std::string name_, url_;
};

TEST_F(PgSchema, AnEmptyDatabaseIsMigratedOnceAndTheVersionRecorded) {
  auto c = connect();
  EXPECT_EQ(*schema_version(*c), 0);
  ASSERT_TRUE(migrate(*c).ok());
  EXPECT_EQ(*schema_version(*c), static_cast<int>(kMigrations.size()));
  for (const char* table : {"tickets", "agents", "teams", "tokens", "decisions", "events", "webhooks", "deliveries",
                            "settings", "messages", "mail_receipts", "idempotency", "presence_log"}) {
    EXPECT_EQ(rows(*c, std::string("SELECT COUNT(*) FROM ") + table), 0) << table;
  }
  ASSERT_TRUE(migrate(*c).ok());  // nothing left to do
  EXPECT_EQ(rows(*c, "SELECT COUNT(*) FROM schema_version"), static_cast<int>(kMigrations.size()));
  // The constraints hold: external ids are unique.
  pqxx::nontransaction tx(*c);
  const std::string insert =
      "INSERT INTO tickets (id, channel, subject, body, requester_email, requester_name, requester_tier, status, "
      "priority, category, required_skills, tags, created_at, updated_at, routing, external_id) VALUES ";
  tx.exec(insert + "(1, 'api', 's', '', '', '', 'standard', 'new', 'normal', '', '{}', '[]', 0, 0, '', 'X-1')");
  EXPECT_THROW(tx.exec(insert + "(2, 'api', 's', '', '', '', 'standard', 'new', 'normal', '', '{}', '[]', 0, 0, '', 'X-1')"),
               pqxx::unique_violation);
}

TEST_F(PgSchema, NodesStartingTogetherMigrateOnce) {
  std::vector<std::thread> nodes;
  std::vector<int> ok(4, 0);
  for (int i = 0; i < 4; ++i) {
    nodes.emplace_back([&, i] {
      auto c = connect();
      ok[static_cast<std::size_t>(i)] = migrate(*c).ok();
    });
  }
  for (auto& t : nodes) t.join();
  EXPECT_EQ(ok, std::vector<int>(4, 1));
  auto c = connect();
  EXPECT_EQ(rows(*c, "SELECT COUNT(*) FROM schema_version"), static_cast<int>(kMigrations.size()));
}

TEST_F(PgSchema, ADatabaseNewerThanTheBinaryIsRefused) {
  auto c = connect();
  ASSERT_TRUE(migrate(*c).ok());
  pqxx::nontransaction(*c).exec("INSERT INTO schema_version (version) VALUES (99)");
  auto s = migrate(*c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("newer than this binary"), std::string::npos) << s.error().message;
}

// Four nodes (each its own store and connections) race for a lease that has
// just expired: one of them gets it, once, and all of them agree who.
TEST_F(PgSchema, RacingNodesTakeAnExpiredLeaseOnce) {
  std::vector<std::unique_ptr<PgStore>> nodes;
  for (int i = 0; i < 4; ++i) {
    auto s = PgStore::open(url_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    nodes.push_back(std::move(*s));
  }
  const Duration ttl = std::chrono::seconds(5);
  ASSERT_EQ(nodes[0]->take_lease("team:1", "node-0", "a:0", from_millis(0), ttl)->owner, "node-0");
  std::vector<Lease> seen(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      const std::string me = "node-" + std::to_string(i + 10);
      seen[static_cast<std::size_t>(i)] = *nodes[static_cast<std::size_t>(i)]->take_lease("team:1", me, "a", from_millis(6000), ttl);
    });
  }
  for (auto& t : threads) t.join();
  for (const Lease& l : seen) {
    EXPECT_EQ(l.owner, seen[0].owner);
    EXPECT_EQ(l.epoch, 2);  // changed hands once
  }
  EXPECT_NE(seen[0].owner, "node-0");
}

}  // namespace
}  // namespace sb::pg
