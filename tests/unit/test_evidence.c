/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_evidence.c - unit tests of the evidence area: SHA-256 streams, RFC 6962
 * Merkle trees and proofs.
 */
#include "ss_test.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/ss_time.h"
#include "evidence/base64.h"
#include "evidence/dsse.h"
#include "evidence/evidence.h"
#include "evidence/jcs.h"
#include "evidence/merkle.h"
#include "evidence/sha256.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void hex_of(const uint8_t d[SS_SHA256_LEN], char out[SS_SHA256_HEX_SIZE])
{
    ss_sha256_hex(d, out);
}

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

/* ---- SHA-256 ---- */

static void test_sha256_vectors(void)
{
    uint8_t d[SS_SHA256_LEN];
    char hex[SS_SHA256_HEX_SIZE];

    ASSERT_OK(ss_sha256("", 0, d));
    hex_of(d, hex);
    ASSERT_STREQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ASSERT_OK(ss_sha256("abc", 3, d));
    hex_of(d, hex);
    ASSERT_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ASSERT_OK(ss_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d));
    hex_of(d, hex);
    ASSERT_STREQ(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256_stream(void)
{
    struct ss_sha256 h;
    uint8_t d[SS_SHA256_LEN], d2[SS_SHA256_LEN];
    char hex[SS_SHA256_HEX_SIZE];
    char block[1000];

    /* One million 'a' fed in uneven pieces (FIPS 180-2 test vector). */
    memset(block, 'a', sizeof(block));
    ASSERT_OK(ss_sha256_init(&h));
    for (size_t fed = 0; fed < 1000000;) {
        size_t n = SS_MIN((size_t)(fed % 997) + 1, 1000000 - fed);

        ss_sha256_observe(&h, (const uint8_t *)block, n);
        fed += n;
    }
    ASSERT_U64_EQ(h.n_bytes, 1000000);
    ASSERT_OK(ss_sha256_final(&h, d));
    hex_of(d, hex);
    ASSERT_STREQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* The context starts a new message after final. */
    ASSERT_U64_EQ(h.n_bytes, 0);
    ss_sha256_update(&h, "ab", 2);
    ss_sha256_update(&h, "", 0);
    ss_sha256_update(&h, "c", 1);
    ASSERT_OK(ss_sha256_final(&h, d2));
    hex_of(d2, hex);
    ASSERT_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ss_sha256_release(&h);
    ss_sha256_release(&h); /* idempotent */
}

static void test_sha256_file(void)
{
    char path[512];
    uint8_t d[SS_SHA256_LEN];
    uint64_t size = 99;
    char hex[SS_SHA256_HEX_SIZE];
    struct ss_buf big = SS_BUF_INIT((size_t)8 << 20);

    snprintf(path, sizeof(path), "%s/abc.bin", ss_test_tmpdir());
    ASSERT_OK(write_file(path, "abc", 3));
    ASSERT_OK(ss_sha256_file(path, d, &size));
    ASSERT_U64_EQ(size, 3);
    hex_of(d, hex);
    ASSERT_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    /* A file bigger than the read chunk: 3 MiB + 5 of 'a'; compare with one-shot. */
    for (size_t i = 0; i < ((size_t)3 << 20) + 5; i++)
        ASSERT_OK(ss_buf_putc(&big, 'a'));
    snprintf(path, sizeof(path), "%s/big.bin", ss_test_tmpdir());
    ASSERT_OK(write_file(path, big.ptr, big.len));
    ASSERT_OK(ss_sha256_file(path, d, &size));
    ASSERT_U64_EQ(size, ((size_t)3 << 20) + 5);
    {
        uint8_t d2[SS_SHA256_LEN];

        ASSERT_OK(ss_sha256(big.ptr, big.len, d2));
        ASSERT_MEMEQ(d, d2, SS_SHA256_LEN);
    }
    ss_buf_release(&big);

    snprintf(path, sizeof(path), "%s/missing.bin", ss_test_tmpdir());
    ASSERT_EQ(ss_sha256_file(path, d, &size), -ENOENT);
}

static void test_sha256_hex(void)
{
    uint8_t d[SS_SHA256_LEN], back[SS_SHA256_LEN];
    char hex[SS_SHA256_HEX_SIZE];

    ASSERT_OK(ss_sha256("abc", 3, d));
    hex_of(d, hex);
    ASSERT_OK(ss_sha256_from_hex(hex, 64, back));
    ASSERT_MEMEQ(d, back, SS_SHA256_LEN);
    ASSERT_EQ(ss_sha256_from_hex(hex, 63, back), SS_ESYNTAX);
    hex[10] = 'A'; /* upper case is not our spelling */
    ASSERT_EQ(ss_sha256_from_hex(hex, 64, back), SS_ESYNTAX);
    hex[10] = 'g';
    ASSERT_EQ(ss_sha256_from_hex(hex, 64, back), SS_ESYNTAX);
}

/* ---- Merkle ---- */

/* The RFC 6962 reference tree (transparency-dev/merkle testonly constants). */
static const char *const ref_leaf_hex[8] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};
static const char *const ref_root_hex[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static int ref_leaves(uint8_t leaves[8][SS_SHA256_LEN])
{
    for (size_t i = 0; i < 8; i++) {
        uint8_t data[16];
        size_t len = strlen(ref_leaf_hex[i]) / 2;
        int r = ss_hex_decode(ref_leaf_hex[i], 2 * len, data, len);

        if (r == 0)
            r = ss_merkle_hash_leaf(data, len, leaves[i]);
        if (r < 0)
            return r;
    }
    return 0;
}

static void test_merkle_reference_tree(void)
{
    uint8_t leaves[8][SS_SHA256_LEN];
    uint8_t root[SS_SHA256_LEN];
    char hex[SS_SHA256_HEX_SIZE];

    ASSERT_OK(ref_leaves(leaves));
    hex_of(leaves[0], hex);
    ASSERT_STREQ(hex, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    for (size_t n = 0; n <= 8; n++) {
        ASSERT_OK(ss_merkle_root((const uint8_t(*)[SS_SHA256_LEN])leaves, n, root));
        hex_of(root, hex);
        ASSERT_STREQ(hex, ref_root_hex[n]);
    }
}

/* MTH by the recursive definition, as an independent check of the stack method. */
static int ref_mth(const uint8_t (*leaves)[SS_SHA256_LEN], size_t n, uint8_t out[SS_SHA256_LEN])
{
    uint8_t l[SS_SHA256_LEN], r[SS_SHA256_LEN];
    size_t k = 1;
    int e;

    if (n == 1) {
        memcpy(out, leaves[0], SS_SHA256_LEN);
        return 0;
    }
    while (k * 2 < n)
        k *= 2;
    e = ref_mth(leaves, k, l);
    if (e == 0)
        e = ref_mth(leaves + k, n - k, r);
    if (e == 0)
        e = ss_merkle_hash_node(l, r, out);
    return e;
}

#define N_PROP 70

static void test_merkle_proofs_roundtrip(void)
{
    uint8_t(*leaves)[SS_SHA256_LEN] = ss_calloc(N_PROP, SS_SHA256_LEN);
    uint8_t roots[N_PROP + 1][SS_SHA256_LEN];
    struct ss_merkle_proof p;
    uint64_t n_checked = 0;

    ASSERT_TRUE(leaves != NULL);
    for (size_t i = 0; i < N_PROP; i++) {
        uint8_t b[2] = { (uint8_t)i, (uint8_t)(i >> 8) };

        ASSERT_OK(ss_merkle_hash_leaf(b, sizeof(b), leaves[i]));
    }
    for (size_t n = 1; n <= N_PROP; n++) {
        uint8_t want[SS_SHA256_LEN];

        ASSERT_OK(ss_merkle_root((const uint8_t(*)[SS_SHA256_LEN])leaves, n, roots[n]));
        ASSERT_OK(ref_mth((const uint8_t(*)[SS_SHA256_LEN])leaves, n, want));
        ASSERT_MEMEQ(roots[n], want, SS_SHA256_LEN);
    }
    for (size_t n = 1; n <= N_PROP; n++) {
        const uint8_t(*lv)[SS_SHA256_LEN] = (const uint8_t(*)[SS_SHA256_LEN])leaves;

        for (size_t i = 0; i < n; i++) {
            ASSERT_OK(ss_merkle_inclusion_proof(lv, n, i, &p));
            ASSERT_OK(ss_merkle_verify_inclusion(i, n, leaves[i],
                                                 (const uint8_t(*)[SS_SHA256_LEN])p.hash, p.n,
                                                 roots[n], SS_SHA256_LEN));
            /*
             * Wrong index, wrong leaf, flipped proof byte: all rejected. (A wrong size
             * is not always detectable: the proof may also fit a bigger tree whose right
             * part hashes to the same value; the signed root binds the size.)
             */
            ASSERT_EQ(ss_merkle_verify_inclusion(i + 1, n, leaves[i],
                                                 (const uint8_t(*)[SS_SHA256_LEN])p.hash, p.n,
                                                 roots[n], SS_SHA256_LEN),
                      SS_EVERIFY);
            ASSERT_EQ(ss_merkle_verify_inclusion(i, n, leaves[(i + 1) % N_PROP],
                                                 (const uint8_t(*)[SS_SHA256_LEN])p.hash, p.n,
                                                 roots[n], SS_SHA256_LEN),
                      SS_EVERIFY);
            if (p.n > 0) {
                p.hash[p.n - 1][7] ^= 0x10;
                ASSERT_EQ(ss_merkle_verify_inclusion(i, n, leaves[i],
                                                     (const uint8_t(*)[SS_SHA256_LEN])p.hash, p.n,
                                                     roots[n], SS_SHA256_LEN),
                          SS_EVERIFY);
            }
            n_checked++;
        }
        for (size_t m = 1; m <= n; m++) {
            ASSERT_OK(ss_merkle_consistency_proof(lv, n, m, &p));
            ASSERT_OK(ss_merkle_verify_consistency(m, n, (const uint8_t(*)[SS_SHA256_LEN])p.hash,
                                                   p.n, roots[m], SS_SHA256_LEN, roots[n],
                                                   SS_SHA256_LEN));
            if (m == n)
                ASSERT_EQ(p.n, 0);
            if (m < n) {
                ASSERT_EQ(ss_merkle_verify_consistency(
                              m, n, (const uint8_t(*)[SS_SHA256_LEN])p.hash, p.n, roots[m],
                              SS_SHA256_LEN, roots[n - 1], SS_SHA256_LEN),
                          SS_EVERIFY);
                p.hash[0][0] ^= 1;
                ASSERT_EQ(
                    ss_merkle_verify_consistency(m, n, (const uint8_t(*)[SS_SHA256_LEN])p.hash, p.n,
                                                 roots[m], SS_SHA256_LEN, roots[n], SS_SHA256_LEN),
                    SS_EVERIFY);
            }
            n_checked++;
        }
    }
    /* sum(n) + sum(n) for n = 1..70 */
    ASSERT_U64_EQ(n_checked, 2 * (N_PROP * (N_PROP + 1) / 2));
    ASSERT_EQ(ss_merkle_inclusion_proof((const uint8_t(*)[SS_SHA256_LEN])leaves, 5, 5, &p),
              -EINVAL);
    ASSERT_EQ(ss_merkle_consistency_proof((const uint8_t(*)[SS_SHA256_LEN])leaves, 5, 0, &p),
              -EINVAL);
    ASSERT_EQ(ss_merkle_consistency_proof((const uint8_t(*)[SS_SHA256_LEN])leaves, 5, 6, &p),
              -EINVAL);
    ss_free(leaves);
}

static void test_merkle_subtree(void)
{
    uint8_t leaves[8][SS_SHA256_LEN];
    const uint8_t(*lv)[SS_SHA256_LEN] = (const uint8_t(*)[SS_SHA256_LEN])leaves;
    uint8_t sub[SS_SHA256_LEN], root[SS_SHA256_LEN];
    struct ss_merkle_proof p;

    ASSERT_TRUE(ss_merkle_subtree_valid(0, 13));
    ASSERT_TRUE(ss_merkle_subtree_valid(4, 8));
    ASSERT_TRUE(ss_merkle_subtree_valid(8, 13));
    ASSERT_TRUE(!ss_merkle_subtree_valid(4, 9));
    ASSERT_TRUE(!ss_merkle_subtree_valid(1, 3));
    ASSERT_TRUE(!ss_merkle_subtree_valid(3, 3));
    ASSERT_TRUE(!ss_merkle_subtree_valid(1, UINT64_MAX));
    ASSERT_TRUE(ss_merkle_subtree_valid(0, UINT64_MAX));

    /* Entry 6 of subtree [4, 8): the proof is PATH(2, D[4:8]). */
    ASSERT_OK(ref_leaves(leaves));
    ASSERT_OK(ss_merkle_root(lv + 4, 4, sub));
    ASSERT_OK(ss_merkle_inclusion_proof(lv + 4, 4, 2, &p));
    ASSERT_OK(ss_merkle_verify_subtree_inclusion(
        6, 4, 8, leaves[6], (const uint8_t(*)[SS_SHA256_LEN])p.hash, p.n, sub, SS_SHA256_LEN));
    ASSERT_EQ(ss_merkle_verify_subtree_inclusion(6, 4, 9, leaves[6],
                                                 (const uint8_t(*)[SS_SHA256_LEN])p.hash, p.n, sub,
                                                 SS_SHA256_LEN),
              SS_EVERIFY);
    /* Subtree [4, 8) of the 8-tree: the consistency proof is {MTH(D[0:4])}. */
    ASSERT_OK(ss_merkle_root(lv, 8, root));
    ASSERT_OK(ss_merkle_root(lv, 4, p.hash[0]));
    p.n = 1;
    ASSERT_OK(ss_merkle_verify_subtree_consistency(4, 8, 8, (const uint8_t(*)[SS_SHA256_LEN])p.hash,
                                                   p.n, sub, SS_SHA256_LEN, root, SS_SHA256_LEN));
    ASSERT_EQ(ss_merkle_verify_subtree_consistency(4, 8, 7, (const uint8_t(*)[SS_SHA256_LEN])p.hash,
                                                   p.n, sub, SS_SHA256_LEN, root, SS_SHA256_LEN),
              SS_EVERIFY);
}

/* ---- base64 ---- */

static void test_base64(void)
{
    static const struct {
        const char *raw, *enc;
    } v[] = { { "", "" },
              { "f", "Zg==" },
              { "fo", "Zm8=" },
              { "foo", "Zm9v" },
              { "foob", "Zm9vYg==" },
              { "fooba", "Zm9vYmE=" },
              { "foobar", "Zm9vYmFy" } };
    static const char *const bad[] = { "Zg=",  "Zg=a",     "Z===",     "Zh==", "Zm9=", "Zm 9v",
                                       "=Zm9", "Zm9v====", "Zg==Zg==", "Zm8-", "Zm8_" };
    struct ss_buf b = SS_BUF_INIT(1024);

    for (size_t i = 0; i < SS_ARRAY_LEN(v); i++) {
        ss_buf_reset(&b);
        ASSERT_OK(ss_base64_encode((const uint8_t *)v[i].raw, strlen(v[i].raw), &b));
        ASSERT_STREQ(b.ptr, v[i].enc);
        ss_buf_reset(&b);
        ASSERT_OK(ss_base64_decode(v[i].enc, strlen(v[i].enc), &b));
        ASSERT_EQ(b.len, strlen(v[i].raw));
        ASSERT_MEMEQ(b.ptr, v[i].raw, b.len);
    }
    for (size_t i = 0; i < SS_ARRAY_LEN(bad); i++) {
        ss_buf_reset(&b);
        ASSERT_EQ(ss_base64_decode(bad[i], strlen(bad[i]), &b), SS_ESYNTAX);
        ASSERT_EQ(b.len, 0);
    }
    /* All 256 byte values round-trip. */
    {
        uint8_t all[256];
        struct ss_buf e = SS_BUF_INIT(1024);

        for (int i = 0; i < 256; i++)
            all[i] = (uint8_t)i;
        ASSERT_OK(ss_base64_encode(all, sizeof(all), &e));
        ASSERT_EQ(e.len, 344);
        ss_buf_reset(&b);
        ASSERT_OK(ss_base64_decode(e.ptr, e.len, &b));
        ASSERT_EQ(b.len, 256);
        ASSERT_MEMEQ(b.ptr, all, 256);
        ss_buf_release(&e);
    }
    ss_buf_release(&b);
}

/* ---- JCS ---- */

static void test_jcs_numbers(void)
{
    static const struct {
        double x;
        const char *want;
    } v[] = {
        { 0.0, "0" },
        { -0.0, "0" },
        { 1.0, "1" },
        { -1.5, "-1.5" },
        { 1e21, "1e+21" },
        { 1e20, "100000000000000000000" },
        { 333333333.33333329, "333333333.3333333" },
        { 1e30, "1e+30" },
        { 4.50, "4.5" },
        { 2e-3, "0.002" },
        { 0.000000000000000000000000001, "1e-27" },
        { 5e-324, "5e-324" },
        { 1.7976931348623157e308, "1.7976931348623157e+308" },
        { -1e-7, "-1e-7" },
        { 0.000001, "0.000001" },
        { 1e-7, "1e-7" },
        { 9007199254740992.0, "9007199254740992" },
        { 295147905179352830000.0, "295147905179352830000" },
        { 0.1 + 0.2, "0.30000000000000004" },
        { 123456789012345680000.0, "123456789012345680000" },
        { 1.5e-10, "1.5e-10" },
    };
    struct ss_buf b = SS_BUF_INIT(1024);

    for (size_t i = 0; i < SS_ARRAY_LEN(v); i++) {
        ss_buf_reset(&b);
        ASSERT_OK(ss_jcs_put_double(&b, v[i].x));
        ASSERT_STREQ(b.ptr, v[i].want);
    }
    ss_buf_reset(&b);
    ASSERT_OK(ss_jcs_put_u64(&b, SS_JCS_MAX_SAFE_INT));
    ASSERT_STREQ(b.ptr, "9007199254740991");
    ASSERT_EQ(ss_jcs_put_u64(&b, SS_JCS_MAX_SAFE_INT + 1), SS_ELIMIT);
    ss_buf_release(&b);
}

static void test_jcs_strings(void)
{
    struct ss_buf b = SS_BUF_INIT(1024);

    ASSERT_OK(ss_jcs_put_str(&b, "a\"b\\c\b\f\n\r\t\x01\x1f/\x7f", 14));
    ASSERT_STREQ(b.ptr, "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f/\x7f\"");
    ss_buf_reset(&b);
    /* Valid UTF-8 is kept raw (incl. U+2028 and an emoji); invalid bytes become U+FFFD. */
    ASSERT_OK(ss_jcs_put_cstr(&b, "\xe2\x82\xac\xe2\x80\xa8\xf0\x9f\x98\x80"));
    ASSERT_STREQ(b.ptr, "\"\xe2\x82\xac\xe2\x80\xa8\xf0\x9f\x98\x80\"");
    ss_buf_reset(&b);
    ASSERT_OK(ss_jcs_put_cstr(&b, "a\xff"
                                  "b\xc0\xaf"
                                  "c\xed\xa0\x80"
                                  "d\xe2\x82"));
    ASSERT_STREQ(b.ptr, "\"a\xef\xbf\xbd"
                        "b\xef\xbf\xbd\xef\xbf\xbd"
                        "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                        "d\xef\xbf\xbd\xef\xbf\xbd\"");
    ss_buf_reset(&b);
    ASSERT_OK(ss_jcs_put_cstr(&b, NULL));
    ASSERT_STREQ(b.ptr, "\"\"");
    ss_buf_release(&b);
}

static void test_jcs_canonicalize(void)
{
    /* RFC 8785 §3.2.2 and §3.2.3 examples. */
    static const char in1[] =
        "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
        "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
        "  \"literals\": [null, true, false]\n}";
    static const char want1[] =
        "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
        "\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
    static const char in2[] = "{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", "
                              "\"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\", \"1\": \"One\", "
                              "\"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\": "
                              "\"Control\", \"\\u00f6\": \"Latin Small Letter O With "
                              "Diaeresis\"}";
    static const char want2[] =
        "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\",\"\xc3\xb6\":"
        "\"Latin Small Letter O With Diaeresis\",\"\xe2\x82\xac\":\"Euro Sign\","
        "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\",\"\xef\xac\xb3\":\"Hebrew Letter Dalet "
        "With Dagesh\"}";
    struct ss_buf b = SS_BUF_INIT(4096);
    struct ss_diag d;

    ASSERT_OK(ss_jcs_canonicalize(in1, strlen(in1), &b, NULL));
    ASSERT_STREQ(b.ptr, want1);
    ss_buf_reset(&b);
    ASSERT_OK(ss_jcs_canonicalize(in2, strlen(in2), &b, NULL));
    ASSERT_STREQ(b.ptr, want2);
    ss_buf_reset(&b);
    {
        static const char in3[] = " {\"b\":[{\"z\":1,\"a\":{}},[]],\"a\":-0.0} ";

        ASSERT_OK(ss_jcs_canonicalize(in3, strlen(in3), &b, NULL));
    }
    ASSERT_STREQ(b.ptr, "{\"a\":0,\"b\":[{\"a\":{},\"z\":1},[]]}");
    ss_buf_reset(&b);
    ASSERT_OK(ss_buf_puts(&b, "keep"));
    ss_diag_clear(&d);
    ASSERT_EQ(ss_jcs_canonicalize("{\"a\":1,\"a\":2}", 13, &b, &d), SS_ESYNTAX);
    ASSERT_STREQ(b.ptr, "keep");
    ASSERT_STREQ(d.msg, "duplicate member name");
    ASSERT_EQ(ss_jcs_canonicalize("{\"a\":1,}", 8, &b, NULL), SS_ESYNTAX);
    ASSERT_EQ(ss_jcs_canonicalize("[1e400]", 7, &b, NULL), SS_ELIMIT);
    ASSERT_STREQ(b.ptr, "keep");
    /* Nesting cap. */
    {
        struct ss_buf deep = SS_BUF_INIT(4096);

        for (int i = 0; i < SS_JCS_MAX_DEPTH + 2; i++)
            ASSERT_OK(ss_buf_putc(&deep, '['));
        for (int i = 0; i < SS_JCS_MAX_DEPTH + 2; i++)
            ASSERT_OK(ss_buf_putc(&deep, ']'));
        ASSERT_EQ(ss_jcs_canonicalize(deep.ptr, deep.len, &b, NULL), SS_ELIMIT);
        ss_buf_release(&deep);
    }
    ASSERT_TRUE(ss_jcs_name_cmp("\xef\xac\xb3", 3, "\xf0\x9f\x98\x80", 4) > 0);
    ASSERT_TRUE(ss_jcs_name_cmp("a", 1, "ab", 2) < 0);
    ASSERT_EQ(ss_jcs_name_cmp("ab", 2, "ab", 2), 0);
    ss_buf_release(&b);
}

/* ---- findings ---- */

static const char *const ent2[] = { "/subscriptions/1111/resourcegroups/rg/providers/x",
                                    "arn:aws:iam::1:user/u" };

static struct ss_evidence ev3[3];

static struct ss_finding sample_finding(void)
{
    static const uint8_t rec0[] = "{\"eventName\":\"PutBucketPolicy\"}";

    memset(ev3, 0, sizeof(ev3));
    ev3[0].loc = (struct ss_loc){ .input = 0, .offset = 0, .len = 31, .index = 1 };
    if (ss_sha256(rec0, 31, ev3[0].sha256) != 0)
        abort();
    ev3[1].loc = (struct ss_loc){ .input = 1, .offset = 120, .len = 80, .index = 2 };
    memset(ev3[1].sha256, 0xab, SS_SHA256_LEN);
    ev3[2].loc = (struct ss_loc){ .input = 1, .offset = 400, .len = 10, .index = 5 };
    return (struct ss_finding){
        .check_id = "audit.gap",
        .severity = SS_SEV_HIGH,
        .title = "Audit gap of 3h on \"trail\"",
        .desc = "Logging\nstopped",
        .entities = (const char **)ent2,
        .n_entities = 2,
        .first_us = INT64_C(1714554000000000),
        .last_us = INT64_C(1714554000123456),
        .evidence = ev3,
        .n_evidence = 3,
        .n_evidence_total = 7,
        .data_json = "{ \"hours\": 3.0, \"b\": [true, null], \"a\": \"x\" }",
    };
}

static void test_finding_jcs(void)
{
    struct ss_finding f = sample_finding();
    struct ss_buf b = SS_BUF_INIT(8192);
    char uid[SS_FINDING_UID_SIZE], hex[SS_SHA256_HEX_SIZE];
    char want[2048], ab[SS_SHA256_HEX_SIZE];

    memset(ab, 'a', 64);
    for (int i = 1; i < 64; i += 2)
        ab[i] = 'b';
    ab[64] = '\0';
    ASSERT_OK(ss_finding_uid(&f, uid));
    /* Independent: SHA-256 of the documented NUL-separated string, first 16 bytes. */
    {
        static const char s[] = "siloscope/finding-uid/v1\0audit.gap\0"
                                "2\0"
                                "/subscriptions/1111/resourcegroups/rg/providers/x\0"
                                "arn:aws:iam::1:user/u\0"
                                "0:0:31";
        uint8_t d[SS_SHA256_LEN];

        ASSERT_OK(ss_sha256(s, sizeof(s) - 1, d));
        ss_hex_encode(d, 16, hex);
        ASSERT_STREQ(uid, hex);
    }
    ASSERT_EQ(strlen(uid), 32);
    ASSERT_OK(ss_finding_jcs(&f, uid, &b));
    ss_sha256_hex(ev3[0].sha256, hex);
    snprintf(want, sizeof(want),
             "{\"check_id\":\"audit.gap\",\"data\":{\"a\":\"x\",\"b\":[true,null],\"hours\":3},"
             "\"desc\":\"Logging\\nstopped\",\"entities\":[\"/subscriptions/1111/resourcegroups/"
             "rg/providers/x\",\"arn:aws:iam::1:user/u\"],\"evidence\":[{\"index\":1,\"input\":0,"
             "\"len\":31,\"offset\":0,\"sha256\":\"%s\"},{\"index\":2,\"input\":1,\"len\":80,"
             "\"offset\":120,\"sha256\":\"%s\"},{\"index\":5,\"input\":1,\"len\":10,\"offset\":400,"
             "\"sha256\":"
             "null}],\"evidence_total\":7,\"first_time\":\"2024-05-01T09:00:00.000000Z\","
             "\"last_time\":\"2024-05-01T09:00:00.123456Z\",\"severity\":\"high\","
             "\"severity_id\":4,\"title\":\"Audit gap of 3h on \\\"trail\\\"\",\"uid\":\"%s\"}",
             hex, ab, uid);
    ASSERT_STREQ(b.ptr, want);
    /* The canonical JSON is its own canonical form. */
    {
        struct ss_buf c = SS_BUF_INIT(8192);

        ASSERT_OK(ss_jcs_canonicalize(b.ptr, b.len, &c, NULL));
        ASSERT_STREQ(c.ptr, b.ptr);
        ss_buf_release(&c);
    }
    /* No evidence, no times, no data. */
    f.n_evidence = 0;
    f.n_evidence_total = 0;
    f.first_us = f.last_us = 0;
    f.data_json = NULL;
    ss_buf_reset(&b);
    ASSERT_OK(ss_finding_jcs(&f, "u", &b));
    ASSERT_TRUE(strstr(b.ptr, "\"data\":null,") != NULL);
    ASSERT_TRUE(strstr(b.ptr, "\"evidence\":[],\"evidence_total\":0,\"first_time\":null,"
                              "\"last_time\":null,") != NULL);
    ASSERT_OK(ss_finding_uid(&f, uid));
    {
        static const char s[] = "siloscope/finding-uid/v1\0audit.gap\0"
                                "2\0"
                                "/subscriptions/1111/resourcegroups/rg/providers/x\0"
                                "arn:aws:iam::1:user/u\0-";
        uint8_t d[SS_SHA256_LEN];

        ASSERT_OK(ss_sha256(s, sizeof(s) - 1, d));
        ss_hex_encode(d, 16, hex);
        ASSERT_STREQ(uid, hex);
    }
    /* Bad data and too-big integers fail and leave the buffer alone. */
    ss_buf_reset(&b);
    f.data_json = "{\"a\":";
    ASSERT_EQ(ss_finding_jcs(&f, "u", &b), SS_ESYNTAX);
    ASSERT_EQ(b.len, 0);
    f.data_json = NULL;
    f.evidence = ev3;
    f.n_evidence = 1;
    ev3[0].loc.offset = SS_JCS_MAX_SAFE_INT + 1;
    ASSERT_EQ(ss_finding_jcs(&f, "u", &b), SS_ELIMIT);
    ASSERT_EQ(b.len, 0);
    ss_buf_release(&b);
}

static void test_findings_uids_unique(void)
{
    struct ss_findings fs;
    struct ss_finding f = sample_finding();
    char uids[4][SS_FINDING_UID_SIZE];
    char base[SS_FINDING_UID_SIZE];

    ss_findings_init(&fs, (size_t)1 << 20);
    f.n_evidence = 0;
    for (int i = 0; i < 3; i++)
        ASSERT_OK(ss_findings_add(&fs, &f, NULL));
    f.check_id = "other.check";
    ASSERT_OK(ss_findings_add(&fs, &f, NULL));
    ASSERT_OK(ss_findings_uids(&fs, uids));
    ASSERT_OK(ss_finding_uid(&fs.items[0], base));
    ASSERT_STREQ(uids[0], base);
    ASSERT_TRUE(strcmp(uids[0], uids[1]) != 0);
    ASSERT_TRUE(strcmp(uids[1], uids[2]) != 0);
    ASSERT_TRUE(strcmp(uids[0], uids[2]) != 0);
    ASSERT_OK(ss_finding_uid(&fs.items[3], base));
    ASSERT_STREQ(uids[3], base);
    /* The second repeat is the documented string with NUL "2" appended. */
    {
        static const char s[] = "siloscope/finding-uid/v1\0audit.gap\0"
                                "2\0"
                                "/subscriptions/1111/resourcegroups/rg/providers/x\0"
                                "arn:aws:iam::1:user/u\0-\0"
                                "2";
        uint8_t d[SS_SHA256_LEN];
        char hex[SS_SHA256_HEX_SIZE];

        ASSERT_OK(ss_sha256(s, sizeof(s) - 1, d));
        ss_hex_encode(d, 16, hex);
        ASSERT_STREQ(uids[1], hex);
    }
    ss_findings_release(&fs);
}

/* ---- keys and DSSE ---- */

static void test_keys_and_dsse(void)
{
    char priv[512], pub[512], id[SS_SHA256_HEX_SIZE], id2[SS_SHA256_HEX_SIZE];
    struct ss_key *k = NULL, *kp = NULL;
    struct ss_buf env = SS_BUF_INIT((size_t)1 << 20);
    struct ss_buf pae = SS_BUF_INIT(1024);
    struct ss_dsse parsed = { 0 };
    struct ss_diag d;
    struct stat st;
    uint8_t sig[SS_ED25519_SIG_LEN];

    snprintf(priv, sizeof(priv), "%s/k1.key", ss_test_tmpdir());
    snprintf(pub, sizeof(pub), "%s/k1.key.pub", ss_test_tmpdir());
    ss_diag_clear(&d);
    ASSERT_OK(ss_keygen(priv, pub, id, &d));
    ASSERT_EQ(strlen(id), 64);
    ASSERT_OK(stat(priv, &st));
    ASSERT_EQ(st.st_mode & 0777, 0600);
    ASSERT_EQ(ss_keygen(priv, pub, id2, &d), -EEXIST);
    ASSERT_OK(ss_key_load(priv, true, &k, &d));
    ASSERT_TRUE(ss_key_is_private(k));
    ASSERT_OK(ss_key_load(pub, false, &kp, &d));
    ASSERT_TRUE(!ss_key_is_private(kp));
    ASSERT_OK(ss_key_id(k, id2));
    ASSERT_STREQ(id2, id);
    ASSERT_OK(ss_key_id(kp, id2));
    ASSERT_STREQ(id2, id);
    {
        struct ss_key *bad = NULL;

        ASSERT_EQ(ss_key_load(pub, true, &bad, &d), SS_ESYNTAX);
        ASSERT_EQ(ss_key_from_pem("junk", 4, false, &bad, NULL), SS_ESYNTAX);
    }

    /* PAE as in the DSSE spec's example. */
    ASSERT_OK(
        ss_dsse_pae("http://example.com/HelloWorld", (const uint8_t *)"hello world", 11, &pae));
    ASSERT_STREQ(pae.ptr, "DSSEv1 29 http://example.com/HelloWorld 11 hello world");

    ASSERT_OK(ss_key_sign(k, (const uint8_t *)"msg", 3, sig));
    ASSERT_OK(ss_key_verify(kp, (const uint8_t *)"msg", 3, sig));
    ASSERT_EQ(ss_key_verify(kp, (const uint8_t *)"msh", 3, sig), SS_EVERIFY);
    ASSERT_EQ(ss_key_sign(kp, (const uint8_t *)"msg", 3, sig), -EINVAL);

    ASSERT_OK(ss_dsse_write(k, "application/x", (const uint8_t *)"{\"a\":1}", 7, &env));
    ASSERT_OK(ss_dsse_parse(env.ptr, env.len, &parsed, &d));
    ASSERT_TRUE(parsed.canonical);
    ASSERT_STREQ(parsed.payload_type, "application/x");
    ASSERT_EQ(parsed.payload_len, 7);
    ASSERT_MEMEQ(parsed.payload, "{\"a\":1}", 7);
    ASSERT_EQ(parsed.n_sigs, 1);
    ASSERT_STREQ(parsed.sigs[0].keyid, id);
    ASSERT_OK(ss_dsse_verify_sig(&parsed, 0, kp));
    ss_dsse_release(&parsed);
    {
        static const char prefix[] = "{\"payload\":\"eyJhIjoxfQ==\",\"payloadType\":"
                                     "\"application/x\",\"signatures\":[{\"keyid\":\"";

        ASSERT_TRUE(strncmp(env.ptr, prefix, strlen(prefix)) == 0);
        ASSERT_TRUE(strncmp(env.ptr + strlen(prefix), id, 64) == 0);
    }
    ASSERT_EQ(env.ptr[env.len - 1], '\n');

    /* Unsigned envelope; a reformatted one parses but is not canonical. */
    ss_buf_reset(&env);
    ASSERT_OK(ss_dsse_write(NULL, "t", (const uint8_t *)"x", 1, &env));
    ASSERT_STREQ(env.ptr, "{\"payload\":\"eA==\",\"payloadType\":\"t\",\"signatures\":[]}\n");
    ASSERT_OK(ss_dsse_parse(env.ptr, env.len, &parsed, &d));
    ASSERT_TRUE(parsed.canonical);
    ASSERT_EQ(parsed.n_sigs, 0);
    ss_dsse_release(&parsed);
    {
        static const char loose[] = "{ \"payloadType\": \"t\", \"payload\": \"eA==\", "
                                    "\"signatures\": [] }";

        ASSERT_OK(ss_dsse_parse(loose, strlen(loose), &parsed, &d));
        ASSERT_TRUE(!parsed.canonical);
        ss_dsse_release(&parsed);
        ASSERT_EQ(ss_dsse_parse("{\"payloadType\":\"t\",\"payload\":\"eA=\",\"signatures\":[]}", 50,
                                &parsed, &d),
                  SS_ESYNTAX);
        ASSERT_EQ(ss_dsse_parse("[]", 2, &parsed, &d), SS_ESYNTAX);
    }
    ss_key_free(k);
    ss_key_free(kp);
    ss_buf_release(&env);
    ss_buf_release(&pae);
}

/* ---- seal: write, verify, mutate ---- */

static const char *const in_paths[3] = { "a.json", "logs/b.jsonl", "z/c.json.gz" };
static const char in_a[] = "{\"Records\":[{\"eventName\":\"PutBucketPolicy\"}]}\n";
static const char in_b[] = "{\"time\":\"2024-05-01T09:00:00Z\",\"operationName\":\"x\"}\n"
                           "{\"time\":\"2024-05-01T10:00:00Z\"}\n";
static const char in_c[] = "\x1f\x8b\x08 not really gzip";
static const char *const in_text[3] = { in_a, in_b, in_c };

struct sample {
    struct ss_findings fs;
    struct ss_manifest_input inputs[3];
    struct ss_manifest_file policy, rules[2];
    struct ss_manifest m;
};

static int sample_init(struct sample *sm)
{
    struct ss_finding f = sample_finding();
    int r;

    memset(sm, 0, sizeof(*sm));
    ss_findings_init(&sm->fs, (size_t)1 << 24);
    for (int i = 0; i < 3; i++) {
        sm->inputs[i] = (struct ss_manifest_input){
            .relpath = in_paths[i],
            .size_bytes = strlen(in_text[i]),
            .kind = i == 2 ? "unknown" : "json",
            .compression = i == 2 ? "gzip" : "none",
            .n_records = (uint64_t)(i == 1 ? 2 : 1),
            .n_bad_records = (uint64_t)(i == 2 ? 1 : 0),
            .has_sha256 = true,
        };
        r = ss_sha256(in_text[i], strlen(in_text[i]), sm->inputs[i].sha256);
        if (r < 0)
            return r;
    }
    /* Evidence that really is in the inputs: record 1 of a.json, both lines of b.jsonl. */
    ev3[0].loc = (struct ss_loc){ .input = 0, .offset = 12, .len = 31, .index = 0 };
    r = ss_sha256(in_text[0] + 12, 31, ev3[0].sha256);
    ev3[1].loc = (struct ss_loc){ .input = 1, .offset = 0, .len = 50, .index = 1 };
    r = r ? r : ss_sha256(in_text[1], 50, ev3[1].sha256);
    ev3[2].loc = (struct ss_loc){ .input = 1, .offset = 51, .len = 31, .index = 2 };
    r = r ? r : ss_sha256(in_text[1] + 51, 31, ev3[2].sha256);
    r = r ? r : ss_findings_add(&sm->fs, &f, NULL);
    f.check_id = "residency.replica-outside-allowed";
    f.severity = SS_SEV_MEDIUM;
    f.title = "Replica in 'westus'";
    f.n_evidence = 0;
    f.n_evidence_total = 0;
    f.n_entities = 1;
    f.data_json = "{\"region\":\"westus\",\"allowed\":[\"westeurope\",\"northeurope\"]}";
    r = r ? r : ss_findings_add(&sm->fs, &f, NULL);
    if (r < 0)
        return r;
    ss_findings_sort(&sm->fs);
    sm->policy = (struct ss_manifest_file){ .relpath = "policy.yaml", .size_bytes = 10 };
    memset(sm->policy.sha256, 0x11, SS_SHA256_LEN);
    sm->rules[0] = (struct ss_manifest_file){ .relpath = "rules/a.yml", .size_bytes = 20 };
    memset(sm->rules[0].sha256, 0x22, SS_SHA256_LEN);
    sm->rules[1] = (struct ss_manifest_file){ .relpath = "rules/b.yml", .size_bytes = 30 };
    memset(sm->rules[1].sha256, 0x33, SS_SHA256_LEN);
    sm->m = (struct ss_manifest){
        .tool_version = "0.1.0",
        .tool_build = "test",
        .case_root = "/cases/acme",
        .params_json = "{\"threads\":4,\"fail_on\":null,\"rules\":[\"rules\"]}",
        .started_us = INT64_C(1714554000000000),
        .finished_us = INT64_C(1714554012500000),
        .policy = &sm->policy,
        .rule_files = sm->rules,
        .n_rule_files = 2,
        .inputs = sm->inputs,
        .n_inputs = 3,
        .findings = &sm->fs,
    };
    return 0;
}

static int make_dir(const char *path)
{
    return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -errno;
}

static bool has_fail(const struct ss_verify_report *rep, const char *item_prefix)
{
    for (size_t i = 0; i < rep->n_items; i++) {
        if (rep->items[i].status == SS_VERIFY_FAIL &&
            strncmp(rep->items[i].item, item_prefix, strlen(item_prefix)) == 0)
            return true;
    }
    return false;
}

static void dump_report(const struct ss_verify_report *rep)
{
    for (size_t i = 0; i < rep->n_items; i++)
        fprintf(stderr, "    %d %s: %s\n", (int)rep->items[i].status, rep->items[i].item,
                rep->items[i].msg);
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

static void test_seal_unsigned(void)
{
    struct sample sm;
    struct ss_manifest_result res;
    struct ss_verify_report rep;
    struct ss_seal seal = { 0 };
    struct ss_diag d;
    char out[512], path[600];
    struct ss_buf a = SS_BUF_INIT((size_t)1 << 20), b = SS_BUF_INIT((size_t)1 << 20);

    ASSERT_OK(sample_init(&sm));
    snprintf(out, sizeof(out), "%s/out-unsigned", ss_test_tmpdir());
    ASSERT_OK(make_dir(out));
    ss_diag_clear(&d);
    ASSERT_OK(ss_manifest_write(&sm.m, out, NULL, &res, &d));
    ASSERT_TRUE(!res.is_signed);
    ASSERT_STREQ(res.key_id, "");
    /* Independently computed (docs/evidence.md script, hashlib only). */
    ASSERT_STREQ(res.inputs_root,
                 "7c2dc78fd1f9138a18e4a1bfda10a1d15cc21a901887b863c1a8edad11f3d8e5");
    ASSERT_STREQ(res.findings_root,
                 "ebe2309ad2431b326980e044d94b69bd27cea506172752925bce700a31a59650");

    ss_verify_report_init(&rep);
    ASSERT_OK(ss_seal_verify(out, NULL, &seal, &rep));
    if (rep.n_fail != 0)
        dump_report(&rep);
    ASSERT_EQ(rep.n_fail, 0);
    ASSERT_EQ(rep.n_warn, 1); /* unsigned */
    ASSERT_TRUE(!seal.is_signed);
    ASSERT_TRUE(seal.roots_ok);
    ASSERT_EQ(seal.n_inputs, 3);
    ASSERT_EQ(seal.n_findings, 2);
    ASSERT_STREQ(seal.inputs[1].relpath, "logs/b.jsonl");
    ASSERT_EQ(seal.findings[0].n_evidence, 3);
    ASSERT_EQ(seal.findings[0].evidence[2].offset, 51);
    ASSERT_STREQ(seal.started, "2024-05-01T09:00:00.000000Z");
    {
        struct ss_buf proof = SS_BUF_INIT((size_t)1 << 20);

        ASSERT_OK(ss_seal_prove(&seal, seal.findings[0].uid, &proof));
        ASSERT_TRUE(strstr(proof.ptr, "\"leaf_index\": 0,\n    \"tree_size\": 2,") != NULL);
        ASSERT_TRUE(strstr(proof.ptr, "{\"input\": 0, \"path\": \"a.json\"") != NULL);
        ASSERT_TRUE(strstr(proof.ptr, "{\"input\": 1, \"path\": \"logs/b.jsonl\"") != NULL);
        ASSERT_TRUE(strstr(proof.ptr, "\"path\": \"z/c.json.gz\"") == NULL);
        ASSERT_EQ(ss_seal_prove(&seal, "00000000000000000000000000000000", &proof), SS_ENOTFOUND);
        ss_buf_release(&proof);
    }
    ss_seal_release(&seal);
    ss_verify_report_release(&rep);

    /*
     * Golden: the sealed files are byte-for-byte the committed fixture, so any change of
     * the on-disk format shows up here (SS_TEST_UPDATE=1 rewrites the fixture). The same
     * fixture feeds the hashlib-only script of docs/evidence.md in the evidence suite.
     */
    {
        static const char *const names[] = { "manifest.json", "findings.jsonl",
                                             "manifest.dsse.json" };

        for (size_t i = 0; i < SS_ARRAY_LEN(names); i++) {
            char fix[1024];

            snprintf(path, sizeof(path), "%s/%s", out, names[i]);
            snprintf(fix, sizeof(fix), "%s/evidence/fixture/%s", ss_test_srcdir(), names[i]);
            ss_buf_reset(&a);
            ss_buf_reset(&b);
            ASSERT_OK(read_all(path, &a));
            if (getenv("SS_TEST_UPDATE") != NULL)
                ASSERT_OK(write_file(fix, a.ptr, a.len));
            ASSERT_OK(read_all(fix, &b));
            if (a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0)
                fprintf(stderr, "  %s differs from the fixture %s\n", path, fix);
            ASSERT_EQ(a.len, b.len);
            ASSERT_MEMEQ(a.ptr, b.ptr, a.len);
        }
        ss_buf_reset(&a);
        ss_buf_reset(&b);
    }

    /* Same inputs, same times: byte-identical files. */
    snprintf(path, sizeof(path), "%s/manifest.json", out);
    ASSERT_OK(read_all(path, &a));
    ASSERT_OK(ss_manifest_write(&sm.m, out, NULL, &res, &d));
    ASSERT_OK(read_all(path, &b));
    ASSERT_EQ(a.len, b.len);
    ASSERT_MEMEQ(a.ptr, b.ptr, a.len);

    /* Duplicate uids are refused. */
    {
        char uids[2][SS_FINDING_UID_SIZE] = { "0123456789abcdef0123456789abcdef",
                                              "0123456789abcdef0123456789abcdef" };

        sm.m.finding_uids = (const char(*)[SS_FINDING_UID_SIZE])uids;
        ASSERT_EQ(ss_manifest_write(&sm.m, out, NULL, &res, &d), -EINVAL);
        sm.m.finding_uids = NULL;
    }
    ss_buf_release(&a);
    ss_buf_release(&b);
    ss_findings_release(&sm.fs);
}

static int copy_file(const char *from, const char *to)
{
    struct ss_buf b = SS_BUF_INIT((size_t)1 << 24);
    int r = read_all(from, &b);

    if (r == 0)
        r = write_file(to, b.ptr, b.len);
    ss_buf_release(&b);
    return r;
}

/*
 * Flip every byte of @name in the sealed directory @out (XOR @mask), verify, and
 * require a failure naming one of @items; then restore. Returns the number of flips.
 */
static size_t mutate_all(const char *out, const char *name, uint8_t mask, const char *pubkey,
                         const char *const *items, size_t n_items, size_t *ret_missed)
{
    char path[600];
    struct ss_buf orig = SS_BUF_INIT((size_t)1 << 24);
    size_t n = 0;

    *ret_missed = 0;
    snprintf(path, sizeof(path), "%s/%s", out, name);
    if (read_all(path, &orig) != 0)
        return 0;
    for (size_t i = 0; i < orig.len; i++) {
        struct ss_verify_report rep;
        struct ss_seal seal = { 0 };
        bool named = false;
        int r;

        orig.ptr[i] = (char)(orig.ptr[i] ^ mask);
        if (write_file(path, orig.ptr, orig.len) != 0)
            break;
        orig.ptr[i] = (char)(orig.ptr[i] ^ mask);
        ss_verify_report_init(&rep);
        r = ss_seal_verify(out, pubkey, &seal, &rep);
        for (size_t k = 0; k < n_items; k++)
            named = named || has_fail(&rep, items[k]);
        if ((r != 0 && r != SS_ECORRUPT) || rep.n_fail == 0 || !named) {
            if (*ret_missed == 0) {
                fprintf(stderr, "  %s: flipping byte %zu (0x%02x) not caught/named:\n", name, i,
                        (unsigned)(uint8_t)orig.ptr[i]);
                dump_report(&rep);
            }
            (*ret_missed)++;
        }
        ss_seal_release(&seal);
        ss_verify_report_release(&rep);
        n++;
    }
    (void)write_file(path, orig.ptr, orig.len);
    ss_buf_release(&orig);
    return n;
}

static void test_seal_signed_mutations(void)
{
    static const char *const man_items[] = { "manifest.json" };
    static const char *const env_items[] = { "manifest.dsse.json", "signature" };
    static const char *const find_items[] = { "findings.jsonl" };
    struct sample sm;
    struct ss_manifest_result res;
    struct ss_verify_report rep;
    struct ss_seal seal = { 0 };
    struct ss_diag d;
    char out[512], priv[512], pub[512], id[SS_SHA256_HEX_SIZE], path[600];
    size_t missed, n;

    ASSERT_OK(sample_init(&sm));
    snprintf(out, sizeof(out), "%s/out-signed", ss_test_tmpdir());
    ASSERT_OK(make_dir(out));
    snprintf(priv, sizeof(priv), "%s/signer.key", ss_test_tmpdir());
    snprintf(pub, sizeof(pub), "%s/signer.key.pub", ss_test_tmpdir());
    ss_diag_clear(&d);
    ASSERT_OK(ss_keygen(priv, pub, id, &d));
    ASSERT_OK(ss_manifest_write(&sm.m, out, priv, &res, &d));
    ASSERT_TRUE(res.is_signed);
    ASSERT_STREQ(res.key_id, id);
    /* Roots do not depend on the key. */
    ASSERT_STREQ(res.inputs_root,
                 "7c2dc78fd1f9138a18e4a1bfda10a1d15cc21a901887b863c1a8edad11f3d8e5");
    ASSERT_STREQ(res.findings_root,
                 "ebe2309ad2431b326980e044d94b69bd27cea506172752925bce700a31a59650");

    /* Clean: with the given key and with the key kept in OUT. */
    for (int pass = 0; pass < 2; pass++) {
        ss_verify_report_init(&rep);
        ASSERT_OK(ss_seal_verify(out, pass == 0 ? pub : NULL, &seal, &rep));
        if (rep.n_fail != 0)
            dump_report(&rep);
        ASSERT_EQ(rep.n_fail, 0);
        ASSERT_EQ(rep.n_warn, 0);
        ASSERT_TRUE(seal.is_signed && seal.signature_ok);
        ASSERT_EQ(seal.key_from_dir, pass == 1);
        ASSERT_STREQ(seal.key_id, id);
        ss_seal_release(&seal);
        ss_verify_report_release(&rep);
    }

    /* Another key: the signature is not by it. */
    {
        char p2[512], q2[512], id2[SS_SHA256_HEX_SIZE];

        snprintf(p2, sizeof(p2), "%s/other.key", ss_test_tmpdir());
        snprintf(q2, sizeof(q2), "%s/other.key.pub", ss_test_tmpdir());
        ASSERT_OK(ss_keygen(p2, q2, id2, &d));
        ss_verify_report_init(&rep);
        ASSERT_OK(ss_seal_verify(out, q2, &seal, &rep));
        ASSERT_TRUE(has_fail(&rep, "signature"));
        ASSERT_TRUE(!seal.signature_ok);
        ss_seal_release(&seal);
        ss_verify_report_release(&rep);
        /* A swapped manifest.pub.pem is caught as well. */
        snprintf(path, sizeof(path), "%s/manifest.pub.pem", out);
        ASSERT_OK(copy_file(q2, path));
        ss_verify_report_init(&rep);
        ASSERT_OK(ss_seal_verify(out, NULL, &seal, &rep));
        ASSERT_TRUE(has_fail(&rep, "signature"));
        ss_seal_release(&seal);
        ss_verify_report_release(&rep);
        ASSERT_OK(copy_file(pub, path));
    }

    /* Every single-byte change of every sealed file is caught and named. */
    n = mutate_all(out, "manifest.json", 0x01, pub, man_items, 1, &missed);
    ASSERT_TRUE(n > 1000);
    ASSERT_EQ(missed, 0);
    n = mutate_all(out, "manifest.json", 0x80, NULL, man_items, 1, &missed);
    ASSERT_EQ(missed, 0);
    n = mutate_all(out, "manifest.dsse.json", 0x01, pub, env_items, 2, &missed);
    ASSERT_TRUE(n > 1000);
    ASSERT_EQ(missed, 0);
    n = mutate_all(out, "manifest.dsse.json", 0x20, NULL, env_items, 2, &missed);
    ASSERT_EQ(missed, 0);
    n = mutate_all(out, "findings.jsonl", 0x01, pub, find_items, 1, &missed);
    ASSERT_TRUE(n > 500);
    ASSERT_EQ(missed, 0);
    n = mutate_all(out, "findings.jsonl", 0x40, pub, find_items, 1, &missed);
    ASSERT_EQ(missed, 0);

    /* A changed finding line is named by its uid. */
    {
        struct ss_buf b = SS_BUF_INIT((size_t)1 << 20);
        char item[64];
        char *p;

        snprintf(path, sizeof(path), "%s/findings.jsonl", out);
        ASSERT_OK(read_all(path, &b));
        p = strstr(b.ptr, "Replica in");
        ASSERT_TRUE(p != NULL);
        p[0] = 'r';
        ASSERT_OK(write_file(path, b.ptr, b.len));
        ss_verify_report_init(&rep);
        ASSERT_OK(ss_seal_verify(out, pub, &seal, &rep));
        snprintf(item, sizeof(item), "finding %s", seal.findings[1].uid);
        ASSERT_TRUE(has_fail(&rep, item));
        snprintf(item, sizeof(item), "finding %s", seal.findings[0].uid);
        ASSERT_TRUE(!has_fail(&rep, item));
        ss_seal_release(&seal);
        ss_verify_report_release(&rep);
        p[0] = 'R';
        ASSERT_OK(write_file(path, b.ptr, b.len));
        ss_buf_release(&b);
    }
    /* Unsigned review with a key demanded: failure. */
    ASSERT_OK(ss_manifest_write(&sm.m, out, NULL, &res, &d));
    ss_verify_report_init(&rep);
    ASSERT_OK(ss_seal_verify(out, pub, &seal, &rep));
    ASSERT_TRUE(has_fail(&rep, "signature"));
    ss_seal_release(&seal);
    ss_verify_report_release(&rep);
    ss_findings_release(&sm.fs);
}

/* Every allocation failure while sealing or verifying ends in a clean error (run under
 * ASan/LSan this also proves nothing leaks on any failure path). */
static void test_seal_alloc_failures(void)
{
    struct sample sm;
    struct ss_manifest_result res;
    struct ss_diag d;
    char out[512];
    uint64_t n;
    unsigned n_failed_write = 0, n_failed_verify = 0;

    ASSERT_OK(sample_init(&sm));
    snprintf(out, sizeof(out), "%s/out-faults", ss_test_tmpdir());
    ASSERT_OK(make_dir(out));
    for (n = 1; n < 100000; n++) {
        int r;

        ss_diag_clear(&d);
        ss_alloc_fail_at(n);
        r = ss_manifest_write(&sm.m, out, NULL, &res, &d);
        if (!ss_alloc_fault_fired()) {
            ss_alloc_fail_at(0);
            ASSERT_OK(r);
            break;
        }
        ss_alloc_fail_at(0);
        if (r != 0) {
            ASSERT_EQ(r, -ENOMEM);
            n_failed_write++;
        }
    }
    ASSERT_TRUE(n_failed_write > 20);
    for (n = 1; n < 100000; n++) {
        struct ss_verify_report rep;
        struct ss_seal seal = { 0 };
        int r;

        ss_verify_report_init(&rep);
        ss_alloc_fail_at(n);
        r = ss_seal_verify(out, NULL, &seal, &rep);
        if (!ss_alloc_fault_fired()) {
            ss_alloc_fail_at(0);
            ASSERT_OK(r);
            ASSERT_EQ(rep.n_fail, 0);
            ss_seal_release(&seal);
            ss_verify_report_release(&rep);
            break;
        }
        ss_alloc_fail_at(0);
        /* Either a clean -ENOMEM, or a verdict (a read that could not allocate is reported). */
        if (r == -ENOMEM || rep.n_fail > 0)
            n_failed_verify++;
        else
            ASSERT_OK(r);
        ss_seal_release(&seal);
        ss_verify_report_release(&rep);
    }
    ASSERT_TRUE(n_failed_verify > 20);
    ss_findings_release(&sm.fs);
}

/* Pull the hex string after "@key": " in @text into @out. */
static int hex_after(const char *text, const char *key, uint8_t out[SS_SHA256_LEN])
{
    const char *p = strstr(text, key);

    if (p == NULL)
        return SS_ENOTFOUND;
    p = strchr(p + strlen(key), '"');
    return p == NULL ? SS_ESYNTAX : ss_sha256_from_hex(p + 1, 64, out);
}

static void test_caselog(void)
{
    static const char *const log_items[] = { "caselog" };
    struct sample sm;
    struct ss_manifest_result res[3];
    struct ss_verify_report rep;
    struct ss_seal seal = { 0 };
    struct ss_diag d;
    struct ss_buf proof = SS_BUF_INIT((size_t)1 << 20);
    char out[512], priv[512], pub[512], id[SS_SHA256_HEX_SIZE], path[700], moved[700];
    uint8_t old_root[SS_SHA256_LEN], new_root[SS_SHA256_LEN], want[SS_SHA256_LEN];
    uint8_t cons[8][SS_SHA256_LEN];
    size_t missed, n_cons = 0;
    const char *p;

    ASSERT_OK(sample_init(&sm));
    snprintf(out, sizeof(out), "%s/out-log", ss_test_tmpdir());
    ASSERT_OK(make_dir(out));
    snprintf(priv, sizeof(priv), "%s/log.key", ss_test_tmpdir());
    snprintf(pub, sizeof(pub), "%s/log.key.pub", ss_test_tmpdir());
    ss_diag_clear(&d);
    ASSERT_OK(ss_keygen(priv, pub, id, &d));
    for (int i = 0; i < 3; i++) {
        sm.m.finished_us += SS_TIME_US_PER_HOUR;
        ASSERT_OK(ss_manifest_write(&sm.m, out, priv, &res[i], &d));
        ASSERT_U64_EQ(res[i].log_size, (uint64_t)i + 1);
    }
    ss_verify_report_init(&rep);
    ASSERT_OK(ss_seal_verify(out, pub, &seal, &rep));
    if (rep.n_fail != 0)
        dump_report(&rep);
    ASSERT_EQ(rep.n_fail, 0);
    ASSERT_EQ(rep.n_warn, 0);
    ASSERT_U64_EQ(seal.log_size, 3);
    ss_seal_release(&seal);
    ss_verify_report_release(&rep);

    /* The log after review 3 provably extends the log after review 1. */
    ASSERT_OK(ss_caselog_prove(out, 1, &proof));
    ASSERT_OK(hex_after(proof.ptr, "\"old_root\":", old_root));
    ASSERT_OK(hex_after(proof.ptr, "\"new_root\":", new_root));
    ASSERT_OK(ss_sha256_from_hex(res[0].log_root, 64, want));
    ASSERT_MEMEQ(old_root, want, SS_SHA256_LEN);
    ASSERT_OK(ss_sha256_from_hex(res[2].log_root, 64, want));
    ASSERT_MEMEQ(new_root, want, SS_SHA256_LEN);
    p = strstr(proof.ptr, "\"consistency\": [");
    ASSERT_TRUE(p != NULL);
    for (p = strchr(p, '[') + 1; *p == '"' || *p == ',' || *p == ' ';) {
        if (*p == '"') {
            ASSERT_OK(ss_sha256_from_hex(p + 1, 64, cons[n_cons++]));
            p += 66;
        } else {
            p++;
        }
    }
    ASSERT_EQ(n_cons, 2); /* PROOF(1, D[3]) = {d1, d2} */
    ASSERT_OK(ss_merkle_verify_consistency(1, 3, (const uint8_t(*)[SS_SHA256_LEN])cons, n_cons,
                                           old_root, SS_SHA256_LEN, new_root, SS_SHA256_LEN));
    ASSERT_TRUE(strstr(proof.ptr, "{\"index\": 2, \"leaf_hash\": ") != NULL);
    ASSERT_EQ(ss_caselog_prove(out, 4, &proof), -EINVAL);

    /* Every byte of the log is covered (signed checkpoints, given key). */
    mutate_all(out, "caselog/entries.jsonl", 0x01, pub, log_items, 1, &missed);
    ASSERT_EQ(missed, 0);
    mutate_all(out, "caselog/checkpoints.jsonl", 0x01, pub, log_items, 1, &missed);
    ASSERT_EQ(missed, 0);

    /* Rewriting an earlier review's entry is caught, and the log is not extended. */
    {
        struct ss_buf b = SS_BUF_INIT((size_t)1 << 20), man = SS_BUF_INIT((size_t)1 << 20);
        struct ss_buf man2 = SS_BUF_INIT((size_t)1 << 20);
        struct ss_manifest_result r4;
        char *q;

        snprintf(path, sizeof(path), "%s/caselog/entries.jsonl", out);
        ASSERT_OK(read_all(path, &b));
        q = strstr(b.ptr, "\"finished\":\"2024-05-01T10");
        ASSERT_TRUE(q != NULL);
        q[23] = '0'; /* 10:00 -> 00:00 in entry 0 */
        ASSERT_OK(write_file(path, b.ptr, b.len));
        ss_verify_report_init(&rep);
        ASSERT_OK(ss_seal_verify(out, pub, &seal, &rep));
        ASSERT_TRUE(has_fail(&rep, "caselog checkpoint 0"));
        ASSERT_TRUE(has_fail(&rep, "caselog entry 0") == false);
        ss_seal_release(&seal);
        ss_verify_report_release(&rep);
        snprintf(moved, sizeof(moved), "%s/manifest.json", out);
        ASSERT_OK(read_all(moved, &man));
        ss_diag_clear(&d);
        ASSERT_EQ(ss_manifest_write(&sm.m, out, priv, &r4, &d), SS_ECORRUPT);
        ASSERT_TRUE(strstr(d.msg, "caselog checkpoint 0") != NULL);
        ASSERT_OK(read_all(moved, &man2));
        ASSERT_EQ(man.len, man2.len);
        ASSERT_MEMEQ(man.ptr, man2.ptr, man.len); /* nothing was overwritten */
        /* Moving the log away starts a new one. */
        snprintf(path, sizeof(path), "%s/caselog", out);
        snprintf(moved, sizeof(moved), "%s/caselog.old", out);
        ASSERT_OK(rename(path, moved));
        ASSERT_OK(ss_manifest_write(&sm.m, out, priv, &r4, &d));
        ASSERT_U64_EQ(r4.log_size, 1);
        ss_buf_release(&b);
        ss_buf_release(&man);
        ss_buf_release(&man2);
    }
    ss_buf_release(&proof);
    ss_findings_release(&sm.fs);
}

int main(void)
{
    SS_RUN(test_sha256_vectors);
    SS_RUN(test_sha256_stream);
    SS_RUN(test_sha256_file);
    SS_RUN(test_sha256_hex);
    SS_RUN(test_merkle_reference_tree);
    SS_RUN(test_merkle_proofs_roundtrip);
    SS_RUN(test_merkle_subtree);
    SS_RUN(test_base64);
    SS_RUN(test_jcs_numbers);
    SS_RUN(test_jcs_strings);
    SS_RUN(test_jcs_canonicalize);
    SS_RUN(test_finding_jcs);
    SS_RUN(test_findings_uids_unique);
    SS_RUN(test_keys_and_dsse);
    SS_RUN(test_seal_unsigned);
    SS_RUN(test_seal_signed_mutations);
    SS_RUN(test_seal_alloc_failures);
    SS_RUN(test_caselog);
    return ss_test_done();
}
