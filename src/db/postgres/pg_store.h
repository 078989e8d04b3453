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
  // Full-text search (migration 6): tickets whose own text, or one of whose
  // messages, holds every word; both placeholders take text_query().
  // One set of ids (a UNION), so that both GIN indexes are used (an OR of
  // the ticket's own column and a subquery would read every ticket).
  static constexpr const char* kTextMatch =
      "id IN (SELECT id FROM tickets WHERE search @@ to_tsquery('simple', ?) UNION SELECT ticket_id FROM messages "
      "WHERE search @@ to_tsquery('simple', ?))";
  // to_tsquery's syntax: the words (letters and digits only) joined by &.
  static std::string text_query(const std::vector<std::string>& words) {
    std::string q;
    for (const std::string& w : words) q += (q.empty() ? "" : " & ") + w;
    return q;
  }
  static constexpr const char* kTextProbe =
      "(search @@ to_tsquery('simple', ?) OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = tickets.id "
      "AND m.search @@ to_tsquery('simple', ?)))";
  static constexpr const char* kTextCount =
      "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM tickets WHERE search @@ to_tsquery('simple', ?1) LIMIT ?2) a) + "
      "(SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE search @@ to_tsquery('simple', ?1) LIMIT ?2) b)";
  static constexpr const char* kHasTag = "tags::jsonb @> jsonb_build_array(CAST(? AS TEXT))";
  static constexpr const char* kNoIndex = "";  // PostgreSQL's planner has statistics
  static std::string indexed_by(const char*) { return {}; }
};

using PgStore = SqlStore<PgDb>;
extern template class SqlStore<PgDb>;

// True for a postgresql:// (or postgres://) URL.
inline bool is_postgres_url(const std::string& s) {
  return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0;
}

}  // namespace sb
