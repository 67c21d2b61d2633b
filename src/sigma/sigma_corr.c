/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigma/sigma_corr.c - implements correlations and findings over what the match
 * scratches kept.
 *
 * Determinism: the events of every scratch are merged into one array; group keys and
 * values are re-interned into one pool and groups are ranked by their bytes; events are
 * sorted by (group, time, location, rule slot) before any windowing. So the result
 * depends only on the set of records, never on how they were spread over workers or
 * files.
 *
 * Windows (docs/sigma.md "Correlation semantics"): per group, events in time order.
 *  - Conditions that can only become true as events are added (gt/gte on event_count,
 *    value_count, temporal, temporal_ordered, value_sum) are checked on the sliding
 *    window [t - timespan, t] ending at each event; on a match the window's events are
 *    reported and consumed, and the next window starts after them.
 *  - Other conditions (lt, lte, eq, neq, ranges, value_avg, value_percentile) are
 *    checked when a window is complete: windows start at the first unconsumed event and
 *    span the timespan.
 *  - temporal counts the distinct correlated rules in the window; temporal_ordered the
 *    length of the longest prefix of the rules list seen in order.
 *  - value_percentile: the share (percent) of the window's events that carry each
 *    value; every value whose share meets the condition is a match.
 *  - An event without one of the group-by fields is in no group; without a time it is
 *    used only by correlations whose window is unbounded (legacy aggregations without a
 *    timeframe).
 * A correlation that another correlation references feeds it: each of its matches
 * becomes an event (time of its last event, group fields carried over by name).
 */
#include "sigma/sigma_int.h"

#include "core/alloc.h"

struct cev {
    uint32_t slot;
    int64_t t;
    int64_t t0; /* chained: time of the first event of the inner match (else t) */
    struct ss_loc loc;
    uint32_t group; /* rank */
    uint32_t value; /* global ordinal, SG_NO_STR if none */
    double num;
    bool has_num;
    uint32_t entity;           /* global pool id */
    const struct ss_loc *locs; /* chained: evidence of the inner match */
    uint32_t n_locs;
    uint64_t n_total;
};

struct cmatch {
    uint32_t group;
    int64_t first_t, last_t;
    uint32_t entity;
    struct ss_loc *locs;
    size_t n_locs;
    uint64_t n_total;
};

struct cstate {
    const struct ss_sigma_ruleset *rs;
    struct sg_pool pool; /* global strings: group keys, values, entities */
    uint32_t *rank;      /* rank -> pool id, for the correlation being run */
    struct cev **evs;    /* per correlation (by evaluation order) */
    size_t *n_evs, *cap_evs;
    struct cmatch **matches; /* per correlation (by evaluation order) */
    size_t *n_matches, *cap_matches;
    struct ss_arena arena;      /* evidence arrays */
    struct ss_sigma_keep *keep; /* the scratches' (room_for) */
};

/*
 * Charge @n more bytes of events, matches or their strings to the scratches' budget:
 * the events are copied here, and chains of correlations make events of their own (200
 * of them took 3.9 GB when only the scratches were bounded). Returns 0 or SS_ELIMIT.
 */
static int room_for(struct cstate *c, uint64_t n)
{
    return ss_sigma_keep_take(c->keep, n) ? 0 : SS_ELIMIT;
}

static uint32_t gput(struct cstate *c, const char *p, size_t n)
{
    return ss_sigma_pool_put(&c->pool, p, n);
}

/* Add event @e, whose strings took @str_bytes, to correlation @order. */
static int push_ev(struct cstate *c, uint32_t order, const struct cev *e, uint64_t str_bytes)
{
    if (room_for(c, sizeof(*e) + str_bytes) < 0)
        return SS_ELIMIT;
    if (c->n_evs[order] == c->cap_evs[order]) {
        size_t cap = c->cap_evs[order] ? c->cap_evs[order] * 2 : 256;
        struct cev *ne = ss_reallocarray(c->evs[order], cap, sizeof(*ne));

        if (ne == NULL)
            return -ENOMEM;
        c->evs[order] = ne;
        c->cap_evs[order] = cap;
    }
    c->evs[order][c->n_evs[order]++] = *e;
    return 0;
}

struct keyref {
    const char *p;
    size_t l;
    uint32_t id;
};

static int cmp_keyref(const void *a, const void *b)
{
    const struct keyref *x = a, *y = b;
    int r = memcmp(x->p, y->p, SS_MIN(x->l, y->l));

    return r != 0 ? r : (x->l < y->l ? -1 : x->l > y->l);
}

static int cmp_ev(const void *a, const void *b)
{
    const struct cev *x = a, *y = b;
    int r;

    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    r = ss_loc_cmp(&x->loc, &y->loc);
    if (r != 0)
        return r;
    return x->slot < y->slot ? -1 : x->slot > y->slot;
}

static int cmp_loc(const void *a, const void *b)
{
    return ss_loc_cmp(a, b);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

struct pair {
    uint32_t id, rank;
};

static int cmp_pair_id(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;

    return x->id < y->id ? -1 : x->id > y->id;
}

/* ---- condition ---- */

static bool cond_holds(const struct sg_corr *co, double v)
{
    static const double eps = 1e-9;

    if (co->has_cond[SG_CC_GT] && !(v > co->cond[SG_CC_GT]))
        return false;
    if (co->has_cond[SG_CC_GTE] && !(v >= co->cond[SG_CC_GTE] - eps))
        return false;
    if (co->has_cond[SG_CC_LT] && !(v < co->cond[SG_CC_LT]))
        return false;
    if (co->has_cond[SG_CC_LTE] && !(v <= co->cond[SG_CC_LTE] + eps))
        return false;
    if (co->has_cond[SG_CC_EQ] && !(v >= co->cond[SG_CC_EQ] - eps && v <= co->cond[SG_CC_EQ] + eps))
        return false;
    if (co->has_cond[SG_CC_NEQ] && v >= co->cond[SG_CC_NEQ] - eps && v <= co->cond[SG_CC_NEQ] + eps)
        return false;
    return true;
}

static bool monotone(const struct sg_corr *co)
{
    if (co->type == SG_C_VALUE_AVG || co->type == SG_C_VALUE_PERCENTILE)
        return false;
    return !co->has_cond[SG_CC_LT] && !co->has_cond[SG_CC_LTE] && !co->has_cond[SG_CC_EQ] &&
           !co->has_cond[SG_CC_NEQ];
}

/* ---- window aggregates ---- */

struct agg {
    const struct sg_corr *co;
    uint64_t count;
    uint32_t *slot_cnt; /* temporal */
    uint32_t distinct_slots;
    /* value_count: counts per value ordinal (hash) */
    uint32_t *vkeys, *vcnts;
    size_t vcap, distinct_vals;
    double sum;
    uint64_t n_num;
    /* temporal_ordered: latest start index per prefix length (SIZE_MAX: none) */
    size_t *start;
};

static int agg_init(struct agg *a, const struct sg_corr *co, size_t n_events)
{
    *a = (struct agg){ .co = co };
    a->slot_cnt = ss_calloc(co->n_refs + 1, sizeof(*a->slot_cnt));
    a->start = ss_calloc(co->n_refs + 2, sizeof(*a->start));
    a->vcap = 16;
    while (a->vcap < 2 * n_events + 16)
        a->vcap *= 2;
    if (co->type == SG_C_VALUE_COUNT) {
        a->vkeys = ss_calloc(a->vcap, sizeof(*a->vkeys));
        a->vcnts = ss_calloc(a->vcap, sizeof(*a->vcnts));
        if (a->vkeys == NULL || a->vcnts == NULL)
            return -ENOMEM;
    }
    if (a->slot_cnt == NULL || a->start == NULL)
        return -ENOMEM;
    for (uint32_t k = 0; k <= co->n_refs + 1; k++)
        a->start[k] = SIZE_MAX;
    return 0;
}

static void agg_release(struct agg *a)
{
    ss_free(a->slot_cnt);
    ss_free(a->start);
    ss_free(a->vkeys);
    ss_free(a->vcnts);
}

static void agg_reset(struct agg *a)
{
    a->count = 0;
    a->distinct_slots = 0;
    memset(a->slot_cnt, 0, (a->co->n_refs + 1) * sizeof(*a->slot_cnt));
    if (a->vkeys != NULL) {
        memset(a->vkeys, 0, a->vcap * sizeof(*a->vkeys));
        memset(a->vcnts, 0, a->vcap * sizeof(*a->vcnts));
    }
    a->distinct_vals = 0;
    a->sum = 0;
    a->n_num = 0;
    for (uint32_t k = 0; k <= a->co->n_refs + 1; k++)
        a->start[k] = SIZE_MAX;
}

static uint32_t *vslot(struct agg *a, uint32_t value)
{
    size_t h = ((size_t)value * 2654435761u) & (a->vcap - 1);

    while (a->vkeys[h] != 0 && a->vkeys[h] != value + 1)
        h = (h + 1) & (a->vcap - 1);
    a->vkeys[h] = value + 1;
    return &a->vcnts[h];
}

static void agg_add(struct agg *a, const struct cev *e, size_t idx, int dir)
{
    a->count = dir > 0 ? a->count + 1 : a->count - 1;
    if (dir > 0) {
        if (a->slot_cnt[e->slot]++ == 0)
            a->distinct_slots++;
    } else if (--a->slot_cnt[e->slot] == 0) {
        a->distinct_slots--;
    }
    if (a->vkeys != NULL && e->value != SG_NO_STR) {
        uint32_t *c = vslot(a, e->value);

        if (dir > 0) {
            if ((*c)++ == 0)
                a->distinct_vals++;
        } else if (*c > 0 && --(*c) == 0) {
            a->distinct_vals--;
        }
    }
    if (e->has_num) {
        a->sum += dir > 0 ? e->num : -e->num;
        a->n_num = dir > 0 ? a->n_num + 1 : a->n_num - 1;
    }
    if (dir > 0 && a->co->type == SG_C_TEMPORAL_ORDERED) {
        uint32_t s = e->slot;

        if (s == 0)
            a->start[1] = idx;
        else if (a->start[s] != SIZE_MAX &&
                 (a->start[s + 1] == SIZE_MAX || a->start[s] > a->start[s + 1]))
            a->start[s + 1] = a->start[s];
    }
}

/* The aggregate of the sliding window [lo, hi]; for temporal_ordered *ret_from is the
   start of the chain. */
static double agg_value(const struct agg *a, const struct cev *ev, size_t lo, size_t hi,
                        size_t *ret_from)
{
    *ret_from = lo;
    switch (a->co->type) {
    case SG_C_EVENT_COUNT:
        return (double)a->count;
    case SG_C_VALUE_COUNT:
        return (double)a->distinct_vals;
    case SG_C_TEMPORAL:
        return (double)a->distinct_slots;
    case SG_C_TEMPORAL_ORDERED:
        for (uint32_t k = a->co->n_refs; k > 0; k--) {
            if (a->start[k] != SIZE_MAX && a->start[k] >= lo && a->start[k] <= hi) {
                *ret_from = a->start[k];
                return k;
            }
        }
        return 0;
    case SG_C_VALUE_SUM:
        return a->sum;
    case SG_C_VALUE_AVG:
        return a->n_num ? a->sum / (double)a->n_num : 0;
    default:
        (void)ev;
        return 0;
    }
}

/* ---- matches ---- */

static int add_match(struct cstate *c, uint32_t order, const struct cev *ev, size_t lo, size_t hi,
                     const bool *pick)
{
    struct cmatch m = {
        .group = ev[lo].group, .first_t = INT64_MAX, .last_t = INT64_MIN, .entity = ev[lo].entity
    };
    size_t n = 0, cap = 0;
    struct ss_loc *locs = NULL;

    for (size_t i = lo; i <= hi; i++) {
        const struct cev *e = &ev[i];
        size_t add = e->locs != NULL ? e->n_locs : 1;

        if (pick != NULL && !pick[i - lo])
            continue;
        if (e->t != INT64_MIN) {
            m.first_t = SS_MIN(m.first_t, e->t0 != INT64_MIN ? e->t0 : e->t);
            m.last_t = SS_MAX(m.last_t, e->t);
        }
        m.n_total += e->locs != NULL ? e->n_total : 1;
        if (n + add > cap) {
            size_t ncap = SS_MAX(cap * 2, n + add + 16);
            struct ss_loc *nl = ss_reallocarray(locs, ncap, sizeof(*nl));

            if (nl == NULL) {
                ss_free(locs);
                return -ENOMEM;
            }
            locs = nl;
            cap = ncap;
        }
        if (e->locs != NULL) {
            memcpy(locs + n, e->locs, e->n_locs * sizeof(*locs));
            n += e->n_locs;
        } else {
            locs[n++] = e->loc;
        }
    }
    if (m.first_t == INT64_MAX)
        m.first_t = m.last_t = INT64_MIN;
    if (n > 1)
        qsort(locs, n, sizeof(*locs), cmp_loc);
    /* dedupe (one record can match several correlated rules) */
    {
        size_t w = 0;

        for (size_t i = 0; i < n; i++)
            if (w == 0 || ss_loc_cmp(&locs[w - 1], &locs[i]) != 0)
                locs[w++] = locs[i];
        n = w;
    }
    m.n_locs = SS_MIN(n, (size_t)SS_FINDING_MAX_EVIDENCE);
    if (room_for(c, sizeof(m) + m.n_locs * sizeof(*m.locs)) < 0) {
        ss_free(locs);
        return SS_ELIMIT;
    }
    m.locs = ss_arena_alloc(&c->arena, (m.n_locs ? m.n_locs : 1) * sizeof(*m.locs));
    if (m.locs == NULL) {
        ss_free(locs);
        return -ENOMEM;
    }
    if (m.n_locs > 0)
        memcpy(m.locs, locs, m.n_locs * sizeof(*m.locs));
    ss_free(locs);
    if (m.n_total < n)
        m.n_total = n;
    if (c->n_matches[order] == c->cap_matches[order]) {
        size_t cap2 = c->cap_matches[order] ? c->cap_matches[order] * 2 : 16;
        struct cmatch *nm = ss_reallocarray(c->matches[order], cap2, sizeof(*nm));

        if (nm == NULL)
            return -ENOMEM;
        c->matches[order] = nm;
        c->cap_matches[order] = cap2;
    }
    c->matches[order][c->n_matches[order]++] = m;
    return 0;
}

static int percentile_group(struct cstate *c, uint32_t order, const struct sg_corr *co,
                            const struct cev *ev, size_t lo, size_t hi)
{
    size_t n = hi - lo + 1;
    bool *pick = ss_calloc(n, sizeof(*pick));
    bool *done = ss_calloc(n, sizeof(*done));
    int r = 0;

    if (pick == NULL || done == NULL) {
        ss_free(pick);
        ss_free(done);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n && r == 0; i++) {
        size_t cnt = 0;

        if (done[i] || ev[lo + i].value == SG_NO_STR)
            continue;
        memset(pick, 0, n * sizeof(*pick));
        for (size_t j = i; j < n; j++) {
            if (ev[lo + j].value == ev[lo + i].value) {
                pick[j] = true;
                done[j] = true;
                cnt++;
            }
        }
        if (cond_holds(co, 100.0 * (double)cnt / (double)n))
            r = add_match(c, order, ev, lo, hi, pick);
    }
    ss_free(pick);
    ss_free(done);
    return r;
}

/* Run one correlation over its events (sorted). */
static int run_corr(struct cstate *c, uint32_t order)
{
    const struct sg_rule *ru = c->rs->rules[c->rs->corr_order[order]];
    const struct sg_corr *co = ru->corr;
    struct cev *ev = c->evs[order];
    size_t n = c->n_evs[order], g0 = 0;
    int64_t span = co->timespan_us;
    struct agg a;
    int r;

    if (n == 0)
        return 0;
    qsort(ev, n, sizeof(*ev), cmp_ev);
    r = agg_init(&a, co, n);
    while (r == 0 && g0 < n) {
        size_t g1 = g0;

        while (g1 < n && ev[g1].group == ev[g0].group)
            g1++;
        /* events without a time only count for unbounded windows */
        if (span > 0)
            while (g0 < g1 && ev[g0].t == INT64_MIN)
                g0++;
        agg_reset(&a);
        if (g0 < g1 && monotone(co)) {
            size_t lo = g0;

            for (size_t hi = g0; hi < g1 && r == 0; hi++) {
                size_t from;

                agg_add(&a, &ev[hi], hi, +1);
                while (span > 0 && ev[hi].t - ev[lo].t > span) {
                    agg_add(&a, &ev[lo], lo, -1);
                    lo++;
                }
                if (cond_holds(co, agg_value(&a, ev, lo, hi, &from))) {
                    r = add_match(c, order, ev, from, hi, NULL);
                    agg_reset(&a);
                    lo = hi + 1;
                }
            }
        } else if (g0 < g1) {
            size_t lo = g0;

            while (lo < g1 && r == 0) {
                size_t hi = lo, from;

                while (hi + 1 < g1 && (span == 0 || ev[hi + 1].t - ev[lo].t <= span))
                    hi++;
                agg_reset(&a);
                for (size_t i = lo; i <= hi; i++)
                    agg_add(&a, &ev[i], i, +1);
                if (co->type == SG_C_VALUE_PERCENTILE) {
                    r = percentile_group(c, order, co, ev, lo, hi);
                } else if (co->type == SG_C_TEMPORAL_ORDERED) {
                    uint32_t need = 0;

                    for (size_t i = lo; i <= hi; i++)
                        if (ev[i].slot == need && need < co->n_refs)
                            need++;
                    if (cond_holds(co, need))
                        r = add_match(c, order, ev, lo, hi, NULL);
                } else if (cond_holds(co, agg_value(&a, ev, lo, hi, &from))) {
                    r = add_match(c, order, ev, lo, hi, NULL);
                }
                lo = hi + 1;
            }
        }
        g0 = g1;
    }
    agg_release(&a);
    return r;
}

/* Feed the matches of correlation @order to the correlations that reference it. */
static int chain(struct cstate *c, uint32_t order)
{
    const struct ss_sigma_ruleset *rs = c->rs;
    const struct sg_rule *inner = rs->rules[rs->corr_order[order]];
    struct ss_buf key = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    int r = 0;

    for (size_t oo = order + 1; oo < rs->n_corr && r == 0; oo++) {
        const struct sg_rule *outer = rs->rules[rs->corr_order[oo]];
        const struct sg_corr *co = outer->corr;

        for (uint32_t slot = 0; slot < co->n_refs && r == 0; slot++) {
            if (co->rules[slot] != inner->index)
                continue;
            for (size_t mi = 0; mi < c->n_matches[order] && r == 0; mi++) {
                const struct cmatch *m = &c->matches[order][mi];
                size_t gl;
                const char *gs = ss_sigma_pool_get(&c->pool, m->group, &gl);
                struct cev e = { .slot = slot,
                                 .t = m->last_t,
                                 .t0 = m->first_t,
                                 .value = SG_NO_STR,
                                 .entity = m->entity,
                                 .locs = m->locs,
                                 .n_locs = (uint32_t)m->n_locs,
                                 .n_total = m->n_total };
                bool ok = true;

                e.loc = m->n_locs ? m->locs[0] : (struct ss_loc){ 0 };
                ss_buf_reset(&key);
                for (uint32_t g = 0; g < co->n_group && ok && r == 0; g++) {
                    /* the outer group field, by name among the inner's group-by */
                    const char *want = co->group_by[g];
                    const char *p = gs;
                    size_t left = gl;
                    bool found = false;

                    for (uint32_t a = 0; a < co->n_aliases; a++) {
                        const struct sg_alias *al = &co->aliases[a];

                        if (strcmp(al->alias, want) != 0)
                            continue;
                        for (uint32_t k = 0; k < al->n; k++)
                            if ((inner->name && strcmp(al->rule_refs[k], inner->name) == 0) ||
                                (inner->id && strcmp(al->rule_refs[k], inner->id) == 0))
                                want = al->fields[k];
                    }
                    for (uint32_t ig = 0; ig < inner->corr->n_group && !found; ig++) {
                        const char *sep = memchr(p, '\x1f', left);
                        size_t part = sep ? (size_t)(sep - p) : left;

                        if (strcmp(inner->corr->group_by[ig], want) == 0) {
                            if (g > 0)
                                r = ss_buf_putc(&key, '\x1f');
                            if (r == 0)
                                r = ss_buf_append(&key, p, part);
                            found = true;
                        }
                        if (sep == NULL)
                            break;
                        left -= part + 1;
                        p = sep + 1;
                    }
                    ok = found;
                }
                if (r < 0 || !ok)
                    continue;
                e.group = gput(c, key.ptr, key.len);
                if (e.group == SG_NO_STR) {
                    r = -ENOMEM;
                    break;
                }
                r = push_ev(c, (uint32_t)oo, &e, key.len);
            }
        }
    }
    ss_buf_release(&key);
    return r;
}

/* Rank every group key that events of correlation @order use (by bytes). */
static int rank_groups(struct cstate *c, uint32_t order)
{
    size_t n = c->n_evs[order];
    uint32_t *ids;
    struct pair *pairs;
    size_t n_u = 0;

    if (n == 0)
        return 0;
    ids = ss_malloc(n * sizeof(*ids));
    pairs = ss_malloc(n * sizeof(*pairs));
    if (ids == NULL || pairs == NULL) {
        ss_free(ids);
        ss_free(pairs);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        ids[i] = c->evs[order][i].group;
    qsort(ids, n, sizeof(*ids), cmp_u32);
    for (size_t i = 0; i < n; i++)
        if (n_u == 0 || ids[n_u - 1] != ids[i])
            ids[n_u++] = ids[i];
    {
        struct keyref *kr = ss_malloc((n_u ? n_u : 1) * sizeof(*kr));

        if (kr == NULL) {
            ss_free(ids);
            ss_free(pairs);
            return -ENOMEM;
        }
        for (size_t i = 0; i < n_u; i++) {
            kr[i].id = ids[i];
            kr[i].p = ss_sigma_pool_get(&c->pool, ids[i], &kr[i].l);
        }
        qsort(kr, n_u, sizeof(*kr), cmp_keyref);
        for (size_t i = 0; i < n_u; i++)
            ids[i] = kr[i].id;
        ss_free(kr);
    }
    for (size_t i = 0; i < n_u; i++)
        pairs[i] = (struct pair){ .id = ids[i], .rank = (uint32_t)i };
    qsort(pairs, n_u, sizeof(*pairs), cmp_pair_id);
    for (size_t i = 0; i < n; i++) {
        struct cev *e = &c->evs[order][i];
        size_t lo = 0, hi = n_u;

        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (pairs[mid].id < e->group)
                lo = mid + 1;
            else
                hi = mid;
        }
        e->group = pairs[lo].rank;
    }
    /* keep rank -> pool id for output: reuse ids (sorted by bytes) */
    {
        uint32_t *keep = ss_arena_alloc(&c->arena, n_u * sizeof(*keep));

        if (keep == NULL) {
            ss_free(ids);
            ss_free(pairs);
            return -ENOMEM;
        }
        memcpy(keep, ids, n_u * sizeof(*keep));
        c->rank = keep;
    }
    ss_free(ids);
    ss_free(pairs);
    return 0;
}

static void cstate_release(struct cstate *c)
{
    for (size_t i = 0; c->evs != NULL && i < c->rs->n_corr; i++)
        ss_free(c->evs[i]);
    for (size_t i = 0; c->matches != NULL && i < c->rs->n_corr; i++)
        ss_free(c->matches[i]);
    ss_free(c->evs);
    ss_free(c->n_evs);
    ss_free(c->cap_evs);
    ss_free(c->matches);
    ss_free(c->n_matches);
    ss_free(c->cap_matches);
    ss_sigma_pool_release(&c->pool);
    ss_arena_release(&c->arena);
}

static int gather(struct cstate *c, struct ss_sigma_scratch *const *scratches, size_t n)
{
    const struct ss_sigma_ruleset *rs = c->rs;
    size_t nc = rs->n_corr ? rs->n_corr : 1;

    c->evs = ss_calloc(nc, sizeof(*c->evs));
    c->n_evs = ss_calloc(nc, sizeof(*c->n_evs));
    c->cap_evs = ss_calloc(nc, sizeof(*c->cap_evs));
    c->matches = ss_calloc(nc, sizeof(*c->matches));
    c->n_matches = ss_calloc(nc, sizeof(*c->n_matches));
    c->cap_matches = ss_calloc(nc, sizeof(*c->cap_matches));
    if (c->evs == NULL || c->n_evs == NULL || c->cap_evs == NULL || c->matches == NULL ||
        c->n_matches == NULL || c->cap_matches == NULL)
        return -ENOMEM;
    for (size_t si = 0; si < n; si++) {
        struct ss_sigma_scratch *s = scratches[si];

        for (size_t i = 0; i < s->n_kev; i++) {
            const struct sg_kev *k = &s->kev[i];
            const struct sg_rule *cr = rs->rules[k->corr];
            struct cev e = { .slot = k->slot,
                             .t = k->time_us,
                             .t0 = k->time_us,
                             .loc = k->loc,
                             .num = k->num,
                             .has_num = k->has_num,
                             .value = SG_NO_STR };
            const char *p;
            size_t l, str_bytes;
            int r;

            if (cr->dead)
                continue;
            p = ss_sigma_pool_get(&s->pool, k->group, &l);
            e.group = gput(c, p, l);
            str_bytes = l;
            if (k->value != SG_NO_STR) {
                p = ss_sigma_pool_get(&s->pool, k->value, &l);
                e.value = gput(c, p, l);
                str_bytes += l;
            }
            p = ss_sigma_pool_get(&s->pool, k->entity, &l);
            e.entity = gput(c, p, l);
            if (e.group == SG_NO_STR || e.entity == SG_NO_STR ||
                (k->value != SG_NO_STR && e.value == SG_NO_STR))
                return -ENOMEM;
            r = push_ev(c, cr->corr->order, &e, str_bytes + l);
            if (r < 0)
                return r;
        }
        /* copied: the scratch's events and their strings are freed */
        ss_free(s->kev);
        s->kev = NULL;
        s->n_kev = s->cap_kev = 0;
        ss_sigma_pool_release(&s->pool);
    }
    /* and their charges given back once all are copied, so that the most the budget
       held (all the events, and all the copies) does not depend on their spread */
    for (size_t si = 0; si < n; si++) {
        ss_sigma_keep_give(scratches[si]->keep, scratches[si]->kev_charged);
        scratches[si]->kev_charged = 0;
    }
    return 0;
}

static int group_text(const struct cstate *c, const struct sg_corr *co, uint32_t pool_id,
                      struct ss_buf *out)
{
    size_t gl;
    const char *gs = ss_sigma_pool_get(&c->pool, pool_id, &gl);
    int r = 0;

    ss_buf_reset(out);
    for (uint32_t g = 0; g < co->n_group && r == 0; g++) {
        const char *sep = memchr(gs, '\x1f', gl);
        size_t part = sep ? (size_t)(sep - gs) : gl;

        r = ss_buf_printf(out, "%s%s=%.*s", g ? ", " : "", co->group_by[g], (int)part, gs);
        if (sep == NULL)
            break;
        gl -= part + 1;
        gs = sep + 1;
    }
    return r;
}

int ss_sigma_correlate(const struct ss_sigma_ruleset *rs, struct ss_sigma_scratch *const *scratches,
                       size_t n, ss_sigma_corr_fn fn, void *ctx)
{
    struct cstate c = { .rs = rs };
    struct ss_buf gtxt = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    int r;

    /* no scratch, no event: no window can hold anything */
    if (rs->n_corr == 0 || n == 0)
        return 0;
    /* what was kept is incomplete: no correlation can be trusted */
    for (size_t i = 0; i < n; i++)
        if (ss_sigma_keep_passed(scratches[i]->keep))
            return SS_ELIMIT;
    c.keep = scratches[0]->keep;
    ss_arena_init(&c.arena, (size_t)8 << 30);
    r = gather(&c, scratches, n);
    for (uint32_t order = 0; r == 0 && order < rs->n_corr; order++) {
        const struct sg_rule *ru = rs->rules[rs->corr_order[order]];

        if (ru->dead)
            continue;
        /* the group ids of this correlation's events, ranked by their bytes */
        r = rank_groups(&c, order);
        if (r == 0)
            r = run_corr(&c, order);
        /* matches refer to ranks: turn them back into pool ids */
        for (size_t mi = 0; r == 0 && mi < c.n_matches[order]; mi++)
            c.matches[order][mi].group = c.rank[c.matches[order][mi].group];
        for (size_t mi = 0; r == 0 && ru->emits && mi < c.n_matches[order]; mi++) {
            const struct cmatch *m = &c.matches[order][mi];
            struct ss_sigma_corr_hit h = {
                .rule = ru->index,
                .first_us = m->first_t,
                .last_us = m->last_t,
                .n_events = m->n_total,
                .locs = m->locs,
                .n_locs = m->n_locs,
            };
            size_t el;
            const char *es = ss_sigma_pool_get(&c.pool, m->entity, &el);
            char *ent = ss_arena_strndup(&c.arena, es, el);

            r = ent == NULL ? -ENOMEM : group_text(&c, ru->corr, m->group, &gtxt);
            if (r < 0)
                break;
            h.entity = ent;
            h.group = gtxt.ptr;
            r = fn(ctx, &h);
        }
        if (r == 0)
            r = chain(&c, order);
    }
    ss_buf_release(&gtxt);
    cstate_release(&c);
    return r;
}

/* ---- findings ---- */

static int cmp_hitagg(const void *a, const void *b)
{
    const struct sg_hitagg *x = *(const struct sg_hitagg *const *)a,
                           *y = *(const struct sg_hitagg *const *)b;
    int r;

    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    r = memcmp(x->ent, y->ent, SS_MIN(x->ent_len, y->ent_len));
    if (r != 0)
        return r;
    return x->ent_len < y->ent_len ? -1 : x->ent_len > y->ent_len;
}

struct fctx {
    const struct ss_sigma_ruleset *rs;
    struct ss_findings *fs;
    struct ss_buf buf;
};

static const char *const ctype_words[SG_C__COUNT] = {
    "event_count", "value_count", "temporal",         "temporal_ordered",
    "value_sum",   "value_avg",   "value_percentile",
};

static int add_finding(struct fctx *f, const struct sg_rule *ru, const char *ent, size_t ent_len,
                       int64_t first, int64_t last, const struct ss_loc *locs, size_t n_locs,
                       uint64_t n_total, const char *group)
{
    struct ss_evidence *ev = ss_calloc(n_locs ? n_locs : 1, sizeof(*ev));
    char *check = NULL, *desc = NULL, *entity = NULL, *data = NULL;
    const char *ents[1];
    struct ss_finding fd;
    int r = 0;

    if (ev == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n_locs; i++)
        ev[i].loc = locs[i];
    ss_buf_reset(&f->buf);
    r = ss_buf_printf(&f->buf, "sigma:%s", ru->uid);
    check = r == 0 ? ss_strdup(f->buf.ptr) : NULL;
    ss_buf_reset(&f->buf);
    if (ru->is_corr)
        r = ss_buf_printf(&f->buf, "Sigma %s correlation '%s' matched %" PRIu64 " events%s%s",
                          ctype_words[ru->corr->type], ru->title ? ru->title : ru->uid, n_total,
                          group && group[0] ? " of group " : "", group ? group : "");
    else
        r = ss_buf_printf(&f->buf, "Sigma rule '%s' (%s) matched %" PRIu64 " record%s",
                          ru->title ? ru->title : ru->uid, ru->level ? ru->level : "medium",
                          n_total, n_total == 1 ? "" : "s");
    desc = r == 0 ? ss_strdup(f->buf.ptr) : NULL;
    ss_buf_reset(&f->buf);
    r = r ? r : ss_buf_puts(&f->buf, "{\"rule_id\":");
    r = r ? r : ss_buf_put_json_str(&f->buf, ru->uid, strlen(ru->uid));
    r = r ? r : ss_buf_puts(&f->buf, ",\"level\":");
    r = r ? r
          : ss_buf_put_json_str(&f->buf, ru->level ? ru->level : "medium",
                                strlen(ru->level ? ru->level : "medium"));
    if (group != NULL && group[0] != '\0') {
        r = r ? r : ss_buf_puts(&f->buf, ",\"group\":");
        r = r ? r : ss_buf_put_json_str(&f->buf, group, strlen(group));
    }
    r = r ? r : ss_buf_putc(&f->buf, '}');
    data = r == 0 ? ss_strdup(f->buf.ptr) : NULL;
    entity = ss_strndup(ent, ent_len);
    if (r == 0 && (check == NULL || desc == NULL || data == NULL || entity == NULL))
        r = -ENOMEM;
    if (r == 0) {
        ents[0] = entity;
        fd = (struct ss_finding){
            .check_id = check,
            .severity = ru->sev,
            .title = ru->title ? ru->title : ru->uid,
            .desc = desc,
            .entities = ents,
            .n_entities = ent_len > 0 ? 1 : 0,
            .first_us = first == INT64_MIN ? 0 : first,
            .last_us = last == INT64_MIN ? 0 : last,
            .evidence = ev,
            .n_evidence = n_locs,
            .n_evidence_total = SS_MAX(n_total, (uint64_t)n_locs),
            .data_json = data,
        };
        r = ss_findings_add(f->fs, &fd, NULL);
    }
    ss_free(ev);
    ss_free(check);
    ss_free(desc);
    ss_free(entity);
    ss_free(data);
    return r;
}

static int corr_finding(void *ctx, const struct ss_sigma_corr_hit *h)
{
    struct fctx *f = ctx;
    const struct sg_rule *ru = f->rs->rules[h->rule];
    char *group = ss_strdup(h->group);
    int r;

    if (group == NULL)
        return -ENOMEM;
    r = add_finding(f, ru, h->entity, strlen(h->entity), h->first_us, h->last_us, h->locs,
                    h->n_locs, h->n_events, group);
    ss_free(group);
    return r;
}

/*
 * Instead of the rules' findings: one sigma.limit-reached finding with the budget @max and
 * every rule's hit count (summed over @scratches, in rule order: exact, as hits are
 * counted whether kept or not).
 */
static int limit_finding(const struct ss_sigma_ruleset *rs,
                         struct ss_sigma_scratch *const *scratches, size_t n, uint64_t max,
                         struct ss_findings *fs)
{
    struct ss_buf desc = SS_BUF_INIT(SS_BUF_SMALL_MAX), data = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    struct ss_buf one = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    const char *ents[1] = { "sigma" };
    uint64_t records = 0, omitted = 0;
    size_t listed = 0;
    int r = ss_buf_printf(&data, "{\"budget_bytes\":%" PRIu64 ",\"rules\":[", max);

    for (size_t ri = 0; r == 0 && ri < rs->n_rules; ri++) {
        const struct sg_rule *ru = rs->rules[ri];
        uint64_t hits = 0;

        for (size_t i = 0; i < n; i++)
            hits += scratches[i]->rule_hits[ri];
        if (hits == 0 || !ru->emits)
            continue;
        records += hits;
        ss_buf_reset(&one);
        r = ss_buf_puts(&one, listed ? ",{\"rule_id\":" : "{\"rule_id\":");
        if (r == 0)
            r = ss_buf_put_json_str(&one, ru->uid, strlen(ru->uid));
        if (r == 0)
            r = ss_buf_printf(&one, ",\"hits\":%" PRIu64 "}", hits);
        /* the list stops at half the buffer; the rest is counted */
        if (r == 0 && data.len + one.len > SS_BUF_SMALL_MAX / 2) {
            omitted++;
            continue;
        }
        if (r == 0)
            r = ss_buf_append(&data, one.ptr, one.len);
        listed++;
    }
    if (r == 0)
        r = omitted > 0 ? ss_buf_printf(&data, "],\"rules_not_listed\":%" PRIu64 "}", omitted)
                        : ss_buf_puts(&data, "]}");
    if (r == 0)
        r = ss_buf_printf(&desc,
                          "Sigma rules matched %" PRIu64 " times, but the events and hits kept "
                          "for findings and correlations passed the memory budget of %" PRIu64
                          " bytes (--max-memory), so no Sigma finding and no correlation was "
                          "made: their absence means nothing. Each rule's hit count is in "
                          "data_json; raise the budget and review again.",
                          records, max);
    if (r == 0) {
        struct ss_finding f = {
            .check_id = "sigma.limit-reached",
            .severity = SS_SEV_MEDIUM,
            .title = "Sigma findings not made: the memory budget was passed",
            .desc = desc.ptr,
            .entities = ents,
            .n_entities = 1,
            .data_json = data.ptr,
        };

        r = ss_findings_add(fs, &f, NULL);
    }
    ss_buf_release(&desc);
    ss_buf_release(&data);
    ss_buf_release(&one);
    return r;
}

int ss_sigma_findings(const struct ss_sigma_ruleset *rs, struct ss_sigma_scratch *const *scratches,
                      size_t n, struct ss_findings *fs)
{
    struct fctx f = { .rs = rs, .fs = fs, .buf = SS_BUF_INIT(SS_BUF_SMALL_MAX) };
    const struct ss_sigma_keep *k = n > 0 ? scratches[0]->keep : NULL;
    const struct sg_hitagg **all = NULL;
    struct ss_loc *locs = NULL;
    size_t fs_len = fs->len;
    int r = 0;

    if (n == 0)
        return 0;
    for (size_t i = 1; i < n; i++)
        if (scratches[i]->keep != k)
            return -EINVAL;
    if (ss_sigma_keep_passed(k))
        return limit_finding(rs, scratches, n, k->max, fs);
    /* one finding per entry, in (rule, entity) order */
    all = ss_calloc(k->n_hits + 1, sizeof(*all));
    locs = ss_calloc(SS_FINDING_MAX_EVIDENCE, sizeof(*locs));
    if (all == NULL || locs == NULL)
        r = -ENOMEM;
    for (size_t i = 0; i < k->n_hits && r == 0; i++)
        all[i] = &k->hits[i];
    if (r == 0 && k->n_hits > 1)
        qsort(all, k->n_hits, sizeof(*all), cmp_hitagg);
    for (size_t i = 0; i < k->n_hits && r == 0; i++) {
        const struct sg_hitagg *e = all[i];

        memcpy(locs, sg_hitagg_locs(e), e->n_heap * sizeof(*locs));
        qsort(locs, e->n_heap, sizeof(*locs), cmp_loc); /* a heap: sorted here */
        r = add_finding(&f, rs->rules[e->rule], e->ent, e->ent_len,
                        e->first == INT64_MAX ? INT64_MIN : e->first, e->last, locs, e->n_heap,
                        e->n, NULL);
    }
    if (r == 0)
        r = ss_sigma_correlate(rs, scratches, n, corr_finding, &f);
    ss_free(all);
    ss_free(locs);
    ss_buf_release(&f.buf);
    if (r == SS_ELIMIT && ss_sigma_keep_passed(k)) {
        /* the correlations passed the budget: none of these findings is made (what they
           took of @fs's arena stays allocated until @fs is released) */
        fs->len = fs_len;
        r = limit_finding(rs, scratches, n, k->max, fs);
    }
    return r;
}
