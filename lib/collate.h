/*
 * collate.h -- names sorted as a language sorts them, with ICU's collator
 * (libicui18n; libxml2 loads ICU's common library already).
 *
 * For the options of a select (page.h): the country names of the
 * visitor's language come from Debian's iso-codes catalogues, and a
 * German reader looks for Österreich among the O's, a Japanese reader
 * finds the names in the order of their readings.  Done once per process
 * per language, when a template is first needed in it.
 */
#ifndef PF_COLLATE_H
#define PF_COLLATE_H

#include <stddef.h>

/*
 * Sort the npairs pairs (code, name, code, name, ...) of pairs by name,
 * as locale collates (an ICU or gettext locale name: "de", "pt_BR"; one
 * ICU does not know sorts as its root, the Unicode default).  Equal names
 * keep their order.  PF_OK; PF_ENOMEM; PF_EINVAL if ICU has no collator
 * at all (the pairs are left as they were).  Names must be UTF-8.
 */
int pf_collate_pairs(const char **pairs, size_t npairs, const char *locale);

#endif
