"""The exception hierarchy of the ``soku`` package.

Every error the package raises is a :class:`SokuError`. The C library reports
one *kind* per failure (``invalid_argument``, ``config``, ``api``,
``transport``, ``timeout``, ``decode``, ``panic``); each kind has its own class,
and server answers (kind ``api``) are further split by HTTP status::

    SokuError
    +-- ApiError                    the server answered with an error status
    |   +-- BadRequestError         400 (validation_error, missing_account, ...); alias ValidationError
    |   +-- AuthenticationError     401
    |   +-- PermissionDeniedError   403
    |   +-- NotFoundError           404
    |   +-- ConflictError           409
    |   +-- RateLimitError          429
    |   +-- ServerError             5xx
    +-- TransportError              connection refused, reset, DNS, TLS ...
    +-- SokuTimeoutError            an attempt ran out of time (also a TimeoutError)
    +-- DecodeError                 a 2xx answer that is not the expected JSON
    +-- InvalidArgumentError        bad input; nothing was changed (also a ValueError)
    +-- ConfigError                 bad base URL, missing API key or token
    +-- PanicError                  a bug inside the library (caught at the C boundary)
    +-- ClientClosedError           the Client was used after close()
    +-- LibraryError                the native library is missing or too old
        +-- LibraryNotFoundError

Branch on :attr:`ApiError.code` (the server's machine-readable code), never on
the message. ``str(err)`` names the code and the request id, and never
contains a secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Type

from ._meta import Meta
from ._wire import names

if TYPE_CHECKING:
    from ._models import BatchReport

__all__ = [
    "SokuError",
    "ApiError",
    "BadRequestError",
    "ValidationError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "SokuTimeoutError",
    "DecodeError",
    "InvalidArgumentError",
    "ConfigError",
    "PanicError",
    "ClientClosedError",
    "LibraryError",
    "LibraryNotFoundError",
    "BatchInterrupted",
    "error_from_json",
]


class SokuError(Exception):
    """Base class of every error raised by the ``soku`` package.

    Attributes:
        kind: the library's error kind (``"api"``, ``"transport"``, ...).
        message: the human-readable message, without the kind prefix.
        status: HTTP status of the final attempt, or ``None``.
        code: the server's error code (e.g. ``"validation_error"``), or ``None``.
        request_id: the request id (``X-Request-Id`` or the body's ``requestId``), or ``None``.
        details: the server's ``details`` object, or ``None``.
        retry_after: seconds the server asked to wait (``Retry-After``), or ``None``.
        meta: the call's :class:`~soku.Meta`, or ``None`` when nothing was sent.
        param: for ``invalid_argument`` and ``config`` errors, the field or key at
            fault when there is one: a request field as its JSON path
            (``"post.content.text"``), a configuration key by its library name
            (``"apiKey"``, ``"timeoutMs"``; ``docs/options.json`` maps each to its keyword);
            ``None`` otherwise. The message itself names the keyword (``set api_key= or
            SOKU_API_KEY``).
    """

    kind: str = "unknown"

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        code: Optional[str] = None,
        request_id: Optional[str] = None,
        details: Any = None,
        retry_after: Optional[float] = None,
        meta: Optional[Meta] = None,
        param: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.details = details
        self.retry_after = retry_after
        self.meta = meta
        self.param = param

    def __str__(self) -> str:
        head = self.kind.replace("_", " ") + " error"
        if self.status:
            head += " %d" % self.status
        if self.code:
            head += " " + self.code
        text = "%s: %s" % (head, self.message)
        if self.request_id:
            text += " (request %s)" % self.request_id
        return text

    def __repr__(self) -> str:
        return "%s(%r, status=%r, code=%r, request_id=%r)" % (
            type(self).__name__,
            self.message,
            self.status,
            self.code,
            self.request_id,
        )


class ApiError(SokuError):
    """The server answered with an error status (kind ``api``).

    ``status``, ``code`` and ``message`` are always set; ``request_id``,
    ``details`` and ``retry_after`` when the server sent them.
    """

    kind = "api"

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        request_id: Optional[str] = None,
        details: Any = None,
        retry_after: Optional[float] = None,
        *,
        meta: Optional[Meta] = None,
    ) -> None:
        super().__init__(
            message,
            status=status,
            code=code,
            request_id=request_id,
            details=details,
            retry_after=retry_after,
            meta=meta,
        )
        self.status: int = status
        self.code: str = code


class BadRequestError(ApiError):
    """HTTP 400: the server rejected the request body (``validation_error``, ``missing_account``, ...)."""


#: The former name of :class:`BadRequestError` (the same class).
ValidationError = BadRequestError


class AuthenticationError(ApiError):
    """HTTP 401: the API key or Firebase token is missing, wrong or revoked."""


class PermissionDeniedError(ApiError):
    """HTTP 403: authenticated, but not allowed (e.g. no active subscription)."""


class NotFoundError(ApiError):
    """HTTP 404: the addressed resource does not exist (e.g. an unknown template)."""


class ConflictError(ApiError):
    """HTTP 409: e.g. an idempotency key reused with a different body."""


class RateLimitError(ApiError):
    """HTTP 429: rate limit exceeded (after any retries); see ``retry_after``."""


class ServerError(ApiError):
    """HTTP 5xx: the server failed (after any retries)."""


class TransportError(SokuError):
    """The request did not get an HTTP answer: connection refused, reset, DNS, TLS ..."""

    kind = "transport"


class SokuTimeoutError(SokuError, TimeoutError):
    """An attempt ran out of time (``timeout`` bounds each attempt, not the whole call).

    A kind of its own, not a :class:`TransportError` (the library reports the two apart); it is
    also the built-in :class:`TimeoutError`.
    """

    kind = "timeout"


class DecodeError(SokuError):
    """The server answered 2xx with a body that is not the expected JSON."""

    kind = "decode"


class InvalidArgumentError(SokuError, ValueError):
    """The caller's input was rejected before anything was changed.

    Nothing was sent, except for :meth:`~soku.Client.rotate_api_key`, which reads the key list
    to refuse an old key id that is missing or not active (``param`` ``"oldKeyId"``).
    """

    kind = "invalid_argument"


class ConfigError(SokuError):
    """The client configuration is unusable (bad base URL, missing API key or token)."""

    kind = "config"


class PanicError(SokuError):
    """A bug inside the native library; it was caught at the C boundary."""

    kind = "panic"


class ClientClosedError(SokuError):
    """The :class:`~soku.Client` was used after :meth:`~soku.Client.close`."""

    kind = "closed"


class LibraryError(SokuError):
    """The native library could not be loaded, or lacks a function this package needs."""

    kind = "library"


class LibraryNotFoundError(LibraryError):
    """No native library was found; the message names every path tried."""


_KIND_CLASSES: Dict[str, Type[SokuError]] = {
    "transport": TransportError,
    "timeout": SokuTimeoutError,
    "decode": DecodeError,
    "invalid_argument": InvalidArgumentError,
    "config": ConfigError,
    "panic": PanicError,
}

_STATUS_CLASSES: Dict[int, Type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def _api_class(status: int) -> Type[ApiError]:
    if status >= 500:
        return ServerError
    return _STATUS_CLASSES.get(status, ApiError)


# Wire names of the error object, from the one table (attribute order).
_KIND, _STATUS, _CODE, _MESSAGE, _REQUEST_ID, _DETAILS, _RETRY_AFTER, _PARAM = names("Error")


def _opt_str(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


def _opt_float(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def error_from_json(error: Mapping[str, Any], meta: Optional[Meta] = None) -> SokuError:
    """Build the matching exception from an error object of the C ABI.

    ``error`` is the ``{"kind", "status", "code", "message", "requestId",
    "details", "retryAfter", "param"}`` object found in a failed call's result and in the
    failed items of :meth:`~soku.Client.publish_batch`. Returns (does not raise)
    the exception.
    """
    kind = _opt_str(error.get(_KIND)) or "unknown"
    message = _opt_str(error.get(_MESSAGE)) or kind.replace("_", " ") + " error"
    status = error.get(_STATUS)
    status = status if isinstance(status, int) and not isinstance(status, bool) else None
    code = _opt_str(error.get(_CODE))
    request_id = _opt_str(error.get(_REQUEST_ID))
    if request_id is None and meta is not None:
        request_id = meta.request_id
    details = error.get(_DETAILS)
    retry_after = _opt_float(error.get(_RETRY_AFTER))
    param = _opt_str(error.get(_PARAM))
    if kind == "api":
        api_status = status if status is not None else (meta.status if meta else 0)
        return _api_class(api_status)(
            api_status,
            code or "unknown",
            message,
            request_id,
            details,
            retry_after,
            meta=meta,
        )
    cls = _KIND_CLASSES.get(kind, SokuError)
    err = cls(
        message,
        status=status,
        code=code,
        request_id=request_id,
        details=details,
        retry_after=retry_after,
        meta=meta,
        param=param,
    )
    if cls is SokuError:
        err.kind = kind
    return err


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C (``KeyboardInterrupt``) stopped :meth:`~soku.Client.publish_batch`; carries what was done.

    A subclass of :class:`KeyboardInterrupt`, so code that lets Ctrl-C end the program keeps
    doing so; it is not a :class:`SokuError`. The batch sent no further post after the
    interrupt (a wait for the rate-limit window ends within 0.1 s; a post already in flight
    finishes and is in the report).

    Attributes:
        report: the partial :class:`~soku.BatchReport`: one item per post sent (published,
            with its ``post_submission_id`` and ``meta.idempotency_key``, or failed), with
            ``cancelled`` True.
        not_sent: the indexes of the posts that were not sent.
        idempotency_key: the batch's key (the caller's ``idempotency_key``), or ``None``.

    Resume: call ``publish_batch`` again with the same posts and the same
    ``idempotency_key``: post ``i`` is sent with the key ``<idempotency_key>-<i>``, so the server
    replays the posts it already published (same ``post_submission_id``) instead of publishing
    them again, and publishes the rest. Without an ``idempotency_key`` each post had a random
    key: re-sending the whole batch would publish the sent posts twice, so send only
    ``not_sent`` (and the failed items), or always pass a batch key.
    """

    report: "BatchReport"
    not_sent: List[int]
    idempotency_key: Optional[str]

    def __init__(self, report: "BatchReport", idempotency_key: Optional[str]) -> None:
        sent = len(report.items)
        self.report = report
        self.not_sent = list(range(sent, report.summary.total))
        self.idempotency_key = idempotency_key
        how = (
            "resume with the same posts and idempotency_key=%r" % idempotency_key
            if idempotency_key
            else "no idempotency_key was given: re-send only the posts not sent"
        )
        super().__init__(
            "batch interrupted: %d of %d post(s) published, %d failed, %d not sent; %s"
            % (report.summary.succeeded, report.summary.total, report.summary.failed, len(self.not_sent), how)
        )
