/*
 * denials.h -- why a data subject request is denied: the one list of
 * reason codes `privforms request deny --reason CODE` takes (dsr.h's
 * pf_denials), each with the plain words the requester's mail and status
 * page give, and the provisions it rests on.
 *
 * A code is what the store (request_event.reason) and the audit record
 * (request-denied's reason) keep: never the team's own text, which may
 * hold personal data.  The list is data, spelled once here as an X-macro:
 * dsr.c makes the table of it, audit_events.h the vocabulary the audit
 * table checks request-denied's reason against.  A code reaches stored
 * requests, audit records and auditors' scripts: never rename or reuse
 * one; add a new one instead.
 *
 *	X(code, words, source)
 *	code	lower-case words joined by '-'
 *	words	what the requester reads, as one sentence: N_() (lang.h),
 *		translated where it is used (validate.h's pf_choice_label)
 *	source	where the ground for refusing comes from, for the team
 *		(`privforms request deny --help` lists them) and privforms(8)
 *
 * The exemptions (codes "exempt-...") name which one: the laws list more,
 * but these are the grounds a company meets in practice; "other-law"
 * would be free text in disguise, so there is none.
 */
#ifndef PF_DENIALS_H
#define PF_DENIALS_H

#include "lang.h"

#define PF_DENIALS(X) \
	X("identity-not-verified", \
	    N_("We could not confirm that you are the person the request is " \
	    "about, so acting on it could give away or change someone " \
	    "else's data."), \
	    "GDPR Art. 11(2), 12(2) and 12(6); 11 CCR s. 7060 (CCPA " \
	    "verification); the US state laws' authentication clause, e.g. " \
	    "N.J.S.A. 56:8-166.7(e)") \
	X("manifestly-unfounded", \
	    N_("The request is manifestly unfounded or excessive, for example " \
	    "because it repeats one we have already answered."), \
	    "GDPR Art. 12(5)(b); Cal. Civ. Code s. 1798.145(h)(3); the US " \
	    "state laws, e.g. N.J.S.A. 56:8-166.7(d)") \
	X("no-data-held", \
	    N_("We hold no personal data about you, so there is nothing to " \
	    "give, correct or delete."), \
	    "GDPR Art. 15(1) (confirmation whether data are processed); the " \
	    "US state laws' right to confirm, e.g. Va. Code s. 59.1-577(A)(1)") \
	X("agent-authority-not-shown", \
	    N_("The request was made for you by someone else, who did not show " \
	    "that you allowed them to act for you."), \
	    "11 CCR s. 7063 (CCPA authorised agents); the US state laws that " \
	    "allow agents, e.g. C.R.S. s. 6-1-1306(1)(a)(II)") \
	X("no-such-right", \
	    N_("The privacy law that applies to you does not give this right, " \
	    "and we do not offer it otherwise."), \
	    "the law of the request (laws_file), e.g. Utah Code s. 13-61-201 " \
	    "(no right to correct)") \
	X("exempt-legal-obligation", \
	    N_("A law requires us to keep or use this data (for example tax or " \
	    "accounting records), so we cannot delete or change it."), \
	    "GDPR Art. 17(3)(b) and 23; Cal. Civ. Code s. 1798.145(a)(1)(A); " \
	    "the US state laws' exemptions, e.g. Va. Code s. 59.1-582(A)(1)") \
	X("exempt-legal-claims", \
	    N_("We need this data to establish, exercise or defend legal claims."), \
	    "GDPR Art. 17(3)(e) and 18(2); Cal. Civ. Code s. " \
	    "1798.145(a)(1)(E); e.g. Va. Code s. 59.1-582(A)(4)") \
	X("exempt-rights-of-others", \
	    N_("Giving you this data would disclose other people's personal " \
	    "data or our trade secrets."), \
	    "GDPR Art. 15(4) and 20(4); Cal. Civ. Code s. 1798.145 (rights " \
	    "and freedoms of others); 11 CCR s. 7024") \
	X("exempt-free-expression", \
	    N_("Keeping this data is needed for the right of freedom of " \
	    "expression and information."), \
	    "GDPR Art. 17(3)(a) and 85; Cal. Civ. Code s. 1798.105(d) (free " \
	    "speech)") \
	X("exempt-security", \
	    N_("We need this data to detect or prevent security incidents, " \
	    "fraud or illegal activity."), \
	    "Cal. Civ. Code s. 1798.105(d) (security and integrity); e.g. " \
	    "Va. Code s. 59.1-582(A)(7); GDPR Art. 17(3)(b) with the law that " \
	    "requires it") \
	X("exempt-data-type", \
	    N_("This data is governed by another law (for example on health or " \
	    "financial records) that the privacy law of your request leaves " \
	    "it to."), \
	    "Cal. Civ. Code s. 1798.145(c) to (e) (HIPAA, FCRA, GLBA); the " \
	    "US state laws' data exemptions, e.g. Va. Code s. 59.1-576(C)") \
	X("agent-not-authorised", \
	    N_("The person the request is about told us that they did not " \
	    "allow anyone to make it for them, so we closed it."), \
	    "11 CCR s. 7063(a) (the consumer confirms the agent's permission " \
	    "directly): the person's own answer to the mail that asks them")

#endif
