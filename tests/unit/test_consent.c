/*
 * test_consent.c -- the consent categories table, the notice version, the
 * pf_consent cookie and the GPC signal (consent.h): the real etc/ files
 * (the tests run from the tree's root), malformed tables, and a table of
 * hostile, malformed and boundary cookie values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "consent.h"
#include "err.h"
#include "keys.h"
#include "nitems.h"

#define REAL_TABLE	"etc/consent-categories.tsv"
#define REAL_NOTICE	"htdocs/consent-notice.xhtml"
#define NOTICE		"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body>" \
			"<section id=\"consent-notice\"><p>n</p></section>" \
			"</body></html>"
#define ROW_REQ		"required\tyes\tno\tRequired\tKeeps it working.\tpf_consent\n"
#define ROW_FUN		"functional\tno\tno\tFunctional\tSettings.\t-\n"
#define ROW_ADS		"advertising\tno\tyes\tAdvertising\tAds.\t_ga,_ads\n"
#define TABLE		ROW_REQ ROW_FUN ROW_ADS
#define DEV		"AAAAAAAAAAAAAAAAAAAAAA"	/* 16 zero bytes */
#define VER		"0123456789abcdef"
#define GOOD		"v=1&d=" DEV "&n=" VER "&c=required+advertising&g=1" \
			"&t=1700000000"

/* A malformed table, where its error is and what it says. */
struct bad_table {
	const char	*text, *where, *why;
};

/* A Cookie header and what reading pf_consent from it gives. */
struct header_case {
	const char	*header;
	int		 rc;
};

/* A Sec-GPC value and whether it is the signal. */
struct gpc_case {
	const char	*value;
	int		 gpc;
};

static char	 err[512];

static struct pf_consent_table *
table(const char *text)
{
	struct pf_consent_table	*t = NULL;

	ck_assert_msg(pf_consent_parse(text, strlen(text), "t.tsv", NOTICE,
	    strlen(NOTICE), "n.xhtml", &t, err, sizeof(err)) == PF_OK,
	    "refused: %s", err);
	return t;
}

START_TEST(test_real_table_has_the_three_categories)
{
	static const struct {
		const char	*id;
		int		 required, sale;
	} want[] = {
		{ "required", 1, 0 }, { "functional", 0, 0 },
		{ "advertising", 0, 1 },
	};
	struct pf_consent_table	*t = NULL;
	size_t			 i;

	ck_assert_msg(pf_consent_load(REAL_TABLE, REAL_NOTICE, &t, err,
	    sizeof(err)) == PF_OK, "%s", err);
	ck_assert_uint_eq(t->n, nitems(want));
	for (i = 0; i < nitems(want); i++) {
		ck_assert_str_eq(t->cats[i].id, want[i].id);
		ck_assert_int_eq(t->cats[i].required, want[i].required);
		ck_assert_int_eq(t->cats[i].sale, want[i].sale);
		ck_assert_ptr_nonnull(t->cats[i].name);
		ck_assert_ptr_nonnull(t->cats[i].description);
	}
	ck_assert_uint_eq(strlen(t->version), PF_CONSENT_VERSION_LEN);
	ck_assert_uint_eq(strspn(t->version, "0123456789abcdef"),
	    PF_CONSENT_VERSION_LEN);
	pf_consent_table_free(t);
}
END_TEST

/* The version is SHA-256(table || NUL || notice), its first 16 digits. */
START_TEST(test_version_is_hash_of_table_and_notice)
{
	struct pf_consent_table	*t = table(TABLE), *u;
	char			 buf[1024], hex[PF_HEX_DIGEST_LEN + 1];
	size_t			 n = strlen(TABLE);

	memcpy(buf, TABLE, n);
	buf[n] = '\0';
	memcpy(buf + n + 1, NOTICE, strlen(NOTICE));
	ck_assert_int_eq(pf_sha256_hex(buf, n + 1 + strlen(NOTICE), hex), PF_OK);
	hex[PF_CONSENT_VERSION_LEN] = '\0';
	ck_assert_str_eq(t->version, hex);
	/* A comment is an edit too. */
	u = table(TABLE "# edited\n");
	ck_assert_str_ne(t->version, u->version);
	ck_assert_str_eq(u->notice, NOTICE);
	pf_consent_table_free(u);
	pf_consent_table_free(t);
}
END_TEST

START_TEST(test_sets_of_required_and_sale)
{
	struct pf_consent_table	*t = table(TABLE);

	ck_assert_uint_eq(pf_consent_required(t), 1u);
	ck_assert_uint_eq(pf_consent_sale(t), 4u);
	ck_assert_int_eq(pf_consent_find(t, "functional"), 1);
	ck_assert_int_eq(pf_consent_find(t, "Functional"), -1);
	ck_assert_str_eq(t->cats[1].cookies, "");
	ck_assert_str_eq(t->cats[2].cookies, "_ga,_ads");
	pf_consent_table_free(t);
}
END_TEST

static const struct bad_table bad_tables[] = {
	{ "", "t.tsv", "no category" },
	{ "# only a comment\n", "t.tsv", "no category" },
	{ ROW_REQ ROW_REQ, ":2:", "this id has a row already" },
	{ "Required\tyes\tno\tR\tD\t-\n", ":1:", "id must be" },
	{ "1st\tyes\tno\tR\tD\t-\n", ":1:", "id must be" },
	{ "a.b\tyes\tno\tR\tD\t-\n", ":1:", "id must be" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\tno\tno\tR\tD\t-\n", ":1:",
	    "id must be" },
	{ "x\tYes\tno\tR\tD\t-\n", ":1:", "required must be yes or no" },
	{ "x\tno\t1\tR\tD\t-\n", ":1:", "sale must be yes or no" },
	{ "x\tyes\tyes\tR\tD\t-\n", ":1:", "cannot be a sale category" },
	{ "x\tno\tno\t-\tD\t-\n", ":1:", "name must be" },
	{ "x\tno\tno\tR\t-\t-\n", ":1:", "description must be" },
	{ "x\tno\tno\tR\tD\ta b\n", ":1:", "cookies must be" },
	{ "x\tno\tno\tR\tD\ta,\n", ":1:", "cookies must be" },
	{ "x\tno\tno\tR\tD\ta;b\n", ":1:", "cookies must be" },
	{ "x\tno\tno\tR\tD\n", ":1:", "found 5" },
	{ "x\tno\tno\tR\tD\t-\textra\n", ":1:", "found 7" },
	{ "x\tno\tno\tR\tD\x01\t-\n", ":1:", "control character" },
	{ "x\tno\tno\tR\tD\xff\t-\n", ":1:", "invalid UTF-8" },
};

START_TEST(test_load_refuses_malformed_tables)
{
	struct pf_consent_table	*t = (void *)1;
	const char		*text = bad_tables[_i].text;

	ck_assert_int_eq(pf_consent_parse(text, strlen(text), "t.tsv", NOTICE,
	    strlen(NOTICE), "n.xhtml", &t, err, sizeof(err)), PF_ECONFIG);
	ck_assert_ptr_null(t);
	ck_assert_msg(strstr(err, bad_tables[_i].where) != NULL &&
	    strstr(err, bad_tables[_i].why) != NULL, "'%s' said '%s'",
	    text, err);
}
END_TEST

START_TEST(test_load_refuses_more_than_the_maximum)
{
	struct pf_consent_table	*t = NULL;
	char			 text[4096];
	size_t			 i, n = 0;

	for (i = 0; i <= PF_CONSENT_CATS_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "c%zu\tno\tno\tN\tD\t-\n", i);
	ck_assert_int_eq(pf_consent_parse(text, n, "t.tsv", NOTICE,
	    strlen(NOTICE), "n.xhtml", &t, err, sizeof(err)), PF_ECONFIG);
	ck_assert_ptr_nonnull(strstr(err, ":17: more than 16 categories"));
}
END_TEST

static const char *const bad_notices[] = {
	"", "text only", "<p id=\"consent-notice\">not a document</p>",
	"<html><body><p id=\"consent-notice\">no namespace</p></body></html>",
	"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>no id</p>"
	    "</body></html>",
	"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p "
	    "id=\"consent-notice\">unclosed</body></html>",
	"<!DOCTYPE html [<!ENTITY x \"y\">]><html "
	    "xmlns=\"http://www.w3.org/1999/xhtml\"><p id=\"consent-notice\">"
	    "&x;</p></html>",
};

START_TEST(test_load_refuses_malformed_notice)
{
	struct pf_consent_table	*t = (void *)1;

	ck_assert_int_eq(pf_consent_parse(TABLE, strlen(TABLE), "t.tsv",
	    bad_notices[_i], strlen(bad_notices[_i]), "n.xhtml", &t, err,
	    sizeof(err)), PF_ECONFIG);
	ck_assert_ptr_null(t);
	ck_assert_ptr_nonnull(strstr(err, "n.xhtml: not a well-formed XHTML"));
}
END_TEST

START_TEST(test_load_missing_file_is_not_found)
{
	struct pf_consent_table	*t = (void *)1;

	ck_assert_int_eq(pf_consent_load("/nonexistent/c.tsv", REAL_NOTICE, &t,
	    err, sizeof(err)), PF_ENOTFOUND);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(pf_consent_load(REAL_TABLE, "/nonexistent/n.xhtml",
	    &t, NULL, 0), PF_ENOTFOUND);
	pf_consent_table_free(NULL);
}
END_TEST

START_TEST(test_cookie_parses_the_contract)
{
	struct pf_consent_cookie	 c;
	char				 out[PF_CONSENT_VALUE_MAX + 1];

	ck_assert_int_eq(pf_consent_cookie_parse(GOOD, strlen(GOOD), &c), PF_OK);
	ck_assert_str_eq(c.device, DEV);
	ck_assert_str_eq(c.version, VER);
	ck_assert_str_eq(c.cats, "required+advertising");
	ck_assert_int_eq(c.gpc, 1);
	ck_assert_int_eq(c.t, 1700000000LL);
	ck_assert_int_eq(pf_consent_cookie_value(&c, out, sizeof(out)), PF_OK);
	ck_assert_str_eq(out, GOOD);
}
END_TEST

/* Each must be no decision at all. */
static const char *const bad_cookies[] = {
	"",
	"v=1",
	"v=2&d=" DEV "&n=" VER "&c=required&g=0&t=1",
	"v=1&d=" DEV "&n=" VER "&c=required&g=0&t=1&",
	"v=1&d=" DEV "&n=" VER "&c=required&g=0&t=1&x=1",
	"&v=1&d=" DEV "&n=" VER "&c=required&g=0&t=1",
	"d=" DEV "&v=1&n=" VER "&c=required&g=0&t=1",		/* order */
	"v=1&d=" DEV "&n=" VER "&c=required&t=1&g=0",
	"v=1&d=" DEV "&n=" VER "&c=required&g=0",		/* no t */
	"v=1&v=1&d=" DEV "&n=" VER "&c=required&g=0&t=1",
	"V=1&d=" DEV "&n=" VER "&c=required&g=0&t=1",
	"v=1&d=AAAAAAAAAAAAAAAAAAAAA&n=" VER "&c=required&g=0&t=1", /* 21 */
	"v=1&d=AAAAAAAAAAAAAAAAAAAAAAA&n=" VER "&c=required&g=0&t=1",
	"v=1&d=AAAAAAAAAAAAAAAAAAAAAB&n=" VER "&c=required&g=0&t=1", /* bits */
	"v=1&d=AAAAAAAAAAAAAAAAAAAA+A&n=" VER "&c=required&g=0&t=1",
	"v=1&d=AAAAAAAAAAAAAAAAAAAA/A&n=" VER "&c=required&g=0&t=1",
	"v=1&d=AAAAAAAAAAAAAAAAAAAA%41&n=" VER "&c=required&g=0&t=1",
	"v=1&d=" DEV "&n=0123456789ABCDEF&c=required&g=0&t=1",
	"v=1&d=" DEV "&n=0123456789abcde&c=required&g=0&t=1",
	"v=1&d=" DEV "&n=0123456789abcdeff&c=required&g=0&t=1",
	"v=1&d=" DEV "&n=" VER "&c=required+&g=0&t=1",
	"v=1&d=" DEV "&n=" VER "&c=+required&g=0&t=1",
	"v=1&d=" DEV "&n=" VER "&c=required++ads&g=0&t=1",
	"v=1&d=" DEV "&n=" VER "&c=required+required&g=0&t=1",
	"v=1&d=" DEV "&n=" VER "&c=required%20ads&g=0&t=1",
	"v=1&d=" DEV "&n=" VER "&c=required ads&g=0&t=1",
	"v=1&d=" DEV "&n=" VER "&c=Required&g=0&t=1",
	"v=1&d=" DEV "&n=" VER "&c=<script>&g=0&t=1",
	"v=1&d=" DEV "&n=" VER "&c=a\"b&g=0&t=1",
	"v=1&d=" DEV "&n=" VER "&c=required&g=2&t=1",
	"v=1&d=" DEV "&n=" VER "&c=required&g=&t=1",
	"v=1&d=" DEV "&n=" VER "&c=required&g=00&t=1",
	"v=1&d=" DEV "&n=" VER "&c=required&g=0&t=0",
	"v=1&d=" DEV "&n=" VER "&c=required&g=0&t=01",
	"v=1&d=" DEV "&n=" VER "&c=required&g=0&t=-1",
	"v=1&d=" DEV "&n=" VER "&c=required&g=0&t=+1",
	"v=1&d=" DEV "&n=" VER "&c=required&g=0&t=12345678901",
	"v=1&d=" DEV "&n=" VER "&c=required&g=0&t=1x",
	"v=1&d=" DEV "&n=" VER "&c=required&g=0&t=",
	"\"v=1&d=" DEV "&n=" VER "&c=required&g=0&t=1\"",
	"v=1&d=" DEV "&n=" VER "&c=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&g=0&t=1",
	"v=1&d=" DEV "&n=" VER "&c=a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q&g=0&t=1",
};

START_TEST(test_cookie_refuses_hostile_values)
{
	struct pf_consent_cookie	 c;
	const char			*v = bad_cookies[_i];

	memset(&c, 0x55, sizeof(c));
	ck_assert_msg(pf_consent_cookie_parse(v, strlen(v), &c) == PF_EINVAL,
	    "accepted '%s'", v);
	/* Nothing of it is kept. */
	ck_assert_str_eq(c.device, "");
	ck_assert_str_eq(c.cats, "");
}
END_TEST

START_TEST(test_cookie_boundaries)
{
	static const char	 sixteen[] = "v=1&d=" DEV "&n=" VER
	    "&c=a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p&g=0&t=9999999999";
	static const char	 empty[] = "v=1&d=" DEV "&n=" VER
	    "&c=&g=0&t=1";
	static const char	 nul[] = "v=1&d=" DEV "&n=" VER
	    "&c=required&g=0&t=1\0";
	struct pf_consent_cookie c;
	char			 longest[PF_CONSENT_VALUE_MAX + 2];

	ck_assert_int_eq(pf_consent_cookie_parse(sixteen, strlen(sixteen), &c),
	    PF_OK);
	ck_assert_int_eq(c.t, 9999999999LL);
	ck_assert_int_eq(pf_consent_cookie_parse(empty, strlen(empty), &c),
	    PF_OK);
	ck_assert_int_eq(pf_consent_cookie_parse(nul, sizeof(nul) - 1, &c),
	    PF_EINVAL);
	memset(longest, 'a', sizeof(longest));
	ck_assert_int_eq(pf_consent_cookie_parse(longest, sizeof(longest), &c),
	    PF_EINVAL);
}
END_TEST

static const struct header_case headers[] = {
	{ NULL, PF_ENOTFOUND },
	{ "", PF_ENOTFOUND },
	{ "a=b; c=d", PF_ENOTFOUND },
	{ "pf_consent=" GOOD, PF_OK },
	{ "a=b; pf_consent=" GOOD "; c=d", PF_OK },
	{ "a=b;pf_consent=" GOOD "  ;c=d", PF_OK },
	{ "xpf_consent=" GOOD, PF_ENOTFOUND },
	{ "pf_consent =" GOOD, PF_ENOTFOUND },
	{ "pf_consent=\"" GOOD "\"", PF_EINVAL },
	{ "pf_consent=" GOOD "x", PF_EINVAL },
	/* The first one decides, even when it is bad. */
	{ "pf_consent=bad; pf_consent=" GOOD, PF_EINVAL },
	{ "pf_consent=" GOOD "; pf_consent=bad", PF_OK },
};

START_TEST(test_cookie_read_from_header)
{
	struct pf_consent_cookie	 c;
	const char			*h = headers[_i].header;

	ck_assert_msg(pf_consent_cookie_read(h, &c) == headers[_i].rc, "'%s'",
	    h != NULL ? h : "(null)");
}
END_TEST

START_TEST(test_current_checks_version_age_and_table)
{
	struct pf_consent_table		*t = table(TABLE);
	struct pf_consent_cookie	 c;
	pf_consent_set			 s;
	const time_t			 now = 1700000000;

	memset(&c, 0, sizeof(c));
	memcpy(c.device, DEV, sizeof(c.device));
	c.t = now - 10;
	pf_consent_cookie_fill(&c, t, 4u);
	ck_assert_str_eq(c.cats, "required+advertising");
	ck_assert_int_eq(pf_consent_current(&c, t, now, 3600, &s), 1);
	ck_assert_uint_eq(s, 5u);
	/* Too old; from the future; another version. */
	ck_assert_int_eq(pf_consent_current(&c, t, now + 3590, 3600, &s), 0);
	c.t = now + 301;
	ck_assert_int_eq(pf_consent_current(&c, t, now, 3600, &s), 0);
	c.t = now;
	c.version[0] = c.version[0] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(pf_consent_current(&c, t, now, 3600, &s), 0);
	/* An unknown id, another order, a required category missing. */
	memcpy(c.version, t->version, sizeof(c.version));
	snprintf(c.cats, sizeof(c.cats), "required+ads");
	ck_assert_int_eq(pf_consent_current(&c, t, now, 3600, &s), 0);
	snprintf(c.cats, sizeof(c.cats), "advertising+required");
	ck_assert_int_eq(pf_consent_current(&c, t, now, 3600, &s), 0);
	snprintf(c.cats, sizeof(c.cats), "advertising");
	ck_assert_int_eq(pf_consent_current(&c, t, now, 3600, &s), 0);
	ck_assert_uint_eq(s, 0u);
	pf_consent_table_free(t);
}
END_TEST

START_TEST(test_set_cookie_attributes)
{
	struct pf_consent_table		*t = table(TABLE);
	struct pf_consent_cookie	 c;
	char				 out[1024];

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(pf_consent_device_new(c.device), PF_OK);
	c.t = 1700000000;
	pf_consent_cookie_fill(&c, t, 0);
	ck_assert_int_eq(pf_consent_set_cookie(&c, 31536000, 1, out,
	    sizeof(out)), PF_OK);
	ck_assert_ptr_nonnull(strstr(out, "&c=required&g=0&t=1700000000; "
	    "Path=/; Max-Age=31536000; SameSite=Lax; Secure"));
	ck_assert_int_eq(strncmp(out, "pf_consent=v=1&d=", 17), 0);
	ck_assert_int_eq(pf_consent_set_cookie(&c, 60, 0, out, sizeof(out)),
	    PF_OK);
	ck_assert_ptr_null(strstr(out, "Secure"));
	ck_assert_ptr_null(strstr(out, "HttpOnly"));
	/* A value that would not parse back is never written. */
	c.t = 0;
	ck_assert_int_eq(pf_consent_set_cookie(&c, 60, 0, out, sizeof(out)),
	    PF_EINVAL);
	pf_consent_table_free(t);
}
END_TEST

START_TEST(test_device_ids_are_canonical_and_differ)
{
	struct pf_consent_cookie	 c;
	char				 a[PF_CONSENT_DEVICE_LEN + 1];
	char				 b[PF_CONSENT_DEVICE_LEN + 1];
	char				 v[PF_CONSENT_VALUE_MAX + 1];

	ck_assert_int_eq(pf_consent_device_new(a), PF_OK);
	ck_assert_int_eq(pf_consent_device_new(b), PF_OK);
	ck_assert_str_ne(a, b);
	snprintf(v, sizeof(v), "v=1&d=%s&n=" VER "&c=&g=0&t=1", a);
	ck_assert_int_eq(pf_consent_cookie_parse(v, strlen(v), &c), PF_OK);
}
END_TEST

static const struct gpc_case gpcs[] = {
	{ NULL, 0 }, { "", 0 }, { "1", 1 }, { " 1 ", 1 },
	{ "1, 1", 1 }, { "0, 1", 1 }, { "1,0", 1 }, { "0", 0 },
	{ "0, 0", 0 }, { "true", 0 }, { "01", 0 }, { "1.0", 0 },
	{ "11", 0 }, { "1;q=1", 0 }, { ",", 0 }, { "\t1", 1 },
	{ "yes", 0 }, { "-1", 0 },
};

START_TEST(test_gpc_signal)
{
	const char	*v = gpcs[_i].value;

	ck_assert_msg(pf_consent_gpc(v) == gpcs[_i].gpc, "'%s'",
	    v != NULL ? v : "(null)");
}
END_TEST

START_TEST(test_set_of_reads_a_records_ids_and_passes_over_others)
{
	struct pf_consent_table	*t = table(TABLE);

	ck_assert_uint_eq(pf_consent_set_of(t, ""), 0);
	ck_assert_uint_eq(pf_consent_set_of(t, "required advertising"), 5);
	ck_assert_uint_eq(pf_consent_set_of(t, "functional"), 2);
	ck_assert_uint_eq(pf_consent_set_of(t, "gone required "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 1);
	pf_consent_table_free(t);
}
END_TEST

/*
 * The signal's cookie: a decision without its sale categories, but for
 * one made with the signal (g=1), whose sale category was confirmed.
 */
START_TEST(test_gpc_fill_keeps_a_sale_category_confirmed_under_it)
{
	struct pf_consent_table		*t = table(TABLE);
	struct pf_consent_cookie	 c;
	static const struct {
		int		 gpc, current;
		const char	*cats;
		long long	 t;
	} want[] = {
		{ 0, 1, "required+functional", 1700000000 },
		{ 1, 1, "required+functional+advertising", 1700000000 },
		{ 0, 0, "required", 1 },
		{ 1, 0, "required", 1 },
	};
	size_t				 i;

	for (i = 0; i < nitems(want); i++) {
		memset(&c, 0, sizeof(c));
		c.gpc = want[i].gpc;
		c.t = 1700000000;
		pf_consent_gpc_fill(&c, t, want[i].current, 7);
		ck_assert_str_eq(c.cats, want[i].cats);
		ck_assert_int_eq(c.gpc, 1);
		ck_assert_int_eq(c.t, want[i].t);
	}
	pf_consent_table_free(t);
}
END_TEST

PF_TEST_MAIN("consent",
    tcase_add_test(tc, test_real_table_has_the_three_categories),
    tcase_add_test(tc, test_version_is_hash_of_table_and_notice),
    tcase_add_test(tc, test_sets_of_required_and_sale),
    PF_LOOP(test_load_refuses_malformed_tables, bad_tables),
    tcase_add_test(tc, test_load_refuses_more_than_the_maximum),
    PF_LOOP(test_load_refuses_malformed_notice, bad_notices),
    tcase_add_test(tc, test_load_missing_file_is_not_found),
    tcase_add_test(tc, test_cookie_parses_the_contract),
    PF_LOOP(test_cookie_refuses_hostile_values, bad_cookies),
    tcase_add_test(tc, test_cookie_boundaries),
    PF_LOOP(test_cookie_read_from_header, headers),
    tcase_add_test(tc, test_current_checks_version_age_and_table),
    tcase_add_test(tc, test_set_cookie_attributes),
    tcase_add_test(tc, test_device_ids_are_canonical_and_differ),
    tcase_add_test(tc, test_set_of_reads_a_records_ids_and_passes_over_others),
    tcase_add_test(tc, test_gpc_fill_keeps_a_sale_category_confirmed_under_it),
    PF_LOOP(test_gpc_signal, gpcs))
