/* SPDX-License-Identifier: Apache-2.0 */
/*
 * synth/synth.c - implements ss_synth_run(): plan every output file of a synthetic case,
 * size the plan to the requested volume, generate the files on a thread pool, and write
 * truth.json and README.md.
 *
 * Planning: the world (synth_world.c) fixes who exists and what happens when. The plan
 * lists one entry per log blob (stream, owner, hour) with a relative weight (tenant size,
 * business-hours curve, per-file noise). Sizing calibrates the mean bytes of one unit of
 * each stream by generating a sample in memory, then scales every volume class to its
 * share of the target size, never below the per-file floors the scenarios need.
 * Generation: each file is a task with its own random stream keyed by the file's identity,
 * so the output is the same for any thread count.
 */
#include "synth/synth.h"

#include "synth/synth_int.h"

#include "core/alloc.h"
#include "core/pool.h"
#include "core/ss_time.h"

#include <dirent.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

/* gzip level of CloudTrail files: libdeflate level 4 is ~5x faster than zlib -6, same size. */
#define CT_GZIP_LEVEL 4
#define MAX_UNITS_PER_FILE 20000000u

/* Calibration kinds (mean size of one unit). */
enum kind {
    K_ACT,
    K_SIGNIN,
    K_AUDIT,
    K_APP_R,
    K_APP_W,
    K_APP_D,
    K_VOICE,
    K_CT,
    K_FIXED, /* not scaled: call centre, replica, voice listing */
    K__COUNT
};

/* Volume classes and their share of the variable budget. */
static const double class_share[K__COUNT] = {
    [K_ACT] = 0.17,    [K_SIGNIN] = 0.20, [K_AUDIT] = 0.04, [K_APP_R] = 0.13,
    [K_APP_W] = 0.065, [K_APP_D] = 0.015, [K_VOICE] = 0.34, [K_CT] = 0.04,
};

struct entry {
    struct sy_file f;
    double weight;
    uint8_t kind;
    uint32_t floor;
    uint32_t slot; /* CloudTrail: index into run.ct.logs */
};

struct worker {
    struct sy_w a;
    struct sy_w b;
    struct libdeflate_compressor *gz;
    char *gz_buf;
    size_t gz_cap;
};

struct run {
    const struct ss_synth_opts *o;
    const char *root;
    struct sy_world w;
    struct entry *plan;
    size_t n_plan;
    size_t cap_plan;
    struct sy_result *res; /* per task */
    struct sy_ct ct;       /* CloudTrail digests and the planted tampering */
    struct worker *workers;
    unsigned n_workers;
    atomic_uint_fast64_t done_files;
    atomic_uint_fast64_t done_bytes;
    pthread_mutex_t err_lock;
    size_t err_task;
    struct ss_diag err_diag;
};

void ss_synth_opts_init(struct ss_synth_opts *o)
{
    *o = (struct ss_synth_opts){ .seed = 1, .n_tenants = 8, .n_days = 7 };
}

/* ---- planning ---- */

static uint64_t file_key(const struct sy_file *f)
{
    return sy_mix(sy_mix(f->stream, f->owner), (uint64_t)f->hour * 16 + f->part);
}

static int plan_add(struct run *R, unsigned stream, uint32_t owner, uint32_t hour, double weight,
                    enum kind kind, uint32_t floor)
{
    struct entry *e;

    if (R->n_plan >= SS_SYNTH_MAX_FILES)
        return SS_ELIMIT;
    if (R->n_plan == R->cap_plan) {
        size_t cap = R->cap_plan == 0 ? 1024 : R->cap_plan * 2;
        struct entry *n = ss_reallocarray(R->plan, cap, sizeof(*n));

        if (n == NULL)
            return -ENOMEM;
        R->plan = n;
        R->cap_plan = cap;
    }
    e = &R->plan[R->n_plan++];
    *e = (struct entry){
        .f = { .stream = (uint8_t)stream, .owner = owner, .hour = hour, .n_parts = 1 },
        .weight = weight,
        .kind = (uint8_t)kind,
        .floor = floor
    };
    return 0;
}

/* Whether the blob of @hour in @tenant's log account is gone (lifecycle deletion). */
static bool deleted_by_retention(const struct sy_world *w, uint32_t tenant, uint32_t hour)
{
    int64_t hour_end = w->start + (int64_t)(hour + 1) * SY_TICKS_PER_HOUR;

    return tenant == w->sc_retention && hour_end <= w->ret_cutoff;
}

static bool has_events(const struct sy_world *w, unsigned stream, uint32_t owner, uint32_t hour)
{
    const struct sy_event *e;
    int64_t t0 = w->start + (int64_t)hour * SY_TICKS_PER_HOUR;

    return sy_world_events(w, stream, owner, t0, t0 + SY_TICKS_PER_HOUR, &e) > 0;
}

static double noise(struct sy_rng *r)
{
    return 0.85 + 0.3 * sy_unit(r);
}

static int plan_tenant(struct run *R, struct sy_rng *pr, uint32_t ti)
{
    const struct sy_world *w = &R->w;
    const struct sy_tenant *t = &w->t[ti];
    int tz = t->region->tz;
    int r = 0;

    if (t->log_acct < 0)
        return 0;
    /* activity per subscription */
    for (uint32_t k = 0; k < t->n_subs && r == 0; k++) {
        uint32_t si = t->sub0 + k;

        for (uint32_t h = 0; h < w->n_hours && r == 0; h++) {
            int64_t h0 = w->start + (int64_t)h * SY_TICKS_PER_HOUR;
            double wt = w->s[si].weight * (0.15 + sy_diurnal(tz, h0)) * noise(pr);

            if (deleted_by_retention(w, ti, h))
                continue;
            if (si == w->gap_sub && h0 > w->gap_start && h0 + SY_TICKS_PER_HOUR <= w->gap_end)
                continue;
            r = plan_add(R, SY_ST_ACTIVITY, si, h, wt, K_ACT, 2);
        }
    }
    /* Entra */
    for (uint32_t h = 0; h < w->n_hours && r == 0; h++) {
        int64_t h0 = w->start + (int64_t)h * SY_TICKS_PER_HOUR;
        double users = (double)t->n_users / 30.0;
        double d = sy_diurnal(tz, h0);

        if (deleted_by_retention(w, ti, h))
            continue;
        r = plan_add(R, SY_ST_SIGNIN, ti, h, users * (0.05 + d) * noise(pr), K_SIGNIN, 1);
        if (r == 0)
            r = plan_add(R, SY_ST_AUDIT, ti, h, users * d * noise(pr), K_AUDIT, 0);
    }
    return r;
}

static int plan_storage(struct run *R, struct sy_rng *pr, uint32_t ai)
{
    const struct sy_world *w = &R->w;
    const struct sy_res *a = &w->r[ai];
    const struct sy_tenant *t = &w->t[a->tenant];
    int tz = t->region->tz;
    int r = 0;

    if (!a->blob_diag || t->log_acct < 0)
        return 0;
    for (uint32_t h = 0; h < w->n_hours && r == 0; h++) {
        int64_t h0 = w->start + (int64_t)h * SY_TICKS_PER_HOUR;
        double d = sy_diurnal(tz, h0);
        int64_t local = h0 + (int64_t)tz * SY_TICKS_PER_HOUR;
        unsigned lh = (unsigned)(local % SY_TICKS_PER_DAY / SY_TICKS_PER_HOUR);
        unsigned dow = sy_weekday(local);
        bool business = dow != 0 && lh >= 8 && lh < 20;

        if (deleted_by_retention(w, a->tenant, h))
            continue;
        switch (a->role) {
        case SY_SR_VOICE:
            r = plan_add(R, SY_ST_WRITE, ai, h, noise(pr), K_VOICE, 40);
            if (r == 0 && h % 4 == 0)
                r = plan_add(R, SY_ST_READ, ai, h, 0, K_FIXED, sy_range(pr, 1, 3));
            break;
        case SY_SR_CALLC:
            if (business) {
                r = plan_add(R, SY_ST_WRITE, ai, h, 0, K_FIXED, sy_range(pr, 2, 8));
                if (r == 0 && sy_chance(pr, 0.5))
                    r = plan_add(R, SY_ST_READ, ai, h, 0, K_FIXED, sy_range(pr, 1, 2));
            } else {
                (void)sy_below(pr, 2);
            }
            if (r == 0 && lh == 2)
                r = plan_add(R, SY_ST_DELETE, ai, h, 0, K_FIXED, sy_range(pr, 40, 80));
            break;
        case SY_SR_REPLICA:
            if (h0 + SY_TICKS_PER_HOUR > w->ors_time)
                r = plan_add(R, SY_ST_WRITE, ai, h, 0, K_FIXED, sy_range(pr, 2, 12));
            break;
        default:
            r = plan_add(R, SY_ST_READ, ai, h, t->weight * (0.05 + d) * noise(pr), K_APP_R, 1);
            if (r == 0)
                r = plan_add(R, SY_ST_WRITE, ai, h, t->weight * d * noise(pr), K_APP_W, 0);
            if (r == 0)
                r = plan_add(R, SY_ST_DELETE, ai, h, t->weight * d * noise(pr), K_APP_D, 0);
            break;
        }
    }
    return r;
}

static int plan_cloudtrail(struct run *R, struct sy_rng *pr)
{
    static const double region_weight[SY_AWS_REGIONS] = { 0.55, 0.25, 0.2 };
    static const uint32_t region_floor[SY_AWS_REGIONS] = { 4, 1, 2 };
    const struct sy_world *w = &R->w;
    int r = 0;

    for (uint32_t reg = 0; reg < SY_AWS_REGIONS && r == 0; reg++)
        for (uint32_t h = 0; h < w->n_hours && r == 0; h++) {
            int64_t h0 = w->start + (int64_t)h * SY_TICKS_PER_HOUR;
            double d = sy_diurnal(reg == 2 ? -5 : 1, h0);

            r = plan_add(R, SY_ST_CLOUDTRAIL, reg, h, region_weight[reg] * (0.2 + d) * noise(pr),
                         K_CT, region_floor[reg]);
        }
    return r;
}

static int make_plan(struct run *R)
{
    struct sy_rng pr;
    int r = 0;

    sy_rng_seed(&pr, R->w.seed, UINT64_C(0x706c616e)); /* "plan" */
    for (uint32_t ti = 0; ti < R->w.n_t && r == 0; ti++)
        r = plan_tenant(R, &pr, ti);
    for (uint32_t ai = 0; ai < R->w.n_r && r == 0; ai++)
        r = plan_storage(R, &pr, ai);
    if (r == 0)
        r = plan_cloudtrail(R, &pr);
    return r;
}

/* ---- sizing ---- */

static int gz_compress(struct worker *wk, const char *in, size_t len, size_t *ret_len)
{
    size_t bound, n;

    if (wk->gz == NULL) {
        wk->gz = libdeflate_alloc_compressor(CT_GZIP_LEVEL);
        if (wk->gz == NULL)
            return -ENOMEM;
    }
    bound = libdeflate_gzip_compress_bound(wk->gz, len);
    if (bound > wk->gz_cap) {
        char *nb = ss_realloc(wk->gz_buf, bound);

        if (nb == NULL)
            return -ENOMEM;
        wk->gz_buf = nb;
        wk->gz_cap = bound;
    }
    n = libdeflate_gzip_compress(wk->gz, in, len, wk->gz_buf, wk->gz_cap);
    if (n == 0)
        return SS_ELIMIT;
    *ret_len = n;
    return 0;
}

/* Mean output bytes of one unit of each kind, measured on an in-memory sample. */
static int calibrate(struct run *R, double mean[K__COUNT])
{
    const struct sy_world *w = &R->w;
    const struct sy_tenant *t = &w->t[1];
    struct worker *wk = &R->workers[0];
    static const struct {
        enum kind k;
        uint8_t stream;
        uint32_t n;
    } cal[] = {
        { K_ACT, SY_ST_ACTIVITY, 200 }, { K_SIGNIN, SY_ST_SIGNIN, 200 },
        { K_AUDIT, SY_ST_AUDIT, 200 },  { K_APP_R, SY_ST_READ, 300 },
        { K_APP_W, SY_ST_WRITE, 300 },  { K_APP_D, SY_ST_DELETE, 300 },
        { K_VOICE, SY_ST_WRITE, 100 },  { K_CT, SY_ST_CLOUDTRAIL, 300 },
    };
    int r;

    for (size_t i = 0; i < SS_ARRAY_LEN(cal); i++) {
        struct sy_file f = {
            .stream = cal[i].stream, .n = cal[i].n, .n_parts = 1, .hour = w->n_hours / 2
        };
        struct sy_result res = { 0 };
        struct sy_rng rng;
        size_t bytes;

        switch (cal[i].k) {
        case K_ACT:
            f.owner = t->sub0;
            break;
        case K_SIGNIN:
        case K_AUDIT:
            f.owner = 1;
            break;
        case K_VOICE:
            f.owner = (uint32_t)w->voice_acct;
            break;
        case K_CT:
            f.owner = 0;
            break;
        default:
            f.owner = (uint32_t)t->app_acct;
            break;
        }
        sy_rng_seed(&rng, w->seed, UINT64_C(0xca11b000) + i);
        sy_w_reset(&wk->a, -1);
        if (cal[i].k == K_CT)
            r = sy_emit_cloudtrail(w, &f, &rng, &wk->a, true, &res, NULL);
        else
            r = sy_emit_azure(w, &f, &rng, &wk->a, true, &res);
        if (r < 0)
            return r;
        bytes = sy_w_len(&wk->a);
        if (cal[i].k == K_CT) {
            r = gz_compress(wk, wk->a.base, bytes, &bytes);
            if (r < 0)
                return r;
        }
        mean[cal[i].k] = (double)bytes / (double)cal[i].n;
    }
    mean[K_FIXED] = 1500.0;
    return 0;
}

static int size_plan(struct run *R)
{
    const struct sy_world *w = &R->w;
    uint64_t target = R->o->size_bytes != 0 ? R->o->size_bytes : SS_SYNTH_DEFAULT_SIZE;
    double mean[K__COUNT] = { 0 }, wsum[K__COUNT] = { 0 }, k[K__COUNT] = { 0 };
    double fixed = 2e5 + 3e4 * (double)w->n_t, budget;
    int r = calibrate(R, mean);

    if (r < 0)
        return r;
    for (size_t i = 0; i < R->n_plan; i++) {
        const struct entry *e = &R->plan[i];

        if (e->kind == K_FIXED)
            fixed += e->floor * mean[K_FIXED];
        else
            wsum[e->kind] += e->weight;
    }
    budget = (double)target > fixed ? (double)target - fixed : 0.0;
    for (size_t c = 0; c < K__COUNT; c++)
        if (wsum[c] > 0 && mean[c] > 0)
            k[c] = class_share[c] * budget / (wsum[c] * mean[c]);
    for (size_t i = 0; i < R->n_plan; i++) {
        struct entry *e = &R->plan[i];
        double want = e->kind == K_FIXED ? 0.0 : k[e->kind] * e->weight + 0.5;
        uint32_t n = want >= (double)MAX_UNITS_PER_FILE ? MAX_UNITS_PER_FILE : (uint32_t)want;

        e->f.n = SS_MAX(n, e->floor);
    }
    return 0;
}

/*
 * Drop empty files (no units and no injected records) and split CloudTrail hours into
 * deliveries of about five minutes' worth of events.
 */
static int finish_plan(struct run *R)
{
    const struct sy_world *w = &R->w;
    size_t out = 0, extra = 0;

    for (size_t i = 0; i < R->n_plan; i++) {
        const struct entry *e = &R->plan[i];

        if (e->f.stream == SY_ST_CLOUDTRAIL && e->f.n > 0)
            extra += SS_MIN(12u, SS_MAX(1u, e->f.n / 40)) - 1;
    }
    if (R->n_plan + extra > SS_SYNTH_MAX_FILES)
        return SS_ELIMIT;
    if (R->n_plan + extra > R->cap_plan) {
        struct entry *n = ss_reallocarray(R->plan, R->n_plan + extra, sizeof(*n));

        if (n == NULL)
            return -ENOMEM;
        R->plan = n;
        R->cap_plan = R->n_plan + extra;
    }
    /* expand from the back so entries are never overwritten before they are read */
    {
        size_t dst = R->n_plan + extra;

        for (size_t i = R->n_plan; i-- > 0;) {
            struct entry e = R->plan[i];

            if (e.f.stream == SY_ST_CLOUDTRAIL && e.f.n > 0) {
                uint32_t parts = SS_MIN(12u, SS_MAX(1u, e.f.n / 40));

                for (uint32_t p = parts; p-- > 0;) {
                    struct entry *d = &R->plan[--dst];

                    *d = e;
                    d->f.part = (uint8_t)p;
                    d->f.n_parts = (uint8_t)parts;
                    d->f.n = e.f.n / parts + (p < e.f.n % parts ? 1 : 0);
                }
            } else {
                R->plan[--dst] = e;
            }
        }
        R->n_plan += extra;
    }
    for (size_t i = 0; i < R->n_plan; i++) {
        const struct entry *e = &R->plan[i];

        if (e->f.n == 0 && !has_events(w, e->f.stream, e->f.owner, e->f.hour))
            continue;
        R->plan[out++] = *e;
    }
    R->n_plan = out;
    return 0;
}

/*
 * The table of CloudTrail files that the digests will cover, in plan order, with their
 * delivery times; then the digest plan and the tampered files (synth_digest.c).
 */
static int plan_digests(struct run *R)
{
    size_t n = 0;

    for (size_t i = 0; i < R->n_plan; i++)
        if (R->plan[i].f.stream == SY_ST_CLOUDTRAIL)
            n++;
    R->ct.logs = ss_calloc(n != 0 ? n : 1, sizeof(*R->ct.logs));
    if (R->ct.logs == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < R->n_plan; i++) {
        struct entry *e = &R->plan[i];
        struct sy_ct_log *log;

        if (e->f.stream != SY_ST_CLOUDTRAIL)
            continue;
        e->slot = (uint32_t)R->ct.n_logs;
        log = &R->ct.logs[R->ct.n_logs++];
        log->f = e->f;
        log->delivered = sy_ct_delivery(&R->w, &e->f);
    }
    sy_ct_plan(&R->ct, &R->w);
    return 0;
}

/* ---- paths ---- */

static void put_hour_path(struct sy_w *o, int64_t t)
{
    int64_t y;
    unsigned mo, d, h, mi;

    sy_civil(t, &y, &mo, &d, &h, &mi);
    SY_LIT(o, "/y=");
    sy_put_u64w(o, (uint64_t)y, 4);
    SY_LIT(o, "/m=");
    sy_put_u64w(o, mo, 2);
    SY_LIT(o, "/d=");
    sy_put_u64w(o, d, 2);
    SY_LIT(o, "/h=");
    sy_put_u64w(o, h, 2);
    SY_LIT(o, "/m=00/PT1H.json");
}

/*
 * The delivery time of CloudTrail file @f: 1-7 minutes after the end of its slice of the
 * hour. Leaves @rr positioned to draw the file name's unique string.
 */
static int64_t ct_delivery(const struct sy_world *w, const struct sy_file *f, struct sy_rng *rr)
{
    int64_t h0 = w->start + (int64_t)f->hour * SY_TICKS_PER_HOUR;
    int64_t span = SY_TICKS_PER_HOUR / f->n_parts;
    int64_t deliver = h0 + (int64_t)(f->part + 1) * span;

    sy_rng_seed(rr, w->seed, file_key(f) ^ UINT64_C(0x6e616d65));
    deliver += (int64_t)sy_range(rr, 60, 420) * SY_TICKS_PER_SEC;
    return deliver;
}

int64_t sy_ct_delivery(const struct sy_world *w, const struct sy_file *f)
{
    struct sy_rng rr;
    int64_t t = ct_delivery(w, f, &rr);

    return t - t % SY_TICKS_PER_SEC;
}

void sy_ct_put_prefix(struct sy_w *o, const struct sy_world *w, const char *kind,
                      const char *region, int64_t t)
{
    int64_t y;
    unsigned mo, d, h, mi;

    sy_civil(t, &y, &mo, &d, &h, &mi);
    SY_LIT(o, "aws/AWSLogs/");
    sy_puts(o, w->aws_acct);
    sy_putc(o, '/');
    sy_puts(o, kind);
    sy_putc(o, '/');
    sy_puts(o, region);
    sy_putc(o, '/');
    sy_put_u64w(o, (uint64_t)y, 4);
    sy_putc(o, '/');
    sy_put_u64w(o, mo, 2);
    sy_putc(o, '/');
    sy_put_u64w(o, d, 2);
    sy_putc(o, '/');
    sy_puts(o, w->aws_acct);
    sy_putc(o, '_');
    sy_puts(o, kind);
    sy_putc(o, '_');
    sy_puts(o, region);
    sy_putc(o, '_');
}

void sy_file_path(const struct sy_world *w, const struct sy_file *f, char *out, size_t out_len)
{
    struct sy_w o = { .base = out, .p = out, .end = out + out_len, .fd = -1, .c_day = INT64_MIN };
    int64_t h0 = w->start + (int64_t)f->hour * SY_TICKS_PER_HOUR;
    const struct sy_tenant *t;
    const struct sy_res *a;

    SS_ASSERT(out_len >= 1024);
    switch (f->stream) {
    case SY_ST_ACTIVITY:
        t = &w->t[w->s[f->owner].tenant];
        SY_LIT(&o, "logs/");
        sy_puts(&o, w->r[t->log_acct].name);
        SY_LIT(&o, "/insights-activity-logs/resourceId=/SUBSCRIPTIONS/");
        sy_puts(&o, w->s[f->owner].upper);
        put_hour_path(&o, h0);
        break;
    case SY_ST_SIGNIN:
    case SY_ST_AUDIT:
        t = &w->t[f->owner];
        SY_LIT(&o, "logs/");
        sy_puts(&o, w->r[t->log_acct].name);
        if (f->stream == SY_ST_SIGNIN)
            SY_LIT(&o, "/insights-logs-signinlogs/tenantId=");
        else
            SY_LIT(&o, "/insights-logs-auditlogs/tenantId=");
        sy_puts(&o, t->id);
        put_hour_path(&o, h0);
        break;
    case SY_ST_READ:
    case SY_ST_WRITE:
    case SY_ST_DELETE:
        a = &w->r[f->owner];
        t = &w->t[a->tenant];
        SY_LIT(&o, "logs/");
        sy_puts(&o, w->r[t->log_acct].name);
        if (f->stream == SY_ST_READ)
            SY_LIT(&o, "/insights-logs-storageread/resourceId=");
        else if (f->stream == SY_ST_WRITE)
            SY_LIT(&o, "/insights-logs-storagewrite/resourceId=");
        else
            SY_LIT(&o, "/insights-logs-storagedelete/resourceId=");
        sy_puts(&o, a->id);
        SY_LIT(&o, "/blobServices/default");
        put_hour_path(&o, h0);
        break;
    case SY_ST_CLOUDTRAIL:
    default: {
        const char *region = w->aws_regions[f->owner % SY_AWS_REGIONS];
        struct sy_rng rr;
        int64_t deliver = ct_delivery(w, f, &rr);
        int64_t y;
        unsigned mo, d, h, mi;

        sy_civil(deliver, &y, &mo, &d, &h, &mi);
        sy_ct_put_prefix(&o, w, "CloudTrail", region, deliver);
        sy_put_u64w(&o, (uint64_t)y, 4);
        sy_put_u64w(&o, mo, 2);
        sy_put_u64w(&o, d, 2);
        sy_putc(&o, 'T');
        sy_put_u64w(&o, h, 2);
        sy_put_u64w(&o, mi, 2);
        SY_LIT(&o, "Z_");
        sy_put_alnum(&o, &rr, 16, false);
        SY_LIT(&o, ".json.gz");
        break;
    }
    }
    *o.p = '\0';
}

/* ---- generation ---- */

static void set_error(struct run *R, size_t task, const struct ss_diag *d)
{
    pthread_mutex_lock(&R->err_lock);
    if (R->err_task == SIZE_MAX || task < R->err_task) {
        R->err_task = task;
        R->err_diag = *d;
    }
    pthread_mutex_unlock(&R->err_lock);
}

/*
 * A CloudTrail file: record what its digest will say about the delivered body (hash,
 * event times), then play the planted tampering: the deleted file is not written, the
 * altered one loses its last record after delivery.
 */
static int gen_cloudtrail(struct run *R, struct worker *wk, const struct entry *e,
                          struct sy_rng *rng, const char *rel, struct sy_result *res,
                          struct ss_diag *d)
{
    struct sy_ct_log *log = &R->ct.logs[e->slot];
    struct sy_ct_info info;
    size_t n = 0;
    int r;

    sy_w_reset(&wk->a, -1);
    r = sy_emit_cloudtrail(&R->w, &e->f, rng, &wk->a, false, res, &info);
    if (r == 0)
        r = sy_sha256(wk->a.base, sy_w_len(&wk->a), log->sha256);
    if (r < 0)
        goto fail;
    log->oldest = info.oldest;
    log->newest = info.newest;
    if (e->slot == R->ct.deleted_log) {
        res->records = 0;
        return 0;
    }
    if (e->slot == R->ct.altered_log && SS_ALWAYS(info.n_records >= 2)) {
        /* drop the last record and its separating comma; the JSON stays valid */
        wk->a.p = wk->a.base + info.last_rec - 1;
        SY_LIT(&wk->a, "]}");
        res->records--;
    }
    r = gz_compress(wk, wk->a.base, sy_w_len(&wk->a), &n);
    if (r < 0)
        goto fail;
    res->bytes = n;
    res->files = 1;
    return sy_write_file(R->root, rel, wk->gz_buf, n, d);
fail:
    return ss_diag_set(d, r, rel, 0, 0, UINT64_MAX, "cannot generate file: %s", ss_strerror(r));
}

static int gen_file(struct run *R, struct worker *wk, const struct entry *e, struct sy_result *res,
                    struct ss_diag *d)
{
    const struct sy_file *f = &e->f;
    char rel[1024];
    struct sy_rng rng;
    int fd = -1, r;

    sy_file_path(&R->w, f, rel, sizeof(rel));
    sy_rng_seed(&rng, R->w.seed, file_key(f));
    if (f->stream == SY_ST_CLOUDTRAIL)
        return gen_cloudtrail(R, wk, e, &rng, rel, res, d);
    r = sy_open_file(R->root, rel, &fd, d);
    if (r < 0)
        return r;
    sy_w_reset(&wk->a, fd);
    r = sy_emit_azure(&R->w, f, &rng, &wk->a, false, res);
    if (r == 0)
        r = sy_w_flush(&wk->a);
    res->bytes = wk->a.n_flushed;
    res->files = 1;
    if (close(fd) != 0 && r == 0)
        r = -errno;
    sy_w_reset(&wk->a, -1);
    if (r < 0)
        return ss_diag_set(d, r, rel, 0, 0, UINT64_MAX, "cannot write file: %s", ss_strerror(r));
    return 0;
}

static int task(void *ctx, size_t i, unsigned worker)
{
    struct run *R = ctx;
    struct worker *wk = &R->workers[worker];
    struct ss_diag d;
    uint64_t done;
    int r;

    ss_diag_clear(&d);
    if (i < SY_INVENTORY_PARTS)
        r = sy_inventory_write(&R->w, R->root, (unsigned)i, &wk->a, &wk->b, &R->res[i], &d);
    else
        r = gen_file(R, wk, &R->plan[i - SY_INVENTORY_PARTS], &R->res[i], &d);
    if (r < 0) {
        set_error(R, i, &d);
        return r;
    }
    done = atomic_fetch_add(&R->done_files, 1) + 1;
    atomic_fetch_add(&R->done_bytes, R->res[i].bytes);
    if (R->o->progress != NULL && worker == 0 && (done & 31) == 0)
        R->o->progress(R->o->progress_ctx, done, R->n_plan + SY_INVENTORY_PARTS,
                       atomic_load(&R->done_bytes));
    return 0;
}

/* ---- truth.json and README.md ---- */

static void q(struct sy_w *o, const char *s)
{
    sy_putc(o, '"');
    sy_puts(o, s);
    sy_putc(o, '"');
}

/* The next element of a list of strings: a comma, then @s quoted. */
static void qc(struct sy_w *o, const char *s)
{
    sy_putc(o, ',');
    q(o, s);
}

static void put_window(struct sy_w *o, int64_t a, int64_t b)
{
    SY_LIT(o, ",\"window\":{\"start\":\"");
    sy_put_t7(o, a);
    SY_LIT(o, "\",\"end\":\"");
    sy_put_t7(o, b);
    SY_LIT(o, "\"}");
}

static void scen_head_ids(struct sy_w *o, bool first, const char *id, const char *kind,
                          bool finding, const char *tenant, const char *tenant_name)
{
    if (!first)
        sy_putc(o, ',');
    SY_LIT(o, "{\"id\":");
    q(o, id);
    SY_LIT(o, ",\"kind\":");
    q(o, kind);
    SY_LIT(o, ",\"expect\":");
    q(o, finding ? "finding" : "no-finding");
    SY_LIT(o, ",\"tenant\":");
    q(o, tenant);
    SY_LIT(o, ",\"tenant_name\":");
    q(o, tenant_name);
}

static void scen_head(struct sy_w *o, bool first, const char *id, const char *kind, bool finding,
                      const struct sy_tenant *t)
{
    scen_head_ids(o, first, id, kind, finding, t->id, t->display);
}

static void put_signals(struct sy_w *o, const char *const *sig, size_t n)
{
    SY_LIT(o, ",\"signals\":[");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            sy_putc(o, ',');
        q(o, sig[i]);
    }
    sy_putc(o, ']');
}

static uint64_t sum_ops(const struct run *R, uint32_t acct, unsigned stream)
{
    uint64_t n = 0;

    for (size_t i = 0; i < R->n_plan; i++)
        if (R->plan[i].f.owner == acct && R->plan[i].f.stream == stream)
            n += R->res[i + SY_INVENTORY_PARTS].ops;
    return n;
}

static uint64_t sum_ingress(const struct run *R, uint32_t acct)
{
    uint64_t n = 0;

    for (size_t i = 0; i < R->n_plan; i++)
        if (R->plan[i].f.owner == acct && R->plan[i].f.stream == SY_ST_WRITE)
            n += R->res[i + SY_INVENTORY_PARTS].ingress;
    return n;
}

static size_t count_missing_hours(const struct run *R, uint32_t sub)
{
    const struct sy_world *w = &R->w;
    size_t have = 0, span = 0;

    for (uint32_t h = 0; h < w->n_hours; h++) {
        int64_t h0 = w->start + (int64_t)h * SY_TICKS_PER_HOUR;

        if (h0 + SY_TICKS_PER_HOUR > w->gap_start && h0 < w->gap_end)
            span++;
    }
    for (size_t i = 0; i < R->n_plan; i++) {
        const struct sy_file *f = &R->plan[i].f;
        int64_t h0 = w->start + (int64_t)f->hour * SY_TICKS_PER_HOUR;

        if (f->stream == SY_ST_ACTIVITY && f->owner == sub &&
            h0 + SY_TICKS_PER_HOUR > w->gap_start && h0 < w->gap_end)
            have++;
    }
    return span - have;
}

/*
 * One tampered object of scenario 9 and the digest (@k of @region) that lists it or, for a
 * deleted digest, is it; @log_files >= 0 adds how many log files that digest listed.
 */
static void put_tampered(struct sy_w *o, const struct run *R, const char *path, uint32_t region,
                         const char *action, const char *finding, uint32_t k, int64_t log_files,
                         int64_t *win)
{
    char digest[256];
    int64_t start = sy_ct_digest_start(&R->ct, &R->w, region, k);

    win[0] = SS_MIN(win[0], start);
    win[1] = SS_MAX(win[1], start + SY_TICKS_PER_HOUR);
    sy_ct_digest_path(&R->ct, &R->w, region, k, digest, sizeof(digest));
    SY_LIT(o, "{\"path\":");
    q(o, path);
    SY_LIT(o, ",\"region\":");
    q(o, R->w.aws_regions[region]);
    SY_LIT(o, ",\"action\":");
    q(o, action);
    SY_LIT(o, ",\"finding\":");
    q(o, finding);
    SY_LIT(o, ",\"digest\":");
    q(o, digest);
    if (log_files >= 0) {
        SY_LIT(o, ",\"log_files\":");
        sy_put_u64(o, (uint64_t)log_files);
    }
    sy_putc(o, '}');
}

/* 9: CloudTrail log file integrity broken after delivery (synth_digest.c). */
static void truth_ct_tamper(const struct run *R, struct sy_w *o)
{
    const struct sy_world *w = &R->w;
    const struct sy_ct *ct = &R->ct;
    static const char *const sig[] = {
        ("a log file listed in its hourly digest (logFiles[].s3Object) is missing from the "
         "bucket"),
        ("a log file whose SHA-256 of the uncompressed body differs from the hashValue its "
         "digest recorded: its last record was removed after delivery"),
        ("a digest file missing from the hourly chain of its region; the next digest still "
         "names it in previousDigestS3Object"),
        ("every digest that is present verifies with the public key in "
         "aws/list-public-keys.json"),
    };
    char buf[1024], name[64];
    int64_t win[2] = { INT64_MAX, INT64_MIN };
    uint32_t lr = ct->log_region;
    int64_t s0 = sy_ct_digest_start(ct, w, lr, 0), d0, n_orphans = 0;

    if (!SS_ALWAYS(ct->deleted_log != SIZE_MAX && ct->altered_log != SIZE_MAX &&
                   ct->deleted_digest != UINT32_MAX))
        return;
    snprintf(name, sizeof(name), "AWS account %s", w->aws_acct);
    scen_head_ids(o, false, "audit.cloudtrail-tamper", "cloudtrail-log-tampering", true,
                  w->aws_acct, name);
    SY_LIT(o, ",\"entities\":[");
    q(o, w->aws_acct);
    snprintf(buf, sizeof(buf), "arn:aws:cloudtrail:%s:%s:trail/%s", w->aws_regions[0], w->aws_acct,
             SY_CT_TRAIL);
    qc(o, buf);
    snprintf(buf, sizeof(buf), "arn:aws:s3:::%s", w->aws_trail_bucket);
    qc(o, buf);
    SY_LIT(o, "],\"trail\":\"" SY_CT_TRAIL "\",\"home_region\":");
    q(o, w->aws_regions[0]);
    SY_LIT(o, ",\"bucket\":");
    q(o, w->aws_trail_bucket);
    SY_LIT(o, ",\"public_keys\":\"aws/list-public-keys.json\",\"tampered\":[");
    sy_file_path(w, &ct->logs[ct->deleted_log].f, buf, sizeof(buf));
    put_tampered(o, R, buf, lr, "deleted", "cloudtrail.log-missing",
                 (uint32_t)((ct->logs[ct->deleted_log].delivered - s0) / SY_TICKS_PER_HOUR), -1,
                 win);
    sy_putc(o, ',');
    sy_file_path(w, &ct->logs[ct->altered_log].f, buf, sizeof(buf));
    put_tampered(o, R, buf, lr, "altered", "cloudtrail.log-altered",
                 (uint32_t)((ct->logs[ct->altered_log].delivered - s0) / SY_TICKS_PER_HOUR), -1,
                 win);
    sy_putc(o, ',');
    /* the deleted digest, with the count of log files only it listed (now unverifiable) */
    d0 = sy_ct_digest_start(ct, w, ct->digest_region, ct->deleted_digest);
    for (size_t i = 0; i < ct->n_logs; i++)
        if (ct->logs[i].f.owner == ct->digest_region && ct->logs[i].delivered >= d0 &&
            ct->logs[i].delivered < d0 + SY_TICKS_PER_HOUR)
            n_orphans++;
    sy_ct_digest_path(ct, w, ct->digest_region, ct->deleted_digest, buf, sizeof(buf));
    put_tampered(o, R, buf, ct->digest_region, "deleted", "cloudtrail.digest-missing",
                 ct->deleted_digest, n_orphans, win);
    SY_LIT(o, "],\"findings\":[\"cloudtrail.log-missing\",\"cloudtrail.log-altered\","
              "\"cloudtrail.digest-missing\"]");
    put_window(o, win[0], win[1]);
    put_signals(o, sig, SS_ARRAY_LEN(sig));
    SY_LIT(o, ",\"notes\":\"CloudTrail evidence destroyed or edited in the bucket after "
              "delivery; log file integrity validation (digest chain) exposes it. The other "
              "region chains and the embargo console login file are intact.\"}");
}

static void truth_scenarios(const struct run *R, struct sy_w *o)
{
    const struct sy_world *w = &R->w;
    char buf[512];

    /* 1 siloed tenant */
    {
        const struct sy_tenant *t = &w->t[w->silo];
        const struct sy_sub *s = &w->s[t->sub0];
        const struct sy_user *g = &w->u[w->silo_guest];
        static const char *const sig[] = {
            ("subscription sits directly under the Tenant Root Group: no landing-zone "
             "management groups"),
            "no policy assignments in policyresources.json for the tenant",
            "no diagnostic settings (empty value list) and no exported logs",
            "no Lighthouse registration delegating to the provider",
            "Owner role assigned to an external guest account",
            "VNet 10.200.0.0/16 has no peering with the provider hub",
            "private ExpressRoute circuit (Equinix, Amsterdam2) outside the provider's network",
            "storage allows TLS 1.0, HTTP, public blob access and public network access",
            "Customer Lockbox not opted in",
        };

        scen_head(o, true, "silo.tenant", "siloed-tenant", true, t);
        SY_LIT(o, ",\"entities\":[");
        q(o, t->id);
        qc(o, s->id);
        for (uint32_t i = 0; i < s->n_res; i++) {
            qc(o, w->r[s->res0 + i].id_lower);
        }
        snprintf(buf, sizeof(buf),
                 "/subscriptions/%s/providers/microsoft.authorization/"
                 "roleassignments/%s",
                 s->id, w->ra[w->silo_ra].id);
        qc(o, buf);
        qc(o, g->id);
        SY_LIT(o, "],\"principals\":[{\"objectId\":");
        q(o, g->id);
        SY_LIT(o, ",\"upn\":");
        q(o, g->upn);
        SY_LIT(o, ",\"role\":\"Owner\"}]");
        put_window(o, w->start, w->end);
        put_signals(o, sig, SS_ARRAY_LEN(sig));
        SY_LIT(o, ",\"notes\":\"A customer tenant that exists in the inventory but is outside "
                  "the provider's governance: no management-group chain, policy, logging, "
                  "delegation or shared networking.\"}");
    }
    /* 2 bulk voice archive */
    {
        const struct sy_tenant *t = &w->t[w->voice];
        const struct sy_res *a = &w->r[w->voice_acct];
        static const char *const sig[] = {
            ("StorageWrite PutBlob / PutBlock / PutBlockList of .wav/.opus/.mp3 objects under "
             "recordings/YYYY/MM/DD/ every hour, day and night"),
            "requestBodySize of 0.6-9 MiB per recording; hundreds of GiB per day at scale",
            "no DeleteBlob at all; lifecycle policy only tiers to Cool/Archive",
            "immutable storage with versioning, 10-year immutability period",
            "single workload service principal writing from three fixed addresses",
        };

        scen_head(o, false, "aup.voice-archive", "bulk-voice-archive", true, t);
        SY_LIT(o, ",\"entities\":[");
        q(o, t->id);
        qc(o, w->s[a->sub].id);
        qc(o, a->id_lower);
        qc(o, w->sp[t->sp0 + 2].obj_id);
        SY_LIT(o, "],\"metrics\":{\"uploads\":");
        sy_put_u64(o, sum_ops(R, (uint32_t)w->voice_acct, SY_ST_WRITE));
        SY_LIT(o, ",\"bytes_written\":");
        sy_put_u64(o, sum_ingress(R, (uint32_t)w->voice_acct));
        SY_LIT(o, ",\"delete_operations\":0}");
        put_window(o, w->start, w->end);
        put_signals(o, sig, SS_ARRAY_LEN(sig));
        SY_LIT(o, ",\"notes\":\"Sustained bulk archiving of voice recordings with no deletion: "
                  "an acceptable-use concern (mass recording retention). Compare "
                  "nearmiss.callcentre.\"}");
    }
    /* 3 residency */
    {
        const struct sy_tenant *t = &w->t[w->sc_residency];
        const struct sy_res *src = &w->r[w->res_src], *dst = &w->r[w->res_dst];
        static const char *const sig[] = {
            ("storage account in eastus (sku Standard_RAGRS, secondaryLocation westus) in a "
             "tenant whose allowed geography is the EU"),
            "object replication policy copies container data of the westeurope account to it",
            "Allowed locations policy assignment set to DoNotEnforce",
            "activity log: objectReplicationPolicies/write on both accounts",
            "StorageWrite CopyBlob records in the replica with sourceUri of the EU account",
        };
        bool first = true;

        scen_head(o, false, "residency.replica", "replica-outside-allowed-geography", true, t);
        SY_LIT(o, ",\"entities\":[");
        q(o, t->id);
        qc(o, w->s[src->sub].id);
        qc(o, src->id_lower);
        qc(o, dst->id_lower);
        snprintf(buf, sizeof(buf), "%s/objectreplicationpolicies/%s", dst->id_lower, w->ors_policy);
        qc(o, buf);
        SY_LIT(o, "],\"allowed_geography\":\"EU\",\"allowed_regions\":[");
        for (size_t i = 0; i < sy_n_regions; i++) {
            if (!sy_regions[i].eu)
                continue;
            if (!first)
                sy_putc(o, ',');
            first = false;
            q(o, sy_regions[i].name);
        }
        SY_LIT(o, "],\"replica_location\":\"eastus\",\"replica_secondary_location\":\"westus\"");
        put_window(o, w->ors_time, w->end);
        put_signals(o, sig, SS_ARRAY_LEN(sig));
        SY_LIT(o, ",\"notes\":\"Customer data of an EU tenant replicated to the United States.\"}");
    }
    /* 4 retention */
    {
        const struct sy_tenant *t = &w->t[w->sc_retention];
        const struct sy_res *logs = &w->r[t->log_acct], *ws = &w->r[t->workspace];
        static const char *const sig[] = {
            "lifecycle rule deletes insights-* log blobs 7 days after modification",
            "Log Analytics workspace retentionInDays 30",
            "no exported blobs older than 7 days before the end of the case (deleted)",
        };

        scen_head(o, false, "retention.breach", "retention-breach", true, t);
        SY_LIT(o, ",\"entities\":[");
        q(o, t->id);
        qc(o, logs->id_lower);
        sy_putc(o, ',');
        snprintf(buf, sizeof(buf), "%s/managementpolicies/default", logs->id_lower);
        q(o, buf);
        qc(o, ws->id_lower);
        SY_LIT(o, "],\"required_days\":");
        sy_put_u64(o, w->ret_required_days);
        SY_LIT(o, ",\"configured_days\":");
        sy_put_u64(o, w->ret_days);
        SY_LIT(o, ",\"workspace_retention_days\":");
        sy_put_u64(o, ws->retention_days);
        SY_LIT(o, ",\"deleted_before\":\"");
        sy_put_t7(o, w->ret_cutoff);
        sy_putc(o, '"');
        put_window(o, w->start, w->end);
        put_signals(o, sig, SS_ARRAY_LEN(sig));
        SY_LIT(o, ",\"notes\":\"The contract requires 365 days of audit-log retention.\"}");
    }
    /* 5 audit gap */
    {
        const struct sy_tenant *t = &w->t[w->sc_gap];
        const struct sy_sub *s = &w->s[w->gap_sub];
        const struct sy_user *u = &w->u[w->gap_actor];
        static const char *const sig[] = {
            ("activity log: MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/DELETE of the subscription's "
             "activity-log export (Start and Success)"),
            "no insights-activity-logs blobs for the subscription until the new setting",
            ("activity log: MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE of a differently "
             "named setting; records resume"),
        };

        scen_head(o, false, "audit.gap", "audit-log-gap", true, t);
        SY_LIT(o, ",\"entities\":[");
        q(o, t->id);
        qc(o, s->id);
        snprintf(buf, sizeof(buf),
                 "/subscriptions/%s/providers/microsoft.insights/"
                 "diagnosticsettings/%s",
                 s->id, w->gap_old);
        qc(o, buf);
        snprintf(buf, sizeof(buf),
                 "/subscriptions/%s/providers/microsoft.insights/"
                 "diagnosticsettings/%s",
                 s->id, w->gap_new);
        qc(o, buf);
        qc(o, w->r[t->log_acct].id_lower);
        qc(o, u->id);
        SY_LIT(o, "],\"principals\":[{\"objectId\":");
        q(o, u->id);
        SY_LIT(o, ",\"upn\":");
        q(o, u->upn);
        SY_LIT(o, "}],\"gap_hours\":");
        sy_put_u64(o, (uint64_t)((w->gap_end - w->gap_start) / SY_TICKS_PER_HOUR));
        SY_LIT(o, ",\"missing_blobs\":");
        sy_put_u64(o, count_missing_hours(R, w->gap_sub));
        put_window(o, w->gap_start, w->gap_end);
        put_signals(o, sig, SS_ARRAY_LEN(sig));
        SY_LIT(o, ",\"notes\":\"Audit trail interrupted by deleting the export, then restored.\"}");
    }
    /* 6 embargoed sign-ins */
    {
        const struct sy_tenant *t = &w->t[w->sc_embargo];
        const struct sy_user *u = &w->u[w->emb_user];
        const char *at = strchr(u->upn, '@');
        static const char *const sig[] = {
            ("SignInLogs with location.countryOrRegion IR, KP or CU and addresses in those "
             "countries' blocks"),
            "successful sign-ins flagged riskLevelDuringSignIn medium (unfamiliarFeatures)",
            "failed attempts (50126) from KP",
            "AWS ConsoleLogin of the same person from the Iranian address (us-east-1)",
        };

        scen_head(o, false, "access.embargoed-signin", "embargoed-country-sign-in", true, t);
        SY_LIT(o, ",\"entities\":[");
        q(o, t->id);
        qc(o, u->id);
        snprintf(buf, sizeof(buf), "arn:aws:iam::%s:user/%.*s", w->aws_acct, (int)(at - u->upn),
                 u->upn);
        qc(o, buf);
        SY_LIT(o, "],\"principals\":[{\"objectId\":");
        q(o, u->id);
        SY_LIT(o, ",\"upn\":");
        q(o, u->upn);
        SY_LIT(o, "}],\"countries\":[\"IR\",\"KP\",\"CU\"],\"sign_ins\":[");
        for (size_t i = 0; i < w->n_emb; i++) {
            if (i > 0)
                sy_putc(o, ',');
            SY_LIT(o, "{\"time\":\"");
            sy_put_t7(o, w->emb[i].t);
            SY_LIT(o, "\",\"country\":");
            q(o, w->emb[i].country);
            SY_LIT(o, ",\"ip\":\"");
            sy_put_ipv4(o, w->emb[i].ip);
            SY_LIT(o, "\",\"result\":");
            q(o, w->emb[i].success ? "success" : "failure");
            sy_putc(o, '}');
        }
        sy_putc(o, ']');
        put_window(o, w->emb[0].t, w->emb[w->n_emb - 1].t + SY_TICKS_PER_HOUR);
        put_signals(o, sig, SS_ARRAY_LEN(sig));
        SY_LIT(o, ",\"notes\":\"Access to the service from comprehensively sanctioned "
                  "countries.\"}");
    }
    /* 7 provider staff without approval */
    {
        const struct sy_session *s = &w->sess[w->staff_sess];
        const struct sy_tenant *t = &w->t[s->tenant];
        const struct sy_user *u = &w->u[s->staff];
        static const char *const sig[] = {
            ("SignInLogs: provider-tenant user, homeTenantId = provider, crossTenantAccessType "
             "serviceProvider"),
            "AuditLogs: PIM activation by the staff member citing a support ticket",
            ("activity log: listKeys, runCommand and listServiceSas by the staff identity (iss "
             "= provider tenant)"),
            "StorageRead GetBlob by the staff identity (requester.tenantId = provider)",
            "the only Customer Lockbox request around the session has status Denied",
        };

        scen_head(o, false, "access.staff-unapproved", "provider-access-without-approval", true, t);
        SY_LIT(o, ",\"entities\":[");
        q(o, t->id);
        qc(o, w->s[s->sub].id);
        qc(o, w->t[w->provider].id);
        qc(o, u->id);
        if (t->app_acct >= 0) {
            qc(o, w->r[t->app_acct].id_lower);
        }
        for (size_t i = 0; i < w->n_lb; i++)
            if (w->lb[i].sub == s->sub && strcmp(w->lb[i].status, "Denied") == 0 &&
                w->lb[i].created <= s->start) {
                snprintf(buf, sizeof(buf),
                         "/subscriptions/%s/providers/"
                         "microsoft.customerlockbox/requests/%s",
                         w->s[s->sub].id, w->lb[i].id);
                qc(o, buf);
            }
        SY_LIT(o, "],\"principals\":[{\"objectId\":");
        q(o, u->id);
        SY_LIT(o, ",\"upn\":");
        q(o, u->upn);
        SY_LIT(o, ",\"homeTenantId\":");
        q(o, w->t[w->provider].id);
        SY_LIT(o, "}],\"source_ip\":");
        q(o, s->ip);
        put_window(o, s->start, s->end + 30 * SY_TICKS_PER_MIN);
        put_signals(o, sig, SS_ARRAY_LEN(sig));
        SY_LIT(o, ",\"notes\":\"Every other provider-staff session is covered by an Approved "
                  "lockbox request created shortly before it.\"}");
    }
    /* 8 near miss */
    {
        const struct sy_tenant *t = &w->t[w->callc];
        const struct sy_res *a = &w->r[w->callc_acct];
        static const char *const sig[] = {
            "PutBlob of .wav/.mp3 recordings only in business hours, a few per hour",
            "lifecycle rule deletes recordings 90 days after creation",
            "nightly DeleteBlob of recordings dated 91 days earlier by the retention job",
            "governed tenant: landing zone, policies, diagnostics, Lighthouse",
        };

        scen_head(o, false, "nearmiss.callcentre", "near-miss-call-centre", false, t);
        SY_LIT(o, ",\"entities\":[");
        q(o, t->id);
        qc(o, w->s[a->sub].id);
        qc(o, a->id_lower);
        snprintf(buf, sizeof(buf), "%s/managementpolicies/default", a->id_lower);
        qc(o, buf);
        SY_LIT(o, "],\"metrics\":{\"uploads\":");
        sy_put_u64(o, sum_ops(R, (uint32_t)w->callc_acct, SY_ST_WRITE));
        SY_LIT(o, ",\"bytes_written\":");
        sy_put_u64(o, sum_ingress(R, (uint32_t)w->callc_acct));
        SY_LIT(o, ",\"delete_operations\":");
        sy_put_u64(o, sum_ops(R, (uint32_t)w->callc_acct, SY_ST_DELETE));
        SY_LIT(o, "},\"retention_days\":90");
        put_window(o, w->start, w->end);
        put_signals(o, sig, SS_ARRAY_LEN(sig));
        SY_LIT(o, ",\"notes\":\"Legitimate, consented call recording with bounded retention: "
                  "must not be reported as misuse.\"}");
    }
    truth_ct_tamper(R, o);
}

static int write_truth(struct run *R, struct worker *wk, struct ss_diag *d, struct sy_result *res)
{
    const struct sy_world *w = &R->w;
    struct sy_w *o = &wk->a;
    bool first = true;
    int r;

    sy_w_reset(o, -1);
    r = sy_w_reserve(o, 256 * 1024 + (size_t)w->n_t * 1024);
    if (r < 0)
        return r;
    SY_LIT(o, "{\"generator\":\"siloscope synth\",\"format\":1,\"seed\":");
    sy_put_u64(o, w->seed);
    SY_LIT(o, ",\"tenants\":");
    sy_put_u64(o, w->n_benign);
    SY_LIT(o, ",\"days\":");
    sy_put_u64(o, w->n_days);
    SY_LIT(o, ",\"size_target\":");
    sy_put_u64(o, R->o->size_bytes != 0 ? R->o->size_bytes : SS_SYNTH_DEFAULT_SIZE);
    SY_LIT(o, ",\"start\":\"");
    sy_put_t7(o, w->start);
    SY_LIT(o, "\",\"end\":\"");
    sy_put_t7(o, w->end);
    SY_LIT(o, "\",\"provider\":{\"tenantId\":");
    q(o, w->t[w->provider].id);
    SY_LIT(o, ",\"name\":");
    q(o, w->t[w->provider].display);
    SY_LIT(o, "},\"customer_tenants\":[");
    for (size_t i = 0; i < w->n_t; i++) {
        static const char *const kinds[] = { "benign", "provider", "siloed", "voice-archive",
                                             "call-centre" };
        const struct sy_tenant *t = &w->t[i];

        if (t->kind == SY_TK_PROVIDER)
            continue;
        if (!first)
            sy_putc(o, ',');
        first = false;
        SY_LIT(o, "{\"tenantId\":");
        q(o, t->id);
        SY_LIT(o, ",\"name\":");
        q(o, t->display);
        SY_LIT(o, ",\"kind\":");
        q(o, kinds[t->kind]);
        SY_LIT(o, ",\"region\":");
        q(o, t->region->name);
        SY_LIT(o, ",\"subscriptions\":[");
        for (uint32_t k = 0; k < t->n_subs; k++) {
            if (k > 0)
                sy_putc(o, ',');
            q(o, w->s[t->sub0 + k].id);
        }
        SY_LIT(o, "]}");
    }
    SY_LIT(o, "],\"aws\":{\"accountId\":");
    q(o, w->aws_acct);
    SY_LIT(o, ",\"regions\":[\"eu-west-1\",\"eu-central-1\",\"us-east-1\"]},\"scenarios\":[");
    truth_scenarios(R, o);
    SY_LIT(o, "]}");
    sy_w_reset(&wk->b, -1);
    r = sy_json_pretty(&wk->b, o->base, sy_w_len(o));
    if (r == 0)
        r = sy_write_file(R->root, "truth.json", wk->b.base, sy_w_len(&wk->b), d);
    if (r == 0)
        res->bytes += sy_w_len(&wk->b);
    return r;
}

static int write_readme(struct run *R, struct worker *wk, uint64_t n_files, uint64_t n_bytes,
                        struct ss_diag *d, struct sy_result *res)
{
    const struct sy_world *w = &R->w;
    char start[SS_TIME_STR_MAX], end[SS_TIME_STR_MAX];
    struct sy_w *o = &wk->a;
    int r;

    (void)ss_time_format(w->start / 10, 0, start);
    (void)ss_time_format(w->end / 10, 0, end);
    sy_w_reset(o, -1);
    r = sy_w_reserve(o, 16384);
    if (r < 0)
        return r;
    o->p += snprintf(
        o->p, 16384,
        "# Synthetic review case (siloscope synth)\n\n"
        "Generated by `siloscope synth --seed %" PRIu64 " --tenants %u --days %u --size %" PRIu64
        "`.\n"
        "Everything here is synthetic: tenants, people, addresses and ids are invented.\n\n"
        "- Time span: %s to %s (UTC)\n"
        "- Customer tenants: %u benign, plus a voice-analytics tenant, a call-centre tenant and "
        "a siloed tenant; the provider (%s) has its own staff tenant\n"
        "- One AWS account (%s), CloudTrail in eu-west-1, eu-central-1 and us-east-1\n"
        "- %" PRIu64 " files, %" PRIu64 " bytes (this file and truth.json excluded)\n\n"
        "## Layout\n\n"
        "| path | what |\n|---|---|\n"
        "| `inventory/*.json` | Azure Resource Graph tables (`az graph query` envelope) |\n"
        "| `inventory/diagnosticsettings/` | diagnostic settings per subscription and per "
        "Entra tenant (ARM list shape) |\n"
        "| `inventory/managementpolicies/`, `objectreplicationpolicies/` | storage lifecycle "
        "and replication policies (ARM) |\n"
        "| `inventory/lockbox/` | Customer Lockbox requests and tenant opt-in (ARM) |\n"
        "| `inventory/entra/<tenant>/users.json` | Entra users (Microsoft Graph) |\n"
        "| `logs/<storage account>/insights-activity-logs/...` | Activity Log, PT1H.json "
        "JSON lines |\n"
        "| `logs/<storage account>/insights-logs-signinlogs/`, `-auditlogs/` | Entra logs |\n"
        "| `logs/<storage account>/insights-logs-storage{read,write,delete}/` | Storage "
        "blob logs |\n"
        "| `aws/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz` | CloudTrail |\n"
        "| `aws/AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/<account>_CloudTrail-"
        "Digest_<region>_" SY_CT_TRAIL "_<home region>_<YYYYMMDDTHHmmssZ>.json.gz` | "
        "CloudTrail log file integrity digests, hourly per region, signed |\n"
        "| `aws/.../CloudTrail-Digest/.../*.json.gz.metadata.json` | S3 metadata of the newest "
        "digest of each region (`aws s3api head-object` shape): its signature |\n"
        "| `aws/list-public-keys.json` | the digest signing key (`aws cloudtrail "
        "list-public-keys` shape); stands in for the keys a reviewer fetches from AWS |\n"
        "| `truth.json` | the planted scenarios and the entities involved |\n\n"
        "The directory `aws/` plays the root of the trail's S3 bucket (`%s`).\n\n"
        "## Planted scenarios\n\n"
        "Nine: silo.tenant, aup.voice-archive, residency.replica, retention.breach, "
        "audit.gap, access.embargoed-signin, access.staff-unapproved, "
        "audit.cloudtrail-tamper, and the near miss nearmiss.callcentre (expected: no "
        "finding). See truth.json for ids, windows and signals, and docs/synth.md in the "
        "siloscope sources for the catalogue.\n",
        w->seed, (unsigned)w->n_benign, (unsigned)w->n_days,
        R->o->size_bytes != 0 ? R->o->size_bytes : SS_SYNTH_DEFAULT_SIZE, start, end,
        (unsigned)w->n_benign, w->t[w->provider].display, w->aws_acct, n_files, n_bytes,
        w->aws_trail_bucket);
    r = sy_write_file(R->root, "README.md", o->base, sy_w_len(o), d);
    if (r == 0)
        res->bytes += sy_w_len(o);
    return r;
}

/* ---- entry point ---- */

static int check_out_dir(const char *dir, struct ss_diag *d)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    int r;

    if (dp == NULL) {
        if (errno != ENOENT)
            return ss_diag_set(d, -errno, dir, 0, 0, UINT64_MAX, "cannot open directory: %s",
                               ss_strerror(-errno));
        r = sy_mkdirs(dir);
        if (r < 0)
            return ss_diag_set(d, r, dir, 0, 0, UINT64_MAX, "cannot create directory: %s",
                               ss_strerror(r));
        return 0;
    }
    r = 0;
    for (;;) {
        de = readdir(dp);
        if (de == NULL)
            break;
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            r = ss_diag_set(d, -EEXIST, dir, 0, 0, UINT64_MAX, "output directory is not empty");
            break;
        }
    }
    closedir(dp);
    return r;
}

int ss_synth_run(const struct ss_synth_opts *opts, const char *out_dir,
                 struct ss_synth_stats *ret_stats, struct ss_diag *reterr_diag)
{
    struct run *R;
    struct ss_synth_stats st = { 0 };
    struct sy_result extra = { 0 };
    size_t n_tasks;
    int r;

    if (opts->n_tenants < 1 || opts->n_tenants > SS_SYNTH_MAX_TENANTS)
        return ss_diag_set(reterr_diag, SS_ELIMIT, NULL, 0, 0, UINT64_MAX, "tenants must be 1..%u",
                           SS_SYNTH_MAX_TENANTS);
    if (opts->n_days < 1 || opts->n_days > SS_SYNTH_MAX_DAYS)
        return ss_diag_set(reterr_diag, SS_ELIMIT, NULL, 0, 0, UINT64_MAX, "days must be 1..%u",
                           SS_SYNTH_MAX_DAYS);
    if (opts->size_bytes > SS_SYNTH_MAX_SIZE)
        return ss_diag_set(reterr_diag, SS_ELIMIT, NULL, 0, 0, UINT64_MAX, "size above 4 TiB");
    r = check_out_dir(out_dir, reterr_diag);
    if (r < 0)
        return r;
    R = ss_calloc(1, sizeof(*R));
    if (R == NULL)
        return -ENOMEM;
    R->o = opts;
    R->root = out_dir;
    R->err_task = SIZE_MAX;
    pthread_mutex_init(&R->err_lock, NULL);
    atomic_init(&R->done_files, 0);
    atomic_init(&R->done_bytes, 0);
    R->n_workers = opts->n_threads != 0 ? opts->n_threads : ss_pool_default_threads();
    R->workers = ss_calloc(R->n_workers, sizeof(*R->workers));
    if (R->workers == NULL) {
        r = -ENOMEM;
        goto out;
    }
    for (unsigned i = 0; i < R->n_workers; i++) {
        sy_w_init(&R->workers[i].a, -1);
        sy_w_init(&R->workers[i].b, -1);
    }
    r = sy_world_build(&R->w, opts);
    if (r == 0)
        r = make_plan(R);
    if (r == 0)
        r = size_plan(R);
    if (r == 0)
        r = finish_plan(R);
    if (r == 0)
        r = plan_digests(R);
    if (r < 0) {
        ss_diag_set(reterr_diag, r, out_dir, 0, 0, UINT64_MAX, "cannot plan the case: %s",
                    ss_strerror(r));
        goto out;
    }
    n_tasks = R->n_plan + SY_INVENTORY_PARTS;
    R->res = ss_calloc(n_tasks, sizeof(*R->res));
    if (R->res == NULL) {
        r = -ENOMEM;
        goto out;
    }
    r = ss_pool_run(R->n_workers, n_tasks, task, R);
    if (r < 0) {
        if (R->err_task != SIZE_MAX && reterr_diag != NULL)
            *reterr_diag = R->err_diag;
        else
            ss_diag_set(reterr_diag, r, out_dir, 0, 0, UINT64_MAX, "generation failed: %s",
                        ss_strerror(r));
        goto out;
    }
    for (size_t i = 0; i < n_tasks; i++) {
        st.n_files += R->res[i].files;
        st.n_bytes += R->res[i].bytes;
        if (i >= SY_INVENTORY_PARTS)
            st.n_records += R->res[i].records;
    }
    r = sy_ct_write_digests(&R->ct, &R->w, R->root, &extra, reterr_diag);
    if (r < 0)
        goto out;
    st.n_files += extra.files;
    st.n_bytes += extra.bytes;
    extra = (struct sy_result){ 0 };
    r = write_truth(R, &R->workers[0], reterr_diag, &extra);
    if (r == 0)
        r = write_readme(R, &R->workers[0], st.n_files, st.n_bytes, reterr_diag, &extra);
    if (r < 0)
        goto out;
    st.n_bytes += extra.bytes;
    st.n_files += 2;
    st.start_us = R->w.start / 10;
    st.end_us = R->w.end / 10;
    if (opts->progress != NULL)
        opts->progress(opts->progress_ctx, n_tasks, n_tasks, st.n_bytes);
    if (ret_stats != NULL)
        *ret_stats = st;
out:
    if (R->workers != NULL) {
        for (unsigned i = 0; i < R->n_workers; i++) {
            sy_w_release(&R->workers[i].a);
            sy_w_release(&R->workers[i].b);
            libdeflate_free_compressor(R->workers[i].gz);
            ss_free(R->workers[i].gz_buf);
        }
    }
    ss_free(R->workers);
    ss_free(R->res);
    ss_free(R->plan);
    sy_ct_release(&R->ct);
    sy_world_release(&R->w);
    pthread_mutex_destroy(&R->err_lock);
    ss_free(R);
    return r;
}
