"""Anti-automation (lib/guard.h) through a real nginx, with SQLite and a
real SMTP server: the proof-of-work challenges and their payloads, solved
here as a browser's widget would; what a submission without a proof gets
(accepted under a tighter limit, or refused); the honeypot and the form's
stamp; rate limits per client network and per address mailed; and what
is never limited (one-click, verify links)."""

import base64
import hashlib
import hmac
import html
import json
import os
import re
import time
import unittest
import urllib.parse

from harness import (Site, cgi_status, fcgi_request, stamp_of, token_craft,
                     token_open, mail_config, teardown, assert_unchanged)
from smtp_server import Server

P = "/privacy"
PATHS = {"unsubscribe": P + "/unsubscribe", "do-not-call": P + "/do-not-call",
         "request": P + "/request", "feedback": P + "/feedback"}
DONE = {"unsubscribe": P + "/unsubscribe?done",
        "do-not-call": P + "/do-not-call?done",
        "request": P + "/request?sent", "feedback": P + "/feedback?done"}
CHECK = P + "/do-not-call?check"
VERIFY = P + "/request/verify"
ARTICLE = P + "/feedback/article"
# The difficulty each form is set to, different for each so that the
# challenge is seen to carry its own form's.
POW = {"unsubscribe": 2000, "do-not-call": 2100, "request": 2200,
       "feedback": 2300}
KEYS = {"unsubscribe": "unsubscribe", "do-not-call": "dnc",
        "request": "request", "feedback": "feedback"}
# The program a stamp names (app.h's form).
PROGRAMS = {"unsubscribe": "unsubscribe", "do-not-call": "do-not-call",
            "request": "data-request", "feedback": "feedback"}
# What a submission stores (and a trapped or refused one must not).
TABLES = ("optout", "dnc", "request", "request_event", "feedback",
          "article_vote", "audit", "outbox")
STALE = "It was open for a long time"
MOVED = "your connection changed while it was open"
TOO_FAST = "it was sent very soon after the page opened"
REFUSED = "turn JavaScript on"


def location(r):
    """Where r redirects to, an unsubscribe done page's token left out: it
    is new each time (test_unsubscribe checks what it holds)."""
    return re.sub(r"(/unsubscribe\?done)=[\w.-]+$", r"\1",
                  r.header("location") or "")

SITE = None     # proofs, limits, trusted_proxies = 127.0.0.1
SLOW = None     # form_min_seconds = 30, no trusted proxies
SMTP = None


def guard_mail_config(**extra):
    # Every request mails, so that the address limit is what stops it.
    return mail_config(SMTP, privacy_team="team@example.com",
                       request_repeat_minutes="0", **extra)


def setUpModule():
    global SITE, SLOW, SMTP
    SMTP = Server().start()
    guard = {"trusted_proxies": "127.0.0.1", "pow_minutes": "5",
             "unsubscribe_limit": "4/hour", "unsubscribe_limit_nojs": "2/hour",
             "unsubscribe_limit_ipv6_48": "6/hour",
             "dnc_limit_address": "2/hour",
             "request_without_js": "refuse", "request_limit": "2/hour",
             "request_limit_address": "3/hour",
             "feedback_limit_nojs": "3/hour", "vote_limit": "2/hour",
             "feedback_limit_revisions": "3/hour"}
    for form, n in POW.items():
        guard["%s_pow" % KEYS[form]] = str(n)
    SITE = Site(config=guard_mail_config(**guard)).start()
    # Long enough that a page and its POST fit in it on a loaded machine.
    SLOW = Site(config=guard_mail_config(form_min_seconds="30",
                                   vote_limit="2/hour")).start()


def tearDownModule():
    teardown(SITE, SLOW, SMTP)


# ---- visitors ----

_n = [0]


def fresh():
    _n[0] += 1
    return _n[0]


def client():
    """A new IPv4 client, as our proxy (127.0.0.1) reports it."""
    n = fresh()
    return "10.%d.%d.%d" % (n // 65536 % 256, n // 256 % 256, n % 256 or 1)


def address(tag="guard"):
    return "%s.%d.%d@example.com" % (tag, os.getpid(), fresh())


def phone():
    return "(303) 749-%04d" % (3000 + fresh())


def fields(form, **extra):
    """Valid fields for form: a new address or number each time."""
    f = {"unsubscribe": lambda: {"channel": "email", "email": address()},
         "do-not-call": lambda: {"phone": phone(), "country": "US"},
         "request": lambda: {"type": "access", "relationship": "customer",
                             "first_name": "Ada", "last_name": "Lovelace",
                             "email": address(), "country": "DE"},
         "feedback": lambda: {"type": "compliment", "message": "Nice site",
                              "rating": "great"}}[form]()
    f.update(extra)
    return {k: v for k, v in f.items() if v is not None}


def page_stamp(path, who=None, site=None):
    """The stamp of path's form page as client who is shown it (a stamp
    is good for its client's network only), or None (no form there)."""
    site = site or SITE
    form = urllib.parse.urlsplit(path).path
    if form not in PATHS.values():
        return None
    r = site.get(form, headers={"X-Forwarded-For": who} if who else None)
    return stamp_of(r.text)


def send(form, f, who=None, proof=None, site=None, path=None, **kw):
    """POST f to form (or path) from client who, with payload proof, and
    the stamp of the page shown to who unless kw says which."""
    f = dict(f)
    if proof is not None:
        f["altcha"] = proof
    headers = {"X-Forwarded-For": who} if who else None
    if who and "stamp" not in kw:
        kw["stamp"] = page_stamp(path or PATHS[form], who, site)
    return (site or SITE).post(path or PATHS[form], f, headers=headers, **kw)


def unsubscribe(who):
    """A valid unsubscribe from client who, with a fresh proof of work."""
    return send("unsubscribe", fields("unsubscribe"), who,
                proof("unsubscribe"))


def counts(site=None):
    return {t: (site or SITE).count(t) for t in TABLES}


def traps(form, reason, site=None):
    site = site or SITE
    rows = site.query("SELECT coalesce(sum(n), 0) FROM trap_count "
                      "WHERE form = ? AND reason = ?", (form, reason))
    return rows[0][0]


def send_mail(site=None):
    """Send what is queued; return the messages the server received."""
    return (site or SITE).send_mail(SMTP)


def mailed(to, site=None):
    return len([m for m in send_mail(site) if m["To"] == to])


# ---- proofs of work, as a widget makes them ----

def master(site=None):
    with open(os.path.join((site or SITE).dir, "secret.key")) as f:
        return bytes.fromhex(f.read().strip())


def pow_key(form, site=None):
    """A form signs its challenges with HMAC(pow key, its name) (guard.c)."""
    base = hmac.new(master(site), b"privforms pow key v1",
                    hashlib.sha256).digest()
    return hmac.new(base, form.encode(), hashlib.sha256).digest()


def challenge(form, site=None):
    r = (site or SITE).get(PATHS[form] + "/challenge")
    if r.status != 200:
        raise AssertionError(r)
    return json.loads(r.body)


def solve(c):
    for n in range(c["maxnumber"] + 1):
        if hashlib.sha256((c["salt"] + str(n)).encode()).hexdigest() == \
                c["challenge"]:
            return n
    raise AssertionError("no solution for %r" % c)


def payload(c, number):
    """What the widget posts in "altcha" (pow.h): base64 of compact JSON."""
    j = json.dumps({"algorithm": "SHA-256", "challenge": c["challenge"],
                    "number": number, "salt": c["salt"],
                    "signature": c["signature"]}, separators=(",", ":"))
    return base64.b64encode(j.encode()).decode()


def proof(form, site=None):
    c = challenge(form, site)
    return payload(c, solve(c))


def craft_challenge(expires, number=7, site=None, form="request"):
    """A challenge signed with form's pow key, expiring at expires."""
    salt = os.urandom(12).hex() + "?expires=%d&" % expires
    ch = hashlib.sha256((salt + str(number)).encode()).hexdigest()
    sig = hmac.new(pow_key(form, site), ch.encode(),
                   hashlib.sha256).hexdigest()
    return {"algorithm": "SHA-256", "challenge": ch, "maxnumber": 10,
            "salt": salt, "signature": sig}


# ---- stamps made here with the site's key (token.h) ----

def pseudonym(kind, value, site=None):
    """keys.h's pf_pseudonym, with the site's key."""
    key = hmac.new(master(site), b"privforms pseudonym key v1",
                   hashlib.sha256).digest()
    return hmac.new(key, ("%s:%s" % (kind, value)).encode(),
                    hashlib.sha256).hexdigest()


def craft_stamp(program, issued, expires, site=None, who="127.0.0.1",
                lang="en"):
    """A stamp of program's page shown to IPv4 client who at issued, in
    language lang (None: a stamp made before stamps had a language)."""
    fields = [program, str(issued), pseudonym("client", who, site)]
    return token_craft(site or SITE, "stamp", expires,
                       *(fields + ([lang] if lang is not None else [])))


def open_stamp(s, site=None):
    """The fields of stamp s (made by site): program, issued, client,
    language."""
    purpose, _, fields = token_open(site or SITE, s)
    if purpose != "stamp":
        raise AssertionError("not a stamp: %r" % purpose)
    return fields


def aged_stamp(form, who, site=None, age=60):
    """A genuine stamp of form's page as shown to who (an IPv4 address)
    age seconds ago: older than SLOW's form_min_seconds by default."""
    assert isinstance(who, str), who
    now = int(time.time())
    return craft_stamp(PROGRAMS[form], now - age, now + 3600, site, who)


def tamper(s, at=None):
    """s with one character changed (in the middle unless at)."""
    i = len(s) // 2 if at is None else at
    return s[:i] + ("A" if s[i] != "A" else "B") + s[i + 1:]


class Case(unittest.TestCase):
    def assert_nothing_stored(self, fn, site=None):
        return assert_unchanged(self, lambda: counts(site), fn)

    def assert_kept(self, r, *values):
        for v in values:
            self.assertIn('value="%s"' % v, r.text, r)

    def assert_limited(self, r, window):
        self.assertEqual(r.status, 429, r)
        retry = r.header("retry-after")
        self.assertRegex(retry or "", r"^[1-9][0-9]*$")
        self.assertLessEqual(int(retry), window)
        self.assertRegex(r.text, r"try again after \d\d:\d\d UTC")


class Challenges(Case):
    def test_each_form_gives_out_its_own_signed_challenge(self):
        for form in PATHS:
            r = SITE.get(PATHS[form] + "/challenge")
            self.assertEqual(r.status, 200, (form, r))
            self.assertTrue(r.header("content-type").startswith(
                "application/json"), r.headers)
            self.assertIn("no-store", r.header("cache-control") or "")
            c = json.loads(r.body)
            self.assertEqual(sorted(c), ["algorithm", "challenge",
                                         "maxnumber", "salt", "signature"])
            self.assertEqual(c["algorithm"], "SHA-256")
            self.assertEqual(c["maxnumber"], POW[form], form)
            m = re.fullmatch(r"[0-9a-f]{24}\?expires=(\d+)&", c["salt"])
            self.assertIsNotNone(m, c["salt"])
            left = int(m.group(1)) - time.time()
            self.assertTrue(240 < left <= 301, left)   # pow_minutes = 5
            self.assertEqual(c["signature"], hmac.new(
                pow_key(form), c["challenge"].encode(),
                hashlib.sha256).hexdigest())
            self.assertLessEqual(solve(c), POW[form])

    def test_every_challenge_is_new(self):
        for form in PATHS:
            a, b = challenge(form), challenge(form)
            self.assertNotEqual(a["signature"], b["signature"])
            self.assertNotEqual(a["salt"], b["salt"])

    def test_post_there_is_405(self):
        for form in PATHS:
            r = SITE.post(PATHS[form] + "/challenge", {}, stamp=False)
            self.assertEqual(r.status, 405, (form, r))
            self.assertIn("GET", r.header("allow"))

    def test_getting_challenges_changes_nothing(self):
        tables = TABLES + ("pow_spent",)
        before = [SITE.count(t) for t in tables]
        for form in PATHS:
            for _ in range(3):
                challenge(form)
        self.assertEqual([SITE.count(t) for t in tables], before)

    def test_votes_have_no_challenge(self):
        self.assertEqual(SITE.get(ARTICLE + "/challenge").status, 404)


class Proofs(Case):
    def test_the_widgets_payload_is_accepted_on_every_form(self):
        for form, table in (("unsubscribe", "optout"), ("do-not-call", "dnc"),
                            ("request", "request"), ("feedback", "feedback")):
            before = SITE.count(table)
            r = send(form, fields(form), client(), proof(form))
            self.assertEqual(r.status, 303, (form, r))
            self.assertEqual(SITE.count(table), before + 1, form)

    def test_a_replay_counts_as_no_proof(self):
        who, p = client(), proof("unsubscribe")
        self.assertEqual(send("unsubscribe", fields("unsubscribe"), who,
                              p).status, 303)
        # Stored, but under the no-proof limit (2/hour): the replay is one.
        self.assertEqual(send("unsubscribe", fields("unsubscribe"), who,
                              p).status, 303)
        self.assertEqual(send("unsubscribe", fields("unsubscribe"),
                              who).status, 303)
        r = self.assert_nothing_stored(lambda: send(
            "unsubscribe", fields("unsubscribe"), who, p))
        self.assert_limited(r, 3600)
        # A fresh proof is still welcome: the client's own limit is 4.
        self.assertEqual(unsubscribe(who).status, 303)

    def test_a_replay_is_refused_where_no_proof_is(self):
        p = proof("request")
        self.assertEqual(send("request", fields("request"), client(),
                              p).status, 303)
        f = fields("request")
        r = self.assert_nothing_stored(lambda: send("request", f, client(), p))
        self.assertEqual(r.status, 403, r)
        self.assertIn(REFUSED, r.text)
        self.assert_kept(r, f["email"])

    def test_payloads_that_prove_nothing(self):
        a, b = challenge("request"), challenge("request")
        n = solve(a)
        other = dict(a, signature=b["signature"])
        later = dict(a, salt=a["salt"].replace("?expires=", "?expires=9"))
        past = craft_challenge(int(time.time()) - 10)
        easy = challenge("unsubscribe")
        for name, p in (
                ("another form's (easier) challenge",
                 payload(easy, solve(easy))),
                ("wrong number", payload(a, (n + 1) % (a["maxnumber"] + 1))),
                ("another challenge's signature", payload(other, n)),
                ("tampered expiry", payload(later, n)),
                ("expired", payload(past, 7)),
                ("not base64", "%%%"),
                ("not JSON", base64.b64encode(b"nope").decode()),
                ("spaced JSON", base64.b64encode(json.dumps(
                    {"algorithm": "SHA-256", "challenge": a["challenge"],
                     "number": n, "salt": a["salt"],
                     "signature": a["signature"]}).encode()).decode())):
            f = fields("request")
            r = self.assert_nothing_stored(
                lambda: send("request", f, client(), p))
            self.assertEqual(r.status, 403, (name, r))
            self.assert_kept(r, f["email"])
        # The genuine one still works afterwards.
        self.assertEqual(send("request", fields("request"), client(),
                              payload(a, n)).status, 303)

    def test_a_crafted_current_challenge_shows_the_key_is_right(self):
        c = craft_challenge(int(time.time()) + 120)
        self.assertEqual(send("request", fields("request"), client(),
                              payload(c, 7)).status, 303)


class NoJavaScript(Case):
    def test_accepted_until_the_nojs_limit(self):
        who = client()
        for _ in range(2):
            f = fields("unsubscribe")
            r = send("unsubscribe", f, who)
            self.assertEqual(r.status, 303, r)
            self.assertEqual(SITE.query("SELECT count(*) FROM optout WHERE "
                                        "address = ?", (f["email"],)),
                             [(1,)])
        f = fields("unsubscribe", reason="keep this")
        r = self.assert_nothing_stored(lambda: send("unsubscribe", f, who))
        self.assert_limited(r, 3600)
        self.assert_kept(r, f["email"])
        self.assertIn("keep this", r.text)
        # Another client without JavaScript is not held back.
        self.assertEqual(send("unsubscribe", fields("unsubscribe"),
                              client()).status, 303)

    def test_refused_with_how_to_proceed_and_values_kept(self):
        f = fields("request", first_name="Grace", details="my <data>")
        r = self.assert_nothing_stored(lambda: send("request", f, client()))
        self.assertEqual(r.status, 403, r)
        self.assertIn(REFUSED, r.text)
        self.assertIn("Verified", r.text)
        self.assert_kept(r, f["email"], "Grace")
        self.assertIn("my &lt;data&gt;", r.text)
        self.assertIsNone(r.header("retry-after"))
        self.assertIsNotNone(stamp_of(r.text))

    def test_a_proved_submission_is_accepted_on_a_refusing_form(self):
        f = fields("request")
        before = SITE.count("request")
        r = send("request", f, client(), proof("request"))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("location"), DONE["request"])
        self.assertEqual(SITE.count("request"), before + 1)
        self.assertEqual(mailed(f["email"]), 1)


class ClientLimits(Case):
    def test_429_after_the_limit_with_retry_after_and_values_kept(self):
        who = client()
        for _ in range(4):
            self.assertEqual(unsubscribe(who).status, 303)
        f = fields("unsubscribe", reason="once more")
        r = self.assert_nothing_stored(lambda: send(
            "unsubscribe", f, who, proof("unsubscribe")))
        self.assert_limited(r, 3600)
        self.assert_kept(r, f["email"])
        self.assertIn("once more", r.text)
        self.assertIn("Nothing was stored", r.text)
        # Someone else behind the same proxy is not.
        self.assertEqual(unsubscribe(client()).status, 303)

    def test_a_completed_entrys_token_does_not_lift_the_feedback_limit(self):
        # Step 1 carrying the token of a completed entry makes a new entry:
        # it is limited like any other (feedback_limit_nojs = 3/hour).
        who = client()
        r = send("feedback", fields("feedback"), who)
        self.assertEqual(r.status, 303, r)
        t = re.search(r"[?&]t=([^&]+)", r.header("location")).group(1)
        r = send("feedback", {"t": t}, who,
                 path=PATHS["feedback"] + "?step=2")
        self.assertEqual(r.status, 303, r)
        got = [send("feedback", dict(fields("feedback"), t=t), who).status
               for _ in range(3)]
        self.assertEqual(got, [303, 303, 429])

    def test_an_ipv6_64_is_one_client(self):
        for host in ("2001:db8:77:1::1", "2001:db8:77:1::2",
                     "2001:db8:77:1:abcd:ef01:2345:6789",
                     "2001:0db8:0077:0001:0000:0000:0000:ffff"):
            self.assertEqual(unsubscribe(host).status, 303, host)
        r = self.assert_nothing_stored(lambda: unsubscribe("2001:db8:77:1::9"))
        self.assert_limited(r, 3600)
        self.assertEqual(unsubscribe("2001:db8:77:2::1").status, 303)

    def test_an_ipv6_48_has_a_limit_of_its_own(self):
        # Each /64 is a client of its own, but the /48 they share (one
        # site's) allows 6 in all (issue 26 item 4).
        got = [unsubscribe("2001:db8:78:%x::1" % i).status
               for i in range(1, 8)]
        self.assertEqual(got, [303] * 6 + [429])
        r = self.assert_nothing_stored(
            lambda: unsubscribe("2001:db8:78:ffff::1"))
        self.assert_limited(r, 3600)
        self.assertEqual(unsubscribe("2001:db8:79:1::1").status, 303)

    def test_x_forwarded_for_is_ignored_without_trusted_proxies(self):
        # SLOW trusts no proxy: every vote below is 127.0.0.1's, whatever
        # the header says.  (Votes carry no stamp, so SLOW's
        # form_min_seconds does not apply to them.)
        before = SLOW.count("article_vote")
        for i in range(2):
            r = send("vote", {"article": "xff-%d" % i, "helpful": "no"},
                     client(), site=SLOW, path=ARTICLE)
            self.assertEqual(r.status, 303, r)
        self.assertEqual(SLOW.count("article_vote"), before + 2)
        r = self.assert_nothing_stored(lambda: send(
            "vote", {"article": "xff-9", "helpful": "no"}, client(),
            site=SLOW, path=ARTICLE), SLOW)
        self.assert_limited(r, 3600)


def feedback_started(who):
    """Step 1 of a new feedback entry from who: its step-2 token."""
    r = send("feedback", fields("feedback"), who, proof("feedback"))
    if r.status != 303:
        raise AssertionError(r)
    return re.search(r"[?&]t=([^&]+)", r.header("location")).group(1)


class FeedbackRevisions(Case):
    """Step 1 posted again with an open entry's token (Back, then Next)
    revises the entry: one audit record each, so limited on its own
    (feedback_limit_revisions = 3/hour), per client and per entry (issue
    26 item 2)."""

    def start(self, who):
        return feedback_started(who)

    def revise(self, who, t, **extra):
        return send("feedback", dict(fields("feedback", **extra), t=t), who)

    def revised(self):
        return SITE.query("SELECT count(*) FROM audit WHERE event = "
                          "'feedback-revised'")[0][0]

    def test_one_clients_revisions(self):
        who = client()
        a, b = self.start(who), self.start(who)
        before = self.revised()
        got = [self.revise(who, a).status, self.revise(who, a).status,
               self.revise(who, b).status]
        self.assertEqual(got, [303] * 3)
        r = self.assert_nothing_stored(lambda: self.revise(
            who, b, message="still here"))
        self.assert_limited(r, 3600)
        self.assertIn("still here", r.text)
        self.assertEqual(self.revised(), before + 3)
        # A new entry is no revision: the client's limits still allow it.
        self.start(who)

    def test_one_entrys_revisions_from_many_clients(self):
        t = self.start(client())
        before = self.revised()
        got = [self.revise(client(), t).status for _ in range(5)]
        self.assertEqual(got, [303] * 3 + [429] * 2)
        self.assertEqual(self.revised(), before + 3)


class AddressLimits(Case):
    def test_requests_to_one_address_from_many_clients(self):
        to = address("target")
        statuses = []
        for i in range(6):
            f = fields("request", email=to, type=("access", "deletion",
                       "portability", "restriction", "objection",
                       "correction")[i], details="Please.")
            statuses.append(send("request", f, client(),
                                 proof("request")).status)
        self.assertEqual(statuses, [303] * 3 + [429] * 3)
        self.assertEqual(mailed(to), 3)
        # Nothing more was queued for it; another address is still fine.
        other = address("other")
        self.assertEqual(send("request", fields("request", email=other),
                              client(), proof("request")).status, 303)
        sent = [m["To"] for m in send_mail()]
        self.assertEqual((sent.count(to), sent.count(other)), (0, 1))

    def test_the_limit_is_kept_whatever_the_case_of_the_address(self):
        to = address("case")
        for spelling in (to, to.upper(), to.title()):
            self.assertEqual(send("request", fields("request", email=spelling),
                                  client(), proof("request")).status, 303)
        r = self.assert_nothing_stored(lambda: send(
            "request", fields("request", email=to.upper()), client(),
            proof("request")))
        self.assert_limited(r, 3600)
        self.assert_kept(r, to.upper())

    def test_a_plus_tag_does_not_make_another_address(self):
        # jane+1@, jane+2@ ... are jane@'s mailbox: one allowance for all
        # (issue 26 item 4); each request keeps the address as typed.
        local, domain = address("tagged").split("@")
        got, typed = [], []
        for i, tag in enumerate(("", "+1", "+news", "+1", "+x+y")):
            typed.append("%s%s@%s" % (local, tag, domain))
            f = fields("request", email=typed[-1], type=(
                "access", "deletion", "portability", "restriction",
                "objection")[i])
            got.append(send("request", f, client(), proof("request")).status)
        self.assertEqual(got, [303] * 3 + [429] * 2)
        self.assertEqual(sorted(e for (e,) in SITE.query(
            "SELECT email FROM request WHERE email LIKE ?", (local + "%",))),
            sorted(typed[:3]))
        # A "+" that starts the local part is no tag.
        other = "+%s@%s" % (local, domain)
        self.assertEqual(send("request", fields("request", email=other),
                              client(), proof("request")).status, 303)

    def test_status_checks_mail_the_registrant_within_its_limit_silently(self):
        # The answer goes to the address stored with the entry, whoever
        # asks; that address's limit is counted, but a 429 would tell the
        # asker that the number has an address, so nothing shows.
        to, number = address("check"), phone()
        self.assertEqual(send("do-not-call", {"phone": number, "country": "US",
                                              "email": to}, client()).status,
                         303)       # the confirmation: one of two
        statuses = [send("do-not-call", {"check_phone": number,
                                         "check_country": "US"},
                         client(), path=CHECK).status for _ in range(4)]
        self.assertEqual(statuses, [303] * 4)
        self.assertEqual(mailed(to), 2)     # the confirmation, one answer
        other, number = address("check-other"), phone()
        send("do-not-call", {"phone": number, "country": "US",
                             "email": other}, client())
        r = send("do-not-call", {"check_phone": number, "check_country": "US"},
                 client(), path=CHECK)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(mailed(other), 2)


class Honeypot(Case):
    def test_a_filled_honeypot_looks_like_success_and_stores_nothing(self):
        for form in PATHS:
            before_traps = traps(form, "honeypot")
            f = fields(form, website="http://spam.example/")
            r = self.assert_nothing_stored(lambda: send(form, f, client()))
            self.assertEqual(r.status, 303, (form, r))
            self.assertEqual(location(r), DONE[form], form)
            self.assertEqual(traps(form, "honeypot"), before_traps + 1, form)

    def test_a_real_submission_has_the_same_answer(self):
        for form in ("unsubscribe", "do-not-call", "request"):
            r = send(form, fields(form), client(), proof(form))
            self.assertEqual((r.status, location(r)),
                             (303, DONE[form]), form)

    def test_a_filled_honeypot_with_invalid_fields_is_still_a_trap(self):
        before = traps("unsubscribe", "honeypot")
        r = self.assert_nothing_stored(lambda: send(
            "unsubscribe", {"channel": "fax", "website": "x"}, client()))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(traps("unsubscribe", "honeypot"), before + 1)

    def test_a_trapped_vote_looks_like_one(self):
        before = traps("vote", "honeypot")
        r = self.assert_nothing_stored(lambda: send(
            "vote", {"article": "trap-article", "helpful": "yes",
                     "website": "spam"}, client(), path=ARTICLE))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("location"), ARTICLE + "?thanks")
        self.assertEqual(traps("vote", "honeypot"), before + 1)


class Timing(Case):
    """On SLOW: a form sent less than 30 seconds after it was shown."""

    def fresh_stamp(self, form):
        r = SLOW.get(PATHS[form])
        self.assertEqual(r.status, 200, r)
        return stamp_of(r.text)

    def test_too_fast_gets_the_form_back_never_a_success_page(self):
        # Autofill, then Enter, JavaScript off: a person must never be told
        # that something was done which was not (issue 27 item 2).  The
        # form comes back with what was typed, a new stamp and one
        # sentence; it is still counted as a trap.
        check = {"check_phone": phone(), "check_country": "US"}
        for form, path, f, shown in (
                ("unsubscribe", None, fields("unsubscribe"), "email"),
                ("do-not-call", None, fields("do-not-call"), "phone"),
                ("do-not-call", CHECK, check, "check_phone"),
                ("request", None, fields("request"), "email"),
                ("feedback", None, fields("feedback", message="typed <here>"),
                 "message")):
            before = traps(form, "too-fast", SLOW)
            s = self.fresh_stamp(form)
            shown_at = int(time.time())
            r = self.assert_nothing_stored(lambda: send(
                form, f, site=SLOW, path=path, stamp=s), SLOW)
            self.assertEqual(r.status, 422, (form, r))
            self.assertIsNone(r.header("location"))
            self.assertIn(TOO_FAST, r.text, form)
            self.assertIn(html.escape(f[shown], quote=False), r.text, form)
            new = stamp_of(r.text)
            self.assertNotIn(new, (None, s), form)
            program, issued, who, lang = open_stamp(new, SLOW)
            self.assertEqual(program, PROGRAMS[form])
            self.assertEqual(lang, "en")
            # time(2), which the stamp's time comes from, reads a clock
            # that may lag time.time()'s by a tick: a second's edge.
            self.assertGreaterEqual(int(issued), shown_at - 1)
            self.assertEqual(who, pseudonym("client", "127.0.0.1", SLOW))
            self.assertEqual(traps(form, "too-fast", SLOW), before + 1, form)

    def test_too_fast_then_a_genuine_wait_is_stored(self):
        # The new stamp counts from when the form came back: sent with a
        # stamp shown long enough ago, the same values are stored.
        f = fields("unsubscribe")
        r = send("unsubscribe", f, site=SLOW,
                 stamp=self.fresh_stamp("unsubscribe"))
        self.assertEqual(r.status, 422, r)
        r = send("unsubscribe", f, site=SLOW,
                 stamp=aged_stamp("unsubscribe", "127.0.0.1", SLOW))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(SLOW.query("SELECT count(*) FROM optout WHERE "
                                    "address = ?", (f["email"],)), [(1,)])

    def test_too_fast_with_invalid_fields_says_what_to_fix(self):
        before = traps("request", "too-fast", SLOW)
        s = self.fresh_stamp("request")
        r = self.assert_nothing_stored(lambda: send(
            "request", fields("request", email="not-an-address"), site=SLOW,
            stamp=s), SLOW)
        self.assertEqual(r.status, 422, r)
        self.assertIn('value="not-an-address"', r.text)
        self.assertEqual(stamp_of(r.text), s)
        self.assertEqual(traps("request", "too-fast", SLOW), before)

    def test_after_waiting_it_is_stored_and_a_quick_fix_is_not_too_fast(self):
        # The stamps of pages shown a minute ago.
        s = {form: aged_stamp(form, "127.0.0.1", SLOW)
             for form in ("unsubscribe", "request")}
        # The form shown again keeps the time it was first shown ...
        bad = send("unsubscribe", {"channel": "email", "email": "x"},
                   site=SLOW, stamp=s["unsubscribe"])
        self.assertEqual(bad.status, 422, bad)
        again = stamp_of(bad.text)
        self.assertEqual(again, s["unsubscribe"])
        # ... so sending it at once after fixing the address is fine.
        before = counts(SLOW)
        r = send("unsubscribe", fields("unsubscribe"), site=SLOW, stamp=again)
        self.assertEqual(r.status, 303, r)
        f = fields("request")
        r = send("request", f, site=SLOW, stamp=s["request"])
        self.assertEqual(r.status, 303, r)
        after = counts(SLOW)
        self.assertEqual(after["optout"], before["optout"] + 1)
        self.assertEqual(after["request"], before["request"] + 1)
        self.assertEqual(mailed(f["email"], SLOW), 1)


class Stamps(Case):
    def refused(self, stamp, form="unsubscribe", why=STALE):
        """stamp (or stamp(who) for a new client who) is refused."""
        who = client()
        if callable(stamp):
            stamp = stamp(who)
        f = fields(form, reason="kept") if form == "unsubscribe" else \
            fields(form)
        r = self.assert_nothing_stored(lambda: send(
            form, f, who, proof(form), stamp=stamp))
        self.assertEqual(r.status, 422, r)
        self.assertIn(why, r.text)
        if form == "unsubscribe":
            self.assert_kept(r, f["email"])
            self.assertIn("kept", r.text)
        # The form comes back with a stamp of its own to send it with.
        new = stamp_of(r.text)
        self.assertIsNotNone(new)
        self.assertNotEqual(new, stamp)
        r = send(form, f, who, proof(form), stamp=new)
        self.assertEqual(r.status, 303, r)

    def test_missing(self):
        self.refused(False)
        self.refused("")

    def test_forged(self):
        def forged(how):
            return lambda who: how(page_stamp(PATHS["unsubscribe"], who))
        self.refused(forged(tamper))
        self.refused(forged(lambda s: tamper(s, at=len(s) - 2)))
        self.refused(forged(lambda s: s + "x"))

    def test_another_programs(self):
        self.refused(lambda who: page_stamp(PATHS["request"], who))
        self.refused(lambda who: page_stamp(PATHS["unsubscribe"], who),
                     "do-not-call")

    def test_expired(self):
        now = int(time.time())
        self.refused(lambda who: craft_stamp("unsubscribe", now - 7200,
                                             now - 1, who=who))
        self.refused(lambda who: craft_stamp("data-request", now - 7200,
                                             now - 1, who=who), "request")

    def test_garbage_in_a_genuine_stamp(self):
        far = int(time.time()) + 3600
        for issued in ("", "x", "12x", "1.5"):
            self.refused(lambda who: craft_stamp("unsubscribe", issued, far,
                                                 who=who))

    def test_a_crafted_stamp_is_taken_so_the_crafting_is_right(self):
        who = client()
        r = send("unsubscribe", fields("unsubscribe"), who,
                 proof("unsubscribe"), stamp=aged_stamp("unsubscribe", who))
        self.assertEqual(r.status, 303, r)

    def test_another_networks_stamp(self):
        # One page fetch stamps one client network's forms (issue 26 item
        # 5): others get the form back, values kept, with a stamp of their
        # own and a sentence saying why.
        mine = client()
        s = page_stamp(PATHS["unsubscribe"], mine)
        for _ in range(3):
            self.refused(s, why=MOVED)
        self.refused(lambda who: aged_stamp("unsubscribe", mine), why=MOVED)
        r = send("unsubscribe", fields("unsubscribe"), mine,
                 proof("unsubscribe"), stamp=s)
        self.assertEqual(r.status, 303, r)

    def test_an_ipv6_host_keeps_its_stamp_within_its_64(self):
        s = page_stamp(PATHS["unsubscribe"], "2001:db8:90:1::1")
        r = send("unsubscribe", fields("unsubscribe"), "2001:db8:90:1::abcd",
                 proof("unsubscribe"), stamp=s)
        self.assertEqual(r.status, 303, r)
        r = send("unsubscribe", fields("unsubscribe"), "2001:db8:90:2::1",
                 proof("unsubscribe"), stamp=s)
        self.assertEqual(r.status, 422, r)
        self.assertIn(MOVED, r.text)

    def test_a_genuine_stamp_comes_back_with_the_form(self):
        who = client()
        s = aged_stamp("request", who)
        r = send("request", fields("request", email="bad"), who,
                 proof("request"), stamp=s)
        self.assertEqual(r.status, 422, r)
        self.assertNotIn(STALE, r.text)
        self.assertEqual(stamp_of(r.text), s)

    def test_a_stamp_from_before_languages_is_taken_and_sealed_again(self):
        # A form shown before the upgrade: its stamp has no language.
        who = client()
        now = int(time.time())
        s = craft_stamp(PROGRAMS["request"], now - 60, now + 3600, who=who,
                        lang=None)
        r = send("request", fields("request", email="bad"), who,
                 proof("request"), stamp=s)
        self.assertEqual(r.status, 422, r)
        self.assertNotIn(STALE, r.text)
        self.assertEqual(open_stamp(stamp_of(r.text)),
                         [PROGRAMS["request"], str(now - 60),
                          pseudonym("client", who), "en"])
        r = send("request", fields("request"), who, proof("request"),
                 stamp=s)
        self.assertEqual(r.status, 303, r)

    def test_a_bad_stamp_and_bad_fields_say_both(self):
        r = self.assert_nothing_stored(lambda: send(
            "unsubscribe", {"channel": "email", "email": "bad"}, client(),
            stamp=False))
        self.assertEqual(r.status, 422, r)
        self.assertIn(STALE, r.text)
        self.assert_kept(r, "bad")


class NeverLimited(Case):
    def test_one_click_is_never_limited(self):
        who = client()
        for _ in range(4):
            unsubscribe(who)
        self.assert_limited(unsubscribe(who), 3600)
        for i in range(6):
            url = SITE.privforms("unsubscribe-link", "--email",
                                 address("click")).stdout.strip()
            path = url.split(str(SITE.port), 1)[1]
            r = SITE.request("POST", path, body=b"List-Unsubscribe=One-Click",
                             headers={"Content-Type":
                                      "application/x-www-form-urlencoded",
                                      "X-Forwarded-For": who})
            self.assertEqual(r.status, 200, (i, r))

    def test_verify_links_are_never_limited(self):
        who, links = client(), []
        for _ in range(2):
            f = fields("request")
            self.assertEqual(send("request", f, who, proof("request")).status,
                             303)
            body = [m for m in send_mail() if m["To"] == f["email"]][0]
            m = re.search(r"/privacy/request/verify\?t=([A-Za-z0-9_.-]+)",
                          body.get_content())
            links.append(m.group(1))
        self.assert_limited(send("request", fields("request"), who,
                                 proof("request")), 3600)
        for t in links * 3:
            r = SITE.post(VERIFY, {"t": t}, headers={"X-Forwarded-For": who})
            self.assertEqual(r.status, 303, r)


class Votes(Case):
    def vote(self, who, article, **extra):
        f = {"article": article, "helpful": "yes"}
        f.update(extra)
        return send("vote", f, who, path=ARTICLE)

    def test_vote_limit(self):
        who = client()
        for i in range(2):
            r = self.vote(who, "limit-%d" % i)
            self.assertEqual(r.status, 303, r)
        r = self.assert_nothing_stored(lambda: self.vote(
            who, "limit-9", comment="still here"))
        self.assert_limited(r, 3600)
        self.assertIn("still here", r.text)
        self.assertEqual(self.vote(client(), "limit-9").status, 303)


class CrossSite(Case):
    """A form POSTed from another website's page is refused (403) with a
    page that says so; what the browser says decides (issue 26 item 6).
    The article vote and RFC 8058 one-click are meant to come from
    elsewhere, and posts without these headers (old browsers, curl, the
    other tests) pass."""

    OTHER = "https://attacker.example"
    SAID = "from a page of another website"

    def post(self, form, f, headers, path=None, who=None):
        who = who or client()
        h = {"X-Forwarded-For": who}
        h.update(headers)
        return SITE.post(path or PATHS[form], dict(f),
                         stamp=page_stamp(path or PATHS[form], who),
                         headers=h)

    def forms(self):
        """Every form POST that is refused: (name, form, fields, path)."""
        t = feedback_started(client())
        return [("unsubscribe", "unsubscribe", fields("unsubscribe"), None),
                ("register", "do-not-call", fields("do-not-call"), None),
                ("status check", "do-not-call",
                 {"check_phone": phone(), "check_country": "US"}, CHECK),
                ("request", "request",
                 dict(fields("request"), altcha=proof("request")), None),
                ("verify", "request", {"t": "whatever"}, VERIFY),
                ("feedback step 1", "feedback", fields("feedback"), None),
                ("feedback step 2", "feedback", {"t": t},
                 PATHS["feedback"] + "?step=2")]

    def test_cross_site_and_foreign_origins_are_refused(self):
        for headers in ({"Sec-Fetch-Site": "cross-site"},
                        {"Sec-Fetch-Site": "cross-site",
                         "Origin": "http://127.0.0.1:%d" % SITE.port},
                        {"Origin": self.OTHER},
                        {"Origin": "http://127.0.0.1:%d" % (SITE.port + 1)}):
            for name, form, f, path in self.forms():
                r = self.assert_nothing_stored(
                    lambda: self.post(form, f, headers, path))
                self.assertEqual(r.status, 403, (headers, name, r))
                self.assertIn(self.SAID, r.text, name)

    def test_malformed_and_oversized_origins_are_refused(self):
        # No browser sends these: whatever sends one is refused, with our
        # page, and nothing it carries is reflected.
        ours = "127.0.0.1:%d" % SITE.port
        for origin in ("x" * 4000, "http://" + "a" * 4000, "https://",
                       "://", ours, "http://%s/privacy/" % ours,
                       "http://%s.attacker.example" % ours,
                       "http://%s <b>" % ours, "http://é.example"):
            r = self.assert_nothing_stored(lambda: self.post(
                "unsubscribe", fields("unsubscribe"), {"Origin": origin}))
            self.assertEqual(r.status, 403, (origin[:40], r))
            self.assertIn(self.SAID, r.text)
            self.assertNotIn("<b>", r.text)

    def test_our_own_pages_and_typed_addresses_pass(self):
        for headers in ({"Sec-Fetch-Site": "same-origin"},
                        {"Sec-Fetch-Site": "same-site",
                         "Origin": "https://help.example"},
                        {"Sec-Fetch-Site": "none"},
                        # What chromium sends from our pages: their
                        # Referrer-Policy (no-referrer) makes Origin null.
                        {"Sec-Fetch-Site": "same-origin", "Origin": "null"},
                        {"Origin": "null"},
                        {"Origin": "http://127.0.0.1:%d" % SITE.port},
                        {"Origin": "HTTP://127.0.0.1:%d" % SITE.port},
                        # A name of the site other than base_url's.
                        {"Origin": "https://www.example.test",
                         "Host": "www.example.test"},
                        {}):
            f = fields("unsubscribe")
            r = self.post("unsubscribe", f, headers)
            self.assertEqual(r.status, 303, (headers, r))
            self.assertEqual(SITE.query("SELECT count(*) FROM optout WHERE "
                                        "address = ?", (f["email"],)),
                             [(1,)])

    def test_votes_and_one_click_may_come_from_anywhere(self):
        cross = {"Sec-Fetch-Site": "cross-site", "Origin": self.OTHER}
        r = self.post("vote", {"article": "embedded", "helpful": "yes"},
                      cross, path=ARTICLE)
        self.assertEqual(r.status, 303, r)
        url = SITE.privforms("unsubscribe-link", "--email",
                             address("oneclick")).stdout.strip()
        r = SITE.request("POST", url.split(str(SITE.port), 1)[1],
                         body=b"List-Unsubscribe=One-Click",
                         headers=dict(cross, **{
                             "Content-Type":
                             "application/x-www-form-urlencoded"}))
        self.assertEqual(r.status, 200, r)

    def test_a_base_url_with_its_default_port_is_the_same_origin(self):
        site = Site(config={"base_url": "https://forms.example:443"}).start()
        try:
            for origin, status in (("https://forms.example", 303),
                                   ("https://FORMS.example:443", 303),
                                   ("http://forms.example", 403)):
                r = site.post(PATHS["unsubscribe"], fields("unsubscribe"),
                              headers={"Origin": origin})
                self.assertEqual(r.status, status, (origin, r))
        finally:
            self.assertEqual(site.stop(), [])


class UnknownClients(Case):
    """Requests whose REMOTE_ADDR is no IP address (a server that passes
    none, a proxy on a Unix socket) are one client, "unknown": limits and
    votes hold for all of them together (issue 26 item 3)."""

    def fcgi(self, program, path, remote, fields=None):
        """One request straight to program's socket; (status, page)."""
        p = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": path}
        if remote is not None:
            p["REMOTE_ADDR"] = remote
        body = b""
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            p.update(REQUEST_METHOD="POST", CONTENT_LENGTH=str(len(body)),
                     CONTENT_TYPE="application/x-www-form-urlencoded")
        out, done = fcgi_request(SITE.socket_path(program), p, body)
        self.assertTrue(done)
        return cgi_status(out), out.decode("utf-8", "replace")

    def test_votes_share_one_limit(self):
        got = [self.fcgi("feedback", ARTICLE, remote,
                         {"article": "unknown-%d" % i, "helpful": "yes"})[0]
               for i, remote in enumerate(("unix:", None, "unix:"))]
        self.assertEqual(got, [303, 303, 429])    # vote_limit = 2/hour
        with open(os.path.join(SITE.dir, "run", "feedback.log")) as f:
            log = f.read()
        self.assertRegex(log, r"REMOTE_ADDR is (missing|not an IP address)"
                         r".*one client.*INSTALL")

    def test_a_form_without_proof_shares_one_nojs_limit(self):
        got = []
        for remote in ("unix:", "", "garbage", "unix:"):
            _, page = self.fcgi("unsubscribe", PATHS["unsubscribe"], remote)
            f = dict(fields("unsubscribe"), pf_stamp=stamp_of(page))
            got.append(self.fcgi("unsubscribe", PATHS["unsubscribe"], remote,
                                 f)[0])
        self.assertEqual(got, [303, 303, 429, 429])  # 2/hour without proof


class Hostile(Case):
    def test_huge_and_garbage_payloads_prove_nothing(self):
        for p in ("A" * 5000, "<script>alert(1)</script>",
                  base64.b64encode(b'{"salt":"<script>"}').decode(),
                  base64.b64encode(b"\xff\xfe\x00").decode(), "\u00e9" * 300):
            f = fields("request")
            r = self.assert_nothing_stored(lambda: send(
                "request", f, client(), p))
            self.assertEqual(r.status, 403, r)
            self.assertNotIn("<script>", r.text)
            self.assertNotIn("AAAAAAAA", r.text)

    def test_markup_in_the_stamp_is_not_reflected(self):
        for s in ("<b>stamp</b>", "\"><script>alert(1)</script>", "\u00e9\u2028"):
            r = self.assert_nothing_stored(lambda: send(
                "unsubscribe", fields("unsubscribe"), client(), stamp=s))
            self.assertEqual(r.status, 422, r)
            self.assertNotIn("<b>stamp", r.text)
            self.assertNotIn("<script>", r.text)

    def test_invalid_utf8_in_guard_fields(self):
        base = (b"type=access&relationship=customer&first_name=Ada&"
                b"last_name=Lovelace&country=DE&email=utf8%40example.com")
        who = client()
        stamp = b"&pf_stamp=" + page_stamp(PATHS["request"], who).encode()
        bad = b"=%FF%FEab%C0%80%ED%A0%80"
        for body, status in ((base + b"&pf_stamp" + bad, 422),
                             (base + stamp + b"&altcha" + bad, 403),
                             (base + stamp + b"&website" + bad, 303)):
            r = self.assert_nothing_stored(lambda: SITE.post(
                PATHS["request"], body, headers={"X-Forwarded-For": who}))
            self.assertEqual(r.status, status, (body, r))
            self.assertNotIn(b"\xff\xfe", r.body)

    def test_crlf_in_the_honeypot_goes_nowhere(self):
        r = self.assert_nothing_stored(lambda: send(
            "unsubscribe", fields("unsubscribe",
                                  website="x\r\nLocation: http://evil.example/"),
            client()))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(location(r), DONE["unsubscribe"])
        self.assertNotIn("evil", repr(r.headers))


if __name__ == "__main__":
    unittest.main()
