/*
 * test_events.c: the event callback (soku_set_log_callback) and the batch progress callback
 * (soku_posts_publish_batch_with_progress), against the sandbox.
 *
 * Environment (set by bindings/c/test.sh): SOKU_BASE_URL, SOKU_API_KEY, SOKU_FIREBASE_TOKEN.
 * Usage: test_events   (expects test.sh to have queued one 429 with retryAfter for /v1/posts)
 *
 *   - a 429 then a success: two "attempt" events, one "rate_limited", one "retry_wait", no
 *     credential in any line;
 *   - a batch on another thread: its "batch_item" and "attempt" events arrive from that thread;
 *   - the progress callback sees each post and stops the batch after the second;
 *   - a callback that re-enters the library (soku_version, an operation on another client)
 *     neither recurses nor deadlocks;
 *   - a slow callback running on another thread while the main thread removes it.
 */
#define _POSIX_C_SOURCE 200809L /* strdup, nanosleep, pthreads */

#include "soku.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "json_check.h"

static const char *base_url, *api_key, *firebase_token;
static char config[2048];

static const char *env(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "test_events: %s is not set (run bindings/c/test.sh)\n", name);
        exit(2);
    }
    return v;
}

static SokuClient *new_client(void) {
    SokuClient *c = NULL;
    char *out = NULL;
    int32_t status = soku_client_new(config, &c, &out);
    CHECK_J(status == SOKU_OK && c != NULL, out);
    soku_string_free(out);
    return c;
}

static const char *TEXT_POST = "{\"post\": {\"content\": {\"text\": \"events\", \"platform\": [\"x\"]}}}";
static const char *BATCH =
    "{\"posts\": [{\"post\": {\"content\": {\"text\": \"b0\", \"platform\": [\"x\"]}}},"
    "{\"post\": {\"content\": {\"text\": \"b1\", \"platform\": [\"x\"]}}},"
    "{\"post\": {\"content\": {\"text\": \"b2\", \"platform\": [\"x\"]}}},"
    "{\"post\": {\"content\": {\"text\": \"b3\", \"platform\": [\"x\"]}}}]}";

/* ---- a collecting callback ----------------------------------------------------------------- */

struct counts {
    pthread_mutex_t lock;
    int attempt, retry_wait, rate_limited, batch_item, other, secret, invalid, bad_level;
    int from_other_thread;
    pthread_t main_thread;
};

static void count_event(void *user_data, int32_t level, const char *line) {
    struct counts *c = user_data;
    pthread_mutex_lock(&c->lock);
    if (!json_valid(line) || strchr(line, '\n') != NULL) c->invalid++;
    if (level != SOKU_LOG_DEBUG && level != SOKU_LOG_INFO) c->bad_level++;
    if (strstr(line, api_key) || strstr(line, firebase_token)) c->secret++;
    if (json_str_is(line, "event", "attempt")) {
        c->attempt++;
        if (!json_str_is(line, "method", "POST") || !json_str_is(line, "path", "/v1/posts") ||
            !json_str_is(line, "level", "debug") || level != SOKU_LOG_DEBUG)
            c->invalid++;
    } else if (json_str_is(line, "event", "retry_wait")) {
        c->retry_wait++;
        if (!json_int_is(line, "status", 429) || level != SOKU_LOG_INFO) c->invalid++;
    } else if (json_str_is(line, "event", "rate_limited")) {
        c->rate_limited++;
    } else if (json_str_is(line, "event", "batch_item")) {
        c->batch_item++;
        if (!json_is_nonempty_string(line, "id")) c->invalid++;
    } else {
        c->other++;
    }
    if (!pthread_equal(pthread_self(), c->main_thread)) c->from_other_thread++;
    pthread_mutex_unlock(&c->lock);
}

static struct counts counts_new(void) {
    struct counts c;
    memset(&c, 0, sizeof c);
    pthread_mutex_init(&c.lock, NULL);
    c.main_thread = pthread_self();
    return c;
}

static void test_events_of_a_retried_429(void) {
    struct counts c = counts_new();
    SokuClient *client = new_client();
    char *out = NULL;
    int32_t status;
    CHECK(soku_set_log_callback(count_event, &c, SOKU_LOG_DEBUG) == SOKU_OK);
    status = soku_posts_create(client, TEXT_POST, "{\"idempotencyKey\": \"c-events-1\"}", &out);
    CHECK(soku_set_log_callback(NULL, NULL, SOKU_LOG_OFF) == SOKU_OK);
    CHECK_J(status == SOKU_OK && json_int_is(out, "meta.attempts", 2), out);
    soku_string_free(out);
    CHECK(c.attempt == 2);
    CHECK(c.rate_limited == 1);
    CHECK(c.retry_wait == 1);
    CHECK(c.other == 0 && c.batch_item == 0);
    CHECK(c.secret == 0);
    CHECK(c.invalid == 0 && c.bad_level == 0);
    CHECK(c.from_other_thread == 0);
    /* Removed: nothing more arrives. */
    status = soku_posts_create(client, TEXT_POST, NULL, &out);
    CHECK(status == SOKU_OK);
    soku_string_free(out);
    CHECK(c.attempt == 2);
    CHECK(soku_set_log_callback(count_event, &c, 7) == SOKU_ERR_INVALID_ARGUMENT);
    soku_client_free(client);
    pthread_mutex_destroy(&c.lock);
}

/* ---- a batch on another thread ------------------------------------------------------------- */

static void *run_batch(void *arg) {
    SokuClient *client = arg;
    char *out = NULL;
    int32_t status = soku_posts_publish_batch(client, BATCH, NULL, &out);
    int ok = status == SOKU_OK && json_int_is(out, "data.summary.succeeded", 4);
    soku_string_free(out);
    return ok ? arg : NULL;
}

static void test_events_of_a_batch_on_another_thread(void) {
    struct counts c = counts_new();
    SokuClient *client = new_client();
    pthread_t worker;
    void *result = NULL;
    CHECK(soku_set_log_callback(count_event, &c, SOKU_LOG_DEBUG) == SOKU_OK);
    CHECK(pthread_create(&worker, NULL, run_batch, client) == 0);
    CHECK(pthread_join(worker, &result) == 0);
    CHECK(soku_set_log_callback(NULL, NULL, SOKU_LOG_OFF) == SOKU_OK);
    CHECK(result == client);
    CHECK(c.batch_item == 4);
    CHECK(c.attempt == 4);
    CHECK(c.from_other_thread == 8);
    CHECK(c.secret == 0 && c.invalid == 0);
    soku_client_free(client);
    pthread_mutex_destroy(&c.lock);
}

/* ---- the progress callback stops the batch -------------------------------------------------- */

struct progress {
    int seen, stop_after, bad;
    char ids[4][128];
};

static bool on_progress(void *user_data, const SokuBatchProgress *item) {
    struct progress *p = user_data;
    if (item->index != (size_t)p->seen || item->total != 4 || !item->ok ||
        item->post_submission_id == NULL || item->error_message != NULL ||
        !json_valid(item->item_json) || !json_int_is(item->item_json, "index", (long)item->index))
        p->bad++;
    if (item->post_submission_id && p->seen < 4)
        snprintf(p->ids[p->seen], sizeof p->ids[0], "%s", item->post_submission_id);
    p->seen++;
    return p->seen < p->stop_after;
}

static void test_progress_stops_the_batch(void) {
    SokuClient *client = new_client();
    struct progress p;
    char *out = NULL;
    int32_t status;
    memset(&p, 0, sizeof p);
    p.stop_after = 2;
    status = soku_posts_publish_batch_with_progress(client, BATCH, NULL, NULL, on_progress, &p, &out);
    CHECK_J(status == SOKU_OK, out);
    CHECK(p.seen == 2 && p.bad == 0);
    CHECK_J(json_starts(out, "data.cancelled", "true"), out);
    CHECK_J(json_int_is(out, "data.summary.total", 4), out);
    CHECK_J(json_int_is(out, "data.summary.succeeded", 2), out);
    CHECK_J(json_str_is(out, "data.results.1.postSubmissionId", p.ids[1]), out);
    soku_string_free(out);
    /* NULL progress: the whole batch. */
    status = soku_posts_publish_batch_with_progress(client, BATCH, NULL, NULL, NULL, NULL, &out);
    CHECK_J(status == SOKU_OK && json_int_is(out, "data.summary.succeeded", 4), out);
    soku_string_free(out);
    /* NULL client: an error JSON, no call. */
    status = soku_posts_publish_batch_with_progress(NULL, BATCH, NULL, NULL, on_progress, &p, &out);
    CHECK_J(status == SOKU_ERR_INVALID_ARGUMENT, out);
    soku_string_free(out);
    CHECK(p.seen == 2);
    soku_client_free(client);
}

/* ---- a callback that re-enters the library -------------------------------------------------- */

struct reenter {
    SokuClient *other;
    int calls, failures;
};

static void reenter_event(void *user_data, int32_t level, const char *line) {
    struct reenter *r = user_data;
    char *out = NULL;
    (void)level;
    (void)line;
    r->calls++;
    if (strcmp(soku_version(), SOKU_VERSION_STRING) != 0) r->failures++;
    if (soku_posts_create(r->other, TEXT_POST, NULL, &out) != SOKU_OK) r->failures++;
    soku_string_free(out);
}

static void test_reentrant_callback(void) {
    SokuClient *client = new_client();
    struct reenter r;
    char *out = NULL;
    int32_t status;
    r.other = new_client();
    r.calls = 0;
    r.failures = 0;
    CHECK(soku_set_log_callback(reenter_event, &r, SOKU_LOG_DEBUG) == SOKU_OK);
    status = soku_posts_create(client, TEXT_POST, NULL, &out);
    CHECK(soku_set_log_callback(NULL, NULL, SOKU_LOG_OFF) == SOKU_OK);
    CHECK_J(status == SOKU_OK, out);
    soku_string_free(out);
    /* One event (the outer attempt): the callback's own call is not reported back to it. */
    CHECK(r.calls == 1);
    CHECK(r.failures == 0);
    soku_client_free(r.other);
    soku_client_free(client);
}

/* ---- a slow callback, removed while it runs on another thread ------------------------------- */

static int slow_calls;
static pthread_mutex_t slow_lock = PTHREAD_MUTEX_INITIALIZER;

static void slow_event(void *user_data, int32_t level, const char *line) {
    struct timespec t = {0, 300 * 1000 * 1000};
    (void)user_data;
    (void)level;
    (void)line;
    pthread_mutex_lock(&slow_lock);
    slow_calls++;
    pthread_mutex_unlock(&slow_lock);
    nanosleep(&t, NULL);
}

static void *post_once(void *arg) {
    char *out = NULL;
    int32_t status = soku_posts_create(arg, TEXT_POST, NULL, &out);
    soku_string_free(out);
    return status == SOKU_OK ? arg : NULL;
}

static void test_slow_callback_removed_while_running(void) {
    SokuClient *client = new_client();
    pthread_t workers[3];
    void *result;
    struct timespec t = {0, 100 * 1000 * 1000};
    int i, ok = 0;
    CHECK(soku_set_log_callback(slow_event, NULL, SOKU_LOG_DEBUG) == SOKU_OK);
    int removed_at;
    for (i = 0; i < 3; i++) CHECK(pthread_create(&workers[i], NULL, post_once, client) == 0);
    for (i = 0; i < 200; i++) { /* until one invocation runs (at most 20 s) */
        int n;
        pthread_mutex_lock(&slow_lock);
        n = slow_calls;
        pthread_mutex_unlock(&slow_lock);
        if (n > 0) break;
        nanosleep(&t, NULL);
    }
    /* Waits for the running invocations, then returns; the workers finish their calls. */
    CHECK(soku_set_log_callback(NULL, NULL, SOKU_LOG_OFF) == SOKU_OK);
    pthread_mutex_lock(&slow_lock);
    removed_at = slow_calls;
    pthread_mutex_unlock(&slow_lock);
    CHECK(removed_at >= 1 && removed_at <= 3);
    for (i = 0; i < 3; i++) {
        CHECK(pthread_join(workers[i], &result) == 0);
        ok += result == client;
    }
    CHECK(ok == 3);
    /* Once removed, it was never called again. */
    CHECK(slow_calls == removed_at);
    soku_client_free(client);
}

int main(void) {
    base_url = env("SOKU_BASE_URL");
    api_key = env("SOKU_API_KEY");
    firebase_token = env("SOKU_FIREBASE_TOKEN");
    snprintf(config, sizeof config,
             "{\"baseUrl\": \"%s\", \"apiKey\": \"%s\", \"maxRetries\": 2, \"backoffBaseMs\": 1, "
             "\"maxRetryWaitMs\": 50, \"timeoutMs\": 10000}",
             base_url, api_key);
    RUN(test_events_of_a_retried_429);
    RUN(test_events_of_a_batch_on_another_thread);
    RUN(test_progress_stops_the_batch);
    RUN(test_reentrant_callback);
    RUN(test_slow_callback_removed_while_running);
    return finish("test_events");
}
