/*
 * lists.c -- the mailing lists table and its notice versions (lists.h).
 * Read as lib/consent.c reads the consent categories: file.h's line
 * reader, one check per field, each failure naming the line.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "file.h"
#include "keys.h"
#include "lists.h"
#include "named.h"
#include "validate.h"

#define NFIELDS		5	/* id channel double_opt_in name description */
#define NAME_MAX_BYTES	64
#define DESC_MAX_BYTES	600

static const char *const channels[] = { "email", "sms" };

/* The static spelling of channel s, or NULL. */
static const char *
channel_of(const char *s)
{
	size_t	 i;

	for (i = 0; i < sizeof(channels) / sizeof(channels[0]); i++)
		if (strcmp(s, channels[i]) == 0)
			return channels[i];
	return NULL;
}

/* Text shown to a person: 1 to max bytes. */
static int
text_ok(const char *s, size_t max)
{
	return s[0] != '\0' && strlen(s) <= max;
}

/* What is wrong with a row's fields, or NULL. */
static const char *
check_fields(const struct pf_lists *l, char **f)
{
	if (!pf_id_ok(f[0], PF_LIST_ID_MAX))
		return "id must be 1 to 32 of a-z 0-9 - _, starting with a letter";
	if (pf_lists_find(l, f[0]) != NULL)
		return "this id has a row already";
	if (channel_of(f[1]) == NULL)
		return "channel must be email or sms";
	if (strcmp(f[2], "yes") != 0 && strcmp(f[2], "no") != 0)
		return "double_opt_in must be yes or no";
	if (!text_ok(f[3], NAME_MAX_BYTES))
		return "name must be 1 to 64 bytes";
	if (!text_ok(f[4], DESC_MAX_BYTES))
		return "description must be 1 to 600 bytes";
	if (l->n == PF_LISTS_MAX)
		return "more than 32 lists";
	return NULL;
}

/* SHA-256 of the row's fields joined by NUL, 16 hex digits into m. */
static int
notice_make(struct pf_mlist *m, char **f)
{
	char	 buf[PF_FILE_ROW_MAX + NFIELDS], hex[PF_HEX_DIGEST_LEN + 1];
	size_t	 i, pos = 0, k;
	int	 rc;

	for (i = 0; i < NFIELDS; i++) {
		k = strlen(f[i]) + 1;	/* the NUL joins them */
		memcpy(buf + pos, f[i], k);
		pos += k;
	}
	if ((rc = pf_sha256_hex(buf, pos - 1, hex)) == PF_OK)
		snprintf(m->notice, sizeof(m->notice), "%.16s", hex);
	return rc;
}

static void
mlist_clear(struct pf_mlist *m)
{
	free(m->name);
	free(m->description);
	memset(m, 0, sizeof(*m));
}

/* One row's fields into arg, a struct pf_lists (file.h). */
static int
add_row(char **f, void *arg, char *msg, size_t msglen)
{
	struct pf_lists	*l = arg;
	struct pf_mlist	*m;
	const char	*why;

	if ((why = check_fields(l, f)) != NULL) {
		pf_errmsg(msg, msglen, "%s", why);
		return PF_ECONFIG;
	}
	m = &l->lists[l->n];
	snprintf(m->id, sizeof(m->id), "%s", f[0]);
	m->channel = channel_of(f[1]);
	m->double_opt_in = strcmp(f[2], "yes") == 0;
	if ((m->name = strdup(f[3])) == NULL ||
	    (m->description = strdup(f[4])) == NULL ||
	    notice_make(m, f) != PF_OK) {
		mlist_clear(m);
		return PF_ENOMEM;
	}
	l->n++;
	return PF_OK;
}

static int
table_read(FILE *f, const char *name, void *arg, char *err, size_t errlen)
{
	struct pf_lists	*l = arg;
	int		 rc;

	/* A row's fault and file.h's (a NUL, a read error): PF_ECONFIG. */
	rc = pf_file_table(f, name, NFIELDS, add_row, l, err, errlen);
	if (rc == PF_ECONFIG)
		rc = PF_EINVAL;
	if (rc == PF_OK && l->n == 0) {
		pf_errmsg(err, errlen, "%s: no list", name);
		rc = PF_EINVAL;
	}
	return rc;
}

/* rc's outcome: *why set from err on failure, *out emptied. */
static int
finish(int rc, const char *err, struct pf_lists *out, char **why)
{
	if (why != NULL)
		*why = NULL;
	if (rc == PF_OK)
		return PF_OK;
	pf_lists_clear(out);
	if (why != NULL)
		*why = strdup(err[0] != '\0' ? err : pf_strerror(rc));
	return rc;
}

int
pf_lists_parse(const char *text, size_t len, const char *name,
    struct pf_lists *out, char **why)
{
	char	 err[512] = "";

	memset(out, 0, sizeof(*out));
	return finish(pf_file_read_text(text, len, name, table_read, out, err,
	    sizeof(err)), err, out, why);
}

int
pf_lists_load(const char *path, struct pf_lists *out, char **why)
{
	char	 err[512] = "";
	int	 rc;

	memset(out, 0, sizeof(*out));
	rc = pf_file_read_path(path, table_read, out, err, sizeof(err));
	if (rc == PF_ECONFIG)	/* could not be opened */
		rc = PF_EINVAL;
	return finish(rc, err, out, why);
}

int
pf_lists_load_config(const struct pf_config *cfg, struct pf_lists *out,
    char **why)
{
	return pf_lists_load(cfg->mailing_lists, out, why);
}

void
pf_lists_clear(struct pf_lists *l)
{
	while (l->n > 0)
		mlist_clear(&l->lists[--l->n]);
}

const struct pf_mlist *
pf_lists_find(const struct pf_lists *l, const char *id)
{
	return pf_named_find(l->lists, l->n, sizeof(*l->lists),
	    offsetof(struct pf_mlist, id), id);
}
