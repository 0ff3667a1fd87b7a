/*
 * publish_video.c: import a video from a public URL, then publish it to Instagram, TikTok and
 * YouTube (soku_posts_publish_with_media: upload, then post with the hosted URL).
 *
 *   SOKU_API_KEY=sk_live_... ./publish_video [https://example.com/videos/product-demo.mp4]
 */
#include "common.h"

int main(int argc, char **argv) {
    const char *source = argc > 1 ? argv[1] : "https://example.com/videos/product-demo.mp4";
    char request[4096], value[512];
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
    if (status == SOKU_OK) {
        if (json_str_copy(out, "data.media.0.url", value, sizeof value))
            printf("uploaded media: %s\n", value);
        if (json_str_copy(out, "data.post.postSubmissionId", value, sizeof value))
            printf("postSubmissionId: %s\n", value);
    } else {
        example_print_error(status, out);
    }
    soku_string_free(out);
    soku_client_free(client);
    return status == SOKU_OK ? 0 : 1;
}
