/*
 * fixture.h -- what the unit tests share: removing their scratch
 * directory, and reading back a message a test has queued in the outbox.
 * tests/unit/fixture.c is linked into every tests/unit/test_* program.
 */
#ifndef PF_TEST_FIXTURE_H
#define PF_TEST_FIXTURE_H

#include "mail.h"
#include "store.h"

/* Remove the files (and empty directories) in dir, then dir: a test's mkdtemp directory. */
void pf_test_rmdir(const char *dir);

/* An outbox message as a test reads it back. */
struct pf_test_queued {
	struct pf_mail	 m;		/* cleared by the caller (pf_mail_clear) */
	char		 recipient[256];
	char		 subject[80];	/* "" when the row has none */
};

/* Outbox message id of st, loaded into q (the test fails if there is none). */
void pf_test_queued(struct pf_store *st, long long id,
    struct pf_test_queued *q);

/* The value called name of m, or NULL. */
const char *pf_test_value(const struct pf_mail *m, const char *name);

/* Messages in the outbox of st, in every state. */
long long pf_test_outbox_total(struct pf_store *st);

#endif
