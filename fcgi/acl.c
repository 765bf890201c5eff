/* Allow lists of client addresses; see acl.h. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "acl.h"

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/*
 * Reads an address (n bytes of s) into addr: its family, or -1.  A
 * mapped IPv4 address in IPv6 form is returned as AF_INET.
 */
static int
addr_parse(const char *s, size_t n, unsigned char addr[16])
{
	char t[INET6_ADDRSTRLEN + 1];
	const char *pct;

	if ((pct = memchr(s, '%', n)) != NULL)
		n = (size_t)(pct - s);
	if (n == 0 || n >= sizeof(t))
		return -1;
	memcpy(t, s, n);
	t[n] = '\0';
	if (inet_pton(AF_INET, t, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, t, addr) != 1)
		return -1;
	if (memcmp(addr, v4mapped, sizeof(v4mapped)) == 0) {
		memmove(addr, addr + 12, 4);
		return AF_INET;
	}
	return AF_INET6;
}

int
acl_parse(struct acl *acl, const char *list, struct buf *err)
{
	const char *p = list, *end, *slash;
	size_t n;
	char *e;
	long bits;
	int fam, max;

	memset(acl, 0, sizeof(*acl));
	for (;;) {
		p += strspn(p, ", \t");
		if (*p == '\0')
			return 0;
		n = strcspn(p, ", \t");
		end = p + n;
		if (acl->n == ACL_MAX) {
			buf_printf(err, "more than %d entries", ACL_MAX);
			return -1;
		}
		slash = memchr(p, '/', n);
		fam = addr_parse(p, slash ? (size_t)(slash - p) : n,
		    acl->e[acl->n].addr);
		if (fam == -1)
			goto bad;
		max = fam == AF_INET ? 32 : 128;
		bits = max;
		if (slash != NULL) {
			bits = strtol(slash + 1, &e, 10);
			if (e != end || slash + 1 == end || bits < 0 ||
			    bits > max)
				goto bad;
		}
		acl->e[acl->n].family = fam;
		acl->e[acl->n].bits = (int)bits;
		acl->n++;
		p = end;
	}
bad:
	buf_printf(err, "\"%.*s\" is not an address or address/bits",
	    (int)n, p);
	return -1;
}

int
acl_match(const struct acl *acl, const char *addr)
{
	unsigned char a[16];
	size_t i, whole;
	int fam, bits, rest;

	if (addr == NULL || (fam = addr_parse(addr, strlen(addr), a)) == -1)
		return 0;
	for (i = 0; i < acl->n; i++) {
		if (acl->e[i].family != fam)
			continue;
		bits = acl->e[i].bits;
		whole = (size_t)bits / 8;
		rest = bits % 8;
		if (memcmp(a, acl->e[i].addr, whole) != 0)
			continue;
		if (rest != 0 && ((a[whole] ^ acl->e[i].addr[whole]) &
		    (0xff << (8 - rest)) & 0xff) != 0)
			continue;
		return 1;
	}
	return 0;
}
