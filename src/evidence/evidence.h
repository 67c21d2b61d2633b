/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/evidence.h - sealing a review: the canonical finding JSON and finding uids,
 * the manifest (inputs and findings Merkle roots) with its DSSE / in-toto envelope, and
 * reading a sealed output directory back to verify it or to prove a finding.
 *
 * Formats are specified in docs/evidence.md; in short:
 *   inputs tree   RFC 6962 over the inputs in input-index order; leaf data =
 *                 SHA-256(stored file bytes) || relative path (UTF-8, '/' separators)
 *   findings tree RFC 6962 over the findings in canonical order; leaf data = the
 *                 finding's canonical JSON (RFC 8785), which is also one line of
 *                 findings.jsonl
 *   manifest.json the run (tool, times, params, policy and rule file hashes), both
 *                 roots, counts, every input and every finding uid with its leaf hash
 *   manifest.dsse.json  DSSE v1 envelope of an in-toto Statement v1 (subjects: the
 *                 inputs; predicate: the review summary incl. both roots and the
 *                 SHA-256 of manifest.json and findings.jsonl), Ed25519-signed; with
 *                 no key the envelope has no signatures ("sealed but unsigned")
 *   caselog/      an append-only RFC 6962 log of the reviews sealed into the folder,
 *                 with a (signed) checkpoint and consistency proof per review
 *
 * Writing is deterministic: for the same inputs, findings and parameters every byte of
 * every file is the same except the start and finish times. Library code never prints;
 * verification problems are collected in a struct ss_verify_report for cli/ to word.
 */
#ifndef SS_EVIDENCE_EVIDENCE_H
#define SS_EVIDENCE_EVIDENCE_H

#include "core/base.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/finding.h"
#include "evidence/sha256.h"

/* ---- findings ---- */

/** Hex characters of a finding uid, and the buffer size for it with its NUL. */
#define SS_FINDING_UID_LEN 32
#define SS_FINDING_UID_SIZE (SS_FINDING_UID_LEN + 1)

/**
 * The uid of @f: lower-case hex of the first 16 bytes of SHA-256 over
 * "siloscope/finding-uid/v1" NUL check_id NUL n_entities NUL entity... NUL location,
 * where location is "input:offset:len" of the first evidence record or "-" (see
 * docs/evidence.md). Two findings can share a uid (same check, entities and first
 * record); ss_findings_uids makes them unique. Returns 0 or -ENOMEM.
 */
SS_MUST_USE int ss_finding_uid(const struct ss_finding *f, char ret_uid[SS_FINDING_UID_SIZE]);

/**
 * Uids of all findings of @fs (in their current order, which should be canonical),
 * unique: the k-th repeat (k >= 2) of a uid is replaced by the uid computed over the
 * same string followed by NUL and k. @ret_uids has fs->len entries. Returns 0 or -ENOMEM.
 */
SS_MUST_USE int ss_findings_uids(const struct ss_findings *fs,
                                 char (*ret_uids)[SS_FINDING_UID_SIZE]);

/**
 * Append the canonical JSON (RFC 8785) of @f with uid @uid to @out: the leaf data of the
 * findings tree and one line of findings.jsonl (without the newline). Fields:
 * check_id, data, desc, entities, evidence [{index, input, len, offset, sha256}],
 * evidence_total, first_time, last_time, severity, severity_id, title, uid. Returns 0,
 * -ENOMEM, SS_ELIMIT (an integer above 2^53 - 1, or @out's cap) or SS_ESYNTAX
 * (data_json is not valid JSON); @out is unchanged on error.
 */
SS_MUST_USE int ss_finding_jcs(const struct ss_finding *f, const char *uid, struct ss_buf *out);

/* ---- writing the seal ---- */

/** A file the review used (policy, rule file), hashed as stored. */
struct ss_manifest_file {
    const char *relpath; /* as the reviewer named it, '/' separators */
    uint64_t size_bytes;
    uint8_t sha256[SS_SHA256_LEN];
};

/** One input, in input-index order. */
struct ss_manifest_input {
    const char *relpath;     /* relative to the case root, '/' separators */
    uint64_t size_bytes;     /* stored size */
    const char *kind;        /* ss_input_kind_name(), or NULL */
    const char *compression; /* ss_compression_name(), or NULL */
    uint64_t n_records;
    uint64_t n_bad_records;
    bool has_sha256; /* false: the file could not be read; leaf uses 32 zero bytes */
    uint8_t sha256[SS_SHA256_LEN];
};

struct ss_manifest {
    const char *tool_version;
    const char *tool_build;
    const char *case_root;
    const char *params_json; /* run parameters as a JSON object text, or NULL */
    int64_t started_us;
    int64_t finished_us;
    const struct ss_manifest_file *policy; /* NULL: no policy file */
    const struct ss_manifest_file *rule_files;
    size_t n_rule_files;
    const struct ss_manifest_input *inputs; /* ALL inputs of the case, input-index order */
    size_t n_inputs;
    const struct ss_findings *findings; /* canonical order (ss_findings_sort) */
    /* Unique uids of the findings (ss_findings_uids), or NULL to compute them here. */
    const char (*finding_uids)[SS_FINDING_UID_SIZE];
};

/** What ss_manifest_write sealed: roots and key id as lower-case hex. */
struct ss_manifest_result {
    char inputs_root[SS_SHA256_HEX_SIZE];
    char findings_root[SS_SHA256_HEX_SIZE];
    char manifest_sha256[SS_SHA256_HEX_SIZE];
    bool is_signed;
    char key_id[SS_SHA256_HEX_SIZE];   /* "" when unsigned */
    uint64_t log_size;                 /* reviews in OUT/caselog after this one */
    char log_root[SS_SHA256_HEX_SIZE]; /* its root */
};

/**
 * Seal a review into the existing directory @out_dir: compute both roots and write
 * findings.jsonl, manifest.json, manifest.dsse.json and, when signing,
 * manifest.pub.pem (the signer's public key, so the directory verifies on its own);
 * then append the review to the case log OUT/caselog with a new checkpoint. The case
 * log is checked before anything is written: a log that does not verify fails the seal
 * with SS_ECORRUPT (move OUT/caselog away to start a new log).
 * @key_path is an Ed25519 private key PEM (siloscope keygen) or NULL for an unsigned
 * seal. Files are written to temporaries and renamed into place. Borrows everything.
 * Returns 0 with *ret filled, or -errno (writing), -ENOMEM, -EINVAL (duplicate uids),
 * SS_ESYNTAX (bad params_json or finding data, bad key file), SS_ELIMIT, SS_ECORRUPT
 * (the case log does not verify); @reterr_diag names the file.
 */
SS_MUST_USE int ss_manifest_write(const struct ss_manifest *m, const char *out_dir,
                                  const char *key_path, struct ss_manifest_result *ret,
                                  struct ss_diag *reterr_diag);

/** Inputs leaf hash: SHA-256(0x00 || @sha256 || @relpath). Returns 0 or -ENOMEM. */
SS_MUST_USE int ss_manifest_input_leaf(const uint8_t sha256[SS_SHA256_LEN], const char *relpath,
                                       uint8_t ret_leaf[SS_SHA256_LEN]);

/* ---- reading and verifying a seal ---- */

enum ss_verify_status {
    SS_VERIFY_OK = 0,
    SS_VERIFY_FAIL,
    SS_VERIFY_WARN, /* not a failure: something could not be checked or is unusual */
    SS_VERIFY__COUNT
};

#define SS_VERIFY_ITEM_MAX 320
#define SS_VERIFY_MSG_MAX 320

/** One verdict: the item checked ("manifest.json", "input 'a/b.json'", ...) and why. */
struct ss_verify_item {
    enum ss_verify_status status;
    char item[SS_VERIFY_ITEM_MAX];
    char msg[SS_VERIFY_MSG_MAX];
};

/** The verdicts of one verification, in the order the checks ran. */
struct ss_verify_report {
    struct ss_verify_item *items;
    size_t n_items, cap;
    size_t n_fail, n_warn, n_ok;
    size_t max_items; /* further items are counted but not kept (0 = 100000) */
    size_t n_dropped;
};

/** Set up caller storage @rep (empty). */
void ss_verify_report_init(struct ss_verify_report *rep);
/** Free what @rep owns. Accepts a zeroed struct. */
void ss_verify_report_release(struct ss_verify_report *rep);
/**
 * Record a verdict. Never fails: when memory runs out or max_items is reached the
 * verdict is counted in n_fail / n_warn / n_ok and n_dropped but not kept.
 */
void ss_verify_report_add(struct ss_verify_report *rep, enum ss_verify_status status,
                          const char *item, const char *fmt, ...) SS_ATTR_PRINTF(4, 5);

/** One evidence entry of a sealed finding. */
struct ss_seal_evidence {
    uint32_t input; /* input index = index in ss_seal.inputs */
    uint64_t offset, len, index;
    bool has_sha256;
    uint8_t sha256[SS_SHA256_LEN];
};

struct ss_seal_finding {
    char uid[SS_FINDING_UID_SIZE];
    char *check_id;
    uint8_t leaf[SS_SHA256_LEN];       /* leaf hash as listed in manifest.json */
    struct ss_seal_evidence *evidence; /* from findings.jsonl (NULL if it was unreadable) */
    size_t n_evidence;
    char *jcs; /* the finding's line of findings.jsonl, or NULL */
    size_t jcs_len;
};

struct ss_seal_input {
    char *relpath;
    uint64_t size_bytes;
    bool has_sha256;
    uint8_t sha256[SS_SHA256_LEN];
    uint8_t leaf[SS_SHA256_LEN];
};

/** A sealed output directory as read back (what the manifest says, after checking). */
struct ss_seal {
    char *out_dir;
    struct ss_seal_input *inputs;
    size_t n_inputs;
    struct ss_seal_finding *findings;
    size_t n_findings;
    uint8_t inputs_root[SS_SHA256_LEN];   /* as stated in manifest.json */
    uint8_t findings_root[SS_SHA256_LEN]; /* as stated in manifest.json */
    bool roots_ok;                        /* both roots recompute from the listed leaves */
    bool is_signed;                       /* the envelope carries a signature */
    bool signature_ok; /* a signature verified (with --key or manifest.pub.pem) */
    bool key_from_dir; /* the key used was OUT/manifest.pub.pem, not one given */
    char key_id[SS_SHA256_HEX_SIZE];
    uint8_t manifest_sha256[SS_SHA256_LEN];  /* of manifest.json as read */
    uint8_t statement_sha256[SS_SHA256_LEN]; /* of the envelope's payload */
    bool has_statement;
    uint64_t log_size; /* reviews in the case log (0: none) */
    char *tool_version;
    char *started;  /* RFC 3339 */
    char *finished; /* RFC 3339 */
};

/** Free what @s owns. Accepts a zeroed struct. */
void ss_seal_release(struct ss_seal *s);

/**
 * Read the sealed directory @out_dir and check everything that needs no case data:
 * manifest.json parses and matches the statement in manifest.dsse.json byte for byte
 * (so any change to either is caught), the signature (with the public key PEM at
 * @pubkey_path, or else OUT/manifest.pub.pem if present), the inputs root recomputed
 * from the listed inputs, each finding line of findings.jsonl against its listed leaf
 * hash, and the findings root. Every verdict goes to @rep; *ret_seal receives what was
 * read (use it for the --case checks and for proofs). Returns 0 when the checks ran
 * (rep->n_fail says whether they passed), SS_ECORRUPT when the directory is too broken
 * to read (verdicts say why; *ret_seal untouched), or -ENOMEM.
 */
SS_MUST_USE int ss_seal_verify(const char *out_dir, const char *pubkey_path,
                               struct ss_seal *ret_seal, struct ss_verify_report *rep);

struct ss_key; /* evidence/dsse.h */

/** The texts of a sealed directory, for ss_seal_verify_texts (NULL: could not be read). */
struct ss_seal_texts {
    const char *manifest;
    size_t manifest_len;
    const char *envelope;
    size_t envelope_len;
    const char *findings;
    size_t findings_len;
};

/**
 * ss_seal_verify on texts in memory (tests, fuzzing): @key (borrowed; NULL = none) is the
 * public key to check the signature with. Same results as ss_seal_verify except that
 * ret_seal->out_dir is NULL.
 */
SS_MUST_USE int ss_seal_verify_texts(const struct ss_seal_texts *t, const struct ss_key *key,
                                     struct ss_seal *ret_seal, struct ss_verify_report *rep);

/**
 * Append the proof document of finding @uid to @out (JSON, docs/evidence.md): the
 * finding's canonical JSON and leaf hash with its inclusion proof in the findings tree,
 * and for every input its evidence cites, the input's leaf data and inclusion proof in
 * the inputs tree, with both roots. Returns 0, SS_ENOTFOUND (no such uid), -ENOMEM.
 */
SS_MUST_USE int ss_seal_prove(const struct ss_seal *s, const char *uid, struct ss_buf *out);

/**
 * Check the case log given as the texts of entries.jsonl and checkpoints.jsonl (tests,
 * fuzzing), as ss_seal_verify does for OUT/caselog; verdicts go to @rep. @key (NULL:
 * none) checks the checkpoints it signed. Returns 0 or -ENOMEM.
 */
SS_MUST_USE int ss_caselog_verify_texts(const char *entries, size_t entries_len,
                                        const char *checkpoints, size_t checkpoints_len,
                                        const struct ss_key *key, struct ss_verify_report *rep);

/**
 * Append the proof that the case log of @out_dir at its current size extends the log as
 * it was at @since reviews (JSON, docs/evidence.md "Case log"): both sizes and roots, the
 * RFC 9162 consistency proof, and every entry with its leaf hash. Returns 0, SS_ENOTFOUND
 * (no case log), SS_ECORRUPT (the log does not verify), -EINVAL (@since is 0 or beyond the
 * log) or -ENOMEM.
 */
SS_MUST_USE int ss_caselog_prove(const char *out_dir, uint64_t since, struct ss_buf *out);

#endif
