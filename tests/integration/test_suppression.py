"""What an erasure leaves behind, as dialers and mailers see it: after
`request erase`, a person's opt-outs and Do-Not-Call entry live only as
keyed hashes in the suppression list.  The exports cannot list them and
say so; `dnc scrub` and `unsubscribes scrub` remove them from a list; the
web "Is my number registered?" check still finds them registered (and,
with no address kept, mails nobody).

The erased person is made through the public paths only: the unsubscribe
and Do-Not-Call forms, a data request verified through its mail link, and
`request erase`.  Mail goes through the real SMTP server."""

import os
import pwd
import subprocess
import time
import unittest
import urllib.parse

from harness import (PRIVFORMS, Site, request_verify, key_away, teardown,
                     mail_site)

SITE = None     # mail configured, one person erased
PLAIN = None    # nothing ever erased: the key-free path
SMTP = None

ERASED_MAIL = "sup.one@example.com"
ERASED_NUMBER = "+13037494110"      # typed "(303) 749-4110"
LIVE_MAIL = "sup.live@example.com"  # opted out, not erased
LIVE_NUMBER = "+13037494120"        # registered, not erased


def setUpModule():
    global SITE, PLAIN, SMTP
    SITE, SMTP = mail_site(busy_timeout_ms="300", dnc_confirmation="yes")
    PLAIN = Site().start()
    make_erased_person()


def tearDownModule():
    teardown(SITE, PLAIN, SMTP)


def run(*args, site=None, **kw):
    return (site or SITE).privforms(*args, check=False, **kw)


def scrub(*args, input, site=None):
    """A scrub command with bytes in and out (line ends as they are)."""
    p = run(*args, site=site, input=input.encode(), text=False)
    p.stdout = p.stdout.decode()
    p.stderr = p.stderr.decode()
    return p


def send_mail(site=None):
    """Send what is queued; return the messages the server received."""
    return (site or SITE).send_mail(SMTP)


def post(path, fields, site=None):
    r = (site or SITE).post(path, fields)
    if r.status != 303:
        raise AssertionError(r)


def verify(address):
    """Follow the verification link mailed to address, as a person would."""
    request_verify(SITE, SMTP, address)


def make_erased_person():
    """An email opt-out and a Do-Not-Call entry, erased through a verified
    deletion request; and others, left alone.  The SMS opt-out of the
    registered number stays: the Do-Not-Call form proves nothing about who
    owns a number, so an erasure never reaches another channel's data
    through it."""
    post("/privacy/unsubscribe", {"channel": "email", "email": ERASED_MAIL})
    post("/privacy/unsubscribe", {"channel": "sms", "phone": ERASED_NUMBER})
    post("/privacy/do-not-call", {"phone": "(303) 749-4110", "country": "US",
                                  "first_name": "Ada", "email": ERASED_MAIL})
    post("/privacy/unsubscribe", {"channel": "email", "email": LIVE_MAIL})
    post("/privacy/do-not-call", {"phone": "303 749 4120", "country": "US"})
    post("/privacy/request", {"type": "deletion", "relationship": "customer",
                              "first_name": "Ada", "last_name": "Lovelace",
                              "email": ERASED_MAIL, "country": "DE"})
    rid = SITE.query("SELECT max(id) FROM request WHERE email_key = ?",
                     (ERASED_MAIL,))[0][0]
    verify(ERASED_MAIL)
    p = run("request", "erase", str(rid))
    if p.returncode != 0:
        raise AssertionError(p.stderr)
    send_mail()     # the fulfilled mail, out of the way


def erased_count():
    return SITE.count("suppression")


class Setup(unittest.TestCase):
    def test_the_person_is_erased_into_the_suppression_list(self):
        self.assertEqual(erased_count(), 2)     # the address; the call
        self.assertEqual(SITE.query("SELECT count(*) FROM dnc WHERE number "
                                    "= ?", (ERASED_NUMBER,))[0][0], 0)
        self.assertEqual(SITE.query("SELECT count(*) FROM optout WHERE "
                                    "address = ?", (ERASED_MAIL,))[0][0], 0)
        self.assertEqual(SITE.query("SELECT count(*) FROM optout WHERE "
                                    "address = ?", (ERASED_NUMBER,))[0][0], 1)


class KeyFile(unittest.TestCase):
    def test_init_will_not_replace_a_missing_key_erased_entries_need(self):
        """A new key would make every suppression hash unrecognisable."""
        key = os.path.join(SITE.dir, "secret.key")
        with open(key, "rb") as f:
            before = f.read()
        with key_away(SITE):
            p = run("init", "--user", pwd.getpwuid(os.geteuid()).pw_name)
            self.assertFalse(os.path.exists(key))
        self.assertEqual(p.returncode, 1)
        self.assertIn("restore it", p.stderr)
        with open(key, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(run("dnc", "check", ERASED_NUMBER).returncode, 0)


class Exports(unittest.TestCase):
    def warning(self, stderr, command):
        self.assertIn("%d erased entries" % erased_count(), stderr)
        self.assertIn("not in this export", stderr)
        self.assertIn("privforms %s scrub" % command, stderr)
        for secret in (ERASED_MAIL, ERASED_NUMBER, "4110"):
            self.assertNotIn(secret, stderr)

    def test_dnc_export_omits_erased_entries_and_says_so(self):
        for fmt in ("csv", "xml"):
            p = run("dnc", "export", "--format", fmt)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(LIVE_NUMBER, p.stdout)
            self.assertNotIn(ERASED_NUMBER, p.stdout)
            self.warning(p.stderr, "dnc")

    def test_dnc_export_since_warns_too(self):
        today = time.strftime("%Y-%m-%d", time.gmtime())
        p = run("dnc", "export", "--since", today)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.warning(p.stderr, "dnc")

    def test_unsubscribes_export_omits_erased_entries_and_says_so(self):
        p = run("unsubscribes", "export")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(LIVE_MAIL, p.stdout)
        self.assertNotIn(ERASED_MAIL, p.stdout)
        self.assertIn(ERASED_NUMBER + ",sms", p.stdout)   # not erased
        self.warning(p.stderr, "unsubscribes")

    def test_exports_need_no_key(self):
        with key_away(SITE):
            dnc = run("dnc", "export")
            mail = run("unsubscribes", "export")
        self.assertEqual((dnc.returncode, mail.returncode), (0, 0))
        self.assertIn(LIVE_NUMBER, dnc.stdout)
        self.assertIn(LIVE_MAIL, mail.stdout)

    def test_help_texts_name_the_scrub_commands(self):
        for group, command in (("dnc", "dnc scrub"),
                               ("unsubscribes", "unsubscribes scrub")):
            p = run(group, "export", "--help")
            self.assertEqual(p.returncode, 0)
            self.assertIn("privforms %s" % command, p.stdout)
            self.assertIn("erased", p.stdout)
            p = run(group, "scrub", "--help")
            self.assertEqual(p.returncode, 0)
            self.assertIn("standard input", p.stdout)


class DncScrub(unittest.TestCase):
    LIST = ("(303) 749-4110\n"          # erased entry: removed
            "+1 303 749 4120\r\n"       # registered: removed
            "303.749.4130\r\n"          # free: kept, CRLF and all
            "not a number <b>\n"        # invalid
            "\n"                        # invalid
            "  011 1 303 749 4131 \n"   # free: kept as typed
            "303\x00 749 4132\n"        # a NUL byte: invalid
            "303-749-4133")             # free, no line end: kept

    def test_scrub_keeps_only_numbers_that_may_be_called(self):
        p = scrub("dnc", "scrub", input=self.LIST)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "303.749.4130\r\n  011 1 303 749 4131 \n"
                                   "303-749-4133")

    def test_summary_and_invalid_line_numbers_without_their_text(self):
        p = scrub("dnc", "scrub", input=self.LIST)
        self.assertIn("8 read, 3 kept, 2 removed, 3 invalid", p.stderr)
        for n in (4, 5, 7):
            self.assertIn("line %d:" % n, p.stderr)
        for n in (1, 2, 3, 6, 8):
            self.assertNotIn("line %d:" % n, p.stderr)
        self.assertNotIn("<b>", p.stderr)
        self.assertNotIn("4110", p.stderr)

    def test_country_reads_numbers_without_a_country_code(self):
        p = scrub("dnc", "scrub", "--country", "GB",
                input="020 3318 1250\n+1 303 749 4110\n12\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "020 3318 1250\n")
        self.assertIn("3 read, 1 kept, 1 removed, 1 invalid", p.stderr)

    def test_empty_input_is_an_empty_list(self):
        p = scrub("dnc", "scrub", input="")
        self.assertEqual((p.returncode, p.stdout), (0, ""))
        self.assertIn("0 read, 0 kept, 0 removed, 0 invalid", p.stderr)

    def test_an_sms_opt_out_alone_does_not_stop_a_call(self):
        post("/privacy/unsubscribe", {"channel": "sms",
                                      "phone": "+13037494140"})
        p = scrub("dnc", "scrub", input="303 749 4140\n")
        self.assertEqual(p.stdout, "303 749 4140\n")

    def test_an_unreadable_key_writes_nothing(self):
        with key_away(SITE):
            p = scrub("dnc", "scrub", input="303 749 4130\n303 749 4110\n")
            empty = scrub("dnc", "scrub", input="")
        self.assertEqual((p.returncode, p.stdout), (2, ""))
        self.assertIn("secret.key", p.stderr)
        self.assertNotIn("kept", p.stderr)
        self.assertEqual((empty.returncode, empty.stdout), (2, ""))

    def test_usage_errors(self):
        for args in (["--country"], ["--country", "XX"], ["extra"],
                     ["--country", "US", "x"], ["--since", "2026-01-01"]):
            p = scrub("dnc", "scrub", *args, input="303 749 4130\n")
            self.assertEqual((p.returncode, p.stdout), (2, ""), args)

    def test_no_database_is_an_error(self):
        conf = SITE.conf_with("wrong-db.conf", database="no-such.db")
        for group in ("dnc", "unsubscribes"):
            p = subprocess.run([PRIVFORMS, "--config", conf, group, "scrub"],
                               input="303 749 4130\n", capture_output=True,
                               text=True)
            self.assertEqual((p.returncode, p.stdout), (2, ""), group)
            self.assertIn("privforms init", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(SITE.dir, "no-such.db")))


class UnsubscribesScrub(unittest.TestCase):
    LIST = ("Sup.One@Example.COM\n"     # erased email opt-out: removed
            "sup.live@example.com\r\n"  # opted out: removed
            "Fresh@Example.com\r\n"     # kept, as written
            "+1 303 749 4110\n"         # erased SMS opt-out: removed
            "303 749 4150\n"            # kept
            "not@@valid\n"              # invalid
            "<script>@x\n"              # invalid
            "sup.two@example.org")      # never opted out: kept

    def test_scrub_keeps_only_addresses_that_may_be_sent_marketing(self):
        p = scrub("unsubscribes", "scrub", input=self.LIST)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "Fresh@Example.com\r\n303 749 4150\n"
                                   "sup.two@example.org")
        self.assertIn("8 read, 3 kept, 3 removed, 2 invalid", p.stderr)
        self.assertIn("line 6:", p.stderr)
        self.assertIn("line 7:", p.stderr)
        self.assertNotIn("<script>", p.stderr)
        self.assertNotIn("sup.", p.stderr)

    def test_an_opt_out_of_one_list_removes_the_address(self):
        url = run("unsubscribe-link", "--email", "one.list@example.com",
                  "--list", "newsletter").stdout.strip()
        path = urllib.parse.urlsplit(url)
        r = SITE.post(path.path + "?" + path.query,
                      b"List-Unsubscribe=One-Click")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(SITE.query("SELECT list FROM optout WHERE address "
                                    "= 'one.list@example.com'"),
                         [("newsletter",)])
        p = scrub("unsubscribes", "scrub", input="one.list@example.com\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "")

    def test_a_do_not_call_entry_alone_does_not_stop_an_sms(self):
        p = scrub("unsubscribes", "scrub", input="303 749 4120\n")
        self.assertEqual(p.stdout, "303 749 4120\n")

    def test_country_reads_numbers_without_a_country_code(self):
        p = scrub("unsubscribes", "scrub", "--country", "GB",
                input="020 3318 1250\n")
        self.assertEqual((p.returncode, p.stdout), (0, "020 3318 1250\n"))
        self.assertEqual(scrub("unsubscribes", "scrub", "--country", "XX",
                             input="a@example.com\n").returncode, 2)

    def test_an_unreadable_key_writes_nothing(self):
        with key_away(SITE):
            p = scrub("unsubscribes", "scrub", input="fresh@example.com\n")
        self.assertEqual((p.returncode, p.stdout), (2, ""))
        self.assertIn("secret.key", p.stderr)


class StatusCheck(unittest.TestCase):
    """The answer goes only to the address an entry holds: an erased entry
    holds none, so the check finds it registered and mails nobody."""

    def check(self, number):
        n = SITE.count("outbox")
        post("/privacy/do-not-call?check", {"check_phone": number,
                                            "check_country": "US"})
        self.assertEqual(SITE.count("outbox"), n)
        xml = SITE.query("SELECT xml FROM audit WHERE event = "
                         "'dnc-status-checked' ORDER BY seq DESC LIMIT 1")[0][0]
        return xml.decode() if isinstance(xml, bytes) else xml

    def test_an_erased_number_is_found_registered_and_nobody_mailed(self):
        xml = self.check("(303) 749-4110")
        self.assertIn('<detail name="answer">registered</detail>', xml)
        self.assertIn('<detail name="mailed">no</detail>', xml)
        # The number in every form it is written in; not its last four
        # digits alone, which a random request id or digest may hold.
        for number in ("3037494110", "303) 749-4110", "303 749 4110",
                       "749-4110"):
            self.assertNotIn(number, xml)
        self.assertNotIn("sup.one", xml)

    def test_a_number_registered_without_an_address_mails_nobody(self):
        xml = self.check("303 749 4120")
        self.assertIn('<detail name="answer">registered</detail>', xml)
        self.assertIn('<detail name="mailed">no</detail>', xml)

    def test_an_unknown_number_is_not_registered(self):
        xml = self.check("303 749 4160")
        self.assertIn('<detail name="answer">not-registered</detail>', xml)


class NothingErased(unittest.TestCase):
    """With no suppression rows, no key is read and no warning given."""

    @classmethod
    def setUpClass(cls):
        post("/privacy/do-not-call", {"phone": "303 749 4170",
                                      "country": "US"}, site=PLAIN)
        post("/privacy/unsubscribe", {"channel": "email",
                                      "email": "plain@example.com"},
             site=PLAIN)

    def test_scrub_works_without_the_key(self):
        with key_away(PLAIN):
            dnc = scrub("dnc", "scrub", site=PLAIN,
                      input="303 749 4170\n303 749 4171\n")
            mail = scrub("unsubscribes", "scrub", site=PLAIN,
                       input="Plain@example.com\nother@example.com\n")
        self.assertEqual((dnc.returncode, dnc.stdout), (0, "303 749 4171\n"),
                         dnc.stderr)
        self.assertEqual((mail.returncode, mail.stdout),
                         (0, "other@example.com\n"), mail.stderr)

    def test_exports_give_no_warning(self):
        for args in (("dnc", "export"), ("unsubscribes", "export")):
            p = run(*args, site=PLAIN)
            self.assertEqual((p.returncode, p.stderr), (0, ""), args)


if __name__ == "__main__":
    unittest.main()
