/*
 * lists.h -- the marketing lists people subscribe to (the preference
 * center): the table the company edits, its rows' notice versions.  Pure
 * code: no store, no request.
 *
 * The table is etc/mailing-lists.tsv (configured as mailing_lists), read
 * once per process at start-up:
 *
 *	# id		channel	double_opt_in	name		description
 *	news		email	yes		Newsletter	Our monthly news ...
 *	sms-offers	sms	no		Text offers	...
 *
 * Fields are separated by one or more tabs; '#' starts a comment line.
 * id is 1 to PF_LIST_ID_MAX of a-z 0-9 '-' '_', starting with a letter,
 * unique (never "": in the optout table "" means every list); channel is
 * "email" or "sms"; double_opt_in "yes" or "no"; name (at most 64 bytes)
 * and description (at most 600) are the English text shown to people,
 * through gettext (tools/gen-table-pot.py extracts them).  1 to
 * PF_LISTS_MAX rows, kept in the table's order.
 *
 * Each list's notice version is the first 16 lower-case hex digits of
 * SHA-256 over its id, channel, double_opt_in ("yes"/"no"), name and
 * description joined by one NUL: a subscription names the version of the
 * list the person agreed to (subscription.h), and rewording one list
 * leaves the others' versions alone.
 */
#ifndef PF_LISTS_H
#define PF_LISTS_H

#include <stddef.h>

#include "config.h"

#define PF_LIST_ID_MAX	32	/* bytes in a list id */
#define PF_LISTS_MAX	32	/* rows in the table */

struct pf_mlist {
	char		 id[PF_LIST_ID_MAX + 1];
	const char	*channel;	/* "email" or "sms" (static) */
	int		 double_opt_in;
	char		*name;		/* owned by the table */
	char		*description;	/* owned by the table */
	char		 notice[17];	/* the notice version */
};

struct pf_lists {
	struct pf_mlist	 lists[PF_LISTS_MAX];
	size_t		 n;
};

/*
 * Read the table at path into *out (zeroed first), checked, with each
 * row's notice version.  PF_OK; PF_EINVAL for a malformed table (a row's
 * fields, a repeated id, no row, more than PF_LISTS_MAX), PF_ENOTFOUND
 * for no such file, PF_ENOMEM: then *why (may be NULL) gets a new string
 * naming the file and line ("FILE:LINE: what is wrong", never more of the
 * row), which the caller frees, and *out is empty.  The caller clears a
 * loaded *out with pf_lists_clear.
 */
int pf_lists_load(const char *path, struct pf_lists *out, char **why);

/* pf_lists_load of cfg's mailing_lists: the programs' start-up. */
int pf_lists_load_config(const struct pf_config *cfg, struct pf_lists *out,
    char **why);

/* The same for a table already in memory, text[0..len) called name. */
int pf_lists_parse(const char *text, size_t len, const char *name,
    struct pf_lists *out, char **why);

/* Free the rows' strings; *l is empty after (accepts an empty one). */
void pf_lists_clear(struct pf_lists *l);

/* The row of id, or NULL. */
const struct pf_mlist *pf_lists_find(const struct pf_lists *l,
    const char *id);

#endif
