"""A keep-alive HTTP/1.1 server on loopback that derives each answer from its request.

Every request is answered ``200 {"postSubmissionId": <its Idempotency-Key>}``, so a caller who
sends a unique key per call detects an answer meant for another call (a crossed answer). A key
that starts with ``slow`` is answered after 200 ms, to keep a call in flight.

Used by the fork tests (``test_fork.py`` here, ``bindings/c/tests/test_fork.c`` through
``bindings/c/test.sh``). Run: ``python3 echo_server.py``; it prints ``http://127.0.0.1:PORT``
on its first line, then serves until killed.
"""

import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True  # head and body are two writes: no 40 ms stall between them

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        key = self.headers.get("Idempotency-Key") or ""
        if key.startswith("slow"):
            time.sleep(0.2)
        body = json.dumps({"postSubmissionId": key}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = _answer
    do_GET = _answer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("http://127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
