"""soku.testing without pytest: what `import soku` loads, and how the executable is found."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

import soku.testing
from soku.testing import SandboxError, find_binary


class ImportTest(unittest.TestCase):
    def test_import_soku_loads_neither_pytest_nor_the_plugin(self) -> None:
        code = (
            "import sys, soku, soku.testing\n"
            "print(sorted(m for m in sys.modules if m == 'pytest' or m.endswith('pytest_plugin')))"
        )
        out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, check=True)
        self.assertEqual(out.stdout.decode().strip(), "[]")


class FindBinaryTest(unittest.TestCase):
    def executable(self, folder: str, name: str) -> str:
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\n")
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        return path

    def test_override_names_the_command(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            standalone = self.executable(d, "soku-sandbox")
            cli = self.executable(d, "soku")
            with mock.patch.dict(os.environ, {"SOKU_SANDBOX_BIN": standalone}):
                self.assertEqual(find_binary(), [standalone])
            with mock.patch.dict(os.environ, {"SOKU_SANDBOX_BIN": cli}):
                self.assertEqual(find_binary(), [cli, "sandbox"])

    def test_a_missing_override_is_an_error_naming_it(self) -> None:
        with mock.patch.dict(os.environ, {"SOKU_SANDBOX_BIN": "/nonexistent/soku"}):
            with self.assertRaisesRegex(SandboxError, "SOKU_SANDBOX_BIN=/nonexistent/soku"):
                find_binary()

    def test_path_is_the_last_resort(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            cli = self.executable(d, "soku")
            env = {"PATH": d}
            with mock.patch.dict(os.environ, env), mock.patch.object(
                soku.testing, "_bundled", lambda: os.path.join(d, "absent")
            ):
                os.environ.pop("SOKU_SANDBOX_BIN", None)
                self.assertEqual(find_binary(), [cli, "sandbox"])
            with mock.patch.dict(os.environ, {"PATH": os.path.join(d, "empty")}), mock.patch.object(
                soku.testing, "_bundled", lambda: os.path.join(d, "absent")
            ):
                os.environ.pop("SOKU_SANDBOX_BIN", None)
                with self.assertRaisesRegex(SandboxError, "no soku executable"):
                    find_binary()


class SandboxTest(unittest.TestCase):
    """With the suite's SOKU_SANDBOX_BIN (soku-sandbox takes the same flags as soku sandbox)."""

    def test_a_sandbox_that_cannot_start_says_why(self) -> None:
        with self.assertRaisesRegex(SandboxError, r"did not start.*unknown argument \"--bogus\""):
            soku.testing.Sandbox(args=["--bogus"])
        with self.assertRaisesRegex(SandboxError, "unknown rate-limit endpoint"):
            soku.testing.Sandbox(limits={"nope": 1})

    def test_start_inject_stop(self) -> None:
        with soku.testing.Sandbox(rate_limits=False) as sb:
            sb.inject({"path": "/v1/posts", "status": 503, "retryAfter": 1})
            with sb.client(max_retries=1) as client:
                client.create_post(text="hi", platforms=["x"])
            self.assertEqual(len(sb.submissions()), 1)
            self.assertEqual([r["path"] for r in sb.requests()], ["/v1/posts", "/v1/posts"])
            pid = sb.pid
        self.assertFalse(os.path.exists("/proc/%d" % pid), "reaped")
        self.assertFalse(sb.running)


if __name__ == "__main__":
    unittest.main()
