"""The preference center (/privacy/preferences, issue 22) through a real
nginx and the SMTP catcher: a link asked for by address (mailed only to a
known address, the same answer either way), the page it opens (GET never
changes anything), several lists changed in one POST (each change one
subscription event and one audit record), "stop all", the signup snippet
and double opt-in (only the confirmation's POST subscribes), and hostile
input in every field."""

import re
import threading
import time
import unittest
import urllib.parse

from harness import (POSTGRESQL, Site, FormTest, address, mail_site,
                     teardown,
                     token_craft, token_open)

FORM = "/privacy/preferences"
SIGNUP = FORM + "/subscribe"
CONFIRM = FORM + "/confirm"
SITE = None
SMTP = None
TABLES = ("subscription", "subscription_event", "optout", "audit", "outbox")


def setUpModule():
    global SITE, SMTP
    SITE, SMTP = mail_site()


def tearDownModule():
    teardown(SITE, SMTP)


def snapshot():
    """Every row of the tables a change would touch."""
    return {t: sorted(map(repr, SITE.query("SELECT * FROM %s" % t)))
            for t in TABLES}


def pref_token(to, lang="en", channel="email", expires=None):
    """A genuine preference link's token for to, as the site makes it."""
    return token_craft(SITE, "pref", expires or int(time.time()) + 3600,
                       channel, to.lower(), lang)


def states(to):
    """{list: state} of to's subscriptions."""
    return dict(SITE.query("SELECT list, state FROM subscription "
                           "WHERE address = ?", (to.lower(),)))


def events(to):
    return SITE.query("SELECT list, action, method FROM subscription_event "
                      "WHERE address = ? ORDER BY id", (to.lower(),))


def save(t, ticked=(), action="save", stamp=False):
    fields = [("t", t), ("action", action)] + \
        [("list-" + l, "yes") for l in ticked]
    return SITE.post(FORM, fields, stamp=stamp)


def link_in(body, path):
    m = re.search(r"http://127\.0\.0\.1:\d+(/privacy/%s\?t=[A-Za-z0-9_.-]+)"
                  % re.escape(path), body)
    if m is None:
        raise AssertionError("no %s link in:\n%s" % (path, body))
    return m.group(1)


def mails_to(to):
    return [m for m in SITE.send_mail(SMTP) if m["To"] == to]


def signup(to, lst, stamp=True):
    fields = {"address": to, "list": lst}
    return SITE.post(SIGNUP, fields,
                     stamp=SITE.stamp(FORM) if stamp else False)


class Preferences(FormTest):
    def stored(self):
        return tuple(SITE.count(t) for t in TABLES)

    def assert_get_changes_nothing(self, path):
        before = snapshot()
        r = SITE.get(path)
        self.assertEqual(snapshot(), before, path)
        return r

    def test_every_get_changes_nothing(self):
        to = address("get")
        t = pref_token(to)
        done = save(t, ["events", "news"])
        self.assertEqual(done.status, 303, done)
        confirm = link_in(mails_to(to)[0].get_body().get_content(),
                          "preferences/confirm")
        paths = [FORM, FORM + "?t=" + t, FORM + "?sent",
                 urllib.parse.urlsplit(done.header("Location")).path + "?" +
                 urllib.parse.urlsplit(done.header("Location")).query,
                 SIGNUP + "?list=news", SIGNUP + "?subscribed=news",
                 confirm, CONFIRM + "?confirmed=news", CONFIRM,
                 FORM + "?t=forged", CONFIRM + "?t=forged"]
        for path in paths:
            r = self.assert_get_changes_nothing(path)
            self.assertIn(r.status, (200, 400, 404), (path, r))
        self.assertEqual(states(to), {"events": "subscribed",
                                      "news": "pending"})

    def test_the_page_shows_each_list_with_its_state(self):
        to = address("page")
        t = pref_token(to)
        r = SITE.get(FORM + "?t=" + t)
        self.assertEqual(r.status, 200, r)
        for lst in ("news", "offers", "events"):
            self.assertRegex(r.text, r'<input[^>]*id="list-%s"' % lst)
            self.assertRegex(r.text, r'<label[^>]*for="list-%s"' % lst)
        self.assertNotIn('id="list-sms-offers"', r.text)
        self.assertIn("Stop all marketing email", r.text)
        self.assertNotIn("text messages</span>", r.text)
        self.assertIn("Transactional and service messages", r.text)
        self.assertNotIn(to, r.text)
        self.assertNotIn("checked", r.text)
        save(t, ["events"])
        r = SITE.get(FORM + "?t=" + t)
        self.assertRegex(r.text, r'<input[^>]*id="list-events"[^>]*checked')
        self.assertNotRegex(r.text, r'<input[^>]*id="list-news"[^>]*checked')
        sms = pref_token("+13037492110", channel="sms")
        r = SITE.get(FORM + "?t=" + sms)
        self.assertIn('id="list-sms-offers"', r.text)
        self.assertNotIn('id="list-news"', r.text)
        self.assertIn("Stop all marketing text messages", r.text)

    def test_several_lists_in_one_post_each_change_stored_once(self):
        to = address("toggle")
        t = pref_token(to)
        audit = SITE.count("audit")
        r = save(t, ["events", "news"])
        self.assertEqual(r.status, 303, r)
        self.assertEqual(states(to), {"events": "subscribed",
                                      "news": "pending"})
        # In the table's order: news, offers, events.
        self.assertEqual(events(to), [("news", "requested", "preferences"),
                                      ("events", "subscribed", "preferences")])
        self.assertEqual(SITE.count("audit"), audit + 2)
        page = SITE.get(r.header("Location").split(str(SITE.port), 1)[-1])
        self.assertIn("You are now subscribed to", page.text)
        self.assertIn("Event invitations", page.text)
        self.assertIn("A confirmation email is on its way for", page.text)
        self.assertIn("Newsletter", page.text)
        self.assertNotIn(to, page.text + r.header("Location"))
        self.assertEqual(len(mails_to(to)), 1)
        # Drop one, keep one pending, add one: three changes, three each.
        audit = SITE.count("audit")
        r = save(t, ["news", "offers"])
        self.assertEqual(states(to), {"news": "pending",
                                      "offers": "pending"})
        self.assertEqual(events(to)[2:], [("offers", "requested",
                                           "preferences"),
                                          ("events", "unsubscribed",
                                           "preferences")])
        self.assertEqual(SITE.count("audit"), audit + 2)
        page = SITE.get(r.header("Location").split(str(SITE.port), 1)[-1])
        self.assertIn("You will no longer receive", page.text)
        # The same POST again changes nothing.
        before = snapshot()
        r = save(t, ["news", "offers"])
        self.assertEqual(snapshot(), before)
        page = SITE.get(r.header("Location").split(str(SITE.port), 1)[-1])
        self.assertIn("Nothing changed", page.text)
        for rec in SITE.audit_xml("unsubscribed")[-1:]:
            self.assertNotIn(to.split("@")[0], rec)

    def test_double_opt_in_only_on_post(self):
        to = address("doi")
        save(pref_token(to), ["news"])
        msgs = mails_to(to)
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0]["Subject"],
                         "Please confirm your subscription")
        link = link_in(msgs[0].get_body().get_content(),
                       "preferences/confirm")
        r = self.assert_get_changes_nothing(link)
        self.assertIn("Confirm my subscription to Newsletter", r.text)
        self.assertEqual(states(to), {"news": "pending"})
        t = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["t"][0]
        r = SITE.post(CONFIRM, {"t": t}, stamp=False)
        self.assertEqual(r.status, 303, r)
        self.assertTrue(r.header("Location").endswith(
            CONFIRM + "?confirmed=news"))
        self.assertEqual(states(to), {"news": "subscribed"})
        row = SITE.query("SELECT requested, confirmed, method, notice "
                         "FROM subscription WHERE address = ?",
                         (to.lower(),))[0]
        self.assertTrue(row[0] and row[1] and row[0] <= row[1], row)
        self.assertEqual(len(row[3]), 16)
        before = snapshot()
        again = SITE.post(CONFIRM, {"t": t}, stamp=False)
        self.assertEqual((again.status, again.header("Location")),
                         (r.status, r.header("Location")))
        self.assertEqual(snapshot(), before)
        page = SITE.get(CONFIRM + "?confirmed=news")
        self.assertIn("You are subscribed", page.text)

    def test_stop_all_leaves_nothing_subscribed_and_no_export(self):
        to = address("stop")
        t = pref_token(to)
        save(t, ["events"])
        export = ("lists", "export", "events", "--format", "csv")
        self.assertIn(to.lower(), SITE.privforms(*export).stdout.lower())
        r = save(t, action="stop")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(states(to), {})
        self.assertIn(("email", to.lower(), ""), SITE.query(
            "SELECT channel, address, list FROM optout WHERE address = ?",
            (to.lower(),)))
        page = SITE.get(r.header("Location").split(str(SITE.port), 1)[-1])
        self.assertIn("You will no longer receive any marketing email",
                      page.text)
        self.assertNotIn(to.lower(), SITE.privforms(*export).stdout.lower())
        r = SITE.get(FORM + "?t=" + t)
        self.assertNotIn("checked", r.text)

    def test_ask_answers_the_same_known_or_not(self):
        unknown, known = address("nobody"), address("known")
        save(pref_token(known), ["events"])
        SITE.send_mail(SMTP)
        outbox = SITE.count("outbox")
        a = SITE.post(FORM, {"email": unknown})
        self.assertEqual(SITE.count("outbox"), outbox)
        b = SITE.post(FORM, {"email": known})
        self.assertEqual(SITE.count("outbox"), outbox + 1)
        self.assertEqual((a.status, a.header("Location")),
                         (b.status, b.header("Location")))
        self.assertTrue(a.header("Location").endswith(FORM + "?sent"))
        sent = SITE.send_mail(SMTP)
        self.assertEqual([m["To"] for m in sent], [known])
        self.assertEqual(sent[0]["Subject"], "Your mailing preferences")
        link = link_in(sent[0].get_body().get_content(), "preferences")
        r = SITE.get(link)
        self.assertRegex(r.text, r'<input[^>]*id="list-events"[^>]*checked')
        # Known by an opt-out alone, too (the unsubscribe form's).
        opted = address("opted")
        SITE.post("/privacy/unsubscribe", {"channel": "email",
                                           "email": opted})
        SITE.post(FORM, {"email": opted})
        self.assertEqual(len(mails_to(opted)), 1)

    def test_signup_snippet_then_page(self):
        to = address("signup")
        before = snapshot()
        r = SITE.post(SIGNUP, {"address": to, "list": "events"}, stamp=False)
        self.assertEqual(snapshot(), before)
        self.assertEqual(r.status, 200, r)
        self.assertIn('value="%s"' % to, r.text)
        self.assertIn("Event invitations", r.text)
        r = signup(to, "events")
        self.assertEqual(r.status, 303, r)
        self.assertTrue(r.header("Location").endswith(
            SIGNUP + "?subscribed=events"))
        self.assertEqual(states(to), {"events": "subscribed"})
        self.assertEqual(events(to), [("events", "subscribed", "signup")])
        again = signup(to, "events")
        self.assertEqual(again.header("Location"), r.header("Location"))
        self.assertEqual(len(events(to)), 1)
        page = SITE.get(SIGNUP + "?subscribed=events")
        self.assertIn("You are subscribed to", page.text)
        # A double opt-in list: pending, and a mail; the same answer twice.
        r = signup(to, "news")
        self.assertEqual(states(to)["news"], "pending")
        self.assertEqual(len(mails_to(to)), 1)
        page = SITE.get(SIGNUP + "?subscribed=news")
        self.assertIn("Check your inbox", page.text)

    def test_hostile_input_in_every_field(self):
        evil = '<script>alert(1)</script>"\'&'
        to = address("hostile")
        for fields in ({"address": evil, "list": "events"},
                       {"address": to, "list": evil},
                       {"address": to, "list": "no-such-list"},
                       {"address": to, "list": "sms-offers"},
                       {"address": "a" * 300 + "@example.com",
                        "list": "events"},
                       {"address": to + "\x07", "list": "events"},
                       {"address": "", "list": "events"}):
            r = self.assert_nothing_stored(
                lambda: SITE.post(SIGNUP, fields, stamp=SITE.stamp(FORM)))
            self.assertIn(r.status, (404, 422), (fields, r))
            self.assertNotIn("<script>alert", r.text)
        for fields in ({"email": evil}, {"email": "x" * 5000},
                       {"email": "a@example.com\r\nBcc: b@example.com"}):
            r = self.assert_nothing_stored(lambda: SITE.post(FORM, fields))
            self.assertEqual(r.status, 422, (fields, r))
            self.assertNotIn("<script>alert", r.text)
        bad = b"email=%FF%FE%41"
        r = self.assert_nothing_stored(lambda: SITE.post(FORM, bad))
        self.assertEqual(r.status, 422)
        # Tokens: forged, expired, another purpose, oversized, markup.
        good = pref_token(to)
        for t, why in ((good[:-2] + "xx", "is not complete"),
                       (pref_token(to, expires=int(time.time()) - 5),
                        "has expired"),
                       (token_craft(SITE, "unsub", int(time.time()) + 60,
                                    "email", to, "", "en"), "is not complete"),
                       ("A" * 5000, "is not complete"),
                       (evil, "is not complete")):
            r = self.assert_get_changes_nothing(
                FORM + "?t=" + urllib.parse.quote(t))
            self.assertEqual(r.status, 400, r)
            self.assertIn(why, r.text)
            self.assertIn('name="email"', r.text)
            self.assertNotIn("<script>alert", r.text)
            r = self.assert_nothing_stored(lambda: save(t, ["events"]))
            self.assertEqual(r.status, 400)
            r = self.assert_nothing_stored(
                lambda: SITE.post(CONFIRM, {"t": t}, stamp=False))
            self.assertEqual(r.status, 400)
        # Unknown list fields in a save are ignored; a list id in markup too.
        r = self.assert_nothing_stored(
            lambda: SITE.post(FORM, [("t", good), ("list-nope", "yes"),
                                     ("list-" + evil, "yes")], stamp=False))
        self.assertEqual(r.status, 303)
        r = SITE.get(SIGNUP + "?list=" + urllib.parse.quote(evil))
        self.assertEqual(r.status, 404)
        self.assertNotIn("<script>alert", r.text)
        # A confirmation of a list the table no longer has.
        gone = token_craft(SITE, "sub-confirm", int(time.time()) + 60,
                           "email", to, "gone", "2026-01-01T00:00:00Z", "en")
        r = self.assert_get_changes_nothing(CONFIRM + "?t=" + gone)
        self.assertEqual(r.status, 400)

    def test_asking_again_keeps_the_link_already_mailed(self):
        to = address("twice")
        signup(to, "news")
        audit = SITE.count("audit")
        before = snapshot()["subscription"]
        signup(to, "news")
        # Still pending on the first request: no event, no record.
        self.assertEqual(SITE.count("audit"), audit)
        self.assertEqual(snapshot()["subscription"], before)
        self.assertEqual(events(to), [("news", "requested", "signup")])
        # Mailed again (a lost mail can be had again), for the same
        # request: the first link still confirms (below, and
        # test_the_first_link_confirms_after_it_was_mailed_again).
        links = [link_in(m.get_body().get_content(), "preferences/confirm")
                 for m in mails_to(to)]
        self.assertEqual(len(links), 2, links)
        first = urllib.parse.parse_qs(urllib.parse.urlsplit(
            links[0]).query)["t"][0]
        # Dropped and asked for again: only the new link confirms.
        save(pref_token(to))
        signup(to, "news")
        newest = urllib.parse.parse_qs(urllib.parse.urlsplit(link_in(
            mails_to(to)[-1].get_body().get_content(),
            "preferences/confirm")).query)["t"][0]
        r = self.assert_nothing_stored(
            lambda: SITE.post(CONFIRM, {"t": first}, stamp=False))
        self.assertEqual(r.status, 400)
        self.assertIn("not the newest one we sent", r.text)
        r = SITE.post(CONFIRM, {"t": newest}, stamp=False)
        self.assertEqual(r.status, 303)
        self.assertEqual(states(to), {"news": "subscribed"})

    def test_the_first_link_confirms_after_it_was_mailed_again(self):
        to = address("resent")
        signup(to, "news")
        signup(to, "news")
        links = [link_in(m.get_body().get_content(), "preferences/confirm")
                 for m in mails_to(to)]
        self.assertEqual(len(links), 2, links)
        for link in links:
            t = urllib.parse.parse_qs(urllib.parse.urlsplit(
                link).query)["t"][0]
            r = SITE.post(CONFIRM, {"t": t}, stamp=False)
            self.assertEqual(r.status, 303, r)
            self.assertEqual(states(to), {"news": "subscribed"})
        self.assertEqual(events(to), [("news", "requested", "signup"),
                                      ("news", "confirmed", "confirm")])

    def test_a_signup_answers_alike_whether_or_not_it_stopped_all(self):
        """The answer to a signup to a list without double opt-in does not
        tell whether the address had opted out (it then waits for the
        confirmation): both are told both."""
        stopped, fresh = address("stopped"), address("fresh")
        save(pref_token(stopped), action="stop")
        pages = []
        for to in (stopped, fresh):
            r = signup(to, "events")
            self.assertEqual(r.status, 303, r)
            pages.append(SITE.get(r.header("Location")).text)
        self.assertEqual(states(stopped), {"events": "pending"})
        self.assertEqual(states(fresh), {"events": "subscribed"})
        self.assertEqual(pages[0], pages[1])
        self.assertIn("If you had unsubscribed from our emails before",
                      pages[0])

    def test_a_signup_never_undoes_stop_all(self):
        """Anyone may fill in the signup form with any address: for one
        that stopped all, even a list without double opt-in waits for
        the confirmation from the mailbox, and the opt-out of all stays
        for every other list after it."""
        to = address("victim")
        t = pref_token(to)
        save(t, ["events"])
        save(t, action="stop")
        SITE.send_mail(SMTP)
        export = ("lists", "export", "events", "--format", "csv")
        r = signup(to, "events")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(states(to), {"events": "pending"})
        self.assertNotIn(to.lower(), SITE.privforms(*export).stdout.lower())
        everything = ("email", to.lower(), "")
        optouts = "SELECT channel, address, list FROM optout WHERE address = ?"
        self.assertIn(everything, SITE.query(optouts, (to.lower(),)))
        msgs = mails_to(to)
        self.assertEqual([m["Subject"] for m in msgs],
                         ["Please confirm your subscription"])
        link = link_in(msgs[0].get_body().get_content(),
                       "preferences/confirm")
        t2 = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["t"][0]
        r = SITE.post(CONFIRM, {"t": t2}, stamp=False)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(states(to), {"events": "subscribed"})
        self.assertIn(to.lower(), SITE.privforms(*export).stdout.lower())
        self.assertIn(everything, SITE.query(optouts, (to.lower(),)))
        news = SITE.privforms("lists", "export", "news", "--suppressed").stdout
        self.assertIn("%s,news" % to.lower(), news.lower())

    def test_the_confirmation_link_expires(self):
        to = address("late")
        t = token_craft(SITE, "sub-confirm", int(time.time()) - 1, "email",
                        to, "news", "2026-01-01T00:00:00Z", "en")
        r = self.assert_get_changes_nothing(CONFIRM + "?t=" + t)
        self.assertEqual(r.status, 400)
        self.assertIn("This confirmation link has expired", r.text)

    def test_links_carry_the_language_they_were_made_in(self):
        to = address("lang")
        r = SITE.get(FORM + "?t=" + pref_token(to, lang="de"))
        self.assertEqual(r.header("Content-Language"), "de")
        r = save(pref_token(to, lang="de"), ["news"])
        self.assertEqual(token_open(SITE, r.header("Location").split(
            "done=")[1])[2][-1], "de")
        link = link_in(mails_to(to)[0].get_body().get_content(),
                       "preferences/confirm")
        self.assertEqual(SITE.get(link).header("Content-Language"), "de")

    def test_the_hub_links_the_preference_page(self):
        r = SITE.get("/privacy/")
        self.assertRegex(r.text, r'<a href="/privacy/preferences">Choose '
                                 r'which emails you receive</a>')



class SignupFromOtherSites(FormTest):
    """The signup snippet is pasted into pages of other hosts: its POST
    (no stamp) only shows our signup page filled in, so it is answered
    from any website; the POST of that page (stamped) stores, and keeps
    the cross-site check."""

    OTHER = "https://www.example.com"
    FOREIGN = ({"Origin": OTHER},
               {"Sec-Fetch-Site": "cross-site"},
               {"Sec-Fetch-Site": "cross-site", "Origin": OTHER})

    def stored(self):
        return snapshot(), SITE.count("consent_record")

    def test_the_snippet_is_answered_from_any_website(self):
        to = address("snippet-foreign")
        for headers in self.FOREIGN:
            r = self.assert_nothing_stored(lambda: SITE.post(
                SIGNUP, {"list": "events", "address": to, "website": ""},
                stamp=False, headers=headers))
            self.assertEqual(r.status, 200, (headers, r))
            self.assertIn('value="%s"' % to, r.text)
            self.assertIn("Event invitations", r.text)
            self.assertIn('name="pf_stamp"', r.text)
        self.assertEqual(states(to), {})

    def test_our_signup_page_is_refused_from_another_website(self):
        to = address("signup-foreign")
        for headers in self.FOREIGN:
            for gpc in ({}, {"Sec-GPC": "1"}):
                h = dict(headers, **gpc)
                r = self.assert_nothing_stored(lambda: SITE.post(
                    SIGNUP, {"address": to, "list": "events"},
                    stamp=SITE.stamp(FORM), headers=h))
                self.assertEqual(r.status, 403, (h, r))
                self.assertIn("sent from another website", r.text)
                self.assertIsNone(r.header("Set-Cookie"), h)
        self.assertEqual(states(to), {})
        # From our own page it subscribes.
        r = SITE.post(SIGNUP, {"address": to, "list": "events"},
                      stamp=SITE.stamp(FORM),
                      headers={"Sec-Fetch-Site": "same-origin"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(states(to), {"events": "subscribed"})



class BrazilianPortuguese(unittest.TestCase):
    """The preference center's pages and mails in pt-BR use Brazilian forms
    ("Suas preferências", "sua inscrição"), not European ones ("As suas
    preferências", "a sua inscrição")."""

    # An article before a possessive of its gender and number.
    EUROPEAN = re.compile(r"\b(?:(?:as|das|nas|às) (?:suas|minhas|nossas)|"
                          r"(?:os|dos|nos|aos) (?:seus|meus|nossos)|"
                          r"(?:a|da|na|à) (?:sua|minha|nossa)|"
                          r"(?:o|do|no|ao) (?:seu|meu|nosso))\b",
                          re.IGNORECASE)

    def assert_brazilian(self, text, what):
        self.assertIsNone(self.EUROPEAN.search(text), what)

    def test_pages_and_mails_in_brazilian_portuguese(self):
        to = address("ptbr")
        t = pref_token(to, lang="pt-BR")
        r = SITE.get(FORM + "?t=" + t)
        self.assertEqual(r.header("Content-Language"), "pt-BR")
        self.assertIn("Suas preferências de envio", r.text)
        done = save(t, ["news"])
        pages = [r, SITE.get(FORM + "?lang=pt-BR"),
                 SITE.get(FORM + "?sent&lang=pt-BR"),
                 SITE.get(SIGNUP + "?list=news&lang=pt-BR"),
                 SITE.get(SIGNUP + "?subscribed=news&lang=pt-BR"),
                 SITE.get(urllib.parse.urlsplit(done.header("Location")).path
                          + "?" + urllib.parse.urlsplit(
                              done.header("Location")).query)]
        mail = mails_to(to)[0]
        confirm = link_in(mail.get_body().get_content(),
                          "preferences/confirm")
        pages.append(SITE.get(confirm))
        for page in pages:
            self.assertEqual(page.status, 200, page)
            self.assertEqual(page.header("Content-Language"), "pt-BR")
            self.assert_brazilian(page.text, page)
        self.assertEqual(mail["Subject"], "Confirme sua inscrição")
        self.assert_brazilian(mail.get_body().get_content(), mail)



class DoneSaysWhatChanged(unittest.TestCase):
    """The done page lists a list as dropped only when the save's drop
    changed something (subscription.h's *changed)."""

    @unittest.skipUnless(POSTGRESQL, "on SQLite writers take turns: a drop "
                         "always finds the row its save read")
    def test_a_drop_another_writer_made_first_is_not_said_dropped(self):
        to = address("race").lower()
        t = pref_token(to)
        self.assertEqual(save(t, ["events"]).status, 303)
        # Another writer drops the list, and holds its transaction open
        # while the save reads the list still subscribed.
        other = SITE.connect()
        other.execute("DELETE FROM subscription WHERE address = ? AND "
                      "list = 'events'", (to,))
        other.execute("INSERT INTO optout (channel, address, list, source, "
                      "created, updated) VALUES ('email', ?, 'events', "
                      "'unsubscribe', '2026-01-01T00:00:00.000000Z', "
                      "'2026-01-01T00:00:00.000000Z')", (to,))
        answer = {}
        saving = threading.Thread(
            target=lambda: answer.update(r=save(t, [])))
        saving.start()
        deadline = time.monotonic() + 60
        while SITE.query("SELECT count(*) FROM pg_stat_activity WHERE "
                         "datname = current_database() AND "
                         "wait_event_type = 'Lock'")[0][0] == 0:
            self.assertLess(time.monotonic(), deadline, "the save never "
                            "waited for the other writer")
        other.commit()
        other.close()
        saving.join(60)
        r = answer["r"]
        self.assertEqual(r.status, 303, r)
        loc = urllib.parse.urlsplit(r.header("Location"))
        page = SITE.get(loc.path + "?" + loc.query)
        self.assertNotIn("You will no longer receive", page.text)
        self.assertIn("Nothing changed", page.text)
        self.assertEqual(states(to), {})


if __name__ == "__main__":
    unittest.main()
