/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store/store.h - the findings database (findings.sqlite): one review run, its inputs,
 * what could not be read, its findings with entities and evidence, and per-check
 * statistics. The schema is documented in docs/schema.md.
 *
 * Writing. ss_store_create() builds a fresh database in "PATH.tmp" (a stale one is
 * removed first). Rows are added with ss_store_put_*(), in transactions the caller
 * brackets with ss_store_begin()/ss_store_commit() (bulk loads belong in one
 * transaction: every put reuses a prepared statement and binds every value as a
 * parameter). ss_store_finish() commits, builds the secondary indexes, flushes the
 * file to disk and renames it to PATH, then reopens it read-only. A process killed
 * before that rename leaves only PATH.tmp behind (never a half-written PATH), so
 * PATH, when it exists, is always complete and consistent. While building, the
 * rollback journal is kept in memory and the file is not synced: that is safe
 * precisely because the file is disposable until the rename.
 *
 * Reading. ss_store_open() opens an existing PATH read-only after checking its
 * application id and schema version (PRAGMA user_version). The ss_store_each_*()
 * functions call a callback once per row, in a documented, deterministic order;
 * the row and every string it points to are valid only during the callback. The
 * database may come from elsewhere, so reads are defensive: text is capped, NULLs
 * read as "", and out-of-range values fail with SS_ECORRUPT.
 *
 * Errors. SQLite failures map to -ENOMEM, -ENOSPC, -EIO, -EEXIST (a duplicate key),
 * -EINVAL (a CHECK/foreign-key violation: the caller passed bad data), -EBUSY,
 * -EROFS, -ENOENT, SS_ECORRUPT (not a database / damaged) or SS_ELIMIT (too big);
 * the SQLite message goes to @reterr_diag with the database path as its file.
 *
 * Thread-safety: a store has one owner; calls must not overlap.
 */
#ifndef SS_STORE_STORE_H
#define SS_STORE_STORE_H

#include "core/base.h"
#include "core/arena.h"
#include "core/diag.h"
#include "core/finding.h"

/** The schema version kept in PRAGMA user_version; bump on any schema change. */
#define SS_STORE_SCHEMA_VERSION 2
/** PRAGMA application_id of a siloscope findings database ("sScp"). */
#define SS_STORE_APPLICATION_ID 0x73536370
/** Longest text value accepted on write (bytes). */
#define SS_STORE_MAX_TEXT ((size_t)4 << 20)
/** Longest value or row SQLite will build or read (SQLITE_LIMIT_LENGTH). */
#define SS_STORE_MAX_ROW ((size_t)16 << 20)
/** Excerpts are cut (at a UTF-8 boundary) to at most this many bytes. */
#define SS_STORE_EXCERPT_MAX 2048
/** Most evidence rows read back for one finding (a hostile database cannot exceed it). */
#define SS_STORE_READ_MAX_EVIDENCE 1000000
/** Most entities read back for one finding. */
#define SS_STORE_READ_MAX_ENTITIES 4096

struct ss_store;

/** What happened to one input. */
enum ss_store_input_status {
    SS_STORE_INPUT_OK = 0,  /* read to the end (bad records may still have been skipped) */
    SS_STORE_INPUT_UNKNOWN, /* content not understood; not read */
    SS_STORE_INPUT_DAMAGED, /* reading stopped early: damaged stream, I/O error, cap */
    SS_STORE_INPUT__COUNT
};

/** "ok", "unknown", "damaged" (the values stored in input.status). */
const char *ss_store_input_status_name(enum ss_store_input_status s);

/**
 * The review run (one per database). Strings are borrowed on write; on read they live
 * in the arena passed to ss_store_get_run(). NULL strings are stored as NULL and read
 * back as NULL (except the required ones, which are never NULL).
 */
struct ss_store_run {
    const char *tool_version;  /* required: SS_VERSION */
    const char *tool_build;    /* required: SS_BUILD (git describe) */
    const char *case_name;     /* required: name shown to people (basename of the case) */
    const char *case_root;     /* required: the case root as given */
    const char *policy_name;   /* review policy name, or NULL (OCSF compliance standard) */
    const char *params_json;   /* options as a JSON object text, or NULL */
    int64_t started_us;        /* wall clock, UTC */
    int64_t finished_us;       /* wall clock, UTC; OCSF "time" of every finding */
    uint32_t n_threads;        /* worker threads used */
    const char *inputs_root;   /* hex Merkle root over inputs, or NULL if not sealed */
    const char *findings_root; /* hex Merkle root over findings, or NULL if not sealed */
    bool is_signed;            /* manifest signed (DSSE) */
    const char *signer;        /* key id / signer name when signed, else NULL */
};

/** One input file of the case. Strings borrowed on write; valid during a callback on read. */
struct ss_store_input {
    uint32_t index;          /* input index (position in bytewise relpath order) */
    const char *relpath;     /* required; '/' separators */
    const char *kind;        /* required: ss_input_kind_name(), e.g. "azure-jsonl" */
    const char *compression; /* required: "none", "gzip", "zstd" */
    uint64_t size_bytes;     /* stored size */
    bool has_sha256;         /* false: sha256 not computed */
    uint8_t sha256[32];      /* SHA-256 of the stored bytes */
    uint64_t decoded_bytes;  /* decoded stream length read */
    uint64_t n_records;      /* good records */
    uint64_t n_bad_records;  /* bad records (all of them, even if not every one has a row) */
    enum ss_store_input_status status;
    const char *reason; /* why unknown / damaged, or NULL */
};

/** A file seen but not taken as an input. Borrowed on write; valid during a callback. */
struct ss_store_skipped {
    const char *relpath;
    const char *reason;
};

/** One record that could not be read. Borrowed on write; valid during a callback. */
struct ss_store_bad_record {
    uint32_t input;     /* input index */
    uint64_t offset;    /* decoded byte offset, or UINT64_MAX if unknown */
    uint64_t line;      /* 1-based line, or 0 if unknown */
    int code;           /* the error (SS_ESYNTAX, SS_ELIMIT, ...) */
    const char *reason; /* required: lower-case reason */
};

/**
 * Statistics of one check (a built-in check or "sigma:<rule id>"). On write, n_findings
 * is ignored (it is always counted from the findings); on read it is that count and
 * max_severity the highest severity among them (0 when none).
 */
struct ss_store_check {
    const char *check_id;          /* required */
    const char *title;             /* rule / check title, or NULL */
    enum ss_severity level;        /* declared level, or 0 if none */
    uint64_t n_matches;            /* records that matched (before correlation / grouping) */
    uint64_t n_findings;           /* read only */
    enum ss_severity max_severity; /* read only */
};

/** Flags of a stored finding. */
enum ss_store_finding_flags {
    SS_STORE_FINDING_COMPLIANCE = 1u << 0, /* policy check: OCSF Compliance Finding (2003) */
};

/**
 * A finding read back. @f is a faithful struct ss_finding: entities and evidence in the
 * stored order, data_json checked to be a JSON object and minified by SQLite's json()
 * ("{ \"a\": 1 }" reads back as "{\"a\":1}"). The parallel arrays give, for each
 * evidence row, the relative path of its input (NULL if the input index has no input
 * row) and the stored excerpt of the record (NULL if none). Everything is valid only
 * during the callback.
 */
struct ss_store_finding {
    int64_t seq;     /* 1-based position in canonical order (put order) */
    const char *uid; /* stable finding uid (hex) */
    enum ss_store_finding_flags flags;
    struct ss_finding f;
    const char *const *entity_types; /* n_entities type names (see ss_store_entity_type) */
    const char *const *ev_relpath;   /* n_evidence input relpaths (or NULL) */
    const char *const *ev_excerpt;   /* n_evidence excerpts (or NULL) */
};

/** Summary counts over the whole database. */
struct ss_store_summary {
    uint64_t n_inputs;
    uint64_t n_inputs_unknown;
    uint64_t n_inputs_damaged;
    uint64_t n_skipped;
    uint64_t size_bytes;    /* sum of stored sizes */
    uint64_t decoded_bytes; /* sum of decoded bytes */
    uint64_t n_records;
    uint64_t n_bad_records;     /* sum of input.n_bad_records */
    uint64_t n_bad_record_rows; /* rows in bad_record (may be fewer) */
    uint64_t n_findings;
    uint64_t n_by_severity[SS_SEV__COUNT]; /* indexed by enum ss_severity */
    uint64_t n_evidence;                   /* evidence rows */
    uint64_t n_checks;                     /* distinct check ids (findings and check statistics) */
};

/** How ss_store_each_finding() reads. */
enum ss_store_read_flags {
    SS_STORE_READ_BY_SEVERITY = 1u << 0, /* severity descending, then canonical; else canonical
                                             (put order: check id, primary entity, location) */
    SS_STORE_READ_NO_EVIDENCE = 1u << 1, /* skip the evidence rows (n_evidence = 0; the
                                             total stays in n_evidence_total) */
};

/* Lifecycle ---------------------------------------------------------------------- */

/**
 * Create a new, empty database to be published at @path (borrowed). Works in
 * "@path.tmp", removing a stale one first; @path itself is not touched until
 * ss_store_finish(). Returns owned store — free with ss_store_free(). Returns 0,
 * -ENOMEM, -errno (e.g. -ENOENT when the directory does not exist) or an SQLite error.
 */
SS_MUST_USE int ss_store_create(const char *path, struct ss_store **ret_store,
                                struct ss_diag *reterr_diag);

/**
 * Open the existing database @path read-only. Returns owned store — free with
 * ss_store_free(). Returns 0, -ENOENT, SS_ECORRUPT (not a database, or not a siloscope
 * one), SS_EUNSUPPORTED (another schema version) or -ENOMEM.
 */
SS_MUST_USE int ss_store_open(const char *path, struct ss_store **ret_store,
                              struct ss_diag *reterr_diag);

/**
 * Publish a store made by ss_store_create(): commit any open transaction, build the
 * secondary indexes, sync, rename "PATH.tmp" to PATH, sync the directory, and reopen
 * PATH read-only so the ss_store_each_* readers keep working. On failure the store can
 * only be freed (which removes PATH.tmp). Returns 0 or an error.
 */
SS_MUST_USE int ss_store_finish(struct ss_store *st, struct ss_diag *reterr_diag);

/**
 * Close and free @st. A store created but never finished is abandoned: its PATH.tmp
 * is removed. Accepts NULL.
 */
void ss_store_free(struct ss_store *st);

/** The path the store is (or will be) published at. Borrowed; valid until free. */
const char *ss_store_path(const struct ss_store *st);

/* Writing (only on a store from ss_store_create, before ss_store_finish) ------------ */

/** Begin a transaction. Returns 0, -EINVAL (one is open, or read-only) or an error. */
SS_MUST_USE int ss_store_begin(struct ss_store *st, struct ss_diag *reterr_diag);
/** Commit the open transaction. Returns 0, -EINVAL (none open) or an error. */
SS_MUST_USE int ss_store_commit(struct ss_store *st, struct ss_diag *reterr_diag);
/** Roll back the open transaction (no-op if none). Returns 0 or an error. */
SS_MUST_USE int ss_store_rollback(struct ss_store *st, struct ss_diag *reterr_diag);

/**
 * Write the run row (borrows @run). May be called again (e.g. once at the start and
 * once when the roots are known): the last call wins. Returns 0, -EINVAL (a required
 * field is NULL, params_json is not a JSON object) or an error.
 */
SS_MUST_USE int ss_store_put_run(struct ss_store *st, const struct ss_store_run *run,
                                 struct ss_diag *reterr_diag);

/** Add an input (borrows @in). Returns 0, -EEXIST (index or relpath seen), -EINVAL. */
SS_MUST_USE int ss_store_put_input(struct ss_store *st, const struct ss_store_input *in,
                                   struct ss_diag *reterr_diag);

/** Add a skipped file (borrows @sk). Returns 0, -EEXIST (relpath seen), -EINVAL. */
SS_MUST_USE int ss_store_put_skipped(struct ss_store *st, const struct ss_store_skipped *sk,
                                     struct ss_diag *reterr_diag);

/**
 * Add a bad record (borrows @br). Its input must have been put already. Returns 0,
 * -EINVAL (unknown input, missing reason) or an error.
 */
SS_MUST_USE int ss_store_put_bad_record(struct ss_store *st, const struct ss_store_bad_record *br,
                                        struct ss_diag *reterr_diag);

/**
 * Add a finding with its entities and evidence rows (borrows everything). @uid is the
 * stable finding uid (computed by the caller). Put findings in canonical order
 * (ss_findings_sort): the put order is the stored seq and the canonical read order.
 * All n_evidence rows are stored (no cap here); n_evidence_total is stored as given (at
 * least n_evidence). Entity ids are deduplicated in the entity table and get a type
 * from ss_store_entity_type(). Every evidence input index must have been put already (a
 * foreign key). The rows are added atomically (a savepoint): on error none of them
 * remain. Returns 0, -EEXIST (uid seen), -EINVAL (missing fields, severity out of range,
 * data_json not a JSON object, empty entity id, evidence citing an unknown input),
 * SS_ELIMIT (too many rows, a text above SS_STORE_MAX_TEXT, a number above INT64_MAX)
 * or an error.
 */
SS_MUST_USE int ss_store_put_finding(struct ss_store *st, const struct ss_finding *f,
                                     const char *uid, enum ss_store_finding_flags flags,
                                     struct ss_diag *reterr_diag);

/**
 * Keep an excerpt of the record at @loc (borrows @text, @len bytes): the first
 * SS_STORE_EXCERPT_MAX bytes, cut back to a UTF-8 boundary. Excerpts are keyed by
 * (input, offset), so findings citing the same record share one; the first put wins.
 * The input must have been put. Returns 0, -EINVAL or an error.
 */
SS_MUST_USE int ss_store_put_excerpt(struct ss_store *st, const struct ss_loc *loc,
                                     const char *text, size_t len, struct ss_diag *reterr_diag);

/** Add or replace the statistics of a check (borrows @c; n_findings ignored). */
SS_MUST_USE int ss_store_put_check(struct ss_store *st, const struct ss_store_check *c,
                                   struct ss_diag *reterr_diag);

/* Reading ---------------------------------------------------------------------------- */

/**
 * Read the run row; strings are copied into @a (valid until @a is reset). Returns 0,
 * SS_ENOTFOUND (no run row), -ENOMEM / SS_ELIMIT (arena) or an error.
 */
SS_MUST_USE int ss_store_get_run(struct ss_store *st, struct ss_arena *a,
                                 struct ss_store_run *ret_run, struct ss_diag *reterr_diag);

/** Compute the summary counts. Returns 0 or an error. */
SS_MUST_USE int ss_store_get_summary(struct ss_store *st, struct ss_store_summary *ret_summary,
                                     struct ss_diag *reterr_diag);

/** Row callbacks: return 0 to go on, or a negative error to stop (it is returned). */
typedef int (*ss_store_input_fn)(void *ctx, const struct ss_store_input *in);
typedef int (*ss_store_skipped_fn)(void *ctx, const struct ss_store_skipped *sk);
typedef int (*ss_store_bad_record_fn)(void *ctx, const struct ss_store_bad_record *br);
typedef int (*ss_store_check_fn)(void *ctx, const struct ss_store_check *c);
typedef int (*ss_store_finding_fn)(void *ctx, const struct ss_store_finding *sf);

/** Call @fn for every input, by input index. Returns 0, fn's error, or an error. */
SS_MUST_USE int ss_store_each_input(struct ss_store *st, ss_store_input_fn fn, void *ctx,
                                    struct ss_diag *reterr_diag);
/** Call @fn for every skipped file, by relpath (bytewise). */
SS_MUST_USE int ss_store_each_skipped(struct ss_store *st, ss_store_skipped_fn fn, void *ctx,
                                      struct ss_diag *reterr_diag);
/**
 * Call @fn for bad records by (input, offset, line), at most @limit of them (0: all).
 */
SS_MUST_USE int ss_store_each_bad_record(struct ss_store *st, uint64_t limit,
                                         ss_store_bad_record_fn fn, void *ctx,
                                         struct ss_diag *reterr_diag);
/** Call @fn for every check id (from findings and check statistics), by check id. */
SS_MUST_USE int ss_store_each_check(struct ss_store *st, ss_store_check_fn fn, void *ctx,
                                    struct ss_diag *reterr_diag);
/**
 * Call @fn for every finding, in the order @flags asks for, with its entities and (unless
 * SS_STORE_READ_NO_EVIDENCE) its evidence loaded. Memory for one finding is capped by
 * SS_STORE_READ_MAX_EVIDENCE / _ENTITIES (SS_ELIMIT).
 */
SS_MUST_USE int ss_store_each_finding(struct ss_store *st, enum ss_store_read_flags flags,
                                      ss_store_finding_fn fn, void *ctx,
                                      struct ss_diag *reterr_diag);
/**
 * Like ss_store_each_finding() with SS_STORE_READ_BY_SEVERITY in @flags, but only the
 * first @per_check findings of each check id in that order, and the first @total in all
 * (UINT64_MAX: no cap). -EINVAL with caps but without SS_STORE_READ_BY_SEVERITY.
 */
SS_MUST_USE int ss_store_each_finding_top(struct ss_store *st, enum ss_store_read_flags flags,
                                          uint64_t per_check, uint64_t total,
                                          ss_store_finding_fn fn, void *ctx,
                                          struct ss_diag *reterr_diag);

/* Helpers ---------------------------------------------------------------------------- */

/**
 * The resource type of an entity id, derived from its shape only (deterministic):
 * Azure ids "/subscriptions/G" -> "microsoft.resources/subscriptions",
 * ".../resourceGroups/R" -> "microsoft.resources/resourcegroups", ".../providers/NS/T/N"
 * -> "ns/t" (lower case, nested types joined with '/'); "/providers/Microsoft.Management/
 * managementGroups/M" likewise; AWS "arn:PART:SERVICE:..." -> "aws:SERVICE" (plus
 * ":TYPE" when the resource part is "TYPE/..." or "TYPE:..."); a bare GUID -> "guid";
 * "projects/P..." -> "gcp:project"; anything else -> "other". Writes at most @out_len
 * bytes including the NUL into @out and returns @out.
 */
const char *ss_store_entity_type(const char *entity, char *out, size_t out_len);

#endif
