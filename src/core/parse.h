/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/parse.h - strict, locale-free number parsing (replaces atoi/strtol).
 *
 * Every function parses the whole slice or fails: no leading or trailing spaces, no
 * trailing garbage, no silent overflow.
 */
#ifndef SS_CORE_PARSE_H
#define SS_CORE_PARSE_H

#include "core/base.h"

/** Parse decimal digits into @ret. Returns 0, SS_ESYNTAX, or SS_ELIMIT on overflow. */
SS_MUST_USE int ss_parse_u64(const char *s, size_t len, uint64_t *ret);
/** Parse an optional '-' then decimal digits. Returns 0, SS_ESYNTAX or SS_ELIMIT. */
SS_MUST_USE int ss_parse_i64(const char *s, size_t len, int64_t *ret);
/**
 * Parse a JSON-grammar number (optional '-', digits, fraction, exponent) into @ret.
 * Locale-independent. Returns 0, SS_ESYNTAX, or SS_ELIMIT when not finite.
 */
SS_MUST_USE int ss_parse_double(const char *s, size_t len, double *ret);
/**
 * Parse a size with an optional binary suffix: "10G", "512M", "64k", "1000".
 * Returns 0, SS_ESYNTAX or SS_ELIMIT.
 */
SS_MUST_USE int ss_parse_size(const char *s, size_t len, uint64_t *ret_bytes);

#endif
