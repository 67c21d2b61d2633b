/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/base.h - the one header every siloscope file includes first.
 *
 * It pulls in the standard headers the project relies on (before banned.h, so the
 * bans cannot break their declarations), the project error codes, attribute macros
 * and assertion helpers. Nothing here allocates or prints.
 */
#ifndef SS_CORE_BASE_H
#define SS_CORE_BASE_H

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <assert.h>

#if defined(__has_attribute)
#if __has_attribute(warn_unused_result)
#define SS_MUST_USE __attribute__((warn_unused_result))
#endif
#if __has_attribute(format)
#define SS_ATTR_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#endif
#if __has_attribute(visibility)
#define SS_ATTR_PUBLIC __attribute__((visibility("default")))
#endif
#if __has_attribute(noreturn)
#define SS_ATTR_NORETURN __attribute__((noreturn))
#endif
#endif
#ifndef SS_MUST_USE
#define SS_MUST_USE
#endif
#ifndef SS_ATTR_PRINTF
#define SS_ATTR_PRINTF(fmt, args)
#endif
#ifndef SS_ATTR_PUBLIC
#define SS_ATTR_PUBLIC
#endif
#ifndef SS_ATTR_NORETURN
#define SS_ATTR_NORETURN
#endif

/*
 * Project error codes. Functions that can fail return 0 or a negative value:
 * -errno for operating-system failures, or one of these (all <= -1000).
 */
enum ss_err {
    SS_ESYNTAX = -1000,      /* input is not well formed */
    SS_ECORRUPT = -1001,     /* input is damaged (bad compressed stream, truncation) */
    SS_ELIMIT = -1002,       /* a hard cap was crossed */
    SS_EVERIFY = -1003,      /* a hash, signature or proof did not verify */
    SS_EEMPTY = -1004,       /* nothing to work on */
    SS_EUNSUPPORTED = -1005, /* understood but not supported */
    SS_ENOTFOUND = -1006,    /* a looked-up item does not exist */
    SS_ENOTREG = -1007,      /* a path names a FIFO, device, socket or directory */
};

struct stat;
/**
 * Open @path for reading if it is a regular file: the open never blocks (a FIFO would
 * wait for a writer forever), and anything but a regular file is closed again. @flags
 * are added to O_RDONLY (O_NOFOLLOW, say); *@ret_st (if not NULL) gets the file's
 * status. Returns the file descriptor, or -errno (-EISDIR for a directory), or
 * SS_ENOTREG. The descriptor keeps O_NONBLOCK, which reads of a regular file ignore.
 */
int ss_open_regular(const char *path, int flags, struct stat *ret_st);

/** Describe @r (0, -errno or an SS_E* code). Returns a static string; never NULL. */
const char *ss_strerror(int r);

#define SS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SS_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Programmer errors. Active unless NDEBUG; bad input must never reach these. */
#define SS_ASSERT(x) assert(x)
#ifdef NDEBUG
#define SS_ALWAYS(x) (x)
#define SS_NEVER(x) (x)
#else
#define SS_ALWAYS(x) ((x) ? 1 : (assert(0 && #x), 0))
#define SS_NEVER(x) ((x) ? (assert(0 && #x), 1) : 0)
#endif

#include "core/banned.h"

#endif
