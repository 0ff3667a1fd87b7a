"""The :class:`Client`: one native ``SokuClient`` handle, its methods and its lifetime."""

from __future__ import annotations

import ctypes
import json
import math
import os
import threading
import weakref
from ctypes import c_char_p, c_void_p
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
    Union,
)

from . import _lib
from ._meta import _DECODER, LazyMeta, Meta
from ._models import (
    ApiKeyList,
    AspectRatio,
    BatchReport,
    CreatedApiKey,
    MediaType,
    PlatformEntry,
    PostSubmission,
    PublishedWithMedia,
    PublishedWithTemplate,
    RenderedTemplate,
    RevokedApiKey,
    RotatedApiKey,
    TlsTrust,
    Transcription,
    UploadedMedia,
    VerifyMode,
)
from ._version import __version__
from .errors import (
    BatchInterrupted,
    ClientClosedError,
    DecodeError,
    InvalidArgumentError,
    SokuError,
    error_from_json,
)

T = TypeVar("T")

if TYPE_CHECKING:  # typing_extensions is only needed by type checkers, never at run time
    from typing_extensions import TypedDict, Unpack

    class CallOptions(TypedDict, total=False):
        """Per-call options accepted as keyword arguments by every :class:`Client` method."""

        idempotency_key: str
        firebase_token: str
        timeout: float
        max_retries: int


__all__ = ["Client"]

Request = Optional[Mapping[str, Any]]

# How long interpreter exit waits for calls still running in daemon threads before it
# leaks the handle instead of freeing it under them.
_EXIT_WAIT_SECONDS = 1.0


def _millis(seconds: Any) -> Any:
    """Seconds as whole milliseconds, the unit of the library's JSON.

    Only the unit is converted here; the library checks the value (a negative or over-24-hour
    duration, a string, a bool) and rejects it with an error naming the key, as for a C caller.
    What is not a finite number (a string, a bool, NaN) is passed on unchanged for that.
    """
    if type(seconds) is int or (type(seconds) is float and math.isfinite(seconds)):
        return int(round(seconds * 1000))
    return seconds


def _path(value: Any) -> Any:
    """A path-like file name as ``str``; anything else unchanged, for the library to refuse."""
    return os.fspath(value) if isinstance(value, os.PathLike) else value


def _text(value: Any) -> Any:
    """PEM ``bytes`` as ``str``; anything else unchanged, for the library to refuse."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


# A keyword's JSON key and how its value is converted (None: sent as given). A conversion only
# changes the unit or the representation; the library checks every value (type, range, a file
# that cannot be read) and names the key in its error, exactly as for a C caller.
_Key = Tuple[str, Optional[Callable[[Any], Any]]]

# Client() keyword -> config JSON key of soku_client_new. The library's option table
# (soku::options::OPTIONS, committed as docs/options.json) declares both names; the tests check
# this table against it. Adding an option: one keyword in Client.__init__'s signature (and
# docstring), one line here.
_CONFIG_KEYS: Dict[str, _Key] = {
    "api_key": ("apiKey", None),
    "base_url": ("baseUrl", None),
    "firebase_token": ("firebaseToken", None),
    "timeout": ("timeoutMs", _millis),
    "connect_timeout": ("connectTimeoutMs", _millis),
    "max_retries": ("maxRetries", None),
    "max_retry_wait": ("maxRetryWaitMs", _millis),
    "backoff_base": ("backoffBaseMs", _millis),
    "user_agent": ("userAgent", None),
    "allow_insecure_http": ("allowInsecureHttp", None),
    "validate_scheduled_time": ("validateScheduledTime", None),
    "proxy": ("proxy", None),
    "proxy_from_env": ("proxyFromEnv", None),
    "ca_file": ("caFile", _path),
    "ca_pem": ("caPem", _text),
    "tls_trust": ("tlsTrust", None),
    "from_env": ("fromEnv", None),
}

# Per-call keyword -> options JSON key of every operation.
_OPTION_KEYS: Dict[str, _Key] = {
    "idempotency_key": ("idempotencyKey", None),
    "firebase_token": ("firebaseToken", None),
    "timeout": ("timeoutMs", _millis),
    "max_retries": ("maxRetries", None),
}


def _to_json_keys(keys: Mapping[str, _Key], values: Mapping[str, Any]) -> Dict[str, Any]:
    """The given (not None) ``values`` of ``keys``' keywords under their JSON keys, converted."""
    out: Dict[str, Any] = {}
    for keyword, (key, convert) in keys.items():
        value = values.get(keyword)
        if value is not None:
            out[key] = convert(value) if convert is not None else value
    return out


# One encoder for every call. json.dumps and JSONEncoder.encode build a new C encoder (and a new
# dict for their circular-reference check) on every call; this one is built once and keeps no
# such dict: a request that contains itself hits Python's recursion limit instead, reported as
# the same InvalidArgumentError. Interpreters without the C encoder use the plain JSONEncoder.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_ITERENCODE = (
    _c_make_encoder(None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, False)
    if _c_make_encoder is not None
    else None
)


def _encode(obj: Any, what: str) -> bytes:
    try:
        if _ITERENCODE is not None:
            return "".join(_ITERENCODE(obj, 0)).encode("utf-8")
        return _ENCODER.encode(obj).encode("utf-8")
    except RecursionError:
        raise InvalidArgumentError("%s is not valid JSON: nested too deeply or contains itself" % what) from None
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        raise InvalidArgumentError("%s is not valid JSON: %s" % (what, exc)) from None


def _options_json(method: str, options: Mapping[str, Any]) -> Optional[bytes]:
    if not options:
        return None  # the common case: no per-call options
    for key in options:
        if key not in _OPTION_KEYS:
            raise TypeError("%s() got an unexpected keyword argument %r" % (method, key))
    out = _to_json_keys(_OPTION_KEYS, options)
    return _encode(out, "options") if out else None


def _present(**fields: Any) -> Dict[str, Any]:
    """The keyword fields that were given (not None), under their wire names."""
    return {k: v for k, v in fields.items() if v is not None}


def _body(request: Any, fields: Mapping[str, Any], primary: Optional[str] = None) -> Dict[str, Any]:
    """The request body from a dict, or from a string for the ``primary`` field plus keyword fields."""
    if request is None:
        return dict(fields)
    if isinstance(request, str) and primary is not None:
        body = {primary: request}
        body.update(fields)
        return body
    if type(request) is dict and not fields:
        return request  # the common case; only encoded, never changed
    if isinstance(request, Mapping):
        if fields:
            raise InvalidArgumentError(
                "pass either a request dict or keyword fields, not both (got %s)" % ", ".join(sorted(fields))
            )
        return dict(request)
    expected = "a dict or a str" if primary else "a dict"
    raise InvalidArgumentError("request must be %s, not %s" % (expected, type(request).__name__))


class _Handle:
    """Owns the native ``SokuClient*``; counts calls in flight so it is never freed under one.

    After ``os.fork()`` the child's copy of every handle gets a new lock and no call in flight
    (:func:`_after_fork_in_child`): the threads that held the lock or ran calls at the moment of
    the fork do not exist in the child, so the inherited lock could stay locked forever and
    ``close()`` could wait forever. The native client itself opens new connections in the
    child and never touches the parent's.
    """

    def __init__(self, lib: _lib.Library, ptr: int) -> None:
        self._lib = lib
        self._ptr: Optional[int] = ptr
        self._closed = False
        self._busy = 0
        # Calls take the plain lock (cheap); close() waits on a condition over the same lock.
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        _HANDLES.add(self)

    def _reset_after_fork(self) -> None:
        self._busy = 0
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)

    @property
    def closed(self) -> bool:
        return self._closed

    def acquire(self) -> int:
        lock = self._lock
        lock.acquire()
        try:
            if self._closed or self._ptr is None:
                raise ClientClosedError("client is closed")
            self._busy += 1
            return self._ptr
        finally:
            lock.release()

    def release(self) -> None:
        lock = self._lock
        lock.acquire()
        try:
            self._busy -= 1
            if self._busy == 0 and self._closed:  # only close() ever waits
                self._cond.notify_all()
        finally:
            lock.release()

    def close(self, wait: Optional[float] = None) -> None:
        """Refuse new calls, wait for running ones (at most ``wait`` seconds), then free.

        If running calls outlast ``wait`` the handle is leaked, never freed under them.
        """
        with self._cond:
            self._closed = True
            if not self._cond.wait_for(lambda: self._busy == 0, wait):
                return
            ptr, self._ptr = self._ptr, None
        if ptr:
            self._lib.function("soku_client_free")(ptr)


# Every live handle, for the fork handler below.
_HANDLES: "weakref.WeakSet[_Handle]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """Runs in the child right after ``os.fork()`` (only the forking thread exists there)."""
    for handle in list(_HANDLES):
        handle._reset_after_fork()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)


class Client:
    """A client of the Soku API, backed by one native ``SokuClient`` (one keep-alive pool).

    Args:
        api_key: the ``sk_live_...`` key for content calls. Default: ``SOKU_API_KEY``.
        base_url: default ``SOKU_BASE_URL``, else ``https://api.mysoku.io``; may carry a path
            prefix. ``http://`` is accepted only for loopback hosts unless ``allow_insecure_http``.
        firebase_token: Firebase ID token for the api-key calls. Default:
            ``SOKU_FIREBASE_TOKEN``, else none.
        timeout: seconds that bound each attempt of a call (connect, send, answer and body),
            not the whole call: retries add further attempts and waits of at most
            ``max_retry_wait`` each, so a call lasts at most
            ``(max_retries + 1) * timeout + max_retries * max_retry_wait``. Default 30; must
            be greater than zero (there is no infinite timeout).
        connect_timeout: seconds to establish a connection. Default 10.
        max_retries: retries after the first attempt; 0 disables. Default 3.
        max_retry_wait: cap in seconds on any single wait between attempts. Default 60.
        backoff_base: seconds of the first exponential backoff step. Default 1.
        user_agent: the ``User-Agent`` header, printable ASCII of at most 8192 bytes (as
            ``api_key``, ``firebase_token`` and ``base_url``: a longer one raises
            :class:`ConfigError`). Default ``soku-rust/<library version>
            soku-python/<package version>``.
        allow_insecure_http: allow ``http://`` to non-loopback hosts. Default False.
        validate_scheduled_time: check ``scheduledTime`` (RFC 3339, >= 60 s ahead) before
            sending. Default True.
        proxy: an ``http://`` or ``https://`` proxy URL for every request, optionally with
            ``user:password@`` (never shown in any message or ``repr``); a ``socks...://`` URL
            raises :class:`ConfigError`. Default: none (direct).
        proxy_from_env: when ``proxy`` is not given, take it from ``HTTPS_PROXY`` (else
            ``https_proxy``). Default False: the proxy variables are ignored.
        ca_file: path of a PEM file of CA certificates trusted *instead of* the default roots
            (a private CA, a TLS-inspecting corporate proxy). Default: none. A file that cannot
            be read, holds no certificate, or holds a corrupt or truncated one raises
            :class:`ConfigError` naming it.
        ca_pem: the same as PEM text. Default: none.
        tls_trust: ``"webpki"`` (Mozilla's roots compiled into the library) or ``"os"`` (the
            operating system's trust store; not combinable with ``ca_file``/``ca_pem``).
            Default ``"webpki"``.
        from_env: read ``SOKU_API_KEY``, ``SOKU_BASE_URL`` and ``SOKU_FIREBASE_TOKEN`` for the
            options not given. Default True; False reads nothing from the environment.

    Durations are in seconds and converted to the library's milliseconds; the library checks
    every value: each duration is at most 24 hours (86400 s), a longer one raises
    :class:`ConfigError` here, and a longer per-call ``timeout`` makes that call raise
    :class:`InvalidArgumentError` before anything is sent.

    Every method takes the documented request body as a dict (plus keyword forms where
    natural) and the per-call keyword options ``idempotency_key``, ``firebase_token``,
    ``timeout`` (seconds per attempt, overriding the client's) and ``max_retries``. It returns
    a typed result (e.g. :class:`~soku.PostSubmission`) with snake_case attributes, the call's
    :class:`~soku.Meta` in ``result.meta`` and the wire object in ``result.raw``; the same meta
    is kept in :attr:`last_meta`. A failure raises a :class:`~soku.SokuError` subclass that
    carries the meta.

    One client may be shared by many threads. :meth:`close` (or leaving a ``with`` block)
    waits for calls in flight, then frees the handle; closing twice is harmless, and a client
    never closed is freed at garbage collection or interpreter exit.

    Raises:
        ConfigError: the configuration is unusable (e.g. a malformed base URL, a zero
            timeout or a duration above 24 hours).
        InvalidArgumentError: an option has the wrong type or range (reported by the library,
            which names the key).
        LibraryNotFoundError: the native library was not found.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        *,
        firebase_token: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        max_retry_wait: Optional[float] = None,
        backoff_base: Optional[float] = None,
        user_agent: Optional[str] = None,
        allow_insecure_http: Optional[bool] = None,
        validate_scheduled_time: Optional[bool] = None,
        proxy: Optional[str] = None,
        proxy_from_env: Optional[bool] = None,
        ca_file: Optional[Union[str, "os.PathLike[str]"]] = None,
        ca_pem: Optional[Union[str, bytes]] = None,
        tls_trust: Optional[TlsTrust] = None,
        from_env: bool = True,
    ) -> None:
        # The keyword arguments by name (read first, before any other local exists), walked
        # through _CONFIG_KEYS.
        config = _to_json_keys(_CONFIG_KEYS, locals())
        self._local = threading.local()
        lib = _lib.load()
        if user_agent is None:
            config["userAgent"] = "soku-rust/%s soku-python/%s" % (lib.version(), __version__)
        # Error messages name the option at fault by its keyword (api_key=), not its C key.
        config["optionNames"] = "python"
        config_json = _encode(config, "config")
        self._lib = lib
        ptr = c_void_p()
        out = c_char_p()
        try:
            status = lib.function("soku_client_new")(config_json, ctypes.byref(ptr), ctypes.byref(out))
        finally:
            text = lib.take_string(out)
        if status != _lib.OK or not ptr.value:
            if ptr.value:  # never leak a handle, whatever the library reported
                lib.function("soku_client_free")(ptr)
            self._finish(status, text)  # raises
            raise SokuError("soku_client_new returned no client")
        self._handle = _Handle(lib, ptr.value)
        self._finalizer = weakref.finalize(self, self._handle.close, _EXIT_WAIT_SECONDS)

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        """Free the native handle after the calls in flight finish; later calls raise
        :class:`~soku.ClientClosedError`. Calling it again is a no-op."""
        handle = getattr(self, "_handle", None)
        if handle is None:
            return
        self._finalizer.detach()
        handle.close()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has been called."""
        handle = getattr(self, "_handle", None)
        return handle is None or handle.closed

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return "<soku.Client %s>" % ("closed" if self.closed else "open")

    @property
    def last_meta(self) -> Optional[Meta]:
        """The :class:`~soku.Meta` of this thread's most recent call on this client.

        Set after every call, success or failure; ``None`` before the first call and after a
        call that sent nothing (e.g. rejected input). Each thread sees its own calls only.
        """
        lazy: Optional[LazyMeta] = getattr(self._local, "meta", None)
        return lazy.get() if lazy is not None else None

    # -- plumbing ---------------------------------------------------------------------------

    def _finish(self, status: int, text: Optional[str]) -> "tuple[Any, LazyMeta]":
        """The library's status and result JSON as ``(data, meta)``, or the matching exception.

        A success's meta is read only when someone looks at it (most callers never do): the
        library writes ``{"data":…,"meta":…}``, so only ``data`` is parsed here and the meta's
        text is kept for :class:`LazyMeta`. Any other shape takes the full parse below.
        """
        if status == _lib.OK and text is not None and text.startswith('{"data":'):
            try:
                data, end = _DECODER.raw_decode(text, 8)
            except ValueError:
                pass  # the full parse below reports it
            else:
                if text.startswith(',"meta":', end):
                    lazy = self._local.meta = LazyMeta(text, None, end + 8)
                    return data, lazy
        self._local.meta = None
        try:
            doc = json.loads(text) if text is not None else None
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            raise DecodeError(
                "the soku library returned %s (status %d)" % ("no JSON" if text is None else "invalid JSON", status)
            )
        if status == _lib.OK:
            lazy = self._local.meta = LazyMeta(doc.get("meta"))
            return doc.get("data"), lazy
        meta = Meta.from_json(doc.get("meta"))
        self._local.meta = LazyMeta(None, meta) if meta is not None else None
        error = doc.get("error")
        if not isinstance(error, dict):
            error = {"kind": self._lib.status_str(status), "message": "call failed without an error object"}
        elif "kind" not in error:
            error = dict(error, kind=self._lib.status_str(status))
        raise error_from_json(error, meta)

    def _call(
        self,
        function: str,
        method: str,
        request: Any,
        options: Mapping[str, Any],
        build: Callable[[Any, LazyMeta], T],
    ) -> T:
        """Run one operation; ``build`` turns the result's ``data`` and meta into the typed result."""
        self._local.meta = None  # never leave a previous call's meta behind, whatever fails below
        fn = self._lib.function(function)
        request_json = _encode(request, "request")
        options_json = _options_json(method, options) if options else None
        out = c_char_p()
        interrupted: Optional[KeyboardInterrupt] = None
        ptr = self._handle.acquire()
        try:
            try:
                if function == "soku_posts_publish_batch":
                    status, interrupted = self._run_batch_interruptibly(ptr, request_json, options_json, out)
                else:
                    status = fn(ptr, request_json, options_json, ctypes.byref(out))
            finally:
                self._handle.release()
        finally:
            text = self._lib.take_string(out)
        try:
            data, meta = self._finish(status, text)
            result = build(data, meta)
        except (KeyError, TypeError, AttributeError) as exc:
            if interrupted is not None:
                raise interrupted
            raise DecodeError(
                "%s: the library returned an unexpected result (%s: %s)" % (method, type(exc).__name__, exc)
            ) from None
        except SokuError:
            if interrupted is not None:
                raise interrupted  # the batch failed as a whole: the interrupt wins
            raise
        if interrupted is not None and isinstance(result, BatchReport):
            raise BatchInterrupted(result, options.get("idempotency_key")) from interrupted
        return result

    def _run_batch_interruptibly(
        self, ptr: int, request_json: Any, options_json: Any, out: c_char_p
    ) -> "tuple[int, Optional[KeyboardInterrupt]]":
        """Runs a batch in a worker thread so that this thread stays responsive to Ctrl-C.

        On ``KeyboardInterrupt`` the batch is cancelled through its token and awaited (the
        caller releases the handle only after the native call returned); the status and the
        interrupt are returned, so that the caller raises :class:`~soku.BatchInterrupted` with
        the partial report.
        """
        lib = self._lib
        fn = lib.function("soku_posts_publish_batch_with_cancel")
        token = lib.function("soku_cancel_token_new")()
        outcome: Dict[str, int] = {}
        # Completion is an Event set by the worker, never Thread.is_alive()/join(): on CPython
        # 3.11, a KeyboardInterrupt inside Thread.join() can mark a running thread as stopped
        # (its lock released under it), and the handle would then be released, the output read
        # and the client possibly freed while the native call still runs. Event.wait() is
        # safe to interrupt.
        done = threading.Event()

        def work() -> None:
            try:
                outcome["status"] = fn(ptr, request_json, options_json, token, ctypes.byref(out))
            finally:
                done.set()

        interrupted: Optional[KeyboardInterrupt] = None
        try:
            threading.Thread(target=work, name="soku-publish-batch", daemon=True).start()
            try:
                while not done.wait(0.1):
                    pass
            except KeyboardInterrupt as exc:
                interrupted = exc
                lib.function("soku_cancel_token_cancel")(token)
                while not done.is_set():
                    try:
                        done.wait(0.1)
                    except KeyboardInterrupt:
                        pass  # already cancelled: only the post in flight is left
        finally:
            lib.function("soku_cancel_token_free")(token)
        return outcome["status"], interrupted

    # -- plain endpoints --------------------------------------------------------------------

    def create_post(
        self,
        request: Request = None,
        *,
        text: Optional[str] = None,
        platforms: Union[None, PlatformEntry, Iterable[PlatformEntry]] = None,
        media_type: Optional[MediaType] = None,
        video_url: Optional[str] = None,
        image_urls: Optional[Sequence[str]] = None,
        media_urls: Optional[Sequence[str]] = None,
        scheduled_time: Optional[str] = None,
        **options: Unpack[CallOptions],
    ) -> PostSubmission:
        """``POST /v1/posts``: publish or schedule a post.

        Pass the documented body (``{"post": {"content": {...}}, "scheduledTime": ...}``), or
        the keyword form: ``create_post(text="Hi", platforms=["x", "threads"])``. In the keyword
        form ``media_type`` defaults to ``"video"`` with ``video_url``, ``"image"`` with
        ``image_urls``, else ``"text"``, exactly as the Rust constructors ``CreatePost::video``,
        ``CreatePost::images`` and ``CreatePost::text`` set it; a dict body is sent as given.
        An ``Idempotency-Key`` is always sent (yours or a fresh one, reused on every retry).
        Returns a :class:`~soku.PostSubmission` (``post_submission_id``).
        """
        # (`a is b is None` holds when both are None)
        if request is not None and text is platforms is media_type is video_url is None and (
            image_urls is media_urls is scheduled_time is None
        ):
            # the documented body as given: the fast path
            doc = request if type(request) is dict else _body(request, {})
            return self._call("soku_posts_create", "create_post", doc, options, PostSubmission._from)
        targets: Optional[List[Any]] = None
        if isinstance(platforms, (str, dict)):
            targets = [platforms]  # one platform name or one {"platform", "accountId"} target
        elif platforms is not None:
            targets = list(platforms)
        content = _present(
            text=text,
            mediaType=media_type,
            videoUrl=video_url,
            imageUrls=list(image_urls) if image_urls is not None else None,
            mediaUrls=list(media_urls) if media_urls is not None else None,
            platform=targets,
        )
        if request is None:
            if "mediaType" not in content:
                content["mediaType"] = "video" if video_url else "image" if image_urls else "text"
            body: Dict[str, Any] = {"post": {"content": content}}
            body.update(_present(scheduledTime=scheduled_time))
        else:
            body = _body(request, dict(content, **_present(scheduledTime=scheduled_time)))
        return self._call("soku_posts_create", "create_post", body, options, PostSubmission._from)

    def upload_media(self, request: Union[str, Mapping[str, Any]], **options: Unpack[CallOptions]) -> UploadedMedia:
        """``POST /v1/media``: import media from a public URL; returns an :class:`~soku.UploadedMedia`
        whose ``url`` is the Soku-hosted copy.

        ``request`` is the source URL or the body ``{"url": ...}``.
        """
        body = _body(request, {}, "url")
        return self._call("soku_media_upload", "upload_media", body, options, UploadedMedia._from)

    def render_template(
        self,
        request: Union[str, Mapping[str, Any]],
        *,
        config: Optional[Mapping[str, Any]] = None,
        aspect_ratio: Optional[AspectRatio] = None,
        **options: Unpack[CallOptions],
    ) -> RenderedTemplate:
        """``POST /v1/templates``: render an image template; returns a :class:`~soku.RenderedTemplate`
        (``url``, ``id``).

        ``request`` is the body ``{"templateSlug", "config", "aspectRatio"}`` or the slug, with
        ``config`` and ``aspect_ratio`` (``"1:1"``, ``"4:5"``, ``"9:16"``) as keywords.
        """
        fields = _present(config=dict(config) if config is not None else None, aspectRatio=aspect_ratio)
        body = _body(request, fields, "templateSlug")
        return self._call("soku_templates_render", "render_template", body, options, RenderedTemplate._from)

    def render_og(
        self,
        request: Union[str, Mapping[str, Any]],
        *,
        config: Optional[Mapping[str, Any]] = None,
        aspect_ratio: Optional[AspectRatio] = None,
        **options: Unpack[CallOptions],
    ) -> RenderedTemplate:
        """``POST /v1/media/render-og``: render an Open Graph image, the alias of
        :meth:`render_template` (same arguments, same result).
        """
        fields = _present(config=dict(config) if config is not None else None, aspectRatio=aspect_ratio)
        body = _body(request, fields, "templateSlug")
        return self._call("soku_templates_render_og", "render_og", body, options, RenderedTemplate._from)

    def transcribe(
        self,
        request: Union[str, Mapping[str, Any]],
        *,
        language: Optional[str] = None,
        model: Optional[str] = None,
        duration_seconds: Optional[float] = None,
        **options: Unpack[CallOptions],
    ) -> Transcription:
        """``POST /v1/ai/transcribe``; returns a :class:`~soku.Transcription` (``job_id``,
        ``transcript``, ``credits_debited``, ``likely_lyrics``).

        ``request`` is the body ``{"mediaId", "language", "model", "durationSeconds"}`` or the
        media id with the rest as keywords. Pass ``idempotency_key`` to make a repeat free.
        """
        fields = _present(language=language, model=model, durationSeconds=duration_seconds)
        body = _body(request, fields, "mediaId")
        return self._call("soku_ai_transcribe", "transcribe", body, options, Transcription._from)

    def create_api_key(
        self, request: Union[None, str, Mapping[str, Any]] = None, **options: Unpack[CallOptions]
    ) -> CreatedApiKey:
        """``POST /v1/api-keys`` (Firebase token): returns a :class:`~soku.CreatedApiKey`
        (``api_key``, the only time the full key is shown, and ``id``).

        ``request`` is the body ``{"name": ...}``, the name, or nothing.
        """
        body = _body(request, {}, "name")
        return self._call("soku_api_keys_create", "create_api_key", body, options, CreatedApiKey._from)

    def list_api_keys(self, **options: Unpack[CallOptions]) -> ApiKeyList:
        """``GET /v1/api-keys`` (Firebase token): returns an :class:`~soku.ApiKeyList` whose
        ``keys`` hold each key's ``id``, ``name``, ``status``, ... (never the key itself)."""
        return self._call("soku_api_keys_list", "list_api_keys", {}, options, ApiKeyList._from)

    def revoke_api_key(self, request: Union[str, Mapping[str, Any]], **options: Unpack[CallOptions]) -> RevokedApiKey:
        """``DELETE /v1/api-keys/{id}`` (Firebase token). ``request`` is the key id or ``{"id": ...}``.

        Returns a :class:`~soku.RevokedApiKey` (the ``id`` revoked; ``raw`` is the answer's
        data, empty for the 204 answer). The key then gets 401 on every call.
        """
        body = _body(request, {}, "id")

        def build(data: Any, meta: LazyMeta) -> RevokedApiKey:
            return RevokedApiKey(data if isinstance(data, dict) else {}, meta, str(body.get("id", "")))

        return self._call("soku_api_keys_revoke", "revoke_api_key", body, options, build)

    # -- workflows --------------------------------------------------------------------------

    def rotate_api_key(
        self,
        request: Union[str, Mapping[str, Any]],
        *,
        name: Optional[str] = None,
        verify: Optional[VerifyMode] = None,
        **options: Unpack[CallOptions],
    ) -> RotatedApiKey:
        """Create a new key, verify it, then revoke the old one.

        ``request`` is ``{"oldKeyId", "name"?, "verify"?}`` or the old key's id with ``name`` and
        ``verify`` (``"probe"`` (default: publishes nothing), ``"post"`` or ``"none"``) as
        keywords. Returns a :class:`~soku.RotatedApiKey` (``api_key``, ``id``, ``verified``,
        ``revoked``, ``revoked_key_id``, ``revoke_error``). Check ``revoked``: if revoking the
        old key failed, the new key is still returned with ``revoked`` False, ``revoked_key_id``
        None and ``revoke_error`` the exception (both keys then work). If verification fails an
        :class:`~soku.ApiError` is raised, the old key is not revoked and the unverified new key
        is revoked (best effort).
        """
        body = _body(request, _present(name=name, verify=verify), "oldKeyId")
        return self._call("soku_api_keys_rotate", "rotate_api_key", body, options, RotatedApiKey._from)

    def publish_batch(
        self,
        posts: Union[Mapping[str, Any], Iterable[Mapping[str, Any]]],
        **options: Unpack[CallOptions],
    ) -> BatchReport:
        """Publish posts one after the other, paced by the rate-limit headers.

        ``posts`` is a list of create-post bodies or ``{"posts": [...]}``. A failed item does not
        stop the batch. Returns a :class:`~soku.BatchReport`: ``items`` (one
        :class:`~soku.BatchItem` per post, in order: ``index``, ``ok``, ``post_submission_id`` or
        ``error`` (the exception a single call would have raised), ``paced`` (seconds the batch
        waited for the rate-limit window before sending it), ``meta``), ``summary``
        (``total``, ``succeeded``, ``failed``) and ``cancelled``.

        Ctrl-C (``KeyboardInterrupt``) stops the batch before its next post (a post in flight
        finishes; a wait for the rate-limit window ends within 0.1 s), then raises
        :class:`~soku.BatchInterrupted`, a ``KeyboardInterrupt`` whose ``report`` is the partial
        :class:`~soku.BatchReport` (``cancelled`` True) and ``not_sent`` the indexes not sent.

        Resume safely by passing a batch key: with ``idempotency_key=K`` post ``i`` is sent
        with the key ``K-i``, so calling ``publish_batch`` again with the same posts and the
        same ``K`` (after an interrupt, a crash or a kill) replays the posts already published
        (same ``post_submission_id``) instead of publishing them twice, and publishes the rest,
        for as long as the server remembers the keys (its idempotency window). Without a key
        each post gets a random one, and only ``not_sent`` may be re-sent. (A Ctrl-C that lands
        before the native batch started, e.g. while ``posts`` is read from a generator, is a
        plain ``KeyboardInterrupt``: nothing was sent.)
        """
        if isinstance(posts, Mapping):
            body = dict(posts)
        elif isinstance(posts, (str, bytes)):
            raise InvalidArgumentError("posts must be a list of create-post bodies")
        else:
            body = {"posts": list(posts)}
        return self._call("soku_posts_publish_batch", "publish_batch", body, options, BatchReport._from)

    def publish_with_media(
        self,
        request: Request = None,
        *,
        source_urls: Optional[Iterable[str]] = None,
        post: Optional[Mapping[str, Any]] = None,
        scheduled_time: Optional[str] = None,
        **options: Unpack[CallOptions],
    ) -> PublishedWithMedia:
        """Upload each source URL, then publish one post using the hosted URLs.

        ``request`` is ``{"sourceUrls", "post": {"content": {...}}, "scheduledTime"?}`` (``post``
        as in :meth:`create_post`), or pass those as keywords. With ``mediaType == "video"`` the
        first hosted URL becomes the ``videoUrl``, otherwise all become ``imageUrls``.
        Deprecated: ``post`` = the content object itself (still accepted). Returns a
        :class:`~soku.PublishedWithMedia` (``media``: the uploads, ``post``: the submission).
        """
        fields = _present(
            sourceUrls=list(source_urls) if source_urls is not None else None,
            post=dict(post) if post is not None else None,
            scheduledTime=scheduled_time,
        )
        body = _body(request, fields)
        return self._call(
            "soku_posts_publish_with_media", "publish_with_media", body, options, PublishedWithMedia._from
        )

    def publish_with_template(
        self,
        request: Request = None,
        *,
        template: Optional[Mapping[str, Any]] = None,
        post: Optional[Mapping[str, Any]] = None,
        scheduled_time: Optional[str] = None,
        **options: Unpack[CallOptions],
    ) -> PublishedWithTemplate:
        """Render a template, then publish one image post with the rendered image.

        ``request`` is ``{"template": <render body>, "post": {"content": {...}}, "scheduledTime"?}``
        (``post`` as in :meth:`create_post`; deprecated: the content object itself), or pass those
        as keywords. Returns a :class:`~soku.PublishedWithTemplate` (``template``: the
        rendered image, ``post``: the submission).
        """
        fields = _present(
            template=dict(template) if template is not None else None,
            post=dict(post) if post is not None else None,
            scheduledTime=scheduled_time,
        )
        body = _body(request, fields)
        return self._call(
            "soku_posts_publish_with_template", "publish_with_template", body, options, PublishedWithTemplate._from
        )
