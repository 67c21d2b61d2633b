/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/parse.c - implements strict, locale-free parsing of integers, JSON-grammar
 * numbers and sizes. Doubles are converted with strtod in the "C" locale only after the
 * text has been checked against the JSON number grammar, so locale never matters.
 */
#include "core/parse.h"

#include <math.h>

int ss_parse_u64(const char *s, size_t len, uint64_t *ret)
{
    uint64_t v = 0;

    if (len == 0)
        return SS_ESYNTAX;
    for (size_t i = 0; i < len; i++) {
        unsigned d;

        if (s[i] < '0' || s[i] > '9')
            return SS_ESYNTAX;
        d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return SS_ELIMIT;
        v = v * 10 + d;
    }
    *ret = v;
    return 0;
}

int ss_parse_i64(const char *s, size_t len, int64_t *ret)
{
    bool neg = len > 0 && s[0] == '-';
    uint64_t v;
    int r = ss_parse_u64(s + (neg ? 1 : 0), len - (neg ? 1 : 0), &v);

    if (r < 0)
        return r;
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return SS_ELIMIT;
        *ret = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return SS_ELIMIT;
        *ret = (int64_t)v;
    }
    return 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int ss_parse_double(const char *s, size_t len, double *ret)
{
    char tmp[128];
    size_t i = 0;
    double v;

    if (i < len && s[i] == '-')
        i++;
    if (i >= len || !is_digit(s[i]))
        return SS_ESYNTAX;
    if (s[i] == '0')
        i++;
    else
        while (i < len && is_digit(s[i]))
            i++;
    if (i < len && s[i] == '.') {
        i++;
        if (i >= len || !is_digit(s[i]))
            return SS_ESYNTAX;
        while (i < len && is_digit(s[i]))
            i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= len || !is_digit(s[i]))
            return SS_ESYNTAX;
        while (i < len && is_digit(s[i]))
            i++;
    }
    if (i != len)
        return SS_ESYNTAX;
    if (len >= sizeof(tmp))
        return SS_ELIMIT;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    v = strtod(tmp, NULL);
    if (!isfinite(v))
        return SS_ELIMIT;
    *ret = v;
    return 0;
}

int ss_parse_size(const char *s, size_t len, uint64_t *ret_bytes)
{
    unsigned shift = 0;
    uint64_t v;
    int r;

    if (len > 0) {
        switch (s[len - 1]) {
        case 'k':
        case 'K':
            shift = 10;
            break;
        case 'm':
        case 'M':
            shift = 20;
            break;
        case 'g':
        case 'G':
            shift = 30;
            break;
        case 't':
        case 'T':
            shift = 40;
            break;
        default:
            break;
        }
    }
    r = ss_parse_u64(s, len - (shift != 0 ? 1 : 0), &v);
    if (r < 0)
        return r;
    if (shift != 0 && v > (UINT64_MAX >> shift))
        return SS_ELIMIT;
    *ret_bytes = v << shift;
    return 0;
}
