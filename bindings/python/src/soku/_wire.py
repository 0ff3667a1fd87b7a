"""The one table of wire names: for each result type, its Python attributes and the JSON field
each is read from, in the attribute order of the Python class.

The result classes (``_models``), :class:`~soku.Meta` / :class:`~soku.RateLimit` (``_meta``) and
the error reader (``errors.error_from_json``) take every wire name from here and nowhere else.
The test suite checks this table against the field names the Rust library emits
(``tests/wire_fields.json``, generated from Rust): every wire field mapped, no unknown name, and
each attribute equal to its own field's value.
"""

from __future__ import annotations

from typing import Dict, Tuple

__all__ = ["FIELDS", "names"]

#: type name -> ((attribute, wire name), ...), in the attribute order of the Python class.
#: A type with no entry here has no wire fields of its own (``RevokedApiKey``: the revocation's
#: ``data`` is ``null``; its ``id`` is the one the caller passed).
FIELDS: Dict[str, Tuple[Tuple[str, str], ...]] = {
    "PostSubmission": (("post_submission_id", "postSubmissionId"),),
    "UploadedMedia": (("url", "url"),),
    "RenderedTemplate": (("url", "url"), ("id", "id")),
    "Transcription": (
        ("job_id", "jobId"),
        ("transcript", "transcript"),
        ("credits_debited", "creditsDebited"),
        ("likely_lyrics", "likelyLyrics"),
    ),
    "CreatedApiKey": (("api_key", "apiKey"), ("id", "id")),
    "ApiKeyInfo": (
        ("id", "id"),
        ("name", "name"),
        ("created_at", "createdAt"),
        ("revoked_at", "revokedAt"),
        ("status", "status"),
        ("preview", "keyPreview"),
    ),
    "ApiKeyList": (("keys", "apiKeys"),),
    "RotatedApiKey": (
        ("api_key", "apiKey"),
        ("id", "id"),
        ("verified", "verified"),
        ("revoked", "revoked"),
        ("revoked_key_id", "revokedKeyId"),
        ("revoke_error", "revokeError"),
    ),
    "BatchItem": (
        ("meta", "meta"),
        ("index", "index"),
        ("ok", "ok"),
        ("post_submission_id", "postSubmissionId"),
        ("error", "error"),
        ("paced", "pacedMs"),
    ),
    "BatchSummary": (("total", "total"), ("succeeded", "succeeded"), ("failed", "failed")),
    "BatchReport": (("items", "results"), ("summary", "summary"), ("cancelled", "cancelled")),
    "PublishedWithMedia": (("media", "media"), ("post", "post")),
    "PublishedWithTemplate": (("template", "template"), ("post", "post")),
    "Meta": (
        ("status", "status"),
        ("request_id", "requestId"),
        ("rate_limit", "rateLimit"),
        ("attempts", "attempts"),
        ("idempotency_key", "idempotencyKey"),
    ),
    "RateLimit": (("limit", "limit"), ("remaining", "remaining"), ("reset", "reset"), ("tier", "tier")),
    "Error": (
        ("kind", "kind"),
        ("status", "status"),
        ("code", "code"),
        ("message", "message"),
        ("request_id", "requestId"),
        ("details", "details"),
        ("retry_after", "retryAfter"),
        ("param", "param"),
    ),
}


def names(type_name: str) -> Tuple[str, ...]:
    """The wire names of ``type_name``'s attributes, in attribute order."""
    return tuple(wire for _, wire in FIELDS[type_name])
