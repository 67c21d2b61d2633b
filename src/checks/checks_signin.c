/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checks/checks_signin.c - implements access.signin-embargoed-country.
 *
 * Entra sign-in records (the four sign-in categories of the resource-log schema and the
 * matching Log Analytics tables) whose country is on the embargo list are grouped by
 * (tenant, principal). Per principal the state keeps counts, the time span, the set of
 * countries, the user object id of the lowest-location sign-in and the
 * CHECKS_KEEP_EVIDENCE lowest-location sign-ins: all merge by sum, min/max, union and
 * "lowest locations", so the result does not depend on how the records were split.
 * Sign-ins from other countries cost one field comparison and are not kept.
 */
#include "checks/checks_int.h"

#include "core/alloc.h"

static const char *const signin_categories[] = {
    "SignInLogs",
    "NonInteractiveUserSignInLogs",
    "ServicePrincipalSignInLogs",
    "ManagedIdentitySignInLogs",
};
static const char *const signin_tables[] = {
    "SigninLogs",
    "AADNonInteractiveUserSignInLogs",
    "AADServicePrincipalSignInLogs",
    "AADManagedIdentitySignInLogs",
};
static const char *const kind_names[CHECKS_PK__COUNT] = {
    [CHECKS_PK_UPN] = "user",
    [CHECKS_PK_SP] = "service-principal",
    [CHECKS_PK_USER_ID] = "user-id",
    [CHECKS_PK_UNKNOWN] = "unknown",
};

static const enum checks_field f_category[] = { CHECKS_F_CATEGORY, CHECKS_F_LA_CATEGORY };
static const enum checks_field f_country[] = { CHECKS_F_COUNTRY, CHECKS_F_LA_COUNTRY,
                                               CHECKS_F_LOCATION, CHECKS_F_LA_LOCATION };
static const enum checks_field f_time[] = { CHECKS_F_TIME, CHECKS_F_TIME_GENERATED,
                                            CHECKS_F_CREATED };
static const enum checks_field f_tenant[] = { CHECKS_F_TENANT, CHECKS_F_LA_TENANT,
                                              CHECKS_F_RESOURCE_TENANT };
static const enum checks_field f_upn[] = { CHECKS_F_UPN, CHECKS_F_LA_UPN };
static const enum checks_field f_sp[] = { CHECKS_F_SP_ID, CHECKS_F_LA_SP_ID };
static const enum checks_field f_user_id[] = { CHECKS_F_USER_ID, CHECKS_F_LA_USER_ID };

/* Longest user object id kept (a GUID is 36). */
#define MAX_OBJECT_ID 64

struct pkey {
    bool has_tenant;
    uint8_t tenant[16];
    enum checks_principal_kind kind;
    const char *name;
};

static bool principal_eq(const void *ctx, uint32_t idx, const void *key)
{
    const struct checks_principal *p = &((const struct checks_principal *)ctx)[idx];
    const struct pkey *k = key;

    return p->has_tenant == k->has_tenant && p->kind == k->kind &&
           (!k->has_tenant || memcmp(p->tenant, k->tenant, 16) == 0) &&
           strcmp(p->name, k->name) == 0;
}

static uint32_t principal_hash(const struct pkey *k)
{
    uint64_t seed = (uint64_t)k->kind << 1 | (k->has_tenant ? 1u : 0u);
    uint32_t h = checks_hash_bytes(k->name, strlen(k->name), seed);

    return k->has_tenant ? checks_hash_bytes(k->tenant, 16, h) : h;
}

static void principal_release(struct checks_principal *p)
{
    ss_free(p->name);
    ss_free(p->object_id);
    checks_evlist_release(&p->ev);
}

void checks_sig_release(struct checks_sig *s)
{
    for (size_t i = 0; i < s->n_p; i++)
        principal_release(&s->p[i]);
    ss_free(s->p);
    checks_index_release(&s->ix);
    *s = (struct checks_sig){ 0 };
}

static void sig_drop(struct checks_sig *s)
{
    checks_sig_release(s);
    s->overflow = true;
}

/* Index of principal @k, added if new. Returns 0, 1 (cap crossed) or -ENOMEM. */
static int principal_get(const struct ss_checks *ck, struct checks_sig *s, const struct pkey *k,
                         uint32_t *ret)
{
    uint32_t h = principal_hash(k);
    size_t pos;
    uint32_t idx = checks_index_find(&s->ix, h, principal_eq, s->p, k, &pos);
    struct checks_principal *p;
    int r;

    if (idx != UINT32_MAX) {
        *ret = idx;
        return 0;
    }
    if (s->n_p + 1 > ck->cfg.max_principals)
        return 1;
    if (s->n_p == s->cap_p) {
        size_t ncap = s->cap_p == 0 ? 4 : s->cap_p * 2;
        struct checks_principal *np = ss_reallocarray(s->p, ncap, sizeof(*np));

        if (np == NULL)
            return -ENOMEM;
        s->p = np;
        s->cap_p = ncap;
    }
    r = checks_index_reserve(&s->ix);
    if (r < 0)
        return r;
    (void)checks_index_find(&s->ix, h, principal_eq, s->p, k, &pos);
    idx = (uint32_t)s->n_p;
    p = &s->p[idx];
    *p = (struct checks_principal){
        .has_tenant = k->has_tenant,
        .kind = k->kind,
        .first_us = CHECKS_NO_TIME,
        .last_us = CHECKS_NO_TIME,
    };
    memcpy(p->tenant, k->tenant, 16);
    p->name = ss_strdup(k->name);
    if (p->name == NULL)
        return -ENOMEM;
    s->n_p++;
    checks_index_put(&s->ix, pos, h, idx);
    *ret = idx;
    return 0;
}

/* Index of the embargoed code of the record's country, or -1. */
static int country_index(const struct ss_checks *ck, const struct checks_rec *r)
{
    const struct ss_json_val *v = checks_first_str(r, f_country, SS_ARRAY_LEN(f_country));
    char c[4];

    if (v == NULL || checks_str(v, c, sizeof(c), false, false) != 2)
        return -1;
    for (size_t i = 0; i < 2; i++) {
        if (c[i] >= 'a' && c[i] <= 'z')
            c[i] = (char)(c[i] - 'a' + 'A');
    }
    for (size_t i = 0; i < ck->cfg.n_embargoed; i++) {
        if (c[0] == ck->codes[i][0] && c[1] == ck->codes[i][1])
            return (int)i;
    }
    return -1;
}

/* 1 success, -1 failure, 0 unknown. */
static int signin_result(const struct checks_rec *r)
{
    static const char *const ok[] = { "Success", "Succeeded" };
    const struct ss_json_val *v = &r->v[CHECKS_F_RESULT];
    double d;

    if (v->type == SS_JSON_MISSING)
        v = &r->v[CHECKS_F_LA_RESULT];
    if (v->type == SS_JSON_NUMBER || (v->type == SS_JSON_STRING && v->len > 2)) {
        if (ss_json_number(v, &d) == 0)
            return d == 0.0 ? 1 : -1;
        return checks_str_in(v, ok, SS_ARRAY_LEN(ok)) ? 1 : -1;
    }
    v = &r->v[CHECKS_F_ERROR_CODE];
    if (v->type == SS_JSON_MISSING)
        v = &r->v[CHECKS_F_LA_ERROR_CODE];
    if (ss_json_number(v, &d) == 0)
        return d == 0.0 ? 1 : -1;
    return 0;
}

static void span_add(struct checks_principal *p, int64_t first, int64_t last)
{
    if (first == CHECKS_NO_TIME)
        return;
    if (p->first_us == CHECKS_NO_TIME || first < p->first_us)
        p->first_us = first;
    if (p->last_us == CHECKS_NO_TIME || last > p->last_us)
        p->last_us = last;
}

/* Take @oid (owned) as the object id when @loc is lower than the current one's. */
static void object_id_offer(struct checks_principal *p, char *oid, const struct ss_loc *loc)
{
    if (p->object_id == NULL || ss_loc_cmp(loc, &p->oid_loc) < 0) {
        ss_free(p->object_id);
        p->object_id = oid;
        p->oid_loc = *loc;
        return;
    }
    ss_free(oid);
}

static bool is_signin(const struct checks_rec *r)
{
    const struct ss_json_val *cat = checks_first_str(r, f_category, SS_ARRAY_LEN(f_category));

    return checks_str_in(cat, signin_categories, SS_ARRAY_LEN(signin_categories)) ||
           checks_str_in(&r->v[CHECKS_F_LA_TYPE], signin_tables, SS_ARRAY_LEN(signin_tables));
}

static void principal_key(const struct checks_rec *r, struct pkey *k, char *name, size_t name_len)
{
    const struct ss_json_val *v = checks_first_str(r, f_tenant, SS_ARRAY_LEN(f_tenant));
    char tmp[40];
    long n;

    k->has_tenant = false;
    memset(k->tenant, 0, sizeof(k->tenant));
    if (v != NULL) {
        n = checks_str(v, tmp, sizeof(tmp), false, false);
        k->has_tenant = n > 0 && checks_guid_parse(tmp, (size_t)n, k->tenant);
    }
    k->kind = CHECKS_PK_UNKNOWN;
    name[0] = '\0';
    v = checks_first_str(r, f_upn, SS_ARRAY_LEN(f_upn));
    if (v != NULL && checks_str(v, name, name_len, true, true) > 0) {
        k->kind = CHECKS_PK_UPN;
    } else {
        v = checks_first_str(r, f_sp, SS_ARRAY_LEN(f_sp));
        if (v != NULL && checks_str(v, name, name_len, true, true) > 0) {
            k->kind = CHECKS_PK_SP;
        } else {
            v = checks_first_str(r, f_user_id, SS_ARRAY_LEN(f_user_id));
            if (v != NULL && checks_str(v, name, name_len, true, true) > 0)
                k->kind = CHECKS_PK_USER_ID;
            else
                name[0] = '\0';
        }
    }
    k->name = name;
}

int checks_sig_record(const struct ss_checks *ck, struct checks_sig *s, const struct checks_rec *r)
{
    char name[CHECKS_ID_MAX + 1];
    struct pkey k;
    struct checks_principal *p;
    int ci, res, rc;
    uint32_t idx;
    int64_t t;

    if (s->overflow || !is_signin(r))
        return 0;
    ci = country_index(ck, r);
    if (ci < 0)
        return 0;
    principal_key(r, &k, name, sizeof(name));
    rc = principal_get(ck, s, &k, &idx);
    if (rc != 0)
        goto out;
    p = &s->p[idx];
    p->n_total++;
    res = signin_result(r);
    if (res > 0)
        p->n_success++;
    else if (res < 0)
        p->n_failure++;
    p->countries |= UINT64_C(1) << ci;
    t = checks_rec_time(ck, r, f_time, SS_ARRAY_LEN(f_time));
    if (t == CHECKS_NO_TIME)
        p->n_untimed++;
    span_add(p, t, t);
    if (k.kind == CHECKS_PK_UPN) {
        const struct ss_json_val *v = checks_first_str(r, f_user_id, SS_ARRAY_LEN(f_user_id));
        char oid[MAX_OBJECT_ID + 1];

        if (v != NULL && checks_str(v, oid, sizeof(oid), true, false) > 0 &&
            (p->object_id == NULL || ss_loc_cmp(r->loc, &p->oid_loc) < 0)) {
            char *dup = ss_strdup(oid);

            if (dup == NULL)
                return -ENOMEM;
            object_id_offer(p, dup, r->loc);
        }
    }
    if (checks_evlist_wants(&p->ev, r->loc)) {
        struct checks_ev e = { .pt = { .t_us = t, .loc = *r->loc } };
        bool grew = false;

        rc = checks_evlist_put(&p->ev, &e, &grew);
        if (rc < 0)
            return rc;
        if (grew)
            s->n_kept++;
        if (s->n_kept > ck->cfg.max_signins)
            rc = 1;
    }
out:
    if (rc == 1) {
        sig_drop(s);
        rc = 0;
    }
    return rc;
}

int checks_sig_merge(const struct ss_checks *ck, struct checks_sig *dst,
                     const struct checks_sig *src)
{
    int rc = 0;

    if (dst->overflow)
        return 0;
    if (src->overflow) {
        sig_drop(dst);
        return 0;
    }
    for (size_t i = 0; i < src->n_p; i++) {
        const struct checks_principal *sp = &src->p[i];
        struct pkey k = { .has_tenant = sp->has_tenant, .kind = sp->kind, .name = sp->name };
        struct checks_principal *dp;
        uint32_t idx;
        size_t grew = 0;

        memcpy(k.tenant, sp->tenant, 16);
        rc = principal_get(ck, dst, &k, &idx);
        if (rc != 0)
            break;
        dp = &dst->p[idx];
        dp->n_total += sp->n_total;
        dp->n_success += sp->n_success;
        dp->n_failure += sp->n_failure;
        dp->n_untimed += sp->n_untimed;
        dp->countries |= sp->countries;
        span_add(dp, sp->first_us, sp->last_us);
        if (sp->object_id != NULL &&
            (dp->object_id == NULL || ss_loc_cmp(&sp->oid_loc, &dp->oid_loc) < 0)) {
            char *dup = ss_strdup(sp->object_id);

            if (dup == NULL)
                return -ENOMEM;
            object_id_offer(dp, dup, &sp->oid_loc);
        }
        rc = checks_evlist_merge(&dp->ev, &sp->ev, &grew);
        if (rc < 0)
            return rc;
        dst->n_kept += grew;
        if (dst->n_kept > ck->cfg.max_signins) {
            rc = 1;
            break;
        }
    }
    if (rc == 1) {
        sig_drop(dst);
        rc = 0;
    }
    return rc;
}

/* ---- findings ---- */

static int code_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int principal_text(const struct ss_checks *ck, const struct checks_principal *p,
                          const char *tenant, struct ss_buf *title, struct ss_buf *desc,
                          struct ss_buf *data)
{
    const char *codes[SS_CHECKS_MAX_EMBARGOED];
    size_t n_codes = 0;
    uint64_t n_unknown = p->n_total - p->n_success - p->n_failure;
    const char *who = p->name[0] != '\0' ? p->name : "an unidentified principal";
    int r = 0;

    for (size_t i = 0; i < ck->cfg.n_embargoed; i++) {
        if (p->countries & (UINT64_C(1) << i))
            codes[n_codes++] = ck->codes[i];
    }
    qsort(codes, n_codes, sizeof(*codes), code_cmp);

    r = ss_buf_printf(title, "Sign-ins from %s (",
                      n_codes == 1 ? "an embargoed country" : "embargoed countries");
    for (size_t i = 0; r == 0 && i < n_codes; i++)
        r = ss_buf_printf(title, "%s%s", i == 0 ? "" : ", ", codes[i]);
    if (r == 0)
        r = ss_buf_printf(title, ") by %s", who);

    if (r == 0)
        r = ss_buf_printf(desc, "%s", who);
    if (r == 0 && tenant != NULL)
        r = ss_buf_printf(desc, " of tenant %s", tenant);
    if (r == 0)
        r = ss_buf_puts(desc, " signed in, or tried to, from ");
    for (size_t i = 0; r == 0 && i < n_codes; i++)
        r = ss_buf_printf(desc, "%s%s", i == 0 ? "" : ", ", codes[i]);
    if (r == 0)
        r = ss_buf_printf(desc,
                          ", on the review's embargo list: %" PRIu64 " sign-ins, %" PRIu64
                          " successful and %" PRIu64 " failed",
                          p->n_total, p->n_success, p->n_failure);
    if (r == 0 && n_unknown > 0)
        r = ss_buf_printf(desc, ", %" PRIu64 " with no result", n_unknown);
    if (r == 0 && p->first_us != CHECKS_NO_TIME) {
        r = ss_buf_puts(desc, ", between ");
        if (r == 0)
            r = checks_put_time(desc, p->first_us);
        if (r == 0)
            r = ss_buf_puts(desc, " and ");
        if (r == 0)
            r = checks_put_time(desc, p->last_us);
    }
    if (r == 0)
        r = ss_buf_puts(desc, ". Providing the service to embargoed destinations may breach "
                              "export-control and sanctions obligations; a successful sign-in "
                              "means the service was used from there (or through an address "
                              "located there).");

    if (r == 0)
        r = ss_buf_puts(data, "{\"countries\":[");
    for (size_t i = 0; r == 0 && i < n_codes; i++)
        r = ss_buf_printf(data, "%s\"%s\"", i == 0 ? "" : ",", codes[i]);
    if (r == 0)
        r = ss_buf_printf(data,
                          "],\"n_failure\":%" PRIu64 ",\"n_signins\":%" PRIu64
                          ",\"n_success\":%" PRIu64 ",\"n_untimed\":%" PRIu64 ",\"object_id\":",
                          p->n_failure, p->n_total, p->n_success, p->n_untimed);
    if (r == 0)
        r = p->object_id != NULL ? checks_put_jstr(data, p->object_id) : ss_buf_puts(data, "null");
    if (r == 0)
        r = ss_buf_puts(data, ",\"principal\":");
    if (r == 0)
        r = checks_put_jstr(data, p->name);
    if (r == 0)
        r = ss_buf_printf(data, ",\"principal_type\":\"%s\",\"tenant\":", kind_names[p->kind]);
    if (r == 0)
        r = tenant != NULL ? checks_put_jstr(data, tenant) : ss_buf_puts(data, "null");
    if (r == 0)
        r = ss_buf_putc(data, '}');
    return r;
}

static int emit_principal(const struct ss_checks *ck, const struct checks_principal *p,
                          struct ss_findings *out)
{
    struct ss_buf title = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    struct ss_buf desc = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    struct ss_buf data = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    struct ss_evidence *ev = ss_calloc(p->ev.len == 0 ? 1 : p->ev.len, sizeof(*ev));
    char tenant[37];
    const char *ent[3];
    size_t n_ent = 0;
    int r = -ENOMEM;

    if (ev == NULL)
        goto out;
    for (size_t i = 0; i < p->ev.len; i++)
        ev[i].loc = p->ev.items[i].pt.loc;
    if (p->has_tenant) {
        checks_guid_format(p->tenant, tenant);
        ent[n_ent++] = tenant;
    }
    if (p->name[0] != '\0')
        ent[n_ent++] = p->name;
    if (p->object_id != NULL && strcmp(p->object_id, p->name) != 0)
        ent[n_ent++] = p->object_id;
    r = principal_text(ck, p, p->has_tenant ? tenant : NULL, &title, &desc, &data);
    if (r == 0) {
        struct ss_finding f = {
            .check_id = checks_check_id(SS_CHECKS_SIGNIN_EMBARGOED),
            .severity = SS_SEV_HIGH,
            .title = title.ptr,
            .desc = desc.ptr,
            .entities = ent,
            .n_entities = n_ent,
            .first_us = p->first_us == CHECKS_NO_TIME ? 0 : p->first_us,
            .last_us = p->last_us == CHECKS_NO_TIME ? 0 : p->last_us,
            .evidence = ev,
            .n_evidence = p->ev.len,
            .n_evidence_total = p->n_total,
            .data_json = data.ptr,
        };

        r = ss_findings_add(out, &f, NULL);
    }
out:
    ss_free(ev);
    ss_buf_release(&title);
    ss_buf_release(&desc);
    ss_buf_release(&data);
    return r;
}

int checks_sig_finish(const struct ss_checks *ck, const struct checks_sig *s,
                      struct ss_findings *out)
{
    int r = 0;

    if (ck->cfg.disabled[SS_CHECKS_SIGNIN_EMBARGOED])
        return 0;
    if (s->overflow) {
        const char *ids[1] = { checks_check_id(SS_CHECKS_SIGNIN_EMBARGOED) };
        char limits[128];

        snprintf(limits, sizeof(limits), "{\"max_principals\":%zu,\"max_signins\":%zu}",
                 ck->cfg.max_principals, ck->cfg.max_signins);
        return checks_limit_finding(ck, ids, 1, limits, out);
    }
    for (size_t i = 0; r == 0 && i < s->n_p; i++)
        r = emit_principal(ck, &s->p[i], out);
    return r;
}
