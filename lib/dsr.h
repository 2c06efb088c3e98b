/*
 * dsr.h -- data subject requests: what can be asked, the states a request
 * goes through, its deadlines, and the links and mails it carries.
 *
 * A request is received unverified; the link in the first mail verifies
 * it (the address is the requester's); the team then fulfils or denies it,
 * possibly after extending it once, within the deadline of the law of the
 * place the person lives (laws.h).  Every mail to the requester carries a
 * link to the status page.  The form (cgi-bin/data-request.c) and the
 * team's commands (tools/cmd_request.c) share what is here, so a request
 * reads the same in a mail, on the status page and in `privforms`.
 *
 * Appeals: where the request's law gives one (laws.h's appeal period), a
 * denied request may be appealed once, from its status link, until
 * request_appeal_days after the denial; the appeal is due the law's
 * appeal period after it is made, and the team grants it (the request is
 * open again, to be fulfilled) or denies it (the requester is told which
 * regulator the table names).
 */
#ifndef PF_DSR_H
#define PF_DSR_H

#include <time.h>

#include "copy.h"
#include "form.h"
#include "lang.h"
#include "store.h"

struct pf_config;
struct pf_keys;
struct pf_laws;
struct pf_store;

/*
 * Tables of (code, label, code, label, ..., NULL), as pf_pages_options
 * and pf_valid_choice take them.  Codes are what is stored; labels are
 * what people read.
 */
extern const char *const pf_dsr_types[];	/* "access", "A copy of my personal data", ... */
extern const char *const pf_dsr_relationships[]; /* "customer", "Customer", ... */
/*
 * Why a request is denied (denials.h): code and the plain words the
 * requester reads; code and the provisions it rests on.
 */
extern const char *const pf_dsr_denials[];
extern const char *const pf_dsr_denial_sources[];
extern const char *const pf_dsr_statuses[];	/* "verified", "Verified: we are working on it", ... */

/* A label: pf_choice_label (validate.h). */

/*
 * A request copied out of the store (pf_store_dsr_get's row lives only as
 * long as its callback): pf_dsr_hold is that callback, with arg a struct
 * pf_dsr_copy.  The copy owns the strings in mem; r points at them, and
 * its members may be pointed elsewhere (at the status after a change, for
 * a mail) without disturbing what pf_dsr_drop frees.
 */
#define PF_DSR_NSTRINGS 23	/* the string members of struct pf_dsr */

/*
 * pf_dsr_hold(row, arg): row into arg; PF_OK, or PF_ENOMEM (nothing held).
 * pf_dsr_drop(c): free what c holds and zero it; accepts a zeroed copy.
 */
PF_COPY_HEAD(pf_dsr_copy, pf_dsr, r, PF_DSR_NSTRINGS);
PF_COPY_PROTOTYPE(pf_dsr, pf_dsr_copy, pf_dsr);

/* Token purposes (token.h) of the two links. */
#define PF_DSR_VERIFY	"dsr-verify"
#define PF_DSR_STATUS	"dsr-status"

/*
 * The absolute URL of request id's verify page (purpose PF_DSR_VERIFY,
 * path prefix + "/request/verify") or status page (PF_DSR_STATUS,
 * "/request/status"), base_url first, with ?t= a token (token.h) that
 * carries id and the current language (lang.h) and expires at expires.
 * *url is a new string.  The status link also opens the appeal form,
 * and the verify link the page where a person confirms an agent.
 */
int pf_dsr_link(const struct pf_config *cfg, const struct pf_keys *keys,
    const char *purpose, long long id, time_t expires, char **url);

/*
 * Check a link's token text for purpose: PF_OK and the request id in
 * *id, the link's language followed (lang.h's pf_lang_follow: the page
 * is in the language the link was made in, unless the visitor chose
 * one); or PF_EFORGED (not ours, malformed, another purpose) or
 * PF_EEXPIRED.  A link made before links had a language changes none.
 */
int pf_dsr_link_check(const struct pf_keys *keys, const char *purpose,
    const char *text, time_t now, long long *id);

/* What the law of the place says about a request received then. */
struct pf_dsr_terms {
	const char	*law;		/* the laws table's; valid while it is */
	char		 due[PF_DATE_SIZE];	/* "YYYY-MM-DD" */
	char		 acknowledge[PF_DATE_SIZE]; /* "" when the law sets no period */
	char		 extension[32];	/* "2 months"; "" when none */
};

/* The terms for a person in country (and US state, or NULL) at received. */
int pf_dsr_terms(const struct pf_laws *laws, const char *country,
    const char *state, time_t received, struct pf_dsr_terms *out);

/*
 * The due date after the extension ("2 months", as stored) is added to
 * due ("YYYY-MM-DD"): from the date the request was due, calendar-correct
 * as laws.h counts.  Deliberately conservative: counting from the due date
 * is how Art. 12(3) GDPR's "further two months" is usually read, and it
 * never gives a date later than the law allows, though it can give an
 * earlier one than counting from receipt (received 31 January, due 28
 * February: extended to 28 April, not 30 April).  PF_EINVAL if extension
 * is not a period.
 */
int pf_dsr_extended_due(const char *due, const char *extension, char out[PF_DATE_SIZE]);

/*
 * A date or time as the pages show it, in the current language
 * (datefmt.h), and its machine-readable form for <time datetime="...">:
 * pf_dsr_date reads a date ("2027-03-02", or the day of a stored time) as
 * "2 March 2027" ("2. März 2027" in German), datetime "2027-03-02";
 * pf_dsr_time reads a stored time ("2027-01-31T14:05:09.123456Z") as "31
 * January 2027, 14:05 UTC", datetime "2027-01-31T14:05Z".  Stored times
 * are UTC, so the zone is said, never guessed.  PF_EINVAL (out emptied)
 * for text that is no such date or time, or names a day that does not
 * exist.
 */
struct pf_dsr_when {
	char	 text[256];	/* "30 September 2027, 23:59 UTC" */
	char	 datetime[40];	/* "2027-09-30T23:59Z" */
};

int pf_dsr_date(const char *s, struct pf_dsr_when *out);
int pf_dsr_time(const char *s, struct pf_dsr_when *out);

/*
 * A day or a stored time as a mail to a person says it: in a language
 * other than the source one, as the pages say it (pf_dsr_date for a day,
 * "2027-03-02", pf_dsr_time for a stored time), in out->text; in the
 * source language as it is, since English mails have always given ISO
 * 8601 days (and the team's tools and tests read them so).  Text that is
 * neither is returned as it is.  pf_dsr_mail and the agent's mails apply
 * it to their dates (received, due, appeal_due, previous_due); a caller
 * passes verify_by through it.
 */
const char *pf_dsr_mail_date(const char *s, struct pf_dsr_when *out);

/*
 * The state a request is in, as the requester and the team's lists read
 * it: "appealed" while its appeal is open, "appeal-denied" once it is
 * denied, its status otherwise (a granted appeal reopens the request:
 * "verified").  A code of pf_dsr_statuses.
 */
const char *pf_dsr_state(const struct pf_dsr *r);

/* When r is due: its appeal's due date while that is open, else r->due. */
const char *pf_dsr_due_by(const struct pf_dsr *r);

/*
 * Whether denied request r may be appealed at now under its law, with
 * window_days (config's request_appeal_days) from the denial (r->updated,
 * which nothing changes after a denial but the appeal): PF_OK, and the
 * last day it may be ("YYYY-MM-DD") in until; PF_EEXPIRED, until filled,
 * when that day has passed; PF_ENOTFOUND (until "") when there is no
 * appeal to make: r not denied, appealed before, or its law (the table's
 * row for r's place, if it is still the law r was given) has none.
 */
int pf_dsr_appealable(const struct pf_laws *laws, const struct pf_dsr *r,
    long window_days, time_t now, char until[PF_DATE_SIZE]);

/*
 * When an appeal of r made at now is to be decided: the law's appeal
 * period after now, counted as its due dates are (laws.h).  PF_ENOTFOUND
 * if r's law gives no appeal.
 */
int pf_dsr_appeal_due(const struct pf_laws *laws, const struct pf_dsr *r,
    time_t now, char out[PF_DATE_SIZE]);

/*
 * Whom r's requester may turn to when the answer goes against them: the
 * laws table's regulator for r's law, in the current language (the
 * shipped table's words are catalogue messages: tools/gen-table-pot.py;
 * a company's own are shown as written), or NULL when it names none (or
 * r's place is now under another law).  Valid while laws is.
 */
/*
 * A law's short name as a person reads it (r->law), in the current
 * language like the regulator: "DSGVO" for "GDPR" in German.  "none" (no
 * law: the "*" row) is returned as it is; pages say it in words
 * (dsrpage.h).
 */
const char *pf_dsr_law_words(const char *law);

const char *pf_dsr_regulator(const struct pf_laws *laws,
    const struct pf_dsr *r);

/*
 * The note `privforms request erase` records with the request's
 * fulfilment and mails with it: kept in the store as it is (the team's
 * words), and read in the reader's language (_(), lang.h) on the status
 * page and in the requester's mail.
 */
#define PF_DSR_ERASED_NOTE	N_("Your personal data held by this " \
				"service has been erased.")

/*
 * Queue mail template to r's requester inside the caller's open
 * transaction, with the values every request mail has:
 *
 *	id		the request number
 *	type		its type's label
 *	received	"YYYY-MM-DD"
 *	due		"YYYY-MM-DD"
 *	law		"GDPR", ...
 *	status		its status's label
 *	status_url	a new status link, valid request_status_days
 *	site		base_url + prefix + "/"
 *
 * and extra (name, value, ..., NULL; may be NULL), e.g. the reason of a
 * denial.  The mail, its values and its status link are in r's language
 * (r->lang, the request's stored one; the current language when NULL,
 * as in the form's handler before the request is stored): extra should
 * be written in it too (lang.h's pf_lang_push around the call).  r->status must be the status after the change the mail tells
 * of.  The mail's records carry r->subject.  PF_EINVAL when r has no
 * address (erased).
 */
int pf_dsr_mail(struct pf_store *st, const struct pf_config *cfg,
    const struct pf_keys *keys, const struct pf_dsr *r, const char *template,
    const char *const *extra);

/*
 * Queue template about r to the privacy team (privacy_team), with id,
 * type, received, due, law and site as above plus country, and the
 * command that shows the request, in the team's language (config.h's
 * default_language); PF_OK and nothing queued when no team address is
 * configured.  The team's mail names no one: the team reads
 * the request with `privforms request show`.
 */
int pf_dsr_mail_team(struct pf_store *st, const struct pf_config *cfg,
    const struct pf_dsr *r, const char *template);

#endif
