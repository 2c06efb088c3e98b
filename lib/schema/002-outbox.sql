-- 002-outbox.sql -- the mail outbox (mail.h queues, sender.h drains).
--
-- A handler inserts a row inside the submission's own transaction, so a
-- rolled-back submission queues nothing and a committed one always has its
-- mail.  `privforms mail run` claims rows one at a time in a BEGIN IMMEDIATE
-- transaction, so two senders never take the same row.  Rows are never
-- deleted: sent and failed ones are the operator's record of what went out.

-- One row per message.  template and vals (the values, urlencoded) are what
-- is rendered at sending time; subject is the pseudonym of the person the
-- mail concerns, for the audit records of its delivery, or NULL.
-- state moves queued -> sending -> sent, or back to queued (a temporary
-- failure, next_try later), or to failed (refused, or out of attempts; the
-- operator may requeue it).  For a queued row next_try is when it is due;
-- for a sending row it is when the sender's lease ends: a sender that died
-- mid-send leaves a row that is claimed again once its lease has passed.
CREATE TABLE outbox (
	id		INTEGER PRIMARY KEY,
	template	TEXT NOT NULL,
	recipient	TEXT NOT NULL,	-- validated, normalised address
	vals		TEXT NOT NULL,	-- name=value&...; percent-encoded
	subject		TEXT,		-- pseudonym, or NULL
	state		TEXT NOT NULL
	    CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_try	TEXT NOT NULL,
	last_error	TEXT,		-- why the last attempt failed; no addresses
	created		TEXT NOT NULL,
	updated		TEXT NOT NULL
) STRICT;

-- The claim looks for the row due first among queued and sending ones:
-- this index answers it without reading the sent and failed rows, which
-- only grow.
CREATE INDEX outbox_due ON outbox (state, next_try);
