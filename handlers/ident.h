/*
 * Identity rules without I/O: resident ID numbers (GB 11643), passports,
 * names, and the masked forms shown to checkers and owners.  The raw
 * number is never stored; callers hash it (app_mac) and keep the mask.
 */
#ifndef HC_IDENT_H
#define HC_IDENT_H

#include <stddef.h>

enum id_type {
	ID_RESIDENT,	/* "resident_id": 18-character resident identity card */
	ID_PASSPORT,	/* "passport": for foreigners (国际版) */
	ID__MAX
};

enum id_error {
	ID_OK,
	ID_BAD_FORMAT,		/* "invalid_id_number": length or characters */
	ID_BAD_CHECK_DIGIT,	/* "invalid_check_digit" */
	ID_BAD_BIRTH_DATE,	/* "invalid_birth_date": impossible or future */
	ID_UNKNOWN_REGION,	/* "unknown_region": prefix not a GB/T 2260 code */
	ID_BAD_NATIONALITY,	/* "invalid_nationality": not ISO 3166-1 alpha-3 */
	ID__ERRMAX
};

/* Returns the type for "resident_id" or "passport", ID__MAX otherwise. */
enum id_type id_type_parse(const char *s);
const char *id_type_name(enum id_type t);
/* Returns the stable error code string ("invalid_check_digit", ...). */
const char *id_error_name(enum id_error e);

/* Returns the GB 11643 (ISO 7064 MOD 11-2) check character for 17 digits. */
char id_check_char(const char *digits17);

/*
 * Checks an 18-character resident ID number (a trailing lowercase x is
 * accepted and must be normalised by id_normalise first): 17 digits and a
 * digit or X, the check character, a birth date (digits 7-14) that exists
 * and is neither after today ("YYYY-MM-DD") nor before 1900-01-01, and a
 * region prefix (digits 1-6) that region_known accepts.
 */
enum id_error id_check_resident(const char *s, const char *today,
    int (*region_known)(void *arg, const char *code6), void *arg);

/*
 * Checks a passport: 5-20 ASCII letters and digits (upper case after
 * id_normalise), and a nationality of three upper-case letters that
 * country_known accepts.
 */
enum id_error id_check_passport(const char *number, const char *nationality,
    int (*country_known)(void *arg, const char *alpha3), void *arg);

/* Copies s to out (outlen bytes) upper-cased, without surrounding spaces. 0, or -1 if too long. */
int id_normalise(const char *s, char *out, size_t outlen);

/*
 * Writes the masked number: resident IDs show the first and last 4
 * ("1101**********002X"); passports the first 2 and last 2 with one star
 * per hidden character ("E1*****78").  out holds at least 24 bytes.
 */
void id_mask(enum id_type t, const char *number, char *out, size_t outlen);

/* A name is at most NAME_CHARS characters of up to 4 bytes of UTF-8. */
#define NAME_CHARS	32
#define NAME_BYTES	(NAME_CHARS * 4 + 1)	/* a buffer for any valid name */
/* A masked name: two characters (with their combining marks) and a "*". */
#define NAME_MASKED_BYTES	(NAME_BYTES + 1)

/*
 * Returns 1 for a plausible name: 1-32 characters (not bytes) of valid
 * UTF-8, letters of any script, the middle dot "·" of minority and
 * transliterated names, and for foreign names ASCII letters, single
 * spaces, hyphens, apostrophes and periods; no digits, controls or markup.
 */
int name_valid(const char *s);

/*
 * Writes the masked name: first and last character with one "*" between
 * ("王*华", "欧*娜"); two-character names keep the first ("王*"); a one-
 * character name becomes "*".  Characters, not bytes.  out holds at least
 * 16 bytes more than strlen(name) needs.
 */
void name_mask(const char *name, char *out, size_t outlen);

#endif
