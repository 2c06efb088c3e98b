/*
 * audit_events.c -- the table of audit events and the checks against it
 * (audit_events.h).  The rows are audit_events.def; each detail's kind is
 * a row of kinds[] below, a pure check of the value.
 */
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "audit_events.h"
#include "audit_impl.h"
#include "err.h"
#include "nitems.h"
#include "utc.h"

enum subject { NONE, ONE, MAYBE };

enum kind { CODE, COUNT, COUNT_OR_NONE, DATE, UTC, HEX8, HEX32, HEX64,
    COUNTRY, LABEL, LAW, LOGIN, TICKET };

struct event_row {
	const char	*name;
	const char	*form;
	enum subject	 subject;
};

struct detail_row {
	const char	*event;
	const char	*name;
	enum kind	 kind;
	const char	*codes;		/* a CODE's words, or NULL: any */
	int		 legacy;	/* verify notes free text, see .def */
};

static const struct event_row events[] = {
#define PF_AUDIT_EVENT(name, form, subject)	{ name, form, subject },
#define PF_AUDIT_DETAIL(event, name, kind, codes, legacy)
#include "audit_events.def"
#undef PF_AUDIT_EVENT
#undef PF_AUDIT_DETAIL
};

static const struct detail_row details[] = {
#define PF_AUDIT_EVENT(name, form, subject)
#define PF_AUDIT_DETAIL(event, name, kind, codes, legacy) \
	{ event, name, kind, codes, legacy },
#include "audit_events.def"
#undef PF_AUDIT_EVENT
#undef PF_AUDIT_DETAIL
};

/* ---- the kinds of value ---- */

#define LOWER	"abcdefghijklmnopqrstuvwxyz"
#define UPPER	"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGIT	"0123456789"
#define HEXLC	DIGIT "abcdef"

/* s is min..max bytes, its first from first and the rest from rest. */
static int
chars_ok(const char *s, const char *first, const char *rest, size_t min,
    size_t max)
{
	size_t	 n = strlen(s);

	if (n < min || n > max)
		return 0;
	if (n == 0)
		return 1;
	return strchr(first, s[0]) != NULL && strspn(s + 1, rest) == n - 1;
}

static int
code_ok(const char *s)
{
	return chars_ok(s, LOWER DIGIT, LOWER DIGIT "-", 1, 32);
}

/* A count's digits (the kinds table checked): no leading zero. */
static int
no_leading_zero(const char *s)
{
	return s[0] != '0' || s[1] == '\0';
}

static int
count_or_none_ok(const char *s)
{
	return strcmp(s, "none") == 0 ||
	    (chars_ok(s, DIGIT, DIGIT, 1, 18) && no_leading_zero(s));
}

static int
date_ok(const char *s)
{
	time_t	 t;

	return pf_utc_parse_day(s, &t) == PF_OK;
}

/* YYYY-MM-DDTHH:MM:SS.ffffffZ, as pf_utc_now and the records write it. */
static int
utc_ok(const char *s)
{
	time_t	 t;

	return pf_utc_parse_time(s, &t) == PF_OK && s[19] == '.' &&
	    strspn(s + 20, DIGIT) == 6 && s[26] == 'Z';
}

#define NAMECH	LOWER UPPER DIGIT "._-"

/*
 * Each kind: the bytes its first and later characters may be, its length
 * and any further check.  No kind takes a space but a law's name, nor
 * any of XML's special characters: there is nothing to escape.
 */
static const struct {
	const char	*name;		/* for why */
	const char	*first, *rest;	/* NULL: only ok decides */
	size_t		 min, max;
	int		(*ok)(const char *);	/* or NULL */
} kinds[] = {
	[CODE] = { "a code", LOWER DIGIT, LOWER DIGIT "-", 1, 32, NULL },
	[COUNT] = { "a count", DIGIT, DIGIT, 1, 18, no_leading_zero },
	[COUNT_OR_NONE] = { "a count or none", NULL, NULL, 0, 0,
	    count_or_none_ok },
	[DATE] = { "a date", DIGIT, DIGIT "-", 10, 10, date_ok },
	[UTC] = { "a UTC time", DIGIT, DIGIT "-T:.Z", 27, 27, utc_ok },
	[HEX8] = { "8 hex digits", HEXLC, HEXLC, 8, 8, NULL },
	[HEX32] = { "32 hex digits", HEXLC, HEXLC, 32, 32, NULL },
	[HEX64] = { "64 hex digits", HEXLC, HEXLC, 64, 64, NULL },
	[COUNTRY] = { "a country code", UPPER, UPPER, 2, 2, NULL },
	/* A list (may be ""), a template, an article: config names. */
	[LABEL] = { "a configured name", NAMECH, NAMECH, 0, 64, NULL },
	/* laws.h's names, as laws.c takes them: [A-Za-z0-9 ._-]{1,64} */
	[LAW] = { "a law's name", NAMECH " ", NAMECH " ", 1, 64, NULL },
	/* POSIX's portable user names (and "unknown"). */
	[LOGIN] = { "a login name", LOWER UPPER DIGIT "._", NAMECH, 1, 32,
	    NULL },
	[TICKET] = { "a ticket reference", LOWER UPPER DIGIT,
	    NAMECH ":/#", 1, 64, NULL },
};

_Static_assert(nitems(kinds) == TICKET + 1, "every kind has a row");

static int
kind_ok(enum kind k, const char *s)
{
	return (kinds[k].first == NULL || chars_ok(s, kinds[k].first,
	    kinds[k].rest, kinds[k].min, kinds[k].max)) &&
	    (kinds[k].ok == NULL || kinds[k].ok(s));
}

int
pf_audit_code_in(const char *s, const char *list)
{
	size_t	 n = strlen(s), w;

	while (n > 0 && *list != '\0') {
		w = strcspn(list, " ");
		if (w == n && strncmp(s, list, n) == 0)
			return 1;
		list += w;
		list += strspn(list, " ");
	}
	return 0;
}

/* ---- the rows ---- */

/*
 * The row of event name written with form (NULL: the first of that name,
 * whatever its form).  An event has one row per form it is written with
 * (unsubscribed: the unsubscribe form's, the preference page's).
 */
static const struct event_row *
event_row(const char *name, const char *form)
{
	size_t	 i;

	for (i = 0; i < nitems(events); i++)
		if (strcmp(events[i].name, name) == 0 && (form == NULL ||
		    strcmp(events[i].form, form) == 0))
			return &events[i];
	return NULL;
}

static const struct detail_row *
detail_row(const struct event_row *e, const char *name)
{
	size_t	 i;

	for (i = 0; i < nitems(details); i++)
		if (strcmp(details[i].event, e->name) == 0 &&
		    strcmp(details[i].name, name) == 0)
			return &details[i];
	return NULL;
}

/*
 * A name for why: itself if it is a plain word (a name the caller got
 * wrong), else a placeholder, so that no value is ever repeated.
 */
static const char *
shown(const char *s)
{
	return s != NULL && code_ok(s) ? s : "(not a name)";
}

/* Is the event, its form and its subject as the table says?  0 or 1. */
static int
head_fits(const char *event, const char *form, int subject,
    const struct event_row **row, char why[PF_AUDIT_WHY_SIZE])
{
	const struct event_row	*e;

	if (event == NULL || (e = event_row(event, NULL)) == NULL) {
		snprintf(why, PF_AUDIT_WHY_SIZE, "event %s is not in the table",
		    shown(event));
		return 0;
	}
	if (form != NULL && event_row(event, form) != NULL)
		e = event_row(event, form);
	*row = e;
	if (form == NULL || strcmp(form, e->form) != 0) {
		snprintf(why, PF_AUDIT_WHY_SIZE, "event %s is not written "
		    "with form %s", e->name, shown(form));
		return 0;
	}
	if ((e->subject == NONE && subject) || (e->subject == ONE && !subject)) {
		snprintf(why, PF_AUDIT_WHY_SIZE, "event %s %s a subject",
		    e->name, subject ? "never has" : "always has");
		return 0;
	}
	return 1;
}

/*
 * Is detail name = value one event e may carry?  0 or 1.  With legacy
 * (verify), a legacy row's value of the wrong kind is accepted and
 * *legacy set.
 */
static int
detail_fits(const struct event_row *e, const char *name, const char *value,
    int *legacy, char why[PF_AUDIT_WHY_SIZE])
{
	const struct detail_row	*d;

	if (name == NULL || (d = detail_row(e, name)) == NULL) {
		snprintf(why, PF_AUDIT_WHY_SIZE, "event %s has no detail %s",
		    e->name, shown(name));
		return 0;
	}
	if (value != NULL && kind_ok(d->kind, value) &&
	    (d->codes == NULL || pf_audit_code_in(value, d->codes)))
		return 1;
	if (value != NULL && d->legacy && legacy != NULL) {
		*legacy = 1;
		snprintf(why, PF_AUDIT_WHY_SIZE, "detail %s of %s is not %s: "
		    "free text written before it was one", d->name, e->name,
		    kinds[d->kind].name);
		return 1;
	}
	snprintf(why, PF_AUDIT_WHY_SIZE, "detail %s of %s is not %s%s",
	    d->name, e->name, kinds[d->kind].name,
	    d->codes != NULL ? " of its list" : "");
	return 0;
}

int
pf_audit_detail_ok(const char *event, const char *name, const char *value)
{
	const struct event_row	*e = event_row(event, NULL);
	char			 why[PF_AUDIT_WHY_SIZE];

	return e != NULL && detail_fits(e, name, value, NULL, why);
}

/* Is name among names[0..n)?  A record names each detail once. */
static int
repeated(const char *const *names, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

int
pf_audit_event_fits(const struct pf_audit_event *ev,
    char why[PF_AUDIT_WHY_SIZE])
{
	const struct event_row	*e;
	const char *const	*d = ev->details;
	const char		*seen[PF_AUDIT_MAX_DETAILS + 1];
	size_t			 n = 0;

	if (!head_fits(ev->event, ev->form, ev->subject != NULL, &e, why))
		return PF_EINVAL;
	for (; d != NULL && d[0] != NULL; d += 2, n++) {
		if (n == PF_AUDIT_MAX_DETAILS || repeated(seen, n, d[0])) {
			snprintf(why, PF_AUDIT_WHY_SIZE, "event %s: detail %s "
			    "repeated, or too many", e->name, shown(d[0]));
			return PF_EINVAL;
		}
		if (!detail_fits(e, d[0], d[1], NULL, why))
			return PF_EINVAL;
		seen[n] = d[0];
	}
	return PF_OK;
}

/* ---- a parsed record ---- */

/* The text of the audit element after *n named name, or NULL; xmlFree. */
static xmlChar *
next_text(xmlNodePtr *n, const char *name)
{
	xmlNodePtr	 c = *n;

	if (!audit_is(c, name))
		return NULL;
	*n = xmlNextElementSibling(c);
	return xmlNodeGetContent(c);
}

/* The record's <detail>s, from *n on, against e. */
static int
details_fit(const struct event_row *e, xmlNodePtr n, int *legacy,
    char why[PF_AUDIT_WHY_SIZE])
{
	xmlChar		*names[PF_AUDIT_MAX_DETAILS], *name, *value;
	size_t		 i, count = 0;
	int		 ok = 1;

	for (; ok && audit_is(n, "detail"); n = xmlNextElementSibling(n)) {
		name = xmlGetNoNsProp(n, BAD_CAST "name");
		value = xmlNodeGetContent(n);
		if (count == PF_AUDIT_MAX_DETAILS || name == NULL ||
		    repeated((const char *const *)names, count,
		    (const char *)name)) {
			snprintf(why, PF_AUDIT_WHY_SIZE, "event %s: detail %s "
			    "repeated, or too many", e->name,
			    shown((const char *)name));
			ok = 0;
		} else
			ok = detail_fits(e, (const char *)name,
			    (const char *)value, legacy, why);
		if (ok)
			names[count++] = name;
		else
			xmlFree(name);
		xmlFree(value);
	}
	for (i = 0; i < count; i++)
		xmlFree(names[i]);
	return ok;
}

int
pf_audit_record_fits(xmlNodePtr root, char why[PF_AUDIT_WHY_SIZE],
    int *legacy)
{
	const struct event_row	*e = NULL;
	xmlNodePtr		 n;
	xmlChar			*event, *form;
	int			 ok, subject;

	*legacy = 0;
	why[0] = '\0';
	n = xmlFirstElementChild(root);
	while (audit_is(n, "seq") || audit_is(n, "time"))
		n = xmlNextElementSibling(n);
	event = next_text(&n, "event");
	form = next_text(&n, "form");
	if (audit_is(n, "request"))
		n = xmlNextElementSibling(n);
	if ((subject = audit_is(n, "subject")))
		n = xmlNextElementSibling(n);
	ok = head_fits((const char *)event, (const char *)form, subject, &e,
	    why) && details_fit(e, n, legacy, why);
	xmlFree(event);
	xmlFree(form);
	return ok ? PF_OK : PF_EINVAL;
}

/* ---- the names, for the tests ---- */

/*
 * The i-th distinct string among the n rows of size bytes at rows, each
 * the const char * at offset off in its row; NULL past the last.
 */
static const char *
nth_distinct(const void *rows, size_t n, size_t size, size_t off, size_t i)
{
	const char	*base = rows, *s, *t;
	size_t		 j, k;

	for (j = 0; j < n; j++) {
		memcpy(&s, base + j * size + off, sizeof(s));
		for (k = 0; k < j; k++) {
			memcpy(&t, base + k * size + off, sizeof(t));
			if (strcmp(s, t) == 0)
				break;
		}
		if (k == j && i-- == 0)
			return s;
	}
	return NULL;
}

const char *
pf_audit_event_name(size_t i)
{
	return nth_distinct(events, nitems(events), sizeof(events[0]),
	    offsetof(struct event_row, name), i);
}

const char *
pf_audit_form_name(size_t i)
{
	return nth_distinct(events, nitems(events), sizeof(events[0]),
	    offsetof(struct event_row, form), i);
}

const char *
pf_audit_detail_name(size_t i)
{
	return nth_distinct(details, nitems(details), sizeof(details[0]),
	    offsetof(struct detail_row, name), i);
}
