/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_core.c - unit tests of the core area: allocator accounting and fault
 * injection, buffers and JSON string encoding, arenas, diagnostics, number and time
 * parsing, the thread pool and the finding collection.
 */
#include "ss_test.h"

#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/finding.h"
#include "core/parse.h"
#include "core/pool.h"
#include "core/ss_time.h"

#include <stdatomic.h>

static void test_alloc_accounting(void)
{
    size_t live = ss_alloc_live_bytes();
    char *p = ss_malloc(1000);

    ASSERT_TRUE(p != NULL);
    ASSERT_U64_EQ(ss_alloc_live_bytes(), live + 1000);
    p = ss_realloc(p, 3000);
    ASSERT_TRUE(p != NULL);
    ASSERT_U64_EQ(ss_alloc_live_bytes(), live + 3000);
    ASSERT_TRUE(ss_alloc_peak_bytes() >= live + 3000);
    ss_free(p);
    ASSERT_U64_EQ(ss_alloc_live_bytes(), live);
    ASSERT_TRUE(ss_calloc(SIZE_MAX / 2, 4) == NULL);
}

static void test_alloc_fault(void)
{
    void *a, *b, *c;

    ss_alloc_fail_at(2);
    a = ss_malloc(8);
    b = ss_malloc(8);
    c = ss_malloc(8);
    ASSERT_TRUE(a != NULL);
    ASSERT_TRUE(b == NULL);
    ASSERT_TRUE(c != NULL);
    ASSERT_TRUE(ss_alloc_fault_fired());
    ss_free(a);
    ss_free(c);
    ss_alloc_fail_at(0);
}

/* ss_grow: capacities 16, then doubled; a failure leaves the array and capacity as they were. */
static void test_grow(void)
{
    uint32_t *a = NULL;
    size_t cap = 0;

    ASSERT_OK(ss_grow((void **)&a, &cap, 1, sizeof(*a)));
    ASSERT_EQ(cap, 16);
    a[15] = 7;
    ASSERT_OK(ss_grow((void **)&a, &cap, 16, sizeof(*a)));
    ASSERT_EQ(cap, 16);
    ASSERT_OK(ss_grow((void **)&a, &cap, 100, sizeof(*a)));
    ASSERT_EQ(cap, 128);
    ASSERT_EQ(a[15], 7);
    /* too large for size_t, and an injected allocation failure */
    ASSERT_EQ(ss_grow((void **)&a, &cap, SIZE_MAX / 2, sizeof(*a)), -ENOMEM);
    ss_alloc_fail_at(1);
    ASSERT_EQ(ss_grow((void **)&a, &cap, 129, sizeof(*a)), -ENOMEM);
    ss_alloc_fail_at(0);
    ASSERT_EQ(cap, 128);
    ASSERT_EQ(a[15], 7);
    ss_free(a);
}

static void test_buf(void)
{
    struct ss_buf b = SS_BUF_INIT(32);

    ASSERT_STREQ(b.ptr, "");
    ASSERT_OK(ss_buf_puts(&b, "abc"));
    ASSERT_OK(ss_buf_printf(&b, "-%d-", 42));
    ASSERT_OK(ss_buf_put_i64(&b, INT64_MIN));
    ASSERT_STREQ(b.ptr, "abc-42--9223372036854775808");
    ASSERT_EQ(b.len, 27);
    ASSERT_EQ(ss_buf_puts(&b, "123456"), SS_ELIMIT);
    ASSERT_EQ(b.len, 27);
    ASSERT_OK(ss_buf_puts(&b, "12345"));
    ASSERT_EQ(b.len, 32);
    ASSERT_EQ(ss_buf_putc(&b, 'x'), SS_ELIMIT);
    ss_buf_truncate(&b, 3);
    ASSERT_STREQ(b.ptr, "abc");
    ss_buf_release(&b);
    ASSERT_STREQ(b.ptr, "");
}

static void test_buf_json_and_hex(void)
{
    struct ss_buf b = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    const char in[] = "a\"b\\c\n\x01\x7f\xc3\xa9";
    const char term[] = "a\nb\x1b[2J\xff\xc2\x9b\x7f\xc3\xa9\t";
    uint8_t bytes[3];

    ASSERT_OK(ss_buf_put_json_str(&b, in, sizeof(in) - 1));
    ASSERT_STREQ(b.ptr, "\"a\\\"b\\\\c\\n\\u0001\x7f\xc3\xa9\"");
    ss_buf_reset(&b);
    /* bytes that are not UTF-8 (a file name's 0xFF, a cut sequence, an overlong form, a
       surrogate) become U+FFFD: the output stays valid JSON */
    ASSERT_OK(ss_buf_put_json_str(&b, "x\xffy\xc3", 4));
    ASSERT_STREQ(b.ptr, "\"x\xef\xbf\xbdy\xef\xbf\xbd\"");
    ss_buf_reset(&b);
    /* for a terminal: C0, DEL and C1 (U+009B, the 8-bit CSI) controls and bytes that are
       not UTF-8 each become one '?'; other text, non-ASCII included, stays */
    ASSERT_OK(ss_buf_put_printable(&b, term, sizeof(term) - 1));
    ASSERT_STREQ(b.ptr, "a?b?[2J???\xc3\xa9?");
    ss_buf_reset(&b);
    ASSERT_OK(ss_buf_put_json_str(&b, "\xc0\xaf\xed\xa0\x80\xf0\x9f\x98\x80", 9));
    ASSERT_STREQ(b.ptr, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                        "\xf0\x9f\x98\x80\"");
    ss_buf_reset(&b);
    ASSERT_OK(ss_buf_put_hex(&b, (const uint8_t *)"\x00\xff\x10", 3));
    ASSERT_STREQ(b.ptr, "00ff10");
    ASSERT_OK(ss_hex_decode("00FF10", 6, bytes, 3));
    ASSERT_MEMEQ(bytes, "\x00\xff\x10", 3);
    ASSERT_EQ(ss_hex_decode("0g", 2, bytes, 1), SS_ESYNTAX);
    ASSERT_EQ(ss_hex_decode("000", 3, bytes, 1), SS_ESYNTAX);
    ss_buf_reset(&b);
    /* Every byte that takes an escape: the short forms, then \u00xx in lower case. */
    for (unsigned c = 0; c < 0x20; c++)
        ASSERT_OK(ss_buf_put_json_esc(&b, (unsigned char)c));
    ASSERT_OK(ss_buf_put_json_esc(&b, '"'));
    ASSERT_OK(ss_buf_put_json_esc(&b, '\\'));
    ASSERT_STREQ(b.ptr, "\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
                        "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
                        "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
                        "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"
                        "\\\"\\\\");
    ss_buf_release(&b);
}

static void test_utf8_decode(void)
{
    uint32_t cp = 7;

    ASSERT_EQ(ss_utf8_decode((const unsigned char *)"A", 1, &cp), 1u);
    ASSERT_EQ(cp, 0x41u);
    ASSERT_EQ(ss_utf8_decode((const unsigned char *)"\xc3\xa9", 2, &cp), 2u);
    ASSERT_EQ(cp, 0xe9u);
    ASSERT_EQ(ss_utf8_decode((const unsigned char *)"\xe2\x80\xa8", 3, &cp), 3u);
    ASSERT_EQ(cp, 0x2028u);
    ASSERT_EQ(ss_utf8_decode((const unsigned char *)"\xf4\x8f\xbf\xbf", 4, &cp), 4u);
    ASSERT_EQ(cp, 0x10ffffu);
    cp = 7;
    /* Overlong, surrogate, above U+10FFFF, stray continuation, truncated: untouched. */
    ASSERT_EQ(ss_utf8_decode((const unsigned char *)"\xc0\x80", 2, &cp), 0u);
    ASSERT_EQ(ss_utf8_decode((const unsigned char *)"\xe0\x9f\xbf", 3, &cp), 0u);
    ASSERT_EQ(ss_utf8_decode((const unsigned char *)"\xed\xa0\x80", 3, &cp), 0u);
    ASSERT_EQ(ss_utf8_decode((const unsigned char *)"\xf4\x90\x80\x80", 4, &cp), 0u);
    ASSERT_EQ(ss_utf8_decode((const unsigned char *)"\x80", 1, &cp), 0u);
    ASSERT_EQ(ss_utf8_decode((const unsigned char *)"\xc3\xa9", 1, &cp), 0u);
    ASSERT_EQ(cp, 7u);
}

static void test_str(void)
{
    ASSERT_TRUE(ss_str_ieq(SS_STR("MICROSOFT.Storage"), SS_STR("microsoft.storage")));
    ASSERT_TRUE(!ss_str_eq(SS_STR("a"), SS_STR("A")));
    ASSERT_TRUE(ss_str_cmp(SS_STR("ab"), SS_STR("abc")) < 0);
    ASSERT_TRUE(ss_str_has_prefix(SS_STR("insights-logs"), SS_STR("insights")));
    ASSERT_TRUE(ss_str_has_suffix(SS_STR("PT1H.json"), SS_STR(".json")));
}

static void test_arena(void)
{
    struct ss_arena a;
    char *s;
    void *big;

    ss_arena_init(&a, (size_t)1 << 20);
    s = ss_arena_strdup(&a, "hello");
    ASSERT_STREQ(s, "hello");
    /* the alignment malloc guarantees (_Alignof: 16 on x86-64, where sizeof is 32) */
    ASSERT_EQ((uintptr_t)ss_arena_alloc(&a, 3) % _Alignof(max_align_t), 0);
    big = ss_arena_alloc(&a, (size_t)2 << 20);
    ASSERT_TRUE(big == NULL);
    ASSERT_EQ(ss_arena_failed(&a), SS_ELIMIT);
    s = ss_arena_printf(&a, "%s-%u", "x", 7u);
    ASSERT_STREQ(s, "x-7");
    ss_arena_reset(&a);
    ASSERT_EQ(a.used_bytes, 0);
    ASSERT_TRUE(a.held_bytes > 0);
    for (int i = 0; i < 1000; i++)
        ASSERT_TRUE(ss_arena_alloc(&a, 900) != NULL);
    ASSERT_TRUE(a.held_bytes <= (size_t)1 << 20);
    ss_arena_release(&a);
    ASSERT_EQ(a.held_bytes, 0);
}

/* Adoption: what was allocated from the source stays valid in the destination, which
 * goes on filling its own chunk; a source past the destination's cap is refused. */
static void test_arena_adopt(void)
{
    struct ss_arena dst, src;
    char *a, *b, *c;
    size_t held;

    ss_arena_init(&dst, (size_t)1 << 20);
    ss_arena_init(&src, (size_t)1 << 20);
    a = ss_arena_strdup(&dst, "dst");
    b = ss_arena_strdup(&src, "src");
    ASSERT_TRUE(a != NULL && b != NULL && ss_arena_alloc(&src, (size_t)100 << 10) != NULL);
    held = dst.held_bytes + src.held_bytes;
    ASSERT_OK(ss_arena_adopt(&dst, &src));
    ASSERT_EQ(dst.held_bytes, held);
    ASSERT_EQ(src.held_bytes, 0);
    ASSERT_TRUE(src.head == NULL);
    c = ss_arena_strdup(&dst, "next");
    /* the destination's first chunk is still the one it allocates from */
    ASSERT_TRUE(c == a + 16 || c == a + 32);
    ASSERT_STREQ(a, "dst");
    ASSERT_STREQ(b, "src");
    ASSERT_OK(ss_arena_adopt(&dst, &src)); /* an empty source */
    ASSERT_EQ(dst.held_bytes, held);
    /* past the cap: refused, the source freed */
    ASSERT_TRUE(ss_arena_alloc(&src, (size_t)900 << 10) != NULL);
    ASSERT_EQ(ss_arena_adopt(&dst, &src), SS_ELIMIT);
    ASSERT_EQ(src.held_bytes, 0);
    ASSERT_EQ(dst.held_bytes, held);
    ASSERT_STREQ(b, "src");
    ss_arena_release(&dst);
    ASSERT_EQ(dst.held_bytes, 0);
}

static void test_diag(void)
{
    struct ss_diag d;
    char out[256];

    ss_diag_clear(&d);
    ASSERT_EQ(ss_diag_set(&d, SS_ESYNTAX, "a/b.json", 3, 7, 120, "unexpected '%c'", '}'),
              SS_ESYNTAX);
    ss_diag_format(&d, out, sizeof(out));
    ASSERT_STREQ(out, "a/b.json:3:7: offset 120: unexpected '}'");
    ss_diag_clear(&d);
    ss_diag_set(&d, SS_ELIMIT, NULL, 0, 0, UINT64_MAX, "too deep");
    ss_diag_set_file(&d, "x.gz");
    ss_diag_format(&d, out, sizeof(out));
    ASSERT_STREQ(out, "x.gz: too deep");
    ASSERT_EQ(ss_diag_set(NULL, -ENOENT, "f", 0, 0, 0, "x"), -ENOENT);
}

static void test_parse(void)
{
    uint64_t u;
    int64_t i;
    double d;

    ASSERT_OK(ss_parse_u64("18446744073709551615", 20, &u));
    ASSERT_TRUE(u == UINT64_MAX);
    ASSERT_EQ(ss_parse_u64("18446744073709551616", 20, &u), SS_ELIMIT);
    ASSERT_EQ(ss_parse_u64("12a", 3, &u), SS_ESYNTAX);
    ASSERT_EQ(ss_parse_u64("", 0, &u), SS_ESYNTAX);
    ASSERT_OK(ss_parse_i64("-9223372036854775808", 20, &i));
    ASSERT_TRUE(i == INT64_MIN);
    ASSERT_EQ(ss_parse_i64("9223372036854775808", 19, &i), SS_ELIMIT);
    ASSERT_OK(ss_parse_double("-1.5e3", 6, &d));
    ASSERT_TRUE(d == -1500.0);
    ASSERT_EQ(ss_parse_double("01", 2, &d), SS_ESYNTAX);
    ASSERT_EQ(ss_parse_double("1.", 2, &d), SS_ESYNTAX);
    ASSERT_EQ(ss_parse_double("1e999", 5, &d), SS_ELIMIT);
    ASSERT_OK(ss_parse_size("10G", 3, &u));
    ASSERT_U64_EQ(u, (uint64_t)10 << 30);
    ASSERT_OK(ss_parse_size("512", 3, &u));
    ASSERT_U64_EQ(u, 512);
}

static void test_time(void)
{
    int64_t us;
    char out[SS_TIME_STR_MAX];

    ASSERT_OK(ss_time_parse("2024-05-01T09:12:44.1234567Z", 28, &us));
    ASSERT_EQ(us, INT64_C(1714554764123456));
    ASSERT_EQ(ss_time_format(us, 7, out), 28);
    ASSERT_STREQ(out, "2024-05-01T09:12:44.1234560Z");
    ASSERT_OK(ss_time_parse("2024-05-01T08:01:02.3456789+00:00", 33, &us));
    ASSERT_EQ(us, INT64_C(1714550462345678));
    ASSERT_OK(ss_time_parse("2024-05-01T10:01:02+02:00", 25, &us));
    ASSERT_EQ(us, INT64_C(1714550462000000));
    ASSERT_OK(ss_time_parse("1969-12-31T23:59:59.5Z", 22, &us));
    ASSERT_EQ(us, INT64_C(-500000));
    ss_time_format(us, 3, out);
    ASSERT_STREQ(out, "1969-12-31T23:59:59.500Z");
    ASSERT_OK(ss_time_parse("2024-02-29", 10, &us));
    ASSERT_EQ(ss_time_parse("2023-02-29T00:00:00Z", 20, &us), SS_ESYNTAX);
    ASSERT_EQ(ss_time_parse("2024-05-01T24:00:00Z", 20, &us), SS_ESYNTAX);
    ASSERT_EQ(ss_time_parse("2024-05-01T09:12:44Zjunk", 24, &us), SS_ESYNTAX);
    ASSERT_EQ(ss_time_parse("2024-05-01T09:12:44.Z", 21, &us), SS_ESYNTAX);
    ss_time_format(0, 0, out);
    ASSERT_STREQ(out, "1970-01-01T00:00:00Z");
}

struct pool_ctx {
    atomic_int sum;
    int done[100];
};

static int pool_task(void *ctx, size_t task, unsigned worker)
{
    struct pool_ctx *c = ctx;

    (void)worker;
    c->done[task]++;
    atomic_fetch_add(&c->sum, (int)task);
    return task == 77 ? -EIO : 0;
}

static void test_pool(void)
{
    struct pool_ctx c = { 0 };
    int r = ss_pool_run(4, 77, pool_task, &c);

    ASSERT_OK(r);
    ASSERT_EQ(atomic_load(&c.sum), 76 * 77 / 2);
    for (int i = 0; i < 77; i++)
        ASSERT_EQ(c.done[i], 1);
    ASSERT_EQ(ss_pool_run(2, 100, pool_task, &c), -EIO);
    ASSERT_TRUE(ss_pool_default_threads() >= 1);
}

static void test_findings(void)
{
    struct ss_findings fs;
    const char *ents[] = { "/subscriptions/b", "tenant-1" };
    struct ss_evidence ev[2] = { { .loc = { .input = 2, .offset = 10, .len = 5 } },
                                 { .loc = { .input = 1, .offset = 99, .len = 7 } } };
    struct ss_finding f = { .check_id = "audit.gap",
                            .severity = SS_SEV_HIGH,
                            .title = "t",
                            .entities = ents,
                            .n_entities = 2,
                            .evidence = ev,
                            .n_evidence = 2 };
    struct ss_finding *stored;
    enum ss_severity sev;

    ss_findings_init(&fs, (size_t)1 << 20);
    ASSERT_OK(ss_findings_add(&fs, &f, &stored));
    ASSERT_EQ(stored->evidence[0].loc.input, 1);
    ASSERT_EQ(stored->n_evidence_total, 2);
    ents[0] = "/subscriptions/a";
    ASSERT_OK(ss_findings_add(&fs, &f, NULL));
    f.check_id = "audit.completeness";
    ASSERT_OK(ss_findings_add(&fs, &f, NULL));
    ss_findings_sort(&fs);
    ASSERT_STREQ(fs.items[0].check_id, "audit.completeness");
    ASSERT_STREQ(fs.items[1].entities[0], "/subscriptions/a");
    ASSERT_STREQ(fs.items[2].entities[0], "/subscriptions/b");
    ASSERT_STREQ(ss_severity_name(fs.items[0].severity), "high");
    ASSERT_OK(ss_severity_parse("Informational", 13, &sev));
    ASSERT_EQ(sev, SS_SEV_INFO);
    ASSERT_EQ(ss_severity_parse("severe", 6, &sev), SS_ESYNTAX);
    ss_findings_release(&fs);
}

static void test_strerror(void)
{
    ASSERT_STREQ(ss_strerror(SS_ELIMIT), "limit exceeded");
    ASSERT_STREQ(ss_strerror(-ENOENT), "No such file or directory");
    ASSERT_STREQ(ss_strerror(-5000), "unknown error");
}

int main(void)
{
    SS_RUN(test_alloc_accounting);
    SS_RUN(test_alloc_fault);
    SS_RUN(test_grow);
    SS_RUN(test_buf);
    SS_RUN(test_buf_json_and_hex);
    SS_RUN(test_utf8_decode);
    SS_RUN(test_str);
    SS_RUN(test_arena);
    SS_RUN(test_arena_adopt);
    SS_RUN(test_diag);
    SS_RUN(test_parse);
    SS_RUN(test_time);
    SS_RUN(test_pool);
    SS_RUN(test_findings);
    SS_RUN(test_strerror);
    return ss_test_done();
}
