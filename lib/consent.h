/*
 * consent.h -- the consent manager's categories, its notice version, the
 * pf_consent cookie that carries a browser's choice, and the Global
 * Privacy Control signal.  Pure code: no store, no request.
 *
 * The categories are data the company edits: etc/consent-categories.tsv
 * (configured as consent_categories), one row per category, read once per
 * process at start-up:
 *
 *	# id		required	sale	name		description	cookies
 *	required	yes		no	Required	...		pf_consent,session
 *	advertising	no		yes	Advertising	...		_ads_id
 *
 * Fields are separated by one or more tabs; '#' starts a comment line.
 * id is 1 to 32 of a-z 0-9 '-' '_', starting with a letter, unique.
 * required and sale are "yes" or "no": a required category is always on
 * and cannot be refused; a sale category covers sale or sharing of
 * personal information and targeted advertising, which the Global Privacy
 * Control signal and an opt-out turn off, so no category is both.  name
 * (at most 64 bytes) and description (at most 600) are text shown to the
 * visitor; cookies is a comma-separated list of the cookie names the
 * category sets (RFC 6265 tokens), or "-".  1 to PF_CONSENT_CATS_MAX rows,
 * kept in the table's order.
 *
 * The notice text is a second file: consent-notice.xhtml in the templates
 * directory (config templates), a complete XHTML document without a
 * DOCTYPE whose element with id="consent-notice" the consent page pulls
 * in with XInclude (page.h).  The notice version is the first 16
 * lower-case hex digits of SHA-256(table bytes || one NUL || notice
 * bytes), the files' bytes as they are on disk: any edit to either (a
 * comment, a space) is a new version, and a browser whose decision names
 * another version is asked again.
 *
 * The cookie (the contract the site's scripts and the snippet read):
 *
 *	pf_consent=v=1&d=DEVICE&n=VERSION&c=CAT+CAT&g=0&t=EPOCH
 *	; Path=/; Max-Age=SECONDS; SameSite=Lax[; Secure]
 *
 * not HttpOnly.  Its value is an application/x-www-form-urlencoded string
 * in exactly this order and spelling, without any percent escape: v the
 * format (1); d the device, 22 base64url characters of 16 random bytes
 * (canonical: the last one of A Q g w), made at the first decision and
 * kept after; n the notice version; c the allowed category ids, in the
 * table's order, joined by '+' (which URLSearchParams reads as a space);
 * g 1 when a GPC signal was honoured for this browser, else 0; t the
 * decision time in seconds since the epoch, 1 to 10 digits, no leading
 * zero.  A value that is not exactly so is no decision at all: it is
 * ignored and never reflected.  t=1 is no decision either, though its
 * device is kept: an answer that records the GPC signal sets it for a
 * browser that has not decided (pf_consent_gpc_fill).
 */
#ifndef PF_CONSENT_H
#define PF_CONSENT_H

#include <stddef.h>
#include <time.h>

#include "config.h"

#define PF_CONSENT_COOKIE	"pf_consent"
#define PF_CONSENT_NOTICE	"consent-notice.xhtml"	/* in templates */
#define PF_CONSENT_CATS_MAX	16	/* rows in the table */
#define PF_CONSENT_ID_MAX	32	/* bytes in a category id */
#define PF_CONSENT_DEVICE_LEN	22	/* base64url of 16 bytes, unpadded */
#define PF_CONSENT_VERSION_LEN	16	/* hex digits of the notice version */
/* The longest value: 16 ids of 32 bytes and the fixed parts. */
#define PF_CONSENT_VALUE_MAX	640

struct pf_consent_category {
	char	 id[PF_CONSENT_ID_MAX + 1];
	int	 required;	/* always on */
	int	 sale;		/* sale/sharing/targeted ads: GPC turns it off */
	char	*name;
	char	*description;
	char	*cookies;	/* "a,b", or "" for "-" */
};

struct pf_consent_table {
	struct pf_consent_category	 cats[PF_CONSENT_CATS_MAX];
	size_t				 n;
	char				 version[PF_CONSENT_VERSION_LEN + 1];
	char				*notice;	/* the notice's bytes, NUL-ended */
};

/* A set of categories: bit i is the table's row i. */
typedef unsigned pf_consent_set;

/* A decision as the cookie carries it. */
struct pf_consent_cookie {
	char		 device[PF_CONSENT_DEVICE_LEN + 1];
	char		 version[PF_CONSENT_VERSION_LEN + 1];
	char		 cats[PF_CONSENT_VALUE_MAX];	/* c: "id+id", maybe "" */
	int		 gpc;				/* g: 0 or 1 */
	long long	 t;				/* decision time */
};

/*
 * Read the table at path and the notice at notice, check them and compute
 * the version.  On failure returns PF_ECONFIG (a malformed row or notice,
 * with the file and line), PF_ENOTFOUND (no such file) or PF_ENOMEM, and
 * writes why into err[errlen] (may be NULL).  The caller owns *out
 * (pf_consent_table_free); *out is NULL on failure.
 */
int pf_consent_load(const char *path, const char *notice,
    struct pf_consent_table **out, char *err, size_t errlen);

/*
 * pf_consent_load of the configured files: cfg's consent_categories and
 * PF_CONSENT_NOTICE in cfg's templates directory; the programs' start-up.
 */
int pf_consent_load_config(const struct pf_config *cfg,
    struct pf_consent_table **out, char *err, size_t errlen);

/*
 * The same for files already in memory, text[0..len) named name and
 * notice[0..nlen) named nname: for the fuzz harness and for tests.
 */
int pf_consent_parse(const char *text, size_t len, const char *name,
    const char *notice, size_t nlen, const char *nname,
    struct pf_consent_table **out, char *err, size_t errlen);
void pf_consent_table_free(struct pf_consent_table *t);	/* accepts NULL */

/*
 * The ids of set's rows (want 1) or of the other rows (want 0), in the
 * table's order, joined by one space, into out[outlen] (PF_CONSENT_CATS_MAX
 * * (PF_CONSENT_ID_MAX + 1) + 1 always suffices): the allowed and refused
 * columns of a consent record (store.h).
 */
void pf_consent_ids(const struct pf_consent_table *t, pf_consent_set set,
    int want, char *out, size_t outlen);

/* The row of id, or -1. */
int pf_consent_find(const struct pf_consent_table *t, const char *id);

/*
 * The rows of ids, category ids joined by single spaces as pf_consent_ids
 * writes them (a consent record's allowed column); an id not in t is
 * passed over.
 */
pf_consent_set pf_consent_set_of(const struct pf_consent_table *t,
    const char *ids);

/* The required rows; the sale rows. */
pf_consent_set pf_consent_required(const struct pf_consent_table *t);
pf_consent_set pf_consent_sale(const struct pf_consent_table *t);

/*
 * Parse a cookie value, val[0..len), exactly as the contract above writes
 * it, into *c: PF_OK, or PF_EINVAL (and *c zeroed) for anything else.
 * Checks the syntax only; pf_consent_current says whether it still holds.
 */
int pf_consent_cookie_parse(const char *val, size_t len,
    struct pf_consent_cookie *c);

/*
 * The pf_consent cookie of a Cookie header (HTTP_COOKIE; NULL for none):
 * the first cookie of that name, parsed.  PF_OK, PF_ENOTFOUND (no such
 * cookie) or PF_EINVAL (the first one does not parse: no decision).
 */
int pf_consent_cookie_read(const char *header, struct pf_consent_cookie *c);

/*
 * Does c hold now (time_t now) for table t: its version is t's, every
 * category it names is in t, it was made at most max_age seconds ago and
 * not in the future (5 minutes of clock skew allowed).  1 and the
 * categories in *set, or 0.
 */
int pf_consent_current(const struct pf_consent_cookie *c,
    const struct pf_consent_table *t, time_t now, long max_age,
    pf_consent_set *set);

/*
 * Fill c's c= from set (the required rows always added), its version
 * from t.  device, gpc and t are the caller's.
 */
void pf_consent_cookie_fill(struct pf_consent_cookie *c,
    const struct pf_consent_table *t, pf_consent_set set);

/*
 * c's value as the contract writes it into out[outlen]; PF_OK, or
 * PF_EINVAL if c would not parse back (a bad device, version or time) or
 * out is too small.
 */
int pf_consent_cookie_value(const struct pf_consent_cookie *c, char *out,
    size_t outlen);

/*
 * Make c (its device kept) the cookie that records the GPC signal for its
 * browser: g=1 and, when current (its decision holds, allowing set), that
 * decision without the sale categories and its own t (with them if c says
 * g=1 already: a sale category the visitor confirmed under the signal,
 * which the signal does not withdraw); else no decision:
 * the required categories and t=1, so that a consent dialog still asks.
 * The one rule for every answer that sets it (program.h, consent.c).
 */
void pf_consent_gpc_fill(struct pf_consent_cookie *c,
    const struct pf_consent_table *t, int current, pf_consent_set set);

/*
 * The Set-Cookie header value for c into out[outlen]: the value, Path=/,
 * Max-Age=max_age, SameSite=Lax and, when secure, Secure.
 */
int pf_consent_set_cookie(const struct pf_consent_cookie *c, long max_age,
    int secure, char *out, size_t outlen);

/* A new device id from the CSPRNG: PF_OK or PF_ECRYPTO. */
int pf_consent_device_new(char out[PF_CONSENT_DEVICE_LEN + 1]);

/*
 * Is the Sec-GPC header value (HTTP_SEC_GPC; NULL for none) the signal?
 * The GPC specification's one value is "1"; repeated header lines arrive
 * joined by commas (Apache, and nginx from 1.23), so it is 1 when one of
 * the comma-separated elements, without the blanks around it, is exactly
 * "1"; 0 for anything else ("0", "true", " 01", "").
 */
int pf_consent_gpc(const char *header);

#endif
