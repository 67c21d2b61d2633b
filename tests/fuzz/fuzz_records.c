/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/fuzz/fuzz_records.c - fuzz target for record splitting: arbitrary bytes read as
 * an uncompressed stream (JSON lines, arrays, wrappers, documents), with small caps so
 * that oversize and depth paths run. Checks the splitter's invariants: every record
 * lies inside the input at its reported offset, offsets increase, and a bad record
 * never stalls the reader. Also sniffs the bytes.
 */
#include "io/io.h"

#include "core/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const uint8_t *data, size_t size, unsigned flags, uint64_t max_record)
{
    struct ss_io_limits lim = ss_io_limits_default;
    struct ss_reader *rd;
    uint64_t last_end = 0, calls = 0;

    lim.max_record_bytes = max_record;
    lim.max_depth = 16;
    if (ss_reader_open_mem(data, size, 0, "fuzz", flags | SS_READER_FORCE_PLAIN, &lim, &rd, NULL) !=
        0)
        return;
    for (;;) {
        struct ss_record rec;
        struct ss_diag d;
        int r = ss_reader_next(rd, &rec, &d);

        if (r == 0)
            break;
        /* each call consumes input: at most a few calls per byte */
        if (++calls > 4 * (uint64_t)size + 16)
            abort();
        if (r < 0) {
            if (d.code != r)
                abort();
            continue;
        }
        if (rec.loc.offset + rec.len > size || rec.len != rec.loc.len || rec.len == 0)
            abort();
        if (memcmp(rec.ptr, data + rec.loc.offset, rec.len) != 0)
            abort();
        if (rec.loc.offset < last_end)
            abort();
        if (rec.len > max_record)
            abort();
        last_end = rec.loc.offset + rec.len;
    }
    ss_reader_free(rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ss_sniff sn;

    run(data, size, 0, 1 << 20);
    run(data, size, 0, 64);
    run(data, size, SS_READER_NO_VALIDATE, 1 << 20);
    ss_io_sniff_mem(data, size, &sn);
    if (sn.kind >= SS_KIND__COUNT || (sn.kind == SS_KIND_UNKNOWN) != (sn.why_unknown != NULL))
        abort();
    return 0;
}
