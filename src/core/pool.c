/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/pool.c - implements ss_pool_run: a fork-join parallel loop over task indices
 * with POSIX threads. Tasks are claimed from an atomic counter; the first error (lowest
 * failing task index) stops further claims and is returned.
 */
#include "core/pool.h"

#include "core/alloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

struct pool_run {
    ss_task_fn fn;
    void *ctx;
    size_t n_tasks;
    atomic_size_t next;
    atomic_bool stop;
    pthread_mutex_t lock;
    int err;
    size_t err_task;
};

struct worker {
    struct pool_run *run;
    unsigned index;
};

static void work(struct pool_run *run, unsigned index)
{
    for (;;) {
        size_t t;
        int r;

        if (atomic_load_explicit(&run->stop, memory_order_relaxed))
            return;
        t = atomic_fetch_add(&run->next, 1);
        if (t >= run->n_tasks)
            return;
        r = run->fn(run->ctx, t, index);
        if (r < 0) {
            pthread_mutex_lock(&run->lock);
            if (run->err == 0 || t < run->err_task) {
                run->err = r;
                run->err_task = t;
            }
            pthread_mutex_unlock(&run->lock);
            atomic_store(&run->stop, true);
        }
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;

    work(w->run, w->index);
    return NULL;
}

unsigned ss_pool_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1u : n > 1024 ? 1024u : (unsigned)n;
}

int ss_pool_run(unsigned n_threads, size_t n_tasks, ss_task_fn fn, void *ctx)
{
    struct pool_run run = { .fn = fn, .ctx = ctx, .n_tasks = n_tasks };
    pthread_t *tids = NULL;
    struct worker *ws = NULL;
    unsigned started = 0;
    int spawn_err = 0;

    if (n_threads == 0)
        n_threads = ss_pool_default_threads();
    if ((size_t)n_threads > n_tasks)
        n_threads = n_tasks == 0 ? 1 : (unsigned)n_tasks;
    atomic_init(&run.next, 0);
    atomic_init(&run.stop, false);
    pthread_mutex_init(&run.lock, NULL);
    if (n_threads > 1) {
        tids = ss_calloc(n_threads, sizeof(*tids));
        ws = ss_calloc(n_threads, sizeof(*ws));
        if (tids == NULL || ws == NULL)
            spawn_err = -ENOMEM;
        for (unsigned i = 1; spawn_err == 0 && i < n_threads; i++) {
            int e;

            ws[i] = (struct worker){ .run = &run, .index = i };
            e = pthread_create(&tids[i], NULL, worker_main, &ws[i]);
            if (e != 0) {
                spawn_err = -e;
                break;
            }
            started = i;
        }
    }
    work(&run, 0);
    for (unsigned i = 1; i <= started; i++)
        pthread_join(tids[i], NULL);
    ss_free(tids);
    ss_free(ws);
    pthread_mutex_destroy(&run.lock);
    /* A thread that could not start only means less parallelism: the work is done. */
    return run.err;
}
