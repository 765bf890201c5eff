/*
 * WeChat's answers, parsed: pure functions over the JSON bodies of
 * jscode2session, cgi-bin/token and getuserphonenumber, and the shapes
 * of the codes a mini-program sends.  No I/O, no state: fuzzed by
 * fuzz/fuzz_wechat.c.
 */
#ifndef HC_WXPARSE_H
#define HC_WXPARSE_H

#include <stddef.h>

#define WX_OPENID_MAX	64
#define WX_TOKEN_MAX	512
#define WX_PHONE_MAX	15

/* What an answer means for us. */
enum wx_res {
	WX_OK,
	WX_CODE_INVALID,	/* 40029 bad code, 40163 code used */
	WX_RATE_LIMITED,	/* 45011 */
	WX_TOKEN_EXPIRED,	/* 40001, 42001: the access token */
	WX_UNAVAILABLE,		/* -1 busy, another errcode, malformed */
	WX__MAX
};

/* Returns what WeChat's errcode means (0 is WX_OK). */
enum wx_res wx_errcode(long long errcode);
/*
 * Parses a jscode2session answer: WX_OK with openid (letters, digits,
 * '-' and '_', 1..WX_OPENID_MAX) copied, or what went wrong.  The
 * session_key in it is not copied anywhere.
 */
enum wx_res wx_parse_session(const char *body, size_t len,
    char openid[WX_OPENID_MAX + 1]);
/*
 * Parses a cgi-bin/token answer: WX_OK with the token (printable,
 * 1..WX_TOKEN_MAX) and *expires_in (seconds, > 0), or what went wrong.
 */
enum wx_res wx_parse_token(const char *body, size_t len,
    char token[WX_TOKEN_MAX + 1], long long *expires_in);
/*
 * Parses a getuserphonenumber answer: WX_OK with phone_info's
 * purePhoneNumber (digits, 1..WX_PHONE_MAX) and whether countryCode
 * says China ("86", or absent), or what went wrong.
 */
enum wx_res wx_parse_phone(const char *body, size_t len,
    char phone[WX_PHONE_MAX + 1], int *china);
/* Returns 1 if s is a code a mini-program may send: 1..128 of [A-Za-z0-9_-]. */
int wx_code_valid(const char *s);

#endif
