/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checks/checks.h - built-in checks derived from the logs of a case.
 *
 * The checks read Azure records (Activity Log, Entra sign-ins) and produce findings:
 *
 *   audit.activity-log-gap           a subscription's Activity Log stops for >= 24 h
 *   access.signin-embargoed-country  sign-ins from an embargoed country, per principal
 *   audit.diagnostic-setting-deleted diagnostic settings deleted, per subscription
 *   checks.limit-reached             a check stopped because the input crossed a cap
 *
 * docs/checks.md gives the exact logic, defaults and false-positive reasoning.
 *
 * Use: compile the configuration once (ss_checks_new); the compiled struct ss_checks is
 * immutable and shared read-only by every worker. Each worker (or each task) owns a
 * struct ss_checks_state and feeds it records with ss_checks_record. After the parallel
 * phase the states are folded into one with ss_checks_state_merge and the findings are
 * produced by ss_checks_finish.
 *
 * Invariants:
 * - A state is a summary whose size is bounded by the case's subscriptions x hours and
 *   its flagged principals, never by its records. Every table has a cap
 *   (struct ss_checks_config); crossing one does not fail: the affected checks drop
 *   their data and report a checks.limit-reached finding instead, so hostile input can
 *   neither exhaust memory nor silently switch a check off.
 * - Merging is commutative and associative: whatever records went to whatever states,
 *   and in whatever order the states are merged, the findings are the same, byte for
 *   byte. Records are identified by their location (input, offset, len); loc.index is
 *   copied into evidence as given and never used for ordering or identity.
 * - Evidence SHA-256 values are left zero (the caller hashes the cited records).
 */
#ifndef SS_CHECKS_CHECKS_H
#define SS_CHECKS_CHECKS_H

#include "core/base.h"
#include "core/diag.h"
#include "core/finding.h"
#include "io/io.h"

/** The built-in checks, in the order ss_checks_list returns them. */
enum ss_checks_id {
    SS_CHECKS_ACTIVITY_GAP = 0, /* audit.activity-log-gap */
    SS_CHECKS_SIGNIN_EMBARGOED, /* access.signin-embargoed-country */
    SS_CHECKS_DIAG_DELETED,     /* audit.diagnostic-setting-deleted */
    SS_CHECKS_LIMIT_REACHED,    /* checks.limit-reached */
    SS_CHECKS__COUNT
};

/** Most embargoed country codes a configuration may list. */
#define SS_CHECKS_MAX_EMBARGOED 64

/*
 * Configuration of the checks. ss_checks_config_default fills the documented defaults;
 * a review policy overrides fields before ss_checks_new. All times are microseconds.
 */
struct ss_checks_config {
    /* Per-check switch; all false (every check on) by default. */
    bool disabled[SS_CHECKS__COUNT];

    /* audit.activity-log-gap (docs/checks.md gives the exact rules) */
    /* Shortest reported gap; default 24 h; at least 1 h. */
    int64_t gap_min_us;
    /*
     * Shortest gap reported when a delete corroborates it and the subscription is busy;
     * default 6 h; at least 1 h; above gap_min_us it has no effect.
     */
    int64_t gap_min_after_delete_us;
    /* A delete at most this long before a gap corroborates it; default 2 h. */
    int64_t gap_delete_window_us;
    /*
     * A subscription is busy when it has records in at least this share of its observed
     * hours; an uncorroborated gap is reported only for a busy one; default 0.5; 0 makes
     * every subscription busy.
     */
    double gap_min_active_ratio;
    /* Also report uncorroborated gaps at the edges of the case; default false. */
    bool gap_report_edges;
    /*
     * Record times outside [time_min_us, time_max_us) count as untimed; default
     * 2000-01-01 to 2100-01-01.
     */
    int64_t time_min_us;
    int64_t time_max_us;

    /*
     * access.signin-embargoed-country: ISO 3166-1 alpha-2 codes (case-insensitive);
     * default CU IR KP SY (US EAR Country Groups E:1 and E:2). Borrowed until
     * ss_checks_new returns (it copies them).
     */
    const char *const *embargoed;
    size_t n_embargoed;

    /*
     * Caps (docs/checks.md "checks.limit-reached"); crossing one drops a family's data
     * and reports checks.limit-reached.
     */
    size_t max_subscriptions; /* distinct subscriptions; default 100000 */
    size_t max_sub_hours;     /* distinct (subscription, hour) buckets; default 4 Mi */
    size_t max_deletes;       /* diagnostic-setting deletes kept as evidence; default 1 Mi */
    size_t max_principals;    /* principals with embargoed sign-ins; default 100000 */
    size_t max_signins;       /* embargoed sign-ins kept as evidence; default 4 Mi */
};

/** Fill @cfg with the defaults documented above. */
void ss_checks_config_default(struct ss_checks_config *cfg);

/** Compiled checks: immutable after ss_checks_new; share read-only between threads. */
struct ss_checks;

/**
 * Validate and compile @cfg (borrowed; everything needed is copied). Returns owned
 * checks — free with ss_checks_free(). Returns 0, -ENOMEM, -EINVAL (a bad value: the
 * field and reason are in @reterr_diag) or SS_ELIMIT (too many embargoed codes).
 */
SS_MUST_USE int ss_checks_new(const struct ss_checks_config *cfg, struct ss_checks **ret,
                              struct ss_diag *reterr_diag);
/** Free @ck. Accepts NULL. Every state made from @ck must be freed first. */
void ss_checks_free(struct ss_checks *ck);

/** Per-worker (or per-task) accumulator. One owner; not thread-safe. */
struct ss_checks_state;

/**
 * New empty state for @ck (borrowed: must outlive the state). Allocates little until
 * records arrive. Returns owned state — free with ss_checks_state_free(); 0 or -ENOMEM.
 */
SS_MUST_USE int ss_checks_state_new(const struct ss_checks *ck, struct ss_checks_state **ret);
/** Free @st. Accepts NULL. */
void ss_checks_state_free(struct ss_checks_state *st);

/**
 * Feed one record: @rec[0..len) is its exact JSON text (already validated), from an
 * input of @kind, at @loc (borrowed; copied when the record is kept as evidence).
 * Records of kinds other than azure-jsonl, azure-records and azure-rest return at once.
 * Records that lack fields, carry wrong types or unparsable times are skipped or
 * counted, never errors. Returns 0 or -ENOMEM (the state is then only fit for freeing).
 */
SS_MUST_USE int ss_checks_record(struct ss_checks_state *st, enum ss_input_kind kind,
                                 const char *rec, size_t len, const struct ss_loc *loc);

/**
 * Fold @src (borrowed, unchanged) into @dst; both must come from the same checks.
 * Commutative and associative, so states may be merged in any order. Each record must
 * have been fed to exactly one of the states. Returns 0 or -ENOMEM (@dst is then only
 * fit for freeing).
 */
SS_MUST_USE int ss_checks_state_merge(struct ss_checks_state *dst,
                                      const struct ss_checks_state *src);

/**
 * Produce the findings of the merged state @st and add them (deep copies) to @out, in
 * canonical order within this call (by check id, primary entity, first evidence). The
 * content depends only on the records fed, never on how they were split into states.
 * Returns 0, -ENOMEM or SS_ELIMIT (from @out's arena cap; @reterr_diag says so).
 */
SS_MUST_USE int ss_checks_finish(const struct ss_checks *ck, const struct ss_checks_state *st,
                                 struct ss_findings *out, struct ss_diag *reterr_diag);

/** Static description of one built-in check. */
struct ss_check_info {
    const char *id;            /* "audit.activity-log-gap" */
    const char *title;         /* short name for tables and reports */
    enum ss_severity severity; /* default severity (findings may raise it) */
    const char *desc;          /* one paragraph: what it finds and from which records */
};

/** The built-in checks (SS_CHECKS__COUNT entries, static storage) into *@ret; returns n. */
size_t ss_checks_list(const struct ss_check_info **ret);

#endif
