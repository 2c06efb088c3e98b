-- 003-dnc.sql -- the internal Do-Not-Call register (store.h, "dnc").
--
-- A registration is effective the moment its transaction commits: every
-- dialer that runs `privforms dnc check` reads this table.  Rows leave it
-- only through `privforms dnc remove` or a purge past the retention period,
-- both audited.

-- One row per number.  The key is the number's keyed pseudonym (keys.h,
-- pf_pseudonym("phone", E.164)), the same subject the audit records carry,
-- so a check, a removal and the records of both meet on one value.
-- Registering again keeps the one row and its created time and moves
-- updated, which is what retention counts from.  WITHOUT ROWID, keyed by
-- subject: one B-tree to write per registration instead of a table and an
-- index (each page written costs a journal write too, inside the lock).
--
-- The CHECKs refuse what a caller's mistake would store: a subject that is
-- not a pseudonym (a raw number in the key column would put personal data
-- where the audit trail promises a pseudonym), a number not in E.164 form,
-- a country that is not an ISO 3166-1 alpha-2 code.
CREATE TABLE dnc (
	subject		TEXT NOT NULL PRIMARY KEY
	    CHECK (length(subject) = 64 AND subject NOT GLOB '*[^0-9a-f]*'),
	number		TEXT NOT NULL	-- E.164: '+', then at most 15 digits
	    CHECK (number GLOB '+[1-9]*' AND number NOT GLOB '+*[^0-9]*' AND
	    length(number) <= 16),
	country		TEXT NOT NULL	-- the region the number was read in
	    CHECK (country GLOB '[A-Z][A-Z]'),
	first_name	TEXT,
	last_name	TEXT,
	company		TEXT,
	email		TEXT,		-- email key, for the confirmation mail
	created		TEXT NOT NULL,	-- first registration
	updated		TEXT NOT NULL	-- latest registration
) STRICT, WITHOUT ROWID;

-- No index on created (export's --since and order) or updated (the purge's
-- batches).  Both are admin commands over a table of tens of thousands of
-- rows, which SQLite scans and sorts in milliseconds; an index would be one
-- more B-tree written on every registration, inside the write lock the form
-- workers share, and the index on updated on every repeated one as well.
-- Lookups by number, the path a dialer and the form take, use the key.
