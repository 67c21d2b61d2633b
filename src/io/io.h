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
 * Thread-safety: a case is immutable after discovery; each reader has one owner (a
 * reader with SS_READER_PIPELINE runs one decode thread of its own, joined by
 * ss_reader_drain and ss_reader_free).
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

/**
 * How the records of a decoded stream are laid out (found from content by the reader,
 * recorded by sniffing). See docs/io.md "Record splitting".
 */
enum ss_layout {
    SS_LAYOUT_NONE = 0, /* nothing readable (empty, not JSON) */
    SS_LAYOUT_LINES,    /* JSON lines: one value per line */
    SS_LAYOUT_DOCS,     /* one or more top-level values spanning lines (pretty-printed) */
    SS_LAYOUT_ARRAY,    /* a top-level array: its elements are the records */
    SS_LAYOUT_WRAPPER,  /* {"Records"|"records"|"value"|"data":[...]}: elements are records */
    SS_LAYOUT__COUNT
};

/** Finer shape of some kinds (inventory sub-type, Log Analytics rows). */
enum ss_input_variant {
    SS_VARIANT_NONE = 0,
    SS_VARIANT_LOG_ANALYTICS,        /* Azure Monitor rows exported from a Log Analytics table */
    SS_VARIANT_INV_RESOURCES,        /* Resource Graph / ARM resource rows */
    SS_VARIANT_INV_DIAG_SETTINGS,    /* Microsoft.Insights/diagnosticSettings list */
    SS_VARIANT_INV_ROLE_ASSIGNMENTS, /* Microsoft.Authorization/roleAssignments */
    SS_VARIANT_INV_POLICY,           /* Microsoft.Authorization/policy* objects */
    SS_VARIANT_INV_LOCATIONS,        /* ARM locations (az account list-locations) */
    SS_VARIANT__COUNT
};

/** "lines", "docs", "array", "wrapper" ("none" for SS_LAYOUT_NONE). */
const char *ss_layout_name(enum ss_layout l);
/** "log-analytics", "resources", "diagnostic-settings", ... ("none"). */
const char *ss_input_variant_name(enum ss_input_variant v);

struct ss_input {
    char *relpath;       /* relative to the case root, '/' separators */
    char *path;          /* path to open (root + relpath, or the resolved link target) */
    uint64_t size_bytes; /* stored size */
    enum ss_input_kind kind;
    enum ss_compression comp;
    const char *why_unknown; /* static reason when kind == SS_KIND_UNKNOWN, else NULL */
    enum ss_layout layout;   /* as sniffed from the head of the decoded stream */
    enum ss_input_variant variant;
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

/* Defaults (docs/io.md "Caps"). */
#define SS_IO_DEFAULT_MAX_RECORD ((uint64_t)64 << 20)
#define SS_IO_DEFAULT_MAX_DECODED ((uint64_t)64 << 30)
#define SS_IO_DEFAULT_MAX_RATIO 1000u
#define SS_IO_DEFAULT_MAX_DEPTH 128u
#define SS_IO_DEFAULT_MAX_FILES 1000000u
/** Decoded bytes produced before the ratio cap is checked. */
#define SS_IO_RATIO_GRACE_BYTES ((uint64_t)1 << 20)

/** The defaults above. Functions taking a limits pointer use these when it is NULL. */
extern const struct ss_io_limits ss_io_limits_default;

/**
 * Walk @root and fill @ret_case (caller storage; release with ss_case_release).
 * Returns 0, -ENOENT / -ENOTDIR / -EACCES for the root itself, -ENOMEM, or SS_ELIMIT.
 * Problems with individual files never fail the walk: they become skipped entries or
 * SS_KIND_UNKNOWN inputs with a reason.
 */
SS_MUST_USE int ss_case_discover(const char *root, const struct ss_io_limits *lim,
                                 struct ss_case *ret_case, struct ss_diag *reterr_diag);
/**
 * As ss_case_discover, walking the tree and sniffing the files on @threads threads (0:
 * every CPU, as ss_case_discover does). The result never depends on @threads.
 */
SS_MUST_USE int ss_case_discover_threads(const char *root, const struct ss_io_limits *lim,
                                         unsigned threads, struct ss_case *ret_case,
                                         struct ss_diag *reterr_diag);
/**
 * Make a one-input case of the regular file @path (what `siloscope cat FILE` needs): root
 * is the file's directory, relpath its base name, path @path itself (a symbolic link
 * given explicitly is followed). The file is sniffed like a discovered one. Returns 0,
 * -errno (-ENOENT, -EISDIR, ...) or -ENOMEM; release with ss_case_release.
 */
SS_MUST_USE int ss_case_from_file(const char *path, const struct ss_io_limits *lim,
                                  struct ss_case *ret_case, struct ss_diag *reterr_diag);
/** Free what @c owns. Accepts a zeroed struct. */
void ss_case_release(struct ss_case *c);

/** What sniffing learned about a stream. */
struct ss_sniff {
    enum ss_input_kind kind;
    enum ss_compression comp;
    enum ss_layout layout;
    enum ss_input_variant variant;
    const char *why_unknown; /* static reason when kind == SS_KIND_UNKNOWN, else NULL */
};

/** Decoded bytes sniffing looks at, at most. */
#define SS_IO_SNIFF_BYTES ((uint64_t)1 << 20)

/**
 * Sniff @len stored bytes at @data (the head of a file, or all of it) by content:
 * compression from the magic bytes, then layout and kind from the first decoded records
 * (at most SS_IO_SNIFF_BYTES decoded are looked at). Borrows @data. Never fails: a
 * stream that is not understood gives SS_KIND_UNKNOWN with a reason. Thread-safe.
 */
void ss_io_sniff_mem(const void *data, size_t len, struct ss_sniff *ret);

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
 * exactly once, in order (see ss_reader_drain for inputs that end early). @lim may be
 * NULL (defaults); it is copied. Returns owned reader — free with ss_reader_free().
 * Returns 0, -errno, -ENOMEM, or -EINVAL for a bad @index. Opening reads nothing.
 */
SS_MUST_USE int ss_reader_open(const struct ss_case *c, uint32_t index,
                               const struct ss_io_limits *lim, ss_raw_fn raw_fn, void *raw_ctx,
                               struct ss_reader **ret_reader, struct ss_diag *reterr_diag);

/**
 * Open the stored byte range [@begin, @end) of input @index for parallel reading. Only
 * for uncompressed inputs sniffed as SS_LAYOUT_LINES (else SS_EUNSUPPORTED).
 *
 * Semantics: a line belongs to the range that contains its first byte, and a record is
 * the value on its line. The reader skips the partial line at @begin (unless @begin is 0
 * or byte @begin - 1 is a newline), returns every record whose line starts before @end,
 * and reads past @end to finish the last one. So ranges that tile [0, size) yield every
 * record exactly once, whatever the boundaries. @end may be UINT64_MAX (end of file).
 * Lines are always records here (no array or wrapper detection).
 *
 * @first_line is the 1-based number of the line that contains byte @begin, which makes
 * line numbers exact; pass 0 if unknown and the reader counts the newlines in
 * [0, @begin) itself (a sequential read of that prefix; ss_input_count_newlines lets the
 * caller count for all ranges in parallel instead). @raw_fn sees exactly the stored
 * bytes [@begin, min(@end, size)) once, in order (ss_reader_drain included), so the raw
 * bytes of ranges that tile a file concatenate to the file.
 * Returns owned reader — free with ss_reader_free(). Returns 0, -errno, -ENOMEM,
 * SS_EUNSUPPORTED, or -EINVAL (bad @index, @begin > @end).
 */
SS_MUST_USE int ss_reader_open_range(const struct ss_case *c, uint32_t index, uint64_t begin,
                                     uint64_t end, uint64_t first_line,
                                     const struct ss_io_limits *lim, ss_raw_fn raw_fn,
                                     void *raw_ctx, struct ss_reader **ret_reader,
                                     struct ss_diag *reterr_diag);

/**
 * Count the newline bytes in stored range [@begin, @end) of input @index (uncompressed
 * inputs; @end may be UINT64_MAX). A range starting at B then has first line 1 + the
 * newlines in [0, B). Returns 0, -errno, SS_EUNSUPPORTED (compressed) or -EINVAL.
 */
SS_MUST_USE int ss_input_count_newlines(const struct ss_case *c, uint32_t index, uint64_t begin,
                                        uint64_t end, uint64_t *ret_count,
                                        struct ss_diag *reterr_diag);

enum ss_reader_flags {
    SS_READER_NO_VALIDATE = 1u << 0, /* frame records but do not validate their JSON */
    SS_READER_FORCE_PLAIN = 1u << 1, /* ss_reader_open_mem: never decompress */
    SS_READER_GZIP_ZLIB = 1u << 2,   /* decode gzip with zlib even where ISA-L is built in
                                        (benchmarks and tests of the fallback) */
    SS_READER_PIPELINE = 1u << 3,    /* compressed input: decode on a thread of its own,
                                        ahead of the splitter (see ss_reader_set_flags) */
};

/**
 * Open a reader over @len bytes at @data (borrowed: must outlive the reader), decoded
 * like a file (compression from the magic bytes unless SS_READER_FORCE_PLAIN is in
 * @flags). Records report input index @input; diagnostics name @name (borrowed, may be
 * NULL). For tests, fuzzing and callers that hold data in memory. Returns owned reader —
 * free with ss_reader_free(). Returns 0 or -ENOMEM.
 */
SS_MUST_USE int ss_reader_open_mem(const void *data, size_t len, uint32_t input, const char *name,
                                   unsigned flags, const struct ss_io_limits *lim,
                                   struct ss_reader **ret_reader, struct ss_diag *reterr_diag);

/**
 * Set the reader's flags (SS_READER_NO_VALIDATE, SS_READER_GZIP_ZLIB, SS_READER_PIPELINE)
 * before the first ss_reader_next; SS_READER_FORCE_PLAIN is only honoured by
 * ss_reader_open_mem.
 *
 * SS_READER_PIPELINE (pipelined decoding): for a gzip or zstd input read whole (a file
 * or memory; ignored for uncompressed input, byte ranges and sniffing), the first
 * ss_reader_next starts one decode thread that reads and decompresses into a ring of
 * decoded blocks (docs/io.md "Pipelined decoding") while ss_reader_next frames and
 * validates records on the calling thread, so decoding and what the caller does with
 * the records overlap on two cores. Everything else is as without the flag: the same
 * records, locations, errors and diagnostics, the same caps, the decoded observer
 * called on the calling thread, ss_reader_drain and ss_reader_free allowed at any
 * point. What differs: @raw_fn runs on the decode thread (never concurrently with
 * itself, never after ss_reader_drain or ss_reader_free has returned), so the caller
 * reads its context (a hash) only once ss_reader_next has returned 0, or after
 * ss_reader_drain or ss_reader_free; the decoder runs up to 2 MiB of decoded output
 * ahead; and ss_reader_stored_bytes counts the stored bytes read when the last block
 * handed over was decoded. If the thread cannot be started, the calling thread decodes.
 */
void ss_reader_set_flags(struct ss_reader *rd, unsigned flags);

/**
 * Size the decoded blocks of a compressed input (before the first ss_reader_next):
 * @block_bytes decoded bytes a block (at most 4 MiB; default 256 KiB) and, with
 * SS_READER_PIPELINE, a ring of @n_blocks (clamped to [2, 64]; default 8); 0 keeps a
 * default. For tests (tiny blocks put a block boundary everywhere) and benchmarks. The
 * records of an intact stream never depend on it; how much of a damaged stream is
 * delivered before the error, or where a ratio cap trips, may depend on the block size
 * (never on the thread).
 */
void ss_reader_set_decode_blocks(struct ss_reader *rd, unsigned n_blocks, size_t block_bytes);

/**
 * Whether a decode thread runs (or ran) for @rd (SS_READER_PIPELINE took effect; known
 * after the first ss_reader_next).
 */
bool ss_reader_pipelined(const struct ss_reader *rd);

/**
 * Next record. Returns 1 with *ret_rec filled, 0 at end of input, or a negative error
 * with @reterr_diag located (file, decoded offset, line). After SS_ESYNTAX or SS_ELIMIT
 * for one bad record the caller may call again: the reader has resynchronised on the
 * next record. After SS_ECORRUPT or -errno (damaged stream, I/O error) the input is
 * finished and further calls return 0.
 */
SS_MUST_USE int ss_reader_next(struct ss_reader *rd, struct ss_record *ret_rec,
                               struct ss_diag *reterr_diag);

/**
 * Observe the decoded bytes: @fn (may be NULL) sees every decoded byte exactly once, in
 * stream order, as the reader produces it. Set before the first ss_reader_next. The
 * observer has seen the whole decoded stream when ss_reader_decoded_complete says so.
 */
void ss_reader_set_decoded_observer(struct ss_reader *rd, ss_raw_fn fn, void *ctx);

/**
 * Whether the whole decoded stream has been produced without a stream error, a cap or
 * an early stop (so a decoded observer has seen all of it).
 */
bool ss_reader_decoded_complete(const struct ss_reader *rd);

/** Decoded bytes produced so far. */
uint64_t ss_reader_decoded_bytes(const struct ss_reader *rd);

/** Stored bytes read so far (for a range: bytes read from @begin on). */
uint64_t ss_reader_stored_bytes(const struct ss_reader *rd);

/** Layout found so far (SS_LAYOUT_NONE before the first record). */
enum ss_layout ss_reader_layout(const struct ss_reader *rd);

/**
 * 1-based line (in the decoded stream) where the last record returned starts; for JSON
 * lines it equals loc.index. 0 before the first record.
 */
uint64_t ss_reader_record_line(const struct ss_reader *rd);

/**
 * Pass the rest of the stored file (what has not been read yet) through the raw
 * observer, so that a hash over it covers the whole file even when reading stopped at
 * a damaged stream. Returns 0 or -errno.
 */
SS_MUST_USE int ss_reader_drain(struct ss_reader *rd);

/** Free @rd. Accepts NULL. */
void ss_reader_free(struct ss_reader *rd);

#endif
