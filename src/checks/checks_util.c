/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checks/checks_util.c - implements the helpers of the checks area: the open-addressing
 * hash index over item arrays, bounded evidence lists (the lowest locations of a set of
 * records, so that merging two lists gives the same result in any order), GUIDs, field
 * access on extracted records and the text builders of titles and data_json.
 */
#include "checks/checks_int.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/ss_time.h"

int checks_point_cmp(const struct checks_point *a, const struct checks_point *b)
{
    if (a->t_us != b->t_us)
        return a->t_us < b->t_us ? -1 : 1;
    return ss_loc_cmp(&a->loc, &b->loc);
}

/* ---- hash index ---- */

uint32_t checks_hash_u64(uint64_t v)
{
    /* splitmix64 finaliser: every input bit reaches every output bit */
    v ^= v >> 30;
    v *= UINT64_C(0xbf58476d1ce4e5b9);
    v ^= v >> 27;
    v *= UINT64_C(0x94d049bb133111eb);
    v ^= v >> 31;
    return (uint32_t)(v ^ (v >> 32));
}

uint32_t checks_hash_bytes(const void *p, size_t len, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = UINT64_C(0xcbf29ce484222325) ^ seed;

    for (size_t i = 0; i < len; i++) {
        h ^= s[i];
        h *= UINT64_C(0x100000001b3);
    }
    return checks_hash_u64(h);
}

int checks_index_reserve(struct checks_index *ix)
{
    size_t ncap;
    struct checks_slot *ns;

    if ((ix->len + 1) * 2 <= ix->cap)
        return 0;
    ncap = ix->cap == 0 ? 16 : ix->cap * 2;
    if (ncap > SIZE_MAX / sizeof(*ns) / 2)
        return -ENOMEM;
    ns = ss_calloc(ncap, sizeof(*ns));
    if (ns == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < ix->cap; i++) {
        size_t pos;

        if (ix->slots[i].idx1 == 0)
            continue;
        pos = ix->slots[i].hash & (ncap - 1);
        while (ns[pos].idx1 != 0)
            pos = (pos + 1) & (ncap - 1);
        ns[pos] = ix->slots[i];
    }
    ss_free(ix->slots);
    ix->slots = ns;
    ix->cap = ncap;
    return 0;
}

uint32_t checks_index_find(const struct checks_index *ix, uint32_t hash, checks_eq_fn eq,
                           const void *ctx, const void *key, size_t *ret_pos)
{
    size_t pos;

    if (ix->cap == 0) {
        *ret_pos = 0;
        return UINT32_MAX;
    }
    pos = hash & (ix->cap - 1);
    for (;;) {
        const struct checks_slot *s = &ix->slots[pos];

        if (s->idx1 == 0) {
            *ret_pos = pos;
            return UINT32_MAX;
        }
        if (s->hash == hash && eq(ctx, s->idx1 - 1, key))
            return s->idx1 - 1;
        pos = (pos + 1) & (ix->cap - 1);
    }
}

void checks_index_put(struct checks_index *ix, size_t pos, uint32_t hash, uint32_t idx)
{
    SS_ASSERT(pos < ix->cap && ix->slots[pos].idx1 == 0);
    ix->slots[pos] = (struct checks_slot){ .idx1 = idx + 1, .hash = hash };
    ix->len++;
}

void checks_index_release(struct checks_index *ix)
{
    ss_free(ix->slots);
    *ix = (struct checks_index){ 0 };
}

/* ---- evidence lists ---- */

static void evlist_find_max(struct checks_evlist *l)
{
    l->imax = 0;
    for (size_t i = 1; i < l->len; i++) {
        if (ss_loc_cmp(&l->items[i].pt.loc, &l->items[l->imax].pt.loc) > 0)
            l->imax = i;
    }
}

bool checks_evlist_wants(const struct checks_evlist *l, const struct ss_loc *loc)
{
    if (l->len < CHECKS_KEEP_EVIDENCE)
        return true;
    return ss_loc_cmp(loc, &l->items[l->imax].pt.loc) < 0;
}

static int evlist_grow(struct checks_evlist *l, size_t want)
{
    size_t ncap;
    struct checks_ev *p;

    if (want <= l->cap)
        return 0;
    ncap = l->cap == 0 ? 4 : l->cap;
    while (ncap < want)
        ncap *= 2;
    p = ss_reallocarray(l->items, ncap, sizeof(*p));
    if (p == NULL)
        return -ENOMEM;
    l->items = p;
    l->cap = ncap;
    return 0;
}

int checks_evlist_put(struct checks_evlist *l, const struct checks_ev *e, bool *ret_grew)
{
    int r;

    if (l->len < CHECKS_KEEP_EVIDENCE) {
        r = evlist_grow(l, l->len + 1);
        if (r < 0)
            return r;
        l->items[l->len] = *e;
        if (l->len == 0 || ss_loc_cmp(&e->pt.loc, &l->items[l->imax].pt.loc) > 0)
            l->imax = l->len;
        l->len++;
        *ret_grew = true;
        return 0;
    }
    /* full: replace the highest location (the caller checked checks_evlist_wants) */
    SS_ASSERT(ss_loc_cmp(&e->pt.loc, &l->items[l->imax].pt.loc) < 0);
    ss_free(l->items[l->imax].str);
    l->items[l->imax] = *e;
    evlist_find_max(l);
    *ret_grew = false;
    return 0;
}

static int ev_loc_cmp(const void *a, const void *b)
{
    const struct checks_ev *x = a, *y = b;
    int c = ss_loc_cmp(&x->pt.loc, &y->pt.loc);

    if (c != 0)
        return c;
    /* the same record twice (a caller bug): still a total order */
    return x->pt.t_us < y->pt.t_us ? -1 : x->pt.t_us > y->pt.t_us ? 1 : 0;
}

int checks_evlist_merge(struct checks_evlist *dst, const struct checks_evlist *src,
                        size_t *ret_grew_by)
{
    size_t old = dst->len, n;
    int r;

    if (src->len == 0) {
        *ret_grew_by = 0;
        return 0;
    }
    r = evlist_grow(dst, dst->len + src->len);
    if (r < 0)
        return r;
    n = dst->len;
    for (size_t i = 0; i < src->len; i++) {
        struct checks_ev e = src->items[i];

        if (e.str != NULL) {
            e.str = ss_strdup(e.str);
            if (e.str == NULL) {
                dst->len = n;
                return -ENOMEM;
            }
        }
        dst->items[n++] = e;
    }
    dst->len = n;
    qsort(dst->items, dst->len, sizeof(*dst->items), ev_loc_cmp);
    while (dst->len > CHECKS_KEEP_EVIDENCE) {
        dst->len--;
        ss_free(dst->items[dst->len].str);
    }
    evlist_find_max(dst);
    *ret_grew_by = dst->len - old;
    return 0;
}

void checks_evlist_sort(struct checks_evlist *l)
{
    if (l->len > 1)
        qsort(l->items, l->len, sizeof(*l->items), ev_loc_cmp);
    evlist_find_max(l);
}

void checks_evlist_release(struct checks_evlist *l)
{
    for (size_t i = 0; i < l->len; i++)
        ss_free(l->items[i].str);
    ss_free(l->items);
    *l = (struct checks_evlist){ 0 };
}

/* ---- text ---- */

/* A GUID's 8-4-4-4-12 hex digit groups, as byte counts. */
static const size_t guid_group[] = { 4, 2, 2, 2, 6 };

bool checks_guid_parse(const char *s, size_t len, uint8_t ret[16])
{
    uint8_t g[16];
    size_t i = 0, k = 0;

    if (len != 36)
        return false;
    for (size_t n = 0; n < SS_ARRAY_LEN(guid_group); n++) {
        if (n > 0 && s[i++] != '-')
            return false;
        if (ss_hex_decode(s + i, 2 * guid_group[n], g + k, guid_group[n]) < 0)
            return false;
        i += 2 * guid_group[n];
        k += guid_group[n];
    }
    memcpy(ret, g, sizeof(g));
    return true;
}

void checks_guid_format(const uint8_t g[16], char out[37])
{
    size_t o = 0, k = 0;

    for (size_t n = 0; n < SS_ARRAY_LEN(guid_group); n++) {
        if (n > 0)
            out[o++] = '-';
        /* Writes a NUL after each group; the last one ends the string. */
        ss_hex_encode(g + k, guid_group[n], out + o);
        o += 2 * guid_group[n];
        k += guid_group[n];
    }
}

/*
 * Length of the longest prefix of @s[0..len) that does not end inside a UTF-8
 * sequence (the text was valid before it was cut); NUL-terminates there.
 */
static size_t utf8_cut(char *s, size_t len)
{
    size_t k = len, need;
    unsigned char lead;

    while (k > 0 && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
        k--;
    if (k == 0)
        return 0;
    lead = (unsigned char)s[k - 1];
    need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (len - (k - 1) < need)
        len = k - 1;
    s[len] = '\0';
    return len;
}

long checks_str(const struct ss_json_val *v, char *out, size_t out_len, bool lower,
                bool truncate_ok)
{
    long long n;
    size_t got;

    if (v->type != SS_JSON_STRING || out_len == 0)
        return -1;
    n = ss_json_str_copy(v, out, out_len);
    if (n < 0)
        return -1;
    if ((unsigned long long)n >= out_len && !truncate_ok)
        return -1;
    got = strlen(out);
    /* an embedded NUL (\u0000) would make the copy shorter than the value */
    if (got != (size_t)n && got != out_len - 1)
        return -1;
    if ((unsigned long long)n >= out_len)
        got = utf8_cut(out, got);
    if (lower) {
        for (size_t i = 0; i < got; i++) {
            if (out[i] >= 'A' && out[i] <= 'Z')
                out[i] = (char)(out[i] - 'A' + 'a');
        }
    }
    return (long)got;
}

const struct ss_json_val *checks_first_str(const struct checks_rec *r,
                                           const enum checks_field *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct ss_json_val *v = &r->v[fields[i]];

        /* "" is the raw text of an empty string: two quote bytes */
        if (v->type == SS_JSON_STRING && v->len > 2)
            return v;
    }
    return NULL;
}

int64_t checks_rec_time(const struct ss_checks *ck, const struct checks_rec *r,
                        const enum checks_field *fields, size_t n)
{
    const struct ss_json_val *v = checks_first_str(r, fields, n);
    char tmp[64];
    long len;
    int64_t us;

    if (v == NULL)
        return CHECKS_NO_TIME;
    len = checks_str(v, tmp, sizeof(tmp), false, false);
    if (len < 0 || ss_time_parse(tmp, (size_t)len, &us) != 0)
        return CHECKS_NO_TIME;
    if (us < ck->cfg.time_min_us || us >= ck->cfg.time_max_us)
        return CHECKS_NO_TIME;
    return us;
}

bool checks_str_in(const struct ss_json_val *v, const char *const *words, size_t n)
{
    if (v == NULL || v->type != SS_JSON_STRING)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (ss_json_str_eq(v, words[i], strlen(words[i]), true))
            return true;
    }
    return false;
}

int checks_put_time(struct ss_buf *b, int64_t us)
{
    char t[SS_TIME_STR_MAX];
    size_t n = ss_time_format(us, 6, t);

    return ss_buf_append(b, t, n);
}

int checks_put_ratio2(struct ss_buf *b, int64_t num, int64_t den)
{
    /* round half up to hundredths in integers: no locale, no binary fractions */
    int64_t h = (num * 100 + den / 2) / den;
    int64_t whole = h / 100, frac = h % 100;
    int r = ss_buf_put_i64(b, whole);

    if (r < 0 || frac == 0)
        return r;
    if (frac % 10 == 0)
        return ss_buf_printf(b, ".%d", (int)(frac / 10));
    return ss_buf_printf(b, ".%02d", (int)frac);
}

int checks_put_jstr(struct ss_buf *b, const char *s)
{
    return ss_buf_put_json_str(b, s, strlen(s));
}
