/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/bench_ingest.c - throughput of ingestion (io area): each FILE is read the way a
 * review reads it (ss_case_from_file, ss_reader_open, ss_reader_next to the end) on one
 * thread, and MB/s (decoded bytes) and records/s are printed, best of N runs. With
 * --decode=ENGINE it instead times the bare decompressor, without splitting, to compare
 * engines: isal (streaming), zlib (streaming), libdeflate (whole buffer: the file and
 * its output are held in memory), zstd (streaming).
 *
 * --extract also pulls 5 fields out of every record in one pass (a pathset: time,
 * resourceId, operationName, category, callerIpAddress), as a review's checks do.
 *
 * usage: bench_ingest [--runs N] [--no-validate] [--extract] [--zlib] [--pipeline]
 *                     [--blocks N:KIB] [--threads N] FILE...
 *        bench_ingest [--runs N] --decode=isal|zlib|libdeflate|zstd FILE...
 * --threads N reads one plain JSON lines FILE in N byte ranges on N threads.
 * --pipeline decodes a compressed FILE on a decode thread of its own (SS_READER_PIPELINE);
 * --blocks sizes the decoded blocks (N blocks of KIB KiB; ss_reader_set_decode_blocks).
 */
#include "io/io.h"

#include "core/alloc.h"
#include "json/json.h"
#include "core/parse.h"
#include "core/pool.h"

#include <libdeflate.h>
#include <zlib.h>
#include <zstd.h>
#ifdef SS_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

struct result {
    uint64_t decoded, records, bad, sink;
};

/* Fields extracted per record with --extract (shared read-only by all threads). */
static struct ss_json_pathset *extract_set;
static const char *const extract_paths[] = { "time", "resourceId", "operationName", "category",
                                             "callerIpAddress" };

static int make_extract_set(void)
{
    extract_set = ss_json_pathset_new();
    if (extract_set == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < SS_ARRAY_LEN(extract_paths); i++) {
        struct ss_json_path *p;
        size_t slot;
        int r = ss_json_path_parse(extract_paths[i], strlen(extract_paths[i]), &p, NULL);

        if (r == 0) {
            r = ss_json_pathset_add(extract_set, p, &slot);
            if (r < 0)
                ss_json_path_free(p);
        }
        if (r < 0)
            return r;
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_reader(struct ss_reader *rd, struct result *res)
{
    for (;;) {
        struct ss_record rec;
        int r = ss_reader_next(rd, &rec, NULL);

        if (r == 0)
            break;
        if (r < 0) {
            res->bad++;
            continue;
        }
        res->records++;
        if (extract_set != NULL) {
            struct ss_json_val v[SS_ARRAY_LEN(extract_paths)];

            if (ss_json_extract(extract_set, rec.ptr, rec.len, v) == 0) {
                for (size_t k = 0; k < SS_ARRAY_LEN(v); k++)
                    res->sink += v[k].len;
            }
        }
    }
    res->decoded += ss_reader_decoded_bytes(rd);
    return 0;
}

static unsigned arg_blocks;
static size_t arg_block_bytes;

static int run_reader(const char *path, unsigned flags, struct result *res)
{
    struct ss_case c;
    struct ss_reader *rd;
    int r = ss_case_from_file(path, NULL, &c, NULL);

    if (r < 0)
        return r;
    r = ss_reader_open(&c, 0, NULL, NULL, NULL, &rd, NULL);
    if (r == 0) {
        ss_reader_set_flags(rd, flags);
        ss_reader_set_decode_blocks(rd, arg_blocks, arg_block_bytes);
        r = read_reader(rd, res);
        ss_reader_free(rd);
    }
    ss_case_release(&c);
    return r;
}

struct par {
    struct ss_case c;
    unsigned flags;
    uint64_t *bounds;
    struct result *res;
};

static int range_task(void *ctx, size_t task, unsigned worker)
{
    struct par *p = ctx;
    struct ss_reader *rd;
    int r;

    (void)worker;
    /* Lines relative to the range (first_line 1), as the review does: it fixes them up
     * afterwards from newline counts taken in the same pass, so no prefix pass is needed. */
    r = ss_reader_open_range(&p->c, 0, p->bounds[task], p->bounds[task + 1], 1, NULL, NULL, NULL,
                             &rd, NULL);
    if (r < 0)
        return r;
    ss_reader_set_flags(rd, p->flags);
    r = read_reader(rd, &p->res[task]);
    /* ranges read past their end to finish a record: count their own bytes only */
    p->res[task].decoded = p->bounds[task + 1] - p->bounds[task];
    ss_reader_free(rd);
    return r;
}

static int run_ranges(const char *path, unsigned flags, unsigned threads, struct result *res)
{
    struct par p = { .flags = flags };
    uint64_t size;
    /* Ranges of 32 MiB, as the review deals them, so a slow thread cannot hold the rest. */
    const uint64_t range = (uint64_t)32 << 20;
    size_t n;
    int r = ss_case_from_file(path, NULL, &p.c, NULL);

    if (r < 0)
        return r;
    size = p.c.inputs[0].size_bytes;
    n = (size_t)((size + range - 1) / range);
    if (n == 0)
        n = 1;
    p.bounds = ss_calloc(n + 1, sizeof(*p.bounds));
    p.res = ss_calloc(n, sizeof(*p.res));
    if (p.bounds == NULL || p.res == NULL) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        p.bounds[i] = range * i;
    p.bounds[n] = size;
    r = ss_pool_run(threads, n, range_task, &p);
    for (size_t i = 0; i < n; i++) {
        res->decoded += p.res[i].decoded;
        res->records += p.res[i].records;
        res->bad += p.res[i].bad;
        res->sink += p.res[i].sink;
    }
out:
    ss_free(p.bounds);
    ss_free(p.res);
    ss_case_release(&p.c);
    return r;
}

static int slurp(const char *path, uint8_t **ret, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;

    if (f == NULL)
        return -errno;
    for (;;) {
        size_t n;

        if (len == cap) {
            uint8_t *nb;

            cap = cap != 0 ? cap * 2 : (size_t)1 << 20;
            nb = ss_realloc(buf, cap);
            if (nb == NULL) {
                ss_free(buf);
                fclose(f);
                return -ENOMEM;
            }
            buf = nb;
        }
        n = fread(buf + len, 1, cap - len, f);
        if (n == 0)
            break;
        len += n;
    }
    fclose(f);
    *ret = buf;
    *ret_len = len;
    return 0;
}

/* Bare decoders over a file already in memory (so disk and page cache do not count). */
static uint8_t *ldbuf;
static size_t ldbuf_len;

static int decode_only(const char *engine, const uint8_t *in, size_t in_len, uint64_t *ret_out)
{
    const size_t chunk = (size_t)1 << 20;
    uint8_t *out = ss_malloc(chunk);
    uint64_t total = 0;
    int r = 0;

    if (out == NULL)
        return -ENOMEM;
    if (strcmp(engine, "zlib") == 0) {
        z_stream z = { 0 };
        size_t pos = 0;

        if (inflateInit2(&z, 15 + 16) != Z_OK) {
            r = -ENOMEM;
            goto out;
        }
        while (pos < in_len) {
            int zr;

            z.next_in = (Bytef *)(uintptr_t)(in + pos);
            z.avail_in = (uInt)SS_MIN(in_len - pos, (size_t)1 << 30);
            z.next_out = out;
            z.avail_out = (uInt)chunk;
            zr = inflate(&z, Z_NO_FLUSH);
            pos = in_len - z.avail_in;
            total += chunk - z.avail_out;
            if (zr == Z_STREAM_END) {
                if (pos < in_len)
                    inflateReset(&z);
            } else if (zr != Z_OK) {
                r = SS_ECORRUPT;
                break;
            }
        }
        inflateEnd(&z);
    } else if (strcmp(engine, "zstd") == 0) {
        ZSTD_DCtx *d = ZSTD_createDCtx();
        ZSTD_inBuffer zin = { in, in_len, 0 };

        while (zin.pos < zin.size) {
            ZSTD_outBuffer zout = { out, chunk, 0 };
            size_t zr = ZSTD_decompressStream(d, &zout, &zin);

            if (ZSTD_isError(zr)) {
                r = SS_ECORRUPT;
                break;
            }
            total += zout.pos;
        }
        for (;;) {
            ZSTD_outBuffer zout = { out, chunk, 0 };
            size_t zr = ZSTD_decompressStream(d, &zout, &zin);

            if (ZSTD_isError(zr) || zout.pos == 0)
                break;
            total += zout.pos;
        }
        ZSTD_freeDCtx(d);
    } else if (strcmp(engine, "libdeflate") == 0) {
        /* whole buffer only: all the output of a member must be in memory at once. The
         * output buffer is sized by the caller (ldbuf) and reused, so page faults on
         * fresh memory are not counted against libdeflate. */
        struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
        size_t pos = 0;

        while (pos + 18 <= in_len) {
            size_t in_used = 0, out_len = 0;
            enum libdeflate_result lr = libdeflate_gzip_decompress_ex(
                d, in + pos, in_len - pos, ldbuf, ldbuf_len, &in_used, &out_len);

            if (lr != LIBDEFLATE_SUCCESS) {
                r = lr == LIBDEFLATE_INSUFFICIENT_SPACE ? SS_ELIMIT : SS_ECORRUPT;
                break;
            }
            total += out_len;
            pos += in_used;
        }
        libdeflate_free_decompressor(d);
#ifdef SS_HAVE_ISAL
    } else if (strcmp(engine, "isal") == 0) {
        struct inflate_state *st = ss_malloc(sizeof(*st));

        if (st == NULL) {
            r = -ENOMEM;
            goto out;
        }
        isal_inflate_init(st);
        st->crc_flag = ISAL_GZIP;
        st->next_in = (uint8_t *)(uintptr_t)in;
        st->avail_in = (uint32_t)SS_MIN(in_len, (size_t)UINT32_MAX);
        for (;;) {
            uint8_t *ni;
            uint32_t ai;

            st->next_out = out;
            st->avail_out = (uint32_t)chunk;
            if (isal_inflate(st) != ISAL_DECOMP_OK) {
                r = SS_ECORRUPT;
                break;
            }
            total += chunk - st->avail_out;
            if (st->block_state != ISAL_BLOCK_FINISH)
                continue;
            if (st->avail_in == 0)
                break;
            ni = st->next_in;
            ai = st->avail_in;
            isal_inflate_reset(st);
            st->crc_flag = ISAL_GZIP;
            st->next_in = ni;
            st->avail_in = ai;
        }
        ss_free(st);
#endif
    } else {
        r = -EINVAL;
    }
out:
    ss_free(out);
    *ret_out = total;
    return r;
}

int main(int argc, char **argv)
{
    unsigned flags = 0, runs = 3, threads = 0;
    const char *engine = NULL;
    int first = 1, status = 0;

    for (; first < argc && strncmp(argv[first], "--", 2) == 0; first++) {
        const char *a = argv[first];
        uint64_t v;

        if (strcmp(a, "--no-validate") == 0) {
            flags |= SS_READER_NO_VALIDATE;
        } else if (strcmp(a, "--extract") == 0) {
            if (make_extract_set() < 0)
                return 1;
        } else if (strcmp(a, "--zlib") == 0) {
            flags |= SS_READER_GZIP_ZLIB;
        } else if (strcmp(a, "--pipeline") == 0) {
            flags |= SS_READER_PIPELINE;
        } else if (strcmp(a, "--blocks") == 0 && first + 1 < argc &&
                   strchr(argv[first + 1], ':') != NULL) {
            const char *b = argv[++first], *colon = strchr(b, ':');

            if (ss_parse_u64(b, (size_t)(colon - b), &v) != 0 || v > 64)
                return 2;
            arg_blocks = (unsigned)v;
            if (ss_parse_u64(colon + 1, strlen(colon + 1), &v) != 0 || v > 4096)
                return 2;
            arg_block_bytes = (size_t)v << 10;
        } else if (strncmp(a, "--decode=", 9) == 0) {
            engine = a + 9;
        } else if (strcmp(a, "--runs") == 0 && first + 1 < argc &&
                   ss_parse_u64(argv[first + 1], strlen(argv[first + 1]), &v) == 0 && v > 0) {
            runs = (unsigned)v;
            first++;
        } else if (strcmp(a, "--threads") == 0 && first + 1 < argc &&
                   ss_parse_u64(argv[first + 1], strlen(argv[first + 1]), &v) == 0 && v > 0 &&
                   v <= 256) {
            threads = (unsigned)v;
            first++;
        } else {
            fprintf(stderr, "bench_ingest: unknown option '%s'\n", a);
            return 2;
        }
    }
    for (int i = first; i < argc; i++) {
        double best = 1e30;
        struct result res = { 0 };
        uint8_t *data = NULL;
        size_t data_len = 0;

        if (engine != NULL && slurp(argv[i], &data, &data_len) != 0) {
            fprintf(stderr, "bench_ingest: cannot read '%s'\n", argv[i]);
            return 1;
        }
        if (engine != NULL && strcmp(engine, "libdeflate") == 0 && data_len >= 4) {
            /* ISIZE of the last member (mod 2^32) bounds one member's output here */
            const uint8_t *t = data + data_len - 4;

            ldbuf_len =
                ((size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24) + 1;
            ss_free(ldbuf);
            ldbuf = ss_malloc(ldbuf_len);
            if (ldbuf == NULL)
                return 1;
            memset(ldbuf, 0, ldbuf_len);
        }
        for (unsigned k = 0; k < runs; k++) {
            double t0 = now_s(), dt;
            int r;

            res = (struct result){ 0 };
            if (engine != NULL)
                r = decode_only(engine, data, data_len, &res.decoded);
            else if (threads > 0)
                r = run_ranges(argv[i], flags, threads, &res);
            else
                r = run_reader(argv[i], flags, &res);
            dt = now_s() - t0;
            if (r < 0) {
                fprintf(stderr, "bench_ingest: '%s': %s\n", argv[i], ss_strerror(r));
                status = 1;
                break;
            }
            if (dt < best)
                best = dt;
        }
        ss_free(data);
        printf("%-40s %-12s %9.1f MB %8.3f s %9.1f MB/s %12.0f rec/s  records=%" PRIu64
               " bad=%" PRIu64 "\n",
               argv[i],
               engine != NULL                      ? engine
               : threads > 0                       ? "ranges"
               : (flags & SS_READER_PIPELINE) != 0 ? "pipelined"
               : extract_set != NULL               ? "reader+extract"
                                                   : "reader",
               (double)res.decoded / 1e6, best, (double)res.decoded / 1e6 / best,
               (double)res.records / best, res.records, res.bad);
    }
    ss_json_pathset_free(extract_set);
    return status;
}
