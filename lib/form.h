/*
 * form.h -- a form's field table, and validating a request against it.
 *
 * A form is an enum of its fields and a const table indexed by it:
 *
 *	enum { F_EMAIL, F_CHANNEL, F__MAX };
 *	static const struct pf_field fields[F__MAX] = {
 *		[F_EMAIL] = { "email", pf_valid_email, NULL, 1, 254, 0,
 *		    "Email address", "Enter your email address." },
 *		...
 *	};
 *
 * Messages follow GOV.UK's pattern: a field left empty says what to do,
 * "Enter ..." for text and "Select ..." for a choice, in the words of the
 * page (the table's missing); the others name the field by its label.
 * pf_form_validate applies, to every field in order: presence (required),
 * the base text check (utf8.h; CRLF folded to LF first, LF only in
 * multiline fields), no bidirectional controls (utf8.h's pf_utf8_bidi:
 * refused, and the text shown again with each as U+FFFD), the length
 * limit in characters, then the field's validator, which may normalise
 * the value.  Fields the table does not name
 * are ignored (a submit button, say).
 */
#ifndef PF_FORM_H
#define PF_FORM_H

#include <stddef.h>

struct pf_request;
struct pf_page;

/*
 * A validator is pure: it looks at in (which passed the base text check and
 * is not empty), and either returns NULL and sets *norm to a new normalised
 * copy the caller frees, or returns a message for the visitor saying what to
 * fix (static storage) and leaves *norm NULL.  arg is the table's arg.
 */
typedef const char *pf_validator(const char *in, const void *arg, char **norm);

struct pf_field {
	const char	*name;		/* the control's name attribute */
	pf_validator	*valid;		/* NULL: any text that passed the base check */
	const void	*arg;		/* passed to valid */
	int		 required;
	size_t		 maxlen;	/* in characters */
	int		 multiline;	/* LF allowed (textarea) */
	/*
	 * How messages name the field: its visible label ("Email address for
	 * the answer"), or, for a label that asks a question, the thing it
	 * asks for ("Your reason" for "Why are you unsubscribing?").
	 */
	const char	*label;
	/*
	 * What a required field left empty says: "Enter your first name.",
	 * "Select the country of the number."; NULL: "Enter " and the label.
	 */
	const char	*missing;
};

#define PF_FORM_ERRLEN 512	/* a translated message is longer */

/* The outcome for one field. */
struct pf_value {
	char	*value;	/* normalised; NULL when absent, empty or invalid */
	char	*shown;	/* what the visitor sent, if safe to show again, else NULL */
	char	 error[PF_FORM_ERRLEN];	/* "" when the field is fine */
};

struct pf_form {
	const struct pf_field	*fields;
	size_t			 n;
	struct pf_value		*v;	/* [n] */
	int			 nerrors;
};

/*
 * Validate req's body fields against fields[0..n).  On PF_OK, form is filled
 * (form->nerrors says whether the visitor has something to fix) and the
 * caller frees it with pf_form_free.  PF_ENOMEM otherwise.
 */
int pf_form_validate(const struct pf_field *fields, size_t n,
    const struct pf_request *req, struct pf_form *form);

/* Mark field i as wrong (cross-field rules); drops its value. */
void pf_form_fail(struct pf_form *form, size_t i, const char *message);

/*
 * Validate field i again with valid and arg, when arg is known only once
 * another field is (the country a phone number is read in).  Applies only to
 * a field that has a value and no error: its value is replaced by the
 * validator's normalised copy, or the field fails with the validator's
 * message.  PF_OK or PF_ENOMEM.
 */
int pf_form_check(struct pf_form *form, size_t i, pf_validator *valid,
    const void *arg);

/*
 * Field i does not apply to this submission (another field's choice made it
 * irrelevant): forget its value and its error, keep what is shown.
 */
void pf_form_ignore(struct pf_form *form, size_t i);

/* Release form's values; accepts a zeroed form. */
void pf_form_free(struct pf_form *form);

/*
 * Put every shown value and every error into the page's controls.  A value
 * whose control the page does not have (a feature switched off in the
 * configuration) is left out; an error must have its place on the page.
 */
int pf_form_fill(const struct pf_form *form, struct pf_page *page);

#endif
