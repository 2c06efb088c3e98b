/*
 * client.c -- the network a request comes from (client.h).
 *
 * inet_pton does the parsing: it accepts exactly dotted-quad IPv4 (no
 * octal, no short forms) and the textual IPv6 forms of RFC 4291, and
 * refuses a zone ("%eth0"), a port, brackets and a prefix length, which
 * REMOTE_ADDR never carries.  inet_ntop writes the canonical text back, so
 * every spelling of one network gives one string, and so one pseudonym.
 * The same goes for trusted proxies and X-Forwarded-For: this file only
 * splits them (on blanks, commas and the '/' of a prefix length).
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "err.h"

#define V6_NET_BITS	64	/* what one host holds */
#define V6_WIDE_BITS	48	/* what one site is given */
#define BLANKS		" \t"
#define STR(x)		#x
#define XSTR(x)		STR(x)

/* One address, IPv4-mapped IPv6 already made IPv4. */
struct ip {
	int		 family;
	unsigned char	 a[16];
};

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

/* s as one address into ip: 1, or 0 if it is none. */
static int
ip_parse(const char *s, struct ip *ip)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;

	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->a) == 1) {
		ip->family = AF_INET;
		return 1;
	}
	if (inet_pton(AF_INET6, s, &a6) != 1)
		return 0;
	if (v4_mapped(&a6, &a4)) {
		ip->family = AF_INET;
		memcpy(ip->a, &a4.s_addr, 4);
	} else {
		ip->family = AF_INET6;
		memcpy(ip->a, a6.s6_addr, 16);
	}
	return 1;
}

/* 1 if the first bits bits of a and b are the same. */
static int
prefix_eq(const unsigned char *a, const unsigned char *b, int bits)
{
	int		 whole = bits / 8;
	unsigned char	 mask;

	if (memcmp(a, b, (size_t)whole) != 0)
		return 0;
	if (bits % 8 == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - bits % 8));
	return ((a[whole] ^ b[whole]) & mask) == 0;
}

static int
trusted_ip(const struct pf_proxies *t, const struct ip *ip)
{
	size_t	 i;

	for (i = 0; t != NULL && i < t->n; i++)
		if (t->p[i].family == ip->family &&
		    prefix_eq(t->p[i].addr, ip->a, t->p[i].bits))
			return 1;
	return 0;
}

/* Clear the bits of a (16 bytes) after the first bits. */
static void
host_clear(unsigned char *a, int bits)
{
	size_t	 i = (size_t)bits / 8;

	if (bits % 8 != 0)
		a[i++] &= (unsigned char)(0xff << (8 - bits % 8));
	memset(a + i, 0, 16 - i);
}

/*
 * One entry of a proxy list, s[0..len): an address with an optional
 * "/bits".  NULL, or what is wrong with it.
 */
static const char *
proxy_parse(const char *s, size_t len, struct pf_proxy *p)
{
	char		 buf[INET6_ADDRSTRLEN + 5], *slash, *end;
	unsigned char	 net[16];
	struct ip	 ip;
	long		 max, bits;

	if (len >= sizeof(buf))
		return "has an entry that is not an IP address or CIDR block";
	memcpy(buf, s, len);
	buf[len] = '\0';
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (!ip_parse(buf, &ip))
		return "has an entry that is not an IP address or CIDR block";
	/* Compared addresses are unmapped first: this one would never match. */
	if (ip.family == AF_INET && strchr(buf, ':') != NULL)
		return "has an IPv4-mapped IPv6 entry: write it as IPv4";
	max = ip.family == AF_INET ? 32 : 128;
	bits = max;
	if (slash != NULL) {
		bits = strtol(slash, &end, 10);
		if (*slash < '0' || *slash > '9' || *end != '\0' ||
		    strlen(slash) > 3 || bits > max)
			return "has a bad prefix length (0 to 32 for IPv4, "
			    "0 to 128 for IPv6)";
	}
	memcpy(net, ip.a, sizeof(net));
	host_clear(net, (int)bits);
	if (memcmp(net, ip.a, sizeof(net)) != 0)
		return "has a block with host bits set: give its network "
		    "address (10.0.0.0/8, not 10.0.0.1/8)";
	p->family = ip.family;
	memcpy(p->addr, ip.a, sizeof(p->addr));
	p->bits = (int)bits;
	return NULL;
}

int
pf_client_proxies(const char *spec, struct pf_proxies *out,
    const char **why)
{
	size_t	 len;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	for (spec += strspn(spec, BLANKS); *spec != '\0';
	    spec += strspn(spec, BLANKS)) {
		if (out->n == PF_CLIENT_MAX_PROXIES) {
			*why = "has more than " XSTR(PF_CLIENT_MAX_PROXIES)
			    " entries";
			break;
		}
		len = strcspn(spec, BLANKS);
		if ((*why = proxy_parse(spec, len, &out->p[out->n])) != NULL)
			break;
		out->n++;
		spec += len;
	}
	if (*why == NULL)
		return PF_OK;
	memset(out, 0, sizeof(*out));
	return PF_EINVAL;
}

/* The text of ip in out: PF_OK, or PF_EINVAL (out ""). */
static int
ip_text(const struct ip *ip, char out[PF_CLIENT_ADDR_SIZE])
{
	if (inet_ntop(ip->family, ip->a, out, PF_CLIENT_ADDR_SIZE) != NULL)
		return PF_OK;
	out[0] = '\0';
	return PF_EINVAL;
}

/*
 * The rightmost entry of xff[0..*end) as an address into ip, and *end
 * moved before its comma: 1, or 0 if it is not one address.
 */
static int
xff_last(const char *xff, size_t *end, struct ip *ip)
{
	char	 buf[INET6_ADDRSTRLEN];
	size_t	 start, n;

	for (start = *end; start > 0 && xff[start - 1] != ','; start--)
		continue;
	n = *end - start;
	*end = start > 0 ? start - 1 : 0;
	while (n > 0 && strchr(BLANKS, xff[start]) != NULL)
		start++, n--;
	while (n > 0 && strchr(BLANKS, xff[start + n - 1]) != NULL)
		n--;
	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, xff + start, n);
	buf[n] = '\0';
	return ip_parse(buf, ip);
}

int
pf_client_addr(const char *remote, const char *xff,
    const struct pf_proxies *trusted, char out[PF_CLIENT_ADDR_SIZE])
{
	struct ip	 hop, next;
	size_t		 end;

	out[0] = '\0';
	if (remote == NULL || !ip_parse(remote, &hop))
		return PF_EINVAL;
	if (xff == NULL || xff[strspn(xff, BLANKS)] == '\0')
		return ip_text(&hop, out);
	end = strlen(xff);
	/* hop is trusted here: believe what it says came before it. */
	while (trusted_ip(trusted, &hop) && end > 0 &&
	    xff_last(xff, &end, &next))
		hop = next;
	return ip_text(&hop, out);
}

/* addr's IPv6 network of bits bits as "prefix/bits"; PF_ENOTFOUND for IPv4. */
static int
v6_net(const char *addr, int bits, char out[PF_CLIENT_NET_SIZE])
{
	struct ip	 ip;
	char		 text[PF_CLIENT_ADDR_SIZE];

	out[0] = '\0';
	if (addr == NULL || !ip_parse(addr, &ip))
		return PF_EINVAL;
	if (ip.family == AF_INET)
		return PF_ENOTFOUND;
	host_clear(ip.a, bits);
	if (ip_text(&ip, text) != PF_OK)
		return PF_EINVAL;
	snprintf(out, PF_CLIENT_NET_SIZE, "%s/%d", text, bits);
	return PF_OK;
}

int
pf_client_net(const char *addr, char out[PF_CLIENT_NET_SIZE])
{
	struct ip	 ip;
	int		 rc;

	/* The interface identifier is the host's to change at will. */
	if ((rc = v6_net(addr, V6_NET_BITS, out)) != PF_ENOTFOUND)
		return rc;
	(void)ip_parse(addr, &ip);
	return ip_text(&ip, out);
}

int
pf_client_wide(const char *addr, char out[PF_CLIENT_NET_SIZE])
{
	return v6_net(addr, V6_WIDE_BITS, out);
}
