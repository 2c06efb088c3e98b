"""The Do-Not-Call register: the form through a real nginx, the status check
and confirmation mails through a real SMTP server, and the dialer's and the
team's side through the privforms command.

The status check is no oracle: it answers only the address stored with the
entry when the number was registered, with no date, and its page is the
same whether the number is registered with an address, without one, or not
at all."""

import os
import re
import subprocess
import time
import unittest

from harness import (PRIVFORMS, Site, SRC, mail_config, sqlite_only, teardown, FormTest,
                     preloaded_asan_options)
from htmlpage import Page
from smtp_server import Server

FORM = "/privacy/do-not-call"
CHECK = FORM + "?check"
XSD = os.path.join(SRC, "etc", "dnc-export.xsd")
SITE = None     # mail configured
PLAIN = None    # no mail: no email field, no status check
SMTP = None
CHECKED = ("If this number is on our register with an address, we have "
           "mailed that address.")
DATE = re.compile(r"\b\d{4}-\d\d-\d\d\b|\bsince\b")


def mail_site_config(**extra):
    return mail_config(SMTP, busy_timeout_ms="300", max_body="4096", **extra)


def setUpModule():
    global SITE, PLAIN, SMTP
    SMTP = Server().start()
    SITE = Site(config=mail_site_config()).start()
    PLAIN = Site().start()


def tearDownModule():
    teardown(SITE, PLAIN, SMTP)


def register(number, country="US", site=None, **extra):
    fields = {"phone": number, "country": country}
    fields.update(extra)
    return (site or SITE).post(FORM, fields)


def entry(number, site=None):
    rows = (site or SITE).query(
        "SELECT number, country, first_name, last_name, company, email, "
        "created, updated FROM dnc WHERE number = ?", (number,))
    return rows[0] if rows else None


def dnc(*args, site=None):
    return (site or SITE).privforms("dnc", *args, check=False)


def send_mail(site=None):
    """Send what is queued; return the messages the server received."""
    return (site or SITE).send_mail(SMTP)


def last_record(site=None):
    return open((site or SITE).audit_files()[-1], encoding="utf-8").read()


class Pages(unittest.TestCase):
    def test_hub_links_the_form(self):
        r = SITE.get("/privacy/")
        self.assertIn('href="/privacy/do-not-call"', r.text)

    def test_form_has_every_field_with_a_label(self):
        r = SITE.get(FORM)
        self.assertEqual(r.status, 200, r)
        for name in ("phone", "country", "first_name", "last_name", "company",
                     "email", "check_phone", "check_country"):
            self.assertRegex(r.text, r'<label[^>]+for="%s"' % name)
            self.assertRegex(r.text, r'name="%s"' % name)

    def test_country_selects_autocomplete_a_country(self):
        # Their values are ISO 3166 codes: "country" is what a browser
        # fills with one; "tel-country-code" would be "+44".
        page = Page(SITE.get(FORM).text)
        for name in ("country", "check_country"):
            [select] = page.controls(name)
            self.assertEqual(select.get("autocomplete"), "country", name)

    def test_the_status_check_asks_for_no_address_and_says_why(self):
        r = SITE.get(FORM)
        check = r.text.split('id="check"', 1)[1].split("</section>", 1)[0]
        self.assertNotIn('type="email"', check)
        self.assertNotIn("check_email", check)
        self.assertIn("only to the address given when the number was "
                      "registered", check)

    def test_country_lists_every_iso_country_with_the_region_chosen(self):
        r = SITE.get(FORM)
        select = r.text.split('name="country"', 1)[1].split("</select>", 1)[0]
        codes = re.findall(r'<option[^>]*value="([A-Z]{2})"', select)
        self.assertGreater(len(codes), 240)
        self.assertEqual(len(codes), len(set(codes)))
        for code in ("US", "GB", "DE", "JP", "AU", "CA", "AX"):
            self.assertIn(code, codes)
        self.assertRegex(select, r'<option[^>]*value="US"[^>]*selected')
        self.assertEqual(select.count('selected="selected"'), 1)
        self.assertIn(">Åland Islands<", select)

    def test_without_mail_there_is_no_email_field_and_no_check(self):
        r = PLAIN.get(FORM)
        self.assertEqual(r.status, 200, r)
        self.assertNotIn('name="email"', r.text)
        self.assertNotIn('name="check_phone"', r.text)
        r = PLAIN.post(CHECK, {"check_phone": "3037492110",
                               "check_country": "US",
                               "check_email": "a@example.com"})
        self.assertEqual(r.status, 404)

    def test_result_pages(self):
        done = SITE.get(FORM + "?done")
        self.assertEqual(done.status, 200)
        self.assertIn("Do-Not-Call list", done.text)
        checked = SITE.get(FORM + "?checked")
        self.assertEqual(checked.status, 200)
        self.assertIn(CHECKED, checked.text)

    def test_get_changes_nothing(self):
        n = SITE.count("audit")
        SITE.get(FORM + "?phone=3037492110&country=US")
        SITE.get(CHECK)
        self.assertEqual(SITE.count("audit"), n)


class Register(unittest.TestCase):
    def test_done_means_registered_in_e164_and_dialer_sees_it(self):
        r = register("(303) 749-2110")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("location"), FORM + "?done")
        r = register("+44 20 3318 1234")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(dnc("check", "3037492110").returncode, 0)
        self.assertEqual(dnc("check", "+442033181234").returncode, 0)
        out = dnc("export").stdout
        self.assertIn("+13037492110,US,", out)
        # The country is the one the number belongs to, not the select's.
        self.assertIn("+442033181234,GB,", out)

    def test_the_ways_people_write_numbers(self):
        for typed, country, e164 in (
                ("720.749.2110", "US", "+17207492110"),
                ("1-720-749-2111", "US", "+17207492111"),
                ("+1 (720) 749-2112", "DE", "+17207492112"),
                ("011 44 20 3318 1235", "US", "+442033181235"),
                ("00 44 20 3318 1236", "US", "+442033181236"),
                ("020 3318 1237", "GB", "+442033181237"),
                ("030 1234 5678", "DE", "+493012345678")):
            r = register(typed, country)
            self.assertEqual(r.status, 303, (typed, r))
            self.assertIsNotNone(entry(e164), typed)

    def test_details_are_stored_and_replaced_by_a_new_registration(self):
        register("303 749 2120", first_name="Ada", last_name="Lovelace",
                 company="Analytical Engines", email="Ada@Example.COM")
        e = entry("+13037492120")
        self.assertEqual(e[1:6], ("US", "Ada", "Lovelace",
                                  "Analytical Engines", "ada@example.com"))
        time.sleep(0.01)
        register("303 749 2120")
        again = entry("+13037492120")
        self.assertEqual(again[2:6], (None, None, None, None))
        self.assertEqual(again[6], e[6])        # first registration kept
        self.assertGreater(again[7], e[7])      # the latest moved

    def test_registering_again_is_stored_once_audited_and_answered_alike(self):
        register("303 749 2130")
        records = SITE.count("audit")
        a = register("303 749 2130")
        b = register("303 749 2131")
        self.assertEqual((a.status, a.header("location"), a.body),
                         (b.status, b.header("location"), b.body))
        self.assertEqual(SITE.query("SELECT count(*) FROM dnc WHERE number = ?",
                                    ("+13037492130",))[0][0], 1)
        self.assertEqual(SITE.count("audit"), records + 2)

    def test_audit_record_names_the_number_only_by_its_pseudonym(self):
        register("303 749 2140", first_name="Grace")
        xml = last_record()
        self.assertIn("<event>dnc-registered</event>", xml)
        self.assertIn("<form>do-not-call</form>", xml)
        self.assertNotIn("7492140", xml)
        self.assertNotIn("Grace", xml)
        pseudonym = SITE.privforms("pseudonym", "--phone",
                                   "+13037492140").stdout.strip()
        self.assertIn("<subject>%s</subject>" % pseudonym, xml)
        self.assertEqual(SITE.privforms("audit", "verify",
                                         check=False).returncode, 0)

    def test_email_is_ignored_when_the_form_does_not_offer_it(self):
        r = register("303 749 2150", site=PLAIN, email="not an address")
        self.assertEqual(r.status, 303, r)
        self.assertIsNone(entry("+13037492150", PLAIN)[5])


class Invalid(FormTest):
    def stored(self):
        return SITE.count("dnc"), SITE.count("audit")

    def test_missing_number_is_asked_for_and_the_rest_kept(self):
        r = self.assert_nothing_stored(lambda: SITE.post(FORM, {
            "country": "GB", "first_name": "Ada", "company": "AE Ltd"}))
        self.assert_error(r, "phone")
        self.assertIn('value="Ada"', r.text)
        self.assertIn('value="AE Ltd"', r.text)
        self.assertRegex(r.text, r'<option[^>]*value="GB"[^>]*selected')

    def test_numbers_that_cannot_exist_are_refused_and_kept(self):
        for typed in ("1-800-FLOWERS", "303-749-2110 ext 5", "303-749-2110 x5",
                      "(103) 749-2110", "(303) 149-2110", "(303) 049-2110",
                      "12", "+", "++1 303 749 2110", "303 + 749 2110",
                      "call me at 303 749 2110", "1" * 33, "()--..//"):
            r = self.assert_nothing_stored(lambda: register(typed))
            self.assert_error(r, "phone")
            self.assertIn('value="%s"' % typed.replace("&", "&amp;"), r.text)

    def test_a_national_number_is_read_in_the_chosen_country(self):
        # A UK number typed nationally is not a US number.
        r = self.assert_nothing_stored(lambda: register("020 3318 1238", "US"))
        self.assert_error(r, "phone")

    def test_country_must_be_one_of_the_list(self):
        for country in ("XX", "us", "USA", ""):
            r = self.assert_nothing_stored(
                lambda: register("303 749 2160", country))
            self.assert_error(r, "country")

    def test_bad_email_is_refused(self):
        r = self.assert_nothing_stored(
            lambda: register("303 749 2161", email="no-at-sign"))
        self.assert_error(r, "email")

    def test_names_at_their_limit_pass_and_one_more_is_refused(self):
        r = self.assert_nothing_stored(
            lambda: register("303 749 2162", first_name="x" * 101))
        self.assert_error(r, "first_name")
        self.assertIn("x" * 101, r.text)
        r = self.assert_nothing_stored(
            lambda: register("303 749 2162", company="c" * 201))
        self.assert_error(r, "company")
        ok = register("303 749 2162", first_name="x" * 100,
                      last_name="y" * 100, company="c" * 200)
        self.assertEqual(ok.status, 303, ok)

    def test_markup_in_every_field_comes_back_escaped(self):
        evil = '<script>alert(1)</script>"\'&'
        fields = {"phone": evil, "country": evil, "first_name": evil,
                  "last_name": evil, "company": evil, "email": evil}
        r = self.assert_nothing_stored(lambda: SITE.post(FORM, fields))
        self.assertEqual(r.status, 422)
        self.assertNotIn("<script>alert", r.text)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", r.text)
        check = {"check_phone": evil, "check_country": evil}
        r = self.assert_nothing_stored(lambda: SITE.post(CHECK, check))
        self.assertEqual(r.status, 422)
        self.assertNotIn("<script>alert", r.text)

    def test_hostile_bytes_are_refused_and_never_reflected(self):
        for raw in (b"%ff%fe", b"303%00749", b"303%0d%0aBcc:x", b"%1b[31m303",
                    b"%ef%bf%bf", b"%c0%af303"):
            r = self.assert_nothing_stored(
                lambda: SITE.post(FORM, b"country=US&phone=" + raw))
            self.assert_error(r, "phone")
            self.assertNotIn("Bcc:", r.text)
            self.assertNotIn("\x1b", r.text)

    def test_bad_percent_encoding_is_400(self):
        r = self.assert_nothing_stored(
            lambda: SITE.post(FORM, b"country=US&phone=%zz"))
        self.assertEqual(r.status, 400)

    def test_malformed_query_is_400(self):
        self.assertEqual(SITE.get(FORM + "?%zz").status, 400)

    def test_oversized_body_is_413(self):
        r = self.assert_nothing_stored(lambda: SITE.post(
            FORM, b"country=US&phone=3037492110&company=" + b"c" * 5000))
        self.assertEqual(r.status, 413)

    def test_wrong_content_type_is_415(self):
        r = self.assert_nothing_stored(lambda: SITE.post(
            FORM, b"country=US&phone=3037492110", content_type="text/plain"))
        self.assertEqual(r.status, 415)

    def test_wrong_method_is_405_with_allow(self):
        r = SITE.request("DELETE", FORM)
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("allow"), "GET, HEAD, POST")

    @sqlite_only("the busy lock: another writer holding the database file")
    def test_locked_database_gives_503_with_the_form_kept(self):
        with SITE.locked():
            r = register("303 749 2170", first_name="Locked")
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.header("retry-after"), "60")
        self.assertIn('value="Locked"', r.text)
        self.assertIsNone(entry("+13037492170"))
        self.assertEqual(register("303 749 2170").status, 303)


class TwoForms(unittest.TestCase):
    """Each form on the page shows its own errors beside its own fields."""

    # The register form's fields and the status check's.
    REGISTER = ("phone", "country", "first_name", "last_name", "company",
                "email")
    CHECKS = ("check_phone", "check_country")

    def summary_in(self, page, container):
        """The one error summary shown, and whether it is inside the
        element with id container."""
        [summary] = page.summaries()
        return summary, page.byid[container] in summary.ancestors()

    def marked(self, page, names):
        return [n for n in names
                if any(c.get("aria-invalid") for c in page.controls(n))]

    def test_status_check_errors_stay_with_the_status_check(self):
        r = SITE.post(CHECK, {"check_phone": "", "check_country": "US"})
        self.assertEqual(r.status, 422, r)
        page = Page(r.text)
        summary, inside = self.summary_in(page, "check")
        self.assertTrue(inside, "the check's errors are above another form")
        self.assertEqual([h for h, _ in page.links(summary)],
                         ["#check_phone"])
        # Nothing above the register form, nothing on its fields.
        self.assertTrue(page.byid["errors"].hidden)
        self.assertEqual(self.marked(page, self.REGISTER), [])
        self.assertEqual(list(page.errors()), ["check_phone"])
        self.assertEqual(self.marked(page, self.CHECKS), ["check_phone"])

    def test_register_errors_stay_with_the_register_form(self):
        r = SITE.post(FORM, {"phone": "", "country": "US"})
        self.assertEqual(r.status, 422, r)
        page = Page(r.text)
        summary, inside = self.summary_in(page, "check")
        self.assertFalse(inside)
        self.assertEqual(page.links(summary)[0][0], "#phone")
        self.assertTrue(page.byid["check-errors"].hidden)
        self.assertEqual(self.marked(page, self.CHECKS), [])
        self.assertEqual(list(page.errors()), ["phone"])

    @sqlite_only("the busy lock: another writer holding the database file")
    def test_status_check_notice_is_above_the_status_check(self):
        r = SITE.post_locked(CHECK, {"check_phone": "303 749 2195",
                                     "check_country": "US"})
        self.assertEqual(r.status, 503, r)
        page = Page(r.text)
        [notice] = [n for n in page.all(cls="notice") if not n.hidden]
        self.assertIn("Nothing was stored", notice.text)
        self.assertIn(page.byid["check"], list(notice.ancestors()))
        self.assertIn('value="303 749 2195"', r.text)


class Mail(unittest.TestCase):
    def test_registration_with_an_email_sends_one_confirmation(self):
        to = "confirm.dnc@example.com"
        self.assertEqual(register("303 749 2180", email=to).status, 303)
        msgs = [m for m in send_mail() if m["To"] == to]
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0]["Subject"],
                         "Your number is on our Do-Not-Call list")
        body = msgs[0].get_content()
        self.assertIn("+1 303-749-2180", body)
        self.assertIn("http://127.0.0.1:%d/privacy/" % SITE.port, body)


def check(number, site=None, **extra):
    fields = {"check_phone": number, "check_country": "US"}
    fields.update(extra)
    return (site or SITE).post(CHECK, fields)


def mailed(msgs, *to):
    """The messages of msgs to any of the addresses to."""
    return [m for m in msgs if m["To"] in to]


class StatusCheck(unittest.TestCase):
    def test_only_the_address_stored_with_the_entry_is_answered(self):
        owner, asker = "owner.2190@example.com", "asker.2190@example.com"
        register("303 749 2190", email=owner)
        send_mail()     # the confirmation, out of the way
        # check_email, which an old copy of the form may still post, is
        # ignored: the asker's own mailbox never hears about the number.
        r = check("(303) 749-2190", check_email=asker)
        self.assertEqual(r.status, 303, r)
        msgs = mailed(send_mail(), owner, asker)
        self.assertEqual([m["To"] for m in msgs], [owner])
        self.assertEqual(msgs[0]["Subject"],
                         "Your number is on our Do-Not-Call list")
        self.assertIn("+1 303-749-2190", msgs[0].get_content())

    def test_the_answer_carries_no_date(self):
        owner = "owner.2191@example.com"
        register("303 749 2191", email=owner)
        send_mail()
        check("303 749 2191")
        msgs = mailed(send_mail(), owner)
        self.assertEqual(len(msgs), 1)
        body = msgs[0].get_content()
        self.assertNotRegex(msgs[0]["Subject"] + "\n" + body, DATE)
        self.assertNotIn(time.strftime("%Y", time.gmtime()), body)
        self.assertNotIn("{{", body)

    def test_the_page_is_the_same_whatever_the_register_holds(self):
        owner = "owner.2192@example.com"
        register("303 749 2192", email=owner)        # with an address
        register("303 749 2193")                     # without one
        send_mail()
        answers = [check(n) for n in ("303 749 2192", "303 749 2193",
                                      "303 749 2194")]   # not registered
        for r in answers:
            self.assertEqual((r.status, r.header("location"), r.body),
                             (303, FORM + "?checked", answers[0].body), r)
        self.assertIsNone(entry("+13037492194"))   # a check registers nothing
        msgs = send_mail()
        self.assertEqual([m["To"] for m in msgs], [owner])
        self.assertIn(CHECKED, SITE.get(FORM + "?checked").text)

    def test_the_check_is_audited_with_its_answer_and_whether_it_mailed(self):
        register("303 749 2195", email="owner.2195@example.com")
        for number, answer, sent in (("303 749 2195", "registered", "yes"),
                                     ("303 749 2196", "not-registered", "no")):
            self.assertEqual(check(number).status, 303)
            xml = SITE.query("SELECT xml FROM audit WHERE event = "
                             "'dnc-status-checked' ORDER BY seq DESC "
                             "LIMIT 1")[0][0]
            xml = xml.decode() if isinstance(xml, bytes) else xml
            self.assertIn('<detail name="answer">%s</detail>' % answer, xml)
            self.assertIn('<detail name="mailed">%s</detail>' % sent, xml)
            self.assertNotIn("owner.2195", xml)
            self.assertNotIn(number.replace(" ", "")[-7:], xml)
        send_mail()

    def test_a_check_needs_the_number_and_keeps_it(self):
        n = SITE.count("outbox")
        r = SITE.post(CHECK, {"check_phone": "303 749 2197"})
        self.assertEqual(r.status, 422)
        self.assertRegex(r.text, r'id="error-check_country"[^>]*>[^<]+<')
        self.assertIn('value="303 749 2197"', r.text)
        self.assertEqual(SITE.count("outbox"), n)

    def test_no_check_where_registering_keeps_no_address(self):
        site = Site(config=mail_site_config(dnc_confirmation="no")).start()
        try:
            self.assertNotIn('name="check_phone"', site.get(FORM).text)
            self.assertEqual(check("303 749 2198", site=site).status, 404)
        finally:
            self.assertEqual(site.stop(), [])


class StatusCheckLimit(unittest.TestCase):
    """The registrant's address has its limit, counted silently: a 429
    would tell the asker that the number has an address."""

    @classmethod
    def setUpClass(cls):
        cls.site = Site(config=mail_site_config(
            dnc_limit_address="1/hour")).start()

    @classmethod
    def tearDownClass(cls):
        teardown(cls.site)

    def test_an_address_over_its_limit_is_not_mailed_and_nothing_shows(self):
        owner = "owner.2199@example.com"
        # Registering mails the confirmation: the address's one per hour.
        self.assertEqual(register("303 749 2199", site=self.site,
                                  email=owner).status, 303)
        over = check("303 749 2199", site=self.site)
        none = check("303 749 2189", site=self.site)
        self.assertEqual((over.status, over.header("location"), over.body),
                         (none.status, none.header("location"), none.body))
        self.assertEqual(over.status, 303, over)
        msgs = mailed(self.site.send_mail(SMTP), owner)
        self.assertEqual(len(msgs), 1)      # the confirmation only
        self.assertNotEqual(msgs[0].get_content().find("you asked us not "
                                                       "to call"), -1)


class Command(unittest.TestCase):
    def test_check_exit_status(self):
        register("303 749 2200")
        p = dnc("check", "(303) 749-2200")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("+13037492200 registered since", p.stdout)
        p = dnc("check", "303-749-2201")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("+13037492201 not registered", p.stdout)
        for bad in (["12"], ["1-800-FLOWERS"], []):
            self.assertEqual(dnc("check", *bad).returncode, 2, bad)
        self.assertEqual(dnc("check", "3037492200", "--country", "XX")
                         .returncode, 2)

    def test_check_never_answers_for_a_missing_database(self):
        register("303 749 2201")
        conf = SITE.conf_with("wrong-db.conf", database="no-such.db")
        p = subprocess.run([PRIVFORMS, "--config", conf, "dnc", "check",
                            "3037492201"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertIn("privforms init", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(SITE.dir, "no-such.db")))
        p = subprocess.run([PRIVFORMS, "--config", conf, "dnc", "export"],
                           capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stdout), (1, ""))

    def test_check_does_not_depend_on_the_key(self):
        register("303 749 2202")
        key = os.path.join(SITE.dir, "secret.key")
        os.rename(key, key + ".away")
        try:
            p = dnc("check", "3037492202")
        finally:
            os.rename(key + ".away", key)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_check_reads_the_number_in_the_country_given(self):
        register("020 3318 1240", "GB")
        self.assertEqual(dnc("check", "020 3318 1240", "--country", "GB")
                         .returncode, 0)
        self.assertEqual(dnc("check", "+44 20 3318 1240").returncode, 0)

    def test_export_csv_and_since(self):
        register("303 749 2210")
        p = SITE.privforms("dnc", "export", check=False, text=False)
        self.assertTrue(p.stdout.startswith(
            b"number,country,registered,updated\r\n"))
        self.assertIn(b"\r\n+", p.stdout)
        out = p.stdout.decode()
        self.assertRegex(out, r"\+13037492210,US,\d{4}-\d\d-\d\dT[\d:.]+Z,")
        self.assertNotIn("@", out)
        future = dnc("export", "--since", "2999-01-01").stdout
        self.assertEqual(future, "number,country,registered,updated\n")
        today = time.strftime("%Y-%m-%d", time.gmtime())
        self.assertIn("+13037492210", dnc("export", "--since", today).stdout)
        for bad in ("2026-02-30", "yesterday", "2026-1-1", ""):
            self.assertEqual(dnc("export", "--since", bad).returncode, 2, bad)
        self.assertEqual(dnc("export", "--format", "json").returncode, 2)

    def test_export_xml_is_valid_against_its_schema(self):
        register("303 749 2220", first_name="Secret")
        p = dnc("export", "--format", "xml")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("<number>+13037492220</number>", p.stdout)
        self.assertNotIn("Secret", p.stdout)
        v = subprocess.run(["xmllint", "--noout", "--schema", XSD, "-"],
                           input=p.stdout, capture_output=True, text=True)
        self.assertEqual(v.returncode, 0, v.stderr)

    def test_remove_needs_a_reason_code_and_is_audited(self):
        register("303 749 2230")
        self.assertEqual(dnc("remove", "303 749 2230").returncode, 2)
        # Free text is refused: the reason is a code (issue 19).
        for reason in ("", "a\nb", "ticket 4711", "caller asked",
                       "Subject-Request", "subject-request "):
            p = dnc("remove", "303 749 2230", "--reason", reason)
            self.assertEqual(p.returncode, 2, reason)
            self.assertIn("--reason must be one of: subject-request "
                          "registered-in-error number-reassigned "
                          "legal-obligation", p.stderr)
        self.assertEqual(dnc("check", "3037492230").returncode, 0)
        # No audit_ticket_pattern on this site: --ticket is refused.
        p = dnc("remove", "303 749 2230", "--reason", "subject-request",
                "--ticket", "OPS-4711")
        self.assertEqual(p.returncode, 1)
        self.assertIn("--ticket needs audit_ticket_pattern", p.stderr)
        self.assertEqual(dnc("check", "3037492230").returncode, 0)
        p = dnc("remove", "303 749 2230", "--reason", "subject-request")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(dnc("check", "3037492230").returncode, 1)
        xml = last_record()
        self.assertIn("<event>dnc-removed</event>", xml)
        self.assertIn("<form>admin</form>", xml)
        self.assertIn('<detail name="reason">subject-request</detail>', xml)
        self.assertNotIn('name="ticket"', xml)
        self.assertNotIn("7492230", xml)
        again = dnc("remove", "303 749 2230", "--reason", "subject-request")
        self.assertEqual(again.returncode, 1)
        self.assertEqual(SITE.privforms("audit", "verify",
                                         check=False).returncode, 0)


class Purge(unittest.TestCase):
    """On the site without mail, so that no other test's entries go."""

    def faketime(self, offset, *args):
        # libfaketime is preloaded ahead of ASan's runtime in a sanitizer build.
        env = dict(os.environ, ASAN_OPTIONS=preloaded_asan_options())
        return subprocess.run(["faketime", "-f", offset,
                               os.path.join(SRC, "tools", "privforms"),
                               "--config", PLAIN.conf] + list(args),
                              capture_output=True, text=True, env=env,
                              timeout=60)

    def test_purge_removes_only_what_is_older_than_the_retention(self):
        # More than one batch (64 records per transaction).
        numbers = ["+1303749%04d" % i for i in range(3000, 3070)]
        for n in numbers:
            self.assertEqual(register(n, site=PLAIN).status, 303)
        p = self.faketime("+1820d", "purge")      # under 5 years: kept
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("purge: 0 Do-Not-Call", p.stdout)
        self.assertIsNotNone(entry(numbers[0], PLAIN))
        records = PLAIN.count("audit")
        p = self.faketime("+1830d", "purge")      # over 5 years: gone
        self.assertEqual(p.returncode, 0, p.stderr)
        gone = int(re.search(r"purge: (\d+) ", p.stdout).group(1))
        self.assertGreaterEqual(gone, len(numbers))
        self.assertEqual(PLAIN.count("dnc"), 0)
        self.assertEqual(PLAIN.count("audit"), records + gone)
        xml = last_record(PLAIN)
        self.assertIn("<event>dnc-purged</event>", xml)
        self.assertIn('<detail name="retention-years">5</detail>', xml)
        self.assertNotIn("303749", xml)
        self.assertEqual(PLAIN.privforms("audit", "verify",
                                          check=False).returncode, 0)

    def test_purge_takes_no_arguments(self):
        self.assertEqual(PLAIN.privforms("purge", "now", check=False)
                         .returncode, 2)


if __name__ == "__main__":
    unittest.main()
