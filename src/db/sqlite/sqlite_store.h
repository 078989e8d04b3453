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
  // The same, probed ticket by ticket (for words so common that walking the
  // list's order and checking each ticket beats collecting every match).
  static constexpr const char* kTextProbe =
      "(EXISTS (SELECT 1 FROM ticket_fts WHERE ticket_fts MATCH ? AND rowid = tickets.id) OR EXISTS (SELECT 1 FROM "
      "messages m JOIN message_fts ON message_fts.rowid = m.id WHERE m.ticket_id = tickets.id AND message_fts MATCH ?))";
  // How many tickets and messages hold the words, counted up to a cap.
  static constexpr const char* kTextCount =
      "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM ticket_fts WHERE ticket_fts MATCH ?1 LIMIT ?2)) + "
      "(SELECT COUNT(*) FROM (SELECT 1 FROM message_fts WHERE message_fts MATCH ?1 LIMIT ?2))";
  static constexpr const char* kHasTag = "EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?)";
  // Written before a column to keep the planner off its index: SQLite has no
  // statistics and would otherwise read a whole team's tickets to sort them
  // rather than walk the order's index (a scope is rarely selective).
  static constexpr const char* kNoIndex = "+";
  // Which index to read a list through, when the planner (without
  // statistics) would pick a worse one: empty, or " INDEXED BY name".
  static std::string indexed_by(const char* index) { return std::string(" INDEXED BY ") + index; }
};

using SqliteStore = SqlStore<SqliteDb>;
extern template class SqlStore<SqliteDb>;

}  // namespace sb
