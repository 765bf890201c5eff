/*
 * libFuzzer harness for WeChat's answers (handlers/wxparse.c): the three
 * parsers over the same input; what they accept has the shapes promised
 * (an openid of [A-Za-z0-9_-], a printable token with a positive
 * lifetime, a phone of digits).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../handlers/wxparse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Aborts unless s is 1..max characters of [A-Za-z0-9_-] (digits only if digits). */
static void
shaped(const char *s, size_t max, int digits)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		abort();
	for (i = 0; i < n; i++)
		if (digits ? !(s[i] >= '0' && s[i] <= '9') :
		    !wx_code_valid((char[]){ s[i], '\0' }))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char openid[WX_OPENID_MAX + 1], token[WX_TOKEN_MAX + 1];
	char phone[WX_PHONE_MAX + 1];
	long long ex;
	int china;
	enum wx_res r;

	if (size > 65536)
		return 0;
	if ((r = wx_parse_session(s, size, openid)) == WX_OK)
		shaped(openid, WX_OPENID_MAX, 0);
	else if (r >= WX__MAX || openid[0] != '\0')
		abort();
	if ((r = wx_parse_token(s, size, token, &ex)) == WX_OK) {
		if (ex < 1 || strlen(token) == 0 || strlen(token) > WX_TOKEN_MAX)
			abort();
	} else if (r >= WX__MAX || token[0] != '\0')
		abort();
	if ((r = wx_parse_phone(s, size, phone, &china)) == WX_OK)
		shaped(phone, WX_PHONE_MAX, 1);
	else if (r >= WX__MAX || phone[0] != '\0')
		abort();
	return 0;
}
