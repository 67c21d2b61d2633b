/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/evidence/seal_case.c - end-to-end checks of sealing with a real case: inputs
 * read through io (plain, JSON lines, gzip), findings citing real records, a signed
 * seal, then `siloscope verify --case` and `siloscope prove` (the command functions,
 * linked in). Mutations: flipping any single byte of any input makes verify fail and
 * name the input; a wrong evidence digest or location is named by finding and entry.
 */
#include "ss_test.h"

#include "cli/cli.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/finding.h"
#include "evidence/dsse.h"
#include "evidence/evidence.h"
#include "evidence/merkle.h"
#include "evidence/sha256.h"
#include "io/io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const char a_json[] =
    "{\"Records\":[{\"eventName\":\"StopLogging\",\"eventTime\":\"2024-05-01T09:00:00Z\"},\n"
    "  {\"eventName\":\"PutBucketPolicy\",\"eventTime\":\"2024-05-01T09:10:00Z\"},\n"
    "  {\"eventName\":\"DeleteTrail\",\"eventTime\":\"2024-05-01T09:20:00Z\"}]}\n";
static const char b_jsonl[] = "{\"time\":\"2024-05-01T10:00:00Z\",\"operationName\":\"A\"}\n"
                              "{\"time\":\"2024-05-01T10:05:00Z\",\"operationName\":\"B\"}\n"
                              "{\"time\":\"2024-05-01T10:10:00Z\",\"operationName\":\"C\"}\n";
static const char c_jsonl[] = "{\"timestamp\":\"2024-05-01T11:00:00Z\",\"x\":1}\n"
                              "{\"timestamp\":\"2024-05-01T11:01:00Z\",\"x\":2}\n";

static char case_dir[512], out_dir[512], priv[512], pub[512];

static int write_file(const char *path, const void *p, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (f == NULL)
        return -1;
    if (len > 0 && fwrite(p, 1, len, f) != len) {
        fclose(f);
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}

static int read_all(const char *path, struct ss_buf *out)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;
    int r = 0;

    if (f == NULL)
        return -errno;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && r == 0)
        r = ss_buf_append(out, chunk, n);
    fclose(f);
    return r;
}

static int write_gz(const char *path, const char *text)
{
    gzFile g = gzopen(path, "wb");

    if (g == NULL)
        return -1;
    if (gzwrite(g, text, (unsigned)strlen(text)) != (int)strlen(text)) {
        gzclose(g);
        return -1;
    }
    return gzclose(g) == Z_OK ? 0 : -1;
}

/* Run a command function with stdout captured into @out. */
static int run_captured(int (*cmd)(int, char **), int argc, char **argv, struct ss_buf *out)
{
    char path[600];
    int saved, fd, rc;

    snprintf(path, sizeof(path), "%s/stdout.txt", ss_test_tmpdir());
    fflush(stdout);
    saved = dup(STDOUT_FILENO);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (saved < 0 || fd < 0)
        abort();
    dup2(fd, STDOUT_FILENO);
    close(fd);
    rc = cmd(argc, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    ss_buf_reset(out);
    if (read_all(path, out) != 0)
        abort();
    return rc;
}

struct rec {
    struct ss_loc loc;
    uint8_t sha256[SS_SHA256_LEN];
};

/* Read every record of every input of the case (at most 16 per input). */
static int read_records(struct ss_case *c, struct rec recs[3][16], size_t n_recs[3])
{
    for (uint32_t i = 0; i < c->n_inputs && i < 3; i++) {
        struct ss_reader *rd = NULL;
        struct ss_diag d;
        int r = ss_reader_open(c, i, NULL, NULL, NULL, &rd, &d);

        n_recs[i] = 0;
        if (r < 0)
            return r;
        for (;;) {
            struct ss_record rec;

            r = ss_reader_next(rd, &rec, &d);
            if (r <= 0)
                break;
            if (n_recs[i] < 16) {
                recs[i][n_recs[i]].loc = rec.loc;
                r = ss_sha256(rec.ptr, rec.len, recs[i][n_recs[i]].sha256);
                if (r < 0)
                    break;
                n_recs[i]++;
            }
        }
        ss_reader_free(rd);
        if (r < 0)
            return r;
    }
    return 0;
}

static char uid0[SS_FINDING_UID_SIZE];

/* Seal the case: two findings citing records; @tamper changes evidence before sealing. */
static int seal_case(int tamper)
{
    struct ss_case c = { 0 };
    struct ss_findings fs;
    struct rec recs[3][16];
    size_t n_recs[3] = { 0 };
    struct ss_manifest_input ins[3];
    struct ss_evidence ev[4];
    struct ss_manifest_result res;
    struct ss_diag d;
    static const char *ents[] = { "arn:aws:cloudtrail:eu-west-1:111122223333:trail/t" };
    int r;

    ss_findings_init(&fs, (size_t)1 << 22);
    r = ss_case_discover(case_dir, NULL, &c, &d);
    if (r == 0 && c.n_inputs != 3)
        r = -EINVAL;
    r = r ? r : read_records(&c, recs, n_recs);
    if (r < 0)
        goto out;
    if (n_recs[0] != 3 || n_recs[1] != 3 || n_recs[2] != 2) {
        r = -EINVAL;
        goto out;
    }
    for (uint32_t i = 0; i < 3; i++) {
        ins[i] = (struct ss_manifest_input){ .relpath = c.inputs[i].relpath,
                                             .size_bytes = c.inputs[i].size_bytes,
                                             .kind = ss_input_kind_name(c.inputs[i].kind),
                                             .compression = ss_compression_name(c.inputs[i].comp),
                                             .n_records = n_recs[i],
                                             .has_sha256 = true };
        r = ss_sha256_file(c.inputs[i].path, ins[i].sha256, NULL);
        if (r < 0)
            goto out;
    }
    ev[0] = (struct ss_evidence){ .loc = recs[0][0].loc };
    memcpy(ev[0].sha256, recs[0][0].sha256, SS_SHA256_LEN);
    ev[1] = (struct ss_evidence){ .loc = recs[0][2].loc };
    memcpy(ev[1].sha256, recs[0][2].sha256, SS_SHA256_LEN);
    ev[2] = (struct ss_evidence){ .loc = recs[2][1].loc };
    memcpy(ev[2].sha256, recs[2][1].sha256, SS_SHA256_LEN);
    ev[3] = (struct ss_evidence){ .loc = recs[1][1].loc };
    memcpy(ev[3].sha256, recs[1][1].sha256, SS_SHA256_LEN);
    if (tamper == 1)
        ev[1].sha256[5] ^= 1; /* a digest that is not the record's */
    if (tamper == 2)
        ev[2].loc.offset += 1; /* a location where no record starts */
    {
        struct ss_finding f = {
            .check_id = "audit.logging-stopped",
            .severity = SS_SEV_CRITICAL,
            .title = "Trail logging stopped and trail deleted",
            .desc = "",
            .entities = ents,
            .n_entities = 1,
            .evidence = ev,
            .n_evidence = 3,
            .n_evidence_total = 3,
        };

        r = ss_findings_add(&fs, &f, NULL);
        f.check_id = "azure.ops";
        f.severity = SS_SEV_LOW;
        f.evidence = ev + 3;
        f.n_evidence = f.n_evidence_total = 1;
        r = r ? r : ss_findings_add(&fs, &f, NULL);
    }
    if (r < 0)
        goto out;
    ss_findings_sort(&fs);
    {
        struct ss_manifest m = { .tool_version = "test",
                                 .tool_build = "test",
                                 .case_root = case_dir,
                                 .started_us = INT64_C(1714554000000000),
                                 .finished_us = INT64_C(1714554001000000),
                                 .inputs = ins,
                                 .n_inputs = 3,
                                 .findings = &fs };

        ss_diag_clear(&d);
        r = ss_manifest_write(&m, out_dir, priv, &res, &d);
    }
    if (r == 0) {
        char uids[2][SS_FINDING_UID_SIZE];

        r = ss_findings_uids(&fs, uids);
        if (r == 0)
            memcpy(uid0,
                   strcmp(fs.items[0].check_id, "audit.logging-stopped") == 0 ? uids[0] : uids[1],
                   SS_FINDING_UID_SIZE);
    }
out:
    ss_case_release(&c);
    ss_findings_release(&fs);
    return r;
}

static int verify_case(struct ss_buf *out)
{
    char *argv[] = { "verify", out_dir, "--case", case_dir, "--key", pub, NULL };

    return run_captured(ss_cmd_verify, 6, argv, out);
}

static void setup(void)
{
    char path[600], id[SS_SHA256_HEX_SIZE];
    struct ss_diag d;

    snprintf(case_dir, sizeof(case_dir), "%s/case", ss_test_tmpdir());
    snprintf(out_dir, sizeof(out_dir), "%s/out", ss_test_tmpdir());
    snprintf(priv, sizeof(priv), "%s/k.key", ss_test_tmpdir());
    snprintf(pub, sizeof(pub), "%s/k.key.pub", ss_test_tmpdir());
    if (mkdir(case_dir, 0755) != 0 || mkdir(out_dir, 0755) != 0)
        abort();
    snprintf(path, sizeof(path), "%s/logs", case_dir);
    if (mkdir(path, 0755) != 0)
        abort();
    snprintf(path, sizeof(path), "%s/a.json", case_dir);
    if (write_file(path, a_json, strlen(a_json)) != 0)
        abort();
    snprintf(path, sizeof(path), "%s/logs/b.jsonl", case_dir);
    if (write_file(path, b_jsonl, strlen(b_jsonl)) != 0)
        abort();
    snprintf(path, sizeof(path), "%s/logs/c.jsonl.gz", case_dir);
    if (write_gz(path, c_jsonl) != 0)
        abort();
    ss_diag_clear(&d);
    if (ss_keygen(priv, pub, id, &d) != 0)
        abort();
}

static void test_verify_clean(void)
{
    struct ss_buf out = SS_BUF_INIT((size_t)1 << 20);

    ASSERT_OK(seal_case(0));
    ASSERT_EQ(verify_case(&out), SS_EXIT_OK);
    ASSERT_TRUE(strstr(out.ptr, "verified: 3 inputs, 2 findings; signature valid;") != NULL);
    ASSERT_TRUE(strstr(out.ptr, "inputs re-hashed and evidence re-extracted") != NULL);
    {
        char *argv[] = { "verify", out_dir, "--case", case_dir, "--key", pub, "-v", NULL };

        ASSERT_EQ(run_captured(ss_cmd_verify, 7, argv, &out), SS_EXIT_OK);
        ASSERT_TRUE(strstr(out.ptr, "ok    evidence: all 4 evidence records re-extracted") != NULL);
        ASSERT_TRUE(strstr(out.ptr, "ok    inputs: all 3 inputs re-hashed") != NULL);
    }
    ss_buf_release(&out);
}

static void test_verify_input_mutations(void)
{
    static const char *const rel[3] = { "a.json", "logs/b.jsonl", "logs/c.jsonl.gz" };
    struct ss_buf out = SS_BUF_INIT((size_t)1 << 20);
    size_t n_flips = 0;

    ASSERT_OK(seal_case(0));
    for (int k = 0; k < 3; k++) {
        struct ss_buf orig = SS_BUF_INIT((size_t)1 << 20);
        char path[600], want[128];

        snprintf(path, sizeof(path), "%s/%s", case_dir, rel[k]);
        snprintf(want, sizeof(want), "FAIL  input '%s': modified:", rel[k]);
        ASSERT_OK(read_all(path, &orig));
        for (size_t i = 0; i < orig.len; i++) {
            int rc;

            orig.ptr[i] = (char)(orig.ptr[i] ^ 0x01);
            ASSERT_OK(write_file(path, orig.ptr, orig.len));
            orig.ptr[i] = (char)(orig.ptr[i] ^ 0x01);
            rc = verify_case(&out);
            if (rc != SS_EXIT_FAIL || strstr(out.ptr, want) == NULL) {
                fprintf(stderr, "flip %s byte %zu: rc %d\n%s", rel[k], i, rc, out.ptr);
                ASSERT_TRUE(false);
            }
            n_flips++;
        }
        ASSERT_OK(write_file(path, orig.ptr, orig.len));
        ss_buf_release(&orig);
    }
    ASSERT_TRUE(n_flips > 300);
    /* A missing input is named too. */
    {
        char path[600], moved[600];

        snprintf(path, sizeof(path), "%s/logs/b.jsonl", case_dir);
        snprintf(moved, sizeof(moved), "%s/b.jsonl.away", ss_test_tmpdir());
        ASSERT_OK(rename(path, moved));
        ASSERT_EQ(verify_case(&out), SS_EXIT_FAIL);
        ASSERT_TRUE(strstr(out.ptr, "FAIL  input 'logs/b.jsonl': missing from the case") != NULL);
        ASSERT_OK(rename(moved, path));
    }
    ASSERT_EQ(verify_case(&out), SS_EXIT_OK);
    ss_buf_release(&out);
}

static void test_verify_bad_evidence(void)
{
    struct ss_buf out = SS_BUF_INIT((size_t)1 << 20);
    char want[200];

    /* Evidence 2 of the first finding carries a digest that is not its record's. */
    ASSERT_OK(seal_case(1));
    ASSERT_EQ(verify_case(&out), SS_EXIT_FAIL);
    snprintf(want, sizeof(want), "FAIL  evidence 2 of finding %s: the record at byte", uid0);
    ASSERT_TRUE(strstr(out.ptr, want) != NULL);
    ASSERT_TRUE(strstr(out.ptr, "of 'a.json' differs") != NULL);
    ASSERT_TRUE(strstr(out.ptr, "verification FAILED: 1 problem in") != NULL);

    /* Evidence 3 points one byte past its record. */
    ASSERT_OK(seal_case(2));
    ASSERT_EQ(verify_case(&out), SS_EXIT_FAIL);
    snprintf(want, sizeof(want), "FAIL  evidence 3 of finding %s: no record", uid0);
    ASSERT_TRUE(strstr(out.ptr, want) != NULL);
    ASSERT_TRUE(strstr(out.ptr, "of 'logs/c.jsonl.gz'") != NULL);

    /* Without --case the seal itself is fine: the digests are only checked on the case. */
    {
        char *argv[] = { "verify", out_dir, "--key", pub, NULL };

        ASSERT_EQ(run_captured(ss_cmd_verify, 4, argv, &out), SS_EXIT_OK);
    }
    ASSERT_OK(seal_case(0));
    ss_buf_release(&out);
}

/* Parse the hex strings of a "proof": [...] list at @p into @ret. */
static size_t parse_proof(const char *p, uint8_t ret[][SS_SHA256_LEN], size_t max)
{
    size_t n = 0;

    p = strchr(p, '[');
    if (p == NULL)
        return 0;
    p++;
    while (*p != ']' && n < max) {
        const char *q = strchr(p, '"');

        if (q == NULL || ss_sha256_from_hex(q + 1, 64, ret[n]) != 0)
            return 0;
        n++;
        p = q + 66;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return n;
}

static void test_prove(void)
{
    struct ss_buf out = SS_BUF_INIT((size_t)1 << 20);
    struct ss_verify_report rep;
    struct ss_seal seal = { 0 };
    char prefix[8];
    uint8_t proof[64][SS_SHA256_LEN], leaf[SS_SHA256_LEN];
    const char *p;
    size_t n;

    ASSERT_OK(seal_case(0));
    snprintf(prefix, sizeof(prefix), "%.7s", uid0);
    {
        char *argv[] = { "prove", out_dir, "--finding", prefix, NULL };

        ASSERT_EQ(run_captured(ss_cmd_prove, 4, argv, &out), SS_EXIT_OK);
    }
    ASSERT_TRUE(strstr(out.ptr, uid0) != NULL);
    ss_verify_report_init(&rep);
    ASSERT_OK(ss_seal_verify(out_dir, pub, &seal, &rep));
    ASSERT_EQ(rep.n_fail, 0);
    /* Check the printed finding proof against the sealed root, as a third party would. */
    p = strstr(out.ptr, "\"leaf_hash\": \"");
    ASSERT_TRUE(p != NULL);
    ASSERT_OK(ss_sha256_from_hex(p + 14, 64, leaf));
    p = strstr(p, "\"proof\": ");
    n = parse_proof(p, proof, 64);
    ASSERT_EQ(n, 1);
    {
        uint64_t idx = strstr(out.ptr, "\"leaf_index\": 0,") != NULL ? 0 : 1;

        ASSERT_OK(ss_merkle_verify_inclusion(idx, 2, leaf, (const uint8_t(*)[SS_SHA256_LEN])proof,
                                             n, seal.findings_root, SS_SHA256_LEN));
    }
    /* The first cited input: a.json, leaf 0 of 3. */
    p = strstr(out.ptr, "{\"input\": 0, \"path\": \"a.json\"");
    ASSERT_TRUE(p != NULL);
    p = strstr(p, "\"leaf_hash\": \"");
    ASSERT_OK(ss_sha256_from_hex(p + 14, 64, leaf));
    n = parse_proof(strstr(p, "\"proof\": "), proof, 64);
    ASSERT_EQ(n, 2);
    ASSERT_OK(ss_merkle_verify_inclusion(0, 3, leaf, (const uint8_t(*)[SS_SHA256_LEN])proof, n,
                                         seal.inputs_root, SS_SHA256_LEN));
    ASSERT_TRUE(strstr(out.ptr, "\"path\": \"logs/c.jsonl.gz\"") != NULL);
    ASSERT_TRUE(strstr(out.ptr, "\"path\": \"logs/b.jsonl\"") == NULL);
    ss_seal_release(&seal);
    ss_verify_report_release(&rep);
    {
        char *argv[] = { "prove", out_dir, "--finding", "ffffffffffff", NULL };

        ASSERT_EQ(run_captured(ss_cmd_prove, 4, argv, &out), SS_EXIT_FAIL);
    }
    ss_buf_release(&out);
}

int main(void)
{
    setup();
    SS_RUN(test_verify_clean);
    SS_RUN(test_verify_input_mutations);
    SS_RUN(test_verify_bad_evidence);
    SS_RUN(test_prove);
    return ss_test_done();
}
