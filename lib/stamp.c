/*
 * stamp.c -- the sealed stamp of when and to whom a form was shown
 * (stamp.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "err.h"
#include "keys.h"
#include "lang.h"
#include "page.h"
#include "stamp.h"
#include "token.h"

#define STAMP_PURPOSE	"stamp"
#define STAMP_FIELDS	4	/* program, when shown, client, language */
#define STAMP_FIELDS_V1	3	/* before the language: read, never made */

/* What a genuine, current stamp of s's program says. */
struct opened {
	long long	 issued;
	int		 same_client;
	char		 lang[PF_LANG_MAX];	/* "" in a stamp made before it */
};

/*
 * The last stamp opened and what it said.  A POST's stamp is opened
 * twice, for the language its answer is in (pf_stamp_lang, when the form
 * is read) and by the guard (pf_stamp_read), and opening one costs two
 * HMACs and a decryption; what it gives is a function of the key, the
 * program, the text and the second alone, so the second opening is
 * answered from here.  The client is kept as the stamp names it, to be
 * compared each time.  The programs are single-threaded (one request at
 * a time per process), so a static is theirs alone.
 */
#define MEMO_CLIENT_MAX	128
static struct {
	int		 valid;
	unsigned char	 key[PF_KEY_LEN];
	char		 program[64];
	char		 posted[PF_TOKEN_MAX_LEN + 1];
	time_t		 now;
	int		 rc;
	long long	 issued;
	char		 client[MEMO_CLIENT_MAX];
	char		 lang[PF_LANG_MAX];
} memo;

static int
memo_has(const unsigned char *key, const char *program, const char *posted,
    time_t now)
{
	return memo.valid && memo.now == now &&
	    CRYPTO_memcmp(memo.key, key, PF_KEY_LEN) == 0 &&
	    strcmp(memo.program, program) == 0 &&
	    strcmp(memo.posted, posted) == 0;
}

/* Keep what tok (NULL: no genuine stamp) said of posted as memo. */
static void
memo_keep(const unsigned char *key, const char *program, const char *posted,
    time_t now, int rc, const struct pf_token *tok, const struct opened *o)
{
	memo.valid = 0;
	if (strlen(program) >= sizeof(memo.program) ||
	    strlen(posted) >= sizeof(memo.posted) || (tok != NULL &&
	    tok->nfields > 2 && strlen(tok->fields[2]) >= MEMO_CLIENT_MAX))
		return;
	memcpy(memo.key, key, PF_KEY_LEN);
	strcpy(memo.program, program);
	strcpy(memo.posted, posted);
	memo.now = now;
	memo.rc = rc;
	memo.issued = o->issued;
	strcpy(memo.client, tok != NULL && tok->nfields > 2 ?
	    tok->fields[2] : "");
	memcpy(memo.lang, o->lang, sizeof(memo.lang));
	memo.valid = 1;
}

/* The memo as *o for client (NULL: not compared). */
static int
memo_open(const char *client, struct opened *o)
{
	memset(o, 0, sizeof(*o));
	if (memo.rc != PF_OK)
		return memo.rc;
	o->issued = memo.issued;
	o->same_client = client != NULL && strcmp(memo.client, client) == 0;
	memcpy(o->lang, memo.lang, sizeof(o->lang));
	return PF_OK;
}

/*
 * Open posted for key and program at now: PF_OK and *o filled, or
 * PF_EFORGED for anything but a genuine, current stamp of program
 * (client is not compared when NULL).
 */
static int
open_stamp(const unsigned char *key, const char *program, const char *client,
    const char *posted, time_t now, struct opened *o)
{
	struct pf_token	 tok = { 0 };
	char		*end, name[PF_LANG_MAX];
	int		 rc = PF_EFORGED;

	if (memo_has(key, program, posted, now))
		return memo_open(client, o);
	memset(o, 0, sizeof(*o));
	if (pf_token_check(key, STAMP_PURPOSE, posted, now, &tok) != PF_OK) {
		memo_keep(key, program, posted, now, PF_EFORGED, NULL, o);
		return PF_EFORGED;
	}
	if ((tok.nfields == STAMP_FIELDS || tok.nfields == STAMP_FIELDS_V1) &&
	    strcmp(tok.fields[0], program) == 0) {
		o->issued = strtoll(tok.fields[1], &end, 10);
		if (*end == '\0' && end != tok.fields[1])
			rc = PF_OK;
		o->same_client = client != NULL &&
		    strcmp(tok.fields[2], client) == 0;
	}
	if (rc == PF_OK && tok.nfields == STAMP_FIELDS) {
		if (pf_lang_name(tok.fields[3], name) == PF_OK)
			memcpy(o->lang, tok.fields[3], strlen(tok.fields[3]) + 1);
		else
			rc = PF_EFORGED;
	}
	memo_keep(key, program, posted, now, rc, rc == PF_OK ? &tok : NULL, o);
	pf_token_clear(&tok);
	return rc;
}

enum pf_stamp
pf_stamp_read(const struct pf_stamper *s, const char *posted, time_t now,
    long long *age, char lang[PF_LANG_MAX])
{
	struct opened	 o;

	if (posted == NULL || posted[0] == '\0')
		return PF_STAMP_NONE;
	if (open_stamp(s->key, s->program, s->client, posted, now, &o) != PF_OK)
		return PF_STAMP_STALE;
	*age = (long long)now - o.issued;
	if (lang != NULL)
		memcpy(lang, o.lang, sizeof(o.lang));
	return o.same_client ? PF_STAMP_OK : PF_STAMP_MOVED;
}

int
pf_stamp_lang(const unsigned char *key, const char *program,
    const char *posted, time_t now, char lang[PF_LANG_MAX])
{
	struct opened	 o;

	lang[0] = '\0';
	if (posted == NULL || open_stamp(key, program, NULL, posted, now,
	    &o) != PF_OK || o.lang[0] == '\0')
		return PF_ENOTFOUND;
	memcpy(lang, o.lang, sizeof(o.lang));
	return PF_OK;
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
	struct opened	 o;

	*out = NULL;
	if (fresh || posted == NULL || open_stamp(s->key, s->program,
	    s->client, posted, now, &o) != PF_OK || !o.same_client)
		return make(s, (long long)now, out);
	if (strcmp(o.lang, pf_lang_current()) != 0)
		return make(s, o.issued, out);
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
