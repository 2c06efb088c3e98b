/* badlink.c -- the page for a link that cannot be used (badlink.h). */
#include <stddef.h>

#include "badlink.h"
#include "err.h"
#include "page.h"

/* What a link's check returned, as a column of pages[]. */
enum why { WHY_FORGED, WHY_EXPIRED, WHY_GONE, WHY__MAX };

static const int why_rc[WHY__MAX] = {
	[WHY_FORGED] = PF_EFORGED,
	[WHY_EXPIRED] = PF_EEXPIRED,
	[WHY_GONE] = PF_ENOTFOUND,
};

struct answer {
	int		 status;	/* 0: no page, a failure */
	const char	*title;
	const char	*text;
};

/* A mail's link that was cut short or changed: the same words for each. */
#define MAIL_FORGED	{ 400, "This link is not valid", "The link may have " \
	"been cut short or changed. Open it again from the email." }

static const struct answer pages[PF_BADLINK__MAX][WHY__MAX] = {
	[PF_BADLINK_ONE_CLICK] = {
		[WHY_FORGED] = { 400, "This unsubscribe link is not valid",
		    "The link may have been cut short or changed. Open it "
		    "again from the email, or unsubscribe with the form on "
		    "this site." },
		[WHY_EXPIRED] = { 400, "This unsubscribe link has expired",
		    "The link in the email is too old to use. You can still "
		    "unsubscribe with the form on this site." },
	},
	[PF_BADLINK_VERIFY] = {
		[WHY_FORGED] = MAIL_FORGED,
		[WHY_EXPIRED] = { 400, "This link has expired",
		    "The link in the email is too old to use, and a request "
		    "that is not confirmed in time is deleted. Please send "
		    "the request again." },
		[WHY_GONE] = { 400, "This link has expired",
		    "This request is no longer waiting for confirmation: "
		    "requests that are not confirmed in time are deleted. "
		    "Please send the request again." },
	},
	[PF_BADLINK_STATUS] = {
		[WHY_FORGED] = MAIL_FORGED,
		[WHY_EXPIRED] = { 400, "This link has expired",
		    "The link in the email is too old to use. Each email we "
		    "send about your request has a fresh one." },
		[WHY_GONE] = { 404, "No such request",
		    "We hold no request for this link any more: a request "
		    "that was not confirmed in time has been deleted." },
	},
	[PF_BADLINK_FEEDBACK] = {
		[WHY_FORGED] = { 400, "This form is not valid",
		    "The page may have been cut short or changed. Please "
		    "start again from the feedback form." },
		[WHY_EXPIRED] = { 400, "This form has expired",
		    "Step 2 was left open too long to finish. Your rating "
		    "was kept, thank you. To add more, start again from the "
		    "feedback form." },
		[WHY_GONE] = { 400, "This feedback is no longer open",
		    "We no longer hold the feedback this page belongs to. "
		    "Please start again from the feedback form." },
	},
};

void
pf_badlink(struct pf_app *app, struct pf_request *req, enum pf_badlink kind,
    int rc)
{
	const struct answer	*a = NULL;
	size_t			 i;

	for (i = 0; i < WHY__MAX; i++)
		if (why_rc[i] == rc)
			a = &pages[kind][i];
	if (a == NULL || a->status == 0)
		pf_app_fail(app, req);
	else
		pf_page_message(app->pages, req, a->status, a->title, a->text,
		    NULL, 0);
}
