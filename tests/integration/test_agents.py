"""Requests made on someone else's behalf (lib/agent.h) through a real
nginx and a real SMTP server: the form's "on behalf of someone else", the
mail that asks the person themselves, their two answers, and that nothing
is disclosed before they confirm; laws without agents, forged and expired
links, hostile agent fields."""

import html
import os
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from harness import (SRC, address, export_page, mail_link as link,
                     mail_site, teardown, token_craft)

FORM = "/privacy/request"
VERIFY = FORM + "/verify"
XSD = os.path.join(SRC, "etc", "request-export.xsd")
TEAM = "privacy-team@example.com"
SITE = None
SMTP = None
AGENT_NAME = "Agency <b>Bold</b> & Co"


def setUpModule():
    global SITE, SMTP
    SITE, SMTP = mail_site(privacy_team=TEAM)


def tearDownModule():
    teardown(SITE, SMTP)


def fields(**extra):
    f = {"type": "access", "relationship": "customer",
         "first_name": "Ada", "last_name": "Lovelace",
         "email": address(), "country": "US", "state": "CA",
         "on_behalf": "agent", "agent_name": AGENT_NAME,
         "agent_email": address("agent"),
         "agent_relationship": "authorised-agent"}
    f.update(extra)
    return {k: v for k, v in f.items() if v is not None}


def mails():
    return SITE.send_mail(SMTP)


def token(path):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["t"][0]


def counts():
    return tuple(SITE.count(t) for t in ("request", "request_agent",
                                         "request_event", "outbox", "audit"))


def cli(*args):
    return SITE.privforms(*args, check=False)


def audit_text():
    return "".join(open(f, encoding="utf-8").read()
                   for f in SITE.audit_files())


class AgentTest(unittest.TestCase):
    def submit(self, **extra):
        """An agent's request: (id, person, agent, the person's mail body,
        the agent's mail)."""
        f = fields(**extra)
        r = SITE.post(FORM, f)
        self.assertEqual(r.status, 303, r.text)
        [rid] = SITE.query("SELECT id FROM request WHERE email = ?",
                           (f["email"],))[0]
        sent = mails()
        to_person = [m for m in sent if m["To"] == f["email"]]
        to_agent = [m for m in sent if m["To"] == f["agent_email"]]
        self.assertEqual((len(to_person), len(to_agent)), (1, 1))
        return rid, f["email"], f["agent_email"], \
            to_person[0].get_content(), to_agent[0]

    def answer(self, body, answer):
        r = SITE.post(VERIFY, {"t": token(link(body, "verify")),
                               "answer": answer})
        self.assertEqual(r.status, 303, r.text)
        return r

    def status(self, rid):
        return SITE.query("SELECT status FROM request WHERE id = ?",
                          (rid,))[0][0]


class Form(AgentTest):
    def test_offers_the_choice_and_names_the_laws_that_allow_it(self):
        r = SITE.get(FORM)
        self.assertEqual(r.status, 200)
        self.assertRegex(r.text, r'id="on_behalf-self"[^>]*checked')
        for name in ("agent_name", "agent_email", "agent_relationship"):
            self.assertRegex(r.text, r'<label[^>]+for="%s"' % name)
        laws = r.text.split('id="on_behalf-laws">', 1)[1].split("<", 1)[0]
        self.assertIn("CCPA", laws)
        self.assertIn("GDPR", laws)
        self.assertNotIn("TDPSA", laws)
        self.assertIn("Holder of a power of attorney</option>", r.text)

    def test_a_law_without_agents_refuses_the_choice(self):
        for place in ({"country": "US", "state": "TX"}, {"country": "BR",
                                                          "state": None}):
            before = counts()
            r = SITE.post(FORM, fields(**place))
            self.assertEqual(r.status, 422, place)
            self.assertIn("does not let someone else make this request",
                          r.text)
            self.assertEqual(counts(), before)
            # The same request for oneself there is taken.
            r = SITE.post(FORM, fields(on_behalf="self", **place))
            self.assertEqual(r.status, 303, place)

    def test_missing_agent_fields_each_say_what_to_fix(self):
        before = counts()
        r = SITE.post(FORM, fields(agent_name="", agent_email="",
                                   agent_relationship=""))
        self.assertEqual(r.status, 422)
        for words in ("Enter your name.", "Enter your email address.",
                      "Select what you are to the person."):
            self.assertIn(words, r.text)
        self.assertRegex(r.text, r'id="on_behalf-agent"[^>]*checked')
        self.assertEqual(counts(), before)

    def test_the_agent_cannot_give_their_own_address_as_the_persons(self):
        same = address("same")
        r = SITE.post(FORM, fields(email=same, agent_email=same.upper()))
        self.assertEqual(r.status, 422)
        self.assertIn("the person's must be a different one", r.text)

    def test_hostile_and_oversized_agent_fields(self):
        before = counts()
        for extra, why in (
                ({"agent_name": "x" * 201}, "200 characters or fewer"),
                ({"agent_name": "Bad\x01Name"}, "Your name"),
                ({"agent_email": "not an address<script>"},
                 "Your email address"),
                ({"agent_relationship": "<script>alert(1)</script>"},
                 "What you are to the person"),
                ({"on_behalf": "robot"}, "Who is asking")):
            r = SITE.post(FORM, fields(**extra))
            self.assertEqual(r.status, 422, extra)
            self.assertIn(why, r.text, extra)
            self.assertNotIn("<script>", r.text, extra)
        self.assertEqual(counts(), before)

    def test_for_oneself_the_agent_fields_are_ignored(self):
        to = address("self")
        r = SITE.post(FORM, fields(email=to, on_behalf="self",
                                   agent_name="x" * 500))
        self.assertEqual(r.status, 303)
        [rid] = SITE.query("SELECT id FROM request WHERE email = ?",
                           (to,))[0]
        self.assertEqual(SITE.query("SELECT count(*) FROM request_agent "
                                    "WHERE request = ?", (rid,))[0][0], 0)


class Confirmation(AgentTest):
    def test_the_person_confirms_and_the_request_proceeds(self):
        rid, person, agent, body, ack = self.submit()
        # The person's mail asks them, names no one; the agent's says
        # only that the person is asked.
        self.assertIn("on your behalf", body)
        self.assertNotIn("Agency", body)
        self.assertIn("asked the person", ack.get_content())
        self.assertNotIn("Ada", ack.get_content())
        self.assertNotIn(person, ack.get_content())
        self.assertNotIn("/privacy/request/", ack.get_content())
        # The team sees the agent; the audit trail only its kind.
        p = cli("request", "show", str(rid))
        self.assertIn("authorised-agent", p.stdout)
        self.assertIn(agent, p.stdout)
        self.assertIn("has not answered", p.stdout)
        rows = cli("requests").stdout.splitlines()
        self.assertEqual(rows[0].split()[-1], "AGENT")
        [mine] = [l for l in rows if l.split()[0] == str(rid)]
        self.assertEqual(mine.split()[-1], "authorised-agent")
        trail = audit_text()
        self.assertNotIn("Agency", trail)
        self.assertNotIn(agent, trail)
        # The page shows who asked, escaped; a GET changes nothing.
        before = counts()
        r = SITE.get(link(body, "verify"))
        self.assertEqual(r.status, 200)
        self.assertIn(html.escape(AGENT_NAME, quote=False), r.text)
        self.assertNotIn("<b>Bold</b>", r.text)
        self.assertIn(agent, r.text)
        self.assertIn('value="confirm"', r.text)
        self.assertIn('value="refuse"', r.text)
        self.assertEqual(counts(), before)
        # Nothing is disclosed or done before the person confirms.
        for args in (("request", "fulfil", str(rid)),
                     ("request", "export", str(rid)),
                     ("request", "erase", str(rid)),
                     ("request", "deny", str(rid), "--reason",
                      "no-data-held")):
            p = cli(*args)
            self.assertEqual(p.returncode, 1, args)
            self.assertIn("has not yet confirmed by mail", p.stderr)
            self.assertEqual(p.stdout, "", args)
        self.assertEqual(counts(), before)
        # A POST without an answer (a page from before) asks again.
        r = SITE.post(VERIFY, {"t": token(link(body, "verify"))})
        self.assertEqual(r.status, 303)
        self.assertIn("/privacy/request/verify?t=", r.header("location"))
        self.assertEqual(counts(), before)
        # Confirmed: verified, both told, the team too.
        self.answer(body, "confirm")
        self.assertEqual(self.status(rid), "verified")
        sent = mails()
        self.assertEqual(sorted(m["To"] for m in sent),
                         sorted([person, agent, TEAM]))
        [update] = [m for m in sent if m["To"] == agent]
        self.assertIn("Verified", update.get_content())
        self.assertNotIn("Ada", update.get_content())
        self.assertIn("request-agent-confirmed", audit_text())
        # A second answer changes nothing.
        before = counts()
        self.answer(body, "refuse")
        self.assertEqual(self.status(rid), "verified")
        self.assertEqual(counts(), before)
        # Now the team may disclose: the export names the agent.
        p = SITE.privforms("request", "export", str(rid), check=False,
                           text=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        v = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", XSD,
                            "-"], input=p.stdout, capture_output=True)
        self.assertEqual(v.returncode, 0, v.stderr)
        self.assertIn(b"<answer>confirmed</answer>", p.stdout)
        self.assertIn(agent.encode(), p.stdout)
        page = export_page(p.stdout.decode())
        self.assertEqual(page.returncode, 0, page.stderr)
        self.assertIn("Made for you by", page.stdout)
        self.assertIn(html.escape(AGENT_NAME, quote=False), page.stdout)
        p = cli("request", "fulfil", str(rid), "--note", "Sent to you.")
        self.assertEqual(p.returncode, 0, p.stderr)
        [update] = [m for m in mails() if m["To"] == agent]
        self.assertIn("Done", update["Subject"])
        self.assertNotIn("Sent to you", update.get_content())

    def test_the_person_did_not_authorise_it(self):
        rid, person, agent, body, _ = self.submit()
        self.answer(body, "refuse")
        self.assertEqual(self.status(rid), "denied")
        [[reason]] = SITE.query("SELECT reason FROM request_event WHERE "
                                "request = ? AND status = 'denied'", (rid,))
        self.assertEqual(reason, "agent-not-authorised")
        sent = mails()
        self.assertEqual(sorted(m["To"] for m in sent),
                         sorted([person, agent]))
        for m in sent:
            self.assertIn("did not allow anyone", m.get_content())
        trail = audit_text()
        self.assertIn("request-agent-refused", trail)
        p = cli("request", "export", str(rid))
        self.assertEqual(p.returncode, 1)
        self.assertIn("did not authorise", p.stderr)
        p = cli("request", "fulfil", str(rid))
        self.assertEqual(p.returncode, 1)

    def test_erasure_blanks_the_agent(self):
        rid, person, agent, body, _ = self.submit(type="deletion")
        self.answer(body, "confirm")
        mails()
        p = cli("request", "erase", str(rid))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(SITE.query("SELECT name, email, relationship FROM "
                                    "request_agent WHERE request = ?",
                                    (rid,)),
                         [(None, None, "authorised-agent")])
        r = SITE.get(link(body, "verify"))
        self.assertEqual(r.status, 200)
        self.assertNotIn(agent, r.text)
        self.assertIn("(erased)", r.text)


class Revised(AgentTest):
    def test_a_repeat_by_the_person_drops_the_agent(self):
        rid, person, _, body, _ = self.submit()
        r = SITE.post(FORM, fields(email=person, on_behalf="self"))
        self.assertEqual(r.status, 303)
        self.assertEqual(SITE.query("SELECT count(*) FROM request_agent "
                                    "WHERE request = ?", (rid,))[0][0], 0)
        # The link in the mail now shows the person's own request.
        r = SITE.get(link(body, "verify"))
        self.assertNotIn('value="refuse"', r.text)
        # A refusal posted from the page of before verifies nothing.
        before = counts()
        r = SITE.post(VERIFY, {"t": token(link(body, "verify")),
                               "answer": "refuse"})
        self.assertEqual(r.status, 303)
        self.assertIn("/privacy/request/verify?t=", r.header("location"))
        self.assertEqual(counts(), before)
        self.assertEqual(self.status(rid), "unverified")


class NotAddedByARepeat(AgentTest):
    """A repeat within the storm window revises an unverified request, but
    never puts someone forward as asking for the person that the mail
    already sent did not name: the person's own link would turn into one
    that makes a stranger their agent (or, refused, closes their own
    request).  The agent who asked may still correct what they typed."""

    def agents_of(self, rid):
        return SITE.query("SELECT name, email FROM request_agent WHERE "
                          "request = ?", (rid,))

    def test_no_agent_is_added_to_the_persons_own_request(self):
        person = address()
        r = SITE.post(FORM, fields(email=person, on_behalf="self"))
        self.assertEqual(r.status, 303)
        [[rid]] = SITE.query("SELECT id FROM request WHERE email = ?",
                             (person,))
        [own] = [m for m in mails() if m["To"] == person]
        intruder = address("intruder")
        r = SITE.post(FORM, fields(email=person, agent_email=intruder))
        self.assertEqual(r.status, 303)
        self.assertEqual(self.agents_of(rid), [])
        self.assertEqual(SITE.count("request WHERE email = '%s'" % person),
                         1)
        self.assertEqual([m for m in mails() if m["To"] == intruder], [])
        page = SITE.get(link(own.get_content(), "verify"))
        self.assertEqual(page.status, 200)
        self.assertNotIn('value="refuse"', page.text)
        self.assertNotIn(intruder, page.text)

    def test_another_agent_does_not_replace_the_one_named(self):
        rid, person, agent, body, _ = self.submit()
        r = SITE.post(FORM, fields(email=person, agent_email=address("b"),
                                   agent_name="Someone Else"))
        self.assertEqual(r.status, 303)
        self.assertEqual(self.agents_of(rid), [(AGENT_NAME, agent)])
        # The agent named corrects their own name.
        r = SITE.post(FORM, fields(email=person, agent_email=agent,
                                   agent_name="Agency Ltd"))
        self.assertEqual(r.status, 303)
        self.assertEqual(self.agents_of(rid), [("Agency Ltd", agent)])
        mails()


class AgentQuota(unittest.TestCase):
    def test_one_agent_address_is_acknowledged_within_its_share(self):
        site, smtp = mail_site(request_limit_address="2/hour")
        try:
            agent = address("flooded")
            for _ in range(3):
                r = site.post(FORM, fields(agent_email=agent))
                self.assertEqual(r.status, 303)
            self.assertEqual(site.count("request"), 3)
            sent = site.send_mail(smtp)
            self.assertEqual(len([m for m in sent if m["To"] == agent]), 2)
            self.assertEqual(len([m for m in sent if m["To"] != agent]), 3)
        finally:
            teardown(site, smtp)


class RefusedNotAppealed(unittest.TestCase):
    """Where a law allows both agents and an appeal (an operator's table:
    here the CCPA's row given a 45-day appeal), the person's refusal of
    the agent is their own answer, not a decision to appeal: the status
    page offers none and a POST opens none (an appeal of it could never
    be decided, since nothing may be done on the request)."""

    def test_the_persons_refusal_offers_no_appeal(self):
        with tempfile.TemporaryDirectory() as d:
            laws = os.path.join(d, "privacy-laws.tsv")
            with open(os.path.join(SRC, "etc", "privacy-laws.tsv"),
                      encoding="utf-8") as f, \
                    open(laws, "w", encoding="utf-8") as out:
                for line in f:
                    if line.startswith("US-CA\t"):
                        line = line.replace("10 business days\t-\t",
                                            "10 business days\t45 days\t", 1)
                        self.assertIn("45 days\t\tthe California", line)
                    out.write(line)
            site, smtp = mail_site(privacy_team=TEAM, laws_file=laws)
            try:
                self.refuse_then_appeal(site, smtp)
            finally:
                teardown(site, smtp)

    def refuse_then_appeal(self, site, smtp):
        f = fields()
        self.assertEqual(site.post(FORM, f).status, 303)
        [person] = [m for m in site.send_mail(smtp) if m["To"] == f["email"]]
        r = site.post(VERIFY, {"t": token(link(person.get_content(),
                                                "verify")),
                               "answer": "refuse"})
        self.assertEqual(r.status, 303, r.text)
        status = r.header("Location")
        [denied] = [m for m in site.send_mail(smtp) if m["To"] == f["email"]]
        self.assertNotIn("appeal this decision", denied.get_content())
        page = site.get(status)
        self.assertEqual(page.status, 200)
        self.assertNotIn("/request/appeal?t=", page.text)
        t = token(status)
        r = site.get(FORM + "/appeal?t=" + t)
        self.assertEqual(r.status, 409, r.text)
        r = site.post(FORM + "/appeal", {"t": t, "reason": "Please."},
                      stamp=False)
        self.assertEqual(r.status, 409, r.text)
        self.assertEqual(site.count("request WHERE appeal IS NOT NULL"), 0)


class Links(AgentTest):
    def test_forged_and_expired_links_change_nothing(self):
        rid, _, _, body, _ = self.submit()
        t = token(link(body, "verify"))
        before = counts()
        forged = t[:-2] + ("AA" if not t.endswith("AA") else "BB")
        past = token_craft(SITE, "dsr-verify", int(time.time()) - 10,
                           str(rid))
        for bad in (forged, past, "x"):
            r = SITE.get(VERIFY + "?t=" + bad)
            self.assertEqual(r.status, 400)
            for answer in ("confirm", "refuse"):
                r = SITE.post(VERIFY, {"t": bad, "answer": answer})
                self.assertEqual(r.status, 400, (bad, answer))
        self.assertIn("expired", SITE.post(VERIFY, {"t": past}).text)
        self.assertEqual(counts(), before)
        self.assertEqual(self.status(rid), "unverified")


if __name__ == "__main__":
    unittest.main()
