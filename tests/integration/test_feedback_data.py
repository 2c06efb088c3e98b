"""Site feedback and article votes in the data subject's rights:
`request export` lists the feedback that left a person's addresses,
`request erase` forgets its message and address but keeps its figures, and
`privforms purge` forgets the client of every article vote once the
de-duplication window has passed.

The person is made through the public paths (a data request submitted
and verified through its mail link, `party link`); the feedback through
the real two-step form.  Votes are written into the database with the
times a test needs (the form stamps the current one), and so is feedback
that must look older than the form can make it."""

import datetime
import html
import os
import re
import subprocess
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from harness import (POSTGRESQL, SRC, request_submit, sqlite_only, request_verify, teardown,
                     export_page, mail_site)

XSD = os.path.join(SRC, "etc", "request-export.xsd")
XSL = os.path.join(SRC, "etc", "request-export.xsl")
NS = {"e": "urn:privforms:export:1"}
WINDOW_HOURS = 6
HOSTILE = 'Line one <b>"bold"</b> & more.\r\nLine two.'
TEAM = "feedback-team@example.com"
SITE = None
SMTP = None


def setUpModule():
    global SITE, SMTP
    SITE, SMTP = mail_site(busy_timeout_ms="300", feedback_to=TEAM,
                           article_vote_window_hours=str(WINDOW_HOURS))


def tearDownModule():
    teardown(SITE, SMTP)


def run(*args):
    return SITE.privforms(*args, check=False)


def write(sql, args=()):
    return SITE.write(sql, args)


def stored(delta):
    """The stored time of now + delta (a timedelta)."""
    t = datetime.datetime.now(datetime.timezone.utc) + delta
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---- the person: a verified request, as test_export.py makes one ----

def send_mail(site=None):
    """Send what is queued; return the messages the server received."""
    return (site or SITE).send_mail(SMTP)


def submit(address, kind="access"):
    return request_submit(SITE, address, kind, first_name="Grace",
                          last_name="Hopper")


def verify(address):
    request_verify(SITE, SMTP, address)


def person(tag):
    """Two addresses of one person, each with a verified request, linked."""
    one = "%s.one@example.com" % tag
    two = "%s.two@example.org" % tag
    first = submit(one)
    verify(one)
    second = submit(two, "deletion")
    verify(two)
    parties = [SITE.query("SELECT party FROM request WHERE id = ?", (rid,))[0][0]
               for rid in (first, second)]
    p = run("party", "link", *map(str, parties))
    assert p.returncode == 0, p.stderr
    send_mail()
    return {"one": one, "two": two, "first": first, "second": second}


# ---- feedback, through the form ----

def local(url):
    """The path and query of url, to send to the site."""
    u = urllib.parse.urlsplit(url)
    return u.path + ("?" + u.query if u.query else "")


def hidden_fields(page):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" '
                           r'value="([^"]*)"', page))


def leave_feedback(kind, rating, message=None, address=None, recommend=None):
    """Both steps of the form (step 2 skipped without an address): the
    entry's id."""
    fields = {"type": kind, "rating": rating}
    if message is not None:
        fields["message"] = message
    before = SITE.query("SELECT coalesce(max(id), 0) FROM feedback")[0][0]
    r = SITE.post("/privacy/feedback", fields)
    if r.status != 303:
        raise AssertionError(r)
    fid = SITE.query("SELECT max(id) FROM feedback")[0][0]
    assert fid > before, r
    if address is None and recommend is None:
        return fid
    step2 = SITE.get(local(r.header("Location")))
    if step2.status != 200:
        raise AssertionError(step2)
    action = html.unescape(re.search(r'<form[^>]* action="([^"]+)"',
                                     step2.text).group(1))
    fields = {k: html.unescape(v) for k, v in
              hidden_fields(step2.text).items()}
    fields.update({"email": address or "",
                   "recommend": "" if recommend is None else str(recommend)})
    submit_button = re.search(r'<button[^>]* name="([^"]+)" value="([^"]+)"'
                              r'[^>]*>\s*Submit', step2.text)
    if submit_button:
        fields[submit_button.group(1)] = submit_button.group(2)
    r = SITE.post(local(action), fields)
    if r.status not in (200, 303):
        raise AssertionError(r)
    done = SITE.query("SELECT completed FROM feedback WHERE id = ?", (fid,))
    assert done[0][0] is not None, r
    return fid


def feedback_row(fid):
    return SITE.query("SELECT type, rating, recommend, message, email, "
                      "email_key, created, completed FROM feedback "
                      "WHERE id = ?", (fid,))[0]


# ---- packages and records ----

def export(rid):
    r = run("request", "export", str(rid))
    assert r.returncode == 0, r.stderr
    return r.stdout


def schema_check(xml):
    v = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", XSD, "-"],
                       input=xml, capture_output=True, text=True)
    return v.returncode, v.stderr


def entries(xml):
    """The feedback entries of a package: [{field: text}]."""
    root = ET.fromstring(xml.encode())
    return [{child.tag.split("}")[1]: child.text for child in entry}
            for entry in root.findall("e:feedback/e:entry", NS)]


def records(event):
    return [x.decode() if isinstance(x, bytes) else x for (x,) in
            SITE.query("SELECT xml FROM audit WHERE event = ? ORDER BY seq",
                       (event,))]


def detail(xml, name):
    m = re.search(r'<detail name="%s">([^<]*)</detail>' % name, xml)
    return m.group(1) if m else None


class Export(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = p = person("fbexport")
        # Typed in capitals: matched by its email key all the same.
        cls.full = leave_feedback("complaint", "terrible", HOSTILE,
                                  p["one"].upper(), 3)
        cls.bare = leave_feedback("compliment", "amazing", None, p["two"])
        cls.other = leave_feedback("question", "okay", "Someone else's words",
                                   "bystander@example.net", 9)
        cls.anonymous = leave_feedback("website-issue", "bad", "No address")
        cls.xml = export(p["first"])

    def test_package_is_valid_against_its_schema(self):
        rc, err = schema_check(self.xml)
        self.assertEqual(rc, 0, err)

    def test_package_lists_the_feedback_of_both_linked_addresses(self):
        got = entries(self.xml)
        self.assertEqual([e["id"] for e in got],
                         [str(self.full), str(self.bare)])

    def test_entry_holds_every_field_as_stored(self):
        row = feedback_row(self.full)
        e = entries(self.xml)[0]
        self.assertEqual(e["type"], "complaint")
        self.assertEqual(e["rating"], "terrible")
        self.assertEqual(e["recommend"], "3")
        self.assertEqual(e["received"], row[6])
        self.assertEqual(e["completed"], row[7])
        self.assertEqual(e["email"], row[4])
        self.assertEqual(e["email"].lower(), self.p["one"])
        self.assertEqual(e["message"].replace("\r\n", "\n"),
                         HOSTILE.replace("\r\n", "\n"))
        self.assertIn("&lt;b&gt;", self.xml)
        self.assertNotIn("<b>", self.xml)

    def test_what_was_not_given_is_absent(self):
        e = entries(self.xml)[1]
        self.assertEqual((e["type"], e["rating"]), ("compliment", "amazing"))
        self.assertNotIn("message", e)
        self.assertNotIn("recommend", e)
        self.assertEqual(e["email"], self.p["two"])

    def test_other_peoples_feedback_is_not_in_it(self):
        for secret in ("bystander", "Someone else", "No address",
                       "<type>question</type>", "<type>website-issue</type>"):
            self.assertNotIn(secret, self.xml)

    def test_the_other_partys_request_gives_the_same_feedback(self):
        self.assertEqual(entries(export(self.p["second"])),
                         entries(self.xml))

    def test_a_package_without_the_section_stays_valid(self):
        old = re.sub(r"\s*<feedback>.*</feedback>", "", self.xml, flags=re.S)
        self.assertNotIn("<feedback>", old)
        self.assertEqual(schema_check(old)[0], 0)

    def test_a_rating_outside_the_scale_is_refused_by_the_schema(self):
        bad = self.xml.replace("<rating>terrible</rating>",
                               "<rating>5</rating>")
        self.assertNotEqual(bad, self.xml)
        self.assertNotEqual(schema_check(bad)[0], 0)

    def test_export_record_counts_the_entries_without_personal_data(self):
        xml = records("request-exported")[-1]
        self.assertEqual(detail(xml, "feedback"), "2")
        for secret in ("fbexport", "Line one", "bold"):
            self.assertNotIn(secret, xml)

    def test_the_stylesheet_renders_the_section(self):
        r = export_page(self.xml)
        self.assertEqual(r.returncode, 0, r.stderr)
        section = r.stdout.split("<h2>Your feedback on our website</h2>")[1]
        section = section.split("<h2>")[0]
        for text in ("Complaint", "Terrible", "Compliment", "Amazing",
                     "3 of 10", "&lt;b&gt;", self.p["two"], "anonymous"):
            self.assertIn(text, section)
        self.assertNotIn("<b>", section)


class Erase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = p = person("fberase")
        cls.mine = [leave_feedback("complaint", "bad", "My words", p["one"], 2),
                    leave_feedback("product-inquiry", "great", None, p["two"],
                                   10)]
        cls.other = leave_feedback("compliment", "great", "Kept words",
                                   "keeper@example.net", 8)
        cls.rows = {fid: feedback_row(fid) for fid in cls.mine}
        if not POSTGRESQL:
            with SITE.locked():
                cls.locked = run("request", "erase", str(p["first"]))
            cls.after_lock = {fid: feedback_row(fid) for fid in cls.mine}
        cls.result = run("request", "erase", str(p["first"]))
        assert cls.result.returncode == 0, cls.result.stderr

    @sqlite_only("the busy lock: another writer holding the database file")
    def test_a_failed_erasure_leaves_the_feedback_whole(self):
        self.assertEqual(self.locked.returncode, 1)
        self.assertEqual(self.after_lock, self.rows)

    def test_message_and_address_are_gone(self):
        for fid in self.mine:
            self.assertEqual(feedback_row(fid)[3:6], (None, None, None), fid)

    def test_the_figures_and_times_stay(self):
        for fid in self.mine:
            row = feedback_row(fid)
            self.assertEqual(row[:3], self.rows[fid][:3], fid)
            self.assertEqual(row[6:], self.rows[fid][6:], fid)

    def test_other_feedback_is_untouched(self):
        row = feedback_row(self.other)
        self.assertEqual(row[3:6], ("Kept words", "keeper@example.net",
                                    "keeper@example.net"))

    def test_it_says_how_many(self):
        self.assertIn("2 feedback entries", self.result.stdout)

    def test_the_record_counts_them_without_personal_data(self):
        xml = records("request-erased")[-1]
        self.assertEqual(detail(xml, "feedback"), "2")
        self.assertEqual(detail(xml, "request"), str(self.p["first"]))
        for secret in ("fberase", "My words"):
            self.assertNotIn(secret, xml)
        self.assertEqual(run("audit", "verify").returncode, 0)

    def test_forwards_not_sent_yet_are_deleted_with_it(self):
        # Both of the person's entries were forwarded (the complaint at
        # step 1, named by the entry, and both at step 2, named by the
        # address) and the sender has not run since: none may go out now.
        vals = [v for (v,) in SITE.query(
            "SELECT vals FROM outbox WHERE template = 'feedback-forward' "
            "AND state = 'queued'")]
        for v in vals:
            text = urllib.parse.unquote_plus(v)
            for secret in ("My words", self.p["one"], self.p["two"]):
                self.assertNotIn(secret, text)
        self.assertTrue(any("Kept words" in urllib.parse.unquote_plus(v)
                            for v in vals))
        self.assertRegex(self.result.stdout, r"\b3 queued messages?\b")
        team = [m for m in send_mail() if m["To"] == TEAM]
        self.assertEqual(len(team), 1)
        self.assertIn("Kept words", team[0].get_content())

    def test_an_export_afterwards_lists_no_feedback(self):
        xml = export(self.p["first"])
        self.assertEqual(schema_check(xml)[0], 0)
        self.assertEqual(entries(xml), [])
        self.assertIn("<feedback/>", xml)
        self.assertNotIn("My words", xml)
        self.assertEqual(detail(records("request-exported")[-1], "feedback"),
                         "0")


class PurgeVotes(unittest.TestCase):
    """The window is WINDOW_HOURS; votes a minute either side of its start."""

    @classmethod
    def setUpClass(cls):
        window = datetime.timedelta(hours=WINDOW_HOURS)
        minute = datetime.timedelta(minutes=1)
        cls.votes = {}
        for name, age, client in (("old", window + minute, "a" * 64),
                                  ("ancient", 50 * window, "b" * 64),
                                  ("young", window - minute, "c" * 64),
                                  ("fresh", minute, "d" * 64),
                                  ("forgotten", 2 * window, None)):
            t = stored(-age)
            cls.votes[name] = write(
                "INSERT INTO article_vote (article, helpful, comment, client, "
                "created, updated) VALUES (?, 1, ?, ?, ?, ?)",
                ("kb-" + name, "comment " + name, client, t, t))
        cls.records = SITE.count("audit")
        cls.first = run("purge")
        cls.after_first = SITE.count("audit")
        cls.record = records("vote-clients-forgotten")[-1]
        cls.second = run("purge")
        cls.after_second = SITE.count("audit")

    def client(self, name):
        return SITE.query("SELECT client FROM article_vote WHERE id = ?",
                          (self.votes[name],))[0][0]

    def test_clients_older_than_the_window_are_forgotten(self):
        self.assertEqual(self.first.returncode, 0, self.first.stderr)
        self.assertIsNone(self.client("old"))
        self.assertIsNone(self.client("ancient"))

    def test_clients_inside_the_window_are_kept(self):
        self.assertEqual(self.client("young"), "c" * 64)
        self.assertEqual(self.client("fresh"), "d" * 64)

    def test_the_votes_themselves_stay(self):
        rows = SITE.query("SELECT article, helpful, comment FROM article_vote "
                          "WHERE id IN (%s) ORDER BY id" %
                          ",".join(map(str, self.votes.values())))
        self.assertEqual(len(rows), 5)
        self.assertEqual(rows[0], ("kb-old", 1, "comment old"))

    def test_it_says_how_many(self):
        self.assertIn("purge: 2 article votes", self.first.stdout)

    def test_one_record_with_the_count_and_no_subject(self):
        self.assertEqual(self.after_first, self.records + 1)
        xml = self.record
        self.assertEqual(detail(xml, "votes"), "2")
        self.assertEqual(detail(xml, "window-hours"), str(WINDOW_HOURS))
        self.assertRegex(detail(xml, "created-before"),
                         r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertIn("<form>admin</form>", xml)
        self.assertNotIn("<subject>", xml)
        self.assertNotIn("a" * 64, xml)
        self.assertEqual(run("audit", "verify").returncode, 0)

    def test_running_it_again_forgets_and_records_nothing(self):
        self.assertEqual(self.second.returncode, 0, self.second.stderr)
        self.assertIn("purge: 0 article votes", self.second.stdout)
        self.assertEqual(self.after_second, self.after_first)
        self.assertEqual(self.client("young"), "c" * 64)

    def test_a_failure_is_said_and_forgets_and_records_nothing(self):
        t = stored(-2 * datetime.timedelta(hours=WINDOW_HOURS))
        vid = write("INSERT INTO article_vote (article, helpful, client, "
                    "created, updated) VALUES ('kb-failing', 0, ?, ?, ?)",
                    ("e" * 64, t, t))
        # The votes' step alone fails; the steps before it still run.
        n = SITE.count("audit")
        with SITE.refusing("article_vote", "UPDATE OF client"):
            p = run("purge")
        self.assertEqual(p.returncode, 1)
        self.assertIn("purge: article votes:", p.stderr)
        self.assertIn("unverified request", p.stdout)
        self.assertIn("purge: 0 article votes", p.stdout)
        self.assertEqual(SITE.count("audit"), n)
        self.assertEqual(SITE.query("SELECT client FROM article_vote WHERE "
                                    "id = ?", (vid,))[0][0], "e" * 64)
        p = run("purge")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("purge: 1 article vote ", p.stdout)
        self.assertIsNone(SITE.query("SELECT client FROM article_vote WHERE "
                                     "id = ?", (vid,))[0][0])

    def test_help_names_the_window(self):
        r = run("purge", "--help")
        self.assertIn("article_vote_window_hours", r.stdout)


if __name__ == "__main__":
    unittest.main()
