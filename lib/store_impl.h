/*
 * store_impl.h -- the connection behind struct pf_store (store.h).
 *
 * PRIVATE to lib/store_sqlite.c, the one file that speaks to SQLite; the
 * query files (lib/store.c, store_requests.c, store_feedback.c,
 * store_guard.c, store_metrics.c) see the connection only as the struct
 * pf_store * they pass to store_sql.h.
 */
#ifndef PF_STORE_IMPL_H
#define PF_STORE_IMPL_H

#include <sqlite3.h>

#include "busy.h"
#include "store_sql.h"

struct journal;

/* The statements of one query file (store_sql.h's pf_sql_part). */
struct pf_store_part {
	sqlite3_stmt	**slot;	/* n of them, each prepared on first use */
	size_t		  n;	/* 0 until the part's first statement runs */
};

struct pf_store {
	sqlite3			*db;
	struct pf_store_part	 part[PF_SQL__PARTS];
	const struct journal	*journal;	/* the mode in force; NULL read-only */
	struct pf_busy		 busy;	/* how a writer waits for the lock */
};

#endif
