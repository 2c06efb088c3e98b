/*
 * test_form_lang.c -- a form's messages in the visitor's language: what a
 * 422 says beside each field (form.h, validate.h) comes from the
 * catalogue, and names the field by its translated label.
 *
 * The catalogue is a tiny German one written here and compiled with
 * msgfmt --check in the fixture, so that the test depends on no shipped
 * translation; its words are the real messages' msgids.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "check_main.h"
#include "dsr.h"
#include "dsrpage.h"
#include "err.h"
#include "fixture.h"
#include "form.h"
#include "lang.h"
#include "request.h"
#include "validate.h"

extern char **environ;

static const char po[] =
    "msgid \"\"\n"
    "msgstr \"\"\n"
    "\"Project-Id-Version: privforms test\\n\"\n"
    "\"PO-Revision-Date: 2026-12-05 09:00+0000\\n\"\n"
    "\"Last-Translator: test\\n\"\n"
    "\"Language-Team: test\\n\"\n"
    "\"Language: de\\n\"\n"
    "\"MIME-Version: 1.0\\n\"\n"
    "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
    "\"Content-Transfer-Encoding: 8bit\\n\"\n"
    "\"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n"
    "\n"
    "msgid \"First name\"\nmsgstr \"Vorname\"\n\n"
    "msgid \"Last name\"\nmsgstr \"Nachname\"\n\n"
    "msgid \"Email address\"\nmsgstr \"E-Mail-Adresse\"\n\n"
    "msgid \"Enter your first name.\"\n"
    "msgstr \"Geben Sie Ihren Vornamen ein.\"\n\n"
    "msgid \"Enter %s.\"\nmsgstr \"Bitte ausf\xc3\xbcllen: %s.\"\n\n"
    "msgid \"%1$s must be %2$zu character or fewer.\"\n"
    "msgid_plural \"%1$s must be %2$zu characters or fewer.\"\n"
    "msgstr[0] \"%1$s darf h\xc3\xb6" "chstens %2$zu Zeichen haben.\"\n"
    "msgstr[1] \"%1$s darf h\xc3\xb6" "chstens %2$zu Zeichen haben.\"\n\n"
    "msgid \"%s had characters that are not allowed: please type it "
    "again.\"\n"
    "msgstr \"%s enthielt unzul\xc3\xa4ssige Zeichen: bitte neu "
    "eingeben.\"\n\n"
    "msgid \"Enter an email address with an @, like name@example.com.\"\n"
    "msgstr \"Geben Sie eine E-Mail-Adresse mit @ ein, etwa "
    "name@example.com.\"\n\n"
    "msgid \"A copy of my personal data\"\n"
    "msgstr \"Eine Kopie meiner personenbezogenen Daten\"\n\n"
    /* A law's name from etc/privacy-laws.tsv (tools/gen-table-pot.py). */
    "msgid \"GDPR\"\nmsgstr \"DSGVO\"\n";

enum { F_FIRST, F_LAST, F_EMAIL, F__MAX };

/* As the forms write them: labels and messages N_(), translated in use. */
static const struct pf_field fields[F__MAX] = {
	[F_FIRST] = { "first_name", pf_valid_text, NULL, 1, 5, 0,
	    N_("First name"), N_("Enter your first name.") },
	[F_LAST] = { "last_name", pf_valid_text, NULL, 1, 100, 0,
	    N_("Last name") },
	[F_EMAIL] = { "email", pf_valid_email, NULL, 1, 254, 0,
	    N_("Email address") },
};

/* dir/de/LC_MESSAGES/privforms.mo, from po by msgfmt --check. */
static void
compile_catalogue(const char *dir)
{
	char	 path[256], mo[sizeof(path) + sizeof("/privforms.mo")];
	char	*argv[] = { "msgfmt", "--check", "-o", mo, path, NULL };
	pid_t	 pid;
	int	 status;

	snprintf(path, sizeof(path), "%s/de", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/de/LC_MESSAGES", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(mo, sizeof(mo), "%s/privforms.mo", path);
	snprintf(path, sizeof(path), "%s/de.po", dir);
	pf_test_write(path, po, sizeof(po) - 1);
	ck_assert_int_eq(posix_spawnp(&pid, "msgfmt", NULL, NULL, argv,
	    environ), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "msgfmt --check refused the test catalogue");
}

static void
setup(void)
{
	compile_catalogue(fx.dir);
	ck_assert_int_eq(pf_lang_init(fx.dir), PF_OK);
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
}

static void
teardown(void)
{
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
}

/* The form posted with first, last and email (NULL: absent). */
static void
post(const char *first, const char *last, const char *email,
    struct pf_form *form)
{
	struct pf_param		 p[F__MAX];
	const char		*v[F__MAX] = { first, last, email };
	struct pf_request	 req;
	size_t			 i;

	memset(&req, 0, sizeof(req));
	req.form = p;
	for (i = 0; i < F__MAX; i++)
		if (v[i] != NULL) {
			p[req.nform].name = (char *)fields[i].name;
			p[req.nform].value = (char *)v[i];
			p[req.nform++].len = strlen(v[i]);
		}
	ck_assert_int_eq(pf_form_validate(fields, F__MAX, &req, form), PF_OK);
}

/*
 * What the form says beside each field, posted in German ("": nothing to
 * fix): each message from the catalogue, each field named by its German
 * label, and English where the catalogue has no translation.
 */
static const struct {
	const char	*first, *last, *email;	/* NULL: absent */
	const char	*said[F__MAX];
} posts[] = {
	/* Empty: the table's message, or "Enter %s." with the label. */
	{ NULL, NULL, NULL, { "Geben Sie Ihren Vornamen ein.",
	    "Bitte ausf\xc3\xbcllen: Nachname.",
	    "Bitte ausf\xc3\xbcllen: E-Mail-Adresse." } },
	/* The length limit and the base check name the German label. */
	{ "Maximilian", "M\x01ller", "name@example.com", {
	    "Vorname darf h\xc3\xb6" "chstens 5 Zeichen haben.",
	    "Nachname enthielt unzul\xc3\xa4ssige Zeichen: bitte neu "
	    "eingeben.", "" } },
	/* A validator's message comes from the catalogue too. */
	{ "Max", "Muster", "name.example.com", { "", "",
	    "Geben Sie eine E-Mail-Adresse mit @ ein, etwa "
	    "name@example.com." } },
	/* One the catalogue lacks comes out in English, not empty. */
	{ "Max", "Muster", "name@@example.com", { "", "",
	    "Enter an email address with only one @, like "
	    "name@example.com." } },
};

START_TEST(test_form_says_it_in_german)
{
	struct pf_form	 form;
	size_t		 i;

	post(posts[_i].first, posts[_i].last, posts[_i].email, &form);
	for (i = 0; i < F__MAX; i++)
		ck_assert_str_eq(form.v[i].error, posts[_i].said[i]);
	pf_form_free(&form);
}
END_TEST

/* Back in the source language, the same form says what it always said. */
START_TEST(test_english_unchanged)
{
	struct pf_form	 form;

	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
	post(NULL, "Muster", "name.example.com", &form);
	ck_assert_str_eq(form.v[F_FIRST].error, "Enter your first name.");
	ck_assert_str_eq(form.v[F_EMAIL].error, "Enter an email address "
	    "with an @, like name@example.com.");
	pf_form_free(&form);
	post("Maximilian", NULL, "name@example.com", &form);
	ck_assert_str_eq(form.v[F_FIRST].error,
	    "First name must be 5 characters or fewer.");
	ck_assert_str_eq(form.v[F_LAST].error, "Enter Last name.");
	pf_form_free(&form);
}
END_TEST

/* A code table's label (a request type) in German; the code is the code. */
START_TEST(test_choice_label_in_german)
{
	ck_assert_str_eq(pf_choice_label(pf_dsr_types, "access"),
	    "Eine Kopie meiner personenbezogenen Daten");
	ck_assert_ptr_null(pf_choice_label(pf_dsr_types, "Eine"));
}
END_TEST

/*
 * A law's short name from the laws table is said in the language; "none"
 * (no law) is no word to translate, and a name the catalogue lacks (a
 * company's own row) shows as written.
 */
START_TEST(test_law_name_in_german)
{
	struct pf_dsr	 r;

	memset(&r, 0, sizeof(r));
	r.law = "GDPR";
	ck_assert_str_eq(pf_dsrp_law_text(&r), "DSGVO");
	ck_assert_str_eq(pf_dsr_law_words("GDPR"), "DSGVO");
	ck_assert_str_eq(pf_dsr_law_words("Our Own Act"), "Our Own Act");
	ck_assert_str_eq(pf_dsr_law_words("none"), "none");
}
END_TEST

PF_TEST_MAIN("form_lang",
    pf_test_fixture(tc, PF_TEST_DIR, NULL, setup, teardown),
    PF_LOOP(test_form_says_it_in_german, posts),
    tcase_add_test(tc, test_english_unchanged),
    tcase_add_test(tc, test_choice_label_in_german),
    tcase_add_test(tc, test_law_name_in_german))
