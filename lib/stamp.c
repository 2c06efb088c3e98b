/*
 * stamp.c -- the sealed stamp of when and to whom a form was shown
 * (stamp.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "keys.h"
#include "lang.h"
#include "page.h"
#include "stamp.h"
#include "token.h"

#define STAMP_PURPOSE	"stamp"
#define STAMP_FIELDS	4	/* program, when shown, client, language */
#define STAMP_FIELDS_V1	3	/* before the language: read, never made */

void
pf_stamp_open(const unsigned char *key, const char *program,
    const char *posted, time_t now, struct pf_stamp_seen *seen)
{
	struct pf_token	 tok = { 0 };
	char		*end, name[PF_LANG_MAX];

	memset(seen, 0, sizeof(*seen));
	seen->verdict = PF_STAMP_NONE;
	if (posted == NULL || posted[0] == '\0')
		return;
	seen->verdict = PF_STAMP_STALE;
	if (pf_token_check(key, STAMP_PURPOSE, posted, now, &tok) != PF_OK)
		return;
	if ((tok.nfields == STAMP_FIELDS || tok.nfields == STAMP_FIELDS_V1) &&
	    strcmp(tok.fields[0], program) == 0 &&
	    strlen(tok.fields[2]) < sizeof(seen->client)) {
		seen->issued = strtoll(tok.fields[1], &end, 10);
		if (*end == '\0' && end != tok.fields[1])
			seen->verdict = PF_STAMP_OK;
		strcpy(seen->client, tok.fields[2]);
	}
	if (seen->verdict == PF_STAMP_OK && tok.nfields == STAMP_FIELDS) {
		if (pf_lang_name(tok.fields[3], name) == PF_OK)
			strcpy(seen->lang, tok.fields[3]);
		else
			seen->verdict = PF_STAMP_STALE;
	}
	pf_token_clear(&tok);
}

enum pf_stamp
pf_stamp_judge(const struct pf_stamp_seen *seen, const char *client,
    time_t now, long long *age)
{
	if (seen->verdict != PF_STAMP_OK)
		return seen->verdict;
	*age = (long long)now - seen->issued;
	return strcmp(seen->client, client) == 0 ? PF_STAMP_OK :
	    PF_STAMP_MOVED;
}

/* A stamp of s's program and client, first shown at issued, in *out. */
static int
make(const struct pf_stamper *s, long long issued, char **out)
{
	const char	*fields[STAMP_FIELDS];
	char		 when[24];

	snprintf(when, sizeof(when), "%lld", issued);
	fields[0] = s->program;
	fields[1] = when;
	fields[2] = s->client;
	fields[3] = pf_lang_current();
	return pf_token_make(s->key, STAMP_PURPOSE,
	    (time_t)issued + s->max_hours * 3600, fields, STAMP_FIELDS, out);
}

int
pf_stamp_make(const struct pf_stamper *s, time_t now, char **out)
{
	return make(s, (long long)now, out);
}

/*
 * The stamp a page shown at now gets for posted: posted itself when it
 * is this client's and was made in the current language; a new one with
 * its time when only the language differs (the form is shown again in
 * another); else a new one for now (*out NULL: keep posted).
 */
static int
restamp(const struct pf_stamper *s, const char *posted, int fresh, time_t now,
    char **out)
{
	struct pf_stamp_seen	 seen;
	long long		 age;

	*out = NULL;
	if (fresh)
		return make(s, (long long)now, out);
	pf_stamp_open(s->key, s->program, posted, now, &seen);
	if (pf_stamp_judge(&seen, s->client, now, &age) != PF_STAMP_OK)
		return make(s, (long long)now, out);
	if (strcmp(seen.lang, pf_lang_current()) != 0)
		return make(s, seen.issued, out);
	return PF_OK;
}

int
pf_stamp_page(const struct pf_stamper *s, const char *posted, int fresh,
    struct pf_page *page)
{
	time_t		 now = time(NULL);
	char		 wait[24], *made = NULL;
	int		 rc;

	snprintf(wait, sizeof(wait), "%ld", s->min_seconds);
	rc = pf_page_attr(page, "pf-guard-script", "data-wait", wait);
	if (rc != PF_OK && rc != PF_ENOTFOUND)
		return rc;
	if ((rc = restamp(s, posted, fresh, now, &made)) != PF_OK)
		return rc;
	rc = pf_page_value(page, PF_STAMP_FIELD, made != NULL ? made : posted);
	free(made);
	return rc == PF_ENOTFOUND ? PF_OK : rc;
}
