/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/merkle.h - RFC 6962 / RFC 9162 Merkle trees over SHA-256: tree hash, inclusion
 * and consistency proofs (generation and verification), and the verification of subtree
 * proofs (draft-ietf-plants-merkle-tree-certs §4.3, §4.4).
 *
 * Hashing: a leaf is SHA-256(0x00 || leaf data), an inner node SHA-256(0x01 || left ||
 * right), and the tree of no leaves hashes to SHA-256(""). A tree of n leaves splits at
 * k, the largest power of two below n (RFC 9162 §2.1.1).
 *
 * Generation works on an array of leaf hashes held by the caller; it allocates nothing
 * and costs O(n) hashes per call. Proofs are fixed-size values (struct ss_merkle_proof).
 * Verification takes everything from the party presenting the proof: leaf and proof
 * hashes are 32 bytes by type, roots are byte strings of any length (a root that is not
 * 32 bytes can only match where the algorithm compares two given roots directly).
 *
 * Every function is reentrant and thread-safe. Errors: SS_EVERIFY (the proof does not
 * verify, or its shape is wrong for the sizes), SS_ELIMIT (sizes beyond the caps),
 * -EINVAL (arguments out of range in generation), -ENOMEM (OpenSSL failure).
 */
#ifndef SS_EVIDENCE_MERKLE_H
#define SS_EVIDENCE_MERKLE_H

#include "core/base.h"
#include "evidence/sha256.h"

/** Most hashes in a proof we generate or accept (64-bit tree sizes need at most 65). */
#define SS_MERKLE_MAX_PROOF 72
/** Most leaves of a tree we build. */
#define SS_MERKLE_MAX_LEAVES ((uint64_t)1 << 40)

/** A proof: @n hashes, ordered from the leaf (or old root) upwards as in RFC 9162. */
struct ss_merkle_proof {
    size_t n;
    uint8_t hash[SS_MERKLE_MAX_PROOF][SS_SHA256_LEN];
};

/** Leaf hash SHA-256(0x00 || @data[0..len)) into @ret. Returns 0 or -ENOMEM. */
SS_MUST_USE int ss_merkle_hash_leaf(const void *data, size_t len, uint8_t ret[SS_SHA256_LEN]);
/** Node hash SHA-256(0x01 || @left || @right) into @ret. Returns 0 or -ENOMEM. */
SS_MUST_USE int ss_merkle_hash_node(const uint8_t left[SS_SHA256_LEN],
                                    const uint8_t right[SS_SHA256_LEN], uint8_t ret[SS_SHA256_LEN]);

/**
 * The Merkle Tree Hash of the @n leaf hashes at @leaves (borrowed) into @ret_root;
 * n == 0 gives SHA-256(""). Returns 0, SS_ELIMIT (n > SS_MERKLE_MAX_LEAVES) or -ENOMEM.
 */
SS_MUST_USE int ss_merkle_root(const uint8_t (*leaves)[SS_SHA256_LEN], size_t n,
                               uint8_t ret_root[SS_SHA256_LEN]);

/**
 * The inclusion proof PATH(@index, D[n]) of leaf @index in the tree of the @n leaves at
 * @leaves, into *ret_proof. Returns 0, -EINVAL (index >= n), SS_ELIMIT or -ENOMEM.
 */
SS_MUST_USE int ss_merkle_inclusion_proof(const uint8_t (*leaves)[SS_SHA256_LEN], size_t n,
                                          size_t index, struct ss_merkle_proof *ret_proof);

/**
 * The consistency proof PROOF(@m, D[n]) that the tree of the first @m leaves is a prefix
 * of the tree of all @n, into *ret_proof. Requires 0 < m <= n (m == n gives the empty
 * proof). Returns 0, -EINVAL, SS_ELIMIT or -ENOMEM.
 */
SS_MUST_USE int ss_merkle_consistency_proof(const uint8_t (*leaves)[SS_SHA256_LEN], size_t n,
                                            size_t m, struct ss_merkle_proof *ret_proof);

/**
 * Verify that @leaf_hash is leaf @index of the tree of @size leaves whose root is
 * @root[0..root_len), given the @n_proof hashes at @proof (RFC 9162 §2.1.3.2).
 * Returns 0, SS_EVERIFY or -ENOMEM.
 */
SS_MUST_USE int ss_merkle_verify_inclusion(uint64_t index, uint64_t size,
                                           const uint8_t leaf_hash[SS_SHA256_LEN],
                                           const uint8_t (*proof)[SS_SHA256_LEN], size_t n_proof,
                                           const uint8_t *root, size_t root_len);

/**
 * Verify that the tree of @size1 leaves with root @root1 is a prefix of the tree of
 * @size2 leaves with root @root2 (RFC 9162 §2.1.4.2). size1 == 0 never verifies (a
 * proof from the empty tree proves nothing); size1 == size2 needs an empty proof and
 * equal roots. Returns 0, SS_EVERIFY or -ENOMEM.
 */
SS_MUST_USE int ss_merkle_verify_consistency(uint64_t size1, uint64_t size2,
                                             const uint8_t (*proof)[SS_SHA256_LEN], size_t n_proof,
                                             const uint8_t *root1, size_t root1_len,
                                             const uint8_t *root2, size_t root2_len);

/**
 * Whether [@start, @end) is a valid subtree: start < end and start is a multiple of
 * BIT_CEIL(end - start).
 */
bool ss_merkle_subtree_valid(uint64_t start, uint64_t end);

/**
 * Verify a subtree inclusion proof: @leaf_hash is entry @index of the subtree
 * [@start, @end) whose hash is @root (draft-ietf-plants-merkle-tree-certs §4.3.3).
 * Returns 0, SS_EVERIFY or -ENOMEM.
 */
SS_MUST_USE int ss_merkle_verify_subtree_inclusion(uint64_t index, uint64_t start, uint64_t end,
                                                   const uint8_t leaf_hash[SS_SHA256_LEN],
                                                   const uint8_t (*proof)[SS_SHA256_LEN],
                                                   size_t n_proof, const uint8_t *root,
                                                   size_t root_len);

/**
 * Verify a subtree consistency proof: the subtree [@start, @end) with hash @node_hash
 * is consistent with the tree of @size leaves with root @root (§4.4.3). An empty
 * subtree (start == end <= size) is consistent with any tree when @node_hash is
 * SHA-256("") and the proof is empty. Returns 0, SS_EVERIFY or -ENOMEM.
 */
SS_MUST_USE int ss_merkle_verify_subtree_consistency(uint64_t start, uint64_t end, uint64_t size,
                                                     const uint8_t (*proof)[SS_SHA256_LEN],
                                                     size_t n_proof, const uint8_t *node_hash,
                                                     size_t node_hash_len, const uint8_t *root,
                                                     size_t root_len);

#endif
