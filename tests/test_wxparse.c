/*
 * WeChat's answers parsed (handlers/wxparse.c), table-driven: each
 * body against what it means (ok, code invalid, rate limited, token
 * expired, unavailable) and the field read out of it.
 */
#include <string.h>

#include "../fcgi/util.h"
#include "../handlers/wxparse.h"
#include "t.h"

static const char *const res_name[WX__MAX] = { "ok", "code_invalid",
    "rate_limited", "token_expired", "unavailable" };

int
main(void)
{
	static const struct {
		const char *body, *res, *openid;
	} sess[] = {
		{ "{\"openid\":\"oAbc_12-3\",\"session_key\":\"k==\"}", "ok", "oAbc_12-3" },
		{ "{\"openid\":\"o1\",\"unionid\":\"u1\",\"errcode\":0}", "ok", "o1" },
		{ "{\"errcode\":40029,\"errmsg\":\"invalid code\"}", "code_invalid", "" },
		{ "{\"errcode\":40163,\"errmsg\":\"code been used\"}", "code_invalid", "" },
		{ "{\"errcode\":45011,\"errmsg\":\"limit\"}", "rate_limited", "" },
		{ "{\"errcode\":-1,\"errmsg\":\"system error\"}", "unavailable", "" },
		{ "{\"errcode\":40013}", "unavailable", "" },
		{ "{\"errcode\":\"40029\"}", "unavailable", "" },
		{ "{\"errcode\":1.5,\"openid\":\"o1\"}", "unavailable", "" },
		{ "{\"errcode\":1e300,\"openid\":\"o1\"}", "unavailable", "" },
		{ "{\"session_key\":\"k\"}", "unavailable", "" },
		{ "{\"openid\":\"\"}", "unavailable", "" },
		{ "{\"openid\":\"has space\"}", "unavailable", "" },
		{ "{\"openid\":7}", "unavailable", "" },
		{ "[\"openid\"]", "unavailable", "" },
		{ "<html>", "unavailable", "" },
		{ "", "unavailable", "" },
	};
	char openid[WX_OPENID_MAX + 1], token[WX_TOKEN_MAX + 1];
	char phone[WX_PHONE_MAX + 1], big[200];
	long long ex;
	enum wx_res r;
	size_t i;
	int china;

	for (i = 0; i < NELEM(sess); i++) {
		r = wx_parse_session(sess[i].body, strlen(sess[i].body), openid);
		T_STREQ(res_name[r], sess[i].res, "session %zu", i);
		T_STREQ(openid, sess[i].openid, "openid %zu", i);
	}
	memset(big, 'a', sizeof(big));
	memcpy(big, "{\"openid\":\"", 11);
	memcpy(big + 11 + 65, "\"}", 3);
	r = wx_parse_session(big, strlen(big), openid);
	T_STREQ(res_name[r], "unavailable", "65-character openid");

	r = wx_parse_token("{\"access_token\":\"AT1\",\"expires_in\":7200}", 40,
	    token, &ex);
	T_STREQ(res_name[r], "ok", "token");
	T_STREQ(token, "AT1", "token text");
	T_CHECK(ex == 7200, "expires_in %lld", ex);
	r = wx_parse_token("{\"access_token\":\"AT1\"}", 22, token, &ex);
	T_STREQ(res_name[r], "unavailable", "token without expires_in");
	r = wx_parse_token("{\"access_token\":\"AT1\",\"expires_in\":0}", 37,
	    token, &ex);
	T_STREQ(res_name[r], "unavailable", "token expiring at once");
	r = wx_parse_token("{\"errcode\":40001}", 17, token, &ex);
	T_STREQ(res_name[r], "token_expired", "40001");
	r = wx_parse_token("{\"errcode\":42001}", 17, token, &ex);
	T_STREQ(res_name[r], "token_expired", "42001");

#define PHONE(b) wx_parse_phone(b, strlen(b), phone, &china)
	r = PHONE("{\"errcode\":0,\"phone_info\":{\"purePhoneNumber\":"
	    "\"13800138000\",\"countryCode\":\"86\"}}");
	T_STREQ(res_name[r], "ok", "phone");
	T_STREQ(phone, "13800138000", "phone number");
	T_CHECK(china == 1, "china");
	r = PHONE("{\"phone_info\":{\"purePhoneNumber\":\"61234567\","
	    "\"countryCode\":\"852\"}}");
	T_STREQ(res_name[r], "ok", "Hong Kong phone");
	T_CHECK(china == 0, "not mainland");
	r = PHONE("{\"phone_info\":{\"purePhoneNumber\":\"138-0013\"}}");
	T_STREQ(res_name[r], "unavailable", "not digits");
	r = PHONE("{\"phone_info\":{\"purePhoneNumber\":\"1234567890123456\"}}");
	T_STREQ(res_name[r], "unavailable", "16 digits");
	r = PHONE("{\"phone_info\":{\"purePhoneNumber\":\"138\",\"countryCode\":86}}");
	T_STREQ(res_name[r], "unavailable", "countryCode a number");
	r = PHONE("{\"phone_info\":\"13800138000\"}");
	T_STREQ(res_name[r], "unavailable", "phone_info a string");
	r = PHONE("{\"errcode\":40029}");
	T_STREQ(res_name[r], "code_invalid", "phone 40029");
	r = PHONE("{\"errcode\":40001}");
	T_STREQ(res_name[r], "token_expired", "phone 40001");
	r = PHONE("{\"errcode\":45011}");
	T_STREQ(res_name[r], "rate_limited", "phone 45011");

	T_CHECK(wx_code_valid("081aBc-_9"), "a code");
	T_CHECK(!wx_code_valid(""), "empty code");
	T_CHECK(!wx_code_valid("a b"), "space");
	T_CHECK(!wx_code_valid("a:b"), "colon");
	T_CHECK(!wx_code_valid("a&secret=x"), "query injection");
	memset(big, 'a', 129);
	big[129] = '\0';
	T_CHECK(!wx_code_valid(big), "129 characters");
	big[128] = '\0';
	T_CHECK(wx_code_valid(big), "128 characters");
	T_DONE("wxparse");
}
