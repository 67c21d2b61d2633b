/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/evidence/merkle_vectors.c - conformance runner over every Merkle vector of the
 * shared corpus (merkle/transparency-dev-merkle): the RFC 6962 reference tree (leaf,
 * node and root hashes), and the inclusion, consistency, subtree-inclusion and
 * subtree-consistency proof vectors. Each vector's outcome must equal its wantErr, and
 * the number of vectors processed per family is asserted exactly. Skips when the
 * corpus is absent.
 *
 * Decoding: hashes are standard base64. A proof element or leaf hash that is not 32
 * bytes cannot be a SHA-256 value, so the vector is rejected before the verifier is
 * called (the verifier's types only admit 32-byte hashes); roots of any length are
 * passed through, because the verifier compares them as given.
 */
#include "ss_test.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/parse.h"
#include "evidence/base64.h"
#include "evidence/merkle.h"
#include "evidence/sha256.h"
#include "json/json.h"

#include <ftw.h>
#include <sys/stat.h>

#define MAX_VECTOR_BYTES ((size_t)1 << 20)

enum family { F_INCL, F_CONS, F_SUB_INCL, F_SUB_CONS, F__COUNT };

static const char *const family_dir[F__COUNT] = { "inclusion", "consistency", "subtreeinclusion",
                                                  "subtreeconsistency" };
/* Files per family in the staged snapshot (see merkle/SOURCES.md). */
static const unsigned family_want[F__COUNT] = { 98, 98, 204, 118 };

struct stats {
    unsigned n[F__COUNT];
    unsigned n_ok[F__COUNT];
    unsigned n_want_err[F__COUNT];
    unsigned n_decode_reject;
    unsigned n_generated_match;
    unsigned n_generated_cons_match;
    unsigned n_bad;
};

static struct stats st;
static char root_dir[1024];

static int read_file(const char *path, struct ss_buf *out)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;
    int r = 0;

    if (f == NULL)
        return -errno;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        r = ss_buf_append(out, chunk, n);
        if (r < 0)
            break;
    }
    if (ferror(f) && r == 0)
        r = -EIO;
    fclose(f);
    return r;
}

static int get(const struct ss_buf *doc, const char *path, struct ss_json_val *ret)
{
    struct ss_json_path *p = NULL;
    int r = ss_json_path_parse(path, strlen(path), &p, NULL);

    if (r == 0)
        r = ss_json_get(doc->ptr, doc->len, p, ret);
    ss_json_path_free(p);
    return r;
}

static int get_u64(const struct ss_buf *doc, const char *path, uint64_t *ret)
{
    struct ss_json_val v;
    int r = get(doc, path, &v);

    if (r < 0)
        return r;
    if (v.type != SS_JSON_NUMBER)
        return SS_ESYNTAX;
    return ss_parse_u64(v.ptr, v.len, ret);
}

static int get_bool(const struct ss_buf *doc, const char *path, bool *ret)
{
    struct ss_json_val v;
    int r = get(doc, path, &v);

    if (r < 0)
        return r;
    if (v.type != SS_JSON_TRUE && v.type != SS_JSON_FALSE)
        return SS_ESYNTAX;
    *ret = v.type == SS_JSON_TRUE;
    return 0;
}

/* Decode the base64 string value @v into @out (reset first). */
static int decode_val(const struct ss_json_val *v, struct ss_buf *out)
{
    struct ss_buf s = SS_BUF_INIT(MAX_VECTOR_BYTES);
    int r;

    ss_buf_reset(out);
    if (v->type != SS_JSON_STRING)
        return SS_ESYNTAX;
    r = ss_json_unescape(v, &s);
    if (r == 0)
        r = ss_base64_decode(s.ptr, s.len, out);
    ss_buf_release(&s);
    return r;
}

static int get_b64(const struct ss_buf *doc, const char *path, struct ss_buf *out)
{
    struct ss_json_val v;
    int r = get(doc, path, &v);

    return r < 0 ? r : decode_val(&v, out);
}

struct proof_ctx {
    uint8_t (*hashes)[SS_SHA256_LEN];
    size_t n, cap;
    bool bad_len; /* an element is not 32 bytes */
    int err;
};

static int proof_elem(void *ctx, const struct ss_json_val *val)
{
    struct proof_ctx *pc = ctx;
    struct ss_buf b = SS_BUF_INIT(MAX_VECTOR_BYTES);
    int r = decode_val(val, &b);

    if (r < 0) {
        pc->err = r;
        ss_buf_release(&b);
        return 1;
    }
    if (b.len != SS_SHA256_LEN) {
        pc->bad_len = true;
    } else {
        if (pc->n == pc->cap) {
            size_t cap = pc->cap == 0 ? 8 : 2 * pc->cap;
            void *p = ss_reallocarray(pc->hashes, cap, SS_SHA256_LEN);

            if (p == NULL) {
                pc->err = -ENOMEM;
                ss_buf_release(&b);
                return 1;
            }
            pc->hashes = p;
            pc->cap = cap;
        }
        memcpy(pc->hashes[pc->n++], b.ptr, SS_SHA256_LEN);
    }
    ss_buf_release(&b);
    return 0;
}

/* Collect "proof" (an array of base64 strings, or null). */
static int get_proof(const struct ss_buf *doc, struct proof_ctx *pc)
{
    struct ss_json_path *p = NULL;
    struct ss_json_val v;
    int r = get(doc, "proof", &v);

    if (r < 0)
        return r;
    if (v.type == SS_JSON_NULL)
        return 0;
    if (v.type != SS_JSON_ARRAY)
        return SS_ESYNTAX;
    r = ss_json_path_parse("proof[*]", 8, &p, NULL);
    if (r == 0)
        r = ss_json_get_each(doc->ptr, doc->len, p, proof_elem, pc);
    ss_json_path_free(p);
    if (r == 1 || pc->err != 0)
        return pc->err != 0 ? pc->err : SS_ESYNTAX;
    return r;
}

/* The reference tree's leaf hashes, for comparing generated proofs with happy paths. */
static uint8_t ref_leaf[8][SS_SHA256_LEN];
static bool ref_ready;

static bool generated_matches(const struct ss_buf *doc, uint64_t idx, uint64_t size,
                              const uint8_t leaf[SS_SHA256_LEN], const struct proof_ctx *pc)
{
    struct ss_merkle_proof p;
    struct ss_json_val d;

    (void)doc;
    if (!ref_ready || size == 0 || size > 8 || idx >= size ||
        memcmp(leaf, ref_leaf[idx], SS_SHA256_LEN) != 0)
        return false;
    if (get(doc, "desc", &d) < 0 || !ss_json_str_eq(&d, "happy path", 10, false))
        return false;
    if (ss_merkle_inclusion_proof((const uint8_t(*)[SS_SHA256_LEN])ref_leaf, (size_t)size,
                                  (size_t)idx, &p) != 0)
        return false;
    return p.n == pc->n && (p.n == 0 || memcmp(p.hash, pc->hashes, p.n * SS_SHA256_LEN) == 0);
}

/* For a consistency happy path over the reference tree: does PROOF(m, D[n]) equal it? */
static bool generated_cons_matches(const struct ss_buf *doc, uint64_t m, uint64_t n,
                                   const struct ss_buf *r1, const struct proof_ctx *pc)
{
    struct ss_merkle_proof p;
    struct ss_json_val d;
    uint8_t root1[SS_SHA256_LEN];

    if (!ref_ready || m == 0 || n > 8 || m > n || r1->len != SS_SHA256_LEN)
        return false;
    if (get(doc, "desc", &d) < 0 || !ss_json_str_eq(&d, "happy path", 10, false))
        return false;
    if (ss_merkle_root((const uint8_t(*)[SS_SHA256_LEN])ref_leaf, (size_t)m, root1) != 0 ||
        memcmp(root1, r1->ptr, SS_SHA256_LEN) != 0)
        return false;
    if (ss_merkle_consistency_proof((const uint8_t(*)[SS_SHA256_LEN])ref_leaf, (size_t)n, (size_t)m,
                                    &p) != 0)
        return false;
    return p.n == pc->n && (p.n == 0 || memcmp(p.hash, pc->hashes, p.n * SS_SHA256_LEN) == 0);
}

/* Run one vector; returns the verifier's outcome in *ret_err (true = rejected). */
static int run_vector(enum family fam, const struct ss_buf *doc, bool *ret_err)
{
    struct proof_ctx pc = { 0 };
    struct ss_buf leaf = SS_BUF_INIT(MAX_VECTOR_BYTES);
    struct ss_buf r1 = SS_BUF_INIT(MAX_VECTOR_BYTES);
    struct ss_buf r2 = SS_BUF_INIT(MAX_VECTOR_BYTES);
    const uint8_t(*proof)[SS_SHA256_LEN];
    uint64_t a = 0, b = 0, c = 0;
    int r, v = 0;

    r = get_proof(doc, &pc);
    if (r < 0)
        goto out;
    proof = (const uint8_t(*)[SS_SHA256_LEN])pc.hashes;
    switch (fam) {
    case F_INCL:
    case F_SUB_INCL:
        r = get_u64(doc, "leafIdx", &a);
        if (r == 0 && fam == F_INCL) {
            r = get_u64(doc, "treeSize", &c);
        } else if (r == 0) {
            r = get_u64(doc, "start", &b);
            if (r == 0)
                r = get_u64(doc, "end", &c);
        }
        if (r == 0)
            r = get_b64(doc, "leafHash", &leaf);
        if (r == 0)
            r = get_b64(doc, "root", &r1);
        if (r < 0)
            goto out;
        if (pc.bad_len || leaf.len != SS_SHA256_LEN) {
            st.n_decode_reject++;
            v = SS_EVERIFY;
        } else if (fam == F_INCL) {
            v = ss_merkle_verify_inclusion(a, c, (const uint8_t *)leaf.ptr, proof, pc.n,
                                           (const uint8_t *)r1.ptr, r1.len);
            if (v == 0 && generated_matches(doc, a, c, (const uint8_t *)leaf.ptr, &pc))
                st.n_generated_match++;
        } else {
            v = ss_merkle_verify_subtree_inclusion(a, b, c, (const uint8_t *)leaf.ptr, proof, pc.n,
                                                   (const uint8_t *)r1.ptr, r1.len);
        }
        break;
    case F_CONS:
    case F_SUB_CONS:
        if (fam == F_CONS) {
            r = get_u64(doc, "size1", &b);
            if (r == 0)
                r = get_u64(doc, "size2", &c);
        } else {
            r = get_u64(doc, "start", &a);
            if (r == 0)
                r = get_u64(doc, "end", &b);
            if (r == 0)
                r = get_u64(doc, "size", &c);
        }
        if (r == 0)
            r = get_b64(doc, "root1", &r1);
        if (r == 0)
            r = get_b64(doc, "root2", &r2);
        if (r < 0)
            goto out;
        if (pc.bad_len) {
            st.n_decode_reject++;
            v = SS_EVERIFY;
        } else if (fam == F_CONS) {
            v = ss_merkle_verify_consistency(b, c, proof, pc.n, (const uint8_t *)r1.ptr, r1.len,
                                             (const uint8_t *)r2.ptr, r2.len);
            if (v == 0 && generated_cons_matches(doc, b, c, &r1, &pc))
                st.n_generated_cons_match++;
        } else {
            v = ss_merkle_verify_subtree_consistency(a, b, c, proof, pc.n, (const uint8_t *)r1.ptr,
                                                     r1.len, (const uint8_t *)r2.ptr, r2.len);
        }
        break;
    default:
        r = -EINVAL;
        goto out;
    }
    if (v != 0 && v != SS_EVERIFY) {
        r = v;
        goto out;
    }
    *ret_err = v != 0;
out:
    ss_free(pc.hashes);
    ss_buf_release(&leaf);
    ss_buf_release(&r1);
    ss_buf_release(&r2);
    return r;
}

static int visit(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    struct ss_buf doc = SS_BUF_INIT(MAX_VECTOR_BYTES);
    size_t root_len = strlen(root_dir), plen = strlen(path);
    const char *rel;
    enum family fam = F__COUNT;
    bool want_err = false, got_err = false;
    int r;

    (void)sb;
    (void)ftw;
    if (flag != FTW_F || plen < 5 || strcmp(path + plen - 5, ".json") != 0)
        return 0;
    rel = path + root_len + 1;
    for (int f = 0; f < F__COUNT; f++) {
        size_t n = strlen(family_dir[f]);

        if (strncmp(rel, family_dir[f], n) == 0 && rel[n] == '/')
            fam = (enum family)f;
    }
    if (fam == F__COUNT) {
        fprintf(stderr, "unexpected vector file %s\n", rel);
        st.n_bad++;
        return 0;
    }
    r = read_file(path, &doc);
    if (r == 0)
        r = ss_json_validate(doc.ptr, doc.len, NULL, NULL);
    if (r == 0)
        r = get_bool(&doc, "wantErr", &want_err);
    if (r == 0)
        r = run_vector(fam, &doc, &got_err);
    if (r < 0) {
        fprintf(stderr, "%s: cannot run: %s\n", rel, ss_strerror(r));
        st.n_bad++;
    } else if (got_err != want_err) {
        fprintf(stderr, "%s: verifier %s, wantErr %s\n", rel, got_err ? "rejected" : "accepted",
                want_err ? "true" : "false");
        st.n_bad++;
    } else {
        st.n_ok[fam]++;
    }
    st.n[fam]++;
    if (want_err)
        st.n_want_err[fam]++;
    ss_buf_release(&doc);
    return 0;
}

static const char *vector_dir(void)
{
    static char dir[1024];
    struct stat sb;
    const char *corpus = ss_test_corpus();

    if (corpus[0] == '\0')
        return NULL;
    snprintf(dir, sizeof(dir), "%s/merkle/transparency-dev-merkle", corpus);
    return stat(dir, &sb) == 0 ? dir : NULL;
}

static int hex_at(const struct ss_buf *doc, const char *path, uint8_t *out, size_t max,
                  size_t *ret_len)
{
    struct ss_json_val v;
    char hex[256];
    long long n;
    int r = get(doc, path, &v);

    if (r < 0)
        return r;
    if (v.type != SS_JSON_STRING)
        return SS_ESYNTAX;
    n = ss_json_str_copy(&v, hex, sizeof(hex));
    if (n < 0 || (size_t)n >= sizeof(hex) || (size_t)n / 2 > max)
        return SS_ESYNTAX;
    r = ss_hex_decode(hex, (size_t)n, out, (size_t)n / 2);
    if (r == 0)
        *ret_len = (size_t)n / 2;
    return r;
}

static void test_reference_tree(void)
{
    const char *dir = vector_dir();
    char path[1200];
    struct ss_buf doc = SS_BUF_INIT(MAX_VECTOR_BYTES);
    uint8_t level[8][SS_SHA256_LEN];
    unsigned n_leaf = 0, n_node = 0, n_root = 0;

    if (dir == NULL)
        SS_SKIP("shared corpus merkle/ absent");
    snprintf(path, sizeof(path), "%s/rfc6962_reference_vectors.json", dir);
    ASSERT_OK(read_file(path, &doc));
    ASSERT_OK(ss_json_validate(doc.ptr, doc.len, NULL, NULL));
    /* Leaf hashes: level 0 of the node table is SHA-256(0x00 || input). */
    for (unsigned i = 0; i < 8; i++) {
        uint8_t in[64], want[SS_SHA256_LEN];
        size_t in_len, want_len;
        char p[64];

        snprintf(p, sizeof(p), "leaf_inputs_hex[%u]", i);
        ASSERT_OK(hex_at(&doc, p, in, sizeof(in), &in_len));
        snprintf(p, sizeof(p), "node_hashes_by_level_hex[0][%u]", i);
        ASSERT_OK(hex_at(&doc, p, want, sizeof(want), &want_len));
        ASSERT_EQ(want_len, SS_SHA256_LEN);
        ASSERT_OK(ss_merkle_hash_leaf(in, in_len, ref_leaf[i]));
        ASSERT_MEMEQ(ref_leaf[i], want, SS_SHA256_LEN);
        n_leaf++;
    }
    ref_ready = true;
    /* Inner levels: each node hashes its two children of the level below. */
    memcpy(level, ref_leaf, sizeof(level));
    for (unsigned lvl = 1, width = 4; width >= 1; lvl++, width /= 2) {
        for (unsigned i = 0; i < width; i++) {
            uint8_t want[SS_SHA256_LEN], got[SS_SHA256_LEN];
            size_t want_len;
            char p[64];

            snprintf(p, sizeof(p), "node_hashes_by_level_hex[%u][%u]", lvl, i);
            ASSERT_OK(hex_at(&doc, p, want, sizeof(want), &want_len));
            ASSERT_OK(ss_merkle_hash_node(level[2 * i], level[2 * i + 1], got));
            ASSERT_MEMEQ(got, want, SS_SHA256_LEN);
            memcpy(level[i], got, SS_SHA256_LEN);
            n_node++;
        }
        if (width == 1)
            break;
    }
    /* Roots of every prefix, 0..8 leaves. */
    for (unsigned n = 0; n <= 8; n++) {
        uint8_t want[SS_SHA256_LEN], got[SS_SHA256_LEN];
        size_t want_len;
        char p[64];

        snprintf(p, sizeof(p), "root_hashes_by_tree_size_hex[%u]", n);
        ASSERT_OK(hex_at(&doc, p, want, sizeof(want), &want_len));
        ASSERT_OK(ss_merkle_root((const uint8_t(*)[SS_SHA256_LEN])ref_leaf, n, got));
        ASSERT_MEMEQ(got, want, SS_SHA256_LEN);
        n_root++;
    }
    ASSERT_EQ(n_leaf, 8);
    ASSERT_EQ(n_node, 7);
    ASSERT_EQ(n_root, 9);
    ss_buf_release(&doc);
}

static void test_proof_vectors(void)
{
    const char *dir = vector_dir();
    unsigned total = 0, want_total = 0;

    if (dir == NULL)
        SS_SKIP("shared corpus merkle/ absent");
    snprintf(root_dir, sizeof(root_dir), "%s/testdata", dir);
    ASSERT_EQ(nftw(root_dir, visit, 16, FTW_PHYS), 0);
    for (int f = 0; f < F__COUNT; f++) {
        printf("%-19s %3u vectors, %3u expect an error, %3u as expected\n", family_dir[f], st.n[f],
               st.n_want_err[f], st.n_ok[f]);
        total += st.n_ok[f];
        want_total += family_want[f];
    }
    printf("rejected at decoding (hash not 32 bytes): %u; generated proofs equal to "
           "happy paths: %u inclusion, %u consistency\n",
           st.n_decode_reject, st.n_generated_match, st.n_generated_cons_match);
    ASSERT_EQ(st.n_bad, 0);
    for (int f = 0; f < F__COUNT; f++) {
        ASSERT_EQ(st.n[f], family_want[f]);
        ASSERT_EQ(st.n_ok[f], family_want[f]);
    }
    ASSERT_EQ(total, 518);
    ASSERT_EQ(want_total, 518);
    ASSERT_EQ(st.n_want_err[F_INCL], 92);
    ASSERT_EQ(st.n_want_err[F_CONS], 92);
    ASSERT_EQ(st.n_want_err[F_SUB_INCL], 192);
    ASSERT_EQ(st.n_want_err[F_SUB_CONS], 106);
    ASSERT_EQ(st.n_decode_reject, 79);
    /*
     * Our PATH and PROOF reproduce the published proofs of the reference tree exactly:
     * the happy paths of inclusion/0..4 and of consistency/0..4 (consistency/0 is the
     * 1-to-1 empty proof).
     */
    ASSERT_EQ(st.n_generated_match, 5);
    ASSERT_EQ(st.n_generated_cons_match, 5);
}

int main(void)
{
    SS_RUN(test_reference_tree);
    SS_RUN(test_proof_vectors);
    return ss_test_done();
}
