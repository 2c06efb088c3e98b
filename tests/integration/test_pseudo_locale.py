"""No English left in any page or mail (issue 20 item 6): the site offers
the pseudo-locale en-XA (build/pseudo/en_XA.po, made by `make all` from
the pot: every message wrapped in "⟦ ⟧" and its vowels doubled), and every
page every program serves, and every mail the flows send a person, is
read in it.  A text the catalogue missed shows as English.

Two rules, both needed (pseudo_english):
  - outside the marks: no letter at all (a text node the templates' rules
    did not extract, a message C writes past gettext);
  - inside them, no English word: msgfilter doubles every vowel, so each
    run of vowels in a translated word has an even length, and a word
    with an odd run ("Access", "Denied") is English that was put inside a
    translated message (a C value in a <_:span/>, a mail's {{type}}).

What may stay English is data, not words of ours, and is said here one
kind at a time (DATA and ALLOWED_ELEMENTS): what the visitor typed, URLs
and addresses, numbers and codes, a date or time from ICU (a <time>; in a
mail its placeholder's value), a country or US state name from iso-codes
(which has no en_XA catalogue: its English name, checked to be iso-codes'
own), a language's name in that language (the menu's lang="en" link).

The consent snippet's ?dialog (JSON) gives the dialog's words: each is
checked the same way.

The right-to-left pseudo-locale ar-XB gets <html dir="rtl"> from its
catalogue (and its layout at 320 px is test_browser.py's).  The pages are
the program's; nginx's static 404 and 50x pages know no language (etc/
nginx/privforms.conf) and are not read here."""

import email.header
import json
import os
import re
import unittest
import urllib.parse

from harness import SRC, mail_site, stamp_of, teardown
from htmlpage import Page

TEAM = "team@example.com"
LANG = "en-XA"
SITE = SMTP = None

# Attributes a person reads or hears (WCAG's accessible names and hints).
TRANSLATABLE_ATTRS = ("title", "aria-label", "alt", "placeholder")
BUTTON_INPUTS = ("submit", "button", "reset")

# ALLOWED_ELEMENTS: elements whose text is data, not ours (data_reason):
#   <time datetime=...>   a date or time ICU formatted
#   <option value=...> under a country or state select: iso-codes' name
#                (its text must be in iso-codes' own list, ISO_NAMES; so
#                must a text that names places only, iso_only: a <dd>)
#   lang= other than the page's: a language's own name in the menu
#   <script>, <style>: not shown
ISO_SELECTS = ("country", "state", "check_country")

# Text that is data wherever it stands: URLs, addresses (also as the pages
# mask them, "l…@example.com"), tokens, numbers and codes.
DATA = re.compile(
    r"https?://\S+"                          # a URL (a link in a mail)
    r"|[\w.+…-]*@[\w-]+(\.[\w-]+)+"          # an address, masked or not
    r"|\b[A-Z]{2}(-[A-Z0-9]{1,3})?\b"        # a country or region code
    r"|\b\w*\d\w*\b"                         # a number, an id, a token
    r"|\b\w+_\w+\b"                           # a name: a cookie's (pf_consent)
    # ICU's date in a mail ({{due}}, {{received}}: the pages' are <time>)
    r"|\b(?:January|February|March|April|May|June|July|August|September"
    r"|October|November|December) \d{1,2}, \d{4}")

WORD = re.compile(r"[A-Za-z]+")
ODD_VOWELS = re.compile(r"(?<![aeiouAEIOU])(?:[aeiouAEIOU]{2})*"
                        r"[aeiouAEIOU](?![aeiouAEIOU])")


def iso_names():
    """Every ISO 3166-1 and -2 name iso-codes ships (its JSON)."""
    names = set()
    for part, key in (("3166-1", "3166-1"), ("3166-2", "3166-2")):
        path = "/usr/share/iso-codes/json/iso_%s.json" % part
        with open(path, encoding="utf-8") as f:
            for row in json.load(f)[key]:
                for k in ("name", "common_name", "official_name"):
                    if k in row:
                        names.add(row[k])
    return names


ISO_NAMES = iso_names()


def english_in(text, marks):
    """The English in text: marks is the open "⟦" count before it (a
    list of one int, carried from one text to the next).  Returns the
    offending snippets."""
    found = []
    outside = []
    for ch in text:
        if ch == "\u27e6":
            marks[0] += 1
        elif ch == "\u27e7":
            marks[0] = max(0, marks[0] - 1)
        elif marks[0] == 0:
            outside.append(ch)
        else:
            outside.append(" ")
    out = "".join(outside)
    if re.search(r"[^\W\d_]", out):
        found.append(out.strip())
    found += [w for w in WORD.findall(text) if ODD_VOWELS.search(w)]
    return found


def iso_only(text):
    """Is text iso-codes' names only ("California, United States")?"""
    parts = [p.strip() for p in text.split(",")]
    return text.strip() != "" and all(p in ISO_NAMES for p in parts)


def strip_data(text, typed):
    for value in sorted(typed, key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    return DATA.sub(" ", text)


def data_reason(e, lang):
    """Why element e's text is data (ALLOWED_ELEMENTS), or None."""
    parent = e.parent.attrs if e.parent is not None else {}
    if e.tag in ("script", "style"):
        return "not shown"
    if e.tag == "time" and e.get("datetime"):
        return "ICU's date"
    if e.get("lang") and lang and e.get("lang") != lang:
        return "a language's own name"
    if e.tag == "option" and parent.get("id") in ISO_SELECTS and \
            e.get("value") and e.text.strip() in ISO_NAMES:
        return "iso-codes"
    return None


def pseudo_english(text, typed=()):
    """Every English snippet on an HTML page in en-XA: its text nodes, in
    document order (the marks of one message may hold markup), and its
    translatable attributes."""
    page = Page(text)
    lang = page.all("html")[0].get("lang")
    found = []
    marks = [0]

    def attributes(e):
        names = TRANSLATABLE_ATTRS + (
            ("value",) if e.tag == "input" and
            e.get("type") in BUTTON_INPUTS else ())
        for name in names:
            if e.get(name) is not None:
                found.extend("<%s %s=%r>: %s" % (e.tag, name, e.get(name), w)
                             for w in english_in(strip_data(e.get(name),
                                                            typed), [0]))

    def visit(e, why):
        why = why or data_reason(e, lang)
        if not why:
            attributes(e)
        for piece in e.pieces:
            if not isinstance(piece, str):
                visit(piece, why)
            elif why or iso_only(piece):    # data: its marks still count
                english_in(piece, marks)
            else:
                found.extend("<%s>: %s" % (e.tag, w) for w in english_in(
                    strip_data(piece, typed), marks))

    visit(page.root, None)
    return found


def mail_english(msg, typed=()):
    """The English in a mail: its subject (RFC 2047 decoded) and body."""
    subject = str(email.header.make_header(email.header.decode_header(
        msg["Subject"])))
    body = msg.get_body(preferencelist=("plain",)).get_content()
    found = []
    for what, text in (("Subject", subject), ("body", body)):
        marks = [0]
        for line in text.splitlines():
            found.extend("%s: %s" % (what, w) for w in
                         english_in(strip_data(line, typed), marks))
    return found


# ---- the site, and every page and mail of its flows ----

PAGES = []      # (name, Response, typed values)
DIALOG = []     # the consent snippet's ?dialog (JSON), as read
MAILS = []      # (template-ish name, message, typed values)
Q = "?lang=" + LANG
ACCEPT = {"Accept-Language": LANG}


def setUpModule():
    global SITE, SMTP
    SITE, SMTP = mail_site(privacy_team=TEAM, unsubscribe_confirmation="yes",
                           languages="en %s ar-XB" % LANG,
                           locale_dir=os.path.join(SRC, "build", "locale"))


def tearDownModule():
    teardown(SITE, SMTP)


def seen(name, r, *typed):
    PAGES.append((name, r, typed))
    return r


def get(name, path, *typed, headers=ACCEPT):
    return seen(name, SITE.get(path, headers=headers), *typed)


def post(name, path, fields, *typed, **kw):
    """A POST to path in en-XA (?lang= on it), and the page it answers
    with, or the page its redirect leads to."""
    sep = "&" if "?" in path else "?"
    r = SITE.post(path + sep + "lang=" + LANG, fields, **kw)
    if r.status == 303:
        r = SITE.get(r.header("location"))
    return seen(name, r, *typed)


def mails(*typed):
    """The mails sent since, to people (the team's are in the site's
    language, en): each kept with what was typed."""
    out = [m for m in SITE.send_mail(SMTP) if m["To"] != TEAM]
    MAILS.extend((m["To"], m, typed) for m in out)
    return out


def link(msgs, kind):
    for m in msgs:
        found = re.search(r"http://\S+(/privacy/\S+/%s\?t=\S+)" % kind,
                          m.get_body(preferencelist=("plain",))
                          .get_content())
        if found:
            return found.group(1)
    raise AssertionError("no %s link in %d mails" % (kind, len(msgs)))


LONG = "x" * 5001
BAD = "bad\x01text"

# Each form's posts that fail, one for each kind of error its fields have:
# missing, wrong choice, malformed address or number, too long, a control
# character.
FAILING = {
    "/privacy/unsubscribe": [
        {}, {"channel": "nope"}, {"channel": "email"},
        {"channel": "email", "email": "nobody"},
        {"channel": "email", "email": "bad@"},
        {"channel": "sms"}, {"channel": "sms", "phone": "12"},
        {"channel": "email", "email": "a@example.com", "reason": LONG},
        {"channel": "email", "email": "a@example.com", "reason": BAD},
        {"channel": "email", "email": "a@example.com", "confirm": "x"}],
    "/privacy/do-not-call": [
        {}, {"phone": "12", "country": "US"},
        {"phone": "3037492110", "country": "XX"},
        {"phone": "3037492110", "country": "US", "email": "bad@",
         "first_name": LONG, "last_name": BAD}],
    "/privacy/do-not-call?check": [
        {}, {"check_phone": "12", "check_country": "US"},
        {"check_phone": "3037492110", "check_country": "XX"}],
    "/privacy/request": [
        {}, {"type": "nope", "relationship": "nope"},
        {"type": "access", "relationship": "customer", "first_name": LONG,
         "last_name": BAD, "email": "bad@", "country": "XX"},
        {"type": "access", "relationship": "customer", "first_name": "A",
         "last_name": "B", "email": "a@example.com", "country": "US",
         "state": "XX", "details": LONG * 2},
        {"type": "access", "relationship": "customer", "first_name": "A",
         "last_name": "B", "email": "a@example.com", "country": "US",
         "state": "CA", "on_behalf": "agent"},
        {"type": "access", "relationship": "customer", "first_name": "A",
         "last_name": "B", "email": "a@example.com", "country": "US",
         "state": "CA", "on_behalf": "agent", "agent_name": LONG,
         "agent_email": "bad@", "agent_relationship": "nope"}],
    "/privacy/feedback": [
        {}, {"type": "nope", "rating": "nope"},
        {"type": "question", "rating": "great", "message": LONG},
        {"type": "question", "rating": "great", "message": BAD}],
    "/privacy/feedback/article": [
        {}, {"article": "reset-password", "helpful": "maybe"},
        {"article": "reset-password", "helpful": "no", "comment": LONG},
        {"article": "../x", "helpful": "no"}],
    "/privacy/consent": [{}, {"choice": "nope"}],
    "/privacy/opt-out": [
        {}, {"optout": "nope"}, {"optout": "yes", "email": "bad@"},
        {"optout": "yes", "phone": "12"},
        {"optout": "yes", "email": "a@example.com", "confirm": "x"}],
}


# The fields whose value is free text the visitor typed (the others are
# choices: their values are codes, never shown as words).
FREE = ("email", "phone", "check_phone", "first_name", "last_name",
        "company", "organisation", "details", "message", "reason",
        "comment", "agent_name", "agent_email", "article")


def typed_of(fields):
    return tuple(v for k, v in fields.items() if k in FREE and v)


def walk_the_site():
    """Every page and mail, in en-XA (see the module's docstring)."""
    get("hub", "/privacy/" + Q, headers=None)
    get("hub", "/privacy/")
    for path in ("/privacy/unsubscribe", "/privacy/do-not-call",
                 "/privacy/request", "/privacy/request?type=other",
                 "/privacy/feedback",
                 "/privacy/feedback/article?article=reset-password",
                 "/privacy/consent", "/privacy/opt-out"):
        get("form " + path, path, "reset-password")
    for path, posts in FAILING.items():
        for fields in posts:
            r = post("422 " + path, path, fields, *typed_of(fields))
            assert r.status in (400, 422), (path, fields, r.status)
    # Done pages, and the mails they send.
    post("unsubscribe done", "/privacy/unsubscribe",
         {"channel": "email", "email": "unsub@example.com",
          "confirm": "yes"}, "unsub@example.com")
    mails()
    post("do-not-call done", "/privacy/do-not-call",
         {"phone": "3037492110", "country": "US", "first_name": "Jo",
          "email": "dnc@example.com"}, "Jo")
    post("do-not-call checked", "/privacy/do-not-call?check",
         {"check_phone": "3037492110", "check_country": "US"})
    mails("Jo")
    post("opt-out done", "/privacy/opt-out",
         {"optout": "yes", "email": "optout@example.com", "confirm": "yes"})
    get("opt-out done", "/privacy/opt-out?done")
    mails()
    post("consent done", "/privacy/consent", {"choice": "reject"})
    get("consent done", "/privacy/consent?done")
    r = SITE.post("/privacy/feedback" + Q,
                  {"type": "question", "rating": "great",
                   "message": "Fine site"})
    step2 = r.header("location")
    get("feedback step 2", step2, "Fine site", headers=None)
    t = urllib.parse.parse_qs(urllib.parse.urlsplit(step2).query)["t"][0]
    r = post("feedback done", "/privacy/feedback?step=2",
             {"t": t, "email": "fb@example.com", "recommend": "9",
              "action": "submit"}, "fb@example.com", stamp=False)
    assert r.status == 200, r
    post("article done", "/privacy/feedback/article",
         {"article": "reset-password", "helpful": "yes"})
    walk_one_click()
    walk_requests()
    DIALOG.append(json.loads(SITE.get("/privacy/consent?dialog",
                                      headers=ACCEPT).text))
    # What every program answers when it refuses.
    for method, path, body in (
            ("PUT", "/privacy/unsubscribe", None),
            ("GET", "/privacy/unsubscribe?a=1&a=2", None),
            ("GET", "/privacy/request/nosuch", None),
            ("GET", "/privacy/unsubscribe?t=forged", None),
            ("GET", "/privacy/request/status?t=forged", None),
            ("GET", "/privacy/request/verify?t=forged", None),
            ("GET", "/privacy/request/appeal?t=forged", None),
            ("POST", "/privacy/request", b"a=" + b"x" * 200000),
            ("POST", "/privacy/unsubscribe", b"<a/>")):
        seen("%s %s" % (method, path), SITE.request(
            method, path, body=body, headers=dict(ACCEPT, **{
                "Content-Type": "application/x-www-form-urlencoded"
                if body is None or body[:1] != b"<" else "text/xml"})))


def walk_one_click():
    url = SITE.privforms("unsubscribe-link", "--email", "oc@example.com",
                         "--lang", LANG).stdout.strip()
    p = urllib.parse.urlsplit(url)
    path = p.path + "?" + p.query
    get("one-click", path, headers=None)
    seen("one-click done", SITE.post(path, b"List-Unsubscribe=One-Click"))


def walk_requests():
    names = ("Ada", "Lovelace")
    fields = {"type": "access", "relationship": "customer",
              "first_name": names[0], "last_name": names[1],
              "email": "dsr@example.com", "country": "DE",
              "details": "All you hold"}
    post("request sent", "/privacy/request", fields, *typed_of(fields))
    rid = SITE.query("SELECT max(id) FROM request")[0][0]
    sent = mails(*typed_of(fields))
    verify = link(sent, "verify")
    r = get("verify", verify, *typed_of(fields), headers=None)
    t = re.search(r'name="t" value="([^"]+)"', r.text).group(1)
    r = SITE.post("/privacy/request/verify", {"t": t})
    if r.status == 303:
        r = SITE.get(r.header("location"))
    seen("verified", r)
    sent = mails(*typed_of(fields))
    status = link(sent, "status")
    SITE.privforms("request", "extend", str(rid), "--reason",
                   "Team reason")
    mails("Team reason")
    SITE.privforms("request", "fulfil", str(rid), "--note", "Team note")
    mails("Team note")
    get("status", status, "All you hold", "Team note", "Team reason",
        headers=None)
    # Texas: denied, appealed, the appeal denied; an agent's request.
    fields = dict(fields, email="tx@example.com", country="US", state="TX")
    post("request sent", "/privacy/request", fields)
    rid = SITE.query("SELECT max(id) FROM request")[0][0]
    verify = link(mails(*typed_of(fields)), "verify")
    r = SITE.get(verify)
    t = re.search(r'name="t" value="([^"]+)"', r.text).group(1)
    SITE.post("/privacy/request/verify", {"t": t})
    mails(*typed_of(fields))
    SITE.privforms("request", "deny", str(rid), "--reason", "no-data-held")
    status = link(mails(), "status")
    get("status denied", status, headers=None)
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(status).query)["t"]
    r = get("appeal", "/privacy/request/appeal?t=" + token[0], headers=None)
    post("appeal 422", "/privacy/request/appeal",
         {"t": token[0], "reason": LONG}, LONG, stamp=stamp_of(r.text))
    post("appealed", "/privacy/request/appeal",
         {"t": token[0], "reason": "Please look again"},
         "Please look again", stamp=stamp_of(r.text))
    mails("Please look again")
    SITE.privforms("request", "appeal-decide", str(rid), "--deny",
                   "--reason", "no-data-held")
    mails()
    get("status appeal denied", status, "Please look again", headers=None)
    fields = dict(fields, email="agent-person@example.com", state="CA",
                  on_behalf="agent", agent_name="Agency Co",
                  agent_email="agent@example.net",
                  agent_relationship="authorised-agent")
    post("request sent", "/privacy/request", fields, *typed_of(fields))
    sent = mails(*typed_of(fields))
    get("agent", link(sent, "verify"), *typed_of(fields), headers=None)


class PseudoLocale(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        walk_the_site()

    def test_every_page_is_in_the_pseudo_locale(self):
        self.assertGreater(len(PAGES), 80)
        self.assertEqual({r.status for _, r, _ in PAGES},
                         {200, 400, 404, 405, 413, 415, 422})
        for name, r, typed in PAGES:
            with self.subTest(page=name, status=r.status):
                self.assertEqual(r.header("content-language"), LANG)
                self.assertEqual(pseudo_english(r.text, typed), [], r.text)

    def test_every_mail_to_a_person_is_in_the_pseudo_locale(self):
        self.assertGreater(len(MAILS), 13)
        for to, m, typed in MAILS:
            with self.subTest(to=to, subject=m["Subject"]):
                self.assertEqual(mail_english(m, typed), [],
                                 m.get_body(preferencelist=("plain",))
                                 .get_content())

    def test_the_consent_dialogs_words_are_in_the_pseudo_locale(self):
        [d] = DIALOG
        texts = list(d["texts"].values())
        for c in d["categories"]:
            texts += [c["name"], c["description"], c["cookies_text"]]
        self.assertGreater(len(texts), 10)
        for text in texts:
            self.assertEqual(english_in(strip_data(text, ()), [0]), [], text)


class Checker(unittest.TestCase):
    """The proof proves something: English is found where it is."""

    def test_an_english_page_is_all_english(self):
        r = SITE.get("/privacy/unsubscribe?lang=en")
        self.assertGreater(len(pseudo_english(r.text)), 20)

    def test_english_outside_or_inside_the_marks_is_found(self):
        r = SITE.get("/privacy/unsubscribe" + Q)
        self.assertEqual(pseudo_english(r.text), [])
        for english in ("<h1>Unsubscribe</h1>",                # outside
                        "<h1>\u27e6Unsubscribe\u27e7</h1>",    # inside
                        '<a title="Unsubscribe">\u27e6\u27e7</a>'):
            page = r.text.replace("</main>", english + "</main>")
            found = pseudo_english(page)
            self.assertTrue(found and all("Unsubscribe" in f
                                          for f in found), (english, found))

    def test_right_to_left_from_its_catalogue(self):
        for path in ("/privacy/?lang=ar-XB", "/privacy/request?lang=ar-XB"):
            html = re.search(r"<html\b[^>]*>", SITE.get(path).text).group(0)
            self.assertIn('dir="rtl"', html)
            self.assertIn('lang="ar-XB"', html)
        html = re.search(r"<html\b[^>]*>", SITE.get(
            "/privacy/" + Q).text).group(0)
        self.assertIn('dir="ltr"', html)


if __name__ == "__main__":
    unittest.main()
