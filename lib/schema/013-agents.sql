-- 013-agents.sql -- a request made by someone on the person's behalf
-- (11 CCR s. 7063; the laws table's agents column, laws.h).
--
-- One row per request that came through an agent; a request without one
-- was made by the person.  name and email are the agent's, as typed: the
-- person's personal data as much as the agent's (they say who acts for
-- whom), so they are exported with the person's requests and set to NULL
-- by an erasure, never written to an audit record or a log.  relationship
-- is a code (dsr.h's pf_dsr_agent_relationships).  answer is the person's
-- own answer to the mail that asks them whether they gave the agent
-- permission: 'asked' until they answer, then 'confirmed' (the request is
-- verified at the same moment) or 'refused' (the request is denied,
-- reason agent-not-authorised); answered is when.  Nothing about the
-- request may be disclosed before 'confirmed'.
CREATE TABLE request_agent (
	request		INTEGER PRIMARY KEY REFERENCES request (id)
	    ON DELETE CASCADE,
	name		TEXT,		-- NULL once erased
	email		TEXT,		-- NULL once erased
	relationship	TEXT NOT NULL CHECK (relationship IN
	    ('authorised-agent', 'power-of-attorney', 'parent-guardian',
	    'other')),
	answer		TEXT NOT NULL DEFAULT 'asked' CHECK (answer IN
	    ('asked', 'confirmed', 'refused')),
	answered	TEXT		-- stored time, or NULL while asked
) STRICT;
