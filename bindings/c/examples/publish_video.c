/*
 * publish_video.c: import a video from a public URL, then publish it to Instagram, TikTok and
 * YouTube (soku_posts_publish_with_media: upload, then post with the hosted URL).
 *
 *   SOKU_API_KEY=sk_live_... ./publish_video [https://example.com/videos/product-demo.mp4]
 */
#include "common.h"

int main(int argc, char **argv) {
    const char *source = argc > 1 ? argv[1] : "https://example.com/videos/product-demo.mp4";
    char request[4096];
    SokuClient *client = example_client();
    char *out = NULL;
    int32_t status;

    snprintf(request, sizeof request,
             "{\"sourceUrls\": [\"%s\"], \"post\": {"
             "\"text\": \"Watch our full product walkthrough\", \"mediaType\": \"video\", "
             "\"platform\": [{\"platform\": \"instagram\", \"accountId\": \"ig_main\"}, "
             "{\"platform\": \"tiktok\", \"accountId\": \"tt_brand\"}, \"youtube\"]}}",
             source);
    status = soku_posts_publish_with_media(client, request, NULL, &out);
    example_print_field(out, "data.media.0.url", "uploaded media");
    example_print_field(out, "data.post.postSubmissionId", "postSubmissionId");
    return example_finish(client, status, out);
}
