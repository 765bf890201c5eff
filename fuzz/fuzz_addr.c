/*
 * libFuzzer harness for the client's address as the web server passes
 * it (REMOTE_ADDR): acl_match against an allow list like metrics_allow's,
 * and ratelimit_addr, the part of it that a rate limit counts, into the
 * buffer its callers give it and into a smaller one.  Checks that an
 * address on the list is one (IPv4, IPv6, an IPv6 zone ignored, IPv4
 * mapped in IPv6 read as IPv4) inside one of the list's networks, and
 * that every IPv6 address of one /64 counts as the same client while
 * another /64 does not.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../fcgi/acl.h"
#include "../handlers/ratelimit.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char list[] = "127.0.0.0/8, ::1 10.1.0.0/16,2001:db8:1::/48, "
    "192.0.2.7";

/* Returns 1 if the IPv4 address a (4 bytes) is on list. */
static int
on_list4(const unsigned char *a)
{
	return a[0] == 127 || (a[0] == 10 && a[1] == 1) ||
	    (a[0] == 192 && a[1] == 0 && a[2] == 2 && a[3] == 7);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acl acl;
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	static const unsigned char loop6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 1 };
	char *addr, *pct, key[INET6_ADDRSTRLEN + 4], key2[sizeof(key)];
	char small[8], other[INET6_ADDRSTRLEN];
	unsigned char b[16];
	struct buf err;
	int v4 = 0, v6 = 0, listed;

	if (acl.n == 0) {
		buf_init(&err);
		if (acl_parse(&acl, list, &err) == -1 || acl.n != 5)
			abort();
		buf_free(&err);
	}
	if (size > 256)
		return 0;
	addr = ck_strndup((const char *)data, size);
	if (strlen(addr) != size) {
		free(addr);
		return 0;	/* a C string, as the server's parameter is */
	}

	/* What the allow list sees: the address without its zone. */
	if ((pct = strchr(addr, '%')) != NULL)
		*pct = '\0';
	if (inet_pton(AF_INET, addr, b) == 1)
		v4 = 1;
	else if (inet_pton(AF_INET6, addr, b) == 1)
		v6 = 1;
	if (pct != NULL)
		*pct = '%';
	listed = v4 ? on_list4(b) : !v6 ? 0 : memcmp(b, mapped, 12) == 0 ?
	    on_list4(b + 12) : memcmp(b, loop6, 16) == 0 ||
	    memcmp(b, "\x20\x01\x0d\xb8\x00\x01", 6) == 0;
	if (acl_match(&acl, addr) != listed)
		abort();

	/* What a limit counts, in its callers' buffer and in a small one. */
	ratelimit_addr(addr, key, sizeof(key));
	ratelimit_addr(addr, small, sizeof(small));
	if (strlen(key) >= sizeof(key) || strlen(small) >= sizeof(small))
		abort();
	if (v6 && pct == NULL && memcmp(b, mapped, 12) != 0) {
		/*
		 * The same /64 is one client; the next /64 is another.  Not
		 * in ::/64, which holds the mapped IPv4 addresses (counted
		 * each as its own IPv4 client) and no network of clients.
		 */
		if (strlen(key) < 4 ||
		    strcmp(key + strlen(key) - 3, "/64") != 0)
			abort();
		if (memcmp(b, loop6, 8) == 0) {
			free(addr);
			return 0;
		}
		b[15] ^= 0x5a;
		b[9] ^= 0xff;
		if (inet_ntop(AF_INET6, b, other, sizeof(other)) == NULL)
			abort();
		ratelimit_addr(other, key2, sizeof(key2));
		if (strcmp(key, key2) != 0)
			abort();
		b[7] ^= 1;
		if (inet_ntop(AF_INET6, b, other, sizeof(other)) == NULL)
			abort();
		ratelimit_addr(other, key2, sizeof(key2));
		if (strcmp(key, key2) == 0)
			abort();
	} else if (v6 && pct == NULL) {
		/* A mapped IPv4 address counts as that IPv4 address. */
		if (inet_ntop(AF_INET, b + 12, other, sizeof(other)) == NULL ||
		    strcmp(key, other) != 0)
			abort();
	}
	free(addr);
	return 0;
}
