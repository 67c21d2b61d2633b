/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/cloudtrail.c - implements CloudTrail log file integrity validation: the
 * public-key list reader, the digest parser, and the chain walk that checks links,
 * hashes, RSA signatures and coverage and turns every problem into a finding.
 */
#include "evidence/cloudtrail.h"

#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/ss_time.h"
#include "evidence/base64.h"
#include "evidence/evidence_int.h"
#include "json/json.h"

#include <openssl/x509.h>

#define CT_ARENA_MAX ((size_t)1 << 30)
#define CT_MAX_SIG_HEX 2048u /* RSA-8192 */
#define CT_LINK_SLACK_US (60 * SS_TIME_US_PER_SEC)

static const struct ss_ct_check_info ct_checks[] = {
    { "cloudtrail.digest-altered", "CloudTrail digest file changed after its successor was signed",
      SS_SEV_CRITICAL },
    { "cloudtrail.digest-chain", "CloudTrail digest chain: what was verified", SS_SEV_INFO },
    { "cloudtrail.digest-chain-break",
      "CloudTrail digest chain restarts or leaves a period uncovered", SS_SEV_MEDIUM },
    { "cloudtrail.digest-invalid", "CloudTrail digest file cannot be used", SS_SEV_HIGH },
    { "cloudtrail.digest-key-unknown", "CloudTrail digest signed with a key that is not AWS's",
      SS_SEV_HIGH },
    { "cloudtrail.digest-misplaced", "CloudTrail digest not where it says it was written",
      SS_SEV_HIGH },
    { "cloudtrail.digest-missing", "CloudTrail digest file missing from the chain", SS_SEV_HIGH },
    { "cloudtrail.digests-absent", "CloudTrail log files without any digest", SS_SEV_MEDIUM },
    { "cloudtrail.digest-signature-invalid", "CloudTrail digest signature does not verify",
      SS_SEV_CRITICAL },
    { "cloudtrail.log-altered", "CloudTrail log file does not match the hash in its digest",
      SS_SEV_CRITICAL },
    { "cloudtrail.log-missing", "CloudTrail log file listed in a digest is missing", SS_SEV_HIGH },
    { "cloudtrail.log-uncovered", "CloudTrail log files outside the period the digests cover",
      SS_SEV_LOW },
    { "cloudtrail.log-unlisted", "CloudTrail log file not listed in any digest", SS_SEV_MEDIUM },
};

size_t ss_ct_checks(const struct ss_ct_check_info **ret)
{
    *ret = ct_checks;
    return SS_ARRAY_LEN(ct_checks);
}

/* ---- keys ---- */

struct ct_key {
    char fpr[129];
    int64_t from_us, to_us; /* validity; INT64_MIN / INT64_MAX when not given */
    EVP_PKEY *pkey;
};

struct ss_ct_keys {
    struct ct_key *items;
    size_t len, cap;
};

int ss_ct_keys_new(struct ss_ct_keys **ret)
{
    struct ss_ct_keys *k = ss_calloc(1, sizeof(*k));

    if (k == NULL)
        return -ENOMEM;
    *ret = k;
    return 0;
}

void ss_ct_keys_free(struct ss_ct_keys *keys)
{
    if (keys == NULL)
        return;
    for (size_t i = 0; i < keys->len; i++)
        EVP_PKEY_free(keys->items[i].pkey);
    ss_free(keys->items);
    ss_free(keys);
}

size_t ss_ct_keys_count(const struct ss_ct_keys *keys)
{
    return keys != NULL ? keys->len : 0;
}

static bool key_is(const struct ss_json_val *k, const char *name)
{
    return k->type == SS_JSON_STRING && ss_json_str_eq(k, name, strlen(name), false);
}

/* Copy string @v into @out (@out_len bytes). SS_ESYNTAX if not a string, SS_ELIMIT if long. */
static int str_field(const struct ss_json_val *v, char *out, size_t out_len)
{
    long long n;

    if (v->type != SS_JSON_STRING)
        return SS_ESYNTAX;
    n = ss_json_str_copy(v, out, out_len);
    if (n < 0)
        return SS_ESYNTAX;
    if ((unsigned long long)n >= out_len)
        return SS_ELIMIT;
    return 0;
}

static int key_time(const struct ss_json_val *v, int64_t dflt, int64_t *ret)
{
    char s[64];

    if (v->type == SS_JSON_MISSING || v->type == SS_JSON_NULL) {
        *ret = dflt;
        return 0;
    }
    if (v->type == SS_JSON_NUMBER) {
        double d;

        /* the CLI prints ISO text; boto3 JSON may carry epoch seconds */
        if (ss_json_number(v, &d) != 0 || d < 0 || d > 32503680000.0)
            return SS_ESYNTAX;
        *ret = (int64_t)d * SS_TIME_US_PER_SEC;
        return 0;
    }
    if (str_field(v, s, sizeof(s)) != 0 || ss_time_parse(s, strlen(s), ret) != 0)
        return SS_ESYNTAX;
    return 0;
}

static int decode_key(const struct ss_json_val *v, EVP_PKEY **ret)
{
    struct ss_buf raw, der;
    const unsigned char *p;
    EVP_PKEY *pkey;
    int r;

    ss_buf_init(&raw, 1 << 16);
    ss_buf_init(&der, 1 << 16);
    r = v->type == SS_JSON_STRING ? ss_json_unescape(v, &raw) : SS_ESYNTAX;
    if (r == 0)
        r = ss_base64_decode(raw.ptr, raw.len, &der);
    if (r == 0) {
        p = (const unsigned char *)der.ptr;
        pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)der.len);
        if (pkey == NULL) {
            p = (const unsigned char *)der.ptr;
            pkey = d2i_PUBKEY(NULL, &p, (long)der.len);
        }
        if (pkey == NULL || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
            EVP_PKEY_free(pkey);
            r = SS_ESYNTAX;
        } else {
            *ret = pkey;
        }
    }
    ss_buf_release(&raw);
    ss_buf_release(&der);
    return r;
}

static int parse_key_entry(const struct ss_json_val *entry, struct ct_key *k, const char **why)
{
    struct ss_json_val key, val, value = { 0 }, from = { 0 }, to = { 0 }, fpr = { 0 };
    size_t cur = 0;
    int r;

    if (entry->type != SS_JSON_OBJECT) {
        *why = "entry is not an object";
        return SS_ESYNTAX;
    }
    while ((r = ss_json_iter_next(entry, &cur, &key, &val)) == 1) {
        if (key_is(&key, "Value"))
            value = val;
        else if (key_is(&key, "ValidityStartTime"))
            from = val;
        else if (key_is(&key, "ValidityEndTime"))
            to = val;
        else if (key_is(&key, "Fingerprint"))
            fpr = val;
    }
    if (r < 0) {
        *why = "malformed entry";
        return SS_ESYNTAX;
    }
    if (str_field(&fpr, k->fpr, sizeof(k->fpr)) != 0 || k->fpr[0] == '\0') {
        *why = "Fingerprint missing or not a string of at most 128 bytes";
        return SS_ESYNTAX;
    }
    if (key_time(&from, INT64_MIN, &k->from_us) != 0 || key_time(&to, INT64_MAX, &k->to_us) != 0) {
        *why = "ValidityStartTime or ValidityEndTime is not a time";
        return SS_ESYNTAX;
    }
    r = decode_key(&value, &k->pkey);
    if (r == -ENOMEM)
        return r;
    if (r < 0) {
        *why = "Value is not the base64 DER of an RSA public key";
        return SS_ESYNTAX;
    }
    return 0;
}

int ss_ct_keys_parse(struct ss_ct_keys *keys, const char *text, size_t len, const char *name,
                     struct ss_diag *reterr_diag)
{
    struct ss_json_val doc = { 0 }, list, key, val;
    size_t cur = 0, before = keys->len, n = 0;
    int r;

    if (len > SS_CT_MAX_KEYS_FILE)
        return ss_diag_set(reterr_diag, SS_ELIMIT, name, 0, 0, 0, "key list over %zu bytes",
                           SS_CT_MAX_KEYS_FILE);
    r = ss_json_validate(text, len, NULL, reterr_diag);
    if (r < 0) {
        ss_diag_set_file(reterr_diag, name);
        return r;
    }
    {
        size_t b = ss_json_skip_ws(text, len, 0), e = len;

        while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\n' || text[e - 1] == '\r' ||
                         text[e - 1] == '\t'))
            e--;
        doc.ptr = text + b;
        doc.len = e - b;
        doc.type = b < len && text[b] == '{'   ? SS_JSON_OBJECT
                   : b < len && text[b] == '[' ? SS_JSON_ARRAY
                                               : SS_JSON_MISSING;
    }
    list = doc;
    if (doc.type == SS_JSON_OBJECT) {
        list.type = SS_JSON_MISSING;
        while ((r = ss_json_iter_next(&doc, &cur, &key, &val)) == 1)
            if (key_is(&key, "PublicKeyList"))
                list = val;
        cur = 0;
    }
    if (list.type != SS_JSON_ARRAY)
        return ss_diag_set(reterr_diag, SS_ESYNTAX, name, 0, 0, 0,
                           "not a key list: expected {\"PublicKeyList\":[...]} or an array");
    while ((r = ss_json_iter_next(&list, &cur, NULL, &val)) == 1) {
        struct ct_key k = { 0 };
        const char *why = "";

        n++;
        if (keys->len >= SS_CT_MAX_KEYS) {
            r = ss_diag_set(reterr_diag, SS_ELIMIT, name, 0, 0, (uint64_t)(val.ptr - text),
                            "more than %u keys", SS_CT_MAX_KEYS);
            goto fail;
        }
        r = parse_key_entry(&val, &k, &why);
        if (r < 0) {
            if (r != -ENOMEM)
                r = ss_diag_set(reterr_diag, r, name, 0, 0, (uint64_t)(val.ptr - text),
                                "key %zu: %s", n, why);
            goto fail;
        }
        if (keys->len == keys->cap) {
            size_t nc = keys->cap == 0 ? 8 : keys->cap * 2;
            struct ct_key *ni = ss_reallocarray(keys->items, nc, sizeof(*ni));

            if (ni == NULL) {
                EVP_PKEY_free(k.pkey);
                r = -ENOMEM;
                goto fail;
            }
            keys->items = ni;
            keys->cap = nc;
        }
        keys->items[keys->len++] = k;
    }
    if (r < 0) {
        r = ss_diag_set(reterr_diag, SS_ESYNTAX, name, 0, 0, 0, "malformed key list");
        goto fail;
    }
    return 0;
fail:
    while (keys->len > before)
        EVP_PKEY_free(keys->items[--keys->len].pkey);
    return r;
}

int ss_ct_keys_load(struct ss_ct_keys *keys, const char *path, struct ss_diag *reterr_diag)
{
    struct ss_buf b;
    int r;

    ss_buf_init(&b, SS_CT_MAX_KEYS_FILE + 1);
    r = ss_evidence_read_file(path, SS_CT_MAX_KEYS_FILE, &b);
    if (r < 0)
        r = ss_diag_set(reterr_diag, r, path, 0, 0, 0, "cannot read the key list: %s",
                        ss_strerror(r));
    else
        r = ss_ct_keys_parse(keys, b.ptr != NULL ? b.ptr : "", b.len, path, reterr_diag);
    ss_buf_release(&b);
    return r;
}

static const struct ct_key *find_key(const struct ss_ct_keys *keys, const char *fpr, int64_t t)
{
    for (size_t i = 0; i < keys->len; i++) {
        const struct ct_key *k = &keys->items[i];
        size_t a = strlen(k->fpr), b = strlen(fpr);
        bool same = a == b;

        for (size_t j = 0; same && j < a; j++)
            same = (k->fpr[j] | 0x20) == (fpr[j] | 0x20);
        if (same && t >= k->from_us && t <= k->to_us)
            return k;
    }
    return NULL;
}

/* ---- S3 key layout ---- */

struct ct_path {
    size_t root_len; /* bytes before "AWSLogs/" */
    struct ss_str account, kind, region, name;
    struct ss_str trail, home; /* digests */
    bool backfill;             /* a "_backfill" digest (late log files of an hour) */
    int64_t t_us;              /* the time in the name */
};

static struct ss_str seg(const char **p, const char *end)
{
    const char *s = *p, *slash = memchr(s, '/', (size_t)(end - s));
    struct ss_str r = { s, (size_t)((slash != NULL ? slash : end) - s) };

    *p = slash != NULL ? slash + 1 : end;
    return r;
}

static bool digits(const char *s, size_t n, unsigned *ret)
{
    unsigned v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *ret = v;
    return true;
}

/* "YYYYMMDDTHHmm[ss]Z" (@with_seconds) at @s. */
static bool compact_time(const char *s, size_t len, bool with_seconds, int64_t *ret)
{
    unsigned y, mo, d, h, mi, sec = 0;
    size_t need = with_seconds ? 16 : 14;

    if (len != need || s[8] != 'T' || s[need - 1] != 'Z' || !digits(s, 4, &y) ||
        !digits(s + 4, 2, &mo) || !digits(s + 6, 2, &d) || !digits(s + 9, 2, &h) ||
        !digits(s + 11, 2, &mi) || (with_seconds && !digits(s + 13, 2, &sec)))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return false;
    *ret = ((ss_time_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 * SS_TIME_US_PER_SEC +
           (int64_t)sec * SS_TIME_US_PER_SEC;
    return true;
}

static bool eat(struct ss_str *s, const char *p, size_t n)
{
    if (s->len < n || memcmp(s->ptr, p, n) != 0)
        return false;
    s->ptr += n;
    s->len -= n;
    return true;
}

static bool eat_str(struct ss_str *s, struct ss_str p)
{
    return eat(s, p.ptr, p.len);
}

/*
 * Parse "[ROOT][AWSLogs/][o-org/]ACCOUNT/{CloudTrail|CloudTrail-Digest}/REGION/YYYY/MM/DD/
 * NAME" with NAME as CloudTrail writes it (formats.md 6.1). ROOT ends where the S3 key's
 * "AWSLogs/" begins; an export copied from inside AWSLogs/ (or the org folder) has no
 * such folder, and ROOT then ends before the org or account folder. False if it does not
 * fit.
 */
#define CT_MAX_SEGS 64

static bool ct_path_parse(const char *rel, size_t len, struct ct_path *p)
{
    const char *end = rel + len, *s = rel;
    struct ss_str sg[CT_MAX_SEGS], y, m, d, name;
    size_t n = 0, k;
    unsigned uy, um, ud;

    while (s < end && n < CT_MAX_SEGS)
        sg[n++] = seg(&s, end);
    if (s != end || n < 7)
        return false;
    k = n - 6; /* the kind folder: REGION, YYYY, MM, DD and NAME follow it */
    memset(p, 0, sizeof(*p));
    p->kind = sg[k];
    p->account = sg[k - 1];
    p->root_len = (size_t)(sg[k - 1].ptr - rel);
    if (k >= 2 && sg[k - 2].len > 2 && memcmp(sg[k - 2].ptr, "o-", 2) == 0) {
        p->root_len = (size_t)(sg[k - 2].ptr - rel);
        k--;
    }
    if (k >= 2 && sg[k - 2].len == 7 && memcmp(sg[k - 2].ptr, "AWSLogs", 7) == 0)
        p->root_len = (size_t)(sg[k - 2].ptr - rel);
    p->region = sg[n - 5];
    y = sg[n - 4];
    m = sg[n - 3];
    d = sg[n - 2];
    name = sg[n - 1];
    if (name.len == 0 || p->account.len == 0 || p->region.len == 0 || y.len != 4 || m.len != 2 ||
        d.len != 2 || !digits(y.ptr, 4, &uy) || !digits(m.ptr, 2, &um) || !digits(d.ptr, 2, &ud))
        return false;
    p->name = name;
    if (!eat_str(&name, p->account) || !eat(&name, "_", 1))
        return false;
    if (p->kind.len == 17 && memcmp(p->kind.ptr, "CloudTrail-Digest", 17) == 0) {
        const char *u1, *u2;

        if (!eat(&name, "CloudTrail-Digest_", 18) || !eat_str(&name, p->region) ||
            !eat(&name, "_", 1) || name.len < 8 ||
            memcmp(name.ptr + name.len - 8, ".json.gz", 8) != 0)
            return false;
        name.len -= 8;
        if (name.len > 9 && memcmp(name.ptr + name.len - 9, "_backfill", 9) == 0) {
            p->backfill = true;
            name.len -= 9;
        }
        if (name.len < 17 || name.ptr[name.len - 17] != '_' ||
            !compact_time(name.ptr + name.len - 16, 16, true, &p->t_us))
            return false;
        name.len -= 17;
        for (u2 = name.ptr + name.len; u2 > name.ptr && u2[-1] != '_'; u2--)
            ;
        if (u2 == name.ptr)
            return false;
        u1 = u2 - 1;
        p->home.ptr = u2;
        p->home.len = (size_t)(name.ptr + name.len - u2);
        p->trail.ptr = name.ptr;
        p->trail.len = (size_t)(u1 - name.ptr);
        return p->trail.len > 0 && p->home.len > 0;
    }
    if (p->kind.len == 10 && memcmp(p->kind.ptr, "CloudTrail", 10) == 0)
        return eat(&name, "CloudTrail_", 11) && eat_str(&name, p->region) && eat(&name, "_", 1) &&
               name.len > 15 && name.ptr[14] == '_' && compact_time(name.ptr, 14, false, &p->t_us);
    return false;
}

/* ---- digests ---- */

struct ct_log {
    const char *bucket, *object;
    uint8_t hash[SS_SHA256_LEN];
    int64_t oldest_us, newest_us; /* 0 when null */
};

struct ct_digest {
    const struct ss_ct_file *f;
    size_t file_ix;        /* index of @f in the caller's array */
    const char *root;      /* bucket root in the case ("" or ends with '/') */
    const char *strip;     /* leading part of the S3 keys that the export left out */
    const char *group;     /* root|account|region|trail */
    size_t region_key_len; /* length of its "root|account|region|" prefix */
    const char *account, *bucket, *object, *fpr, *start_s, *end_s, *trail, *home, *reg;
    int64_t start_us, end_us;
    bool has_prev;
    bool backfill; /* "_backfill" digest: not a link of the hourly chain */
    const char *prev_object, *prev_sig;
    uint8_t prev_hash[SS_SHA256_LEN];
    struct ct_log *logs;
    size_t n_logs;
    /* the walk */
    struct ct_digest *next; /* the digest that links to this one */
    size_t n_next;
    const char *sidecar_sig;
};

struct ct {
    const struct ss_ct_file *files;
    size_t n;
    const struct ss_ct_keys *keys;
    struct ss_findings *out;
    struct ss_ct_stats st;
    struct ss_arena a;
    const struct ss_ct_file **by_rel; /* sorted by rel */
    struct ct_digest **dg_of;         /* per file index: its parsed digest or NULL */
    bool *listed;                     /* per file index: some digest lists it */
    struct ct_digest *dg;
    size_t n_dg;
    struct ct_digest **gaps; /* digests whose predecessor is missing */
    size_t n_gaps;
    struct ss_buf tmp;
};

static int rel_cmp(const void *a, const void *b)
{
    const struct ss_ct_file *x = *(const struct ss_ct_file *const *)a;
    const struct ss_ct_file *y = *(const struct ss_ct_file *const *)b;
    int c = strcmp(x->rel, y->rel);

    if (c != 0)
        return c;
    return x->input < y->input ? -1 : x->input > y->input;
}

/* The file whose relative path is @a (@a_len bytes) followed by the C string @b. */
static const struct ss_ct_file *find_rel(const struct ct *C, const char *a, size_t a_len,
                                         const char *b)
{
    size_t lo = 0, hi = C->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *r = C->by_rel[mid]->rel;
        size_t r_len = strlen(r);
        int c = memcmp(r, a, SS_MIN(r_len, a_len));

        if (c == 0)
            c = r_len < a_len ? -1 : strcmp(r + a_len, b);
        if (c == 0)
            return C->by_rel[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static size_t file_ix(const struct ct *C, const struct ss_ct_file *f)
{
    return (size_t)(f - C->files);
}

/* A string member into the arena; "" for null when @nullable. */
static int dg_str(struct ct *C, const struct ss_json_val *v, bool nullable, const char **ret)
{
    char *s;
    long long n;

    if (nullable && v->type == SS_JSON_NULL) {
        *ret = NULL;
        return 0;
    }
    if (v->type != SS_JSON_STRING)
        return SS_ESYNTAX;
    n = ss_json_str_copy(v, NULL, 0);
    if (n < 0)
        return SS_ESYNTAX;
    if ((unsigned long long)n >= SS_CT_MAX_FIELD)
        return SS_ELIMIT;
    s = ss_arena_alloc(&C->a, (size_t)n + 1);
    if (s == NULL)
        return -ENOMEM;
    if (ss_json_str_copy(v, s, (size_t)n + 1) != n || strlen(s) != (size_t)n)
        return SS_ESYNTAX; /* an escaped NUL */
    *ret = s;
    return 0;
}

static int dg_time(const char *s, bool nullable, int64_t *ret)
{
    if (s == NULL) {
        *ret = 0;
        return nullable ? 0 : SS_ESYNTAX;
    }
    return ss_time_parse(s, strlen(s), ret);
}

static bool is_hex(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);

    if (n < min || n > max || n % 2 != 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f')))
            return false;
    return true;
}

/* Fields seen once each: a duplicate makes the digest ambiguous, so it is rejected. */
static int once(unsigned *seen, unsigned bit, const char **why)
{
    if (*seen & bit) {
        *why = "a member appears twice";
        return SS_ESYNTAX;
    }
    *seen |= bit;
    return 0;
}

static int parse_log(struct ct *C, const struct ss_json_val *e, struct ct_log *L, const char **why)
{
    struct ss_json_val key, val;
    const char *hash = NULL, *alg = NULL, *newest = NULL, *oldest = NULL;
    size_t cur = 0;
    unsigned seen = 0;
    int r;

    if (e->type != SS_JSON_OBJECT) {
        *why = "a logFiles entry is not an object";
        return SS_ESYNTAX;
    }
    memset(L, 0, sizeof(*L));
    while ((r = ss_json_iter_next(e, &cur, &key, &val)) == 1) {
        const char **dst = NULL;
        unsigned bit = 0;

        if (key_is(&key, "s3Bucket"))
            dst = &L->bucket, bit = 1;
        else if (key_is(&key, "s3Object"))
            dst = &L->object, bit = 2;
        else if (key_is(&key, "hashValue"))
            dst = &hash, bit = 4;
        else if (key_is(&key, "hashAlgorithm"))
            dst = &alg, bit = 8;
        else if (key_is(&key, "newestEventTime"))
            dst = &newest, bit = 16;
        else if (key_is(&key, "oldestEventTime"))
            dst = &oldest, bit = 32;
        if (dst == NULL)
            continue;
        r = once(&seen, bit, why);
        if (r == 0)
            r = dg_str(C, &val, bit >= 16, dst);
        if (r < 0) {
            if (r != -ENOMEM && **why == '\0')
                *why = "a logFiles member has the wrong type or is too long";
            return r;
        }
    }
    if (r < 0) {
        *why = "malformed logFiles entry";
        return SS_ESYNTAX;
    }
    if (L->object == NULL || L->object[0] == '\0' || hash == NULL || alg == NULL) {
        *why = "a logFiles entry lacks s3Object, hashValue or hashAlgorithm";
        return SS_ESYNTAX;
    }
    if (strcmp(alg, "SHA-256") != 0) {
        *why = "a logFiles entry uses a hash algorithm other than SHA-256";
        return SS_EUNSUPPORTED;
    }
    if (ss_sha256_from_hex(hash, strlen(hash), L->hash) != 0) {
        *why = "a logFiles hashValue is not 64 hex digits";
        return SS_ESYNTAX;
    }
    if (dg_time(newest, true, &L->newest_us) != 0 || dg_time(oldest, true, &L->oldest_us) != 0) {
        *why = "a logFiles event time is not a time";
        return SS_ESYNTAX;
    }
    if (L->bucket == NULL)
        L->bucket = "";
    return 0;
}

enum {
    F_ACCOUNT,
    F_START,
    F_END,
    F_BUCKET,
    F_OBJECT,
    F_FPR,
    F_ALG,
    F_PREV_BUCKET,
    F_PREV_OBJECT,
    F_PREV_HASH,
    F_PREV_ALG,
    F_PREV_SIG,
    F__STR
};

static const char *const dg_names[F__STR] = {
    [F_ACCOUNT] = "awsAccountId",
    [F_START] = "digestStartTime",
    [F_END] = "digestEndTime",
    [F_BUCKET] = "digestS3Bucket",
    [F_OBJECT] = "digestS3Object",
    [F_FPR] = "digestPublicKeyFingerprint",
    [F_ALG] = "digestSignatureAlgorithm",
    [F_PREV_BUCKET] = "previousDigestS3Bucket",
    [F_PREV_OBJECT] = "previousDigestS3Object",
    [F_PREV_HASH] = "previousDigestHashValue",
    [F_PREV_ALG] = "previousDigestHashAlgorithm",
    [F_PREV_SIG] = "previousDigestSignature",
};

static int parse_logs(struct ct *C, const struct ss_json_val *arr, struct ct_digest *D,
                      const char **why)
{
    struct ss_json_val val;
    size_t cur = 0, n = 0;
    int r;

    if (arr->type != SS_JSON_ARRAY) {
        *why = "logFiles is not an array";
        return SS_ESYNTAX;
    }
    while ((r = ss_json_iter_next(arr, &cur, NULL, &val)) == 1)
        n++;
    if (r < 0) {
        *why = "malformed logFiles";
        return SS_ESYNTAX;
    }
    if (n > SS_CT_MAX_DIGEST_LOGS) {
        *why = "logFiles has more entries than the cap";
        return SS_ELIMIT;
    }
    D->logs = n > 0 ? ss_arena_calloc(&C->a, n, sizeof(*D->logs)) : NULL;
    if (n > 0 && D->logs == NULL)
        return -ENOMEM;
    cur = 0;
    while ((r = ss_json_iter_next(arr, &cur, NULL, &val)) == 1) {
        r = parse_log(C, &val, &D->logs[D->n_logs], why);
        if (r < 0)
            return r;
        D->n_logs++;
    }
    return 0;
}

static int parse_digest(struct ct *C, const struct ss_ct_file *f, struct ct_digest *D,
                        const char **why)
{
    struct ss_json_val doc = { SS_JSON_OBJECT, f->text, f->text_len, false }, key, val;
    struct ss_json_val logs = { 0 };
    const char *s[F__STR] = { 0 };
    size_t cur = 0;
    unsigned seen = 0;
    int r;

    *why = "";
    if (f->text == NULL) {
        *why = "its text could not be read, or was over the review's cap on digest text";
        return SS_ESYNTAX;
    }
    if (f->text_len < 2 || f->text[0] != '{') {
        *why = "not a JSON object";
        return SS_ESYNTAX;
    }
    while ((r = ss_json_iter_next(&doc, &cur, &key, &val)) == 1) {
        if (key_is(&key, "logFiles")) {
            if (logs.type != SS_JSON_MISSING) {
                *why = "a member appears twice";
                return SS_ESYNTAX;
            }
            logs = val;
            continue;
        }
        for (unsigned i = 0; i < F__STR; i++) {
            if (!key_is(&key, dg_names[i]))
                continue;
            r = once(&seen, 1u << i, why);
            if (r == 0)
                r = dg_str(C, &val,
                           i != F_ACCOUNT && i != F_START && i != F_END && i != F_BUCKET &&
                               i != F_OBJECT,
                           &s[i]);
            if (r < 0) {
                if (r != -ENOMEM && **why == '\0')
                    *why = "a member has the wrong type or is too long";
                return r;
            }
            break;
        }
    }
    if (r < 0) {
        *why = "malformed JSON object";
        return SS_ESYNTAX;
    }
    if ((seen & ((1u << F_ACCOUNT) | (1u << F_START) | (1u << F_END) | (1u << F_BUCKET) |
                 (1u << F_OBJECT))) != ((1u << F_ACCOUNT) | (1u << F_START) | (1u << F_END) |
                                        (1u << F_BUCKET) | (1u << F_OBJECT))) {
        *why = "lacks awsAccountId, digestStartTime, digestEndTime, digestS3Bucket or "
               "digestS3Object";
        return SS_ESYNTAX;
    }
    if (dg_time(s[F_START], false, &D->start_us) != 0 ||
        dg_time(s[F_END], false, &D->end_us) != 0 || D->end_us < D->start_us) {
        *why = "digestStartTime or digestEndTime is not a time, or the window is reversed";
        return SS_ESYNTAX;
    }
    D->account = s[F_ACCOUNT];
    D->start_s = s[F_START];
    D->end_s = s[F_END];
    D->bucket = s[F_BUCKET];
    D->object = s[F_OBJECT];
    D->fpr = s[F_FPR];
    if (s[F_ALG] != NULL && strcmp(s[F_ALG], "SHA256withRSA") != 0) {
        *why = "digestSignatureAlgorithm is not SHA256withRSA";
        return SS_EUNSUPPORTED;
    }
    D->has_prev = s[F_PREV_OBJECT] != NULL;
    if (D->has_prev) {
        if (s[F_PREV_HASH] == NULL ||
            ss_sha256_from_hex(s[F_PREV_HASH], strlen(s[F_PREV_HASH]), D->prev_hash) != 0 ||
            (s[F_PREV_ALG] != NULL && strcmp(s[F_PREV_ALG], "SHA-256") != 0)) {
            *why = "previousDigestHashValue is not a SHA-256 in hex";
            return SS_ESYNTAX;
        }
        if (s[F_PREV_SIG] == NULL || !is_hex(s[F_PREV_SIG], 2, CT_MAX_SIG_HEX)) {
            *why = "previousDigestSignature is not a hex signature";
            return SS_ESYNTAX;
        }
        D->prev_object = s[F_PREV_OBJECT];
        D->prev_sig = s[F_PREV_SIG];
    }
    if (logs.type == SS_JSON_MISSING) {
        *why = "lacks logFiles";
        return SS_ESYNTAX;
    }
    return parse_logs(C, &logs, D, why);
}

/* ---- findings ---- */

struct fnd {
    const char *check;
    enum ss_severity sev;
    const char *title;
    const char *ent[3];
    int64_t first_us, last_us;
    const struct ct_digest *cite[2];
};

static int emit(struct ct *C, const struct fnd *x, const char *desc, const char *data)
{
    struct ss_finding f = { 0 };
    struct ss_evidence ev[2];
    const char *ent[3];
    size_t ne = 0;

    memset(ev, 0, sizeof(ev));
    for (size_t i = 0; i < 3; i++)
        if (x->ent[i] != NULL && x->ent[i][0] != '\0')
            ent[ne++] = x->ent[i];
    for (size_t i = 0; i < 2; i++) {
        if (x->cite[i] == NULL)
            continue;
        if (f.n_evidence == 1 && ss_loc_cmp(&ev[0].loc, &x->cite[i]->f->loc) == 0)
            continue;
        ev[f.n_evidence++].loc = x->cite[i]->f->loc;
    }
    if (f.n_evidence == 2 && ss_loc_cmp(&ev[1].loc, &ev[0].loc) < 0) {
        struct ss_evidence t = ev[0];

        ev[0] = ev[1];
        ev[1] = t;
    }
    f.check_id = x->check;
    f.severity = x->sev;
    f.title = x->title;
    f.desc = desc;
    f.entities = ent;
    f.n_entities = ne;
    f.first_us = x->first_us;
    f.last_us = x->last_us;
    f.evidence = ev;
    f.n_evidence_total = f.n_evidence;
    f.data_json = data;
    if (x->sev != SS_SEV_INFO)
        C->st.problems++;
    return ss_findings_add(C->out, &f, NULL);
}

static const char *s3_url(struct ct *C, const char *bucket, const char *object)
{
    return ss_arena_printf(&C->a, "s3://%s/%s", bucket, object);
}

static const char *trail_arn(struct ct *C, const struct ct_digest *D)
{
    if (D->trail == NULL)
        return NULL;
    return ss_arena_printf(&C->a, "arn:aws:cloudtrail:%s:%s:trail/%s", D->home, D->account,
                           D->trail);
}

/* data_json from alternating key / value C strings (values JSON-escaped); NULL values skipped. */
static const char *data_kv(struct ct *C, size_t n, const char *const *kv)
{
    struct ss_buf *b = &C->tmp;
    int r = 0;

    ss_buf_reset(b);
    r |= ss_buf_putc(b, '{');
    for (size_t i = 0; i + 1 < n; i += 2) {
        if (kv[i + 1] == NULL)
            continue;
        if (b->len > 1)
            r |= ss_buf_putc(b, ',');
        r |= ss_buf_put_json_str(b, kv[i], strlen(kv[i]));
        r |= ss_buf_putc(b, ':');
        r |= ss_buf_put_json_str(b, kv[i + 1], strlen(kv[i + 1]));
    }
    r |= ss_buf_putc(b, '}');
    if (r != 0)
        return NULL;
    return ss_arena_strndup(&C->a, b->ptr, b->len);
}

static const char *fmt_time(struct ct *C, int64_t us)
{
    char t[SS_TIME_STR_MAX];

    if (us == 0)
        return "unknown";
    ss_time_format(us, 0, t);
    return ss_arena_strdup(&C->a, t);
}

static const char *hex32(struct ct *C, const uint8_t *h)
{
    char *s = ss_arena_alloc(&C->a, SS_SHA256_HEX_SIZE);

    if (s != NULL)
        ss_sha256_hex(h, s);
    return s;
}

static int finding_invalid(struct ct *C, const struct ss_ct_file *f, const char *why)
{
    struct ct_digest tmp = { .f = f };
    struct fnd x = { "cloudtrail.digest-invalid",
                     SS_SEV_HIGH,
                     "CloudTrail digest file cannot be used",
                     { f->rel, NULL, NULL },
                     0,
                     0,
                     { &tmp, NULL } };
    const char *kv[] = { "path", f->rel, "reason", why };
    const char *desc = ss_arena_printf(&C->a,
                                       "The digest file %s cannot be used for validation: %s. "
                                       "The log files it should cover are unverified.",
                                       f->rel, why);

    if (desc == NULL)
        return -ENOMEM;
    return emit(C, &x, desc, data_kv(C, SS_ARRAY_LEN(kv), kv));
}

/* ---- the walk ---- */

static int dg_cmp(const void *a, const void *b)
{
    const struct ct_digest *x = a, *y = b;
    int c = strcmp(x->group, y->group);

    if (c != 0)
        return c;
    if (x->end_us != y->end_us)
        return x->end_us < y->end_us ? -1 : 1;
    if (x->start_us != y->start_us)
        return x->start_us < y->start_us ? -1 : 1;
    c = strcmp(x->f->rel, y->f->rel);
    if (c != 0)
        return c;
    return x->f->input < y->f->input ? -1 : x->f->input > y->f->input;
}

/*
 * Where digest @D's bucket lies in the case. The digest must sit at ROOT + its own S3 key,
 * give or take leading folders of the key that the export left out ("AWSLogs/", an S3
 * prefix, the org folder: copies made from inside the bucket); the other keys it names
 * are then found at ROOT + the key without those folders. Returns whether it fits.
 */
static bool locate(struct ct *C, struct ct_digest *D)
{
    const char *rel = D->f->rel, *obj = D->object;
    size_t rl = strlen(rel), ol = strlen(obj), limit = 0;
    struct ct_path p;

    if (ct_path_parse(obj, ol, &p))
        limit = (size_t)(p.account.ptr - obj); /* never strip the account folder */
    for (size_t k = 0; k <= limit; k++) {
        size_t tail = ol - k;

        if ((k > 0 && obj[k - 1] != '/') || tail > rl || strcmp(rel + rl - tail, obj + k) != 0 ||
            (tail < rl && rel[rl - tail - 1] != '/'))
            continue;
        D->root = ss_arena_strndup(&C->a, rel, rl - tail);
        D->strip = ss_arena_strndup(&C->a, obj, k);
        return true;
    }
    D->root = ct_path_parse(rel, rl, &p) ? ss_arena_strndup(&C->a, rel, p.root_len) : "";
    D->strip = "";
    return false;
}

/* The case file at the S3 key @key of @D's bucket, or NULL. */
static const struct ss_ct_file *find_key_file(const struct ct *C, const struct ct_digest *D,
                                              const char *key)
{
    size_t k = strlen(D->strip);

    if (strncmp(key, D->strip, k) != 0)
        return NULL;
    return find_rel(C, D->root, strlen(D->root), key + k);
}

/* Place digest @D: its bucket root from where it was read, its chain from its key. */
static int place_digest(struct ct *C, struct ct_digest *D)
{
    const char *rel = D->f->rel;
    size_t ol = strlen(D->object);
    struct ct_path p;
    bool at_home = locate(C, D);

    if (D->root == NULL || D->strip == NULL)
        return -ENOMEM;
    if (!at_home) {
        struct fnd x = { "cloudtrail.digest-misplaced",
                         SS_SEV_HIGH,
                         "CloudTrail digest is not where it says it was written",
                         { rel, D->account, NULL },
                         D->start_us,
                         D->end_us,
                         { D, NULL } };
        const char *kv[] = { "path", rel, "digestS3Object", D->object };
        const char *desc = ss_arena_printf(
            &C->a,
            "The digest file %s says it was written to s3://%s/%s. A digest that was moved "
            "or copied under another name no longer proves where its log files were.",
            rel, D->bucket, D->object);
        int r;

        if (desc == NULL)
            return -ENOMEM;
        r = emit(C, &x, desc, data_kv(C, SS_ARRAY_LEN(kv), kv));
        if (r < 0)
            return r;
    }
    if (ct_path_parse(D->object, ol, &p) && p.trail.len > 0) {
        D->reg = ss_arena_strndup(&C->a, p.region.ptr, p.region.len);
        D->trail = ss_arena_strndup(&C->a, p.trail.ptr, p.trail.len);
        D->home = ss_arena_strndup(&C->a, p.home.ptr, p.home.len);
        D->backfill = p.backfill;
    } else {
        D->reg = "";
    }
    /* backfill digests list late log files beside the hourly chain: a group of their own */
    D->group = ss_arena_printf(&C->a, "%s|%s|%s|%s%s", D->root, D->account, D->reg,
                               D->trail != NULL ? D->trail : "", D->backfill ? "|backfill" : "");
    if (D->group == NULL || D->reg == NULL)
        return -ENOMEM;
    D->region_key_len = strlen(D->root) + strlen(D->account) + strlen(D->reg) + 3;
    return 0;
}

static int load_digests(struct ct *C)
{
    for (size_t i = 0; i < C->n; i++) {
        const struct ss_ct_file *f = &C->files[i];
        struct ct_digest *D;
        const char *why = "";
        int r;

        if (f->role != SS_CT_DIGEST)
            continue;
        C->st.digests++;
        D = &C->dg[C->n_dg];
        memset(D, 0, sizeof(*D));
        D->f = f;
        D->file_ix = i;
        r = parse_digest(C, f, D, &why);
        if (r == -ENOMEM)
            return r;
        if (r == 0 && !f->decoded_ok) {
            r = SS_ECORRUPT;
            why = "its decoded bytes could not be read in full, so its hash is unknown";
        }
        if (r < 0) {
            r = finding_invalid(C, f, why[0] != '\0' ? why : "not a digest");
            if (r < 0)
                return r;
            continue;
        }
        r = place_digest(C, D);
        if (r < 0)
            return r;
        C->n_dg++;
    }
    qsort(C->dg, C->n_dg, sizeof(*C->dg), dg_cmp);
    for (size_t i = 0; i < C->n_dg; i++)
        C->dg_of[C->dg[i].file_ix] = &C->dg[i];
    return 0;
}

static const char *sidecar_signature(struct ct *C, const struct ss_ct_file *f)
{
    struct ss_json_val v;
    const char *s = NULL;

    if (f == NULL || f->role != SS_CT_SIDECAR || f->text == NULL)
        return NULL;
    if (ss_evidence_json_get(f->text, f->text_len, "Metadata.signature", &v) != 0 ||
        v.type != SS_JSON_STRING)
        if (ss_evidence_json_get(f->text, f->text_len, "Metadata[\"x-amz-meta-signature\"]", &v) !=
                0 ||
            v.type != SS_JSON_STRING)
            return NULL;
    if (dg_str(C, &v, false, &s) != 0 || !is_hex(s, 2, CT_MAX_SIG_HEX))
        return NULL;
    return s;
}

/* Link every digest to its predecessor; the successor carries its signature. */
static void link_chain(struct ct *C)
{
    for (size_t i = 0; i < C->n_dg; i++) {
        struct ct_digest *D = &C->dg[i];
        const struct ss_ct_file *pf;
        struct ct_digest *P;

        if (!D->has_prev)
            continue;
        pf = find_key_file(C, D, D->prev_object);
        P = pf != NULL ? C->dg_of[file_ix(C, pf)] : NULL;
        if (P == NULL)
            continue;
        if (P->n_next++ == 0)
            P->next = D;
    }
}

static int verify_signature(struct ct *C, struct ct_digest *D, const char *sig_hex)
{
    const struct ct_key *k;
    uint8_t sig[CT_MAX_SIG_HEX / 2];
    size_t sig_len = sig_hex != NULL ? strlen(sig_hex) / 2 : 0;
    char hex[SS_SHA256_HEX_SIZE];
    EVP_MD_CTX *ctx;
    int ok, r;

    if (C->keys == NULL) {
        C->st.sigs_unchecked++;
        return 0;
    }
    k = D->fpr != NULL ? find_key(C->keys, D->fpr, D->end_us) : NULL;
    if (k == NULL) {
        struct fnd x = { "cloudtrail.digest-key-unknown",
                         SS_SEV_HIGH,
                         "CloudTrail digest signed with a key that is not among AWS's keys",
                         { D->f->rel, trail_arn(C, D), D->account },
                         D->start_us,
                         D->end_us,
                         { D, NULL } };
        const char *kv[] = { "path", D->f->rel, "fingerprint", D->fpr != NULL ? D->fpr : "" };
        const char *desc = ss_arena_printf(
            &C->a,
            "The digest %s names public key fingerprint %s, which is not among the %zu "
            "supplied AWS CloudTrail public keys valid at %s. Either the key list does not "
            "cover this region and time, or the digest was not signed by AWS.",
            D->f->rel, D->fpr != NULL ? D->fpr : "(none)", C->keys->len, D->end_s);

        if (desc == NULL)
            return -ENOMEM;
        return emit(C, &x, desc, data_kv(C, SS_ARRAY_LEN(kv), kv));
    }
    if (sig_hex == NULL || ss_hex_decode(sig_hex, sig_len * 2, sig, sig_len) != 0) {
        C->st.sigs_unchecked++; /* cannot happen: every signature was checked to be hex */
        return 0;
    }
    ss_sha256_hex(D->f->sha256, hex);
    ss_buf_reset(&C->tmp);
    r = ss_buf_printf(&C->tmp, "%s\n%s/%s\n%s\n%s", D->end_s, D->bucket, D->object, hex,
                      D->prev_sig != NULL ? D->prev_sig : "null");
    if (r < 0)
        return r;
    ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        return -ENOMEM;
    ok = EVP_DigestVerifyInit(ctx, NULL, ss_evidence_md_sha256(), NULL, k->pkey) == 1 &&
         EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)C->tmp.ptr, C->tmp.len) == 1;
    EVP_MD_CTX_free(ctx);
    if (ok) {
        C->st.sigs_verified++;
        return 0;
    }
    {
        struct fnd x = { "cloudtrail.digest-signature-invalid",
                         SS_SEV_CRITICAL,
                         "CloudTrail digest signature does not verify",
                         { D->f->rel, trail_arn(C, D), D->account },
                         D->start_us,
                         D->end_us,
                         { D, D->next } };
        const char *kv[] = { "path", D->f->rel, "fingerprint", D->fpr, "sha256", hex };
        const char *desc = ss_arena_printf(
            &C->a,
            "The RSA signature of the digest %s (SHA256withRSA, key %s) does not verify over "
            "its end time, location, SHA-256 %s and previous signature. The digest, or the "
            "signature recorded for it, was changed after AWS signed it.",
            D->f->rel, D->fpr, hex);

        if (desc == NULL)
            return -ENOMEM;
        return emit(C, &x, desc, data_kv(C, SS_ARRAY_LEN(kv), kv));
    }
}

static int check_link(struct ct *C, struct ct_digest *D, const struct ct_digest *before)
{
    const struct ss_ct_file *pf;
    const struct ct_digest *P;

    if (!D->has_prev) {
        if (before == NULL)
            return 0;
        {
            struct fnd x = { "cloudtrail.digest-chain-break",
                             SS_SEV_MEDIUM,
                             "CloudTrail digest chain restarts: validation or logging was off",
                             { trail_arn(C, D), D->f->rel, D->account },
                             before->end_us,
                             D->start_us,
                             { D, NULL } };
            const char *kv[] = { "path", D->f->rel, "previous_end", before->end_s };
            const char *desc = ss_arena_printf(
                &C->a,
                "The digest %s starts a new chain (no previous digest) although the trail "
                "delivered digests before it, the last ending %s. Log file validation or "
                "logging was turned off and on again; nothing proves what happened between "
                "%s and %s.",
                D->f->rel, before->end_s, before->end_s, D->start_s);

            if (desc == NULL)
                return -ENOMEM;
            return emit(C, &x, desc, data_kv(C, SS_ARRAY_LEN(kv), kv));
        }
    }
    pf = find_key_file(C, D, D->prev_object);
    P = pf != NULL ? C->dg_of[file_ix(C, pf)] : NULL;
    if (pf == NULL) {
        struct fnd x = { "cloudtrail.digest-missing",
                         SS_SEV_HIGH,
                         "CloudTrail digest file missing from the chain",
                         { s3_url(C, D->bucket, D->prev_object), trail_arn(C, D), D->account },
                         0,
                         D->start_us,
                         { D, NULL } };
        const char *kv[] = { "missing", D->prev_object, "referenced_by", D->f->rel };
        const char *desc;

        if (before == NULL)
            return 0; /* the chain began before the export: not a gap inside it */
        C->gaps[C->n_gaps++] = D;
        x.first_us = before->end_us;
        desc = ss_arena_printf(
            &C->a,
            "The digest %s links to the previous digest %s, which is not in the export. "
            "Digest files are written every hour, even without logs; a missing one in the "
            "middle of a chain means it was deleted, and the log files it listed cannot be "
            "verified.",
            D->f->rel, D->prev_object);
        if (desc == NULL || x.ent[0] == NULL)
            return -ENOMEM;
        return emit(C, &x, desc, data_kv(C, SS_ARRAY_LEN(kv), kv));
    }
    if (P == NULL)
        return 0; /* an invalid digest: already a finding */
    if (memcmp(P->f->sha256, D->prev_hash, SS_SHA256_LEN) != 0) {
        struct fnd x = { "cloudtrail.digest-altered",
                         SS_SEV_CRITICAL,
                         "CloudTrail digest file does not match the hash its successor holds",
                         { P->f->rel, trail_arn(C, P), P->account },
                         P->start_us,
                         P->end_us,
                         { P, D } };
        const char *kv[] = { "path",
                             P->f->rel,
                             "expected_sha256",
                             hex32(C, D->prev_hash),
                             "actual_sha256",
                             hex32(C, P->f->sha256),
                             "recorded_by",
                             D->f->rel };
        const char *desc =
            ss_arena_printf(&C->a,
                            "The digest %s recorded the SHA-256 of its predecessor %s as %s, "
                            "but that file's uncompressed bytes hash to %s: it was changed "
                            "after the next digest was signed.",
                            D->f->rel, P->f->rel, kv[3], kv[5]);

        if (desc == NULL)
            return -ENOMEM;
        return emit(C, &x, desc, data_kv(C, SS_ARRAY_LEN(kv), kv));
    }
    if (P->end_us + CT_LINK_SLACK_US < D->start_us) {
        struct fnd x = { "cloudtrail.digest-chain-break",
                         SS_SEV_MEDIUM,
                         "CloudTrail digests do not cover a period: logging was off",
                         { trail_arn(C, D), D->f->rel, D->account },
                         P->end_us,
                         D->start_us,
                         { P, D } };
        const char *kv[] = { "path", D->f->rel, "previous", P->f->rel,
                             "from", P->end_s,  "to",       D->start_s };
        const char *desc = ss_arena_printf(
            &C->a,
            "The digest %s follows %s, but no digest covers %s to %s. CloudTrail delivers a "
            "digest every hour while logging is on, so logging was stopped for that period.",
            D->f->rel, P->f->rel, P->end_s, D->start_s);

        if (desc == NULL)
            return -ENOMEM;
        return emit(C, &x, desc, data_kv(C, SS_ARRAY_LEN(kv), kv));
    }
    return 0;
}

static int check_logs(struct ct *C, const struct ct_digest *D, size_t *ret_ok)
{
    for (size_t i = 0; i < D->n_logs; i++) {
        const struct ct_log *L = &D->logs[i];
        const struct ss_ct_file *lf = find_key_file(C, D, L->object);
        const char *url = s3_url(C, L->bucket[0] != '\0' ? L->bucket : D->bucket, L->object);
        int r;

        C->st.logs_listed++;
        if (url == NULL)
            return -ENOMEM;
        if (lf != NULL)
            C->listed[file_ix(C, lf)] = true;
        if (lf != NULL && lf->decoded_ok && memcmp(lf->sha256, L->hash, SS_SHA256_LEN) == 0) {
            C->st.logs_verified++;
            (*ret_ok)++;
            continue;
        }
        if (lf == NULL) {
            struct fnd x = { "cloudtrail.log-missing",
                             SS_SEV_HIGH,
                             "CloudTrail log file listed in a digest is missing",
                             { url, trail_arn(C, D), D->account },
                             L->oldest_us,
                             L->newest_us,
                             { D, NULL } };
            const char *kv[] = { "s3Object",        L->object, "expected_sha256",
                                 hex32(C, L->hash), "digest",  D->f->rel };
            const char *desc = ss_arena_printf(
                &C->a,
                "The digest %s lists the log file %s (SHA-256 %s, events %s to %s), which "
                "is not in the export (expected at %s%s). A log file that AWS delivered and "
                "that is now gone was deleted; its events are lost to the review.",
                D->f->rel, L->object, kv[3], fmt_time(C, L->oldest_us), fmt_time(C, L->newest_us),
                D->root,
                L->object +
                    (strncmp(L->object, D->strip, strlen(D->strip)) == 0 ? strlen(D->strip) : 0));

            if (desc == NULL)
                return -ENOMEM;
            r = emit(C, &x, desc, data_kv(C, SS_ARRAY_LEN(kv), kv));
        } else {
            struct fnd x = { "cloudtrail.log-altered",
                             SS_SEV_CRITICAL,
                             "CloudTrail log file does not match the hash in its digest",
                             { url, trail_arn(C, D), D->account },
                             L->oldest_us,
                             L->newest_us,
                             { D, NULL } };
            const char *actual = lf->decoded_ok ? hex32(C, lf->sha256) : NULL;
            const char *kv[] = { "path",          lf->rel, "expected_sha256", hex32(C, L->hash),
                                 "actual_sha256", actual,  "digest",          D->f->rel };
            const char *desc =
                lf->decoded_ok
                    ? ss_arena_printf(&C->a,
                                      "The digest %s recorded the SHA-256 of the log file %s "
                                      "as %s, but its uncompressed bytes hash to %s: the file "
                                      "was changed after delivery.",
                                      D->f->rel, lf->rel, kv[3], actual)
                    : ss_arena_printf(&C->a,
                                      "The digest %s lists the log file %s (SHA-256 %s), but "
                                      "the file cannot be decompressed in full, so it is not "
                                      "the file AWS delivered.",
                                      D->f->rel, lf->rel, kv[3]);

            if (desc == NULL)
                return -ENOMEM;
            r = emit(C, &x, desc, data_kv(C, SS_ARRAY_LEN(kv), kv));
        }
        if (r < 0)
            return r;
    }
    return 0;
}

static int chain_summary(struct ct *C, struct ct_digest *first, struct ct_digest *last, size_t n_dg,
                         size_t logs, size_t logs_ok, size_t sigs_ok, size_t problems)
{
    char buf[4][32];
    struct fnd x = { "cloudtrail.digest-chain",
                     SS_SEV_INFO,
                     NULL,
                     { trail_arn(C, last), s3_url(C, last->bucket, last->object), last->account },
                     first->start_us,
                     last->end_us,
                     { first, last } };
    const char *kv[] = { "digests",
                         buf[0],
                         "log_files",
                         buf[1],
                         "log_files_verified",
                         buf[2],
                         "signatures_verified",
                         buf[3],
                         "from",
                         first->start_s,
                         "to",
                         last->end_s,
                         "region",
                         last->reg };
    const char *sig_text;
    const char *desc;

    snprintf(buf[0], sizeof(buf[0]), "%zu", n_dg);
    snprintf(buf[1], sizeof(buf[1]), "%zu", logs);
    snprintf(buf[2], sizeof(buf[2]), "%zu", logs_ok);
    snprintf(buf[3], sizeof(buf[3]), "%zu", sigs_ok);
    if (C->keys == NULL)
        sig_text = "Signatures were not checked: no AWS public keys were supplied (--aws-keys).";
    else if (sigs_ok == n_dg)
        sig_text = "Every digest signature verified with AWS's public keys.";
    else
        sig_text = ss_arena_printf(&C->a,
                                   "%zu of %zu digest signatures verified; the others lack a "
                                   "captured signature or are reported separately.",
                                   sigs_ok, n_dg);
    x.title =
        ss_arena_printf(&C->a,
                        "CloudTrail %s %s in %s: %zu digest%s, %zu of %zu log "
                        "files verified, %zu problem%s",
                        last->backfill ? "backfill digests of" : "digest chain",
                        last->trail != NULL ? last->trail : "(unnamed trail)",
                        last->reg[0] != '\0' ? last->reg : "(unknown region)", n_dg,
                        n_dg == 1 ? "" : "s", logs_ok, logs, problems, problems == 1 ? "" : "s");
    desc = ss_arena_printf(&C->a,
                           "The digest chain from %s to %s (%zu digests) lists %zu log files, "
                           "of which %zu are in the export with the recorded hash. %s",
                           first->start_s, last->end_s, n_dg, logs, logs_ok, sig_text);
    if (x.title == NULL || desc == NULL || sig_text == NULL)
        return -ENOMEM;
    return emit(C, &x, desc, data_kv(C, SS_ARRAY_LEN(kv), kv));
}

static int walk_group(struct ct *C, size_t g0, size_t g1)
{
    size_t logs_ok = 0, sigs_before = C->st.sigs_verified, problems = C->st.problems, logs = 0;
    int r;

    for (size_t i = g0; i < g1; i++) {
        struct ct_digest *D = &C->dg[i];
        const char *sig;

        r = D->backfill ? 0 : check_link(C, D, i > g0 ? &C->dg[i - 1] : NULL);
        if (r == 0)
            r = check_logs(C, D, &logs_ok);
        if (r < 0)
            return r;
        logs += D->n_logs;
        sig = D->next != NULL ? D->next->prev_sig : NULL;
        if (sig == NULL)
            sig = sidecar_signature(C, find_rel(C, D->f->rel, strlen(D->f->rel), ".metadata.json"));
        r = verify_signature(C, D, sig);
        if (r < 0)
            return r;
    }
    C->st.chains++;
    return chain_summary(C, &C->dg[g0], &C->dg[g1 - 1], g1 - g0, logs, logs_ok,
                         C->st.sigs_verified - sigs_before, C->st.problems - problems);
}

/* Region spans covered by digests: "root|account|region" and [start, end]. */
struct ct_span {
    const char *key;
    size_t key_len;
    int64_t from_us, to_us;
};

/* Whether time @t of region key @key falls in the window of a missing digest. */
static bool in_gap(const struct ct *C, const char *key, int64_t t)
{
    size_t kl = strlen(key);

    for (size_t i = 0; i < C->n_gaps; i++) {
        const struct ct_digest *D = C->gaps[i];
        const struct ct_digest *before = D - 1; /* a gap is never first in its group */

        if (D->region_key_len == kl && memcmp(D->group, key, kl) == 0 &&
            t + 60 * SS_TIME_US_PER_SEC > before->end_us && t < D->start_us)
            return true;
    }
    return false;
}

static int finding_unlisted(struct ct *C, const struct ss_ct_file *f, const char *key, int64_t t)
{
    struct fnd x = { "cloudtrail.log-unlisted",
                     SS_SEV_MEDIUM,
                     "CloudTrail log file is not listed in any digest",
                     { f->rel, NULL, NULL },
                     t,
                     t,
                     { NULL, NULL } };
    const char *kv[] = { "path", f->rel };
    const char *desc =
        in_gap(C, key, t)
            ? ss_arena_printf(&C->a,
                              "The log file %s was delivered in the window of a digest that is "
                              "missing from the export (see cloudtrail.digest-missing), so "
                              "nothing proves it is the file AWS delivered.",
                              f->rel)
            : ss_arena_printf(&C->a,
                              "The log file %s was delivered within the period the trail's "
                              "digests cover, but no digest lists it. CloudTrail did not deliver "
                              "it: it was added to the export afterwards, and its events cannot "
                              "be trusted.",
                              f->rel);

    if (desc == NULL)
        return -ENOMEM;
    return emit(C, &x, desc, data_kv(C, SS_ARRAY_LEN(kv), kv));
}

/*
 * Log files of one (root, account, region) that no digest of the export covers: the
 * region has no digest at all, or (@span set) the files lie outside its digests' period.
 */
struct ct_absent {
    const struct ct_span *span; /* NULL: no digest of the region */
    const char *key;            /* "root|account|region|" */
    const struct ss_ct_file *first, *last;
    struct ct_path p; /* of @first */
    size_t n;
    int64_t t0, t1;
};

static int absent_flush(struct ct *C, struct ct_absent *ab)
{
    char buf[32];
    const char *prefix, *title, *desc, *acct;
    struct fnd x = { ab->span == NULL ? "cloudtrail.digests-absent" : "cloudtrail.log-uncovered",
                     ab->span == NULL ? SS_SEV_MEDIUM : SS_SEV_LOW,
                     NULL,
                     { NULL, NULL, NULL },
                     ab->t0,
                     ab->t1,
                     { NULL, NULL } };
    const char *kv[] = { "prefix", NULL, "log_files", buf, "first", NULL, "last", NULL };
    int r;

    if (ab->n == 0)
        return 0;
    /* the folder of the region: the first file's path up to "REGION/" */
    prefix = ss_arena_strndup(&C->a, ab->first->rel,
                              (size_t)(ab->p.region.ptr - ab->first->rel) + ab->p.region.len + 1);
    acct = ss_arena_strndup(&C->a, ab->p.account.ptr, ab->p.account.len);
    snprintf(buf, sizeof(buf), "%zu", ab->n);
    if (prefix == NULL || acct == NULL)
        return -ENOMEM;
    title = ss_arena_printf(&C->a, "%zu CloudTrail log file%s of account %s in %.*s %s", ab->n,
                            ab->n == 1 ? "" : "s", acct, (int)ab->p.region.len, ab->p.region.ptr,
                            ab->span == NULL ? "without any digest"
                                             : "outside the period its digests cover");
    desc = ab->span == NULL
               ? ss_arena_printf(&C->a,
                                 "The export holds %zu CloudTrail log file%s under %s (delivered "
                                 "%s to %s, %s to %s) but no digest file of that account and "
                                 "region. Log file integrity validation was off, or the digests "
                                 "were left out of the export: nothing proves these files are the "
                                 "ones AWS delivered, complete and unaltered.",
                                 ab->n, ab->n == 1 ? "" : "s", prefix, fmt_time(C, ab->t0),
                                 fmt_time(C, ab->t1), ab->first->rel, ab->last->rel)
               : ss_arena_printf(&C->a,
                                 "The export holds %zu CloudTrail log file%s under %s delivered "
                                 "%s to %s (%s to %s), outside the period the digests of that "
                                 "account and region cover (%s to %s). No digest vouches for "
                                 "them: validation was off then, or the digests of that time "
                                 "were left out of the export (the newest hour's digest is "
                                 "written only at its end).",
                                 ab->n, ab->n == 1 ? "" : "s", prefix, fmt_time(C, ab->t0),
                                 fmt_time(C, ab->t1), ab->first->rel, ab->last->rel,
                                 fmt_time(C, ab->span->from_us), fmt_time(C, ab->span->to_us));
    if (title == NULL || desc == NULL)
        return -ENOMEM;
    x.title = title;
    x.ent[0] = prefix;
    x.ent[1] = acct;
    kv[1] = prefix;
    kv[5] = ab->first->rel;
    kv[7] = ab->last->rel;
    r = emit(C, &x, desc, data_kv(C, SS_ARRAY_LEN(kv), kv));
    C->st.logs_undigested += ab->n;
    ab->n = 0;
    return r;
}

static int absent_add(struct ct *C, struct ct_absent *ab, const struct ct_span *span,
                      const char *key, const struct ss_ct_file *f, const struct ct_path *p)
{
    if (ab->n > 0 && strcmp(ab->key, key) != 0) {
        int r = absent_flush(C, ab);

        if (r < 0)
            return r;
    }
    if (ab->n == 0) {
        ab->key = key;
        ab->span = span;
        ab->first = f;
        ab->p = *p;
        ab->t0 = p->t_us;
        ab->t1 = p->t_us;
    }
    ab->last = f;
    ab->t0 = SS_MIN(ab->t0, p->t_us);
    ab->t1 = SS_MAX(ab->t1, p->t_us);
    ab->n++;
    return 0;
}

static int check_unlisted(struct ct *C)
{
    struct ct_span *sp = ss_calloc(C->n_dg + 1, sizeof(*sp));
    struct ct_absent ab[2] = { { 0 }, { 0 } };
    size_t n_sp = 0;
    int r = 0;

    if (sp == NULL)
        return -ENOMEM;
    /* digests are sorted by group, so equal region keys are adjacent */
    for (size_t i = 0; i < C->n_dg; i++) {
        const struct ct_digest *D = &C->dg[i];
        struct ct_span *s = n_sp > 0 ? &sp[n_sp - 1] : NULL;

        if (s == NULL || s->key_len != D->region_key_len ||
            memcmp(s->key, D->group, D->region_key_len) != 0) {
            s = &sp[n_sp++];
            s->key = D->group;
            s->key_len = D->region_key_len;
            s->from_us = D->start_us;
            s->to_us = D->end_us;
        }
        s->from_us = SS_MIN(s->from_us, D->start_us);
        s->to_us = SS_MAX(s->to_us, D->end_us);
    }
    /* in path order, the log files of one (root, account, region) are consecutive */
    for (size_t k = 0; k < C->n && r == 0; k++) {
        const struct ss_ct_file *f = C->by_rel[k];
        const struct ct_span *span = NULL;
        struct ct_path p;
        size_t key_len;
        char *key;

        if (f->role != SS_CT_OTHER || !ct_path_parse(f->rel, strlen(f->rel), &p) ||
            p.trail.len != 0)
            continue;
        key = ss_arena_printf(&C->a, "%.*s|%.*s|%.*s|", (int)p.root_len, f->rel, (int)p.account.len,
                              p.account.ptr, (int)p.region.len, p.region.ptr);
        if (key == NULL) {
            r = -ENOMEM;
            break;
        }
        key_len = strlen(key);
        for (size_t j = 0; j < n_sp && span == NULL; j++)
            if (sp[j].key_len == key_len && memcmp(key, sp[j].key, key_len) == 0)
                span = &sp[j];
        if (span == NULL)
            r = absent_add(C, &ab[0], NULL, key, f, &p);
        else if (C->listed[file_ix(C, f)])
            continue;
        else if (p.t_us < span->from_us || p.t_us + 60 * SS_TIME_US_PER_SEC > span->to_us)
            r = absent_add(C, &ab[1], span, key, f, &p);
        else
            r = finding_unlisted(C, f, key, p.t_us);
    }
    if (r == 0)
        r = absent_flush(C, &ab[0]);
    if (r == 0)
        r = absent_flush(C, &ab[1]);
    ss_free(sp);
    return r;
}

int ss_ct_verify(const struct ss_ct_file *files, size_t n, const struct ss_ct_keys *keys,
                 struct ss_findings *out, struct ss_ct_stats *ret_stats)
{
    struct ct C = { .files = files, .n = n, .keys = keys, .out = out };
    size_t n_dg = 0;
    int r = 0;

    for (size_t i = 0; i < n; i++)
        n_dg += files[i].role == SS_CT_DIGEST;
    ss_arena_init(&C.a, CT_ARENA_MAX);
    ss_buf_init(&C.tmp, (size_t)1 << 20);
    C.by_rel = ss_calloc(n + 1, sizeof(*C.by_rel));
    C.dg_of = ss_calloc(n + 1, sizeof(*C.dg_of));
    C.listed = ss_calloc(n + 1, sizeof(*C.listed));
    C.dg = ss_calloc(n_dg + 1, sizeof(*C.dg));
    C.gaps = ss_calloc(n_dg + 1, sizeof(*C.gaps));
    if (C.by_rel == NULL || C.dg_of == NULL || C.listed == NULL || C.dg == NULL || C.gaps == NULL) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        C.by_rel[i] = &files[i];
    qsort(C.by_rel, n, sizeof(*C.by_rel), rel_cmp);
    r = load_digests(&C);
    if (r < 0)
        goto out;
    link_chain(&C);
    for (size_t g0 = 0; g0 < C.n_dg && r == 0;) {
        size_t g1 = g0 + 1;

        while (g1 < C.n_dg && strcmp(C.dg[g1].group, C.dg[g0].group) == 0)
            g1++;
        r = walk_group(&C, g0, g1);
        g0 = g1;
    }
    if (r == 0)
        r = check_unlisted(&C);
    if (r == 0 && ss_arena_failed(&C.a))
        r = -ENOMEM;
    if (r == 0 && ret_stats != NULL)
        *ret_stats = C.st;
out:
    ss_free(C.by_rel);
    ss_free(C.dg_of);
    ss_free(C.listed);
    ss_free(C.dg);
    ss_free(C.gaps);
    ss_buf_release(&C.tmp);
    ss_arena_release(&C.a);
    return r;
}
