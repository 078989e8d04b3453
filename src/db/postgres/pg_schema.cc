#include "db/postgres/pg_schema.h"

#include <pqxx/pqxx>

namespace sb::pg {
namespace {

// Any number, the same on every node: the lock that serialises migrations.
constexpr long long kMigrationLock = 0x5B'0001;

}  // namespace

Result<int> schema_version(pqxx::connection& c) {
  try {
    pqxx::nontransaction tx(c);
    tx.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    auto r = tx.exec("SELECT COALESCE(MAX(version), 0) FROM schema_version");
    return r[0][0].as<int>();
  } catch (const std::exception& e) {
    return Error::Unavailable(std::string("postgresql: ") + e.what());
  }
}

Status migrate(pqxx::connection& c) {
  try {
    {
      pqxx::nontransaction tx(c);
      tx.exec("SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) + ")");
    }
    struct Unlock {
      pqxx::connection& c;
      ~Unlock() {
        try {
          pqxx::nontransaction tx(c);
          tx.exec("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ")");
        } catch (...) {
        }
      }
    } unlock{c};
    auto current = schema_version(c);
    if (!current) return current.error();
    if (*current > static_cast<int>(kMigrations.size())) {
      return Error::Unavailable("database schema version " + std::to_string(*current) + " is newer than this binary (" +
                                std::to_string(kMigrations.size()) + ")");
    }
    for (std::size_t v = static_cast<std::size_t>(*current); v < kMigrations.size(); ++v) {
      pqxx::work tx(c);
      tx.exec(std::string(kMigrations[v]));
      tx.exec("INSERT INTO schema_version (version) VALUES (" + std::to_string(v + 1) + ")");
      tx.commit();
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return Error::Unavailable(std::string("postgresql migration failed: ") + e.what());
  }
}

}  // namespace sb::pg
