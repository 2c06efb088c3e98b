"""gen-countries.py -- write lib/countries.c from Debian's iso-codes.

    /usr/bin/python3 tools/gen-countries.py /usr/share/iso-codes/json > lib/countries.c

Reads DIR/iso_3166-1.json and DIR/iso_3166-2.json and writes the tables
lib/country.h declares: pf_countries (every ISO 3166-1 country, common_name
preferred over name) and pf_us_states (the 50 states and DC), each sorted by
name with accents and case ignored, pf_country_msgids (each country's
common_name, name and official_name, the messages iso-codes' catalogues
translate: lib/country_local.c tries them in turn), plus pf_country_name and
pf_us_state_name.  Exits non-zero, writing nothing, if the files are missing
or not shaped as expected, so that a broken iso-codes cannot build forms
with an empty or partial list.
"""

import json
import os
import re
import sys
import unicodedata

MIN_COUNTRIES = 200
US_STATES = 51          # the 50 states and the District of Columbia
US_TYPES = ("State", "District")
CODE = re.compile(r"[A-Z]{2}\Z")


class Bad(Exception):
    pass


def load(directory, name, key):
    path = os.path.join(directory, name)
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise Bad("%s: %s" % (path, e))
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise Bad("%s: no %r list" % (path, key))
    for entry in data[key]:
        if not isinstance(entry, dict):
            raise Bad("%s: an entry is not an object" % path)
    return path, data[key]


def text(path, entry, field):
    """entry[field], which must be a string a form can show."""
    value = entry.get(field)
    if not isinstance(value, str) or value.strip() != value or value == "":
        raise Bad("%s: %r has a bad %s" % (path, entry, field))
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn")
           for c in value):
        raise Bad("%s: %r has a control character in %s" % (path, entry, field))
    return value


def sort_key(pair):
    """The name as a reader sorts it: accents and case ignored."""
    code, name = pair
    base = "".join(c for c in unicodedata.normalize("NFKD", name)
                   if not unicodedata.combining(c))
    return (base.casefold(), name, code)


def pairs_checked(path, pairs, what):
    codes = [code for code, _ in pairs]
    for code in codes:
        if not CODE.match(code):
            raise Bad("%s: %s code %r is not two capital letters" %
                      (path, what, code))
    if len(set(codes)) != len(codes):
        raise Bad("%s: duplicate %s codes" % (path, what))
    return sorted(pairs, key=sort_key)


# A country's names as iso-codes' catalogues know them, in the order a
# translation of each is preferred (country.h's pf_country_msgids).
MSGID_FIELDS = ("common_name", "name", "official_name")


def countries(directory):
    """The (code, name) pairs, sorted, and {code: (common_name or None,
    name, official_name or None)}."""
    path, entries = load(directory, "iso_3166-1.json", "3166-1")
    pairs = []
    msgids = {}
    for e in entries:
        field = "common_name" if "common_name" in e else "name"
        code = text(path, e, "alpha_2")
        pairs.append((code, text(path, e, field)))
        msgids[code] = tuple(text(path, e, f) if f in e or f == "name"
                             else None for f in MSGID_FIELDS)
    if len(pairs) < MIN_COUNTRIES:
        raise Bad("%s: %d countries, expected at least %d" %
                  (path, len(pairs), MIN_COUNTRIES))
    return pairs_checked(path, pairs, "country"), msgids


def us_states(directory):
    path, entries = load(directory, "iso_3166-2.json", "3166-2")
    pairs = []
    for e in entries:
        code = e.get("code")
        if not isinstance(code, str) or not code.startswith("US-") or \
           e.get("type") not in US_TYPES:
            continue
        pairs.append((code[3:], text(path, e, "name")))
    if len(pairs) != US_STATES:
        raise Bad("%s: %d US states and districts, expected %d" %
                  (path, len(pairs), US_STATES))
    return pairs_checked(path, pairs, "US state")


def c_string(s):
    """A C string literal in ASCII: octal escapes for the rest.

    Octal, not hex, because an octal escape ends after three digits while a
    hex one swallows every hex digit after it; '?' is escaped because
    -std=c11 reads trigraphs.
    """
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        if c in '\\"?':
            out.append("\\" + c)
        elif 0x20 <= b < 0x7f:
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def table(name, pairs):
    lines = ["const char *const %s[] = {" % name]
    for code, value in pairs:
        lines.append("\t%s, %s," % (c_string(code), c_string(value)))
    lines.append("\tNULL")
    lines.append("};")
    return "\n".join(lines)


def msgid_table(pairs, msgids):
    """pf_country_msgids, in pf_countries' order."""
    lines = ["const struct pf_country_msgids pf_country_msgids[] = {"]
    for code, _ in pairs:
        names = ", ".join(c_string(m) if m is not None else "NULL"
                          for m in msgids[code])
        lines.append("\t{ %s, { %s } }," % (c_string(code), names))
    lines.append("\t{ NULL, { NULL, NULL, NULL } }")
    lines.append("};")
    return "\n".join(lines)


LOOKUP = """
/* The name paired with code in table, or NULL. */
static const char *
lookup(const char *const *table, const char *code)
{
	if (code == NULL)
		return NULL;
	for (; *table != NULL; table += 2)
		if (strcmp(*table, code) == 0)
			return table[1];
	return NULL;
}

const char *
pf_country_name(const char *code)
{
	return lookup(pf_countries, code);
}

const char *
pf_us_state_name(const char *code)
{
	return lookup(pf_us_states, code);
}
"""


def generate(directory):
    c, msgids = countries(directory)
    s = us_states(directory)
    return "\n".join([
        "/*",
        " * Generated by tools/gen-countries.py from iso_3166-1.json and",
        " * iso_3166-2.json of Debian's iso-codes: do not edit (see country.h).",
        " */",
        "#include <stddef.h>",
        "#include <string.h>",
        "",
        '#include "country.h"',
        "",
        table("pf_countries", c),
        "",
        table("pf_us_states", s),
        "",
        msgid_table(c, msgids),
        LOOKUP,
    ])


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: gen-countries.py ISO_CODES_JSON_DIR\n")
        return 2
    try:
        out = generate(sys.argv[1])
    except Bad as e:
        sys.stderr.write("gen-countries.py: %s\n" % e)
        return 1
    sys.stdout.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
