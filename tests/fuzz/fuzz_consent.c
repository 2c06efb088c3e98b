/*
 * fuzz_consent.c -- the pf_consent cookie a browser sends back
 * (pf_consent_cookie_parse, pf_consent_cookie_read, consent.h), the
 * Sec-GPC header (pf_consent_gpc), and pf_consent_current against the
 * shipped categories.
 *
 * Whatever the bytes: a value either parses and writes back as exactly
 * the same bytes (the one spelling the contract allows), or parses to an
 * all-zero decision; a Cookie header holding the input as pf_consent's
 * value reads as the value does; a decision current for the table names
 * only its categories, every required one among them.
 */
#include <string.h>

#include "consent.h"
#include "err.h"
#include "fuzz.h"

#define TABLE	"required\tyes\tno\tRequired\tKeeps it working.\tpf_consent\n" \
		"functional\tno\tno\tFunctional\tSettings.\t-\n" \
		"advertising\tno\tyes\tAdvertising\tAds.\t_ads\n"
#define NOTICE	"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body>" \
		"<section id=\"consent-notice\"><p>n</p></section></body></html>"
#define NOW	((time_t)1700000000)

static struct pf_consent_table *table;

/* The decision, if any, is as the contract writes it. */
static int
parse(const char *v, size_t n, struct pf_consent_cookie *c)
{
	static const struct pf_consent_cookie	 zero;
	char					 out[PF_CONSENT_VALUE_MAX + 1];
	int					 rc;

	rc = pf_consent_cookie_parse(v, n, c);
	if (rc != PF_OK) {
		FUZZ_ASSERT(rc == PF_EINVAL);
		FUZZ_ASSERT(memcmp(c, &zero, sizeof(zero)) == 0);
		return rc;
	}
	FUZZ_ASSERT(pf_consent_cookie_value(c, out, sizeof(out)) == PF_OK);
	FUZZ_ASSERT(strlen(out) == n && memcmp(out, v, n) == 0);
	return rc;
}

/* The same value inside a Cookie header, between two others. */
static void
header(const char *v, size_t n, int want, const struct pf_consent_cookie *c)
{
	struct pf_consent_cookie	 d;
	char				 h[PF_CONSENT_VALUE_MAX + 64];

	/* Without ';' and NUL, and not ending in a blank, it is one value. */
	if (n > PF_CONSENT_VALUE_MAX || memchr(v, ';', n) != NULL ||
	    memchr(v, '\0', n) != NULL || (n > 0 && (v[n - 1] == ' ' ||
	    v[n - 1] == '\t')))
		return;
	snprintf(h, sizeof(h), "a=b; pf_consent=%.*s; c=d", (int)n, v);
	FUZZ_ASSERT(pf_consent_cookie_read(h, &d) == want);
	FUZZ_ASSERT(memcmp(&d, c, sizeof(d)) == 0);
}

static void
current(const struct pf_consent_cookie *c)
{
	pf_consent_set	 s;

	if (!pf_consent_current(c, table, NOW, 31536000, &s)) {
		FUZZ_ASSERT(s == 0);
		return;
	}
	FUZZ_ASSERT((s & pf_consent_required(table)) ==
	    pf_consent_required(table));
	FUZZ_ASSERT(s < (1u << table->n));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_consent_cookie	 c;
	const char			*v = (const char *)data;
	char				*text;
	int				 rc;

	if (table == NULL)
		FUZZ_ASSERT(pf_consent_parse(TABLE, strlen(TABLE), "t.tsv",
		    NOTICE, strlen(NOTICE), "n.xhtml", &table, NULL, 0) ==
		    PF_OK);
	rc = parse(v, size, &c);
	header(v, size, rc, &c);
	if (rc == PF_OK) {
		/* The table's own version, so that the rest is checked. */
		memcpy(c.version, table->version, sizeof(c.version));
		current(&c);
	}
	text = fuzz_text(data, size);
	(void)pf_consent_gpc(text);
	free(text);
	return 0;
}
