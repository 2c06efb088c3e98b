"""The Global Privacy Control signal on every privforms program through a
real nginx (issue 25 item 3; lib/gpc.h, program.h): a POST with
Sec-GPC: 1 stores one GPC consent record per device per UTC day, in the
POST's own transaction or, when it stores nothing, in one of its own, and
sets the pf_consent cookie with the sale categories off; any other value
changes nothing; every page says "Opt-out preference signal honored"
exactly when the signal is 1; a GET stores nothing and sets no cookie."""

import glob
import itertools
import json
import os
import re
import subprocess
import time
import unittest
import urllib.parse

from harness import (Site, SRC, teardown, FormTest, free_port, mail_config,
                     cgi_status, FORM_TABLE)

SITE = None
NOTICE = "Opt-out preference signal honored"
COOKIE = re.compile(
    r"^pf_consent=(v=1&d=([A-Za-z0-9_-]{21}[AQgw])&n=([0-9a-f]{16})"
    r"&c=([a-z0-9_+-]*)&g=([01])&t=([1-9][0-9]{0,9})); Path=/; "
    r"Max-Age=(\d+); SameSite=Lax$")
SEQ = itertools.count()


def unique():
    return "gpc%d@example.com" % next(SEQ)


def phone():
    return "+1 212 555 %04d" % (1000 + next(SEQ))


# Each program's path, a valid POST's fields (made afresh: no repeat is
# deduplicated), a refused one's, and the tables its own data goes to.
PROGRAMS = {
    "unsubscribe": ("/privacy/unsubscribe",
                    lambda: {"channel": "email", "email": unique()},
                    {"channel": "x", "email": "kept@example.com"},
                    ("optout", "outbox")),
    "do-not-call": ("/privacy/do-not-call",
                    lambda: {"phone": phone(), "country": "US"},
                    {"phone": "", "country": "US"}, ("dnc", "outbox")),
    "data-request": ("/privacy/request",
                     lambda: {"type": "access", "relationship": "customer",
                              "first_name": "Ada", "last_name": "Lovelace",
                              "email": unique(), "country": "DE"},
                     {"type": "nonsense", "email": "kept@example.com"},
                     ("request", "request_event", "outbox")),
    "feedback": ("/privacy/feedback",
                 lambda: {"type": "compliment", "message": "Nice",
                          "rating": "great"},
                 {"type": "compliment", "message": "Nice"},
                 ("feedback", "outbox")),
    "article-vote": ("/privacy/feedback/article",
                     lambda: {"article": "a%d" % next(SEQ),
                              "helpful": "yes"},
                     {"article": "a", "helpful": "perhaps"},
                     ("article_vote",)),
    "opt-out": ("/privacy/opt-out", lambda: {"optout": "yes"},
                {"optout": "no"}, ()),
    "consent": ("/privacy/consent", lambda: {"choice": "reject"},
                {"choice": "all of it"}, ()),
}
# The pages to GET: each program's form, and a message page (404).
PAGES = ["/privacy/unsubscribe", "/privacy/do-not-call", "/privacy/request",
         "/privacy/feedback", "/privacy/opt-out", "/privacy/consent",
         "/privacy/consent?done", "/privacy/request/nowhere"]


def setUpModule():
    global SITE
    # The data request form needs mail settings; nothing is sent here
    # (the forms only queue), so no server listens on the port.
    smtp = type("NoServer", (), {"port": free_port()})
    SITE = Site(config=mail_config(smtp, form_min_seconds="0")).start()


def tearDownModule():
    teardown(SITE)


def post(path, fields, gpc=None, cookie=None):
    headers = {}
    if gpc is not None:
        headers["Sec-GPC"] = gpc
    if cookie is not None:
        headers["Cookie"] = cookie
    if path.endswith("/article"):
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return SITE.request("POST", path, headers=headers,
                            body=urllib.parse.urlencode(fields).encode())
    return SITE.post(path, fields, headers=headers)


def gpc_records(device=None):
    sql = ("SELECT device, action, allowed, refused, gpc FROM consent_record"
           " WHERE method = 'gpc'")
    if device is None:
        return SITE.query(sql)
    return SITE.query(sql + " AND device = ?", (device,))


class Signal(FormTest):
    def cookie(self, r):
        """r's pf_consent Set-Cookie, matched whole: its match."""
        m = COOKIE.match(r.header("Set-Cookie") or "")
        self.assertIsNotNone(m, (r, r.header("Set-Cookie")))
        return m

    def test_the_cookie_keeps_a_decision_and_makes_none(self):
        """Without a decision the signal's cookie is none (t=1: the
        snippet's dialog still asks); with one, it is that decision less
        the sale categories, made when it was made."""
        path, valid = PROGRAMS["unsubscribe"][:2]
        m = self.cookie(post(path, valid(), gpc="1"))
        self.assertEqual((m[4], m[5], m[6]), ("required", "1", "1"))
        version = json.loads(SITE.get("/privacy/consent?version").text)
        t = int(time.time()) - 3600
        mine = ("v=1&d=%s&n=%s&c=required+functional+advertising&g=0&t=%d"
                % (m[2], version["version"], t))
        m = self.cookie(post(path, valid(), gpc="1",
                             cookie="pf_consent=" + mine))
        self.assertEqual((m[2], m[4], m[5], m[6]),
                         (m[2], "required+functional", "1", str(t)))

    def test_a_post_with_the_signal_records_once_per_device_and_day(self):
        for name, (path, valid, _, _) in PROGRAMS.items():
            with self.subTest(program=name):
                r = post(path, valid(), gpc="1")
                self.assertIn(r.status, (200, 303), r)
                m = self.cookie(r)
                self.assertEqual(m[5], "1")
                self.assertNotIn("advertising", m[4])
                device = m[2]
                self.assertEqual(gpc_records(device), [
                    (device, "refused", "required",
                     "functional advertising", 1)])
                before = SITE.count("consent_record"), SITE.count("audit")
                r = post(path, valid(), gpc="1", cookie="pf_consent=" + m[1])
                self.assertIn(r.status, (200, 303), r)
                self.assertEqual(self.cookie(r)[2], device, "device kept")
                self.assertEqual(len(gpc_records(device)), 1)
                # The second POST stored what it stores, and no GPC record.
                if name not in ("opt-out", "consent"):
                    self.assertEqual(SITE.count("consent_record"),
                                     before[0])

    def test_the_record_rides_in_the_posts_own_transaction(self):
        path, valid, _, tables = PROGRAMS["unsubscribe"]
        before = SITE.count("audit")
        r = post(path, valid(), gpc="1")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(SITE.count("audit"), before + 2)
        events = SITE.query("SELECT event, form FROM audit ORDER BY seq DESC"
                            " LIMIT 2")
        self.assertEqual(sorted(events), [("consent-recorded", "consent"),
                                          ("unsubscribed", "unsubscribe")])

    def test_any_other_value_changes_nothing(self):
        for name, (path, valid, _, _) in PROGRAMS.items():
            for value in ("0", "true", " 01", "", "1 1", "yes"):
                with self.subTest(program=name, value=value):
                    before = len(gpc_records())
                    r = post(path, valid(), gpc=value)
                    self.assertIn(r.status, (200, 303), r)
                    self.assertEqual(len(gpc_records()), before)
                    self.assertNotIn(NOTICE, r.text)
                    if name not in ("opt-out", "consent"):
                        self.assertIsNone(r.header("Set-Cookie"))
                    else:
                        self.assertEqual(self.cookie(r)[5], "0")

    def test_repeated_headers_count_when_one_is_1(self):
        path, valid, _, _ = PROGRAMS["do-not-call"]
        r = post(path, valid(), gpc="0, 1")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(len(gpc_records(self.cookie(r)[2])), 1)

    def test_pages_say_it_exactly_when_the_signal_is_1(self):
        for path in PAGES:
            for value, shown in (("1", 1), ("0", 0), ("yes", 0),
                                 (None, 0), (" 1 ", 1)):
                with self.subTest(path=path, value=value):
                    h = {} if value is None else {"Sec-GPC": value}
                    before = SITE.count("consent_record"), SITE.count("audit")
                    r = SITE.get(path, headers=h)
                    self.assertIn(r.status, (200, 404), r)
                    self.assertEqual(r.text.count(NOTICE), shown, r.text)
                    self.assertIsNone(r.header("Set-Cookie"))
                    self.assertEqual((SITE.count("consent_record"),
                                      SITE.count("audit")), before)

    def test_refused_post_keeps_the_record_and_writes_nothing_else(self):
        for name, (path, _, bad, tables) in PROGRAMS.items():
            with self.subTest(program=name):
                counts = [SITE.count(t) for t in tables]
                before = SITE.count("consent_record"), SITE.count("audit")
                r = post(path, bad, gpc="1")
                self.assertIn(r.status, (400, 422), r)
                self.assertEqual(r.text.count(NOTICE), 1)
                if "email" in bad:
                    self.assertIn(bad["email"], r.text, "kept as typed")
                self.assertEqual([SITE.count(t) for t in tables], counts)
                m = self.cookie(r)
                self.assertEqual(gpc_records(m[2]), [
                    (m[2], "refused", "required", "functional advertising",
                     1)])
                self.assertEqual((SITE.count("consent_record"),
                                  SITE.count("audit")),
                                 (before[0] + 1, before[1] + 1))

    def test_a_decision_under_the_signal_is_the_devices_last_record(self):
        """The consent page stores the signal's record first, then the
        decision, which is the device's last record: what it holds now,
        and what a later record (and the export) reads as the latest."""
        for fields in ({"choice": "accept", "confirm": "yes"},
                       {"choice": "reject"}):
            with self.subTest(choice=fields["choice"]):
                r = post("/privacy/consent", fields, gpc="1")
                self.assertEqual(r.status, 303, r)
                device = self.cookie(r)[2]
                self.assertEqual(SITE.query(
                    "SELECT method FROM consent_record WHERE device = ? "
                    "ORDER BY created DESC, id DESC", (device,)),
                    [("page",), ("gpc",)])

    def test_a_sale_category_confirmed_under_the_signal_is_kept(self):
        """The visitor confirmed advertising while the browser sent the
        signal (CCPA regulations s. 7025(c)(3)): a later post with the
        signal, that day or a later one, neither turns it off in the
        cookie nor stores a GPC opt-out withdrawing it."""
        r = post("/privacy/consent", {"choice": "accept", "confirm": "yes"},
                 gpc="1")
        self.assertEqual(r.status, 303, r)
        today = self.cookie(r)
        self.assertEqual((today[4], today[5]),
                         ("required+functional+advertising", "1"))
        # The same, confirmed the day before (records are appended only).
        version = json.loads(SITE.get("/privacy/consent?version").text)
        yesterday = "AAAAAAAAAAAAAAAAAAAAA" + "Q"
        for method, allowed, refused in (
                ("gpc", "required", "functional advertising"),
                ("page", "required functional advertising", "")):
            SITE.write(
                "INSERT INTO consent_record (device, notice, language, "
                "allowed, refused, action, method, gpc, created) VALUES "
                "(?, ?, 'en', ?, ?, 'changed', ?, 1, ?)",
                (yesterday, version["version"], allowed, refused, method,
                 time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                               time.gmtime(time.time() - 86400))))
        t = int(time.time()) - 86400
        cookies = {"today": today[1], "a later day": "v=1&d=%s&n=%s&c="
                   "required+functional+advertising&g=1&t=%d" % (
                       yesterday, version["version"], t)}
        path, valid, _, _ = PROGRAMS["unsubscribe"]
        for day, cookie in cookies.items():
            with self.subTest(day=day):
                device = re.search(r"&d=([^&]+)&", cookie)[1]
                before = gpc_records(device)
                r = post(path, valid(), gpc="1", cookie="pf_consent=" + cookie)
                self.assertEqual(r.status, 303, r)
                kept = COOKIE.match(r.header("Set-Cookie") or "")
                if kept is not None:
                    self.assertEqual(kept[1], cookie)
                self.assertEqual(gpc_records(device), before)
                self.assertEqual(SITE.query(
                    "SELECT allowed FROM consent_record WHERE device = ? "
                    "ORDER BY created DESC, id DESC LIMIT 1", (device,)),
                    [("required functional advertising",)])

    def test_a_cross_site_post_stores_nothing(self):
        path, valid, _, _ = PROGRAMS["unsubscribe"]
        before = SITE.count("consent_record"), SITE.count("audit")
        r = SITE.post(path, valid(), headers={"Sec-GPC": "1",
                                              "Sec-Fetch-Site": "cross-site"})
        self.assertEqual(r.status, 403, r)
        self.assertIsNone(r.header("Set-Cookie"))
        self.assertEqual((SITE.count("consent_record"), SITE.count("audit")),
                         before)


class Limited(unittest.TestCase):
    """A script that sends no cookie is a new device with each post: the
    records of posts that store nothing of their own are held to the
    form's per-client limit (guard.h's pf_guard_gpc)."""

    def test_refused_posts_record_within_the_forms_client_limit(self):
        site = Site(config={"unsubscribe_limit": "2/hour"}).start()
        try:
            path, valid, bad, _ = PROGRAMS["unsubscribe"]
            for i in range(4):
                r = site.post(path, bad, headers={"Sec-GPC": "1"})
                self.assertEqual(r.status, 422, r)
                self.assertIsNotNone(COOKIE.match(r.header("Set-Cookie")))
                self.assertEqual(r.text.count(NOTICE), 1)
            self.assertEqual(site.count("consent_record"), 2)
            # The form's own limit is another: a submission still goes in,
            # its GPC record with it.
            r = site.post(path, valid(), headers={"Sec-GPC": "1"})
            self.assertEqual(r.status, 303, r)
            self.assertEqual(site.count("consent_record"), 3)
        finally:
            teardown(site)


class OneWorker(unittest.TestCase):
    """A FastCGI worker serves request after request: what the skeleton
    keeps for one POST with the signal (the pending record, the device,
    the cookie) must be gone before the next.  One worker per program, so
    both requests reach the same process."""

    @classmethod
    def setUpClass(cls):
        cls.site = Site(config={"form_min_seconds": "0"}, workers=1).start()

    @classmethod
    def tearDownClass(cls):
        teardown(cls.site)

    def test_the_next_request_of_the_worker_carries_nothing_of_it(self):
        site = self.site
        for name in ("unsubscribe", "consent"):
            path, _, bad, _ = PROGRAMS[name]
            with self.subTest(program=name):
                r = site.post(path, bad, headers={"Sec-GPC": "1"})
                self.assertIn(r.status, (400, 422), r)
                first = COOKIE.match(r.header("Set-Cookie") or "")
                self.assertIsNotNone(first, r)
                before = site.count("consent_record"), site.count("audit")
                # The same worker, no signal, no cookie: no record, no
                # cookie of the signal, the page without its notice.
                r = site.post(path, bad)
                self.assertIn(r.status, (400, 422), r)
                self.assertIsNone(r.header("Set-Cookie"))
                self.assertNotIn(NOTICE, r.text)
                self.assertEqual((site.count("consent_record"),
                                  site.count("audit")), before)

    def test_each_browser_without_a_cookie_gets_a_device_of_its_own(self):
        path, valid, _, _ = PROGRAMS["consent"]
        devices = []
        for gpc in ("1", None, None):
            h = {} if gpc is None else {"Sec-GPC": gpc}
            r = self.site.post(path, valid(), headers=h)
            self.assertEqual(r.status, 303, r)
            m = COOKIE.match(r.header("Set-Cookie") or "")
            self.assertIsNotNone(m, r)
            self.assertEqual(m[5], "0" if gpc is None else "1")
            devices.append(m[2])
        self.assertEqual(len(set(devices)), 3, devices)


class StartUp(unittest.TestCase):
    def test_a_malformed_consent_table_stops_every_program_naming_its_line(self):
        bad = os.path.join(SITE.dir, "bad-categories.tsv")
        with open(bad, "w") as f:
            f.write("required\tyes\tno\tRequired\tWorks.\t-\n"
                    "advertising\tmaybe\tyes\tAds\tAds.\t-\n")
        conf = SITE.conf_with("bad.conf", consent_categories=bad)
        programs = sorted(glob.glob(os.path.join(SRC, "cgi-bin", "*.fcgi")))
        # Every program of lib/forms.def, each found built.
        self.assertEqual(
            [os.path.basename(p) for p in programs],
            sorted({form["program"] + ".fcgi" for form in FORM_TABLE}))
        for program in programs:
            with self.subTest(program=os.path.basename(program)):
                env = dict(os.environ, PRIVFORMS_CONFIG=conf,
                           REQUEST_METHOD="GET", SCRIPT_NAME="/privacy/x")
                p = subprocess.run([program], env=env, capture_output=True,
                                   stdin=subprocess.DEVNULL, timeout=60)
                self.assertEqual(p.returncode, 1, p)
                self.assertEqual(p.stdout, b"")
                self.assertIn(("consent_categories: %s:2:" % bad).encode(),
                              p.stderr)

    def test_a_good_table_serves_as_plain_cgi(self):
        env = dict(os.environ, PRIVFORMS_CONFIG=SITE.conf,
                   REQUEST_METHOD="GET", SCRIPT_NAME="/privacy/unsubscribe",
                   HTTP_SEC_GPC="1")
        p = subprocess.run([os.path.join(SRC, "cgi-bin", "unsubscribe.fcgi")],
                           env=env, capture_output=True,
                           stdin=subprocess.DEVNULL, timeout=60)
        self.assertEqual(cgi_status(p.stdout), 200, p)
        self.assertEqual(p.stdout.count(NOTICE.encode()), 1)


if __name__ == "__main__":
    unittest.main()
