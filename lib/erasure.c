/*
 * erasure.c -- what erasing a data subject does (erasure.h).
 *
 * The rows a step reads are copied out before it changes their table: a
 * table must not change under a statement still walking it.
 */
#include <stdlib.h>
#include <string.h>

#include "erasure.h"
#include "err.h"
#include "feedback.h"
#include "keys.h"
#include "store.h"

/* Strings copied out of rows (a row's strings live only in its callback). */
struct strs {
	char	**v;
	size_t	 n;
};

static void
strs_free(struct strs *s)
{
	while (s->n > 0)
		free(s->v[--s->n]);
	free(s->v);
	s->v = NULL;
}

static int
strs_add(struct strs *s, const char *str)
{
	char	**v;

	if ((v = reallocarray(s->v, s->n + 1, sizeof(*v))) == NULL)
		return PF_ENOMEM;
	s->v = v;
	if ((v[s->n] = strdup(str)) == NULL)
		return PF_ENOMEM;
	s->n++;
	return 0;
}

/* The parties of the individual whose address is not erased yet. */
struct parties {
	long long	*id;
	struct strs	 email;	/* email[i] is party id[i]'s email key */
};

static int
party_add(const struct pf_party *p, void *arg)
{
	struct parties	*ps = arg;
	long long	*id;

	if (p->email == NULL)
		return 0;	/* erased before */
	if ((id = reallocarray(ps->id, ps->email.n + 1, sizeof(*id))) == NULL)
		return PF_ENOMEM;
	ps->id = id;
	id[ps->email.n] = p->id;
	return strs_add(&ps->email, p->email);
}

static int
dnc_number_add(const struct pf_dnc *d, void *arg)
{
	return strs_add(arg, d->number);
}

/* Keep the pseudonym of kind and value for channel (rules 1, 2, 8). */
static int
suppress(struct pf_store *st, const struct pf_keys *keys, const char *kind,
    const char *value, const char *channel, struct pf_erased *e)
{
	char	 hash[PF_HEX_DIGEST_LEN + 1];
	int	 rc;

	if ((rc = pf_pseudonym(keys, kind, value, hash)) != PF_OK ||
	    (rc = pf_store_suppress_put(st, kind, hash, channel,
	    NULL)) != PF_OK)
		return rc;
	e->suppressed++;
	return PF_OK;
}

/*
 * Rules 1 and 8: delete key's rows with remove and, if it had any, keep
 * key's pseudonym for channel; *removed counts them.
 */
static int
erase_kept(struct pf_store *st, const struct pf_keys *keys, const char *key,
    int (*remove)(struct pf_store *, const char *, long long *),
    const char *channel, long long *removed, struct pf_erased *e)
{
	long long	 n = 0;
	int		 rc;

	if ((rc = remove(st, key, &n)) != PF_OK ||
	    (n > 0 && (rc = suppress(st, keys, "email", key, channel,
	    e)) != PF_OK))
		return rc;
	*removed += n;
	return PF_OK;
}

/* Rule 2: the Do-Not-Call entries registered with key, numbers kept. */
static int
erase_numbers(struct pf_store *st, const struct pf_keys *keys,
    const char *key, struct pf_erased *e)
{
	struct strs	 numbers = { NULL, 0 };
	size_t		 i;
	int		 rc;

	if ((rc = pf_store_dnc_of_email(st, key, dnc_number_add,
	    &numbers)) != PF_OK)
		goto out;
	for (i = 0; i < numbers.n; i++) {
		if ((rc = suppress(st, keys, "phone", numbers.v[i], "call",
		    e)) != PF_OK ||
		    (rc = pf_store_dnc_remove(st, numbers.v[i])) != PF_OK)
			goto out;
		e->dnc++;
	}
out:
	strs_free(&numbers);
	return rc;
}

/* What forgetting the feedback mails of one address needs. */
struct forward_walk {
	struct pf_store		*st;
	const struct pf_keys	*keys;
	long long		 n;
};

/* Forget the unsent mails about entry f that name it, not its author. */
static int
forget_forward(const struct pf_feedback *f, void *arg)
{
	struct forward_walk	*w = arg;
	char			 subject[PF_HEX_DIGEST_LEN + 1];
	long long		 n = 0;
	int			 rc;

	if ((rc = pf_feedback_subject(w->keys, f->id, subject)) != PF_OK ||
	    (rc = pf_store_outbox_forget_subject(w->st, subject, &n)) != PF_OK)
		return rc;
	w->n += n;
	return PF_OK;
}

/* Rule 5: the feedback left with key, and its forwards not gone yet. */
static int
erase_feedback(struct pf_store *st, const struct pf_keys *keys,
    const char *key, struct pf_erased *e)
{
	struct forward_walk	 w = { st, keys, 0 };
	char			 subject[PF_HEX_DIGEST_LEN + 1];
	long long		 mails = 0, entries = 0;
	int			 rc;

	if ((rc = pf_store_feedback_of_email(st, key, forget_forward,
	    &w)) != PF_OK ||
	    (rc = pf_pseudonym(keys, "email", key, subject)) != PF_OK ||
	    (rc = pf_store_outbox_forget_subject(st, subject, &mails)) != PF_OK ||
	    (rc = pf_store_feedback_erase(st, key, &entries)) != PF_OK)
		return rc;
	e->feedback += entries;
	e->messages += w.n + mails;
	return PF_OK;
}

/*
 * Rule 9: key's subscriptions and their history; its pseudonym kept for
 * "email" when it had any and rule 1 (optouts: its count before rule 1)
 * kept none.
 */
static int
erase_subscriptions(struct pf_store *st, const struct pf_keys *keys,
    const char *key, long long optouts, struct pf_erased *e)
{
	long long	 subs = 0, events = 0;
	int		 rc;

	if ((rc = pf_store_sub_remove(st, key, &subs, &events)) != PF_OK)
		return rc;
	e->subscriptions += subs;
	e->sub_events += events;
	if (subs + events > 0 && e->optouts == optouts)
		return suppress(st, keys, "email", key, "email", e);
	return PF_OK;
}

/* Rules 1 to 9 for party id, whose email key is key. */
static int
erase_party(struct pf_store *st, const struct pf_keys *keys, long long id,
    const char *key, struct pf_erased *e)
{
	long long	 n = 0, optouts = e->optouts;
	int		 rc;

	if ((rc = erase_kept(st, keys, key, pf_store_optout_remove, "email",
	    &e->optouts, e)) != PF_OK ||
	    (rc = erase_subscriptions(st, keys, key, optouts, e)) != PF_OK ||
	    (rc = erase_numbers(st, keys, key, e)) != PF_OK ||
	    (rc = erase_kept(st, keys, key, pf_store_sale_remove, "sale",
	    &e->sale, e)) != PF_OK)
		return rc;
	if ((rc = pf_store_dsr_erase(st, key, &n)) != PF_OK)
		return rc;
	e->requests += n;
	if ((rc = erase_feedback(st, keys, key, e)) != PF_OK)
		return rc;
	if ((rc = pf_store_outbox_forget(st, key, &n)) != PF_OK)
		return rc;
	e->messages += n;
	if ((rc = pf_store_party_erase(st, id)) != PF_OK)
		return rc;
	e->parties++;
	return PF_OK;
}

int
pf_erase_individual(struct pf_store *st, const struct pf_keys *keys,
    long long individual, struct pf_erased *e)
{
	struct parties	 ps = { NULL, { NULL, 0 } };
	size_t		 i;
	int		 rc;

	if ((rc = pf_store_party_each(st, individual, party_add, &ps)) !=
	    PF_OK)
		goto out;
	for (i = 0; i < ps.email.n; i++)
		if ((rc = erase_party(st, keys, ps.id[i], ps.email.v[i],
		    e)) != PF_OK)
			goto out;
out:
	strs_free(&ps.email);
	free(ps.id);
	return rc;
}
