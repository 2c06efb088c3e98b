-- 005-feedback.sql -- site feedback and article votes (store.h, "feedback").

-- One row per piece of site feedback.  Step 1 of the form (type, message,
-- rating) makes the row; step 2 (email, recommend) completes it, once:
-- completed is its time, NULL while step 2 is open or if it was abandoned,
-- so an abandoned step 2 still keeps the rating.  message, email and
-- email_key are NULL when not given or once erased (`privforms request
-- erase`); type, rating, recommend and the times stay for the figures.
-- forwarded is set when a complaint is forwarded to the team at step 1,
-- so that going Back and forth through the types forwards it once.  id is
-- AUTOINCREMENT so that it is never reused: a step-2 token seals only the
-- id.
CREATE TABLE feedback (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	type		TEXT NOT NULL CHECK (type IN ('compliment', 'question',
	    'product-inquiry', 'website-issue', 'complaint')),
	message		TEXT,
	rating		INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
	email		TEXT,		-- as typed (normalised), for a reply
	email_key	TEXT,		-- for matching (export, erasure)
	recommend	INTEGER CHECK (recommend BETWEEN 0 AND 10),
	created		TEXT NOT NULL,
	completed	TEXT,
	forwarded	TEXT,		-- when step 1 was forwarded (a complaint)
	updated		TEXT NOT NULL
) STRICT;
CREATE INDEX feedback_created ON feedback (created);
CREATE INDEX feedback_email ON feedback (email_key)
    WHERE email_key IS NOT NULL;

-- One row per counted article vote ("Did this article solve your
-- issue?").  client is the keyed pseudonym of the voter's network (keys.h
-- kind "client" of client.h's pf_client_net) while the de-duplication
-- window is open: a vote from the same client on the same article within
-- the window replaces the one it made, so it counts once.  `privforms
-- purge` forgets client once the window has passed, so no vote stays
-- linkable to a network.
CREATE TABLE article_vote (
	id		INTEGER PRIMARY KEY,
	article		TEXT NOT NULL,
	helpful		INTEGER NOT NULL CHECK (helpful IN (0, 1)),
	comment		TEXT,
	client		TEXT,
	created		TEXT NOT NULL,
	updated		TEXT NOT NULL
) STRICT;
CREATE INDEX article_vote_created ON article_vote (created);
CREATE INDEX article_vote_client ON article_vote (client, article)
    WHERE client IS NOT NULL;
