"""The form guard's widget in a real browser: Debian's chromium, headless,
driven by playwright-core (tests/browser/submit.mjs), against a real site.

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
"""

import json
import os
import subprocess
import time
import unittest

from harness import Site, SRC

BROWSER = os.path.join(SRC, "tests", "browser")
SUBMIT = os.path.join(BROWSER, "submit.mjs")
FLOW = os.path.join(BROWSER, "flow.mjs")
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
    if SITE is None:
        return
    reports = SITE.stop()
    if reports:
        raise AssertionError("sanitizer reports:\n" + "\n".join(reports))


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


if __name__ == "__main__":
    unittest.main()
