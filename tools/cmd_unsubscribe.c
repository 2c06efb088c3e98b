/* cmd_unsubscribe.c -- privforms unsubscribe-link and unsubscribes export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "err.h"
#include "optout.h"
#include "store.h"

static int	cmd_link(struct ctx *, int, char **);
static int	cmd_export(struct ctx *, int, char **);

const struct cmd cmds_unsubscribe[] = {
	{ "unsubscribe-link", cmd_link, "--email ADDRESS [--list ID]",
	  "Print the RFC 8058 one-click unsubscribe URL for ADDRESS (and mailing\n"
	  "list ID), signed and valid for unsubscribe_link_days.  Put it in the\n"
	  "List-Unsubscribe header, with List-Unsubscribe-Post:\n"
	  "List-Unsubscribe=One-Click." },
	{ "unsubscribes export", cmd_export, "",
	  "Write the suppression list as CSV on standard output: address,\n"
	  "channel, list (empty: every list), time of the first opt-out (UTC)." },
	{ NULL, NULL, NULL, NULL },
};

static int
cmd_link(struct ctx *c, int argc, char **argv)
{
	struct pf_keys	 keys;
	const char	*email = NULL, *list = NULL, *why = NULL;
	char		*url = NULL;
	int		 i, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--email") == 0 && i + 1 < argc)
			email = argv[++i];
		else if (strcmp(argv[i], "--list") == 0 && i + 1 < argc)
			list = argv[++i];
		else
			return CLI_USAGE;
	}
	if (email == NULL)
		return CLI_USAGE;
	if (cli_load_keys(c, &keys) != 0)
		return 1;
	rc = pf_optout_link(c->cfg, &keys, email, list, time(NULL), &url, &why);
	if (rc != PF_OK)
		fprintf(stderr, "privforms: %s\n", why != NULL ? why :
		    pf_strerror(rc));
	else
		printf("%s\n", url);
	free(url);
	return rc == PF_OK ? 0 : 1;
}

static int
export_row(const struct pf_optout *o, void *arg)
{
	FILE	*f = arg;

	cli_csv_field(f, o->address, ",");
	cli_csv_field(f, o->channel, ",");
	cli_csv_field(f, o->list, ",");
	cli_csv_field(f, o->created, "\r\n");
	return 0;
}

static int
export_all(struct ctx *c, FILE *f, void *arg)
{
	(void)arg;
	fprintf(f, "address,channel,list,time\r\n");
	return pf_store_optout_each(c->st, export_row, f);
}

static int
cmd_export(struct ctx *c, int argc, char **argv)
{
	(void)argv;
	if (argc != 0)
		return CLI_USAGE;
	if (cli_open_store(c) != 0)
		return 1;
	return cli_buffered("unsubscribes export", export_all, c, NULL);
}
