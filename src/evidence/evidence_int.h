/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/evidence_int.h - declarations shared by the .c files of the evidence area
 * only; never included outside src/evidence/.
 */
#ifndef SS_EVIDENCE_INT_H
#define SS_EVIDENCE_INT_H

#include "core/base.h"

#include <openssl/evp.h>

#include "core/buf.h"
#include "evidence/evidence.h"
#include "json/json.h"

/** The process-wide SHA-256 algorithm object (fetched once). Never NULL. */
const EVP_MD *ss_evidence_md_sha256(void);

/**
 * Append the whole file at @path to @out (at most @max_bytes: SS_ELIMIT beyond).
 * Returns 0, -errno, -ENOMEM or SS_ELIMIT.
 */
SS_MUST_USE int ss_evidence_read_file(const char *path, size_t max_bytes, struct ss_buf *out);

/**
 * Look up the value at the JSON path @path (json/json.h syntax; borrows it) in the valid
 * JSON text @text of @len bytes; *ret borrows @text. Returns 0 (type SS_JSON_MISSING when
 * nothing is there), -ENOMEM, SS_ESYNTAX or SS_ELIMIT.
 */
SS_MUST_USE int ss_evidence_json_get(const char *text, size_t len, const char *path,
                                     struct ss_json_val *ret);

/**
 * Write @len bytes at @p to @dir/@name through a temporary file in @dir that is synced
 * and renamed into place, with permission bits @mode. Returns 0 or -errno.
 */
SS_MUST_USE int ss_evidence_write_atomic(const char *dir, const char *name, const void *p,
                                         size_t len, unsigned mode);

/*
 * A file written through a temporary in the same directory and renamed into place on
 * commit, with buffered writes whose first error is latched.
 */
struct ss_evidence_out {
    int fd;
    int err;
    unsigned mode;
    struct ss_buf buf;
    char tmp[4096];
    char dst[4096];
};

/** Start writing @dir/@name. Returns 0 or -errno / -ENAMETOOLONG. */
SS_MUST_USE int ss_evidence_out_open(struct ss_evidence_out *o, const char *dir, const char *name,
                                     unsigned mode);
/** Append @len bytes (errors latched until commit). */
void ss_evidence_out_write(struct ss_evidence_out *o, const void *p, size_t len);
/** Flush, fsync and rename into place. Returns 0 or the first error (temp removed). */
SS_MUST_USE int ss_evidence_out_commit(struct ss_evidence_out *o);
/** Drop the temporary (after an error, or when not committing). Accepts a closed one. */
void ss_evidence_out_abort(struct ss_evidence_out *o);

/* ---- the in-toto statement (shared by the writer and the verifier) ---- */

#define SS_DSSE_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define SS_INTOTO_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define SS_PREDICATE_TYPE "https://siloscope.dev/review/v1"
#define SS_MANIFEST_FORMAT "siloscope-manifest/1"

struct ss_stmt_input {
    const char *relpath;
    bool has_sha256;
    const uint8_t *sha256;
};

/** Everything the statement says; all strings are borrowed. */
struct ss_stmt {
    const char *tool_version, *tool_build;
    const char *started, *finished;                /* RFC 3339 */
    const char *inputs_root, *findings_root;       /* hex */
    const char *manifest_sha256, *findings_sha256; /* hex */
    uint64_t n_inputs, n_inputs_hashed, n_records, n_bad_records, n_findings, n_rule_files;
    uint64_t n_sev[8]; /* by enum ss_severity */
    const struct ss_stmt_input *inputs;
    size_t n_stmt_inputs;
};

/** Append the canonical (RFC 8785) in-toto Statement v1 of @st to @out. */
SS_MUST_USE int ss_evidence_statement(const struct ss_stmt *st, struct ss_buf *out);

/* ---- the case log (caselog.c) ---- */

/** One entry of the case log: a sealed review. */
struct ss_caselog_entry {
    uint64_t index;
    uint8_t manifest_sha256[SS_SHA256_LEN];
    uint8_t statement_sha256[SS_SHA256_LEN];
    uint8_t inputs_root[SS_SHA256_LEN];
    uint8_t findings_root[SS_SHA256_LEN];
    char started[64], finished[64];
    char key_id[SS_SHA256_HEX_SIZE]; /* "" when unsigned */
};

/** The case log of an output folder as read and checked. */
struct ss_caselog_state {
    struct ss_buf entries;     /* entries.jsonl as read */
    struct ss_buf checkpoints; /* checkpoints.jsonl as read */
    uint8_t (*leaves)[SS_SHA256_LEN];
    size_t n_entries, cap;
    uint64_t cp_size; /* size and root of the last checkpoint (0: none) */
    uint8_t cp_root[SS_SHA256_LEN];
    struct ss_caselog_entry last; /* the last entry (if any) */
    bool is_new;                  /* no case log yet */
    bool ok;                      /* every check passed */
};

/**
 * Read and check OUT/caselog (signatures with @key where its key id matches); verdicts go
 * to @rep. Returns 0 with *ret filled (release it), or -ENOMEM.
 */
SS_MUST_USE int ss_caselog_check(const char *out_dir, const struct ss_key *key,
                                 struct ss_caselog_state *ret, struct ss_verify_report *rep);
/** Free what @st owns. Accepts a zeroed struct. */
void ss_caselog_state_release(struct ss_caselog_state *st);
/**
 * Append @e (its index is set here) to the checked log @st with a checkpoint signed by
 * @key (NULL: unsigned). Returns 0 with the new size and root, SS_ECORRUPT when @st did
 * not check, -errno or -ENOMEM.
 */
SS_MUST_USE int ss_caselog_append(const char *out_dir, const struct ss_caselog_state *st,
                                  const struct ss_caselog_entry *e, const struct ss_key *key,
                                  uint64_t *ret_size, uint8_t ret_root[SS_SHA256_LEN],
                                  struct ss_diag *reterr_diag);

#endif
