/*
 * test_soku.c: C integration tests of the soku C ABI, run against the sandbox.
 *
 * Environment (set by bindings/c/test.sh from the sandbox's printed lines):
 *   SOKU_BASE_URL, SOKU_API_KEY, SOKU_FIREBASE_TOKEN, SOKU_INACTIVE_API_KEY.
 * Usage: test_soku [all | retry429 | faults]
 *   all       every operation's success path, API errors, invalid arguments, threads
 *   retry429  expects test.sh to have queued one 429 (with retryAfter) for /v1/posts
 *   faults    expects test.sh to have queued: an HTML 200 for /v1/templates, a 2 s delay for
 *             /v1/media, three 500s for /v1/ai/transcribe
 */
#define _POSIX_C_SOURCE 200809L /* setenv, unsetenv, pthreads */

#include "soku.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json_check.h"

typedef int32_t (*soku_op)(const SokuClient *, const char *, const char *, char **);

static const char *base_url, *api_key, *firebase_token, *inactive_key;
static char config[2048];
static SokuClient *client;

/* A copy of a required environment variable (the tests later change the environment). */
static const char *env(const char *name) {
    const char *v = getenv(name);
    char *copy;
    if (!v || !*v) {
        fprintf(stderr, "test_soku: %s is not set (run bindings/c/test.sh)\n", name);
        exit(2);
    }
    copy = strdup(v);
    if (!copy) exit(2);
    return copy;
}

/* Builds a client config for the sandbox with the given API key. */
static void make_config(char *buf, size_t size, const char *key) {
    snprintf(buf, size,
             "{\"baseUrl\": \"%s\", \"apiKey\": \"%s\", \"firebaseToken\": \"%s\", "
             "\"maxRetries\": 2, \"backoffBaseMs\": 1, \"maxRetryWaitMs\": 50, "
             "\"timeoutMs\": 10000}",
             base_url, key, firebase_token);
}

static SokuClient *new_client(const char *cfg) {
    SokuClient *c = NULL;
    char *out = NULL;
    int32_t status = soku_client_new(cfg, &c, &out);
    CHECK_J(status == SOKU_OK && c != NULL, out);
    soku_string_free(out);
    return c;
}

/* Runs an operation; the caller frees the returned JSON with soku_string_free. */
static char *call(soku_op op, const SokuClient *c, const char *req, const char *opts,
                  int32_t *status) {
    char *out = NULL;
    *status = op(c, req, opts, &out);
    CHECK(out != NULL);
    CHECK_J(json_valid(out), out);
    return out;
}

/* What meta.idempotencyKey must be: a key was sent (a non-empty string), or none was (JSON
   null). A present-but-null key must not pass for a sent one. */
enum key_sent { KEYED, UNKEYED };

/* Asserts the documented success shape: data + a full meta object, with the key as stated. */
static void check_success(int32_t status, const char *out, enum key_sent key) {
    long attempts = 0;
    CHECK_J(status == SOKU_OK, out);
    CHECK_J(json_get(out, "data") != NULL, out);
    CHECK_J(json_int(out, "meta.attempts", &attempts) && attempts >= 1, out);
    CHECK_J(json_is_nonempty_string(out, "meta.requestId"), out);
    CHECK_J(json_get(out, "meta.rateLimit.remaining") != NULL, out);
    if (key == KEYED) {
        CHECK_J(json_is_nonempty_string(out, "meta.idempotencyKey"), out);
    } else {
        CHECK_J(json_starts(out, "meta.idempotencyKey", "null"), out);
    }
    CHECK_J(json_get(out, "error") == NULL, out);
}

/* Asserts the documented error shape with the given kind, and that status matches it. */
static void check_error(int32_t status, const char *out, int32_t expected, const char *kind) {
    CHECK_J(status == expected, out);
    CHECK_J(json_str_is(out, "error.kind", kind), out);
    CHECK(strcmp(soku_status_str(status), kind) == 0);
    CHECK_J(json_is_nonempty_string(out, "error.message"), out);
    CHECK_J(json_get(out, "error.status") && json_get(out, "error.code") &&
                json_get(out, "error.requestId") && json_get(out, "error.details") &&
                json_get(out, "error.retryAfter") && json_get(out, "meta"),
            out);
    CHECK_J(json_get(out, "data") == NULL, out);
}

static const char *TEXT_POST =
    "{\"post\": {\"content\": {\"text\": \"hello from C\", \"platform\": [\"x\", \"threads\"]}}}";

/* ---- lifecycle ---------------------------------------------------------------------------- */

static void test_version_and_status_names(void) {
    char expected[32];
    CHECK(strcmp(soku_version(), SOKU_VERSION_STRING) == 0);
    snprintf(expected, sizeof expected, "%d.%d.%d", SOKU_VERSION_MAJOR, SOKU_VERSION_MINOR,
             SOKU_VERSION_PATCH);
    CHECK(strcmp(soku_version(), expected) == 0);
    CHECK(strcmp(soku_status_str(SOKU_OK), "ok") == 0);
    CHECK(strcmp(soku_status_str(SOKU_ERR_INVALID_ARGUMENT), "invalid_argument") == 0);
    CHECK(strcmp(soku_status_str(SOKU_ERR_CONFIG), "config") == 0);
    CHECK(strcmp(soku_status_str(SOKU_ERR_API), "api") == 0);
    CHECK(strcmp(soku_status_str(SOKU_ERR_TRANSPORT), "transport") == 0);
    CHECK(strcmp(soku_status_str(SOKU_ERR_TIMEOUT), "timeout") == 0);
    CHECK(strcmp(soku_status_str(SOKU_ERR_DECODE), "decode") == 0);
    CHECK(strcmp(soku_status_str(SOKU_ERR_PANIC), "panic") == 0);
    CHECK(strcmp(soku_status_str(-8), "unknown") == 0);
    CHECK(strcmp(soku_status_str(1), "unknown") == 0);
}

static void test_client_new_reports_base_url(void) {
    SokuClient *c = NULL;
    char *out = NULL;
    CHECK(soku_client_new(config, &c, &out) == SOKU_OK);
    CHECK_J(json_str_is(out, "data.baseUrl", base_url), out);
    CHECK_J(json_str_is(out, "data.version", soku_version()), out);
    CHECK_J(json_starts(out, "meta", "null"), out);
    soku_string_free(out);
    soku_client_free(c);
}

static void test_client_new_rejects_bad_config(void) {
    static const char *bad[] = {
        "{\"apiKey\": \"sk_live_x\", \"colour\": \"blue\"}", /* unknown key */
        "{\"timeoutMs\": \"fast\"}",                         /* wrong type */
        "{\"maxRetries\": -1}",                              /* out of range */
        "{\"allowInsecureHttp\": 1}",                        /* wrong type */
        "{\"apiKey\": ",                                     /* malformed */
        "[]",                                                /* not an object */
        "{\"apiKey\": \"\xff\xfe\"}",                        /* invalid UTF-8 */
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        SokuClient *c = (SokuClient *)&i; /* must be overwritten with NULL */
        char *out = NULL;
        int32_t status = soku_client_new(bad[i], &c, &out);
        check_error(status, out, SOKU_ERR_INVALID_ARGUMENT, "invalid_argument");
        CHECK(c == NULL);
        soku_string_free(out);
    }
}

static void test_client_new_config_error(void) {
    /* plain http to a non-loopback host is refused unless allowInsecureHttp */
    SokuClient *c = NULL;
    char *out = NULL;
    int32_t status =
        soku_client_new("{\"apiKey\": \"sk_live_x\", \"baseUrl\": \"http://example.com\"}", &c,
                        &out);
    check_error(status, out, SOKU_ERR_CONFIG, "config");
    CHECK(c == NULL);
    /* the message names the C config key to fix, the param the key at fault */
    CHECK_J(json_str_is(out, "error.message",
                        "invalid base url: plain http:// is only allowed for loopback hosts "
                        "(use https:// or \\\"allowInsecureHttp\\\": true)"),
            out);
    CHECK_J(json_str_is(out, "error.param", "baseUrl"), out);
    soku_string_free(out);
    /* a socks proxy is a config error naming the "proxy" key */
    status = soku_client_new("{\"proxy\": \"socks5://127.0.0.1:1080\"}", &c, &out);
    check_error(status, out, SOKU_ERR_CONFIG, "config");
    CHECK_J(json_str_is(out, "error.param", "proxy"), out);
    CHECK_J(json_str_is(out, "error.message",
                        "socks proxies are not supported: use an http:// or https:// proxy url "
                        "(config key \\\"proxy\\\")"),
            out);
    soku_string_free(out);
}

static void test_client_new_null_pointers(void) {
    SokuClient *c = NULL;
    char *out = NULL;
    CHECK(soku_client_new(config, &c, NULL) == SOKU_ERR_INVALID_ARGUMENT);
    CHECK(c == NULL);
    CHECK(soku_client_new(config, NULL, &out) == SOKU_ERR_INVALID_ARGUMENT);
    CHECK_J(json_str_is(out, "error.kind", "invalid_argument"), out);
    soku_string_free(out);
    soku_client_free(NULL);
    soku_string_free(NULL);
}

static void test_config_falls_back_to_environment(void) {
    /* SOKU_API_KEY and SOKU_BASE_URL come from the environment */
    SokuClient *c = new_client("{\"maxRetries\": 0}");
    int32_t status;
    char *out = call(soku_posts_create, c, TEXT_POST, NULL, &status);
    check_success(status, out, KEYED);
    soku_string_free(out);
    soku_client_free(c);
}

/* ---- every operation's success path ------------------------------------------------------- */

static void test_posts_create(void) {
    int32_t status;
    char *out = call(soku_posts_create, client, TEXT_POST, NULL, &status);
    check_success(status, out, KEYED);
    CHECK_J(json_is_nonempty_string(out, "data.postSubmissionId"), out);
    CHECK_J(json_is_nonempty_string(out, "meta.idempotencyKey"), out);
    CHECK_J(json_int_is(out, "meta.attempts", 1), out);
    CHECK_J(json_str_is(out, "meta.rateLimit.tier", "sandbox"), out);
    soku_string_free(out);
}

static void test_posts_create_with_options(void) {
    int32_t status;
    char *out = call(soku_posts_create, client, TEXT_POST,
                     "{\"idempotencyKey\": \"c-test-key-1\", \"maxRetries\": 0, "
                     "\"timeoutMs\": 5000}",
                     &status);
    check_success(status, out, KEYED);
    CHECK_J(json_str_is(out, "meta.idempotencyKey", "c-test-key-1"), out);
    soku_string_free(out);
}

static void test_posts_create_account_target(void) {
    int32_t status;
    char *out = call(soku_posts_create, client,
                     "{\"post\": {\"content\": {\"text\": \"targeted\", \"mediaType\": \"image\", "
                     "\"imageUrls\": [\"https://example.com/a.png\"], \"platform\": "
                     "[{\"platform\": \"instagram\", \"accountId\": \"ig_main\"}]}}}",
                     NULL, &status);
    check_success(status, out, KEYED);
    CHECK_J(json_is_nonempty_string(out, "data.postSubmissionId"), out);
    soku_string_free(out);
}

static void test_media_upload(void) {
    int32_t status;
    char *out = call(soku_media_upload, client, "{\"url\": \"https://example.com/cat.png\"}",
                     NULL, &status);
    check_success(status, out, KEYED);
    CHECK_J(json_is_nonempty_string(out, "data.url"), out);
    soku_string_free(out);
}

static void test_templates_render(void) {
    int32_t status;
    char *out = call(soku_templates_render, client,
                     "{\"templateSlug\": \"tweetImage\", \"aspectRatio\": \"1:1\", "
                     "\"config\": {\"title\": \"Hello\", \"author\": \"C\"}}",
                     NULL, &status);
    check_success(status, out, UNKEYED);
    CHECK_J(json_is_nonempty_string(out, "data.url"), out);
    soku_string_free(out);
}

static void test_ai_transcribe(void) {
    int32_t status;
    char *out = call(soku_ai_transcribe, client,
                     "{\"mediaId\": \"media_123\", \"language\": \"en\", \"durationSeconds\": 30}",
                     NULL, &status);
    check_success(status, out, KEYED);
    CHECK_J(json_is_nonempty_string(out, "data.jobId"), out);
    soku_string_free(out);
}

static void test_api_keys_create_list_revoke(void) {
    int32_t status;
    char id[256];
    char request[512];
    char *out = call(soku_api_keys_create, client, "{\"name\": \"c-test\"}", NULL, &status);
    check_success(status, out, UNKEYED);
    CHECK_J(json_get(out, "data.apiKey") && strncmp(json_get(out, "data.apiKey"), "\"sk_live_", 9) == 0,
            out);
    CHECK_J(json_str_copy(out, "data.id", id, sizeof id), out);
    soku_string_free(out);

    out = call(soku_api_keys_list, client, NULL, NULL, &status);
    check_success(status, out, UNKEYED);
    CHECK_J(json_starts(out, "data.apiKeys", "["), out);
    CHECK_J(json_is_nonempty_string(out, "data.apiKeys.0.id"), out);
    soku_string_free(out);

    out = call(soku_api_keys_list, client, "{}", NULL, &status);
    check_success(status, out, UNKEYED);
    soku_string_free(out);

    snprintf(request, sizeof request, "{\"id\": \"%s\"}", id);
    out = call(soku_api_keys_revoke, client, request, NULL, &status);
    check_success(status, out, UNKEYED);
    CHECK_J(json_starts(out, "data", "null"), out);
    CHECK_J(json_int_is(out, "meta.status", 204), out);
    soku_string_free(out);
}

static void test_api_keys_token_from_options(void) {
    /* a client without a Firebase token (in config or environment) fails with config; the
       option supplies one */
    char cfg[2048], opts[1024];
    SokuClient *c;
    int32_t status;
    char *out;
    snprintf(cfg, sizeof cfg, "{\"baseUrl\": \"%s\", \"apiKey\": \"%s\"}", base_url, api_key);
    CHECK(unsetenv("SOKU_FIREBASE_TOKEN") == 0);
    c = new_client(cfg);
    CHECK(setenv("SOKU_FIREBASE_TOKEN", firebase_token, 1) == 0);
    out = call(soku_api_keys_list, c, NULL, NULL, &status);
    check_error(status, out, SOKU_ERR_CONFIG, "config");
    soku_string_free(out);
    snprintf(opts, sizeof opts, "{\"firebaseToken\": \"%s\"}", firebase_token);
    out = call(soku_api_keys_list, c, NULL, opts, &status);
    check_success(status, out, UNKEYED);
    soku_string_free(out);
    soku_client_free(c);
}

/* ---- workflows ---------------------------------------------------------------------------- */

static void test_posts_publish_batch(void) {
    /* the second post is ambiguous (two instagram accounts): reported, the batch goes on */
    int32_t status;
    char *out = call(soku_posts_publish_batch, client,
                     "{\"posts\": [{\"post\": {\"content\": {\"text\": \"one\", \"platform\": [\"x\"]}}},"
                     "{\"post\": {\"content\": {\"text\": \"two\", \"mediaType\": \"image\", "
                     "\"imageUrls\": [\"https://example.com/a.png\"], \"platform\": [\"instagram\"]}}},"
                     "{\"post\": {\"content\": {\"text\": \"three\", \"platform\": [\"threads\"]}}}]}",
                     "{\"idempotencyKey\": \"c-batch\"}", &status);
    CHECK_J(status == SOKU_OK, out);
    CHECK_J(json_int_is(out, "data.summary.total", 3), out);
    CHECK_J(json_int_is(out, "data.summary.succeeded", 2), out);
    CHECK_J(json_int_is(out, "data.summary.failed", 1), out);
    CHECK_J(json_starts(out, "data.results.0.ok", "true"), out);
    CHECK_J(json_is_nonempty_string(out, "data.results.0.postSubmissionId"), out);
    CHECK_J(json_str_is(out, "data.results.0.meta.idempotencyKey", "c-batch-0"), out);
    CHECK_J(json_starts(out, "data.results.1.ok", "false"), out);
    CHECK_J(json_str_is(out, "data.results.1.error.kind", "api"), out);
    CHECK_J(json_str_is(out, "data.results.1.error.code", "missing_account"), out);
    CHECK_J(json_int_is(out, "data.results.1.error.status", 400), out);
    CHECK_J(json_is_nonempty_string(out, "data.results.1.error.requestId"), out);
    CHECK_J(json_int_is(out, "data.results.2.index", 2), out);
    CHECK_J(json_is_nonempty_string(out, "meta.requestId"), out);
    soku_string_free(out);
}

static void test_posts_publish_with_media(void) {
    int32_t status;
    char *out = call(soku_posts_publish_with_media, client,
                     "{\"sourceUrls\": [\"https://example.com/videos/demo.mp4\"], \"post\": {"
                     "\"content\": {\"text\": \"video\", \"mediaType\": \"video\", \"platform\": ["
                     "{\"platform\": \"tiktok\", \"accountId\": \"tt_brand\"}, \"youtube\"]}}}",
                     NULL, &status);
    check_success(status, out, KEYED);
    CHECK_J(json_is_nonempty_string(out, "data.media.0.url"), out);
    CHECK_J(json_get(out, "data.media.1") == NULL, out);
    CHECK_J(json_is_nonempty_string(out, "data.post.postSubmissionId"), out);
    CHECK_J(json_int_is(out, "meta.attempts", 2), out); /* one upload + one post */
    soku_string_free(out);
}

static void test_posts_publish_with_template(void) {
    int32_t status;
    char *out = call(soku_posts_publish_with_template, client,
                     "{\"template\": {\"templateSlug\": \"tweetImage\", \"config\": {\"title\": \"t\"}},"
                     " \"post\": {\"content\": {\"text\": \"rendered\", \"platform\": [\"x\", \"linkedin\"]}}}",
                     NULL, &status);
    check_success(status, out, KEYED);
    CHECK_J(json_is_nonempty_string(out, "data.template.url"), out);
    CHECK_J(json_is_nonempty_string(out, "data.post.postSubmissionId"), out);
    soku_string_free(out);
}

static void test_api_keys_rotate(void) {
    /* rotate a key made for the purpose, so the sandbox's default key keeps working */
    int32_t status;
    char id[256], request[512];
    char *out = call(soku_api_keys_create, client, "{\"name\": \"to-rotate\"}", NULL, &status);
    CHECK_J(status == SOKU_OK && json_str_copy(out, "data.id", id, sizeof id), out);
    soku_string_free(out);

    snprintf(request, sizeof request, "{\"oldKeyId\": \"%s\", \"name\": \"rotated\"}", id);
    out = call(soku_api_keys_rotate, client, request, NULL, &status);
    check_success(status, out, UNKEYED);
    CHECK_J(json_get(out, "data.apiKey") && strncmp(json_get(out, "data.apiKey"), "\"sk_live_", 9) == 0,
            out);
    CHECK_J(json_str_is(out, "data.verified", "probe"), out);
    CHECK_J(json_str_is(out, "data.revokedKeyId", id), out);
    CHECK_J(json_starts(out, "data.revoked", "true"), out);
    CHECK_J(json_starts(out, "data.revokeError", "null"), out);
    soku_string_free(out);

    /* an unknown verification mode is the caller's mistake: nothing is created or revoked */
    out = call(soku_api_keys_rotate, client, "{\"oldKeyId\": \"key_nope\", \"verify\": \"maybe\"}",
               NULL, &status);
    check_error(status, out, SOKU_ERR_INVALID_ARGUMENT, "invalid_argument");
    soku_string_free(out);
}

/* ---- errors ------------------------------------------------------------------------------- */

static void test_api_error_missing_account(void) {
    /* instagram has two connected accounts: a plain name is ambiguous */
    int32_t status;
    char *out = call(soku_posts_create, client,
                     "{\"post\": {\"content\": {\"text\": \"x\", \"mediaType\": \"image\", "
                     "\"imageUrls\": [\"https://example.com/a.png\"], \"platform\": [\"instagram\"]}}}",
                     NULL, &status);
    check_error(status, out, SOKU_ERR_API, "api");
    CHECK_J(json_int_is(out, "error.status", 400), out);
    CHECK_J(json_str_is(out, "error.code", "missing_account"), out);
    CHECK_J(json_is_nonempty_string(out, "error.requestId"), out);
    CHECK_J(json_int_is(out, "meta.status", 400), out);
    CHECK_J(json_is_nonempty_string(out, "meta.requestId"), out);
    soku_string_free(out);
}

static void test_api_error_details(void) {
    /* with client-side checking off, the server's validation_error and its details come through */
    char cfg[2048];
    SokuClient *c;
    int32_t status;
    char *out;
    snprintf(cfg, sizeof cfg, "{\"baseUrl\": \"%s\", \"apiKey\": \"%s\", \"validateScheduledTime\": false}",
             base_url, api_key);
    c = new_client(cfg);
    out = call(soku_posts_create, c,
               "{\"post\": {\"content\": {\"text\": \"late\", \"platform\": [\"x\"]}}, "
               "\"scheduledTime\": \"2000-01-01T00:00:00Z\"}",
               NULL, &status);
    check_error(status, out, SOKU_ERR_API, "api");
    CHECK_J(json_int_is(out, "error.status", 400), out);
    CHECK_J(json_str_is(out, "error.code", "validation_error"), out);
    CHECK_J(json_str_is(out, "error.details.field", "scheduledTime"), out);
    CHECK_J(json_is_nonempty_string(out, "error.requestId"), out);
    soku_string_free(out);
    soku_client_free(c);
}

static void test_api_error_forbidden(void) {
    char cfg[2048];
    SokuClient *c;
    int32_t status;
    char *out;
    make_config(cfg, sizeof cfg, inactive_key);
    c = new_client(cfg);
    out = call(soku_posts_create, c, TEXT_POST, NULL, &status);
    check_error(status, out, SOKU_ERR_API, "api");
    CHECK_J(json_int_is(out, "error.status", 403), out);
    CHECK_J(json_str_is(out, "error.code", "forbidden"), out);
    CHECK_J(json_is_nonempty_string(out, "error.requestId"), out);
    soku_string_free(out);
    soku_client_free(c);
}

/* soku_error_parse reads the error JSON into fields without a JSON parser of the caller's own */
static void test_error_parse_reads_the_fields(void) {
    char cfg[2048];
    SokuClient *c;
    SokuError *e = NULL;
    int32_t status;
    size_t len = 0;
    const char *code, *request_id;
    char *out;
    make_config(cfg, sizeof cfg, inactive_key);
    c = new_client(cfg);
    out = call(soku_posts_create, c, TEXT_POST, NULL, &status);
    check_error(status, out, SOKU_ERR_API, "api");
    CHECK(soku_error_parse(out, &e) == SOKU_OK && e != NULL);
    CHECK(strcmp(soku_error_kind(e, NULL), "api") == 0);
    CHECK(soku_error_status(e) == 403);
    code = soku_error_code(e, &len);
    CHECK(code != NULL && strcmp(code, "forbidden") == 0 && len == strlen("forbidden"));
    request_id = soku_error_request_id(e, NULL);
    CHECK(request_id != NULL && strncmp(request_id, "req_", 4) == 0);
    CHECK(soku_error_message(e, NULL) != NULL && soku_error_param(e, &len) == NULL && len == 0);
    soku_error_free(e);
    soku_string_free(out);
    soku_client_free(c);
    /* text that is not an error JSON: a handle that says why */
    e = NULL;
    CHECK(soku_error_parse("{\"error\": {\"kind\": 5}}", &e) == SOKU_ERR_INVALID_ARGUMENT);
    CHECK(e != NULL && strcmp(soku_error_kind(e, NULL), "invalid_argument") == 0);
    CHECK(strcmp(soku_error_param(e, NULL), "error_json") == 0);
    CHECK(strstr(soku_error_message(e, NULL), "error.kind") != NULL);
    soku_error_free(e);
    CHECK(soku_error_parse(NULL, NULL) == SOKU_ERR_INVALID_ARGUMENT);
    CHECK(soku_error_code(NULL, NULL) == NULL && soku_error_status(NULL) == 0);
    soku_error_free(NULL);
}

static void test_transport_error(void) {
    /* nothing listens on port 1 */
    SokuClient *c = new_client(
        "{\"apiKey\": \"sk_live_x\", \"baseUrl\": \"http://127.0.0.1:1\", \"maxRetries\": 0}");
    int32_t status;
    char *out = call(soku_posts_create, c, TEXT_POST, NULL, &status);
    check_error(status, out, SOKU_ERR_TRANSPORT, "transport");
    CHECK_J(json_int_is(out, "meta.status", 0), out);
    soku_string_free(out);
    soku_client_free(c);
}

static void test_invalid_arguments(void) {
    static const char *bad_requests[] = {
        "not json",
        "",
        "{\"post\": ",
        "[1, 2]",
        "{\"post\": {\"content\": {\"text\": \"hi\", \"platform\": 5}}}", /* wrong type */
        "{\"post\": {\"content\": {\"text\": \"\xc3\x28\", \"platform\": [\"x\"]}}}", /* bad UTF-8 */
    };
    size_t i;
    int32_t status;
    char *out;
    for (i = 0; i < sizeof bad_requests / sizeof bad_requests[0]; i++) {
        out = call(soku_posts_create, client, bad_requests[i], NULL, &status);
        check_error(status, out, SOKU_ERR_INVALID_ARGUMENT, "invalid_argument");
        CHECK_J(json_starts(out, "meta", "null"), out);
        soku_string_free(out);
    }
    out = call(soku_posts_create, NULL, TEXT_POST, NULL, &status);
    check_error(status, out, SOKU_ERR_INVALID_ARGUMENT, "invalid_argument");
    soku_string_free(out);
    out = call(soku_media_upload, client, NULL, NULL, &status);
    check_error(status, out, SOKU_ERR_INVALID_ARGUMENT, "invalid_argument");
    soku_string_free(out);
    out = call(soku_posts_create, client, TEXT_POST, "{\"retries\": 3}", &status);
    check_error(status, out, SOKU_ERR_INVALID_ARGUMENT, "invalid_argument");
    soku_string_free(out);
    out = call(soku_api_keys_revoke, client, "{\"id\": 7}", NULL, &status);
    check_error(status, out, SOKU_ERR_INVALID_ARGUMENT, "invalid_argument");
    soku_string_free(out);
    CHECK(soku_posts_create(client, TEXT_POST, NULL, NULL) == SOKU_ERR_INVALID_ARGUMENT);
}

/* ---- threads ------------------------------------------------------------------------------ */

#define THREADS 4
#define CALLS_PER_THREAD 10

static void *publish_many(void *arg) {
    int *ok = arg, i;
    for (i = 0; i < CALLS_PER_THREAD; i++) {
        char *out = NULL;
        int32_t status = soku_posts_create(client, TEXT_POST, NULL, &out);
        if (status == SOKU_OK && json_is_nonempty_string(out, "data.postSubmissionId")) (*ok)++;
        soku_string_free(out);
    }
    return NULL;
}

static void test_one_client_many_threads(void) {
    pthread_t threads[THREADS];
    int ok[THREADS] = {0}, i, total = 0;
    for (i = 0; i < THREADS; i++) CHECK(pthread_create(&threads[i], NULL, publish_many, &ok[i]) == 0);
    for (i = 0; i < THREADS; i++) CHECK(pthread_join(threads[i], NULL) == 0);
    for (i = 0; i < THREADS; i++) total += ok[i];
    CHECK(total == THREADS * CALLS_PER_THREAD);
}

/* ---- retry -------------------------------------------------------------------------------- */

static void test_429_is_retried(void) {
    int32_t status;
    char *out = call(soku_posts_create, client, TEXT_POST, NULL, &status);
    check_success(status, out, KEYED);
    CHECK_J(json_int_is(out, "meta.attempts", 2), out);
    CHECK_J(json_is_nonempty_string(out, "data.postSubmissionId"), out);
    soku_string_free(out);
}

/* ---- faults queued by test.sh: the decode, timeout and exhausted-retry kinds ------------------ */

static void test_html_with_200_is_a_decode_error(void) {
    int32_t status;
    char *out = call(soku_templates_render, client, "{\"templateSlug\": \"tweetImage\"}",
                     "{\"maxRetries\": 0}", &status);
    check_error(status, out, SOKU_ERR_DECODE, "decode");
    CHECK_J(json_int_is(out, "meta.status", 200), out);
    soku_string_free(out);
}

static void test_slow_answer_is_a_timeout(void) {
    int32_t status;
    char *out = call(soku_media_upload, client, "{\"url\": \"https://example.com/a.png\"}",
                     "{\"maxRetries\": 0, \"timeoutMs\": 300}", &status);
    check_error(status, out, SOKU_ERR_TIMEOUT, "timeout");
    soku_string_free(out);
}

static void test_5xx_retries_are_exhausted(void) {
    int32_t status;
    char *out = call(soku_ai_transcribe, client, "{\"mediaId\": \"m_1\"}", NULL, &status);
    check_error(status, out, SOKU_ERR_API, "api");
    CHECK_J(json_int_is(out, "error.status", 500), out);
    CHECK_J(json_str_is(out, "error.code", "internal_error"), out);
    CHECK_J(json_int_is(out, "meta.attempts", 3), out); /* maxRetries 2 in the config */
    soku_string_free(out);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "all";
    base_url = env("SOKU_BASE_URL");
    api_key = env("SOKU_API_KEY");
    firebase_token = env("SOKU_FIREBASE_TOKEN");
    inactive_key = env("SOKU_INACTIVE_API_KEY");
    make_config(config, sizeof config, api_key);
    client = new_client(config);
    if (!client) return finish("test_soku");

    if (strcmp(mode, "retry429") == 0) {
        RUN(test_429_is_retried);
    } else if (strcmp(mode, "faults") == 0) {
        RUN(test_html_with_200_is_a_decode_error);
        RUN(test_slow_answer_is_a_timeout);
        RUN(test_5xx_retries_are_exhausted);
    } else {
        RUN(test_version_and_status_names);
        RUN(test_client_new_reports_base_url);
        RUN(test_client_new_rejects_bad_config);
        RUN(test_client_new_config_error);
        RUN(test_client_new_null_pointers);
        RUN(test_config_falls_back_to_environment);
        RUN(test_posts_create);
        RUN(test_posts_create_with_options);
        RUN(test_posts_create_account_target);
        RUN(test_media_upload);
        RUN(test_templates_render);
        RUN(test_ai_transcribe);
        RUN(test_api_keys_create_list_revoke);
        RUN(test_api_keys_token_from_options);
        RUN(test_posts_publish_batch);
        RUN(test_posts_publish_with_media);
        RUN(test_posts_publish_with_template);
        RUN(test_api_keys_rotate);
        RUN(test_api_error_missing_account);
        RUN(test_api_error_details);
        RUN(test_api_error_forbidden);
        RUN(test_error_parse_reads_the_fields);
        RUN(test_transport_error);
        RUN(test_invalid_arguments);
        RUN(test_one_client_many_threads);
    }
    soku_client_free(client);
    return finish("test_soku");
}
