"""The unsubscribe form and RFC 8058 one-click, through a real nginx."""

import os
import shutil
import signal
import socket
import struct
import subprocess
import unittest
import urllib.parse

from harness import (Site, SRC, WAIT, sqlite_only, fcgi_begin, fcgi_params, fcgi_request,
                     fcgi_stdin, cgi_status, sockets_of, unix_listening,
                     wait_until, teardown, preloaded_asan_options,
                     FormTest)

FORM = "/privacy/unsubscribe"
SITE = None

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def setUpModule():
    global SITE
    SITE = Site(config={"busy_timeout_ms": "300", "max_body": "4096",
                        "support_url": "https://support.example.com/"}).start()


def tearDownModule():
    teardown(SITE)


def optouts(address):
    return SITE.query("SELECT channel, list, source, reason FROM optout "
                      "WHERE address = ?", (address,))


class Pages(unittest.TestCase):
    def test_hub_asks_the_question_and_links_the_form(self):
        r = SITE.get("/privacy/")
        self.assertEqual(r.status, 200, r)
        for text in ("What is your privacy related request?",
                     'href="/privacy/unsubscribe"',
                     "https://support.example.com/",
                     'href="/privacy/feedback"'):
            self.assertIn(text, r.text)
        self.assertNotIn("Coming soon", r.text)

    def test_hub_leaves_out_links_not_configured(self):
        self.assertNotIn('id="hub-dpa"', SITE.get("/privacy/").text)

    def test_form_has_every_field_with_a_label(self):
        r = SITE.get(FORM)
        self.assertEqual(r.status, 200, r)
        for name in ("email", "phone", "reason"):
            self.assertRegex(r.text, r'<label[^>]+for="%s"' % name)
            self.assertRegex(r.text, r'name="%s"' % name)
        self.assertEqual(r.text.count('name="channel"'), 2)
        self.assertTrue(r.text.startswith("<!DOCTYPE html>"))

    def test_every_page_carries_the_security_headers(self):
        for r in (SITE.get(FORM), SITE.post(FORM, {"channel": "x"}),
                  SITE.request("PUT", FORM)):
            for name, value in SECURITY_HEADERS.items():
                self.assertIn(value, r.header(name) or "", (name, r))

    def test_head_sends_headers_and_no_body(self):
        r = SITE.request("HEAD", FORM)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")

    def test_static_css_is_served(self):
        r = SITE.get("/privacy/static/privforms.css")
        self.assertEqual(r.status, 200)
        self.assertIn("text/css", r.header("content-type"))


class Submit(unittest.TestCase):
    def test_email_opt_out_is_stored_audited_and_redirected(self):
        before = SITE.count("audit")
        r = SITE.post(FORM, {"channel": "email", "email": "Ada@Example.COM",
                             "reason": "too many"})
        self.assertEqual(r.status, 303, r)
        self.assertRegex(r.header("location"),
                         r"^/privacy/unsubscribe\?done=[\w.-]+$")
        self.assertEqual(optouts("ada@example.com"),
                         [("email", "", "form", "too many")])
        self.assertEqual(SITE.count("audit"), before + 1)
        done = SITE.get(r.header("location"))
        self.assertEqual(done.status, 200)
        self.assertIn("unsubscribed", done.text.lower())
        self.assertNotIn("ada@example.com", done.text.lower())
        self.assertIn("A\u2026@example.com", done.text)

    def test_sms_opt_out_stores_the_e164_number(self):
        r = SITE.post(FORM, {"channel": "sms", "phone": "+1 201-555-0123",
                             "email": "ignored, not checked"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(optouts("+12015550123")[0][:3], ("sms", "", "form"))

    def test_opting_out_twice_is_stored_once_and_audited_twice(self):
        before = SITE.count("audit")
        for _ in range(2):
            r = SITE.post(FORM, {"channel": "email", "email": "twice@example.org"})
            self.assertEqual(r.status, 303, r)
        self.assertEqual(len(optouts("twice@example.org")), 1)
        self.assertEqual(SITE.count("audit"), before + 2)

    def test_known_and_unknown_addresses_get_the_same_answer(self):
        # The 303 carries a sealed token of the done page's words, new
        # each time (random IV): the same answer, token aside, and the
        # same page for two addresses that mask alike (its language
        # menu's links keep the token: aside there too).
        def answer(r):
            token = r.header("location").split("done=", 1)[1]
            return (r.status, r.header("location").replace(token, "T"),
                    r.body.replace(token.encode(), b"T"),
                    SITE.get(r.header("location")).body.replace(
                        token.encode(), b"T"))
        SITE.post(FORM, {"channel": "email", "email": "known@example.org"})
        a = SITE.post(FORM, {"channel": "email", "email": "known@example.org"})
        b = SITE.post(FORM, {"channel": "email", "email": "kin@example.org"})
        self.assertEqual(answer(a), answer(b))

    def test_audit_record_has_a_pseudonym_not_the_address(self):
        SITE.post(FORM, {"channel": "email", "email": "secret.person@example.net"})
        files = SITE.audit_files()
        self.assertTrue(files)
        with open(files[-1]) as f:
            xml = f.read()
        self.assertNotIn("secret.person", xml)
        self.assertRegex(xml, r"<subject>[0-9a-f]{64}</subject>")
        self.assertIn("<event>unsubscribed</event>", xml)


class Invalid(FormTest):
    def stored(self):
        return SITE.count("optout"), SITE.count("audit")

    def refused(self, body, **kw):
        """The form's answer to body posted to it, which stored nothing."""
        return self.assert_nothing_stored(lambda: SITE.post(FORM, body, **kw))

    def test_bad_email_gets_422_with_the_form_and_values_kept(self):
        r = self.refused({"channel": "email", "email": "not-an-address",
                          "reason": "my words"})
        self.assert_error(r, "email")
        self.assertIn('value="not-an-address"', r.text)
        self.assertIn(">my words</textarea>", r.text)
        self.assertRegex(r.text, r'name="email"[^>]*aria-invalid="true"|'
                                 r'aria-invalid="true"[^>]*name="email"')

    def test_sms_without_a_number_asks_for_one(self):
        r = self.refused({"channel": "sms", "email": "a@example.com"})
        self.assert_error(r, "phone")

    def test_invalid_phone_number_is_refused(self):
        r = self.refused({"channel": "sms", "phone": "12"})
        self.assertEqual(r.status, 422)

    def test_confirmation_box_is_absent_and_ignored_when_switched_off(self):
        self.assertNotIn('name="confirm"', SITE.get(FORM).text)
        r = self.refused({"channel": "email", "email": "bad address",
                          "confirm": "yes"})
        self.assertEqual(r.status, 422)
        self.assertNotIn('name="confirm"', r.text)
        ok = SITE.post(FORM, {"channel": "email", "email": "noconfirm@example.com",
                              "confirm": "yes"})
        self.assertEqual(ok.status, 303)

    def test_unknown_channel_is_refused(self):
        r = self.refused({"channel": "fax", "email": "a@example.com"})
        self.assert_error(r, "channel")

    def test_markup_in_every_field_comes_back_escaped(self):
        evil = '<script>alert(1)</script>"\'&'
        for channel in ("email", "sms", evil):
            r = self.refused({"channel": channel, "email": evil,
                              "phone": evil, "reason": evil})
            self.assertEqual(r.status, 422)
            self.assertNotIn("<script>alert", r.text)
            self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", r.text)

    def test_too_long_reason_is_refused_and_kept(self):
        r = self.refused({"channel": "email", "email": "a@example.com",
                          "reason": "x" * 1001})
        self.assertEqual(r.status, 422)
        self.assertIn("x" * 1001, r.text)
        ok = SITE.post(FORM, {"channel": "email", "email": "long@example.com",
                              "reason": "y" * 1000})
        self.assertEqual(ok.status, 303)

    def test_hostile_bytes_are_refused_and_never_reflected(self):
        for raw in (b"%ff%fe", b"a%00b@example.com", b"a%0d%0aBcc:x@example.com",
                    b"%c0%af@example.com", b"%1b[31m@example.com", b"%ef%bf%bf"):
            body = b"channel=email&email=" + raw + b"@example.com"
            r = self.refused(body)
            self.assertEqual(r.status, 422, raw)
            self.assertRegex(r.text, r'id="error-email"[^>]*>[^<]+<')
            self.assertNotIn("Bcc:", r.text)
            self.assertNotIn("\x1b", r.text)

    def test_bad_percent_encoding_is_400(self):
        for body in (b"channel=email&email=%zz", b"email=%4", b"email=a%"):
            r = self.refused(body)
            self.assertEqual(r.status, 400, body)
            self.assertIn("<h1", r.text)

    def test_repeated_field_is_400(self):
        r = self.refused(
            b"channel=email&email=a@example.com&email=b@example.com")
        self.assertEqual(r.status, 400)

    def test_oversized_body_is_413(self):
        r = self.refused({"channel": "email", "email": "a@example.com",
                          "reason": "z" * 5000})
        self.assertEqual(r.status, 413)

    def test_wrong_content_type_is_415(self):
        for ctype in ("text/plain", "application/json", "application/x-www-form-urlencoded; charset=latin1"):
            r = self.refused(b"channel=email&email=a@example.com",
                             content_type=ctype)
            self.assertEqual(r.status, 415, ctype)

    def test_wrong_method_is_405_with_allow(self):
        for method in ("PUT", "DELETE", "PATCH"):
            r = self.assert_nothing_stored(lambda: SITE.request(method, FORM, body=b"x"))
            self.assertEqual(r.status, 405, method)
            self.assertIn("POST", r.header("allow"))

    def test_get_never_changes_state(self):
        r = self.assert_nothing_stored(lambda: SITE.get(
            FORM + "?channel=email&email=get@example.com"))
        self.assertEqual(r.status, 200)
        # Nor does the done page, whatever its token says, shown again
        # (a reload, a link scanner, the history).
        done = SITE.post(FORM, {"channel": "email",
                                "email": "done@example.com"})
        self.assertEqual(done.status, 303, done)
        for _ in range(2):
            r = self.assert_nothing_stored(lambda: SITE.get(
                done.header("location")))
            self.assertEqual(r.status, 200)
            self.assertIn("d\u2026@example.com", r.text)


class Unavailable(unittest.TestCase):
    @sqlite_only("the busy lock: another writer holding the database file")
    def test_locked_database_gives_503_with_the_form_kept(self):
        r = SITE.post_locked(FORM, {"channel": "email",
                                    "email": "locked@example.com",
                                    "reason": "keep me"})
        self.assertEqual(r.status, 503, r)
        self.assertIn("try again", r.text.lower())
        self.assertIn('value="locked@example.com"', r.text)
        self.assertEqual(optouts("locked@example.com"), [])
        again = SITE.post(FORM, {"channel": "email", "email": "locked@example.com"})
        self.assertEqual(again.status, 303)


def link(email, lst=None):
    args = ["unsubscribe-link", "--email", email] + (["--list", lst] if lst else [])
    url = SITE.privforms(*args).stdout.strip()
    return url


class OneClick(unittest.TestCase):
    def path(self, url):
        p = urllib.parse.urlsplit(url)
        self.assertEqual("%s://%s" % (p.scheme, p.netloc), "http://127.0.0.1:%d" % SITE.port)
        return p.path + "?" + p.query

    def test_link_is_a_signed_url_under_the_prefix(self):
        url = link("Grace@Example.com", "news")
        self.assertRegex(url, r"^http://127\.0\.0\.1:\d+/privacy/unsubscribe\?t=[A-Za-z0-9_.-]+$")
        self.assertNotIn("grace", url.lower())

    def test_get_shows_one_button_and_changes_nothing(self):
        path = self.path(link("look@example.com", "news"))
        rows = SITE.count("optout")
        r = SITE.get(path)
        self.assertEqual(r.status, 200, r)
        self.assertIn("List-Unsubscribe", r.text)
        self.assertIn("One-Click", r.text)
        self.assertIn("l…@example.com", r.text)
        self.assertNotIn("look@example.com", r.text)
        self.assertEqual(SITE.count("optout"), rows)

    def test_post_urlencoded_unsubscribes_with_200(self):
        path = self.path(link("one@example.com", "news"))
        r = SITE.post(path, b"List-Unsubscribe=One-Click")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(optouts("one@example.com"), [("email", "news", "one-click", None)])

    def test_link_made_in_a_language_records_the_opt_out_in_it(self):
        url = SITE.privforms("unsubscribe-link", "--email", "lang@example.com",
                             "--lang", "pt-BR").stdout.strip()
        r = SITE.post(self.path(url), b"List-Unsubscribe=One-Click")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(SITE.query("SELECT lang FROM optout WHERE address = ?",
                                    ("lang@example.com",)), [("pt-BR",)])
        # Without --lang: the source language, as before.
        r = SITE.post(self.path(link("nolang@example.com")),
                      b"List-Unsubscribe=One-Click")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(SITE.query("SELECT lang FROM optout WHERE address = ?",
                                    ("nolang@example.com",)), [("en",)])
        for bad in ("pt_BR", "EN", "x", "de-"):
            p = SITE.privforms("unsubscribe-link", "--email", "a@example.com",
                               "--lang", bad, check=False)
            self.assertEqual((p.returncode, p.stdout), (1, ""), bad)
            self.assertIn("--lang", p.stderr)

    def test_lang_must_be_an_offered_language_as_the_site_spells_it(self):
        # A tag the site does not offer, or spelt otherwise ("pt-br" for
        # pt-BR, whose templates are in pt_BR/), would make a link whose
        # page is English labelled in another language: refused.
        for bad in ("pt-br", "ko", "de-AT"):
            p = SITE.privforms("unsubscribe-link", "--email", "a@example.com",
                               "--lang", bad, check=False)
            self.assertEqual((p.returncode, p.stdout), (1, ""), bad)
            self.assertIn("pt-BR", p.stderr, bad)  # says what is offered
        url = SITE.privforms("unsubscribe-link", "--email", "b@example.com",
                             "--lang", "pt-BR").stdout.strip()
        r = SITE.get(self.path(url))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("content-language"), "pt-BR")

    def test_post_multipart_unsubscribes_with_200(self):
        path = self.path(link("multi@example.com"))
        body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n"
                b"\r\nOne-Click\r\n--XyZ--\r\n")
        r = SITE.post(path, body, content_type="multipart/form-data; boundary=XyZ")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(optouts("multi@example.com"), [("email", "", "one-click", None)])

    def test_post_without_the_one_click_field_is_refused(self):
        path = self.path(link("nofield@example.com"))
        for body in (b"", b"List-Unsubscribe=Yes", b"other=1",
                     b"List-Unsubscribe=One-Click%00junk", b"List-Unsubscribe=One-Clickx"):
            r = SITE.post(path, body)
            self.assertEqual(r.status, 400, body)
        self.assertEqual(optouts("nofield@example.com"), [])

    def test_forged_token_is_400_and_stores_nothing(self):
        path = self.path(link("forged@example.com"))
        base, tok = path.split("?t=")
        i = len(tok) // 2
        forged = tok[:i] + ("A" if tok[i] != "A" else "B") + tok[i + 1:]
        for t in (forged, tok[:-1], "", "not-a-token", "a.b", tok + "x"):
            for method in ("GET", "POST"):
                r = SITE.request(method, base + "?t=" + t, body=b"List-Unsubscribe=One-Click",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
                self.assertEqual(r.status, 400, (t, method))
                self.assertIn("not valid", r.text)
        self.assertEqual(optouts("forged@example.com"), [])

    def test_malformed_query_string_is_400_not_a_form_submission(self):
        path = self.path(link("query@example.com"))
        for q in ("&t=x", "&%zz=1", "&t"):
            r = SITE.post(path + q, b"List-Unsubscribe=One-Click")
            self.assertEqual(r.status, 400, q)
        r = SITE.post(FORM + "?%zz", {"channel": "email", "email": "query@example.com"})
        self.assertEqual(r.status, 400)
        self.assertEqual(optouts("query@example.com"), [])

    def test_expired_token_is_400_and_stores_nothing(self):
        token = expired_token("old@example.com")
        for method in ("GET", "POST"):
            r = SITE.request(method, FORM + "?t=" + token, body=b"List-Unsubscribe=One-Click",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
            self.assertEqual(r.status, 400, r)
            self.assertIn("expired", r.text)
        self.assertEqual(optouts("old@example.com"), [])


def expired_token(email):
    """A genuine link made by the real tool two years ago (libfaketime)."""
    # libfaketime is preloaded ahead of ASan's runtime in a sanitizer build.
    env = dict(os.environ, ASAN_OPTIONS=preloaded_asan_options())
    p = subprocess.run(["faketime", "-f", "-730d", os.path.join(SRC, "tools", "privforms"),
                        "--config", SITE.conf, "unsubscribe-link", "--email", email],
                       capture_output=True, text=True, check=True, timeout=60, env=env)
    return p.stdout.strip().split("?t=", 1)[1]


class Protocol(unittest.TestCase):
    """What only a raw FastCGI client can send (ARCHITECTURE.md: libfcgi)."""

    PARAMS = {"REQUEST_METHOD": "POST", "SCRIPT_NAME": FORM,
              "CONTENT_TYPE": "application/x-www-form-urlencoded",
              "REMOTE_ADDR": "127.0.0.1"}
    BODY = b"channel=email&email=raw@example.com"

    def body(self):
        """BODY with the form's stamp, as the form's page sends it."""
        return self.BODY + b"&pf_stamp=" + SITE.stamp(FORM).encode()

    @staticmethod
    def worker(name, wrapper=(), env=None, **popen):
        """(socket, process): one unsubscribe worker of its own under
        spawn-fcgi on the site's run/NAME, run by wrapper (a debugger's
        command line) if given; env: more environment."""
        sock = os.path.join(SITE.dir, "run", name)
        if os.path.exists(sock):
            os.unlink(sock)
        return sock, subprocess.Popen(
            ["spawn-fcgi", "-n", "-s", sock, "-M", "0600", "--"] + list(wrapper) +
            [os.path.join(SRC, "cgi-bin", "unsubscribe.fcgi")],
            env=dict(os.environ, PRIVFORMS_CONFIG=SITE.conf, **(env or {})), **popen)

    def send(self, body=None, **extra):
        params = dict(self.PARAMS, **extra)
        out, done = fcgi_request(SITE.socket_path("unsubscribe"), params,
                                 self.body() if body is None else body)
        self.assertTrue(done, "no FCGI_END_REQUEST")
        return cgi_status(out)

    def test_content_length_edge_cases(self):
        n = str(len(self.body()))
        self.assertEqual(self.send(CONTENT_LENGTH="abc"), 400)
        self.assertEqual(self.send(CONTENT_LENGTH="-5"), 400)
        self.assertEqual(self.send(CONTENT_LENGTH="99999999999999999999999"), 400)
        self.assertEqual(self.send(CONTENT_LENGTH="5000"), 413)
        self.assertEqual(self.send(CONTENT_LENGTH=str(len(self.body()) + 10)), 400)
        # Missing: the end of the body is unknown, so nothing is guessed.
        self.assertEqual(self.send(), 411)
        # Smaller than the body: only that much is read ("channel=email").
        self.assertEqual(self.send(CONTENT_LENGTH="13"), 422)
        self.assertEqual(self.send(CONTENT_LENGTH=n), 303)

    def test_worker_survives_a_client_that_disconnects_early(self):
        for _ in range(6):
            fcgi_request(SITE.socket_path("unsubscribe"),
                         dict(self.PARAMS, CONTENT_LENGTH="100"),
                         b"channel=email", close_early=True)
        self.assertEqual(self.send(CONTENT_LENGTH=str(len(self.body()))), 303)

    def test_cve_2025_23016_records_do_not_take_the_pool_down(self):
        # FCGI_PARAMS records whose name and value lengths are both
        # 0x7ffffffe: Debian's libfcgi aborts the worker that reads one
        # (half-fixed CVE).  multiwatch, as tools/stack.sh runs it for
        # make run, starts another each time, however many die: by default
        # it would give a worker up after 4 quick deaths, and 8 records
        # left the pool of 2 with none (502 for good).
        nv = struct.pack(">II", 0x7ffffffe | 0x80000000, 0x7ffffffe | 0x80000000)
        rec = struct.pack(">BBHHBx", 1, 4, 1, len(nv) + 8, 0) + nv + b"\0" * 8
        for _ in range(20):
            try:
                fcgi_request(SITE.socket_path("unsubscribe"), raw_params=rec,
                             timeout=10)
            except OSError:
                pass
        def answered():
            return SITE.get(FORM).status == 200

        wait_until(answered, "a 200 from the form")


    def test_sigterm_during_a_request_ends_the_worker_after_it(self):
        # A stop asked for while a request is served: the request is
        # answered, then the worker exits, without waiting for another
        # connection (libfcgi forgets the stop: ARCHITECTURE.md).
        sock, worker = self.worker("term-test.sock", stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: unix_listening(sock), "the worker listening")
            body = self.body()
            params = dict(self.PARAMS, CONTENT_LENGTH=str(len(body)))
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.settimeout(WAIT)
            c.connect(sock)
            c.sendall(fcgi_begin() + fcgi_params(params) +
                      fcgi_stdin(body[:10]))
            # Accepted and reading the rest of the body: a second socket.
            wait_until(lambda: sockets_of(worker.pid, sock) >= 2,
                       "the worker serving the request")
            worker.send_signal(signal.SIGTERM)
            c.sendall(fcgi_stdin(body[10:]) + fcgi_stdin(b""))
            out = b""
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                out += chunk
            c.close()
            self.assertIn(b"Status: 303", out)
            self.assertEqual(worker.wait(timeout=WAIT), 0)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()

    def test_sigterm_just_before_accept_ends_the_worker(self):
        # The signal let in after the loop's own check but before
        # libfcgi's accept() has begun interrupts nothing: the worker
        # blocked in accept until a connection came (or the supervisor's
        # KILL).  gdb stops the worker at the entry of its first accept
        # and delivers SIGTERM there, the last moment of that window.
        # LeakSanitizer (the sanitizer's build) cannot run under a
        # debugger: it stops the world with ptrace itself.
        _, gdb = self.worker(
            "term-accept.sock", [shutil.which("gdb"), "-nx", "-batch",
                                 "-ex", "set breakpoint pending on", "-ex", "break accept",
                                 "-ex", "run", "-ex", "delete", "-ex", "signal SIGTERM",
                                 "--args"],
            {"ASAN_OPTIONS": ":".join(filter(None, (os.environ.get("ASAN_OPTIONS"),
                                                    "detect_leaks=0")))},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        try:
            out, _ = gdb.communicate(timeout=WAIT)
        except subprocess.TimeoutExpired:
            os.killpg(gdb.pid, signal.SIGKILL)    # gdb and the worker
            out, _ = gdb.communicate()
            self.fail("the worker did not end: still in accept\n" + out)
        # It did stop in accept (1.2: the sanitizer's build has two, its
        # interceptor first).
        self.assertRegex(out, r"Breakpoint 1(\.\d+)?, ")
        self.assertRegex(out, r"\[Inferior 1 \(process \d+\) exited normally\]")


def subscribe(address, lst, channel="email"):
    """A subscription as the preference page stores it (016's tables)."""
    SITE.write("INSERT INTO subscription (channel, address, list, state, "
               "requested, confirmed, method, notice, language) VALUES "
               "(?, ?, ?, 'subscribed', '2026-11-24T06:00:00.000001Z', "
               "'2026-11-24T06:00:00.000001Z', 'signup', "
               "'0123456789abcdef', 'en')", (channel, address, lst))


def subscribed(address):
    return SITE.query("SELECT channel, list FROM subscription WHERE "
                      "address = ? ORDER BY channel, list", (address,))


def sub_events(address):
    return SITE.query("SELECT list, action, method FROM subscription_event "
                      "WHERE address = ? ORDER BY id", (address,))


class Subscriptions(unittest.TestCase):
    """An opt-out ends the subscriptions it covers (lib/subscription.h),
    with one audit record per submission, as before."""

    def test_form_stops_every_email_list_once(self):
        who = "subbed@example.com"
        subscribe(who, "news")
        subscribe(who, "events")
        subscribe(who, "sms-offers", channel="sms")
        before = len(SITE.audit_xml("unsubscribed"))
        r = SITE.post(FORM, {"channel": "email", "email": who})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(subscribed(who), [("sms", "sms-offers")])
        self.assertEqual(optouts(who), [("email", "", "form", None)])
        self.assertEqual(sub_events(who), [("", "unsubscribed",
                                            "unsubscribe")])
        new = SITE.audit_xml("unsubscribed")[before:]
        self.assertEqual(len(new), 1)
        for detail in ('"source">form<', '"method">unsubscribe<',
                       '"confirmation">none<', '<form>unsubscribe</form>'):
            self.assertIn(detail, new[0])
        self.assertNotIn(who, new[0])
        # Again: nothing left to end; the opt-out and its record as ever.
        r = SITE.post(FORM, {"channel": "email", "email": who})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(len(sub_events(who)), 1)
        new = SITE.audit_xml("unsubscribed")[before:]
        self.assertEqual(len(new), 2)
        self.assertNotIn('"method"', new[1])

    def test_one_click_ends_that_list_only(self):
        who = "oneclick-sub@example.com"
        subscribe(who, "news")
        subscribe(who, "events")
        before = len(SITE.audit_xml("unsubscribed"))
        path = OneClick.path(self, link(who, "news"))
        r = SITE.post(path, b"List-Unsubscribe=One-Click")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(subscribed(who), [("email", "events")])
        self.assertEqual(optouts(who), [("email", "news", "one-click", None)])
        self.assertEqual(sub_events(who), [("news", "unsubscribed",
                                            "one-click")])
        self.assertEqual(len(SITE.audit_xml("unsubscribed")) - before, 1)
        # The same link again changes nothing but the opt-out's time.
        r = SITE.post(path, b"List-Unsubscribe=One-Click")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(subscribed(who), [("email", "events")])
        self.assertEqual(len(sub_events(who)), 1)
        self.assertEqual(len(SITE.audit_xml("unsubscribed")) - before, 2)


class PlainCGI(unittest.TestCase):
    def run_cgi(self, env, body=b""):
        full = {"PATH": "/usr/bin:/bin", "PRIVFORMS_CONFIG": SITE.conf,
                "GATEWAY_INTERFACE": "CGI/1.1", "SCRIPT_NAME": FORM,
                "REMOTE_ADDR": "127.0.0.1"}
        full.update(env)
        return subprocess.run([os.path.join(SRC, "cgi-bin", "unsubscribe.fcgi")],
                              input=body, env=full, capture_output=True, timeout=30)

    def test_post_as_plain_cgi_stores_and_redirects(self):
        body = (b"channel=email&email=cgi@example.com&pf_stamp=" +
                SITE.stamp(FORM).encode())
        p = self.run_cgi({"REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(len(body)),
                          "CONTENT_TYPE": "application/x-www-form-urlencoded"}, body)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(cgi_status(p.stdout), 303, p.stdout[:300])
        self.assertIn(b"Location: /privacy/unsubscribe?done", p.stdout)
        self.assertEqual(optouts("cgi@example.com")[0][:3], ("email", "", "form"))

    def test_get_as_plain_cgi_shows_the_form(self):
        p = self.run_cgi({"REQUEST_METHOD": "GET"})
        self.assertEqual(cgi_status(p.stdout), 200)
        self.assertIn(b'name="email"', p.stdout)


if __name__ == "__main__":
    unittest.main()
