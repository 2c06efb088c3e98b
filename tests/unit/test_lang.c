/* test_lang.c -- the site's languages and Accept-Language (lang.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_main.h"
#include "fixture.h"
#include "err.h"
#include "lang.h"

static const char *const site[] = { "en", "de", "fr", "pt-BR", "zh-CN",
    "en-XA" };

/* A header, and the tag of site lookup must find (NULL: none). */
static const struct pf_test_case lookups[] = {
	{ "de-AT, de;q=0.9", "de" },		/* the issue's own example */
	{ "de-AT", "de" },			/* truncated */
	{ "de", "de" },
	{ "DE-at", "de" },			/* case does not matter */
	{ "pt-br", "pt-BR" },
	{ "pt", NULL },				/* lookup never widens */
	{ "pt-BR-x-private", "pt-BR" },
	{ "zh-CN-x-a", "zh-CN" },		/* the singleton goes too */
	{ "zh-Hans-CN", NULL },			/* zh-Hans, zh: not offered */
	{ "fr;q=0.5, de;q=0.8", "de" },		/* by weight */
	{ "fr;q=0.8, de;q=0.8", "fr" },		/* equal: header order */
	{ "fr ; q=0.8 ,de;Q=0.9", "de" },	/* blanks, Q */
	{ "it, fr", "fr" },			/* the first one offered */
	{ "it, ja", NULL },
	{ "*", NULL },				/* the caller's default */
	{ "*, fr;q=0.1", "fr" },
	{ "de;q=0, fr;q=0.1", "fr" },		/* q=0: not acceptable */
	{ "de-AT, de;q=0", NULL },		/* nor by truncation */
	{ "de;q=0.000, en", "en" },
	{ "de;q=1.000", "de" },
	{ "de;q=1.001, fr", "fr" },		/* malformed weights skipped */
	{ "de;q=2, fr", "fr" },
	{ "de;q=0.1234, fr", "fr" },
	{ "de;q=.5, fr", "fr" },
	{ "de;q=, fr", "fr" },
	{ "de;q=0.5;x=1, fr;q=0.1", "fr" },
	{ "de;level=1, fr;q=0.1", "fr" },
	{ "d3, fr", "fr" },			/* malformed ranges skipped */
	{ "de-ATTTTTTTT, fr", "fr" },
	{ "de--AT, fr", "fr" },
	{ "de-, fr", "fr" },
	{ "-de, fr", "fr" },
	{ "d\xc3\xa9, fr", "fr" },
	{ "de_AT, fr", "fr" },
	{ "de\"\x01<, fr", "fr" },
	{ ",,,, ,fr", "fr" },
	{ "", NULL },
	{ "   ", NULL },
	{ ";q=1, de", "de" },
	{ "en-XA", "en-XA" },
	{ "en-US", "en" },
	{ "es-MX, es", NULL },
};

START_TEST(test_lookup)
{
	const char	*got = pf_lang_lookup(lookups[_i].in, site,
	    nitems(site));

	if (lookups[_i].want == NULL)
		ck_assert_msg(got == NULL, "'%s' found %s",
		    lookups[_i].in, got);
	else
		ck_assert_msg(got != NULL && strcmp(got, lookups[_i].want) ==
		    0, "'%s' found %s, want %s", lookups[_i].in,
		    got != NULL ? got : "nothing", lookups[_i].want);
}
END_TEST

/* Only the first PF_LANG_RANGES_MAX parts are read, however long. */
START_TEST(test_lookup_reads_a_bounded_number_of_parts)
{
	char	 h[PF_LANG_RANGES_MAX * 4 + 64];
	size_t	 i, len = 0;

	for (i = 0; i < PF_LANG_RANGES_MAX - 1; i++)
		len += (size_t)snprintf(h + len, sizeof(h) - len, "it,");
	snprintf(h + len, sizeof(h) - len, "fr,de");
	ck_assert_str_eq(pf_lang_lookup(h, site, nitems(site)), "fr");
	h[len] = 'x';	/* "xr": the last part read is malformed */
	ck_assert_ptr_null(pf_lang_lookup(h, site, nitems(site)));
	ck_assert_ptr_null(pf_lang_lookup(NULL, site, nitems(site)));
	ck_assert_ptr_null(pf_lang_lookup("de", NULL, 0));
	ck_assert_ptr_null(pf_lang_lookup("de", site, 0));
}
END_TEST

/* A header far over any limit: one range of 100 000 subtags. */
START_TEST(test_lookup_of_a_huge_header)
{
	size_t	 n = 300000, i;
	char	*h = malloc(n + 1);

	ck_assert_ptr_nonnull(h);
	memcpy(h, "de", 2);
	for (i = 2; i + 3 <= n; i += 3)
		memcpy(h + i, "-ab", 3);
	h[i] = '\0';
	ck_assert_str_eq(pf_lang_lookup(h, site, nitems(site)), "de");
	memset(h, ',', n);
	h[n] = '\0';
	ck_assert_ptr_null(pf_lang_lookup(h, site, nitems(site)));
	free(h);
}
END_TEST

START_TEST(test_url_gets_lang_before_its_fragment)
{
	static const char *const cases[][2] = {
		{ "/privacy/", "/privacy/?lang=pt-BR" },
		{ "/privacy/request?type=other#top",
		    "/privacy/request?type=other&lang=pt-BR#top" },
		{ "/privacy/x#a?b", "/privacy/x?lang=pt-BR#a?b" },
		{ "", "?lang=pt-BR" },
	};
	char	*s;
	size_t	 i;

	for (i = 0; i < nitems(cases); i++) {
		ck_assert_ptr_nonnull(s = pf_lang_url(cases[i][0], "pt-BR"));
		ck_assert_str_eq(s, cases[i][1]);
		free(s);
	}
}
END_TEST

START_TEST(test_url_has_lang_only_as_a_parameter_of_its_query)
{
	static const struct { const char *url; int has; } cases[] = {
		{ "/privacy/?lang=de", 1 },
		{ "/privacy/request?type=other&lang=de#top", 1 },
		{ "/privacy/?slang=de", 0 },
		{ "/privacy/?type=lang=de", 0 },
		{ "/privacy/lang=de", 0 },
		{ "/privacy/?x=1#&lang=de", 0 },
		{ "/privacy/?lang", 0 },
		{ "?lang=", 1 },
		{ "", 0 },
	};
	size_t	 i;

	for (i = 0; i < nitems(cases); i++)
		ck_assert_msg(pf_lang_url_has(cases[i].url) == cases[i].has,
		    "%s", cases[i].url);
}
END_TEST

/* Run a command, which must succeed. */
static void
run(const char *cmd)
{
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

/*
 * A catalogue for gettext name in fx.dir/locale, with the two messages
 * about the language itself (label and dir, NULL: left out) and one more.
 */
static void
catalogue(const char *name, const char *label, const char *dir)
{
	char	 po[PF_TEST_PATH], text[1024], cmd[2 * PF_TEST_PATH + 128];
	size_t	 len;

	len = (size_t)snprintf(text, sizeof(text), "msgid \"\"\nmsgstr \""
	    "Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
	    "msgid \"Page not found\"\nmsgstr \"%s: not found\"\n", name);
	if (label != NULL)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "msgctxt \"language-name\"\nmsgid \"English\"\n"
		    "msgstr \"%s\"\n", label);
	if (dir != NULL)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "msgctxt \"language-direction\"\nmsgid \"ltr\"\n"
		    "msgstr \"%s\"\n", dir);
	pf_test_path(po, sizeof(po), "x.po");
	pf_test_write(po, text, len);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/locale/%s/LC_MESSAGES && "
	    "msgfmt --check-format --check-domain -o %s/locale/%s/LC_MESSAGES/privforms.mo %s",
	    fx.dir, name, fx.dir, name, po);
	run(cmd);
}

static void
catalogues(void)
{
	char	 dir[PF_TEST_PATH];

	catalogue("de", "Deutsch", NULL);
	catalogue("pt_BR", "Portugu\xc3\xaas (Brasil)", "ltr");
	catalogue("ar_XB", "\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a", "rtl");
	catalogue("fr", "bad\x01label", "sideways");
	pf_test_path(dir, sizeof(dir), "locale");
	ck_assert_int_eq(pf_lang_init(dir), PF_OK);
}

/* Each language's own name and direction, from its own catalogue. */
START_TEST(test_site_reads_each_language_from_its_catalogue)
{
	const struct pf_lang	*l;
	size_t			 n;

	catalogues();
	ck_assert_msg(pf_lang_site("en de  pt-BR\tar-XB fr it", "pt-BR",
	    fx.err, sizeof(fx.err)) == PF_OK, "%s", fx.err);
	l = pf_lang_offered(&n);
	ck_assert_uint_eq(n, 6);
	ck_assert_str_eq(l[0].tag, "en");
	ck_assert_str_eq(l[0].label, "English");
	ck_assert_str_eq(l[1].label, "Deutsch");
	ck_assert_str_eq(l[1].dir, "ltr");
	ck_assert_str_eq(l[2].label, "Portugu\xc3\xaas (Brasil)");
	ck_assert_str_eq(l[3].tag, "ar-XB");
	ck_assert_str_eq(l[3].dir, "rtl");
	ck_assert_str_eq(l[4].label, "fr");	/* unusable: its tag */
	ck_assert_str_eq(l[4].dir, "ltr");
	ck_assert_str_eq(l[5].label, "English");	/* no catalogue */
	/* The default is current, and each switch reaches gettext. */
	ck_assert_str_eq(pf_lang_current(), "pt-BR");
	ck_assert_str_eq(pf_lang_default(), "pt-BR");
	ck_assert_str_eq(_("Page not found"), "pt_BR: not found");
	ck_assert_int_eq(pf_lang_use("ar-XB"), PF_OK);
	ck_assert_str_eq(pf_lang_dir(), "rtl");
	ck_assert_str_eq(_("Page not found"), "ar_XB: not found");
	ck_assert_int_eq(pf_lang_use("en"), PF_OK);
	ck_assert_str_eq(pf_lang_dir(), "ltr");
	ck_assert_str_eq(_("Page not found"), "Page not found");
	ck_assert_ptr_eq(pf_lang_find("PT-br"), &l[2]);
	ck_assert_ptr_null(pf_lang_find("pt"));
	ck_assert_ptr_null(pf_lang_find(NULL));
	ck_assert_str_eq(pf_lang_negotiate("ar, pt;q=0.9, de-CH;q=0.8"),
	    "de");
	ck_assert_ptr_null(pf_lang_negotiate("ja"));
}
END_TEST

/* Lists pf_lang_site refuses: the list, the default, the message. */
static const struct {
	const char	*languages, *def, *why;
} bad_sites[] = {
	{ "", "en", "languages: none listed" },
	{ "en de", "fr", "default_language fr is not one of the "
	    "languages offered (en de)" },
	{ "en DE", "en", "languages: 'DE' is not a language tag" },
	{ "en pt-BR pt-br", "en", "languages: pt-br is listed twice" },
	{ "en aa ab ac ad ae af ag ah ai aj ak al am an ao ap aq ar as "
	    "at au av aw ax ay az ba bb bc bd be bf", "en",
	    "languages: more than 32" },
};

START_TEST(test_site_refuses_a_bad_list)
{
	size_t	 i, n;

	catalogues();
	ck_assert_int_eq(pf_lang_site("en de", "de", fx.err, sizeof(fx.err)),
	    PF_OK);
	for (i = 0; i < nitems(bad_sites); i++) {
		ck_assert_int_eq(pf_lang_site(bad_sites[i].languages,
		    bad_sites[i].def, fx.err, sizeof(fx.err)), PF_EINVAL);
		ck_assert_msg(strncmp(fx.err, bad_sites[i].why,
		    strlen(bad_sites[i].why)) == 0, "got '%s'", fx.err);
	}
	/* A refusal leaves the site as it was. */
	pf_lang_offered(&n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(pf_lang_default(), "de");
}
END_TEST

PF_TEST_MAIN("lang",
    pf_test_fixture(tc, PF_TEST_DIR, NULL, NULL, NULL),
    PF_LOOP(test_lookup, lookups),
    tcase_add_test(tc, test_lookup_reads_a_bounded_number_of_parts),
    tcase_add_test(tc, test_lookup_of_a_huge_header),
    tcase_add_test(tc, test_url_gets_lang_before_its_fragment),
    tcase_add_test(tc, test_url_has_lang_only_as_a_parameter_of_its_query),
    tcase_add_test(tc, test_site_reads_each_language_from_its_catalogue),
    tcase_add_test(tc, test_site_refuses_a_bad_list))
