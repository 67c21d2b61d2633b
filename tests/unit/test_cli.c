/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_cli.c - unit tests of what every command shares (cli/cli.c): the
 * argument parser (options anywhere, --name=value, "--", values, errors) and the mapping
 * from error codes to documented exit codes.
 */
#include "ss_test.h"

#include "cli/cli.h"

#include "cli/batch.h"
#include "core/pool.h"

#include <stdatomic.h>

static void test_args_mixed(void)
{
    char *argv[] = { "review",    "case", "-o", "out",    "--threads=4",
                     "--fail-on", "high", "--", "-weird", NULL };
    struct ss_args a;
    const char *out = NULL, *threads = NULL, *fail = NULL;
    int n_opts = 0;

    ss_args_init(&a, 9, argv);
    while (ss_args_next(&a)) {
        n_opts++;
        if (ss_args_value(&a, "output", 'o', &out))
            continue;
        if (ss_args_value(&a, "threads", 'j', &threads))
            continue;
        if (ss_args_value(&a, "fail-on", 0, &fail))
            continue;
        ASSERT_TRUE(false);
    }
    ASSERT_EQ(n_opts, 3);
    ASSERT_STREQ(out, "out");
    ASSERT_STREQ(threads, "4");
    ASSERT_STREQ(fail, "high");
    ASSERT_EQ(a.n_pos, 2);
    ASSERT_STREQ(a.pos[0], "case");
    ASSERT_STREQ(a.pos[1], "-weird");
    ASSERT_TRUE(!a.bad);
}

static void test_args_errors(void)
{
    char *argv1[] = { "cat", "--strict=yes", NULL };
    char *argv2[] = { "review", "-o", NULL };
    char *argv3[] = { "review", "--outputx", "d", NULL };
    char *argv4[] = { "synth", "-", "--help", NULL };
    struct ss_args a;
    const char *v = "unchanged";
    uint64_t n = 7;

    ss_args_init(&a, 2, argv1);
    ASSERT_TRUE(ss_args_next(&a));
    ASSERT_TRUE(ss_args_flag(&a, "strict", 0));
    ASSERT_TRUE(a.bad);

    ss_args_init(&a, 2, argv2);
    ASSERT_TRUE(ss_args_next(&a));
    ASSERT_TRUE(ss_args_value(&a, "output", 'o', &v));
    ASSERT_STREQ(v, "unchanged");
    ASSERT_TRUE(a.bad);
    ASSERT_TRUE(!ss_args_next(&a));

    ss_args_init(&a, 3, argv3);
    ASSERT_TRUE(ss_args_next(&a));
    ASSERT_TRUE(!ss_args_value(&a, "output", 'o', &v));
    ASSERT_EQ(ss_args_unknown(&a), SS_EXIT_USAGE);

    ss_args_init(&a, 3, argv4);
    ASSERT_TRUE(ss_args_next(&a));
    ASSERT_TRUE(ss_args_help(&a));
    ASSERT_EQ(a.n_pos, 1);
    ASSERT_STREQ(a.pos[0], "-");

    ss_args_init(&a, 1, argv4);
    ASSERT_EQ(ss_args_u64(&a, "--tenants", "12x", &n), SS_ESYNTAX);
    ASSERT_EQ(n, 7);
    ASSERT_OK(ss_args_u64(&a, "--size", "2M", &n));
    ASSERT_U64_EQ(n, (uint64_t)2 << 20);
}

static void test_exit_codes(void)
{
    ASSERT_EQ(ss_cli_exit_for(0), SS_EXIT_OK);
    ASSERT_EQ(ss_cli_exit_for(-ENOENT), SS_EXIT_INPUT);
    ASSERT_EQ(ss_cli_exit_for(-EACCES), SS_EXIT_INPUT);
    ASSERT_EQ(ss_cli_exit_for(SS_ESYNTAX), SS_EXIT_INPUT);
    ASSERT_EQ(ss_cli_exit_for(SS_ELIMIT), SS_EXIT_INPUT);
    ASSERT_EQ(ss_cli_exit_for(SS_EVERIFY), SS_EXIT_FAIL);
    ASSERT_EQ(ss_cli_exit_for(-ENOMEM), SS_EXIT_INTERNAL);
    ASSERT_EQ(ss_cli_exit_for(-ENOSPC), SS_EXIT_INTERNAL);
    ASSERT_TRUE(!ss_cli_progress_enabled() || getenv("SILOSCOPE_QUIET") == NULL);
}

/* ss_batch_worth: size floor, share of the run, workers. */
static void test_batch_worth(void)
{
    ASSERT_TRUE(ss_batch_worth(100, 10, 100, 2));
    ASSERT_TRUE(!ss_batch_worth(100, 10, 100, 1)); /* one worker */
    ASSERT_TRUE(!ss_batch_worth(9, 10, 9, 4));     /* under the floor */
    ASSERT_TRUE(ss_batch_worth(26, 10, 200, 4));   /* 26 > 200 / 8 */
    ASSERT_TRUE(!ss_batch_worth(25, 10, 200, 4));  /* 25 = 200 / 8 */
    ASSERT_TRUE(!ss_batch_worth(1000, 10, 100000, 16));
}

/*
 * The batch queue: 3 readers of 400 batches each, one record per batch (its reader and
 * sequence number), on 1 to 4 workers with helper tasks. Every batch runs exactly once,
 * never more than max batches wait, and a reader never waits (a full queue runs here).
 */
enum { BQ_READERS = 3, BQ_BATCHES = 400 };

static char bq_owner[BQ_READERS]; /* a batch's owner: &bq_owner[reader] */

struct bq_test {
    struct ss_batchq q;
    unsigned workers;
    atomic_uint runs[BQ_READERS][BQ_BATCHES];
    atomic_uint worst_queue;
};

static int bq_run(void *ctx, const struct ss_batch *b, unsigned worker)
{
    struct bq_test *t = ctx;
    size_t reader = (size_t)((const char *)b->owner - bq_owner);
    unsigned len;

    (void)worker;
    if (b->n != 1 || b->recs[0].len != sizeof(unsigned) || reader >= BQ_READERS ||
        b->seq >= BQ_BATCHES)
        return -EINVAL;
    memcpy(&len, b->data, sizeof(len));
    if (len != (unsigned)(reader * 1000 + b->seq))
        return -EINVAL;
    atomic_fetch_add(&t->runs[reader][b->seq], 1);
    return 0;
}

static int bq_task(void *ctx, size_t task, unsigned worker)
{
    struct bq_test *t = ctx;
    int r = 0;

    if (task >= BQ_READERS)
        return ss_batchq_help(&t->q, worker);
    for (size_t k = 0; k < BQ_BATCHES && r == 0; k++) {
        struct ss_batch *b = ss_batchq_get(&t->q, &bq_owner[task], k);
        unsigned v = (unsigned)(task * 1000 + k), len;

        if (b == NULL)
            return -ENOMEM;
        r = ss_batch_add(b, (const char *)&v, sizeof(v), NULL, k + 1, 0);
        if (r == 0)
            r = ss_batchq_push(&t->q, b, worker);
        pthread_mutex_lock(&t->q.mu);
        len = (unsigned)t->q.len;
        pthread_mutex_unlock(&t->q.mu);
        if (len > atomic_load(&t->worst_queue))
            atomic_store(&t->worst_queue, len);
    }
    {
        int q = ss_batchq_done(&t->q, worker);

        return r < 0 ? r : q;
    }
}

static void test_batch_queue(void)
{
    for (unsigned workers = 1; workers <= 4; workers++) {
        static struct bq_test t;

        memset(&t, 0, sizeof(t));
        ASSERT_OK(ss_batchq_init(&t.q, BQ_READERS, 2 * workers, bq_run, &t));
        ASSERT_OK(ss_pool_run(workers, BQ_READERS + workers - 1, bq_task, &t));
        for (size_t r = 0; r < BQ_READERS; r++)
            for (size_t k = 0; k < BQ_BATCHES; k++)
                ASSERT_EQ(atomic_load(&t.runs[r][k]), 1);
        ASSERT_EQ(t.q.len, 0);
        ASSERT_EQ(t.q.readers_left, 0);
        ASSERT_TRUE(atomic_load(&t.worst_queue) <= 2 * workers);
        ss_batchq_release(&t.q);
    }
}

int main(void)
{
    SS_RUN(test_args_mixed);
    SS_RUN(test_args_errors);
    SS_RUN(test_exit_codes);
    SS_RUN(test_batch_worth);
    SS_RUN(test_batch_queue);
    return ss_test_done();
}
