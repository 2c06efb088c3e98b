/*
 * responder.h -- what the minimal store responders (store-responder.c on
 * SQLite, pgstore-responder.c on PostgreSQL) share: the configuration, the
 * `email` field of a body, and the FastCGI loop that answers 303 when the
 * engine's store function has committed the row, else 503.  Header-only:
 * each responder is one program built from one file (the Makefile's
 * tests/bench/% rule).
 */
#ifndef PF_BENCH_RESPONDER_H
#define PF_BENCH_RESPONDER_H

#include <stdio.h>
#include <string.h>

#include <fcgiapp.h>

#include "config.h"

/* privforms.conf, as the programs load it; NULL (and a message) if not. */
static struct pf_config *
responder_config(const char *name)
{
	struct pf_config	*cfg;
	char			 err[256];

	if (pf_config_load(pf_config_default_path(), &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", name, err);
		return NULL;
	}
	return cfg;
}

/* The value of email= in body (not decoded: the benchmark sends plain text). */
static const char *
responder_email(char *body)
{
	char	*p = strstr(body, "email="), *end;

	if (p == NULL)
		return NULL;
	p += 6;
	if ((end = strchr(p, '&')) != NULL)
		*end = '\0';
	return p;
}

/*
 * Answer requests until the FastCGI server goes away: store(db, email)
 * returns 1 once the row is committed.  0 when done, 1 if libfcgi fails.
 */
static int
responder_serve(int (*store)(void *db, const char *email), void *db)
{
	FCGX_Request	 r;
	char		 body[16384];
	const char	*email;
	int		 n;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		n = FCGX_GetStr(body, sizeof(body) - 1, r.in);
		body[n > 0 ? n : 0] = '\0';
		if ((email = responder_email(body)) != NULL && store(db, email))
			FCGX_PutS("Status: 303 See Other\r\nLocation: /bench/done\r\n"
			    "Content-Type: text/plain\r\n\r\nSee Other\n", r.out);
		else
			FCGX_PutS("Status: 503 Service Unavailable\r\n"
			    "Content-Type: text/plain\r\n\r\ntry again\n", r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}

#endif
