/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/batch.c - implements the batch queue of cli/batch.h.
 */
#include "cli/batch.h"

#include "core/alloc.h"

int ss_batchq_init(struct ss_batchq *q, size_t n_readers, size_t max, ss_batch_fn fn, void *ctx)
{
    int r;

    *q = (struct ss_batchq){
        .max = max > 0 ? max : 1, .readers_left = n_readers, .fn = fn, .ctx = ctx
    };
    r = pthread_mutex_init(&q->mu, NULL);
    if (r != 0)
        return -r;
    r = pthread_cond_init(&q->cv, NULL);
    if (r != 0) {
        pthread_mutex_destroy(&q->mu);
        return -r;
    }
    return 0;
}

bool ss_batch_worth(uint64_t size, uint64_t min_size, uint64_t total, unsigned workers)
{
    return workers > 1 && size >= min_size && size > total / (2 * (uint64_t)workers);
}

static void batch_free(struct ss_batch *b)
{
    ss_free(b->data);
    ss_free(b->recs);
    ss_free(b);
}

void ss_batchq_release(struct ss_batchq *q)
{
    struct ss_batch *lists[2] = { q->head, q->free_list };

    for (size_t i = 0; i < 2; i++) {
        while (lists[i] != NULL) {
            struct ss_batch *b = lists[i];

            lists[i] = b->next;
            batch_free(b);
        }
    }
    q->head = q->tail = q->free_list = NULL;
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
}

struct ss_batch *ss_batchq_get(struct ss_batchq *q, void *owner, size_t seq)
{
    struct ss_batch *b;

    pthread_mutex_lock(&q->mu);
    b = q->free_list;
    if (b != NULL)
        q->free_list = b->next;
    pthread_mutex_unlock(&q->mu);
    if (b == NULL)
        b = ss_calloc(1, sizeof(*b));
    if (b != NULL) {
        b->owner = owner;
        b->seq = seq;
        b->len = 0;
        b->n = 0;
        b->next = NULL;
    }
    return b;
}

int ss_batch_add(struct ss_batch *b, const char *p, size_t n, const struct ss_loc *loc,
                 uint64_t line, unsigned flags)
{
    if (b->n == b->cap_recs) {
        size_t cap = b->cap_recs ? b->cap_recs * 2 : 1024;
        struct ss_batch_rec *nr = ss_reallocarray(b->recs, cap, sizeof(*nr));

        if (nr == NULL)
            return -ENOMEM;
        b->recs = nr;
        b->cap_recs = cap;
    }
    if (n > b->cap - b->len) {
        size_t cap = SS_MAX(b->cap * 2, SS_MAX(SS_BATCH_BYTES + (SS_BATCH_BYTES >> 2), b->len + n));
        char *nd = ss_realloc(b->data, cap);

        if (nd == NULL)
            return -ENOMEM;
        b->data = nd;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->recs[b->n++] = (struct ss_batch_rec){ .off = b->len,
                                             .len = n,
                                             .loc = loc ? *loc : (struct ss_loc){ 0 },
                                             .line = line,
                                             .flags = flags };
    b->len += n;
    return 0;
}

bool ss_batch_full(const struct ss_batch *b)
{
    return b->len >= SS_BATCH_BYTES || b->n >= SS_BATCH_RECORDS;
}

void ss_batchq_put_back(struct ss_batchq *q, struct ss_batch *b)
{
    if (b == NULL)
        return;
    pthread_mutex_lock(&q->mu);
    b->next = q->free_list;
    q->free_list = b;
    pthread_mutex_unlock(&q->mu);
}

/* The oldest queued batch (with q->mu held); NULL if none. */
static struct ss_batch *pop(struct ss_batchq *q)
{
    struct ss_batch *b = q->head;

    if (b != NULL) {
        q->head = b->next;
        if (q->head == NULL)
            q->tail = NULL;
        q->len--;
    }
    return b;
}

/* Run @b with q->mu held (released meanwhile), then recycle it. */
static int run_locked(struct ss_batchq *q, struct ss_batch *b, unsigned worker)
{
    int r;

    pthread_mutex_unlock(&q->mu);
    r = q->fn(q->ctx, b, worker);
    pthread_mutex_lock(&q->mu);
    b->next = q->free_list;
    q->free_list = b;
    return r;
}

/* Run queued batches until there are none (with q->mu held). */
static int drain_locked(struct ss_batchq *q, unsigned worker)
{
    struct ss_batch *b;
    int r = 0;

    while (r == 0 && (b = pop(q)) != NULL)
        r = run_locked(q, b, worker);
    return r;
}

int ss_batchq_push(struct ss_batchq *q, struct ss_batch *b, unsigned worker)
{
    int r = 0;

    pthread_mutex_lock(&q->mu);
    while (r == 0 && q->len >= q->max)
        r = run_locked(q, pop(q), worker);
    b->next = NULL;
    if (q->tail != NULL)
        q->tail->next = b;
    else
        q->head = b;
    q->tail = b;
    q->len++;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return r;
}

int ss_batchq_done(struct ss_batchq *q, unsigned worker)
{
    int r;

    pthread_mutex_lock(&q->mu);
    q->readers_left--;
    pthread_cond_broadcast(&q->cv);
    r = drain_locked(q, worker);
    pthread_mutex_unlock(&q->mu);
    return r;
}

int ss_batchq_help(struct ss_batchq *q, unsigned worker)
{
    int r = 0;

    pthread_mutex_lock(&q->mu);
    while (r == 0 && !q->abort) {
        r = drain_locked(q, worker);
        if (r == 0 && q->readers_left == 0)
            break;
        if (r == 0 && !q->abort)
            pthread_cond_wait(&q->cv, &q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return r;
}

void ss_batchq_abort(struct ss_batchq *q)
{
    pthread_mutex_lock(&q->mu);
    q->abort = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}
