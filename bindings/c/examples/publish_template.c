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
    SokuClient *client = example_client();
    char *out = NULL;
    int32_t status = soku_posts_publish_with_template(client, request, NULL, &out);
    example_print_field(out, "data.template.url", "rendered image");
    example_print_field(out, "data.post.postSubmissionId", "postSubmissionId");
    return example_finish(client, status, out);
}
