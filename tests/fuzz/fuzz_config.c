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

/* A fuzz_loader: a configuration read is named NAME, its links absolute. */
static void
load(const char *text, size_t len, struct fuzz_load *r)
{
	struct pf_config	*cfg = NULL;

	r->err[0] = '\0';
	r->rc = pf_config_parse(text, len, NAME, DIR, &cfg, r->err,
	    sizeof(r->err));
	r->made = cfg;
	fuzz_loaded(r->rc, cfg != NULL, r->err, NAME);
	if (r->rc == PF_OK) {
		FUZZ_ASSERT(strcmp(cfg->path, NAME) == 0);
		check_config(cfg);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_load	 a, b;

	load((const char *)data, size, &a);
	fuzz_same_with_crlf(load, data, size, &a, &b);
	pf_config_free(a.made);
	pf_config_free(b.made);
	return 0;
}
