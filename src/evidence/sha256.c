/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/sha256.c - implements streaming and one-shot SHA-256 over OpenSSL EVP.
 *
 * The algorithm object is fetched once (pthread_once) and reused, so initialising a
 * context never goes through OpenSSL's provider lookup; that keeps hashing many small
 * records (evidence) and Merkle nodes cheap.
 */
#include "evidence/sha256.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "evidence/evidence_int.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <openssl/evp.h>

static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_fetched;

static void md_fetch(void)
{
    md_fetched = EVP_MD_fetch(NULL, "SHA256", NULL);
}

const EVP_MD *ss_evidence_md_sha256(void)
{
    (void)pthread_once(&md_once, md_fetch);
    return md_fetched != NULL ? md_fetched : EVP_sha256();
}

int ss_sha256_init(struct ss_sha256 *h)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    *h = (struct ss_sha256){ 0 };
    if (ctx == NULL)
        return -ENOMEM;
    if (EVP_DigestInit_ex2(ctx, ss_evidence_md_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return -ENOMEM;
    }
    h->ctx = ctx;
    return 0;
}

void ss_sha256_update(struct ss_sha256 *h, const void *p, size_t len)
{
    if (h->err != 0 || len == 0)
        return;
    if (h->ctx == NULL) {
        h->err = -EINVAL;
        return;
    }
    if (EVP_DigestUpdate(h->ctx, p, len) != 1) {
        h->err = -ENOMEM;
        return;
    }
    h->n_bytes += len;
}

int ss_sha256_final(struct ss_sha256 *h, uint8_t ret[SS_SHA256_LEN])
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    int r = h->err;

    if (h->ctx == NULL)
        return -EINVAL;
    if (r == 0 && (EVP_DigestFinal_ex(h->ctx, d, &n) != 1 || n != SS_SHA256_LEN))
        r = -ENOMEM;
    /* Start a new message whatever happened, so the context stays usable. */
    h->err = 0;
    h->n_bytes = 0;
    if (EVP_DigestInit_ex2(h->ctx, ss_evidence_md_sha256(), NULL) != 1)
        h->err = -ENOMEM;
    if (r < 0)
        return r;
    memcpy(ret, d, SS_SHA256_LEN);
    return 0;
}

void ss_sha256_release(struct ss_sha256 *h)
{
    EVP_MD_CTX_free(h->ctx);
    *h = (struct ss_sha256){ 0 };
}

void ss_sha256_observe(void *ctx, const uint8_t *p, size_t len)
{
    ss_sha256_update(ctx, p, len);
}

int ss_sha256(const void *p, size_t len, uint8_t ret[SS_SHA256_LEN])
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned n = 0;

    if (EVP_Digest(p, len, d, &n, ss_evidence_md_sha256(), NULL) != 1 || n != SS_SHA256_LEN)
        return -ENOMEM;
    memcpy(ret, d, SS_SHA256_LEN);
    return 0;
}

#define FILE_CHUNK ((size_t)1 << 20)

int ss_sha256_file(const char *path, uint8_t ret[SS_SHA256_LEN], uint64_t *ret_size_bytes)
{
    struct ss_sha256 h = { 0 };
    uint8_t *chunk = NULL;
    uint8_t d[SS_SHA256_LEN];
    uint64_t total = 0;
    int fd = -1;
    int r;

    fd = ss_open_regular(path, 0, NULL);
    if (fd < 0) {
        r = fd;
        goto out;
    }
    chunk = ss_malloc(FILE_CHUNK);
    if (chunk == NULL) {
        r = -ENOMEM;
        goto out;
    }
    r = ss_sha256_init(&h);
    if (r < 0)
        goto out;
    for (;;) {
        ssize_t n = read(fd, chunk, FILE_CHUNK);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            r = -errno;
            goto out;
        }
        if (n == 0)
            break;
        ss_sha256_update(&h, chunk, (size_t)n);
        total += (uint64_t)n;
    }
    r = ss_sha256_final(&h, d);
    if (r < 0)
        goto out;
    memcpy(ret, d, SS_SHA256_LEN);
    if (ret_size_bytes != NULL)
        *ret_size_bytes = total;
out:
    ss_sha256_release(&h);
    ss_free(chunk);
    if (fd >= 0)
        (void)close(fd);
    return r;
}

void ss_sha256_hex(const uint8_t d[SS_SHA256_LEN], char out[SS_SHA256_HEX_SIZE])
{
    ss_hex_encode(d, SS_SHA256_LEN, out);
}

int ss_sha256_from_hex(const char *hex, size_t len, uint8_t ret[SS_SHA256_LEN])
{
    uint8_t d[SS_SHA256_LEN];

    if (len != 2 * SS_SHA256_LEN)
        return SS_ESYNTAX;
    for (size_t i = 0; i < len; i++) {
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
            return SS_ESYNTAX;
    }
    if (ss_hex_decode(hex, len, d, sizeof(d)) != 0)
        return SS_ESYNTAX;
    memcpy(ret, d, SS_SHA256_LEN);
    return 0;
}
