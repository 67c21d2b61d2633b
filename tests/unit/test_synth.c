/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_synth.c - unit tests of synth/: the formatters and pretty printer, and
 * whole tiny cases: byte-identical output for the same seed at any thread count, exact
 * file and record counts, the export layouts (JSON lines, gzip'd {"Records":[...]}),
 * 7-digit timestamps, id casing, the nine scenarios in truth.json, option errors, and the
 * CloudTrail digest chains: windows, links, RSA signatures, log hashes and the planted
 * tampering.
 */
#include "synth/synth.h"

#include "synth/synth_int.h"

#include "core/alloc.h"
#include "core/ss_time.h"
#include "ss_test.h"

#include <ftw.h>
#include <libdeflate.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/stat.h>

/*
 * Expected shape of the reference case (seed 42, 2 tenants, 1 day, 1M): small, so the
 * suite stays quick on a loaded machine; tests/synth/ checks a 3-day case end to end.
 */
#define REF_FILES 653u    /* 575 + 74 digests, 3 sidecars, the public keys, less a deleted log */
#define REF_RECORDS 3484u /* less the deleted log's 4 records and the altered one's last */
#define REF_DIGESTS 75u   /* 25 hourly windows in each of the 3 regions, one deleted */
/* Largest uncompressed CloudTrail or digest file the tests read. */
#define GUNZIP_CAP ((size_t)16 << 20)

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
    struct ss_synth_opts o1 = ref_opts(1), o2 = ref_opts(3), o3 = ref_opts(2);
    struct ss_synth_stats s1, s2, s3;
    struct ss_diag d;
    long n1 = 0, n2 = 0, n3 = 0;
    uint64_t h1, h2;

    ASSERT_OK(ss_synth_run(&o1, case_dir("a"), &s1, &d));
    ASSERT_OK(ss_synth_run(&o2, case_dir("b"), &s2, &d));
    ASSERT_OK(ss_synth_run(&o3, case_dir("d"), &s3, &d));
    h1 = tree_hash(case_dir("a"), &n1);
    h2 = tree_hash(case_dir("b"), &n2);
    ASSERT_TRUE(h1 != 0);
    ASSERT_U64_EQ(h1, h2);
    ASSERT_U64_EQ(h1, tree_hash(case_dir("d"), &n3));
    ASSERT_EQ(n1, n2);
    ASSERT_EQ(n1, n3);
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
    char *out = ss_malloc(GUNZIP_CAP);
    size_t n_pt1h = 0, n_gz = 0, n_activity = 0, n_inventory = 0, n_rows = 0, n_digest = 0;
    size_t n_aws_json = 0;
    long records = 0;
    long n;

    ASSERT_TRUE(dec != NULL && out != NULL);
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
        } else if (strstr(rel, "/CloudTrail-Digest/") != NULL &&
                   strcmp(rel + plen - 8, ".json.gz") == 0) {
            n_digest++; /* test_digests */
        } else if (strncmp(rel, "aws/", 4) == 0 && strcmp(rel + plen - 5, ".json") == 0) {
            ASSERT_TRUE(strcmp(rel, "aws/list-public-keys.json") == 0 ||
                        strcmp(rel + plen - 22, ".json.gz.metadata.json") == 0);
            ASSERT_EQ(buf[0], '{');
            n_aws_json++;
        } else if (plen > 8 && strcmp(rel + plen - 8, ".json.gz") == 0) {
            size_t cap = GUNZIP_CAP, out_len = 0;
            enum libdeflate_result lr;

            ASSERT_TRUE(strncmp(rel, "aws/AWSLogs/", 12) == 0);
            ASSERT_TRUE(strstr(rel, "/CloudTrail/") != NULL);
            lr = libdeflate_gzip_decompress(dec, buf, len, out, cap, &out_len);
            ASSERT_EQ(lr, LIBDEFLATE_SUCCESS);
            ASSERT_TRUE(out_len > 14);
            ASSERT_MEMEQ(out, "{\"Records\":[{\"eventVersion\":\"1.", 31);
            ASSERT_MEMEQ(out + out_len - 3, "}]}", 3);
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
    ss_free(out);
    ASSERT_EQ(n_pt1h + n_gz + n_inventory + n_digest + n_aws_json + 2, (size_t)n);
    ASSERT_EQ(n_digest, REF_DIGESTS - 1);
    ASSERT_EQ(n_aws_json, 4); /* the public keys and one sidecar per region */
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
        "cloudtrail-log-tampering",
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
    ASSERT_EQ(n_scen, 9);
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
    ASSERT_TRUE(strstr(t, "| `aws/list-public-keys.json` |") != NULL);
    ASSERT_TRUE(strstr(t, "\nNine: ") != NULL);
    ss_free(t);
}

/* ---- CloudTrail digests ---- */

#define MAX_DIGESTS 256

/*
 * The value of "@key" in the JSON text at @from (compact or pretty-printed) into @out:
 * a string's contents, or "null". Returns the position after the value, or NULL.
 */
static const char *jstr(const char *from, const char *key, char *out, size_t cap)
{
    char pat[64];
    const char *p, *e;

    snprintf(pat, sizeof(pat), "\"%s\":", key);
    p = strstr(from, pat);
    if (p == NULL)
        return NULL;
    p += strlen(pat);
    if (*p == ' ')
        p++;
    if (strncmp(p, "null", 4) == 0) {
        snprintf(out, cap, "null");
        return p + 4;
    }
    if (*p != '"')
        return NULL;
    e = strchr(++p, '"');
    if (e == NULL || (size_t)(e - p) >= cap)
        return NULL;
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = '\0';
    return e + 1;
}

/* Gunzip @root/@rel into @out (GUNZIP_CAP bytes, NUL-terminated). Length, or -1. */
static long gunzip(struct libdeflate_decompressor *dec, const char *root, const char *rel,
                   char *out)
{
    size_t len = 0, n = 0;
    char *buf = read_file(root, rel, &len);
    enum libdeflate_result lr;

    if (buf == NULL)
        return -1;
    lr = libdeflate_gzip_decompress(dec, buf, len, out, GUNZIP_CAP - 1, &n);
    ss_free(buf);
    if (lr != LIBDEFLATE_SUCCESS)
        return -1;
    out[n] = '\0';
    return (long)n;
}

static void sha_hex(const void *p, size_t n, char out[65])
{
    static const char hx[] = "0123456789abcdef";
    uint8_t h[32];
    unsigned len = 0;

    EVP_Digest(p, n, h, &len, EVP_sha256(), NULL);
    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = hx[h[i] >> 4];
        out[2 * i + 1] = hx[h[i] & 15];
    }
    out[64] = '\0';
}

/* Verify RSASSA-PKCS1-v1_5 / SHA-256 signature @sig_hex of @msg with @pk. */
static bool verify_sig(EVP_PKEY *pk, const char *msg, const char *sig_hex)
{
    uint8_t sig[512];
    size_t n = strlen(sig_hex) / 2;
    EVP_MD_CTX *mc;
    bool ok;

    if (n > sizeof(sig) || strlen(sig_hex) != 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;

        for (size_t j = 0; j < 2; j++) {
            char c = sig_hex[2 * i + j];

            if (c >= '0' && c <= '9')
                v = v * 16 + (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v = v * 16 + (unsigned)(c - 'a' + 10);
            else
                return false;
        }
        sig[i] = (uint8_t)v;
    }
    mc = EVP_MD_CTX_new();
    ok = mc != NULL && EVP_DigestVerifyInit(mc, NULL, EVP_sha256(), NULL, pk) == 1 &&
         EVP_DigestVerify(mc, sig, n, (const unsigned char *)msg, strlen(msg)) == 1;
    EVP_MD_CTX_free(mc);
    return ok;
}

/* Microseconds of a CloudTrail file name's "_YYYYMMDDTHHmmZ_" stamp. */
static int64_t name_time(const char *rel)
{
    const char *p = strstr(rel, "_CloudTrail_");
    unsigned v[5] = { 0 };
    static const unsigned width[5] = { 4, 2, 2, 2, 2 };

    p = strchr(p + 12, '_') + 1;
    for (size_t f = 0; f < 5; f++) {
        if (f == 3)
            p++; /* 'T' */
        for (unsigned i = 0; i < width[f]; i++)
            v[f] = v[f] * 10 + (unsigned)(*p++ - '0');
    }
    return ss_time_days_from_civil(v[0], v[1], v[2]) * SS_TIME_US_PER_DAY +
           (int64_t)v[3] * SS_TIME_US_PER_HOUR + (int64_t)v[4] * 60 * SS_TIME_US_PER_SEC;
}

static int64_t parse_us(const char *s)
{
    int64_t us = INT64_MIN;

    if (ss_time_parse(s, strlen(s), &us) < 0)
        return INT64_MIN;
    return us;
}

struct tdigest {
    const char *rel;    /* borrowed from walk_paths */
    const char *region; /* points into rel */
    char *json;         /* uncompressed */
    char sha[65];
};

static const char *path_region(const char *rel, const char *dir)
{
    const char *p = strstr(rel, dir);

    return p == NULL ? NULL : p + strlen(dir);
}

static bool same_region(const char *a, const char *b)
{
    size_t n = strcspn(a, "/");

    return n == strcspn(b, "/") && memcmp(a, b, n) == 0;
}

/* The reference case (test_deterministic), verified as formats.md 6.3 describes. */
static void test_digests(void)
{
    const char *root = case_dir("a");
    struct libdeflate_decompressor *dec = libdeflate_alloc_decompressor();
    static struct tdigest dg[MAX_DIGESTS];
    size_t n_dg = 0, len = 0, n_logs = 0, n_listed = 0, n_missing = 0, n_altered = 0;
    size_t n_verified = 0, n_gaps = 0, n_sidecars = 0;
    char *out = ss_malloc(GUNZIP_CAP), *truth, *txt;
    char gone_log[512], altered[512], gone_digest[512], region_log[32], region_dg[32];
    char val[1024], fp[64], bucket[128], b64[1024], want[600], obj[512];
    uint8_t der[1024];
    const unsigned char *dp = der;
    EVP_PKEY *pk;
    const char *p;
    int64_t last_delivery = INT64_MIN;
    long n, orphans;
    int der_len;

    ASSERT_TRUE(dec != NULL && out != NULL);
    /* what truth.json says was tampered with */
    truth = read_file(root, "truth.json", &len);
    ASSERT_TRUE(truth != NULL);
    p = strstr(truth, "\"id\": \"audit.cloudtrail-tamper\"");
    ASSERT_TRUE(p != NULL);
    ASSERT_TRUE(jstr(p, "bucket", bucket, sizeof(bucket)) != NULL);
    p = jstr(p, "path", gone_log, sizeof(gone_log));
    ASSERT_TRUE(p != NULL && jstr(p, "region", region_log, sizeof(region_log)) != NULL);
    ASSERT_TRUE(jstr(p, "finding", val, sizeof(val)) != NULL);
    ASSERT_STREQ(val, "cloudtrail.log-missing");
    p = jstr(p, "path", altered, sizeof(altered));
    ASSERT_TRUE(p != NULL && jstr(p, "finding", val, sizeof(val)) != NULL);
    ASSERT_STREQ(val, "cloudtrail.log-altered");
    p = jstr(p, "path", gone_digest, sizeof(gone_digest));
    ASSERT_TRUE(p != NULL && jstr(p, "region", region_dg, sizeof(region_dg)) != NULL);
    ASSERT_TRUE(jstr(p, "finding", val, sizeof(val)) != NULL);
    ASSERT_STREQ(val, "cloudtrail.digest-missing");
    p = strstr(p, "\"log_files\": ");
    ASSERT_TRUE(p != NULL);
    for (p += 13, orphans = 0; *p >= '0' && *p <= '9'; p++)
        orphans = orphans * 10 + (*p - '0');
    ASSERT_TRUE(orphans >= 1 && *p == '\n');
    ASSERT_TRUE(strcmp(region_log, region_dg) != 0);
    ASSERT_TRUE(strcmp(region_log, "us-east-1") != 0); /* the embargo login's region */
    ASSERT_TRUE(strcmp(region_dg, "us-east-1") != 0);
    ss_free(truth);

    /* the public key, as a reviewer would take it from list-public-keys */
    txt = read_file(root, "aws/list-public-keys.json", &len);
    ASSERT_TRUE(txt != NULL);
    ASSERT_TRUE(jstr(txt, "Value", b64, sizeof(b64)) != NULL);
    ASSERT_TRUE(jstr(txt, "Fingerprint", fp, sizeof(fp)) != NULL);
    ASSERT_TRUE(jstr(txt, "ValidityStartTime", val, sizeof(val)) != NULL);
    ASSERT_STREQ(val, "2024-02-04T00:00:00Z");
    ASSERT_TRUE(jstr(txt, "ValidityEndTime", val, sizeof(val)) != NULL);
    ASSERT_STREQ(val, "2024-02-06T00:00:00Z");
    ss_free(txt);
    der_len = EVP_DecodeBlock(der, (const unsigned char *)b64, (int)strlen(b64));
    ASSERT_EQ(der_len, 270); /* PKCS#1 RSAPublicKey of a 2048-bit key, no padding bytes */
    pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &dp, der_len);
    ASSERT_TRUE(pk != NULL);
    ASSERT_EQ(dp - der, 270);
    ASSERT_EQ(EVP_PKEY_get_bits(pk), 2048);
    sha_hex(der, (size_t)der_len, val);
    val[32] = '\0';
    ASSERT_STREQ(fp, val);

    /* collect the digests (the sorted walk orders each region's chain by time) */
    n = walk(root);
    ASSERT_TRUE(n > 0);
    for (long i = 0; i < n; i++) {
        const char *rel = walk_paths[i];
        size_t plen = strlen(rel);

        if (strstr(rel, "/CloudTrail/") != NULL) {
            n_logs++;
            last_delivery = SS_MAX(last_delivery, name_time(rel));
            continue;
        }
        if (plen > 14 && strcmp(rel + plen - 14, ".metadata.json") == 0) {
            n_sidecars++;
            continue;
        }
        if (strstr(rel, "/CloudTrail-Digest/") == NULL)
            continue;
        ASSERT_TRUE(n_dg < MAX_DIGESTS);
        ASSERT_TRUE(gunzip(dec, root, rel, out) > 0);
        dg[n_dg].rel = rel;
        dg[n_dg].region = path_region(rel, "/CloudTrail-Digest/");
        dg[n_dg].json = ss_strdup(out);
        ASSERT_TRUE(dg[n_dg].json != NULL);
        sha_hex(out, strlen(out), dg[n_dg].sha);
        n_dg++;
    }
    last_delivery = SS_MAX(last_delivery, name_time(gone_log));
    ASSERT_EQ(n_dg, REF_DIGESTS - 1);
    ASSERT_EQ(n_sidecars, 3);
    ASSERT_TRUE(read_file(root, gone_log, &len) == NULL);
    ASSERT_TRUE(read_file(root, gone_digest, &len) == NULL);

    for (size_t i = 0; i < n_dg; i++) {
        const struct tdigest *d = &dg[i];
        bool first = i == 0 || !same_region(dg[i - 1].region, d->region);
        bool last = i + 1 == n_dg || !same_region(dg[i + 1].region, d->region);
        char sig[1100], end[32], prev_sig[1100], tbs[2048];
        const char *lf;
        size_t n_files = 0;

        /* location, key, window */
        ASSERT_TRUE(jstr(d->json, "digestS3Object", obj, sizeof(obj)) != NULL);
        ASSERT_STREQ(obj, d->rel + 4);
        ASSERT_TRUE(jstr(d->json, "digestS3Bucket", val, sizeof(val)) != NULL);
        ASSERT_STREQ(val, bucket);
        ASSERT_TRUE(jstr(d->json, "digestPublicKeyFingerprint", val, sizeof(val)) != NULL);
        ASSERT_STREQ(val, fp);
        ASSERT_TRUE(jstr(d->json, "digestEndTime", end, sizeof(end)) != NULL);
        ASSERT_TRUE(jstr(d->json, "digestStartTime", val, sizeof(val)) != NULL);
        ASSERT_EQ(parse_us(end) - parse_us(val), SS_TIME_US_PER_HOUR);
        if (first) {
            /* the window rule: hourly windows from the first, up to the one that ends
             * after the last delivery (known to the minute from the file names) */
            int64_t s0 = parse_us(val);
            int64_t lo = (last_delivery - s0) / SS_TIME_US_PER_HOUR + 1;
            int64_t hi = (last_delivery + 59 * SS_TIME_US_PER_SEC - s0) / SS_TIME_US_PER_HOUR + 1;
            size_t have = 0;

            while (i + have < n_dg && same_region(dg[i + have].region, d->region))
                have++;
            ASSERT_EQ(lo, hi);
            ASSERT_EQ((int64_t)have + (same_region(d->region, region_dg) ? 1 : 0), lo);
            ASSERT_EQ(lo, 25);
            ASSERT_TRUE(strstr(d->json, "\"previousDigestS3Bucket\":null,\"previousDigestS3Object"
                                        "\":null,\"previousDigestHashValue\":null,"
                                        "\"previousDigestHashAlgorithm\":null,"
                                        "\"previousDigestSignature\":null,") != NULL);
        }
        /* the link to the previous digest */
        if (!first) {
            ASSERT_TRUE(jstr(d->json, "previousDigestS3Object", val, sizeof(val)) != NULL);
            if (strcmp(val, dg[i - 1].rel + 4) == 0) {
                ASSERT_TRUE(jstr(d->json, "previousDigestHashValue", val, sizeof(val)) != NULL);
                ASSERT_STREQ(val, dg[i - 1].sha);
                ASSERT_TRUE(jstr(d->json, "previousDigestS3Bucket", val, sizeof(val)) != NULL);
                ASSERT_STREQ(val, bucket);
                ASSERT_TRUE(jstr(d->json, "previousDigestHashAlgorithm", val, sizeof(val)));
                ASSERT_STREQ(val, "SHA-256");
            } else {
                /* only where the deleted digest was; the chain still names it */
                ASSERT_STREQ(val, gone_digest + 4);
                n_gaps++;
            }
        }
        /* the signature: in the next digest, or in the sidecar for the newest */
        sig[0] = '\0';
        if (last) {
            snprintf(val, sizeof(val), "%s.metadata.json", d->rel);
            txt = read_file(root, val, &len);
            ASSERT_TRUE(txt != NULL);
            ASSERT_TRUE(jstr(txt, "signature", sig, sizeof(sig)) != NULL);
            ASSERT_TRUE(strstr(txt, "\"signature-algorithm\": \"SHA256withRSA\"") != NULL);
            ASSERT_TRUE(strstr(txt, "\"ContentEncoding\": \"gzip\"") != NULL);
            ss_free(txt);
        } else if (jstr(dg[i + 1].json, "previousDigestS3Object", val, sizeof(val)) != NULL &&
                   strcmp(val, d->rel + 4) == 0) {
            ASSERT_TRUE(jstr(dg[i + 1].json, "previousDigestSignature", sig, sizeof(sig)));
        }
        ASSERT_TRUE(jstr(d->json, "previousDigestSignature", prev_sig, sizeof(prev_sig)));
        if (sig[0] != '\0') {
            ASSERT_EQ(strlen(sig), 512);
            snprintf(tbs, sizeof(tbs), "%s\n%s/%s\n%s\n%s", end, bucket, d->rel + 4, d->sha,
                     prev_sig);
            ASSERT_TRUE(verify_sig(pk, tbs, sig));
            tbs[0] ^= 1; /* and a changed message does not verify */
            ASSERT_TRUE(!verify_sig(pk, tbs, sig));
            n_verified++;
        }
        /* the listed log files: sorted, hashed; one missing and one altered */
        obj[0] = '\0';
        for (lf = strstr(d->json, "\"logFiles\":["); lf != NULL;) {
            char key[512], hv[80];

            lf = jstr(lf, "s3Object", key, sizeof(key));
            if (lf == NULL)
                break;
            ASSERT_TRUE(strcmp(obj, key) < 0);
            memcpy(obj, key, strlen(key) + 1);
            ASSERT_TRUE(same_region(path_region(key, "/CloudTrail/"), d->region));
            ASSERT_TRUE(jstr(lf, "hashValue", hv, sizeof(hv)) != NULL);
            snprintf(want, sizeof(want), "aws/%s", key);
            n_files++;
            n_listed++;
            if (gunzip(dec, root, want, out) < 0) {
                ASSERT_STREQ(want, gone_log);
                n_missing++;
                continue;
            }
            sha_hex(out, strlen(out), val);
            if (strcmp(val, hv) != 0) {
                ASSERT_STREQ(want, altered);
                ASSERT_MEMEQ(out + strlen(out) - 3, "}]}", 3);
                n_altered++;
            }
        }
        if (n_files == 0)
            ASSERT_TRUE(strstr(d->json, "\"newestEventTime\":null,\"oldestEventTime\":null") !=
                        NULL);
    }
    ASSERT_EQ(n_missing, 1);
    ASSERT_EQ(n_altered, 1);
    ASSERT_EQ(n_gaps, 1);
    ASSERT_EQ((long)n_listed, (long)n_logs + 1 - orphans);
    /* all but the digest whose signature only the deleted digest held */
    ASSERT_EQ(n_verified, n_dg - 1);

    for (size_t i = 0; i < n_dg; i++)
        ss_free(dg[i].json);
    EVP_PKEY_free(pk);
    ss_free(out);
    libdeflate_free_decompressor(dec);
}

/* The key is derived from the seed: the same for the same seed, different for another. */
static void test_digest_key(void)
{
    size_t la = 0, lc = 0;
    char *a = read_file(case_dir("a"), "aws/list-public-keys.json", &la);
    char *c = read_file(case_dir("c"), "aws/list-public-keys.json", &lc);
    char *b = read_file(case_dir("b"), "aws/list-public-keys.json", &lc);

    ASSERT_TRUE(a != NULL && b != NULL && c != NULL);
    ASSERT_STREQ(a, b);
    ASSERT_TRUE(strstr(a, "\"Fingerprint\": \"b2479d53ada24390743c0d719bed28b0\"") != NULL);
    ASSERT_TRUE(strcmp(a, c) != 0);
    ss_free(a);
    ss_free(b);
    ss_free(c);
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
    SS_RUN(test_digests);
    SS_RUN(test_seed_changes_output);
    SS_RUN(test_digest_key);
    SS_RUN(test_errors);
    walk_free();
    return ss_test_done();
}
