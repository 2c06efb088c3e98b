-- 011-sale-opt-out.sql -- who opted out of sale, sharing and targeted
-- advertising on /privacy/opt-out and gave an address (store.h, "sale
-- opt-outs"), and the suppression list learning the channel "sale".

-- One row per opt-out that named a person: appended, never changed (a
-- new opt-out of the same address is a new row, so its rows are its
-- history).  channel is what address is: "email" (the email key,
-- validate.h's pf_email_key) or "phone" (E.164).  device is the
-- pseudonymous id of the browser that made it (the pf_consent cookie's,
-- consent.h), which ties the person to that browser's consent records;
-- source is where it was made ("form": the opt-out page).  Nothing was
-- verified: CCPA regulations s. 7026 forbid asking for it.  Erasure
-- (erasure.h) deletes an email address's rows, keeping its pseudonym in
-- suppression for channel "sale".
CREATE TABLE sale_opt_out (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	channel		TEXT NOT NULL CHECK (channel IN ('email', 'phone')),
	address		TEXT NOT NULL CHECK (length(address) BETWEEN 3 AND 254),
	device		TEXT NOT NULL CHECK (length(device) = 22),
	created		TEXT NOT NULL,
	source		TEXT NOT NULL CHECK (source IN ('form'))
) STRICT;
-- By address (the request export, erasure) and by time (optouts export).
CREATE INDEX sale_opt_out_address ON sale_opt_out (address, created);
CREATE INDEX sale_opt_out_created ON sale_opt_out (created);
-- Only appended, and deleted whole by an erasure.
CREATE TRIGGER sale_opt_out_append_only BEFORE UPDATE ON sale_opt_out
BEGIN SELECT RAISE(ABORT, 'sale opt-outs are never changed'); END;

-- suppression's channel may now be "sale" too: an erased person's opt-out
-- of sale stays in force.  SQLite cannot change a CHECK in place, so the
-- table is made again with its rows.
CREATE TABLE suppression_011 (
	kind		TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
	hash		TEXT NOT NULL CHECK (length(hash) = 64),
	channel		TEXT NOT NULL CHECK (channel IN ('email', 'sms',
	    'call', 'sale')),
	created		TEXT NOT NULL,
	PRIMARY KEY (kind, hash, channel)
) STRICT, WITHOUT ROWID;
INSERT INTO suppression_011 (kind, hash, channel, created)
    SELECT kind, hash, channel, created FROM suppression;
DROP TABLE suppression;
ALTER TABLE suppression_011 RENAME TO suppression;
