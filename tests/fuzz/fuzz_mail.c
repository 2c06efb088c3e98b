/*
 * fuzz_mail.c -- a mail from template to message: the template's text
 * (pf_mail_render_text, the buffer entry point of pf_mail_render), the
 * values it is given, the mailboxes (pf_mail_mailbox) and the formatting
 * of the whole message (pf_mail_format).
 *
 * The input is split at NUL bytes: the template, its values as the outbox
 * holds them ("name=value&..."), From, To, a Message-ID.  Empty parts take
 * working defaults, so that the fuzzer gets past each step.  Whatever they
 * hold, a message that is made:
 *   - has CRLF line ends only, the header fields in their fixed order, no
 *     byte in the header that is not printable ASCII, no line longer than
 *     78 unless it holds an address or Message-ID that cannot be split,
 *     and no body line longer than 76;
 *   - decodes back to exactly the subject and body it was given
 *     (RFC 2047 encoded-words of whole characters; quoted-printable).
 */
#include <string.h>

#include <openssl/evp.h>

#include "err.h"
#include "fuzz.h"
#include "mail.h"
#include "store.h"
#include "utf8.h"

#define FROM		"Privacy Team <privacy@example.com>"
#define TO		"jane@example.com"
#define TEMPLATE	"Subject: Hello {{name}}\n\nDear {{name}},\n"
#define VALUES		"name=Jane"
#define FIELDS		"Date,Message-ID,From,To,Subject,MIME-Version," \
			"Content-Type,Content-Transfer-Encoding,Auto-Submitted,"

/* The parts of the input; each NUL-terminated inside one copy. */
struct parts {
	char		*copy;
	const char	*p[5];	/* template, values, from, to, message-id */
	size_t		 len[5];
};

static void
split(const uint8_t *data, size_t size, struct parts *x)
{
	static const char *const def[5] = { TEMPLATE, VALUES, FROM, TO, "" };
	char	*p, *end;
	size_t	 n = 0;

	x->copy = fuzz_text(data, size);
	end = x->copy + size;
	for (p = x->copy; n < 5 && p <= end; p += strlen(p) + 1)
		x->p[n++] = p;
	for (; n < 5; n++)
		x->p[n] = "";
	for (n = 0; n < 5; n++) {
		if (x->p[n][0] == '\0')
			x->p[n] = def[n];
		x->len[n] = strlen(x->p[n]);
	}
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ?
	    c - 'A' + 10 : -1;
}

/* Decode a quoted-printable body (CRLF lines) into LF text, new string. */
static char *
qp_decode(const char *in)
{
	char	*out, *o;

	FUZZ_ASSERT((o = out = malloc(strlen(in) + 1)) != NULL);
	while (*in != '\0') {
		if (strncmp(in, "=\r\n", 3) == 0)
			in += 3;
		else if (strncmp(in, "\r\n", 2) == 0) {
			*o++ = '\n';
			in += 2;
		} else if (*in == '=') {
			FUZZ_ASSERT(hexval(in[1]) >= 0 && hexval(in[2]) >= 0);
			*o++ = (char)(hexval(in[1]) << 4 | hexval(in[2]));
			in += 3;
		} else {
			FUZZ_ASSERT(*in >= 0x20 && *in < 0x7f);
			*o++ = *in++;
		}
	}
	*o = '\0';
	return out;
}

/* The unfolded value of field name in the header block hdr, new string. */
static char *
field(const char *hdr, const char *name)
{
	const char	*p = hdr, *nl;
	char		*out = NULL, *o;
	size_t		 n = strlen(name);

	while (strncmp(p, "\r\n", 2) != 0) {
		nl = strstr(p, "\r\n");
		if (strncmp(p, name, n) == 0 && p[n] == ':') {
			FUZZ_ASSERT((o = out = malloc(strlen(p) + 1)) != NULL);
			p += n + 1;
			p += *p == ' ';
			for (;; p = nl + 2, nl = strstr(p, "\r\n")) {
				memcpy(o, p, (size_t)(nl - p));
				o += nl - p;
				if (nl[2] != ' ')
					break;
			}
			*o = '\0';
			return out;
		}
		p = nl + 2;
	}
	FUZZ_ASSERT(0);
	return NULL;
}

/*
 * An unstructured value as written: plain words separated by one space,
 * or encoded-words only (white space between them is no text), each of
 * whole characters.  Its text, new string.
 */
static char *
unencode(const char *v)
{
	unsigned char	 dec[64];
	char		*out, *o, *w;
	const char	*end;
	size_t		 n;
	int		 d, pad;

	FUZZ_ASSERT((o = out = malloc(strlen(v) + 1)) != NULL);
	if (strncmp(v, "=?UTF-8?B?", 10) != 0) {
		strcpy(out, v);
		return out;
	}
	for (w = (char *)v; *w != '\0'; w = (char *)end + 2 + (end[2] == ' ')) {
		FUZZ_ASSERT(strncmp(w, "=?UTF-8?B?", 10) == 0);
		FUZZ_ASSERT((end = strstr(w + 10, "?=")) != NULL);
		n = (size_t)(end - w - 10);
		FUZZ_ASSERT(n + 12 <= 75 && n % 4 == 0 && n > 0);
		pad = (w[10 + n - 1] == '=') + (w[10 + n - 2] == '=');
		d = EVP_DecodeBlock(dec, (const unsigned char *)w + 10, (int)n);
		FUZZ_ASSERT(d >= pad);
		FUZZ_ASSERT(pf_utf8_ok((const char *)dec, (size_t)(d - pad), 0));
		memcpy(o, dec, (size_t)(d - pad));
		o += d - pad;
	}
	*o = '\0';
	return out;
}

/* The header block: its fields in order, its lines short and plain. */
static void
check_header(const char *msg, size_t hlen)
{
	char		 names[256] = "";
	const char	*p = msg, *nl;
	size_t		 n, i;

	for (p = msg; p < msg + hlen; p = nl + 2) {
		nl = strstr(p, "\r\n");
		for (i = 0; p + i < nl; i++)
			FUZZ_ASSERT(p[i] >= 0x20 && p[i] < 0x7f);
		/* Only an address or a Message-ID is never split. */
		FUZZ_ASSERT(nl - p <= 78 || memchr(p, '@', (size_t)(nl - p)) ||
		    strncmp(p, "Message-ID: ", 12) == 0);
		if (*p == ' ')
			continue;
		n = strcspn(p, ":");
		FUZZ_ASSERT(strlen(names) + n + 2 < sizeof(names));
		strncat(names, p, n);
		strcat(names, ",");
	}
	FUZZ_ASSERT(strcmp(names, FIELDS) == 0);
}

static void
check_message(const char *msg, size_t len, const char *subject,
    const char *body, const char *message_id)
{
	const char	*sep, *p, *nl;
	char		*v, *dec;

	FUZZ_ASSERT(strlen(msg) == len);
	for (p = msg; *p != '\0'; p = nl + 2) {
		FUZZ_ASSERT((nl = strstr(p, "\r\n")) != NULL);
		FUZZ_ASSERT(memchr(p, '\n', (size_t)(nl - p)) == NULL &&
		    memchr(p, '\r', (size_t)(nl - p)) == NULL);
	}
	FUZZ_ASSERT((sep = strstr(msg, "\r\n\r\n")) != NULL);
	check_header(msg, (size_t)(sep - msg) + 2);
	v = field(msg, "Subject");
	dec = unencode(v);
	FUZZ_ASSERT(strcmp(dec, subject) == 0);
	free(dec);
	free(v);
	if (message_id != NULL) {
		v = field(msg, "Message-ID");
		FUZZ_ASSERT(strcmp(v, message_id) == 0);
		free(v);
	}
	for (p = sep + 4; *p != '\0'; p = nl + 2)
		FUZZ_ASSERT((nl = strstr(p, "\r\n")) - p <= 76);
	dec = qp_decode(sep + 4);
	/* The body's last line gets its line end. */
	FUZZ_ASSERT(strncmp(dec, body, strlen(body)) == 0);
	FUZZ_ASSERT(strcmp(dec + strlen(body), body[0] == '\0' ||
	    body[strlen(body) - 1] == '\n' ? "" : "\n") == 0);
	free(dec);
}

/* Format subject and body with the input's mailboxes. */
static void
format(const struct parts *x, const char *subject, const char *body)
{
	struct pf_mail_headers	 h = { x->p[2], NULL, x->p[3], subject,
	    NULL, NULL };
	char			*msg = NULL;
	size_t			 len = 0;
	int			 rc;

	if (x->p[4][0] != '\0')
		h.message_id = x->p[4];
	rc = pf_mail_format(&h, body, &msg, &len);
	FUZZ_ASSERT(rc == PF_OK || rc == PF_EINVAL || rc == PF_ENOMEM);
	if (rc == PF_OK)
		check_message(msg, len, subject, body, h.message_id);
	else
		FUZZ_ASSERT(msg == NULL);
	free(msg);
}

/* A mailbox read is an address pf_mail_mailbox reads the same. */
static void
mailbox(const char *s)
{
	char	*name = NULL, *addr = NULL, *again = NULL;

	if (pf_mail_mailbox(s, &name, &addr) != PF_OK) {
		FUZZ_ASSERT(name == NULL && addr == NULL);
		return;
	}
	FUZZ_ASSERT(pf_mail_mailbox(addr, NULL, &again) == PF_OK);
	FUZZ_ASSERT(strcmp(again, addr) == 0);
	FUZZ_ASSERT(name == NULL || strcspn(name, "\"\\<>\r\n") ==
	    strlen(name));
	free(name);
	free(addr);
	free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_outbox_row	 r = { .id = 1, .template = "fuzz",
	    .recipient = TO, .state = "sending", .next_try = "x",
	    .created = "x", .updated = "x", .lang = "en" };
	struct pf_mail		 m;
	struct parts		 x;
	char			*subject = NULL, *body = NULL;
	int			 rc;

	split(data, size, &x);
	r.vals = x.p[1];
	if (pf_mail_load(&r, &m) != PF_OK)
		memset(&m, 0, sizeof(m));
	rc = pf_mail_render_text(x.p[0], x.len[0], &m, &subject, &body);
	FUZZ_ASSERT(rc == PF_OK || rc == PF_EINVAL || rc == PF_ENOMEM);
	if (rc == PF_OK) {
		FUZZ_ASSERT(pf_utf8_ok(subject, strlen(subject), 0));
		FUZZ_ASSERT(pf_utf8_ok(body, strlen(body), 1));
		format(&x, subject, body);
	} else
		FUZZ_ASSERT(subject == NULL && body == NULL);
	mailbox(x.p[2]);
	pf_mail_clear(&m);
	free(subject);
	free(body);
	free(x.copy);
	return 0;
}
