/*
 * test_client.c -- the network a request comes from (client.h): IPv4 as
 * it is, IPv6 as its /64 whatever the spelling, IPv4-mapped IPv6 as the
 * IPv4 address, and everything else refused with an empty result.
 */
#include <string.h>

#include "check_main.h"
#include "client.h"
#include "err.h"

#define N(t)	(sizeof(t) / sizeof((t)[0]))

static const struct {
	const char	*addr;
	const char	*net;
} good[] = {
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

	for (i = 0; i < N(good); i++) {
		memset(out, 'x', sizeof(out));
		ck_assert_msg(pf_client_net(good[i].addr, out) == PF_OK,
		    "%s refused", good[i].addr);
		ck_assert_msg(strcmp(out, good[i].net) == 0, "%s: %s, not %s",
		    good[i].addr, out, good[i].net);
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

	for (i = 0; i < N(bad); i++) {
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

/* The longest canonical /64 still fits, with room to spare. */
START_TEST(test_client_net_longest_network_fits)
{
	char	 out[PF_CLIENT_NET_SIZE];

	ck_assert_int_eq(pf_client_net("ffff:ffff:ffff:ffff:ffff:ffff:ffff:"
	    "ffff", out), PF_OK);
	ck_assert_str_eq(out, "ffff:ffff:ffff:ffff::/64");
}
END_TEST

PF_TEST_MAIN("client",
    tcase_add_test(tc, test_client_net_of_each_address_form),
    tcase_add_test(tc, test_client_net_refuses_what_is_not_one_address),
    tcase_add_test(tc, test_client_net_refuses_null),
    tcase_add_test(tc, test_client_net_longest_network_fits))
