/*
 * fuzz_config.c -- privforms.conf as the operator writes it
 * (pf_config_parse, the buffer entry point of pf_config_load).
 *
 * Whatever the text: a configuration or an error (one line, naming the
 * file and a line), never both; and the same text with every line ended
 * by CRLF instead of LF reads the same (an editor's line ends change
 * nothing), to the same error message.  A configuration read has an
 * absolute base URL for mails' links.
 */
#include <string.h>

#include "config.h"
#include "err.h"
#include "fuzz.h"

#define NAME	"fuzz.conf"
#define DIR	"/etc/privforms-fuzz"

struct result {
	int			 rc;
	struct pf_config	*cfg;
	char			 err[512];
};

static void
parse(const char *text, size_t len, struct result *r)
{
	r->err[0] = '\0';
	r->rc = pf_config_parse(text, len, NAME, DIR, &r->cfg, r->err,
	    sizeof(r->err));
	fuzz_loaded(r->rc, r->cfg != NULL, r->err, NAME);
	if (r->rc == PF_OK)
		FUZZ_ASSERT(strcmp(r->cfg->path, NAME) == 0);
}

/* A configuration's links are absolute. */
static void
check_config(const struct pf_config *cfg)
{
	char	*url;

	FUZZ_ASSERT((url = pf_config_url(cfg, "/")) != NULL);
	FUZZ_ASSERT(strncmp(url, "http://", 7) == 0 ||
	    strncmp(url, "https://", 8) == 0);
	FUZZ_ASSERT(strncmp(url, cfg->base_url, strlen(cfg->base_url)) == 0);
	/* Nothing that could end a link in a mail, or a header line. */
	FUZZ_ASSERT(strcspn(url, " \t\r\n<>\"") == strlen(url));
	free(url);
	FUZZ_ASSERT(cfg->prefix[0] == '\0' || cfg->prefix[0] == '/');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result	 a, b;
	char		*text;
	size_t		 n;

	parse((const char *)data, size, &a);
	if (a.rc == PF_OK)
		check_config(a.cfg);
	text = fuzz_crlf((const char *)data, size, &n);
	parse(text, n, &b);
	FUZZ_ASSERT(a.rc == b.rc);
	FUZZ_ASSERT(strcmp(a.err, b.err) == 0);
	pf_config_free(a.cfg);
	pf_config_free(b.cfg);
	free(text);
	return 0;
}
