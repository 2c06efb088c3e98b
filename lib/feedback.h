/*
 * feedback.h -- site feedback: what can be said, the figures the team
 * reads, the step-2 token, and the mail that forwards an entry.
 *
 * The form (cgi-bin/feedback.c) has two steps.  Step 1 (type, message,
 * rating) is stored as soon as it is posted, so an abandoned step 2 still
 * keeps the rating; step 2 (an email to reply to, how likely the visitor
 * is to recommend the site) completes the same entry, found through a
 * signed token carried in the form (no cookie).  The team's commands
 * (tools/cmd_feedback.c) read the figures computed here, so the report
 * and any test of it agree on one definition:
 *
 *	CSAT	the share of rated entries rated great or amazing, in percent
 *	NPS	percent promoters (9 and 10) minus percent detractors (0 to 6)
 *		among the entries that answered "how likely ... recommend",
 *		from -100 to 100
 *
 * both to one decimal, rounded as pf_feedback_tenths says.
 */
#ifndef PF_FEEDBACK_H
#define PF_FEEDBACK_H

#include <time.h>

#include "copy.h"
#include "store.h"

struct pf_config;
struct pf_keys;

/*
 * Tables of (code, label, ..., NULL) pairs, as pf_valid_choice and
 * pf_choice_label (validate.h) take them.  Codes are what the form posts
 * and the store keeps; the ratings' order is their value: terrible is 1,
 * amazing 5.
 */
#define PF_FEEDBACK_NTYPES	5
#define PF_FEEDBACK_NRATINGS	5
extern const char *const pf_feedback_types[];	/* "compliment", "Compliment", ... "complaint" */
extern const char *const pf_feedback_ratings[];	/* "terrible", "Terrible", ... "amazing", "Amazing" */

/* "0" ... "10", NULL: the recommend scale, for pf_valid_enum. */
extern const char *const pf_feedback_scores[];

/* The value 1..5 of rating code ("great" is 4), or 0 if it is none. */
int pf_feedback_rating(const char *code);

/* The code of rating value 1..5, or NULL. */
const char *pf_feedback_rating_code(int rating);

/* The index of type code in pf_feedback_types (0..4, its pair), or -1. */
int pf_feedback_type_index(const char *code);

/* The figures of a set of entries. */
struct pf_feedback_stats {
	long long	 entries;
	long long	 completed;	/* step 2 sent */
	long long	 type[PF_FEEDBACK_NTYPES];	/* by pf_feedback_type_index */
	long long	 rating[PF_FEEDBACK_NRATINGS];	/* [0] terrible ... [4] amazing */
	long long	 recommend[11];	/* answers per score */
	long long	 answers;	/* entries that gave a score */
};

/*
 * pf_store_feedback_tally's callback: add n entries of this kind to arg, a
 * struct pf_feedback_stats the caller zeroed.  A type or rating the
 * tables do not know (a row written by a newer version) is PF_EINVAL,
 * which stops the tally: figures are never silently short.
 */
int pf_feedback_tally(const char *type, int rating, int recommend,
    int completed, long long n, void *arg);

/* The entries rated great or amazing: CSAT is their share of s->entries. */
long long pf_feedback_satisfied(const struct pf_feedback_stats *s);

/*
 * n / total in tenths of a percent (62 for 6.2%), rounded half away from
 * zero and worked in integers from the counts, so that a report agrees
 * with figures worked by hand (printf's "%.1f" of a double rounds 6.25 to
 * 6.2).  n may be negative (an NPS).  PF_EINVAL when total is not
 * positive: the share is undefined, not zero.
 */
int pf_feedback_tenths(long long n, long long total, long long *tenths);

struct pf_feedback_nps {
	long long	 promoters;	/* 9 and 10 */
	long long	 passives;	/* 7 and 8 */
	long long	 detractors;	/* 0 to 6 */
	long long	 answers;	/* NPS: pf_feedback_tenths(promoters -
					   detractors, answers) */
};

void pf_feedback_nps(const struct pf_feedback_stats *s,
    struct pf_feedback_nps *out);

/* Token purpose (token.h) of the step-2 token. */
#define PF_FEEDBACK_STEP	"feedback-step"

/*
 * What a step-2 token carries: the entry, and what the visitor had typed
 * into step 2 before going Back (so Back and forward again keep it),
 * sealed so that a link in an access log does not show an address.
 */
struct pf_feedback_step {
	long long	 id;
	char		*email;		/* as typed, or NULL */
	char		*recommend;	/* as typed, or NULL */
	time_t		 expires;	/* the token's: a revision keeps it */
};

/*
 * A token for entry id valid until expires, carrying email and recommend
 * (each NULL or as typed; "" is NULL) and the current language (lang.h).  *out is a new string (token.h's
 * alphabet, safe in a query string).
 */
int pf_feedback_step_make(const struct pf_keys *keys, long long id,
    const char *email, const char *recommend, time_t expires, char **out);

/*
 * Check text: PF_OK and out filled (pf_feedback_step_clear frees it),
 * the token's language followed (lang.h's pf_lang_follow: step 2 is in
 * the language of step 1 unless the visitor chose one; a token made
 * before tokens had a language changes none); PF_EFORGED (not ours,
 * malformed, another purpose) or PF_EEXPIRED; out is zeroed on error.
 */
int pf_feedback_step_check(const struct pf_keys *keys, const char *text,
    time_t now, struct pf_feedback_step *out);
void pf_feedback_step_clear(struct pf_feedback_step *s);	/* accepts zeroed */

/*
 * Is entry f forwarded to the team (feedback_to) now that step (1 or 2)
 * has been stored?  A complaint at step 1, whatever comes next, so an
 * abandoned step 2 loses none; any entry that left an email at step 2, so
 * the team can answer.  0 whenever no team address or no mail_from is
 * configured.
 */
int pf_feedback_forwards(const struct pf_config *cfg,
    const struct pf_feedback *f, int step);

/*
 * The subject (keys.h) of the mails about entry id that name no address:
 * the pseudonym of kind "feedback" of its number, so that the records of
 * a complaint forwarded at step 1 name the entry, and an erasure of the
 * person who later left an address finds the mail if it is still queued.
 */
int pf_feedback_subject(const struct pf_keys *keys, long long id,
    char out[65]);

/*
 * Queue mail template "feedback-forward" about f to feedback_to inside
 * the caller's open transaction, with the values
 *
 *	id		the entry's number
 *	received	"YYYY-MM-DD HH:MM UTC" of f->created
 *	type		its type's label
 *	rating		its rating's label
 *	recommend	"8 of 10", or "not answered"
 *	email		the address left, or "none left"
 *	message		the message, or "(no message)"
 *	step		"Step 2 not sent (yet)" or "Both steps sent"
 *	site		base_url + prefix + "/"
 *
 * in the team's language (config's default_language).  subject is the
 * pseudonym for the mail's records: of the email key at step 2,
 * pf_feedback_subject's at step 1.  PF_OK and nothing queued when
 * pf_feedback_forwards would say 0 for either step.
 */
int pf_feedback_forward(struct pf_store *st, const struct pf_config *cfg,
    const struct pf_feedback *f, const char *subject);

/*
 * An entry copied out of the store (pf_store_feedback_get's row lives only
 * as long as its callback): pf_feedback_hold is that callback, with arg a
 * struct pf_feedback_copy.
 */
#define PF_FEEDBACK_NSTRINGS 7	/* the string members of struct pf_feedback */

/*
 * pf_feedback_hold(row, arg): row into arg; PF_OK, or PF_ENOMEM (nothing
 * held).  pf_feedback_drop(c): free what c holds and zero it; accepts a
 * zeroed copy.
 */
PF_COPY_HEAD(pf_feedback_copy, pf_feedback, f, PF_FEEDBACK_NSTRINGS);
PF_COPY_PROTOTYPE(pf_feedback, pf_feedback_copy, pf_feedback);

#endif
