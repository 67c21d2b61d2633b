/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_cloudtrail.c - CloudTrail digest validation: a signed chain built here
 * (RSA key made per run), then every tampering the verifier must name, each with the
 * exact findings and counts, plus the public-key list reader's errors.
 */
#include "evidence/cloudtrail.h"

#include "core/buf.h"
#include "core/diag.h"
#include "evidence/base64.h"
#include "ss_test.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#define ACCT "111122223333"
#define BUCKET "ct-archive"
#define DPFX "AWSLogs/" ACCT "/CloudTrail-Digest/eu-west-1/2024/05/01/"
#define LPFX "AWSLogs/" ACCT "/CloudTrail/eu-west-1/2024/05/01/"
#define FPR "0123456789abcdef0123456789abcdef"

static EVP_PKEY *g_key;
static char g_keys_json[4096];

/* Up to 3 digests, 4 log files, a sidecar and one extra file. */
struct fx {
    struct ss_ct_file f[16];
    size_t n;
    char text[4][4096];
    char sig[4][600];
    char rel[16][256];
    char side[1024];
};

static void make_key(void)
{
    unsigned char *der = NULL;
    int der_len;
    struct ss_buf b64;

    if (g_key != NULL)
        return;
    g_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    der_len = i2d_PublicKey(g_key, &der);
    ss_buf_init(&b64, 1 << 16);
    if (der_len <= 0 || ss_base64_encode(der, (size_t)der_len, &b64) != 0)
        abort();
    snprintf(g_keys_json, sizeof(g_keys_json),
             "{\"PublicKeyList\":[{\"Value\":\"%.*s\",\"ValidityStartTime\":"
             "\"2024-01-01T00:00:00+00:00\",\"ValidityEndTime\":\"2025-01-01T00:00:00+00:00\","
             "\"Fingerprint\":\"" FPR "\"}]}",
             (int)b64.len, b64.ptr);
    ss_buf_release(&b64);
    OPENSSL_free(der);
}

static void sha_hex(const char *p, size_t n, char out[65])
{
    uint8_t d[32];

    ASSERT_OK(ss_sha256(p, n, d));
    ss_sha256_hex(d, out);
}

static void sign(const char *msg, char out[600])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char sig[512];
    size_t n = sizeof(sig);

    if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, g_key) != 1 ||
        EVP_DigestSign(ctx, sig, &n, (const unsigned char *)msg, strlen(msg)) != 1)
        abort();
    EVP_MD_CTX_free(ctx);
    ss_hex_encode(sig, n, out);
}

static const char *log_body(unsigned i)
{
    static const char *const bodies[] = {
        "{\"Records\":[{\"eventName\":\"GetObject\"}]}",
        "{\"Records\":[{\"eventName\":\"PutObject\"}]}",
        "{\"Records\":[{\"eventName\":\"StopLogging\"}]}",
        "{\"Records\":[{\"eventName\":\"DeleteTrail\"}]}",
    };
    return bodies[i];
}

static const char *log_name(unsigned i, char *out, size_t n)
{
    /* log i is delivered in digest window i / 2 (09:00, 10:00) */
    snprintf(out, n, LPFX ACCT "_CloudTrail_eu-west-1_20240501T%02u%02uZ_AbCdEfGh1234567%u.json.gz",
             9 + i / 2, 30 + i % 2, i);
    return out;
}

static void add_file(struct fx *x, const char *rel, enum ss_ct_role role, const char *text,
                     bool hash)
{
    struct ss_ct_file *f = &x->f[x->n];

    snprintf(x->rel[x->n], sizeof(x->rel[0]), "export/%s", rel);
    memset(f, 0, sizeof(*f));
    f->rel = x->rel[x->n];
    f->input = (uint32_t)x->n;
    f->role = role;
    f->text = text;
    f->text_len = text != NULL ? strlen(text) : 0;
    f->loc.input = (uint32_t)x->n;
    f->loc.len = f->text_len;
    if (hash && text != NULL) {
        f->decoded_ok = true;
        ASSERT_OK(ss_sha256(text, strlen(text), f->sha256));
    }
    x->n++;
}

/*
 * A signed chain of three digests (files 0-2): windows 08:20:11-09:20:11 (empty),
 * 09:20:11-10:20:11 (logs 0 and 1) and 10:20:11-11:20:11 (logs 2 and 3); the four log
 * files (3-6); the newest digest's signature sidecar (7). @restart makes the third a
 * starting digest.
 */
static void build(struct fx *x, bool restart)
{
    char obj[3][256], prev_hash[65] = "", stamp[64];

    memset(x, 0, sizeof(*x));
    make_key();
    for (unsigned d = 0; d < 3; d++) {
        char logs[2048] = "", name[256], h[65], tosign[2048], dh[65];
        size_t off = 0;

        snprintf(obj[d], sizeof(obj[d]),
                 DPFX ACCT "_CloudTrail-Digest_eu-west-1_org-trail_"
                           "us-east-1_20240501T%02u2011Z.json.gz",
                 9 + d);
        for (unsigned i = 0; d > 0 && i < 2; i++) {
            unsigned li = (d - 1) * 2 + i;

            sha_hex(log_body(li), strlen(log_body(li)), h);
            off += (size_t)snprintf(logs + off, sizeof(logs) - off,
                                    "%s{\"s3Bucket\":\"" BUCKET "\",\"s3Object\":\"%s\","
                                    "\"hashValue\":\"%s\",\"hashAlgorithm\":\"SHA-256\","
                                    "\"newestEventTime\":\"2024-05-01T%02u:1%u:00Z\","
                                    "\"oldestEventTime\":\"2024-05-01T%02u:0%u:00Z\"}",
                                    i > 0 ? "," : "", log_name(li, name, sizeof(name)), h, 8 + d, i,
                                    8 + d, i);
        }
        snprintf(stamp, sizeof(stamp), "2024-05-01T%02u:20:11Z", 9 + d);
        if (d == 0 || (restart && d == 2))
            snprintf(x->text[d], sizeof(x->text[d]),
                     "{\"awsAccountId\":\"" ACCT
                     "\",\"digestStartTime\":\"2024-05-01T%02u:20:11Z\","
                     "\"digestEndTime\":\"%s\",\"digestS3Bucket\":\"" BUCKET "\","
                     "\"digestS3Object\":\"%s\",\"digestPublicKeyFingerprint\":\"" FPR "\","
                     "\"digestSignatureAlgorithm\":\"SHA256withRSA\",\"newestEventTime\":null,"
                     "\"oldestEventTime\":null,\"previousDigestS3Bucket\":null,"
                     "\"previousDigestS3Object\":null,\"previousDigestHashValue\":null,"
                     "\"previousDigestHashAlgorithm\":null,\"previousDigestSignature\":null,"
                     "\"logFiles\":[%s]}\n",
                     8 + d, stamp, obj[d], logs);
        else
            snprintf(
                x->text[d], sizeof(x->text[d]),
                "{\"awsAccountId\":\"" ACCT "\",\"digestStartTime\":\"2024-05-01T%02u:20:11Z\","
                "\"digestEndTime\":\"%s\",\"digestS3Bucket\":\"" BUCKET "\","
                "\"digestS3Object\":\"%s\",\"digestPublicKeyFingerprint\":\"" FPR "\","
                "\"digestSignatureAlgorithm\":\"SHA256withRSA\","
                "\"previousDigestS3Bucket\":\"" BUCKET "\",\"previousDigestS3Object\":\"%s\","
                "\"previousDigestHashValue\":\"%s\",\"previousDigestHashAlgorithm\":\"SHA-256\","
                "\"previousDigestSignature\":\"%s\",\"logFiles\":[%s]}\n",
                8 + d, stamp, obj[d], obj[d - 1], prev_hash, x->sig[d - 1], logs);
        sha_hex(x->text[d], strlen(x->text[d]), dh);
        snprintf(tosign, sizeof(tosign), "%s\n" BUCKET "/%s\n%s\n%s", stamp, obj[d], dh,
                 d == 0 || (restart && d == 2) ? "null" : x->sig[d - 1]);
        sign(tosign, x->sig[d]);
        memcpy(prev_hash, dh, sizeof(dh));
        add_file(x, obj[d], SS_CT_DIGEST, x->text[d], true);
    }
    for (unsigned i = 0; i < 4; i++) {
        char name[256];

        add_file(x, log_name(i, name, sizeof(name)), SS_CT_OTHER, log_body(i), true);
    }
    snprintf(x->side, sizeof(x->side),
             "{\"ContentType\":\"application/json\",\"Metadata\":{\"signature\":\"%s\","
             "\"signature-algorithm\":\"SHA256withRSA\"}}",
             x->sig[2]);
    {
        char side_rel[300];

        snprintf(side_rel, sizeof(side_rel), "%s.metadata.json", obj[2]);
        add_file(x, side_rel, SS_CT_SIDECAR, x->side, true);
    }
}

static struct ss_ct_keys *keys(void)
{
    struct ss_ct_keys *k;
    struct ss_diag d;

    make_key();
    if (ss_ct_keys_new(&k) != 0 ||
        ss_ct_keys_parse(k, g_keys_json, strlen(g_keys_json), "keys.json", &d) != 0)
        abort();
    return k;
}

/* Drop file @i from the fixture. */
static void drop(struct fx *x, size_t i)
{
    memmove(&x->f[i], &x->f[i + 1], (x->n - i - 1) * sizeof(x->f[0]));
    x->n--;
}

struct result {
    struct ss_findings fs;
    struct ss_ct_stats st;
    char ids[2048]; /* "check_id entity0;..." sorted */
};

static void run(const struct fx *x, const struct ss_ct_keys *k, struct result *res)
{
    size_t off = 0;

    ss_findings_init(&res->fs, (size_t)1 << 24);
    ASSERT_OK(ss_ct_verify(x->f, x->n, k, &res->fs, &res->st));
    ss_findings_sort(&res->fs);
    res->ids[0] = '\0';
    for (size_t i = 0; i < res->fs.len; i++) {
        const struct ss_finding *f = &res->fs.items[i];
        const char *e = f->n_entities > 0 ? f->entities[0] : "-";
        const char *slash = strrchr(e, '/');

        off += (size_t)snprintf(res->ids + off, sizeof(res->ids) - off, "%s%s %s", i > 0 ? ";" : "",
                                f->check_id, slash != NULL ? slash + 1 : e);
    }
}

static void test_clean_chain(void)
{
    struct fx x;
    struct result r;
    struct ss_ct_keys *k = keys();

    build(&x, false);
    run(&x, k, &r);
    ASSERT_STREQ(r.ids, "cloudtrail.digest-chain org-trail");
    ASSERT_EQ(r.st.digests, 3);
    ASSERT_EQ(r.st.chains, 1);
    ASSERT_EQ(r.st.logs_listed, 4);
    ASSERT_EQ(r.st.logs_verified, 4);
    ASSERT_EQ(r.st.sigs_verified, 3);
    ASSERT_EQ(r.st.sigs_unchecked, 0);
    ASSERT_EQ(r.st.problems, 0);
    ASSERT_EQ(r.fs.items[0].severity, SS_SEV_INFO);
    ASSERT_STREQ(r.fs.items[0].entities[0],
                 "arn:aws:cloudtrail:us-east-1:" ACCT ":trail/org-trail");
    ASSERT_STREQ(r.fs.items[0].title, "CloudTrail digest chain org-trail in eu-west-1: 3 digests, "
                                      "4 of 4 log files verified, 0 problems");
    ASSERT_EQ(r.fs.items[0].n_evidence, 2);
    ASSERT_EQ(r.fs.items[0].evidence[0].loc.input, 0);
    ASSERT_EQ(r.fs.items[0].evidence[1].loc.input, 2);
    ss_findings_release(&r.fs);

    /* without keys: nothing is wrong, but no signature is checked */
    run(&x, NULL, &r);
    ASSERT_STREQ(r.ids, "cloudtrail.digest-chain org-trail");
    ASSERT_EQ(r.st.sigs_verified, 0);
    ASSERT_EQ(r.st.sigs_unchecked, 3);
    ASSERT_TRUE(strstr(r.fs.items[0].desc, "no AWS public keys were supplied") != NULL);
    ss_findings_release(&r.fs);

    /* without the sidecar the newest digest's signature is unchecked */
    drop(&x, x.n - 1);
    run(&x, k, &r);
    ASSERT_EQ(r.st.sigs_verified, 2);
    ASSERT_EQ(r.st.sigs_unchecked, 1);
    ASSERT_EQ(r.st.problems, 0);
    ss_findings_release(&r.fs);
    ss_ct_keys_free(k);
}

static void test_log_missing_and_altered(void)
{
    struct fx x;
    struct result r;
    struct ss_ct_keys *k = keys();

    build(&x, false);
    drop(&x, 4);           /* log 1 */
    x.f[5].sha256[7] ^= 1; /* log 3 */
    run(&x, k, &r);
    ASSERT_STREQ(r.ids, "cloudtrail.digest-chain org-trail;"
                        "cloudtrail.log-altered " ACCT
                        "_CloudTrail_eu-west-1_20240501T1031Z_AbCdEfGh12345673.json.gz;"
                        "cloudtrail.log-missing " ACCT
                        "_CloudTrail_eu-west-1_20240501T0931Z_AbCdEfGh12345671.json.gz");
    ASSERT_EQ(r.st.logs_listed, 4);
    ASSERT_EQ(r.st.logs_verified, 2);
    ASSERT_EQ(r.st.problems, 2);
    ASSERT_EQ(r.st.sigs_verified, 3);
    /* the missing file's finding cites the digest that lists it (input 1) and its window */
    ASSERT_EQ(r.fs.items[2].severity, SS_SEV_HIGH);
    ASSERT_EQ(r.fs.items[2].n_evidence, 1);
    ASSERT_EQ(r.fs.items[2].evidence[0].loc.input, 1);
    ASSERT_STREQ(r.fs.items[2].entities[0],
                 "s3://" BUCKET "/" LPFX ACCT
                 "_CloudTrail_eu-west-1_20240501T0931Z_AbCdEfGh12345671.json.gz");
    ASSERT_EQ(r.fs.items[1].severity, SS_SEV_CRITICAL);
    ASSERT_TRUE(strstr(r.fs.items[1].data_json, "\"expected_sha256\":") != NULL);
    ss_findings_release(&r.fs);

    /* a listed file that cannot be decoded in full counts as altered */
    build(&x, false);
    x.f[3].decoded_ok = false;
    run(&x, k, &r);
    ASSERT_EQ(r.st.problems, 1);
    ASSERT_TRUE(strstr(r.ids, "cloudtrail.log-altered") != NULL);
    ASSERT_TRUE(strstr(r.fs.items[1].desc, "cannot be decompressed") != NULL);
    ss_findings_release(&r.fs);
    ss_ct_keys_free(k);
}

static void test_digest_missing(void)
{
    struct fx x;
    struct result r;
    struct ss_ct_keys *k = keys();

    build(&x, false);
    drop(&x, 1);
    run(&x, k, &r);
    ASSERT_STREQ(r.ids, "cloudtrail.digest-chain org-trail;"
                        "cloudtrail.digest-missing " ACCT
                        "_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20240501T102011Z.json.gz;"
                        "cloudtrail.log-unlisted " ACCT
                        "_CloudTrail_eu-west-1_20240501T0930Z_AbCdEfGh12345670.json.gz;"
                        "cloudtrail.log-unlisted " ACCT
                        "_CloudTrail_eu-west-1_20240501T0931Z_AbCdEfGh12345671.json.gz");
    ASSERT_TRUE(strstr(r.fs.items[2].desc, "digest that is missing from the export") != NULL);
    ASSERT_EQ(r.fs.items[1].first_us, INT64_C(1714555211) * 1000000); /* 09:20:11 */
    /* the oldest digest has no successor left and no sidecar */
    ASSERT_EQ(r.st.sigs_verified, 1);
    ASSERT_EQ(r.st.sigs_unchecked, 1);
    ASSERT_EQ(r.st.problems, 3);
    ss_findings_release(&r.fs);

    /* the oldest digest's predecessor is outside the export: not a gap */
    build(&x, false);
    drop(&x, 0);
    run(&x, k, &r);
    ASSERT_STREQ(r.ids, "cloudtrail.digest-chain org-trail");
    ASSERT_EQ(r.st.problems, 0);
    ASSERT_EQ(r.st.sigs_verified, 2);
    ss_findings_release(&r.fs);
    ss_ct_keys_free(k);
}

static void test_digest_altered(void)
{
    struct fx x;
    struct result r;
    struct ss_ct_keys *k = keys();

    build(&x, false);
    x.f[0].sha256[0] ^= 0x80; /* the first digest's bytes changed */
    run(&x, k, &r);
    ASSERT_STREQ(r.ids,
                 "cloudtrail.digest-altered " ACCT
                 "_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20240501T092011Z.json.gz;"
                 "cloudtrail.digest-chain org-trail;"
                 "cloudtrail.digest-signature-invalid " ACCT
                 "_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20240501T092011Z.json.gz");
    ASSERT_EQ(r.st.sigs_verified, 2);
    ASSERT_EQ(r.fs.items[0].n_evidence, 2);
    ss_findings_release(&r.fs);

    /* a forged sidecar signature for the newest digest */
    build(&x, false);
    {
        char *c = x.side +
                  strlen("{\"ContentType\":\"application/json\",\"Metadata\":{"
                         "\"signature\":\"") +
                  5;

        *c = *c == '0' ? '1' : '0';
    }
    x.f[x.n - 1].text_len = strlen(x.side);
    run(&x, k, &r);
    ASSERT_EQ(r.st.sigs_verified, 2);
    ASSERT_TRUE(
        strstr(r.ids, "cloudtrail.digest-signature-invalid " ACCT
                      "_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20240501T112011Z") != NULL);
    ss_findings_release(&r.fs);
    ss_ct_keys_free(k);
}

static void test_unknown_key_and_restart(void)
{
    struct fx x;
    struct result r;
    struct ss_ct_keys *k;
    struct ss_diag d;
    char other[4096];
    const char *fp = strstr(g_keys_json, FPR);

    build(&x, true);
    make_key();
    /* a key list whose only key has another fingerprint */
    snprintf(other, sizeof(other), "%.*sffff%s", (int)(fp - g_keys_json), g_keys_json, fp + 4);
    ASSERT_OK(ss_ct_keys_new(&k));
    ASSERT_OK(ss_ct_keys_parse(k, other, strlen(other), "other.json", &d));
    run(&x, k, &r);
    ASSERT_STREQ(r.ids,
                 "cloudtrail.digest-chain org-trail;"
                 "cloudtrail.digest-chain-break org-trail;"
                 "cloudtrail.digest-key-unknown " ACCT
                 "_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20240501T092011Z.json.gz;"
                 "cloudtrail.digest-key-unknown " ACCT
                 "_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20240501T102011Z.json.gz;"
                 "cloudtrail.digest-key-unknown " ACCT
                 "_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20240501T112011Z.json.gz");
    ASSERT_EQ(r.st.problems, 4);
    ASSERT_EQ(r.fs.items[1].severity, SS_SEV_MEDIUM);
    ASSERT_EQ(r.st.sigs_verified, 0);
    ASSERT_EQ(r.st.sigs_unchecked, 0);
    ss_findings_release(&r.fs);
    ss_ct_keys_free(k);

    /* with the right key the restart is the only problem; the digest before it has no
       successor to carry its signature */
    k = keys();
    run(&x, k, &r);
    ASSERT_EQ(r.st.sigs_verified, 2);
    ASSERT_EQ(r.st.sigs_unchecked, 1);
    ASSERT_EQ(r.st.problems, 1);
    ss_findings_release(&r.fs);
    ss_ct_keys_free(k);
}

static void test_misplaced_and_invalid(void)
{
    struct fx x;
    struct result r;
    static const char bad[] = "{\"awsAccountId\":\"" ACCT "\",\"digestStartTime\":\"nope\"}";
    static const char dup[] =
        "{\"awsAccountId\":\"1\",\"awsAccountId\":\"2\",\"digestStartTime\":\"2024-05-01T00:00:"
        "00Z\","
        "\"digestEndTime\":\"2024-05-01T01:00:00Z\",\"digestS3Bucket\":\"b\",\"digestS3Object\":"
        "\"o\",\"logFiles\":[]}";

    build(&x, false);
    x.rel[2][7 + strlen(DPFX) - 2] = '9'; /* filed under another day */
    x.n = 3;
    add_file(&x, "AWSLogs/" ACCT "/CloudTrail-Digest/eu-west-1/2024/05/01/bad.json.gz",
             SS_CT_DIGEST, bad, true);
    add_file(&x, "AWSLogs/" ACCT "/CloudTrail-Digest/eu-west-1/2024/05/01/dup.json.gz",
             SS_CT_DIGEST, dup, true);
    run(&x, NULL, &r);
    ASSERT_EQ(r.st.digests, 5);
    ASSERT_TRUE(strstr(r.ids, "cloudtrail.digest-invalid bad.json.gz") != NULL);
    ASSERT_TRUE(strstr(r.ids, "cloudtrail.digest-invalid dup.json.gz") != NULL);
    ASSERT_TRUE(
        strstr(r.ids, "cloudtrail.digest-misplaced " ACCT
                      "_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20240501T112011Z") != NULL);
    for (size_t i = 0; i < r.fs.len; i++)
        if (strcmp(r.fs.items[i].check_id, "cloudtrail.digest-invalid") == 0 &&
            strstr(r.fs.items[i].entities[0], "dup") != NULL)
            ASSERT_TRUE(strstr(r.fs.items[i].desc, "a member appears twice") != NULL);
    ss_findings_release(&r.fs);
}

/* An export copied from inside AWSLogs/ (aws s3 sync s3://bucket/AWSLogs DIR) verifies. */
static void test_export_without_awslogs_folder(void)
{
    struct fx x;
    struct result r;
    struct ss_ct_keys *k = keys();

    build(&x, false);
    for (size_t i = 0; i < x.n; i++) {
        char *a = strstr(x.rel[i], "AWSLogs/");

        memmove(a, a + 8, strlen(a + 8) + 1);
    }
    ASSERT_STREQ(x.f[0].rel, "export/" ACCT "/CloudTrail-Digest/eu-west-1/2024/05/01/" ACCT
                             "_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20240501T092011Z."
                             "json.gz");
    run(&x, k, &r);
    ASSERT_STREQ(r.ids, "cloudtrail.digest-chain org-trail");
    ASSERT_EQ(r.st.logs_verified, 4);
    ASSERT_EQ(r.st.sigs_verified, 3);
    ss_findings_release(&r.fs);

    /* the tampering is still seen, and an added file is still unlisted */
    drop(&x, 4);
    add_file(&x,
             ACCT "/CloudTrail/eu-west-1/2024/05/01/" ACCT
                  "_CloudTrail_eu-west-1_20240501T1000Z_AbCdEfGh1234567X.json.gz",
             SS_CT_OTHER, log_body(3), true);
    run(&x, k, &r);
    ASSERT_STREQ(r.ids, "cloudtrail.digest-chain org-trail;"
                        "cloudtrail.log-missing " ACCT
                        "_CloudTrail_eu-west-1_20240501T0931Z_AbCdEfGh12345671.json.gz;"
                        "cloudtrail.log-unlisted " ACCT
                        "_CloudTrail_eu-west-1_20240501T1000Z_AbCdEfGh1234567X.json.gz");
    ASSERT_TRUE(strstr(r.fs.items[1].desc, "expected at export/" ACCT "/CloudTrail/") != NULL);
    ss_findings_release(&r.fs);
    ss_ct_keys_free(k);
}

/* A backfill digest lists late log files beside the chain, which it does not break. */
static void test_backfill_digest(void)
{
    struct fx x;
    struct result r;
    char bf[4096], name[256], h[65];
    const char *late = LPFX ACCT "_CloudTrail_eu-west-1_20240501T0945Z_AbCdEfGh1234567L.json.gz";

    build(&x, false);
    sha_hex(log_body(3), strlen(log_body(3)), h);
    snprintf(name, sizeof(name),
             DPFX ACCT "_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20240501T102011Z"
                       "_backfill.json.gz");
    snprintf(bf, sizeof(bf),
             "{\"awsAccountId\":\"" ACCT "\",\"digestStartTime\":\"2024-05-01T09:20:11Z\","
             "\"digestEndTime\":\"2024-05-01T10:20:11Z\",\"digestS3Bucket\":\"" BUCKET "\","
             "\"digestS3Object\":\"%s\",\"digestPublicKeyFingerprint\":\"" FPR "\","
             "\"digestSignatureAlgorithm\":\"SHA256withRSA\",\"previousDigestS3Object\":null,"
             "\"logFiles\":[{\"s3Bucket\":\"" BUCKET "\",\"s3Object\":\"%s\",\"hashValue\":"
             "\"%s\",\"hashAlgorithm\":\"SHA-256\"}]}",
             name, late, h);
    add_file(&x, name, SS_CT_DIGEST, bf, true);
    add_file(&x, late, SS_CT_OTHER, log_body(3), true);
    run(&x, NULL, &r);
    ASSERT_STREQ(r.ids, "cloudtrail.digest-chain org-trail;cloudtrail.digest-chain org-trail");
    ASSERT_EQ(r.st.digests, 4);
    ASSERT_EQ(r.st.chains, 2);
    ASSERT_EQ(r.st.logs_verified, 5);
    ASSERT_EQ(r.st.problems, 0);
    /* same primary entity (the trail): the chain, citing input 0, sorts first */
    ASSERT_STREQ(r.fs.items[0].title, "CloudTrail digest chain org-trail in eu-west-1: 3 digests, "
                                      "4 of 4 log files verified, 0 problems");
    ASSERT_STREQ(r.fs.items[1].title, "CloudTrail backfill digests of org-trail in eu-west-1: 1 "
                                      "digest, 1 of 1 log files verified, 0 problems");
    ss_findings_release(&r.fs);
}

static void test_digests_absent(void)
{
    struct fx x;
    struct result r;

    /* us-east-1 log files beside eu-west-1 digests, and a second account with none */
    build(&x, false);
    add_file(&x,
             "AWSLogs/" ACCT "/CloudTrail/us-east-1/2024/05/01/" ACCT
             "_CloudTrail_us-east-1_20240501T0930Z_AbCdEfGh12345678.json.gz",
             SS_CT_OTHER, log_body(0), true);
    add_file(&x,
             "AWSLogs/" ACCT "/CloudTrail/us-east-1/2024/05/01/" ACCT
             "_CloudTrail_us-east-1_20240501T1130Z_AbCdEfGh12345679.json.gz",
             SS_CT_OTHER, log_body(1), true);
    add_file(&x,
             "AWSLogs/444455556666/CloudTrail/eu-west-1/2024/05/02/444455556666"
             "_CloudTrail_eu-west-1_20240502T0000Z_AbCdEfGh12345670.json.gz",
             SS_CT_OTHER, log_body(2), true);
    run(&x, NULL, &r);
    ASSERT_STREQ(r.ids, "cloudtrail.digest-chain org-trail;"
                        "cloudtrail.digests-absent ;"
                        "cloudtrail.digests-absent ");
    ASSERT_EQ(r.st.logs_undigested, 3);
    ASSERT_EQ(r.st.problems, 2);
    ASSERT_STREQ(r.fs.items[1].entities[0], "export/AWSLogs/" ACCT "/CloudTrail/us-east-1/");
    ASSERT_STREQ(r.fs.items[1].title,
                 "2 CloudTrail log files of account " ACCT " in us-east-1 without any digest");
    ASSERT_EQ(r.fs.items[1].first_us, INT64_C(1714555800) * 1000000); /* 09:30 */
    ASSERT_EQ(r.fs.items[1].last_us, INT64_C(1714563000) * 1000000);  /* 11:30 */
    ASSERT_STREQ(r.fs.items[2].title,
                 "1 CloudTrail log file of account 444455556666 in eu-west-1 without any digest");
    ss_findings_release(&r.fs);

    /* eu-west-1 files before and after the period its digests cover (08:20:11-11:20:11) */
    build(&x, false);
    add_file(&x, LPFX ACCT "_CloudTrail_eu-west-1_20240501T0700Z_AbCdEfGh1234567a.json.gz",
             SS_CT_OTHER, log_body(0), true);
    add_file(&x, LPFX ACCT "_CloudTrail_eu-west-1_20240501T1200Z_AbCdEfGh1234567b.json.gz",
             SS_CT_OTHER, log_body(1), true);
    run(&x, NULL, &r);
    ASSERT_STREQ(r.ids, "cloudtrail.digest-chain org-trail;cloudtrail.log-uncovered ");
    ASSERT_EQ(r.fs.items[1].severity, SS_SEV_LOW);
    ASSERT_STREQ(r.fs.items[1].title, "2 CloudTrail log files of account " ACCT
                                      " in eu-west-1 outside the period its digests cover");
    ASSERT_EQ(r.fs.items[1].first_us, INT64_C(1714546800) * 1000000); /* 07:00 */
    ASSERT_EQ(r.fs.items[1].last_us, INT64_C(1714564800) * 1000000);  /* 12:00 */
    ASSERT_EQ(r.st.logs_undigested, 2);
    ASSERT_EQ(r.st.logs_verified, 4);
    ss_findings_release(&r.fs);

    /* no digest at all: only the absence is reported */
    {
        struct fx y;

        memset(&y, 0, sizeof(y));
        add_file(&y,
                 "AWSLogs/" ACCT "/CloudTrail/eu-west-1/2024/05/01/" ACCT
                 "_CloudTrail_eu-west-1_20240501T0930Z_AbCdEfGh12345678.json.gz",
                 SS_CT_OTHER, log_body(0), true);
        add_file(&y, "other/file.json", SS_CT_OTHER, log_body(1), true);
        run(&y, NULL, &r);
        ASSERT_STREQ(r.ids, "cloudtrail.digests-absent ");
        ASSERT_EQ(r.st.digests, 0);
        ASSERT_EQ(r.st.logs_undigested, 1);
        ss_findings_release(&r.fs);
        y.n = 1;
        y.f[0].rel = "not/a/cloudtrail/path.json.gz";
        run(&y, NULL, &r);
        ASSERT_EQ(r.fs.len, 0);
        ss_findings_release(&r.fs);
    }
}

static void test_order_independent(void)
{
    struct fx x, y;
    struct result a, b;
    struct ss_ct_keys *k = keys();

    build(&x, false);
    drop(&x, 4);
    y = x;
    for (size_t i = 0; i < y.n; i++) {
        y.f[i] = x.f[x.n - 1 - i];
    }
    run(&x, k, &a);
    run(&y, k, &b);
    ASSERT_STREQ(a.ids, b.ids);
    ASSERT_EQ(a.fs.len, b.fs.len);
    for (size_t i = 0; i < a.fs.len; i++)
        ASSERT_STREQ(a.fs.items[i].desc, b.fs.items[i].desc);
    ss_findings_release(&a.fs);
    ss_findings_release(&b.fs);
    ss_ct_keys_free(k);
}

static void expect_key_error(const char *text, const char *msg)
{
    struct ss_ct_keys *k;
    struct ss_diag d;

    ASSERT_OK(ss_ct_keys_new(&k));
    ss_diag_clear(&d);
    ASSERT_TRUE(ss_ct_keys_parse(k, text, strlen(text), "k.json", &d) < 0);
    ASSERT_TRUE(strstr(d.msg, msg) != NULL);
    ASSERT_STREQ(d.file, "k.json");
    ASSERT_EQ(ss_ct_keys_count(k), 0);
    ss_ct_keys_free(k);
}

static void test_keys(void)
{
    struct ss_ct_keys *k = keys();

    ASSERT_EQ(ss_ct_keys_count(k), 1);
    ss_ct_keys_free(k);
    expect_key_error("{\"Keys\":[]}", "not a key list");
    expect_key_error("[{\"Value\":\"AAAA\",\"Fingerprint\":\"ab\"}]",
                     "key 1: Value is not the base64 DER of an RSA public key");
    expect_key_error("[{\"Value\":\"AAAA\"}]", "key 1: Fingerprint missing");
    expect_key_error("[{\"Value\":\"AAAA\",\"Fingerprint\":\"ab\",\"ValidityEndTime\":\"x\"}]",
                     "key 1: ValidityStartTime or ValidityEndTime is not a time");
    expect_key_error("[1,", "");
}

int main(void)
{
    SS_RUN(test_clean_chain);
    SS_RUN(test_log_missing_and_altered);
    SS_RUN(test_digest_missing);
    SS_RUN(test_digest_altered);
    SS_RUN(test_unknown_key_and_restart);
    SS_RUN(test_misplaced_and_invalid);
    SS_RUN(test_export_without_awslogs_folder);
    SS_RUN(test_backfill_digest);
    SS_RUN(test_digests_absent);
    SS_RUN(test_order_independent);
    SS_RUN(test_keys);
    EVP_PKEY_free(g_key);
    return ss_test_done();
}
