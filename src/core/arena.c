/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/arena.c - implements the bump allocator of arena.h. Chunks grow geometrically
 * (64 KiB up to 4 MiB, or larger for a single big request); reset keeps the first
 * chunk so a per-batch arena stops allocating once it has reached its working size.
 * Under AddressSanitizer, released regions are poisoned so stale slices are caught.
 */
#include "core/arena.h"

#include "core/alloc.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SS_ARENA_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SS_ARENA_ASAN 1
#endif

#ifdef SS_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ARENA_ALIGN (sizeof(max_align_t))
#define CHUNK_MIN ((size_t)64 << 10)
#define CHUNK_MAX ((size_t)4 << 20)

struct ss_arena_chunk {
    struct ss_arena_chunk *next;
    size_t cap;
    size_t used;
    max_align_t data[];
};

void ss_arena_init(struct ss_arena *a, size_t max_bytes)
{
    *a = (struct ss_arena){ .max_bytes = max_bytes };
}

void ss_arena_release(struct ss_arena *a)
{
    struct ss_arena_chunk *c = a->head;

    while (c != NULL) {
        struct ss_arena_chunk *next = c->next;

        UNPOISON(c->data, c->cap);
        ss_free(c);
        c = next;
    }
    a->head = NULL;
    a->used_bytes = 0;
    a->held_bytes = 0;
    a->err = 0;
}

int ss_arena_adopt(struct ss_arena *dst, struct ss_arena *src)
{
    struct ss_arena_chunk *last = src->head;

    if (src->held_bytes > dst->max_bytes - SS_MIN(dst->held_bytes, dst->max_bytes)) {
        ss_arena_release(src);
        return SS_ELIMIT;
    }
    if (last == NULL)
        return 0;
    while (last->next != NULL)
        last = last->next;
    /* behind dst's current chunk, so that dst goes on filling it */
    if (dst->head != NULL) {
        last->next = dst->head->next;
        dst->head->next = src->head;
    } else {
        dst->head = src->head;
    }
    dst->held_bytes += src->held_bytes;
    dst->used_bytes += src->used_bytes;
    *src = (struct ss_arena){ .max_bytes = src->max_bytes };
    return 0;
}

void ss_arena_reset(struct ss_arena *a)
{
    struct ss_arena_chunk *c = a->head, *keep = NULL;

    /* Keep the largest chunk (the oldest one is at the end of the list). */
    while (c != NULL) {
        struct ss_arena_chunk *next = c->next;

        if (keep == NULL || c->cap > keep->cap) {
            if (keep != NULL) {
                UNPOISON(keep->data, keep->cap);
                a->held_bytes -= keep->cap;
                ss_free(keep);
            }
            keep = c;
        } else {
            UNPOISON(c->data, c->cap);
            a->held_bytes -= c->cap;
            ss_free(c);
        }
        c = next;
    }
    if (keep != NULL) {
        keep->next = NULL;
        keep->used = 0;
        POISON(keep->data, keep->cap);
    }
    a->head = keep;
    a->used_bytes = 0;
    a->err = 0;
}

void *ss_arena_alloc(struct ss_arena *a, size_t n)
{
    struct ss_arena_chunk *c = a->head;
    size_t need;
    void *p;

    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - ARENA_ALIGN) {
        a->err = SS_ELIMIT;
        return NULL;
    }
    need = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    if (c == NULL || c->cap - c->used < need) {
        size_t cap = c == NULL ? CHUNK_MIN : SS_MIN(c->cap * 2, CHUNK_MAX);

        if (cap < need)
            cap = need;
        if (a->held_bytes + cap > a->max_bytes) {
            cap = need;
            if (a->held_bytes + cap > a->max_bytes || a->held_bytes + cap < cap) {
                a->err = SS_ELIMIT;
                return NULL;
            }
        }
        c = ss_malloc(sizeof(*c) + cap);
        if (c == NULL) {
            a->err = -ENOMEM;
            return NULL;
        }
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        POISON(c->data, cap);
        a->head = c;
        a->held_bytes += cap;
    }
    p = (char *)c->data + c->used;
    c->used += need;
    a->used_bytes += need;
    UNPOISON(p, n);
    return p;
}

void *ss_arena_calloc(struct ss_arena *a, size_t n, size_t size)
{
    void *p;

    if (size != 0 && n > SIZE_MAX / size) {
        a->err = SS_ELIMIT;
        return NULL;
    }
    p = ss_arena_alloc(a, n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

char *ss_arena_strndup(struct ss_arena *a, const char *s, size_t len)
{
    char *p;

    if (len == SIZE_MAX) {
        a->err = SS_ELIMIT;
        return NULL;
    }
    p = ss_arena_alloc(a, len + 1);
    if (p == NULL)
        return NULL;
    if (len != 0)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *ss_arena_strdup(struct ss_arena *a, const char *s)
{
    return ss_arena_strndup(a, s, strlen(s));
}

char *ss_arena_printf(struct ss_arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        a->err = -EINVAL;
        return NULL;
    }
    p = ss_arena_alloc(a, (size_t)n + 1);
    if (p == NULL)
        return NULL;
    va_start(ap, fmt);
    (void)vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

int ss_arena_failed(const struct ss_arena *a)
{
    return a->err;
}
