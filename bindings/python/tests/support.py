"""Test support: the repository layout, the documented request bodies and a sandbox the tests start.

The sandbox binary is ``$SOKU_SANDBOX_BIN``, else ``soku-sandbox`` in ``$CARGO_TARGET_DIR/{debug,release}``
or the repository's ``target/{debug,release}`` (build it with ``cargo build -p soku-sandbox``).
"""

from __future__ import annotations

import atexit
import copy
import json
import logging
import os
import queue
import socket
import subprocess
import tempfile
import threading
import unittest
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Tuple

import soku

HERE = os.path.dirname(os.path.abspath(__file__))


class Recorder(logging.Handler):
    """Keeps every record of the ``"soku"`` logger for the whole suite (see :func:`leaked_secrets`)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: List[logging.LogRecord] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._guard:
            self.records.append(record)


#: Installed when the tests import this module: the whole suite runs with the "soku" logger
#: at DEBUG, so every event of every test passes through Python's logging.
RECORDER = Recorder()
logging.getLogger("soku").addHandler(RECORDER)
logging.getLogger("soku").setLevel(logging.DEBUG)

#: Every credential the suite uses (sandbox keys and tokens, proxy passwords).
SECRETS: "set[str]" = set()


def leaked_secrets() -> List[str]:
    """The records (as text) of the whole suite so far that hold one of :data:`SECRETS`."""
    leaks = []
    for record in list(RECORDER.records):
        text = "%s %r %r" % (record.getMessage(), getattr(record, "fields", None), record.__dict__)
        if any(secret in text for secret in SECRETS):
            leaks.append(record.getMessage())
    return leaks


def repo_root() -> str:
    """The workspace root: the nearest folder above the tests holding a Cargo.toml with [workspace]."""
    folder = HERE
    while True:
        manifest = os.path.join(folder, "Cargo.toml")
        if os.path.isfile(manifest):
            with open(manifest, encoding="utf-8") as f:
                if "[workspace]" in f.read():
                    return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            raise RuntimeError("no Cargo workspace above %s" % HERE)
        folder = parent


def sandbox_bin() -> str:
    """The soku-sandbox binary; a clear error naming every place looked at when it is missing."""
    override = os.environ.get("SOKU_SANDBOX_BIN")
    if override:
        if not os.path.isfile(override):
            raise RuntimeError("SOKU_SANDBOX_BIN=%s: no such file" % override)
        return override
    tried = []
    target_dir = os.environ.get("CARGO_TARGET_DIR")
    for base in ([target_dir] if target_dir else []) + [os.path.join(repo_root(), "target")]:
        tried += [os.path.join(base, profile, "soku-sandbox") for profile in ("debug", "release")]
    for path in tried:
        if os.path.isfile(path):
            return path
    raise RuntimeError(
        "soku-sandbox not found (run `cargo build -p soku-sandbox` or set SOKU_SANDBOX_BIN); tried "
        + ", ".join(tried)
    )


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return int(port)


class Sandbox:
    """A soku-sandbox subprocess on an ephemeral loopback port, with its control API.

    Attributes ``url``, ``api_key``, ``firebase_token``, ``inactive_api_key`` and
    ``default_key_id`` come from the lines the binary prints at start-up.
    """

    def __init__(self, *args: str) -> None:
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sandbox_bin(), "--port", "0", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        atexit.register(self.stop)
        lines: "queue.Queue[Optional[str]]" = queue.Queue()

        def pump() -> None:
            assert self.proc.stdout is not None
            for raw in self.proc.stdout:
                lines.put(raw.decode("utf-8", "replace").strip())
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        values: Dict[str, str] = {}
        try:
            first = lines.get(timeout=30)
            while len(values) < 4:
                line = lines.get(timeout=30)
                if line is None:
                    break
                key, _, value = line.partition("=")
                values[key] = value
        except queue.Empty:
            first = None
        if not first or not first.startswith("http") or len(values) < 4:
            self.stop()
            self._stderr.seek(0)
            raise RuntimeError(
                "soku-sandbox did not start (url=%r, got %s); stderr: %s"
                % (first, sorted(values), self._stderr.read()[-2000:].decode("utf-8", "replace"))
            )
        self.url: str = first
        self.api_key = values["SOKU_API_KEY"]
        self.firebase_token = values["SOKU_FIREBASE_TOKEN"]
        self.inactive_api_key = values["SOKU_INACTIVE_API_KEY"]
        self.default_key_id = values["SOKU_DEFAULT_KEY_ID"]
        SECRETS.update((self.api_key, self.firebase_token, self.inactive_api_key))

    def stop(self) -> None:
        """Terminate the subprocess (idempotent)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._stderr.close()

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        req = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def inject(self, path: str, **fault: Any) -> None:
        """Queue a fault (``status``, ``code``, ``retryAfter``, ``delayMs``, ``body``, ``drop``, ``count``)."""
        self._control("POST", "/__sandbox/faults", dict(fault, path=path))

    def requests(self) -> List[Dict[str, Any]]:
        """Every request the API side received, oldest first."""
        return self._control("GET", "/__sandbox/requests")  # type: ignore[no-any-return]

    def requests_to(self, path: str) -> List[Dict[str, Any]]:
        """The recorded requests whose path is ``path``."""
        return [r for r in self.requests() if r.get("path") == path]

    def submissions(self) -> List[Any]:
        """The accepted POST /v1/posts bodies (each once)."""
        return self._control("GET", "/__sandbox/submissions")  # type: ignore[no-any-return]

    def stats(self) -> Dict[str, int]:
        """``{"connections": n, "requests": n}``."""
        return self._control("GET", "/__sandbox/stats")  # type: ignore[no-any-return]

    def reset(self) -> None:
        """Forget requests, submissions, faults and rate-limit windows."""
        self._control("POST", "/__sandbox/reset")


class SandboxCase(unittest.TestCase):
    """One sandbox per test class (``sandbox_args`` are its flags), reset before every test.

    ``self.client`` is a client of it with millisecond backoff, closed after the test.
    """

    sandbox_args: Tuple[str, ...] = ()
    sb: Sandbox

    @classmethod
    def setUpClass(cls) -> None:
        cls.sb = Sandbox(*cls.sandbox_args)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.sb.stop()

    def setUp(self) -> None:
        self.sb.reset()
        self.client = self.make()

    def make(self, **config: Any) -> soku.Client:
        """A client of this class's sandbox (quick backoff, 10 s timeout), closed after the test."""
        config.setdefault("api_key", self.sb.api_key)
        config.setdefault("base_url", self.sb.url)
        config.setdefault("backoff_base", 0.001)
        config.setdefault("max_retry_wait", 0.05)
        config.setdefault("timeout", 10)
        c = soku.Client(**config)
        self.addCleanup(c.close)
        return c


def header(request: Dict[str, Any], name: str) -> Optional[str]:
    """A recorded request's header value (case-insensitive), or None."""
    for pair in request.get("headers", []):
        key, value = (pair[0], pair[1]) if isinstance(pair, (list, tuple)) else (pair.get("name"), pair.get("value"))
        if key.lower() == name.lower():
            return value  # type: ignore[no-any-return]
    return None


def future_time(minutes: int = 60) -> str:
    """An RFC 3339 instant ``minutes`` from now, in the documented format (``2026-03-09T14:00:00.000Z``)."""
    t = datetime.now(timezone.utc) + timedelta(minutes=minutes)
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


# ---- the request bodies of the vendor's code-examples page ----------------------------------------

TEXT_POST: Dict[str, Any] = {
    "post": {
        "content": {
            "text": "Just shipped our biggest update yet. More details coming soon.",
            "mediaType": "text",
            "platform": ["threads", "x", "linkedin"],
        }
    }
}

MEDIA_UPLOAD: Dict[str, Any] = {"url": "https://example.com/videos/product-demo.mp4"}


def video_post(video_url: str) -> Dict[str, Any]:
    """The documented video post, with the hosted URL of the upload."""
    return {
        "post": {
            "content": {
                "text": "Watch our full product walkthrough",
                "mediaType": "video",
                "videoUrl": video_url,
                "platform": [
                    {"platform": "instagram", "accountId": "ig_main"},
                    {"platform": "tiktok", "accountId": "tt_brand"},
                    "youtube",
                ],
            }
        }
    }


IMAGE_POST: Dict[str, Any] = {
    "post": {
        "content": {
            "text": "Behind the scenes from today's shoot",
            "mediaType": "image",
            "imageUrls": [
                "https://storage.mysoku.io/media/img1.jpg",
                "https://storage.mysoku.io/media/img2.jpg",
                "https://storage.mysoku.io/media/img3.jpg",
            ],
            "platform": [
                {"platform": "instagram", "accountId": "ig_main"},
                {"platform": "facebook", "accountId": "fb_page"},
                "linkedin",
            ],
        }
    }
}

TEMPLATE: Dict[str, Any] = {
    "templateSlug": "tweetImage",
    "config": {
        "title": "5 Lessons From Building in Public",
        "author": "Soku Team",
        "theme": "dark",
    },
}

TEMPLATE_POST_CONTENT: Dict[str, Any] = {
    "text": "5 Lessons From Building in Public \u2014 a thread.",
    "mediaType": "image",
    "platform": ["x", "linkedin"],
}

TRANSCRIBE: Dict[str, Any] = {
    "mediaId": "media_f7e8d9c0b3c4",
    "language": "en",
    "model": "whisper-1",
    "durationSeconds": 600,
}

DOCUMENTED_SCHEDULED_TIME = "2026-03-09T14:00:00.000Z"


def scheduled_post(when: str) -> Dict[str, Any]:
    """The documented "Schedule a Post for Later" body at ``when``."""
    return {
        "post": {
            "content": {
                "text": "Happy Monday! Here is your weekly dose of motivation.",
                "mediaType": "text",
                "platform": ["threads", "x", "linkedin"],
            }
        },
        "scheduledTime": when,
    }


def batch_posts() -> List[Dict[str, Any]]:
    """The three documented batch posts, rescheduled into the future (the documented dates have passed)."""
    texts = [
        "Monday motivation: consistency beats perfection.",
        "Tuesday tip: automate what you repeat.",
        "Wednesday wisdom: ship it, then improve.",
    ]
    return [
        {
            "post": {"content": {"text": t, "mediaType": "text", "platform": ["threads", "x"]}},
            "scheduledTime": future_time(60 * 24 * (i + 1)),
        }
        for i, t in enumerate(texts)
    ]


ROTATION_NAME = "Production Server (rotated)"


def fresh(body: Dict[str, Any]) -> Dict[str, Any]:
    """A deep copy, so a test can never alter the shared bodies."""
    return copy.deepcopy(body)
