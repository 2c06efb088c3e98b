"""`privforms guard report`: the counts of trapped submissions (guard.h:
a filled honeypot, a form sent sooner than form_min_seconds), by day, form
and reason, as text and as CSV.

The counts are written in SQL into trap_count of the database that
`privforms init` made (the harness's Site), over several days, so every
figure below is worked by hand from DATA: the totals per form and reason,
the days below them, the total of all, and which days a period takes in
(both ends included: the day before --since and the day after --until
stay out, a month's and a year's last day stay in).  Last, the real
feedback form (nginx, cgi-bin/feedback.c) traps a submission of each kind,
and the report must count it."""

import csv
import io
import re
import unittest

from harness import Site, teardown

SITE = None

# (day, form, reason, count).  06-01 to 06-03 is the period most tests
# read; 05-31 and 06-04 lie just outside it; 06-30/07-01 and
# 2025-12-31/2026-01-01 cross a month and a year.
DATA = [
    ("2025-05-31", "request", "honeypot", 4),
    ("2025-06-01", "request", "honeypot", 7),
    ("2025-06-01", "unsubscribe", "too-fast", 2),
    ("2025-06-02", "do-not-call", "honeypot", 1),
    ("2025-06-02", "request", "honeypot", 5),
    ("2025-06-02", "request", "too-fast", 3),
    ("2025-06-03", "unsubscribe", "too-fast", 6),
    ("2025-06-04", "feedback", "honeypot", 9),
    ("2025-06-30", "feedback", "too-fast", 11),
    ("2025-07-01", "feedback", "too-fast", 13),
    ("2025-12-31", "unsubscribe", "honeypot", 17),
    ("2026-01-01", "unsubscribe", "honeypot", 19),
]

# A name no library code writes (a hand edit): never raw on a terminal.
HOSTILE_DAY = "2024-01-01"
HOSTILE_FORM = "evil\x1b[2J,form"
NOT_SHOWN = "(not shown: not valid text)"
HOSTILE = (HOSTILE_DAY, HOSTILE_FORM, "honeypot", 1)

TITLE = "Trapped submissions"
HEADER = "day,form,reason,count"


def setUpModule():
    global SITE
    SITE = Site().start()
    con = SITE.connect(timeout=10)
    try:
        with con:
            con.executemany(
                "INSERT INTO trap_count (day, form, reason, n) "
                "VALUES (?, ?, ?, ?)",
                DATA + [HOSTILE])
    finally:
        con.close()


def tearDownModule():
    teardown(SITE)


def cli(*args):
    return SITE.privforms("guard", "report", *args, check=False)


def ok(*args):
    p = cli(*args)
    if p.returncode != 0:
        raise AssertionError("exit %d: %s" % (p.returncode, p.stderr))
    return p.stdout


def rows(since=None, until=None, key=None):
    """The rows within the period, in the order of their stored values
    (by key, else as the CSV orders them), as the report shows them."""
    return [(d, NOT_SHOWN if f == HOSTILE_FORM else f, r, n)
            for d, f, r, n in sorted(DATA + [HOSTILE], key=key)
            if (since is None or d >= since) and
            (until is None or d <= until)]


def period(since, until):
    args = []
    if since is not None:
        args += ["--since", since]
    if until is not None:
        args += ["--until", until]
    return args


def parse_text(out):
    """The text report as (period line, {(form, reason): (total, [(day,
    count)])} in the order shown, total) or (period line, None, None) for
    "no trapped submissions"."""
    lines = out.splitlines()
    assert lines[0] == TITLE, lines
    assert lines[2] == "", lines
    if lines[3:] == ["no trapped submissions"]:
        return lines[1], None, None
    assert lines[3].split() == ["Form", "Reason", "Count"], lines
    assert lines[-2] == "" and lines[-1].split()[0] == "Total", lines
    groups, cur = {}, None
    for line in lines[4:-2]:
        f = [w.replace("\0", " ") for w in
             line.replace(NOT_SHOWN, NOT_SHOWN.replace(" ", "\0")).split()]
        if line.startswith("  "):
            assert len(f) == 2, line
            groups[cur][1].append((f[0], int(f[1])))
        else:
            assert len(f) == 3, line
            cur = (f[0], f[1])
            assert cur not in groups, line
            groups[cur] = (int(f[2]), [])
    return lines[1], groups, int(lines[-1].split()[1])


def expected_groups(since=None, until=None):
    """What the text must show: per form and reason, sorted, the total and
    the days."""
    groups = {}
    for day, form, reason, n in rows(since, until,
                                     key=lambda r: (r[1], r[2], r[0])):
        total, days = groups.get((form, reason), (0, []))
        groups[(form, reason)] = (total + n, days + [(day, n)])
    return groups


class Text(unittest.TestCase):
    def check(self, since, until, line):
        got_line, groups, total = parse_text(ok(*period(since, until)))
        self.assertEqual(got_line, line)
        want = expected_groups(since, until)
        self.assertEqual(list(groups.items()), list(want.items()))
        self.assertEqual(total, sum(r[3] for r in rows(since, until)))

    def test_a_period_shows_each_form_and_reason_with_its_days(self):
        self.check("2025-06-01", "2025-06-03",
                   "Period: 2025-06-01 to 2025-06-03 (UTC days, inclusive)")

    def test_the_period_hand_worked(self):
        _, groups, total = parse_text(ok(*period("2025-06-01",
                                                 "2025-06-03")))
        self.assertEqual(groups, {
            ("do-not-call", "honeypot"): (1, [("2025-06-02", 1)]),
            ("request", "honeypot"): (12, [("2025-06-01", 7),
                                           ("2025-06-02", 5)]),
            ("request", "too-fast"): (3, [("2025-06-02", 3)]),
            ("unsubscribe", "too-fast"): (8, [("2025-06-01", 2),
                                              ("2025-06-03", 6)])})
        self.assertEqual(total, 24)

    def test_only_since(self):
        self.check("2025-06-04", None,
                   "Period: from 2025-06-04 (UTC days, inclusive)")

    def test_only_until(self):
        self.check(None, "2025-06-01",
                   "Period: up to 2025-06-01 (UTC days, inclusive)")

    def test_nothing_in_the_period_says_so(self):
        out = ok(*period("2025-06-05", "2025-06-29"))
        self.assertEqual(out, "%s\nPeriod: 2025-06-05 to 2025-06-29 "
                         "(UTC days, inclusive)\n\nno trapped submissions\n"
                         % TITLE)

    def test_all_time_includes_every_row_and_hides_a_hostile_name(self):
        out = ok()
        self.assertNotIn("\x1b", out)
        self.assertIn(NOT_SHOWN, out)
        self.check(None, None, "Period: all time (UTC days, inclusive)")

    def test_columns_line_up(self):
        lines = ok(*period("2025-06-01", "2025-06-03")).splitlines()
        body = [line for line in lines[3:] if line]
        self.assertEqual(len({len(line) for line in body}), 1, body)


class Csv(unittest.TestCase):
    def read(self, since, until):
        out = SITE.privforms("guard", "report", "--format", "csv",
                             *period(since, until), text=False).stdout
        self.assertTrue(out.endswith(b"\r\n"))
        self.assertNotIn(b"\n", out.replace(b"\r\n", b""))
        return list(csv.reader(io.StringIO(out.decode("utf-8"),
                                           newline="")))

    def check(self, since, until):
        got = self.read(since, until)
        self.assertEqual(got[0], HEADER.split(","))
        self.assertEqual([tuple(r) for r in got[1:]],
                         [(d, f, r, str(n)) for d, f, r, n in
                          rows(since, until)])

    def test_a_row_per_day_form_and_reason_in_order(self):
        self.check("2025-06-01", "2025-06-03")

    def test_until_takes_in_its_whole_day(self):
        self.check("2025-05-31", "2025-06-01")

    def test_since_and_until_one_day(self):
        self.check("2025-06-02", "2025-06-02")

    def test_a_month_and_a_year_boundary(self):
        for since, until in (("2025-06-30", "2025-06-30"),
                             ("2025-07-01", "2025-07-01"),
                             ("2025-06-30", "2025-07-01"),
                             ("2025-12-31", "2025-12-31"),
                             ("2026-01-01", "2026-01-01"),
                             ("2025-07-02", "2025-12-30")):
            with self.subTest(since=since, until=until):
                self.check(since, until)

    def test_empty_is_the_header_alone(self):
        self.assertEqual(self.read("2027-01-01", None), [HEADER.split(",")])

    def test_a_hostile_name_is_quoted_and_not_shown(self):
        got = self.read(HOSTILE_DAY, HOSTILE_DAY)
        self.assertEqual(got[1:], [[HOSTILE_DAY, NOT_SHOWN, "honeypot", "1"]])

    def test_text_and_csv_agree(self):
        got = self.read(None, None)[1:]
        _, groups, total = parse_text(ok())
        self.assertEqual(total, sum(int(r[3]) for r in got))
        for (form, reason), (n, days) in groups.items():
            self.assertEqual(days, [(r[0], int(r[3])) for r in sorted(
                got, key=lambda r: r[0]) if (r[1], r[2]) == (form, reason)])
            self.assertEqual(n, sum(c for _, c in days))


def totals(site):
    """{(form, reason): count} over all time, from the CSV."""
    out = site.privforms("guard", "report", "--format", "csv").stdout
    got = {}
    for day, form, reason, n in list(csv.reader(io.StringIO(out)))[1:]:
        got[(form, reason)] = got.get((form, reason), 0) + int(n)
    return got


class RealForm(unittest.TestCase):
    """On a site of its own, so that the other tests' figures stay DATA's."""
    FORM = "/privacy/feedback"
    FIELDS = {"type": "compliment", "rating": "great", "message": "Hi."}

    @classmethod
    def setUpClass(cls):
        # The harness turns the timing trap off for other tests: on here.
        cls.site = Site({"form_min_seconds": "3"}).start()

    @classmethod
    def tearDownClass(cls):
        teardown(cls.site)

    def stamp(self):
        r = self.site.get(self.FORM)
        self.assertEqual(r.status, 200)
        m = re.search(r'name="pf_stamp" value="([^"]+)"', r.text)
        self.assertIsNotNone(m, r.text)
        return m.group(1)

    def trapped(self, reason, fields, status):
        before = totals(self.site)
        n = self.site.count("feedback")
        r = self.site.post(self.FORM, dict(fields, pf_stamp=self.stamp()))
        self.assertEqual(r.status, status, r)
        self.assertEqual(self.site.count("feedback"), n)
        after = totals(self.site)
        before[("feedback", reason)] = before.get(("feedback", reason), 0) + 1
        self.assertEqual(after, before)

    def test_a_filled_honeypot_is_counted(self):
        self.trapped("honeypot", dict(self.FIELDS, website="http://spam"),
                     303)

    def test_a_form_sent_at_once_is_counted(self):
        # form_min_seconds is 3: sent as soon as it is shown, it comes back
        # to be sent again (guard.h), and is counted all the same.
        self.trapped("too-fast", self.FIELDS, 422)


class Arguments(unittest.TestCase):
    def test_bad_arguments_are_usage_errors(self):
        for args in (["--since", "2025-02-30"], ["--until", "2025-6-1"],
                     ["--since", "yesterday"], ["--until", ""],
                     ["--since", "0000-01-01"], ["--since"], ["--until"],
                     ["--format", "xml"], ["--format"], ["--format", ""],
                     ["--since", "2025-06-02", "--until", "2025-06-01"],
                     ["--verbose"], ["2025-06-01"], ["--since=2025-06-01"]):
            with self.subTest(args=args):
                p = cli(*args)
                self.assertEqual((p.returncode, p.stdout), (2, ""), p.stderr)
                self.assertIn("usage: privforms guard report", p.stderr)

    def test_since_after_until_says_so(self):
        p = cli("--since", "2025-06-02", "--until", "2025-06-01")
        self.assertIn("--since 2025-06-02 is after --until 2025-06-01",
                      p.stderr)

    def test_a_bad_date_is_named(self):
        p = cli("--until", "2025-13-01")
        self.assertIn("2025-13-01: not a date YYYY-MM-DD", p.stderr)

    def test_a_bad_format_names_the_formats(self):
        p = cli("--format", "xml")
        self.assertIn("--format xml: not one of text, csv", p.stderr)

    def test_help_says_what_the_counts_are(self):
        p = cli("--help")
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith("usage: privforms guard report "
                                            "[--since DATE] [--until DATE] "
                                            "[--format text|csv]\n"))
        for w in ("honeypot", "too-fast", "form_min_seconds", "nothing was",
                  "day,form,reason,count", "both included"):
            self.assertIn(w, p.stdout)

    def test_the_command_is_listed(self):
        p = SITE.privforms("--help")
        self.assertIn("privforms guard report ", p.stdout)

    def test_a_missing_database_is_a_failure(self):
        site = Site()
        try:
            p = site.privforms("guard", "report", check=False)
            self.assertEqual((p.returncode, p.stdout), (1, ""))
            self.assertIn("privforms init creates it", p.stderr)
        finally:
            site.stop()


if __name__ == "__main__":
    unittest.main()
