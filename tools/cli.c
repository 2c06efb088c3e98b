/* cli.c -- what the privforms commands share (cli.h). */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "err.h"
#include "phone.h"
#include "store.h"
#include "validate.h"

int
cli_load(struct ctx *c)
{
	char	 err[256];

	if (pf_config_load(c->config, &c->cfg, err, sizeof(err)) != PF_OK) {
		fprintf(stderr, "privforms: %s\n", err);
		if (access(c->config, F_OK) != 0)
			fprintf(stderr, "privforms: name a configuration with "
			    "--config FILE or PRIVFORMS_CONFIG (in a source tree, "
			    "`make run` creates ./var/privforms.conf)\n");
		return 1;
	}
	return 0;
}

int
cli_open_store(struct ctx *c)
{
	struct pf_store_opts	 o;
	int			 rc;

	if (c->st != NULL)
		return 0;
	if (c->cfg == NULL && cli_load(c) != 0)
		return 1;
	if (!c->create && access(c->cfg->database, F_OK) != 0) {
		fprintf(stderr, "privforms: %s: %s (is database in %s right? "
		    "privforms init creates it)\n", c->cfg->database,
		    strerror(errno), c->cfg->path);
		return 1;
	}
	o.path = c->cfg->database;
	o.journal_mode = c->cfg->journal_mode;
	o.busy_timeout_ms = c->cfg->busy_timeout_ms;
	if ((rc = pf_store_open(&o, &c->st)) != PF_OK) {
		fprintf(stderr, "privforms: %s: %s\n", c->cfg->database,
		    pf_strerror(rc));
		return 1;
	}
	return 0;
}

int
cli_load_keys(struct ctx *c, struct pf_keys *keys)
{
	int	 rc;

	if (c->cfg == NULL && cli_load(c) != 0)
		return 1;
	if ((rc = pf_keys_load(c->cfg->key_file, keys)) != PF_OK) {
		fprintf(stderr, "privforms: %s: %s (run privforms init)\n",
		    c->cfg->key_file, pf_strerror(rc));
		return 1;
	}
	return 0;
}

/* s as a whole decimal number of at least 1, or 0 if it is not one. */
long long
cli_positive(const char *s)
{
	long long	 v;
	char		*end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < 1)
		return 0;
	return v;
}

void
cli_csv_field(FILE *f, const char *s, const char *sep)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fprintf(f, "%s%s", s, sep);
		return;
	}
	putc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	fprintf(f, "\"%s", sep);
}

int
cli_date(const char *s)
{
	struct tm	 tm;
	int		 y, m, d;

	static const char	 shape[] = "dddd-dd-dd";
	size_t			 i;

	if (strlen(s) != sizeof(shape) - 1)
		return 0;
	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != '-')
			return 0;
	if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || y < 1)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900, tm.tm_mon = m - 1, tm.tm_mday = d;
	tm.tm_hour = 12;
	/* timegm moves 2026-02-31 to March: a date that does not exist. */
	if (timegm(&tm) == (time_t)-1)
		return 0;
	return tm.tm_year == y - 1900 && tm.tm_mon == m - 1 && tm.tm_mday == d;
}

int
cli_begin(struct ctx *c, struct pf_txn *t)
{
	int	 rc;

	if (cli_open_store(c) != 0)
		return PF_ESTORE;
	if ((rc = pf_txn_begin(t, c->st, c->cfg->audit_dir, "admin")) != PF_OK)
		fprintf(stderr, "privforms: %s: %s\n", c->cfg->database,
		    pf_strerror(rc));
	return rc;
}

int
cli_phone(struct ctx *c, const char *number, const char *country,
    char e164[PF_PHONE_E164_SIZE])
{
	const char	*why;
	char		*norm = NULL;

	if (c->cfg == NULL && cli_load(c) != 0)
		return 1;
	if (country == NULL)
		country = c->cfg->phone_region;
	else if (pf_valid_country(country, NULL, &norm) != NULL) {
		fprintf(stderr, "privforms: --country %s: not an ISO 3166-1 "
		    "alpha-2 code (such as US, GB, DE)\n", country);
		return 1;
	}
	free(norm);
	if ((why = pf_valid_phone(number, country, &norm)) != NULL) {
		fprintf(stderr, "privforms: %s: %s\n", number, why);
		return 1;
	}
	snprintf(e164, PF_PHONE_E164_SIZE, "%s", norm);
	free(norm);
	return 0;
}

int
cli_buffered(const char *what, int (*fill)(struct ctx *, FILE *, void *),
    struct ctx *c, void *arg)
{
	FILE	*mem;
	char	*buf = NULL;
	size_t	 len = 0;
	int	 rc, bad;

	if ((mem = open_memstream(&buf, &len)) == NULL) {
		fprintf(stderr, "privforms: %s: %s\n", what, strerror(errno));
		return 1;
	}
	rc = fill(c, mem, arg);
	bad = ferror(mem);
	if (fclose(mem) != 0 || bad)
		rc = PF_ENOMEM;
	if (rc == PF_OK && (fwrite(buf, 1, len, stdout) != len ||
	    fflush(stdout) != 0))
		rc = PF_EIO;
	free(buf);
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: %s: %s\n", what, pf_strerror(rc));
		return 1;
	}
	return 0;
}

int
cli_suppressed(struct ctx *c, const char *kind, const char *value,
    const char *channel)
{
	struct pf_keys	 keys;
	char		 hash[PF_HEX_DIGEST_LEN + 1];
	long long	 n;
	int		 rc;

	if ((rc = pf_store_suppress_count(c->st, &n)) != PF_OK)
		return rc;
	if (n == 0)
		return PF_ENOTFOUND;
	if (cli_load_keys(c, &keys) != 0)
		return PF_ECONFIG;
	if ((rc = pf_pseudonym(&keys, kind, value, hash)) != PF_OK)
		return rc;
	return pf_store_suppressed(c->st, kind, hash, channel);
}
