/*
 * The case-list import, shared by the API (cases.c) and healthcodectl
 * import-cases: one function, so that both check and store a file the
 * same way.
 */
#ifndef HC_CASES_H
#define HC_CASES_H

#include "ctx.h"

#define CASES_PROBLEMS_MAX	1000	/* listed of a refused file */

/* One thing wrong with a file: its line (the header is 1) and why. */
struct cases_problem {
	size_t		 line;
	size_t		 column;	/* 1-based, for a header problem; 0 */
	const char	*reason;	/* a stable code: "invalid_check_digit" */
	const char	*field;		/* the column it concerns, or NULL */
};

struct cases_result {
	const char	*code;		/* the error code when refused */
	long long	 imported;	/* entries stored */
	long long	 duplicates;	/* rows of a person and category already in the file */
	long long	 counts[CASE__MAX];	/* ... by category */
	long long	 rows_max;	/* too_many_rows: the limit */
	long long	 invalid;	/* invalid_rows: bad lines in all */
	struct cases_problem *problems;	/* the first CASES_PROBLEMS_MAX */
	size_t		 nproblems;
	int		 truncated;	/* more problems than listed */
};

/* Told the rows checked, then the rows stored, of about total. */
typedef void cases_progress(void *arg, const char *phase, size_t done,
    size_t total);

/*
 * Imports a case list: len bytes of CSV (docs/console.md), every row
 * or none.  actor is "cli", or NULL for the signed-in account of c.
 * Returns 0 with the counts in out, or the status of the refusal with
 * out->code: 413 too_many_rows, 422 invalid_rows (out->problems),
 * no_rows or invalid_header... see docs/console.md, 500 internal.  Free
 * out with cases_result_free.
 */
int cases_import(struct ctx *c, const char *data, size_t len,
    const char *actor, cases_progress *progress, void *arg,
    struct cases_result *out);
void cases_result_free(struct cases_result *r);

#endif
