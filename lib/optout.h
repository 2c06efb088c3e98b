/*
 * optout.h -- RFC 8058 one-click links for marketing opt-outs.
 *
 * A link is BASE_URL PREFIX "/unsubscribe?t=" TOKEN, where the token (token.h,
 * purpose "unsub") carries the channel ("email"), the address's email key
 * (validate.h) and the list id ("" for every list).  It is what a mailing
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
 * tok->fields[0..2] are the channel, the address and the list.
 * PF_EFORGED or PF_EEXPIRED otherwise.
 */
int pf_optout_check(const struct pf_keys *keys, const char *token, time_t now,
    struct pf_token *tok);

#endif
