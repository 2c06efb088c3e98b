/*
 * optout.h -- RFC 8058 one-click links for marketing opt-outs, and what
 * the unsubscribe form's done page may say.
 *
 * A link is BASE_URL PREFIX "/unsubscribe?t=" TOKEN, where the token (token.h,
 * purpose "unsub") carries the channel ("email"), the address's email key
 * (validate.h), the list id ("" for every list) and the language (lang.h)
 * it was made in, which its page is shown in unless the visitor chose
 * one (lang.h's pf_lang_follow, done by the checks below; a token made
 * before tokens had a language has three fields and changes none).  It is what a mailing
 * system puts in List-Unsubscribe, with List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click.
 */
#ifndef PF_OPTOUT_H
#define PF_OPTOUT_H

#include <time.h>

#include "config.h"
#include "keys.h"
#include "token.h"

/*
 * The link for address (as typed; it is normalised here) and list (NULL or
 * "" for all lists; else an identifier, see pf_valid_token), valid for the
 * configured number of days from now.  *url is a new string.  PF_EINVAL with
 * *why set if the address or list is not acceptable.
 */
int pf_optout_link(const struct pf_config *cfg, const struct pf_keys *keys,
    const char *address, const char *list, time_t now, char **url,
    const char **why);

/*
 * Check a link's token.  On PF_OK the caller owns tok (pf_token_clear) and
 * tok->fields[0..2] are the channel, the address and the list (and [3]
 * the language, followed, in a link made since links had one).
 * PF_EFORGED or PF_EEXPIRED otherwise.
 */
int pf_optout_check(const struct pf_keys *keys, const char *token, time_t now,
    struct pf_token *tok);

/*
 * address (normalised: an email address, or an E.164 number for channel
 * "sms") as a page may show it to whoever holds the screen: an email
 * address as its first character, an ellipsis and its domain
 * ("j\u2026@example.com"), a number as an ellipsis and its last four digits
 * ("\u20262110").  A new string, or NULL when out of memory.
 */
char *pf_optout_mask(const char *channel, const char *address);

/*
 * The unsubscribe form's done page says which address or number was
 * opted out, and whether a confirmation mail is on its way, with neither
 * in its URL and nothing stored to look up: the 303 after a submission
 * goes to "/unsubscribe?done=" TOKEN, a token (token.h: encrypted, so the
 * link and the access log show nothing; signed, so no one can make the
 * page say anything else) of purpose "unsub-done", valid
 * PF_OPTOUT_DONE_SECONDS, that carries
 *
 *	fields[0]	the channel, "email" or "sms"
 *	fields[1]	what the visitor typed, masked (pf_optout_mask)
 *	fields[2]	"yes" if a confirmation mail was queued, else "no"
 *	fields[3]	the language it was made in (followed, as above)
 *
 * It is made from the submitted form alone, before anything is stored:
 * it says nothing of whether the address was known, and a trapped
 * submission (guard.h) is answered with the same kind of 303 as a stored
 * one.  An expired or missing token shows the page without them.
 */
#define PF_OPTOUT_DONE_SECONDS	3600

/* The token for the done page, a new string in *token. */
int pf_optout_done_make(const struct pf_keys *keys, const char *channel,
    const char *address, int confirm, time_t now, char **token);

/*
 * Check a done token: PF_OK and tok's fields as above (the caller clears
 * it), the language followed; PF_EFORGED or PF_EEXPIRED.
 */
int pf_optout_done_check(const struct pf_keys *keys, const char *token,
    time_t now, struct pf_token *tok);

#endif
