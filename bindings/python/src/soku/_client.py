"""The :class:`Client`: one native ``SokuClient`` handle, its methods and its lifetime."""

from __future__ import annotations

import ctypes
import json
import math
import threading
import weakref
from ctypes import c_void_p
from typing import TYPE_CHECKING, Any, Dict, Iterable, Mapping, Optional, Sequence, Union

from . import _lib
from ._meta import Meta
from ._version import __version__
from .errors import (
    ClientClosedError,
    DecodeError,
    InvalidArgumentError,
    SokuError,
    error_from_json,
)

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

# Python keyword -> options JSON key (timeout is converted from seconds to milliseconds).
_OPTION_KEYS = {
    "idempotency_key": "idempotencyKey",
    "firebase_token": "firebaseToken",
    "timeout": "timeoutMs",
    "max_retries": "maxRetries",
}

# How long interpreter exit waits for calls still running in daemon threads before it
# leaks the handle instead of freeing it under them.
_EXIT_WAIT_SECONDS = 1.0


def _millis(name: str, seconds: Any) -> int:
    """Seconds (int or float, >= 0) as whole milliseconds; InvalidArgumentError otherwise."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise InvalidArgumentError("%s must be a number of seconds, not %s" % (name, type(seconds).__name__))
    if not math.isfinite(seconds) or seconds < 0:
        raise InvalidArgumentError("%s must be a finite, non-negative number of seconds" % name)
    return int(round(seconds * 1000))


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgumentError("%s must be a non-negative integer" % name)
    return value


def _encode(obj: Any, what: str) -> bytes:
    try:
        return json.dumps(obj, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        raise InvalidArgumentError("%s is not valid JSON: %s" % (what, exc)) from None


def _options_json(method: str, options: Mapping[str, Any]) -> Optional[bytes]:
    out: Dict[str, Any] = {}
    for key, value in options.items():
        if key not in _OPTION_KEYS:
            raise TypeError("%s() got an unexpected keyword argument %r" % (method, key))
        if value is None:
            continue
        if key == "timeout":
            value = _millis("timeout", value)
        elif key == "max_retries":
            value = _count("max_retries", value)
        out[_OPTION_KEYS[key]] = value
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
    if isinstance(request, Mapping):
        if fields:
            raise InvalidArgumentError(
                "pass either a request dict or keyword fields, not both (got %s)" % ", ".join(sorted(fields))
            )
        return dict(request)
    expected = "a dict or a str" if primary else "a dict"
    raise InvalidArgumentError("request must be %s, not %s" % (expected, type(request).__name__))


class _Handle:
    """Owns the native ``SokuClient*``; counts calls in flight so it is never freed under one."""

    def __init__(self, lib: _lib.Library, ptr: int) -> None:
        self._lib = lib
        self._ptr: Optional[int] = ptr
        self._closed = False
        self._busy = 0
        self._cond = threading.Condition()

    @property
    def closed(self) -> bool:
        return self._closed

    def acquire(self) -> int:
        with self._cond:
            if self._closed or self._ptr is None:
                raise ClientClosedError("client is closed")
            self._busy += 1
            return self._ptr

    def release(self) -> None:
        with self._cond:
            self._busy -= 1
            if self._busy == 0:
                self._cond.notify_all()

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


class Client:
    """A client of the Soku API, backed by one native ``SokuClient`` (one keep-alive pool).

    Args:
        api_key: the ``sk_live_...`` key for content calls. Default: ``SOKU_API_KEY``.
        base_url: default ``SOKU_BASE_URL``, else ``https://api.mysoku.io``; may carry a path
            prefix. ``http://`` is accepted only for loopback hosts unless ``allow_insecure_http``.
        firebase_token: Firebase ID token for the api-key calls. Default: none.
        timeout: seconds that bound each attempt of a call (connect, send, answer and body),
            not the whole call: retries add further attempts and waits of at most
            ``max_retry_wait`` each, so a call lasts at most
            ``(max_retries + 1) * timeout + max_retries * max_retry_wait``. Default 30; must
            be greater than zero (there is no infinite timeout).
        connect_timeout: seconds to establish a connection. Default 10.
        max_retries: retries after the first attempt; 0 disables. Default 3.
        max_retry_wait: cap in seconds on any single wait between attempts. Default 60.
        backoff_base: seconds of the first exponential backoff step. Default 1.

    Every duration is at most 24 hours (86400 s): a longer one raises :class:`ConfigError`
    here, and a longer per-call ``timeout`` makes that call raise :class:`InvalidArgumentError`
    before anything is sent.
        user_agent: the ``User-Agent`` header. Default ``soku-rust/<library version>
            soku-python/<package version>``.
        allow_insecure_http: allow ``http://`` to non-loopback hosts. Default False.
        validate_scheduled_time: check ``scheduledTime`` (RFC 3339, >= 60 s ahead) before
            sending. Default True.

    Every method takes the documented request body as a dict (plus keyword forms where
    natural) and the per-call keyword options ``idempotency_key``, ``firebase_token``,
    ``timeout`` (seconds per attempt, overriding the client's) and ``max_retries``. It returns the response's ``data`` and records
    the call's :class:`~soku.Meta` in :attr:`last_meta`; a failure raises a
    :class:`~soku.SokuError` subclass that carries the same meta.

    One client may be shared by many threads. :meth:`close` (or leaving a ``with`` block)
    waits for calls in flight, then frees the handle; closing twice is harmless, and a client
    never closed is freed at garbage collection or interpreter exit.

    Raises:
        ConfigError: the configuration is unusable (e.g. a malformed base URL, a zero
            timeout or a duration above 24 hours).
        InvalidArgumentError: an option has the wrong type or range.
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
    ) -> None:
        self._local = threading.local()
        config = _present(
            apiKey=api_key,
            baseUrl=base_url,
            firebaseToken=firebase_token,
            userAgent=user_agent,
            allowInsecureHttp=allow_insecure_http,
            validateScheduledTime=validate_scheduled_time,
        )
        for key, seconds in (
            ("timeoutMs", timeout),
            ("connectTimeoutMs", connect_timeout),
            ("maxRetryWaitMs", max_retry_wait),
            ("backoffBaseMs", backoff_base),
        ):
            if seconds is not None:
                config[key] = _millis(key[:-2], seconds)
        if max_retries is not None:
            config["maxRetries"] = _count("max_retries", max_retries)
        lib = _lib.load()
        if user_agent is None:
            config["userAgent"] = "soku-rust/%s soku-python/%s" % (lib.version(), __version__)
        config_json = _encode(config, "config")
        self._lib = lib
        ptr = c_void_p()
        out = c_void_p()
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
        return getattr(self._local, "meta", None)

    # -- plumbing ---------------------------------------------------------------------------

    def _finish(self, status: int, text: Optional[str]) -> Any:
        """Turn the library's status and result JSON into the ``data`` value or an exception."""
        self._local.meta = None
        try:
            doc = json.loads(text) if text is not None else None
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            raise DecodeError(
                "the soku library returned %s (status %d)" % ("no JSON" if text is None else "invalid JSON", status)
            )
        meta = Meta.from_json(doc.get("meta"))
        self._local.meta = meta
        if status == _lib.OK:
            return doc.get("data")
        error = doc.get("error")
        if not isinstance(error, dict):
            error = {"kind": self._lib.status_str(status), "message": "call failed without an error object"}
        elif "kind" not in error:
            error = dict(error, kind=self._lib.status_str(status))
        raise error_from_json(error, meta)

    def _call(self, function: str, method: str, request: Any, options: Mapping[str, Any]) -> Any:
        self._local.meta = None  # never leave a previous call's meta behind, whatever fails below
        fn = self._lib.function(function)
        request_json = _encode(request, "request")
        options_json = _options_json(method, options)
        out = c_void_p()
        ptr = self._handle.acquire()
        try:
            try:
                if function == "soku_posts_publish_batch":
                    status = self._run_batch_interruptibly(ptr, request_json, options_json, out)
                else:
                    status = fn(ptr, request_json, options_json, ctypes.byref(out))
            finally:
                self._handle.release()
        finally:
            text = self._lib.take_string(out)
        return self._finish(status, text)

    def _run_batch_interruptibly(self, ptr: int, request_json: Any, options_json: Any, out: c_void_p) -> int:
        """Runs a batch in a worker thread so that this thread stays responsive to Ctrl-C.

        On ``KeyboardInterrupt`` the batch is cancelled through its token and awaited (the
        caller releases the handle only after the native call returned), then the interrupt
        is re-raised.
        """
        lib = self._lib
        fn = lib.function("soku_posts_publish_batch_with_cancel")
        token = lib.function("soku_cancel_token_new")()
        outcome: Dict[str, int] = {}
        try:
            worker = threading.Thread(
                target=lambda: outcome.update(status=fn(ptr, request_json, options_json, token, ctypes.byref(out))),
                name="soku-publish-batch",
                daemon=True,
            )
            worker.start()
            try:
                while worker.is_alive():
                    worker.join(0.1)
            except KeyboardInterrupt:
                lib.function("soku_cancel_token_cancel")(token)
                while worker.is_alive():
                    try:
                        worker.join()
                    except KeyboardInterrupt:
                        pass  # already cancelled: only the post in flight is left
                raise
        finally:
            lib.function("soku_cancel_token_free")(token)
        return outcome["status"]

    def _call_object(self, function: str, method: str, request: Any, options: Mapping[str, Any]) -> Dict[str, Any]:
        """:meth:`_call` for the operations whose ``data`` is a JSON object."""
        data = self._call(function, method, request, options)
        if not isinstance(data, dict):
            raise DecodeError("%s: the library returned %s instead of an object" % (method, type(data).__name__))
        return data

    # -- plain endpoints --------------------------------------------------------------------

    def create_post(
        self,
        request: Request = None,
        *,
        text: Optional[str] = None,
        platforms: Union[None, str, Iterable[Union[str, Mapping[str, Any]]]] = None,
        media_type: Optional[str] = None,
        video_url: Optional[str] = None,
        image_urls: Optional[Sequence[str]] = None,
        media_urls: Optional[Sequence[str]] = None,
        scheduled_time: Optional[str] = None,
        **options: Unpack[CallOptions],
    ) -> Dict[str, Any]:
        """``POST /v1/posts``: publish or schedule a post; returns ``{"postSubmissionId": ...}``.

        Pass the documented body (``{"post": {"content": {...}}, "scheduledTime": ...}``), or
        the keyword form: ``create_post(text="Hi", platforms=["x", "threads"])``. In the keyword
        form ``media_type`` defaults to ``"video"`` with ``video_url``, ``"image"`` with
        ``image_urls``, else ``"text"``, exactly as the Rust constructors ``CreatePost::video``,
        ``CreatePost::images`` and ``CreatePost::text`` set it; a dict body is sent as given.
        An ``Idempotency-Key`` is always sent (yours or a fresh one, reused on every retry).
        """
        if isinstance(platforms, str):
            platforms = [platforms]
        content = _present(
            text=text,
            mediaType=media_type,
            videoUrl=video_url,
            imageUrls=list(image_urls) if image_urls is not None else None,
            mediaUrls=list(media_urls) if media_urls is not None else None,
            platform=list(platforms) if platforms is not None else None,
        )
        if request is None:
            if "mediaType" not in content:
                content["mediaType"] = "video" if video_url else "image" if image_urls else "text"
            body: Dict[str, Any] = {"post": {"content": content}}
            body.update(_present(scheduledTime=scheduled_time))
        else:
            body = _body(request, dict(content, **_present(scheduledTime=scheduled_time)))
        return self._call_object("soku_posts_create", "create_post", body, options)

    def upload_media(self, request: Union[str, Mapping[str, Any]], **options: Unpack[CallOptions]) -> Dict[str, Any]:
        """``POST /v1/media``: import media from a public URL; returns ``{"url": <hosted url>, ...}``.

        ``request`` is the source URL or the body ``{"url": ...}``.
        """
        return self._call_object("soku_media_upload", "upload_media", _body(request, {}, "url"), options)

    def render_template(
        self,
        request: Union[str, Mapping[str, Any]],
        *,
        config: Optional[Mapping[str, Any]] = None,
        aspect_ratio: Optional[str] = None,
        **options: Unpack[CallOptions],
    ) -> Dict[str, Any]:
        """``POST /v1/templates``: render an image template; returns ``{"url": ..., "id": ...}``.

        ``request`` is the body ``{"templateSlug", "config", "aspectRatio"}`` or the slug, with
        ``config`` and ``aspect_ratio`` (``"1:1"``, ``"4:5"``, ``"9:16"``) as keywords.
        """
        fields = _present(config=dict(config) if config is not None else None, aspectRatio=aspect_ratio)
        body = _body(request, fields, "templateSlug")
        return self._call_object("soku_templates_render", "render_template", body, options)

    def transcribe(
        self,
        request: Union[str, Mapping[str, Any]],
        *,
        language: Optional[str] = None,
        model: Optional[str] = None,
        duration_seconds: Optional[float] = None,
        **options: Unpack[CallOptions],
    ) -> Dict[str, Any]:
        """``POST /v1/ai/transcribe``; returns ``{"jobId", "transcript", "creditsDebited", ...}``.

        ``request`` is the body ``{"mediaId", "language", "model", "durationSeconds"}`` or the
        media id with the rest as keywords. Pass ``idempotency_key`` to make a repeat free.
        """
        fields = _present(language=language, model=model, durationSeconds=duration_seconds)
        body = _body(request, fields, "mediaId")
        return self._call_object("soku_ai_transcribe", "transcribe", body, options)

    def create_api_key(
        self, request: Union[None, str, Mapping[str, Any]] = None, **options: Unpack[CallOptions]
    ) -> Dict[str, Any]:
        """``POST /v1/api-keys`` (Firebase token): returns ``{"apiKey": "sk_live_...", ...}``.

        ``request`` is the body ``{"name": ...}``, the name, or nothing.
        """
        body = _body(request, {}, "name")
        return self._call_object("soku_api_keys_create", "create_api_key", body, options)

    def list_api_keys(self, **options: Unpack[CallOptions]) -> Dict[str, Any]:
        """``GET /v1/api-keys`` (Firebase token): returns ``{"apiKeys": [{"id", "name", "status", ...}]}``."""
        return self._call_object("soku_api_keys_list", "list_api_keys", {}, options)

    def revoke_api_key(self, request: Union[str, Mapping[str, Any]], **options: Unpack[CallOptions]) -> Any:
        """``DELETE /v1/api-keys/{id}`` (Firebase token). ``request`` is the key id or ``{"id": ...}``.

        Returns the (empty) ``data`` of the 204 answer. The key then gets 401 on every call.
        """
        body = _body(request, {}, "id")
        return self._call("soku_api_keys_revoke", "revoke_api_key", body, options)

    # -- workflows --------------------------------------------------------------------------

    def rotate_api_key(
        self,
        request: Union[str, Mapping[str, Any]],
        *,
        name: Optional[str] = None,
        verify: Optional[str] = None,
        **options: Unpack[CallOptions],
    ) -> Dict[str, Any]:
        """Create a new key, verify it, then revoke the old one.

        ``request`` is ``{"oldKeyId", "name"?, "verify"?}`` or the old key's id with ``name`` and
        ``verify`` (``"probe"`` (default: publishes nothing), ``"post"`` or ``"none"``) as
        keywords. Returns ``{"apiKey", "id", "verified", "revoked", "revokedKeyId", "revokeError"}``.
        Check ``revoked``: if revoking the old key failed, the new key is still returned with
        ``revoked`` False, ``revokedKeyId`` None and ``revokeError`` the error object (both keys
        then work). If verification fails an :class:`~soku.ApiError` is raised, the old key is not
        revoked and the unverified new key is revoked (best effort).
        """
        body = _body(request, _present(name=name, verify=verify), "oldKeyId")
        return self._call_object("soku_api_keys_rotate", "rotate_api_key", body, options)

    def publish_batch(
        self,
        posts: Union[Mapping[str, Any], Iterable[Mapping[str, Any]]],
        **options: Unpack[CallOptions],
    ) -> Dict[str, Any]:
        """Publish posts one after the other, paced by the rate-limit headers.

        ``posts`` is a list of create-post bodies or ``{"posts": [...]}``. A failed item does not
        stop the batch. Returns ``{"results": [{"index", "ok", "postSubmissionId" | "error",
        "pacedMs", "meta"}], "summary": {"total", "succeeded", "failed"}}`` (``pacedMs``: how long
        the batch waited for the rate-limit window before sending that item, 0 if it did not);
        turn a failed item's ``error`` into an exception with :func:`soku.error_from_json` if you
        want one.

        Ctrl-C (``KeyboardInterrupt``) stops the batch before its next post (a post in flight
        finishes; a wait for the rate-limit window ends within 0.1 s) and is then re-raised.
        """
        if isinstance(posts, Mapping):
            body = dict(posts)
        elif isinstance(posts, (str, bytes)):
            raise InvalidArgumentError("posts must be a list of create-post bodies")
        else:
            body = {"posts": list(posts)}
        return self._call_object("soku_posts_publish_batch", "publish_batch", body, options)

    def publish_with_media(
        self,
        request: Request = None,
        *,
        source_urls: Optional[Iterable[str]] = None,
        post: Optional[Mapping[str, Any]] = None,
        scheduled_time: Optional[str] = None,
        **options: Unpack[CallOptions],
    ) -> Dict[str, Any]:
        """Upload each source URL, then publish one post using the hosted URLs.

        ``request`` is ``{"sourceUrls", "post": <content>, "scheduledTime"?}``, or pass those as
        keywords. With ``post["mediaType"] == "video"`` the first hosted URL becomes the
        ``videoUrl``, otherwise all become ``imageUrls``. Returns ``{"media": [...], "post": ...}``.
        """
        fields = _present(
            sourceUrls=list(source_urls) if source_urls is not None else None,
            post=dict(post) if post is not None else None,
            scheduledTime=scheduled_time,
        )
        body = _body(request, fields)
        return self._call_object("soku_posts_publish_with_media", "publish_with_media", body, options)

    def publish_with_template(
        self,
        request: Request = None,
        *,
        template: Optional[Mapping[str, Any]] = None,
        post: Optional[Mapping[str, Any]] = None,
        scheduled_time: Optional[str] = None,
        **options: Unpack[CallOptions],
    ) -> Dict[str, Any]:
        """Render a template, then publish one image post with the rendered image.

        ``request`` is ``{"template": <render body>, "post": <content>, "scheduledTime"?}``, or
        pass those as keywords. Returns ``{"template": {"url", "id"}, "post": ...}``.
        """
        fields = _present(
            template=dict(template) if template is not None else None,
            post=dict(post) if post is not None else None,
            scheduledTime=scheduled_time,
        )
        body = _body(request, fields)
        return self._call_object("soku_posts_publish_with_template", "publish_with_template", body, options)
