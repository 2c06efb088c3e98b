/* cmd_init.c -- privforms init: the data directories, the key, the database, the hub page. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "config.h"
#include "err.h"
#include "file.h"
#include "keys.h"
#include "page.h"
#include "store.h"

static int	cmd_init(struct ctx *, int, char **);

const struct cmd cmds_init[] = {
	{ "init", cmd_init, "",
	  "Create the database (or bring its schema up to date), the secret key\n"
	  "file (mode 0600, never overwritten), the audit directory, and render\n"
	  "the hub page with the links set in the configuration.  Safe to run\n"
	  "again, e.g. after editing the hub links or upgrading." },
	{ NULL, NULL, NULL, NULL },
};

/* The hub's configurable links: template ids and config values. */
static int
hub_links(struct pf_page *page, const struct pf_config *cfg)
{
	const struct { const char *li, *a, *url; } links[] = {
		{ "hub-support", "hub-support-link", cfg->support_url },
		{ "hub-dpa", "hub-dpa-link", cfg->dpa_url },
		{ "hub-account", "hub-account-link", cfg->account_url },
	};
	size_t	 i, shown = 0;
	int	 rc = PF_OK;

	for (i = 0; i < 3 && rc == PF_OK; i++) {
		if (links[i].url[0] == '\0')
			rc = pf_page_remove(page, links[i].li);
		else {
			rc = pf_page_attr(page, links[i].a, "href", links[i].url);
			shown++;
		}
	}
	if (rc == PF_OK && shown == 0)
		rc = pf_page_remove(page, "hub-more");
	return rc;
}

static int
render_hub(const struct pf_config *cfg)
{
	struct pf_pages	*pages = NULL;
	struct pf_page	*page = NULL;
	char		*buf = NULL, path[4096];
	size_t		 len;
	int		 rc;

	snprintf(path, sizeof(path), "%s/index.html", cfg->site_dir);
	if ((rc = pf_pages_open(cfg->templates, cfg->prefix, &pages)) != PF_OK ||
	    (rc = pf_page_new(pages, "hub", &page)) != PF_OK ||
	    (rc = hub_links(page, cfg)) != PF_OK ||
	    (rc = pf_page_render(page, &buf, &len)) != PF_OK)
		fprintf(stderr, "privforms: hub page from %s: %s\n",
		    cfg->templates, pf_strerror(rc));
	else if (pf_file_replace(path, buf, len, 0644) != PF_OK) {
		fprintf(stderr, "privforms: %s: %s\n", path, strerror(errno));
		rc = PF_EIO;
	} else
		printf("hub page:  %s\n", path);
	free(buf);
	pf_page_free(page);
	pf_pages_free(pages);
	return rc;
}

/*
 * A missing key file is made afresh only where nothing depends on it:
 * erased opt-outs and Do-Not-Call entries are kept as hashes under the
 * old key, and a new key would let their owners be mailed and called
 * again.  0 if a key may be created, 1 (said) if not.
 */
static int
key_needed_back(struct ctx *c)
{
	struct stat	 sb;
	long long	 n;

	if (stat(c->cfg->key_file, &sb) == 0 ||
	    stat(c->cfg->database, &sb) == -1)
		return 0;
	if (cli_open_store(c) != 0 || pf_store_suppress_count(c->st, &n) != PF_OK)
		return 1;
	if (n == 0)
		return 0;
	fprintf(stderr, "privforms: %s is missing, and %lld erased opt-outs "
	    "and Do-Not-Call entries are kept as hashes under it: restore it "
	    "from the backup (a new key would let erased people be contacted "
	    "again)\n", c->cfg->key_file, n);
	return 1;
}

static int
cmd_init(struct ctx *c, int argc, char **argv)
{
	int		 v, rc;

	(void)argv;
	if (argc != 0)
		return CLI_USAGE;
	if (cli_load(c) != 0)
		return 1;
	/* Data stays private to the service; the hub page is public. */
	if (pf_file_mkdirs(c->cfg->audit_dir, 0750) != PF_OK ||
	    pf_file_mkparent(c->cfg->database, 0750) != PF_OK ||
	    pf_file_mkparent(c->cfg->key_file, 0700) != PF_OK ||
	    pf_file_mkdirs(c->cfg->site_dir, 0755) != PF_OK ||
	    chmod(c->cfg->site_dir, 0755) == -1) {
		fprintf(stderr, "privforms: cannot create the data directories: "
		    "%s\n", strerror(errno));
		return 1;
	}
	if (key_needed_back(c))
		return 1;
	if ((rc = pf_keys_create(c->cfg->key_file)) != PF_OK) {
		fprintf(stderr, "privforms: %s: %s\n", c->cfg->key_file,
		    pf_strerror(rc));
		return 1;
	}
	printf("key file:  %s\n", c->cfg->key_file);
	c->create = 1;
	if (cli_open_store(c) != 0 || pf_store_schema_version(c->st, &v) != PF_OK)
		return 1;
	printf("database:  %s (schema %d, journal %s)\n", c->cfg->database, v,
	    pf_store_journal_mode(c->st));
	printf("audit:     %s\n", c->cfg->audit_dir);
	return render_hub(c->cfg) == PF_OK ? 0 : 1;
}
