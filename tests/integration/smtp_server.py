"""smtp_server.py -- SMTP servers for the mail tests, on 127.0.0.1 only.

Server() is a real SMTP server (Debian's python3-aiosmtpd) on a free
loopback port, in a thread of the test process:

    with Server() as smtp:                  # or .start() / .stop()
        smtp.mode = "tempfail"              # how the next messages are answered
        ...
        smtp.wait_for(1)                    # the messages accepted so far
        smtp.messages[0].data               # the bytes after DATA, as sent
        smtp.transcripts                    # per connection: [(COMMAND, arg)]
        smtp.connections()                  # connections since start()

Modes: "accept"; "tempfail" / "permfail" (451 / 550 to RCPT);
"tempfail-data" / "permfail-data" (451 / 550 after DATA).  smtp.rcpt_replies
maps a recipient to the reply its RCPT gets, whatever the mode.
smtp.on_accept, if set, is called (in the server's thread) when a message
is accepted, before the client hears so: a test's fault at that moment.
Server(port=N) listens on a port chosen before (say, one a sender has
already found closed).  Server(tls=TestCert(dir)) requires STARTTLS with a
self-signed certificate made by the openssl command line (TLS 1.3, with
OpenSSL's two session tickets after the handshake; tickets=0 sends none,
as Exim does by default); smtp.after_tls lists, per STARTTLS, the seconds
between the end of the handshake and the client's next command.
Server(auth=(user, password)) requires AUTH before MAIL (530 without it),
and only such a server offers AUTH at all; with like_postfix=True it
answers as Postfix with SASL does instead: a wrong password gets 535
5.7.8, MAIL is accepted without AUTH, and RCPT is refused with 554 5.7.1
(relay access denied); mechanisms=[...] offers those, in that order (one
it does not know, such as NTLM, gets 504); auth_reply="454 ..." answers a
wrong login with that instead of 535 (a server whose SASL backend is
down).  Silent() accepts connections
and never says a word, like a host that hangs.  Every server stops when
the test process exits.

Each server gives aiosmtpd its host name: without one, aiosmtpd calls
socket.getfqdn() for every connection inside its event loop, which on a
machine without /etc/hosts and a resolver that does not answer blocks the
server for seconds, longer than the sender waits for the greeting.
"""

import atexit
import os
import socket
import ssl
import subprocess
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

MODES = ("accept", "tempfail", "permfail", "tempfail-data", "permfail-data")
HOSTNAME = "smtp.privforms.test"
NAMES = ["DNS:127.0.0.1", "DNS:localhost", "IP:127.0.0.1"]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TestCert:
    """A self-signed certificate, valid for a day, in directory: for
    127.0.0.1 (libesmtp matches DNS names only, so it carries the address
    as one too), or for the subjectAltName entries in names."""

    def __init__(self, directory, names=None, tag="smtp"):
        self.cert = os.path.join(directory, tag + "-cert.pem")
        self.key = os.path.join(directory, tag + "-key.pem")
        names = names or NAMES
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
             "-subj", "/CN=" + names[0].split(":", 1)[1], "-addext",
             "subjectAltName=" + ",".join(names),
             "-keyout", self.key, "-out", self.cert],
            check=True, capture_output=True, timeout=60)

    def context(self, tickets=None):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        if tickets is not None:
            ctx.num_tickets = tickets
        return ctx


class Message:
    def __init__(self, envelope, connection):
        self.mail_from = envelope.mail_from
        self.rcpt_tos = list(envelope.rcpt_tos)
        self.data = envelope.original_content or envelope.content
        self.connection = connection    # index into Server.transcripts

    def __repr__(self):
        return "<Message %r>" % self.data[:200]


class _Handler:
    def __init__(self, server):
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, options):
        mode = self.server.mode
        if address in self.server.rcpt_replies:
            reply = self.server.rcpt_replies[address]
            if reply.startswith("250"):
                envelope.rcpt_tos.append(address)
            return reply
        if self.server.like_postfix and not session.authenticated:
            return "554 5.7.1 <%s>: Relay access denied" % address
        if mode == "tempfail":
            return "451 4.3.0 Try again later"
        if mode == "permfail":
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, smtp, session, envelope):
        mode = self.server.mode
        if mode == "tempfail-data":
            return "451 4.3.0 Try again later"
        if mode == "permfail-data":
            return "550 5.7.1 Refused"
        self.server._accepted(envelope, smtp)
        if self.server.on_accept is not None:
            self.server.on_accept()
        return "250 2.0.0 Accepted"

    async def handle_EHLO(self, smtp, session, envelope, hostname, responses):
        # aiosmtpd offers AUTH (failing every login) even without an
        # authenticator; a server without AUTH does not.
        session.host_name = hostname
        if self.server.auth is None:
            responses = [r for r in responses if not r.startswith("250-AUTH")]
        elif self.server.mechanisms is not None:
            responses = ["250-AUTH " + " ".join(self.server.mechanisms)
                         if r.startswith("250-AUTH") else r
                         for r in responses]
        return responses

    def handle_STARTTLS(self, smtp, session, envelope):
        smtp.tls_at = time.monotonic()
        return True


class _RecordingSMTP(SMTP):
    """aiosmtpd's SMTP, keeping every command of the connection."""

    def __init__(self, handler, server, **kwargs):
        super().__init__(handler, **kwargs)
        self.server = server
        self.tls_at = None
        self.transcript = server._new_transcript()
        for name, method in list(self._smtp_methods.items()):
            self._smtp_methods[name] = self._recorded(name, method)

    def _recorded(self, name, method):
        async def call(arg):
            if self.tls_at is not None:
                self.server.after_tls.append(time.monotonic() - self.tls_at)
                self.tls_at = None
            self.transcript.append((name, arg))
            return await method(arg)
        return call


class _Controller(Controller):
    def __init__(self, server, **kwargs):
        self._server = server
        super().__init__(_Handler(server), hostname="127.0.0.1",
                         server_hostname=HOSTNAME, port=server.port,
                         **kwargs)

    def factory(self):
        return _RecordingSMTP(self.handler, self._server, **self.SMTP_kwargs)


class Server:
    def __init__(self, tls=None, auth=None, port=None, tickets=None,
                 like_postfix=False, mechanisms=None, auth_reply=None):
        self.port = port or free_port()
        self.mode = "accept"
        self.on_accept = None
        self.messages = []
        self.transcripts = []
        self.rcpt_replies = {}
        self.after_tls = []
        self.like_postfix = like_postfix
        self.auth = auth
        self.mechanisms = mechanisms
        self._before = 0
        self._lock = threading.Lock()
        kwargs = {"timeout": 30}
        if tls is not None:
            kwargs.update(tls_context=tls.context(tickets),
                          require_starttls=True)
        if auth is not None:
            user, password = auth

            def check(server, session, envelope, mechanism, data):
                ok = (data.login == user.encode() and
                      data.password == password.encode())
                return AuthResult(success=ok, handled=False,
                                  message=None if ok else auth_reply)

            kwargs.update(authenticator=check, auth_required=not like_postfix,
                          auth_require_tls=tls is not None)
        self._controller = _Controller(self, **kwargs)
        self.running = False

    def __setattr__(self, name, value):
        if name == "mode" and value not in MODES:
            raise ValueError("unknown mode %r" % (value,))
        super().__setattr__(name, value)

    def _new_transcript(self):
        t = []
        with self._lock:
            self.transcripts.append(t)
        return t

    def _accepted(self, envelope, smtp):
        with self._lock:
            i = self.transcripts.index(smtp.transcript)
            self.messages.append(Message(envelope, i))

    def start(self):
        self._controller.start()
        # The controller's own connection, made to see that it serves.
        self._before = len(self.transcripts)
        self.running = True
        atexit.register(self.stop)
        return self

    def stop(self):
        if self.running:
            self.running = False
            self._controller.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def connections(self):
        """How many connections clients made since start()."""
        with self._lock:
            return len(self.transcripts) - self._before

    def commands(self):
        """Each connection's command names, for connections that sent MAIL."""
        with self._lock:
            return [[c for c, _ in t] for t in self.transcripts
                    if any(c == "MAIL" for c, _ in t)]

    def wait_for(self, n, timeout=10):
        """The accepted messages once there are at least n (or after timeout)."""
        end = time.monotonic() + timeout
        while len(self.messages) < n and time.monotonic() < end:
            time.sleep(0.02)
        return list(self.messages)


class Silent:
    """Accepts connections on 127.0.0.1 and never answers."""

    def __init__(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self.accepted = 0
        self._conns = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted += 1
            self._conns.append(conn)

    def start(self):
        self._thread.start()
        atexit.register(self.stop)
        return self

    def stop(self):
        if not self._stop.is_set():
            self._stop.set()
            self._thread.join(5)
            for c in self._conns:
                c.close()
            self._sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
