"""Publish several posts one after the other, paced by the rate limits.

    SOKU_API_KEY=sk_live_... [SOKU_BASE_URL=...] python batch.py

Exits 1 if any post failed.
"""

import sys
from datetime import datetime, timedelta, timezone

import soku

TEXTS = [
    "Monday motivation: consistency beats perfection.",
    "Tuesday tip: automate what you repeat.",
    "Wednesday wisdom: ship it, then improve.",
]


def at_nine(days_ahead: int) -> str:
    day = datetime.now(timezone.utc).date() + timedelta(days=days_ahead)
    return "%sT09:00:00.000Z" % day.isoformat()


def main() -> int:
    posts = [
        {
            "post": {"content": {"text": text, "mediaType": "text", "platform": ["threads", "x"]}},
            "scheduledTime": at_nine(i + 1),
        }
        for i, text in enumerate(TEXTS)
    ]
    with soku.Client() as client:
        try:
            report = client.publish_batch(posts)
        except soku.SokuError as err:
            print("error: %s" % err, file=sys.stderr)
            return 1
    for item in report.items:
        if item.ok:
            print("Published: %s" % item.post_submission_id)
            continue
        failure = item.error
        if failure is None:
            print("Failed: item %d" % item.index)
        elif failure.code == "missing_integrations":
            print("Failed: connect the required platforms in Settings > Integrations (%s)" % failure)
        elif failure.code == "insufficient_credits":
            print("Failed: purchase more credits at Account > Credits (%s)" % failure)
        else:
            print("Failed: %s" % failure)
    summary = report.summary
    print("Batch complete: %d succeeded, %d failed" % (summary.succeeded, summary.failed))
    return 1 if summary.failed else 0


if __name__ == "__main__":
    sys.exit(main())
