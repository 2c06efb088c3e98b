/*
 * fuzz_lang.c -- RFC 4647 lookup of an Accept-Language header (lang.h's
 * pf_lang_lookup), which every request's header reaches.
 *
 * Besides never reading out of bounds on any header, the answer must be
 * one of the tags or none, must not depend on case, must not change when
 * an ignored "*" range is added after the rest, and a tag found among
 * many is found alone too (lookup never prefers a tag because another is
 * offered).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "lang.h"

static const char *const tags[] = { "en", "de", "fr", "pt-BR", "zh-CN",
    "zh-Hant", "en-XA", "ar-XB", "ja" };
#define NTAGS	(sizeof(tags) / sizeof(tags[0]))

/* tags[i] for the answer, or NTAGS for none; aborts for a foreign pointer. */
static size_t
which(const char *got)
{
	size_t	 i;

	if (got == NULL)
		return NTAGS;
	for (i = 0; i < NTAGS; i++)
		if (got == tags[i])
			return i;
	FUZZ_ASSERT(!"the answer is not one of the tags");
	return NTAGS;
}

static void
check(const char *header)
{
	size_t	 len = strlen(header), i, found;
	char	*upper, *star;

	found = which(pf_lang_lookup(header, tags, NTAGS));
	FUZZ_ASSERT((upper = malloc(len + 1)) != NULL);
	for (i = 0; i <= len; i++)
		upper[i] = (char)toupper((unsigned char)header[i]);
	FUZZ_ASSERT(which(pf_lang_lookup(upper, tags, NTAGS)) == found);
	free(upper);
	FUZZ_ASSERT((star = malloc(len + 3)) != NULL);
	memcpy(star, header, len);
	memcpy(star + len, ",*", 3);
	FUZZ_ASSERT(which(pf_lang_lookup(star, tags, NTAGS)) == found);
	free(star);
	if (found < NTAGS)
		FUZZ_ASSERT(pf_lang_lookup(header, &tags[found], 1) ==
		    tags[found]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_as_text(data, size, check);
	return 0;
}
