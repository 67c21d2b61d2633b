/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_checks.c - unit tests of checks/: hand-built Activity Log and sign-in
 * records fed through the public API with exact expected findings (ids, entities,
 * severities, evidence locations, times, titles, data_json); independence from how the
 * records are split into states and in what order states are merged; hostile records;
 * caps; allocation failures; the reader feeding records with real locations; and the
 * shared corpus samples.
 */
#include "checks/checks.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/ss_time.h"
#include "io/io.h"
#include "json/json.h"
#include "ss_test.h"

#define H SS_TIME_US_PER_HOUR
#define MIN_US (60 * SS_TIME_US_PER_SEC)

/* ---- building records ---- */

struct trec {
    char *text;
    size_t len;
    struct ss_loc loc;
    enum ss_input_kind kind;
};

struct tset {
    struct trec *r;
    size_t n, cap;
    uint64_t next_off[8]; /* per input */
    uint64_t next_line[8];
};

static void tset_release(struct tset *s)
{
    for (size_t i = 0; i < s->n; i++)
        ss_free(s->r[i].text);
    ss_free(s->r);
    memset(s, 0, sizeof(*s));
}

static size_t add_rec(struct tset *s, uint32_t input, enum ss_input_kind kind, const char *fmt, ...)
    SS_ATTR_PRINTF(4, 5);

/* Append one record of @input; returns its index in @s. Aborts on OOM (test helper). */
static size_t add_rec(struct tset *s, uint32_t input, enum ss_input_kind kind, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    int n;
    struct trec *t;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buf) || input >= 8)
        abort();
    if (s->n == s->cap) {
        s->cap = s->cap == 0 ? 64 : s->cap * 2;
        t = ss_reallocarray(s->r, s->cap, sizeof(*s->r));
        if (t == NULL)
            abort();
        s->r = t;
    }
    t = &s->r[s->n];
    t->text = ss_malloc((size_t)n + 1);
    if (t->text == NULL)
        abort();
    memcpy(t->text, buf, (size_t)n + 1);
    t->len = (size_t)n;
    t->kind = kind;
    t->loc = (struct ss_loc){ .input = input,
                              .offset = s->next_off[input],
                              .len = (uint64_t)n,
                              .index = ++s->next_line[input] };
    s->next_off[input] += (uint64_t)n + 1;
    return s->n++;
}

static int64_t T0(void)
{
    return ss_time_days_from_civil(2024, 3, 1) * SS_TIME_US_PER_DAY;
}

static const char *ts(int64_t us, char buf[SS_TIME_STR_MAX])
{
    ss_time_format(us, 7, buf);
    return buf;
}

/* An Activity Log record (resource-log schema) of subscription @sub (as written). */
static size_t act(struct tset *s, uint32_t input, int64_t t, const char *sub, const char *op,
                  const char *result)
{
    char tb[SS_TIME_STR_MAX];
    bool diag = strstr(op, "DIAGNOSTICSETTINGS") != NULL;

    return add_rec(s, input, SS_KIND_AZURE_JSONL,
                   "{\"time\":\"%s\",\"resourceId\":\"/SUBSCRIPTIONS/%s%s\",\"operationName\":"
                   "\"%s\",\"category\":\"Administrative\",\"resultType\":\"%s\",\"level\":"
                   "\"Information\",\"location\":\"global\",\"properties\":{\"eventCategory\":"
                   "\"Administrative\"}}",
                   ts(t, tb), sub,
                   diag ? "/PROVIDERS/MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/EXPORT-AL"
                        : "/RESOURCEGROUPS/RG1/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/VM1",
                   op, result);
}

static size_t act_write(struct tset *s, uint32_t input, int64_t t, const char *sub)
{
    return act(s, input, t, sub, "MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE", "Success");
}

#define OP_DEL "MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/DELETE"

/* An Entra sign-in (resource-log schema). @err is the JSON of status.errorCode. */
static size_t signin(struct tset *s, uint32_t input, int64_t t, const char *tenant, const char *upn,
                     const char *country, const char *result_type)
{
    char tb[SS_TIME_STR_MAX];

    return add_rec(s, input, SS_KIND_AZURE_JSONL,
                   "{\"time\":\"%s\",\"resourceId\":\"/tenants/%s/providers/Microsoft.aadiam\","
                   "\"operationName\":\"Sign-in activity\",\"category\":\"SignInLogs\","
                   "\"tenantId\":\"%s\",\"resultType\":\"%s\",\"Level\":4,\"location\":\"%s\","
                   "\"properties\":{\"userPrincipalName\":\"%s\",\"userId\":"
                   "\"C9B327CE-5566-4F92-95CF-5D19B2846719\",\"servicePrincipalId\":\"\","
                   "\"location\":{\"city\":\"x\",\"countryOrRegion\":\"%s\"},"
                   "\"status\":{\"errorCode\":%s}}}",
                   ts(t, tb), tenant, tenant, result_type, country, upn, country,
                   strcmp(result_type, "0") == 0 ? "0" : result_type);
}

/* ---- running ---- */

static struct ss_checks *make_checks(const struct ss_checks_config *cfg)
{
    struct ss_checks_config def;
    struct ss_checks *ck = NULL;

    if (cfg == NULL) {
        ss_checks_config_default(&def);
        cfg = &def;
    }
    if (ss_checks_new(cfg, &ck, NULL) != 0)
        abort();
    return ck;
}

/* Feed every record of @s to one state in order and finish into @out. */
static int run_one(const struct ss_checks *ck, const struct tset *s, struct ss_findings *out)
{
    struct ss_checks_state *st = NULL;
    int r = ss_checks_state_new(ck, &st);

    for (size_t i = 0; r == 0 && i < s->n; i++)
        r = ss_checks_record(st, s->r[i].kind, s->r[i].text, s->r[i].len, &s->r[i].loc);
    if (r == 0) {
        ss_findings_init(out, (size_t)1 << 28);
        r = ss_checks_finish(ck, st, out, NULL);
        if (r != 0)
            ss_findings_release(out);
    }
    ss_checks_state_free(st);
    return r;
}

static uint64_t rng_next(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/*
 * Deal the records of @s to @n_parts states at random (in a random order within each
 * state when @shuffle), merge the states pairwise in a random order, finish into @out.
 */
static int run_split(const struct ss_checks *ck, const struct tset *s, size_t n_parts,
                     uint64_t seed, bool shuffle, struct ss_findings *out)
{
    struct ss_checks_state *st[16] = { 0 };
    size_t *order = ss_calloc(s->n + 1, sizeof(*order));
    size_t live = n_parts;
    int r = 0;

    if (n_parts == 0 || n_parts > 16)
        abort();
    if (order == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < s->n; i++)
        order[i] = i;
    if (shuffle) {
        for (size_t i = s->n; i > 1; i--) {
            size_t j = (size_t)(rng_next(&seed) % i), tmp = order[i - 1];

            order[i - 1] = order[j];
            order[j] = tmp;
        }
    }
    for (size_t i = 0; r == 0 && i < n_parts; i++)
        r = ss_checks_state_new(ck, &st[i]);
    for (size_t k = 0; r == 0 && k < s->n; k++) {
        const struct trec *t = &s->r[order[k]];

        r = ss_checks_record(st[rng_next(&seed) % n_parts], t->kind, t->text, t->len, &t->loc);
    }
    while (r == 0 && live > 1) {
        size_t i = (size_t)(rng_next(&seed) % live), j = (size_t)(rng_next(&seed) % live);

        if (i == j)
            continue;
        r = ss_checks_state_merge(st[i], st[j]);
        ss_checks_state_free(st[j]);
        st[j] = st[live - 1];
        st[live - 1] = NULL;
        live--;
    }
    if (r == 0) {
        ss_findings_init(out, (size_t)1 << 28);
        r = ss_checks_finish(ck, st[0], out, NULL);
        if (r != 0)
            ss_findings_release(out);
    }
    for (size_t i = 0; i < n_parts; i++)
        ss_checks_state_free(st[i]);
    ss_free(order);
    return r;
}

/* Every field of every finding as text, to compare runs byte for byte. */
static void dump(const struct ss_findings *fs, struct ss_buf *b)
{
    ss_buf_reset(b);
    for (size_t i = 0; i < fs->len; i++) {
        const struct ss_finding *f = &fs->items[i];

        if (ss_buf_printf(b, "%s|%d|%s|%s|%" PRId64 "|%" PRId64 "|%zu|%" PRIu64 "|%s|", f->check_id,
                          (int)f->severity, f->title, f->desc, f->first_us, f->last_us,
                          f->n_evidence, f->n_evidence_total,
                          f->data_json != NULL ? f->data_json : "-") != 0)
            abort();
        for (size_t k = 0; k < f->n_entities; k++) {
            if (ss_buf_printf(b, "%s,", f->entities[k]) != 0)
                abort();
        }
        for (size_t k = 0; k < f->n_evidence; k++) {
            const struct ss_loc *l = &f->evidence[k].loc;

            if (ss_buf_printf(b, "%u:%" PRIu64 ":%" PRIu64 ":%" PRIu64 " ", l->input, l->offset,
                              l->len, l->index) != 0)
                abort();
        }
        if (ss_buf_putc(b, '\n') != 0)
            abort();
    }
}

static const struct ss_finding *find(const struct ss_findings *fs, const char *check_id,
                                     const char *entity0, size_t nth)
{
    for (size_t i = 0; i < fs->len; i++) {
        const struct ss_finding *f = &fs->items[i];

        if (strcmp(f->check_id, check_id) == 0 && f->n_entities > 0 &&
            strcmp(f->entities[0], entity0) == 0 && nth-- == 0)
            return f;
    }
    return NULL;
}

static size_t count_check(const struct ss_findings *fs, const char *check_id)
{
    size_t n = 0;

    for (size_t i = 0; i < fs->len; i++)
        n += strcmp(fs->items[i].check_id, check_id) == 0;
    return n;
}

static bool loc_eq(const struct ss_loc *a, const struct ss_loc *b)
{
    return ss_loc_cmp(a, b) == 0 && a->index == b->index;
}

#define GAP "audit.activity-log-gap"
#define DIAG "audit.diagnostic-setting-deleted"
#define EMB "access.signin-embargoed-country"
#define LIMIT "checks.limit-reached"

#define SUB_A "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE"
#define SUB_A_ID "/subscriptions/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
#define SUB_B "11111111-2222-3333-4444-555555555555"
#define SUB_B_ID "/subscriptions/11111111-2222-3333-4444-555555555555"
#define SUB_C "22222222-2222-3333-4444-555555555555"
#define SUB_C_ID "/subscriptions/22222222-2222-3333-4444-555555555555"
#define TENANT "F91D3473-4515-48E9-BB01-32C3DCD0C560"
#define TENANT_ID "f91d3473-4515-48e9-bb01-32c3dcd0c560"

/* ---- tests ---- */

static void test_list(void)
{
    const struct ss_check_info *ci = NULL;
    size_t n = ss_checks_list(&ci);

    ASSERT_EQ(n, 4);
    ASSERT_STREQ(ci[0].id, GAP);
    ASSERT_EQ(ci[0].severity, SS_SEV_MEDIUM);
    ASSERT_STREQ(ci[1].id, EMB);
    ASSERT_EQ(ci[1].severity, SS_SEV_HIGH);
    ASSERT_STREQ(ci[2].id, DIAG);
    ASSERT_EQ(ci[2].severity, SS_SEV_MEDIUM);
    ASSERT_STREQ(ci[3].id, LIMIT);
    for (size_t i = 0; i < n; i++) {
        ASSERT_TRUE(ci[i].title[0] != '\0');
        ASSERT_TRUE(strlen(ci[i].desc) > 40);
    }
}

static void test_config(void)
{
    struct ss_checks_config cfg;
    struct ss_checks *ck = NULL;
    struct ss_diag d;
    static const char *const lower[] = { "ir", "Kp" };
    static const char *const bad[] = { "IR", "IRN" };
    static const char *const digit[] = { "I1" };
    const char *many[SS_CHECKS_MAX_EMBARGOED + 1];

    ss_checks_config_default(&cfg);
    ASSERT_EQ(cfg.gap_min_us, 24 * H);
    ASSERT_EQ(cfg.gap_delete_window_us, 2 * H);
    ASSERT_EQ(cfg.n_embargoed, 4);
    ASSERT_STREQ(cfg.embargoed[0], "CU");
    ASSERT_STREQ(cfg.embargoed[3], "SY");
    ASSERT_TRUE(!cfg.gap_report_edges);

    cfg.gap_min_us = H - 1;
    ss_diag_clear(&d);
    ASSERT_EQ(ss_checks_new(&cfg, &ck, &d), -EINVAL);
    ASSERT_TRUE(ck == NULL);
    ASSERT_STREQ(d.msg, "gap_min_us is below one hour");

    ss_checks_config_default(&cfg);
    cfg.gap_min_active_ratio = 1.5;
    ASSERT_EQ(ss_checks_new(&cfg, &ck, NULL), -EINVAL);
    ss_checks_config_default(&cfg);
    cfg.max_sub_hours = 0;
    ASSERT_EQ(ss_checks_new(&cfg, &ck, NULL), -EINVAL);

    ss_checks_config_default(&cfg);
    cfg.embargoed = bad;
    cfg.n_embargoed = 2;
    ss_diag_clear(&d);
    ASSERT_EQ(ss_checks_new(&cfg, &ck, &d), -EINVAL);
    ASSERT_STREQ(d.msg, "embargoed country 2 is not a two-letter code");
    cfg.embargoed = digit;
    cfg.n_embargoed = 1;
    ASSERT_EQ(ss_checks_new(&cfg, &ck, NULL), -EINVAL);

    for (size_t i = 0; i < SS_ARRAY_LEN(many); i++)
        many[i] = "IR";
    cfg.embargoed = many;
    cfg.n_embargoed = SS_ARRAY_LEN(many);
    ASSERT_EQ(ss_checks_new(&cfg, &ck, NULL), SS_ELIMIT);
    cfg.n_embargoed = SS_CHECKS_MAX_EMBARGOED;
    ASSERT_OK(ss_checks_new(&cfg, &ck, NULL));
    ss_checks_free(ck);
    ck = NULL;

    /* lower-case codes are accepted; the caller's array is not kept */
    cfg.embargoed = lower;
    cfg.n_embargoed = 2;
    ASSERT_OK(ss_checks_new(&cfg, &ck, NULL));
    ss_checks_free(ck);
    ss_checks_free(NULL);
    ss_checks_state_free(NULL);
}

/*
 * Subscription A logs every hour, deletes its diagnostic setting at 06:00, is silent
 * for 48.5 h and resumes: one high gap finding citing the delete, one delete finding.
 */
static void test_gap_after_delete(void)
{
    struct ss_checks *ck = make_checks(NULL);
    struct tset s = { 0 };
    struct ss_findings fs = { 0 };
    const struct ss_finding *f;
    size_t del_start, del_ok, resume;

    for (int h = 0; h < 6; h++)
        (void)act_write(&s, 0, T0() + h * H + 10 * MIN_US, SUB_A);
    del_start = act(&s, 0, T0() + 6 * H, SUB_A, OP_DEL, "Start");
    del_ok = act(&s, 0, T0() + 6 * H + 3 * SS_TIME_US_PER_SEC, SUB_A, OP_DEL, "Success");
    resume = act_write(&s, 1, T0() + 54 * H + 30 * MIN_US, SUB_A);
    for (int h = 55; h < 60; h++)
        (void)act_write(&s, 1, T0() + h * H + 30 * MIN_US, SUB_A);

    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(fs.len, 2);

    f = find(&fs, GAP, SUB_A_ID, 0);
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ(f->severity, SS_SEV_HIGH);
    ASSERT_STREQ(f->title, "Activity Log gap of 48 h after a diagnostic setting was deleted");
    ASSERT_EQ(f->n_entities, 1);
    ASSERT_EQ(f->first_us, T0() + 6 * H + 3 * SS_TIME_US_PER_SEC);
    ASSERT_EQ(f->last_us, T0() + 54 * H + 30 * MIN_US);
    ASSERT_EQ(f->n_evidence, 2); /* the delete is the last record before the gap */
    ASSERT_U64_EQ(f->n_evidence_total, 2);
    ASSERT_TRUE(loc_eq(&f->evidence[0].loc, &s.r[del_ok].loc));
    ASSERT_TRUE(loc_eq(&f->evidence[1].loc, &s.r[resume].loc));
    ASSERT_EQ(f->evidence[0].sha256[0], 0);
    ASSERT_STREQ(f->data_json,
                 "{\"active_hours\":13,\"deleted_setting\":\"" SUB_A_ID
                 "/providers/microsoft.insights/diagnosticsettings/export-al\","
                 "\"diagnostic_setting_deleted\":true,\"gap_end\":\"2024-03-03T06:30:00.000000Z\","
                 "\"gap_hours\":48.5,\"gap_start\":\"2024-03-01T06:00:03.000000Z\","
                 "\"observed_hours\":13,\"position\":\"inside\",\"subscription_records\":14,"
                 "\"untimed_records\":0}");
    ASSERT_STREQ(f->desc,
                 "Subscription " SUB_A_ID " has no Activity Log records from "
                 "2024-03-01T06:00:03.000000Z to 2024-03-03T06:30:00.000000Z (48.5 h), although "
                 "it has records in 13 of its 13 observed hours. Its diagnostic setting "
                 "'export-al' was deleted at 2024-03-01T06:00:03.000000Z, 0 h before the gap "
                 "began: deleting the subscription's diagnostic setting stops the export of its "
                 "Activity Log, so the gap most likely follows from that deletion.");

    f = find(&fs, DIAG, SUB_A_ID, 0);
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ(f->severity, SS_SEV_MEDIUM);
    ASSERT_STREQ(f->title, "Diagnostic setting 'export-al' deleted");
    ASSERT_EQ(f->first_us, T0() + 6 * H);
    ASSERT_EQ(f->last_us, T0() + 6 * H + 3 * SS_TIME_US_PER_SEC);
    ASSERT_EQ(f->n_evidence, 2);
    ASSERT_TRUE(loc_eq(&f->evidence[0].loc, &s.r[del_start].loc));
    ASSERT_TRUE(loc_eq(&f->evidence[1].loc, &s.r[del_ok].loc));
    ASSERT_STREQ(f->data_json,
                 "{\"n_failure\":0,\"n_records\":2,\"n_success\":1,\"settings\":[\"" SUB_A_ID
                 "/providers/microsoft.insights/diagnosticsettings/export-al\"],"
                 "\"subscription_setting\":true}");
    ss_findings_release(&fs);
    tset_release(&s);
    ss_checks_free(ck);
}

/* Busy subscription: an uncorroborated 31 h gap is medium; a quiet one is not reported. */
static void test_gap_busy_and_quiet(void)
{
    struct ss_checks_config cfg;
    struct ss_checks *ck = make_checks(NULL), *ck0;
    struct tset s = { 0 };
    struct ss_findings fs = { 0 };
    const struct ss_finding *f;
    size_t before = 0, after = 0;

    for (int h = 0; h < 50; h++) {
        if (h >= 10 && h < 40)
            continue;
        if (h == 40)
            after = act_write(&s, 0, T0() + h * H + 10 * MIN_US, SUB_B);
        else
            before = act_write(&s, 0, T0() + h * H + 10 * MIN_US, SUB_B);
        if (h == 9)
            before = s.n - 1;
    }
    (void)before;
    /* quiet: one record every 6 h with a 36 h silence; active 5 of 20 hours */
    for (int h = 0; h <= 54; h += 6) {
        if (h > 12 && h < 48)
            continue;
        (void)act_write(&s, 1, T0() + h * H, SUB_C);
    }
    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(fs.len, 1);
    f = find(&fs, GAP, SUB_B_ID, 0);
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ(f->severity, SS_SEV_MEDIUM);
    ASSERT_STREQ(f->title, "Activity Log gap of 31 h");
    ASSERT_EQ(f->n_evidence, 2);
    ASSERT_TRUE(loc_eq(&f->evidence[0].loc, &s.r[9].loc));
    ASSERT_TRUE(loc_eq(&f->evidence[1].loc, &s.r[after].loc));
    ASSERT_STREQ(f->data_json,
                 "{\"active_hours\":20,\"deleted_setting\":null,\"diagnostic_setting_deleted\":"
                 "false,\"gap_end\":\"2024-03-02T16:10:00.000000Z\",\"gap_hours\":31,"
                 "\"gap_start\":\"2024-03-01T09:10:00.000000Z\",\"observed_hours\":20,"
                 "\"position\":\"inside\",\"subscription_records\":20,\"untimed_records\":0}");
    ASSERT_TRUE(strstr(f->desc, "an interrupted export") != NULL);
    ss_findings_release(&fs);

    /* with no activity threshold the quiet subscription's gap is reported too */
    ss_checks_config_default(&cfg);
    cfg.gap_min_active_ratio = 0.0;
    ck0 = make_checks(&cfg);
    ASSERT_OK(run_one(ck0, &s, &fs));
    ASSERT_EQ(fs.len, 2);
    f = find(&fs, GAP, SUB_C_ID, 0);
    ASSERT_TRUE(f != NULL);
    ASSERT_STREQ(f->title, "Activity Log gap of 36 h");
    ASSERT_TRUE(strstr(f->data_json, "\"active_hours\":5,") != NULL);
    ASSERT_TRUE(strstr(f->data_json, "\"observed_hours\":20,") != NULL);
    ss_findings_release(&fs);
    ss_checks_free(ck0);
    tset_release(&s);
    ss_checks_free(ck);
}

/* Exactly gap_min is a gap; one microsecond less is not. */
static void test_gap_threshold(void)
{
    struct ss_checks *ck = make_checks(NULL);
    struct tset s = { 0 };
    struct ss_findings fs = { 0 };

    (void)act_write(&s, 0, T0(), SUB_A);
    (void)act_write(&s, 0, T0() + 24 * H, SUB_A);
    (void)act_write(&s, 0, T0() + 25 * H, SUB_B);
    (void)act_write(&s, 0, T0() + 49 * H - 1, SUB_B);
    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(fs.len, 1);
    ASSERT_TRUE(find(&fs, GAP, SUB_A_ID, 0) != NULL);
    ASSERT_STREQ(fs.items[0].title, "Activity Log gap of 24 h");
    ASSERT_TRUE(strstr(fs.items[0].data_json, "\"gap_hours\":24,") != NULL);
    ss_findings_release(&fs);
    tset_release(&s);
    ss_checks_free(ck);
}

/*
 * Edges: B stops 50 h before the case ends (no finding by default, medium with
 * gap_report_edges); C deletes its setting and never logs again (high by default);
 * A starts 40 h after the case (only with gap_report_edges).
 */
static void test_gap_edges(void)
{
    struct ss_checks_config cfg;
    struct ss_checks *ck = make_checks(NULL), *cke;
    struct tset s = { 0 };
    struct ss_findings fs = { 0 };
    const struct ss_finding *f;
    size_t b_last = 0, c_del = 0, a_first = 0, a_last = 0, b_first = 0;

    for (int h = 0; h < 10; h++) {
        size_t k = act_write(&s, 0, T0() + h * H, SUB_B);

        if (h == 0)
            b_first = k;
        b_last = k;
    }
    for (int h = 0; h < 6; h++)
        (void)act_write(&s, 1, T0() + h * H + MIN_US, SUB_C);
    c_del = act(&s, 1, T0() + 5 * H + 30 * MIN_US, SUB_C, OP_DEL, "Success");
    for (int h = 40; h < 60; h++) {
        size_t k = act_write(&s, 2, T0() + h * H, SUB_A);

        if (h == 40)
            a_first = k;
        a_last = k;
    }
    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(fs.len, 2);
    f = find(&fs, GAP, SUB_C_ID, 0);
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ(f->severity, SS_SEV_HIGH);
    ASSERT_STREQ(f->title, "Activity Log stops 54 h before the end of the case after a "
                           "diagnostic setting was deleted");
    ASSERT_EQ(f->first_us, T0() + 5 * H + 30 * MIN_US);
    ASSERT_EQ(f->last_us, T0() + 59 * H);
    ASSERT_EQ(f->n_evidence, 2);
    ASSERT_TRUE(loc_eq(&f->evidence[0].loc, &s.r[c_del].loc));
    ASSERT_TRUE(loc_eq(&f->evidence[1].loc, &s.r[a_last].loc));
    ASSERT_TRUE(strstr(f->data_json, "\"position\":\"end\"") != NULL);
    ASSERT_TRUE(strstr(f->desc, "before the latest Activity Log record of the case "
                                "(2024-03-03T11:00:00.000000Z)") != NULL);
    ASSERT_TRUE(find(&fs, DIAG, SUB_C_ID, 0) != NULL);
    ss_findings_release(&fs);

    ss_checks_config_default(&cfg);
    cfg.gap_report_edges = true;
    cke = make_checks(&cfg);
    ASSERT_OK(run_one(cke, &s, &fs));
    ASSERT_EQ(fs.len, 4);
    f = find(&fs, GAP, SUB_B_ID, 0);
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ(f->severity, SS_SEV_MEDIUM);
    ASSERT_STREQ(f->title, "Activity Log stops 50 h before the end of the case");
    ASSERT_TRUE(loc_eq(&f->evidence[0].loc, &s.r[b_last].loc));
    f = find(&fs, GAP, SUB_A_ID, 0);
    ASSERT_TRUE(f != NULL);
    ASSERT_STREQ(f->title, "Activity Log starts 40 h after the start of the case");
    ASSERT_EQ(f->first_us, T0());
    ASSERT_EQ(f->last_us, T0() + 40 * H);
    ASSERT_TRUE(loc_eq(&f->evidence[0].loc, &s.r[b_first].loc));
    ASSERT_TRUE(loc_eq(&f->evidence[1].loc, &s.r[a_first].loc));
    ASSERT_TRUE(strstr(f->data_json, "\"position\":\"start\"") != NULL);
    ss_findings_release(&fs);
    ss_checks_free(cke);
    tset_release(&s);
    ss_checks_free(ck);
}

/*
 * A delete more than 2 h before the gap, a failed one, or a resource-level one does not
 * corroborate; the gap stays medium and the failed-only subscription's finding is low.
 */
static void test_gap_delete_window(void)
{
    struct ss_checks *ck = make_checks(NULL);
    struct tset s = { 0 };
    struct ss_findings fs = { 0 };
    const struct ss_finding *f;

    for (int h = 0; h < 6; h++)
        (void)act_write(&s, 0, T0() + h * H, SUB_A);
    (void)act(&s, 0, T0() + 2 * H + 30 * MIN_US, SUB_A, OP_DEL, "Success"); /* 2.5 h before */
    (void)act(&s, 0, T0() + 5 * H - MIN_US, SUB_A, OP_DEL, "Failure");
    (void)add_rec(&s, 0, SS_KIND_AZURE_JSONL,
                  "{\"time\":\"2024-03-01T05:00:00Z\",\"resourceId\":\"/SUBSCRIPTIONS/" SUB_A
                  "/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/ST1/PROVIDERS/"
                  "MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/BLOBLOGS\",\"operationName\":"
                  "\"microsoft.insights/diagnosticSettings/delete\",\"category\":"
                  "\"Administrative\",\"resultType\":\"Success\"}");
    for (int h = 40; h < 60; h++)
        (void)act_write(&s, 0, T0() + h * H, SUB_A);
    for (int h = 0; h < 3; h++)
        (void)act(&s, 1, T0() + h * H, SUB_B, OP_DEL, "Failure");
    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(fs.len, 3);
    f = find(&fs, GAP, SUB_A_ID, 0);
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ(f->severity, SS_SEV_MEDIUM);
    ASSERT_STREQ(f->title, "Activity Log gap of 35 h");
    f = find(&fs, DIAG, SUB_A_ID, 0);
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ(f->severity, SS_SEV_MEDIUM);
    ASSERT_STREQ(f->title, "2 diagnostic settings deleted");
    ASSERT_STREQ(
        f->data_json,
        "{\"n_failure\":1,\"n_records\":3,\"n_success\":2,\"settings\":[\"" SUB_A_ID
        "/providers/microsoft.insights/diagnosticsettings/export-al\",\"" SUB_A_ID
        "/resourcegroups/rg/providers/microsoft.storage/storageaccounts/st1/providers/"
        "microsoft.insights/diagnosticsettings/bloblogs\"],\"subscription_setting\":true}");
    f = find(&fs, DIAG, SUB_B_ID, 0);
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ(f->severity, SS_SEV_LOW);
    ASSERT_STREQ(f->title, "Failed attempts to delete diagnostic setting 'export-al'");
    ASSERT_U64_EQ(f->n_evidence_total, 3);
    ss_findings_release(&fs);
    tset_release(&s);
    ss_checks_free(ck);
}

/*
 * Shorter gaps (gap_min_after_delete_us, 6 h) count only after a delete in a busy
 * subscription: A (hourly, delete, 8.5 h silence) yes; B (hourly, 8 h silence, no
 * delete) and C (one record every 8 h, delete, 8 h silence: not busy) no.
 */
static void test_gap_short_after_delete(void)
{
    struct ss_checks *ck = make_checks(NULL);
    struct tset s = { 0 };
    struct ss_findings fs = { 0 };
    const struct ss_finding *f;
    size_t del, after = 0;

    for (int h = 0; h < 12; h++)
        (void)act_write(&s, 0, T0() + h * H, SUB_A);
    del = act(&s, 0, T0() + 11 * H + 30 * MIN_US, SUB_A, OP_DEL, "Success");
    for (int h = 20; h < 30; h++) {
        size_t k = act_write(&s, 0, T0() + h * H, SUB_A);

        if (h == 20)
            after = k;
    }
    for (int h = 0; h < 30; h++) {
        if (h < 12 || h >= 20)
            (void)act_write(&s, 1, T0() + h * H, SUB_B);
    }
    for (int h = 0; h < 30; h += 8)
        (void)act_write(&s, 2, T0() + h * H, SUB_C);
    (void)act(&s, 2, T0() + 8 * H + MIN_US, SUB_C, OP_DEL, "Success");
    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(fs.len, 3);
    ASSERT_EQ(count_check(&fs, GAP), 1);
    f = find(&fs, GAP, SUB_A_ID, 0);
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ(f->severity, SS_SEV_HIGH);
    ASSERT_STREQ(f->title, "Activity Log gap of 9 h after a diagnostic setting was deleted");
    ASSERT_EQ(f->n_evidence, 2);
    ASSERT_TRUE(loc_eq(&f->evidence[0].loc, &s.r[del].loc));
    ASSERT_TRUE(loc_eq(&f->evidence[1].loc, &s.r[after].loc));
    ASSERT_TRUE(strstr(f->data_json, "\"gap_hours\":8.5,") != NULL);
    ss_findings_release(&fs);

    /* the same delete and silence at the end of the case */
    tset_release(&s);
    for (int h = 0; h < 12; h++)
        (void)act_write(&s, 0, T0() + h * H, SUB_A);
    del = act(&s, 0, T0() + 11 * H + 30 * MIN_US, SUB_A, OP_DEL, "Success");
    for (int h = 0; h < 20; h++)
        (void)act_write(&s, 1, T0() + h * H, SUB_B);
    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(fs.len, 2);
    f = find(&fs, GAP, SUB_A_ID, 0);
    ASSERT_TRUE(f != NULL);
    ASSERT_STREQ(f->title, "Activity Log stops 8 h before the end of the case after a "
                           "diagnostic setting was deleted");
    ss_findings_release(&fs);
    tset_release(&s);
    ss_checks_free(ck);
}

/* The Activity Log REST shape and Log Analytics AzureActivity rows count the same. */
static void test_activity_shapes(void)
{
    struct ss_checks *ck = make_checks(NULL);
    struct tset s = { 0 };
    struct ss_findings fs = { 0 };
    const struct ss_finding *f;
    size_t rest_del, la_del, la_after;

    for (int h = 0; h < 5; h++)
        (void)act_write(&s, 0, T0() + h * H, SUB_A);
    rest_del = add_rec(&s, 1, SS_KIND_AZURE_REST,
                       "{\"eventTimestamp\":\"2024-03-01T05:10:00.1234567Z\",\"resourceId\":"
                       "\"/subscriptions/" SUB_A "/providers/microsoft.insights/diagnosticSettings/"
                       "Export-AL\",\"operationName\":{\"value\":\"microsoft.insights/"
                       "diagnosticSettings/delete\",\"localizedValue\":\"x\"},\"category\":"
                       "{\"value\":\"Administrative\"},\"status\":{\"value\":\"Succeeded\"}}");
    la_del = add_rec(&s, 2, SS_KIND_AZURE_JSONL,
                     "{\"TimeGenerated\":\"2024-03-01T05:11:00Z\",\"Type\":\"AzureActivity\","
                     "\"_ResourceId\":\"/subscriptions/" SUB_A "/providers/microsoft.insights/"
                     "diagnosticsettings/export-al\",\"OperationNameValue\":\"MICROSOFT.INSIGHTS/"
                     "DIAGNOSTICSETTINGS/DELETE\",\"CategoryValue\":\"Administrative\","
                     "\"ActivityStatusValue\":\"Failure\"}");
    la_after = add_rec(&s, 2, SS_KIND_AZURE_JSONL,
                       "{\"TimeGenerated\":\"2024-03-02T09:00:00Z\",\"Type\":\"AzureActivity\","
                       "\"ResourceId\":\"/SUBSCRIPTIONS/" SUB_A "/RESOURCEGROUPS/RG\","
                       "\"OperationNameValue\":\"MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE\","
                       "\"CategoryValue\":\"Administrative\",\"ActivityStatusValue\":\"Start\"}");
    for (int h = 34; h < 40; h++)
        (void)act_write(&s, 3, T0() + h * H, SUB_A);
    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(fs.len, 2);
    f = find(&fs, GAP, SUB_A_ID, 0);
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ(f->severity, SS_SEV_HIGH);
    ASSERT_EQ(f->n_evidence, 3);
    /* last before: the failed LA delete; first after: the LA row; cited: the REST one */
    ASSERT_TRUE(loc_eq(&f->evidence[0].loc, &s.r[rest_del].loc));
    ASSERT_TRUE(loc_eq(&f->evidence[1].loc, &s.r[la_del].loc));
    ASSERT_TRUE(loc_eq(&f->evidence[2].loc, &s.r[la_after].loc));
    ASSERT_EQ(f->first_us, T0() + 5 * H + 11 * MIN_US);
    ASSERT_EQ(f->last_us, T0() + 33 * H);
    ASSERT_TRUE(strstr(f->desc, "was deleted at 2024-03-01T05:10:00.123456Z, 0.02 h before") !=
                NULL);
    f = find(&fs, DIAG, SUB_A_ID, 0);
    ASSERT_TRUE(f != NULL);
    ASSERT_STREQ(f->title, "Diagnostic setting 'export-al' deleted");
    ASSERT_STREQ(f->data_json,
                 "{\"n_failure\":1,\"n_records\":2,\"n_success\":1,\"settings\":[\"" SUB_A_ID
                 "/providers/microsoft.insights/diagnosticsettings/export-al\"],"
                 "\"subscription_setting\":true}");
    ss_findings_release(&fs);
    tset_release(&s);
    ss_checks_free(ck);
}

static void test_signin(void)
{
    struct ss_checks *ck = make_checks(NULL);
    struct tset s = { 0 };
    struct ss_findings fs = { 0 };
    const struct ss_finding *f;
    size_t z0, z1, z2, z3, sp, la;

    z0 = signin(&s, 0, T0() + 3 * H, TENANT, "Zoe.Schmidt4@Fabrikam.example", "IR", "0");
    (void)signin(&s, 0, T0() + 4 * H, TENANT, "zoe.schmidt4@fabrikam.example", "US", "0");
    z1 = signin(&s, 0, T0() + 5 * H, TENANT, "zoe.schmidt4@fabrikam.example", "KP", "50126");
    z2 = signin(&s, 1, T0() + 1 * H, TENANT, "ZOE.SCHMIDT4@FABRIKAM.EXAMPLE", "ir", "0");
    /* country only in the top-level location; no result at all */
    z3 = add_rec(&s, 1, SS_KIND_AZURE_RECORDS,
                 "{\"time\":\"2024-03-01T09:00:00.1234567Z\",\"category\":\"NonInteractiveUser"
                 "SignInLogs\",\"tenantId\":\"" TENANT "\",\"location\":\"CU\",\"properties\":"
                 "{\"userPrincipalName\":\"zoe.schmidt4@fabrikam.example\",\"location\":"
                 "{\"countryOrRegion\":\"\"}}}");
    /* a service principal from SY */
    sp = add_rec(&s, 2, SS_KIND_AZURE_JSONL,
                 "{\"time\":\"2024-03-01T10:00:00Z\",\"category\":\"ServicePrincipalSignInLogs\","
                 "\"tenantId\":\"" TENANT "\",\"resultType\":0,\"properties\":{\"servicePrincipal"
                 "Id\":\"5D7E1E1A-0000-4000-8000-000000000001\",\"location\":{\"countryOrRegion\":"
                 "\"SY\"}}}");
    /* a Log Analytics SigninLogs row */
    la = add_rec(&s, 2, SS_KIND_AZURE_JSONL,
                 "{\"TimeGenerated\":\"2024-03-01T11:00:00Z\",\"Type\":\"SigninLogs\",\"TenantId\":"
                 "\"00000000-0000-0000-0000-000000000009\",\"AADTenantId\":\"" TENANT "\","
                 "\"UserPrincipalName\":\"la.user@fabrikam.example\",\"UserId\":\"u-1\","
                 "\"ResultType\":\"50074\",\"Location\":\"KP\",\"LocationDetails\":{\"countryOr"
                 "Region\":\"KP\"}}");
    /* not sign-ins: an audit record and an activity record that carry "IR" */
    (void)add_rec(&s, 2, SS_KIND_AZURE_JSONL,
                  "{\"time\":\"2024-03-01T12:00:00Z\",\"category\":\"AuditLogs\",\"tenantId\":"
                  "\"" TENANT "\",\"location\":\"IR\",\"properties\":{\"userPrincipalName\":"
                  "\"x@y\"}}");
    (void)add_rec(&s, 3, SS_KIND_CLOUDTRAIL,
                  "{\"time\":\"2024-03-01T12:00:00Z\",\"category\":\"SignInLogs\",\"location\":"
                  "\"IR\",\"properties\":{\"userPrincipalName\":\"ct@y\"}}");

    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(fs.len, 3);
    ASSERT_EQ(count_check(&fs, EMB), 3);

    f = find(&fs, EMB, TENANT_ID, 0);
    ASSERT_TRUE(f != NULL);
    /* sorted by (check, entity 0, first evidence): Zoe (input 0) before the SP and LA */
    ASSERT_STREQ(f->title, "Sign-ins from embargoed countries (CU, IR, KP) by "
                           "zoe.schmidt4@fabrikam.example");
    ASSERT_EQ(f->severity, SS_SEV_HIGH);
    ASSERT_EQ(f->n_entities, 3);
    ASSERT_STREQ(f->entities[0], TENANT_ID);
    ASSERT_STREQ(f->entities[1], "zoe.schmidt4@fabrikam.example");
    ASSERT_STREQ(f->entities[2], "c9b327ce-5566-4f92-95cf-5d19b2846719");
    ASSERT_EQ(f->first_us, T0() + 1 * H);
    ASSERT_EQ(f->last_us, T0() + 9 * H + 123456);
    ASSERT_EQ(f->n_evidence, 4);
    ASSERT_U64_EQ(f->n_evidence_total, 4);
    ASSERT_TRUE(loc_eq(&f->evidence[0].loc, &s.r[z0].loc));
    ASSERT_TRUE(loc_eq(&f->evidence[1].loc, &s.r[z1].loc));
    ASSERT_TRUE(loc_eq(&f->evidence[2].loc, &s.r[z2].loc));
    ASSERT_TRUE(loc_eq(&f->evidence[3].loc, &s.r[z3].loc));
    ASSERT_STREQ(
        f->data_json,
        "{\"countries\":[\"CU\",\"IR\",\"KP\"],\"n_failure\":1,\"n_signins\":4,"
        "\"n_success\":2,\"n_untimed\":0,\"object_id\":"
        "\"c9b327ce-5566-4f92-95cf-5d19b2846719\",\"principal\":"
        "\"zoe.schmidt4@fabrikam.example\",\"principal_type\":\"user\",\"tenant\":\"" TENANT_ID
        "\"}");
    ASSERT_STREQ(f->desc,
                 "zoe.schmidt4@fabrikam.example of tenant " TENANT_ID " signed in, or tried to, "
                 "from CU, IR, KP, on the review's embargo list: 4 sign-ins, 2 successful and 1 "
                 "failed, 1 with no result, between 2024-03-01T01:00:00.000000Z and "
                 "2024-03-01T09:00:00.123456Z. Providing the service to embargoed destinations "
                 "may breach export-control and sanctions obligations; a successful sign-in means "
                 "the service was used from there (or through an address located there).");

    f = find(&fs, EMB, TENANT_ID, 1);
    ASSERT_TRUE(f != NULL);
    ASSERT_TRUE(loc_eq(&f->evidence[0].loc, &s.r[sp].loc));
    ASSERT_STREQ(f->title, "Sign-ins from an embargoed country (SY) by "
                           "5d7e1e1a-0000-4000-8000-000000000001");
    ASSERT_EQ(f->n_entities, 2);
    ASSERT_TRUE(strstr(f->data_json, "\"n_success\":1,") != NULL);
    ASSERT_TRUE(strstr(f->data_json, "\"principal_type\":\"service-principal\"") != NULL);
    ASSERT_TRUE(strstr(f->data_json, "\"object_id\":null") != NULL);

    f = find(&fs, EMB, TENANT_ID, 2);
    ASSERT_TRUE(f != NULL);
    ASSERT_TRUE(loc_eq(&f->evidence[0].loc, &s.r[la].loc));
    ASSERT_EQ(f->n_entities, 3);
    ASSERT_STREQ(f->entities[1], "la.user@fabrikam.example");
    ASSERT_STREQ(f->entities[2], "u-1");
    ASSERT_TRUE(strstr(f->data_json, "\"n_failure\":1,\"n_signins\":1,\"n_success\":0") != NULL);
    ss_findings_release(&fs);
    tset_release(&s);
    ss_checks_free(ck);
}

/* A configured embargo list replaces the default one. */
static void test_signin_custom_list(void)
{
    static const char *const list[] = { "ru", "BY" };
    struct ss_checks_config cfg;
    struct ss_checks *ck;
    struct tset s = { 0 };
    struct ss_findings fs = { 0 };

    ss_checks_config_default(&cfg);
    cfg.embargoed = list;
    cfg.n_embargoed = 2;
    ck = make_checks(&cfg);
    (void)signin(&s, 0, T0(), TENANT, "a@b", "IR", "0");
    (void)signin(&s, 0, T0(), TENANT, "a@b", "RU", "0");
    (void)signin(&s, 0, T0(), TENANT, "a@b", "by", "0");
    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(fs.len, 1);
    ASSERT_STREQ(fs.items[0].title, "Sign-ins from embargoed countries (BY, RU) by a@b");
    ss_findings_release(&fs);
    tset_release(&s);
    ss_checks_free(ck);
}

/* Records that lack fields, carry wrong types or absurd values are skipped or counted. */
static void test_hostile(void)
{
    static const char *const junk[] = {
        "",
        "[1,2,3]",
        "\"text\"",
        "{}",
        "{\"time\":\"2024-03-01T00:00:00Z\"",
        "{\"time\":5,\"resourceId\":\"/SUBSCRIPTIONS/" SUB_A "\",\"category\":\"Administrative\"}",
        "{\"time\":\"2024-03-01T00:00:00Z\",\"resourceId\":7,\"category\":\"Administrative\"}",
        "{\"time\":\"2024-03-01T00:00:00Z\",\"resourceId\":\"/SUBSCRIPTIONS/" SUB_A
        "\",\"category\":[\"Administrative\"]}",
        "{\"time\":\"2024-03-01T00:00:00Z\",\"resourceId\":\"/SUBSCRIPTIONS/not-a-guid\","
        "\"category\":\"Administrative\"}",
        "{\"time\":\"2024-03-01T00:00:00Z\",\"resourceId\":\"/SUBSCRIPTIONS/" SUB_A
        "X\",\"category\":\"Administrative\"}",
        "{\"time\":\"2024-03-01T00:00:00Z\",\"resourceId\":\"/SUBSCRIPTIONS/" SUB_A
        "\",\"category\":\"StorageWrite\"}",
        "{\"time\":\"2024-03-01T00:00:00Z\",\"resourceId\":\"/SUBSCRIPTIONS/\\u0000" SUB_A
        "\",\"category\":\"Administrative\"}",
        "{\"time\":\"2024-03-01T00:00:00Z\",\"category\":\"SignInLogs\",\"location\":\"IRN\"}",
        "{\"time\":\"2024-03-01T00:00:00Z\",\"category\":\"SignInLogs\",\"location\":5}",
        "{\"time\":\"2024-03-01T00:00:00Z\",\"category\":\"SignInLogs\",\"properties\":"
        "{\"location\":\"IR\"}}",
    };
    /* Activity records of A whose time is unusable: counted as untimed */
    static const char *const untimed[] = {
        "{\"time\":\"2024-13-01T00:00:00Z\",\"resourceId\":\"/SUBSCRIPTIONS/" SUB_A
        "\",\"category\":\"Administrative\"}",
        "{\"time\":\"\",\"resourceId\":\"/SUBSCRIPTIONS/" SUB_A "\",\"category\":\"Policy\"}",
        "{\"time\":\"1900-01-01T00:00:00Z\",\"resourceId\":\"/subscriptions/" SUB_A
        "/x\",\"category\":\"Alert\"}",
        "{\"time\":\"9999-12-31T23:59:59Z\",\"resourceId\":\"/Subscriptions/" SUB_A
        "\",\"properties\":{\"eventCategory\":null}}",
        "{\"time\":{\"a\":1},\"resourceId\":\"/SUBSCRIPTIONS/" SUB_A
        "\",\"category\":\"Security\"}",
    };
    struct ss_checks *ck = make_checks(NULL);
    struct tset s = { 0 };
    struct ss_findings fs = { 0 };
    char big[3000];
    const struct ss_finding *f;

    for (size_t i = 0; i < SS_ARRAY_LEN(junk); i++)
        (void)add_rec(&s, 0, SS_KIND_AZURE_JSONL, "%s", junk[i]);
    for (size_t i = 0; i < SS_ARRAY_LEN(untimed); i++)
        (void)add_rec(&s, 0, SS_KIND_AZURE_REST, "%s", untimed[i]);
    /* an over-long resource id and user principal name are truncated, not fatal */
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    (void)add_rec(&s, 1, SS_KIND_AZURE_JSONL,
                  "{\"time\":\"2024-03-01T00:00:00Z\",\"resourceId\":\"/SUBSCRIPTIONS/" SUB_A
                  "/%s\",\"category\":\"Administrative\"}",
                  big);
    (void)add_rec(&s, 1, SS_KIND_AZURE_JSONL,
                  "{\"time\":\"2024-03-03T00:00:00Z\",\"resourceId\":\"/SUBSCRIPTIONS/" SUB_A
                  "\",\"category\":\"Administrative\"}");
    (void)add_rec(&s, 1, SS_KIND_AZURE_JSONL,
                  "{\"time\":\"bad\",\"category\":\"SignInLogs\",\"location\":\"kp\","
                  "\"properties\":{\"userPrincipalName\":\"%s\"}}",
                  big);
    /* cut at 512 bytes inside a two-byte character: the whole character goes */
    big[511] = '\0';
    (void)add_rec(&s, 1, SS_KIND_AZURE_JSONL,
                  "{\"time\":\"2024-03-01T00:00:00Z\",\"category\":\"SignInLogs\",\"location\":"
                  "\"SY\",\"properties\":{\"userPrincipalName\":\"%s\u00e9\\u00e9\"}}",
                  big);
    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(fs.len, 3);
    f = find(&fs, GAP, SUB_A_ID, 0);
    ASSERT_TRUE(f != NULL);
    /* the five of untimed[] and the junk record whose time is a number */
    ASSERT_TRUE(strstr(f->data_json, "\"subscription_records\":2,\"untimed_records\":6}") != NULL);
    ASSERT_EQ(count_check(&fs, EMB), 2);
    for (size_t i = 0; i < fs.len; i++) {
        if (strcmp(fs.items[i].check_id, EMB) != 0)
            continue;
        f = &fs.items[i];
        ASSERT_EQ(f->n_entities, 1); /* no tenant: only the principal */
        if (strstr(f->title, "(KP)") != NULL) {
            ASSERT_EQ(strlen(f->entities[0]), 512);
            ASSERT_EQ(f->first_us, 0);
            ASSERT_TRUE(strstr(f->data_json, "\"n_untimed\":1,") != NULL);
            ASSERT_TRUE(strstr(f->data_json, "\"tenant\":null}") != NULL);
        } else {
            ASSERT_EQ(strlen(f->entities[0]), 511);
            ASSERT_EQ(f->first_us, T0());
        }
    }
    ss_findings_release(&fs);
    tset_release(&s);
    ss_checks_free(ck);
}

/* A mixed, seeded set of records for the merge tests. */
static void build_mixed(struct tset *s, uint64_t seed)
{
    static const char *const subs[] = { SUB_A, SUB_B, SUB_C };
    static const char *const upns[] = { "u1@t", "u2@t", "u3@t" };
    static const char *const countries[] = { "IR", "KP", "CU", "SY", "US", "DE" };

    for (uint32_t input = 0; input < 6; input++) {
        for (int k = 0; k < 400; k++) {
            uint64_t x = rng_next(&seed);
            int64_t t = T0() + (int64_t)(x % (72 * (uint64_t)H));
            const char *sub = subs[(x >> 40) % 3];

            /*
             * A is silent from 40 h to 46 h, B from 20 h to 50 h, C from 30 h to the end
             * (after a delete)
             */
            if (sub == subs[0] && t > T0() + 40 * H && t < T0() + 46 * H)
                continue;
            if (sub == subs[1] && t > T0() + 20 * H && t < T0() + 50 * H)
                continue;
            if (sub == subs[2] && t > T0() + 30 * H)
                continue;
            switch ((x >> 50) % 64) {
            case 0:
            case 2:
            case 3:
            case 4:
            case 5:
            case 6:
            case 7:
                (void)signin(s, input, t, TENANT, upns[(x >> 20) % 3], countries[(x >> 24) % 6],
                             (x >> 30) % 2 ? "0" : "50126");
                break;
            case 1:
                (void)act(s, input, t, sub, OP_DEL, (x >> 30) % 2 ? "Start" : "Success");
                break;
            default:
                (void)act_write(s, input, t, sub);
                break;
            }
        }
    }
    /* the same instant twice: ties between records are broken by location */
    (void)act_write(s, 7, T0() + 10 * H, SUB_A);
    (void)act_write(s, 6, T0() + 10 * H, SUB_A);
    (void)act(s, 7, T0() + 30 * H - MIN_US, SUB_C, OP_DEL, "Success");
}

static void test_merge_order(void)
{
    struct ss_checks_config cfg;
    struct ss_checks *ck;
    struct tset s = { 0 };
    struct ss_findings ref = { 0 }, fs = { 0 };
    struct ss_buf a = SS_BUF_INIT((size_t)64 << 20), b = SS_BUF_INIT((size_t)64 << 20);

    ss_checks_config_default(&cfg);
    cfg.gap_min_us = 4 * H; /* many gaps in random data */
    ck = make_checks(&cfg);
    build_mixed(&s, 42);
    ASSERT_OK(run_one(ck, &s, &ref));
    dump(&ref, &a);
    ASSERT_EQ(count_check(&ref, GAP), 3);
    ASSERT_EQ(count_check(&ref, DIAG), 3);
    ASSERT_EQ(count_check(&ref, EMB), 3);
    for (uint64_t seed = 1; seed <= 24; seed++) {
        size_t parts = 1 + (size_t)(seed % 16);

        ASSERT_OK(run_split(ck, &s, parts, seed, seed % 3 == 0, &fs));
        dump(&fs, &b);
        ss_findings_release(&fs);
        if (a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0) {
            fprintf(stderr, "seed %" PRIu64 " parts %zu differ:\n%s\n---\n%s\n", seed, parts, a.ptr,
                    b.ptr);
            ASSERT_TRUE(false);
        }
    }
    ss_findings_release(&ref);
    ss_buf_release(&a);
    ss_buf_release(&b);
    tset_release(&s);
    ss_checks_free(ck);
}

/*
 * Mutated records (a few bytes changed, valid JSON or not) never fail, crash or read out
 * of bounds (run under ASan); the findings still come out.
 */
static void test_mutations(void)
{
    static const char bytes[] = "\"{}[]:,0Z-/\\aA9 \x80\xc3";
    struct ss_checks *ck = make_checks(NULL);
    struct ss_checks_state *st = NULL;
    struct ss_findings fs = { 0 };
    struct tset s = { 0 };
    uint64_t seed = 99;
    char buf[4096];
    size_t n_valid = 0;

    build_mixed(&s, 7);
    (void)add_rec(&s, 0, SS_KIND_AZURE_JSONL,
                  "{\"TimeGenerated\":\"2024-03-01T11:00:00Z\",\"Type\":\"SigninLogs\","
                  "\"AADTenantId\":\"" TENANT "\",\"UserPrincipalName\":\"la@x\",\"UserId\":"
                  "\"u-1\",\"ResultType\":\"0\",\"LocationDetails\":{\"countryOrRegion\":\"KP\"}}");
    ASSERT_OK(ss_checks_state_new(ck, &st));
    for (int it = 0; it < 20000; it++) {
        const struct trec *t = &s.r[rng_next(&seed) % s.n];
        int n_mut = 1 + (int)(rng_next(&seed) % 3);
        struct ss_loc loc = t->loc;

        memcpy(buf, t->text, t->len);
        for (int k = 0; k < n_mut; k++)
            buf[rng_next(&seed) % t->len] = bytes[rng_next(&seed) % (sizeof(bytes) - 1)];
        loc.offset += (uint64_t)it << 32; /* distinct records */
        n_valid += ss_json_validate(buf, t->len, NULL, NULL) == 0;
        ASSERT_OK(ss_checks_record(st, t->kind, buf, t->len, &loc));
    }
    ASSERT_TRUE(n_valid > 1000);
    ss_findings_init(&fs, (size_t)1 << 28);
    ASSERT_OK(ss_checks_finish(ck, st, &fs, NULL));
    ASSERT_TRUE(fs.len > 0);
    ss_findings_release(&fs);
    ss_checks_state_free(st);
    tset_release(&s);
    ss_checks_free(ck);
}

/* Evidence per finding keeps the 1000 lowest locations whatever the feeding order. */
static void test_evidence_cap(void)
{
    struct ss_checks *ck = make_checks(NULL);
    struct tset s = { 0 };
    struct ss_findings fs = { 0 }, fs2 = { 0 };
    struct ss_buf a = SS_BUF_INIT((size_t)64 << 20), b = SS_BUF_INIT((size_t)64 << 20);
    const struct ss_finding *f;

    for (int i = 0; i < 1500; i++)
        (void)signin(&s, (uint32_t)(i % 3), T0() + i * MIN_US, TENANT, "many@t",
                     i % 2 ? "IR" : "KP", "0");
    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(fs.len, 1);
    f = &fs.items[0];
    ASSERT_EQ(f->n_evidence, SS_FINDING_MAX_EVIDENCE);
    ASSERT_U64_EQ(f->n_evidence_total, 1500);
    /* inputs 0 and 1 hold 500 each: all of them, then none of input 2 */
    ASSERT_EQ(f->evidence[0].loc.input, 0);
    ASSERT_EQ(f->evidence[999].loc.input, 1);
    ASSERT_EQ(f->first_us, T0());
    ASSERT_EQ(f->last_us, T0() + 1499 * MIN_US);
    ASSERT_TRUE(strstr(f->data_json, "\"n_signins\":1500,\"n_success\":1500") != NULL);
    dump(&fs, &a);
    ASSERT_OK(run_split(ck, &s, 5, 7, true, &fs2));
    dump(&fs2, &b);
    ASSERT_EQ(a.len, b.len);
    ASSERT_MEMEQ(a.ptr, b.ptr, a.len);
    ss_findings_release(&fs);
    ss_findings_release(&fs2);
    ss_buf_release(&a);
    ss_buf_release(&b);
    tset_release(&s);
    ss_checks_free(ck);
}

/* Crossing a cap drops the family's data and reports checks.limit-reached, in any split. */
static void test_limits(void)
{
    struct ss_checks_config cfg;
    struct ss_checks *ck;
    struct tset s = { 0 };
    struct ss_findings fs = { 0 };
    struct ss_buf a = SS_BUF_INIT((size_t)1 << 20), b = SS_BUF_INIT((size_t)1 << 20);

    ss_checks_config_default(&cfg);
    cfg.max_subscriptions = 2;
    cfg.max_principals = 1;
    ck = make_checks(&cfg);
    (void)act_write(&s, 0, T0(), SUB_A);
    (void)act_write(&s, 0, T0() + 30 * H, SUB_A);
    (void)act_write(&s, 1, T0(), SUB_B);
    (void)signin(&s, 1, T0(), TENANT, "one@t", "IR", "0");
    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(fs.len, 2); /* the gap of A and the sign-ins of one@t: within the caps */
    ss_findings_release(&fs);

    (void)act_write(&s, 2, T0(), SUB_C);
    (void)signin(&s, 2, T0(), TENANT, "two@t", "IR", "0");
    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(fs.len, 2);
    ASSERT_STREQ(fs.items[0].check_id, LIMIT);
    ASSERT_STREQ(fs.items[0].entities[0], EMB);
    ASSERT_STREQ(fs.items[0].data_json,
                 "{\"checks\":[\"access.signin-embargoed-country\"],\"limits\":"
                 "{\"max_principals\":1,\"max_signins\":4194304}}");
    ASSERT_STREQ(fs.items[1].check_id, LIMIT);
    ASSERT_EQ(fs.items[1].n_entities, 2);
    ASSERT_STREQ(fs.items[1].entities[0], GAP);
    ASSERT_STREQ(fs.items[1].entities[1], DIAG);
    ASSERT_STREQ(fs.items[1].title,
                 "Check audit.activity-log-gap stopped: the case exceeds its limits");
    ASSERT_STREQ(fs.items[1].data_json,
                 "{\"checks\":[\"audit.activity-log-gap\",\"audit.diagnostic-setting-deleted\"],"
                 "\"limits\":{\"max_deletes\":1048576,\"max_sub_hours\":4194304,"
                 "\"max_subscriptions\":2}}");
    dump(&fs, &a);
    ss_findings_release(&fs);
    for (uint64_t seed = 1; seed < 8; seed++) {
        ASSERT_OK(run_split(ck, &s, 1 + (size_t)seed, seed, seed % 2 == 0, &fs));
        dump(&fs, &b);
        ss_findings_release(&fs);
        ASSERT_EQ(a.len, b.len);
        ASSERT_MEMEQ(a.ptr, b.ptr, a.len);
    }
    ss_checks_free(ck);

    /* hours cap */
    ss_checks_config_default(&cfg);
    cfg.max_sub_hours = 3;
    ck = make_checks(&cfg);
    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(count_check(&fs, LIMIT), 1);
    ASSERT_EQ(count_check(&fs, EMB), 2);
    ss_findings_release(&fs);
    ss_checks_free(ck);

    ss_buf_release(&a);
    ss_buf_release(&b);
    tset_release(&s);
}

static void test_disabled(void)
{
    struct ss_checks_config cfg;
    struct ss_checks *ck;
    struct tset s = { 0 };
    struct ss_findings fs = { 0 };

    ss_checks_config_default(&cfg);
    cfg.disabled[SS_CHECKS_ACTIVITY_GAP] = true;
    cfg.disabled[SS_CHECKS_SIGNIN_EMBARGOED] = true;
    ck = make_checks(&cfg);
    (void)act(&s, 0, T0(), SUB_A, OP_DEL, "Success");
    (void)act_write(&s, 0, T0() + 30 * H, SUB_A);
    (void)signin(&s, 1, T0(), TENANT, "one@t", "IR", "0");
    ASSERT_OK(run_one(ck, &s, &fs));
    ASSERT_EQ(fs.len, 1);
    ASSERT_STREQ(fs.items[0].check_id, DIAG);
    ss_findings_release(&fs);
    ss_checks_free(ck);
    tset_release(&s);
}

/* Every allocation failure ends in -ENOMEM (no crash, no leak under ASan). */
static void test_alloc_failures(void)
{
    struct ss_checks *ck = NULL;
    struct ss_checks_config cfg;
    struct tset s = { 0 };
    struct ss_buf a = SS_BUF_INIT((size_t)64 << 20), b = SS_BUF_INIT((size_t)64 << 20);
    struct ss_findings fs = { 0 };
    int ok_runs = 0;

    ss_checks_config_default(&cfg);
    cfg.gap_min_us = 4 * H;
    for (int i = 0; i < 80; i++)
        (void)act_write(&s, (uint32_t)(i % 2), T0() + (i % 40) * 2 * H, i % 3 ? SUB_A : SUB_B);
    (void)act(&s, 0, T0(), SUB_A, OP_DEL, "Success");
    (void)signin(&s, 1, T0(), TENANT, "one@t", "IR", "0");
    (void)signin(&s, 0, T0(), TENANT, "two@t", "KP", "0");
    ck = make_checks(&cfg);
    ASSERT_OK(run_split(ck, &s, 3, 9, false, &fs));
    dump(&fs, &a);
    ss_findings_release(&fs);
    ss_checks_free(ck);
    for (uint64_t n = 1; n < 400; n++) {
        int r;

        ss_alloc_fail_at(n);
        r = ss_checks_new(&cfg, &ck, NULL);
        if (r == 0) {
            r = run_split(ck, &s, 3, 9, false, &fs);
            ss_checks_free(ck);
        }
        ss_alloc_fail_at(0);
        if (r == 0) {
            dump(&fs, &b);
            ss_findings_release(&fs);
            ASSERT_EQ(a.len, b.len);
            ASSERT_MEMEQ(a.ptr, b.ptr, a.len);
            ok_runs++;
            continue;
        }
        ASSERT_TRUE(r == -ENOMEM || r == SS_ELIMIT);
    }
    ASSERT_TRUE(ok_runs > 0);
    ss_buf_release(&a);
    ss_buf_release(&b);
    tset_release(&s);
}

/* Records come through the reader with their real locations. */
static void test_reader_locations(void)
{
    struct ss_checks *ck = make_checks(NULL);
    struct ss_checks_state *st = NULL;
    struct ss_reader *rd = NULL;
    struct ss_findings fs = { 0 };
    struct tset s = { 0 };
    struct ss_buf text = SS_BUF_INIT((size_t)1 << 20);
    struct ss_record rec;
    const struct ss_finding *f;
    int r;

    for (int h = 0; h < 4; h++)
        (void)act_write(&s, 0, T0() + h * H, SUB_A);
    for (int h = 30; h < 34; h++)
        (void)act_write(&s, 0, T0() + h * H, SUB_A);
    for (size_t i = 0; i < s.n; i++) {
        ASSERT_OK(ss_buf_append(&text, s.r[i].text, s.r[i].len));
        ASSERT_OK(ss_buf_putc(&text, '\n'));
    }
    ASSERT_OK(ss_checks_state_new(ck, &st));
    ASSERT_OK(ss_reader_open_mem(text.ptr, text.len, 3, "mem", 0, NULL, &rd, NULL));
    for (;;) {
        r = ss_reader_next(rd, &rec, NULL);
        if (r <= 0)
            break;
        ASSERT_OK(ss_checks_record(st, SS_KIND_AZURE_JSONL, rec.ptr, rec.len, &rec.loc));
    }
    ASSERT_EQ(r, 0);
    ss_findings_init(&fs, (size_t)1 << 20);
    ASSERT_OK(ss_checks_finish(ck, st, &fs, NULL));
    ASSERT_EQ(fs.len, 1);
    f = &fs.items[0];
    ASSERT_EQ(f->evidence[0].loc.input, 3);
    ASSERT_U64_EQ(f->evidence[0].loc.offset, s.r[3].loc.offset);
    ASSERT_U64_EQ(f->evidence[0].loc.len, s.r[3].loc.len);
    ASSERT_U64_EQ(f->evidence[0].loc.index, 4);
    ASSERT_U64_EQ(f->evidence[1].loc.offset, s.r[4].loc.offset);
    ASSERT_U64_EQ(f->evidence[1].loc.index, 5);
    ss_findings_release(&fs);
    ss_reader_free(rd);
    ss_checks_state_free(st);
    ss_buf_release(&text);
    tset_release(&s);
    ss_checks_free(ck);
}

/*
 * The corpus samples (REST and Event Hub Activity Log shapes) give no findings, and no
 * crash; with a one-hour threshold and edges on, the REST sample's subscriptions show.
 */
static void test_corpus_samples(void)
{
    static const char *const files[] = {
        "sample-logs/azure-activity/Yamato-Security-suzaku/test_files/json/"
        "azure_graph_api_format.json",
        "sample-logs/azure-activity/Yamato-Security-suzaku/test_files/json/"
        "azure_value_format.json",
        "sample-logs/azure-activity/MicrosoftDocs-azure-monitor-docs/"
        "activity-log-schema.storage-eventhub-example.json",
    };
    const char *corpus = ss_test_corpus();
    struct ss_checks *ck = make_checks(NULL);
    struct ss_checks_state *st = NULL;
    struct ss_findings fs = { 0 };
    uint64_t n_records = 0;

    if (corpus[0] == '\0') {
        ss_checks_free(ck);
        SS_SKIP("shared corpus not found");
    }
    ASSERT_OK(ss_checks_state_new(ck, &st));
    for (size_t i = 0; i < SS_ARRAY_LEN(files); i++) {
        char path[2048];
        struct ss_case c;
        struct ss_reader *rd = NULL;
        struct ss_record rec;

        snprintf(path, sizeof(path), "%s/%s", corpus, files[i]);
        ASSERT_OK(ss_case_from_file(path, NULL, &c, NULL));
        ASSERT_TRUE(c.inputs[0].kind == SS_KIND_AZURE_REST ||
                    c.inputs[0].kind == SS_KIND_AZURE_RECORDS);
        ASSERT_OK(ss_reader_open(&c, 0, NULL, NULL, NULL, &rd, NULL));
        while (ss_reader_next(rd, &rec, NULL) == 1) {
            rec.loc.input = (uint32_t)i;
            n_records++;
            ASSERT_OK(ss_checks_record(st, c.inputs[0].kind, rec.ptr, rec.len, &rec.loc));
        }
        ss_reader_free(rd);
        ss_case_release(&c);
    }
    ASSERT_U64_EQ(n_records, 5);
    ss_findings_init(&fs, (size_t)1 << 20);
    ASSERT_OK(ss_checks_finish(ck, st, &fs, NULL));
    ASSERT_EQ(fs.len, 0);
    ss_findings_release(&fs);
    ss_checks_state_free(st);
    ss_checks_free(ck);
}

int main(void)
{
    SS_RUN(test_list);
    SS_RUN(test_config);
    SS_RUN(test_gap_after_delete);
    SS_RUN(test_gap_busy_and_quiet);
    SS_RUN(test_gap_threshold);
    SS_RUN(test_gap_edges);
    SS_RUN(test_gap_delete_window);
    SS_RUN(test_gap_short_after_delete);
    SS_RUN(test_activity_shapes);
    SS_RUN(test_signin);
    SS_RUN(test_signin_custom_list);
    SS_RUN(test_hostile);
    SS_RUN(test_merge_order);
    SS_RUN(test_mutations);
    SS_RUN(test_evidence_cap);
    SS_RUN(test_limits);
    SS_RUN(test_disabled);
    SS_RUN(test_alloc_failures);
    SS_RUN(test_reader_locations);
    SS_RUN(test_corpus_samples);
    return ss_test_done();
}
