"""A user's script, as someone who just ran `pip install soku-client` would write it: one post, a batch,
a key rotation. Run by test.sh against a sandbox (SOKU_BASE_URL, SOKU_API_KEY,
SOKU_FIREBASE_TOKEN, SOKU_DEFAULT_KEY_ID), from an installed wheel with no cargo on PATH, and
type-checked with ``mypy --strict``. Prints one line per step and exits non-zero on any failure.
"""

from __future__ import annotations

import os
import sys

import soku


def main() -> int:
    platforms: list[soku.Platform | soku.PlatformTarget] = ["x", {"platform": "instagram", "accountId": "ig_main"}]
    with soku.Client(firebase_token=os.environ["SOKU_FIREBASE_TOKEN"]) as client:
        sub = client.create_post(text="Hello from a wheel", platforms=platforms)
        print("create-post: %s (request %s, %d attempt)" % (sub.post_submission_id, sub.meta.request_id,
                                                           sub.meta.attempts))

        posts = [{"post": {"content": {"text": "batch %d" % i, "mediaType": "text", "platform": ["threads"]}}}
                 for i in range(3)]
        posts.append({"post": {"content": {"text": "bad", "mediaType": "text", "platform": ["instagram"]}}})
        report = client.publish_batch(posts)
        failed = [item for item in report.items if not item.ok]
        if report.summary.succeeded != 3 or len(failed) != 1 or failed[0].error is None:
            print("batch: unexpected report %r" % (report,), file=sys.stderr)
            return 1
        error: soku.SokuError = failed[0].error
        if not isinstance(error, soku.BadRequestError):
            print("batch: item 3 failed with %r, not a 400" % (error,), file=sys.stderr)
            return 1
        print("batch: %d succeeded, %d failed (%s)" % (report.summary.succeeded, report.summary.failed, error.code))

        rotated = client.rotate_api_key(os.environ["SOKU_DEFAULT_KEY_ID"], name="from the wheel")
        if not rotated.revoked or rotated.api_key in repr(rotated):
            print("rotation: old key not revoked, or the new key in repr", file=sys.stderr)
            return 1
        print("rotation: revoked %s, new key %s..." % (rotated.revoked_key_id, rotated.api_key[:12]))
    with soku.Client(api_key=rotated.api_key) as fresh:
        print("new key publishes: %s" % fresh.create_post(text="with the new key", platforms="x").post_submission_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
