/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_synth.c - unit tests of synth/: the formatters and pretty printer, and
 * whole tiny cases: byte-identical output for the same seed at any thread count, exact
 * file and record counts, the export layouts (JSON lines, gzip'd {"Records":[...]}),
 * 7-digit timestamps, id casing, the eight scenarios in truth.json, option errors.
 */
#include "synth/synth.h"

#include "synth/synth_int.h"

#include "core/alloc.h"
#include "ss_test.h"

#include <ftw.h>
#include <libdeflate.h>
#include <sys/stat.h>

/*
 * Expected shape of the reference case (seed 42, 2 tenants, 1 day, 1M): small, so the
 * suite stays quick on a loaded machine; tests/synth/ checks a 3-day case end to end.
 */
#define REF_FILES 576u
#define REF_RECORDS 3489u

static struct ss_synth_opts ref_opts(unsigned threads)
{
    struct ss_synth_opts o;

    ss_synth_opts_init(&o);
    o.seed = 42;
    o.n_tenants = 2;
    o.n_days = 1;
    o.size_bytes = (uint64_t)1 << 20;
    o.n_threads = threads;
    return o;
}

/* ---- tree walking (nftw has no context argument, hence the statics) ---- */

#define MAX_FILES 20000

static char *walk_paths[MAX_FILES];
static size_t walk_n;
static size_t walk_root_len;
static bool walk_overflow;

static int walk_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag != FTW_F)
        return 0;
    if (walk_n == MAX_FILES) {
        walk_overflow = true;
        return 1;
    }
    walk_paths[walk_n] = ss_strdup(path + walk_root_len + 1);
    if (walk_paths[walk_n] == NULL)
        return 1;
    walk_n++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_free(void)
{
    for (size_t i = 0; i < walk_n; i++)
        ss_free(walk_paths[i]);
    walk_n = 0;
}

/* Collect the files under @root, sorted. Returns the count, or -1. */
static long walk(const char *root)
{
    walk_free();
    walk_overflow = false;
    walk_root_len = strlen(root);
    if (nftw(root, walk_fn, 32, FTW_PHYS) != 0 || walk_overflow)
        return -1;
    qsort(walk_paths, walk_n, sizeof(walk_paths[0]), cmp_str);
    return (long)walk_n;
}

static char *read_file(const char *root, const char *rel, size_t *ret_len)
{
    char path[4096];
    FILE *f;
    long n;
    char *buf;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = ss_malloc((size_t)n + 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        ss_free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
        *ret_len = (size_t)n;
    }
    return buf;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;

    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

/* FNV-1a over every (path, content) of the tree at @root. */
static uint64_t tree_hash(const char *root, long *ret_n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    long n = walk(root);

    for (long i = 0; i < n; i++) {
        size_t len = 0;
        char *buf = read_file(root, walk_paths[i], &len);

        if (buf == NULL)
            return 0;
        h = fnv(h, walk_paths[i], strlen(walk_paths[i]) + 1);
        h = fnv(h, buf, len);
        ss_free(buf);
    }
    *ret_n = n;
    return h;
}

static const char *case_dir(const char *name)
{
    static char path[4][512];
    static unsigned k;
    char *p = path[k++ % 4];

    snprintf(p, sizeof(path[0]), "%s/%s", ss_test_tmpdir(), name);
    return p;
}

/* ---- formatters ---- */

static void test_formatters(void)
{
    char buf[256];
    struct sy_w w = {
        .base = buf, .p = buf, .end = buf + sizeof(buf), .fd = -1, .c_day = INT64_MIN
    };
    /* 2024-05-01T09:12:44.1234567Z in 100 ns ticks */
    int64_t t = (INT64_C(1714554764) * SY_TICKS_PER_SEC) + 1234567;
    uint16_t v6[8] = { 0x2001, 0x0db8, 0x00a0, 0x1, 0xffff, 0x10, 0x0100, 0x2 };

    sy_put_t7(&w, t);
    sy_putc(&w, ' ');
    sy_put_t7z(&w, t);
    sy_putc(&w, ' ');
    sy_put_ts(&w, t);
    sy_putc(&w, ' ');
    sy_put_ipv4(&w, UINT32_C(0xC0000207));
    sy_putc(&w, ' ');
    sy_put_ipv6(&w, v6);
    sy_putc(&w, ' ');
    sy_put_u64(&w, 0);
    sy_putc(&w, ' ');
    sy_put_u64(&w, UINT64_MAX);
    sy_putc(&w, ' ');
    sy_put_upper(&w, "/subscriptions/ab-Cd");
    *w.p = '\0';
    ASSERT_STREQ(buf, "2024-05-01T09:12:44.1234567Z 2024-05-01T09:12:44.1234567+00:00 "
                      "2024-05-01T09:12:44Z 192.0.2.7 2001:db8:a0:1:ffff:10:100:2 0 "
                      "18446744073709551615 /SUBSCRIPTIONS/AB-CD");
    ASSERT_EQ(sy_weekday(t), 3); /* a Wednesday */
}

static void test_rng_and_guid(void)
{
    struct sy_rng a, b;
    char g1[37], g2[37];

    sy_rng_seed(&a, 42, 7);
    sy_rng_seed(&b, 42, 7);
    for (int i = 0; i < 1000; i++)
        ASSERT_U64_EQ(sy_next(&a), sy_next(&b));
    sy_rng_seed(&b, 42, 8);
    ASSERT_TRUE(sy_next(&a) != sy_next(&b));
    sy_guid(&a, g1);
    sy_guid(&a, g2);
    ASSERT_EQ(strlen(g1), 36);
    ASSERT_TRUE(strcmp(g1, g2) != 0);
    ASSERT_EQ(g1[8], '-');
    ASSERT_EQ(g1[14], '4'); /* version 4 */
    ASSERT_TRUE(strchr("89ab", g1[19]) != NULL);
    for (int i = 0; i < 1000; i++)
        ASSERT_TRUE(sy_below(&a, 7) < 7);
}

static void test_pretty(void)
{
    struct sy_w w;
    const char in[] = "{\"a\":[1,{\"b\":\"x,y:{\\\"\"}],\"c\":{},\"d\":[]}";
    int r;

    sy_w_init(&w, -1);
    r = sy_json_pretty(&w, in, sizeof(in) - 1);
    ASSERT_OK(r);
    ASSERT_MEMEQ(w.base,
                 "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x,y:{\\\"\"\n    }\n  ],\n"
                 "  \"c\": {},\n  \"d\": []\n}\n",
                 sy_w_len(&w));
    ASSERT_EQ(sy_w_len(&w), strlen("{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x,y:{\\\"\"\n"
                                   "    }\n  ],\n  \"c\": {},\n  \"d\": []\n}\n"));
    sy_w_release(&w);
}

/* ---- whole cases ---- */

static void test_deterministic(void)
{
    struct ss_synth_opts o1 = ref_opts(1), o2 = ref_opts(3);
    struct ss_synth_stats s1, s2;
    struct ss_diag d;
    long n1 = 0, n2 = 0;
    uint64_t h1, h2;

    ASSERT_OK(ss_synth_run(&o1, case_dir("a"), &s1, &d));
    ASSERT_OK(ss_synth_run(&o2, case_dir("b"), &s2, &d));
    h1 = tree_hash(case_dir("a"), &n1);
    h2 = tree_hash(case_dir("b"), &n2);
    ASSERT_TRUE(h1 != 0);
    ASSERT_U64_EQ(h1, h2);
    ASSERT_EQ(n1, n2);
    ASSERT_U64_EQ(s1.n_files, REF_FILES);
    ASSERT_EQ(n1, (long)REF_FILES);
    ASSERT_U64_EQ(s1.n_records, REF_RECORDS);
    ASSERT_U64_EQ(s1.n_bytes, s2.n_bytes);
    ASSERT_U64_EQ(s1.n_records, s2.n_records);
    ASSERT_EQ(s1.end_us - s1.start_us, INT64_C(86400) * 1000000);
    /* the start is a midnight chosen by the seed, in 2024 */
    ASSERT_EQ(s1.start_us % (INT64_C(86400) * 1000000), 0);
    ASSERT_TRUE(s1.start_us >= INT64_C(1704067200) * 1000000);
    ASSERT_TRUE(s1.start_us < INT64_C(1735689600) * 1000000);
}

static bool is_t7(const char *p)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddddddZ";

    for (size_t i = 0; i < sizeof(shape) - 1; i++) {
        if (shape[i] == 'd' ? !(p[i] >= '0' && p[i] <= '9') : p[i] != shape[i])
            return false;
    }
    return p[sizeof(shape) - 1] == '"';
}

/* Check every line of a PT1H.json; returns the number of records or -1. */
static long check_pt1h(const char *buf, size_t len, bool activity)
{
    long n = 0;
    const char *p = buf, *end = buf + len;

    if (len == 0 || buf[len - 1] != '\n')
        return -1;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *t;

        if (nl == NULL || nl == p || p[0] != '{' || nl[-1] != '}')
            return -1;
        if (strncmp(p, "{\"time\":\"", 9) != 0 || !is_t7(p + 9))
            return -1;
        for (t = p; t != NULL && t < nl;) {
            t = strstr(t, "\"time\":\"");
            if (t == NULL || t >= nl)
                break;
            if (!is_t7(t + 8))
                return -1;
            t += 8;
        }
        if (activity) {
            const char *id = strstr(p, "\"resourceId\":\"/SUBSCRIPTIONS/");

            if (id == NULL || id > nl)
                return -1;
            for (id += 14; *id != '"'; id++)
                if (*id >= 'a' && *id <= 'z')
                    return -1;
        }
        n++;
        p = nl + 1;
    }
    return n;
}

/* The reference case written by test_deterministic, checked file by file. */
static void test_layout(void)
{
    const char *root = case_dir("a");
    struct libdeflate_decompressor *dec = libdeflate_alloc_decompressor();
    size_t n_pt1h = 0, n_gz = 0, n_activity = 0, n_inventory = 0, n_rows = 0;
    long records = 0;
    long n;

    ASSERT_TRUE(dec != NULL);
    n = walk(root);
    ASSERT_EQ(n, (long)REF_FILES);
    for (long i = 0; i < n; i++) {
        const char *rel = walk_paths[i];
        size_t len = 0, plen = strlen(rel);
        char *buf = read_file(root, rel, &len);

        ASSERT_TRUE(buf != NULL);
        if (plen > 9 && strcmp(rel + plen - 9, "PT1H.json") == 0) {
            bool activity =
                strstr(rel, "/insights-activity-logs/resourceId=/SUBSCRIPTIONS/") != NULL;
            long k = check_pt1h(buf, len, activity);

            if (k < 0)
                fprintf(stderr, "bad blob %s\n", rel);
            ASSERT_TRUE(k > 0);
            ASSERT_TRUE(strncmp(rel, "logs/st", 7) == 0);
            ASSERT_TRUE(strstr(rel, "/y=20") != NULL && strstr(rel, "/m=00/PT1H.json") != NULL);
            records += k;
            n_pt1h++;
            n_activity += activity;
        } else if (plen > 8 && strcmp(rel + plen - 8, ".json.gz") == 0) {
            size_t cap = 64 << 20, out_len = 0;
            char *out = ss_malloc(cap);
            enum libdeflate_result lr;

            ASSERT_TRUE(out != NULL);
            ASSERT_TRUE(strncmp(rel, "aws/AWSLogs/", 12) == 0);
            ASSERT_TRUE(strstr(rel, "/CloudTrail/") != NULL);
            lr = libdeflate_gzip_decompress(dec, buf, len, out, cap, &out_len);
            ASSERT_EQ(lr, LIBDEFLATE_SUCCESS);
            ASSERT_TRUE(out_len > 14);
            ASSERT_MEMEQ(out, "{\"Records\":[{\"eventVersion\":\"1.", 31);
            ASSERT_MEMEQ(out + out_len - 3, "}]}", 3);
            ss_free(out);
            n_gz++;
        } else if (strncmp(rel, "inventory/", 10) == 0) {
            ASSERT_EQ(buf[0] == '{' || buf[0] == '[', 1);
            ASSERT_EQ(buf[len - 1], '\n');
            n_inventory++;
            if (strcmp(rel, "inventory/resources.json") == 0) {
                const char *p = buf;

                ASSERT_MEMEQ(buf, "{\n  \"count\": ", 13);
                /* every row id (indented six spaces) is lower case */
                for (;;) {
                    p = strstr(p, "\n      \"id\": \"/subscriptions/");
                    if (p == NULL)
                        break;
                    for (p += 14; *p != '"'; p++)
                        ASSERT_TRUE(!(*p >= 'A' && *p <= 'Z'));
                    n_rows++;
                }
                ASSERT_TRUE(n_rows > 50);
            }
        }
        ss_free(buf);
    }
    libdeflate_free_decompressor(dec);
    ASSERT_EQ(n_pt1h + n_gz + n_inventory + 2, (size_t)n);
    ASSERT_TRUE(n_activity > 50);
    ASSERT_TRUE(n_gz > 50);
    ASSERT_TRUE(records > 2000);
}

static void test_truth(void)
{
    static const char *const kinds[] = {
        "siloed-tenant",
        "bulk-voice-archive",
        "replica-outside-allowed-geography",
        "retention-breach",
        "audit-log-gap",
        "embargoed-country-sign-in",
        "provider-access-without-approval",
        "near-miss-call-centre",
    };
    const char *root = case_dir("a");
    size_t len = 0;
    char *t = read_file(root, "truth.json", &len);
    char want[128];
    const char *p;
    int n_scen = 0;

    ASSERT_TRUE(t != NULL);
    for (size_t i = 0; i < SS_ARRAY_LEN(kinds); i++) {
        snprintf(want, sizeof(want), "\"kind\": \"%s\"", kinds[i]);
        ASSERT_TRUE(strstr(t, want) != NULL);
    }
    for (p = t; (p = strstr(p, "\"expect\": \"")) != NULL; p++)
        n_scen++;
    ASSERT_EQ(n_scen, 8);
    ASSERT_TRUE(strstr(t, "\"expect\": \"no-finding\"") != NULL);
    ASSERT_TRUE(strstr(t, "\"seed\": 42,") != NULL);
    ASSERT_TRUE(strstr(t, "\"gap_hours\": 12,") != NULL); /* half of a 1-day case */
    ASSERT_TRUE(strstr(t, "\"required_days\": 365,") != NULL);
    ASSERT_TRUE(strstr(t, "\"delete_operations\": 0") != NULL);
    ASSERT_TRUE(strstr(t, "arn:aws:iam::") != NULL);
    /* entities are canonical: no upper-case Azure resource ids */
    for (p = t; (p = strstr(p, "\"/subscriptions/")) != NULL; p++)
        for (const char *q = p + 1; *q != '"'; q++)
            ASSERT_TRUE(!(*q >= 'A' && *q <= 'Z'));
    ss_free(t);
    t = read_file(root, "README.md", &len);
    ASSERT_TRUE(t != NULL);
    ASSERT_MEMEQ(t, "# Synthetic review case", 23);
    ss_free(t);
}

static void test_seed_changes_output(void)
{
    struct ss_synth_opts o = ref_opts(2);
    struct ss_diag d;
    long n1 = 0, n2 = 0;

    o.seed = 43;
    ASSERT_OK(ss_synth_run(&o, case_dir("c"), NULL, &d));
    ASSERT_TRUE(tree_hash(case_dir("a"), &n1) != tree_hash(case_dir("c"), &n2));
}

static void test_errors(void)
{
    struct ss_synth_opts o = ref_opts(1);
    struct ss_synth_stats st = { .n_files = 77 };
    struct ss_diag d;

    o.n_tenants = 0;
    ASSERT_EQ(ss_synth_run(&o, case_dir("e1"), &st, &d), SS_ELIMIT);
    ASSERT_EQ(st.n_files, 77);
    o = ref_opts(1);
    o.n_days = SS_SYNTH_MAX_DAYS + 1;
    ASSERT_EQ(ss_synth_run(&o, case_dir("e1"), &st, &d), SS_ELIMIT);
    o = ref_opts(1);
    o.n_tenants = SS_SYNTH_MAX_TENANTS + 1;
    ASSERT_EQ(ss_synth_run(&o, case_dir("e1"), &st, &d), SS_ELIMIT);
    /* "a" holds the reference case: refuse to write into a non-empty directory */
    o = ref_opts(1);
    ss_diag_clear(&d);
    ASSERT_EQ(ss_synth_run(&o, case_dir("a"), &st, &d), -EEXIST);
    ASSERT_EQ(d.code, -EEXIST);
    ASSERT_STREQ(d.msg, "output directory is not empty");
    ASSERT_EQ(st.n_files, 77);
}

int main(void)
{
    SS_RUN(test_formatters);
    SS_RUN(test_rng_and_guid);
    SS_RUN(test_pretty);
    SS_RUN(test_deterministic);
    SS_RUN(test_layout);
    SS_RUN(test_truth);
    SS_RUN(test_seed_changes_output);
    SS_RUN(test_errors);
    walk_free();
    return ss_test_done();
}
