/*
 * rotate_key.c: rotate an API key (soku_api_keys_rotate): create a new key, verify it with a
 * request that publishes nothing, and only then revoke the old key.
 *
 * Needs SOKU_FIREBASE_TOKEN (the api-key endpoints use a Firebase ID token) and the id of the
 * key to replace, as listed by soku_api_keys_list. Prints SOKU_API_KEY=<new key> on stdout:
 * store it, the server never shows it again.
 *
 *   SOKU_FIREBASE_TOKEN=... ./rotate_key key_123
 */
#include <string.h>

#include "common.h"

int main(int argc, char **argv) {
    char request[1024], value[512];
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
    if (status == SOKU_OK) {
        if (json_str_copy(out, "data.apiKey", value, sizeof value)) printf("SOKU_API_KEY=%s\n", value);
        if (json_str_copy(out, "data.revokedKeyId", value, sizeof value))
            fprintf(stderr, "verified the new key; revoked %s\n", value);
    } else {
        example_print_error(status, out);
        fprintf(stderr, "the old key was not revoked\n");
    }
    soku_string_free(out);
    soku_client_free(client);
    return status == SOKU_OK ? 0 : 1;
}
