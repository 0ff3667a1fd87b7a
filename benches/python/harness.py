"""Shared timing loop of the Python harnesses (see benches/src/results.rs for the file format)."""

import os
import sys
import time

EARLY = 100


def rss_kb():
    """VmRSS of this process in kB, 0 if unknown."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(name, call):
    """Times N sequential calls of ``call()`` and writes NAME.lat / NAME.meta into OUT_DIR.

    Reads N and OUT_DIR from the environment (SOKU_BENCH_N, SOKU_BENCH_OUT). ``call`` returns the
    create-post response dict; a missing postSubmissionId stops the run.
    """
    n = int(os.environ.get("SOKU_BENCH_N", "1000"))
    out_dir = os.environ["SOKU_BENCH_OUT"]
    early = min(EARLY, n)
    lat = [0] * n
    rss_early = 0
    rss_kb()  # the first reading's own set-up is not the client's memory (as in bench.c)
    clock = time.perf_counter_ns
    started = clock()
    for i in range(n):
        t = clock()
        result = call()
        lat[i] = clock() - t
        if not result.get("postSubmissionId"):
            sys.exit(f"{name}: call {i + 1}: no postSubmissionId in {result!r}")
        if i + 1 == early:
            rss_early = rss_kb()
    total = clock() - started
    rss_late = rss_kb()
    with open(os.path.join(out_dir, name + ".lat"), "w") as f:
        f.write("".join(f"{x}\n" for x in lat))
    with open(os.path.join(out_dir, name + ".meta"), "w") as f:
        f.write(
            f"total_ns={total}\ncalls={n}\n"
            f"rss_after_100_kb={rss_early}\nrss_after_n_kb={rss_late}\n"
        )


def payload():
    """The create-post body every harness sends, as a dict (benches/payload.json)."""
    import json

    with open(os.path.join(os.path.dirname(__file__), "..", "payload.json")) as f:
        return json.load(f)
