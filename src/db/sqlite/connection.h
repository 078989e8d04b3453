#pragma once
// A thin RAII layer over one sqlite3 connection with a cache of prepared
// statements. A Connection is used by one thread at a time.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"

namespace sb::sqlite {

class Statement {
 public:
  explicit Statement(sqlite3_stmt* s) : s_(s) {}
  // Binding is 1-based, as in SQLite.
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, const std::optional<std::int64_t>& v);
  Statement& bind_null(int i);
  Statement& bind_blob(int i, std::string_view bytes);
  // Steps once: true when a row is ready, false when done. Errors -> Error.
  Result<bool> step();
  Status run();  // steps to completion
  std::int64_t int64(int col) const { return sqlite3_column_int64(s_, col); }
  std::optional<std::int64_t> optional_int64(int col) const;
  std::string text(int col) const;
  std::string_view text_view(int col) const;  // valid until the next step or reset
  bool is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::string blob(int col) const;
  void reset();
  sqlite3_stmt* raw() const { return s_; }

 private:
  sqlite3_stmt* s_;
};

class Connection {
 public:
  // Opens (creating) the file at `path` with WAL and full fsync on commit.
  static Result<std::unique_ptr<Connection>> open(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A cached prepared statement, reset and ready to bind. Valid until the
  // next prepare() of the same SQL.
  Result<Statement> prepare(const std::string& sql);
  Status exec(const std::string& sql);
  std::string last_error() const { return sqlite3_errmsg(db_); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace sb::sqlite
