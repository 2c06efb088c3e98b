"""`privforms links`: the links and List-Unsubscribe header values a
mailer stamps on each recipient's message, from a CSV of address,list on
standard input; each link works through nginx, and a bad row is named by
its number without its contents while the good rows are still written."""

import csv
import io
import os
import unittest
import urllib.parse

from harness import SRC, Site, teardown, token_open

SITE = None
HEADER = ["address", "list", "preferences_url", "unsubscribe_url",
          "list_unsubscribe", "list_unsubscribe_post"]
PREFERENCES = os.path.join(SRC, "cgi-bin", "preferences.c")


def setUpModule():
    global SITE
    SITE = Site().start()


def tearDownModule():
    teardown(SITE)


def links(data, *args):
    """`privforms links ARGS` with data (str or bytes) on standard input:
    the exit status, the rows written (header first) and standard error."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    p = SITE.privforms("links", *args, input=raw, text=False, check=False)
    rows = list(csv.reader(io.StringIO(p.stdout.decode("utf-8"),
                                       newline="")))
    return p.returncode, rows, p.stderr.decode("utf-8")


def path(url):
    """url's path and query, once it is known to be the site's."""
    p = urllib.parse.urlsplit(url)
    assert "%s://%s" % (p.scheme, p.netloc) == \
        "http://127.0.0.1:%d" % SITE.port, url
    return p.path + "?" + p.query


def token(url):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["t"][0]


def optouts():
    """(address, channel, list) of every opt-out, as the team exports them."""
    out = SITE.privforms("unsubscribes", "export").stdout
    return sorted(tuple(r[:3]) for r in csv.reader(io.StringIO(out))
                  if r[0] != "address")


class Links(unittest.TestCase):
    def test_each_row_gets_its_links_and_header_values(self):
        status, rows, err = links("address,list\r\n"
                                  "Grace@Example.com,news\r\n"
                                  "alan@example.org,offers\r\n")
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(rows[0], HEADER)
        self.assertEqual([r[:2] for r in rows[1:]],
                         [["Grace@Example.com", "news"],
                          ["alan@example.org", "offers"]])
        for (address, lst, pref, unsub, header, post), key in zip(
                rows[1:], ("grace@example.com", "alan@example.org")):
            base = "http://127.0.0.1:%d/privacy/" % SITE.port
            self.assertTrue(pref.startswith(base + "preferences?t="), pref)
            self.assertTrue(unsub.startswith(base + "unsubscribe?t="), unsub)
            # RFC 2369: the URL in angle brackets; RFC 8058: one value.
            self.assertEqual(header, "<%s>" % unsub)
            self.assertEqual(post, "List-Unsubscribe=One-Click")
            # What each link's token carries: the address as matched (its
            # email key), the list, the language.
            purpose, _, fields = token_open(SITE, token(pref))
            self.assertEqual((purpose, fields),
                             ("pref", ["email", key, "en"]))
            purpose, _, fields = token_open(SITE, token(unsub))
            self.assertEqual((purpose, fields),
                             ("unsub", ["email", key, lst, "en"]))

    def test_the_header_line_is_optional(self):
        with_header = links("address,list\nada@example.com,news\n")
        without = links("ada@example.com,news\n")
        self.assertEqual((with_header[0], without[0]), (0, 0))
        self.assertEqual([r[:2] for r in with_header[1]],
                         [r[:2] for r in without[1]])
        self.assertEqual(len(without[1]), 2)

    def test_an_empty_list_is_every_list(self):
        status, rows, _ = links("all@example.com,\n")
        self.assertEqual(status, 0)
        self.assertEqual(token_open(SITE, token(rows[1][3]))[2],
                         ["email", "all@example.com", "", "en"])

    def test_the_links_are_in_the_language_asked_for(self):
        status, rows, _ = links("lang@example.com,news\n", "--lang", "de")
        self.assertEqual(status, 0)
        self.assertEqual(token_open(SITE, token(rows[1][2]))[2][-1], "de")
        self.assertEqual(token_open(SITE, token(rows[1][3]))[2][-1], "de")
        for bad in ("DE", "pt-br", "ko"):
            status, rows, err = links("lang@example.com,news\n", "--lang",
                                      bad)
            self.assertEqual((status, rows), (1, []), bad)
            self.assertIn("--lang", err)

    def test_only_csv_is_a_format(self):
        self.assertEqual(links("a@example.com,news\n", "--format", "csv")[0],
                         0)
        status, rows, err = links("a@example.com,news\n", "--format", "xml")
        self.assertEqual((status, rows), (2, []))
        self.assertIn("--format xml: not one of csv", err)


class EachLinkWorks(unittest.TestCase):
    """Through nginx: the one-click URL opts its address out of its list
    and nothing else; GET changes nothing."""

    def test_one_click_opts_out_of_that_list_only(self):
        status, rows, _ = links("one@example.com,news\n"
                                "one@example.com,offers\n"
                                "two@example.com,news\n")
        self.assertEqual(status, 0)
        before = optouts()
        one_news = rows[1][3]
        r = SITE.get(path(one_news))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(optouts(), before, "a GET changed something")
        r = SITE.post(path(one_news), b"List-Unsubscribe=One-Click")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(set(optouts()) - set(before)),
                         [("one@example.com", "email", "news")])
        # The header value is the same URL, for a mailbox provider that
        # reads it there.
        r = SITE.post(path(rows[3][4].strip("<>")),
                      b"List-Unsubscribe=One-Click")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(set(optouts()) - set(before)),
                         [("one@example.com", "email", "news"),
                          ("two@example.com", "email", "news")])

    @unittest.skipUnless(os.path.exists(PREFERENCES),
                         "the preference page's program is not in this tree")
    def test_the_preference_url_answers_the_page_and_changes_nothing(self):
        before = (SITE.count("optout"), SITE.count("audit"))
        for lang in ("en", "de"):
            status, rows, _ = links("pref@example.com,news\n", "--lang",
                                    lang)
            self.assertEqual(status, 0)
            r = SITE.get(path(rows[1][2]))
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.header("content-language"), lang)
        self.assertEqual((SITE.count("optout"), SITE.count("audit")), before)


# Rows a mailer's export might hold by mistake, or an attacker by design;
# each holds an address that must never reach standard error.
BAD = [
    ("an unknown list", b"leak-a@example.com,nosuch\n",
     "no list nosuch in mailing_lists"),
    ("an SMS list", b"leak-b@example.com,sms-offers\n", "text messages"),
    ("the columns swapped", b"news,leak-c@example.com\n", "not a list id"),
    ("an invalid address", b"leak-d@,news\n", "the address:"),
    ("a third field", b"leak-e@example.com,news,x\n", "more than 2 fields"),
    ("one field", b"leak-f@example.com\n", "one field"),
    ("a stray quote", b"leak-g@example.com\",news\n", "a quote inside"),
    ("text after a closing quote", b"\"leak-h@example.com\"x,news\n",
     "only a comma"),
    ("a NUL", b"leak-i@example.com\0,news\n", "control character"),
    ("an escape sequence", b"leak-j@example.com\x1b[2J,news\n",
     "control character"),
    ("a lone CR", b"leak-k@example.com\r,news\n", "a CR"),
    ("a line break in quotes", b"\"leak-l@example.com\nx\",news\n",
     "line break"),
    ("invalid UTF-8", b"leak-m@example.com\xff,news\n", "not valid UTF-8"),
    ("a field too long", b"leak-n@example.com" + b"x" * 1100 + b",news\n",
     "longer than 1024 bytes"),
    ("a row too long", b"leak-o@example.com" + b"x" * 980 + b",\"" +
     b"\"\"" * 600 + b"\"\n", "a row is longer than 2048 bytes"),
]


class BadRows(unittest.TestCase):
    def test_each_bad_row_is_named_by_number_and_the_rest_written(self):
        data = b"address,list\n"
        for _, row, _ in BAD:
            data += row + b"good@example.com,events\n"
        status, rows, err = links(data)
        self.assertEqual(status, 1)
        self.assertEqual([r[:2] for r in rows[1:]],
                         [["good@example.com", "events"]] * len(BAD))
        lines = err.splitlines()
        # The header is row 1; each bad row is followed by a good one.
        for i, (what, _, why) in enumerate(BAD):
            with self.subTest(what):
                line = "privforms: links: row %d: " % (2 + 2 * i)
                said = [x for x in lines if x.startswith(line)]
                self.assertEqual(len(said), 1, err)
                self.assertIn(why, said[0])
        self.assertEqual(lines[-1], "privforms: links: %d rows written, %d "
                         "refused" % (len(BAD), len(BAD)))
        self.assertEqual(len(lines), len(BAD) + 1, err)
        self.assertNotIn("leak-", err)

    def test_nothing_is_stored_or_recorded(self):
        counts = (SITE.count("optout"), SITE.count("audit"))
        links(b"".join(row for _, row, _ in BAD) + b"ok@example.com,news\n")
        self.assertEqual((SITE.count("optout"), SITE.count("audit")), counts)

    def test_a_blank_line_is_skipped(self):
        status, rows, err = links("\n\na@example.com,news\n\n")
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(len(rows), 2)


if __name__ == "__main__":
    unittest.main()
