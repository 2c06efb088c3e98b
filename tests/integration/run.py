"""run.py -- run the integration tests (tests/integration/test_*.py).

    /usr/bin/python3 tests/integration/run.py [PATTERN...]

Runs the files matching any PATTERN (all test_*.py without one).  Ends with
where the time went (the slowest files, classes and tests, see Timer) and
the line "N passed, N failed, N skipped" (after it, a line naming each
failed test, so that the end of a long log, all a CI run may keep, says
which), and exits non-zero on any failure.
With PRIVFORMS_TEST_BACKEND=postgresql every site stores its data in
PostgreSQL (harness.py).  PRIVFORMS_TEST_TIMES=FILE also writes every
file's, class's and test's seconds to FILE (tab-separated: kind, name,
seconds), to compare two runs.
"""

import collections
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# How many of the slowest files, classes and tests the report lists.
SLOWEST = 15


class Timer:
    """Where a run's wall-clock time goes.  A test's own time runs from
    its startTest to its stopTest (setUp, the method, tearDown); the
    fixtures unittest runs between tests (setUpModule, setUpClass and
    their tearDowns) are timed by wrapping them, each counted to its
    class or file.  A file's time is all of that; a class's, its tests
    and its own fixtures."""

    def __init__(self):
        self.files = collections.Counter()
        self.classes = collections.Counter()
        self.tests = {}
        self.inside = False     # in a fixture being timed

    def add(self, test, seconds):
        self.tests[test.id()] = seconds
        self.classes[_name(type(test))] += seconds
        self.files[type(test).__module__] += seconds

    def _timed(self, fn, module):
        """fn (a module's fixture, or a class's: its first argument the
        class) counted to its file and class; a fixture that calls
        another (super().setUpClass()) is counted once."""
        def timed(*args):
            if self.inside:
                return fn(*args)
            self.inside = True
            t0 = time.monotonic()
            try:
                return fn(*args)
            finally:
                self.inside = False
                seconds = time.monotonic() - t0
                self.files[module] += seconds
                if args:
                    self.classes[_name(args[0])] += seconds
        timed.untimed = fn
        return timed

    def wrap(self, suite):
        """Time the module and class fixtures of every test in suite."""
        classes = {type(test) for test in _tests(suite)}
        for m in {sys.modules.get(c.__module__) for c in classes} - {None}:
            for name in ("setUpModule", "tearDownModule"):
                fn = getattr(m, name, None)
                if fn is not None:
                    setattr(m, name, self._timed(
                        getattr(fn, "untimed", fn), m.__name__))
        for c in classes:
            for name in ("setUpClass", "tearDownClass"):
                # The function under the classmethod, inherited or not (a
                # base class's may be wrapped already: the one under it).
                fn = getattr(c, name).__func__
                fn = getattr(fn, "untimed", fn)
                setattr(c, name, classmethod(self._timed(fn, c.__module__)))

    def report(self, out):
        total = sum(self.files.values())
        out.write("\nWhere the time went (%.0f s in tests and fixtures):\n"
                  % total)
        for title, table in (("files", self.files),
                             ("classes", self.classes),
                             ("tests", collections.Counter(self.tests))):
            out.write("  slowest %s:\n" % title)
            for name, seconds in table.most_common(SLOWEST):
                out.write("  %8.1f s  %s\n" % (seconds, name))

    def write(self, path):
        with open(path, "w") as f:
            for kind, table in (("file", self.files),
                                ("class", self.classes),
                                ("test", self.tests)):
                for name, seconds in sorted(table.items()):
                    f.write("%s\t%s\t%.3f\n" % (kind, name, seconds))


def _name(cls):
    return cls.__module__ + "." + cls.__qualname__


def _tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from _tests(t)
        else:
            yield t


class TimedResult(unittest.TextTestResult):
    """TextTestResult that tells timer each test's time."""

    timer = None

    def startTest(self, test):
        self._started = time.monotonic()
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        self.timer.add(test, time.monotonic() - self._started)


def _last_line(trace):
    """A traceback's last line: the exception and its message."""
    lines = trace.strip().splitlines()
    return lines[-1] if lines else ""


def main():
    patterns = sys.argv[1:] or ["test_*.py"]
    suite = unittest.TestSuite(
        unittest.defaultTestLoader.discover(HERE, pattern=p) for p in patterns)
    timer = Timer()
    timer.wrap(suite)
    TimedResult.timer = timer
    runner = unittest.TextTestRunner(verbosity=2, resultclass=TimedResult)
    result = runner.run(suite)
    timer.report(sys.stderr)
    if os.environ.get("PRIVFORMS_TEST_TIMES"):
        timer.write(os.environ["PRIVFORMS_TEST_TIMES"])
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print("%d passed, %d failed, %d skipped" % (passed, failed, len(result.skipped)))
    for kind, problems in (("FAILED", result.failures), ("ERROR", result.errors)):
        for test, trace in problems:
            print("%s %s: %s" % (kind, test.id(), _last_line(trace)))
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
