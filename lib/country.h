/*
 * country.h -- ISO 3166-1 countries and the states of the United States.
 *
 * The tables are generated at build time from Debian's iso-codes package
 * (/usr/share/iso-codes/json) by tools/gen-countries.py into lib/countries.c,
 * so that no one types 249 country names by hand and an iso-codes update
 * (a country renamed, a code added) reaches the forms with a rebuild.
 *
 * Each table is code, name, code, name, ..., NULL: the shape page.h's
 * pf_pages_options takes for a select's options.
 */
#ifndef PF_COUNTRY_H
#define PF_COUNTRY_H

/*
 * Every ISO 3166-1 country: the alpha-2 code ("DE") and the name people use
 * (iso-codes' common_name where it has one, "Bolivia" rather than
 * "Bolivia, Plurinational State of"), sorted by name as a reader expects
 * (accents and case ignored: "Åland Islands" sorts with the A's).
 */
extern const char *const pf_countries[];

/*
 * The fifty states and the District of Columbia: the subdivision code
 * without its "US-" ("CA") and the name, sorted by name.  Outlying areas
 * (Puerto Rico, Guam, ...) are countries of their own in ISO 3166-1.
 */
extern const char *const pf_us_states[];

/* The name of country code (exact, upper-case alpha-2), or NULL. */
const char *pf_country_name(const char *code);

/* The name of US state code ("CA", "DC"), or NULL. */
const char *pf_us_state_name(const char *code);

#endif
