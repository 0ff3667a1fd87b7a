"""Typed results of the :class:`~soku.Client` methods, and the literal types of the request fields.

Every result is a frozen, slotted dataclass with snake_case attributes, the call's
:class:`~soku.Meta` in ``meta`` and the wire object it was read from in ``raw`` (unknown server
fields included; :meth:`to_dict` returns it too). Results are built straight from the library's
result JSON, which the library has already checked against the documented shapes: no copies and
no per-field conversion beyond the units (``paced`` is in seconds, as every Python duration).
Every wire name is taken from the one table in ``_wire`` (attribute -> wire field), which the
tests check against the names the Rust library emits.
Secrets (``api_key``) are left out of ``repr()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Literal, Optional, TypedDict, Union

from ._meta import LazyMeta, Meta
from ._wire import names
from .errors import SokuError, error_from_json

__all__ = [
    "Platform",
    "PlatformTarget",
    "MediaType",
    "AspectRatio",
    "VerifyMode",
    "TlsTrust",
    "Result",
    "PostSubmission",
    "UploadedMedia",
    "RenderedTemplate",
    "Transcription",
    "CreatedApiKey",
    "ApiKeyInfo",
    "ApiKeyList",
    "RevokedApiKey",
    "RotatedApiKey",
    "BatchItem",
    "BatchSummary",
    "BatchReport",
    "PublishedWithMedia",
    "PublishedWithTemplate",
]

#: A platform name the API documents.
Platform = Literal["x", "threads", "linkedin", "instagram", "facebook", "tiktok", "youtube"]
#: ``"text"``, ``"image"`` or ``"video"``.
MediaType = Literal["text", "image", "video"]
#: Aspect ratio of a rendered template.
AspectRatio = Literal["1:1", "4:5", "9:16"]
#: How :meth:`~soku.Client.rotate_api_key` checks the new key: ``"probe"`` publishes nothing.
VerifyMode = Literal["probe", "post", "none"]
#: Which roots verify HTTPS: ``"webpki"`` (compiled in, the default) or ``"os"``.
TlsTrust = Literal["webpki", "os"]


class PlatformTarget(TypedDict):
    """One account of a platform, as an entry of ``platforms``: ``{"platform", "accountId"}``."""

    platform: Platform
    accountId: str


@dataclass(frozen=True, slots=True)
class Result:
    """Base of every result: the wire object and the call's metadata."""

    raw: Dict[str, Any] = field(repr=False, compare=False)
    """The wire object this result was read from, unknown fields included."""
    _meta: LazyMeta = field(repr=False, compare=False)

    @property
    def meta(self) -> Meta:
        """What the call did on the wire (status, request id, rate limit, attempts, key)."""
        return self._meta.get()

    def to_dict(self) -> Dict[str, Any]:
        """The wire object (the same dict as :attr:`raw`, not a copy)."""
        return self.raw


# The wire names of each type, unpacked once from the table in attribute order.
(_SUBMISSION_ID,) = names("PostSubmission")
(_MEDIA_URL,) = names("UploadedMedia")
_TEMPLATE_URL, _TEMPLATE_ID = names("RenderedTemplate")
_JOB_ID, _TRANSCRIPT, _CREDITS, _LYRICS = names("Transcription")
_CREATED_KEY, _CREATED_ID = names("CreatedApiKey")
_INFO_ID, _INFO_NAME, _INFO_CREATED, _INFO_REVOKED, _INFO_STATUS, _INFO_PREVIEW = names("ApiKeyInfo")
(_LIST_KEYS,) = names("ApiKeyList")
_ROT_KEY, _ROT_ID, _ROT_VERIFIED, _ROT_REVOKED, _ROT_REVOKED_ID, _ROT_ERROR = names("RotatedApiKey")
_ITEM_META, _ITEM_INDEX, _ITEM_OK, _ITEM_SUBMISSION, _ITEM_ERROR, _ITEM_PACED = names("BatchItem")
_SUM_TOTAL, _SUM_SUCCEEDED, _SUM_FAILED = names("BatchSummary")
_REPORT_ITEMS, _REPORT_SUMMARY, _REPORT_CANCELLED = names("BatchReport")
_PWM_MEDIA, _PWM_POST = names("PublishedWithMedia")
_PWT_TEMPLATE, _PWT_POST = names("PublishedWithTemplate")


@dataclass(frozen=True, slots=True)
class PostSubmission(Result):
    """``POST /v1/posts`` accepted the post."""

    post_submission_id: str
    """The submission's id (``postSubmissionId``)."""

    @classmethod
    def _from(cls, d: Dict[str, Any], meta: LazyMeta) -> "PostSubmission":
        return cls(d, meta, d[_SUBMISSION_ID])


@dataclass(frozen=True, slots=True)
class UploadedMedia(Result):
    """``POST /v1/media`` imported the media."""

    url: str
    """The Soku-hosted URL, usable as ``videoUrl`` or in ``imageUrls``."""

    @classmethod
    def _from(cls, d: Dict[str, Any], meta: LazyMeta) -> "UploadedMedia":
        return cls(d, meta, d[_MEDIA_URL])


@dataclass(frozen=True, slots=True)
class RenderedTemplate(Result):
    """``POST /v1/templates`` rendered the image."""

    url: str
    """URL of the rendered PNG."""
    id: Optional[str]
    """The render's id, when the server sent one."""

    @classmethod
    def _from(cls, d: Dict[str, Any], meta: LazyMeta) -> "RenderedTemplate":
        return cls(d, meta, d[_TEMPLATE_URL], d.get(_TEMPLATE_ID))


@dataclass(frozen=True, slots=True)
class Transcription(Result):
    """``POST /v1/ai/transcribe`` finished (the transcript is in the answer)."""

    job_id: str
    """``jobId``."""
    transcript: Optional[str]
    """The text, when the server sent one."""
    credits_debited: Optional[float]
    """``creditsDebited``."""
    likely_lyrics: Optional[bool]
    """``likelyLyrics``."""

    @classmethod
    def _from(cls, d: Dict[str, Any], meta: LazyMeta) -> "Transcription":
        g = d.get
        return cls(d, meta, d[_JOB_ID], g(_TRANSCRIPT), g(_CREDITS), g(_LYRICS))


@dataclass(frozen=True, slots=True)
class CreatedApiKey(Result):
    """``POST /v1/api-keys``: the only time the full key is returned (kept out of ``repr()``)."""

    api_key: str = field(repr=False)
    """The new ``sk_live_...`` key."""
    id: Optional[str]
    """The key's id, when the server sent one."""

    @classmethod
    def _from(cls, d: Dict[str, Any], meta: LazyMeta) -> "CreatedApiKey":
        return cls(d, meta, d[_CREATED_KEY], d.get(_CREATED_ID))


@dataclass(frozen=True, slots=True)
class ApiKeyInfo(Result):
    """One key of ``GET /v1/api-keys`` (metadata only, never the key itself)."""

    id: str
    """The key's id (what :meth:`~soku.Client.revoke_api_key` takes)."""
    name: Optional[str]
    """Its label."""
    created_at: Optional[str]
    """Creation instant (``createdAt``)."""
    revoked_at: Optional[str]
    """Revocation instant, if revoked (``revokedAt``)."""
    status: Optional[str]
    """``"active"`` or ``"revoked"``."""
    preview: Optional[str]
    """A harmless preview of the key (``keyPreview``), never the key itself."""

    @classmethod
    def _from(cls, d: Dict[str, Any], meta: LazyMeta) -> "ApiKeyInfo":
        g = d.get
        return cls(
            d, meta, d[_INFO_ID], g(_INFO_NAME), g(_INFO_CREATED), g(_INFO_REVOKED), g(_INFO_STATUS), g(_INFO_PREVIEW)
        )


@dataclass(frozen=True, slots=True)
class ApiKeyList(Result):
    """``GET /v1/api-keys``."""

    keys: List[ApiKeyInfo]
    """The account's keys (``apiKeys``)."""

    @classmethod
    def _from(cls, d: Dict[str, Any], meta: LazyMeta) -> "ApiKeyList":
        return cls(d, meta, [ApiKeyInfo._from(k, meta) for k in d[_LIST_KEYS]])


@dataclass(frozen=True, slots=True)
class RevokedApiKey(Result):
    """``DELETE /v1/api-keys/{id}`` succeeded: the key now gets 401 on every call."""

    id: str
    """The id that was revoked."""


@dataclass(frozen=True, slots=True)
class RotatedApiKey(Result):
    """:meth:`~soku.Client.rotate_api_key`: the new key, and whether the old one was revoked."""

    api_key: str = field(repr=False)
    """The new key (kept out of ``repr()``)."""
    id: Optional[str]
    """The new key's id, when the server sent one."""
    verified: VerifyMode
    """How the new key was checked before the old one was revoked."""
    revoked: bool
    """False if revoking the old key failed: both keys then work; see :attr:`revoke_error`."""
    revoked_key_id: Optional[str]
    """The old key's id once revoked, else None."""
    revoke_error: Optional[SokuError]
    """Why revoking the old key failed (the exception it would have raised), else None."""

    @classmethod
    def _from(cls, d: Dict[str, Any], meta: LazyMeta) -> "RotatedApiKey":
        err = d.get(_ROT_ERROR)
        return cls(
            d,
            meta,
            d[_ROT_KEY],
            d.get(_ROT_ID),
            d[_ROT_VERIFIED],
            d[_ROT_REVOKED],
            d.get(_ROT_REVOKED_ID),
            error_from_json(err) if err else None,
        )


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One post of :meth:`~soku.Client.publish_batch`; a failed item does not stop the batch."""

    raw: Dict[str, Any] = field(repr=False, compare=False)
    """The wire object of this item."""
    meta: Optional[Meta] = field(repr=False, compare=False)
    """This item's call metadata; None if nothing was sent for it."""
    index: int
    """Position of the post in the request."""
    ok: bool
    """True if the post was accepted."""
    post_submission_id: Optional[str]
    """The submission's id when :attr:`ok`."""
    error: Optional[SokuError]
    """Why the post failed (the exception a single call would have raised), else None."""
    paced: float
    """Seconds the batch waited for the rate-limit window before sending this item."""

    def to_dict(self) -> Dict[str, Any]:
        """The wire object (the same dict as :attr:`raw`)."""
        return self.raw

    @classmethod
    def _from(cls, d: Dict[str, Any]) -> "BatchItem":
        meta = Meta.from_json(d.get(_ITEM_META))
        err = d.get(_ITEM_ERROR)
        return cls(
            d,
            meta,
            d[_ITEM_INDEX],
            d[_ITEM_OK],
            d.get(_ITEM_SUBMISSION),
            error_from_json(err, meta) if err else None,
            d.get(_ITEM_PACED, 0) / 1000.0,
        )


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """Counts of a batch."""

    total: int
    """Posts in the batch."""
    succeeded: int
    """Posts accepted."""
    failed: int
    """Posts that failed; ``total - succeeded - failed`` were not sent (the batch was cancelled)."""


@dataclass(frozen=True, slots=True)
class BatchReport(Result):
    """:meth:`~soku.Client.publish_batch`: one item per post, in order, and the counts."""

    items: List[BatchItem]
    """One item per post sent (wire name ``results``): every post unless :attr:`cancelled`."""
    summary: BatchSummary
    """The counts."""
    cancelled: bool
    """True when the batch stopped early (Ctrl-C): posts after the last item were not sent."""

    @classmethod
    def _from(cls, d: Dict[str, Any], meta: LazyMeta) -> "BatchReport":
        s = d[_REPORT_SUMMARY]
        return cls(
            d,
            meta,
            [BatchItem._from(item) for item in d[_REPORT_ITEMS]],
            BatchSummary(s[_SUM_TOTAL], s[_SUM_SUCCEEDED], s[_SUM_FAILED]),
            d[_REPORT_CANCELLED],
        )


@dataclass(frozen=True, slots=True)
class PublishedWithMedia(Result):
    """:meth:`~soku.Client.publish_with_media`: the hosted media, then the post."""

    media: List[UploadedMedia]
    post: PostSubmission

    @classmethod
    def _from(cls, d: Dict[str, Any], meta: LazyMeta) -> "PublishedWithMedia":
        media = [UploadedMedia._from(m, meta) for m in d[_PWM_MEDIA]]
        return cls(d, meta, media, PostSubmission._from(d[_PWM_POST], meta))


@dataclass(frozen=True, slots=True)
class PublishedWithTemplate(Result):
    """:meth:`~soku.Client.publish_with_template`: the rendered image, then the post."""

    template: RenderedTemplate
    post: PostSubmission

    @classmethod
    def _from(cls, d: Dict[str, Any], meta: LazyMeta) -> "PublishedWithTemplate":
        template = RenderedTemplate._from(d[_PWT_TEMPLATE], meta)
        return cls(d, meta, template, PostSubmission._from(d[_PWT_POST], meta))


PlatformEntry = Union[Platform, PlatformTarget]
