/*
 * audit_seal.c -- chaining the records PostgreSQL's writers left pending
 * (audit.h, "Sealing"; store.h, "records sealed after the commit").
 *
 * A seal is one short transaction per batch: the lock and the chain's head,
 * up to SEAL_BATCH pending rows taken in id order, each given the next seq,
 * the head's digest as prev and a time not before the head's, digested as
 * pf_audit_append digests, and stored.  Only the seal holds the lock, for
 * a few statements, so writers' commits share their disk flushes.
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

#define SEAL_BATCH	64	/* records per seal transaction */
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
	memcpy(it->prev, s->prev, sizeof(it->prev));
	it->pending = p->id;
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

/* Store the batch's records, in order. */
static int
put_all(struct pf_store *st, const struct seal *s)
{
	int	 i, err = PF_OK;

	for (i = 0; i < s->n && err == PF_OK; i++) {
		const struct sealed	*it = &s->it[i];
		struct pf_audit_row	 row = {
			.seq = it->rec.seq, .time = it->rec.time,
			.event = it->event, .form = it->form,
			.prev = it->prev, .digest = it->rec.digest,
			.xml = it->rec.xml, .xml_len = it->rec.xml_len,
		};

		err = pf_store_audit_seal_put(st, &row, it->pending);
	}
	return err;
}

/*
 * Take the lock and the head: waiting for the lock, or (try) not, *got
 * saying whether it was had.
 */
static int
head(struct pf_store *st, struct seal *s, int try, int *got)
{
	*got = 1;
	if (try)
		return pf_store_audit_head_try(st, &s->seq, s->prev, s->time,
		    got);
	return pf_store_audit_head(st, &s->seq, s->prev, s->time);
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
	if ((err = pf_store_begin(st)) != PF_OK)
		return err;
	if ((err = head(st, s, try, &got)) == PF_OK && !got) {
		pf_store_rollback(st);
		*n = -1;
		return PF_OK;
	}
	if (err == PF_OK &&
	    (err = pf_store_audit_pending_take(st, SEAL_BATCH, seal_one, s)) ==
	    PF_OK &&
	    (err = put_all(st, s)) == PF_OK)
		err = pf_store_commit(st);
	else
		pf_store_rollback(st);
	if (err == PF_OK)
		*n = s->n;
	clear(s);
	return err;
}

/*
 * Batches until one comes back short; with try, none when another seal
 * holds the lock (*busy 1).
 */
static int
seal_all(struct pf_store *st, int try, long long *sealed, int *busy)
{
	struct seal	*s;
	int		 n = 0, err = PF_OK;

	*sealed = 0;
	*busy = 0;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return PF_ENOMEM;
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
		err = seal_all(st, 0, &n, &busy);
	if (sealed != NULL)
		*sealed = n;
	return err;
}

/* The sealed record into rec (pf_store_audit_sealed's callback). */
static int
fill(const struct pf_audit_row *r, void *arg)
{
	struct pf_audit_record	*rec = arg;

	if (r->xml == NULL || r->time == NULL || r->digest == NULL ||
	    strlen(r->time) >= sizeof(rec->time) || strlen(r->digest) != 64)
		return PF_ESTORE;
	if ((rec->xml = malloc(r->xml_len + 1)) == NULL)
		return PF_ENOMEM;
	memcpy(rec->xml, r->xml, r->xml_len);
	rec->xml[r->xml_len] = '\0';
	rec->xml_len = r->xml_len;
	rec->seq = r->seq;
	strcpy(rec->time, r->time);
	memcpy(rec->digest, r->digest, 65);
	rec->pending = 0;
	return PF_OK;
}

/*
 * rec's record, sealed by whichever worker: seal if no seal runs; else
 * wait for that one and look, rather than queue for the lock, so that
 * the waiters' records go in one seal, not one seal each.  Each round
 * seals it or outlasts a seal that may have begun before its commit; a
 * seal that begins after takes it.
 */
static int
sealed_find(struct pf_store *st, struct pf_audit_record *rec)
{
	long long	 n;
	int		 i, busy, err;

	for (i = 0; i < SEAL_TRIES; i++) {
		if ((err = seal_all(st, 1, &n, &busy)) != PF_OK ||
		    (busy && (err = pf_store_audit_wait(st)) != PF_OK))
			return err;
		err = pf_store_audit_sealed(st, rec->pending, fill, rec);
		if (err != PF_ENOTFOUND)
			return err;
	}
	if ((err = pf_audit_seal(st, NULL)) != PF_OK)	/* in turn, then */
		return err;
	return pf_store_audit_sealed(st, rec->pending, fill, rec);
}

int
pf_audit_sealed(struct pf_store *st, struct pf_audit_record *rec)
{
	int	 err;

	if (rec->pending == 0)
		return PF_OK;
	if ((err = sealed_find(st, rec)) != PF_OK)
		pf_log(PF_LOG_ERR, "audit: a committed record is not sealed "
		    "yet (%s); the next seal, or `privforms audit sync`, "
		    "chains it", pf_strerror(err));
	return err;
}
