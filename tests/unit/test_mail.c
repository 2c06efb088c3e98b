/* test_mail.c -- the outbox, templates and message format (mail.h). */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "check_main.h"
#include "fixture.h"
#include "err.h"
#include "lang.h"
#include "mail.h"
#include "nitems.h"
#include "store.h"
#include "utf8.h"

/* Run from the top of the source tree, as `make check` does. */
#ifndef MAIL_TEMPLATES
#define MAIL_TEMPLATES "etc/mail"
#endif

/* ---- enqueue ---- */

static const char *const some_values[] = { "channel", "email marketing",
    "site", "https://example.com/privacy/", NULL };

/* The loaded message id, via the stored row. */
static int
load_row(const struct pf_outbox_row *r, void *arg)
{
	struct pf_mail	*m = arg;

	ck_assert_str_eq(r->state, "queued");
	ck_assert_int_eq(r->attempts, 0);
	ck_assert_str_eq(r->next_try, r->created);
	return pf_mail_load(r, m);
}

static int
copy_vals(const struct pf_outbox_row *r, void *arg)
{
	snprintf(arg, 512, "%s|%s|%s|%s", r->template, r->recipient, r->vals,
	    r->subject != NULL ? r->subject : "(null)");
	return 0;
}

START_TEST(test_enqueue_stores_normalised_strictly_encoded_row)
{
	static const char *const v[] = {
		"plain", "AZaz09._~-",
		"odd", "a b&c=d+e%f/g?h#i",
		"multi_line", "line 1\nline 2\ttab",
		"utf8", "M\xc3\xbcller \xf0\x9f\x99\x82",
		"empty", "",
		NULL,
	};
	struct pf_mail	 m = { 0 };
	char		 row[512];
	long long	 id = 0;
	size_t		 i;

	ck_assert_int_eq(pf_mail_enqueue(fx.st, "unsubscribed",
	    "Jane.Doe@Example.COM", v, "c0ffee", &id), PF_OK);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(pf_store_outbox_get(fx.st, id, copy_vals, row), PF_OK);
	ck_assert_str_eq(row, "unsubscribed|Jane.Doe@example.com|"
	    "plain=AZaz09._~-&"
	    "odd=a%20b%26c%3Dd%2Be%25f%2Fg%3Fh%23i&"
	    "multi_line=line%201%0Aline%202%09tab&"
	    "utf8=M%C3%BCller%20%F0%9F%99%82&"
	    "empty=|c0ffee");
	ck_assert_int_eq(pf_store_outbox_get(fx.st, id, load_row, &m), PF_OK);
	ck_assert_int_eq(m.id, id);
	ck_assert_str_eq(m.template, "unsubscribed");
	ck_assert_str_eq(m.to, "Jane.Doe@example.com");
	ck_assert_str_eq(m.subject, "c0ffee");
	for (i = 0; v[i] != NULL; i++)
		ck_assert_str_eq(m.values[i], v[i]);
	ck_assert_ptr_null(m.values[i]);
	pf_mail_clear(&m);
}
END_TEST

START_TEST(test_enqueue_without_values_or_subject)
{
	struct pf_mail	 m = { 0 };
	long long	 id = 0;

	ck_assert_int_eq(pf_mail_enqueue(fx.st, "privacy-team",
	    "team@example.com", NULL, NULL, &id), PF_OK);
	ck_assert_int_eq(pf_store_outbox_get(fx.st, id, load_row, &m), PF_OK);
	ck_assert_ptr_null(m.subject);
	ck_assert_ptr_null(m.values[0]);
	pf_mail_clear(&m);
	ck_assert_int_eq(pf_mail_enqueue(fx.st, "privacy-team",
	    "team@example.com", some_values, NULL, NULL), PF_OK);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 2);
}
END_TEST

static const char *const bad_recipients[] = {
	"", "a", "a@example", "@example.com", "a@", "a@@example.com",
	"a@example.com\r\nBcc: x@example.com",
	"a@example.com\nBcc: x@example.com",
	"a@example.com\rBcc: x@example.com",
	"a@example.com\r\n", "a@example.com\n", "\na@example.com",
	"a@exa\r\nmple.com", "a\r\n@example.com",
	"a@example.com%0d%0aBcc:x@example.com",
	"a@example.com,b@example.com", "a@example.com b@example.com",
	"<a@example.com>", "Jane <a@example.com>", "a@example.com>",
	" a@example.com", "a@example.com ", "a@example.com\t",
	"a@example.com\x7f", "\xc3\xa4@example.com", "a@\xc3\xa4.example",
	"a@[192.0.2.1]", "\"a b\"@example.com", "a..b@example.com",
};

START_TEST(test_enqueue_refuses_bad_recipient)
{
	long long	 id = -1;

	ck_assert_msg(pf_mail_enqueue(fx.st, "unsubscribed", bad_recipients[_i],
	    some_values, NULL, &id) == PF_EINVAL, "accepted %s",
	    bad_recipients[_i]);
	ck_assert_int_eq(id, -1);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 0);
}
END_TEST

START_TEST(test_enqueue_refuses_null_recipient)
{
	ck_assert_int_eq(pf_mail_enqueue(fx.st, "unsubscribed", NULL,
	    some_values, NULL, NULL), PF_EINVAL);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 0);
}
END_TEST

/* 64 characters: the longest template and value name. */
#define NAME64 "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01"

static const char *const bad_templates[] = {
	"", "Unsubscribed", "../unsubscribed", "a/b", "/etc/passwd",
	"unsubscribed.txt", "un subscribed", "unsubscribed\n", "un_subscribed",
	"\xc3\xa4", NAME64 "2",
};

START_TEST(test_enqueue_refuses_bad_template_name)
{
	ck_assert_int_eq(pf_mail_enqueue(fx.st, bad_templates[_i],
	    "a@example.com", some_values, NULL, NULL), PF_EINVAL);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 0);
}
END_TEST

START_TEST(test_enqueue_template_name_limits)
{
	ck_assert_int_eq(pf_mail_enqueue(fx.st, NAME64, "a@example.com", NULL,
	    NULL, NULL), PF_OK);
	ck_assert_int_eq(pf_mail_enqueue(fx.st, "a-1", "a@example.com", NULL,
	    NULL, NULL), PF_OK);
	ck_assert_int_eq(pf_mail_enqueue(fx.st, NULL, "a@example.com", NULL,
	    NULL, NULL), PF_EINVAL);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 2);
}
END_TEST

static const char *const bad_names[] = {
	"", "1a", "A", "Name", "a-b", "a b", "_a", "a\n", "a=b", "a&b",
	"\xc3\xa4", NAME64 "2",
};

START_TEST(test_enqueue_refuses_bad_value_name)
{
	const char	*v[] = { "ok", "1", bad_names[_i], "x", NULL };

	ck_assert_int_eq(pf_mail_enqueue(fx.st, "unsubscribed", "a@example.com",
	    v, NULL, NULL), PF_EINVAL);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 0);
}
END_TEST

static const char *const bad_values[] = {
	"a\rb", "a\r\nBcc: x@example.com", "\x01", "a\x7f", "\x1b[0m",
	"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xc2\x85", "\xef\xbf\xbe",
	"caf\xc3",
};

START_TEST(test_enqueue_refuses_bad_value)
{
	const char	*v[] = { "ok", "1", "bad", bad_values[_i], NULL };

	ck_assert_int_eq(pf_mail_enqueue(fx.st, "unsubscribed", "a@example.com",
	    v, NULL, NULL), PF_EINVAL);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 0);
}
END_TEST

START_TEST(test_enqueue_refuses_repeated_name_and_odd_list)
{
	const char	*rep[] = { "a", "1", "b", "2", "a", "3", NULL };
	const char	*odd[] = { "a", "1", "b", NULL };

	ck_assert_int_eq(pf_mail_enqueue(fx.st, "t", "a@example.com", rep, NULL,
	    NULL), PF_EINVAL);
	ck_assert_int_eq(pf_mail_enqueue(fx.st, "t", "a@example.com", odd, NULL,
	    NULL), PF_EINVAL);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 0);
}
END_TEST

START_TEST(test_enqueue_refuses_subject_with_control)
{
	ck_assert_int_eq(pf_mail_enqueue(fx.st, "t", "a@example.com", NULL,
	    "c0ffee\nx", NULL), PF_EINVAL);
	ck_assert_int_eq(pf_mail_enqueue(fx.st, "t", "a@example.com", NULL,
	    "\xff", NULL), PF_EINVAL);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 0);
}
END_TEST

/* PF_MAIL_MAX_VALUES pairs pass, one more does not. */
START_TEST(test_enqueue_value_count_limit)
{
	static char	 names[PF_MAIL_MAX_VALUES + 1][8];
	const char	*v[2 * (PF_MAIL_MAX_VALUES + 1) + 1];
	struct pf_mail	 m = { 0 };
	long long	 id = 0;
	size_t		 i;

	for (i = 0; i <= PF_MAIL_MAX_VALUES; i++) {
		snprintf(names[i], sizeof(names[i]), "v%zu", i);
		v[2 * i] = names[i];
		v[2 * i + 1] = "x";
	}
	v[2 * PF_MAIL_MAX_VALUES] = NULL;
	ck_assert_int_eq(pf_mail_enqueue(fx.st, "t", "a@example.com", v, NULL,
	    &id), PF_OK);
	ck_assert_int_eq(pf_store_outbox_get(fx.st, id, load_row, &m), PF_OK);
	ck_assert_str_eq(m.values[2 * PF_MAIL_MAX_VALUES - 2], "v15");
	ck_assert_ptr_null(m.values[2 * PF_MAIL_MAX_VALUES]);
	pf_mail_clear(&m);
	v[2 * PF_MAIL_MAX_VALUES] = names[PF_MAIL_MAX_VALUES];
	v[2 * PF_MAIL_MAX_VALUES + 2] = NULL;
	ck_assert_int_eq(pf_mail_enqueue(fx.st, "t", "a@example.com", v, NULL,
	    NULL), PF_EINVAL);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 1);
}
END_TEST

/*
 * Every printable ASCII character, encoded unless RFC 3986 leaves it
 * unreserved: runs of both kinds, at the start, the end and between.
 */
START_TEST(test_enqueue_encodes_every_printable_character)
{
	static const char *const v[] = {
		"ascii", " !\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~",
		"ends", "~a b~",
		NULL,
	};
	char		 row[512];
	long long	 id = 0;

	ck_assert_int_eq(pf_mail_enqueue(fx.st, "t", "a@example.com", v, NULL,
	    &id), PF_OK);
	ck_assert_int_eq(pf_store_outbox_get(fx.st, id, copy_vals, row), PF_OK);
	ck_assert_str_eq(row, "t|a@example.com|"
	    "ascii=%20%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F0123456789"
	    "%3A%3B%3C%3D%3E%3F%40AZ%5B%5C%5D%5E_%60az%7B%7C%7D~&"
	    "ends=~a%20b~|(null)");
}
END_TEST

/* A value of PF_MAIL_MAX_VALUE bytes (all percent-encoded) comes back whole. */
START_TEST(test_enqueue_value_length_limit)
{
	struct pf_mail	 m = { 0 };
	const char	*v[] = { NAME64, NULL, NULL };
	char		*big;
	long long	 id = 0;

	ck_assert_ptr_nonnull(big = malloc(PF_MAIL_MAX_VALUE + 2));
	memset(big, '&', PF_MAIL_MAX_VALUE + 1);
	big[PF_MAIL_MAX_VALUE] = '\0';
	v[1] = big;
	ck_assert_int_eq(pf_mail_enqueue(fx.st, "t", "a@example.com", v, NULL,
	    &id), PF_OK);
	ck_assert_int_eq(pf_store_outbox_get(fx.st, id, load_row, &m), PF_OK);
	ck_assert_str_eq(m.values[1], big);
	pf_mail_clear(&m);
	big[PF_MAIL_MAX_VALUE] = '&';
	big[PF_MAIL_MAX_VALUE + 1] = '\0';
	ck_assert_int_eq(pf_mail_enqueue(fx.st, "t", "a@example.com", v, NULL,
	    NULL), PF_EINVAL);
	free(big);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 1);
}
END_TEST

START_TEST(test_enqueue_is_part_of_the_callers_transaction)
{
	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_mail_enqueue(fx.st, "unsubscribed", "a@example.com",
	    some_values, NULL, NULL), PF_OK);
	pf_store_rollback(fx.st);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 0);
	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_mail_enqueue(fx.st, "unsubscribed", "a@example.com",
	    some_values, NULL, NULL), PF_OK);
	ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 1);
}
END_TEST

static const char *const bad_vals[] = {
	"a=%zz", "a=%4", "A=1", "1a=1", "a=1&a=2", "a=%0D", "a=%00",
	"a=%FF", "%00=1", "a%0A=1",
	"v0=&v1=&v2=&v3=&v4=&v5=&v6=&v7=&v8=&v9=&v10=&v11=&v12=&v13=&v14="
	"&v15=&v16=",
};

START_TEST(test_load_refuses_malformed_values)
{
	struct pf_outbox_row	 r = { 7, "t", "a@example.com", bad_vals[_i],
	    "c0ffee", "sending", 2, "x", NULL, "x", "x", "en" };
	struct pf_mail		 m, zero;

	memset(&m, 0xa5, sizeof(m));
	memset(&zero, 0, sizeof(zero));
	ck_assert_msg(pf_mail_load(&r, &m) == PF_EINVAL, "accepted %s",
	    bad_vals[_i]);
	ck_assert_int_eq(memcmp(&m, &zero, sizeof(m)), 0);
	pf_mail_clear(&m);
}
END_TEST

START_TEST(test_load_decodes_plus_and_copies_row)
{
	struct pf_outbox_row	 r = { 7, "t", "a@example.com", "a=1+2&b&c=",
	    NULL, "sending", 2, "x", NULL, "x", "x", "ja" };
	struct pf_mail		 m;

	ck_assert_int_eq(pf_mail_load(&r, &m), PF_OK);
	ck_assert_int_eq(m.id, 7);
	ck_assert_int_eq(m.attempts, 2);
	ck_assert_ptr_null(m.subject);
	ck_assert_str_eq(m.lang, "ja");
	ck_assert_str_eq(m.values[0], "a");
	ck_assert_str_eq(m.values[1], "1 2");
	ck_assert_str_eq(m.values[3], "");
	ck_assert_str_eq(m.values[5], "");
	ck_assert_ptr_null(m.values[6]);
	pf_mail_clear(&m);
	pf_mail_clear(&m);	/* cleared: a second clear is harmless */
	pf_mail_clear(NULL);
}
END_TEST

START_TEST(test_load_shows_bidi_controls_as_replacement_characters)
{
	/* Queued before the forms refused them: "Ada" RLO "x", and an RLM. */
	struct pf_outbox_row	 r = { 7, "t", "a@example.com",
	    "name=Ada%E2%80%AEx&note=%D7%A9%E2%80%8F", NULL, "sending", 0, "x",
	    NULL, "x", "x", NULL };
	struct pf_mail		 m;

	ck_assert_int_eq(pf_mail_load(&r, &m), PF_OK);
	ck_assert_ptr_null(m.lang);
	ck_assert_str_eq(m.values[1], "Ada\xef\xbf\xbdx");
	ck_assert_str_eq(m.values[3], "\xd7\xa9\xe2\x80\x8f");
	pf_mail_clear(&m);
}
END_TEST

/* ---- render ---- */

static void
write_file(const char *name, const char *text, size_t len)
{
	char	 p[PF_TEST_PATH];

	pf_test_path(p, sizeof(p), name);
	pf_test_write(p, text, len);
}

static void
write_template(const char *text)
{
	write_file("t.txt", text, strlen(text));
}

/* A message for template "t" with values v (name, value, ..., NULL). */
static struct pf_mail
mail_t(const char *const *v)
{
	struct pf_mail	 m = { 0 };
	size_t		 i;

	m.template = (char *)"t";
	m.to = (char *)"a@example.com";
	for (i = 0; v != NULL && v[i] != NULL; i++)
		m.values[i] = (char *)v[i];
	return m;
}

static int
render(const char *const *v, char **subject, char **body)
{
	struct pf_mail	 m = mail_t(v);

	return pf_mail_render(fx.dir, &m, subject, body);
}

/* Rendering m from dir is refused with want, and gives nothing. */
static void
render_refused(const char *dir, const struct pf_mail *m, int want)
{
	char	*s = (char *)1, *b = (char *)1;

	ck_assert_int_eq(pf_mail_render(dir, m, &s, &b), want);
	ck_assert_ptr_null(s);
	ck_assert_ptr_null(b);
}

START_TEST(test_render_substitutes_placeholders)
{
	const char	*v[] = { "name", "Jane", "list_text", "the {{name}} list",
	    "notes", "first\nsecond", "n2", "", NULL };
	char		*s = NULL, *b = NULL;

	write_template("Subject: Hello {{name}}, about {{list_text}}\n"
	    "\n"
	    "Dear {{name}},\n{{notes}}\n{{n2}}{{name}}{{name}}\n"
	    "Braces alone { } }} stay.\n");
	ck_assert_int_eq(render(v, &s, &b), PF_OK);
	/* A value is inserted as it is, never expanded again. */
	ck_assert_str_eq(s, "Hello Jane, about the {{name}} list");
	ck_assert_str_eq(b, "Dear Jane,\nfirst\nsecond\nJaneJane\n"
	    "Braces alone { } }} stay.\n");
	free(s);
	free(b);
}
END_TEST

static const char *const bad_placeholders[] = {
	"Subject: Hi\n\n{{nope}}\n",
	"Subject: Hi {{nope}}\n\nbody\n",
	"Subject: Hi\n\n{{ name }}\n",
	"Subject: Hi\n\n{{Name}}\n",
	"Subject: Hi\n\n{{name\n",
	"Subject: Hi\n\n{{}}\n",
	"Subject: Hi\n\n{{na-me}}\n",
	"Subject: Hi {{name\n\nbody\n",
	"Subject: Hi\n\n{{{name}}}\n",
};

START_TEST(test_render_refuses_unknown_or_malformed_placeholder)
{
	const char	*v[] = { "name", "Jane", NULL };
	struct pf_mail	 m = mail_t(v);

	write_template(bad_placeholders[_i]);
	render_refused(fx.dir, &m, PF_EINVAL);
}
END_TEST

/* Templates as editors save them, and what they render to. */
static const struct {
	const char	*what, *text, *subject, *body;
} saved[] = {
	{ "CRLF lines give LF",
	    "Subject: Hi\r\n\r\nLine 1\r\nLine 2\r\n\r\nEnd\r\n",
	    "Hi", "Line 1\nLine 2\n\nEnd\n" },
	{ "a byte order mark is dropped",
	    "\xef\xbb\xbfSubject: Hi\n\nBody\n", "Hi", "Body\n" },
};

START_TEST(test_render_reads_templates_as_editors_save_them)
{
	char	*s = NULL, *b = NULL;

	write_template(saved[_i].text);
	ck_assert_msg(render(NULL, &s, &b) == PF_OK, "%s", saved[_i].what);
	ck_assert_str_eq(s, saved[_i].subject);
	ck_assert_str_eq(b, saved[_i].body);
	free(s);
	free(b);
}
END_TEST

START_TEST(test_render_missing_template_not_found)
{
	struct pf_mail	 m = mail_t(NULL);

	render_refused(fx.dir, &m, PF_ENOTFOUND);
	render_refused("/nonexistent/mail", &m, PF_ENOTFOUND);
}
END_TEST

START_TEST(test_render_refuses_bad_template_name)
{
	struct pf_mail	 m = mail_t(NULL);

	/* Even a name that would find a file is refused. */
	write_template("Subject: Hi\n\nBody\n");
	write_file("T.txt", "Subject: Hi\n\nBody\n", 18);
	m.template = (char *)bad_templates[_i];
	render_refused(fx.dir, &m, PF_EINVAL);
}
END_TEST

#define T(s) { s, sizeof(s) - 1 }

static const struct {
	const char	*text;
	size_t		 len;
} malformed[] = {
	T(""),
	T("Hi\n\nBody\n"),
	T("subject: Hi\n\nBody\n"),
	T("Subject:Hi\n\nBody\n"),
	T("Subject: \n\nBody\n"),
	T("Subject: Hi\nBody\n"),
	T("Subject: Hi"),
	T("Subject: Hi\n"),
	T("Subject: Hi\n \nBody\n"),
	T("Subject: Hi\n\nBo\xffy\n"),
	T("Subject: H\xc3\n\nBody\n"),
	T("Subject: Hi\n\nBo\0dy\n"),
	T("Subject: Hi\n\nBo\x01y\n"),
	T("Subject: Hi\n\nBo\x7fy\n"),
	T("Subject: Hi\n\n\xed\xa0\x80\n"),
};

START_TEST(test_render_refuses_malformed_or_non_utf8_template)
{
	char	*s = NULL, *b = NULL;

	write_file("t.txt", malformed[_i].text, malformed[_i].len);
	ck_assert_msg(render(NULL, &s, &b) == PF_EINVAL, "accepted #%d", _i);
	ck_assert_ptr_null(s);
	ck_assert_ptr_null(b);
}
END_TEST

START_TEST(test_render_refuses_subject_value_with_newline)
{
	const char	*v[] = { "name", "Jane\nBcc: x@example.com", NULL };
	const char	*cr[] = { "name", "Jane\rBcc: x@example.com", NULL };
	char		*s = NULL, *b = NULL;

	write_template("Subject: Hello {{name}}\n\nBody\n");
	ck_assert_int_eq(render(v, &s, &b), PF_EINVAL);
	ck_assert_ptr_null(s);
	/* The same value in the body is just two lines of text. */
	write_template("Subject: Hello\n\n{{name}}\n");
	ck_assert_int_eq(render(v, &s, &b), PF_OK);
	ck_assert_str_eq(b, "Jane\nBcc: x@example.com\n");
	free(s);
	free(b);
	/* CR is refused even in the body. */
	ck_assert_int_eq(render(cr, &s, &b), PF_EINVAL);
}
END_TEST

START_TEST(test_render_template_size_limit)
{
	char	*text, *s = NULL, *b = NULL;
	size_t	 max = 64 * 1024;

	ck_assert_ptr_nonnull(text = malloc(max + 1));
	memcpy(text, "Subject: Hi\n\n", 13);
	memset(text + 13, 'x', max - 13);
	write_file("t.txt", text, max);
	ck_assert_int_eq(render(NULL, &s, &b), PF_OK);
	ck_assert_uint_eq(strlen(b), max - 13);
	free(s);
	free(b);
	text[max] = 'x';
	write_file("t.txt", text, max + 1);
	ck_assert_int_eq(render(NULL, &s, &b), PF_EINVAL);
	free(text);
}
END_TEST

/* ---- format ---- */

#define FROM	"Example Privacy <privacy@example.com>"

static char *
format(const struct pf_mail_headers *h, const char *body)
{
	char	*out = NULL;
	size_t	 len = 0;

	ck_assert_int_eq(pf_mail_format(h, body, &out, &len), PF_OK);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(strlen(out), len);
	return out;
}

/* Every line ends CRLF (no bare CR or LF) and is at most max long. */
static void
assert_lines(const char *msg, size_t max)
{
	const char	*p = msg, *nl;

	ck_assert_msg(strlen(msg) >= 2 &&
	    strcmp(msg + strlen(msg) - 2, "\r\n") == 0, "no final CRLF");
	while (*p != '\0') {
		ck_assert_ptr_nonnull(nl = strstr(p, "\r\n"));
		ck_assert_msg(memchr(p, '\n', (size_t)(nl - p)) == NULL &&
		    memchr(p, '\r', (size_t)(nl - p)) == NULL, "bare CR or LF");
		ck_assert_msg((size_t)(nl - p) <= max, "line of %zu: %.*s",
		    (size_t)(nl - p), (int)(nl - p), p);
		p = nl + 2;
	}
}

/* The fields every message ends its header with, in order. */
#define FIXED	"MIME-Version,Content-Type,Content-Transfer-Encoding," \
		"Auto-Submitted,"

/* The header block's field names, in order and comma-terminated, are want. */
static void
names_are(const char *msg, const char *want)
{
	const char	*p = msg;
	char		 out[512];
	size_t		 n;

	out[0] = '\0';
	while (strncmp(p, "\r\n", 2) != 0) {
		if (*p != ' ') {
			n = strcspn(p, ":");
			snprintf(out + strlen(out), sizeof(out) - strlen(out),
			    "%.*s,", (int)n, p);
		}
		p = strstr(p, "\r\n") + 2;
	}
	ck_assert_str_eq(out, want);
}

/* Field name's unfolded value (CRLF removed), or NULL if absent. */
static char *
field(const char *msg, const char *name, char *out, size_t outlen)
{
	const char	*p = msg;
	size_t		 n = strlen(name), j = 0;

	while (strncmp(p, "\r\n", 2) != 0) {
		if (strncmp(p, name, n) == 0 && p[n] == ':') {
			for (p += n + 2; !(p[0] == '\r' && p[2] != ' '); p++)
				if (*p != '\r' && *p != '\n' && j + 1 < outlen)
					out[j++] = *p;
			out[j] = '\0';
			return out;
		}
		p = strstr(p, "\r\n") + 2;
	}
	return NULL;
}

/* Field name of msg is want. */
static void
field_is(const char *msg, const char *name, const char *want)
{
	char	 v[1024];

	ck_assert_ptr_nonnull(field(msg, name, v, sizeof(v)));
	ck_assert_str_eq(v, want);
}

static const char *
body_of(const char *msg)
{
	return strstr(msg, "\r\n\r\n") + 4;
}

START_TEST(test_format_exact_header_order_and_fixed_values)
{
	struct pf_mail_headers	 h = { FROM, "dpo@example.com",
	    "jane@example.com", "You are unsubscribed", NULL, NULL };
	char			*msg;

	msg = format(&h, "Hello\n");
	names_are(msg, "Date,Message-ID,From,Reply-To,To,Subject," FIXED);
	field_is(msg, "From", FROM);
	field_is(msg, "Reply-To", "dpo@example.com");
	field_is(msg, "To", "jane@example.com");
	field_is(msg, "Subject", "You are unsubscribed");
	field_is(msg, "MIME-Version", "1.0");
	field_is(msg, "Content-Type", "text/plain; charset=UTF-8");
	field_is(msg, "Content-Transfer-Encoding", "quoted-printable");
	field_is(msg, "Auto-Submitted", "auto-generated");
	ck_assert_str_eq(body_of(msg), "Hello\r\n");
	assert_lines(msg, 78);
	free(msg);
}
END_TEST

START_TEST(test_format_without_reply_to)
{
	struct pf_mail_headers	 h = { "privacy@example.com", NULL,
	    "jane@example.com", "Hi", NULL, NULL };
	char			*msg, v[256];

	msg = format(&h, "Hello\n");
	names_are(msg, "Date,Message-ID,From,To,Subject," FIXED);
	field_is(msg, "From", "privacy@example.com");
	free(msg);
	h.reply_to = "";
	msg = format(&h, "Hello\n");
	ck_assert_ptr_null(field(msg, "Reply-To", v, sizeof(v)));
	free(msg);
}
END_TEST

START_TEST(test_format_date_is_rfc5322_utc_now)
{
	static const char	 months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	static const char	 days[] = "SunMonTueWedThuFriSat";
	struct pf_mail_headers	 h = { FROM, NULL, "jane@example.com", "Hi",
	    NULL, NULL };
	struct tm		 tm = { 0 };
	char			*msg, v[128], wday[4], mon[4], zone[8], *m;
	time_t			 now = time(NULL), t;
	int			 n = 0;

	msg = format(&h, "x");
	ck_assert_ptr_nonnull(field(msg, "Date", v, sizeof(v)));
	ck_assert_int_eq(sscanf(v, "%3s, %d %3s %d %d:%d:%d %7s%n", wday,
	    &tm.tm_mday, mon, &tm.tm_year, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    zone, &n), 8);
	ck_assert_uint_eq((size_t)n, strlen(v));
	ck_assert_str_eq(zone, "+0000");
	ck_assert_ptr_nonnull(m = strstr(months, mon));
	tm.tm_mon = (int)(m - months) / 3;
	tm.tm_year -= 1900;
	t = timegm(&tm);
	ck_assert_msg(t >= now - 5 && t <= now + 5, "%s", v);
	gmtime_r(&t, &tm);
	ck_assert_int_eq(strncmp(days + 3 * tm.tm_wday, wday, 3), 0);
	free(msg);
}
END_TEST

/* 1 if s is "<" 32 lower-case hex digits "@" domain ">". */
static int
made_id(const char *s, const char *domain)
{
	size_t	 n = strlen(domain);

	return s[0] == '<' && strspn(s + 1, "0123456789abcdef") == 32 &&
	    s[33] == '@' && strncmp(s + 34, domain, n) == 0 &&
	    strcmp(s + 34 + n, ">") == 0;
}

START_TEST(test_format_message_ids)
{
	struct pf_mail_headers	 h = { "Privacy <privacy@Mail.Example.com>",
	    NULL, "jane@example.com", "Hi", NULL, NULL };
	char			*a, *b, va[128], vb[128];

	a = format(&h, "x");
	b = format(&h, "x");
	ck_assert_ptr_nonnull(field(a, "Message-ID", va, sizeof(va)));
	ck_assert_ptr_nonnull(field(b, "Message-ID", vb, sizeof(vb)));
	ck_assert_msg(made_id(va, "mail.example.com"), "%s", va);
	ck_assert_msg(made_id(vb, "mail.example.com"), "%s", vb);
	ck_assert_str_ne(va, vb);
	free(a);
	free(b);
	h.domain = "example.org";
	a = format(&h, "x");
	ck_assert_msg(made_id(field(a, "Message-ID", va, sizeof(va)),
	    "example.org"), "%s", va);
	free(a);
	h.message_id = "<given.1@example.net>";
	a = format(&h, "x");
	ck_assert_str_eq(field(a, "Message-ID", va, sizeof(va)),
	    "<given.1@example.net>");
	free(a);
}
END_TEST

START_TEST(test_format_refuses_malformed_message_id_or_domain)
{
	static const char *const ids[] = { "", "given@example.net",
	    "<given@example.net", "<a b@example.net>", "<>",
	    "<caf\xc3\xa9@example.net>" };
	static const char *const domains[] = { "exa mple.org", "example.org>",
	    "a@example.org", "ex\xc3\xa4mple.org" };
	struct pf_mail_headers	 h = { FROM, NULL, "jane@example.com", "Hi",
	    NULL, NULL };
	char			*out = (char *)1;
	size_t			 i, len;

	for (i = 0; i < nitems(ids); i++) {
		h.message_id = ids[i];
		ck_assert_msg(pf_mail_format(&h, "x", &out, &len) == PF_EINVAL,
		    "accepted %s", ids[i]);
		ck_assert_ptr_null(out);
	}
	h.message_id = NULL;
	for (i = 0; i < nitems(domains); i++) {
		h.domain = domains[i];
		ck_assert_msg(pf_mail_format(&h, "x", &out, &len) == PF_EINVAL,
		    "accepted %s", domains[i]);
	}
}
END_TEST

/*
 * Decode a field value made of RFC 2047 B encoded-words separated by
 * spaces, checking that each is at most 75 characters and holds whole
 * UTF-8 characters.  Returns the number of words.
 */
static int
ew_decode(const char *v, char *out, size_t outlen)
{
	unsigned char	 dec[128];
	const char	*w = v, *b64;
	size_t		 n, k, len = 0;
	int		 words = 0, d;

	out[0] = '\0';
	while (*w != '\0') {
		n = strcspn(w, " ");
		ck_assert_msg(n <= 75, "encoded-word of %zu: %.*s", n, (int)n, w);
		ck_assert_msg(n > 12 && strncmp(w, "=?UTF-8?B?", 10) == 0 &&
		    strncmp(w + n - 2, "?=", 2) == 0, "not encoded: %.*s",
		    (int)n, w);
		b64 = w + 10;
		k = n - 12;
		ck_assert_uint_eq(k % 4, 0);
		d = EVP_DecodeBlock(dec, (const unsigned char *)b64, (int)k);
		ck_assert_int_ge(d, 0);
		/* EVP_DecodeBlock counts the padding as zero bytes. */
		d -= (k > 0 && b64[k - 1] == '=') + (k > 1 && b64[k - 2] == '=');
		ck_assert_msg(pf_utf8_ok((char *)dec, (size_t)d, 0),
		    "character split in %.*s", (int)n, w);
		ck_assert_uint_lt(len + (size_t)d, outlen);
		memcpy(out + len, dec, (size_t)d);
		out[len += (size_t)d] = '\0';
		words++;
		w += n + (w[n] == ' ');
	}
	return words;
}

/* A subject, and the fewest encoded words it must take. */
static const struct pf_test_code subjects[] = {
	{ "Ihre Anfrage: L\xc3\xb6schung", 1 },
	{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d", 1 },
	{ "\xf0\x9f\x99\x82 ok", 1 },
	{ "caf\xc3\xa9", 1 },
	/* Looks like an encoded-word: must not be read as one. */
	{ "=?UTF-8?B?SGk=?=", 1 },
	/* Spaces a plain header would lose when unfolded or trimmed. */
	{ " leading", 1 },
	{ "double  space", 1 },
	{ "trailing ", 1 },
	/* 40 x "é" (80 bytes): two words at least. */
	{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 2 },
	/* 3-byte characters after one ASCII byte: no boundary at 42 or 45. */
	{ "x\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5"
	  "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5"
	  "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5"
	  "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5"
	  "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5", 2 },
	/* 4-byte characters after two ASCII bytes. */
	{ "ab\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82"
	  "\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82"
	  "\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82"
	  "\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82"
	  "\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82"
	  "\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82"
	  "\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82", 3 },
	/* A word longer than a line cannot be folded: encoded instead. */
	{ "see https://example.com/privacy/requests/0123456789abcdef0123456789"
	  "abcdef0123456789abcdef", 2 },
};

START_TEST(test_format_encoded_subject_round_trip)
{
	struct pf_mail_headers	 h = { FROM, NULL, "jane@example.com",
	    subjects[_i].in, NULL, NULL };
	char			*msg, v[2048], dec[1024];
	int			 words;

	msg = format(&h, "x");
	assert_lines(msg, 78);
	ck_assert_ptr_nonnull(field(msg, "Subject", v, sizeof(v)));
	words = ew_decode(v, dec, sizeof(dec));
	ck_assert_msg(words >= subjects[_i].want, "%d words", words);
	ck_assert_str_eq(dec, subjects[_i].in);
	free(msg);
}
END_TEST

START_TEST(test_format_long_ascii_subject_folded_at_spaces)
{
	const char		*subj = "New privacy request: access to personal "
	    "data, with a summary of the request and a link for the team to "
	    "review it in the admin tool";
	struct pf_mail_headers	 h = { FROM, NULL, "jane@example.com", subj,
	    NULL, NULL };
	char			*msg;

	msg = format(&h, "x");
	assert_lines(msg, 78);
	ck_assert_ptr_nonnull(strstr(msg, "\r\n request and"));
	field_is(msg, "Subject", subj);
	free(msg);
}
END_TEST

static const struct {
	const char	*from;
	const char	*name;	/* the display name, decoded; NULL if plain */
	const char	*field;	/* the field when written plainly */
} froms[] = {
	{ "privacy@example.com", NULL, "privacy@example.com" },
	{ "privacy@EXAMPLE.com", NULL, "privacy@example.com" },
	{ "<privacy@example.com>", NULL, "privacy@example.com" },
	{ "Privacy Team <privacy@example.com>", NULL,
	    "Privacy Team <privacy@example.com>" },
	{ "  Privacy   <privacy@example.com>", NULL,
	    "Privacy <privacy@example.com>" },
	{ "Datenschutz M\xc3\xbcller <dpo@example.de>", "Datenschutz M\xc3\xbcller",
	    NULL },
	{ "Example, Inc. <privacy@example.com>", "Example, Inc.", NULL },
	{ "=?UTF-8?B?SGk=?= <privacy@example.com>", "=?UTF-8?B?SGk=?=", NULL },
	{ "\xc3\x89quipe de la protection des donn\xc3\xa9""es personnelles "
	  "d'Exemple SARL <protection.des.donnees@exemple-sarl.example>",
	  "\xc3\x89quipe de la protection des donn\xc3\xa9""es personnelles "
	  "d'Exemple SARL", NULL },
};

/* A From or Reply-To field value written for froms[i]. */
static void
assert_mailbox_field(char *v, size_t i)
{
	char	 dec[256], *lt;

	ck_assert_ptr_nonnull(v);
	if (froms[i].name == NULL) {
		ck_assert_str_eq(v, froms[i].field);
		return;
	}
	/* Encoded-words, a space, then the address in angle brackets. */
	ck_assert_ptr_nonnull(lt = strrchr(v, '<'));
	ck_assert_int_eq(lt[-1], ' ');
	lt[-1] = '\0';
	ew_decode(v, dec, sizeof(dec));
	ck_assert_str_eq(dec, froms[i].name);
	ck_assert_str_eq(lt, strrchr(froms[i].from, '<'));
}

START_TEST(test_format_from_display_names)
{
	struct pf_mail_headers	 h = { froms[_i].from, froms[_i].from,
	    "jane@example.com", "Hi", NULL, NULL };
	char			*msg, v[512];

	msg = format(&h, "x");
	assert_lines(msg, 78);
	assert_mailbox_field(field(msg, "From", v, sizeof(v)), (size_t)_i);
	assert_mailbox_field(field(msg, "Reply-To", v, sizeof(v)), (size_t)_i);
	free(msg);
}
END_TEST

static const char *const header_injections[] = {
	"\r", "\n", "\r\n", "\t", "\x01", "\x7f", "\x1b",
	"\r\nBcc: victim@example.com", "\nBcc: victim@example.com",
	"\r\n\r\nInjected body",
};

/* Every header value with each control character is refused. */
START_TEST(test_format_refuses_control_characters_in_every_header)
{
	struct pf_mail_headers	 h;
	const char		**f[] = { &h.from, &h.reply_to, &h.to,
	    &h.subject, &h.message_id, &h.domain };
	const char		*good[] = { FROM, "dpo@example.com",
	    "jane@example.com", "Hi", "<a@example.com>", "example.com" };
	char			 bad[128], *out;
	size_t			 k, pos, len;

	for (k = 0; k < nitems(f); k++) {
		/* At the start, in the middle and at the end of the value. */
		for (pos = 0; pos < 3; pos++) {
			h = (struct pf_mail_headers){ FROM, "dpo@example.com",
			    "jane@example.com", "Hi", NULL, "example.com" };
			len = strlen(good[k]);
			snprintf(bad, sizeof(bad), "%.*s%s%s",
			    (int)(pos == 0 ? 0 : pos == 1 ? len / 2 : len),
			    good[k], header_injections[_i],
			    good[k] + (pos == 0 ? 0 : pos == 1 ? len / 2 : len));
			*f[k] = bad;
			out = (char *)1;
			ck_assert_msg(pf_mail_format(&h, "x", &out, &len) ==
			    PF_EINVAL, "field %zu accepted %s", k, bad);
			ck_assert_ptr_null(out);
		}
	}
}
END_TEST

static const char *const bad_mailboxes[] = {
	"", "jane", "jane@example", "jane@example.com, eve@example.com",
	"jane@example.com eve@example.com", "Jane <jane@example.com",
	"\"Jane\" <jane@example.com>", "Ja<ne <jane@example.com>",
	"jane@example.com\xc2\x85", "J\xffne <jane@example.com>",
	"Jane <jane@example.com>\r\nBcc: eve@example.com",
};

START_TEST(test_format_refuses_malformed_mailboxes)
{
	struct pf_mail_headers	 h = { FROM, NULL, "jane@example.com", "Hi",
	    NULL, NULL };
	char			*out;
	size_t			 len;

	h.to = bad_mailboxes[_i];
	ck_assert_int_eq(pf_mail_format(&h, "x", &out, &len), PF_EINVAL);
	h.to = "jane@example.com";
	h.from = bad_mailboxes[_i];
	ck_assert_int_eq(pf_mail_format(&h, "x", &out, &len), PF_EINVAL);
	h.from = FROM;
	h.reply_to = bad_mailboxes[_i];
	/* An empty Reply-To is none at all. */
	if (*bad_mailboxes[_i] != '\0')
		ck_assert_int_eq(pf_mail_format(&h, "x", &out, &len),
		    PF_EINVAL);
}
END_TEST

START_TEST(test_format_refuses_missing_headers_and_non_text_body)
{
	struct pf_mail_headers	 h = { FROM, NULL, "jane@example.com", "Hi",
	    NULL, NULL };
	char			*out;
	size_t			 len;

	ck_assert_int_eq(pf_mail_format(&h, "a\r\nb", &out, &len), PF_EINVAL);
	ck_assert_int_eq(pf_mail_format(&h, "\xff", &out, &len), PF_EINVAL);
	ck_assert_int_eq(pf_mail_format(&h, "a\x01", &out, &len), PF_EINVAL);
	ck_assert_int_eq(pf_mail_format(&h, NULL, &out, &len), PF_EINVAL);
	h.subject = "\xc3";
	ck_assert_int_eq(pf_mail_format(&h, "x", &out, &len), PF_EINVAL);
	h.subject = NULL;
	ck_assert_int_eq(pf_mail_format(&h, "x", &out, &len), PF_EINVAL);
	h.subject = "Hi";
	h.to = NULL;
	ck_assert_int_eq(pf_mail_format(&h, "x", &out, &len), PF_EINVAL);
	h.to = "jane@example.com";
	h.from = NULL;
	ck_assert_int_eq(pf_mail_format(&h, "x", &out, &len), PF_EINVAL);
}
END_TEST

#define A10 "aaaaaaaaaa"
#define A74 A10 A10 A10 A10 A10 A10 A10 "aaaa"

static const struct pf_test_case qp[] = {
	{ "", "" },
	{ "plain text\n", "plain text\r\n" },
	{ "no final newline", "no final newline\r\n" },
	{ "a=b\n", "a=3Db\r\n" },
	{ "caf\xc3\xa9\n", "caf=C3=A9\r\n" },
	{ "trailing space \n", "trailing space=20\r\n" },
	{ "trailing space at the end ", "trailing space at the end=20\r\n" },
	{ "inner  spaces stay\n", "inner  spaces stay\r\n" },
	{ "tab\there\t\n", "tab=09here=09\r\n" },
	{ "one\n\ntwo\n\n", "one\r\n\r\ntwo\r\n\r\n" },
	{ ".\n..\n", "=2E\r\n=2E.\r\n" },
	{ "From me\nSee From here\n", "=46rom me\r\nSee From here\r\n" },
	{ "{{x}} ~ ?_\n", "{{x}} ~ ?_\r\n" },
	/* 76 characters fit on a line; 77 need a soft break after 75. */
	{ A74 "aa\n", A74 "aa\r\n" },
	{ A74 "aaa\n", A74 "a=\r\naa\r\n" },
	{ A74 "aaa", A74 "a=\r\naa\r\n" },
	/* An encoded byte is never split by a soft break. */
	{ A74 "\xc3\xa9\n", A74 "=\r\n=C3=A9\r\n" },
	{ A74 "a=\n", A74 "a=\r\n=3D\r\n" },
	/* A space that ends up last before a soft break needs no encoding. */
	{ A74 "a b\n", A74 "a=\r\n b\r\n" },
	{ A74 " \n", A74 "=\r\n=20\r\n" },
	{ A10 A10 A10 A10 A10 A10 A10 "aaa \n",
	  A10 A10 A10 A10 A10 A10 A10 "aaa=20\r\n" },
};

START_TEST(test_format_quoted_printable_body)
{
	struct pf_mail_headers	 h = { FROM, NULL, "jane@example.com", "Hi",
	    NULL, NULL };
	char			*msg;

	msg = format(&h, qp[_i].in);
	ck_assert_str_eq(body_of(msg), qp[_i].want);
	free(msg);
}
END_TEST

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ?
	    c - 'A' + 10 : -1;
}

/* Decode a quoted-printable body (CRLF lines) into LF text. */
static void
qp_decode(const char *in, char *out, size_t outlen)
{
	size_t	 j = 0;

	while (*in != '\0') {
		ck_assert_uint_lt(j + 1, outlen);
		if (strncmp(in, "=\r\n", 3) == 0)
			in += 3;
		else if (strncmp(in, "\r\n", 2) == 0) {
			out[j++] = '\n';
			in += 2;
		} else if (*in == '=') {
			ck_assert_int_ge(hexval(in[1]), 0);
			ck_assert_int_ge(hexval(in[2]), 0);
			out[j++] = (char)(hexval(in[1]) << 4 | hexval(in[2]));
			in += 3;
		} else {
			ck_assert_msg(*in >= 0x20 && *in < 0x7f, "raw 0x%02x",
			    (unsigned char)*in);
			out[j++] = *in++;
		}
	}
	out[j] = '\0';
}

/* Long mixed lines: every line at most 76, and the body decodes back. */
START_TEST(test_format_quoted_printable_round_trip)
{
	struct pf_mail_headers	 h = { FROM, NULL, "jane@example.com", "Hi",
	    NULL, NULL };
	static const char *const pieces[] = { "a", " ", "=", "\xc3\xa9",
	    "\xe6\x97\xa5", "\xf0\x9f\x99\x82", "\t", ".", "\n", "From " };
	char			 body[4096], dec[4096], *msg, *b;
	size_t			 i, len = 0;
	unsigned		 seed = 1;

	for (i = 0; i < 600; i++) {
		seed = seed * 1103515245 + 12345;
		snprintf(body + len, sizeof(body) - len, "%s",
		    pieces[(seed >> 16) % (nitems(pieces))]);
		len += strlen(body + len);
	}
	msg = format(&h, body);
	b = (char *)body_of(msg);
	assert_lines(b, 76);
	/* No line ends in a space or tab: a transport may strip those. */
	ck_assert_ptr_null(strstr(b, " \r\n"));
	ck_assert_ptr_null(strstr(b, "\t\r\n"));
	qp_decode(b, dec, sizeof(dec));
	if (body[len - 1] != '\n')
		strcat(body, "\n");
	ck_assert_str_eq(dec, body);
	free(msg);
}
END_TEST

/* ---- the shipped templates ---- */

static const struct {
	const char	*name;
	const char	*values[8];
	const char	*subject;
} shipped[] = {
	{ "unsubscribed", { "channel", "email marketing", "list_text",
	    "all of our mailing lists", "site",
	    "https://www.example.com/privacy/", NULL },
	    "You are unsubscribed" },
	{ "privacy-team", { "form", "Access request", "summary",
	    "Someone asked for a copy of their data.", "admin_hint",
	    "privforms requests show 42", NULL },
	    "New privacy request: Access request" },
};

START_TEST(test_shipped_templates_render_and_format)
{
	struct pf_mail		 m = mail_t(shipped[_i].values);
	struct pf_mail_headers	 h = { FROM, NULL, "jane@example.com", NULL,
	    NULL, NULL };
	char			*s = NULL, *b = NULL, *msg;
	size_t			 i;

	m.template = (char *)shipped[_i].name;
	ck_assert_int_eq(pf_mail_render(MAIL_TEMPLATES, &m, &s, &b), PF_OK);
	ck_assert_str_eq(s, shipped[_i].subject);
	ck_assert_ptr_null(strstr(b, "{{"));
	for (i = 1; shipped[_i].values[i] != NULL; i += 2)
		ck_assert_msg(strstr(b, shipped[_i].values[i]) != NULL ||
		    strstr(s, shipped[_i].values[i]) != NULL, "%s unused",
		    shipped[_i].values[i - 1]);
	h.subject = s;
	msg = format(&h, b);
	assert_lines(msg, 78);
	free(msg);
	free(s);
	free(b);
}
END_TEST


START_TEST(test_render_text_renders_as_a_file_would)
{
	static const char	 t[] = "Subject: Hi {{name}}\r\n\r\nDear {{name}}\r\n";
	static const char	 nul[] = "Subject: x\n\n\0";	/* a NUL in it */
	static const char *const v[] = { "name", "Ann", NULL };
	struct pf_mail		 m = mail_t(v);
	char			*s = NULL, *b = NULL, *big;

	ck_assert_int_eq(pf_mail_render_text(t, sizeof(t) - 1, &m, &s, &b),
	    PF_OK);
	ck_assert_str_eq(s, "Hi Ann");
	ck_assert_str_eq(b, "Dear Ann\n");
	free(s);
	free(b);
	ck_assert_int_eq(pf_mail_render_text(nul, sizeof(nul) - 1, &m, &s, &b),
	    PF_EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(big = calloc(1, 64 * 1024 + 2));
	memset(big, 'x', 64 * 1024 + 1);
	ck_assert_int_eq(pf_mail_render_text(big, 64 * 1024 + 1, &m, &s, &b),
	    PF_EINVAL);
	free(big);
}
END_TEST


/* ---- languages ---- */

/* NAME/t.txt in the fixture's directory (NAME/ made if need be). */
static void
write_lang_template(const char *name, const char *text)
{
	char	 sub[64], dir[PF_TEST_PATH];

	pf_test_path(dir, sizeof(dir), name);
	ck_assert(mkdir(dir, 0700) == 0 || errno == EEXIST);
	snprintf(sub, sizeof(sub), "%s/t.txt", name);
	write_file(sub, text, strlen(text));
}

/* The subject m renders to from the fixture's templates; a copy. */
static char *
subject_in(const char *lang, const char *const *v)
{
	struct pf_mail	 m = mail_t(v);
	char		*s = NULL, *b = NULL;

	m.lang = (char *)lang;
	ck_assert_int_eq(pf_mail_render(fx.dir, &m, &s, &b), PF_OK);
	free(b);
	return s;
}

/* The outbox keeps the language a message was written in. */
START_TEST(test_enqueue_records_the_current_language)
{
	static const char *const v[] = { "id", "7", NULL };
	struct pf_mail	 m = { 0 };
	long long	 id = 0;

	ck_assert_int_eq(pf_lang_use("zh-CN"), PF_OK);
	ck_assert_int_eq(pf_mail_enqueue(fx.st, "unsubscribed",
	    "jane@example.com", v, NULL, &id), PF_OK);
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
	ck_assert_int_eq(pf_store_outbox_get(fx.st, id, load_row, &m), PF_OK);
	ck_assert_str_eq(m.lang, "zh-CN");
	pf_mail_clear(&m);
}
END_TEST

/*
 * A message renders from its language's template (the gettext name's
 * directory), and from the source template when that language has none,
 * when it has no language (queued before), or is the source language.
 */
START_TEST(test_render_reads_the_messages_language)
{
	static const char *const v[] = { "id", "7", NULL };
	static const struct {
		const char	*lang, *subject;
	} cases[] = {
		{ "pt-BR", "Pedido 7" },
		{ "de", "Anfrage 7" },
		{ "fr", "Request 7" },		/* no fr/t.txt */
		{ NULL, "Request 7" },
		{ "en", "Request 7" },
		{ "x", "Request 7" },		/* no tag: the source's */
	};
	char	*s;
	size_t	 i;

	write_template("Subject: Request {{id}}\n\nbody\n");
	write_lang_template("pt_BR", "Subject: Pedido {{id}}\n\ncorpo\n");
	write_lang_template("de", "Subject: Anfrage {{id}}\n\nText\n");
	write_lang_template("en", "Subject: never read\n\nx\n");
	for (i = 0; i < nitems(cases); i++) {
		s = subject_in(cases[i].lang, v);
		ck_assert_msg(strcmp(s, cases[i].subject) == 0, "%s: %s",
		    cases[i].lang != NULL ? cases[i].lang : "(none)", s);
		free(s);
	}
}
END_TEST

/* What a subject in lang's template looks like on the wire. */
static const struct {
	const char	*lang, *name, *template, *subject;
} translated[] = {
	{ "ja", "ja",
	    "Subject: \xe3\x81\x94\xe4\xbe\x9d\xe9\xa0\xbc{{id}}"	/* ご依頼 */
	    "\xe3\x81\xab\xe3\x81\xa4\xe3\x81\x84\xe3\x81\xa6\xe5\xaf\xbe"
	    "\xe5\xbf\x9c\xe3\x81\x8c\xe5\xae\x8c\xe4\xba\x86\xe3\x81\x97"
	    "\xe3\x81\xbe\xe3\x81\x97\xe3\x81\x9f\xef\xbc\x88\xe5\x80\x8b"
	    "\xe4\xba\xba\xe3\x83\x87\xe3\x83\xbc\xe3\x82\xbf\xe3\x81\xae"
	    "\xe9\x96\x8b\xe7\xa4\xba\xe8\xab\x8b\xe6\xb1\x82\xef\xbc\x89\n"
	    "\n\xe6\x9c\xac\xe6\x96\x87\n",
	    "\xe3\x81\x94\xe4\xbe\x9d\xe9\xa0\xbc" "42"
	    "\xe3\x81\xab\xe3\x81\xa4\xe3\x81\x84\xe3\x81\xa6\xe5\xaf\xbe"
	    "\xe5\xbf\x9c\xe3\x81\x8c\xe5\xae\x8c\xe4\xba\x86\xe3\x81\x97"
	    "\xe3\x81\xbe\xe3\x81\x97\xe3\x81\x9f\xef\xbc\x88\xe5\x80\x8b"
	    "\xe4\xba\xba\xe3\x83\x87\xe3\x83\xbc\xe3\x82\xbf\xe3\x81\xae"
	    "\xe9\x96\x8b\xe7\xa4\xba\xe8\xab\x8b\xe6\xb1\x82\xef\xbc\x89" },
	{ "de", "de",
	    "Subject: Ihre Anfrage {{id}} auf L\xc3\xb6schung Ihrer "
	    "personenbezogenen Daten wurde vollst\xc3\xa4ndig erf\xc3\xbcllt\n"
	    "\nText\n",
	    "Ihre Anfrage 42 auf L\xc3\xb6schung Ihrer personenbezogenen Daten "
	    "wurde vollst\xc3\xa4ndig erf\xc3\xbcllt" },
};

/*
 * A translated subject longer than one encoded-word goes out as RFC 2047
 * words of at most 75 characters, each of whole characters, and reads
 * back as written.
 */
START_TEST(test_translated_subject_encoded_on_whole_characters)
{
	static const char *const v[] = { "id", "42", NULL };
	struct pf_mail_headers	 h = { FROM, NULL, "jane@example.com", NULL,
	    NULL, NULL };
	char			*s, *msg, f[2048], dec[1024];

	write_template("Subject: Request {{id}}\n\nbody\n");
	write_lang_template(translated[_i].name, translated[_i].template);
	s = subject_in(translated[_i].lang, v);
	ck_assert_str_eq(s, translated[_i].subject);
	h.subject = s;
	msg = format(&h, "x");
	assert_lines(msg, 78);
	ck_assert_ptr_nonnull(field(msg, "Subject", f, sizeof(f)));
	ck_assert_int_ge(ew_decode(f, dec, sizeof(dec)), 2);
	ck_assert_str_eq(dec, translated[_i].subject);
	free(msg);
	free(s);
}
END_TEST

/*
 * Whatever the language, what a visitor typed never reaches a header: a
 * value that would end the subject is refused by every language's
 * template that puts it there, and goes into a body only as body text.
 */
START_TEST(test_no_typed_value_reaches_a_header_in_any_language)
{
	static const char *const names[] = { "", "de", "ja", "ar_XB" };
	static const char *const tags[] = { NULL, "de", "ja", "ar-XB" };
	static const char *const typed[] = { "Ann\nBcc: evil@example.com",
	    "Ann\rBcc: evil@example.com", "Ann\r\nBcc: evil@example.com",
	    "Ann\xc2\x85" "Bcc: evil@example.com" };
	struct pf_mail_headers	 h = { FROM, NULL, "jane@example.com", NULL,
	    NULL, NULL };
	const char		*v[] = { "name", NULL, NULL };
	struct pf_mail		 m;
	char			*s, *b, *msg, *end;
	size_t			 i, j;

	for (i = 0; i < nitems(names); i++) {
		if (*names[i] == '\0')
			write_template("Subject: {{name}}\n\n{{name}}\n");
		else
			write_lang_template(names[i],
			    "Subject: \xe2\x9f\xa6{{name}}\xe2\x9f\xa7\n\n"
			    "{{name}}\n");
		for (j = 0; j < nitems(typed); j++) {
			v[1] = typed[j];
			m = mail_t(v);
			m.lang = (char *)tags[i];
			render_refused(fx.dir, &m, PF_EINVAL);
		}
	}
	/*
	 * In the body it is body text, and a line separator (U+2028: no line
	 * end to RFC 5322) in a subject is encoded with it: either way the
	 * header ends before anything typed could start one.
	 */
	write_lang_template("ja", "Subject: \xe4\xbb\xb6\xe5\x90\x8d "
	    "{{subj}}\n\n{{name}}\n");
	for (i = 0; i < 2; i++) {
		const char *w[] = { "name", typed[0], "subj", i == 0 ? "x" :
		    "Ann\xe2\x80\xa8" "Bcc: evil@example.com", NULL };

		m = mail_t(w);
		m.lang = (char *)"ja";
		ck_assert_int_eq(pf_mail_render(fx.dir, &m, &s, &b), PF_OK);
		h.subject = s;
		msg = format(&h, b);
		ck_assert_ptr_nonnull(end = strstr(msg, "\r\n\r\n"));
		*end = '\0';
		ck_assert_ptr_null(strstr(msg, "Bcc"));
		ck_assert_ptr_null(strstr(msg, "evil"));
		free(msg);
		free(s);
		free(b);
	}
}
END_TEST

PF_TEST_MAIN("mail",
    pf_test_fixture(tc, PF_TEST_STORE, NULL, NULL, NULL),
    tcase_add_test(tc, test_enqueue_stores_normalised_strictly_encoded_row),
    tcase_add_test(tc, test_enqueue_records_the_current_language),
    tcase_add_test(tc, test_render_reads_the_messages_language),
    PF_LOOP(test_translated_subject_encoded_on_whole_characters, translated),
    tcase_add_test(tc, test_no_typed_value_reaches_a_header_in_any_language),
    tcase_add_test(tc, test_enqueue_encodes_every_printable_character),
    tcase_add_test(tc, test_render_text_renders_as_a_file_would),
    tcase_add_test(tc, test_enqueue_without_values_or_subject),
    PF_LOOP(test_enqueue_refuses_bad_recipient, bad_recipients),
    tcase_add_test(tc, test_enqueue_refuses_null_recipient),
    PF_LOOP(test_enqueue_refuses_bad_template_name, bad_templates),
    tcase_add_test(tc, test_enqueue_template_name_limits),
    PF_LOOP(test_enqueue_refuses_bad_value_name, bad_names),
    PF_LOOP(test_enqueue_refuses_bad_value, bad_values),
    tcase_add_test(tc, test_enqueue_refuses_repeated_name_and_odd_list),
    tcase_add_test(tc, test_enqueue_refuses_subject_with_control),
    tcase_add_test(tc, test_enqueue_value_count_limit),
    tcase_add_test(tc, test_enqueue_value_length_limit),
    tcase_add_test(tc, test_enqueue_is_part_of_the_callers_transaction),
    PF_LOOP(test_load_refuses_malformed_values, bad_vals),
    tcase_add_test(tc, test_load_decodes_plus_and_copies_row),
    tcase_add_test(tc, test_load_shows_bidi_controls_as_replacement_characters),
    tcase_add_test(tc, test_render_substitutes_placeholders),
    PF_LOOP(test_render_refuses_unknown_or_malformed_placeholder,
	bad_placeholders),
    PF_LOOP(test_render_reads_templates_as_editors_save_them, saved),
    tcase_add_test(tc, test_render_missing_template_not_found),
    PF_LOOP(test_render_refuses_bad_template_name, bad_templates),
    PF_LOOP(test_render_refuses_malformed_or_non_utf8_template, malformed),
    tcase_add_test(tc, test_render_refuses_subject_value_with_newline),
    tcase_add_test(tc, test_render_template_size_limit),
    tcase_add_test(tc, test_format_exact_header_order_and_fixed_values),
    tcase_add_test(tc, test_format_without_reply_to),
    tcase_add_test(tc, test_format_date_is_rfc5322_utc_now),
    tcase_add_test(tc, test_format_message_ids),
    tcase_add_test(tc, test_format_refuses_malformed_message_id_or_domain),
    PF_LOOP(test_format_encoded_subject_round_trip, subjects),
    tcase_add_test(tc, test_format_long_ascii_subject_folded_at_spaces),
    PF_LOOP(test_format_from_display_names, froms),
    PF_LOOP(test_format_refuses_control_characters_in_every_header,
	header_injections),
    PF_LOOP(test_format_refuses_malformed_mailboxes, bad_mailboxes),
    tcase_add_test(tc, test_format_refuses_missing_headers_and_non_text_body),
    PF_LOOP(test_format_quoted_printable_body, qp),
    tcase_add_test(tc, test_format_quoted_printable_round_trip),
    PF_LOOP(test_shipped_templates_render_and_format, shipped))
