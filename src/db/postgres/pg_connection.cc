#include "db/postgres/pg_connection.h"

#include <cctype>

namespace pqxx {
// Parameters with nulls, for exec_params with a dynamic list.
template <>
struct string_traits<sb::pg::Statement::Param> {
  static const char* name() { return "Param"; }
  static bool has_null() { return true; }
  static bool is_null(const sb::pg::Statement::Param& p) { return !p.value; }
  static sb::pg::Statement::Param null() { return {}; }
  static std::string to_string(const sb::pg::Statement::Param& p) { return p.value ? *p.value : std::string(); }
};
}  // namespace pqxx

namespace sb::pg {

std::string to_dollar_params(std::string_view sql) {
  std::string out;
  int next = 1;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] != '?') {
      out += sql[i];
      continue;
    }
    std::size_t j = i + 1;
    while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) ++j;
    out += '$';
    out += j > i + 1 ? std::string(sql.substr(i + 1, j - i - 1)) : std::to_string(next++);
    i = j - 1;
  }
  return out;
}

Error to_error(const std::exception& e) {
  if (dynamic_cast<const pqxx::integrity_constraint_violation*>(&e)) return Error::Conflict("constraint", e.what());
  return Error::Unavailable(std::string("postgresql: ") + e.what());
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& url) {
  try {
    return std::make_unique<Connection>(url);
  } catch (const std::exception& e) {
    return to_error(e);
  }
}

std::string Connection::with_session_options(const std::string& url) {
  if (url.find("options=") != std::string::npos) return url;  // the operator's own
  if (url.find("://") == std::string::npos) return url + " options='-c idle_in_transaction_session_timeout=2000'";
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-c%20idle_in_transaction_session_timeout%3D2000";
}

Result<Statement> Connection::prepare(const std::string& sql) { return Statement(this, to_dollar_params(sql)); }

const std::string& Connection::prepared(const std::string& sql) {
  auto it = prepared_.find(sql);
  if (it != prepared_.end()) return it->second;
  const std::string name = "sb" + std::to_string(prepared_.size());
  c_.prepare(name, sql);
  return prepared_.emplace(sql, name).first->second;
}

Status Connection::exec(const std::string& sql) {
  try {
    pqxx::nontransaction tx(c_);
    tx.exec(sql);
    return Status::Ok();
  } catch (const std::exception& e) {
    return to_error(e);
  }
}

void Statement::set(int i, std::optional<std::string> v) {
  if (static_cast<std::size_t>(i) > params_.size()) params_.resize(static_cast<std::size_t>(i));
  params_[static_cast<std::size_t>(i - 1)].value = std::move(v);
}

Statement& Statement::bind(int i, std::int64_t v) {
  set(i, std::to_string(v));
  return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
  set(i, std::string(v));
  return *this;
}
Statement& Statement::bind(int i, const std::optional<std::int64_t>& v) {
  set(i, v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt);
  return *this;
}
Statement& Statement::bind_null(int i) {
  set(i, std::nullopt);
  return *this;
}
Statement& Statement::bind_blob(int i, std::string_view bytes) {
  // BYTEA's hex input format, so that any byte (NUL, backslash) survives.
  static const char* digits = "0123456789abcdef";
  std::string hex = "\\x";
  hex.reserve(2 + bytes.size() * 2);
  for (unsigned char b : bytes) {
    hex += digits[b >> 4];
    hex += digits[b & 15];
  }
  set(i, std::move(hex));
  return *this;
}

Status Statement::execute() {
  try {
    const std::string& name = c_->prepared(sql_);  // parsed and planned once per connection
    pqxx::nontransaction tx(c_->c_);
    result_ = tx.exec_prepared(name, pqxx::prepare::make_dynamic_params(params_));
    row_ = -1;
    return Status::Ok();
  } catch (const std::exception& e) {
    result_.reset();
    return to_error(e);
  }
}

Result<bool> Statement::step() {
  if (!result_) {
    if (auto s = execute(); !s) return s.error();
  }
  ++row_;
  return row_ < static_cast<int>(result_->size());
}

Status Statement::run() {
  auto s = execute();
  result_.reset();
  return s;
}

std::int64_t Statement::int64(int col) const {
  const auto f = (*result_)[static_cast<pqxx::result::size_type>(row_)][col];
  return f.is_null() ? 0 : f.as<std::int64_t>();
}
std::optional<std::int64_t> Statement::optional_int64(int col) const {
  const auto f = (*result_)[static_cast<pqxx::result::size_type>(row_)][col];
  if (f.is_null()) return std::nullopt;
  return f.as<std::int64_t>();
}
std::string Statement::text(int col) const { return std::string(text_view(col)); }
std::string_view Statement::text_view(int col) const {
  const auto f = (*result_)[static_cast<pqxx::result::size_type>(row_)][col];
  return f.is_null() ? std::string_view() : std::string_view(f.c_str(), f.size());
}
std::string Statement::blob(int col) const {
  const auto f = (*result_)[static_cast<pqxx::result::size_type>(row_)][col];
  if (f.is_null()) return {};
  return pqxx::binarystring(f).str();
}
bool Statement::is_null(int col) const { return (*result_)[static_cast<pqxx::result::size_type>(row_)][col].is_null(); }

void Statement::reset() {
  result_.reset();
  row_ = -1;
}

}  // namespace sb::pg
