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

/*
 * 1 if s is printable ASCII without blanks (0x21..0x7e), else 0: what a
 * URL in privforms.conf, a mail address or a Message-ID may contain.
 */
int pf_utf8_graphic(const char *s);

/*
 * The bidirectional controls that carry a direction past themselves: the
 * embeddings and overrides U+202A..U+202E and the isolates U+2066..U+2069.
 * One of them left open reverses or reorders the rest of a line wherever
 * the text is shown (a mail to the team, a terminal), so that it reads
 * other than it is (U+202E makes "txt.exe" of "exe.txt").  The marks
 * U+200E, U+200F and U+061C are not among them: they affect only the
 * characters next to them, and people who write Arabic or Hebrew type them.
 *
 * pf_utf8_bidi: 1 if s[0..len) holds one, else 0 (any bytes: UTF-8's lead
 * bytes never occur inside a sequence, so a match is one).
 * pf_utf8_bidi_mark: replace each in place with U+FFFD, which is as long
 * (3 bytes) and shows where it was; returns how many.
 */
int pf_utf8_bidi(const char *s, size_t len);
size_t pf_utf8_bidi_mark(char *s, size_t len);

#endif
