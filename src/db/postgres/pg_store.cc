#include "db/postgres/pg_store.h"

#include "db/sql/sql_store_impl.h"

namespace sb {

template class SqlStore<PgDb>;

}  // namespace sb
