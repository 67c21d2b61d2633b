/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/fuzz/fuzz_cloudtrail.c - libFuzzer target for CloudTrail integrity validation:
 * the input is up to three digest documents and a public-key list separated by NUL
 * bytes. The digests are placed at fixed paths in a case beside two log files and a
 * signature sidecar whose text is the key list part, then verified with and without the
 * keys. The texts are given as they are, valid JSON or not, so the verifier's own
 * bounds checks are exercised, not only the reader's validation.
 */
#include "core/base.h"
#include "core/finding.h"
#include "evidence/cloudtrail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DIR "b/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2024/05/01/"
#define NAME "111122223333_CloudTrail-Digest_eu-west-1_t_eu-west-1_20240501T0%u2011Z.json.gz"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *parts[4] = { NULL, NULL, NULL, NULL };
    size_t lens[4] = { 0, 0, 0, 0 }, start = 0, k = 0;
    char rel[3][256], side[300];
    struct ss_ct_file files[6];
    struct ss_ct_keys *keys = NULL;
    struct ss_findings fs;
    struct ss_diag d;
    int r;

    for (size_t i = 0; i <= size && k < 4; i++) {
        if (i == size || p[i] == '\0') {
            parts[k] = p + start;
            lens[k] = i - start;
            k++;
            start = i + 1;
        }
    }
    memset(files, 0, sizeof(files));
    for (unsigned i = 0; i < 3; i++) {
        snprintf(rel[i], sizeof(rel[i]), DIR NAME, 7 + i);
        files[i].rel = rel[i];
        files[i].input = i;
        files[i].role = SS_CT_DIGEST;
        files[i].decoded_ok = i != 1;
        files[i].sha256[0] = (uint8_t)i;
        files[i].text = parts[i];
        files[i].text_len = lens[i];
        files[i].loc.input = i;
        files[i].loc.len = lens[i];
    }
    snprintf(side, sizeof(side), "%s.metadata.json", rel[2]);
    files[3] = (struct ss_ct_file){
        .rel = side, .input = 3, .role = SS_CT_SIDECAR, .text = parts[3], .text_len = lens[3]
    };
    files[4] = (struct ss_ct_file){
        .rel = "b/AWSLogs/111122223333/CloudTrail/eu-west-1/2024/05/01/"
               "111122223333_CloudTrail_eu-west-1_20240501T0830Z_abcdefgh12345678.json.gz",
        .input = 4,
        .decoded_ok = true
    };
    files[5] = (struct ss_ct_file){ .rel = "b/other.json", .input = 5 };
    if (ss_ct_keys_new(&keys) != 0)
        return 0;
    ss_diag_clear(&d);
    if (parts[3] != NULL)
        r = ss_ct_keys_parse(keys, parts[3], lens[3], "keys", &d);
    ss_findings_init(&fs, (size_t)64 << 20);
    r = ss_ct_verify(files, 6, NULL, &fs, NULL);
    ss_findings_release(&fs);
    ss_findings_init(&fs, (size_t)64 << 20);
    r = ss_ct_verify(files, 6, keys, &fs, NULL);
    (void)r;
    ss_findings_release(&fs);
    ss_ct_keys_free(keys);
    return 0;
}
