/* txn.c -- one write transaction and its audit records (txn.h). */
#include <string.h>

#include "audit_events.h"
#include "err.h"
#include "store.h"
#include "txn.h"

int
pf_txn_begin(struct pf_txn *t, struct pf_store *st, const char *audit_dir,
    const char *form)
{
	t->st = st;
	t->audit_dir = audit_dir;
	t->form = form;
	t->operator = NULL;
	t->n = 0;
	return pf_store_begin(st);
}

/* details, then "operator", op, into all (NULL-terminated). */
static int
with_operator(const char *op, const char *const *details,
    const char *all[2 * PF_AUDIT_MAX_DETAILS + 1])
{
	size_t	 n = 0;

	for (; details != NULL && details[n] != NULL; n += 2) {
		if (n + 2 >= 2 * PF_AUDIT_MAX_DETAILS)
			return PF_EINVAL;	/* no room for the operator */
		all[n] = details[n];
		all[n + 1] = details[n + 1];
	}
	all[n] = "operator";
	all[n + 1] = op;
	all[n + 2] = NULL;
	return PF_OK;
}

int
pf_txn_audit(struct pf_txn *t, const char *request_id, const char *event,
    const char *subject, const char *const *details)
{
	struct pf_audit_event	 ev;
	const char		*all[2 * PF_AUDIT_MAX_DETAILS + 1];
	int			 rc;

	if (t->n == PF_TXN_MAX_RECORDS)
		return PF_ETOOBIG;
	memset(&ev, 0, sizeof(ev));
	ev.event = event;
	ev.form = t->form;
	ev.request_id = request_id;
	ev.subject = subject;
	ev.details = details;
	if (t->operator != NULL) {
		if ((rc = with_operator(t->operator, details, all)) != PF_OK)
			return rc;
		ev.details = all;
	}
	if ((rc = pf_audit_append(t->st, &ev, &t->rec[t->n])) == PF_OK)
		t->n++;
	return rc;
}

static void
clear(struct pf_txn *t)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		pf_audit_record_clear(&t->rec[i]);
	t->n = 0;
}

int
pf_txn_commit(struct pf_txn *t)
{
	int	 rc;

	rc = pf_store_commit(t->st);
	/*
	 * The deadline bounded the caller's transaction, which has ended: the
	 * seal is a transaction of its own, bounded by the busy timeout, so a
	 * slow request's record is not left pending by the moments it had
	 * left.
	 */
	pf_store_until(t->st, NULL);
	if (rc != PF_OK) {
		clear(t);
		return rc;
	}
	if (t->n > 0)
		(void)pf_audit_settle(t->st, t->audit_dir, t->rec, t->n);
	clear(t);
	return PF_OK;
}

void
pf_txn_rollback(struct pf_txn *t)
{
	if (t->st != NULL)
		pf_store_rollback(t->st);
	clear(t);
}

int
pf_txn_audit_commit(struct pf_txn *t, const char *request_id,
    const char *event, const char *subject, const char *const *details)
{
	int	 rc;

	if ((rc = pf_txn_audit(t, request_id, event, subject,
	    details)) == PF_OK && (rc = pf_txn_commit(t)) == PF_OK)
		return PF_OK;
	pf_txn_rollback(t);
	return rc;
}
