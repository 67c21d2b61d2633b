/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/sigma/sigma_vectors.c - conformance and corpus runners for the Sigma engine,
 * over the shared corpus (each test skips when the corpus is absent):
 *  - sigma-vectors/bradleyjkemp-sigma-test: every rule + test-case stream (match
 *    defaults to true), including the field-mapping config vectors;
 *  - sigma-vectors/timescale-rsigma: the backtest ground truth (whoami 2, netstat 1,
 *    ping 1), the correlation fixtures, the parser seed, and log-source classification
 *    of the schema-classification events through the shipped mappings;
 *  - sigma-vectors/sigmahq-regression: every positive regression vector, with a Windows
 *    evtx-JSON mapping (tests/sigma/windows_evtx.yml): all 202 pass;
 *  - the load report over sigma-rules (at least 99% load; exact counts);
 *  - prefilter on/off equality over the corpus rules, the sample logs, the regression
 *    events and a generated synth case.
 * Vectors that are errors in themselves are listed, with the reason, in
 * docs/sigma.md "Conformance"; the tests assert exactly that list.
 */
#include "sigma/sigma.h"
#include "sigma/sigma_yaml.h"

#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "io/io.h"
#include "synth/synth.h"
#include "ss_test.h"

#include <sys/stat.h>

static char path_buf[4096];

static const char *corpus_path(const char *rel)
{
    (void)snprintf(path_buf, sizeof(path_buf), "%s/%s", ss_test_corpus(), rel);
    return path_buf;
}

static char *read_all(const char *path, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    struct ss_buf b = SS_BUF_INIT((size_t)64 << 20);
    char tmp[65536];
    size_t n;

    if (f == NULL)
        return NULL;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
        if (ss_buf_append(&b, tmp, n) != 0) {
            fclose(f);
            ss_buf_release(&b);
            return NULL;
        }
    }
    fclose(f);
    *ret_len = b.len;
    return ss_buf_detach(&b);
}

/* ---- YAML value -> JSON text ---- */

static int to_json(const struct ss_yaml_node *n, struct ss_buf *out)
{
    int r = 0;

    if (n->type == SS_YAML_MAP) {
        r = ss_buf_putc(out, '{');
        for (size_t i = 0; r == 0 && i < n->n; i++) {
            if (i > 0)
                r = ss_buf_putc(out, ',');
            if (r == 0)
                r = ss_buf_put_json_str(out, n->items[2 * i]->str, n->items[2 * i]->len);
            if (r == 0)
                r = ss_buf_putc(out, ':');
            if (r == 0)
                r = to_json(n->items[2 * i + 1], out);
        }
        return r ? r : ss_buf_putc(out, '}');
    }
    if (n->type == SS_YAML_SEQ) {
        r = ss_buf_putc(out, '[');
        for (size_t i = 0; r == 0 && i < n->n; i++) {
            if (i > 0)
                r = ss_buf_putc(out, ',');
            if (r == 0)
                r = to_json(n->items[i], out);
        }
        return r ? r : ss_buf_putc(out, ']');
    }
    switch (n->sc) {
    case SS_YSC_NULL:
        return ss_buf_puts(out, "null");
    case SS_YSC_BOOL:
        return ss_buf_puts(out, n->bval ? "true" : "false");
    case SS_YSC_INT:
        return ss_buf_put_i64(out, n->ival);
    case SS_YSC_FLOAT:
        return ss_buf_printf(out, "%.17g", n->fval);
    default:
        return ss_buf_put_json_str(out, n->str, n->len);
    }
}

/* ---- helpers ---- */

static struct ss_sigma_ruleset *ruleset(unsigned flags, const char *mapping_file,
                                        const char *mapping_text, const char *const *rule_paths,
                                        size_t n_rules)
{
    struct ss_sigma_ruleset *rs = ss_sigma_ruleset_new(flags);
    struct ss_diag d;
    int r = 0;

    if (rs == NULL)
        return NULL;
    ss_diag_clear(&d);
    if (mapping_file != NULL)
        r = ss_sigma_mapping_load(rs, mapping_file, &d);
    if (r == 0 && mapping_text != NULL)
        r = ss_sigma_mapping_load_mem(rs, "inline", mapping_text, strlen(mapping_text), &d);
    for (size_t i = 0; r == 0 && i < n_rules; i++)
        r = ss_sigma_load_path(rs, rule_paths[i], &d);
    if (r == 0)
        r = ss_sigma_compile(rs, &d);
    if (r != 0) {
        fprintf(stderr, "ruleset: %s: %s\n", d.file, d.msg);
        ss_sigma_ruleset_free(rs);
        return NULL;
    }
    return rs;
}

static int match_count(const struct ss_sigma_ruleset *rs, struct ss_sigma_scratch *s, int src,
                       const char *rec, size_t len, const char *rule_id)
{
    const struct ss_sigma_hit *hits;
    size_t n;
    int c = 0;

    if (ss_sigma_match(rs, s, src, rec, len, NULL, &hits, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct ss_sigma_rule_info ri;

        ss_sigma_rule_info(rs, hits[i].rule, &ri);
        if (rule_id == NULL || strcmp(ri.id, rule_id) == 0)
            c++;
    }
    return c;
}

/* ---- bradleyjkemp/sigma-test ---- */

static int sigma_test_pair(const char *rule, const char *tests, const char *mapping_file,
                           int *ret_cases)
{
    static const char plain_map[] = "mapping: any\nkinds: [t]\n";
    const char *rp[1] = { rule };
    struct ss_sigma_ruleset *rs = ruleset(SS_SIGMA_LENIENT | SS_SIGMA_NO_BUILTIN_MAPPINGS,
                                          mapping_file, mapping_file ? NULL : plain_map, rp, 1);
    struct ss_sigma_scratch *s = NULL;
    struct ss_arena arena;
    struct ss_yaml_stream st;
    struct ss_buf js = SS_BUF_INIT(1 << 20);
    char *text = NULL;
    size_t len = 0;
    int bad = 0, src;

    ss_arena_init(&arena, 1 << 24);
    if (rs == NULL || ss_sigma_report_at(rs, 0)->status != SS_SIGMA_LOADED) {
        bad = 1;
        goto out;
    }
    src = ss_sigma_source(rs, "t");
    s = ss_sigma_scratch_new(rs, 0);
    text = read_all(tests, &len);
    if (s == NULL || text == NULL || src < 0 ||
        ss_yaml_parse(&arena, tests, text, len, NULL, &st, NULL) != 0) {
        bad = 1;
        goto out;
    }
    for (size_t i = 0; i < st.n_docs; i++) {
        const struct ss_yaml_node *doc = st.docs[i].root, *ev = ss_yaml_get(doc, "event");
        const struct ss_yaml_node *m = ss_yaml_get(doc, "match");
        bool want = m == NULL || (m->sc == SS_YSC_BOOL && m->bval);
        int got;

        if (ev == NULL)
            continue;
        ss_buf_reset(&js);
        if (to_json(ev, &js) != 0) {
            bad = 1;
            break;
        }
        got = match_count(rs, s, src, js.ptr, js.len, NULL);
        (*ret_cases)++;
        if (got < 0 || (got > 0) != want) {
            fprintf(stderr, "  %s case %zu: %s: got %d, want %d\n", tests, i, js.ptr, got, want);
            bad = 1;
        }
    }
out:
    ss_free(text);
    ss_buf_release(&js);
    ss_arena_release(&arena);
    ss_sigma_scratch_free(s);
    ss_sigma_ruleset_free(rs);
    return bad;
}

static void test_sigma_test_vectors(void)
{
    static const char *const names[] = { "condition-allofpattern", "condition-allofthem",
                                         "config-test" };
    char rule[4096], tests[4096], map[4096];
    int cases = 0;
    struct ss_sigma_ruleset *rs;
    const char *rp[1];

    if (ss_test_corpus()[0] == '\0')
        SS_SKIP("shared corpus absent");
    (void)snprintf(map, sizeof(map), "%s/sigma/sigma_test_yaml.yml", ss_test_srcdir());
    for (size_t i = 0; i < SS_ARRAY_LEN(names); i++) {
        (void)snprintf(rule, sizeof(rule),
                       "%s/sigma-vectors/bradleyjkemp-sigma-test/testdata/%s.yaml",
                       ss_test_corpus(), names[i]);
        (void)snprintf(tests, sizeof(tests),
                       "%s/sigma-vectors/bradleyjkemp-sigma-test/testdata/%s_test.yaml",
                       ss_test_corpus(), names[i]);
        ASSERT_EQ(sigma_test_pair(rule, tests, i == 2 ? map : NULL, &cases), 0);
    }
    ASSERT_EQ(cases, 14);
    /* a rule without test cases, with a list of conditions (legacy multi-condition form) */
    rp[0] = corpus_path("sigma-vectors/bradleyjkemp-sigma-test/testdata/no-tests.yaml");
    rs = ruleset(SS_SIGMA_LENIENT, NULL, NULL, rp, 1);
    ASSERT_TRUE(rs != NULL);
    ASSERT_EQ(ss_sigma_report_at(rs, 0)->status, SS_SIGMA_LOADED);
    ss_sigma_ruleset_free(rs);
}

/* ---- timescale/rsigma ---- */

static void test_rsigma_backtest(void)
{
    static const char *const ids[] = { "11111111-1111-1111-1111-111111111111",
                                       "22222222-2222-2222-2222-222222222222",
                                       "33333333-3333-3333-3333-333333333333" };
    const char *rp[1];
    struct ss_sigma_ruleset *rs;
    struct ss_sigma_scratch *s;
    struct ss_case c = { 0 };
    struct ss_diag d;
    int counts[3] = { 0 };

    if (ss_test_corpus()[0] == '\0')
        SS_SKIP("shared corpus absent");
    rp[0] = corpus_path("sigma-vectors/timescale-rsigma/crates/rsigma-cli/tests/fixtures/backtest/"
                        "rules.yml");
    rs = ruleset(0, NULL, NULL, rp, 1);
    ASSERT_TRUE(rs != NULL);
    ASSERT_EQ(ss_sigma_report_len(rs), 3);
    s = ss_sigma_scratch_new(rs, 0);
    ASSERT_TRUE(s != NULL);
    ASSERT_OK(ss_case_discover(corpus_path("sigma-vectors/timescale-rsigma/crates/rsigma-cli/tests/"
                                           "fixtures/backtest/corpus"),
                               NULL, &c, &d));
    ASSERT_EQ(c.n_inputs, 2);
    for (size_t i = 0; i < c.n_inputs; i++) {
        struct ss_reader *rd;
        struct ss_record rec;
        int src = ss_sigma_source(rs, ss_input_kind_name(c.inputs[i].kind));

        ASSERT_TRUE(src >= 0);
        ASSERT_OK(ss_reader_open(&c, (uint32_t)i, NULL, NULL, NULL, &rd, &d));
        while (ss_reader_next(rd, &rec, &d) == 1)
            for (int k = 0; k < 3; k++)
                counts[k] += match_count(rs, s, src, rec.ptr, rec.len, ids[k]);
        ss_reader_free(rd);
    }
    /* upstream's cli_backtest.rs ground truth */
    ASSERT_EQ(counts[0], 2);
    ASSERT_EQ(counts[1], 1);
    ASSERT_EQ(counts[2], 1);
    ss_case_release(&c);
    ss_sigma_scratch_free(s);
    ss_sigma_ruleset_free(rs);
}

static void test_rsigma_fixtures(void)
{
    const char *rp[1];
    struct ss_sigma_ruleset *rs;
    const struct ss_sigma_entry *e;

    if (ss_test_corpus()[0] == '\0')
        SS_SKIP("shared corpus absent");
    /* 2 rules and 4 correlations (event_count, value_count, value_sum, temporal_ordered)
       referenced by id; the ids are not UUIDs (a warning each) */
    rp[0] = corpus_path("sigma-vectors/timescale-rsigma/scripts/perf/fixtures/correlation.yml");
    rs = ruleset(SS_SIGMA_LENIENT, NULL, NULL, rp, 1);
    ASSERT_TRUE(rs != NULL);
    ASSERT_EQ(ss_sigma_report_len(rs), 6);
    for (size_t i = 0; i < 6; i++) {
        e = ss_sigma_report_at(rs, i);
        ASSERT_EQ(e->status, SS_SIGMA_LOADED);
        ASSERT_EQ(e->kind, i < 2 ? SS_SIGMA_DOC_RULE : SS_SIGMA_DOC_CORRELATION);
        ASSERT_TRUE(e->n_notes >= 1 && strstr(e->notes[0].msg, "is not a UUID") != NULL);
    }
    ss_sigma_ruleset_free(rs);
    /* the parser seed is a correlation without the 'correlation' section: an error in
       the vector (docs/sigma.md "Conformance") */
    rp[0] = corpus_path("sigma-vectors/timescale-rsigma/fuzz/seeds/fuzz_parse_yaml/"
                        "correlation.yml");
    rs = ruleset(0, NULL, NULL, rp, 1);
    ASSERT_TRUE(rs != NULL);
    e = ss_sigma_report_at(rs, 0);
    ASSERT_EQ(e->status, SS_SIGMA_REJECTED);
    ASSERT_EQ(e->line, 1);
    ASSERT_TRUE(strstr(e->reason, "no 'detection', 'correlation' or 'filter'") != NULL);
    ss_sigma_ruleset_free(rs);
}

/* Log-source classification: which shipped mapping covers each synthetic event. */
static void test_rsigma_classification(void)
{
    static const struct {
        const char *dir, *product, *service;
    } want[] = {
        { "aws_cloudtrail", "aws", "cloudtrail" },
        { "azure_activitylogs", "azure", "activitylogs" },
        { "azure_auditlogs", "azure", "auditlogs" },
        { "azure_signinlogs", "azure", "signinlogs" },
        { "gcp_audit", "gcp", "gcp.audit" },
        { "microsoft365_audit", "m365", "audit" },
        { "okta_system_log", "okta", "okta" },
        /* no shipped mapping: classified as nothing (docs/sigma.md "Mappings") */
        { "aws_vpcflow", NULL, NULL },
        { "docker_events", NULL, NULL },
        { "github_audit", NULL, NULL },
        { "k8s_audit", NULL, NULL },
        { "onelogin_events", NULL, NULL },
        { "osquery_result", NULL, NULL },
    };
    static const char *const maps[] = { "azure_activitylogs", "azure_signinlogs",
                                        "azure_auditlogs",    "azure_riskdetection",
                                        "aws_cloudtrail",     "gcp_audit",
                                        "m365_audit",         "okta" };
    struct ss_buf rules = SS_BUF_INIT(1 << 20);

    if (ss_test_corpus()[0] == '\0')
        SS_SKIP("shared corpus absent");
    /* one probe rule per log source, matching any record */
    for (size_t i = 0; i < 7; i++)
        ASSERT_OK(ss_buf_printf(&rules,
                                "title: probe %s\nid: probe-%zu\nlogsource: {product: %s, "
                                "service: %s}\ndetection:\n  k: ['*']\n  condition: k\n---\n",
                                want[i].dir, i, want[i].product, want[i].service));
    for (size_t i = 0; i < SS_ARRAY_LEN(want); i++) {
        struct ss_sigma_ruleset *rs = ss_sigma_ruleset_new(SS_SIGMA_NO_BUILTIN_MAPPINGS);
        struct ss_case c = { 0 };
        struct ss_diag d;
        struct ss_reader *rd;
        struct ss_record rec;
        char p[4096];
        int src, hit = -1;

        ASSERT_TRUE(rs != NULL);
        for (size_t m = 0; m < SS_ARRAY_LEN(maps); m++) {
            (void)snprintf(p, sizeof(p), "%s/../src/sigma/mappings/%s.yml", ss_test_srcdir(),
                           maps[m]);
            ASSERT_OK(ss_sigma_mapping_load(rs, p, &d));
        }
        ASSERT_OK(ss_sigma_load_mem(rs, "probes.yml", rules.ptr, rules.len, &d));
        ASSERT_OK(ss_sigma_compile(rs, &d));
        (void)snprintf(p, sizeof(p),
                       "%s/sigma-vectors/timescale-rsigma/crates/rsigma-eval/tests/fixtures/"
                       "schema-classification/%s/test_event.json",
                       ss_test_corpus(), want[i].dir);
        ASSERT_OK(ss_case_from_file(p, NULL, &c, &d));
        src = ss_sigma_source(rs, ss_input_kind_name(c.inputs[0].kind));
        if (src >= 0) {
            struct ss_sigma_scratch *s = ss_sigma_scratch_new(rs, 0);
            const struct ss_sigma_hit *hits;
            size_t n = 0;

            ASSERT_TRUE(s != NULL);
            ASSERT_OK(ss_reader_open(&c, 0, NULL, NULL, NULL, &rd, &d));
            ASSERT_EQ(ss_reader_next(rd, &rec, &d), 1);
            ASSERT_OK(ss_sigma_match(rs, s, src, rec.ptr, rec.len, NULL, &hits, &n));
            ASSERT_TRUE(n <= 1);
            if (n == 1)
                hit = (int)hits[0].rule;
            ss_reader_free(rd);
            ss_sigma_scratch_free(s);
        }
        if (want[i].product == NULL ? hit != -1 : hit != (int)i) {
            ss_test_fail_msg(__FILE__, __LINE__, "%s (kind %s): classified as probe %d",
                             want[i].dir, ss_input_kind_name(c.inputs[0].kind), hit);
            ss_case_release(&c);
            ss_sigma_ruleset_free(rs);
            break;
        }
        ss_case_release(&c);
        ss_sigma_ruleset_free(rs);
    }
    ss_buf_release(&rules);
}

/* ---- SigmaHQ regression data ---- */

static void test_sigmahq_regression(void)
{
    char *index;
    size_t len, n_rows = 0, n_pass = 0, n_no_event = 0;
    char map[4096];
    char *line, *next;

    if (ss_test_corpus()[0] == '\0')
        SS_SKIP("shared corpus absent");
    index = read_all(corpus_path("sigma-vectors/sigmahq-regression/INDEX.tsv"), &len);
    ASSERT_TRUE(index != NULL);
    (void)snprintf(map, sizeof(map), "%s/sigma/windows_evtx.yml", ss_test_srcdir());
    for (line = index; line != NULL && *line; line = next) {
        char *cols[4] = { 0 }, *p = line;
        char rule_path[4096], ev_path[4096];
        const char *rp[1] = { rule_path };
        struct ss_sigma_ruleset *rs;
        struct ss_sigma_scratch *s;
        uint64_t want = 1;
        int got = 0, src;
        char *events;
        size_t ev_len;

        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        for (int k = 0; k < 4 && p != NULL; k++) {
            cols[k] = p;
            p = strchr(p, '\t');
            if (p != NULL)
                *p++ = '\0';
        }
        n_rows++;
        if (cols[2] == NULL || cols[2][0] == '\0') {
            n_no_event++; /* the cisco row: no active upstream test, no event */
            continue;
        }
        if (cols[3] != NULL && strncmp(cols[3], "match_count=", 12) == 0) {
            uint64_t v = 0;

            for (const char *q = cols[3] + 12; *q >= '0' && *q <= '9'; q++)
                v = v * 10 + (uint64_t)(*q - '0');
            want = v;
        }
        (void)snprintf(rule_path, sizeof(rule_path), "%s/sigma-vectors/sigmahq-regression/%s",
                       ss_test_corpus(), cols[1]);
        rs = ruleset(SS_SIGMA_NO_BUILTIN_MAPPINGS, map, NULL, rp, 1);
        ASSERT_TRUE(rs != NULL);
        ASSERT_EQ(ss_sigma_report_at(rs, 0)->status, SS_SIGMA_LOADED);
        src = ss_sigma_source(rs, "evtx-json");
        ASSERT_TRUE(src >= 0);
        s = ss_sigma_scratch_new(rs, 0);
        ASSERT_TRUE(s != NULL);
        /* event files: one or several pretty-printed objects, read as a stream of values */
        for (char *ef = cols[2]; ef != NULL;) {
            char *comma = strchr(ef, ',');
            struct ss_reader *rd;
            struct ss_record rec;
            struct ss_diag d;

            if (comma != NULL)
                *comma = '\0';
            (void)snprintf(ev_path, sizeof(ev_path), "%s/sigma-vectors/sigmahq-regression/%s",
                           ss_test_corpus(), ef);
            events = read_all(ev_path, &ev_len);
            ASSERT_TRUE(events != NULL);
            ASSERT_OK(ss_reader_open_mem(events, ev_len, 0, ev_path, SS_READER_FORCE_PLAIN, NULL,
                                         &rd, &d));
            while (ss_reader_next(rd, &rec, &d) == 1)
                got += match_count(rs, s, src, rec.ptr, rec.len, NULL);
            ss_reader_free(rd);
            ss_free(events);
            ef = comma != NULL ? comma + 1 : NULL;
        }
        if ((uint64_t)got >= want)
            n_pass++;
        else
            fprintf(stderr, "  FAIL %s: %d matches, want %" PRIu64 "\n", cols[1], got, want);
        ss_sigma_scratch_free(s);
        ss_sigma_ruleset_free(rs);
    }
    ss_free(index);
    fprintf(stderr, "  regression: %zu rows, %zu pass, %zu without event\n", n_rows, n_pass,
            n_no_event);
    ASSERT_EQ(n_rows, 203);
    ASSERT_EQ(n_no_event, 1);
    /* every vector with an event passes (at least match_count matches) */
    ASSERT_EQ(n_pass, 202);
}

/* ---- load report ---- */

static void test_load_report(void)
{
    const char *rp[1];
    struct ss_sigma_ruleset *rs;
    size_t loaded = 0, rejected = 0, translated = 0, unrouted = 0, legacy_corr = 0, inactive = 0;

    if (ss_test_corpus()[0] == '\0')
        SS_SKIP("shared corpus absent");
    rp[0] = corpus_path("sigma-rules/SigmaHQ-sigma");
    rs = ruleset(0, NULL, NULL, rp, 1);
    ASSERT_TRUE(rs != NULL);
    for (size_t i = 0; i < ss_sigma_report_len(rs); i++) {
        const struct ss_sigma_entry *e = ss_sigma_report_at(rs, i);
        bool tr = false;

        if (e->status == SS_SIGMA_LOADED) {
            loaded++;
        } else {
            rejected++;
            /* every rejection says why and where */
            ASSERT_TRUE(e->reason != NULL && e->reason[0] != '\0' && e->line > 0);
        }
        for (size_t k = 0; k < e->n_notes; k++) {
            tr = tr || e->notes[k].kind == SS_SIGMA_NOTE_TRANSLATED;
            unrouted += e->notes[k].kind == SS_SIGMA_NOTE_UNROUTED;
        }
        translated += tr;
        if (e->rule >= 0) {
            struct ss_sigma_rule_info ri;

            ss_sigma_rule_info(rs, (size_t)e->rule, &ri);
            legacy_corr += ri.is_correlation;
            /* every loaded rule runs somewhere (the generic mapping routes all rules), but
               for the placeholder rules whose values were not given */
            ASSERT_TRUE(ri.n_kinds > 0 || (e->n_notes > 0 && strstr(e->notes[e->n_notes - 1].msg,
                                                                    "has no values") != NULL));
            inactive += ri.n_kinds == 0;
        }
    }
    ASSERT_EQ(loaded + rejected, 218);
    ASSERT_TRUE(loaded * 100 >= 99 * (loaded + rejected));
    ASSERT_EQ(rejected, 0);
    /* unsupported/: 7 aggregations and 1 'near' translated to correlations */
    ASSERT_EQ(translated, 8);
    ASSERT_EQ(legacy_corr, 8);
    ASSERT_EQ(unrouted, 0);
    /* 12 rules (9 of them in rules-placeholder/) need %placeholder% values: none are given
       here, so they are loaded but not evaluated */
    ASSERT_EQ(inactive, 12);
    ss_sigma_ruleset_free(rs);
}

/* ---- prefilter on/off equality ---- */

struct hitrec {
    uint32_t rule;
    struct ss_loc loc;
};

struct hitlist {
    struct hitrec *v;
    size_t n, cap;
};

static int run_inputs(const struct ss_sigma_ruleset *rs, const struct ss_case *c,
                      struct hitlist *out, uint64_t *ret_records)
{
    struct ss_sigma_scratch *s = ss_sigma_scratch_new(rs, 0);
    int r = s == NULL ? -ENOMEM : 0;

    for (size_t i = 0; r == 0 && i < c->n_inputs; i++) {
        struct ss_reader *rd;
        struct ss_record rec;
        struct ss_diag d;
        int src;

        if (c->inputs[i].kind == SS_KIND_UNKNOWN)
            continue;
        src = ss_sigma_source(rs, ss_input_kind_name(c->inputs[i].kind));
        if (src < 0)
            continue;
        r = ss_reader_open(c, (uint32_t)i, NULL, NULL, NULL, &rd, &d);
        if (r < 0)
            break;
        for (;;) {
            const struct ss_sigma_hit *hits;
            size_t n;
            int k = ss_reader_next(rd, &rec, &d);

            if (k == 0)
                break;
            if (k < 0)
                continue;
            (*ret_records)++;
            r = ss_sigma_match(rs, s, src, rec.ptr, rec.len, &rec.loc, &hits, &n);
            for (size_t h = 0; r == 0 && h < n; h++) {
                if (out->n == out->cap) {
                    size_t cap = out->cap ? out->cap * 2 : 1024;
                    struct hitrec *nv = ss_reallocarray(out->v, cap, sizeof(*nv));

                    if (nv == NULL) {
                        r = -ENOMEM;
                        break;
                    }
                    out->v = nv;
                    out->cap = cap;
                }
                out->v[out->n++] = (struct hitrec){ .rule = hits[h].rule, .loc = rec.loc };
            }
            if (r < 0)
                break;
        }
        ss_reader_free(rd);
    }
    ss_sigma_scratch_free(s);
    return r;
}

static void compare_on_off(const char *const *rule_dirs, size_t n_dirs, const char *case_dir,
                           const char *mapping_text, size_t min_hits)
{
    struct ss_sigma_ruleset *on = ruleset(0, NULL, mapping_text, rule_dirs, n_dirs);
    struct ss_sigma_ruleset *off =
        ruleset(SS_SIGMA_NO_PREFILTER, NULL, mapping_text, rule_dirs, n_dirs);
    struct hitlist a = { 0 }, b = { 0 };
    struct ss_case c = { 0 };
    struct ss_diag d;
    uint64_t ra = 0, rb = 0;

    ASSERT_TRUE(on != NULL && off != NULL);
    ASSERT_OK(ss_case_discover(case_dir, NULL, &c, &d));
    ASSERT_OK(run_inputs(on, &c, &a, &ra));
    ASSERT_OK(run_inputs(off, &c, &b, &rb));
    fprintf(stderr, "  %s: %" PRIu64 " records, %zu hits with the prefilter, %zu without\n",
            case_dir, ra, a.n, b.n);
    ASSERT_EQ(ra, rb);
    ASSERT_EQ(a.n, b.n);
    ASSERT_TRUE(a.n >= min_hits);
    for (size_t i = 0; i < a.n; i++) {
        ASSERT_EQ(a.v[i].rule, b.v[i].rule);
        ASSERT_EQ(ss_loc_cmp(&a.v[i].loc, &b.v[i].loc), 0);
    }
    ss_free(a.v);
    ss_free(b.v);
    ss_case_release(&c);
    ss_sigma_ruleset_free(on);
    ss_sigma_ruleset_free(off);
}

static void test_prefilter_corpus(void)
{
    char rules[2][4096], map[4096];
    const char *rp[2] = { rules[0], rules[1] };
    struct ss_buf wmap = SS_BUF_INIT(1 << 20);
    char *text, *k;
    size_t len;

    if (ss_test_corpus()[0] == '\0')
        SS_SKIP("shared corpus absent");
    (void)snprintf(rules[0], sizeof(rules[0]), "%s/sigma-rules/SigmaHQ-sigma", ss_test_corpus());
    (void)snprintf(rules[1], sizeof(rules[1]), "%s/sigma-vectors/sigmahq-regression/rules",
                   ss_test_corpus());
    compare_on_off(rp, 2, corpus_path("sample-logs"), NULL, 50);
    /* the regression events (generic JSON) with the Windows evtx mapping */
    (void)snprintf(map, sizeof(map), "%s/sigma/windows_evtx.yml", ss_test_srcdir());
    text = read_all(map, &len);
    ASSERT_TRUE(text != NULL);
    k = strstr(text, "kinds: [evtx-json]");
    ASSERT_TRUE(k != NULL);
    ASSERT_OK(ss_buf_append(&wmap, text, (size_t)(k - text)));
    ASSERT_OK(ss_buf_puts(&wmap, "kinds: [json, jsonl]"));
    ASSERT_OK(ss_buf_puts(&wmap, k + strlen("kinds: [evtx-json]")));
    ss_free(text);
    compare_on_off(rp, 2, corpus_path("sigma-vectors"), wmap.ptr, 150);
    ss_buf_release(&wmap);
}

static void test_prefilter_synth(void)
{
    char rules[4096], dir[4096];
    const char *rp[1] = { rules };
    struct ss_synth_opts o;
    struct ss_diag d;

    if (ss_test_corpus()[0] == '\0')
        SS_SKIP("shared corpus absent");
    (void)snprintf(rules, sizeof(rules), "%s/sigma-rules/SigmaHQ-sigma", ss_test_corpus());
    (void)snprintf(dir, sizeof(dir), "%s/synth", ss_test_tmpdir());
    ss_synth_opts_init(&o);
    o.n_tenants = 2;
    o.n_days = 1;
    o.size_bytes = (uint64_t)4 << 20;
    o.n_threads = 1;
    ASSERT_OK(ss_synth_run(&o, dir, NULL, &d));
    compare_on_off(rp, 1, dir, NULL, 500);
}

int main(void)
{
    SS_RUN(test_sigma_test_vectors);
    SS_RUN(test_rsigma_backtest);
    SS_RUN(test_rsigma_fixtures);
    SS_RUN(test_rsigma_classification);
    SS_RUN(test_sigmahq_regression);
    SS_RUN(test_load_report);
    SS_RUN(test_prefilter_corpus);
    SS_RUN(test_prefilter_synth);
    return ss_test_done();
}
