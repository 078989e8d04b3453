#pragma once
// Opens the Store a --db names: a postgresql:// URL (PgStore) or a SQLite
// file path (SqliteStore, created with its directory when missing).
#include <memory>
#include <string>

#include "store/store.h"

namespace sb {

Result<std::unique_ptr<Store>> open_store(const std::string& target);

// The target for logs: a URL's password replaced by ***.
std::string redact_store_target(const std::string& target);

}  // namespace sb
