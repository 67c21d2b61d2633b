/* SPDX-License-Identifier: Apache-2.0 */
/*
 * synth/synth_writer.c - implements the generator's output layer: the unchecked fast
 * appender (sy_w) and its formatters (decimal, GUIDs, hex, 7-digit timestamps, IP
 * addresses), a Python-compatible JSON pretty printer for inventory files, and
 * creating directories and files.
 *
 * The appender trades per-call bounds checks for one sy_w_reserve() per record: the
 * generators produce only data of their own tables, so a record's size is bounded by
 * construction (SY_REC_MAX), which keeps the hot loop free of branches and calls.
 */
#include "synth/synth_int.h"

#include "core/alloc.h"
#include "core/ss_time.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define INITIAL_CAP ((size_t)1 << 16)

void sy_w_init(struct sy_w *w, int fd)
{
    *w = (struct sy_w){ .fd = fd, .c_day = INT64_MIN };
}

void sy_w_release(struct sy_w *w)
{
    ss_free(w->base);
    *w = (struct sy_w){ .fd = -1, .c_day = INT64_MIN };
}

void sy_w_reset(struct sy_w *w, int fd)
{
    w->p = w->base;
    w->fd = fd;
    w->n_flushed = 0;
    w->err = 0;
}

int sy_w_flush(struct sy_w *w)
{
    const char *q = w->base;
    size_t left = sy_w_len(w);

    if (w->fd < 0 || left == 0)
        return w->err;
    while (left > 0) {
        ssize_t n = write(w->fd, q, left);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            w->err = -errno;
            return w->err;
        }
        q += n;
        left -= (size_t)n;
    }
    w->n_flushed += sy_w_len(w);
    w->p = w->base;
    return 0;
}

int sy_w_reserve(struct sy_w *w, size_t n)
{
    size_t len, cap, want;
    char *nb;
    int r;

    if (w->base != NULL && (size_t)(w->end - w->p) >= n)
        return 0;
    if (w->fd >= 0 && sy_w_len(w) >= SY_W_FLUSH) {
        r = sy_w_flush(w);
        if (r < 0)
            return r;
        if ((size_t)(w->end - w->p) >= n)
            return 0;
    }
    len = sy_w_len(w);
    cap = w->base != NULL ? (size_t)(w->end - w->base) : 0;
    if (n > SY_W_MAX - len)
        return SS_ELIMIT;
    want = SS_MAX(cap, INITIAL_CAP);
    if (w->fd >= 0)
        want = SS_MAX(want, SY_W_FLUSH + SY_REC_MAX);
    while (want < len + n)
        want *= 2;
    if (want > SY_W_MAX)
        want = SY_W_MAX;
    nb = ss_realloc(w->base, want);
    if (nb == NULL)
        return -ENOMEM;
    w->base = nb;
    w->p = nb + len;
    w->end = nb + want;
    return 0;
}

static const char digits2[] = "00010203040506070809"
                              "10111213141516171819"
                              "20212223242526272829"
                              "30313233343536373839"
                              "40414243444546474849"
                              "50515253545556575859"
                              "60616263646566676869"
                              "70717273747576777879"
                              "80818283848586878889"
                              "90919293949596979899";

void sy_put_u64(struct sy_w *w, uint64_t v)
{
    char tmp[24];
    char *q = tmp + sizeof(tmp);

    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;

        v /= 100;
        *--q = digits2[d + 1];
        *--q = digits2[d];
    }
    if (v >= 10) {
        unsigned d = (unsigned)v * 2;

        *--q = digits2[d + 1];
        *--q = digits2[d];
    } else {
        *--q = (char)('0' + v);
    }
    sy_put(w, q, (size_t)(tmp + sizeof(tmp) - q));
}

void sy_put_u64w(struct sy_w *w, uint64_t v, unsigned width)
{
    char *q = w->p + width;

    for (unsigned i = 0; i < width; i++) {
        *--q = (char)('0' + v % 10);
        v /= 10;
    }
    w->p += width;
}

void sy_put_upper(struct sy_w *w, const char *s)
{
    for (; *s != '\0'; s++) {
        char c = *s;

        *w->p++ = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
}

void sy_put_lower(struct sy_w *w, const char *s)
{
    for (; *s != '\0'; s++) {
        char c = *s;

        *w->p++ = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
}

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";

void sy_put_hex(struct sy_w *w, struct sy_rng *r, size_t n, bool upper)
{
    const char *tab = upper ? hex_upper : hex_lower;
    uint64_t bits = 0;
    unsigned have = 0;

    for (size_t i = 0; i < n; i++) {
        if (have == 0) {
            bits = sy_next(r);
            have = 16;
        }
        *w->p++ = tab[bits & 15];
        bits >>= 4;
        have--;
    }
}

void sy_guid(struct sy_rng *r, char out[37])
{
    uint64_t a = sy_next(r), b = sy_next(r);
    size_t k = 0;

    /* version 4, variant 10 */
    a = (a & ~UINT64_C(0xF000)) | UINT64_C(0x4000);
    b = (b & ~(UINT64_C(3) << 62)) | (UINT64_C(2) << 62);
    for (int i = 15; i >= 0; i--) {
        out[k++] = hex_lower[(a >> (i * 4)) & 15];
        if (k == 8 || k == 13)
            out[k++] = '-';
    }
    out[k++] = '-';
    for (int i = 15; i >= 0; i--) {
        out[k++] = hex_lower[(b >> (i * 4)) & 15];
        if (k == 23)
            out[k++] = '-';
    }
    out[36] = '\0';
}

void sy_put_guid(struct sy_w *w, struct sy_rng *r)
{
    sy_guid(r, w->p);
    w->p += 36;
}

void sy_put_guid_nodash(struct sy_w *w, const char *guid)
{
    for (; *guid != '\0'; guid++)
        if (*guid != '-')
            *w->p++ = *guid;
}

static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void sy_put_alnum(struct sy_w *w, struct sy_rng *r, size_t n, bool url)
{
    uint64_t bits = 0;
    unsigned have = 0;

    for (size_t i = 0; i < n; i++) {
        if (have < 6) {
            bits = sy_next(r);
            have = 64;
        }
        *w->p++ = alnum[url ? (bits & 63) : ((bits & 63) % 62)];
        bits >>= 6;
        have -= 6;
    }
}

void sy_civil(int64_t t, int64_t *ret_y, unsigned *ret_mo, unsigned *ret_d, unsigned *ret_h,
              unsigned *ret_mi)
{
    int64_t days = t / SY_TICKS_PER_DAY;
    int64_t rem = t % SY_TICKS_PER_DAY;

    if (rem < 0) {
        rem += SY_TICKS_PER_DAY;
        days--;
    }
    ss_time_civil_from_days(days, ret_y, ret_mo, ret_d);
    *ret_h = (unsigned)(rem / SY_TICKS_PER_HOUR);
    *ret_mi = (unsigned)(rem % SY_TICKS_PER_HOUR / SY_TICKS_PER_MIN);
}

unsigned sy_weekday(int64_t t)
{
    int64_t days = t / SY_TICKS_PER_DAY;

    return (unsigned)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
}

void sy_put_date(struct sy_w *w, int64_t t)
{
    int64_t days = t / SY_TICKS_PER_DAY;

    if (days != w->c_day) {
        int64_t y;
        unsigned mo, d;
        char *q = w->c_date;

        ss_time_civil_from_days(days, &y, &mo, &d);
        for (int i = 3; i >= 0; i--) {
            q[i] = (char)('0' + y % 10);
            y /= 10;
        }
        q[4] = '-';
        q[5] = digits2[mo * 2];
        q[6] = digits2[mo * 2 + 1];
        q[7] = '-';
        q[8] = digits2[d * 2];
        q[9] = digits2[d * 2 + 1];
        w->c_day = days;
    }
    sy_put(w, w->c_date, 10);
}

/* "THH:MM:SS" of @t, returns the sub-second ticks. */
static int64_t put_clock(struct sy_w *w, int64_t t)
{
    int64_t rem = t % SY_TICKS_PER_DAY;
    unsigned sod = (unsigned)(rem / SY_TICKS_PER_SEC);
    char *q = w->p;

    q[0] = 'T';
    q[1] = digits2[(sod / 3600) * 2];
    q[2] = digits2[(sod / 3600) * 2 + 1];
    q[3] = ':';
    q[4] = digits2[(sod / 60 % 60) * 2];
    q[5] = digits2[(sod / 60 % 60) * 2 + 1];
    q[6] = ':';
    q[7] = digits2[(sod % 60) * 2];
    q[8] = digits2[(sod % 60) * 2 + 1];
    w->p += 9;
    return rem % SY_TICKS_PER_SEC;
}

void sy_put_t7(struct sy_w *w, int64_t t)
{
    int64_t frac;

    sy_put_date(w, t);
    frac = put_clock(w, t);
    sy_putc(w, '.');
    sy_put_u64w(w, (uint64_t)frac, 7);
    sy_putc(w, 'Z');
}

void sy_put_t7z(struct sy_w *w, int64_t t)
{
    int64_t frac;

    sy_put_date(w, t);
    frac = put_clock(w, t);
    sy_putc(w, '.');
    sy_put_u64w(w, (uint64_t)frac, 7);
    SY_LIT(w, "+00:00");
}

void sy_put_ts(struct sy_w *w, int64_t t)
{
    sy_put_date(w, t);
    (void)put_clock(w, t);
    sy_putc(w, 'Z');
}

void sy_put_epoch(struct sy_w *w, int64_t t)
{
    sy_put_u64(w, (uint64_t)(t / SY_TICKS_PER_SEC));
}

void sy_put_ipv4(struct sy_w *w, uint32_t ip)
{
    for (int i = 3; i >= 0; i--) {
        sy_put_u64(w, (ip >> (i * 8)) & 255);
        if (i != 0)
            sy_putc(w, '.');
    }
}

void sy_put_ipv6(struct sy_w *w, const uint16_t words[8])
{
    for (int i = 0; i < 8; i++) {
        unsigned v = words[i];
        bool started = false;

        for (int k = 3; k >= 0; k--) {
            unsigned nib = (v >> (k * 4)) & 15;

            if (nib != 0 || started || k == 0) {
                *w->p++ = hex_lower[nib];
                started = true;
            }
        }
        if (i != 7)
            sy_putc(w, ':');
    }
}

/*
 * Pretty printer: our own compact JSON (no insignificant whitespace) re-indented with two
 * spaces, ", " item separators as newlines and ": " after keys, empty containers kept as
 * [] and {} -- the layout of Python's json.dumps(indent=2), which az CLI prints.
 */
static void put_indent(struct sy_w *w, size_t depth)
{
    sy_putc(w, '\n');
    for (size_t i = 0; i < depth; i++) {
        sy_putc(w, ' ');
        sy_putc(w, ' ');
    }
}

int sy_json_pretty(struct sy_w *w, const char *s, size_t len)
{
    size_t depth = 0;
    bool in_str = false;
    int r;

    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if ((i & 1023) == 0 || depth > 64) {
            r = sy_w_reserve(w, 4096 + 2 * depth);
            if (r < 0)
                return r;
        }
        if (in_str) {
            sy_putc(w, c);
            if (c == '\\' && i + 1 < len) {
                sy_putc(w, s[++i]);
            } else if (c == '"') {
                in_str = false;
            }
            continue;
        }
        switch (c) {
        case '"':
            in_str = true;
            sy_putc(w, c);
            break;
        case '{':
        case '[':
            sy_putc(w, c);
            if (i + 1 < len && (s[i + 1] == '}' || s[i + 1] == ']')) {
                sy_putc(w, s[++i]);
                break;
            }
            depth++;
            put_indent(w, depth);
            break;
        case '}':
        case ']':
            depth = depth > 0 ? depth - 1 : 0;
            put_indent(w, depth);
            sy_putc(w, c);
            break;
        case ',':
            sy_putc(w, c);
            put_indent(w, depth);
            break;
        case ':':
            SY_LIT(w, ": ");
            break;
        default:
            sy_putc(w, c);
            break;
        }
    }
    r = sy_w_reserve(w, 1);
    if (r < 0)
        return r;
    sy_putc(w, '\n');
    return 0;
}

/*
 * Create @path[0..len) and any missing ancestors. Tries the leaf first and walks up only
 * as far as needed, so a new hour directory costs a few mkdir calls, not one per level.
 */
static int mkdirs_len(char *path, size_t len)
{
    struct stat st;
    char save = path[len];
    size_t cut;
    int r = 0;

    path[len] = '\0';
    if (mkdir(path, 0777) == 0)
        goto out;
    if (errno == EEXIST) {
        r = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
        goto out;
    }
    if (errno != ENOENT) {
        r = -errno;
        goto out;
    }
    for (cut = len; cut > 0 && path[cut - 1] != '/'; cut--) {
    }
    while (cut > 1 && path[cut - 1] == '/')
        cut--;
    if (cut == 0 || (cut == 1 && path[0] == '/')) {
        r = -ENOENT; /* nothing above to create */
        goto out;
    }
    path[len] = save;
    r = mkdirs_len(path, cut);
    save = path[len];
    path[len] = '\0';
    if (r == 0 && mkdir(path, 0777) != 0 && errno != EEXIST)
        r = -errno;
out:
    path[len] = save;
    return r;
}

int sy_mkdirs(const char *path)
{
    char tmp[4096];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof(tmp))
        return n == 0 ? -EINVAL : -ENAMETOOLONG;
    memcpy(tmp, path, n + 1);
    while (n > 1 && tmp[n - 1] == '/')
        n--;
    return mkdirs_len(tmp, n);
}

int sy_open_file(const char *root, const char *rel, int *ret_fd, struct ss_diag *reterr_diag)
{
    char path[4096];
    int n = snprintf(path, sizeof(path), "%s/%s", root, rel);
    char *slash;
    int fd, r;

    if (n < 0 || (size_t)n >= sizeof(path))
        return ss_diag_set(reterr_diag, -ENAMETOOLONG, rel, 0, 0, UINT64_MAX, "path too long");
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0 && errno == ENOENT) {
        slash = strrchr(path, '/');
        *slash = '\0';
        r = sy_mkdirs(path);
        *slash = '/';
        if (r < 0)
            return ss_diag_set(reterr_diag, r, path, 0, 0, UINT64_MAX,
                               "cannot create directory: %s", ss_strerror(r));
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    }
    if (fd < 0) {
        r = -errno;
        return ss_diag_set(reterr_diag, r, path, 0, 0, UINT64_MAX, "cannot create file: %s",
                           ss_strerror(r));
    }
    *ret_fd = fd;
    return 0;
}

int sy_write_file(const char *root, const char *rel, const char *data, size_t len,
                  struct ss_diag *reterr_diag)
{
    struct sy_w w;
    int fd, r;

    r = sy_open_file(root, rel, &fd, reterr_diag);
    if (r < 0)
        return r;
    /* Borrow @data as the writer's buffer to reuse the write loop. */
    w = (struct sy_w){ .base = (char *)(uintptr_t)data,
                       .p = (char *)(uintptr_t)data + len,
                       .end = (char *)(uintptr_t)data + len,
                       .fd = fd };
    r = sy_w_flush(&w);
    if (close(fd) != 0 && r == 0)
        r = -errno;
    if (r < 0)
        return ss_diag_set(reterr_diag, r, rel, 0, 0, UINT64_MAX, "cannot write file: %s",
                           ss_strerror(r));
    return 0;
}
