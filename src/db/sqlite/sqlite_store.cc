#include "db/sqlite/sqlite_store.h"

#include "db/sql/sql_store_impl.h"

namespace sb {

template class SqlStore<SqliteDb>;

}  // namespace sb
