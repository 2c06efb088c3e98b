/*
 * fuzz_client.c -- the client address behind trusted proxies: the
 * trusted_proxies list (pf_client_proxies), X-Forwarded-For read from its
 * right (pf_client_addr) and the network limits count (pf_client_net).
 *
 * The input is split at NUL bytes: trusted_proxies, REMOTE_ADDR,
 * X-Forwarded-For (a missing part is "", and a missing header NULL).
 * Whatever they hold:
 *   - a list that is read writes back, entry by entry as "addr/bits", to
 *     a list read the same;
 *   - the client is always an address: REMOTE_ADDR itself when it is not
 *     a trusted proxy (or nothing is trusted), else REMOTE_ADDR or one of
 *     the header's entries, and never anything else;
 *   - its network is an address (IPv4) or a /64 whose network is itself.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include "client.h"
#include "err.h"
#include "fuzz.h"

/* s as inet_pton reads it into a[16] (IPv4-mapped made IPv4): the family. */
static int
parse(const char *s, unsigned char a[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, a) != 1)
		return 0;
	if (memcmp(a, mapped, sizeof(mapped)) != 0)
		return AF_INET6;
	memmove(a, a + 12, 4);
	memset(a + 4, 0, 12);
	return AF_INET;
}

/* 1 if s (its n bytes, blanks around trimmed) is the address out. */
static int
same_address(const char *s, size_t n, const char *out)
{
	unsigned char	 a[16], b[16];
	char		 buf[128];
	int		 fa;

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return (fa = parse(buf, a)) != 0 && fa == parse(out, b) &&
	    memcmp(a, b, 16) == 0;
}

/* 1 if out is one of the comma-separated entries of xff. */
static int
in_header(const char *xff, const char *out)
{
	const char	*p = xff;
	size_t		 n;

	for (;;) {
		n = strcspn(p, ",");
		if (same_address(p, n, out))
			return 1;
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

/* The proxies p written back as a list read the same. */
static void
proxies_again(const struct pf_proxies *p)
{
	struct pf_proxies	 q;
	const char		*why;
	char			*spec, *o, text[INET6_ADDRSTRLEN];
	size_t			 i;

	FUZZ_ASSERT(p->n <= PF_CLIENT_MAX_PROXIES);
	FUZZ_ASSERT((o = spec = malloc(p->n * (INET6_ADDRSTRLEN + 6) + 1)) !=
	    NULL);
	*o = '\0';
	for (i = 0; i < p->n; i++) {
		FUZZ_ASSERT(p->p[i].family == AF_INET ||
		    p->p[i].family == AF_INET6);
		FUZZ_ASSERT(p->p[i].bits >= 0 && p->p[i].bits <=
		    (p->p[i].family == AF_INET ? 32 : 128));
		FUZZ_ASSERT(inet_ntop(p->p[i].family, p->p[i].addr, text,
		    sizeof(text)) != NULL);
		o += sprintf(o, "%s%s/%d", i > 0 ? " " : "", text,
		    p->p[i].bits);
	}
	FUZZ_ASSERT(pf_client_proxies(spec, &q, &why) == PF_OK);
	FUZZ_ASSERT(q.n == p->n);
	for (i = 0; i < p->n; i++)
		FUZZ_ASSERT(q.p[i].family == p->p[i].family &&
		    q.p[i].bits == p->p[i].bits &&
		    memcmp(q.p[i].addr, p->p[i].addr, 16) == 0);
	free(spec);
}

/* The network of a client address. */
static void
network(const char *addr)
{
	char	 net[PF_CLIENT_NET_SIZE], again[PF_CLIENT_NET_SIZE];
	char	*slash;

	FUZZ_ASSERT(pf_client_net(addr, net) == PF_OK);
	if ((slash = strchr(net, '/')) == NULL) {
		FUZZ_ASSERT(strcmp(net, addr) == 0);	/* IPv4: itself */
		return;
	}
	FUZZ_ASSERT(strcmp(slash, "/64") == 0);
	*slash = '\0';
	FUZZ_ASSERT(pf_client_net(net, again) == PF_OK);
	*slash = '/';
	FUZZ_ASSERT(strcmp(again, net) == 0);
}

static void
client(const char *remote, const char *xff, const struct pf_proxies *trusted)
{
	char	 out[PF_CLIENT_ADDR_SIZE], own[PF_CLIENT_ADDR_SIZE];
	int	 rc;

	rc = pf_client_addr(remote, xff, trusted, out);
	if (rc != PF_OK) {
		FUZZ_ASSERT(rc == PF_EINVAL && out[0] == '\0');
		FUZZ_ASSERT(pf_client_addr(remote, NULL, NULL, own) ==
		    PF_EINVAL);
		return;
	}
	/* REMOTE_ADDR itself, as canonical text: the untrusted answer. */
	FUZZ_ASSERT(pf_client_addr(remote, NULL, NULL, own) == PF_OK);
	FUZZ_ASSERT(same_address(remote, strlen(remote), own));
	FUZZ_ASSERT(pf_client_addr(remote, xff, NULL, out) == PF_OK &&
	    strcmp(out, own) == 0);
	FUZZ_ASSERT(pf_client_addr(remote, xff, trusted, out) == PF_OK);
	FUZZ_ASSERT(strcmp(out, own) == 0 ||
	    (xff != NULL && in_header(xff, out)));
	/* The client as REMOTE_ADDR is itself. */
	FUZZ_ASSERT(pf_client_addr(out, NULL, trusted, own) == PF_OK &&
	    strcmp(own, out) == 0);
	network(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_proxies	 trusted;
	const char		*why, *part[3] = { "", "", NULL };
	char			*copy, *p, *end;
	size_t			 n = 0;

	copy = fuzz_text(data, size);
	end = copy + size;
	for (p = copy; n < 3; p += strlen(p) + 1) {
		part[n++] = p;
		if (p + strlen(p) >= end)
			break;
	}
	if (pf_client_proxies(part[0], &trusted, &why) == PF_OK) {
		FUZZ_ASSERT(why == NULL);
		proxies_again(&trusted);
	} else {
		FUZZ_ASSERT(why != NULL && *why != '\0' && trusted.n == 0);
		/* A list that cannot be read trusts nothing. */
	}
	client(part[1], part[2], &trusted);
	free(copy);
	return 0;
}
