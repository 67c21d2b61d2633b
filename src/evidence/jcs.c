/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/jcs.c - implements RFC 8785 canonical JSON: string and number writers and a
 * canonicalizer that walks a JSON text with the json scanner (no DOM: each object's
 * members are collected as (name, value span) pairs, sorted, and rewritten).
 *
 * Numbers use the shortest decimal that round-trips to the same double (tried with 1 to
 * 17 significant digits), laid out by the ECMAScript Number::toString rules that RFC 8785
 * §3.2.2.3 adopts.
 */
#include "evidence/jcs.h"

#include "core/alloc.h"
#include "json/json.h"

#include <math.h>

int ss_jcs_put_str(struct ss_buf *b, const char *s, size_t len)
{
    /* RFC 8785 §3.2.2.2 escapes exactly as core's JSON writer does */
    return ss_buf_put_json_str(b, s, len);
}

int ss_jcs_put_cstr(struct ss_buf *b, const char *s)
{
    return s == NULL ? ss_jcs_put_str(b, "", 0) : ss_jcs_put_str(b, s, strlen(s));
}

int ss_jcs_put_u64(struct ss_buf *b, uint64_t v)
{
    if (v > SS_JCS_MAX_SAFE_INT)
        return SS_ELIMIT;
    return ss_buf_put_u64(b, v);
}

/* Parse a decimal written by us ("d.ddde[+-]x" digits only) back to a double. */
static double reparse(const char *digits, size_t k, int exp10)
{
    char tmp[64];
    int n = snprintf(tmp, sizeof(tmp), "%c.%.*se%d", digits[0], (int)(k - 1), digits + 1, exp10);

    (void)n;
    return strtod(tmp, NULL);
}

int ss_jcs_put_double(struct ss_buf *b, double x)
{
    char tmp[64], digits[24];
    size_t k = 0;
    int exp10 = 0, n; /* x = 0.d1d2...dk * 10^n in ECMAScript terms */
    bool neg = x < 0;
    double ax = fabs(x);
    int r;

    if (!isfinite(x))
        return SS_ELIMIT;
    if (x == 0)
        return ss_buf_putc(b, '0');
    for (int p = 1; p <= 17; p++) {
        const char *e;

        (void)snprintf(tmp, sizeof(tmp), "%.*e", p - 1, ax);
        /* Collect the significant digits (whatever the decimal point is) and exponent. */
        k = 0;
        for (e = tmp; *e != '\0' && *e != 'e' && *e != 'E'; e++) {
            if (*e >= '0' && *e <= '9' && k < sizeof(digits) - 1)
                digits[k++] = *e;
        }
        if (*e == '\0')
            return SS_ELIMIT;
        {
            int sign = 1, v = 0;

            e++;
            if (*e == '-' || *e == '+')
                sign = *e++ == '-' ? -1 : 1;
            while (*e >= '0' && *e <= '9')
                v = v * 10 + (*e++ - '0');
            exp10 = sign * v;
        }
        digits[k] = '\0';
        if (reparse(digits, k, exp10) == ax)
            break;
    }
    while (k > 1 && digits[k - 1] == '0')
        k--;
    n = exp10 + 1;
    r = neg ? ss_buf_putc(b, '-') : 0;
    if (r < 0)
        return r;
    if ((int)k <= n && n <= 21) {
        r = ss_buf_append(b, digits, k);
        for (int i = 0; r == 0 && i < n - (int)k; i++)
            r = ss_buf_putc(b, '0');
    } else if (0 < n && n <= 21) {
        r = ss_buf_append(b, digits, (size_t)n);
        r = r ? r : ss_buf_putc(b, '.');
        r = r ? r : ss_buf_append(b, digits + n, k - (size_t)n);
    } else if (-6 < n && n <= 0) {
        r = ss_buf_append(b, "0.", 2);
        for (int i = 0; r == 0 && i < -n; i++)
            r = ss_buf_putc(b, '0');
        r = r ? r : ss_buf_append(b, digits, k);
    } else {
        r = ss_buf_putc(b, digits[0]);
        if (r == 0 && k > 1) {
            r = ss_buf_putc(b, '.');
            r = r ? r : ss_buf_append(b, digits + 1, k - 1);
        }
        r = r ? r : ss_buf_printf(b, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
    }
    return r;
}

/* Code unit of the UTF-16 form of cp that sorts it: itself or its high surrogate. */
static uint32_t utf16_lead(uint32_t cp)
{
    return cp < 0x10000 ? cp : 0xd800 + ((cp - 0x10000) >> 10);
}

int ss_jcs_name_cmp(const char *a, size_t a_len, const char *b, size_t b_len)
{
    const unsigned char *ua = (const unsigned char *)a, *ub = (const unsigned char *)b;
    size_t i = 0, j = 0;

    while (i < a_len && j < b_len) {
        uint32_t ca, cb;
        size_t na = ss_utf8_decode(ua + i, a_len - i, &ca);
        size_t nb = ss_utf8_decode(ub + j, b_len - j, &cb);

        /* Invalid bytes (never in validated JSON) sort by byte value, after all text. */
        if (na == 0) {
            ca = 0x110000u + ua[i];
            na = 1;
        }
        if (nb == 0) {
            cb = 0x110000u + ub[j];
            nb = 1;
        }
        if (ca != cb) {
            uint32_t la = utf16_lead(ca), lb = utf16_lead(cb);

            if (ca > 0x10ffff || cb > 0x10ffff || la == lb)
                return ca < cb ? -1 : 1;
            return la < lb ? -1 : 1;
        }
        i += na;
        j += nb;
    }
    if (i < a_len)
        return 1;
    if (j < b_len)
        return -1;
    return 0;
}

/* ---- canonicalizer ---- */

struct member {
    char *name; /* unescaped, NUL-terminated (may contain NUL via \u0000; use name_len) */
    size_t name_len;
    size_t vstart, vend; /* value span in the text */
};

struct canon {
    const char *text;
    size_t len;
    struct ss_buf *out;
    struct ss_diag *diag;
};

static int canon_value(struct canon *c, size_t start, size_t end, unsigned depth);

static int member_cmp(const void *pa, const void *pb)
{
    const struct member *a = pa, *b = pb;

    return ss_jcs_name_cmp(a->name, a->name_len, b->name, b->name_len);
}

static int unescape_span(const struct canon *c, size_t start, size_t end, struct ss_buf *out)
{
    struct ss_json_val v = {
        .type = SS_JSON_STRING,
        .ptr = c->text + start,
        .len = end - start,
        .escaped = memchr(c->text + start, '\\', end - start) != NULL,
    };

    return ss_json_unescape(&v, out);
}

static int syntax(struct canon *c, size_t at, const char *what)
{
    return ss_diag_set(c->diag, SS_ESYNTAX, NULL, 0, 0, at, "%s", what);
}

static int canon_object(struct canon *c, size_t pos, unsigned depth)
{
    struct member *m = NULL;
    size_t n = 0, cap = 0;
    int r = 0;

    pos = ss_json_skip_ws(c->text, c->len, pos + 1);
    if (pos < c->len && c->text[pos] == '}')
        return ss_buf_append(c->out, "{}", 2);
    for (;;) {
        struct ss_buf name = SS_BUF_INIT(SS_JSON_DEFAULT_MAX_STRING);
        size_t ks, ke, vs, ve;

        r = ss_json_skip(c->text, c->len, pos, NULL, &ks, &ke, c->diag);
        if (r < 0)
            goto out;
        if (c->text[ks] != '"') {
            r = syntax(c, ks, "member name is not a string");
            goto out;
        }
        r = unescape_span(c, ks, ke, &name);
        if (r < 0) {
            ss_buf_release(&name);
            goto out;
        }
        pos = ss_json_skip_ws(c->text, c->len, ke);
        if (pos >= c->len || c->text[pos] != ':') {
            ss_buf_release(&name);
            r = syntax(c, pos, "expected ':'");
            goto out;
        }
        r = ss_json_skip(c->text, c->len, pos + 1, NULL, &vs, &ve, c->diag);
        if (r < 0) {
            ss_buf_release(&name);
            goto out;
        }
        if (n == cap) {
            size_t ncap = cap == 0 ? 8 : 2 * cap;
            struct member *nm = ss_reallocarray(m, ncap, sizeof(*m));

            if (nm == NULL) {
                ss_buf_release(&name);
                r = -ENOMEM;
                goto out;
            }
            m = nm;
            cap = ncap;
        }
        m[n].name_len = name.len;
        m[n].name = ss_buf_detach(&name);
        if (m[n].name == NULL) {
            ss_buf_release(&name);
            r = -ENOMEM;
            goto out;
        }
        m[n].vstart = vs;
        m[n].vend = ve;
        n++;
        pos = ss_json_skip_ws(c->text, c->len, ve);
        if (pos < c->len && c->text[pos] == ',') {
            pos++;
            continue;
        }
        if (pos < c->len && c->text[pos] == '}')
            break;
        r = syntax(c, pos, "expected ',' or '}'");
        goto out;
    }
    qsort(m, n, sizeof(*m), member_cmp);
    r = ss_buf_putc(c->out, '{');
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (i > 0 && member_cmp(&m[i - 1], &m[i]) == 0) {
            r = syntax(c, m[i].vstart, "duplicate member name");
            break;
        }
        if (i > 0)
            r = ss_buf_putc(c->out, ',');
        r = r ? r : ss_jcs_put_str(c->out, m[i].name, m[i].name_len);
        r = r ? r : ss_buf_putc(c->out, ':');
        r = r ? r : canon_value(c, m[i].vstart, m[i].vend, depth + 1);
    }
    if (r == 0)
        r = ss_buf_putc(c->out, '}');
out:
    for (size_t i = 0; i < n; i++)
        ss_free(m[i].name);
    ss_free(m);
    return r;
}

static int canon_array(struct canon *c, size_t pos, unsigned depth)
{
    bool first = true;
    int r;

    pos = ss_json_skip_ws(c->text, c->len, pos + 1);
    if (pos < c->len && c->text[pos] == ']')
        return ss_buf_append(c->out, "[]", 2);
    r = ss_buf_putc(c->out, '[');
    while (r == 0) {
        size_t vs, ve;

        r = ss_json_skip(c->text, c->len, pos, NULL, &vs, &ve, c->diag);
        if (r < 0)
            break;
        if (!first)
            r = ss_buf_putc(c->out, ',');
        first = false;
        r = r ? r : canon_value(c, vs, ve, depth + 1);
        if (r < 0)
            break;
        pos = ss_json_skip_ws(c->text, c->len, ve);
        if (pos < c->len && c->text[pos] == ',') {
            pos++;
            continue;
        }
        if (pos < c->len && c->text[pos] == ']')
            return ss_buf_putc(c->out, ']');
        r = syntax(c, pos, "expected ',' or ']'");
    }
    return r;
}

static int canon_number(struct canon *c, size_t start, size_t end)
{
    char small[64];
    char *tmp = small;
    size_t n = end - start;
    double v;
    int r;

    if (n >= sizeof(small)) {
        tmp = ss_malloc(n + 1);
        if (tmp == NULL)
            return -ENOMEM;
    }
    memcpy(tmp, c->text + start, n);
    tmp[n] = '\0';
    v = strtod(tmp, NULL);
    if (tmp != small)
        ss_free(tmp);
    if (!isfinite(v))
        return ss_diag_set(c->diag, SS_ELIMIT, NULL, 0, 0, start,
                           "number outside the range of a double");
    r = ss_jcs_put_double(c->out, v);
    return r;
}

static int canon_value(struct canon *c, size_t start, size_t end, unsigned depth)
{
    struct ss_buf s;
    int r;

    if (depth > SS_JCS_MAX_DEPTH)
        return ss_diag_set(c->diag, SS_ELIMIT, NULL, 0, 0, start, "nesting deeper than %d",
                           SS_JCS_MAX_DEPTH);
    switch (c->text[start]) {
    case '{':
        return canon_object(c, start, depth);
    case '[':
        return canon_array(c, start, depth);
    case '"':
        s = SS_BUF_INIT(SS_JSON_DEFAULT_MAX_STRING);
        r = unescape_span(c, start, end, &s);
        if (r == SS_ESYNTAX)
            r = syntax(c, start, "bad string escape");
        r = r ? r : ss_jcs_put_str(c->out, s.ptr, s.len);
        ss_buf_release(&s);
        return r;
    case 't':
    case 'f':
    case 'n':
        return ss_buf_append(c->out, c->text + start, end - start);
    default:
        return canon_number(c, start, end);
    }
}

int ss_jcs_canonicalize(const char *json, size_t len, struct ss_buf *out,
                        struct ss_diag *reterr_diag)
{
    struct canon c = { .text = json, .len = len, .out = out, .diag = reterr_diag };
    size_t start = out->len, vs, ve;
    int r;

    r = ss_json_validate(json, len, NULL, reterr_diag);
    if (r == 0)
        r = ss_json_skip(json, len, 0, NULL, &vs, &ve, reterr_diag);
    if (r == 0)
        r = canon_value(&c, vs, ve, 0);
    if (r < 0)
        ss_buf_truncate(out, start);
    return r;
}
