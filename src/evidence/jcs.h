/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/jcs.h - the JSON Canonicalization Scheme (RFC 8785) for hashed JSON.
 *
 * Canonical JSON has no whitespace, object members sorted by the UTF-16 code units of
 * their names, strings with the minimal escapes (\" \\ \b \f \n \r \t and \u00xx for
 * other control characters, lower-case hex; everything else as raw UTF-8) and numbers
 * in the ECMAScript Number-to-string form of their IEEE 754 double value. Writers here
 * append canonical pieces to an ss_buf; ss_jcs_canonicalize rewrites any JSON text.
 *
 * Text from C strings may not be valid UTF-8; each byte that does not start a valid
 * sequence is written as U+FFFD, so the output is always valid JCS and deterministic.
 * Thread-safe; no global state.
 */
#ifndef SS_EVIDENCE_JCS_H
#define SS_EVIDENCE_JCS_H

#include "core/base.h"
#include "core/buf.h"
#include "core/diag.h"

/** Largest integer an I-JSON number holds exactly (2^53 - 1). */
#define SS_JCS_MAX_SAFE_INT ((uint64_t)9007199254740991)
/** Nesting cap of ss_jcs_canonicalize. */
#define SS_JCS_MAX_DEPTH 64

/** Append @s[0..len) as a canonical string literal. Returns 0, -ENOMEM or SS_ELIMIT. */
SS_MUST_USE int ss_jcs_put_str(struct ss_buf *b, const char *s, size_t len);
/** As ss_jcs_put_str for the NUL-terminated @s (NULL is written as ""). */
SS_MUST_USE int ss_jcs_put_cstr(struct ss_buf *b, const char *s);
/**
 * Append @v as a canonical number. Returns 0, -ENOMEM, or SS_ELIMIT when
 * v > SS_JCS_MAX_SAFE_INT (it would not survive a round trip through a double).
 */
SS_MUST_USE int ss_jcs_put_u64(struct ss_buf *b, uint64_t v);
/** Append the finite double @x in ECMAScript form ("1e+21", "0.000001", "-0" -> "0"). */
SS_MUST_USE int ss_jcs_put_double(struct ss_buf *b, double x);

/**
 * Append the canonical form of the JSON text @json[0..len) to @out. The text must be
 * one valid JSON value (RFC 8259, as json/json.h validates it) without duplicate member
 * names. Returns 0, SS_ESYNTAX (invalid, or a duplicate name; located in @reterr_diag),
 * SS_ELIMIT (deeper than SS_JCS_MAX_DEPTH, a number outside double range, or @out's cap)
 * or -ENOMEM. On error @out is truncated back to its length on entry.
 */
SS_MUST_USE int ss_jcs_canonicalize(const char *json, size_t len, struct ss_buf *out,
                                    struct ss_diag *reterr_diag);

/**
 * Compare two UTF-8 member names by UTF-16 code units (the JCS member order).
 * Returns <0, 0 or >0.
 */
int ss_jcs_name_cmp(const char *a, size_t a_len, const char *b, size_t b_len);

#endif
