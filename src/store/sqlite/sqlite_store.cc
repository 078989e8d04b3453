#include "store/sqlite/sqlite_store.h"

#include "store/sql/sql_store_impl.h"

namespace sb {

template class SqlStore<SqliteDb>;

}  // namespace sb
