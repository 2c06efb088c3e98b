/*
 * client.h -- the network a request comes from, as limits and
 * de-duplication count it.
 *
 * One person holds one IPv4 address at a time (or shares it behind NAT),
 * but an IPv6 host usually holds a whole /64 and picks new addresses in it
 * at will (privacy extensions), so an IPv6 client counts as its /64.  An
 * IPv4-mapped IPv6 address (::ffff:192.0.2.1, what a dual-stack socket
 * reports) is the IPv4 address it maps.  Nothing here is stored as it is:
 * callers keep only the keyed pseudonym (keys.h, kind "client") of the
 * network, for as long as they need it.
 */
#ifndef PF_CLIENT_H
#define PF_CLIENT_H

#include <stddef.h>

#define PF_CLIENT_NET_SIZE 64
#define PF_CLIENT_ADDR_SIZE 46	/* INET6_ADDRSTRLEN */
#define PF_CLIENT_MAX_PROXIES 64

/* Trusted proxies: IPv4 and IPv6 addresses and CIDR blocks. */
struct pf_proxy {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];	/* network byte order; the host bits zero */
	int		 bits;		/* prefix length: 32 or 128 for one address */
};

struct pf_proxies {
	size_t		 n;
	struct pf_proxy	 p[PF_CLIENT_MAX_PROXIES];
};

/*
 * Read spec, blank-separated entries "192.0.2.10", "10.0.0.0/8",
 * "2001:db8::1", "2001:db8::/32" ("" is an empty list), into out.  A block
 * whose address has host bits set ("10.0.0.1/8") is refused, since it
 * more likely says something else than what it means.  PF_EINVAL, with
 * *why saying what is wrong (static storage), for anything else, or for
 * more than PF_CLIENT_MAX_PROXIES entries.
 */
int pf_client_proxies(const char *spec, struct pf_proxies *out,
    const char **why);

/*
 * The address the request comes from, into out: remote (REMOTE_ADDR)
 * itself, unless remote is a trusted proxy; then X-Forwarded-For (xff, may
 * be NULL or "") read from its right end, since only what our own proxies
 * appended can be believed: each entry that is a trusted proxy is skipped,
 * and the first that is not is the client.  An entry that is not an IP
 * address (a port, "unknown", garbage) stops the walk there and the last
 * trusted hop is taken instead; so is the leftmost entry when all are
 * trusted.  Mapped IPv4 (::ffff:192.0.2.1) is compared as the IPv4
 * address.  PF_EINVAL (out "") when remote is not an IP address.
 */
int pf_client_addr(const char *remote, const char *xff,
    const struct pf_proxies *trusted, char out[PF_CLIENT_ADDR_SIZE]);

/*
 * The network of address addr (REMOTE_ADDR: dotted IPv4 or any textual
 * IPv6, with no zone or port): "192.0.2.1", or "2001:db8:1:2::/64" (the
 * prefix in inet_ntop's canonical form).  PF_EINVAL (out "") for anything
 * else, NULL included.
 */
int pf_client_net(const char *addr, char out[PF_CLIENT_NET_SIZE]);

/*
 * The wider network of an IPv6 address addr, as limits count it besides
 * its /64: its /48 ("2001:db8:1::/48"), what one site or customer is
 * usually given, so that the 65,536 /64s in it are not as many clients.
 * PF_ENOTFOUND (out "") for an IPv4 address, which has none; PF_EINVAL
 * (out "") for anything that is not an address.
 */
int pf_client_wide(const char *addr, char out[PF_CLIENT_NET_SIZE]);

#endif
