"""Call metadata: HTTP status, request id, rate-limit snapshot, attempts, idempotency key."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from ._wire import names

__all__ = ["Meta", "RateLimit", "LazyMeta"]


def _is_object(obj: Any) -> bool:
    return type(obj) is dict or isinstance(obj, Mapping)


# Wire names, from the one table (attribute order).
_LIMIT, _REMAINING, _RESET, _TIER = names("RateLimit")
_STATUS, _REQUEST_ID, _RATE_LIMIT, _ATTEMPTS, _KEY = names("Meta")

# The readers below run on every call: plain `type(...) is` checks (a bool is not an int here),
# no helper calls.


@dataclass(frozen=True, slots=True)
class RateLimit:
    """The rate-limit headers of the call's final answer (``None`` where absent).

    Attributes:
        limit: ``X-RateLimit-Limit``, requests allowed per window.
        remaining: ``X-RateLimit-Remaining``, requests left in the window.
        reset: ``X-RateLimit-Reset`` as Unix seconds.
        tier: ``X-RateLimit-Tier``.
    """

    limit: Optional[int] = None
    remaining: Optional[int] = None
    reset: Optional[int] = None
    tier: Optional[str] = None

    @classmethod
    def from_json(cls, obj: Any) -> "RateLimit":
        """Build from the ``rateLimit`` object of the C ABI's meta JSON (tolerates ``None``)."""
        if not _is_object(obj):
            return cls()
        g = obj.get
        limit, remaining, reset, tier = g(_LIMIT), g(_REMAINING), g(_RESET), g(_TIER)
        return cls(
            limit if type(limit) is int else None,
            remaining if type(remaining) is int else None,
            reset if type(reset) is int else None,
            tier if type(tier) is str else None,
        )


@dataclass(frozen=True, slots=True)
class Meta:
    """What one call did on the wire.

    Attributes:
        status: HTTP status of the final attempt (0 if no answer was received).
        request_id: the server's request id, if any.
        rate_limit: the :class:`RateLimit` snapshot of the final answer.
        attempts: requests actually sent for this call (1 = no retry).
        idempotency_key: the ``Idempotency-Key`` sent, if any.
    """

    status: int = 0
    request_id: Optional[str] = None
    rate_limit: RateLimit = field(default_factory=RateLimit)
    attempts: int = 0
    idempotency_key: Optional[str] = None

    @classmethod
    def from_json(cls, obj: Any) -> Optional["Meta"]:
        """Build from the C ABI's meta JSON; ``None`` when ``obj`` is not an object."""
        if not _is_object(obj):
            return None
        g = obj.get
        status, request_id, attempts, key = g(_STATUS), g(_REQUEST_ID), g(_ATTEMPTS), g(_KEY)
        return cls(
            status if type(status) is int else 0,
            request_id if type(request_id) is str else None,
            RateLimit.from_json(g(_RATE_LIMIT)),
            attempts if type(attempts) is int else 0,
            key if type(key) is str else None,
        )


# One decoder for the package: reads one JSON value at an offset of a string, as (value, end),
# or raises ValueError.
_DECODER = json.JSONDecoder()


class LazyMeta:
    """The meta JSON of one successful call, read into a :class:`Meta` on first use.

    Results and :attr:`~soku.Client.last_meta` share one instance, so both give the same
    :class:`Meta` object; a call whose meta nobody reads never builds it.
    """

    __slots__ = ("_raw", "_meta", "_at")

    def __init__(self, raw: Any, meta: Optional[Meta] = None, at: int = 0) -> None:
        self._raw = raw
        self._meta = meta
        self._at = at

    def get(self) -> Meta:
        """The :class:`Meta` (built once; an absent or unreadable meta reads as ``Meta()``).

        ``raw`` is the meta object, or a JSON text holding it at offset ``at`` (parsed here, on
        first use).
        """
        meta = self._meta
        if meta is None:
            raw = self._raw
            if type(raw) is str:
                try:
                    raw = _DECODER.raw_decode(raw, self._at)[0]
                except ValueError:
                    raw = None
            meta = self._meta = Meta.from_json(raw) or Meta()
        return meta
