#include "store/postgres/pg_store.h"

#include "store/sql/sql_store_impl.h"

namespace sb {

template class SqlStore<PgDb>;

}  // namespace sb
