/* fixture.c -- what the unit tests share (fixture.h). */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "err.h"
#include "fixture.h"

void
pf_test_rmdir(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	char		 p[PATH_MAX + 256];

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (unlink(p) == -1)
			rmdir(p);	/* an empty directory a test made */
	}
	closedir(d);
	rmdir(dir);
}

static int
load_row(const struct pf_outbox_row *r, void *arg)
{
	struct pf_test_queued	*q = arg;

	snprintf(q->recipient, sizeof(q->recipient), "%s", r->recipient);
	snprintf(q->subject, sizeof(q->subject), "%s",
	    r->subject != NULL ? r->subject : "");
	return pf_mail_load(r, &q->m);
}

void
pf_test_queued(struct pf_store *st, long long id, struct pf_test_queued *q)
{
	memset(q, 0, sizeof(*q));
	ck_assert_int_eq(pf_store_outbox_get(st, id, load_row, q), PF_OK);
}

const char *
pf_test_value(const struct pf_mail *m, const char *name)
{
	size_t	 i;

	for (i = 0; m->values[i] != NULL; i += 2)
		if (strcmp(m->values[i], name) == 0)
			return m->values[i + 1];
	return NULL;
}

long long
pf_test_outbox_total(struct pf_store *st)
{
	long long	 q = 0, g = 0, s = 0, f = 0;

	ck_assert_int_eq(pf_store_outbox_counts(st, &q, &g, &s, &f), PF_OK);
	return q + g + s + f;
}
