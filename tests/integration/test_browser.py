"""The pages in a real browser: Debian's chromium, headless, driven by
playwright-core, against a real site.

Widget: the form guard's widget (tests/browser/submit.mjs).

The page's script (htdocs/static/guard.js) must fetch a challenge, solve
it, say so in words, and let the form through with a payload the server
takes as a proof of work; a submission sent before that is held, not
lost or trapped.  `make check` installs tests/browser/node_modules.

The site refuses submissions without a proof (unsubscribe_without_js =
refuse), so reaching the success page with a row stored means the
widget's payload was accepted; its challenge is then spent.

tests/browser/flow.mjs walks what a visitor does around the guard: Back,
then Next, in the feedback form, and a form sent at once with JavaScript
off (every press also goes through the cross-site check with chromium's
own Sec-Fetch-Site and Origin).

Pages: every page issue 27 touched and the preference center's (the
forms, their error pages, the
unsubscribe done page, a data request's verify and status pages (and,
for a denied Texas request, the status page that offers an appeal, the
appeal form, and the status page of a denied appeal), the
page that asks a person whether they authorised an agent, the
article page, feedback step 2, a message page, the 404 and 50x pages;
the hub; every page the programs send with its language menu, the site
offering en, de and ar-XB, and some in ar-XB, written right to left)
looked at by tests/browser/pages.mjs: axe-core finds no WCAG 2.2 A or AA
violation at 320 px wide with JavaScript, nor at 1024 px without it, nor
in the dark colour scheme;
nothing is wider than the window; Tab stops at every control in the
order they are shown, each with a visible focus; error pages are reached
and used with the keyboard alone: the title says "Error: ", focus is on
the error summary, and its link to a radio group lands on the first
radio with the question in view (with JavaScript off the link still goes
there).  One chromium runs every visit of a plan.

Languages: every page again, in each shipped language (en and each
po/*.po, with the build's translated templates and catalogues), once at
320 px with axe-core only (0 violations); every form and its error page
in the pseudo-locales en-XA (longer text) and ar-XB (right to left), with
nothing wider than the window.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from harness import (Site, SRC, request_submit, request_verify, mail_config,
                     stamp_of, teardown, token_craft, language_config)
from smtp_server import Server

BROWSER = os.path.join(SRC, "tests", "browser")
SUBMIT = os.path.join(BROWSER, "submit.mjs")
FLOW = os.path.join(BROWSER, "flow.mjs")
PAGES = os.path.join(BROWSER, "pages.mjs")
FORM = "/privacy/unsubscribe"
TIMEOUT = 90	# seconds for one submit.mjs run, chromium's start included
SITE = None


def setUpModule():
    global SITE
    if not os.path.isdir(os.path.join(BROWSER, "node_modules",
                                      "playwright-core")):
        raise RuntimeError("no tests/browser/node_modules: run `make "
                           "integration` (or `npm ci` in tests/browser)")
    # An easy challenge keeps the test quick (the widget's work is the same
    # whatever the number).  form_min_seconds (the page's data-wait) is
    # long enough that a submit sent before it is over would be trapped.
    SITE = Site(config={"unsubscribe_pow": "5000", "feedback_pow": "5000",
                        "unsubscribe_without_js": "refuse",
                        "form_min_seconds": "4"}).start()


def tearDownModule():
    teardown(SITE)


def submit(path, fields, *flags):
    """Run submit.mjs on path with fields: its JSON answer."""
    url = "http://127.0.0.1:%d%s" % (SITE.port, path)
    p = subprocess.run(["node", SUBMIT, url, json.dumps(fields),
                        "--timeout", str(TIMEOUT)] + list(flags),
                       capture_output=True, text=True, timeout=TIMEOUT + 30)
    if p.returncode != 0:
        raise AssertionError("submit.mjs failed (%d): %s\n%s" %
                             (p.returncode, p.stderr, p.stdout))
    return json.loads(p.stdout)


def flow(name, path, fields):
    """Run flow.mjs's flow name on path with fields: the pages it saw."""
    url = "http://127.0.0.1:%d%s" % (SITE.port, path)
    p = subprocess.run(["node", FLOW, name, url, json.dumps(fields),
                        "--timeout", str(TIMEOUT)],
                       capture_output=True, text=True, timeout=TIMEOUT + 30)
    if p.returncode != 0:
        raise AssertionError("flow.mjs %s failed (%d): %s\n%s" %
                             (name, p.returncode, p.stderr, p.stdout))
    return json.loads(p.stdout)["pages"]


def optout(address):
    return SITE.query("SELECT channel, source FROM optout WHERE address = ?",
                      (address,))


def trapped():
    return SITE.query("SELECT coalesce(sum(n), 0) FROM trap_count")[0][0]


class Widget(unittest.TestCase):
    def check_unsubscribed(self, out, address, spent, traps):
        self.assertRegex(out["url"], r"^http://127\.0\.0\.1:%d%s\?done=[\w.-]+$"
                         % (SITE.port, FORM))
        self.assertEqual(out["status"], 200, out)
        self.assertEqual(out["h1"], "You are unsubscribed", out)
        self.assertEqual(out["states"][-1], "Verified", out)
        self.assertEqual(optout(address), [("email", "form")])
        self.assertEqual(SITE.count("pow_spent"), spent + 1)
        self.assertEqual(trapped(), traps)

    def test_widget_solves_and_the_submission_is_stored(self):
        spent, traps = SITE.count("pow_spent"), trapped()
        start = time.monotonic()
        out = submit(FORM, {"email": "browser@example.com"})
        self.check_unsubscribed(out, "browser@example.com", spent, traps)
        # How long a browser takes, for the record (chromium's start too).
        print("\n  submit.mjs took %.1f s" % (time.monotonic() - start))

    def test_submit_before_the_solution_is_held_until_solved(self):
        # Pressed at once, before the widget has seen the form: sent
        # without its proof it would be refused (403); sent before
        # data-wait (form_min_seconds) is over, shown again to be sent
        # once more (422, nothing stored).
        spent, traps = SITE.count("pow_spent"), trapped()
        out = submit(FORM, {"email": "early@example.com"}, "--early")
        self.check_unsubscribed(out, "early@example.com", spent, traps)


class Visitor(unittest.TestCase):
    def test_feedback_back_then_next(self):
        # Issue 27 item 1: the step 1 that Back shows must carry a stamp,
        # or its Next is refused as an old copy of the page.
        before = SITE.count("feedback")
        typed = {"type": "question", "message": "From chromium",
                 "rating": "great"}
        pages = flow("back-next", "/privacy/feedback", typed)
        self.assertEqual([(p["step"], p["status"]) for p in pages],
                         [("Step 1 of 2", 200), ("Step 2 of 2", 200),
                          ("Step 1 of 2", 200), ("Step 2 of 2", 200)], pages)
        back = pages[2]
        self.assertEqual(back["values"], typed)
        self.assertTrue(back["stamp"])
        self.assertIsNone(back["notice"])
        self.assertRegex(pages[3]["url"], r"/privacy/feedback\?t=")
        self.assertEqual(SITE.count("feedback"), before + 1)
        events = [e for (e,) in SITE.query(
            "SELECT event FROM audit WHERE event LIKE 'feedback-%' "
            "ORDER BY seq DESC LIMIT 2")]
        self.assertEqual(events, ["feedback-revised", "feedback-received"])

    def test_sent_at_once_without_javascript_comes_back(self):
        # Issue 27 item 2: autofill and Enter with JavaScript off, sooner
        # than form_min_seconds: never a success page, but the form with
        # what was typed, a new stamp and a sentence to send it again.
        before = (SITE.count("dnc"), trapped())
        typed = {"phone": "(303) 749-2110", "country": "US"}
        shown, back = flow("too-fast", "/privacy/do-not-call", typed)
        self.assertEqual(back["status"], 422, back)
        self.assertEqual(back["url"], shown["url"])
        self.assertIn("Please check the form and send it again",
                      back["notice"] or "", back)
        self.assertIn("very soon after the page opened", back["notice"])
        self.assertEqual(back["values"], typed)
        self.assertTrue(back["stamp"])
        self.assertNotEqual(back["stamp"], shown["stamp"])
        self.assertEqual((SITE.count("dnc"), trapped()),
                         (before[0], before[1] + 1))


CONSENT = os.path.join(BROWSER, "consent.mjs")
EXAMPLE = "/shop/example.html"    # the company's page, not privforms's


# A waiting script with src=, added to the example page: it must not even
# be fetched before its category is allowed.
WAITING_SRC = ('<script type="text/plain" data-consent="functional" '
               'src="functional.js"></script>\n')
FUNCTIONAL_JS = ("document.documentElement.setAttribute("
                 "'data-functional-src-ran', 'yes');\n")


def example_page(site=None):
    """htdocs/snippets/consent.html, served by nginx as a page of the
    company's site (the server block's default root), with WAITING_SRC."""
    root = os.path.join((site or SITE).dir, "nginx", "html", "shop")
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(SRC, "htdocs", "snippets", "consent.html")) as f:
        page = f.read()
    with open(os.path.join(root, "example.html"), "w") as out:
        out.write(page.replace("</body>", WAITING_SRC + "</body>"))
    with open(os.path.join(root, "functional.js"), "w") as out:
        out.write(FUNCTIONAL_JS)


def fetched(path):
    """How often nginx has served path."""
    with open(os.path.join(SITE.dir, "nginx", "access.log")) as f:
        return sum(1 for line in f if ' %s"' % path in line)


def consent_flow(name, *flags):
    """Run consent.mjs's flow name on the example page: what it saw."""
    url = "http://127.0.0.1:%d%s" % (SITE.port, EXAMPLE)
    p = subprocess.run(["node", CONSENT, name, url,
                        os.path.join(SITE.dir, "nginx")] + list(flags),
                       capture_output=True, text=True, timeout=TIMEOUT + 30)
    if p.returncode != 0:
        raise AssertionError("consent.mjs %s failed (%d): %s\n%s" %
                             (name, p.returncode, p.stderr, p.stdout))
    return json.loads(p.stdout)


def device_records(cookie):
    """The consent records of the device a document.cookie names."""
    m = re.search(r"pf_consent=v=1&d=([A-Za-z0-9_-]{22})&", cookie)
    return SITE.query("SELECT action, method, allowed FROM consent_record "
                      "WHERE device = ? ORDER BY id", (m[1],))


class ConsentSnippet(unittest.TestCase):
    """The consent snippet (htdocs/static/consent.js and consent.css) on
    a page of the site (htdocs/snippets/consent.html): issue 25, items 1,
    4 and 7."""

    @classmethod
    def setUpClass(cls):
        example_page()

    def assert_dialog(self, s, gpc=False):
        self.assertTrue(s["dialogOpen"], s)
        self.assertEqual(s["gpcShown"], gpc, s)
        self.assertIsNone(s["advertising"], s)
        self.assertEqual(s["has"], {"required": True, "functional": False,
                                    "advertising": False}, s)

    def test_reject_survives_a_reload_without_a_request_then_accept(self):
        out = consent_flow("reject")
        self.assertEqual(out["errors"], [])
        self.assert_dialog(out["open"])
        self.assertEqual(out["axeOpen"], [])
        self.assertEqual(out["axeClosed"], [])
        r = out["rejected"]
        self.assertFalse(r["dialogOpen"])
        self.assertIsNone(r["advertising"])
        self.assertEqual(r["events"][-1]["categories"], ["required"])
        self.assertEqual(r["events"][-1]["reason"], "change")
        # Decided: no dialog, nothing run, and nothing asked of privforms.
        for key in ("reloaded", "visited"):
            s = out[key]
            self.assertFalse(s["dialogOpen"], key)
            self.assertIsNone(s["advertising"], key)
            self.assertEqual(s["events"], [{"categories": ["required"],
                                            "gpc": False, "reason": "load"}])
        self.assertEqual(out["hitsOnReload"], 0)
        for key in ("rejected", "reloaded", "visited"):
            self.assertIsNone(out[key]["functionalSrc"], key)
        # Cookie settings, Accept all: it runs at once, once; the event.
        c = out["changed"]
        self.assertEqual(c["advertising"], "1")
        self.assertEqual(c["functional"], "yes")
        self.assertEqual(c["events"][-1], {
            "categories": ["required", "functional", "advertising"],
            "gpc": False, "reason": "change"})
        self.assertEqual(c["state"], "Allowed: required, functional, "
                         "advertising.")
        self.assertEqual([row[:2] for row in device_records(c["cookie"])],
                         [("refused", "page"), ("changed", "page")])

    def test_accept_runs_the_advertising_script(self):
        out = consent_flow("accept")
        self.assertEqual(out["errors"], [])
        self.assert_dialog(out["open"])
        self.assertEqual(out["accepted"]["advertising"], "1")
        self.assertEqual(out["reloaded"]["advertising"], "1")
        self.assertFalse(out["reloaded"]["dialogOpen"])

    def test_gpc_keeps_advertising_off_and_says_so_with_one_record(self):
        before = SITE.query("SELECT count(*) FROM consent_record "
                            "WHERE method = 'gpc'")[0][0]
        out = consent_flow("gpc", "--gpc", "1")
        self.assertEqual(out["errors"], [])
        self.assert_dialog(out["open"], gpc=True)
        self.assertIn("Opt-out preference signal honored",
                      out["open"]["gpcText"])
        # Accept all under the signal asks first; nothing is saved.
        self.assertTrue(out["asked"]["confirmShown"])
        self.assertTrue(out["asked"]["dialogOpen"])
        self.assertIsNone(out["asked"]["advertising"])
        for key in ("rejected", "reloaded"):
            self.assertIsNone(out[key]["advertising"], key)
            self.assertFalse(out[key]["dialogOpen"], key)
            self.assertIn("Opt-out preference signal honored.",
                          out[key]["state"])
        self.assertIn("&g=1&", out["reloaded"]["cookie"])
        rows = device_records(out["reloaded"]["cookie"])
        self.assertEqual([row[:2] for row in rows],
                         [("refused", "gpc"), ("refused", "page")])
        after = SITE.query("SELECT count(*) FROM consent_record "
                           "WHERE method = 'gpc'")[0][0]
        self.assertEqual(after, before + 1)

    def test_a_sale_category_under_gpc_runs_once_confirmed(self):
        out = consent_flow("confirm", "--gpc", "1")
        self.assertEqual(out["errors"], [])
        self.assertTrue(out["asked"]["confirmShown"])
        self.assertIsNone(out["asked"]["advertising"])
        # Nothing saved yet: the signal's cookie only, no decision (t=1).
        self.assertIn("&c=required&g=1&t=1&", out["asked"]["cookie"] + "&")
        r = out["ran"]
        self.assertEqual(r["advertising"], "1")
        self.assertIsNone(r["functional"])
        self.assertEqual(r["has"], {"required": True, "functional": False,
                                    "advertising": True})
        self.assertEqual(device_records(r["cookie"]), [
            ("refused", "gpc", "required"),
            ("changed", "page", "required advertising")])

    def test_gpc_0_changes_nothing(self):
        before = SITE.query("SELECT count(*) FROM consent_record "
                            "WHERE method = 'gpc'")[0][0]
        out = consent_flow("accept", "--gpc", "0")
        self.assert_dialog(out["open"], gpc=False)
        self.assertEqual(out["accepted"]["advertising"], "1")
        self.assertIn("&g=0&", out["accepted"]["cookie"])
        self.assertEqual(SITE.query("SELECT count(*) FROM consent_record "
                                    "WHERE method = 'gpc'")[0][0], before)

    def test_a_script_added_after_load_waits_for_its_category(self):
        out = consent_flow("late")
        self.assertEqual(out["errors"], [])
        # Rejected: a required one added later runs, an advertising one
        # added before it does not.
        self.assertEqual(out["lateRejected"], {"advertising": None,
                                               "required": "ran"})
        # Accepted: the one that waited runs, and one added now at once.
        self.assertEqual(out["lateAccepted"], {"advertising": "ran",
                                               "functional": "ran"})

    def test_a_decision_for_an_edited_notice_holds_at_once(self):
        """The browser keeps ?version a day: after the notice is edited,
        a visitor who decides (for the new notice) is not asked again on
        the next page because of the old copy."""
        table = os.path.join(tempfile.mkdtemp(prefix="privforms-table-"),
                             "consent-categories.tsv")
        shutil.copy(os.path.join(SRC, "etc", "consent-categories.tsv"),
                    table)
        site = Site(config={"consent_categories": table,
                            "form_min_seconds": "0"}).start()
        turn = os.path.dirname(table)
        try:
            example_page(site)
            url = "http://127.0.0.1:%d%s" % (site.port, EXAMPLE)
            node = subprocess.Popen(
                ["node", CONSENT, "stale", url,
                 os.path.join(site.dir, "nginx"), "--wait", turn],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                deadline = time.monotonic() + TIMEOUT
                while not os.path.exists(os.path.join(turn, "ready")):
                    if node.poll() is not None:
                        self.fail("consent.mjs stale: " + node.stderr.read())
                    self.assertLess(time.monotonic(), deadline)
                    time.sleep(0.1)
                before = json.loads(site.get(
                    "/privacy/consent?version").text)["version"]
                # The notice edited: the programs read it when they start.
                with open(table, "a") as f:
                    f.write("analytics\tno\tno\tAnalytics cookies\t"
                            "These count visits.\t-\n")
                site.stop(remove=False)
                site.start()
                after = json.loads(site.get(
                    "/privacy/consent?version").text)["version"]
                self.assertNotEqual(before, after)
                open(os.path.join(turn, "go"), "w").close()
                stdout, stderr = node.communicate(timeout=TIMEOUT + 30)
            finally:
                if node.poll() is None:
                    node.kill()
                    node.wait()
            self.assertEqual(node.returncode, 0, stderr + stdout)
            out = json.loads(stdout)
            self.assertEqual(out["errors"], [])
            self.assertIn("&n=%s&" % after, out["rejected"]["cookie"])
            r = out["reloaded"]
            self.assertFalse(r["dialogOpen"], r)
            self.assertEqual(r["events"], [{"categories": ["required"],
                                            "gpc": False, "reason": "load"}])
        finally:
            teardown(site)
            shutil.rmtree(turn, ignore_errors=True)

    def test_category_ids_that_name_parts_of_the_dialog(self):
        """Category ids are the company's: "manage", "title" or "intro"
        must not collide with the dialog's own element ids, which would
        leave a checkbox without its label."""
        table = os.path.join(tempfile.mkdtemp(prefix="privforms-table-"),
                             "consent-categories.tsv")
        shutil.copy(os.path.join(SRC, "etc", "consent-categories.tsv"),
                    table)
        names = []
        with open(table, "a") as f:
            for cid in ("manage", "title", "intro", "title-about"):
                name = "Cookies called %s" % cid
                f.write("%s\tno\tno\t%s\tFor %s.\t-\n" % (cid, name, cid))
                names.append(name)
        site = Site(config={"consent_categories": table}).start()
        try:
            example_page(site)
            url = "http://127.0.0.1:%d%s" % (site.port, EXAMPLE)
            p = subprocess.run(["node", CONSENT, "labels", url,
                                os.path.join(site.dir, "nginx"),
                                "--names", json.dumps(names)],
                               capture_output=True, text=True,
                               timeout=TIMEOUT + 30)
            self.assertEqual(p.returncode, 0, p.stderr)
            out = json.loads(p.stdout)
            self.assertEqual(out["errors"], [])
            self.assertEqual(out["axeManage"], [])
            self.assertEqual(out["labelled"], {n: 1 for n in names})
        finally:
            teardown(site)
            shutil.rmtree(os.path.dirname(table), ignore_errors=True)

    def test_a_cookie_without_a_name_is_not_the_decision(self):
        """document.cookie lists a cookie without a name as its value
        alone: "pf_consentx" is no pf_consent cookie (the server does
        not read it as one either), and does not hide the decision."""
        out = consent_flow("nameless")
        self.assertEqual(out["errors"], [])
        r = out["reloaded"]
        self.assertTrue(r["cookie"].startswith("pf_consentx; "), r)
        self.assertFalse(r["dialogOpen"], r)
        self.assertEqual(r["events"], [{"categories": ["required"],
                                        "gpc": False, "reason": "load"}])

    def test_keyboard_alone_at_320px(self):
        before = fetched("/shop/functional.js")
        out = consent_flow("keyboard", "--width", "320")
        # The src= script was fetched once: when functional was allowed.
        self.assertEqual(fetched("/shop/functional.js"), before + 1)
        self.assertIsNone(out["escaped"]["functionalSrc"])
        self.assertEqual(out["errors"], [])
        o = out["open"]
        self.assert_dialog(o)
        self.assertEqual(o["focus"]["id"], "pf-consent-title")
        # Nothing wider than the window; the two choices side by side,
        # the same size.
        self.assertLessEqual(o["width"]["scroll"], o["width"]["inner"])
        self.assertLessEqual(o["width"]["dialogBox"], 320)
        a, b = o["choices"]
        self.assertEqual((a["text"], b["text"]), ("Reject all", "Accept all"))
        self.assertEqual((a["top"], a["width"], a["height"]),
                         (b["top"], b["width"], b["height"]))
        self.assertLess(a["left"], b["left"])
        # Tab stays in the dialog (a modal), round and round: past its
        # last control focus goes to the browser's own controls (the
        # document's body then has it), never to the page behind.
        self.assertEqual([s for s in out["stops"]
                          if not s["inDialog"] and s["tag"] != "body"], [])
        self.assertLessEqual(len([s for s in out["stops"]
                                  if not s["inDialog"]]), 3, out["stops"])
        self.assertIn("Reject all", [s["text"] for s in out["stops"]])
        # Escape closes it, no choice made: nothing stored, asked again.
        e = out["escaped"]
        self.assertFalse(e["dialogOpen"])
        self.assertNotIn("pf_consent=", e["cookie"])
        self.assertTrue(out["reopened"]["dialogOpen"])
        s = out["saved"]
        self.assertEqual(s["functional"], "yes")
        self.assertEqual(s["functionalSrc"], "yes")
        self.assertIsNone(s["advertising"])
        self.assertEqual(s["has"], {"required": True, "functional": True,
                                    "advertising": False})
        self.assertEqual(s["focus"]["text"], "Cookie settings")


def look(plan):
    """Run pages.mjs on plan (a list of visits): its results, in order."""
    p = subprocess.run(["node", PAGES], input=json.dumps(plan),
                       capture_output=True, text=True,
                       timeout=60 + 45 * len(plan))
    if p.returncode != 0:
        raise AssertionError("pages.mjs failed (%d): %s" %
                             (p.returncode, p.stderr))
    return json.loads(p.stdout)


def out_of_order(stops, rtl=False):
    """The pairs of Tab stops where the second is not after the first as
    the page is read: below it, or on its line and after it (to its
    right, or to its left on a page written right to left)."""
    bad = []
    for a, b in zip(stops, stops[1:]):
        ra, rb = a["rect"], b["rect"]
        below = rb["top"] >= ra["bottom"] - 2
        same_line = rb["top"] < ra["bottom"] and ra["top"] < rb["bottom"]
        after = (rb["right"] <= ra["left"] + 2 if rtl else
                 rb["left"] >= ra["right"] - 2)
        if not (below or (same_line and after)):
            bad.append((a["text"] or a["id"], b["text"] or b["id"]))
    return bad


class PageSite:
    """A site with a page of every kind to look at (urls: every page a
    program serves, by name), shared by Pages and Languages."""

    site = smtp = None

    # What each page is sent with, to see its error page.
    FORMS = {"unsubscribe": "#unsubscribe-form", "do-not-call": "#register",
             "do-not-call-check": "#check-form", "request": "#request-form",
             "feedback": "#feedback-form", "step2": "#feedback-more-form",
             "article": "#article-vote-form", "opt-out": "#optout-form",
             "preferences": "#preferences-form",
             "preferences-subscribe": "#subscribe-form"}

    @classmethod
    def start_site(cls, languages):
        """An SMTP server and a site that mails through it, with
        languages (privforms.conf keys: languages, templates...)."""
        cls.smtp = Server().start()
        pows = {k + "_pow": "5000" for k in ("unsubscribe", "dnc", "request",
                                             "feedback", "preferences")}
        conf = mail_config(cls.smtp, unsubscribe_confirmation="yes", **pows)
        del conf["smtp_timeout"]    # the default
        conf.update(languages)
        cls.site = Site(config=conf)
        cls.site.start()

    @classmethod
    def error_visit(cls, name, visit):
        """visit (a dict for pages.mjs) made to see page name's error
        page: its form sent with the keyboard."""
        v = dict(visit, submit=cls.FORMS[name])
        if name in ("step2", "opt-out"):  # nothing is required
            v["type"] = [["#email", "bad@"]]
        return v

    @classmethod
    def url(cls, path):
        return "http://127.0.0.1:%d%s" % (cls.site.port, path)

    @classmethod
    def urls(cls):
        """Every page to look at, by name: its URL."""
        s = cls.site
        step2 = s.post("/privacy/feedback", {"type": "question",
                                             "rating": "great"})
        done = s.post("/privacy/unsubscribe", {"channel": "email",
                                               "email": "jane@example.com",
                                               "confirm": "yes"})
        request_submit(s, "pages@example.com")
        links = {}
        for m in s.send_mail(cls.smtp):
            for kind in ("verify", "status"):
                found = re.search(r"http://\S+(/privacy/request/%s\?t=\S+)"
                                  % kind, m.get_content())
                if found:
                    links[kind] = found.group(1)
        # Verified and answered, so the history has three events, a note.
        t = urllib.parse.parse_qs(urllib.parse.urlsplit(
            links["verify"]).query)["t"][0]
        s.post("/privacy/request/verify", {"t": t})
        rid = s.query("SELECT max(id) FROM request")[0][0]
        s.privforms("request", "fulfil", str(rid), "--note", "Sent by post.")
        # A request an agent made: the page that asks the person.
        request_submit(s, "agent-person@example.com", country="US",
                       state="CA", on_behalf="agent",
                       agent_name="Agency & Co", agent_email="a@example.net",
                       agent_relationship="authorised-agent")
        [body] = [m.get_content() for m in s.send_mail(cls.smtp)
                  if m["To"] == "agent-person@example.com"]
        agent = re.search(r"http://\S+(/privacy/request/verify\?t=\S+)",
                          body).group(1)
        appeal = cls.denied_in_texas("appeal-pages@example.com")
        decided = cls.denied_in_texas("appeal-decided@example.com")
        page = s.get("/privacy/request/appeal?t=" + decided[1])
        r = s.post("/privacy/request/appeal",
                   {"t": decided[1], "pf_stamp": stamp_of(page.text)},
                   stamp=False)
        assert r.status == 303, r
        s.privforms("request", "appeal-decide", str(decided[0]), "--deny",
                    "--reason", "no-data-held")
        # The preference center: a link's page, what a save says, a
        # signup page and a double opt-in link's (preferences.c).
        soon = int(time.time()) + 3600
        pref = token_craft(s, "pref", soon, "email", "pages@example.com",
                           "en")
        saved = s.post("/privacy/preferences", {"t": pref, "list-events":
                                                "yes", "list-news": "yes"},
                       stamp=False)
        assert saved.status == 303, saved
        confirm = token_craft(s, "sub-confirm", soon, "email",
                              "pages@example.com", "news",
                              "2026-12-01T00:00:00.000000Z", "en")
        s.send_mail(cls.smtp)
        paths = {
            "preferences": "/privacy/preferences",
            "preferences-sent": "/privacy/preferences?sent",
            "preferences-lists": "/privacy/preferences?t=" + pref,
            "preferences-done": saved.header("location"),
            "preferences-subscribe":
            "/privacy/preferences/subscribe?list=news",
            "preferences-subscribed":
            "/privacy/preferences/subscribe?subscribed=news",
            "preferences-confirm": "/privacy/preferences/confirm?t=" +
            confirm,
            "preferences-confirmed":
            "/privacy/preferences/confirm?confirmed=news",
            "unsubscribe": "/privacy/unsubscribe",
            "do-not-call": "/privacy/do-not-call",
            "do-not-call-check": "/privacy/do-not-call",
            "request": "/privacy/request",
            "feedback": "/privacy/feedback",
            "step2": step2.header("location"),
            "article": "/privacy/feedback/article?article=reset-password",
            "unsubscribe-done": done.header("location"),
            "verify": links["verify"], "status": links["status"],
            "agent-verify": agent,
            "status-appeal": "/privacy/request/status?t=" + appeal[1],
            "appeal": "/privacy/request/appeal?t=" + appeal[1],
            "status-appeal-denied": "/privacy/request/status?t=" +
            decided[1],
            "consent": "/privacy/consent",
            "consent-done": "/privacy/consent?done",
            "opt-out": "/privacy/opt-out",
            "opt-out-done": "/privacy/opt-out?done",
            "message": "/privacy/request/nosuch",
            "not-found": "/privacy/nosuch",
            "hub": "/privacy/",
            # Written right to left (ar-XB's catalogue says rtl).
            "hub rtl": "/privacy/?lang=ar-XB",
            "request rtl": "/privacy/request?lang=ar-XB",
            "status rtl": links["status"] + "&lang=ar-XB",
            "step2 rtl": step2.header("location") + "&lang=ar-XB",
        }
        return {k: cls.url(v) for k, v in paths.items()}

    @classmethod
    def denied_in_texas(cls, address):
        """A Texas request (whose law gives an appeal), verified and
        denied: its id and a status link's token."""
        s = cls.site
        rid = request_submit(s, address, country="US", state="TX")
        request_verify(s, cls.smtp, address)
        s.privforms("request", "deny", str(rid), "--reason", "no-data-held")
        s.send_mail(cls.smtp)
        return rid, token_craft(s, "dsr-status", int(time.time()) + 3600,
                                str(rid))


class Pages(PageSite, unittest.TestCase):
    """See the module's docstring."""

    seen = {}       # (page, mode) -> pages.mjs's result

    # The pages also seen with Sec-GPC: 1 (a form, a page with its own
    # words for it, a done page, a message page).
    GPC = ("unsubscribe", "request", "consent", "consent-done", "message")

    @classmethod
    def setUpClass(cls):
        # Three languages: every program's page carries the menu (page.h).
        cls.files = tempfile.mkdtemp(prefix="privforms-browser-lang-")
        cls.start_site(language_config(cls.files))
        try:
            cls.pages = cls.urls()
            cls.run_plans()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            teardown(cls.site, cls.smtp)
        finally:
            shutil.rmtree(cls.files, ignore_errors=True)

    @classmethod
    def plan(cls, width, js, checks=("axe", "layout", "tab", "scale"),
             dark=False):
        """Each page, and each form's error page, in one mode."""
        mode = (width, js) + (("dark",) if dark else ())
        visits = []
        for name, url in cls.pages.items():
            if name != "do-not-call-check":
                visits.append(dict(key=(name,) + mode, url=url, width=width,
                                   js=js, dark=dark, checks=list(checks)))
            if name in cls.FORMS:
                visits.append(cls.error_visit(name, dict(
                    key=(name + " error",) + mode, url=url, width=width,
                    js=js, dark=dark, checks=list(checks))))
            # With the Global Privacy Control signal every page says it
            # was honoured, first in its main part (page.h).
            if name in cls.GPC:
                visits.append(dict(key=(name + " gpc",) + mode, url=url,
                                   width=width, js=js, dark=dark,
                                   checks=list(checks),
                                   headers={"Sec-GPC": "1"}))
        return visits

    @classmethod
    def run_plans(cls):
        follow = [dict(key=("follow", h, w, js), url=cls.pages["request"],
                       width=w, js=js, submit="#request-form", follow=h)
                  for h, w, js in (("#type-access", 1024, True),
                                   ("#type-access", 320, True),
                                   ("#relationship", 320, True),
                                   ("#type-access", 1024, "off"))]
        plan = (cls.plan(320, True) + cls.plan(1024, False) +
                cls.plan(1024, True, checks=["axe"], dark=True) + follow)
        for v, r in zip(plan, look([dict(v, key=None) for v in plan])):
            cls.seen[v["key"]] = r
        # The 50x page: a program that cannot be reached.
        sock = cls.site.socket_path("unsubscribe")
        os.rename(sock, sock + ".away")
        try:
            plan = [dict(key=("server-error", w, js),
                         url=cls.pages["unsubscribe"], width=w, js=js,
                         checks=["axe", "layout", "tab"])
                    for w, js in ((320, True), (1024, False))]
            results = look([dict(v, key=None) for v in plan])
        finally:
            os.rename(sock + ".away", sock)
        for v, r in zip(plan, results):
            cls.seen[v["key"]] = r

    def each(self, check):
        for key, r in sorted(self.seen.items(), key=str):
            if check in r:
                yield key, r

    def result(self, key):
        """What pages.mjs saw on visit key; fails if it could not look."""
        r = self.seen[key]
        self.assertNotIn("failed", r, key)
        return r

    def test_every_visit_was_made(self):
        self.assertEqual({k: r["failed"] for k, r in self.seen.items()
                          if "failed" in r}, {})

    # ---- every page ----

    def test_axe_finds_no_violation_at_320px_nor_without_javascript_nor_dark(self):
        looked = 0
        for key, r in self.each("axe"):
            with self.subTest(page=key):
                self.assertEqual(r["axe"], [], r["url"])
                self.assertEqual(r["errors"], [])
                looked += 1
        # Each page and each form's error page, in the three modes (the
        # third: dark); the 50x page in two.
        self.assertGreaterEqual(looked, 3 * (11 + 7) + 2)

    def test_nothing_is_wider_than_the_window(self):
        for key, r in self.each("layout"):
            with self.subTest(page=key):
                self.assertLessEqual(r["layout"]["scrollWidth"],
                                     r["layout"]["innerWidth"])

    def test_tab_goes_in_the_order_shown_with_focus_visible(self):
        for key, r in self.each("tab"):
            with self.subTest(page=key):
                self.assertGreater(len(r["tab"]), 1, r["url"])
                self.assertEqual(out_of_order(r["tab"], "rtl" in key[0]),
                                 [])
                self.assertEqual([s["text"] or s["id"] for s in r["tab"]
                                  if not s["focusVisible"]], [])

    def test_the_language_menu_is_reached_with_tab_on_every_page(self):
        names = ["English", "Deutsch", "\u0639\u0631\u0628\u064a"]
        for key, r in self.each("tab"):
            if key[0] in ("not-found", "server-error"):   # nginx's own
                continue
            with self.subTest(page=key):
                texts = [s["text"] for s in r["tab"]]
                at = [texts.index(n) for n in names if n in texts]
                self.assertEqual(len(at), 3, texts)
                self.assertEqual(at, list(range(at[0], at[0] + 3)), texts)

    # ---- error pages, the GOV.UK way (item 3) ----

    def test_error_pages_say_error_and_focus_their_summary(self):
        for name in self.FORMS:
            for width, js in ((320, True), (1024, False)):
                r = self.result((name + " error", width, js))
                with self.subTest(page=name, js=js):
                    self.assertEqual(r["status"], 422, r["url"])
                    self.assertTrue(r["title"].startswith("Error: "),
                                    r["title"])
                    if js:
                        self.assertIn("error-summary", r["focus"]["classes"])
        # The status check's summary is the status check's own (item 4).
        r = self.result(("do-not-call-check error", 320, True))
        self.assertEqual(r["focus"]["id"], "check-errors")

    def test_summary_link_to_a_radio_group_lands_on_its_first_radio(self):
        for width in (1024, 320):
            f = self.result(("follow", "#type-access", width,
                             True))["followed"]
            with self.subTest(width=width):
                self.assertEqual((f["focus"]["id"], f["focus"]["type"]),
                                 ("type-access", "radio"))
                self.assertEqual(f["view"]["question"],
                                 "What would you like us to do?")
                self.assertTrue(f["view"]["questionInView"])
                self.assertTrue(f["view"]["controlInView"])

    def test_summary_link_to_a_select_keeps_its_label_in_view(self):
        f = self.result(("follow", "#relationship", 320, True))["followed"]
        self.assertEqual(f["focus"]["id"], "relationship")
        self.assertTrue(f["view"]["questionInView"], f)

    def test_without_javascript_the_link_still_reaches_the_radio(self):
        # The browser goes to the fragment and focuses it; the style
        # sheet's scroll-margin leaves the question above it in view.
        r = self.result(("follow", "#type-access", 1024, "off"))
        f = r["followed"]
        self.assertTrue(r["title"].startswith("Error: "))
        self.assertEqual(f["hash"], "#type-access")
        self.assertEqual(f["focus"]["id"], "type-access")
        self.assertTrue(f["view"]["controlInView"])
        self.assertTrue(f["view"]["questionInView"], f)

    # ---- what particular pages must do ----

    def test_feedback_scale_is_one_row_at_320px(self):
        points = self.result(("step2", 320, True))["scale"]
        self.assertEqual([p["value"] for p in points],
                         [str(i) for i in range(11)])
        tops = {round(p["top"]) for p in points}
        self.assertEqual(len(tops), 1, "the scale wraps: %s" % points)
        lefts = [p["left"] for p in points]
        self.assertEqual(lefts, sorted(lefts))
        self.assertLessEqual(points[-1]["right"], 320)
        for p in points:     # WCAG 2.2's target size, and label under
            self.assertGreaterEqual(min(p["width"], p["height"]), 24)
            self.assertGreaterEqual(p["labelTop"], p["top"])

    def test_appeal_pages_were_seen_as_they_are_meant(self):
        for name, title in (("appeal", "Appeal this decision"),
                            ("status-appeal", "Your privacy request"),
                            ("status-appeal-denied", "Your privacy request")):
            for mode in ((320, True), (1024, False)):
                r = self.result((name,) + mode)
                with self.subTest(page=name, mode=mode):
                    self.assertEqual(r["status"], 200)
                    self.assertTrue(r["title"].startswith(title), r["title"])

    def test_dates_and_times_stay_on_one_line_at_320px(self):
        for name, least in (("verify", 2), ("status", 5), ("appeal", 2),
                            ("status-appeal", 4), ("agent-verify", 2)):
            times = self.result((name, 320, True))["layout"]["times"]
            with self.subTest(page=name):
                self.assertGreaterEqual(len(times), least)
                self.assertEqual([t["text"] for t in times
                                  if t["lines"] != 1], [])
                self.assertTrue(all(t["datetime"] for t in times))


def shipped_languages():
    """The languages a site offers by default: the source language, en,
    and each catalogue's (po/NAME.po, its tag NAME with "-" for "_")."""
    return ["en"] + sorted(n[:-3].replace("_", "-") for n in
                           os.listdir(os.path.join(SRC, "po"))
                           if n.endswith(".po"))


def in_language(url, tag):
    """url with ?lang=tag (a signed link's own language is overridden)."""
    return url + ("&" if "?" in url else "?") + "lang=" + tag


class Languages(PageSite, unittest.TestCase):
    """Every page in each shipped language (shipped_languages: from po/,
    the build's translations of templates and catalogue) at 320 px with
    JavaScript, once: axe-core finds no violation.  Every form and its
    error page in the pseudo-locales en-XA (each message ~40 % longer)
    and ar-XB (right to left): nothing is wider than the window, and axe
    finds nothing.  nginx's own 404 page has no language: seen once."""

    LANGS = shipped_languages()
    PSEUDO = ("en-XA", "ar-XB")
    seen = {}       # (page, language) -> pages.mjs's result

    @classmethod
    def setUpClass(cls):
        cls.start_site({"languages": " ".join(cls.LANGS + list(cls.PSEUDO)),
                        "locale_dir": os.path.join(SRC, "build", "locale")})
        try:
            pages = {k: v for k, v in cls.urls().items()
                     if not k.endswith(" rtl")}     # Pages' own ar-XB ones
            plan = []
            for lang in cls.LANGS + list(cls.PSEUDO):
                pseudo = lang in cls.PSEUDO
                for name, url in pages.items():
                    if (pseudo and name not in cls.FORMS) or \
                            (name == "not-found" and lang != "en"):
                        continue
                    v = dict(url=in_language(url, lang), width=320, js=True,
                             checks=["axe"] + (["layout"] if pseudo else []))
                    if name != "do-not-call-check":
                        plan.append(dict(v, key=(name, lang)))
                    if name in cls.FORMS:
                        plan.append(cls.error_visit(name, dict(
                            v, key=(name + " error", lang))))
            start = time.monotonic()
            results = look([dict(v, key=None) for v in plan])
            cls.elapsed = time.monotonic() - start
            for v, r in zip(plan, results):
                cls.seen[v["key"]] = r
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        teardown(cls.site, cls.smtp)

    def test_every_visit_was_made_in_its_language(self):
        self.assertEqual({k: r["failed"] for k, r in self.seen.items()
                          if "failed" in r}, {})
        for (name, lang), r in self.seen.items():
            with self.subTest(page=name, lang=lang):
                self.assertIn("lang=" + lang, r["url"])
                self.assertIn(r["status"], (200, 404, 422))
                if name.endswith(" error"):
                    self.assertEqual(r["status"], 422, r["url"])

    def test_axe_finds_no_violation_in_any_language(self):
        langs = set()
        for key, r in sorted(self.seen.items()):
            with self.subTest(page=key):
                self.assertEqual(r.get("axe"), [], r.get("url"))
                self.assertEqual(r.get("errors"), [])
                langs.add(key[1])
        self.assertEqual(langs, set(self.LANGS) | set(self.PSEUDO))

    def test_longer_and_right_to_left_forms_fit_320px(self):
        looked = 0
        for (name, lang), r in sorted(self.seen.items()):
            if lang in self.PSEUDO:
                with self.subTest(page=name, lang=lang):
                    self.assertLessEqual(r["layout"]["scrollWidth"],
                                         r["layout"]["innerWidth"], r["url"])
                    looked += 1
        # Each form page and its error page, in both.
        self.assertEqual(looked, 2 * (2 * len(self.FORMS) - 1))


if __name__ == "__main__":
    unittest.main()
