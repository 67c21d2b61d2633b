/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/finding.h - the finding model shared by checks, sigma, evidence, store and report.
 *
 * A finding states that a check (a built-in check id such as "audit.gap" or a Sigma rule
 * "sigma:<rule id>") holds for a set of entities over a time span, and cites the exact
 * records it rests on as evidence locations. A record location is (input index, byte
 * offset, byte length) in the decoded stream of one input; the input index is the
 * position of the input in the case's inputs sorted bytewise by relative path.
 *
 * struct ss_findings owns its findings and all their strings in one arena. Adding copies
 * everything it is given (borrows the arguments). Not thread-safe: each worker collects
 * its own ss_findings and the caller merges them with ss_findings_merge, then sorts with
 * ss_findings_sort so output never depends on scheduling.
 */
#ifndef SS_CORE_FINDING_H
#define SS_CORE_FINDING_H

#include "core/base.h"
#include "core/arena.h"

/** Severity; the numeric values are OCSF severity_id. */
enum ss_severity {
    SS_SEV_INFO = 1,
    SS_SEV_LOW = 2,
    SS_SEV_MEDIUM = 3,
    SS_SEV_HIGH = 4,
    SS_SEV_CRITICAL = 5,
    SS_SEV__COUNT
};

/** "informational", "low", "medium", "high", "critical" (the Sigma level words). */
const char *ss_severity_name(enum ss_severity s);
/** Parse a level word (case-insensitive; "info" and "informational" both work). */
SS_MUST_USE int ss_severity_parse(const char *s, size_t len, enum ss_severity *ret);

/** Where a record lives: byte range in the decoded stream of input @input. */
struct ss_loc {
    uint32_t input;  /* input index */
    uint64_t offset; /* byte offset in the decoded stream */
    uint64_t len;    /* byte length of the record's JSON text */
    uint64_t index;  /* 1-based line number (JSON lines) or 0-based array index */
};

/** Order locations by (input, offset, len). */
int ss_loc_cmp(const struct ss_loc *a, const struct ss_loc *b);

struct ss_evidence {
    struct ss_loc loc;
    uint8_t sha256[32]; /* SHA-256 of the record's exact bytes; all zero if not computed */
};

#define SS_FINDING_MAX_ENTITIES 64
#define SS_FINDING_MAX_EVIDENCE 1000

struct ss_finding {
    const char *check_id; /* "audit.gap", "sigma:<uuid>" */
    enum ss_severity severity;
    const char *title;     /* one line for people */
    const char *desc;      /* what was seen and why it matters; may be "" */
    const char **entities; /* n_entities ids; [0] is the primary entity */
    size_t n_entities;
    int64_t first_us, last_us;    /* time span of the evidence; 0 if unknown */
    struct ss_evidence *evidence; /* sorted by location; at most SS_FINDING_MAX_EVIDENCE kept */
    size_t n_evidence;
    uint64_t n_evidence_total; /* evidence records seen, including those beyond the cap */
    const char *data_json;     /* extra facts as a JSON object text, or NULL */
};

struct ss_findings {
    struct ss_arena arena;
    struct ss_finding *items;
    size_t len, cap;
};

/** Set up caller storage @fs (empty). @max_bytes caps the arena. */
void ss_findings_init(struct ss_findings *fs, size_t max_bytes);
/** Free everything @fs owns. Accepts a zeroed struct. */
void ss_findings_release(struct ss_findings *fs);
/**
 * Deep-copy @f into @fs (borrows @f and everything it points to). Evidence beyond
 * SS_FINDING_MAX_EVIDENCE is counted in n_evidence_total but not kept. On success
 * *ret (if not NULL) points at the stored copy, valid until @fs is released.
 * Returns 0, -ENOMEM or SS_ELIMIT.
 */
SS_MUST_USE int ss_findings_add(struct ss_findings *fs, const struct ss_finding *f,
                                struct ss_finding **ret);
/** Deep-copy every finding of @src into @dst. Returns 0, -ENOMEM or SS_ELIMIT. */
SS_MUST_USE int ss_findings_merge(struct ss_findings *dst, const struct ss_findings *src);
/** Sort by (check id, primary entity, first evidence location): the canonical order. */
void ss_findings_sort(struct ss_findings *fs);
/** Compare two findings in canonical order. */
int ss_finding_cmp(const struct ss_finding *a, const struct ss_finding *b);

#endif
