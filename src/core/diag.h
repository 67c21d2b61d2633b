/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/diag.h - located diagnostics for rule, policy, log and manifest errors.
 *
 * Library code never prints; it fills an optional struct ss_diag that the caller passes
 * as the last argument (reterr_diag, may be NULL). The struct is fixed-size so filling it
 * can never fail. cli/ decides how to word it for people.
 */
#ifndef SS_CORE_DIAG_H
#define SS_CORE_DIAG_H

#include "core/base.h"

#define SS_DIAG_FILE_MAX 512
#define SS_DIAG_MSG_MAX 256

struct ss_diag {
    int code;                    /* 0 = no diagnostic; else the error returned */
    char file[SS_DIAG_FILE_MAX]; /* file (or input) the problem is in; "" if unknown */
    uint64_t line;               /* 1-based; 0 if not applicable */
    uint64_t column;             /* 1-based; 0 if not applicable */
    uint64_t offset;             /* byte offset in the (decoded) stream; UINT64_MAX if unknown */
    char msg[SS_DIAG_MSG_MAX];   /* lower-case reason, no final period */
};

/** Reset @d to "no diagnostic". Accepts NULL. */
void ss_diag_clear(struct ss_diag *d);
/**
 * Record a diagnostic in @d (NULL: do nothing) and return @code, so callers can write
 * `return ss_diag_set(d, SS_ESYNTAX, ...)`. @file may be NULL. Text is truncated to fit.
 */
int ss_diag_set(struct ss_diag *d, int code, const char *file, uint64_t line, uint64_t column,
                uint64_t offset, const char *fmt, ...) SS_ATTR_PRINTF(7, 8);
/** Set the file name of @d if it has none yet (used when a lower layer did not know it). */
void ss_diag_set_file(struct ss_diag *d, const char *file);
/**
 * Format @d as "FILE:LINE:COL: MSG" / "FILE: offset N: MSG" (whatever parts are known)
 * into @out of @out_len bytes. Always NUL-terminates.
 */
void ss_diag_format(const struct ss_diag *d, char *out, size_t out_len);

#endif
