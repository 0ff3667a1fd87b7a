"""Call metadata: HTTP status, request id, rate-limit snapshot, attempts, idempotency key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

__all__ = ["Meta", "RateLimit"]


def _int(value: Any) -> Optional[int]:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _str(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
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
        if not isinstance(obj, Mapping):
            return cls()
        return cls(
            limit=_int(obj.get("limit")),
            remaining=_int(obj.get("remaining")),
            reset=_int(obj.get("reset")),
            tier=_str(obj.get("tier")),
        )


@dataclass(frozen=True)
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
        if not isinstance(obj, Mapping):
            return None
        return cls(
            status=_int(obj.get("status")) or 0,
            request_id=_str(obj.get("requestId")),
            rate_limit=RateLimit.from_json(obj.get("rateLimit")),
            attempts=_int(obj.get("attempts")) or 0,
            idempotency_key=_str(obj.get("idempotencyKey")),
        )
