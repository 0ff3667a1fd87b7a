/*
 * test_fork.c: a SokuClient used in a process forked from the one that opened its keep-alive
 * connections never reuses them (no answer crosses between parent and child) and never closes
 * them (the parent keeps using its own).
 *
 * Environment (set by bindings/c/test.sh): SOKU_ECHO_URL, the base URL of
 * bindings/python/tests/echo_server.py, which answers every request with
 * {"postSubmissionId": <its Idempotency-Key>}. Every call sends a unique key, so an answer
 * meant for another call (in the other process, or another thread) is detected.
 * A watchdog (alarm) in every process turns a deadlock into a failure.
 */
#define _POSIX_C_SOURCE 200809L /* fork, alarm, nanosleep, pthreads */

#include "soku.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "json_check.h"

#define CALLS 200
#define WATCHDOG_SECONDS 60

static const char *REQUEST = "{\"post\": {\"content\": {\"text\": \"hello\", \"platform\": [\"x\"]}}}";
static SokuClient *client;

/* n calls with keys "<prefix>-<i>": returns how many failed or got another call's answer. */
static int calls(SokuClient *c, const char *prefix, int n) {
    int bad = 0, i;
    char key[96], options[160];
    for (i = 0; i < n; i++) {
        char *out = NULL;
        int32_t status;
        snprintf(key, sizeof key, "%s-%d", prefix, i);
        snprintf(options, sizeof options, "{\"idempotencyKey\": \"%s\"}", key);
        status = soku_posts_create(c, REQUEST, options, &out);
        if (status != SOKU_OK) {
            fprintf(stderr, "  %s: status %d\n", key, (int)status);
            show_json(out);
            bad++;
        } else if (!json_str_is(out, "data.postSubmissionId", key)) {
            fprintf(stderr, "  %s: crossed answer\n", key);
            show_json(out);
            bad++;
        }
        soku_string_free(out);
    }
    return bad;
}

/* Forks; the child runs `calls` on the client, frees it (which must leave the parent's
 * connections alone) and exits 0 only if every call got its own answer. */
static pid_t fork_child(const char *prefix) {
    pid_t pid = fork();
    if (pid == 0) {
        int bad;
        alarm(WATCHDOG_SECONDS);
        bad = calls(client, prefix, CALLS);
        fprintf(stderr, "  child %s: %d calls, %d crossed or failed\n", prefix, CALLS, bad);
        soku_client_free(client);
        _exit(bad == 0 ? 0 : 1);
    }
    return pid;
}

/* 1 if the child exited 0; a child killed by the watchdog (SIGALRM) was deadlocked. */
static int child_ok(pid_t pid) {
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return 0;
    if (WIFSIGNALED(status)) fprintf(stderr, "  child killed by signal %d\n", WTERMSIG(status));
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_fork_between_calls(void) {
    pid_t pid;
    int during, after;
    CHECK(calls(client, "parent-before", 1) == 0);
    pid = fork_child("child");
    CHECK(pid > 0);
    during = calls(client, "parent-during", CALLS);
    CHECK(child_ok(pid));
    /* The child freed its copy of the client: the parent's pooled connection still works. */
    after = calls(client, "parent-after", CALLS);
    fprintf(stderr, "  parent: %d calls during the child's, %d after: %d and %d crossed or failed\n",
            CALLS, CALLS, during, after);
    CHECK(during == 0);
    CHECK(after == 0);
}

static pthread_mutex_t flag_lock = PTHREAD_MUTEX_INITIALIZER;
static int stop_flag, in_slow_call, thread_bad;

static int get_flag(int *flag) {
    int v;
    pthread_mutex_lock(&flag_lock);
    v = *flag;
    pthread_mutex_unlock(&flag_lock);
    return v;
}

static void set_flag(int *flag, int v) {
    pthread_mutex_lock(&flag_lock);
    *flag = v;
    pthread_mutex_unlock(&flag_lock);
}

/* Calls with slow answers (200 ms) until stopped: a call is almost always in flight. */
static void *slow_caller(void *arg) {
    int i = 0, bad = 0;
    char prefix[32];
    (void)arg;
    while (!get_flag(&stop_flag)) {
        snprintf(prefix, sizeof prefix, "slow%d", i++);
        set_flag(&in_slow_call, 1);
        bad += calls(client, prefix, 1);
        set_flag(&in_slow_call, 0);
    }
    set_flag(&thread_bad, bad);
    return NULL;
}

/* Calls back to back until stopped: the pool's and the resolver's locks are often held. */
static void *busy_caller(void *arg) {
    int i = 0, bad = 0;
    char prefix[32];
    while (!get_flag(&stop_flag)) {
        snprintf(prefix, sizeof prefix, "busy%d-%d", (int)(intptr_t)arg, i++);
        bad += calls(client, prefix, 1);
    }
    pthread_mutex_lock(&flag_lock);
    thread_bad += bad;
    pthread_mutex_unlock(&flag_lock);
    return NULL;
}

static void test_fork_while_another_thread_is_mid_call(void) {
    pthread_t slow, busy;
    int round, forked_mid_call = 0, children_ok = 0;
    struct timespec pause = {0, 30 * 1000 * 1000};
    char prefix[32];
    CHECK(calls(client, "warm", 1) == 0);
    CHECK(pthread_create(&slow, NULL, slow_caller, NULL) == 0);
    CHECK(pthread_create(&busy, NULL, busy_caller, (void *)(intptr_t)1) == 0);
    for (round = 0; round < 10; round++) {
        pid_t pid;
        nanosleep(&pause, NULL);
        if (get_flag(&in_slow_call)) forked_mid_call++;
        snprintf(prefix, sizeof prefix, "child%d", round);
        pid = fork_child(prefix);
        if (pid > 0 && child_ok(pid)) children_ok++;
    }
    set_flag(&stop_flag, 1);
    pthread_join(slow, NULL);
    pthread_join(busy, NULL);
    fprintf(stderr,
            "  10 forks (%d while a slow call was in flight): %d children completed their %d "
            "calls; parent threads: %d crossed or failed\n",
            forked_mid_call, children_ok, CALLS, thread_bad);
    CHECK(children_ok == 10);
    CHECK(forked_mid_call > 0);
    CHECK(thread_bad == 0);
}

int main(void) {
    char config[512], *out = NULL;
    const char *url = getenv("SOKU_ECHO_URL");
    if (!url || !*url) {
        fprintf(stderr, "test_fork: SOKU_ECHO_URL is not set (run bindings/c/test.sh)\n");
        return 2;
    }
    alarm(2 * WATCHDOG_SECONDS);
    snprintf(config, sizeof config,
             "{\"baseUrl\": \"%s\", \"apiKey\": \"sk_test_fork\", \"maxRetries\": 0, "
             "\"timeoutMs\": 10000, \"fromEnv\": false}",
             url);
    if (soku_client_new(config, &client, &out) != SOKU_OK) {
        show_json(out);
        soku_string_free(out);
        return 1;
    }
    soku_string_free(out);
    RUN(test_fork_between_calls);
    RUN(test_fork_while_another_thread_is_mid_call);
    soku_client_free(client);
    return finish("test_fork");
}
