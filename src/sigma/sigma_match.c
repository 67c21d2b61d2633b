/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigma/sigma_match.c - implements matching one record: the prefilter pass, mapping
 * selection ('when'), on-demand field extraction, predicate evaluation, and what a hit
 * produces (event time, entity, kept correlation events and findings hits).
 *
 * Field paths are resolved on the record's raw JSON text without building a tree:
 *  - a path is a dotted name; at each object level a member whose (unescaped) key
 *    equals the next one or more segments joined by '.' is followed, so both nested
 *    objects and flattened keys such as "userIdentity.arn" resolve; keys compare
 *    exactly first and ASCII case-insensitively when no key matches exactly;
 *  - arrays on the way are traversed element by element, and an array at the end yields
 *    its elements (nested arrays flattened): a field matches when any value does;
 *  - a string met before the path ends is decoded when it holds JSON text (Entra exports
 *    JSON-encode some columns), up to SG_MAX_DECODE_DEPTH levels;
 *  - the first candidate path (of the mapping) that resolves gives the field's values.
 * Per-record results are cached per (mapping, field) and stamped with a record epoch, so
 * nothing is cleared between records. Everything allocated for one record lives in the
 * scratch arena, reset at the next record.
 */
#include "sigma/sigma_int.h"

#include "core/alloc.h"
#include "core/parse.h"
#include "core/ss_time.h"

#define SCRATCH_ARENA_MAX ((size_t)256 << 20)
#define MAX_RECORD_VALUES 100000u

static const struct ss_json_limits decode_limits = {
    .max_depth = 64,
    .max_string_bytes = (uint64_t)16 << 20,
    .max_record_bytes = (uint64_t)64 << 20,
    .max_members = (uint64_t)1 << 20,
};

/* ---- string pool ---- */

uint64_t ss_sigma_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

const char *ss_sigma_pool_get(const struct sg_pool *pl, uint32_t id, size_t *ret_len)
{
    uint32_t len;

    memcpy(&len, pl->buf + id, sizeof(len));
    *ret_len = len;
    return pl->buf + id + sizeof(len);
}

uint32_t ss_sigma_pool_put(struct sg_pool *pl, const char *p, size_t len)
{
    uint64_t h = ss_sigma_hash(p, len);
    size_t at;
    uint32_t id, l32 = (uint32_t)len;

    if (len > UINT32_MAX / 2)
        return SG_NO_STR;
    if ((pl->n + 1) * 2 > pl->hcap) {
        size_t cap = pl->hcap ? pl->hcap * 2 : 1024;
        uint32_t *nh = ss_calloc(cap, sizeof(*nh));

        if (nh == NULL)
            return SG_NO_STR;
        for (size_t i = 0; i < pl->hcap; i++) {
            size_t l;
            const char *s;

            if (pl->hash[i] == 0)
                continue;
            s = ss_sigma_pool_get(pl, pl->hash[i] - 1, &l);
            at = ss_sigma_hash(s, l) & (cap - 1);
            while (nh[at] != 0)
                at = (at + 1) & (cap - 1);
            nh[at] = pl->hash[i];
        }
        ss_free(pl->hash);
        pl->hash = nh;
        pl->hcap = cap;
    }
    at = h & (pl->hcap - 1);
    while (pl->hash[at] != 0) {
        size_t l;
        const char *s = ss_sigma_pool_get(pl, pl->hash[at] - 1, &l);

        if (l == len && memcmp(s, p, len) == 0)
            return pl->hash[at] - 1;
        at = (at + 1) & (pl->hcap - 1);
    }
    if (pl->len + sizeof(l32) + len > (size_t)UINT32_MAX - 1)
        return SG_NO_STR;
    if (pl->len + sizeof(l32) + len > pl->cap) {
        size_t cap = SS_MAX(pl->cap * 2, pl->len + sizeof(l32) + len + 4096);
        char *nb;

        cap = SS_MIN(cap, (size_t)UINT32_MAX);
        nb = ss_realloc(pl->buf, cap);
        if (nb == NULL)
            return SG_NO_STR;
        pl->buf = nb;
        pl->cap = cap;
    }
    id = (uint32_t)pl->len;
    memcpy(pl->buf + pl->len, &l32, sizeof(l32));
    if (len > 0)
        memcpy(pl->buf + pl->len + sizeof(l32), p, len);
    pl->len += sizeof(l32) + len;
    pl->hash[at] = id + 1;
    pl->n++;
    return id;
}

void ss_sigma_pool_release(struct sg_pool *pl)
{
    ss_free(pl->buf);
    ss_free(pl->hash);
    *pl = (struct sg_pool){ 0 };
}

/* ---- what is kept, and its budget ---- */

void ss_sigma_keep_init(struct ss_sigma_keep *k, uint64_t max)
{
    atomic_init(&k->used, 0);
    k->max = SS_MIN(max, SS_SIGMA_MAX_BUDGET);
    (void)pthread_mutex_init(&k->mu, NULL);
    k->hits = NULL;
    k->n_hits = k->cap_hits = 0;
    k->slots = NULL;
    k->hcap = 0;
    ss_arena_init(&k->strs, (size_t)SS_SIGMA_MAX_BUDGET);
}

void ss_sigma_keep_release(struct ss_sigma_keep *k)
{
    for (size_t i = 0; i < k->n_hits; i++)
        ss_free(k->hits[i].heap);
    ss_free(k->hits);
    ss_free(k->slots);
    ss_arena_release(&k->strs);
    k->hits = NULL;
    k->n_hits = k->cap_hits = k->hcap = 0;
    k->slots = NULL;
    (void)pthread_mutex_destroy(&k->mu);
}

bool ss_sigma_keep_passed(const struct ss_sigma_keep *k)
{
    return atomic_load_explicit(&k->used, memory_order_relaxed) > k->max;
}

/*
 * Charge @bytes to @k; false when the budget is passed (now or before: then nothing is
 * charged, as the outcome is settled). While it is not passed every charge is made, so
 * whether it ends passed depends only on the sum of the charges.
 */
bool ss_sigma_keep_take(struct ss_sigma_keep *k, uint64_t bytes)
{
    if (ss_sigma_keep_passed(k))
        return false;
    bytes = SS_MIN(bytes, SS_SIGMA_MAX_BUDGET);
    return atomic_fetch_add_explicit(&k->used, bytes, memory_order_relaxed) + bytes <= k->max;
}

void ss_sigma_keep_give(struct ss_sigma_keep *k, uint64_t bytes)
{
    (void)atomic_fetch_sub_explicit(&k->used, bytes, memory_order_relaxed);
}

/* Mark @k passed: something could not be kept whatever its size (a full string pool). */
void ss_sigma_keep_exhaust(struct ss_sigma_keep *k)
{
    (void)atomic_fetch_add_explicit(&k->used, SS_SIGMA_MAX_BUDGET + 1, memory_order_relaxed);
}

void ss_sigma_scratch_set_keep(struct ss_sigma_scratch *s, struct ss_sigma_keep *k)
{
    s->keep = k;
}

/* Double @k's index of (rule, entity) entries (at least 64 slots). */
static int slots_grow(struct ss_sigma_keep *k)
{
    size_t cap = k->hcap ? k->hcap * 2 : 64;
    uint32_t *ns = ss_calloc(cap, sizeof(*ns));

    if (ns == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < k->n_hits; i++) {
        size_t at = k->hits[i].hash & (cap - 1);

        while (ns[at] != 0)
            at = (at + 1) & (cap - 1);
        ns[at] = (uint32_t)i + 1;
    }
    ss_free(k->slots);
    k->slots = ns;
    k->hcap = cap;
    return 0;
}

/*
 * The entry of (@rule, @ent) in @k (locked), added if new: NULL when the budget is
 * passed (*@err 0) or on -ENOMEM (*@err). Valid until the next call.
 */
static struct sg_hitagg *hits_entry(struct ss_sigma_keep *k, uint32_t rule, const char *ent,
                                    size_t ent_len, int *err)
{
    uint64_t h = ss_sigma_hash(ent, ent_len) ^ ((uint64_t)rule * UINT64_C(0x9e3779b97f4a7c15));
    struct sg_hitagg *e;
    size_t at = 0;
    char *copy;

    if (k->hcap > 0) {
        for (at = h & (k->hcap - 1); k->slots[at] != 0; at = (at + 1) & (k->hcap - 1)) {
            e = &k->hits[k->slots[at] - 1];
            if (e->hash == h && e->rule == rule && e->ent_len == ent_len &&
                memcmp(e->ent, ent, ent_len) == 0)
                return e;
        }
    }
    /* the dense array and the index, at most half full, are covered by twice its size */
    if (k->n_hits >= UINT32_MAX - 1 || !ss_sigma_keep_take(k, 2 * sizeof(*e) + ent_len))
        return NULL;
    if ((k->n_hits + 1) * 2 > k->hcap) {
        *err = slots_grow(k);
        if (*err < 0)
            return NULL;
        at = h & (k->hcap - 1);
        while (k->slots[at] != 0)
            at = (at + 1) & (k->hcap - 1);
    }
    *err = ss_grow((void **)&k->hits, &k->cap_hits, k->n_hits + 1, sizeof(*k->hits));
    copy = *err == 0 ? ss_arena_strndup(&k->strs, ent, ent_len) : NULL;
    if (copy == NULL) {
        *err = -ENOMEM;
        return NULL;
    }
    e = &k->hits[k->n_hits];
    *e = (struct sg_hitagg){ .rule = rule,
                             .ent_len = (uint32_t)ent_len,
                             .ent = copy,
                             .hash = h,
                             .first = INT64_MAX,
                             .last = INT64_MIN };
    k->slots[at] = (uint32_t)++k->n_hits;
    return e;
}

/* Keep @loc among @e's smallest locations (a max-heap). Returns 0 or -ENOMEM. */
static int heap_keep(struct ss_sigma_keep *k, struct sg_hitagg *e, const struct ss_loc *loc)
{
    struct ss_loc *hp;
    size_t i = 0;

    if (e->n_heap < SS_FINDING_MAX_EVIDENCE) {
        if (!ss_sigma_keep_take(k, sizeof(*loc)))
            return 0;
        if (e->n_heap > 0 && e->n_heap == SS_MAX(e->cap_heap, 1u)) {
            /* out of @one, then doubling */
            uint32_t cap = SS_MIN(2 * e->n_heap, (uint32_t)SS_FINDING_MAX_EVIDENCE);

            hp = ss_reallocarray(e->heap, cap, sizeof(*hp));
            if (hp == NULL)
                return -ENOMEM;
            if (e->cap_heap == 0)
                hp[0] = e->one;
            e->heap = hp;
            e->cap_heap = cap;
        }
        hp = e->cap_heap > 0 ? e->heap : &e->one;
        /* sift up */
        for (i = e->n_heap++; i > 0 && ss_loc_cmp(&hp[(i - 1) / 2], loc) < 0; i = (i - 1) / 2)
            hp[i] = hp[(i - 1) / 2];
        hp[i] = *loc;
        return 0;
    }
    hp = e->cap_heap > 0 ? e->heap : &e->one;
    if (ss_loc_cmp(loc, &hp[0]) >= 0)
        return 0;
    /* replace the largest, sift down */
    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= e->n_heap)
            break;
        if (c + 1 < e->n_heap && ss_loc_cmp(&hp[c + 1], &hp[c]) > 0)
            c++;
        if (ss_loc_cmp(&hp[c], loc) <= 0)
            break;
        hp[i] = hp[c];
        i = c;
    }
    hp[i] = *loc;
    return 0;
}

/* Count a hit of @rule for entity @ent at time @t, location @loc, in @k. */
static int keep_hit(struct ss_sigma_keep *k, uint32_t rule, const char *ent, size_t ent_len,
                    int64_t t, const struct ss_loc *loc)
{
    struct sg_hitagg *e;
    int r = 0;

    if (ss_sigma_keep_passed(k))
        return 0;
    pthread_mutex_lock(&k->mu);
    e = hits_entry(k, rule, ent, ent_len, &r);
    if (e != NULL) {
        e->n++;
        if (t != INT64_MIN) {
            e->first = SS_MIN(e->first, t);
            e->last = SS_MAX(e->last, t);
        }
        r = heap_keep(k, e, loc);
    }
    pthread_mutex_unlock(&k->mu);
    return r;
}

/*
 * Intern @n bytes at @p in @s's pool as *@ret_id. Returns 0; 1 when the pool is full
 * (its ids are 32-bit offsets: the budget is then marked passed); or -ENOMEM.
 */
static int keep_str(struct ss_sigma_scratch *s, const char *p, size_t n, uint32_t *ret_id)
{
    *ret_id = ss_sigma_pool_put(&s->pool, p, n);
    if (*ret_id != SG_NO_STR)
        return 0;
    if (s->pool.len + sizeof(uint32_t) + n > (size_t)UINT32_MAX - 1) {
        ss_sigma_keep_exhaust(s->keep);
        return 1;
    }
    return -ENOMEM;
}

/* ---- scratch ---- */

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

struct ss_sigma_scratch *ss_sigma_scratch_new(const struct ss_sigma_ruleset *rs, unsigned flags)
{
    struct ss_sigma_scratch *s = ss_calloc(1, sizeof(*s));
    size_t max_insts = 0;

    if (s == NULL)
        return NULL;
    s->rs = rs;
    s->flags = flags;
    ss_sigma_keep_init(&s->own_keep, SS_SIGMA_MAX_KEPT_BYTES);
    s->keep = &s->own_keep;
    ss_arena_init(&s->arena, SCRATCH_ARENA_MAX);
    for (size_t i = 0; i < rs->n_sources; i++)
        max_insts = SS_MAX(max_insts, rs->sources[i].n_insts + rs->sources[i].n_maps);
    s->n_cand = max_insts;
    s->slots = ss_calloc((rs->n_maps + 1) * rs->n_fnames + 1, sizeof(*s->slots));
    s->cand = ss_calloc(max_insts + 1, sizeof(*s->cand));
    s->when_epoch = ss_calloc(rs->n_maps + 1, sizeof(*s->when_epoch));
    s->when_val = ss_calloc(rs->n_maps + 1, 1);
    s->rule_hits = ss_calloc(rs->n_rules + 1, sizeof(*s->rule_hits));
    s->gctx = pcre2_general_context_create(pcre_alloc, pcre_free, NULL);
    if (s->slots == NULL || s->cand == NULL || s->when_epoch == NULL || s->when_val == NULL ||
        s->rule_hits == NULL || s->gctx == NULL)
        goto fail;
    s->mctx = pcre2_match_context_create(s->gctx);
    s->md = pcre2_match_data_create(1, s->gctx);
    s->jit = pcre2_jit_stack_create(32 * 1024, 512 * 1024, s->gctx);
    if (s->mctx == NULL || s->md == NULL)
        goto fail;
    (void)pcre2_set_match_limit(s->mctx, SG_REGEX_MATCH_LIMIT);
    (void)pcre2_set_depth_limit(s->mctx, SG_REGEX_DEPTH_LIMIT);
    (void)pcre2_set_heap_limit(s->mctx, SG_REGEX_HEAP_LIMIT_KIB);
    if (s->jit != NULL)
        pcre2_jit_stack_assign(s->mctx, NULL, s->jit);
    for (size_t i = 0; i < rs->n_sources; i++) {
        if (rs->sources[i].pf != NULL && ss_sigma_prefilter_scratch(rs->sources[i].pf, &s->hs) < 0)
            goto fail;
    }
    return s;
fail:
    ss_sigma_scratch_free(s);
    return NULL;
}

void ss_sigma_scratch_free(struct ss_sigma_scratch *s)
{
    if (s == NULL)
        return;
    if (s->hs != NULL)
        hs_free_scratch(s->hs);
    if (s->md != NULL)
        pcre2_match_data_free(s->md);
    if (s->jit != NULL)
        pcre2_jit_stack_free(s->jit);
    if (s->mctx != NULL)
        pcre2_match_context_free(s->mctx);
    if (s->gctx != NULL)
        pcre2_general_context_free(s->gctx);
    ss_arena_release(&s->arena);
    ss_free(s->slots);
    ss_free(s->fv);
    ss_free(s->cand);
    ss_free(s->unesc);
    ss_free(s->when_epoch);
    ss_free(s->when_val);
    ss_free(s->hits);
    ss_free(s->rule_hits);
    ss_free(s->kev);
    ss_sigma_pool_release(&s->pool);
    ss_sigma_keep_release(&s->own_keep);
    ss_free(s);
}

void ss_sigma_scratch_stats(const struct ss_sigma_scratch *s, struct ss_sigma_stats *acc)
{
    acc->n_records += s->st.n_records;
    acc->n_candidates += s->st.n_candidates;
    acc->n_evals += s->st.n_evals;
    acc->n_hits += s->st.n_hits;
    acc->n_regex_limit += s->st.n_regex_limit;
    acc->n_bad_time += s->st.n_bad_time;
    acc->n_key_too_long += s->st.n_key_too_long;
    acc->n_invalid += s->st.n_invalid;
}

uint64_t ss_sigma_scratch_rule_hits(const struct ss_sigma_scratch *s, size_t rule)
{
    return rule < s->rs->n_rules ? s->rule_hits[rule] : 0;
}

/* ---- values of the current record ---- */

static int push_fv(struct ss_sigma_scratch *s, const struct ss_json_val *v)
{
    if (s->n_fv >= MAX_RECORD_VALUES) {
        s->truncated = true;
        return 0;
    }
    if (s->n_fv == s->cap_fv) {
        size_t cap = s->cap_fv ? s->cap_fv * 2 : 256;
        struct sg_fv *nf = ss_reallocarray(s->fv, cap, sizeof(*nf));

        if (nf == NULL)
            return -ENOMEM;
        s->fv = nf;
        s->cap_fv = cap;
    }
    s->fv[s->n_fv++] = (struct sg_fv){ .v = *v };
    return 0;
}

/* Append @v, or its elements when it is an array (nested arrays flattened). */
static int emit(struct ss_sigma_scratch *s, const struct ss_json_val *v, unsigned depth)
{
    size_t cur = 0;
    struct ss_json_val el;
    int r;

    if (v->type != SS_JSON_ARRAY || depth > 16)
        return push_fv(s, v);
    for (bool first = true;; first = false) {
        r = ss_json_iter_next(v, &cur, NULL, &el);
        if (r <= 0) /* end (or malformed text, which the caller validated) */
            return first ? push_fv(s, v) : 0; /* an empty array is its own value "[]" */
        r = emit(s, &el, depth + 1);
        if (r < 0)
            return r;
    }
}

/* JSON text held in string @v (decoded into the arena), as a value; false if none. */
static bool decode_json_string(struct ss_sigma_scratch *s, const struct ss_json_val *v,
                               struct ss_json_val *ret)
{
    const char *p = v->ptr + 1;
    size_t n = v->len - 2, st, en;
    char *buf;
    long long got;

    while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
        p++;
        n--;
    }
    if (n < 2 || (*p != '{' && *p != '['))
        return false;
    buf = ss_arena_alloc(&s->arena, v->len);
    if (buf == NULL)
        return false;
    got = ss_json_str_copy(v, buf, v->len);
    if (got < 0 || (size_t)got >= v->len)
        return false;
    if (ss_json_skip(buf, (size_t)got, 0, &decode_limits, &st, &en, NULL) != 0)
        return false;
    if (ss_json_skip_ws(buf, (size_t)got, en) != (size_t)got)
        return false;
    *ret = (struct ss_json_val){ .type = buf[st] == '{' ? SS_JSON_OBJECT : SS_JSON_ARRAY,
                                 .ptr = buf + st,
                                 .len = en - st };
    return true;
}

static int walk(struct ss_sigma_scratch *s, const struct ss_json_val *v, const char *path,
                size_t plen, unsigned decode, unsigned depth, bool *found);

/*
 * Whether key @k equals @p[0..n) with the key's spaces removed, ASCII case-insensitively:
 * the spec names fields "as they appear in the log source" with spaces stripped
 * ("New Value" -> NewValue).
 */
static bool key_eq_nospace(const struct ss_json_val *k, const char *p, size_t n)
{
    char buf[256];
    const char *kp = k->ptr + 1;
    size_t kl = k->len - 2, j = 0;

    if (k->escaped) {
        long long got = ss_json_str_copy(k, buf, sizeof(buf));

        if (got < 0 || (size_t)got >= sizeof(buf))
            return false;
        kp = buf;
        kl = (size_t)got;
    }
    if (memchr(kp, ' ', kl) == NULL)
        return false; /* the other passes covered it */
    for (size_t i = 0; i < kl; i++) {
        char a = kp[i], b;

        if (a == ' ')
            continue;
        if (j >= n)
            return false;
        b = p[j++];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a + 32);
        if (b >= 'A' && b <= 'Z')
            b = (char)(b + 32);
        if (a != b)
            return false;
    }
    return j == n;
}

enum key_mode { KEY_EXACT = 0, KEY_ICASE, KEY_NOSPACE };

/* The cache entry of container @v (NULL when the cache is full: callers scan directly). */
static struct sg_objcache *obj_entry(struct ss_sigma_scratch *s, const struct ss_json_val *v)
{
    for (size_t i = 0; i < s->n_objs; i++)
        if (s->objs[i].v.ptr == v->ptr)
            return &s->objs[i];
    if (s->n_objs == SG_MAX_CACHED_OBJECTS)
        return NULL;
    s->objs[s->n_objs] = (struct sg_objcache){ .v = *v };
    return &s->objs[s->n_objs++];
}

/* Scan one more member of @e into its cache: 1 added, 0 at the end, -ENOMEM. */
static int obj_next(struct ss_sigma_scratch *s, struct sg_objcache *e)
{
    struct ss_json_val k, val;
    struct sg_member *m;
    int r;

    if (e->done)
        return 0;
    r = ss_json_iter_next(&e->v, &e->cursor, e->v.type == SS_JSON_OBJECT ? &k : NULL, &val);
    if (r <= 0 || e->n >= MAX_RECORD_VALUES) {
        /* the end (or malformed text, which the caller validated) */
        e->done = true;
        return 0;
    }
    if (e->n == e->cap) {
        uint32_t cap = e->cap ? e->cap * 2 : 16;
        struct sg_member *nm = ss_arena_alloc(&s->arena, cap * sizeof(*nm));

        if (nm == NULL)
            return -ENOMEM;
        if (e->n > 0)
            memcpy(nm, e->m, e->n * sizeof(*nm));
        e->m = nm;
        e->cap = cap;
    }
    m = &e->m[e->n++];
    m->v = val;
    if (e->v.type == SS_JSON_OBJECT) {
        m->k = k;
        m->kp = k.escaped ? NULL : k.ptr + 1;
        m->kl = k.escaped ? 0 : k.len - 2;
    } else {
        m->k.type = SS_JSON_MISSING;
        m->kp = NULL;
        m->kl = 0;
    }
    return 1;
}

/*
 * Member @i of @e, scanning further as needed: 1 with *ret set, 0 past the end. The
 * member stays valid for the record even when @e grows: a grown array is a new arena
 * copy, and the arena frees nothing before the next record.
 */
static int obj_member(struct ss_sigma_scratch *s, struct sg_objcache *e, uint32_t i,
                      const struct sg_member **ret)
{
    while (i >= e->n) {
        int r = obj_next(s, e);

        if (r <= 0)
            return r;
    }
    *ret = &e->m[i];
    return 1;
}

static bool ieq_bytes(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];

        if (x >= 'A' && x <= 'Z')
            x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (char)(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

/*
 * Follow @path into the members of object @v whose keys match under @mode. Exact keys:
 * the first member that matches wins (as for JSON paths), so the scan stops there.
 */
static int walk_members(struct ss_sigma_scratch *s, const struct ss_json_val *v, const char *path,
                        size_t plen, unsigned decode, unsigned depth, enum key_mode mode,
                        bool *found, bool *any)
{
    bool star = path[0] == '*' && (plen == 1 || path[1] == '.');
    struct sg_objcache tmp, *e = obj_entry(s, v);
    const struct sg_member *m;
    int r = 0;

    if (e == NULL) {
        tmp = (struct sg_objcache){ .v = *v };
        e = &tmp;
    }
    for (uint32_t i = 0; r == 0; i++) {
        int k = obj_member(s, e, i, &m);

        if (k <= 0)
            return k;
        if (star) {
            /* a '*' segment (mappings): every member */
            *any = true;
            if (plen == 1) {
                *found = true;
                r = emit(s, &m->v, 0);
            } else {
                r = walk(s, &m->v, path + 2, plen - 2, decode, depth + 1, found);
            }
            continue;
        }
        /* candidate split points: every '.' and the end; a key without escapes can only
           match at its own length */
        for (size_t j = m->kp != NULL && mode != KEY_NOSPACE ? m->kl : 0; r == 0 && j <= plen;
             j++) {
            bool eq;

            if (j < plen && path[j] != '.') {
                if (m->kp != NULL && mode != KEY_NOSPACE)
                    break;
                continue;
            }
            if (mode == KEY_NOSPACE)
                eq = key_eq_nospace(&m->k, path, j);
            else if (m->kp != NULL)
                eq = m->kl == j &&
                     (mode == KEY_EXACT ? memcmp(m->kp, path, j) == 0 : ieq_bytes(m->kp, path, j));
            else
                eq = ss_json_str_eq(&m->k, path, j, mode == KEY_ICASE);
            if (!eq) {
                if (m->kp != NULL && mode != KEY_NOSPACE)
                    break;
                continue;
            }
            *any = true;
            if (j == plen) {
                *found = true;
                r = emit(s, &m->v, 0);
            } else {
                r = walk(s, &m->v, path + j + 1, plen - j - 1, decode, depth + 1, found);
            }
            if (mode == KEY_EXACT)
                return r; /* the first match wins */
            if (m->kp != NULL && mode != KEY_NOSPACE)
                break;
        }
    }
    return r;
}

static int walk(struct ss_sigma_scratch *s, const struct ss_json_val *v, const char *path,
                size_t plen, unsigned decode, unsigned depth, bool *found)
{
    int r = 0;

    if (depth > SG_MAX_PATH_DEPTH + 16)
        return 0;
    if (plen == 0) {
        *found = true;
        return emit(s, v, 0);
    }
    switch (v->type) {
    case SS_JSON_ARRAY: {
        struct sg_objcache tmp, *e = obj_entry(s, v);
        const struct sg_member *m;

        if (e == NULL) {
            tmp = (struct sg_objcache){ .v = *v };
            e = &tmp;
        }
        for (uint32_t i = 0; r == 0; i++) {
            int k = obj_member(s, e, i, &m);

            if (k <= 0)
                return k;
            r = walk(s, &m->v, path, plen, decode, depth + 1, found);
        }
        return r;
    }
    case SS_JSON_STRING: {
        struct ss_json_val dec;

        if (decode >= SG_MAX_DECODE_DEPTH || !decode_json_string(s, v, &dec))
            return 0;
        return walk(s, &dec, path, plen, decode + 1, depth + 1, found);
    }
    case SS_JSON_OBJECT: {
        bool any = false;

        r = walk_members(s, v, path, plen, decode, depth, KEY_EXACT, found, &any);
        if (r == 0 && !any)
            r = walk_members(s, v, path, plen, decode, depth, KEY_ICASE, found, &any);
        if (r == 0 && !any && !s->raw && s->map->keys_without_spaces)
            r = walk_members(s, v, path, plen, decode, depth, KEY_NOSPACE, found, &any);
        return r;
    }
    default:
        return 0;
    }
}

static struct ss_json_val record_val(const struct ss_sigma_scratch *s)
{
    size_t st = ss_json_skip_ws(s->rec, s->rec_len, 0);
    enum ss_json_type t = st < s->rec_len && s->rec[st] == '{'   ? SS_JSON_OBJECT
                          : st < s->rec_len && s->rec[st] == '[' ? SS_JSON_ARRAY
                                                                 : SS_JSON_MISSING;
    size_t en = s->rec_len;

    while (en > st && (s->rec[en - 1] == ' ' || s->rec[en - 1] == '\n' || s->rec[en - 1] == '\r' ||
                       s->rec[en - 1] == '\t'))
        en--;
    return (struct ss_json_val){ .type = t, .ptr = s->rec + st, .len = en - st };
}

/* Resolve one path into new values; ret_first and ret_n index s->fv. */
static int resolve_path(struct ss_sigma_scratch *s, const char *path, uint32_t *ret_first,
                        uint32_t *ret_n, bool *ret_found)
{
    struct ss_json_val root = record_val(s);
    size_t first = s->n_fv;
    bool found = false;
    int r;

    *ret_found = false;
    if (root.type == SS_JSON_MISSING)
        return 0;
    r = walk(s, &root, path, strlen(path), 0, 0, &found);
    if (r < 0)
        return r;
    *ret_first = (uint32_t)first;
    *ret_n = (uint32_t)(s->n_fv - first);
    *ret_found = found;
    return 0;
}

/* The values of field @fid under the current mapping (cached for the record). */
static const struct sg_fslot *field(struct ss_sigma_scratch *s, uint32_t fid, int *err)
{
    const struct ss_sigma_ruleset *rs = s->rs;
    size_t row = s->raw ? rs->n_maps : s->map_idx;
    struct sg_fslot *sl = &s->slots[row * rs->n_fnames + fid];
    uint32_t n_paths;
    const char *const *paths;

    if (sl->epoch == s->epoch)
        return sl;
    sl->epoch = s->epoch;
    sl->first = sl->n = 0;
    sl->present = false;
    if (s->raw) {
        /* mapping 'when' selections name raw paths */
        paths = &rs->fnames[fid];
        n_paths = 1;
    } else {
        paths = ss_sigma_paths(rs, s->map, fid, &n_paths);
    }
    for (uint32_t i = 0; i < n_paths; i++) {
        uint32_t first = 0, n = 0;
        bool found;
        int r = resolve_path(s, paths[i], &first, &n, &found);

        if (r < 0) {
            *err = r;
            return sl;
        }
        if (found) {
            sl->first = first;
            sl->n = n;
            sl->present = true;
            break;
        }
    }
    return sl;
}

/* Every scalar value of the record (keyword search), cached for the record. */
static int collect_leaves(struct ss_sigma_scratch *s, const struct ss_json_val *v, unsigned depth,
                          unsigned decode)
{
    size_t cur = 0;
    struct ss_json_val k, val;
    int r;

    (void)decode;
    if (v->type != SS_JSON_OBJECT && v->type != SS_JSON_ARRAY) {
        if (v->type == SS_JSON_NULL || v->type == SS_JSON_MISSING)
            return 0;
        return push_fv(s, v);
    }
    if (depth > 128)
        return 0;
    for (;;) {
        r = ss_json_iter_next(v, &cur, &k, &val);
        if (r <= 0)
            return 0;
        r = collect_leaves(s, &val, depth + 1, decode);
        if (r < 0)
            return r;
    }
}

static int leaves(struct ss_sigma_scratch *s)
{
    struct ss_json_val root;
    size_t first;
    int r;

    if (s->leaves_epoch == s->epoch)
        return 0;
    root = record_val(s);
    first = s->n_fv;
    r = root.type == SS_JSON_MISSING ? 0 : collect_leaves(s, &root, 0, 0);
    if (r < 0)
        return r;
    s->leaves_epoch = s->epoch;
    s->leaves_first = (uint32_t)first;
    s->n_leaves = (uint32_t)(s->n_fv - first);
    return 0;
}

/* Text of a value: unescaped strings, raw numbers/booleans/objects. */
static bool fv_text(struct ss_sigma_scratch *s, struct sg_fv *f, const char **p, size_t *n)
{
    if (f->text != NULL) {
        *p = f->text;
        *n = f->text_len;
        return true;
    }
    switch (f->v.type) {
    case SS_JSON_STRING:
        if (!f->v.escaped) {
            f->text = f->v.ptr + 1;
            f->text_len = f->v.len - 2;
        } else {
            char *buf = ss_arena_alloc(&s->arena, f->v.len);
            long long got;

            if (buf == NULL)
                return false;
            got = ss_json_str_copy(&f->v, buf, f->v.len);
            if (got < 0 || (size_t)got >= f->v.len)
                return false;
            f->text = buf;
            f->text_len = (size_t)got;
        }
        break;
    case SS_JSON_NUMBER:
    case SS_JSON_TRUE:
    case SS_JSON_FALSE:
    case SS_JSON_OBJECT:
    case SS_JSON_ARRAY:
        f->text = f->v.ptr;
        f->text_len = f->v.len;
        break;
    default:
        return false;
    }
    *p = f->text;
    *n = f->text_len;
    return true;
}

static bool fv_fold(struct ss_sigma_scratch *s, struct sg_fv *f, const char **p, size_t *n)
{
    const char *t;
    size_t tl;

    if (f->fold != NULL) {
        *p = f->fold;
        *n = f->fold_len;
        return true;
    }
    if (!fv_text(s, f, &t, &tl))
        return false;
    if (ss_sigma_is_folded(t, tl)) {
        f->fold = t;
        f->fold_len = tl;
    } else {
        char *buf = ss_arena_alloc(&s->arena, tl + 1);

        if (buf == NULL)
            return false;
        f->fold_len = ss_sigma_fold(t, tl, buf);
        f->fold = buf;
    }
    *p = f->fold;
    *n = f->fold_len;
    return true;
}

static bool fv_number(const struct sg_fv *f, double *ret)
{
    if (f->v.type != SS_JSON_NUMBER && f->v.type != SS_JSON_STRING)
        return false;
    return ss_json_number(&f->v, ret) == 0;
}

/*
 * An epoch number as microseconds: seconds below 1e11, milliseconds below 1e14, else
 * microseconds. INT64_MIN when it does not fit (a hostile 1e60 was undefined behaviour).
 */
static int64_t epoch_us(double x)
{
    double us = x < 1e11 ? x * 1e6 : x < 1e14 ? x * 1e3 : x;

    if (!(us > -9.2e18 && us < 9.2e18))
        return INT64_MIN;
    return (int64_t)us;
}

/* Time parts for minute..year modifiers. */
static bool fv_timepart(struct ss_sigma_scratch *s, struct sg_fv *f, uint8_t part, double *ret)
{
    const char *t;
    size_t tl;
    int64_t us;
    int64_t y;
    unsigned mo, d;
    int64_t days, sod;

    if (f->v.type == SS_JSON_NUMBER) {
        double x;

        if (ss_json_number(&f->v, &x) != 0 || (us = epoch_us(x)) == INT64_MIN)
            return false;
    } else if (!fv_text(s, f, &t, &tl) || ss_time_parse(t, tl, &us) != 0) {
        return false;
    }
    days = us / SS_TIME_US_PER_DAY - (us % SS_TIME_US_PER_DAY < 0 ? 1 : 0);
    sod = (us - days * SS_TIME_US_PER_DAY) / SS_TIME_US_PER_SEC;
    ss_time_civil_from_days(days, &y, &mo, &d);
    switch (part) {
    case SG_TP_MINUTE:
        *ret = (double)((sod / 60) % 60);
        return true;
    case SG_TP_HOUR:
        *ret = (double)(sod / 3600);
        return true;
    case SG_TP_DAY:
        *ret = d;
        return true;
    case SG_TP_MONTH:
        *ret = mo;
        return true;
    case SG_TP_YEAR:
        *ret = (double)y;
        return true;
    case SG_TP_WEEK: {
        /* ISO 8601 week number: the week with the year's first Thursday is week 1 */
        int64_t wd = ((days % 7) + 7 + 3) % 7; /* Monday = 0 (1970-01-01 was a Thursday) */
        int64_t thursday = days - wd + 3;
        int64_t ty;
        unsigned tm, td;

        ss_time_civil_from_days(thursday, &ty, &tm, &td);
        *ret = (double)((thursday - ss_time_days_from_civil(ty, 1, 1)) / 7 + 1);
        return true;
    }
    default:
        return false;
    }
}

/* Whether comparison @cmp holds of a field value that is below (-1), equal to (0) or
   above (1) the rule's value. */
static bool cmp_holds(uint8_t cmp, int order)
{
    switch (cmp) {
    case SG_CMP_LT:
        return order < 0;
    case SG_CMP_LTE:
        return order <= 0;
    case SG_CMP_GT:
        return order > 0;
    default:
        return order >= 0;
    }
}

static bool cmp_num(uint8_t cmp, double x, double v)
{
    return cmp_holds(cmp, (x > v) - (x < v));
}

/*
 * lt/lte/gt/gte: an integer field against an integer value compares exactly (a double
 * holds integers only up to 2^53); anything else as numbers.
 */
static bool match_cmp(struct ss_sigma_scratch *s, const struct sg_val *v, struct sg_fv *f)
{
    const char *t;
    size_t tl;
    int64_t i;
    double x;

    if (v->is_int && (f->v.type == SS_JSON_NUMBER || f->v.type == SS_JSON_STRING) &&
        fv_text(s, f, &t, &tl) && ss_parse_i64(t, tl, &i) == 0)
        return cmp_holds(v->cmp, (i > v->inum) - (i < v->inum));
    return fv_number(f, &x) && cmp_num(v->cmp, x, v->num);
}

static bool ieq_ascii(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b);

    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++) {
        char c = a[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != b[i])
            return false;
    }
    return true;
}

static bool match_re(struct ss_sigma_scratch *s, const struct sg_val *v, const char *t, size_t tl)
{
    int rc = pcre2_match(v->re, (PCRE2_SPTR)t, tl, 0, 0, s->md, s->mctx);

    if (rc >= 0)
        return true;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
        s->st.n_regex_limit++;
    return false;
}

static bool match_cidr(const struct sg_val *v, const char *t, size_t tl)
{
    uint8_t a[16];
    int fam = ss_sigma_parse_ip(t, tl, a);
    const uint8_t *addr = a;
    unsigned bits = v->bits;

    if (fam == 0)
        return false;
    if (v->ipv == 4 && fam == 6) {
        static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };

        if (memcmp(a, mapped, 12) != 0)
            return false;
        addr = a + 12;
    } else if (v->ipv != fam) {
        return false;
    }
    for (unsigned i = 0; i < bits / 8; i++)
        if (addr[i] != v->net[i])
            return false;
    if (bits % 8 != 0) {
        uint8_t mask = (uint8_t)(0xFF << (8 - bits % 8));

        if ((addr[bits / 8] & mask) != (v->net[bits / 8] & mask))
            return false;
    }
    return true;
}

static bool match_ref(struct ss_sigma_scratch *s, const struct sg_val *v, struct sg_fv *f, int *err)
{
    const struct sg_fslot *other = field(s, v->ref, err);
    const char *a;
    size_t al;

    if (*err < 0 || !(v->cased ? fv_text(s, f, &a, &al) : fv_fold(s, f, &a, &al)))
        return false;
    for (uint32_t i = 0; i < other->n; i++) {
        struct sg_fv *o = &s->fv[other->first + i];
        const char *b;
        size_t bl;
        struct sg_val pat = { .kind = SG_V_STR, .shape = v->shape };

        if (!(v->cased ? fv_text(s, o, &b, &bl) : fv_fold(s, o, &b, &bl)))
            continue;
        pat.s = b;
        pat.len = bl;
        if (pat.shape == SG_SH_GLOB || pat.shape == SG_SH_ANY)
            pat.shape = SG_SH_EXACT;
        if (ss_sigma_match_str(&pat, a, al))
            return true;
    }
    return false;
}

/* One compiled value against one field value. */
static bool match_val(struct ss_sigma_scratch *s, const struct sg_val *v, struct sg_fv *f,
                      uint8_t timepart, int *err)
{
    const char *t;
    size_t tl;
    double x;

    if (f->v.type == SS_JSON_NULL)
        return false;
    if (timepart != SG_TP_NONE) {
        if (!fv_timepart(s, f, timepart, &x))
            return false;
        if (v->kind == SG_V_CMP)
            return cmp_num(v->cmp, x, v->num);
        return v->kind == SG_V_FLOAT && x == v->num;
    }
    switch (v->kind) {
    case SG_V_STR:
        if (v->shape == SG_SH_ANY)
            return fv_text(s, f, &t, &tl);
        if (!(v->cased ? fv_text(s, f, &t, &tl) : fv_fold(s, f, &t, &tl)))
            return false;
        return ss_sigma_match_str(v, t, tl);
    case SG_V_INT:
        if (f->v.type != SS_JSON_NUMBER && f->v.type != SS_JSON_STRING)
            return false;
        return fv_text(s, f, &t, &tl) && tl == v->len && memcmp(t, v->s, tl) == 0;
    case SG_V_FLOAT:
        return fv_number(f, &x) && x == v->num;
    case SG_V_BOOL:
        if (f->v.type == SS_JSON_TRUE || f->v.type == SS_JSON_FALSE)
            return (f->v.type == SS_JSON_TRUE) == v->bval;
        if (f->v.type == SS_JSON_STRING && fv_text(s, f, &t, &tl))
            return ieq_ascii(t, tl, v->bval ? "true" : "false");
        return false;
    case SG_V_RE:
        return fv_text(s, f, &t, &tl) && match_re(s, v, t, tl);
    case SG_V_CIDR:
        return f->v.type == SS_JSON_STRING && fv_text(s, f, &t, &tl) && match_cidr(v, t, tl);
    case SG_V_CMP:
        return match_cmp(s, v, f);
    case SG_V_REF:
        return match_ref(s, v, f, err);
    default:
        return false;
    }
}

/* Values of a predicate against a list of field values. */
static bool match_values(struct ss_sigma_scratch *s, const struct sg_pred *p, uint32_t first,
                         uint32_t n, int *err)
{
    if (!p->all) {
        for (uint32_t k = 0; k < p->n_vals; k++)
            for (uint32_t i = 0; i < n; i++)
                if (match_val(s, &p->vals[k], &s->fv[first + i], p->timepart, err))
                    return true;
        return false;
    }
    /* all: every written value (group of alternatives) matches some field value */
    for (uint32_t k = 0; k < p->n_vals;) {
        uint32_t g = p->vals[k].group, end = k;
        bool ok = false;

        while (end < p->n_vals && p->vals[end].group == g)
            end++;
        for (uint32_t q = k; q < end && !ok; q++)
            for (uint32_t i = 0; i < n && !ok; i++)
                ok = match_val(s, &p->vals[q], &s->fv[first + i], p->timepart, err);
        if (!ok)
            return false;
        k = end;
    }
    return p->n_vals > 0;
}

static bool eval_pred(struct ss_sigma_scratch *s, const struct sg_pred *p, int *err)
{
    const struct sg_fslot *sl;
    bool m;

    if (p->kind == SG_P_KEYWORDS) {
        int r = leaves(s);

        if (r < 0) {
            *err = r;
            return false;
        }
        return match_values(s, p, s->leaves_first, s->n_leaves, err);
    }
    sl = field(s, p->field, err);
    if (*err < 0)
        return false;
    /* Resolve fieldref targets first: resolving appends to s->fv, which must not move
       while values are being compared. */
    for (uint32_t k = 0; p->kind == SG_P_VALUES && k < p->n_vals; k++) {
        if (p->vals[k].kind == SG_V_REF) {
            (void)field(s, p->vals[k].ref, err);
            if (*err < 0)
                return false;
        }
    }
    switch (p->kind) {
    case SG_P_EXISTS:
        return sl->present == p->exists;
    case SG_P_NULL: {
        bool null = true;

        for (uint32_t i = 0; i < sl->n && null; i++)
            null = s->fv[sl->first + i].v.type == SS_JSON_NULL;
        return p->neq ? !null : null;
    }
    default:
        if (sl->n == 0)
            return false; /* a missing field matches no value (and no 'neq') */
        m = match_values(s, p, sl->first, sl->n, err);
        return p->neq ? !m : m;
    }
}

static bool eval(struct ss_sigma_scratch *s, const struct sg_node *nd, int *err)
{
    switch (nd->op) {
    case SG_N_AND:
        for (uint32_t i = 0; i < nd->n; i++)
            if (!eval(s, nd->kids[i], err))
                return false;
        return true;
    case SG_N_OR:
        for (uint32_t i = 0; i < nd->n; i++)
            if (eval(s, nd->kids[i], err))
                return true;
        return false;
    case SG_N_NOT:
        return !eval(s, nd->kids[0], err);
    case SG_N_PRED:
        return eval_pred(s, nd->pred, err);
    case SG_N_TRUE:
        return true;
    default:
        return false;
    }
}

/* ---- mappings, hits ---- */

static void set_map(struct ss_sigma_scratch *s, uint32_t mi)
{
    s->map_idx = mi;
    s->map = s->rs->maps[mi];
}

static bool when_holds(struct ss_sigma_scratch *s, uint32_t mi, int *err)
{
    if (s->when_epoch[mi] != s->epoch) {
        uint32_t save = s->map_idx;

        set_map(s, mi);
        s->raw = true;
        s->when_val[mi] = s->map->when == NULL || eval(s, s->map->when, err);
        s->raw = false;
        s->when_epoch[mi] = s->epoch;
        set_map(s, save);
    }
    return s->when_val[mi] != 0;
}

/* First value of the first resolving path in @paths: its text. */
static bool first_text(struct ss_sigma_scratch *s, const char *const *paths, uint32_t n,
                       const char **ret, size_t *ret_len, struct sg_fv **ret_fv, int *err)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t first = 0, cnt = 0;
        bool found;
        int r = resolve_path(s, paths[i], &first, &cnt, &found);

        if (r < 0) {
            *err = r;
            return false;
        }
        for (uint32_t k = 0; k < cnt; k++) {
            struct sg_fv *f = &s->fv[first + k];

            if (fv_text(s, f, ret, ret_len)) {
                if (ret_fv != NULL)
                    *ret_fv = f;
                return true;
            }
        }
    }
    return false;
}

static int64_t event_time(struct ss_sigma_scratch *s, int *err)
{
    const char *t;
    size_t tl;
    struct sg_fv *f = NULL;
    int64_t us;

    if (!first_text(s, s->map->time_paths, s->map->n_time, &t, &tl, &f, err))
        return INT64_MIN;
    if (f->v.type == SS_JSON_NUMBER) {
        double x;

        if (ss_json_number(&f->v, &x) != 0)
            return INT64_MIN;
        return epoch_us(x);
    }
    if (ss_time_parse(t, tl, &us) != 0)
        return INT64_MIN;
    return us;
}

static const char *entity(struct ss_sigma_scratch *s, size_t *ret_len, int *err)
{
    const char *t;
    size_t tl;
    char *c;

    if (!first_text(s, s->map->entity_paths, s->map->n_entity, &t, &tl, NULL, err)) {
        *ret_len = 0;
        return "";
    }
    c = ss_arena_strndup(&s->arena, t, tl);
    if (c == NULL) {
        *err = -ENOMEM;
        *ret_len = 0;
        return "";
    }
    if (s->map->entity_lower)
        for (size_t i = 0; i < tl; i++)
            if (c[i] >= 'A' && c[i] <= 'Z')
                c[i] = (char)(c[i] + 32);
    *ret_len = tl;
    return c;
}

/* Text of the first value of field @fid (current mapping); false when absent. */
static bool field_text(struct ss_sigma_scratch *s, uint32_t fid, const char **t, size_t *tl,
                       struct sg_fv **ret_fv, int *err)
{
    const struct sg_fslot *sl = field(s, fid, err);

    for (uint32_t i = 0; *err == 0 && i < sl->n; i++) {
        struct sg_fv *f = &s->fv[sl->first + i];

        if (f->v.type != SS_JSON_NULL && fv_text(s, f, t, tl)) {
            if (ret_fv != NULL)
                *ret_fv = f;
            return true;
        }
    }
    return false;
}

/*
 * The values of fields @fids[0..n) joined by '\x1f' in @buf, and the first field's value
 * in *@ret_first. Returns 1; 0 when a field is missing; SS_ELIMIT when the values pass
 * the buffer's cap (1 MiB); or an error.
 */
static int field_tuple(struct ss_sigma_scratch *s, const uint32_t *fids, uint32_t n,
                       struct ss_buf *buf, struct sg_fv **ret_first)
{
    int err = 0, r = 0;

    ss_buf_reset(buf);
    for (uint32_t k = 0; k < n && r == 0; k++) {
        const char *t;
        size_t tl;
        struct sg_fv *f = NULL;

        if (!field_text(s, fids[k], &t, &tl, &f, &err))
            return err;
        if (k == 0)
            *ret_first = f;
        if (k > 0)
            r = ss_buf_putc(buf, '\x1f');
        if (r == 0)
            r = ss_buf_append(buf, t, tl);
    }
    return r < 0 ? r : 1;
}

/*
 * Keep the event of a hit of @base for correlation @corr, once per slot of @base: its
 * group key and value tuple are read, charged with the entity (@ent, @ent_len) to the
 * budget, and interned (*@ent_id on first use). Nothing is kept once the budget is
 * passed. Returns 0 or -ENOMEM.
 */
static int keep_corr_event(struct ss_sigma_scratch *s, const struct sg_rule *base, uint32_t corr,
                           int64_t time_us, const char *ent, size_t ent_len, uint32_t *ent_id,
                           const struct ss_loc *loc)
{
    const struct sg_corr *co = s->rs->rules[corr]->corr;
    struct ss_buf gbuf = SS_BUF_INIT(SS_BUF_SMALL_MAX), vbuf = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    int r = 0;

    for (uint32_t slot = 0; slot < co->n_refs && r == 0; slot++) {
        struct sg_kev ev = {
            .corr = corr, .slot = slot, .time_us = time_us, .loc = *loc, .value = SG_NO_STR
        };
        struct sg_fv *f = NULL;
        bool has_value = false;
        uint64_t charge;

        if (co->rules[slot] != base->index)
            continue;
        /* an event without a group-by field is in no group */
        r = field_tuple(s, co->group_fids + (size_t)slot * co->n_group, co->n_group, &gbuf, &f);
        if (r == 0)
            break;
        /* a missing value field leaves the event without a value */
        if (r > 0 && co->n_fields > 0) {
            r = field_tuple(s, co->value_fids + (size_t)slot * co->n_fields, co->n_fields, &vbuf,
                            &f);
            has_value = r > 0;
            if (has_value && co->type != SG_C_VALUE_COUNT)
                ev.has_num = fv_number(f, &ev.num);
        }
        if (r == SS_ELIMIT) {
            /* group-by or value fields over the buffer's cap: left out, and counted */
            s->st.n_key_too_long++;
            r = 0;
            continue;
        }
        if (r < 0)
            break;
        r = 0;
        charge = sizeof(ev) + gbuf.len + (has_value ? vbuf.len : 0) + ent_len;
        if (!ss_sigma_keep_take(s->keep, charge))
            break;
        s->kev_charged += charge;
        r = keep_str(s, gbuf.ptr, gbuf.len, &ev.group);
        if (r == 0 && has_value)
            r = keep_str(s, vbuf.ptr, vbuf.len, &ev.value);
        if (r == 0 && *ent_id == SG_NO_STR)
            r = keep_str(s, ent, ent_len, ent_id);
        ev.entity = *ent_id;
        if (r == 0)
            r = ss_grow((void **)&s->kev, &s->cap_kev, s->n_kev + 1, sizeof(*s->kev));
        if (r != 0)
            break;
        s->kev[s->n_kev++] = ev;
    }
    ss_buf_release(&gbuf);
    ss_buf_release(&vbuf);
    return r < 0 ? r : 0;
}

static int on_hit(struct ss_sigma_scratch *s, uint32_t rule, const struct ss_loc *loc)
{
    const struct sg_rule *ru = s->rs->rules[rule];
    int err = 0, r;
    int64_t t;
    const char *ent;
    size_t ent_len;
    uint32_t ent_id = SG_NO_STR;

    s->st.n_hits++;
    s->rule_hits[rule]++;
    t = event_time(s, &err);
    if (err < 0)
        return err;
    if (t == INT64_MIN)
        s->st.n_bad_time++;
    ent = entity(s, &ent_len, &err);
    if (err < 0)
        return err;
    if (ru->emits) {
        if (s->n_hits == s->cap_hits) {
            size_t cap = s->cap_hits ? s->cap_hits * 2 : 16;
            struct ss_sigma_hit *nh = ss_reallocarray(s->hits, cap, sizeof(*nh));

            if (nh == NULL)
                return -ENOMEM;
            s->hits = nh;
            s->cap_hits = cap;
        }
        s->hits[s->n_hits++] = (struct ss_sigma_hit){ .rule = rule, .time_us = t, .entity = ent };
    }
    if (ru->emits && (s->flags & SS_SIGMA_KEEP_HITS)) {
        r = keep_hit(s->keep, rule, ent, ent_len, t, loc);
        if (r < 0)
            return r;
    }
    for (uint32_t i = 0; i < ru->n_feeds; i++) {
        r = keep_corr_event(s, ru, ru->feeds[i], t, ent, ent_len, &ent_id, loc);
        if (r < 0)
            return r;
    }
    return 0;
}

static int cmp_hit(const void *a, const void *b)
{
    const struct ss_sigma_hit *x = a, *y = b;

    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

int ss_sigma_match(const struct ss_sigma_ruleset *rs, struct ss_sigma_scratch *s, int source,
                   const char *rec, size_t len, const struct ss_loc *loc,
                   const struct ss_sigma_hit **ret_hits, size_t *ret_n)
{
    const struct sg_source *src;
    static const struct ss_loc no_loc = { 0 };
    int err = 0;

    if (source < 0 || (size_t)source >= rs->n_sources || s->rs != rs)
        return -EINVAL;
    if (loc == NULL)
        loc = &no_loc;
    src = &rs->sources[source];
    if (++s->epoch == 0) {
        /* wrapped: forget every stamp */
        memset(s->slots, 0, (rs->n_maps + 1) * rs->n_fnames * sizeof(*s->slots));
        memset(s->cand, 0, s->n_cand * sizeof(*s->cand));
        memset(s->when_epoch, 0, rs->n_maps * sizeof(*s->when_epoch));
        s->leaves_epoch = 0;
        s->epoch = 1;
    }
    ss_arena_reset(&s->arena);
    s->n_fv = 0;
    s->n_objs = 0;
    s->n_hits = 0;
    s->truncated = false;
    s->rec = rec;
    s->rec_len = len;
    s->st.n_records++;
    *ret_hits = s->hits;
    *ret_n = 0;
    if (src->pf != NULL) {
        bool any = false;

        if (ss_sigma_prefilter_scan(src->pf, s->hs, rec, len, s->cand, s->epoch, &s->unesc,
                                    &s->unesc_cap) == 0)
            return 0;
        /* a mapping whose 'when' literals are absent does not cover the record */
        for (uint32_t mpos = 0; mpos < src->n_maps; mpos++) {
            uint32_t mi = src->maps[mpos];

            if (s->cand[src->n_insts + mpos] != s->epoch) {
                s->when_epoch[mi] = s->epoch;
                s->when_val[mi] = 0;
                continue;
            }
            for (uint32_t k = src->map_first[mpos];
                 k < src->map_first[mpos] + src->map_count[mpos] && !any; k++)
                any = s->cand[k] == s->epoch;
        }
        if (!any)
            return 0;
    } else {
        for (uint32_t k = 0; k < src->n_insts + src->n_maps; k++)
            s->cand[k] = s->epoch;
    }
    s->st.n_candidates++;
    if (s->flags & SS_SIGMA_VALIDATE) {
        if (ss_json_validate(rec, len, NULL, NULL) != 0) {
            s->st.n_invalid++;
            return SS_ESYNTAX;
        }
    }
    for (uint32_t mpos = 0; mpos < src->n_maps; mpos++) {
        uint32_t first = src->map_first[mpos], count = src->map_count[mpos];
        uint32_t mi = src->maps[mpos];
        bool any = false;

        for (uint32_t k = first; k < first + count && !any; k++)
            any = s->cand[k] == s->epoch;
        if (!any)
            continue;
        if (!when_holds(s, mi, &err)) {
            if (err < 0)
                return err;
            continue;
        }
        set_map(s, mi);
        for (uint32_t k = first; k < first + count; k++) {
            const struct sg_inst *in = &rs->insts[src->insts[k]];
            bool taken = false;

            if (s->cand[k] != s->epoch)
                continue;
            /* the rule belongs to the first mapping that covers the record */
            for (uint32_t j = src->prev_same[k]; j != UINT32_MAX && !taken; j = src->prev_same[j]) {
                taken = when_holds(s, src->maps[src->local_map[j]], &err);
                if (err < 0)
                    return err;
            }
            if (taken)
                continue;
            s->st.n_evals++;
            if (eval(s, in->tree, &err)) {
                if (err < 0)
                    return err;
                err = on_hit(s, in->rule, loc);
            }
            if (err < 0)
                return err;
        }
    }
    if (s->n_hits > 1)
        qsort(s->hits, s->n_hits, sizeof(*s->hits), cmp_hit);
    *ret_hits = s->hits;
    *ret_n = s->n_hits;
    return 0;
}
