/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/caselog.c - implements the case log: an append-only RFC 6962 log of the
 * reviews sealed into one output folder, with a checkpoint per review (DSSE-signed with
 * the review key) that carries the consistency proof from the previous checkpoint.
 *
 * OUT/caselog/entries.jsonl holds one canonical JSON entry per review (the leaf data);
 * OUT/caselog/checkpoints.jsonl holds one canonical DSSE envelope per review whose
 * payload states the log size and root after that review, the previous checkpoint's
 * size and root, and the consistency proof between them (docs/evidence.md, "Case log").
 * Before appending, the whole log is checked; a log that does not check is never
 * extended (the caller must move it away), so a rewrite cannot be laundered.
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

#define LOG_FORMAT "siloscope-case-log/1"
#define CHECKPOINT_TYPE "application/vnd.siloscope.case-log-checkpoint+json"
#define LOG_MAX_BYTES ((size_t)256 << 20)
#define LOG_MAX_ENTRIES ((size_t)1 << 20)

void ss_caselog_state_release(struct ss_caselog_state *st)
{
    ss_free(st->leaves);
    ss_buf_release(&st->entries);
    ss_buf_release(&st->checkpoints);
    *st = (struct ss_caselog_state){ 0 };
}

static int jstr(const char *text, size_t len, const char *path, char *out, size_t out_len)
{
    struct ss_json_val v;
    long long n;
    int r = ss_evidence_json_get(text, len, path, &v);

    if (r < 0)
        return r;
    if (v.type != SS_JSON_STRING)
        return SS_ESYNTAX;
    n = ss_json_str_copy(&v, out, out_len);
    return n < 0 || (size_t)n >= out_len ? SS_ESYNTAX : 0;
}

static int ju64(const char *text, size_t len, const char *path, uint64_t *ret)
{
    struct ss_json_val v;
    int r = ss_evidence_json_get(text, len, path, &v);

    if (r == 0 && v.type != SS_JSON_NUMBER)
        r = SS_ESYNTAX;
    return r == 0 ? ss_parse_u64(v.ptr, v.len, ret) : r;
}

/* A hex digest or null at @path (null: *has = false). */
static int jsha(const char *text, size_t len, const char *path, bool *has,
                uint8_t out[SS_SHA256_LEN])
{
    struct ss_json_val v;
    char hex[80];
    int r = ss_evidence_json_get(text, len, path, &v);

    if (r < 0)
        return r;
    if (v.type == SS_JSON_NULL && has != NULL) {
        *has = false;
        return 0;
    }
    r = jstr(text, len, path, hex, sizeof(hex));
    r = r ? r : ss_sha256_from_hex(hex, strlen(hex), out);
    if (r == 0 && has != NULL)
        *has = true;
    return r;
}

/* ---- canonical entry and checkpoint payload ---- */

static int put_hex(struct ss_buf *b, const char *name, const uint8_t d[SS_SHA256_LEN])
{
    char hex[SS_SHA256_HEX_SIZE];
    int r = ss_buf_puts(b, name);

    ss_sha256_hex(d, hex);
    return r ? r : ss_jcs_put_cstr(b, hex);
}

static int put_entry(struct ss_buf *b, const struct ss_caselog_entry *e)
{
    int r = put_hex(b, "{\"findings_root\":", e->findings_root);

    r = r ? r : ss_buf_puts(b, ",\"finished\":");
    r = r ? r : ss_jcs_put_cstr(b, e->finished);
    r = r ? r : ss_buf_puts(b, ",\"index\":");
    r = r ? r : ss_jcs_put_u64(b, e->index);
    r = r ? r : put_hex(b, ",\"inputs_root\":", e->inputs_root);
    r = r ? r : ss_buf_puts(b, ",\"key_id\":");
    r = r ? r : (e->key_id[0] != '\0' ? ss_jcs_put_cstr(b, e->key_id) : ss_buf_puts(b, "null"));
    r = r ? r : ss_buf_puts(b, ",\"log\":\"" LOG_FORMAT "\"");
    r = r ? r : put_hex(b, ",\"manifest_sha256\":", e->manifest_sha256);
    r = r ? r : ss_buf_puts(b, ",\"started\":");
    r = r ? r : ss_jcs_put_cstr(b, e->started);
    r = r ? r : put_hex(b, ",\"statement_sha256\":", e->statement_sha256);
    r = r ? r : ss_buf_putc(b, '}');
    return r;
}

struct checkpoint {
    uint64_t size, prev_size;
    uint8_t root[SS_SHA256_LEN];
    bool has_prev_root;
    uint8_t prev_root[SS_SHA256_LEN];
    struct ss_merkle_proof proof;
    char time[64];
};

static int put_checkpoint(struct ss_buf *b, const struct checkpoint *c)
{
    int r = ss_buf_puts(b, "{\"consistency\":[");

    for (size_t i = 0; r == 0 && i < c->proof.n; i++) {
        char hex[SS_SHA256_HEX_SIZE];

        ss_sha256_hex(c->proof.hash[i], hex);
        r = i > 0 ? ss_buf_putc(b, ',') : 0;
        r = r ? r : ss_jcs_put_cstr(b, hex);
    }
    r = r ? r : ss_buf_puts(b, "],\"log\":\"" LOG_FORMAT "\",\"prev_root\":");
    if (r == 0 && c->has_prev_root) {
        char hex[SS_SHA256_HEX_SIZE];

        ss_sha256_hex(c->prev_root, hex);
        r = ss_jcs_put_cstr(b, hex);
    } else if (r == 0) {
        r = ss_buf_puts(b, "null");
    }
    r = r ? r : ss_buf_puts(b, ",\"prev_size\":");
    r = r ? r : ss_jcs_put_u64(b, c->prev_size);
    r = r ? r : put_hex(b, ",\"root\":", c->root);
    r = r ? r : ss_buf_puts(b, ",\"size\":");
    r = r ? r : ss_jcs_put_u64(b, c->size);
    r = r ? r : ss_buf_puts(b, ",\"time\":");
    r = r ? r : ss_jcs_put_cstr(b, c->time);
    r = r ? r : ss_buf_putc(b, '}');
    return r;
}

/* Parse an entry line and check it is canonical with the expected index. */
static int parse_entry(const char *line, size_t len, uint64_t want_index,
                       struct ss_caselog_entry *e)
{
    struct ss_buf again = SS_BUF_INIT(LOG_MAX_BYTES);
    struct ss_json_val v;
    bool has_key = false;
    int r;

    *e = (struct ss_caselog_entry){ 0 };
    r = ss_json_validate(line, len, NULL, NULL);
    r = r ? r : jsha(line, len, "findings_root", NULL, e->findings_root);
    r = r ? r : jstr(line, len, "finished", e->finished, sizeof(e->finished));
    r = r ? r : ju64(line, len, "index", &e->index);
    r = r ? r : jsha(line, len, "inputs_root", NULL, e->inputs_root);
    r = r ? r : ss_evidence_json_get(line, len, "key_id", &v);
    if (r == 0 && v.type == SS_JSON_STRING) {
        r = jstr(line, len, "key_id", e->key_id, sizeof(e->key_id));
        has_key = true;
    } else if (r == 0 && v.type != SS_JSON_NULL) {
        r = SS_ESYNTAX;
    }
    r = r ? r : jsha(line, len, "manifest_sha256", NULL, e->manifest_sha256);
    r = r ? r : jstr(line, len, "started", e->started, sizeof(e->started));
    r = r ? r : jsha(line, len, "statement_sha256", NULL, e->statement_sha256);
    if (r == 0 && (e->index != want_index || (has_key && strlen(e->key_id) != 64)))
        r = SS_ESYNTAX;
    r = r ? r : put_entry(&again, e);
    if (r == 0 && (again.len != len || memcmp(again.ptr, line, len) != 0))
        r = SS_ESYNTAX;
    ss_buf_release(&again);
    return r;
}

struct proof_walk {
    struct ss_merkle_proof *p;
    int err;
};

static int on_proof_hash(void *ctx, const struct ss_json_val *v)
{
    struct proof_walk *w = ctx;
    char hex[80];
    long long n;

    if (w->p->n >= SS_MERKLE_MAX_PROOF || v->type != SS_JSON_STRING) {
        w->err = SS_ESYNTAX;
        return 1;
    }
    n = ss_json_str_copy(v, hex, sizeof(hex));
    if (n < 0 || ss_sha256_from_hex(hex, (size_t)n, w->p->hash[w->p->n]) != 0) {
        w->err = SS_ESYNTAX;
        return 1;
    }
    w->p->n++;
    return 0;
}

static int parse_checkpoint(const uint8_t *payload, size_t len, struct checkpoint *c)
{
    const char *t = (const char *)payload;
    struct ss_buf again = SS_BUF_INIT(LOG_MAX_BYTES);
    struct ss_json_path *p = NULL;
    struct proof_walk w = { .p = &c->proof };
    char log[64];
    int r;

    *c = (struct checkpoint){ 0 };
    r = ss_json_validate(t, len, NULL, NULL);
    r = r ? r : jstr(t, len, "log", log, sizeof(log));
    if (r == 0 && strcmp(log, LOG_FORMAT) != 0)
        r = SS_ESYNTAX;
    r = r ? r : ju64(t, len, "size", &c->size);
    r = r ? r : ju64(t, len, "prev_size", &c->prev_size);
    r = r ? r : jsha(t, len, "root", NULL, c->root);
    r = r ? r : jsha(t, len, "prev_root", &c->has_prev_root, c->prev_root);
    r = r ? r : jstr(t, len, "time", c->time, sizeof(c->time));
    r = r ? r : ss_json_path_parse("consistency[*]", 14, &p, NULL);
    if (r == 0) {
        r = ss_json_get_each(t, len, p, on_proof_hash, &w);
        if (r == 1 || w.err != 0)
            r = SS_ESYNTAX;
    }
    ss_json_path_free(p);
    r = r ? r : put_checkpoint(&again, c);
    if (r == 0 && (again.len != len || memcmp(again.ptr, t, len) != 0))
        r = SS_ESYNTAX;
    ss_buf_release(&again);
    return r;
}

/* ---- checking the whole log ---- */

static int read_opt(const char *dir, const char *name, struct ss_buf *out, bool *ret_exists)
{
    char path[4096];
    int r;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
        return -ENAMETOOLONG;
    r = ss_evidence_read_file(path, LOG_MAX_BYTES, out);
    *ret_exists = r != -ENOENT;
    return r == -ENOENT ? 0 : r;
}

/*
 * Check the log texts held in @st (entries and checkpoints as read); fills the rest of
 * @st. Verdicts go to @rep. Returns 0 or -ENOMEM.
 */
static int check_texts(struct ss_caselog_state *stp, const struct ss_key *key,
                       struct ss_verify_report *rep)
{
    struct ss_caselog_state st = *stp;
    char item[64], key_id[SS_SHA256_HEX_SIZE] = "";
    char(*signers)[SS_SHA256_HEX_SIZE] = NULL;
    size_t pos, fails = rep->n_fail, n_cp = 0, n_signed_ok = 0;
    uint64_t prev_size = 0;
    uint8_t prev_root[SS_SHA256_LEN];
    int r;

    if (key != NULL) {
        r = ss_key_id(key, key_id);
        if (r < 0)
            goto out;
    }

    /* Entries: canonical lines with consecutive indices. */
    st.leaves = ss_calloc(LOG_MAX_ENTRIES / 1024, SS_SHA256_LEN);
    signers = ss_calloc(LOG_MAX_ENTRIES / 1024, sizeof(*signers));
    if (st.leaves == NULL || signers == NULL) {
        r = -ENOMEM;
        goto out;
    }
    st.cap = LOG_MAX_ENTRIES / 1024;
    for (pos = 0; pos < st.entries.len;) {
        const char *line = st.entries.ptr + pos;
        const char *nl = memchr(line, '\n', st.entries.len - pos);
        size_t len = nl != NULL ? (size_t)(nl - line) : st.entries.len - pos;

        pos += len + 1;
        if (st.n_entries == LOG_MAX_ENTRIES) {
            ss_verify_report_add(rep, SS_VERIFY_FAIL, "caselog", "more than %zu entries",
                                 LOG_MAX_ENTRIES);
            goto done;
        }
        if (st.n_entries == st.cap) {
            void *p = ss_reallocarray(st.leaves, 2 * st.cap, SS_SHA256_LEN);
            void *q = p != NULL ? ss_reallocarray(signers, 2 * st.cap, sizeof(*signers)) : NULL;

            if (p != NULL)
                st.leaves = p;
            if (q == NULL) {
                r = -ENOMEM;
                goto out;
            }
            signers = q;
            st.cap *= 2;
        }
        snprintf(item, sizeof(item), "caselog entry %zu", st.n_entries);
        r = ss_merkle_hash_leaf(line, len, st.leaves[st.n_entries]);
        if (r < 0)
            goto out;
        if (nl == NULL)
            ss_verify_report_add(rep, SS_VERIFY_FAIL, item,
                                 "entries.jsonl does not end in a "
                                 "newline");
        r = parse_entry(line, len, st.n_entries, &st.last);
        if (r == -ENOMEM)
            goto out;
        if (r < 0)
            ss_verify_report_add(rep, SS_VERIFY_FAIL, item, "not a canonical case log entry");
        memcpy(signers[st.n_entries], st.last.key_id, SS_SHA256_HEX_SIZE);
        st.n_entries++;
    }

    /* Checkpoints: each commits to a prefix of the entries and proves it extends the last. */
    for (pos = 0; pos < st.checkpoints.len; n_cp++) {
        const char *line = st.checkpoints.ptr + pos;
        const char *nl = memchr(line, '\n', st.checkpoints.len - pos);
        size_t len = nl != NULL ? (size_t)(nl - line) + 1 : st.checkpoints.len - pos;
        struct ss_dsse env = { 0 };
        struct checkpoint c;
        uint8_t root[SS_SHA256_LEN];

        pos += len;
        snprintf(item, sizeof(item), "caselog checkpoint %zu", n_cp);
        r = ss_dsse_parse(line, len, &env, NULL);
        if (r == -ENOMEM)
            goto out;
        if (r < 0 || !env.canonical || strcmp(env.payload_type, CHECKPOINT_TYPE) != 0) {
            ss_verify_report_add(rep, SS_VERIFY_FAIL, item, "not a canonical checkpoint envelope");
            ss_dsse_release(&env);
            continue;
        }
        r = parse_checkpoint(env.payload, env.payload_len, &c);
        if (r == -ENOMEM) {
            ss_dsse_release(&env);
            goto out;
        }
        if (r < 0) {
            ss_verify_report_add(rep, SS_VERIFY_FAIL, item, "not a canonical checkpoint");
            ss_dsse_release(&env);
            continue;
        }
        if (c.size <= prev_size || c.size > st.n_entries) {
            ss_verify_report_add(rep, SS_VERIFY_FAIL, item,
                                 "size %" PRIu64 " after %" PRIu64 " with %zu entries", c.size,
                                 prev_size, st.n_entries);
            ss_dsse_release(&env);
            continue;
        }
        /*
         * The checkpoint was made by the review of its last entry, which names the key
         * it was signed with (or none): the signatures must agree with it, and the one
         * by the key we have must verify.
         */
        {
            const char *signer = signers[c.size - 1];
            bool found = false;

            for (size_t i = 0; i < env.n_sigs; i++) {
                if (signer[0] == '\0' || strcmp(env.sigs[i].keyid, signer) != 0) {
                    ss_verify_report_add(rep, SS_VERIFY_FAIL, item,
                                         "signed by key %.64s, but its review names %s",
                                         env.sigs[i].keyid, signer[0] != '\0' ? signer : "none");
                    continue;
                }
                found = true;
                if (key == NULL || strcmp(signer, key_id) != 0) {
                    ss_verify_report_add(rep, SS_VERIFY_WARN, item,
                                         "signed by key %.64s, not checked (no such key given)",
                                         signer);
                    continue;
                }
                r = ss_dsse_verify_sig(&env, i, key);
                if (r == -ENOMEM) {
                    ss_dsse_release(&env);
                    goto out;
                }
                if (r < 0)
                    ss_verify_report_add(rep, SS_VERIFY_FAIL, item,
                                         "the signature does not verify");
                else
                    n_signed_ok++;
            }
            if (signer[0] != '\0' && !found)
                ss_verify_report_add(rep, SS_VERIFY_FAIL, item,
                                     "not signed by key %s, which its review names", signer);
        }
        ss_dsse_release(&env);
        r = ss_merkle_root((const uint8_t(*)[SS_SHA256_LEN])st.leaves, (size_t)c.size, root);
        if (r < 0)
            goto out;
        if (memcmp(root, c.root, SS_SHA256_LEN) != 0)
            ss_verify_report_add(rep, SS_VERIFY_FAIL, item,
                                 "the first %" PRIu64 " entries do not hash to its root "
                                 "(entries rewritten)",
                                 c.size);
        if (c.prev_size != prev_size || c.has_prev_root != (prev_size > 0) ||
            (prev_size > 0 && memcmp(c.prev_root, prev_root, SS_SHA256_LEN) != 0)) {
            ss_verify_report_add(rep, SS_VERIFY_FAIL, item,
                                 "does not follow the previous checkpoint");
        } else if (prev_size > 0) {
            r = ss_merkle_verify_consistency(
                prev_size, c.size, (const uint8_t(*)[SS_SHA256_LEN])c.proof.hash, c.proof.n,
                prev_root, SS_SHA256_LEN, c.root, SS_SHA256_LEN);
            if (r == -ENOMEM)
                goto out;
            if (r < 0)
                ss_verify_report_add(rep, SS_VERIFY_FAIL, item,
                                     "its consistency proof from size %" PRIu64 " does not verify",
                                     prev_size);
        } else if (c.proof.n != 0) {
            ss_verify_report_add(rep, SS_VERIFY_FAIL, item, "a first checkpoint has no proof");
        }
        prev_size = c.size;
        memcpy(prev_root, c.root, SS_SHA256_LEN);
    }
    st.cp_size = prev_size;
    memcpy(st.cp_root, prev_root, SS_SHA256_LEN);
    if (n_cp == 0 || prev_size != st.n_entries)
        ss_verify_report_add(rep, SS_VERIFY_FAIL, "caselog",
                             "%zu entries but the last checkpoint covers %" PRIu64, st.n_entries,
                             prev_size);
    if (rep->n_fail == fails)
        ss_verify_report_add(rep, SS_VERIFY_OK, "caselog",
                             "%zu reviews, %zu checkpoints (%zu signatures checked); every "
                             "checkpoint extends the previous one",
                             st.n_entries, n_cp, n_signed_ok);
done:
    r = 0;
out:
    st.ok = rep->n_fail == fails;
    *stp = st;
    ss_free(signers);
    return r;
}

int ss_caselog_check(const char *out_dir, const struct ss_key *key, struct ss_caselog_state *ret,
                     struct ss_verify_report *rep)
{
    struct ss_caselog_state st = { 0 };
    char dir[4096];
    bool have_entries = false, have_cps = false;
    size_t fails = rep->n_fail;
    int r;

    st.entries = SS_BUF_INIT(LOG_MAX_BYTES + 1);
    st.checkpoints = SS_BUF_INIT(LOG_MAX_BYTES + 1);
    r = (size_t)snprintf(dir, sizeof(dir), "%s/caselog", out_dir) >= sizeof(dir) ? -ENAMETOOLONG
                                                                                 : 0;
    r = r ? r : read_opt(dir, "entries.jsonl", &st.entries, &have_entries);
    if (r == 0)
        r = read_opt(dir, "checkpoints.jsonl", &st.checkpoints, &have_cps);
    if (r == -ENOMEM)
        goto out;
    if (r < 0) {
        ss_verify_report_add(rep, SS_VERIFY_FAIL, "caselog", "cannot read: %s", ss_strerror(r));
    } else if (!have_entries && !have_cps) {
        st.is_new = true;
    } else {
        r = check_texts(&st, key, rep);
        if (r < 0)
            goto out;
    }
    st.ok = rep->n_fail == fails;
    *ret = st;
    st = (struct ss_caselog_state){ 0 };
    r = 0;
out:
    ss_caselog_state_release(&st);
    return r;
}

int ss_caselog_verify_texts(const char *entries, size_t entries_len, const char *checkpoints,
                            size_t checkpoints_len, const struct ss_key *key,
                            struct ss_verify_report *rep)
{
    struct ss_caselog_state st = { 0 };
    int r;

    st.entries = SS_BUF_INIT(LOG_MAX_BYTES + 1);
    st.checkpoints = SS_BUF_INIT(LOG_MAX_BYTES + 1);
    if (entries_len > LOG_MAX_BYTES || checkpoints_len > LOG_MAX_BYTES) {
        ss_verify_report_add(rep, SS_VERIFY_FAIL, "caselog", "bigger than %zu bytes",
                             LOG_MAX_BYTES);
        return 0;
    }
    r = ss_buf_append(&st.entries, entries, entries_len);
    r = r ? r : ss_buf_append(&st.checkpoints, checkpoints, checkpoints_len);
    r = r ? r : check_texts(&st, key, rep);
    ss_caselog_state_release(&st);
    return r;
}

int ss_caselog_append(const char *out_dir, const struct ss_caselog_state *st,
                      const struct ss_caselog_entry *e, const struct ss_key *key,
                      uint64_t *ret_size, uint8_t ret_root[SS_SHA256_LEN],
                      struct ss_diag *reterr_diag)
{
    struct ss_buf entries = SS_BUF_INIT(LOG_MAX_BYTES + 4096);
    struct ss_buf cps = SS_BUF_INIT(LOG_MAX_BYTES + 4096);
    struct ss_buf payload = SS_BUF_INIT(LOG_MAX_BYTES);
    uint8_t(*leaves)[SS_SHA256_LEN] = NULL;
    struct ss_caselog_entry ne = *e;
    struct checkpoint c = { 0 };
    char dir[4096];
    size_t n = st->n_entries + 1;
    int r;

    if (!st->ok)
        return ss_diag_set(reterr_diag, SS_ECORRUPT, out_dir, 0, 0, UINT64_MAX,
                           "the case log does not verify; move 'caselog' away to start a "
                           "new one");
    if ((size_t)snprintf(dir, sizeof(dir), "%s/caselog", out_dir) >= sizeof(dir))
        return -ENAMETOOLONG;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return ss_diag_set(reterr_diag, -errno, dir, 0, 0, UINT64_MAX, "%s", strerror(errno));
    ne.index = st->n_entries;
    leaves = ss_calloc(n, SS_SHA256_LEN);
    if (leaves == NULL)
        return -ENOMEM;
    if (st->n_entries > 0)
        memcpy(leaves, st->leaves, st->n_entries * SS_SHA256_LEN);
    r = ss_buf_append(&entries, st->entries.ptr, st->entries.len);
    if (r < 0)
        goto out;
    {
        size_t start = entries.len;

        r = put_entry(&entries, &ne);
        r = r ? r : ss_merkle_hash_leaf(entries.ptr + start, entries.len - start, leaves[n - 1]);
        r = r ? r : ss_buf_putc(&entries, '\n');
    }
    r = r ? r : ss_merkle_root((const uint8_t(*)[SS_SHA256_LEN])leaves, n, c.root);
    if (r < 0)
        goto out;
    c.size = n;
    c.prev_size = st->cp_size;
    c.has_prev_root = st->cp_size > 0;
    memcpy(c.prev_root, st->cp_root, SS_SHA256_LEN);
    snprintf(c.time, sizeof(c.time), "%s", e->finished);
    if (st->cp_size > 0) {
        r = ss_merkle_consistency_proof((const uint8_t(*)[SS_SHA256_LEN])leaves, n,
                                        (size_t)st->cp_size, &c.proof);
        if (r < 0)
            goto out;
    }
    r = put_checkpoint(&payload, &c);
    r = r ? r : ss_buf_append(&cps, st->checkpoints.ptr, st->checkpoints.len);
    r = r ? r
          : ss_dsse_write(key, CHECKPOINT_TYPE, (const uint8_t *)payload.ptr, payload.len, &cps);
    if (r < 0)
        goto out;
    /* Entries first: a crash between the two renames leaves a log that still checks. */
    r = ss_evidence_write_atomic(dir, "entries.jsonl", entries.ptr, entries.len, 0644);
    if (r == 0)
        r = ss_evidence_write_atomic(dir, "checkpoints.jsonl", cps.ptr, cps.len, 0644);
    if (r < 0) {
        ss_diag_set(reterr_diag, r, dir, 0, 0, UINT64_MAX, "%s", ss_strerror(r));
        goto out;
    }
    *ret_size = n;
    memcpy(ret_root, c.root, SS_SHA256_LEN);
out:
    ss_free(leaves);
    ss_buf_release(&entries);
    ss_buf_release(&cps);
    ss_buf_release(&payload);
    return r;
}

int ss_caselog_prove(const char *out_dir, uint64_t since, struct ss_buf *out)
{
    struct ss_caselog_state st = { 0 };
    struct ss_verify_report rep;
    struct ss_merkle_proof p = { .n = 0 };
    uint8_t old_root[SS_SHA256_LEN], new_root[SS_SHA256_LEN];
    char hex[SS_SHA256_HEX_SIZE];
    size_t start = out->len, pos = 0, i = 0;
    int r;

    ss_verify_report_init(&rep);
    r = ss_caselog_check(out_dir, NULL, &st, &rep);
    if (r < 0)
        goto out;
    if (!st.ok || st.is_new) {
        r = st.is_new ? SS_ENOTFOUND : SS_ECORRUPT;
        goto out;
    }
    if (since == 0 || since > st.n_entries) {
        r = -EINVAL;
        goto out;
    }
    r = ss_merkle_root((const uint8_t(*)[SS_SHA256_LEN])st.leaves, (size_t)since, old_root);
    r = r ? r : ss_merkle_root((const uint8_t(*)[SS_SHA256_LEN])st.leaves, st.n_entries, new_root);
    r = r ? r
          : ss_merkle_consistency_proof((const uint8_t(*)[SS_SHA256_LEN])st.leaves, st.n_entries,
                                        (size_t)since, &p);
    if (r < 0)
        goto out;
    r = ss_buf_puts(out, "{\n  \"format\": \"siloscope-log-proof/1\",\n  \"old_size\": ");
    r = r ? r : ss_buf_put_u64(out, since);
    ss_sha256_hex(old_root, hex);
    r = r ? r
          : ss_buf_printf(out, ",\n  \"old_root\": \"%s\",\n  \"new_size\": %zu,\n", hex,
                          st.n_entries);
    ss_sha256_hex(new_root, hex);
    r = r ? r : ss_buf_printf(out, "  \"new_root\": \"%s\",\n  \"consistency\": [", hex);
    for (size_t k = 0; r == 0 && k < p.n; k++) {
        ss_sha256_hex(p.hash[k], hex);
        r = ss_buf_printf(out, "%s\"%s\"", k > 0 ? ", " : "", hex);
    }
    r = r ? r : ss_buf_puts(out, "],\n  \"entries\": [");
    /* Every entry, so the reviews up to old_size can be matched with earlier copies. */
    while (r == 0 && pos < st.entries.len) {
        const char *line = st.entries.ptr + pos;
        const char *nl = memchr(line, '\n', st.entries.len - pos);
        size_t len = nl != NULL ? (size_t)(nl - line) : st.entries.len - pos;

        ss_sha256_hex(st.leaves[i], hex);
        r = ss_buf_printf(out, "%s\n    {\"index\": %zu, \"leaf_hash\": \"%s\", \"entry\": ",
                          i > 0 ? "," : "", i, hex);
        r = r ? r : ss_jcs_put_str(out, line, len);
        r = r ? r : ss_buf_putc(out, '}');
        pos += len + 1;
        i++;
    }
    r = r ? r : ss_buf_puts(out, "\n  ]\n}\n");
out:
    if (r < 0)
        ss_buf_truncate(out, start);
    ss_caselog_state_release(&st);
    ss_verify_report_release(&rep);
    return r;
}
