/*
 * privforms -- the admin and auditor command line.
 *
 *	privforms [--config FILE] COMMAND [ARGS]
 *
 * Without --config it reads $PRIVFORMS_CONFIG, else the compiled-in default
 * (in a source tree, ./var/privforms.conf, the one `make run` uses).  Exit
 * status: 0 success, 1 failure (said on stderr), 2 usage error; `dnc check`
 * says 1 for "not registered" and 2 for an error.  The commands live in
 * tools/cmd_*.c, one file per group.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "config.h"
#include "store.h"

static const struct cmd *const groups[] = {
	/* "requests report" before "requests", which would take its words. */
	cmds_init, cmds_unsubscribe, cmds_links, cmds_dnc, cmds_laws,
	cmds_requests_report, cmds_request,
	cmds_export, cmds_party, cmds_feedback, cmds_guard, cmds_purge,
	cmds_backup, cmds_migrate, cmds_mail, cmds_audit, cmds_checkpoint, cmds_metrics,
	cmds_consent, cmds_optouts, cmds_lists, NULL,
};

static void
usage(FILE *f)
{
	const struct cmd *const *g;
	const struct cmd	*cmd;

	fprintf(f, "usage: privforms [--config FILE] COMMAND [ARGS]\n\n");
	for (g = groups; *g != NULL; g++)
		for (cmd = *g; cmd->name != NULL; cmd++)
			fprintf(f, "  privforms %s %s\n", cmd->name, cmd->args);
	fprintf(f, "\n'privforms COMMAND --help' describes a command.\n");
}

/*
 * How many words of argv cmd's name (words separated by one space) is:
 * all of them, or 0 if argv does not begin with it.
 */
static int
name_words(const char *name, int argc, char **argv)
{
	size_t	 n;
	int	 i;

	for (i = 0; i < argc; i++) {
		n = strcspn(name, " ");
		if (strncmp(name, argv[i], n) != 0 || argv[i][n] != '\0')
			return 0;
		if (name[n] == '\0')
			return i + 1;
		name += n + 1;
	}
	return 0;
}

/* The command named by argv (one to three words); *used says how many. */
static const struct cmd *
find(int argc, char **argv, int *used)
{
	const struct cmd *const *g;
	const struct cmd	*cmd;

	for (g = groups; *g != NULL; g++)
		for (cmd = *g; cmd->name != NULL; cmd++)
			if ((*used = name_words(cmd->name, argc, argv)) > 0)
				return cmd;
	return NULL;
}

static int
has_help(int argc, char **argv)
{
	int	 i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct ctx	 c = { 0 };
	struct cli_args	 a;
	const struct cmd *cmd;
	int		 used, rc;

	/* Data files are the service's alone (the database 0640, not 0644). */
	umask(027);
	argc--, argv++;
	if (argc >= 2 && strcmp(argv[0], "--config") == 0) {
		c.config = argv[1];
		argc -= 2, argv += 2;
	}
	if (argc == 0 || strcmp(argv[0], "--help") == 0 ||
	    strcmp(argv[0], "-h") == 0) {
		usage(argc == 0 ? stderr : stdout);
		return argc == 0 ? 2 : 0;
	}
	if ((cmd = find(argc, argv, &used)) == NULL) {
		fprintf(stderr, "privforms: unknown command: %s\n", argv[0]);
		usage(stderr);
		return 2;
	}
	if (has_help(argc - used, argv + used)) {
		printf("usage: privforms %s %s\n\n%s\n", cmd->name, cmd->args,
		    cmd->help);
		return 0;
	}
	if (c.config == NULL)
		c.config = pf_config_default_path();
	if ((rc = cli_parse(cmd->spec, argc - used, argv + used, &a)) == 0)
		rc = cmd->fn(&c, &a);
	if (rc == CLI_USAGE) {
		fprintf(stderr, "usage: privforms %s %s\n", cmd->name, cmd->args);
		rc = 2;
	}
	pf_store_close(c.st);
	pf_config_free(c.cfg);
	return rc;
}

