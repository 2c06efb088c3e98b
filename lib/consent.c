/*
 * consent.c -- the consent categories, the notice version, the pf_consent
 * cookie and the GPC signal (see consent.h).
 *
 * The cookie parser is strict on purpose: a value is accepted only in the
 * one spelling pf_consent_cookie_value writes, so whatever a browser
 * sends back is either a decision privforms made or nothing, and nothing
 * from it is ever copied out except through that same writer.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "consent.h"
#include "err.h"
#include "file.h"
#include "keys.h"
#include "named.h"
#include "nitems.h"
#include "utf8.h"
#include "validate.h"

#define NFIELDS		6	/* id required sale name description cookies */
#define NAME_MAX_BYTES	64
#define DESC_MAX_BYTES	600
#define COOKIE_NAME_MAX	64
#define FILE_MAX_BYTES	65536	/* the table, and the notice */
#define SKEW		300	/* seconds a decision may be in the future */
#define XHTML_NS	"http://www.w3.org/1999/xhtml"
#define NOTICE_ID	"consent-notice"	/* what the page includes */

#define LOWER		"abcdefghijklmnopqrstuvwxyz"
#define DIGITS		"0123456789"
#define B64URL		"ABCDEFGHIJKLMNOPQRSTUVWXYZ" LOWER DIGITS "-_"
/* RFC 6265 section 4.1.1: a cookie-name is an RFC 2616 token. */
#define TOKEN		"ABCDEFGHIJKLMNOPQRSTUVWXYZ" LOWER DIGITS \
			"!#$%&'*+-.^_`|~"

/* ---- the categories table ---- */

/* "yes" 1, "no" 0, else -1. */
static int
yes_no(const char *s)
{
	return strcmp(s, "yes") == 0 ? 1 : strcmp(s, "no") == 0 ? 0 : -1;
}

/* "-", or names of RFC 6265 tokens separated by single commas. */
static int
cookies_ok(const char *s)
{
	size_t	 n;

	if (strcmp(s, "-") == 0)
		return 1;
	for (;;) {
		n = strspn(s, TOKEN);
		if (n == 0 || n > COOKIE_NAME_MAX)
			return 0;
		if (s[n] == '\0')
			return 1;
		if (s[n] != ',')
			return 0;
		s += n + 1;
	}
}

/* Text shown to a visitor: 1 to max bytes, not "-". */
static int
text_ok(const char *s, size_t max)
{
	size_t	 n = strlen(s);

	return n >= 1 && n <= max && strcmp(s, "-") != 0;
}

/* One check of a row's fields: what is wrong when ok says 0. */
static const char *
check_fields(const struct pf_consent_table *t, char **f)
{
	if (!pf_id_ok(f[0], PF_CONSENT_ID_MAX))
		return "id must be 1 to 32 of a-z 0-9 - _, starting with a letter";
	if (pf_consent_find(t, f[0]) >= 0)
		return "this id has a row already";
	if (yes_no(f[1]) < 0)
		return "required must be yes or no";
	if (yes_no(f[2]) < 0)
		return "sale must be yes or no";
	if (yes_no(f[1]) == 1 && yes_no(f[2]) == 1)
		return "a required category cannot be a sale category "
		    "(GPC and opt-outs turn sale categories off)";
	if (!text_ok(f[3], NAME_MAX_BYTES))
		return "name must be 1 to 64 bytes";
	if (!text_ok(f[4], DESC_MAX_BYTES))
		return "description must be 1 to 600 bytes";
	if (!cookies_ok(f[5]))
		return "cookies must be - or cookie names separated by commas";
	return NULL;
}

/* The strings of one category freed, and it zeroed. */
static void
category_clear(struct pf_consent_category *c)
{
	free(c->name);
	free(c->description);
	free(c->cookies);
	memset(c, 0, sizeof(*c));
}

/* One row's fields into arg, a struct pf_consent_table (file.h). */
static int
add_row(char **f, void *arg, char *msg, size_t msglen)
{
	struct pf_consent_table		*t = arg;
	struct pf_consent_category	*c;
	const char			*why;

	if ((why = check_fields(t, f)) != NULL) {
		pf_errmsg(msg, msglen, "%s", why);
		return PF_ECONFIG;
	}
	if (t->n == PF_CONSENT_CATS_MAX) {
		pf_errmsg(msg, msglen, "more than %d categories",
		    PF_CONSENT_CATS_MAX);
		return PF_ECONFIG;
	}
	c = &t->cats[t->n];
	snprintf(c->id, sizeof(c->id), "%s", f[0]);
	c->required = yes_no(f[1]);
	c->sale = yes_no(f[2]);
	if ((c->name = strdup(f[3])) == NULL ||
	    (c->description = strdup(f[4])) == NULL ||
	    (c->cookies = strdup(strcmp(f[5], "-") == 0 ? "" : f[5])) == NULL) {
		category_clear(c);
		return PF_ENOMEM;
	}
	t->n++;
	return PF_OK;
}

static int
table_read(FILE *f, const char *name, void *arg, char *err, size_t errlen)
{
	struct pf_consent_table	*t = arg;
	int			 rc;

	rc = pf_file_table(f, name, NFIELDS, add_row, t, err, errlen);
	if (rc == PF_OK && t->n == 0) {
		pf_errmsg(err, errlen, "%s: no category", name);
		rc = PF_ECONFIG;
	}
	return rc;
}

/* Is there an element with id="consent-notice" at or below n? */
static int
has_notice(xmlNodePtr n)
{
	xmlChar	*id;
	int	 found = 0;

	for (; n != NULL && !found; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if ((id = xmlGetProp(n, BAD_CAST "id")) != NULL) {
			found = xmlStrcmp(id, BAD_CAST NOTICE_ID) == 0;
			xmlFree(id);
		}
		if (!found)
			found = has_notice(n->children);
	}
	return found;
}

/*
 * The notice: a well-formed XHTML document without a DOCTYPE, nothing
 * fetched, with the element the consent page includes.  libxml2 reads
 * it; its own messages are silenced (err says what).
 */
static int
notice_check(const char *text, size_t len, const char *name, char *err,
    size_t errlen)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root;
	int		 ok;

	if (len > FILE_MAX_BYTES || memchr(text, '\0', len) != NULL ||
	    !pf_utf8_ok(text, len, 1)) {
		pf_errmsg(err, errlen, "%s: not UTF-8 text of at most %d bytes",
		    name, FILE_MAX_BYTES);
		return PF_ECONFIG;
	}
	doc = xmlReadMemory(text, (int)len, name, "UTF-8", XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	ok = root != NULL && doc->intSubset == NULL && root->ns != NULL &&
	    xmlStrcmp(root->name, BAD_CAST "html") == 0 &&
	    xmlStrcmp(root->ns->href, BAD_CAST XHTML_NS) == 0 &&
	    has_notice(root);
	xmlFreeDoc(doc);
	if (ok)
		return PF_OK;
	pf_errmsg(err, errlen, "%s: not a well-formed XHTML document without "
	    "a DOCTYPE that has an element with id=\"%s\"", name, NOTICE_ID);
	return PF_ECONFIG;
}

/* SHA-256(text || NUL || notice), its first 16 hex digits into t. */
static int
version_make(struct pf_consent_table *t, const char *text, size_t len,
    const char *notice, size_t nlen)
{
	char	*buf, hex[PF_HEX_DIGEST_LEN + 1];
	int	 rc;

	if ((buf = malloc(len + 1 + nlen)) == NULL)
		return PF_ENOMEM;
	memcpy(buf, text, len);
	buf[len] = '\0';
	memcpy(buf + len + 1, notice, nlen);
	rc = pf_sha256_hex(buf, len + 1 + nlen, hex);
	free(buf);
	if (rc == PF_OK)
		snprintf(t->version, sizeof(t->version), "%.*s",
		    PF_CONSENT_VERSION_LEN, hex);
	return rc;
}

int
pf_consent_parse(const char *text, size_t len, const char *name,
    const char *notice, size_t nlen, const char *nname,
    struct pf_consent_table **out, char *err, size_t errlen)
{
	struct pf_consent_table	*t;
	int			 rc;

	*out = NULL;
	if ((rc = notice_check(notice, nlen, nname, err, errlen)) != PF_OK)
		return rc;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->notice = strndup(notice, nlen)) == NULL) {
		pf_consent_table_free(t);
		pf_errmsg(err, errlen, "%s: out of memory", name);
		return PF_ENOMEM;
	}
	if ((rc = pf_file_read_text(text, len, name, table_read, t, err,
	    errlen)) == PF_OK &&
	    (rc = version_make(t, text, len, notice, nlen)) != PF_OK)
		pf_errmsg(err, errlen, "%s: %s", name, pf_strerror(rc));
	if (rc != PF_OK) {
		pf_consent_table_free(t);
		return rc;
	}
	*out = t;
	return PF_OK;
}

/* A whole file, at most FILE_MAX_BYTES, into a struct text. */
struct text {
	char	*p;
	size_t	 len;
};

static int
slurp(FILE *f, const char *name, void *arg, char *err, size_t errlen)
{
	struct text	*t = arg;

	if ((t->p = malloc(FILE_MAX_BYTES + 1)) == NULL) {
		pf_errmsg(err, errlen, "%s: out of memory", name);
		return PF_ENOMEM;
	}
	t->len = fread(t->p, 1, FILE_MAX_BYTES + 1, f);
	if (ferror(f) || t->len > FILE_MAX_BYTES) {
		pf_errmsg(err, errlen, "%s: %s", name, ferror(f) ?
		    "cannot be read" : "longer than 65536 bytes");
		return PF_ECONFIG;
	}
	return PF_OK;
}

int
pf_consent_load_config(const struct pf_config *cfg,
    struct pf_consent_table **out, char *err, size_t errlen)
{
	char	 notice[4096];

	snprintf(notice, sizeof(notice), "%s/%s", cfg->templates,
	    PF_CONSENT_NOTICE);
	return pf_consent_load(cfg->consent_categories, notice, out, err,
	    errlen);
}

int
pf_consent_load(const char *path, const char *notice,
    struct pf_consent_table **out, char *err, size_t errlen)
{
	struct text	 a = { NULL, 0 }, b = { NULL, 0 };
	int		 rc;

	*out = NULL;
	if ((rc = pf_file_read_path(path, slurp, &a, err, errlen)) == PF_OK &&
	    (rc = pf_file_read_path(notice, slurp, &b, err, errlen)) == PF_OK)
		rc = pf_consent_parse(a.p, a.len, path, b.p, b.len, notice, out,
		    err, errlen);
	free(a.p);
	free(b.p);
	return rc;
}

void
pf_consent_table_free(struct pf_consent_table *t)
{
	if (t == NULL)
		return;
	while (t->n > 0)
		category_clear(&t->cats[--t->n]);
	free(t->notice);
	free(t);
}

int
pf_consent_find(const struct pf_consent_table *t, const char *id)
{
	const struct pf_consent_category *c;

	c = pf_named_find(t->cats, t->n, sizeof(*t->cats),
	    offsetof(struct pf_consent_category, id), id);
	return c == NULL ? -1 : (int)(c - t->cats);
}

pf_consent_set
pf_consent_set_of(const struct pf_consent_table *t, const char *ids)
{
	char		 id[PF_CONSENT_ID_MAX + 1];
	pf_consent_set	 s = 0;
	const char	*end;
	int		 row;

	for (; *ids != '\0'; ids = *end == ' ' ? end + 1 : end) {
		end = ids + strcspn(ids, " ");
		if ((size_t)(end - ids) > PF_CONSENT_ID_MAX)
			continue;
		memcpy(id, ids, (size_t)(end - ids));
		id[end - ids] = '\0';
		if ((row = pf_consent_find(t, id)) >= 0)
			s |= 1u << row;
	}
	return s;
}

/* The rows whose int member at offset off is set. */
static pf_consent_set
flagged(const struct pf_consent_table *t, size_t off)
{
	pf_consent_set	 s = 0;
	size_t		 i;

	for (i = 0; i < t->n; i++)
		if (*(const int *)((const char *)&t->cats[i] + off))
			s |= 1u << i;
	return s;
}

pf_consent_set
pf_consent_required(const struct pf_consent_table *t)
{
	return flagged(t, offsetof(struct pf_consent_category, required));
}

pf_consent_set
pf_consent_sale(const struct pf_consent_table *t)
{
	return flagged(t, offsetof(struct pf_consent_category, sale));
}

void
pf_consent_ids(const struct pf_consent_table *t, pf_consent_set set,
    int want, char *out, size_t outlen)
{
	size_t	 i, pos = 0;

	out[0] = '\0';
	for (i = 0; i < t->n && pos < outlen; i++)
		if (((set >> i) & 1u) == (unsigned)want)
			pos += (size_t)snprintf(out + pos, outlen - pos, "%s%s",
			    pos > 0 ? " " : "", t->cats[i].id);
}

/* ---- the cookie ---- */

/* One field's value s[0..n) into c: 1 if it is as the contract says. */
typedef int field_fn(const char *s, size_t n, struct pf_consent_cookie *c);

static int
field_v(const char *s, size_t n, struct pf_consent_cookie *c)
{
	(void)c;
	return n == 1 && s[0] == '1';
}

/*
 * s[0..n) is exactly want characters of set (no NUL): copied into out,
 * want + 1 bytes.
 */
static int
fixed(const char *s, size_t n, size_t want, const char *set, char *out)
{
	if (n != want || memchr(s, '\0', n) != NULL || strspn(s, set) < n)
		return 0;
	memcpy(out, s, n);
	out[n] = '\0';
	return 1;
}

/* 16 bytes: 21 characters of 6 bits, the 22nd with 2 (its low 4 zero). */
static int
field_d(const char *s, size_t n, struct pf_consent_cookie *c)
{
	return n > 0 && strchr("AQgw", s[n - 1]) != NULL &&
	    fixed(s, n, PF_CONSENT_DEVICE_LEN, B64URL, c->device);
}

static int
field_n(const char *s, size_t n, struct pf_consent_cookie *c)
{
	return fixed(s, n, PF_CONSENT_VERSION_LEN, DIGITS "abcdef", c->version);
}

/* Is id (NUL-ended) one of the first n ids of the '+'-list cats? */
static int
listed(const char *cats, size_t n, const char *id)
{
	size_t	 len = strlen(id), k;

	for (; n > 0; n--) {
		k = strcspn(cats, "+");
		if (k == len && strncmp(cats, id, len) == 0)
			return 1;
		cats += k + 1;
	}
	return 0;
}

/* Ids joined by '+', none twice, at most PF_CONSENT_CATS_MAX; or empty. */
static int
field_c(const char *s, size_t n, struct pf_consent_cookie *c)
{
	char	 id[PF_CONSENT_ID_MAX + 1];
	size_t	 pos = 0, k, count = 0;

	if (n >= sizeof(c->cats) || memchr(s, '\0', n) != NULL)
		return 0;
	memcpy(c->cats, s, n);
	c->cats[n] = '\0';
	while (pos < n) {
		k = strcspn(c->cats + pos, "+");
		if (k == 0 || k > PF_CONSENT_ID_MAX ||
		    ++count > PF_CONSENT_CATS_MAX)
			return 0;
		memcpy(id, c->cats + pos, k);
		id[k] = '\0';
		if (!pf_id_ok(id, PF_CONSENT_ID_MAX) || listed(c->cats, count - 1, id))
			return 0;
		pos += k;
		/* A '+' must be followed by another id. */
		if (pos < n && ++pos == n)
			return 0;
	}
	return 1;
}

static int
field_g(const char *s, size_t n, struct pf_consent_cookie *c)
{
	if (n != 1 || (s[0] != '0' && s[0] != '1'))
		return 0;
	c->gpc = s[0] == '1';
	return 1;
}

/* 1 to 10 digits, no leading zero. */
static int
field_t(const char *s, size_t n, struct pf_consent_cookie *c)
{
	size_t	 i;

	if (n < 1 || n > 10 || s[0] == '0')
		return 0;
	c->t = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		c->t = c->t * 10 + (s[i] - '0');
	}
	return 1;
}

/* The value's fields, in the one order they are written. */
static const struct {
	char		 key;
	field_fn	*fn;
} fields[] = {
	{ 'v', field_v }, { 'd', field_d }, { 'n', field_n },
	{ 'c', field_c }, { 'g', field_g }, { 't', field_t },
};

int
pf_consent_cookie_parse(const char *val, size_t len,
    struct pf_consent_cookie *c)
{
	const char	*end = val + len, *p = val, *v, *amp;
	size_t		 i;

	memset(c, 0, sizeof(*c));
	if (len > PF_CONSENT_VALUE_MAX)
		return PF_EINVAL;
	for (i = 0; i < nitems(fields); i++) {
		if (i > 0 && (p == end || *p++ != '&'))
			goto bad;
		if (end - p < 2 || p[0] != fields[i].key || p[1] != '=')
			goto bad;
		v = p + 2;
		if ((amp = memchr(v, '&', (size_t)(end - v))) == NULL)
			amp = end;
		if (!fields[i].fn(v, (size_t)(amp - v), c))
			goto bad;
		p = amp;
	}
	if (p == end)
		return PF_OK;
bad:
	memset(c, 0, sizeof(*c));
	return PF_EINVAL;
}

int
pf_consent_cookie_read(const char *header, struct pf_consent_cookie *c)
{
	static const char	 name[] = PF_CONSENT_COOKIE "=";
	const char		*p = header;
	size_t			 n;

	memset(c, 0, sizeof(*c));
	while (p != NULL && *p != '\0') {
		p += strspn(p, " \t");
		n = strcspn(p, ";");
		if (strncmp(p, name, sizeof(name) - 1) == 0) {
			/* The value ends at ';' without the blanks before it. */
			while (n > sizeof(name) - 1 && strchr(" \t",
			    p[n - 1]) != NULL)
				n--;
			return pf_consent_cookie_parse(p + sizeof(name) - 1,
			    n - (sizeof(name) - 1), c);
		}
		p = p[n] == ';' ? p + n + 1 : NULL;
	}
	return PF_ENOTFOUND;
}

/* set's ids in t's order, required added, joined by '+', into out. */
static void
cats_text(const struct pf_consent_table *t, pf_consent_set set, char *out,
    size_t outlen)
{
	size_t	 i, pos = 0;

	set |= pf_consent_required(t);
	out[0] = '\0';
	for (i = 0; i < t->n; i++)
		if (set & (1u << i))
			pos += (size_t)snprintf(out + pos, outlen - pos, "%s%s",
			    pos > 0 ? "+" : "", t->cats[i].id);
}

int
pf_consent_current(const struct pf_consent_cookie *c,
    const struct pf_consent_table *t, time_t now, long max_age,
    pf_consent_set *set)
{
	char		 id[PF_CONSENT_ID_MAX + 1], again[PF_CONSENT_VALUE_MAX];
	const char	*p = c->cats;
	pf_consent_set	 s = 0;
	size_t		 k;
	int		 row;

	*set = 0;
	if (strcmp(c->version, t->version) != 0 || c->t > (long long)now +
	    SKEW || c->t <= (long long)now - max_age)
		return 0;
	while (*p != '\0') {
		k = strcspn(p, "+");
		snprintf(id, sizeof(id), "%.*s", (int)k, p);
		if ((row = pf_consent_find(t, id)) < 0)
			return 0;
		s |= 1u << row;
		p += k + (p[k] == '+');
	}
	/* In the table's order, with every required category. */
	cats_text(t, s, again, sizeof(again));
	if (strcmp(again, c->cats) != 0)
		return 0;
	*set = s;
	return 1;
}

void
pf_consent_cookie_fill(struct pf_consent_cookie *c,
    const struct pf_consent_table *t, pf_consent_set set)
{
	cats_text(t, set, c->cats, sizeof(c->cats));
	memcpy(c->version, t->version, sizeof(c->version));
}

void
pf_consent_gpc_fill(struct pf_consent_cookie *c,
    const struct pf_consent_table *t, int current, pf_consent_set set)
{
	/*
	 * A decision made with the signal (g=1) honours it already: a sale
	 * category in it was confirmed under the signal (consent.c).
	 */
	if (!current || !c->gpc)
		set &= ~pf_consent_sale(t);
	pf_consent_cookie_fill(c, t, current ? set : 0);
	c->gpc = 1;
	if (!current)
		c->t = 1;
}

int
pf_consent_cookie_value(const struct pf_consent_cookie *c, char *out,
    size_t outlen)
{
	struct pf_consent_cookie	 back;
	int				 n;

	n = snprintf(out, outlen, "v=1&d=%s&n=%s&c=%s&g=%d&t=%lld", c->device,
	    c->version, c->cats, c->gpc != 0, c->t);
	if (n < 0 || (size_t)n >= outlen ||
	    pf_consent_cookie_parse(out, (size_t)n, &back) != PF_OK) {
		if (outlen > 0)
			out[0] = '\0';
		return PF_EINVAL;
	}
	return PF_OK;
}

int
pf_consent_set_cookie(const struct pf_consent_cookie *c, long max_age,
    int secure, char *out, size_t outlen)
{
	char	 val[PF_CONSENT_VALUE_MAX + 1];
	int	 n, rc;

	if ((rc = pf_consent_cookie_value(c, val, sizeof(val))) != PF_OK)
		return rc;
	n = snprintf(out, outlen, "%s=%s; Path=/; Max-Age=%ld; SameSite=Lax%s",
	    PF_CONSENT_COOKIE, val, max_age, secure ? "; Secure" : "");
	return n < 0 || (size_t)n >= outlen ? PF_EINVAL : PF_OK;
}

int
pf_consent_device_new(char out[PF_CONSENT_DEVICE_LEN + 1])
{
	static const char	 from[] = "+/", to[] = "-_";
	unsigned char		 raw[16];
	char			 b64[4 * ((sizeof(raw) + 2) / 3) + 1], *p;

	if (pf_random(raw, sizeof(raw)) != PF_OK ||
	    EVP_EncodeBlock((unsigned char *)b64, raw, sizeof(raw)) != 24)
		return PF_ECRYPTO;
	for (p = b64; *p != '\0'; p++)
		if (strchr(from, *p) != NULL)
			*p = to[strchr(from, *p) - from];
	memcpy(out, b64, PF_CONSENT_DEVICE_LEN);
	out[PF_CONSENT_DEVICE_LEN] = '\0';
	return PF_OK;
}

int
pf_consent_gpc(const char *header)
{
	const char	*p = header;
	size_t		 n, lead;

	while (p != NULL) {
		n = strcspn(p, ",");
		lead = strspn(p, " \t");
		if (lead < n) {
			/* The element without its blanks is p[lead..lead + k). */
			size_t	 k = n - lead;

			while (k > 0 && strchr(" \t", p[lead + k - 1]) != NULL)
				k--;
			if (k == 1 && p[lead] == '1')
				return 1;
		}
		p = p[n] == ',' ? p + n + 1 : NULL;
	}
	return 0;
}
