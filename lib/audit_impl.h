/*
 * audit_impl.h -- what the audit trail's three files share.
 *
 * PRIVATE to lib/audit.c (building, digesting, appending a record),
 * lib/audit_file.c (record files: paths, writing, sync, what is missing)
 * and lib/audit_verify.c (checking the trail); everyone else uses audit.h.
 */
#ifndef PF_AUDIT_IMPL_H
#define PF_AUDIT_IMPL_H

#include <libxml/parser.h>
#include <libxml/tree.h>

struct pf_store;
struct pf_audit_row;

#define ZERO_DIGEST	"0000000000000000000000000000000000000000000000000000000000000000"
#define SEQ_MAX		999999999999LL	/* 12 digits in a file name */
#define FILE_MAX	(1024 * 1024)	/* no record comes near this */
#define PARSE_OPTS	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* Is n the element name in the audit namespace? */
int audit_is(xmlNodePtr n, const char *name);

/* Remove a parsed record's <digest> and digest what is left. */
int audit_unseal_digest(xmlDocPtr doc, char out[65]);

/* A new string from fmt (asprintf is not in POSIX 2008). */
char *audit_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The path of record seq into *out.  time comes from the database, so it is
 * checked to start with a plain date: it names a directory.
 */
int audit_path(const char *dir, long long seq, const char *time, char **out);

/* The seq a record file name stands for, or 0: "NNNNNNNNNNNN.xml". */
long long audit_name_seq(const char *name);

/* "YYYY-MM-DD": the name of a day's directory (audit_path). */
int audit_day_name(const char *name);

/*
 * Walking the whole trail in one SELECT would hold a read lock throughout,
 * and in rollback-journal mode a reader blocks every writer's commit: the
 * site would answer 503 while an auditor verifies.  So the records are
 * read in batches, each its own short read transaction: fn calls
 * audit_walk_step for each row and returns what it returns (WALK_PAUSE when
 * the batch is full), or non-zero to stop.
 */
#define WALK_BATCH	256
#define WALK_PAUSE	(-1)	/* a callback's "batch full, call again" */

struct walk {
	long long	 next;	/* where the next batch starts */
	int		 n;	/* records in this batch */
};

int audit_walk_step(struct walk *w, const struct pf_audit_row *r);
int audit_walk(struct pf_store *st, struct walk *w,
    int (*fn)(const struct pf_audit_row *, void *), void *arg);

#endif
