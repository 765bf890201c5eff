/*
 * Statement ids: one per SQL(ID, "text") line of sql.def.  Every
 * statement is prepared once at start (boot.c); files run them with
 * db_stmt(db, ID) and never see their text.
 */
#ifndef HC_SQL_H
#define HC_SQL_H

enum stmt {
#define SQL(id, text) id,
#include "sql.def"
#undef SQL
	SQL__MAX
};

/* The text of every statement, indexed by enum stmt. */
extern const char *const sql_stmts[SQL__MAX];

#endif
