"""The language a person used travels with their request: the mails the
team's command writes to them days later (`privforms request fulfil`),
and those the verify link's page sends, are rendered from the mail
templates of that language (mail_templates/NAME/, NAME the gettext
name), while the team's own mails stay in the site's language; a
language without a template gets the source one.

Until the forms choose a request's language from ?lang= and
Accept-Language (the program skeleton's part of issue 20), a request's
stored language is set here directly, as the form will store it: every
other step is the real form, link, command, sender and SMTP server."""

import email.header
import os
import shutil
import tempfile
import unittest
import uuid

from harness import (SRC, mail_link as link, mail_site, request_submit,
                     request_verify, teardown)

TEAM = "team@example.com"
SITE = SMTP = None
TEMPLATES = None

# A German template of each mail this test reads, in etc/mail's form.
GERMAN = {
    "request-verified": "Subject: Wir haben Ihre Datenschutzanfrage "
    "(Nummer {{id}}) \u00fcbernommen\n\nGuten Tag,\n\nIhre Anfrage {{id}} "
    "({{type}}) ist bis {{due}} ({{law}}) zu beantworten.\n"
    "Status: {{status}}\n{{status_url}}\n{{site}}\n",
    "request-fulfilled": "Subject: Ihre Datenschutzanfrage (Nummer {{id}}) "
    "ist vollst\u00e4ndig erledigt: Auskunft \u00fcber Ihre "
    "personenbezogenen Daten\n\nGuten Tag,\n\nwir haben Ihre Anfrage "
    "beantwortet. {{note}}\n\nAnfrage: {{type}}\nStatus: {{status}}\n"
    "{{status_url}}\n{{site}}\n",
}


def setUpModule():
    global SITE, SMTP, TEMPLATES
    TEMPLATES = tempfile.mkdtemp(prefix="privforms-mail-")
    src = os.path.join(SRC, "etc", "mail")
    for name in os.listdir(src):
        if name.endswith(".txt"):
            shutil.copy(os.path.join(src, name), TEMPLATES)
    os.mkdir(os.path.join(TEMPLATES, "de"))
    for name, text in GERMAN.items():
        with open(os.path.join(TEMPLATES, "de", name + ".txt"), "w",
                  encoding="utf-8") as f:
            f.write(text)
    SITE, SMTP = mail_site(mail_templates=TEMPLATES, privacy_team=TEAM)


def tearDownModule():
    try:
        teardown(SITE, SMTP)
    finally:
        shutil.rmtree(TEMPLATES, ignore_errors=True)


def address():
    return "lang.%s@example.com" % uuid.uuid4().hex[:12]


def subject(msg):
    return str(email.header.make_header(email.header.decode_header(
        msg["Subject"])))


def body(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


def sent():
    return SITE.send_mail(SMTP)


class RequesterLanguage(unittest.TestCase):
    def verified_in(self, lang):
        """A request made through the form, stored as made in lang, then
        verified by the link in its mail: (its id, its address)."""
        to = address()
        rid = request_submit(SITE, to, details="Everything you hold on me.")
        self.assertEqual(SITE.query("SELECT lang FROM request WHERE id = ?",
                                    (rid,))[0][0], "en")
        SITE.write("UPDATE request SET lang = ? WHERE id = ?", (lang, rid))
        request_verify(SITE, SMTP, to)
        return rid, to

    def test_later_mails_use_the_requesters_templates(self):
        rid, to = self.verified_in("de")
        mails = sent()
        mine = [m for m in mails if m["To"] == to]
        team = [m for m in mails if m["To"] == TEAM]
        self.assertEqual(len(mine), 1)
        self.assertEqual(subject(mine[0]), "Wir haben Ihre "
                         "Datenschutzanfrage (Nummer %d) \u00fcbernommen" % rid)
        self.assertIn("Ihre Anfrage %d" % rid, body(mine[0]))
        # The team's notice is the team's: in the site's language.
        self.assertEqual(len(team), 1)
        self.assertNotIn("Anfrage", subject(team[0]) + body(team[0]))
        self.assertEqual(SITE.query(
            "SELECT lang FROM outbox WHERE template = 'request-team-new' "
            "ORDER BY id DESC LIMIT 1")[0][0], "en")

        # Days later, from the command, still in German: the subject is
        # longer than one encoded-word, each of whole characters.
        p = SITE.privforms("request", "fulfil", str(rid), "--note",
                           "Die Auskunft liegt bei.", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        mine = [m for m in sent() if m["To"] == to]
        self.assertEqual(len(mine), 1)
        raw = dict(mine[0].raw_items())["Subject"]    # as sent, encoded
        words = raw.split()
        self.assertGreater(len(words), 1, raw)
        for w in words:
            self.assertLessEqual(len(w), 75)
            self.assertTrue(w.startswith("=?UTF-8?B?") and w.endswith("?="),
                            raw)
            text = email.header.decode_header(w)[0][0]
            text.decode("utf-8")    # whole characters in every word
        self.assertEqual(subject(mine[0]), "Ihre Datenschutzanfrage (Nummer "
                         "%d) ist vollst\u00e4ndig erledigt: Auskunft \u00fcber "
                         "Ihre personenbezogenen Daten" % rid)
        self.assertIn("Die Auskunft liegt bei.", body(mine[0]))
        # The status link it carries still opens the request's page.
        r = SITE.get(link(body(mine[0]), "status"))
        self.assertEqual(r.status, 200, r)

    def test_an_erasure_tells_the_requester_in_their_language(self):
        # `request erase` mails the requester what it did: the sentence
        # it adds is in their language too (the catalogue's, build/locale).
        rid, to = self.verified_in("de")
        sent()
        p = SITE.privforms("request", "erase", str(rid), check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        mine = [m for m in sent() if m["To"] == to]
        self.assertEqual(len(mine), 1)
        text = body(mine[0])
        self.assertIn("wir haben Ihre Anfrage beantwortet.", text)
        self.assertNotIn("has been erased", text)
        self.assertIn("gel\u00f6scht", text)
        # The request's history, on the status page its link opens, says
        # it in German too.
        r = SITE.get(link(text, "status"))
        self.assertEqual(r.status, 200, r)
        self.assertIn('lang="de"', r.text)
        self.assertNotIn("has been erased", r.text)
        self.assertIn("gel\u00f6scht", r.text)

    def test_a_language_without_templates_gets_the_source_ones(self):
        rid, to = self.verified_in("fr")
        mine = [m for m in sent() if m["To"] == to]
        self.assertEqual(len(mine), 1)
        self.assertEqual(subject(mine[0]),
                         "We have your privacy request (number %d)" % rid)
        self.assertEqual(SITE.query(
            "SELECT lang FROM outbox WHERE template = 'request-verified' "
            "ORDER BY id DESC LIMIT 1")[0][0], "fr")


if __name__ == "__main__":
    unittest.main()
