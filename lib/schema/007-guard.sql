-- 007-guard.sql -- rate limits and trapped submissions (guard.h, store.h
-- "rate limits and trapped submissions").

-- One row per guarded submission that counted against a limit.  bucket
-- names what is limited ("request/client", "mail/address"); subject is a
-- keyed pseudonym (keys.h) of a client network or of an address, never the
-- network or the address itself; at is in seconds since the epoch, so a
-- window is a subtraction.  No rate has a window longer than a day: a hit
-- older than that counts for nothing, and `privforms purge` deletes it
-- (each new hit also deletes its own key's old rows).
CREATE TABLE rate_hit (
	bucket		TEXT NOT NULL,
	subject		TEXT NOT NULL,
	at		INTEGER NOT NULL
) STRICT;
-- Counting one key's hits in a window, and forgetting its old ones.
CREATE INDEX rate_hit_key ON rate_hit (bucket, subject, at);
-- Purging every old hit.
CREATE INDEX rate_hit_at ON rate_hit (at);

-- Trapped submissions (a filled honeypot, a form sent too fast), counted
-- per day, form and reason: only how many, nothing about who sent them,
-- so that an operator can see whether the traps catch anything.
CREATE TABLE trap_count (
	day		TEXT NOT NULL,		-- YYYY-MM-DD, UTC
	form		TEXT NOT NULL,
	reason		TEXT NOT NULL,		-- "honeypot", "too-fast"
	n		INTEGER NOT NULL,
	PRIMARY KEY (day, form, reason)
) STRICT, WITHOUT ROWID;
