/*
 * mail.h -- the outbox, and the messages in it.
 *
 * Handlers never talk SMTP.  A submission that sends mail calls
 * pf_mail_enqueue inside its own transaction (between pf_app_begin and
 * pf_app_commit), so a rolled-back submission sends nothing and a committed
 * one always does: `privforms mail run` (sender.h) drains the outbox later.
 *
 * A message is a template name, a recipient and named values.  Templates are
 * plain UTF-8 text files in the configured mail_templates directory
 * (etc/mail/NAME.txt in the source tree), so wording changes need no
 * rebuild:
 *
 *	Subject: You are unsubscribed
 *
 *	Hello,
 *
 *	we have recorded your request to stop {{channel}} marketing ...
 *
 * The first line is "Subject: " and the subject; then one empty line; then
 * the body.  {{name}} is replaced by the value called name; an unknown name
 * is an error, so a typo in a template fails loudly in tests, not silently
 * in a customer's mail.  Lines may end in LF or CRLF.
 *
 * Nothing a visitor typed can reach a header unchecked: the recipient must
 * pass pf_valid_email, every value must pass pf_utf8_ok (single-line unless
 * it is used only in the body), and pf_mail_format refuses any header value
 * with a control character after substitution.
 */
#ifndef PF_MAIL_H
#define PF_MAIL_H

#include <stddef.h>

struct pf_config;
struct pf_outbox_row;
struct pf_store;

#define PF_MAIL_MAX_VALUES 16
#define PF_MAIL_MAX_VALUE (64 * 1024)	/* bytes in one value */

/* A message waiting in the outbox, or being sent. */
struct pf_mail {
	long long	 id;
	char		*template;	/* e.g. "unsubscribed" */
	char		*to;		/* the recipient, validated */
	char		*values[2 * PF_MAIL_MAX_VALUES + 1]; /* name, value, ..., NULL */
	char		*subject;	/* pseudonym of the person it concerns, or NULL */
	int		 attempts;	/* delivery attempts so far */
	char		*lang;		/* lang.h's tag its values are in, or NULL */
};

/*
 * Queue a message inside the caller's open transaction.  template is
 * [a-z0-9-]+.  values is name, value, name, value, ..., NULL (at most
 * PF_MAIL_MAX_VALUES pairs; names [a-z][a-z0-9_]*, each once; values
 * pf_utf8_ok text, LF allowed, at most PF_MAIL_MAX_VALUE bytes).  subject
 * is the pseudonym for the audit records of its delivery, or NULL.  The
 * message is in the current language (lang.h), which the outbox keeps:
 * values are written in it, and its template is rendered in it (to
 * write to someone in their own language, switch with pf_lang_push
 * first).  *id receives the outbox id (may be NULL).  The recipient is stored as
 * pf_valid_email normalises it.  PF_EINVAL if the template name, to or a
 * value is not acceptable (nothing queued).
 */
int pf_mail_enqueue(struct pf_store *st, const char *template, const char *to,
    const char *const *values, const char *subject, long long *id);

/*
 * The team's own mails (to privacy_team, feedback_to, the audit
 * witnesses) are in the site's default_language, whatever language the
 * visitor whose request caused one uses: written with
 * pf_lang_push(cfg->default_language, saved) around the values and the
 * pf_mail_enqueue, then pf_lang_pop(saved).
 */

/*
 * Fill m (overwritten) from an outbox row (store.h), decoding its values:
 * every string is a new copy, released with pf_mail_clear, with each
 * bidirectional control (utf8.h) replaced by U+FFFD.  PF_EINVAL if the
 * row's values are malformed (m is then clear).
 */
int pf_mail_load(const struct pf_outbox_row *r, struct pf_mail *m);

/* Free what a pf_mail holds (not the struct); accepts a zeroed one. */
void pf_mail_clear(struct pf_mail *m);

/*
 * Render template NAME from dir with m's values: *subject and *body are new
 * strings (body with LF line ends).  The template is m's language's,
 * dir/LANG/NAME.txt (LANG its gettext name, lang.h's pf_lang_name, as
 * the build writes etc/mail/LANG/), or dir/NAME.txt for the source
 * language, for a message without a language, and when the language has
 * no such file (the first such miss of a process is logged).
 * PF_ENOTFOUND for a missing template,
 * PF_EINVAL for a malformed one, an unknown placeholder, or a subject that
 * would contain a control character.
 */
int pf_mail_render(const char *dir, const struct pf_mail *m, char **subject,
    char **body);

/*
 * The same for a template's text, text[0..len), in memory (m->template is
 * not used): for the fuzz harness and for tests.  PF_EINVAL as above, and
 * for text longer than a template file may be.
 */
int pf_mail_render_text(const char *text, size_t len, const struct pf_mail *m,
    char **subject, char **body);

/*
 * Split a mailbox as the configuration writes it -- "addr" or
 * "Display Name <addr>" -- into a new display name (*name, NULL when there
 * is none; name itself may be NULL if not wanted) and a new address
 * normalised by pf_valid_email (*addr: the envelope sender for mail_from).
 * PF_EINVAL for invalid UTF-8, a control character, a double quote, a
 * backslash, '<' or '>' in the name, or an address pf_valid_email refuses.
 */
int pf_mail_mailbox(const char *s, char **name, char **addr);

/* The headers privforms sets; the sender adds nothing of its own. */
struct pf_mail_headers {
	const char	*from;		/* "Privacy team <privacy@example.com>" or an address */
	const char	*reply_to;	/* may be NULL */
	const char	*to;
	const char	*subject;	/* UTF-8; RFC 2047-encoded if not ASCII */
	const char	*message_id;	/* "<...@host>", or NULL to make one */
	const char	*domain;	/* for a made Message-ID: the From domain */
};

/*
 * The complete RFC 5322 message: Date, Message-ID, From, [Reply-To], To,
 * Subject, MIME-Version, Content-Type: text/plain; charset=UTF-8,
 * Content-Transfer-Encoding: quoted-printable, Auto-Submitted:
 * auto-generated (RFC 3834), an empty line, and body encoded; CRLF line
 * ends; no line over 78 characters (only an address or Message-ID longer
 * than a line is never split).  from, reply_to and to are mailboxes as
 * pf_mail_mailbox takes them; body is UTF-8 text with LF line ends, as
 * pf_mail_render makes it.  *out (NUL-terminated, *len bytes) is the
 * caller's.  PF_EINVAL if any header value has a control character or is
 * malformed, or the body is not such text; PF_ECRYPTO if no random
 * Message-ID could be made.
 */
int pf_mail_format(const struct pf_mail_headers *h, const char *body,
    char **out, size_t *len);

#endif
