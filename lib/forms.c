/* forms.c -- the table of forms (forms.h), from forms.def. */
#include "forms.h"

const struct pf_form_def pf_forms[PF_GUARD__MAX] = {
#define PF_FORM(id, program, path, audit, guard, config, flags) \
	[PF_GUARD_##id] = { program, path, audit, guard, config, flags },
#include "forms.def"
#undef PF_FORM
};
