"""os.fork(): a client used in a forked child never reuses the parent's keep-alive connections.

The server (echo_server.py) answers every request with ``{"postSubmissionId": <its
Idempotency-Key>}`` and every call sends a unique key, so an answer read by the wrong process
(or thread) is a crossed answer. A watchdog (``signal.alarm``) in every child turns a deadlock
into a failure; the parent waits for the child with a bound too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import unittest
import warnings
from typing import Callable, List, Tuple

import soku

CALLS = 200
WATCHDOG_SECONDS = 60
POST = {"post": {"content": {"text": "hello", "platform": ["x"]}}}
HERE = os.path.dirname(os.path.abspath(__file__))


def calls(client: soku.Client, prefix: str, n: int) -> Tuple[int, int]:
    """(crossed answers, errors) over ``n`` calls with keys ``<prefix>-<i>``."""
    crossed = errors = 0
    for i in range(n):
        key = "%s-%d" % (prefix, i)
        try:
            got = client.create_post(POST, idempotency_key=key).post_submission_id
        except soku.SokuError as exc:
            print("%s: %s" % (key, exc), file=sys.stderr)
            errors += 1
            continue
        if got != key:
            print("%s: got the answer for %s" % (key, got), file=sys.stderr)
            crossed += 1
    return crossed, errors


def fork(child: Callable[[], int]) -> int:
    """Forks; the child runs ``child`` under a watchdog and exits with its status (never
    returning into the test runner)."""
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() in a process with threads: that is the case tested.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        status = 1
        try:
            signal.alarm(WATCHDOG_SECONDS)
            status = child()
        except BaseException as exc:  # report, then exit: never run the parent's tests here
            print("child: %r" % (exc,), file=sys.stderr)
        finally:
            sys.stderr.flush()
            os._exit(status)
    return pid


def wait(pid: int) -> str:
    """'' if the child exited 0, else how it ended (a deadlock shows as SIGALRM)."""
    deadline = time.monotonic() + WATCHDOG_SECONDS + 10
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
                return ""
            if os.WIFSIGNALED(status):
                return "child killed by signal %d (SIGALRM: deadlock)" % os.WTERMSIG(status)
            return "child exit status %d" % os.WEXITSTATUS(status)
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return "child did not finish"


class ForkTest(unittest.TestCase):
    server: "subprocess.Popen[str]"
    url: str

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "echo_server.py")],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert cls.server.stdout is not None
        cls.url = cls.server.stdout.readline().strip()
        if not cls.url.startswith("http://127.0.0.1:"):
            cls.server.kill()
            raise RuntimeError("echo server did not start: %r" % cls.url)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.kill()
        cls.server.wait()
        if cls.server.stdout is not None:
            cls.server.stdout.close()

    def client(self) -> soku.Client:
        return soku.Client(
            api_key="sk_test_fork", base_url=self.url, max_retries=0, timeout=10, from_env=False
        )

    def test_fork_between_calls(self) -> None:
        client = self.client()
        self.assertEqual(calls(client, "parent-before", 1), (0, 0))

        def child() -> int:
            result = calls(client, "child", CALLS)
            print("fork between calls: child: %d calls, %d crossed, %d errors" % ((CALLS,) + result),
                  file=sys.stderr)
            client.close()  # frees the native client: must leave the parent's connections alone
            return 0 if result == (0, 0) else 1

        pid = fork(child)
        during = calls(client, "parent-during", CALLS)
        self.assertEqual(wait(pid), "")
        after = calls(client, "parent-after", CALLS)
        self.assertEqual(during, (0, 0), "parent: (crossed, errors) while the child ran")
        self.assertEqual(after, (0, 0), "parent: (crossed, errors) after the child exited")
        client.close()

    def test_fork_while_another_thread_is_mid_call(self) -> None:
        client = self.client()
        self.assertEqual(calls(client, "warm", 1), (0, 0))
        stop = threading.Event()
        in_slow_call = threading.Event()
        tallies: List[Tuple[int, int]] = []

        def slow_caller() -> None:
            i = 0
            while not stop.is_set():
                in_slow_call.set()
                tallies.append(calls(client, "slow%d" % i, 1))  # answered after 200 ms
                in_slow_call.clear()
                i += 1

        worker = threading.Thread(target=slow_caller)
        worker.start()
        try:
            mid_call = 0
            for round_ in range(5):
                time.sleep(0.05)
                mid_call += in_slow_call.is_set()

                def child(round_: int = round_) -> int:
                    result = calls(client, "child%d" % round_, CALLS)
                    client.close()  # the parent's call in flight is not the child's to wait for
                    return 0 if result == (0, 0) else 1

                self.assertEqual(wait(fork(child)), "", "round %d" % round_)
            self.assertGreater(mid_call, 0, "no fork happened while a call was in flight")
        finally:
            stop.set()
            worker.join(30)

        # The client's own lock held by another thread at the moment of the fork.
        handle = client._handle
        held, release = threading.Event(), threading.Event()

        def holder() -> None:
            with handle._lock:
                held.set()
                release.wait(30)

        t = threading.Thread(target=holder)
        t.start()
        try:
            held.wait(10)

            def child_with_lock_held() -> int:
                result = calls(client, "locked", CALLS)
                return 0 if result == (0, 0) else 1

            self.assertEqual(wait(fork(child_with_lock_held)), "", "fork while the lock was held")
        finally:
            release.set()
            t.join(30)
        self.assertEqual(sum(c for c, _ in tallies), 0, "parent thread: crossed answers")
        self.assertEqual(sum(e for _, e in tallies), 0, "parent thread: errors")
        client.close()


if __name__ == "__main__":
    unittest.main()
