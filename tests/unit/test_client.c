/*
 * test_client.c -- the network a request comes from (client.h): IPv4 as
 * it is, IPv6 as its /64 whatever the spelling, IPv4-mapped IPv6 as the
 * IPv4 address, and everything else refused with an empty result; trusted
 * proxies, and X-Forwarded-For believed only as far as they vouch for it.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "client.h"
#include "err.h"
#include "nitems.h"


/* An address, and the network it counts in. */
static const struct pf_test_case good[] = {
	{ "192.0.2.1", "192.0.2.1" },
	{ "0.0.0.0", "0.0.0.0" },
	{ "255.255.255.255", "255.255.255.255" },
	{ "127.0.0.1", "127.0.0.1" },
	/* Full, compressed, upper-case, zero-padded: one /64. */
	{ "2001:0db8:0001:0002:0003:0004:0005:0006", "2001:db8:1:2::/64" },
	{ "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64" },
	{ "2001:db8:1:2::1", "2001:db8:1:2::/64" },
	{ "2001:DB8:1:2:FFFF:FFFF:FFFF:FFFF", "2001:db8:1:2::/64" },
	{ "2001:db8:1:2::", "2001:db8:1:2::/64" },
	/* Mixed notation: the last 32 bits in dotted form. */
	{ "2001:db8:1:2:0:0:192.0.2.1", "2001:db8:1:2::/64" },
	{ "2001:db8:1:2::192.0.2.1", "2001:db8:1:2::/64" },
	/* The next /64 is another network. */
	{ "2001:db8:1:3::1", "2001:db8:1:3::/64" },
	/* inet_ntop's canonical form keeps one run of zeros compressed. */
	{ "2001:0:0:0:1::", "2001::/64" },
	{ "2001:db8::1", "2001:db8::/64" },
	{ "fe80::1", "fe80::/64" },
	{ "::1", "::/64" },
	{ "::", "::/64" },
	/* A dual-stack socket's view of an IPv4 client. */
	{ "::ffff:192.0.2.1", "192.0.2.1" },
	{ "::FFFF:192.0.2.1", "192.0.2.1" },
	{ "0:0:0:0:0:ffff:c000:0201", "192.0.2.1" },
	{ "::ffff:0.0.0.0", "0.0.0.0" },
	/* IPv4-compatible (deprecated) and NAT64 forms are IPv6. */
	{ "::192.0.2.1", "::/64" },
	{ "64:ff9b::192.0.2.1", "64:ff9b::/64" },
};

START_TEST(test_client_net_of_each_address_form)
{
	char	 out[PF_CLIENT_NET_SIZE];
	size_t	 i;

	for (i = 0; i < nitems(good); i++) {
		memset(out, 'x', sizeof(out));
		ck_assert_msg(pf_client_net(good[i].in, out) == PF_OK,
		    "%s refused", good[i].in);
		ck_assert_msg(strcmp(out, good[i].want) == 0, "%s: %s, not %s",
		    good[i].in, out, good[i].want);
	}
}
END_TEST

static const char *const bad[] = {
	"", " ", "localhost", "example.com", "garbage", "1", "1.2.3",
	"1.2.3.4.5", "256.0.0.1", "192.0.2.1 ", " 192.0.2.1", "192.0.2.01",
	"0x7f.0.0.1", "192.0.2.1/24",
	/* A port or a zone is not an address (REMOTE_ADDR has neither). */
	"192.0.2.1:8080", "[2001:db8::1]", "[2001:db8::1]:443",
	"fe80::1%eth0", "fe80::1%1", "2001:db8::1/64",
	/* Malformed IPv6. */
	"2001:db8:::1", "2001:db8::1::2", "1:2:3:4:5:6:7:8:9", "12345::",
	"2001:db8:g::1", ":", ":::", "::ffff:192.0.2.256",
	"2001:db8:1:2:3:4:5:192.0.2.1",
};

START_TEST(test_client_net_refuses_what_is_not_one_address)
{
	char	 out[PF_CLIENT_NET_SIZE];
	size_t	 i;

	for (i = 0; i < nitems(bad); i++) {
		memset(out, 'x', sizeof(out));
		ck_assert_msg(pf_client_net(bad[i], out) == PF_EINVAL,
		    "\"%s\" accepted", bad[i]);
		ck_assert_msg(out[0] == '\0', "\"%s\" left %s", bad[i], out);
	}
}
END_TEST

START_TEST(test_client_net_refuses_null)
{
	char	 out[PF_CLIENT_NET_SIZE];

	memset(out, 'x', sizeof(out));
	ck_assert_int_eq(pf_client_net(NULL, out), PF_EINVAL);
	ck_assert_str_eq(out, "");
}
END_TEST

/* An IPv6 address's /48; an IPv4 address has no wider network. */
START_TEST(test_client_wide_is_the_ipv6_48)
{
	static const struct {
		const char	*addr;
		int		 rc;
		const char	*wide;
	} cases[] = {
		{ "2001:db8:77:1::1", PF_OK, "2001:db8:77::/48" },
		{ "2001:db8:77:ffff:abcd::9", PF_OK, "2001:db8:77::/48" },
		{ "2001:0DB8:0077:0001::", PF_OK, "2001:db8:77::/48" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PF_OK,
		    "ffff:ffff:ffff::/48" },
		{ "192.0.2.1", PF_ENOTFOUND, "" },
		{ "::ffff:192.0.2.1", PF_ENOTFOUND, "" },
		{ "unix:", PF_EINVAL, "" },
		{ "", PF_EINVAL, "" },
		{ NULL, PF_EINVAL, "" },
	};
	char	 out[PF_CLIENT_NET_SIZE];
	size_t	 i;

	for (i = 0; i < nitems(cases); i++) {
		memset(out, 'x', sizeof(out));
		ck_assert_msg(pf_client_wide(cases[i].addr, out) == cases[i].rc,
		    "%s: wrong answer", cases[i].addr);
		ck_assert_msg(strcmp(out, cases[i].wide) == 0, "%s: %s, not %s",
		    cases[i].addr, out, cases[i].wide);
	}
}
END_TEST

/* The longest canonical /64 still fits, with room to spare. */
START_TEST(test_client_net_longest_network_fits)
{
	char	 out[PF_CLIENT_NET_SIZE];

	ck_assert_int_eq(pf_client_net("ffff:ffff:ffff:ffff:ffff:ffff:ffff:"
	    "ffff", out), PF_OK);
	ck_assert_str_eq(out, "ffff:ffff:ffff:ffff::/64");
}
END_TEST

/*
 * Trusted proxies
 */

/* A list of trusted proxies, how many entries it has and its last one. */
struct proxy_case {
	const char	*spec;
	size_t		 n;
	int		 family;	/* of the last entry */
	int		 bits;		/* of the last entry */
};

/* One address, or one block, of either family. */
static const struct proxy_case proxies_one[] = {
	{ "192.0.2.10", 1, AF_INET, 32 },
	{ "10.0.0.0/8", 1, AF_INET, 8 },
	{ "192.0.2.10/32", 1, AF_INET, 32 },
	{ "0.0.0.0/0", 1, AF_INET, 0 },
	{ "192.0.2.128/25", 1, AF_INET, 25 },
	{ "2001:db8::1", 1, AF_INET6, 128 },
	{ "2001:db8::/32", 1, AF_INET6, 32 },
	{ "2001:db8::1/128", 1, AF_INET6, 128 },
	{ "::/0", 1, AF_INET6, 0 },
	{ "2001:db8:0:80::/57", 1, AF_INET6, 57 },
};

/* Nothing but blanks, and lists of both families between blanks. */
static const struct proxy_case proxies_list[] = {
	{ "", 0, 0, 0 },
	{ " \t ", 0, 0, 0 },
	{ "  127.0.0.1\t::1  10.0.0.0/8 ", 3, AF_INET, 8 },
	{ "172.16.0.0/12 fd00::/8", 2, AF_INET6, 8 },
};

/* c->spec is read, as c says. */
static void
proxies_read(const struct proxy_case *c)
{
	struct pf_proxies	 p;
	const char		*why = "unset";

	ck_assert_msg(pf_client_proxies(c->spec, &p, &why) == PF_OK,
	    "\"%s\" refused: %s", c->spec, why);
	ck_assert_ptr_null(why);
	ck_assert_uint_eq(p.n, c->n);
	if (p.n == 0)
		return;
	ck_assert_int_eq(p.p[p.n - 1].family, c->family);
	ck_assert_int_eq(p.p[p.n - 1].bits, c->bits);
}

START_TEST(test_client_proxies_reads_an_address_or_block)
{
	proxies_read(&proxies_one[_i]);
}
END_TEST

START_TEST(test_client_proxies_reads_lists_and_blanks)
{
	proxies_read(&proxies_list[_i]);
}
END_TEST

START_TEST(test_client_proxies_stores_network_bytes)
{
	static const unsigned char v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	static const unsigned char v4[16] = { 10 };
	struct pf_proxies	 p;
	const char		*why;

	ck_assert_int_eq(pf_client_proxies("10.0.0.0/8 2001:db8::/32", &p,
	    &why), PF_OK);
	ck_assert_mem_eq(p.p[0].addr, v4, 16);
	ck_assert_mem_eq(p.p[1].addr, v6, 16);
}
END_TEST

#define NOT_ADDR	"has an entry that is not an IP address or CIDR block"
#define BAD_BITS	"has a bad prefix length (0 to 32 for IPv4, 0 to 128 " \
			"for IPv6)"
#define HOST_BITS	"has a block with host bits set: give its network " \
			"address (10.0.0.0/8, not 10.0.0.1/8)"
#define MAPPED		"has an IPv4-mapped IPv6 entry: write it as IPv4"

static const struct {
	const char	*spec;
	const char	*why;
} proxies_bad[] = {
	{ "localhost", NOT_ADDR },
	{ "10.0.0.1 proxy.example.com", NOT_ADDR },
	{ "10.0.0.1,10.0.0.2", NOT_ADDR },
	{ "10.0.0", NOT_ADDR },
	{ "10.0.0.256", NOT_ADDR },
	{ "[2001:db8::1]", NOT_ADDR },
	{ "10.0.0.1:8080", NOT_ADDR },
	{ "fe80::1%eth0", NOT_ADDR },
	{ "/8", NOT_ADDR },
	{ "10.0.0.0//8", BAD_BITS },
	{ "10.0.0.0/", BAD_BITS },
	{ "10.0.0.0/33", BAD_BITS },
	{ "10.0.0.0/-1", BAD_BITS },
	{ "10.0.0.0/+8", BAD_BITS },
	{ "10.0.0.0/8x", BAD_BITS },
	{ "10.0.0.0/0008", BAD_BITS },
	{ "10.0.0.0/ 8", BAD_BITS },
	{ "2001:db8::/129", BAD_BITS },
	{ "2001:db8::/1000", BAD_BITS },
	{ "10.0.0.1/8", HOST_BITS },
	{ "10.128.0.0/8", HOST_BITS },
	{ "192.0.2.129/25", HOST_BITS },
	{ "0.0.0.1/31", HOST_BITS },
	{ "2001:db8::1/64", HOST_BITS },
	{ "2001:db8:0:40::/57", HOST_BITS },
	{ "::1/127", HOST_BITS },
	{ "::ffff:10.0.0.1", MAPPED },
	{ "::ffff:10.0.0.0/104", MAPPED },
	/* One bad entry spoils the list. */
	{ "127.0.0.1 ::1 10.0.0.1/8", HOST_BITS },
	{ "10.0.0.0/8/8", BAD_BITS },
	/* Longer than any address with a prefix length. */
	{ "2001:0db8:0000:0000:0000:0000:0000:0000:0000:0000:0001", NOT_ADDR },
};

START_TEST(test_client_proxies_refuses_with_a_reason)
{
	struct pf_proxies	 p;
	const char		*why;
	size_t			 i;

	for (i = 0; i < nitems(proxies_bad); i++) {
		why = NULL;
		p.n = 99;
		ck_assert_msg(pf_client_proxies(proxies_bad[i].spec, &p, &why) ==
		    PF_EINVAL, "\"%s\" accepted", proxies_bad[i].spec);
		ck_assert_msg(why != NULL && strcmp(why, proxies_bad[i].why) ==
		    0, "\"%s\": %s", proxies_bad[i].spec, why);
		ck_assert_uint_eq(p.n, 0);
	}
}
END_TEST

/* n entries "10.0.I.0/24" in buf. */
static void
many_proxies(char *buf, size_t len, size_t n)
{
	size_t	 i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		at += (size_t)snprintf(buf + at, len - at, "10.0.%zu.0/24 ", i);
}

START_TEST(test_client_proxies_at_most_max_entries)
{
	struct pf_proxies	 p;
	const char		*why;
	char			 buf[PF_CLIENT_MAX_PROXIES * 20];

	many_proxies(buf, sizeof(buf), PF_CLIENT_MAX_PROXIES);
	ck_assert_int_eq(pf_client_proxies(buf, &p, &why), PF_OK);
	ck_assert_uint_eq(p.n, PF_CLIENT_MAX_PROXIES);
	many_proxies(buf, sizeof(buf), PF_CLIENT_MAX_PROXIES + 1);
	ck_assert_int_eq(pf_client_proxies(buf, &p, &why), PF_EINVAL);
	ck_assert_str_eq(why, "has more than 64 entries");
	ck_assert_uint_eq(p.n, 0);
}
END_TEST

/*
 * Where a request comes from
 */

#define TRUSTED	"10.0.0.0/8 192.0.2.10 2001:db8:f::/48 192.0.2.128/25"

static const struct {
	const char	*remote;
	const char	*xff;
	const char	*want;
} addr_ok[] = {
	/* No proxy in between: XFF is whatever the client wrote. */
	{ "198.51.100.7", NULL, "198.51.100.7" },
	{ "198.51.100.7", "203.0.113.9", "198.51.100.7" },
	{ "198.51.100.7", "10.0.0.1", "198.51.100.7" },
	{ "2001:db8:1::5", "203.0.113.9", "2001:db8:1::5" },
	/* A trusted proxy without XFF, or with an empty one, is the client. */
	{ "10.0.0.1", NULL, "10.0.0.1" },
	{ "10.0.0.1", "", "10.0.0.1" },
	{ "10.0.0.1", "  \t", "10.0.0.1" },
	/* A trusted proxy: the rightmost untrusted entry. */
	{ "10.0.0.1", "203.0.113.9", "203.0.113.9" },
	{ "10.0.0.1", "1.1.1.1, 203.0.113.9", "203.0.113.9" },
	{ "10.0.0.1", "1.1.1.1,203.0.113.9", "203.0.113.9" },
	{ "10.0.0.1", "1.1.1.1 ,\t203.0.113.9 ", "203.0.113.9" },
	/* A chain of trusted proxies is walked through. */
	{ "10.0.0.1", "203.0.113.9, 192.0.2.10, 10.9.9.9", "203.0.113.9" },
	{ "192.0.2.10", "6.6.6.6, 203.0.113.9, 10.1.1.1", "203.0.113.9" },
	{ "10.0.0.1", "2001:db8:1::5, 2001:db8:f::1", "2001:db8:1::5" },
	/* All trusted: the leftmost. */
	{ "10.0.0.1", "10.1.1.1, 10.2.2.2", "10.1.1.1" },
	/* Garbage stops the walk at the last trusted hop. */
	{ "10.0.0.1", "unknown", "10.0.0.1" },
	{ "10.0.0.1", "203.0.113.9:4711", "10.0.0.1" },
	{ "10.0.0.1", "[2001:db8:1::5]", "10.0.0.1" },
	{ "10.0.0.1", "203.0.113.9, garbage, 10.2.2.2", "10.2.2.2" },
	{ "10.0.0.1", "203.0.113.9,, 10.2.2.2", "10.2.2.2" },
	{ "10.0.0.1", "203.0.113.9,", "10.0.0.1" },
	{ "10.0.0.1", ",203.0.113.9", "203.0.113.9" },
	{ "10.0.0.1", "1.1.1.1 2.2.2.2", "10.0.0.1" },
	{ "10.0.0.1", "2001:0db8:0001:0000:0000:0000:0000:0005:1", "10.0.0.1" },
	/* CIDR boundaries: 10.0.0.0/8, 192.0.2.128/25, 2001:db8:f::/48. */
	{ "10.255.255.255", "203.0.113.9", "203.0.113.9" },
	{ "11.0.0.0", "203.0.113.9", "11.0.0.0" },
	{ "9.255.255.255", "203.0.113.9", "9.255.255.255" },
	{ "192.0.2.128", "203.0.113.9", "203.0.113.9" },
	{ "192.0.2.255", "203.0.113.9", "203.0.113.9" },
	{ "192.0.2.127", "203.0.113.9", "192.0.2.127" },
	{ "192.0.2.11", "203.0.113.9", "192.0.2.11" },
	{ "2001:db8:f::", "203.0.113.9", "203.0.113.9" },
	{ "2001:db8:f:ffff:ffff:ffff:ffff:ffff", "203.0.113.9", "203.0.113.9" },
	{ "2001:db8:10::", "203.0.113.9", "2001:db8:10::" },
	{ "2001:db8:e:ffff::1", "203.0.113.9", "2001:db8:e:ffff::1" },
	/* Mapped IPv4 is the IPv4 address, as remote and in XFF. */
	{ "::ffff:10.0.0.1", "203.0.113.9", "203.0.113.9" },
	{ "::ffff:198.51.100.7", "203.0.113.9", "198.51.100.7" },
	{ "10.0.0.1", "::ffff:203.0.113.9", "203.0.113.9" },
	{ "10.0.0.1", "203.0.113.9, ::ffff:10.3.3.3", "203.0.113.9" },
	/* Any spelling: the canonical text. */
	{ "2001:0DB8:0001:0000:0000:0000:0000:0005", NULL, "2001:db8:1::5" },
	{ "10.0.0.1", "2001:0DB8:0001::0005", "2001:db8:1::5" },
};

/* p read from list, which must be a valid list of proxies. */
static void
trust(const char *list, struct pf_proxies *p)
{
	const char	*why = NULL;

	ck_assert_msg(pf_client_proxies(list, p, &why) == PF_OK, "%s: %s",
	    list, why);
}

/* The client address of remote and xff through p is want. */
static void
addr_is(const struct pf_proxies *p, const char *remote, const char *xff,
    const char *want)
{
	char	 out[PF_CLIENT_ADDR_SIZE];

	memset(out, 'x', sizeof(out));
	ck_assert_msg(pf_client_addr(remote, xff, p, out) == PF_OK,
	    "%s / %s refused", remote, xff);
	ck_assert_msg(strcmp(out, want) == 0, "%s / %s: %s, not %s", remote,
	    xff, out, want);
}

START_TEST(test_client_addr_believes_only_trusted_proxies)
{
	struct pf_proxies	 p;
	size_t			 i;

	trust(TRUSTED, &p);
	for (i = 0; i < nitems(addr_ok); i++)
		addr_is(&p, addr_ok[i].remote, addr_ok[i].xff, addr_ok[i].want);
}
END_TEST

START_TEST(test_client_addr_without_proxies_is_remote)
{
	struct pf_proxies	 p;

	trust("", &p);
	addr_is(&p, "10.0.0.1", "203.0.113.9", "10.0.0.1");
	addr_is(NULL, "10.0.0.1", "203.0.113.9", "10.0.0.1");
}
END_TEST

START_TEST(test_client_addr_refuses_a_remote_that_is_no_address)
{
	static const char *const remote[] = {
		NULL, "", "unix:", "localhost", "10.0.0.1:80", "[::1]",
		"10.0.0.1 ", "fe80::1%eth0",
	};
	struct pf_proxies	 p;
	char			 out[PF_CLIENT_ADDR_SIZE];
	size_t			 i;

	trust(TRUSTED, &p);
	for (i = 0; i < nitems(remote); i++) {
		memset(out, 'x', sizeof(out));
		ck_assert_msg(pf_client_addr(remote[i], "203.0.113.9", &p,
		    out) == PF_EINVAL, "\"%s\" accepted", remote[i]);
		ck_assert_str_eq(out, "");
	}
}
END_TEST

/* The longest address text fits. */
START_TEST(test_client_addr_longest_text_fits)
{
	struct pf_proxies	 p;

	trust("10.0.0.1", &p);
	addr_is(&p, "10.0.0.1", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}
END_TEST

PF_TEST_MAIN("client",
    tcase_add_test(tc, test_client_net_of_each_address_form),
    tcase_add_test(tc, test_client_net_refuses_what_is_not_one_address),
    tcase_add_test(tc, test_client_net_refuses_null),
    tcase_add_test(tc, test_client_net_longest_network_fits),
    tcase_add_test(tc, test_client_wide_is_the_ipv6_48),
    PF_LOOP(test_client_proxies_reads_an_address_or_block, proxies_one),
    PF_LOOP(test_client_proxies_reads_lists_and_blanks, proxies_list),
    tcase_add_test(tc, test_client_proxies_stores_network_bytes),
    tcase_add_test(tc, test_client_proxies_refuses_with_a_reason),
    tcase_add_test(tc, test_client_proxies_at_most_max_entries),
    tcase_add_test(tc, test_client_addr_believes_only_trusted_proxies),
    tcase_add_test(tc, test_client_addr_without_proxies_is_remote),
    tcase_add_test(tc, test_client_addr_refuses_a_remote_that_is_no_address),
    tcase_add_test(tc, test_client_addr_longest_text_fits))
