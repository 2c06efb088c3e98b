/*
 * form.c -- validating a request against a form's field table (form.h).
 *
 * The order of checks is the order of trust: presence, then the base text
 * check, and only text that passed it is ever kept to be shown again, so
 * a control character or broken UTF-8 can never reach the page.  A
 * bidirectional control (utf8.h) is refused in every field, and shown
 * again as U+FFFD, so that the visitor sees where it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "form.h"
#include "lang.h"
#include "page.h"
#include "request.h"
#include "utf8.h"

static const char msg_check[] = N_("Please check this field.");

/* 1 if s[0..len) is nothing but spaces, tabs and line breaks. */
static int
is_blank(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/*
 * Cut s after its last whole character: a message cut short to fit
 * PF_FORM_ERRLEN (a long translation) must stay UTF-8, or the page could
 * not show it.
 */
static void
whole_chars(char *s)
{
	size_t		 n = strlen(s), i = n;
	unsigned char	 lead;

	while (i > 0 && n - i < 3 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0 || ((lead = (unsigned char)s[i - 1]) & 0x80) == 0)
		return;
	if (n - (i - 1) < (size_t)(lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2))
		s[i - 1] = '\0';
}

static void
set_error(struct pf_value *v, const char *message)
{
	snprintf(v->error, sizeof(v->error), "%s",
	    *message != '\0' ? message : _(msg_check));
	whole_chars(v->error);
}

/*
 * Text that cannot be shown again (control characters, broken UTF-8): the
 * field is emptied, so the message says to type it again.
 */
static void
not_allowed(const struct pf_field *f, struct pf_value *v)
{
	/* TRANSLATORS: %s is a form field's label, e.g. "Email address". */
	snprintf(v->error, sizeof(v->error), _("%s had characters that are "
	    "not allowed: please type it again."), _(f->label));
	whole_chars(v->error);
}

/*
 * The validator's verdict on copy (which passed the base check), kept in
 * v.  PF_ENOMEM if it claimed success without a value.
 */
static int
field_valid(const struct pf_field *f, const char *copy, struct pf_value *v)
{
	const char	*err;
	char		*norm = NULL;

	if (f->valid == NULL)
		return (v->value = strdup(copy)) == NULL ? PF_ENOMEM : PF_OK;
	if ((err = f->valid(copy, f->arg, &norm)) != NULL) {
		free(norm);
		set_error(v, err);
		return PF_OK;
	}
	if (norm == NULL)
		return PF_ENOMEM;
	v->value = norm;
	return PF_OK;
}

/* Judge the visitor's p (NULL when absent) for field f into v. */
static int
field_check(const struct pf_field *f, const struct pf_param *p,
    struct pf_value *v)
{
	char	*copy;
	size_t	 len, chars;

	if (p == NULL || is_blank(p->value, p->len)) {
		if (f->required && f->missing != NULL)
			set_error(v, _(f->missing));
		else if (f->required)
			/* TRANSLATORS: %s is a form field's label. */
			snprintf(v->error, sizeof(v->error), _("Enter %s."),
			    _(f->label));
		whole_chars(v->error);
		return PF_OK;
	}
	/* A NUL would cut the value short wherever it is used as a string. */
	if (strlen(p->value) != p->len) {
		not_allowed(f, v);
		return PF_OK;
	}
	if ((copy = malloc(p->len + 1)) == NULL)
		return PF_ENOMEM;
	memcpy(copy, p->value, p->len + 1);
	len = pf_utf8_crlf(copy, p->len);
	if (!pf_utf8_ok(copy, len, f->multiline)) {
		free(copy);
		not_allowed(f, v);	/* and never shown again */
		return PF_OK;
	}
	v->shown = copy;
	/* Refused in every field: none needs one (utf8.h). */
	if (pf_utf8_bidi_mark(copy, len) > 0) {
		/* The text comes back with each one shown as U+FFFD. */
		/* TRANSLATORS: %s is a form field's label; the character
		 * shown is U+FFFD, the replacement character. */
		snprintf(v->error, sizeof(v->error), _("%s has invisible "
		    "characters that change the direction of text, shown as "
		    "\xef\xbf\xbd: please remove them."), _(f->label));
		whole_chars(v->error);
		return PF_OK;
	}
	/* maxlen 0 leaves the length to the request's max_field_len. */
	if (f->maxlen > 0 && (chars = pf_utf8_len(copy, len)) > f->maxlen) {
		snprintf(v->error, sizeof(v->error),
		    /* TRANSLATORS: %1$s is a form field's label, %2$zu
		     * the most characters it takes. */
		    ngettext("%1$s must be %2$zu character or fewer.",
		    "%1$s must be %2$zu characters or fewer.", f->maxlen),
		    _(f->label), f->maxlen);
		whole_chars(v->error);
		return PF_OK;
	}
	return field_valid(f, copy, v);
}

int
pf_form_validate(const struct pf_field *fields, size_t n,
    const struct pf_request *req, struct pf_form *form)
{
	size_t	 i;
	int	 rc;

	memset(form, 0, sizeof(*form));
	if (n > 0 && (form->v = calloc(n, sizeof(*form->v))) == NULL)
		return PF_ENOMEM;
	form->fields = fields;
	form->n = n;
	for (i = 0; i < n; i++) {
		rc = field_check(&fields[i],
		    pf_request_field(req, fields[i].name), &form->v[i]);
		if (rc != PF_OK) {
			pf_form_free(form);
			return rc;
		}
		if (form->v[i].error[0] != '\0')
			form->nerrors++;
	}
	return PF_OK;
}

void
pf_form_fail(struct pf_form *form, size_t i, const char *message)
{
	struct pf_value	*v;

	if (form == NULL || i >= form->n)
		return;
	v = &form->v[i];
	free(v->value);
	v->value = NULL;
	if (v->error[0] == '\0')
		form->nerrors++;
	set_error(v, message != NULL ? message : _(msg_check));
}

int
pf_form_check(struct pf_form *form, size_t i, pf_validator *valid,
    const void *arg)
{
	struct pf_value	*v;
	const char	*err;
	char		*norm = NULL;

	if (form == NULL || i >= form->n)
		return PF_OK;
	v = &form->v[i];
	/* Absent, or already told what to fix: nothing more to say. */
	if (v->value == NULL || v->error[0] != '\0')
		return PF_OK;
	if ((err = valid(v->value, arg, &norm)) != NULL) {
		free(norm);
		pf_form_fail(form, i, err);
		return PF_OK;
	}
	if (norm == NULL)
		return PF_ENOMEM;
	free(v->value);
	v->value = norm;
	return PF_OK;
}

void
pf_form_ignore(struct pf_form *form, size_t i)
{
	struct pf_value	*v;

	if (form == NULL || i >= form->n)
		return;
	v = &form->v[i];
	if (v->error[0] != '\0')
		form->nerrors--;
	free(v->value);
	v->value = NULL;
	v->error[0] = '\0';
}

void
pf_form_free(struct pf_form *form)
{
	size_t	 i;

	if (form == NULL)
		return;
	for (i = 0; form->v != NULL && i < form->n; i++) {
		free(form->v[i].value);
		free(form->v[i].shown);
	}
	free(form->v);
	memset(form, 0, sizeof(*form));
}

int
pf_form_fill(const struct pf_form *form, struct pf_page *page)
{
	const struct pf_value	*v;
	size_t			 i;
	int			 rc;

	for (i = 0; i < form->n; i++) {
		v = &form->v[i];
		/* A control the page leaves out (a feature switched off) is skipped. */
		if (v->shown != NULL && (rc = pf_page_value(page,
		    form->fields[i].name, v->shown)) != PF_OK &&
		    rc != PF_ENOTFOUND)
			return rc;
		if (v->error[0] != '\0' && (rc = pf_page_error(page,
		    form->fields[i].name, v->error)) != PF_OK)
			return rc;
	}
	return PF_OK;
}
