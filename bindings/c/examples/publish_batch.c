/*
 * publish_batch.c: publish a week of posts one after another (soku_posts_publish_batch), paced
 * by the rate-limit headers; a failed post does not stop the batch.
 *
 *   SOKU_API_KEY=sk_live_... ./publish_batch
 */
#include "common.h"

int main(void) {
    const char *request =
        "{\"posts\": ["
        "{\"post\": {\"content\": {\"text\": \"Monday motivation: consistency beats perfection.\","
        " \"platform\": [\"threads\", \"x\"]}}},"
        "{\"post\": {\"content\": {\"text\": \"Tuesday tip: automate what you repeat.\","
        " \"platform\": [\"threads\", \"x\"]}}},"
        "{\"post\": {\"content\": {\"text\": \"Wednesday wisdom: ship, then polish.\","
        " \"platform\": [\"threads\", \"linkedin\"]}}}]}";
    char path[64], value[256];
    long total = 0, failed = 0, i;
    SokuClient *client = example_client();
    char *out = NULL;
    int32_t status = soku_posts_publish_batch(client, request, NULL, &out);
    if (status != SOKU_OK) {
        example_print_error(status, out); /* the input itself was rejected */
        soku_string_free(out);
        soku_client_free(client);
        return 1;
    }
    for (i = 0;; i++) {
        snprintf(path, sizeof path, "data.results.%ld", i);
        if (!json_get(out, path)) break;
        snprintf(path, sizeof path, "data.results.%ld.postSubmissionId", i);
        if (json_str_copy(out, path, value, sizeof value)) {
            printf("#%ld published: %s\n", i, value);
        } else {
            snprintf(path, sizeof path, "data.results.%ld.error.code", i);
            if (!json_str_copy(out, path, value, sizeof value)) snprintf(value, sizeof value, "?");
            printf("#%ld failed: %s\n", i, value);
            failed++;
        }
        total++;
    }
    printf("%ld succeeded, %ld failed\n", total - failed, failed);
    soku_string_free(out);
    soku_client_free(client);
    return failed == 0 ? 0 : 1;
}
