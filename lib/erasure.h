/*
 * erasure.h -- what erasing a data subject deletes, keeps and
 * pseudonymises (`privforms request erase`).
 *
 * The subject is an individual: every party (verified address) linked to
 * it (store.h, "parties").  For each party whose address is not already
 * erased, pf_erase_individual:
 *
 *  1. deletes the address's email opt-outs and, if it had any, keeps the
 *     keyed pseudonym of the address (keys.h, kind "email") in the
 *     suppression list for channel "email", so the person is still never
 *     mailed (`unsubscribes check` answers for them);
 *  2. deletes each Do-Not-Call entry registered with the address, keeping
 *     the pseudonym of its number (kind "phone") for channel "call", so
 *     the number is still never called (`dnc check`);
 *  3. leaves SMS opt-outs alone: nothing proves who owns a number
 *     registered with an address (registering it again replaces the
 *     address), so following that tie would let a stranger remove the
 *     owner's opt-outs; they stay and keep the number from being texted;
 *  4. blanks the personal fields (organisation, names, address, email key,
 *     details) of every request made with the address and the notes of
 *     their histories; type, subject pseudonym, dates, status and history
 *     stay;
 *  5. blanks the message and address of the site feedback left with the
 *     address; its type, ratings and times stay, unlinked from anyone, for
 *     the team's figures; and deletes the mails forwarding those entries to
 *     the team that have not gone yet (a complaint's at step 1, named by
 *     the entry's subject; the rest, named by the address's pseudonym);
 *  6. deletes the messages to the address that have not gone yet (queued,
 *     being sent or failed);
 *  7. blanks the party's address; the party and its id stay.
 *  8. deletes the opt-outs of sale the address was given with on the
 *     opt-out page (store.h, "sale opt-outs") and, if it had any, keeps
 *     its pseudonym in the suppression list for channel "sale", so the
 *     person's opt-out stays in force without the address (`optouts
 *     export` cannot list it); the consent records of the browsers they
 *     were made in stay, as evidence no longer tied to anyone.  Those
 *     made with a phone number stay, as SMS opt-outs do (rule 3).
 *  9. deletes the address's mailing list subscriptions and their history
 *     (subscription.h) and, if it had any and rule 1 kept no pseudonym,
 *     keeps its pseudonym in the suppression list for channel "email",
 *     as rule 1 does: an erased subscriber is never mailed again, and is
 *     in no `lists export` (which lists addresses, and has none left for
 *     them).  SMS subscriptions, keyed by a number, stay (rule 3).
 *
 * Article votes are anonymous and not touched; the audit trail never held
 * personal data and is not touched.  Nothing here opens or commits a
 * transaction: the caller runs pf_erase_individual inside its write
 * transaction and rolls back on any error, so an erasure is whole or
 * nothing.
 */
#ifndef PF_ERASURE_H
#define PF_ERASURE_H

struct pf_keys;
struct pf_store;

/* What an erasure changed, for its audit record and the operator. */
struct pf_erased {
	long long	 parties;	/* addresses blanked (rule 7) */
	long long	 optouts;	/* email opt-outs deleted (1) */
	long long	 dnc;		/* Do-Not-Call entries deleted (2) */
	long long	 requests;	/* requests blanked (4) */
	long long	 feedback;	/* feedback entries blanked (5) */
	long long	 messages;	/* unsent messages deleted (5, 6) */
	long long	 sale;		/* sale opt-outs deleted (8) */
	long long	 subscriptions;	/* subscriptions deleted (9) */
	long long	 sub_events;	/* their history rows deleted (9) */
	long long	 suppressed;	/* pseudonyms recorded (1, 2, 8, 9) */
};

/*
 * Erase individual as above, adding what was changed to *e (which the
 * caller zeroes).  keys makes the pseudonyms.  PF_OK, or the first error
 * (store.h's, keys.h's, PF_ENOMEM); on an error part of it may be done:
 * roll the transaction back.
 */
int pf_erase_individual(struct pf_store *st, const struct pf_keys *keys,
    long long individual, struct pf_erased *e);

#endif
