/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checks/checks.c - implements the public face of the checks area: the configuration
 * and its defaults, compiling the one path set that extracts every field the checks
 * read from a record in a single pass, the list of checks, per-worker states (new,
 * free, merge) and the dispatch of records and of the final findings to the record
 * families (checks_activity.c, checks_signin.c).
 */
#include "checks/checks.h"

#include "checks/checks_int.h"
#include "core/alloc.h"
#include "core/ss_time.h"

static const char *const default_embargoed[] = { "CU", "IR", "KP", "SY" };

static const struct ss_check_info check_infos[SS_CHECKS__COUNT] = {
    [SS_CHECKS_ACTIVITY_GAP] = {
        .id = "audit.activity-log-gap",
        .title = "Activity Log gap",
        .severity = SS_SEV_MEDIUM,
        .desc = "A subscription's Azure Activity Log has no records for at least 24 hours "
                "inside the case; high, and from 6 hours on in a busy subscription, when a "
                "diagnostic setting of the subscription was deleted just before the gap. Read "
                "from Activity Log records: resource-log schema, REST and Log Analytics "
                "AzureActivity rows.",
    },
    [SS_CHECKS_SIGNIN_EMBARGOED] = {
        .id = "access.signin-embargoed-country",
        .title = "Sign-in from an embargoed country",
        .severity = SS_SEV_HIGH,
        .desc = "A principal signed in, or tried to, from a country on the embargo list "
                "(default CU, IR, KP, SY: US EAR Country Groups E:1/E:2). One finding per "
                "principal and tenant. Read from Entra sign-in logs (interactive, "
                "non-interactive, service principal, managed identity; Log Analytics rows).",
    },
    [SS_CHECKS_DIAG_DELETED] = {
        .id = "audit.diagnostic-setting-deleted",
        .title = "Diagnostic setting deleted",
        .severity = SS_SEV_MEDIUM,
        .desc = "Diagnostic settings, which route logs to storage, were deleted: "
                "MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/DELETE in the Activity Log. One "
                "finding per subscription; low when every record of it is a failure.",
    },
    [SS_CHECKS_LIMIT_REACHED] = {
        .id = "checks.limit-reached",
        .title = "Check stopped at a limit",
        .severity = SS_SEV_MEDIUM,
        .desc = "The case held more subscriptions, subscription-hours or flagged principals "
                "than a built-in check may track; the check produced no findings. Raise the "
                "limits in the policy and review again.",
    },
};

size_t ss_checks_list(const struct ss_check_info **ret)
{
    *ret = check_infos;
    return SS_CHECKS__COUNT;
}

void ss_checks_config_default(struct ss_checks_config *cfg)
{
    *cfg = (struct ss_checks_config){
        .gap_min_us = 24 * SS_TIME_US_PER_HOUR,
        .gap_min_after_delete_us = 6 * SS_TIME_US_PER_HOUR,
        .gap_delete_window_us = 2 * SS_TIME_US_PER_HOUR,
        .gap_min_active_ratio = 0.5,
        .gap_report_edges = false,
        .time_min_us = ss_time_days_from_civil(2000, 1, 1) * SS_TIME_US_PER_DAY,
        .time_max_us = ss_time_days_from_civil(2100, 1, 1) * SS_TIME_US_PER_DAY,
        .embargoed = default_embargoed,
        .n_embargoed = SS_ARRAY_LEN(default_embargoed),
        .max_subscriptions = 100000,
        .max_sub_hours = (size_t)4 << 20,
        .max_deletes = (size_t)1 << 20,
        .max_principals = 100000,
        .max_signins = (size_t)4 << 20,
    };
}

/* Path of every field, in enum checks_field order. */
static const char *const field_paths[CHECKS_F__COUNT] = {
    [CHECKS_F_TIME] = "time",
    [CHECKS_F_EVENT_TS] = "eventTimestamp",
    [CHECKS_F_TIME_GENERATED] = "TimeGenerated",
    [CHECKS_F_CREATED] = "properties.createdDateTime",
    [CHECKS_F_RESOURCE_ID] = "resourceId",
    [CHECKS_F_LA_RESOURCE_ID] = "ResourceId",
    [CHECKS_F_LA_RESOURCE_ID2] = "_ResourceId",
    [CHECKS_F_CATEGORY] = "category",
    [CHECKS_F_CATEGORY_VALUE] = "category.value",
    [CHECKS_F_LA_CATEGORY_VALUE] = "CategoryValue",
    [CHECKS_F_LA_CATEGORY] = "Category",
    [CHECKS_F_LA_TYPE] = "Type",
    [CHECKS_F_EVENT_CATEGORY] = "properties.eventCategory",
    [CHECKS_F_OPERATION] = "operationName",
    [CHECKS_F_OPERATION_VALUE] = "operationName.value",
    [CHECKS_F_LA_OPERATION_VALUE] = "OperationNameValue",
    [CHECKS_F_RESULT] = "resultType",
    [CHECKS_F_STATUS_VALUE] = "status.value",
    [CHECKS_F_LA_STATUS_VALUE] = "ActivityStatusValue",
    [CHECKS_F_LA_RESULT] = "ResultType",
    [CHECKS_F_TENANT] = "tenantId",
    [CHECKS_F_LA_TENANT] = "AADTenantId",
    [CHECKS_F_RESOURCE_TENANT] = "properties.resourceTenantId",
    [CHECKS_F_COUNTRY] = "properties.location.countryOrRegion",
    [CHECKS_F_LA_COUNTRY] = "LocationDetails.countryOrRegion",
    [CHECKS_F_LOCATION] = "location",
    [CHECKS_F_LA_LOCATION] = "Location",
    [CHECKS_F_UPN] = "properties.userPrincipalName",
    [CHECKS_F_LA_UPN] = "UserPrincipalName",
    [CHECKS_F_SP_ID] = "properties.servicePrincipalId",
    [CHECKS_F_LA_SP_ID] = "ServicePrincipalId",
    [CHECKS_F_USER_ID] = "properties.userId",
    [CHECKS_F_LA_USER_ID] = "UserId",
    [CHECKS_F_ERROR_CODE] = "properties.status.errorCode",
    [CHECKS_F_LA_ERROR_CODE] = "Status.errorCode",
};

static int compile_paths(struct ss_json_pathset **ret, struct ss_diag *d)
{
    struct ss_json_pathset *set = ss_json_pathset_new();
    int r = 0;

    if (set == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < CHECKS_F__COUNT; i++) {
        struct ss_json_path *p = NULL;
        size_t slot = 0;

        r = ss_json_path_parse(field_paths[i], strlen(field_paths[i]), &p, d);
        if (r < 0)
            goto fail;
        r = ss_json_pathset_add(set, p, &slot);
        if (r < 0) {
            ss_json_path_free(p);
            goto fail;
        }
        if (SS_NEVER(slot != i)) {
            r = -EINVAL;
            goto fail;
        }
    }
    *ret = set;
    return 0;
fail:
    ss_json_pathset_free(set);
    return r;
}

static int bad_config(struct ss_diag *d, const char *what)
{
    return ss_diag_set(d, -EINVAL, "checks", 0, 0, UINT64_MAX, "%s", what);
}

static int copy_embargoed(struct ss_checks *ck, const struct ss_checks_config *cfg,
                          struct ss_diag *d)
{
    if (cfg->n_embargoed > SS_CHECKS_MAX_EMBARGOED)
        return ss_diag_set(d, SS_ELIMIT, "checks", 0, 0, UINT64_MAX,
                           "more than %d embargoed country codes", SS_CHECKS_MAX_EMBARGOED);
    if (cfg->n_embargoed > 0 && cfg->embargoed == NULL)
        return bad_config(d, "embargoed country list is missing");
    for (size_t i = 0; i < cfg->n_embargoed; i++) {
        const char *c = cfg->embargoed[i];
        char up[3];

        if (c == NULL || strlen(c) != 2)
            return ss_diag_set(d, -EINVAL, "checks", 0, 0, UINT64_MAX,
                               "embargoed country %zu is not a two-letter code", i + 1);
        for (size_t k = 0; k < 2; k++) {
            char x = c[k];

            if (x >= 'a' && x <= 'z')
                x = (char)(x - 'a' + 'A');
            if (x < 'A' || x > 'Z')
                return ss_diag_set(d, -EINVAL, "checks", 0, 0, UINT64_MAX,
                                   "embargoed country '%s' is not a two-letter code", c);
            up[k] = x;
        }
        up[2] = '\0';
        memcpy(ck->codes[i], up, sizeof(up));
        ck->codes_ptr[i] = ck->codes[i];
    }
    ck->cfg.embargoed = ck->codes_ptr;
    ck->cfg.n_embargoed = cfg->n_embargoed;
    return 0;
}

int ss_checks_new(const struct ss_checks_config *cfg, struct ss_checks **ret, struct ss_diag *d)
{
    struct ss_checks *ck;
    int r;

    if (cfg->gap_min_us < SS_TIME_US_PER_HOUR)
        return bad_config(d, "gap_min_us is below one hour");
    if (cfg->gap_min_after_delete_us < SS_TIME_US_PER_HOUR)
        return bad_config(d, "gap_min_after_delete_us is below one hour");
    if (cfg->gap_delete_window_us < 0)
        return bad_config(d, "gap_delete_window_us is negative");
    if (!(cfg->gap_min_active_ratio >= 0.0 && cfg->gap_min_active_ratio <= 1.0))
        return bad_config(d, "gap_min_active_ratio is not between 0 and 1");
    if (cfg->time_min_us >= cfg->time_max_us)
        return bad_config(d, "time_min_us is not below time_max_us");
    if (cfg->max_subscriptions == 0 || cfg->max_sub_hours == 0 || cfg->max_deletes == 0 ||
        cfg->max_principals == 0 || cfg->max_signins == 0)
        return bad_config(d, "a table limit is zero");
    if (cfg->max_subscriptions >= UINT32_MAX || cfg->max_sub_hours >= UINT32_MAX ||
        cfg->max_principals >= UINT32_MAX)
        return bad_config(d, "a table limit is above 2^32 - 1");
    ck = ss_calloc(1, sizeof(*ck));
    if (ck == NULL)
        return -ENOMEM;
    ck->cfg = *cfg;
    r = copy_embargoed(ck, cfg, d);
    if (r < 0)
        goto fail;
    r = compile_paths(&ck->set, d);
    if (r < 0)
        goto fail;
    *ret = ck;
    return 0;
fail:
    ss_checks_free(ck);
    return r;
}

void ss_checks_free(struct ss_checks *ck)
{
    if (ck == NULL)
        return;
    ss_json_pathset_free(ck->set);
    ss_free(ck);
}

int ss_checks_state_new(const struct ss_checks *ck, struct ss_checks_state **ret)
{
    struct ss_checks_state *st = ss_calloc(1, sizeof(*st));

    if (st == NULL)
        return -ENOMEM;
    st->ck = ck;
    *ret = st;
    return 0;
}

void ss_checks_state_free(struct ss_checks_state *st)
{
    if (st == NULL)
        return;
    checks_act_release(&st->act);
    checks_sig_release(&st->sig);
    ss_free(st);
}

static bool act_on(const struct ss_checks *ck)
{
    return !ck->cfg.disabled[SS_CHECKS_ACTIVITY_GAP] || !ck->cfg.disabled[SS_CHECKS_DIAG_DELETED];
}

static bool sig_on(const struct ss_checks *ck)
{
    return !ck->cfg.disabled[SS_CHECKS_SIGNIN_EMBARGOED];
}

int ss_checks_record(struct ss_checks_state *st, enum ss_input_kind kind, const char *rec,
                     size_t len, const struct ss_loc *loc)
{
    const struct ss_checks *ck = st->ck;
    struct ss_json_val v[CHECKS_F__COUNT];
    struct checks_rec r = { .v = v, .loc = loc };
    int rc;

    if (kind != SS_KIND_AZURE_JSONL && kind != SS_KIND_AZURE_RECORDS && kind != SS_KIND_AZURE_REST)
        return 0;
    if (!act_on(ck) && !sig_on(ck))
        return 0;
    if (len == 0 || rec[0] != '{' || ss_json_extract(ck->set, rec, len, v) != 0)
        return 0;
    if (act_on(ck)) {
        rc = checks_act_record(ck, &st->act, &r);
        if (rc != 0) /* < 0: error; 1: it was an Activity Log record */
            return rc < 0 ? rc : 0;
    }
    if (sig_on(ck))
        return checks_sig_record(ck, &st->sig, &r);
    return 0;
}

int ss_checks_state_merge(struct ss_checks_state *dst, const struct ss_checks_state *src)
{
    int r;

    if (SS_NEVER(dst->ck != src->ck))
        return -EINVAL;
    r = checks_act_merge(dst->ck, &dst->act, &src->act);
    if (r < 0)
        return r;
    return checks_sig_merge(dst->ck, &dst->sig, &src->sig);
}

int checks_limit_finding(const struct ss_checks *ck, const char *const *check_ids, size_t n_ids,
                         const char *limits_json, struct ss_findings *out)
{
    struct ss_buf title = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    struct ss_buf desc = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    struct ss_buf data = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    int r;

    if (ck->cfg.disabled[SS_CHECKS_LIMIT_REACHED])
        return 0;
    r = ss_buf_printf(&title, "Check %s stopped: the case exceeds its limits", check_ids[0]);
    if (r == 0)
        r = ss_buf_puts(&desc, "The case holds more distinct items than the check may track "
                               "(limits in data_json), so the check dropped what it had "
                               "gathered and produced no findings. Its absence from this "
                               "review means nothing; raise the limits and review again. "
                               "Affected checks:");
    for (size_t i = 0; r == 0 && i < n_ids; i++)
        r = ss_buf_printf(&desc, "%s %s", i == 0 ? "" : ",", check_ids[i]);
    if (r == 0)
        r = ss_buf_puts(&desc, ".");
    if (r == 0)
        r = ss_buf_puts(&data, "{\"checks\":[");
    for (size_t i = 0; r == 0 && i < n_ids; i++) {
        if (i > 0)
            r = ss_buf_putc(&data, ',');
        if (r == 0)
            r = checks_put_jstr(&data, check_ids[i]);
    }
    if (r == 0)
        r = ss_buf_printf(&data, "],\"limits\":%s}", limits_json);
    if (r == 0) {
        struct ss_finding f = {
            .check_id = check_infos[SS_CHECKS_LIMIT_REACHED].id,
            .severity = check_infos[SS_CHECKS_LIMIT_REACHED].severity,
            .title = title.ptr,
            .desc = desc.ptr,
            .entities = (const char **)check_ids,
            .n_entities = n_ids,
            .data_json = data.ptr,
        };

        r = ss_findings_add(out, &f, NULL);
    }
    ss_buf_release(&title);
    ss_buf_release(&desc);
    ss_buf_release(&data);
    return r;
}

int ss_checks_finish(const struct ss_checks *ck, const struct ss_checks_state *st,
                     struct ss_findings *out, struct ss_diag *d)
{
    struct ss_findings tmp;
    int r;

    if (SS_NEVER(st->ck != ck))
        return -EINVAL;
    ss_findings_init(&tmp, out->arena.max_bytes);
    r = checks_act_finish(ck, &st->act, &tmp);
    if (r == 0)
        r = checks_sig_finish(ck, &st->sig, &tmp);
    if (r == 0) {
        ss_findings_sort(&tmp);
        r = ss_findings_merge(out, &tmp);
    }
    ss_findings_release(&tmp);
    if (r == SS_ELIMIT)
        (void)ss_diag_set(d, r, "checks", 0, 0, UINT64_MAX, "findings exceed the memory cap");
    return r;
}

const char *checks_check_id(enum ss_checks_id id)
{
    return check_infos[id].id;
}
