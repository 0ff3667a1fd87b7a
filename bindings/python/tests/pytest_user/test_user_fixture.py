"""A user's test file, as a user writes it: the ``soku_sandbox`` fixture comes from the installed
package's pytest plugin (no import of it here), a 429 with Retry-After and a dropped connection
are injected, and the post is published exactly once."""

from __future__ import annotations

import pytest

import soku
import soku.testing


def publish(client: soku.Client, text: str) -> str:
    """The user's own code under test."""
    return client.create_post(text=text, platforms=["x"]).post_submission_id


def test_published_once_through_a_429_and_a_dropped_connection(
    soku_sandbox: soku.testing.Sandbox,
) -> None:
    soku_sandbox.inject({"path": "/v1/posts", "status": 429, "retryAfter": 1})
    soku_sandbox.inject({"path": "/v1/posts", "drop": True})
    with soku_sandbox.client(max_retries=3) as client:
        submission_id = publish(client, "hello from pytest")
    posts = [r for r in soku_sandbox.requests() if r["path"] == "/v1/posts"]
    assert len(posts) == 3  # the 429, the dropped one, the one that published
    keys = {dict((n.lower(), v) for n, v in r["headers"])["idempotency-key"] for r in posts}
    assert len(keys) == 1  # every retry carried the same idempotency key
    assert len(soku_sandbox.submissions()) == 1
    assert submission_id


def test_a_500_after_processing_still_publishes_once(soku_sandbox: soku.testing.Sandbox) -> None:
    soku_sandbox.inject({"path": "/v1/posts", "status": 500, "afterProcessing": True})
    with soku_sandbox.client() as client:
        publish(client, "published before the 500")
    assert len(soku_sandbox.submissions()) == 1
    assert soku_sandbox.stats()["requests"] == 2


@pytest.mark.soku_sandbox(limits={"posts": 1}, rate_limits=True)
def test_marker_configures_the_sandbox(soku_sandbox: soku.testing.Sandbox) -> None:
    with soku_sandbox.client(max_retries=0) as client:
        publish(client, "one")
        with pytest.raises(soku.RateLimitError):
            publish(client, "two")
    assert len(soku_sandbox.submissions()) == 1


def test_the_session_sandbox_is_shared(soku_sandbox_session: soku.testing.Sandbox) -> None:
    soku_sandbox_session.reset()
    with soku_sandbox_session.client() as client:
        publish(client, "session")
    assert len(soku_sandbox_session.submissions()) == 1
