/*
 * fuzz_outbox.c -- a message's values as the outbox stores them
 * ("name=value&...", percent-encoded; pf_mail_load), read back by the
 * sender before every attempt.
 *
 * Whatever the row holds: a message or an error, never half of one; a
 * message's values are at most PF_MAIL_MAX_VALUES pairs of names
 * [a-z][a-z0-9_]*, each once, and of text (LF allowed, no bidirectional
 * control: utf8.h), each at most PF_MAIL_MAX_VALUE bytes; and they,
 * percent-encoded again, load as the same values.
 */
#include <string.h>

#include "err.h"
#include "fuzz.h"
#include "mail.h"
#include "store.h"
#include "utf8.h"

/* Percent-encode every byte of s but letters and digits, at *o. */
static void
encode(char **o, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			*(*o)++ = (char)c;
		else {
			*(*o)++ = '%';
			*(*o)++ = hex[c >> 4];
			*(*o)++ = hex[c & 15];
		}
	}
}

static int
load(const char *vals, struct pf_mail *m)
{
	struct pf_outbox_row	 r = { .id = 7, .template = "fuzz",
	    .recipient = "jane@example.com", .state = "sending",
	    .next_try = "x", .created = "x", .updated = "x", .lang = "en" };
	struct pf_mail		 zero;
	int			 rc;

	r.vals = vals;
	rc = pf_mail_load(&r, m);
	FUZZ_ASSERT(rc == PF_OK || rc == PF_EINVAL || rc == PF_ENOMEM);
	if (rc != PF_OK) {
		memset(&zero, 0, sizeof(zero));
		FUZZ_ASSERT(memcmp(m, &zero, sizeof(zero)) == 0);
	}
	return rc;
}

static void
check(const struct pf_mail *m)
{
	size_t	 i, j, n;

	FUZZ_ASSERT(m->id == 7 && strcmp(m->template, "fuzz") == 0);
	for (i = 0; m->values[i] != NULL; i += 2) {
		FUZZ_ASSERT(i / 2 < PF_MAIL_MAX_VALUES);
		n = strlen(m->values[i]);
		FUZZ_ASSERT(n > 0 && m->values[i][0] >= 'a' &&
		    m->values[i][0] <= 'z');
		FUZZ_ASSERT(strspn(m->values[i], "abcdefghijklmnopqrstuvwxyz"
		    "0123456789_") == n);
		FUZZ_ASSERT(m->values[i + 1] != NULL);
		n = strlen(m->values[i + 1]);
		FUZZ_ASSERT(n <= PF_MAIL_MAX_VALUE);
		FUZZ_ASSERT(pf_utf8_ok(m->values[i + 1], n, 1));
		FUZZ_ASSERT(!pf_utf8_bidi(m->values[i + 1], n));
		for (j = 0; j < i; j += 2)
			FUZZ_ASSERT(strcmp(m->values[i], m->values[j]) != 0);
	}
}

/* m's values, encoded again, load as the same. */
static void
again(const struct pf_mail *m)
{
	struct pf_mail	 b;
	char		*vals, *o;
	size_t		 i, size = 1;

	for (i = 0; m->values[i] != NULL; i += 2)
		size += 3 * (strlen(m->values[i]) + strlen(m->values[i + 1])) +
		    2;
	FUZZ_ASSERT((o = vals = malloc(size)) != NULL);
	for (i = 0; m->values[i] != NULL; i += 2) {
		if (i > 0)
			*o++ = '&';
		encode(&o, m->values[i]);
		*o++ = '=';
		encode(&o, m->values[i + 1]);
	}
	*o = '\0';
	FUZZ_ASSERT(load(vals, &b) == PF_OK);
	for (i = 0; m->values[i] != NULL; i++)
		FUZZ_ASSERT(b.values[i] != NULL &&
		    strcmp(b.values[i], m->values[i]) == 0);
	FUZZ_ASSERT(b.values[i] == NULL);
	pf_mail_clear(&b);
	free(vals);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_mail	 m;
	char		*vals;

	vals = fuzz_text(data, size);
	if (load(vals, &m) == PF_OK) {
		check(&m);
		again(&m);
	}
	pf_mail_clear(&m);
	free(vals);
	return 0;
}
