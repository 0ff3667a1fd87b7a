"""Run the whole suite: unittest's own report, then one ``python: N passed, N failed, N skipped`` line.

    SOKU_LIB=target/debug/libsoku.so python bindings/python/tests/run.py [-v]

Exits 1 if any test failed or errored, or if no test ran.
"""

import os
import sys
import unittest

import soku

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import support  # noqa: E402  (installs the suite-wide "soku" log recorder)


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    verbosity = 2 if "-v" in sys.argv[1:] else 1
    print("soku %s from %s" % (soku.__version__, os.path.dirname(soku.__file__)), flush=True)
    suite = unittest.defaultTestLoader.discover(here, top_level_dir=here)
    result = unittest.TextTestRunner(verbosity=verbosity).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    # Over every log record of the whole suite: no API key, token or proxy password.
    leaks = support.leaked_secrets()
    records = len(support.RECORDER.records)
    if leaks or records == 0 or not support.SECRETS:
        failed += 1
        print("log records: %d, secrets known: %d, records holding one: %d (first: %r)"
              % (records, len(support.SECRETS), len(leaks), leaks[:1]), flush=True)
    else:
        passed += 1
        print("log records: %d checked, none holds one of %d secrets" % (records, len(support.SECRETS)), flush=True)
    print("python: %d passed, %d failed, %d skipped" % (passed, failed, skipped), flush=True)
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
