/*
 * store_copy.c -- moving a site's rows from one database into another
 * (privforms migrate): the list of the tables that hold a site, and a copy
 * of a table's rows that reads its columns from the schema itself.
 *
 * The columns are not listed here: each engine's catalogue names them
 * (the dialect statements PF_DIALECT_COLUMNS), every column of the
 * source must be in the target (one only the target has is left to its
 * default), and the statements that read, write, count and clear a table
 * are made from those names, so a column a later migration adds is copied
 * without a line changed here.  A table a later migration adds must be
 * put in pf_store_tables (or pf_store_tables_own): until it is, the unit
 * test and pf_store_tables_check refuse the schema.
 *
 * Each made statement is one of this file's part of the statement cache
 * (PF_SQL_COPY), at an index of its own per table and kind; the text is
 * made on every call and read by the engine only the first time, when it
 * prepares it.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "named.h"
#include "nitems.h"
#include "store.h"
#include "store_sql.h"

const char *const pf_store_tables[] = {
	"optout",
	"audit",
	"audit_count",		/* after audit: its trigger counts there */
	"outbox",
	"dnc",
	"party",
	"request",		/* after party */
	"request_event",	/* after request */
	"request_agent",	/* after request */
	"suppression",
	"feedback",
	"article_vote",
	"pow_spent",
	"rate_hit",
	"trap_count",
	"consent_record",
	"sale_opt_out",
	"subscription",
	"subscription_event",
	NULL
};

const char *const pf_store_tables_own[] = {
	"schema_version",	/* PostgreSQL: the migrations' version */
	/*
	 * PostgreSQL: audit records not yet sealed into the chain; an
	 * SQLite site has none, and a sealed record is copied as it is.
	 */
	"audit_pending",
	NULL
};

#define NTABLES		(nitems(pf_store_tables) - 1)
/* Statements are made for both lists' tables (counted: own ones too). */
#define NALL		(NTABLES + nitems(pf_store_tables_own) - 1)
#define TEXT_MAX	4096	/* a made statement's text, at most */
#define NAME_MAX_LEN	63	/* PostgreSQL's identifiers, at most */

/* The statements made per table. */
enum { K_ROWS, K_CLEAR, K_READ, K_WRITE, NKIND };

static const char *const kind_what[NKIND] = {
	"copy: count", "copy: clear", "copy: read", "copy: write"
};

/* One column, as the catalogue gives it. */
struct column {
	char	 name[NAME_MAX_LEN + 1];
	int	 blob;		/* bytes, not text */
	int	 numbered;	/* the engine numbers it */
};

struct columns {
	struct column	*c;
	int		 n, cap;
};

/* A made statement of table t: its text and its place in the cache. */
struct made {
	struct pf_sql	 sql[NALL * NKIND];
	struct pf_sql_set set;
	char		 text[TEXT_MAX];
	char		 what[80];
};

/*
 * *t, table's place: in pf_store_tables, or (own set) after them in
 * pf_store_tables_own.  PF_EINVAL, logged, for any other name.
 */
static int
table_index(const char *table, int own, size_t *t)
{
	size_t	 i;

	for (*t = 0; *t < NTABLES; (*t)++)
		if (strcmp(pf_store_tables[*t], table) == 0)
			return PF_OK;
	for (i = 0; own && pf_store_tables_own[i] != NULL; i++, (*t)++)
		if (strcmp(pf_store_tables_own[i], table) == 0)
			return PF_OK;
	pf_log(PF_LOG_ERR, "store: copy: %s is not a table of the site", table);
	return PF_EINVAL;
}

/* The reference of kind k of table t, with m's text (already written). */
static struct pf_sql_ref
made_ref(struct made *m, size_t t, int k, const char *table)
{
	int	 id = (int)(t * NKIND + (size_t)k);

	snprintf(m->what, sizeof(m->what), "%s %s", kind_what[k], table);
	memset(m->sql, 0, sizeof(m->sql));
	m->sql[id].what = m->what;
	m->sql[id].text = m->text;
	m->set.part = PF_SQL_COPY;
	m->set.n = NALL * NKIND;
	m->set.sql = m->sql;
	return PF_SQL_REF(&m->set, id);
}

/* Append to m's text what fmt says: PF_OK, or PF_ETOOBIG. */
static int
text_add(struct made *m, const char *fmt, const char *a, const char *b)
{
	size_t	 n = strlen(m->text);
	int	 w;

	w = snprintf(m->text + n, sizeof(m->text) - n, fmt, a, b);
	return w < 0 || (size_t)w >= sizeof(m->text) - n ? PF_ETOOBIG : PF_OK;
}

/* ---- the schema ---- */

struct each_ctx {
	int	(*fn)(const char *, void *);
	void	*arg;
};

static int
each_row(const struct pf_row *r, void *ctx)
{
	struct each_ctx	*e = ctx;

	return e->fn(COL_T(0), e->arg);
}

int
pf_store_table_each(struct pf_store *st,
    int (*fn)(const char *name, void *arg), void *arg)
{
	struct each_ctx	 e = { fn, arg };

	return pf_sql_each(st, pf_sql_dialect(st, PF_DIALECT_TABLES),
	    PF_NOARGS, each_row, &e);
}

static int
listed(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

struct check {
	char	*why;
	size_t	 len;
	int	 found[NTABLES];
};

static int
check_row(const char *name, void *arg)
{
	struct check	*c = arg;
	size_t		 t;

	for (t = 0; t < NTABLES; t++)
		if (strcmp(pf_store_tables[t], name) == 0)
			c->found[t] = 1;
	if (listed(pf_store_tables, name) || listed(pf_store_tables_own, name))
		return 0;
	snprintf(c->why, c->len, "table %s is in no list of store_copy.c",
	    name);
	return PF_ECONFIG;
}

int
pf_store_tables_check(struct pf_store *st, char *why, size_t len)
{
	struct check	 c;
	size_t		 t;
	int		 err;

	memset(&c, 0, sizeof(c));
	c.why = why;
	c.len = len;
	if ((err = pf_store_table_each(st, check_row, &c)) != PF_OK)
		return err;
	for (t = 0; t < NTABLES; t++)
		if (!c.found[t]) {
			snprintf(why, len, "table %s is missing",
			    pf_store_tables[t]);
			return PF_ECONFIG;
		}
	return PF_OK;
}

/* ---- a table's columns ---- */

static int
column_row(const struct pf_row *r, void *ctx)
{
	struct columns	*cs = ctx;
	struct column	*grown;
	const char	*name = COL_T(0);

	if (name == NULL || strlen(name) > NAME_MAX_LEN ||
	    strchr(name, '"') != NULL)
		return PF_ESTORE;
	if (cs->n == cs->cap) {
		cs->cap = cs->cap * 2 + 16;
		if ((grown = realloc(cs->c, (size_t)cs->cap *
		    sizeof(*grown))) == NULL)
			return PF_ENOMEM;
		cs->c = grown;
	}
	snprintf(cs->c[cs->n].name, sizeof(cs->c[cs->n].name), "%s", name);
	cs->c[cs->n].blob = COL_I(1) != 0;
	cs->c[cs->n].numbered = COL_I(2) != 0;
	cs->n++;
	return 0;
}

/* table's columns in st, in order, into *cs (the caller frees cs->c). */
static int
columns_get(struct pf_store *st, const char *table, struct columns *cs)
{
	memset(cs, 0, sizeof(*cs));
	return pf_sql_each(st, pf_sql_dialect(st, PF_DIALECT_COLUMNS),
	    PF_ARGS(PF_T(table)), column_row, cs);
}

/* The column of cs called name, or NULL. */
static const struct column *
column_of(const struct columns *cs, const char *name)
{
	return pf_named_find(cs->c, (size_t)cs->n, sizeof(*cs->c),
	    offsetof(struct column, name), name);
}

/*
 * The columns to copy, into *use: each of the source's (from), as the
 * target (to) has it (its blob and numbered flags).  A source column the
 * target lacks would be lost: PF_ECONFIG.  A column only the target has
 * (PostgreSQL's audit.pending) is left to its default.
 */
static int
columns_match(const struct columns *from, const struct columns *to,
    const char *table, struct columns *use)
{
	const struct column	*c = NULL;
	int			 i;

	memset(use, 0, sizeof(*use));
	for (i = 0; i < from->n; i++)
		if ((c = column_of(to, from->c[i].name)) == NULL)
			break;
	if (from->n == 0 || c == NULL) {
		pf_log(PF_LOG_ERR, "store: copy: table %s: %s%s", table,
		    from->n == 0 ? "no columns in the source" :
		    "not in the target: ", from->n == 0 ? "" : from->c[i].name);
		return PF_ECONFIG;
	}
	if ((use->c = calloc((size_t)from->n, sizeof(*use->c))) == NULL)
		return PF_ENOMEM;
	for (i = 0; i < from->n; i++)
		use->c[i] = *column_of(to, from->c[i].name);
	use->n = use->cap = from->n;
	return PF_OK;
}

/* ---- counting, clearing ---- */

int
pf_store_table_rows(struct pf_store *st, const char *table, long long *n)
{
	struct made	*m;
	struct pf_sql_ref q;
	size_t		 t;
	int		 err;

	*n = 0;
	if ((err = table_index(table, 1, &t)) != PF_OK)
		return err;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return PF_ENOMEM;
	q = made_ref(m, t, K_ROWS, table);
	if ((err = text_add(m, "SELECT count(*) FROM \"%s\"%s", table,
	    "")) == PF_OK)
		err = pf_sql_one(st, q, PF_NOARGS, pf_row_int0, n);
	free(m);
	return err;
}

/*
 * Delete what a trigger wrote into table of st (only when there is
 * something: an empty table is never asked to delete, which a guard on
 * the audit table, say, would refuse).
 */
static int
table_clear(struct pf_store *st, struct made *m, size_t t, const char *table)
{
	struct pf_sql_ref q = made_ref(m, t, K_CLEAR, table);
	long long	 n = 0;
	int		 err;

	if ((err = pf_store_table_rows(st, table, &n)) != PF_OK || n == 0)
		return err;
	m->text[0] = '\0';
	if ((err = text_add(m, "DELETE FROM \"%s\"%s", table, "")) != PF_OK)
		return err;
	return pf_sql_exec(st, q, PF_NOARGS, NULL);
}

/* ---- the copy ---- */

/* One table's copy: the insert on to, and the values of one row. */
struct copy {
	struct pf_store		*to;
	struct pf_sql_ref	 write;
	const struct columns	*cols;	/* as to has them, in the read's order */
	struct pf_sql_val	*v;
	int			 numbered;	/* its column, or -1 */
	long long		 max, rows;
};

static int
copy_row(const struct pf_row *r, void *ctx)
{
	struct copy	*c = ctx;
	struct pf_sql_val *v;
	int		 i;

	for (i = 0; i < c->cols->n; i++) {
		v = &c->v[i];
		memset(v, 0, sizeof(*v));
		if (pf_row_null(r, i))
			v->type = PF_SQL_NULL;
		else if (c->cols->c[i].blob) {
			v->type = PF_SQL_BLOB;
			v->blob = pf_row_blob(r, i, &v->len);
		} else {
			v->type = PF_SQL_TEXT;
			v->text = pf_row_text(r, i);
		}
	}
	if (c->numbered >= 0 && COL_I(c->numbered) > c->max)
		c->max = COL_I(c->numbered);
	if ((i = pf_sql_exec(c->to, c->write,
	    (struct pf_sql_args){ c->v, c->cols->n }, NULL)) == PF_OK)
		c->rows++;
	return i;
}

/* The SELECT of cs from table into r, the INSERT into w. */
static int
texts_make(struct made *r, struct made *w, const char *table,
    const struct columns *cs)
{
	char	 n[16];
	int	 i, err = PF_OK;

	err = text_add(r, "SELECT %s%s", "", "");
	for (i = 0; err == PF_OK && i < cs->n; i++)
		err = text_add(r, "%s\"%s\"", i > 0 ? ", " : "", cs->c[i].name);
	if (err == PF_OK)
		err = text_add(r, " FROM \"%s\"%s", table, "");
	if (err == PF_OK)
		err = text_add(w, "INSERT INTO \"%s\" (%s", table, "");
	for (i = 0; err == PF_OK && i < cs->n; i++)
		err = text_add(w, "%s\"%s\"", i > 0 ? ", " : "", cs->c[i].name);
	if (err == PF_OK)
		err = text_add(w, ") VALUES (%s%s", "", "");
	for (i = 0; err == PF_OK && i < cs->n; i++) {
		snprintf(n, sizeof(n), "?%d", i + 1);
		err = text_add(w, "%s%s", i > 0 ? ", " : "", n);
	}
	return err == PF_OK ? text_add(w, ")%s%s", "", "") : err;
}

/* Read every row of table from st and insert it into c->to. */
static int
rows_copy(struct pf_store *st, struct copy *c, size_t t, const char *table)
{
	struct made	*r, *w;
	int		 i, err;

	r = calloc(1, sizeof(*r));
	w = calloc(1, sizeof(*w));
	c->v = calloc((size_t)c->cols->n, sizeof(*c->v));
	err = r == NULL || w == NULL || c->v == NULL ? PF_ENOMEM :
	    texts_make(r, w, table, c->cols);
	c->numbered = -1;
	for (i = 0; i < c->cols->n; i++)
		if (c->cols->c[i].numbered)
			c->numbered = i;
	if (err == PF_OK) {
		c->write = made_ref(w, t, K_WRITE, table);
		err = pf_sql_each(st, made_ref(r, t, K_READ, table),
		    PF_NOARGS, copy_row, c);
	}
	free(c->v);
	c->v = NULL;
	free(r);
	free(w);
	return err;
}

/*
 * Move to's number generator of table past every id st's handed out: the
 * largest copied, or st's counter when that is higher (the newest rows
 * deleted, by purge say), also when no row was copied, so that no id is
 * ever handed out twice (a status link seals only a request's id).
 */
static int
ids_after(struct pf_store *st, struct copy *c, const char *table)
{
	struct pf_sql_args a;
	long long	 used = 0;
	int		 err;

	if (c->numbered < 0)
		return PF_OK;
	a = PF_ARGS(PF_T(table), PF_T(c->cols->c[c->numbered].name));
	err = pf_sql_one(st, pf_sql_dialect(st, PF_DIALECT_IDS_USED), a,
	    pf_row_int0, &used);
	if (err != PF_OK && err != PF_ENOTFOUND)
		return err;
	if (used > c->max)
		c->max = used;
	if (c->max == 0)
		return PF_OK;
	return pf_sql_exec(c->to, pf_sql_dialect(c->to, PF_DIALECT_IDS_AFTER),
	    PF_ARGS(PF_T(table), PF_T(c->cols->c[c->numbered].name),
	    PF_I(c->max)), NULL);
}

int
pf_store_table_copy(struct pf_store *st, struct pf_store *to,
    const char *table, long long *rows)
{
	struct columns	 from_cols, to_cols, use;
	struct copy	 c;
	struct made	*m = NULL;
	size_t		 t;
	int		 err;

	if (rows != NULL)
		*rows = 0;
	if ((err = table_index(table, 0, &t)) != PF_OK)
		return err;
	memset(&c, 0, sizeof(c));
	memset(&to_cols, 0, sizeof(to_cols));
	memset(&use, 0, sizeof(use));
	if ((err = columns_get(st, table, &from_cols)) == PF_OK &&
	    (err = columns_get(to, table, &to_cols)) == PF_OK)
		err = columns_match(&from_cols, &to_cols, table, &use);
	if (err == PF_OK && (m = calloc(1, sizeof(*m))) == NULL)
		err = PF_ENOMEM;
	if (err == PF_OK)
		err = table_clear(to, m, t, table);
	c.to = to;
	c.cols = &use;
	if (err == PF_OK && (err = rows_copy(st, &c, t, table)) == PF_OK)
		err = ids_after(st, &c, table);
	if (rows != NULL)
		*rows = c.rows;
	free(m);
	free(from_cols.c);
	free(to_cols.c);
	free(use.c);
	return err;
}
