/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checks/checks_activity.c - implements the Activity Log family: audit.activity-log-gap
 * and audit.diagnostic-setting-deleted.
 *
 * Per subscription the state keeps, for every hour that has records, the earliest and
 * the latest record (time, then location, decides), and the diagnostic-setting deletes
 * (the CHECKS_KEEP_EVIDENCE lowest locations, all counted). Both are exact summaries that
 * merge by min/max and union, so the result does not depend on how the records were
 * split. A gap can only lie between two consecutive non-empty hours (gap_min_us is at
 * least an hour), so the hourly extremes find every gap exactly. Memory is
 * subscriptions x active hours, never records.
 */
#include "checks/checks_int.h"

#include "core/alloc.h"
#include "core/ss_time.h"

static const char *const activity_categories[] = {
    "Administrative",
    "Security",
    "ServiceHealth",
    "Alert",
    "Recommendation",
    "Policy",
    "Autoscale",
    "ResourceHealth",
    /* legacy category names of early exports (formats.md 1.2): Administrative */
    "Write",
    "Action",
    "Delete",
};

static const enum checks_field f_category[] = { CHECKS_F_CATEGORY, CHECKS_F_CATEGORY_VALUE,
                                                CHECKS_F_LA_CATEGORY_VALUE, CHECKS_F_LA_CATEGORY };
static const enum checks_field f_resource_id[] = { CHECKS_F_RESOURCE_ID, CHECKS_F_LA_RESOURCE_ID,
                                                   CHECKS_F_LA_RESOURCE_ID2 };
static const enum checks_field f_time[] = { CHECKS_F_TIME, CHECKS_F_EVENT_TS,
                                            CHECKS_F_TIME_GENERATED };
static const enum checks_field f_operation[] = { CHECKS_F_OPERATION, CHECKS_F_OPERATION_VALUE,
                                                 CHECKS_F_LA_OPERATION_VALUE };
static const enum checks_field f_result[] = { CHECKS_F_RESULT, CHECKS_F_STATUS_VALUE,
                                              CHECKS_F_LA_STATUS_VALUE };

static const char op_diag_delete[] = "MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/DELETE";
static const char subs_prefix[] = "/subscriptions/";
static const char diag_infix[] = "/providers/microsoft.insights/diagnosticsettings/";

/* Most setting ids listed in one finding's data_json. */
#define MAX_LISTED_SETTINGS 32

static int64_t hour_of(int64_t us)
{
    int64_t h = us / SS_TIME_US_PER_HOUR;

    return us % SS_TIME_US_PER_HOUR < 0 ? h - 1 : h;
}

/* Subscription of a lower-cased resource id "/subscriptions/<guid>[/...]". */
static bool rid_subscription(const char *rid, size_t len, uint8_t ret[16])
{
    size_t pl = sizeof(subs_prefix) - 1;

    if (len < pl + 36 || memcmp(rid, subs_prefix, pl) != 0)
        return false;
    if (len > pl + 36 && rid[pl + 36] != '/')
        return false;
    return checks_guid_parse(rid + pl, 36, ret);
}

/* Whether the lower-cased @rid is a subscription-level diagnostic setting. */
static bool rid_sub_setting(const char *rid, size_t len)
{
    size_t at = sizeof(subs_prefix) - 1 + 36, il = sizeof(diag_infix) - 1;

    if (len <= at + il || memcmp(rid + at, diag_infix, il) != 0)
        return false;
    return memchr(rid + at + il, '/', len - at - il) == NULL;
}

static bool sub_eq(const void *ctx, uint32_t idx, const void *key)
{
    const struct checks_sub *subs = ctx;

    return memcmp(subs[idx].guid, key, 16) == 0;
}

struct bkey {
    uint32_t sub;
    int64_t hour;
};

static bool bucket_eq(const void *ctx, uint32_t idx, const void *key)
{
    const struct checks_bucket *b = &((const struct checks_bucket *)ctx)[idx];
    const struct bkey *k = key;

    return b->sub == k->sub && b->hour == k->hour;
}

static uint32_t bucket_hash(const struct bkey *k)
{
    return checks_hash_u64((uint64_t)k->hour * UINT64_C(0x9e3779b97f4a7c15) ^ k->sub);
}

/* Drop everything: a cap was crossed. The family reports checks.limit-reached. */
static void act_drop(struct checks_act *a)
{
    checks_act_release(a);
    a->overflow = true;
}

void checks_act_release(struct checks_act *a)
{
    for (size_t i = 0; i < a->n_subs; i++)
        checks_evlist_release(&a->subs[i].dels);
    ss_free(a->subs);
    checks_index_release(&a->sub_ix);
    ss_free(a->b);
    checks_index_release(&a->b_ix);
    *a = (struct checks_act){ 0 };
}

/* Index of subscription @guid, added if new. Returns 0, 1 (cap crossed) or -ENOMEM. */
static int sub_get(const struct ss_checks *ck, struct checks_act *a, const uint8_t guid[16],
                   uint32_t *ret)
{
    uint32_t h = checks_hash_bytes(guid, 16, 0);
    size_t pos;
    uint32_t idx = checks_index_find(&a->sub_ix, h, sub_eq, a->subs, guid, &pos);
    int r;

    if (idx != UINT32_MAX) {
        *ret = idx;
        return 0;
    }
    if (a->n_subs + 1 > ck->cfg.max_subscriptions)
        return 1;
    if (a->n_subs == a->cap_subs) {
        size_t ncap = a->cap_subs == 0 ? 4 : a->cap_subs * 2;
        struct checks_sub *p = ss_reallocarray(a->subs, ncap, sizeof(*p));

        if (p == NULL)
            return -ENOMEM;
        a->subs = p;
        a->cap_subs = ncap;
    }
    r = checks_index_reserve(&a->sub_ix);
    if (r < 0)
        return r;
    (void)checks_index_find(&a->sub_ix, h, sub_eq, a->subs, guid, &pos);
    idx = (uint32_t)a->n_subs;
    a->subs[idx] =
        (struct checks_sub){ .del_first_us = CHECKS_NO_TIME, .del_last_us = CHECKS_NO_TIME };
    memcpy(a->subs[idx].guid, guid, 16);
    a->n_subs++;
    checks_index_put(&a->sub_ix, pos, h, idx);
    *ret = idx;
    return 0;
}

/* Widen bucket (@sub, hour of @first) by @first and @last. Returns 0, 1 (cap) or -ENOMEM. */
static int bucket_add(const struct ss_checks *ck, struct checks_act *a, uint32_t sub,
                      const struct checks_point *first, const struct checks_point *last)
{
    struct bkey k = { .sub = sub, .hour = hour_of(first->t_us) };
    uint32_t h = bucket_hash(&k);
    size_t pos;
    uint32_t idx = checks_index_find(&a->b_ix, h, bucket_eq, a->b, &k, &pos);
    int r;

    if (idx != UINT32_MAX) {
        struct checks_bucket *b = &a->b[idx];

        if (checks_point_cmp(first, &b->first) < 0)
            b->first = *first;
        if (checks_point_cmp(last, &b->last) > 0)
            b->last = *last;
        return 0;
    }
    if (a->n_b + 1 > ck->cfg.max_sub_hours)
        return 1;
    if (a->n_b == a->cap_b) {
        size_t ncap = a->cap_b == 0 ? 16 : a->cap_b * 2;
        struct checks_bucket *p = ss_reallocarray(a->b, ncap, sizeof(*p));

        if (p == NULL)
            return -ENOMEM;
        a->b = p;
        a->cap_b = ncap;
    }
    r = checks_index_reserve(&a->b_ix);
    if (r < 0)
        return r;
    (void)checks_index_find(&a->b_ix, h, bucket_eq, a->b, &k, &pos);
    idx = (uint32_t)a->n_b;
    a->b[idx] =
        (struct checks_bucket){ .sub = sub, .hour = k.hour, .first = *first, .last = *last };
    a->n_b++;
    checks_index_put(&a->b_ix, pos, h, idx);
    return 0;
}

static void extent_add(struct checks_act *a, const struct checks_point *first,
                       const struct checks_point *last)
{
    if (!a->has_extent) {
        a->case_first = *first;
        a->case_last = *last;
        a->has_extent = true;
        return;
    }
    if (checks_point_cmp(first, &a->case_first) < 0)
        a->case_first = *first;
    if (checks_point_cmp(last, &a->case_last) > 0)
        a->case_last = *last;
}

static void del_times(struct checks_sub *s, int64_t first, int64_t last)
{
    if (first == CHECKS_NO_TIME)
        return;
    if (s->del_first_us == CHECKS_NO_TIME || first < s->del_first_us)
        s->del_first_us = first;
    if (s->del_last_us == CHECKS_NO_TIME || last > s->del_last_us)
        s->del_last_us = last;
}

static unsigned result_flags(const struct checks_rec *r)
{
    static const char *const ok[] = { "Success", "Succeeded" };
    static const char *const bad[] = { "Failure", "Failed" };
    const struct ss_json_val *v = checks_first_str(r, f_result, SS_ARRAY_LEN(f_result));

    if (checks_str_in(v, ok, SS_ARRAY_LEN(ok)))
        return CHECKS_EV_SUCCESS;
    if (checks_str_in(v, bad, SS_ARRAY_LEN(bad)))
        return CHECKS_EV_FAILURE;
    return 0;
}

/* A diagnostic-setting delete of subscription @sub. Returns 0, 1 (cap) or -ENOMEM. */
static int add_delete(const struct ss_checks *ck, struct checks_act *a, uint32_t sub,
                      const struct checks_rec *r, int64_t t, const char *rid, size_t rid_len)
{
    struct checks_sub *s = &a->subs[sub];
    unsigned flags = result_flags(r);
    struct checks_ev e;
    bool grew = false;
    int rc;

    s->n_dels++;
    if (flags & CHECKS_EV_SUCCESS)
        s->n_del_success++;
    if (flags & CHECKS_EV_FAILURE)
        s->n_del_failure++;
    del_times(s, t, t);
    if (!checks_evlist_wants(&s->dels, r->loc))
        return 0;
    if (rid_sub_setting(rid, rid_len))
        flags |= CHECKS_EV_SUB_SCOPE;
    e = (struct checks_ev){ .pt = { .t_us = t, .loc = *r->loc }, .flags = flags };
    e.str = ss_strndup(rid, rid_len);
    if (e.str == NULL)
        return -ENOMEM;
    rc = checks_evlist_put(&s->dels, &e, &grew);
    if (rc < 0) {
        ss_free(e.str);
        return rc;
    }
    if (grew)
        a->n_dels_kept++;
    return a->n_dels_kept > ck->cfg.max_deletes ? 1 : 0;
}

int checks_act_record(const struct ss_checks *ck, struct checks_act *a, const struct checks_rec *r)
{
    const struct ss_json_val *cat = checks_first_str(r, f_category, SS_ARRAY_LEN(f_category));
    const struct ss_json_val *rv, *op;
    char rid[CHECKS_ID_MAX + 1];
    long rid_len;
    uint8_t guid[16];
    uint32_t sub;
    int64_t t;
    int rc;

    if (a->overflow)
        return 0;
    if (!checks_str_in(cat, activity_categories, SS_ARRAY_LEN(activity_categories)) &&
        r->v[CHECKS_F_EVENT_CATEGORY].type == SS_JSON_MISSING)
        return 0;
    rv = checks_first_str(r, f_resource_id, SS_ARRAY_LEN(f_resource_id));
    if (rv == NULL)
        return 0;
    rid_len = checks_str(rv, rid, sizeof(rid), true, true);
    if (rid_len < 0 || !rid_subscription(rid, (size_t)rid_len, guid))
        return 0;
    rc = sub_get(ck, a, guid, &sub);
    if (rc != 0)
        goto out;
    t = checks_rec_time(ck, r, f_time, SS_ARRAY_LEN(f_time));
    if (t == CHECKS_NO_TIME) {
        a->subs[sub].n_untimed++;
    } else {
        struct checks_point pt = { .t_us = t, .loc = *r->loc };

        a->subs[sub].n_records++;
        rc = bucket_add(ck, a, sub, &pt, &pt);
        if (rc != 0)
            goto out;
        extent_add(a, &pt, &pt);
    }
    op = checks_first_str(r, f_operation, SS_ARRAY_LEN(f_operation));
    if (op != NULL && ss_json_str_eq(op, op_diag_delete, sizeof(op_diag_delete) - 1, true))
        rc = add_delete(ck, a, sub, r, t, rid, (size_t)rid_len);
out:
    if (rc == 1) {
        act_drop(a);
        rc = 0;
    }
    return rc < 0 ? rc : 1;
}

int checks_act_merge(const struct ss_checks *ck, struct checks_act *dst,
                     const struct checks_act *src)
{
    uint32_t *map = NULL;
    int rc = 0;

    if (dst->overflow)
        return 0;
    if (src->overflow) {
        act_drop(dst);
        return 0;
    }
    if (src->n_subs == 0)
        return 0;
    map = ss_calloc(src->n_subs, sizeof(*map));
    if (map == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < src->n_subs; i++) {
        const struct checks_sub *ss = &src->subs[i];
        struct checks_sub *ds;
        size_t grew = 0;

        rc = sub_get(ck, dst, ss->guid, &map[i]);
        if (rc != 0)
            goto out;
        ds = &dst->subs[map[i]];
        ds->n_records += ss->n_records;
        ds->n_untimed += ss->n_untimed;
        ds->n_dels += ss->n_dels;
        ds->n_del_success += ss->n_del_success;
        ds->n_del_failure += ss->n_del_failure;
        del_times(ds, ss->del_first_us, ss->del_last_us);
        rc = checks_evlist_merge(&ds->dels, &ss->dels, &grew);
        if (rc < 0)
            goto out;
        dst->n_dels_kept += grew;
        if (dst->n_dels_kept > ck->cfg.max_deletes) {
            rc = 1;
            goto out;
        }
    }
    for (size_t i = 0; i < src->n_b; i++) {
        const struct checks_bucket *b = &src->b[i];

        rc = bucket_add(ck, dst, map[b->sub], &b->first, &b->last);
        if (rc != 0)
            goto out;
    }
    if (src->has_extent)
        extent_add(dst, &src->case_first, &src->case_last);
out:
    ss_free(map);
    if (rc == 1) {
        act_drop(dst);
        rc = 0;
    }
    return rc;
}

/* ---- findings ---- */

enum gap_position { GAP_INSIDE = 0, GAP_END, GAP_START };

static const char *const position_names[] = { "inside", "end", "start" };

struct gap {
    enum gap_position pos;
    const struct checks_point *before, *after;
    const struct checks_ev *del; /* corroborating delete, or NULL */
    int64_t active_hours, observed_hours;
};

/*
 * The latest delete of a subscription-level setting that did not fail, at most
 * gap_delete_window_us before @t0 (the last record before the gap), or NULL.
 */
static const struct checks_ev *find_delete(const struct ss_checks *ck, const struct checks_sub *s,
                                           int64_t t0)
{
    const struct checks_ev *best = NULL;

    for (size_t i = 0; i < s->dels.len; i++) {
        const struct checks_ev *e = &s->dels.items[i];

        if (!(e->flags & CHECKS_EV_SUB_SCOPE) || (e->flags & CHECKS_EV_FAILURE) ||
            e->pt.t_us == CHECKS_NO_TIME)
            continue;
        if (e->pt.t_us > t0 || e->pt.t_us < t0 - ck->cfg.gap_delete_window_us)
            continue;
        if (best == NULL || checks_point_cmp(&e->pt, &best->pt) > 0)
            best = e;
    }
    return best;
}

static const char *setting_name(const char *id)
{
    const char *slash = strrchr(id, '/');

    return slash != NULL && slash[1] != '\0' ? slash + 1 : id;
}

static int gap_text(const struct checks_sub *s, const char *sub_id, const struct gap *g,
                    struct ss_buf *title, struct ss_buf *desc, struct ss_buf *data)
{
    int64_t gap_us = g->after->t_us - g->before->t_us;
    long long hours = (long long)((gap_us + SS_TIME_US_PER_HOUR / 2) / SS_TIME_US_PER_HOUR);
    const char *tail = g->del != NULL ? " after a diagnostic setting was deleted" : "";
    int r;

    switch (g->pos) {
    case GAP_END:
        r = ss_buf_printf(title, "Activity Log stops %lld h before the end of the case%s", hours,
                          tail);
        break;
    case GAP_START:
        r = ss_buf_printf(title, "Activity Log starts %lld h after the start of the case", hours);
        break;
    case GAP_INSIDE:
    default:
        r = ss_buf_printf(title, "Activity Log gap of %lld h%s", hours, tail);
        break;
    }
    if (r < 0)
        return r;

    switch (g->pos) {
    case GAP_END:
        r = ss_buf_printf(desc, "The last Activity Log record of subscription %s is at ", sub_id);
        if (r == 0)
            r = checks_put_time(desc, g->before->t_us);
        if (r == 0)
            r = ss_buf_puts(desc, ", ");
        if (r == 0)
            r = checks_put_ratio2(desc, gap_us, SS_TIME_US_PER_HOUR);
        if (r == 0)
            r = ss_buf_puts(desc, " h before the latest Activity Log record of the case (");
        if (r == 0)
            r = checks_put_time(desc, g->after->t_us);
        if (r == 0)
            r = ss_buf_puts(desc, ")");
        break;
    case GAP_START:
        r = ss_buf_printf(desc, "The first Activity Log record of subscription %s is at ", sub_id);
        if (r == 0)
            r = checks_put_time(desc, g->after->t_us);
        if (r == 0)
            r = ss_buf_puts(desc, ", ");
        if (r == 0)
            r = checks_put_ratio2(desc, gap_us, SS_TIME_US_PER_HOUR);
        if (r == 0)
            r = ss_buf_puts(desc, " h after the earliest Activity Log record of the case (");
        if (r == 0)
            r = checks_put_time(desc, g->before->t_us);
        if (r == 0)
            r = ss_buf_puts(desc, ")");
        break;
    case GAP_INSIDE:
    default:
        r = ss_buf_printf(desc, "Subscription %s has no Activity Log records from ", sub_id);
        if (r == 0)
            r = checks_put_time(desc, g->before->t_us);
        if (r == 0)
            r = ss_buf_puts(desc, " to ");
        if (r == 0)
            r = checks_put_time(desc, g->after->t_us);
        if (r == 0)
            r = ss_buf_puts(desc, " (");
        if (r == 0)
            r = checks_put_ratio2(desc, gap_us, SS_TIME_US_PER_HOUR);
        if (r == 0)
            r = ss_buf_puts(desc, " h)");
        break;
    }
    if (r == 0)
        r = ss_buf_printf(desc, ", although it has records in %lld of its %lld observed hours.",
                          (long long)g->active_hours, (long long)g->observed_hours);
    if (r == 0 && g->del != NULL) {
        r = ss_buf_printf(desc, " Its diagnostic setting '%s' was deleted at ",
                          setting_name(g->del->str));
        if (r == 0)
            r = checks_put_time(desc, g->del->pt.t_us);
        if (r == 0)
            r = ss_buf_puts(desc, ", ");
        if (r == 0)
            r = checks_put_ratio2(desc, g->before->t_us - g->del->pt.t_us, SS_TIME_US_PER_HOUR);
        if (r == 0)
            r = ss_buf_puts(desc, " h before the gap began: deleting the subscription's "
                                  "diagnostic setting stops the export of its Activity Log, "
                                  "so the gap most likely follows from that deletion.");
    } else if (r == 0) {
        r = ss_buf_puts(desc, " A gap can mean deleted or withheld log blobs, an interrupted "
                              "export, or a subscription that was idle; compare with the "
                              "subscription's diagnostic settings and the export's storage.");
    }
    if (r < 0)
        return r;

    r = ss_buf_printf(data,
                      "{\"active_hours\":%lld,\"deleted_setting\":", (long long)g->active_hours);
    if (r == 0)
        r = g->del != NULL ? checks_put_jstr(data, g->del->str) : ss_buf_puts(data, "null");
    if (r == 0)
        r = ss_buf_printf(data, ",\"diagnostic_setting_deleted\":%s,\"gap_end\":\"",
                          g->del != NULL ? "true" : "false");
    if (r == 0)
        r = checks_put_time(data, g->after->t_us);
    if (r == 0)
        r = ss_buf_puts(data, "\",\"gap_hours\":");
    if (r == 0)
        r = checks_put_ratio2(data, gap_us, SS_TIME_US_PER_HOUR);
    if (r == 0)
        r = ss_buf_puts(data, ",\"gap_start\":\"");
    if (r == 0)
        r = checks_put_time(data, g->before->t_us);
    if (r == 0)
        r = ss_buf_printf(data,
                          "\",\"observed_hours\":%lld,\"position\":\"%s\","
                          "\"subscription_records\":%" PRIu64 ",\"untimed_records\":%" PRIu64 "}",
                          (long long)g->observed_hours, position_names[g->pos], s->n_records,
                          s->n_untimed);
    return r;
}

static int emit_gap(const struct checks_sub *s, const char *sub_id, const struct gap *g,
                    struct ss_findings *out)
{
    struct ss_buf title = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    struct ss_buf desc = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    struct ss_buf data = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    struct ss_evidence ev[3];
    size_t n_ev = 0;
    const struct checks_point *pts[3] = { g->before, g->after,
                                          g->del != NULL ? &g->del->pt : NULL };
    const char *ent[1] = { sub_id };
    int r;

    memset(ev, 0, sizeof(ev));
    for (size_t i = 0; i < 3; i++) {
        bool dup = false;

        if (pts[i] == NULL)
            continue;
        for (size_t k = 0; k < n_ev; k++)
            dup = dup || ss_loc_cmp(&ev[k].loc, &pts[i]->loc) == 0;
        if (!dup)
            ev[n_ev++].loc = pts[i]->loc;
    }
    r = gap_text(s, sub_id, g, &title, &desc, &data);
    if (r == 0) {
        struct ss_finding f = {
            .check_id = checks_check_id(SS_CHECKS_ACTIVITY_GAP),
            .severity = g->del != NULL ? SS_SEV_HIGH : SS_SEV_MEDIUM,
            .title = title.ptr,
            .desc = desc.ptr,
            .entities = ent,
            .n_entities = 1,
            .first_us = g->before->t_us,
            .last_us = g->after->t_us,
            .evidence = ev,
            .n_evidence = n_ev,
            .n_evidence_total = n_ev,
            .data_json = data.ptr,
        };

        r = ss_findings_add(out, &f, NULL);
    }
    ss_buf_release(&title);
    ss_buf_release(&desc);
    ss_buf_release(&data);
    return r;
}

/*
 * Gaps of one subscription; @b holds its non-empty hours in order (m >= 1).
 *
 * A gap of at least gap_min_us is reported when a delete corroborates it or the
 * subscription is busy; a shorter one of at least gap_min_after_delete_us only when
 * both hold. Busy: records in at least gap_min_active_ratio of the hours from its first
 * to its last record, leaving out the empty hours inside gaps of gap_min_us or more.
 */
static int sub_gaps(const struct ss_checks *ck, const struct checks_act *a,
                    const struct checks_sub *s, const char *sub_id, const struct checks_bucket *b,
                    size_t m, struct ss_findings *out)
{
    const int64_t gmin = ck->cfg.gap_min_us;
    const int64_t gdel = SS_MIN(ck->cfg.gap_min_after_delete_us, gmin);
    int64_t gap_empty = 0, span, observed, len;
    bool busy;
    int r = 0;

    for (size_t i = 0; i + 1 < m; i++) {
        if (b[i + 1].first.t_us - b[i].last.t_us >= gmin)
            gap_empty += b[i + 1].hour - b[i].hour - 1;
    }
    span = b[m - 1].hour - b[0].hour + 1;
    observed = span - gap_empty;
    /* a quiet subscription is silent for days without anything being wrong */
    busy = (double)m >= ck->cfg.gap_min_active_ratio * (double)observed;

    for (size_t i = 0; r == 0 && i + 1 < m; i++) {
        struct gap g = { .pos = GAP_INSIDE,
                         .before = &b[i].last,
                         .after = &b[i + 1].first,
                         .active_hours = (int64_t)m,
                         .observed_hours = observed };

        len = g.after->t_us - g.before->t_us;
        if (len < gdel || (len < gmin && !busy))
            continue;
        g.del = find_delete(ck, s, g.before->t_us);
        if (g.del != NULL || (len >= gmin && busy))
            r = emit_gap(s, sub_id, &g, out);
    }
    len = a->case_last.t_us - b[m - 1].last.t_us;
    if (r == 0 && len >= gdel && (len >= gmin || busy)) {
        struct gap g = { .pos = GAP_END,
                         .before = &b[m - 1].last,
                         .after = &a->case_last,
                         .active_hours = (int64_t)m,
                         .observed_hours = observed };

        g.del = find_delete(ck, s, g.before->t_us);
        if (g.del != NULL || (len >= gmin && ck->cfg.gap_report_edges && busy))
            r = emit_gap(s, sub_id, &g, out);
    }
    len = b[0].first.t_us - a->case_first.t_us;
    if (r == 0 && len >= gmin && ck->cfg.gap_report_edges && busy) {
        struct gap g = { .pos = GAP_START,
                         .before = &a->case_first,
                         .after = &b[0].first,
                         .active_hours = (int64_t)m,
                         .observed_hours = observed };

        r = emit_gap(s, sub_id, &g, out);
    }
    return r;
}

static int str_ptr_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int diag_text(const struct checks_sub *s, const char *sub_id, const char **settings,
                     size_t n_settings, bool sub_scope, struct ss_buf *title, struct ss_buf *desc,
                     struct ss_buf *data)
{
    bool all_failed = s->n_del_failure == s->n_dels;
    int r;

    if (n_settings == 1)
        r = ss_buf_printf(title,
                          all_failed ? "Failed attempts to delete diagnostic setting '%s'"
                                     : "Diagnostic setting '%s' deleted",
                          setting_name(settings[0]));
    else
        r = ss_buf_printf(title,
                          all_failed ? "Failed attempts to delete %zu diagnostic settings"
                                     : "%zu diagnostic settings deleted",
                          n_settings);
    if (r < 0)
        return r;
    r = ss_buf_printf(desc,
                      "%" PRIu64 " %s records (%" PRIu64 " succeeded, %" PRIu64
                      " failed) in subscription %s",
                      s->n_dels, op_diag_delete, s->n_del_success, s->n_del_failure, sub_id);
    if (r == 0 && s->del_first_us != CHECKS_NO_TIME) {
        r = ss_buf_puts(desc, " between ");
        if (r == 0)
            r = checks_put_time(desc, s->del_first_us);
        if (r == 0)
            r = ss_buf_puts(desc, " and ");
        if (r == 0)
            r = checks_put_time(desc, s->del_last_us);
    }
    if (r == 0)
        r = ss_buf_puts(desc, ". Diagnostic settings route logs to storage, Log Analytics or "
                              "Event Hubs; deleting one stops that export.");
    if (r == 0 && sub_scope)
        r = ss_buf_puts(desc, " A subscription-level setting carries the subscription's "
                              "Activity Log.");
    if (r < 0)
        return r;
    r = ss_buf_printf(data,
                      "{\"n_failure\":%" PRIu64 ",\"n_records\":%" PRIu64 ",\"n_success\":%" PRIu64
                      ",\"settings\":[",
                      s->n_del_failure, s->n_dels, s->n_del_success);
    for (size_t i = 0; r == 0 && i < n_settings && i < MAX_LISTED_SETTINGS; i++) {
        if (i > 0)
            r = ss_buf_putc(data, ',');
        if (r == 0)
            r = checks_put_jstr(data, settings[i]);
    }
    if (r == 0)
        r = ss_buf_printf(data, "],\"subscription_setting\":%s}", sub_scope ? "true" : "false");
    return r;
}

static int emit_diag(const struct checks_sub *s, const char *sub_id, struct ss_findings *out)
{
    struct ss_buf title = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    struct ss_buf desc = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    struct ss_buf data = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    size_t n = s->dels.len, n_settings = 0;
    struct ss_evidence *ev = ss_calloc(n == 0 ? 1 : n, sizeof(*ev));
    const char **settings = ss_calloc(n == 0 ? 1 : n, sizeof(*settings));
    const char *ent[1] = { sub_id };
    bool sub_scope = false;
    int r = -ENOMEM;

    if (ev == NULL || settings == NULL)
        goto out;
    for (size_t i = 0; i < n; i++) {
        const struct checks_ev *e = &s->dels.items[i];

        ev[i].loc = e->pt.loc;
        settings[i] = e->str;
        sub_scope = sub_scope || (e->flags & CHECKS_EV_SUB_SCOPE) != 0;
    }
    qsort(settings, n, sizeof(*settings), str_ptr_cmp);
    for (size_t i = 0; i < n; i++) {
        if (n_settings == 0 || strcmp(settings[n_settings - 1], settings[i]) != 0)
            settings[n_settings++] = settings[i];
    }
    r = diag_text(s, sub_id, settings, n_settings, sub_scope, &title, &desc, &data);
    if (r == 0) {
        struct ss_finding f = {
            .check_id = checks_check_id(SS_CHECKS_DIAG_DELETED),
            .severity = s->n_del_failure == s->n_dels ? SS_SEV_LOW : SS_SEV_MEDIUM,
            .title = title.ptr,
            .desc = desc.ptr,
            .entities = ent,
            .n_entities = 1,
            .first_us = s->del_first_us == CHECKS_NO_TIME ? 0 : s->del_first_us,
            .last_us = s->del_last_us == CHECKS_NO_TIME ? 0 : s->del_last_us,
            .evidence = ev,
            .n_evidence = n,
            .n_evidence_total = s->n_dels,
            .data_json = data.ptr,
        };

        r = ss_findings_add(out, &f, NULL);
    }
out:
    ss_free(ev);
    ss_free(settings);
    ss_buf_release(&title);
    ss_buf_release(&desc);
    ss_buf_release(&data);
    return r;
}

static int bucket_cmp(const void *x, const void *y)
{
    const struct checks_bucket *a = x, *b = y;

    if (a->sub != b->sub)
        return a->sub < b->sub ? -1 : 1;
    return a->hour < b->hour ? -1 : a->hour > b->hour ? 1 : 0;
}

static int act_limit(const struct ss_checks *ck, struct ss_findings *out)
{
    const char *ids[2];
    size_t n = 0;
    char limits[256];

    if (!ck->cfg.disabled[SS_CHECKS_ACTIVITY_GAP])
        ids[n++] = checks_check_id(SS_CHECKS_ACTIVITY_GAP);
    if (!ck->cfg.disabled[SS_CHECKS_DIAG_DELETED])
        ids[n++] = checks_check_id(SS_CHECKS_DIAG_DELETED);
    snprintf(limits, sizeof(limits),
             "{\"max_deletes\":%zu,\"max_sub_hours\":%zu,\"max_subscriptions\":%zu}",
             ck->cfg.max_deletes, ck->cfg.max_sub_hours, ck->cfg.max_subscriptions);
    return n == 0 ? 0 : checks_limit_finding(ck, ids, n, limits, out);
}

int checks_act_finish(const struct ss_checks *ck, const struct checks_act *a,
                      struct ss_findings *out)
{
    struct checks_bucket *b = NULL;
    size_t *start = NULL;
    int r = -ENOMEM;

    if (a->overflow)
        return act_limit(ck, out);
    if (a->n_subs == 0)
        return 0;
    /* buckets by (subscription, hour); start[i] .. start[i + 1] are subscription i's */
    b = ss_calloc(a->n_b == 0 ? 1 : a->n_b, sizeof(*b));
    start = ss_calloc(a->n_subs + 1, sizeof(*start));
    if (b == NULL || start == NULL)
        goto out;
    if (a->n_b > 0)
        memcpy(b, a->b, a->n_b * sizeof(*b));
    qsort(b, a->n_b, sizeof(*b), bucket_cmp);
    for (size_t i = 0, k = 0; i <= a->n_subs; i++) {
        while (k < a->n_b && b[k].sub < i)
            k++;
        start[i] = k;
    }
    /* the caller sorts the findings: the order of subscriptions here does not matter */
    r = 0;
    for (size_t i = 0; r == 0 && i < a->n_subs; i++) {
        const struct checks_sub *s = &a->subs[i];
        char guid[37], sub_id[64];
        size_t m = start[i + 1] - start[i];

        checks_guid_format(s->guid, guid);
        snprintf(sub_id, sizeof(sub_id), "/subscriptions/%s", guid);
        if (!ck->cfg.disabled[SS_CHECKS_ACTIVITY_GAP] && m > 0)
            r = sub_gaps(ck, a, s, sub_id, &b[start[i]], m, out);
        if (r == 0 && !ck->cfg.disabled[SS_CHECKS_DIAG_DELETED] && s->n_dels > 0)
            r = emit_diag(s, sub_id, out);
    }
out:
    ss_free(b);
    ss_free(start);
    return r;
}
