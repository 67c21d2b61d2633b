/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/alloc.c - implements the allocation hook: the only place siloscope calls the C
 * allocator. Each block carries a small header with its size so live and peak bytes
 * can be accounted; a countdown lets the fault suite fail the Nth allocation.
 */
#include "core/alloc.h"

#include <stdatomic.h>

/* Header in front of every block; sized to keep the payload maximally aligned. */
union hdr {
    size_t size;
    max_align_t align;
};

static atomic_size_t live_bytes;
static atomic_size_t peak_bytes;
static atomic_uint_fast64_t n_allocs;
static atomic_uint_fast64_t fail_countdown; /* 0 = off */
static atomic_bool fault_fired;

static bool inject_fault(void)
{
    uint_fast64_t c = atomic_load_explicit(&fail_countdown, memory_order_relaxed);

    atomic_fetch_add_explicit(&n_allocs, 1, memory_order_relaxed);
    while (c != 0) {
        if (atomic_compare_exchange_weak(&fail_countdown, &c, c - 1)) {
            if (c == 1) {
                atomic_store(&fault_fired, true);
                return true;
            }
            return false;
        }
    }
    return false;
}

static void account(size_t add, size_t sub)
{
    size_t now = atomic_fetch_add_explicit(&live_bytes, add, memory_order_relaxed) + add;
    size_t peak;

    if (sub != 0)
        now = atomic_fetch_sub_explicit(&live_bytes, sub, memory_order_relaxed) - sub;
    peak = atomic_load_explicit(&peak_bytes, memory_order_relaxed);
    while (now > peak && !atomic_compare_exchange_weak(&peak_bytes, &peak, now)) {
    }
}

void *ss_malloc(size_t n)
{
    union hdr *h;

    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - sizeof(union hdr) || inject_fault())
        return NULL;
    h = malloc(sizeof(union hdr) + n);
    if (h == NULL)
        return NULL;
    h->size = n;
    account(n, 0);
    return h + 1;
}

void *ss_calloc(size_t n, size_t size)
{
    void *p;

    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    p = ss_malloc(n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

void *ss_realloc(void *p, size_t n)
{
    union hdr *h, *nh;
    size_t old;

    if (p == NULL)
        return ss_malloc(n);
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - sizeof(union hdr) || inject_fault())
        return NULL;
    h = (union hdr *)p - 1;
    old = h->size;
    nh = realloc(h, sizeof(union hdr) + n);
    if (nh == NULL)
        return NULL;
    nh->size = n;
    account(n, old);
    return nh + 1;
}

void *ss_reallocarray(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    return ss_realloc(p, n * size);
}

int ss_grow(void **arr, size_t *cap, size_t need, size_t size)
{
    void *n;
    size_t c = *cap;

    if (need <= c)
        return 0;
    c = c == 0 ? 16 : c;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return -ENOMEM;
        c *= 2;
    }
    n = ss_reallocarray(*arr, c, size);
    if (n == NULL)
        return -ENOMEM;
    *arr = n;
    *cap = c;
    return 0;
}

void ss_free(void *p)
{
    union hdr *h;

    if (p == NULL)
        return;
    h = (union hdr *)p - 1;
    atomic_fetch_sub_explicit(&live_bytes, h->size, memory_order_relaxed);
    free(h);
}

char *ss_strndup(const char *s, size_t len)
{
    char *p = ss_malloc(len + 1);

    if (p == NULL)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *ss_strdup(const char *s)
{
    return ss_strndup(s, strlen(s));
}

size_t ss_alloc_live_bytes(void)
{
    return atomic_load(&live_bytes);
}

size_t ss_alloc_peak_bytes(void)
{
    return atomic_load(&peak_bytes);
}

uint64_t ss_alloc_count(void)
{
    return (uint64_t)atomic_load(&n_allocs);
}

void ss_alloc_fail_at(uint64_t nth)
{
    atomic_store(&fault_fired, false);
    atomic_store(&fail_countdown, (uint_fast64_t)nth);
}

bool ss_alloc_fault_fired(void)
{
    return atomic_load(&fault_fired);
}
