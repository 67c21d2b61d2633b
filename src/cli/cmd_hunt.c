/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_hunt.c - implements `siloscope hunt`: run Sigma rules over inputs (files, or
 * directories read like a case) and print every match as a JSON line or a table row
 * (time, rule, level, entity, location), then the correlation matches, then the hit
 * count of every rule. Inputs are read on -j worker threads (one task per input, one
 * match scratch per worker; a large input is matched in batches by every worker); the
 * output is kept in parts and printed in input order as the parts complete, and
 * correlations run after every input is read, so the output never depends on -j.
 * A large compressed input is decoded on a decode thread of its own beside its worker
 * (SS_READER_PIPELINE: the same records, decoding and matching overlap), except when it
 * is matched in batches by only two workers (HUNT_BATCH_PIPELINE_WORKERS).
 * Output format: docs/sigma.md "siloscope hunt".
 */
#include "cli/cli.h"

#include "cli/batch.h"
#include "json/json.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/finding.h"
#include "core/pool.h"
#include "core/ss_time.h"
#include "io/io.h"
#include "sigma/sigma.h"

#include <pthread.h>
#include <sys/stat.h>

#define HUNT_MAX_ARGS 256
#define HUNT_MAX_WORKERS 256u
#define HUNT_OUT_MAX ((size_t)1 << 30)
/* Compressed inputs from this stored size on get a decode thread (smaller ones are over
 * before a thread pays off). */
#define HUNT_PIPELINE_MIN_BYTES ((uint64_t)1 << 20)

static const char hunt_help[] =
    "usage: siloscope hunt --rules DIR [--rules DIR]... [--mapping FILE]...\n"
    "                      [--placeholders FILE]... [--from T] [--to T] [--level L]\n"
    "                      [--table] [-j N] INPUT...\n"
    "\n"
    "Run Sigma rules over every INPUT (a file, or a directory read like a case: sorted,\n"
    "sniffed by content, gzip and zstd decompressed) and print each match, then the\n"
    "correlation matches, then the number of hits of every rule. Each rule runs on the\n"
    "input kinds its log source is mapped to (see 'siloscope rules check').\n"
    "\n"
    "options:\n"
    "      --rules PATH          Sigma rule file or directory (repeatable; required)\n"
    "      --mapping FILE        add a field mapping, tried before the shipped ones\n"
    "      --placeholders FILE   values for %placeholders% of the 'expand' modifier\n"
    "      --from T, --to T      only matches whose event time is in [T, T] (ISO 8601)\n"
    "      --level L             only rules of level L or above (informational, low,\n"
    "                            medium, high, critical)\n"
    "      --table               print a table instead of JSON lines\n"
    "      --validate-all        validate every record, so that every invalid one is\n"
    "                            reported, not only those a rule could match (slower)\n"
    "      --max-memory SIZE     budget of the events kept for correlations, all\n"
    "                            workers together (default 4G; K, M, G, T suffixes)\n"
    "  -j, --threads N           worker threads, 1 to 1024 (default: all CPUs; at most\n"
    "                            256 match at once)\n"
    "  -h, --help                show this help\n"
    "\n"
    "JSON lines: {\"type\":\"match\",\"time\",\"rule\",\"title\",\"level\",\"entity\",\"file\",\n"
    "\"input\",\"offset\",\"length\",\"line\"}, "
    "{\"type\":\"correlation\",...,\"group\",\"events\",\n"
    "\"locations\"}, then {\"type\":\"hits\",\"rule\",\"title\",\"level\",\"hits\"} per rule and "
    "one\n"
    "{\"type\":\"summary\",...}.\n"
    "Exit codes: 0 ok, 2 usage error, 3 unreadable input or rules (rejected rules are\n"
    "reported as warnings), or correlations not run (past --max-memory), 4 internal error.\n";

/* One stretch of an input's output: all of it, or one batch's (see cli/batch.h). */
struct hunt_part {
    size_t seq;        /* position in the input */
    struct ss_buf out; /* matches and warnings, in record order */
    uint64_t bad;      /* invalid records */
    int err;
};

struct hunt_task {
    const struct ss_case *c;
    uint32_t index;
    int source;
    bool batched;            /* matched in batches by every worker (cli/batch.h) */
    struct hunt_part *parts; /* filed, not printed yet (any order) */
    size_t n_parts, cap_parts;
    size_t next_seq; /* the part to print next */
    size_t n_seq;    /* parts in all; SIZE_MAX until the input is read */
    uint64_t bad, shown_bad;
    int err; /* the input's first error */
};

/*
 * A plain input of HUNT_SPLIT_MIN_BYTES or more, or a compressed one of
 * HUNT_SPLIT_MIN_STORED or more stored, that holds a large share of all the inputs'
 * bytes (ss_batch_worth) is matched by every worker when there is more than one
 * (cli/batch.h): its task reads and frames the records (decoding them itself, or with
 * a decode thread: HUNT_BATCH_PIPELINE_WORKERS) and copies them into batches; helper
 * tasks and the readers match them.
 * Each batch writes its own part of the input's output, and the parts are printed in
 * order: what is printed never depends on which worker matched what.
 */
#define HUNT_SPLIT_MIN_BYTES ((uint64_t)8 << 20)
#define HUNT_SPLIT_MIN_STORED HUNT_PIPELINE_MIN_BYTES /* compressed: stored size */
#define HUNT_QUEUE_PER_WORKER 2u
/*
 * A batched input's reader decodes on a thread of its own (SS_READER_PIPELINE) only
 * with this many workers or more. With two, the reader decoding by itself and matching
 * when the queue is full already keeps both cores busy; a decode thread would make
 * three threads share them (5% slower on 2 cores, docs/performance.md).
 */
#define HUNT_BATCH_PIPELINE_WORKERS 3u
/* Inputs not understood and paths skipped, reported one by one; then a count. */
#define HUNT_MAX_UNKNOWN_SHOWN 20u
/* Invalid records reported one by one per input (and per batch); then a count. */
#define HUNT_BAD_SHOWN 10u
/* Output of an unbatched input printed in parts of this size (so it streams). */
#define HUNT_PART_BYTES ((size_t)1 << 20)
/* A batch entry that is a framing error's message, not a record. */
#define HUNT_FRAMING_ERROR 1u
/* With HUNT_FRAMING_ERROR: not an invalid record but damage, a cap or a read error. */
#define HUNT_STREAM_ERROR 2u

struct hunt {
    const char *rules[HUNT_MAX_ARGS];
    size_t n_rules;
    const char *maps[HUNT_MAX_ARGS];
    size_t n_maps;
    const char *phs[HUNT_MAX_ARGS];
    size_t n_phs;
    int64_t from_us, to_us;
    bool has_from, has_to;
    enum ss_severity min_sev;
    bool table;
    bool pipeline; /* decode threads for large compressed inputs (more than one CPU) */
    unsigned threads;
    struct ss_sigma_keep keep; /* --max-memory, shared by the scratches */
    bool validate_all;         /* --validate-all: the reader validates every record */
    struct ss_sigma_ruleset *rs;
    struct ss_sigma_scratch **scr;
    uint64_t **shown; /* per worker: hits printed per rule */
    unsigned n_workers;
    struct ss_case cases[HUNT_MAX_ARGS];
    size_t n_cases;
    struct hunt_task *tasks;
    size_t n_tasks;
    size_t n_helpers;          /* helper tasks after the input tasks */
    size_t n_batched;          /* inputs matched in batches */
    struct ss_batchq q;        /* their batches */
    pthread_mutex_t parts;     /* guards every task's parts, the printing and what follows */
    size_t next_task;          /* the input to print next */
    int out_err;               /* stdout failed */
    uint64_t n_skipped_inputs; /* no rule for their kind */
    uint64_t n_unknown_inputs; /* content not understood: not read, each one reported */
    uint64_t n_skipped_paths;  /* discovery's skipped entries (links, FIFOs...), reported */
    struct ss_buf cbuf;        /* correlation output */
    uint64_t *corr_shown;
};

static void fmt_time(int64_t us, char out[SS_TIME_STR_MAX])
{
    if (us == INT64_MIN) {
        out[0] = '\0';
        return;
    }
    (void)ss_time_format(us, us % SS_TIME_US_PER_SEC == 0 ? 0 : 6, out);
}

static bool keep_time(const struct hunt *h, int64_t us)
{
    if (!h->has_from && !h->has_to)
        return true;
    if (us == INT64_MIN)
        return false;
    return (!h->has_from || us >= h->from_us) && (!h->has_to || us <= h->to_us);
}

/*
 * Append a line to @out: a note of kind @kind (\x01..\x03, see write_part), or a table
 * row (@kind 0), printed with ss_buf_put_printable, so that a file name or a value can
 * neither break the line nor drive the terminal.
 */
static int put_line(struct ss_buf *out, char kind, const char *fmt, ...) SS_ATTR_PRINTF(3, 4);

static int put_line(struct ss_buf *out, char kind, const char *fmt, ...)
{
    struct ss_buf msg = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = ss_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    r = r || kind == '\0' ? r : ss_buf_putc(out, kind);
    r = r ? r : ss_buf_put_printable(out, msg.ptr, msg.len);
    r = r ? r : ss_buf_putc(out, '\n');
    ss_buf_release(&msg);
    return r;
}

static int put_match(struct hunt *h, struct ss_buf *b, const struct ss_sigma_hit *hit,
                     const char *file, const struct ss_loc *loc, uint64_t line)
{
    struct ss_sigma_rule_info ri;
    char t[SS_TIME_STR_MAX];
    int r;

    ss_sigma_rule_info(h->rs, hit->rule, &ri);
    fmt_time(hit->time_us, t);
    if (h->table)
        return put_line(b, 0, "%-27s %-13s %-50.50s %-40.40s %s:%" PRIu64, t[0] ? t : "-", ri.level,
                        ri.title, hit->entity[0] ? hit->entity : "-", file, line);
    r = ss_buf_puts(b, "{\"type\":\"match\",\"time\":");
    if (r == 0)
        r = t[0] ? ss_buf_put_json_str(b, t, strlen(t)) : ss_buf_puts(b, "null");
    if (r == 0)
        r = ss_buf_puts(b, ",\"rule\":");
    if (r == 0)
        r = ss_buf_put_json_str(b, ri.id, strlen(ri.id));
    if (r == 0)
        r = ss_buf_puts(b, ",\"title\":");
    if (r == 0)
        r = ss_buf_put_json_str(b, ri.title, strlen(ri.title));
    if (r == 0)
        r = ss_buf_printf(b, ",\"level\":\"%s\",\"entity\":", ri.level);
    if (r == 0)
        r = ss_buf_put_json_str(b, hit->entity, strlen(hit->entity));
    if (r == 0)
        r = ss_buf_puts(b, ",\"file\":");
    if (r == 0)
        r = ss_buf_put_json_str(b, file, strlen(file));
    if (r == 0)
        r = ss_buf_printf(b,
                          ",\"input\":%" PRIu32 ",\"offset\":%" PRIu64 ",\"length\":%" PRIu64
                          ",\"line\":%" PRIu64 "}\n",
                          loc->input, loc->offset, loc->len, line);
    return r;
}

/* Match one record; its matches, or its warning if it is not valid JSON, go to @p. */
static int hunt_record(struct hunt *h, unsigned worker, const struct hunt_task *t,
                       struct hunt_part *p, const char *rec, size_t len, const struct ss_loc *loc,
                       uint64_t line)
{
    const char *path = t->c->inputs[t->index].path;
    const struct ss_sigma_hit *hits;
    size_t n;
    int r = ss_sigma_match(h->rs, h->scr[worker], t->source, rec, len, loc, &hits, &n);

    if (r == SS_ESYNTAX) {
        struct ss_diag d;
        bool why;

        if (++p->bad > HUNT_BAD_SHOWN)
            return 0;
        /* validated once more for the reason and where in the record (shown ones only) */
        ss_diag_clear(&d);
        why = ss_json_validate(rec, len, NULL, &d) < 0 && d.code != 0;
        /* as --validate-all reports it (framing_msg): where the record goes wrong */
        return put_line(&p->out, '\x02',
                        "%s: offset %" PRIu64 ", line %" PRIu64 ": invalid JSON record: %s", path,
                        loc->offset + (why ? d.offset : 0), line, why ? d.msg : "malformed");
    }
    for (size_t i = 0; i < n && r == 0; i++) {
        struct ss_sigma_rule_info ri;

        ss_sigma_rule_info(h->rs, hits[i].rule, &ri);
        if (ri.severity < h->min_sev || !keep_time(h, hits[i].time_us))
            continue;
        h->shown[worker][hits[i].rule]++;
        r = put_match(h, &p->out, &hits[i], path, loc, line);
    }
    return r;
}

/*
 * What the reader could not frame: a warning in its place in the output. An invalid
 * record is one of the input's bad records (the first HUNT_BAD_SHOWN shown); damage to
 * the stream, a record over a cap or a read error is always shown.
 */
static int hunt_framing_error(struct hunt_part *p, const char *msg, bool stream)
{
    if (stream)
        return put_line(&p->out, '\x01', "%s", msg);
    if (++p->bad > HUNT_BAD_SHOWN)
        return 0;
    return put_line(&p->out, '\x02', "%s", msg);
}

/* End @p with error @r: a warning in the output; only running out of memory fails. */
static int hunt_part_fail(const struct hunt_task *t, struct hunt_part *p, int r)
{
    int w = put_line(&p->out, '\x03', "%s: %s", t->c->inputs[t->index].path, ss_strerror(r));

    p->err = r;
    return r == -ENOMEM || w < 0 ? -ENOMEM : 0;
}

static int add_part(struct hunt_task *t, const struct hunt_part *p)
{
    if (t->n_parts == t->cap_parts) {
        size_t cap = t->cap_parts ? t->cap_parts * 2 : 4;
        struct hunt_part *np = ss_reallocarray(t->parts, cap, sizeof(*np));

        if (np == NULL)
            return -ENOMEM;
        t->parts = np;
        t->cap_parts = cap;
    }
    t->parts[t->n_parts++] = *p;
    return 0;
}

/*
 * Print part @p of input @t. Lines starting with \x01 are warnings for stderr, in order
 * with the output; \x02 marks an invalid record, shown for the first HUNT_BAD_SHOWN of
 * the input and then counted; \x03 a part's failure, shown for the input's first only
 * (batches after it may fail the same way). Returns 0 or -EIO.
 */
static int write_part(struct hunt_task *t, const struct hunt_part *p)
{
    const char *c = p->out.ptr, *end = p->out.ptr + p->out.len;

    bool first_err = t->err == 0;

    t->bad += p->bad;
    if (t->err == 0)
        t->err = p->err;
    while (c < end) {
        const char *nl = memchr(c, '\n', (size_t)(end - c));
        size_t n = nl ? (size_t)(nl - c) + 1 : (size_t)(end - c);

        if (*c == '\x02') {
            if (++t->shown_bad <= HUNT_BAD_SHOWN)
                ss_cli_warn("%.*s", (int)(n - 2), c + 1);
        } else if (*c == '\x01' || (*c == '\x03' && first_err)) {
            ss_cli_warn("%.*s", (int)(n - 2), c + 1);
        } else if (*c != '\x03' && fwrite(c, 1, n, stdout) != n) {
            return -EIO;
        }
        c += n;
    }
    return 0;
}

/* Print, and free, part @k of @t. */
static void print_part(struct hunt *h, struct hunt_task *t, size_t k)
{
    if (write_part(t, &t->parts[k]) < 0 && h->out_err == 0)
        h->out_err = -EIO;
    ss_buf_release(&t->parts[k].out);
    t->parts[k] = t->parts[--t->n_parts];
    t->next_seq++;
}

static void finish_task(const struct hunt_task *t)
{
    if (t->bad > HUNT_BAD_SHOWN)
        ss_cli_warn("%s: %" PRIu64 " bad records in all", t->c->inputs[t->index].path, t->bad);
}

/*
 * Print every part that is next in order (with h->parts held): inputs in order, each
 * input's parts by sequence number. Output streams as the workers go; what waits is
 * bounded by the parts being matched out of order.
 */
static void flush_locked(struct hunt *h)
{
    while (h->next_task < h->n_tasks) {
        struct hunt_task *t = &h->tasks[h->next_task];
        size_t k = 0;

        while (k < t->n_parts && t->parts[k].seq != t->next_seq)
            k++;
        if (k < t->n_parts) {
            print_part(h, t, k);
            continue;
        }
        if (t->next_seq != t->n_seq)
            break;
        finish_task(t);
        h->next_task++;
    }
}

/* After the workers: print what is left (inputs a failure cut short), in order. */
static void flush_rest(struct hunt *h)
{
    for (; h->next_task < h->n_tasks; h->next_task++) {
        struct hunt_task *t = &h->tasks[h->next_task];

        while (t->n_parts > 0) {
            size_t k = 0;

            for (size_t i = 1; i < t->n_parts; i++)
                if (t->parts[i].seq < t->parts[k].seq)
                    k = i;
            print_part(h, t, k);
        }
        finish_task(t);
    }
}

/*
 * File part @p of @t's output, ended by error @r if negative (@p is released if that
 * fails), and print what is next in order. @last: no part of @t follows.
 */
static int file_part(struct hunt *h, struct hunt_task *t, struct hunt_part *p, int r, bool last)
{
    if (r < 0)
        r = hunt_part_fail(t, p, r);
    pthread_mutex_lock(&h->parts);
    if (last)
        t->n_seq = p->seq + 1;
    if (r == 0)
        r = add_part(t, p);
    if (r == 0)
        flush_locked(h);
    pthread_mutex_unlock(&h->parts);
    if (r < 0)
        ss_buf_release(&p->out);
    return r;
}

/* Match batch @b on @worker and file its output (ss_batch_fn). */
static int hunt_batch_run(void *ctx, const struct ss_batch *b, unsigned worker)
{
    struct hunt *h = ctx;
    struct hunt_task *t = b->owner;
    struct hunt_part p = { .seq = b->seq, .out = SS_BUF_INIT(HUNT_OUT_MAX) };
    int r = 0;

    for (size_t i = 0; i < b->n && r == 0; i++) {
        const struct ss_batch_rec *x = &b->recs[i];

        if (x->flags & HUNT_FRAMING_ERROR) {
            char msg[SS_DIAG_FILE_MAX + SS_DIAG_MSG_MAX + 64];

            (void)snprintf(msg, sizeof(msg), "%.*s", (int)x->len, b->data + x->off);
            r = hunt_framing_error(&p, msg, (x->flags & HUNT_STREAM_ERROR) != 0);
        } else {
            r = hunt_record(h, worker, t, &p, b->data + x->off, x->len, &x->loc, x->line);
        }
    }
    return file_part(h, t, &p, r, false);
}

/* Match record @rec of batched input @t on its own, as part @seq of the output. */
static int hunt_alone(struct hunt *h, struct hunt_task *t, unsigned worker, size_t seq,
                      const struct ss_record *rec, uint64_t line)
{
    struct hunt_part p = { .seq = seq, .out = SS_BUF_INIT(HUNT_OUT_MAX) };
    return file_part(h, t, &p, hunt_record(h, worker, t, &p, rec->ptr, rec->len, &rec->loc, line),
                     false);
}

/* The text of a framing error, as it is printed. */
static int framing_msg(const char *path, const struct ss_diag *d, int r, char *out, size_t cap)
{
    char line[32] = "";
    int n;

    /* damage to the stream has a decoded offset but no line, as in 'siloscope cat' */
    if (d->line > 0)
        (void)snprintf(line, sizeof(line), ", line %" PRIu64, d->line);
    n = snprintf(out, cap, "%s: offset %" PRIu64 "%s: %s%s", path, d->offset, line,
                 r == SS_ESYNTAX ? "invalid JSON record: " : "", d->code ? d->msg : ss_strerror(r));

    return n < 0 ? 0 : (int)SS_MIN((size_t)n, cap - 1);
}

/*
 * Read input @t: match every record here (@p gets the output, filed as a part whenever
 * it reaches HUNT_PART_BYTES), or, for a batched input, hand the records over in
 * batches. Parts and batches take their sequence numbers from @seq.
 */
static int hunt_read(struct hunt *h, struct hunt_task *t, unsigned worker, struct hunt_part *p,
                     size_t *seq)
{
    const struct ss_input *in = &t->c->inputs[t->index];
    struct ss_reader *rd = NULL;
    struct ss_batch *b = NULL;
    struct ss_diag d;
    unsigned flags;
    int r;

    ss_diag_clear(&d);
    r = ss_reader_open(t->c, t->index, NULL, NULL, NULL, &rd, &d);
    if (r < 0) {
        p->err = r;
        return put_line(&p->out, '\x01', "cannot read '%s': %s", in->path,
                        d.code ? d.msg : ss_strerror(r));
    }
    /* Records are framed without validation: the engine validates the records that reach
       rule evaluation (SS_SIGMA_VALIDATE); the others are never interpreted, unless every
       record is to be validated. */
    flags = h->validate_all ? 0 : SS_READER_NO_VALIDATE;
    if (h->pipeline && in->comp != SS_COMP_NONE && in->size_bytes >= HUNT_PIPELINE_MIN_BYTES &&
        (!t->batched || h->n_workers >= HUNT_BATCH_PIPELINE_WORKERS))
        flags |= SS_READER_PIPELINE;
    ss_reader_set_flags(rd, flags);
    for (;;) {
        struct ss_record rec;
        char msg[SS_DIAG_FILE_MAX + SS_DIAG_MSG_MAX + 64];

        ss_diag_clear(&d);
        r = ss_reader_next(rd, &rec, &d);
        if (r == 0 || r == -ENOMEM)
            break;
        if (t->batched && r > 0 && rec.len > SS_BATCH_BYTES) {
            /* a record larger than a batch is matched here, in a part of its own, so that
               batches (and memory) stay bounded whatever the records' sizes */
            r = b != NULL ? ss_batchq_push(&h->q, b, worker) : 0;
            b = NULL;
            if (r == 0)
                r = hunt_alone(h, t, worker, (*seq)++, &rec, ss_reader_record_line(rd));
            if (r < 0)
                break;
            continue;
        }
        if (t->batched && b == NULL) {
            b = ss_batchq_get(&h->q, t, (*seq)++);
            if (b == NULL) {
                r = -ENOMEM;
                break;
            }
        }
        if (r < 0) {
            int n = framing_msg(in->path, &d, r, msg, sizeof(msg));
            bool stream = r != SS_ESYNTAX;

            r = b != NULL ? ss_batch_add(b, msg, (size_t)n, NULL, 0,
                                         HUNT_FRAMING_ERROR | (stream ? HUNT_STREAM_ERROR : 0))
                          : hunt_framing_error(p, msg, stream);
        } else if (b != NULL) {
            r = ss_batch_add(b, rec.ptr, rec.len, &rec.loc, ss_reader_record_line(rd), 0);
        } else {
            r = hunt_record(h, worker, t, p, rec.ptr, rec.len, &rec.loc, ss_reader_record_line(rd));
        }
        if (r == 0 && b == NULL && p->out.len >= HUNT_PART_BYTES) {
            /* print as we go: this stretch of output is a part of its own */
            p->seq = (*seq)++;
            r = file_part(h, t, p, 0, false);
            *p = (struct hunt_part){ .out = SS_BUF_INIT(HUNT_OUT_MAX) };
        }
        if (r < 0)
            break;
        if (b != NULL && ss_batch_full(b)) {
            r = ss_batchq_push(&h->q, b, worker);
            b = NULL;
            if (r < 0)
                break;
        }
    }
    ss_reader_free(rd);
    if (b != NULL) {
        if (r >= 0 && b->n > 0) {
            r = ss_batchq_push(&h->q, b, worker);
        } else {
            ss_batchq_put_back(&h->q, b);
        }
    }
    return r < 0 ? r : 0;
}

/* Task: an input (read, and matched or batched), or a helper that matches batches. */
static int hunt_task_run(void *ctx, size_t task, unsigned worker)
{
    struct hunt *h = ctx;
    struct hunt_task *t;
    struct hunt_part p = { .seq = 0, .out = SS_BUF_INIT(HUNT_OUT_MAX) };
    int r;

    if (task >= h->n_tasks) {
        r = ss_batchq_help(&h->q, worker);
    } else {
        size_t seq = 0;

        t = &h->tasks[task];
        r = hunt_read(h, t, worker, &p, &seq);
        p.seq = seq; /* the reader's last part: what it printed at the end */
        r = file_part(h, t, &p, r, true);
        if (t->batched) {
            /* no helper may be left: match what is still queued */
            int q = ss_batchq_done(&h->q, worker);

            r = r < 0 ? r : q;
        }
    }
    if (r < 0)
        ss_batchq_abort(&h->q);
    return r;
}

static int on_corr(void *ctx, const struct ss_sigma_corr_hit *c)
{
    struct hunt *h = ctx;
    struct ss_sigma_rule_info ri;
    struct ss_buf *b = &h->cbuf;
    char t1[SS_TIME_STR_MAX], t2[SS_TIME_STR_MAX];
    int r;

    ss_sigma_rule_info(h->rs, c->rule, &ri);
    if (ri.severity < h->min_sev || !keep_time(h, c->last_us))
        return 0;
    h->corr_shown[c->rule]++;
    fmt_time(c->first_us, t1);
    fmt_time(c->last_us, t2);
    if (h->table)
        return put_line(b, 0, "%-27s %-13s %-50.50s %-40.40s %" PRIu64 " events%s%s",
                        t2[0] ? t2 : "-", ri.level, ri.title, c->entity[0] ? c->entity : "-",
                        c->n_events, c->group[0] ? ", " : "", c->group);
    r = ss_buf_puts(b, "{\"type\":\"correlation\",\"time\":");
    if (r == 0)
        r = t2[0] ? ss_buf_put_json_str(b, t2, strlen(t2)) : ss_buf_puts(b, "null");
    if (r == 0)
        r = ss_buf_puts(b, ",\"first\":");
    if (r == 0)
        r = t1[0] ? ss_buf_put_json_str(b, t1, strlen(t1)) : ss_buf_puts(b, "null");
    if (r == 0)
        r = ss_buf_puts(b, ",\"rule\":");
    if (r == 0)
        r = ss_buf_put_json_str(b, ri.id, strlen(ri.id));
    if (r == 0)
        r = ss_buf_puts(b, ",\"title\":");
    if (r == 0)
        r = ss_buf_put_json_str(b, ri.title, strlen(ri.title));
    if (r == 0)
        r = ss_buf_printf(b, ",\"level\":\"%s\",\"entity\":", ri.level);
    if (r == 0)
        r = ss_buf_put_json_str(b, c->entity, strlen(c->entity));
    if (r == 0)
        r = ss_buf_puts(b, ",\"group\":");
    if (r == 0)
        r = ss_buf_put_json_str(b, c->group, strlen(c->group));
    if (r == 0)
        r = ss_buf_printf(b, ",\"events\":%" PRIu64 ",\"locations\":[", c->n_events);
    for (size_t i = 0; r == 0 && i < c->n_locs; i++)
        r = ss_buf_printf(b, "%s[%" PRIu32 ",%" PRIu64 ",%" PRIu64 "]", i ? "," : "",
                          c->locs[i].input, c->locs[i].offset, c->locs[i].len);
    if (r == 0)
        r = ss_buf_puts(b, "]}\n");
    return r;
}

static int load_rules(struct hunt *h)
{
    struct ss_diag d;
    char msg[SS_DIAG_FILE_MAX + SS_DIAG_MSG_MAX + 64];
    size_t n_rej = 0, n_unrouted = 0;
    int r = 0;

    h->rs = ss_sigma_ruleset_new(SS_SIGMA_DEFER_PREFILTER);
    if (h->rs == NULL)
        return -ENOMEM;
    ss_sigma_ruleset_set_threads(h->rs, h->threads ? h->threads : ss_pool_default_threads());
    ss_diag_clear(&d);
    for (size_t i = 0; i < h->n_maps && r == 0; i++)
        r = ss_sigma_mapping_load(h->rs, h->maps[i], &d);
    for (size_t i = 0; i < h->n_phs && r == 0; i++)
        r = ss_sigma_placeholders_load(h->rs, h->phs[i], &d);
    for (size_t i = 0; i < h->n_rules && r == 0; i++)
        r = ss_sigma_load_path(h->rs, h->rules[i], &d);
    if (r == 0)
        r = ss_sigma_compile(h->rs, &d);
    if (r < 0) {
        ss_diag_format(&d, msg, sizeof(msg));
        ss_cli_error("hunt: cannot load rules: %s", d.code ? msg : ss_strerror(r));
        return r;
    }
    /* nothing is dropped silently: say what did not load or will never run */
    for (size_t i = 0; i < ss_sigma_report_len(h->rs); i++) {
        const struct ss_sigma_entry *e = ss_sigma_report_at(h->rs, i);

        if (e->status == SS_SIGMA_REJECTED) {
            n_rej++;
            ss_cli_warn("rule rejected: %s:%" PRIu32 ":%" PRIu32 ": %s", e->file, e->line,
                        e->column, e->reason);
        }
        for (size_t k = 0; k < e->n_notes; k++)
            n_unrouted += e->notes[k].kind == SS_SIGMA_NOTE_UNROUTED;
    }
    if (n_unrouted > 0)
        ss_cli_warn("%zu rules are not routed to any input kind and never run (see 'siloscope "
                    "rules check')",
                    n_unrouted);
    (void)ss_cli_warn_unknown_kinds(h->rs);
    if (ss_sigma_rule_count(h->rs) == 0) {
        ss_cli_error("hunt: no Sigma rule loaded from --rules (%zu rejected)", n_rej);
        return SS_EEMPTY;
    }
    return 0;
}

static int add_inputs(struct hunt *h, char **args, size_t n_args, int *code)
{
    for (size_t a = 0; a < n_args; a++) {
        struct ss_case *c = &h->cases[h->n_cases];
        struct ss_diag d;
        struct stat st;
        int r;

        ss_diag_clear(&d);
        if (stat(args[a], &st) != 0) {
            ss_cli_error("cannot open '%s': %s", args[a], strerror(errno));
            *code = SS_EXIT_INPUT;
            continue;
        }
        r = S_ISDIR(st.st_mode) ? ss_case_discover_threads(args[a], NULL, h->threads, c, &d)
                                : ss_case_from_file(args[a], NULL, c, &d);
        if (r < 0) {
            ss_cli_error("cannot read '%s': %s", args[a], d.code ? d.msg : ss_strerror(r));
            *code = ss_cli_exit_for(r);
            if (r == -ENOMEM)
                return r;
            continue;
        }
        h->n_cases++;
        for (size_t i = 0; i < c->n_skipped; i++)
            if (h->n_unknown_inputs + h->n_skipped_paths++ < HUNT_MAX_UNKNOWN_SHOWN)
                ss_cli_warn("hunt: '%s/%s': skipped: %s", c->root, c->skipped[i].relpath,
                            c->skipped[i].reason);
        for (size_t i = 0; i < c->n_inputs; i++) {
            const struct ss_input *in = &c->inputs[i];
            int src;
            struct hunt_task *nt;

            if (in->kind == SS_KIND_UNKNOWN) {
                /* nothing goes unread unsaid (there are few: licences, READMEs) */
                if (h->n_unknown_inputs++ + h->n_skipped_paths < HUNT_MAX_UNKNOWN_SHOWN)
                    ss_cli_warn("hunt: '%s': not read: %s", in->path,
                                in->why_unknown != NULL ? in->why_unknown
                                                        : "content not understood");
                continue;
            }
            src = ss_sigma_source(h->rs, ss_input_kind_name(in->kind));
            if (src < 0) {
                h->n_skipped_inputs++;
                continue;
            }
            nt = ss_reallocarray(h->tasks, h->n_tasks + 1, sizeof(*nt));
            if (nt == NULL)
                return -ENOMEM;
            h->tasks = nt;
            h->tasks[h->n_tasks++] = (struct hunt_task){
                .c = c, .index = (uint32_t)i, .source = src, .n_seq = SIZE_MAX
            };
        }
    }
    return 0;
}

/* Build the prefilters of the input kinds the tasks read, and only those. */
static int build_prefilters(struct hunt *h)
{
    bool *used = ss_calloc(ss_sigma_source_count(h->rs) + 1, sizeof(*used));
    char msg[SS_DIAG_FILE_MAX + SS_DIAG_MSG_MAX + 64];
    struct ss_diag d;
    int r;

    if (used == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < h->n_tasks; i++)
        used[h->tasks[i].source] = true;
    ss_diag_clear(&d);
    r = ss_sigma_build_prefilters(h->rs, used, h->threads, &d);
    ss_free(used);
    if (r < 0) {
        ss_diag_format(&d, msg, sizeof(msg));
        ss_cli_error("hunt: cannot load rules: %s", d.code ? msg : ss_strerror(r));
    }
    return r;
}

/* Print buffer @b (correlation output: no warnings). */
static int write_out(const struct ss_buf *b)
{
    return fwrite(b->ptr, 1, b->len, stdout) == b->len ? 0 : -EIO;
}

static int print_hits(struct hunt *h, const struct ss_sigma_stats *st)
{
    uint64_t n_records = st->n_records, n_hits = st->n_hits;
    size_t n = ss_sigma_rule_count(h->rs);
    uint64_t total = 0;

    if (h->table)
        printf("\nhits per rule:\n");
    for (size_t i = 0; i < n; i++) {
        struct ss_sigma_rule_info ri;
        uint64_t c = h->corr_shown[i];
        struct ss_buf b = SS_BUF_INIT(1 << 20);
        char num[24];
        bool unknown;
        int r;

        ss_sigma_rule_info(h->rs, i, &ri);
        if (!ri.emits)
            continue;
        for (unsigned w = 0; w < h->n_workers; w++)
            c += h->shown[w][i];
        total += c;
        /* past the budget no correlation ran: its count is unknown */
        unknown = ri.is_correlation && ss_sigma_keep_passed(&h->keep);
        (void)snprintf(num, sizeof(num), "%" PRIu64, c);
        if (h->table) {
            r = put_line(&b, 0, "%10s  %-13s %s  %s%s", unknown ? "not run" : num, ri.level, ri.id,
                         ri.title, ri.n_kinds == 0 ? "  (not routed to any input kind)" : "");
        } else {
            r = ss_buf_puts(&b, "{\"type\":\"hits\",\"rule\":");
            r = r ? r : ss_buf_put_json_str(&b, ri.id, strlen(ri.id));
            r = r ? r : ss_buf_puts(&b, ",\"title\":");
            r = r ? r : ss_buf_put_json_str(&b, ri.title, strlen(ri.title));
            r = r ? r
                  : ss_buf_printf(&b, ",\"level\":\"%s\",\"routed\":%s,\"hits\":%s}\n", ri.level,
                                  ri.n_kinds ? "true" : "false", unknown ? "null" : num);
        }
        if (r == 0 && fwrite(b.ptr, 1, b.len, stdout) != b.len)
            r = -EIO;
        ss_buf_release(&b);
        if (r < 0)
            return r;
    }
    if (h->table)
        printf("\n%" PRIu64 " matches shown; %" PRIu64 " records read, %" PRIu64
               " rule hits in all, %" PRIu64 " inputs skipped (no rule for their kind), %" PRIu64
               " not understood, %" PRIu64 " paths skipped\n",
               total, n_records, n_hits, h->n_skipped_inputs, h->n_unknown_inputs,
               h->n_skipped_paths);
    else
        printf("{\"type\":\"summary\",\"records\":%" PRIu64 ",\"candidates\":%" PRIu64
               ",\"evaluations\":%" PRIu64 ",\"matches\":%" PRIu64 ",\"rule_hits\":%" PRIu64
               ",\"inputs\":%zu,\"inputs_skipped\":%" PRIu64 ",\"inputs_unknown\":%" PRIu64
               ",\"paths_skipped\":%" PRIu64 "}\n",
               n_records, st->n_candidates, st->n_evals, total, n_hits, h->n_tasks,
               h->n_skipped_inputs, h->n_unknown_inputs, h->n_skipped_paths);
    return 0;
}

static int parse_args(struct hunt *h, struct ss_args *a)
{
    while (ss_args_next(a)) {
        const char *v = NULL;
        uint64_t j;

        if (ss_args_help(a)) {
            fputs(hunt_help, stdout);
            return 1;
        } else if (ss_args_flag(a, "table", 0)) {
            h->table = true;
        } else if (ss_args_flag(a, "validate-all", 0)) {
            h->validate_all = true;
        } else if (ss_args_value(a, "rules", 0, &v)) {
            if (v != NULL && h->n_rules < HUNT_MAX_ARGS)
                h->rules[h->n_rules++] = v;
        } else if (ss_args_value(a, "mapping", 0, &v)) {
            if (v != NULL && h->n_maps < HUNT_MAX_ARGS)
                h->maps[h->n_maps++] = v;
        } else if (ss_args_value(a, "placeholders", 0, &v)) {
            if (v != NULL && h->n_phs < HUNT_MAX_ARGS)
                h->phs[h->n_phs++] = v;
        } else if (ss_args_value(a, "from", 0, &v)) {
            if (v != NULL && ss_time_parse(v, strlen(v), &h->from_us) != 0) {
                ss_cli_error("hunt: bad time '%s' (ISO 8601, e.g. 2024-05-01T00:00:00Z)", v);
                return -1;
            }
            h->has_from = v != NULL;
        } else if (ss_args_value(a, "to", 0, &v)) {
            if (v != NULL && ss_time_parse(v, strlen(v), &h->to_us) != 0) {
                ss_cli_error("hunt: bad time '%s' (ISO 8601, e.g. 2024-05-01T00:00:00Z)", v);
                return -1;
            }
            h->has_to = v != NULL;
        } else if (ss_args_value(a, "level", 0, &v)) {
            if (v != NULL && ss_severity_parse(v, strlen(v), &h->min_sev) != 0) {
                ss_cli_error("hunt: bad level '%s' (informational, low, medium, high, critical)",
                             v);
                return -1;
            }
        } else if (ss_args_value(a, "max-memory", 0, &v)) {
            if (v != NULL && ss_cli_max_memory(a, v, &h->keep) != 0)
                return -1;
        } else if (ss_args_value(a, "threads", 'j', &v)) {
            if (v != NULL) {
                if (ss_args_u64(a, "--threads", v, &j) != 0)
                    return -1;
                if (j == 0 || j > 1024) {
                    ss_cli_error("hunt: --threads must be between 1 and 1024");
                    return -1;
                }
                h->threads = (unsigned)j;
            }
        } else {
            (void)ss_args_unknown(a);
            return -1;
        }
    }
    return a->bad ? -1 : 0;
}

int ss_cmd_hunt(int argc, char **argv)
{
    struct hunt h = { .min_sev = SS_SEV_INFO,
                      .cbuf = SS_BUF_INIT(HUNT_OUT_MAX),
                      .parts = PTHREAD_MUTEX_INITIALIZER };
    struct ss_sigma_stats st = { 0 };
    struct ss_args a;
    uint64_t total = 0;
    bool have_q = false;
    int code = SS_EXIT_OK, r;

    ss_sigma_keep_init(&h.keep, SS_SIGMA_MAX_KEPT_BYTES);
    ss_args_init(&a, argc, argv);
    r = parse_args(&h, &a);
    if (r != 0)
        return r > 0 ? SS_EXIT_OK : SS_EXIT_USAGE;
    if (h.n_rules == 0 || a.n_pos == 0) {
        ss_cli_error("hunt: %s (see 'siloscope hunt --help')",
                     h.n_rules == 0 ? "missing --rules" : "missing INPUT");
        return SS_EXIT_USAGE;
    }
    if (a.n_pos > HUNT_MAX_ARGS) {
        ss_cli_error("hunt: too many inputs (at most %d)", HUNT_MAX_ARGS);
        return SS_EXIT_USAGE;
    }
    r = load_rules(&h);
    if (r < 0) {
        code = ss_cli_exit_for(r);
        goto out;
    }
    r = add_inputs(&h, a.pos, a.n_pos, &code);
    if (r < 0) {
        code = SS_EXIT_INTERNAL;
        goto out;
    }
    if (h.n_unknown_inputs + h.n_skipped_paths > HUNT_MAX_UNKNOWN_SHOWN)
        ss_cli_warn("hunt: %" PRIu64 " more paths not read (content not understood, or skipped)",
                    h.n_unknown_inputs + h.n_skipped_paths - HUNT_MAX_UNKNOWN_SHOWN);
    r = build_prefilters(&h);
    if (r < 0) {
        code = ss_cli_exit_for(r);
        goto out;
    }
    h.pipeline = ss_pool_default_threads() > 1;
    h.n_workers = h.threads ? h.threads : ss_pool_default_threads();
    h.n_workers = SS_MIN(h.n_workers, HUNT_MAX_WORKERS);
    for (size_t i = 0; i < h.n_tasks; i++)
        total += h.tasks[i].c->inputs[h.tasks[i].index].size_bytes;
    for (size_t i = 0; i < h.n_tasks; i++) {
        const struct ss_input *in = &h.tasks[i].c->inputs[h.tasks[i].index];

        h.tasks[i].batched = ss_batch_worth(
            in->size_bytes, in->comp == SS_COMP_NONE ? HUNT_SPLIT_MIN_BYTES : HUNT_SPLIT_MIN_STORED,
            total, h.n_workers);
        h.n_batched += h.tasks[i].batched;
    }
    if (h.n_batched > 0)
        h.n_helpers = h.n_workers - 1;
    else if (h.n_tasks > 0)
        h.n_workers = (unsigned)SS_MIN((size_t)h.n_workers, h.n_tasks);
    if (ss_batchq_init(&h.q, h.n_batched, (size_t)h.n_workers * HUNT_QUEUE_PER_WORKER,
                       hunt_batch_run, &h) != 0) {
        code = SS_EXIT_INTERNAL;
        goto out;
    }
    have_q = true;
    h.scr = ss_calloc(h.n_workers, sizeof(*h.scr));
    h.shown = ss_calloc(h.n_workers, sizeof(*h.shown));
    h.corr_shown = ss_calloc(ss_sigma_rule_count(h.rs) + 1, sizeof(*h.corr_shown));
    if (h.scr == NULL || h.shown == NULL || h.corr_shown == NULL) {
        code = SS_EXIT_INTERNAL;
        goto out;
    }
    for (unsigned w = 0; w < h.n_workers; w++) {
        h.scr[w] = ss_sigma_scratch_new(h.rs, SS_SIGMA_VALIDATE);
        h.shown[w] = ss_calloc(ss_sigma_rule_count(h.rs) + 1, sizeof(**h.shown));
        if (h.scr[w] == NULL || h.shown[w] == NULL) {
            ss_cli_error("out of memory");
            code = SS_EXIT_INTERNAL;
            goto out;
        }
        ss_sigma_scratch_set_keep(h.scr[w], &h.keep);
    }
    if (h.table)
        printf("%-27s %-13s %-50s %-40s %s\n", "TIME", "LEVEL", "RULE", "ENTITY", "LOCATION");
    r = ss_pool_run(h.n_workers, h.n_tasks + h.n_helpers, hunt_task_run, &h);
    flush_rest(&h);
    if (h.out_err < 0 && r == 0)
        r = h.out_err;
    for (size_t i = 0; i < h.n_tasks; i++)
        if (h.tasks[i].err < 0 && code == SS_EXIT_OK)
            code = ss_cli_exit_for(h.tasks[i].err);
    if (r < 0) {
        ss_cli_error("hunt: %s", ss_strerror(r));
        code = SS_EXIT_INTERNAL;
        goto out;
    }
    if (h.table)
        printf("\ncorrelations:\n");
    r = ss_sigma_correlate(h.rs, h.scr, h.n_workers, on_corr, &h);
    if (r == SS_ELIMIT) {
        /* the matches are out and complete; no correlation line is printed, as some of
           them could be wrong: say so, go on */
        ss_cli_error("hunt: correlations not run: the events kept for them passed the memory "
                     "budget of %" PRIu64 " bytes (--max-memory); the matches and hit counts "
                     "are complete",
                     h.keep.max);
        ss_buf_reset(&h.cbuf);
        code = SS_EXIT_INPUT;
        r = 0;
    }
    if (r == 0)
        r = write_out(&h.cbuf);
    for (unsigned w = 0; w < h.n_workers; w++)
        ss_sigma_scratch_stats(h.scr[w], &st);
    if (r == 0)
        r = print_hits(&h, &st);
    if (st.n_regex_limit > 0)
        ss_cli_warn("%" PRIu64 " regular-expression matches stopped at the match limit "
                    "(counted as no match)",
                    st.n_regex_limit);
    if (st.n_key_too_long > 0)
        ss_cli_warn("%" PRIu64 " events left out of correlations: a group-by or value field "
                    "over 1 MiB",
                    st.n_key_too_long);
    if (r < 0 || fflush(stdout) != 0 || ferror(stdout)) {
        ss_cli_error("cannot write the output: %s", r < 0 ? ss_strerror(r) : strerror(errno));
        code = SS_EXIT_INTERNAL;
    }
out:
    for (unsigned w = 0; h.scr != NULL && w < h.n_workers; w++)
        ss_sigma_scratch_free(h.scr[w]);
    ss_sigma_keep_release(&h.keep);
    for (unsigned w = 0; h.shown != NULL && w < h.n_workers; w++)
        ss_free(h.shown[w]);
    ss_free(h.scr);
    ss_free(h.shown);
    ss_free(h.corr_shown);
    for (size_t i = 0; i < h.n_tasks; i++) {
        for (size_t k = 0; k < h.tasks[i].n_parts; k++)
            ss_buf_release(&h.tasks[i].parts[k].out);
        ss_free(h.tasks[i].parts);
    }
    ss_free(h.tasks);
    if (have_q)
        ss_batchq_release(&h.q);
    pthread_mutex_destroy(&h.parts);
    for (size_t i = 0; i < h.n_cases; i++)
        ss_case_release(&h.cases[i]);
    ss_buf_release(&h.cbuf);
    ss_sigma_ruleset_free(h.rs);
    return code;
}
