-- 008-audit-count.sql -- how many audit records each form and event has,
-- for `privforms metrics` (store.h, "monitoring").
--
-- Every accepted submission and every change has one audit record, so
-- counting records by form and event counts what the forms stored.  The
-- trail only grows (a million records a day is possible), and counting it
-- on every scrape would read all of it inside a read lock that holds up
-- the forms' commits; so the count is kept as the records are stored.

-- One row per form ("unsubscribe", ..., "admin" for the privforms
-- command, "mail" for the sender) and event ("unsubscribed", ...).  n
-- only grows: records are never deleted, so it is a Prometheus counter.
-- WITHOUT ROWID: a few dozen rows on one page, written in the same
-- transaction as the record itself.
CREATE TABLE audit_count (
	form	TEXT NOT NULL,
	event	TEXT NOT NULL,
	n	INTEGER NOT NULL,
	PRIMARY KEY (form, event)
) STRICT, WITHOUT ROWID;

-- The records stored before this migration, once.
INSERT INTO audit_count (form, event, n)
SELECT form, event, count(*) FROM audit GROUP BY form, event;

-- Each record counts as it is stored, whoever stores it: a trigger, so no
-- code path can add a record and forget the count.
CREATE TRIGGER audit_count_put AFTER INSERT ON audit
BEGIN
	INSERT INTO audit_count (form, event, n) VALUES (NEW.form, NEW.event, 1)
	ON CONFLICT (form, event) DO UPDATE SET n = n + 1;
END;
