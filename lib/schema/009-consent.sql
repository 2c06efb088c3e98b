-- 009-consent.sql -- consent records (store.h, "consent records"): the
-- evidence of each cookie consent decision (GDPR Art. 7(1); the fields
-- ISO/IEC TS 27560 makes mandatory where they apply).

-- One row per decision of one browser, appended and never changed: a new
-- decision is a new row, so a device's rows are its history.  device is
-- the pseudonymous id the pf_consent cookie carries (consent.h), the only
-- link to a browser; no IP address, no personal identifier.  notice is
-- the notice version the visitor answered, language the notice's, allowed
-- and refused the category ids (space-separated, in the table's order)
-- that were on and off, gpc 1 when a Global Privacy Control signal came
-- with the decision.  jurisdiction is the configured consent_jurisdiction
-- (ISO 3166-1 alpha-2), NULL when none is.  No IP address nor any
-- pseudonym of the client's network is kept: the device id is enough to
-- prove one browser's history.
CREATE TABLE consent_record (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	device		TEXT NOT NULL CHECK (length(device) = 22),
	notice		TEXT NOT NULL CHECK (length(notice) = 16),
	language	TEXT NOT NULL,
	allowed		TEXT NOT NULL,
	refused		TEXT NOT NULL,
	action		TEXT NOT NULL CHECK (action IN ('given', 'refused',
	    'changed', 'withdrawn')),
	method		TEXT NOT NULL CHECK (method IN ('page', 'dialog', 'gpc')),
	gpc		INTEGER NOT NULL CHECK (gpc IN (0, 1)),
	jurisdiction	TEXT CHECK (jurisdiction IS NULL OR
	    length(jurisdiction) = 2),
	created		TEXT NOT NULL
) STRICT;
CREATE INDEX consent_record_device ON consent_record (device, created);
CREATE INDEX consent_record_created ON consent_record (created);

-- Evidence is not edited: an UPDATE fails whatever it would change.
CREATE TRIGGER consent_record_append_only BEFORE UPDATE ON consent_record
BEGIN
	SELECT RAISE(ABORT, 'consent records are never changed');
END;
