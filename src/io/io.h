/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/io.h - reading a case: discovery, content sniffing, decompression, record splitting.
 *
 * A case is any directory tree. ss_case_discover walks it (symbolic links are followed
 * only when their target resolves inside the case root; others are listed as skipped),
 * sorts the regular files bytewise by relative path (that order defines the input index
 * of the record-location contract) and sniffs each file's kind by content, never by
 * name. Files that are not understood are listed with the reason.
 *
 * ss_reader reads one input (or a byte range of a large plain input): it feeds the
 * stored bytes to an optional observer (so the caller can hash them in the same pass),
 * decompresses (gzip incl. multi-member, zstd incl. multi-frame) with caps on ratio and
 * total size, and splits the decoded stream into records without building a DOM:
 * JSON lines, top-level arrays, and the wrapper arrays Records/records/value/data. Each
 * record carries its location. A bad record is reported (located) and reading goes on;
 * a damaged stream ends the input with an error, keeping every record before it.
 *
 * Thread-safety: a case is immutable after discovery; each reader has one owner.
 */
#ifndef SS_IO_IO_H
#define SS_IO_IO_H

#include "core/base.h"
#include "core/diag.h"
#include "core/finding.h"

enum ss_input_kind {
    SS_KIND_UNKNOWN = 0,
    SS_KIND_AZURE_JSONL,       /* Azure Monitor resource/activity/Entra/Storage logs, JSON lines */
    SS_KIND_AZURE_RECORDS,     /* legacy Azure blob / Event Hub body {"records":[...]} */
    SS_KIND_AZURE_REST,        /* Activity Log REST shape: array or {"value":[...]} of events */
    SS_KIND_CLOUDTRAIL,        /* {"Records":[...]} or an array of CloudTrail events */
    SS_KIND_CLOUDTRAIL_DIGEST, /* CloudTrail digest file (kept for evidence) */
    SS_KIND_GCP_JSONL,         /* GCP LogEntry lines (or an array of them) */
    SS_KIND_INVENTORY,         /* Resource Graph / ARM: array, {"data":[...]}, {"value":[...]} */
    SS_KIND_JSONL,             /* generic JSON lines */
    SS_KIND_JSON,              /* generic JSON array / single document */
    SS_KIND__COUNT
};

enum ss_compression { SS_COMP_NONE = 0, SS_COMP_GZIP, SS_COMP_ZSTD, SS_COMP__COUNT };

/** "azure-jsonl", "cloudtrail", ... (stable names used in outputs). */
const char *ss_input_kind_name(enum ss_input_kind k);
/** "none", "gzip", "zstd". */
const char *ss_compression_name(enum ss_compression c);

struct ss_input {
    char *relpath;       /* relative to the case root, '/' separators */
    char *path;          /* path to open (root + relpath) */
    uint64_t size_bytes; /* stored size */
    enum ss_input_kind kind;
    enum ss_compression comp;
    const char *why_unknown; /* static reason when kind == SS_KIND_UNKNOWN, else NULL */
};

/** A file that was seen but not taken as an input (bad symlink, unreadable, special). */
struct ss_skipped {
    char *relpath;
    char *reason;
};

struct ss_case {
    char *root;
    struct ss_input *inputs; /* sorted bytewise by relpath; index = input index */
    size_t n_inputs;
    struct ss_skipped *skipped;
    size_t n_skipped;
};

struct ss_io_limits {
    uint64_t max_record_bytes;  /* one record */
    uint64_t max_decoded_bytes; /* one input, decoded */
    uint64_t max_ratio;         /* decoded / stored, checked once past 1 MiB decoded */
    uint32_t max_depth;         /* JSON nesting */
    uint64_t max_files;         /* files in a case */
};

extern const struct ss_io_limits ss_io_limits_default;

/**
 * Walk @root and fill @ret_case (caller storage; release with ss_case_release).
 * Returns 0, -ENOENT / -ENOTDIR / -EACCES for the root itself, -ENOMEM, or SS_ELIMIT.
 * Problems with individual files never fail the walk: they become skipped entries or
 * SS_KIND_UNKNOWN inputs with a reason.
 */
SS_MUST_USE int ss_case_discover(const char *root, const struct ss_io_limits *lim,
                                 struct ss_case *ret_case, struct ss_diag *reterr_diag);
/** Free what @c owns. Accepts a zeroed struct. */
void ss_case_release(struct ss_case *c);

/** Observer of the stored (raw, possibly compressed) bytes, in file order. */
typedef void (*ss_raw_fn)(void *ctx, const uint8_t *p, size_t len);

struct ss_record {
    const char *ptr; /* the record's exact JSON text; valid until the next read */
    size_t len;
    struct ss_loc loc; /* input, offset and length in the decoded stream, line/index */
};

struct ss_reader;

/**
 * Open input @index of @c for reading. @raw_fn (may be NULL) sees every stored byte
 * exactly once, in order (see ss_reader_drain for inputs that end early). Returns owned reader — free with
 * ss_reader_free(). Returns 0, -errno, -ENOMEM.
 */
SS_MUST_USE int ss_reader_open(const struct ss_case *c, uint32_t index,
                               const struct ss_io_limits *lim, ss_raw_fn raw_fn, void *raw_ctx,
                               struct ss_reader **ret_reader, struct ss_diag *reterr_diag);

/**
 * Next record. Returns 1 with *ret_rec filled, 0 at end of input, or a negative error
 * with @reterr_diag located (file, decoded offset, line). After SS_ESYNTAX or SS_ELIMIT
 * for one bad record the caller may call again: the reader has resynchronised on the
 * next record. After SS_ECORRUPT or -errno (damaged stream, I/O error) the input is
 * finished and further calls return 0.
 */
SS_MUST_USE int ss_reader_next(struct ss_reader *rd, struct ss_record *ret_rec,
                               struct ss_diag *reterr_diag);

/** Decoded bytes produced so far. */
uint64_t ss_reader_decoded_bytes(const struct ss_reader *rd);

/**
 * Pass the rest of the stored file (what has not been read yet) through the raw
 * observer, so that a hash over it covers the whole file even when reading stopped at
 * a damaged stream. Returns 0 or -errno.
 */
SS_MUST_USE int ss_reader_drain(struct ss_reader *rd);

/** Free @rd. Accepts NULL. */
void ss_reader_free(struct ss_reader *rd);

#endif
