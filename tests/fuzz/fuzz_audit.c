/*
 * fuzz_audit.c -- an audit record as `privforms audit verify` reads it
 * (pf_audit_check: libxml2's parser, the checks of structure, the schema
 * etc/audit.xsd, seq, prev and the digest) and as its digest is computed
 * (pf_audit_digest: C14N).  Run from the top of the source tree, which
 * holds the schema.
 *
 * The record's own seq and prev (when it has them) and its recomputed
 * digest are what it is checked against, so that a mutated record can
 * pass and the fuzzer reach every check.  Whatever the bytes: a record
 * passes or fails, with one report line per problem exactly when it
 * fails; one that passes has a digest; and libxml2 fetches, includes and
 * expands nothing (XML_PARSE_NONET, no DTD loading, no entity
 * substitution: seeds with a document type, an external entity, a
 * billion laughs and an XInclude must fail).
 */
#include <string.h>

#include <libxml/xmlerror.h>

#include "audit.h"
#include "err.h"
#include "fuzz.h"

#define XSD	"etc/audit.xsd"
#define ZEROS	"0000000000000000000000000000000000000000000000000000000000000000"

static struct pf_audit_schema	*schema;

/* libxml2 says what it refuses on stderr, but for pf_audit_check's own. */
static void
quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

/* The text of the first <name>...</name> in s, if it fits out[size]. */
static int
element(const char *s, const char *name, char *out, size_t size)
{
	char		 open[16], close[16];
	const char	*a, *b;

	snprintf(open, sizeof(open), "<%s>", name);
	snprintf(close, sizeof(close), "</%s>", name);
	if ((a = strstr(s, open)) == NULL)
		return 0;
	a += strlen(open);
	if ((b = strstr(a, close)) == NULL || (size_t)(b - a) >= size)
		return 0;
	memcpy(out, a, (size_t)(b - a));
	out[b - a] = '\0';
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*text, *report = NULL, digest[65], prev[65], seq[16];
	size_t		 rlen = 0;
	long long	 n = 1;
	FILE		*f;
	int		 drc, rc;

	if (schema == NULL) {
		xmlSetGenericErrorFunc(NULL, quiet);
		FUZZ_ASSERT(pf_audit_schema_load(XSD, &schema) == PF_OK);
	}
	text = fuzz_text(data, size);
	drc = pf_audit_digest((const char *)data, size, digest);
	FUZZ_ASSERT(drc == PF_OK || drc == PF_EXML || drc == PF_ENOMEM);
	if (drc == PF_OK)
		FUZZ_ASSERT(strlen(digest) == 64 &&
		    strspn(digest, "0123456789abcdef") == 64);
	else
		strcpy(digest, ZEROS);
	if (element(text, "seq", seq, sizeof(seq)) &&
	    strspn(seq, "0123456789") == strlen(seq) && seq[0] != '\0' &&
	    strlen(seq) <= 12)
		n = strtoll(seq, NULL, 10);
	if (n < 1)
		n = 1;		/* a report names a record by a seq of 1 or more */
	if (!element(text, "prev", prev, sizeof(prev)))
		strcpy(prev, ZEROS);
	FUZZ_ASSERT((f = open_memstream(&report, &rlen)) != NULL);
	rc = pf_audit_check(schema, (const char *)data, size, n, prev, digest,
	    f);
	FUZZ_ASSERT(fclose(f) == 0);
	FUZZ_ASSERT(rc == PF_OK || rc == PF_EXML);
	FUZZ_ASSERT((rc == PF_OK) == (rlen == 0));
	if (rc == PF_OK)
		FUZZ_ASSERT(drc == PF_OK);
	else
		FUZZ_ASSERT(strncmp(report, "record ", 7) == 0 &&
		    report[rlen - 1] == '\n');
	free(report);
	free(text);
	return 0;
}
