"""Data subject requests on the web: the form at /privacy/request through a
real nginx, the verify mail through a real SMTP server, the link that
verifies, the status page, and everything that must not work: form
errors, hostile input, forged, expired and misused links, a GET that would
change something, a locked database."""

import calendar
import datetime
import html
import os
import re
import sqlite3
import time
import unittest
import urllib.parse

from harness import (Site, SRC, mail_link as link, sqlite_only, teardown, token_craft,
                     address, mail_site, FormTest)
from htmlpage import Page

FORM = "/privacy/request"
VERIFY = FORM + "/verify"
STATUS = FORM + "/status"
TEAM = "privacy-team@example.com"
SITE = None     # mail configured, a team address
PLAIN = None    # no mail: nothing to verify with, so no form
SMTP = None

TYPES = {
    "access": "A copy of my personal data",
    "deletion": "Delete my personal data",
    "correction": "Correct my personal data",
    "portability": "A portable copy of my data",
    "restriction": "Restrict the processing of my data",
    "objection": "Object to the processing of my data",
    "other": "Another privacy question",
}
# Served by /privacy/opt-out without verification (CCPA regs s. 7026).
OPT_OUT_SALE = "opt-out-sale"


def setUpModule():
    global SITE, PLAIN, SMTP
    SITE, SMTP = mail_site(busy_timeout_ms="300", privacy_team=TEAM)
    PLAIN = Site().start()


def tearDownModule():
    teardown(SITE, PLAIN, SMTP)


def fields(**extra):
    f = {"type": "access", "relationship": "customer",
         "first_name": "Ada", "last_name": "Lovelace",
         "email": address(), "country": "DE"}
    f.update(extra)
    return {k: v for k, v in f.items() if v is not None}


def submit(**extra):
    return SITE.post(FORM, fields(**extra))


def send_mail(site=None):
    """Send what is queued; return the messages the server received."""
    return (site or SITE).send_mail(SMTP)


def mails_to(to):
    return [m for m in send_mail() if m["To"] == to]


def token(path):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["t"][0]


def row(to):
    rows = SITE.query("SELECT id, type, status, law, due, received, country, "
                      "state, party, acknowledge, extension FROM request "
                      "WHERE email = ? ORDER BY id", (to,))
    keys = ("id", "type", "status", "law", "due", "received", "country",
            "state", "party", "acknowledge", "extension")
    return [dict(zip(keys, r)) for r in rows]


def counts():
    return tuple(SITE.count(t) for t in ("request", "request_event", "outbox",
                                         "audit", "party"))


def submitted(to, **extra):
    """Submit for to; return the verify mail's body."""
    r = submit(email=to, **extra)
    if r.status != 303:
        raise AssertionError(r)
    msgs = mails_to(to)
    if len(msgs) != 1:
        raise AssertionError("%d mails to %s" % (len(msgs), to))
    return msgs[0].get_content()


def verified(to, **extra):
    """Submit and verify for to; return the status page's path."""
    body = submitted(to, **extra)
    r = SITE.post(VERIFY, {"t": token(link(body, "verify"))})
    if r.status != 303:
        raise AssertionError(r)
    return r.header("location")


def add_months(day, n):
    m = day.month - 1 + n
    y = day.year + m // 12
    m = m % 12 + 1
    return datetime.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


# ---- tokens made here with the site's key, to test what only time makes ----

def craft(purpose, expires, *fields_):
    """A genuine token (token.h) signed with SITE's key."""
    return token_craft(SITE, purpose, expires, *fields_)


class Pages(unittest.TestCase):
    def test_hub_links_the_form_for_data_and_other_questions(self):
        r = SITE.get("/privacy/")
        self.assertIn('href="/privacy/request"', r.text)
        self.assertIn('href="/privacy/request?type=other"', r.text)
        r = SITE.get(FORM + "?type=other")
        self.assertRegex(r.text, r'value="other"[^>]*checked')

    def test_form_has_every_field_with_a_label(self):
        r = SITE.get(FORM)
        self.assertEqual(r.status, 200, r)
        for name in ("relationship", "organisation", "first_name",
                     "last_name", "email", "country", "state", "details"):
            self.assertRegex(r.text, r'<label[^>]+for="%s"' % name)
            self.assertRegex(r.text, r'name="%s"' % name)
            self.assertIn('id="error-%s"' % name, r.text)
        self.assertRegex(r.text, r'<fieldset id="type"[^>]*>\s*<legend>')
        for code, label in TYPES.items():
            self.assertRegex(r.text, r'<input type="radio" id="type-%s" '
                             r'name="type" value="%s"' % (code, code))
            self.assertIn(">%s</label>" % html.escape(label, quote=False),
                          r.text)
        self.assertIn('id="errors"', r.text)
        for label in ("Employee", "Job applicant", "Prospect", "Customer",
                      "Website user", "Partner", "Supplier",
                      "Learning platform user",
                      "Recipient of marketing communications",
                      "User of the company's services", "Other"):
            self.assertIn(">%s</option>" % label, r.text)

    def test_countries_and_states_come_from_iso_codes(self):
        r = SITE.get(FORM)
        country = r.text.split('name="country"', 1)[1].split("</select>")[0]
        codes = re.findall(r'<option[^>]*value="([A-Z]{2})"', country)
        self.assertGreater(len(codes), 240)
        self.assertIn(">Åland Islands<", country)
        state = r.text.split('name="state"', 1)[1].split("</select>")[0]
        self.assertEqual(len(re.findall(r'value="[A-Z]{2}"', state)), 51)
        self.assertIn('value="DC"', state)

    def test_privacy_notice_is_included_under_the_form(self):
        r = SITE.get(FORM)
        self.assertIn('id="request-notice"', r.text)
        self.assertLess(r.text.index("</form>"),
                        r.text.index('id="request-notice"'))
        for words in ("controller", "supervisory authority", "three years",
                      "Your rights"):
            self.assertIn(words, r.text)
        self.assertNotIn("xi:include", r.text)
        self.assertNotIn("xml:base", r.text)

    def test_sent_page_says_check_your_email_and_the_days(self):
        r = SITE.get(FORM + "?sent")
        self.assertEqual(r.status, 200)
        self.assertIn("Check your email", r.text)
        self.assertIn('<span id="verify-days">7</span> days', r.text)
        self.assertIn("no message can reach you", r.text)

    def test_other_sub_paths_are_404(self):
        for path in (FORM + "/", FORM + "/other", VERIFY + "/x",
                     STATUS + "/", FORM + "x", FORM + "/verifyx"):
            self.assertEqual(SITE.get(path).status, 404, path)

    def test_wrong_method_is_405(self):
        r = SITE.request("DELETE", FORM)
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("allow"), "GET, HEAD, POST")
        r = SITE.request("PUT", VERIFY)
        self.assertEqual(r.status, 405)
        r = SITE.post(STATUS, {"t": "x"})
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("allow"), "GET, HEAD")

    def test_without_mail_the_form_is_not_available(self):
        for path in (FORM, FORM + "?sent", VERIFY + "?t=x", STATUS + "?t=x"):
            r = PLAIN.get(path)
            self.assertEqual(r.status, 404, path)
            self.assertIn("Not available", r.text)
        r = PLAIN.post(FORM, fields())
        self.assertEqual(r.status, 404)
        self.assertEqual(PLAIN.count("request"), 0)

    def test_pages_are_not_cached(self):
        for path in (FORM, FORM + "?sent"):
            self.assertEqual(SITE.get(path).header("cache-control"),
                             "no-store")


class Flow(unittest.TestCase):
    def test_submit_mail_verify_status(self):
        to = address("flow")
        r = submit(email=to, first_name="Grace", last_name="Hopper",
                   organisation="Navy", relationship="employee")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("location"), FORM + "?sent")
        [req] = row(to)
        self.assertEqual((req["type"], req["status"], req["law"],
                          req["party"]), ("access", "unverified", "GDPR",
                                          None))
        msgs = mails_to(to)
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0]["Subject"], "Please confirm your privacy request")
        body = msgs[0].get_content()
        self.assertIn("A copy of my personal data", body)
        self.assertIn(req["due"], body)
        today = datetime.datetime.now(datetime.timezone.utc).date()
        by = (today + datetime.timedelta(days=7)).isoformat()
        self.assertIn("works until %s" % by, body)
        verify = link(body, "verify")
        status = link(body, "status")

        # GET shows one button and changes nothing.
        before = counts()
        r = SITE.get(verify)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.text.count("<button"), 1)
        self.assertIn('action="/privacy/request/verify"', r.text)
        self.assertIn('name="t" value="%s"' % token(verify), r.text)
        for text in ("A copy of my personal data", "Grace Hopper", "Navy",
                     "Germany", "GDPR", req["due"], req["received"][:10]):
            self.assertIn(text, r.text)
        self.assertNotIn(to, r.text)
        self.assertNotIn(">Details<", r.text)
        self.assertEqual(counts(), before)
        self.assertEqual(row(to)[0]["status"], "unverified")

        # The status page works before verification too.
        r = SITE.get(status)
        self.assertEqual(r.status, 200, r)
        self.assertIn("Waiting for you to confirm", r.text)

        # POST verifies and 303s to the status page.
        r = SITE.post(VERIFY, {"t": token(verify)})
        self.assertEqual(r.status, 303, r)
        loc = r.header("location")
        self.assertTrue(loc.startswith(STATUS + "?t="), loc)
        [req] = row(to)
        self.assertEqual(req["status"], "verified")
        self.assertIsNotNone(req["party"])
        self.assertEqual(len(SITE.audit_xml("request-verified")) >= 1, True)

        page = SITE.get(loc)
        self.assertEqual(page.status, 200, page)
        for text in ("A copy of my personal data", req["received"][:10],
                     req["due"], "GDPR", "Verified: we are working on it",
                     "Waiting for you to confirm"):
            self.assertIn(text, page.text)
        # Nothing else about the person.
        for text in ("Grace", "Hopper", "Navy", to, "mployee"):
            self.assertNotIn(text, page.text)
        self.assertEqual(len(Page(page.text).byid["history"].children), 2)

        # The person is told, the team too, by name of no one.
        msgs = {m["To"]: m for m in send_mail()}
        mine = msgs[to].get_content()
        self.assertEqual(msgs[to]["Subject"],
                         "We have your privacy request (number %d)" % req["id"])
        self.assertEqual(SITE.get(link(mine, "status")).status, 200)
        team = msgs[TEAM]
        self.assertEqual(team["Subject"], "New privacy request %d: %s" %
                         (req["id"], TYPES["access"]))
        text = team.get_content()
        self.assertIn("privforms request show %d" % req["id"], text)
        self.assertIn("Germany (DE)", text)
        for secret in ("Grace", "Hopper", "Navy", to):
            self.assertNotIn(secret, text)
            self.assertNotIn(secret, str(team))

    def test_second_verify_changes_nothing_and_goes_to_status(self):
        to = address("twice")
        body = submitted(to)
        t = token(link(body, "verify"))
        self.assertEqual(SITE.post(VERIFY, {"t": t}).status, 303)
        send_mail()
        before = counts()
        r = SITE.post(VERIFY, {"t": t})
        self.assertEqual(r.status, 303, r)
        self.assertTrue(r.header("location").startswith(STATUS + "?t="))
        self.assertEqual(counts(), before)
        self.assertEqual(mails_to(to), [])
        # And the verify page still shows its button, changing nothing.
        self.assertEqual(SITE.get(VERIFY + "?t=" + t).status, 200)
        self.assertEqual(counts(), before)

    def test_a_second_address_is_a_second_party_the_same_one_reused(self):
        a, b = address("party-a"), address("party-b")
        verified(a)
        verified(b)
        verified(a, type="deletion")
        pa = {r["party"] for r in row(a)}
        pb = {r["party"] for r in row(b)}
        self.assertEqual(len(pa), 1)
        self.assertEqual(len(pb), 1)
        self.assertNotEqual(pa, pb)

    def test_due_dates_by_country(self):
        cases = (("DE", None, "GDPR", lambda d: add_months(d, 1), "2 months",
                  None),
                 ("US", "CA", "CCPA", lambda d: d + datetime.timedelta(45),
                  "45 days", True),
                 ("CA", None, "PIPEDA", lambda d: d + datetime.timedelta(30),
                  "30 days", None),
                 ("GB", None, "UK GDPR", lambda d: add_months(d, 1),
                  "2 months", None),
                 ("IN", None, "none", lambda d: d + datetime.timedelta(30),
                  None, None))
        for country, state, law, due, ext, ack in cases:
            to = address("due-" + country)
            loc = verified(to, country=country, state=state)
            [req] = row(to)
            received = datetime.date.fromisoformat(req["received"][:10])
            self.assertEqual(req["law"], law)
            self.assertEqual(req["country"], country)
            self.assertEqual(req["state"], state)
            self.assertEqual(req["due"], due(received).isoformat())
            self.assertEqual(req["extension"], ext)
            self.assertEqual(req["acknowledge"] is not None, bool(ack))
            page = SITE.get(loc).text
            self.assertIn(req["due"], page)
            if law != "none":
                self.assertIn(law, page)

    def test_texas_brazil_korea_get_their_law_in_mail_and_audit(self):
        cases = (("US", "TX", "TDPSA", 45, "45 days"),
                 ("BR", None, "LGPD", 15, None),
                 ("KR", None, "PIPA", 10, None),
                 ("US", "CA", "CCPA", 45, "45 days"))
        for country, state, law, days, ext in cases:
            to = address("law-" + country)
            body = submitted(to, country=country, state=state)
            [req] = row(to)
            received = datetime.date.fromisoformat(req["received"][:10])
            due = (received + datetime.timedelta(days)).isoformat()
            self.assertEqual((req["law"], req["due"], req["extension"]),
                             (law, due, ext))
            # Only the CCPA sets a time to acknowledge receipt.
            self.assertEqual(req["acknowledge"] is not None, law == "CCPA")
            self.assertIn("the law that applies (%s)" % law, body)
            self.assertIn(due, body)
            [xml] = [x for x in SITE.audit_xml("request-received")
                     if '<detail name="request">%d<' % req["id"] in x]
            for detail in ('"law">%s<' % law, '"due">%s<' % due,
                           '"country">%s<' % country):
                self.assertIn(detail, xml)
            show = SITE.privforms("request", "show", str(req["id"])).stdout
            if req["acknowledge"] is None:
                self.assertNotIn('"acknowledge"', xml)
                self.assertIn("- (%s sets no period)" % law, show)
            else:
                self.assertIn('<detail name="acknowledge">%s</detail>' %
                              req["acknowledge"], xml)
                self.assertIn(req["acknowledge"], show)
            r = SITE.post(VERIFY, {"t": token(link(body, "verify"))})
            self.assertEqual(r.status, 303, r)
            [mail] = mails_to(to)
            self.assertIn("Due by:    %s (%s)" % (due, law), mail.get_content())

    def test_state_is_ignored_outside_the_united_states(self):
        to = address("state")
        self.assertEqual(submit(email=to, country="FR", state="CA").status,
                         303)
        self.assertEqual(row(to)[0]["state"], None)
        self.assertEqual(row(to)[0]["law"], "GDPR")

    def test_opt_out_of_sale_never_asks_for_verification(self):
        r = SITE.get(FORM)
        self.assertNotIn('value="%s"' % OPT_OUT_SALE, r.text)
        self.assertIn('href="/privacy/opt-out"', r.text)
        r = SITE.get(FORM + "?type=" + OPT_OUT_SALE)
        self.assertEqual(r.status, 303, r)
        self.assertTrue(r.header("Location").endswith("/privacy/opt-out"))
        to = address("sale")
        before = (SITE.count("request"), SITE.count("outbox"),
                  SITE.count("audit"))
        r = submit(email=to, type=OPT_OUT_SALE)
        self.assertEqual(r.status, 303, r)
        self.assertTrue(r.header("Location").endswith("/privacy/opt-out"))
        self.assertEqual((SITE.count("request"), SITE.count("outbox"),
                          SITE.count("audit")), before)
        self.assertEqual(row(to), [])

    def test_every_type_is_accepted_and_labelled(self):
        for code, label in TYPES.items():
            to = address("type")
            body = submitted(to, type=code, details="Please.")
            self.assertIn(label, body)
            self.assertEqual(row(to)[0]["type"], code)

    def test_audit_records_carry_no_personal_data(self):
        to = address("audit")
        verified(to, first_name="Zenobia", last_name="Quarles",
                 organisation="Umbrella", details="my secret detail")
        [req] = row(to)
        received = [x for x in SITE.audit_xml("request-received")
                    if '<detail name="request">%d<' % req["id"] in x]
        self.assertEqual(len(received), 1)
        xml = received[0]
        for detail in ('"type">access<', '"law">GDPR<',
                       '"due">%s<' % req["due"], '"country">DE<'):
            self.assertIn(detail, xml)
        both = xml + "".join(SITE.audit_xml("request-verified"))
        for secret in (to, to.split("@")[0], "Zenobia", "Quarles",
                       "Umbrella", "secret detail"):
            self.assertNotIn(secret, both)
        self.assertRegex(xml, r"<subject>[0-9a-f]{64}</subject>")


def human_day(iso):
    """"2027-03-02" as people read it: "2 March 2027"."""
    d = datetime.date.fromisoformat(iso[:10])
    return "%d %s %d" % (d.day, d.strftime("%B"), d.year)


def css_classes():
    """The classes privforms.css styles."""
    with open(os.path.join(SRC, "htdocs", "static", "privforms.css")) as f:
        return set(re.findall(r"\.([a-z][\w-]*)", f.read()))


class Styled(unittest.TestCase):
    """The verify and status pages, the most important of a request, read
    like the forms: dates as people write them (and <time datetime> for
    machines), times with their zone, nothing left bare or empty."""

    def request_pages(self):
        to = address("styled")
        body = submitted(to, organisation="Acme")
        verify = SITE.get(link(body, "verify"))
        SITE.post(VERIFY, {"t": token(link(body, "verify"))})
        [req] = row(to)
        SITE.privforms("request", "fulfil", str(req["id"]), "--note",
                       "Sent by post.")
        status = SITE.get(link(body, "status"))
        self.assertEqual((verify.status, status.status), (200, 200))
        return req, Page(verify.text), Page(status.text)

    def assert_day(self, e, iso):
        self.assertEqual(e.tag, "time")
        self.assertEqual(e.get("datetime"), iso)
        self.assertEqual(e.text, human_day(iso))

    def assert_time(self, e, stored):
        self.assertEqual(e.tag, "time")
        self.assertEqual(e.get("datetime"), stored[:16] + "Z")
        self.assertEqual(e.text, "%s, %s UTC" % (human_day(stored),
                                                stored[11:16]))

    def test_dates_as_people_read_them_and_times_with_their_zone(self):
        req, verify, status = self.request_pages()
        self.assert_day(verify.byid["verify-due"], req["due"])
        self.assert_time(verify.byid["verify-received"], req["received"])
        self.assert_day(status.byid["status-due"], req["due"])
        self.assert_time(status.byid["status-received"], req["received"])
        events = status.byid["history"].children
        self.assertEqual(len(events), 3)
        for e in events:
            [when] = [c for c in e.children if c.tag == "time"]
            self.assertRegex(when.get("datetime"),
                             r"^\d{4}-\d\d-\d\dT\d\d:\d\dZ$")
            self.assertRegex(when.text, r"^\d{1,2} [A-Z][a-z]+ \d{4}, "
                             r"\d\d:\d\d UTC$")

    def test_no_bare_table_and_no_empty_note(self):
        req, verify, status = self.request_pages()
        for page in (verify, status):
            self.assertEqual(page.all("table"), [])
        notes = [c.text for e in status.byid["history"].children
                 for c in e.children if "event-note" in c.classes()]
        self.assertEqual([n for n in notes if n], ["Sent by post."])

    def test_every_class_they_use_is_styled(self):
        styled = css_classes()
        _, verify, status = self.request_pages()
        for page in (verify, status):
            used = {c for e in page.all() for c in e.classes()}
            self.assertEqual(used - styled, set())
            self.assertTrue({"summary-list", "summary-row"} <= used)


class Errors(FormTest):
    def stored(self):
        return counts()

    def assert_error(self, r, field):
        super().assert_error(r, field)
        self.assertRegex(r.text, r'<li><a href="#%s(-[\w-]+)?">' % field)

    def test_each_required_field_is_asked_for_and_the_rest_kept(self):
        for name in ("type", "relationship", "first_name", "last_name",
                     "email", "country"):
            f = fields(organisation="Kept Org", **{name: None})
            r = self.assert_nothing_stored(lambda: SITE.post(FORM, f))
            self.assert_error(r, name)
            self.assertIn('value="Kept Org"', r.text)
            self.assertEqual(len(re.findall(r'id="error-\w+">[^<]', r.text)),
                             1, name)

    def test_blank_form_lists_every_required_field(self):
        r = self.assert_nothing_stored(lambda: SITE.post(FORM, {}))
        for name in ("type", "relationship", "first_name", "last_name",
                     "email", "country"):
            self.assert_error(r, name)

    def test_united_states_needs_a_state(self):
        r = self.assert_nothing_stored(lambda: submit(country="US"))
        self.assert_error(r, "state")
        self.assertRegex(r.text, r'<option[^>]*value="US"[^>]*selected')
        for bad in ("XX", "ca", "US-CA", "PR"):
            r = self.assert_nothing_stored(
                lambda: submit(country="US", state=bad))
            self.assert_error(r, "state")

    def test_correction_and_other_need_details(self):
        for code in ("correction", "other"):
            r = self.assert_nothing_stored(lambda: submit(type=code))
            self.assert_error(r, "details")
            self.assertRegex(r.text, r'value="%s"[^>]*checked' % code)
            r = self.assert_nothing_stored(
                lambda: submit(type=code, details=" \n\t "))
            self.assert_error(r, "details")
        self.assertEqual(submit(type="deletion").status, 303)

    def test_bad_email_is_refused(self):
        for bad in ("no-at-sign", "a@b", "a@@example.com", "a b@example.com",
                    "ä@example.com", "a@example.com\r\nBcc: x@example.com"):
            r = self.assert_nothing_stored(lambda: submit(email=bad))
            self.assert_error(r, "email")

    def test_unknown_choices_are_refused(self):
        for name, bad in (("type", "everything"), ("type", "Access"),
                          ("type", TYPES["access"]),
                          ("relationship", "friend"),
                          ("relationship", "Customer"),
                          ("country", "XX"), ("country", "de"),
                          ("country", "DEU")):
            r = self.assert_nothing_stored(lambda: submit(**{name: bad}))
            self.assert_error(r, name)

    def test_lengths_at_their_limit_pass_and_one_more_is_refused(self):
        for name, n in (("first_name", 100), ("last_name", 100),
                        ("organisation", 200), ("details", 5000)):
            r = self.assert_nothing_stored(lambda: submit(**{name: "x" * (n + 1)}))
            self.assert_error(r, name)
            self.assertIn("x" * (n + 1), r.text)
            self.assertEqual(submit(**{name: "é" * n}).status, 303, name)

    def test_markup_in_every_field_comes_back_escaped(self):
        evil = '<script>alert(1)</script>"\'&'
        f = {k: evil for k in ("type", "relationship", "organisation",
                               "first_name", "last_name", "email", "country",
                               "state", "details")}
        r = self.assert_nothing_stored(lambda: SITE.post(FORM, f))
        self.assertEqual(r.status, 422)
        self.assertNotIn("<script>alert", r.text)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", r.text)

    def test_markup_is_stored_as_text(self):
        to = address("markup")
        self.assertEqual(submit(email=to, first_name="<b>Bo</b>",
                                details="a & b < c").status, 303)
        self.assertEqual(SITE.query("SELECT first_name, details FROM request "
                                    "WHERE email = ?", (to,))[0],
                         ("<b>Bo</b>", "a & b < c"))

    def test_cr_lf_never_reaches_a_header(self):
        for name in ("first_name", "last_name", "organisation", "email",
                     "type", "relationship", "country"):
            r = self.assert_nothing_stored(lambda: SITE.post(
                FORM, fields(**{name: "x\r\nBcc: evil@example.com"})))
            self.assert_error(r, name)
        # Details may have lines; they never go into a mail at all.
        to = address("crlf")
        body = submitted(to, details="line\r\nBcc: evil@example.com\r\n")
        self.assertNotIn("evil", body)
        self.assertEqual(SITE.query("SELECT details FROM request WHERE "
                                    "email = ?", (to,))[0][0],
                         "line\nBcc: evil@example.com")
        for m in SMTP.messages:
            self.assertNotIn(b"evil", m.data.split(b"\r\n\r\n", 1)[0])
            self.assertFalse([a for a in m.rcpt_tos if "evil" in a])

    def test_hostile_bytes_are_refused_and_never_reflected(self):
        for raw in (b"%ff%fe", b"Ada%00x", b"Ada%0d%0aBcc:x", b"%1b[31mAda",
                    b"%ef%bf%bf", b"%c0%afAda", b"%ed%a0%80"):
            body = urllib.parse.urlencode(fields()).encode()
            body = body.replace(b"first_name=Ada", b"first_name=" + raw)
            r = self.assert_nothing_stored(lambda: SITE.post(FORM, body))
            self.assert_error(r, "first_name")
            self.assertNotIn("Bcc:", r.text)
            self.assertNotIn("\x1b", r.text)

    def test_oversized_body_is_413(self):
        r = self.assert_nothing_stored(lambda: SITE.post(
            FORM, urllib.parse.urlencode(fields(details="d" * 200000))))
        self.assertEqual(r.status, 413)

    def test_bad_percent_encoding_and_content_type(self):
        r = self.assert_nothing_stored(
            lambda: SITE.post(FORM, b"type=access&email=%zz"))
        self.assertEqual(r.status, 400)
        r = self.assert_nothing_stored(lambda: SITE.post(
            FORM, urllib.parse.urlencode(fields()), content_type="text/plain"))
        self.assertEqual(r.status, 415)
        self.assertEqual(SITE.get(FORM + "?%zz").status, 400)

    def test_get_never_changes_state(self):
        before = counts()
        q = urllib.parse.urlencode(fields())
        for path in (FORM + "?" + q, FORM + "?sent&" + q,
                     VERIFY + "?" + q, STATUS + "?" + q):
            SITE.get(path)
        SITE.request("HEAD", FORM)
        self.assertEqual(counts(), before)

    @sqlite_only("the busy lock: another writer holding the database file")
    def test_locked_database_gives_503_and_stores_nothing(self):
        to = address("locked")
        body = submitted(address("locked-verify"))
        verify = token(link(body, "verify"))
        status = link(body, "status")
        before = counts()
        with SITE.locked():
            r = submit(email=to, first_name="Locked")
            v = SITE.post(VERIFY, {"t": verify})
            s = SITE.get(status)
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.header("retry-after"), "60")
        self.assertIn('value="Locked"', r.text)
        self.assertIn('value="%s"' % to, r.text)
        self.assertEqual(v.status, 503, v)
        self.assertEqual(s.status, 503, s)
        self.assertEqual(counts(), before)
        self.assertEqual(row(to), [])
        self.assertEqual(send_mail(), [])
        # Afterwards both work.
        self.assertEqual(submit(email=to).status, 303)
        self.assertEqual(SITE.post(VERIFY, {"t": verify}).status, 303)


class Exempt(unittest.TestCase):
    """A company below Texas's threshold (laws_exempt = TDPSA): a Texan's
    request falls to the "*" row, and says so in its record."""

    @classmethod
    def setUpClass(cls):
        cls.site, cls.smtp = mail_site(laws_exempt="TDPSA, CCPA")

    @classmethod
    def tearDownClass(cls):
        teardown(cls.site, cls.smtp)

    def test_an_exempt_state_law_falls_to_the_star_row(self):
        for state in ("TX", "CA"):
            to = address("exempt-" + state)
            r = self.site.post(FORM, fields(email=to, country="US",
                                            state=state))
            self.assertEqual(r.status, 303, r)
            [(law, due, received)] = self.site.query(
                "SELECT law, due, received FROM request WHERE email = ?",
                (to,))
            day = datetime.date.fromisoformat(received[:10])
            self.assertEqual((law, due), ("none", (
                day + datetime.timedelta(30)).isoformat()))
        to = address("exempt-VA")
        self.site.post(FORM, fields(email=to, country="US", state="VA"))
        self.assertEqual(self.site.query("SELECT law FROM request WHERE "
                                         "email = ?", (to,)), [("VCDPA",)])


class Privacy(unittest.TestCase):
    def test_same_answer_for_a_known_and_an_unknown_address(self):
        known = address("known")
        verified(known)
        send_mail()
        a = submit(email=known, type="deletion")
        b = submit(email=address("unknown"), type="deletion")
        self.assertEqual((a.status, a.header("location"), a.body),
                         (b.status, b.header("location"), b.body))
        # Repeating one is answered the same way too.
        c = submit(email=known, type="deletion")
        self.assertEqual((a.status, a.header("location"), a.body),
                         (c.status, c.header("location"), c.body))

    def test_storm_control_one_request_one_mail(self):
        to = address("storm")
        revised = len(SITE.audit_xml("request-revised"))
        for _ in range(3):
            r = submit(email=to, first_name="Again")
            self.assertEqual(r.status, 303)
            self.assertEqual(r.header("location"), FORM + "?sent")
        self.assertEqual(len(row(to)), 1)
        self.assertEqual(len(mails_to(to)), 1)
        self.assertEqual(len(SITE.audit_xml("request-revised")), revised + 2)
        for xml in SITE.audit_xml("request-revised")[revised:]:
            self.assertIn('<detail name="request">%d<' % row(to)[0]["id"],
                          xml)
            self.assertNotIn(to, xml)
            self.assertNotIn("Again", xml)
        # Another type is a new request; the address in other case is the
        # same email key, so a repeat, which revises the address as typed.
        self.assertEqual(submit(email=to, type="deletion").status, 303)
        upper = to.upper().replace("EXAMPLE.COM", "example.com")
        self.assertEqual(submit(email=upper).status, 303)
        self.assertEqual([r["type"] for r in row(to)], ["deletion"])
        self.assertEqual([r["type"] for r in row(upper)], ["access"])
        self.assertEqual(len(mails_to(to)), 1)


class Repeats(unittest.TestCase):
    def test_a_repeat_revises_the_unverified_request(self):
        to = address("revise")
        body = submitted(to, first_name="Wrong", last_name="Name",
                         organisation="Old Org", country="DE")
        [before] = row(to)
        revised = len(SITE.audit_xml("request-revised"))
        r = submit(email=to, first_name="Right", last_name="Name",
                   country="US", state="CA", details="Use this one.")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("location"), FORM + "?sent")
        [after] = row(to)
        received = datetime.date.fromisoformat(before["received"][:10])
        self.assertEqual(after["id"], before["id"])
        self.assertEqual(after["received"], before["received"])
        self.assertEqual(after["status"], "unverified")
        self.assertEqual((after["country"], after["state"], after["law"]),
                         ("US", "CA", "CCPA"))
        self.assertEqual(after["due"],
                         (received + datetime.timedelta(45)).isoformat())
        self.assertEqual(after["extension"], "45 days")
        self.assertIsNotNone(after["acknowledge"])
        self.assertEqual(SITE.query(
            "SELECT first_name, organisation, details FROM request "
            "WHERE id = ?", (after["id"],))[0],
            ("Right", None, "Use this one."))
        self.assertEqual(mails_to(to), [])
        xmls = SITE.audit_xml("request-revised")[revised:]
        self.assertEqual(len(xmls), 1)
        for detail in ('"request">%d<' % after["id"], '"type">access<',
                       '"law">CCPA<', '"due">%s<' % after["due"],
                       '"country">US<'):
            self.assertIn(detail, xmls[0])
        for secret in (to, "Right", "Wrong", "Old Org", "Use this one"):
            self.assertNotIn(secret, xmls[0])
        # The first mail's links show what was sent last.
        page = SITE.get(link(body, "verify"))
        self.assertEqual(page.status, 200, page)
        for text in ("Right Name", "California, United States", "CCPA",
                     after["due"], "Use this one."):
            self.assertIn(text, page.text)
        for text in ("Wrong", "Old Org", "Germany", "GDPR", before["due"]):
            self.assertNotIn(text, page.text)
        page = SITE.get(link(body, "status"))
        self.assertIn("CCPA", page.text)
        self.assertIn(after["due"], page.text)
        self.assertEqual(SITE.post(VERIFY, {"t": token(link(body, "verify"))})
                         .status, 303)
        self.assertEqual(row(to)[0]["law"], "CCPA")

    def test_a_repeat_after_verification_stores_nothing(self):
        to = address("repeat-verified")
        verified(to, first_name="First")
        send_mail()
        [before] = row(to)
        fixed = SITE.query("SELECT * FROM request WHERE id = ?",
                           (before["id"],))
        n = counts()
        repeated = len(SITE.audit_xml("request-repeated"))
        r = submit(email=to, first_name="Second", country="US", state="CA")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("location"), FORM + "?sent")
        self.assertEqual(SITE.query("SELECT * FROM request WHERE id = ?",
                                    (before["id"],)), fixed)
        self.assertEqual(counts(), n[:3] + (n[3] + 1,) + n[4:])
        xmls = SITE.audit_xml("request-repeated")[repeated:]
        self.assertEqual(len(xmls), 1)
        self.assertIn('"request">%d<' % before["id"], xmls[0])
        self.assertNotIn("Second", xmls[0])
        self.assertEqual(mails_to(to), [])

    def test_verify_page_shows_what_was_sent_as_text(self):
        to = address("shown")
        body = submitted(to, first_name="<b>Bo</b>", last_name='O"Neil & Co',
                         organisation="<i>Org</i>", country="US", state="NY",
                         details="line <script>one</script>\r\n\r\nline 2")
        page = SITE.get(link(body, "verify"))
        self.assertEqual(page.status, 200, page)
        text = page.text
        self.assertNotIn("<b>Bo", text)
        self.assertNotIn("<i>Org", text)
        self.assertNotIn("<script>", text)
        self.assertIn('&lt;b&gt;Bo&lt;/b&gt; O"Neil &amp; Co', text)
        self.assertIn("&lt;i&gt;Org&lt;/i&gt;", text)
        self.assertIn("New York, United States", text)
        self.assertIn("No specific law: our own deadline", text)
        self.assertIn(row(to)[0]["due"], text)
        self.assertIn("<p><span>line &lt;script&gt;one&lt;/script&gt;"
                      "</span></p>", text)
        self.assertIn("<p><span>line 2</span></p>", text)
        self.assertIn(">Organisation<", text)
        self.assertIn(">Details<", text)
        # Without them, neither is shown.
        page = SITE.get(link(submitted(address("bare")), "verify")).text
        self.assertNotIn(">Organisation<", page)
        self.assertNotIn(">Details<", page)


@sqlite_only("SQLite's write lock (BEGIN IMMEDIATE), which readers must not wait on")
class Locks(unittest.TestCase):
    def test_pages_that_only_read_do_not_wait_for_a_writer(self):
        body = submitted(address("reader"))
        verify, status = link(body, "verify"), link(body, "status")
        to = address("writer")
        con = sqlite3.connect(SITE.db_path, timeout=5)
        con.execute("BEGIN IMMEDIATE")
        try:
            v = SITE.get(verify)
            s = SITE.get(status)
            # The lock is real: a submission waits, then gives up.
            w = submit(email=to)
        finally:
            con.rollback()
            con.close()
        self.assertEqual(v.status, 200, v)
        self.assertEqual(s.status, 200, s)
        self.assertEqual(w.status, 503, w)
        self.assertEqual(row(to), [])


class Links(unittest.TestCase):
    def test_forged_links_are_400(self):
        body = submitted(address("forged"))
        good = token(link(body, "verify"))
        before = counts()
        bad = [good[:-2] + ("AA" if good[-2:] != "AA" else "BB"),
               good[:10], "x", "", good.replace(".", ""), good + "."]
        for t in bad:
            r = SITE.get(VERIFY + "?t=" + urllib.parse.quote(t))
            self.assertEqual(r.status, 400, t)
            self.assertIn("not valid", r.text)
            r = SITE.post(VERIFY, {"t": t})
            self.assertEqual(r.status, 400, t)
            r = SITE.get(STATUS + "?t=" + urllib.parse.quote(t))
            self.assertEqual(r.status, 400, t)
        self.assertEqual(SITE.get(VERIFY).status, 400)
        self.assertEqual(SITE.post(VERIFY, {}).status, 400)
        self.assertEqual(SITE.get(STATUS).status, 400)
        self.assertEqual(counts(), before)

    def test_wrong_purpose_tokens_are_400(self):
        to = address("purpose")
        body = submitted(to)
        verify, status = token(link(body, "verify")), token(link(body, "status"))
        before = counts()
        for t in (status, craft("unsub", int(time.time()) + 3600,
                                "email", to, "")):
            self.assertEqual(SITE.get(VERIFY + "?t=" + t).status, 400)
            self.assertEqual(SITE.post(VERIFY, {"t": t}).status, 400)
        self.assertEqual(SITE.get(STATUS + "?t=" + verify).status, 400)
        self.assertEqual(counts(), before)
        self.assertEqual(row(to)[0]["status"], "unverified")

    def test_a_verify_token_in_the_query_of_a_post_is_not_enough(self):
        body = submitted(address("query"))
        t = token(link(body, "verify"))
        r = SITE.post(VERIFY + "?t=" + t, {})
        self.assertEqual(r.status, 400)

    def test_expired_links_say_so(self):
        to = address("expired")
        submitted(to)
        [req] = row(to)
        past = int(time.time()) - 10
        before = counts()
        t = craft("dsr-verify", past, str(req["id"]))
        r = SITE.get(VERIFY + "?t=" + t)
        self.assertEqual(r.status, 400)
        self.assertIn("expired", r.text)
        self.assertIn("send the request again", r.text)
        r = SITE.post(VERIFY, {"t": t})
        self.assertEqual(r.status, 400)
        self.assertIn("expired", r.text)
        r = SITE.get(STATUS + "?t=" + craft("dsr-status", past,
                                            str(req["id"])))
        self.assertEqual(r.status, 400)
        self.assertIn("expired", r.text)
        self.assertEqual(counts(), before)
        # The same link a little later in time works: the key is right.
        t = craft("dsr-verify", past + 3600, str(req["id"]))
        self.assertEqual(SITE.get(VERIFY + "?t=" + t).status, 200)

    def test_a_link_to_a_request_that_is_gone(self):
        later = int(time.time()) + 3600
        before = counts()
        t = craft("dsr-verify", later, "987654321")
        for r in (SITE.get(VERIFY + "?t=" + t), SITE.post(VERIFY, {"t": t})):
            self.assertEqual(r.status, 400)
            self.assertIn("send the request again", r.text)
        r = SITE.get(STATUS + "?t=" + craft("dsr-status", later, "987654321"))
        self.assertEqual(r.status, 404)
        self.assertEqual(counts(), before)

    def test_malformed_numbers_in_genuine_tokens_are_forged(self):
        later = int(time.time()) + 3600
        for n in ("0", "-1", "01", "1x", ""):
            r = SITE.get(VERIFY + "?t=" + craft("dsr-verify", later, n))
            self.assertEqual(r.status, 400, n)
            self.assertIn("not valid", r.text)


if __name__ == "__main__":
    unittest.main()
