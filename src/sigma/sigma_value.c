/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigma/sigma_value.c - implements the value side of Sigma detection items: modifier
 * parsing and checking, Sigma string syntax (wildcards '*' '?' and '\' escapes), the
 * value transformations (expand, windash, base64, base64offset, utf16le/be, utf16, wide),
 * shape modifiers (contains, startswith, endswith), typed values (integers, floats,
 * booleans, null, exists, lt/lte/gt/gte, cidr, re with i/m/s, fieldref, neq and the time
 * parts minute..year), Unicode case folding and the wildcard matcher.
 *
 * Case-insensitive matching folds both sides with simple case folding for Latin (incl.
 * Latin-1, Extended-A and Additional), Greek, Cyrillic, Armenian and full-width forms.
 * No mapping crosses between ASCII and non-ASCII (the Kelvin sign and long s are left
 * alone), so a folded ASCII literal appears in a record exactly when a caseless ASCII
 * search finds it: the prefilter relies on that.
 */
#include "sigma/sigma_int.h"

#include "core/alloc.h"
#include "core/parse.h"

/* ---- Unicode simple case folding ---- */

size_t ss_sigma_cplen(unsigned char c)
{
    if (c < 0xC0)
        return 1;
    if (c < 0xE0)
        return 2;
    if (c < 0xF0)
        return 3;
    if (c < 0xF8)
        return 4;
    return 1;
}

/* Decode one code point at @s (n bytes available); *ret_len its length. -1 if invalid. */
static int32_t utf8_dec(const unsigned char *s, size_t n, size_t *ret_len)
{
    size_t l = ss_sigma_cplen(s[0]);
    uint32_t cp;

    *ret_len = 1;
    if (l == 1)
        return s[0] < 0x80 ? (int32_t)s[0] : -1;
    if (l > n)
        return -1;
    cp = s[0] & (0x7Fu >> l);
    for (size_t i = 1; i < l; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    *ret_len = l;
    return (int32_t)cp;
}

static size_t utf8_enc(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Simple lower-case fold of a non-ASCII code point (same or shorter UTF-8 length). */
static uint32_t fold_cp(uint32_t c)
{
    if (c < 0x80)
        return c;
    if (c < 0x100) {
        if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
            return c + 0x20;
        if (c == 0xB5)
            return 0x3BC; /* micro sign -> Greek mu (both two bytes) */
        return c;
    }
    if (c < 0x180) {
        if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F)
            return c;
        if (c == 0x178)
            return 0xFF;
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1) ? c + 1 : c;
        return (c & 1) ? c : c + 1;
    }
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
        return c + 0x20;
    if (c == 0x3C2)
        return 0x3C3; /* final sigma */
    if (c >= 0x386 && c <= 0x38F) {
        static const uint16_t t[10] = { 0x3AC, 0x387, 0x3AD, 0x3AE, 0x3AF,
                                        0x38B, 0x3CC, 0x38D, 0x3CD, 0x3CE };
        return t[c - 0x386];
    }
    if (c >= 0x410 && c <= 0x42F)
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F))
        return (c & 1) ? c : c + 1;
    if (c >= 0x531 && c <= 0x556)
        return c + 0x30;
    if ((c >= 0x1E00 && c <= 0x1E95) || (c >= 0x1EA0 && c <= 0x1EFF))
        return (c & 1) ? c : c + 1;
    if (c == 0x1E9E)
        return 0xDF; /* capital sharp s */
    if (c >= 0xFF21 && c <= 0xFF3A)
        return c + 0x20;
    return c;
}

static const unsigned char ascii_lower[256] = {
#define R(x) (unsigned char)((x) >= 'A' && (x) <= 'Z' ? (x) + 32 : (x))
#define R4(x) R(x), R(x + 1), R(x + 2), R(x + 3)
#define R16(x) R4(x), R4(x + 4), R4(x + 8), R4(x + 12)
    R16(0),   R16(16),  R16(32),  R16(48),  R16(64),  R16(80),  R16(96),  R16(112),
    R16(128), R16(144), R16(160), R16(176), R16(192), R16(208), R16(224), R16(240),
#undef R16
#undef R4
#undef R
};

size_t ss_sigma_fold(const char *s, size_t len, char *out)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, o = 0;

    while (i < len) {
        if (u[i] < 0x80) {
            out[o++] = (char)ascii_lower[u[i++]];
            continue;
        }
        {
            size_t l;
            int32_t cp = utf8_dec(u + i, len - i, &l);

            if (cp < 0) {
                out[o++] = (char)u[i++];
                continue;
            }
            o += utf8_enc(fold_cp((uint32_t)cp), out + o);
            i += l;
        }
    }
    return o;
}

bool ss_sigma_is_folded(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;

    for (size_t i = 0; i < len; i++) {
        if (u[i] >= 'A' && u[i] <= 'Z')
            return false;
        if (u[i] >= 0x80)
            return false; /* conservative: fold anything non-ASCII */
    }
    return true;
}

/* ---- wildcard matching ---- */

static const char *find_mem(const char *h, size_t hl, const char *n, size_t nl)
{
    if (nl == 0)
        return h;
    if (nl > hl)
        return NULL;
    for (const char *p = h, *end = h + hl - nl; p <= end; p++) {
        p = memchr(p, n[0], (size_t)(end - p) + 1);
        if (p == NULL)
            return NULL;
        if (memcmp(p, n, nl) == 0)
            return p;
    }
    return NULL;
}

bool ss_sigma_glob(const struct sg_tok *toks, uint32_t n, const char *s, size_t len)
{
    uint32_t ti = 0, star_ti = UINT32_MAX;
    size_t si = 0, star_si = 0;

    for (;;) {
        if (ti < n) {
            const struct sg_tok *t = &toks[ti];

            if (t->kind == SG_TOK_STAR) {
                star_ti = ti++;
                star_si = si;
                continue;
            }
            if (t->kind == SG_TOK_LIT && t->len <= len - si && memcmp(s + si, t->s, t->len) == 0) {
                si += t->len;
                ti++;
                continue;
            }
            if (t->kind == SG_TOK_ONE && si < len) {
                si += SS_MIN(ss_sigma_cplen((unsigned char)s[si]), len - si);
                ti++;
                continue;
            }
        } else if (si == len) {
            return true;
        }
        if (star_ti == UINT32_MAX || star_si >= len)
            return false;
        star_si += SS_MIN(ss_sigma_cplen((unsigned char)s[star_si]), len - star_si);
        /* A literal after the star: jump to its next occurrence. */
        if (star_ti + 1 < n && toks[star_ti + 1].kind == SG_TOK_LIT) {
            const struct sg_tok *t = &toks[star_ti + 1];
            const char *p = find_mem(s + star_si, len - star_si, t->s, t->len);

            if (p == NULL)
                return false;
            star_si = (size_t)(p - s);
        }
        si = star_si;
        ti = star_ti + 1;
    }
}

bool ss_sigma_match_str(const struct sg_val *v, const char *s, size_t len)
{
    switch (v->shape) {
    case SG_SH_EXACT:
        return len == v->len && memcmp(s, v->s, len) == 0;
    case SG_SH_PREFIX:
        return len >= v->len && memcmp(s, v->s, v->len) == 0;
    case SG_SH_SUFFIX:
        return len >= v->len && memcmp(s + len - v->len, v->s, v->len) == 0;
    case SG_SH_CONTAINS:
        return find_mem(s, len, v->s, v->len) != NULL;
    case SG_SH_ANY:
        return true;
    default:
        return ss_sigma_glob(v->toks, v->n_toks, s, len);
    }
}

/* ---- IP addresses ---- */

static int parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;

        while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(s[i] - '0');
            digits++;
            i++;
        }
        if (digits == 0 || digits > 3 || v > 255)
            return -1;
        out[part] = (uint8_t)v;
        if (part < 3) {
            if (i >= len || s[i] != '.')
                return -1;
            i++;
        }
    }
    return i == len ? 0 : -1;
}

int ss_sigma_parse_ip(const char *s, size_t len, uint8_t out[16])
{
    uint16_t w[8] = { 0 };
    size_t i = 0;
    int n = 0, gap = -1;

    if (len == 0 || len > 45)
        return 0;
    if (memchr(s, ':', len) == NULL) {
        memset(out, 0, 16);
        return parse_ipv4(s, len, out) == 0 ? 4 : 0;
    }
    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (s[0] == ':') {
        return 0;
    }
    while (i < len) {
        size_t start = i;
        unsigned v = 0;

        if (n >= 8)
            return 0;
        while (i < len && i - start < 5) {
            unsigned d = (unsigned)(s[i] >= '0' && s[i] <= '9'   ? s[i] - '0'
                                    : s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10
                                    : s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10
                                                                 : 99);
            if (d > 15)
                break;
            v = v * 16 + d;
            i++;
        }
        if (i < len && s[i] == '.') {
            /* embedded IPv4 in the last 32 bits */
            uint8_t v4[4];

            if (n > 6 || parse_ipv4(s + start, len - start, v4) != 0)
                return 0;
            w[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
            w[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
            i = len;
            break;
        }
        if (i == start || i - start > 4)
            return 0;
        w[n++] = (uint16_t)v;
        if (i == len)
            break;
        if (s[i] != ':')
            return 0;
        i++;
        if (i < len && s[i] == ':') {
            if (gap >= 0)
                return 0;
            gap = n;
            i++;
        } else if (i == len) {
            return 0;
        }
    }
    if (gap >= 0) {
        int fill = 8 - n;

        if (fill < 1 && !(fill == 0 && n == 8))
            return 0;
        memmove(w + gap + fill, w + gap, (size_t)(n - gap) * sizeof(w[0]));
        for (int k = 0; k < fill; k++)
            w[gap + k] = 0;
    } else if (n != 8) {
        return 0;
    }
    for (int k = 0; k < 8; k++) {
        out[2 * k] = (uint8_t)(w[k] >> 8);
        out[2 * k + 1] = (uint8_t)(w[k] & 0xFF);
    }
    return 6;
}

/* ---- compile context helpers ---- */

/* The byte length of the dash at @p[0..n) ('-', '/', U+2013, U+2014, U+2015), or 0. */
static size_t dash_len(const char *p, size_t n)
{
    if (p[0] == '-' || p[0] == '/')
        return 1;
    if (n >= 3 && (unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 &&
        (unsigned char)p[2] >= 0x93 && (unsigned char)p[2] <= 0x95)
        return 3;
    return 0;
}

static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Whether @p[k] is a '-' or '/' that starts a word in @p[0..n) (pySigma's \B[-/]\b). */
static bool flag_dash(const char *p, size_t n, size_t k)
{
    return (p[k] == '-' || p[k] == '/') && (k == 0 || !is_word(p[k - 1])) && k + 1 < n &&
           is_word(p[k + 1]);
}

static bool ascii_ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ascii_lower[(unsigned char)a[i]] != ascii_lower[(unsigned char)b[i]])
            return false;
    return true;
}

/* An SS_ELIMIT from a buffer cap gets a reason if none was given yet. */
static int limit_reason(struct sg_cctx *cc, const struct ss_yaml_node *at, int r);

static int rej(struct sg_cctx *cc, int code, const struct ss_yaml_node *at, const char *fmt, ...)
    SS_ATTR_PRINTF(4, 5);

static int rej(struct sg_cctx *cc, int code, const struct ss_yaml_node *at, const char *fmt, ...)
{
    char msg[SS_DIAG_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ss_diag_set(cc->diag, code, cc->file, at ? at->line : 0, at ? at->col : 0,
                       at ? at->offset : UINT64_MAX, "%s", msg);
}

static int limit_reason(struct sg_cctx *cc, const struct ss_yaml_node *at, int r)
{
    if (r == SS_ELIMIT && (cc->diag == NULL || cc->diag->code == 0))
        return rej(cc, SS_ELIMIT, at, "value too long (more than %u bytes) or too complex",
                   SG_MAX_VALUE_BYTES);
    return r;
}

static int cc_oom(struct sg_cctx *cc)
{
    int r = ss_arena_failed(&cc->rs->arena);

    return r != 0 ? r : -ENOMEM;
}

/* ---- modifiers ---- */

enum mod_flag {
    M_CONTAINS = 1u << 0,
    M_STARTSWITH = 1u << 1,
    M_ENDSWITH = 1u << 2,
    M_ALL = 1u << 3,
    M_EXISTS = 1u << 4,
    M_CASED = 1u << 5,
    M_RE = 1u << 6,
    M_RE_I = 1u << 7,
    M_RE_M = 1u << 8,
    M_RE_S = 1u << 9,
    M_CIDR = 1u << 10,
    M_CMP = 1u << 11,
    M_NEQ = 1u << 12,
    M_FIELDREF = 1u << 13,
    M_EXPAND = 1u << 14,
    M_TIME = 1u << 15,
    M_ENC = 1u << 16, /* any encoding transform (base64, utf16, windash) */
};

enum enc_kind {
    ENC_BASE64 = 1,
    ENC_BASE64OFFSET,
    ENC_UTF16LE,
    ENC_UTF16BE,
    ENC_UTF16,
    ENC_WINDASH
};

#define MAX_MODS 16

struct mods {
    uint32_t flags;
    uint8_t cmp;
    uint8_t timepart;
    uint8_t enc[MAX_MODS]; /* encoding transforms in order */
    size_t n_enc;
};

static int parse_mods(struct sg_cctx *cc, const struct ss_yaml_node *at, const char *p, size_t n,
                      struct mods *m)
{
    size_t i = 0;

    *m = (struct mods){ 0 };
    /* i <= n: after a last '|' comes one more (empty) modifier, as in "a|contains|" */
    while (i <= n) {
        size_t start = i;
        uint32_t f = 0;
        uint8_t enc = 0;
        const char *w;
        size_t wl;

        while (i < n && p[i] != '|')
            i++;
        w = p + start;
        wl = i - start;
        i++; /* skip '|' */
#define IS(lit) (wl == sizeof(lit) - 1 && memcmp(w, lit, wl) == 0)
        if (wl == 0) /* "a|", "a||b", "a|contains|" */
            return rej(cc, SS_ESYNTAX, at, "empty value modifier in '|%.*s'", (int)n, p);
        if (IS("contains"))
            f = M_CONTAINS;
        else if (IS("startswith"))
            f = M_STARTSWITH;
        else if (IS("endswith"))
            f = M_ENDSWITH;
        else if (IS("all"))
            f = M_ALL;
        else if (IS("exists"))
            f = M_EXISTS;
        else if (IS("cased"))
            f = M_CASED;
        else if (IS("re"))
            f = M_RE;
        else if (IS("i"))
            f = M_RE_I;
        else if (IS("m"))
            f = M_RE_M;
        else if (IS("s"))
            f = M_RE_S;
        else if (IS("cidr"))
            f = M_CIDR;
        else if (IS("neq"))
            f = M_NEQ;
        else if (IS("fieldref"))
            f = M_FIELDREF;
        else if (IS("expand"))
            f = M_EXPAND;
        else if (IS("base64"))
            enc = ENC_BASE64;
        else if (IS("base64offset"))
            enc = ENC_BASE64OFFSET;
        else if (IS("utf16le") || IS("wide"))
            enc = ENC_UTF16LE;
        else if (IS("utf16be"))
            enc = ENC_UTF16BE;
        else if (IS("utf16"))
            enc = ENC_UTF16;
        else if (IS("windash"))
            enc = ENC_WINDASH;
        else if (IS("lt") || IS("lte") || IS("gt") || IS("gte")) {
            if (m->flags & M_CMP)
                return rej(cc, SS_ESYNTAX, at, "more than one of lt/lte/gt/gte in '%.*s'", (int)n,
                           p);
            f = M_CMP;
            m->cmp = IS("lt")    ? SG_CMP_LT
                     : IS("lte") ? SG_CMP_LTE
                     : IS("gt")  ? SG_CMP_GT
                                 : SG_CMP_GTE;
        } else if (IS("minute") || IS("hour") || IS("day") || IS("week") || IS("month") ||
                   IS("year")) {
            if (m->flags & M_TIME)
                return rej(cc, SS_ESYNTAX, at, "more than one time modifier in '%.*s'", (int)n, p);
            f = M_TIME;
            m->timepart = IS("minute")  ? SG_TP_MINUTE
                          : IS("hour")  ? SG_TP_HOUR
                          : IS("day")   ? SG_TP_DAY
                          : IS("week")  ? SG_TP_WEEK
                          : IS("month") ? SG_TP_MONTH
                                        : SG_TP_YEAR;
        } else {
            return rej(cc, SS_ESYNTAX, at, "unknown value modifier '%.*s'", (int)wl, w);
        }
#undef IS
        if ((enc == ENC_BASE64 || enc == ENC_BASE64OFFSET) &&
            (m->flags & (M_CONTAINS | M_STARTSWITH | M_ENDSWITH)))
            /* modifiers apply in the order given: the wildcards would be encoded */
            return rej(cc, SS_ESYNTAX, at,
                       "'%.*s' after contains/startswith/endswith would encode their wildcards "
                       "(modifiers apply in order): write it first, e.g. '%.*s|contains'",
                       (int)wl, w, (int)wl, w);
        if (enc != 0) {
            if (m->n_enc == MAX_MODS)
                return rej(cc, SS_ELIMIT, at, "too many modifiers");
            m->enc[m->n_enc++] = enc;
            f = M_ENC;
        } else if ((m->flags & f) && f != M_ENC) {
            return rej(cc, SS_ESYNTAX, at, "modifier '%.*s' given twice", (int)wl, w);
        }
        m->flags |= f;
    }
    /* Combinations the spec does not define. */
    {
        uint32_t shape = m->flags & (M_CONTAINS | M_STARTSWITH | M_ENDSWITH);
        uint32_t fl = m->flags;

        if (shape != 0 && (shape & (shape - 1)) != 0)
            return rej(cc, SS_ESYNTAX, at,
                       "conflicting modifiers contains/startswith/endswith in '%.*s'", (int)n, p);
        if ((fl & M_EXISTS) && (fl & ~(uint32_t)M_EXISTS))
            return rej(cc, SS_ESYNTAX, at, "'exists' cannot be combined with other modifiers");
        if ((fl & (M_RE_I | M_RE_M | M_RE_S)) && !(fl & M_RE))
            return rej(cc, SS_ESYNTAX, at, "re flags i/m/s need the 're' modifier");
        if ((fl & M_RE) && (fl & (shape | M_CIDR | M_CMP | M_FIELDREF | M_ENC | M_TIME)))
            return rej(cc, SS_ESYNTAX, at, "'re' cannot be combined with '%.*s'", (int)n, p);
        if ((fl & M_CIDR) && (fl & (shape | M_CMP | M_FIELDREF | M_ENC | M_TIME | M_CASED)))
            return rej(cc, SS_ESYNTAX, at, "'cidr' cannot be combined with '%.*s'", (int)n, p);
        if ((fl & M_CMP) && (fl & (shape | M_FIELDREF | M_ENC | M_CASED)))
            return rej(cc, SS_ESYNTAX, at, "lt/lte/gt/gte cannot be combined with '%.*s'", (int)n,
                       p);
        if ((fl & M_FIELDREF) && (fl & (M_ENC | M_TIME | M_EXPAND)))
            return rej(cc, SS_ESYNTAX, at, "'fieldref' cannot be combined with '%.*s'", (int)n, p);
        if ((fl & M_TIME) && (fl & (shape | M_ENC)))
            return rej(cc, SS_ESYNTAX, at, "time modifiers cannot be combined with '%.*s'", (int)n,
                       p);
    }
    return 0;
}

/* ---- Sigma strings ---- */

/* A value being built: tokens over bytes owned by a heap buffer. */
struct sstr {
    struct sg_tok toks[256];
    uint32_t n;
    char *buf; /* token bytes (heap) */
    size_t len, cap;
};

#define SSTR_MAX_TOKS 256u

static void sstr_release(struct sstr *v)
{
    ss_free(v->buf);
    v->buf = NULL;
    v->n = 0;
    v->len = v->cap = 0;
}

static int sstr_push(struct sstr *v, uint8_t kind, const char *p, size_t n)
{
    if (n > SG_MAX_VALUE_BYTES || v->len + n > SG_MAX_VALUE_BYTES)
        return SS_ELIMIT;
    if (kind == SG_TOK_LIT && n == 0)
        return 0;
    if (kind == SG_TOK_STAR && v->n > 0 && v->toks[v->n - 1].kind == SG_TOK_STAR)
        return 0; /* '**' is '*' */
    if (v->n == SSTR_MAX_TOKS)
        return SS_ELIMIT;
    if (v->len + n + 1 > v->cap) {
        size_t cap = SS_MAX(v->cap * 2, v->len + n + 64);
        char *nb = ss_realloc(v->buf, cap);

        if (nb == NULL)
            return -ENOMEM;
        v->buf = nb;
        v->cap = cap;
    }
    if (kind == SG_TOK_LIT && v->n > 0 && v->toks[v->n - 1].kind == SG_TOK_LIT) {
        memcpy(v->buf + v->len, p, n);
        v->len += n;
        v->toks[v->n - 1].len += (uint32_t)n;
        return 0;
    }
    /* Token offsets are kept in .s as integers until the buffer stops moving. */
    v->toks[v->n] =
        (struct sg_tok){ .kind = kind, .len = (uint32_t)n, .s = (const char *)(uintptr_t)v->len };
    if (n > 0)
        memcpy(v->buf + v->len, p, n);
    v->len += n;
    v->n++;
    return 0;
}

static size_t tok_off(const struct sg_tok *t)
{
    return (size_t)(uintptr_t)t->s;
}

/*
 * Parse Sigma string syntax (pySigma's rules): '*' and '?' are wildcards; '\' escapes a
 * following '*', '?' or '\'; any other backslash is literal. With @plain_only nothing is
 * special (regular expressions, fieldref names).
 */
static int sstr_parse(struct sstr *v, const char *s, size_t n, bool plain_only)
{
    size_t i = 0, run = 0;
    int r;

    if (plain_only)
        return sstr_push(v, SG_TOK_LIT, s, n);
    while (i < n) {
        char c = s[i];

        if (c == '\\' && i + 1 < n && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
            r = sstr_push(v, SG_TOK_LIT, s + run, i - run);
            if (r == 0)
                r = sstr_push(v, SG_TOK_LIT, s + i + 1, 1);
            if (r < 0)
                return r;
            i += 2;
            run = i;
            continue;
        }
        if (c == '*' || c == '?') {
            r = sstr_push(v, SG_TOK_LIT, s + run, i - run);
            if (r == 0)
                r = sstr_push(v, c == '*' ? SG_TOK_STAR : SG_TOK_ONE, NULL, 0);
            if (r < 0)
                return r;
            i++;
            run = i;
            continue;
        }
        i++;
    }
    return sstr_push(v, SG_TOK_LIT, s + run, n - run);
}

static bool sstr_has_wild(const struct sstr *v)
{
    for (uint32_t i = 0; i < v->n; i++)
        if (v->toks[i].kind != SG_TOK_LIT)
            return true;
    return false;
}

/* The bytes of a wildcard-free value (all literal tokens are contiguous in buf). */
static void sstr_plain(const struct sstr *v, const char **ret, size_t *ret_len)
{
    *ret = v->buf ? v->buf : "";
    *ret_len = v->len;
}

/* ---- encodings ---- */

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0, i = 0;

    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

        out[o++] = b64chars[(v >> 18) & 63];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = b64chars[(v >> 6) & 63];
        out[o++] = b64chars[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;

        out[o++] = b64chars[(v >> 18) & 63];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

        out[o++] = b64chars[(v >> 18) & 63];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = b64chars[(v >> 6) & 63];
        out[o++] = '=';
    }
    return o;
}

/* UTF-16 of the UTF-8 text @p (invalid bytes are taken as Latin-1). */
static int to_utf16(const char *p, size_t n, int which, struct ss_buf *out)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0;
    int r = 0;

    if (which == ENC_UTF16)
        r = ss_buf_append(out, "\xFF\xFE", 2);
    while (r == 0 && i < n) {
        size_t l;
        int32_t cp = utf8_dec(u + i, n - i, &l);
        uint16_t units[2];
        size_t nu = 1;

        if (cp < 0)
            cp = u[i];
        i += l;
        if (cp >= 0x10000) {
            uint32_t c = (uint32_t)cp - 0x10000;

            units[0] = (uint16_t)(0xD800 | (c >> 10));
            units[1] = (uint16_t)(0xDC00 | (c & 0x3FF));
            nu = 2;
        } else {
            units[0] = (uint16_t)cp;
        }
        for (size_t k = 0; k < nu && r == 0; k++) {
            char b[2];

            if (which == ENC_UTF16BE) {
                b[0] = (char)(units[k] >> 8);
                b[1] = (char)(units[k] & 0xFF);
            } else {
                b[0] = (char)(units[k] & 0xFF);
                b[1] = (char)(units[k] >> 8);
            }
            r = ss_buf_append(out, b, 2);
        }
    }
    return r;
}

/* ---- value lists being built ---- */

struct vlist {
    struct sstr *v;
    size_t n, cap;
};

static void vlist_release(struct vlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        sstr_release(&l->v[i]);
    ss_free(l->v);
    *l = (struct vlist){ 0 };
}

static struct sstr *vlist_add(struct vlist *l)
{
    if (l->n >= SG_MAX_VALUES)
        return NULL;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        struct sstr *nv = ss_reallocarray(l->v, cap, sizeof(*nv));

        if (nv == NULL)
            return NULL;
        l->v = nv;
        l->cap = cap;
    }
    memset(&l->v[l->n], 0, sizeof(l->v[0]));
    return &l->v[l->n++];
}

/* Apply encoding @enc to every value of @l (values must be wildcard-free except windash). */
static int apply_enc(struct sg_cctx *cc, const struct ss_yaml_node *at, struct vlist *l, int enc)
{
    struct vlist out = { 0 };
    struct ss_buf b = SS_BUF_INIT(4 * (size_t)SG_MAX_VALUE_BYTES + 64);
    int r = 0;

    for (size_t i = 0; i < l->n && r == 0; i++) {
        struct sstr *v = &l->v[i];
        const char *p;
        size_t n;

        if (enc == ENC_WINDASH) {
            static const char *const alts[5] = { "-", "/", "\xE2\x80\x93", "\xE2\x80\x94",
                                                 "\xE2\x80\x95" };
            size_t pos[16], plen[16], n_pos = 0, n_var = 1;

            /* every dash (the spec: all permutations of the five); when that makes more
               than 4096 values, only a '-' or '/' that starts a word (pySigma's \B[-/]\b) */
            for (int word_start = 0; word_start < 2; word_start++) {
                bool over = false;

                n_pos = 0;
                n_var = 1;
                for (uint32_t t = 0; t < v->n && !over; t++) {
                    const struct sg_tok *tk = &v->toks[t];
                    const char *tx = v->buf + tok_off(tk);

                    for (size_t k = 0; tk->kind == SG_TOK_LIT && k < tk->len && !over; k++) {
                        size_t dl = dash_len(tx + k, tk->len - k);

                        if (dl == 0 || (word_start && !flag_dash(tx, tk->len, k)))
                            continue;
                        over = n_pos == SS_ARRAY_LEN(pos) || n_var > 4096 / 5;
                        if (!over) {
                            pos[n_pos] = tok_off(tk) + k;
                            plen[n_pos++] = dl;
                            n_var *= 5;
                            k += dl - 1;
                        }
                    }
                }
                if (!over)
                    break;
                if (word_start) {
                    r = rej(cc, SS_ELIMIT, at, "windash expands to more than 4096 values");
                    goto out;
                }
            }
            for (size_t var = 0; var < n_var && r == 0; var++) {
                struct sstr *nv = vlist_add(&out);
                size_t sel = var, pi = 0;

                if (nv == NULL) {
                    r = out.n >= SG_MAX_VALUES
                            ? rej(cc, SS_ELIMIT, at, "more than %u values", SG_MAX_VALUES)
                            : -ENOMEM;
                    break;
                }
                for (uint32_t t = 0; t < v->n && r == 0; t++) {
                    const struct sg_tok *tk = &v->toks[t];
                    size_t off = tok_off(tk), run = off;

                    if (tk->kind != SG_TOK_LIT) {
                        r = sstr_push(nv, tk->kind, NULL, 0);
                        continue;
                    }
                    for (size_t k = off; k < off + tk->len && r == 0; k++) {
                        if (pi < n_pos && pos[pi] == k) {
                            const char *alt = alts[sel % 5];

                            sel /= 5;
                            r = sstr_push(nv, SG_TOK_LIT, v->buf + run, k - run);
                            if (r == 0)
                                r = sstr_push(nv, SG_TOK_LIT, alt, strlen(alt));
                            run = k + plen[pi];
                            k += plen[pi] - 1;
                            pi++;
                        }
                    }
                    if (r == 0)
                        r = sstr_push(nv, SG_TOK_LIT, v->buf + run, off + tk->len - run);
                }
            }
            continue;
        }
        if (sstr_has_wild(v)) {
            r = rej(cc, SS_ESYNTAX, at,
                    "cannot encode a value with wildcards (escape '*' and '?' as '\\*', '\\?')");
            break;
        }
        sstr_plain(v, &p, &n);
        if (enc == ENC_UTF16LE || enc == ENC_UTF16BE || enc == ENC_UTF16) {
            struct sstr *nv = vlist_add(&out);

            ss_buf_reset(&b);
            r = nv == NULL ? -ENOMEM : to_utf16(p, n, enc, &b);
            if (r == 0)
                r = sstr_push(nv, SG_TOK_LIT, b.ptr, b.len);
        } else if (enc == ENC_BASE64) {
            struct sstr *nv = vlist_add(&out);

            r = nv == NULL ? -ENOMEM : ss_buf_grow(&b, (n + 2) / 3 * 4 + 1);
            if (r == 0)
                r = sstr_push(nv, SG_TOK_LIT, b.ptr,
                              b64_encode((const unsigned char *)p, n, b.ptr));
        } else {
            /* base64offset, exactly as pySigma: three shifts, trimmed to the stable part */
            static const size_t start_off[3] = { 0, 2, 3 };
            static const size_t end_trim[3] = { 0, 3, 2 };

            for (size_t sh = 0; sh < 3 && r == 0; sh++) {
                struct sstr *nv = vlist_add(&out);
                unsigned char *tmp;
                size_t el, st, et;

                if (nv == NULL) {
                    r = -ENOMEM;
                    break;
                }
                tmp = ss_malloc(n + 3);
                r = tmp == NULL ? -ENOMEM : ss_buf_grow(&b, (n + 5) / 3 * 4 + 1);
                if (r < 0) {
                    ss_free(tmp);
                    break;
                }
                memset(tmp, ' ', sh);
                if (n > 0)
                    memcpy(tmp + sh, p, n);
                el = b64_encode(tmp, n + sh, b.ptr);
                ss_free(tmp);
                st = start_off[sh];
                et = end_trim[(n + sh) % 3];
                if (st + et > el)
                    el = st + et;
                r = sstr_push(nv, SG_TOK_LIT, b.ptr + st, el - st - et);
            }
        }
    }
out:
    ss_buf_release(&b);
    if (r < 0) {
        vlist_release(&out);
        return limit_reason(cc, at, r);
    }
    vlist_release(l);
    *l = out;
    return 0;
}

/* ---- placeholders (expand) ---- */

static const struct sg_placeholder *find_ph(const struct ss_sigma_ruleset *rs, const char *name,
                                            size_t len)
{
    for (size_t i = rs->n_phs; i > 0; i--) {
        const struct sg_placeholder *ph = &rs->phs[i - 1];

        if (strlen(ph->name) == len && memcmp(ph->name, name, len) == 0)
            return ph;
    }
    return NULL;
}

/*
 * Expand %name% placeholders of the raw value @s into @out (Sigma strings). '\%' is a
 * literal percent. Without values for a name the value is dropped and
 * cc->missing_placeholder is set (the caller then does not evaluate the rule). When cc->resolve_placeholders is false
 * (load-time validation) every placeholder becomes '*'.
 */
static int expand_value(struct sg_cctx *cc, const struct ss_yaml_node *at, const char *s, size_t n,
                        struct vlist *out_strs)
{
    struct ss_buf cur = SS_BUF_INIT(SG_MAX_VALUE_BYTES + 1);
    struct {
        size_t lit_start, lit_end; /* literal text before the placeholder */
        const struct sg_placeholder *ph;
    } parts[16];
    size_t n_parts = 0, i = 0, run = 0, total = 1;
    int r = 0;

    cc->saw_expand = true;
    /* split into literal runs and placeholders */
    while (i < n) {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == '%') {
            i += 2;
            continue;
        }
        if (s[i] == '%') {
            const char *end = memchr(s + i + 1, '%', n - i - 1);
            const struct sg_placeholder *ph;

            if (end == NULL)
                break;
            if (n_parts == SS_ARRAY_LEN(parts)) {
                r = rej(cc, SS_ELIMIT, at, "too many placeholders in one value");
                goto out;
            }
            ph = find_ph(cc->rs, s + i + 1, (size_t)(end - s) - i - 1);
            if (cc->resolve_placeholders && ph == NULL) {
                cc->missing_placeholder = true;
                (void)snprintf(cc->missing_name, sizeof(cc->missing_name), "%.*s",
                               (int)((size_t)(end - s) - i - 1), s + i + 1);
                goto out; /* no values: nothing is added */
            }
            parts[n_parts].lit_start = run;
            parts[n_parts].lit_end = i;
            parts[n_parts].ph = ph;
            n_parts++;
            if (ph != NULL) {
                if (ph->n == 0 || total > SG_MAX_VALUES / ph->n) {
                    if (ph->n == 0) {
                        cc->missing_placeholder = true;
                        (void)snprintf(cc->missing_name, sizeof(cc->missing_name), "%s", ph->name);
                        goto out;
                    }
                    r = rej(cc, SS_ELIMIT, at, "placeholders expand to more than %u values",
                            SG_MAX_VALUES);
                    goto out;
                }
                total *= ph->n;
            }
            i = (size_t)(end - s) + 1;
            run = i;
            continue;
        }
        i++;
    }
    for (size_t var = 0; var < total && r == 0; var++) {
        size_t sel = var;
        struct sstr *nv;

        ss_buf_reset(&cur);
        for (size_t p = 0; p < n_parts && r == 0; p++) {
            /* literal part with '\%' unescaped */
            for (size_t k = parts[p].lit_start; k < parts[p].lit_end && r == 0; k++) {
                if (s[k] == '\\' && k + 1 < parts[p].lit_end && s[k + 1] == '%')
                    k++;
                r = ss_buf_putc(&cur, s[k]);
            }
            if (r == 0 && parts[p].ph == NULL)
                r = ss_buf_putc(&cur, '*');
            if (r == 0 && parts[p].ph != NULL) {
                const char *pv = parts[p].ph->values[sel % parts[p].ph->n];

                sel /= parts[p].ph->n;
                r = ss_buf_puts(&cur, pv);
            }
        }
        for (size_t k = run; k < n && r == 0; k++) {
            if (s[k] == '\\' && k + 1 < n && s[k + 1] == '%')
                k++;
            r = ss_buf_putc(&cur, s[k]);
        }
        if (r < 0)
            break;
        nv = vlist_add(out_strs);
        if (nv == NULL) {
            r = out_strs->n >= SG_MAX_VALUES
                    ? rej(cc, SS_ELIMIT, at, "more than %u values", SG_MAX_VALUES)
                    : -ENOMEM;
            break;
        }
        r = sstr_parse(nv, cur.ptr, cur.len, false);
    }
out:
    ss_buf_release(&cur);
    return limit_reason(cc, at, r);
}

/* ---- finishing values ---- */

static int finish_str(struct sg_cctx *cc, const struct sstr *v, uint32_t flags, bool keyword,
                      struct sg_val *out)
{
    struct ss_arena *a = &cc->rs->arena;
    struct sg_tok toks[SSTR_MAX_TOKS + 2];
    uint32_t n = 0;
    bool cased = (flags & M_CASED) != 0;
    bool lead = (flags & (M_CONTAINS | M_ENDSWITH)) != 0 ||
                (keyword && !(flags & (M_STARTSWITH | M_ENDSWITH)));
    bool trail = (flags & (M_CONTAINS | M_STARTSWITH)) != 0 ||
                 (keyword && !(flags & (M_STARTSWITH | M_ENDSWITH)));

    if (lead && !(v->n > 0 && v->toks[0].kind == SG_TOK_STAR))
        toks[n++] = (struct sg_tok){ .kind = SG_TOK_STAR };
    for (uint32_t i = 0; i < v->n; i++) {
        const struct sg_tok *t = &v->toks[i];

        if (t->kind == SG_TOK_STAR && n > 0 && toks[n - 1].kind == SG_TOK_STAR)
            continue;
        toks[n] = *t;
        if (t->kind == SG_TOK_LIT) {
            char *copy = ss_arena_alloc(a, (size_t)t->len + 1);

            if (copy == NULL)
                return cc_oom(cc);
            if (cased) {
                memcpy(copy, v->buf + tok_off(t), t->len);
                toks[n].len = t->len;
            } else {
                toks[n].len = (uint32_t)ss_sigma_fold(v->buf + tok_off(t), t->len, copy);
            }
            copy[toks[n].len] = '\0';
            toks[n].s = copy;
        }
        n++;
    }
    if (trail && !(n > 0 && toks[n - 1].kind == SG_TOK_STAR))
        toks[n++] = (struct sg_tok){ .kind = SG_TOK_STAR };
    *out = (struct sg_val){ .kind = SG_V_STR, .cased = cased };
    /* shapes */
    if (n == 0) {
        out->shape = SG_SH_EXACT;
        out->s = "";
        return 0;
    }
    if (n == 1 && toks[0].kind == SG_TOK_STAR) {
        out->shape = SG_SH_ANY;
        out->s = "";
        return 0;
    }
    if (n == 1 && toks[0].kind == SG_TOK_LIT) {
        out->shape = SG_SH_EXACT;
    } else if (n == 2 && toks[0].kind == SG_TOK_LIT && toks[1].kind == SG_TOK_STAR) {
        out->shape = SG_SH_PREFIX;
    } else if (n == 2 && toks[0].kind == SG_TOK_STAR && toks[1].kind == SG_TOK_LIT) {
        out->shape = SG_SH_SUFFIX;
    } else if (n == 3 && toks[0].kind == SG_TOK_STAR && toks[1].kind == SG_TOK_LIT &&
               toks[2].kind == SG_TOK_STAR) {
        out->shape = SG_SH_CONTAINS;
    } else {
        struct sg_tok *copy = ss_arena_calloc(a, n, sizeof(*copy));

        if (copy == NULL)
            return cc_oom(cc);
        memcpy(copy, toks, n * sizeof(*copy));
        out->shape = SG_SH_GLOB;
        out->toks = copy;
        out->n_toks = n;
        /* the longest literal, for the prefilter */
        for (uint32_t i = 0; i < n; i++) {
            if (toks[i].kind == SG_TOK_LIT && toks[i].len > out->len) {
                out->s = toks[i].s;
                out->len = toks[i].len;
            }
        }
        if (out->s == NULL)
            out->s = "";
        return 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (toks[i].kind == SG_TOK_LIT) {
            out->s = toks[i].s;
            out->len = toks[i].len;
        }
    }
    return 0;
}

static void *pcre_alloc(size_t n, void *ctx)
{
    (void)ctx;
    return ss_malloc(n);
}

static void pcre_free(void *p, void *ctx)
{
    (void)ctx;
    ss_free(p);
}

static int compile_re(struct sg_cctx *cc, const struct ss_yaml_node *at, const char *s, size_t n,
                      uint32_t flags, struct sg_val *out)
{
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *re;
    size_t size = 0;

    if (n > SG_MAX_REGEX_BYTES)
        return rej(cc, SS_ELIMIT, at, "regular expression longer than %u bytes",
                   SG_MAX_REGEX_BYTES);
    /* the match limit counts backtracking, not the steps of a counted loop */
    if (ss_sigma_re_repeats(s, n) > SG_MAX_REGEX_REPEATS)
        return rej(cc, SS_ELIMIT, at,
                   "counted repetitions nest to more than %u characters per attempt: matching "
                   "long values would stall the review",
                   SG_MAX_REGEX_REPEATS);
    if (cc->gctx == NULL) {
        cc->gctx = pcre2_general_context_create(pcre_alloc, pcre_free, NULL);
        if (cc->gctx == NULL)
            return -ENOMEM;
    }
    if (flags & M_RE_I)
        opts |= PCRE2_CASELESS;
    if (flags & M_RE_M)
        opts |= PCRE2_MULTILINE;
    if (flags & M_RE_S)
        opts |= PCRE2_DOTALL;
    {
        pcre2_compile_context *ctx = pcre2_compile_context_create(cc->gctx);

        if (ctx == NULL)
            return -ENOMEM;
        (void)pcre2_set_max_pattern_length(ctx, SG_MAX_REGEX_BYTES);
        (void)pcre2_set_parens_nest_limit(ctx, 64);
        re = pcre2_compile((PCRE2_SPTR)s, n, opts, &errcode, &erroff, ctx);
        pcre2_compile_context_free(ctx);
    }
    if (re == NULL) {
        PCRE2_UCHAR msg[160];

        if (errcode == PCRE2_ERROR_NOMEMORY)
            return -ENOMEM;
        (void)pcre2_get_error_message(errcode, msg, sizeof(msg));
        return rej(cc, SS_ESYNTAX, at, "bad regular expression at offset %zu: %s", (size_t)erroff,
                   (const char *)msg);
    }
    (void)pcre2_pattern_info(re, PCRE2_INFO_SIZE, &size);
    if (size > SG_MAX_REGEX_COMPILED) {
        pcre2_code_free(re);
        return rej(cc, SS_ELIMIT, at, "regular expression compiles to more than %u bytes",
                   SG_MAX_REGEX_COMPILED);
    }
    /* JIT when available; the interpreter (same limits) otherwise. */
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    *out = (struct sg_val){ .kind = SG_V_RE, .re = re };
    {
        char *src = ss_arena_strndup(&cc->rs->arena, s, n);

        if (src == NULL) {
            pcre2_code_free(re);
            return cc_oom(cc);
        }
        out->s = src;
        out->len = n;
        out->cased = (flags & M_RE_I) == 0;
    }
    return 0;
}

/* Scalar text in Sigma's string form: integers in canonical decimal, others as written. */
static const char *scalar_text(const struct ss_yaml_node *v, char *tmp, size_t tmp_len,
                               size_t *ret_len)
{
    if (v->sc == SS_YSC_INT) {
        int k = snprintf(tmp, tmp_len, "%" PRId64, v->ival);

        *ret_len = (size_t)k;
        return tmp;
    }
    if (v->sc == SS_YSC_BOOL) {
        *ret_len = v->bval ? 4 : 5;
        return v->bval ? "true" : "false";
    }
    *ret_len = v->len;
    return v->str;
}

static int compile_values(struct sg_cctx *cc, const struct ss_yaml_node *key, const struct mods *m,
                          const struct sg_mfield *mf, const struct ss_yaml_node *const *vals,
                          size_t n_vals, bool keyword, struct sg_pred *pred)
{
    struct ss_arena *a = &cc->rs->arena;
    struct sg_val *out = NULL;
    size_t n_out = 0, cap_out = 0, group_from = 0;
    int r = 0;

    for (size_t i = 0; i < n_vals && r == 0; i++) {
        const struct ss_yaml_node *v = vals[i];
        struct vlist strs = { 0 };
        char tmp[32];
        const char *text;
        size_t text_len;
        bool is_str = v->sc == SS_YSC_STR;

        /* Values of one item that came from one written value (encoding variants,
           windash permutations, placeholder values) are alternatives: tag them. */
        for (size_t k = group_from; k < n_out; k++)
            out[k].group = (uint32_t)(i - 1);
        group_from = n_out;
        if (v->type != SS_YAML_SCALAR) {
            r = rej(cc, SS_ESYNTAX, v, "a value must be a scalar, not a %s", ss_yaml_kind_name(v));
            break;
        }
        if (v->sc == SS_YSC_NULL) {
            r = rej(cc, SS_ESYNTAX, v,
                    "null cannot be part of a list of values (use its own selection)");
            break;
        }
        if (n_out + 8 > cap_out) {
            size_t cap = SS_MAX(cap_out * 2, n_out + 16);
            struct sg_val *nv = ss_reallocarray(out, cap, sizeof(*nv));

            if (nv == NULL) {
                r = -ENOMEM;
                break;
            }
            out = nv;
            cap_out = cap;
        }
        text = scalar_text(v, tmp, sizeof(tmp), &text_len);
        if (m->flags & M_RE) {
            if (v->sc == SS_YSC_BOOL || v->sc == SS_YSC_FLOAT) {
                r = rej(cc, SS_ESYNTAX, v, "'re' needs a string value");
                break;
            }
            r = compile_re(cc, v, text, text_len, m->flags, &out[n_out]);
            if (r == 0) {
                r = ss_sigma_keep_re(cc->rs, out[n_out].re);
                if (r < 0)
                    pcre2_code_free(out[n_out].re);
            }
            if (r == 0)
                n_out++;
            continue;
        }
        if (m->flags & M_CIDR) {
            struct sg_val cv = { .kind = SG_V_CIDR };
            const char *slash = memchr(text, '/', text_len);
            size_t al = slash ? (size_t)(slash - text) : text_len;
            uint64_t bits = 0;
            int fam = ss_sigma_parse_ip(text, al, cv.net);

            if (fam == 0 ||
                (slash != NULL && ss_parse_u64(slash + 1, text_len - al - 1, &bits) != 0) ||
                bits > (fam == 4 ? 32u : 128u)) {
                r = rej(cc, SS_ESYNTAX, v, "bad CIDR network '%.*s'", (int)text_len, text);
                break;
            }
            cv.ipv = (uint8_t)fam;
            cv.bits = (uint8_t)(slash != NULL ? bits : (fam == 4 ? 32u : 128u));
            out[n_out++] = cv;
            continue;
        }
        if (m->flags & M_CMP) {
            struct sg_val cv = { .kind = SG_V_CMP, .cmp = m->cmp };

            if (v->sc == SS_YSC_INT || v->sc == SS_YSC_FLOAT) {
                cv.num = v->fval;
                cv.is_int = v->sc == SS_YSC_INT;
                cv.inum = v->ival;
            } else if (is_str && ss_parse_double(v->str, v->len, &cv.num) == 0) {
                /* a number written as a string */
                cv.is_int = ss_parse_i64(v->str, v->len, &cv.inum) == 0;
            } else {
                r = rej(cc, SS_ESYNTAX, v, "lt/lte/gt/gte need a number, not '%.*s'", (int)text_len,
                        text);
                break;
            }
            out[n_out++] = cv;
            continue;
        }
        if (m->flags & M_TIME) {
            if (v->sc != SS_YSC_INT) {
                r = rej(cc, SS_ESYNTAX, v, "time modifiers need an integer value");
                break;
            }
            out[n_out++] = (struct sg_val){ .kind = SG_V_FLOAT, .num = v->fval };
            continue;
        }
        if (m->flags & M_FIELDREF) {
            uint32_t fid;
            struct sstr probe = { 0 };
            struct sg_val fv;

            if (!is_str) {
                r = rej(cc, SS_ESYNTAX, v, "'fieldref' needs a field name");
                break;
            }
            fid = ss_sigma_field_id(cc->rs, v->str, v->len);
            if (fid == SG_NO_FIELD) {
                r = -ENOMEM;
                break;
            }
            /* keep the shape modifiers: the other field's value is the pattern */
            r = sstr_push(&probe, SG_TOK_LIT, "x", 1);
            if (r == 0)
                r = finish_str(cc, &probe, m->flags, false, &fv);
            sstr_release(&probe);
            if (r < 0)
                break;
            out[n_out++] = (struct sg_val){
                .kind = SG_V_REF, .ref = fid, .shape = fv.shape, .cased = (m->flags & M_CASED) != 0
            };
            continue;
        }
        /* Typed values without string modifiers. */
        if (!is_str && !(m->flags & (M_CONTAINS | M_STARTSWITH | M_ENDSWITH | M_ENC | M_EXPAND)) &&
            !keyword) {
            if (v->sc == SS_YSC_BOOL) {
                out[n_out++] = (struct sg_val){ .kind = SG_V_BOOL, .bval = v->bval };
                continue;
            }
            if (v->sc == SS_YSC_INT) {
                char *s = ss_arena_strndup(a, text, text_len);

                if (s == NULL) {
                    r = cc_oom(cc);
                    break;
                }
                out[n_out++] =
                    (struct sg_val){ .kind = SG_V_INT, .s = s, .len = text_len, .num = v->fval };
                continue;
            }
            if (v->sc == SS_YSC_FLOAT) {
                out[n_out++] = (struct sg_val){ .kind = SG_V_FLOAT, .num = v->fval };
                continue;
            }
        }
        /* String pipeline: value map, expand, parse, encodings, shape, fold. */
        {
            const char *src = text;
            size_t src_len = text_len;
            const char *mapped[64];
            size_t n_mapped = 0;

            if (mf != NULL && is_str) {
                for (uint32_t k = 0; k < mf->n_vmap && n_mapped < SS_ARRAY_LEN(mapped); k++) {
                    if (strlen(mf->vfrom[k]) == text_len && ascii_ieq(mf->vfrom[k], text, text_len))
                        mapped[n_mapped++] = mf->vto[k];
                }
            }
            for (size_t k = 0; k < (n_mapped ? n_mapped : 1) && r == 0; k++) {
                if (n_mapped) {
                    src = mapped[k];
                    src_len = strlen(src);
                }
                if (m->flags & M_EXPAND) {
                    r = expand_value(cc, v, src, src_len, &strs);
                } else {
                    struct sstr *nv = vlist_add(&strs);

                    r = nv == NULL ? -ENOMEM : sstr_parse(nv, src, src_len, false);
                    r = limit_reason(cc, v, r);
                }
            }
        }
        for (size_t k = 0; k < m->n_enc && r == 0; k++)
            r = apply_enc(cc, v, &strs, m->enc[k]);
        if (r == 0 && n_out + strs.n > cap_out) {
            size_t cap = n_out + strs.n + 16;
            struct sg_val *nv = ss_reallocarray(out, cap, sizeof(*nv));

            if (nv == NULL) {
                r = -ENOMEM;
            } else {
                out = nv;
                cap_out = cap;
            }
        }
        for (size_t k = 0; k < strs.n && r == 0; k++) {
            if (n_out >= SG_MAX_VALUES) {
                r = rej(cc, SS_ELIMIT, v, "more than %u values", SG_MAX_VALUES);
                break;
            }
            r = finish_str(cc, &strs.v[k], m->flags, keyword, &out[n_out]);
            if (r == 0)
                n_out++;
        }
        vlist_release(&strs);
    }
    for (size_t k = group_from; k < n_out; k++)
        out[k].group = (uint32_t)(n_vals - 1);
    if (r == 0) {
        struct sg_val *vals_a = ss_arena_calloc(a, n_out ? n_out : 1, sizeof(*vals_a));

        if (vals_a == NULL) {
            r = cc_oom(cc);
        } else {
            if (n_out > 0)
                memcpy(vals_a, out, n_out * sizeof(*vals_a));
            pred->vals = vals_a;
            pred->n_vals = (uint32_t)n_out;
        }
    }
    ss_free(out);
    return r;
}

static int make_pred_node(struct sg_cctx *cc, struct sg_pred *p, struct sg_node **ret)
{
    struct sg_node *nd = ss_arena_calloc(&cc->rs->arena, 1, sizeof(*nd));

    if (nd == NULL)
        return cc_oom(cc);
    nd->op = SG_N_PRED;
    nd->pred = p;
    if (p->kind == SG_P_VALUES || p->kind == SG_P_KEYWORDS) {
        if (p->n_vals == 0 && !p->neq)
            nd->op = SG_N_FALSE; /* e.g. a placeholder without values */
    }
    *ret = nd;
    return 0;
}

static const struct sg_mfield *find_mfield(const struct sg_mapping *map, const char *name,
                                           size_t len)
{
    if (map == NULL)
        return NULL;
    for (uint32_t i = 0; i < map->n_fields; i++)
        if (strlen(map->fields[i].name) == len && memcmp(map->fields[i].name, name, len) == 0)
            return &map->fields[i];
    return NULL;
}

int ss_sigma_compile_item(struct sg_cctx *cc, const struct ss_yaml_node *key, const char *key_text,
                          size_t key_len, const struct ss_yaml_node *val, struct sg_node **ret)
{
    const char *bar = memchr(key_text, '|', key_len);
    size_t fl = bar ? (size_t)(bar - key_text) : key_len;
    struct mods m = { 0 };
    struct sg_pred *p;
    const struct ss_yaml_node *single[1];
    const struct ss_yaml_node *const *vals;
    size_t n_vals;
    int r;

    if (bar != NULL) {
        r = parse_mods(cc, key, bar + 1, key_len - fl - 1, &m);
        if (r < 0)
            return r;
    }
    p = ss_arena_calloc(&cc->rs->arena, 1, sizeof(*p));
    if (p == NULL)
        return cc_oom(cc);
    if (fl == 0) {
        p->field = SG_NO_FIELD;
    } else {
        p->field = ss_sigma_field_id(cc->rs, key_text, fl);
        if (p->field == SG_NO_FIELD)
            return cc->rs->n_fnames >= SG_MAX_FIELDS
                       ? rej(cc, SS_ELIMIT, key, "more than %u field names", SG_MAX_FIELDS)
                       : -ENOMEM;
    }
    p->all = (m.flags & M_ALL) != 0;
    p->neq = (m.flags & M_NEQ) != 0;
    p->timepart = m.timepart;
    if (val->type == SS_YAML_MAP)
        return rej(cc, SS_ESYNTAX, val, "the value of '%.*s' cannot be a map", (int)key_len,
                   key_text);
    if (val->type == SS_YAML_SEQ) {
        vals = (const struct ss_yaml_node *const *)val->items;
        n_vals = val->n;
        if (n_vals == 0)
            return rej(cc, SS_ESYNTAX, val, "empty list of values for '%.*s'", (int)key_len,
                       key_text);
    } else {
        single[0] = val;
        vals = single;
        n_vals = 1;
    }
    if (m.flags & M_EXISTS) {
        if (fl == 0)
            return rej(cc, SS_ESYNTAX, key, "'exists' needs a field name");
        if (n_vals != 1 || vals[0]->type != SS_YAML_SCALAR || vals[0]->sc != SS_YSC_BOOL)
            return rej(cc, SS_ESYNTAX, val, "'exists' needs true or false");
        p->kind = SG_P_EXISTS;
        p->exists = vals[0]->bval;
        return make_pred_node(cc, p, ret);
    }
    if (p->all && n_vals < 2)
        return rej(cc, SS_ESYNTAX, val,
                   "'all' needs a list of two or more values (the spec forbids it on one value)");
    if (n_vals == 1 && vals[0]->type == SS_YAML_SCALAR && vals[0]->sc == SS_YSC_NULL) {
        if (fl == 0)
            return rej(cc, SS_ESYNTAX, val, "a keyword cannot be null");
        if (m.flags & ~(uint32_t)M_NEQ)
            return rej(cc, SS_ESYNTAX, val, "null cannot be combined with modifiers");
        p->kind = SG_P_NULL;
        p->neq = (m.flags & M_NEQ) != 0;
        return make_pred_node(cc, p, ret);
    }
    if (fl == 0) {
        if (m.flags & (M_FIELDREF | M_CMP | M_TIME | M_CIDR | M_NEQ))
            return rej(cc, SS_ESYNTAX, key, "keywords cannot use '%.*s'", (int)key_len, key_text);
        p->kind = SG_P_KEYWORDS;
    } else {
        p->kind = SG_P_VALUES;
    }
    r = compile_values(cc, key, &m, fl ? find_mfield(cc->map, key_text, fl) : NULL, vals, n_vals,
                       fl == 0, p);
    if (r < 0)
        return r;
    return make_pred_node(cc, p, ret);
}

int ss_sigma_compile_keywords(struct sg_cctx *cc, const struct ss_yaml_node *const *vals, size_t n,
                              struct sg_node **ret)
{
    struct mods m = { 0 };
    struct sg_pred *p = ss_arena_calloc(&cc->rs->arena, 1, sizeof(*p));
    int r;

    if (p == NULL)
        return cc_oom(cc);
    p->kind = SG_P_KEYWORDS;
    p->field = SG_NO_FIELD;
    for (size_t i = 0; i < n; i++)
        if (vals[i]->type == SS_YAML_SCALAR && vals[i]->sc == SS_YSC_NULL)
            return rej(cc, SS_ESYNTAX, vals[i], "a keyword cannot be null");
    r = compile_values(cc, NULL, &m, NULL, vals, n, true, p);
    if (r < 0)
        return r;
    return make_pred_node(cc, p, ret);
}
