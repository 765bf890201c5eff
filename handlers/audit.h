/*
 * The audit chain: one append-only entry for everything the authority
 * does with personal data (reads of exposure lists and appeals, imports,
 * withdrawals, marks, overrides, disputes, role changes, checkers'
 * look-ups by identity number).  Each entry's hash is SHA-256 over its
 * canonical form and the previous entry's hash (migrations/0011): an
 * entry changed, removed or inserted afterwards breaks the chain at the
 * first entry whose hash no longer follows.
 */
#ifndef HC_AUDIT_H
#define HC_AUDIT_H

#include "ctx.h"

/*
 * Appends one entry, inside the caller's write transaction (db_begin:
 * the entry commits with the change it records, and the chain's end is
 * read under the write lock).  actor is "account:ID" or "cli"; subject a
 * keyed hash or ""; details an object (not consumed), or NULL for {}.
 * 0, or -1 on a database error.
 */
int audit_add(struct app *a, time_t now, const char *actor,
    const char *action, const char *subject, const cJSON *details);
/* audit_add with the signed-in account of c as the actor. */
int audit_ctx(struct ctx *c, const char *action, const char *subject,
    const cJSON *details);
/*
 * audit_ctx in a transaction of its own: for a read of personal data,
 * which changes nothing else.  0, or -1 (nothing written).
 */
int audit_read(struct ctx *c, const char *action, const char *subject,
    const cJSON *details);
/* Writes the keyed hash of a subject that is not a person ("venue", "17"). */
void audit_subject(struct app *a, const char *kind, const char *value,
    char out[65]);

struct audit_check {
	int	ok;
	int64_t	entries;	/* entries now in the log */
	int64_t	first_broken;	/* the first entry that does not verify
				 * (the one after the anchor for a young
				 * anchor), 0 */
};
/*
 * Walks the chain from the anchor; an anchor younger than
 * retention_audit_days (less a day) at now is a break too: entries the
 * purge would have kept were removed from the oldest end.  0, or -1 on
 * a database error.
 */
int audit_verify(struct app *a, time_t now, struct audit_check *out);

#endif
