-- 012-appeals.sql -- appeals of a denied request (dsr.h, "appeals").
--
-- Where the law of a request gives an appeal (laws.h's appeal period), the
-- requester may appeal a denial from the status link within
-- request_appeal_days of it.  The appeal is a state of the request of its
-- own: appeal is 'open' from then until the team decides it, 'granted' or
-- 'denied' after; NULL on a request never appealed.  appeal_due is when
-- the decision is due (the law's appeal period from the day it was
-- opened), fixed then like due is at receipt.  appeal_reason is what the
-- requester typed, if anything: personal data, blanked by an erasure like
-- details, never in an audit record.  status stays 'denied' while the
-- appeal is open (the CHECK on status cannot be changed without rebuilding
-- the table); a granted appeal moves it back to 'verified', due the
-- appeal's due date, for the team to fulfil.  The history keeps the
-- events ('appealed', 'appeal-granted', 'appeal-denied'; reason the code).
ALTER TABLE request ADD COLUMN appeal TEXT
    CHECK (appeal IS NULL OR appeal IN ('open', 'granted', 'denied'));
ALTER TABLE request ADD COLUMN appeal_due TEXT;	-- YYYY-MM-DD, UTC
ALTER TABLE request ADD COLUMN appeal_reason TEXT;
