/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/sha256.h - streaming SHA-256 over OpenSSL EVP.
 *
 * A struct ss_sha256 hashes a stream fed in pieces. Its update function cannot fail
 * (so it can be used as the io raw-byte observer during the single read pass); an
 * error inside OpenSSL is latched and reported by ss_sha256_final. After final the
 * context is ready for a new message. The SHA-256 algorithm object is fetched once per
 * process. One owner per context; distinct contexts may be used from different
 * threads.
 */
#ifndef SS_EVIDENCE_SHA256_H
#define SS_EVIDENCE_SHA256_H

#include "core/base.h"

#define SS_SHA256_LEN 32
/** Bytes of a NUL-terminated lower-case hex digest. */
#define SS_SHA256_HEX_SIZE (2 * SS_SHA256_LEN + 1)

struct evp_md_ctx_st; /* OpenSSL's EVP_MD_CTX; kept out of this header */

struct ss_sha256 {
    struct evp_md_ctx_st *ctx;
    uint64_t n_bytes; /* bytes fed since init or the last final */
    int err;          /* latched error of an update (0 or -ENOMEM / SS_ECORRUPT) */
};

/** Set up caller storage @h for a new message. Returns 0 or -ENOMEM (then @h is empty). */
SS_MUST_USE int ss_sha256_init(struct ss_sha256 *h);
/** Feed @len bytes at @p (borrows @p). Never fails; errors are latched until final. */
void ss_sha256_update(struct ss_sha256 *h, const void *p, size_t len);
/**
 * Write the digest of everything fed since init into @ret and start a new message.
 * Returns 0, or the latched / OpenSSL error (then @ret is untouched).
 */
SS_MUST_USE int ss_sha256_final(struct ss_sha256 *h, uint8_t ret[SS_SHA256_LEN]);
/** Free what @h owns. Accepts a zeroed or released struct. */
void ss_sha256_release(struct ss_sha256 *h);

/**
 * An ss_raw_fn (io/io.h) that feeds the stored bytes to the struct ss_sha256 @ctx, so an
 * input is hashed as received during the read pass.
 */
void ss_sha256_observe(void *ctx, const uint8_t *p, size_t len);

/** One-shot digest of @len bytes at @p into @ret. Returns 0 or -ENOMEM. Thread-safe. */
SS_MUST_USE int ss_sha256(const void *p, size_t len, uint8_t ret[SS_SHA256_LEN]);

/**
 * Digest of the whole file at @path, as stored. On success writes @ret and, if not NULL,
 * *ret_size_bytes. Returns 0, -errno or -ENOMEM.
 */
SS_MUST_USE int ss_sha256_file(const char *path, uint8_t ret[SS_SHA256_LEN],
                               uint64_t *ret_size_bytes);

/** Write @d as lower-case hex plus NUL into @out. */
void ss_sha256_hex(const uint8_t d[SS_SHA256_LEN], char out[SS_SHA256_HEX_SIZE]);
/**
 * Parse exactly 64 lower-case hex digits at @hex[0..len) into @ret (upper case is
 * rejected: siloscope writes one spelling only). Returns 0 or SS_ESYNTAX (@ret untouched).
 */
SS_MUST_USE int ss_sha256_from_hex(const char *hex, size_t len, uint8_t ret[SS_SHA256_LEN]);

#endif
