/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/evfile.c - implements the small helpers of the evidence area: reading a
 * whole file with a cap, replacing a file atomically (temporary, fsync, rename), and
 * one-off JSON path lookups.
 */
#include "evidence/evidence_int.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int ss_evidence_json_get(const char *text, size_t len, const char *path, struct ss_json_val *ret)
{
    struct ss_json_path *p = NULL;
    int r = ss_json_path_parse(path, strlen(path), &p, NULL);

    if (r == 0)
        r = ss_json_get(text, len, p, ret);
    ss_json_path_free(p);
    return r;
}

int ss_evidence_read_file(const char *path, size_t max_bytes, struct ss_buf *out)
{
    char chunk[65536];
    size_t start = out->len;
    int fd = ss_open_regular(path, 0, NULL);
    int r = 0;

    if (fd < 0)
        return fd;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0) {
            if (errno == EINTR)
                continue;
            r = -errno;
            break;
        }
        if (n == 0)
            break;
        if (out->len - start + (size_t)n > max_bytes) {
            r = SS_ELIMIT;
            break;
        }
        r = ss_buf_append(out, chunk, (size_t)n);
        if (r < 0)
            break;
    }
    (void)close(fd);
    if (r < 0)
        ss_buf_truncate(out, start);
    return r;
}

int ss_evidence_write_atomic(const char *dir, const char *name, const void *p, size_t len,
                             unsigned mode)
{
    char tmp[4096], dst[4096];
    const char *w = p;
    int fd, r = 0;

    if ((size_t)snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= sizeof(dst) ||
        (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= sizeof(tmp))
        return -ENAMETOOLONG;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
    if (fd < 0)
        return -errno;
    while (len > 0) {
        ssize_t n = write(fd, w, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            r = -errno;
            break;
        }
        w += n;
        len -= (size_t)n;
    }
    if (r == 0 && fchmod(fd, (mode_t)mode) != 0)
        r = -errno;
    if (r == 0 && fsync(fd) != 0)
        r = -errno;
    if (close(fd) != 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, dst) != 0)
        r = -errno;
    if (r < 0)
        (void)unlink(tmp);
    return r;
}

#define OUT_FLUSH_BYTES ((size_t)1 << 20)

int ss_evidence_out_open(struct ss_evidence_out *o, const char *dir, const char *name,
                         unsigned mode)
{
    *o = (struct ss_evidence_out){ .fd = -1, .mode = mode };
    ss_buf_init(&o->buf, 2 * OUT_FLUSH_BYTES);
    if ((size_t)snprintf(o->dst, sizeof(o->dst), "%s/%s", dir, name) >= sizeof(o->dst) ||
        (size_t)snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.tmp", dir, name) >= sizeof(o->tmp))
        return -ENAMETOOLONG;
    o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
    if (o->fd < 0)
        return -errno;
    return 0;
}

static void write_all(struct ss_evidence_out *o, const char *p, size_t len)
{
    while (o->err == 0 && len > 0) {
        ssize_t n = write(o->fd, p, len);

        if (n < 0) {
            if (errno != EINTR)
                o->err = -errno;
            continue;
        }
        p += n;
        len -= (size_t)n;
    }
}

static void out_flush(struct ss_evidence_out *o)
{
    write_all(o, o->buf.ptr, o->buf.len);
    ss_buf_reset(&o->buf);
}

void ss_evidence_out_write(struct ss_evidence_out *o, const void *p, size_t len)
{
    if (o->err != 0 || len == 0)
        return;
    if (o->buf.len + len > OUT_FLUSH_BYTES)
        out_flush(o);
    if (len >= OUT_FLUSH_BYTES) {
        write_all(o, p, len);
        return;
    }
    if (o->err == 0) {
        int r = ss_buf_append(&o->buf, p, len);

        if (r < 0)
            o->err = r;
    }
}

int ss_evidence_out_commit(struct ss_evidence_out *o)
{
    int r;

    out_flush(o);
    r = o->err;
    if (r == 0 && fchmod(o->fd, (mode_t)o->mode) != 0)
        r = -errno;
    if (r == 0 && fsync(o->fd) != 0)
        r = -errno;
    if (close(o->fd) != 0 && r == 0)
        r = -errno;
    o->fd = -1;
    if (r == 0 && rename(o->tmp, o->dst) != 0)
        r = -errno;
    if (r < 0)
        (void)unlink(o->tmp);
    ss_buf_release(&o->buf);
    return r;
}

void ss_evidence_out_abort(struct ss_evidence_out *o)
{
    if (o->fd >= 0) {
        (void)close(o->fd);
        (void)unlink(o->tmp);
        o->fd = -1;
    }
    ss_buf_release(&o->buf);
}
