/*
 * Allow lists of client addresses: "127.0.0.0/8, ::1" (addresses and
 * networks, IPv4 and IPv6), matched against REMOTE_ADDR as the web
 * server passes it.
 */
#ifndef HC_ACL_H
#define HC_ACL_H

#include "util.h"

#define ACL_MAX	32

struct acl {
	size_t	n;
	struct {
		int		family;		/* AF_INET or AF_INET6 */
		unsigned char	addr[16];
		int		bits;		/* the network's prefix length */
	} e[ACL_MAX];
};

/*
 * Parses entries separated by commas or spaces, each an address or
 * address/bits; an empty list lets no one in.  0, or -1 with err.
 */
int acl_parse(struct acl *acl, const char *list, struct buf *err);
/*
 * Returns 1 if the address (text; an IPv6 zone is ignored) is on the
 * list; an IPv4-mapped IPv6 address matches as its IPv4 address.
 */
int acl_match(const struct acl *acl, const char *addr);

#endif
