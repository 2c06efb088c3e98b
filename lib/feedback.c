/*
 * feedback.c -- site feedback: codes, figures, the step-2 token and the
 * forwarding mail (see feedback.h).
 *
 * The step-2 token seals the entry's number with what the visitor typed
 * into step 2: the number alone would let anyone complete anyone's entry,
 * and an address in a query string would end up in access logs.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "copy.h"
#include "err.h"
#include "feedback.h"
#include "keys.h"
#include "lang.h"
#include "mail.h"
#include "nitems.h"
#include "store.h"
#include "token.h"
#include "validate.h"

#define ID_MAX_LEN	20	/* decimal digits of a positive long long */
#define STEP_FIELDS	4	/* id, email, recommend, language */
#define STEP_FIELDS_V1	3	/* before the language: read, never made */
#define MAX_SCORE	10
#define RECEIVED_LEN	sizeof("YYYY-MM-DD HH:MM UTC")

const char *const pf_feedback_types[] = {
	"compliment",		N_("Compliment"),
	"question",		N_("Question"),
	"product-inquiry",	N_("Product inquiry"),
	"website-issue",	N_("Website issue"),
	"complaint",		N_("Complaint"),
	NULL,
};

const char *const pf_feedback_ratings[] = {
	"terrible",	N_("Terrible"),
	"bad",		N_("Bad"),
	"okay",		N_("Okay"),
	"great",	N_("Great"),
	"amazing",	N_("Amazing"),
	NULL,
};

const char *const pf_feedback_scores[] = {
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", NULL,
};

_Static_assert(nitems(pf_feedback_types) == 2 * PF_FEEDBACK_NTYPES + 1,
    "PF_FEEDBACK_NTYPES counts the types");
_Static_assert(nitems(pf_feedback_ratings) == 2 * PF_FEEDBACK_NRATINGS + 1,
    "PF_FEEDBACK_NRATINGS counts the ratings");
_Static_assert(nitems(pf_feedback_scores) == MAX_SCORE + 2,
    "the recommend scale is 0 to 10");

/* The pair index of code in table (code, label, ..., NULL), or -1. */
static int
pair_index(const char *const *table, const char *code)
{
	int	 i;

	if (code == NULL)
		return -1;
	for (i = 0; table[2 * i] != NULL; i++)
		if (strcmp(table[2 * i], code) == 0)
			return i;
	return -1;
}

int
pf_feedback_rating(const char *code)
{
	return pair_index(pf_feedback_ratings, code) + 1;
}

const char *
pf_feedback_rating_code(int rating)
{
	if (rating < 1 || rating > PF_FEEDBACK_NRATINGS)
		return NULL;
	return pf_feedback_ratings[2 * (rating - 1)];
}

int
pf_feedback_type_index(const char *code)
{
	return pair_index(pf_feedback_types, code);
}

/* ---- the figures ---- */

int
pf_feedback_tally(const char *type, int rating, int recommend,
    int completed, long long n, void *arg)
{
	struct pf_feedback_stats	*s = arg;
	int				 t = pf_feedback_type_index(type);

	if (t < 0 || pf_feedback_rating_code(rating) == NULL ||
	    recommend < -1 || recommend > MAX_SCORE || n < 0)
		return PF_EINVAL;
	s->entries += n;
	if (completed)
		s->completed += n;
	s->type[t] += n;
	s->rating[rating - 1] += n;
	if (recommend >= 0) {
		s->recommend[recommend] += n;
		s->answers += n;
	}
	return PF_OK;
}

long long
pf_feedback_satisfied(const struct pf_feedback_stats *s)
{
	return s->rating[3] + s->rating[4];	/* great, amazing */
}

int
pf_feedback_tenths(long long n, long long total, long long *tenths)
{
	long long	 a = n < 0 ? -n : n;

	if (total <= 0)
		return PF_EINVAL;
	*tenths = (2000 * a + total) / (2 * total);
	if (n < 0)
		*tenths = -*tenths;
	return PF_OK;
}

void
pf_feedback_nps(const struct pf_feedback_stats *s,
    struct pf_feedback_nps *out)
{
	int	 i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i <= MAX_SCORE; i++) {
		if (i >= 9)
			out->promoters += s->recommend[i];
		else if (i >= 7)
			out->passives += s->recommend[i];
		else
			out->detractors += s->recommend[i];
	}
	/* The buckets, not s->answers: the score agrees with its parts. */
	out->answers = out->promoters + out->passives + out->detractors;
}

/* ---- the step-2 token ---- */

int
pf_feedback_step_make(const struct pf_keys *keys, long long id,
    const char *email, const char *recommend, time_t expires, char **out)
{
	const char	*fields[STEP_FIELDS];
	char		 num[ID_MAX_LEN + 1];

	*out = NULL;
	if (id <= 0)
		return PF_EINVAL;
	snprintf(num, sizeof(num), "%lld", id);
	fields[0] = num;
	fields[1] = email != NULL ? email : "";
	fields[2] = recommend != NULL ? recommend : "";
	fields[3] = pf_lang_current();
	return pf_token_make(keys->token, PF_FEEDBACK_STEP, expires, fields,
	    STEP_FIELDS, out);
}

/* A new copy of s in *out, or NULL for ""; PF_ENOMEM. */
static int
copy_or_null(const char *s, char **out)
{
	*out = NULL;
	if (s[0] == '\0')
		return PF_OK;
	return (*out = strdup(s)) != NULL ? PF_OK : PF_ENOMEM;
}

int
pf_feedback_step_check(const struct pf_keys *keys, const char *text,
    time_t now, struct pf_feedback_step *out)
{
	struct pf_token	 tok;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = pf_token_check(keys->token, PF_FEEDBACK_STEP, text, now,
	    &tok)) != PF_OK)
		return rc;
	if (tok.nfields != STEP_FIELDS && tok.nfields != STEP_FIELDS_V1)
		rc = PF_EFORGED;
	else if ((rc = pf_token_id(tok.fields[0], &out->id)) == PF_OK &&
	    (rc = copy_or_null(tok.fields[1], &out->email)) == PF_OK)
		rc = copy_or_null(tok.fields[2], &out->recommend);
	if (rc == PF_OK && tok.nfields == STEP_FIELDS &&
	    pf_lang_follow(tok.fields[3]) != PF_OK)
		rc = PF_EFORGED;
	out->expires = tok.expires;
	pf_token_clear(&tok);
	if (rc != PF_OK)
		pf_feedback_step_clear(out);
	return rc;
}

void
pf_feedback_step_clear(struct pf_feedback_step *s)
{
	free(s->email);
	free(s->recommend);
	memset(s, 0, sizeof(*s));
}

/* ---- forwarding ---- */

int
pf_feedback_subject(const struct pf_keys *keys, long long id, char out[65])
{
	char	 num[ID_MAX_LEN + 1];

	snprintf(num, sizeof(num), "%lld", id);
	return pf_pseudonym(keys, "feedback", num, out);
}

static int
set(const char *s)
{
	return s != NULL && s[0] != '\0';
}

int
pf_feedback_forwards(const struct pf_config *cfg,
    const struct pf_feedback *f, int step)
{
	if (!set(cfg->feedback_to) || !set(cfg->mail_from))
		return 0;
	switch (step) {
	case 1:
		return f->type != NULL && strcmp(f->type, "complaint") == 0;
	case 2:
		return set(f->email);
	default:
		return 0;
	}
}

/*
 * "YYYY-MM-DD HH:MM UTC" of stored time t ("YYYY-MM-DDTHH:MM:SS...Z"):
 * PF_EINVAL if t is not one.
 */
static int
received_text(const char *t, char out[RECEIVED_LEN])
{
	if (t == NULL || strlen(t) < 16 || t[10] != 'T' || t[13] != ':')
		return PF_EINVAL;
	snprintf(out, RECEIVED_LEN, "%.10s %.5s UTC", t, t + 11);
	return PF_OK;
}

/* pf_feedback_forward in the current language. */
static int
forward(struct pf_store *st, const struct pf_config *cfg,
    const struct pf_feedback *f, const char *subject)
{
	char		 id[ID_MAX_LEN + 1], received[RECEIVED_LEN];
	char		 score[32], *site;
	const char	*type = pf_choice_label(pf_feedback_types, f->type);
	const char	*rating = pf_choice_label(pf_feedback_ratings,
	    pf_feedback_rating_code(f->rating));
	const char	*v[] = { "id", id, "received", received, "type", type,
	    "rating", rating, "recommend", _("not answered"),
	    "email", set(f->email) ? f->email : _("none left"),
	    "message", f->message != NULL ? f->message : _("(no message)"),
	    "step", f->completed == NULL ? _("Step 2 not sent (yet)") :
	    _("Both steps sent"), "site", NULL, NULL };
	int		 rc;

	if (!pf_feedback_forwards(cfg, f, 1) &&
	    !pf_feedback_forwards(cfg, f, 2))
		return PF_OK;
	/* A NULL among the values would end the list early. */
	if (f->id <= 0 || type == NULL || rating == NULL ||
	    f->recommend < -1 || f->recommend > MAX_SCORE ||
	    received_text(f->created, received) != PF_OK)
		return PF_EINVAL;
	snprintf(id, sizeof(id), "%lld", f->id);
	if (f->recommend >= 0) {
		/* TRANSLATORS: %d is a score from 0 to 10. */
		snprintf(score, sizeof(score), _("%d of 10"), f->recommend);
		v[9] = score;
	}
	if ((site = pf_config_url(cfg, "/")) == NULL)
		return PF_ENOMEM;
	v[17] = site;
	rc = pf_mail_enqueue(st, "feedback-forward", cfg->feedback_to, v,
	    subject, NULL);
	free(site);
	return rc;
}

int
pf_feedback_forward(struct pf_store *st, const struct pf_config *cfg,
    const struct pf_feedback *f, const char *subject)
{
	char	 saved[PF_LANG_MAX];
	int	 rc;

	if ((rc = pf_lang_push(cfg->default_language, saved)) == PF_OK)
		rc = forward(st, cfg, f, subject);
	pf_lang_pop(saved);
	return rc;
}

/* ---- an entry copied out of the store ---- */

static const size_t held[] = {
	offsetof(struct pf_feedback, type),
	offsetof(struct pf_feedback, message),
	offsetof(struct pf_feedback, email),
	offsetof(struct pf_feedback, email_key),
	offsetof(struct pf_feedback, created),
	offsetof(struct pf_feedback, completed),
	offsetof(struct pf_feedback, updated),
};

PF_COPY_GENERATE(pf_feedback, pf_feedback_copy, pf_feedback, f, held,
    PF_FEEDBACK_NSTRINGS)
