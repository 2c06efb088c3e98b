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
 *
 * Rows go into the target in batches: one INSERT of many rows (VALUES
 * (...), (...), ...) is one round trip to a server, where a row each
 * would make a copy of millions of audit records take hours.  A table's
 * rows are buffered up to its batch, PF_STORE_COPY_BATCH rows or fewer
 * where that many would pass the engines' limit on parameters, and sent
 * as one statement; the last, partial batch goes as a few statements of
 * fewer rows, a power of two each (255 = 128 + 64 + ... + 1), so that the
 * statements of a table are a fixed few whatever its number of rows, each
 * prepared once.  Each statement must insert exactly its rows.
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
#define TEXT_MAX	(1 << 20)	/* a made statement's text, at most */
#define NAME_MAX_LEN	63	/* PostgreSQL's identifiers, at most */
/* Parameters of one statement, at most: SQLite's limit (PostgreSQL's is 65535). */
#define PARAMS_MAX	32766
#define BATCH_LOG	8	/* PF_STORE_COPY_BATCH is 1 << BATCH_LOG */

/*
 * The statements made per table: count, clear, read, and the INSERTs of
 * 1, 2, 4, ... PF_STORE_COPY_BATCH rows (K_WRITE + k: 1 << k rows).
 */
enum { K_ROWS, K_CLEAR, K_READ, K_OFF, K_ON, K_WRITE,
	NKIND = K_WRITE + BATCH_LOG + 1 };

static const char *const kind_what[K_WRITE + 1] = {
	"copy: count", "copy: clear", "copy: read", "copy: triggers off",
	"copy: triggers on", "copy: write"
};

_Static_assert(PF_STORE_COPY_BATCH == 1 << BATCH_LOG,
    "a batch is a power of two: its statements are K_WRITE + log2(rows)");

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
	char		*text;		/* NUL-ended, len bytes; NULL: none yet */
	size_t		 len, cap;
	char		 what[80];
};

static void
made_free(struct made *m)
{
	if (m != NULL)
		free(m->text);
	free(m);
}

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

/*
 * The reference of kind k of table t, with m's text, which is written
 * already and stays where it is while the reference is used.
 */
static struct pf_sql_ref
made_ref(struct made *m, size_t t, int k, const char *table)
{
	int	 id = (int)(t * NKIND + (size_t)k);

	snprintf(m->what, sizeof(m->what), "%s %s",
	    kind_what[k < K_WRITE ? k : K_WRITE], table);
	memset(m->sql, 0, sizeof(m->sql));
	m->sql[id].what = m->what;
	m->sql[id].text = m->text;
	m->set.part = PF_SQL_COPY;
	m->set.n = NALL * NKIND;
	m->set.sql = m->sql;
	return PF_SQL_REF(&m->set, id);
}

/* Append to m's text what fmt says: PF_OK, PF_ENOMEM or PF_ETOOBIG. */
static int
text_add(struct made *m, const char *fmt, const char *a, const char *b)
{
	int	 w = snprintf(NULL, 0, fmt, a, b);
	size_t	 cap;
	char	*grown;

	if (w < 0 || m->len + (size_t)w >= TEXT_MAX)
		return PF_ETOOBIG;
	if (m->len + (size_t)w >= m->cap) {
		cap = (m->len + (size_t)w + 1) * 2;
		if ((grown = realloc(m->text, cap)) == NULL)
			return PF_ENOMEM;
		m->text = grown;
		m->cap = cap;
	}
	snprintf(m->text + m->len, m->cap - m->len, fmt, a, b);
	m->len += (size_t)w;
	return PF_OK;
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
	size_t		 t;
	int		 err;

	*n = 0;
	if ((err = table_index(table, 1, &t)) != PF_OK)
		return err;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return PF_ENOMEM;
	if ((err = text_add(m, "SELECT count(*) FROM \"%s\"%s", table,
	    "")) == PF_OK)
		err = pf_sql_one(st, made_ref(m, t, K_ROWS, table), PF_NOARGS,
		    pf_row_int0, n);
	made_free(m);
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
	long long	 n = 0;
	int		 err;

	if ((err = pf_store_table_rows(st, table, &n)) != PF_OK || n == 0)
		return err;
	m->len = 0;
	if ((err = text_add(m, "DELETE FROM \"%s\"%s", table, "")) != PF_OK)
		return err;
	return pf_sql_exec(st, made_ref(m, t, K_CLEAR, table), PF_NOARGS,
	    NULL);
}

/*
 * Run the engine's statement d (PF_DIALECT_TRIGGERS_OFF or _ON) for table
 * on st, as kind k: nothing when the engine has none.
 */
static int
triggers_set(struct pf_store *st, struct made *m, size_t t, const char *table,
    int k, enum pf_dialect d)
{
	struct pf_sql_ref f = pf_sql_dialect(st, d);
	int		 err;

	if (f.set->sql[f.id].text == NULL)
		return PF_OK;
	m->len = 0;
	if ((err = text_add(m, f.set->sql[f.id].text, table, "")) != PF_OK)
		return err;
	return pf_sql_exec(st, made_ref(m, t, k, table), PF_NOARGS, NULL);
}

/* ---- the copy ---- */

/*
 * One table's copy: the rows read and not yet written (rows of them, each
 * cols->n values, whose bytes are at off[] in bytes: bytes may move while
 * it grows), and the INSERTs made so far (w[k]: of 1 << k rows).
 */
struct copy {
	struct pf_store		*to;
	const char		*table;
	size_t			 t;	/* its place (table_index) */
	const struct columns	*cols;	/* as to has them, in the read's order */
	struct pf_sql_val	*v;	/* batch * cols->n */
	size_t			*off;
	char			*bytes;
	size_t			 used, cap;
	int			 rows, batch;
	struct made		*w[BATCH_LOG + 1];
	int			 numbered;	/* its column, or -1 */
	long long		 max, copied;
};

/* Keep len bytes at p for value i of the batch: PF_OK or PF_ENOMEM. */
static int
bytes_keep(struct copy *c, size_t i, const void *p, size_t len)
{
	size_t	 cap;
	char	*grown;

	if (c->used + len > c->cap) {
		cap = (c->used + len) * 2;
		if ((grown = realloc(c->bytes, cap)) == NULL)
			return PF_ENOMEM;
		c->bytes = grown;
		c->cap = cap;
	}
	if (len > 0)
		memcpy(c->bytes + c->used, p, len);
	c->off[i] = c->used;
	c->used += len;
	return PF_OK;
}

/* The INSERT of n rows (a power of two) of c's columns, into w. */
static int
write_text(struct made *w, const char *table, const struct columns *cs,
    int n)
{
	char	 p[16];
	int	 i, r, err;

	err = text_add(w, "INSERT INTO \"%s\" (%s", table, "");
	for (i = 0; err == PF_OK && i < cs->n; i++)
		err = text_add(w, "%s\"%s\"", i > 0 ? ", " : "", cs->c[i].name);
	if (err == PF_OK)
		err = text_add(w, ") VALUES %s%s", "", "");
	for (r = 0; err == PF_OK && r < n; r++)
		for (i = 0; err == PF_OK && i < cs->n; i++) {
			snprintf(p, sizeof(p), "?%d", r * cs->n + i + 1);
			err = text_add(w, "%s%s", i > 0 ? ", " :
			    r > 0 ? "), (" : "(", p);
		}
	return err == PF_OK ? text_add(w, ")%s%s", "", "") : err;
}

/* Insert n (1 << k) buffered rows from row `from` on into c->to. */
static int
rows_write(struct copy *c, int from, int k)
{
	struct pf_sql_val *v = &c->v[(size_t)from * (size_t)c->cols->n];
	long long	 changed = 0;
	int		 i, n = 1 << k, nv = n * c->cols->n, err;

	if (c->w[k] == NULL) {
		if ((c->w[k] = calloc(1, sizeof(*c->w[k]))) == NULL)
			return PF_ENOMEM;
		if ((err = write_text(c->w[k], c->table, c->cols, n)) != PF_OK)
			return err;
	}
	for (i = 0; i < nv; i++)
		if (v[i].type == PF_SQL_TEXT)
			v[i].text = c->bytes + c->off[v - c->v + i];
		else if (v[i].type == PF_SQL_BLOB)
			v[i].blob = c->bytes + c->off[v - c->v + i];
	err = pf_sql_exec(c->to, made_ref(c->w[k], c->t, K_WRITE + k,
	    c->table), (struct pf_sql_args){ v, nv }, &changed);
	if (err == PF_OK && changed != n) {
		pf_log(PF_LOG_ERR, "store: copy: table %s: %lld rows of %d "
		    "inserted", c->table, changed, n);
		err = PF_ESTORE;
	}
	if (err == PF_OK)
		c->copied += n;
	return err;
}

/* Write every buffered row: a full batch at once, the rest in powers of two. */
static int
rows_flush(struct copy *c)
{
	int	 from = 0, k, err = PF_OK;

	while (err == PF_OK && from < c->rows) {
		for (k = BATCH_LOG; (1 << k) > c->rows - from; k--)
			;
		err = rows_write(c, from, k);
		from += 1 << k;
	}
	c->rows = 0;
	c->used = 0;
	return err;
}

static int
copy_row(const struct pf_row *r, void *ctx)
{
	struct copy	*c = ctx;
	struct pf_sql_val *v;
	const void	*p;
	size_t		 i, len;
	int		 col, err = PF_OK;

	for (col = 0; err == PF_OK && col < c->cols->n; col++) {
		i = (size_t)c->rows * (size_t)c->cols->n + (size_t)col;
		v = &c->v[i];
		memset(v, 0, sizeof(*v));
		if (pf_row_null(r, col)) {
			v->type = PF_SQL_NULL;
			continue;
		}
		if (c->cols->c[col].blob) {
			v->type = PF_SQL_BLOB;
			p = pf_row_blob(r, col, &len);
			v->len = len;
		} else {
			v->type = PF_SQL_TEXT;
			p = pf_row_text(r, col);
			len = strlen(p) + 1;
		}
		err = bytes_keep(c, i, p, len);
	}
	if (err != PF_OK)
		return err;
	if (c->numbered >= 0 && COL_I(c->numbered) > c->max)
		c->max = COL_I(c->numbered);
	return ++c->rows == c->batch ? rows_flush(c) : PF_OK;
}

/* The SELECT of cs from table into r. */
static int
read_text(struct made *r, const char *table, const struct columns *cs)
{
	int	 i, err;

	err = text_add(r, "SELECT %s%s", "", "");
	for (i = 0; err == PF_OK && i < cs->n; i++)
		err = text_add(r, "%s\"%s\"", i > 0 ? ", " : "", cs->c[i].name);
	return err == PF_OK ? text_add(r, " FROM \"%s\"%s", table, "") : err;
}

/*
 * The rows of c's table per INSERT: PF_STORE_COPY_BATCH, or the largest
 * power of two whose parameters stay within PARAMS_MAX.
 */
static int
batch_of(const struct columns *cs)
{
	int	 b = PF_STORE_COPY_BATCH;

	while (b > 1 && (long)b * cs->n > PARAMS_MAX)
		b /= 2;
	return b;
}

/* Read every row of table from st and insert it into c->to. */
static int
rows_copy(struct pf_store *st, struct copy *c)
{
	struct made	*r;
	int		 i, err;

	c->batch = batch_of(c->cols);
	r = calloc(1, sizeof(*r));
	c->v = calloc((size_t)c->batch * (size_t)c->cols->n, sizeof(*c->v));
	c->off = calloc((size_t)c->batch * (size_t)c->cols->n,
	    sizeof(*c->off));
	err = r == NULL || c->v == NULL || c->off == NULL ? PF_ENOMEM :
	    read_text(r, c->table, c->cols);
	c->numbered = -1;
	for (i = 0; i < c->cols->n; i++)
		if (c->cols->c[i].numbered)
			c->numbered = i;
	if (err == PF_OK)
		err = pf_sql_each(st, made_ref(r, c->t, K_READ, c->table),
		    PF_NOARGS, copy_row, c);
	if (err == PF_OK)
		err = rows_flush(c);
	for (i = 0; i <= BATCH_LOG; i++)
		made_free(c->w[i]);
	free(c->v);
	free(c->off);
	free(c->bytes);
	made_free(r);
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
	c.table = table;
	c.t = t;
	c.cols = &use;
	if (err == PF_OK)
		err = triggers_set(to, m, t, table, K_OFF,
		    PF_DIALECT_TRIGGERS_OFF);
	if (err == PF_OK && (err = rows_copy(st, &c)) == PF_OK &&
	    (err = triggers_set(to, m, t, table, K_ON,
	    PF_DIALECT_TRIGGERS_ON)) == PF_OK)
		err = ids_after(st, &c, table);
	if (rows != NULL)
		*rows = c.copied;
	made_free(m);
	free(from_cols.c);
	free(to_cols.c);
	free(use.c);
	return err;
}
