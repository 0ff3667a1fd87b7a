"""``soku.testing.Sandbox`` used directly, and the promise that no sandbox process outlives its
owner: after the ``with`` block, after an exception in it, and after the owner is killed with
SIGKILL (checked in /proc)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

import soku
import soku.testing


def gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (absent from /proc, or a zombie waiting for its reaper)."""
    try:
        with open("/proc/%d/status" % pid, encoding="utf-8") as f:
            state = next(line for line in f if line.startswith("State:"))
    except (FileNotFoundError, StopIteration):
        return True
    return "Z" in state.split()[1]


def wait_gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if gone(pid):
            return True
        time.sleep(0.02)
    return gone(pid)


def test_sandbox_directly_publishes_once_and_stops() -> None:
    with soku.testing.Sandbox(limits={"posts": 10}) as sb:
        sb.inject({"path": "/v1/posts", "status": 429, "retryAfter": 1})
        sb.inject({"path": "/v1/posts", "drop": True})
        with sb.client() as client:
            client.create_post(text="hello", platforms=["x"])
        assert len([r for r in sb.requests() if r["path"] == "/v1/posts"]) == 3
        assert len(sb.submissions()) == 1
        assert sb.base_url.startswith("http://127.0.0.1:")
        pid = sb.pid
        assert not gone(pid)
    assert gone(pid), "the sandbox outlived its with block"


def test_faults_given_at_start_and_a_bad_fault_refused() -> None:
    with soku.testing.Sandbox(faults=[{"path": "/v1/posts", "status": 503, "count": 2}]) as sb:
        with sb.client(max_retries=0) as client:
            with pytest.raises(soku.ServerError):
                client.create_post(text="x", platforms=["x"])
        with pytest.raises(soku.testing.SandboxError, match="400"):
            sb.inject({"path": "/v1/posts", "status": 99})
        assert sb.submissions() == []


def test_an_exception_in_the_with_block_stops_it() -> None:
    pid = 0
    with pytest.raises(KeyboardInterrupt):
        with soku.testing.Sandbox() as sb:
            pid = sb.pid
            raise KeyboardInterrupt
    assert pid and gone(pid)


def test_no_orphan_when_the_owner_is_killed() -> None:
    owner = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, signal, soku.testing\n"
            "sb = soku.testing.Sandbox()\n"
            "print(sb.pid, flush=True)\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n",
        ],
        stdout=subprocess.PIPE,
        check=False,
    )
    assert owner.returncode == -signal.SIGKILL
    pid = int(owner.stdout.decode().split()[0])
    assert wait_gone(pid), "the sandbox of a killed owner is still running"


def test_start_up_time_is_reported() -> None:
    sb = soku.testing.Sandbox()
    try:
        assert 0 < sb.startup_seconds < soku.testing.START_TIMEOUT
        print("sandbox ready in %.1f ms" % (sb.startup_seconds * 1000))
    finally:
        sb.stop()
    assert not sb.running
    assert os.environ.get("SOKU_TEST_RUN_ID") is None or gone(sb.pid)
