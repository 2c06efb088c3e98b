/*
 * cmd_feedback.c -- privforms feedback report and feedback list: what the
 * team reads of the site feedback and the article votes (feedback.h).
 *
 * The report's figures are feedback.h's (CSAT and NPS are defined there,
 * once), read in one snapshot (pf_store_begin_read): a visitor finishing
 * step 2 meanwhile cannot make the counts by type disagree with the
 * ratings.  Every percentage, CSAT and NPS included, is worked here from
 * the counts in integers (percent_signed), not printed from feedback.h's
 * doubles, so it agrees with the same figure worked by hand.  Dates are UTC days and both ends are inclusive; the store
 * compares stored times as text, so --until becomes the next day,
 * exclusive.  Everything is written to memory first (cli_buffered), so a
 * slow pager never holds the database's shared lock.
 *
 * The list is the team's view and shows what visitors wrote, email
 * addresses included: the team answers them.  Stored values passed the
 * form's checks, but a row can come from elsewhere (a restored backup, a
 * hand edit), so a value is printed only if pf_utf8_ok accepts it: no
 * escape sequence ever reaches the team's terminal.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv.h"
#include "err.h"
#include "feedback.h"
#include "nitems.h"
#include "store.h"
#include "utc.h"
#include "utf8.h"
#include "validate.h"
#include "xmlw.h"

#define REPORT_NS	"urn:privforms:feedback-report:1"
#define BAR_WIDTH	40	/* '#'s of a bar at 100% */
#define LIST_LIMIT	20	/* feedback list without --limit */
#define PCT_SIZE	16	/* "-100.0" and room */
#define NOT_SHOWN	"(not shown: not valid text)"

static int	cmd_report(struct ctx *, const struct cli_args *);
static int	cmd_list(struct ctx *, const struct cli_args *);

enum { L_TYPE = CLI_FORMAT, L_LIMIT, L_ARTICLES };	/* feedback list */

static const struct cli_spec list_spec = { .opt = {
	[CLI_SINCE] = { "--since", CLI_VALUE },
	[CLI_UNTIL] = { "--until", CLI_VALUE },
	[L_TYPE] = { "--type", CLI_VALUE },
	[L_LIMIT] = { "--limit", CLI_VALUE },
	[L_ARTICLES] = { "--articles", 0 },
} };

const struct cmd cmds_feedback[] = {
	{ "feedback report", cmd_report, &cli_report_spec,
	  "[--since DATE] [--until DATE] [--format text|csv|xml]",
	  "The figures of the site feedback and the article votes received\n"
	  "from --since to --until (UTC days YYYY-MM-DD, both included; by\n"
	  "default all): how many entries and how many sent step 2, the\n"
	  "count of each type, the rating distribution with a bar chart\n"
	  "(40 '#' are 100%), CSAT (the share of entries rated great or\n"
	  "amazing), the \"how likely ... recommend\" answers as promoters\n"
	  "(9-10), passives (7-8) and detractors (0-6), NPS (percent\n"
	  "promoters minus percent detractors, -100 to +100) with the\n"
	  "number of answers, and per article the votes and the share that\n"
	  "found it helpful.  Percentages have one decimal; n/a (empty in\n"
	  "CSV, absent in XML) when there is nothing to take a share of.\n"
	  "Text (the default); CSV (RFC 4180) with one row per figure:\n"
	  "section,item,count,total,percent; or XML (namespace\n"
	  REPORT_NS ", etc/feedback-report.xsd).  Nothing\n"
	  "personal is shown: no message, no address." },
	{ "feedback list", cmd_list, &list_spec,
	  "[--since DATE] [--until DATE] [--type TYPE] [--limit N] [--articles]",
	  "The latest site feedback, newest first (at most --limit, by\n"
	  "default 20): number, time received (UTC), type, rating, the\n"
	  "recommend answer (- if none), whether step 2 was sent, the email\n"
	  "address the visitor left to be answered at (- if none), and the\n"
	  "message below, indented.  Personal data: do not paste it into\n"
	  "tickets.  --since and --until are UTC days YYYY-MM-DD, both\n"
	  "included; --type lists one type: compliment, question,\n"
	  "product-inquiry, website-issue or complaint.  --articles lists the\n"
	  "article votes instead: number, time, article, helpful (yes or\n"
	  "no) and the comment below.  A value that is not valid text (a row\n"
	  "not written by the form) is not printed." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ---- what both commands print ---- */

/* s if it is text a terminal or XML may show, else NOT_SHOWN. */
static const char *
shown(const char *s, int multiline)
{
	return pf_utf8_ok(s, strlen(s), multiline) ? s : NOT_SHOWN;
}

/*
 * 100 * n / total with one decimal, or none when total is 0; sign goes
 * before a positive figure.  Worked in integers from the counts and
 * rounded half away from zero, as a figure is worked by hand: printf's
 * "%.1f" of the double would round a tie to even in binary (1 of 16,
 * 6.25, as "6.2").  Zero, even from a negative n, has no sign.  |n| is
 * at most total, a count of rows far below LLONG_MAX / 2000, so tenths
 * is at most 1000.
 */
static const char *
percent_signed(char buf[PCT_SIZE], long long n, long long total,
    const char *sign, const char *none)
{
	long long	 tenths;

	if (pf_feedback_tenths(n, total, &tenths) != PF_OK)
		return none;
	if (tenths < 0)
		sign = "-", tenths = -tenths;
	else if (tenths == 0)
		sign = "";
	/* A share is at most 100% (1000 tenths) and at least -100%. */
	snprintf(buf, PCT_SIZE, "%s%d.%d", sign, (int)(tenths / 10 % 10000),
	    (int)(tenths % 10));
	return buf;
}

/* percent_signed() of a share, never negative: no sign. */
static const char *
percent(char buf[PCT_SIZE], long long n, long long total, const char *none)
{
	return percent_signed(buf, n, total, "", none);
}

/* percent() with a "%" sign, or "n/a", for text. */
static const char *
percent_text(char buf[PCT_SIZE], long long n, long long total)
{
	if (percent(buf, n, total, NULL) == NULL)
		return "n/a";
	return strcat(buf, "%");
}

/*
 * NPS, percent promoters minus percent detractors, as one share of the
 * answers (sign: "+" before a positive score), or none without answers.
 */
static const char *
nps_score(char buf[PCT_SIZE], const struct pf_feedback_nps *n,
    const char *sign, const char *none)
{
	return percent_signed(buf, n->promoters - n->detractors, n->answers,
	    sign, none);
}

/* ---- feedback report: the figures ---- */

struct article {
	char		*id;
	long long	 votes;
	long long	 helpful;
};

struct report {
	const struct cli_period		*p;
	struct pf_feedback_stats	 s;
	struct pf_feedback_nps		 nps;
	struct article			*a;
	size_t				 na;
	char				 generated[PF_TIME_SIZE];
};

static void
report_free(void *arg)
{
	struct report	*r = arg;

	while (r->na > 0)
		free(r->a[--r->na].id);
	free(r->a);
	r->a = NULL;
}

static int
article_add(const char *article, long long votes, long long helpful,
    void *arg)
{
	struct report	*r = arg;
	struct article	*v;

	if ((v = reallocarray(r->a, r->na + 1, sizeof(*v))) == NULL)
		return PF_ENOMEM;
	r->a = v;
	if ((v[r->na].id = strdup(article)) == NULL)
		return PF_ENOMEM;
	v[r->na].votes = votes;
	v[r->na++].helpful = helpful;
	return PF_OK;
}

/* Every figure of period p, from one snapshot. */
static int
report_read(struct ctx *c, const struct cli_period *p, void *arg)
{
	struct report		*r = arg;
	struct pf_feedback_filter f = { p->since, p->end, NULL, NULL, 0 };
	int			 rc;

	r->p = p;
	memset(&r->s, 0, sizeof(r->s));
	if ((rc = pf_store_begin_read(c->st)) != PF_OK)
		return rc;
	if ((rc = pf_store_feedback_tally(c->st, &f, pf_feedback_tally,
	    &r->s)) == PF_OK)
		rc = pf_store_vote_tally(c->st, &f, article_add, r);
	pf_store_rollback(c->st);
	if (rc != PF_OK)
		return rc;
	pf_feedback_nps(&r->s, &r->nps);
	pf_utc_now(r->generated);
	return PF_OK;
}

/* The ratings best first: [0] amazing (5) ... [4] terrible (1). */
static int
best(int i)
{
	return PF_FEEDBACK_NRATINGS - 1 - i;
}

/* The '#'s of count out of total: BAR_WIDTH at 100%, rounded. */
static long long
bar(long long count, long long total)
{
	if (total <= 0)
		return 0;
	return (count * BAR_WIDTH * 2 + total) / (total * 2);
}

/* The three groups of the recommend answers, in the order shown. */
static const struct group {
	const char	*code;		/* CSV item and XML element */
	const char	*label;
	size_t		 off;		/* of the count in pf_feedback_nps */
} groups[] = {
	{ "promoters", "Promoters (9-10)",
	  offsetof(struct pf_feedback_nps, promoters) },
	{ "passives", "Passives (7-8)",
	  offsetof(struct pf_feedback_nps, passives) },
	{ "detractors", "Detractors (0-6)",
	  offsetof(struct pf_feedback_nps, detractors) },
};

#define NGROUPS	nitems(groups)

static long long
group_count(const struct pf_feedback_nps *n, const struct group *g)
{
	return *(const long long *)(const void *)((const char *)n + g->off);
}

/* ---- feedback report as text ---- */

static void
text_entries(FILE *f, const struct pf_feedback_stats *s)
{
	char	 b[PCT_SIZE];
	int	 i;

	fprintf(f, "Entries: %lld (step 2 sent: %lld, %s)\n\n", s->entries,
	    s->completed, percent_text(b, s->completed, s->entries));
	fprintf(f, "%-20s %7s %8s\n", "Type", "Count", "Percent");
	for (i = 0; i < PF_FEEDBACK_NTYPES; i++)
		fprintf(f, "%-20s %7lld %8s\n", pf_feedback_types[2 * i + 1],
		    s->type[i], percent_text(b, s->type[i], s->entries));
	fputc('\n', f);
}

static void
text_ratings(FILE *f, const struct pf_feedback_stats *s)
{
	char		 b[PCT_SIZE];
	long long	 n, k;
	int		 i, r;

	fprintf(f, "%-20s %7s %8s  (%d '#' = 100%%)\n", "Rating", "Count",
	    "Percent", BAR_WIDTH);
	for (i = 0; i < PF_FEEDBACK_NRATINGS; i++) {
		r = best(i);
		n = s->rating[r];
		fprintf(f, "%-20s %7lld %8s", pf_feedback_ratings[2 * r + 1],
		    n, percent_text(b, n, s->entries));
		if ((k = bar(n, s->entries)) > 0)
			fputs("  ", f);
		for (; k > 0; k--)
			fputc('#', f);
		fputc('\n', f);
	}
	fputc('\n', f);
}

static void
text_csat(FILE *f, const struct report *r)
{
	char	 b[PCT_SIZE];

	fprintf(f, "CSAT: %s (great or amazing: %lld of %lld %s)\n\n",
	    percent_text(b, pf_feedback_satisfied(&r->s), r->s.entries),
	    pf_feedback_satisfied(&r->s),
	    r->s.entries, r->s.entries == 1 ? "entry" : "entries");
}

static void
text_nps(FILE *f, const struct pf_feedback_nps *n)
{
	char		 b[PCT_SIZE];
	const struct group *g;

	fprintf(f, "%-20s %7s %8s\n", "Recommend", "Count", "Percent");
	for (g = groups; g < groups + NGROUPS; g++)
		fprintf(f, "%-20s %7lld %8s\n", g->label, group_count(n, g),
		    percent_text(b, group_count(n, g), n->answers));
	fprintf(f, "\nNPS: %s (%lld %s)\n\n",
	    nps_score(b, n, "+", "n/a"), n->answers,
	    n->answers == 1 ? "answer" : "answers");
}

static void
text_articles(FILE *f, const struct report *r)
{
	char	 b[PCT_SIZE];
	size_t	 i;

	if (r->na == 0) {
		fprintf(f, "Articles: no votes\n");
		return;
	}
	fprintf(f, "%-32s %7s %8s %8s\n", "Article", "Votes", "Helpful",
	    "Share");
	for (i = 0; i < r->na; i++)
		fprintf(f, "%-32s %7lld %8lld %8s\n", shown(r->a[i].id, 0),
		    r->a[i].votes, r->a[i].helpful,
		    percent_text(b, r->a[i].helpful, r->a[i].votes));
}

static int
text_write(FILE *f, void *arg)
{
	const struct report	*r = arg;

	cli_period_text(f, "Site feedback report", r->p);
	text_entries(f, &r->s);
	text_ratings(f, &r->s);
	text_csat(f, r);
	text_nps(f, &r->nps);
	text_articles(f, r);
	return PF_OK;
}

/* ---- feedback report as CSV ---- */

/* One row; count < 0 is an empty field. */
static void
csv_row(FILE *f, const char *section, const char *item, long long count,
    long long total, const char *pct)
{
	char		 n[24] = "", t[24];
	const char	*v[] = { section, item, n, t, pct };

	if (count >= 0)
		snprintf(n, sizeof(n), "%lld", count);
	snprintf(t, sizeof(t), "%lld", total);
	pf_csv_row(f, v, nitems(v), PF_CSV_SHEET);
}

static void
csv_entries(FILE *f, const struct pf_feedback_stats *s)
{
	char	 b[PCT_SIZE];
	int	 i, r;

	csv_row(f, "entries", "completed", s->completed, s->entries,
	    percent(b, s->completed, s->entries, ""));
	for (i = 0; i < PF_FEEDBACK_NTYPES; i++)
		csv_row(f, "type", pf_feedback_types[2 * i], s->type[i],
		    s->entries, percent(b, s->type[i], s->entries, ""));
	for (i = 0; i < PF_FEEDBACK_NRATINGS; i++) {
		r = best(i);
		csv_row(f, "rating", pf_feedback_ratings[2 * r], s->rating[r],
		    s->entries, percent(b, s->rating[r], s->entries, ""));
	}
}

static int
csv_write(FILE *f, void *arg)
{
	const struct report *r = arg;
	const struct group *g;
	char		 b[PCT_SIZE];
	size_t		 i;

	fprintf(f, "section,item,count,total,percent\r\n");
	csv_entries(f, &r->s);
	csv_row(f, "csat", "great+amazing", pf_feedback_satisfied(&r->s),
	    r->s.entries, percent(b, pf_feedback_satisfied(&r->s),
	    r->s.entries, ""));
	for (g = groups; g < groups + NGROUPS; g++)
		csv_row(f, "nps", g->code, group_count(&r->nps, g),
		    r->nps.answers, percent(b, group_count(&r->nps, g),
		    r->nps.answers, ""));
	csv_row(f, "nps", "score", -1, r->nps.answers,
	    nps_score(b, &r->nps, "", ""));
	for (i = 0; i < r->na; i++)
		csv_row(f, "article", shown(r->a[i].id, 0), r->a[i].helpful,
		    r->a[i].votes, percent(b, r->a[i].helpful, r->a[i].votes,
		    ""));
	return PF_OK;
}

/* ---- feedback report as XML ---- */

/* <name [key=code] count=... [percent=...]/>; pct NULL: no percent. */
static void
xml_count(struct pf_xmlw *w, const char *name, const char *key,
    const char *code, long long count, const char *pct)
{
	pf_xmlw_start(w, name, NULL);
	if (key != NULL)
		pf_xmlw_attr(w, key, code);
	pf_xmlw_attr_ll(w, "count", count);
	pf_xmlw_attr(w, "percent", pct);
	pf_xmlw_end(w);
}

/* <period since until/> and <entries count completed percent/>. */
static void
xml_period(struct pf_xmlw *w, const struct report *r)
{
	char	 b[PCT_SIZE];

	pf_xmlw_start(w, "period", NULL);
	pf_xmlw_attr(w, "since", r->p->since);
	pf_xmlw_attr(w, "until", r->p->until);
	pf_xmlw_end(w);
	pf_xmlw_start(w, "entries", NULL);
	pf_xmlw_attr_ll(w, "count", r->s.entries);
	pf_xmlw_attr_ll(w, "completed", r->s.completed);
	pf_xmlw_attr(w, "percent", percent(b, r->s.completed, r->s.entries,
	    NULL));
	pf_xmlw_end(w);
}

/* The types, then the ratings (best first). */
static void
xml_entries(struct pf_xmlw *w, const struct pf_feedback_stats *s)
{
	char	 b[PCT_SIZE];
	int	 i, r;

	pf_xmlw_start(w, "types", NULL);
	for (i = 0; i < PF_FEEDBACK_NTYPES; i++)
		xml_count(w, "type", "code", pf_feedback_types[2 * i],
		    s->type[i], percent(b, s->type[i], s->entries, NULL));
	pf_xmlw_end(w);
	pf_xmlw_start(w, "ratings", NULL);
	for (i = 0; i < PF_FEEDBACK_NRATINGS; i++) {
		r = best(i);
		xml_count(w, "rating", "code", pf_feedback_ratings[2 * r],
		    s->rating[r], percent(b, s->rating[r], s->entries, NULL));
	}
	pf_xmlw_end(w);
}

/* <csat/>, then <nps> with its three groups. */
static void
xml_scores(struct pf_xmlw *w, const struct report *r)
{
	const struct group *g;
	char		 b[PCT_SIZE];

	pf_xmlw_start(w, "csat", NULL);
	pf_xmlw_attr_ll(w, "satisfied", pf_feedback_satisfied(&r->s));
	pf_xmlw_attr_ll(w, "entries", r->s.entries);
	pf_xmlw_attr(w, "percent", percent(b, pf_feedback_satisfied(&r->s),
	    r->s.entries, NULL));
	pf_xmlw_end(w);
	pf_xmlw_start(w, "nps", NULL);
	pf_xmlw_attr_ll(w, "answers", r->nps.answers);
	pf_xmlw_attr(w, "score", nps_score(b, &r->nps, "", NULL));
	for (g = groups; g < groups + NGROUPS; g++)
		xml_count(w, g->code, NULL, NULL, group_count(&r->nps, g),
		    percent(b, group_count(&r->nps, g), r->nps.answers, NULL));
	pf_xmlw_end(w);
}

static void
xml_articles(struct pf_xmlw *w, const struct report *r)
{
	const struct article *a;
	char		 b[PCT_SIZE];

	pf_xmlw_start(w, "articles", NULL);
	for (a = r->a; a < r->a + r->na; a++) {
		pf_xmlw_start(w, "article", NULL);
		pf_xmlw_attr(w, "id", shown(a->id, 0));
		pf_xmlw_attr_ll(w, "votes", a->votes);
		pf_xmlw_attr_ll(w, "helpful", a->helpful);
		pf_xmlw_attr(w, "percent", percent(b, a->helpful, a->votes,
		    NULL));
		pf_xmlw_end(w);
	}
	pf_xmlw_end(w);
}

/*
 * The report in namespace REPORT_NS.  The only strings not made here are
 * article ids, which pass shown() first, so that a row the writer would
 * refuse (xmlw.h) is shown as NOT_SHOWN instead of failing the report.
 */
static int
xml_write(FILE *f, void *arg)
{
	const struct report	*r = arg;
	struct pf_xmlw		*w;
	int			 rc;

	if ((rc = pf_xmlw_open(f, &w)) != PF_OK)
		return rc;
	pf_xmlw_start(w, "feedback-report", REPORT_NS);
	pf_xmlw_attr(w, "version", "1");
	pf_xmlw_attr(w, "generated", r->generated);
	xml_period(w, r);
	xml_entries(w, &r->s);
	xml_scores(w, r);
	xml_articles(w, r);
	return pf_xmlw_close(w);
}

/* ---- feedback report: its period's figures, one of three formats ---- */

static const struct cli_report report = {
	.name = "feedback report", .read = report_read, .free = report_free,
	.size = sizeof(struct report),
	.formats = (const struct cli_format[]){ { "text", text_write },
	    { "csv", csv_write }, { "xml", xml_write }, { NULL, NULL } },
};

static int
cmd_report(struct ctx *c, const struct cli_args *a)
{
	return cli_report_run(c, &report, a);
}

/* ---- feedback list ---- */

struct listing {
	FILE		*f;
	long long	 n;		/* rows listed */
};

/* "YYYY-MM-DD HH:MM" of a stored time, or the time as it is. */
static const char *
minute(const char *stored, char out[17])
{
	if (strlen(stored) < 16 || stored[10] != 'T')
		return shown(stored, 0);
	snprintf(out, 17, "%.10s %.5s", stored, stored + 11);
	return out;
}

/* Text of several lines, each indented under its row. */
static void
indented(FILE *f, const char *s, const char *none)
{
	size_t	 n;

	if (s == NULL) {
		fprintf(f, "        %s\n", none);
		return;
	}
	s = shown(s, 1);
	do {
		n = strcspn(s, "\n");
		fprintf(f, "        %.*s\n", (int)n, s);
		s += n + (s[n] == '\n');
	} while (*s != '\0');
}

static const char *
type_label(const char *code)
{
	const char	*label = pf_choice_label(pf_feedback_types, code);

	return label != NULL ? label : shown(code, 0);
}

static const char *
rating_label(int rating)
{
	const char	*label = pf_choice_label(pf_feedback_ratings,
			    pf_feedback_rating_code(rating));

	return label != NULL ? label : "?";
}

static int
entry_row(const struct pf_feedback *e, void *arg)
{
	struct listing	*l = arg;
	char		 when[17], rec[4] = "-";

	if (e->recommend >= 0 && e->recommend <= 10)
		snprintf(rec, sizeof(rec), "%d", e->recommend);
	fprintf(l->f, "%-6lld  %-16s  %-15s  %-8s  %-3s  %-6s  %s\n", e->id,
	    minute(e->created, when), type_label(e->type),
	    rating_label(e->rating), rec, e->completed != NULL ? "sent" : "no",
	    e->email != NULL ? shown(e->email, 0) : "-");
	indented(l->f, e->message, "(no message)");
	l->n++;
	return ferror(l->f) ? PF_EIO : PF_OK;
}

static int
vote_row(const struct pf_vote *v, void *arg)
{
	struct listing	*l = arg;
	char		 when[17];

	fprintf(l->f, "%-6lld  %-16s  %-32s  %s\n", v->id,
	    minute(v->created, when), shown(v->article, 0),
	    v->helpful ? "yes" : "no");
	if (v->comment != NULL)
		indented(l->f, v->comment, NULL);
	l->n++;
	return ferror(l->f) ? PF_EIO : PF_OK;
}

struct list_job {
	struct pf_feedback_filter	 f;
	int				 articles;
	long long			 rows;	/* entries or votes listed */
};

static int
list_fill(struct ctx *c, FILE *f, void *arg)
{
	struct list_job	*j = arg;
	struct listing	 l = { f, 0 };
	int		 rc;

	if (j->articles) {
		fprintf(f, "%-6s  %-16s  %-32s  %s\n", "ID", "VOTED (UTC)",
		    "ARTICLE", "HELPFUL");
		rc = pf_store_vote_each(c->st, &j->f, vote_row, &l);
	} else {
		fprintf(f, "%-6s  %-16s  %-15s  %-8s  %-3s  %-6s  %s\n", "ID",
		    "RECEIVED (UTC)", "TYPE", "RATING", "REC", "STEP 2",
		    "EMAIL");
		rc = pf_store_feedback_each(c->st, &j->f, entry_row, &l);
	}
	if (rc == PF_OK && l.n == 0)
		fprintf(f, "(none)\n");
	j->rows = l.n;
	return rc;
}

/* --type's value: 0, or CLI_USAGE said with the types there are. */
static int
type_check(const char *type)
{
	int	 i;

	if (pf_feedback_type_index(type) >= 0)
		return 0;
	fprintf(stderr, "privforms: feedback list: --type %s: not one of",
	    type);
	for (i = 0; i < PF_FEEDBACK_NTYPES; i++)
		fprintf(stderr, "%s %s", i == 0 ? "" : ",",
		    pf_feedback_types[2 * i]);
	fprintf(stderr, "\n");
	return CLI_USAGE;
}

/* The arguments into j and p: 0, or CLI_USAGE (said when it helps). */
static int
list_args(const struct cli_args *a, struct list_job *j, struct cli_period *p)
{
	const char	*limit = a->opt[L_LIMIT];

	j->f.type = a->opt[L_TYPE];
	j->articles = a->opt[L_ARTICLES] != NULL;
	if (j->f.type != NULL && j->articles) {
		fprintf(stderr, "privforms: feedback list: --type lists "
		    "entries, not article votes\n");
		return CLI_USAGE;
	}
	if (j->f.type != NULL && type_check(j->f.type) != 0)
		return CLI_USAGE;
	j->f.limit = LIST_LIMIT;
	if (limit != NULL && (j->f.limit = cli_positive(limit)) == 0) {
		fprintf(stderr, "privforms: feedback list: --limit %s: not a "
		    "number of at least 1\n", limit);
		return CLI_USAGE;
	}
	return cli_period_args("feedback list", a, p);
}

static int
cmd_list(struct ctx *c, const struct cli_args *a)
{
	struct list_job	 j;
	struct cli_period p;

	memset(&j, 0, sizeof(j));
	memset(&p, 0, sizeof(p));
	if (list_args(a, &j, &p) != 0)
		return CLI_USAGE;
	j.f.since = p.since;
	j.f.until = p.end;
	if (cli_open_store(c) != 0)
		return 1;
	return cli_buffered_read("feedback list", list_fill, c, &j, &j.rows);
}
