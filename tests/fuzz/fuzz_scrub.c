/*
 * fuzz_scrub.c -- a list piped to `privforms dnc scrub` or `privforms
 * unsubscribes scrub`: split into lines (file.h's pf_file_line), each read
 * as a number (pf_valid_phone, dnc scrub) or as an address or a number
 * (pf_contact_key, unsubscribes scrub), in the configured region and in
 * none.  The database lookups that follow are the store's, fuzzed by no
 * one here: only what reads the operator's bytes.
 *
 * Whatever the bytes: the lines cover the input exactly, in order, each
 * with at most one line end (LF, or CR LF, or a lone CR at the very end);
 * a line with a NUL is refused before it is read (as cli.c does); and
 * what a line reads as is a key that reads as itself again: an email key
 * is a lower-case address pf_valid_email takes, a number is E.164 that
 * pf_valid_phone gives back unchanged with no region.
 */
#include <string.h>

#include "err.h"
#include "file.h"
#include "fuzz.h"
#include "nitems.h"
#include "validate.h"

static const char *const regions[] = { "US", "GB", NULL };

/* key, what line read as (kind "email" or "phone"), reads as itself. */
static void
check_key(const char *kind, const char *key)
{
	char	*again = NULL, *p;

	FUZZ_ASSERT(key != NULL && *key != '\0');
	if (strcmp(kind, "phone") == 0) {
		FUZZ_ASSERT(key[0] == '+' && strspn(key + 1, "0123456789") ==
		    strlen(key + 1));
		FUZZ_ASSERT(pf_valid_phone(key, NULL, &again) == NULL);
		FUZZ_ASSERT(strcmp(again, key) == 0);
		free(again);
		return;
	}
	FUZZ_ASSERT(strcmp(kind, "email") == 0);
	for (p = (char *)key; *p != '\0'; p++)
		FUZZ_ASSERT(!(*p >= 'A' && *p <= 'Z') &&
		    (unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f);
	FUZZ_ASSERT(pf_valid_email(key, NULL, &again) == NULL);
	FUZZ_ASSERT(strcmp(again, key) == 0);
	free(again);
}

/* One line as both scrubs read it. */
static void
verdicts(const char *line)
{
	const char	*kind, *why;
	char		*key;
	size_t		 i;
	int		 rc;

	for (i = 0; i < nitems(regions); i++) {
		key = NULL;
		why = pf_valid_phone(line, regions[i], &key);
		if (why == NULL)
			check_key("phone", key);
		else
			FUZZ_ASSERT(key == NULL && *why != '\0');
		free(key);
		rc = pf_contact_key(line, regions[i], &kind, &key, &why);
		/* PF_ECONFIG: no phone module, which this harness links in. */
		FUZZ_ASSERT(rc == PF_OK || rc == PF_EINVAL || rc == PF_ENOMEM);
		if (rc == PF_OK)
			check_key(kind, key);
		else
			FUZZ_ASSERT(key == NULL && (rc != PF_EINVAL ||
			    (why != NULL && *why != '\0')));
		free(key);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*buf = (const char *)data;
	struct pf_line	 l;
	size_t		 pos = 0, end;
	char		*line;

	while (pf_file_line(buf, size, &pos, &l)) {
		/* In order, covering the input, each line end where it says. */
		FUZZ_ASSERT(l.text == buf + pos - l.whole);
		FUZZ_ASSERT(l.whole > 0 && l.n <= l.whole && l.whole - l.n <= 2);
		FUZZ_ASSERT(memchr(l.text, '\n', l.n) == NULL);
		end = l.whole - l.n;
		if (pos < size)
			FUZZ_ASSERT(l.text[l.whole - 1] == '\n' &&
			    (end == 1 || l.text[l.n] == '\r'));
		else
			FUZZ_ASSERT(end == 0 || l.text[l.n] == '\r' ||
			    l.text[l.n] == '\n');
		if (memchr(l.text, '\0', l.n) != NULL)
			continue;	/* refused as "a NUL byte" */
		FUZZ_ASSERT((line = strndup(l.text, l.n)) != NULL);
		verdicts(line);
		free(line);
	}
	FUZZ_ASSERT(pos == size);
	return 0;
}
