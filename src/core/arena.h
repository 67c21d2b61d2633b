/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/arena.h - bump allocator for bulk lifetimes (a batch, a rule set, a report).
 *
 * Allocations come from chunks obtained through ss_malloc; nothing is freed singly.
 * ss_arena_reset keeps the first chunk and frees the rest, so a per-batch arena settles
 * at its working size. The arena has a hard cap on the bytes it may hold: an allocation
 * that would cross it returns NULL and ss_arena_failed() reports SS_ELIMIT instead of
 * -ENOMEM. All returned memory is aligned for any scalar type. One owner; not
 * thread-safe.
 */
#ifndef SS_CORE_ARENA_H
#define SS_CORE_ARENA_H

#include "core/base.h"
#include "core/buf.h"

struct ss_arena_chunk;

struct ss_arena {
    struct ss_arena_chunk *head;
    size_t used_bytes; /* bytes handed out since the last reset */
    size_t held_bytes; /* bytes in chunks */
    size_t max_bytes;  /* hard cap on held_bytes */
    int err;           /* 0, -ENOMEM or SS_ELIMIT after a failed allocation */
};

/** Set up caller storage @a; it may hold at most @max_bytes. Allocates nothing. */
void ss_arena_init(struct ss_arena *a, size_t max_bytes);
/** Free every chunk. @a may be reused after ss_arena_init. Accepts a zeroed arena. */
void ss_arena_release(struct ss_arena *a);
/**
 * Move every chunk of @src into @dst (what was allocated from @src stays valid, now
 * owned by @dst; @src is left empty). @dst keeps allocating from its own current chunk.
 * Returns 0, or SS_ELIMIT (and frees @src's chunks) when @dst would pass its cap. An
 * error of @src (ss_arena_failed) is not carried over.
 */
SS_MUST_USE int ss_arena_adopt(struct ss_arena *dst, struct ss_arena *src);
/** Invalidate every allocation; keeps one chunk for reuse. O(chunks). */
void ss_arena_reset(struct ss_arena *a);
/** @n bytes, aligned; valid until reset/release. NULL on failure (see ss_arena_failed). */
SS_MUST_USE void *ss_arena_alloc(struct ss_arena *a, size_t n);
/** As ss_arena_alloc, zero-filled, with overflow check on @n * @size. */
SS_MUST_USE void *ss_arena_calloc(struct ss_arena *a, size_t n, size_t size);
/** Copy @len bytes at @s plus a NUL into the arena. NULL on failure. */
SS_MUST_USE char *ss_arena_strndup(struct ss_arena *a, const char *s, size_t len);
/** Copy the NUL-terminated @s into the arena. NULL on failure. */
SS_MUST_USE char *ss_arena_strdup(struct ss_arena *a, const char *s);
/** printf into the arena. NULL on failure. */
SS_MUST_USE char *ss_arena_printf(struct ss_arena *a, const char *fmt, ...) SS_ATTR_PRINTF(2, 3);
/** The error of the last failed allocation: -ENOMEM or SS_ELIMIT (0 if none). */
int ss_arena_failed(const struct ss_arena *a);

#endif
