/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/base64.c - implements strict RFC 4648 base64 encoding and decoding.
 */
#include "evidence/base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t ss_base64_encoded_len(size_t len)
{
    return (len + 2) / 3 * 4;
}

int ss_base64_encode(const uint8_t *p, size_t len, struct ss_buf *out)
{
    size_t need = ss_base64_encoded_len(len);
    char *w;
    size_t i = 0;
    int r;

    if (len == 0)
        return 0;
    if (len > SIZE_MAX / 2)
        return SS_ELIMIT;
    r = ss_buf_grow(out, need);
    if (r < 0)
        return r;
    w = out->ptr + out->len;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

        *w++ = alphabet[v >> 18];
        *w++ = alphabet[(v >> 12) & 63];
        *w++ = alphabet[(v >> 6) & 63];
        *w++ = alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;

        *w++ = alphabet[v >> 18];
        *w++ = alphabet[(v >> 12) & 63];
        *w++ = '=';
        *w++ = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;

        *w++ = alphabet[v >> 18];
        *w++ = alphabet[(v >> 12) & 63];
        *w++ = alphabet[(v >> 6) & 63];
        *w++ = '=';
    }
    out->len += need;
    out->ptr[out->len] = '\0';
    return 0;
}

static int val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int ss_base64_decode(const char *s, size_t len, struct ss_buf *out)
{
    size_t start = out->len;
    size_t n_pad = 0;
    uint8_t *w;
    int r;

    if (len % 4 != 0)
        return SS_ESYNTAX;
    if (len == 0)
        return 0;
    if (s[len - 1] == '=')
        n_pad = s[len - 2] == '=' ? 2 : 1;
    r = ss_buf_grow(out, len / 4 * 3);
    if (r < 0)
        return r;
    w = (uint8_t *)out->ptr + start;
    for (size_t i = 0; i < len; i += 4) {
        bool last = i + 4 == len;
        size_t n_data = last ? 4 - n_pad : 4;
        uint32_t v = 0;

        for (size_t j = 0; j < 4; j++) {
            int d = j < n_data ? val(s[i + j]) : (s[i + j] == '=' ? 0 : -1);

            if (d < 0) {
                out->ptr[start] = '\0';
                return SS_ESYNTAX;
            }
            v = v << 6 | (uint32_t)d;
        }
        /* Non-zero bits under the padding would give a second spelling. */
        if ((n_data == 2 && (v & 0xffff) != 0) || (n_data == 3 && (v & 0xff) != 0)) {
            out->ptr[start] = '\0';
            return SS_ESYNTAX;
        }
        *w++ = (uint8_t)(v >> 16);
        if (n_data >= 3)
            *w++ = (uint8_t)(v >> 8);
        if (n_data == 4)
            *w++ = (uint8_t)v;
    }
    out->len = (size_t)((char *)w - out->ptr);
    out->ptr[out->len] = '\0';
    return 0;
}
