/*
 * publish_text.c: publish a text post to X and Threads.
 *
 * Reads SOKU_API_KEY and SOKU_BASE_URL from the environment (the library's fallback for absent
 * config keys). Prints the postSubmissionId, or the error code and request id.
 *
 *   SOKU_API_KEY=sk_live_... ./publish_text "Hello from C"
 */
#include "soku.h"

#include <stdio.h>

#include "json_check.h"

int main(int argc, char **argv) {
    const char *text = argc > 1 ? argv[1] : "Hello from the soku C example";
    char request[4096], value[256];
    SokuClient *client = NULL;
    char *out = NULL;
    int32_t status;

    /* "{}": apiKey and baseUrl come from SOKU_API_KEY and SOKU_BASE_URL */
    status = soku_client_new("{}", &client, &out);
    if (status != SOKU_OK) {
        fprintf(stderr, "could not create client (%s): ", soku_status_str(status));
        if (json_str_copy(out, "error.message", value, sizeof value)) fprintf(stderr, "%s", value);
        fprintf(stderr, "\n");
        soku_string_free(out);
        return 1;
    }
    soku_string_free(out);

    /* text is inserted verbatim: keep it free of quotes and backslashes in this example */
    snprintf(request, sizeof request,
             "{\"post\": {\"content\": {\"text\": \"%s\", \"platform\": [\"x\", \"threads\"]}}}",
             text);
    status = soku_posts_create(client, request, NULL, &out);
    if (status == SOKU_OK && json_str_copy(out, "data.postSubmissionId", value, sizeof value)) {
        printf("postSubmissionId: %s\n", value);
    } else {
        char request_id[256] = "none";
        if (!json_str_copy(out, "error.code", value, sizeof value))
            snprintf(value, sizeof value, "%s", soku_status_str(status));
        json_str_copy(out, "error.requestId", request_id, sizeof request_id);
        fprintf(stderr, "error: %s (request %s)\n", value, request_id);
    }
    soku_string_free(out);
    soku_client_free(client);
    return status == SOKU_OK ? 0 : 1;
}
