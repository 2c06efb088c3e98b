/* test_optout.c -- RFC 8058 one-click links (optout.h). */
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "err.h"
#include "fixture.h"
#include "lang.h"
#include "nitems.h"
#include "optout.h"

#define NOW ((time_t)1800000000)

static struct pf_config	 cfg;
static struct pf_keys	 keys;

static void
setup(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.base_url = "https://www.example.com";
	cfg.prefix = "/privacy";
	cfg.unsubscribe_link_days = 30;
	memset(&keys, 0, sizeof(keys));
	memset(keys.token, 7, sizeof(keys.token));
}

/* The token of a link, or fail. */
static const char *
token_of(const char *url)
{
	static const char	 base[] = "https://www.example.com/privacy/unsubscribe?t=";

	ck_assert_int_eq(strncmp(url, base, strlen(base)), 0);
	return url + strlen(base);
}

START_TEST(test_link_carries_normalised_address_and_list)
{
	struct pf_token	 tok;
	const char	*why = NULL;
	char		*url;

	setup();
	ck_assert_int_eq(pf_optout_link(&cfg, &keys, " Jane.Doe@Example.COM ",
	    "news-2026", NOW, &url, &why), PF_OK);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(pf_optout_check(&keys, token_of(url), NOW, &tok), PF_OK);
	ck_assert_uint_eq(tok.nfields, 4);
	ck_assert_str_eq(tok.fields[0], "email");
	ck_assert_str_eq(tok.fields[1], "jane.doe@example.com");
	ck_assert_str_eq(tok.fields[2], "news-2026");
	ck_assert_str_eq(tok.fields[3], pf_lang_current());
	ck_assert_ptr_null(strstr(url, "jane"));
	pf_token_clear(&tok);
	free(url);
}
END_TEST

START_TEST(test_no_list_means_every_list)
{
	struct pf_token	 tok;
	const char	*why;
	char		*url;
	const char	*lists[] = { NULL, "" };
	size_t		 i;

	setup();
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(pf_optout_link(&cfg, &keys, "a@example.com",
		    lists[i], NOW, &url, &why), PF_OK);
		ck_assert_int_eq(pf_optout_check(&keys, token_of(url), NOW, &tok),
		    PF_OK);
		ck_assert_str_eq(tok.fields[2], "");
		pf_token_clear(&tok);
		free(url);
	}
}
END_TEST

START_TEST(test_link_expires_after_the_configured_days)
{
	struct pf_token	 tok;
	const char	*why;
	char		*url;
	time_t		 end = NOW + 30 * 86400;

	setup();
	ck_assert_int_eq(pf_optout_link(&cfg, &keys, "a@example.com", NULL, NOW,
	    &url, &why), PF_OK);
	ck_assert_int_eq(pf_optout_check(&keys, token_of(url), end, &tok), PF_OK);
	pf_token_clear(&tok);
	ck_assert_int_eq(pf_optout_check(&keys, token_of(url), end + 1, &tok),
	    PF_EEXPIRED);
	free(url);
}
END_TEST

START_TEST(test_bad_address_or_list_refused_with_reason)
{
	static const char *const bad[][2] = {
		{ "not an address", NULL },
		{ "", NULL },
		{ "a@example.com", "has space" },
		{ "a@example.com", "semi;colon" },
		{ "a@example.com", "x\r\nBcc: b@example.com" },
	};
	const char	*why;
	char		*url;
	size_t		 i;

	setup();
	for (i = 0; i < nitems(bad); i++) {
		why = NULL;
		ck_assert_int_eq(pf_optout_link(&cfg, &keys, bad[i][0], bad[i][1],
		    NOW, &url, &why), PF_EINVAL);
		ck_assert_ptr_null(url);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(test_other_key_or_purpose_is_forged)
{
	struct pf_keys	 other;
	struct pf_token	 tok;
	const char	*f[3] = { "sms", "+12015550123", "" };
	const char	*why;
	char		*url, *t;

	setup();
	ck_assert_int_eq(pf_optout_link(&cfg, &keys, "a@example.com", NULL, NOW,
	    &url, &why), PF_OK);
	other = keys;
	other.token[0] ^= 1;
	ck_assert_int_eq(pf_optout_check(&other, token_of(url), NOW, &tok),
	    PF_EFORGED);
	free(url);
	/* Genuine tokens of another purpose, or another channel, are not links. */
	ck_assert_int_eq(pf_token_make(keys.token, "verify", NOW + 60, f, 3, &t),
	    PF_OK);
	ck_assert_int_eq(pf_optout_check(&keys, t, NOW, &tok), PF_EFORGED);
	free(t);
	ck_assert_int_eq(pf_token_make(keys.token, "unsub", NOW + 60, f, 3, &t),
	    PF_OK);
	ck_assert_int_eq(pf_optout_check(&keys, t, NOW, &tok), PF_EFORGED);
	ck_assert_uint_eq(tok.nfields, 0);
	free(t);
}
END_TEST

/* Each text of t, typed for channel, is masked as its want. */
static void
masks_are(const char *channel, const struct pf_test_case *t, size_t n)
{
	size_t	 i;
	char	*m;

	for (i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(m = pf_optout_mask(channel, t[i].in));
		ck_assert_str_eq(m, t[i].want);
		free(m);
	}
}

START_TEST(test_mask_keeps_little_of_what_was_typed)
{
	static const struct pf_test_case email[] = {
		{ "jane.doe@example.com", "j\u2026@example.com" },
		{ "j@example.com", "j\u2026@example.com" },
		{ "@example.com", "\u2026" },
		{ "nobody", "\u2026" },
	};
	static const struct pf_test_case sms[] = {
		{ "+13037492110", "\u20262110" },
		{ "+12", "\u2026" },
	};

	masks_are("email", email, nitems(email));
	masks_are("sms", sms, nitems(sms));
}
END_TEST

START_TEST(test_done_token_carries_the_masked_address_for_an_hour)
{
	struct pf_keys	 other;
	struct pf_token	 tok;
	char		*t;

	setup();
	ck_assert_int_eq(pf_optout_done_make(&keys, "email",
	    "jane.doe@example.com", 1, NOW, &t), PF_OK);
	ck_assert_ptr_null(strstr(t, "jane"));
	ck_assert_int_eq(pf_optout_done_check(&keys, t, NOW, &tok), PF_OK);
	ck_assert_uint_eq(tok.nfields, 4);
	ck_assert_str_eq(tok.fields[0], "email");
	ck_assert_str_eq(tok.fields[1], "j\u2026@example.com");
	ck_assert_str_eq(tok.fields[2], "yes");
	ck_assert_str_eq(tok.fields[3], pf_lang_current());
	pf_token_clear(&tok);
	ck_assert_int_eq(pf_optout_done_check(&keys, t, NOW +
	    PF_OPTOUT_DONE_SECONDS + 1, &tok), PF_EEXPIRED);
	other = keys;
	other.token[0] ^= 1;
	ck_assert_int_eq(pf_optout_done_check(&other, t, NOW, &tok), PF_EFORGED);
	/* Nor is a one-click link a done token, or the other way round. */
	ck_assert_int_eq(pf_optout_check(&keys, t, NOW, &tok), PF_EFORGED);
	free(t);
	ck_assert_int_eq(pf_optout_done_make(&keys, "sms", "+13037492110", 0,
	    NOW, &t), PF_OK);
	ck_assert_int_eq(pf_optout_done_check(&keys, t, NOW, &tok), PF_OK);
	ck_assert_str_eq(tok.fields[1], "\u20262110");
	ck_assert_str_eq(tok.fields[2], "no");
	pf_token_clear(&tok);
	free(t);
}
END_TEST

/* One-click links and done pages open in the language they were made in. */
START_TEST(test_tokens_carry_their_language)
{
	const char	*f[] = { "email", "a@example.com", "" };
	struct pf_token	 tok;
	const char	*why = NULL;
	char		*url = NULL, *t = NULL;

	setup();
	pf_test_offer("en de fr pt-BR");
	ck_assert_int_eq(pf_lang_use("pt-BR"), PF_OK);
	ck_assert_int_eq(pf_optout_link(&cfg, &keys, "a@example.com", NULL,
	    NOW, &url, &why), PF_OK);
	ck_assert_int_eq(pf_optout_done_make(&keys, "email", "a@example.com",
	    1, NOW, &t), PF_OK);
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	ck_assert_int_eq(pf_optout_check(&keys, token_of(url), NOW, &tok),
	    PF_OK);
	ck_assert_str_eq(tok.fields[1], "a@example.com");
	ck_assert_str_eq(pf_lang_current(), "pt-BR");
	pf_token_clear(&tok);
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	ck_assert_int_eq(pf_optout_done_check(&keys, t, NOW, &tok), PF_OK);
	ck_assert_str_eq(pf_lang_current(), "pt-BR");
	pf_token_clear(&tok);
	free(t);
	/*
	 * Kept: a language the visitor chose, and the request's own for a
	 * link mailed before links had one.
	 */
	ck_assert_int_eq(pf_token_make(keys.token, "unsub", NOW + 60, f, 3,
	    &t), PF_OK);
	ck_assert_int_eq(pf_lang_choose("fr"), PF_OK);
	ck_assert(pf_optout_check(&keys, token_of(url), NOW, &tok) == PF_OK &&
	    strcmp(pf_lang_current(), "fr") == 0);
	pf_token_clear(&tok);
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	ck_assert(pf_optout_check(&keys, t, NOW, &tok) == PF_OK &&
	    strcmp(pf_lang_current(), "de") == 0);
	pf_token_clear(&tok);
	pf_lang_use(PF_LANG_SOURCE);
	free(t);
	free(url);
}
END_TEST

PF_TEST_MAIN("optout",
    tcase_add_test(tc, test_tokens_carry_their_language),
    tcase_add_test(tc, test_link_carries_normalised_address_and_list),
    tcase_add_test(tc, test_no_list_means_every_list),
    tcase_add_test(tc, test_link_expires_after_the_configured_days),
    tcase_add_test(tc, test_bad_address_or_list_refused_with_reason),
    tcase_add_test(tc, test_other_key_or_purpose_is_forged),
    tcase_add_test(tc, test_mask_keeps_little_of_what_was_typed),
    tcase_add_test(tc, test_done_token_carries_the_masked_address_for_an_hour))
