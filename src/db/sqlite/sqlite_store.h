#pragma once
// The embedded default Store: one SQLite file in WAL mode (SqlStore over
// SQLite; src/db/sql/sql_store.h).
#include <string>

#include "db/sql/sql_store.h"
#include "db/sqlite/connection.h"
#include "db/sqlite/schema.h"

namespace sb {

struct SqliteDb {
  using Connection = sqlite::Connection;
  static Result<std::unique_ptr<Connection>> connect(const std::string& path) { return Connection::open(path); }
  static Status migrate(Connection& c) { return sqlite::migrate(c); }
  static constexpr int kSchemaVersion = static_cast<int>(sqlite::kMigrations.size());
  static constexpr const char* kBeginWrite = "BEGIN IMMEDIATE";  // take the write lock now, not at the first write
  static constexpr const char* kBeginRead = "BEGIN";
  static constexpr const char* kReportIndex = " INDEXED BY tickets_report";  // the planner's second choice is slower
  static constexpr const char* kInsertOrder = "rowid";  // presence_log rows in the order written
};

using SqliteStore = SqlStore<SqliteDb>;
extern template class SqlStore<SqliteDb>;

}  // namespace sb
