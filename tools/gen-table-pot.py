"""gen-table-pot.py -- the visitor-facing words of etc/'s tables, as a
catalogue template for `make pot`.

    /usr/bin/python3 tools/gen-table-pot.py etc/consent-categories.tsv \
        etc/privacy-laws.tsv etc/mailing-lists.tsv > build/pot/tables.pot

The shipped tables' texts that pages and mails show are messages of the
one text domain, looked up with gettext when they are used (consent.c:
the categories' names and descriptions on the consent page and in the
snippet's dialog; dsrpage.c, dsr.c, appeal_pages.c: a law's short name and
its regulator; lists.h: a mailing list's name and description on the
preference page and in its mails), so a translator translates them like any other message
and "GDPR" can read "DSGVO".  A company that edits a table gets its own
words shown as written until a catalogue translates them.  The rest of
each row (ids, codes, periods, sources for the team) is not for visitors.

Each table is read as its loader reads it (lib/consent.c, lib/laws.c,
lib/lists.c):
'#' lines and blank lines skipped, fields split at runs of tabs.  Exits
non-zero, writing nothing, on a row of the wrong shape.
"""

import re
import sys

TAB = re.compile(r"\t+")
HEADER = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
'''


class Bad(Exception):
    pass


def rows(path):
    """(line number, fields) of each row of the table at path."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.strip() == "" or line.startswith("#"):
                continue
            yield n, TAB.split(line)


def named(path, width, name_what, text_what):
    """A table of width fields, the 4th a name and the 5th its text: each
    row's two, for the translator name_what and text_what (%s: the row's
    id, its first field)."""
    for n, f in rows(path):
        if len(f) != width:
            raise Bad("%s:%d: %d fields, not %d" % (path, n, len(f), width))
        yield f[3], path, n, name_what % f[0]
        yield f[4], path, n, text_what % f[0]


def consent(path):
    """id required sale name description cookies: the name, the text."""
    return named(path, 6, "name of a cookie category (%s)",
                 "what the cookie category %s is for")


def mailing_lists(path):
    """id channel double_opt_in name description: the name, the text."""
    return named(path, 5, "name of a mailing list (%s)",
                 "what the mailing list %s sends")


def laws(path):
    """place law ... regulator ...: the law's short name, its regulator."""
    for n, f in rows(path):
        if len(f) not in (6, 9, 10):
            raise Bad("%s:%d: %d fields" % (path, n, len(f)))
        if f[1] != "none":      # no law: pages and mails say so in C
            yield f[1], path, n, ("short name of a privacy law, as a mail "
                                  "says it")
        if len(f) >= 9 and f[6] != "-":
            yield f[6], path, n, ("whom a person may complain to under %s, "
                                  "as a mail would name them" % f[1])


def quote(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def pot(entries):
    """One message per text, with every place it comes from."""
    seen = {}
    for text, path, n, what in entries:
        e = seen.setdefault(text, {"where": [], "what": what})
        e["where"].append("%s:%d" % (path, n))
    out = [HEADER]
    for text, e in seen.items():
        out.append("#. TRANSLATORS: %s; etc/ table text a company may edit\n"
                   "#: %s\nmsgid %s\nmsgstr \"\"\n" %
                   (e["what"], " ".join(e["where"]), quote(text)))
    return "\n".join(out)


def main(argv):
    if len(argv) != 4:
        sys.exit("usage: gen-table-pot.py consent-categories.tsv "
                 "privacy-laws.tsv mailing-lists.tsv")
    try:
        text = pot(list(consent(argv[1])) + list(laws(argv[2])) +
                   list(mailing_lists(argv[3])))
    except (Bad, OSError, UnicodeDecodeError) as e:
        sys.exit("gen-table-pot.py: %s" % e)
    sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv)
