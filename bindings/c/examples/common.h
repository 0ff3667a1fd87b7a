/*
 * common.h: the two things every soku C example does, kept in one place:
 * make a client from the environment, and print an error's code and request id.
 */
#ifndef SOKU_EXAMPLE_COMMON_H
#define SOKU_EXAMPLE_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#include "json_check.h"
#include "soku.h"

/* Prints "error: <code or kind> (request <id>)" and the message, from an error JSON. */
static inline void example_print_error(int32_t status, const char *out) {
    char code[128], request_id[128] = "none", message[512] = "";
    if (!json_str_copy(out, "error.code", code, sizeof code))
        snprintf(code, sizeof code, "%s", soku_status_str(status));
    json_str_copy(out, "error.requestId", request_id, sizeof request_id);
    json_str_copy(out, "error.message", message, sizeof message);
    fprintf(stderr, "error: %s (request %s)\n", code, request_id);
    if (*message) fprintf(stderr, "  %s\n", message);
}

/*
 * A client configured from the environment: "{}" leaves apiKey, baseUrl and firebaseToken to
 * SOKU_API_KEY, SOKU_BASE_URL and SOKU_FIREBASE_TOKEN. Exits on failure.
 */
static inline SokuClient *example_client(void) {
    SokuClient *client = NULL;
    char *out = NULL;
    int32_t status = soku_client_new("{}", &client, &out);
    if (status != SOKU_OK) {
        example_print_error(status, out);
        soku_string_free(out);
        exit(1);
    }
    soku_string_free(out);
    return client;
}

#endif
