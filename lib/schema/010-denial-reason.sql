-- 010-denial-reason.sql -- why a request was denied, as a code.
--
-- `privforms request deny --reason CODE` takes a code from lib/denials.h
-- (identity-not-verified, manifestly-unfounded, ...): the status page
-- explains it in plain words, and `privforms requests report` counts
-- denials by it.  The team's own words (--note) go to the requester's mail
-- only, never here: they may hold personal data.  NULL on every other
-- event, and on denials made before reasons were codes (their note holds
-- the text the requester was told then).
ALTER TABLE request_event ADD COLUMN reason TEXT;
