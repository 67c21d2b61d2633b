/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json/json_int.h - private declarations shared by the json area's .c files (never
 * included outside src/json/ except by json's own tests).
 *
 * It holds the fast, non-validating scanners used by path lookup and extraction: they
 * assume the text is valid JSON (validated earlier), never read outside [0, len), and
 * report the malformations they happen to notice as SIZE_MAX ("no end found"). The
 * container skipper has two implementations chosen at compile time: SSE2 (x86-64), which
 * classifies 64 bytes at a time into bit masks (quotes, backslashes, brackets), finds
 * escaped quotes and string interiors with carry-free bit arithmetic and counts brackets
 * with popcount; and a portable byte loop. Define SS_JSON_FORCE_SCALAR to build the
 * portable path on x86 too (the tests build both).
 */
#ifndef SS_JSON_JSON_INT_H
#define SS_JSON_JSON_INT_H

#include "json/json.h"

#if defined(__SSE2__) && !defined(SS_JSON_FORCE_SCALAR)
#define SS_JSON_SIMD 1
#include <emmintrin.h>
#else
#define SS_JSON_SIMD 0
#endif

/* For the few small helpers of the hot loops that compilers decline to inline. */
#if defined(__GNUC__) || defined(__clang__)
#define JSON_INLINE inline __attribute__((always_inline))
#else
#define JSON_INLINE inline
#endif

/* "No end found": what the fast scanners return on truncated or malformed text. */
#define JSON_NO_END SIZE_MAX

static inline unsigned json_ctz64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;

    while ((x & 1u) == 0) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

static inline unsigned json_popcount64(uint64_t x)
{
    /* Without a popcount instruction the builtin is a library call: SWAR is faster. */
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__POPCNT__) || defined(__aarch64__))
    return (unsigned)__builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555u);
    x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
    return (unsigned)((x * 0x0101010101010101u) >> 56);
#endif
}

static inline bool json_is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Offset of the first non-whitespace byte at or after @i (len if none). */
static inline size_t json_ws(const char *p, size_t len, size_t i)
{
    while (i < len && json_is_ws((unsigned char)p[i]))
        i++;
    return i;
}

/*
 * SWAR (8 bytes in a uint64_t) helpers for the portable paths. json_swar_zero() is nonzero
 * exactly when some byte of @x is zero (it may flag extra bytes above a real zero, so
 * callers only use it to decide whether to look at a word byte by byte).
 */
#define JSON_ONES 0x0101010101010101u
#define JSON_HIGHS 0x8080808080808080u

static inline uint64_t json_load64(const char *p)
{
    uint64_t x;

    memcpy(&x, p, sizeof(x));
    return x;
}

static inline uint64_t json_swar_zero(uint64_t x)
{
    return (x - JSON_ONES) & ~x & JSON_HIGHS;
}

static inline uint64_t json_swar_byte(uint64_t x, unsigned char c)
{
    return json_swar_zero(x ^ (JSON_ONES * c));
}

/* Offset of the first '"' or '\\' at or after @i, or len. */
static inline size_t json_find_quote_or_bs(const char *p, size_t len, size_t i)
{
#if SS_JSON_SIMD
    const __m128i q = _mm_set1_epi8('"');
    const __m128i bs = _mm_set1_epi8('\\');

    while (len - i >= 16) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        const unsigned m =
            (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)));

        if (m != 0)
            return i + json_ctz64(m);
        i += 16;
    }
#else
    while (len - i >= 8) {
        const uint64_t x = json_load64(p + i);

        if ((json_swar_byte(x, '"') | json_swar_byte(x, '\\')) != 0)
            break;
        i += 8;
    }
#endif
    while (i < len && p[i] != '"' && p[i] != '\\')
        i++;
    return i;
}

/*
 * Offset of the quote that closes the string whose body starts at @i (just after the
 * opening quote), or JSON_NO_END. Sets *escaped when the body holds a backslash.
 */
static inline size_t json_string_end(const char *p, size_t len, size_t i, bool *escaped)
{
    for (;;) {
        i = json_find_quote_or_bs(p, len, i);
        if (i >= len)
            return JSON_NO_END;
        if (p[i] == '"')
            return i;
        *escaped = true;
        if (len - i <= 2)
            return JSON_NO_END;
        i += 2;
    }
}

/* Byte loop version of json_skip_nested (also used for short containers). */
static inline size_t json_skip_nested_scalar(const char *p, size_t len, size_t i, size_t depth)
{
    while (i < len) {
        char c;
        bool esc = false;

        /* Step over words without quotes or brackets ('[' | 0x20 == '{', ']' | 0x20 == '}'). */
        while (len - i >= 8) {
            const uint64_t x = json_load64(p + i);
            const uint64_t xl = x | (JSON_ONES * 0x20);

            if ((json_swar_byte(x, '"') | json_swar_byte(xl, '{') | json_swar_byte(xl, '}')) != 0)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        c = p[i];

        if (c == '"') {
            i = json_string_end(p, len, i + 1, &esc);
            if (i == JSON_NO_END)
                return JSON_NO_END;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
            if (depth == 0)
                return i + 1;
        }
        i++;
    }
    return JSON_NO_END;
}

#if SS_JSON_SIMD
static inline uint64_t json_mask16(__m128i v, __m128i c)
{
    return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, c));
}

/* Prefix XOR: bit k of the result is the XOR of bits 0..k of @x. */
static inline uint64_t json_prefix_xor(uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

/*
 * Bits of the characters escaped by an odd-length run of backslashes (simdjson's
 * "find_odd_backslash_sequences"). *carry is 1 when the previous block ended inside an
 * odd-length run, so its first character is escaped.
 */
static inline uint64_t json_escaped_bits(uint64_t bs, uint64_t *carry)
{
    const uint64_t even_bits = 0x5555555555555555u;
    const uint64_t odd_bits = ~even_bits;
    const uint64_t start_edges = bs & ~(bs << 1);
    const uint64_t even_start_mask = even_bits ^ *carry;
    const uint64_t even_starts = start_edges & even_start_mask;
    const uint64_t odd_starts = start_edges & ~even_start_mask;
    const uint64_t even_carries = bs + even_starts;
    uint64_t odd_carries = bs + odd_starts;
    const uint64_t overflow = odd_carries < bs ? 1u : 0u;

    odd_carries |= *carry;
    *carry = overflow;
    return ((even_carries & ~bs) & odd_bits) | ((odd_carries & ~bs) & even_bits);
}

/*
 * Skip to just past the bracket that closes the enclosing @depth containers, starting at
 * @i outside any string. Returns JSON_NO_END when the text ends first.
 */
static inline size_t json_skip_nested(const char *p, size_t len, size_t i, size_t depth)
{
    uint64_t in_string = 0; /* all ones when the previous block ended inside a string */
    uint64_t esc_carry = 0;
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i lower = _mm_set1_epi8(0x20);
    const __m128i open = _mm_set1_epi8('{');  /* '[' | 0x20 == '{' */
    const __m128i close = _mm_set1_epi8('}'); /* ']' | 0x20 == '}' */

    if (len - i < 64)
        return json_skip_nested_scalar(p, len, i, depth);
    while (i < len) {
        unsigned char tail[64];
        const char *blk = p + i;
        const size_t n = len - i;
        uint64_t mq = 0, mb = 0, mo = 0, mc = 0;

        if (n < 64) {
            memset(tail, ' ', sizeof(tail));
            memcpy(tail, p + i, n);
            blk = (const char *)tail;
        }
        for (unsigned k = 0; k < 4; k++) {
            const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(blk + 16 * k));
            const __m128i vl = _mm_or_si128(v, lower);

            mq |= json_mask16(v, quote) << (16 * k);
            mb |= json_mask16(v, bslash) << (16 * k);
            mo |= json_mask16(vl, open) << (16 * k);
            mc |= json_mask16(vl, close) << (16 * k);
        }
        if ((mb | esc_carry) != 0)
            mq &= ~json_escaped_bits(mb, &esc_carry);
        {
            const uint64_t str = json_prefix_xor(mq) ^ in_string;

            in_string = 0 - (str >> 63);
            mo &= ~str;
            mc &= ~str;
        }
        if (json_popcount64(mc) < depth) {
            depth += json_popcount64(mo);
            depth -= json_popcount64(mc);
        } else {
            uint64_t s = mo | mc;

            while (s != 0) {
                const unsigned b = json_ctz64(s);

                if ((mo >> b) & 1u) {
                    depth++;
                } else {
                    depth--;
                    if (depth == 0)
                        return i + b + 1;
                }
                s &= s - 1;
            }
        }
        if (n < 64)
            break;
        i += 64;
    }
    return JSON_NO_END;
}
#else
static inline size_t json_skip_nested(const char *p, size_t len, size_t i, size_t depth)
{
    return json_skip_nested_scalar(p, len, i, depth);
}
#endif

static inline bool json_is_num_char(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/*
 * End offset of the value starting at @i (a non-whitespace byte), its type and, for
 * strings, whether it holds escapes. Returns JSON_NO_END on text it cannot make sense of.
 */
static inline size_t json_value_end(const char *p, size_t len, size_t i,
                                    enum ss_json_type *ret_type, bool *ret_escaped)
{
    size_t e;

    *ret_escaped = false;
    if (i >= len)
        return JSON_NO_END;
    switch (p[i]) {
    case '"':
        *ret_type = SS_JSON_STRING;
        e = json_string_end(p, len, i + 1, ret_escaped);
        return e == JSON_NO_END ? e : e + 1;
    case '{':
        *ret_type = SS_JSON_OBJECT;
        return json_skip_nested(p, len, i + 1, 1);
    case '[':
        *ret_type = SS_JSON_ARRAY;
        return json_skip_nested(p, len, i + 1, 1);
    case 't':
        *ret_type = SS_JSON_TRUE;
        return len - i >= 4 && memcmp(p + i, "true", 4) == 0 ? i + 4 : JSON_NO_END;
    case 'f':
        *ret_type = SS_JSON_FALSE;
        return len - i >= 5 && memcmp(p + i, "false", 5) == 0 ? i + 5 : JSON_NO_END;
    case 'n':
        *ret_type = SS_JSON_NULL;
        return len - i >= 4 && memcmp(p + i, "null", 4) == 0 ? i + 4 : JSON_NO_END;
    default:
        if (p[i] != '-' && (p[i] < '0' || p[i] > '9'))
            return JSON_NO_END;
        *ret_type = SS_JSON_NUMBER;
        e = i + 1;
        while (e < len && json_is_num_char(p[e]))
            e++;
        return e;
    }
}

/*
 * Output of the string decoder: either a byte sink (out/cap, truncating but counting the
 * full length in len) or, with cmp set, a comparison against cmp[0..cmp_len).
 */
struct json_sink {
    char *out;
    size_t cap;
    size_t len; /* full decoded length so far */
    const char *cmp;
    size_t cmp_len;
    bool icase;
    bool mismatch;
};

/*
 * Decode the JSON string body @s[0..n) (between the quotes) into @k. Raw bytes are copied
 * unchanged; escapes are decoded (surrogate pairs combined into one UTF-8 sequence).
 * Returns 0, or SS_ESYNTAX for a bad escape or a lone surrogate (*ret_err_off then holds
 * the offset of the offending backslash in @s when ret_err_off is not NULL).
 */
int ss_json_decode_body(const char *s, size_t n, struct json_sink *k, size_t *ret_err_off);

/*
 * Validate the JSON string whose opening quote is at @p[i] under the default limits
 * (strict: escapes, surrogates, control characters, UTF-8). On success *ret_end is the
 * offset just past the closing quote. Returns 0, SS_ESYNTAX or SS_ELIMIT (offset in diag,
 * relative to @p).
 */
int ss_json_check_string(const char *p, size_t len, size_t i, size_t *ret_end,
                         struct ss_diag *reterr_diag);

#endif
