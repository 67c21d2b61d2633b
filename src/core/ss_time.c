/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/ss_time.c - implements UTC timestamp parsing and formatting without the C
 * library's timezone machinery (no mktime/gmtime), using Howard Hinnant's civil-date
 * algorithms so results never depend on TZ or locale.
 */
#include "core/ss_time.h"

int64_t ss_time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void ss_time_civil_from_days(int64_t z, int64_t *ret_y, unsigned *ret_m, unsigned *ret_d)
{
    int64_t era, doe, yoe, y, doy, mp;
    unsigned d, m;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *ret_y = y + (m <= 2);
    *ret_m = m;
    *ret_d = d;
}

static bool digits(const char *s, size_t len, size_t at, size_t n, unsigned *ret)
{
    unsigned v = 0;

    if (at + n > len)
        return false;
    for (size_t i = at; i < at + n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *ret = v;
    return true;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : dim[m - 1];
}

int ss_time_parse(const char *s, size_t len, int64_t *ret_us)
{
    unsigned y, mo, d, h = 0, mi = 0, sec = 0, oh, om;
    int64_t us = 0, frac_scale = 100000, off_s = 0, days;
    size_t i = 10;

    if (!digits(s, len, 0, 4, &y) || len < 10 || s[4] != '-' || !digits(s, len, 5, 2, &mo) ||
        s[7] != '-' || !digits(s, len, 8, 2, &d))
        return SS_ESYNTAX;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return SS_ESYNTAX;
    if (i < len && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
        if (!digits(s, len, 11, 2, &h) || len < 19 || s[13] != ':' || !digits(s, len, 14, 2, &mi) ||
            s[16] != ':' || !digits(s, len, 17, 2, &sec))
            return SS_ESYNTAX;
        if (h > 23 || mi > 59 || sec > 60)
            return SS_ESYNTAX;
        i = 19;
        if (i < len && s[i] == '.') {
            size_t nd = 0;

            i++;
            while (i < len && s[i] >= '0' && s[i] <= '9') {
                if (nd < 6) {
                    us += (int64_t)(s[i] - '0') * frac_scale;
                    frac_scale /= 10;
                }
                nd++;
                i++;
            }
            if (nd == 0 || nd > 9)
                return SS_ESYNTAX;
        }
        if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (i < len && (s[i] == '+' || s[i] == '-')) {
            if (!digits(s, len, i + 1, 2, &oh) || i + 6 > len || s[i + 3] != ':' ||
                !digits(s, len, i + 4, 2, &om) || oh > 23 || om > 59)
                return SS_ESYNTAX;
            off_s = (int64_t)oh * 3600 + (int64_t)om * 60;
            if (s[i] == '-')
                off_s = -off_s;
            i += 6;
        }
    }
    if (i != len)
        return SS_ESYNTAX;
    days = ss_time_days_from_civil(y, mo, d);
    *ret_us =
        ((days * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + sec) - off_s) * SS_TIME_US_PER_SEC +
        us;
    return 0;
}

size_t ss_time_format(int64_t us, unsigned frac_digits, char out[SS_TIME_STR_MAX])
{
    int64_t secs = us >= 0 ? us / SS_TIME_US_PER_SEC : -((-us - 1) / SS_TIME_US_PER_SEC) - 1;
    int64_t frac = us - secs * SS_TIME_US_PER_SEC;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs - 1) / 86400) - 1;
    int64_t rem = secs - days * 86400, y;
    unsigned m, d;
    int n;

    ss_time_civil_from_days(days, &y, &m, &d);
    n = snprintf(out, SS_TIME_STR_MAX, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u", y, m, d,
                 (unsigned)(rem / 3600), (unsigned)(rem % 3600 / 60), (unsigned)(rem % 60));
    if (frac_digits > 7)
        frac_digits = 7;
    if (frac_digits > 0) {
        char f[24];

        snprintf(f, sizeof(f), "%06" PRId64 "0", frac);
        n += snprintf(out + n, SS_TIME_STR_MAX - (size_t)n, ".%.*s", (int)frac_digits, f);
    }
    n += snprintf(out + n, SS_TIME_STR_MAX - (size_t)n, "Z");
    return (size_t)n;
}

int64_t ss_time_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * SS_TIME_US_PER_SEC + ts.tv_nsec / 1000;
}

int64_t ss_time_mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * SS_TIME_US_PER_SEC + ts.tv_nsec / 1000;
}
