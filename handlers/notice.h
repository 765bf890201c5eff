/*
 * Notices: what the authority did to an account that the account is
 * told the next time it looks (GET /api/v1/me, the home page), until it
 * dismisses them.  Today one kind, identity_moved: a dispute's decision
 * gave the account's own person to another account (disputes.c).  A
 * notice says what happened and when, nothing about the other account.
 */
#ifndef HC_NOTICE_H
#define HC_NOTICE_H

#include "ctx.h"

/* Adds a notice for account in the caller's write transaction; 0 or -1. */
int notice_add(struct app *a, int64_t account, const char *kind,
    time_t now);
/*
 * Returns the signed-in account's notices not yet dismissed, oldest
 * first, as [{"kind","at"}] (with labels, "text" too, for the pages);
 * NULL on a database error.
 */
cJSON *notices_json(struct ctx *c, int labels);
/* Dismisses the signed-in account's notices: how many, or -1. */
int64_t notices_seen(struct ctx *c);

#endif
