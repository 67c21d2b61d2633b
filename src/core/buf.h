/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/buf.h - borrowed string slices (ss_str) and growable, capped buffers (ss_buf).
 *
 * Invariants of struct ss_buf: ptr is never NULL, ptr[len] == '\0' always, len < cap
 * once anything is allocated, and len never exceeds max (a hard cap; growing past it
 * fails with SS_ELIMIT and leaves the buffer unchanged). A buffer that owns no heap
 * memory points at a shared static empty string, so SS_BUF_INIT needs no allocation.
 * Not thread-safe; one owner per buffer.
 */
#ifndef SS_CORE_BUF_H
#define SS_CORE_BUF_H

#include "core/base.h"

/** A borrowed byte slice; not NUL-terminated; lives as long as whatever it points into. */
struct ss_str {
    const char *ptr;
    size_t len;
};

#define SS_STR(lit) ((struct ss_str){ .ptr = (lit), .len = sizeof(lit) - 1 })
#define SS_STR_NULL ((struct ss_str){ .ptr = NULL, .len = 0 })

/** Slice of the NUL-terminated @s (borrows @s). */
struct ss_str ss_str_from_cstr(const char *s);
/** Bytewise equality. */
bool ss_str_eq(struct ss_str a, struct ss_str b);
/** ASCII case-insensitive equality. */
bool ss_str_ieq(struct ss_str a, struct ss_str b);
/** Bytewise comparison as memcmp, shorter first on a common prefix. */
int ss_str_cmp(struct ss_str a, struct ss_str b);
/** Whether @s starts with @prefix (bytewise). */
bool ss_str_has_prefix(struct ss_str s, struct ss_str prefix);
/** Whether @s ends with @suffix (bytewise). */
bool ss_str_has_suffix(struct ss_str s, struct ss_str suffix);

extern char ss_buf_empty[1];

struct ss_buf {
    char *ptr;
    size_t len;
    size_t cap;
    size_t max;
};

/** Static initializer for an empty buffer whose length may never exceed @max_bytes. */
#define SS_BUF_INIT(max_bytes)                                                                     \
    ((struct ss_buf){ .ptr = ss_buf_empty, .len = 0, .cap = 0, .max = (max_bytes) })

/** Default cap for buffers that hold one message or one path. */
#define SS_BUF_SMALL_MAX ((size_t)1 << 20)

/** Set up caller storage @b as empty with cap @max_bytes. */
void ss_buf_init(struct ss_buf *b, size_t max_bytes);
/** Free what @b owns; @b is left empty and reusable (same max). */
void ss_buf_release(struct ss_buf *b);
/** Make @b empty without freeing its storage. */
void ss_buf_reset(struct ss_buf *b);
/** Ensure room for @extra more bytes. Returns 0, -ENOMEM or SS_ELIMIT. */
SS_MUST_USE int ss_buf_grow(struct ss_buf *b, size_t extra);
/** Append @len bytes at @p (borrows @p). Returns 0, -ENOMEM or SS_ELIMIT; unchanged on error. */
SS_MUST_USE int ss_buf_append(struct ss_buf *b, const void *p, size_t len);
/** Append the NUL-terminated @s. */
SS_MUST_USE int ss_buf_puts(struct ss_buf *b, const char *s);
/** Append one byte. */
SS_MUST_USE int ss_buf_putc(struct ss_buf *b, char c);
/** Append printf-style formatted text. Returns 0, -ENOMEM, SS_ELIMIT or -EINVAL. */
SS_MUST_USE int ss_buf_printf(struct ss_buf *b, const char *fmt, ...) SS_ATTR_PRINTF(2, 3);
/** As ss_buf_printf with a va_list. */
SS_MUST_USE int ss_buf_vprintf(struct ss_buf *b, const char *fmt, va_list ap) SS_ATTR_PRINTF(2, 0);
/**
 * Append @s for a terminal or a log: each control character (C0, DEL, C1: escape
 * sequences, line breaks) and each byte that is not valid UTF-8 becomes '?', so text
 * from the inputs (file names, field values) cannot forge lines or drive the terminal.
 */
SS_MUST_USE int ss_buf_put_printable(struct ss_buf *b, const char *s, size_t len);
/** Append @v in decimal. */
SS_MUST_USE int ss_buf_put_u64(struct ss_buf *b, uint64_t v);
/** Append @v in decimal. */
SS_MUST_USE int ss_buf_put_i64(struct ss_buf *b, int64_t v);
/** Append @len bytes as lower-case hex. */
SS_MUST_USE int ss_buf_put_hex(struct ss_buf *b, const uint8_t *p, size_t len);
/**
 * Append @s as a JSON string literal: quotes included; '"', '\\' and control characters
 * escaped as RFC 8785 says (\b \t \n \f \r, else \u00xx); valid UTF-8 as is, and each
 * byte that is not valid UTF-8 as U+FFFD, so the output is always valid JSON.
 */
SS_MUST_USE int ss_buf_put_json_str(struct ss_buf *b, const char *s, size_t len);
/**
 * Append the JSON escape of @c, which must be a control character (< 0x20), '"' or '\\':
 * the two-character form where JSON has one (\n, \", ...), else \u00xx in lower-case hex.
 * These are also the escapes RFC 8785 prescribes, so the JCS writer (evidence/jcs.c)
 * shares it. Returns 0, -ENOMEM or SS_ELIMIT; unchanged on error.
 */
SS_MUST_USE int ss_buf_put_json_esc(struct ss_buf *b, unsigned char c);
/** Shorten @b to @len bytes (no-op when it is not longer). */
void ss_buf_truncate(struct ss_buf *b, size_t len);
/** The contents as a slice (borrows @b; valid until @b changes). */
struct ss_str ss_buf_str(const struct ss_buf *b);
/**
 * Take ownership of the contents as a heap string (free with ss_free). Returns NULL on
 * OOM; @b is left empty on success.
 */
SS_MUST_USE char *ss_buf_detach(struct ss_buf *b);

/** Write @len bytes of @p as lower-case hex plus NUL into @out (2 * len + 1 bytes). */
void ss_hex_encode(const uint8_t *p, size_t len, char *out);
/** Decode 2 * @len hex digits at @hex into @out. Returns 0 or SS_ESYNTAX. */
SS_MUST_USE int ss_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t len);
/**
 * Decode one UTF-8 sequence at @s (@len > 0 bytes available). Returns its length (1-4)
 * with *ret_cp set, or 0 if @s does not start a valid, shortest-form sequence of a
 * scalar value (surrogates and values above U+10FFFF are invalid); *ret_cp is untouched
 * then.
 */
size_t ss_utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp);

#endif
