/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigma/sigma.h - the Sigma engine: load rules, route them to log sources through field
 * mappings, compile them, match records, and correlate matches (docs/sigma.md).
 *
 * Life cycle of a rule set:
 *   1. ss_sigma_ruleset_new, then any number of ss_sigma_load_path / ss_sigma_load_mem
 *      (rules), ss_sigma_mapping_load (reviewer mappings, tried before the shipped ones)
 *      and ss_sigma_placeholders_load (values for the 'expand' modifier).
 *   2. ss_sigma_compile: resolves correlation references, routes every rule to the input
 *      kinds its log source maps to, and builds the literal prefilter (with
 *      SS_SIGMA_DEFER_PREFILTER, ss_sigma_build_prefilters then builds it for the kinds
 *      the run reads only). From then on the rule set is immutable: share it read-only
 *      between any number of threads; free it after they are done.
 *   3. Per worker thread: one ss_sigma_scratch (match state, statistics, and the events
 *      kept for correlations and findings). ss_sigma_match is called per record.
 *   4. After every worker is done: ss_sigma_correlate and/or ss_sigma_findings over all
 *      scratches. Both sort what the scratches collected (by time, then location) before
 *      any windowing or grouping, so results never depend on the thread count or on the
 *      order in which inputs were read.
 *
 * Nothing is dropped silently: every YAML document read gets a load-report entry
 * (loaded, or rejected with the exact reason and location, plus notes on translated
 * legacy syntax and unsupported or unrouted features); see ss_sigma_report_*.
 *
 * Input kinds are named as io names them ("cloudtrail", "azure-jsonl", ...): the sigma
 * area does not depend on io.
 */
#ifndef SS_SIGMA_SIGMA_H
#define SS_SIGMA_SIGMA_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/arena.h"
#include "core/base.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/finding.h"

/* Hard caps (SS_ELIMIT beyond them). */
#define SS_SIGMA_MAX_FILE_BYTES ((uint64_t)8 << 20) /* one rule, mapping or placeholder file */
#define SS_SIGMA_MAX_RULES 200000u                  /* rules in one rule set */
#define SS_SIGMA_MAX_FILES 100000u                  /* files read from directories */
#define SS_SIGMA_MAX_DIR_DEPTH 32u                  /* directory nesting below a rules dir */

enum ss_sigma_flags {
    /* Missing title/logsource are notes, not rejections (for conformance vectors that
       carry only a detection). */
    SS_SIGMA_LENIENT = 1u << 0,
    /* Do not add the shipped mappings at compile time (tests). */
    SS_SIGMA_NO_BUILTIN_MAPPINGS = 1u << 1,
    /* Disable the literal prefilter: every routed rule is evaluated on every record
       (for the prefilter on/off equality test and for debugging). */
    SS_SIGMA_NO_PREFILTER = 1u << 2,
    /* ss_sigma_compile builds no prefilter; ss_sigma_build_prefilters builds those of the
       input kinds a run reads. */
    SS_SIGMA_DEFER_PREFILTER = 1u << 3,
};

struct ss_sigma_ruleset; /* opaque */

/** New empty rule set. Returns owned set — free with ss_sigma_ruleset_free(); NULL on OOM. */
SS_MUST_USE struct ss_sigma_ruleset *ss_sigma_ruleset_new(unsigned flags);
/** Free @rs and everything it owns. Accepts NULL. */
void ss_sigma_ruleset_free(struct ss_sigma_ruleset *rs);
/**
 * Parse rule files on @threads threads (default 1) in ss_sigma_load_path; they are
 * still loaded in path order, so the rule set does not depend on @threads.
 */
void ss_sigma_ruleset_set_threads(struct ss_sigma_ruleset *rs, unsigned threads);

/**
 * Load the rules of a file, or of every *.yml / *.yaml file under a directory (recursive,
 * in bytewise path order; hidden entries skipped). Borrows @path. Problems inside a file
 * (YAML errors, schema violations) never fail the call: they become rejected entries of
 * the load report. Returns 0; -errno when @path (or a file or directory under it) cannot
 * be read (@reterr_diag names it); SS_ELIMIT past SS_SIGMA_MAX_FILES / _MAX_RULES /
 * _MAX_DIR_DEPTH; -ENOMEM. -EINVAL after compile.
 */
SS_MUST_USE int ss_sigma_load_path(struct ss_sigma_ruleset *rs, const char *path,
                                   struct ss_diag *reterr_diag);

/**
 * Load the rules in @len bytes of YAML at @text (borrowed), named @name in the report
 * (borrowed; copied). Same contract as ss_sigma_load_path.
 */
SS_MUST_USE int ss_sigma_load_mem(struct ss_sigma_ruleset *rs, const char *name, const char *text,
                                  size_t len, struct ss_diag *reterr_diag);

/**
 * Add a reviewer mapping file (format in docs/sigma.md "Mappings"); mappings added this
 * way are tried before the shipped ones, in the order added. Borrows @path. Returns 0,
 * -errno, -ENOMEM, SS_ESYNTAX or SS_ELIMIT with @reterr_diag located (a bad mapping is
 * an error, not a report entry). -EINVAL after compile.
 */
SS_MUST_USE int ss_sigma_mapping_load(struct ss_sigma_ruleset *rs, const char *path,
                                      struct ss_diag *reterr_diag);
/** As ss_sigma_mapping_load, from memory (@name borrowed, for diagnostics). */
SS_MUST_USE int ss_sigma_mapping_load_mem(struct ss_sigma_ruleset *rs, const char *name,
                                          const char *text, size_t len,
                                          struct ss_diag *reterr_diag);

/**
 * Add placeholder values for the 'expand' modifier: a YAML map of name -> value or list
 * of values (optionally under a top-level 'vars' key, as in pySigma pipelines). Names are
 * written without the '%'. Later files override earlier ones per name. Placeholders are
 * applied at compile time, so the order of loads does not matter. Returns as
 * ss_sigma_mapping_load.
 */
SS_MUST_USE int ss_sigma_placeholders_load(struct ss_sigma_ruleset *rs, const char *path,
                                           struct ss_diag *reterr_diag);
/** As ss_sigma_placeholders_load, from memory. */
SS_MUST_USE int ss_sigma_placeholders_load_mem(struct ss_sigma_ruleset *rs, const char *name,
                                               const char *text, size_t len,
                                               struct ss_diag *reterr_diag);

/**
 * Finish loading: apply placeholders and filters, resolve correlation references, route
 * rules to input kinds through the mappings, and build the prefilter. Problems found here
 * (an unknown rule referenced by a correlation, a placeholder without values) are load
 * report entries too. Returns 0, -ENOMEM, SS_ELIMIT, or an error of a shipped mapping or
 * of the prefilter compiler (@reterr_diag says which). Call once.
 */
SS_MUST_USE int ss_sigma_compile(struct ss_sigma_ruleset *rs, struct ss_diag *reterr_diag);

/* ---- load report ---- */

enum ss_sigma_doc_kind {
    SS_SIGMA_DOC_RULE = 0,    /* detection rule */
    SS_SIGMA_DOC_CORRELATION, /* correlation (meta) rule */
    SS_SIGMA_DOC_FILTER,      /* global filter */
    SS_SIGMA_DOC_OTHER,       /* not recognisable as any of these, or unreadable */
    SS_SIGMA_DOC__COUNT
};

enum ss_sigma_status { SS_SIGMA_LOADED = 0, SS_SIGMA_REJECTED, SS_SIGMA_STATUS__COUNT };

enum ss_sigma_note_kind {
    SS_SIGMA_NOTE_WARNING = 0, /* tolerated deviation from the spec (e.g. "2022/04/21" dates) */
    SS_SIGMA_NOTE_TRANSLATED,  /* legacy syntax translated (v1 aggregation -> correlation) */
    SS_SIGMA_NOTE_UNSUPPORTED, /* a feature the engine does not evaluate (explained) */
    SS_SIGMA_NOTE_UNROUTED,    /* no mapping routes the rule's log source to any input kind */
    SS_SIGMA_NOTE__COUNT
};

struct ss_sigma_note {
    enum ss_sigma_note_kind kind;
    uint32_t line, column; /* 0 if not tied to a place */
    const char *msg;
};

struct ss_sigma_entry {
    const char *file; /* as given (path or name) */
    uint32_t doc;     /* 0-based document index in the file */
    uint32_t line, column;
    enum ss_sigma_doc_kind kind;
    enum ss_sigma_status status;
    const char *title;  /* NULL if none */
    const char *id;     /* NULL if none */
    int code;           /* rejected: SS_ESYNTAX, SS_ELIMIT, SS_EUNSUPPORTED, ... */
    const char *reason; /* rejected: the exact reason (line/column in line, column) */
    int32_t rule;       /* loaded: rule index (ss_sigma_rule_*); -1 otherwise */
    const struct ss_sigma_note *notes;
    size_t n_notes;
};

/** Number of load-report entries (one per YAML document read, in load order). */
size_t ss_sigma_report_len(const struct ss_sigma_ruleset *rs);
/** Entry @i (borrowed; valid until @rs is freed). */
const struct ss_sigma_entry *ss_sigma_report_at(const struct ss_sigma_ruleset *rs, size_t i);

/* ---- rules ---- */

struct ss_sigma_rule_info {
    const char *id;    /* never NULL: the rule id, or "<file>#<doc>" when it has none */
    const char *title; /* "" if none */
    const char *name;  /* NULL if none */
    const char *level; /* the level word ("medium" when the rule has none) */
    enum ss_severity severity;
    const char *product, *service, *category; /* lower case; NULL when absent */
    const char *file;
    bool is_correlation;
    bool emits;            /* reports its own matches (false: only feeds correlations) */
    size_t n_kinds;        /* input kinds it is routed to (0: never evaluated) */
    const char *kinds[16]; /* their names (first 16) */
};

/** Number of loaded rules (detection and correlation). */
size_t ss_sigma_rule_count(const struct ss_sigma_ruleset *rs);
/** Describe rule @i into @ret (borrowed strings, valid until @rs is freed). */
void ss_sigma_rule_info(const struct ss_sigma_ruleset *rs, size_t i,
                        struct ss_sigma_rule_info *ret);

/* ---- matching ---- */

/**
 * The source slot for input kind @kind_name (an io kind name), to pass to ss_sigma_match
 * for every record of inputs of that kind. Returns the slot (>= 0), or SS_ENOTFOUND when
 * no rule is routed to that kind (the caller may skip such inputs). After compile only.
 */
int ss_sigma_source(const struct ss_sigma_ruleset *rs, const char *kind_name);

/** How many source slots there are (after compile): slots are 0 .. this - 1. */
size_t ss_sigma_source_count(const struct ss_sigma_ruleset *rs);
/** The input kind name of source slot @slot (as the mappings wrote it), or NULL. */
const char *ss_sigma_source_kind(const struct ss_sigma_ruleset *rs, size_t slot);

/**
 * For a rule set made with SS_SIGMA_DEFER_PREFILTER, after ss_sigma_compile and before the
 * first ss_sigma_scratch_new: build the prefilter of every source slot s with @used[s]
 * true (@used has ss_sigma_source_count entries), on up to @threads threads (0: all
 * CPUs). Compiling the Vectorscan databases is most of a compile (0.04 s of 0.06 for the
 * SigmaHQ cloud rules), and most of it goes to kinds a run never reads. A slot left
 * without a prefilter is still matched exactly: every rule routed to it is evaluated on
 * each of its records. A later call builds the slots still missing (a scratch made
 * before it does not use them: make scratches after). Returns 0, -EINVAL before compile,
 * or the error of the first failing slot (in slot order: -ENOMEM, or the prefilter
 * compiler's, which @reterr_diag describes).
 */
SS_MUST_USE int ss_sigma_build_prefilters(struct ss_sigma_ruleset *rs, const bool *used,
                                          unsigned threads, struct ss_diag *reterr_diag);

enum ss_sigma_scratch_flags {
    SS_SIGMA_KEEP_HITS = 1u << 0, /* keep every hit for ss_sigma_findings */
    /* Validate (strict JSON) every record that reaches rule evaluation; records no rule
       can match are never interpreted, so callers may read without validating. */
    SS_SIGMA_VALIDATE = 1u << 1,
};

struct ss_sigma_scratch; /* opaque; one per worker thread */

/**
 * New match scratch for @rs (borrowed: must outlive the scratch). Returns owned scratch —
 * free with ss_sigma_scratch_free(); NULL on OOM. Not thread-safe: one thread at a time.
 */
SS_MUST_USE struct ss_sigma_scratch *ss_sigma_scratch_new(const struct ss_sigma_ruleset *rs,
                                                          unsigned flags);
/** Free @s. Accepts NULL. */
void ss_sigma_scratch_free(struct ss_sigma_scratch *s);

/** One rule that matched one record. */
struct ss_sigma_hit {
    uint32_t rule;      /* rule index */
    int64_t time_us;    /* event time from the mapping's time fields; INT64_MIN if none */
    const char *entity; /* primary entity (mapping's entity fields), "" if none */
};

/**
 * Match one record: @len bytes of JSON text at @rec (borrowed; a valid JSON value, as
 * ss_reader_next returns), of source slot @source, at location @loc (copied into the
 * kept events). Fills *ret_hits / *ret_n with the rules that matched and report their
 * own matches, in rule order (valid until the next call with @s). Matches of rules that
 * feed correlations are kept in @s for ss_sigma_correlate; with SS_SIGMA_KEEP_HITS, hits
 * are kept for ss_sigma_findings too. A regular expression that exceeds its match limit
 * counts as not matching and is counted in the statistics.
 * What does not fit the budget of the scratch's keep (ss_sigma_keep) is not kept; matching
 * goes on.
 * Returns 0, -ENOMEM, -EINVAL for a bad @source, or SS_ESYNTAX (with SS_SIGMA_VALIDATE)
 * when the record is not valid JSON: it was not evaluated and the caller reports it.
 * Without SS_SIGMA_VALIDATE @rec must be valid JSON; on malformed text the matcher never
 * reads out of bounds, but its results are unspecified.
 */
SS_MUST_USE int ss_sigma_match(const struct ss_sigma_ruleset *rs, struct ss_sigma_scratch *s,
                               int source, const char *rec, size_t len, const struct ss_loc *loc,
                               const struct ss_sigma_hit **ret_hits, size_t *ret_n);

/** The default budget of what is kept for correlations and findings (4 GiB). */
#define SS_SIGMA_MAX_KEPT_BYTES ((uint64_t)4 << 30)
/** The largest budget ss_sigma_keep_init accepts (1 TiB). */
#define SS_SIGMA_MAX_BUDGET ((uint64_t)1 << 40)

struct sg_hitagg;

/**
 * What the scratches of one run keep, all of them together, for ss_sigma_correlate and
 * ss_sigma_findings, and its memory budget:
 *  - the events of rules that feed correlations (in each scratch);
 *  - for findings (SS_SIGMA_KEEP_HITS), one entry per (rule, primary entity), shared by
 *    the scratches under a lock: the number of hits, first and last time, and the
 *    SS_FINDING_MAX_EVIDENCE smallest locations, so that memory grows with the findings,
 *    not with the hits.
 * Each kept event is charged its size plus the bytes of its strings (group key, value,
 * entity), whether or not an equal string was kept before; each (rule, entity) entry
 * twice its size plus its entity; each location it keeps its size; ss_sigma_correlate
 * charges its own copies. So the total, and whether it passes @max, depend only on the
 * records, never on how they were spread over workers. Once it is passed nothing more is
 * kept by any scratch sharing it (matching goes on), ss_sigma_correlate returns
 * SS_ELIMIT before delivering anything, and ss_sigma_findings makes one
 * sigma.limit-reached finding instead of the rules' findings. Set up with
 * ss_sigma_keep_init, shared by threads, released with ss_sigma_keep_release after the
 * scratches are done with it.
 */
struct ss_sigma_keep {
    _Atomic uint64_t used;
    uint64_t max;
    pthread_mutex_t mu;     /* guards what follows */
    struct sg_hitagg *hits; /* n_hits entries, dense */
    size_t n_hits, cap_hits;
    uint32_t *slots; /* open addressing over hits: index + 1, 0 empty; hcap of them */
    size_t hcap;
    struct ss_arena strs; /* the entities of hits */
};

/** Set up @k with a budget of @max bytes (clamped to SS_SIGMA_MAX_BUDGET). */
void ss_sigma_keep_init(struct ss_sigma_keep *k, uint64_t max);
/** Free what @k holds. */
void ss_sigma_keep_release(struct ss_sigma_keep *k);
/** Whether @k's budget was passed: what was to be kept did not fit. */
bool ss_sigma_keep_passed(const struct ss_sigma_keep *k);
/**
 * Make @s keep into @k (borrowed: must outlive @s), shared with other scratches of the
 * run, instead of a keep of its own with a budget of SS_SIGMA_MAX_KEPT_BYTES. Call it
 * before the first match.
 */
void ss_sigma_scratch_set_keep(struct ss_sigma_scratch *s, struct ss_sigma_keep *k);

struct ss_sigma_stats {
    uint64_t n_records;      /* records matched against */
    uint64_t n_candidates;   /* records the prefilter let through to rule evaluation */
    uint64_t n_evals;        /* rule evaluations */
    uint64_t n_hits;         /* rule matches (all rules, including correlation feeders) */
    uint64_t n_regex_limit;  /* regular-expression matches stopped by the match limit */
    uint64_t n_bad_time;     /* hits whose event time could not be read */
    uint64_t n_invalid;      /* records rejected by SS_SIGMA_VALIDATE */
    uint64_t n_key_too_long; /* correlation events left out: group-by or value fields over 1 MiB */
};

/** Add @s's statistics into @acc (caller zero-fills it first). */
void ss_sigma_scratch_stats(const struct ss_sigma_scratch *s, struct ss_sigma_stats *acc);
/** Hits of rule @rule recorded by @s (all rules, including correlation feeders). */
uint64_t ss_sigma_scratch_rule_hits(const struct ss_sigma_scratch *s, size_t rule);

/* ---- correlations and findings (after every worker is done) ---- */

struct ss_sigma_corr_hit {
    uint32_t rule;    /* the correlation rule's index */
    int64_t first_us; /* time of the first and the last event of the window */
    int64_t last_us;
    const char *group;         /* "field=value, ..." of the group-by fields ("" if none) */
    const char *entity;        /* primary entity of the first event, "" if none */
    uint64_t n_events;         /* events in the window */
    const struct ss_loc *locs; /* their locations, sorted (at most SS_FINDING_MAX_EVIDENCE) */
    size_t n_locs;
};

/** Called for every correlation match; return nonzero to stop. */
typedef int (*ss_sigma_corr_fn)(void *ctx, const struct ss_sigma_corr_hit *hit);

/**
 * Run every correlation over the events kept by @scratches[0..n) (borrowed). Events are
 * sorted by (time, location) before windowing; matches are delivered in (correlation
 * rule, group, time) order, so the result does not depend on how records were spread
 * over workers. It consumes the events: each scratch's are freed once copied (their
 * charges given back when all are copied), so a second call finds none. The scratches
 * share one budget (or there is one scratch): the correlations' copies are charged to
 * it. Returns 0, the callback's nonzero value, -ENOMEM, or SS_ELIMIT when the budget is
 * passed, before any callback if it was passed while matching (else some matches may
 * have been delivered: drop them).
 */
SS_MUST_USE int ss_sigma_correlate(const struct ss_sigma_ruleset *rs,
                                   struct ss_sigma_scratch *const *scratches, size_t n,
                                   ss_sigma_corr_fn fn, void *ctx);

/**
 * Turn every kept hit (scratches made with SS_SIGMA_KEEP_HITS) and every correlation
 * match into findings in @fs: one finding per (rule, primary entity), check id
 * "sigma:<rule id>", severity from the rule level, evidence = the matched record
 * locations (sha256 left zero for the caller to fill), time span of the evidence.
 * Deterministic for any distribution of records over scratches. When the scratches'
 * budget is passed, the only finding made is one "sigma.limit-reached" (medium; its
 * data_json holds the budget and every rule's hit count). The scratches must share one
 * keep (ss_sigma_scratch_set_keep), or be one. Returns 0, -ENOMEM, -EINVAL (keeps of
 * their own) or SS_ELIMIT (@fs's own cap).
 */
SS_MUST_USE int ss_sigma_findings(const struct ss_sigma_ruleset *rs,
                                  struct ss_sigma_scratch *const *scratches, size_t n,
                                  struct ss_findings *fs);

#endif
