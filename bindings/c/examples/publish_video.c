/*
 * publish_video.c: import a video from a public URL, then publish it to Instagram, TikTok and
 * YouTube (soku_posts_publish_with_media: upload, then post with the hosted URL).
 *
 *   SOKU_API_KEY=sk_live_... ./publish_video [https://example.com/videos/product-demo.mp4]
 */
#include "common.h"

int main(int argc, char **argv) {
    const char *source = argc > 1 ? argv[1] : "https://example.com/videos/product-demo.mp4";
    const char *url, *id;
    int32_t status;
    SokuClient *client = example_client();
    json_t *result = example_call(
        soku_posts_publish_with_media, client,
        json_pack("{s:[s], s:{s:{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}, s]}}}", "sourceUrls",
                  source, "post", "content", "text", "Watch our full product walkthrough",
                  "mediaType", "video", "platform", "platform", "instagram", "accountId",
                  "ig_main", "platform", "tiktok", "accountId", "tt_brand", "youtube"),
        &status);
    /* data.media is one entry per source URL; the first one's hosted URL */
    if (json_unpack(result, "{s:{s:[{s:s}]}}", "data", "media", "url", &url) == 0)
        printf("uploaded media: %s\n", url);
    if (json_unpack(result, "{s:{s:{s:s}}}", "data", "post", "postSubmissionId", &id) == 0)
        printf("postSubmissionId: %s\n", id);
    return example_finish(client, status, result);
}
