/* utf8.c -- well-formed UTF-8 made only of XML Chars (see utf8.h). */
#include <string.h>

#include "utf8.h"

/*
 * Decode one code point at s[0..len): its value in *cp and its length, or 0
 * if the sequence is malformed, overlong, a surrogate or above U+10FFFF.
 */
static size_t
decode(const unsigned char *s, size_t len, unsigned long *cp)
{
	static const unsigned long min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t		 n, i;
	unsigned long	 c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* XML 1.0 Char, less the C0 and C1 controls other than tab and (maybe) LF. */
static int
allowed(unsigned long c, int multiline)
{
	if (c == '\t')
		return 1;
	if (c == '\n')
		return multiline;
	if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
		return 0;
	if (c == 0xfffe || c == 0xffff)
		return 0;
	return 1;
}

int
pf_utf8_ok(const char *s, size_t len, int multiline)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned long		 c;
	size_t			 i, n;

	for (i = 0; i < len; i += n) {
		if ((n = decode(p + i, len - i, &c)) == 0)
			return 0;
		if (!allowed(c, multiline))
			return 0;
	}
	return 1;
}

size_t
pf_utf8_len(const char *s, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

size_t
pf_utf8_crlf(char *s, size_t len)
{
	size_t	 i, j;

	for (i = j = 0; i < len; i++) {
		if (s[i] == '\r') {
			s[j++] = '\n';
			if (i + 1 < len && s[i + 1] == '\n')
				i++;
		} else
			s[j++] = s[i];
	}
	if (j < len)
		s[j] = '\0';
	return j;
}

int
pf_utf8_graphic(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* Is s[0..len) at a bidi control of utf8.h's list (3 bytes each)? */
static int
bidi_at(const unsigned char *s, size_t len)
{
	return len >= 3 && s[0] == 0xe2 &&
	    ((s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae) ||
	    (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9));
}

int
pf_utf8_bidi(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	for (i = 0; i < len; i++)
		if (bidi_at(p + i, len - i))
			return 1;
	return 0;
}

size_t
pf_utf8_bidi_mark(char *s, size_t len)
{
	unsigned char	*p = (unsigned char *)s;
	size_t		 i, n = 0;

	for (i = 0; i < len; i++)
		if (bidi_at(p + i, len - i)) {
			memcpy(p + i, "\xef\xbf\xbd", 3);
			i += 2;
			n++;
		}
	return n;
}
