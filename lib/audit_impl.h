/*
 * audit_impl.h -- what the audit trail's three files share.
 *
 * PRIVATE to lib/audit.c (building, digesting, appending a record),
 * lib/audit_file.c (record files: paths, writing, sync, what is missing),
 * lib/audit_restore.c (taking the trail up after a database restore),
 * lib/audit_seal.c (chaining PostgreSQL's pending records)
 * and lib/audit_verify.c (checking the trail); everyone else uses audit.h.
 */
#ifndef PF_AUDIT_IMPL_H
#define PF_AUDIT_IMPL_H

#include <stddef.h>

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

/*
 * Digest a built record (its <digest> not yet there) and make its file's
 * text: rec's digest, xml and xml_len.  pf_audit_append and the seal's.
 */
struct pf_audit_record;
int audit_record_seal(xmlDocPtr doc, struct pf_audit_record *rec);

/* A new string from fmt (asprintf is not in POSIX 2008). */
char *audit_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The path of record seq into *out.  time comes from the database, so it is
 * checked to start with a plain date: it names a directory.
 */
int audit_path(const char *dir, long long seq, const char *time, char **out);

/* The seq a record file name stands for, or 0: "NNNNNNNNNNNN.xml". */
long long audit_name_seq(const char *name);

/* The number of "NNNNNNNNNNNN" followed by ext ("NNNNNNNNNNNN.txt"), or 0. */
long long audit_name_num(const char *name, const char *ext);

/*
 * ---- files that are not the database's records (AUDIT.md, "Displaced
 * files") ----
 *
 * A record file is never replaced.  One that holds other bytes than the
 * record the database has under its seq is moved aside, to
 * DIR/displaced/STAMP/YYYY-MM-DD/NNNNNNNNNNNN.xml: STAMP is the UTC time,
 * 20261205T032014.123456Z, in a directory that is no day's, so that
 * neither `audit verify` nor AUDIT.md's procedure takes it for a record.
 */
#define AUDIT_DISPLACED		"displaced"
#define AUDIT_STAMP_SIZE	PF_AUDIT_STAMP_SIZE	/* audit.h */

/* Now as a STAMP. */
void audit_stamp(char out[AUDIT_STAMP_SIZE]);

/*
 * Move the file at path (a record's, under dir) aside: renamed to a name
 * of this process's first, so that whatever is there at that instant is
 * taken and nothing else, then linked under DIR/displaced/stamp/ (stamp
 * taken again if that name is taken) and logged, once.  When xml is not
 * NULL and the file turns out to hold exactly xml[0..len) (another writer
 * of the same record got there first), it is dropped instead: *to NULL.
 * *to: the new name (free it).  PF_OK, or PF_EIO with errno (ENOENT:
 * nothing was at path, another process took it first; a file that was
 * taken but could not be named is logged and kept, hidden, beside path).
 */
int audit_displace(const char *dir, const char *path, const char *xml,
    size_t len, char stamp[AUDIT_STAMP_SIZE], char **to);

/*
 * A whole regular file (not through a link, at most FILE_MAX bytes) into
 * *out (free it) of *len bytes: 0, or an errno value (EINVAL: not a
 * regular file; EFBIG: too big).
 */
int audit_read(const char *path, char **out, size_t *len);

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
/* audit_walk from record from on (the first batch starts there). */
int audit_walk_from(struct pf_store *st, struct walk *w, long long from,
    int (*fn)(const struct pf_audit_row *, void *), void *arg);

#endif
