-- 003-dnc.sql -- the internal Do-Not-Call register (store.h, "dnc").
--
-- A registration is effective the moment its transaction commits: every
-- dialer that runs `privforms dnc check` reads this table.  Rows leave it
-- only through `privforms dnc remove` or a purge past the retention period,
-- both audited.

-- One row per number.  The key is the number itself, in E.164, so that a
-- check depends on nothing but the number: not on the key file that makes
-- the audit records' pseudonyms, whose loss or replacement must not hide a
-- single entry from a dialer.  Registering again keeps the one row and its
-- created time and moves updated, which is what retention counts from.
-- WITHOUT ROWID, keyed by number: one B-tree to write per registration
-- instead of a table and an index (each page written costs a journal write
-- too, inside the lock).
--
-- The CHECKs refuse what a caller's mistake would store: a number not in
-- E.164 form (a second spelling of one number would be a second row, and a
-- check by the first would miss it), a country that is not an ISO 3166-1
-- alpha-2 code.
CREATE TABLE dnc (
	number		TEXT NOT NULL PRIMARY KEY -- E.164: '+', <= 15 digits
	    CHECK (number GLOB '+[1-9]*' AND number NOT GLOB '+*[^0-9]*' AND
	    length(number) <= 16),
	country		TEXT NOT NULL	-- the region the number belongs to
	    CHECK (country GLOB '[A-Z][A-Z]'),
	first_name	TEXT,
	last_name	TEXT,
	company		TEXT,
	email		TEXT,		-- the registrant's email key
	created		TEXT NOT NULL,	-- first registration
	updated		TEXT NOT NULL	-- latest registration
) STRICT, WITHOUT ROWID;

-- country is libphonenumber's region for the number ("GB" for +44...), not
-- what the form's country select said: the number decides where it belongs.
--
-- email is the email key (validate.h) of whoever registered the number.  It
-- is kept so that a data-subject access request for that address can list
-- the registration, and it is erased with that address.

-- No index on created (export's --since and order) or updated (the purge's
-- batches).  Both are admin commands over a table of tens of thousands of
-- rows, which SQLite scans and sorts in milliseconds; an index would be one
-- more B-tree written on every registration, inside the write lock the form
-- workers share, and the index on updated on every repeated one as well.
-- Lookups by number, the path a dialer and the form take, use the key.
