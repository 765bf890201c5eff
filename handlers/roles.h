/*
 * Roles given to phone numbers: the operator's CLI grants both, the
 * console only checker.  Each caller appends the change's audit entry
 * (role.grant, role.revoke: subject the keyed hash of the phone, details
 * the role) in the same write transaction.  Roles are read with the
 * session on every request: a change holds from the next request on.
 */
#ifndef HC_ROLES_H
#define HC_ROLES_H

#include "ctx.h"

/*
 * Gives role (ROLE_CHECKER, ROLE_ADMIN) to phone (valid), making its
 * account if it has none (a grant works before the first sign-in), in
 * the caller's write transaction.  1 granted now, 0 held already, -1 on
 * a database error.
 */
int role_grant(struct app *a, time_t now, const char *phone, unsigned role);
/* Takes role from phone: 1 revoked now, 0 not held, -1. */
int role_revoke(struct app *a, const char *phone, unsigned role);

#endif
