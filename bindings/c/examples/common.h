/*
 * common.h: what every soku C example does, kept in one place: make a client from the
 * environment, call an operation with a request built by jansson, parse the result with jansson,
 * print an error's code and request id.
 *
 * Requests are built with json_pack, which escapes every string (quotes, backslashes, control
 * characters) and rejects invalid UTF-8, so user input can go into a request as is. Results are
 * read with json_unpack / json_object_get on the parsed result.
 */
#ifndef SOKU_EXAMPLE_COMMON_H
#define SOKU_EXAMPLE_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>
#include <soku.h>

/* The shape of every soku operation. */
typedef int32_t (*example_operation)(const SokuClient *, const char *, const char *, char **);

/* Prints "error: <code, else kind> (request <id>)" and the message, from a parsed error result. */
static inline void example_print_error(int32_t status, const json_t *result) {
    const json_t *error = json_object_get(result, "error");
    const char *code = json_string_value(json_object_get(error, "code"));
    const char *kind = json_string_value(json_object_get(error, "kind"));
    const char *request_id = json_string_value(json_object_get(error, "requestId"));
    const char *message = json_string_value(json_object_get(error, "message"));
    fprintf(stderr, "error: %s (request %s)\n", code ? code : kind ? kind : soku_status_str(status),
            request_id ? request_id : "none");
    if (message) fprintf(stderr, "  %s\n", message);
}

/* Parses a result JSON from the library and frees the string; exits if it is not JSON. */
static inline json_t *example_parse(char *out) {
    json_error_t error;
    json_t *result = out ? json_loads(out, 0, &error) : NULL;
    soku_string_free(out);
    if (!result) {
        fprintf(stderr, "error: the library returned no JSON result\n");
        exit(1);
    }
    return result;
}

/*
 * A client configured from the environment: "{}" leaves apiKey, baseUrl and firebaseToken to
 * SOKU_API_KEY, SOKU_BASE_URL and SOKU_FIREBASE_TOKEN. Exits on failure.
 */
static inline SokuClient *example_client(void) {
    SokuClient *client = NULL;
    char *out = NULL;
    int32_t status = soku_client_new("{}", &client, &out);
    json_t *result = example_parse(out);
    if (status != SOKU_OK) {
        example_print_error(status, result);
        exit(1);
    }
    json_decref(result);
    return client;
}

/*
 * Calls `operation` with `request` (a new reference from json_pack, taken over: NULL means
 * json_pack refused the input, e.g. invalid UTF-8) and no call options. Stores the status and
 * returns the parsed result ({"data", "meta"} or {"error", "meta"}); release it with json_decref.
 */
static inline json_t *example_call(example_operation operation, const SokuClient *client,
                                   json_t *request, int32_t *status) {
    char *request_json, *out = NULL;
    if (!request) {
        fprintf(stderr, "error: could not build the request (is the input valid UTF-8?)\n");
        exit(2);
    }
    request_json = json_dumps(request, JSON_COMPACT);
    json_decref(request);
    if (!request_json) {
        fprintf(stderr, "error: out of memory\n");
        exit(1);
    }
    *status = operation(client, request_json, NULL, &out);
    free(request_json); /* json_dumps's string is freed with free() */
    return example_parse(out);
}

/* The end of every example: report an error, release the result and the client, exit code. */
static inline int example_finish(SokuClient *client, int32_t status, json_t *result) {
    if (status != SOKU_OK) example_print_error(status, result);
    json_decref(result);
    soku_client_free(client);
    return status == SOKU_OK ? 0 : 1;
}

#endif
