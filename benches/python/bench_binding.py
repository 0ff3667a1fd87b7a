"""(c) The Python binding: N sequential create_post calls on one soku.Client.

Environment: SOKU_API_KEY, SOKU_BENCH_URL, SOKU_BENCH_N, SOKU_BENCH_OUT; SOKU_LIB (the release
libsoku.so) and PYTHONPATH (bindings/python/src) are set by benches/run.sh. SOKU_BENCH_CA, if
set, is passed as ``ca_file`` (the HTTPS run; run.sh sets it only when the binding takes it).
With SOKU_BENCH_LOG=1 a handler on the ``"soku"`` logger at DEBUG counts every record (one
``attempt`` per call) and the files are named py-binding-log.* instead.
"""

import logging
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

import soku  # noqa: E402

if __name__ == "__main__":
    body = harness.payload()
    log_on = os.environ.get("SOKU_BENCH_LOG") == "1"
    records = []
    if log_on:

        class Count(logging.Handler):
            def emit(self, record):
                records.append(record.levelno)

        logging.getLogger("soku").addHandler(Count())
        logging.getLogger("soku").setLevel(logging.DEBUG)
    extra = {"ca_file": os.environ["SOKU_BENCH_CA"]} if os.environ.get("SOKU_BENCH_CA") else {}
    with soku.Client(
        api_key=os.environ["SOKU_API_KEY"],
        base_url=os.environ["SOKU_BENCH_URL"],
        allow_insecure_http=True,
        **extra,
    ) as client:
        # The typed result is built on every call; the harness checks its wire dict.
        harness.run("py-binding-log" if log_on else "py-binding", lambda: client.create_post(body).raw)
    if log_on and len(records) != int(os.environ["SOKU_BENCH_N"]):
        sys.exit("py-binding-log: %d records for %s calls" % (len(records), os.environ["SOKU_BENCH_N"]))
