/*
 * audit_seal.c -- chaining the records PostgreSQL's writers left pending
 * (audit.h, "Sealing"; store.h, "records sealed after the commit").
 *
 * A seal is one short transaction per batch: the lock and the chain's head,
 * up to SEAL_BATCH pending rows taken in id order, each given the next seq,
 * the head's digest as prev and a time not before the head's, digested as
 * pf_audit_append digests, and stored.  Only the seal holds the lock, for
 * a few statements, so writers' commits share their disk flushes.  Once
 * the batch is committed the sealer writes every record file of it, its
 * own and other writers': a writer whose records a running seal took
 * need not wait for that seal's disk flush.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "audit.h"
#include "audit_impl.h"
#include "err.h"
#include "log.h"
#include "store.h"

#define SEAL_BATCH	PF_AUDIT_SEAL_BATCH	/* records per seal transaction */
#define SEAL_TRIES	16	/* rounds of look, try, wait before queueing */

/* A record sealed in this batch, stored once the batch is read. */
struct sealed {
	long long		 pending;
	char			*event;
	char			*form;
	char			 prev[65];
	struct pf_audit_record	 rec;
};

/* The chain's head as the batch moves it, and the batch. */
struct seal {
	const char	*dir;	/* where its record files go; NULL: none */
	long long	 seq;
	char		 prev[65];
	char		 time[PF_TIME_SIZE];
	struct sealed	 it[SEAL_BATCH];
	int		 n;
};

/*
 * The text of root's child name becomes value: seq, time and prev, whose
 * values are digits, a time and hex (nothing xmlNodeSetContent would read
 * as markup).
 */
static int
set_child(xmlNodePtr root, const char *name, const char *value)
{
	xmlNodePtr	 n;

	for (n = xmlFirstElementChild(root); n != NULL;
	    n = xmlNextElementSibling(n))
		if (audit_is(n, name)) {
			xmlNodeSetContent(n, BAD_CAST value);
			return PF_OK;
		}
	return PF_EXML;
}

/* p's body given its place after the head: its record in it. */
static int
place(struct seal *s, const struct pf_audit_pending *p, struct sealed *it)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root;
	char		 num[24];
	int		 err;

	if (p->body_len > FILE_MAX || (doc = xmlReadMemory(p->body,
	    (int)p->body_len, NULL, NULL, PARSE_OPTS)) == NULL)
		return PF_EXML;
	it->rec.seq = s->seq + 1;
	snprintf(it->rec.time, sizeof(it->rec.time), "%s",
	    strcmp(p->time, s->time) < 0 ? s->time : p->time);
	snprintf(num, sizeof(num), "%lld", it->rec.seq);
	root = xmlDocGetRootElement(doc);
	if ((err = set_child(root, "seq", num)) == PF_OK &&
	    (err = set_child(root, "time", it->rec.time)) == PF_OK &&
	    (err = set_child(root, "prev", s->prev)) == PF_OK)
		err = audit_record_seal(doc, &it->rec);
	xmlFreeDoc(doc);
	return err;
}

/* One pending row, taken: sealed onto the head (the take's callback). */
static int
seal_one(const struct pf_audit_pending *p, void *arg)
{
	struct seal	*s = arg;
	struct sealed	*it = &s->it[s->n];
	int		 err;

	if (s->n == SEAL_BATCH || s->seq >= SEQ_MAX)
		return PF_ETOOBIG;
	*it = (struct sealed){ .pending = p->id };
	memcpy(it->prev, s->prev, sizeof(it->prev));
	if ((it->event = strdup(p->event)) == NULL ||
	    (it->form = strdup(p->form)) == NULL)
		err = PF_ENOMEM;
	else
		err = place(s, p, it);
	s->n++;		/* what is allocated is freed by clear() */
	if (err != PF_OK)
		return err;
	s->seq = it->rec.seq;
	memcpy(s->prev, it->rec.digest, sizeof(s->prev));
	memcpy(s->time, it->rec.time, sizeof(s->time));
	return PF_OK;
}

static void
clear(struct seal *s)
{
	int	 i;

	for (i = 0; i < s->n; i++) {
		free(s->it[i].event);
		free(s->it[i].form);
		pf_audit_record_clear(&s->it[i].rec);
	}
	s->n = 0;
}

/* The committed batch's record files, where there is a directory. */
static void
files(const struct seal *s)
{
	int	 i;

	for (i = 0; s->dir != NULL && i < s->n; i++)
		pf_audit_write(s->dir, &s->it[i].rec);
}

/* Store the batch's records, in order, in one statement. */
static int
put_all(struct pf_store *st, const struct seal *s)
{
	struct pf_audit_row	 row[SEAL_BATCH];
	long long		 pending[SEAL_BATCH];
	int			 i;

	for (i = 0; i < s->n; i++) {
		const struct sealed	*it = &s->it[i];

		row[i] = (struct pf_audit_row){
			.seq = it->rec.seq, .time = it->rec.time,
			.event = it->event, .form = it->form,
			.prev = it->prev, .digest = it->rec.digest,
			.xml = it->rec.xml, .xml_len = it->rec.xml_len,
		};
		pending[i] = it->pending;
	}
	return pf_store_audit_seal_put(st, row, pending, (size_t)s->n);
}

/*
 * Begin, take the lock, the head and a batch (placed by seal_one):
 * waiting for the lock, or (try) not, *got saying whether it was had.
 * On an error, rolled back.
 */
static int
head_take(struct pf_store *st, struct seal *s, int try, int *got)
{
	int	 err;

	*got = 1;
	if (try)
		return pf_store_audit_begin_take(st, &s->seq, s->prev,
		    s->time, got, seal_one, s);
	if ((err = pf_store_begin(st)) != PF_OK)
		return err;
	if ((err = pf_store_audit_head(st, &s->seq, s->prev, s->time)) !=
	    PF_OK ||
	    (err = pf_store_audit_pending_take(st, SEAL_BATCH, seal_one, s)) !=
	    PF_OK)
		pf_store_rollback(st);
	return err;
}

/*
 * One seal transaction: *n records sealed (SEAL_BATCH: there may be
 * more), or -1 when try and another seal holds the lock.
 */
static int
seal_batch(struct pf_store *st, struct seal *s, int try, int *n)
{
	int	 err, got;

	*n = 0;
	if ((err = head_take(st, s, try, &got)) != PF_OK) {
		clear(s);	/* rolled back */
		return err;
	}
	if (!got) {
		/*
		 * It took nothing: its ROLLBACK goes with settle's next
		 * statement, the question whether the running seal took
		 * this writer's records.
		 */
		pf_store_rollback_ahead(st);
		*n = -1;
		return PF_OK;
	}
	if ((err = put_all(st, s)) == PF_OK)
		err = pf_store_commit(st);
	else
		pf_store_rollback(st);
	if (err == PF_OK) {
		*n = s->n;
		files(s);
	}
	clear(s);
	return err;
}

/*
 * Batches until one comes back short, their files written in dir (may
 * be NULL); with try, none more once another seal holds the lock (*busy
 * 1).
 */
static int
seal_all(struct pf_store *st, const char *dir, int try, long long *sealed,
    int *busy)
{
	struct seal	*s;
	int		 n = 0, err = PF_OK;

	*sealed = 0;
	*busy = 0;
	/*
	 * Not zeroed (14 KiB, 15,000 instructions at every seal): an entry
	 * of it[] is set when a row is taken into it (seal_one).
	 */
	if ((s = malloc(sizeof(*s))) == NULL)
		return PF_ENOMEM;
	s->dir = dir;
	s->seq = 0;
	s->prev[0] = s->time[0] = '\0';
	s->n = 0;
	do {
		if ((err = seal_batch(st, s, try, &n)) == PF_OK && n > 0)
			*sealed += n;
	} while (err == PF_OK && n == SEAL_BATCH);
	free(s);
	*busy = n < 0;
	return err;
}

int
pf_audit_seal(struct pf_store *st, long long *sealed)
{
	long long	 n = 0;
	int		 busy, err = PF_OK;

	if (pf_store_audit_seals(st))
		err = seal_all(st, NULL, 0, &n, &busy);
	if (sealed != NULL)
		*sealed = n;
	return err;
}

/*
 * The pending ones of recs[0..n) chained, their files written by
 * whichever seal takes them: seal if no seal runs (everything committed
 * before this seal's takes is then chained, recs included); while one
 * does, return if it took them, else wait for it to end rather than
 * queue for the lock (a queue would make it one seal, one disk flush,
 * each) and try again; after SEAL_TRIES rounds, queue.
 */
static int
settle(struct pf_store *st, const char *dir,
    const struct pf_audit_record *recs, size_t n)
{
	long long	 ids[PF_AUDIT_TAKEN_MAX], sealed;
	size_t		 i, k = 0;
	int		 busy, taken, err;

	/*
	 * An id not known (-1: the COMMIT's answer was lost, and the server
	 * said it had committed) cannot be asked about: seal in turn, which
	 * chains every record committed so far, these with them.
	 */
	for (i = 0; i < n; i++)
		if (recs[i].pending < 0)
			return seal_all(st, dir, 0, &sealed, &busy);

	/*
	 * A seal takes pending rows in id order, and all of recs' are
	 * committed: if it took the last ones, it took or had sealed the
	 * rest, so the last PF_AUDIT_TAKEN_MAX are the ones to ask about.
	 */
	for (i = n; i > 0 && k < PF_AUDIT_TAKEN_MAX; i--)
		if (recs[i - 1].pending != 0)
			ids[k++] = recs[i - 1].pending;
	for (i = 0; i < SEAL_TRIES; i++) {
		if ((err = seal_all(st, dir, 1, &sealed, &busy)) != PF_OK ||
		    !busy)
			return err;
		if ((err = pf_store_audit_taken(st, ids, k, &taken)) !=
		    PF_OK || taken)
			return err;
		if ((err = pf_store_audit_wait(st)) != PF_OK)
			return err;
	}
	return seal_all(st, dir, 0, &sealed, &busy);	/* in turn, then */
}

int
pf_audit_settle(struct pf_store *st, const char *dir,
    struct pf_audit_record *recs, size_t n)
{
	size_t	 i, pending = 0;
	int	 err;

	for (i = 0; i < n; i++)
		if (recs[i].pending == 0)
			pf_audit_write(dir, &recs[i]);
		else
			pending++;
	if (pending == 0)
		return PF_OK;
	if ((err = settle(st, dir, recs, n)) != PF_OK)
		pf_log(PF_LOG_ERR, "audit: a committed record is not sealed "
		    "yet (%s); the next seal, or `privforms audit sync`, "
		    "chains it", pf_strerror(err));
	return err;
}
