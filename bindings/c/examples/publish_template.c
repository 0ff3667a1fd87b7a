/*
 * publish_template.c: render the tweetImage template, then publish the image to X and LinkedIn
 * (soku_posts_publish_with_template).
 *
 *   SOKU_API_KEY=sk_live_... ./publish_template
 */
#include "common.h"

int main(void) {
    const char *request =
        "{\"template\": {\"templateSlug\": \"tweetImage\", \"config\": {"
        "\"title\": \"5 Lessons From Building in Public\", \"author\": \"Soku Team\", "
        "\"theme\": \"dark\"}},"
        " \"post\": {\"text\": \"5 Lessons From Building in Public - a thread.\", "
        "\"platform\": [\"x\", \"linkedin\"]}}";
    char value[512];
    SokuClient *client = example_client();
    char *out = NULL;
    int32_t status = soku_posts_publish_with_template(client, request, NULL, &out);
    if (status == SOKU_OK) {
        if (json_str_copy(out, "data.template.url", value, sizeof value))
            printf("rendered image: %s\n", value);
        if (json_str_copy(out, "data.post.postSubmissionId", value, sizeof value))
            printf("postSubmissionId: %s\n", value);
    } else {
        example_print_error(status, out);
    }
    soku_string_free(out);
    soku_client_free(client);
    return status == SOKU_OK ? 0 : 1;
}
