-- 015-lang.sql -- the language (lang.h's BCP 47 tag: "de", "pt-BR") each
-- person used, kept with what they asked for, and with each mail queued.
--
-- A request, an opt-out of marketing or of sale, a Do-Not-Call entry and
-- a feedback entry keep the language of the page the person sent (the
-- request's language: ?lang=, the form's stamp, Accept-Language, the
-- default), so that what the team sends them days later, from the
-- command, is in the language they used.  An outbox row keeps the
-- language its values were written in: the sender renders its template
-- in that language (mail_templates/NAME/, falling back to the source
-- templates).  Rows made before this migration were all made in English,
-- the only language there was: 'en' is what they were written in.  The
-- CHECK is the tag's shape (2 to 15 characters; lang.h checks the rest).
--
--   request	the requester's (an agent's, when one asked): every mail
--		of the team's commands about the request, and its links
--   optout,	a repeat opt-out or registration is the person's latest
--   dnc	word: its language replaces the one before
--   sale_opt_out	appended, never changed: the language it was made in
--   feedback	step 1's language, or a revision's after Back
--   outbox	what the sender renders the message in

ALTER TABLE request ADD COLUMN lang TEXT NOT NULL DEFAULT 'en' CHECK (length(lang) BETWEEN 2 AND 15);
ALTER TABLE optout ADD COLUMN lang TEXT NOT NULL DEFAULT 'en' CHECK (length(lang) BETWEEN 2 AND 15);
ALTER TABLE dnc ADD COLUMN lang TEXT NOT NULL DEFAULT 'en' CHECK (length(lang) BETWEEN 2 AND 15);
ALTER TABLE sale_opt_out ADD COLUMN lang TEXT NOT NULL DEFAULT 'en' CHECK (length(lang) BETWEEN 2 AND 15);
ALTER TABLE feedback ADD COLUMN lang TEXT NOT NULL DEFAULT 'en' CHECK (length(lang) BETWEEN 2 AND 15);
ALTER TABLE outbox ADD COLUMN lang TEXT NOT NULL DEFAULT 'en' CHECK (length(lang) BETWEEN 2 AND 15);
