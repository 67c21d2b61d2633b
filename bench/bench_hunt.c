/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/bench_hunt.c - throughput of Sigma matching (issue 4): RULES are loaded and
 * compiled once (the load and compile time is printed), then every FILE is read the way
 * hunt and review read it (ss_reader, records framed without validation; the records
 * that reach rule evaluation are validated by the engine) and matched against every
 * routed rule; MB/s of decoded bytes, records/s, candidates and hits are printed, best
 * of N runs. With --threads N a plain JSON lines FILE is read in N byte ranges on N
 * threads (one match scratch each); other files are read whole on one matching thread.
 * A compressed FILE is decoded on a decode thread of its own (SS_READER_PIPELINE), as
 * `siloscope hunt` does, unless --no-pipeline; --blocks N:KIB sizes the decoded blocks.
 *
 * usage: bench_hunt [--runs N] [--threads N] [--no-prefilter] [--validate-all]
 *                   [--no-pipeline] [--blocks N:KIB] --rules DIR [--rules DIR]... FILE...
 *        bench_hunt --load-only --rules DIR...    (load + compile time only)
 */
#include "sigma/sigma.h"

#include "core/alloc.h"
#include "core/parse.h"
#include "core/pool.h"
#include "core/ss_time.h"
#include "io/io.h"

#include <sys/stat.h>

#define MAX_RULE_DIRS 16
#define MAX_THREADS 64

struct job {
    const struct ss_sigma_ruleset *rs;
    const struct ss_case *c;
    int source;
    uint64_t size;
    unsigned n_ranges;
    bool validate_all;
    bool pipeline;
    unsigned n_blocks;
    size_t block_bytes;
    struct ss_sigma_scratch *scr[MAX_THREADS];
    uint64_t decoded[MAX_THREADS], records[MAX_THREADS], hits[MAX_THREADS];
    int err[MAX_THREADS];
};

static int run_range(void *ctx, size_t task, unsigned worker)
{
    struct job *j = ctx;
    struct ss_reader *rd = NULL;
    struct ss_diag d;
    struct ss_record rec;
    int r;

    (void)worker;
    if (j->n_ranges > 1) {
        uint64_t b = j->size * task / j->n_ranges, e = j->size * (task + 1) / j->n_ranges;

        r = ss_reader_open_range(j->c, 0, b, task + 1 == j->n_ranges ? UINT64_MAX : e, 0, NULL,
                                 NULL, NULL, &rd, &d);
    } else {
        r = ss_reader_open(j->c, 0, NULL, NULL, NULL, &rd, &d);
    }
    if (r < 0) {
        j->err[task] = r;
        return r;
    }
    ss_reader_set_flags(rd, (j->validate_all ? 0u : (unsigned)SS_READER_NO_VALIDATE) |
                                (j->pipeline ? (unsigned)SS_READER_PIPELINE : 0u));
    ss_reader_set_decode_blocks(rd, j->n_blocks, j->block_bytes);
    for (;;) {
        const struct ss_sigma_hit *hits;
        size_t n;

        r = ss_reader_next(rd, &rec, &d);
        if (r == 0)
            break;
        if (r < 0)
            continue;
        j->records[task]++;
        r = ss_sigma_match(j->rs, j->scr[task], j->source, rec.ptr, rec.len, &rec.loc, &hits, &n);
        if (r < 0 && r != SS_ESYNTAX) {
            j->err[task] = r;
            break;
        }
        j->hits[task] += n;
    }
    j->decoded[task] = ss_reader_decoded_bytes(rd);
    ss_reader_free(rd);
    return j->err[task];
}

struct opts {
    unsigned runs, threads, n_blocks;
    size_t block_bytes;
    bool validate_all, pipeline;
};

static int bench_file(const struct ss_sigma_ruleset *rs, const char *path, const struct opts *o)
{
    const unsigned runs = o->runs, threads = o->threads;
    const bool validate_all = o->validate_all;
    struct ss_case c = { 0 };
    struct ss_diag d;
    double best = 1e30;
    uint64_t decoded = 0, records = 0, hits = 0;
    struct ss_sigma_stats st = { 0 };
    int r, src;

    r = ss_case_from_file(path, NULL, &c, &d);
    if (r < 0) {
        fprintf(stderr, "bench_hunt: %s: %s\n", path, d.msg);
        return r;
    }
    src = ss_sigma_source(rs, ss_input_kind_name(c.inputs[0].kind));
    if (src < 0) {
        fprintf(stderr, "bench_hunt: %s: no rule for kind %s\n", path,
                ss_input_kind_name(c.inputs[0].kind));
        ss_case_release(&c);
        return SS_ENOTFOUND;
    }
    for (unsigned run = 0; run < runs; run++) {
        struct job j = { .rs = rs,
                         .c = &c,
                         .source = src,
                         .size = c.inputs[0].size_bytes,
                         .validate_all = validate_all,
                         .pipeline = o->pipeline,
                         .n_blocks = o->n_blocks,
                         .block_bytes = o->block_bytes };
        int64_t t0;
        double secs;

        j.n_ranges = (c.inputs[0].comp == SS_COMP_NONE && c.inputs[0].layout == SS_LAYOUT_LINES)
                         ? threads
                         : 1;
        for (unsigned i = 0; i < j.n_ranges; i++) {
            j.scr[i] = ss_sigma_scratch_new(rs, validate_all ? 0 : SS_SIGMA_VALIDATE);
            if (j.scr[i] == NULL)
                return -ENOMEM;
        }
        t0 = ss_time_mono_us();
        r = ss_pool_run(j.n_ranges, j.n_ranges, run_range, &j);
        secs = (double)(ss_time_mono_us() - t0) / 1e6;
        decoded = records = hits = 0;
        memset(&st, 0, sizeof(st));
        for (unsigned i = 0; i < j.n_ranges; i++) {
            /* byte ranges of a plain file tile it: count the file once */
            decoded += j.n_ranges > 1 ? (i == 0 ? j.size : 0) : j.decoded[i];
            records += j.records[i];
            hits += j.hits[i];
            ss_sigma_scratch_stats(j.scr[i], &st);
            ss_sigma_scratch_free(j.scr[i]);
        }
        if (r < 0) {
            fprintf(stderr, "bench_hunt: %s: %s\n", path, ss_strerror(r));
            ss_case_release(&c);
            return r;
        }
        if (secs < best)
            best = secs;
    }
    printf("%-40s %-12s %2u thr%s %9.1f MB %8.3f s %9.1f MB/s %10.0f rec/s  records=%" PRIu64
           " candidates=%" PRIu64 " evals=%" PRIu64 " hits=%" PRIu64 "\n",
           path, ss_input_kind_name(c.inputs[0].kind), threads,
           o->pipeline && c.inputs[0].comp != SS_COMP_NONE ? " +dec" : "", (double)decoded / 1e6,
           best, (double)decoded / 1e6 / best, (double)records / best, records, st.n_candidates,
           st.n_evals, hits);
    ss_case_release(&c);
    return 0;
}

int main(int argc, char **argv);

int main(int argc, char **argv)
{
    const char *dirs[MAX_RULE_DIRS];
    size_t n_dirs = 0;
    struct opts o = { .runs = 3, .threads = 1, .pipeline = true };
    unsigned flags = 0;
    bool load_only = false;
    struct ss_sigma_ruleset *rs;
    struct ss_diag d;
    int64_t t0;
    int i, r = 0;

    for (i = 1; i < argc; i++) {
        uint64_t v;

        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc &&
            ss_parse_u64(argv[i + 1], strlen(argv[i + 1]), &v) == 0 && v > 0 && v < 100) {
            o.runs = (unsigned)v;
            i++;
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc &&
                   ss_parse_u64(argv[i + 1], strlen(argv[i + 1]), &v) == 0 && v > 0 &&
                   v <= MAX_THREADS) {
            o.threads = (unsigned)v;
            i++;
        } else if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc && n_dirs < MAX_RULE_DIRS) {
            dirs[n_dirs++] = argv[++i];
        } else if (strcmp(argv[i], "--no-prefilter") == 0) {
            flags |= SS_SIGMA_NO_PREFILTER;
        } else if (strcmp(argv[i], "--validate-all") == 0) {
            o.validate_all = true;
        } else if (strcmp(argv[i], "--no-pipeline") == 0) {
            o.pipeline = false;
        } else if (strcmp(argv[i], "--blocks") == 0 && i + 1 < argc &&
                   strchr(argv[i + 1], ':') != NULL) {
            const char *b = argv[++i], *colon = strchr(b, ':');

            if (ss_parse_u64(b, (size_t)(colon - b), &v) != 0 || v > 64)
                break;
            o.n_blocks = (unsigned)v;
            if (ss_parse_u64(colon + 1, strlen(colon + 1), &v) != 0 || v > 4096)
                break;
            o.block_bytes = (size_t)v << 10;
        } else if (strcmp(argv[i], "--load-only") == 0) {
            load_only = true;
        } else {
            break;
        }
    }
    if (n_dirs == 0 || (i == argc && !load_only)) {
        fprintf(stderr, "usage: bench_hunt [--runs N] [--threads N] [--no-prefilter] "
                        "[--validate-all] [--no-pipeline] [--blocks N:KIB] --rules DIR... "
                        "FILE...\n"
                        "       bench_hunt --load-only --rules DIR...\n");
        return 2;
    }
    t0 = ss_time_mono_us();
    rs = ss_sigma_ruleset_new(flags);
    if (rs == NULL)
        return 4;
    ss_sigma_ruleset_set_threads(rs, ss_pool_default_threads());
    for (size_t k = 0; k < n_dirs && r == 0; k++)
        r = ss_sigma_load_path(rs, dirs[k], &d);
    if (r == 0)
        r = ss_sigma_compile(rs, &d);
    if (r < 0) {
        fprintf(stderr, "bench_hunt: rules: %s: %s\n", d.file, d.msg);
        ss_sigma_ruleset_free(rs);
        return 3;
    }
    printf("rules: %zu loaded from %zu documents, load + compile %.3f s\n", ss_sigma_rule_count(rs),
           ss_sigma_report_len(rs), (double)(ss_time_mono_us() - t0) / 1e6);
    for (; !load_only && i < argc; i++)
        if (bench_file(rs, argv[i], &o) < 0)
            r = 1;
    ss_sigma_ruleset_free(rs);
    return r < 0 ? 1 : 0;
}
