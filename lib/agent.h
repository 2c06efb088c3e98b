/*
 * agent.h -- data subject requests made on someone else's behalf (11 CCR
 * s. 7063 and the laws that allow it: the laws table's agents column).
 *
 * The agent gives their name, their address and how they stand to the
 * person; the person's own address is the request's, as for any request.
 * Nothing is disclosed before the person confirms, by the signed link in
 * a mail to their own address, that they gave the agent permission: the
 * request stays unverified until then (dsr.h), so the team's commands
 * that disclose or act (fulfil, deny, extend, export, erase) refuse it,
 * and a refusal by the person closes it (denied, agent-not-authorised).
 *
 * Who is mailed what (the agent never gets the person's data, nor a link):
 *
 *	submitted	the person: request-agent-confirm (the link; names
 *			nobody: the page shows who asked); the agent:
 *			request-agent-received (acknowledgement)
 *	confirmed	the person: request-verified; the agent:
 *			request-agent-update (status and due date); the team
 *	refused		the person: request-denied; the agent:
 *			request-agent-update
 *	extended, fulfilled, denied by the team
 *			the person as for any request; the agent:
 *			request-agent-update (the status, the due date, a
 *			denial's reason in plain words; never a note, which
 *			may carry the person's data)
 *
 * The agent's name and address are personal data: in the store
 * (request_agent), the person's verify page, `privforms request show`
 * and the export only; audit records carry the relationship code.
 */
#ifndef PF_AGENT_H
#define PF_AGENT_H

#include "copy.h"
#include "store.h"

struct pf_config;

/* (code, label, ..., NULL): how the agent stands to the person. */
extern const char *const pf_agent_relationships[];

/*
 * An agent copied out of the store (copy.h); a points at the strings in
 * mem.  pf_agent_hold(row, arg): row into arg; PF_OK, or PF_ENOMEM
 * (nothing held).  pf_agent_drop(c): free what c holds and zero it;
 * accepts a zeroed copy.
 */
#define PF_AGENT_NSTRINGS 5

PF_COPY_HEAD(pf_agent_copy, pf_dsr_agent, a, PF_AGENT_NSTRINGS);
PF_COPY_PROTOTYPE(pf_agent, pf_agent_copy, pf_dsr_agent);

/*
 * Request's agent into c (pf_agent_drop it): PF_OK, PF_ENOTFOUND (the
 * person asked; c zeroed), or a store error.
 */
int pf_agent_load(struct pf_store *st, long long request,
    struct pf_agent_copy *c);

/*
 * 1, with why (for the team), if r came through an agent whose
 * permission the person has not confirmed: nothing may be disclosed or
 * done.  0 otherwise, also for a request without an agent.  A store
 * error is 1 too, with why saying so.
 */
int pf_agent_unconfirmed(struct pf_store *st, const struct pf_dsr *r,
    char *why, size_t len);

/*
 * Queue template to r's agent a inside the caller's transaction, with
 * id, type, received, due, law, status (labels, as dsr.h's mails) and
 * site, plus extra (name, value, ..., NULL; may be NULL).  r->status is
 * the status after the change.  In r's language (r->lang, the one the
 * agent used on the form; the current one when NULL), as dsr.h's
 * pf_dsr_mail.  PF_OK and nothing queued when the address was erased.
 * No status link: the agent follows by mail.
 */
int pf_agent_mail(struct pf_store *st, const struct pf_config *cfg,
    const struct pf_dsr *r, const struct pf_dsr_agent *a,
    const char *template, const char *const *extra);

#endif
