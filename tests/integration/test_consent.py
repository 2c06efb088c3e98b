"""The consent manager's page (/privacy/consent) through a real nginx: the
form without JavaScript, the pf_consent cookie it sets (lib/consent.h's
contract), the consent records and audit records each decision stores,
and the Global Privacy Control signal."""

import json
import os
import re
import unittest
import urllib.parse

from harness import SRC, Site, teardown, FormTest

FORM = "/privacy/consent"
SITE = None
COOKIE = re.compile(
    r"^pf_consent=(v=1&d=([A-Za-z0-9_-]{21}[AQgw])&n=([0-9a-f]{16})"
    r"&c=([a-z0-9_+-]*)&g=([01])&t=([1-9][0-9]{0,9})); Path=/; "
    r"Max-Age=(\d+); SameSite=Lax$")


def setUpModule():
    global SITE
    SITE = Site().start()


def tearDownModule():
    teardown(SITE)


def records(device=None):
    sql = ("SELECT action, method, allowed, refused, gpc, language, notice "
           "FROM consent_record")
    if device is None:
        return SITE.query(sql + " ORDER BY id")
    return SITE.query(sql + " WHERE device = ? ORDER BY id", (device,))


def decide(fields, cookie=None, gpc=None):
    headers = {}
    if cookie is not None:
        headers["Cookie"] = cookie
    if gpc is not None:
        headers["Sec-GPC"] = gpc
    return SITE.post(FORM, fields, headers=headers)


class Consent(FormTest):
    def stored(self):
        return (SITE.count("consent_record"), SITE.count("audit"))

    def cookie_of(self, r):
        """The Set-Cookie of a 303 to the done page, matched whole."""
        self.assertEqual(r.status, 303, r)
        self.assertTrue(r.header("Location").endswith("/privacy/consent?done"))
        m = COOKIE.match(r.header("Set-Cookie") or "")
        self.assertIsNotNone(m, r.header("Set-Cookie"))
        self.assertEqual(m[7], str(365 * 86400))
        return m

    def test_get_shows_the_form_and_changes_nothing(self):
        r = self.assert_nothing_stored(lambda: SITE.get(FORM))
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.header("Set-Cookie"))
        for text in ("Required cookies", "Functional cookies",
                     "Advertising cookies", "Reject all", "Accept all",
                     "Save choices", "How we use cookies"):
            self.assertIn(text, r.text)
        # Required is shown but offers no checkbox; the others start off.
        self.assertNotIn('name="allow-required"', r.text)
        for cat in ("functional", "advertising"):
            tag = re.search(r'<input[^>]*name="allow-%s"[^>]*>' % cat, r.text)
            self.assertIsNotNone(tag, cat)
            self.assertNotIn("checked", tag[0])
        self.assertNotIn("Opt-out preference signal honored", r.text)
        self.assertNotIn('name="confirm"', r.text)

    def test_reject_accept_and_save_each_store_one_record(self):
        r = self.assert_changes(lambda: decide({"choice": "reject"}))
        m = self.cookie_of(r)
        device = m[2]
        self.assertEqual(m[4], "required")
        self.assertEqual(m[5], "0")
        self.assertEqual(records(device), [
            ("refused", "page", "required", "functional advertising", 0,
             "en", m[3])])
        r = self.assert_changes(lambda: decide({"choice": "accept"},
                                               cookie="pf_consent=" + m[1]))
        m2 = self.cookie_of(r)
        self.assertEqual(m2[2], device, "the device id is kept")
        self.assertEqual(m2[4], "required+functional+advertising")
        r = self.assert_changes(lambda: decide(
            {"choice": "save", "allow-functional": "yes"},
            cookie="pf_consent=" + m2[1]))
        m3 = self.cookie_of(r)
        self.assertEqual(m3[4], "required+functional")
        self.assertEqual([row[:4] for row in records(device)], [
            ("refused", "page", "required", "functional advertising"),
            ("changed", "page", "required functional advertising", ""),
            ("withdrawn", "page", "required functional", "advertising")])
        events = SITE.audit_xml("consent-recorded")
        self.assertGreaterEqual(len(events), 3)
        # The audit records hold codes and ids: no device id.
        self.assertNotIn(device, "".join(events))

    def assert_changes(self, fn):
        """fn()'s answer, which stored one record and one audit record."""
        before = self.stored()
        r = fn()
        self.assertEqual(self.stored(), (before[0] + 1, before[1] + 1), r)
        return r

    def test_the_done_page_says_what_was_saved(self):
        m = self.cookie_of(decide({"choice": "save",
                                   "allow-advertising": "yes"}))
        r = SITE.get(FORM + "?done", headers={"Cookie": "pf_consent=" + m[1]})
        self.assertEqual(r.status, 200)
        allowed = r.text[r.text.index('id="done-allowed"'):
                         r.text.index('id="done-refused"')]
        self.assertIn("Advertising cookies", allowed)
        self.assertNotIn("Functional cookies", allowed)
        r = SITE.get(FORM + "?done")
        self.assertIn("No choice is saved", r.text)
        # The form shows the saved choice ticked.
        r = SITE.get(FORM, headers={"Cookie": "pf_consent=" + m[1]})
        tag = re.search(r'<input[^>]*name="allow-advertising"[^>]*>', r.text)
        self.assertIn("checked", tag[0])

    def test_a_hostile_cookie_is_ignored_and_not_reflected(self):
        hostile = ('v=1&d=<script>alert(1)</script>&n=0123456789abcdef'
                   '&c=advertising&g=0&t=1')
        for path in (FORM, FORM + "?done"):
            r = SITE.get(path, headers={"Cookie": "pf_consent=" + hostile})
            self.assertEqual(r.status, 200)
            self.assertNotIn("<script>alert", r.text)
            self.assertNotIn("alert(1)", r.text)
        r = decide({"choice": "reject"}, cookie="pf_consent=" + hostile)
        m = self.cookie_of(r)
        self.assertNotIn("script", r.header("Set-Cookie"))
        self.assertNotIn("alert", m[2])

    def test_bad_input_stores_nothing(self):
        for fields in ({}, {"choice": "maybe"},
                       {"choice": "save", "allow-functional": "no"}):
            r = self.assert_nothing_stored(lambda: decide(fields))
            self.assertEqual(r.status, 422, (fields, r))
            self.assertIsNone(r.header("Set-Cookie"))
            self.assertIn("Nothing was saved.", r.text)
        r = self.assert_nothing_stored(
            lambda: SITE.post(FORM, {"choice": "reject"}, stamp=False))
        self.assertEqual(r.status, 422)


class GlobalPrivacyControl(FormTest):
    def stored(self):
        return (SITE.count("consent_record"), SITE.count("audit"))

    def test_the_page_says_the_signal_is_honoured(self):
        r = self.assert_nothing_stored(
            lambda: SITE.get(FORM, headers={"Sec-GPC": "1"}))
        self.assertIn("Opt-out preference signal honored", r.text)
        for value in ("0", "true", "01"):
            r = SITE.get(FORM, headers={"Sec-GPC": value})
            self.assertNotIn("Opt-out preference signal honored", r.text,
                             value)

    def test_gpc_is_recorded_once_a_day_per_device(self):
        r = decide({"choice": "save", "allow-functional": "yes"}, gpc="1")
        m = Consent.cookie_of(self, r)
        self.assertEqual(m[5], "1")
        self.assertEqual([row[:4] for row in records(m[2])], [
            ("refused", "gpc", "required", "functional advertising"),
            ("given", "page", "required functional", "advertising")])
        r = decide({"choice": "reject"}, cookie="pf_consent=" + m[1],
                   gpc="1, 1")
        m2 = Consent.cookie_of(self, r)
        # The same day: no second GPC record.
        self.assertEqual([row[1] for row in records(m[2])],
                         ["gpc", "page", "page"])
        self.assertEqual(m2[5], "1")

    def test_other_values_are_no_signal(self):
        for value in ("0", "yes", "1.0"):
            m = Consent.cookie_of(self, decide({"choice": "reject"},
                                               gpc=value))
            self.assertEqual(m[5], "0", value)
            self.assertEqual([row[1] for row in records(m[2])], ["page"])

    def test_a_sale_category_under_gpc_needs_confirmation(self):
        before = self.stored()
        r = decide({"choice": "accept"}, gpc="1")
        self.assertEqual(r.status, 200)
        # Nothing of the decision is stored until it is confirmed; the
        # signal's own record is, with its cookie (every POST with it:
        # privforms-forms(8), "Global Privacy Control").
        self.assertEqual(self.stored(), (before[0] + 1, before[1] + 1))
        g = COOKIE.match(r.header("Set-Cookie") or "")
        self.assertEqual((g[4], g[5]), ("required", "1"))
        self.assertIn('name="confirm"', r.text)
        stamp = re.search(r'name="pf_stamp" value="([^"]+)"', r.text)[1]
        r = decide({"choice": "accept", "confirm": "yes", "pf_stamp": stamp},
                   cookie="pf_consent=" + g[1], gpc="1")
        m = Consent.cookie_of(self, r)
        self.assertEqual(m[2], g[2])
        self.assertEqual(m[4], "required+functional+advertising")
        self.assertEqual([row[:2] for row in records(m[2])],
                         [("refused", "gpc"), ("changed", "page")])


def gpc_post(cookie=None, gpc="1", body=b"", headers=None):
    """POST ?gpc, the snippet's record of the signal."""
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie is not None:
        h["Cookie"] = "pf_consent=" + cookie
    if gpc is not None:
        h["Sec-GPC"] = gpc
    h.update(headers or {})
    return SITE.request("POST", FORM + "?gpc", body=body, headers=h)


class Snippet(FormTest):
    """What the snippet (htdocs/static/consent.js) asks the program: the
    notice version (cacheable), the dialog's categories and stamp, and the
    signal's record (POST ?gpc)."""

    def stored(self):
        return (SITE.count("consent_record"), SITE.count("audit"))

    def json(self, r):
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertIsNone(r.header("Set-Cookie"))
        return json.loads(r.text)

    def test_version_is_cached_and_changes_nothing(self):
        m = Consent.cookie_of(self, decide({"choice": "reject"}))
        cookie = {"Cookie": "pf_consent=" + m[1]}
        r = self.assert_nothing_stored(
            lambda: SITE.get(FORM + "?version", headers=cookie))
        self.assertEqual(self.json(r), {
            "version": m[3], "max_age_days": 365, "gpc": False,
            "required": ["required"], "sale": ["advertising"]})
        self.assertEqual(r.header("Cache-Control"), "max-age=86400")
        self.assertEqual(r.header("Vary"), "Sec-GPC")
        for value, said in (("1", True), ("1, 0", True), ("0", False),
                            ("true", False)):
            r = SITE.get(FORM + "?version", headers={"Sec-GPC": value})
            self.assertIs(self.json(r)["gpc"], said, value)
        r = SITE.request("HEAD", FORM + "?version")
        self.assertEqual((r.status, r.body), (200, b""))

    def test_dialog_has_the_categories_and_a_stamp_that_posts(self):
        r = self.assert_nothing_stored(
            lambda: SITE.get(FORM + "?dialog", headers={"Sec-GPC": "1"}))
        d = self.json(r)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertIs(d["gpc"], True)
        self.assertEqual([(c["id"], c["required"], c["sale"], c["cookies"])
                          for c in d["categories"]],
                         [("required", True, False, ["pf_consent"]),
                          ("functional", False, False, []),
                          ("advertising", False, True, [])])
        self.assertEqual(d["categories"][1]["name"], "Functional cookies")
        self.assertTrue(d["categories"][1]["description"].startswith(
            "These remember your settings"))
        r = SITE.post(FORM, {"choice": "save", "allow-functional": "yes",
                             "pf_stamp": d["stamp"]})
        m = Consent.cookie_of(self, r)
        self.assertEqual((m[3], m[4]), (d["version"], "required+functional"))

    def test_dialog_carries_every_text_the_snippet_shows(self):
        # The snippet holds no words (test_js_strings.py): each text it
        # asks for by name is one of "texts", none empty.
        r = self.assert_nothing_stored(
            lambda: SITE.get(FORM + "?dialog&lang=en"))
        d = self.json(r)
        with open(os.path.join(SRC, "htdocs", "static", "consent.js"),
                  encoding="utf-8") as f:
            asked = set(re.findall(r"\btext\('(\w+)'\)", f.read()))
        self.assertEqual(set(d["texts"]), asked)
        self.assertTrue(all(d["texts"].values()), d["texts"])
        t = d["texts"]
        self.assertEqual((t["title"], t["reject"], t["accept"], t["manage"],
                          t["save"], t["more"]),
                         ("Cookie settings", "Reject all", "Accept all",
                          "Manage", "Save choices", "More about our cookies"))
        self.assertIn("Global Privacy Control", t["confirm"])
        # The consent page's words (its template's: the confirmation is
        # shown only when asked), so one message serves both.
        with open(os.path.join(SRC, "htdocs", "consent.xhtml"),
                  encoding="utf-8") as f:
            page = f.read()
        for name in ("title", "reject", "accept", "save", "confirm", "gpc"):
            self.assertIn(t[name], page, name)
        self.assertIn("<strong>%s</strong>" % t["gpc_title"], page)
        # Each category's cookies in a sentence, as the page says them.
        self.assertEqual([c["cookies_text"] for c in d["categories"]],
                         ["Cookies it sets: pf_consent",
                          "It sets no cookies of its own.",
                          "It sets no cookies of its own."])

    def test_a_get_with_any_query_changes_nothing(self):
        for q in ("?gpc", "?version=1", "?dialog&gpc", "?done"):
            r = self.assert_nothing_stored(
                lambda: SITE.get(FORM + q, headers={"Sec-GPC": "1"}))
            self.assertEqual(r.status, 200, q)
            self.assertIsNone(r.header("Set-Cookie"), q)

    def test_gpc_post_without_the_signal_does_nothing(self):
        for value in (None, "0", "true", " 01"):
            r = self.assert_nothing_stored(lambda: gpc_post(gpc=value))
            self.assertEqual(r.status, 204, value)
            self.assertIsNone(r.header("Set-Cookie"), value)

    def test_gpc_post_records_once_a_day_and_is_no_decision(self):
        before = self.stored()
        r = gpc_post()
        self.assertEqual(r.status, 204, r)
        m = COOKIE.match(r.header("Set-Cookie") or "")
        self.assertIsNotNone(m, r.header("Set-Cookie"))
        # No decision yet: required only, the signal, t=1 (never current).
        self.assertEqual((m[4], m[5], m[6]), ("required", "1", "1"))
        self.assertEqual(self.stored(), (before[0] + 1, before[1] + 1))
        self.assertEqual([row[:4] for row in records(m[2])], [
            ("refused", "gpc", "required", "functional advertising")])
        # The same device again that day: nothing more.
        r = self.assert_nothing_stored(lambda: gpc_post(cookie=m[1]))
        self.assertEqual(COOKIE.match(r.header("Set-Cookie"))[2], m[2])
        # The page still asks: nothing is ticked, no choice is saved.
        r = SITE.get(FORM + "?done", headers={"Cookie": "pf_consent=" + m[1]})
        self.assertIn("No choice is saved", r.text)

    def test_gpc_post_turns_a_current_decisions_sale_categories_off(self):
        m = Consent.cookie_of(self, decide({"choice": "accept"}))
        r = gpc_post(cookie=m[1])
        m2 = COOKIE.match(r.header("Set-Cookie") or "")
        self.assertEqual((m2[2], m2[3], m2[4], m2[5], m2[6]),
                         (m[2], m[3], "required+functional", "1", m[6]))
        self.assertEqual([row[:4] for row in records(m[2])], [
            ("given", "page", "required functional advertising", ""),
            ("withdrawn", "gpc", "required functional", "advertising")])

    def test_gpc_post_refuses_what_a_form_refuses(self):
        # Refused before any handler (another website's page; a body
        # longer than the limit says): nothing stored, no cookie.
        for headers, body, status in (
                ({"Sec-Fetch-Site": "cross-site"}, b"", 403),
                ({}, b"a=" + b"x" * (2 << 20), 413)):
            r = self.assert_nothing_stored(
                lambda: gpc_post(body=body, headers=headers))
            self.assertEqual(r.status, status, headers)
            self.assertIsNone(r.header("Set-Cookie"))
        # Refused by the handler as any form's post is, it still carried
        # the signal: the skeleton's own record of it (privforms-forms(8),
        # "Global Privacy Control").
        before = self.stored()
        r = gpc_post(body=b"x", headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 415)
        self.assertEqual(self.stored(), (before[0] + 1, before[1] + 1))
        m = COOKIE.match(r.header("Set-Cookie") or "")
        self.assertEqual((m[5], m[6]), ("1", "1"))
        for method in ("PUT", "DELETE"):
            for q in ("?gpc", "?version", "?dialog"):
                r = SITE.request(method, FORM + q)
                self.assertEqual(r.status, 405, (method, q))
        # A hostile cookie is a new device; nothing of it is reflected.
        r = gpc_post(cookie="v=1&d=<x>&n=0&c=advertising&g=0&t=9")
        self.assertEqual(r.status, 204)
        self.assertNotIn("<x>", r.header("Set-Cookie"))

    def test_the_snippet_files_are_cached_a_week(self):
        for name, kind in (("consent.js", "javascript"),
                           ("consent.css", "text/css")):
            r = SITE.get("/privacy/static/" + name)
            self.assertEqual(r.status, 200, name)
            self.assertIn(kind, r.header("Content-Type"))
            self.assertEqual(r.header("Cache-Control"), "max-age=604800")
            self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
            self.assertTrue(r.header("ETag"))
            r = SITE.get("/privacy/static/" + name,
                         headers={"If-None-Match": r.header("ETag")})
            self.assertEqual(r.status, 304, name)
        # The forms' own files keep their hour; a missing file is our 404.
        r = SITE.get("/privacy/static/privforms.css")
        self.assertEqual(r.header("Cache-Control"), "max-age=3600")
        self.assertEqual(SITE.get("/privacy/static/consent.jsx").status, 404)

    def test_gpc_post_is_rate_limited(self):
        site = Site(config={"consent_limit": "2/hour"}).start()
        try:
            h = {"Content-Type": "application/x-www-form-urlencoded",
                 "Sec-GPC": "1"}
            answers = [site.request("POST", FORM + "?gpc", body=b"",
                                    headers=h) for _ in range(3)]
            self.assertEqual([r.status for r in answers], [204, 204, 429])
            self.assertEqual(site.count("consent_record"), 2)
            # Nothing stored: no cookie that says the signal was (g=1),
            # or the snippet would never ask again.
            self.assertIsNone(answers[2].header("Set-Cookie"))
        finally:
            teardown(site)


class AtOnce(unittest.TestCase):
    """A person may press Reject all the moment the page shows: the consent
    form is exempt from form_min_seconds (forms.def's PF_FORM_QUICK)."""

    def test_a_choice_made_at_once_is_saved(self):
        site = Site(config={"form_min_seconds": "300"}).start()
        try:
            r = site.post(FORM, {"choice": "reject"})
            self.assertEqual(r.status, 303, r)
            self.assertEqual(site.count("consent_record"), 1)
            # The other forms still count it as too fast.
            r = site.post("/privacy/unsubscribe",
                          {"channel": "email", "email": "a@example.com"})
            self.assertEqual(r.status, 422, r)
        finally:
            teardown(site)


if __name__ == "__main__":
    unittest.main()
