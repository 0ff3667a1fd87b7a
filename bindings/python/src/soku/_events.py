"""The native library's events, delivered to :mod:`logging` (logger ``"soku"``).

The library emits one structured event per HTTP attempt (``attempt``, DEBUG), per 429 answer
(``rate_limited``, INFO), per wait before a retry (``retry_wait``, INFO) and per finished post
of a batch (``batch_item``, INFO). Each becomes one :class:`logging.LogRecord` on the
``"soku"`` logger with the human line as its message and two extra attributes: ``event`` (the
name) and ``fields`` (a dict: ``method``, ``path``, ``attempt``, ``status``, ``request_id``,
``idempotency_key``, ``wait_ms``, ``index``, ``ok``, ``id``, ``error``, ... as they apply).
No record ever holds a credential, header or body.

As the library convention is, nothing is printed unless the application configures logging
(the logger has a :class:`logging.NullHandler`). ``SOKU_LOG=debug`` or ``SOKU_LOG=info`` in
the environment adds a stderr handler at that level when ``soku`` is imported, for scripts.

Cost: the native callback is registered only at the level the ``"soku"`` logger is enabled
for, checked before each call; when the logger is not enabled for INFO, the library builds no
event at all.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import sys
import threading
from typing import Any, Dict, Optional

from ._lib import LOG_CALLBACK

__all__ = ["logger", "sync", "install_env_handler"]

logger = logging.getLogger("soku")
logger.addHandler(logging.NullHandler())

# C level (SOKU_LOG_*) <-> logging level.
_TO_LOGGING = {1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO, 4: logging.DEBUG}

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(key: str) -> str:
    return _CAMEL.sub("_", key).lower()


def _on_event(_user_data: Optional[int], level: int, line: Optional[bytes]) -> None:
    """The native callback: one JSON line -> one log record. Never raises into C."""
    try:
        pylevel = _TO_LOGGING.get(level, logging.DEBUG)
        if line is None or not logger.isEnabledFor(pylevel):
            return
        doc: Dict[str, Any] = json.loads(line.decode("utf-8", "replace"))
        message = str(doc.pop("message", ""))
        name = str(doc.pop("event", ""))
        doc.pop("level", None)
        fields = {_snake(k): v for k, v in doc.items()}
        logger.log(pylevel, message, extra={"event": name, "fields": fields})
    except Exception:  # noqa: BLE001 - an exception must not reach the C caller
        pass


# Module-global, so it lives as long as the interpreter: C may call it until it is removed.
_CALLBACK = LOG_CALLBACK(_on_event)
_NO_CALLBACK = LOG_CALLBACK()  # NULL

_lock = threading.Lock()
_registered: Dict[int, int] = {}  # id(library) -> the C level registered with it


def _wanted_level() -> int:
    for c_level in (4, 3, 2, 1):
        if logger.isEnabledFor(_TO_LOGGING[c_level]):
            return c_level
    return 0


def sync(lib: Any) -> None:
    """Registers (or removes) the callback with ``lib`` at the level the logger is enabled for.

    Called before every call: cheap when nothing changed (a dict lookup and the logger's own
    cached level check).
    """
    level = _wanted_level()
    if _registered.get(id(lib), 0) == level:
        return
    with _lock:
        if _registered.get(id(lib), 0) == level:
            return
        try:
            fn = lib.function("soku_set_log_callback")
        except Exception:  # an older library without events: nothing to do
            _registered[id(lib)] = level
            return
        fn(_CALLBACK if level else _NO_CALLBACK, None, level)
        _registered[id(lib)] = level
        if len(_registered) == 1 and level:
            atexit.register(_unregister, lib)


def _unregister(lib: Any) -> None:
    """At exit: no native thread may call into an interpreter that is shutting down."""
    with _lock:
        if _registered.get(id(lib)):
            lib.function("soku_set_log_callback")(_NO_CALLBACK, None, 0)
            _registered[id(lib)] = 0


def install_env_handler(environ: Any = None) -> Optional[logging.Handler]:
    """``SOKU_LOG=debug|info``: a stderr handler on the ``"soku"`` logger at that level.

    Returns the handler added, or ``None`` (unset, or not ``debug``/``info``).
    """
    value = (environ if environ is not None else os.environ).get("SOKU_LOG", "").strip().lower()
    level = {"debug": logging.DEBUG, "info": logging.INFO}.get(value)
    if level is None:
        return None
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("soku: %(levelname)s %(message)s"))
    handler.setLevel(level)
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    return handler
