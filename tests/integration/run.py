"""run.py -- run the integration tests (tests/integration/test_*.py).

    /usr/bin/python3 tests/integration/run.py [PATTERN...]

Runs the files matching any PATTERN (all test_*.py without one).  Ends with
the line "N passed, N failed" and exits non-zero on any failure.  With
PRIVFORMS_TEST_BACKEND=postgresql every site stores its data in PostgreSQL
(harness.py).
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def main():
    patterns = sys.argv[1:] or ["test_*.py"]
    suite = unittest.TestSuite(
        unittest.defaultTestLoader.discover(HERE, pattern=p) for p in patterns)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print("%d passed, %d failed, %d skipped" % (passed, failed, len(result.skipped)))
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
