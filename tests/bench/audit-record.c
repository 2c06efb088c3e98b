/*
 * audit-record -- append one audit record to a privforms database through
 * the library (pf_audit_append, as every form does) and print its file's
 * bytes: the reference that tests/bench/audit_day.py holds its generated
 * records against.
 *
 *	audit-record DB EVENT FORM REQUEST SUBJECT [NAME VALUE]...
 *
 * REQUEST or SUBJECT "-" leaves it out.  Exit 0 with the record on stdout,
 * 1 with the reason on stderr.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "err.h"
#include "store.h"

static int
append(struct pf_store *st, const struct pf_audit_event *ev)
{
	struct pf_audit_record	 rec;
	int			 rc;

	if ((rc = pf_store_begin(st)) != PF_OK)
		return rc;
	if ((rc = pf_audit_append(st, ev, &rec)) != PF_OK) {
		pf_store_rollback(st);
		return rc;
	}
	if ((rc = pf_store_commit(st)) == PF_OK &&
	    fwrite(rec.xml, 1, rec.xml_len, stdout) != rec.xml_len)
		rc = PF_EIO;
	pf_audit_record_clear(&rec);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct pf_store_opts	 opts = { NULL, NULL, 0 };
	struct pf_audit_event	 ev;
	struct pf_store		*st;
	int			 rc;

	if (argc < 6 || (argc - 6) % 2 != 0) {
		fprintf(stderr, "usage: audit-record DB EVENT FORM REQUEST "
		    "SUBJECT [NAME VALUE]...\n");
		return 1;
	}
	opts.path = argv[1];
	ev.event = argv[2];
	ev.form = argv[3];
	ev.request_id = strcmp(argv[4], "-") != 0 ? argv[4] : NULL;
	ev.subject = strcmp(argv[5], "-") != 0 ? argv[5] : NULL;
	ev.details = (const char *const *)argv + 6;	/* argv[argc] is NULL */
	if ((rc = pf_store_open(&opts, &st)) == PF_OK) {
		rc = append(st, &ev);
		pf_store_close(st);
	}
	if (rc != PF_OK) {
		fprintf(stderr, "audit-record: %s\n", pf_strerror(rc));
		return 1;
	}
	return 0;
}
