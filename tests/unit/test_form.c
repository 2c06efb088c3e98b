/*
 * test_form.c -- validating request fields against a field table:
 * presence, the base text check, length in characters, validators, and
 * what may be shown to the visitor again.
 *
 * pf_form_fill only forwards to page.h; the integration tests cover it
 * with the real templates.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "err.h"
#include "form.h"
#include "nitems.h"
#include "request.h"
#include "utf8.h"

/* What text that cannot be shown again gets, for the field labelled l. */
#define MSG_INVALID(l) l " had characters that are not allowed: please " \
	"type it again."

/* A string literal and its length, NULs included. */
#define BYTES(lit)	{ lit, sizeof(lit) - 1 }

/* Test validators, pure like the real ones. */
static const char *
valid_upper(const char *in, const void *arg, char **norm)
{
	size_t	 i;

	(void)arg;
	if ((*norm = strdup(in)) == NULL)
		return "out of memory";
	for (i = 0; (*norm)[i] != '\0'; i++)
		(*norm)[i] = (char)toupper((unsigned char)(*norm)[i]);
	return NULL;
}

static const char *
valid_choice(const char *in, const void *arg, char **norm)
{
	const char *const	*p;

	for (p = arg; *p != NULL; p++)
		if (strcmp(in, *p) == 0)
			return (*norm = strdup(in)) == NULL ? "out of memory" :
			    NULL;
	return "Choose one of the options.";
}

static const char *
valid_long_message(const char *in, const void *arg, char **norm)
{
	static char	 msg[2 * PF_FORM_ERRLEN];
	size_t		 i;

	(void)in;
	(void)arg;
	(void)norm;
	/*
	 * Longer than the error buffer of a form value (a long translation),
	 * in 3-byte characters, so that where the copy is cut short falls
	 * inside one.
	 */
	for (i = 0; i + 3 < sizeof(msg); i += 3)
		memcpy(msg + i, "\xe2\x82\xac", 3);	/* U+20AC */
	msg[i] = '\0';
	return msg;
}

static const char *const channels[] = { "email", "sms", NULL };

/* What valid_spy saw: pf_form_check's validator must run only when due. */
static int		 spy_calls;
static const void	*spy_arg;

static const char *
valid_spy(const char *in, const void *arg, char **norm)
{
	spy_calls++;
	spy_arg = arg;
	return (*norm = strdup(in)) == NULL ? "out of memory" : NULL;
}

/* Claims success without a value: only an allocation failure does that. */
static const char *
valid_no_value(const char *in, const void *arg, char **norm)
{
	(void)in;
	(void)arg;
	*norm = NULL;
	return NULL;
}

enum { F_REQ, F_OPT, F_MULTI, F_SHORT, F_ONE, F_CHOICE, F_UPPER, F_LONG,
    F__MAX };

static const struct pf_field fields[F__MAX] = {
	[F_REQ] = { "req", NULL, NULL, 1, 20, 0, "Required",
	    "Enter the required thing." },
	[F_OPT] = { "opt", NULL, NULL, 0, 20, 0, "Optional" },
	[F_MULTI] = { "multi", NULL, NULL, 0, 5, 1, "Message" },
	[F_SHORT] = { "short", NULL, NULL, 0, 5, 0, "Short" },
	[F_ONE] = { "one", NULL, NULL, 0, 1, 0, "One" },
	[F_CHOICE] = { "choice", valid_choice, channels, 1, 10, 0, "Channel" },
	[F_UPPER] = { "upper", valid_upper, NULL, 0, 10, 0, "Code" },
	[F_LONG] = { "long", valid_long_message, NULL, 0, 10, 0, "Long" },
};

/* The body fields of the next request. */
static struct pf_param	 params[F__MAX + 2];
static size_t		 nparams;

static void
reset(void)
{
	nparams = 0;
}

static void
set(const char *name, const char *value, size_t len)
{
	ck_assert_uint_lt(nparams, nitems(params));
	params[nparams].name = (char *)name;
	params[nparams].value = (char *)value;
	params[nparams].len = len;
	nparams++;
}

/* A request with the parameters set so far, validated. */
static void
validate(struct pf_form *form)
{
	struct pf_request	 req;

	memset(&req, 0, sizeof(req));
	req.form = params;
	req.nform = nparams;
	ck_assert_int_eq(pf_form_validate(fields, F__MAX, &req, form), PF_OK);
	ck_assert_ptr_eq(form->fields, fields);
	ck_assert_uint_eq(form->n, F__MAX);
}

/*
 * The form with field set to value[0..len) (NULL: absent) and the other
 * required fields filled in correctly.
 */
static void
one(size_t field, const char *value, size_t len, struct pf_form *form)
{
	reset();
	if (field != F_REQ)
		set("req", "x", 1);
	if (field != F_CHOICE)
		set("choice", "email", 5);
	if (value != NULL)
		set(fields[field].name, value, len);
	validate(form);
}

/* one() with the text value, after which the form has nerrors errors. */
static void
one_counted(size_t field, const char *value, int nerrors,
    struct pf_form *form)
{
	one(field, value, strlen(value), form);
	ck_assert_int_eq(form->nerrors, nerrors);
}

/* The form with F_OPT set to value, then pf_form_check(F_OPT, fn, arg). */
static int
opt_checked(const char *value, pf_validator *fn, const void *arg,
    struct pf_form *form)
{
	one(F_OPT, value, strlen(value), form);
	return pf_form_check(form, F_OPT, fn, arg);
}

static int
count_errors(const struct pf_form *form)
{
	size_t	 i;
	int	 n = 0;

	for (i = 0; i < form->n; i++)
		n += form->v[i].error[0] != '\0';
	return n;
}

/* Field f refused with msg, its value neither kept nor shown (case i). */
static void
assert_unshown(const struct pf_form *form, size_t f, const char *msg,
    size_t i)
{
	ck_assert_msg(strcmp(form->v[f].error, msg) == 0, "case %zu", i);
	ck_assert_ptr_null(form->v[f].value);
	ck_assert_ptr_null(form->v[f].shown);
	ck_assert_int_eq(form->nerrors, 1);
}

/* No error in the form; field f kept as value and shown as shown. */
static void
assert_kept(const struct pf_form *form, size_t f, const char *value,
    const char *shown)
{
	ck_assert_int_eq(form->nerrors, 0);
	ck_assert_str_eq(form->v[f].value, value);
	ck_assert_str_eq(form->v[f].shown, shown);
}

START_TEST(test_all_fine)
{
	struct pf_form	 form;
	size_t		 i;

	reset();
	set("req", "hello", 5);
	set("choice", "sms", 3);
	set("submit", "Send", 4);
	validate(&form);
	ck_assert_int_eq(form.nerrors, 0);
	ck_assert_str_eq(form.v[F_REQ].value, "hello");
	ck_assert_str_eq(form.v[F_REQ].shown, "hello");
	ck_assert_str_eq(form.v[F_CHOICE].value, "sms");
	for (i = 0; i < F__MAX; i++)
		ck_assert_str_eq(form.v[i].error, "");
	ck_assert_ptr_null(form.v[F_OPT].value);
	ck_assert_ptr_null(form.v[F_OPT].shown);
	pf_form_free(&form);
}
END_TEST

START_TEST(test_required_absent_or_blank)
{
	static const char *const blanks[] = {
		NULL, "", " ", "\t", " \r\n\t ", "\n",
	};
	struct pf_form	 form;
	size_t		 i;

	for (i = 0; i < nitems(blanks); i++) {
		one(F_REQ, blanks[i], blanks[i] ? strlen(blanks[i]) : 0, &form);
		assert_unshown(&form, F_REQ, "Enter the required thing.", i);
		pf_form_free(&form);
	}
}
END_TEST

START_TEST(test_optional_absent_or_blank_is_fine)
{
	static const char *const blanks[] = { NULL, "", "  ", "\r\n" };
	struct pf_form	 form;
	size_t		 i;

	for (i = 0; i < nitems(blanks); i++) {
		one(F_OPT, blanks[i], blanks[i] ? strlen(blanks[i]) : 0, &form);
		ck_assert_int_eq(form.nerrors, 0);
		ck_assert_str_eq(form.v[F_OPT].error, "");
		ck_assert_ptr_null(form.v[F_OPT].value);
		pf_form_free(&form);
	}
}
END_TEST

START_TEST(test_invalid_text_refused_and_never_shown)
{
	static const struct {
		const char	*value;
		size_t		 len;
	} bad[] = {
		BYTES("a\0b"), BYTES("\0"), BYTES("\xff"), BYTES("\xc0\xaf"),
		BYTES("\xed\xa0\x80"), BYTES("a\x01"), BYTES("\x1b[2J"),
		BYTES("a\x7f"), BYTES("\xc2\x85"), BYTES("\xef\xbf\xbe"),
		BYTES("a\nb"), BYTES("a\rb"), BYTES("a\r\nb"),
		BYTES("\xe2\x82"),
	};
	struct pf_form	 form;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		one(F_OPT, bad[i].value, bad[i].len, &form);
		assert_unshown(&form, F_OPT, MSG_INVALID("Optional"), i);
		pf_form_free(&form);
	}
}
END_TEST

START_TEST(test_multiline_folds_line_breaks)
{
	static const struct pf_test_case cases[] = {
		{ "a\r\nb", "a\nb" }, { "a\rb", "a\nb" }, { "a\nb", "a\nb" },
		{ "a\tb", "a\tb" }, { "\r\n\r\nab", "\n\nab" },
	};
	struct pf_form	 form;
	size_t		 i;

	for (i = 0; i < nitems(cases); i++) {
		one(F_MULTI, cases[i].in, strlen(cases[i].in), &form);
		assert_kept(&form, F_MULTI, cases[i].want, cases[i].want);
		pf_form_free(&form);
	}
}
END_TEST

START_TEST(test_length_in_characters)
{
	static const struct {
		size_t		 field;
		const char	*value;
		int		 ok;
	} cases[] = {
		{ F_SHORT, "abcde", 1 },
		{ F_SHORT, "abcdef", 0 },
		{ F_SHORT, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 1 },
		{ F_SHORT, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 0 },
		{ F_SHORT, "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
		    "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 1 },
		{ F_MULTI, "ab\r\ncd", 1 },	/* CRLF is one character */
		{ F_MULTI, "ab\r\ncde", 0 },
		{ F_ONE, "x", 1 },
		{ F_ONE, "xy", 0 },
	};
	struct pf_form	 form;
	size_t		 i, f;

	for (i = 0; i < nitems(cases); i++) {
		f = cases[i].field;
		one(f, cases[i].value, strlen(cases[i].value), &form);
		ck_assert_msg(form.nerrors == !cases[i].ok, "case %zu", i);
		if (cases[i].ok) {
			ck_assert_ptr_nonnull(form.v[f].value);
		} else {
			ck_assert_ptr_null(form.v[f].value);
			/* Valid text, so the visitor gets it back to shorten. */
			ck_assert_ptr_nonnull(form.v[f].shown);
		}
		pf_form_free(&form);
	}
}
END_TEST

/* The message a field gets, and what is shown again (NULL: nothing). */
static const struct {
	size_t		 field;
	const char	*in;		/* NULL: absent */
	const char	*error, *shown;
} messages[] = {
	/* Too long: the limit is named, the text given back to shorten. */
	{ F_SHORT, "abcdef", "Short must be 5 characters or fewer.",
	    "abcdef" },
	{ F_ONE, "xy", "One must be 1 character or fewer.", "xy" },
	/*
	 * Required and missing: the presence message, not the enum's; a
	 * table without its own says "Enter" and the label.  Invalid text:
	 * the base check's message, not the enum's.
	 */
	{ F_CHOICE, NULL, "Enter Channel.", NULL },
	{ F_CHOICE, "\xff", MSG_INVALID("Channel"), NULL },
	/* Still no other controls in a textarea. */
	{ F_MULTI, "a\x0b", MSG_INVALID("Message"), NULL },
};

START_TEST(test_field_messages)
{
	const char	*in = messages[_i].in;
	size_t		 f = messages[_i].field;
	struct pf_form	 form;

	one(f, in, in != NULL ? strlen(in) : 0, &form);
	ck_assert_str_eq(form.v[f].error, messages[_i].error);
	ck_assert_pstr_eq(form.v[f].shown, messages[_i].shown);
	pf_form_free(&form);
}
END_TEST

START_TEST(test_enum_validator)
{
	/* A value, and 1 if it is one of the options. */
	static const struct pf_test_code cases[] = {
		{ "email", 1 }, { "sms", 1 }, { "fax", 0 }, { "EMAIL", 0 },
		{ "email ", 0 },
	};
	struct pf_form	 form;
	size_t		 i;

	for (i = 0; i < nitems(cases); i++) {
		one(F_CHOICE, cases[i].in, strlen(cases[i].in), &form);
		if (cases[i].want) {
			ck_assert_int_eq(form.nerrors, 0);
			ck_assert_str_eq(form.v[F_CHOICE].value, cases[i].in);
		} else {
			ck_assert_int_eq(form.nerrors, 1);
			ck_assert_str_eq(form.v[F_CHOICE].error,
			    "Choose one of the options.");
			ck_assert_ptr_null(form.v[F_CHOICE].value);
			ck_assert_str_eq(form.v[F_CHOICE].shown,
			    cases[i].in);
		}
		pf_form_free(&form);
	}
}
END_TEST

START_TEST(test_validator_normalises_value_not_shown)
{
	struct pf_form	 form;

	one(F_UPPER, "ab-12", 5, &form);
	assert_kept(&form, F_UPPER, "AB-12", "ab-12");
	pf_form_free(&form);
}
END_TEST

START_TEST(test_long_validator_message_truncated)
{
	struct pf_form	 form;

	one(F_LONG, "x", 1, &form);
	/* Cut short after its last whole character: 170 of 3 bytes. */
	ck_assert_uint_eq(strlen(form.v[F_LONG].error),
	    (PF_FORM_ERRLEN - 1) / 3 * 3);
	ck_assert(pf_utf8_ok(form.v[F_LONG].error,
	    strlen(form.v[F_LONG].error), 0));
	ck_assert_int_eq(form.nerrors, 1);
	pf_form_free(&form);
}
END_TEST

START_TEST(test_errors_counted_across_fields)
{
	struct pf_form	 form;

	reset();
	set("short", "toolong", 7);
	set("opt", "\x01", 1);
	validate(&form);
	/* req and choice missing, short too long, opt invalid. */
	ck_assert_int_eq(form.nerrors, 4);
	ck_assert_int_eq(count_errors(&form), 4);
	pf_form_free(&form);
}
END_TEST

START_TEST(test_form_fail_marks_field_once)
{
	struct pf_form	 form;

	one_counted(F_OPT, "fine", 0, &form);
	pf_form_fail(&form, F_OPT, "Does not match the other field.");
	ck_assert_int_eq(form.nerrors, 1);
	ck_assert_str_eq(form.v[F_OPT].error, "Does not match the other field.");
	ck_assert_ptr_null(form.v[F_OPT].value);
	ck_assert_str_eq(form.v[F_OPT].shown, "fine");
	pf_form_fail(&form, F_OPT, "Second reason.");
	ck_assert_int_eq(form.nerrors, 1);
	ck_assert_str_eq(form.v[F_OPT].error, "Second reason.");
	/* Out of range and empty messages do no harm. */
	pf_form_fail(&form, F__MAX, "x");
	pf_form_fail(&form, F_REQ, "");
	ck_assert_int_eq(form.nerrors, 2);
	ck_assert_str_ne(form.v[F_REQ].error, "");
	ck_assert_int_eq(count_errors(&form), form.nerrors);
	pf_form_free(&form);
}
END_TEST

START_TEST(test_form_check_replaces_value_with_normalised)
{
	struct pf_form	 form;

	one(F_OPT, "ab-12", 5, &form);
	ck_assert_str_eq(form.v[F_OPT].value, "ab-12");
	ck_assert_int_eq(pf_form_check(&form, F_OPT, valid_upper, NULL), PF_OK);
	assert_kept(&form, F_OPT, "AB-12", "ab-12");
	ck_assert_str_eq(form.v[F_OPT].error, "");
	pf_form_free(&form);
}
END_TEST

START_TEST(test_form_check_failure_marks_field)
{
	struct pf_form	 form;

	one_counted(F_OPT, "fax", 0, &form);
	ck_assert_int_eq(pf_form_check(&form, F_OPT, valid_choice, channels),
	    PF_OK);
	ck_assert_str_eq(form.v[F_OPT].error, "Choose one of the options.");
	ck_assert_ptr_null(form.v[F_OPT].value);
	ck_assert_str_eq(form.v[F_OPT].shown, "fax");
	ck_assert_int_eq(form.nerrors, 1);
	ck_assert_int_eq(count_errors(&form), form.nerrors);
	pf_form_free(&form);
}
END_TEST

START_TEST(test_form_check_leaves_absent_or_failed_field_alone)
{
	struct pf_form	 form;

	spy_calls = 0;
	/* Absent. */
	one(F_REQ, "x", 1, &form);
	ck_assert_int_eq(pf_form_check(&form, F_OPT, valid_spy, NULL), PF_OK);
	ck_assert_ptr_null(form.v[F_OPT].value);
	ck_assert_str_eq(form.v[F_OPT].error, "");
	ck_assert_int_eq(form.nerrors, 0);
	/* Out of range. */
	ck_assert_int_eq(pf_form_check(&form, F__MAX, valid_spy, NULL), PF_OK);
	pf_form_free(&form);
	/* Already in error: its message stays, counted once. */
	one(F_SHORT, "toolong", 7, &form);
	ck_assert_int_eq(pf_form_check(&form, F_SHORT, valid_spy, NULL),
	    PF_OK);
	ck_assert_str_eq(form.v[F_SHORT].error,
	    "Short must be 5 characters or fewer.");
	ck_assert_ptr_null(form.v[F_SHORT].value);
	ck_assert_int_eq(form.nerrors, 1);
	pf_form_free(&form);
	ck_assert_int_eq(spy_calls, 0);
}
END_TEST

START_TEST(test_form_check_passes_arg_to_validator)
{
	static const char *const faxes[] = { "fax", NULL };
	struct pf_form	 form;

	spy_calls = 0;
	spy_arg = NULL;
	ck_assert_int_eq(opt_checked("fax", valid_spy, faxes, &form), PF_OK);
	ck_assert_int_eq(spy_calls, 1);
	ck_assert_ptr_eq(spy_arg, faxes);
	/* The same value passes with the arg that allows it. */
	ck_assert_int_eq(pf_form_check(&form, F_OPT, valid_choice, faxes),
	    PF_OK);
	ck_assert_int_eq(form.nerrors, 0);
	ck_assert_str_eq(form.v[F_OPT].value, "fax");
	pf_form_free(&form);
}
END_TEST

START_TEST(test_form_check_success_without_value_is_enomem)
{
	struct pf_form	 form;

	ck_assert_int_eq(opt_checked("fine", valid_no_value, NULL, &form),
	    PF_ENOMEM);
	pf_form_free(&form);
}
END_TEST

START_TEST(test_form_ignore_forgets_value_and_error)
{
	struct pf_form	 form;

	one_counted(F_SHORT, "far too long", 1, &form);
	pf_form_ignore(&form, F_SHORT);
	ck_assert_int_eq(form.nerrors, 0);
	ck_assert_str_eq(form.v[F_SHORT].error, "");
	ck_assert_str_eq(form.v[F_SHORT].shown, "far too long");
	/* A valid field loses its value; ignoring twice changes nothing. */
	pf_form_free(&form);
	one(F_OPT, "fine", 4, &form);
	pf_form_ignore(&form, F_OPT);
	pf_form_ignore(&form, F_OPT);
	pf_form_ignore(&form, F__MAX);
	ck_assert_ptr_null(form.v[F_OPT].value);
	ck_assert_int_eq(form.nerrors, 0);
	pf_form_free(&form);
}
END_TEST

START_TEST(test_form_free_accepts_zeroed_and_freed)
{
	struct pf_form	 form;

	memset(&form, 0, sizeof(form));
	pf_form_free(&form);
	one(F_OPT, "x", 1, &form);
	pf_form_free(&form);
	ck_assert_ptr_null(form.v);
	pf_form_free(&form);
	pf_form_free(NULL);
}
END_TEST

START_TEST(test_empty_table)
{
	struct pf_request	 req;
	struct pf_form		 form;

	memset(&req, 0, sizeof(req));
	ck_assert_int_eq(pf_form_validate(fields, 0, &req, &form), PF_OK);
	ck_assert_int_eq(form.nerrors, 0);
	pf_form_free(&form);
}
END_TEST

START_TEST(test_bidi_control_refused_and_shown_where_it_was)
{
	static const char	 rlo[] = "Ada \xe2\x80\xae" "ecalevoL";
	static const char	 rlm[] = "\xd7\xa9\xd7\x9c\xe2\x80\x8f" "1";
	struct pf_form		 form;

	one(F_OPT, rlo, sizeof(rlo) - 1, &form);
	ck_assert_ptr_nonnull(strstr(form.v[F_OPT].error, "direction"));
	ck_assert_ptr_null(form.v[F_OPT].value);
	ck_assert_str_eq(form.v[F_OPT].shown, "Ada \xef\xbf\xbd" "ecalevoL");
	ck_assert_int_eq(form.nerrors, 1);
	pf_form_free(&form);
	/* A right-to-left mark is how people write; it passes. */
	one(F_OPT, rlm, sizeof(rlm) - 1, &form);
	ck_assert_str_eq(form.v[F_OPT].error, "");
	ck_assert_str_eq(form.v[F_OPT].value, rlm);
	pf_form_free(&form);
}
END_TEST

PF_TEST_MAIN("form",
    tcase_add_test(tc, test_all_fine),
    tcase_add_test(tc, test_bidi_control_refused_and_shown_where_it_was),
    tcase_add_test(tc, test_required_absent_or_blank),
    tcase_add_test(tc, test_optional_absent_or_blank_is_fine),
    tcase_add_test(tc, test_invalid_text_refused_and_never_shown),
    tcase_add_test(tc, test_multiline_folds_line_breaks),
    tcase_add_test(tc, test_length_in_characters),
    PF_LOOP(test_field_messages, messages),
    tcase_add_test(tc, test_enum_validator),
    tcase_add_test(tc, test_validator_normalises_value_not_shown),
    tcase_add_test(tc, test_long_validator_message_truncated),
    tcase_add_test(tc, test_errors_counted_across_fields),
    tcase_add_test(tc, test_form_fail_marks_field_once),
    tcase_add_test(tc, test_form_check_replaces_value_with_normalised),
    tcase_add_test(tc, test_form_check_failure_marks_field),
    tcase_add_test(tc, test_form_check_leaves_absent_or_failed_field_alone),
    tcase_add_test(tc, test_form_check_passes_arg_to_validator),
    tcase_add_test(tc, test_form_check_success_without_value_is_enomem),
    tcase_add_test(tc, test_form_ignore_forgets_value_and_error),
    tcase_add_test(tc, test_form_free_accepts_zeroed_and_freed),
    tcase_add_test(tc, test_empty_table))
