-- 006-pow.sql -- spent proof-of-work challenges (pow.h, store.h "pow").

-- A challenge is spent by the submission it let through, in the same
-- transaction, so one solution buys one submission and a rolled-back one
-- buys none.  expires is the challenge's own expiry (stored time); once
-- it has passed the challenge is refused as expired anyway, and `privforms
-- purge` deletes the row.
CREATE TABLE pow_spent (
	challenge	TEXT PRIMARY KEY,	-- hex SHA-256
	expires		TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX pow_spent_expires ON pow_spent (expires);
