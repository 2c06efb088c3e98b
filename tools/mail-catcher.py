#!/usr/bin/python3
"""mail-catcher.py -- the SMTP catcher of `make run` (tools/stack.sh).

    /usr/bin/python3 tools/mail-catcher.py HOST PORT MAILDIR

Debian's aiosmtpd on HOST:PORT, writing each message it accepts to the
Maildir MAILDIR (one file per message, in new/), until SIGTERM or Ctrl-C.

It is aiosmtpd's own command (python3 -m aiosmtpd -c
aiosmtpd.handlers.Mailbox) with one difference: the server's host name is
given.  Without one, aiosmtpd calls socket.getfqdn() for every connection,
inside its event loop, and on a machine without /etc/hosts or with a slow
resolver that blocks the whole server for the resolver's timeouts: the
sender then gives up waiting for the greeting.
"""

import asyncio
import os
import signal
import sys

from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP

HOSTNAME = "privforms.localhost"


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    host, port, maildir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    # Python's Maildir makes cur, new and tmp only in a directory it makes.
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    handler = Mailbox(maildir)
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, hostname=HOSTNAME, loop=loop), host, port))
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    loop.run_forever()
    server.close()
    loop.run_until_complete(server.wait_closed())


if __name__ == "__main__":
    main()
