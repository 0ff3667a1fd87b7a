"""Test your integration offline: the Soku sandbox in a subprocess, for tests.

The sandbox is a stateful, fault-injecting Soku API on loopback (the ``soku sandbox`` command of
the ``soku`` executable this package carries). Your code talks to it like to the real API; your
test queues faults (a 429 with ``Retry-After``, a 500 after the post was published, a dropped
connection) and then asserts what the server saw::

    import soku.testing

    with soku.testing.Sandbox(limits={"posts": 30}) as sb:
        sb.inject({"path": "/v1/posts", "status": 429, "retryAfter": 1})
        with sb.client() as client:
            client.create_post(text="hello", platforms=["x"])
        assert len(sb.submissions()) == 1        # published once, after the retry

With pytest installed, the fixtures ``soku_sandbox`` (one sandbox per test) and
``soku_sandbox_session`` (one per session, not reset between tests: call ``reset()``) come with this
package (the ``pytest11`` entry point; see :mod:`soku.pytest_plugin`): no import needed.

The executable is, first match wins: ``$SOKU_SANDBOX_BIN``; the ``soku`` executable inside this
package (``soku/_bin/soku``, in the wheel); ``soku`` on ``PATH``. A file named
``soku-sandbox…`` (the standalone server of the repository) is run as it is, any other as
``BIN sandbox``; both take the same flags.

No process is left behind: the sandbox runs with ``--exit-on-stdin-close`` and its stdin is a
pipe only this process holds, so it stops when :meth:`Sandbox.stop` closes the pipe, when the
``with`` block ends (also through an exception or Ctrl-C), at interpreter exit (``atexit``), and
when this process dies in any way (even ``kill -9``: the kernel closes the pipe). It runs in its
own session, so a Ctrl-C in the terminal reaches the test runner, which then stops it.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Dict, List, Mapping, Optional, Sequence, TypedDict

from ._client import Client

__all__ = ["Sandbox", "SandboxError", "Fault", "RecordedRequest", "find_binary"]

#: Seconds to wait for the sandbox to print its address.
START_TIMEOUT = 30.0


class SandboxError(RuntimeError):
    """The sandbox could not be found, started, or asked (the message says which)."""


class _FaultBase(TypedDict):
    path: str


class Fault(_FaultBase, total=False):
    """A fault for the next ``count`` requests to ``path`` (exact, or a prefix ending in ``*``).

    The fields of the sandbox's control API (``POST /__sandbox/faults``): ``status`` and
    ``code`` (an error envelope; status defaults to 500), ``retryAfter`` (seconds, the
    ``Retry-After`` header), ``delayMs``, ``body`` (a raw body, e.g. an HTML page), ``drop``
    (close the connection without answering), ``afterProcessing`` (serve the request first,
    then answer with the fault), ``headers``, ``count`` (default 1) and ``method``.
    """

    method: str
    count: int
    status: int
    code: str
    retryAfter: int
    delayMs: int
    body: str
    headers: Dict[str, str]
    drop: bool
    afterProcessing: bool


class RecordedRequest(TypedDict):
    """One API request as the sandbox received it (faulted ones included)."""

    method: str
    path: str
    headers: List[List[str]]
    body: str


def _bundled() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bin", "soku")


def find_binary() -> List[str]:
    """The command that starts a sandbox: ``[BIN]`` for ``soku-sandbox``, else ``[BIN, "sandbox"]``.

    Looked up in ``$SOKU_SANDBOX_BIN``, the package's ``_bin/soku``, then ``soku`` on ``PATH``.
    """
    override = os.environ.get("SOKU_SANDBOX_BIN")
    if override:
        if not os.path.isfile(override):
            raise SandboxError("SOKU_SANDBOX_BIN=%s: no such file" % override)
        path = override
    elif os.path.isfile(_bundled()):
        path = _bundled()
    else:
        found = shutil.which("soku")
        if found is None:
            raise SandboxError(
                "no soku executable: not in SOKU_SANDBOX_BIN (not set), not in this package (%s; "
                "installed from an sdist?), not on PATH; install the soku CLI or set "
                "SOKU_SANDBOX_BIN" % _bundled()
            )
        path = found
    if os.path.basename(path).startswith("soku-sandbox"):
        return [path]
    return [path, "sandbox"]


class Sandbox:
    """A sandbox subprocess on a free loopback port; a context manager.

    Args:
        limits: requests per window by endpoint (``posts``, ``media``, ``templates``,
            ``render-og``, ``transcribe``, ``api-keys``). Default: the sandbox's (posts 30, …).
        faults: faults queued once the sandbox is ready (see :class:`Fault`). Default none.
        rate_limits: enforce the limits (429). Default True.
        window: the rate-limit window in seconds. Default 60.
        accounts: connected account ids by platform (an empty list disconnects a platform).
            Default: one per platform, two for instagram (``ig_main``, ``ig_backup``).
        credits: transcription credits per account. Default 1000.
        check_scheduled_time: refuse a ``scheduledTime`` less than 60 s ahead. Default True.
        args: further flags of ``soku sandbox``. Default none.
        start: start at once (else on ``__enter__`` or :meth:`start`). Default True.
    """

    def __init__(
        self,
        *,
        limits: Optional[Mapping[str, int]] = None,
        faults: Sequence[Fault] = (),
        rate_limits: bool = True,
        window: Optional[float] = None,
        accounts: Optional[Mapping[str, Sequence[str]]] = None,
        credits: Optional[int] = None,
        check_scheduled_time: bool = True,
        args: Sequence[str] = (),
        start: bool = True,
    ) -> None:
        flags: List[str] = ["--json", "--exit-on-stdin-close", "--port", "0"]
        for name, n in (limits or {}).items():
            flags += ["--limit", "%s=%d" % (name, n)]
        if not rate_limits:
            flags.append("--no-rate-limits")
        if window is not None:
            flags += ["--window-ms", str(int(window * 1000))]
        for platform, ids in (accounts or {}).items():
            flags += ["--accounts", "%s=%s" % (platform, ",".join(ids))]
        if credits is not None:
            flags += ["--credits", str(credits)]
        if not check_scheduled_time:
            flags.append("--no-scheduled-time-check")
        self._flags = flags + list(args)
        self._faults = list(faults)
        self._proc: Optional["subprocess.Popen[bytes]"] = None
        self._info: Dict[str, Any] = {}
        # Never a proxy: the sandbox is on loopback, whatever HTTP_PROXY says.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        #: Seconds from spawning the process to its first answer (set by :meth:`start`).
        self.startup_seconds: float = 0.0
        if start:
            self.start()

    # --- life -----------------------------------------------------------------------------

    def start(self) -> "Sandbox":
        """Starts the subprocess and waits until it answers (idempotent)."""
        if self._proc is not None:
            return self
        command = find_binary() + self._flags
        began = time.monotonic()
        try:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as e:
            raise SandboxError("cannot run %s: %s" % (command[0], e)) from None
        self._proc = proc
        atexit.register(self.stop)
        line: List[bytes] = []
        reader = threading.Thread(
            target=lambda: line.append(proc.stdout.readline() if proc.stdout else b""),
            daemon=True,
        )
        reader.start()
        reader.join(START_TIMEOUT)
        first = line[0] if line else b""
        try:
            info = json.loads(first.decode("utf-8", "replace"))
            if not isinstance(info, dict) or not str(info.get("url", "")).startswith("http://"):
                raise ValueError("no url")
        except ValueError:
            proc.kill()
            try:
                err = proc.stderr.read()[-2000:] if proc.stderr is not None else b""
            except (OSError, ValueError):
                err = b""
            self.stop()
            raise SandboxError(
                "the sandbox did not start (%s printed %r); stderr: %s"
                % (" ".join(command[:2]), first[:200], err.decode("utf-8", "replace").strip())
            ) from None
        self._info = info
        self._control("GET", "/stats")  # ready: it answers
        self.startup_seconds = time.monotonic() - began
        for fault in self._faults:
            self.inject(fault)
        return self

    def stop(self) -> None:
        """Stops the sandbox and reaps it (idempotent): closes its stdin, then SIGTERM, then
        SIGKILL, each after a grace period."""
        proc = self._proc
        if proc is None:
            return
        atexit.unregister(self.stop)
        if proc.stdin is not None and not proc.stdin.closed:
            try:
                proc.stdin.close()
            except OSError:
                pass
        for escalate in (None, proc.terminate, proc.kill):
            if escalate is not None:
                escalate()
            try:
                proc.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                continue
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()

    @property
    def running(self) -> bool:
        """Whether the subprocess is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int:
        """The subprocess's process id."""
        if self._proc is None:
            raise SandboxError("the sandbox is not started")
        return self._proc.pid

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what a client needs ---------------------------------------------------------------

    def _field(self, name: str) -> str:
        if not self._info:
            raise SandboxError("the sandbox is not started")
        return str(self._info[name])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, no trailing slash."""
        return self._field("url")

    @property
    def api_key(self) -> str:
        """The API key of the sandbox's active account."""
        return self._field("apiKey")

    @property
    def firebase_token(self) -> str:
        """The Firebase ID token of that account (for the API-key calls)."""
        return self._field("firebaseToken")

    @property
    def inactive_api_key(self) -> str:
        """The API key of an account without a subscription (content calls get 403)."""
        return self._field("inactiveApiKey")

    @property
    def default_key_id(self) -> str:
        """The id of :attr:`api_key` as ``list_api_keys`` shows it."""
        return self._field("defaultKeyId")

    def client(self, **kwargs: Any) -> Client:
        """A :class:`soku.Client` aimed at the sandbox with its credentials; the environment's
        ``SOKU_*`` variables are ignored. Keyword arguments go to :class:`soku.Client` (e.g.
        ``max_retries=0``, ``timeout=2.0``)."""
        kwargs.setdefault("firebase_token", self.firebase_token)
        kwargs.setdefault("from_env", False)
        return Client(api_key=kwargs.pop("api_key", self.api_key), base_url=self.base_url, **kwargs)

    # --- the control API -------------------------------------------------------------------

    def _control(self, method: str, path: str, body: Optional[Mapping[str, Any]] = None) -> Any:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        req = urllib.request.Request(
            self._field("controlUrl") + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with self._opener.open(req, timeout=10) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace")
            raise SandboxError("%s /__sandbox%s: %d %s" % (method, path, e.code, detail)) from None
        except OSError as e:
            raise SandboxError("%s /__sandbox%s: %s" % (method, path, e)) from None
        return json.loads(raw) if raw else None

    def inject(self, fault: Fault) -> Dict[str, Any]:
        """Queues a fault (see :class:`Fault`); returns it as the sandbox queued it. A bad
        fault (a status outside 200–599, a path not starting with ``/``) raises
        :class:`SandboxError` and queues nothing."""
        queued: Dict[str, Any] = self._control("POST", "/faults", dict(fault))
        return queued

    def clear_faults(self) -> None:
        """Drops the pending faults."""
        self._control("DELETE", "/faults")

    def requests(self) -> List[RecordedRequest]:
        """Every API request the sandbox received, oldest first (the last 10,000)."""
        seen: List[RecordedRequest] = self._control("GET", "/requests")
        return seen

    def submissions(self) -> List[Dict[str, Any]]:
        """The post bodies the sandbox accepted, each once (a replayed or refused post is not
        here): ``len(sb.submissions()) == 1`` means published once."""
        posts: List[Dict[str, Any]] = self._control("GET", "/submissions")
        return posts

    def stats(self) -> Dict[str, int]:
        """``connections``, ``acceptedConnections``, ``requests``, ``submissions``,
        ``idempotencyKeys`` (totals since the start or the last reset)."""
        counts: Dict[str, int] = self._control("GET", "/stats")
        return counts

    def reset(self) -> None:
        """Back to the start: recordings, faults, idempotency keys, rate-limit windows and the
        accounts' keys and credits."""
        self._control("POST", "/reset")
