/*
 * fuzz_utf8.c -- the base text check (utf8.h) against its own promises and
 * against libxml2.
 *
 * The promise that matters: text that pf_utf8_ok accepts can go into a
 * libxml2 text node or attribute, be serialised, and be parsed back to the
 * same bytes.  page.c and audit.c rely on it (ARCHITECTURE.md: libxml2
 * 2.9.14 writes whatever it is given, so the check is the only guard).
 */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlstring.h>

#include "fuzz.h"
#include "utf8.h"

/* Count of byte c in s[0..len). */
static size_t
count(const char *s, size_t len, char c)
{
	size_t	 i, n = 0;

	for (i = 0; i < len; i++)
		n += s[i] == c;
	return n;
}

/* Count of "\r\n" in s[0..len). */
static size_t
count_crlf(const char *s, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i + 1 < len; i++)
		n += s[i] == '\r' && s[i + 1] == '\n';
	return n;
}

/*
 * Accepted text s (NUL-terminated, no NUL inside) as the content and an
 * attribute of an element, serialised and parsed again: both must come back
 * byte for byte.
 */
static void
xml_roundtrip(const char *s)
{
	xmlDocPtr	 doc, back;
	xmlNodePtr	 root, text;
	xmlChar		*buf, *content, *attr;
	int		 len;

	FUZZ_ASSERT((doc = xmlNewDoc((const xmlChar *)"1.0")) != NULL);
	root = xmlNewDocNode(doc, NULL, (const xmlChar *)"r", NULL);
	FUZZ_ASSERT(root != NULL);
	xmlDocSetRootElement(doc, root);
	FUZZ_ASSERT((text = xmlNewDocText(doc, (const xmlChar *)s)) != NULL);
	FUZZ_ASSERT(xmlAddChild(root, text) != NULL);
	FUZZ_ASSERT(xmlSetProp(root, (const xmlChar *)"a",
	    (const xmlChar *)s) != NULL);
	xmlDocDumpMemoryEnc(doc, &buf, &len, "UTF-8");
	FUZZ_ASSERT(buf != NULL && len > 0);
	back = xmlReadMemory((const char *)buf, len, NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (back == NULL)
		fprintf(stderr, "not well-formed:\n%s\n", (const char *)buf);
	FUZZ_ASSERT(back != NULL);
	root = xmlDocGetRootElement(back);
	FUZZ_ASSERT(root != NULL);
	content = xmlNodeGetContent(root);
	attr = xmlGetProp(root, (const xmlChar *)"a");
	FUZZ_ASSERT(content != NULL && strcmp((char *)content, s) == 0);
	FUZZ_ASSERT(attr != NULL && strcmp((char *)attr, s) == 0);
	xmlFree(attr);
	xmlFree(content);
	xmlFreeDoc(back);
	xmlFree(buf);
	xmlFreeDoc(doc);
}

/* Invariants of text that pf_utf8_ok(s, len, 1) accepted. */
static void
accepted(const char *s, size_t len)
{
	size_t	 chars, half;

	/* NUL and CR are never accepted. */
	FUZZ_ASSERT(memchr(s, '\0', len) == NULL);
	FUZZ_ASSERT(memchr(s, '\r', len) == NULL);
	chars = pf_utf8_len(s, len);
	FUZZ_ASSERT(chars <= len && chars * 4 >= len);
	FUZZ_ASSERT((int)chars == xmlUTF8Strlen((const xmlChar *)s));
	/* Cut inside a multibyte sequence, the first half fails... */
	half = len / 2;
	if (half < len && ((unsigned char)s[half] & 0xc0) == 0x80)
		FUZZ_ASSERT(!pf_utf8_ok(s, half, 1));
	/* ...and cut at the next code point boundary, both halves pass. */
	while (half < len && ((unsigned char)s[half] & 0xc0) == 0x80)
		half++;
	FUZZ_ASSERT(pf_utf8_ok(s, half, 1) && pf_utf8_ok(s + half,
	    len - half, 1));
	xml_roundtrip(s);
}

/* pf_utf8_crlf on a copy of s[0..len). */
static void
crlf(const char *s, size_t len)
{
	char	*c, *lf;
	size_t	 n, i, crs = count(s, len, '\r'), pairs = count_crlf(s, len);

	FUZZ_ASSERT((c = malloc(len + 1)) != NULL);
	FUZZ_ASSERT((lf = malloc(len + 1)) != NULL);
	memcpy(c, s, len);
	c[len] = 'X';
	n = pf_utf8_crlf(c, len);
	FUZZ_ASSERT(n == len - pairs);
	FUZZ_ASSERT(n == len || c[n] == '\0');
	FUZZ_ASSERT(c[len] == 'X');
	FUZZ_ASSERT(memchr(c, '\r', n) == NULL);
	FUZZ_ASSERT(count(c, n, '\n') == count(s, len, '\n') + crs - pairs);
	/* Idempotent, and the identity on text without CR. */
	FUZZ_ASSERT(pf_utf8_crlf(c, n) == n);
	if (crs == 0)
		FUZZ_ASSERT(memcmp(c, s, len) == 0);
	/* Folding line ends changes nothing else about validity. */
	for (i = 0; i < len; i++)
		lf[i] = s[i] == '\r' ? '\n' : s[i];
	FUZZ_ASSERT(pf_utf8_ok(c, n, 1) == pf_utf8_ok(lf, len, 1));
	free(lf);
	free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	char		*copy;
	int		 ok0, ok1;

	ok0 = pf_utf8_ok(s, size, 0);
	ok1 = pf_utf8_ok(s, size, 1);
	FUZZ_ASSERT(ok0 == 0 || ok0 == 1);
	FUZZ_ASSERT(ok1 == 0 || ok1 == 1);
	/* multiline differs in LF and nothing else. */
	FUZZ_ASSERT(ok0 == (ok1 && memchr(s, '\n', size) == NULL));
	if (ok1) {
		copy = fuzz_text(s, size);
		accepted(copy, size);
		free(copy);
	}
	crlf(s, size);
	return 0;
}
