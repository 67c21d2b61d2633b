/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/bundle.c - implements reading a sealed output directory back: verification
 * of the envelope, signature, manifest, findings file and both Merkle roots, and the
 * proof document of one finding (docs/evidence.md, "Verification" and "Proofs").
 *
 * The envelope is checked against the manifest by regenerating the statement from what
 * manifest.json says and comparing bytes, and the manifest is bound to the statement by
 * its SHA-256; so any change to any byte of manifest.json, manifest.dsse.json or
 * findings.jsonl is caught and named, with or without a signature.
 */
#include "evidence/evidence.h"

#include "core/alloc.h"
#include "core/parse.h"
#include "evidence/dsse.h"
#include "evidence/evidence_int.h"
#include "evidence/jcs.h"
#include "evidence/merkle.h"
#include "json/json.h"

#include <sys/stat.h>

#define MANIFEST_MAX_BYTES ((size_t)1 << 30)
#define FINDINGS_MAX_BYTES ((size_t)1 << 34)
#define MAX_LIST ((uint64_t)1 << 26)

/*
 * Room for element @n of the array @items (elements of @size bytes, capacity *@cap,
 * doubling from @first). Sets *@ret_items to the array, moved or not, and returns 0; or
 * returns -ENOMEM and leaves @items and *@cap as they were.
 */
static int list_reserve(void *items, size_t size, size_t n, size_t first, size_t *cap,
                        void **ret_items)
{
    size_t ncap;
    void *p;

    if (n < *cap) {
        *ret_items = items;
        return 0;
    }
    ncap = *cap == 0 ? first : 2 * *cap;
    p = ss_reallocarray(items, ncap, size);
    if (p == NULL)
        return -ENOMEM;
    *cap = ncap;
    *ret_items = p;
    return 0;
}

/* ---- report ---- */

void ss_verify_report_init(struct ss_verify_report *rep)
{
    *rep = (struct ss_verify_report){ 0 };
}

void ss_verify_report_release(struct ss_verify_report *rep)
{
    ss_free(rep->items);
    *rep = (struct ss_verify_report){ 0 };
}

void ss_verify_report_add(struct ss_verify_report *rep, enum ss_verify_status status,
                          const char *item, const char *fmt, ...)
{
    size_t max = rep->max_items != 0 ? rep->max_items : 100000;
    struct ss_verify_item *it;
    void *p;
    va_list ap;

    if (status == SS_VERIFY_FAIL)
        rep->n_fail++;
    else if (status == SS_VERIFY_WARN)
        rep->n_warn++;
    else
        rep->n_ok++;
    if (rep->n_items >= max) {
        rep->n_dropped++;
        return;
    }
    if (list_reserve(rep->items, sizeof(*rep->items), rep->n_items, 32, &rep->cap, &p) < 0) {
        rep->n_dropped++;
        return;
    }
    rep->items = p;
    it = &rep->items[rep->n_items++];
    it->status = status;
    snprintf(it->item, sizeof(it->item), "%s", item);
    va_start(ap, fmt);
    vsnprintf(it->msg, sizeof(it->msg), fmt, ap);
    va_end(ap);
}

/* ---- seal ---- */

void ss_seal_release(struct ss_seal *s)
{
    for (size_t i = 0; s->inputs != NULL && i < s->n_inputs; i++)
        ss_free(s->inputs[i].relpath);
    for (size_t i = 0; s->findings != NULL && i < s->n_findings; i++) {
        ss_free(s->findings[i].check_id);
        ss_free(s->findings[i].evidence);
        ss_free(s->findings[i].jcs);
    }
    ss_free(s->inputs);
    ss_free(s->findings);
    ss_free(s->out_dir);
    ss_free(s->tool_version);
    ss_free(s->started);
    ss_free(s->finished);
    *s = (struct ss_seal){ 0 };
}

/* ---- JSON helpers ---- */

/* The string at @path of @v as an owned C string; SS_ESYNTAX if not a string. */
static int jstr_in(const struct ss_json_val *v, const char *path, char **ret)
{
    struct ss_json_val s;
    struct ss_buf b = SS_BUF_INIT(SS_JSON_DEFAULT_MAX_STRING);
    int r = ss_evidence_json_get(v->ptr, v->len, path, &s);

    if (r == 0 && s.type != SS_JSON_STRING)
        r = SS_ESYNTAX;
    if (r == 0)
        r = ss_json_unescape(&s, &b);
    if (r == 0) {
        *ret = ss_buf_detach(&b);
        if (*ret == NULL)
            r = -ENOMEM;
    }
    ss_buf_release(&b);
    return r;
}

static int ju64_in(const struct ss_json_val *v, const char *path, uint64_t *ret)
{
    struct ss_json_val n;
    int r = ss_evidence_json_get(v->ptr, v->len, path, &n);

    if (r == 0 && n.type != SS_JSON_NUMBER)
        r = SS_ESYNTAX;
    return r == 0 ? ss_parse_u64(n.ptr, n.len, ret) : r;
}

/* A sha256 hex string at @path, or null (has = false). */
static int jsha_in(const struct ss_json_val *v, const char *path, bool *has,
                   uint8_t out[SS_SHA256_LEN])
{
    struct ss_json_val s;
    char hex[80];
    long long n;
    int r = ss_evidence_json_get(v->ptr, v->len, path, &s);

    if (r < 0)
        return r;
    if (s.type == SS_JSON_NULL && has != NULL) {
        *has = false;
        memset(out, 0, SS_SHA256_LEN);
        return 0;
    }
    if (s.type != SS_JSON_STRING)
        return SS_ESYNTAX;
    n = ss_json_str_copy(&s, hex, sizeof(hex));
    if (n < 0 || (size_t)n >= sizeof(hex))
        return SS_ESYNTAX;
    r = ss_sha256_from_hex(hex, (size_t)n, out);
    if (r == 0 && has != NULL)
        *has = true;
    return r;
}

static struct ss_json_val whole(const char *text, size_t len)
{
    size_t s = ss_json_skip_ws(text, len, 0), e = len;

    while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\n' || text[e - 1] == '\r' ||
                     text[e - 1] == '\t'))
        e--;
    return (struct ss_json_val){ .type = s < e && text[s] == '{' ? SS_JSON_OBJECT : SS_JSON_MISSING,
                                 .ptr = text + s,
                                 .len = e - s };
}

/* ---- the manifest as read ---- */

struct manifest_view {
    char *tool_version, *tool_build, *started, *finished;
    uint8_t inputs_root[SS_SHA256_LEN], findings_root[SS_SHA256_LEN];
    uint8_t findings_sha[SS_SHA256_LEN];
    uint64_t findings_size;
    uint64_t c_inputs, c_hashed, c_records, c_bad, c_findings, c_rules;
    uint64_t sev[8];
};

static void view_release(struct manifest_view *v)
{
    ss_free(v->tool_version);
    ss_free(v->tool_build);
    ss_free(v->started);
    ss_free(v->finished);
}

static int parse_inputs(const struct ss_json_val *doc, struct ss_seal *s, const char **step)
{
    struct ss_json_val arr, el;
    size_t cursor = 0, n = 0, cap = 0;
    int r;

    *step = "'inputs' is not a list of inputs";
    r = ss_evidence_json_get(doc->ptr, doc->len, "inputs", &arr);
    if (r == 0 && arr.type != SS_JSON_ARRAY)
        r = SS_ESYNTAX;
    while (r == 0) {
        struct ss_seal_input *in;
        void *p;

        r = ss_json_iter_next(&arr, &cursor, NULL, &el);
        if (r <= 0)
            break;
        r = 0;
        if (n >= MAX_LIST) {
            r = SS_ELIMIT;
            break;
        }
        r = list_reserve(s->inputs, sizeof(*s->inputs), n, 64, &cap, &p);
        if (r < 0)
            break;
        s->inputs = p;
        in = &s->inputs[n];
        *in = (struct ss_seal_input){ 0 };
        s->n_inputs = ++n;
        if (el.type != SS_JSON_OBJECT) {
            r = SS_ESYNTAX;
            break;
        }
        r = jstr_in(&el, "path", &in->relpath);
        r = r ? r : ju64_in(&el, "size", &in->size_bytes);
        r = r ? r : jsha_in(&el, "sha256", &in->has_sha256, in->sha256);
    }
    return r;
}

static int parse_findings(const struct ss_json_val *doc, struct ss_seal *s, const char **step)
{
    struct ss_json_val arr, el;
    size_t cursor = 0, n = 0, cap = 0;
    int r;

    *step = "'findings' is not a list of findings";
    r = ss_evidence_json_get(doc->ptr, doc->len, "findings", &arr);
    if (r == 0 && arr.type != SS_JSON_ARRAY)
        r = SS_ESYNTAX;
    while (r == 0) {
        struct ss_seal_finding *f;
        char *uid = NULL;
        void *p;

        r = ss_json_iter_next(&arr, &cursor, NULL, &el);
        if (r <= 0)
            break;
        r = 0;
        if (n >= MAX_LIST) {
            r = SS_ELIMIT;
            break;
        }
        r = list_reserve(s->findings, sizeof(*s->findings), n, 64, &cap, &p);
        if (r < 0)
            break;
        s->findings = p;
        f = &s->findings[n];
        *f = (struct ss_seal_finding){ 0 };
        s->n_findings = ++n;
        if (el.type != SS_JSON_OBJECT) {
            r = SS_ESYNTAX;
            break;
        }
        r = jstr_in(&el, "uid", &uid);
        if (r == 0 && strlen(uid) != SS_FINDING_UID_LEN)
            r = SS_ESYNTAX;
        if (r == 0)
            memcpy(f->uid, uid, SS_FINDING_UID_SIZE);
        ss_free(uid);
        r = r ? r : jstr_in(&el, "check_id", &f->check_id);
        r = r ? r : jsha_in(&el, "leaf", NULL, f->leaf);
    }
    return r;
}

static int parse_manifest(const char *text, size_t len, struct ss_seal *s, struct manifest_view *v,
                          struct ss_diag *d, const char **step)
{
    struct ss_json_limits lim = ss_json_limits_default;
    struct ss_json_val doc, fmt;
    static const char *const sev_path[8] = {
        [SS_SEV_INFO] = "severities.informational", [SS_SEV_LOW] = "severities.low",
        [SS_SEV_MEDIUM] = "severities.medium",      [SS_SEV_HIGH] = "severities.high",
        [SS_SEV_CRITICAL] = "severities.critical",
    };
    int r;

    lim.max_record_bytes = MANIFEST_MAX_BYTES;
    lim.max_members = MAX_LIST;
    *step = "not valid JSON";
    r = ss_json_validate(text, len, &lim, d);
    if (r < 0)
        return r;
    doc = whole(text, len);
    *step = "not a siloscope manifest ('format')";
    r = ss_evidence_json_get(doc.ptr, doc.len, "format", &fmt);
    if (r < 0 || !ss_json_str_eq(&fmt, SS_MANIFEST_FORMAT, strlen(SS_MANIFEST_FORMAT), false))
        return SS_ESYNTAX;
    *step = "missing or bad fields in the header";
    r = jstr_in(&doc, "tool.version", &v->tool_version);
    r = r ? r : jstr_in(&doc, "tool.build", &v->tool_build);
    r = r ? r : jstr_in(&doc, "started", &v->started);
    r = r ? r : jstr_in(&doc, "finished", &v->finished);
    r = r ? r : jsha_in(&doc, "inputs_root", NULL, v->inputs_root);
    r = r ? r : jsha_in(&doc, "findings_root", NULL, v->findings_root);
    r = r ? r : jsha_in(&doc, "findings_file.sha256", NULL, v->findings_sha);
    r = r ? r : ju64_in(&doc, "findings_file.size", &v->findings_size);
    r = r ? r : ju64_in(&doc, "counts.inputs", &v->c_inputs);
    r = r ? r : ju64_in(&doc, "counts.inputs_hashed", &v->c_hashed);
    r = r ? r : ju64_in(&doc, "counts.records", &v->c_records);
    r = r ? r : ju64_in(&doc, "counts.bad_records", &v->c_bad);
    r = r ? r : ju64_in(&doc, "counts.findings", &v->c_findings);
    r = r ? r : ju64_in(&doc, "counts.rule_files", &v->c_rules);
    for (int i = SS_SEV_INFO; r == 0 && i < SS_SEV__COUNT; i++)
        r = ju64_in(&doc, sev_path[i], &v->sev[i]);
    if (r < 0)
        return r;
    r = parse_inputs(&doc, s, step);
    if (r == 0)
        r = parse_findings(&doc, s, step);
    return r;
}

/* ---- findings.jsonl ---- */

static int parse_evidence(const struct ss_json_val *line, struct ss_seal_finding *f)
{
    struct ss_json_val arr, el;
    size_t cursor = 0, cap = 0;
    int r = ss_evidence_json_get(line->ptr, line->len, "evidence", &arr);

    if (r == 0 && arr.type != SS_JSON_ARRAY)
        r = SS_ESYNTAX;
    while (r == 0) {
        struct ss_seal_evidence *e;
        uint64_t input = 0;
        void *p;

        r = ss_json_iter_next(&arr, &cursor, NULL, &el);
        if (r <= 0)
            break;
        r = 0;
        r = list_reserve(f->evidence, sizeof(*f->evidence), f->n_evidence, 8, &cap, &p);
        if (r < 0)
            break;
        f->evidence = p;
        e = &f->evidence[f->n_evidence++];
        *e = (struct ss_seal_evidence){ 0 };
        if (el.type != SS_JSON_OBJECT) {
            r = SS_ESYNTAX;
            break;
        }
        r = ju64_in(&el, "input", &input);
        if (r == 0 && input > UINT32_MAX)
            r = SS_ESYNTAX;
        e->input = (uint32_t)input;
        r = r ? r : ju64_in(&el, "offset", &e->offset);
        r = r ? r : ju64_in(&el, "len", &e->len);
        r = r ? r : ju64_in(&el, "index", &e->index);
        r = r ? r : jsha_in(&el, "sha256", &e->has_sha256, e->sha256);
    }
    return r;
}

static void check_findings_file(const char *text, size_t text_len, struct ss_seal *s,
                                const struct manifest_view *v, struct ss_verify_report *rep)
{
    char uid_item[64 + SS_FINDING_UID_SIZE];
    uint8_t d[SS_SHA256_LEN];
    size_t pos = 0, n_lines = 0, n_bad = 0;
    int r;

    if (text == NULL) {
        ss_verify_report_add(rep, SS_VERIFY_FAIL, "findings.jsonl", "cannot read the file");
        return;
    }
    r = ss_sha256(text, text_len, d);
    if (r == 0 && (memcmp(d, v->findings_sha, SS_SHA256_LEN) != 0 || text_len != v->findings_size))
        ss_verify_report_add(rep, SS_VERIFY_FAIL, "findings.jsonl",
                             "modified after sealing: SHA-256 or size differs from manifest.json");
    else if (r == 0)
        ss_verify_report_add(rep, SS_VERIFY_OK, "findings.jsonl", "SHA-256 matches manifest.json");
    while (pos < text_len) {
        const char *nl = memchr(text + pos, '\n', text_len - pos);
        size_t end = nl != NULL ? (size_t)(nl - text) : text_len;
        struct ss_json_val line = { .type = SS_JSON_OBJECT, .ptr = text + pos, .len = end - pos };
        struct ss_seal_finding *f;
        struct ss_json_val u;
        uint8_t leaf[SS_SHA256_LEN];

        n_lines++;
        pos = end + 1;
        if (n_lines > s->n_findings) {
            continue;
        }
        f = &s->findings[n_lines - 1];
        snprintf(uid_item, sizeof(uid_item), "finding %s", f->uid);
        r = ss_merkle_hash_leaf(line.ptr, line.len, leaf);
        if (r < 0)
            break;
        if (memcmp(leaf, f->leaf, SS_SHA256_LEN) != 0) {
            ss_verify_report_add(rep, SS_VERIFY_FAIL, uid_item,
                                 "line %zu of findings.jsonl does not hash to the sealed leaf",
                                 n_lines);
            n_bad++;
            continue;
        }
        /* The leaf matches, so the line is what was sealed; read its evidence. */
        if (ss_json_validate(line.ptr, line.len, NULL, NULL) != 0 ||
            ss_evidence_json_get(line.ptr, line.len, "uid", &u) != 0 ||
            !ss_json_str_eq(&u, f->uid, SS_FINDING_UID_LEN, false) ||
            parse_evidence(&line, f) != 0) {
            ss_free(f->evidence);
            f->evidence = NULL;
            f->n_evidence = 0;
            ss_verify_report_add(rep, SS_VERIFY_FAIL, uid_item,
                                 "line %zu of findings.jsonl is not the finding's JSON", n_lines);
            n_bad++;
            continue;
        }
        f->jcs = ss_strndup(line.ptr, line.len);
        f->jcs_len = line.len;
        if (f->jcs == NULL)
            break;
    }
    if (n_lines != s->n_findings)
        ss_verify_report_add(rep, SS_VERIFY_FAIL, "findings.jsonl",
                             "%zu lines for %zu sealed findings", n_lines, s->n_findings);
    else if (n_bad == 0 && s->n_findings > 0)
        ss_verify_report_add(rep, SS_VERIFY_OK, "findings",
                             "all %zu findings hash to their sealed leaves", s->n_findings);
}

/* ---- envelope and signature ---- */

/* How the public key was obtained, for the verdicts. */
struct key_src {
    const struct ss_key *key; /* NULL: none usable */
    const char *label;        /* the key file as named in verdicts */
    bool demanded;            /* the caller asked for a signature check (--key) */
    bool from_dir;            /* the key is OUT/manifest.pub.pem */
};

static void check_signature(const struct key_src *ks, const struct ss_dsse *env, struct ss_seal *s,
                            struct ss_verify_report *rep)
{
    char id[SS_SHA256_HEX_SIZE];
    int r;

    s->is_signed = env->n_sigs > 0;
    if (!s->is_signed) {
        ss_verify_report_add(rep, ks->demanded ? SS_VERIFY_FAIL : SS_VERIFY_WARN, "signature",
                             "the review is sealed but unsigned%s",
                             ks->demanded ? ", but a key to check was given" : "");
        return;
    }
    if (ks->key == NULL) {
        if (!ks->demanded)
            ss_verify_report_add(rep, SS_VERIFY_WARN, "signature",
                                 "not checked: no public key (pass --key, or keep "
                                 "manifest.pub.pem in the output)");
        return; /* an unusable key was reported where it was loaded */
    }
    r = ss_key_id(ks->key, id);
    if (r < 0) {
        ss_verify_report_add(rep, SS_VERIFY_FAIL, "signature", "%s", ss_strerror(r));
        return;
    }
    memcpy(s->key_id, id, sizeof(id));
    s->key_from_dir = ks->from_dir;
    for (size_t i = 0; i < env->n_sigs; i++) {
        if (strcmp(env->sigs[i].keyid, id) != 0)
            continue;
        r = ss_dsse_verify_sig(env, i, ks->key);
        if (r == 0) {
            s->signature_ok = true;
            ss_verify_report_add(rep, SS_VERIFY_OK, "signature", "Ed25519 signature by key %s%s",
                                 id,
                                 ks->from_dir ? " (key taken from manifest.pub.pem; pass --key "
                                                "to check who signed)"
                                              : "");
        } else {
            ss_verify_report_add(rep, SS_VERIFY_FAIL, "signature",
                                 "the signature by key %s does not verify", id);
        }
        return;
    }
    ss_verify_report_add(rep, SS_VERIFY_FAIL, "signature",
                         "no signature by key %s (%s); the envelope names key %.64s", id, ks->label,
                         env->sigs[0].keyid);
}

static int regenerate_statement(const struct ss_seal *s, const struct manifest_view *v,
                                const char *manifest_hex, struct ss_buf *out)
{
    struct ss_stmt_input *sin = ss_calloc(s->n_inputs + 1, sizeof(*sin));
    char ir[SS_SHA256_HEX_SIZE], fr[SS_SHA256_HEX_SIZE], fsha[SS_SHA256_HEX_SIZE];
    struct ss_stmt st;
    int r;

    if (sin == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < s->n_inputs; i++)
        sin[i] = (struct ss_stmt_input){ .relpath = s->inputs[i].relpath,
                                         .has_sha256 = s->inputs[i].has_sha256,
                                         .sha256 = s->inputs[i].sha256 };
    ss_sha256_hex(v->inputs_root, ir);
    ss_sha256_hex(v->findings_root, fr);
    ss_sha256_hex(v->findings_sha, fsha);
    st = (struct ss_stmt){
        .tool_version = v->tool_version,
        .tool_build = v->tool_build,
        .started = v->started,
        .finished = v->finished,
        .inputs_root = ir,
        .findings_root = fr,
        .manifest_sha256 = manifest_hex,
        .findings_sha256 = fsha,
        .n_inputs = v->c_inputs,
        .n_inputs_hashed = v->c_hashed,
        .n_records = v->c_records,
        .n_bad_records = v->c_bad,
        .n_findings = v->c_findings,
        .n_rule_files = v->c_rules,
        .inputs = sin,
        .n_stmt_inputs = s->n_inputs,
    };
    memcpy(st.n_sev, v->sev, sizeof(st.n_sev));
    r = ss_evidence_statement(&st, out);
    ss_free(sin);
    return r;
}

static void check_roots(struct ss_seal *s, struct ss_verify_report *rep)
{
    uint8_t(*leaves)[SS_SHA256_LEN] = NULL;
    uint8_t root[SS_SHA256_LEN];
    char hex[SS_SHA256_HEX_SIZE];
    size_t n = SS_MAX(s->n_inputs, s->n_findings);
    bool ok = true;
    int r = 0;

    leaves = ss_calloc(n + 1, SS_SHA256_LEN);
    if (leaves == NULL) {
        ss_verify_report_add(rep, SS_VERIFY_FAIL, "inputs_root", "out of memory");
        s->roots_ok = false;
        return;
    }
    for (size_t i = 0; r == 0 && i < s->n_inputs; i++) {
        static const uint8_t zero[SS_SHA256_LEN];
        const struct ss_seal_input *in = &s->inputs[i];

        r = ss_manifest_input_leaf(in->has_sha256 ? in->sha256 : zero, in->relpath, leaves[i]);
        memcpy(s->inputs[i].leaf, leaves[i], SS_SHA256_LEN);
    }
    r = r ? r : ss_merkle_root((const uint8_t(*)[SS_SHA256_LEN])leaves, s->n_inputs, root);
    if (r == 0 && memcmp(root, s->inputs_root, SS_SHA256_LEN) == 0) {
        ss_verify_report_add(rep, SS_VERIFY_OK, "inputs_root", "recomputed from %zu inputs",
                             s->n_inputs);
    } else {
        ss_sha256_hex(root, hex);
        ss_verify_report_add(rep, SS_VERIFY_FAIL, "inputs_root",
                             r < 0 ? "cannot recompute: %s"
                                   : "does not match the listed inputs (recomputed %s)",
                             r < 0 ? ss_strerror(r) : hex);
        ok = false;
    }
    for (size_t i = 0; i < s->n_findings; i++)
        memcpy(leaves[i], s->findings[i].leaf, SS_SHA256_LEN);
    r = ss_merkle_root((const uint8_t(*)[SS_SHA256_LEN])leaves, s->n_findings, root);
    if (r == 0 && memcmp(root, s->findings_root, SS_SHA256_LEN) == 0) {
        ss_verify_report_add(rep, SS_VERIFY_OK, "findings_root", "recomputed from %zu findings",
                             s->n_findings);
    } else {
        ss_sha256_hex(root, hex);
        ss_verify_report_add(rep, SS_VERIFY_FAIL, "findings_root",
                             r < 0 ? "cannot recompute: %s"
                                   : "does not match the listed findings (recomputed %s)",
                             r < 0 ? ss_strerror(r) : hex);
        ok = false;
    }
    s->roots_ok = ok;
    ss_free(leaves);
}

static int verify_texts(const struct ss_seal_texts *t, const struct key_src *ks,
                        struct ss_seal *ret_seal, struct ss_verify_report *rep)
{
    struct ss_seal s = { 0 };
    struct manifest_view v = { 0 };
    struct ss_dsse env = { 0 };
    struct ss_buf stmt = SS_BUF_INIT(SIZE_MAX / 2);
    struct ss_diag d;
    char mhex[SS_SHA256_HEX_SIZE];
    uint8_t mdig[SS_SHA256_LEN];
    const char *step = "";
    bool have_env = false, man_ok = false;
    int r;

    if (t->manifest == NULL) {
        ss_verify_report_add(rep, SS_VERIFY_FAIL, "manifest.json", "cannot read the file");
    } else {
        r = ss_sha256(t->manifest, t->manifest_len, mdig);
        if (r < 0)
            goto out;
        ss_sha256_hex(mdig, mhex);
        memcpy(s.manifest_sha256, mdig, SS_SHA256_LEN);
        man_ok = true;
    }

    /* The envelope and its signature. */
    if (t->envelope == NULL) {
        ss_verify_report_add(rep, SS_VERIFY_FAIL, "manifest.dsse.json", "cannot read the file");
    } else {
        ss_diag_clear(&d);
        r = ss_dsse_parse(t->envelope, t->envelope_len, &env, &d);
        if (r == -ENOMEM)
            goto out;
        if (r < 0 && d.offset != UINT64_MAX) {
            ss_verify_report_add(rep, SS_VERIFY_FAIL, "manifest.dsse.json",
                                 "not a DSSE envelope: %s at byte %" PRIu64, d.msg, d.offset);
        } else if (r < 0) {
            ss_verify_report_add(rep, SS_VERIFY_FAIL, "manifest.dsse.json",
                                 "not a DSSE envelope: %s", d.msg);
        } else {
            have_env = true;
            if (!env.canonical)
                ss_verify_report_add(rep, SS_VERIFY_FAIL, "manifest.dsse.json",
                                     "modified: not the envelope siloscope wrote (not "
                                     "canonical)");
            else if (strcmp(env.payload_type, SS_DSSE_PAYLOAD_TYPE) != 0)
                ss_verify_report_add(rep, SS_VERIFY_FAIL, "manifest.dsse.json",
                                     "payloadType is not '%s'", SS_DSSE_PAYLOAD_TYPE);
        }
    }
    if (have_env) {
        r = ss_sha256(env.payload, env.payload_len, s.statement_sha256);
        if (r < 0)
            goto out;
        s.has_statement = true;
        check_signature(ks, &env, &s, rep);
    }

    /* The manifest itself. */
    if (man_ok) {
        ss_diag_clear(&d);
        r = parse_manifest(t->manifest, t->manifest_len, &s, &v, &d, &step);
        if (r == -ENOMEM)
            goto out;
        if (r < 0) {
            if (d.code != 0 && d.offset != UINT64_MAX)
                ss_verify_report_add(rep, SS_VERIFY_FAIL, "manifest.json",
                                     "%s: %s at byte %" PRIu64, step, d.msg, d.offset);
            else
                ss_verify_report_add(rep, SS_VERIFY_FAIL, "manifest.json", "%s", step);
            man_ok = false;
        }
    }
    if (man_ok && have_env) {
        struct ss_json_val pv;
        char sealed[80];
        long long n = -1;

        /* Which file changed: the manifest digest the statement carries tells. */
        if (ss_json_validate((const char *)env.payload, env.payload_len, NULL, NULL) == 0 &&
            ss_evidence_json_get((const char *)env.payload, env.payload_len,
                                 "predicate.manifest_sha256", &pv) == 0 &&
            pv.type == SS_JSON_STRING)
            n = ss_json_str_copy(&pv, sealed, sizeof(sealed));
        if (n == 64 && strcmp(sealed, mhex) != 0) {
            ss_verify_report_add(rep, SS_VERIFY_FAIL, "manifest.json",
                                 "modified after sealing: SHA-256 %s, sealed %s", mhex, sealed);
        } else {
            r = regenerate_statement(&s, &v, mhex, &stmt);
            if (r == -ENOMEM)
                goto out;
            if (r < 0 || stmt.len != env.payload_len ||
                memcmp(stmt.ptr, env.payload, stmt.len) != 0)
                ss_verify_report_add(rep, SS_VERIFY_FAIL, "manifest.dsse.json",
                                     "the signed statement does not match manifest.json");
            else
                ss_verify_report_add(rep, SS_VERIFY_OK, "manifest.json",
                                     "matches the %s statement (SHA-256 %s)",
                                     s.signature_ok ? "signed" : "sealed", mhex);
        }
    }
    if (!man_ok) {
        r = SS_ECORRUPT;
        goto out;
    }

    /* Counts, roots and the findings file. */
    memcpy(s.inputs_root, v.inputs_root, SS_SHA256_LEN);
    memcpy(s.findings_root, v.findings_root, SS_SHA256_LEN);
    if (v.c_inputs != s.n_inputs || v.c_findings != s.n_findings)
        ss_verify_report_add(rep, SS_VERIFY_FAIL, "manifest.json",
                             "counts (%" PRIu64 " inputs, %" PRIu64
                             " findings) differ from the lists (%zu, %zu)",
                             v.c_inputs, v.c_findings, s.n_inputs, s.n_findings);
    check_roots(&s, rep);
    check_findings_file(t->findings, t->findings_len, &s, &v, rep);
    s.tool_version = v.tool_version;
    s.started = v.started;
    s.finished = v.finished;
    v.tool_version = v.started = v.finished = NULL;
    *ret_seal = s;
    s = (struct ss_seal){ 0 };
    r = 0;
out:
    ss_seal_release(&s);
    view_release(&v);
    ss_dsse_release(&env);
    ss_buf_release(&stmt);
    return r;
}

int ss_seal_verify_texts(const struct ss_seal_texts *t, const struct ss_key *key,
                         struct ss_seal *ret_seal, struct ss_verify_report *rep)
{
    struct key_src ks = { .key = key, .label = "the given key", .demanded = key != NULL };

    return verify_texts(t, &ks, ret_seal, rep);
}

/* The case log checks, and that its last entry is the review in this directory. */
static int check_log(const char *out_dir, const struct ss_key *key, struct ss_seal *s,
                     struct ss_verify_report *rep)
{
    struct ss_caselog_state st = { 0 };
    int r = ss_caselog_check(out_dir, key, &st, rep);

    if (r < 0)
        return r;
    if (st.is_new) {
        ss_verify_report_add(rep, SS_VERIFY_WARN, "caselog", "no case log in the output");
    } else if (st.n_entries > 0) {
        const struct ss_caselog_entry *e = &st.last;

        s->log_size = st.n_entries;
        if (memcmp(e->manifest_sha256, s->manifest_sha256, SS_SHA256_LEN) != 0 ||
            !s->has_statement ||
            memcmp(e->statement_sha256, s->statement_sha256, SS_SHA256_LEN) != 0 ||
            memcmp(e->inputs_root, s->inputs_root, SS_SHA256_LEN) != 0 ||
            memcmp(e->findings_root, s->findings_root, SS_SHA256_LEN) != 0)
            ss_verify_report_add(rep, SS_VERIFY_FAIL, "caselog",
                                 "its last entry (%zu) is not the review in this directory",
                                 st.n_entries - 1);
    }
    ss_caselog_state_release(&st);
    return 0;
}

/* Read @dir/@name into @b; NULL when it cannot be read (reported by the caller). */
static const char *read_opt(const char *dir, const char *name, size_t max, struct ss_buf *b,
                            int *ret_err)
{
    char path[4096];
    int r;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    r = ss_evidence_read_file(path, max, b);
    if (r < 0) {
        if (r == -ENOMEM)
            *ret_err = r;
        return NULL;
    }
    return b->ptr;
}

int ss_seal_verify(const char *out_dir, const char *pubkey_path, struct ss_seal *ret_seal,
                   struct ss_verify_report *rep)
{
    struct ss_buf man = SS_BUF_INIT(MANIFEST_MAX_BYTES + 1);
    struct ss_buf env = SS_BUF_INIT(SS_DSSE_MAX_BYTES + 1);
    struct ss_buf fnd = SS_BUF_INIT(FINDINGS_MAX_BYTES + 1);
    struct ss_seal_texts t = { 0 };
    struct ss_key *key = NULL;
    struct key_src ks = { .label = pubkey_path, .demanded = pubkey_path != NULL };
    struct ss_seal s = { 0 };
    char dir_key[4096];
    struct stat st;
    int err = 0, r;

    t.manifest = read_opt(out_dir, "manifest.json", MANIFEST_MAX_BYTES, &man, &err);
    t.manifest_len = man.len;
    t.envelope = read_opt(out_dir, "manifest.dsse.json", SS_DSSE_MAX_BYTES, &env, &err);
    t.envelope_len = env.len;
    t.findings = read_opt(out_dir, "findings.jsonl", FINDINGS_MAX_BYTES, &fnd, &err);
    t.findings_len = fnd.len;
    if (err != 0) {
        r = err;
        goto out;
    }
    snprintf(dir_key, sizeof(dir_key), "%s/manifest.pub.pem", out_dir);
    if (pubkey_path == NULL && stat(dir_key, &st) == 0) {
        pubkey_path = dir_key;
        ks.label = "manifest.pub.pem";
        ks.from_dir = true;
    }
    if (pubkey_path != NULL) {
        struct ss_diag d;

        ss_diag_clear(&d);
        r = ss_key_load(pubkey_path, false, &key, &d);
        if (r == -ENOMEM)
            goto out;
        if (r < 0)
            ss_verify_report_add(rep, SS_VERIFY_FAIL, ks.label, "cannot use the public key: %s",
                                 d.msg[0] != '\0' ? d.msg : ss_strerror(r));
        ks.key = key;
    }
    r = verify_texts(&t, &ks, &s, rep);
    if (r < 0)
        goto out;
    r = check_log(out_dir, key, &s, rep);
    if (r < 0)
        goto out;
    s.out_dir = ss_strdup(out_dir);
    if (s.out_dir == NULL) {
        r = -ENOMEM;
        goto out;
    }
    *ret_seal = s;
    s = (struct ss_seal){ 0 };
out:
    ss_seal_release(&s);
    ss_key_free(key);
    ss_buf_release(&man);
    ss_buf_release(&env);
    ss_buf_release(&fnd);
    return r;
}

/* ---- proofs ---- */

static int put_proof(struct ss_buf *b, const struct ss_merkle_proof *p)
{
    int r = ss_buf_putc(b, '[');

    for (size_t i = 0; r == 0 && i < p->n; i++) {
        char hex[SS_SHA256_HEX_SIZE];

        ss_sha256_hex(p->hash[i], hex);
        r = ss_buf_printf(b, "%s\"%s\"", i > 0 ? ", " : "", hex);
    }
    return r ? r : ss_buf_putc(b, ']');
}

static int uint32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y ? 1 : 0;
}

int ss_seal_prove(const struct ss_seal *s, const char *uid, struct ss_buf *out)
{
    const struct ss_seal_finding *f = NULL;
    uint8_t(*leaves)[SS_SHA256_LEN] = NULL;
    uint32_t *cited = NULL;
    struct ss_merkle_proof p;
    char hex[SS_SHA256_HEX_SIZE];
    size_t idx = 0, n_cited = 0, start = out->len;
    int r;

    for (size_t i = 0; i < s->n_findings; i++) {
        if (strcmp(s->findings[i].uid, uid) == 0) {
            f = &s->findings[i];
            idx = i;
            break;
        }
    }
    if (f == NULL)
        return SS_ENOTFOUND;
    leaves = ss_calloc(SS_MAX(s->n_inputs, s->n_findings) + 1, SS_SHA256_LEN);
    cited = ss_calloc(f->n_evidence + 1, sizeof(*cited));
    if (leaves == NULL || cited == NULL) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < s->n_findings; i++)
        memcpy(leaves[i], s->findings[i].leaf, SS_SHA256_LEN);
    r = ss_merkle_inclusion_proof((const uint8_t(*)[SS_SHA256_LEN])leaves, s->n_findings, idx, &p);
    if (r < 0)
        goto out;
    r = ss_buf_puts(out, "{\n  \"format\": \"siloscope-proof/1\",\n  \"hash\": \"sha256\",\n");
    r = r ? r : ss_buf_puts(out, "  \"merkle\": \"rfc6962\",\n  \"inputs_root\": ");
    ss_sha256_hex(s->inputs_root, hex);
    r = r ? r : ss_jcs_put_cstr(out, hex);
    r = r ? r : ss_buf_puts(out, ",\n  \"findings_root\": ");
    ss_sha256_hex(s->findings_root, hex);
    r = r ? r : ss_jcs_put_cstr(out, hex);
    r = r ? r : ss_buf_puts(out, ",\n  \"finding\": {\n    \"uid\": ");
    r = r ? r : ss_jcs_put_cstr(out, f->uid);
    r = r ? r
          : ss_buf_printf(out, ",\n    \"leaf_index\": %zu,\n    \"tree_size\": %zu,\n", idx,
                          s->n_findings);
    ss_sha256_hex(f->leaf, hex);
    r = r ? r : ss_buf_puts(out, "    \"leaf_hash\": ");
    r = r ? r : ss_jcs_put_cstr(out, hex);
    r = r ? r : ss_buf_puts(out, ",\n    \"proof\": ");
    r = r ? r : put_proof(out, &p);
    r = r ? r : ss_buf_puts(out, ",\n    \"leaf_data\": ");
    r = r ? r
          : (f->jcs != NULL ? ss_jcs_put_str(out, f->jcs, f->jcs_len) : ss_buf_puts(out, "null"));
    r = r ? r : ss_buf_puts(out, "\n  },\n  \"inputs\": [");
    if (r < 0)
        goto out;

    /* Each distinct input the evidence cites, in index order. */
    for (size_t i = 0; i < f->n_evidence; i++)
        cited[n_cited++] = f->evidence[i].input;
    qsort(cited, n_cited, sizeof(*cited), uint32_cmp);
    for (size_t i = 0; i < s->n_inputs; i++)
        memcpy(leaves[i], s->inputs[i].leaf, SS_SHA256_LEN);
    for (size_t i = 0, k = 0; r == 0 && i < n_cited; i++) {
        const struct ss_seal_input *in;

        if (i > 0 && cited[i] == cited[i - 1])
            continue;
        if (cited[i] >= s->n_inputs) {
            r = SS_ECORRUPT;
            break;
        }
        in = &s->inputs[cited[i]];
        r = ss_merkle_inclusion_proof((const uint8_t(*)[SS_SHA256_LEN])leaves, s->n_inputs,
                                      cited[i], &p);
        r = r ? r : ss_buf_puts(out, k++ > 0 ? ",\n    {\"input\": " : "\n    {\"input\": ");
        r = r ? r : ss_buf_put_u64(out, cited[i]);
        r = r ? r : ss_buf_puts(out, ", \"path\": ");
        r = r ? r : ss_jcs_put_cstr(out, in->relpath);
        r = r ? r : ss_buf_puts(out, ", \"sha256\": ");
        if (r == 0 && in->has_sha256) {
            ss_sha256_hex(in->sha256, hex);
            r = ss_jcs_put_cstr(out, hex);
        } else if (r == 0) {
            r = ss_buf_puts(out, "null");
        }
        r = r ? r
              : ss_buf_printf(out, ", \"leaf_index\": %" PRIu32 ", \"tree_size\": %zu", cited[i],
                              s->n_inputs);
        ss_sha256_hex(in->leaf, hex);
        r = r ? r : ss_buf_puts(out, ", \"leaf_hash\": ");
        r = r ? r : ss_jcs_put_cstr(out, hex);
        r = r ? r : ss_buf_puts(out, ", \"proof\": ");
        r = r ? r : put_proof(out, &p);
        r = r ? r : ss_buf_putc(out, '}');
    }
    r = r ? r : ss_buf_puts(out, n_cited > 0 ? "\n  ]\n}\n" : "]\n}\n");
out:
    if (r < 0)
        ss_buf_truncate(out, start);
    ss_free(leaves);
    ss_free(cited);
    return r;
}
