/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/banned.h - functions that must not be used in siloscope.
 *
 * Each is unbounded, locale- or timezone-dependent, or hides errors. Use ss_buf_*,
 * ss_parse_* and the UTC helpers of core/time.h instead. Included last by base.h,
 * after every system header, so that system declarations stay intact.
 */
#ifndef SS_CORE_BANNED_H
#define SS_CORE_BANNED_H

#define SS_BANNED(func) sorry_##func##_is_banned_in_siloscope

#undef strcpy
#define strcpy(x, y) SS_BANNED(strcpy)
#undef strcat
#define strcat(x, y) SS_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) SS_BANNED(strncpy)
#undef sprintf
#define sprintf(...) SS_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) SS_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) SS_BANNED(strtok)
#undef atoi
#define atoi(x) SS_BANNED(atoi)
#undef strtol
#define strtol(x, y, z) SS_BANNED(strtol)
#undef gmtime
#define gmtime(x) SS_BANNED(gmtime)
#undef localtime
#define localtime(x) SS_BANNED(localtime)

#endif
