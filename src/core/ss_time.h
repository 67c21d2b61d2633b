/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/ss_time.h - UTC timestamps as int64 microseconds since the Unix epoch.
 *
 * Parsing accepts the ISO 8601 / RFC 3339 forms the cloud exports use:
 * "2024-05-01T09:12:44Z", "2024-05-01T09:12:44.1234567Z" (any 1-9 fractional digits;
 * digits beyond microseconds are truncated), "2024-05-01T08:01:02.3456789+00:00",
 * a space instead of 'T', and a missing zone (taken as UTC). No locale or TZ use.
 */
#ifndef SS_CORE_TIME_H
#define SS_CORE_TIME_H

#include "core/base.h"

#define SS_TIME_US_PER_SEC INT64_C(1000000)
#define SS_TIME_US_PER_HOUR (INT64_C(3600) * SS_TIME_US_PER_SEC)
#define SS_TIME_US_PER_DAY (INT64_C(86400) * SS_TIME_US_PER_SEC)
/** Buffer size for ss_time_format output. */
#define SS_TIME_STR_MAX 40

/** Parse @len bytes at @s into @ret_us. Returns 0 or SS_ESYNTAX (range-checked fields). */
SS_MUST_USE int ss_time_parse(const char *s, size_t len, int64_t *ret_us);
/** Days since 1970-01-01 of the civil date (proleptic Gregorian). */
int64_t ss_time_days_from_civil(int64_t y, unsigned m, unsigned d);
/** Inverse of ss_time_days_from_civil. */
void ss_time_civil_from_days(int64_t days, int64_t *ret_y, unsigned *ret_m, unsigned *ret_d);
/**
 * Format @us as "YYYY-MM-DDTHH:MM:SS.ffffffZ" with @frac_digits fractional digits
 * (0-7; the 7th is always 0) into @out (SS_TIME_STR_MAX bytes). Returns the length.
 */
size_t ss_time_format(int64_t us, unsigned frac_digits, char out[SS_TIME_STR_MAX]);
/** Current wall-clock time in microseconds (UTC). */
int64_t ss_time_now_us(void);
/** Monotonic clock in microseconds, for measuring durations. */
int64_t ss_time_mono_us(void);

#endif
