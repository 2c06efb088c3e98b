"""Site feedback on the web: both steps of /privacy/feedback through a real
nginx, Back, an abandoned step 2, the step-2 token and everything that must
not work with it (forged, another purpose's, expired, an entry completed or
gone), forwarding to the team through a real SMTP server, article votes and
their de-duplication, hostile input, a GET that would change something, a
locked database."""

import os
import re
import sqlite3
import time
import unittest
import urllib.parse

from harness import (Site, SRC, cgi_status, sqlite_only, fcgi_request, stamp_of,
                     token_craft, token_open, mail_config, teardown, address,
                     FormTest)
from htmlpage import Page
from smtp_server import Server

FORM = "/privacy/feedback"
STEP2 = FORM + "?step=2"
DONE = FORM + "?done"
ARTICLE = FORM + "/article"
THANKS = ARTICLE + "?thanks"
TEAM = "feedback-team@example.com"
SITE = None     # mail and a team address: feedback is forwarded
PLAIN = None    # mail, but no feedback_to: nothing is forwarded
SMTP = None

TYPES = {
    "compliment": "Compliment",
    "question": "Question",
    "product-inquiry": "Product inquiry",
    "website-issue": "Website issue",
    "complaint": "Complaint",
}
RATINGS = ("terrible", "bad", "okay", "great", "amazing")


def setUpModule():
    global SITE, PLAIN, SMTP
    SMTP = Server().start()
    SITE = Site(config=mail_config(SMTP, busy_timeout_ms="300",
                                   feedback_to=TEAM, max_body="65536",
                                   article_vote_window_hours="2")).start()
    PLAIN = Site(config=mail_config(SMTP, busy_timeout_ms="300")).start()


def tearDownModule():
    teardown(SITE, PLAIN, SMTP)


def step1(site=None, **extra):
    f = {"type": "compliment", "message": "Nice site", "rating": "great"}
    f.update(extra)
    return (site or SITE).post(FORM, {k: v for k, v in f.items()
                                      if v is not None})


def token(location):
    """The step-2 token of a 303 to step 2."""
    m = re.fullmatch(r"/privacy/feedback\?t=([A-Za-z0-9_.-]+)", location)
    if m is None:
        raise AssertionError("not a step-2 location: %r" % location)
    return m.group(1)


def started(site=None, **extra):
    """Post step 1; return the step-2 token."""
    r = step1(site, **extra)
    if r.status != 303:
        raise AssertionError(r)
    return token(r.header("location"))


def step2(t, site=None, **extra):
    f = {"t": t}
    f.update(extra)
    return (site or SITE).post(STEP2, {k: v for k, v in f.items()
                                       if v is not None})


COLUMNS = ("id", "type", "message", "rating", "email", "email_key",
           "recommend", "created", "completed", "updated")


def entries(site=None):
    rows = (site or SITE).query("SELECT %s FROM feedback ORDER BY id"
                                % ", ".join(COLUMNS))
    return [dict(zip(COLUMNS, r)) for r in rows]


def last_entry(site=None):
    return entries(site)[-1]


def counts(site=None):
    s = site or SITE
    return tuple(s.count(t) for t in ("feedback", "article_vote", "outbox",
                                      "audit"))


def records(event, site=None):
    """The audit records of event, oldest first, as dicts of details."""
    out = []
    for (xml,) in (site or SITE).query(
            "SELECT xml FROM audit WHERE event = ? ORDER BY seq", (event,)):
        xml = xml.decode() if isinstance(xml, bytes) else xml
        d = dict(re.findall(r'<detail name="([^"]+)">([^<]*)</detail>', xml))
        m = re.search(r"<subject>([^<]*)</subject>", xml)
        d["_subject"] = m.group(1) if m else None
        d["_xml"] = xml
        out.append(d)
    return out


def send_mail(site=None):
    """Send what is queued; return the messages the server received."""
    return (site or SITE).send_mail(SMTP)


def forwarded():
    return [m for m in send_mail() if m["To"] == TEAM]


def body_of(m):
    return m.get_content().replace("\r\n", "\n")


def vote(article="reset-password", helpful="yes", headers=None, **extra):
    f = {"article": article, "helpful": helpful}
    f.update(extra)
    body = urllib.parse.urlencode({k: v for k, v in f.items()
                                   if v is not None})
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    h.update(headers or {})
    return SITE.request("POST", ARTICLE, body=body.encode(), headers=h)


def votes(article):
    rows = SITE.query("SELECT id, helpful, comment, client, created, updated "
                      "FROM article_vote WHERE article = ? ORDER BY id",
                      (article,))
    keys = ("id", "helpful", "comment", "client", "created", "updated")
    return [dict(zip(keys, r)) for r in rows]


def checked(text, name, value):
    return re.search(r'<input[^>]*name="%s"[^>]*value="%s"[^>]*checked'
                     % (name, re.escape(value)), text) is not None


def hidden(text, name):
    m = re.search(r'<input type="hidden" name="%s" value="([^"]*)"' % name,
                  text)
    return m.group(1) if m else None


# ---- tokens made here with the site's key, to test what only time makes ----

def craft(purpose, expires, *fields_, site=None):
    """A genuine token (token.h) signed with the site's key."""
    return token_craft(site or SITE, purpose, expires, *fields_)


def opened(t):
    """Decrypt token t (made by the site): purpose, expiry, fields."""
    return token_open(SITE, t)


def step_token(entry_id, expires, email_="", recommend=""):
    return craft("feedback-step", expires, str(entry_id), email_, recommend)


class Pages(unittest.TestCase):
    def test_hub_links_the_form(self):
        r = SITE.get("/privacy/")
        self.assertIn('href="/privacy/feedback"', r.text)
        self.assertNotIn("Coming soon", r.text)

    def test_step1_has_the_type_message_and_rating(self):
        r = SITE.get(FORM)
        self.assertEqual(r.status, 200, r)
        self.assertIn("Step 1 of 2", r.text)
        for code, label in TYPES.items():
            self.assertRegex(r.text, r'<input type="radio" id="type-%s" '
                             r'name="type" value="%s"\s*/>\s*<label for="type-%s">'
                             r'%s</label>' % (code, code, code, label))
        self.assertIn("What's on your mind?", r.text)
        self.assertRegex(r.text, r'<textarea[^>]*name="message"')
        self.assertIn("Rate your experience with our website", r.text)
        self.assertEqual(re.findall(r'name="rating" value="(\w+)"', r.text),
                         list(RATINGS))
        self.assertRegex(r.text, r'<button type="submit"[^>]*>Next</button>')

    def test_step1_labels_are_the_labels_the_team_reads(self):
        # The forwarded mail names type and rating by feedback.h's labels:
        # the page must use the same words.
        send_mail()
        page = SITE.get(FORM).text
        for (code, label), rating in zip(TYPES.items(), RATINGS):
            rlabel = re.search(r'for="rating-%s">([^<]+)<' % rating,
                               page).group(1)
            t = started(type=code, rating=rating)
            step2(t, email=address("label"))
            body = body_of(forwarded()[-1])
            self.assertIn("Type:       %s\n" % label, body)
            self.assertIn("Rating:     %s\n" % rlabel, body)

    def test_step2_asks_email_and_recommend_with_submit_first(self):
        r = SITE.get(FORM + "?t=" + started())
        self.assertEqual(r.status, 200, r)
        self.assertIn("Step 2 of 2", r.text)
        self.assertIn("in case we need to get in touch", r.text.lower())
        self.assertIn("How likely are you to recommend our website to a "
                      "colleague?", r.text)
        self.assertEqual(re.findall(r'name="recommend" value="(\d+)"', r.text),
                         [str(i) for i in range(11)])
        # Each point is its number; the hint says what the ends mean,
        # for the whole group (test_browser.py sees it as a scale).
        self.assertRegex(r.text, r'for="recommend-0">0</label>')
        self.assertRegex(r.text, r'for="recommend-10">10</label>')
        self.assertRegex(r.text, r'aria-describedby="recommend-hint ')
        self.assertRegex(r.text, r'id="recommend-hint">From 0, not at all '
                         r'likely, to 10, extremely likely')
        self.assertIn('action="/privacy/feedback?step=2"', r.text)
        buttons = re.findall(r'<button type="submit" name="action" '
                             r'value="(\w+)"', r.text)
        self.assertEqual(buttons, ["submit", "back"])

    def test_done_page(self):
        r = SITE.get(DONE)
        self.assertEqual(r.status, 200)
        self.assertIn("Feedback received!", r.text)
        self.assertIn("Thanks for taking a minute to tell us what you think.",
                      r.text)

    def test_other_sub_paths_are_404_and_methods_405(self):
        for path in (FORM + "/", FORM + "/other", ARTICLE + "/x",
                     FORM + "/article/"):
            self.assertEqual(SITE.get(path).status, 404, path)
        for method in ("PUT", "DELETE", "OPTIONS"):
            r = SITE.request(method, FORM)
            self.assertEqual(r.status, 405, method)
            self.assertIn("POST", r.header("allow"))

    def test_pages_are_not_cached(self):
        for path in (FORM, FORM + "?t=" + started(), DONE):
            self.assertIn("no-store", SITE.get(path).header("cache-control"))


class Flow(unittest.TestCase):
    def test_both_steps(self):
        to = address("both")
        r = step1(type="question", message="Where is\r\nthe price list?",
                  rating="okay")
        self.assertEqual(r.status, 303, r)
        t = token(r.header("location"))
        e = last_entry()
        self.assertEqual((e["type"], e["message"], e["rating"], e["email"],
                          e["recommend"], e["completed"]),
                         ("question", "Where is\nthe price list?", 3, None,
                          None, None))
        [rec] = [x for x in records("feedback-received")
                 if x["feedback"] == str(e["id"])]
        self.assertEqual((rec["type"], rec["rating"], rec["_subject"]),
                         ("question", "okay", None))
        r = SITE.get(FORM + "?t=" + t)
        self.assertEqual(r.status, 200)
        self.assertEqual(hidden(r.text, "t"), t)
        r = step2(t, email=" %s " % to.replace("example.com", "Example.COM"),
                  recommend="9", action="submit")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("location"), DONE)
        e = last_entry()
        self.assertEqual((e["email"], e["email_key"], e["recommend"]),
                         (to, to, 9))
        self.assertIsNotNone(e["completed"])
        [rec] = [x for x in records("feedback-completed")
                 if x["feedback"] == str(e["id"])]
        pseudonym = SITE.privforms("pseudonym", "--email", to).stdout.strip()
        self.assertEqual((rec["email"], rec["recommend"], rec["_subject"]),
                         ("given", "9", pseudonym))
        self.assertNotIn(to, rec["_xml"])
        self.assertNotIn("price list", rec["_xml"])

    def test_enter_submits_without_an_action(self):
        t = started()
        r = step2(t, recommend="0")
        self.assertEqual(r.header("location"), DONE)
        e = last_entry()
        self.assertEqual((e["email"], e["recommend"]), (None, 0))
        rec = records("feedback-completed")[-1]
        self.assertEqual((rec["email"], rec["recommend"], rec["_subject"]),
                         ("none", "0", None))

    def test_step2_with_nothing_completes_the_entry(self):
        t = started()
        self.assertEqual(step2(t).status, 303)
        e = last_entry()
        self.assertEqual((e["email"], e["recommend"]), (None, None))
        self.assertIsNotNone(e["completed"])
        self.assertEqual(records("feedback-completed")[-1]["recommend"],
                         "none")

    def test_every_type_and_rating_is_stored(self):
        for i, code in enumerate(RATINGS):
            for t in TYPES:
                self.assertEqual(step1(type=t, rating=code).status, 303)
                e = last_entry()
                self.assertEqual((e["type"], e["rating"]), (t, i + 1))

    def test_abandoned_step2_keeps_the_rating(self):
        started(type="website-issue", rating="terrible", message=None)
        e = last_entry()
        self.assertEqual((e["type"], e["rating"], e["message"],
                          e["completed"]), ("website-issue", 1, None, None))

    def test_back_keeps_both_steps_typing(self):
        t = started(type="question", message="First <words>", rating="great")
        e = last_entry()
        before = counts()
        r = step2(t, email="typed@example.com", recommend="7", action="back")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(counts(), before)
        self.assertIn("Step 1 of 2", r.text)
        self.assertTrue(checked(r.text, "type", "question"))
        self.assertTrue(checked(r.text, "rating", "great"))
        self.assertIn("First &lt;words&gt;</textarea>", r.text)
        self.assertEqual(hidden(r.text, "t"), t)
        self.assertEqual(hidden(r.text, "email"), "typed@example.com")
        self.assertEqual(hidden(r.text, "recommend"), "7")
        # Next, with step 1 changed: the same entry, revised.
        r = step1(type="complaint", message="Second", rating="bad",
                  t=t, email="typed@example.com", recommend="7")
        self.assertEqual(r.status, 303, r)
        t2 = token(r.header("location"))
        self.assertEqual(len(entries()), before[0])
        e2 = last_entry()
        self.assertEqual((e2["id"], e2["type"], e2["message"], e2["rating"],
                          e2["created"]),
                         (e["id"], "complaint", "Second", 2, e["created"]))
        rec = records("feedback-revised")[-1]
        self.assertEqual((rec["feedback"], rec["type"], rec["rating"]),
                         (str(e["id"]), "complaint", "bad"))
        # Step 2 again shows what was typed there before Back.
        r = SITE.get(FORM + "?t=" + t2)
        self.assertRegex(r.text, r'name="email"[^>]*value="typed@example.com"')
        self.assertTrue(checked(r.text, "recommend", "7"))
        self.assertEqual(step2(t2, email="typed@example.com",
                               recommend="7").status, 303)
        self.assertEqual(last_entry()["recommend"], 7)

    def test_back_then_next_with_the_back_pages_own_stamp(self):
        # What a browser does: Next sends the step-1 page that Back showed,
        # stamp included.  That page must carry a usable one (issue 27.1).
        t = started(type="question")
        r = step2(t, email="kept@example.com", action="back")
        self.assertEqual(r.status, 200, r)
        s = stamp_of(r.text)
        self.assertTrue(s, "the step-1 page of Back carries no stamp")
        r = SITE.post(FORM, {"type": "complaint", "rating": "okay", "t": t,
                             "email": "kept@example.com", "pf_stamp": s})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(last_entry()["type"], "complaint")
        forwarded()

    def test_back_carries_a_bad_address_as_typed_and_step2_refuses_it(self):
        t = started()
        r = step2(t, email="not an address", action="back")
        self.assertEqual(hidden(r.text, "email"), "not an address")
        r = step1(t=t, email="not an address")
        r = SITE.get(r.header("location"))
        self.assertRegex(r.text, r'name="email"[^>]*value="not an address"')
        r = step2(token_of_page(r.text), email="not an address")
        self.assertEqual(r.status, 422)

    def test_back_on_a_completed_entry_shows_done(self):
        t = started()
        self.assertEqual(step2(t).status, 303)
        before = counts()
        r = step2(t, action="back")
        self.assertEqual(r.status, 200)
        self.assertIn("Feedback received!", r.text)
        self.assertEqual(counts(), before)

    def test_completed_twice_changes_nothing_and_mails_nothing(self):
        send_mail()
        t = started(type="complaint")
        to = address("twice")
        self.assertEqual(step2(t, email=to, recommend="3").status, 303)
        self.assertEqual(len(forwarded()), 2)
        e = last_entry()
        before = counts()
        r = step2(t, email=address("other"), recommend="10")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("location"), DONE)
        self.assertEqual(counts(), before)
        self.assertEqual(last_entry(), e)
        self.assertEqual(forwarded(), [])
        # Its step-2 page is the done page now.
        r = SITE.get(FORM + "?t=" + t)
        self.assertEqual(r.status, 200)
        self.assertIn("Feedback received!", r.text)

    def test_step1_with_the_token_of_a_completed_entry_is_a_new_entry(self):
        t = started()
        step2(t)
        done = last_entry()
        r = step1(t=t, type="question")
        self.assertEqual(r.status, 303)
        new = last_entry()
        self.assertGreater(new["id"], done["id"])
        self.assertEqual(new["type"], "question")
        self.assertEqual(entries()[-2], done)

    def test_step1_with_an_expired_token_is_a_new_entry(self):
        started(type="question")
        old = last_entry()
        t = step_token(old["id"], int(time.time()) - 10)
        self.assertEqual(step1(t=t, type="complaint").status, 303)
        self.assertEqual(entries()[-2], old)
        self.assertEqual(last_entry()["type"], "complaint")
        forwarded()

    def test_step1_with_the_token_of_a_vanished_entry_is_a_new_entry(self):
        t = step_token(987654321, int(time.time()) + 3600)
        n = len(entries())
        self.assertEqual(step1(t=t).status, 303)
        self.assertEqual(len(entries()), n + 1)

    def test_a_revision_keeps_the_first_tokens_expiry(self):
        # Back and Next again must not renew the token (issue 26 item 2).
        started()
        e = last_entry()
        first = int(time.time()) + 600
        t = step_token(e["id"], first)
        for _ in range(2):
            r = step1(t=t, type="question")
            self.assertEqual(r.status, 303, r)
            t = token(r.header("location"))
            self.assertEqual(opened(t)[1], first)
        self.assertEqual(last_entry()["id"], e["id"])
        # A new entry gets a whole feedback_step_hours.
        now = time.time()
        _, expires, _ = opened(started())
        self.assertAlmostEqual(expires, now + 24 * 3600, delta=30)

    def test_the_token_seals_the_entry_and_typing_for_feedback_step_hours(self):
        to = address("sealed")
        t = started()
        e = last_entry()
        now = time.time()
        r = step1(t=t, email=to, recommend="9")
        t2 = token(r.header("location"))
        self.assertNotIn(to.split("@")[0], t2)
        purpose, expires, fields_ = opened(t2)
        self.assertEqual(purpose, "feedback-step")
        self.assertAlmostEqual(expires, now + 24 * 3600, delta=30)
        # ... and the language step 1 was shown in, for step 2's page.
        self.assertEqual(fields_, [str(e["id"]), to, "9", "en"])


def token_of_page(text):
    t = hidden(text, "t")
    if not t:
        raise AssertionError("no t in the page")
    return t


class Tokens(unittest.TestCase):
    def forged(self):
        t = started()
        e = last_entry()
        later = int(time.time()) + 3600
        return e, t, [
            t[:-2] + ("AA" if t[-2:] != "AA" else "BB"), t[:10], "x",
            t.replace(".", ""), t + ".",
            craft("dsr-status", later, str(e["id"])),
            craft("dsr-verify", later, str(e["id"])),
            craft("feedback-step", later, "0", "", ""),
            craft("feedback-step", later, "01", "", ""),
            craft("feedback-step", later, "x", "", ""),
        ]

    def test_forged_tokens_are_400_and_change_nothing(self):
        e, good, bad = self.forged()
        before = counts()
        for t in bad:
            r = SITE.get(FORM + "?t=" + urllib.parse.quote(t))
            self.assertEqual(r.status, 400, t)
            self.assertIn("not valid", r.text)
            r = step2(t, email=address(), recommend="5")
            self.assertEqual(r.status, 400, t)
            self.assertIn("not valid", r.text)
            self.assertEqual(step2(t, action="back").status, 400, t)
            r = step1(t=t)
            self.assertEqual(r.status, 400, t)
            self.assertIn("not valid", r.text)
        for path in (FORM + "?t=", FORM + "?t"):
            self.assertEqual(SITE.get(path).status, 400, path)
        self.assertEqual(SITE.post(STEP2, {}).status, 400)
        self.assertEqual(SITE.post(STEP2, {"t": "x\x01y"}).status, 400)
        self.assertEqual(step1(t="x\x01y").status, 400)
        self.assertEqual(counts(), before)
        self.assertEqual(last_entry(), e)

    def test_a_token_in_the_query_of_a_post_is_not_enough(self):
        t = started()
        r = SITE.post(STEP2 + "&t=" + t, {"recommend": "4"})
        self.assertEqual(r.status, 400)
        self.assertIsNone(last_entry()["completed"])

    def test_expired_tokens_say_the_rating_was_kept(self):
        started(rating="amazing")
        e = last_entry()
        t = step_token(e["id"], int(time.time()) - 10)
        before = counts()
        for r in (SITE.get(FORM + "?t=" + t),
                  step2(t, email=address(), recommend="8"),
                  step2(t, action="back")):
            self.assertEqual(r.status, 400)
            self.assertIn("expired", r.text)
            self.assertIn("rating was kept", r.text)
            self.assertIn("start again", r.text)
        self.assertEqual(counts(), before)
        self.assertEqual(last_entry(), e)
        # The same token a little later in time works: the key is right.
        t = step_token(e["id"], int(time.time()) + 3600, "kept@example.com",
                       "6")
        r = SITE.get(FORM + "?t=" + t)
        self.assertEqual(r.status, 200)
        self.assertRegex(r.text, r'name="email"[^>]*value="kept@example.com"')
        self.assertTrue(checked(r.text, "recommend", "6"))

    def test_a_token_of_an_entry_that_is_gone(self):
        t = step_token(987654321, int(time.time()) + 3600)
        before = counts()
        for r in (SITE.get(FORM + "?t=" + t), step2(t, recommend="5"),
                  step2(t, action="back")):
            self.assertEqual(r.status, 400)
            self.assertIn("start again", r.text)
        self.assertEqual(counts(), before)


class Errors(FormTest):
    def stored(self):
        return counts()

    def test_each_required_field_is_asked_for_and_the_rest_kept(self):
        for name in ("type", "rating"):
            r = self.assert_nothing_stored(
                lambda: step1(message="Kept words", **{name: None}))
            self.assert_error(r, name)
            self.assertRegex(r.text, r'<li><a href="#%s(-[\w-]+)?">' % name)
            self.assertIn("Kept words</textarea>", r.text)
            self.assertEqual(len(re.findall(r'id="error-\w+">[^<]', r.text)),
                             1, name)
        r = self.assert_nothing_stored(lambda: SITE.post(FORM, {}))
        self.assert_error(r, "type")
        self.assert_error(r, "rating")

    def test_step1_errors_keep_the_carried_fields(self):
        t = started()
        r = self.assert_nothing_stored(lambda: step1(
            t=t, email="kept@example.com", recommend="4", rating=None))
        self.assert_error(r, "rating")
        self.assertEqual(hidden(r.text, "t"), t)
        self.assertEqual(hidden(r.text, "email"), "kept@example.com")
        self.assertEqual(hidden(r.text, "recommend"), "4")

    def test_unknown_choices_are_refused(self):
        for name, bad in (("type", "Compliment"), ("type", "praise"),
                          ("type", "complaint "), ("rating", "Great"),
                          ("rating", "4"), ("rating", "superb")):
            r = self.assert_nothing_stored(lambda: step1(**{name: bad}))
            self.assert_error(r, name)

    def test_message_length_at_its_limit_passes_one_more_is_refused(self):
        r = self.assert_nothing_stored(lambda: step1(message="x" * 5001))
        self.assert_error(r, "message")
        self.assertIn("x" * 5001, r.text)
        self.assertEqual(step1(message="é" * 5000).status, 303)
        self.assertEqual(last_entry()["message"], "é" * 5000)

    def test_step2_errors_keep_the_values_and_the_token(self):
        t = started()
        e = last_entry()
        for fields, name in (({"email": "no-at-sign", "recommend": "5"},
                              "email"),
                             ({"email": "a@b"}, "email"),
                             ({"email": "x@example.com\r\nBcc: e@example.com"},
                              "email"),
                             ({"email": "e" * 250 + "@example.com"}, "email"),
                             ({"recommend": "11"}, "recommend"),
                             ({"recommend": "-1"}, "recommend"),
                             ({"recommend": "07"}, "recommend"),
                             ({"recommend": "ten"}, "recommend")):
            r = self.assert_nothing_stored(lambda: step2(t, **fields))
            self.assert_error(r, name)
            self.assertIn("Step 2 of 2", r.text)
            self.assertEqual(hidden(r.text, "t"), t)
            if fields.get("recommend") == "5":
                self.assertTrue(checked(r.text, "recommend", "5"))
        self.assertEqual(last_entry(), e)

    def test_markup_comes_back_escaped(self):
        evil = '<script>alert(1)</script>"\'&'
        r = self.assert_nothing_stored(lambda: SITE.post(FORM, {
            "type": evil, "message": evil, "rating": evil,
            "email": evil, "recommend": evil}))
        self.assertEqual(r.status, 422)
        self.assertNotIn("<script>alert", r.text)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", r.text)
        t = started()
        r = self.assert_nothing_stored(lambda: step2(t, email=evil,
                                                     recommend=evil))
        self.assertEqual(r.status, 422)
        self.assertNotIn("<script>alert", r.text)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", r.text)
        r = step2(t, email=evil, recommend=evil, action="back")
        self.assertNotIn("<script>alert", r.text)

    def test_markup_is_stored_as_text(self):
        self.assertEqual(step1(message="a & b < c <b>x</b>").status, 303)
        self.assertEqual(last_entry()["message"], "a & b < c <b>x</b>")

    def test_hostile_bytes_are_refused_and_never_reflected(self):
        for raw in (b"%ff%fe", b"Hi%00x", b"Hi%0d%0aBcc:x%1b", b"%1b[31mHi",
                    b"%ef%bf%bf", b"%c0%afHi", b"%ed%a0%80"):
            body = b"type=compliment&rating=great&message=" + raw
            r = self.assert_nothing_stored(lambda: SITE.post(FORM, body))
            self.assert_error(r, "message")
            self.assertNotIn("\x1b", r.text)
            self.assertNotIn("\ufffd", r.text)
            t = started()
            body = b"t=" + t.encode() + b"&email=" + raw
            r = self.assert_nothing_stored(lambda: SITE.post(STEP2, body))
            self.assert_error(r, "email")
            self.assertNotIn("Bcc:", r.text)
            self.assertNotIn("\x1b", r.text)

    def test_hostile_carried_typing_is_dropped(self):
        t = started()
        body = ("action=back&t=%s&email=a%%0d%%0aBcc:%%20x&recommend=%%ff"
                % t).encode()
        r = SITE.post(STEP2, body)
        self.assertEqual(r.status, 200)
        self.assertEqual(hidden(r.text, "email"), "")
        self.assertEqual(hidden(r.text, "recommend"), "")
        # Every step 1 is screened (guard.h): a raw body carries the stamp.
        body = ("type=question&rating=bad&t=%s&email=a%%00b&recommend=%%1b"
                "&pf_stamp=%s" % (t, SITE.stamp(FORM))).encode()
        r = SITE.post(FORM, body)
        self.assertEqual(r.status, 303)
        r = SITE.get(r.header("location"))
        self.assertNotRegex(r.text, r'name="email"[^>]*value="[^"]')
        self.assertFalse(re.search(r'name="recommend"[^>]*checked', r.text))
        # Typing too long for step 2 is dropped, never a broken token.
        r = step1(t=t, email="é" * 255 + "@example.com", recommend="100")
        self.assertEqual(r.status, 303, r)
        r = SITE.get(r.header("location"))
        self.assertEqual(r.status, 200)
        self.assertNotRegex(r.text, r'name="email"[^>]*value="[^"]')
        self.assertFalse(re.search(r'name="recommend"[^>]*checked', r.text))
        r = step1(t=t, email="é" * 240 + "@example.com", recommend="10")
        r = SITE.get(r.header("location"))
        self.assertIn('value="%s@example.com"' % ("é" * 240), r.text)
        self.assertTrue(checked(r.text, "recommend", "10"))

    def test_oversized_bodies_are_413(self):
        big = "m" * 70000
        t = started()
        for path, fields in ((FORM, {"type": "question", "rating": "bad",
                                     "message": big}),
                             (STEP2, {"t": t, "email": big}),
                             (ARTICLE, {"article": "a", "helpful": "yes",
                                        "comment": big})):
            r = self.assert_nothing_stored(lambda: SITE.post(path, fields))
            self.assertEqual(r.status, 413, path)

    def test_bad_percent_encoding_content_type_and_query(self):
        r = self.assert_nothing_stored(
            lambda: SITE.post(FORM, b"type=question&rating=%zz"))
        self.assertEqual(r.status, 400)
        r = self.assert_nothing_stored(lambda: SITE.post(
            FORM, "type=question&rating=bad", content_type="text/plain"))
        self.assertEqual(r.status, 415)
        r = self.assert_nothing_stored(lambda: SITE.post(
            ARTICLE, "article=a&helpful=yes", content_type="text/plain"))
        self.assertEqual(r.status, 415)
        self.assertEqual(SITE.get(FORM + "?%zz").status, 400)
        r = self.assert_nothing_stored(
            lambda: SITE.post(FORM, b"type=question&type=complaint&"
                              b"rating=bad"))
        self.assertEqual(r.status, 400)

    def test_get_never_changes_state(self):
        t = started()
        e = last_entry()
        before = counts()
        q = urllib.parse.urlencode({"type": "complaint", "rating": "bad",
                                    "message": "m", "email": address(),
                                    "recommend": "3", "action": "submit",
                                    "article": "get-article",
                                    "helpful": "no"})
        for path in (FORM + "?" + q, FORM + "?step=2&t=%s&%s" % (t, q),
                     FORM + "?t=%s&%s" % (t, q), DONE + "&" + q,
                     ARTICLE + "?" + q, THANKS + "&" + q):
            self.assertIn(SITE.get(path).status, (200, 400), path)
            SITE.request("HEAD", path)
        self.assertEqual(counts(), before)
        self.assertEqual(last_entry(), e)
        self.assertEqual(votes("get-article"), [])


class Forwarding(unittest.TestCase):
    def setUp(self):
        send_mail()

    def test_a_complaint_is_forwarded_at_step1_even_if_step2_is_abandoned(self):
        started(type="complaint", rating="terrible",
                message="The checkout\nbroke twice.")
        e = last_entry()
        [m] = forwarded()
        self.assertEqual(m["Subject"],
                         "Site feedback %d: Complaint, rated Terrible" % e["id"])
        body = body_of(m)
        for text in ("Complaint", "Terrible", "The checkout\nbroke twice.",
                     "Step 2 not sent (yet)", "not answered", "none left",
                     "http://127.0.0.1:%d/privacy/" % SITE.port):
            self.assertIn(text, body)
        # Named by the entry (an erasure finds it once an address is left).
        [(subject,)] = SITE.query("SELECT subject FROM outbox WHERE template"
                                  " = 'feedback-forward' ORDER BY id DESC "
                                  "LIMIT 1")
        self.assertRegex(subject, "^[0-9a-f]{64}$")

    def test_an_entry_with_an_email_is_forwarded_at_step2(self):
        to = address("reply")
        t = started(type="question", rating="okay", message="How?")
        self.assertEqual(forwarded(), [])
        self.assertEqual(step2(t, email=to, recommend="8").status, 303)
        [m] = forwarded()
        body = body_of(m)
        for text in (to, "8 of 10", "Both steps sent", "Question", "Okay",
                     "How?"):
            self.assertIn(text, body)
        pseudonym = SITE.privforms("pseudonym", "--email", to).stdout.strip()
        [row] = SITE.query("SELECT subject FROM outbox WHERE template = "
                           "'feedback-forward' ORDER BY id DESC LIMIT 1")
        self.assertEqual(row, (pseudonym,))

    def test_a_complaint_with_an_email_is_forwarded_at_both_steps(self):
        to = address("both-steps")
        t = started(type="complaint")
        self.assertEqual(len(forwarded()), 1)
        step2(t, email=to)
        [m] = forwarded()
        self.assertIn(to, m.get_content())

    def test_a_complaint_without_an_email_is_forwarded_once(self):
        t = started(type="complaint")
        self.assertEqual(len(forwarded()), 1)
        step2(t, recommend="2")
        self.assertEqual(forwarded(), [])

    def test_a_revision_that_makes_a_complaint_is_forwarded_once(self):
        t = started(type="question")
        self.assertEqual(forwarded(), [])
        r = step1(t=t, type="complaint")
        self.assertEqual(len(forwarded()), 1)
        step1(t=token(r.header("location")), type="complaint", rating="bad")
        self.assertEqual(forwarded(), [])

    def test_back_and_forth_through_the_types_forwards_a_complaint_once(self):
        r = step1(type="complaint")
        self.assertEqual(len(forwarded()), 1)
        for kind in ("compliment", "complaint", "question", "complaint"):
            r = step1(t=token(r.header("location")), type=kind)
            self.assertEqual(r.status, 303)
        self.assertEqual(forwarded(), [])
        self.assertEqual(last_entry()["type"], "complaint")

    def test_nothing_for_a_compliment_without_email(self):
        before = SITE.count("outbox")
        t = started(type="compliment")
        step2(t, recommend="10")
        self.assertEqual(SITE.count("outbox"), before)
        self.assertEqual(forwarded(), [])

    def test_nothing_without_feedback_to(self):
        t = started(site=PLAIN, type="complaint")
        step2(t, site=PLAIN, email=address("plain"))
        self.assertEqual(PLAIN.count("outbox"), 0)
        self.assertIsNotNone(last_entry(PLAIN)["completed"])

    def test_cr_lf_never_reaches_a_header(self):
        started(type="complaint",
                message="line\r\nBcc: evil@example.com\r\nSubject: evil")
        r = step2(started(type="complaint"),
                  email="x@example.com\r\nBcc: evil@example.com")
        self.assertEqual(r.status, 422)
        msgs = forwarded()
        self.assertEqual(len(msgs), 2)
        for m in SMTP.messages:
            head = m.data.split(b"\r\n\r\n", 1)[0]
            self.assertNotIn(b"evil", head)
            self.assertFalse([a for a in m.rcpt_tos if "evil" in a])
        self.assertIn("line\nBcc: evil@example.com", body_of(msgs[0]))


class Votes(unittest.TestCase):
    def test_vote_page(self):
        r = SITE.get(ARTICLE + "?article=reset-password")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(hidden(r.text, "article"), "reset-password")
        page = Page(r.text)
        # The question names the article, and comes before the comment.
        [h1] = page.all("h1")
        self.assertEqual(h1.text, "Did the article \u201creset-password\u201d "
                         "solve your issue?")
        self.assertEqual(page.label_of(page.controls("helpful")[0]), h1.text)
        order = [(e.get("name"), e.get("value")) for e in page.all()
                 if e.tag in ("input", "textarea") and
                 e.get("name") in ("helpful", "comment")]
        self.assertEqual(order, [("helpful", "yes"), ("helpful", "no"),
                                 ("comment", None)])
        self.assertEqual([e.get("type") for e in page.controls("helpful")],
                         ["radio", "radio"])
        self.assertIn('action="/privacy/feedback/article"', r.text)
        for q in ("", "?article=", "?article=a%20b", "?article=" + "a" * 65,
                  "?article=%3Cb%3E", "?article=a%00b"):
            r = SITE.get(ARTICLE + q)
            self.assertEqual(r.status, 400, q)
            self.assertNotIn("<b>", r.text)

    def test_snippet_posts_the_same_fields(self):
        with open(os.path.join(SRC, "htdocs", "snippets",
                               "article-vote.html")) as f:
            snippet = f.read()
        self.assertIn('action="/privacy/feedback/article"', snippet)
        self.assertIn('name="article"', snippet)
        self.assertEqual(re.findall(r'name="helpful" value="(\w+)"', snippet),
                         ["yes", "no"])
        # Yes or no first, then the comment, as on the vote page.
        self.assertLess(snippet.index('name="helpful"'),
                        snippet.index('name="comment"'))
        self.assertIn("Did this article solve your issue?", snippet)

    def test_snippet_in_each_language_is_html_to_paste(self):
        """htdocs/snippets/NAME/article-vote.html (po/i18n.mk): the same
        form in the language's words, HTML an HTML parser reads as written
        (the textarea closed, no XML declaration), marked with its lang."""
        langs = sorted(os.path.splitext(f)[0].replace("_", "-")
                       for f in os.listdir(os.path.join(SRC, "po"))
                       if f.endswith(".po"))
        self.assertIn("de", langs)
        source = open(os.path.join(SRC, "htdocs", "snippets",
                                   "article-vote.html")).read()
        for tag in langs:
            path = os.path.join(SRC, "htdocs", "snippets",
                                tag.replace("-", "_"), "article-vote.html")
            with open(path, encoding="utf-8") as f:
                snippet = f.read()
            self.assertTrue(snippet.startswith("<!--"), tag)
            self.assertNotIn("<?xml", snippet, tag)
            self.assertNotIn("/>", snippet[snippet.index("<form"):], tag)
            self.assertRegex(snippet, r'<textarea [^>]*></textarea>')
            self.assertIn('<form class="article-vote" method="post" '
                          'action="/privacy/feedback/article" lang="%s">'
                          % tag, snippet)
            self.assertEqual(
                re.findall(r'name="(\w+)"(?: value="(\w*)")?', snippet),
                re.findall(r'name="(\w+)"(?: value="(\w*)")?', source), tag)
            # The comment above the form is for the sysadmin, in English.
            self.assertNotIn("Did this article solve your issue?",
                             snippet[snippet.index("<form"):], tag)

    def test_a_vote_is_counted_and_thanked_never_redirected(self):
        r = vote("install-guide", "no", comment="Step 3 is missing",
                 headers={"Referer": "http://evil.example/",
                          "X-Forwarded-Host": "evil.example"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("location"), THANKS)
        [v] = votes("install-guide")
        self.assertEqual((v["helpful"], v["comment"]), (0, "Step 3 is missing"))
        self.assertRegex(v["client"], r"^[0-9a-f]{64}$")
        rec = records("article-voted")[-1]
        self.assertEqual((rec["article"], rec["helpful"], rec["counted"],
                          rec["_subject"]),
                         ("install-guide", "no", "new", None))
        self.assertNotIn("127.0.0.1", rec["_xml"])
        self.assertNotIn("Step 3", rec["_xml"])
        r = SITE.get(THANKS)
        self.assertEqual(r.status, 200)
        self.assertIn("Thank you", r.text)

    def test_same_client_twice_counts_once_with_the_latest_answer(self):
        self.assertEqual(vote("dedup", "yes", comment="first").status, 303)
        [first] = votes("dedup")
        r = vote("dedup", "no", headers={"X-Forwarded-For": "203.0.113.9"})
        self.assertEqual(r.status, 303)
        [v] = votes("dedup")
        self.assertEqual((v["id"], v["helpful"], v["comment"], v["client"],
                          v["created"]),
                         (first["id"], 0, None, first["client"],
                          first["created"]))
        self.assertEqual(records("article-voted")[-1]["counted"], "replaced")
        # Another article is another vote.
        self.assertEqual(vote("dedup-other", "yes").status, 303)
        self.assertEqual(len(votes("dedup-other")), 1)
        self.assertEqual(len(votes("dedup")), 1)

    def test_outside_the_window_a_vote_counts_again(self):
        self.assertEqual(vote("window").status, 303)
        [v] = votes("window")
        # Age the vote past article_vote_window_hours (2).
        con = SITE.connect()
        with con:
            con.execute("UPDATE article_vote SET created = "
                        "'2000-01-01T00:00:00.000000Z' WHERE id = ?",
                        (v["id"],))
        con.close()
        self.assertEqual(vote("window", "no").status, 303)
        self.assertEqual(len(votes("window")), 2)
        self.assertEqual(records("article-voted")[-1]["counted"], "new")

    def fcgi_vote(self, body, **params):
        p = {"REQUEST_METHOD": "POST", "SCRIPT_NAME": ARTICLE,
             "CONTENT_TYPE": "application/x-www-form-urlencoded",
             "CONTENT_LENGTH": str(len(body))}
        p.update(params)
        out, done = fcgi_request(SITE.socket_path("feedback"), p, body)
        self.assertTrue(done)
        return cgi_status(out)

    def test_without_an_address_votes_share_one_client(self):
        # A server that passes no IP address makes every visitor "unknown"
        # (app.h): their votes count once per article, like one client's.
        self.assertEqual(self.fcgi_vote(b"article=no-addr&helpful=yes"), 303)
        self.assertEqual(self.fcgi_vote(b"article=no-addr&helpful=no",
                                        REMOTE_ADDR="not-an-ip"), 303)
        vs = votes("no-addr")
        self.assertEqual(len(vs), 1, vs)
        self.assertEqual(vs[0]["helpful"], 0)
        self.assertRegex(vs[0]["client"] or "", r"^[0-9a-f]{64}$")

    def test_an_ipv6_client_is_its_64(self):
        body = b"article=v6&helpful=yes"
        self.assertEqual(self.fcgi_vote(body, REMOTE_ADDR="2001:db8:1:2::1"),
                         303)
        self.assertEqual(self.fcgi_vote(b"article=v6&helpful=no",
                                        REMOTE_ADDR="2001:db8:1:2:ffff::9"),
                         303)
        self.assertEqual(self.fcgi_vote(body, REMOTE_ADDR="2001:db8:1:3::1"),
                         303)
        vs = votes("v6")
        self.assertEqual([v["helpful"] for v in vs], [0, 1])
        self.assertNotEqual(vs[0]["client"], vs[1]["client"])
        # A keyed pseudonym, not the address (a 4-digit string such as
        # "2001" turns up in one random 64-hex value in a thousand).
        self.assertRegex(vs[0]["client"], r"^[0-9a-f]{64}$")

    def test_every_validation_error(self):
        for fields, name in (({"helpful": None}, "helpful"),
                             ({"helpful": "maybe"}, "helpful"),
                             ({"helpful": "YES"}, "helpful"),
                             ({"article": None}, "article"),
                             ({"article": "a b"}, "article"),
                             ({"article": "a" * 65}, "article"),
                             ({"article": "<b>x</b>"}, "article"),
                             ({"comment": "c" * 1001}, "comment"),
                             ({"comment": "bad\x1b"}, "comment")):
            before = counts()
            r = vote(**dict({"article": "errors", "comment": "kept"},
                            **fields))
            self.assertEqual(counts(), before)
            self.assertEqual(r.status, 422, fields)
            self.assertRegex(r.text, r'id="error-%s"[^>]*>[^<]+<' % name)
            self.assertNotIn("<b>x</b>", r.text)
            if name != "comment":
                self.assertIn(">kept</textarea>", r.text)
            if name != "article":
                self.assertEqual(hidden(r.text, "article"), "errors")
        self.assertEqual(vote("errors", comment="c" * 1000).status, 303)


@sqlite_only("the busy lock: another writer holding the database file (BEGIN EXCLUSIVE, BEGIN IMMEDIATE)")
class Locks(unittest.TestCase):
    def test_locked_database_gives_503_and_stores_nothing(self):
        t = started()
        e = last_entry()
        before = counts()
        with SITE.locked():
            r1 = step1(type="complaint", message="Locked out")
            r2 = step2(t, email="locked@example.com", recommend="6")
            r3 = vote("locked", comment="Locked comment")
            r4 = SITE.get(FORM + "?t=" + t)
        for r in (r1, r2, r3, r4):
            self.assertEqual(r.status, 503, r)
            self.assertEqual(r.header("retry-after"), "60")
        self.assertIn("Locked out</textarea>", r1.text)
        self.assertTrue(checked(r1.text, "type", "complaint"))
        self.assertIn('value="locked@example.com"', r2.text)
        self.assertTrue(checked(r2.text, "recommend", "6"))
        self.assertIn("Locked comment</textarea>", r3.text)
        self.assertEqual(counts(), before)
        self.assertEqual(last_entry(), e)
        self.assertEqual(send_mail(), [])
        # Afterwards all of it works.
        self.assertEqual(step2(t, recommend="6").status, 303)
        self.assertEqual(vote("locked").status, 303)

    def test_step2_page_does_not_wait_for_a_writer(self):
        t = started()
        con = sqlite3.connect(SITE.db_path, timeout=5)
        con.execute("BEGIN IMMEDIATE")
        try:
            r = SITE.get(FORM + "?t=" + t)
            w = step1()
        finally:
            con.rollback()
            con.close()
        self.assertEqual(r.status, 200, r)
        self.assertEqual(w.status, 503, w)


if __name__ == "__main__":
    unittest.main()
