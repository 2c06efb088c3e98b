"""`privforms lists` and `lists export`: the mailing lists with their
subscriber counts, a list's subscribed and suppressed addresses for the
mail system, and subscriptions in `request export` and `request erase`.

Subscriptions are seeded as the preference page stores them (016's
tables, the rows lib/subscription.c writes); every change after that
goes through the public paths: the unsubscribe form, a data request
verified through its mail link, and the privforms command."""

import os
import re
import subprocess
import time
import unittest
import urllib.parse

from harness import (PRIVFORMS, SRC, address, mail_site, request_submit,
                     request_verify, teardown, token_craft)

XSD = os.path.join(SRC, "etc", "request-export.xsd")
T1 = "2026-11-24T06:00:00.000001Z"
T2 = "2026-11-25T07:00:00.000002Z"
SITE = None
SMTP = None


def setUpModule():
    global SITE, SMTP
    SITE, SMTP = mail_site(busy_timeout_ms="300")


def tearDownModule():
    teardown(SITE, SMTP)


def run(*args):
    return SITE.privforms(*args, check=False)


def subscribe(who, lst, state="subscribed", channel="email"):
    """A subscription and its history row, as subscription.c stores them."""
    SITE.write("INSERT INTO subscription (channel, address, list, state, "
               "requested, confirmed, method, notice, language) VALUES "
               "(?, ?, ?, ?, ?, ?, 'signup', '0123456789abcdef', 'en')",
               (channel, who, lst, state, T1,
                T2 if state == "subscribed" else None))
    SITE.write("INSERT INTO subscription_event (channel, address, list, "
               "action, method, notice, language, requested, created) "
               "VALUES (?, ?, ?, ?, 'signup', '0123456789abcdef', 'en', ?, "
               "?)", (channel, who, lst, "subscribed" if state ==
                      "subscribed" else "requested", T1, T1))


def opt_out(who, lst, channel="email"):
    SITE.write("INSERT INTO optout (channel, address, list, source, "
               "created, updated) VALUES (?, ?, ?, 'form', ?, ?)",
               (channel, who, lst, T1, T1))


def exported(*args, conf=None):
    p = subprocess.run([PRIVFORMS, "--config", conf or SITE.conf, "lists",
                        "export"] + list(args), capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.split("\n")     # text mode: CRLF read as LF
    assert lines[-1] == "", p.stdout
    return lines[0], lines[1:-1], p.stderr


PREFS = "/privacy/preferences"


def pref_save(who, *ticked, action="save"):
    """The preference page's POST for who (a link it was mailed)."""
    t = token_craft(SITE, "pref", int(time.time()) + 3600, "email", who,
                    "en")
    r = SITE.post(PREFS, [("t", t), ("action", action)] +
                  [("list-" + x, "yes") for x in ticked], stamp=False)
    assert r.status == 303, r


def signup(who, lst):
    """The signup snippet's form, filled in by anyone: 303."""
    r = SITE.post(PREFS + "/subscribe", {"address": who, "list": lst},
                  stamp=SITE.stamp(PREFS))
    assert r.status == 303, r


def confirm_mailed(who):
    """POST the confirmation link mailed to who: its answer's status."""
    bodies = [m.get_body().get_content() for m in SITE.send_mail(SMTP)
              if m["To"] == who]
    assert len(bodies) == 1, bodies
    link = re.search(r"/privacy/preferences/confirm\?t=([A-Za-z0-9_.-]+)",
                     bodies[0])
    return SITE.post(PREFS + "/confirm", {"t": link.group(1)},
                     stamp=False).status


def reads(rows):
    """The personal-data-read records of lists export with rows."""
    return [x for x in SITE.audit_xml("personal-data-read")
            if '"what">lists-export<' in x and
            '"rows">%d<' % rows in x]


class Lists(unittest.TestCase):
    """One list's people, in every state the rules know."""

    @classmethod
    def setUpClass(cls):
        cls.a = address("list-a")       # subscribed to offers
        cls.b = address("list-b")       # subscribed to offers
        cls.pending = address("list-pending")
        cls.all_but = address("list-allbut")    # stopped all, then offers
        cls.all_out = address("list-allout")    # opted out of all
        cls.one_out = address("list-oneout")    # opted out of offers
        cls.other = address("list-other")       # opted out of news only
        cls.people = (cls.a, cls.b, cls.pending, cls.all_but, cls.all_out,
                      cls.one_out, cls.other)
        subscribe(cls.b, "offers")
        subscribe(cls.a, "offers")
        subscribe(cls.pending, "offers", state="pending")
        # A subscription overrides an opt-out of all for its list alone.
        subscribe(cls.all_but, "offers")
        opt_out(cls.all_but, "")
        opt_out(cls.all_out, "")
        # What the rules never leave, which no export may contradict.
        subscribe(cls.one_out, "offers")
        opt_out(cls.one_out, "offers")
        opt_out(cls.other, "news")
        subscribe("+14155550100", "sms-offers", channel="sms")
        opt_out("+14155550101", "", channel="sms")

    def test_table_counts_the_subscribed(self):
        p = run("lists")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0], "id\tchannel\tdouble_opt_in\tsubscribers")
        rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
        self.assertEqual(list(rows), ["news", "offers", "events",
                                      "sms-offers"])
        self.assertEqual(rows["offers"], ["offers", "email", "yes", "3"])
        self.assertEqual(rows["sms-offers"], ["sms-offers", "sms", "no",
                                              "1"])

    def test_export_lists_the_subscribed_only(self):
        before = len(reads(3))
        header, rows, _ = exported("offers")
        self.assertEqual(header, "address,list,confirmed,method")
        self.assertEqual(rows, ["%s,offers,%s,signup" % (w, T2) for w in
                                sorted((self.a, self.b, self.all_but))])
        for who in (self.pending, self.all_out, self.one_out):
            self.assertNotIn(who, "\n".join(rows))
        self.assertEqual(len(reads(3)), before + 1)
        self.assertEqual(exported("--format", "csv", "offers")[1], rows)

    def test_suppressed_are_those_opted_out_of_it_or_of_all(self):
        header, rows, _ = exported("offers", "--suppressed")
        self.assertEqual(header, "address,list")
        ours = [r for r in rows if r.split(",")[0] in self.people]
        self.assertEqual(ours, ["%s,offers" % w for w in
                                sorted((self.all_out, self.one_out))])
        _, rows, _ = exported("news", "--suppressed")
        ours = [r for r in rows if r.split(",")[0] in self.people]
        self.assertEqual(ours, ["%s,news" % w for w in
                                sorted((self.all_but, self.all_out,
                                        self.other))])
        header, rows, _ = exported("sms-offers", "--suppressed")
        self.assertEqual(rows, ["+14155550101,sms-offers"])

    def test_unsubscribing_moves_a_person_to_suppressed(self):
        who = address("list-leaver")
        subscribe(who, "news")
        self.assertIn(who, "\n".join(exported("news")[1]))
        r = SITE.post("/privacy/unsubscribe", {"channel": "email",
                                               "email": who})
        self.assertEqual(r.status, 303, r)
        self.assertNotIn(who, "\n".join(exported("news")[1]))
        self.assertIn("%s,news" % who, exported("news", "--suppressed")[1])

    def test_a_list_added_later_is_suppressed_after_stop_all(self):
        """Stop all, then one list by the preference link: the opt-out of
        all stays, so a list the company adds to the table afterwards
        is suppressed, and `unsubscribes check` (mail outside the lists)
        still says opted out while the list's export has them."""
        who = address("list-later").lower()
        pref_save(who, action="stop")
        pref_save(who, "events")
        self.assertIn("%s,events," % who, "\n".join(exported("events")[1]))
        self.assertNotIn(who, "\n".join(exported("events",
                                                  "--suppressed")[1]))
        table = os.path.join(SITE.dir, "mailing-lists-later.tsv")
        with open(os.path.join(SRC, "etc", "mailing-lists.tsv")) as f, \
                open(table, "w") as out:
            out.write(f.read() + "later\temail\tno\tLater offers\t"
                      "Added after the person stopped all.\n")
        conf = SITE.conf_with("later.conf", mailing_lists=table)
        _, rows, _ = exported("later", "--suppressed", conf=conf)
        self.assertIn("%s,later" % who, rows)
        self.assertIn("%s,news" % who, exported("news", "--suppressed")[1])
        p = run("unsubscribes", "check", who)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_wrong_list_or_format_is_refused(self):
        p = run("lists", "export", "nope")
        self.assertEqual((p.returncode, p.stdout), (1, ""))
        self.assertIn("no such list in mailing_lists", p.stderr)
        for args in (("offers", "--format", "xml"), ("--suppressed",), ()):
            p = run("lists", "export", *args)
            self.assertEqual((p.returncode, p.stdout), (2, ""), args)

    def test_help_says_erased_people_are_not_addresses(self):
        p = run("lists", "export", "--help")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("keyed pseudonyms", p.stdout)
        self.assertIn("--suppressed", p.stdout)


class RequestsAndErasure(unittest.TestCase):
    """A person's subscriptions are in their export, go with their
    erasure, and they stay suppressed after it."""

    @classmethod
    def setUpClass(cls):
        cls.who = address("list-erased")
        cls.rid = request_submit(SITE, cls.who, "deletion")
        request_verify(SITE, SMTP, cls.who)
        subscribe(cls.who, "news")
        subscribe(cls.who, "events")

    def test_1_export_holds_subscriptions_and_history(self):
        p = run("request", "export", str(self.rid))
        self.assertEqual(p.returncode, 0, p.stderr)
        xml = p.stdout
        v = subprocess.run(["xmllint", "--noout", "--nonet", "--schema",
                            XSD, "-"], input=xml, capture_output=True,
                           text=True)
        self.assertEqual(v.returncode, 0, v.stderr)
        subs = re.search(r"<subscriptions>(.*)</subscriptions>", xml, re.S)
        self.assertEqual(re.findall(r"<list>([^<]*)</list>", subs.group(1)),
                         ["events", "news"])
        hist = re.search(r"<subscription-history>(.*)"
                         r"</subscription-history>", xml, re.S)
        self.assertEqual(len(re.findall(r"<event>", hist.group(1))), 2)
        self.assertIn("<requested>%s</requested>" % T1, hist.group(1))
        rec = [x for x in SITE.audit_xml("request-exported")
               if '"request">%d<' % self.rid in x][-1]
        self.assertIn('"subscriptions">2<', rec)
        self.assertIn('"subscription-events">2<', rec)

    def test_2_erasure_deletes_them_and_keeps_suppression(self):
        p = run("request", "erase", str(self.rid))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(SITE.query("SELECT count(*) FROM subscription "
                                    "WHERE address = ?", (self.who,)),
                         [(0,)])
        self.assertEqual(SITE.query("SELECT count(*) FROM "
                                    "subscription_event WHERE address = ?",
                                    (self.who,)), [(0,)])
        rec = SITE.audit_xml("request-erased")[-1]
        self.assertIn('"subscriptions">2<', rec)
        self.assertIn('"subscription-events">2<', rec)
        self.assertIn('"suppressed">1<', rec)
        # Still never mailed: the pseudonym answers for the address.
        p = run("unsubscribes", "check", self.who)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("opted out (erased entry)", p.stdout)
        _, rows, err = exported("news")
        self.assertNotIn(self.who, "\n".join(rows))
        _, rows, err = exported("news", "--suppressed")
        self.assertNotIn(self.who, "\n".join(rows))
        self.assertRegex(err, r"\d+ erased (person's opt-out is|people's "
                              r"opt-outs are) kept only as keyed pseudonyms")

    def test_3_a_stranger_cannot_subscribe_the_erased(self):
        """The signup form names the erased address: a list without
        double opt-in waits for the confirmation from the mailbox; what
        the person confirms is theirs, and the suppression entry stays."""
        who = self.who.lower()
        SITE.send_mail(SMTP)
        signup(who, "events")
        self.assertEqual(SITE.query("SELECT state FROM subscription WHERE "
                                    "address = ?", (who,)), [("pending",)])
        self.assertNotIn(who, "\n".join(exported("events")[1]))
        self.assertEqual(confirm_mailed(who), 303)
        self.assertIn("%s,events," % who, "\n".join(exported("events")[1]))
        p = run("unsubscribes", "check", who)
        self.assertIn("opted out (erased entry)", p.stdout)


if __name__ == "__main__":
    unittest.main()
