/* test_preflink.c -- preference and confirmation links (preflink.h). */
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "err.h"
#include "fixture.h"
#include "lang.h"
#include "nitems.h"
#include "preflink.h"

#define NOW ((time_t)1800000000)
#define BASE "https://www.example.com/privacy"
#define ASKED "2027-01-15T08:00:00.000000Z"

static struct pf_config cfg = {
	.base_url = "https://www.example.com",
	.prefix = "/privacy",
	.phone_region = "US",
	.preferences_link_days = 90,
	.subscribe_confirm_days = 7,
};
static struct pf_keys	 keys = { .token = { 7, 7, 7, 7, 7, 7, 7, 7 } };

/* The token of a link under path, or fail. */
static const char *
token_of(const char *url, const char *path)
{
	size_t	 n = strlen(BASE);

	ck_assert_int_eq(strncmp(url, BASE, n), 0);
	ck_assert_int_eq(strncmp(url + n, path, strlen(path)), 0);
	return url + n + strlen(path);
}

#define PREF(url)	token_of(url, "/preferences?t=")
#define CONFIRM(url)	token_of(url, "/preferences/confirm?t=")

/*
 * Each link as made from what was typed (list NULL: a preference link),
 * and the fields its check gives back.
 */
static const struct {
	const char	*channel, *address, *list, *lang;
	const char	*want[PF_CONFIRM_NFIELDS];
} made[] = {
	{ "email", " Jane.Doe@Example.COM ", NULL, NULL,
	    { "email", "jane.doe@example.com", PF_LANG_SOURCE } },
	{ "sms", "(303) 749-2110", NULL, "de",
	    { "sms", "+13037492110", "de" } },
	{ "email", "Jane@Example.com", "news", "de",
	    { "email", "jane@example.com", "news", ASKED, "de" } },
	{ "sms", "+1 303 749 2110", "sms-offers", NULL,
	    { "sms", "+13037492110", "sms-offers", ASKED, PF_LANG_SOURCE } },
};

START_TEST(test_links_carry_normalised_fields)
{
	struct pf_token	 tok;
	const char	*why = NULL;
	char		*url;
	size_t		 i, n;
	int		 rc;

	for (i = 0; i < nitems(made); i++) {
		if (made[i].list == NULL) {
			ck_assert_int_eq(pf_pref_link(&cfg, &keys,
			    made[i].channel, made[i].address, made[i].lang,
			    NOW, &url, &why), PF_OK);
			rc = pf_pref_check(&keys, PREF(url), NOW, &tok);
			n = PF_PREF_NFIELDS;
		} else {
			ck_assert_int_eq(pf_pref_confirm_link(&cfg, &keys,
			    made[i].channel, made[i].address, made[i].list,
			    ASKED, made[i].lang, NOW, &url, &why), PF_OK);
			rc = pf_pref_confirm_check(&keys, CONFIRM(url), NOW,
			    &tok);
			n = PF_CONFIRM_NFIELDS;
		}
		ck_assert_ptr_null(why);
		ck_assert_int_eq(rc, PF_OK);
		/* Encrypted: nothing of the address or list shows. */
		ck_assert_ptr_null(strstr(url, "ane"));
		ck_assert_ptr_null(strstr(url, "2110"));
		ck_assert_ptr_null(strstr(url, "news"));
		ck_assert_uint_eq(tok.nfields, n);
		while (n-- > 0)
			ck_assert_str_eq(tok.fields[n], made[i].want[n]);
		pf_token_clear(&tok);
		pf_lang_use(PF_LANG_SOURCE);
		free(url);
	}
}
END_TEST

START_TEST(test_links_expire_after_their_configured_days)
{
	struct pf_token	 tok;
	const char	*why;
	char		*url;

	cfg.preferences_link_days = 3;
	ck_assert_int_eq(pf_pref_link(&cfg, &keys, "email", "a@example.com",
	    NULL, NOW, &url, &why), PF_OK);
	ck_assert_int_eq(pf_pref_check(&keys, PREF(url), NOW + 3 * 86400,
	    &tok), PF_OK);
	pf_token_clear(&tok);
	ck_assert_int_eq(pf_pref_check(&keys, PREF(url), NOW + 3 * 86400 + 1,
	    &tok), PF_EEXPIRED);
	ck_assert_uint_eq(tok.nfields, 0);
	free(url);
	ck_assert_int_eq(pf_pref_confirm_link(&cfg, &keys, "email",
	    "a@example.com", "news", ASKED, NULL, NOW, &url, &why), PF_OK);
	ck_assert_int_eq(pf_pref_confirm_check(&keys, CONFIRM(url),
	    NOW + 7 * 86400, &tok), PF_OK);
	pf_token_clear(&tok);
	ck_assert_int_eq(pf_pref_confirm_check(&keys, CONFIRM(url),
	    NOW + 7 * 86400 + 1, &tok), PF_EEXPIRED);
	free(url);
	cfg.preferences_link_days = 90;
}
END_TEST

START_TEST(test_bad_arguments_refused_with_reason)
{
	static const struct {
		const char	*channel, *address, *list, *asked, *lang;
	} bad[] = {
		{ "post", "a@example.com", "news", ASKED, NULL },
		{ "", "a@example.com", "news", ASKED, NULL },
		{ "email", "not an address", "news", ASKED, NULL },
		{ "email", "", "news", ASKED, NULL },
		{ "email", "a@example.com\r\nBcc: b@example.com", "news", ASKED,
		    NULL },
		{ "sms", "call me", "news", ASKED, NULL },
		{ "email", "a@example.com", "news", ASKED, "German" },
		{ "email", "a@example.com", "news", ASKED, "de\n" },
		{ "email", "a@example.com", "", ASKED, NULL },
		{ "email", "a@example.com", "News", ASKED, NULL },
		{ "email", "a@example.com", "1news", ASKED, NULL },
		{ "email", "a@example.com", "news letter", ASKED, NULL },
		{ "email", "a@example.com",
		    "abcdefghijklmnopqrstuvwxyz0123456", ASKED, NULL },
		{ "email", "a@example.com", "news", "yesterday", NULL },
		{ "email", "a@example.com", "news", "2027-02-30T08:00:00Z",
		    NULL },
	};
	const char	*why;
	char		*url;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		why = NULL;
		url = (char *)"x";
		ck_assert_msg(pf_pref_confirm_link(&cfg, &keys, bad[i].channel,
		    bad[i].address, bad[i].list, bad[i].asked, bad[i].lang, NOW,
		    &url, &why) == PF_EINVAL, "row %zu", i);
		ck_assert_ptr_null(url);
		ck_assert_ptr_nonnull(why);
		if (i > 7)	/* the rest are a confirmation's own */
			continue;
		why = NULL;
		ck_assert_msg(pf_pref_link(&cfg, &keys, bad[i].channel,
		    bad[i].address, bad[i].lang, NOW, &url, &why) == PF_EINVAL,
		    "row %zu", i);
		ck_assert_ptr_null(url);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(test_other_key_purpose_or_shape_is_forged)
{
	static const char *const shapes[][6] = {
		/* purpose, then fields (NULL ends) */
		{ "pref", "post", "a@example.com", "en", NULL, NULL },
		{ "pref", "email", "a@example.com", NULL, NULL, NULL },
		{ "pref", "email", "a@example.com", "en", "x", NULL },
		{ "pref", "email", "a@example.com", "not a tag", NULL, NULL },
		{ "sub-confirm", "email", "a@example.com", "news", ASKED, NULL },
		{ "unsub", "email", "a@example.com", "", "en", NULL },
	};
	struct pf_keys	 other;
	struct pf_token	 tok;
	const char	*why;
	char		*url, *t;
	size_t		 i, n;

	ck_assert_int_eq(pf_pref_link(&cfg, &keys, "email", "a@example.com",
	    NULL, NOW, &url, &why), PF_OK);
	other = keys;
	other.token[0] ^= 1;
	ck_assert_int_eq(pf_pref_check(&other, PREF(url), NOW, &tok),
	    PF_EFORGED);
	/* A preference link does not confirm, nor the other way round. */
	ck_assert_int_eq(pf_pref_confirm_check(&keys, PREF(url), NOW, &tok),
	    PF_EFORGED);
	free(url);
	ck_assert_int_eq(pf_pref_confirm_link(&cfg, &keys, "email",
	    "a@example.com", "news", ASKED, NULL, NOW, &url, &why), PF_OK);
	ck_assert_int_eq(pf_pref_check(&keys, CONFIRM(url), NOW, &tok),
	    PF_EFORGED);
	free(url);
	/* Genuine tokens of the wrong shape are refused as forged. */
	for (i = 0; i < nitems(shapes); i++) {
		for (n = 0; shapes[i][n + 1] != NULL; n++)
			;
		ck_assert_int_eq(pf_token_make(keys.token, shapes[i][0],
		    NOW + 60, (const char **)&shapes[i][1], n, &t), PF_OK);
		ck_assert_msg(pf_pref_check(&keys, t, NOW, &tok) == PF_EFORGED &&
		    pf_pref_confirm_check(&keys, t, NOW, &tok) == PF_EFORGED,
		    "shape %zu", i);
		ck_assert_uint_eq(tok.nfields, 0);
		free(t);
	}
}
END_TEST

/* Pages open in the language the link was made in, unless one was chosen. */
START_TEST(test_links_carry_their_language)
{
	struct pf_token	 tok;
	const char	*why = NULL;
	char		*url = NULL, *curl = NULL;

	pf_test_offer("en de fr pt-BR");
	ck_assert_int_eq(pf_lang_use("pt-BR"), PF_OK);
	ck_assert_int_eq(pf_pref_link(&cfg, &keys, "email", "a@example.com",
	    NULL, NOW, &url, &why), PF_OK);
	ck_assert_int_eq(pf_pref_confirm_link(&cfg, &keys, "email",
	    "a@example.com", "news", ASKED, "fr", NOW, &curl, &why), PF_OK);
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	ck_assert_int_eq(pf_pref_check(&keys, PREF(url), NOW, &tok), PF_OK);
	ck_assert_str_eq(pf_lang_current(), "pt-BR");
	pf_token_clear(&tok);
	ck_assert_int_eq(pf_pref_confirm_check(&keys, CONFIRM(curl), NOW,
	    &tok), PF_OK);
	ck_assert_str_eq(pf_lang_current(), "fr");
	pf_token_clear(&tok);
	ck_assert_int_eq(pf_lang_choose("de"), PF_OK);
	ck_assert_int_eq(pf_pref_check(&keys, PREF(url), NOW, &tok), PF_OK);
	ck_assert_str_eq(pf_lang_current(), "de");
	pf_token_clear(&tok);
	pf_lang_use(PF_LANG_SOURCE);
	free(curl);
	free(url);
}
END_TEST

PF_TEST_MAIN("preflink",
    tcase_add_test(tc, test_links_carry_their_language),
    tcase_add_test(tc, test_links_carry_normalised_fields),
    tcase_add_test(tc, test_links_expire_after_their_configured_days),
    tcase_add_test(tc, test_bad_arguments_refused_with_reason),
    tcase_add_test(tc, test_other_key_purpose_or_shape_is_forged))
