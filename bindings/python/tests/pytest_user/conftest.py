"""At the end of the session: no process started during it is still alive, read from /proc
(see no_orphans.py). test.sh checks the same again after pytest has exited."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from no_orphans import survivors  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    os.environ["SOKU_TEST_CHILD"] = os.environ.get("SOKU_TEST_RUN_ID", "unset")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    left = survivors()
    if left:
        session.exitstatus = 1
        sys.stderr.write("processes of this run still alive: %s\n" % left)
