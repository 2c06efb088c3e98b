"""The team's side of the site feedback: `privforms feedback report` (text,
CSV, XML) and `feedback list`, against a known data set.

The data set is written in SQL into the database `privforms init`
made (the harness's Site), with fixed times over several days, so every
figure below is computed by hand from the table in DATA: counts by type,
the rating distribution and its bars, CSAT, NPS (zero, negative, all
promoters, no answers) and the article shares.  Two more days, TIES,
hold counts of 16 and 80 whose shares are exact ties at the second decimal
(1 of 16 is 6.25%): a hand rounds them half away from zero (6.3), and so
must the report, in every format, NPS and its sign included.  The form cannot make entries
of days gone by, which is why they are inserted; a few more are posted
through the real form (nginx, cgi-bin/feedback.c) and must show up the same
way."""

import csv
import datetime
import io
import os
import re
import subprocess
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from harness import POSTGRESQL, PRIVFORMS, Site, SRC, teardown

XSD = os.path.join(SRC, "etc", "feedback-report.xsd")
NS = "{urn:privforms:feedback-report:1}"
FORM = "/privacy/feedback"
SITE = None

TYPES = ("compliment", "question", "product-inquiry", "website-issue",
         "complaint")
TYPE_LABELS = ("Compliment", "Question", "Product inquiry", "Website issue",
               "Complaint")
RATINGS = ("amazing", "great", "okay", "bad", "terrible")     # best first
RATING_VALUE = {"terrible": 1, "bad": 2, "okay": 3, "great": 4, "amazing": 5}
GROUPS = ("promoters", "passives", "detractors")
BAR_WIDTH = 40

# Entries: (id, created, type, rating, recommend or None, step 2 sent,
# email, message).  Days: 06-01 all promoters, 06-02 a negative NPS,
# 06-03 no answers at all, 06-04 the boundaries of a day, the rest outside.
DATA = [
    (1, "2025-06-01T08:00:00.000000Z", "compliment", "amazing", 10, 1,
     "ann@example.com", "Lovely site."),
    (2, "2025-06-01T09:30:00.000000Z", "compliment", "great", 9, 1,
     None, "Nice."),
    (3, "2025-06-01T17:45:00.000000Z", "question", "great", 10, 1,
     None, "Where is the export?"),
    (4, "2025-06-02T08:00:00.000000Z", "complaint", "terrible", 0, 1,
     "bob@example.com", "Checkout is broken.\nTwice now."),
    (5, "2025-06-02T10:00:00.000000Z", "complaint", "bad", 6, 1,
     None, "Slow."),
    (6, "2025-06-02T11:00:00.000000Z", "website-issue", "bad", 6, 1,
     None, None),
    (7, "2025-06-02T12:00:00.000000Z", "website-issue", "okay", 7, 1,
     None, "Broken link on the FAQ."),
    (8, "2025-06-02T13:00:00.000000Z", "product-inquiry", "great", 9, 1,
     None, "Do you ship to Canada?"),
    (9, "2025-06-02T14:00:00.000000Z", "complaint", "terrible", None, 0,
     None, "Never again."),
    (10, "2025-06-03T09:00:00.000000Z", "question", "okay", None, 0,
     None, None),
    (11, "2025-06-03T10:00:00.000000Z", "website-issue", "amazing", None, 1,
     "cy@example.com", "Fixed, thanks."),
    (12, "2025-06-04T00:00:00.000000Z", "compliment", "great", 8, 1,
     None, "First thing in the day."),
    (13, "2025-06-04T23:59:59.999999Z", "question", "bad", 3, 1,
     None, "Last thing in the day."),
    (14, "2025-06-05T00:00:00.000000Z", "complaint", "okay", 10, 1,
     None, "The next day."),
    (15, "2025-05-31T23:59:59.999999Z", "website-issue", "terrible", None, 0,
     None, "The day before."),
]

# Article votes: (created, article, helpful, comment).
VOTES = [
    ("2025-06-01T08:00:00.000000Z", "install-guide", 1, "Worked."),
    ("2025-06-01T09:00:00.000000Z", "cookies", 1, None),
    ("2025-06-01T10:00:00.000000Z", "cookies", 1, None),
    ("2025-06-01T11:00:00.000000Z", "cookies", 0, "Too long."),
    ("2025-06-02T08:00:00.000000Z", "install-guide", 1, None),
    ("2025-06-02T09:00:00.000000Z", "install-guide", 0, None),
    ("2025-06-02T10:00:00.000000Z", "reset-password", 0, None),
    ("2025-06-03T08:00:00.000000Z", "install-guide", 1, None),
    ("2025-06-03T09:00:00.000000Z", "billing-faq", 1, None),
    ("2025-06-04T23:59:59.999999Z", "reset-password", 0, None),
    ("2025-06-05T00:00:00.000000Z", "billing-faq", 1, None),
]

HOSTILE_DAY = "2025-07-01"

# Ties, each day 16 entries, all with step 2 and an answer:
# (day, [(count, type)], [(count, rating)], [(count, recommend)],
#  [(article, votes, helpful)]).
TIE_DAYS = {
    # 5 promoters - 6 detractors of 16: -6.25.
    "2025-06-10": (
        [(1, "compliment"), (3, "question"), (5, "product-inquiry"),
         (7, "website-issue")],
        [(1, "amazing"), (4, "great"), (3, "okay"), (5, "bad"),
         (3, "terrible")],
        [(5, 10), (5, 7), (6, 0)],
        [("one-in-16", 16, 1), ("thirteen-in-16", 16, 13)]),
    # 6 promoters - 5 detractors of 16: +6.25.
    "2025-06-11": (
        [(3, "compliment"), (9, "question"), (3, "website-issue"),
         (1, "complaint")],
        [(9, "amazing"), (1, "okay"), (3, "bad"), (3, "terrible")],
        [(6, 9), (5, 8), (5, 5)],
        [("one-in-80", 80, 1)]),
}
TIE_FIRST_ID = 201


def tie_rows():
    """TIE_DAYS as rows: feedback like DATA's, votes like VOTES'."""
    entries, votes, i = [], [], TIE_FIRST_ID
    for day, (types, ratings, recs, articles) in TIE_DAYS.items():
        flat = [[v for n, v in col for _ in range(n)]
                for col in (types, ratings, recs)]
        assert all(len(col) == 16 for col in flat), day
        for n, (type_, rating, rec) in enumerate(zip(*flat)):
            created = "%sT08:%02d:00.000000Z" % (day, n)
            entries.append((i, created, type_, rating, rec, 1, None, None))
            i += 1
        n = 0
        for article, count, helpful in articles:
            for k in range(count):
                created = "%sT%02d:%02d:00.000000Z" % (day, 10 + n // 60,
                                                       n % 60)
                votes.append((created, article, int(k < helpful), None))
                n += 1
    return entries, votes


def expected(entries, types, ratings, csat, nps, articles):
    """A report's figures, as hand-computed: types and ratings map code to
    (count, percent), ratings with the bar length too; csat is
    (satisfied, entries, percent); nps (answers, score, {group: (count,
    percent)}); articles [(id, votes, helpful, percent)].  None is n/a."""
    return {"entries": entries, "types": types, "ratings": ratings,
            "csat": csat, "nps": nps, "articles": articles}


def zeros(total_pct):
    return (0, total_pct)


# 2025-06-01 to 2025-06-04: entries 1 to 13.
ALL_DAYS = expected(
    (13, 11, "84.6"),
    {"compliment": (3, "23.1"), "question": (3, "23.1"),
     "product-inquiry": (1, "7.7"), "website-issue": (3, "23.1"),
     "complaint": (3, "23.1")},
    # 40 * 2/13 = 6.15, 40 * 4/13 = 12.3, 40 * 3/13 = 9.23
    {"amazing": (2, "15.4", 6), "great": (4, "30.8", 12),
     "okay": (2, "15.4", 6), "bad": (3, "23.1", 9),
     "terrible": (2, "15.4", 6)},
    (6, 13, "46.2"),
    # 10, 9, 10, 9 promote; 7, 8 pass; 0, 6, 6, 3 detract: 40 - 40 = 0.
    (10, "0.0", {"promoters": (4, "40.0"), "passives": (2, "20.0"),
                 "detractors": (4, "40.0")}),
    [("install-guide", 4, 3, "75.0"), ("cookies", 3, 2, "66.7"),
     ("reset-password", 2, 0, "0.0"), ("billing-faq", 1, 1, "100.0")])

# 2025-06-01: every answer a promoter.
PROMOTERS_DAY = expected(
    (3, 3, "100.0"),
    {"compliment": (2, "66.7"), "question": (1, "33.3"),
     "product-inquiry": zeros("0.0"), "website-issue": zeros("0.0"),
     "complaint": zeros("0.0")},
    # 40 * 1/3 = 13.3, 40 * 2/3 = 26.7
    {"amazing": (1, "33.3", 13), "great": (2, "66.7", 27),
     "okay": (0, "0.0", 0), "bad": (0, "0.0", 0), "terrible": (0, "0.0", 0)},
    (3, 3, "100.0"),
    (3, "100.0", {"promoters": (3, "100.0"), "passives": (0, "0.0"),
                  "detractors": (0, "0.0")}),
    [("cookies", 3, 2, "66.7"), ("install-guide", 1, 1, "100.0")])

# 2025-06-02: one promoter, one passive, three detractors of five answers
# (entry 9 left step 2): 20 - 60 = -40.
NEGATIVE_DAY = expected(
    (6, 5, "83.3"),
    {"compliment": zeros("0.0"), "question": zeros("0.0"),
     "product-inquiry": (1, "16.7"), "website-issue": (2, "33.3"),
     "complaint": (3, "50.0")},
    # 40 * 2/6 = 13.3, 40 * 1/6 = 6.67
    {"amazing": (0, "0.0", 0), "great": (1, "16.7", 7),
     "okay": (1, "16.7", 7), "bad": (2, "33.3", 13),
     "terrible": (2, "33.3", 13)},
    (1, 6, "16.7"),
    (5, "-40.0", {"promoters": (1, "20.0"), "passives": (1, "20.0"),
                  "detractors": (3, "60.0")}),
    [("install-guide", 2, 1, "50.0"), ("reset-password", 1, 0, "0.0")])

# 2025-06-03: nobody answered "recommend".
NO_ANSWERS_DAY = expected(
    (2, 1, "50.0"),
    {"compliment": zeros("0.0"), "question": (1, "50.0"),
     "product-inquiry": zeros("0.0"), "website-issue": (1, "50.0"),
     "complaint": zeros("0.0")},
    {"amazing": (1, "50.0", 20), "great": (0, "0.0", 0),
     "okay": (1, "50.0", 20), "bad": (0, "0.0", 0),
     "terrible": (0, "0.0", 0)},
    (1, 2, "50.0"),
    (0, None, {"promoters": (0, None), "passives": (0, None),
               "detractors": (0, None)}),
    # Equal votes: by article.
    [("billing-faq", 1, 1, "100.0"), ("install-guide", 1, 1, "100.0")])

# 2025-06-10: shares of 16, ties that "%.1f" rounds to even (6.25 as 6.2,
# 31.25 as 31.2, 81.25 as 81.2) and NPS -6.25 as -6.2.
TIE_NEGATIVE_DAY = expected(
    (16, 16, "100.0"),
    {"compliment": (1, "6.3"), "question": (3, "18.8"),
     "product-inquiry": (5, "31.3"), "website-issue": (7, "43.8"),
     "complaint": zeros("0.0")},
    # 40 * 1/16 = 2.5, 40 * 3/16 = 7.5, 40 * 5/16 = 12.5: half up too.
    {"amazing": (1, "6.3", 3), "great": (4, "25.0", 10),
     "okay": (3, "18.8", 8), "bad": (5, "31.3", 13),
     "terrible": (3, "18.8", 8)},
    (5, 16, "31.3"),
    (16, "-6.3", {"promoters": (5, "31.3"), "passives": (5, "31.3"),
                  "detractors": (6, "37.5")}),
    [("one-in-16", 16, 1, "6.3"), ("thirteen-in-16", 16, 13, "81.3")])

# 2025-06-11: NPS +6.25, 9 of 16 (56.25) and 1 of 80 (1.25).
TIE_POSITIVE_DAY = expected(
    (16, 16, "100.0"),
    {"compliment": (3, "18.8"), "question": (9, "56.3"),
     "product-inquiry": zeros("0.0"), "website-issue": (3, "18.8"),
     "complaint": (1, "6.3")},
    # 40 * 9/16 = 22.5
    {"amazing": (9, "56.3", 23), "great": (0, "0.0", 0),
     "okay": (1, "6.3", 3), "bad": (3, "18.8", 8),
     "terrible": (3, "18.8", 8)},
    (9, 16, "56.3"),
    (16, "6.3", {"promoters": (6, "37.5"), "passives": (5, "31.3"),
                 "detractors": (5, "31.3")}),
    [("one-in-80", 80, 1, "1.3")])

# A period without anything.
EMPTY = expected(
    (0, 0, None),
    {t: (0, None) for t in TYPES},
    {r: (0, None, 0) for r in RATINGS},
    (0, 0, None),
    (0, None, {g: (0, None) for g in GROUPS}),
    [])


def setUpModule():
    global SITE
    SITE = Site().start()
    load(SITE)


def tearDownModule():
    teardown(SITE)


def load(site):
    """Write DATA, VOTES and the hostile rows, ids as given."""
    con = site.connect(timeout=10)
    try:
        with con:
            for (i, created, type_, rating, rec, done, mail, msg) in DATA:
                con.execute(
                    "INSERT INTO feedback (id, type, message, rating, email, "
                    "email_key, recommend, created, completed, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (i, type_, msg, RATING_VALUE[rating], mail, mail, rec,
                     created, created if done else None, created))
            for (created, article, helpful, comment) in VOTES:
                con.execute(
                    "INSERT INTO article_vote (article, helpful, comment, "
                    "client, created, updated) VALUES (?, ?, ?, NULL, ?, ?)",
                    (article, helpful, comment, created, created))
            entries, votes = tie_rows()
            for (i, created, type_, rating, rec, done, mail, msg) in entries:
                con.execute(
                    "INSERT INTO feedback (id, type, rating, recommend, "
                    "created, completed, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (i, type_, RATING_VALUE[rating], rec, created,
                     created if done else None, created))
            for (created, article, helpful, comment) in votes:
                con.execute(
                    "INSERT INTO article_vote (article, helpful, comment, "
                    "client, created, updated) VALUES (?, ?, ?, NULL, ?, ?)",
                    (article, helpful, comment, created, created))
            hostile(con)
    finally:
        con.close()


# Messages no form accepts (control characters, invalid UTF-8) and some it
# does (markup, a line that looks like a row), on HOSTILE_DAY.
ESC_CLEAR = "\x1b[2J\x1b]0;owned\x07 gotcha"
FAKE_ROW = "first line\n99      2025-06-04 23:59  Complaint  Terrible"
MARKUP = "<script>alert(1)</script> & \"quotes\""
HOSTILE = [
    # (id, message as SQL, its parameter, email)
    (101, "?", ESC_CLEAR, None),
    (102, "?", FAKE_ROW, None),
    (103, "?", MARKUP, None),
    (104, "CAST(? AS TEXT)", b"\xc0\xafbad utf-8", None),
    (105, "?", "carriage\rreturn", None),
    (106, "?", "c1 \u009b2J control", None),
    (107, "?", "tab\tis fine", "evil\x1b[31m@example.com"),
]
# PostgreSQL holds nothing but valid UTF-8 in text: the invalid message
# can exist on SQLite alone.
if POSTGRESQL:
    HOSTILE = [h for h in HOSTILE if not isinstance(h[2], bytes)]
HOSTILE_ARTICLE = "evil\x1b[31mred"


def hostile(con):
    for n, (i, sql, msg, mail) in enumerate(HOSTILE):
        created = "%sT10:%02d:00.000000Z" % (HOSTILE_DAY, n)
        con.execute(
            "INSERT INTO feedback (id, type, message, rating, email, "
            "recommend, created, completed, updated) "
            "VALUES (?, 'complaint', %s, 1, ?, NULL, ?, NULL, ?)" % sql,
            (i, msg, mail, created, created))
    con.execute(
        "INSERT INTO article_vote (article, helpful, comment, client, "
        "created, updated) VALUES (?, 1, ?, NULL, ?, ?)",
        (HOSTILE_ARTICLE, ESC_CLEAR, HOSTILE_DAY + "T11:00:00.000000Z",
         HOSTILE_DAY + "T11:00:00.000000Z"))


def cli(*args):
    return SITE.privforms("feedback", *args, check=False)


def ok(*args):
    p = cli(*args)
    if p.returncode != 0:
        raise AssertionError("feedback %s: %d %s" % (" ".join(args),
                                                      p.returncode, p.stderr))
    return p.stdout


def period(since, until):
    out = []
    if since:
        out += ["--since", since]
    if until:
        out += ["--until", until]
    return out


def today():
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


# ---- reading the three formats back ----

def parse_text(out):
    """The text report as the same shape as expected()."""
    got = {"types": {}, "ratings": {}, "articles": []}
    labels = dict(zip(TYPE_LABELS, TYPES))
    m = re.search(r"^Entries: (\d+) \(step 2 sent: (\d+), (\S+?)%?\)$", out,
                  re.M)
    got["entries"] = (int(m[1]), int(m[2]), na(m[3]))
    for label, code in labels.items():
        m = re.search(r"^%s +(\d+) +(\S+?)%%?$" % label, out, re.M)
        got["types"][code] = (int(m[1]), na(m[2]))
    for code in RATINGS:
        m = re.search(r"^%s +(\d+) +(\S+?)%%?(?:  (#+))?$" % code.title(),
                      out, re.M)
        got["ratings"][code] = (int(m[1]), na(m[2]), len(m[3] or ""))
    m = re.search(r"^CSAT: (\S+?)%? \(great or amazing: (\d+) of (\d+) "
                  r"entr(?:y|ies)\)$", out, re.M)
    got["csat"] = (int(m[2]), int(m[3]), na(m[1]))
    groups = {}
    for g in GROUPS:
        m = re.search(r"^%s \(\d+-\d+\) +(\d+) +(\S+?)%%?$" % g.title(), out,
                      re.M)
        groups[g] = (int(m[1]), na(m[2]))
    m = re.search(r"^NPS: (\S+) \((\d+) answers?\)$", out, re.M)
    got["nps"] = (int(m[2]), na(m[1]), groups)
    table = out.split("\nArticle ", 1)
    if len(table) == 2:
        for line in table[1].splitlines()[1:]:
            a = re.match(r"^(\S+) +(\d+) +(\d+) +(\S+)%$", line)
            got["articles"].append((a[1], int(a[2]), int(a[3]), a[4]))
    else:
        assert "Articles: no votes" in out, out
    return got


def na(s):
    return None if s == "n/a" or s == "" else s


def parse_csv(out):
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[0] == ["section", "item", "count", "total", "percent"], rows
    got = {"types": {}, "ratings": {}, "articles": []}
    groups = {}
    for section, item, count, total, pct in rows[1:]:
        if section == "entries":
            got["entries"] = (int(total), int(count), na(pct))
        elif section == "type":
            got["types"][item] = (int(count), na(pct))
        elif section == "rating":
            got["ratings"][item] = (int(count), na(pct))
        elif section == "csat":
            got["csat"] = (int(count), int(total), na(pct))
        elif section == "nps" and item == "score":
            assert count == "", rows
            score, answers = na(pct), int(total)
        elif section == "nps":
            groups[item] = (int(count), na(pct))
        elif section == "article":
            got["articles"].append((item, int(total), int(count), pct))
        else:
            raise AssertionError("unknown row %r" % section)
    got["nps"] = (answers, score, groups)
    return got, rows


def parse_xml(out):
    root = ET.fromstring(out.encode())
    got = {"types": {}, "ratings": {}, "articles": []}
    e = root.find(NS + "entries")
    got["entries"] = (int(e.get("count")), int(e.get("completed")),
                      e.get("percent"))
    for t in root.find(NS + "types"):
        got["types"][t.get("code")] = (int(t.get("count")), t.get("percent"))
    for r in root.find(NS + "ratings"):
        got["ratings"][r.get("code")] = (int(r.get("count")),
                                         r.get("percent"))
    c = root.find(NS + "csat")
    got["csat"] = (int(c.get("satisfied")), int(c.get("entries")),
                   c.get("percent"))
    n = root.find(NS + "nps")
    got["nps"] = (int(n.get("answers")), n.get("score"),
                  {g: (int(n.find(NS + g).get("count")),
                       n.find(NS + g).get("percent")) for g in GROUPS})
    for a in root.find(NS + "articles"):
        got["articles"].append((a.get("id"), int(a.get("votes")),
                                int(a.get("helpful")), a.get("percent")))
    return got, root


def valid_xml(out):
    v = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", XSD, "-"],
                       input=out, capture_output=True, text=True, timeout=30)
    return v.returncode, v.stderr.replace("- validates\n", "")


def without_bars(exp):
    """expected() as CSV and XML carry it: no bars, NPS unsigned."""
    out = dict(exp)
    out["ratings"] = {k: v[:2] for k, v in exp["ratings"].items()}
    return out


def signed(exp):
    """expected() as text shows it: NPS above 0 with a plus."""
    out = dict(exp)
    answers, score, groups = exp["nps"]
    if score is not None and float(score) > 0:
        score = "+" + score
    out["nps"] = (answers, score, groups)
    return out


class Report(unittest.TestCase):
    CASES = {
        "2025-06-01 to 2025-06-04": (("2025-06-01", "2025-06-04"), ALL_DAYS),
        "all promoters": (("2025-06-01", "2025-06-01"), PROMOTERS_DAY),
        "negative NPS": (("2025-06-02", "2025-06-02"), NEGATIVE_DAY),
        "no answers": (("2025-06-03", "2025-06-03"), NO_ANSWERS_DAY),
        "nothing at all": (("2024-01-01", "2024-12-31"), EMPTY),
        "ties, negative NPS": (("2025-06-10", "2025-06-10"),
                               TIE_NEGATIVE_DAY),
        "ties, positive NPS": (("2025-06-11", "2025-06-11"),
                               TIE_POSITIVE_DAY),
    }

    def test_text_figures(self):
        for name, ((since, until), exp) in self.CASES.items():
            with self.subTest(name):
                out = ok("report", *period(since, until))
                self.assertEqual(parse_text(out), signed(exp))
                self.assertIn("Period: %s to %s" % (since, until), out)

    def test_text_is_the_default_format(self):
        args = period("2025-06-01", "2025-06-04")
        self.assertEqual(ok("report", *args),
                         ok("report", "--format", "text", *args))

    def test_csv_figures(self):
        for name, ((since, until), exp) in self.CASES.items():
            with self.subTest(name):
                p = SITE.privforms("feedback", "report", "--format", "csv",
                                   *period(since, until), check=False,
                                   text=False)
                self.assertEqual(p.returncode, 0, p.stderr)
                out = p.stdout.decode()
                # RFC 4180: every line ends CRLF.
                self.assertTrue(out.endswith("\r\n"))
                self.assertNotIn("\n", out.replace("\r\n", ""))
                got, rows = parse_csv(out)
                self.assertEqual(got, without_bars(exp))
                self.assertTrue(all(len(r) == 5 for r in rows))

    def test_csv_has_every_type_and_rating_row_in_order(self):
        _, rows = parse_csv(ok("report", "--format", "csv",
                               *period("2025-06-03", "2025-06-03")))
        self.assertEqual([r[1] for r in rows if r[0] == "type"], list(TYPES))
        self.assertEqual([r[1] for r in rows if r[0] == "rating"],
                         list(RATINGS))
        self.assertEqual([r[1] for r in rows if r[0] == "nps"],
                         list(GROUPS) + ["score"])

    def test_xml_figures_and_schema(self):
        for name, ((since, until), exp) in self.CASES.items():
            with self.subTest(name):
                out = ok("report", "--format", "xml", *period(since, until))
                self.assertEqual(valid_xml(out), (0, ""))
                got, root = parse_xml(out)
                self.assertEqual(got, without_bars(exp))
                p = root.find(NS + "period")
                self.assertEqual((p.get("since"), p.get("until")),
                                 (since, until))

    def test_xml_period_ends_are_absent_when_open(self):
        for args, ends in ((["--since", "2025-06-02"], ("2025-06-02", None)),
                           (["--until", "2025-06-02"], (None, "2025-06-02")),
                           ([], (None, None))):
            with self.subTest(args=args):
                out = ok("report", "--format", "xml", *args)
                self.assertEqual(valid_xml(out), (0, ""))
                _, root = parse_xml(out)
                p = root.find(NS + "period")
                self.assertEqual((p.get("since"), p.get("until")), ends)

    def test_schema_refuses_a_report_with_a_type_missing(self):
        out = ok("report", "--format", "xml")
        broken = re.sub(r'\s*<type code="question"[^>]*/>', "", out)
        self.assertNotEqual(broken, out)
        self.assertNotEqual(valid_xml(broken)[0], 0)

    def test_text_bars_are_ascii_and_scaled_to_the_width(self):
        out = ok("report", *period("2025-06-01", "2025-06-04"))
        self.assertTrue(out.isascii())
        self.assertIn("(%d '#' = 100%%)" % BAR_WIDTH, out)
        # One rating at 100%: a full bar.
        out = ok("report", *period("2025-06-04", "2025-06-04"))
        self.assertEqual(parse_text(out)["ratings"]["great"], (1, "50.0", 20))
        full = ok("report", *period("2025-06-05", "2025-06-05"))
        self.assertEqual(parse_text(full)["ratings"]["okay"],
                         (1, "100.0", BAR_WIDTH))

    def test_ratings_are_listed_best_first(self):
        out = ok("report")
        where = [out.index("\n%s " % r.title()) for r in RATINGS]
        self.assertEqual(where, sorted(where))

    def test_nps_is_signed_in_text_only(self):
        text = ok("report", *period("2025-06-01", "2025-06-01"))
        self.assertIn("\nNPS: +100.0 (3 answers)\n", text)
        text = ok("report", *period("2025-06-02", "2025-06-02"))
        self.assertIn("\nNPS: -40.0 (5 answers)\n", text)
        text = ok("report", *period("2025-06-03", "2025-06-03"))
        self.assertIn("\nNPS: n/a (0 answers)\n", text)
        text = ok("report", *period("2025-06-01", "2025-06-04"))
        self.assertIn("\nNPS: 0.0 (10 answers)\n", text)

    def test_ties_round_half_away_from_zero_in_every_format(self):
        for day, nps, signed_nps in (("2025-06-10", "-6.3", "-6.3"),
                                     ("2025-06-11", "6.3", "+6.3")):
            with self.subTest(day=day):
                args = period(day, day)
                text = ok("report", *args)
                self.assertIn("\nNPS: %s (16 answers)\n" % signed_nps, text)
                _, rows = parse_csv(ok("report", "--format", "csv", *args))
                self.assertIn(["nps", "score", "", "16", nps], rows)
                _, root = parse_xml(ok("report", "--format", "xml", *args))
                self.assertEqual(root.find(NS + "nps").get("score"), nps)
        text = ok("report", *period("2025-06-10", "2025-06-10"))
        self.assertRegex(text, r"\nCompliment +1 +6\.3%\n")
        self.assertRegex(text, r"\nQuestion +3 +18\.8%\n")
        _, rows = parse_csv(ok("report", "--format", "csv",
                               *period("2025-06-11", "2025-06-11")))
        self.assertIn(["type", "complaint", "1", "16", "6.3"], rows)
        self.assertIn(["article", "one-in-80", "1", "80", "1.3"], rows)

    def test_report_shows_nothing_personal(self):
        for fmt in ("text", "csv", "xml"):
            out = ok("report", "--format", fmt)
            for (_, _, _, _, _, _, mail, msg) in DATA:
                if mail:
                    self.assertNotIn(mail, out)
                if msg:
                    self.assertNotIn(msg.split("\n")[0], out)


class Period(unittest.TestCase):
    """--until is inclusive, to the last microsecond of its day."""

    def entries(self, since, until):
        return parse_csv(ok("report", "--format", "csv",
                            *period(since, until)))[0]

    def test_last_microsecond_of_the_until_day_counts(self):
        got = self.entries("2025-06-04", "2025-06-04")
        self.assertEqual(got["entries"][0], 2)     # 12 and 13, not 14
        self.assertEqual(got["types"]["question"], (1, "50.0"))
        self.assertEqual(got["types"]["complaint"], (0, "0.0"))
        self.assertEqual(got["articles"], [("reset-password", 1, 0, "0.0")])

    def test_midnight_of_the_next_day_does_not(self):
        got = self.entries("2025-06-05", "2025-06-05")
        self.assertEqual(got["entries"][0], 1)     # 14 only
        self.assertEqual(got["types"]["complaint"], (1, "100.0"))
        self.assertEqual(got["articles"], [("billing-faq", 1, 1, "100.0")])

    def test_since_starts_at_midnight(self):
        got = self.entries("2025-05-31", "2025-05-31")
        self.assertEqual(got["entries"][0], 1)     # 15 only
        self.assertEqual(got["types"]["website-issue"], (1, "100.0"))
        self.assertEqual(self.entries("2025-06-01", "2025-06-04")
                         ["entries"][0], 13)

    def test_open_ends(self):
        # Up to 06-04: 15 and 1 to 13.
        self.assertEqual(self.entries(None, "2025-06-04")["entries"][0], 14)
        # From 07-01: the hostile rows, and any posted today.
        web = SITE.query("SELECT count(*) FROM feedback WHERE created >= ?",
                         (HOSTILE_DAY,))[0][0]
        self.assertEqual(self.entries(HOSTILE_DAY, None)["entries"][0], web)
        self.assertEqual(self.entries(None, None)["entries"][0],
                         SITE.count("feedback"))

    def test_until_the_last_day_there_is(self):
        total = SITE.count("feedback")
        self.assertEqual(self.entries(None, "9999-12-31")["entries"][0],
                         total)
        # The day after 9999-12-31 cannot be written as a date.
        self.assertEqual(self.entries("9999-12-31", "9999-12-31")
                         ["entries"][0], 0)

    def test_a_period_of_one_day_is_since_equal_to_until(self):
        self.assertEqual(self.entries("2025-06-02", "2025-06-02")["entries"],
                         (6, 5, "83.3"))


class Arguments(unittest.TestCase):
    def test_bad_report_arguments_are_usage_errors(self):
        for args in (["--since", "2025-02-30"], ["--until", "2025-6-1"],
                     ["--since", "yesterday"], ["--until", ""],
                     ["--since"], ["--format", "html"], ["--format"],
                     ["--since", "2025-06-02", "--until", "2025-06-01"],
                     ["--verbose"], ["2025-06-01"]):
            with self.subTest(args=args):
                p = cli("report", *args)
                self.assertEqual((p.returncode, p.stdout), (2, ""), p.stderr)
                self.assertIn("usage: privforms feedback report", p.stderr)

    def test_since_after_until_says_so(self):
        p = cli("report", "--since", "2025-06-02", "--until", "2025-06-01")
        self.assertIn("--since 2025-06-02 is after --until 2025-06-01",
                      p.stderr)

    def test_bad_list_arguments_are_usage_errors(self):
        for args in (["--limit", "0"], ["--limit", "-1"], ["--limit", "ten"],
                     ["--limit"], ["--type", "praise"], ["--type", ""],
                     ["--type", "complaint", "--articles"],
                     ["--until", "2025-13-01"], ["--articles", "yes"],
                     ["--since", "2025-06-02", "--until", "2025-06-01"]):
            with self.subTest(args=args):
                p = cli("list", *args)
                self.assertEqual((p.returncode, p.stdout), (2, ""), p.stderr)
                self.assertIn("usage: privforms feedback list", p.stderr)

    def test_a_wrong_type_lists_the_types(self):
        p = cli("list", "--type", "praise")
        self.assertIn("--type praise: not one of %s" % ", ".join(TYPES),
                      p.stderr)

    def test_help_describes_each_command(self):
        for cmd, words in (("report", ("CSAT", "NPS", "--until", "csv")),
                           ("list", ("--articles", "--type", "newest"))):
            with self.subTest(cmd=cmd):
                p = cli(cmd, "--help")
                self.assertEqual(p.returncode, 0)
                self.assertTrue(p.stdout.startswith(
                    "usage: privforms feedback %s " % cmd))
                for w in words:
                    self.assertIn(w, p.stdout)

    def test_missing_database_is_an_error_not_an_empty_report(self):
        conf = SITE.conf_with("wrong-db.conf", database="no-such.db")
        for args in (["report"], ["report", "--format", "xml"], ["list"],
                     ["list", "--articles"]):
            with self.subTest(args=args):
                p = subprocess.run([PRIVFORMS, "--config", conf, "feedback"]
                                   + args, capture_output=True, text=True,
                                   timeout=30)
                self.assertEqual((p.returncode, p.stdout), (1, ""))
                self.assertIn("no-such.db", p.stderr)
                self.assertIn("privforms init creates it", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(SITE.dir, "no-such.db")))


# ---- feedback list ----

ROW = re.compile(r"^(\d+) +(\d{4}-\d\d-\d\d \d\d:\d\d) +(.*)$")


def rows(out):
    """[(id, time, rest of the line, [indented lines])] of a listing."""
    lines = out.splitlines()
    assert lines[0].startswith("ID "), out
    got = []
    for line in lines[1:]:
        m = ROW.match(line)
        if m:
            got.append((int(m[1]), m[2], m[3], []))
        elif line.startswith("        "):
            got[-1][3].append(line[8:])
        else:
            assert line == "(none)", line
    return got


def newest(n, where="1 = 1", args=()):
    return [r[0] for r in SITE.query(
        "SELECT id FROM feedback WHERE %s ORDER BY created DESC, id DESC "
        "LIMIT %d" % (where, n), args)]


class List(unittest.TestCase):
    def test_newest_first_with_every_column(self):
        out = ok("list", *period("2025-06-02", "2025-06-03"))
        got = rows(out)
        self.assertEqual([r[0] for r in got], [11, 10, 9, 8, 7, 6, 5, 4])
        r = {x[0]: x for x in got}
        self.assertEqual(r[4][1], "2025-06-02 08:00")
        self.assertEqual(r[4][2].split(),
                         ["Complaint", "Terrible", "0", "sent",
                          "bob@example.com"])
        self.assertEqual(r[4][3], ["Checkout is broken.", "Twice now."])
        self.assertEqual(r[9][2].split(), ["Complaint", "Terrible", "-", "no",
                                           "-"])
        self.assertEqual(r[8][2].split()[:2], ["Product", "inquiry"])
        self.assertEqual(r[11][2].split(), ["Website", "issue", "Amazing", "-",
                                            "sent", "cy@example.com"])
        self.assertEqual(r[6][3], ["(no message)"])

    def test_default_limit_is_twenty(self):
        self.assertGreater(SITE.count("feedback"), 20)
        self.assertEqual([r[0] for r in rows(ok("list"))], newest(20))

    def test_limit(self):
        got = rows(ok("list", "--limit", "3", *period("2025-06-01",
                                                       "2025-06-04")))
        self.assertEqual([r[0] for r in got], [13, 12, 11])
        self.assertEqual(len(rows(ok("list", "--limit", "1000"))),
                         SITE.count("feedback"))

    def test_type_filter(self):
        got = rows(ok("list", "--type", "complaint",
                      *period("2025-06-01", "2025-06-05")))
        self.assertEqual([r[0] for r in got], [14, 9, 5, 4])
        got = rows(ok("list", "--type", "product-inquiry"))
        self.assertEqual([r[0] for r in got], newest(
            100, "type = 'product-inquiry'"))

    def test_until_is_inclusive(self):
        got = rows(ok("list", *period("2025-06-04", "2025-06-04")))
        self.assertEqual([r[0] for r in got], [13, 12])
        self.assertEqual(got[0][1], "2025-06-04 23:59")

    def test_nothing_listed_says_none(self):
        self.assertEqual(ok("list", *period("2024-01-01", "2024-01-01"))
                         .splitlines()[1:], ["(none)"])
        self.assertEqual(ok("list", "--articles",
                            *period("2024-01-01", "2024-01-01"))
                         .splitlines()[1:], ["(none)"])

    def test_articles(self):
        got = rows(ok("list", "--articles",
                      *period("2025-06-01", "2025-06-01")))
        self.assertEqual([(r[1], r[2].split()) for r in got], [
            ("2025-06-01 11:00", ["cookies", "no"]),
            ("2025-06-01 10:00", ["cookies", "yes"]),
            ("2025-06-01 09:00", ["cookies", "yes"]),
            ("2025-06-01 08:00", ["install-guide", "yes"])])
        self.assertEqual([r[3] for r in got], [["Too long."], [], [],
                                                ["Worked."]])
        got = rows(ok("list", "--articles", "--limit", "2",
                      *period("2025-06-04", "2025-06-05")))
        self.assertEqual([(r[1], r[2].split()) for r in got], [
            ("2025-06-05 00:00", ["billing-faq", "yes"]),
            ("2025-06-04 23:59", ["reset-password", "no"])])


class Hostile(unittest.TestCase):
    """Values no form writes reach the terminal as a notice, never raw."""

    NOT_SHOWN = "(not shown: not valid text)"

    def listing(self, *args):
        p = SITE.privforms("feedback", "list", *args, check=False, text=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        for bad in (b"\x1b", b"\x07", b"\r", b"\xc2\x9b", b"\xc0\xaf"):
            self.assertNotIn(bad, p.stdout)
        return p.stdout.decode("utf-8")

    def test_messages(self):
        got = {r[0]: r for r in rows(self.listing(
            *period(HOSTILE_DAY, HOSTILE_DAY)))}
        self.assertEqual(sorted(got), [h[0] for h in HOSTILE])
        for i in {101, 104, 105, 106} & set(got):
            self.assertEqual(got[i][3], [self.NOT_SHOWN], i)
        # Text a form could hold is shown as it is, each line indented.
        self.assertEqual(got[102][3], FAKE_ROW.split("\n"))
        self.assertEqual(got[103][3], [MARKUP])
        self.assertEqual(got[107][3], ["tab\tis fine"])

    def test_a_line_that_looks_like_a_row_is_not_one(self):
        got = rows(self.listing(*period(HOSTILE_DAY, HOSTILE_DAY)))
        self.assertNotIn(99, [r[0] for r in got])

    def test_email(self):
        got = {r[0]: r for r in rows(self.listing(
            *period(HOSTILE_DAY, HOSTILE_DAY)))}
        self.assertTrue(got[107][2].endswith(self.NOT_SHOWN), got[107][2])

    def test_article_votes(self):
        out = self.listing("--articles", *period(HOSTILE_DAY, HOSTILE_DAY))
        got = rows(out)
        self.assertEqual(len(got), 1)
        self.assertIn(self.NOT_SHOWN, got[0][2])
        self.assertEqual(got[0][3], [self.NOT_SHOWN])

    def test_report_in_every_format(self):
        args = period(HOSTILE_DAY, HOSTILE_DAY)
        for fmt in ("text", "csv", "xml"):
            with self.subTest(fmt=fmt):
                p = SITE.privforms("feedback", "report", "--format", fmt,
                                   *args, check=False, text=False)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertNotIn(b"\x1b", p.stdout)
                self.assertIn(self.NOT_SHOWN.encode(), p.stdout)
        out = ok("report", "--format", "xml", *args)
        self.assertEqual(valid_xml(out), (0, ""))
        got, _ = parse_xml(out)
        self.assertEqual(got["entries"], (len(HOSTILE), 0, "0.0"))
        self.assertEqual(got["articles"], [(self.NOT_SHOWN, 1, 1, "100.0")])


class ThroughTheForm(unittest.TestCase):
    """Entries posted through nginx count like any other."""

    @classmethod
    def setUpClass(cls):
        cls.first = SITE.query("SELECT max(id) FROM feedback")[0][0]
        # A complaint with both steps, then a compliment left at step 1.
        r = SITE.post(FORM, {"type": "complaint", "rating": "bad",
                             "message": "Posted <b>through</b> the form."})
        assert r.status == 303, r
        query = urllib.parse.urlsplit(r.header("location")).query
        t = urllib.parse.parse_qs(query)["t"][0]
        r = SITE.post(FORM + "?step=2", {"t": t, "action": "submit",
                                         "email": "web@example.com",
                                         "recommend": "2"})
        assert r.status == 303, r
        r = SITE.post(FORM, {"type": "compliment", "rating": "amazing"})
        assert r.status == 303, r
        r = SITE.post(FORM + "/article", {"article": "web-article",
                                          "helpful": "yes"})
        assert r.status == 303, r

    def test_report(self):
        got, _ = parse_csv(ok("report", "--format", "csv", "--since",
                              today()))
        self.assertEqual(got["entries"], (2, 1, "50.0"))
        self.assertEqual(got["types"]["complaint"], (1, "50.0"))
        self.assertEqual(got["types"]["compliment"], (1, "50.0"))
        self.assertEqual(got["ratings"]["bad"], (1, "50.0"))
        self.assertEqual(got["ratings"]["amazing"], (1, "50.0"))
        self.assertEqual(got["csat"], (1, 2, "50.0"))
        self.assertEqual(got["nps"], (1, "-100.0", {
            "promoters": (0, "0.0"), "passives": (0, "0.0"),
            "detractors": (1, "100.0")}))
        self.assertEqual(got["articles"], [("web-article", 1, 1, "100.0")])

    def test_list(self):
        got = rows(ok("list", "--since", today()))
        self.assertEqual([r[0] for r in got],
                         [self.first + 2, self.first + 1])
        self.assertEqual(got[0][2].split(), ["Compliment", "Amazing", "-",
                                             "no", "-"])
        self.assertEqual(got[0][3], ["(no message)"])
        self.assertEqual(got[1][2].split(), ["Complaint", "Bad", "2", "sent",
                                             "web@example.com"])
        self.assertEqual(got[1][3], ["Posted <b>through</b> the form."])
        votes = rows(ok("list", "--articles", "--limit", "1"))
        self.assertEqual(votes[0][2].split(), ["web-article", "yes"])


if __name__ == "__main__":
    unittest.main()
