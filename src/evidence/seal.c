/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/seal.c - implements sealing a review: the canonical finding JSON and uids,
 * the inputs and findings Merkle trees, findings.jsonl, manifest.json and the DSSE
 * envelope of the in-toto statement (docs/evidence.md).
 *
 * findings.jsonl is streamed (one canonical finding a line, hashed as written) so the
 * memory of sealing is the leaf hashes plus manifest.json, whatever the findings weigh.
 * Files are renamed into place in the order findings.jsonl, manifest.json,
 * manifest.pub.pem, manifest.dsse.json: the envelope, which seals the others, comes last.
 */
#include "evidence/evidence.h"

#include "core/alloc.h"
#include "core/ss_time.h"
#include "evidence/dsse.h"
#include "evidence/evidence_int.h"
#include "evidence/jcs.h"
#include "evidence/merkle.h"

#include <unistd.h>

#define UID_DOMAIN "siloscope/finding-uid/v1"
#define MANIFEST_MAX_BYTES ((size_t)1 << 31)
#define FINDING_JSON_MAX ((size_t)256 << 20)
#define STATEMENT_MAX ((size_t)1 << 31)

/* ---- findings ---- */

static int uid_string(const struct ss_finding *f, unsigned repeat, struct ss_buf *b)
{
    int r = ss_buf_append(b, UID_DOMAIN, sizeof(UID_DOMAIN));

    r = r ? r : ss_buf_puts(b, f->check_id != NULL ? f->check_id : "");
    r = r ? r : ss_buf_putc(b, '\0');
    r = r ? r : ss_buf_put_u64(b, f->n_entities);
    for (size_t i = 0; r == 0 && i < f->n_entities; i++) {
        r = ss_buf_putc(b, '\0');
        r = r ? r : ss_buf_puts(b, f->entities[i] != NULL ? f->entities[i] : "");
    }
    r = r ? r : ss_buf_putc(b, '\0');
    if (r == 0 && f->n_evidence > 0) {
        const struct ss_loc *l = &f->evidence[0].loc;

        r = ss_buf_printf(b, "%" PRIu32 ":%" PRIu64 ":%" PRIu64, l->input, l->offset, l->len);
    } else if (r == 0) {
        r = ss_buf_putc(b, '-');
    }
    if (r == 0 && repeat >= 2) {
        r = ss_buf_putc(b, '\0');
        r = r ? r : ss_buf_put_u64(b, repeat);
    }
    return r;
}

static int uid_of(const struct ss_finding *f, unsigned repeat, char ret_uid[SS_FINDING_UID_SIZE])
{
    struct ss_buf b = SS_BUF_INIT(FINDING_JSON_MAX);
    uint8_t d[SS_SHA256_LEN];
    int r = uid_string(f, repeat, &b);

    if (r == 0)
        r = ss_sha256(b.ptr, b.len, d);
    ss_buf_release(&b);
    if (r == 0)
        ss_hex_encode(d, SS_FINDING_UID_LEN / 2, ret_uid);
    return r;
}

int ss_finding_uid(const struct ss_finding *f, char ret_uid[SS_FINDING_UID_SIZE])
{
    return uid_of(f, 1, ret_uid);
}

struct uid_ref {
    const char *uid;
    size_t index;
};

static int uid_ref_cmp(const void *pa, const void *pb)
{
    const struct uid_ref *a = pa, *b = pb;
    int c = strcmp(a->uid, b->uid);

    if (c != 0)
        return c;
    return a->index < b->index ? -1 : a->index > b->index ? 1 : 0;
}

/* Index of the first duplicate uid among @n, or n if all are unique; -ENOMEM as SIZE_MAX. */
static size_t find_duplicate(const char (*uids)[SS_FINDING_UID_SIZE], size_t n)
{
    struct uid_ref *refs;
    size_t dup = n;

    if (n < 2)
        return n;
    refs = ss_calloc(n, sizeof(*refs));
    if (refs == NULL)
        return SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        refs[i] = (struct uid_ref){ .uid = uids[i], .index = i };
    qsort(refs, n, sizeof(*refs), uid_ref_cmp);
    for (size_t i = 1; i < n && dup == n; i++) {
        if (strcmp(refs[i - 1].uid, refs[i].uid) == 0)
            dup = refs[i].index;
    }
    ss_free(refs);
    return dup;
}

int ss_findings_uids(const struct ss_findings *fs, char (*ret_uids)[SS_FINDING_UID_SIZE])
{
    char(*base)[SS_FINDING_UID_SIZE] = NULL;
    struct uid_ref *refs = NULL;
    size_t n = fs->len;
    int r = 0;

    if (n == 0)
        return 0;
    base = ss_calloc(n, sizeof(*base));
    refs = ss_calloc(n, sizeof(*refs));
    if (base == NULL || refs == NULL) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n && r == 0; i++) {
        r = uid_of(&fs->items[i], 1, base[i]);
        refs[i] = (struct uid_ref){ .uid = base[i], .index = i };
    }
    if (r < 0)
        goto out;
    qsort(refs, n, sizeof(*refs), uid_ref_cmp);
    /*
     * Within a run of equal uids (ordered by finding index) the k-th (k >= 2) gets the
     * uid of the string with repeat k. A derived uid colliding with another is
     * astronomically unlikely; ss_manifest_write still rejects duplicates.
     */
    for (size_t i = 0; i < n && r == 0;) {
        size_t j = i + 1;

        while (j < n && strcmp(refs[i].uid, refs[j].uid) == 0)
            j++;
        memcpy(ret_uids[refs[i].index], base[refs[i].index], SS_FINDING_UID_SIZE);
        for (size_t t = i + 1; t < j && r == 0; t++)
            r = uid_of(&fs->items[refs[t].index], (unsigned)(t - i + 1), ret_uids[refs[t].index]);
        i = j;
    }
out:
    ss_free(base);
    ss_free(refs);
    return r;
}

static int put_time_or_null(struct ss_buf *b, int64_t us)
{
    char t[SS_TIME_STR_MAX];

    if (us == 0)
        return ss_buf_puts(b, "null");
    ss_time_format(us, 6, t);
    return ss_jcs_put_cstr(b, t);
}

static int put_sha_or_null(struct ss_buf *b, bool has, const uint8_t d[SS_SHA256_LEN])
{
    char hex[SS_SHA256_HEX_SIZE];

    if (!has)
        return ss_buf_puts(b, "null");
    ss_sha256_hex(d, hex);
    return ss_jcs_put_cstr(b, hex);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0)
            return false;
    }
    return true;
}

int ss_finding_jcs(const struct ss_finding *f, const char *uid, struct ss_buf *out)
{
    char own_uid[SS_FINDING_UID_SIZE];
    size_t start = out->len;
    int r = 0;

    if (uid == NULL) {
        r = ss_finding_uid(f, own_uid);
        if (r < 0)
            return r;
        uid = own_uid;
    }
    r = ss_buf_puts(out, "{\"check_id\":");
    r = r ? r : ss_jcs_put_cstr(out, f->check_id);
    r = r ? r : ss_buf_puts(out, ",\"data\":");
    if (r == 0) {
        if (f->data_json != NULL && f->data_json[0] != '\0')
            r = ss_jcs_canonicalize(f->data_json, strlen(f->data_json), out, NULL);
        else
            r = ss_buf_puts(out, "null");
    }
    r = r ? r : ss_buf_puts(out, ",\"desc\":");
    r = r ? r : ss_jcs_put_cstr(out, f->desc);
    r = r ? r : ss_buf_puts(out, ",\"entities\":[");
    for (size_t i = 0; r == 0 && i < f->n_entities; i++) {
        if (i > 0)
            r = ss_buf_putc(out, ',');
        r = r ? r : ss_jcs_put_cstr(out, f->entities[i]);
    }
    r = r ? r : ss_buf_puts(out, "],\"evidence\":[");
    for (size_t i = 0; r == 0 && i < f->n_evidence; i++) {
        const struct ss_evidence *e = &f->evidence[i];

        r = ss_buf_puts(out, i > 0 ? ",{\"index\":" : "{\"index\":");
        r = r ? r : ss_jcs_put_u64(out, e->loc.index);
        r = r ? r : ss_buf_puts(out, ",\"input\":");
        r = r ? r : ss_jcs_put_u64(out, e->loc.input);
        r = r ? r : ss_buf_puts(out, ",\"len\":");
        r = r ? r : ss_jcs_put_u64(out, e->loc.len);
        r = r ? r : ss_buf_puts(out, ",\"offset\":");
        r = r ? r : ss_jcs_put_u64(out, e->loc.offset);
        r = r ? r : ss_buf_puts(out, ",\"sha256\":");
        r = r ? r : put_sha_or_null(out, !all_zero(e->sha256, SS_SHA256_LEN), e->sha256);
        r = r ? r : ss_buf_putc(out, '}');
    }
    r = r ? r : ss_buf_puts(out, "],\"evidence_total\":");
    r = r ? r : ss_jcs_put_u64(out, SS_MAX(f->n_evidence_total, (uint64_t)f->n_evidence));
    r = r ? r : ss_buf_puts(out, ",\"first_time\":");
    r = r ? r : put_time_or_null(out, f->first_us);
    r = r ? r : ss_buf_puts(out, ",\"last_time\":");
    r = r ? r : put_time_or_null(out, f->last_us);
    r = r ? r : ss_buf_puts(out, ",\"severity\":");
    r = r ? r : ss_jcs_put_cstr(out, ss_severity_name(f->severity));
    r = r ? r : ss_buf_puts(out, ",\"severity_id\":");
    r = r ? r : ss_buf_put_u64(out, (uint64_t)f->severity);
    r = r ? r : ss_buf_puts(out, ",\"title\":");
    r = r ? r : ss_jcs_put_cstr(out, f->title);
    r = r ? r : ss_buf_puts(out, ",\"uid\":");
    r = r ? r : ss_jcs_put_cstr(out, uid);
    r = r ? r : ss_buf_putc(out, '}');
    if (r < 0)
        ss_buf_truncate(out, start);
    return r;
}

int ss_manifest_input_leaf(const uint8_t sha256[SS_SHA256_LEN], const char *relpath,
                           uint8_t ret_leaf[SS_SHA256_LEN])
{
    struct ss_buf b = SS_BUF_INIT(SIZE_MAX / 2);
    int r = ss_buf_append(&b, sha256, SS_SHA256_LEN);

    r = r ? r : ss_buf_puts(&b, relpath);
    r = r ? r : ss_merkle_hash_leaf(b.ptr, b.len, ret_leaf);
    ss_buf_release(&b);
    return r;
}

/* ---- the statement ---- */

static int put_hex_field(struct ss_buf *b, const char *name, const char *hex)
{
    int r = ss_buf_puts(b, name);

    return r ? r : ss_jcs_put_cstr(b, hex);
}

int ss_evidence_statement(const struct ss_stmt *st, struct ss_buf *out)
{
    static const enum ss_severity sev_order[] = { SS_SEV_CRITICAL, SS_SEV_HIGH, SS_SEV_INFO,
                                                  SS_SEV_LOW, SS_SEV_MEDIUM };
    int r = ss_buf_puts(out, "{\"_type\":\"" SS_INTOTO_STATEMENT_TYPE "\",\"predicate\":{");

    r = r ? r : ss_buf_puts(out, "\"counts\":{\"bad_records\":");
    r = r ? r : ss_jcs_put_u64(out, st->n_bad_records);
    r = r ? r : ss_buf_puts(out, ",\"findings\":");
    r = r ? r : ss_jcs_put_u64(out, st->n_findings);
    r = r ? r : ss_buf_puts(out, ",\"inputs\":");
    r = r ? r : ss_jcs_put_u64(out, st->n_inputs);
    r = r ? r : ss_buf_puts(out, ",\"inputs_hashed\":");
    r = r ? r : ss_jcs_put_u64(out, st->n_inputs_hashed);
    r = r ? r : ss_buf_puts(out, ",\"records\":");
    r = r ? r : ss_jcs_put_u64(out, st->n_records);
    r = r ? r : ss_buf_puts(out, ",\"rule_files\":");
    r = r ? r : ss_jcs_put_u64(out, st->n_rule_files);
    r = r ? r : put_hex_field(out, "},\"findings_root\":", st->findings_root);
    r = r ? r : put_hex_field(out, ",\"findings_sha256\":", st->findings_sha256);
    r = r ? r : put_hex_field(out, ",\"finished\":", st->finished);
    r = r ? r : put_hex_field(out, ",\"inputs_root\":", st->inputs_root);
    r = r ? r : put_hex_field(out, ",\"manifest_sha256\":", st->manifest_sha256);
    r = r ? r : ss_buf_puts(out, ",\"merkle\":\"rfc6962-sha256\",\"severities\":{");
    for (size_t i = 0; r == 0 && i < SS_ARRAY_LEN(sev_order); i++) {
        r = i > 0 ? ss_buf_putc(out, ',') : 0;
        r = r ? r : ss_jcs_put_cstr(out, ss_severity_name(sev_order[i]));
        r = r ? r : ss_buf_putc(out, ':');
        r = r ? r : ss_jcs_put_u64(out, st->n_sev[sev_order[i]]);
    }
    r = r ? r : put_hex_field(out, "},\"started\":", st->started);
    r = r ? r : put_hex_field(out, ",\"tool\":{\"build\":", st->tool_build);
    r = r ? r : put_hex_field(out, ",\"name\":\"siloscope\",\"version\":", st->tool_version);
    r = r ? r : ss_buf_puts(out, "}},\"predicateType\":\"" SS_PREDICATE_TYPE "\",\"subject\":[");
    for (size_t i = 0, n = 0; r == 0 && i < st->n_stmt_inputs; i++) {
        char hex[SS_SHA256_HEX_SIZE];

        if (!st->inputs[i].has_sha256)
            continue;
        ss_sha256_hex(st->inputs[i].sha256, hex);
        r = ss_buf_puts(out,
                        n++ > 0 ? ",{\"digest\":{\"sha256\":\"" : "{\"digest\":{\"sha256\":\"");
        r = r ? r : ss_buf_puts(out, hex);
        r = r ? r : ss_buf_puts(out, "\"},\"name\":");
        r = r ? r : ss_jcs_put_cstr(out, st->inputs[i].relpath);
        r = r ? r : ss_buf_putc(out, '}');
    }
    r = r ? r : ss_buf_puts(out, "]}");
    return r;
}

/* ---- manifest.json ---- */

static int put_file_obj(struct ss_buf *b, const struct ss_manifest_file *f)
{
    char hex[SS_SHA256_HEX_SIZE];
    int r = ss_buf_puts(b, "{\"path\": ");

    ss_sha256_hex(f->sha256, hex);
    r = r ? r : ss_jcs_put_cstr(b, f->relpath);
    r = r ? r : ss_buf_puts(b, ", \"size\": ");
    r = r ? r : ss_jcs_put_u64(b, f->size_bytes);
    r = r ? r : ss_buf_puts(b, ", \"sha256\": ");
    r = r ? r : ss_jcs_put_cstr(b, hex);
    r = r ? r : ss_buf_putc(b, '}');
    return r;
}

static int put_str_or_null(struct ss_buf *b, const char *s)
{
    return s == NULL ? ss_buf_puts(b, "null") : ss_jcs_put_cstr(b, s);
}

struct manifest_totals {
    uint64_t n_hashed, n_records, n_bad;
    uint64_t n_sev[8];
};

static int put_manifest(const struct ss_manifest *m, const char *started, const char *finished,
                        const char *inputs_root, const char *findings_root,
                        const char *findings_sha256, uint64_t findings_size,
                        const uint8_t (*finding_leaves)[SS_SHA256_LEN],
                        const char (*uids)[SS_FINDING_UID_SIZE], const struct manifest_totals *t,
                        struct ss_buf *b, struct ss_diag *reterr_diag)
{
    size_t n_findings = m->findings != NULL ? m->findings->len : 0;
    int r = ss_buf_puts(b, "{\n  \"format\": \"" SS_MANIFEST_FORMAT "\",\n");

    r = r ? r : ss_buf_puts(b, "  \"tool\": {\"name\": \"siloscope\", \"version\": ");
    r = r ? r : put_str_or_null(b, m->tool_version);
    r = r ? r : ss_buf_puts(b, ", \"build\": ");
    r = r ? r : put_str_or_null(b, m->tool_build);
    r = r ? r : ss_buf_puts(b, "},\n  \"started\": ");
    r = r ? r : ss_jcs_put_cstr(b, started);
    r = r ? r : ss_buf_puts(b, ",\n  \"finished\": ");
    r = r ? r : ss_jcs_put_cstr(b, finished);
    r = r ? r : ss_buf_puts(b, ",\n  \"case_root\": ");
    r = r ? r : put_str_or_null(b, m->case_root);
    r = r ? r : ss_buf_puts(b, ",\n  \"params\": ");
    if (r == 0 && m->params_json != NULL) {
        r = ss_jcs_canonicalize(m->params_json, strlen(m->params_json), b, reterr_diag);
        if (r < 0)
            ss_diag_set_file(reterr_diag, "run parameters");
    } else if (r == 0) {
        r = ss_buf_puts(b, "null");
    }
    r = r ? r : ss_buf_puts(b, ",\n  \"policy\": ");
    r = r ? r : (m->policy != NULL ? put_file_obj(b, m->policy) : ss_buf_puts(b, "null"));
    r = r ? r : ss_buf_puts(b, ",\n  \"rule_files\": [");
    for (size_t i = 0; r == 0 && i < m->n_rule_files; i++) {
        r = ss_buf_puts(b, i > 0 ? ",\n    " : "\n    ");
        r = r ? r : put_file_obj(b, &m->rule_files[i]);
    }
    r = r ? r : ss_buf_puts(b, m->n_rule_files > 0 ? "\n  ],\n" : "],\n");
    r = r ? r : ss_buf_puts(b, "  \"hash\": \"sha256\",\n  \"merkle\": \"rfc6962\",\n");
    r = r ? r : ss_buf_puts(b, "  \"inputs_root\": ");
    r = r ? r : ss_jcs_put_cstr(b, inputs_root);
    r = r ? r : ss_buf_puts(b, ",\n  \"findings_root\": ");
    r = r ? r : ss_jcs_put_cstr(b, findings_root);
    r = r ? r : ss_buf_puts(b, ",\n  \"findings_file\": {\"path\": \"findings.jsonl\", \"size\": ");
    r = r ? r : ss_jcs_put_u64(b, findings_size);
    r = r ? r : ss_buf_puts(b, ", \"sha256\": ");
    r = r ? r : ss_jcs_put_cstr(b, findings_sha256);
    r = r ? r : ss_buf_puts(b, "},\n  \"counts\": {\"inputs\": ");
    r = r ? r : ss_jcs_put_u64(b, m->n_inputs);
    r = r ? r : ss_buf_puts(b, ", \"inputs_hashed\": ");
    r = r ? r : ss_jcs_put_u64(b, t->n_hashed);
    r = r ? r : ss_buf_puts(b, ", \"records\": ");
    r = r ? r : ss_jcs_put_u64(b, t->n_records);
    r = r ? r : ss_buf_puts(b, ", \"bad_records\": ");
    r = r ? r : ss_jcs_put_u64(b, t->n_bad);
    r = r ? r : ss_buf_puts(b, ", \"findings\": ");
    r = r ? r : ss_jcs_put_u64(b, n_findings);
    r = r ? r : ss_buf_puts(b, ", \"rule_files\": ");
    r = r ? r : ss_jcs_put_u64(b, m->n_rule_files);
    r = r ? r : ss_buf_puts(b, "},\n  \"severities\": {");
    for (int s = SS_SEV__COUNT - 1; r == 0 && s >= SS_SEV_INFO; s--) {
        r = ss_buf_puts(b, s < SS_SEV__COUNT - 1 ? ", \"" : "\"");
        r = r ? r : ss_buf_puts(b, ss_severity_name((enum ss_severity)s));
        r = r ? r : ss_buf_puts(b, "\": ");
        r = r ? r : ss_jcs_put_u64(b, t->n_sev[s]);
    }
    r = r ? r : ss_buf_puts(b, "},\n  \"inputs\": [");
    for (size_t i = 0; r == 0 && i < m->n_inputs; i++) {
        const struct ss_manifest_input *in = &m->inputs[i];

        r = ss_buf_puts(b, i > 0 ? ",\n    {\"path\": " : "\n    {\"path\": ");
        r = r ? r : ss_jcs_put_cstr(b, in->relpath);
        r = r ? r : ss_buf_puts(b, ", \"size\": ");
        r = r ? r : ss_jcs_put_u64(b, in->size_bytes);
        r = r ? r : ss_buf_puts(b, ", \"sha256\": ");
        r = r ? r : put_sha_or_null(b, in->has_sha256, in->sha256);
        r = r ? r : ss_buf_puts(b, ", \"kind\": ");
        r = r ? r : put_str_or_null(b, in->kind);
        r = r ? r : ss_buf_puts(b, ", \"compression\": ");
        r = r ? r : put_str_or_null(b, in->compression);
        r = r ? r : ss_buf_puts(b, ", \"records\": ");
        r = r ? r : ss_jcs_put_u64(b, in->n_records);
        r = r ? r : ss_buf_puts(b, ", \"bad_records\": ");
        r = r ? r : ss_jcs_put_u64(b, in->n_bad_records);
        r = r ? r : ss_buf_putc(b, '}');
    }
    r = r ? r
          : ss_buf_puts(b, m->n_inputs > 0 ? "\n  ],\n  \"findings\": [" : "],\n  \"findings\": [");
    for (size_t i = 0; r == 0 && i < n_findings; i++) {
        const struct ss_finding *f = &m->findings->items[i];
        char hex[SS_SHA256_HEX_SIZE];

        ss_sha256_hex(finding_leaves[i], hex);
        r = ss_buf_puts(b, i > 0 ? ",\n    {\"uid\": " : "\n    {\"uid\": ");
        r = r ? r : ss_jcs_put_cstr(b, uids[i]);
        r = r ? r : ss_buf_puts(b, ", \"check_id\": ");
        r = r ? r : ss_jcs_put_cstr(b, f->check_id);
        r = r ? r : ss_buf_puts(b, ", \"severity\": ");
        r = r ? r : ss_jcs_put_cstr(b, ss_severity_name(f->severity));
        r = r ? r : ss_buf_puts(b, ", \"leaf\": ");
        r = r ? r : ss_jcs_put_cstr(b, hex);
        r = r ? r : ss_buf_putc(b, '}');
    }
    r = r ? r : ss_buf_puts(b, n_findings > 0 ? "\n  ]\n}\n" : "]\n}\n");
    return r;
}

static int diag_io(struct ss_diag *d, int r, const char *dir, const char *name)
{
    char path[SS_DIAG_FILE_MAX];

    if (r == -ENOMEM)
        return r;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (d != NULL && d->code != 0) {
        ss_diag_set_file(d, path);
        return r;
    }
    return ss_diag_set(d, r, path, 0, 0, UINT64_MAX, "%s", ss_strerror(r));
}

int ss_manifest_write(const struct ss_manifest *m, const char *out_dir, const char *key_path,
                      struct ss_manifest_result *ret, struct ss_diag *reterr_diag)
{
    struct ss_manifest_result res = { 0 };
    struct ss_key *key = NULL;
    char(*uids)[SS_FINDING_UID_SIZE] = NULL;
    const char(*use_uids)[SS_FINDING_UID_SIZE] = m->finding_uids;
    uint8_t(*in_leaves)[SS_SHA256_LEN] = NULL;
    uint8_t(*f_leaves)[SS_SHA256_LEN] = NULL;
    struct ss_stmt_input *sin = NULL;
    struct ss_buf line = SS_BUF_INIT(FINDING_JSON_MAX);
    struct ss_buf man = SS_BUF_INIT(MANIFEST_MAX_BYTES);
    struct ss_buf stmt = SS_BUF_INIT(STATEMENT_MAX);
    struct ss_buf env = SS_BUF_INIT(SIZE_MAX / 2);
    struct ss_buf pem = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    struct ss_evidence_out fo = { .fd = -1 };
    struct ss_sha256 fh = { 0 };
    struct ss_caselog_state log = { 0 };
    struct ss_verify_report log_rep;
    struct manifest_totals t = { 0 };
    uint8_t d[SS_SHA256_LEN];
    char started[SS_TIME_STR_MAX], finished[SS_TIME_STR_MAX];
    char findings_sha[SS_SHA256_HEX_SIZE];
    size_t n_findings = m->findings != NULL ? m->findings->len : 0;
    uint64_t findings_size = 0;
    int r;

    ss_verify_report_init(&log_rep);
    /* The key first: a bad key must fail before anything is written. */
    if (key_path != NULL) {
        r = ss_key_load(key_path, true, &key, reterr_diag);
        if (r < 0)
            goto out;
        r = ss_key_id(key, res.key_id);
        if (r < 0)
            goto out;
        res.is_signed = true;
    }
    /* The case log too: a log that does not verify must not be extended. */
    r = ss_caselog_check(out_dir, key, &log, &log_rep);
    if (r < 0)
        goto out;
    if (!log.ok) {
        for (size_t i = 0; i < log_rep.n_items; i++) {
            const struct ss_verify_item *it = &log_rep.items[i];

            if (it->status == SS_VERIFY_FAIL) {
                r = ss_diag_set(reterr_diag, SS_ECORRUPT, NULL, 0, 0, UINT64_MAX,
                                "%s: %s; move '%s/caselog' away to start a new case log", it->item,
                                it->msg, out_dir);
                break;
            }
        }
        if (r == 0)
            r = ss_diag_set(reterr_diag, SS_ECORRUPT, NULL, 0, 0, UINT64_MAX,
                            "the case log in '%s' does not verify", out_dir);
        goto out;
    }
    if ((uint64_t)m->n_inputs > SS_MERKLE_MAX_LEAVES ||
        (uint64_t)n_findings > SS_MERKLE_MAX_LEAVES) {
        r = ss_diag_set(reterr_diag, SS_ELIMIT, out_dir, 0, 0, UINT64_MAX,
                        "too many inputs or findings to seal");
        goto out;
    }
    in_leaves = ss_calloc(m->n_inputs + 1, SS_SHA256_LEN);
    f_leaves = ss_calloc(n_findings + 1, SS_SHA256_LEN);
    sin = ss_calloc(m->n_inputs + 1, sizeof(*sin));
    if (in_leaves == NULL || f_leaves == NULL || sin == NULL) {
        r = -ENOMEM;
        goto out;
    }
    if (use_uids == NULL && n_findings > 0) {
        uids = ss_calloc(n_findings, sizeof(*uids));
        if (uids == NULL) {
            r = -ENOMEM;
            goto out;
        }
        r = ss_findings_uids(m->findings, uids);
        if (r < 0)
            goto out;
        use_uids = (const char(*)[SS_FINDING_UID_SIZE])uids;
    }
    if (n_findings > 0) {
        size_t dup = find_duplicate(use_uids, n_findings);

        if (dup == SIZE_MAX) {
            r = -ENOMEM;
            goto out;
        }
        if (dup < n_findings) {
            r = ss_diag_set(reterr_diag, -EINVAL, NULL, 0, 0, UINT64_MAX,
                            "duplicate finding uid '%s' (use ss_findings_uids)", use_uids[dup]);
            goto out;
        }
    }

    /* Inputs tree. */
    for (size_t i = 0; i < m->n_inputs; i++) {
        static const uint8_t zero[SS_SHA256_LEN];
        const struct ss_manifest_input *in = &m->inputs[i];

        r = ss_manifest_input_leaf(in->has_sha256 ? in->sha256 : zero, in->relpath, in_leaves[i]);
        if (r < 0)
            goto out;
        sin[i] = (struct ss_stmt_input){ .relpath = in->relpath,
                                         .has_sha256 = in->has_sha256,
                                         .sha256 = in->sha256 };
        t.n_hashed += in->has_sha256 ? 1 : 0;
        t.n_records += in->n_records;
        t.n_bad += in->n_bad_records;
    }
    r = ss_merkle_root((const uint8_t(*)[SS_SHA256_LEN])in_leaves, m->n_inputs, d);
    if (r < 0)
        goto out;
    ss_sha256_hex(d, res.inputs_root);

    /* Findings tree, streaming findings.jsonl. */
    r = ss_sha256_init(&fh);
    if (r == 0)
        r = ss_evidence_out_open(&fo, out_dir, "findings.jsonl", 0644);
    if (r < 0) {
        diag_io(reterr_diag, r, out_dir, "findings.jsonl");
        goto out;
    }
    for (size_t i = 0; i < n_findings; i++) {
        const struct ss_finding *f = &m->findings->items[i];

        ss_buf_reset(&line);
        r = ss_finding_jcs(f, use_uids[i], &line);
        if (r < 0) {
            ss_diag_set(reterr_diag, r, NULL, 0, 0, UINT64_MAX,
                        "cannot write finding '%s' of check '%s' canonically", use_uids[i],
                        f->check_id != NULL ? f->check_id : "");
            goto out;
        }
        r = ss_merkle_hash_leaf(line.ptr, line.len, f_leaves[i]);
        if (r == 0)
            r = ss_buf_putc(&line, '\n');
        if (r < 0)
            goto out;
        ss_sha256_update(&fh, line.ptr, line.len);
        ss_evidence_out_write(&fo, line.ptr, line.len);
        findings_size += line.len;
        if (f->severity >= SS_SEV_INFO && f->severity < SS_SEV__COUNT)
            t.n_sev[f->severity]++;
    }
    r = ss_sha256_final(&fh, d);
    if (r < 0)
        goto out;
    ss_sha256_hex(d, findings_sha);
    r = ss_merkle_root((const uint8_t(*)[SS_SHA256_LEN])f_leaves, n_findings, d);
    if (r < 0)
        goto out;
    ss_sha256_hex(d, res.findings_root);

    /* manifest.json */
    ss_time_format(m->started_us, 6, started);
    ss_time_format(m->finished_us, 6, finished);
    r = put_manifest(m, started, finished, res.inputs_root, res.findings_root, findings_sha,
                     findings_size, (const uint8_t(*)[SS_SHA256_LEN])f_leaves, use_uids, &t, &man,
                     reterr_diag);
    if (r < 0)
        goto out;
    r = ss_sha256(man.ptr, man.len, d);
    if (r < 0)
        goto out;
    ss_sha256_hex(d, res.manifest_sha256);

    /* The statement and its envelope. */
    {
        struct ss_stmt st = {
            .tool_version = m->tool_version != NULL ? m->tool_version : "",
            .tool_build = m->tool_build != NULL ? m->tool_build : "",
            .started = started,
            .finished = finished,
            .inputs_root = res.inputs_root,
            .findings_root = res.findings_root,
            .manifest_sha256 = res.manifest_sha256,
            .findings_sha256 = findings_sha,
            .n_inputs = m->n_inputs,
            .n_inputs_hashed = t.n_hashed,
            .n_records = t.n_records,
            .n_bad_records = t.n_bad,
            .n_findings = n_findings,
            .n_rule_files = m->n_rule_files,
            .inputs = sin,
            .n_stmt_inputs = m->n_inputs,
        };

        memcpy(st.n_sev, t.n_sev, sizeof(st.n_sev));
        r = ss_evidence_statement(&st, &stmt);
    }
    if (r == 0)
        r = ss_dsse_write(key, SS_DSSE_PAYLOAD_TYPE, (const uint8_t *)stmt.ptr, stmt.len, &env);
    if (r == 0 && key != NULL)
        r = ss_key_public_pem(key, &pem);
    if (r < 0)
        goto out;

    /* Publish; the envelope last. */
    r = ss_evidence_out_commit(&fo);
    if (r < 0) {
        diag_io(reterr_diag, r, out_dir, "findings.jsonl");
        goto out;
    }
    r = ss_evidence_write_atomic(out_dir, "manifest.json", man.ptr, man.len, 0644);
    if (r < 0) {
        diag_io(reterr_diag, r, out_dir, "manifest.json");
        goto out;
    }
    if (key != NULL) {
        r = ss_evidence_write_atomic(out_dir, "manifest.pub.pem", pem.ptr, pem.len, 0644);
        if (r < 0) {
            diag_io(reterr_diag, r, out_dir, "manifest.pub.pem");
            goto out;
        }
    } else {
        char stale[4096];

        /* A key left by an earlier signed run would not belong to this seal. */
        if ((size_t)snprintf(stale, sizeof(stale), "%s/manifest.pub.pem", out_dir) < sizeof(stale))
            (void)unlink(stale);
    }
    r = ss_evidence_write_atomic(out_dir, "manifest.dsse.json", env.ptr, env.len, 0644);
    if (r < 0) {
        diag_io(reterr_diag, r, out_dir, "manifest.dsse.json");
        goto out;
    }

    /* The case log: this review as the next entry, with a checkpoint. */
    {
        struct ss_caselog_entry e = { 0 };
        uint8_t root[SS_SHA256_LEN];

        r = ss_sha256(man.ptr, man.len, e.manifest_sha256);
        r = r ? r : ss_sha256(stmt.ptr, stmt.len, e.statement_sha256);
        r = r ? r : ss_sha256_from_hex(res.inputs_root, 64, e.inputs_root);
        r = r ? r : ss_sha256_from_hex(res.findings_root, 64, e.findings_root);
        if (r < 0)
            goto out;
        snprintf(e.started, sizeof(e.started), "%s", started);
        snprintf(e.finished, sizeof(e.finished), "%s", finished);
        memcpy(e.key_id, res.key_id, sizeof(e.key_id));
        r = ss_caselog_append(out_dir, &log, &e, key, &res.log_size, root, reterr_diag);
        if (r < 0)
            goto out;
        ss_sha256_hex(root, res.log_root);
    }
    *ret = res;
out:
    ss_evidence_out_abort(&fo);
    ss_sha256_release(&fh);
    ss_caselog_state_release(&log);
    ss_verify_report_release(&log_rep);
    ss_key_free(key);
    ss_free(uids);
    ss_free(in_leaves);
    ss_free(f_leaves);
    ss_free(sin);
    ss_buf_release(&line);
    ss_buf_release(&man);
    ss_buf_release(&stmt);
    ss_buf_release(&env);
    ss_buf_release(&pem);
    return r;
}
