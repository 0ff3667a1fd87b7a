/*
 * check.h: a tiny test harness for the soku C tests.
 *
 * TEST functions use CHECK; run_test() counts a test as failed when any CHECK in it failed.
 * finish() prints "<program>: N passed, M failed" and returns the exit code.
 */
#ifndef SOKU_CHECK_H
#define SOKU_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tests_passed, tests_failed, test_failed_now;

/* Prints JSON for a failure report with every "sk_live_..." key masked. */
static inline void show_json(const char *json) {
    const char *p = json;
    if (!json) {
        fprintf(stderr, "    json: (null)\n");
        return;
    }
    fprintf(stderr, "    json: ");
    while (*p) {
        if (strncmp(p, "sk_live_", 8) == 0) {
            fputs("sk_live_***", stderr);
            p += 8;
            while (*p && *p != '"') p++;
            continue;
        }
        fputc(*p++, stderr);
    }
    fputc('\n', stderr);
}

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            test_failed_now = 1;                                                         \
            fprintf(stderr, "  check failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                                \
    } while (0)

/* CHECK that also prints the JSON under test when it fails. */
#define CHECK_J(cond, json)                                                              \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            test_failed_now = 1;                                                         \
            fprintf(stderr, "  check failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            show_json(json);                                                             \
        }                                                                                \
    } while (0)

static inline void run_test(const char *name, void (*fn)(void)) {
    test_failed_now = 0;
    fn();
    if (test_failed_now) {
        tests_failed++;
        printf("FAIL %s\n", name);
    } else {
        tests_passed++;
        printf("ok   %s\n", name);
    }
    fflush(stdout);
}

#define RUN(fn) run_test(#fn, fn)

static inline int finish(const char *program) {
    printf("%s: %d passed, %d failed\n", program, tests_passed, tests_failed);
    return tests_failed == 0 && tests_passed > 0 ? 0 : 1;
}

#endif
