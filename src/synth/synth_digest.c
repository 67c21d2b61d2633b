/* SPDX-License-Identifier: Apache-2.0 */
/*
 * synth/synth_digest.c - implements CloudTrail log file integrity for a synthetic case
 * (docs/formats.md section 6.3): per region an hourly chain of signed digest files that
 * list the log files delivered in their window with the SHA-256 of the uncompressed
 * body, the metadata sidecar holding the newest digest's signature (x-amz-meta-signature),
 * and aws/list-public-keys.json with the public key. It also plans the tampering of
 * scenario audit.cloudtrail-tamper.
 *
 * The RSA-2048 key is derived from the seed (primes found by stepping from random
 * candidates of the synth RNG), and RSASSA-PKCS1-v1_5 is deterministic, so the digests
 * are byte-identical for a seed like the rest of the case. The key stands in for the one
 * a reviewer would fetch with `aws cloudtrail list-public-keys`; it protects nothing.
 */
#include "synth/synth_int.h"

#include "core/alloc.h"
#include "core/buf.h"

#include <libdeflate.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#define RSA_PRIME_BYTES 128 /* two 1024-bit primes: a 2048-bit modulus */
#define RSA_E 65537u
#define SIG_MAX 512 /* bytes of an RSA signature we accept (2048 bits need 256) */
#define KEY_MAX 200 /* bytes of an S3 object key of this case */
#define DIGEST_GZIP_LEVEL 4

/* The seed-derived signing key. */
struct key {
    EVP_PKEY *pkey;
    uint8_t *der; /* PKCS#1 RSAPublicKey */
    size_t der_len;
    char fingerprint[33];
};

/* A log file of the digest being written, with its object key. */
struct listed {
    char key[KEY_MAX];
    size_t log;
};

/* A log file in delivery order. */
struct ord {
    uint32_t region;
    int64_t delivered;
    size_t log;
};

/* What digest k + 1 needs to know of digest k. */
struct prev {
    bool have;
    char object[KEY_MAX];
    char hash[2 * SY_SHA256_LEN + 1];
    char sig[2 * SIG_MAX + 1];
};

struct dg {
    const struct sy_ct *ct;
    const struct sy_world *w;
    const char *root;
    struct sy_result *res;
    struct ss_diag *d;
    struct key key;
    struct libdeflate_compressor *gz;
    char *gz_buf;
    size_t gz_cap;
    struct sy_w json;  /* the uncompressed digest */
    struct sy_w small; /* sidecars, string to sign */
    struct sy_w pretty;
    struct ord *order; /* every log, sorted by (region, delivery) */
    struct listed *win;
    size_t win_cap;
};

int sy_sha256(const void *data, size_t len, uint8_t out[SY_SHA256_LEN])
{
    unsigned n = 0;

    if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != SY_SHA256_LEN)
        return -ENOMEM;
    return 0;
}

/* ---- planning ---- */

int64_t sy_ct_digest_start(const struct sy_ct *ct, const struct sy_world *w, uint32_t region,
                           uint32_t k)
{
    return w->start + ct->offset[region] + ((int64_t)k - 1) * SY_TICKS_PER_HOUR;
}

/* Index of the middle-third candidate @pick among logs of @region (with >= @min_n units). */
static size_t nth_candidate(const struct sy_ct *ct, const struct sy_world *w, uint32_t region,
                            uint32_t min_n, size_t skip, size_t pick, size_t *ret_count)
{
    int64_t third = (w->end - w->start) / 3;
    size_t count = 0, found = SIZE_MAX;

    for (size_t i = 0; i < ct->n_logs; i++) {
        const struct sy_ct_log *l = &ct->logs[i];

        if (l->f.owner != region || l->f.n < min_n || i == skip)
            continue;
        if (l->delivered < w->start + third || l->delivered >= w->start + 2 * third)
            continue;
        if (count == pick)
            found = i;
        count++;
    }
    *ret_count = count;
    return found;
}

/* Pick the altered and deleted log files in @region. False when it has too few files. */
static bool pick_logs(struct sy_ct *ct, const struct sy_world *w, struct sy_rng *r, uint32_t region)
{
    size_t n_alter, n_delete, alter, del;

    (void)nth_candidate(ct, w, region, 2, SIZE_MAX, SIZE_MAX, &n_alter);
    if (n_alter == 0)
        return false;
    alter = nth_candidate(ct, w, region, 2, SIZE_MAX, sy_below(r, (uint32_t)n_alter), &n_alter);
    (void)nth_candidate(ct, w, region, 0, alter, SIZE_MAX, &n_delete);
    if (n_delete == 0)
        return false;
    del = nth_candidate(ct, w, region, 0, alter, sy_below(r, (uint32_t)n_delete), &n_delete);
    ct->altered_log = alter;
    ct->deleted_log = del;
    ct->log_region = region;
    return true;
}

void sy_ct_plan(struct sy_ct *ct, const struct sy_world *w)
{
    uint32_t clean[SY_AWS_REGIONS];
    size_t n_clean = 0;
    int64_t last = w->start;
    struct sy_rng r;
    uint32_t n;

    sy_rng_seed(&r, w->seed, UINT64_C(0x6469676573747321)); /* "digests!" */
    for (uint32_t reg = 0; reg < SY_AWS_REGIONS; reg++)
        ct->offset[reg] = (int64_t)sy_range(&r, 600, 3000) * SY_TICKS_PER_SEC;
    for (size_t i = 0; i < ct->n_logs; i++)
        last = SS_MAX(last, ct->logs[i].delivered);
    /* digests k = 0, 1, ... up to the first window that ends after the last delivery */
    for (uint32_t reg = 0; reg < SY_AWS_REGIONS; reg++) {
        int64_t from = w->start + ct->offset[reg];

        ct->n_digests[reg] = last < from ? 1u : (uint32_t)((last - from) / SY_TICKS_PER_HOUR) + 2u;
    }
    /* tamper only where no injected event (the embargo console login) is delivered */
    for (uint32_t reg = 0; reg < SY_AWS_REGIONS; reg++) {
        const struct sy_event *e;

        if (sy_world_events(w, SY_ST_CLOUDTRAIL, reg, INT64_MIN, INT64_MAX, &e) == 0)
            clean[n_clean++] = reg;
    }
    ct->deleted_log = SIZE_MAX;
    ct->altered_log = SIZE_MAX;
    ct->deleted_digest = UINT32_MAX;
    if (!SS_ALWAYS(n_clean >= 2))
        return;
    {
        uint32_t a = sy_below(&r, (uint32_t)n_clean), b = sy_below(&r, (uint32_t)n_clean - 1);

        if (b >= a)
            b++;
        if (!pick_logs(ct, w, &r, clean[a])) {
            uint32_t t = a;

            a = b;
            b = t;
            if (!SS_ALWAYS(pick_logs(ct, w, &r, clean[a])))
                return;
        }
        ct->digest_region = clean[b];
    }
    /* a digest from the middle third of its chain: it has a predecessor and a successor */
    n = ct->n_digests[ct->digest_region];
    if (n >= 3) {
        uint32_t k = n / 3 + sy_below(&r, SS_MAX(1u, n / 3));

        ct->deleted_digest = SS_MAX(1u, SS_MIN(k, n - 2));
    }
}

/* ---- paths ---- */

static void put_compact(struct sy_w *o, int64_t t)
{
    int64_t y;
    unsigned mo, d, h, mi;

    sy_civil(t, &y, &mo, &d, &h, &mi);
    sy_put_u64w(o, (uint64_t)y, 4);
    sy_put_u64w(o, mo, 2);
    sy_put_u64w(o, d, 2);
    sy_putc(o, 'T');
    sy_put_u64w(o, h, 2);
    sy_put_u64w(o, mi, 2);
    sy_put_u64w(o, (uint64_t)(t / SY_TICKS_PER_SEC % 60), 2);
    sy_putc(o, 'Z');
}

void sy_ct_digest_path(const struct sy_ct *ct, const struct sy_world *w, uint32_t region,
                       uint32_t k, char *out, size_t out_len)
{
    struct sy_w o = { .base = out, .p = out, .end = out + out_len, .fd = -1, .c_day = INT64_MIN };
    const char *reg = w->aws_regions[region];
    int64_t end = sy_ct_digest_start(ct, w, region, k) + SY_TICKS_PER_HOUR;

    SS_ASSERT(out_len >= 256);
    sy_ct_put_prefix(&o, w, "CloudTrail-Digest", reg, end);
    SY_LIT(&o, SY_CT_TRAIL);
    sy_putc(&o, '_');
    sy_puts(&o, w->aws_regions[0]);
    sy_putc(&o, '_');
    put_compact(&o, end);
    SY_LIT(&o, ".json.gz");
    *o.p = '\0';
}

/* ---- the key ---- */

/*
 * A 1024-bit prime from @r: a random odd candidate with its top two bits set (so that
 * the product of two is 2048 bits), stepped by 2 until prime with gcd(p - 1, e) = 1.
 */
static int gen_prime(struct sy_rng *r, BIGNUM *p, const BIGNUM *other, BN_CTX *bc)
{
    uint8_t b[RSA_PRIME_BYTES];

    for (size_t i = 0; i < RSA_PRIME_BYTES / 8; i++) {
        uint64_t v = sy_next(r);

        for (size_t j = 0; j < 8; j++)
            b[i * 8 + j] = (uint8_t)(v >> (56 - 8 * j));
    }
    b[0] |= 0xC0;
    b[RSA_PRIME_BYTES - 1] |= 1;
    if (BN_bin2bn(b, RSA_PRIME_BYTES, p) == NULL)
        return -ENOMEM;
    for (;;) {
        int pr = BN_check_prime(p, bc, NULL);

        if (pr < 0)
            return -ENOMEM;
        if (pr == 1 && BN_mod_word(p, RSA_E) != 1 && (other == NULL || BN_cmp(p, other) != 0))
            return 0;
        if (BN_add_word(p, 2) != 1)
            return -ENOMEM;
    }
}

static int key_from_factors(struct key *k, BIGNUM *p, BIGNUM *q, BN_CTX *bc)
{
    BIGNUM *n = BN_new(), *e = BN_new(), *d = BN_new(), *p1 = BN_new(), *q1 = BN_new();
    BIGNUM *g = BN_new(), *lcm = BN_new(), *dmp1 = BN_new(), *dmq1 = BN_new(), *iqmp = BN_new();
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pc = NULL;
    int r = -ENOMEM;

    if (n == NULL || e == NULL || d == NULL || p1 == NULL || q1 == NULL || g == NULL ||
        lcm == NULL || dmp1 == NULL || dmq1 == NULL || iqmp == NULL)
        goto out;
    if (BN_set_word(e, RSA_E) != 1 || BN_mul(n, p, q, bc) != 1 ||
        BN_sub(p1, p, BN_value_one()) != 1 || BN_sub(q1, q, BN_value_one()) != 1 ||
        BN_gcd(g, p1, q1, bc) != 1 || BN_mul(lcm, p1, q1, bc) != 1 ||
        BN_div(lcm, NULL, lcm, g, bc) != 1 || BN_mod_inverse(d, e, lcm, bc) == NULL ||
        BN_mod(dmp1, d, p1, bc) != 1 || BN_mod(dmq1, d, q1, bc) != 1 ||
        BN_mod_inverse(iqmp, q, p, bc) == NULL)
        goto out;
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp) != 1)
        goto out;
    params = OSSL_PARAM_BLD_to_param(bld);
    pc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (params == NULL || pc == NULL || EVP_PKEY_fromdata_init(pc) != 1 ||
        EVP_PKEY_fromdata(pc, &k->pkey, EVP_PKEY_KEYPAIR, params) != 1)
        goto out;
    r = 0;
out:
    EVP_PKEY_CTX_free(pc);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    BN_clear_free(d);
    BN_free(p1);
    BN_free(q1);
    BN_free(g);
    BN_free(lcm);
    BN_clear_free(dmp1);
    BN_clear_free(dmq1);
    BN_clear_free(iqmp);
    return r;
}

static int key_make(struct key *k, uint64_t seed)
{
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *p = BN_new(), *q = BN_new();
    uint8_t fp[SY_SHA256_LEN];
    unsigned char *w;
    struct sy_rng r;
    int len, rc = -ENOMEM;

    if (bc == NULL || p == NULL || q == NULL)
        goto out;
    sy_rng_seed(&r, seed, UINT64_C(0x7273612d32303438)); /* "rsa-2048" */
    rc = gen_prime(&r, p, NULL, bc);
    if (rc == 0)
        rc = gen_prime(&r, q, p, bc);
    if (rc == 0)
        rc = key_from_factors(k, p, q, bc);
    if (rc < 0)
        goto out;
    rc = -ENOMEM;
    len = i2d_PublicKey(k->pkey, NULL);
    if (len <= 0)
        goto out;
    k->der = ss_malloc((size_t)len);
    if (k->der == NULL)
        goto out;
    w = k->der;
    if (i2d_PublicKey(k->pkey, &w) != len)
        goto out;
    k->der_len = (size_t)len;
    rc = sy_sha256(k->der, k->der_len, fp);
    if (rc < 0)
        goto out;
    ss_hex_encode(fp, 16, k->fingerprint);
out:
    BN_clear_free(p);
    BN_clear_free(q);
    BN_CTX_free(bc);
    return rc;
}

static void key_release(struct key *k)
{
    EVP_PKEY_free(k->pkey);
    ss_free(k->der);
}

/* RSASSA-PKCS1-v1_5 with SHA-256 of @len bytes at @msg, as lower-case hex into @out. */
static int sign_hex(const struct key *k, const char *msg, size_t len, char out[2 * SIG_MAX + 1])
{
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    uint8_t sig[SIG_MAX];
    size_t n = sizeof(sig);
    int r = -ENOMEM;

    if (mc != NULL && EVP_DigestSignInit(mc, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
        EVP_DigestSign(mc, sig, &n, (const unsigned char *)msg, len) == 1) {
        ss_hex_encode(sig, n, out);
        r = 0;
    }
    EVP_MD_CTX_free(mc);
    return r;
}

/* ---- writing ---- */

static int write_gz(struct dg *g, const char *rel, const char *data, size_t len)
{
    size_t bound = libdeflate_gzip_compress_bound(g->gz, len), n;
    int r;

    if (bound > g->gz_cap) {
        char *nb = ss_realloc(g->gz_buf, bound);

        if (nb == NULL)
            return -ENOMEM;
        g->gz_buf = nb;
        g->gz_cap = bound;
    }
    n = libdeflate_gzip_compress(g->gz, data, len, g->gz_buf, g->gz_cap);
    if (n == 0)
        return ss_diag_set(g->d, SS_ELIMIT, rel, 0, 0, UINT64_MAX, "cannot compress");
    r = sy_write_file(g->root, rel, g->gz_buf, n, g->d);
    if (r == 0) {
        g->res->files++;
        g->res->bytes += n;
    }
    return r;
}

/* Write @g->small pretty-printed to @rel. */
static int write_pretty(struct dg *g, const char *rel)
{
    int r;

    sy_w_reset(&g->pretty, -1);
    r = sy_json_pretty(&g->pretty, g->small.base, sy_w_len(&g->small));
    if (r == 0)
        r = sy_write_file(g->root, rel, g->pretty.base, sy_w_len(&g->pretty), g->d);
    if (r == 0) {
        g->res->files++;
        g->res->bytes += sy_w_len(&g->pretty);
    }
    return r;
}

static void put_str_or_null(struct sy_w *o, const char *s)
{
    if (s == NULL) {
        SY_LIT(o, "null");
        return;
    }
    sy_putc(o, '"');
    sy_puts(o, s);
    sy_putc(o, '"');
}

static void put_time_or_null(struct sy_w *o, int64_t t, bool have)
{
    if (!have) {
        SY_LIT(o, "null");
        return;
    }
    sy_putc(o, '"');
    sy_put_ts(o, t);
    sy_putc(o, '"');
}

static int cmp_listed(const void *a, const void *b)
{
    return strcmp(((const struct listed *)a)->key, ((const struct listed *)b)->key);
}

/* The object key of log @i (its case path without the "aws/" bucket root). */
static int log_key(const struct dg *g, size_t i, char out[KEY_MAX])
{
    char rel[1024];
    size_t n;

    sy_file_path(g->w, &g->ct->logs[i].f, rel, sizeof(rel));
    n = strlen(rel);
    if (n < 4 || n - 4 >= KEY_MAX)
        return SS_ELIMIT;
    memcpy(out, rel + 4, n - 4 + 1);
    return 0;
}

/* The JSON of digest @k of @region over the logs order[@lo..@hi) into @g->json. */
static int build_digest(struct dg *g, uint32_t region, uint32_t k, const char *object,
                        const struct prev *pv, size_t lo, size_t hi)
{
    const struct sy_world *w = g->w;
    const char *bucket = w->aws_trail_bucket;
    int64_t start = sy_ct_digest_start(g->ct, w, region, k);
    int64_t oldest = INT64_MAX, newest = INT64_MIN;
    size_t n = hi - lo;
    struct sy_w *o = &g->json;
    int r;

    if (n > g->win_cap) {
        struct listed *nw = ss_reallocarray(g->win, n, sizeof(*nw));

        if (nw == NULL)
            return -ENOMEM;
        g->win = nw;
        g->win_cap = n;
    }
    for (size_t i = 0; i < n; i++) {
        const struct sy_ct_log *l = &g->ct->logs[g->order[lo + i].log];

        g->win[i].log = g->order[lo + i].log;
        r = log_key(g, g->win[i].log, g->win[i].key);
        if (r < 0)
            return r;
        if (l->newest >= l->oldest) {
            oldest = SS_MIN(oldest, l->oldest);
            newest = SS_MAX(newest, l->newest);
        }
    }
    if (n > 1)
        qsort(g->win, n, sizeof(*g->win), cmp_listed);
    sy_w_reset(o, -1);
    r = sy_w_reserve(o, 4096 + n * 1024);
    if (r < 0)
        return r;
    SY_LIT(o, "{\"awsAccountId\":\"");
    sy_puts(o, w->aws_acct);
    SY_LIT(o, "\",\"digestStartTime\":\"");
    sy_put_ts(o, start);
    SY_LIT(o, "\",\"digestEndTime\":\"");
    sy_put_ts(o, start + SY_TICKS_PER_HOUR);
    SY_LIT(o, "\",\"digestS3Bucket\":\"");
    sy_puts(o, bucket);
    SY_LIT(o, "\",\"digestS3Object\":\"");
    sy_puts(o, object);
    SY_LIT(o, "\",\"digestPublicKeyFingerprint\":\"");
    sy_puts(o, g->key.fingerprint);
    SY_LIT(o, "\",\"digestSignatureAlgorithm\":\"SHA256withRSA\",\"newestEventTime\":");
    put_time_or_null(o, newest, newest >= oldest);
    SY_LIT(o, ",\"oldestEventTime\":");
    put_time_or_null(o, oldest, newest >= oldest);
    SY_LIT(o, ",\"previousDigestS3Bucket\":");
    put_str_or_null(o, pv->have ? bucket : NULL);
    SY_LIT(o, ",\"previousDigestS3Object\":");
    put_str_or_null(o, pv->have ? pv->object : NULL);
    SY_LIT(o, ",\"previousDigestHashValue\":");
    put_str_or_null(o, pv->have ? pv->hash : NULL);
    SY_LIT(o, ",\"previousDigestHashAlgorithm\":");
    put_str_or_null(o, pv->have ? "SHA-256" : NULL);
    SY_LIT(o, ",\"previousDigestSignature\":");
    put_str_or_null(o, pv->have ? pv->sig : NULL);
    SY_LIT(o, ",\"logFiles\":[");
    for (size_t i = 0; i < n; i++) {
        const struct sy_ct_log *l = &g->ct->logs[g->win[i].log];
        char h[2 * SY_SHA256_LEN + 1];

        ss_hex_encode(l->sha256, SY_SHA256_LEN, h);
        if (i > 0)
            sy_putc(o, ',');
        SY_LIT(o, "{\"s3Bucket\":\"");
        sy_puts(o, bucket);
        SY_LIT(o, "\",\"s3Object\":\"");
        sy_puts(o, g->win[i].key);
        SY_LIT(o, "\",\"hashValue\":\"");
        sy_puts(o, h);
        SY_LIT(o, "\",\"hashAlgorithm\":\"SHA-256\",\"newestEventTime\":");
        put_time_or_null(o, l->newest, l->newest >= l->oldest);
        SY_LIT(o, ",\"oldestEventTime\":");
        put_time_or_null(o, l->oldest, l->newest >= l->oldest);
        sy_putc(o, '}');
    }
    SY_LIT(o, "]}");
    return 0;
}

/* The metadata S3 keeps with the newest digest: its signature (aws s3api head-object). */
static int write_sidecar(struct dg *g, const char *rel, const char *sig)
{
    char path[512];
    int r;

    snprintf(path, sizeof(path), "%s.metadata.json", rel);
    sy_w_reset(&g->small, -1);
    r = sy_w_reserve(&g->small, 2048);
    if (r < 0)
        return r;
    SY_LIT(&g->small, "{\"ContentType\":\"application/json\",\"ContentEncoding\":\"gzip\","
                      "\"Metadata\":{\"signature\":\"");
    sy_puts(&g->small, sig);
    SY_LIT(&g->small, "\",\"signature-algorithm\":\"SHA256withRSA\"}}");
    return write_pretty(g, path);
}

static int write_chain(struct dg *g, uint32_t region, size_t *pos)
{
    const struct sy_ct *ct = g->ct;
    const struct sy_world *w = g->w;
    struct prev pv = { .have = false };
    char rel[256];
    int r;

    for (uint32_t k = 0; k < ct->n_digests[region]; k++) {
        int64_t end = sy_ct_digest_start(ct, w, region, k) + SY_TICKS_PER_HOUR;
        size_t lo = *pos, tbs;
        uint8_t h[SY_SHA256_LEN];
        struct sy_w *s = &g->small;

        while (*pos < ct->n_logs && g->order[*pos].region == region &&
               g->order[*pos].delivered < end)
            (*pos)++;
        sy_ct_digest_path(ct, w, region, k, rel, sizeof(rel));
        r = build_digest(g, region, k, rel + 4, &pv, lo, *pos);
        if (r == 0)
            r = sy_sha256(g->json.base, sy_w_len(&g->json), h);
        if (r < 0)
            return ss_diag_set(g->d, r, rel, 0, 0, UINT64_MAX, "cannot build digest: %s",
                               ss_strerror(r));
        /* string_to_sign, formats.md 6.3 step 2 */
        sy_w_reset(s, -1);
        r = sy_w_reserve(s, 4096);
        if (r < 0)
            return r;
        sy_put_ts(s, end);
        sy_putc(s, '\n');
        sy_puts(s, w->aws_trail_bucket);
        sy_putc(s, '/');
        sy_puts(s, rel + 4);
        sy_putc(s, '\n');
        ss_hex_encode(h, SY_SHA256_LEN, pv.hash);
        sy_puts(s, pv.hash);
        sy_putc(s, '\n');
        if (pv.have)
            sy_puts(s, pv.sig);
        else
            SY_LIT(s, "null");
        tbs = sy_w_len(s);
        r = sign_hex(&g->key, s->base, tbs, pv.sig);
        if (r < 0)
            return ss_diag_set(g->d, r, rel, 0, 0, UINT64_MAX, "cannot sign digest");
        if (!(region == ct->digest_region && k == ct->deleted_digest)) {
            r = write_gz(g, rel, g->json.base, sy_w_len(&g->json));
            if (r < 0)
                return r;
        }
        if (k + 1 == ct->n_digests[region]) {
            r = write_sidecar(g, rel, pv.sig);
            if (r < 0)
                return r;
        }
        memcpy(pv.object, rel + 4, strlen(rel + 4) + 1);
        pv.have = true;
    }
    return 0;
}

/* aws/list-public-keys.json: what `aws cloudtrail list-public-keys` prints for the key. */
static int write_public_keys(struct dg *g)
{
    struct sy_w *o = &g->small;
    size_t b64_len = 4 * ((g->key.der_len + 2) / 3);
    int r;

    sy_w_reset(o, -1);
    r = sy_w_reserve(o, 512 + b64_len);
    if (r < 0)
        return r;
    SY_LIT(o, "{\"PublicKeyList\":[{\"Value\":\"");
    if (EVP_EncodeBlock((unsigned char *)o->p, g->key.der, (int)g->key.der_len) != (int)b64_len)
        return -ENOMEM;
    o->p += b64_len;
    SY_LIT(o, "\",\"ValidityStartTime\":\"");
    sy_put_ts(o, g->w->start);
    SY_LIT(o, "\",\"ValidityEndTime\":\"");
    sy_put_ts(o, g->w->end + SY_TICKS_PER_DAY);
    SY_LIT(o, "\",\"Fingerprint\":\"");
    sy_puts(o, g->key.fingerprint);
    SY_LIT(o, "\"}]}");
    return write_pretty(g, "aws/list-public-keys.json");
}

static int cmp_delivery(const void *a, const void *b)
{
    const struct ord *x = a, *y = b;

    if (x->region != y->region)
        return x->region < y->region ? -1 : 1;
    if (x->delivered != y->delivered)
        return x->delivered < y->delivered ? -1 : 1;
    return x->log < y->log ? -1 : x->log > y->log;
}

int sy_ct_write_digests(const struct sy_ct *ct, const struct sy_world *w, const char *root,
                        struct sy_result *res, struct ss_diag *reterr_diag)
{
    struct dg g = { .ct = ct, .w = w, .root = root, .res = res, .d = reterr_diag };
    size_t pos = 0;
    int r;

    sy_w_init(&g.json, -1);
    sy_w_init(&g.small, -1);
    sy_w_init(&g.pretty, -1);
    g.gz = libdeflate_alloc_compressor(DIGEST_GZIP_LEVEL);
    g.order = ss_calloc(ct->n_logs != 0 ? ct->n_logs : 1, sizeof(*g.order));
    r = g.gz == NULL || g.order == NULL ? -ENOMEM : key_make(&g.key, w->seed);
    if (r < 0) {
        ss_diag_set(reterr_diag, r, root, 0, 0, UINT64_MAX, "cannot make the digest key: %s",
                    ss_strerror(r));
        goto out;
    }
    for (size_t i = 0; i < ct->n_logs; i++)
        g.order[i] = (struct ord){ .region = ct->logs[i].f.owner,
                                   .delivered = ct->logs[i].delivered,
                                   .log = i };
    qsort(g.order, ct->n_logs, sizeof(*g.order), cmp_delivery);
    for (uint32_t reg = 0; reg < SY_AWS_REGIONS && r == 0; reg++)
        r = write_chain(&g, reg, &pos);
    if (r == 0 && !SS_ALWAYS(pos == ct->n_logs))
        r = ss_diag_set(reterr_diag, SS_ELIMIT, root, 0, 0, UINT64_MAX,
                        "log files delivered outside every digest window");
    if (r == 0)
        r = write_public_keys(&g);
out:
    key_release(&g.key);
    libdeflate_free_compressor(g.gz);
    ss_free(g.gz_buf);
    ss_free(g.order);
    ss_free(g.win);
    sy_w_release(&g.json);
    sy_w_release(&g.small);
    sy_w_release(&g.pretty);
    return r;
}

void sy_ct_release(struct sy_ct *ct)
{
    ss_free(ct->logs);
    *ct = (struct sy_ct){ 0 };
}
