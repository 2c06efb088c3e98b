/*
 * fuzz_form.c -- a POST body through pf_request_read_form, pf_form_validate
 * with the real validators, and pf_form_fill into the unsubscribe page.
 *
 * Input: one byte of choices, then the rest.
 *
 *	bits 0-1  Content-Type: 0 urlencoded, 1 multipart with BOUNDARY,
 *		  2 multipart whose boundary is taken from the input (next
 *		  byte: its length in bits 0-6, bit 7 to quote it; then
 *		  the boundary), 3 the input up to its first LF verbatim
 *	bits 2-4  CONTENT_LENGTH: 0-2 the body's length, 3 the same but the
 *		  stream fails half-way, 4 one more, 5 half, 6 absent, 7 not
 *		  a number
 *	bit 5	  small limits (so each limit is reachable), else the defaults
 *	bit 6	  the stream returns 7 bytes per read, else all it can
 *	bit 7	  "; charset=UTF-8" after the content type
 *
 * The rest of the input is the body; when its length is odd, the form is
 * served as with unsubscribe_confirmation off (no confirm control).
 * Whatever it holds, the outcome must
 * be one of the documented codes; accepted fields must be well-formed; the
 * validated form must keep only text that passed the base check and only
 * values its validator would accept again unchanged; and what the form
 * shows must go into the page and come out as well-formed XML.
 */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "err.h"
#include "form.h"
#include "../mem_stream.h"
#include "fuzz.h"
#include "page.h"
#include "params.h"
#include "request.h"
#include "utf8.h"
#include "validate.h"

#define BOUNDARY	"privforms-fuzz-boundary"
#define CT_MAX		300	/* bytes of a Content-Type taken from input */

/* privforms.conf's defaults, and small ones that input can reach. */
static const struct pf_limits deflim = { 16384, 32, 4096 };
static const struct pf_limits small = { 1024, 4, 64 };

/* The unsubscribe form's table (cgi-bin/unsubscribe.c). */
enum { F_CHANNEL, F_EMAIL, F_PHONE, F_REASON, F_CONFIRM, F__MAX };
static const char *const channels[] = { "email", "sms", NULL };
static const char *const yes[] = { "yes", NULL };
static const struct pf_field fields[F__MAX] = {
	[F_CHANNEL] = { "channel", pf_valid_enum, channels, 1, 8, 0,
	    "What do you want to stop" },
	[F_EMAIL] = { "email", pf_valid_email, NULL, 0, 254, 0,
	    "Email address" },
	[F_PHONE] = { "phone", pf_valid_phone, "US", 0, 32, 0,
	    "Mobile phone number" },
	[F_REASON] = { "reason", pf_valid_text, NULL, 0, 1000, 1, "Reason" },
	[F_CONFIRM] = { "confirm", pf_valid_enum, yes, 0, 3, 0,
	    "Send me an email to confirm" },
};

/* One request as the input describes it. */
struct post {
	char		 ctype[CT_MAX + 128];
	char		 clen[48];
	const uint8_t	*body;
	size_t		 len;
	long long	 announced;	/* -1: absent or not a number */
	const struct pf_limits *lim;
	size_t		 chunk;
	int		 fails;		/* half-way: see struct pf_test_mem */
	int		 confirmation;	/* the confirm control is offered */
};

/* Append s[0..len) to the NUL-terminated dst[size], cutting it short. */
static void
append(char *dst, size_t size, const void *s, size_t len)
{
	size_t	 have = strlen(dst);

	if (len > size - 1 - have)
		len = size - 1 - have;
	memcpy(dst + have, s, len);
	dst[have + len] = '\0';
}

/* The Content-Type of the input's choice; moves *data past what it used. */
static void
content_type(struct post *p, uint8_t how, const uint8_t **data, size_t *size)
{
	const uint8_t	*lf;
	const char	*quote;
	size_t		 n;

	p->ctype[0] = '\0';
	switch (how & 3) {
	case 0:
		append(p->ctype, sizeof(p->ctype),
		    "application/x-www-form-urlencoded", 33);
		break;
	case 1:
		append(p->ctype, sizeof(p->ctype),
		    "multipart/form-data; boundary=" BOUNDARY,
		    sizeof("multipart/form-data; boundary=" BOUNDARY) - 1);
		break;
	case 2:
		append(p->ctype, sizeof(p->ctype),
		    "multipart/form-data; boundary=", 30);
		if (*size == 0)
			break;
		n = (*data)[0] & 0x7f;
		quote = ((*data)[0] & 0x80) ? "\"" : "";
		(*data)++, (*size)--;
		if (n > *size)
			n = *size;
		append(p->ctype, sizeof(p->ctype), quote, strlen(quote));
		append(p->ctype, sizeof(p->ctype), *data, n);
		append(p->ctype, sizeof(p->ctype), quote, strlen(quote));
		*data += n, *size -= n;
		break;
	default:
		lf = memchr(*data, '\n', *size);
		n = lf != NULL ? (size_t)(lf - *data) : *size;
		append(p->ctype, sizeof(p->ctype), *data,
		    n > CT_MAX ? CT_MAX : n);
		n += lf != NULL;
		*data += n, *size -= n;
		break;
	}
	if (how & 0x80)
		append(p->ctype, sizeof(p->ctype), "; charset=UTF-8", 15);
}

static void
describe(struct post *p, const uint8_t *data, size_t size)
{
	uint8_t	 how = data[0];

	data++, size--;
	content_type(p, how, &data, &size);
	p->body = data;
	p->len = size;
	switch ((how >> 2) & 7) {
	case 4:
		p->announced = (long long)size + 1;
		break;
	case 5:
		p->announced = (long long)size / 2;
		break;
	case 6:
	case 7:
		p->announced = -1;
		break;
	default:
		p->announced = (long long)size;
		break;
	}
	p->clen[0] = '\0';
	if (((how >> 2) & 7) == 7)
		snprintf(p->clen, sizeof(p->clen), "CONTENT_LENGTH=0x%zx", size);
	else if (p->announced >= 0)
		snprintf(p->clen, sizeof(p->clen), "CONTENT_LENGTH=%lld",
		    p->announced);
	p->fails = ((how >> 2) & 7) == 3;
	p->confirmation = (size & 1) == 0;
	p->lim = (how & 0x20) ? &small : &deflim;
	p->chunk = (how & 0x40) ? 7 : 0;
}

/* The shape of req after pf_request_read_form returned rc. */
static void
check_read(const struct pf_request *req, const struct post *p, int rc)
{
	size_t	 i, j, nlen;

	FUZZ_ASSERT(rc == PF_OK || rc == PF_EMEDIA || rc == PF_ETOOBIG ||
	    rc == PF_ELENGTH || rc == PF_EINVAL || rc == PF_EIO);
	/* A stream that fails before the end fails the request. */
	FUZZ_ASSERT(!p->fails || p->len == 0 || rc != PF_OK);
	if (rc != PF_OK) {
		FUZZ_ASSERT(req->error != NULL && *req->error != '\0');
		FUZZ_ASSERT(pf_utf8_ok(req->error, strlen(req->error), 0));
		FUZZ_ASSERT(req->body == NULL && req->form == NULL &&
		    req->nform == 0);
		return;
	}
	/* Accepted: exactly the announced bytes, and all of them there. */
	FUZZ_ASSERT(p->announced >= 0 && (size_t)p->announced <= p->len);
	FUZZ_ASSERT((size_t)p->announced <= p->lim->max_body);
	FUZZ_ASSERT(req->body != NULL && req->body_len == (size_t)p->announced);
	FUZZ_ASSERT(req->body[req->body_len] == '\0');
	FUZZ_ASSERT(memcmp(req->body, p->body, req->body_len) == 0);
	FUZZ_ASSERT(req->nform <= p->lim->max_fields);
	for (i = 0; i < req->nform; i++) {
		nlen = strlen(req->form[i].name);
		FUZZ_ASSERT(nlen > 0 && nlen <= PF_PARAM_NAME_MAX);
		FUZZ_ASSERT(pf_utf8_ok(req->form[i].name, nlen, 0));
		FUZZ_ASSERT(req->form[i].value[req->form[i].len] == '\0');
		FUZZ_ASSERT(req->form[i].len <= p->lim->max_field_len);
		FUZZ_ASSERT(req->form[i].len <= req->body_len);
		FUZZ_ASSERT(pf_request_field(req, req->form[i].name) ==
		    &req->form[i]);
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(strcmp(req->form[i].name,
			    req->form[j].name) != 0);
	}
}

/* A value normalised by f's validator is its own normal form. */
static void
check_fixed_point(const struct pf_field *f, const char *value)
{
	char	*again = NULL;

	FUZZ_ASSERT(f->valid(value, f->arg, &again) == NULL);
	FUZZ_ASSERT(again != NULL && strcmp(again, value) == 0);
	free(again);
}

/* What each validator promises about the values it lets through. */
static void
check_value(size_t i, const char *v)
{
	const char	*at;
	size_t		 n = strlen(v), k;

	switch (i) {
	case F_CHANNEL:
		FUZZ_ASSERT(strcmp(v, "email") == 0 || strcmp(v, "sms") == 0);
		break;
	case F_EMAIL:
		FUZZ_ASSERT(n >= 3 && n <= 254);
		FUZZ_ASSERT((at = strchr(v, '@')) != NULL &&
		    strchr(at + 1, '@') == NULL);
		for (k = 0; k < n; k++)
			FUZZ_ASSERT(v[k] > ' ' && v[k] < 0x7f);
		for (at++; *at != '\0'; at++)
			FUZZ_ASSERT(*at < 'A' || *at > 'Z');
		break;
	case F_PHONE:
		FUZZ_ASSERT(n >= 2 && n <= 16 && v[0] == '+');
		FUZZ_ASSERT(strspn(v + 1, "0123456789") == n - 1);
		break;
	case F_REASON:
		FUZZ_ASSERT(n > 0 && strchr(" \t\n", v[0]) == NULL &&
		    strchr(" \t\n", v[n - 1]) == NULL);
		break;
	case F_CONFIRM:
		FUZZ_ASSERT(strcmp(v, "yes") == 0);
		break;
	}
	check_fixed_point(&fields[i], v);
}

/*
 * The form as pf_form_validate, and then cross-field rules, left it.  Every
 * error is a sentence that can go into a page; nerrors counts them.
 */
static void
check_form(const struct pf_form *form, const struct pf_request *req)
{
	const struct pf_param	*p;
	const struct pf_value	*v;
	size_t			 i, len;
	int			 nerrors = 0;

	FUZZ_ASSERT(form->n == F__MAX && form->fields == fields);
	for (i = 0; i < form->n; i++) {
		v = &form->v[i];
		p = pf_request_field(req, fields[i].name);
		FUZZ_ASSERT(memchr(v->error, '\0', sizeof(v->error)) != NULL);
		len = strlen(v->error);
		FUZZ_ASSERT(pf_utf8_ok(v->error, len, 0));
		nerrors += len > 0;
		/* A value, or an error, never both; absent is never shown. */
		FUZZ_ASSERT(v->value == NULL || len == 0);
		if (p == NULL)
			FUZZ_ASSERT(v->value == NULL && v->shown == NULL);
		if (p == NULL && fields[i].required)
			FUZZ_ASSERT(len > 0);
		if (v->shown != NULL) {
			FUZZ_ASSERT(p != NULL && strlen(v->shown) <= p->len);
			FUZZ_ASSERT(pf_utf8_ok(v->shown, strlen(v->shown),
			    fields[i].multiline));
		}
		if (v->value != NULL) {
			FUZZ_ASSERT(v->shown != NULL);
			FUZZ_ASSERT(pf_utf8_ok(v->value, strlen(v->value),
			    fields[i].multiline));
			FUZZ_ASSERT(pf_utf8_len(v->value, strlen(v->value)) <=
			    fields[i].maxlen);
			check_value(i, v->value);
		}
	}
	FUZZ_ASSERT(form->nerrors == nerrors);
}

/* Field i was ignored: neither value nor error is left. */
static void
check_ignored(const struct pf_form *form, size_t i)
{
	FUZZ_ASSERT(form->v[i].value == NULL && form->v[i].error[0] == '\0');
}

/*
 * cgi-bin/unsubscribe.c's cross-field rules: without confirmation the
 * confirm field is ignored; the channel picks which of email and phone is
 * needed, and the other is ignored (and so is confirm, for SMS).
 */
static void
check_rules(struct pf_form *form, const struct pf_request *req,
    int confirmation)
{
	const char	*ch = form->v[F_CHANNEL].value;
	size_t		 need, other;

	if (!confirmation) {
		pf_form_ignore(form, F_CONFIRM);
		check_ignored(form, F_CONFIRM);
	}
	if (ch == NULL)
		return;
	need = strcmp(ch, "sms") == 0 ? F_PHONE : F_EMAIL;
	other = need == F_PHONE ? F_EMAIL : F_PHONE;
	pf_form_ignore(form, other);
	check_ignored(form, other);
	if (need == F_PHONE) {
		pf_form_ignore(form, F_CONFIRM);
		check_ignored(form, F_CONFIRM);
	}
	if (form->v[need].value == NULL && form->v[need].error[0] == '\0')
		pf_form_fail(form, need, "Enter the address.");
	FUZZ_ASSERT((form->v[need].value != NULL) !=
	    (form->v[need].error[0] != '\0'));
	/* Twice changes nothing more; out of range is nothing at all. */
	pf_form_ignore(form, other);
	pf_form_ignore(form, F__MAX);
	pf_form_fail(form, F__MAX, "Out of range.");
	check_form(form, req);
}

/* The template, parsed once per process; run from the source tree. */
static struct pf_pages *
pages(void)
{
	static struct pf_pages	*pp;

	if (pp == NULL)
		FUZZ_ASSERT(pf_pages_open("htdocs", "/privacy", &pp) == PF_OK);
	return pp;
}

/*
 * Everything the form shows goes into the page (as served with or without
 * the confirm control), which stays well-formed.
 */
static void
check_fill(const struct pf_form *form, int confirmation)
{
	struct pf_page	*page;
	xmlDocPtr	 doc;
	char		*buf;
	size_t		 len, skip = sizeof(FUZZ_DOCTYPE) - 1;

	FUZZ_ASSERT(pf_page_new(pages(), "unsubscribe", &page) == PF_OK);
	if (!confirmation)
		FUZZ_ASSERT(pf_page_remove(page, "confirm-group") == PF_OK);
	FUZZ_ASSERT(pf_form_fill(form, page) == PF_OK);
	FUZZ_ASSERT(pf_page_render(page, &buf, &len) == PF_OK);
	FUZZ_ASSERT(len > skip && memcmp(buf, FUZZ_DOCTYPE, skip) == 0);
	doc = xmlReadMemory(buf + skip, (int)(len - skip), NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	FUZZ_ASSERT(doc != NULL);
	xmlFreeDoc(doc);
	free(buf);
	pf_page_free(page);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct post		 p;
	struct pf_test_mem		 m;
	struct pf_request	 req;
	struct pf_form		 form;
	char			 method[] = "REQUEST_METHOD=POST";
	char			 ct[sizeof("CONTENT_TYPE=") + sizeof(p.ctype)];
	char			*envp[4];
	size_t			 n = 0;
	int			 rc;

	if (size == 0)
		return 0;
	describe(&p, data, size);
	snprintf(ct, sizeof(ct), "CONTENT_TYPE=%s", p.ctype);
	envp[n++] = method;
	envp[n++] = ct;
	if (p.clen[0] != '\0')
		envp[n++] = p.clen;
	envp[n] = NULL;
	m = (struct pf_test_mem){ .buf = p.body, .len = p.len,
	    .chunk = p.chunk, .fails = p.fails, .fail_at = p.len / 2 };
	FUZZ_ASSERT(pf_request_init(&req, envp, (struct pf_stream){ pf_test_mem_read,
	    pf_test_mem_write, &m }, p.lim) == PF_OK);
	rc = pf_request_read_form(&req);
	check_read(&req, &p, rc);
	/* Never more than announced is read. */
	FUZZ_ASSERT(p.announced < 0 || m.pos <= (size_t)p.announced);
	if (rc == PF_OK) {
		/* A second call is a no-op. */
		FUZZ_ASSERT(pf_request_read_form(&req) == PF_OK);
		FUZZ_ASSERT(pf_form_validate(fields, F__MAX, &req, &form) ==
		    PF_OK);
		check_form(&form, &req);
		check_rules(&form, &req, p.confirmation);
		check_fill(&form, p.confirmation);
		pf_form_free(&form);
	}
	pf_request_free(&req);
	return 0;
}
