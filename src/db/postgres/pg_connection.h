#pragma once
// A PostgreSQL connection (libpqxx) with the statement interface of
// src/db/sqlite/connection.h, so that SqlStore runs its queries on either:
// SQL with ? or ?N placeholders (turned into $N), 1-based binds, step()
// through the rows, columns read by index. Statements run outside pqxx's
// transaction objects; SqlStore's BEGIN/COMMIT/ROLLBACK go through exec().
// A Connection is used by one thread at a time.
#include <cstdint>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace sb::pg {

class Connection;

class Statement {
 public:
  Statement(Connection* c, std::string sql) : c_(c), sql_(std::move(sql)) {}
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, const std::optional<std::int64_t>& v);
  Statement& bind_blob(int i, std::string_view bytes);  // BYTEA
  Statement& bind_null(int i);
  // Runs the statement on the first call; true while a row is ready.
  Result<bool> step();
  Status run();
  std::int64_t int64(int col) const;
  std::optional<std::int64_t> optional_int64(int col) const;
  std::string text(int col) const;
  std::string_view text_view(int col) const;  // valid until the next step or reset
  std::string blob(int col) const;            // BYTEA
  bool is_null(int col) const;
  void reset();

  // One parameter as libpq takes it: text (or null).
  struct Param {
    std::optional<std::string> value;
  };

 private:
  Status execute();
  void set(int i, std::optional<std::string> v);

  Connection* c_;
  std::string sql_;
  std::vector<Param> params_;
  std::optional<pqxx::result> result_;
  int row_ = -1;
};

class Connection {
 public:
  // `url`: postgresql://user@host:port/database (libpq's connection URI).
  static Result<std::unique_ptr<Connection>> open(const std::string& url);
  Result<Statement> prepare(const std::string& sql);
  Status exec(const std::string& sql);
  pqxx::connection& raw() { return c_; }

  explicit Connection(const std::string& url) : c_(with_session_options(url)) {}
  // The URL with the session settings every connection gets (kept when
  // libpqxx reconnects a broken connection): a transaction left idle for
  // 2 s — its process frozen or gone — is ended by the server, releasing its
  // locks, so that a stalled routing owner cannot block a take-over (the
  // fence's row lock, docs/scaling.md).
  static std::string with_session_options(const std::string& url);

 private:
  friend class Statement;
  // The server-side prepared statement for `sql`, prepared on first use.
  const std::string& prepared(const std::string& sql);

  pqxx::connection c_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

// SQLite-style placeholders (? and ?N) to PostgreSQL's ($N).
std::string to_dollar_params(std::string_view sql);

// An error from the server or the connection as a Status: unique and other
// constraint violations are conflicts with code "constraint", as from SQLite.
Error to_error(const std::exception& e);

}  // namespace sb::pg
