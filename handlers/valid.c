/* Phone, code, role, venue-field and note rules; masking for display. */
#include <string.h>

#include "../fcgi/validate.h"
#include "valid.h"

int
valid_phone(const char *s)
{
	return v_digits(s, 11, 11) && s[0] == '1' && s[1] >= '3' &&
	    s[1] <= '9';
}

int
valid_otp(const char *s)
{
	return v_digits(s, 6, 6);
}

int
valid_region_code(const char *s)
{
	return v_digits(s, 6, 6);
}

unsigned
role_parse(const char *s)
{
	if (s == NULL)
		return 0;
	if (strcmp(s, "checker") == 0)
		return ROLE_CHECKER;
	if (strcmp(s, "admin") == 0)
		return ROLE_ADMIN;
	return 0;
}

unsigned
roles_parse(const char *list)
{
	unsigned roles = 0;
	char name[16];
	size_t len;
	const char *p;

	for (p = list; *p; p += len, p += *p == ',') {
		len = strcspn(p, ",");
		if (len < sizeof(name)) {
			memcpy(name, p, len);
			name[len] = '\0';
			roles |= role_parse(name);
		}
	}
	return roles;
}

const char *
role_name(unsigned role)
{
	switch (role) {
	case ROLE_CHECKER: return "checker";
	case ROLE_ADMIN: return "admin";
	default: return "";
	}
}

void
mask_phone(const char *phone, char out[12])
{
	if (!valid_phone(phone)) {
		strcpy(out, "***********");
		return;
	}
	memcpy(out, phone, 3);
	memcpy(out + 3, "****", 4);
	memcpy(out + 7, phone + 7, 4);
	out[11] = '\0';
}

int
valid_local_path(const char *s)
{
	size_t i;
	unsigned char ch;

	/*
	 * "//host" is another site, and so is "/\host": browsers read a
	 * backslash as a slash and drop tabs and newlines.  Hence visible
	 * ASCII only, and no backslash anywhere.
	 */
	if (s == NULL || s[0] != '/' || s[1] == '/')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		ch = (unsigned char)s[i];
		if (i >= 512 || ch <= ' ' || ch > '~' || ch == '\\')
			return 0;
	}
	return 1;
}

int
note_valid(const char *s)
{
	return v_lines(s, NOTE_CHARS);
}

int
venue_name_valid(const char *s)
{
	return v_line(s, VENUE_NAME_CHARS);
}

int
venue_address_valid(const char *s)
{
	return v_line(s, VENUE_ADDRESS_CHARS);
}

int
venue_token_valid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != VENUE_TOKEN_LEN)
		return 0;
	for (i = 0; i < VENUE_TOKEN_LEN; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}
