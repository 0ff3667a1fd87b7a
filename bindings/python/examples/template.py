"""Render the tweetImage template, then publish it as an image post.

    SOKU_API_KEY=sk_live_... [SOKU_BASE_URL=...] python template.py
"""

import sys

import soku


def main() -> int:
    with soku.Client() as client:
        try:
            result = client.publish_with_template(
                template={
                    "templateSlug": "tweetImage",
                    "config": {
                        "title": "5 Lessons From Building in Public",
                        "author": "Soku Team",
                        "theme": "dark",
                    },
                },
                post={
                    "content": {
                        "text": "5 Lessons From Building in Public \u2014 a thread.",
                        "mediaType": "image",
                        "platform": ["x", "linkedin"],
                    }
                },
            )
        except soku.SokuError as err:
            print("error: %s" % err, file=sys.stderr)
            return 1
        print("Rendered image: %s" % result.template.url)
        print("Post submitted: %s" % result.post.post_submission_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
