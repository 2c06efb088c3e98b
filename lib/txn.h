/*
 * txn.h -- one write transaction and the audit records it appends.
 *
 * Every change privforms makes, whether a visitor's submission (app.h) or
 * an operator's command (tools/), follows the same steps:
 *
 *	pf_txn_begin(&t, st, audit_dir, form)	BEGIN IMMEDIATE
 *	pf_store_...(st, ...)			the change
 *	pf_txn_audit(&t, ...)			its audit record(s)
 *	pf_txn_commit(&t)			COMMIT, then the record files
 *
 * and pf_txn_rollback on any failure, so a record exists exactly when its
 * change was committed (audit.h; on PostgreSQL pf_txn_audit stores it
 * pending and pf_txn_commit seals it after the COMMIT, so that no
 * transaction holds the chain's lock while its commit is flushed).
 */
#ifndef PF_TXN_H
#define PF_TXN_H

#include <stddef.h>

#include "audit.h"

struct pf_store;

#define PF_TXN_MAX_RECORDS 64	/* audit records in one transaction */

struct pf_txn {
	struct pf_store		*st;
	const char		*audit_dir;
	const char		*form;	/* the form in the records: "admin", ... */
	const char		*operator; /* NULL after pf_txn_begin; else
					   the last detail of each record,
					   "operator" (tools/cli.c sets it) */
	struct pf_audit_record	 rec[PF_TXN_MAX_RECORDS]; /* not yet written */
	size_t			 n;
};

/* BEGIN IMMEDIATE on st.  PF_EBUSY, PF_ESTORE. */
int pf_txn_begin(struct pf_txn *t, struct pf_store *st, const char *audit_dir,
    const char *form);

/*
 * Append a record for event inside the transaction.  request_id and subject
 * (a pseudonym, keys.h) may be NULL; details as in audit.h.  PF_ETOOBIG
 * past PF_TXN_MAX_RECORDS.
 */
int pf_txn_audit(struct pf_txn *t, const char *request_id, const char *event,
    const char *subject, const char *const *details);

/*
 * COMMIT, then seal the records (PostgreSQL: audit.h, Sealing) and write
 * their files.  A failure after the COMMIT is logged only: the database
 * holds the durable copy (sealed, or pending until the next seal) and
 * `privforms audit sync` seals and writes it.  Rolls back if the commit
 * fails.  Ends the store's deadline (pf_store_until), which bounded the
 * transaction: the seal after the COMMIT waits only the busy timeout.
 */
int pf_txn_commit(struct pf_txn *t);

/* Roll back and drop the appended records; a no-op outside a transaction. */
void pf_txn_rollback(struct pf_txn *t);

/*
 * The transaction's last record, then the COMMIT: pf_txn_audit and
 * pf_txn_commit, rolled back (pf_txn_rollback) if either fails.  For a
 * change whose record ends it, or that is its record alone (a read of
 * personal data, a key rotated).  PF_OK, or the error of the step that
 * failed; t is ended either way.
 */
int pf_txn_audit_commit(struct pf_txn *t, const char *request_id,
    const char *event, const char *subject, const char *const *details);

#endif
