/* bench-c URL API_KEY N OUT_DIR PAYLOAD_FILE
 *
 * N sequential create-post calls through the C ABI (soku_posts_create) on one client handle,
 * each timed with CLOCK_MONOTONIC. With SOKU_BENCH_LOG=1 an event callback (soku_set_log_callback
 * at SOKU_LOG_DEBUG, counting the lines) listens, and the files are named c-abi-log.* instead.
 * Writes OUT_DIR/c-abi.lat (ns per call, one a line) and
 * OUT_DIR/c-abi.meta (total_ns, calls, VmRSS after call 100 and after call N); the format is
 * documented in benches/src/results.rs. Exits non-zero on the first failed call.
 * SOKU_BENCH_CA, if set, is a PEM file of the only CA to trust (config key caFile: HTTPS run).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "soku.h"

#define EARLY 100

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* VmRSS of this process in kB, 0 if unknown. */
static unsigned long rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long kb = 0;
    if (!f) return 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "VmRSS: %lu kB", &kb) == 1) break;
    }
    fclose(f);
    return kb;
}

/* The whole file as a NUL-terminated string (caller frees), NULL on error. */
static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    char *buf;
    long len;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = malloc((size_t)len + 1);
    if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    if (buf) buf[len] = '\0';
    fclose(f);
    return buf;
}

/* A JSON string value must not need escaping here: URL and key are plain ASCII tokens. */
static int plain(const char *s) {
    for (; *s; s++) {
        if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20) return 0;
    }
    return 1;
}

/* The listener of the SOKU_BENCH_LOG=1 run: counts events (one "attempt" per call). */
static long events_seen;
static void count_event(void *user_data, int32_t level, const char *json_line) {
    (void)user_data;
    (void)level;
    if (json_line[0] == '{') events_seen++;
}

int main(int argc, char **argv) {
    const char *url, *key, *out_dir, *ca = getenv("SOKU_BENCH_CA");
    const char *log_env = getenv("SOKU_BENCH_LOG");
    int log_on = log_env && strcmp(log_env, "1") == 0;
    const char *name = log_on ? "c-abi-log" : "c-abi";
    char *payload, *out = NULL, config[1024], path[4096];
    SokuClient *client = NULL;
    uint64_t *lat, started, total;
    unsigned long rss_early = 0, rss_late;
    long n, i;
    int32_t rc;
    FILE *f;

    if (argc != 6) {
        fprintf(stderr, "usage: bench-c URL API_KEY N OUT_DIR PAYLOAD_FILE\n");
        return 2;
    }
    url = argv[1];
    key = argv[2];
    n = strtol(argv[3], NULL, 10);
    out_dir = argv[4];
    if (n <= 0 || !plain(url) || !plain(key) || (ca && !plain(ca))) {
        fprintf(stderr, "bench-c: bad N, URL or key\n");
        return 2;
    }
    payload = read_file(argv[5]);
    lat = malloc((size_t)n * sizeof *lat);
    if (!payload || !lat) {
        fprintf(stderr, "bench-c: cannot read %s\n", argv[5]);
        return 1;
    }
    if (snprintf(config, sizeof config,
                 "{\"apiKey\":\"%s\",\"baseUrl\":\"%s\",\"allowInsecureHttp\":true%s%s%s}", key,
                 url, ca ? ",\"caFile\":\"" : "", ca ? ca : "", ca ? "\"" : "") >=
        (int)sizeof config) {
        fprintf(stderr, "bench-c: config too long\n");
        return 2;
    }
    if (log_on) soku_set_log_callback(count_event, NULL, SOKU_LOG_DEBUG);
    rc = soku_client_new(config, &client, &out);
    if (rc != SOKU_OK) {
        fprintf(stderr, "bench-c: soku_client_new: %s: %s\n", soku_status_str(rc), out ? out : "");
        soku_string_free(out);
        return 1;
    }
    soku_string_free(out);

    /* Touch every page the loop's own bookkeeping uses before the first reading, so that the two
       RSS readings compare the library's memory only: the latency array, and the first
       /proc read (whose stdio set-up alone moves VmRSS by 64 kB). */
    memset(lat, 0xff, (size_t)n * sizeof *lat);
    (void)rss_kb();

    started = now_ns();
    for (i = 0; i < n; i++) {
        uint64_t t = now_ns();
        out = NULL;
        rc = soku_posts_create(client, payload, NULL, &out);
        lat[i] = now_ns() - t;
        if (rc != SOKU_OK || !out || !strstr(out, "\"postSubmissionId\"")) {
            fprintf(stderr, "bench-c: call %ld: %s: %s\n", i + 1, soku_status_str(rc),
                    out ? out : "(no json)");
            soku_string_free(out);
            soku_client_free(client);
            return 1;
        }
        soku_string_free(out);
        if (i + 1 == (n < EARLY ? n : EARLY)) rss_early = rss_kb();
    }
    total = now_ns() - started;
    rss_late = rss_kb();
    soku_client_free(client);

    if (log_on && events_seen != n) {
        fprintf(stderr, "bench-c: %ld events for %ld calls\n", events_seen, n);
        return 1;
    }
    snprintf(path, sizeof path, "%s/%s.lat", out_dir, name);
    if (!(f = fopen(path, "w"))) {
        perror(path);
        return 1;
    }
    for (i = 0; i < n; i++) fprintf(f, "%llu\n", (unsigned long long)lat[i]);
    fclose(f);
    snprintf(path, sizeof path, "%s/%s.meta", out_dir, name);
    if (!(f = fopen(path, "w"))) {
        perror(path);
        return 1;
    }
    fprintf(f, "total_ns=%llu\ncalls=%ld\nrss_after_100_kb=%lu\nrss_after_n_kb=%lu\n",
            (unsigned long long)total, n, rss_early, rss_late);
    fclose(f);
    free(lat);
    free(payload);
    return 0;
}
