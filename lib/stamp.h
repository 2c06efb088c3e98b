/*
 * stamp.h -- the sealed stamp on every form page: when the form was shown,
 * by which program, to which client network.
 *
 * A stamp is a sealed token (token.h, purpose "stamp") of four fields,
 * "program NUL issued NUL client NUL lang": the form program's name, the
 * time the form was first shown (seconds since the epoch), the keyed
 * pseudonym of the client network it was shown to (app.h's
 * pf_app_client) and the language (lang.h's tag) the form was shown in,
 * so that what the form's POST answers, stores and mails is in the
 * language the visitor filled it in (app.h's pf_app_read_form follows
 * it).  It travels in the form's hidden "pf_stamp" control and expires
 * form_max_hours after it was first shown.  A stamp made before it had a
 * language (three fields) still reads, with no language, until it
 * expires: form_max_hours (24 by default, at most 720) after the release
 * that added the field, that form of stamp can no longer be posted and
 * its reading may be dropped.  One page fetch so stamps the forms of
 * one program and one client network only; the guard (guard.h) reads the
 * stamp a form comes back with to tell a form sent too fast, a page kept
 * too long or a network that changed while the form was open.
 *
 * app.h's pf_app_send_form stamps every form page it sends; guard.h reads
 * what was posted.  Neither needs the other for it.
 */
#ifndef PF_STAMP_H
#define PF_STAMP_H

#include <time.h>

#include "lang.h"

struct pf_page;

#define PF_STAMP_FIELD	"pf_stamp"	/* the form control it travels in */

/* Whose stamps: what making, reading and placing one needs. */
struct pf_stamper {
	const unsigned char	*key;		/* keys.h's token key */
	const char		*program;	/* the form program: app.h's form */
	const char		*client;	/* the client network's pseudonym */
	long			 min_seconds;	/* form_min_seconds: the widget's wait */
	long			 max_hours;	/* form_max_hours: a stamp's life */
};

/* What a posted stamp says (pf_stamp_judge). */
enum pf_stamp {
	PF_STAMP_OK,	/* genuine, current, this program's, this client's */
	PF_STAMP_NONE,	/* none posted */
	PF_STAMP_STALE,	/* forged, expired, another program's, malformed */
	PF_STAMP_MOVED,	/* all but the client: its network has changed */
};

/*
 * What a posted stamp says, opened once (two HMACs and a decryption) and
 * asked as often as its request needs (app.h's pf_app_posted_stamp keeps
 * one per request): verdict PF_STAMP_NONE (none posted), PF_STAMP_STALE
 * (forged, expired, another program's, malformed) or PF_STAMP_OK
 * (genuine, current, this program's: its client not yet compared); the
 * rest only with PF_STAMP_OK.
 */
#define PF_STAMP_CLIENT_MAX	65	/* a client pseudonym (app.h) and NUL */
struct pf_stamp_seen {
	enum pf_stamp	 verdict;
	long long	 issued;		/* when the form was first shown */
	char		 client[PF_STAMP_CLIENT_MAX];	/* the network named */
	char		 lang[PF_LANG_MAX];	/* "" in a stamp made before it */
};

/* Open posted (NULL or "" when none was) for key and program at now. */
void pf_stamp_open(const unsigned char *key, const char *program,
    const char *posted, time_t now, struct pf_stamp_seen *seen);

/*
 * What seen is to client at now: its verdict, or PF_STAMP_MOVED for a
 * stamp of another client network; its age in seconds in *age when
 * PF_STAMP_OK or PF_STAMP_MOVED.
 */
enum pf_stamp pf_stamp_judge(const struct pf_stamp_seen *seen,
    const char *client, time_t now, long long *age);

/*
 * A new stamp for s's program and client, shown at now in the current
 * language (lang.h), into *out (the
 * caller frees it): for a form that is not a page, such as the consent
 * snippet's dialog (its JSON carries the stamp).  PF_OK, or token.h's
 * error.
 */
int pf_stamp_make(const struct pf_stamper *s, time_t now, char **out);

/*
 * Put a stamp into every "pf_stamp" control of page: posted, when it is
 * PF_STAMP_OK (a form shown again keeps the time it was first shown, so
 * fixing one field quickly is not "too fast") unless fresh is set, and
 * resealed with that time in the current language if it was made in
 * another; else a new one for now; and s->min_seconds, the seconds the widget must wait
 * before it sends (so that a person with JavaScript is never taken for a
 * script), into the "pf-guard-script" element's data-wait.  A page
 * without either is left as it is.  PF_OK, or an error from token.h or
 * page.h.
 */
int pf_stamp_page(const struct pf_stamper *s, const char *posted, int fresh,
    struct pf_page *page);

#endif
