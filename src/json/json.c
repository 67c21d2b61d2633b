/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json/json.c - implements the strict RFC 8259 validator behind ss_json_validate and
 * ss_json_skip, plus the string decoder (unescape, compare, copy) and number access.
 *
 * The validator is an iterative state machine (no recursion, no allocation): the kind of
 * each open container is kept in a bit stack and the member count of each enclosing
 * container in a fixed array, so the nesting cap bounds the stack use. Strings are
 * scanned 16 bytes at a time with SSE2 where available: a block without quotes,
 * backslashes, control characters or non-ASCII bytes is accepted in a few instructions;
 * the rare bytes fall to a scalar path (escapes, surrogate pairs, UTF-8 sequences).
 */
#include "json/json.h"

#include "json/json_int.h"
#include "core/buf.h"
#include "core/parse.h"

const struct ss_json_limits ss_json_limits_default = {
    .max_depth = SS_JSON_DEFAULT_MAX_DEPTH,
    .max_string_bytes = SS_JSON_DEFAULT_MAX_STRING,
    .max_record_bytes = SS_JSON_DEFAULT_MAX_RECORD,
    .max_members = SS_JSON_DEFAULT_MAX_MEMBERS,
};

const char *ss_json_type_name(enum ss_json_type t)
{
    static const char *const names[SS_JSON__COUNT] = {
        [SS_JSON_MISSING] = "missing", [SS_JSON_NULL] = "null",     [SS_JSON_FALSE] = "false",
        [SS_JSON_TRUE] = "true",       [SS_JSON_NUMBER] = "number", [SS_JSON_STRING] = "string",
        [SS_JSON_ARRAY] = "array",     [SS_JSON_OBJECT] = "object",
    };

    if ((unsigned)t >= SS_JSON__COUNT)
        return "invalid";
    return names[t];
}

size_t ss_json_skip_ws(const char *p, size_t len, size_t pos)
{
    return json_ws(p, len, pos);
}

/* ---- validator --------------------------------------------------------------------- */

/* The scan of one value: @end is where scanning stops (the record cap may put it before
 * @len, the real end of the text). */
struct vctx {
    const char *p;
    size_t end;
    size_t len;
    uint32_t max_depth;
    uint64_t max_string;
    uint64_t max_members;
    uint64_t max_record;
    struct ss_diag *diag;
};

static int fail(const struct vctx *c, int code, size_t off, const char *what)
{
    return ss_diag_set(c->diag, code, NULL, 0, 0, off, "%s", what);
}

/* Running out of bytes: a syntax error, or the record cap when the scan was cut short. */
static int fail_eof(const struct vctx *c)
{
    if (c->end < c->len)
        return ss_diag_set(c->diag, SS_ELIMIT, NULL, 0, 0, c->end,
                           "value larger than %" PRIu64 " bytes", c->max_record);
    return fail(c, SS_ESYNTAX, c->end, "unexpected end of input");
}

static int fail_char(const struct vctx *c, size_t off, const char *expected)
{
    const unsigned char ch = (unsigned char)c->p[off];

    if (ch >= 0x20 && ch < 0x7f)
        return ss_diag_set(c->diag, SS_ESYNTAX, NULL, 0, 0, off, "%s, found '%c'", expected,
                           (char)ch);
    return ss_diag_set(c->diag, SS_ESYNTAX, NULL, 0, 0, off, "%s, found byte 0x%02x", expected,
                       (unsigned)ch);
}

/* First byte at or after @i that needs a closer look inside a string: '"', '\\', a control
 * character or a non-ASCII byte; @end if none. */
static size_t find_string_special(const char *p, size_t end, size_t i)
{
#if SS_JSON_SIMD
    const __m128i q = _mm_set1_epi8('"');
    const __m128i bs = _mm_set1_epi8('\\');
    const __m128i sp = _mm_set1_epi8(0x20);

    while (end - i >= 16) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        /* signed compare: 0x00..0x1f and 0x80..0xff are both "less than" 0x20 */
        const __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
                                       _mm_cmplt_epi8(v, sp));
        const unsigned bits = (unsigned)_mm_movemask_epi8(m);

        if (bits != 0)
            return i + json_ctz64(bits);
        i += 16;
    }
#else
    while (end - i >= 8) {
        const uint64_t x = json_load64(p + i);
        /* bytes < 0x20: the borrow trick, exact for "any" as json_swar_zero */
        const uint64_t ctl = (x - JSON_ONES * 0x20) & ~x & JSON_HIGHS;

        if ((json_swar_byte(x, '"') | json_swar_byte(x, '\\') | ctl | (x & JSON_HIGHS)) != 0)
            break;
        i += 8;
    }
#endif
    while (i < end) {
        const unsigned char ch = (unsigned char)p[i];

        if (ch < 0x20 || ch >= 0x80 || ch == '"' || ch == '\\')
            break;
        i++;
    }
    return i;
}

/* The code unit of the 4 hex digits at @s, or -1. */
static long hex4(const char *s)
{
    uint8_t u[2];

    if (ss_hex_decode(s, 4, u, 2) < 0)
        return -1;
    return (long)u[0] << 8 | u[1];
}

/*
 * Length of the valid UTF-8 sequence at @s (s[0] >= 0x80) of which @n bytes are
 * available: 0 when invalid (overlong, surrogate, beyond U+10FFFF, bad continuation);
 * SIZE_MAX when the bytes present are a valid but incomplete prefix.
 */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    const unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xbf;
    size_t need;

    if (c < 0xc2)
        return 0;
    if (c < 0xe0) {
        need = 2;
    } else if (c < 0xf0) {
        need = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c < 0xf5) {
        need = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    for (size_t k = 1; k < need; k++) {
        if (k >= n)
            return SIZE_MAX;
        if (s[k] < (k == 1 ? lo : 0x80) || s[k] > (k == 1 ? hi : 0xbf))
            return 0;
    }
    return need;
}

/* Check the escape at @p[*i] (a backslash) and step over it. */
static int scan_escape(const struct vctx *c, size_t *i)
{
    const char *p = c->p;
    const size_t at = *i;
    long u, lo;

    if (c->end - at < 2)
        return fail_eof(c);
    switch (p[at + 1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        *i = at + 2;
        return 0;
    case 'u':
        break;
    default:
        return fail(c, SS_ESYNTAX, at, "invalid escape sequence");
    }
    if (c->end - at < 6)
        return fail_eof(c);
    u = hex4(p + at + 2);
    if (u < 0)
        return fail(c, SS_ESYNTAX, at, "invalid \\u escape");
    if (u >= 0xdc00 && u <= 0xdfff)
        return fail(c, SS_ESYNTAX, at, "lone low surrogate escape");
    if (u < 0xd800 || u > 0xdbff) {
        *i = at + 6;
        return 0;
    }
    if (c->end - at < 12) {
        /* Not enough bytes for a pair: judge what is there, then the cap. */
        const size_t avail = c->end - at;

        if ((avail > 6 && p[at + 6] != '\\') || (avail > 7 && p[at + 7] != 'u') || c->end == c->len)
            return fail(c, SS_ESYNTAX, at, "lone high surrogate escape");
        return fail_eof(c);
    }
    lo = p[at + 6] == '\\' && p[at + 7] == 'u' ? hex4(p + at + 8) : -1;
    if (lo < 0xdc00 || lo > 0xdfff)
        return fail(c, SS_ESYNTAX, at, "lone high surrogate escape");
    *i = at + 12;
    return 0;
}

/* Validate the string whose opening quote is at @i; *ret_end: just past its closing quote. */
static int scan_string(const struct vctx *c, size_t i, size_t *ret_end)
{
    const char *p = c->p;
    const size_t start = i;
    int r;

    i++;
    for (;;) {
        unsigned char ch;

        i = find_string_special(p, c->end, i);
        if (i >= c->end)
            return fail_eof(c);
        ch = (unsigned char)p[i];
        if (ch == '"')
            break;
        if (ch == '\\') {
            r = scan_escape(c, &i);
            if (r < 0)
                return r;
        } else if (ch < 0x20) {
            return fail(c, SS_ESYNTAX, i, "unescaped control character in string");
        } else {
            const size_t n = utf8_seq((const unsigned char *)p + i, c->end - i);

            if (n == SIZE_MAX && c->end < c->len)
                return fail_eof(c);
            if (n == 0 || n == SIZE_MAX)
                return fail(c, SS_ESYNTAX, i, "invalid UTF-8 in string");
            i += n;
        }
    }
    if (i - start - 1 > c->max_string)
        return ss_diag_set(c->diag, SS_ELIMIT, NULL, 0, 0, start,
                           "string longer than %" PRIu64 " bytes", c->max_string);
    *ret_end = i + 1;
    return 0;
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Validate the number at @i (RFC 8259 grammar); *ret_end: just past it. */
static int scan_number(const struct vctx *c, size_t i, size_t *ret_end)
{
    const char *p = c->p;
    const size_t end = c->end;

    if (p[i] == '-')
        i++;
    if (i >= end)
        return fail_eof(c);
    if (p[i] == '0') {
        i++;
    } else if (is_digit(p[i])) {
        while (i < end && is_digit(p[i]))
            i++;
    } else {
        return fail_char(c, i, "expected a digit");
    }
    if (i < end && p[i] == '.') {
        i++;
        if (i >= end)
            return fail_eof(c);
        if (!is_digit(p[i]))
            return fail_char(c, i, "expected a digit after '.'");
        while (i < end && is_digit(p[i]))
            i++;
    }
    if (i < end && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < end && (p[i] == '+' || p[i] == '-'))
            i++;
        if (i >= end)
            return fail_eof(c);
        if (!is_digit(p[i]))
            return fail_char(c, i, "expected a digit in exponent");
        while (i < end && is_digit(p[i]))
            i++;
    }
    /* The record cap cut the number short: it would continue past the cap. */
    if (i == end && end < c->len && json_is_num_char(p[end]))
        return fail_eof(c);
    *ret_end = i;
    return 0;
}

static int scan_literal(const struct vctx *c, size_t i, const char *lit, size_t n, size_t *ret_end)
{
    for (size_t k = 0; k < n; k++) {
        if (i + k >= c->end)
            return fail_eof(c);
        if (c->p[i + k] != lit[k])
            return fail_char(c, i + k, "invalid literal");
    }
    *ret_end = i + n;
    return 0;
}

/* A key, the colon and the whitespace around it; @i is at the key's opening quote. */
static int scan_key(const struct vctx *c, size_t *i)
{
    size_t k = *i;
    int r;

    if (k >= c->end)
        return fail_eof(c);
    if (c->p[k] != '"')
        return fail_char(c, k, "expected a string key");
    r = scan_string(c, k, &k);
    if (r < 0)
        return r;
    k = json_ws(c->p, c->end, k);
    if (k >= c->end)
        return fail_eof(c);
    if (c->p[k] != ':')
        return fail_char(c, k, "expected ':' after object key");
    *i = json_ws(c->p, c->end, k + 1);
    return 0;
}

static int too_many_members(const struct vctx *c, size_t off)
{
    return ss_diag_set(c->diag, SS_ELIMIT, NULL, 0, 0, off,
                       "more than %" PRIu64 " members in one object or array", c->max_members);
}

/*
 * Validate one value starting at @i (a non-whitespace byte). Iterative: @kinds holds one
 * bit per open container (1 = object) and @counts the member count of each enclosing
 * container while a nested one is open.
 */
static int scan_value(const struct vctx *c, size_t i, size_t *ret_end)
{
    uint64_t kinds[SS_JSON_MAX_DEPTH_LIMIT / 64 + 1] = { 0 };
    uint64_t counts[SS_JSON_MAX_DEPTH_LIMIT + 1];
    const char *p = c->p;
    const size_t end = c->end;
    uint32_t depth = 0;
    uint64_t count = 0; /* members of the innermost open container */
    bool in_obj = false;
    int r;

    for (;;) {
        bool closed = false;

        /* Expecting a value at i. */
        if (i >= end)
            return fail_eof(c);
        switch (p[i]) {
        case '"':
            r = scan_string(c, i, &i);
            break;
        case '{':
        case '[':
            if (depth >= c->max_depth)
                return ss_diag_set(c->diag, SS_ELIMIT, NULL, 0, 0, i,
                                   "nesting deeper than %" PRIu32, c->max_depth);
            if (in_obj)
                kinds[depth / 64] |= (uint64_t)1 << (depth % 64);
            else
                kinds[depth / 64] &= ~((uint64_t)1 << (depth % 64));
            counts[depth] = count;
            depth++;
            count = 0;
            in_obj = p[i] == '{';
            i = json_ws(p, end, i + 1);
            if (i >= end)
                return fail_eof(c);
            if (p[i] == (in_obj ? '}' : ']')) {
                i++;
                closed = true;
            } else {
                if (c->max_members == 0)
                    return too_many_members(c, i);
                count = 1;
                if (in_obj) {
                    r = scan_key(c, &i);
                    if (r < 0)
                        return r;
                }
                continue;
            }
            r = 0;
            break;
        case 't':
            r = scan_literal(c, i, "true", 4, &i);
            break;
        case 'f':
            r = scan_literal(c, i, "false", 5, &i);
            break;
        case 'n':
            r = scan_literal(c, i, "null", 4, &i);
            break;
        default:
            if (p[i] == '-' || is_digit(p[i]))
                r = scan_number(c, i, &i);
            else
                r = fail_char(c, i, "expected a value");
            break;
        }
        if (r < 0)
            return r;
        /* After a value (or an empty container, already closed): separators and closers. */
        for (;;) {
            if (closed) {
                depth--;
                count = counts[depth];
                in_obj = ((kinds[depth / 64] >> (depth % 64)) & 1u) != 0;
                closed = false;
            }
            if (depth == 0) {
                *ret_end = i;
                return 0;
            }
            i = json_ws(p, end, i);
            if (i >= end)
                return fail_eof(c);
            if (p[i] == ',') {
                i = json_ws(p, end, i + 1);
                if (count >= c->max_members)
                    return too_many_members(c, i);
                count++;
                if (in_obj) {
                    r = scan_key(c, &i);
                    if (r < 0)
                        return r;
                }
                break;
            }
            if (p[i] == (in_obj ? '}' : ']')) {
                i++;
                closed = true;
                continue;
            }
            return fail_char(c, i, in_obj ? "expected ',' or '}'" : "expected ',' or ']'");
        }
    }
}

static void vctx_init(struct vctx *c, const char *p, size_t len, const struct ss_json_limits *lim,
                      struct ss_diag *diag)
{
    if (lim == NULL)
        lim = &ss_json_limits_default;
    c->p = p;
    c->end = len;
    c->len = len;
    c->max_depth = SS_MIN(lim->max_depth, (uint32_t)SS_JSON_MAX_DEPTH_LIMIT);
    c->max_string = lim->max_string_bytes;
    c->max_members = lim->max_members;
    c->max_record = lim->max_record_bytes;
    c->diag = diag;
}

int ss_json_validate(const char *p, size_t len, const struct ss_json_limits *lim,
                     struct ss_diag *reterr_diag)
{
    struct vctx c;
    size_t i, end;
    int r;

    vctx_init(&c, p, len, lim, reterr_diag);
    if (len > c.max_record)
        return ss_diag_set(reterr_diag, SS_ELIMIT, NULL, 0, 0, c.max_record,
                           "record larger than %" PRIu64 " bytes", c.max_record);
    i = json_ws(p, len, 0);
    if (i >= len)
        return fail(&c, SS_ESYNTAX, i, "no value (empty input)");
    r = scan_value(&c, i, &end);
    if (r < 0)
        return r;
    end = json_ws(p, len, end);
    if (end != len)
        return fail_char(&c, end, "trailing characters after the value");
    return 0;
}

int ss_json_skip(const char *p, size_t len, size_t pos, const struct ss_json_limits *lim,
                 size_t *ret_start, size_t *ret_end, struct ss_diag *reterr_diag)
{
    struct vctx c;
    size_t i, end;
    int r;

    vctx_init(&c, p, len, lim, reterr_diag);
    i = pos < len ? json_ws(p, len, pos) : len;
    if (i >= len)
        return ss_diag_set(reterr_diag, SS_EEMPTY, NULL, 0, 0, len, "no value left");
    if (len - i > c.max_record)
        c.end = i + (size_t)c.max_record;
    r = scan_value(&c, i, &end);
    if (r < 0)
        return r;
    *ret_start = i;
    *ret_end = end;
    return 0;
}

int ss_json_check_string(const char *p, size_t len, size_t i, size_t *ret_end,
                         struct ss_diag *reterr_diag)
{
    struct vctx c;

    vctx_init(&c, p, len, NULL, reterr_diag);
    return scan_string(&c, i, ret_end);
}

/* ---- string decoding ------------------------------------------------------------- */

static unsigned char ascii_lower(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') ? (unsigned char)(ch + 32) : ch;
}

static void sink_put(struct json_sink *k, const char *b, size_t n)
{
    if (k->cmp != NULL) {
        if (k->mismatch || k->len > k->cmp_len || n > k->cmp_len - k->len) {
            k->mismatch = true;
        } else if (k->icase) {
            for (size_t j = 0; j < n; j++) {
                if (ascii_lower((unsigned char)b[j]) !=
                    ascii_lower((unsigned char)k->cmp[k->len + j])) {
                    k->mismatch = true;
                    break;
                }
            }
        } else if (n != 0 && memcmp(b, k->cmp + k->len, n) != 0) {
            k->mismatch = true;
        }
    } else if (k->len < k->cap) {
        const size_t room = k->cap - k->len;

        memcpy(k->out + k->len, b, SS_MIN(room, n));
    }
    k->len += n;
}

static size_t utf8_encode(unsigned long cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

int ss_json_decode_body(const char *s, size_t n, struct json_sink *k, size_t *ret_err_off)
{
    size_t i = 0;

    while (i < n) {
        const char *bs = memchr(s + i, '\\', n - i);
        const size_t run = bs == NULL ? n - i : (size_t)(bs - (s + i));
        char u8[4];
        char ch;
        long cp, lo;

        sink_put(k, s + i, run);
        i += run;
        if (i >= n || k->mismatch)
            break;
        if (n - i < 2)
            goto bad;
        switch (s[i + 1]) {
        case '"':
        case '\\':
        case '/':
            ch = s[i + 1];
            break;
        case 'b':
            ch = '\b';
            break;
        case 'f':
            ch = '\f';
            break;
        case 'n':
            ch = '\n';
            break;
        case 'r':
            ch = '\r';
            break;
        case 't':
            ch = '\t';
            break;
        case 'u':
            if (n - i < 6)
                goto bad;
            cp = hex4(s + i + 2);
            if (cp < 0 || (cp >= 0xdc00 && cp <= 0xdfff))
                goto bad;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (n - i < 12 || s[i + 6] != '\\' || s[i + 7] != 'u')
                    goto bad;
                lo = hex4(s + i + 8);
                if (lo < 0xdc00 || lo > 0xdfff)
                    goto bad;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                sink_put(k, u8, utf8_encode((unsigned long)cp, u8));
                i += 12;
            } else {
                sink_put(k, u8, utf8_encode((unsigned long)cp, u8));
                i += 6;
            }
            continue;
        default:
            goto bad;
        }
        sink_put(k, &ch, 1);
        i += 2;
    }
    return 0;
bad:
    if (ret_err_off != NULL)
        *ret_err_off = i;
    return SS_ESYNTAX;
}

/* The body of string @v (between the quotes); false when @v is not a well-formed string. */
static bool string_body(const struct ss_json_val *v, const char **ret_s, size_t *ret_n)
{
    if (v->type != SS_JSON_STRING || v->ptr == NULL || v->len < 2 || v->ptr[0] != '"' ||
        v->ptr[v->len - 1] != '"')
        return false;
    *ret_s = v->ptr + 1;
    *ret_n = v->len - 2;
    return true;
}

int ss_json_unescape(const struct ss_json_val *v, struct ss_buf *out)
{
    struct json_sink k = { 0 };
    const char *s;
    size_t n;
    int r;

    if (v->type != SS_JSON_STRING)
        return v->len == 0 ? 0 : ss_buf_append(out, v->ptr, v->len);
    if (!string_body(v, &s, &n))
        return SS_ESYNTAX;
    /* The decoded text is never longer than the raw body; size exactly only near the cap. */
    r = ss_buf_grow(out, n);
    if (r == SS_ELIMIT) {
        r = ss_json_decode_body(s, n, &k, NULL);
        if (r < 0)
            return r;
        r = ss_buf_grow(out, k.len);
    }
    if (r < 0)
        return r;
    k = (struct json_sink){ .out = out->ptr + out->len, .cap = out->cap - out->len - 1 };
    r = ss_json_decode_body(s, n, &k, NULL);
    if (r < 0) {
        out->ptr[out->len] = '\0';
        return r;
    }
    SS_ASSERT(k.len <= k.cap);
    out->len += k.len;
    out->ptr[out->len] = '\0';
    return 0;
}

bool ss_json_str_eq(const struct ss_json_val *v, const char *s, size_t len, bool icase)
{
    struct json_sink k = { .cmp = s, .cmp_len = len, .icase = icase };
    const char *body;
    size_t n;

    if (v->type != SS_JSON_STRING) {
        sink_put(&k, v->ptr, v->len);
    } else {
        if (!string_body(v, &body, &n))
            return false;
        if (ss_json_decode_body(body, n, &k, NULL) < 0)
            return false;
    }
    return !k.mismatch && k.len == len;
}

long long ss_json_str_copy(const struct ss_json_val *v, char *out, size_t out_len)
{
    struct json_sink k = { .out = out, .cap = out_len == 0 ? 0 : out_len - 1 };
    const char *body;
    size_t n;

    if (v->type != SS_JSON_STRING) {
        sink_put(&k, v->ptr, v->len);
    } else if (!string_body(v, &body, &n) || ss_json_decode_body(body, n, &k, NULL) < 0) {
        if (out_len != 0)
            out[0] = '\0';
        return SS_ESYNTAX;
    }
    if (out_len != 0)
        out[SS_MIN(k.len, k.cap)] = '\0';
    return (long long)k.len;
}

/* ---- numbers ----------------------------------------------------------------------- */

/* Length of the JSON number grammar match over the whole of @s[0..n), or 0 if none. */
static bool is_json_number(const char *s, size_t n)
{
    size_t i = 0;

    if (i < n && s[i] == '-')
        i++;
    if (i >= n)
        return false;
    if (s[i] == '0') {
        i++;
    } else if (is_digit(s[i])) {
        while (i < n && is_digit(s[i]))
            i++;
    } else {
        return false;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !is_digit(s[i]))
            return false;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return false;
        while (i < n && is_digit(s[i]))
            i++;
    }
    return i == n;
}

/* Number text @s[0..n) to double: small integers directly, the rest through strtod. */
static int number_value(const char *s, size_t n, double *ret)
{
    size_t i = 0;
    uint64_t u = 0;
    double d;
    int r;

    if (i < n && s[i] == '-')
        i++;
    if (n - i >= 1 && n - i <= 15 && (s[i] != '0' || n - i == 1)) {
        size_t k = i;

        while (k < n && is_digit(s[k])) {
            u = u * 10 + (uint64_t)(s[k] - '0');
            k++;
        }
        if (k == n) {
            d = (double)u;
            *ret = i == 1 ? -d : d;
            return 0;
        }
    }
    if (!is_json_number(s, n))
        return SS_ESYNTAX;
    r = ss_parse_double(s, n, &d);
    if (r < 0)
        return r == SS_ESYNTAX ? SS_ESYNTAX : SS_ELIMIT;
    *ret = d;
    return 0;
}

int ss_json_number(const struct ss_json_val *v, double *ret)
{
    char tmp[128];
    struct json_sink k = { .out = tmp, .cap = sizeof(tmp) };
    const char *body;
    size_t n;

    if (v->type == SS_JSON_NUMBER)
        return number_value(v->ptr, v->len, ret);
    if (!string_body(v, &body, &n))
        return SS_ESYNTAX;
    if (ss_json_decode_body(body, n, &k, NULL) < 0)
        return SS_ESYNTAX;
    if (k.len > sizeof(tmp)) {
        /* Too long to decode here: a number needs no escapes, so judge the raw body. */
        return is_json_number(body, n) ? SS_ELIMIT : SS_ESYNTAX;
    }
    return number_value(tmp, k.len, ret);
}
