/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigma/sigma_yaml.h - a YAML 1.1 document tree built with libyaml, for Sigma rules and
 * mapping files (private to the sigma area).
 *
 * ss_yaml_parse reads a whole stream (one or more documents) into nodes that live in a
 * caller arena. Every node keeps its 1-based line and column and byte offset, so rule
 * errors can be located. Aliases are resolved to the anchored node (shared, not copied)
 * and YAML 1.1 merge keys ("<<") are applied. Input controls every size, so each has a
 * cap that fails with SS_ELIMIT: nesting depth, nodes of a document counted with every
 * alias expanded (the "billion laughs" defence), anchors, documents, scalar bytes.
 *
 * Scalars are resolved as PyYAML (which pySigma uses) resolves them: plain null/~/empty
 * is null; yes/no/on/off/true/false are booleans; 0x/0o/0b, leading-zero octal and
 * underscores are integers; a plain scalar with a '.' (and optional signed exponent) is a
 * float; everything else, and every quoted scalar, is a string.
 *
 * A syntax error ends the stream: the documents completed before it are kept (so the
 * caller can still use them) and the error is returned with its location.
 */
#ifndef SS_SIGMA_SIGMA_YAML_H
#define SS_SIGMA_SIGMA_YAML_H

#include "core/base.h"
#include "core/arena.h"
#include "core/diag.h"

enum ss_yaml_type { SS_YAML_SCALAR = 0, SS_YAML_SEQ, SS_YAML_MAP, SS_YAML__COUNT };

/** What a scalar resolves to. */
enum ss_yaml_scalar {
    SS_YSC_STR = 0,
    SS_YSC_NULL,
    SS_YSC_BOOL,
    SS_YSC_INT,
    SS_YSC_FLOAT,
    SS_YSC__COUNT
};

struct ss_yaml_node {
    enum ss_yaml_type type;
    enum ss_yaml_scalar sc; /* scalars only */
    bool quoted;            /* scalar written with quotes or as a block (never plain) */
    bool bval;              /* SS_YSC_BOOL */
    int64_t ival;           /* SS_YSC_INT (also set when an integer fits, for floats no) */
    double fval;            /* SS_YSC_FLOAT and SS_YSC_INT */
    uint32_t line, col;     /* 1-based */
    uint64_t offset;        /* byte offset in the stream */
    const char *str;        /* scalar text (NUL-terminated, in the arena) */
    size_t len;
    struct ss_yaml_node **items; /* SEQ: n items; MAP: keys at 2i, values at 2i+1 */
    size_t n;                    /* SEQ: items; MAP: pairs */
    uint32_t height;             /* nesting below this node (0 for scalars) */
    uint64_t weight;             /* nodes in the subtree with aliases expanded */
};

struct ss_yaml_doc {
    struct ss_yaml_node *root; /* never NULL (an empty document is a null scalar) */
    uint32_t line, col;        /* where the document starts */
};

struct ss_yaml_limits {
    uint32_t max_depth;   /* nesting of collections */
    uint64_t max_weight;  /* nodes per document with aliases expanded */
    uint32_t max_anchors; /* anchors per document */
    uint32_t max_docs;    /* documents per stream */
    uint64_t max_scalar;  /* bytes of one scalar */
    uint64_t max_bytes;   /* bytes of the whole stream */
};

#define SS_YAML_DEFAULT_MAX_DEPTH 64u
#define SS_YAML_DEFAULT_MAX_WEIGHT 200000u
#define SS_YAML_DEFAULT_MAX_ANCHORS 1000u
#define SS_YAML_DEFAULT_MAX_DOCS 10000u
#define SS_YAML_DEFAULT_MAX_SCALAR ((uint64_t)1 << 20)
#define SS_YAML_DEFAULT_MAX_BYTES ((uint64_t)16 << 20)

/** The defaults above (used when a limits pointer is NULL). */
extern const struct ss_yaml_limits ss_yaml_limits_default;

struct ss_yaml_stream {
    struct ss_yaml_doc *docs; /* in the arena */
    size_t n_docs;
};

/**
 * Parse @len bytes at @text (borrowed; need not be NUL-terminated) into @ret (caller
 * storage; everything lives in @arena, valid until it is reset). @name names the stream
 * in diagnostics (borrowed, may be NULL). @lim may be NULL for the defaults.
 * Returns 0; SS_ESYNTAX (YAML error) or SS_ELIMIT (a cap) with @reterr_diag located, in
 * which case @ret still holds the documents completed before the problem; -ENOMEM, or
 * the arena's SS_ELIMIT. @ret is always written.
 */
SS_MUST_USE int ss_yaml_parse(struct ss_arena *arena, const char *name, const char *text,
                              size_t len, const struct ss_yaml_limits *lim,
                              struct ss_yaml_stream *ret, struct ss_diag *reterr_diag);

/** The value of key @key in map @map (first occurrence), or NULL (also for non-maps). */
const struct ss_yaml_node *ss_yaml_get(const struct ss_yaml_node *map, const char *key);

/** Whether @n is a scalar that resolved to null. */
bool ss_yaml_is_null(const struct ss_yaml_node *n);

/** Whether @n is a scalar (of any resolved type). */
bool ss_yaml_is_scalar(const struct ss_yaml_node *n);

/** "string", "null", "boolean", "integer", "float", "list" or "map". */
const char *ss_yaml_kind_name(const struct ss_yaml_node *n);

#endif
