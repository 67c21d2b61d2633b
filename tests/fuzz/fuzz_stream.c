/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/fuzz/fuzz_stream.c - fuzz target for the decompressors: arbitrary bytes read
 * as a stream whose compression is taken from its magic (gzip through ISA-L and through
 * zlib, zstd), with small decoded-size and ratio caps. A damaged stream must end in a
 * located error, never a crash, a hang or memory beyond the caps.
 */
#include "io/io.h"

#include "core/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const uint8_t *data, size_t size, unsigned flags)
{
    struct ss_io_limits lim = ss_io_limits_default;
    struct ss_reader *rd;
    uint64_t calls = 0;

    lim.max_decoded_bytes = (uint64_t)4 << 20;
    lim.max_ratio = 64;
    lim.max_record_bytes = (uint64_t)1 << 20;
    if (ss_reader_open_mem(data, size, 0, "fuzz", flags, &lim, &rd, NULL) != 0)
        return;
    for (;;) {
        struct ss_record rec;
        struct ss_diag d;
        int r = ss_reader_next(rd, &rec, &d);

        if (r == 0)
            break;
        if (++calls > ((uint64_t)4 << 20))
            abort();
        if (r < 0 && d.code != r)
            abort();
        if (r == SS_ECORRUPT && ss_reader_next(rd, &rec, &d) != 0)
            abort(); /* a damaged stream ends the input */
        if (r == SS_ECORRUPT)
            break;
    }
    if (ss_reader_decoded_bytes(rd) > lim.max_decoded_bytes)
        abort();
    ss_reader_free(rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, 0);
    run(data, size, SS_READER_GZIP_ZLIB);
    return 0;
}
