"""nginx in front of the forms, as etc/nginx/ configures it: slow clients,
limits per client address, the request id in the access log, a site's own
headers.

The site is make run's (tools/stack.sh with STACK_LIMITS=on: the snippet
in its server block, privforms-http.conf in http { }).  Clients other than
the test's own normal one come from other loopback addresses (127.0.0.2,
...), so that their limits are theirs.  The headers are checked through a
second nginx whose server block is a site's as INSTALL (section 5, HTTPS)
describes it, in front of the same programs.
"""

import http.client
import json
import os
import resource
import shutil
import socket
import subprocess
import time
import unittest

from harness import (PRIVFORMS_PATHS, SITE_HSTS, Site, free_port, http_request,
                     wait_tcp, wait_until, teardown)

FORM = "/privacy/unsubscribe"
SITE = None
SLOW = 1100         # more connections than nginx's old 1024 slots
# What the snippet sets.
HEADER_TIMEOUT = BODY_TIMEOUT = 10
CONN_LIMIT = 10


def setUpModule():
    global SITE
    SITE = Site(env={"STACK_LIMITS": "on"}).start()


def tearDownModule():
    teardown(SITE)


def request(method, path, source="127.0.0.1", body=None, headers=None):
    """One request from source (a loopback address): (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", SITE.port, timeout=30,
                                      source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def connect(test, source="127.0.0.1", data=b""):
    """A connection from source that has sent data and then hangs."""
    s = socket.socket()
    test.addCleanup(s.close)
    s.settimeout(10)
    s.bind((source, 0))
    s.connect(("127.0.0.1", SITE.port))
    s.sendall(data)
    return s


def still_open(s):
    """nginx has neither answered nor closed s."""
    s.setblocking(False)
    try:
        s.recv(1)       # an answer, or b"" once closed
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        s.setblocking(True)


def ended_within(test, s, seconds):
    """Seconds until nginx answered or closed s (which has sent part of a
    request), failing after seconds."""
    started = time.monotonic()
    s.settimeout(seconds)
    try:
        s.recv(4096)
    except socket.timeout:
        test.fail("nginx still waits after %d s" % seconds)
    except OSError:
        pass
    return time.monotonic() - started


PARTIAL_HEADER = b"GET /privacy/unsubscribe HTTP/1.1\r\nHost: localhost\r\n"
PARTIAL_BODY = (b"POST /privacy/unsubscribe HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 100\r\n\r\nchannel=em")


class SlowClients(unittest.TestCase):
    def test_many_slow_clients_do_not_lock_the_others_out(self):
        # 1100 connections that send part of a request header and hang
        # (nginx's old worker_connections was 1024).  A normal request is
        # answered while every one of them still holds its connection.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        need = SLOW + 256
        if soft < need:
            if hard != resource.RLIM_INFINITY and hard < need:
                self.skipTest("needs %d open files, the limit is %d" %
                              (need, hard))
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
            self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE,
                            (soft, hard))
        slow = [connect(self, data=PARTIAL_HEADER) for _ in range(SLOW)]
        try:
            status, page = request("GET", FORM)
        except OSError as e:    # reset (no slot left), or a timeout
            self.fail("no answer beside %d slow clients: %r" % (SLOW, e))
        self.assertEqual(status, 200)
        self.assertIn(b'name="email"', page)
        self.assertEqual(sum(not still_open(s) for s in slow), 0)

    def test_a_header_that_stalls_is_dropped(self):
        s = connect(self, data=PARTIAL_HEADER)
        self.assertLess(ended_within(self, s, 3 * HEADER_TIMEOUT),
                        3 * HEADER_TIMEOUT)

    def test_a_body_that_stalls_is_dropped(self):
        s = connect(self, "127.0.0.4", PARTIAL_BODY)
        self.assertLess(ended_within(self, s, 3 * BODY_TIMEOUT),
                        3 * BODY_TIMEOUT)


class Limits(unittest.TestCase):
    def test_one_address_has_a_few_requests_in_progress_at_most(self):
        # Requests whose body never comes each hold a connection of
        # 127.0.0.2's; past the limit its next request gets 503 at once,
        # while another address is served.
        for _ in range(CONN_LIMIT):
            connect(self, "127.0.0.2", PARTIAL_BODY)
        deadline = time.monotonic() + BODY_TIMEOUT
        while request("GET", FORM, "127.0.0.2")[0] != 503:
            self.assertLess(time.monotonic(), deadline, "never limited")
            time.sleep(0.05)
        self.assertEqual(request("GET", FORM)[0], 200)

    def test_form_posts_are_limited_per_address_one_click_is_not(self):
        posts = 0
        while request("POST", FORM, "127.0.0.3", b"channel=x", {
                "Content-Type": "application/x-www-form-urlencoded"})[0] != 503:
            posts += 1
            self.assertLess(posts, 300, "posts never limited")
        self.assertGreaterEqual(posts, 20)      # the burst
        # The same address, still over its limit: a one-click post (a
        # forged token here: the program's 400) and a GET are served.
        status, _ = request("POST", FORM + "?t=forged", "127.0.0.3",
                            b"List-Unsubscribe=One-Click", {
                                "Content-Type":
                                "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400)
        self.assertEqual(request("GET", FORM, "127.0.0.3")[0], 200)


class RequestId(unittest.TestCase):
    """AUDIT.md: a record's <request> is in the access log line of the
    request that made it (the snippet's access_log, in privforms-http.conf's
    privforms_audit format)."""

    def access_line(self, rid):
        path = os.path.join(SITE.dir, "nginx", "privforms-access.log")
        try:
            with open(path) as f:
                lines = [ln for ln in f
                         if ln.rstrip("\n").endswith(" request=" + rid)]
        except FileNotFoundError:
            return None
        return lines[0] if len(lines) == 1 else None

    def test_a_submissions_record_and_its_log_line_share_the_id(self):
        r = SITE.post(FORM, {"channel": "email",
                             "email": "request-id@example.com"})
        self.assertEqual(r.status, 303, r)
        rid = r.header("x-request-id") or ""
        self.assertRegex(rid, r"^[0-9a-f]{32}$")
        records = [x for x in SITE.audit_xml("unsubscribed")
                   if "<request>%s</request>" % rid in x]
        self.assertEqual(len(records), 1)
        line = wait_until(lambda: self.access_line(rid),
                          "request=%s in privforms-access.log" % rid)
        self.assertIn('"POST /privacy/unsubscribe" 303 ', line)
        # No query string, no address.
        self.assertNotIn("example.com", line)

    def test_the_token_of_a_link_stays_out_of_the_log(self):
        r = SITE.get(FORM + "?done=secret-token-value")
        rid = r.header("x-request-id") or ""
        self.assertRegex(rid, r"^[0-9a-f]{32}$")
        line = wait_until(lambda: self.access_line(rid),
                          "request=%s in privforms-access.log" % rid)
        self.assertIn('"GET /privacy/unsubscribe" ', line)
        self.assertNotIn("secret-token-value", line)

    def log_lines(self, name):
        try:
            with open(os.path.join(SITE.dir, "nginx", name)) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def test_a_request_nginx_answers_with_our_50x_is_logged_as_the_form(self):
        # error_page makes an internal redirect to /privacy/.errors/, and
        # nginx logs a request by the access_log of the location that
        # ended it: the form's line must not go to the server's log (whose
        # format may hold the query string) nor lose the form's path.
        sock = SITE.socket_path("unsubscribe")
        os.rename(sock, sock + ".away")
        try:
            r = http_request(SITE.port, "GET",
                             FORM + "?t=secret-token-of-a-502")
        finally:
            os.rename(sock + ".away", sock)
        self.assertEqual(r.status, 502, r)
        line = wait_until(lambda: [ln for ln in self.log_lines(
            "privforms-access.log") if '"GET /privacy/unsubscribe" 502 '
            in ln], "the 502 in privforms-access.log")
        self.assertEqual(len(line), 1, line)
        self.assertTrue(line[0].endswith(" request=-"), line)
        self.assertEqual([ln for ln in self.log_lines("access.log")
                          if " 502 " in ln], [])
        for name in ("privforms-access.log", "access.log"):
            self.assertNotIn("secret-token", "\n".join(self.log_lines(name)))


class GlobalPrivacyControl(unittest.TestCase):
    def test_gpc_json_says_the_signal_is_honoured(self):
        r = http_request(SITE.port, "GET", "/.well-known/gpc.json")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("content-type"), "application/json")
        doc = json.loads(r.text)
        self.assertIs(doc["gpc"], True)
        self.assertRegex(doc["lastUpdate"], r"^\d{4}-\d{2}-\d{2}$")


class SiteHeaders(unittest.TestCase):
    """A site's server-level Strict-Transport-Security on every path."""

    @classmethod
    def setUpClass(cls):
        ng = os.path.join(SITE.dir, "nginx")
        cls.dir = os.path.join(SITE.dir, "https-site")
        os.makedirs(os.path.join(cls.dir, "tmp"))
        os.makedirs(os.path.join(cls.dir, "www"))
        for f in ("fastcgi_params", "mime.types"):
            shutil.copy(os.path.join(ng, f), cls.dir)
        # The file INSTALL has the site's headers moved into; the snippet
        # (as stack.sh installed it) includes it from here.
        with open(os.path.join(ng, "privforms-site-headers.conf"), "w") as f:
            f.write('add_header Strict-Transport-Security "%s" always;\n'
                    % SITE_HSTS)
        cls.port = free_port()
        d = cls.dir
        conf = """
%(user)s
worker_processes 1;
error_log %(d)s/error.log warn;
pid %(d)s/nginx.pid;
events { worker_connections 256; }
http {
	include mime.types;
	default_type application/octet-stream;
	include %(ng)s/privforms-http.conf;
	access_log off;
	client_body_temp_path %(d)s/tmp/body;
	fastcgi_temp_path %(d)s/tmp/fastcgi;
	proxy_temp_path %(d)s/tmp/proxy;
	uwsgi_temp_path %(d)s/tmp/uwsgi;
	scgi_temp_path %(d)s/tmp/scgi;
	server {
		listen 127.0.0.1:%(port)d;
		server_name localhost;
		root %(d)s/www;
		include %(ng)s/privforms-site-headers.conf;
		include %(ng)s/privforms.conf;
	}
}
""" % {"d": d, "ng": ng, "port": cls.port,
       "user": "user root root;" if os.geteuid() == 0 else ""}
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(conf)
        with open(os.path.join(d, "stderr.log"), "wb") as err:
            cls.nginx = subprocess.Popen(
                ["nginx", "-p", d, "-c", os.path.join(d, "nginx.conf"),
                 "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=err)
        if not wait_tcp(cls.port, lambda: cls.nginx.poll() is None, 30):
            cls.tearDownClass()
            with open(os.path.join(d, "stderr.log"), errors="replace") as f:
                raise AssertionError("nginx did not start: " + f.read())

    @classmethod
    def tearDownClass(cls):
        if cls.nginx.poll() is None:
            cls.nginx.terminate()
            cls.nginx.wait(30)

    def test_every_privforms_path_keeps_the_sites_hsts(self):
        missing = []
        for path in PRIVFORMS_PATHS:
            r = http_request(self.port, "GET", path)
            if r.header("strict-transport-security") != SITE_HSTS:
                missing.append((path, r.status))
        r = http_request(self.port, "POST", "/privacy/unsubscribe",
                         b"channel=x", {"Content-Type":
                                        "application/x-www-form-urlencoded"})
        if r.header("strict-transport-security") != SITE_HSTS:
            missing.append(("POST /privacy/unsubscribe", r.status))
        self.assertEqual(missing, [])

    def test_our_50x_page_keeps_the_sites_hsts(self):
        # nginx's error_page for a program that cannot answer: an internal
        # redirect to a location with add_header lines of its own.
        sock = SITE.socket_path("unsubscribe")
        os.rename(sock, sock + ".away")
        try:
            r = http_request(self.port, "GET", "/privacy/unsubscribe")
        finally:
            os.rename(sock + ".away", sock)
        self.assertEqual(r.status, 502, r)
        self.assertIn("problem with the service", r.text)
        self.assertEqual(r.header("strict-transport-security"), SITE_HSTS)

    def test_the_hub_keeps_its_own_headers_too(self):
        r = http_request(self.port, "GET", "/privacy/")
        self.assertEqual(r.status, 200, r)
        self.assertIn("default-src 'none'", r.header("content-security-policy"))
        self.assertEqual(r.header("x-frame-options"), "DENY")
        r = http_request(self.port, "GET", "/privacy/static/privforms.css")
        self.assertEqual(r.header("x-content-type-options"), "nosniff")


if __name__ == "__main__":
    unittest.main()
