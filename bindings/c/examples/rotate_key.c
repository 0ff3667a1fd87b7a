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
    char request[1024], key[512];
    const char *old_key_id, *env = getenv("SOKU_PRINT_KEY");
    int print_key = env != NULL && strcmp(env, "1") == 0;
    SokuClient *client;
    char *out = NULL;
    int32_t status;
    int with_flag = argc == 3 && strcmp(argv[1], "--print-key") == 0;
    if (with_flag) print_key = 1;
    old_key_id = argc == 2 ? argv[1] : with_flag ? argv[2] : NULL;
    if (old_key_id == NULL || strchr(old_key_id, '"') || strchr(old_key_id, '\\')) {
        fprintf(stderr, "usage: rotate_key [--print-key] <old-key-id>\n");
        return 2;
    }
    client = example_client();
    snprintf(request, sizeof request,
             "{\"oldKeyId\": \"%s\", \"name\": \"rotated by rotate_key.c\", \"verify\": \"probe\"}",
             old_key_id);
    status = soku_api_keys_rotate(client, request, NULL, &out);
    if (json_str_copy(out, "data.apiKey", key, sizeof key)) {
        if (print_key) printf("new API key: %s\n", key);
        else printf("new API key: %.*s\xe2\x80\xa6 (run with --print-key to see all of it)\n",
                    KEY_PREVIEW_CHARS, key);
    }
    if (status != SOKU_OK) fprintf(stderr, "the old key was not revoked\n");
    else if (json_starts(out, "data.revoked", "true"))
        fprintf(stderr, "verified the new key; revoked the old one\n");
    else /* verified, but the revocation failed: both keys work; data.revokeError says why */
        fprintf(stderr, "verified the new key; revoking the old one FAILED, revoke it by hand\n");
    return example_finish(client, status, out);
}
