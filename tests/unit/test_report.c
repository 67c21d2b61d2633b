/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_report.c - unit tests of report/report.h: exact HTML and JSON escaping
 * of hostile strings, exact OCSF lines, whole-file OCSF output, the HTML sections
 * (escaped values, collapsed evidence, severity order, self-containment), determinism
 * across renders and across identically built stores, and atomic writes.
 */
#include "report/report.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/ss_time.h"
#include "ss_test.h"

#define N_BIG 1500

static const char *const hostile_script = "<script>alert(1)</script>";
static const char *const hostile_img = "\"><img src=x onerror=alert(1)>";

static char path_buf[4][1024];

static const char *tmp_path(int slot, const char *name)
{
    snprintf(path_buf[slot], sizeof(path_buf[slot]), "%s/%s", ss_test_tmpdir(), name);
    return path_buf[slot];
}

static bool exists(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0;
}

/* Read a whole file into @b. */
static int slurp(const char *path, struct ss_buf *b)
{
    FILE *f = fopen(path, "rb");
    char chunk[8192];
    size_t n;
    int r = 0;

    if (f == NULL)
        return -errno;
    while (r == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        r = ss_buf_append(b, chunk, n);
    fclose(f);
    return r;
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;

    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Fixture --------------------------------------------------------------------------- */

static struct ss_evidence ev_a[3];
static struct ss_evidence ev_big[N_BIG];

static void fill_sha(uint8_t sha[32], uint8_t seed)
{
    for (int i = 0; i < 32; i++)
        sha[i] = (uint8_t)(seed + i);
}

static int build_store(const char *path, bool with_findings, struct ss_store **ret)
{
    struct ss_store *st = NULL;
    struct ss_diag d;
    int r;
    const struct ss_store_run run = {
        .tool_version = "0.1.0",
        .tool_build = "v0.1.0-7-g0123456789ab",
        .case_name = hostile_script,
        .case_root = "/cases/contoso & co",
        .policy_name = "Contoso residency policy",
        .started_us = INT64_C(1714558400000000),
        .finished_us = INT64_C(1714558500123456),
        .n_threads = 2,
        .inputs_root = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        .findings_root = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100",
        .is_signed = false,
    };
    struct ss_store_input in[3] = {
        { .index = 0,
          .relpath = "activity/<b>bold</b>.jsonl",
          .kind = "azure-jsonl",
          .compression = "none",
          .size_bytes = 123456,
          .has_sha256 = true,
          .decoded_bytes = 123456,
          .n_records = 1000,
          .n_bad_records = 1,
          .status = SS_STORE_INPUT_OK },
        { .index = 1,
          .relpath = "trail/r\xc3\xa9gion.json.gz",
          .kind = "cloudtrail",
          .compression = "gzip",
          .size_bytes = 2048,
          .has_sha256 = true,
          .decoded_bytes = 1048576,
          .n_records = 600,
          .n_bad_records = 0,
          .status = SS_STORE_INPUT_DAMAGED,
          .reason = "truncated gzip stream" },
        { .index = 2,
          .relpath = "notes/'quote'.txt",
          .kind = "unknown",
          .compression = "none",
          .size_bytes = 10,
          .status = SS_STORE_INPUT_UNKNOWN,
          .reason = "not JSON: <html>" },
    };
    const struct ss_store_skipped sk = { .relpath = "link\xe2\x80\xae"
                                                    "gpj.exe",
                                         .reason = "symbolic link leaves the case" };
    const struct ss_store_bad_record br = {
        .input = 0, .offset = 4096, .line = 17, .code = SS_ESYNTAX, .reason = "unexpected '<'"
    };
    const struct ss_store_check ck = { .check_id = "sigma:rule-1",
                                       .title = "Bulk blob download & <egress>",
                                       .level = SS_SEV_HIGH,
                                       .n_matches = 42 };
    static const char *const ent_a[] = {
        "/subscriptions/11111111-2222-3333-4444-555555555555/resourcegroups/rg-data/providers/"
        "microsoft.storage/storageaccounts/stexport01",
        "<script>alert(1)</script>",
    };
    static const char *const ent_b[] = { "/subscriptions/11111111-2222-3333-4444-555555555555/"
                                         "resourcegroups/rg-t\xc5\x8dky\xc5\x8d" };
    static const char *const ent_c[] = { "arn:aws:iam::123456789012:role/Admin" };

    for (size_t i = 0; i < 3; i++) {
        ev_a[i] = (struct ss_evidence){
            .loc = { .input = 0, .offset = 1000 * i, .len = 900, .index = i + 1 }
        };
        fill_sha(ev_a[i].sha256, (uint8_t)(0xa0 + i));
    }
    for (size_t i = 0; i < N_BIG; i++) {
        ev_big[i] = (struct ss_evidence){
            .loc = { .input = 1, .offset = 700 * i, .len = 650, .index = i }
        };
        fill_sha(ev_big[i].sha256, (uint8_t)i);
    }
    fill_sha(in[0].sha256, 1);
    fill_sha(in[1].sha256, 2);
    const struct ss_finding fa = {
        .check_id = "sigma:rule-1",
        .severity = SS_SEV_HIGH,
        .title = hostile_img,
        .desc = "42 GetBlob calls by <script>alert(1)</script>",
        .entities = (const char **)ent_a,
        .n_entities = 2,
        .first_us = INT64_C(1714561323000000),
        .last_us = INT64_C(1714561623500000),
        .evidence = ev_a,
        .n_evidence = 3,
        .n_evidence_total = 42,
        .data_json = "{\"count\": 42, \"note\": \"a<b>\\u00e9\\n\", \"ips\": [\"203.0.113.9\"]}",
    };
    const struct ss_finding fb = {
        .check_id = "residency.replica-outside-allowed",
        .severity = SS_SEV_MEDIUM,
        .title = "Replica outside allowed regions: \xe6\x9d\xb1\xe4\xba\xac",
        .desc = "",
        .entities = (const char **)ent_b,
        .n_entities = 1,
    };
    const struct ss_finding fc = {
        .check_id = "sigma:rule-2",
        .severity = SS_SEV_CRITICAL,
        .title = "Mass role assignment",
        .entities = (const char **)ent_c,
        .n_entities = 1,
        .first_us = INT64_C(1714561000000000),
        .last_us = INT64_C(1714561000000000),
        .evidence = ev_big,
        .n_evidence = N_BIG,
    };

    r = ss_store_create(path, &st, &d);
    if (r < 0)
        return r;
    r = ss_store_begin(st, &d);
    if (r == 0)
        r = ss_store_put_run(st, &run, &d);
    for (size_t i = 0; i < 3 && r == 0; i++)
        r = ss_store_put_input(st, &in[i], &d);
    if (r == 0)
        r = ss_store_put_skipped(st, &sk, &d);
    if (r == 0)
        r = ss_store_put_bad_record(st, &br, &d);
    if (r == 0 && with_findings)
        r = ss_store_put_check(st, &ck, &d);
    if (r == 0 && with_findings)
        r = ss_store_put_finding(st, &fb, "b0b0b0b0", SS_STORE_FINDING_COMPLIANCE, &d);
    if (r == 0 && with_findings)
        r = ss_store_put_finding(st, &fa, "a1a1a1a1", 0, &d);
    if (r == 0 && with_findings)
        r = ss_store_put_finding(st, &fc, "c2c2c2c2", 0, &d);
    if (r == 0 && with_findings)
        r = ss_store_put_excerpt(st, &ev_a[0].loc, "{\"op\":\"<b>GetBlob</b>\"}", 23, &d);
    if (r == 0)
        r = ss_store_commit(st, &d);
    if (r == 0)
        r = ss_store_finish(st, &d);
    if (r < 0) {
        fprintf(stderr, "fixture: %s\n", d.msg);
        ss_store_free(st);
        return r;
    }
    *ret = st;
    return 0;
}

/* Escaping -------------------------------------------------------------------------- */

static int esc(const char *s, size_t len, struct ss_buf *b)
{
    ss_buf_reset(b);
    return ss_report_html_escape(b, s, len);
}

#define ASSERT_ESC(in, want)                                                                       \
    do {                                                                                           \
        ASSERT_OK(esc((in), sizeof(in) - 1, &b));                                                  \
        ASSERT_STREQ(b.ptr, (want));                                                               \
    } while (0)

static void test_html_escape(void)
{
    struct ss_buf b = SS_BUF_INIT(1 << 16);

    ASSERT_ESC("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
    ASSERT_ESC("\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    ASSERT_ESC("a&b'c", "a&amp;b&#39;c");
    ASSERT_ESC("&amp;", "&amp;amp;");
    ASSERT_ESC("tab\there\nline", "tab\there\nline");
    ASSERT_ESC("a\x01"
               "b\x7f"
               "c\r\x1b[31m",
               "a&#x2401;b&#x2421;c&#x240D;&#x241B;[31m");
    ASSERT_ESC("x\0y", "x&#x2400;y");
    ASSERT_ESC("\xff\xc3(", "&#xFFFD;&#xFFFD;(");
    ASSERT_ESC("\xc0\xaf", "&#xFFFD;&#xFFFD;");
    ASSERT_ESC("\xed\xa0\x80", "&#xFFFD;&#xFFFD;&#xFFFD;");
    ASSERT_ESC("\xf4\x90\x80\x80", "&#xFFFD;&#xFFFD;&#xFFFD;&#xFFFD;");
    ASSERT_ESC("\xe6\x9d", "&#xFFFD;&#xFFFD;");
    ASSERT_ESC("abc\xe2\x80\xae"
               "def",
               "abc&#xFFFD;def");
    ASSERT_ESC("\xe2\x81\xa6x\xe2\x80\x8by\xef\xbb\xbf", "&#xFFFD;x&#xFFFD;y&#xFFFD;");
    ASSERT_ESC("\xc2\x85", "&#xFFFD;");
    ASSERT_ESC("r\xc3\xa9gion \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80",
               "r\xc3\xa9gion \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80");
    ASSERT_ESC("", "");
    /* Appends; does not reset. */
    ss_buf_reset(&b);
    ASSERT_OK(ss_buf_puts(&b, "x="));
    ASSERT_OK(ss_report_html_escape(&b, "<", 1));
    ASSERT_STREQ(b.ptr, "x=&lt;");
    /* On SS_ELIMIT the buffer is cut back. */
    struct ss_buf small = SS_BUF_INIT(8);
    ASSERT_OK(ss_buf_puts(&small, "ab"));
    ASSERT_EQ(ss_report_html_escape(&small, "<<<<<<", 6), SS_ELIMIT);
    ASSERT_STREQ(small.ptr, "ab");
    ss_buf_release(&small);
    ss_buf_release(&b);
}

static void test_json_str(void)
{
    struct ss_buf b = SS_BUF_INIT(1 << 16);
    static const char in[] = "a\"b\\c\n\x01\x7f\xff\xe2\x80\xa8\xe2\x80\xa9\xc3\xa9</script>";

    ASSERT_OK(ss_report_json_str(&b, in, sizeof(in) - 1));
    ASSERT_STREQ(b.ptr, "\"a\\\"b\\\\c\\n\\u0001\x7f\\ufffd\\u2028\\u2029\xc3\xa9</script>\"");
    ss_buf_reset(&b);
    ASSERT_OK(ss_report_json_str(&b, "", 0));
    ASSERT_STREQ(b.ptr, "\"\"");
    ss_buf_release(&b);
}

/* OCSF ------------------------------------------------------------------------------ */

static const char expect_line_b[] =
    "{\"activity_id\":1,\"activity_name\":\"Create\",\"category_uid\":2,\"category_name\":"
    "\"Findings\",\"class_uid\":2003,\"class_name\":\"Compliance Finding\",\"type_uid\":200301,"
    "\"type_name\":\"Compliance Finding: Create\",\"time\":1714558500123,\"severity_id\":3,"
    "\"severity\":\"Medium\",\"status_id\":1,\"status\":\"New\",\"message\":\"Replica outside "
    "allowed regions: \xe6\x9d\xb1\xe4\xba\xac\",\"metadata\":{\"version\":\"1.3.0\",\"product\":"
    "{\"name\":\"siloscope\",\"vendor_name\":\"siloscope\",\"version\":\"0.1.0\"},\"profiles\":"
    "[\"cloud\"]},\"cloud\":{\"provider\":\"Azure\",\"account\":{\"uid\":"
    "\"11111111-2222-3333-4444-555555555555\"}},\"finding_info\":{\"uid\":\"b0b0b0b0\",\"title\":"
    "\"Replica outside allowed regions: \xe6\x9d\xb1\xe4\xba\xac\",\"types\":[\"residency\"],"
    "\"analytic\":{\"uid\":\"residency.replica-outside-allowed\",\"name\":"
    "\"residency.replica-outside-allowed\",\"type_id\":1,\"type\":\"Rule\"}},\"resources\":"
    "[{\"uid\":\"/subscriptions/11111111-2222-3333-4444-555555555555/resourcegroups/"
    "rg-t\xc5\x8dky\xc5\x8d\",\"type\":\"microsoft.resources/resourcegroups\"}],\"compliance\":"
    "{\"standards\":[\"Contoso residency policy\"],\"control\":"
    "\"residency.replica-outside-allowed\",\"status_id\":3,\"status\":\"Fail\"},\"unmapped\":"
    "{\"evidence_total\":0,\"evidence_in_event\":0}}\n";

static const char expect_line_a[] =
    "{\"activity_id\":1,\"activity_name\":\"Create\",\"category_uid\":2,\"category_name\":"
    "\"Findings\",\"class_uid\":2004,\"class_name\":\"Detection Finding\",\"type_uid\":200401,"
    "\"type_name\":\"Detection Finding: Create\",\"time\":1714558500123,\"severity_id\":4,"
    "\"severity\":\"High\",\"status_id\":1,\"status\":\"New\",\"message\":"
    "\"\\\"><img src=x onerror=alert(1)>\",\"metadata\":{\"version\":\"1.3.0\",\"product\":"
    "{\"name\":\"siloscope\",\"vendor_name\":\"siloscope\",\"version\":\"0.1.0\"},\"profiles\":"
    "[\"cloud\"]},\"cloud\":{\"provider\":\"Azure\",\"account\":{\"uid\":"
    "\"11111111-2222-3333-4444-555555555555\"}},\"finding_info\":{\"uid\":\"a1a1a1a1\",\"title\":"
    "\"\\\"><img src=x onerror=alert(1)>\",\"desc\":\"42 GetBlob calls by "
    "<script>alert(1)</script>\",\"types\":[\"sigma\"],\"first_seen_time\":1714561323000,"
    "\"last_seen_time\":1714561623500,\"analytic\":{\"uid\":\"sigma:rule-1\",\"name\":"
    "\"Bulk blob download & <egress>\",\"type_id\":1,\"type\":\"Rule\"},\"data_sources\":"
    "[\"activity/<b>bold</b>.jsonl\"]},\"resources\":[{\"uid\":\"/subscriptions/"
    "11111111-2222-3333-4444-555555555555/resourcegroups/rg-data/providers/microsoft.storage/"
    "storageaccounts/stexport01\",\"type\":\"microsoft.storage/storageaccounts\"},{\"uid\":"
    "\"<script>alert(1)</script>\",\"type\":\"other\"}],\"evidences\":[{\"data\":{\"input\":"
    "\"activity/<b>bold</b>.jsonl\",\"input_index\":0,\"offset\":0,\"length\":900,"
    "\"rec_index\":1,\"sha256\":"
    "\"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\"}},{\"data\":"
    "{\"input\":\"activity/<b>bold</b>.jsonl\",\"input_index\":0,\"offset\":1000,\"length\":900,"
    "\"rec_index\":2,\"sha256\":"
    "\"a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0\"}},{\"data\":"
    "{\"input\":\"activity/<b>bold</b>.jsonl\",\"input_index\":0,\"offset\":2000,\"length\":900,"
    "\"rec_index\":3,\"sha256\":"
    "\"a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1\"}}],\"start_time\":"
    "1714561323000,\"end_time\":1714561623500,\"unmapped\":{\"evidence_total\":42,"
    "\"evidence_in_event\":3,\"data\":{\"count\":42,\"note\":\"a<b>\\u00e9\\n\",\"ips\":"
    "[\"203.0.113.9\"]}}}\n";

struct lines {
    struct ss_buf b;
    struct ss_store_run run;
    int64_t want_seq;
};

static int line_of(void *ctx, const struct ss_store_finding *sf)
{
    struct lines *l = ctx;

    if (sf->seq != l->want_seq)
        return 0;
    return ss_report_ocsf_line(
        &l->b, &l->run,
        strcmp(sf->f.check_id, "sigma:rule-1") == 0 ? "Bulk blob download & <egress>" : NULL, sf);
}

static void test_ocsf_lines(void)
{
    struct ss_store *st = NULL;
    struct lines l = { .b = SS_BUF_INIT(1 << 22) };
    struct ss_arena a;
    struct ss_diag d;
    int r;

    ASSERT_OK(build_store(tmp_path(0, "lines.sqlite"), true, &st));
    ss_arena_init(&a, 1 << 20);
    r = ss_store_get_run(st, &a, &l.run, &d);
    if (r == 0) {
        l.want_seq = 1;
        r = ss_store_each_finding(st, 0, line_of, &l, &d);
    }
    if (r == 0) {
        ASSERT_STREQ(l.b.ptr, expect_line_b);
        ss_buf_reset(&l.b);
        l.want_seq = 2;
        r = ss_store_each_finding(st, 0, line_of, &l, &d);
    }
    if (r == 0)
        ASSERT_STREQ(l.b.ptr, expect_line_a);
    ss_arena_release(&a);
    ss_buf_release(&l.b);
    ss_store_free(st);
    ASSERT_OK(r);
}

static void test_ocsf_file(void)
{
    struct ss_store *st = NULL, *st2 = NULL;
    struct ss_buf one = SS_BUF_INIT(1 << 24), two = SS_BUF_INIT(1 << 24);
    struct ss_buf three = SS_BUF_INIT(1 << 24);
    const char *out1 = tmp_path(1, "one.ocsf.jsonl");
    const char *out2 = tmp_path(2, "two.ocsf.jsonl");
    struct ss_diag d;
    const char *third;

    ASSERT_OK(build_store(tmp_path(0, "ocsf.sqlite"), true, &st));
    ASSERT_OK(ss_report_ocsf(st, out1, &d));
    ASSERT_TRUE(!exists(tmp_path(3, "one.ocsf.jsonl.tmp")));
    ASSERT_OK(ss_report_ocsf(st, out2, &d));
    ASSERT_OK(slurp(out1, &one));
    ASSERT_OK(slurp(out2, &two));
    ASSERT_EQ(one.len, two.len);
    ASSERT_MEMEQ(one.ptr, two.ptr, one.len);
    /* Canonical (put) order: b, a, c; one line each; the lines are the exact ones. */
    ASSERT_EQ(count_of(one.ptr, "\n"), 3);
    ASSERT_TRUE(strncmp(one.ptr, expect_line_b, sizeof(expect_line_b) - 1) == 0);
    ASSERT_TRUE(strncmp(one.ptr + sizeof(expect_line_b) - 1, expect_line_a,
                        sizeof(expect_line_a) - 1) == 0);
    third = one.ptr + sizeof(expect_line_b) - 1 + sizeof(expect_line_a) - 1;
    ASSERT_TRUE(strncmp(third, "{\"activity_id\":1,", 17) == 0);
    ASSERT_TRUE(strstr(third, "\"cloud\":{\"provider\":\"AWS\",\"account\":{\"uid\":"
                              "\"123456789012\"}}") != NULL);
    ASSERT_TRUE(strstr(third, "\"resources\":[{\"uid\":\"arn:aws:iam::123456789012:role/Admin\","
                              "\"type\":\"aws:iam:role\"}]") != NULL);
    /* 100 evidence items in the event, 1500 counted. */
    ASSERT_EQ(count_of(third, "{\"data\":{\"input\":"), SS_REPORT_OCSF_MAX_EVIDENCE);
    ASSERT_TRUE(
        strstr(third, "\"unmapped\":{\"evidence_total\":1500,\"evidence_in_event\":100}}\n") !=
        NULL);
    ASSERT_TRUE(strstr(third,
                       "\"finding_info\":{\"uid\":\"c2c2c2c2\",\"title\":\"Mass role "
                       "assignment\",\"types\":[\"sigma\"],\"first_seen_time\":"
                       "1714561000000,\"last_seen_time\":1714561000000,\"analytic\":"
                       "{\"uid\":\"sigma:rule-2\",\"name\":\"sigma:rule-2\",\"type_id\":1,"
                       "\"type\":\"Rule\"},\"data_sources\":[\"trail/r\xc3\xa9gion.json.gz\"]}") !=
                NULL);

    /* A second store built the same way renders the same bytes. */
    ASSERT_OK(build_store(tmp_path(0, "ocsf2.sqlite"), true, &st2));
    third = tmp_path(3, "three.ocsf.jsonl");
    ASSERT_OK(ss_report_ocsf(st2, third, &d));
    ASSERT_OK(slurp(third, &three));
    ASSERT_EQ(one.len, three.len);
    ASSERT_MEMEQ(one.ptr, three.ptr, one.len);

    ss_buf_release(&one);
    ss_buf_release(&two);
    ss_buf_release(&three);
    ss_store_free(st);
    ss_store_free(st2);
}

/* HTML ------------------------------------------------------------------------------ */

static void test_html(void)
{
    struct ss_store *st = NULL, *st2 = NULL;
    struct ss_buf h = SS_BUF_INIT(1 << 26), h2 = SS_BUF_INIT(1 << 26);
    const char *out = tmp_path(1, "report.html");
    struct ss_diag d;
    const char *crit, *high, *med;

    ASSERT_OK(build_store(tmp_path(0, "html.sqlite"), true, &st));
    ASSERT_OK(ss_report_html(st, out, &d));
    ASSERT_TRUE(!exists(tmp_path(2, "report.html.tmp")));
    ASSERT_OK(slurp(out, &h));
    ASSERT_EQ(strlen(h.ptr), h.len);
    /* SS_REPORT_KEEP=FILE keeps a copy for looking at. */
    if (getenv("SS_REPORT_KEEP") != NULL) {
        FILE *f = fopen(getenv("SS_REPORT_KEEP"), "wb");
        if (f != NULL) {
            fwrite(h.ptr, 1, h.len, f);
            fclose(f);
        }
    }

    /* Well-formed frame. */
    ASSERT_TRUE(strncmp(h.ptr,
                        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">",
                        61) == 0);
    ASSERT_TRUE(strcmp(h.ptr + h.len - 16, "</body>\n</html>\n") == 0);
    ASSERT_TRUE(strstr(h.ptr, "content=\"default-src 'none'; style-src 'unsafe-inline';") != NULL);

    /* Hostile strings only ever appear escaped. */
    ASSERT_EQ(count_of(h.ptr, "<script"), 0);
    ASSERT_EQ(count_of(h.ptr, "<img"), 0);
    ASSERT_EQ(count_of(h.ptr, "<b>"), 0);
    ASSERT_TRUE(strstr(h.ptr,
                       "<title>siloscope review &ndash; &lt;script&gt;alert(1)&lt;/script&gt;"
                       "</title>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<h3>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</h3>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<li><code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"
                              "<span class=\"etype\">other</span></li>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<p class=\"desc\">42 GetBlob calls by "
                              "&lt;script&gt;alert(1)&lt;/script&gt;</p>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<code>/cases/contoso &amp; co</code>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<code>activity/&lt;b&gt;bold&lt;/b&gt;.jsonl</code>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<code>notes/&#39;quote&#39;.txt</code>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<code>link&#xFFFD;gpj.exe</code>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<td>not JSON: &lt;html&gt;</td>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<td>unexpected &#39;&lt;&#39;</td>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<pre class=\"excerpt\">{&quot;op&quot;:&quot;&lt;b&gt;GetBlob"
                              "&lt;/b&gt;&quot;}<span class=\"muted\"> &hellip; 877 more "
                              "bytes</span></pre>") != NULL);
    /* Extra data: keys and string values decoded, then escaped. */
    ASSERT_TRUE(strstr(h.ptr, "<tr><th>count</th><td><code>42</code></td></tr>\n"
                              "<tr><th>note</th><td>a&lt;b&gt;\xc3\xa9\n</td></tr>\n"
                              "<tr><th>ips</th><td><code>[&quot;203.0.113.9&quot;]</code></td>"
                              "</tr>\n") != NULL);
    /* Unicode passes through. */
    ASSERT_TRUE(strstr(h.ptr, "Replica outside allowed regions: \xe6\x9d\xb1\xe4\xba\xac") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<code>trail/r\xc3\xa9gion.json.gz</code>") != NULL);

    /* Self-contained: nothing fetched, nothing executed. */
    ASSERT_EQ(count_of(h.ptr, "http://"), 0);
    ASSERT_EQ(count_of(h.ptr, "https://"), 0);
    ASSERT_EQ(count_of(h.ptr, " src=\""), 0);
    ASSERT_EQ(count_of(h.ptr, "<link"), 0);
    ASSERT_EQ(count_of(h.ptr, "url("), 0);

    /* Header, seal and summary. */
    ASSERT_TRUE(strstr(h.ptr, "<span class=\"st warn\">Unsigned</span>") != NULL);
    ASSERT_TRUE(strstr(h.ptr,
                       "<code>ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
                       "</code>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<time>2024-05-01 10:13:20 UTC</time>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<time>2024-05-01 10:15:00.123 UTC</time> <span class=\"muted\">"
                              "(1 min 40 s)</span>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "siloscope 0.1.0 <span class=\"muted\">build v0.1.0-7-g0123456789ab"
                              "</span>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<div class=\"num\">1,600</div><div class=\"lbl\">records read"
                              "</div>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<div class=\"lbl\">122.5 KiB stored</div>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<a href=\"#findings\">Findings (3)</a><a href=\"#inputs\">Inputs "
                              "(3)</a><a href=\"#unreadable\">Unreadable input (4)</a>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<tr><td><code>sigma:rule-1</code></td><td>Bulk blob download "
                              "&amp; &lt;egress&gt;</td><td><span class=\"badge sev4\">High"
                              "</span></td><td class=\"r\">42</td><td class=\"r\">1</td><td>"
                              "<span class=\"badge sev4\">High</span></td></tr>") != NULL);

    /* Findings: three articles in severity order; 0 evidence; 1500 collapse after 20. */
    ASSERT_EQ(count_of(h.ptr, "<article class=\"finding"), 3);
    ASSERT_EQ(count_of(h.ptr, "This report shows"), 0);
    ASSERT_EQ(count_of(h.ptr, "not-shown"), 0);
    crit = strstr(h.ptr, "<article class=\"finding sev5\" id=\"f3\">");
    high = strstr(h.ptr, "<article class=\"finding sev4\" id=\"f2\">");
    med = strstr(h.ptr, "<article class=\"finding sev3\" id=\"f1\">");
    ASSERT_TRUE(crit != NULL && high != NULL && med != NULL);
    ASSERT_TRUE(crit < high && high < med);
    ASSERT_TRUE(strstr(med, "No record-level evidence") != NULL);
    /* 1500 evidence rows: 20 open, 180 more collapsed, the rest only in the store. */
    ASSERT_TRUE(strstr(crit, "<details><summary>Show 180 more evidence records</summary>") != NULL);
    ASSERT_TRUE(strstr(crit, "<p class=\"note\">1,300 further evidence records are listed in "
                             "findings.sqlite (table <code>evidence</code>).</p>") != NULL);
    ASSERT_TRUE(strstr(high, "42 records matched in all; 39 beyond the per-finding evidence cap "
                             "were counted but not kept.") != NULL);
    ASSERT_TRUE(strstr(crit, "<tr><td>200</td><td>trail/r\xc3\xa9gion.json.gz</td>"
                             "<td>139,300</td><td>650</td><td>199</td><td>"
                             "c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6"
                             "</td></tr>\n</tbody></table></details>") != NULL);
    ASSERT_TRUE(strstr(high, "<tr><td>1</td><td>activity/&lt;b&gt;bold&lt;/b&gt;.jsonl</td>"
                             "<td>0</td><td>900</td><td>1</td><td>"
                             "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                             "</td></tr>\n<tr class=\"x\">") != NULL);
    {
        const char *end = strstr(crit, "</article>");
        char *art;
        ASSERT_TRUE(end != NULL);
        art = ss_strndup(crit, (size_t)(end - crit));
        ASSERT_TRUE(art != NULL);
        const size_t rows = count_of(art, "<tr><td>");
        const size_t excerpts = count_of(art, "<pre class=\"excerpt\">");
        ss_free(art);
        ASSERT_EQ(rows, SS_REPORT_HTML_MAX_EVIDENCE);
        ASSERT_EQ(excerpts, 0);
    }

    /* Inputs: per-kind totals (sorted by kind), then the full listing, open (3 <= 200). */
    ASSERT_TRUE(strstr(h.ptr, "<tbody>\n<tr><td>azure-jsonl</td><td class=\"r\">1</td><td "
                              "class=\"r\">123,456</td><td class=\"r\">123,456</td><td "
                              "class=\"r\">1,000</td><td class=\"r\">1</td></tr>\n<tr><td>"
                              "cloudtrail</td><td class=\"r\">1</td><td class=\"r\">2,048</td>"
                              "<td class=\"r\">1,048,576</td><td class=\"r\">600</td><td "
                              "class=\"r\">0</td></tr>\n<tr><td>unknown</td><td class=\"r\">1"
                              "</td><td class=\"r\">10</td><td class=\"r\">0</td><td "
                              "class=\"r\">0</td><td class=\"r\">0</td></tr>\n</tbody>") != NULL);
    ASSERT_TRUE(
        strstr(h.ptr, "<details open><summary>All inputs, in input-index order</summary>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<div class=\"num\">1.1 MiB</div><div class=\"lbl\">decoded</div>"
                              "<div class=\"lbl\">1,172,032 bytes</div>") != NULL);
    /* Unreadable input. */
    ASSERT_TRUE(strstr(h.ptr, "<h3>Files not understood<span class=\"n\"> (1)</span></h3>") !=
                NULL);
    ASSERT_TRUE(strstr(h.ptr, "<h3>Files read in part<span class=\"n\"> (1)</span></h3>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<tr><td><code>activity/&lt;b&gt;bold&lt;/b&gt;.jsonl</code></td>"
                              "<td class=\"r\">4,096</td><td class=\"r\">17</td><td>") != NULL);

    /* Deterministic: a second render, and a render of an identically built store. */
    ASSERT_OK(ss_report_html(st, tmp_path(2, "again.html"), &d));
    ASSERT_OK(slurp(tmp_path(2, "again.html"), &h2));
    ASSERT_EQ(h.len, h2.len);
    ASSERT_MEMEQ(h.ptr, h2.ptr, h.len);
    ASSERT_OK(build_store(tmp_path(0, "html2.sqlite"), true, &st2));
    ss_buf_reset(&h2);
    ASSERT_OK(ss_report_html(st2, tmp_path(2, "other.html"), &d));
    ASSERT_OK(slurp(tmp_path(2, "other.html"), &h2));
    ASSERT_EQ(h.len, h2.len);
    ASSERT_MEMEQ(h.ptr, h2.ptr, h.len);

    ss_buf_release(&h);
    ss_buf_release(&h2);
    ss_store_free(st);
    ss_store_free(st2);
}

static void test_empty_and_errors(void)
{
    struct ss_store *st = NULL;
    struct ss_buf h = SS_BUF_INIT(1 << 22);
    const char *out = tmp_path(1, "empty.html");
    struct ss_diag d;
    struct stat sb;

    ASSERT_OK(build_store(tmp_path(0, "empty.sqlite"), false, &st));
    ASSERT_OK(ss_report_html(st, out, &d));
    ASSERT_OK(slurp(out, &h));
    ASSERT_TRUE(strstr(h.ptr, "<p class=\"empty\">No findings.</p>") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<p class=\"empty\">No checks recorded.</p>") != NULL);
    ASSERT_OK(ss_report_ocsf(st, tmp_path(2, "empty.jsonl"), &d));
    ASSERT_EQ(stat(tmp_path(2, "empty.jsonl"), &sb), 0);
    ASSERT_EQ(sb.st_size, 0);
    /* A directory that does not exist: an error naming the file, nothing written. */
    ASSERT_EQ(ss_report_html(st, "/nonexistent-dir/report.html", &d), -ENOENT);
    ASSERT_STREQ(d.file, "/nonexistent-dir/report.html");
    ASSERT_EQ(ss_report_ocsf(st, "/nonexistent-dir/f.jsonl", &d), -ENOENT);
    ss_store_free(st);
    ss_buf_release(&h);

    /* A store without a run row cannot be reported. */
    ASSERT_OK(ss_store_create(tmp_path(0, "norun.sqlite"), &st, &d));
    ASSERT_OK(ss_store_finish(st, &d));
    ASSERT_EQ(ss_report_html(st, tmp_path(1, "norun.html"), &d), SS_ENOTFOUND);
    ASSERT_TRUE(!exists(tmp_path(1, "norun.html")));
    ASSERT_TRUE(!exists(tmp_path(2, "norun.html.tmp")));
    ss_store_free(st);
}

/* Every allocation failure ends in a clean error (and, under ASan, without a leak). */
static void test_alloc_faults(void)
{
    struct ss_diag d;
    uint64_t n;
    int failures = 0;

    for (n = 1; n < 100000; n++) {
        struct ss_store *st = NULL;
        bool fired;
        int r;

        ss_alloc_fail_at(n);
        r = build_store(tmp_path(0, "fault.sqlite"), true, &st);
        if (r == 0) {
            r = ss_report_html(st, tmp_path(1, "fault.html"), &d);
            if (r == 0)
                r = ss_report_ocsf(st, tmp_path(1, "fault.jsonl"), &d);
            ss_store_free(st);
        }
        fired = ss_alloc_fault_fired();
        ss_alloc_fail_at(0);
        if (!fired) {
            ASSERT_OK(r);
            break;
        }
        if (r == 0) /* the failed allocation was retried or not needed */
            continue;
        ASSERT_TRUE(r == -ENOMEM);
        failures++;
    }
    ASSERT_TRUE(n < 100000);
    ASSERT_TRUE(failures > 10);
    fprintf(stderr, "  %d injected allocation failures, all -ENOMEM\n", failures);
}

/* Optional: SS_REPORT_BENCH=<findings> renders that many findings of 50 records each. */
static void test_bench(void)
{
    const char *env = getenv("SS_REPORT_BENCH");
    const char *ent[] = { "/subscriptions/g/resourceGroups/r/providers/Microsoft.Storage/"
                          "storageAccounts/st" };
    const struct ss_store_input in = {
        .index = 0, .relpath = "big.jsonl", .kind = "jsonl", .compression = "none"
    };
    struct ss_evidence ev[50];
    struct ss_store *st = NULL;
    struct ss_diag d;
    struct stat sb;
    char uid[32], title[64];
    unsigned long long n = 0;
    int64_t t0, t1, t2;
    int r = 0;

    if (env == NULL)
        SS_SKIP("set SS_REPORT_BENCH=<findings> to time rendering");
    for (const char *p = env; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (unsigned long long)(*p - '0');
    ASSERT_OK(ss_store_create(tmp_path(0, "bench.sqlite"), &st, &d));
    ASSERT_OK(ss_store_begin(st, &d));
    ASSERT_OK(ss_store_put_input(st, &in, &d));
    for (unsigned long long k = 0; k < n && r == 0; k++) {
        for (size_t i = 0; i < 50; i++) {
            ev[i] = (struct ss_evidence){ .loc = { .input = 0,
                                                   .offset = (k * 50 + i) * 400,
                                                   .len = 390,
                                                   .index = k * 50 + i + 1 } };
            fill_sha(ev[i].sha256, (uint8_t)(k + i));
        }
        snprintf(uid, sizeof(uid), "%016llx", k);
        snprintf(title, sizeof(title), "Finding number %llu", k);
        const struct ss_finding f = { .check_id = "sigma:bench",
                                      .severity = (enum ss_severity)(1 + k % 5),
                                      .title = title,
                                      .entities = ent,
                                      .n_entities = 1,
                                      .first_us = 1714561000000000,
                                      .last_us = 1714561060000000,
                                      .evidence = ev,
                                      .n_evidence = 50 };
        r = ss_store_put_finding(st, &f, uid, 0, &d);
    }
    ASSERT_OK(r);
    const struct ss_store_run run = {
        .tool_version = "0.1.0", .tool_build = "bench", .case_name = "bench", .case_root = "/bench"
    };
    ASSERT_OK(ss_store_put_run(st, &run, &d));
    ASSERT_OK(ss_store_commit(st, &d));
    ASSERT_OK(ss_store_finish(st, &d));
    t0 = ss_time_mono_us();
    ASSERT_OK(ss_report_html(st, tmp_path(1, "bench.html"), &d));
    t1 = ss_time_mono_us();
    ASSERT_OK(ss_report_ocsf(st, tmp_path(2, "bench.jsonl"), &d));
    t2 = ss_time_mono_us();
    ASSERT_EQ(stat(tmp_path(1, "bench.html"), &sb), 0);
    fprintf(stderr, "  bench: %llu findings x 50 records: html %.2f s (%lld bytes), ", n,
            (double)(t1 - t0) / 1e6, (long long)sb.st_size);
    ASSERT_EQ(stat(tmp_path(2, "bench.jsonl"), &sb), 0);
    fprintf(stderr, "ocsf %.2f s (%lld bytes)\n", (double)(t2 - t1) / 1e6, (long long)sb.st_size);
    ss_store_free(st);
}

/*
 * Record text in HTML: the first SS_REPORT_HTML_EXCERPTS rows of each finding, and
 * SS_REPORT_HTML_EXCERPT_BUDGET bytes in all. 1,700 findings of 8 records of 2,000
 * bytes: 8,388 excerpts fit in 16 MiB (1,677 findings with 5, then 3), and the 23
 * findings from the 1,678th on say that their text is left out.
 */
static void test_html_excerpt_caps(void)
{
    enum { N_F = 1700, N_EV = 8, X_LEN = 2000 };
    static char text[X_LEN + 1];
    struct ss_evidence ev[N_EV];
    struct ss_store *st = NULL;
    struct ss_buf h = SS_BUF_INIT((size_t)64 << 20);
    struct ss_diag d;
    const char *ent[] = { "user" };
    const struct ss_store_run run = {
        .tool_version = "0.1.0", .tool_build = "caps", .case_name = "caps", .case_root = "/caps"
    };
    const struct ss_store_input in = { .index = 0,
                                       .relpath = "caps.jsonl",
                                       .kind = "azure-jsonl",
                                       .compression = "none",
                                       .size_bytes = (uint64_t)N_F * N_EV * 4096,
                                       .status = SS_STORE_INPUT_OK };
    const char *last, *before;
    int r = 0;

    memset(text, 'x', X_LEN);
    ss_diag_clear(&d);
    ASSERT_OK(ss_store_create(tmp_path(0, "caps.sqlite"), &st, &d));
    ASSERT_OK(ss_store_begin(st, &d));
    ASSERT_OK(ss_store_put_input(st, &in, &d));
    for (unsigned k = 0; k < N_F && r == 0; k++) {
        char uid[32], title[64], check[32];

        for (unsigned i = 0; i < N_EV; i++) {
            ev[i] = (struct ss_evidence){
                .loc = { .input = 0, .offset = (uint64_t)(k * N_EV + i) * 4096, .len = X_LEN }
            };
            fill_sha(ev[i].sha256, (uint8_t)(k + i));
        }
        snprintf(uid, sizeof(uid), "%08x", k);
        snprintf(title, sizeof(title), "Finding %05u", k);
        /* 100 findings per check: all of them are shown */
        snprintf(check, sizeof(check), "sigma:caps-%02u", k / 100);
        const struct ss_finding f = { .check_id = check,
                                      .severity = SS_SEV_HIGH,
                                      .title = title,
                                      .entities = ent,
                                      .n_entities = 1,
                                      .evidence = ev,
                                      .n_evidence = N_EV };
        r = ss_store_put_finding(st, &f, uid, 0, &d);
        for (unsigned i = 0; i < N_EV && r == 0; i++)
            r = ss_store_put_excerpt(st, &ev[i].loc, text, X_LEN, &d);
    }
    ASSERT_OK(r);
    ASSERT_OK(ss_store_put_run(st, &run, &d));
    ASSERT_OK(ss_store_commit(st, &d));
    ASSERT_OK(ss_store_finish(st, &d));
    ASSERT_OK(ss_report_html(st, tmp_path(1, "caps.html"), &d));
    ASSERT_OK(slurp(tmp_path(1, "caps.html"), &h));
    ASSERT_EQ(count_of(h.ptr, "<article class=\"finding"), N_F);
    ASSERT_EQ(count_of(h.ptr, "<pre class=\"excerpt\">"), 8388);
    ASSERT_EQ(count_of(h.ptr, "Record text is left out here: the report shows at most 16 MiB "
                              "of it."),
              23);
    /* the first findings show five excerpts each, the cut falls in the 1,678th */
    before = strstr(h.ptr, "<article class=\"finding sev4\" id=\"f1677\">");
    last = strstr(h.ptr, "<article class=\"finding sev4\" id=\"f1678\">");
    ASSERT_TRUE(before != NULL && last != NULL && before < last);
    {
        char *art = ss_strndup(before, (size_t)(last - before));

        ASSERT_TRUE(art != NULL);
        ASSERT_EQ(count_of(art, "<pre class=\"excerpt\">"), 5);
        ASSERT_EQ(count_of(art, "Record text is left out"), 0);
        ss_free(art);
    }
    ASSERT_EQ(count_of(last, "<pre class=\"excerpt\">"), 3);
    ss_buf_release(&h);
    ss_store_free(st);
}

/* Put @n findings of @check (severity from @sev(k)), one evidence record each. */
static int put_many(struct ss_store *st, const char *check, unsigned n, unsigned *seq,
                    enum ss_severity (*sev)(unsigned k), struct ss_diag *d)
{
    const char *ent[] = { "user" };
    int r = 0;

    for (unsigned k = 0; k < n && r == 0; k++, (*seq)++) {
        struct ss_evidence ev = { .loc = {
                                      .input = 0, .offset = (uint64_t)*seq * 100, .len = 90 } };
        char uid[32];

        fill_sha(ev.sha256, (uint8_t)*seq);
        snprintf(uid, sizeof(uid), "%08x", *seq);
        const struct ss_finding f = { .check_id = check,
                                      .severity = sev(k),
                                      .title = "T",
                                      .entities = ent,
                                      .n_entities = 1,
                                      .evidence = &ev,
                                      .n_evidence = 1 };
        r = ss_store_put_finding(st, &f, uid, 0, d);
    }
    return r;
}

static enum ss_severity sev_cycle(unsigned k)
{
    return (enum ss_severity)(1 + k % 5);
}

static enum ss_severity sev_critical(unsigned k)
{
    (void)k;
    return SS_SEV_CRITICAL;
}

static enum ss_severity sev_info(unsigned k)
{
    (void)k;
    return SS_SEV_INFO;
}

static int count_cb(void *ctx, const struct ss_store_finding *sf)
{
    (void)sf;
    (*(unsigned *)ctx)++;
    return 0;
}

/* The articles of check @check in @html. */
static size_t articles_of(const char *html, const char *check)
{
    char needle[96];

    snprintf(needle, sizeof(needle), "<dt>Check</dt><dd><code>%s</code>", check);
    return count_of(html, needle);
}

/*
 * Findings shown: the most severe 200 of each check, 5,000 in all, in severity order.
 * 'sigma:loud' has 260 (52 of each severity; its 200 most severe are the 156 of
 * severities 5-3 and the 44 first of severity 2), "sigma:o'q" 3 critical ones, and 25
 * 'sigma:bulk-NN' checks 200 informational ones each, put in that order: after the 203,
 * the 4,797 first bulk findings in id order fill the report (23 checks and 197 of the
 * 24th). Not shown: 60 + 3 + 200 = 263, each check with its count and query.
 */
static void test_html_findings_cap(void)
{
    struct ss_store *st = NULL;
    struct ss_buf h = SS_BUF_INIT((size_t)64 << 20);
    struct ss_diag d;
    const struct ss_store_run run = {
        .tool_version = "0.1.0", .tool_build = "cap", .case_name = "cap", .case_root = "/cap"
    };
    const struct ss_store_input in = { .index = 0,
                                       .relpath = "cap.jsonl",
                                       .kind = "jsonl",
                                       .compression = "none",
                                       .status = SS_STORE_INPUT_OK };
    unsigned seq = 0;
    int r;

    ss_diag_clear(&d);
    ASSERT_OK(ss_store_create(tmp_path(0, "cap.sqlite"), &st, &d));
    ASSERT_OK(ss_store_begin(st, &d));
    ASSERT_OK(ss_store_put_input(st, &in, &d));
    r = put_many(st, "sigma:loud", 260, &seq, sev_cycle, &d);
    if (r == 0)
        r = put_many(st, "sigma:o'q", 3, &seq, sev_critical, &d);
    for (unsigned c = 0; c < 25 && r == 0; c++) {
        char check[32];

        snprintf(check, sizeof(check), "sigma:bulk-%02u", c);
        r = put_many(st, check, 200, &seq, sev_info, &d);
    }
    ASSERT_OK(r);
    ASSERT_OK(ss_store_put_run(st, &run, &d));
    ASSERT_OK(ss_store_commit(st, &d));
    ASSERT_OK(ss_store_finish(st, &d));
    ASSERT_OK(ss_report_html(st, tmp_path(1, "cap.html"), &d));
    ASSERT_OK(slurp(tmp_path(1, "cap.html"), &h));
    ASSERT_EQ(count_of(h.ptr, "<article class=\"finding"), 5000);
    ASSERT_EQ(articles_of(h.ptr, "sigma:loud"), 200);
    ASSERT_EQ(count_of(h.ptr, "<article class=\"finding sev5"), 52 + 3);
    ASSERT_EQ(count_of(h.ptr, "<article class=\"finding sev2"), 44);
    ASSERT_EQ(count_of(h.ptr, "<article class=\"finding sev1"), 4797);
    /* the 44 severity-2 findings of 'loud' are its first: k = 1, 6, ..., 216 (ids 2..217) */
    ASSERT_TRUE(strstr(h.ptr, "<article class=\"finding sev2\" id=\"f217\">") != NULL);
    ASSERT_TRUE(strstr(h.ptr, "<article class=\"finding sev2\" id=\"f222\">") == NULL);
    ASSERT_EQ(articles_of(h.ptr, "sigma:o&#39;q"), 3);
    ASSERT_EQ(articles_of(h.ptr, "sigma:bulk-22"), 200);
    ASSERT_EQ(articles_of(h.ptr, "sigma:bulk-23"), 197);
    ASSERT_EQ(articles_of(h.ptr, "sigma:bulk-24"), 0);
    ASSERT_EQ(count_of(h.ptr, "This report shows 5,000 of the findings: the most severe 200 of "
                              "each check, 5,000 in all."),
              1);
    ASSERT_EQ(count_of(h.ptr, "<p>263 findings are not shown above."), 1);
    ASSERT_EQ(
        count_of(h.ptr,
                 "<tr><td><code>sigma:loud</code></td><td><span class=\"muted\">&ndash;</span></td>"
                 "<td class=\"r\">260"
                 "</td><td class=\"r\">200</td><td class=\"r\">60</td><td><code>"
                 "SELECT * FROM finding WHERE check_id = &#39;sigma:loud&#39; ORDER "
                 "BY severity DESC, id</code></td></tr>"),
        1);
    ASSERT_EQ(count_of(h.ptr, "<td class=\"r\">200</td><td class=\"r\">197</td><td "
                              "class=\"r\">3</td><td><code>SELECT * FROM finding WHERE check_id = "
                              "&#39;sigma:bulk-23&#39;"),
              1);
    ASSERT_EQ(count_of(h.ptr, "<td class=\"r\">200</td><td class=\"r\">0</td><td "
                              "class=\"r\">200</td><td><code>SELECT * FROM finding WHERE "
                              "check_id = &#39;sigma:bulk-24&#39;"),
              1);
    /* checks shown in full are not listed; the index lists what is shown */
    ASSERT_EQ(count_of(h.ptr, "check_id = &#39;sigma:o&#39;&#39;q&#39;"), 0);
    ASSERT_EQ(count_of(h.ptr, "<tr><td class=\"r\"><a href=\"#f"), 5000);
    /* caps need the severity order */
    ASSERT_EQ(ss_store_each_finding_top(st, 0, 1, 1, count_cb, &seq, &d), -EINVAL);
    ss_buf_release(&h);
    ss_store_free(st);
}

int main(void)
{
    SS_RUN(test_html_escape);
    SS_RUN(test_json_str);
    SS_RUN(test_ocsf_lines);
    SS_RUN(test_ocsf_file);
    SS_RUN(test_html);
    SS_RUN(test_empty_and_errors);
    SS_RUN(test_html_excerpt_caps);
    SS_RUN(test_html_findings_cap);
    SS_RUN(test_alloc_faults);
    SS_RUN(test_bench);
    return ss_test_done();
}
