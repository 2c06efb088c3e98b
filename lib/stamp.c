/*
 * stamp.c -- the sealed stamp of when and to whom a form was shown
 * (stamp.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "page.h"
#include "stamp.h"
#include "token.h"

#define STAMP_PURPOSE	"stamp"
#define STAMP_FIELDS	3	/* program, when shown, client */

enum pf_stamp
pf_stamp_read(const struct pf_stamper *s, const char *posted, time_t now,
    long long *age)
{
	struct pf_token		 tok = { 0 };
	char			*end;
	long long		 issued;
	enum pf_stamp		 st = PF_STAMP_STALE;

	if (posted == NULL || posted[0] == '\0')
		return PF_STAMP_NONE;
	if (pf_token_check(s->key, STAMP_PURPOSE, posted, now, &tok) != PF_OK)
		return PF_STAMP_STALE;
	if (tok.nfields == STAMP_FIELDS &&
	    strcmp(tok.fields[0], s->program) == 0) {
		issued = strtoll(tok.fields[1], &end, 10);
		if (*end == '\0' && end != tok.fields[1]) {
			*age = (long long)now - issued;
			st = strcmp(tok.fields[2], s->client) == 0 ?
			    PF_STAMP_OK : PF_STAMP_MOVED;
		}
	}
	pf_token_clear(&tok);
	return st;
}

int
pf_stamp_make(const struct pf_stamper *s, time_t now, char **out)
{
	const char	*fields[STAMP_FIELDS];
	char		 issued[24];

	snprintf(issued, sizeof(issued), "%lld", (long long)now);
	fields[0] = s->program;
	fields[1] = issued;
	fields[2] = s->client;
	return pf_token_make(s->key, STAMP_PURPOSE, now + s->max_hours * 3600,
	    fields, STAMP_FIELDS, out);
}

int
pf_stamp_page(const struct pf_stamper *s, const char *posted, int fresh,
    struct pf_page *page)
{
	time_t		 now = time(NULL);
	char		 wait[24], *made = NULL;
	long long	 age;
	int		 rc;

	snprintf(wait, sizeof(wait), "%ld", s->min_seconds);
	rc = pf_page_attr(page, "pf-guard-script", "data-wait", wait);
	if (rc != PF_OK && rc != PF_ENOTFOUND)
		return rc;
	if ((fresh || pf_stamp_read(s, posted, now, &age) != PF_STAMP_OK) &&
	    (rc = pf_stamp_make(s, now, &made)) != PF_OK)
		return rc;
	rc = pf_page_value(page, PF_STAMP_FIELD, made != NULL ? made : posted);
	free(made);
	return rc == PF_ENOTFOUND ? PF_OK : rc;
}
