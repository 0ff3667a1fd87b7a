"""Publish a text post to several platforms.

    SOKU_API_KEY=sk_live_... [SOKU_BASE_URL=...] python text.py
"""

import sys

import soku


def main() -> int:
    with soku.Client() as client:  # SOKU_API_KEY, SOKU_BASE_URL
        try:
            result = client.create_post(
                {
                    "post": {
                        "content": {
                            "text": "Just shipped our biggest update yet. More details coming soon.",
                            "mediaType": "text",
                            "platform": ["threads", "x", "linkedin"],
                        }
                    }
                }
            )
        except soku.SokuError as err:
            print("error: %s" % err, file=sys.stderr)
            return 1
        print("Post submitted: %s" % result.post_submission_id)
        rl = result.meta.rate_limit
        print("request %s, rate limit %s/%s remaining" % (result.meta.request_id, rl.remaining, rl.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
