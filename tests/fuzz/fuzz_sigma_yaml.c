/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/fuzz/fuzz_sigma_yaml.c - libFuzzer target for the Sigma loader (sigma/sigma.h).
 *
 * Input: YAML text, optionally followed by a NUL byte and one record (JSON text, hostile:
 * it may be malformed). The target loads the YAML as rules (strict and lenient), as a
 * reviewer mapping and as a placeholder file, compiles, and when anything loaded it
 * matches a few fixed records and the given one against every routed kind (with and
 * without SS_SIGMA_VALIDATE: without it, malformed text must still never be read out of
 * bounds) and runs correlations and findings. It aborts on any inconsistency:
 *  - every report entry is either loaded with a rule index in range, or rejected with a
 *    non-empty reason;
 *  - strict loading never loads more documents than lenient loading;
 *  - whatever loaded compiles, unless memory or a cap stops it;
 *  - every hit names a rule in range that reports its own matches.
 * Crashes, leaks and sanitizer reports are the other failures.
 */
#include "sigma/sigma.h"

#include "core/alloc.h"
#include "core/finding.h"

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x)) {                                                                                \
            fprintf(stderr, "fuzz_sigma_yaml: check failed: %s (line %d)\n", #x, __LINE__);        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const records[] = {
    "{\"a\":\"foo\",\"b\":[1,2,\"x\"],\"c\":{\"d\":\"E\\u00e9\"},\"t\":\"2024-01-01T00:00:00Z\"}",
    "{\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"CreateUser\",\"eventTime\":"
    "\"2024-01-01T00:00:00Z\",\"userIdentity\":{\"arn\":\"arn:aws:iam::1:user/x\"}}",
    "{\"time\":\"2024-01-01T00:00:00Z\",\"category\":\"Administrative\",\"operationName\":"
    "\"MICROSOFT.X/Y/WRITE\",\"resourceId\":\"/SUBSCRIPTIONS/A\",\"properties\":\"{\\\"k\\\":1}\"}",
    "{\"time\":\"2024-01-01T00:01:00Z\",\"category\":\"SignInLogs\",\"resultType\":\"50126\","
    "\"properties\":{\"userPrincipalName\":\"u@x\",\"status\":{\"errorCode\":50126}}}",
    "[1,\"a\",null,true]",
};

static const char *const kinds[] = { "jsonl", "json", "cloudtrail", "azure-jsonl", "gcp-jsonl" };

static size_t check_report(const struct ss_sigma_ruleset *rs)
{
    size_t loaded = 0;

    for (size_t i = 0; i < ss_sigma_report_len(rs); i++) {
        const struct ss_sigma_entry *e = ss_sigma_report_at(rs, i);

        CHECK(e != NULL);
        if (e->status == SS_SIGMA_LOADED) {
            loaded++;
            CHECK(e->rule < 0 || (size_t)e->rule < ss_sigma_rule_count(rs));
        } else {
            CHECK(e->status == SS_SIGMA_REJECTED);
            CHECK(e->reason != NULL && e->reason[0] != '\0');
        }
        for (size_t k = 0; k < e->n_notes; k++)
            CHECK(e->notes[k].msg != NULL && (unsigned)e->notes[k].kind < SS_SIGMA_NOTE__COUNT);
    }
    return loaded;
}

static const char *fuzz_rec;
static size_t fuzz_rec_len;

static void match_all(const struct ss_sigma_ruleset *rs, struct ss_sigma_scratch *scr, int src,
                      const char *rec, size_t len, uint32_t input)
{
    const struct ss_sigma_hit *hits;
    size_t n = 0;
    struct ss_loc loc = { .input = input, .offset = 0, .len = len };
    int r = ss_sigma_match(rs, scr, src, rec, len, &loc, &hits, &n);

    CHECK(r == 0 || r == SS_ESYNTAX || r == -ENOMEM || r == SS_ELIMIT);
    for (size_t h = 0; r == 0 && h < n; h++) {
        struct ss_sigma_rule_info ri;

        CHECK(hits[h].rule < ss_sigma_rule_count(rs));
        ss_sigma_rule_info(rs, hits[h].rule, &ri);
        CHECK(ri.emits);
    }
}

static size_t run_rules(const uint8_t *data, size_t size, unsigned flags)
{
    struct ss_sigma_ruleset *rs = ss_sigma_ruleset_new(flags);
    struct ss_sigma_scratch *scr = NULL;
    struct ss_findings fs;
    struct ss_diag d;
    size_t loaded;
    int r;

    if (rs == NULL)
        return 0;
    ss_findings_init(&fs, (size_t)16 << 20);
    if (ss_sigma_load_mem(rs, "fuzz.yml", (const char *)data, size, &d) != 0) {
        ss_sigma_ruleset_free(rs);
        ss_findings_release(&fs);
        return 0;
    }
    r = ss_sigma_compile(rs, &d);
    /* whatever was loaded compiles: only memory and the caps may stop it (a prefilter
       error here would fail every rule over one) */
    CHECK(r == 0 || r == -ENOMEM || r == SS_ELIMIT);
    if (r != 0) {
        ss_sigma_ruleset_free(rs);
        ss_findings_release(&fs);
        return 0;
    }
    loaded = check_report(rs);
    scr = ss_sigma_scratch_new(rs, SS_SIGMA_KEEP_HITS | SS_SIGMA_VALIDATE);
    for (size_t k = 0; scr != NULL && k < SS_ARRAY_LEN(kinds); k++) {
        int src = ss_sigma_source(rs, kinds[k]);

        if (src < 0)
            continue;
        for (size_t i = 0; i < SS_ARRAY_LEN(records); i++)
            match_all(rs, scr, src, records[i], strlen(records[i]), (uint32_t)k);
        if (fuzz_rec != NULL) {
            /* a private copy of exactly the record's size: ASan sees any overread */
            char *copy = ss_malloc(fuzz_rec_len ? fuzz_rec_len : 1);
            struct ss_sigma_scratch *raw = ss_sigma_scratch_new(rs, 0);

            if (copy != NULL) {
                if (fuzz_rec_len > 0)
                    memcpy(copy, fuzz_rec, fuzz_rec_len);
                match_all(rs, scr, src, copy, fuzz_rec_len, (uint32_t)k);
                if (raw != NULL)
                    match_all(rs, raw, src, copy, fuzz_rec_len, (uint32_t)k);
            }
            ss_sigma_scratch_free(raw);
            ss_free(copy);
        }
    }
    if (scr != NULL && ss_sigma_findings(rs, &scr, 1, &fs) != 0)
        CHECK(fs.len == fs.len); /* out of memory or a cap: allowed */
    ss_findings_release(&fs);
    ss_sigma_scratch_free(scr);
    ss_sigma_ruleset_free(rs);
    return loaded;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ss_sigma_ruleset *rs;
    struct ss_diag d;
    size_t strict, lenient;
    const uint8_t *nul = memchr(data, 0, size);

    fuzz_rec = NULL;
    fuzz_rec_len = 0;
    if (nul != NULL) {
        fuzz_rec = (const char *)nul + 1;
        fuzz_rec_len = size - (size_t)(nul - data) - 1;
        size = (size_t)(nul - data);
    }
    strict = run_rules(data, size, 0);
    lenient = run_rules(data, size, SS_SIGMA_LENIENT);
    CHECK(strict <= lenient);
    (void)run_rules(data, size, SS_SIGMA_NO_PREFILTER | SS_SIGMA_NO_BUILTIN_MAPPINGS);
    /* the same text as a mapping and as placeholders */
    rs = ss_sigma_ruleset_new(SS_SIGMA_LENIENT);
    if (rs != NULL) {
        static const char rule[] = "detection:\n  s: {a|expand: '%p%'}\n  condition: s\n";

        if (ss_sigma_mapping_load_mem(rs, "fuzz-map.yml", (const char *)data, size, &d) == 0 &&
            ss_sigma_placeholders_load_mem(rs, "fuzz-ph.yml", (const char *)data, size, &d) == 0 &&
            ss_sigma_load_mem(rs, "r.yml", rule, sizeof(rule) - 1, &d) == 0 &&
            ss_sigma_compile(rs, &d) == 0)
            (void)check_report(rs);
        ss_sigma_ruleset_free(rs);
    }
    return 0;
}
