/*
 * Product rules for input and display that need no I/O: phone numbers,
 * one-time codes, roles, and the masked forms shown to people.
 */
#ifndef HC_VALID_H
#define HC_VALID_H

/* Returns 1 for a mainland mobile number: 11 digits, "1[3-9]...". */
int valid_phone(const char *s);
/* Returns 1 for a one-time code: exactly 6 digits. */
int valid_otp(const char *s);
/* Returns the role bit for "checker" or "admin", 0 for anything else. */
unsigned role_parse(const char *s);
/* Returns the name of one role bit. */
const char *role_name(unsigned role);
/* Writes "138****8000" for a valid phone (out holds 12 bytes). */
void mask_phone(const char *phone, char out[12]);
/*
 * Returns 1 for a path of ours to return to after sign-in: "/" then
 * visible ASCII, at most 512 bytes, not "//" and no backslash.
 */
int valid_local_path(const char *s);

#endif
