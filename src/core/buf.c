/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/buf.c - implements string slices and capped growable buffers (see buf.h for
 * the invariants), plus the hex, UTF-8 and JSON-string coders every writer shares.
 */
#include "core/buf.h"

#include "core/alloc.h"

char ss_buf_empty[1];

struct ss_str ss_str_from_cstr(const char *s)
{
    return (struct ss_str){ .ptr = s, .len = strlen(s) };
}

bool ss_str_eq(struct ss_str a, struct ss_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

bool ss_str_ieq(struct ss_str a, struct ss_str b)
{
    if (a.len != b.len)
        return false;
    for (size_t i = 0; i < a.len; i++) {
        if (lower((unsigned char)a.ptr[i]) != lower((unsigned char)b.ptr[i]))
            return false;
    }
    return true;
}

int ss_str_cmp(struct ss_str a, struct ss_str b)
{
    size_t n = SS_MIN(a.len, b.len);
    int c = n == 0 ? 0 : memcmp(a.ptr, b.ptr, n);

    if (c != 0)
        return c;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

bool ss_str_has_prefix(struct ss_str s, struct ss_str prefix)
{
    return s.len >= prefix.len && (prefix.len == 0 || memcmp(s.ptr, prefix.ptr, prefix.len) == 0);
}

bool ss_str_has_suffix(struct ss_str s, struct ss_str suffix)
{
    return s.len >= suffix.len &&
           (suffix.len == 0 || memcmp(s.ptr + s.len - suffix.len, suffix.ptr, suffix.len) == 0);
}

void ss_buf_init(struct ss_buf *b, size_t max_bytes)
{
    *b = SS_BUF_INIT(max_bytes);
}

void ss_buf_release(struct ss_buf *b)
{
    if (b->cap != 0)
        ss_free(b->ptr);
    b->ptr = ss_buf_empty;
    b->len = 0;
    b->cap = 0;
}

void ss_buf_reset(struct ss_buf *b)
{
    b->len = 0;
    if (b->cap != 0)
        b->ptr[0] = '\0';
}

int ss_buf_grow(struct ss_buf *b, size_t extra)
{
    size_t need, ncap;
    char *p;

    if (extra > b->max || b->len > b->max - extra)
        return SS_ELIMIT;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    ncap = b->cap < 64 ? 64 : b->cap;
    while (ncap < need)
        ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    if (ncap > b->max + 1)
        ncap = b->max + 1;
    p = b->cap == 0 ? ss_malloc(ncap) : ss_realloc(b->ptr, ncap);
    if (p == NULL)
        return -ENOMEM;
    if (b->cap == 0)
        p[0] = '\0';
    b->ptr = p;
    b->cap = ncap;
    return 0;
}

int ss_buf_append(struct ss_buf *b, const void *p, size_t len)
{
    int r = ss_buf_grow(b, len);

    if (r < 0)
        return r;
    if (len != 0)
        memcpy(b->ptr + b->len, p, len);
    b->len += len;
    b->ptr[b->len] = '\0';
    return 0;
}

int ss_buf_puts(struct ss_buf *b, const char *s)
{
    return ss_buf_append(b, s, strlen(s));
}

int ss_buf_putc(struct ss_buf *b, char c)
{
    return ss_buf_append(b, &c, 1);
}

int ss_buf_vprintf(struct ss_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    int r;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return -EINVAL;
    r = ss_buf_grow(b, (size_t)n);
    if (r < 0)
        return r;
    (void)vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int ss_buf_printf(struct ss_buf *b, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = ss_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

int ss_buf_put_u64(struct ss_buf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof(tmp);

    do {
        tmp[--i] = (char)('0' + (v % 10));
        v /= 10;
    } while (v != 0);
    return ss_buf_append(b, tmp + i, sizeof(tmp) - i);
}

int ss_buf_put_i64(struct ss_buf *b, int64_t v)
{
    int r;

    if (v >= 0)
        return ss_buf_put_u64(b, (uint64_t)v);
    r = ss_buf_putc(b, '-');
    if (r < 0)
        return r;
    /* Negate in unsigned arithmetic so INT64_MIN works. */
    return ss_buf_put_u64(b, (uint64_t)0 - (uint64_t)v);
}

static const char hexdig[] = "0123456789abcdef";

void ss_hex_encode(const uint8_t *p, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hexdig[p[i] >> 4];
        out[2 * i + 1] = hexdig[p[i] & 15];
    }
    out[2 * len] = '\0';
}

int ss_buf_put_hex(struct ss_buf *b, const uint8_t *p, size_t len)
{
    int r;

    if (len > SIZE_MAX / 2)
        return SS_ELIMIT;
    r = ss_buf_grow(b, 2 * len);
    if (r < 0)
        return r;
    ss_hex_encode(p, len, b->ptr + b->len);
    b->len += 2 * len;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int ss_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t len)
{
    if (hex_len != 2 * len)
        return SS_ESYNTAX;
    for (size_t i = 0; i < len; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return SS_ESYNTAX;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

size_t ss_utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp)
{
    const unsigned char c = s[0];

    if (c < 0x80) {
        *ret_cp = c;
        return 1;
    }
    if (c < 0xC2) /* a continuation byte, or an overlong 2-byte lead */
        return 0;
    if (c < 0xE0) {
        if (len < 2 || !is_cont(s[1]))
            return 0;
        *ret_cp = ((uint32_t)(c & 0x1F) << 6) | (uint32_t)(s[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0) {
        if (len < 3 || !is_cont(s[1]) || !is_cont(s[2]))
            return 0;
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
            return 0; /* overlong, or a surrogate */
        *ret_cp =
            ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (uint32_t)(s[2] & 0x3F);
        return 3;
    }
    if (c < 0xF5) {
        if (len < 4 || !is_cont(s[1]) || !is_cont(s[2]) || !is_cont(s[3]))
            return 0;
        if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
            return 0; /* overlong, or above U+10FFFF */
        *ret_cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
                  ((uint32_t)(s[2] & 0x3F) << 6) | (uint32_t)(s[3] & 0x3F);
        return 4;
    }
    return 0;
}

int ss_buf_put_json_esc(struct ss_buf *b, unsigned char c)
{
    switch (c) {
    case '"':
        return ss_buf_append(b, "\\\"", 2);
    case '\\':
        return ss_buf_append(b, "\\\\", 2);
    case '\n':
        return ss_buf_append(b, "\\n", 2);
    case '\r':
        return ss_buf_append(b, "\\r", 2);
    case '\t':
        return ss_buf_append(b, "\\t", 2);
    case '\b':
        return ss_buf_append(b, "\\b", 2);
    case '\f':
        return ss_buf_append(b, "\\f", 2);
    default: {
        const char esc[6] = { '\\', 'u', '0', '0', hexdig[c >> 4], hexdig[c & 15] };

        return ss_buf_append(b, esc, sizeof(esc));
    }
    }
}

int ss_buf_put_json_str(struct ss_buf *b, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t start = b->len, i = 0;
    int r = ss_buf_putc(b, '"');

    while (r == 0 && i < len) {
        size_t run = i, n;
        uint32_t cp;

        /* Copy runs of printable ASCII other than '"' and '\\' in one go. */
        while (run < len && u[run] >= 0x20 && u[run] < 0x80 && u[run] != '"' && u[run] != '\\')
            run++;
        if (run > i) {
            r = ss_buf_append(b, s + i, run - i);
            i = run;
            continue;
        }
        n = ss_utf8_decode(u + i, len - i, &cp);
        if (n == 0) {
            /* not UTF-8 (a file name, say): U+FFFD, so the output stays valid JSON */
            r = ss_buf_append(b, "\xef\xbf\xbd", 3);
            i++;
        } else if (n > 1) {
            r = ss_buf_append(b, s + i, n);
            i += n;
        } else {
            r = ss_buf_put_json_esc(b, (unsigned char)cp);
            i++;
        }
    }
    if (r == 0)
        r = ss_buf_putc(b, '"');
    if (r < 0)
        ss_buf_truncate(b, start);
    return r;
}

int ss_buf_put_printable(struct ss_buf *b, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    int r = 0;

    while (r == 0 && i < len) {
        uint32_t cp;
        size_t n = ss_utf8_decode(u + i, len - i, &cp);

        if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
            r = ss_buf_putc(b, '?'); /* one per byte not UTF-8, one per control character */
            i += n != 0 ? n : 1;
        } else {
            r = ss_buf_append(b, s + i, n);
            i += n;
        }
    }
    return r;
}

void ss_buf_truncate(struct ss_buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->ptr[len] = '\0';
    }
}

struct ss_str ss_buf_str(const struct ss_buf *b)
{
    return (struct ss_str){ .ptr = b->ptr, .len = b->len };
}

char *ss_buf_detach(struct ss_buf *b)
{
    char *p;

    if (b->cap == 0) {
        p = ss_strndup("", 0);
        return p;
    }
    p = b->ptr;
    b->ptr = ss_buf_empty;
    b->len = 0;
    b->cap = 0;
    return p;
}
