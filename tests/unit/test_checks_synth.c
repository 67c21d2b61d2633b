/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_checks_synth.c - end-to-end test of checks/ over synthetic cases.
 *
 * Generates small cases with synth/ (seeded), reads them with io/ in three ways (one
 * state for everything; one state per input merged in reverse order; plain JSON-lines
 * inputs cut into byte ranges, one state per range) and asserts that all three give
 * the same findings, and exactly the findings truth.json plants: the Activity Log gap
 * after the diagnostic-setting delete, the delete itself and the embargoed-country
 * principal, and nothing for the benign tenants. Needs checks_dep, synth_dep, io_dep.
 */
#include "checks/checks.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/ss_time.h"
#include "io/io.h"
#include "json/json.h"
#include "synth/synth.h"
#include "ss_test.h"

#define H SS_TIME_US_PER_HOUR

static int read_file(const char *path, struct ss_buf *out)
{
    FILE *f = fopen(path, "rb");
    char tmp[65536];
    size_t n;
    int r = 0;

    if (f == NULL)
        return -errno;
    for (;;) {
        n = fread(tmp, 1, sizeof(tmp), f);
        if (n == 0)
            break;
        r = ss_buf_append(out, tmp, n);
        if (r < 0)
            break;
    }
    fclose(f);
    return r;
}

/* The value at @spec (printf-formatted) in @doc; SS_JSON_MISSING if absent. */
static struct ss_json_val get(const struct ss_buf *doc, const char *fmt, ...) SS_ATTR_PRINTF(2, 3);

static struct ss_json_val get(const struct ss_buf *doc, const char *fmt, ...)
{
    char spec[256];
    va_list ap;
    struct ss_json_path *p = NULL;
    struct ss_json_val v = { .type = SS_JSON_MISSING };

    va_start(ap, fmt);
    (void)vsnprintf(spec, sizeof(spec), fmt, ap);
    va_end(ap);
    if (ss_json_path_parse(spec, strlen(spec), &p, NULL) != 0)
        abort();
    if (ss_json_get(doc->ptr, doc->len, p, &v) != 0)
        v.type = SS_JSON_MISSING;
    ss_json_path_free(p);
    return v;
}

static bool get_str(const struct ss_buf *doc, char *out, size_t out_len, const char *fmt,
                    const char *arg)
{
    char spec[256];
    struct ss_json_val v;
    long long n;

    snprintf(spec, sizeof(spec), fmt, arg);
    v = get(doc, "%s", spec);
    if (v.type != SS_JSON_STRING)
        return false;
    n = ss_json_str_copy(&v, out, out_len);
    return n >= 0 && (size_t)n < out_len;
}

static int64_t get_time(const struct ss_buf *doc, const char *spec)
{
    char t[64];
    int64_t us;

    if (!get_str(doc, t, sizeof(t), "%s", spec) || ss_time_parse(t, strlen(t), &us) != 0)
        return INT64_MIN;
    return us;
}

/* Index of the scenario with id @id, as a path prefix "scenarios[i]". */
static bool scenario(const struct ss_buf *truth, const char *id, char *prefix, size_t len)
{
    for (int i = 0; i < 32; i++) {
        char sid[64], p[32];

        snprintf(p, sizeof(p), "scenarios[%d]", i);
        if (!get_str(truth, sid, sizeof(sid), "%s.id", p))
            return false;
        if (strcmp(sid, id) == 0) {
            snprintf(prefix, len, "%s", p);
            return true;
        }
    }
    return false;
}

enum split { SPLIT_NONE = 0, SPLIT_INPUTS, SPLIT_RANGES };

static int feed(struct ss_checks_state *st, const struct ss_case *c, uint32_t i,
                struct ss_reader *rd)
{
    struct ss_record rec;

    for (;;) {
        int r = ss_reader_next(rd, &rec, NULL);

        if (r == 0)
            return 0;
        if (r < 0)
            return r;
        r = ss_checks_record(st, c->inputs[i].kind, rec.ptr, rec.len, &rec.loc);
        if (r < 0)
            return r;
    }
}

/* Run the checks over @c, split as @how; findings into @out (initialised here). */
static int run_case(const struct ss_checks *ck, const struct ss_case *c, enum split how,
                    struct ss_findings *out)
{
    struct ss_checks_state *all = NULL;
    int r = ss_checks_state_new(ck, &all);

    for (size_t k = 0; r == 0 && k < c->n_inputs; k++) {
        /* reverse input order: merging must not care */
        uint32_t i = (uint32_t)(how == SPLIT_INPUTS ? c->n_inputs - 1 - k : k);
        const struct ss_input *in = &c->inputs[i];
        bool ranges = how == SPLIT_RANGES && in->comp == SS_COMP_NONE &&
                      in->layout == SS_LAYOUT_LINES && in->size_bytes > 4096;
        uint64_t step = ranges ? in->size_bytes / 3 + 1 : UINT64_MAX;

        if (in->kind == SS_KIND_UNKNOWN)
            continue;
        for (uint64_t b = 0; r == 0 && (b == 0 || (ranges && b < in->size_bytes)); b += step) {
            struct ss_checks_state *st = all;
            struct ss_reader *rd = NULL;

            if (how != SPLIT_NONE)
                r = ss_checks_state_new(ck, &st);
            if (r == 0)
                r = ranges ? ss_reader_open_range(c, i, b, b + step, 0, NULL, NULL, NULL, &rd, NULL)
                           : ss_reader_open(c, i, NULL, NULL, NULL, &rd, NULL);
            if (r == 0)
                r = feed(st, c, i, rd);
            ss_reader_free(rd);
            if (r == 0 && st != all)
                r = ss_checks_state_merge(all, st);
            if (st != all)
                ss_checks_state_free(st);
            if (!ranges)
                break;
        }
    }
    if (r == 0) {
        ss_findings_init(out, (size_t)1 << 28);
        r = ss_checks_finish(ck, all, out, NULL);
        if (r != 0)
            ss_findings_release(out);
    }
    ss_checks_state_free(all);
    return r;
}

/* Everything but loc.index (range readers number lines from the range start). */
static void dump(const struct ss_findings *fs, struct ss_buf *b)
{
    ss_buf_reset(b);
    for (size_t i = 0; i < fs->len; i++) {
        const struct ss_finding *f = &fs->items[i];

        if (ss_buf_printf(b, "%s|%d|%s|%s|%" PRId64 "|%" PRId64 "|%" PRIu64 "|%s|", f->check_id,
                          (int)f->severity, f->title, f->desc, f->first_us, f->last_us,
                          f->n_evidence_total, f->data_json != NULL ? f->data_json : "-") != 0)
            abort();
        for (size_t k = 0; k < f->n_entities; k++) {
            if (ss_buf_printf(b, "%s,", f->entities[k]) != 0)
                abort();
        }
        for (size_t k = 0; k < f->n_evidence; k++) {
            if (ss_buf_printf(b, "%u:%" PRIu64 ":%" PRIu64 " ", f->evidence[k].loc.input,
                              f->evidence[k].loc.offset, f->evidence[k].loc.len) != 0)
                abort();
        }
        if (ss_buf_putc(b, '\n') != 0)
            abort();
    }
}

static const struct ss_finding *find(const struct ss_findings *fs, const char *check_id)
{
    for (size_t i = 0; i < fs->len; i++) {
        if (strcmp(fs->items[i].check_id, check_id) == 0)
            return &fs->items[i];
    }
    return NULL;
}

static void check_case(uint32_t tenants, uint32_t days, uint64_t seed, bool all_splits)
{
    struct ss_synth_opts o;
    struct ss_checks_config cfg;
    struct ss_checks *ck = NULL;
    struct ss_case c = { 0 };
    struct ss_findings fs[3];
    struct ss_buf truth = SS_BUF_INIT((size_t)64 << 20);
    struct ss_buf d0 = SS_BUF_INIT((size_t)16 << 20), d1 = SS_BUF_INIT((size_t)16 << 20);
    char dir[512], path[600], gap_p[32], emb_p[32], sub[64], sub_id[80], tenant[64], upn[128],
        oid[64];
    const struct ss_finding *f;
    int64_t w_start, w_end, t_min = INT64_MAX, t_max = INT64_MIN;
    double gap_hours;
    struct ss_json_val v;
    int n_signins = 0, n_success = 0;

    memset(fs, 0, sizeof(fs));
    snprintf(dir, sizeof(dir), "%s/case-%u-%u-%" PRIu64, ss_test_tmpdir(), tenants, days, seed);
    ss_synth_opts_init(&o);
    o.seed = seed;
    o.n_tenants = tenants;
    o.n_days = days;
    o.size_bytes = (uint64_t)10 << 20;
    o.n_threads = 2;
    ASSERT_OK(ss_synth_run(&o, dir, NULL, NULL));
    snprintf(path, sizeof(path), "%s/truth.json", dir);
    ASSERT_OK(read_file(path, &truth));
    ASSERT_OK(ss_case_discover(dir, NULL, &c, NULL));

    ss_checks_config_default(&cfg);
    ASSERT_OK(ss_checks_new(&cfg, &ck, NULL));
    ASSERT_OK(run_case(ck, &c, SPLIT_INPUTS, &fs[0]));
    if (all_splits) {
        ASSERT_OK(run_case(ck, &c, SPLIT_NONE, &fs[1]));
        ASSERT_OK(run_case(ck, &c, SPLIT_RANGES, &fs[2]));
    }
    dump(&fs[0], &d0);
    for (int k = 1; all_splits && k < 3; k++) {
        dump(&fs[k], &d1);
        ASSERT_EQ(d0.len, d1.len);
        ASSERT_MEMEQ(d0.ptr, d1.ptr, d0.len);
    }

    /* what truth.json planted */
    ASSERT_TRUE(scenario(&truth, "audit.gap", gap_p, sizeof(gap_p)));
    ASSERT_TRUE(scenario(&truth, "access.embargoed-signin", emb_p, sizeof(emb_p)));
    ASSERT_TRUE(get_str(&truth, sub, sizeof(sub), "%s.entities[1]", gap_p));
    snprintf(sub_id, sizeof(sub_id), "/subscriptions/%s", sub);
    snprintf(path, sizeof(path), "%s.window.start", gap_p);
    w_start = get_time(&truth, path);
    snprintf(path, sizeof(path), "%s.window.end", gap_p);
    w_end = get_time(&truth, path);
    v = get(&truth, "%s.gap_hours", gap_p);
    ASSERT_OK(ss_json_number(&v, &gap_hours));
    ASSERT_TRUE(get_str(&truth, tenant, sizeof(tenant), "%s.tenant", emb_p));
    ASSERT_TRUE(get_str(&truth, upn, sizeof(upn), "%s.principals[0].upn", emb_p));
    ASSERT_TRUE(get_str(&truth, oid, sizeof(oid), "%s.principals[0].objectId", emb_p));
    for (int i = 0; i < 64; i++) {
        char res[16];
        int64_t t;

        snprintf(path, sizeof(path), "%s.sign_ins[%d].time", emb_p, i);
        t = get_time(&truth, path);
        if (t == INT64_MIN)
            break;
        n_signins++;
        t_min = SS_MIN(t_min, t);
        t_max = SS_MAX(t_max, t);
        snprintf(path, sizeof(path), "%s.sign_ins[%d].result", emb_p, i);
        ASSERT_TRUE(get_str(&truth, res, sizeof(res), "%s", path));
        n_success += strcmp(res, "success") == 0;
    }
    ASSERT_TRUE(n_signins > 0);

    /* exactly three findings: nothing for the benign tenants */
    ASSERT_EQ(fs[0].len, 3);

    f = find(&fs[0], "audit.activity-log-gap");
    ASSERT_TRUE(f != NULL);
    ASSERT_STREQ(f->entities[0], sub_id);
    ASSERT_EQ(f->severity, SS_SEV_HIGH);
    /*
     * the gap runs from the delete (the window start, plus its Start-to-Success delay) to
     * the first record of the new setting (the window end)
     */
    ASSERT_TRUE(f->first_us >= w_start && f->first_us < w_start + 60 * SS_TIME_US_PER_SEC);
    ASSERT_EQ(f->last_us, w_end);
    ASSERT_EQ((f->last_us - f->first_us + H / 2) / H, (int64_t)gap_hours);
    ASSERT_TRUE(strstr(f->data_json, "\"diagnostic_setting_deleted\":true") != NULL);
    ASSERT_TRUE(strstr(f->data_json, "\"position\":\"inside\"") != NULL);
    ASSERT_TRUE(strstr(f->title, "after a diagnostic setting was deleted") != NULL);

    f = find(&fs[0], "audit.diagnostic-setting-deleted");
    ASSERT_TRUE(f != NULL);
    ASSERT_STREQ(f->entities[0], sub_id);
    ASSERT_EQ(f->first_us, w_start);
    ASSERT_U64_EQ(f->n_evidence_total, 2); /* Start and Success */
    ASSERT_STREQ(f->title, "Diagnostic setting 'export-activitylog-to-storage' deleted");

    f = find(&fs[0], "access.signin-embargoed-country");
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ(f->n_entities, 3);
    ASSERT_STREQ(f->entities[0], tenant);
    ASSERT_STREQ(f->entities[1], upn);
    ASSERT_STREQ(f->entities[2], oid);
    ASSERT_U64_EQ(f->n_evidence_total, (uint64_t)n_signins);
    ASSERT_EQ(f->n_evidence, (size_t)n_signins);
    ASSERT_EQ(f->first_us, t_min);
    ASSERT_EQ(f->last_us, t_max);
    snprintf(path, sizeof(path), "\"n_signins\":%d,\"n_success\":%d,", n_signins, n_success);
    ASSERT_TRUE(strstr(f->data_json, path) != NULL);

    for (int k = 0; k < 3; k++)
        ss_findings_release(&fs[k]);
    ss_checks_free(ck);
    ss_case_release(&c);
    ss_buf_release(&truth);
    ss_buf_release(&d0);
    ss_buf_release(&d1);
}

/* The default case of the brief: 6 tenants, 3 days, seed 42 (a 48 h gap). */
static void test_synth_6x3(void)
{
    check_case(6, 3, 42, true);
}

/* One day: the planted gap is 12 h, found as a corroborated short gap. */
static void test_synth_5x1(void)
{
    check_case(5, 1, 1, false);
}

/*
 * Eight days: the retention scenario deletes one tenant's early logs (a late start,
 * which is not reported as a gap by default).
 */
static void test_synth_5x8(void)
{
    check_case(5, 8, 3, false);
}

int main(void)
{
    SS_RUN(test_synth_6x3);
    SS_RUN(test_synth_5x1);
    SS_RUN(test_synth_5x8);
    return ss_test_done();
}
