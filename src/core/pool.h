/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/pool.h - run many independent tasks on a fixed number of worker threads.
 *
 * ss_pool_run(n_threads, n_tasks, fn, ctx) calls fn(ctx, task, worker) once for every
 * task in [0, n_tasks), from n_threads workers (the caller's thread is worker 0). Tasks
 * are taken in increasing order from an atomic counter, so with one thread they run in
 * order. Each worker index is used by one thread at a time, so per-worker scratch
 * indexed by @worker needs no locking. Results must be stored by task index and merged
 * after the call for output to be independent of scheduling.
 */
#ifndef SS_CORE_POOL_H
#define SS_CORE_POOL_H

#include "core/base.h"

/** A task. Returns 0 or a negative error; the first error stops new tasks from starting. */
typedef int (*ss_task_fn)(void *ctx, size_t task, unsigned worker);

/**
 * Run @n_tasks tasks on @n_threads threads (0 means ss_pool_default_threads()).
 * Returns 0 or the error of the lowest-numbered failed task. If threads cannot be
 * started, fewer run and the work still completes.
 */
SS_MUST_USE int ss_pool_run(unsigned n_threads, size_t n_tasks, ss_task_fn fn, void *ctx);
/** Number of online CPUs (at least 1). */
unsigned ss_pool_default_threads(void);

#endif
