/*
 * test_audit_events.c -- the table of audit events (audit_events.h): what
 * pf_audit_append refuses and takes, what `audit verify` says of a record
 * that breaks the table, and that etc/audit.xsd enumerates exactly the
 * table's names, so the two cannot drift apart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "check_main.h"
#include "fixture.h"
#include "audit.h"
#include "audit_events.h"
#include "err.h"
#include "store.h"

#define XSD	"etc/audit.xsd"	/* tests run from the top of the tree */
#define XS_NS	"http://www.w3.org/2001/XMLSchema"
#define SUBJ	"101ea60632d74630e0cc5a3d7c6076ccfd779255a2de3b09fdc4381e5796c7c9"
#define ZEROS	"0000000000000000000000000000000000000000000000000000000000000000"
#define DECL	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* ---- the schema against the table ---- */

/* The xs:simpleType called name in the schema doc. */
static xmlNodePtr
simple_type(xmlDocPtr doc, const char *name)
{
	xmlNodePtr	 n;
	xmlChar		*a;
	int		 found;

	for (n = xmlFirstElementChild(xmlDocGetRootElement(doc)); n != NULL;
	    n = xmlNextElementSibling(n)) {
		if (!xmlStrEqual(n->name, BAD_CAST "simpleType"))
			continue;
		a = xmlGetProp(n, BAD_CAST "name");
		found = a != NULL && xmlStrEqual(a, BAD_CAST name);
		xmlFree(a);
		if (found)
			return n;
	}
	return NULL;
}

/*
 * The xs:enumeration values of simple type type hold exactly the names
 * name(0), name(1), ... (each once, in any order).
 */
static void
assert_enumerates(xmlDocPtr doc, const char *type,
    const char *(*name)(size_t))
{
	xmlNodePtr	 t = simple_type(doc, type), r, e;
	xmlChar		*v;
	size_t		 n = 0, i, enums = 0;

	ck_assert_msg(t != NULL, "no simpleType %s", type);
	r = xmlFirstElementChild(t);
	for (e = xmlFirstElementChild(r); e != NULL;
	    e = xmlNextElementSibling(e)) {
		if (!xmlStrEqual(e->name, BAD_CAST "enumeration") ||
		    e->ns == NULL || !xmlStrEqual(e->ns->href, BAD_CAST XS_NS))
			continue;
		v = xmlGetProp(e, BAD_CAST "value");
		for (i = 0; name(i) != NULL; i++)
			if (xmlStrEqual(v, BAD_CAST name(i)))
				break;
		ck_assert_msg(name(i) != NULL, "%s: %s is in the schema, not in "
		    "the table", type, (const char *)v);
		xmlFree(v);
		enums++;
	}
	while (name(n) != NULL)
		n++;
	ck_assert_msg(enums == n, "%s: the schema enumerates %zu names, the "
	    "table has %zu", type, enums, n);
}

START_TEST(test_schema_enumerates_the_table)
{
	xmlDocPtr	 doc = xmlReadFile(XSD, NULL, XML_PARSE_NONET);

	ck_assert_ptr_nonnull(doc);
	assert_enumerates(doc, "event", pf_audit_event_name);
	assert_enumerates(doc, "form", pf_audit_form_name);
	assert_enumerates(doc, "detail-name", pf_audit_detail_name);
	xmlFreeDoc(doc);
}
END_TEST

/* ---- what pf_audit_append takes and refuses ---- */

/* An event, its form and its subject, and whether they go together. */
struct head {
	const char	*event, *form, *subject;
	int		 ok;
};

static const struct head heads[] = {
	{ "unsubscribed", "unsubscribe", SUBJ, 1 },
	{ "unsubscribe", "unsubscribe", SUBJ, 0 },
	{ "unsubscribed", "admin", SUBJ, 0 },
	{ "unsubscribed", "unsubscribe", NULL, 0 },
	{ "feedback-received", "feedback", SUBJ, 0 },
	{ "feedback-completed", "feedback", SUBJ, 1 },
	{ "feedback-completed", "feedback", NULL, 1 },
};

/*
 * One detail of an event (with its right form and subject): the values it
 * takes, then those it refuses (each list ends at a NULL).
 */
struct values {
	const char	*event, *form, *subject, *name;
	const char	*good[4], *bad[5];
};

static const struct values values[] = {
	/* A detail the event does not carry, though another does. */
	{ "dnc-registered", "do-not-call", SUBJ, "list", { NULL },
	  { "news", NULL } },
	{ "dnc-registered", "do-not-call", SUBJ, "note", { NULL },
	  { "x", NULL } },
	/* Codes from a list: each event's own. */
	{ "dnc-removed", "admin", SUBJ, "reason",
	  { "subject-request", "legal-obligation", NULL },
	  { "called", "called, ticket 4712, +44 20 7946 0000", NULL } },
	{ "mail-failed", "mail", SUBJ, "reason", { "refused", NULL },
	  { "subject-request", NULL } },
	{ "personal-data-read", "admin", NULL, "what", { "dnc-export", NULL },
	  { "dnc-import", NULL } },
	/* Counts, dates, UTC times. */
	{ "request-denied", "admin", SUBJ, "request", { "0", "12", NULL },
	  { "012", "-1", "", NULL } },
	{ "feedback-completed", "feedback", NULL, "recommend",
	  { "none", "7", NULL }, { "nine", NULL } },
	{ "request-extended", "admin", SUBJ, "due", { "2026-12-31", NULL },
	  { "2026-02-30", "31/12/2026", NULL } },
	{ "dnc-purged", "admin", SUBJ, "last-registered",
	  { "2020-11-24T06:30:00.123456Z", NULL },
	  { "2020-11-24T06:30:00Z", "2020-11-24T06:30:00.123456+01:00",
	    NULL } },
	/* Hex ids, countries, laws (whatever laws.c takes), names. */
	{ "audit-key-rotated", "admin", NULL, "new-key", { "0a1b2c3d", NULL },
	  { "0A1B2C3D", "0a1b2c3", NULL } },
	{ "dnc-registered", "do-not-call", SUBJ, "country", { "GB", NULL },
	  { "gb", NULL } },
	{ "request-received", "data-request", SUBJ, "law",
	  { "GDPR", "UK GDPR", " .x", NULL }, { "<b>", NULL } },
	{ "unsubscribed", "unsubscribe", SUBJ, "list",
	  { "", "news.weekly", NULL }, { "alice@example.com", NULL } },
	/* The operator, a ticket, a checkpoint. */
	{ "personal-data-read", "admin", NULL, "operator", { "alice", NULL },
	  { "Alice Smith", "-x", NULL } },
	{ "dnc-removed", "admin", SUBJ, "ticket", { "OPS-4712", NULL },
	  { "OPS 4712", NULL } },
	{ "audit-restored", "admin", NULL, "checkpoint", { "none", NULL },
	  { "some", NULL } },
};

/* pf_audit_append of ev and one detail name=value (name NULL: none). */
static int
append(const char *event, const char *form, const char *subject,
    const char *name, const char *value)
{
	const char		*details[] = { name, value, NULL };
	struct pf_audit_event	 ev = { event, form, NULL, subject, details };
	struct pf_audit_record	 rec;
	int			 rc;

	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	rc = pf_audit_append(fx.st, &ev, &rec);
	pf_store_rollback(fx.st);
	pf_audit_record_clear(&rec);
	return rc;
}

START_TEST(test_append_takes_an_event_with_its_form_and_subject)
{
	const struct head	*h = &heads[_i];

	ck_assert_msg(append(h->event, h->form, h->subject, NULL, NULL) ==
	    (h->ok ? PF_OK : PF_EINVAL), "%s %s", h->event, h->form);
}
END_TEST

START_TEST(test_append_takes_only_values_of_the_details_kind)
{
	const struct values	*v = &values[_i];
	const char *const	*p;

	for (p = v->good; *p != NULL; p++)
		ck_assert_msg(append(v->event, v->form, v->subject, v->name,
		    *p) == PF_OK, "%s %s=%s refused", v->event, v->name, *p);
	for (p = v->bad; *p != NULL; p++)
		ck_assert_msg(append(v->event, v->form, v->subject, v->name,
		    *p) == PF_EINVAL, "%s %s=%s taken", v->event, v->name, *p);
}
END_TEST

START_TEST(test_append_refuses_a_detail_twice)
{
	const char *const	 details[] = { "request", "1", "request", "2",
	    NULL };
	struct pf_audit_event	 ev = { "request-denied", "admin", NULL, SUBJ,
	    details };
	struct pf_audit_record	 rec;

	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_audit_append(fx.st, &ev, &rec), PF_EINVAL);
	pf_store_rollback(fx.st);
}
END_TEST

/* ---- verify ---- */

static void
sha256_hex(const char *s, char out[65])
{
	unsigned char	 md[32];
	unsigned int	 n;
	int		 i;

	ck_assert_int_eq(EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL),
	    1);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/*
 * Store record 1 as an older or forged privforms would have written it:
 * body is what comes between <form> and <prev> (canonical XML), sealed
 * with a correct digest, in the database and in its file.
 */
static void
put_raw(const char *time, const char *event, const char *form,
    const char *body)
{
	struct pf_audit_record	 rec = { .seq = 1 };
	struct pf_audit_row	 row;
	char			 canon[2048], xml[2200];

	if (time != NULL)
		snprintf(rec.time, sizeof(rec.time), "%s", time);
	else
		pf_utc_now(rec.time);
	snprintf(canon, sizeof(canon), "<record xmlns=\"urn:privforms:audit:1\""
	    " version=\"1\"><seq>1</seq><time>%s</time><event>%s</event>"
	    "<form>%s</form>%s<prev>" ZEROS "</prev></record>", rec.time,
	    event, form, body);
	sha256_hex(canon, rec.digest);
	snprintf(xml, sizeof(xml), DECL "%.*s<digest>%s</digest></record>\n",
	    (int)(strlen(canon) - strlen("</record>")), canon, rec.digest);
	rec.xml = xml;
	rec.xml_len = strlen(xml);
	row = (struct pf_audit_row){ 1, rec.time, event, form, ZEROS,
	    rec.digest, xml, rec.xml_len };
	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_store_audit_put(fx.st, &row), PF_OK);
	ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
	ck_assert_int_eq(pf_audit_write(fx.audit, &rec), PF_OK);
}

/* pf_audit_verify gives rc, and its report says says (and not notsaid). */
static void
assert_verify(int rc, const char *says, const char *notsaid)
{
	char		*report = NULL;
	size_t		 len;
	long long	 bad = 0;
	FILE		*f = open_memstream(&report, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pf_audit_verify(fx.st, fx.audit, XSD, NULL, f, &bad), rc);
	fclose(f);
	ck_assert_msg(strstr(report, says) != NULL, "%s", report);
	ck_assert_msg(notsaid == NULL || strstr(report, notsaid) == NULL, "%s",
	    report);
	free(report);
}

START_TEST(test_verify_reports_a_record_that_breaks_the_table)
{
	/* Valid against the schema: the detail name is some event's. */
	put_raw(NULL, "dnc-registered", "do-not-call", "<subject>" SUBJ
	    "</subject><detail name=\"list\">news</detail>");
	assert_verify(PF_EXML, "record 1: breaks the table of events: "
	    "event dnc-registered has no detail list", NULL);
}
END_TEST

/* As `dnc remove --reason TEXT` wrote them before reasons were codes. */
START_TEST(test_verify_notes_an_old_free_text_reason)
{
	put_raw(NULL, "dnc-removed", "admin", "<subject>" SUBJ "</subject>"
	    "<detail name=\"reason\">caller asked, ticket 4712</detail>");
	assert_verify(PF_OK, "record 1: note: detail reason of dnc-removed "
	    "is not a code: free text", "4712");
}
END_TEST

/* The schema fixes times to UTC with exactly six fractional digits. */
START_TEST(test_verify_refuses_a_time_without_six_digits)
{
	put_raw("2026-11-24T06:30:00.123Z", "feedback-received", "feedback",
	    "<detail name=\"feedback\">1</detail>");
	assert_verify(PF_EXML, "record 1: not valid against the schema", NULL);
}
END_TEST

PF_TEST_MAIN("audit_events",
    pf_test_fixture(tc, PF_TEST_STORE, NULL, NULL, NULL),
    tcase_add_test(tc, test_schema_enumerates_the_table),
    PF_LOOP(test_append_takes_an_event_with_its_form_and_subject, heads),
    PF_LOOP(test_append_takes_only_values_of_the_details_kind, values),
    tcase_add_test(tc, test_append_refuses_a_detail_twice),
    tcase_add_test(tc, test_verify_reports_a_record_that_breaks_the_table),
    tcase_add_test(tc, test_verify_notes_an_old_free_text_reason),
    tcase_add_test(tc, test_verify_refuses_a_time_without_six_digits))
