/*
 * agent.c -- requests made on someone else's behalf (see agent.h).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "config.h"
#include "copy.h"
#include "dsr.h"
#include "err.h"
#include "lang.h"
#include "mail.h"
#include "nitems.h"
#include "validate.h"

#define ID_MAX_LEN	20
#define AGENT_VALUES	7	/* pairs every agent mail has */

const char *const pf_agent_relationships[] = {
	"authorised-agent",	N_("Authorised agent (a business registered with "
				"the Secretary of State)"),
	"power-of-attorney",	N_("Holder of a power of attorney"),
	"parent-guardian",	N_("Parent or guardian"),
	"other",		N_("Other"),
	NULL,
};

static const size_t held[] = {
	offsetof(struct pf_dsr_agent, name),
	offsetof(struct pf_dsr_agent, email),
	offsetof(struct pf_dsr_agent, relationship),
	offsetof(struct pf_dsr_agent, answer),
	offsetof(struct pf_dsr_agent, answered),
};

PF_COPY_GENERATE(pf_agent, pf_agent_copy, pf_dsr_agent, a, held,
    PF_AGENT_NSTRINGS)

int
pf_agent_load(struct pf_store *st, long long request, struct pf_agent_copy *c)
{
	memset(c, 0, sizeof(*c));
	return pf_store_agent_get(st, request, pf_agent_hold, c);
}

int
pf_agent_unconfirmed(struct pf_store *st, const struct pf_dsr *r, char *why,
    size_t len)
{
	struct pf_agent_copy	 c;
	int			 rc, held;

	if ((rc = pf_agent_load(st, r->id, &c)) == PF_ENOTFOUND)
		return 0;
	if (rc != PF_OK) {
		snprintf(why, len, "%s", pf_strerror(rc));
		return 1;
	}
	held = strcmp(c.a.answer, "confirmed") != 0;
	if (held && strcmp(c.a.answer, "refused") == 0)
		snprintf(why, len, "made through an agent whom the person said "
		    "they did not authorise: nothing may be disclosed");
	else if (held)
		snprintf(why, len, "made through an agent (%s), and the person "
		    "has not yet confirmed by mail that they gave the agent "
		    "permission: nothing may be disclosed before they do",
		    c.a.relationship);
	pf_agent_drop(&c);
	return held;
}

/* Count the pairs of extra; -1 if there are more than a mail takes. */
static int
extra_pairs(const char *const *extra)
{
	int	 n = 0;

	while (extra != NULL && extra[2 * n] != NULL)
		if (++n > PF_MAIL_MAX_VALUES - AGENT_VALUES)
			return -1;
	return n;
}

int
pf_agent_mail(struct pf_store *st, const struct pf_config *cfg,
    const struct pf_dsr *r, const struct pf_dsr_agent *a,
    const char *template, const char *const *extra)
{
	const char	*v[2 * PF_MAIL_MAX_VALUES + 1];
	char		 id[ID_MAX_LEN + 1], received[PF_DATE_SIZE], *site;
	struct pf_dsr_when when[2];
	char		 saved[PF_LANG_MAX];
	int		 i, n, rc;

	if (a->email == NULL)
		return PF_OK;
	if (r->id <= 0 || r->type == NULL || r->due == NULL ||
	    r->law == NULL || r->received == NULL || r->status == NULL ||
	    (n = extra_pairs(extra)) < 0)
		return PF_EINVAL;
	if ((site = pf_config_url(cfg, "/")) == NULL)
		return PF_ENOMEM;
	/* In r's language (the current one before r is stored). */
	if ((rc = pf_lang_push(r->lang != NULL ? r->lang : pf_lang_current(),
	    saved)) != PF_OK)
		goto done;
	snprintf(id, sizeof(id), "%lld", r->id);
	snprintf(received, sizeof(received), "%.10s", r->received);
	v[0] = "id";		v[1] = id;
	v[2] = "type";		v[3] = pf_choice_label(pf_dsr_types, r->type);
	v[4] = "received";	v[5] = pf_dsr_mail_date(received, &when[0]);
	v[6] = "due";		v[7] = pf_dsr_mail_date(r->due, &when[1]);
	v[8] = "law";		v[9] = pf_dsr_law_words(r->law);
	v[10] = "status";	v[11] = pf_choice_label(pf_dsr_statuses,
	    r->status);
	v[12] = "site";		v[13] = site;
	rc = PF_EINVAL;
	if (v[3] == NULL || v[11] == NULL)
		goto done;
	for (i = 0; i < 2 * n; i++)
		v[2 * AGENT_VALUES + i] = extra[i];
	v[2 * AGENT_VALUES + 2 * n] = NULL;
	rc = pf_mail_enqueue(st, template, a->email, v, r->subject, NULL);
done:
	pf_lang_pop(saved);
	free(site);
	return rc;
}
