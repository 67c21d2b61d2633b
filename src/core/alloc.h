/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/alloc.h - the single point through which siloscope allocates heap memory.
 *
 * Every allocation in the project goes through ss_malloc/ss_calloc/ss_realloc/ss_free
 * (never malloc directly). The hook gives us accounting (live and peak bytes), and fault
 * injection for the fault test suite: with ss_alloc_fail_at(N) the Nth allocation from
 * then on fails. Counters are atomic, so all functions are thread-safe. Third-party
 * libraries (zlib, SQLite, OpenSSL) keep their own allocators.
 */
#ifndef SS_CORE_ALLOC_H
#define SS_CORE_ALLOC_H

#include "core/base.h"

/** Allocate @n bytes (n == 0 is treated as 1). Returns NULL on OOM or injected fault. */
SS_MUST_USE void *ss_malloc(size_t n);
/** Allocate @n * @size zeroed bytes, checking the product for overflow. NULL on failure. */
SS_MUST_USE void *ss_calloc(size_t n, size_t size);
/** Resize @p to @n bytes. On failure returns NULL and @p is still valid and owned. */
SS_MUST_USE void *ss_realloc(void *p, size_t n);
/** Resize an array of @n elements of @size bytes, checking for overflow. As ss_realloc. */
SS_MUST_USE void *ss_reallocarray(void *p, size_t n, size_t size);
/**
 * Make the heap array *@arr (@size-byte elements, *@cap of them) hold at least @need:
 * its capacity doubles from 16 until it does. Returns 0, or -ENOMEM with *@arr and *@cap
 * unchanged. Callers pass (void **)&array.
 */
SS_MUST_USE int ss_grow(void **arr, size_t *cap, size_t need, size_t size);
/** Free @p (NULL is a no-op). */
void ss_free(void *p);
/** Duplicate the NUL-terminated @s. Returns owned copy — free with ss_free(); NULL on OOM. */
SS_MUST_USE char *ss_strdup(const char *s);
/** Duplicate @len bytes at @s and add a NUL. Returns owned copy; NULL on OOM. */
SS_MUST_USE char *ss_strndup(const char *s, size_t len);

/** Bytes currently allocated through the hook. */
size_t ss_alloc_live_bytes(void);
/** Highest value ss_alloc_live_bytes() has reached. */
size_t ss_alloc_peak_bytes(void);
/** Number of allocations made so far (successful or injected failures). */
uint64_t ss_alloc_count(void);
/**
 * Make the @nth allocation from now fail (1 = the next one); 0 disables injection.
 * Only one injected failure happens per call. For the fault test suite.
 */
void ss_alloc_fail_at(uint64_t nth);
/** Whether an injected failure has fired since the last ss_alloc_fail_at(). */
bool ss_alloc_fault_fired(void);

#endif
