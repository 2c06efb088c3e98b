"""`privforms purge` and the guard's own rows (pow.h, guard.h): a spent
challenge is kept until it expires, so that its solution cannot be used
twice, and deleted once it has (it would be refused as expired anyway); a
rate-limit hit is kept for a day, the longest window a rate can have, and
deleted after.  The rows are written the way pf_store_pow_spend and
pf_store_rate_hit write them."""

import datetime
import time
import unittest

from harness import Site, teardown

SITE = None


def setUpModule():
    global SITE
    SITE = Site().start()


def tearDownModule():
    teardown(SITE)


def stored(delta):
    t = datetime.datetime.now(datetime.timezone.utc) + delta
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def spend(challenge, expires):
    SITE.write("INSERT INTO pow_spent (challenge, expires) VALUES (?, ?)",
               (challenge, expires))


def spent():
    return sorted(c for (c,) in SITE.query("SELECT challenge FROM pow_spent"))


DAY = 86400


def hit(subject, at, bucket="request/client"):
    SITE.write("INSERT INTO rate_hit (bucket, subject, at) VALUES (?, ?, ?)",
               (bucket, subject, at))


def hits():
    return sorted(s for (s,) in SITE.query("SELECT subject FROM rate_hit"))


def purge_refused(table, plant):
    """privforms purge while every delete from table fails (a trigger),
    after plant() put a row there: the CompletedProcess."""
    with SITE.refusing(table, "DELETE", "held"):
        plant()
        return SITE.privforms("purge", check=False)

class PurgeChallenges(unittest.TestCase):
    def setUp(self):
        SITE.write("DELETE FROM pow_spent")

    def test_expired_ones_go_and_the_rest_stay(self):
        old, young = "a" * 64, "b" * 64
        spend(old, stored(datetime.timedelta(minutes=-1)))
        spend(young, stored(datetime.timedelta(minutes=5)))
        p = SITE.privforms("purge", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("purge: 1 expired proof-of-work challenge deleted",
                      p.stdout)
        self.assertEqual(spent(), [young])
        p = SITE.privforms("purge", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("purge: 0 expired proof-of-work challenges deleted",
                      p.stdout)
        self.assertEqual(spent(), [young])

    def test_the_other_steps_still_run_and_are_said(self):
        p = SITE.privforms("purge", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        for step in ("Do-Not-Call entr", "unverified request", "article vote",
                     "proof-of-work challenge", "rate-limit hit"):
            self.assertIn(step, p.stdout)

    def test_a_failing_step_is_said_and_the_others_run(self):
        p = purge_refused("pow_spent", lambda: spend(
            "c" * 64, stored(datetime.timedelta(minutes=-1))))
        self.assertEqual(p.returncode, 1)
        self.assertIn("purge: proof-of-work challenges:", p.stderr)
        self.assertIn("article vote", p.stdout)
        self.assertIn("c" * 64, spent())


class PurgeRateHits(unittest.TestCase):
    def setUp(self):
        SITE.write("DELETE FROM rate_hit")

    def test_hits_older_than_a_day_go_and_the_rest_stay(self):
        now = int(time.time())
        hit("old", now - DAY - 60)
        hit("old-address", now - DAY - 3600, bucket="mail/address")
        # Within the day, by a minute: a 1/day limit still counts it.
        hit("young", now - DAY + 60)
        hit("now", now)
        p = SITE.privforms("purge", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("purge: 2 rate-limit hits older than a day deleted",
                      p.stdout)
        self.assertEqual(hits(), ["now", "young"])
        hit("old", now - 2 * DAY)
        p = SITE.privforms("purge", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("purge: 1 rate-limit hit older than a day deleted",
                      p.stdout)
        p = SITE.privforms("purge", check=False)
        self.assertIn("purge: 0 rate-limit hits older than a day deleted",
                      p.stdout)
        self.assertEqual(hits(), ["now", "young"])

    def test_no_audit_record_for_hits(self):
        before = SITE.query("SELECT count(*) FROM audit")[0][0]
        hit("old", int(time.time()) - 2 * DAY)
        p = SITE.privforms("purge", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(hits(), [])
        self.assertEqual(SITE.query("SELECT count(*) FROM audit")[0][0],
                         before)

    def test_a_failing_step_is_said_and_the_others_run(self):
        p = purge_refused("rate_hit",
                          lambda: hit("held", int(time.time()) - 2 * DAY))
        self.assertEqual(p.returncode, 1)
        self.assertIn("purge: rate-limit hits:", p.stderr)
        self.assertIn("proof-of-work challenge", p.stdout)
        self.assertEqual(hits(), ["held"])


if __name__ == "__main__":
    unittest.main()
