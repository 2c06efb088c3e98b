/*
 * test_forms.c -- the table of forms (forms.h): the names that reach the
 * outside stay as sites and their data know them, each is one form's
 * only, and privforms.conf has exactly the guard keys each form's flags
 * say, under its config prefix.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "config.h"
#include "err.h"
#include "forms.h"
#include "nitems.h"

/*
 * What URLs, audit records, trap counts, rate buckets, challenge keys and
 * privforms.conf already say: written out here, not read from the table.
 */
static const struct pf_form_def want[PF_GUARD__MAX] = {
	[PF_GUARD_UNSUBSCRIBE] = { "unsubscribe", "/unsubscribe",
	    "unsubscribe", "unsubscribe", "unsubscribe",
	    PF_FORM_CHALLENGE | PF_FORM_MAILS },
	[PF_GUARD_DNC] = { "do-not-call", "/do-not-call", "do-not-call",
	    "do-not-call", "dnc", PF_FORM_CHALLENGE | PF_FORM_MAILS },
	[PF_GUARD_REQUEST] = { "data-request", "/request", "data-request",
	    "request", "request", PF_FORM_CHALLENGE | PF_FORM_MAILS },
	[PF_GUARD_FEEDBACK] = { "feedback", "/feedback", "feedback",
	    "feedback", "feedback", PF_FORM_CHALLENGE },
	[PF_GUARD_VOTE] = { "feedback", "/feedback/article", "feedback",
	    "vote", "vote", 0 },
	[PF_GUARD_CONSENT] = { "consent", "/consent", "consent", "consent",
	    "consent", PF_FORM_QUICK },
	[PF_GUARD_OPTOUT] = { "opt-out", "/opt-out", "consent", "opt-out",
	    "optout", PF_FORM_QUICK | PF_FORM_MAILS },
	[PF_GUARD_PREFERENCES] = { "preferences", "/preferences",
	    "preferences", "preferences", "preferences",
	    PF_FORM_CHALLENGE | PF_FORM_MAILS },
};

START_TEST(test_outside_names_are_unchanged)
{
	size_t	 i;

	for (i = 0; i < PF_GUARD__MAX; i++) {
		ck_assert_str_eq(pf_forms[i].program, want[i].program);
		ck_assert_str_eq(pf_forms[i].path, want[i].path);
		ck_assert_str_eq(pf_forms[i].audit, want[i].audit);
		ck_assert_str_eq(pf_forms[i].guard, want[i].guard);
		ck_assert_str_eq(pf_forms[i].config, want[i].config);
		ck_assert_uint_eq(pf_forms[i].flags, want[i].flags);
	}
}
END_TEST

START_TEST(test_each_form_has_names_of_its_own)
{
	size_t	 i, j;

	for (i = 0; i < PF_GUARD__MAX; i++)
		for (j = i + 1; j < PF_GUARD__MAX; j++) {
			ck_assert_str_ne(pf_forms[i].path, pf_forms[j].path);
			ck_assert_str_ne(pf_forms[i].guard, pf_forms[j].guard);
			ck_assert_str_ne(pf_forms[i].config,
			    pf_forms[j].config);
		}
}
END_TEST

/* Parse text as privforms.conf: PF_OK with *cfg, or the error's text. */
static int
parse(const char *text, struct pf_config **cfg, char err[256])
{
	err[0] = '\0';
	return pf_config_parse(text, strlen(text), "t.conf", "/tmp", cfg, err,
	    256);
}

/*
 * Which guard keys a form has: the rate and proof keys, each with a value
 * and the member it must land in, and the flag it needs (0: every form).
 */
static const struct {
	const char	*suffix, *value;
	unsigned	 needs;
	size_t		 off;
} guard_keys[] = {
	{ "limit", "7/minute", 0, offsetof(struct pf_guard_conf, limit) },
	{ "limit_ipv6_48", "7/minute", 0,
	    offsetof(struct pf_guard_conf, limit_wide) },
	{ "limit_nojs", "7/minute", PF_FORM_CHALLENGE,
	    offsetof(struct pf_guard_conf, limit_nojs) },
	{ "limit_address", "7/minute", PF_FORM_MAILS,
	    offsetof(struct pf_guard_conf, limit_address) },
	{ "pow", "7000", PF_FORM_CHALLENGE, 0 },
	{ "without_js", "refuse", PF_FORM_CHALLENGE, 0 },
};

/* The value key k set in form f's settings, as parse read it. */
static void
lands(const struct pf_config *cfg, size_t f, size_t k)
{
	const struct pf_guard_conf	*g = &cfg->guard[f];
	const struct pf_rate		*r;

	if (strcmp(guard_keys[k].suffix, "pow") == 0)
		ck_assert_int_eq(g->pow, 7000);
	else if (strcmp(guard_keys[k].suffix, "without_js") == 0)
		ck_assert_int_eq(g->refuse_nojs, 1);
	else {
		r = (const struct pf_rate *)((const char *)g +
		    guard_keys[k].off);
		ck_assert_int_eq(r->count, 7);
		ck_assert_int_eq(r->seconds, 60);
	}
}

START_TEST(test_guard_keys_follow_the_table)
{
	struct pf_config	*cfg;
	char			 line[128], err[256], msg[160];
	size_t			 f, k;
	int			 has;

	for (f = 0; f < PF_GUARD__MAX; f++)
		for (k = 0; k < nitems(guard_keys);
		    k++) {
			has = (pf_forms[f].flags & guard_keys[k].needs) ==
			    guard_keys[k].needs;
			snprintf(line, sizeof(line), "%s_%s = %s\n",
			    pf_forms[f].config, guard_keys[k].suffix,
			    guard_keys[k].value);
			cfg = NULL;
			ck_assert_msg((parse(line, &cfg, err) == PF_OK) == has,
			    "%s: %s", line, err);
			if (has)
				lands(cfg, f, k);
			else {
				snprintf(msg, sizeof(msg), "t.conf:1: unknown "
				    "key '%s_%s'", pf_forms[f].config,
				    guard_keys[k].suffix);
				ck_assert_str_eq(err, msg);
			}
			pf_config_free(cfg);
		}
}
END_TEST

START_TEST(test_guard_keys_are_whole_names)
{
	static const char *const bad[] = {
		"dnc_limitx", "dnclimit", "dnc_", "dnc", "_limit", "limit",
		"do-not-call_limit", "dnc_dnc_limit", "DNC_limit",
		"request_limit_", "unsubscribe_limit_address_x",
	};
	struct pf_config	*cfg = NULL;
	char			 line[128], err[256], msg[160];
	size_t			 i;

	for (i = 0; i < nitems(bad); i++) {
		snprintf(line, sizeof(line), "%s = off\n", bad[i]);
		ck_assert_int_eq(parse(line, &cfg, err), PF_ECONFIG);
		snprintf(msg, sizeof(msg), "t.conf:1: unknown key '%s'", bad[i]);
		ck_assert_str_eq(err, msg);
	}
}
END_TEST

PF_TEST_MAIN("forms",
    tcase_add_test(tc, test_outside_names_are_unchanged),
    tcase_add_test(tc, test_each_form_has_names_of_its_own),
    tcase_add_test(tc, test_guard_keys_follow_the_table),
    tcase_add_test(tc, test_guard_keys_are_whole_names))
