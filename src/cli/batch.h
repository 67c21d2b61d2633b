/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/batch.h - the records of one large input, matched by every worker: batches of
 * copied records in one bounded queue, shared by all the inputs of a run.
 *
 * An input's reader (a task of the pool) frames the records and copies them into
 * batches of about SS_BATCH_BYTES; ss_batchq_push queues a batch, and when the queue is
 * full the reader runs the oldest batch itself, so it never waits and memory stays
 * bounded (at most q_max queued batches, plus one per worker being run). Helper tasks,
 * queued after every input task so that they start only when the workers run out of
 * inputs, call ss_batchq_help and run batches until every reader is done. Each batch
 * carries its input and its sequence number within it: whoever runs it files its
 * results by those, so nothing depends on which worker ran what.
 *
 * Readers: ss_batchq_get, ss_batch_add..., ss_batchq_push; at the end ss_batchq_done
 * (runs what is still queued: with one worker, or when no helper started, the reader
 * runs everything). A task that fails calls ss_batchq_abort so that helpers stop
 * waiting. Thread-safe; one queue per run.
 */
#ifndef SS_CLI_BATCH_H
#define SS_CLI_BATCH_H

#include "core/base.h"
#include "core/finding.h"

#include <pthread.h>

/**
 * Record bytes that close a batch (a batch holds at least one record). Callers keep
 * records larger than this out of batches, so that a batch's buffer (reused) stays
 * under 2.5 MiB whatever the input holds.
 */
#define SS_BATCH_BYTES ((size_t)1 << 20)
/** Records that close a batch. */
#define SS_BATCH_RECORDS 8192u

/** One entry of a batch: a record, or (flag set by the caller) another kind of item. */
struct ss_batch_rec {
    size_t off, len; /* its bytes in the batch's data */
    struct ss_loc loc;
    uint64_t line;
    unsigned flags; /* the caller's */
};

struct ss_batch {
    void *owner; /* the caller's input */
    size_t seq;  /* position within the input */
    char *data;
    size_t len, cap;
    struct ss_batch_rec *recs;
    size_t n, cap_recs;
    struct ss_batch *next; /* in the queue or the free list */
};

/** Run batch @b on @worker (its scratch); returns 0 or a negative error. */
typedef int (*ss_batch_fn)(void *ctx, const struct ss_batch *b, unsigned worker);

struct ss_batchq {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct ss_batch *head, *tail, *free_list;
    size_t len, max;
    size_t readers_left; /* batched inputs still being read */
    bool abort;
    ss_batch_fn fn;
    void *ctx;
};

/**
 * Set up @q for @n_readers batched inputs, at most @max queued batches (at least 1),
 * running batches with @fn(@ctx, ...). Returns 0 or an error from pthreads.
 */
SS_MUST_USE int ss_batchq_init(struct ss_batchq *q, size_t n_readers, size_t max, ss_batch_fn fn,
                               void *ctx);
/** Free every batch of @q and its locks. */
void ss_batchq_release(struct ss_batchq *q);

/**
 * Whether an input of @size stored bytes, out of @total for the whole run, is worth
 * spreading over @workers in batches: more than one worker, at least @min_size, and a
 * large share of the work (over total / (2 x workers)). With many inputs of similar
 * size the pool keeps every worker busy anyway, and batches would only add their copy.
 */
bool ss_batch_worth(uint64_t size, uint64_t min_size, uint64_t total, unsigned workers);

/** An empty batch for input @owner at position @seq (recycled when possible); NULL: OOM. */
struct ss_batch *ss_batchq_get(struct ss_batchq *q, void *owner, size_t seq);
/** Append @n bytes at @p as one entry. Returns 0 or -ENOMEM. */
SS_MUST_USE int ss_batch_add(struct ss_batch *b, const char *p, size_t n, const struct ss_loc *loc,
                             uint64_t line, unsigned flags);
/** Whether @b is full (SS_BATCH_BYTES or SS_BATCH_RECORDS reached). */
bool ss_batch_full(const struct ss_batch *b);
/** Give a batch back unrun (an empty one, or after an error). Accepts NULL. */
void ss_batchq_put_back(struct ss_batchq *q, struct ss_batch *b);

/**
 * Queue @b (taken over). While the queue is full, run its oldest batch on @worker.
 * Returns 0 or the error of a batch run here.
 */
SS_MUST_USE int ss_batchq_push(struct ss_batchq *q, struct ss_batch *b, unsigned worker);
/**
 * A reader is done: run what is still queued on @worker. Call once per batched input,
 * whatever happened to it. Returns 0 or the error of a batch run here.
 */
SS_MUST_USE int ss_batchq_done(struct ss_batchq *q, unsigned worker);
/** A helper: run batches on @worker until every reader is done. Returns 0 or an error. */
SS_MUST_USE int ss_batchq_help(struct ss_batchq *q, unsigned worker);
/** A task failed: helpers stop waiting (the pool starts no new tasks). */
void ss_batchq_abort(struct ss_batchq *q);

#endif
