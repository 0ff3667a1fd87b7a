/*
 * publish_text.c: publish a text post to X and Threads.
 *
 * Reads SOKU_API_KEY and SOKU_BASE_URL from the environment. Prints the postSubmissionId, or
 * the error code and request id.
 *
 *   SOKU_API_KEY=sk_live_... ./publish_text "Hello from C"
 */
#include "common.h"

int main(int argc, char **argv) {
    const char *text = argc > 1 ? argv[1] : "Hello from the soku C example";
    char request[4096];
    SokuClient *client = example_client();
    char *out = NULL;
    int32_t status;

    /* the text is inserted verbatim: keep it free of quotes and backslashes in this example */
    snprintf(request, sizeof request,
             "{\"post\": {\"content\": {\"text\": \"%s\", \"platform\": [\"x\", \"threads\"]}}}",
             text);
    status = soku_posts_create(client, request, NULL, &out);
    example_print_field(out, "data.postSubmissionId", "postSubmissionId");
    return example_finish(client, status, out);
}
