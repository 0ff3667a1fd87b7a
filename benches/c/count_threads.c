/* count_threads.so: counts the threads a process creates, for benches/run.sh.
 *
 * Preloaded (LD_PRELOAD) into a harness process, it wraps pthread_create (every thread of a Rust,
 * C or Python program is made by it) and, at exit, appends the count as one line to the file named
 * by SOKU_BENCH_THREADS_FILE. A count read from /proc/self/status could not see a thread that is
 * created and gone between two readings, such as a per-call name-lookup thread.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

static atomic_long created;

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
                   void *arg) {
    static _Atomic(create_fn) real;
    create_fn f = atomic_load(&real);
    if (!f) {
        f = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
        if (!f) abort();
        atomic_store(&real, f);
    }
    atomic_fetch_add(&created, 1);
    return f(thread, attr, start, arg);
}

__attribute__((destructor)) static void report(void) {
    const char *path = getenv("SOKU_BENCH_THREADS_FILE");
    FILE *f;
    if (!path || !(f = fopen(path, "a"))) return;
    fprintf(f, "%ld\n", atomic_load(&created));
    fclose(f);
}
