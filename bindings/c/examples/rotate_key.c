/*
 * rotate_key.c: rotate an API key (soku_api_keys_rotate): create a new key, verify it with a
 * request that publishes nothing, and only then revoke the old key.
 *
 * Needs SOKU_FIREBASE_TOKEN (the api-key endpoints use a Firebase ID token) and the id of the
 * key to replace, as listed by soku_api_keys_list. Prints "new API key: <key>" on stdout:
 * store it, the server never shows it again.
 *
 *   SOKU_FIREBASE_TOKEN=... ./rotate_key key_123
 */
#include <string.h>

#include "common.h"

int main(int argc, char **argv) {
    char request[1024];
    SokuClient *client;
    char *out = NULL;
    int32_t status;
    if (argc < 2 || strchr(argv[1], '"') || strchr(argv[1], '\\')) {
        fprintf(stderr, "usage: rotate_key <old-key-id>\n");
        return 2;
    }
    client = example_client();
    snprintf(request, sizeof request,
             "{\"oldKeyId\": \"%s\", \"name\": \"rotated by rotate_key.c\", \"verify\": \"probe\"}",
             argv[1]);
    status = soku_api_keys_rotate(client, request, NULL, &out);
    example_print_field(out, "data.apiKey", "new API key");
    if (status == SOKU_OK) fprintf(stderr, "verified the new key; revoked the old one\n");
    else fprintf(stderr, "the old key was not revoked\n");
    return example_finish(client, status, out);
}
