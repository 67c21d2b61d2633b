/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/fuzz/fuzz_checks.c - libFuzzer target for the built-in checks: the input is
 * split into lines; every line that is valid JSON is fed as an Azure record to one state,
 * and also to two states by alternation that are then merged. The findings of both must
 * be identical (the checks' merge is order-independent) and no input may crash, leak or
 * read out of bounds.
 */
#include "checks/checks.h"
#include "core/finding.h"
#include "json/json.h"

static int feed(struct ss_checks_state *st, const uint8_t *data, size_t size, size_t begin,
                size_t end, uint32_t line)
{
    struct ss_loc loc = { .input = line % 3, .offset = begin, .len = end - begin, .index = line };
    const char *rec = (const char *)data + begin;

    (void)size;
    if (ss_json_validate(rec, end - begin, NULL, NULL) != 0)
        return 0;
    return ss_checks_record(st, line % 2 == 0 ? SS_KIND_AZURE_JSONL : SS_KIND_AZURE_REST, rec,
                            end - begin, &loc);
}

static bool same_findings(const struct ss_findings *a, const struct ss_findings *b)
{
    if (a->len != b->len)
        return false;
    for (size_t i = 0; i < a->len; i++) {
        const struct ss_finding *x = &a->items[i], *y = &b->items[i];

        if (strcmp(x->check_id, y->check_id) != 0 || strcmp(x->title, y->title) != 0 ||
            x->n_evidence != y->n_evidence || x->first_us != y->first_us ||
            x->last_us != y->last_us || x->severity != y->severity)
            return false;
        for (size_t e = 0; e < x->n_evidence; e++) {
            if (ss_loc_cmp(&x->evidence[e].loc, &y->evidence[e].loc) != 0)
                return false;
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ss_checks_config cfg;
    struct ss_checks *ck = NULL;
    struct ss_checks_state *one = NULL, *half[2] = { NULL, NULL };
    struct ss_findings fa, fb;
    size_t begin = 0;
    uint32_t line = 1;
    int r;

    ss_findings_init(&fa, (size_t)64 << 20);
    ss_findings_init(&fb, (size_t)64 << 20);
    ss_checks_config_default(&cfg);
    cfg.gap_min_us = 3600 * INT64_C(1000000);
    if (ss_checks_new(&cfg, &ck, NULL) != 0 || ss_checks_state_new(ck, &one) != 0 ||
        ss_checks_state_new(ck, &half[0]) != 0 || ss_checks_state_new(ck, &half[1]) != 0)
        goto out;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != '\n')
            continue;
        r = feed(one, data, size, begin, i, line);
        if (r == 0)
            r = feed(half[line % 2], data, size, begin, i, line);
        if (r != 0)
            goto out;
        begin = i + 1;
        line++;
    }
    if (ss_checks_state_merge(half[1], half[0]) != 0)
        goto out;
    if (ss_checks_finish(ck, one, &fa, NULL) != 0 || ss_checks_finish(ck, half[1], &fb, NULL) != 0)
        goto out;
    ss_findings_sort(&fa);
    ss_findings_sort(&fb);
    if (!same_findings(&fa, &fb))
        abort();
out:
    ss_findings_release(&fa);
    ss_findings_release(&fb);
    ss_checks_state_free(one);
    ss_checks_state_free(half[0]);
    ss_checks_state_free(half[1]);
    ss_checks_free(ck);
    return 0;
}
