/*
 * prefpage.h -- what the preference center's pages share (issue 22;
 * cgi-bin/preferences.c routes to them: pref_ask.h, pref_choose.h,
 * pref_signup.h, pref_confirm.h): the mailing lists table, whose
 * subscriptions a request changes, a subscription asked for with its
 * confirmation mail, a guarded form's submission, a signed link checked,
 * and the plain pages a GET shows.
 *
 * Every function runs inside a handler (program.h) of the preferences
 * program: those given the request (req) answer it themselves where they
 * say so.  Mails are queued in the caller's open transaction (mail.h).
 */
#ifndef PF_PREFPAGE_H
#define PF_PREFPAGE_H

#include <time.h>

#include "app.h"
#include "form.h"
#include "guard.h"
#include "keys.h"
#include "lists.h"
#include "subscription.h"
#include "token.h"

struct pf_page;
struct pf_param;
struct pf_request;

/*
 * The mailing lists (mailing_lists, lists.h), loaded once before serving:
 * non-zero, logged, when the table cannot be used (the program does not
 * serve).  pf_prefp_stop frees them.
 */
int pf_prefp_start(struct pf_app *app);
void pf_prefp_stop(void);

/* The table pf_prefp_start loaded; the module owns it. */
const struct pf_lists *pf_prefp_lists(void);

/* List id's name in the current language; id itself if it is not listed. */
const char *pf_prefp_list_name(const char *id);

/* a followed by b: a new string the caller frees, or NULL. */
char *pf_prefp_joined(const char *a, const char *b);

/* What fills a page a GET shows as it is (pf_prefp_send_page). */
typedef int pf_prefp_fill(struct pf_app *app, struct pf_request *req,
    struct pf_page *page);

/* Template name filled by fill, 200; a failure is answered 500. */
void pf_prefp_send_page(struct pf_app *app, struct pf_request *req,
    const char *name, pf_prefp_fill *fill);

/*
 * req answered for the failure rc: 503 when the store is busy or failing
 * (PF_EBUSY, PF_ESTORE), else 500 (app.h).
 */
void pf_prefp_fail(struct pf_app *app, struct pf_request *req, int rc);

/*
 * Whose subscriptions a request changes, as its records name them; the
 * strings are the caller's and must outlive it.
 */
struct pf_prefp_who {
	const char	*channel;
	const char	*address;	/* email key or E.164 number */
	const char	*request_id;
	char		 subject[PF_HEX_DIGEST_LEN + 1];
};

/* *w for address on channel, before the transaction (its pseudonym). */
int pf_prefp_who_of(struct pf_app *app, const struct pf_request *req,
    const char *channel, const char *address, struct pf_prefp_who *w);

/*
 * The change of w's list by method in the current language, at now (NULL:
 * subscription.h's own time); it points into w and its arguments.
 */
struct pf_sub_change pf_prefp_change_of(const struct pf_prefp_who *w,
    const char *list, const char *method, const char *now);

/*
 * Queue mail template to to, inside the open transaction: its link url,
 * the days it lasts, the site, and (name not NULL) the list's name;
 * subject is the audit subject (the pseudonym), never the address.
 */
int pf_prefp_queue_mail(struct pf_app *app, const char *template,
    const char *to, const char *url, long days, const char *name,
    const char *subject);

/*
 * Subscribe w to list by method inside the open transaction:
 * pf_sub_request, and the confirmation mail (a new link each time) when
 * that left it pending on an email list.  *pending says whether it is
 * pending.  PF_OK, or the store's or the mail's error.
 */
int pf_prefp_subscribe(struct pf_app *app, const struct pf_prefp_who *w,
    const char *list, const char *method, int *pending);

/* What a guarded form stores for w (list: the signup's), in its transaction. */
typedef int pf_prefp_store(struct pf_app *app, const struct pf_prefp_who *w,
    const char *list);

/*
 * A valid, screened submission (guard.h's pf_guard_form let it through
 * with g) for the email address of form's field: stored by store in one
 * transaction, counted against the address's limit, 303 to done; or,
 * through show, the form again with the guard's notice, or 503.
 */
void pf_prefp_guarded(struct pf_app *app, struct pf_request *req,
    const struct pf_form *form, size_t field, const char *list,
    struct pf_guard *g, const char *done, pf_guard_show *show,
    pf_prefp_store *store);

/*
 * A kind of signed link (preflink.h): how it is checked, and answered
 * when bad, and which of its fields say whose it is.
 */
struct pf_prefp_link {
	int	(*check)(const struct pf_keys *, const char *, time_t,
		    struct pf_token *);
	void	(*bad)(struct pf_app *, struct pf_request *, int);
	int	 list;		/* its list id's field, or -1 */
	int	 channel;	/* its channel's field */
	int	 address;	/* its address's field (a page shows it masked) */
};

/*
 * t (NULL: none) checked as a link of kind k into *tok (the caller clears
 * it), its language followed, the list it names in the table: 0, or
 * non-zero once k->bad answered the request.
 */
int pf_prefp_check_link(struct pf_app *app, struct pf_request *req,
    const struct pf_prefp_link *k, const struct pf_param *t,
    struct pf_token *tok);

/*
 * What fills the page a signed link opens: tok its checked token, t as
 * sent, masked its address as the page shows it (optout.h).
 */
typedef int pf_prefp_link_fill(struct pf_app *app, struct pf_page *page,
    const struct pf_token *tok, const char *t, const char *masked);

/*
 * GET with link ?t= of kind k: checked as pf_prefp_check_link does (a bad
 * one answered by k->bad), then template name filled by fill, 200; a
 * failure answered as pf_prefp_fail says.  Changes nothing.
 */
void pf_prefp_link_page(struct pf_app *app, struct pf_request *req,
    const struct pf_prefp_link *k, const char *name, pf_prefp_link_fill *fill);

/*
 * The name of the list ?KEY= names (the signup's "subscribed", the
 * confirmation's "confirmed"), and in *doi whether it asks for double
 * opt-in (also when it is not in the table: "check your inbox" is never
 * wrong).  The route guarantees ?KEY is there.
 */
const char *pf_prefp_answer_list(struct pf_request *req, const char *key,
    int *doi);

#endif
