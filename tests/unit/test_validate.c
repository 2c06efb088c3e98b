/* test_validate.c -- the field validators (validate.h) and phone.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "err.h"
#include "nitems.h"
#include "phone.h"
#include "validate.h"

struct vcase {
	const char	*in;
	const char	*norm;	/* expected normalised form; NULL: refused */
	const void	*arg;
};

static void
run(pf_validator *v, const struct vcase *t, size_t n)
{
	const char	*msg;
	char		*norm;
	size_t		 i;

	for (i = 0; i < n; i++) {
		norm = (char *)1;
		msg = v(t[i].in, t[i].arg, &norm);
		if (t[i].norm == NULL) {
			ck_assert_msg(msg != NULL, "accepted: '%s'", t[i].in);
			ck_assert_msg(*msg != '\0', "empty message: '%s'", t[i].in);
			ck_assert_msg(norm == NULL, "norm set: '%s'", t[i].in);
		} else {
			ck_assert_msg(msg == NULL, "refused: '%s': %s",
			    t[i].in, msg);
			ck_assert_msg(norm != NULL && strcmp(norm, t[i].norm) == 0,
			    "'%s' gave '%s', not '%s'", t[i].in,
			    norm == NULL ? "(null)" : norm, t[i].norm);
			free(norm);
		}
	}
}

/* A string of n copies of c, then tail; static storage, one at a time. */
static const char *
rep(char c, size_t n, const char *tail)
{
	static char	 buf[4][600];
	static int	 next;
	char		*b = buf[next++ % 4];

	memset(b, c, n);
	snprintf(b + n, sizeof(buf[0]) - n, "%s", tail);
	return b;
}


START_TEST(test_email_valid)
{
	const struct vcase t[] = {
		{ "a@b.co", "a@b.co", NULL },
		{ "name@example.com", "name@example.com", NULL },
		{ "first.last@example.com", "first.last@example.com", NULL },
		{ "user+tag@example.com", "user+tag@example.com", NULL },
		{ "x!#$%&'*+-/=?^_`{|}~y@example.com",
		    "x!#$%&'*+-/=?^_`{|}~y@example.com", NULL },
		{ "Name@EXAMPLE.Com", "Name@example.com", NULL },
		{ "  name@example.com\t", "name@example.com", NULL },
		{ "name@xn--bcher-kva.example", "name@xn--bcher-kva.example", NULL },
		{ "n@sub.domain-with-hyphen.example.org",
		    "n@sub.domain-with-hyphen.example.org", NULL },
		{ "n@a--b.c1", "n@a--b.c1", NULL },
		{ "1@2.com", "1@2.com", NULL },
		{ "n@1.2.3.com", "n@1.2.3.com", NULL },
	};

	run(pf_valid_email, t, nitems(t));
}
END_TEST

START_TEST(test_email_invalid)
{
	const struct vcase t[] = {
		{ " ", NULL, NULL },
		{ "plainaddress", NULL, NULL },
		{ "@example.com", NULL, NULL },
		{ "name@", NULL, NULL },
		{ "name@@example.com", NULL, NULL },
		{ "a@b@example.com", NULL, NULL },
		{ ".name@example.com", NULL, NULL },
		{ "name.@example.com", NULL, NULL },
		{ "na..me@example.com", NULL, NULL },
		{ "name@example", NULL, NULL },
		{ "name@example.com.", NULL, NULL },
		{ "name@.example.com", NULL, NULL },
		{ "name@example..com", NULL, NULL },
		{ "name@-example.com", NULL, NULL },
		{ "name@example-.com", NULL, NULL },
		{ "name@example.-com", NULL, NULL },
		{ "name@example_x.com", NULL, NULL },
		{ "name@[192.0.2.1]", NULL, NULL },
		{ "name@[IPv6:2001:db8::1]", NULL, NULL },
		{ "name@192.0.2.1", NULL, NULL },
		{ "name@example.123", NULL, NULL },
		{ "na me@example.com", NULL, NULL },
		{ "name@exa mple.com", NULL, NULL },
		{ "name @example.com", NULL, NULL },
		{ "\"quoted\"@example.com", NULL, NULL },
		{ "\"a b\"@example.com", NULL, NULL },
		{ "name(comment)@example.com", NULL, NULL },
		{ "<name@example.com>", NULL, NULL },
		{ "Name <name@example.com>", NULL, NULL },
		{ "name@example.com, b@example.com", NULL, NULL },
		{ "jos\xc3\xa9@example.com", NULL, NULL },
		{ "name@b\xc3\xbc" "cher.de", NULL, NULL },
		{ "name@example.com\r\nBcc: x@example.com", NULL, NULL },
		{ "name@example.com:25", NULL, NULL },
		{ "name@example.com/", NULL, NULL },
	};

	run(pf_valid_email, t, nitems(t));
}
END_TEST

/*
 * Each refusal says what is wrong with the address, not a catch-all: "bad@"
 * lacks its domain, it has no space or accent to remove.
 */
START_TEST(test_email_says_what_is_wrong)
{
	static const struct pf_test_case t[] = {
		{ "bad@", "Enter the domain after the @" },
		{ "@example.com", "Enter the part of the email address before "
		    "the @" },
		{ "plainaddress", "with an @" },
		{ "a@b@example.com", "only one @" },
		{ "na me@example.com", "without spaces" },
		{ "name@exa mple.com", "without spaces" },
		{ "jos\xc3\xa9@example.com", "accented" },
		{ "name@b\xc3\xbc" "cher.de", "accented" },
		{ ".name@example.com", "before the @ cannot start or end with a "
		    "dot" },
		{ "na..me@example.com", "two dots in a row" },
		{ "\"quoted\"@example.com", "cannot contain double quotes" },
		{ "name(comment)@example.com", "brackets" },
		{ "a,b@example.com", "any of , : ;" },
		{ "name@example", "the whole domain after the @, with its dot" },
		{ "name@localhost", "with its dot" },
		{ "name@example.com.", "domain after the @ cannot start or end "
		    "with a dot" },
		{ "name@example..com", "two dots in a row" },
		{ "name@example_x.com", "letters, digits, hyphens and dots" },
		{ "name@example.com:25", "letters, digits, hyphens and dots" },
		{ "name@-example.com", "cannot start or end with a hyphen" },
		{ "name@[192.0.2.1]", "not an IP address" },
		{ "name@192.0.2.1", "not an IP address" },
		{ "name@example.123", "needs letters" },
	};
	const char	*msg;
	char		*norm;
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		msg = pf_valid_email(t[i].in, NULL, &norm);
		ck_assert_msg(msg != NULL && strstr(msg, t[i].want) != NULL,
		    "%s: said \"%s\", not \"%s\"", t[i].in,
		    msg ? msg : "(accepted)", t[i].want);
		ck_assert_ptr_null(norm);
	}
	/* Too long, in each of its parts. */
	msg = pf_valid_email(rep('a', 65, "@example.com"), NULL, &norm);
	ck_assert_str_eq(msg, "The part before the @ must be 64 characters "
	    "or fewer.");
	msg = pf_valid_email(rep('a', 64, ".com"), NULL, &norm);
	ck_assert_msg(strstr(msg, "with an @") != NULL, "%s", msg);
}
END_TEST

/* What pf_valid_phone says gives the examples the forms' hints give. */
START_TEST(test_phone_message_examples_are_valid)
{
	const struct vcase t[] = {
		{ "(303) 749-2110", "+13037492110", "US" },
		{ "+44 20 7946 0958", "+442079460958", "US" },
	};
	char	*norm;

	run(pf_valid_phone, t, nitems(t));
	ck_assert_str_eq(pf_valid_phone("12", "US", &norm), PF_PHONE_HOW);
	ck_assert_ptr_nonnull(strstr(PF_PHONE_HOW, "(303) 749-2110"));
	ck_assert_ptr_nonnull(strstr(PF_PHONE_HOW, "+44 20 7946 0958"));
}
END_TEST

START_TEST(test_email_local_part_limit)
{
	char	 ok[128], bad[128];

	snprintf(ok, sizeof(ok), "%s", rep('a', 64, "@example.com"));
	snprintf(bad, sizeof(bad), "%s", rep('a', 65, "@example.com"));
	{
		const struct vcase t[] = {
			{ ok, ok, NULL },
			{ bad, NULL, NULL },
		};

		run(pf_valid_email, t, nitems(t));
	}
}
END_TEST

START_TEST(test_email_label_limit)
{
	char	 ok[128], bad[128];

	snprintf(ok, sizeof(ok), "n@%s", rep('a', 63, ".com"));
	snprintf(bad, sizeof(bad), "n@%s", rep('a', 64, ".com"));
	{
		const struct vcase t[] = {
			{ ok, ok, NULL },
			{ bad, NULL, NULL },
		};

		run(pf_valid_email, t, nitems(t));
	}
}
END_TEST

/* n@ + labels of 49 'a' and a dot, to make a total of exactly len octets. */
static void
long_address(char *buf, size_t size, size_t len)
{
	size_t	 used;

	snprintf(buf, size, "n@");
	while ((used = strlen(buf)) + 50 + 4 <= len)
		snprintf(buf + used, size - used, "%s", rep('a', 49, "."));
	used = strlen(buf);
	snprintf(buf + used, size - used, "%s", rep('b', len - used - 4, ".com"));
}

START_TEST(test_email_total_limit)
{
	char	 ok[300], bad[300];

	long_address(ok, sizeof(ok), 254);
	long_address(bad, sizeof(bad), 255);
	ck_assert_uint_eq(strlen(ok), 254);
	ck_assert_uint_eq(strlen(bad), 255);
	{
		const struct vcase t[] = {
			{ ok, ok, NULL },
			{ bad, NULL, NULL },
		};

		run(pf_valid_email, t, nitems(t));
	}
}
END_TEST

START_TEST(test_email_key_lowers_everything)
{
	char	*k;

	ck_assert_ptr_nonnull(k = pf_email_key("Alice.Smith@example.com"));
	ck_assert_str_eq(k, "alice.smith@example.com");
	free(k);
	ck_assert_ptr_null(pf_email_key(NULL));
}
END_TEST

static const char *const channels[] = { "email", "sms", "all", NULL };
static const char *const none[] = { NULL };

START_TEST(test_enum_exact_match_only)
{
	const struct vcase t[] = {
		{ "email", "email", channels },
		{ "sms", "sms", channels },
		{ "all", "all", channels },
		{ "Email", NULL, channels },
		{ "emai", NULL, channels },
		{ "emails", NULL, channels },
		{ " email", NULL, channels },
		{ "post", NULL, channels },
		{ "email", NULL, none },
		{ "email", NULL, NULL },
	};

	run(pf_valid_enum, t, nitems(t));
}
END_TEST

START_TEST(test_text_trims_blanks)
{
	const struct vcase t[] = {
		{ "hello", "hello", NULL },
		{ "  hello world \t", "hello world", NULL },
		{ "\nline one\nline two\n\n", "line one\nline two", NULL },
		{ "caf\xc3\xa9", "caf\xc3\xa9", NULL },
		{ "<b>&amp;</b>", "<b>&amp;</b>", NULL },
		{ " ", NULL, NULL },
		{ " \t\n ", NULL, NULL },
	};

	run(pf_valid_text, t, nitems(t));
}
END_TEST

START_TEST(test_token_identifier)
{
	char	 ok[80], bad[80];

	snprintf(ok, sizeof(ok), "%s", rep('a', 64, ""));
	snprintf(bad, sizeof(bad), "%s", rep('a', 65, ""));
	{
		const struct vcase t[] = {
			{ "a", "a", NULL },
			{ "Req-2024_01.x", "Req-2024_01.x", NULL },
			{ ok, ok, NULL },
			{ bad, NULL, NULL },
			{ "", NULL, NULL },
			{ "a b", NULL, NULL },
			{ "a/b", NULL, NULL },
			{ "a+b", NULL, NULL },
			{ " a", NULL, NULL },
			{ "caf\xc3\xa9", NULL, NULL },
		};

		run(pf_valid_token, t, nitems(t));
	}
}
END_TEST

START_TEST(test_country_code_exactly)
{
	const struct vcase t[] = {
		{ "US", "US", NULL },
		{ "DE", "DE", NULL },
		{ "GB", "GB", NULL },
		{ "AX", "AX", NULL },
		{ "PR", "PR", NULL },
		{ "ZW", "ZW", NULL },
		{ "us", NULL, NULL },
		{ "Us", NULL, NULL },
		{ "USA", NULL, NULL },
		{ "840", NULL, NULL },
		{ "XX", NULL, NULL },
		{ "ZZ", NULL, NULL },
		{ "UK", NULL, NULL },
		{ "", NULL, NULL },
		{ "U", NULL, NULL },
		{ "US ", NULL, NULL },
		{ " US", NULL, NULL },
		{ "United States", NULL, NULL },
		{ "\xef\xbc\xb5\xef\xbc\xb3", NULL, NULL },
	};

	run(pf_valid_country, t, nitems(t));
}
END_TEST

START_TEST(test_country_message)
{
	char	*norm;

	ck_assert_str_eq(pf_valid_country("XX", NULL, &norm),
	    "Select a country from the list.");
	ck_assert_ptr_null(norm);
}
END_TEST

START_TEST(test_us_state_code_exactly)
{
	const struct vcase t[] = {
		{ "CA", "CA", NULL },
		{ "DC", "DC", NULL },
		{ "NY", "NY", NULL },
		{ "AK", "AK", NULL },
		{ "WY", "WY", NULL },
		{ "ca", NULL, NULL },
		{ "US-CA", NULL, NULL },
		{ "CAL", NULL, NULL },
		{ "PR", NULL, NULL },
		{ "GU", NULL, NULL },
		{ "VI", NULL, NULL },
		{ "UM", NULL, NULL },
		{ "XX", NULL, NULL },
		{ "", NULL, NULL },
		{ "C", NULL, NULL },
		{ "CA ", NULL, NULL },
		{ "California", NULL, NULL },
	};

	run(pf_valid_us_state, t, nitems(t));
}
END_TEST

START_TEST(test_us_state_message)
{
	char	*norm;

	ck_assert_str_eq(pf_valid_us_state("PR", NULL, &norm),
	    "Select a state from the list.");
	ck_assert_ptr_null(norm);
}
END_TEST

START_TEST(test_phone_normalised_to_e164)
{
	const struct vcase t[] = {
		{ "(201) 555-0123", "+12015550123", "US" },
		{ "201.555.0123", "+12015550123", "US" },
		{ "2015550123", "+12015550123", "US" },
		{ "+1 201 555 0123", "+12015550123", "US" },
		{ "1-201-555-0123", "+12015550123", "US" },
		{ "+44 20 7946 0958", "+442079460958", "US" },
		{ "+44 (0)20 7946 0958", "+442079460958", "US" },
		{ "020 7946 0958", "+442079460958", "GB" },
		{ "01 23 45 67 89", "+33123456789", "FR" },
		{ "+44 20 7946 0958", "+442079460958", NULL },
		{ " +4420 7946/0958 ", "+442079460958", "DE" },
	};

	run(pf_valid_phone, t, nitems(t));
}
END_TEST

START_TEST(test_phone_invalid_refused)
{
	const struct vcase t[] = {
		{ "12", NULL, "US" },
		{ "abc", NULL, "US" },
		{ "()-", NULL, "US" },
		{ "555-0123", NULL, "US" },
		{ "1-800-FLOWERS", NULL, "US" },
		{ "call 2015550123", NULL, "US" },
		{ "2015550123 please", NULL, "US" },
		{ "201 555 0123 ext 5", NULL, "US" },
		{ "201 555 0123 x5", NULL, "US" },
		{ "++1 201 555 0123", NULL, "US" },
		{ "1+201 555 0123", NULL, "US" },
		{ "+999 1234 5678", NULL, "US" },
		{ "2015550123", NULL, NULL },
		{ "020 7946 0958", NULL, "XX" },
		{ "+1 201 555 0123 0", NULL, "US" },
		{ "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x91 555 0123", NULL, "US" },
		{ "tel:+1-201-555-0123", NULL, "US" },
		{ "201\t555 0123", NULL, "US" },
	};

	run(pf_valid_phone, t, nitems(t));
}
END_TEST

START_TEST(test_phone_input_length_limit)
{
	char	 ok[PF_PHONE_MAX_INPUT + 1], bad[PF_PHONE_MAX_INPUT + 2];
	char	 out[PF_PHONE_E164_SIZE];

	/* "+12015550123" padded with blanks to the limit, then one more. */
	snprintf(ok, sizeof(ok), "+12015550123%*s", PF_PHONE_MAX_INPUT - 12, "");
	snprintf(bad, sizeof(bad), "+12015550123%*s", PF_PHONE_MAX_INPUT - 11, "");
	ck_assert_uint_eq(strlen(ok), PF_PHONE_MAX_INPUT);
	ck_assert_int_eq(pf_phone_e164(ok, "US", out, sizeof(out)), PF_OK);
	ck_assert_str_eq(out, "+12015550123");
	ck_assert_int_eq(pf_phone_e164(bad, "US", out, sizeof(out)), PF_EINVAL);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_phone_output_buffer_size)
{
	char	 out[PF_PHONE_E164_SIZE];

	/* "+12015550123" and its NUL need 13 bytes: 12 is too few. */
	ck_assert_int_eq(pf_phone_e164("2015550123", "US", out, 13), PF_OK);
	ck_assert_int_eq(pf_phone_e164("2015550123", "US", out, 12), PF_EINVAL);
	ck_assert_int_eq(pf_phone_e164("2015550123", "US", out, 0), PF_EINVAL);
	ck_assert_int_eq(pf_phone_e164(NULL, "US", out, sizeof(out)), PF_EINVAL);
	ck_assert_int_eq(pf_phone_e164("2015550123", NULL, out, sizeof(out)),
	    PF_EINVAL);
}
END_TEST

/*
 * libphonenumber has a logger that writes to stdout (the response, under
 * CGI) and its messages can quote the number: phone.cc installs a null one.
 * Guards against a library version or a caller that logs by default.
 */
START_TEST(test_phone_writes_nothing_to_stdout_or_stderr)
{
	static const char *const in[] = { "abc", "+999", "12", "++", "",
	    "2015550123", "020 7946 0958", "+1 201", "12345678901234567890" };
	static const char *const region[] = { "US", "ZZ", "XX", "001", "" };
	char	 out[PF_PHONE_E164_SIZE], path[] = "/tmp/test_phone.XXXXXX";
	int	 fd, saved1, saved2;
	size_t	 i, j;
	off_t	 size;

	ck_assert_int_ne(fd = mkstemp(path), -1);
	fflush(stdout);
	fflush(stderr);
	saved1 = dup(1);
	saved2 = dup(2);
	dup2(fd, 1);
	dup2(fd, 2);
	for (i = 0; i < nitems(in); i++)
		for (j = 0; j < nitems(region); j++)
			pf_phone_e164(in[i], region[j], out, sizeof(out));
	fflush(stdout);
	fflush(stderr);
	dup2(saved1, 1);
	dup2(saved2, 2);
	close(saved1);
	close(saved2);
	size = lseek(fd, 0, SEEK_END);
	close(fd);
	unlink(path);
	ck_assert_int_eq(size, 0);
}
END_TEST

START_TEST(test_contact_key_reads_an_address_or_a_number)
{
	const char	*kind, *why;
	char		*key;

	ck_assert_int_eq(pf_contact_key("  Ada.L@Example.COM ", "US", &kind,
	    &key, &why), PF_OK);
	ck_assert_str_eq(kind, "email");
	ck_assert_str_eq(key, "ada.l@example.com");
	free(key);
	ck_assert_int_eq(pf_contact_key("(303) 749-2110", "US", &kind, &key,
	    &why), PF_OK);
	ck_assert_str_eq(kind, "phone");
	ck_assert_str_eq(key, "+13037492110");
	free(key);
	ck_assert_int_eq(pf_contact_key("303 749 2110", NULL, &kind, &key,
	    &why), PF_EINVAL);
	ck_assert_ptr_null(key);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(pf_contact_key("a@@b", "US", &kind, &key, &why),
	    PF_EINVAL);
	ck_assert_str_eq(kind, "email");
}
END_TEST

/* A list's number: its E.164 form, or what is wrong with the line. */
START_TEST(test_list_phone_reads_a_number_or_says_why)
{
	char		 e164[PF_PHONE_E164_SIZE];
	const char	*why = NULL;

	ck_assert_int_eq(pf_list_phone("(303) 749-2110", "US", e164, &why),
	    PF_OK);
	ck_assert_str_eq(e164, "+13037492110");
	ck_assert_ptr_null(why);
	ck_assert_int_eq(pf_list_phone("303 749 2110", NULL, e164, &why),
	    PF_EINVAL);
	ck_assert_str_eq(why, PF_PHONE_HOW);
}
END_TEST

PF_TEST_MAIN("validate",
    tcase_add_test(tc, test_email_valid),
    tcase_add_test(tc, test_contact_key_reads_an_address_or_a_number),
    tcase_add_test(tc, test_list_phone_reads_a_number_or_says_why),
    tcase_add_test(tc, test_email_invalid),
    tcase_add_test(tc, test_email_says_what_is_wrong),
    tcase_add_test(tc, test_phone_message_examples_are_valid),
    tcase_add_test(tc, test_email_local_part_limit),
    tcase_add_test(tc, test_email_label_limit),
    tcase_add_test(tc, test_email_total_limit),
    tcase_add_test(tc, test_email_key_lowers_everything),
    tcase_add_test(tc, test_enum_exact_match_only),
    tcase_add_test(tc, test_text_trims_blanks),
    tcase_add_test(tc, test_token_identifier),
    tcase_add_test(tc, test_country_code_exactly),
    tcase_add_test(tc, test_country_message),
    tcase_add_test(tc, test_us_state_code_exactly),
    tcase_add_test(tc, test_us_state_message),
    tcase_add_test(tc, test_phone_normalised_to_e164),
    tcase_add_test(tc, test_phone_invalid_refused),
    tcase_add_test(tc, test_phone_input_length_limit),
    tcase_add_test(tc, test_phone_output_buffer_size),
    tcase_add_test(tc, test_phone_writes_nothing_to_stdout_or_stderr))
