/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/review.c - implements `siloscope review CASE`: the whole pipeline of one review.
 *
 *   discover -> read every input on N workers (hash the stored bytes, decode, split,
 *   count, locate bad records, run record checks) -> merge per input in input order ->
 *   findings in canonical order -> store (findings.sqlite) -> seal (manifest.json,
 *   manifest.dsse.json) -> render (findings.ocsf.jsonl, report.html) -> summary.
 *
 * Results are kept per input and merged by input index after the parallel phase, so
 * every output is independent of scheduling and of -j. Wall-clock times honour
 * SOURCE_DATE_EPOCH (seconds) so that whole output directories can be reproduced.
 */
#include "cli/cli.h"

#include "cli/batch.h"

#include "checks/checks.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/finding.h"
#include "core/parse.h"
#include "core/pool.h"
#include "core/ss_time.h"
#include "evidence/cloudtrail.h"
#include "evidence/dsse.h"
#include "evidence/evidence.h"
#include "evidence/sha256.h"
#include "io/io.h"
#include "json/json.h"
#include "report/report.h"
#include "sigma/sigma.h"
#include "store/store.h"

#include "ss_config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bad records kept as rows per input; all of them are counted. */
#define MAX_BAD_ROWS_PER_INPUT 1000
#define MAX_RULE_DIRS 64
#define FINDINGS_ARENA_MAX ((size_t)1 << 30)

struct review_opts {
    const char *case_root;
    const char *out_dir;
    const char *policy;
    const char *rules[MAX_RULE_DIRS];
    size_t n_rules;
    const char *mappings[MAX_RULE_DIRS];
    size_t n_mappings;
    const char *key;
    const char *fail_on;
    const char *aws_keys[MAX_RULE_DIRS];
    size_t n_aws_keys;
    unsigned threads;
    struct ss_sigma_keep keep; /* --max-memory: what the Sigma scratches keep */
};

struct bad_row {
    uint64_t offset;
    uint64_t line;
    int code;
    char reason[SS_DIAG_MSG_MAX];
};

/*
 * The result of one task: a whole input, or a byte range of a large uncompressed JSON
 * lines input (then line numbers are relative to the range until the merge), or the
 * hash of such an input (which runs beside its ranges).
 */
struct task_result {
    bool hashed;
    uint8_t sha256[SS_SHA256_LEN];
    uint64_t decoded_bytes;
    uint64_t newlines; /* range tasks: newline bytes in the stored range */
    uint64_t n_records;
    uint64_t n_bad;
    enum ss_store_input_status status;
    char *reason; /* owned; NULL if none */
    struct bad_row *bad;
    size_t n_bad_rows;
    int64_t first_us;
    int64_t last_us;
    bool time_slow; /* records lack time_fields[0]: look up every time field */
    struct ss_findings findings;
    struct ss_checks_state *checks; /* built-in checks' partial state (NULL if none) */
    /* CloudTrail integrity: the decoded bytes' hash, and a digest's or sidecar's text */
    bool dec_hashed;
    uint8_t dec_sha256[SS_SHA256_LEN];
    char *doc; /* owned; NULL if none */
    size_t doc_len;
    struct ss_loc doc_loc;
};

enum task_type {
    TASK_WHOLE = 0, /* read and hash a whole input */
    TASK_RANGE,     /* read a byte range; its newlines are counted for the line fix-up */
    TASK_HASH,      /* hash a whole input that is read in ranges */
};

struct task {
    enum task_type type;
    uint32_t input;
    uint64_t begin, end;
    uint64_t line_base; /* range tasks: lines before @begin (known after the read phase) */
    bool batched;       /* records checked and matched in batches by every worker */
};

/* An excerpt of a cited record, kept for the report. */
struct excerpt {
    struct ss_loc loc;
    char *text;
    size_t len;
};

struct excerpts {
    struct excerpt *items;
    size_t len, cap;
};

struct review {
    struct review_opts o;
    struct ss_case c;
    struct task *tasks;
    size_t n_tasks;
    size_t *first_range;                /* per input: index of its first range task, or SIZE_MAX */
    struct task_result *tres;           /* one per task */
    struct task_result *res;            /* one per input, merged from its tasks */
    struct ss_json_pathset *time_paths; /* every time field */
    struct ss_json_pathset *time_first; /* time_fields[0] alone */
    struct ss_checks *checks;
    struct ss_sigma_ruleset *rules;    /* NULL without --rules */
    struct ss_sigma_scratch **scratch; /* one per worker */
    unsigned n_scratch;
    size_t n_rules_rejected;
    struct excerpts excerpts; /* of cited records, for the report */
    int64_t phase_us[4];      /* discover, read, seal (within the next), seal + store + render */
    bool no_seal;             /* SILOSCOPE_BENCH_NO_SEAL: measure the seal's cost */
    unsigned threads;         /* workers of the read phase */
    size_t n_batched;         /* batched tasks (cli/batch.h) */
    struct ss_batchq q;       /* their batches, when n_batched > 0 */
    struct ss_checks_state **wchecks; /* per worker: checks of batched records */
    bool q_ready;                     /* q set up */
    struct ss_ct_keys *ct_keys;       /* NULL without --aws-keys */
    struct ss_ct_stats ct;
    atomic_uint_fast64_t doc_bytes; /* digest and sidecar text kept, against CT_DOC_BYTES */
    atomic_uint_fast64_t done_bytes;
    atomic_size_t done_inputs;
    uint64_t total_bytes;
};

static const char review_help[] =
    "usage: siloscope review CASE [-o OUT] [-j N] [--policy FILE] [--rules DIR]...\n"
    "                        [--mapping FILE]... [--aws-keys FILE]... [--key FILE]\n"
    "                        [--fail-on LEVEL]\n"
    "\n"
    "Review the export in the directory CASE: read and hash every input, run the checks\n"
    "and rules, and write the sealed review to OUT:\n"
    "  findings.sqlite       the findings database (docs/schema.md)\n"
    "  findings.ocsf.jsonl   one OCSF finding a line\n"
    "  report.html           the self-contained report\n"
    "  manifest.json         the seal: input and finding Merkle roots (docs/evidence.md)\n"
    "  manifest.dsse.json    the signed in-toto statement (with --key)\n"
    "\n"
    "options:\n"
    "  -o, --output OUT     output directory (default: CASE.review next to CASE)\n"
    "  -j, --threads N      worker threads (default: all cores)\n"
    "      --policy FILE    review policy: hashed into the seal; not applied yet\n"
    "      --rules DIR      Sigma rules: a file or directory (repeatable)\n"
    "      --mapping FILE   extra Sigma field mapping (repeatable; docs/sigma.md)\n"
    "      --max-memory SIZE\n"
    "                       budget of the Sigma hits and events kept for findings and\n"
    "                       correlations, all workers together (default 4G)\n"
    "      --aws-keys FILE  AWS CloudTrail public keys ('aws cloudtrail list-public-keys'\n"
    "                       output) to verify digest signatures (repeatable)\n"
    "      --key FILE       Ed25519 private key to sign the manifest (siloscope keygen)\n"
    "      --fail-on LEVEL  exit 1 when a finding is at or above LEVEL\n"
    "                       (informational, low, medium, high, critical)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit codes: 0 reviewed, 1 findings at or above --fail-on, 2 usage error,\n"
    "3 missing, empty or unreadable case, 4 cannot write outputs.\n";

static int64_t run_clock_us(void)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    int64_t s;

    if (sde != NULL && ss_parse_i64(sde, strlen(sde), &s) == 0 && s >= 0 &&
        s < INT64_MAX / SS_TIME_US_PER_SEC)
        return s * SS_TIME_US_PER_SEC;
    return ss_time_now_us();
}

/* Record time: the first of these fields present (Azure, CloudTrail, GCP, Activity REST). */
static const char *const time_fields[] = { "time", "eventTime", "timestamp", "eventTimestamp" };

/* The set of time_fields[0..n). */
static int make_time_paths(size_t n, struct ss_json_pathset **ret)
{
    struct ss_json_pathset *set = ss_json_pathset_new();

    if (set == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        struct ss_json_path *p = NULL;
        size_t slot;
        int r = ss_json_path_parse(time_fields[i], strlen(time_fields[i]), &p, NULL);

        if (r == 0) {
            r = ss_json_pathset_add(set, p, &slot);
            if (r < 0)
                ss_json_path_free(p);
        }
        if (r < 0) {
            ss_json_pathset_free(set);
            return r;
        }
    }
    *ret = set;
    return 0;
}

/* A time field's value: its time into *@us if it is a string that parses. */
static bool time_value(const struct ss_json_val *v, int64_t *us)
{
    char tmp[64];
    long long n;

    if (v->type != SS_JSON_STRING)
        return false;
    n = ss_json_str_copy(v, tmp, sizeof(tmp));
    return n >= 0 && (size_t)n < sizeof(tmp) && ss_time_parse(tmp, (size_t)n, us) == 0;
}

/*
 * The record's time is its first time field (in time_fields order) that holds a time.
 * The first field alone is looked up first while it keeps being found: extraction then
 * stops at it (usually the record's first key) instead of reading the whole record to
 * rule out the others. A task whose records lack it stops trying (res->time_slow).
 */
static void note_time(struct review *rv, struct task_result *res, const struct ss_record *rec)
{
    struct ss_json_val vals[SS_ARRAY_LEN(time_fields)];
    int64_t us = 0;
    bool found = false;

    if (!res->time_slow) {
        if (ss_json_extract(rv->time_first, rec->ptr, rec->len, vals) != 0)
            return;
        found = time_value(&vals[0], &us);
        res->time_slow = !found;
    }
    if (!found) {
        if (ss_json_extract(rv->time_paths, rec->ptr, rec->len, vals) != 0)
            return;
        for (size_t i = 0; i < SS_ARRAY_LEN(time_fields) && !found; i++)
            found = time_value(&vals[i], &us);
    }
    if (!found)
        return;
    if (res->first_us == 0 || us < res->first_us)
        res->first_us = us;
    if (res->last_us == 0 || us > res->last_us)
        res->last_us = us;
}

static int add_bad(struct task_result *res, const struct ss_diag *d, int code)
{
    struct bad_row *b;

    res->n_bad++;
    if (res->n_bad_rows >= MAX_BAD_ROWS_PER_INPUT)
        return 0;
    if (res->bad == NULL) {
        res->bad = ss_calloc(MAX_BAD_ROWS_PER_INPUT, sizeof(*res->bad));
        if (res->bad == NULL)
            return -ENOMEM;
    }
    b = &res->bad[res->n_bad_rows++];
    b->offset = d->offset;
    b->line = d->line;
    b->code = code;
    snprintf(b->reason, sizeof(b->reason), "%s", d->msg[0] != '\0' ? d->msg : ss_strerror(code));
    return 0;
}

/* Keep the first reason only. Returns 0 or -ENOMEM. */
static int set_reason_text(struct task_result *res, const char *text)
{
    if (res->reason != NULL)
        return 0;
    res->reason = ss_strdup(text);
    return res->reason == NULL ? -ENOMEM : 0;
}

static int set_reason(struct task_result *res, const struct ss_diag *d, int code)
{
    char where[SS_DIAG_MSG_MAX + 64];
    struct ss_diag loc = *d;

    loc.file[0] = '\0';
    if (loc.code == 0)
        ss_diag_set(&loc, code, NULL, 0, 0, UINT64_MAX, "%s", ss_strerror(code));
    ss_diag_format(&loc, where, sizeof(where));
    return set_reason_text(res, where);
}

/* Hash the stored bytes of an input that is not (or cannot be) decoded. */
static int hash_whole_file(const struct ss_input *in, struct task_result *res)
{
    int r = ss_sha256_file(in->path, res->sha256, NULL);

    if (r == 0)
        res->hashed = true;
    else if (r != -ENOMEM && set_reason_text(res, ss_strerror(r)) < 0)
        return -ENOMEM;
    return r == -ENOMEM ? r : 0;
}

struct range_observer {
    struct ss_sha256 *h; /* NULL for range tasks */
    uint64_t newlines;
};

static void observe_raw(void *ctx, const uint8_t *p, size_t len)
{
    struct range_observer *o = ctx;

    if (o->h != NULL) {
        ss_sha256_update(o->h, p, len);
        return;
    }
    for (const uint8_t *end = p + len; p < end;) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));

        if (nl == NULL)
            break;
        o->newlines++;
        p = nl + 1;
    }
}

/*
 * CloudTrail integrity (evidence/cloudtrail.h) needs the SHA-256 of the decoded bytes of
 * log files and digests, and the text of digests and their signature sidecars; they ride
 * along with the read pass. The text kept is capped for the whole review.
 */
#define CT_DOC_BYTES ((uint64_t)1 << 30)

static enum ss_ct_role ct_role(const struct ss_input *in)
{
    static const char side[] = ".metadata.json";
    size_t n = strlen(in->relpath);

    if (in->kind == SS_KIND_CLOUDTRAIL_DIGEST)
        return SS_CT_DIGEST;
    if (n > sizeof(side) - 1 && strcmp(in->relpath + n - (sizeof(side) - 1), side) == 0 &&
        strstr(in->relpath, "CloudTrail-Digest/") != NULL)
        return SS_CT_SIDECAR;
    return SS_CT_OTHER;
}

static bool ct_hash_decoded(const struct ss_input *in)
{
    return in->kind == SS_KIND_CLOUDTRAIL || in->kind == SS_KIND_CLOUDTRAIL_DIGEST;
}

static int keep_doc(struct review *rv, struct task_result *res, const struct ss_record *rec)
{
    if (atomic_fetch_add(&rv->doc_bytes, rec->len) + rec->len > CT_DOC_BYTES)
        return 0; /* the verifier reports the digest as not kept */
    res->doc = ss_malloc(rec->len + 1);
    if (res->doc == NULL)
        return -ENOMEM;
    memcpy(res->doc, rec->ptr, rec->len);
    res->doc[rec->len] = '\0';
    res->doc_len = rec->len;
    res->doc_loc = rec->loc;
    return 0;
}

/* The rules' source slot for inputs of @kind; -1 if no rule runs on them. */
static int rule_source(const struct review *rv, enum ss_input_kind kind)
{
    return rv->rules != NULL ? ss_sigma_source(rv->rules, ss_input_kind_name(kind)) : -1;
}

/* The checks and the rules (@source, from rule_source) on one validated record. */
static int check_record(struct review *rv, enum ss_input_kind kind, int source,
                        struct ss_checks_state *checks, unsigned worker, const char *rec,
                        size_t len, const struct ss_loc *loc)
{
    int r = 0;

    if (checks != NULL)
        r = ss_checks_record(checks, kind, rec, len, loc);
    if (r == 0 && source >= 0) {
        const struct ss_sigma_hit *hits;
        size_t n_hits;

        r = ss_sigma_match(rv->rules, rv->scratch[worker], source, rec, len, loc, &hits, &n_hits);
    }
    return r;
}

/* Check a batch of records of a batched task on @worker (ss_batch_fn). */
static int review_batch_run(void *ctx, const struct ss_batch *b, unsigned worker)
{
    struct review *rv = ctx;
    const struct task *t = b->owner;
    enum ss_input_kind kind = rv->c.inputs[t->input].kind;
    int source = rule_source(rv, kind), r = 0;

    for (size_t i = 0; i < b->n && r == 0; i++)
        r = check_record(rv, kind, source, rv->wchecks[worker], worker, b->data + b->recs[i].off,
                         b->recs[i].len, &b->recs[i].loc);
    return r;
}

/* Queue a batched task's record @rec for the workers. */
static int batch_record(struct review *rv, const struct task *t, struct ss_batch **b, size_t *seq,
                        const struct ss_record *rec, unsigned worker)
{
    int r;

    if (*b == NULL) {
        *b = ss_batchq_get(&rv->q, (void *)t, (*seq)++);
        if (*b == NULL)
            return -ENOMEM;
    }
    r = ss_batch_add(*b, rec->ptr, rec->len, &rec->loc, 0, 0);
    if (r == 0 && ss_batch_full(*b)) {
        r = ss_batchq_push(&rv->q, *b, worker);
        *b = NULL;
    }
    return r;
}

static int read_records(struct review *rv, const struct task *t, const struct ss_input *in,
                        struct ss_reader *rd, struct task_result *res, unsigned worker)
{
    struct ss_batch *b = NULL;
    size_t seq = 0;
    struct ss_diag d;
    int source = rule_source(rv, in->kind), r;

    for (;;) {
        struct ss_record rec;

        ss_diag_clear(&d);
        r = ss_reader_next(rd, &rec, &d);
        if (r == 0)
            break;
        if (r == 1) {
            res->n_records++;
            note_time(rv, res, &rec);
            if (res->n_records == 1 && ct_role(in) != SS_CT_OTHER) {
                r = keep_doc(rv, res, &rec);
                if (r < 0)
                    break;
            }
            /* a record larger than a batch is checked here, so batches stay bounded */
            if (t->batched && rec.len <= SS_BATCH_BYTES)
                r = batch_record(rv, t, &b, &seq, &rec, worker);
            else
                r = check_record(rv, in->kind, source, res->checks, worker, rec.ptr, rec.len,
                                 &rec.loc);
            if (r < 0)
                break;
            continue;
        }
        if (r == -ENOMEM)
            break;
        if (r == SS_ESYNTAX || r == SS_ELIMIT) {
            r = add_bad(res, &d, r);
            if (r < 0)
                break;
            continue;
        }
        /* A damaged stream or an I/O error ends this input; what was read is kept. */
        res->status = SS_STORE_INPUT_DAMAGED;
        r = set_reason(res, &d, r);
        break;
    }
    if (b != NULL && r == 0 && b->n > 0)
        return ss_batchq_push(&rv->q, b, worker);
    ss_batchq_put_back(&rv->q, b);
    return r;
}

#define PIPELINE_MIN_BYTES ((uint64_t)1 << 20)

static int read_task(struct review *rv, size_t index, unsigned worker)
{
    const struct task *t = &rv->tasks[index];
    const struct ss_input *in = &rv->c.inputs[t->input];
    struct task_result *res = &rv->tres[index];
    struct ss_reader *rd = NULL;
    struct ss_sha256 h = { 0 }, dh = { 0 };
    bool dec_hash = t->type == TASK_WHOLE && ct_hash_decoded(in);
    struct range_observer obs = { .h = t->type == TASK_RANGE || rv->no_seal ? NULL : &h };
    struct ss_diag d;
    int r = 0, fatal = 0;

    ss_findings_init(&res->findings, FINDINGS_ARENA_MAX);
    if (t->type == TASK_HASH) {
        r = rv->no_seal ? 0 : hash_whole_file(in, res);
        goto out;
    }
    if (in->kind == SS_KIND_UNKNOWN) {
        res->status = SS_STORE_INPUT_UNKNOWN;
        r = set_reason_text(res,
                            in->why_unknown != NULL ? in->why_unknown : "content not understood");
        if (r == 0 && !rv->no_seal)
            r = hash_whole_file(in, res);
        goto out;
    }
    if (obs.h != NULL) {
        r = ss_sha256_init(&h);
        if (r < 0)
            goto out;
    }
    ss_diag_clear(&d);
    if (t->type == TASK_RANGE)
        r = ss_reader_open_range(&rv->c, t->input, t->begin, t->end, 1, NULL, observe_raw, &obs,
                                 &rd, &d);
    else
        r = ss_reader_open(&rv->c, t->input, NULL, observe_raw, &obs, &rd, &d);
    if (r < 0) {
        if (r == -ENOMEM)
            goto out;
        res->status = SS_STORE_INPUT_DAMAGED;
        r = set_reason(res, &d, r);
        if (r == 0 && t->type == TASK_WHOLE)
            r = hash_whole_file(in, res);
        goto out;
    }
    /* A large compressed input decodes (and hashes its stored bytes) on a thread of its
       own, beside the matching: io.h SS_READER_PIPELINE. */
    if (t->type == TASK_WHOLE && rv->threads > 1 && in->comp != SS_COMP_NONE &&
        in->size_bytes >= PIPELINE_MIN_BYTES)
        ss_reader_set_flags(rd, SS_READER_PIPELINE);
    if (dec_hash) {
        r = ss_sha256_init(&dh);
        if (r < 0)
            goto out;
        ss_reader_set_decoded_observer(rd, ss_sha256_observe, &dh);
    }
    r = ss_checks_state_new(rv->checks, &res->checks);
    if (r < 0)
        goto out;
    r = read_records(rv, t, in, rd, res, worker);
    if (r < 0) {
        /* Reader problems are per input and already recorded; what comes back here is
           a checks or rules failure (memory, a cap), which must stop the review. */
        fatal = r;
        goto out;
    }
    r = ss_reader_drain(rd);
    if (r < 0) {
        if (r == -ENOMEM)
            goto out;
        res->status = SS_STORE_INPUT_DAMAGED;
        ss_diag_clear(&d);
        r = set_reason(res, &d, r);
        if (r < 0)
            goto out;
    }
    /* A range reads on past its end to finish its last line: count only its own share. */
    res->decoded_bytes = t->type == TASK_RANGE ? SS_MIN(t->end, in->size_bytes) - t->begin
                                               : ss_reader_decoded_bytes(rd);
    res->newlines = obs.newlines;
    if (obs.h != NULL) {
        r = ss_sha256_final(&h, res->sha256);
        if (r == 0)
            res->hashed = true;
    }
    if (r == 0 && dec_hash && ss_reader_decoded_complete(rd)) {
        r = ss_sha256_final(&dh, res->dec_sha256);
        if (r == 0)
            res->dec_hashed = true;
    }
out:
    ss_reader_free(rd);
    ss_sha256_release(&h);
    ss_sha256_release(&dh);
    if (t->type != TASK_HASH) {
        atomic_fetch_add(&rv->done_bytes, t->type == TASK_RANGE
                                              ? SS_MIN(t->end, in->size_bytes) - t->begin
                                              : in->size_bytes);
        atomic_fetch_add(&rv->done_inputs, 1);
    }
    if (worker == 0)
        ss_cli_progress("reading: %zu of %zu tasks, %.1f MB", (size_t)atomic_load(&rv->done_inputs),
                        rv->n_tasks, (double)atomic_load(&rv->done_bytes) / 1e6);
    if (fatal < 0)
        return fatal;
    return r == -ENOMEM ? r : 0;
}

/* Pool task: a task of the read phase, or (past them) a helper that checks batches. */
static int run_task(void *ctx, size_t index, unsigned worker)
{
    struct review *rv = ctx;
    int r;

    if (index >= rv->n_tasks) {
        r = ss_batchq_help(&rv->q, worker);
    } else {
        r = read_task(rv, index, worker);
        if (rv->tasks[index].batched) {
            /* no helper may be left: check what is still queued */
            int q = ss_batchq_done(&rv->q, worker);

            r = r < 0 ? r : q;
        }
    }
    if (r < 0 && rv->n_batched > 0)
        ss_batchq_abort(&rv->q);
    return r;
}

/*
 * Deal the inputs into tasks. An uncompressed JSON-lines input larger than
 * RANGE_SPLIT_BYTES is read as ranges of RANGE_BYTES (cut at any byte: the reader
 * aligns on lines) plus one hash task placed before them, so that the single
 * sequential hash of the file runs beside the parallel parse.
 */
#define RANGE_BYTES ((uint64_t)32 << 20)
#define RANGE_SPLIT_BYTES ((uint64_t)64 << 20)

static bool split_input(const struct ss_input *in, unsigned threads)
{
    return threads > 1 && in->comp == SS_COMP_NONE && in->layout == SS_LAYOUT_LINES &&
           in->size_bytes > RANGE_SPLIT_BYTES;
}

static int make_tasks(struct review *rv, unsigned threads)
{
    size_t n = 0;
    uint64_t total = 0;

    for (size_t i = 0; i < rv->c.n_inputs; i++) {
        const struct ss_input *in = &rv->c.inputs[i];

        total += in->size_bytes;
        n += split_input(in, threads)
                 ? 1 + (size_t)((in->size_bytes + RANGE_BYTES - 1) / RANGE_BYTES)
                 : 1;
    }
    rv->tasks = ss_calloc(n, sizeof(*rv->tasks));
    rv->tres = ss_calloc(n, sizeof(*rv->tres));
    rv->first_range = ss_calloc(rv->c.n_inputs + 1, sizeof(*rv->first_range));
    if (rv->tasks == NULL || rv->tres == NULL || rv->first_range == NULL)
        return -ENOMEM;
    rv->n_tasks = 0;
    for (size_t i = 0; i < rv->c.n_inputs; i++) {
        const struct ss_input *in = &rv->c.inputs[i];

        rv->first_range[i] = SIZE_MAX;
        if (!split_input(in, threads)) {
            /* a large compressed input is checked and matched by every worker */
            bool batched = in->comp != SS_COMP_NONE && in->kind != SS_KIND_UNKNOWN &&
                           ss_batch_worth(in->size_bytes, PIPELINE_MIN_BYTES, total, threads);

            rv->tasks[rv->n_tasks++] =
                (struct task){ .type = TASK_WHOLE, .input = (uint32_t)i, .batched = batched };
            rv->n_batched += batched;
            continue;
        }
        rv->tasks[rv->n_tasks++] = (struct task){ .type = TASK_HASH, .input = (uint32_t)i };
        rv->first_range[i] = rv->n_tasks;
        for (uint64_t b = 0; b < in->size_bytes; b += RANGE_BYTES)
            rv->tasks[rv->n_tasks++] = (struct task){
                .type = TASK_RANGE,
                .input = (uint32_t)i,
                .begin = b,
                .end = b + RANGE_BYTES >= in->size_bytes ? UINT64_MAX : b + RANGE_BYTES,
            };
    }
    return 0;
}

/*
 * Batched tasks (large compressed inputs, more than one worker): the reader validates
 * the records and keeps their times, and the workers run the checks (one state each,
 * folded in with the tasks') and the rules on batches of them (cli/batch.h).
 */
#define BATCHES_PER_WORKER 2u

static int setup_batches(struct review *rv)
{
    int r;

    rv->wchecks = ss_calloc(rv->threads, sizeof(*rv->wchecks));
    if (rv->wchecks == NULL)
        return -ENOMEM;
    for (unsigned w = 0; w < rv->threads; w++) {
        r = ss_checks_state_new(rv->checks, &rv->wchecks[w]);
        if (r < 0)
            return r;
    }
    r = ss_batchq_init(&rv->q, rv->n_batched, (size_t)rv->threads * BATCHES_PER_WORKER,
                       review_batch_run, rv);
    rv->q_ready = r == 0;
    return r;
}

/* Fold task result @src into the input's result @dst; @line_base fixes range lines. */
static int merge_task(struct task_result *dst, struct task_result *src, const struct task *t,
                      uint64_t line_base)
{
    int r;

    if (t->type == TASK_HASH || t->type == TASK_WHOLE) {
        dst->hashed = src->hashed;
        memcpy(dst->sha256, src->sha256, sizeof(dst->sha256));
    }
    if (t->type == TASK_HASH) {
        return src->reason != NULL && !src->hashed ? set_reason_text(dst, src->reason) : 0;
    }
    if (t->type == TASK_WHOLE) {
        dst->dec_hashed = src->dec_hashed;
        memcpy(dst->dec_sha256, src->dec_sha256, sizeof(dst->dec_sha256));
        dst->doc = src->doc;
        dst->doc_len = src->doc_len;
        dst->doc_loc = src->doc_loc;
        src->doc = NULL;
    }
    dst->decoded_bytes += src->decoded_bytes;
    dst->n_records += src->n_records;
    dst->n_bad += src->n_bad;
    if (src->status != SS_STORE_INPUT_OK && dst->status == SS_STORE_INPUT_OK)
        dst->status = src->status;
    if (src->reason != NULL) {
        r = set_reason_text(dst, src->reason);
        if (r < 0)
            return r;
    }
    if (src->first_us != 0 && (dst->first_us == 0 || src->first_us < dst->first_us))
        dst->first_us = src->first_us;
    if (src->last_us > dst->last_us)
        dst->last_us = src->last_us;
    for (size_t k = 0; k < src->n_bad_rows; k++) {
        struct bad_row *b = &src->bad[k];

        if (dst->n_bad_rows >= MAX_BAD_ROWS_PER_INPUT)
            break;
        if (dst->bad == NULL) {
            dst->bad = ss_calloc(MAX_BAD_ROWS_PER_INPUT, sizeof(*dst->bad));
            if (dst->bad == NULL)
                return -ENOMEM;
        }
        dst->bad[dst->n_bad_rows] = *b;
        if (b->line != 0)
            dst->bad[dst->n_bad_rows].line += line_base;
        dst->n_bad_rows++;
    }
    return ss_findings_merge(&dst->findings, &src->findings);
}

static void task_result_release(struct task_result *res)
{
    ss_checks_state_free(res->checks);
    res->checks = NULL;
    ss_free(res->bad);
    res->bad = NULL;
    res->n_bad_rows = 0;
    ss_free(res->reason);
    res->reason = NULL;
    ss_free(res->doc);
    res->doc = NULL;
    ss_findings_release(&res->findings);
}

/*
 * Merge task results into one result per input, in task order (deterministic), and the
 * checks' partial states into one (@ret_checks, owned by the caller).
 */
static int merge_tasks(struct review *rv, struct ss_checks_state **ret_checks)
{
    struct ss_checks_state *all = NULL;
    uint64_t line_base = 0;
    int r;

    rv->res = ss_calloc(rv->c.n_inputs + 1, sizeof(*rv->res));
    if (rv->res == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < rv->c.n_inputs; i++)
        ss_findings_init(&rv->res[i].findings, FINDINGS_ARENA_MAX);
    r = ss_checks_state_new(rv->checks, &all);
    for (size_t k = 0; r == 0 && k < rv->n_tasks; k++) {
        struct task *t = &rv->tasks[k];
        struct task_result *dst = &rv->res[t->input];

        if (t->type != TASK_RANGE || t->begin == 0)
            line_base = 0;
        t->line_base = line_base;
        r = merge_task(dst, &rv->tres[k], t, line_base);
        if (r == 0 && rv->tres[k].checks != NULL)
            r = ss_checks_state_merge(all, rv->tres[k].checks);
        if (t->type == TASK_RANGE)
            line_base += rv->tres[k].newlines;
        task_result_release(&rv->tres[k]);
    }
    for (unsigned w = 0; r == 0 && rv->wchecks != NULL && w < rv->threads; w++)
        r = ss_checks_state_merge(all, rv->wchecks[w]);
    for (size_t i = 0; i < rv->c.n_inputs; i++) {
        if (rv->c.inputs[i].kind == SS_KIND_UNKNOWN)
            rv->res[i].status = SS_STORE_INPUT_UNKNOWN;
    }
    if (r < 0) {
        ss_checks_state_free(all);
        return r;
    }
    *ret_checks = all;
    return 0;
}

/*
 * Lines of records read in byte ranges were counted from the start of their range:
 * add the lines before the range that holds each record's first byte. The ranges of an
 * input are consecutive tasks of RANGE_BYTES each, so the range is offset / RANGE_BYTES.
 */
static void fix_range_lines(const struct review *rv, struct ss_findings *fs)
{
    for (size_t i = 0; i < fs->len; i++) {
        struct ss_finding *f = &fs->items[i];

        for (size_t e = 0; e < f->n_evidence; e++) {
            struct ss_loc *loc = &f->evidence[e].loc;
            size_t first;

            if (loc->input >= rv->c.n_inputs || loc->index == 0)
                continue;
            first = rv->first_range[loc->input];
            if (first == SIZE_MAX)
                continue;
            loc->index += rv->tasks[first + (size_t)(loc->offset / RANGE_BYTES)].line_base;
        }
    }
}

/* Print a located diagnostic as "review: WHAT: FILE:LINE:COL: reason". */
static void report_diag(const char *what, struct ss_diag *d, const char *file, int r)
{
    char msg[SS_DIAG_MSG_MAX + SS_DIAG_FILE_MAX + 64];

    if (d->code == 0)
        ss_diag_set(d, r, file, 0, 0, UINT64_MAX, "%s", ss_strerror(r));
    ss_diag_set_file(d, file);
    ss_diag_format(d, msg, sizeof(msg));
    ss_cli_error("review: %s: %s", what, msg);
}

/* Build the rules' prefilters for the input kinds of the case, and only those. */
static int build_prefilters(struct review *rv, unsigned threads, struct ss_diag *d)
{
    bool *used = ss_calloc(ss_sigma_source_count(rv->rules) + 1, sizeof(*used));
    int r;

    if (used == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < rv->c.n_inputs; i++) {
        int src = rule_source(rv, rv->c.inputs[i].kind);

        if (src >= 0)
            used[src] = true;
    }
    ss_diag_clear(d);
    r = ss_sigma_build_prefilters(rv->rules, used, threads, d);
    ss_free(used);
    return r;
}

/*
 * Load, check and compile the Sigma rules of --rules (and --mapping), and make one match
 * scratch per worker. Every rejected rule is named on stderr with its reason: none is
 * dropped silently (`siloscope rules check` gives the full load report).
 */
static int load_rules(struct review *rv, unsigned threads, size_t *ret_rejected)
{
    struct ss_diag d;
    size_t n_rejected = 0;
    int r;

    *ret_rejected = 0;
    if (rv->o.n_rules == 0)
        return 0;
    rv->rules = ss_sigma_ruleset_new(SS_SIGMA_DEFER_PREFILTER);
    if (rv->rules == NULL)
        return -ENOMEM;
    ss_sigma_ruleset_set_threads(rv->rules, threads);
    for (size_t i = 0; i < rv->o.n_mappings; i++) {
        ss_diag_clear(&d);
        r = ss_sigma_mapping_load(rv->rules, rv->o.mappings[i], &d);
        if (r < 0) {
            report_diag("cannot load mapping", &d, rv->o.mappings[i], r);
            return r;
        }
    }
    for (size_t i = 0; i < rv->o.n_rules; i++) {
        ss_diag_clear(&d);
        r = ss_sigma_load_path(rv->rules, rv->o.rules[i], &d);
        if (r < 0) {
            report_diag("cannot load rules", &d, rv->o.rules[i], r);
            return r;
        }
    }
    ss_diag_clear(&d);
    r = ss_sigma_compile(rv->rules, &d);
    if (r == 0)
        r = build_prefilters(rv, threads, &d);
    if (r < 0) {
        report_diag("cannot compile rules", &d, NULL, r);
        return r;
    }
    for (size_t i = 0; i < ss_sigma_report_len(rv->rules); i++) {
        const struct ss_sigma_entry *e = ss_sigma_report_at(rv->rules, i);

        if (e->status != SS_SIGMA_REJECTED)
            continue;
        n_rejected++;
        ss_cli_warn("review: rule rejected: %s:%u:%u: %s", e->file, e->line, e->column,
                    e->reason != NULL ? e->reason : ss_strerror(e->code));
    }
    (void)ss_cli_warn_unknown_kinds(rv->rules);
    rv->scratch = ss_calloc(threads, sizeof(*rv->scratch));
    if (rv->scratch == NULL)
        return -ENOMEM;
    rv->n_scratch = threads;
    for (unsigned w = 0; w < threads; w++) {
        rv->scratch[w] = ss_sigma_scratch_new(rv->rules, SS_SIGMA_KEEP_HITS);
        if (rv->scratch[w] == NULL)
            return -ENOMEM;
        ss_sigma_scratch_set_keep(rv->scratch[w], &rv->o.keep);
    }
    *ret_rejected = n_rejected;
    rv->n_rules_rejected = n_rejected;
    return 0;
}

/* The distinct rule files that were read, with their hashes, for the manifest. */
static int rule_files(const struct review *rv, struct ss_manifest_file **ret, size_t *ret_n)
{
    size_t n_entries = rv->rules != NULL ? ss_sigma_report_len(rv->rules) : 0, n = 0;
    struct ss_manifest_file *files = ss_calloc(n_entries + 1, sizeof(*files));

    if (files == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n_entries; i++) {
        const char *file = ss_sigma_report_at(rv->rules, i)->file;
        bool seen = false;
        int r;

        for (size_t k = n; k > 0 && !seen; k--)
            seen = strcmp(files[k - 1].relpath, file) == 0;
        if (seen)
            continue;
        r = ss_sha256_file(file, files[n].sha256, &files[n].size_bytes);
        if (r == -ENOMEM) {
            ss_free(files);
            return r;
        }
        files[n++].relpath = file;
    }
    *ret = files;
    *ret_n = n;
    return 0;
}

static int parse_args(int argc, char **argv, struct review_opts *o)
{
    struct ss_args a;
    uint64_t n;

    ss_sigma_keep_init(&o->keep, SS_SIGMA_MAX_KEPT_BYTES);
    ss_args_init(&a, argc, argv);
    while (ss_args_next(&a)) {
        const char *v = NULL;

        if (ss_args_help(&a)) {
            fputs(review_help, stdout);
            return -1;
        } else if (ss_args_value(&a, "output", 'o', &v)) {
            o->out_dir = v;
        } else if (ss_args_value(&a, "threads", 'j', &v)) {
            if (v != NULL && ss_args_u64(&a, "--threads", v, &n) == 0) {
                if (n == 0 || n > 1024) {
                    ss_cli_error("review: --threads must be between 1 and 1024");
                    a.bad = true;
                }
                o->threads = (unsigned)n;
            }
        } else if (ss_args_value(&a, "max-memory", 0, &v)) {
            if (v != NULL && ss_cli_max_memory(&a, v, &o->keep) != 0)
                a.bad = true;
        } else if (ss_args_value(&a, "policy", 0, &v)) {
            o->policy = v;
        } else if (ss_args_value(&a, "rules", 0, &v)) {
            if (o->n_rules == MAX_RULE_DIRS) {
                ss_cli_error("review: too many --rules (at most %d)", MAX_RULE_DIRS);
                a.bad = true;
            } else if (v != NULL) {
                o->rules[o->n_rules++] = v;
            }
        } else if (ss_args_value(&a, "mapping", 0, &v)) {
            if (o->n_mappings == MAX_RULE_DIRS) {
                ss_cli_error("review: too many --mapping (at most %d)", MAX_RULE_DIRS);
                a.bad = true;
            } else if (v != NULL) {
                o->mappings[o->n_mappings++] = v;
            }
        } else if (ss_args_value(&a, "aws-keys", 0, &v)) {
            if (o->n_aws_keys == MAX_RULE_DIRS) {
                ss_cli_error("review: too many --aws-keys (at most %d)", MAX_RULE_DIRS);
                a.bad = true;
            } else if (v != NULL) {
                o->aws_keys[o->n_aws_keys++] = v;
            }
        } else if (ss_args_value(&a, "key", 0, &v)) {
            o->key = v;
        } else if (ss_args_value(&a, "fail-on", 0, &v)) {
            o->fail_on = v;
        } else {
            return ss_args_unknown(&a);
        }
    }
    if (a.bad)
        return SS_EXIT_USAGE;
    if (a.n_pos != 1) {
        ss_cli_error("review: %s (see 'siloscope review --help')",
                     a.n_pos == 0 ? "missing CASE directory" : "exactly one CASE expected");
        return SS_EXIT_USAGE;
    }
    o->case_root = a.pos[0];
    return 0;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char tmp[4096];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof(tmp))
        return -ENAMETOOLONG;
    memcpy(tmp, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0')
            continue;
        tmp[i] = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return -errno;
        tmp[i] = i == n ? '\0' : '/';
    }
    return 0;
}

static const char *base_name(const char *path, char *out, size_t out_len)
{
    size_t n = strlen(path);
    size_t start;

    while (n > 1 && path[n - 1] == '/')
        n--;
    start = n;
    while (start > 0 && path[start - 1] != '/')
        start--;
    snprintf(out, out_len, "%.*s", (int)(n - start), path + start);
    return out;
}

struct totals {
    uint64_t size_bytes;
    uint64_t decoded_bytes;
    uint64_t n_records;
    uint64_t n_bad;
    size_t n_unknown;
    size_t n_damaged;
    int64_t first_us;
    int64_t last_us;
};

static void add_totals(const struct review *rv, struct totals *t)
{
    *t = (struct totals){ 0 };
    for (size_t i = 0; i < rv->c.n_inputs; i++) {
        const struct task_result *res = &rv->res[i];

        t->size_bytes += rv->c.inputs[i].size_bytes;
        t->decoded_bytes += res->decoded_bytes;
        t->n_records += res->n_records;
        t->n_bad += res->n_bad;
        t->n_unknown += res->status == SS_STORE_INPUT_UNKNOWN;
        t->n_damaged += res->status == SS_STORE_INPUT_DAMAGED;
        if (res->first_us != 0 && (t->first_us == 0 || res->first_us < t->first_us))
            t->first_us = res->first_us;
        if (res->last_us > t->last_us)
            t->last_us = res->last_us;
    }
}

static int params_json(const struct review *rv, unsigned threads, struct ss_buf *b)
{
    int r = ss_buf_puts(b, "{\"aws_keys\":[");

    /* the public keys digests were verified with, by path and hash */
    for (size_t i = 0; r == 0 && i < rv->o.n_aws_keys; i++) {
        uint8_t h[SS_SHA256_LEN];
        char hex[SS_SHA256_HEX_SIZE];

        r = ss_sha256_file(rv->o.aws_keys[i], h, NULL);
        if (r < 0)
            break;
        ss_sha256_hex(h, hex);
        r = ss_buf_puts(b, i > 0 ? ",{\"path\":" : "{\"path\":");
        r = r ? r : ss_buf_put_json_str(b, rv->o.aws_keys[i], strlen(rv->o.aws_keys[i]));
        r = r ? r : ss_buf_printf(b, ",\"sha256\":\"%s\"}", hex);
    }
    r = r ? r : ss_buf_puts(b, "],\"fail_on\":");

    r = r ? r
          : (rv->o.fail_on ? ss_buf_put_json_str(b, rv->o.fail_on, strlen(rv->o.fail_on))
                           : ss_buf_puts(b, "null"));
    r = r ? r : ss_buf_printf(b, ",\"max_memory\":%" PRIu64 ",\"policy\":", rv->o.keep.max);
    r = r ? r
          : (rv->o.policy ? ss_buf_put_json_str(b, rv->o.policy, strlen(rv->o.policy))
                          : ss_buf_puts(b, "null"));
    r = r ? r : ss_buf_puts(b, ",\"rules\":[");
    for (size_t i = 0; r == 0 && i < rv->o.n_rules; i++) {
        if (i > 0)
            r = ss_buf_putc(b, ',');
        r = r ? r : ss_buf_put_json_str(b, rv->o.rules[i], strlen(rv->o.rules[i]));
    }
    r = r ? r
          : ss_buf_printf(b, "],\"signed\":%s,\"threads\":%u}", rv->o.key ? "true" : "false",
                          threads);
    return r;
}

/*
 * Evidence resolution. Checks and rules cite records by location only; once the
 * findings are final, each cited record is read again (by pread for plain inputs, by a
 * sequential decode otherwise, stopping after the last cited record), its SHA-256 goes
 * into the evidence entry, and the first EXCERPTS_PER_FINDING entries of every finding
 * keep an excerpt for the report (MAX_EXCERPTS in all). Each cited input is one task of the pool. The cost is
 * proportional to the inputs cited.
 */
#define EXCERPTS_PER_FINDING 5 /* as many as the report shows */
#define EXCERPT_BYTES 2048
/* Excerpts per review at most (in canonical finding order): bounds the record text held
   in memory to 64 MiB however many findings there are. */
#define MAX_EXCERPTS 32768u

struct evref {
    struct ss_evidence *ev;
    bool want_excerpt;
};

static void excerpts_release(struct excerpts *xs)
{
    for (size_t i = 0; i < xs->len; i++)
        ss_free(xs->items[i].text);
    ss_free(xs->items);
    *xs = (struct excerpts){ 0 };
}

static int cite(struct excerpts *xs, const struct evref *ref, const char *text, size_t len)
{
    int r = ss_sha256(text, len, ref->ev->sha256);

    if (r < 0 || !ref->want_excerpt)
        return r;
    if (xs->len == xs->cap) {
        size_t ncap = xs->cap == 0 ? 64 : xs->cap * 2;
        struct excerpt *p = ss_reallocarray(xs->items, ncap, sizeof(*p));

        if (p == NULL)
            return -ENOMEM;
        xs->items = p;
        xs->cap = ncap;
    }
    len = SS_MIN(len, (size_t)EXCERPT_BYTES);
    xs->items[xs->len].text = ss_strndup(text, len);
    if (xs->items[xs->len].text == NULL)
        return -ENOMEM;
    xs->items[xs->len].loc = ref->ev->loc;
    xs->items[xs->len].len = len;
    xs->len++;
    return 0;
}

static int evref_cmp(const void *a, const void *b)
{
    return ss_loc_cmp(&((const struct evref *)a)->ev->loc, &((const struct evref *)b)->ev->loc);
}

/*
 * Plain inputs are read through a window moved forward with pread: one read covers the
 * cited records that follow within RESOLVE_WINDOW bytes, and no more, so that records
 * cited far apart cost their own bytes only (not a seek and a read per record either).
 */
#define RESOLVE_WINDOW ((size_t)1 << 20)

/* Resolve refs[0..n) (all of input @index, sorted by offset). Returns 0 or -ENOMEM. */
static int resolve_input(struct review *rv, uint32_t index, struct evref *refs, size_t n,
                         struct excerpts *xs, size_t *ret_unresolved)
{
    const struct ss_input *in = &rv->c.inputs[index];
    struct ss_reader *rd = NULL;
    char *buf = NULL;
    size_t done = 0;
    int r = 0;

    if (in->comp == SS_COMP_NONE) {
        int fd = ss_open_regular(in->path, 0, NULL);
        uint64_t wbase = 0;
        size_t wlen = 0, cap = 0;

        for (; fd >= 0 && done < n; done++) {
            const struct ss_loc *loc = &refs[done].ev->loc;

            if (loc->len > SS_IO_DEFAULT_MAX_RECORD)
                break;
            if (loc->offset < wbase || loc->offset + loc->len > wbase + wlen) {
                /* move the window to this record and the ones close behind it */
                size_t want = (size_t)loc->len;

                for (size_t k = done + 1; k < n; k++) {
                    const struct ss_loc *nx = &refs[k].ev->loc;

                    if (nx->offset + nx->len - loc->offset > RESOLVE_WINDOW)
                        break;
                    want = SS_MAX(want, (size_t)(nx->offset + nx->len - loc->offset));
                }

                if (want > cap) {
                    char *nb = ss_realloc(buf, want);

                    if (nb == NULL) {
                        r = -ENOMEM;
                        break;
                    }
                    buf = nb;
                    cap = want;
                }
                wbase = loc->offset;
                wlen = 0;
                while (wlen < want) {
                    ssize_t got = pread(fd, buf + wlen, want - wlen, (off_t)(wbase + wlen));

                    if (got < 0 && errno == EINTR)
                        continue;
                    if (got <= 0)
                        break;
                    wlen += (size_t)got;
                }
                if (wlen < loc->len)
                    break;
            }
            r = cite(xs, &refs[done], buf + (loc->offset - wbase), (size_t)loc->len);
            if (r < 0)
                break;
        }
        if (fd >= 0)
            close(fd);
        ss_free(buf);
        *ret_unresolved += n - done;
        return r == -ENOMEM ? r : 0;
    }
    r = ss_reader_open(&rv->c, index, NULL, NULL, NULL, &rd, NULL);
    if (r == 0) {
        /* the records were validated by the read pass: framing finds them again; a large
           input decodes on a thread of its own, as in the read pass */
        unsigned flags = SS_READER_NO_VALIDATE;

        if (rv->threads > 1 && in->size_bytes >= PIPELINE_MIN_BYTES)
            flags |= SS_READER_PIPELINE;
        ss_reader_set_flags(rd, flags);
    }
    while (r == 0 && done < n) {
        struct ss_record rec;
        int k = ss_reader_next(rd, &rec, NULL);

        if (k == 0)
            break;
        if (k < 0) {
            if (k == -ENOMEM)
                r = k;
            continue;
        }
        while (done < n && refs[done].ev->loc.offset < rec.loc.offset) {
            done++;
            (*ret_unresolved)++;
        }
        while (r == 0 && done < n && refs[done].ev->loc.offset == rec.loc.offset &&
               refs[done].ev->loc.len == rec.len) {
            r = cite(xs, &refs[done], rec.ptr, rec.len);
            done++;
        }
    }
    ss_reader_free(rd);
    *ret_unresolved += n - done;
    return r == -ENOMEM ? r : 0;
}

/* The cited records of one input, resolved by one task of the pool. */
struct resolve_group {
    uint32_t input;
    struct evref *refs;
    size_t n;
    struct excerpts xs; /* this input's excerpts, appended to the review's in input order */
    size_t unresolved;
};

struct resolve_job {
    struct review *rv;
    struct resolve_group *g;
};

static int resolve_task(void *ctx, size_t i, unsigned worker)
{
    struct resolve_job *job = ctx;
    struct resolve_group *g = &job->g[i];

    (void)worker;
    if (g->input >= job->rv->c.n_inputs) {
        g->unresolved = g->n;
        return 0;
    }
    return resolve_input(job->rv, g->input, g->refs, g->n, &g->xs, &g->unresolved);
}

static int resolve_evidence(struct review *rv, struct ss_findings *all, struct excerpts *xs,
                            size_t *ret_unresolved)
{
    struct evref *refs;
    struct resolve_group *g = NULL;
    size_t n = 0, k = 0, n_g = 0;
    int r = 0;

    for (size_t i = 0; i < all->len; i++)
        n += all->items[i].n_evidence;
    refs = ss_calloc(n + 1, sizeof(*refs));
    if (refs == NULL)
        return -ENOMEM;
    for (size_t i = 0, wanted = 0; i < all->len; i++) {
        for (size_t e = 0; e < all->items[i].n_evidence; e++) {
            refs[k].ev = &all->items[i].evidence[e];
            refs[k].want_excerpt = e < EXCERPTS_PER_FINDING && wanted < MAX_EXCERPTS;
            wanted += refs[k].want_excerpt;
            k++;
        }
    }
    qsort(refs, n, sizeof(*refs), evref_cmp);
    for (size_t i = 0; i < n; i++)
        n_g += i == 0 || refs[i].ev->loc.input != refs[i - 1].ev->loc.input;
    g = ss_calloc(n_g + 1, sizeof(*g));
    if (g == NULL) {
        ss_free(refs);
        return -ENOMEM;
    }
    n_g = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;

        while (j < n && refs[j].ev->loc.input == refs[i].ev->loc.input)
            j++;
        g[n_g++] =
            (struct resolve_group){ .input = refs[i].ev->loc.input, .refs = refs + i, .n = j - i };
        i = j;
    }
    /* inputs resolve in parallel; their excerpts are joined in input order */
    r = ss_pool_run(rv->threads, n_g, resolve_task, &(struct resolve_job){ .rv = rv, .g = g });
    *ret_unresolved = 0;
    for (size_t i = 0; i < n_g; i++) {
        struct excerpts *gx = &g[i].xs;

        *ret_unresolved += g[i].unresolved;
        if (r == 0 && xs->cap - xs->len < gx->len) {
            size_t ncap = SS_MAX(xs->cap * 2, xs->len + gx->len);
            struct excerpt *p = ss_reallocarray(xs->items, ncap, sizeof(*p));

            if (p == NULL) {
                r = -ENOMEM;
            } else {
                xs->items = p;
                xs->cap = ncap;
            }
        }
        if (r == 0) {
            if (gx->len > 0)
                memcpy(xs->items + xs->len, gx->items, gx->len * sizeof(*gx->items));
            xs->len += gx->len;
            ss_free(gx->items);
        } else {
            excerpts_release(gx);
        }
    }
    ss_free(g);
    ss_free(refs);
    return r;
}

/* Statistics of every check that ran, so the report lists checks without findings. */
/* One built-in check's row: its matches are the evidence records of its findings. */
static int put_builtin_check(struct ss_store *st, const struct ss_findings *all, const char *id,
                             const char *title, enum ss_severity level, struct ss_diag *d)
{
    struct ss_store_check c = { .check_id = id, .title = title, .level = level };

    for (size_t k = 0; k < all->len; k++) {
        if (strcmp(all->items[k].check_id, id) == 0)
            c.n_matches += all->items[k].n_evidence_total;
    }
    return ss_store_put_check(st, &c, d);
}

static int store_checks(const struct review *rv, struct ss_store *st, const struct ss_findings *all,
                        struct ss_diag *d)
{
    const struct ss_check_info *info;
    const struct ss_ct_check_info *ct = NULL;
    size_t n = ss_checks_list(&info),
           n_ct = rv->ct.digests + rv->ct.logs_undigested > 0 ? ss_ct_checks(&ct) : 0;
    int r = 0;

    for (size_t i = 0; r == 0 && i < n; i++)
        r = put_builtin_check(st, all, info[i].id, info[i].title, info[i].severity, d);
    for (size_t i = 0; r == 0 && i < n_ct; i++)
        r = put_builtin_check(st, all, ct[i].id, ct[i].title, ct[i].severity, d);
    for (size_t i = 0; r == 0 && rv->rules != NULL && i < ss_sigma_rule_count(rv->rules); i++) {
        struct ss_sigma_rule_info ri;
        char id[512];
        struct ss_store_check c = { .check_id = id };

        ss_sigma_rule_info(rv->rules, i, &ri);
        snprintf(id, sizeof(id), "sigma:%s", ri.id);
        c.title = ri.title;
        c.level = ri.severity;
        for (unsigned w = 0; w < rv->n_scratch; w++)
            c.n_matches += ss_sigma_scratch_rule_hits(rv->scratch[w], i);
        r = ss_store_put_check(st, &c, d);
    }
    return r;
}

/* Write inputs, skipped files, bad records and findings into the store. */
static int store_rows(struct review *rv, struct ss_store *st, const struct ss_findings *all,
                      char (*uids)[SS_FINDING_UID_SIZE], struct ss_diag *d)
{
    int r = 0;

    for (size_t i = 0; r == 0 && i < rv->c.n_inputs; i++) {
        const struct ss_input *in = &rv->c.inputs[i];
        const struct task_result *res = &rv->res[i];
        struct ss_store_input row = {
            .index = (uint32_t)i,
            .relpath = in->relpath,
            .kind = ss_input_kind_name(in->kind),
            .compression = ss_compression_name(in->comp),
            .size_bytes = in->size_bytes,
            .has_sha256 = res->hashed,
            .decoded_bytes = res->decoded_bytes,
            .n_records = res->n_records,
            .n_bad_records = res->n_bad,
            .status = res->status,
            .reason = res->reason,
        };

        memcpy(row.sha256, res->sha256, sizeof(row.sha256));
        r = ss_store_put_input(st, &row, d);
        for (size_t k = 0; r == 0 && k < res->n_bad_rows; k++) {
            const struct bad_row *b = &res->bad[k];
            struct ss_store_bad_record br = { .input = (uint32_t)i,
                                              .offset = b->offset,
                                              .line = b->line,
                                              .code = b->code,
                                              .reason = b->reason };

            r = ss_store_put_bad_record(st, &br, d);
        }
    }
    for (size_t i = 0; r == 0 && i < rv->c.n_skipped; i++) {
        struct ss_store_skipped sk = { .relpath = rv->c.skipped[i].relpath,
                                       .reason = rv->c.skipped[i].reason };

        r = ss_store_put_skipped(st, &sk, d);
    }
    for (size_t i = 0; r == 0 && i < all->len; i++)
        r = ss_store_put_finding(st, &all->items[i], uids[i], 0, d);
    for (size_t i = 0; r == 0 && i < rv->excerpts.len; i++) {
        const struct excerpt *x = &rv->excerpts.items[i];

        r = ss_store_put_excerpt(st, &x->loc, x->text, x->len, d);
    }
    r = r < 0 ? r : store_checks(rv, st, all, d);
    return r;
}

/* "812 B", "14.2 kB", "1.3 GB": decimal units, as people read sizes. */
static const char *human_bytes(uint64_t n, char *out, size_t out_len)
{
    static const char *const units[] = { "kB", "MB", "GB", "TB", "PB" };
    double v = (double)n;
    size_t u = 0;

    if (n < 1000) {
        snprintf(out, out_len, "%" PRIu64 " B", n);
        return out;
    }
    v /= 1000.0;
    while (v >= 1000.0 && u + 1 < SS_ARRAY_LEN(units)) {
        v /= 1000.0;
        u++;
    }
    snprintf(out, out_len, "%.1f %s", v, units[u]);
    return out;
}

static void print_summary(const struct review *rv, const struct totals *t,
                          const struct ss_findings *all, const struct ss_manifest_result *seal,
                          double secs)
{
    char t0[SS_TIME_STR_MAX], t1[SS_TIME_STR_MAX], h0[32], h1[32];
    size_t by_sev[SS_SEV__COUNT] = { 0 };

    for (size_t i = 0; i < all->len; i++)
        by_sev[all->items[i].severity]++;
    printf("siloscope review of '%s'\n", rv->o.case_root);
    printf("  inputs    %zu files, %s stored, %s decoded", rv->c.n_inputs,
           human_bytes(t->size_bytes, h0, sizeof(h0)),
           human_bytes(t->decoded_bytes, h1, sizeof(h1)));
    if (t->n_unknown + t->n_damaged + rv->c.n_skipped > 0)
        printf(" (%zu not understood, %zu damaged, %zu skipped)", t->n_unknown, t->n_damaged,
               rv->c.n_skipped);
    printf("\n  records   %" PRIu64 " read, %" PRIu64 " bad\n", t->n_records, t->n_bad);
    if (rv->rules != NULL)
        printf("  rules     %zu loaded, %zu rejected (see 'siloscope rules check')\n",
               ss_sigma_rule_count(rv->rules), rv->n_rules_rejected);
    if (t->first_us != 0) {
        ss_time_format(t->first_us, 0, t0);
        ss_time_format(t->last_us, 0, t1);
        printf("  span      %s .. %s\n", t0, t1);
    }
    printf("  findings  %zu", all->len);
    if (all->len > 0) {
        const char *sep = " (";

        for (int s = SS_SEV__COUNT - 1; s >= SS_SEV_INFO; s--) {
            if (by_sev[s] == 0)
                continue;
            printf("%s%zu %s", sep, by_sev[s], ss_severity_name((enum ss_severity)s));
            sep = ", ";
        }
        printf(")");
    }
    printf("\n");
    for (size_t i = 0; i < all->len;) {
        size_t j = i;

        while (j < all->len && strcmp(all->items[j].check_id, all->items[i].check_id) == 0)
            j++;
        printf("    %-44s %zu\n", all->items[i].check_id, j - i);
        i = j;
    }
    if (rv->ct.digests > 0)
        printf("  trails    %zu CloudTrail digests in %zu chains: %zu of %zu log files verified, "
               "%zu signatures verified, %zu unchecked%s\n",
               rv->ct.digests, rv->ct.chains, rv->ct.logs_verified, rv->ct.logs_listed,
               rv->ct.sigs_verified, rv->ct.sigs_unchecked,
               rv->ct_keys == NULL ? " (no --aws-keys)" : "");
    if (rv->ct.logs_undigested > 0)
        printf("  trails    %zu CloudTrail log files have no digest: not verifiable\n",
               rv->ct.logs_undigested);
    printf("  sealed    inputs_root %.16s..., findings_root %.16s...%s\n", seal->inputs_root,
           seal->findings_root, seal->is_signed ? ", signed" : ", unsigned (no --key)");
    printf("  time      %.2f s (discover %.2f, read %.2f, write %.2f with the seal %.2f), %s/s, "
           "%.0f records/s\n",
           secs, (double)rv->phase_us[0] / 1e6, (double)rv->phase_us[1] / 1e6,
           (double)rv->phase_us[3] / 1e6, (double)rv->phase_us[2] / 1e6,
           human_bytes(secs > 0 ? (uint64_t)((double)t->size_bytes / secs) : 0, h0, sizeof(h0)),
           secs > 0 ? (double)t->n_records / secs : 0.0);
    printf("report: %s/report.html\n", rv->o.out_dir);
}

/* Check the CloudTrail digests of the case (evidence/cloudtrail.h) into @all. */
static int verify_cloudtrail(struct review *rv, struct ss_findings *all)
{
    struct ss_ct_file *files = ss_calloc(rv->c.n_inputs + 1, sizeof(*files));
    int r;

    if (files == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < rv->c.n_inputs; i++) {
        const struct task_result *res = &rv->res[i];

        files[i] = (struct ss_ct_file){
            .rel = rv->c.inputs[i].relpath,
            .input = (uint32_t)i,
            .role = ct_role(&rv->c.inputs[i]),
            .decoded_ok = res->dec_hashed,
            .text = res->doc,
            .text_len = res->doc_len,
            .loc = res->doc_loc,
        };
        memcpy(files[i].sha256, res->dec_sha256, SS_SHA256_LEN);
    }
    r = ss_ct_verify(files, rv->c.n_inputs, rv->ct_keys, all, &rv->ct);
    ss_free(files);
    return r;
}

static int load_aws_keys(struct review *rv)
{
    struct ss_diag d;
    int r;

    if (rv->o.n_aws_keys == 0)
        return 0;
    r = ss_ct_keys_new(&rv->ct_keys);
    for (size_t i = 0; r == 0 && i < rv->o.n_aws_keys; i++) {
        ss_diag_clear(&d);
        r = ss_ct_keys_load(rv->ct_keys, rv->o.aws_keys[i], &d);
        if (r < 0 && r != -ENOMEM)
            report_diag("cannot use AWS public keys", &d, rv->o.aws_keys[i], r);
    }
    return r;
}

static int check_case_dir(const char *root)
{
    struct stat st;

    if (stat(root, &st) != 0) {
        int e = errno;

        ss_cli_error("review: cannot open case '%s': %s", root, strerror(e));
        return SS_EXIT_INPUT;
    }
    if (!S_ISDIR(st.st_mode)) {
        ss_cli_error("review: case '%s' is not a directory", root);
        return SS_EXIT_INPUT;
    }
    return 0;
}

/*
 * The seal (manifest, roots, signature, case log) reads the findings and inputs only, so
 * with more than one thread it runs beside the writing of the database rows.
 */
struct seal_job {
    struct review *rv;
    const struct ss_manifest *m;
    struct ss_manifest_result *seal;
    struct ss_diag d;
    int r;
    int64_t done_us;
};

static void *seal_thread(void *arg)
{
    struct seal_job *j = arg;

    j->r = ss_manifest_write(j->m, j->rv->o.out_dir, j->rv->o.key, j->seal, &j->d);
    j->done_us = ss_time_mono_us();
    return NULL;
}

/* The seal's outcome: its time into the phase table, its error into @d (if not NULL). */
static int seal_result(struct review *rv, const struct seal_job *j, struct ss_diag *d, int64_t t0)
{
    rv->phase_us[2] = j->done_us - t0;
    if (j->r < 0 && d != NULL)
        *d = j->d;
    return j->r;
}

/* OCSF rendered on a thread of its own, from its own read-only connection. */
struct ocsf_job {
    const char *store_path;
    char path[4096];
    int r;
    struct ss_diag d;
};

static void *ocsf_thread(void *arg)
{
    struct ocsf_job *j = arg;
    struct ss_store *st = NULL;

    j->r = ss_store_open(j->store_path, &st, &j->d);
    if (j->r == 0)
        j->r = ss_report_ocsf(st, j->path, &j->d);
    ss_store_free(st);
    return NULL;
}

/*
 * Render findings.ocsf.jsonl and report.html from the finished store @st (at
 * @store_path); with more than one thread, both at once. An OCSF error wins.
 */
static int render(const struct review *rv, struct ss_store *st, const char *store_path,
                  unsigned threads, struct ss_diag *d)
{
    struct ocsf_job j = { .store_path = store_path };
    char html[4096];
    pthread_t tid;
    bool thread = false;
    int r;

    ss_diag_clear(&j.d);
    snprintf(j.path, sizeof(j.path), "%s/findings.ocsf.jsonl", rv->o.out_dir);
    snprintf(html, sizeof(html), "%s/report.html", rv->o.out_dir);
    if (threads > 1 && pthread_create(&tid, NULL, ocsf_thread, &j) == 0)
        thread = true;
    else
        j.r = ss_report_ocsf(st, j.path, &j.d);
    r = thread || j.r == 0 ? ss_report_html(st, html, d) : 0;
    if (thread)
        pthread_join(tid, NULL);
    if (j.r < 0) {
        *d = j.d;
        return j.r;
    }
    return r;
}

static int seal_and_store(struct review *rv, struct ss_findings *all, unsigned threads,
                          int64_t started_us, struct ss_manifest_result *seal)
{
    char store_path[4096], case_name[256];
    char(*uids)[SS_FINDING_UID_SIZE] = NULL;
    struct ss_store *st = NULL;
    struct ss_buf params = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    struct ss_manifest m = { 0 };
    struct ss_manifest_input *mins = NULL;
    struct ss_manifest_file *rfiles = NULL, policy = { 0 };
    size_t n_rfiles = 0;
    struct ss_diag d;
    struct seal_job job;
    pthread_t seal_tid;
    bool sealing = false;
    int64_t seal_t0 = ss_time_mono_us();
    int r;

    ss_diag_clear(&d);
    r = rule_files(rv, &rfiles, &n_rfiles);
    if (r == 0 && rv->o.policy != NULL) {
        policy.relpath = rv->o.policy;
        r = ss_sha256_file(rv->o.policy, policy.sha256, &policy.size_bytes);
        if (r < 0)
            ss_diag_set(&d, r, rv->o.policy, 0, 0, UINT64_MAX, "cannot hash the policy: %s",
                        ss_strerror(r));
    }
    if (r < 0)
        goto fail;
    uids = ss_calloc(all->len + 1, sizeof(*uids));
    mins = ss_calloc(rv->c.n_inputs + 1, sizeof(*mins));
    if (uids == NULL || mins == NULL) {
        r = -ENOMEM;
        goto fail;
    }
    r = ss_findings_uids(all, uids);
    if (r < 0)
        goto fail;
    r = params_json(rv, threads, &params);
    if (r < 0)
        goto fail;

    /* Seal: manifest.json (and manifest.dsse.json when signing). */
    for (size_t i = 0; i < rv->c.n_inputs; i++) {
        mins[i] = (struct ss_manifest_input){
            .relpath = rv->c.inputs[i].relpath,
            .size_bytes = rv->c.inputs[i].size_bytes,
            .kind = ss_input_kind_name(rv->c.inputs[i].kind),
            .compression = ss_compression_name(rv->c.inputs[i].comp),
            .n_records = rv->res[i].n_records,
            .n_bad_records = rv->res[i].n_bad,
            .has_sha256 = rv->res[i].hashed,
        };
        memcpy(mins[i].sha256, rv->res[i].sha256, SS_SHA256_LEN);
    }
    m = (struct ss_manifest){
        .tool_version = SS_VERSION,
        .tool_build = SS_BUILD,
        .case_root = rv->o.case_root,
        .params_json = params.ptr,
        .started_us = started_us,
        .finished_us = run_clock_us(),
        .policy = rv->o.policy != NULL ? &policy : NULL,
        .rule_files = rfiles,
        .n_rule_files = n_rfiles,
        .inputs = mins,
        .n_inputs = rv->c.n_inputs,
        .findings = all,
        .finding_uids = (const char(*)[SS_FINDING_UID_SIZE])uids,
    };
    job = (struct seal_job){ .rv = rv, .m = &m, .seal = seal };
    ss_diag_clear(&job.d);
    if (rv->no_seal) {
        memset(seal, 0, sizeof(*seal));
        memset(seal->inputs_root, '0', SS_SHA256_HEX_SIZE - 1);
        memset(seal->findings_root, '0', SS_SHA256_HEX_SIZE - 1);
    } else if (threads > 1 && pthread_create(&seal_tid, NULL, seal_thread, &job) == 0) {
        sealing = true; /* beside the database rows below */
    } else {
        seal_thread(&job);
        r = seal_result(rv, &job, &d, seal_t0);
        if (r < 0)
            goto fail;
    }

    /* Store: everything a report needs, published atomically. */
    snprintf(store_path, sizeof(store_path), "%s/findings.sqlite", rv->o.out_dir);
    r = ss_store_create(store_path, &st, &d);
    if (r < 0)
        goto fail;
    r = ss_store_begin(st, &d);
    if (r == 0)
        r = store_rows(rv, st, all, uids, &d);
    if (sealing) {
        int rs;

        pthread_join(seal_tid, NULL);
        sealing = false;
        rs = seal_result(rv, &job, r < 0 ? NULL : &d, seal_t0);
        r = r < 0 ? r : rs;
    }
    if (r < 0)
        goto fail;
    {
        struct ss_store_run run = {
            .tool_version = SS_VERSION,
            .tool_build = SS_BUILD,
            .case_name = base_name(rv->o.case_root, case_name, sizeof(case_name)),
            .case_root = rv->o.case_root,
            .policy_name = rv->o.policy,
            .params_json = params.ptr,
            .started_us = started_us,
            .finished_us = m.finished_us,
            .n_threads = threads,
            .inputs_root = seal->inputs_root,
            .findings_root = seal->findings_root,
            .is_signed = seal->is_signed,
            .signer = seal->is_signed ? seal->key_id : NULL,
        };

        r = ss_store_put_run(st, &run, &d);
    }
    if (r == 0)
        r = ss_store_commit(st, &d);
    if (r == 0)
        r = ss_store_finish(st, &d);
    if (r < 0)
        goto fail;

    r = render(rv, st, store_path, threads, &d);
    if (r < 0)
        goto fail;
    goto out;
fail : {
    char msg[SS_DIAG_MSG_MAX + SS_DIAG_FILE_MAX + 64];

    if (d.code == 0)
        ss_diag_set(&d, r, rv->o.out_dir, 0, 0, UINT64_MAX, "%s", ss_strerror(r));
    ss_diag_format(&d, msg, sizeof(msg));
    ss_cli_error("review: cannot write the review: %s", msg);
}
out:
    if (sealing)
        pthread_join(seal_tid, NULL);
    ss_store_free(st);
    ss_buf_release(&params);
    ss_free(uids);
    ss_free(mins);
    ss_free(rfiles);
    return r;
}

int ss_cmd_review(int argc, char **argv)
{
    struct review rv = { 0 };
    struct ss_findings all;
    struct ss_manifest_result seal = { 0 };
    struct ss_checks_config checks_cfg;
    struct ss_checks_state *checks_state = NULL;
    size_t unresolved = 0, n_rejected = 0;
    struct totals t;
    struct ss_diag d;
    char out_default[4096];
    enum ss_severity fail_level = SS_SEV_INFO;
    int64_t started_us = run_clock_us(), t0 = ss_time_mono_us();
    unsigned threads;
    int ret = SS_EXIT_INTERNAL, r;

    ss_findings_init(&all, FINDINGS_ARENA_MAX);
    r = parse_args(argc, argv, &rv.o);
    if (r != 0) {
        ss_findings_release(&all);
        return r < 0 ? SS_EXIT_OK : r;
    }
    if (rv.o.fail_on != NULL &&
        ss_severity_parse(rv.o.fail_on, strlen(rv.o.fail_on), &fail_level) != 0) {
        ss_cli_error("review: unknown level '%s' for --fail-on", rv.o.fail_on);
        ss_findings_release(&all);
        return SS_EXIT_USAGE;
    }
    if (rv.o.policy != NULL && access(rv.o.policy, R_OK) != 0) {
        int e = errno;

        ss_cli_error("review: cannot read policy '%s': %s", rv.o.policy, strerror(e));
        ret = SS_EXIT_INPUT;
        goto out;
    }
    if (rv.o.policy != NULL)
        ss_cli_warn("review: review policies are not evaluated yet in this version; "
                    "'%s' is recorded but not applied",
                    rv.o.policy);
    ret = check_case_dir(rv.o.case_root);
    if (ret != 0)
        goto out;
    if (rv.o.key != NULL) {
        /* Fail before a long review, not at its end. */
        struct ss_key *key = NULL;
        char msg[SS_DIAG_MSG_MAX + SS_DIAG_FILE_MAX + 64];

        ss_diag_clear(&d);
        r = ss_key_load(rv.o.key, true, &key, &d);
        ss_key_free(key);
        if (r < 0) {
            ss_diag_set_file(&d, rv.o.key);
            ss_diag_format(&d, msg, sizeof(msg));
            ss_cli_error("review: cannot use signing key: %s", msg);
            ret = ss_cli_exit_for(r);
            goto out;
        }
    }
    r = load_aws_keys(&rv);
    if (r < 0) {
        if (r == -ENOMEM)
            ss_cli_error("review: cannot load AWS public keys: %s", ss_strerror(r));
        ret = r == -ENOMEM ? SS_EXIT_INTERNAL : SS_EXIT_INPUT;
        goto out;
    }
    if (rv.o.out_dir == NULL) {
        size_t n = strlen(rv.o.case_root);

        while (n > 1 && rv.o.case_root[n - 1] == '/')
            n--;
        snprintf(out_default, sizeof(out_default), "%.*s.review", (int)n, rv.o.case_root);
        rv.o.out_dir = out_default;
    }
    threads = rv.o.threads != 0 ? rv.o.threads : ss_pool_default_threads();
    rv.threads = threads;
    /* Benchmarks only (bench/seal.sh): no input hashing and no manifest, so the cost of
       sealing can be measured as the difference. The output is then not evidence. */
    rv.no_seal = getenv("SILOSCOPE_BENCH_NO_SEAL") != NULL;
    if (rv.no_seal)
        ss_cli_warn("review: SILOSCOPE_BENCH_NO_SEAL is set: inputs are not hashed and the "
                    "review is not sealed");

    ss_diag_clear(&d);
    ss_cli_progress("discovering '%s'", rv.o.case_root);
    r = ss_case_discover_threads(rv.o.case_root, NULL, threads, &rv.c, &d);
    if (r < 0) {
        char msg[SS_DIAG_MSG_MAX + SS_DIAG_FILE_MAX + 64];

        ss_diag_set_file(&d, rv.o.case_root);
        ss_diag_format(&d, msg, sizeof(msg));
        ss_cli_error("review: cannot read case: %s", msg);
        ret = ss_cli_exit_for(r);
        goto out;
    }
    if (rv.c.n_inputs == 0) {
        ss_cli_error("review: case '%s' is empty: no files to review", rv.o.case_root);
        ret = SS_EXIT_INPUT;
        goto out;
    }
    r = make_dirs(rv.o.out_dir);
    if (r < 0) {
        ss_cli_error("review: cannot create output directory '%s': %s", rv.o.out_dir,
                     ss_strerror(r));
        ret = SS_EXIT_INTERNAL;
        goto out;
    }

    rv.phase_us[0] = ss_time_mono_us() - t0;
    r = load_rules(&rv, threads, &n_rejected);
    if (r < 0) {
        if (r == -ENOMEM)
            ss_cli_error("review: cannot load rules: %s", ss_strerror(r));
        ret = r == -ENOMEM ? SS_EXIT_INTERNAL : ss_cli_exit_for(r);
        goto out;
    }
    ss_checks_config_default(&checks_cfg);
    r = ss_checks_new(&checks_cfg, &rv.checks, &d);
    if (r == 0)
        r = make_tasks(&rv, threads);
    if (r == 0)
        r = make_time_paths(SS_ARRAY_LEN(time_fields), &rv.time_paths);
    if (r == 0)
        r = make_time_paths(1, &rv.time_first);
    if (r == 0 && rv.n_batched > 0)
        r = setup_batches(&rv);
    if (r == 0)
        r = ss_pool_run(threads, rv.n_tasks + (rv.n_batched > 0 ? threads - 1 : 0), run_task, &rv);
    if (r == 0)
        r = merge_tasks(&rv, &checks_state);
    for (size_t i = 0; r == 0 && i < rv.c.n_inputs; i++)
        r = ss_findings_merge(&all, &rv.res[i].findings);
    if (r == 0)
        r = ss_checks_finish(rv.checks, checks_state, &all, &d);
    if (r == 0 && rv.rules != NULL) {
        r = ss_sigma_findings(rv.rules, rv.scratch, rv.n_scratch, &all);
        if (r == 0 && ss_sigma_keep_passed(&rv.o.keep))
            ss_cli_warn("review: the Sigma hits and events to keep passed --max-memory (%" PRIu64
                        " bytes): no Sigma finding or correlation was made; a "
                        "sigma.limit-reached finding says so",
                        rv.o.keep.max);
    }
    if (r == 0)
        r = verify_cloudtrail(&rv, &all);
    ss_cli_progress_done();
    if (r < 0) {
        char msg[SS_DIAG_MSG_MAX + SS_DIAG_FILE_MAX + 64];

        if (d.code == 0)
            ss_diag_set(&d, r, NULL, 0, 0, UINT64_MAX, "%s", ss_strerror(r));
        ss_diag_format(&d, msg, sizeof(msg));
        ss_cli_error("review: %s", msg);
        ret = r == -ENOMEM ? SS_EXIT_INTERNAL : ss_cli_exit_for(r);
        goto out;
    }
    fix_range_lines(&rv, &all);
    ss_findings_sort(&all);
    r = resolve_evidence(&rv, &all, &rv.excerpts, &unresolved);
    if (r < 0) {
        ss_cli_error("review: cannot read evidence records: %s", ss_strerror(r));
        ret = SS_EXIT_INTERNAL;
        goto out;
    }
    if (unresolved > 0)
        ss_cli_warn("review: %zu evidence records could not be read again; their hashes are "
                    "left out of the seal",
                    unresolved);
    rv.phase_us[1] = ss_time_mono_us() - t0 - rv.phase_us[0];

    r = seal_and_store(&rv, &all, threads, started_us, &seal);
    if (r < 0) {
        ret = SS_EXIT_INTERNAL;
        goto out;
    }
    add_totals(&rv, &t);
    rv.phase_us[3] = ss_time_mono_us() - t0 - rv.phase_us[0] - rv.phase_us[1];
    print_summary(&rv, &t, &all, &seal, (double)(ss_time_mono_us() - t0) / 1e6);
    ret = SS_EXIT_OK;
    if (rv.o.fail_on != NULL) {
        for (size_t i = 0; i < all.len; i++) {
            if (all.items[i].severity >= fail_level)
                ret = SS_EXIT_FAIL;
        }
    }
out:
    for (size_t k = 0; rv.tres != NULL && k < rv.n_tasks; k++)
        task_result_release(&rv.tres[k]);
    for (size_t i = 0; rv.res != NULL && i < rv.c.n_inputs; i++)
        task_result_release(&rv.res[i]);
    ss_free(rv.tres);
    ss_free(rv.tasks);
    ss_free(rv.first_range);
    ss_free(rv.res);
    ss_json_pathset_free(rv.time_paths);
    ss_json_pathset_free(rv.time_first);
    ss_checks_state_free(checks_state);
    ss_checks_free(rv.checks);
    for (unsigned w = 0; w < rv.n_scratch; w++)
        ss_sigma_scratch_free(rv.scratch[w]);
    ss_free(rv.scratch);
    ss_sigma_keep_release(&rv.o.keep);
    for (unsigned w = 0; rv.wchecks != NULL && w < rv.threads; w++)
        ss_checks_state_free(rv.wchecks[w]);
    ss_free(rv.wchecks);
    if (rv.q_ready)
        ss_batchq_release(&rv.q);
    ss_sigma_ruleset_free(rv.rules);
    ss_ct_keys_free(rv.ct_keys);
    excerpts_release(&rv.excerpts);
    ss_case_release(&rv.c);
    ss_findings_release(&all);
    return ret;
}
