/*
 * client.c -- the network a request comes from (client.h).
 *
 * inet_pton does the parsing: it accepts exactly dotted-quad IPv4 (no
 * octal, no short forms) and the textual IPv6 forms of RFC 4291, and
 * refuses a zone ("%eth0"), a port, brackets and a prefix length, which
 * REMOTE_ADDR never carries.  inet_ntop writes the canonical text back, so
 * every spelling of one network gives one string, and so one pseudonym.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "client.h"
#include "err.h"

#define V6_NET_BYTES	8	/* a /64 */

/* The IPv4 address an IPv4-mapped IPv6 address (::ffff:a.b.c.d) maps. */
static int
v4_mapped(const struct in6_addr *a6, struct in_addr *a4)
{
	static const unsigned char prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	if (memcmp(a6->s6_addr, prefix, sizeof(prefix)) != 0)
		return 0;
	memcpy(&a4->s_addr, a6->s6_addr + sizeof(prefix), 4);
	return 1;
}

/* The text of a4 in out: PF_OK, or PF_EINVAL (out "") if none fits. */
static int
v4_text(const struct in_addr *a4, char out[PF_CLIENT_NET_SIZE])
{
	if (inet_ntop(AF_INET, a4, out, PF_CLIENT_NET_SIZE) != NULL)
		return PF_OK;
	out[0] = '\0';
	return PF_EINVAL;
}

int
pf_client_net(const char *addr, char out[PF_CLIENT_NET_SIZE])
{
	struct in_addr	 a4;
	struct in6_addr	 a6;
	char		 text[INET6_ADDRSTRLEN];

	out[0] = '\0';
	if (addr == NULL)
		return PF_EINVAL;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return v4_text(&a4, out);
	if (inet_pton(AF_INET6, addr, &a6) != 1)
		return PF_EINVAL;
	if (v4_mapped(&a6, &a4))
		return v4_text(&a4, out);
	/* The interface identifier is the host's to change at will. */
	memset(a6.s6_addr + V6_NET_BYTES, 0, sizeof(a6.s6_addr) - V6_NET_BYTES);
	if (inet_ntop(AF_INET6, &a6, text, sizeof(text)) == NULL)
		return PF_EINVAL;
	snprintf(out, PF_CLIENT_NET_SIZE, "%s/64", text);
	return PF_OK;
}
