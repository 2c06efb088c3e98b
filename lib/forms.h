/*
 * forms.h -- every form privforms serves and its names (forms.def), so
 * that each is spelled once: which program serves it, at which path, how
 * its audit records, guard counts and privforms.conf keys name it.
 *
 * pf_forms[PF_GUARD_UNSUBSCRIBE].config is "unsubscribe": the table is
 * indexed by enum pf_guard_form, made here from the same rows, since every
 * form is guarded.  The table is constant; nothing here allocates.
 */
#ifndef PF_FORMS_H
#define PF_FORMS_H

/* The flags column (forms.def says what each means). */
#define PF_FORM_CHALLENGE	0x1
#define PF_FORM_MAILS		0x2
#define PF_FORM_QUICK		0x4

/*
 * PF_GUARD_DNC covers registering and the status check, PF_GUARD_FEEDBACK
 * step 1 (step 2 carries step 1's token), PF_GUARD_VOTE the article votes.
 */
enum pf_guard_form {
#define PF_FORM(id, program, path, audit, guard, config, flags) PF_GUARD_##id,
#include "forms.def"
#undef PF_FORM
	PF_GUARD__MAX
};

struct pf_form_def {
	const char	*program;	/* "data-request" */
	const char	*path;		/* "/request" */
	const char	*audit;		/* "data-request" */
	const char	*guard;		/* "request" */
	const char	*config;	/* "request" */
	unsigned	 flags;		/* PF_FORM_... */
};

extern const struct pf_form_def pf_forms[PF_GUARD__MAX];

#endif
