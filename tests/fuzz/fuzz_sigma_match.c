/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/fuzz/fuzz_sigma_match.c - differential libFuzzer target for the literal
 * prefilter (sigma/sigma_prefilter.c): a record is skipped only when no rule could match
 * it, whatever JSON escapes, case or non-ASCII text it holds.
 *
 * Input: one record (JSON text, hostile). A fixed rule set (below: every modifier that
 * gives the prefilter a literal, values with characters JSON may escape, non-ASCII
 * text, keywords, regular expressions with and without (?i)) is compiled twice, with
 * the prefilter and without it (SS_SIGMA_NO_PREFILTER); a list of 40 indicators that
 * share affixes exercises the trimmed literals. The record is matched by both with
 * SS_SIGMA_VALIDATE; the target aborts unless both return the same code and, for a
 * valid record, the same hits (rule and count). The record is also matched without
 * validation on the prefiltered set, where malformed text must never be read out of
 * bounds (a private copy of exactly its size lets ASan see any overread). That scratch
 * keeps its hits for findings (a 1 MiB budget, locations in a scrambled order): every
 * 64 records the findings are made and checked (evidence sorted, at most 1000 and at
 * most the hit count; one sigma.limit-reached finding once the budget is passed).
 * Crashes, leaks and sanitizer reports are the other failures.
 */
#include "sigma/sigma.h"

#include "core/alloc.h"

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x)) {                                                                                \
            fprintf(stderr, "fuzz_sigma_match: check failed: %s (line %d)\n", #x, __LINE__);       \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORD ((size_t)64 << 10)

static const char mapping[] = "mapping: t\nkinds: [t]\ntime: [t]\nentity: [user]\n";

/* One document per rule; every one is routed to kind t. */
static const char rules[] =
    "title: plain\nlogsource: {product: t}\ndetection:\n"
    "  s: {a: alpha}\n  condition: s\n---\n"
    "title: slash\nlogsource: {product: t}\ndetection:\n"
    "  s: {p|startswith: 'microsoft.x/y/'}\n  condition: s\n---\n"
    "title: quote\nlogsource: {product: t}\ndetection:\n"
    "  s: {q|contains: 'say \"hi\" now'}\n  condition: s\n---\n"
    "title: backslash\nlogsource: {product: t}\ndetection:\n"
    "  s: {w|endswith: '\\cmd.exe'}\n  condition: s\n---\n"
    "title: accent\nlogsource: {product: t}\ndetection:\n"
    "  s: {c.d|contains: 'ÉTÉ chaud'}\n  condition: s\n---\n"
    "title: all\nlogsource: {product: t}\ndetection:\n"
    "  s: {a|contains|all: [one, two]}\n  condition: s\n---\n"
    "title: list and not\nlogsource: {product: t}\ndetection:\n"
    "  s: {e: [Delete, 'Remove*', '?et']}\n  f: {g: keep}\n  condition: s and not f\n---\n"
    "title: keywords\nlogsource: {product: t}\ndetection:\n"
    "  k: [needle, 'hay*stack']\n  condition: k\n---\n"
    "title: regex\nlogsource: {product: t}\ndetection:\n"
    "  s: {r|re: 'ab+c[0-9]{2}xyz'}\n  condition: s\n---\n"
    "title: regex caseless\nlogsource: {product: t}\ndetection:\n"
    "  s: {r|re: '(?i)kelvin.*status'}\n  condition: s\n---\n"
    "title: regex escapes\nlogsource: {product: t}\ndetection:\n"
    "  s: {r|re: 'a\\x62cd\\141f[[:digit:]]xy\\cJz'}\n  condition: s\n---\n"
    "title: JSON in a string\nlogsource: {product: t}\ndetection:\n"
    "  s: {n.x.y|contains: \"o'b/rien\"}\n  condition: s\n---\n"
    "title: base64\nlogsource: {product: t}\ndetection:\n"
    "  s: {b|base64offset|contains: secret}\n  condition: s\n---\n"
    "title: wide\nlogsource: {product: t}\ndetection:\n"
    "  s: {b|wide|base64|contains: cmd}\n  condition: s\n---\n"
    "title: windash\nlogsource: {product: t}\ndetection:\n"
    "  s: {cl|windash|contains: ' -enc '}\n  condition: s\n---\n"
    "title: number\nlogsource: {product: t}\ndetection:\n"
    "  s: {n: 50057}\n  condition: s\n---\n"
    "title: compare\nlogsource: {product: t}\ndetection:\n"
    "  s: {n|gte: 100}\n  t: {a: alpha}\n  condition: s and t\n---\n"
    "title: cidr\nlogsource: {product: t}\ndetection:\n"
    "  s: {ip|cidr: 10.0.0.0/8}\n  condition: s\n---\n"
    "title: exists\nlogsource: {product: t}\ndetection:\n"
    "  s: {longkeyname|exists: true}\n  t: {z: zed}\n  condition: s and t\n---\n"
    "title: null value\nlogsource: {product: t}\ndetection:\n"
    "  s: {u: null}\n  t: {a: alpha}\n  condition: s and t\n---\n"
    "title: fieldref\nlogsource: {product: t}\ndetection:\n"
    "  s: {x|fieldref: y}\n  t: {a|startswith: al}\n  condition: s and t\n---\n"
    "title: cased\nlogsource: {product: t}\ndetection:\n"
    "  s: {a|cased: Alpha}\n  condition: s\n---\n"
    "title: one of\nlogsource: {product: t}\ndetection:\n"
    "  sel1: {m: first}\n  sel2: {m|endswith: second}\n  condition: 1 of sel*\n---\n"
    /* 40 pieces sharing affixes: the prefilter keeps their middles (trim_shared) */
    "title: indicators\nlogsource: {product: t}\ndetection:\n"
    "  s:\n    d|contains: [ioc-a0.evil.example, ioc-a1.evil.example, ioc-a2.evil.example,\n"
    "      ioc-a3.evil.example, ioc-a4.evil.example, ioc-a5.evil.example, ioc-a6.evil.example,\n"
    "      ioc-a7.evil.example, ioc-a8.evil.example, ioc-a9.evil.example, ioc-b0.evil.example,\n"
    "      ioc-b1.evil.example, ioc-b2.evil.example, ioc-b3.evil.example, ioc-b4.evil.example,\n"
    "      ioc-b5.evil.example, ioc-b6.evil.example, ioc-b7.evil.example, ioc-b8.evil.example,\n"
    "      ioc-b9.evil.example, ioc-c0.evil.example, ioc-c1.evil.example, ioc-c2.evil.example,\n"
    "      ioc-c3.evil.example, ioc-c4.evil.example, ioc-c5.evil.example, ioc-c6.evil.example,\n"
    "      ioc-c7.evil.example, ioc-c8.evil.example, ioc-c9.evil.example, ioc-d0.evil.example,\n"
    "      ioc-d1.evil.example, ioc-d2.evil.example, ioc-d3.evil.example, ioc-d4.evil.example,\n"
    "      ioc-d5.evil.example, ioc-d6.evil.example, ioc-d7.evil.example, ioc-d8.evil.example,\n"
    "      ioc-d9.evil.example]\n"
    "  condition: s\n";

static struct ss_sigma_ruleset *with_pf, *without_pf;
static struct ss_sigma_scratch *s_with, *s_without, *s_raw;
static struct ss_sigma_keep keep;
static uint64_t n_calls;

static struct ss_sigma_ruleset *build(unsigned flags)
{
    struct ss_sigma_ruleset *rs =
        ss_sigma_ruleset_new(SS_SIGMA_LENIENT | SS_SIGMA_NO_BUILTIN_MAPPINGS | flags);
    struct ss_diag d;

    CHECK(rs != NULL);
    ss_diag_clear(&d);
    CHECK(ss_sigma_mapping_load_mem(rs, "map.yml", mapping, sizeof(mapping) - 1, &d) == 0);
    CHECK(ss_sigma_load_mem(rs, "rules.yml", rules, sizeof(rules) - 1, &d) == 0);
    CHECK(ss_sigma_compile(rs, &d) == 0);
    for (size_t i = 0; i < ss_sigma_report_len(rs); i++)
        CHECK(ss_sigma_report_at(rs, i)->status == SS_SIGMA_LOADED);
    return rs;
}

static void setup(void)
{
    if (with_pf != NULL)
        return;
    with_pf = build(0);
    without_pf = build(SS_SIGMA_NO_PREFILTER);
    s_with = ss_sigma_scratch_new(with_pf, SS_SIGMA_VALIDATE);
    s_without = ss_sigma_scratch_new(without_pf, SS_SIGMA_VALIDATE);
    s_raw = ss_sigma_scratch_new(with_pf, SS_SIGMA_KEEP_HITS);
    CHECK(s_with != NULL && s_without != NULL && s_raw != NULL);
    ss_sigma_keep_init(&keep, (uint64_t)1 << 20);
    ss_sigma_scratch_set_keep(s_raw, &keep);
}

/* The findings of what s_raw kept hold together. */
static void check_findings(void)
{
    struct ss_findings fs;

    ss_findings_init(&fs, (size_t)256 << 20);
    CHECK(ss_sigma_findings(with_pf, &s_raw, 1, &fs) == 0);
    if (ss_sigma_keep_passed(&keep))
        CHECK(fs.len == 1 && strcmp(fs.items[0].check_id, "sigma.limit-reached") == 0);
    for (size_t i = 0; i < fs.len; i++) {
        const struct ss_finding *f = &fs.items[i];

        CHECK(f->n_evidence <= SS_FINDING_MAX_EVIDENCE && f->n_evidence <= f->n_evidence_total);
        for (size_t k = 1; k < f->n_evidence; k++)
            CHECK(ss_loc_cmp(&f->evidence[k - 1].loc, &f->evidence[k].loc) <= 0);
    }
    ss_findings_release(&fs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct ss_sigma_hit *h1, *h2;
    struct ss_loc loc = { .len = size };
    size_t n1 = 0, n2 = 0;
    char *rec;
    int r1, r2;

    setup();
    if (size > MAX_RECORD)
        return 0;
    rec = ss_malloc(size ? size : 1);
    if (rec == NULL)
        return 0;
    if (size > 0)
        memcpy(rec, data, size);
    r1 = ss_sigma_match(with_pf, s_with, ss_sigma_source(with_pf, "t"), rec, size, NULL, &h1, &n1);
    r2 = ss_sigma_match(without_pf, s_without, ss_sigma_source(without_pf, "t"), rec, size, NULL,
                        &h2, &n2);
    /* an invalid record the prefilter rules out is never validated: only the prefiltered
       set may say 0 where the other says SS_ESYNTAX */
    CHECK(r1 == r2 || (r1 == 0 && n1 == 0 && r2 == SS_ESYNTAX));
    if (r2 == 0) {
        CHECK(n1 == n2);
        for (size_t i = 0; i < n1; i++)
            CHECK(h1[i].rule == h2[i].rule);
    }
    n_calls++;
    loc.offset = (n_calls * UINT64_C(2654435761)) % 100003;
    r1 = ss_sigma_match(with_pf, s_raw, ss_sigma_source(with_pf, "t"), rec, size, &loc, &h1, &n1);
    /* past the budget nothing more is kept, and matching goes on */
    CHECK(r1 == 0 || r1 == -ENOMEM);
    if (n_calls % 64 == 0)
        check_findings();
    ss_free(rec);
    return 0;
}
