/*
 * publish_text.c: publish a text post to X and Threads.
 *
 * Reads SOKU_API_KEY and SOKU_BASE_URL from the environment. Prints the postSubmissionId, or
 * the error code and request id. The text may contain any character: jansson escapes it.
 *
 *   SOKU_API_KEY=sk_live_... ./publish_text "Hello from C"
 */
#include "common.h"

int main(int argc, char **argv) {
    const char *text = argc > 1 ? argv[1] : "Hello from the soku C example";
    const char *id;
    int32_t status;
    SokuClient *client = example_client();
    json_t *result = example_call(
        soku_posts_create, client,
        json_pack("{s:{s:{s:s, s:[s, s]}}}", "post", "content", "text", text, "platform", "x",
                  "threads"),
        &status);
    if (json_unpack(result, "{s:{s:s}}", "data", "postSubmissionId", &id) == 0)
        printf("postSubmissionId: %s\n", id);
    return example_finish(client, status, result);
}
