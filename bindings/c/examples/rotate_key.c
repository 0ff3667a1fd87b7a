/*
 * rotate_key.c: rotate an API key (soku_api_keys_rotate): create a new key, verify it with a
 * request that publishes nothing, and only then revoke the old key.
 *
 * Needs SOKU_FIREBASE_TOKEN (the api-key endpoints use a Firebase ID token) and the id of the
 * key to replace, as listed by soku_api_keys_list. By default prints only a preview of the new
 * key ("new API key: sk_live_1a2b…"), so it never lands in a terminal log by accident; with
 * --print-key (or SOKU_PRINT_KEY=1) prints the whole key ("new API key: <key>"): store it, the
 * server never shows it again.
 *
 *   SOKU_FIREBASE_TOKEN=... ./rotate_key [--print-key] key_123
 */
#include <string.h>

#include "common.h"

/* How many leading characters of the new key the default output shows. */
#define KEY_PREVIEW_CHARS 12

int main(int argc, char **argv) {
    const char *old_key_id, *key, *env = getenv("SOKU_PRINT_KEY");
    int print_key = env != NULL && strcmp(env, "1") == 0;
    int with_flag = argc == 3 && strcmp(argv[1], "--print-key") == 0;
    int32_t status;
    SokuClient *client;
    json_t *result, *data;

    if (with_flag) print_key = 1;
    old_key_id = argc == 2 ? argv[1] : with_flag ? argv[2] : NULL;
    if (old_key_id == NULL) {
        fprintf(stderr, "usage: rotate_key [--print-key] <old-key-id>\n");
        return 2;
    }
    client = example_client();
    result = example_call(soku_api_keys_rotate, client,
                          json_pack("{s:s, s:s, s:s}", "oldKeyId", old_key_id, "name",
                                    "rotated by rotate_key.c", "verify", "probe"),
                          &status);
    data = json_object_get(result, "data");
    key = json_string_value(json_object_get(data, "apiKey"));
    if (key) {
        if (print_key) printf("new API key: %s\n", key);
        else printf("new API key: %.*s\xe2\x80\xa6 (run with --print-key to see all of it)\n",
                    KEY_PREVIEW_CHARS, key);
    }
    if (status != SOKU_OK) fprintf(stderr, "the old key was not revoked\n");
    else if (json_is_true(json_object_get(data, "revoked")))
        fprintf(stderr, "verified the new key; revoked the old one\n");
    else /* verified, but the revocation failed: both keys work; data.revokeError says why */
        fprintf(stderr, "verified the new key; revoking the old one FAILED, revoke it by hand\n");
    return example_finish(client, status, result);
}
