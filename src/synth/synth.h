/* SPDX-License-Identifier: Apache-2.0 */
/*
 * synth/synth.h - generate a realistic synthetic multi-tenant case with ground truth.
 *
 * ss_synth_run() writes a case directory in the real export layouts of
 * docs/formats.md: Resource Graph inventory (az graph query envelope), diagnostic
 * settings and other ARM-only objects ({"value":[...]}), Azure Activity Log, Entra
 * sign-in/audit and Storage blob logs as PT1H.json JSON-lines blobs, and one AWS
 * account's CloudTrail as gzip'd {"Records":[...]} files. Among benign tenants it plants
 * nine scenarios and records them, with their entities, in truth.json (docs/synth.md).
 *
 * Invariants:
 * - Output is a pure function of (seed, n_tenants, n_days, size_bytes): the same options
 *   give byte-identical trees for any n_threads. No wall clock, locale or TZ is read.
 * - Every output file is generated from its own random stream, derived from the seed and
 *   the file's identity, so files are produced in parallel and in any order.
 * - size_bytes steers the log volume; the result lands near it but is not exact (small
 *   targets are raised to the minimum volume the scenarios need).
 */
#ifndef SS_SYNTH_SYNTH_H
#define SS_SYNTH_SYNTH_H

#include "core/base.h"
#include "core/diag.h"

/** Hard caps on the options (larger values fail with SS_ELIMIT). */
#define SS_SYNTH_MAX_TENANTS 2000u
#define SS_SYNTH_MAX_DAYS 366u
#define SS_SYNTH_MAX_SIZE ((uint64_t)1 << 42) /* 4 TiB */
/** Default approximate case size when size_bytes is 0. */
#define SS_SYNTH_DEFAULT_SIZE ((uint64_t)50 << 20)
/** Most files one case may have (SS_ELIMIT beyond). */
#define SS_SYNTH_MAX_FILES ((size_t)4 << 20)

/**
 * Progress callback: @done_files of @total_files written, @done_bytes so far. Called from
 * the generating threads (at most one call at a time), roughly every few files.
 */
typedef void (*ss_synth_progress_fn)(void *ctx, uint64_t done_files, uint64_t total_files,
                                     uint64_t done_bytes);

struct ss_synth_opts {
    uint64_t seed;                 /* any value */
    uint32_t n_tenants;            /* benign customer tenants, 1..SS_SYNTH_MAX_TENANTS */
    uint32_t n_days;               /* time span in days, 1..SS_SYNTH_MAX_DAYS */
    uint64_t size_bytes;           /* approximate total output size; 0 = SS_SYNTH_DEFAULT_SIZE */
    unsigned n_threads;            /* worker threads; 0 = ss_pool_default_threads() */
    ss_synth_progress_fn progress; /* may be NULL */
    void *progress_ctx;
};

struct ss_synth_stats {
    uint64_t n_files;   /* files written */
    uint64_t n_bytes;   /* bytes written (compressed size for .gz files) */
    uint64_t n_records; /* log records written (all streams) */
    int64_t start_us;   /* first instant of the case (UTC microseconds) */
    int64_t end_us;     /* end of the case (exclusive) */
};

/** Set @o to the defaults: seed 1, 8 tenants, 7 days, default size, all threads. */
void ss_synth_opts_init(struct ss_synth_opts *o);

/**
 * Generate the case described by @opts into the directory @out_dir (borrowed), which
 * must not exist or be empty; missing parents are created.
 *
 * Returns 0, SS_ELIMIT (an option or the planned file count is out of range), -EEXIST
 * (@out_dir is not empty), -ENOMEM, or -errno from creating or writing files. On error
 * @reterr_diag (may be NULL) names the file and reason; files written so far remain.
 * *ret_stats (may be NULL) is written only on success. Thread-safe for distinct @out_dir.
 */
SS_MUST_USE int ss_synth_run(const struct ss_synth_opts *opts, const char *out_dir,
                             struct ss_synth_stats *ret_stats, struct ss_diag *reterr_diag);

#endif
