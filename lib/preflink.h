/*
 * preflink.h -- signed links to the preference center (issue 22): the
 * preference page's link, and the double opt-in confirmation link.
 *
 * Both are tokens of token.h (encrypted, so the address in a link is not
 * readable from it; signed and expiring), as optout.h's one-click links:
 *
 *   preference page	BASE_URL PREFIX "/preferences?t=" TOKEN, purpose
 *			"pref", valid preferences_link_days (config.h):
 *	fields[0]	the channel, "email" or "sms"
 *	fields[1]	the address: the email key (validate.h's pf_email_key)
 *			or the E.164 number
 *	fields[2]	the language the link was made in (lang.h)
 *
 *   confirmation	BASE_URL PREFIX "/preferences/confirm?t=" TOKEN,
 *			purpose "sub-confirm", valid subscribe_confirm_days:
 *	fields[0..1]	channel and address, as above
 *	fields[2]	the list id (a row of etc/mailing-lists.tsv)
 *	fields[3]	when the subscription was asked for, UTC text
 *			(utc.h's pf_utc_time form), which the consent
 *			evidence keeps beside when it was confirmed
 *	fields[4]	the language
 *
 * A check follows the token's language (lang.h's pf_lang_follow: the
 * page opens in it unless the visitor chose one).  Whether the list
 * still exists, or the person is still pending, is the caller's to ask:
 * a token only proves that this service made it, for this address, and
 * when it runs out.
 */
#ifndef PF_PREFLINK_H
#define PF_PREFLINK_H

#include <time.h>

#include "config.h"
#include "keys.h"
#include "token.h"

/* A list id in a link: 1 to 32 of a-z 0-9 - _, starting with a letter. */
#define PF_PREF_LIST_MAX 32

/* Indexes of the fields above. */
enum { PF_PREF_CHANNEL, PF_PREF_ADDRESS, PF_PREF_LANG, PF_PREF_NFIELDS };
enum { PF_CONFIRM_CHANNEL, PF_CONFIRM_ADDRESS, PF_CONFIRM_LIST,
	PF_CONFIRM_REQUESTED, PF_CONFIRM_LANG, PF_CONFIRM_NFIELDS };

/*
 * The preference page's link for address on channel ("email": an address
 * as typed, normalised here to its email key; "sms": a phone number,
 * normalised to E.164 with cfg->phone_region for one typed without +),
 * in language (a lang.h tag; NULL: the current one), valid the
 * configured days from now.  *url is a new string.  PF_EINVAL with *why
 * (static, or a translated message) if the channel, address or language
 * is not acceptable; PF_ENOMEM.
 */
int pf_pref_link(const struct pf_config *cfg, const struct pf_keys *keys,
    const char *channel, const char *address, const char *language,
    time_t now, char **url, const char **why);

/*
 * Check a preference link's token (the text after "t="): PF_OK, the
 * caller clearing tok (pf_token_clear), fields as above and its language
 * followed; PF_EFORGED (also for a wrong channel, number of fields or
 * language tag) or PF_EEXPIRED, tok zeroed.
 */
int pf_pref_check(const struct pf_keys *keys, const char *token, time_t now,
    struct pf_token *tok);

/*
 * The confirmation link for a subscription of address (as pf_pref_link)
 * to list, asked for at requested (UTC text, at most 32 bytes), in
 * language (NULL: the current one), valid subscribe_confirm_days from
 * now.  PF_EINVAL with *why for anything not acceptable.
 */
int pf_pref_confirm_link(const struct pf_config *cfg,
    const struct pf_keys *keys, const char *channel, const char *address,
    const char *list, const char *requested, const char *language,
    time_t now, char **url, const char **why);

/* Check a confirmation token, as pf_pref_check. */
int pf_pref_confirm_check(const struct pf_keys *keys, const char *token,
    time_t now, struct pf_token *tok);

#endif
