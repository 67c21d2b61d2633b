/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/dsse.c - implements Ed25519 key handling through OpenSSL EVP (generate, PEM
 * load and store, sign, verify, key ids) and DSSE v1 envelopes (PAE, canonical
 * writing, strict parsing).
 */
#include "evidence/dsse.h"

#include "core/alloc.h"
#include "evidence/base64.h"
#include "evidence/evidence_int.h"
#include "evidence/jcs.h"
#include "json/json.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define PEM_MAX_BYTES ((size_t)64 << 10)

struct ss_key {
    EVP_PKEY *pkey;
    bool is_private;
};

void ss_key_free(struct ss_key *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey);
    ss_free(k);
}

bool ss_key_is_private(const struct ss_key *k)
{
    return k->is_private;
}

static int wrap_key(EVP_PKEY *pkey, bool is_private, struct ss_key **ret)
{
    struct ss_key *k = ss_calloc(1, sizeof(*k));

    if (k == NULL) {
        EVP_PKEY_free(pkey);
        return -ENOMEM;
    }
    k->pkey = pkey;
    k->is_private = is_private;
    *ret = k;
    return 0;
}

static bool has_text(const char *p, size_t len, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(p + i, needle, n) == 0)
            return true;
    }
    return false;
}

int ss_key_from_pem(const char *pem, size_t len, bool want_private, struct ss_key **ret_key,
                    struct ss_diag *reterr_diag)
{
    EVP_PKEY *pkey = NULL;
    bool is_private = false;
    BIO *bio;

    if (len > PEM_MAX_BYTES || len > INT_MAX)
        return ss_diag_set(reterr_diag, SS_ELIMIT, NULL, 0, 0, UINT64_MAX, "key file too big");
    bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL)
        return -ENOMEM;
    /* A private key file serves as a public key too: try it first. */
    if (has_text(pem, len, "PRIVATE KEY-----")) {
        pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        is_private = pkey != NULL;
    } else if (!want_private) {
        pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    }
    BIO_free(bio);
    if (pkey == NULL)
        return ss_diag_set(reterr_diag, SS_ESYNTAX, NULL, 0, 0, UINT64_MAX, "%s",
                           want_private ? "not an unencrypted PEM private key"
                                        : "not a PEM public or private key");
    if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(pkey);
        return ss_diag_set(reterr_diag, SS_EUNSUPPORTED, NULL, 0, 0, UINT64_MAX,
                           "not an Ed25519 key");
    }
    return wrap_key(pkey, is_private, ret_key);
}

int ss_key_load(const char *path, bool want_private, struct ss_key **ret_key,
                struct ss_diag *reterr_diag)
{
    struct ss_buf pem = SS_BUF_INIT(PEM_MAX_BYTES + 1);
    int r = ss_evidence_read_file(path, PEM_MAX_BYTES, &pem);

    if (r < 0) {
        ss_diag_set(reterr_diag, r, path, 0, 0, UINT64_MAX, "%s",
                    r == SS_ELIMIT ? "key file too big" : ss_strerror(r));
    } else {
        r = ss_key_from_pem(pem.ptr, pem.len, want_private, ret_key, reterr_diag);
        if (r < 0)
            ss_diag_set_file(reterr_diag, path);
    }
    /* The buffer may hold a private key: wipe it before freeing. */
    if (pem.len > 0)
        memset(pem.ptr, 0, pem.len);
    ss_buf_release(&pem);
    return r;
}

int ss_key_id(const struct ss_key *k, char ret_id[SS_SHA256_HEX_SIZE])
{
    unsigned char *der = NULL;
    uint8_t d[SS_SHA256_LEN];
    int n = i2d_PUBKEY(k->pkey, &der);
    int r;

    if (n <= 0)
        return -ENOMEM;
    r = ss_sha256(der, (size_t)n, d);
    OPENSSL_free(der);
    if (r == 0)
        ss_sha256_hex(d, ret_id);
    return r;
}

static int bio_to_buf(BIO *bio, struct ss_buf *out)
{
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);

    if (n < 0 || p == NULL)
        return -ENOMEM;
    return ss_buf_append(out, p, (size_t)n);
}

int ss_key_public_pem(const struct ss_key *k, struct ss_buf *out)
{
    BIO *bio = BIO_new(BIO_s_mem());
    int r;

    if (bio == NULL)
        return -ENOMEM;
    r = PEM_write_bio_PUBKEY(bio, k->pkey) == 1 ? bio_to_buf(bio, out) : -ENOMEM;
    BIO_free(bio);
    return r;
}

/* Create @path exclusively with @mode and write @len bytes. -EEXIST if it exists. */
static int write_new_file(const char *path, const char *p, size_t len, unsigned mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
    int r = 0;

    if (fd < 0)
        return -errno;
    /* The umask must not widen or narrow what we ask for. */
    if (fchmod(fd, (mode_t)mode) != 0)
        r = -errno;
    while (r == 0 && len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            r = -errno;
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    if (r == 0 && fsync(fd) != 0)
        r = -errno;
    if (close(fd) != 0 && r == 0)
        r = -errno;
    if (r < 0)
        (void)unlink(path);
    return r;
}

int ss_keygen(const char *priv_path, const char *pub_path, char ret_id[SS_SHA256_HEX_SIZE],
              struct ss_diag *reterr_diag)
{
    struct ss_buf priv = SS_BUF_INIT(PEM_MAX_BYTES);
    struct ss_buf pub = SS_BUF_INIT(PEM_MAX_BYTES);
    struct ss_key *k = NULL;
    EVP_PKEY *pkey = NULL;
    BIO *bio = NULL;
    char id[SS_SHA256_HEX_SIZE];
    struct stat st;
    int r;

    /* Refuse before generating anything if either file exists. */
    if (stat(priv_path, &st) == 0)
        return ss_diag_set(reterr_diag, -EEXIST, priv_path, 0, 0, UINT64_MAX,
                           "file exists; not overwriting a key");
    if (stat(pub_path, &st) == 0)
        return ss_diag_set(reterr_diag, -EEXIST, pub_path, 0, 0, UINT64_MAX,
                           "file exists; not overwriting a key");
    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (pkey == NULL)
        return -ENOMEM;
    r = wrap_key(pkey, true, &k);
    if (r < 0)
        return r;
    bio = BIO_new(BIO_s_mem());
    if (bio == NULL || PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL) != 1) {
        r = -ENOMEM;
        goto out;
    }
    r = bio_to_buf(bio, &priv);
    if (r == 0)
        r = ss_key_public_pem(k, &pub);
    if (r == 0)
        r = ss_key_id(k, id);
    if (r < 0)
        goto out;
    r = write_new_file(priv_path, priv.ptr, priv.len, 0600);
    if (r < 0) {
        ss_diag_set(reterr_diag, r, priv_path, 0, 0, UINT64_MAX, "%s", ss_strerror(r));
        goto out;
    }
    r = write_new_file(pub_path, pub.ptr, pub.len, 0644);
    if (r < 0) {
        ss_diag_set(reterr_diag, r, pub_path, 0, 0, UINT64_MAX, "%s", ss_strerror(r));
        (void)unlink(priv_path);
        goto out;
    }
    memcpy(ret_id, id, sizeof(id));
out:
    if (priv.len > 0)
        memset(priv.ptr, 0, priv.len);
    ss_buf_release(&priv);
    ss_buf_release(&pub);
    BIO_free(bio);
    ss_key_free(k);
    return r;
}

int ss_key_sign(const struct ss_key *key, const uint8_t *msg, size_t len,
                uint8_t ret_sig[SS_ED25519_SIG_LEN])
{
    uint8_t sig[SS_ED25519_SIG_LEN];
    size_t sig_len = sizeof(sig);
    EVP_MD_CTX *ctx;
    int r = 0;

    if (!key->is_private)
        return -EINVAL;
    ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        return -ENOMEM;
    if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, key->pkey) != 1 ||
        EVP_DigestSign(ctx, sig, &sig_len, msg, len) != 1 || sig_len != SS_ED25519_SIG_LEN)
        r = -ENOMEM;
    EVP_MD_CTX_free(ctx);
    if (r == 0)
        memcpy(ret_sig, sig, sizeof(sig));
    return r;
}

int ss_key_verify(const struct ss_key *key, const uint8_t *msg, size_t len,
                  const uint8_t sig[SS_ED25519_SIG_LEN])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int r;

    if (ctx == NULL)
        return -ENOMEM;
    if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key->pkey) != 1) {
        EVP_MD_CTX_free(ctx);
        return -ENOMEM;
    }
    r = EVP_DigestVerify(ctx, sig, SS_ED25519_SIG_LEN, msg, len) == 1 ? 0 : SS_EVERIFY;
    EVP_MD_CTX_free(ctx);
    return r;
}

int ss_dsse_pae(const char *type, const uint8_t *body, size_t len, struct ss_buf *out)
{
    size_t start = out->len;
    int r = ss_buf_printf(out, "DSSEv1 %zu %s %zu ", strlen(type), type, len);

    if (r == 0)
        r = ss_buf_append(out, body, len);
    if (r < 0)
        ss_buf_truncate(out, start);
    return r;
}

/* Write the canonical envelope text; sigs[i] already computed. */
static int put_envelope(const char *type, const uint8_t *payload, size_t len,
                        const struct ss_dsse_sig *sigs, size_t n_sigs, struct ss_buf *out)
{
    int r = ss_buf_puts(out, "{\"payload\":\"");

    r = r ? r : ss_base64_encode(payload, len, out);
    r = r ? r : ss_buf_puts(out, "\",\"payloadType\":");
    r = r ? r : ss_jcs_put_cstr(out, type);
    r = r ? r : ss_buf_puts(out, ",\"signatures\":[");
    for (size_t i = 0; r == 0 && i < n_sigs; i++) {
        r = ss_buf_puts(out, i > 0 ? ",{\"keyid\":" : "{\"keyid\":");
        r = r ? r : ss_jcs_put_cstr(out, sigs[i].keyid);
        r = r ? r : ss_buf_puts(out, ",\"sig\":\"");
        r = r ? r : ss_base64_encode(sigs[i].sig, SS_ED25519_SIG_LEN, out);
        r = r ? r : ss_buf_puts(out, "\"}");
    }
    r = r ? r : ss_buf_puts(out, "]}\n");
    return r;
}

int ss_dsse_write(const struct ss_key *key, const char *type, const uint8_t *payload, size_t len,
                  struct ss_buf *out)
{
    struct ss_buf pae = SS_BUF_INIT(SIZE_MAX / 2);
    struct ss_dsse_sig sig = { .sig_ok_len = true };
    size_t start = out->len;
    int r = 0;

    if (key != NULL) {
        if (!key->is_private)
            return -EINVAL;
        r = ss_key_id(key, sig.keyid);
        r = r ? r : ss_dsse_pae(type, payload, len, &pae);
        r = r ? r : ss_key_sign(key, (const uint8_t *)pae.ptr, pae.len, sig.sig);
        ss_buf_release(&pae);
        if (r < 0)
            return r;
    }
    r = put_envelope(type, payload, len, &sig, key != NULL ? 1 : 0, out);
    if (r < 0)
        ss_buf_truncate(out, start);
    return r;
}

void ss_dsse_release(struct ss_dsse *env)
{
    ss_free(env->payload_type);
    ss_free(env->payload);
    *env = (struct ss_dsse){ 0 };
}

/* Unescape the string @v into @out (reset first); SS_ESYNTAX if not a string. */
static int str_val(const struct ss_json_val *v, struct ss_buf *out)
{
    ss_buf_reset(out);
    if (v->type != SS_JSON_STRING)
        return SS_ESYNTAX;
    return ss_json_unescape(v, out);
}

struct sig_walk {
    struct ss_dsse *env;
    int err;
    struct ss_diag *diag;
};

static int on_sig(void *ctx, const struct ss_json_val *el)
{
    struct sig_walk *w = ctx;
    struct ss_dsse_sig *s;
    struct ss_json_val kv, sv;
    struct ss_buf tmp = SS_BUF_INIT(SS_DSSE_MAX_BYTES);
    struct ss_buf raw = SS_BUF_INIT(SS_DSSE_MAX_BYTES);
    int r;

    if (w->env->n_sigs >= SS_DSSE_MAX_SIGS) {
        w->err = SS_ELIMIT;
        return 1;
    }
    if (el->type != SS_JSON_OBJECT) {
        w->err = SS_ESYNTAX;
        return 1;
    }
    s = &w->env->sigs[w->env->n_sigs];
    *s = (struct ss_dsse_sig){ 0 };
    r = ss_evidence_json_get(el->ptr, el->len, "keyid", &kv);
    if (r == 0 && kv.type != SS_JSON_MISSING) {
        r = str_val(&kv, &tmp);
        if (r == 0)
            snprintf(s->keyid, sizeof(s->keyid), "%s", tmp.ptr);
    }
    if (r == 0)
        r = ss_evidence_json_get(el->ptr, el->len, "sig", &sv);
    if (r == 0)
        r = str_val(&sv, &tmp);
    if (r == 0)
        r = ss_base64_decode(tmp.ptr, tmp.len, &raw);
    if (r == 0 && raw.len == SS_ED25519_SIG_LEN) {
        memcpy(s->sig, raw.ptr, SS_ED25519_SIG_LEN);
        s->sig_ok_len = true;
    }
    ss_buf_release(&tmp);
    ss_buf_release(&raw);
    if (r < 0) {
        w->err = r;
        return 1;
    }
    w->env->n_sigs++;
    return 0;
}

int ss_dsse_parse(const char *json, size_t len, struct ss_dsse *ret, struct ss_diag *reterr_diag)
{
    struct ss_dsse env = { 0 };
    struct ss_json_val v;
    struct ss_buf tmp = SS_BUF_INIT(SS_DSSE_MAX_BYTES);
    struct ss_buf payload = SS_BUF_INIT(SS_DSSE_MAX_BYTES);
    struct ss_buf canon = SS_BUF_INIT(SS_DSSE_MAX_BYTES + 1024);
    struct ss_json_path *p = NULL;
    struct sig_walk w = { .env = &env, .diag = reterr_diag };
    struct ss_json_limits lim = ss_json_limits_default;
    const char *what = "not a DSSE envelope";
    int r;

    if (len > SS_DSSE_MAX_BYTES)
        return ss_diag_set(reterr_diag, SS_ELIMIT, NULL, 0, 0, UINT64_MAX,
                           "envelope bigger than %zu bytes", SS_DSSE_MAX_BYTES);
    lim.max_string_bytes = SS_DSSE_MAX_BYTES;
    lim.max_record_bytes = SS_DSSE_MAX_BYTES;
    r = ss_json_validate(json, len, &lim, reterr_diag);
    if (r < 0)
        goto out;
    r = ss_evidence_json_get(json, len, "", &v);
    if (r == 0 && v.type != SS_JSON_OBJECT)
        r = SS_ESYNTAX;
    if (r == 0) {
        what = "missing or bad 'payloadType'";
        r = ss_evidence_json_get(json, len, "payloadType", &v);
        r = r ? r : str_val(&v, &tmp);
    }
    if (r == 0) {
        env.payload_type = ss_strndup(tmp.ptr, tmp.len);
        if (env.payload_type == NULL) {
            r = -ENOMEM;
            goto out;
        }
        what = "missing or bad 'payload' (strict base64)";
        r = ss_evidence_json_get(json, len, "payload", &v);
        r = r ? r : str_val(&v, &tmp);
        r = r ? r : ss_base64_decode(tmp.ptr, tmp.len, &payload);
    }
    if (r == 0) {
        what = "missing or bad 'signatures'";
        r = ss_evidence_json_get(json, len, "signatures", &v);
        if (r == 0 && v.type != SS_JSON_ARRAY)
            r = SS_ESYNTAX;
    }
    if (r == 0) {
        r = ss_json_path_parse("signatures[*]", 13, &p, NULL);
        if (r == 0)
            r = ss_json_get_each(json, len, p, on_sig, &w);
        if (r == 1 || w.err != 0)
            r = w.err != 0 ? w.err : SS_ESYNTAX;
        if (r == SS_ELIMIT)
            what = "too many signatures";
        else if (r < 0 && r != -ENOMEM)
            what = "bad signature entry (needs 'sig' in strict base64)";
    }
    if (r < 0) {
        if (r != -ENOMEM && (reterr_diag == NULL || reterr_diag->code == 0))
            ss_diag_set(reterr_diag, r, NULL, 0, 0, UINT64_MAX, "%s", what);
        goto out;
    }
    env.payload_len = payload.len;
    env.payload = (uint8_t *)ss_buf_detach(&payload);
    if (env.payload == NULL) {
        r = -ENOMEM;
        goto out;
    }
    /* Canonical iff rewriting what we understood gives the same bytes. */
    {
        bool all_ok = true;

        for (size_t i = 0; i < env.n_sigs; i++)
            all_ok = all_ok && env.sigs[i].sig_ok_len;
        r = all_ok ? put_envelope(env.payload_type, env.payload, env.payload_len, env.sigs,
                                  env.n_sigs, &canon)
                   : 0;
        if (r < 0)
            goto out;
        env.canonical = all_ok && canon.len == len && memcmp(canon.ptr, json, len) == 0;
    }
    *ret = env;
    env = (struct ss_dsse){ 0 };
out:
    ss_json_path_free(p);
    ss_buf_release(&tmp);
    ss_buf_release(&payload);
    ss_buf_release(&canon);
    ss_dsse_release(&env);
    return r;
}

int ss_dsse_verify_sig(const struct ss_dsse *env, size_t i, const struct ss_key *key)
{
    struct ss_buf pae = SS_BUF_INIT(SIZE_MAX / 2);
    int r;

    if (i >= env->n_sigs || !env->sigs[i].sig_ok_len)
        return SS_EVERIFY;
    r = ss_dsse_pae(env->payload_type, env->payload, env->payload_len, &pae);
    if (r == 0)
        r = ss_key_verify(key, (const uint8_t *)pae.ptr, pae.len, env->sigs[i].sig);
    ss_buf_release(&pae);
    return r;
}
