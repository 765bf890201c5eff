/*
 * Product rules for input and display that need no I/O: phone numbers,
 * one-time codes, roles, venue fields, and the masked forms shown to
 * people.
 */
#ifndef HC_VALID_H
#define HC_VALID_H

/* Roles are a bit set, read from the database on every request. */
enum role {
	ROLE_CHECKER = 1 << 0,
	ROLE_ADMIN = 1 << 1,
	ROLE__LAST = ROLE_ADMIN
};

/* Returns 1 for a mainland mobile number: 11 digits, "1[3-9]...". */
int valid_phone(const char *s);
/* Returns 1 for a one-time code: exactly 6 digits. */
int valid_otp(const char *s);
/* Returns 1 for the form of a GB/T 2260 region code: six digits. */
int valid_region_code(const char *s);
/* Returns the role bit for "checker" or "admin", 0 for anything else. */
unsigned role_parse(const char *s);
/* Returns the role bits named in a comma-separated list ("checker,admin"). */
unsigned roles_parse(const char *list);
/* Returns the name of one role bit. */
const char *role_name(unsigned role);
/* Writes "138****8000" for a valid phone (out holds 12 bytes). */
void mask_phone(const char *phone, char out[12]);
/*
 * Returns 1 for a path of ours to return to after sign-in: "/" then
 * visible ASCII, at most 512 bytes, not "//" and no backslash.
 */
int valid_local_path(const char *s);

/* A reason of an appeal or a dispute, the authority's note on a decision. */
#define NOTE_CHARS	500
/* Returns 1 for a note: 1-500 characters of text, line breaks allowed. */
int note_valid(const char *s);

/* Venues: a name of 1-60 characters of one-line text, not blank. */
#define VENUE_NAME_CHARS	60
#define VENUE_ADDRESS_CHARS	120
#define VENUE_TOKEN_BYTES	16	/* random bytes of a venue token */
#define VENUE_TOKEN_LEN		22	/* ... as base64url characters */
/* Returns 1 for a venue name: 1-60 characters of one-line text, not blank. */
int venue_name_valid(const char *s);
/* Returns 1 for a venue address: 1-120 characters, as the name. */
int venue_address_valid(const char *s);
/* Returns 1 if s has the form of a venue token: 22 base64url characters. */
int venue_token_valid(const char *s);

#endif
