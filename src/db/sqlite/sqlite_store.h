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
  // Full-text search (migration 16): tickets whose own text, or one of whose
  // messages, holds every word; both placeholders take text_query().
  static constexpr const char* kTextMatch =
      "(id IN (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?) OR id IN (SELECT m.ticket_id FROM message_fts "
      "JOIN messages m ON m.id = message_fts.rowid WHERE message_fts MATCH ?))";
  // FTS5's syntax: every word quoted (search_words() holds no quote), all of them.
  static std::string text_query(const std::vector<std::string>& words) {
    std::string q;
    for (const std::string& w : words) q += (q.empty() ? "\"" : " \"") + w + "\"";
    return q;
  }
  static constexpr const char* kHasTag = "EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?)";
};

using SqliteStore = SqlStore<SqliteDb>;
extern template class SqlStore<SqliteDb>;

}  // namespace sb
