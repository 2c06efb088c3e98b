/*
 * cmd_consent.c -- privforms consent export: the consent records (store.h,
 * 009-consent.sql) as the evidence of each cookie consent decision, for an
 * auditor, a regulator or a consent platform.
 *
 * A record names a browser only by its pseudonymous device id, but that id
 * is personal data (it singles a browser out), so an export is a bulk read
 * of personal data and is recorded as one (cli_buffered_read) before
 * anything is written.  Two formats: XML against etc/consent-export.xsd,
 * and JSON-LD in the W3C Data Privacy Vocabulary (DPV), whose mapping of
 * each field to a term privforms(8) gives and jsonld_record below follows.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "err.h"
#include "nitems.h"
#include "store.h"
#include "xmlw.h"

#define CONSENT_NS	"urn:privforms:consent:1"

static int	cmd_export(struct ctx *, const struct cli_args *);

/* What --help prints; privforms(8) says the same at more length. */
const struct cmd cmds_consent[] = {
	{ "consent export", cmd_export, &cli_export_spec,
	  "[--since DATE] [--format xml|jsonld]",
	  "Write every consent record on standard output, oldest first, or\n"
	  "with --since YYYY-MM-DD only those made on or after that UTC day:\n"
	  "its id, the device id of the browser's pf_consent cookie, the\n"
	  "notice version and language, the categories allowed and refused,\n"
	  "the action (given, refused, changed, withdrawn), the method (page,\n"
	  "dialog, gpc), whether a Global Privacy Control signal came with\n"
	  "it, the jurisdiction and the time (UTC).  XML (the default;\n"
	  "namespace " CONSENT_NS ", etc/consent-export.xsd) or JSON-LD in\n"
	  "the W3C Data Privacy Vocabulary (https://w3id.org/dpv#).  The\n"
	  "device id is personal data: the export is recorded as a\n"
	  "personal-data-read (what consent-export) before it is written." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/*
 * What an export is asked for and what it has written: rows counts the
 * records in either format, and says what an XML one holds (cli.h).
 */
struct export {
	struct cli_rows	 rows;
	int		(*write)(struct ctx *, FILE *, struct export *);
	json_object	*graph;		/* JSON-LD: the records */
};

/* ---- XML ---- */

/*
 * A record's columns in the schema's order: gpc as 0 or 1 (an xs:boolean),
 * no jurisdiction element when none was set.
 */
static const struct pf_xmlw_field record_fields[] = {
	PF_XMLW_FIELD(struct pf_consent_record, id, "id"),
	PF_XMLW_FIELD(struct pf_consent_record, device, "device"),
	PF_XMLW_FIELD(struct pf_consent_record, notice, "notice"),
	PF_XMLW_FIELD(struct pf_consent_record, language, "language"),
	PF_XMLW_FIELD(struct pf_consent_record, allowed, "allowed"),
	PF_XMLW_FIELD(struct pf_consent_record, refused, "refused"),
	PF_XMLW_FIELD(struct pf_consent_record, action, "action"),
	PF_XMLW_FIELD(struct pf_consent_record, method, "method"),
	PF_XMLW_FIELD(struct pf_consent_record, gpc, "gpc"),
	PF_XMLW_FIELD(struct pf_consent_record, jurisdiction, "jurisdiction"),
	PF_XMLW_FIELD(struct pf_consent_record, created, "time"),
};

static int
xml_record(const struct pf_consent_record *r, void *arg)
{
	return cli_rows_put(arg, r);
}

static int
write_xml(struct ctx *c, FILE *f, struct export *x)
{
	int	 rc;

	if ((rc = cli_rows_begin(f, &x->rows)) == PF_OK)
		rc = pf_store_consent_each(c->st, x->rows.since, xml_record,
		    &x->rows);
	return cli_rows_end(&x->rows, rc);
}

/* ---- JSON-LD ---- */

/*
 * The prefixes the export uses: DPV for every term it has, Dublin Core for
 * the identifier and the language, DPV's locations for the jurisdiction,
 * and privforms's own namespace for what DPV has no term for.
 */
static const char *const context[][2] = {
	{ "dpv", "https://w3id.org/dpv#" },
	{ "dct", "http://purl.org/dc/terms/" },
	{ "loc", "https://w3id.org/dpv/loc#" },
	{ "xsd", "http://www.w3.org/2001/XMLSchema#" },
	{ "pf", CONSENT_NS "#" },
};

/* The record's action as DPV's consent status (privforms(8) says why). */
static const char *const status[][2] = {
	{ "given", "dpv:ConsentGiven" },
	{ "refused", "dpv:ConsentRefused" },
	{ "changed", "dpv:ConsentGiven" },
	{ "withdrawn", "dpv:ConsentWithdrawn" },
};

static json_object *
status_of(const char *action)
{
	size_t	 i;

	for (i = 0; i < nitems(status); i++)
		if (strcmp(action, status[i][0]) == 0)
			return json_object_new_string(status[i][1]);
	return NULL;	/* the table's CHECK allows no other */
}

/* {"@id": prefix value, "@type": type}: a node named by a value. */
static json_object *
node(const char *prefix, const char *value, const char *type)
{
	json_object	*o = json_object_new_object();
	char		 id[128];

	snprintf(id, sizeof(id), "%s%s", prefix, value);
	json_object_object_add(o, "@id", json_object_new_string(id));
	if (type != NULL)
		json_object_object_add(o, "@type",
		    json_object_new_string(type));
	return o;
}

/* The space-separated category ids of s as an array of "pf:category-ID". */
static json_object *
categories(const char *s)
{
	json_object	*a = json_object_new_array();
	char		 id[80];
	size_t		 n;

	while (*s != '\0') {
		n = strcspn(s, " ");
		snprintf(id, sizeof(id), "pf:category-%.*s", (int)n, s);
		json_object_array_add(a, json_object_new_string(id));
		s += n + (s[n] == ' ');
	}
	return a;
}

/* A typed literal {"@value": v, "@type": type}. */
static json_object *
literal(const char *v, const char *type)
{
	json_object	*o = json_object_new_object();

	json_object_object_add(o, "@value", json_object_new_string(v));
	json_object_object_add(o, "@type", json_object_new_string(type));
	return o;
}

static void
add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

/* One record as a dpv:ConsentRecord (the mapping is privforms(8)'s). */
static int
jsonld_record(const struct pf_consent_record *r, void *arg)
{
	struct export	*x = arg;
	json_object	*o = json_object_new_object(), *notice;
	char		 id[32], iri[48];

	snprintf(id, sizeof(id), "%lld", r->id);
	snprintf(iri, sizeof(iri), "pf:record-%s", id);
	add(o, "@id", json_object_new_string(iri));
	add(o, "@type", json_object_new_string("dpv:ConsentRecord"));
	add(o, "dct:identifier", json_object_new_string(id));
	add(o, "dpv:hasDataSubject", node("pf:device-", r->device,
	    "dpv:DataSubject"));
	notice = node("pf:notice-", r->notice, "dpv:Notice");
	add(notice, "dct:language", json_object_new_string(r->language));
	add(o, "dpv:hasNotice", notice);
	add(o, "dpv:hasConsentStatus", status_of(r->action));
	add(o, "dpv:hasPurpose", categories(r->allowed));
	add(o, "pf:refused", categories(r->refused));
	add(o, "pf:action", json_object_new_string(r->action));
	add(o, "dpv:hasIndicationMethod", json_object_new_string(r->method));
	add(o, "pf:gpc", json_object_new_boolean(r->gpc));
	if (r->jurisdiction != NULL)
		add(o, "dpv:hasJurisdiction", node("loc:", r->jurisdiction,
		    NULL));
	add(o, "dpv:isIndicatedAtTime", literal(r->created, "xsd:dateTime"));
	json_object_array_add(x->graph, o);
	x->rows.n++;
	return 0;
}

/*
 * The JSON-LD export, in one read of the store: one object whose @context
 * names the prefixes and whose @graph holds one dpv:ConsentRecord a record.
 */
static int
write_jsonld(struct ctx *c, FILE *f, struct export *x)
{
	json_object	*doc = json_object_new_object(), *ctx, *graph;
	const char	*text;
	size_t		 i;
	int		 rc;

	ctx = json_object_new_object();
	for (i = 0; i < nitems(context); i++)
		add(ctx, context[i][0], json_object_new_string(context[i][1]));
	add(doc, "@context", ctx);
	graph = json_object_new_array();
	add(doc, "@graph", graph);
	x->graph = graph;
	rc = pf_store_consent_each(c->st, x->rows.since, jsonld_record, x);
	if (rc == PF_OK) {
		text = json_object_to_json_string_ext(doc,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
		rc = text != NULL && fprintf(f, "%s\n", text) >= 0 ?
		    PF_OK : PF_ENOMEM;
	}
	json_object_put(doc);
	return rc;
}

/* ---- the command ---- */

/*
 * The chosen format's writer (cli_buffered_read's fill) in one read of the
 * store, so that a record made meanwhile is either whole in it or not.
 */
static int
fill(struct ctx *c, FILE *f, void *arg)
{
	struct export	*x = arg;
	int		 rc;

	if ((rc = pf_store_begin_read(c->st)) != PF_OK)
		return rc;
	rc = x->write(c, f, x);
	pf_store_rollback(c->st);
	return rc;
}

/* --format's names and writers; [0] is the default. */
static const struct {
	const char	*name;
	int		(*write)(struct ctx *, FILE *, struct export *);
} formats[] = {
	{ "xml", write_xml },
	{ "jsonld", write_jsonld },
};

static int
cmd_export(struct ctx *c, const struct cli_args *a)
{
	struct export	 x = { .rows = { .fields = record_fields,
	    .nfields = nitems(record_fields), .xml = 1,
	    .root = "consent-records", .ns = CONSENT_NS, .element = "record",
	    .since = a->opt[CLI_EXPORT_SINCE] } };
	size_t		 i;
	int		 rc;

	if ((rc = cli_export_args("consent export", a, formats,
	    nitems(formats), sizeof(formats[0]), &i)) != 0)
		return rc;
	if (cli_open_store(c) != 0)
		return 1;
	x.write = formats[i].write;
	return cli_buffered_read("consent export", fill, c, &x,
	    &x.rows.n) != 0;
}
