/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report/report_int.h - private declarations shared by the files of report/ (never
 * included outside it): the atomic buffered file writer and the check-title lookup
 * both renderers use.
 *
 * struct ss_report_out keeps the first error (sticky, like a stream's error flag), so
 * rendering code is a plain sequence of writes followed by one ss_report_out_close().
 */
#ifndef SS_REPORT_REPORT_INT_H
#define SS_REPORT_REPORT_INT_H

#include "report/report.h"

#include "core/arena.h"

/** Buffered bytes are written out once the buffer holds this many. */
#define SS_REPORT_OUT_FLUSH ((size_t)1 << 16)
/** Hard cap of the write buffer (one escaped value must fit). */
#define SS_REPORT_OUT_MAX ((size_t)256 << 20)

struct ss_report_out {
    int fd;           /* -1 when closed */
    const char *path; /* borrowed: the final path */
    char *tmp_path;   /* owned: PATH.tmp */
    struct ss_buf buf;
    int err;           /* first error, 0 if none */
    struct ss_diag *d; /* borrowed; filled on the first error */
};

/**
 * Create "@path.tmp" (truncating a stale one) and set up @o. Borrows @path and @d until
 * ss_report_out_close(). Returns 0 or -errno/-ENOMEM (with @d set); @o is then closed.
 */
SS_MUST_USE int ss_report_out_open(struct ss_report_out *o, const char *path, struct ss_diag *d);
/** Append @n bytes of trusted markup. */
void ss_report_out_raw(struct ss_report_out *o, const char *s, size_t n);
/** Append a trusted NUL-terminated string. */
void ss_report_out_str(struct ss_report_out *o, const char *s);
/** Append trusted printf-style output (numbers; never untrusted %s). */
void ss_report_out_fmt(struct ss_report_out *o, const char *fmt, ...) SS_ATTR_PRINTF(2, 3);
/** Append untrusted text, HTML-escaped (ss_report_html_escape). NULL appends nothing. */
void ss_report_out_esc(struct ss_report_out *o, const char *s);
/** Append the contents of @b as they are. */
void ss_report_out_buf(struct ss_report_out *o, const struct ss_buf *b);
/**
 * Record @err (if negative, and the writer has no error yet) and describe it in the
 * diagnostic as a failure to write. Returns the writer's error.
 */
int ss_report_out_fail(struct ss_report_out *o, int err);
/** As ss_report_out_fail for an error whose diagnostic is already set (a store error). */
int ss_report_out_keep(struct ss_report_out *o, int err);
/**
 * Finish: on success so far, flush, fsync and rename PATH.tmp to PATH; otherwise (or if
 * that fails) remove PATH.tmp. Frees what @o owns. Returns 0 or the first error.
 */
SS_MUST_USE int ss_report_out_close(struct ss_report_out *o);

/** Check ids and titles, sorted bytewise by id (as the store returns them). */
struct ss_report_checks {
    struct ss_arena arena;
    struct ss_store_check *items; /* strings in arena */
    size_t n, cap;
};

/** Load every check of @st into @c (caller storage, released with _release). */
SS_MUST_USE int ss_report_checks_load(struct ss_report_checks *c, struct ss_store *st,
                                      struct ss_diag *d);
/** The check @id, or NULL. */
const struct ss_store_check *ss_report_checks_find(const struct ss_report_checks *c,
                                                   const char *id);
/** Free what @c owns. Accepts a zeroed struct. */
void ss_report_checks_release(struct ss_report_checks *c);

#endif
