/*
 * utf8.h -- the base text check every input passes before anything else.
 *
 * A string is acceptable when it is well-formed UTF-8 (no overlong forms,
 * no surrogates, nothing above U+10FFFF) and every code point is an XML 1.0
 * Char other than the C0 controls: U+FFFE/U+FFFF, NUL and other C0 and C1
 * controls are refused, so no accepted string can ever make libxml2 write a
 * document that is not well-formed (see ARCHITECTURE.md on libxml2).  Tab
 * is allowed; LF is allowed only when multiline is set.  CR is never accepted: callers
 * normalise CRLF to LF first (pf_utf8_crlf).
 */
#ifndef PF_UTF8_H
#define PF_UTF8_H

#include <stddef.h>

/* 1 if s[0..len) is acceptable text as described above, else 0. */
int pf_utf8_ok(const char *s, size_t len, int multiline);

/* Number of code points in a string that passed pf_utf8_ok. */
size_t pf_utf8_len(const char *s, size_t len);

/* Rewrite CRLF and lone CR to LF in place; returns the new length. */
size_t pf_utf8_crlf(char *s, size_t len);

#endif
