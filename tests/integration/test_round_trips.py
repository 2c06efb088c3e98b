"""What a form's submission costs on PostgreSQL in round trips to the
server (issue 21, item 7), against the minimal libpq responder's one
(tests/bench/pgstore-responder.c).

The programs log each round trip when PRIVFORMS_PG_TRACE is set
(lib/store_pg.c), named by the statement it ended with (never a value);
a submission's are the lines its program's log gained while it was
answered.  Each form is posted twice first, so that its statements are
prepared (a statement's first run on a connection prepares it, one round
trip more), then once more, counted.  The site has one worker per
program and no sender, so nothing else seals meanwhile.

The counts are exact: one more is a regression to look at, one fewer an
improvement to write down here.  Bench: the guard's limits off, as
`make bench` measures the forms (tests/bench/bench.py); Guarded: the
guard's defaults, whose two rate limits per form are counted in the
submission's transaction.

PostgreSQL only (PRIVFORMS_TEST_BACKEND=postgresql).
"""

import itertools
import os
import re
import unittest

from harness import (GUARD_OFF, POSTGRESQL, SRC, Site, address, teardown,
                     wait_until)

P = "/privacy"
_numbers = itertools.count(2000000 + os.getpid() % 1000 * 1000)

# A form: its program (whose log gets the lines), where it is posted and
# fresh fields for one submission.
FORMS = {
    "unsubscribe": ("unsubscribe", P + "/unsubscribe",
                    lambda: {"channel": "email", "email": address("rt"),
                             "reason": "rt"}),
    "do-not-call": ("do-not-call", P + "/do-not-call",
                    lambda: {"country": "US", "first_name": "Rt",
                             "phone": "303%07d" % next(_numbers)}),
    "data request": ("data-request", P + "/request",
                     lambda: {"type": "access", "relationship": "customer",
                              "first_name": "Rt", "last_name": "Trip",
                              "email": address("rt"), "country": "DE"}),
    "feedback": ("feedback", P + "/feedback",
                 lambda: {"type": "compliment", "rating": "great",
                          "message": "rt %d" % next(_numbers)}),
    "article vote": ("feedback", P + "/feedback/article",
                     lambda: {"article": "kb-%d" % next(_numbers),
                              "helpful": "yes"}),
}

# Round trips of one submission, by form.  Each is BEGIN (with its
# transaction's id), the statements whose answer the form reads before
# it goes on (what it sends ahead travels with them), the COMMIT with
# the pending audit record, then the seal: its BEGIN with the lock, the
# chain's head and the take, and its INSERT with its COMMIT.
BENCH = {
    # the opt-out read (the subscriptions' delete, whose count the form
    # reads after it, goes with it)
    "unsubscribe": 5,
    "do-not-call": 4,
    # the repeat's read, the request's id, the RELEASE of its savepoint
    "data request": 7,
    # the entry's id (its record and its step-2 token name it)
    "feedback": 5,
    # the vote's window read
    "article vote": 5,
}
# And each rate limit's read of its key's hits (its key's lock sent ahead
# of it, its hit after it): the client's, and its submissions' without a
# proof of work; a vote has the first only, a data request also the
# mailed address's.
GUARDED = {"unsubscribe": 7, "do-not-call": 6, "data request": 10,
           "feedback": 7, "article vote": 6}

MAIL = {"mail_templates": os.path.join(SRC, "etc", "mail"),
        "mail_from": "Privacy Team <privacy@example.com>"}


def trips_of(site, form):
    """The round trips of one submission of form on site (after two that
    prepared its statements), by statement name."""
    program, path, fields = FORMS[form]
    log = os.path.join(site.dir, "run", program + ".log")
    for _ in range(2):
        r = site.post(path, fields())
        if r.status != 303:
            raise AssertionError("%s: %r" % (form, r))
    wait_until(lambda: site.count("audit_pending") == 0, "the records sealed")
    mark = os.path.getsize(log)
    r = site.post(path, fields())
    if r.status != 303:
        raise AssertionError("%s: %r" % (form, r))
    wait_until(lambda: site.count("audit_pending") == 0, "the record sealed")
    with open(log, errors="replace") as f:
        f.seek(mark)
        return [line.split("round trip: ", 1)[1] for line in f.read().splitlines()
                if "round trip: " in line]


class RoundTrips:
    config = {}

    @classmethod
    def setUpClass(cls):
        cls.site = Site(config=dict(MAIL, **cls.config), workers=1,
                        env={"PRIVFORMS_PG_TRACE": "1"}).start()

    @classmethod
    def tearDownClass(cls):
        teardown(cls.site)

    def check(self, form):
        trips = trips_of(self.site, form)
        self.assertEqual(len(trips), self.expected[form], trips)
        self.assertEqual(trips[0], "begin", trips)
        self.assertEqual(trips[-3:], ["commit", "begin then", "commit"],
                         trips)

    def test_unsubscribe(self):
        self.check("unsubscribe")

    def test_do_not_call(self):
        self.check("do-not-call")

    def test_data_request(self):
        self.check("data request")

    def test_feedback(self):
        self.check("feedback")

    def test_article_vote(self):
        self.check("article vote")


@unittest.skipUnless(POSTGRESQL, "round trips to a PostgreSQL server")
class Bench(RoundTrips, unittest.TestCase):
    expected = BENCH


def guard_defaults():
    """The rate limits the harness turns off, at the defaults
    etc/privforms.conf.example gives them."""
    limits = {}
    with open(os.path.join(SRC, "etc", "privforms.conf.example")) as f:
        for line in f:
            m = re.match(r"#\s*(\w+_limit\w*)\s*=\s*(\S+)\s*$", line)
            if m and m.group(1) in GUARD_OFF:
                limits[m.group(1)] = m.group(2)
    return limits


@unittest.skipUnless(POSTGRESQL, "round trips to a PostgreSQL server")
class Guarded(RoundTrips, unittest.TestCase):
    expected = GUARDED
    # The defaults, but room for one test's three requests without a
    # proof of work (2/hour) from one client.
    config = dict(guard_defaults(), request_limit_nojs="10/hour")


if __name__ == "__main__":
    unittest.main()
