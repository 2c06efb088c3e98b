/*
 * audit.c -- the XML audit trail: build a record, digest it, append it.
 *
 * Records are built only through libxml2's tree API, so every value is
 * escaped by the serialiser; each string is first checked with pf_utf8_ok,
 * because libxml2 2.9.14 writes control bytes and invalid UTF-8 raw and
 * still reports success (ARCHITECTURE.md, library defects).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "audit.h"
#include "audit_events.h"
#include "audit_impl.h"
#include "err.h"
#include "keys.h"
#include "log.h"
#include "store.h"
#include "utc.h"
#include "utf8.h"

/* ---- checking the input ---- */

static int
text_ok(const char *s, int multiline)
{
	return s != NULL && pf_utf8_ok(s, strlen(s), multiline);
}

/* The schema's token pattern: [a-z][a-z0-9-]* */
static int
token_ok(const char *s)
{
	if (s == NULL || *s < 'a' || *s > 'z')
		return 0;
	for (s++; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-'))
			return 0;
	return 1;
}

/* Exactly n lower-case hex digits. */
static int
hex_ok(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == '\0';
}

/*
 * Refuse what would make a record that is not well-formed or not valid:
 * text that is not XML-safe UTF-8, names or ids outside the schema, and
 * an event, detail or value the table of events does not allow (said in
 * the log: a caller's mistake, so a test finds it).
 */
static int
event_ok(const struct pf_audit_event *ev)
{
	const char *const	*d;
	char			 why[PF_AUDIT_WHY_SIZE];

	if (!text_ok(ev->event, 0) || !token_ok(ev->event) ||
	    !text_ok(ev->form, 0) || !token_ok(ev->form))
		return 0;
	if (ev->request_id != NULL &&
	    (!text_ok(ev->request_id, 0) || !hex_ok(ev->request_id, 32)))
		return 0;
	if (ev->subject != NULL &&
	    (!text_ok(ev->subject, 0) || !hex_ok(ev->subject, 64)))
		return 0;
	for (d = ev->details; d != NULL && d[0] != NULL; d += 2)
		if (!text_ok(d[0], 0) || !token_ok(d[0]) || !text_ok(d[1], 1))
			return 0;
	if (pf_audit_event_fits(ev, why) != PF_OK) {
		pf_log(PF_LOG_ERR, "audit: record refused: %s", why);
		return 0;
	}
	return 1;
}

/* ---- building and digesting ---- */

static int
add_text(xmlNodePtr parent, const char *name, const char *text,
    xmlNodePtr *out)
{
	xmlNodePtr	 n;

	/*
	 * xmlNewTextChild escapes text; xmlNewChild would not
	 * (ARCHITECTURE.md, library defects).
	 */
	n = xmlNewTextChild(parent, parent->ns, BAD_CAST name, BAD_CAST text);
	if (n == NULL)
		return PF_ENOMEM;
	if (out != NULL)
		*out = n;
	return PF_OK;
}

/* <detail name="name">value</detail> under root. */
static int
add_detail(xmlNodePtr root, const char *name, const char *value)
{
	xmlNodePtr	 n;
	int		 err;

	if ((err = add_text(root, "detail", value, &n)) != PF_OK)
		return err;
	if (xmlNewProp(n, BAD_CAST "name", BAD_CAST name) == NULL)
		return PF_ENOMEM;
	return PF_OK;
}

/* The record for ev without its <digest>; the caller frees *out. */
static int
record_build(const struct pf_audit_event *ev, long long seq, const char *time,
    const char *prev, xmlDocPtr *out)
{
	const char *const	*d;
	xmlDocPtr		 doc;
	xmlNodePtr		 root;
	char			 num[24];
	int			 err = PF_ENOMEM;

	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
		return PF_ENOMEM;
	if ((root = xmlNewNode(NULL, BAD_CAST "record")) == NULL)
		goto fail;
	xmlDocSetRootElement(doc, root);
	if ((root->ns = xmlNewNs(root, BAD_CAST PF_AUDIT_NS, NULL)) == NULL ||
	    xmlNewProp(root, BAD_CAST "version", BAD_CAST "1") == NULL)
		goto fail;
	snprintf(num, sizeof(num), "%lld", seq);
	if ((err = add_text(root, "seq", num, NULL)) != PF_OK ||
	    (err = add_text(root, "time", time, NULL)) != PF_OK ||
	    (err = add_text(root, "event", ev->event, NULL)) != PF_OK ||
	    (err = add_text(root, "form", ev->form, NULL)) != PF_OK)
		goto fail;
	if (ev->request_id != NULL &&
	    (err = add_text(root, "request", ev->request_id, NULL)) != PF_OK)
		goto fail;
	if (ev->subject != NULL &&
	    (err = add_text(root, "subject", ev->subject, NULL)) != PF_OK)
		goto fail;
	for (d = ev->details; d != NULL && d[0] != NULL; d += 2)
		if ((err = add_detail(root, d[0], d[1])) != PF_OK)
			goto fail;
	if ((err = add_text(root, "prev", prev, NULL)) != PF_OK)
		goto fail;
	*out = doc;
	return PF_OK;
fail:
	xmlFreeDoc(doc);
	return err;
}

/* doc's canonical form (C14N 1.0, no comments): *buf (xmlFree) of *len. */
static int
doc_c14n(xmlDocPtr doc, xmlChar **buf, size_t *len)
{
	int	 n;

	*buf = NULL;
	n = xmlC14NDocDumpMemory(doc, NULL, XML_C14N_1_0, NULL, 0, buf);
	if (n < 0 || *buf == NULL) {
		xmlFree(*buf);
		*buf = NULL;
		return PF_EXML;
	}
	*len = (size_t)n;
	return PF_OK;
}

/* Hex SHA-256 of doc's canonical form. */
static int
doc_digest(xmlDocPtr doc, char out[65])
{
	xmlChar	*buf;
	size_t	 len;
	int	 err;

	if ((err = doc_c14n(doc, &buf, &len)) != PF_OK)
		return err;
	err = pf_sha256_hex(buf, len, out);
	xmlFree(buf);
	return err;
}

int
audit_is(xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrEqual(n->ns->href, BAD_CAST PF_AUDIT_NS) &&
	    xmlStrEqual(n->name, BAD_CAST name);
}

/* Remove a parsed record's <digest> and digest what is left. */
int
audit_unseal_digest(xmlDocPtr doc, char out[65])
{
	xmlNodePtr	 root, d;

	root = xmlDocGetRootElement(doc);
	if (!audit_is(root, "record"))
		return PF_EXML;
	d = xmlLastElementChild(root);
	if (!audit_is(d, "digest"))
		return PF_EXML;
	xmlUnlinkNode(d);
	xmlFreeNode(d);
	return doc_digest(doc, out);
}

int
pf_audit_digest(const char *xml, size_t len, char out[65])
{
	xmlDocPtr	 doc;
	int		 err;

	if (len > INT_MAX)
		return PF_ETOOBIG;
	if ((doc = xmlReadMemory(xml, (int)len, NULL, NULL, PARSE_OPTS)) == NULL)
		return PF_EXML;
	err = audit_unseal_digest(doc, out);
	xmlFreeDoc(doc);
	return err;
}

#define XML_DECL	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define RECORD_END	"</record>"

/* Copy n bytes of s to p; past them. */
static char *
put(char *p, const void *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/*
 * The file's text: the declaration, the canonical record (c14n, body
 * bytes before its end tag) with <digest> added, a newline.  The digest
 * is hex digits: nothing to escape.
 */
static int
record_text(const xmlChar *c14n, size_t body, struct pf_audit_record *rec)
{
	static const char	 decl[] = XML_DECL, open[] = "<digest>",
				 end[] = "</digest>" RECORD_END "\n";
	char			*p;

	rec->xml_len = sizeof(decl) - 1 + body + sizeof(open) - 1 +
	    PF_HEX_DIGEST_LEN + sizeof(end) - 1;
	if ((rec->xml = p = malloc(rec->xml_len + 1)) == NULL)
		return PF_ENOMEM;
	p = put(p, decl, sizeof(decl) - 1);
	p = put(p, c14n, body);
	p = put(p, open, sizeof(open) - 1);
	p = put(p, rec->digest, PF_HEX_DIGEST_LEN);
	memcpy(p, end, sizeof(end));
	return PF_OK;
}

/*
 * Seal the record: digest its canonical form and make the file's text
 * from that form (record_text), so a record is serialised once, not
 * twice.  The file is canonical XML plus its digest element (an empty
 * element written <x></x>, attributes in canonical order): canonicalised
 * again after the digest is taken out, as AUDIT.md's procedure and
 * `audit verify` do, it gives the digested bytes (test_audit's exact
 * record and escaping tests).
 */
int
audit_record_seal(xmlDocPtr doc, struct pf_audit_record *rec)
{
	static const char	 end[] = RECORD_END;
	xmlChar			*c14n;
	size_t			 len;
	int			 err;

	if ((err = doc_c14n(doc, &c14n, &len)) != PF_OK)
		return err;
	if (len < sizeof(end) - 1 ||
	    memcmp(c14n + len - (sizeof(end) - 1), end, sizeof(end) - 1) != 0)
		err = PF_EXML;
	else if ((err = pf_sha256_hex(c14n, len, rec->digest)) == PF_OK)
		err = record_text(c14n, len - (sizeof(end) - 1), rec);
	xmlFree(c14n);
	return err;
}

/*
 * PostgreSQL: the record without its place in the chain (seq 0, prev of
 * zeros), stored as pending; pf_audit_seal gives it the place after the
 * commit (audit_seal.c), parsing it and canonicalising the result.  So the
 * body is libxml2's plain serialisation, not its canonical form (which
 * nothing digests, and which costs nearly twice as much: 54,000
 * instructions to 31,000).
 */
static int
append_pending(struct pf_store *st, const struct pf_audit_event *ev,
    struct pf_audit_record *rec)
{
	struct pf_audit_pending	 p;
	xmlDocPtr		 doc;
	xmlChar			*body = NULL;
	int			 err, n = 0;

	pf_utc_now(rec->time);
	if ((err = record_build(ev, 0, rec->time, ZERO_DIGEST, &doc)) != PF_OK)
		return err;
	xmlDocDumpMemory(doc, &body, &n);
	xmlFreeDoc(doc);
	if (body == NULL || n <= 0) {
		xmlFree(body);
		return PF_EXML;
	}
	p.body_len = (size_t)n;
	p.time = rec->time;
	p.event = ev->event;
	p.form = ev->form;
	p.body = body;
	err = pf_store_audit_pending_put(st, &p, &rec->pending);
	xmlFree(body);
	return err;
}

int
pf_audit_append(struct pf_store *st, const struct pf_audit_event *ev,
    struct pf_audit_record *rec)
{
	struct pf_audit_row	 row;
	xmlDocPtr		 doc = NULL;
	char			 prev[65];
	int			 err;

	memset(rec, 0, sizeof(*rec));
	if (!event_ok(ev))
		return PF_EINVAL;
	if (pf_store_audit_seals(st))
		return append_pending(st, ev, rec);
	if ((err = pf_store_audit_next(st, &rec->seq, prev)) != PF_OK)
		return err;
	if (rec->seq >= SEQ_MAX)
		return PF_ETOOBIG;
	rec->seq++;
	pf_utc_now(rec->time);
	if ((err = record_build(ev, rec->seq, rec->time, prev, &doc)) != PF_OK ||
	    (err = audit_record_seal(doc, rec)) != PF_OK)
		goto fail;
	row.seq = rec->seq;
	row.time = rec->time;
	row.event = ev->event;
	row.form = ev->form;
	row.prev = prev;
	row.digest = rec->digest;
	row.xml = rec->xml;
	row.xml_len = rec->xml_len;
	if ((err = pf_store_audit_put(st, &row)) != PF_OK)
		goto fail;
	xmlFreeDoc(doc);
	return PF_OK;
fail:
	xmlFreeDoc(doc);
	pf_audit_record_clear(rec);
	return err;
}

void
pf_audit_record_clear(struct pf_audit_record *rec)
{
	if (rec == NULL)
		return;
	free(rec->xml);
	memset(rec, 0, sizeof(*rec));
}
