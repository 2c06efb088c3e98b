/*
 * audit.h -- the XML audit trail.
 *
 * Every accepted submission and every state change appends one record:
 *
 *	<record xmlns="urn:privforms:audit:1" version="1">
 *	  <seq>, <time>, <event>, <form>, <request>, [<subject>], [<detail name="">]*,
 *	  <prev>, <digest>
 *	</record>
 *
 * (written without indentation).  <digest> is the hex SHA-256 of the
 * canonical form (C14N 1.0, no comments) of the record without its <digest>
 * element; <prev> is the previous record's digest (64 zeros for the first), so
 * the records form a chain.  The subject is never raw personal data: it is
 * the keyed pseudonym of keys.h.  etc/audit.xsd is the schema; AUDIT.md is
 * the auditor's procedure.
 *
 * pf_audit_append runs inside the caller's transaction, so a record exists
 * exactly when the change it records was committed.  After the commit the
 * caller writes the record's file (pf_audit_write); the file needs no fsync,
 * because the database holds the durable copy and pf_audit_sync rewrites any
 * file that is missing.
 *
 * Sealing (PostgreSQL, issue 21; audit_seal.c): there the append stores
 * the record's content as pending, not yet numbered or chained, so that
 * writers on every node commit without waiting for one another (store.h,
 * "records sealed after the commit").  After the commit, pf_audit_settle
 * gives each record its place: a seal (pf_audit_seal) numbers every
 * pending record committed so far, gapless, each chained to the one
 * before and its time raised to that one's if a node's clock is behind,
 * and the sealer writes the files of the records it sealed.  So on PostgreSQL a
 * record exists exactly when its change was committed, and has its seq a
 * moment later; a writer that dies in between leaves it pending, and the
 * next seal anywhere (any writer's, `privforms audit sync`, `audit
 * verify`) chains it.  SQLite appends inside the transaction, as ever:
 * every function below behaves there as it did.
 */
#ifndef PF_AUDIT_H
#define PF_AUDIT_H

#include <stddef.h>
#include <stdio.h>

#include "utc.h"

struct pf_store;

#define PF_AUDIT_NS "urn:privforms:audit:1"

struct pf_audit_event {
	const char	*event;		/* "unsubscribed", ... */
	const char	*form;		/* "unsubscribe", ... or "admin" */
	const char	*request_id;	/* may be NULL */
	const char	*subject;	/* pseudonym, or NULL */
	const char *const *details;	/* name, value, name, value, ..., NULL; no personal data */
};

/*
 * What pf_audit_append made, for pf_audit_settle after the commit.  While
 * pending is not 0 (PostgreSQL: sealed after the commit) the record has no
 * seq (0), digest or xml yet: time is its writer's clock.
 */
struct pf_audit_record {
	long long	 seq;
	char		 time[PF_TIME_SIZE];
	char		 digest[65];
	char		*xml;
	size_t		 xml_len;
	long long	 pending;	/* its audit_pending row; 0: sealed;
					   -1: pending, the row's id not
					   known (a COMMIT's lost answer) */
};

/*
 * Build the next record for ev and store it; call between pf_store_begin and
 * pf_store_commit.  rec is filled (on PostgreSQL, pending: see Sealing;
 * its pending id is set by the COMMIT, which the row is sent with, so rec
 * must stay where it is until the transaction ends, and is -1 when the
 * COMMIT's answer was lost but it committed); free it with
 * pf_audit_record_clear.
 * Every string in ev must pass pf_utf8_ok, and ev must fit the table of
 * events (audit_events.h): else PF_EINVAL, logged with the event's and the
 * detail's names (never a value).
 */
int pf_audit_append(struct pf_store *st, const struct pf_audit_event *ev,
    struct pf_audit_record *rec);
void pf_audit_record_clear(struct pf_audit_record *rec);

/*
 * After the commit, outside any transaction, with recs[0..n) the
 * transaction's records (n at most 64): each one's file written in dir,
 * by this call (a sealed record, as SQLite's always are) or by the seal
 * that chains it.  A pending one is sealed here if no seal runs (one seal
 * for all of recs, and for every other record committed so far); while
 * one does, the call returns once that seal has taken them (it writes
 * their files after its commit), and otherwise waits for it to end and
 * tries again instead of queueing for the lock, so that one seal takes
 * the records of every writer waiting (a queue would make it one seal,
 * one disk flush, each).  So when it returns PF_OK each record is sealed
 * or in a seal transaction running; one that rolls back leaves them
 * pending for the next seal, as a failure here does (logged): the next
 * seal anywhere, or `privforms audit sync`, chains them and writes the
 * files.  Records stay as pf_audit_append made them.
 */
int pf_audit_settle(struct pf_store *st, const char *dir,
    struct pf_audit_record *recs, size_t n);

/*
 * Seal every record pending when it starts, outside any transaction:
 * batches of at most 64, each its own short transaction holding the
 * appenders' lock, until one comes back short.  *sealed (may be NULL)
 * counts them.  A no-op on SQLite.  PF_EBUSY, PF_ESTORE, PF_ENOMEM;
 * PF_EXML for a pending row that is not a record (then nothing of that
 * batch is sealed).
 */
int pf_audit_seal(struct pf_store *st, long long *sealed);

/*
 * The file of a record: DIR/YYYY-MM-DD/NNNNNNNNNNNN.xml (UTC day of its time,
 * seq zero-padded to 12 digits).  New string.
 */
char *pf_audit_path(const char *dir, long long seq, const char *time);

/*
 * Write rec's file after its commit (a temporary file, then link(); no
 * fsync, see above).  A file is never replaced: one already there with
 * the same bytes is left (a worker and `privforms audit sync` writing one
 * record at once), one with other bytes is moved aside to
 * DIR/displaced/STAMP/YYYY-MM-DD/NNNNNNNNNNNN.xml and logged, once
 * (audit_impl.h; AUDIT.md, "Displaced files").  The caller need not log
 * a failure: the first of a run of failures is logged, with the advice to
 * run `privforms audit sync`, and the first success after them, with how
 * many files are missing; the failures between are not (once per process,
 * not once per request).  Run as root (privforms backup), the file and a
 * day directory it makes are given to dir's owner, whose programs write
 * the day's other records.
 */
int pf_audit_write(const char *dir, const struct pf_audit_record *rec);

/* STAMP in DIR/displaced/STAMP/: "20261205T032014.123456Z" and NUL. */
#define PF_AUDIT_STAMP_SIZE	24

/*
 * ---- after a restore (audit_restore.c) ----
 *
 * A database restored from a backup ends at the backup's last record, L,
 * while the audit directory may hold the files of records L+1 ... that
 * were written after the backup.  Left alone, the next records would
 * reuse those numbers.  `privforms init` looks (pf_audit_beyond) and, if
 * so, recovers them (pf_audit_recover) inside its write transaction, then
 * appends an `audit-restored` record (AUDIT.md).
 */
struct pf_audit_recovery {
	long long	 backup_seq;	/* L: the database's last record */
	long long	 found;		/* record files beyond it */
	long long	 recovered;	/* of them, imported: they chain on */
	long long	 displaced;	/* of them, moved aside: they do not */
	long long	 checkpoint;	/* the newest checkpoint's count; -1: none */
	int		 restored;	/* the database went back: record it */
	char		 stamp[PF_AUDIT_STAMP_SIZE]; /* DIR/displaced/STAMP */
	/* The record's details (pf_audit_event's), set by pf_audit_recover. */
	char		 num[4][24];
	const char	*details[9];
};

/* The event of the record that says so (AUDIT.md). */
#define PF_AUDIT_RESTORED	"audit-restored"

/*
 * A cheap look, in no transaction, at whether the database went back:
 * *beyond 1 when dir holds a record file whose seq is past the database's
 * last record (in the days from that record's on), or a checkpoint
 * (DIR/checkpoints/NNNNNNNNNNNN.txt) counts more records than it has and
 * the last audit-restored record does not already name that checkpoint.
 * Files a worker writes meanwhile are no evidence: the last record is
 * read again after the listing.  PF_OK, or PF_EIO (logged).
 */
int pf_audit_beyond(struct pf_store *st, const char *dir, int *beyond);

/*
 * Inside the caller's write transaction (pf_store_begin): every record file
 * in dir past the database's last record, in seq order, is checked as
 * pf_audit_check does (schema xsd; its seq, prev, digest) and for its place
 * (the day of its time, a time not before the record it follows); the
 * ones that chain on from the last record are stored as the database's
 * records, the first that does not and every one after it are moved aside
 * (DIR/displaced/STAMP/...: audit_impl.h), each said on report (may be
 * NULL) and in the log.  r says what was done; when r->restored, the
 * caller appends a PF_AUDIT_RESTORED record with r->details (no subject,
 * form admin) in the same transaction.  On an error the caller rolls
 * back (files already moved aside stay there).
 */
int pf_audit_recover(struct pf_store *st, const char *dir, const char *xsd,
    FILE *report, struct pf_audit_recovery *r);

/*
 * Seal what is pending (pf_audit_seal), then write every record file that
 * is missing; *written counts them.  A file
 * that is there is left as it is, whatever it holds (`audit verify` says
 * if it differs).
 */
int pf_audit_sync(struct pf_store *st, const char *dir, long long *written);

/*
 * How many records of the trail in st have no file in dir, into *missing,
 * without writing anything (privforms metrics).  It lists dir's day
 * directories once (names only) against the last record's seq, then looks
 * up each record whose name was not listed, so the cost is one listing of
 * the trail plus one database read per missing file.  A file with a
 * record's name in another day's directory counts as there; `privforms
 * audit verify` reports it.  PF_EIO (logged) when dir cannot be read.
 */
int pf_audit_missing(struct pf_store *st, const char *dir, long long *missing);

/*
 * Check the trail: every record file, in order, against the schema, its own
 * digest, the previous record's digest, and the copy in the database; its
 * time equals the database's (which names its day directory) and is not
 * before the previous record's; no file missing, none extra.  Writes one
 * line per problem to report (may be NULL), in record order, and sets *bad
 * to the seq of the first failing record (0 if none; for an extra file, the
 * seq its name gives, or -1 if its name is not a record's).  Returns PF_OK
 * if all is well, PF_EXML on a failure, other codes when the check itself
 * could not run.  A record written before dnc-removed's reason was a code
 * gets a "note:" line (audit_events.h), not a failure.
 *
 * A record's digest is recomputed from the file's bytes when they are laid
 * out as privforms writes them (AUDIT.md, "How fast": canonical XML with
 * <digest> added), which is what C14N would give, and through libxml2's C14N
 * otherwise; every record is parsed and validated against the schema either
 * way.  With opts->store, the trail is split into opts->jobs ranges of
 * records (0: one per online core), each checked by a thread of its own on
 * its own connection (opened with opts->store); the report is the same as
 * one thread's.  The check of extra files keeps 4 bytes per record in
 * memory.
 *
 * With opts->since_count > 0 the trail must also extend that checkpoint:
 * records 1 to since_count all exist and record since_count's digest is
 * since_head (64 hex digits); else a line "the trail does not extend
 * checkpoint N: ..." says why (*bad is then at most N).  opts may be NULL:
 * one thread, no checkpoint.
 */
struct pf_store_opts;
struct pf_audit_verify_opts {
	long long			 since_count;
	const char			*since_head;
	const struct pf_store_opts	*store;
	int				 jobs;
};
int pf_audit_verify(struct pf_store *st, const char *dir, const char *xsd,
    const struct pf_audit_verify_opts *opts, FILE *report, long long *bad);

/*
 * pf_audit_verify's checks of the database's copy of the trail alone, for
 * a trail whose files are elsewhere (privforms migrate checks both sides
 * of a copy): every record in order against the schema, its own digest,
 * the previous record's digest and time, no seq missing.  One line per
 * problem to report (may be NULL); *bad the first failing seq (0: none),
 * *count the last seq and head (65 bytes) its digest (64 zeros for an
 * empty trail).  PF_OK, PF_EXML on a failure, other codes when the check
 * could not run.  Inside a transaction of st, if the caller wants the
 * trail of one snapshot.
 */
int pf_audit_verify_db(struct pf_store *st, const char *xsd, FILE *report,
    long long *bad, long long *count, char head[65]);

/*
 * pf_audit_verify's check of one record's text, apart from its file and
 * the database copy, for a record handed over some other way (and for the
 * fuzz harness): xml[0..len) must be well-formed (libxml2 loads no DTD,
 * expands no entity and fetches nothing), have no document type
 * declaration, comment, processing instruction or CDATA section, be valid
 * against the schema s, and carry seq, prev and a digest that matches both
 * its content and digest.  One line per problem goes to report (may be
 * NULL).  PF_OK, or PF_EXML.  s is loaded once (pf_audit_schema_load:
 * PF_ECONFIG, said in the log, if xsd cannot be) and freed with
 * pf_audit_schema_free, which accepts NULL.
 */
struct pf_audit_schema;
int pf_audit_schema_load(const char *xsd, struct pf_audit_schema **out);
void pf_audit_schema_free(struct pf_audit_schema *s);
int pf_audit_check(struct pf_audit_schema *s, const char *xml, size_t len,
    long long seq, const char *prev, const char *digest, FILE *report);

/* The digest of a serialised record: C14N without <digest>, hex SHA-256. */
int pf_audit_digest(const char *xml, size_t len, char out[65]);

#endif
