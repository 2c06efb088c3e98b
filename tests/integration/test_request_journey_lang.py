"""A data request made in Japanese stays in Japanese (issue 20 item 6):
a visitor whose browser asks for "ja" makes a request through the form;
its verify mail's subject is the Japanese template's (RFC 2047 decoded),
the verify and status pages its links open are <html lang="ja"> and say
the Japanese template's heading, and days later the team's `privforms
request fulfil`, run from the command line with no language of its own,
sends the fulfilled mail in Japanese, while the team's own notice of the
new request stays in the site's default_language (English).

The expected words are read from the built translations (etc/mail/ja/,
htdocs/ja/), not written here.  Until po/ja.po is in the tree the same
journey runs in the pseudo-locale en-XA, which the build always makes."""

import email.header
import os
import re
import unittest

from harness import SRC, mail_site, teardown
from htmlpage import Page

JAPANESE = os.path.exists(os.path.join(SRC, "po", "ja.po"))
TAG, NAME = ("ja", "ja") if JAPANESE else ("en-XA", "en_XA")
TEAM = "team@example.com"
SITE = SMTP = None


def setUpModule():
    global SITE, SMTP
    SITE, SMTP = mail_site(privacy_team=TEAM, languages="en " + TAG,
                           locale_dir=os.path.join(SRC, "build", "locale"))


def tearDownModule():
    teardown(SITE, SMTP)


def subject(msg):
    return str(email.header.make_header(email.header.decode_header(
        msg["Subject"])))


def body(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


def template_subject(name, lang=NAME, **values):
    """A pattern of the Subject line of mail template name in lang (None:
    the source), its {{placeholders}} given values or any text."""
    path = os.path.join(SRC, "etc", "mail", *((lang,) if lang else ()),
                        name + ".txt")
    with open(path, encoding="utf-8") as f:
        first = f.readline()
    assert first.startswith("Subject: "), path
    text = first[len("Subject: "):].strip()
    return "".join(re.escape(str(values[p])) if p in values else
                   ".+" if i % 2 else re.escape(p)
                   for i, p in enumerate(re.split(r"\{\{(\w+)\}\}", text)))


def template_heading(page):
    """The <h1> of htdocs/NAME/page.xhtml, as its page shows it."""
    with open(os.path.join(SRC, "htdocs", NAME, page + ".xhtml"),
              encoding="utf-8") as f:
        return Page(f.read()).all("h1")[0].text.strip()


def link(msg, kind):
    m = re.search(r"http://\S+(/privacy/request/%s\?t=\S+)" % kind,
                  body(msg))
    if m is None:
        raise AssertionError("no %s link in:\n%s" % (kind, body(msg)))
    return m.group(1)


class JapaneseRequest(unittest.TestCase):
    def assert_subject(self, msg, pattern):
        self.assertRegex(subject(msg), "^" + pattern + "$")

    def assert_page(self, r, page):
        self.assertEqual(r.status, 200, r)
        html = Page(r.text).all("html")[0]
        self.assertEqual(html.get("lang"), TAG)
        self.assertEqual(r.header("content-language"), TAG)
        self.assertIn(template_heading(page),
                      [h.text.strip() for h in Page(r.text).all("h1")])

    def test_verify_status_and_fulfilled_in_the_requesters_language(self):
        accept = {"Accept-Language": TAG}
        to = "journey.%d@example.com" % os.getpid()
        form = SITE.get("/privacy/request", headers=accept)
        self.assertEqual(form.header("content-language"), TAG)
        r = SITE.post("/privacy/request", {
            "type": "access", "relationship": "customer",
            "first_name": "Hanako", "last_name": "Yamada", "email": to,
            "country": "JP"}, stamp=re.search(
                r'name="pf_stamp" value="([^"]+)"', form.text).group(1),
            headers=accept)
        self.assertEqual(r.status, 303, r)
        rid = SITE.query("SELECT max(id) FROM request")[0][0]
        self.assertEqual(SITE.query("SELECT lang FROM request WHERE id = ?",
                                    (rid,)), [(TAG,)])

        [mine] = [m for m in SITE.send_mail(SMTP) if m["To"] == to]
        self.assert_subject(mine, template_subject("request-verify",
                                                         id=rid))
        # The link carries the language: no Accept-Language from here on.
        verify = SITE.get(link(mine, "verify"))
        self.assert_page(verify, "request-verify")
        t = re.search(r'name="t" value="([^"]+)"', verify.text).group(1)
        r = SITE.post("/privacy/request/verify", {"t": t})
        self.assertIn(r.status, (200, 303), r)

        mails = SITE.send_mail(SMTP)
        [mine] = [m for m in mails if m["To"] == to]
        [team] = [m for m in mails if m["To"] == TEAM]
        self.assert_subject(mine, template_subject(
            "request-verified", id=rid))
        self.assert_subject(team, template_subject(
            "request-team-new", lang=None, id=rid))
        self.assertTrue(subject(team).isascii(), subject(team))   # English
        self.assert_page(SITE.get(link(mine, "status")), "request-status")

        # Days later, from the command line: the person's language.
        SITE.privforms("request", "fulfil", str(rid), "--note", "OK")
        [mine] = [m for m in SITE.send_mail(SMTP) if m["To"] == to]
        self.assert_subject(mine, template_subject(
            "request-fulfilled", id=rid))
        # Whole characters in every encoded word of the subject as sent.
        raw = dict(mine.raw_items())["Subject"]
        for word in re.findall(r"=\?UTF-8\?[BQ]\?[^?]*\?=", raw):
            email.header.decode_header(word)[0][0].decode("utf-8")
        self.assert_page(SITE.get(link(mine, "status")), "request-status")


if __name__ == "__main__":
    unittest.main()
