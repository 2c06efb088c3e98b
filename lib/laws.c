/*
 * laws.c -- the privacy laws table and deadline arithmetic (see laws.h).
 *
 * Periods also accept the singular "1 day", "1 business day" and "1 month";
 * the singular goes only with 1, the plural with any count.  Anything else
 * ("45days", "0 days", "2 month", "45  days", "045 days") is refused so that
 * a typo in the table stops the program at start-up instead of moving a
 * legal deadline.
 *
 * All dates are UTC days: a request is received on the UTC day of its
 * timestamp, whatever the hour.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "country.h"
#include "err.h"
#include "file.h"
#include "laws.h"
#include "named.h"
#include "nitems.h"
#include "utf8.h"

#define LAWS_LINE_MAX	1024	/* bytes in a line, newline excluded */
#define LAWS_LAW_MAX	64	/* bytes in a law's short name */
#define LAWS_NFIELDS	10	/* place law period extension acknowledge
				   appeal regulator scope agents source */
#define LAWS_NFIELDS_APPEAL 9	/* the same without agents */
#define LAWS_NFIELDS_OLD 6	/* place law period extension acknowledge source */
#define LAWS_REG_MAX	200	/* bytes in a regulator's name */
#define PERIOD_MAX	366

struct pf_laws {
	struct pf_law	*rows;
	size_t		 n, cap;
	const struct pf_law *any;	/* the "*" row */
};

static const struct {
	const char		*word;
	enum pf_period_unit	 unit;
	int			 singular;
} units[] = {
	{ "day",		PF_PERIOD_DAYS,			1 },
	{ "days",		PF_PERIOD_DAYS,			0 },
	{ "business day",	PF_PERIOD_BUSINESS_DAYS,	1 },
	{ "business days",	PF_PERIOD_BUSINESS_DAYS,	0 },
	{ "month",		PF_PERIOD_MONTHS,		1 },
	{ "months",		PF_PERIOD_MONTHS,		0 },
};

int
pf_period_parse(const char *s, struct pf_period *p)
{
	size_t	 nd, i;
	int	 n;

	if (strcmp(s, "-") == 0) {
		p->unit = PF_PERIOD_NONE;
		p->n = 0;
		return PF_OK;
	}
	/* One to three digits without a leading zero, then one space. */
	nd = strspn(s, "0123456789");
	if (nd == 0 || nd > 3 || s[0] == '0' || s[nd] != ' ')
		return PF_EINVAL;
	n = atoi(s);
	if (n > PERIOD_MAX)
		return PF_EINVAL;
	for (i = 0; i < nitems(units); i++) {
		if (strcmp(s + nd + 1, units[i].word) != 0)
			continue;
		if (units[i].singular && n != 1)
			return PF_EINVAL;
		p->unit = units[i].unit;
		p->n = n;
		return PF_OK;
	}
	return PF_EINVAL;
}

/*
 * Midnight UTC of the day y-m-d, which timegm normalises (day 0 is the last
 * day of the month before, day 32 in the next), into *t.
 */
static int
day_at(int y, int m, int d, time_t *t)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y;
	tm.tm_mon = m;
	tm.tm_mday = d;
	/* A midnight is never one second before the epoch. */
	*t = timegm(&tm);
	return *t == (time_t)-1 ? PF_EINVAL : PF_OK;
}

/* A period in months after the UTC day of tm, clamped to the month's end. */
static int
add_months(const struct tm *tm, int n, time_t *t)
{
	time_t		 last;
	struct tm	 end;
	int		 m, y;

	m = tm->tm_mon + n;
	y = tm->tm_year + m / 12;
	m %= 12;
	/* Day 0 of the month after is the target month's last day. */
	if (day_at(y, m + 1, 0, &last) != PF_OK || gmtime_r(&last, &end) == NULL)
		return PF_EINVAL;
	return day_at(y, m, tm->tm_mday < end.tm_mday ? tm->tm_mday :
	    end.tm_mday, t);
}

/*
 * n business days after the UTC day of tm: each day from the next one on
 * counts unless it is a Saturday or a Sunday.
 */
static int
add_business_days(const struct tm *tm, int n, time_t *t)
{
	int	 wday = tm->tm_wday, days = 0;

	while (n > 0) {
		days++;
		wday = (wday + 1) % 7;
		if (wday != 0 && wday != 6)
			n--;
	}
	return day_at(tm->tm_year, tm->tm_mon, tm->tm_mday + days, t);
}

int
pf_period_due(time_t received, const struct pf_period *p, char out[PF_DATE_SIZE])
{
	struct tm	 tm, due;
	time_t		 t;
	int		 rc;

	/* Years 0 to 9999 only, so that nothing overflows. */
	if (p->n < 1 || p->n > PERIOD_MAX || gmtime_r(&received, &tm) == NULL ||
	    tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		return PF_EINVAL;
	switch (p->unit) {
	case PF_PERIOD_DAYS:
		rc = day_at(tm.tm_year, tm.tm_mon, tm.tm_mday + p->n, &t);
		break;
	case PF_PERIOD_BUSINESS_DAYS:
		rc = add_business_days(&tm, p->n, &t);
		break;
	case PF_PERIOD_MONTHS:
		rc = add_months(&tm, p->n, &t);
		break;
	default:
		return PF_EINVAL;
	}
	/* Exactly ten characters: years 1000 to 9999. */
	if (rc != PF_OK || gmtime_r(&t, &due) == NULL ||
	    strftime(out, 11, "%Y-%m-%d", &due) != 10)
		return PF_EINVAL;
	return PF_OK;
}

/*
 * Split line at runs of tabs; the first LAWS_NFIELDS fields, trimmed, go
 * to f[].  Returns how many fields there were.
 */
static size_t
split(char *line, char *f[LAWS_NFIELDS])
{
	size_t	 n = 0;
	char	*tok, *save = NULL;

	for (tok = strtok_r(line, "\t", &save); tok != NULL;
	    tok = strtok_r(NULL, "\t", &save), n++)
		if (n < LAWS_NFIELDS)
			f[n] = pf_file_trim(tok);
	return n;
}

static int
place_ok(const char *place)
{
	if (strcmp(place, "*") == 0)
		return 1;
	if (strncmp(place, "US-", 3) == 0)
		return strlen(place) == 5 && pf_us_state_name(place + 3) != NULL;
	return strlen(place) == 2 && pf_country_name(place) != NULL;
}

static int
law_ok(const char *law)
{
	size_t	 n = strlen(law);

	return n > 0 && n <= LAWS_LAW_MAX && strspn(law,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789 ._-") == n;
}

static const struct pf_law *
find_place(const struct pf_laws *laws, const char *place)
{
	return pf_named_find(laws->rows, laws->n, sizeof(*laws->rows),
	    offsetof(struct pf_law, place), place);
}

/*
 * The scope in s into row->threshold: "all" (0) or "threshold" (1, the
 * company may declare itself exempt); 0, or -1 for another word.
 */
static int
scope_parse(const char *s, struct pf_law *row)
{
	row->threshold = strcmp(s, "threshold") == 0;
	return row->threshold || strcmp(s, "all") == 0 ? 0 : -1;
}

/* Check the periods of a row (fields 2 to 5) into *row. */
static int
check_periods(char *f[LAWS_NFIELDS], struct pf_law *row, char *msg,
    size_t msglen)
{
	static const char *const what[] = { "period", "extension",
	    "acknowledge", "appeal" };
	struct pf_period	*p[] = { &row->period, &row->extension,
	    &row->acknowledge, &row->appeal };
	size_t			 i;

	for (i = 0; i < nitems(p); i++)
		if (pf_period_parse(f[2 + i], p[i]) != PF_OK) {
			pf_errmsg(msg, msglen, "bad %s '%s'", what[i], f[2 + i]);
			return PF_ECONFIG;
		}
	if (row->period.unit == PF_PERIOD_NONE) {
		pf_errmsg(msg, msglen, "period is required");
		return PF_ECONFIG;
	}
	return PF_OK;
}

/* Check regulator, scope and agents (fields 6 to 8) into *row. */
static int
check_scope(char *f[LAWS_NFIELDS], struct pf_law *row, char *msg,
    size_t msglen)
{
	if (*f[6] == '\0' || strlen(f[6]) > LAWS_REG_MAX) {
		pf_errmsg(msg, msglen, "regulator must be 1 to %d bytes, "
		    "or \"-\"", LAWS_REG_MAX);
		return PF_ECONFIG;
	}
	if (scope_parse(f[7], row) != 0) {
		pf_errmsg(msg, msglen, "scope must be \"all\" or \"threshold\", "
		    "not '%s'", f[7]);
		return PF_ECONFIG;
	}
	if (row->threshold && strcmp(f[0], "*") == 0) {
		pf_errmsg(msg, msglen, "the \"*\" row applies to every company: "
		    "scope all");
		return PF_ECONFIG;
	}
	row->agents = strcmp(f[8], "yes") == 0;
	if (!row->agents && strcmp(f[8], "-") != 0) {
		pf_errmsg(msg, msglen, "agents must be \"yes\" or \"-\", "
		    "not '%s'", f[8]);
		return PF_ECONFIG;
	}
	return PF_OK;
}

/* Check the fields of one row into *row (strings not yet copied). */
static int
check_row(const struct pf_laws *laws, char *f[LAWS_NFIELDS],
    struct pf_law *row, char *msg, size_t msglen)
{
	int	 rc;

	if (!place_ok(f[0])) {
		pf_errmsg(msg, msglen, "unknown place %s", f[0]);
		return PF_ECONFIG;
	}
	if (find_place(laws, f[0]) != NULL) {
		pf_errmsg(msg, msglen, "place %s has a row already", f[0]);
		return PF_ECONFIG;
	}
	if (!law_ok(f[1])) {
		pf_errmsg(msg, msglen, "law name must be 1 to %d of "
		    "A-Z a-z 0-9 space . _ -", LAWS_LAW_MAX);
		return PF_ECONFIG;
	}
	if ((rc = check_periods(f, row, msg, msglen)) != PF_OK ||
	    (rc = check_scope(f, row, msg, msglen)) != PF_OK)
		return rc;
	if (*f[9] == '\0' || strcmp(f[9], "-") == 0) {
		pf_errmsg(msg, msglen, "source is required");
		return PF_ECONFIG;
	}
	snprintf(row->place, sizeof(row->place), "%s", f[0]);
	return PF_OK;
}

/*
 * Split line into f[]: ten fields; the nine of a table from before agents,
 * read as agents "-"; or the six of a table from before appeals, read as
 * appeal "-", regulator "-", scope "all", agents "-".
 */
static int
fields(char *line, char *f[LAWS_NFIELDS], char *msg, size_t msglen)
{
	static char	 none[] = "-", all[] = "all";
	size_t		 n;

	n = split(line, f);
	if (n == LAWS_NFIELDS_OLD) {
		f[9] = f[5];
		f[5] = f[6] = f[8] = none;
		f[7] = all;
		return PF_OK;
	}
	if (n == LAWS_NFIELDS_APPEAL) {
		f[9] = f[8];
		f[8] = none;
		return PF_OK;
	}
	if (n == LAWS_NFIELDS)
		return PF_OK;
	pf_errmsg(msg, msglen, "expected %d tab-separated fields (or %d, "
	    "without agents; or %d, without appeal, regulator, scope and "
	    "agents), found %zu", LAWS_NFIELDS, LAWS_NFIELDS_APPEAL,
	    LAWS_NFIELDS_OLD, n);
	return PF_ECONFIG;
}

static void
row_free(struct pf_law *row)
{
	free(row->law);
	free(row->regulator);
	free(row->source);
}

/* Copy the row's strings from f[] into *row; all or none. */
static int
copy_strings(char *f[LAWS_NFIELDS], struct pf_law *row)
{
	row->law = strdup(f[1]);
	row->source = strdup(f[9]);
	if (strcmp(f[6], "-") != 0)
		row->regulator = strdup(f[6]);
	if (row->law == NULL || row->source == NULL ||
	    (row->regulator == NULL && strcmp(f[6], "-") != 0)) {
		row_free(row);
		return PF_ENOMEM;
	}
	return PF_OK;
}

/* Append the row in line (already checked as text); msg says why not. */
static int
add_row(struct pf_laws *laws, char *line, char *msg, size_t msglen)
{
	char		*f[LAWS_NFIELDS];
	struct pf_law	 row, *rows;
	size_t		 cap;
	int		 rc;

	if ((rc = fields(line, f, msg, msglen)) != PF_OK)
		return rc;
	memset(&row, 0, sizeof(row));
	if ((rc = check_row(laws, f, &row, msg, msglen)) != PF_OK)
		return rc;
	if (laws->n == laws->cap) {
		cap = laws->cap == 0 ? 32 : laws->cap * 2;
		if ((rows = reallocarray(laws->rows, cap, sizeof(*rows))) == NULL)
			return PF_ENOMEM;
		laws->rows = rows;
		laws->cap = cap;
	}
	if ((rc = copy_strings(f, &row)) != PF_OK)
		return rc;
	laws->rows[laws->n++] = row;
	return PF_OK;
}

/*
 * Apply one line to arg, a struct pf_laws, as a pf_file_line_fn (file.h).
 * Comments and blank lines are skipped.  On PF_ECONFIG msg says why.
 */
static int
parse_line(char *line, size_t len, void *arg, char *msg, size_t msglen)
{
	struct pf_laws	*laws = arg;

	if (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (len > LAWS_LINE_MAX) {
		pf_errmsg(msg, msglen, "line longer than %d bytes", LAWS_LINE_MAX);
		return PF_ECONFIG;
	}
	/* Tabs pass, control characters and bad UTF-8 do not. */
	if (!pf_utf8_ok(line, len, 0)) {
		pf_errmsg(msg, msglen, "control character or invalid UTF-8");
		return PF_ECONFIG;
	}
	line = pf_file_trim(line);
	if (*line == '\0' || *line == '#')
		return PF_OK;
	return add_row(laws, line, msg, msglen);
}

/* Read every row of f; on failure err names the file and the line. */
static int
parse_file(struct pf_laws *laws, FILE *f, const char *name, char *err,
    size_t errlen)
{
	long	 lineno;
	int	 rc;

	rc = pf_file_lines(f, name, parse_line, laws, &lineno, err, errlen);
	if (rc == PF_OK && (laws->any = find_place(laws, "*")) == NULL) {
		pf_errmsg(err, errlen, "%s:%ld: no \"*\" row (for every other "
		    "place)", name, lineno);
		rc = PF_ECONFIG;
	}
	return rc;
}

/*
 * A table of f's rows (named name in messages) into arg, a struct pf_laws
 * **, only on PF_OK: a pf_file_reader (file.h).
 */
static int
laws_read(FILE *f, const char *name, void *arg, char *err, size_t errlen)
{
	struct pf_laws	**out = arg, *laws;
	int		  rc;

	if ((laws = calloc(1, sizeof(*laws))) == NULL) {
		pf_errmsg(err, errlen, "%s: out of memory", name);
		return PF_ENOMEM;
	}
	if ((rc = parse_file(laws, f, name, err, errlen)) != PF_OK) {
		pf_laws_free(laws);
		return rc;
	}
	*out = laws;
	return PF_OK;
}

int
pf_laws_load(const char *path, struct pf_laws **out, char *err,
    size_t errlen)
{
	*out = NULL;
	return pf_file_read_path(path, laws_read, out, err, errlen);
}

int
pf_laws_parse(const char *text, size_t len, const char *name,
    struct pf_laws **out, char *err, size_t errlen)
{
	*out = NULL;
	return pf_file_read_text(text, len, name, laws_read, out, err, errlen);
}

void
pf_laws_free(struct pf_laws *laws)
{
	size_t	 i;

	if (laws == NULL)
		return;
	for (i = 0; i < laws->n; i++)
		row_free(&laws->rows[i]);
	free(laws->rows);
	free(laws);
}

/* The row for place unless its law does not apply to the company. */
static const struct pf_law *
find_applying(const struct pf_laws *laws, const char *place)
{
	const struct pf_law	*row = find_place(laws, place);

	return row != NULL && !row->exempt ? row : NULL;
}

const struct pf_law *
pf_laws_find(const struct pf_laws *laws, const char *country,
    const char *state)
{
	const struct pf_law	*row = NULL;
	char			 place[sizeof(row->place)];

	if (country == NULL)
		return laws->any;
	if (state != NULL && strcmp(country, "US") == 0 &&
	    strlen(state) == 2) {
		snprintf(place, sizeof(place), "US-%s", state);
		row = find_applying(laws, place);
	}
	if (row == NULL && strlen(country) == 2)
		row = find_applying(laws, country);
	return row != NULL ? row : laws->any;
}

/*
 * Whether name (len bytes) is the law of some row, all of them with scope
 * threshold: 1; 0 when no row has it; -1 when a row of it binds every
 * company.
 */
static int
exemptible(const struct pf_laws *laws, const char *name, size_t len)
{
	size_t	 i;
	int	 found = 0;

	for (i = 0; i < laws->n; i++) {
		if (strlen(laws->rows[i].law) != len ||
		    strncmp(laws->rows[i].law, name, len) != 0)
			continue;
		if (!laws->rows[i].threshold)
			return -1;
		found = 1;
	}
	return found;
}

/* Mark (mark 1) or only check (mark 0) every law in list; see laws.h. */
static int
exempt_each(struct pf_laws *laws, const char *list, int mark, char *err,
    size_t errlen)
{
	const char	*p, *end;
	size_t		 len, i;
	int		 ok;

	for (p = list; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		p += strspn(p, " ");
		end = p + strcspn(p, ",");
		for (len = end - p; len > 0 && p[len - 1] == ' '; len--)
			;
		if (len == 0 && *end == '\0')
			break;
		if ((ok = exemptible(laws, p, len)) != 1) {
			pf_errmsg(err, errlen, "laws_exempt: '%.*s': %s", (int)len,
			    p, ok == 0 ? "no law of that name in the laws table" :
			    "the table says it binds every company (scope all)");
			return PF_ECONFIG;
		}
		for (i = 0; mark && i < laws->n; i++)
			if (strlen(laws->rows[i].law) == len &&
			    strncmp(laws->rows[i].law, p, len) == 0)
				laws->rows[i].exempt = 1;
	}
	return PF_OK;
}

int
pf_laws_exempt(struct pf_laws *laws, const char *list, char *err,
    size_t errlen)
{
	int	 rc;

	/* Check all first, so that a bad name leaves every row as it was. */
	if ((rc = exempt_each(laws, list, 0, err, errlen)) != PF_OK)
		return rc;
	return exempt_each(laws, list, 1, err, errlen);
}

int
pf_laws_open(const char *path, const char *exempt, struct pf_laws **out,
    char *err, size_t errlen)
{
	struct pf_laws	*laws;
	int		 rc;

	*out = NULL;
	if ((rc = pf_laws_load(path, &laws, err, errlen)) != PF_OK)
		return rc;
	if ((rc = pf_laws_exempt(laws, exempt, err, errlen)) != PF_OK) {
		pf_laws_free(laws);
		return rc;
	}
	*out = laws;
	return PF_OK;
}

size_t
pf_laws_count(const struct pf_laws *laws)
{
	return laws->n;
}

const struct pf_law *
pf_laws_row(const struct pf_laws *laws, size_t i)
{
	return i < laws->n ? &laws->rows[i] : NULL;
}

void
pf_period_text(const struct pf_period *p, char out[32])
{
	size_t	 i;

	for (i = 0; i < nitems(units); i++)
		if (units[i].unit == p->unit && units[i].singular == (p->n == 1)) {
			snprintf(out, 32, "%d %s", p->n, units[i].word);
			return;
		}
	snprintf(out, 32, "-");
}
