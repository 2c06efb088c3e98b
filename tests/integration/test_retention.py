"""The retention of data subject requests: `privforms purge` reduces each
request closed longer than request_retention_months ago to what the
yearly metrics need, on requests made through the real form (nginx),
verified through the real mail (aiosmtpd) and closed with the command.

The form makes requests received now and the command closes them now, so
the test moves the times of some into the past by writing the database
(received, the history's times and updated, which is when a request
closed): the purge goes by the stored times only.  Everything else is
done through the privforms command and read back from the database.
"""

import calendar
import datetime
import re
import signal
import subprocess
import unittest

from harness import (PRIVFORMS, Site, address, mail_site, request_submit,
                     request_verify, teardown, wait_until)

SITE = None
SMTP = None
PERSONAL = ("organisation", "first_name", "last_name", "email", "email_key",
            "details", "party")
KEPT = ("id, type, relationship, subject, country, state, law, received, "
        "due, acknowledge, extension, extended, status, verify_by, updated")
REQUEST = "*"   # every column, for the rows that must not change at all
NAMES = ("Augusta", "Kingsworth")
NOTE = "Sent to 12 Acacia Avenue, Leeds"
REASON = "exempt-legal-claims"
MONTHS = 24

# The set: tag -> (how it ends, when it closed or None for now, aged open)
OLD_FULFILLED = "old-fulfilled"
OLD_DENIED = "old-denied"
OLD_OPEN = "old-open"
YOUNG = "young"
NOW_CLOSED = "now-closed"
UNVERIFIED = "unverified"

IDS = {}            # tag -> request id
ADDRESSES = {}      # tag -> its address
BEFORE = {}         # what was read before the purge
PURGE = None        # the first purge's CompletedProcess


def months_ago(months, days=0):
    """The UTC time that many months (and days more) before now, as
    stored, the day kept or the month's last day (utc.h)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    m = now.year * 12 + now.month - 1 - months
    y, mon = divmod(m, 12)
    day = min(now.day, calendar.monthrange(y, mon + 1)[1])
    t = now.replace(year=y, month=mon + 1, day=day) - \
        datetime.timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def cli(*args):
    return SITE.privforms(*args, check=False)


def request(tag, kind="access"):
    """A request from a fresh address, verified unless tag says not."""
    to = ADDRESSES[tag] = address("retention-" + tag)
    rid = request_submit(SITE, to, kind=kind, first_name=NAMES[0],
                         last_name=NAMES[1], organisation="Engines " + tag,
                         details="All you hold on me, " + tag)
    if tag != UNVERIFIED:
        request_verify(SITE, SMTP, to)
    IDS[tag] = rid
    return rid


def close(rid, how):
    args = (("request", "fulfil", str(rid), "--note", NOTE)
            if how == "fulfil" else
            ("request", "deny", str(rid), "--reason", how))
    p = cli(*args)
    assert p.returncode == 0, p.stderr


def age(rid, received, closed):
    """Move request rid back: received then, every later event and its
    last change (updated: when it closed) at closed."""
    SITE.write("UPDATE request SET received = ?, updated = ?, "
               "verify_by = ? WHERE id = ?", (received, closed, closed, rid))
    SITE.write("UPDATE request_event SET time = ? WHERE request = ? AND "
               "seq = 1", (received, rid))
    SITE.write("UPDATE request_event SET time = ? WHERE request = ? AND "
               "seq > 1", (closed, rid))


def make_requests():
    """Received in 2019 and closed then (reduced), received in 2019 and
    still open (kept), closed 23 months ago (kept), closed now, and one
    nobody verified yet."""
    rid = request(OLD_FULFILLED)
    close(rid, "fulfil")
    age(rid, "2019-02-01T09:00:00.000000Z", "2019-02-11T17:00:00.000000Z")
    rid = request(OLD_DENIED, "deletion")
    cli("request", "extend", str(rid), "--reason", "Archives in " + NAMES[1])
    close(rid, REASON)
    age(rid, "2019-05-31T23:00:00.000000Z", "2019-06-30T08:00:00.000000Z")
    rid = request(OLD_OPEN)
    age(rid, "2019-03-01T09:00:00.000000Z", "2019-03-01T09:05:00.000000Z")
    rid = request(YOUNG)
    close(rid, "fulfil")
    age(rid, months_ago(MONTHS - 1, 30), months_ago(MONTHS - 1))
    close(request(NOW_CLOSED), "fulfil")
    request(UNVERIFIED)
    SITE.send_mail(SMTP)


def report(fmt):
    p = cli("requests", "report", "--year", "2019", "--format", fmt)
    assert p.returncode == 0, p.stderr
    # The XML says when it was made: not a figure.
    return re.sub(r' generated="[^"]*"', "", p.stdout)


def rows(cols, tag):
    return SITE.query("SELECT %s FROM request WHERE id = ?" % cols,
                      (IDS[tag],))


def events(tag):
    return SITE.query("SELECT seq, time, status, note, reason FROM "
                      "request_event WHERE request = ? ORDER BY seq",
                      (IDS[tag],))


def party_email(tag):
    return SITE.query("SELECT email FROM party WHERE id = (SELECT party "
                      "FROM request WHERE id = ?)", (IDS[tag],))


def snapshot():
    for tag in IDS:
        BEFORE[tag] = {"kept": rows(KEPT, tag), "all": rows(REQUEST, tag),
                       "events": events(tag), "party": party_email(tag)}
    BEFORE["report"] = {f: report(f) for f in ("text", "csv", "xml")}
    BEFORE["records"] = len(SITE.audit_xml("requests-reduced"))


def setUpModule():
    global SITE, SMTP, PURGE
    SITE, SMTP = mail_site()
    try:
        make_requests()
        snapshot()
        PURGE = cli("purge")
    except BaseException:
        teardown(SITE, SMTP)   # tearDownModule does not run after this
        raise


def tearDownModule():
    teardown(SITE, SMTP)


class Reduced(unittest.TestCase):
    def test_purge_says_how_many_and_succeeds(self):
        self.assertEqual(PURGE.returncode, 0, PURGE.stderr)
        self.assertRegex(PURGE.stdout, r"purge: 2 requests closed before "
                         r"\d{4}-\d\d-\d\d reduced to the metrics")

    def test_closed_past_retention_lose_every_personal_field(self):
        for tag in (OLD_FULFILLED, OLD_DENIED):
            with self.subTest(tag=tag):
                got = rows(", ".join(PERSONAL) + ", reduced", tag)[0]
                self.assertEqual(got[:-1], (None,) * len(PERSONAL))
                self.assertRegex(got[-1], r"^\d{4}-\d\d-\d\dT")
                self.assertEqual([e[3] for e in events(tag)],
                                 [None] * len(events(tag)))
                self.assertEqual(party_email(tag), [])
                # The verified address's party lost it too.
                self.assertEqual(SITE.query(
                    "SELECT count(*) FROM party WHERE email = ?",
                    (ADDRESSES[tag].lower(),)), [(0,)])

    def test_closed_past_retention_keep_what_the_metrics_need(self):
        for tag in (OLD_FULFILLED, OLD_DENIED):
            with self.subTest(tag=tag):
                self.assertEqual(rows(KEPT, tag), BEFORE[tag]["kept"])
                self.assertEqual([e[:3] + e[4:] for e in events(tag)],
                                 [e[:3] + e[4:] for e in
                                  BEFORE[tag]["events"]])
        self.assertIn((4, "2019-06-30T08:00:00.000000Z", "denied", None,
                       REASON), events(OLD_DENIED))

    def test_open_young_and_unverified_requests_are_untouched(self):
        for tag in (OLD_OPEN, YOUNG, NOW_CLOSED, UNVERIFIED):
            with self.subTest(tag=tag):
                self.assertEqual(rows(REQUEST, tag), BEFORE[tag]["all"])
                self.assertEqual(events(tag), BEFORE[tag]["events"])
                self.assertEqual(rows("first_name", tag), [(NAMES[0],)])
        self.assertEqual(party_email(OLD_OPEN),
                         [(ADDRESSES[OLD_OPEN].lower(),)])

    def test_the_years_report_is_the_same(self):
        for fmt in ("text", "csv", "xml"):
            with self.subTest(format=fmt):
                self.assertEqual(report(fmt), BEFORE["report"][fmt])
        # And it counts them: the reduced ones are still in 2019's figures.
        self.assertRegex(BEFORE["report"]["text"],
                         r"(?m)^access +2 +1 +0 +1 +10\.0 +10\.0$")
        self.assertRegex(BEFORE["report"]["text"],
                         r"(?m)^deletion +1 +0 +1 +0 +30\.0 +30\.0$")

    def test_one_record_says_how_many_and_never_whose(self):
        records = SITE.audit_xml("requests-reduced")
        self.assertEqual(len(records), BEFORE["records"] + 1)
        xml = records[-1]
        self.assertIn("<form>admin</form>", xml)
        self.assertNotIn("<subject>", xml)
        self.assertIn('<detail name="requests">2</detail>', xml)
        self.assertIn('<detail name="retention-months">%d</detail>' % MONTHS,
                      xml)
        day = re.search(r"closed before (\S+) reduced", PURGE.stdout)[1]
        self.assertEqual(day, months_ago(MONTHS)[:10])
        self.assertRegex(xml, r'<detail name="closed-before">%sT\d\d:\d\d:'
                         r'\d\d\.000000Z</detail>' % day)
        self.assertNotIn('name="request"', xml)
        for tag in (OLD_FULFILLED, OLD_DENIED):
            self.assertNotIn(ADDRESSES[tag], xml)
        p = cli("audit", "verify")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_show_says_when_it_was_reduced(self):
        p = cli("request", "show", str(IDS[OLD_DENIED]))
        self.assertEqual(p.returncode, 0, p.stderr)
        when = rows("reduced", OLD_DENIED)[0][0][:10]
        self.assertRegex(p.stdout, r"(?m)^reduced +on %s under the retention "
                         r"rule" % when)
        self.assertRegex(p.stdout, r"(?m)^law +GDPR$")
        self.assertRegex(p.stdout, r"(?m)^status +denied")
        self.assertIn("reason: " + REASON, p.stdout)
        for gone in NAMES + (ADDRESSES[OLD_DENIED], "(erased)",
                             "Archives in"):
            self.assertNotIn(gone, p.stdout)
        whole = cli("request", "show", str(IDS[YOUNG]))
        self.assertEqual(whole.returncode, 0, whole.stderr)
        self.assertNotIn("reduced", whole.stdout)
        self.assertIn(NAMES[0], whole.stdout)

    def test_export_of_a_reduced_request_says_why(self):
        records = SITE.count("audit")
        p = cli("request", "export", str(IDS[OLD_FULFILLED]))
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertEqual(p.stdout, "")
        when = rows("reduced", OLD_FULFILLED)[0][0][:10]
        self.assertIn("request %d was reduced on %s under the retention rule"
                      % (IDS[OLD_FULFILLED], when), p.stderr)
        self.assertEqual(SITE.count("audit"), records)

    def test_a_second_purge_changes_nothing(self):
        before = {t: (rows(REQUEST, t), events(t)) for t in IDS}
        n = len(SITE.audit_xml("requests-reduced"))
        p = cli("purge")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("purge: 0 requests closed before", p.stdout)
        self.assertEqual({t: (rows(REQUEST, t), events(t)) for t in IDS},
                         before)
        self.assertEqual(len(SITE.audit_xml("requests-reduced")), n)


# ---- a large purge killed halfway ----

N = 20000           # requests aged past retention: 200 batches
HEX = "ab" * 32


def generate(site, n):
    """n closed requests received and closed in 2021, each with its own
    party, personal fields and a note in its history: written in SQL, as
    a site after years of requests would hold them."""
    con = site.connect(timeout=30)
    try:
        with con:
            con.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                "FROM n WHERE i < ?) INSERT INTO party (id, individual, "
                "email, created) SELECT 100000 + i, 100000 + i, 'gen' || i "
                "|| '@example.com', '2021-01-01T00:00:00.000000Z' FROM n",
                (n,))
            con.execute(
                "INSERT INTO request (type, relationship, organisation, "
                "first_name, last_name, email, email_key, subject, country, "
                "details, law, received, due, extension, status, party, "
                "verify_by, updated) SELECT 'access', 'customer', 'Org', "
                "'Gen', 'Person' || (id - 100000), email, email, ?, 'DE', "
                "'Everything', 'GDPR', '2021-01-04T00:00:00.000000Z', "
                "'2021-02-04', '2 months', 'fulfilled', id, "
                "'2021-01-11T00:00:00.000000Z', "
                "'2021-01-20T00:00:00.000000Z' FROM party WHERE id > 100000",
                (HEX,))
            con.execute(
                "INSERT INTO request_event (request, seq, time, status, note) "
                "SELECT id, 1, received, 'unverified', NULL FROM request "
                "WHERE subject = ? UNION ALL SELECT id, 2, updated, "
                "'fulfilled', 'Posted to ' || email FROM request "
                "WHERE subject = ?", (HEX, HEX))
    finally:
        con.close()


def reduced_count(site):
    con = site.connect(readonly=True, timeout=30)
    try:
        return con.execute("SELECT count(*) FROM request WHERE subject = ? "
                           "AND reduced IS NOT NULL", (HEX,)).fetchone()[0]
    finally:
        con.close()


class Interrupted(unittest.TestCase):
    """On a site of its own: a purge of everything, killed."""

    def setUp(self):
        self.site = Site().start()
        self.addCleanup(teardown, self.site)

    def states(self):
        """(whole, reduced, half) of the generated requests, by the data:
        whole has every personal field and its note, reduced none of them
        and its time; anything else is half."""
        q = self.site.query
        whole = q("SELECT count(*) FROM request r WHERE subject = ? AND "
                  "reduced IS NULL AND organisation IS NOT NULL AND "
                  "first_name IS NOT NULL AND last_name IS NOT NULL AND "
                  "email IS NOT NULL AND email_key IS NOT NULL AND details "
                  "IS NOT NULL AND party IS NOT NULL AND (SELECT email FROM "
                  "party WHERE id = r.party) = r.email AND (SELECT count(*) "
                  "FROM request_event WHERE request = r.id AND note IS NOT "
                  "NULL) = 1", (HEX,))[0][0]
        reduced = q("SELECT count(*) FROM request r WHERE subject = ? AND "
                    "reduced IS NOT NULL AND organisation IS NULL AND "
                    "first_name IS NULL AND last_name IS NULL AND email IS "
                    "NULL AND email_key IS NULL AND details IS NULL AND "
                    "party IS NULL AND (SELECT count(*) FROM request_event "
                    "WHERE request = r.id AND note IS NOT NULL) = 0 AND "
                    "(SELECT count(*) FROM request_event WHERE request = "
                    "r.id) = 2", (HEX,))[0][0]
        total = q("SELECT count(*) FROM request WHERE subject = ?",
                  (HEX,))[0][0]
        return whole, reduced, total - whole - reduced

    def counted(self):
        """The requests the requests-reduced records say were reduced."""
        return sum(int(re.search(r'<detail name="requests">(\d+)<', x)[1])
                   for x in self.site.audit_xml("requests-reduced"))

    def test_kill_9_halfway_leaves_each_request_whole_or_reduced(self):
        generate(self.site, N)
        self.assertEqual(self.states(), (N, 0, 0))
        purge = subprocess.Popen([PRIVFORMS, "--config", self.site.conf,
                                  "purge"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        try:
            # Kill it as soon as a batch is in, long before the last.
            wait_until(lambda: reduced_count(self.site) > 0 or
                       purge.poll() is not None, "a batch reduced")
            purge.send_signal(signal.SIGKILL)
        finally:
            purge.wait(timeout=60)
        self.assertEqual(purge.returncode, -signal.SIGKILL)
        whole, reduced, half = self.states()
        self.assertEqual(half, 0)
        self.assertGreater(reduced, 0)
        self.assertGreater(whole, 0, "the purge finished before the kill")
        # Each committed batch has its record, and no other.  On
        # PostgreSQL a batch's record is committed with it but chained by
        # a seal after: the kill may fall between the two, and audit sync
        # (any host's) chains what was left pending.
        self.site.privforms("audit", "sync")
        self.assertEqual(self.counted(), reduced)
        # The next purge goes on from there and finishes.
        p = self.site.privforms("purge", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("purge: %d requests closed before" % whole, p.stdout)
        self.assertEqual(self.states(), (0, N, 0))
        self.assertEqual(self.counted(), N)
        self.assertEqual(self.site.query(
            "SELECT count(*) FROM party WHERE id > 100000 AND email IS NOT "
            "NULL"), [(0,)])
        # The record files the kill may have cut short are written again.
        self.site.privforms("audit", "sync")
        p = self.site.privforms("audit", "verify", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)


if __name__ == "__main__":
    unittest.main()
