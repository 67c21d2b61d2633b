/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json/json.h - strict RFC 8259 scanner with on-demand access (no DOM).
 *
 * The scanner works directly on the bytes of one record. It can validate a text, skip a
 * value, and extract fields by path, without building a tree and without allocating in
 * the extraction path. Values are returned as borrowed slices of the record's raw text
 * (struct ss_json_val); strings are unescaped only when asked.
 *
 * Strictness: exactly RFC 8259 (no comments, no trailing commas, no NaN, no leading
 * zeros, no unescaped control characters, valid UTF-8 required in strings, lone
 * surrogate escapes rejected). The choices for the implementation-defined cases of
 * JSONTestSuite are documented in docs/json.md. Duplicate keys: the first occurrence
 * wins for path lookup.
 *
 * Every size input controls has a cap (struct ss_json_limits); crossing one is SS_ELIMIT.
 * Errors are reported with the byte offset (relative to the start of the text) in
 * reterr_diag. All functions are reentrant; compiled paths are immutable and may be shared
 * between threads.
 *
 * Path syntax (ss_json_path_parse):
 *   path    := segment ( '.' segment | '[' index ']' | '[' quoted ']' )*
 *   segment := bare | quoted
 *   bare    := one or more bytes other than '.', '[', ']', '"' (e.g. identity, claims)
 *   quoted  := '"' JSON string body '"' (any key: "http://schemas.microsoft.com/...")
 *   index   := decimal digits | '*'   ('*' = any element of the array)
 * Examples: properties.status.errorCode
 *           identity.claims."http://schemas.microsoft.com/identity/claims/tenantid"
 *           Records[0].eventName     targetResources[*].userPrincipalName
 * The empty path "" (or ".") addresses the whole value. A path may also start with one
 * '.' (".a.b" is "a.b") or with a bracket ("[0].eventName" for a top-level array). Bare
 * segments are raw bytes (no escapes); quoted ones are unescaped. Keys in the record are
 * compared after unescaping, bytewise (case-sensitive).
 */
#ifndef SS_JSON_JSON_H
#define SS_JSON_JSON_H

#include "core/base.h"
#include "core/buf.h"
#include "core/diag.h"

enum ss_json_type {
    SS_JSON_MISSING = 0, /* the path did not resolve */
    SS_JSON_NULL,
    SS_JSON_FALSE,
    SS_JSON_TRUE,
    SS_JSON_NUMBER,
    SS_JSON_STRING,
    SS_JSON_ARRAY,
    SS_JSON_OBJECT,
    SS_JSON__COUNT
};

/** A value inside a record: borrowed raw text, valid as long as the record bytes. */
struct ss_json_val {
    enum ss_json_type type;
    const char *ptr; /* raw text of the value; for strings, including the quotes */
    size_t len;
    bool escaped; /* strings only: the raw text contains a backslash escape */
};

struct ss_json_limits {
    uint32_t max_depth;        /* nesting of arrays/objects */
    uint64_t max_string_bytes; /* raw bytes of one string (key or value) */
    uint64_t max_record_bytes; /* bytes of one whole text */
    uint64_t max_members;      /* members of one object or elements of one array */
};

#define SS_JSON_DEFAULT_MAX_DEPTH 128
#define SS_JSON_DEFAULT_MAX_STRING ((uint64_t)16 << 20)
#define SS_JSON_DEFAULT_MAX_RECORD ((uint64_t)64 << 20)
#define SS_JSON_DEFAULT_MAX_MEMBERS ((uint64_t)1 << 20)

/*
 * Highest nesting the validator supports (its container stack is a fixed array, so it
 * never allocates); a larger max_depth behaves as this value.
 */
#define SS_JSON_MAX_DEPTH_LIMIT 1024

/** Default limits (used wherever a function is passed a NULL limits pointer). */
extern const struct ss_json_limits ss_json_limits_default;

/** Name of a type: "null", "string", ... ("missing" for SS_JSON_MISSING). */
const char *ss_json_type_name(enum ss_json_type t);

/**
 * Check that @p[0..len) is exactly one JSON value, optionally surrounded by whitespace.
 * @lim may be NULL for defaults. Returns 0, SS_ESYNTAX or SS_ELIMIT (offset in diag).
 */
SS_MUST_USE int ss_json_validate(const char *p, size_t len, const struct ss_json_limits *lim,
                                 struct ss_diag *reterr_diag);

/**
 * Skip whitespace at @pos, then one complete, valid value. On success *ret_start is the
 * offset of the value's first byte and *ret_end the offset just past it. Validates what
 * it skips (strict). Returns 0, SS_ESYNTAX or SS_ELIMIT; SS_EEMPTY when only whitespace
 * remains.
 */
SS_MUST_USE int ss_json_skip(const char *p, size_t len, size_t pos,
                             const struct ss_json_limits *lim, size_t *ret_start, size_t *ret_end,
                             struct ss_diag *reterr_diag);

/** Offset of the first non-whitespace byte at or after @pos (len if none). */
size_t ss_json_skip_ws(const char *p, size_t len, size_t pos);

struct ss_json_path; /* opaque, immutable once parsed */

#define SS_JSON_PATH_MAX_SEGMENTS 32
#define SS_JSON_PATH_MAX_BYTES 4096

/**
 * Parse a path expression (syntax above). Returns owned path — free with
 * ss_json_path_free(). Returns 0, -ENOMEM, SS_ESYNTAX or SS_ELIMIT (offset in diag).
 */
SS_MUST_USE int ss_json_path_parse(const char *spec, size_t len, struct ss_json_path **ret_path,
                                   struct ss_diag *reterr_diag);
/** Free @path. Accepts NULL. */
void ss_json_path_free(struct ss_json_path *path);
/** Whether @path contains a '[*]' segment (may yield several values). */
bool ss_json_path_is_multi(const struct ss_json_path *path);

/**
 * Find the first value addressed by @path in the JSON text @rec. The text is assumed to
 * be valid (validate first when it comes from outside); on malformed text the function
 * still never reads out of bounds and returns SS_ESYNTAX. On success fills *ret (type
 * SS_JSON_MISSING when the path does not resolve) and returns 0.
 */
SS_MUST_USE int ss_json_get(const char *rec, size_t len, const struct ss_json_path *path,
                            struct ss_json_val *ret);

/** Callback for every value a multi path addresses; return nonzero to stop early. */
typedef int (*ss_json_val_fn)(void *ctx, const struct ss_json_val *val);

/**
 * Call @fn for every value @path addresses (in document order). Returns 0, the
 * callback's nonzero value, or SS_ESYNTAX.
 */
SS_MUST_USE int ss_json_get_each(const char *rec, size_t len, const struct ss_json_path *path,
                                 ss_json_val_fn fn, void *ctx);

/*
 * A path set extracts many fields in one pass over a record: the scanner walks the text
 * once, descending only into members some path needs, and skipping the rest fast.
 */
struct ss_json_pathset;

/** Most paths one set may hold. */
#define SS_JSON_PATHSET_MAX_PATHS 256

/** New empty set. Returns owned set — free with ss_json_pathset_free(); NULL on OOM. */
SS_MUST_USE struct ss_json_pathset *ss_json_pathset_new(void);
/** Free @set (and the paths it took). Accepts NULL. */
void ss_json_pathset_free(struct ss_json_pathset *set);
/**
 * Add @path to @set; takes @path (on success). *ret_slot is the index of its value in
 * the array ss_json_extract fills. For multi paths, the first match is extracted.
 * Returns 0, -ENOMEM or SS_ELIMIT (more than 256 paths).
 */
SS_MUST_USE int ss_json_pathset_add(struct ss_json_pathset *set, struct ss_json_path *path,
                                    size_t *ret_slot);
/** Number of paths in @set. */
size_t ss_json_pathset_len(const struct ss_json_pathset *set);
/**
 * Extract every path of @set from @rec in one pass into @ret_vals (ss_json_pathset_len
 * entries; unresolved paths get SS_JSON_MISSING). Same results as ss_json_get per path.
 * Never allocates; stops reading as soon as every path is resolved. Returns 0 or
 * SS_ESYNTAX (then every entry is SS_JSON_MISSING). The set is only read: one set may
 * serve many threads.
 */
SS_MUST_USE int ss_json_extract(const struct ss_json_pathset *set, const char *rec, size_t len,
                                struct ss_json_val *ret_vals);

/**
 * Step through the members of object @v, or the elements of array @v, in document order
 * (duplicate keys included). Start with *cursor = 0 and pass it back unchanged; each call
 * fills *ret_key (the raw key string; SS_JSON_MISSING for array elements) and *ret_val
 * (borrowed slices of @v's text) and returns 1, then 0 after the last member. Like
 * ss_json_get it assumes valid text: returns SS_ESYNTAX on malformed text it notices, and
 * -EINVAL when @v is not an object or array. ret_key may be NULL.
 */
SS_MUST_USE int ss_json_iter_next(const struct ss_json_val *v, size_t *cursor,
                                  struct ss_json_val *ret_key, struct ss_json_val *ret_val);

/**
 * Append the unescaped contents of string @v to @out (UTF-8; surrogate pairs combined).
 * For a non-string value, appends its raw text. Unescaped bytes are copied as they are
 * (validate the record first to be sure of UTF-8). Returns 0, -ENOMEM, SS_ELIMIT or
 * SS_ESYNTAX (bad escape, lone surrogate); @out is unchanged on error.
 */
SS_MUST_USE int ss_json_unescape(const struct ss_json_val *v, struct ss_buf *out);

/**
 * Numeric value of @v: a JSON number, or a string whose whole unescaped content is a
 * JSON number (cloud exports give "78" and 78 alike; " 78", "078" and "" are not numbers).
 * Returns 0, SS_ESYNTAX (not a number) or SS_ELIMIT (out of double range, or a number text
 * of 128 bytes or more). Underflow gives 0 or a subnormal, not an error.
 */
SS_MUST_USE int ss_json_number(const struct ss_json_val *v, double *ret);

/**
 * Compare the string value @v (after unescaping) with @s[0..len). With @icase, ASCII
 * case-insensitively. Non-strings compare their raw text. Never allocates.
 */
bool ss_json_str_eq(const struct ss_json_val *v, const char *s, size_t len, bool icase);

/**
 * Copy the string value of @v into @out as a NUL-terminated C string, unescaped if
 * needed, truncating at @out_len - 1 bytes. Returns the full unescaped length, or a
 * negative error for a malformed string. Never allocates.
 */
SS_MUST_USE long long ss_json_str_copy(const struct ss_json_val *v, char *out, size_t out_len);

#endif
