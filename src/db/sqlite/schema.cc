#include "db/sqlite/schema.h"

#include <string>

namespace sb::sqlite {

Status migrate(Connection& c) {
  if (auto s = c.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"); !s) return s;
  auto st = c.prepare("SELECT IFNULL(MAX(version), 0) FROM schema_version");
  if (!st) return st.error();
  auto row = st->step();
  if (!row) return row.error();
  const auto current = static_cast<std::size_t>(st->int64(0));
  st->reset();
  if (current > kMigrations.size()) {
    return Error::Unavailable("database schema version " + std::to_string(current) +
                              " is newer than this binary (" + std::to_string(kMigrations.size()) + ")");
  }
  for (std::size_t v = current; v < kMigrations.size(); ++v) {
    if (auto s = c.exec("BEGIN IMMEDIATE"); !s) return s;
    Status s = c.exec(std::string(kMigrations[v]));
    if (s) s = c.exec("INSERT INTO schema_version (version) VALUES (" + std::to_string(v + 1) + ")");
    if (s) s = c.exec("COMMIT");
    if (!s) {
      (void)c.exec("ROLLBACK");
      return Error::Unavailable("migration " + std::to_string(v + 1) + " failed: " + s.error().message);
    }
  }
  return Status::Ok();
}

}  // namespace sb::sqlite
