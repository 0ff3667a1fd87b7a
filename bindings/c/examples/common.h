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

/* Prints "<label>: <string at path>" if the JSON has a string there. */
static inline void example_print_field(const char *out, const char *path, const char *label) {
    char value[512];
    if (json_str_copy(out, path, value, sizeof value)) printf("%s: %s\n", label, value);
}

/* The end of every example: report an error, free the JSON and the client, give the exit code. */
static inline int example_finish(SokuClient *client, int32_t status, char *out) {
    if (status != SOKU_OK) example_print_error(status, out);
    soku_string_free(out);
    soku_client_free(client);
    return status == SOKU_OK ? 0 : 1;
}

#endif
