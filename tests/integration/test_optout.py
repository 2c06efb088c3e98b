"""The opt-out page (/privacy/opt-out, "Your Privacy Choices") through a
real nginx: opting out of sale, sharing and targeted advertising without
any identity, the pf_consent cookie it sets (sale categories off, the
others kept), the consent and audit records, and the Global Privacy
Control line."""

import re
import unittest

from harness import Site, teardown, FormTest

FORM = "/privacy/opt-out"
SITE = None
COOKIE = re.compile(
    r"^pf_consent=(v=1&d=([A-Za-z0-9_-]{21}[AQgw])&n=([0-9a-f]{16})"
    r"&c=([a-z0-9_+-]*)&g=([01])&t=([1-9][0-9]{0,9})); Path=/; "
    r"Max-Age=(\d+); SameSite=Lax$")
HONORED = "Opt-out preference signal honored"


def setUpModule():
    global SITE
    SITE = Site().start()


def tearDownModule():
    teardown(SITE)


def records(device):
    return SITE.query("SELECT action, method, allowed, refused, gpc "
                      "FROM consent_record WHERE device = ? ORDER BY id",
                      (device,))


def opt_out(fields=None, cookie=None, gpc=None):
    headers = {}
    if cookie is not None:
        headers["Cookie"] = cookie
    if gpc is not None:
        headers["Sec-GPC"] = gpc
    return SITE.post(FORM, {"optout": "yes"} if fields is None else fields,
                     headers=headers)


class OptOut(FormTest):
    def stored(self):
        return (SITE.count("consent_record"), SITE.count("audit"))

    def cookie_of(self, r, page=FORM):
        """The Set-Cookie of a 303 to page's done page, matched whole."""
        self.assertEqual(r.status, 303, r)
        self.assertTrue(r.header("Location").endswith(page + "?done"))
        m = COOKIE.match(r.header("Set-Cookie") or "")
        self.assertIsNotNone(m, r.header("Set-Cookie"))
        return m

    def changes(self, fn):
        before = self.stored()
        r = fn()
        self.assertEqual(self.stored(), (before[0] + 1, before[1] + 1), r)
        return r

    def test_get_shows_the_page_and_changes_nothing(self):
        r = self.assert_nothing_stored(lambda: SITE.get(FORM))
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.header("Set-Cookie"))
        self.assertIn("Do Not Sell or Share My Personal Information", r.text)
        self.assertIn('name="optout"', r.text)
        self.assertNotIn('type="email"', r.text)
        self.assertNotIn(HONORED, r.text)
        r = self.assert_nothing_stored(lambda: SITE.get(FORM + "?done"))
        self.assertIn("No opt-out is saved", r.text)

    def test_opt_out_without_identity_is_recorded(self):
        r = self.changes(lambda: opt_out())
        m = self.cookie_of(r)
        self.assertEqual(m[4], "required")
        self.assertEqual(m[5], "0")
        self.assertEqual(records(m[2]),
                         [("refused", "page", "required",
                           "functional advertising", 0)])
        events = SITE.audit_xml("consent-recorded")
        self.assertNotIn(m[2], "".join(events))
        r = SITE.get(FORM + "?done", headers={"Cookie": "pf_consent=" + m[1]})
        self.assertIn("You have opted out", r.text)
        self.assertNotIn(HONORED, r.text)

    def test_other_categories_are_kept(self):
        m = self.cookie_of(SITE.post("/privacy/consent", {"choice": "accept"}),
                           "/privacy/consent")
        self.assertEqual(m[4], "required+functional+advertising")
        r = self.changes(lambda: opt_out(cookie="pf_consent=" + m[1]))
        m2 = self.cookie_of(r)
        self.assertEqual(m2[2], m[2], "the device id is kept")
        self.assertEqual(m2[4], "required+functional")
        self.assertEqual(records(m[2])[-1],
                         ("withdrawn", "page", "required functional",
                          "advertising", 0))
        # What the consent page ticks now: functional, not advertising.
        r = SITE.get("/privacy/consent",
                     headers={"Cookie": "pf_consent=" + m2[1]})
        for cat, on in (("functional", True), ("advertising", False)):
            tag = re.search(r'<input[^>]*name="allow-%s"[^>]*>' % cat, r.text)
            self.assertEqual("checked" in tag[0], on, cat)

    def test_a_hostile_cookie_is_ignored(self):
        hostile = ('v=1&d=<script>alert(1)</script>&n=0123456789abcdef'
                   '&c=functional&g=0&t=1')
        m = self.cookie_of(self.changes(
            lambda: opt_out(cookie="pf_consent=" + hostile)))
        self.assertEqual(m[4], "required")
        r = SITE.get(FORM + "?done", headers={"Cookie": "pf_consent=" + hostile})
        self.assertNotIn("alert(1)", r.text)

    def test_bad_input_stores_nothing(self):
        for fields in ({}, {"optout": "no"}, {"optout": "<b>x</b>"},
                       {"optout": "yes" * 2000}):
            r = self.assert_nothing_stored(lambda: opt_out(fields))
            self.assertEqual(r.status, 422, (fields, r))
            self.assertIsNone(r.header("Set-Cookie"))
            self.assertNotIn("<b>x</b>", r.text)
            self.assertIn("Nothing was changed.", r.text)
        r = self.assert_nothing_stored(
            lambda: SITE.post(FORM, {"optout": "yes"}, stamp=False))
        self.assertEqual(r.status, 422)
        self.assertIsNone(r.header("Set-Cookie"))

    def test_the_signal_is_shown_and_recorded(self):
        r = self.assert_nothing_stored(
            lambda: SITE.get(FORM, headers={"Sec-GPC": "1"}))
        self.assertIn(HONORED, r.text)
        for value in ("0", "true"):
            self.assertNotIn(HONORED, SITE.get(
                FORM, headers={"Sec-GPC": value}).text)
        m = self.cookie_of(self.changes(lambda: opt_out(gpc="1")))
        self.assertEqual(m[5], "1")
        self.assertEqual(records(m[2])[0][4], 1)
        r = SITE.get(FORM + "?done", headers={"Cookie": "pf_consent=" + m[1]})
        self.assertIn(HONORED, r.text)


if __name__ == "__main__":
    unittest.main()
