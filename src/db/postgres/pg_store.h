#pragma once
// The scale-out Store: PostgreSQL 15 through libpqxx (SqlStore over
// PostgreSQL; src/db/sql/sql_store.h). Selected by a postgresql:// --db.
#include <string>

#include "db/postgres/pg_connection.h"
#include "db/postgres/pg_schema.h"
#include "db/sql/sql_store.h"

namespace sb {

struct PgDb {
  using Connection = pg::Connection;
  static Result<std::unique_ptr<Connection>> connect(const std::string& url) { return Connection::open(url); }
  static Status migrate(Connection& c) { return pg::migrate(c.raw()); }
  static constexpr int kSchemaVersion = static_cast<int>(pg::kMigrations.size());
  static constexpr const char* kBeginWrite = "BEGIN";
  // A snapshot sees one committed state across its several queries.
  static constexpr const char* kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ";
  static constexpr const char* kReportIndex = "";
  static constexpr const char* kInsertOrder = "id";  // presence_log's identity column
};

using PgStore = SqlStore<PgDb>;
extern template class SqlStore<PgDb>;

// True for a postgresql:// (or postgres://) URL.
inline bool is_postgres_url(const std::string& s) {
  return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0;
}

}  // namespace sb
