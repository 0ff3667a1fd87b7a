"""Finding, loading and declaring the native ``soku`` library (the C ABI in include/soku.h).

The library is loaded lazily, on first use, from the first of:

1. the path in the ``SOKU_LIB`` environment variable (when set, nothing else is tried);
2. this package's own folder: the release ``libsoku.so`` the wheel carries next to
   ``__init__.py`` (``pip install ./bindings/python`` builds and bundles it);
3. ``$CARGO_TARGET_DIR/{debug,release}``;
4. ``target/{debug,release}`` in this package's folder and each folder above it
   (an in-tree checkout or an editable install, which bundles no library).

Every function of the header is declared here with its ``argtypes`` and
``restype``. Strings the library hands over arrive in ``char **`` out-parameters, read
into ``c_char_p`` objects (which keep the pointer: ``.value`` copies the bytes), then
freed with ``soku_string_free`` (see :func:`take_string`).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from ctypes import CFUNCTYPE, POINTER, Structure, c_bool, c_char_p, c_int32, c_size_t, c_uint64, c_void_p
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .errors import LibraryError, LibraryNotFoundError

__all__ = [
    "OK",
    "ERR_INVALID_ARGUMENT",
    "ERR_CONFIG",
    "ERR_API",
    "ERR_TRANSPORT",
    "ERR_TIMEOUT",
    "ERR_DECODE",
    "ERR_PANIC",
    "SIGNATURES",
    "LOG_CALLBACK",
    "PROGRESS_CALLBACK",
    "BatchProgress",
    "OPERATIONS",
    "Library",
    "candidates",
    "library_filename",
    "load",
]

# Status numbers of include/soku.h (explicit, never reused).
OK = 0
ERR_INVALID_ARGUMENT = -1
ERR_CONFIG = -2
ERR_API = -3
ERR_TRANSPORT = -4
ERR_TIMEOUT = -5
ERR_DECODE = -6
ERR_PANIC = -7

_OUT_STRING = POINTER(c_char_p)

# Every operation: (const SokuClient *c, const char *request_json, const char *options_json, char **out_json) -> int32_t
OPERATIONS: Tuple[str, ...] = (
    "soku_posts_create",
    "soku_media_upload",
    "soku_templates_render",
    "soku_templates_render_og",
    "soku_ai_transcribe",
    "soku_api_keys_create",
    "soku_api_keys_list",
    "soku_api_keys_revoke",
    "soku_api_keys_rotate",
    "soku_posts_publish_batch",
    "soku_posts_publish_with_media",
    "soku_posts_publish_with_template",
)

class BatchProgress(Structure):
    """``SokuBatchProgress``: one finished post of a batch (pointers valid during the callback)."""

    _fields_ = [
        ("index", c_size_t),
        ("total", c_size_t),
        ("ok", c_bool),
        ("post_submission_id", c_char_p),
        ("error_message", c_char_p),
        ("next_wait_ms", c_uint64),
        ("item_json", c_char_p),
    ]


#: ``SokuLogCallback``: (user_data, level, json_line) -> void.
LOG_CALLBACK = CFUNCTYPE(None, c_void_p, c_int32, c_char_p)
#: ``SokuProgressCallback``: (user_data, const SokuBatchProgress *) -> bool (false stops).
PROGRESS_CALLBACK = CFUNCTYPE(c_bool, c_void_p, POINTER(BatchProgress))

_OPERATION_SIGNATURE: Tuple[Any, Sequence[Any]] = (c_int32, (c_void_p, c_char_p, c_char_p, _OUT_STRING))

#: name -> (restype, argtypes) for every function of include/soku.h.
SIGNATURES: Dict[str, Tuple[Any, Sequence[Any]]] = {
    # Static strings, never freed: c_char_p is right for them.
    "soku_version": (c_char_p, ()),
    "soku_status_str": (c_char_p, (c_int32,)),
    "soku_client_new": (c_int32, (c_char_p, POINTER(c_void_p), _OUT_STRING)),
    "soku_client_free": (None, (c_void_p,)),
    "soku_string_free": (None, (c_void_p,)),
    "soku_cancel_token_new": (c_void_p, ()),
    "soku_cancel_token_cancel": (None, (c_void_p,)),
    "soku_cancel_token_free": (None, (c_void_p,)),
    "soku_posts_publish_batch_with_cancel": (c_int32, (c_void_p, c_char_p, c_char_p, c_void_p, _OUT_STRING)),
    "soku_posts_publish_batch_with_progress": (
        c_int32,
        (c_void_p, c_char_p, c_char_p, c_void_p, PROGRESS_CALLBACK, c_void_p, _OUT_STRING),
    ),
    "soku_set_log_callback": (c_int32, (LOG_CALLBACK, c_void_p, c_int32)),
    # The error JSON read into fields, for C and C++ callers without a JSON parser; declared so
    # that every export is, but unused here: Python reads the error JSON with its json module.
    "soku_error_parse": (c_int32, (c_char_p, POINTER(c_void_p))),
    "soku_error_status": (c_int32, (c_void_p,)),
    "soku_error_free": (None, (c_void_p,)),
}
SIGNATURES.update(
    {
        "soku_error_" + field: (c_char_p, (c_void_p, c_void_p))
        for field in ("kind", "code", "message", "request_id", "param")
    }
)
SIGNATURES.update({name: _OPERATION_SIGNATURE for name in OPERATIONS})


def library_filename(platform: Optional[str] = None) -> str:
    """The file name cargo gives the ``soku`` cdylib on ``platform`` (default: this one)."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return "soku.dll"
    if platform == "darwin":
        return "libsoku.dylib"
    return "libsoku.so"


def candidates() -> List[str]:
    """Every path tried, in order, when ``SOKU_LIB`` is not set."""
    name = library_filename()
    package_dir = os.path.dirname(os.path.abspath(__file__))
    paths = [os.path.join(package_dir, name)]
    target_dir = os.environ.get("CARGO_TARGET_DIR")
    if target_dir:
        paths += [os.path.join(os.path.abspath(target_dir), p, name) for p in ("debug", "release")]
    folder = package_dir
    while True:
        paths += [os.path.join(folder, "target", p, name) for p in ("debug", "release")]
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    seen = set()
    unique = []
    for p in paths:
        if p not in seen:
            seen.add(p)
            unique.append(p)
    return unique


class Library:
    """The loaded native library with every known function declared.

    Functions the library does not export (an older build) are recorded in
    :attr:`missing`; calling one raises :class:`~soku.LibraryError`.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self._cdll = ctypes.CDLL(path)
        except OSError as exc:
            raise LibraryError("cannot load the soku library %s: %s" % (path, exc)) from None
        self._functions: Dict[str, Any] = {}
        self.missing: List[str] = []
        for name, (restype, argtypes) in SIGNATURES.items():
            try:
                fn = getattr(self._cdll, name)
            except AttributeError:
                self.missing.append(name)
                continue
            fn.restype = restype
            fn.argtypes = list(argtypes)
            self._functions[name] = fn
        for required in ("soku_client_new", "soku_client_free", "soku_string_free"):
            if required in self.missing:
                raise LibraryError("%s does not export %s: not a soku library" % (path, required))

    def function(self, name: str) -> Any:
        """The declared ctypes function ``name``; :class:`LibraryError` if the library lacks it."""
        try:
            return self._functions[name]
        except KeyError:
            raise LibraryError(
                "%s does not export %s (the library is older than this package; rebuild it)"
                % (self.path, name)
            ) from None

    def take_string(self, out: c_char_p) -> Optional[str]:
        """Copy the library-owned string in ``out`` and free it; ``None`` for NULL."""
        raw = out.value  # a copy of the bytes; ``out`` still holds the pointer
        if raw is None:
            return None
        self._functions["soku_string_free"](out)
        out.value = None
        return raw.decode("utf-8", errors="replace")

    def version(self) -> str:
        """The library's own version string (``soku_version()``)."""
        raw = self.function("soku_version")()
        return raw.decode("utf-8") if raw else ""

    def status_str(self, status: int) -> str:
        """The kind name of a status number (``soku_status_str()``)."""
        raw = self.function("soku_status_str")(status)
        return raw.decode("utf-8") if raw else "unknown"


_lock = threading.Lock()
_library: Optional[Library] = None


def _new_lock_after_fork() -> None:
    """In a child after ``os.fork()``: a thread of the parent may have held ``_lock``."""
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_new_lock_after_fork)


def load() -> Library:
    """The process-wide :class:`Library`, loaded on first call (thread-safe)."""
    global _library
    with _lock:
        if _library is not None:
            return _library
        override = os.environ.get("SOKU_LIB")
        if override:
            if not os.path.isfile(override):
                raise LibraryNotFoundError(
                    "SOKU_LIB=%s: no such file (unset SOKU_LIB to search the default places)" % override
                )
            _library = Library(override)
            return _library
        tried = candidates()
        for path in tried:
            if os.path.isfile(path):
                _library = Library(path)
                return _library
        raise LibraryNotFoundError(
            "the soku native library (%s) was not found; install the package from its wheel "
            "(`pip install ./bindings/python` bundles it), or build it with `cargo build -p soku-client` and set "
            "SOKU_LIB to its path. Tried: SOKU_LIB (not set), %s" % (library_filename(), ", ".join(tried))
        )
