/*
 * publish_template.c: render the tweetImage template, then publish the image to X and LinkedIn
 * (soku_posts_publish_with_template).
 *
 *   SOKU_API_KEY=sk_live_... ./publish_template
 */
#include "common.h"

int main(void) {
    const char *url, *id;
    int32_t status;
    SokuClient *client = example_client();
    json_t *result = example_call(
        soku_posts_publish_with_template, client,
        json_pack("{s:{s:s, s:{s:s, s:s, s:s}}, s:{s:{s:s, s:[s, s]}}}", "template",
                  "templateSlug", "tweetImage", "config", "title",
                  "5 Lessons From Building in Public", "author", "Soku Team", "theme", "dark",
                  "post", "content", "text", "5 Lessons From Building in Public - a thread.",
                  "platform", "x", "linkedin"),
        &status);
    if (json_unpack(result, "{s:{s:{s:s}}}", "data", "template", "url", &url) == 0)
        printf("rendered image: %s\n", url);
    if (json_unpack(result, "{s:{s:{s:s}}}", "data", "post", "postSubmissionId", &id) == 0)
        printf("postSubmissionId: %s\n", id);
    return example_finish(client, status, result);
}
