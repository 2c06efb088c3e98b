/*
 * audit_events.h -- the table of audit events (audit_events.def).
 *
 * Every record's event, form, subject and details must fit one row of
 * the table: the event is listed, the form is one it may be written
 * with, the subject is there exactly when the row says, and each detail
 * is one the event may carry, with a value of its kind (a code from a
 * fixed list, a count, a date, a UTC time, a hex id, ...).  None of the
 * kinds can hold free text, so no reason, note or name typed by anyone
 * reaches a record.  pf_audit_append refuses an event that does not fit
 * (audit.h); `privforms audit verify` reports a record that does not.
 *
 * etc/audit.xsd enumerates the same event, form and detail names; what
 * XSD 1.0 cannot say (which details belong to which event, each value's
 * kind) only this table checks: AUDIT.md says which check does what.
 */
#ifndef PF_AUDIT_EVENTS_H
#define PF_AUDIT_EVENTS_H

#include <stddef.h>

#include <libxml/tree.h>

#include "denials.h"

struct pf_audit_event;

/* The fixed vocabularies the table's codes come from. */
#define PF_AUDIT_DSR_TYPES	"access deletion correction portability " \
				"restriction objection opt-out-sale other"
#define PF_AUDIT_FEEDBACK_TYPES	"compliment question product-inquiry " \
				"website-issue complaint"
#define PF_AUDIT_RATINGS	"terrible bad okay great amazing"
/* `privforms dnc remove --reason` (privforms(8) says what each means). */
#define PF_AUDIT_DNC_REASONS	"subject-request registered-in-error " \
				"number-reassigned legal-obligation"
/* request-denied's reason: denials.h's codes, spelled there once. */
#define PF_AUDIT_DENIAL_CODE(code, words, source)	code " "
#define PF_AUDIT_DENIAL_REASONS	PF_DENIALS(PF_AUDIT_DENIAL_CODE)
/* personal-data-read's what: the command that read, its words joined. */
#define PF_AUDIT_READS		"unsubscribes-export dnc-export " \
				"feedback-list request-show party-show backup " \
				"consent-export optouts-export migrate " \
				"lists-export"

#define PF_AUDIT_MAX_DETAILS	16	/* in one record */
#define PF_AUDIT_WHY_SIZE	160	/* a reason below, with its NUL */

/*
 * Does ev fit the table?  PF_OK, or PF_EINVAL with why (names only, never
 * a value: a value that does not fit may be personal data).
 */
int pf_audit_event_fits(const struct pf_audit_event *ev,
    char why[PF_AUDIT_WHY_SIZE]);

/*
 * The same for a parsed record (root is its <record>), for verify: PF_OK,
 * or PF_EINVAL with why.  *legacy is set to 1 when a detail the table
 * marks legacy holds text that is not of its kind (dnc-removed's reason
 * from before reasons were codes): accepted, and why says so.
 */
int pf_audit_record_fits(xmlNodePtr root, char why[PF_AUDIT_WHY_SIZE],
    int *legacy);

/*
 * Is value one that detail name of event may hold (a command checks what
 * it was given before it changes anything)?  1 or 0.
 */
int pf_audit_detail_ok(const char *event, const char *name, const char *value);

/* Does s belong to list, a space-separated list of words? */
int pf_audit_code_in(const char *s, const char *list);

/*
 * The names in the table, for the tests that hold etc/audit.xsd and
 * AUDIT.md to it: the i-th event, form, or distinct detail name (in the
 * order of their first row), or NULL past the last.
 */
const char *pf_audit_event_name(size_t i);
const char *pf_audit_form_name(size_t i);
const char *pf_audit_detail_name(size_t i);

#endif
