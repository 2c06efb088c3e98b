/* badlink.c -- the page for a link that cannot be used (badlink.h). */
#include <stddef.h>

#include "badlink.h"
#include "err.h"
#include "lang.h"
#include "nitems.h"
#include "page.h"

/* What a kind of link says when its check failed with rc (badlink.def). */
static const struct answer {
	enum pf_badlink	 kind;
	int		 rc;
	int		 status;
	const char	*title;
	const char	*text;
} answers[] = {
#define BADLINK(kind, rc, status, title, text) \
	{ PF_BADLINK_##kind, rc, status, title, text },
#include "badlink.def"
#undef BADLINK
};

void
pf_badlink(struct pf_app *app, struct pf_request *req, enum pf_badlink kind,
    int rc)
{
	const struct answer	*a;
	size_t			 i;

	for (i = 0; i < nitems(answers); i++) {
		a = &answers[i];
		if (a->kind == kind && a->rc == rc) {
			pf_page_message(app->pages, req, a->status,
			    _(a->title), _(a->text), NULL, 0);
			return;
		}
	}
	pf_app_fail(app, req);
}
