-- 004-requests.sql -- data subject requests, the parties who make them,
-- and the suppression list that outlives an erasure (store.h, "requests").

-- A party is one verified email address.  Several parties can be one
-- individual (the same person used two addresses): individual is the id
-- of the party the team linked it to, or its own id.  email is the email
-- key (validate.h); it is NULL once the party's data has been erased, and
-- the row stays so that requests and audit records keep their party id.
CREATE TABLE party (
	id		INTEGER PRIMARY KEY,
	individual	INTEGER NOT NULL,
	email		TEXT UNIQUE,	-- email key; NULL once erased
	created		TEXT NOT NULL
) STRICT;
CREATE INDEX party_individual ON party (individual);

-- One row per request.  status moves unverified -> verified -> (extended
-- ->) fulfilled or denied; an unverified request whose verify_by has
-- passed is deleted by `privforms purge`.  law, due, acknowledge and
-- extension are fixed at receipt from the laws table (laws.h), so a later
-- edit of the table does not move a deadline already promised; extended
-- says the one extension has been used.  The personal fields (names,
-- organisation, email, email_key, details) are NULL once erased; subject
-- (the pseudonym in the audit records) and the dates stay.  id is
-- AUTOINCREMENT so that it is never reused: a status link seals only the
-- id and stays valid long after a purge or a deletion could free it.
CREATE TABLE request (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	type		TEXT NOT NULL CHECK (type IN ('access', 'deletion',
	    'correction', 'portability', 'restriction', 'objection',
	    'opt-out-sale', 'other')),
	relationship	TEXT NOT NULL,
	organisation	TEXT,
	first_name	TEXT,
	last_name	TEXT,
	email		TEXT,		-- as typed (normalised), for mail
	email_key	TEXT,		-- for matching
	subject		TEXT NOT NULL,	-- pseudonym of the email key
	country		TEXT NOT NULL CHECK (country GLOB '[A-Z][A-Z]'),
	state		TEXT,		-- US state code, or NULL
	details		TEXT,
	law		TEXT NOT NULL,
	received	TEXT NOT NULL,
	due		TEXT NOT NULL,	-- YYYY-MM-DD, UTC
	acknowledge	TEXT,		-- YYYY-MM-DD, or NULL if the law has none
	extension	TEXT,		-- the law's extension ("2 months"), or NULL
	extended	INTEGER NOT NULL DEFAULT 0 CHECK (extended IN (0, 1)),
	status		TEXT NOT NULL CHECK (status IN ('unverified',
	    'verified', 'extended', 'fulfilled', 'denied')),
	party		INTEGER REFERENCES party (id),	-- set when verified
	verify_by	TEXT NOT NULL,	-- unverified requests expire then
	updated		TEXT NOT NULL
) STRICT;
-- One index: by email key, for the form's storm control, which looks on
-- every submission, and for exports and erasures.  None on status, due
-- or party: the team's lists and the daily purge scan a table of
-- thousands of rows in milliseconds, while each index would be one more
-- B-tree written inside the write lock the forms share, on every
-- submission and every change of status.
CREATE INDEX request_email ON request (email_key, type, received);

-- A request's history, as the status page shows it: one row per change,
-- with the note the requester was told (a denial's reason, say).
CREATE TABLE request_event (
	request		INTEGER NOT NULL REFERENCES request (id)
	    ON DELETE CASCADE,
	seq		INTEGER NOT NULL,
	time		TEXT NOT NULL,
	status		TEXT NOT NULL,	-- the status entered
	note		TEXT,
	PRIMARY KEY (request, seq)
) STRICT, WITHOUT ROWID;

-- What an erasure leaves behind so that an erased person is still never
-- mailed or called: the keyed pseudonym (keys.h) of each email key and
-- number that had an opt-out or a Do-Not-Call entry.  kind is the
-- pseudonym's kind ("email" or "phone"); channel is what it suppresses.
CREATE TABLE suppression (
	kind		TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
	hash		TEXT NOT NULL CHECK (length(hash) = 64),
	channel		TEXT NOT NULL CHECK (channel IN ('email', 'sms',
	    'call')),
	created		TEXT NOT NULL,
	PRIMARY KEY (kind, hash, channel)
) STRICT, WITHOUT ROWID;
