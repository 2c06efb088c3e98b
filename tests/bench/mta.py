"""mta.py -- how fast `privforms mail run` sends through a real Postfix and a
real Exim on loopback.

    sudo /usr/bin/python3 tests/bench/mta.py [postfix] [exim]

Needs Debian's postfix or exim4-daemon-light installed (the two conflict:
install one, measure, then the other; the installed package's own
instance is neither used nor touched), and root, as the MTAs start as
root and drop to their own users.  Each MTA is started as a private
instance: its own configuration, spool and log under BENCH_DIR (default
./var/bench-mta), listening on a free port of 127.0.0.1 with a
self-signed certificate, accepting mail from loopback and discarding it.

For each MTA it runs four cases: STARTTLS off; STARTTLS required (TLS
1.3 at the MTA's defaults: Postfix, through OpenSSL, sends session
tickets after the handshake; Exim, through GnuTLS, sends none); STARTTLS
and AUTH (Postfix: Cyrus SASL with a sasldb, which needs saslpasswd2 from
sasl2-bin; Exim: its plaintext authenticator), relaying for
authenticated clients only; and the same with a wrong password.  In each
it queues BENCH_MESSAGES messages (default 100) in the outbox of a site
of its own and times `privforms mail run --once` (BENCH_PRIVFORMS:
another build's tools/privforms, to compare).  Prints messages per
second, the connections the MTA saw and its failed logins; exits
non-zero if a message was not sent, or, with the wrong password, if one
was not deferred, was sent, or cost more than one login.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import uuid

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
from smtp_server import TestCert, free_port  # noqa: E402

PRIVFORMS = os.environ.get("BENCH_PRIVFORMS",
                           os.path.join(SRC, "tools", "privforms"))
DIR = os.path.abspath(os.environ.get("BENCH_DIR",
                                     os.path.join(SRC, "var", "bench-mta")))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", 100))
HOSTNAME = "bench.privforms.test"
USER, PASSWORD = "privforms", "bench secret"
# (STARTTLS, AUTH): None, the right password, or a wrong one.
CASES = [("off", None), ("required", None), ("required", PASSWORD),
         ("required", "wrong")]

# ---- the MTAs: (start(dir, port, cert) -> stop(), connections(dir)) ----

POSTFIX_SERVICES = """\
{listen} inet n - n - - smtpd
pickup    unix  n  -  n  60    1  pickup
cleanup   unix  n  -  n  -     0  cleanup
qmgr      unix  n  -  n  300   1  qmgr
tlsmgr    unix  -  -  n  1000? 1  tlsmgr
rewrite   unix  -  -  n  -     -  trivial-rewrite
bounce    unix  -  -  n  -     0  bounce
defer     unix  -  -  n  -     0  bounce
trace     unix  -  -  n  -     0  bounce
verify    unix  -  -  n  -     1  verify
flush     unix  n  -  n  1000? 0  flush
proxymap  unix  -  -  n  -     -  proxymap
showq     unix  n  -  n  -     -  showq
error     unix  -  -  n  -     -  error
retry     unix  -  -  n  -     -  error
discard   unix  -  -  n  -     -  discard
anvil     unix  -  -  n  -     1  anvil
scache    unix  -  -  n  -     1  scache
postlog   unix-dgram n - n - 1 postlogd
"""


def postfix_sasl(d, settings):
    """Cyrus SASL with a sasldb of one user; relay for it alone.  Debian's
    Postfix reads smtpd.conf from its configuration directory's sasl/,
    whatever cyrus_sasl_config_path says."""
    sasl = os.path.join(d, "conf", "sasl")
    os.makedirs(sasl)
    db = os.path.join(sasl, "sasldb2")
    with open(os.path.join(sasl, "smtpd.conf"), "w") as f:
        f.write("pwcheck_method: auxprop\nauxprop_plugin: sasldb\n"
                "sasldb_path: %s\nmech_list: PLAIN LOGIN\n" % db)
    subprocess.run(["saslpasswd2", "-f", db, "-c", "-p", "-u", HOSTNAME,
                    USER], input=PASSWORD, text=True, check=True,
                   timeout=60)
    shutil.chown(db, "postfix")
    settings.update({
        "smtpd_sasl_auth_enable": "yes", "smtpd_sasl_type": "cyrus",
        "smtpd_sasl_path": "smtpd",
        "smtpd_sasl_local_domain": HOSTNAME, "smtpd_tls_auth_only": "yes",
        "mynetworks": "192.0.2.1/32",
        "smtpd_relay_restrictions": "permit_sasl_authenticated, reject"})


def postfix_start(d, port, cert, auth):
    conf = os.path.join(d, "conf")
    os.makedirs(conf)
    settings = {
        "compatibility_level": "3.6",
        "queue_directory": os.path.join(d, "spool"),
        "data_directory": os.path.join(d, "data"),
        "maillog_file": os.path.join(d, "maillog"),
        "maillog_file_prefixes": d,
        "myhostname": HOSTNAME,
        "mydestination": "",
        "inet_interfaces": "127.0.0.1",
        "inet_protocols": "ipv4",
        "mynetworks": "127.0.0.0/8",
        "smtpd_relay_restrictions": "permit_mynetworks, reject",
        "default_transport": "discard",
        "smtpd_tls_security_level": "may",
        "smtpd_tls_cert_file": cert.cert,
        "smtpd_tls_key_file": cert.key,
        "smtpd_tls_loglevel": "1",
        "alias_maps": "",
        "alias_database": "",
    }
    if auth:
        postfix_sasl(d, settings)
    with open(os.path.join(conf, "main.cf"), "w") as f:
        f.writelines("%s = %s\n" % kv for kv in settings.items())
    with open(os.path.join(conf, "master.cf"), "w") as f:
        f.write(POSTFIX_SERVICES.format(listen="127.0.0.1:%d" % port))
    for sub in ("spool", "data"):
        os.makedirs(os.path.join(d, sub))
    shutil.chown(os.path.join(d, "data"), "postfix")
    subprocess.run(["postfix", "-c", conf, "start"], check=True,
                   capture_output=True, timeout=60)
    return lambda: subprocess.run(["postfix", "-c", conf, "stop"],
                                  capture_output=True, timeout=60)


def postfix_log(d):
    """Connections, failed logins, messages accepted."""
    with open(os.path.join(d, "maillog"), errors="replace") as f:
        log = f.read()
    return (len(re.findall(r"smtpd\[\d+\]: connect from ", log)),
            len(re.findall(r"SASL \w+ authentication failed", log)),
            len(re.findall(r"cleanup\[\d+\]: \w+: message-id=", log)))


EXIM_CONFIG = """\
primary_hostname = {host}
spool_directory = {dir}/spool
log_file_path = {dir}/log/%slog
pid_file_path = {dir}/exim.pid
exim_user = Debian-exim
exim_group = Debian-exim
keep_environment =
daemon_smtp_ports = {port}
local_interfaces = 127.0.0.1
log_selector = +smtp_connection +tls_cipher
tls_advertise_hosts = *
tls_certificate = {cert}
tls_privatekey = {key}
acl_smtp_rcpt = acl_rcpt
queue_only = true

begin acl
acl_rcpt:
  accept authenticated = *
  accept hosts = {relay}
  deny message = relay not permitted

begin routers
discard:
  driver = redirect
  data = :blackhole:

begin authenticators
PLAIN:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_advertise_condition = ${{if def:tls_in_cipher}}
  server_condition = ${{if and {{{{eq{{$auth2}}{{{user}}}}} \
                                 {{eq{{$auth3}}{{{password}}}}}}}}}
LOGIN:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_advertise_condition = ${{if def:tls_in_cipher}}
  server_condition = ${{if and {{{{eq{{$auth1}}{{{user}}}}} \
                                 {{eq{{$auth2}}{{{password}}}}}}}}}
"""


def exim_start(d, port, cert, auth):
    for sub in ("spool", "log"):
        os.makedirs(os.path.join(d, sub))
        shutil.chown(os.path.join(d, sub), "Debian-exim", "Debian-exim")
    # Exim reads its key as Debian-exim.
    key = os.path.join(d, "key.pem")
    shutil.copy(cert.key, key)
    shutil.chown(key, "Debian-exim", "Debian-exim")
    conf = os.path.join(d, "exim.conf")
    with open(conf, "w") as f:
        f.write(EXIM_CONFIG.format(
            host=HOSTNAME, dir=d, port=port, cert=cert.cert, key=key,
            relay=":" if auth else "127.0.0.1", user=USER,
            password=PASSWORD))
    subprocess.run(["exim4", "-C", conf, "-bd"], check=True,
                   capture_output=True, timeout=60)

    def stop():
        with open(os.path.join(d, "exim.pid")) as f:
            pid = int(f.read().split()[0])
        os.kill(pid, 15)
    return stop


def exim_log(d):
    """Connections, failed logins, messages accepted."""
    with open(os.path.join(d, "log", "mainlog"), errors="replace") as f:
        log = f.read()
    return (len(re.findall(r"SMTP connection from \S+ \(TCP/IP", log)),
            len(re.findall(r"authenticator failed", log)),
            len(re.findall(r" <= ", log)))


MTAS = {
    "postfix": ("postfix", postfix_start, postfix_log),
    "exim": ("exim4", exim_start, exim_log),
}

# ---- a site and its outbox ----


def site(d, port, starttls, cert, password):
    conf = os.path.join(d, "privforms.conf")
    keys = {
        "base_url": "http://127.0.0.1:1", "database": "privforms.db",
        "key_file": "secret.key", "audit_dir": "audit", "site_dir": "site",
        "templates": os.path.join(SRC, "htdocs"),
        "laws_file": os.path.join(SRC, "etc", "privacy-laws.tsv"),
        "audit_schema": os.path.join(SRC, "etc", "audit.xsd"),
        "mail_templates": os.path.join(SRC, "etc", "mail"),
        "mail_from": "privforms <privforms@example.com>",
        "smtp_host": "127.0.0.1", "smtp_port": str(port),
        "smtp_starttls": starttls, "smtp_ca_file": cert.cert,
        "smtp_timeout": "30",
    }
    if password:
        keys["smtp_user"] = USER
        keys["smtp_password_file"] = os.path.join(d, "smtp-password")
        with open(keys["smtp_password_file"], "w") as f:
            f.write(password + "\n")
        os.chmod(keys["smtp_password_file"], 0o600)
    with open(conf, "w") as f:
        f.writelines("%s = %s\n" % kv for kv in keys.items())
    subprocess.run([PRIVFORMS, "--config", conf, "init", "--user", "root"],
                   check=True, capture_output=True, timeout=60)
    return conf


def queue(d, n):
    """n unsubscribe confirmations, as the form queues them."""
    vals = urllib.parse.urlencode({
        "channel": "email marketing", "list_text": "all of our lists",
        "site": "http://127.0.0.1:1/privacy/"}, quote_via=urllib.parse.quote)
    con = sqlite3.connect(os.path.join(d, "privforms.db"), timeout=30)
    with con:
        for i in range(n):
            con.execute(
                "INSERT INTO outbox (template, recipient, vals, state, "
                "attempts, next_try, created, updated) VALUES ("
                "'unsubscribed', ?, ?, 'queued', 0, "
                "'2000-01-01T00:00:00.000000Z', "
                "'2000-01-01T00:00:00.000000Z', "
                "'2000-01-01T00:00:00.000000Z')",
                ("bench.%s@example.org" % uuid.uuid4().hex[:12], vals))
    con.close()


def measure(name, starttls, password, cert):
    binary, start, read_log = MTAS[name]
    case = starttls + ("" if password is None else
                       "+auth" if password == PASSWORD else "+wrong")
    d = os.path.join(DIR, "%s-%s" % (name, case))
    os.makedirs(os.path.join(d, "mta"))
    port = free_port()
    stop = start(os.path.join(d, "mta"), port, cert, password is not None)
    try:
        conf = site(d, port, starttls, cert, password)
        queue(d, MESSAGES)
        t = time.monotonic()
        p = subprocess.run([PRIVFORMS, "--config", conf, "mail", "run",
                            "--once"], capture_output=True, text=True,
                           timeout=3600)
        took = time.monotonic() - t
    finally:
        stop()
    counts = re.search(r"mail run: (\d+) sent, (\d+) deferred, (\d+) failed",
                       p.stderr)
    sent, deferred, failed = map(int, counts.groups()) if counts else (0,) * 3
    connections, logins, accepted = read_log(os.path.join(d, "mta"))
    return {"mta": name, "case": case, "sent": sent, "deferred": deferred,
            "failed": failed, "seconds": took,
            "rate": sent / took if took > 0 else 0,
            "connections": connections, "failed_logins": logins,
            "accepted": accepted, "log": p.stderr}


def as_expected(r):
    if r["case"].endswith("+wrong"):
        # One session, one login: the rest of the queue waits untried.
        return (r["sent"], r["failed"], r["failed_logins"], r["accepted"],
                r["connections"]) == (0, 0, 1, 0, 1) and r["deferred"] > 0
    return r["sent"] == MESSAGES and r["accepted"] == MESSAGES


def main():
    names = sys.argv[1:] or [n for n in MTAS if shutil.which(MTAS[n][0])]
    if not names:
        sys.exit("mta.py: neither postfix nor exim4 is installed")
    if os.geteuid() != 0:
        sys.exit("mta.py: run as root (the MTAs start as root)")
    shutil.rmtree(DIR, ignore_errors=True)
    os.makedirs(DIR)
    cert = TestCert(DIR, tag="mta")
    os.chmod(cert.key, 0o644)       # postfix reads it as root; exim copies
    bad = 0
    print("%-8s %-15s %5s %5s %5s %8s %7s %6s %6s" % (
        "mta", "case", "sent", "defer", "fail", "seconds", "msg/s",
        "conns", "badpw"))
    for name in names:
        for starttls, password in CASES:
            if name == "postfix" and password and \
                    not shutil.which("saslpasswd2"):
                print("%-8s %-15s skipped: no saslpasswd2 (sasl2-bin)"
                      % (name, "required+auth"))
                continue
            r = measure(name, starttls, password, cert)
            print("%-8s %-15s %5d %5d %5d %8.2f %7.1f %6d %6d" % (
                r["mta"], r["case"], r["sent"], r["deferred"], r["failed"],
                r["seconds"], r["rate"], r["connections"],
                r["failed_logins"]), flush=True)
            if not as_expected(r):
                bad += 1
                sys.stderr.write(r["log"][-2000:])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
