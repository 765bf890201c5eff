/* Phone, code and role rules; masking for display. */
#include <string.h>

#include "../fcgi/validate.h"
#include "app.h"
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
