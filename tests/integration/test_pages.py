"""What every form page does when something is to be fixed, the GOV.UK
way, through a real nginx: the title starts with "Error: ", the error
summary links each field's first control (a radio, never its fieldset),
and each message says what to do in the words of the page: "Enter ..."
for text, "Select ..." for a choice, the field named by its visible label,
and what is actually wrong.  Focus and scrolling, which need a browser,
are test_browser.py's.

And the pages nginx answers itself under /privacy/ (etc/nginx/
privforms.conf's error_page): our 404 for an address that names nothing,
our 50x for a program that cannot answer, while a program's own answers
pass through; test_apache.py checks the same through Apache."""

import os
import re
import unittest

from harness import Site, SRC, sqlite_only, teardown
from htmlpage import Page

UNSUB = "/privacy/unsubscribe"
DNC = "/privacy/do-not-call"
CHECK = DNC + "?check"
REQUEST = "/privacy/request"
FEEDBACK = "/privacy/feedback"
ARTICLE = FEEDBACK + "/article"
SITE = None

# A post of each form with its required fields left empty: (path, fields).
EMPTY = ((UNSUB, {}), (UNSUB, {"channel": "email"}),
         (UNSUB, {"channel": "sms"}), (DNC, {}), (CHECK, {}),
         (REQUEST, {}), (FEEDBACK, {}), (ARTICLE, {"article": "x"}))

# The page a form is shown on, where it is not the path it posts to.
SHOWN_AT = {ARTICLE: ARTICLE + "?article=x"}

# A phone number that cannot exist, for each form that asks for one.
BAD_PHONE = ((UNSUB, {"channel": "sms", "phone": "12"}, "phone"),
             (DNC, {"phone": "12", "country": "US"}, "phone"),
             (CHECK, {"check_phone": "12", "check_country": "US"},
              "check_phone"))


def setUpModule():
    global SITE
    # Mail configured: the data request form and the status check exist
    # only then.  Nothing is sent.
    SITE = Site(config={
        "mail_templates": os.path.join(SRC, "etc", "mail"),
        "mail_from": "Privacy Team <privacy@example.com>",
        "unsubscribe_confirmation": "yes"}).start()


def tearDownModule():
    teardown(SITE)


def posted(path, fields):
    r = SITE.post(path, fields)
    if r.status != 422:
        raise AssertionError("%s %s: %r" % (path, fields, r))
    return Page(r.text)


def first_control(page, name):
    return page.controls(name)[0]


def is_choice(control):
    return control.tag == "select" or \
        control.get("type") in ("radio", "checkbox")


class Errors(unittest.TestCase):
    def test_title_says_error_on_every_page_with_errors(self):
        for path, fields in EMPTY:
            shown = SHOWN_AT.get(path, path.split("?")[0])
            clean = Page(SITE.get(shown).text).title
            self.assertFalse(clean.startswith("Error"), clean)
            page = posted(path, fields)
            self.assertEqual(page.title, "Error: " + clean, (path, fields))

    def test_summary_links_go_to_a_control_that_takes_focus(self):
        for path, fields in EMPTY:
            page = posted(path, fields)
            [summary] = page.summaries()
            links = page.links(summary)
            self.assertEqual(len(links), len(page.errors()), (path, fields))
            for href, text in links:
                target = page.byid.get(href[1:])
                self.assertIsNotNone(target, href)
                self.assertIn(target.tag, ("input", "select", "textarea"),
                              (path, href))
                name = target.get("name")
                # The group's first control, and the message beside it.
                self.assertIs(target, first_control(page, name), href)
                self.assertEqual(page.errors()[name], text)

    def test_radio_group_link_is_its_first_radio(self):
        page = posted(REQUEST, {})
        links = dict(page.links(page.summaries()[0]))
        self.assertIn("#type-access", links)
        self.assertNotIn("#type", links)
        self.assertEqual(page.byid["type-access"].get("type"), "radio")

    def test_a_missing_choice_says_select_and_missing_text_enter(self):
        for path, fields in EMPTY:
            page = posted(path, fields)
            for name, message in page.errors().items():
                want = "Select " if is_choice(first_control(page, name)) \
                    else "Enter "
                self.assertTrue(message.startswith(want),
                                (path, name, message))

    def test_messages_name_the_field_by_its_visible_label(self):
        # A label that asks a question is answered ("Select how you know
        # us"); any other is named as the page writes it.
        for path, fields in EMPTY:
            page = posted(path, fields)
            for name, message in page.errors().items():
                label = page.label_of(first_control(page, name))
                label = label.replace("(optional)", "").strip()
                if label.endswith("?"):
                    continue
                self.assertIn(label.lower(), message.lower(),
                              (path, name, label))
        page = posted(CHECK, {})
        self.assertEqual(page.errors()["check_phone"],
                         "Enter the phone number to check.")

    def test_too_long_names_the_field(self):
        page = posted(REQUEST, {"last_name": "x" * 101})
        self.assertEqual(page.errors()["last_name"],
                         "Last name must be 100 characters or fewer.")

    def test_an_email_address_is_told_what_is_wrong_with_it(self):
        for typed, says in (("bad@", "domain after the @"),
                            ("bad", "with an @"),
                            ("@example.com", "before the @"),
                            ("bad@example", "with its dot"),
                            ("b ad@example.com", "without spaces")):
            page = posted(UNSUB, {"channel": "email", "email": typed})
            message = page.errors()["email"]
            self.assertIn(says, message, typed)
            if "spaces" not in says:
                self.assertNotIn("spaces", message, typed)
                self.assertNotIn("accented", message, typed)

    def test_phone_examples_in_hint_and_error_are_the_same(self):
        examples = re.compile(r"like (\(\d+\) [\d-]+|\+[\d ]+\d)")
        for path, fields, name in BAD_PHONE:
            page = posted(path, fields)
            hint = page.byid[name + "-hint"].text
            said = examples.findall(page.errors()[name])
            self.assertEqual(len(said), 2, page.errors()[name])
            self.assertEqual(examples.findall(hint), said, path)
        # And they are numbers the forms take.
        for number in said:
            r = SITE.post(DNC, {"phone": number, "country": "US"})
            self.assertEqual(r.status, 303, (number, r))


class UnsubscribeDone(unittest.TestCase):
    """The done page says which address or number was opted out (masked:
    only what the visitor typed) and whether a confirmation is on its way;
    the 303 carries it in a sealed token, never the address itself."""

    def done(self, fields):
        r = SITE.post(UNSUB, fields)
        self.assertEqual(r.status, 303, r)
        where = r.header("location")
        self.assertRegex(where, r"^/privacy/unsubscribe\?done=[\w.-]+$")
        page = SITE.get(where)
        self.assertEqual(page.status, 200, page)
        return where, page.text

    def said(self, text):
        page = Page(text)
        return " ".join(page.all("main")[0].text.split())

    def test_which_address_and_whether_a_confirmation_comes(self):
        where, text = self.done({"channel": "email", "confirm": "yes",
                                 "email": "jane.doe@example.com"})
        for secret in ("jane", "doe", "example"):
            self.assertNotIn(secret, where)
        said = self.said(text)
        self.assertIn("We have stopped our marketing emails to "
                      "j\u2026@example.com.", said)
        self.assertIn("A confirmation email is on its way to "
                      "j\u2026@example.com.", said)
        self.assertNotIn("jane.doe", text)
        _, text = self.done({"channel": "email", "email": "kim@example.org"})
        said = self.said(text)
        self.assertIn("emails to k\u2026@example.org.", said)
        self.assertIn("We are not sending a confirmation.", said)
        self.assertNotIn("on its way", said)

    def test_a_number_is_its_last_four_digits(self):
        where, text = self.done({"channel": "sms", "phone": "(303) 749-2155"})
        self.assertNotIn("2155", where)
        said = self.said(text)
        self.assertIn("text messages to \u20262155.", said)
        self.assertNotIn("749", said)

    def test_known_or_not_the_page_says_the_same(self):
        fields = {"channel": "email", "email": "twice@example.com"}
        _, first = self.done(fields)
        _, again = self.done(fields)
        self.assertEqual(self.said(first), self.said(again))

    def test_a_trapped_submission_is_answered_alike(self):
        before = SITE.count("optout")
        _, text = self.done({"channel": "email", "email": "bot@example.com",
                             "website": "http://spam.example/"})
        self.assertEqual(SITE.count("optout"), before)
        self.assertIn("emails to b\u2026@example.com.", self.said(text))

    def test_without_a_valid_token_the_page_says_less(self):
        for query in ("?done", "?done=", "?done=forged.token", "?done=x" * 300):
            r = SITE.get(UNSUB + query)
            self.assertEqual(r.status, 200, query)
            said = self.said(r.text)
            self.assertIn("Your request is recorded.", said)
            self.assertNotIn("@", said)
            self.assertNotIn("confirmation", said)


class ServerPages(unittest.TestCase):
    def assert_ours(self, r, status, title):
        self.assertEqual(r.status, status, r)
        page = Page(r.text)
        self.assertEqual(page.title, title + " \u2013 Privacy requests")
        self.assertEqual(page.all("h1")[0].text, title)
        self.assertEqual(page.all("html")[0].get("lang"), "en")
        self.assertIn('href="/privacy/static/privforms.css"', r.text)
        self.assertIn('<a href="/privacy/">', r.text)      # a way back
        self.assertEqual(r.header("content-type"), "text/html; charset=utf-8")
        self.assertIn("default-src 'none'",
                      r.header("content-security-policy"))
        self.assertEqual(r.header("x-content-type-options"), "nosniff")

    def test_a_mistyped_address_gets_our_404(self):
        for path in ("/privacy/nosuch", "/privacy/unsubscribe/nosuch",
                     "/privacy/unsubscribex", "/privacy/static/nosuch.css",
                     "/privacy/.errors/404.html", "/privacy/.errors/x"):
            with self.subTest(path=path):
                self.assert_ours(SITE.get(path), 404, "Page not found")

    def test_a_programs_own_answers_pass_through(self):
        r = SITE.get(REQUEST + "/nosuch")
        self.assertEqual(r.status, 404, r)
        self.assertIn("The form is at the address the privacy page links to",
                      r.text)
        # A message page's title ends as every page's does.
        self.assertEqual(Page(r.text).title,
                         "Page not found \u2013 Privacy requests")
        r = SITE.request("DELETE", UNSUB)
        self.assertEqual(Page(r.text).title,
                         "Method not allowed \u2013 Privacy requests")

    @sqlite_only("the busy lock: another writer holding the database file")
    def test_a_503_keeps_the_form_and_what_was_typed(self):
        r = SITE.post_locked(UNSUB, {"channel": "email",
                                     "email": "locked@example.com"})
        self.assertEqual(r.status, 503, r)
        self.assertIn('value="locked@example.com"', r.text)

    def test_a_program_that_cannot_answer_gets_our_50x(self):
        sock = SITE.socket_path("unsubscribe")
        os.rename(sock, sock + ".away")
        try:
            got = SITE.get(UNSUB), SITE.post(UNSUB, {"channel": "email"},
                                               stamp=False)
        finally:
            os.rename(sock + ".away", sock)
        for r in got:
            self.assert_ours(r, 502,
                             "Sorry, there is a problem with the service")
        self.assertEqual(SITE.get(UNSUB).status, 200)


if __name__ == "__main__":
    unittest.main()
