/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_store.c - unit tests of store/store.h: exact round trips of every
 * table, publish-by-rename and abandon, version and application-id checks, constraint
 * failures that leave the store usable, hostile strings, entity types, excerpt cuts.
 * With SS_STORE_BENCH=N set, also times a bulk load of N evidence rows.
 */
#include "store/store.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/parse.h"
#include "core/ss_time.h"
#include "ss_test.h"

static char path_buf[1024];

static const char *tmp_path(const char *name)
{
    snprintf(path_buf, sizeof(path_buf), "%s/%s", ss_test_tmpdir(), name);
    return path_buf;
}

static bool exists(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0;
}

static bool exists_tmp(const char *path)
{
    char tmp[1100];

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    return exists(tmp);
}

static void fill_sha(uint8_t sha[32], uint8_t seed)
{
    for (int i = 0; i < 32; i++)
        sha[i] = (uint8_t)(seed + i);
}

#define N_BIG 1500

static const char *const ent_a[] = {
    "/subscriptions/11111111-2222-3333-4444-555555555555/resourcegroups/rg-data/providers/"
    "microsoft.storage/storageaccounts/stexport01",
    "ops@contoso.example",
};
static const char *const ent_unicode[] = { "/subscriptions/11111111-2222-3333-4444-555555555555/"
                                           "resourcegroups/rg-\xc3\xa9t\xc3\xa9-\xe6\x9d\xb1\xe4"
                                           "\xba\xac" };
static const char *const ent_aws[] = { "arn:aws:iam::123456789012:role/Admin" };

static struct ss_evidence ev_small[3];
static struct ss_evidence ev_big[N_BIG];

/* The standard fixture: 3 inputs, 2 skipped, 3 bad records, 2 checks, 3 findings. */
static int build_fixture(struct ss_store *st)
{
    struct ss_diag d;
    int r;

    const struct ss_store_run run = {
        .tool_version = "0.1.0",
        .tool_build = "v0.1.0-3-gabcdef012345",
        .case_name = "contoso",
        .case_root = "/cases/contoso",
        .policy_name = "contoso review policy",
        .params_json = "{\"threads\":4}",
        .started_us = INT64_C(1714558400000000),
        .finished_us = INT64_C(1714558500123456),
        .n_threads = 4,
        .inputs_root = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        .findings_root = NULL,
        .is_signed = false,
        .signer = NULL,
    };
    struct ss_store_input in[3] = {
        { .index = 0,
          .relpath = "activity/2024/05/01.jsonl",
          .kind = "azure-jsonl",
          .compression = "none",
          .size_bytes = 1000,
          .has_sha256 = true,
          .decoded_bytes = 1000,
          .n_records = 10,
          .n_bad_records = 2,
          .status = SS_STORE_INPUT_OK },
        { .index = 1,
          .relpath = "cloudtrail/ct.json.gz",
          .kind = "cloudtrail",
          .compression = "gzip",
          .size_bytes = 500,
          .has_sha256 = true,
          .decoded_bytes = 4000,
          .n_records = 7,
          .n_bad_records = 1,
          .status = SS_STORE_INPUT_DAMAGED,
          .reason = "truncated gzip stream" },
        { .index = 2,
          .relpath = "notes.txt",
          .kind = "unknown",
          .compression = "none",
          .size_bytes = 12,
          .has_sha256 = false,
          .status = SS_STORE_INPUT_UNKNOWN,
          .reason = "not JSON" },
    };
    const struct ss_store_skipped sk[2] = {
        { .relpath = "z-link", .reason = "symbolic link leaves the case" },
        { .relpath = "a-fifo", .reason = "not a regular file" },
    };
    const struct ss_store_bad_record br[3] = {
        { .input = 1, .offset = 3990, .line = 0, .code = SS_ECORRUPT, .reason = "truncated" },
        { .input = 0, .offset = 200, .line = 3, .code = SS_ESYNTAX, .reason = "bad json" },
        { .input = 0,
          .offset = UINT64_MAX,
          .line = 9,
          .code = SS_ELIMIT,
          .reason = "record too long" },
    };
    const struct ss_store_check checks[2] = {
        { .check_id = "sigma:0f3c-rule",
          .title = "Bulk blob download",
          .level = SS_SEV_HIGH,
          .n_matches = 42 },
        { .check_id = "retention.short", .title = NULL, .level = 0, .n_matches = 0 },
    };

    fill_sha(in[0].sha256, 1);
    fill_sha(in[1].sha256, 2);
    for (size_t i = 0; i < 3; i++) {
        ev_small[i] = (struct ss_evidence){
            .loc = { .input = (uint32_t)(i == 2 ? 1 : 0),
                     .offset = 100 * i,
                     .len = 50 + i,
                     .index = i + 1 },
        };
        fill_sha(ev_small[i].sha256, (uint8_t)(10 + i));
    }
    memset(ev_small[1].sha256, 0, 32); /* not computed */
    for (size_t i = 0; i < N_BIG; i++) {
        ev_big[i] = (struct ss_evidence){
            .loc = { .input = (uint32_t)(i < 1000 ? 0 : 1),
                     .offset = 64 * i,
                     .len = 60,
                     .index = i },
        };
        fill_sha(ev_big[i].sha256, (uint8_t)i);
    }
    const struct ss_finding f1 = {
        .check_id = "sigma:0f3c-rule",
        .severity = SS_SEV_HIGH,
        .title = "Bulk blob download by OAuth principal",
        .desc = "42 GetBlob calls in 5 minutes",
        .entities = (const char **)ent_a,
        .n_entities = 2,
        .first_us = INT64_C(1714561323000000),
        .last_us = INT64_C(1714561623500000),
        .evidence = ev_small,
        .n_evidence = 3,
        .n_evidence_total = 42,
        .data_json = "{\"count\":42}",
    };
    const struct ss_finding f2 = {
        .check_id = "residency.replica-outside-allowed",
        .severity = SS_SEV_MEDIUM,
        .title = "Replica in r\xc3\xa9gion \xe6\x9d\xb1\xe4\xba\xac",
        .desc = NULL,
        .entities = (const char **)ent_unicode,
        .n_entities = 1,
    };
    const struct ss_finding f3 = {
        .check_id = "sigma:aaaa",
        .severity = SS_SEV_CRITICAL,
        .title = "Mass role assignment",
        .desc = "",
        .entities = (const char **)ent_aws,
        .n_entities = 1,
        .first_us = 1,
        .last_us = 2,
        .evidence = ev_big,
        .n_evidence = N_BIG,
    };

    r = ss_store_begin(st, &d);
    if (r < 0)
        return r;
    r = ss_store_put_run(st, &run, &d);
    for (size_t i = 0; i < 3 && r == 0; i++)
        r = ss_store_put_input(st, &in[i], &d);
    for (size_t i = 0; i < 2 && r == 0; i++)
        r = ss_store_put_skipped(st, &sk[i], &d);
    for (size_t i = 0; i < 3 && r == 0; i++)
        r = ss_store_put_bad_record(st, &br[i], &d);
    for (size_t i = 0; i < 2 && r == 0; i++)
        r = ss_store_put_check(st, &checks[i], &d);
    if (r == 0)
        r = ss_store_put_finding(st, &f1, "a1b2c3", 0, &d);
    if (r == 0)
        r = ss_store_put_finding(st, &f2, "d4e5f6", SS_STORE_FINDING_COMPLIANCE, &d);
    if (r == 0)
        r = ss_store_put_finding(st, &f3, "0789ab", 0, &d);
    if (r == 0)
        r = ss_store_put_excerpt(st, &ev_small[0].loc, "{\"a\":1}", 7, &d);
    if (r == 0)
        r = ss_store_commit(st, &d);
    if (r < 0)
        fprintf(stderr, "fixture: %s\n", d.msg);
    return r;
}

/* Collectors ------------------------------------------------------------------------ */

struct collect {
    struct ss_buf text;
    size_t n;
    int stop_at; /* return -42 at this row (1-based); 0 never */
};

static int collect_input(void *ctx, const struct ss_store_input *in)
{
    struct collect *c = ctx;
    char hex[65] = "-";

    if (in->has_sha256)
        ss_hex_encode(in->sha256, 32, hex);
    c->n++;
    if (c->stop_at > 0 && c->n == (size_t)c->stop_at)
        return -42;
    return ss_buf_printf(
        &c->text,
        "%" PRIu32 "|%s|%s|%s|%" PRIu64 "|%.8s|%" PRIu64 "|%" PRIu64 "|%" PRIu64 "|%s|%s\n",
        in->index, in->relpath, in->kind, in->compression, in->size_bytes, hex, in->decoded_bytes,
        in->n_records, in->n_bad_records, ss_store_input_status_name(in->status),
        in->reason != NULL ? in->reason : "(null)");
}

static int collect_skipped(void *ctx, const struct ss_store_skipped *sk)
{
    struct collect *c = ctx;

    c->n++;
    return ss_buf_printf(&c->text, "%s|%s\n", sk->relpath, sk->reason);
}

static int collect_bad(void *ctx, const struct ss_store_bad_record *br)
{
    struct collect *c = ctx;

    c->n++;
    if (br->offset == UINT64_MAX)
        return ss_buf_printf(&c->text, "%" PRIu32 "|-|%" PRIu64 "|%d|%s\n", br->input, br->line,
                             br->code, br->reason);
    return ss_buf_printf(&c->text, "%" PRIu32 "|%" PRIu64 "|%" PRIu64 "|%d|%s\n", br->input,
                         br->offset, br->line, br->code, br->reason);
}

static int collect_check(void *ctx, const struct ss_store_check *ck)
{
    struct collect *c = ctx;

    c->n++;
    return ss_buf_printf(&c->text, "%s|%s|%d|%" PRIu64 "|%" PRIu64 "|%d\n", ck->check_id,
                         ck->title != NULL ? ck->title : "(null)", (int)ck->level, ck->n_matches,
                         ck->n_findings, (int)ck->max_severity);
}

static int collect_finding(void *ctx, const struct ss_store_finding *sf)
{
    struct collect *c = ctx;
    const struct ss_finding *f = &sf->f;
    int r;

    c->n++;
    if (c->stop_at > 0 && c->n == (size_t)c->stop_at)
        return -42;
    r = ss_buf_printf(
        &c->text, "%" PRId64 "|%s|%s|%s|%s|%s|%s|%" PRId64 "|%" PRId64 "|%zu/%" PRIu64 "|%s\n",
        sf->seq, sf->uid, f->check_id, (sf->flags & SS_STORE_FINDING_COMPLIANCE) ? "C" : "D",
        ss_severity_name(f->severity), f->title, f->desc, f->first_us, f->last_us, f->n_evidence,
        f->n_evidence_total, f->data_json != NULL ? f->data_json : "(null)");
    for (size_t i = 0; i < f->n_entities && r == 0; i++)
        r = ss_buf_printf(&c->text, "  E %s [%s]\n", f->entities[i], sf->entity_types[i]);
    /* First two and last evidence rows. */
    for (size_t i = 0; i < f->n_evidence && r == 0; i++) {
        char hex[65] = "-";
        static const uint8_t zero[32];
        if (i >= 2 && i + 1 < f->n_evidence)
            continue;
        if (memcmp(f->evidence[i].sha256, zero, 32) != 0)
            ss_hex_encode(f->evidence[i].sha256, 32, hex);
        r = ss_buf_printf(
            &c->text, "  V %zu %" PRIu32 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %.8s %s %s\n", i,
            f->evidence[i].loc.input, f->evidence[i].loc.offset, f->evidence[i].loc.len,
            f->evidence[i].loc.index, hex, sf->ev_relpath[i] != NULL ? sf->ev_relpath[i] : "(null)",
            sf->ev_excerpt[i] != NULL ? sf->ev_excerpt[i] : "(null)");
    }
    return r;
}

static void collect_init(struct collect *c)
{
    *c = (struct collect){ .text = SS_BUF_INIT(1 << 24) };
}

/* Tests ---------------------------------------------------------------------------- */

static const char expect_inputs[] =
    "0|activity/2024/05/01.jsonl|azure-jsonl|none|1000|01020304|1000|10|2|ok|(null)\n"
    "1|cloudtrail/ct.json.gz|cloudtrail|gzip|500|02030405|4000|7|1|damaged|"
    "truncated gzip stream\n"
    "2|notes.txt|unknown|none|12|-|0|0|0|unknown|not JSON\n";

static const char expect_findings_canon[] =
    "1|a1b2c3|sigma:0f3c-rule|D|high|Bulk blob download by OAuth principal|"
    "42 GetBlob calls in 5 minutes|1714561323000000|1714561623500000|3/42|{\"count\":42}\n"
    "  E /subscriptions/11111111-2222-3333-4444-555555555555/resourcegroups/rg-data/providers/"
    "microsoft.storage/storageaccounts/stexport01 [microsoft.storage/storageaccounts]\n"
    "  E ops@contoso.example [principal]\n"
    "  V 0 0 0 50 1 0a0b0c0d activity/2024/05/01.jsonl {\"a\":1}\n"
    "  V 1 0 100 51 2 - activity/2024/05/01.jsonl (null)\n"
    "  V 2 1 200 52 3 0c0d0e0f cloudtrail/ct.json.gz (null)\n"
    "2|d4e5f6|residency.replica-outside-allowed|C|medium|"
    "Replica in r\xc3\xa9gion \xe6\x9d\xb1\xe4\xba\xac||0|0|0/0|(null)\n"
    "  E /subscriptions/11111111-2222-3333-4444-555555555555/resourcegroups/"
    "rg-\xc3\xa9t\xc3\xa9-\xe6\x9d\xb1\xe4\xba\xac [microsoft.resources/resourcegroups]\n"
    "3|0789ab|sigma:aaaa|D|critical|Mass role assignment||1|2|1500/1500|(null)\n"
    "  E arn:aws:iam::123456789012:role/Admin [aws:iam:role]\n"
    "  V 0 0 0 60 0 00010203 activity/2024/05/01.jsonl {\"a\":1}\n"
    "  V 1 0 64 60 1 01020304 activity/2024/05/01.jsonl (null)\n"
    "  V 1499 1 95936 60 1499 dbdcddde cloudtrail/ct.json.gz (null)\n";

static void check_contents(struct ss_store *st)
{
    struct ss_store_summary sum;
    struct ss_store_run run;
    struct ss_arena a;
    struct collect c;
    struct ss_diag d;
    int r;

    ss_arena_init(&a, 1 << 20);
    r = ss_store_get_run(st, &a, &run, &d);
    if (r == 0) {
        ASSERT_STREQ(run.tool_version, "0.1.0");
        ASSERT_STREQ(run.tool_build, "v0.1.0-3-gabcdef012345");
        ASSERT_STREQ(run.case_name, "contoso");
        ASSERT_STREQ(run.case_root, "/cases/contoso");
        ASSERT_STREQ(run.policy_name, "contoso review policy");
        ASSERT_STREQ(run.params_json, "{\"threads\":4}");
        ASSERT_EQ(run.started_us, INT64_C(1714558400000000));
        ASSERT_EQ(run.finished_us, INT64_C(1714558500123456));
        ASSERT_EQ(run.n_threads, 4);
        ASSERT_STREQ(run.inputs_root,
                     "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        ASSERT_TRUE(run.findings_root == NULL);
        ASSERT_TRUE(!run.is_signed);
        ASSERT_TRUE(run.signer == NULL);
    }
    ss_arena_release(&a);
    ASSERT_OK(r);

    ASSERT_OK(ss_store_get_summary(st, &sum, &d));
    ASSERT_U64_EQ(sum.n_inputs, 3);
    ASSERT_U64_EQ(sum.n_inputs_unknown, 1);
    ASSERT_U64_EQ(sum.n_inputs_damaged, 1);
    ASSERT_U64_EQ(sum.n_skipped, 2);
    ASSERT_U64_EQ(sum.size_bytes, 1512);
    ASSERT_U64_EQ(sum.decoded_bytes, 5000);
    ASSERT_U64_EQ(sum.n_records, 17);
    ASSERT_U64_EQ(sum.n_bad_records, 3);
    ASSERT_U64_EQ(sum.n_bad_record_rows, 3);
    ASSERT_U64_EQ(sum.n_findings, 3);
    ASSERT_U64_EQ(sum.n_by_severity[SS_SEV_INFO], 0);
    ASSERT_U64_EQ(sum.n_by_severity[SS_SEV_LOW], 0);
    ASSERT_U64_EQ(sum.n_by_severity[SS_SEV_MEDIUM], 1);
    ASSERT_U64_EQ(sum.n_by_severity[SS_SEV_HIGH], 1);
    ASSERT_U64_EQ(sum.n_by_severity[SS_SEV_CRITICAL], 1);
    ASSERT_U64_EQ(sum.n_evidence, 3 + N_BIG);
    ASSERT_U64_EQ(sum.n_checks, 4);

    collect_init(&c);
    r = ss_store_each_input(st, collect_input, &c, &d);
    if (r == 0)
        ASSERT_STREQ(c.text.ptr, expect_inputs);
    ss_buf_release(&c.text);
    ASSERT_OK(r);

    collect_init(&c);
    r = ss_store_each_skipped(st, collect_skipped, &c, &d);
    if (r == 0)
        ASSERT_STREQ(c.text.ptr,
                     "a-fifo|not a regular file\nz-link|symbolic link leaves the case\n");
    ss_buf_release(&c.text);
    ASSERT_OK(r);

    collect_init(&c);
    r = ss_store_each_bad_record(st, 0, collect_bad, &c, &d);
    if (r == 0)
        ASSERT_STREQ(c.text.ptr, "0|-|9|-1002|record too long\n"
                                 "0|200|3|-1000|bad json\n"
                                 "1|3990|0|-1001|truncated\n");
    ss_buf_release(&c.text);
    ASSERT_OK(r);

    collect_init(&c);
    r = ss_store_each_bad_record(st, 2, collect_bad, &c, &d);
    ASSERT_EQ(c.n, 2);
    ss_buf_release(&c.text);
    ASSERT_OK(r);

    collect_init(&c);
    r = ss_store_each_check(st, collect_check, &c, &d);
    if (r == 0)
        ASSERT_STREQ(c.text.ptr, "residency.replica-outside-allowed|(null)|0|0|1|3\n"
                                 "retention.short|(null)|0|0|0|0\n"
                                 "sigma:0f3c-rule|Bulk blob download|4|42|1|4\n"
                                 "sigma:aaaa|(null)|0|0|1|5\n");
    ss_buf_release(&c.text);
    ASSERT_OK(r);

    collect_init(&c);
    r = ss_store_each_finding(st, 0, collect_finding, &c, &d);
    if (r == 0)
        ASSERT_STREQ(c.text.ptr, expect_findings_canon);
    ss_buf_release(&c.text);
    ASSERT_OK(r);

    /* Severity order: critical (3), high (1), medium (2). */
    collect_init(&c);
    r = ss_store_each_finding(st, SS_STORE_READ_BY_SEVERITY, collect_finding, &c, &d);
    if (r == 0) {
        ASSERT_EQ(c.n, 3);
        ASSERT_TRUE(strncmp(c.text.ptr, "3|0789ab|", 9) == 0);
        ASSERT_TRUE(strstr(c.text.ptr, "\n1|a1b2c3|") < strstr(c.text.ptr, "\n2|d4e5f6|"));
    }
    ss_buf_release(&c.text);
    ASSERT_OK(r);
}

static void test_roundtrip(void)
{
    const char *path = tmp_path("rt.sqlite");
    struct ss_store *st = NULL;
    struct ss_diag d;

    ASSERT_OK(ss_store_create(path, &st, &d));
    ASSERT_TRUE(exists_tmp(path));
    ASSERT_TRUE(!exists(path));
    ASSERT_OK(build_fixture(st));
    /* Readable before publishing, too. */
    check_contents(st);
    if (ss_test_cur_failed)
        goto out;
    ASSERT_OK(ss_store_finish(st, &d));
    ASSERT_TRUE(exists(path));
    ASSERT_TRUE(!exists_tmp(path));
    ASSERT_STREQ(ss_store_path(st), path);
    check_contents(st);
    if (ss_test_cur_failed)
        goto out;
    /* The published store is read-only. */
    ASSERT_EQ(ss_store_begin(st, &d), -EROFS);
    ss_store_free(st);
    st = NULL;

    ASSERT_OK(ss_store_open(path, &st, &d));
    check_contents(st);
out:
    ss_store_free(st);
}

static void test_abandon(void)
{
    const char *path = tmp_path("abandon.sqlite");
    struct ss_store *st = NULL;
    struct ss_diag d;

    ASSERT_OK(ss_store_create(path, &st, &d));
    ASSERT_OK(build_fixture(st));
    ASSERT_TRUE(exists_tmp(path));
    ss_store_free(st);
    ASSERT_TRUE(!exists_tmp(path));
    ASSERT_TRUE(!exists(path));

    /* A stale PATH.tmp (a killed run) is replaced; an existing PATH survives until the
     * new store is published over it. */
    FILE *f = fopen(path, "w");
    ASSERT_TRUE(f != NULL);
    fputs("old", f);
    fclose(f);
    char tmp[1100];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "w");
    ASSERT_TRUE(f != NULL);
    fputs("stale junk", f);
    fclose(f);
    ASSERT_OK(ss_store_create(path, &st, &d));
    ASSERT_OK(build_fixture(st));
    struct stat sb;
    ASSERT_EQ(stat(path, &sb), 0);
    ASSERT_EQ(sb.st_size, 3);
    ASSERT_OK(ss_store_finish(st, &d));
    ASSERT_EQ(stat(path, &sb), 0);
    ASSERT_TRUE(sb.st_size > 4096);
    ss_store_free(st);
}

static int patch_file(const char *src, const char *dst, long off, const uint8_t *b, size_t n)
{
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    char buf[4096];
    size_t k;
    int r = 0;

    if (in == NULL || out == NULL) {
        r = -1;
        goto out;
    }
    while ((k = fread(buf, 1, sizeof(buf), in)) > 0)
        fwrite(buf, 1, k, out);
    if (n > 0) {
        fseek(out, off, SEEK_SET);
        fwrite(b, 1, n, out);
    }
out:
    if (in != NULL)
        fclose(in);
    if (out != NULL)
        fclose(out);
    return r;
}

static void test_open_checks(void)
{
    char path[1100];
    char other[1100];
    struct ss_store *st = NULL;
    struct ss_diag d;

    snprintf(path, sizeof(path), "%s", tmp_path("open.sqlite"));
    ASSERT_OK(ss_store_create(path, &st, &d));
    ASSERT_OK(build_fixture(st));
    ASSERT_OK(ss_store_finish(st, &d));
    ss_store_free(st);
    st = NULL;

    ASSERT_EQ(ss_store_open(tmp_path("missing.sqlite"), &st, &d), -ENOENT);
    ASSERT_TRUE(st == NULL);
    ASSERT_EQ(ss_store_open(ss_test_tmpdir(), &st, &d), SS_ECORRUPT);

    snprintf(other, sizeof(other), "%s/text.sqlite", ss_test_tmpdir());
    FILE *f = fopen(other, "w");
    ASSERT_TRUE(f != NULL);
    for (int i = 0; i < 300; i++)
        fputs("this is not a database at all\n", f);
    fclose(f);
    ASSERT_EQ(ss_store_open(other, &st, &d), SS_ECORRUPT);
    ASSERT_TRUE(st == NULL);

    /* The SQLite header keeps user_version at byte 60 and application_id at 68. */
    static const uint8_t v1[4] = { 0, 0, 0, 1 };
    static const uint8_t app0[4] = { 0, 0, 0, 0 };
    snprintf(other, sizeof(other), "%s/v1.sqlite", ss_test_tmpdir());
    ASSERT_OK(patch_file(path, other, 60, v1, 4));
    ASSERT_EQ(ss_store_open(other, &st, &d), SS_EUNSUPPORTED);
    ASSERT_TRUE(strstr(d.msg, "schema version 1") != NULL);
    snprintf(other, sizeof(other), "%s/app0.sqlite", ss_test_tmpdir());
    ASSERT_OK(patch_file(path, other, 68, app0, 4));
    ASSERT_EQ(ss_store_open(other, &st, &d), SS_ECORRUPT);
    ASSERT_STREQ(d.msg, "not a siloscope findings database");
    /* Truncated to its first page: opens (the header is fine) but reading fails cleanly. */
    snprintf(other, sizeof(other), "%s/cut.sqlite", ss_test_tmpdir());
    ASSERT_OK(patch_file(path, other, 0, NULL, 0));
    ASSERT_EQ(truncate(other, 4096), 0);
    if (ss_store_open(other, &st, &d) == 0) {
        struct ss_store_summary sum;
        ASSERT_TRUE(ss_store_get_summary(st, &sum, &d) < 0);
        ss_store_free(st);
    }
}

static int count_findings(struct ss_store *st, uint64_t *ret_n, uint64_t *ret_ev)
{
    struct ss_store_summary sum;
    struct ss_diag d;
    int r = ss_store_get_summary(st, &sum, &d);

    if (r == 0) {
        *ret_n = sum.n_findings;
        *ret_ev = sum.n_evidence;
    }
    return r;
}

static void test_errors(void)
{
    const char *path = tmp_path("errors.sqlite");
    struct ss_store *st = NULL;
    struct ss_diag d;
    uint64_t n = 0, n_ev = 0;
    const char *ent[] = { "/subscriptions/x" };
    struct ss_evidence ev[2] = { { .loc = { .input = 0, .offset = 1, .len = 2 } },
                                 { .loc = { .input = 7, .offset = 1, .len = 2 } } };
    struct ss_finding f = { .check_id = "c.x",
                            .severity = SS_SEV_LOW,
                            .title = "t",
                            .entities = ent,
                            .n_entities = 1,
                            .evidence = ev,
                            .n_evidence = 1 };
    const struct ss_store_input in = {
        .index = 0, .relpath = "a", .kind = "jsonl", .compression = "none"
    };

    ASSERT_OK(ss_store_create(path, &st, &d));
    ASSERT_OK(ss_store_begin(st, &d));
    ASSERT_EQ(ss_store_begin(st, &d), -EINVAL);
    ASSERT_OK(ss_store_put_input(st, &in, &d));
    ASSERT_EQ(ss_store_put_input(st, &in, &d), -EEXIST);
    ASSERT_OK(ss_store_put_finding(st, &f, "u1", 0, &d));
    ASSERT_EQ(ss_store_put_finding(st, &f, "u1", 0, &d), -EEXIST);
    ASSERT_TRUE(strstr(d.msg, "UNIQUE") != NULL);
    f.severity = (enum ss_severity)9;
    ASSERT_EQ(ss_store_put_finding(st, &f, "u2", 0, &d), -EINVAL);
    f.severity = SS_SEV_LOW;
    f.data_json = "{not json";
    ASSERT_EQ(ss_store_put_finding(st, &f, "u2", 0, &d), -EINVAL);
    f.data_json = "  [1, 2]";
    ASSERT_EQ(ss_store_put_finding(st, &f, "u2", 0, &d), -EINVAL);
    f.data_json = "{\"a\":1} trailing";
    ASSERT_EQ(ss_store_put_finding(st, &f, "u2", 0, &d), -EINVAL);
    f.data_json = NULL;
    /* Evidence citing an input that was never put: the whole finding is undone. */
    f.n_evidence = 2;
    ASSERT_EQ(ss_store_put_finding(st, &f, "u3", 0, &d), -EINVAL);
    ASSERT_TRUE(strstr(d.msg, "FOREIGN KEY") != NULL);
    f.n_evidence = 1;
    ev[0].loc.offset = UINT64_MAX;
    ASSERT_EQ(ss_store_put_finding(st, &f, "u4", 0, &d), SS_ELIMIT);
    ev[0].loc.offset = 1;
    ASSERT_EQ(ss_store_put_finding(st, &f, "", 0, &d), -EINVAL);
    f.check_id = NULL;
    ASSERT_EQ(ss_store_put_finding(st, &f, "u5", 0, &d), -EINVAL);
    f.check_id = "c.x";
    /* Still consistent and usable: one finding, one evidence row; the seq continues. */
    ASSERT_OK(count_findings(st, &n, &n_ev));
    ASSERT_U64_EQ(n, 1);
    ASSERT_U64_EQ(n_ev, 1);
    ASSERT_OK(ss_store_put_finding(st, &f, "u6", 0, &d));
    ASSERT_OK(ss_store_commit(st, &d));
    ASSERT_EQ(ss_store_commit(st, &d), -EINVAL);

    /* Rollback drops the transaction's findings and resynchronises the seq. */
    ASSERT_OK(ss_store_begin(st, &d));
    ASSERT_OK(ss_store_put_finding(st, &f, "u7", 0, &d));
    ASSERT_OK(ss_store_rollback(st, &d));
    ASSERT_OK(ss_store_put_finding(st, &f, "u8", 0, &d));
    ASSERT_OK(count_findings(st, &n, &n_ev));
    ASSERT_U64_EQ(n, 3);

    const struct ss_store_run bad_run = { .tool_version = "1",
                                          .tool_build = "b",
                                          .case_name = "c",
                                          .case_root = "/c",
                                          .inputs_root = "XYZ" };
    ASSERT_EQ(ss_store_put_run(st, &bad_run, &d), -EINVAL);
    const struct ss_store_run no_name = { .tool_version = "1", .tool_build = "b" };
    ASSERT_EQ(ss_store_put_run(st, &no_name, &d), -EINVAL);
    const struct ss_store_bad_record br = {
        .input = 5, .offset = 0, .line = 1, .code = -1, .reason = "x"
    };
    ASSERT_EQ(ss_store_put_bad_record(st, &br, &d), -EINVAL);
    const struct ss_store_check ck = { .check_id = "x", .level = (enum ss_severity)7 };
    ASSERT_EQ(ss_store_put_check(st, &ck, &d), -EINVAL);
    ASSERT_OK(ss_store_finish(st, &d));
    ASSERT_EQ(ss_store_finish(st, &d), -EINVAL);
    ASSERT_EQ(ss_store_put_finding(st, &f, "u9", 0, &d), -EROFS);
    ss_store_free(st);

    ASSERT_TRUE(ss_store_create("/nonexistent-dir/x.sqlite", &st, &d) < 0);
}

static int collect_relpath(void *ctx, const struct ss_store_input *in)
{
    struct collect *c = ctx;

    c->n++;
    return ss_buf_printf(&c->text, "[%s][%s]", in->relpath, in->reason);
}

static void test_hostile_strings(void)
{
    const char *path = tmp_path("hostile.sqlite");
    struct ss_store *st = NULL;
    struct ss_diag d;
    struct collect c;
    const struct ss_store_input in = {
        .index = 0,
        .relpath = "x'); DROP TABLE input;--",
        .kind = "jsonl",
        .compression = "none",
        .reason = "\"quoted\" 'single' \\ %s %n \xe2\x80\xae",
        .status = SS_STORE_INPUT_DAMAGED,
    };
    int r;

    ASSERT_OK(ss_store_create(path, &st, &d));
    ASSERT_OK(ss_store_put_input(st, &in, &d));
    ASSERT_OK(ss_store_finish(st, &d));
    collect_init(&c);
    r = ss_store_each_input(st, collect_relpath, &c, &d);
    if (r == 0)
        ASSERT_STREQ(c.text.ptr, "[x'); DROP TABLE input;--][\"quoted\" 'single' \\ %s %n "
                                 "\xe2\x80\xae]");
    ss_buf_release(&c.text);
    ss_store_free(st);
    ASSERT_OK(r);
}

static void test_callback_stop(void)
{
    const char *path = tmp_path("stop.sqlite");
    struct ss_store *st = NULL;
    struct ss_diag d;
    struct collect c;
    int r;

    ASSERT_OK(ss_store_create(path, &st, &d));
    ASSERT_OK(build_fixture(st));
    ASSERT_OK(ss_store_finish(st, &d));
    collect_init(&c);
    c.stop_at = 2;
    r = ss_store_each_input(st, collect_input, &c, &d);
    ASSERT_EQ(r, -42);
    ASSERT_EQ(c.n, 2);
    c.n = 0;
    r = ss_store_each_finding(st, 0, collect_finding, &c, &d);
    ASSERT_EQ(r, -42);
    /* And the statements are reusable afterwards. */
    c.stop_at = 0;
    c.n = 0;
    r = ss_store_each_finding(st, 0, collect_finding, &c, &d);
    ss_buf_release(&c.text);
    ss_store_free(st);
    ASSERT_OK(r);
    ASSERT_EQ(c.n, 3);
}

static void test_entity_type(void)
{
    static const char *const cases[][2] = {
        { "/subscriptions/11111111-2222-3333-4444-555555555555",
          "microsoft.resources/subscriptions" },
        { "/subscriptions/g/resourceGroups/RG-1", "microsoft.resources/resourcegroups" },
        { "/subscriptions/g/resourcegroups/r/providers/Microsoft.Storage/storageAccounts/st1",
          "microsoft.storage/storageaccounts" },
        { "/subscriptions/g/resourcegroups/r/providers/Microsoft.Network/virtualNetworks/v/"
          "subnets/s1",
          "microsoft.network/virtualnetworks/subnets" },
        { "/subscriptions/g/resourcegroups/r/providers/Microsoft.Storage/storageAccounts/st1/"
          "providers/Microsoft.Insights/diagnosticSettings/ds",
          "microsoft.insights/diagnosticsettings" },
        { "/providers/Microsoft.Management/managementGroups/mg1",
          "microsoft.management/managementgroups" },
        { "/subscriptions/g/providers/Microsoft.Authorization/roleAssignments/ra",
          "microsoft.authorization/roleassignments" },
        { "/subscriptions/g/providers", "microsoft.resources/subscriptions" },
        { "arn:aws:s3:::my-bucket", "aws:s3" },
        { "arn:aws:iam::123456789012:role/Admin", "aws:iam:role" },
        { "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc", "aws:ec2:instance" },
        { "arn:aws:logs:us-east-1:123:log-group:/aws/x", "aws:logs:log-group" },
        { "arn:broken", "other" },
        { "11111111-2222-3333-4444-555555555555", "guid" },
        { "11111111-2222-3333-4444-55555555555", "other" },
        { "projects/p1/buckets/b", "gcp:project" },
        { "//storage.googleapis.com/projects/_/buckets/b", "gcp:storage" },
        { "ops@contoso.example", "principal" },
        { "", "other" },
        { "/", "other" },
        { "<script>", "other" },
    };
    char out[128];
    char small[8];

    for (size_t i = 0; i < SS_ARRAY_LEN(cases); i++)
        ASSERT_STREQ(ss_store_entity_type(cases[i][0], out, sizeof(out)), cases[i][1]);
    ASSERT_STREQ(ss_store_entity_type("/subscriptions/g/resourceGroups/r", small, sizeof(small)),
                 "microso");
    ASSERT_STREQ(ss_store_entity_type("11111111-2222-3333-4444-555555555555", small, 3), "gu");
}

static int grab_excerpt(void *ctx, const struct ss_store_finding *sf)
{
    struct collect *c = ctx;

    c->n++;
    if (sf->f.n_evidence != 1 || sf->ev_excerpt[0] == NULL)
        return -1;
    return ss_buf_puts(&c->text, sf->ev_excerpt[0]);
}

static void test_excerpt_cut(void)
{
    const char *path = tmp_path("excerpt.sqlite");
    struct ss_store *st = NULL;
    struct ss_diag d;
    struct collect c;
    char text[3000];
    const char *ent[] = { "e" };
    struct ss_evidence ev = { .loc = { .input = 0, .offset = 10, .len = 3000 } };
    const struct ss_finding f = { .check_id = "c",
                                  .severity = SS_SEV_INFO,
                                  .title = "t",
                                  .entities = ent,
                                  .n_entities = 1,
                                  .evidence = &ev,
                                  .n_evidence = 1 };
    const struct ss_store_input in = {
        .index = 0, .relpath = "a", .kind = "jsonl", .compression = "none"
    };
    int r;

    /* 2046 ASCII bytes then a 3-byte character straddling the 2048 cap. */
    memset(text, 'a', sizeof(text));
    memcpy(text + 2046, "\xe2\x82\xac", 3);
    ASSERT_OK(ss_store_create(path, &st, &d));
    ASSERT_OK(ss_store_put_input(st, &in, &d));
    ASSERT_OK(ss_store_put_finding(st, &f, "u", 0, &d));
    ASSERT_OK(ss_store_put_excerpt(st, &ev.loc, text, sizeof(text), &d));
    /* The first excerpt for a location wins. */
    ASSERT_OK(ss_store_put_excerpt(st, &ev.loc, "other", 5, &d));
    ASSERT_OK(ss_store_finish(st, &d));
    collect_init(&c);
    r = ss_store_each_finding(st, 0, grab_excerpt, &c, &d);
    ASSERT_OK(r);
    ASSERT_EQ(c.text.len, 2046);
    ASSERT_EQ(c.text.ptr[2045], 'a');
    ss_buf_release(&c.text);
    ss_store_free(st);
}

static int count_rows(void *ctx, const struct ss_store_finding *sf)
{
    struct collect *c = ctx;

    c->n += sf->f.n_evidence;
    return 0;
}

/* Optional bulk-load timing: SS_STORE_BENCH=<evidence rows>. */
static void test_bench(void)
{
    const char *env = getenv("SS_STORE_BENCH");
    const size_t per = 1000;
    struct ss_store *st = NULL;
    struct ss_evidence *ev;
    struct ss_diag d;
    char uid[32];
    const char *ent[] = { "/subscriptions/g/resourceGroups/r" };
    size_t total, n_findings;
    int64_t t0, t1, t2, t3;
    int r = 0;

    if (env == NULL)
        SS_SKIP("set SS_STORE_BENCH=<rows> to time a bulk load");
    uint64_t rows = 0;
    ASSERT_OK(ss_parse_u64(env, strlen(env), &rows));
    total = (size_t)rows;
    n_findings = (total + per - 1) / per;
    ev = ss_calloc(per, sizeof(*ev));
    ASSERT_TRUE(ev != NULL);
    for (size_t i = 0; i < per; i++) {
        ev[i].loc = (struct ss_loc){ .input = 0, .offset = i * 300, .len = 290, .index = i + 1 };
        fill_sha(ev[i].sha256, (uint8_t)(i + 1));
    }
    const struct ss_store_input in = {
        .index = 0, .relpath = "big.jsonl", .kind = "jsonl", .compression = "none"
    };
    t0 = ss_time_mono_us();
    ASSERT_OK(ss_store_create(tmp_path("bench.sqlite"), &st, &d));
    ASSERT_OK(ss_store_begin(st, &d));
    ASSERT_OK(ss_store_put_input(st, &in, &d));
    for (size_t k = 0; k < n_findings && r == 0; k++) {
        const struct ss_finding f = { .check_id = "sigma:bench",
                                      .severity = SS_SEV_LOW,
                                      .title = "bench",
                                      .entities = ent,
                                      .n_entities = 1,
                                      .evidence = ev,
                                      .n_evidence = per };
        snprintf(uid, sizeof(uid), "%016zx", k);
        for (size_t i = 0; i < per; i++)
            ev[i].loc.offset = (k * per + i) * 300;
        r = ss_store_put_finding(st, &f, uid, 0, &d);
    }
    ASSERT_OK(r);
    ASSERT_OK(ss_store_commit(st, &d));
    t1 = ss_time_mono_us();
    ASSERT_OK(ss_store_finish(st, &d));
    t2 = ss_time_mono_us();
    struct collect c;
    collect_init(&c);
    ASSERT_OK(ss_store_each_finding(st, 0, count_rows, &c, &d));
    ASSERT_EQ(c.n, n_findings * per);
    t3 = ss_time_mono_us();
    fprintf(stderr,
            "  bench: %zu evidence rows in %zu findings: insert %.2f s (%.0f rows/s), "
            "finish %.2f s, read back %.3f s\n",
            n_findings * per, n_findings, (double)(t1 - t0) / 1e6,
            (double)(n_findings * per) / ((double)(t1 - t0) / 1e6), (double)(t2 - t1) / 1e6,
            (double)(t3 - t2) / 1e6);
    ss_buf_release(&c.text);
    ss_store_free(st);
    ss_free(ev);
}

static int collect_light(void *ctx, const struct ss_store_finding *sf)
{
    struct collect *c = ctx;

    c->n++;
    return ss_buf_printf(&c->text, "%" PRId64 ":%zu/%" PRIu64 ":%s:%s;", sf->seq, sf->f.n_evidence,
                         sf->f.n_evidence_total, sf->f.evidence == NULL ? "null" : "ev",
                         sf->f.data_json != NULL ? sf->f.data_json : "-");
}

/* put_run twice (last wins); evidence-less reads; data_json comes back minified. */
static void test_run_upsert_and_light_reads(void)
{
    const char *path = tmp_path("upsert.sqlite");
    struct ss_store *st = NULL;
    struct ss_store_run run = { .tool_version = "1",
                                .tool_build = "b1",
                                .case_name = "c",
                                .case_root = "/c",
                                .started_us = 5,
                                .n_threads = 1 };
    struct ss_store_run back;
    struct ss_arena a;
    struct ss_diag d;
    struct collect c;
    const char *ent[] = { "e1" };
    struct ss_evidence ev[2] = { { .loc = { .input = 0, .offset = 1, .len = 2 } },
                                 { .loc = { .input = 0, .offset = 9, .len = 2 } } };
    const struct ss_finding f = { .check_id = "c.y",
                                  .severity = SS_SEV_LOW,
                                  .title = "t",
                                  .entities = ent,
                                  .n_entities = 1,
                                  .evidence = ev,
                                  .n_evidence = 2,
                                  .n_evidence_total = 7,
                                  .data_json = " {\n \"b\" : [1, 2],\t\"a\": \"x\\u00e9\" } " };
    const struct ss_store_input in = {
        .index = 0, .relpath = "a", .kind = "jsonl", .compression = "none"
    };
    int r;

    ASSERT_OK(ss_store_create(path, &st, &d));
    ASSERT_OK(ss_store_put_run(st, &run, &d));
    run.tool_build = "b2";
    run.finished_us = 99;
    run.is_signed = true;
    run.signer = "key-1";
    run.findings_root = "abcd";
    ASSERT_OK(ss_store_put_run(st, &run, &d));
    ASSERT_OK(ss_store_put_input(st, &in, &d));
    ASSERT_OK(ss_store_put_finding(st, &f, "u1", 0, &d));
    ASSERT_OK(ss_store_finish(st, &d));
    ss_arena_init(&a, 1 << 16);
    r = ss_store_get_run(st, &a, &back, &d);
    if (r == 0) {
        ASSERT_STREQ(back.tool_build, "b2");
        ASSERT_EQ(back.started_us, 5);
        ASSERT_EQ(back.finished_us, 99);
        ASSERT_TRUE(back.is_signed);
        ASSERT_STREQ(back.signer, "key-1");
        ASSERT_STREQ(back.findings_root, "abcd");
        ASSERT_TRUE(back.inputs_root == NULL);
        ASSERT_TRUE(back.params_json == NULL);
    }
    ss_arena_release(&a);
    ASSERT_OK(r);
    collect_init(&c);
    r = ss_store_each_finding(st, SS_STORE_READ_NO_EVIDENCE, collect_light, &c, &d);
    if (r == 0)
        r = ss_store_each_finding(st, 0, collect_light, &c, &d);
    if (r == 0)
        ASSERT_STREQ(c.text.ptr, "1:0/7:null:{\"b\":[1,2],\"a\":\"x\\u00e9\"};"
                                 "1:2/7:ev:{\"b\":[1,2],\"a\":\"x\\u00e9\"};");
    ss_buf_release(&c.text);
    ss_store_free(st);
    ASSERT_OK(r);
}

int main(void)
{
    SS_RUN(test_roundtrip);
    SS_RUN(test_abandon);
    SS_RUN(test_open_checks);
    SS_RUN(test_errors);
    SS_RUN(test_hostile_strings);
    SS_RUN(test_run_upsert_and_light_reads);
    SS_RUN(test_callback_stop);
    SS_RUN(test_entity_type);
    SS_RUN(test_excerpt_cut);
    SS_RUN(test_bench);
    return ss_test_done();
}
