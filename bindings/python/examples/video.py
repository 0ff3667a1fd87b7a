"""Upload a video from a public URL, then publish it.

    SOKU_API_KEY=sk_live_... [SOKU_BASE_URL=...] python video.py [SOURCE_URL]

The same in one call: ``client.publish_with_media(source_urls=[url], post={"content": {...}})``.
"""

import sys

import soku


def main() -> int:
    source = sys.argv[1] if len(sys.argv) > 1 else "https://example.com/videos/product-demo.mp4"
    with soku.Client() as client:
        try:
            media = client.upload_media(source)
            print("Uploaded media: %s" % media.url)
            result = client.create_post(
                {
                    "post": {
                        "content": {
                            "text": "Watch our full product walkthrough",
                            "mediaType": "video",
                            "videoUrl": media.url,
                            "platform": [
                                {"platform": "instagram", "accountId": "ig_main"},
                                {"platform": "tiktok", "accountId": "tt_brand"},
                                "youtube",
                            ],
                        }
                    }
                }
            )
        except soku.BadRequestError as err:
            print("rejected (%s): %s [request %s]" % (err.code, err.message, err.request_id), file=sys.stderr)
            return 1
        except soku.SokuError as err:
            print("error: %s" % err, file=sys.stderr)
            return 1
        print("Post submitted: %s" % result.post_submission_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
