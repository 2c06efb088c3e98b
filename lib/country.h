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

/*
 * Each country's names as iso-codes has them, the messages its catalogues
 * translate, in pf_countries' order and ending with code NULL: common_name
 * (NULL where iso-codes has none), name, official_name (NULL likewise).
 */
struct pf_country_msgids {
	const char	*code;
	const char	*msgid[3];
};
extern const struct pf_country_msgids pf_country_msgids[];

/* iso-codes' text domains of the names' translations. */
#define PF_COUNTRY_DOMAIN	"iso_3166-1"
#define PF_US_STATE_DOMAIN	"iso_3166-2"

/*
 * The name of country code in the current language (lang.h), as a visitor
 * reads it: iso-codes' translation of its common name if the catalogue has
 * one, else of its name, else of its official name (Japanese translates
 * "Korea, Democratic People's Republic of" but not "North Korea"), else
 * the English name; the English name in PF_LANG_SOURCE.  A translation the
 * same as the English is one (German's "Iran").  NULL for an unknown code.
 */
const char *pf_country_local(const char *code);

/* The name of US state code in the current language likewise, or NULL. */
const char *pf_us_state_local(const char *code);

/*
 * The two as page.h's pf_name_fn, for a select's options: name is the
 * table's, code's name in the current language is returned.
 */
const char *pf_country_option(const char *code, const char *name);
const char *pf_us_state_option(const char *code, const char *name);

#endif
