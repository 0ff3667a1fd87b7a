"""Run the whole suite: unittest's own report, then one ``python: N passed, N failed, N skipped`` line.

    SOKU_LIB=target/debug/libsoku.so python bindings/python/tests/run.py [-v]

Exits 1 if any test failed or errored, or if no test ran.
"""

import os
import sys
import unittest

import soku


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    verbosity = 2 if "-v" in sys.argv[1:] else 1
    print("soku %s from %s" % (soku.__version__, os.path.dirname(soku.__file__)), flush=True)
    suite = unittest.defaultTestLoader.discover(here, top_level_dir=here)
    result = unittest.TextTestRunner(verbosity=verbosity).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print("python: %d passed, %d failed, %d skipped" % (passed, failed, skipped), flush=True)
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
