/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/cloudtrail.h - CloudTrail log file integrity validation, offline.
 *
 * CloudTrail writes, per trail and region, an hourly digest file that lists the log
 * files delivered in its window with the SHA-256 of their uncompressed bytes, links to
 * the previous digest (its hash and signature), and is signed with an AWS RSA key
 * (docs/evidence.md, formats.md section 6.3). ss_ct_verify checks a case's digests the
 * way `aws cloudtrail validate-logs` does, but from the export alone: the chain links,
 * the digests' hashes, the log files' hashes, the RSA signatures when the reviewer
 * supplies AWS's public keys, and the coverage of the chain in time. Every problem
 * becomes a finding that cites the digest record it rests on.
 *
 * The caller reads the case once and describes every input (struct ss_ct_file): its
 * relative path, the SHA-256 of its decoded bytes, and for digests and signature
 * sidecars the document text. Nothing here touches the file system except key loading.
 */
#ifndef SS_EVIDENCE_CLOUDTRAIL_H
#define SS_EVIDENCE_CLOUDTRAIL_H

#include "core/base.h"
#include "core/diag.h"
#include "core/finding.h"
#include "evidence/sha256.h"

/** Largest public-key list file read. */
#define SS_CT_MAX_KEYS_FILE ((size_t)16 << 20)
/** Most public keys held. */
#define SS_CT_MAX_KEYS 4096u
/** Most log files one digest may list. */
#define SS_CT_MAX_DIGEST_LOGS 1000000u
/** Longest string field of a digest (an S3 object key is at most 1,024 bytes). */
#define SS_CT_MAX_FIELD 4096u

/** What an input is to the verifier. */
enum ss_ct_role {
    SS_CT_OTHER = 0, /* any other input: possibly a log file that a digest lists */
    SS_CT_DIGEST,    /* a digest file; @text is its JSON document */
    SS_CT_SIDECAR,   /* "<digest path>.metadata.json": an `aws s3api head-object` capture */
};

/** One input of the case as the verifier sees it; everything is borrowed. */
struct ss_ct_file {
    const char *rel; /* relative path in the case, '/' separators */
    uint32_t input;  /* input index */
    enum ss_ct_role role;
    bool decoded_ok;               /* @sha256 covers the whole decoded stream */
    uint8_t sha256[SS_SHA256_LEN]; /* SHA-256 of the decoded (uncompressed) bytes */
    const char *text;              /* digests and sidecars: the JSON document, else NULL */
    size_t text_len;
    struct ss_loc loc; /* digests: where the document record lies (cited as evidence) */
};

/** A set of AWS CloudTrail public keys (from `aws cloudtrail list-public-keys`). */
struct ss_ct_keys;

/** New empty key set. Returns 0 or -ENOMEM; *ret is owned — free with ss_ct_keys_free(). */
SS_MUST_USE int ss_ct_keys_new(struct ss_ct_keys **ret);
/** Free @keys. Accepts NULL. */
void ss_ct_keys_free(struct ss_ct_keys *keys);
/** Number of keys held. */
size_t ss_ct_keys_count(const struct ss_ct_keys *keys);

/**
 * Add the keys of the JSON text @text (@len bytes; borrowed): the output of
 * `aws cloudtrail list-public-keys` ({"PublicKeyList":[{Value, ValidityStartTime,
 * ValidityEndTime, Fingerprint}]}) or a bare array of such entries. Value is the base64
 * DER of a PKCS#1 RSAPublicKey (a SubjectPublicKeyInfo is accepted too). @name names
 * the source in diagnostics (borrowed, may be NULL). Returns 0, -ENOMEM, SS_ESYNTAX or
 * SS_ELIMIT with @reterr_diag naming the entry and the reason; on error @keys keeps the
 * keys it had before the call.
 */
SS_MUST_USE int ss_ct_keys_parse(struct ss_ct_keys *keys, const char *text, size_t len,
                                 const char *name, struct ss_diag *reterr_diag);

/** Read the file at @path (at most SS_CT_MAX_KEYS_FILE) into @keys (ss_ct_keys_parse). */
SS_MUST_USE int ss_ct_keys_load(struct ss_ct_keys *keys, const char *path,
                                struct ss_diag *reterr_diag);

/** What a verification covered. */
struct ss_ct_stats {
    size_t digests;         /* digest files in the case */
    size_t chains;          /* (bucket root, account, region, trail) chains */
    size_t logs_listed;     /* log file entries across the digests */
    size_t logs_verified;   /* listed log files present with the recorded hash */
    size_t sigs_verified;   /* digest signatures that verified */
    size_t sigs_unchecked;  /* no key supplied, or no signature captured */
    size_t logs_undigested; /* log files no digest covers (digests-absent, log-uncovered) */
    size_t problems;        /* findings other than the chain summaries */
};

/** A check this verifier runs: its id, a generic title and its severity. */
struct ss_ct_check_info {
    const char *id;
    const char *title;
    enum ss_severity severity;
};

/** The checks ss_ct_verify runs (static table); returns their number. */
size_t ss_ct_checks(const struct ss_ct_check_info **ret);

/**
 * Verify the CloudTrail digests among the @n inputs @files (borrowed; any order) and add
 * a finding to @out for every problem, plus one informational summary per chain
 * ("cloudtrail.digest-chain"). @keys may be NULL (signatures are then not checked, and
 * the summaries say so). Check ids: cloudtrail.log-missing, cloudtrail.log-altered,
 * cloudtrail.log-unlisted, cloudtrail.log-uncovered, cloudtrail.digest-missing, cloudtrail.digest-altered,
 * cloudtrail.digest-signature-invalid, cloudtrail.digest-key-unknown,
 * cloudtrail.digest-misplaced, cloudtrail.digest-invalid, cloudtrail.digest-chain-break,
 * cloudtrail.digest-chain (docs/evidence.md). The findings do not depend on the order of
 * @files. Fills *ret_stats (may be NULL). Returns 0, -ENOMEM or SS_ELIMIT.
 */
SS_MUST_USE int ss_ct_verify(const struct ss_ct_file *files, size_t n,
                             const struct ss_ct_keys *keys, struct ss_findings *out,
                             struct ss_ct_stats *ret_stats);

#endif
