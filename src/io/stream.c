/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/stream.c - the two lower layers of a reader: the stored-byte source (file or
 * memory, feeding the raw observer exactly once per byte) and the decoders (none, gzip
 * through ISA-L igzip or zlib, zstd) that append decoded bytes to the reader's window
 * under the decoded-size and ratio caps. Multi-member gzip and multi-frame zstd are one
 * stream; zero bytes after the last gzip member are tolerated as padding, anything else
 * after it is damage.
 *
 * Also the pipeline (SS_READER_PIPELINE): a decode thread that drives a private copy of
 * these two layers into a ring of decoded blocks, which the splitter takes whole.
 */
#include "io/io_int.h"

#include "core/alloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#ifdef SS_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#define GZIP_MAGIC0 0x1f
#define GZIP_MAGIC1 0x8b

/* Newlines in @p[0..n), eight bytes a step. */
static uint64_t count_nl_swar(const char *p, size_t n)
{
    const uint64_t ones7 = UINT64_C(0x7f7f7f7f7f7f7f7f);
    const uint64_t nl = UINT64_C(0x0a0a0a0a0a0a0a0a);
    uint64_t count = 0;
    size_t i = 0;

    /*
     * Eight bytes a step (SWAR), exact: in x = w ^ nl a newline is a zero byte; a byte of
     * y = ((x & 0x7f..) + 0x7f..) | x has its high bit clear exactly when that byte of x
     * is zero. The high bits are then summed bytewise by one multiplication.
     */
    for (; i + 8 <= n; i += 8) {
        uint64_t w, x, y, z;

        memcpy(&w, p + i, 8);
        x = w ^ nl;
        y = ((x & ones7) + ones7) | x;
        z = (~y & ~ones7) >> 7;
        count += (z * UINT64_C(0x0101010101010101)) >> 56;
    }
    for (; i < n; i++)
        count += p[i] == '\n';
    return count;
}

uint64_t io_count_nl(const char *p, size_t n)
{
    const char *q = p, *end = p + n;
    uint64_t count = 0;

    /* memchr (vectorised by libc) wins while lines are long, as JSON lines records are;
     * once they prove short (pretty-printed text), count eight bytes a step instead */
    for (;;) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));

        if (nl == NULL)
            return count;
        count++;
        q = nl + 1;
        if (count >= 64 && (uint64_t)(q - p) < count * 32)
            return count + count_nl_swar(q, (size_t)(end - q));
    }
}

enum ss_compression io_detect_comp(const uint8_t *p, size_t n, const char **ret_why)
{
    *ret_why = NULL;
    if (n >= 2 && p[0] == GZIP_MAGIC0 && p[1] == GZIP_MAGIC1)
        return SS_COMP_GZIP;
    if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        return SS_COMP_ZSTD;
    /* zstd skippable frame: magic 0x184D2A50..5F, little endian */
    if (n >= 4 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d && p[3] == 0x18)
        return SS_COMP_ZSTD;
    if (n >= 6 && memcmp(p,
                         "\xfd"
                         "7zXZ\0",
                         6) == 0) {
        *ret_why = "xz-compressed (not supported)";
        return SS_COMP__COUNT;
    }
    if (n >= 3 && memcmp(p, "BZh", 3) == 0) {
        *ret_why = "bzip2-compressed (not supported)";
        return SS_COMP__COUNT;
    }
    if (n >= 4 && memcmp(p, "PK\3\4", 4) == 0) {
        *ret_why = "zip archive (not supported)";
        return SS_COMP__COUNT;
    }
    if (n >= 6 && memcmp(p, "7z\xbc\xaf\x27\x1c", 6) == 0) {
        *ret_why = "7z archive (not supported)";
        return SS_COMP__COUNT;
    }
    if (n >= 4 && p[0] == 0x04 && p[1] == 0x22 && p[2] == 0x4d && p[3] == 0x18) {
        *ret_why = "lz4-compressed (not supported)";
        return SS_COMP__COUNT;
    }
    return SS_COMP_NONE;
}

int io_src_read(struct ss_reader *rd, uint8_t *dst, size_t cap, size_t *ret_n)
{
    size_t n = 0;

    if (rd->src_eof || cap == 0) {
        *ret_n = 0;
        return 0;
    }
    if (rd->fd < 0) {
        uint64_t left = rd->src_pos < rd->mem_len ? rd->mem_len - rd->src_pos : 0;

        n = (size_t)SS_MIN((uint64_t)cap, left);
        if (n > 0)
            memcpy(dst, rd->mem + rd->src_pos, n);
    } else {
        ssize_t got;

        for (;;) {
            got = pread(rd->fd, dst, cap, (off_t)rd->src_pos);
            if (got >= 0 || errno != EINTR)
                break;
        }
        if (got < 0) {
            int r = -errno;

            return ss_diag_set(&rd->dec_diag, r, rd->name, 0, 0, rd->src_pos, "read failed: %s",
                               ss_strerror(r));
        }
        n = (size_t)got;
    }
    if (n == 0)
        rd->src_eof = true;
    if (rd->raw_fn != NULL && rd->src_pos < rd->raw_end) {
        uint64_t upto = SS_MIN(rd->src_pos + n, rd->raw_end);

        if (upto > rd->src_pos)
            rd->raw_fn(rd->raw_ctx, dst, (size_t)(upto - rd->src_pos));
    }
    rd->src_pos += n;
    *ret_n = n;
    return 0;
}

/* Refill the stored-byte buffer of a decompressor when it is empty. */
static int in_refill(struct ss_reader *rd)
{
    size_t n;
    int r;

    if (rd->in_pos < rd->in_len || rd->src_eof)
        return 0;
    rd->in_pos = 0;
    rd->in_len = 0;
    r = io_src_read(rd, rd->in, IO_INBUF_SIZE, &n);
    if (r < 0)
        return r;
    rd->in_len = n;
    return 0;
}

static int corrupt(struct ss_reader *rd, const char *what, const char *detail)
{
    uint64_t off = rd->base + rd->len;

    return ss_diag_set(&rd->dec_diag, SS_ECORRUPT, rd->name, 0, 0, off,
                       "%s at stored offset %" PRIu64 "%s%s", what, rd->in_used,
                       detail != NULL ? ": " : "", detail != NULL ? detail : "");
}

/*
 * Between gzip members: decide what follows the member that just ended. Returns 1 when
 * a new member starts, 0 at a clean end of stream, or an error.
 */
static int gzip_next_member(struct ss_reader *rd)
{
    for (;;) {
        int r = in_refill(rd);

        if (r < 0)
            return r;
        if (rd->in_pos == rd->in_len)
            return 0;
        if (rd->in[rd->in_pos] == GZIP_MAGIC0)
            return 1;
        if (rd->in[rd->in_pos] != 0)
            return corrupt(rd, "trailing garbage after gzip member", NULL);
        /* zero padding (tape blocks, preallocated files) is ignored, as gzip does */
        while (rd->in_pos < rd->in_len && rd->in[rd->in_pos] == 0) {
            rd->in_pos++;
            rd->in_used++;
        }
    }
}

static size_t out_room(const struct ss_reader *rd)
{
    size_t room = rd->cap - rd->len;
    uint64_t produced = rd->base + rd->len;
    uint64_t cap_left;

    /* Never decode more than one byte past the decoded-size cap, so hitting it costs
     * no work and the bytes before it are still delivered. */
    cap_left = produced <= rd->lim.max_decoded_bytes ? rd->lim.max_decoded_bytes - produced + 1 : 1;
    if ((uint64_t)room > cap_left)
        room = (size_t)cap_left;
    if (room > (size_t)UINT32_MAX / 2)
        room = (size_t)UINT32_MAX / 2;
    return room;
}

#ifdef SS_HAVE_ISAL
static const char *isal_err_name(int r)
{
    switch (r) {
    case ISAL_INVALID_BLOCK:
        return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
        return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
        return "invalid lookback distance";
    case ISAL_INVALID_WRAPPER:
        return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
        return "unsupported compression method";
    case ISAL_INCORRECT_CHECKSUM:
        return "checksum mismatch";
    default:
        return "decoder error";
    }
}

static int isal_fill(struct ss_reader *rd)
{
    struct inflate_state *st = rd->dec;
    size_t produced = 0;

    for (;;) {
        size_t room, in_avail;
        int r;

        if (rd->member_end) {
            r = gzip_next_member(rd);
            if (r < 0)
                return r;
            if (r == 0) {
                rd->dec_eof = true;
                return (int)produced;
            }
            isal_inflate_reset(st);
            st->crc_flag = ISAL_GZIP;
            rd->member_end = false;
        }
        r = in_refill(rd);
        if (r < 0)
            return r;
        in_avail = rd->in_len - rd->in_pos;
        room = out_room(rd);
        st->next_in = rd->in + rd->in_pos;
        st->avail_in = (uint32_t)in_avail;
        st->next_out = (uint8_t *)rd->buf + rd->len;
        st->avail_out = (uint32_t)room;
        r = isal_inflate(st);
        if (r >= 0 && st->avail_in == in_avail && st->avail_out == room &&
            st->block_state != ISAL_BLOCK_FINISH && (in_avail > 0 || rd->src_eof))
            return corrupt(rd, in_avail > 0 ? "damaged gzip stream" : "truncated gzip stream",
                           in_avail > 0 ? "decoder made no progress" : NULL);
        rd->in_pos += in_avail - st->avail_in;
        rd->in_used += in_avail - st->avail_in;
        rd->len += room - st->avail_out;
        produced += room - st->avail_out;
        if (r < 0)
            return corrupt(rd, "damaged gzip stream", isal_err_name(r));
        if (st->block_state == ISAL_BLOCK_FINISH) {
            rd->member_end = true;
            continue;
        }
        if (rd->in_pos == rd->in_len && rd->src_eof && st->avail_out > 0)
            return corrupt(rd, "truncated gzip stream", NULL);
        if (produced > 0 && (st->avail_out == 0 || rd->in_pos == rd->in_len))
            return (int)SS_MIN(produced, (size_t)INT_MAX);
    }
}
#endif

static int zlib_fill(struct ss_reader *rd)
{
    z_stream *z = rd->dec;
    size_t produced = 0;

    for (;;) {
        size_t room, in_avail;
        int r;

        if (rd->member_end) {
            r = gzip_next_member(rd);
            if (r < 0)
                return r;
            if (r == 0) {
                rd->dec_eof = true;
                return (int)produced;
            }
            if (inflateReset(z) != Z_OK)
                return corrupt(rd, "damaged gzip stream", "cannot reset decoder");
            rd->member_end = false;
        }
        r = in_refill(rd);
        if (r < 0)
            return r;
        in_avail = rd->in_len - rd->in_pos;
        room = out_room(rd);
        z->next_in = rd->in + rd->in_pos;
        z->avail_in = (uInt)in_avail;
        z->next_out = (Bytef *)rd->buf + rd->len;
        z->avail_out = (uInt)room;
        r = inflate(z, Z_NO_FLUSH);
        if (r == Z_BUF_ERROR && rd->src_eof && z->avail_in == 0)
            return corrupt(rd, "truncated gzip stream", NULL);
        rd->in_pos += in_avail - z->avail_in;
        rd->in_used += in_avail - z->avail_in;
        rd->len += room - z->avail_out;
        produced += room - z->avail_out;
        if (r == Z_STREAM_END) {
            rd->member_end = true;
            continue;
        }
        if (r == Z_BUF_ERROR && in_avail > 0)
            return corrupt(rd, "damaged gzip stream", "decoder made no progress");
        if (r == Z_NEED_DICT || r == Z_DATA_ERROR || r == Z_STREAM_ERROR)
            return corrupt(rd, "damaged gzip stream", z->msg != NULL ? z->msg : "data error");
        if (r == Z_MEM_ERROR)
            return ss_diag_set(&rd->dec_diag, -ENOMEM, rd->name, 0, 0, rd->base + rd->len,
                               "out of memory in gzip decoder");
        if (rd->in_pos == rd->in_len && rd->src_eof && z->avail_out > 0)
            return corrupt(rd, "truncated gzip stream", NULL);
        if (produced > 0 && (z->avail_out == 0 || rd->in_pos == rd->in_len))
            return (int)SS_MIN(produced, (size_t)INT_MAX);
    }
}

static int zstd_fill(struct ss_reader *rd)
{
    ZSTD_DCtx *dctx = rd->dec;
    size_t produced = 0;

    for (;;) {
        ZSTD_inBuffer zin;
        ZSTD_outBuffer zout;
        size_t room, ret;
        int r = in_refill(rd);

        if (r < 0)
            return r;
        if (rd->in_pos == rd->in_len && rd->src_eof) {
            /* no input left: clean only at a frame boundary with nothing pending */
            if (rd->member_end) {
                rd->dec_eof = true;
                return (int)produced;
            }
        }
        room = out_room(rd);
        zin = (ZSTD_inBuffer){ .src = rd->in + rd->in_pos,
                               .size = rd->in_len - rd->in_pos,
                               .pos = 0 };
        zout = (ZSTD_outBuffer){ .dst = rd->buf + rd->len, .size = room, .pos = 0 };
        ret = ZSTD_decompressStream(dctx, &zout, &zin);
        rd->in_pos += zin.pos;
        rd->in_used += zin.pos;
        rd->len += zout.pos;
        produced += zout.pos;
        if (ZSTD_isError(ret))
            return corrupt(rd, "damaged zstd stream", ZSTD_getErrorName(ret));
        rd->member_end = ret == 0;
        if (zin.pos == 0 && zout.pos == 0 && !rd->member_end && zin.size > 0)
            return corrupt(rd, "damaged zstd stream", "decoder made no progress");
        if (rd->in_pos == rd->in_len && rd->src_eof && !rd->member_end && zout.pos < room)
            return corrupt(rd, "truncated zstd stream", NULL);
        if (produced > 0 && (zout.pos == room || rd->in_pos == rd->in_len))
            return (int)SS_MIN(produced, (size_t)INT_MAX);
    }
}

static int plain_fill(struct ss_reader *rd)
{
    size_t n;
    int r = io_src_read(rd, (uint8_t *)rd->buf + rd->len, out_room(rd), &n);

    if (r < 0)
        return r;
    rd->in_used += n;
    rd->len += n;
    if (n == 0)
        rd->dec_eof = true;
    return (int)n;
}

int io_dec_init(struct ss_reader *rd)
{
    rd->member_end = true; /* a stream starts "between members" */
    if (rd->comp == SS_COMP_NONE)
        return 0;
    rd->in = ss_malloc(IO_INBUF_SIZE);
    if (rd->in == NULL)
        return -ENOMEM;
    if (rd->comp == SS_COMP_ZSTD) {
        ZSTD_DCtx *dctx = ZSTD_createDCtx();

        if (dctx == NULL)
            return -ENOMEM;
        /* window cap: 128 MiB (the format's default limit), so memory stays bounded */
        (void)ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, 27);
        rd->dec = dctx;
        return 0;
    }
#ifdef SS_HAVE_ISAL
    if ((rd->flags & SS_READER_GZIP_ZLIB) == 0) {
        struct inflate_state *st = ss_malloc(sizeof(*st));

        if (st == NULL)
            return -ENOMEM;
        isal_inflate_init(st);
        st->crc_flag = ISAL_GZIP;
        rd->dec = st;
        return 0;
    }
#endif
    {
        z_stream *z = ss_calloc(1, sizeof(*z));

        if (z == NULL)
            return -ENOMEM;
        if (inflateInit2(z, 15 + 16) != Z_OK) {
            ss_free(z);
            return -ENOMEM;
        }
        rd->dec = z;
        rd->flags |= SS_READER_GZIP_ZLIB;
        return 0;
    }
}

void io_dec_free(struct ss_reader *rd)
{
    if (rd->dec != NULL) {
        if (rd->comp == SS_COMP_ZSTD) {
            ZSTD_freeDCtx(rd->dec);
        } else if (rd->comp == SS_COMP_GZIP && (rd->flags & SS_READER_GZIP_ZLIB) != 0) {
            inflateEnd(rd->dec);
            ss_free(rd->dec);
        } else {
            ss_free(rd->dec);
        }
        rd->dec = NULL;
    }
    ss_free(rd->in);
    rd->in = NULL;
}

int io_dec_fill(struct ss_reader *rd)
{
    uint64_t before = rd->base + rd->len;
    uint64_t total;
    int r;

    if (rd->dec_err != 0)
        return rd->dec_err;
    if (rd->dec_eof)
        return 0;
    if (!rd->dec_ready) {
        rd->dec_ready = true;
        r = io_dec_init(rd);
        if (r < 0) {
            rd->dec_err = ss_diag_set(&rd->dec_diag, r, rd->name, 0, 0, 0,
                                      "cannot set up the decoder: %s", ss_strerror(r));
            rd->dec_eof = true;
            return r;
        }
    }
    if (rd->comp == SS_COMP_NONE)
        r = plain_fill(rd);
    else if (rd->comp == SS_COMP_ZSTD)
        r = zstd_fill(rd);
#ifdef SS_HAVE_ISAL
    else if ((rd->flags & SS_READER_GZIP_ZLIB) == 0)
        r = isal_fill(rd);
#endif
    else
        r = zlib_fill(rd);
    if (r < 0) {
        /* bytes decoded before the damage are delivered; the error comes next time */
        rd->dec_err = r;
        rd->dec_eof = true;
        if (rd->base + rd->len == before)
            return r;
    }
    total = rd->base + rd->len;
    if (total > rd->lim.max_decoded_bytes) {
        /* out_room let one byte past the cap through: drop it and stop here */
        rd->len -= (size_t)(total - rd->lim.max_decoded_bytes);
        r = (int)(rd->base + rd->len - before);
        if (rd->dec_fn != NULL && r > 0)
            rd->dec_fn(rd->dec_ctx, (const uint8_t *)rd->buf + (before - rd->base), (size_t)r);
        if (rd->dec_err == 0)
            rd->dec_err =
                ss_diag_set(&rd->dec_diag, SS_ELIMIT, rd->name, 0, 0, rd->lim.max_decoded_bytes,
                            "decoded size exceeds %" PRIu64 " bytes", rd->lim.max_decoded_bytes);
        rd->dec_eof = true;
        if (r == 0)
            return rd->dec_err;
        return r;
    }
    if (rd->dec_fn != NULL && total > before)
        rd->dec_fn(rd->dec_ctx, (const uint8_t *)rd->buf + (before - rd->base),
                   (size_t)(total - before));
    if (rd->dec_err == 0 && rd->comp != SS_COMP_NONE && total > SS_IO_RATIO_GRACE_BYTES &&
        total / SS_MAX(rd->in_used, (uint64_t)1) > rd->lim.max_ratio) {
        rd->dec_err = ss_diag_set(&rd->dec_diag, SS_ELIMIT, rd->name, 0, 0, total,
                                  "decompression ratio exceeds %" PRIu64 ":1 (%" PRIu64
                                  " bytes from %" PRIu64 ")",
                                  rd->lim.max_ratio, total, rd->in_used);
        rd->dec_eof = true;
    }
    return (int)(rd->base + rd->len - before);
}

/*
 * ---- decoded blocks and the pipeline ----
 *
 * A compressed input read whole is decoded in fixed blocks: a private struct ss_reader
 * (drd) holds the source and decoder state, and each block is filled through
 * io_dec_fill until it is full or the stream ends. The sequence of decoder calls thus
 * depends only on the block size, never on the splitter or on timing, so everything a
 * reader reports (records, the bytes delivered before damage, where a ratio cap trips)
 * is the same with and without the decode thread. Without SS_READER_PIPELINE the
 * calling thread fills a block when it takes one (a ring of two: its window and the
 * next); with it, a decode thread fills the ring ahead.
 *
 * Blocks are filled, taken and given back in ring order, so three counters describe
 * the ring: filled (by the filler), taken (consumer only) and released. The filler may
 * fill while filled - released < n_blocks; the consumer holds at most two blocks at a
 * time and n_blocks >= 2, so it never waits on a ring that cannot be filled. With a
 * thread, the counters are under one mutex, and block fields and the final error are
 * written before the counter that publishes them.
 */

struct io_block {
    char *mem;        /* head bytes of headroom, then block_bytes decoded */
    size_t len;       /* decoded bytes at mem + head */
    uint64_t src_pos; /* the source position when the block was done */
    bool last;        /* the stream ended in this block: no block follows */
};

struct io_pipe {
    struct ss_reader *drd; /* source and decoder (the thread's until joined) */
    bool threaded;         /* a decode thread fills the ring */
    pthread_t tid;
    bool running; /* tid not joined yet */
    pthread_mutex_t lock;
    pthread_cond_t filled;         /* a block was published */
    pthread_cond_t freed;          /* a block was given back, or stop */
    uint64_t n_filled, n_released; /* under lock when threaded */
    bool stop;                     /* under lock */
    atomic_bool stop_now;          /* the same, polled by the thread between decoder steps */
    uint64_t n_taken;              /* consumer only */
    uint64_t decoded;              /* filler only: decoded bytes before the next block */
    int err;                       /* the stream's final error, published with the last block */
    struct ss_diag diag;
    unsigned n_blocks;
    size_t block_bytes; /* decoded bytes a block holds */
    size_t head;        /* headroom in front of them */
    struct io_block *blk;
};

/* Fill @b. Returns false when stopped half-way (the block is then not published). */
static bool fill_block(struct io_pipe *pp, struct io_block *b)
{
    struct ss_reader *drd = pp->drd;

    drd->buf = b->mem + pp->head;
    drd->cap = pp->block_bytes;
    drd->len = 0;
    drd->base = pp->decoded;
    while (drd->len < drd->cap && !drd->dec_eof) {
        if (pp->threaded && atomic_load_explicit(&pp->stop_now, memory_order_relaxed))
            return false;
        /* > 0 bytes, or 0 / an error with dec_eof set (the error is sticky in drd) */
        if (io_dec_fill(drd) <= 0 && SS_NEVER(!drd->dec_eof))
            drd->dec_eof = true;
    }
    b->len = drd->len;
    b->src_pos = drd->src_pos;
    b->last = drd->dec_eof;
    pp->decoded += drd->len;
    if (b->last) {
        pp->err = drd->dec_err;
        pp->diag = drd->dec_diag;
    }
    return true;
}

static void *pipe_main(void *arg)
{
    struct io_pipe *pp = arg;

    for (;;) {
        struct io_block *b;

        pthread_mutex_lock(&pp->lock);
        while (!pp->stop && pp->n_filled - pp->n_released >= pp->n_blocks)
            pthread_cond_wait(&pp->freed, &pp->lock);
        if (pp->stop) {
            pthread_mutex_unlock(&pp->lock);
            return NULL;
        }
        b = &pp->blk[pp->n_filled % pp->n_blocks];
        pthread_mutex_unlock(&pp->lock);
        if (!fill_block(pp, b))
            return NULL;
        pthread_mutex_lock(&pp->lock);
        pp->n_filled++;
        pthread_cond_signal(&pp->filled);
        pthread_mutex_unlock(&pp->lock);
        if (b->last)
            return NULL;
    }
}

/* Free what io_pipe_start allocated; no thread is running. */
static void pipe_destroy(struct io_pipe *pp, bool sync_ready)
{
    if (pp->drd != NULL) {
        io_dec_free(pp->drd);
        ss_free(pp->drd);
    }
    for (unsigned i = 0; pp->blk != NULL && i < pp->n_blocks; i++)
        ss_free(pp->blk[i].mem);
    ss_free(pp->blk);
    if (sync_ready) {
        pthread_cond_destroy(&pp->freed);
        pthread_cond_destroy(&pp->filled);
        pthread_mutex_destroy(&pp->lock);
    }
    ss_free(pp);
}

/* Start the decode thread. Returns false (and leaves pp unthreaded) if it cannot. */
static bool pipe_thread_start(struct io_pipe *pp)
{
    atomic_init(&pp->stop_now, false);
    if (pthread_mutex_init(&pp->lock, NULL) != 0)
        return false;
    if (pthread_cond_init(&pp->filled, NULL) != 0) {
        pthread_mutex_destroy(&pp->lock);
        return false;
    }
    if (pthread_cond_init(&pp->freed, NULL) != 0) {
        pthread_cond_destroy(&pp->filled);
        pthread_mutex_destroy(&pp->lock);
        return false;
    }
    pp->threaded = true;
    if (pthread_create(&pp->tid, NULL, pipe_main, pp) != 0) {
        pthread_cond_destroy(&pp->freed);
        pthread_cond_destroy(&pp->filled);
        pthread_mutex_destroy(&pp->lock);
        pp->threaded = false;
        return false;
    }
    pp->running = true;
    return true;
}

static bool block_mode(const struct ss_reader *rd)
{
    return rd->comp != SS_COMP_NONE && !rd->range && !rd->sniffing && !rd->dec_ready &&
           rd->src_pos == rd->src_begin;
}

int io_pipe_start(struct ss_reader *rd)
{
    struct io_pipe *pp;
    struct ss_reader *drd;
    bool thread = (rd->flags & SS_READER_PIPELINE) != 0;

    rd->pipe_tried = true;
    if (!block_mode(rd))
        return 0;
    rd->dec_ready = true; /* rd's own decoder is never set up */
    pp = ss_calloc(1, sizeof(*pp));
    if (pp == NULL)
        goto nomem;
    pp->n_blocks = thread ? (rd->pipe_blocks != 0 ? rd->pipe_blocks : IO_PIPE_BLOCKS) : 2;
    pp->block_bytes = rd->pipe_block_bytes != 0 ? rd->pipe_block_bytes : IO_PIPE_BLOCK;
    pp->head = SS_MIN(IO_PIPE_HEAD, pp->block_bytes);
    pp->drd = drd = ss_calloc(1, sizeof(*drd));
    pp->blk = ss_calloc(pp->n_blocks, sizeof(*pp->blk));
    if (drd == NULL || pp->blk == NULL)
        goto nomem;
    for (unsigned i = 0; i < pp->n_blocks; i++) {
        pp->blk[i].mem = ss_malloc(pp->head + pp->block_bytes);
        if (pp->blk[i].mem == NULL)
            goto nomem;
    }
    /* the source and decoder layers of rd, as they are before anything was read */
    drd->name = rd->name;
    drd->input = rd->input;
    drd->lim = rd->lim;
    drd->jlim = rd->jlim;
    drd->flags = rd->flags;
    drd->fd = rd->fd; /* still owned (and closed) by rd; pread has no shared offset */
    drd->mem = rd->mem;
    drd->mem_len = rd->mem_len;
    drd->src_pos = rd->src_pos;
    drd->src_begin = rd->src_begin;
    drd->raw_end = rd->raw_end;
    drd->src_eof = rd->src_eof;
    drd->raw_fn = rd->raw_fn;
    drd->raw_ctx = rd->raw_ctx;
    drd->comp = rd->comp;
    drd->range_end = UINT64_MAX;
    drd->line = 1;
    drd->wrap_key = -1;
    /* without the thread (not asked for, or it cannot start) the caller fills each block
     * as it takes it; nothing has been read yet either way */
    if (thread)
        (void)pipe_thread_start(pp);
    rd->pipe = pp;
    rd->own_buf = rd->buf;
    rd->own_cap = rd->cap;
    rd->win_block = false;
    return 0;
nomem:
    if (pp != NULL)
        pipe_destroy(pp, false);
    rd->dec_eof = true;
    rd->dec_err = ss_diag_set(&rd->dec_diag, -ENOMEM, rd->name, 0, 0, 0,
                              "cannot set up the decoder: %s", ss_strerror(-ENOMEM));
    return rd->dec_err;
}

/* The next block to take, filling it on the calling thread or waiting for the thread. */
static struct io_block *next_block(struct io_pipe *pp)
{
    if (!pp->threaded) {
        struct io_block *b = &pp->blk[pp->n_filled % pp->n_blocks];

        if (pp->n_filled == pp->n_taken) {
            if (pp->stop || (pp->n_filled > 0 && pp->blk[(pp->n_filled - 1) % pp->n_blocks].last))
                return NULL;
            if (SS_NEVER(pp->n_filled - pp->n_released >= pp->n_blocks))
                return NULL;
            (void)fill_block(pp, b);
            pp->n_filled++;
        }
        return &pp->blk[pp->n_taken % pp->n_blocks];
    }
    pthread_mutex_lock(&pp->lock);
    while (pp->n_filled == pp->n_taken && !pp->stop)
        pthread_cond_wait(&pp->filled, &pp->lock);
    if (pp->n_filled == pp->n_taken) {
        pthread_mutex_unlock(&pp->lock);
        return NULL;
    }
    pthread_mutex_unlock(&pp->lock);
    return &pp->blk[pp->n_taken % pp->n_blocks];
}

int io_pipe_take(struct ss_reader *rd, char **ret_p, size_t *ret_head, size_t *ret_n)
{
    struct io_pipe *pp = rd->pipe;

    for (;;) {
        struct io_block *b = next_block(pp);

        if (b == NULL) {
            /* stopped (drained) while blocks were still to come */
            rd->dec_eof = true;
            if (rd->dec_err == 0)
                rd->dec_err = ss_diag_set(&rd->dec_diag, -ECANCELED, rd->name, 0, 0,
                                          rd->base + rd->len, "decoding was stopped");
            return 0;
        }
        pp->n_taken++;
        rd->src_pos = b->src_pos;
        if (b->last) {
            rd->dec_eof = true;
            if (pp->err != 0) {
                rd->dec_err = pp->err;
                rd->dec_diag = pp->diag;
            }
        }
        if (b->len > 0) {
            *ret_p = b->mem + pp->head;
            *ret_head = pp->head;
            *ret_n = b->len;
            return 1;
        }
        io_pipe_release(rd);
        if (b->last)
            return 0;
    }
}

void io_pipe_release(struct ss_reader *rd)
{
    struct io_pipe *pp = rd->pipe;

    if (!pp->threaded) {
        if (SS_ALWAYS(pp->n_released < pp->n_taken))
            pp->n_released++;
        return;
    }
    pthread_mutex_lock(&pp->lock);
    if (SS_ALWAYS(pp->n_released < pp->n_taken))
        pp->n_released++;
    pthread_cond_signal(&pp->freed);
    pthread_mutex_unlock(&pp->lock);
}

void io_pipe_stop(struct ss_reader *rd)
{
    struct io_pipe *pp = rd->pipe;

    if (pp == NULL || pp->stop)
        return;
    if (pp->running) {
        pthread_mutex_lock(&pp->lock);
        pp->stop = true;
        atomic_store(&pp->stop_now, true);
        pthread_cond_broadcast(&pp->freed);
        pthread_mutex_unlock(&pp->lock);
        (void)pthread_join(pp->tid, NULL);
        pp->running = false;
    }
    pp->stop = true; /* no more blocks are filled */
    /* the source was read up to here (the raw observer's calls included) */
    rd->src_pos = pp->drd->src_pos;
    rd->src_eof = pp->drd->src_eof;
}

void io_pipe_free(struct ss_reader *rd)
{
    if (rd->pipe == NULL)
        return;
    io_pipe_stop(rd);
    pipe_destroy(rd->pipe, rd->pipe->threaded);
    rd->pipe = NULL;
}

bool io_pipe_threaded(const struct ss_reader *rd)
{
    return rd->pipe != NULL && rd->pipe->threaded;
}
