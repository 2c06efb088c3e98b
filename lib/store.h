/*
 * store.h -- the only module that speaks SQL.
 *
 * One struct pf_store is one connection (SQLite's, or PostgreSQL's: see
 * below), owned by one worker process and opened after fork.  Opening sets the pragmas (busy timeout, foreign
 * keys, journal mode, synchronous FULL) and applies the numbered migrations
 * in lib/schema/ that the file lacks, so the schema is always current.
 *
 * Journal mode: SQLite 3.7.0 to 3.51.2 have the WAL-reset bug (fixed in
 * 3.51.3, backported to 3.44.6 and 3.50.7), which can lose committed writes
 * when several processes write one WAL database.  WAL is refused at open on
 * those versions; "delete" or "truncate" with synchronous FULL is durable
 * everywhere.
 *
 * Every write happens inside pf_store_begin (BEGIN IMMEDIATE, so a reader never
 * has to upgrade its lock under contention) and pf_store_commit.  Each query is
 * one function below; statements are prepared once per connection.
 *
 * Waiting for the lock: each wait gives up after the busy timeout, and
 * pf_store_until sets a deadline that ends every wait together (busy.h),
 * so that a caller can bound a whole transaction, or not wait at all.
 *
 * Times are text as utc.h writes them; a NULL now means the current time.
 *
 * PostgreSQL (issue 21): the same functions on a libpq connection, when
 * the database value is a connection string (pf_store_engine).  The open
 * applies lib/schema/pg/'s migrations; writes are READ COMMITTED (each
 * read-modify-write of the query files is one statement), reads one
 * snapshot; the busy timeout is lock_timeout and pf_store_until's deadline
 * also bounds each statement; a connection the server ended is made again
 * at the next BEGIN.  lib/store_pg.c's header has the whole list.
 *
 * Inside: lib/store_ops.c sends each call to the connection's backend;
 * lib/store_sqlite.c is the SQLite connection and all that is SQLite's
 * own, lib/store_pg.c the PostgreSQL one; lib/store.c, store_requests.c,
 * store_feedback.c, store_guard.c, store_metrics.c, store_consent.c and
 * store_sale.c each own the statements of their tables (store_sql.h).
 *
 * Errors: PF_EBUSY when the database is locked past the busy timeout,
 * read-only, full or cannot be reached (tell the visitor to try again;
 * PostgreSQL adds a lost connection, a serialization failure or deadlock,
 * a server shutting down or out of connections); PF_ESTORE for any other
 * error of the engine; PF_ECONFIG for a refused setting.
 */
#ifndef PF_STORE_H
#define PF_STORE_H

#include <stddef.h>
#include <time.h>

#include "utc.h"

struct pf_store;

/*
 * The engines a database value can name.  PostgreSQL: a libpq connection
 * string, as a URI ("postgresql://..." or "postgres://...") or as
 * keyword=value pairs ("service=privforms", "host=/run/postgresql
 * dbname=privforms"): a value that does not start with "/" and contains
 * "=".  Anything else is an SQLite file (the configuration resolves a
 * relative one first).  This is the one place that reads the form.
 */
enum pf_store_engine { PF_STORE_SQLITE, PF_STORE_POSTGRESQL };

enum pf_store_engine pf_store_engine(const char *database);

/*
 * NULL if database is fit for the configuration, else what is wrong with
 * it, in buf (len bytes): a PostgreSQL connection string libpq cannot
 * parse, or one that carries a password (libpq's password file or a
 * service file holds it).  An SQLite path is always fit here.
 */
const char *pf_store_database_check(const char *database, char *buf,
    size_t len);

struct pf_store_opts {
	const char	*path;		/* the database value: a file or a connection string */
	const char	*journal_mode;	/* "delete", "truncate", "wal"; NULL: truncate */
	long		 busy_timeout_ms;	/* <= 0: 5000 */
};

/* 1 if SQLite version number v (as sqlite3_libversion_number) is free of the WAL-reset bug. */
int pf_store_wal_safe(int v);

/* Open (creating if needed) and migrate.  The caller owns *out. */
int pf_store_open(const struct pf_store_opts *opts, struct pf_store **out);
void pf_store_close(struct pf_store *st);	/* accepts NULL */

/*
 * pf_store_open, with every wait for a lock during the open (the journal
 * mode, the schema version, a migration) ending by until (busy.h's
 * pf_busy_deadline; NULL: none).  The open reads the file, so with the
 * database locked (another process inside a commit, or holding BEGIN
 * EXCLUSIVE) it waits; until = now makes it try once and answer PF_EBUSY.
 */
int pf_store_open_until(const struct pf_store_opts *opts,
    const struct timespec *until, struct pf_store **out);

/*
 * pf_store_open, for a database that must be there already: PF_ENOTFOUND
 * when there is none yet (SQLite: no file; PostgreSQL: a database without
 * privforms' schema), which pf_store_open would create.  The privforms
 * command's (only init creates a database).
 */
int pf_store_open_existing(const struct pf_store_opts *opts,
    struct pf_store **out);

/*
 * Open an existing database read-only, for a snapshot that must never
 * write (privforms metrics): SQLITE_OPEN_READONLY, no pragma that changes
 * anything, no migration.  PF_ECONFIG (logged) when the file's schema
 * version is not this program's: a form or privforms init migrates it.
 * The journal mode is never set (pf_store_journal_mode: "unset").
 */
int pf_store_open_readonly(const struct pf_store_opts *opts,
    struct pf_store **out);

/*
 * From now on every wait for a lock also ends at until (NULL: only the
 * busy timeout bounds it), however many statements wait: one bound for a
 * whole transaction, BEGIN to COMMIT.
 */
void pf_store_until(struct pf_store *st, const struct timespec *until);

/* The schema version the file is at (PRAGMA user_version). */
int pf_store_schema_version(struct pf_store *st, int *version);

/* The journal mode in force, e.g. "truncate"; static storage. */
const char *pf_store_journal_mode(struct pf_store *st);

/*
 * The database's size in bytes: SQLite's file (PF_EIO with errno when it
 * cannot be read), PostgreSQL's pg_database_size.
 */
int pf_store_size(struct pf_store *st, long long *bytes);

/* The synchronous level in force (PRAGMA synchronous): 2 is FULL. */
int pf_store_synchronous(struct pf_store *st, int *level);

int pf_store_begin(struct pf_store *st);	/* BEGIN IMMEDIATE */

/*
 * BEGIN (deferred) for a read that must see one snapshot -- an export, a
 * status page -- without taking the write lock, so that readers (link
 * scanners fetch every link in a mail) never hold up a submission.  End it
 * with pf_store_rollback.  The snapshot begins at the first read; in a
 * rollback journal a writer's commit waits (busy timeout) while one is
 * open after it, so keep it short.
 */
int pf_store_begin_read(struct pf_store *st);
int pf_store_commit(struct pf_store *st);	/* rolls back if it fails */
void pf_store_rollback(struct pf_store *st);	/* no-op outside a transaction */

/*
 * Roll back a transaction that holds nothing (no lock had, no row
 * changed: a seal's try that found the lock taken, audit_seal.c), and
 * send a statement next, at once: on an engine that sends statements
 * ahead (PostgreSQL) the ROLLBACK goes with that one, in one round trip;
 * until then the server still has the transaction open.
 */
void pf_store_rollback_ahead(struct pf_store *st);

/*
 * Inside a write transaction: wait until no other transaction holds key's
 * lock, then hold it until this one ends.  For a decision read from rows
 * that no constraint can keep unique (a key's rate-limit hits, a client's
 * vote on an article, a repeated request), taken before the read, so that
 * of two transactions deciding on one key the second reads what the
 * first wrote.  SQLite: nothing to do, BEGIN IMMEDIATE already serialises
 * every writer; PostgreSQL: an advisory lock (store_sql.h says when and in
 * which order).  The key is kind (a constant naming what is decided:
 * "consent", ...) with a and b (either may be NULL); it is hashed, never
 * stored or logged.
 */
int pf_store_lock(struct pf_store *st, const char *kind, const char *a,
    const char *b);

/*
 * An online copy of the database in path, while the forms keep writing:
 * SQLite's backup API copies every page in one read (the same shared lock
 * an export takes, waited for up to the busy timeout; a writer's commit
 * waits for it in turn, for as long as the copy takes: milliseconds for a
 * database of a few megabytes).  The copy is written under a temporary
 * name beside path, mode 0600 (it holds personal data), in journal mode
 * DELETE (one self-contained file whatever the source's mode), checked
 * with PRAGMA integrity_check, fsynced, and only then given its name, so
 * path is either the whole checked copy or untouched: no half file, no
 * temporary left behind.  An existing path is replaced only when replace
 * is 1.  *bytes (may be NULL) is the copy's size.  Not inside a
 * transaction of st.
 *
 * PF_OK; PF_EIO with errno set when a file cannot be made or named
 * (EEXIST: path exists and replace is 0); PF_EBUSY when the database
 * stays locked past the busy timeout; PF_ESTORE when the copy fails its
 * check (logged) or on another SQLite error.
 */
int pf_store_backup(struct pf_store *st, const char *path, int replace,
    long long *bytes);

/* ---- moving a site to another database (store_copy.c) ---- */

/*
 * The tables that hold a site, NULL-ended, in the order a copy fills them:
 * a table after every table its foreign keys name, and a table a trigger
 * writes to (audit_count) after the table that fires it.  And the tables
 * an engine keeps for itself (schema_version, which the migrations write),
 * which a copy leaves alone.  Every table of either engine's schema is in
 * one of the two, so a new table is never left behind by a copy: a unit
 * test and pf_store_tables_check hold a new migration to it.
 */
extern const char *const pf_store_tables[];
extern const char *const pf_store_tables_own[];

/*
 * Check st's schema against the lists: PF_OK, or PF_ECONFIG with the
 * first table of st that is in neither list named in why (len bytes),
 * or a listed table st lacks.
 */
int pf_store_tables_check(struct pf_store *st, char *why, size_t len);

/* Each table of st's schema by name, in name order: fn's first non-zero. */
int pf_store_table_each(struct pf_store *st,
    int (*fn)(const char *name, void *arg), void *arg);

/* The number of rows of table (of either list) in st. */
int pf_store_table_rows(struct pf_store *st, const char *table, long long *n);

/*
 * Copy every row of table (one of pf_store_tables) from st into to, as
 * it is (ids included), inside a read transaction of st and a write one
 * of to that the caller holds: first the rows of to's table, if it has
 * any, are deleted (on an empty target, only what a trigger wrote from a
 * table copied before), then each row of st inserted, then the engine's number
 * generator of the table's numbered column, if any, moved past every id
 * st handed out (the largest copied, or st's counter when higher: its
 * newest rows deleted, or all), so the next row to gets is a new one.  Every column
 * of st's table must be in to's (PF_ECONFIG, logged, if not); a column
 * only to has is left to its default (PostgreSQL's audit.pending: NULL);
 * a blob column of to's gets the bytes.  *rows (may be NULL): rows copied.  Every
 * statement's text is made from the table's columns, which never change
 * while a connection is open.  Rows are inserted PF_STORE_COPY_BATCH at a
 * time (fewer for a table of very many columns), one statement each, the
 * rest in a few smaller ones.
 */
#define PF_STORE_COPY_BATCH	256
int pf_store_table_copy(struct pf_store *st, struct pf_store *to,
    const char *table, long long *rows);

/* ---- marketing opt-outs ---- */

struct pf_optout {
	const char	*channel;	/* "email" or "sms" */
	const char	*address;	/* email key (validate.h) or E.164 number */
	const char	*list;		/* mailing list id; "" means every list */
	const char	*reason;	/* may be NULL */
	const char	*source;	/* "form" or "one-click" */
	const char	*created;	/* first opt-out (set by the store on read) */
	const char	*updated;	/* latest opt-out */
};

/*
 * Record an opt-out.  A second opt-out of the same channel, address and list
 * keeps the one row and updates its time, reason and source.  A NULL list is
 * "", a NULL now the current time.
 */
int pf_store_optout_put(struct pf_store *st, const struct pf_optout *o, const char *now);

/* Call fn for each opt-out in order of first opt-out; stops when fn returns non-zero (returned). */
int pf_store_optout_each(struct pf_store *st,
    int (*fn)(const struct pf_optout *o, void *arg), void *arg);

int pf_store_optout_count(struct pf_store *st, long long *n);

/* ---- the Do-Not-Call register ---- */

/*
 * An entry is keyed by its number in E.164, so that a check never depends
 * on anything but the number: not on the key file (a lost or replaced key
 * must not hide a single entry from a dialer).
 */
struct pf_dnc {
	const char	*number;	/* E.164 */
	const char	*country;	/* ISO 3166-1 alpha-2 region of the number */
	const char	*first_name;	/* each may be NULL */
	const char	*last_name;
	const char	*company;
	const char	*email;		/* email key (validate.h) of who registered it; may be NULL */
	const char	*created;	/* first registration (set by the store) */
	const char	*updated;	/* latest registration */
};

/*
 * Register a number.  Registering it again keeps the one row and its
 * created time, and replaces the rest with what was given this time (a
 * NULL name, company or email clears the old one).  A NULL now is the
 * current time.
 */
int pf_store_dnc_put(struct pf_store *st, const struct pf_dnc *d, const char *now);

/* The entry of number (E.164): calls fn once, or returns PF_ENOTFOUND. */
int pf_store_dnc_get(struct pf_store *st, const char *number,
    int (*fn)(const struct pf_dnc *d, void *arg), void *arg);

/*
 * Each entry first registered at or after since (a prefix of the stored
 * time, such as "2026-11-24"; NULL: every entry), in order of first
 * registration; stops when fn returns non-zero (returned).
 */
int pf_store_dnc_each(struct pf_store *st, const char *since,
    int (*fn)(const struct pf_dnc *d, void *arg), void *arg);

/*
 * At most limit entries last registered before `before` (a stored time),
 * oldest first: what a purge removes, one batch at a time.  fn as above.
 */
int pf_store_dnc_stale(struct pf_store *st, const char *before, int limit,
    int (*fn)(const struct pf_dnc *d, void *arg), void *arg);

/* Remove the entry of number: PF_ENOTFOUND if there is none. */
int pf_store_dnc_remove(struct pf_store *st, const char *number);

/*
 * A purge's removal of an entry pf_store_dnc_stale listed: only if it is
 * still last registered at updated, so that a number registered again
 * meanwhile (by a form on another worker or node) stays.  PF_ENOTFOUND
 * if it has gone or was registered again.
 */
int pf_store_dnc_purge(struct pf_store *st, const char *number,
    const char *updated);

int pf_store_dnc_count(struct pf_store *st, long long *n);

/* ---- data subject requests (004-requests.sql) ---- */

/*
 * A request as stored.  Strings marked "may be NULL" are NULL when absent
 * or erased.  On read every field is set from the row; on put the store
 * sets id, status ("unverified"), party (0), extended (0) and updated.
 */
struct pf_dsr {
	long long	 id;
	const char	*type;		/* dsr.h's codes: "access", ... */
	const char	*relationship;	/* dsr.h's codes */
	const char	*organisation;	/* may be NULL */
	const char	*first_name;	/* may be NULL (erased) */
	const char	*last_name;	/* may be NULL (erased) */
	const char	*email;		/* normalised address; may be NULL (erased) */
	const char	*email_key;	/* validate.h; may be NULL (erased) */
	const char	*subject;	/* pseudonym of the email key */
	const char	*country;	/* ISO 3166-1 alpha-2 */
	const char	*state;		/* US state code; may be NULL */
	const char	*details;	/* may be NULL */
	const char	*law;		/* laws.h's law, fixed at receipt */
	const char	*received;	/* stored time */
	const char	*due;		/* "YYYY-MM-DD" */
	const char	*acknowledge;	/* "YYYY-MM-DD"; may be NULL */
	const char	*extension;	/* the law's extension, "2 months"; may be NULL */
	int		 extended;	/* the extension has been used */
	const char	*status;	/* "unverified", "verified", "extended",
					   "fulfilled", "denied" */
	long long	 party;		/* 0 until verified */
	const char	*verify_by;	/* stored time */
	const char	*updated;
	/* 012-appeals.sql: NULL on a request never appealed */
	const char	*appeal;	/* "open", "granted", "denied" */
	const char	*appeal_due;	/* "YYYY-MM-DD" */
	const char	*appeal_reason;	/* the requester's words; may be NULL */
	/*
	 * 015-lang.sql: the language (lang.h's tag) the person used, what
	 * every mail to them is written in.  Read only: a put or a revision
	 * stores the current language (lang.h), the request's.
	 */
	const char	*lang;
};

/* One change in a request's history. */
struct pf_dsr_event {
	long long	 request;
	int		 seq;		/* 1, 2, ... in order */
	const char	*time;		/* stored time */
	const char	*status;	/* the status entered */
	const char	*note;		/* what the requester was told; may be NULL */
	const char	*reason;	/* a denial's code (denials.h), or NULL */
};

/*
 * Store a new request (r->received is its time; NULL now is the current
 * time for updated) with status "unverified" and its first event
 * ("unverified", no note, at r->received).  *id (may be NULL) receives
 * its id.
 */
int pf_store_dsr_put(struct pf_store *st, const struct pf_dsr *r,
    const char *now, long long *id);

/*
 * The newest request with this email key and type received at or after
 * since (a stored time): its id in *id, or PF_ENOTFOUND.  The form's
 * storm control: it first takes the lock of the key and type
 * (pf_store_lock), held to the end of the transaction, so that of two
 * submissions at once the second finds the first's request.
 */
int pf_store_dsr_recent(struct pf_store *st, const char *email_key,
    const char *type, const char *since, long long *id);

/* Request id: calls fn once, or returns PF_ENOTFOUND. */
int pf_store_dsr_get(struct pf_store *st, long long id,
    int (*fn)(const struct pf_dsr *r, void *arg), void *arg);

/* Which requests pf_store_dsr_each lists. */
struct pf_dsr_filter {
	const char	*status;	/* only this status; NULL: any */
	int		 open;		/* only verified or extended ones, or
					   ones with an open appeal */
	const char	*due_before;	/* only due before this "YYYY-MM-DD"; NULL: any */
};

/*
 * The requests f (NULL: every request) selects, by due date then id.  A
 * request whose appeal is open is due on its appeal's due date (which
 * due_before and the order read), and its status, for f->status, is
 * "appealed"; one whose appeal was denied, "appeal-denied" (dsr.h's
 * pf_dsr_state).
 */
int pf_store_dsr_each(struct pf_store *st, const struct pf_dsr_filter *f,
    int (*fn)(const struct pf_dsr *r, void *arg), void *arg);

/*
 * One request for the yearly metrics (`privforms requests report`): its
 * type, status, a denial's reason code (NULL otherwise, or for a denial
 * from before reasons were codes) and the UTC days from the day it was
 * received to the day it was answered (fulfilled or denied), or -1 while
 * it is open.
 */
struct pf_dsr_answer {
	const char	*type, *status, *reason;
	long long	 days;
};

/*
 * Each request received from since to before end ("YYYY-MM-DD" or stored
 * times) and verified (one never confirmed is not a request the company
 * could act on), by type and then days, open ones first.  fn as elsewhere.
 */
int pf_store_dsr_answers(struct pf_store *st, const char *since,
    const char *end, int (*fn)(const struct pf_dsr_answer *a, void *arg),
    void *arg);

/*
 * Every request whose email key is one of the parties of individual
 * (party.individual), verified or not, oldest first: what an export or an
 * erasure covers.  fn as elsewhere.
 */
int pf_store_dsr_of_individual(struct pf_store *st, long long individual,
    int (*fn)(const struct pf_dsr *r, void *arg), void *arg);

/* Request id's history in order: fn once per event. */
int pf_store_dsr_events(struct pf_store *st, long long id,
    int (*fn)(const struct pf_dsr_event *e, void *arg), void *arg);

/*
 * Move request id from status from (exactly) to status to, with an event
 * carrying note (may be NULL), at now (NULL: the current time).
 * PF_ENOTFOUND if there is no such request or it is not in status from:
 * two operators (or a double click) cannot both make the same change.
 */
int pf_store_dsr_set_status(struct pf_store *st, long long id,
    const char *from, const char *to, const char *note, const char *now);

/*
 * Deny request id, in status from, for reason (a code of denials.h, which
 * the caller checked), with an event that keeps the code and no note: the
 * same contract as pf_store_dsr_set_status otherwise.
 */
int pf_store_dsr_deny(struct pf_store *st, long long id, const char *from,
    const char *reason, const char *now);

/*
 * Open an appeal of denied request id: appeal "open", appeal_due due
 * ("YYYY-MM-DD"), appeal_reason reason (the requester's words, or NULL),
 * and an event "appealed" with neither (the words stay on the request,
 * where an erasure blanks them).  PF_ENOTFOUND unless it is denied and
 * never appealed (an appeal is made once), and not closed by the person's
 * refusal of its agent (agent.h).
 */
int pf_store_dsr_appeal(struct pf_store *st, long long id, const char *due,
    const char *reason, const char *now);

/*
 * Decide request id's open appeal for reason (a code of denials.h, which
 * the caller checked): granted, the request is open again (status
 * "verified", due its appeal's due date, for the team to fulfil); denied,
 * it stays closed.  An event "appeal-granted" or "appeal-denied" keeps the
 * code.  PF_ENOTFOUND unless its appeal is open.
 */
int pf_store_dsr_appeal_decide(struct pf_store *st, long long id, int grant,
    const char *reason, const char *now);

/*
 * Revise unverified request id with what a repeated submission gave:
 * relationship, organisation, names, email, country, state, details, law,
 * due, acknowledge and extension from r; id, type, email key, subject,
 * received, verify_by and the history stay.  PF_ENOTFOUND unless it is
 * unverified.  The form's storm control: a repeat sends no second mail,
 * but what the person typed last is what they confirm.
 */
int pf_store_dsr_revise(struct pf_store *st, long long id,
    const struct pf_dsr *r, const char *now);

/*
 * Verify request id: status unverified -> verified, party set, an event.
 * PF_ENOTFOUND unless it is unverified.
 */
int pf_store_dsr_verify(struct pf_store *st, long long id, long long party,
    const char *now);

/*
 * Extend request id: status verified -> extended, due = new_due
 * ("YYYY-MM-DD"), extended = 1, an event with note.  PF_ENOTFOUND unless
 * it is verified and not extended before.
 */
int pf_store_dsr_extend(struct pf_store *st, long long id,
    const char *new_due, const char *note, const char *now);

/*
 * At most limit unverified requests whose verify_by is before `before`,
 * oldest first: what a purge deletes, one batch at a time.
 */
int pf_store_dsr_expired(struct pf_store *st, const char *before, int limit,
    int (*fn)(const struct pf_dsr *r, void *arg), void *arg);

/* Delete request id and its history: PF_ENOTFOUND if there is none. */
int pf_store_dsr_delete(struct pf_store *st, long long id);

/*
 * A purge's deletion of a request pf_store_dsr_expired listed, with its
 * history: only if it is still unverified, so that one verified meanwhile
 * (its link followed on another worker or node) stays.  PF_ENOTFOUND if
 * it has gone or was verified.
 */
int pf_store_dsr_purge(struct pf_store *st, long long id);

/*
 * Blank the personal fields (organisation, names, email, email key,
 * details, and the agent's name and address) of every request with this
 * email key, and the notes of their
 * histories (what the team wrote, a denial's reason say, may name the
 * person); *n (may be NULL) gets how many requests.  Both or neither.
 * Status, dates (updated too), law, subject and the events themselves
 * stay; the requests are then no longer found by
 * pf_store_dsr_of_individual.
 */
int pf_store_dsr_erase(struct pf_store *st, const char *email_key,
    long long *n);

/* ---- retention: closed requests reduced (014-request-reduced.sql) ---- */

/* The most requests one pf_store_dsr_reduce reduces. */
#define PF_DSR_REDUCE_MAX	256

/*
 * Reduce at most limit (1 to PF_DSR_REDUCE_MAX, else PF_EINVAL) requests
 * closed (fulfilled or denied) before `before` (their updated, the time
 * they closed), oldest first, not reduced yet: each loses its personal
 * fields (names, organisation, email, email key, details, an appeal's
 * words, party), its agent's name and address, the notes of its history,
 * its mail not sent (queued or failed), its party's address once no other
 * request has it
 * (store_retention.c lists all it clears), and gets reduced = now (NULL:
 * the current time).  Type, status, country, state, law, the dates,
 * subject and the events' times, statuses and reasons stay: the yearly
 * report reads the same.  *n gets how many.  All or nothing, in a
 * savepoint of the caller's transaction (or on its own).  Open requests
 * are never touched, nor a denied one whose appeal is open.
 */
int pf_store_dsr_reduce(struct pf_store *st, const char *before,
    const char *now, int limit, long long *n);

/*
 * When request id was reduced, into out: PF_OK, or PF_ENOTFOUND when it
 * is whole (or there is no such request).
 */
int pf_store_dsr_reduced(struct pf_store *st, long long id,
    char out[PF_TIME_SIZE]);
/* ---- agents: requests made on the person's behalf (013-agents.sql) ---- */

/*
 * The agent of a request.  name and email are personal data (the store's
 * and the person's mails and export only, never an audit record or a
 * log); NULL once erased.
 */
struct pf_dsr_agent {
	long long	 request;
	const char	*name;		/* may be NULL (erased) */
	const char	*email;		/* may be NULL (erased) */
	const char	*relationship;	/* dsr.h's pf_dsr_agent_relationships */
	const char	*answer;	/* "asked", "confirmed", "refused" */
	const char	*answered;	/* stored time; NULL while asked */
};

/*
 * Make a (name, email, relationship) request's agent, asked again; or,
 * with a NULL, the request's own (no agent).  What the form's last
 * submission said wins: for a new request, and for an unverified one
 * revised by a repeat (pf_store_dsr_revise).
 */
int pf_store_agent_set(struct pf_store *st, long long request,
    const struct pf_dsr_agent *a);

/* Request's agent: fn once, or PF_ENOTFOUND (the person asked). */
int pf_store_agent_get(struct pf_store *st, long long request,
    int (*fn)(const struct pf_dsr_agent *a, void *arg), void *arg);

/*
 * Record the person's answer ("confirmed" or "refused") at now (NULL: the
 * current time): PF_ENOTFOUND unless request has an agent still asked.
 */
int pf_store_agent_answer(struct pf_store *st, long long request,
    const char *answer, const char *now);

/*
 * Blank the agent's name and address on every request with this email
 * key; pf_store_dsr_erase does it with the requests' own fields.
 */
int pf_store_agent_erase(struct pf_store *st, const char *email_key);

/* ---- parties: verified addresses, linked into individuals ---- */

struct pf_party {
	long long	 id;
	long long	 individual;
	const char	*email;		/* email key; NULL once erased */
	const char	*created;
};

/*
 * The party of email key: its id in *id, made (as an individual of its
 * own, at now) if there is none yet.
 */
int pf_store_party_ensure(struct pf_store *st, const char *email_key,
    const char *now, long long *id);

/* Party id: calls fn once, or PF_ENOTFOUND. */
int pf_store_party_get(struct pf_store *st, long long id,
    int (*fn)(const struct pf_party *p, void *arg), void *arg);

/*
 * Make b's individual (every party linked to b) part of a's individual.
 * PF_ENOTFOUND if either party does not exist; linking parties already
 * one individual changes nothing and is PF_OK.  Links are made one at a
 * time (pf_store_lock), so that two at once cannot each move a group by
 * what the other is changing.
 */
int pf_store_party_link(struct pf_store *st, long long a, long long b);

/* Every party of individual, by id. */
int pf_store_party_each(struct pf_store *st, long long individual,
    int (*fn)(const struct pf_party *p, void *arg), void *arg);

/*
 * Forget party id's email key (it stays, as a party of no known address).
 * PF_ENOTFOUND if there is no such party.
 */
int pf_store_party_erase(struct pf_store *st, long long id);

/* ---- what an erasure needs from the other tables ---- */

/* The opt-outs of address (an email key or an E.164 number), any channel. */
int pf_store_optout_of(struct pf_store *st, const char *address,
    int (*fn)(const struct pf_optout *o, void *arg), void *arg);

/* Delete the opt-outs of address; *n (may be NULL) gets how many. */
int pf_store_optout_remove(struct pf_store *st, const char *address,
    long long *n);

/* The Do-Not-Call entries registered with email key email. */
int pf_store_dnc_of_email(struct pf_store *st, const char *email,
    int (*fn)(const struct pf_dnc *d, void *arg), void *arg);

/*
 * Delete the queued, sending and failed messages to recipient (compared as
 * email keys); *n (may be NULL) gets how many.  Sent ones hold no address.
 * A sender holding a deleted message finds its outcome PF_ENOTFOUND.
 */
int pf_store_outbox_forget(struct pf_store *st, const char *recipient,
    long long *n);

/*
 * Delete the queued, sending and failed messages whose records carry
 * pseudonym subject (mail about someone sent to someone else: feedback
 * forwarded to the team); *n (may be NULL) gets how many.
 */
int pf_store_outbox_forget_subject(struct pf_store *st, const char *subject,
    long long *n);

/* ---- suppression: opt-outs and entries that outlive an erasure ---- */

/*
 * Record that the subject with pseudonym hash (keys.h, of kind "email" or
 * "phone") must not be reached on channel ("email", "sms", "call"), or,
 * for "sale", that its opt-out of sale stays in force (erasure.h).
 * Recording it twice is PF_OK.
 */
int pf_store_suppress_put(struct pf_store *st, const char *kind,
    const char *hash, const char *channel, const char *now);

/* PF_OK if hash is suppressed on channel, PF_ENOTFOUND if not. */
int pf_store_suppressed(struct pf_store *st, const char *kind,
    const char *hash, const char *channel);

/* How many entries there are, of every channel, into *n. */
int pf_store_suppress_count(struct pf_store *st, long long *n);

/*
 * How many keep someone from being contacted (channels "email", "sms",
 * "call"), into *n: what the unsubscribe and Do-Not-Call lists leave out
 * and are scrubbed against; an opt-out of sale ("sale") is neither.
 */
int pf_store_suppress_contacts(struct pf_store *st, long long *n);

/* ---- site feedback and article votes (005-feedback.sql) ---- */

/*
 * A piece of site feedback (feedback.h).  On put and revise only type,
 * message and rating are read; on complete only email, email_key and
 * recommend.  On read every field is set from the row.
 */
struct pf_feedback {
	long long	 id;
	const char	*type;		/* feedback.h's codes: "compliment", ... */
	const char	*message;	/* may be NULL (not given, or erased) */
	int		 rating;	/* 1 (terrible) to 5 (amazing) */
	const char	*email;		/* normalised address; may be NULL */
	const char	*email_key;	/* validate.h; may be NULL */
	int		 recommend;	/* 0 to 10, or -1 when not given */
	const char	*created;	/* step 1 (stored time) */
	const char	*completed;	/* step 2; NULL while open or abandoned */
	const char	*updated;
};

/* Store step 1 as a new, open entry at now (NULL: the current time); *id (may be NULL) gets its id. */
int pf_store_feedback_put(struct pf_store *st, const struct pf_feedback *f,
    const char *now, long long *id);

/*
 * Replace type, message and rating of entry id (the visitor went Back and
 * changed step 1).  PF_ENOTFOUND unless it exists and is still open.
 */
int pf_store_feedback_revise(struct pf_store *st, long long id,
    const struct pf_feedback *f, const char *now);

/*
 * Complete entry id with step 2: email, email_key (both NULL when none was
 * left) and recommend (-1: not given); completed = now.  PF_ENOTFOUND
 * unless it exists and is still open: an entry is completed once.
 */
int pf_store_feedback_complete(struct pf_store *st, long long id,
    const struct pf_feedback *f, const char *now);

/*
 * Note that step 1 of entry id was forwarded to the team, at now (NULL:
 * the current time).  PF_ENOTFOUND if there is no such entry or it was
 * forwarded before: an entry's step 1 is forwarded once.
 */
int pf_store_feedback_forwarded(struct pf_store *st, long long id,
    const char *now);

/* Entry id: calls fn once, or returns PF_ENOTFOUND. */
int pf_store_feedback_get(struct pf_store *st, long long id,
    int (*fn)(const struct pf_feedback *f, void *arg), void *arg);

/*
 * Which entries or votes a listing covers.  since and until are stored
 * times or prefixes of one ("2026-11-24"), compared as text: created >=
 * since and created < until (NULL: unbounded).
 */
struct pf_feedback_filter {
	const char	*since;
	const char	*until;
	const char	*type;		/* entries of this type only; NULL: any */
	const char	*article;	/* votes on this article only; NULL: any */
	long		 limit;		/* at most this many; <= 0: all */
};

/* The entries f selects (NULL: all), newest first (created, then id). */
int pf_store_feedback_each(struct pf_store *st,
    const struct pf_feedback_filter *f,
    int (*fn)(const struct pf_feedback *f, void *arg), void *arg);

/*
 * The figures of the entries created in [since, until) (as in the
 * filter; type, article and limit are ignored): fn once per distinct
 * (type, rating, recommend (-1: not given), completed (0 or 1)) with how
 * many entries have it, in no particular order.  feedback.h's
 * pf_feedback_tally adds them up.
 */
int pf_store_feedback_tally(struct pf_store *st,
    const struct pf_feedback_filter *f,
    int (*fn)(const char *type, int rating, int recommend, int completed,
    long long n, void *arg), void *arg);

/* The entries that left email key email, oldest first: what an export covers. */
int pf_store_feedback_of_email(struct pf_store *st, const char *email_key,
    int (*fn)(const struct pf_feedback *f, void *arg), void *arg);

/*
 * Forget the message, email and email key of every entry with this email
 * key; *n (may be NULL) gets how many.  Type, rating, recommend and the
 * times stay (the figures), unlinked from anyone.
 */
int pf_store_feedback_erase(struct pf_store *st, const char *email_key,
    long long *n);

/* A counted article vote. */
struct pf_vote {
	long long	 id;
	const char	*article;	/* the article's id, pf_valid_token */
	int		 helpful;	/* 1 yes, 0 no */
	const char	*comment;	/* may be NULL */
	const char	*client;	/* pseudonym of the voter's network (app.h); NULL once forgotten */
	const char	*created;	/* the first vote this row counts */
	const char	*updated;	/* the latest */
};

/*
 * Count a vote.  If v->client is not NULL and a vote of that client on
 * that article was created at or after window_start (a stored time), that
 * vote becomes this one (helpful and comment replaced, created kept) and
 * *replaced (may be NULL) is 1; otherwise a new row, *replaced 0.  *id
 * (may be NULL) gets the row's id.  now NULL: the current time.  The
 * client's vote on the article is looked for under their key's lock
 * (pf_store_lock), so that two votes at once count once.
 */
int pf_store_vote_put(struct pf_store *st, const struct pf_vote *v,
    const char *window_start, const char *now, long long *id, int *replaced);

/* The votes f selects (since, until, article, limit; NULL: all), newest first. */
int pf_store_vote_each(struct pf_store *st, const struct pf_feedback_filter *f,
    int (*fn)(const struct pf_vote *v, void *arg), void *arg);

/*
 * Per article, the votes created in [since, until) of f (article and
 * limit ignored; NULL: all): fn(article, votes, helpful votes), most
 * votes first, then by article.
 */
int pf_store_vote_tally(struct pf_store *st, const struct pf_feedback_filter *f,
    int (*fn)(const char *article, long long votes, long long helpful,
    void *arg), void *arg);

/*
 * Forget the client of every vote created before `before` (a stored time:
 * the start of the window now open), so no vote stays linkable to a
 * network longer than de-duplication needs; *n (may be NULL) gets how many.
 */
int pf_store_vote_forget_clients(struct pf_store *st, const char *before,
    long long *n);

/* ---- spent proof-of-work challenges (006-pow.sql) ---- */

/*
 * Spend challenge (hex, pow.h) valid until expires (a stored time): PF_OK
 * the first time, PF_EFORGED when it was spent before (a replay).  Call it
 * inside the submission's transaction, so that a submission rolled back
 * leaves its solution unspent.
 */
int pf_store_pow_spend(struct pf_store *st, const char *challenge,
    const char *expires);

/* Forget the challenges that expired before now (a stored time); *n (may be NULL) gets how many. */
int pf_store_pow_forget(struct pf_store *st, const char *now, long long *n);

/* ---- rate limits and trapped submissions (007-guard.sql) ---- */

/*
 * Hits count what one key did recently: bucket names what is limited
 * ("request/client", "mail/address", guard.h), subject is a keyed
 * pseudonym (of a client network or an address: never the thing itself),
 * at is in seconds since the epoch, so that windows are arithmetic.
 */

/*
 * The time of the k-th newest hit (k from 1) of bucket and subject at or
 * after since, into *at: once that one is older than the window, fewer
 * than k are left in it.  PF_ENOTFOUND when there are fewer than k;
 * PF_EINVAL for k < 1.  It first takes the lock of bucket and subject
 * (pf_store_lock), held to the end of the transaction: the count and the
 * hit recorded after it are one step, so that submissions at once on
 * several workers or nodes cannot all pass the same last free place.
 */
int pf_store_rate_nth(struct pf_store *st, const char *bucket,
    const char *subject, long long since, long long k, long long *at);

/*
 * Record one hit at `at`, and delete this bucket and subject's hits before
 * `forget`, so that a key that keeps coming back does not grow its rows.
 */
int pf_store_rate_hit(struct pf_store *st, const char *bucket,
    const char *subject, long long at, long long forget);

/* Delete every hit before `before`; *n (may be NULL) gets how many. */
int pf_store_rate_forget(struct pf_store *st, long long before, long long *n);

/*
 * Count one trapped submission (guard.h: "honeypot", "too-fast") of form
 * on day ("YYYY-MM-DD", UTC).  Counts only: nothing about who sent it.
 */
int pf_store_trap_count(struct pf_store *st, const char *day,
    const char *form, const char *reason);

/*
 * Call fn for each count from day since to day until (inclusive; either may
 * be NULL: no bound), ordered by day, form and reason; a non-zero return
 * from fn stops the walk and is returned.
 */
int pf_store_trap_walk(struct pf_store *st, const char *since,
    const char *until, int (*fn)(const char *day, const char *form,
    const char *reason, long long n, void *arg), void *arg);

/* ---- audit records (audit.h builds them) ---- */

struct pf_audit_row {
	long long	 seq;
	const char	*time;
	const char	*event;
	const char	*form;
	const char	*prev;		/* hex digest of the previous record */
	const char	*digest;	/* hex digest of this record */
	const char	*xml;		/* the record file's exact bytes */
	size_t		 xml_len;
};

/* The last record's seq and digest; 0 and 64 zeros when there is none. */
int pf_store_audit_last(struct pf_store *st, long long *seq, char digest[65]);

/*
 * pf_store_audit_last for an append, inside its write transaction: first
 * holds off every other appender until the transaction ends, on every
 * node (PostgreSQL: an advisory lock; SQLite's BEGIN IMMEDIATE already
 * does), so that two records never take one seq or chain to one record.
 * SQLite's append; on PostgreSQL records are sealed after the commit
 * instead, under the same lock (pf_store_audit_head, below).
 */
int pf_store_audit_next(struct pf_store *st, long long *seq, char digest[65]);

int pf_store_audit_put(struct pf_store *st, const struct pf_audit_row *r);

/*
 * ---- records sealed after the commit (PostgreSQL; store_seal.c) ----
 *
 * On an engine where pf_store_audit_seals(st) is 1 (PostgreSQL), an append
 * does not read the chain's head inside the writer's transaction: holding
 * the lock on it to the COMMIT would make every commit wait for the one
 * before, one disk flush at a time.  The writer stores the record's content
 * as pending (pf_store_audit_pending_put); after the commit, a short seal
 * transaction (audit.h, pf_audit_seal) takes the lock and the head
 * (pf_store_audit_head), takes a batch of pending rows
 * (pf_store_audit_pending_take), and stores each as a record
 * (pf_store_audit_seal_put), whose files the sealer writes; a writer that
 * finds a seal running asks whether that seal took its rows
 * (pf_store_audit_taken).  SQLite answers 0 and appends inside the
 * transaction, as before: its BEGIN IMMEDIATE serialises writers anyway.
 * The statements exist only in lib/schema/pg/ (audit_pending,
 * audit.pending).
 */
int pf_store_audit_seals(struct pf_store *st);

struct pf_audit_pending {
	long long	 id;
	const char	*time;
	const char	*event;
	const char	*form;
	const void	*body;	/* the record without seq, prev and digest */
	size_t		 body_len;
};

/*
 * Store p (its id ignored) inside the writer's transaction; *id its id,
 * set once the transaction's next statement waited for, or its COMMIT,
 * has returned PF_OK (the row is sent with it: pf_sql_insert_ahead), so
 * id must stay where it is until then; -1 when the COMMIT's answer was
 * lost and the server said it had committed (the id is not known).
 */
int pf_store_audit_pending_put(struct pf_store *st,
    const struct pf_audit_pending *p, long long *id);

/*
 * Inside the seal's transaction: take the lock that holds off every other
 * sealer, on every node, until the transaction ends, then the last
 * record's seq, digest and time (0, 64 zeros and "" when there is none).
 */
int pf_store_audit_head(struct pf_store *st, long long *seq,
    char digest[65], char time[PF_TIME_SIZE]);

/*
 * pf_store_begin, pf_store_audit_head without waiting and
 * pf_store_audit_pending_take of PF_AUDIT_SEAL_BATCH rows, in one round
 * trip: *got 0 (the transaction begun all the same, the head not to be
 * used, nothing taken) when a seal holds the lock now.  fn's non-zero
 * value rolls the transaction back and is returned.
 */
#define PF_AUDIT_SEAL_BATCH	64
int pf_store_audit_begin_take(struct pf_store *st, long long *seq,
    char digest[65], char time[PF_TIME_SIZE], int *got,
    int (*fn)(const struct pf_audit_pending *p, void *arg), void *arg);

/*
 * Outside any transaction: return once no seal holds the lock (so a
 * seal that was running has committed), holding nothing.
 */
int pf_store_audit_wait(struct pf_store *st);

/*
 * Delete up to limit pending rows, lowest ids first, and call fn with each
 * in id order (a non-zero value stops the walk and is returned; the rows
 * are deleted all the same, so the caller then rolls back).
 */
int pf_store_audit_pending_take(struct pf_store *st, int limit,
    int (*fn)(const struct pf_audit_pending *p, void *arg), void *arg);

/*
 * Store records r[0..n), sealed from pending rows pending[0..n), in one
 * statement.
 */
int pf_store_audit_seal_put(struct pf_store *st, const struct pf_audit_row *r,
    const long long *pending, size_t n);

/*
 * Outside any transaction: *taken 1 when none of ids[0..n) is a pending
 * row left alone, i.e. each is sealed, or taken by a seal transaction
 * still running (its xmax: one that rolls back leaves the rows pending
 * for the next seal).  n is 1 to PF_AUDIT_TAKEN_MAX.
 */
#define PF_AUDIT_TAKEN_MAX	64
int pf_store_audit_taken(struct pf_store *st, const long long *ids, size_t n,
    int *taken);


/* Record seq: calls fn once, or returns PF_ENOTFOUND. */
int pf_store_audit_get(struct pf_store *st, long long seq,
    int (*fn)(const struct pf_audit_row *r, void *arg), void *arg);

/*
 * Each record with seq >= from, in order; stops when fn returns non-zero
 * (and returns that).  Read a page of records a statement, so that a walk
 * fn stops early reads little more than it saw: not one snapshot.
 */
int pf_store_audit_each(struct pf_store *st, long long from,
    int (*fn)(const struct pf_audit_row *r, void *arg), void *arg);

/*
 * The last record of event: calls fn once, or returns PF_ENOTFOUND.  It
 * reads the trail from its end back (no index on event): for an event
 * that is rare and recent (audit-restored), or none at all.
 */
int pf_store_audit_last_of(struct pf_store *st, const char *event,
    int (*fn)(const struct pf_audit_row *r, void *arg), void *arg);

/* ---- the outbox (mail.h queues, sender.h drains) ---- */

struct pf_outbox_row {
	long long	 id;
	const char	*template;
	const char	*recipient;
	const char	*vals;		/* the values, urlencoded: a=1&b=2 */
	const char	*subject;	/* pseudonym, or NULL */
	const char	*state;		/* "queued", "sending", "sent", "failed" */
	int		 attempts;
	const char	*next_try;	/* queued: not before; sending: lease end */
	const char	*last_error;	/* may be NULL */
	const char	*created;
	const char	*updated;
	const char	*lang;		/* 015-lang.sql: its values' language */
};

/*
 * Queue a message (state queued, due now) whose values are written in
 * lang (lang.h's tag: the language it is rendered in).  *id may be NULL.
 */
int pf_store_outbox_put(struct pf_store *st, const char *template,
    const char *recipient, const char *vals, const char *subject,
    const char *lang, const char *now, long long *id);

/*
 * Claim the message due first at now -- queued with next_try <= now, or
 * sending with an expired lease (its sender died) -- by setting it sending
 * until lease_end and counting the attempt (fn sees attempts including this
 * one: a message whose sender dies mid-send has still used an attempt, so a
 * message that crashes every sender cannot be retried without end), and
 * call fn with it.  Call inside pf_store_begin /
 * pf_store_commit, so two senders never claim the same message.
 * PF_ENOTFOUND when nothing is due.
 */
int pf_store_outbox_claim(struct pf_store *st, const char *now,
    const char *lease_end, int (*fn)(const struct pf_outbox_row *r, void *arg),
    void *arg);

/*
 * The outcome of a claimed message.  Each applies only to a message in state
 * sending, and is PF_ENOTFOUND otherwise: a sender whose lease expired and
 * whose message another sender has since finished cannot record it twice.
 */

/*
 * Mark message id sent, and forget its recipient and values: once it has
 * gone, the outbox keeps no personal data (its audit record says what was
 * sent, about whom by pseudonym).
 */
int pf_store_outbox_sent(struct pf_store *st, long long id, const char *now);

/* Put id back in the queue, due at next_try, with attempts and why. */
int pf_store_outbox_defer(struct pf_store *st, long long id, int attempts,
    const char *next_try, const char *error, const char *now);

/* Mark id failed for good, with attempts and why. */
int pf_store_outbox_failed(struct pf_store *st, long long id, int attempts,
    const char *error, const char *now);

/*
 * Requeue a failed message, due at now, with attempts back to 0 and its
 * last error forgotten: PF_ENOTFOUND if id is not failed.
 */
int pf_store_outbox_requeue(struct pf_store *st, long long id, const char *now);

/* The same for every failed message; *n (may be NULL) counts them. */
int pf_store_outbox_requeue_all(struct pf_store *st, const char *now,
    long long *n);

/* Why queued messages wait: one last error, how many have it, the first due. */
struct pf_outbox_waiting {
	const char	*error;
	long long	 count;
	const char	*next_try;
};

/*
 * Each distinct last error of the queued messages (those tried and put
 * back), the most common first; stops when fn returns non-zero.
 */
int pf_store_outbox_waiting(struct pf_store *st,
    int (*fn)(const struct pf_outbox_waiting *w, void *arg), void *arg);

/* A failed message, as an operator may see it: no address, no values. */
struct pf_outbox_failure {
	long long	 id;
	const char	*domain;	/* the recipient's domain only */
	const char	*error;		/* may be NULL */
	int		 attempts;
	const char	*updated;	/* when it failed */
};

/* Each failed message, by id; stops when fn returns non-zero. */
int pf_store_outbox_failed_each(struct pf_store *st,
    int (*fn)(const struct pf_outbox_failure *f, void *arg), void *arg);

/* Messages in each state. */
int pf_store_outbox_counts(struct pf_store *st, long long *queued,
    long long *sending, long long *sent, long long *failed);

/* Message id, whatever its state: calls fn once, or PF_ENOTFOUND. */
int pf_store_outbox_get(struct pf_store *st, long long id,
    int (*fn)(const struct pf_outbox_row *r, void *arg), void *arg);

/* ---- monitoring (store_metrics.c, 008-audit-count.sql) ---- */

/*
 * What `privforms metrics` reads, each query cheap however long the site
 * has run (no scan of the audit trail or of sent mail), so a snapshot
 * every minute costs the forms nothing noticeable; run them inside one
 * pf_store_begin_read for one snapshot.  The tallies call fn once per
 * group, in name order, with the group's name in a and b (b NULL when
 * there is one name) and its count; fn's first non-zero value stops the
 * walk and is returned.
 */
typedef int pf_store_tally_fn(const char *a, const char *b, long long n,
    void *arg);

/* Audit records by form (a) and event (b), from audit_count. */
int pf_store_audit_tally(struct pf_store *st, pf_store_tally_fn *fn,
    void *arg);

/* Trapped submissions of every day by form (a) and reason (b). */
int pf_store_trap_tally(struct pf_store *st, pf_store_tally_fn *fn,
    void *arg);

/* Messages queued, sending or failed, by state (a); none: left out. */
int pf_store_outbox_tally(struct pf_store *st, pf_store_tally_fn *fn,
    void *arg);

/* Requests by status (a); none: left out. */
int pf_store_dsr_tally(struct pf_store *st, pf_store_tally_fn *fn,
    void *arg);

/*
 * The created time of the oldest message not sent yet (queued or being
 * sent) into out: PF_OK, or PF_ENOTFOUND when there is none.
 */
int pf_store_outbox_oldest(struct pf_store *st, char out[PF_TIME_SIZE]);

/*
 * Open (verified or extended, or with an open appeal, due its appeal's
 * due date) requests due before today ("YYYY-MM-DD",
 * UTC) into *overdue, and due from today to last into *soon.
 */
int pf_store_dsr_due(struct pf_store *st, const char *today,
    const char *last, long long *overdue, long long *soon);

/* ---- consent records (009-consent.sql) ---- */

/*
 * One consent decision of one browser (consent.h): the evidence of what
 * it was shown and what it chose.  Strings are borrowed: on put the
 * caller's, in a walk the row's, valid until the callback returns.
 */
struct pf_consent_record {
	long long	 id;
	const char	*device;	/* the cookie's d: 22 base64url */
	const char	*notice;	/* the notice version: 16 hex */
	const char	*language;	/* of the notice, "en" */
	const char	*allowed;	/* category ids on, space-separated */
	const char	*refused;	/* and off; "" for none */
	const char	*action;	/* given refused changed withdrawn */
	const char	*method;	/* page dialog gpc */
	int		 gpc;		/* 1: a GPC signal came with it */
	const char	*jurisdiction;	/* alpha-2, or NULL */
	const char	*created;	/* stored time (utc.h), the caller's */
};

/*
 * Append r (id ignored; created is the caller's time, pf_utc_now's);
 * *id (may be NULL) gets its id.  A value the table refuses (an action or method
 * not in the lists above, a device not 22 long) is PF_ESTORE.
 */
int pf_store_consent_put(struct pf_store *st,
    const struct pf_consent_record *r, long long *id);

/*
 * The newest record of device into fn (once): PF_ENOTFOUND when it has
 * none, else fn's value.
 */
int pf_store_consent_last(struct pf_store *st, const char *device,
    int (*fn)(const struct pf_consent_record *r, void *arg), void *arg);

/*
 * How many records of device made by method since `since` (a stored
 * time) into *n: whether the once-a-day GPC record is made yet.
 */
int pf_store_consent_count(struct pf_store *st, const char *device,
    const char *method, const char *since, long long *n);

/* Every record created at or after since (NULL: all), oldest first. */
int pf_store_consent_each(struct pf_store *st, const char *since,
    int (*fn)(const struct pf_consent_record *r, void *arg), void *arg);

/*
 * Every record of the browsers in which address (an email key or an
 * E.164 number) opted out of sale with it (011-sale-opt-out.sql), oldest
 * first: the records a person tied to themselves by giving the address.
 */
int pf_store_consent_of_address(struct pf_store *st, const char *address,
    int (*fn)(const struct pf_consent_record *r, void *arg), void *arg);

/*
 * Delete the records created before `before` (a stored time, or a date),
 * whole; *n (may be NULL) gets how many.
 */
int pf_store_consent_purge(struct pf_store *st, const char *before,
    long long *n);

/* ---- sale opt-outs that named a person (011-sale-opt-out.sql) ---- */

/*
 * An opt-out of sale, sharing and targeted advertising made on the
 * opt-out page with an address: the person it extends to, and the
 * browser it was made in.  Strings are borrowed as pf_consent_record's.
 */
struct pf_sale_optout {
	long long	 id;
	const char	*channel;	/* "email" or "phone" */
	const char	*address;	/* email key (validate.h) or E.164 */
	const char	*device;	/* the pf_consent cookie's d */
	const char	*created;	/* stored time (utc.h) */
	const char	*source;	/* "form" */
};

/*
 * Append o (id ignored); *id (may be NULL) gets its id.  A value the
 * table refuses (another channel or source, a device not 22 long) is
 * PF_ESTORE.
 */
int pf_store_sale_put(struct pf_store *st, const struct pf_sale_optout *o,
    long long *id);

/*
 * Each person (channel and address) who opted out at or after since
 * (NULL: ever), once, into fn: id and created those of their first
 * opt-out since then, device NULL; in the order of those times.  fn's
 * first non-zero value stops the walk and is returned.
 */
int pf_store_sale_each(struct pf_store *st, const char *since,
    int (*fn)(const struct pf_sale_optout *o, void *arg), void *arg);

/* The opt-outs of address (an email key or an E.164 number), oldest first. */
int pf_store_sale_of(struct pf_store *st, const char *address,
    int (*fn)(const struct pf_sale_optout *o, void *arg), void *arg);

/*
 * How many erased people's opt-outs of sale are kept only as a keyed
 * pseudonym (suppression, channel "sale") into *n.
 */
int pf_store_sale_erased(struct pf_store *st, long long *n);

/* Delete the opt-outs of address; *n (may be NULL) gets how many. */
int pf_store_sale_remove(struct pf_store *st, const char *address,
    long long *n);

/* ---- mailing list subscriptions (016-subscriptions.sql) ---- */

/*
 * A subscription as stored (subscription.h applies the rules; nothing
 * else writes these tables but an erasure).  Strings borrowed: on a read,
 * they live until the callback returns.
 */
struct pf_subscription {
	const char	*channel;	/* "email" or "sms" */
	const char	*address;	/* email key (validate.h) or E.164 */
	const char	*list;		/* lists.h id */
	const char	*state;		/* "pending" or "subscribed" */
	const char	*requested;	/* stored time (utc.h) */
	const char	*confirmed;	/* stored time, NULL while pending */
	const char	*method;	/* "signup", "preferences" */
	const char	*notice;	/* the list's notice version */
	const char	*language;	/* lang.h tag */
};

/* One row of a subscription's history (appended, never changed). */
struct pf_sub_event {
	long long	 id;
	const char	*channel, *address;
	const char	*list;		/* "" for "stop all": every list */
	const char	*action;	/* requested confirmed subscribed
					   unsubscribed */
	const char	*method;	/* as pf_subscription's, or "confirm",
					   "one-click", "unsubscribe" */
	const char	*notice;	/* 16 hex, or "" for "stop all" */
	const char	*language;
	const char	*requested;	/* when it was asked for, or NULL */
	const char	*created;	/* when this happened */
};

typedef int pf_sub_fn(const struct pf_subscription *s, void *arg);
typedef int pf_sub_event_fn(const struct pf_sub_event *e, void *arg);

/* Store s, replacing the row of its (channel, address, list). */
int pf_store_sub_put(struct pf_store *st, const struct pf_subscription *s);

/* The row of (channel, address, list) into fn: PF_ENOTFOUND for none. */
int pf_store_sub_get(struct pf_store *st, const char *channel,
    const char *address, const char *list, pf_sub_fn *fn, void *arg);

/*
 * Delete the row of (channel, address, list), or every row of (channel,
 * address) for list ""; *n (may be NULL) gets how many, inside a
 * transaction once its next statement waited for has returned PF_OK
 * (PostgreSQL sends the delete with it: store_sql.h's pf_sql_exec_ahead).
 */
int pf_store_sub_delete(struct pf_store *st, const char *channel,
    const char *address, const char *list, long long *n);

/* Every row of address (channel NULL: either), by channel and list. */
int pf_store_sub_of(struct pf_store *st, const char *channel,
    const char *address, pf_sub_fn *fn, void *arg);

/*
 * The subscribed rows of list (any channel), by address, less anyone
 * opted out of the list (a row overrides an opt-out of all for its list,
 * subscription.h); pf_store_sub_count counts the same.
 */
int pf_store_sub_list(struct pf_store *st, const char *list, pf_sub_fn *fn,
    void *arg);

/* How many pf_store_sub_list gives for list, into *n. */
int pf_store_sub_count(struct pf_store *st, const char *list, long long *n);

/* Append e (id and created as given; created NULL: now); *id may be NULL. */
int pf_store_sub_event_put(struct pf_store *st, const struct pf_sub_event *e,
    long long *id);

/* The history of address (any channel), oldest first. */
int pf_store_sub_events_of(struct pf_store *st, const char *address,
    pf_sub_event_fn *fn, void *arg);

/*
 * An erasure's: delete address's subscriptions and their history; *subs
 * and *events (may be NULL) get how many of each.
 */
int pf_store_sub_remove(struct pf_store *st, const char *address,
    long long *subs, long long *events);

/*
 * The opt-out of exactly (channel, address, list) ("": the global one):
 * *yes 1 if there is one, else 0; with the row into fn when fn is not
 * NULL.  And its deletion (*n, may be NULL: how many, 0 or 1).
 */
int pf_store_optout_get(struct pf_store *st, const char *channel,
    const char *address, const char *list, int (*fn)(const struct pf_optout *,
    void *), void *arg, int *yes);
int pf_store_optout_delete(struct pf_store *st, const char *channel,
    const char *address, const char *list, long long *n);

/*
 * The addresses never to be sent list (of channel): opted out of it, or
 * of every list and not subscribed to it, each once, in byte order, into
 * fn.
 */
int pf_store_sub_suppressed(struct pf_store *st, const char *channel,
    const char *list, int (*fn)(const char *address, void *arg), void *arg);

/*
 * How many erased people are kept from channel only as a keyed pseudonym
 * (suppression, erasure.h), into *n: what no list's export can name.
 */
int pf_store_sub_erased(struct pf_store *st, const char *channel,
    long long *n);

#endif
