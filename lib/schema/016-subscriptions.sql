-- 016-subscriptions.sql -- who subscribed to which mailing list
-- (lists.h), and the evidence of how and when (subscription.h).
--
-- subscription: one row per (channel, address, list) a person asked for.
-- address is what optout's is: the email key (validate.h) or the E.164
-- number.  state 'pending' waits for the double opt-in confirmation
-- (requested is when it was asked for, confirmed NULL); 'subscribed'
-- holds, with confirmed the time it began (the confirmation's, or the
-- request's for a list without double opt-in).  method is how it was
-- asked for ('signup': the signup snippet's form, 'preferences': the
-- preference page), notice the list's notice version the person saw
-- (lists.h), language the page's.  Unsubscribing deletes the row; the
-- optout table stays the suppression truth (subscription.h).
CREATE TABLE subscription (
	channel		TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
	address		TEXT NOT NULL CHECK (length(address) BETWEEN 3 AND 254),
	list		TEXT NOT NULL CHECK (length(list) BETWEEN 1 AND 32),
	state		TEXT NOT NULL CHECK (state IN ('pending', 'subscribed')),
	requested	TEXT NOT NULL,
	confirmed	TEXT,
	method		TEXT NOT NULL CHECK (method IN ('signup', 'preferences',
	    'confirm', 'one-click', 'unsubscribe')),
	notice		TEXT NOT NULL CHECK (length(notice) = 16),
	language	TEXT NOT NULL CHECK (length(language) BETWEEN 2 AND 15),
	PRIMARY KEY (channel, address, list)
) STRICT, WITHOUT ROWID;
-- The export of one list's subscribers.
CREATE INDEX subscription_list ON subscription (list, state, address);

-- The history of every change: appended, never changed, deleted only by
-- an erasure.  action: 'requested' (a double opt-in list asked for),
-- 'confirmed' (its confirmation), 'subscribed' (a list without double
-- opt-in), 'unsubscribed' (list '' for "stop all": every list; a
-- one-click link may name a list the table no longer has, up to 64
-- bytes, as optout's list may).  method
-- as above, plus 'confirm' (the confirmation link's POST), 'one-click'
-- (RFC 8058) and 'unsubscribe' (the unsubscribe form); requested is the
-- time the subscription was asked for (NULL for an unsubscription),
-- created the time of the change.  notice: the list's version ('' for
-- stop all).
CREATE TABLE subscription_event (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	channel		TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
	address		TEXT NOT NULL CHECK (length(address) BETWEEN 3 AND 254),
	list		TEXT NOT NULL CHECK (length(list) <= 64),
	action		TEXT NOT NULL CHECK (action IN ('requested', 'confirmed',
	    'subscribed', 'unsubscribed')),
	method		TEXT NOT NULL CHECK (method IN ('signup', 'preferences',
	    'confirm', 'one-click', 'unsubscribe')),
	notice		TEXT NOT NULL CHECK (length(notice) IN (0, 16)),
	language	TEXT NOT NULL CHECK (length(language) BETWEEN 2 AND 15),
	requested	TEXT,
	created		TEXT NOT NULL
) STRICT;
-- By address (the request export, erasure).
CREATE INDEX subscription_event_address ON subscription_event (address, id);
CREATE TRIGGER subscription_event_append_only BEFORE UPDATE ON
    subscription_event
BEGIN
	SELECT RAISE(ABORT, 'subscription events are never changed');
END;
