/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/dsse.h - Ed25519 keys (through OpenSSL) and DSSE v1 envelopes.
 *
 * Keys are PEM files: the private key as unencrypted PKCS#8 ("BEGIN PRIVATE KEY",
 * written with mode 0600), the public key as SubjectPublicKeyInfo ("BEGIN PUBLIC KEY").
 * A key id is the lower-case hex SHA-256 of the DER SubjectPublicKeyInfo, so anyone can
 * recompute it with `openssl pkey -pubin -outform DER | sha256sum`.
 *
 * A DSSE envelope signs PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP
 * body (LEN as ASCII decimal). siloscope writes envelopes in canonical JSON (RFC 8785)
 * followed by one newline: {"payload":B64,"payloadType":T,"signatures":[{"keyid":K,
 * "sig":B64}]}. An unsigned envelope has "signatures":[]. Thread-safe; keys are
 * immutable once loaded.
 */
#ifndef SS_EVIDENCE_DSSE_H
#define SS_EVIDENCE_DSSE_H

#include "core/base.h"
#include "core/buf.h"
#include "core/diag.h"
#include "evidence/sha256.h"

#define SS_ED25519_SIG_LEN 64
/** Most signatures an envelope we read may carry. */
#define SS_DSSE_MAX_SIGS 16
/** Largest envelope we read. */
#define SS_DSSE_MAX_BYTES ((size_t)512 << 20)

struct ss_key; /* opaque: an Ed25519 private key (can sign) or public key */

/**
 * Load the PEM key file @path: a private key when @want_private, else a public key (a
 * private key file is accepted too; only its public half is used). Returns owned key —
 * free with ss_key_free(). Returns 0, -errno, -ENOMEM, SS_ESYNTAX (not a PEM key) or
 * SS_EUNSUPPORTED (not Ed25519); @reterr_diag names the file.
 */
SS_MUST_USE int ss_key_load(const char *path, bool want_private, struct ss_key **ret_key,
                            struct ss_diag *reterr_diag);
/** Parse a PEM key from memory; as ss_key_load. */
SS_MUST_USE int ss_key_from_pem(const char *pem, size_t len, bool want_private,
                                struct ss_key **ret_key, struct ss_diag *reterr_diag);
/** Free @k. Accepts NULL. */
void ss_key_free(struct ss_key *k);
/** Whether @k can sign. */
bool ss_key_is_private(const struct ss_key *k);
/** The key id of @k (hex SHA-256 of its DER public key). Returns 0 or -ENOMEM. */
SS_MUST_USE int ss_key_id(const struct ss_key *k, char ret_id[SS_SHA256_HEX_SIZE]);
/** Append the public key of @k as PEM to @out. Returns 0 or -ENOMEM. */
SS_MUST_USE int ss_key_public_pem(const struct ss_key *k, struct ss_buf *out);

/**
 * Make a new Ed25519 key pair: the private key PEM at @priv_path (created with mode
 * 0600; never overwrites: -EEXIST) and the public key PEM at @pub_path (also never
 * overwritten). On success writes the key id to @ret_id. Returns 0, -errno or -ENOMEM;
 * on failure no file is left behind.
 */
SS_MUST_USE int ss_keygen(const char *priv_path, const char *pub_path,
                          char ret_id[SS_SHA256_HEX_SIZE], struct ss_diag *reterr_diag);

/** Append PAE(@type, @body[0..len)) to @out. Returns 0, -ENOMEM or SS_ELIMIT. */
SS_MUST_USE int ss_dsse_pae(const char *type, const uint8_t *body, size_t len, struct ss_buf *out);

/**
 * Append the canonical envelope of @payload[0..len) with type @type to @out, signed with
 * @key (NULL: unsigned, "signatures":[]), plus a newline. Returns 0, -ENOMEM, -EINVAL
 * (@key cannot sign) or SS_ELIMIT.
 */
SS_MUST_USE int ss_dsse_write(const struct ss_key *key, const char *type, const uint8_t *payload,
                              size_t len, struct ss_buf *out);

struct ss_dsse_sig {
    char keyid[SS_SHA256_HEX_SIZE + 64]; /* as found (truncated if absurdly long) */
    uint8_t sig[SS_ED25519_SIG_LEN];
    bool sig_ok_len; /* the signature decoded to 64 bytes */
};

/** A parsed envelope. The payload is owned (free with ss_dsse_release). */
struct ss_dsse {
    char *payload_type;
    uint8_t *payload;
    size_t payload_len;
    struct ss_dsse_sig sigs[SS_DSSE_MAX_SIGS];
    size_t n_sigs;
    bool canonical; /* the text is exactly what ss_dsse_write would produce */
};

/**
 * Parse the envelope text @json[0..len) into @ret (caller storage). Returns 0,
 * SS_ESYNTAX (not an envelope; located in @reterr_diag), SS_ELIMIT or -ENOMEM.
 */
SS_MUST_USE int ss_dsse_parse(const char *json, size_t len, struct ss_dsse *ret,
                              struct ss_diag *reterr_diag);
/** Free what @env owns. Accepts a zeroed struct. */
void ss_dsse_release(struct ss_dsse *env);
/**
 * Verify signature @i of @env with @key over PAE(payload_type, payload). Returns 0,
 * SS_EVERIFY or -ENOMEM.
 */
SS_MUST_USE int ss_dsse_verify_sig(const struct ss_dsse *env, size_t i, const struct ss_key *key);

/** Sign @msg[0..len) with @key into @ret_sig. Returns 0, -EINVAL or -ENOMEM. */
SS_MUST_USE int ss_key_sign(const struct ss_key *key, const uint8_t *msg, size_t len,
                            uint8_t ret_sig[SS_ED25519_SIG_LEN]);
/** Verify @sig over @msg[0..len) with @key. Returns 0, SS_EVERIFY or -ENOMEM. */
SS_MUST_USE int ss_key_verify(const struct ss_key *key, const uint8_t *msg, size_t len,
                              const uint8_t sig[SS_ED25519_SIG_LEN]);

#endif
