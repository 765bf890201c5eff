/* The statement table: the texts of sql.def, indexed by their ids. */
#include "sql.h"

const char *const sql_stmts[SQL__MAX] = {
#define SQL(id, text) [id] = text,
#include "sql.def"
#undef SQL
};
