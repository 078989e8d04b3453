#include "db/open_store.h"

#include <filesystem>

#include "db/postgres/pg_store.h"
#include "db/sqlite/sqlite_store.h"

namespace sb {

Result<std::unique_ptr<Store>> open_store(const std::string& target) {
  if (is_postgres_url(target)) {
    auto s = PgStore::open(target);
    if (!s) return s.error();
    return std::unique_ptr<Store>(std::move(*s));
  }
  const auto parent = std::filesystem::path(target).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  auto s = SqliteStore::open(target);
  if (!s) return s.error();
  return std::unique_ptr<Store>(std::move(*s));
}

std::string redact_store_target(const std::string& target) {
  if (!is_postgres_url(target)) return target;
  const auto scheme = target.find("://") + 3;
  const auto at = target.find('@', scheme);
  const auto colon = target.find(':', scheme);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return target;
  return target.substr(0, colon + 1) + "***" + target.substr(at);
}

}  // namespace sb
