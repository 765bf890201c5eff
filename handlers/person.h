/*
 * Persons: who a code is about.  A person is named by the keyed hash of
 * their document (the number itself is never stored), with its masked
 * form and the name for display.  Identity checks (GB 11643 numbers,
 * passports), the region and country look-ups they need, binding an
 * account to its own person (and moving it to another account), and
 * reading persons back.
 */
#ifndef HC_PERSON_H
#define HC_PERSON_H

#include "ctx.h"
#include "ident.h"

/* A document as presented, after validation, with its keyed hashes. */
struct identity {
	const char	*name;
	enum id_type	 type;
	char		 number[24];	/* the caller clears it when done */
	char		 nationality[4];	/* passports: ISO 3166-1 alpha-3 */
	char		 hash[65];	/* type, nationality (passports), number */
	char		 legacy[65];	/* passports: the key before 0010, "" until needed */
};

/* A stored person. */
struct person {
	int64_t	id;
	char	id_hash[65];
	char	id_type[16];
	char	id_masked[24];
	char	name[NAME_BYTES];
	int	legacy;		/* a passport keyed before migration 0010 */
	char	nationality[4];
};

/* Returns 1 if code is a GB/T 2260 region, 0 if not, -1 on a database error. */
int region_known(struct ctx *c, const char *code);
/* Writes the region's name (or "") to out; 1, 0 unknown, -1. */
int region_name(struct ctx *c, const char *code, char *out, size_t outlen);

/*
 * Checks a document (name, type, number and, for passports, nationality;
 * NULL for absent) as of today, and hashes it into id; the caller clears
 * id->number (explicit_bzero) when done with it.  Returns 0, 400 with e (missing_field, invalid_*, unknown_region,
 * ...), or 500.
 */
int person_identity(struct ctx *c, const char *name, const char *type,
    const char *number, const char *nationality, struct identity *id,
    struct in_err *e);

/* Reads the signed-in account's own person: 1, 0 none yet, -1. */
int person_self(struct ctx *c, struct person *p);
/*
 * Reads the person a document names (a passport person keyed before
 * migration 0010 is moved to the new key here): 1, 0 none, -1.
 */
int person_find(struct ctx *c, struct identity *id, struct person *p);
/*
 * Makes id->legacy, a passport's key before migration 0010, while the
 * number is there: person_find then matches a legacy person by it after
 * the number is cleared (a case-list import checks every row first and
 * writes afterwards).
 */
void person_legacy_key(struct ctx *c, struct identity *id);
/*
 * Makes id the account's own person, in the caller's write transaction:
 * the one already bound (it must be the same document: 409
 * identity_mismatch), a person known by the document and nobody's own
 * (409 identity_in_use if it is another account's and the name is the
 * one on record, else identity_mismatch), or a new one.  0 with p, or a
 * status with e.
 */
int person_bind_self(struct ctx *c, struct identity *id,
    struct person *p, struct in_err *e);
/* Reads the account whose own person person_id is into *account (may be NULL): 1, 0 nobody's, -1. */
int person_holder(struct ctx *c, int64_t person_id, int64_t *account);
/*
 * Makes person_id the own person of account to, in the caller's write
 * transaction (an identity dispute decided for to).  The account that
 * held it (*from, 0 for none) loses it, and the person loses what that
 * account recorded under it: declarations (and travel), daily codes,
 * clearance marks, an override, and the person on its check-ins (the
 * visits stay the account's).  0, or 409 identity_bound (to has its own
 * person) or 500 with e.
 */
int person_move_self(struct ctx *c, int64_t person_id, int64_t to,
    int64_t *from, struct in_err *e);
/* Returns 1 if the person declared on day, 0 if not, -1. */
int person_declared(struct ctx *c, int64_t person_id, const char *day);

#endif
