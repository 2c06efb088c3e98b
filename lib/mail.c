/*
 * mail.c -- the outbox, and the messages in it (see mail.h).
 *
 * Nothing here talks SMTP.  No library the project links encodes mail
 * (libesmtp leaves MIME to the application; libxml2 and OpenSSL have no
 * quoted-printable or RFC 2047), so the two encodings are small loops here;
 * base64 is OpenSSL's EVP_EncodeBlock.  Every header value is checked for
 * control characters first, and every header line is written by one folding
 * writer (struct hdr), so no value can end a header or start another.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "err.h"
#include "hex.h"
#include "lang.h"
#include "log.h"
#include "mail.h"
#include "nitems.h"
#include "params.h"
#include "store.h"
#include "utc.h"
#include "utf8.h"
#include "validate.h"

#define TEMPLATE_MAX	(64 * 1024)	/* bytes in a template file */
#define NAME_MAX_LEN	PF_PARAM_NAME_MAX	/* template and value names */
#define LINE_MAX_LEN	78	/* header line, CRLF excluded (RFC 5322 2.1.1) */
#define QP_LINE_MAX	76	/* encoded body line (RFC 2045 6.7 rule 5) */
#define EW_MAX		75	/* one encoded-word (RFC 2047 section 2) */
#define EW_PREFIX	"=?UTF-8?B?"
#define EW_OVERHEAD	12	/* EW_PREFIX and "?=" */
#define MSGID_RANDOM	16	/* bytes, 32 hex digits */

static const char lower[] = "abcdefghijklmnopqrstuvwxyz";
static const char hexdigits[] = "0123456789ABCDEF";

/* RFC 5322 atext: what a display name may hold unquoted, besides spaces. */
static const char atext[] = "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~";

/* A growing string; after a failed append it stays as it was, with err set. */
struct buf {
	char	*p;
	size_t	 len, cap;
	int	 err;
};

static void
buf_add(struct buf *b, const void *s, size_t n)
{
	char	*np;
	size_t	 cap;

	if (b->err != PF_OK)
		return;
	if (n >= SIZE_MAX / 4 - b->len) {
		b->err = PF_ENOMEM;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		for (cap = b->cap == 0 ? 256 : b->cap; cap < b->len + n + 1;)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->err = PF_ENOMEM;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void
buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* 1 if c (not NUL) is in set. */
static int
in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* 1 if s[0..n) is 1 to NAME_MAX_LEN characters, each in set. */
static int
chars_ok(const char *s, size_t n, const char *set)
{
	size_t	 i;

	if (n == 0 || n > NAME_MAX_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!in_set(s[i], set))
			return 0;
	return 1;
}

/* A template name: [a-z0-9-]+, so it can never name another file. */
static int
template_ok(const char *s)
{
	return s != NULL && chars_ok(s, strlen(s),
	    "abcdefghijklmnopqrstuvwxyz0123456789-");
}

/* A value name, s[0..n): [a-z][a-z0-9_]*. */
static int
value_name_ok(const char *s, size_t n)
{
	return n > 0 && in_set(s[0], lower) &&
	    chars_ok(s, n, "abcdefghijklmnopqrstuvwxyz0123456789_");
}

/* 1 if no byte of s is a control character (< 0x20 or DEL). */
static int
no_controls(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* pf_valid_email's normalised copy of s (pf_utf8_graphic), or NULL. */
static char *
address(const char *s, size_t n)
{
	char	*copy, *norm = NULL;

	if ((copy = strndup(s, n)) == NULL)
		return NULL;
	if (pf_utf8_graphic(copy) && pf_valid_email(copy, NULL, &norm) != NULL)
		norm = NULL;
	free(copy);
	return norm;
}

/*
 * The values, in the outbox.
 */

/* 1 if c is one of RFC 3986's unreserved characters, [A-Za-z0-9._~-]. */
static int
unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '~' ||
	    c == '-';
}

/*
 * Strict percent-encoding: everything but the unreserved characters, each
 * run of which is added at once (a mail's link is most of its values).
 */
static void
url_add(struct buf *b, const char *s)
{
	char	 e[3] = { '%' };
	size_t	 run;

	for (;;) {
		for (run = 0; unreserved((unsigned char)s[run]); run++)
			;
		buf_add(b, s, run);
		if (s[run] == '\0')
			return;
		e[1] = hexdigits[(unsigned char)s[run] >> 4];
		e[2] = hexdigits[(unsigned char)s[run] & 0x0f];
		buf_add(b, e, 3);
		s += run + 1;
	}
}

/* Check the name, value, ..., NULL list and encode it into b. */
static int
values_encode(const char *const *v, struct buf *b)
{
	size_t	 i, j, len;

	buf_add(b, "", 0);
	for (i = 0; v != NULL && v[i] != NULL; i += 2) {
		if (i / 2 >= PF_MAIL_MAX_VALUES || v[i + 1] == NULL ||
		    !value_name_ok(v[i], strlen(v[i])))
			return PF_EINVAL;
		len = strlen(v[i + 1]);
		if (len > PF_MAIL_MAX_VALUE || !pf_utf8_ok(v[i + 1], len, 1))
			return PF_EINVAL;
		for (j = 0; j < i; j += 2)
			if (strcmp(v[j], v[i]) == 0)
				return PF_EINVAL;
		if (i > 0)
			buf_add(b, "&", 1);
		url_add(b, v[i]);
		buf_add(b, "=", 1);
		url_add(b, v[i + 1]);
	}
	return b->err;
}

int
pf_mail_enqueue(struct pf_store *st, const char *template, const char *to,
    const char *const *values, const char *subject, long long *id)
{
	struct buf	 vals = { 0 };
	char		*addr = NULL, now[PF_TIME_SIZE];
	int		 rc;

	if (!template_ok(template) || to == NULL ||
	    (subject != NULL && !pf_utf8_ok(subject, strlen(subject), 0)))
		return PF_EINVAL;
	if ((addr = address(to, strlen(to))) == NULL)
		return PF_EINVAL;
	if ((rc = values_encode(values, &vals)) == PF_OK) {
		pf_utc_now(now);
		rc = pf_store_outbox_put(st, template, addr, vals.p, subject,
		    pf_lang_current(), now, id);
	}
	buf_free(&vals);
	free(addr);
	return rc;
}

/*
 * Move the decoded values p[0..n) into m, checking each, and showing any
 * bidirectional control (utf8.h) as U+FFFD: the forms refuse them, but a
 * message queued before they did must not read otherwise than it is.
 */
static int
values_take(struct pf_param *p, size_t n, struct pf_mail *m)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (!value_name_ok(p[i].name, strlen(p[i].name)) ||
		    !pf_utf8_ok(p[i].value, p[i].len, 1))
			return PF_EINVAL;
		pf_utf8_bidi_mark(p[i].value, p[i].len);
		m->values[2 * i] = p[i].name;
		m->values[2 * i + 1] = p[i].value;
		p[i].name = p[i].value = NULL;
	}
	return PF_OK;
}

int
pf_mail_load(const struct pf_outbox_row *r, struct pf_mail *m)
{
	static const struct pf_limits lim = { SIZE_MAX, PF_MAIL_MAX_VALUES,
	    PF_MAIL_MAX_VALUE };
	struct pf_param	*p = NULL;
	const char	*why;
	size_t		 n = 0;
	int		 rc;

	memset(m, 0, sizeof(*m));
	if (r->template == NULL || r->recipient == NULL || r->vals == NULL)
		return PF_EINVAL;
	m->id = r->id;
	m->attempts = r->attempts;
	rc = PF_ENOMEM;
	if ((m->template = strdup(r->template)) == NULL ||
	    (m->to = strdup(r->recipient)) == NULL ||
	    (r->lang != NULL && (m->lang = strdup(r->lang)) == NULL) ||
	    (r->subject != NULL && (m->subject = strdup(r->subject)) == NULL))
		goto fail;
	rc = pf_params_parse(r->vals, strlen(r->vals), &lim, &p, &n, &why);
	if (rc == PF_OK)
		rc = values_take(p, n, m);
	else if (rc != PF_ENOMEM)
		rc = PF_EINVAL;
fail:
	pf_params_free(p, n);
	if (rc != PF_OK)
		pf_mail_clear(m);
	return rc;
}

void
pf_mail_clear(struct pf_mail *m)
{
	size_t	 i;

	if (m == NULL)
		return;
	free(m->template);
	free(m->to);
	free(m->subject);
	free(m->lang);
	for (i = 0; i < 2 * PF_MAIL_MAX_VALUES && m->values[i] != NULL; i++)
		free(m->values[i]);
	memset(m, 0, sizeof(*m));
}

/*
 * Templates.
 */

/* read(2) all of fd's regular file, at most max bytes, into a new string. */
static int
read_small(int fd, size_t max, char **out, size_t *len)
{
	struct stat	 sb;
	char		*s;
	size_t		 n = 0;
	ssize_t		 r = 0;

	if (fstat(fd, &sb) == -1)
		return PF_EIO;
	if (!S_ISREG(sb.st_mode) || sb.st_size < 0 || (size_t)sb.st_size > max)
		return PF_EINVAL;
	if ((s = malloc(max + 2)) == NULL)
		return PF_ENOMEM;
	/* Read to the end, not to st_size: a file may grow meanwhile. */
	while (n <= max && ((r = read(fd, s + n, max + 1 - n)) > 0 ||
	    (r == -1 && errno == EINTR)))
		if (r > 0)
			n += (size_t)r;
	if (r == -1 || n > max) {
		free(s);
		return r == -1 ? PF_EIO : PF_EINVAL;
	}
	s[n] = '\0';
	*out = s;
	*len = n;
	return PF_OK;
}

/*
 * Read dir/sub/name.txt (dir/name.txt when sub is ""), at most
 * TEMPLATE_MAX bytes, into *out (*len bytes).
 */
static int
template_read(const char *dir, const char *sub, const char *name, char **out,
    size_t *len)
{
	char	*path;
	size_t	 n;
	int	 fd, rc;

	n = strlen(dir) + strlen(sub) + strlen(name) + sizeof("//.txt");
	if ((path = malloc(n)) == NULL)
		return PF_ENOMEM;
	snprintf(path, n, "%s/%s%s%s.txt", dir, sub, *sub != '\0' ? "/" : "",
	    name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd == -1)
		return errno == ENOENT || errno == ENOTDIR ? PF_ENOTFOUND :
		    PF_EIO;
	rc = read_small(fd, TEMPLATE_MAX, out, len);
	close(fd);
	return rc;
}

/*
 * A template's text s[0..len) (NUL-terminated at len) made text in place:
 * CRLF and CR made LF, a leading byte order mark (some editors write one)
 * dropped, then it must be pf_utf8_ok.
 */
static int
template_clean(char *s, size_t len)
{
	len = pf_utf8_crlf(s, len);
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		memmove(s, s + 3, (len -= 3) + 1);
	return pf_utf8_ok(s, len, 1) ? PF_OK : PF_EINVAL;
}

/* The value m calls name[0..n), or NULL. */
static const char *
value_of(const struct pf_mail *m, const char *name, size_t n)
{
	size_t	 i;

	for (i = 0; i < 2 * PF_MAIL_MAX_VALUES && m->values[i] != NULL; i += 2)
		if (strncmp(m->values[i], name, n) == 0 &&
		    m->values[i][n] == '\0')
			return m->values[i + 1];
	return NULL;
}

/*
 * Append s to out with each {{name}} replaced by its value, taken as it is
 * (a value is never expanded again).  A malformed or unknown placeholder is
 * an error, and so is a value with LF where multiline is 0.
 */
static int
expand(const char *s, const struct pf_mail *m, int multiline, struct buf *out)
{
	const char	*name, *end, *v;

	buf_add(out, "", 0);
	while ((name = strstr(s, "{{")) != NULL) {
		buf_add(out, s, (size_t)(name - s));
		name += 2;
		if ((end = strstr(name, "}}")) == NULL ||
		    !value_name_ok(name, (size_t)(end - name)) ||
		    (v = value_of(m, name, (size_t)(end - name))) == NULL ||
		    !pf_utf8_ok(v, strlen(v), multiline))
			return PF_EINVAL;
		buf_str(out, v);
		s = end + 2;
	}
	buf_str(out, s);
	return out->err;
}

/*
 * Render text (the template's, cleaned in place: template_clean) with m's
 * values into *subject and *body.
 */
static int
render(char *text, size_t len, const struct pf_mail *m, char **subject,
    char **body)
{
	struct buf	 s = { 0 }, b = { 0 };
	char		*nl;
	int		 rc;

	if ((rc = template_clean(text, len)) != PF_OK)
		return rc;
	/* "Subject: " and a subject, then one empty line, then the body. */
	rc = PF_EINVAL;
	if (strncmp(text, "Subject: ", 9) != 0 || text[9] == '\n' ||
	    (nl = strchr(text, '\n')) == NULL || nl[1] != '\n')
		goto done;
	*nl = '\0';
	if ((rc = expand(text + 9, m, 0, &s)) != PF_OK ||
	    (rc = expand(nl + 2, m, 1, &b)) != PF_OK)
		goto done;
	*subject = s.p;
	*body = b.p;
	s.p = b.p = NULL;
done:
	buf_free(&s);
	buf_free(&b);
	return rc;
}

/*
 * m's template in m's language: dir/NAME/TEMPLATE.txt (NAME the language's
 * gettext name, lang.h), or the source one, dir/TEMPLATE.txt, for the
 * source language, no language (a message queued before 015-lang.sql)
 * or a language without that template (the first such miss of a process
 * logged: a translation not built or not installed).
 */
static int
template_in(const char *dir, const struct pf_mail *m, char **text,
    size_t *len)
{
	static int	 missed;
	char		 name[PF_LANG_MAX];
	int		 rc;

	if (m->lang == NULL || strcmp(m->lang, PF_LANG_SOURCE) == 0 ||
	    pf_lang_name(m->lang, name) != PF_OK)
		return template_read(dir, "", m->template, text, len);
	if ((rc = template_read(dir, name, m->template, text, len)) !=
	    PF_ENOTFOUND)
		return rc;
	if (!missed++)
		pf_log(PF_LOG_WARN, "mail template %s/%s.txt not found: "
		    "the source one is sent", name, m->template);
	return template_read(dir, "", m->template, text, len);
}

int
pf_mail_render(const char *dir, const struct pf_mail *m, char **subject,
    char **body)
{
	char	*text = NULL;
	size_t	 len = 0;
	int	 rc;

	*subject = *body = NULL;
	if (!template_ok(m->template))
		return PF_EINVAL;
	if ((rc = template_in(dir, m, &text, &len)) == PF_OK)
		rc = render(text, len, m, subject, body);
	free(text);
	return rc;
}

int
pf_mail_render_text(const char *text, size_t len, const struct pf_mail *m,
    char **subject, char **body)
{
	char	*copy;
	int	 rc;

	*subject = *body = NULL;
	if (len > TEMPLATE_MAX)
		return PF_EINVAL;
	if ((copy = malloc(len + 1)) == NULL)
		return PF_ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	rc = render(copy, len, m, subject, body);
	free(copy);
	return rc;
}

/*
 * Mailboxes.
 */

int
pf_mail_mailbox(const char *s, char **name, char **addr)
{
	const char	*lt, *a = s, *n = s;
	size_t		 len = strlen(s), alen = len, nlen = 0;
	char		*nm = NULL;

	if (name != NULL)
		*name = NULL;
	*addr = NULL;
	if (!no_controls(s) || !pf_utf8_ok(s, len, 0))
		return PF_EINVAL;
	if (len > 0 && s[len - 1] == '>') {
		if ((lt = strrchr(s, '<')) == NULL)
			return PF_EINVAL;
		a = lt + 1;
		alen = len - 1 - (size_t)(a - s);
		while (*n == ' ')
			n++;
		for (nlen = (size_t)(lt - n); nlen > 0 && n[nlen - 1] == ' ';)
			nlen--;
		if (strcspn(n, "\"\\<>") < nlen)
			return PF_EINVAL;
	}
	if (name != NULL && nlen > 0 && (nm = strndup(n, nlen)) == NULL)
		return PF_ENOMEM;
	if ((*addr = address(a, alen)) == NULL) {
		free(nm);
		return PF_EINVAL;
	}
	if (name != NULL)
		*name = nm;
	return PF_OK;
}

/*
 * Headers.
 */

/* A header line being written, folded before LINE_MAX_LEN. */
struct hdr {
	struct buf	*b;
	size_t		 col;	/* characters on the current line */
	size_t		 start;	/* col just after "Name:" */
};

static void
hdr_begin(struct hdr *h, struct buf *b, const char *name)
{
	h->b = b;
	buf_str(b, name);
	buf_add(b, ":", 1);
	h->col = h->start = strlen(name) + 1;
}

/*
 * Add a space and the word w[0..n) (in angle brackets if angle), first
 * folding the line if the word would not fit and the line has one already.
 */
static void
hdr_word(struct hdr *h, const char *w, size_t n, int angle)
{
	size_t	 wn = n + (angle ? 2 : 0);

	if (h->col > h->start && h->col + 1 + wn > LINE_MAX_LEN) {
		buf_add(h->b, "\r\n", 2);
		h->col = 0;
	}
	buf_add(h->b, angle ? " <" : " ", angle ? 2 : 1);
	buf_add(h->b, w, n);
	if (angle)
		buf_add(h->b, ">", 1);
	h->col += 1 + wn;
}

static void
hdr_end(struct hdr *h)
{
	buf_add(h->b, "\r\n", 2);
}

/* The longest run of whole UTF-8 characters at the start of s[0..len) in max bytes. */
static size_t
utf8_fit(const unsigned char *s, size_t len, size_t max)
{
	size_t	 n;

	if (len <= max)
		return len;
	for (n = max; n > 0 && (s[n] & 0xc0) == 0x80; n--)
		continue;
	return n;
}

/*
 * s[0..len) as RFC 2047 B encoded-words, each at most EW_MAX characters
 * and on a line of at most LINE_MAX_LEN, each holding whole characters
 * (section 5: no character split between words).  Decoders drop the
 * folding white space between adjacent encoded-words (section 6.2).
 */
static void
hdr_encoded(struct hdr *h, const char *s, size_t len)
{
	unsigned char	 ew[EW_MAX + 1];
	size_t		 room, take, i = 0;
	int		 n;

	do {
		room = h->col == h->start ? LINE_MAX_LEN - h->col - 1 :
		    LINE_MAX_LEN - 1;
		if (room > EW_MAX)
			room = EW_MAX;
		take = utf8_fit((const unsigned char *)s + i, len - i,
		    (room - EW_OVERHEAD) / 4 * 3);
		memcpy(ew, EW_PREFIX, EW_OVERHEAD - 2);
		n = EVP_EncodeBlock(ew + EW_OVERHEAD - 2,
		    (const unsigned char *)s + i, (int)take);
		memcpy(ew + EW_OVERHEAD - 2 + n, "?=", 2);
		hdr_word(h, (const char *)ew, EW_OVERHEAD + (size_t)n, 0);
		i += take;
	} while (i < len);
}

/*
 * 1 if s[0..len) can be written as it is: words of chars (NULL: any
 * printable ASCII) separated by single spaces, each short enough to fold
 * onto a line of its own, and nothing a reader would take for an
 * encoded-word.
 */
static int
plain_ok(const struct hdr *h, const char *s, size_t len, const char *chars)
{
	size_t	 i, word = 0;

	if (len > 0 && (s[0] == ' ' || s[len - 1] == ' '))
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == ' ') {
			if (word == 0)
				return 0;
			word = 0;
		} else if (!(chars != NULL ? in_set(s[i], chars) :
		    s[i] > 0x20 && s[i] < 0x7f) ||
		    ++word > LINE_MAX_LEN - h->start - 1)
			return 0;
	}
	return strstr(s, "=?") == NULL;
}

/* Unstructured text or a display name: plain if it can be, else encoded. */
static void
hdr_text(struct hdr *h, const char *s, const char *chars)
{
	size_t	 len = strlen(s), n;

	if (!plain_ok(h, s, len, chars)) {
		hdr_encoded(h, s, len);
		return;
	}
	while (*s != '\0') {
		n = strcspn(s, " ");
		hdr_word(h, s, n, 0);
		s += n + (s[n] == ' ');
	}
}

/* field: mailbox, or nothing when mailbox is NULL or "" and optional. */
static int
hdr_mailbox(struct buf *b, const char *field, const char *mailbox,
    int optional, char **addr)
{
	struct hdr	 h;
	char		*name = NULL, *a = NULL;
	int		 rc;

	if (optional && (mailbox == NULL || *mailbox == '\0'))
		return PF_OK;
	if (mailbox == NULL)
		return PF_EINVAL;
	if ((rc = pf_mail_mailbox(mailbox, &name, &a)) != PF_OK)
		return rc;
	hdr_begin(&h, b, field);
	if (name != NULL)
		hdr_text(&h, name, atext);
	hdr_word(&h, a, strlen(a), name != NULL);
	hdr_end(&h);
	free(name);
	if (addr != NULL)
		*addr = a;
	else
		free(a);
	return PF_OK;
}

/* Date: now in RFC 5322 form, in English whatever the locale. */
static void
hdr_date(struct buf *b)
{
	static const char	 days[7][4] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char	 months[12][4] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm		 tm;
	time_t			 t = time(NULL);
	char			 s[96];

	gmtime_r(&t, &tm);
	snprintf(s, sizeof(s), "Date: %s, %d %s %d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	buf_str(b, s);
}

/* Message-ID: the given one, or 32 random hex digits at the domain. */
static int
hdr_message_id(struct buf *b, const struct pf_mail_headers *h,
    const char *from_addr)
{
	unsigned char	 r[MSGID_RANDOM];
	char		 hex[2 * MSGID_RANDOM + 1];
	const char	*domain;
	size_t		 n;

	buf_str(b, "Message-ID: ");
	if (h->message_id != NULL) {
		n = strlen(h->message_id);
		if (n < 3 || h->message_id[0] != '<' ||
		    h->message_id[n - 1] != '>' ||
		    !pf_utf8_graphic(h->message_id))
			return PF_EINVAL;
		buf_str(b, h->message_id);
		buf_add(b, "\r\n", 2);
		return PF_OK;
	}
	domain = h->domain != NULL && *h->domain != '\0' ? h->domain :
	    strrchr(from_addr, '@') + 1;
	n = strlen(domain);
	if (n == 0 || strspn(domain, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != n)
		return PF_EINVAL;
	if (RAND_bytes(r, sizeof(r)) != 1)
		return PF_ECRYPTO;
	pf_hex_encode(r, sizeof(r), hex);
	buf_add(b, "<", 1);
	buf_str(b, hex);
	buf_add(b, "@", 1);
	buf_str(b, domain);
	buf_add(b, ">\r\n", 3);
	return PF_OK;
}

/*
 * The body.
 */

/*
 * 1 if byte p[0], at column col of an encoded line, may stand for itself:
 * printable ASCII other than '=', and not a space or tab before a line end
 * (which transports may strip).  A '.' or "From " at the start of a line is
 * encoded too, which RFC 2045 allows, so that neither SMTP dot-stuffing nor
 * an mbox writer can touch it.
 */
static int
qp_literal(const unsigned char *p, size_t col)
{
	if (*p == ' ')
		return p[1] != '\n' && p[1] != '\0';
	if (*p < 0x20 || *p >= 0x7f || *p == '=')
		return 0;
	if (col == 0 && (*p == '.' || strncmp((const char *)p, "From ", 5) == 0))
		return 0;
	return 1;
}

/* body (LF line ends) as quoted-printable with CRLF line ends. */
static void
qp_body(struct buf *b, const char *body)
{
	const unsigned char	*p = (const unsigned char *)body;
	char			 e[3] = { '=' };
	size_t			 col = 0, n, max;

	for (; *p != '\0'; p++) {
		if (*p == '\n') {
			buf_add(b, "\r\n", 2);
			col = 0;
			continue;
		}
		/* The last unit of a line may use the column a soft break would. */
		max = p[1] == '\n' || p[1] == '\0' ? QP_LINE_MAX : QP_LINE_MAX - 1;
		n = qp_literal(p, col) ? 1 : 3;
		if (col + n > max) {
			buf_add(b, "=\r\n", 3);
			col = 0;
			n = qp_literal(p, col) ? 1 : 3;
		}
		if (n == 1)
			buf_add(b, p, 1);
		else {
			e[1] = hexdigits[*p >> 4];
			e[2] = hexdigits[*p & 0x0f];
			buf_add(b, e, 3);
		}
		col += n;
	}
	if (col > 0)
		buf_add(b, "\r\n", 2);
}

/* Every header value free of control characters, the subject UTF-8 text. */
static int
headers_ok(const struct pf_mail_headers *h)
{
	const char	*v[] = { h->from, h->reply_to, h->to, h->subject,
	    h->message_id, h->domain };
	size_t		 i;

	if (h->from == NULL || h->to == NULL || h->subject == NULL)
		return PF_EINVAL;
	for (i = 0; i < nitems(v); i++)
		if (v[i] != NULL && !no_controls(v[i]))
			return PF_EINVAL;
	return pf_utf8_ok(h->subject, strlen(h->subject), 0) ? PF_OK : PF_EINVAL;
}

/* Date, Message-ID, From, Reply-To, To and Subject into b. */
static int
addressed(struct buf *b, const struct pf_mail_headers *h)
{
	struct hdr	 s;
	char		*from = NULL;
	int		 rc;

	hdr_date(b);
	/* Message-ID comes before From, but its domain is From's. */
	if ((rc = pf_mail_mailbox(h->from, NULL, &from)) != PF_OK ||
	    (rc = hdr_message_id(b, h, from)) != PF_OK ||
	    (rc = hdr_mailbox(b, "From", h->from, 0, NULL)) != PF_OK ||
	    (rc = hdr_mailbox(b, "Reply-To", h->reply_to, 1, NULL)) != PF_OK ||
	    (rc = hdr_mailbox(b, "To", h->to, 0, NULL)) != PF_OK) {
		free(from);
		return rc;
	}
	free(from);
	hdr_begin(&s, b, "Subject");
	hdr_text(&s, h->subject, NULL);
	hdr_end(&s);
	return PF_OK;
}

int
pf_mail_format(const struct pf_mail_headers *h, const char *body,
    char **out, size_t *len)
{
	struct buf	 b = { 0 };
	int		 rc;

	*out = NULL;
	*len = 0;
	if ((rc = headers_ok(h)) != PF_OK)
		return rc;
	if (body == NULL || !pf_utf8_ok(body, strlen(body), 1))
		return PF_EINVAL;
	if ((rc = addressed(&b, h)) != PF_OK) {
		buf_free(&b);
		return rc;
	}
	buf_str(&b, "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "\r\n");
	qp_body(&b, body);
	if (b.err != PF_OK) {
		rc = b.err;
		buf_free(&b);
		return rc;
	}
	*out = b.p;
	*len = b.len;
	return PF_OK;
}
