/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report/report_util.c - what both renderers share: escaping for HTML and JSON (the only
 * places untrusted text is turned into output), the atomic buffered file writer, and the
 * check-title table.
 */
#include "report/report_int.h"

#include <fcntl.h>
#include <unistd.h>

#include "core/alloc.h"

/* Characters that render invisibly but change how text around them reads. */
static bool is_disguise(uint32_t cp)
{
    return cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

/* Escaping ------------------------------------------------------------------------ */

int ss_report_html_escape(struct ss_buf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    const size_t start = b->len;
    size_t i = 0;
    int r = 0;

    while (i < len && r == 0) {
        size_t run = i;
        uint32_t cp = 0;
        size_t n;
        char ent[16];

        /* Copy runs of plain printable ASCII in one go. */
        while (run < len && p[run] >= 0x20 && p[run] < 0x7F && p[run] != '&' && p[run] != '<' &&
               p[run] != '>' && p[run] != '"' && p[run] != '\'')
            run++;
        if (run > i) {
            r = ss_buf_append(b, s + i, run - i);
            i = run;
            continue;
        }
        n = ss_utf8_decode(p + i, len - i, &cp);
        if (n == 0) {
            r = ss_buf_puts(b, "&#xFFFD;");
            i++;
            continue;
        }
        switch (cp) {
        case '&':
            r = ss_buf_puts(b, "&amp;");
            break;
        case '<':
            r = ss_buf_puts(b, "&lt;");
            break;
        case '>':
            r = ss_buf_puts(b, "&gt;");
            break;
        case '"':
            r = ss_buf_puts(b, "&quot;");
            break;
        case '\'':
            r = ss_buf_puts(b, "&#39;");
            break;
        case '\t':
        case '\n':
            r = ss_buf_putc(b, (char)cp);
            break;
        default:
            if (cp < 0x20 || cp == 0x7F) {
                (void)snprintf(ent, sizeof(ent), "&#x%X;",
                               (unsigned)(cp == 0x7F ? 0x2421 : 0x2400 + cp));
                r = ss_buf_puts(b, ent);
            } else if ((cp >= 0x80 && cp <= 0x9F) || is_disguise(cp)) {
                r = ss_buf_puts(b, "&#xFFFD;");
            } else {
                r = ss_buf_append(b, s + i, n);
            }
            break;
        }
        i += n;
    }
    if (r < 0)
        ss_buf_truncate(b, start);
    return r;
}

int ss_report_json_str(struct ss_buf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    const size_t start = b->len;
    size_t i = 0;
    int r = ss_buf_putc(b, '"');

    while (i < len && r == 0) {
        size_t run = i;
        uint32_t cp = 0;
        size_t n;

        while (run < len && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > i) {
            r = ss_buf_append(b, s + i, run - i);
            i = run;
            continue;
        }
        n = ss_utf8_decode(p + i, len - i, &cp);
        if (n == 0) {
            r = ss_buf_puts(b, "\\ufffd");
            i++;
            continue;
        }
        if (cp < 0x80) /* a control character, '"' or '\\': the run took the rest */
            r = ss_buf_put_json_esc(b, (unsigned char)cp);
        else if (cp == 0x2028 || cp == 0x2029) /* end lines in JavaScript */
            r = ss_buf_puts(b, cp == 0x2028 ? "\\u2028" : "\\u2029");
        else
            r = ss_buf_append(b, s + i, n);
        i += n;
    }
    if (r == 0)
        r = ss_buf_putc(b, '"');
    if (r < 0)
        ss_buf_truncate(b, start);
    return r;
}

/* The atomic writer --------------------------------------------------------------- */

int ss_report_out_fail(struct ss_report_out *o, int err)
{
    if (o->err == 0 && err < 0) {
        o->err = err;
        (void)ss_diag_set(o->d, err, o->path, 0, 0, UINT64_MAX, "cannot write: %s",
                          ss_strerror(err));
    }
    return o->err;
}

int ss_report_out_keep(struct ss_report_out *o, int err)
{
    if (o->err == 0 && err < 0)
        o->err = err;
    return o->err;
}

static void flush(struct ss_report_out *o)
{
    size_t off = 0;

    while (o->err == 0 && off < o->buf.len) {
        const ssize_t n = write(o->fd, o->buf.ptr + off, o->buf.len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            (void)ss_report_out_fail(o, -errno);
            break;
        }
        off += (size_t)n;
    }
    ss_buf_reset(&o->buf);
}

int ss_report_out_open(struct ss_report_out *o, const char *path, struct ss_diag *d)
{
    struct ss_buf tmp = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    int r;

    *o = (struct ss_report_out){
        .fd = -1, .path = path, .buf = SS_BUF_INIT(SS_REPORT_OUT_MAX), .d = d
    };
    r = ss_buf_puts(&tmp, path);
    if (r == 0)
        r = ss_buf_puts(&tmp, ".tmp");
    if (r == 0) {
        o->tmp_path = ss_buf_detach(&tmp);
        if (o->tmp_path == NULL)
            r = -ENOMEM;
    }
    ss_buf_release(&tmp);
    if (r < 0)
        return ss_diag_set(d, r, path, 0, 0, UINT64_MAX, "cannot write: %s", ss_strerror(r));
    o->fd = open(o->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0) {
        r = -errno;
        ss_free(o->tmp_path);
        o->tmp_path = NULL;
        return ss_diag_set(d, r, path, 0, 0, UINT64_MAX, "cannot create: %s", ss_strerror(r));
    }
    return 0;
}

void ss_report_out_raw(struct ss_report_out *o, const char *s, size_t n)
{
    if (o->err < 0)
        return;
    (void)ss_report_out_fail(o, ss_buf_append(&o->buf, s, n));
    if (o->buf.len >= SS_REPORT_OUT_FLUSH)
        flush(o);
}

void ss_report_out_str(struct ss_report_out *o, const char *s)
{
    ss_report_out_raw(o, s, strlen(s));
}

void ss_report_out_fmt(struct ss_report_out *o, const char *fmt, ...)
{
    va_list ap;

    if (o->err < 0)
        return;
    va_start(ap, fmt);
    (void)ss_report_out_fail(o, ss_buf_vprintf(&o->buf, fmt, ap));
    va_end(ap);
    if (o->buf.len >= SS_REPORT_OUT_FLUSH)
        flush(o);
}

void ss_report_out_esc(struct ss_report_out *o, const char *s)
{
    if (o->err < 0 || s == NULL)
        return;
    (void)ss_report_out_fail(o, ss_report_html_escape(&o->buf, s, strlen(s)));
    if (o->buf.len >= SS_REPORT_OUT_FLUSH)
        flush(o);
}

void ss_report_out_buf(struct ss_report_out *o, const struct ss_buf *b)
{
    ss_report_out_raw(o, b->ptr, b->len);
}

static int sync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int fd, r = 0;

    if (slash == NULL)
        dir = ss_strdup(".");
    else if (slash == path)
        dir = ss_strdup("/");
    else
        dir = ss_strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return -ENOMEM;
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ss_free(dir);
    if (fd < 0)
        return -errno;
    if (fsync(fd) != 0)
        r = -errno;
    (void)close(fd);
    return r;
}

int ss_report_out_close(struct ss_report_out *o)
{
    int r;

    if (o->fd >= 0) {
        flush(o);
        if (o->err == 0 && fsync(o->fd) != 0)
            (void)ss_report_out_fail(o, -errno);
        if (close(o->fd) != 0)
            (void)ss_report_out_fail(o, -errno);
        o->fd = -1;
        if (o->err == 0 && rename(o->tmp_path, o->path) != 0)
            (void)ss_report_out_fail(o, -errno);
        if (o->err == 0)
            (void)ss_report_out_fail(o, sync_dir_of(o->path));
        else
            (void)unlink(o->tmp_path);
    }
    r = o->err;
    ss_free(o->tmp_path);
    o->tmp_path = NULL;
    ss_buf_release(&o->buf);
    return r;
}

/* Checks -------------------------------------------------------------------------- */

static int add_check(void *ctx, const struct ss_store_check *ck)
{
    struct ss_report_checks *c = ctx;
    struct ss_store_check copy = *ck;

    if (c->n == c->cap) {
        const size_t cap = c->cap == 0 ? 32 : c->cap * 2;
        struct ss_store_check *items = ss_reallocarray(c->items, cap, sizeof(*items));
        if (items == NULL)
            return -ENOMEM;
        c->items = items;
        c->cap = cap;
    }
    copy.check_id = ss_arena_strdup(&c->arena, ck->check_id);
    if (copy.check_id == NULL)
        return ss_arena_failed(&c->arena);
    if (ck->title != NULL) {
        copy.title = ss_arena_strdup(&c->arena, ck->title);
        if (copy.title == NULL)
            return ss_arena_failed(&c->arena);
    }
    c->items[c->n++] = copy;
    return 0;
}

int ss_report_checks_load(struct ss_report_checks *c, struct ss_store *st, struct ss_diag *d)
{
    *c = (struct ss_report_checks){ 0 };
    ss_arena_init(&c->arena, (size_t)256 << 20);
    return ss_store_each_check(st, add_check, c, d);
}

const struct ss_store_check *ss_report_checks_find(const struct ss_report_checks *c, const char *id)
{
    size_t lo = 0, hi = c->n;

    /* The store orders check ids with SQLite's BINARY collation, i.e. like strcmp. */
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        const int cmp = strcmp(c->items[mid].check_id, id);
        if (cmp == 0)
            return &c->items[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void ss_report_checks_release(struct ss_report_checks *c)
{
    ss_arena_release(&c->arena);
    ss_free(c->items);
    *c = (struct ss_report_checks){ 0 };
}
