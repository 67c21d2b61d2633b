/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/diag.c - implements located diagnostics: filling and formatting struct ss_diag.
 */
#include "core/diag.h"

void ss_diag_clear(struct ss_diag *d)
{
    if (d == NULL)
        return;
    d->code = 0;
    d->file[0] = '\0';
    d->line = 0;
    d->column = 0;
    d->offset = UINT64_MAX;
    d->msg[0] = '\0';
}

int ss_diag_set(struct ss_diag *d, int code, const char *file, uint64_t line, uint64_t column,
                uint64_t offset, const char *fmt, ...)
{
    va_list ap;

    if (d == NULL)
        return code;
    d->code = code;
    if (file != NULL)
        snprintf(d->file, sizeof(d->file), "%s", file);
    else
        d->file[0] = '\0';
    d->line = line;
    d->column = column;
    d->offset = offset;
    va_start(ap, fmt);
    (void)vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
    return code;
}

void ss_diag_set_file(struct ss_diag *d, const char *file)
{
    if (d != NULL && d->file[0] == '\0' && file != NULL)
        snprintf(d->file, sizeof(d->file), "%s", file);
}

void ss_diag_format(const struct ss_diag *d, char *out, size_t out_len)
{
    size_t n = 0;
    int w;

    if (out_len == 0)
        return;
    out[0] = '\0';
#define PUT(...)                                                                                   \
    do {                                                                                           \
        if (n < out_len) {                                                                         \
            w = snprintf(out + n, out_len - n, __VA_ARGS__);                                       \
            if (w > 0)                                                                             \
                n += (size_t)w;                                                                    \
        }                                                                                          \
    } while (0)
    if (d->file[0] != '\0')
        PUT("%s", d->file);
    if (d->line != 0) {
        PUT("%s%" PRIu64, n != 0 ? ":" : "line ", d->line);
        if (d->column != 0)
            PUT(":%" PRIu64, d->column);
    }
    if (d->offset != UINT64_MAX)
        PUT("%soffset %" PRIu64, n != 0 ? ": " : "", d->offset);
    PUT("%s%s", n != 0 ? ": " : "", d->msg[0] != '\0' ? d->msg : ss_strerror(d->code));
#undef PUT
}
