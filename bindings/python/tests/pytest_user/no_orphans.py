"""The processes still alive that pytest started in this run, read from /proc: the conftest
sets ``SOKU_TEST_CHILD=$SOKU_TEST_RUN_ID`` in pytest's environment, so every process started
from the session (a sandbox, a helper Python) inherits it, while pytest itself, its parents and
siblings (whose /proc environ is the one they started with) do not. ``python no_orphans.py``
exits 1 and names them if there are any."""

from __future__ import annotations

import os
import sys
from typing import FrozenSet, List


def survivors(exclude: FrozenSet[int] = frozenset()) -> List[str]:
    run_id = os.environ.get("SOKU_TEST_RUN_ID")
    if not run_id:
        raise SystemExit("SOKU_TEST_RUN_ID is not set")
    marker = ("SOKU_TEST_CHILD=%s" % run_id).encode()
    left = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in exclude:
            continue
        try:
            with open("/proc/%s/environ" % entry, "rb") as f:
                env = f.read().split(b"\0")
            with open("/proc/%s/status" % entry, encoding="utf-8") as f:
                state = next((l for l in f if l.startswith("State:")), "State: ?")
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:
            continue
        if marker in env and "Z" not in state.split()[1]:
            left.append("%s (%s)" % (entry, cmd))
    return left


if __name__ == "__main__":
    left = survivors(exclude=frozenset({os.getpid()}))
    if left:
        print("sandbox processes left: %s" % ", ".join(left))
        sys.exit(1)
    print("no process of this run is left")
