/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/merkle.c - implements RFC 6962 / RFC 9162 Merkle tree hashing, proof
 * generation (PATH and PROOF of RFC 9162 §2.1.3.1 and §2.1.4.1) and proof verification,
 * including the subtree proofs of draft-ietf-plants-merkle-tree-certs.
 *
 * Tree hashes of a leaf range are computed with a stack of perfect subtrees: leaves are
 * pushed left to right, two entries of equal size merge, and at the end the stack (sizes
 * decreasing) folds from the right. That is exactly MTH's split at the largest power of
 * two, in O(n) hashes and O(log n) memory. Verification follows the bit-walking
 * procedures of RFC 9162 §2.1.3.2 / §2.1.4.2 as restated for subtrees in the draft
 * (§4.3.2, §4.4.3); the plain procedures are the subtree ones with start = 0.
 */
#include "evidence/merkle.h"

#include "evidence/evidence_int.h"

/* One EVP context reused for every hash of one operation. */
struct hasher {
    EVP_MD_CTX *ctx;
    int err;
};

static int hasher_init(struct hasher *h)
{
    h->err = 0;
    h->ctx = EVP_MD_CTX_new();
    return h->ctx != NULL ? 0 : -ENOMEM;
}

static void hasher_release(struct hasher *h)
{
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
}

/* SHA-256(prefix || a || b) into out; a failure is latched in h->err. */
static void hash3(struct hasher *h, uint8_t prefix, const uint8_t *a, size_t a_len,
                  const uint8_t *b, size_t b_len, uint8_t out[SS_SHA256_LEN])
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned n = 0;

    if (h->err != 0)
        return;
    if (EVP_DigestInit_ex2(h->ctx, ss_evidence_md_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(h->ctx, &prefix, 1) != 1 ||
        (a_len > 0 && EVP_DigestUpdate(h->ctx, a, a_len) != 1) ||
        (b_len > 0 && EVP_DigestUpdate(h->ctx, b, b_len) != 1) ||
        EVP_DigestFinal_ex(h->ctx, d, &n) != 1 || n != SS_SHA256_LEN) {
        h->err = -ENOMEM;
        return;
    }
    memcpy(out, d, SS_SHA256_LEN);
}

static void node(struct hasher *h, const uint8_t *left, const uint8_t *right,
                 uint8_t out[SS_SHA256_LEN])
{
    hash3(h, 0x01, left, SS_SHA256_LEN, right, SS_SHA256_LEN, out);
}

int ss_merkle_hash_leaf(const void *data, size_t len, uint8_t ret[SS_SHA256_LEN])
{
    struct hasher h;
    uint8_t d[SS_SHA256_LEN];
    int r = hasher_init(&h);

    if (r == 0) {
        hash3(&h, 0x00, data, len, NULL, 0, d);
        r = h.err;
    }
    hasher_release(&h);
    if (r == 0)
        memcpy(ret, d, SS_SHA256_LEN);
    return r;
}

int ss_merkle_hash_node(const uint8_t left[SS_SHA256_LEN], const uint8_t right[SS_SHA256_LEN],
                        uint8_t ret[SS_SHA256_LEN])
{
    struct hasher h;
    uint8_t d[SS_SHA256_LEN];
    int r = hasher_init(&h);

    if (r == 0) {
        node(&h, left, right, d);
        r = h.err;
    }
    hasher_release(&h);
    if (r == 0)
        memcpy(ret, d, SS_SHA256_LEN);
    return r;
}

/* MTH of leaves[lo, hi), hi > lo; see the file comment for the stack method. */
static void range_root(struct hasher *h, const uint8_t (*leaves)[SS_SHA256_LEN], size_t lo,
                       size_t hi, uint8_t out[SS_SHA256_LEN])
{
    uint8_t stack[66][SS_SHA256_LEN];
    size_t sizes[66];
    size_t top = 0;

    SS_ASSERT(hi > lo);
    for (size_t i = lo; i < hi; i++) {
        memcpy(stack[top], leaves[i], SS_SHA256_LEN);
        sizes[top++] = 1;
        while (top >= 2 && sizes[top - 1] == sizes[top - 2]) {
            node(h, stack[top - 2], stack[top - 1], stack[top - 2]);
            sizes[top - 2] *= 2;
            top--;
        }
    }
    while (top >= 2) {
        node(h, stack[top - 2], stack[top - 1], stack[top - 2]);
        top--;
    }
    memcpy(out, stack[0], SS_SHA256_LEN);
}

/* Largest power of two strictly below n (n >= 2). */
static size_t split_point(size_t n)
{
    size_t k = 1;

    while (k * 2 < n)
        k *= 2;
    return k;
}

int ss_merkle_root(const uint8_t (*leaves)[SS_SHA256_LEN], size_t n,
                   uint8_t ret_root[SS_SHA256_LEN])
{
    struct hasher h;
    uint8_t d[SS_SHA256_LEN];
    int r;

    if ((uint64_t)n > SS_MERKLE_MAX_LEAVES)
        return SS_ELIMIT;
    if (n == 0)
        return ss_sha256("", 0, ret_root);
    r = hasher_init(&h);
    if (r == 0) {
        range_root(&h, leaves, 0, n, d);
        r = h.err;
    }
    hasher_release(&h);
    if (r == 0)
        memcpy(ret_root, d, SS_SHA256_LEN);
    return r;
}

static int proof_push(struct ss_merkle_proof *p, const uint8_t hash[SS_SHA256_LEN])
{
    if (p->n >= SS_MERKLE_MAX_PROOF)
        return SS_ELIMIT;
    memcpy(p->hash[p->n++], hash, SS_SHA256_LEN);
    return 0;
}

/* PATH(m, D[lo:hi]) appended to p: the recursion's lower levels first. */
static int path(struct hasher *h, const uint8_t (*leaves)[SS_SHA256_LEN], size_t m, size_t lo,
                size_t hi, struct ss_merkle_proof *p)
{
    uint8_t sib[SS_SHA256_LEN];
    size_t n = hi - lo, k;
    int r;

    if (n <= 1)
        return 0;
    k = split_point(n);
    if (m < k) {
        r = path(h, leaves, m, lo, lo + k, p);
        if (r < 0)
            return r;
        range_root(h, leaves, lo + k, hi, sib);
    } else {
        r = path(h, leaves, m - k, lo + k, hi, p);
        if (r < 0)
            return r;
        range_root(h, leaves, lo, lo + k, sib);
    }
    return proof_push(p, sib);
}

/* SUBPROOF(m, D[lo:hi], b) appended to p. */
static int subproof(struct hasher *h, const uint8_t (*leaves)[SS_SHA256_LEN], size_t m, size_t lo,
                    size_t hi, bool b, struct ss_merkle_proof *p)
{
    uint8_t sib[SS_SHA256_LEN];
    size_t n = hi - lo, k;
    int r;

    if (m == n) {
        if (b)
            return 0;
        range_root(h, leaves, lo, hi, sib);
        return proof_push(p, sib);
    }
    k = split_point(n);
    if (m <= k) {
        r = subproof(h, leaves, m, lo, lo + k, b, p);
        if (r < 0)
            return r;
        range_root(h, leaves, lo + k, hi, sib);
    } else {
        r = subproof(h, leaves, m - k, lo + k, hi, false, p);
        if (r < 0)
            return r;
        range_root(h, leaves, lo, lo + k, sib);
    }
    return proof_push(p, sib);
}

int ss_merkle_inclusion_proof(const uint8_t (*leaves)[SS_SHA256_LEN], size_t n, size_t index,
                              struct ss_merkle_proof *ret_proof)
{
    struct ss_merkle_proof p = { .n = 0 };
    struct hasher h;
    int r;

    if (index >= n)
        return -EINVAL;
    if ((uint64_t)n > SS_MERKLE_MAX_LEAVES)
        return SS_ELIMIT;
    r = hasher_init(&h);
    if (r == 0)
        r = path(&h, leaves, index, 0, n, &p);
    if (r == 0)
        r = h.err;
    hasher_release(&h);
    if (r == 0)
        *ret_proof = p;
    return r;
}

int ss_merkle_consistency_proof(const uint8_t (*leaves)[SS_SHA256_LEN], size_t n, size_t m,
                                struct ss_merkle_proof *ret_proof)
{
    struct ss_merkle_proof p = { .n = 0 };
    struct hasher h;
    int r;

    if (m == 0 || m > n)
        return -EINVAL;
    if ((uint64_t)n > SS_MERKLE_MAX_LEAVES)
        return SS_ELIMIT;
    r = hasher_init(&h);
    if (r == 0)
        r = subproof(&h, leaves, m, 0, n, true, &p);
    if (r == 0)
        r = h.err;
    hasher_release(&h);
    if (r == 0)
        *ret_proof = p;
    return r;
}

bool ss_merkle_subtree_valid(uint64_t start, uint64_t end)
{
    uint64_t size, ceil = 1;

    if (start >= end)
        return false;
    size = end - start;
    if (size > (UINT64_C(1) << 63))
        return start == 0; /* BIT_CEIL is 2^64: only 0 is a multiple */
    while (ceil < size)
        ceil <<= 1;
    return (start & (ceil - 1)) == 0;
}

static bool bytes_eq(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

/* §4.3.2: evaluate a subtree inclusion proof into out. 0, SS_EVERIFY or -ENOMEM. */
static int eval_inclusion(struct hasher *h, uint64_t index, uint64_t start, uint64_t end,
                          const uint8_t leaf_hash[SS_SHA256_LEN],
                          const uint8_t (*proof)[SS_SHA256_LEN], size_t n_proof,
                          uint8_t out[SS_SHA256_LEN])
{
    uint64_t fn, sn;
    uint8_t r[SS_SHA256_LEN];

    if (!ss_merkle_subtree_valid(start, end) || index < start || index >= end)
        return SS_EVERIFY;
    fn = index - start;
    sn = end - start - 1;
    memcpy(r, leaf_hash, SS_SHA256_LEN);
    for (size_t i = 0; i < n_proof; i++) {
        if (sn == 0)
            return SS_EVERIFY;
        if ((fn & 1) != 0 || fn == sn) {
            node(h, proof[i], r, r);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            node(h, r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return SS_EVERIFY;
    if (h->err != 0)
        return h->err;
    memcpy(out, r, SS_SHA256_LEN);
    return 0;
}

int ss_merkle_verify_subtree_inclusion(uint64_t index, uint64_t start, uint64_t end,
                                       const uint8_t leaf_hash[SS_SHA256_LEN],
                                       const uint8_t (*proof)[SS_SHA256_LEN], size_t n_proof,
                                       const uint8_t *root, size_t root_len)
{
    struct hasher h;
    uint8_t got[SS_SHA256_LEN];
    int r = hasher_init(&h);

    if (r == 0)
        r = eval_inclusion(&h, index, start, end, leaf_hash, proof, n_proof, got);
    hasher_release(&h);
    if (r < 0)
        return r;
    return bytes_eq(got, sizeof(got), root, root_len) ? 0 : SS_EVERIFY;
}

int ss_merkle_verify_inclusion(uint64_t index, uint64_t size,
                               const uint8_t leaf_hash[SS_SHA256_LEN],
                               const uint8_t (*proof)[SS_SHA256_LEN], size_t n_proof,
                               const uint8_t *root, size_t root_len)
{
    return ss_merkle_verify_subtree_inclusion(index, 0, size, leaf_hash, proof, n_proof, root,
                                              root_len);
}

static const uint8_t empty_tree_hash[SS_SHA256_LEN] = {
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};

/* A hash value that is either borrowed from the caller (any length) or computed. */
struct hval {
    const uint8_t *ptr;
    size_t len;
    uint8_t buf[SS_SHA256_LEN];
};

static void hval_node(struct hasher *h, const uint8_t *left, size_t left_len, const uint8_t *right,
                      size_t right_len, struct hval *out)
{
    uint8_t d[SS_SHA256_LEN];

    hash3(h, 0x01, left, left_len, right, right_len, d);
    memcpy(out->buf, d, SS_SHA256_LEN);
    out->ptr = out->buf;
    out->len = SS_SHA256_LEN;
}

static int verify_subtree_consistency(struct hasher *h, uint64_t start, uint64_t end, uint64_t size,
                                      const uint8_t (*proof)[SS_SHA256_LEN], size_t n_proof,
                                      const uint8_t *node_hash, size_t node_hash_len,
                                      const uint8_t *root, size_t root_len)
{
    struct hval fr, sr;
    uint64_t fn, sn, tn;
    size_t i = 0;

    if (!ss_merkle_subtree_valid(start, end) || end > size)
        return SS_EVERIFY;
    fn = start;
    sn = end - 1;
    tn = size - 1;
    if (sn == tn) {
        while (fn != sn) {
            fn >>= 1;
            sn >>= 1;
            tn >>= 1;
        }
    } else {
        while (fn != sn && (sn & 1) != 0) {
            fn >>= 1;
            sn >>= 1;
            tn >>= 1;
        }
    }
    if (fn == sn) {
        fr = (struct hval){ .ptr = node_hash, .len = node_hash_len };
    } else {
        if (n_proof == 0)
            return SS_EVERIFY;
        memcpy(fr.buf, proof[0], SS_SHA256_LEN);
        fr.ptr = fr.buf;
        fr.len = SS_SHA256_LEN;
        i = 1;
    }
    sr = fr;
    if (sr.ptr == fr.buf)
        sr.ptr = sr.buf;
    for (; i < n_proof; i++) {
        if (tn == 0)
            return SS_EVERIFY;
        if ((sn & 1) != 0 || sn == tn) {
            if (fn < sn)
                hval_node(h, proof[i], SS_SHA256_LEN, fr.ptr, fr.len, &fr);
            hval_node(h, proof[i], SS_SHA256_LEN, sr.ptr, sr.len, &sr);
            while ((sn & 1) == 0 && sn != 0) {
                fn >>= 1;
                sn >>= 1;
                tn >>= 1;
            }
        } else {
            hval_node(h, sr.ptr, sr.len, proof[i], SS_SHA256_LEN, &sr);
        }
        fn >>= 1;
        sn >>= 1;
        tn >>= 1;
    }
    if (h->err != 0)
        return h->err;
    if (tn != 0 || !bytes_eq(fr.ptr, fr.len, node_hash, node_hash_len) ||
        !bytes_eq(sr.ptr, sr.len, root, root_len))
        return SS_EVERIFY;
    return 0;
}

int ss_merkle_verify_subtree_consistency(uint64_t start, uint64_t end, uint64_t size,
                                         const uint8_t (*proof)[SS_SHA256_LEN], size_t n_proof,
                                         const uint8_t *node_hash, size_t node_hash_len,
                                         const uint8_t *root, size_t root_len)
{
    struct hasher h;
    int r;

    if (start == end) {
        /* The empty subtree is contained in every tree it does not extend past. */
        if (end > size || n_proof != 0 ||
            !bytes_eq(node_hash, node_hash_len, empty_tree_hash, sizeof(empty_tree_hash)))
            return SS_EVERIFY;
        return 0;
    }
    r = hasher_init(&h);
    if (r == 0)
        r = verify_subtree_consistency(&h, start, end, size, proof, n_proof, node_hash,
                                       node_hash_len, root, root_len);
    hasher_release(&h);
    return r;
}

int ss_merkle_verify_consistency(uint64_t size1, uint64_t size2,
                                 const uint8_t (*proof)[SS_SHA256_LEN], size_t n_proof,
                                 const uint8_t *root1, size_t root1_len, const uint8_t *root2,
                                 size_t root2_len)
{
    if (size1 == 0)
        return SS_EVERIFY;
    return ss_merkle_verify_subtree_consistency(0, size1, size2, proof, n_proof, root1, root1_len,
                                                root2, root2_len);
}
