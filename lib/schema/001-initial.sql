-- 001-initial.sql -- the first schema: marketing opt-outs and the audit trail.
--
-- store_sqlite.c runs each migration in its own BEGIN IMMEDIATE transaction
-- and sets PRAGMA user_version to the file's number, so nothing here manages
-- either.
-- Times are UTC text, "YYYY-MM-DDTHH:MM:SS.ffffffZ" (pf_utc_now, utc.h), which
-- sorts in time order.  STRICT, so a wrong type is an error, not a conversion.

-- One row per (channel, address, list): opting out twice keeps the first
-- time in created and moves updated.  WITHOUT ROWID, keyed by what makes a
-- row unique: one B-tree to write per opt-out instead of a table and an index
-- (each page written costs a journal write too, inside the lock).
CREATE TABLE optout (
	channel	TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
	address	TEXT NOT NULL,		-- email key or E.164 number
	list	TEXT NOT NULL DEFAULT '',	-- '' is every list
	reason	TEXT,
	source	TEXT NOT NULL,		-- 'form' or 'one-click'
	created	TEXT NOT NULL,
	updated	TEXT NOT NULL,
	PRIMARY KEY (channel, address, list)
) STRICT, WITHOUT ROWID;

-- The audit trail: the durable copy of every record file (audit.h).  xml is
-- the file's exact bytes; prev and digest make the hash chain.  seq is the
-- key, so no record can be stored twice; the digest needs no index of its
-- own (it is looked up only through seq).
CREATE TABLE audit (
	seq	INTEGER PRIMARY KEY,
	time	TEXT NOT NULL,
	event	TEXT NOT NULL,
	form	TEXT NOT NULL,
	prev	TEXT NOT NULL,
	digest	TEXT NOT NULL,
	xml	BLOB NOT NULL
) STRICT;
