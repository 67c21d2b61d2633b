/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checks/checks_int.h - private declarations shared by the files of the checks area.
 *
 * Never included outside src/checks/. The per-record field extraction (one path set
 * for every shape the checks read), the compiled checks, the per-state tables of the
 * two record families (Activity Log, sign-ins) and small helpers: a hash index over
 * item arrays, GUIDs, bounded evidence lists and JSON text building.
 */
#ifndef SS_CHECKS_CHECKS_INT_H
#define SS_CHECKS_CHECKS_INT_H

#include "checks/checks.h"

#include "core/buf.h"
#include "json/json.h"

/* Fields extracted from every Azure record, in path-set slot order (checks.c). */
enum checks_field {
    CHECKS_F_TIME = 0,           /* time (resource-log schema) */
    CHECKS_F_EVENT_TS,           /* eventTimestamp (Activity Log REST) */
    CHECKS_F_TIME_GENERATED,     /* TimeGenerated (Log Analytics rows) */
    CHECKS_F_CREATED,            /* properties.createdDateTime (Entra) */
    CHECKS_F_RESOURCE_ID,        /* resourceId */
    CHECKS_F_LA_RESOURCE_ID,     /* ResourceId */
    CHECKS_F_LA_RESOURCE_ID2,    /* _ResourceId */
    CHECKS_F_CATEGORY,           /* category (string; an object in REST) */
    CHECKS_F_CATEGORY_VALUE,     /* category.value (REST) */
    CHECKS_F_LA_CATEGORY_VALUE,  /* CategoryValue (AzureActivity) */
    CHECKS_F_LA_CATEGORY,        /* Category (Log Analytics) */
    CHECKS_F_LA_TYPE,            /* Type (Log Analytics table name) */
    CHECKS_F_EVENT_CATEGORY,     /* properties.eventCategory */
    CHECKS_F_OPERATION,          /* operationName (string; an object in REST) */
    CHECKS_F_OPERATION_VALUE,    /* operationName.value (REST) */
    CHECKS_F_LA_OPERATION_VALUE, /* OperationNameValue (AzureActivity) */
    CHECKS_F_RESULT,             /* resultType */
    CHECKS_F_STATUS_VALUE,       /* status.value (REST) */
    CHECKS_F_LA_STATUS_VALUE,    /* ActivityStatusValue (AzureActivity) */
    CHECKS_F_LA_RESULT,          /* ResultType (SigninLogs) */
    CHECKS_F_TENANT,             /* tenantId */
    CHECKS_F_LA_TENANT,          /* AADTenantId (Log Analytics; TenantId is the workspace) */
    CHECKS_F_RESOURCE_TENANT,    /* properties.resourceTenantId */
    CHECKS_F_COUNTRY,            /* properties.location.countryOrRegion */
    CHECKS_F_LA_COUNTRY,         /* LocationDetails.countryOrRegion */
    CHECKS_F_LOCATION,           /* location (sign-ins: ISO country code) */
    CHECKS_F_LA_LOCATION,        /* Location */
    CHECKS_F_UPN,                /* properties.userPrincipalName */
    CHECKS_F_LA_UPN,             /* UserPrincipalName */
    CHECKS_F_SP_ID,              /* properties.servicePrincipalId */
    CHECKS_F_LA_SP_ID,           /* ServicePrincipalId */
    CHECKS_F_USER_ID,            /* properties.userId */
    CHECKS_F_LA_USER_ID,         /* UserId */
    CHECKS_F_ERROR_CODE,         /* properties.status.errorCode */
    CHECKS_F_LA_ERROR_CODE,      /* Status.errorCode */
    CHECKS_F__COUNT
};

/* Longest resource id / principal name kept (longer ones are truncated). */
#define CHECKS_ID_MAX 512
/* Evidence records kept per finding (the N lowest locations). */
#define CHECKS_KEEP_EVIDENCE ((size_t)SS_FINDING_MAX_EVIDENCE)
/* Time of a record without a usable time. */
#define CHECKS_NO_TIME INT64_MIN

struct ss_checks {
    struct ss_checks_config cfg; /* cfg.embargoed points at codes_ptr */
    char codes[SS_CHECKS_MAX_EMBARGOED][3];
    const char *codes_ptr[SS_CHECKS_MAX_EMBARGOED];
    struct ss_json_pathset *set;
};

/* One record as the checks see it: extracted fields and where it lives. */
struct checks_rec {
    const struct ss_json_val *v; /* CHECKS_F__COUNT values */
    const struct ss_loc *loc;
};

/* A record reference: time (CHECKS_NO_TIME if none) and location. */
struct checks_point {
    int64_t t_us;
    struct ss_loc loc;
};

/* Order by time, then location. */
int checks_point_cmp(const struct checks_point *a, const struct checks_point *b);

/* ---- hash index: maps keys to positions in a caller-owned item array ---- */

struct checks_slot {
    uint32_t idx1; /* item index + 1; 0 = empty */
    uint32_t hash;
};

struct checks_index {
    struct checks_slot *slots;
    size_t cap; /* power of two, or 0 */
    size_t len;
};

/* Whether item @idx of the array behind @ctx has key @key. */
typedef bool (*checks_eq_fn)(const void *ctx, uint32_t idx, const void *key);

/* Make room for one more entry (load <= 1/2). Returns 0 or -ENOMEM. */
SS_MUST_USE int checks_index_reserve(struct checks_index *ix);
/*
 * Find @key: returns its item index, or UINT32_MAX with *ret_pos the slot where it
 * belongs (valid until the index changes).
 */
uint32_t checks_index_find(const struct checks_index *ix, uint32_t hash, checks_eq_fn eq,
                           const void *ctx, const void *key, size_t *ret_pos);
/* Record item @idx at slot @pos (from checks_index_find after checks_index_reserve). */
void checks_index_put(struct checks_index *ix, size_t pos, uint32_t hash, uint32_t idx);
void checks_index_release(struct checks_index *ix);

uint32_t checks_hash_bytes(const void *p, size_t len, uint64_t seed);
uint32_t checks_hash_u64(uint64_t v);

/* ---- evidence lists: the CHECKS_KEEP_EVIDENCE lowest locations, plus a count of all ---- */

enum checks_ev_flags {
    CHECKS_EV_SUCCESS = 1u << 0,   /* result Success / Succeeded */
    CHECKS_EV_FAILURE = 1u << 1,   /* result Failure / Failed */
    CHECKS_EV_SUB_SCOPE = 1u << 2, /* a subscription-level diagnostic setting */
};

struct checks_ev {
    struct checks_point pt;
    char *str; /* owned (ss_free); may be NULL */
    unsigned flags;
};

struct checks_evlist {
    struct checks_ev *items; /* unsorted */
    size_t len, cap;
    size_t imax; /* index of the highest location when len > 0 */
};

/* Whether an entry at @loc would be kept (the list has room or @loc is lower). */
bool checks_evlist_wants(const struct checks_evlist *l, const struct ss_loc *loc);
/*
 * Keep @e (takes e->str on success; the evicted entry's string is freed). *ret_grew is
 * set when the list got longer. Returns 0 or -ENOMEM (then @e->str is still the caller's).
 */
SS_MUST_USE int checks_evlist_put(struct checks_evlist *l, const struct checks_ev *e,
                                  bool *ret_grew);
/* Fold @src (copied) into @dst; *ret_grew_by is how much longer @dst got. */
SS_MUST_USE int checks_evlist_merge(struct checks_evlist *dst, const struct checks_evlist *src,
                                    size_t *ret_grew_by);
/* Sort by location (for output). */
void checks_evlist_sort(struct checks_evlist *l);
void checks_evlist_release(struct checks_evlist *l);

/* ---- small text helpers ---- */

/* Parse a dashed GUID (36 characters, any case). Returns true on success. */
bool checks_guid_parse(const char *s, size_t len, uint8_t ret[16]);
/* Lower-case dashed form of @g into @out (37 bytes). */
void checks_guid_format(const uint8_t g[16], char out[37]);
/*
 * Copy string value @v into @out (@out_len bytes, NUL-terminated, ASCII lower-cased if
 * @lower). A longer value is cut at a UTF-8 character boundary when @truncate_ok.
 * Returns the copied length, or -1 when @v is not a string, is malformed, contains a
 * NUL, or is longer than @out_len - 1 and !@truncate_ok.
 */
long checks_str(const struct ss_json_val *v, char *out, size_t out_len, bool lower,
                bool truncate_ok);
/* The first of @fields that is a non-empty string, or NULL. */
const struct ss_json_val *checks_first_str(const struct checks_rec *r,
                                           const enum checks_field *fields, size_t n);
/* Record time from the first string of @fields that is present; CHECKS_NO_TIME if unusable. */
int64_t checks_rec_time(const struct ss_checks *ck, const struct checks_rec *r,
                        const enum checks_field *fields, size_t n);
/* Whether the string @v equals one of @words, ASCII case-insensitively. */
bool checks_str_in(const struct ss_json_val *v, const char *const *words, size_t n);
/* Append @us as "YYYY-MM-DDTHH:MM:SS.ffffffZ". */
SS_MUST_USE int checks_put_time(struct ss_buf *b, int64_t us);
/* Append @num / @den with two decimals, as JSON (trailing zeros dropped: 48, 48.5, 48.08). */
SS_MUST_USE int checks_put_ratio2(struct ss_buf *b, int64_t num, int64_t den);
/* Append a JSON string for the NUL-terminated @s. */
SS_MUST_USE int checks_put_jstr(struct ss_buf *b, const char *s);

/* ---- record families ---- */

struct checks_sub {
    uint8_t guid[16];
    uint64_t n_records; /* timed Activity Log records */
    uint64_t n_untimed; /* Activity Log records without a usable time */
    struct checks_evlist dels;
    uint64_t n_dels, n_del_success, n_del_failure;
    int64_t del_first_us, del_last_us; /* CHECKS_NO_TIME if none */
};

/* Earliest and latest record of one subscription in one hour. */
struct checks_bucket {
    uint32_t sub;
    int64_t hour;
    struct checks_point first, last;
};

struct checks_act {
    struct checks_sub *subs;
    size_t n_subs, cap_subs;
    struct checks_index sub_ix;
    struct checks_bucket *b;
    size_t n_b, cap_b;
    struct checks_index b_ix;
    size_t n_dels_kept; /* delete entries kept over all subscriptions */
    bool has_extent;    /* case_first/case_last are set */
    struct checks_point case_first, case_last;
    bool overflow; /* a cap was crossed: the family's data was dropped */
};

enum checks_principal_kind {
    CHECKS_PK_UPN = 0,
    CHECKS_PK_SP,
    CHECKS_PK_USER_ID,
    CHECKS_PK_UNKNOWN,
    CHECKS_PK__COUNT
};

struct checks_principal {
    bool has_tenant;
    uint8_t tenant[16];
    enum checks_principal_kind kind;
    char *name;      /* owned; lower-cased; "" for CHECKS_PK_UNKNOWN */
    char *object_id; /* owned; lower-cased userId of the lowest-location sign-in, or NULL */
    struct ss_loc oid_loc;
    uint64_t n_total, n_success, n_failure, n_untimed;
    int64_t first_us, last_us; /* CHECKS_NO_TIME if no timed sign-in */
    uint64_t countries;        /* bit i: embargoed code i seen */
    struct checks_evlist ev;
};

struct checks_sig {
    struct checks_principal *p;
    size_t n_p, cap_p;
    struct checks_index ix;
    size_t n_kept; /* evidence entries kept over all principals */
    bool overflow;
};

struct ss_checks_state {
    const struct ss_checks *ck;
    struct checks_act act;
    struct checks_sig sig;
};

/* checks_activity.c */
SS_MUST_USE int checks_act_record(const struct ss_checks *ck, struct checks_act *a,
                                  const struct checks_rec *r);
SS_MUST_USE int checks_act_merge(const struct ss_checks *ck, struct checks_act *dst,
                                 const struct checks_act *src);
SS_MUST_USE int checks_act_finish(const struct ss_checks *ck, const struct checks_act *a,
                                  struct ss_findings *out);
void checks_act_release(struct checks_act *a);

/* checks_signin.c */
SS_MUST_USE int checks_sig_record(const struct ss_checks *ck, struct checks_sig *s,
                                  const struct checks_rec *r);
SS_MUST_USE int checks_sig_merge(const struct ss_checks *ck, struct checks_sig *dst,
                                 const struct checks_sig *src);
SS_MUST_USE int checks_sig_finish(const struct ss_checks *ck, const struct checks_sig *s,
                                  struct ss_findings *out);
void checks_sig_release(struct checks_sig *s);

/* checks.c: the id string of a check. */
const char *checks_check_id(enum ss_checks_id id);
/* checks.c: the limit-reached finding for a family that overflowed. */
SS_MUST_USE int checks_limit_finding(const struct ss_checks *ck, const char *const *check_ids,
                                     size_t n_ids, const char *limits_json,
                                     struct ss_findings *out);

#endif
