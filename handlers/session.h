/*
 * Sessions: a row in the database named by an HS256 token that ends at
 * the next daily cutoff; ending it deletes the row, so the token dies
 * with it.  Roles are read with the session on every request.  This is
 * the only file that writes or clears the session cookie.
 */
#ifndef HC_SESSION_H
#define HC_SESSION_H

#include "ctx.h"

/* Reads the session of the request (Bearer or cookie) into c; 1 if signed in. */
int session_read(struct ctx *c);
/*
 * Returns the id of the account of phone, made if it has none, its last
 * sign-in now (the OTP and the WeChat sign-in reach the same account), in
 * the caller's write transaction; -1 on a database error.
 */
int64_t session_account(struct ctx *c, const char *phone);
/*
 * Makes a session for account in the caller's write transaction (which
 * it commits): fills *token (malloc'd) and *expires.  0, or 500.
 */
int session_create(struct ctx *c, int64_t account, char **token,
    time_t *expires);
/* Sets the session cookie for token until expires. */
void session_cookie(struct ctx *c, const char *token, time_t expires);
/*
 * Answers a sign-in (by code or by WeChat): the cookie and 200
 * {"token","expires_at"}.  Frees token.
 */
void session_answer(struct ctx *c, char *token, time_t expires);
/* Ends the current session, if any, and clears the cookie. */
void session_end(struct ctx *c);
/* Clears the session cookie only (the account is gone). */
void session_forget(struct ctx *c);

#endif
