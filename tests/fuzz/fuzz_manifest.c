/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/fuzz/fuzz_manifest.c - libFuzzer target for the sealed-review reader behind
 * `siloscope verify` and `prove`: the input is manifest.json, manifest.dsse.json,
 * findings.jsonl, caselog/entries.jsonl and caselog/checkpoints.jsonl separated by NUL
 * bytes (a missing part is "could not be read" or empty). It runs the whole in-memory
 * verification, the proof of every finding read back, the case log checks, the DSSE
 * parser and the RFC 8785 canonicalizer on the raw input.
 */
#include "core/base.h"
#include "core/buf.h"
#include "evidence/dsse.h"
#include "evidence/evidence.h"
#include "evidence/jcs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *parts[5] = { NULL, NULL, NULL, NULL, NULL };
    size_t lens[5] = { 0, 0, 0, 0, 0 };
    struct ss_seal_texts t;
    struct ss_seal seal = { 0 };
    struct ss_verify_report rep;
    struct ss_dsse env = { 0 };
    struct ss_buf out = SS_BUF_INIT((size_t)16 << 20);
    size_t start = 0, k = 0;

    for (size_t i = 0; i <= size && k < 5; i++) {
        if (i == size || p[i] == '\0') {
            parts[k] = p + start;
            lens[k] = i - start;
            k++;
            start = i + 1;
        }
    }
    t = (struct ss_seal_texts){ .manifest = parts[0],
                                .manifest_len = lens[0],
                                .envelope = parts[1],
                                .envelope_len = lens[1],
                                .findings = parts[2],
                                .findings_len = lens[2] };
    ss_verify_report_init(&rep);
    rep.max_items = 64;
    if (ss_seal_verify_texts(&t, NULL, &seal, &rep) == 0) {
        for (size_t i = 0; i < seal.n_findings; i++) {
            ss_buf_reset(&out);
            if (ss_seal_prove(&seal, seal.findings[i].uid, &out) == -ENOMEM)
                break;
        }
    }
    ss_seal_release(&seal);
    ss_verify_report_release(&rep);

    ss_verify_report_init(&rep);
    rep.max_items = 64;
    if (parts[3] != NULL &&
        ss_caselog_verify_texts(parts[3], lens[3], parts[4] != NULL ? parts[4] : "", lens[4], NULL,
                                &rep) != 0 &&
        rep.n_items > 64)
        abort();
    ss_verify_report_release(&rep);

    if (ss_dsse_parse(p, size, &env, NULL) == 0)
        ss_dsse_release(&env);
    ss_buf_reset(&out);
    if (ss_jcs_canonicalize(p, size, &out, NULL) == 0 && out.len > 0) {
        struct ss_buf again = SS_BUF_INIT((size_t)16 << 20);

        /* Canonical form is a fixed point. */
        if (ss_jcs_canonicalize(out.ptr, out.len, &again, NULL) != 0 || again.len != out.len ||
            memcmp(again.ptr, out.ptr, out.len) != 0)
            abort();
        ss_buf_release(&again);
    }
    ss_buf_release(&out);
    return 0;
}
