/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/store/test_store_hostile.c - reading a findings database that was tampered with.
 * Each case builds a valid store through the API, then edits it with SQLite directly
 * (checks and foreign keys off, or a table replaced by a looser one) and asserts that
 * the readers and both renderers fail cleanly with SS_ECORRUPT or render safely: never
 * a crash, never a broken OCSF line, never raw markup in the HTML. This is the one test
 * outside src/store that includes <sqlite3.h>: it needs it to forge databases.
 */
#include "store/store.h"

#include <sqlite3.h>

#include "core/buf.h"
#include "report/report.h"
#include "ss_test.h"

static char path_buf[1024];

static const char *tmp_path(const char *name)
{
    snprintf(path_buf, sizeof(path_buf), "%s/%s", ss_test_tmpdir(), name);
    return path_buf;
}

/* A small valid store at @path: one input, two findings (one with evidence). */
static int build(const char *path)
{
    struct ss_store *st = NULL;
    struct ss_diag d;
    const char *ent[] = { "/subscriptions/g/resourceGroups/r" };
    struct ss_evidence ev[2] = { { .loc = { .input = 0, .offset = 10, .len = 5, .index = 1 } },
                                 { .loc = { .input = 0, .offset = 20, .len = 5, .index = 2 } } };
    const struct ss_store_run run = { .tool_version = "0.1.0",
                                      .tool_build = "t",
                                      .case_name = "c",
                                      .case_root = "/c",
                                      .finished_us = 1000 };
    const struct ss_store_input in = {
        .index = 0, .relpath = "a.jsonl", .kind = "jsonl", .compression = "none", .n_records = 2
    };
    const struct ss_finding f1 = { .check_id = "x.one",
                                   .severity = SS_SEV_LOW,
                                   .title = "one",
                                   .entities = ent,
                                   .n_entities = 1,
                                   .evidence = ev,
                                   .n_evidence = 2,
                                   .data_json = "{\"k\":1}" };
    const struct ss_finding f2 = { .check_id = "x.two",
                                   .severity = SS_SEV_HIGH,
                                   .title = "two",
                                   .entities = ent,
                                   .n_entities = 1 };
    int r;

    r = ss_store_create(path, &st, &d);
    if (r == 0)
        r = ss_store_put_run(st, &run, &d);
    if (r == 0)
        r = ss_store_put_input(st, &in, &d);
    if (r == 0)
        r = ss_store_put_finding(st, &f1, "u1", 0, &d);
    if (r == 0)
        r = ss_store_put_finding(st, &f2, "u2", 0, &d);
    if (r == 0)
        r = ss_store_finish(st, &d);
    ss_store_free(st);
    return r;
}

/* Run @sql on @path with constraints off. */
static int forge(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *err = NULL;
    int rc = sqlite3_open(path, &db);

    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "PRAGMA ignore_check_constraints = ON; PRAGMA foreign_keys = OFF;",
                          NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fprintf(stderr, "forge: %s\n", err != NULL ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

static int count_fn(void *ctx, const struct ss_store_finding *sf)
{
    size_t *n = ctx;

    (*n)++;
    return 0;
}

static int input_fn(void *ctx, const struct ss_store_input *in)
{
    size_t *n = ctx;

    (*n)++;
    return 0;
}

/* Read everything, then render both outputs; return the first error. */
static int read_all(const char *path)
{
    struct ss_store *st = NULL;
    struct ss_diag d;
    size_t n = 0;
    int r = ss_store_open(path, &st, &d);

    if (r == 0)
        r = ss_store_each_input(st, input_fn, &n, &d);
    if (r == 0)
        r = ss_store_each_finding(st, 0, count_fn, &n, &d);
    if (r == 0)
        r = ss_report_ocsf(st, tmp_path("h.jsonl"), &d);
    if (r == 0)
        r = ss_report_html(st, tmp_path("h.html"), &d);
    if (r < 0 && getenv("SS_TEST_VERBOSE") != NULL)
        fprintf(stderr, "  read_all: %d %s\n", r, d.msg);
    ss_store_free(st);
    return r;
}

static const char *const corrupting[] = {
    "UPDATE finding SET severity = 9 WHERE id = 1",
    "UPDATE finding SET severity = 0 WHERE id = 2",
    "UPDATE finding SET class = 'other' WHERE id = 1",
    "UPDATE evidence SET offset = -5 WHERE ord = 1",
    "UPDATE finding SET data_json = '{\"a\":1}' || char(10) || '{\"evil\":1}' WHERE id = 1",
    "UPDATE finding SET data_json = '[1,2]' WHERE id = 2",
    "UPDATE finding SET data_json = '{\"a\":\"x' || char(10) || 'y\"}' WHERE id = 1",
    "UPDATE input SET status = 'weird'",
    "UPDATE input SET idx = 5000000000",
    /* A table replaced by one without types: a text hash, a text offset. */
    "DROP VIEW evidence_located; CREATE TABLE ev2 (finding, ord, input, offset, length, rec_index, "
    "sha256, sha256_hex,"
    " PRIMARY KEY (finding, ord)) WITHOUT ROWID;"
    "INSERT INTO ev2 SELECT finding, ord, input, offset, length, rec_index, 'xyz', NULL"
    " FROM evidence; DROP TABLE evidence; ALTER TABLE ev2 RENAME TO evidence;",
    "DROP VIEW evidence_located; CREATE TABLE ev2 (finding, ord, input, offset, length, rec_index, "
    "sha256, sha256_hex,"
    " PRIMARY KEY (finding, ord)) WITHOUT ROWID;"
    "INSERT INTO ev2 SELECT finding, ord, input, 'ten', length, rec_index, sha256, NULL"
    " FROM evidence; DROP TABLE evidence; ALTER TABLE ev2 RENAME TO evidence;",
    "DROP VIEW evidence_located; CREATE TABLE ev2 (finding, ord, input, offset, length, rec_index, "
    "sha256, sha256_hex,"
    " PRIMARY KEY (finding, ord)) WITHOUT ROWID;"
    "INSERT INTO ev2 SELECT finding, ord, input, offset, length, rec_index, x'0102', NULL"
    " FROM evidence; DROP TABLE evidence; ALTER TABLE ev2 RENAME TO evidence;",
    /* A view where a table should be: views are disabled for readers. */
    "DROP VIEW evidence_located; DROP VIEW finding_summary;"
    " ALTER TABLE finding RENAME TO finding_real;"
    " CREATE VIEW finding AS SELECT * FROM finding_real;",
    "DROP TABLE check_stat",
};

static void test_corrupt_values(void)
{
    for (size_t i = 0; i < SS_ARRAY_LEN(corrupting); i++) {
        char name[64];
        snprintf(name, sizeof(name), "corrupt%zu.sqlite", i);
        const char *path = tmp_path(name);
        char copy[1024];
        snprintf(copy, sizeof(copy), "%s", path);
        ASSERT_OK(build(copy));
        ASSERT_OK(forge(copy, corrupting[i]));
        const int r = read_all(copy);
        if (r != SS_ECORRUPT)
            fprintf(stderr, "case %zu: %s -> %d\n", i, corrupting[i], r);
        ASSERT_EQ(r, SS_ECORRUPT);
    }
}

static bool file_has(const char *path, const char *needle, size_t *ret_lines)
{
    struct ss_buf b = SS_BUF_INIT(1 << 24);
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;
    bool found;

    if (f == NULL)
        return false;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (ss_buf_append(&b, chunk, n) < 0)
            break;
    fclose(f);
    found = strstr(b.ptr, needle) != NULL;
    if (ret_lines != NULL) {
        *ret_lines = 0;
        for (size_t i = 0; i < b.len; i++)
            *ret_lines += b.ptr[i] == '\n';
    }
    ss_buf_release(&b);
    return found;
}

/* Values that are legal but nasty render safely. */
static void test_nasty_but_valid(void)
{
    char path[1024];
    size_t lines = 0;

    snprintf(path, sizeof(path), "%s", tmp_path("nasty.sqlite"));
    ASSERT_OK(build(path));
    ASSERT_OK(forge(
        path, "UPDATE finding SET title = '<script>x</script>' || char(10) || '{\"fake\":1}',"
              " data_json = '{ \"a\" : [1,' || char(10) || ' 2], \"b\":\"' || char(255) ||"
              " '\", \"c\":\"' || CAST(x'ff' AS TEXT) || '\" }' WHERE id = 1;"
              "UPDATE input SET relpath = 'a' || char(0) || 'b', reason = char(27) || '[31m'"));
    ASSERT_OK(read_all(path));
    /* Two findings, two lines: a newline in a value cannot start a fake event. */
    ASSERT_TRUE(file_has(tmp_path("h.jsonl"),
                         "\"message\":\"<script>x</script>\\n{\\\"fake\\\":1}\"", &lines));
    ASSERT_EQ(lines, 2);
    ASSERT_TRUE(file_has(tmp_path("h.jsonl"),
                         "\"data\":{\"a\":[1,2],\"b\":\"\xc3\xbf\",\"c\":\"\\ufffd\"}", NULL));
    ASSERT_TRUE(file_has(tmp_path("h.html"),
                         "<h3>&lt;script&gt;x&lt;/script&gt;\n{&quot;fake&quot;:1}</h3>", NULL));
    ASSERT_TRUE(!file_has(tmp_path("h.html"), "<script", NULL));
}

int main(void)
{
    SS_RUN(test_corrupt_values);
    SS_RUN(test_nasty_but_valid);
    return ss_test_done();
}
