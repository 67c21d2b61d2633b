/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_json.c - unit tests of json/json.h: validation errors with their byte
 * offsets, caps, escapes, numbers, path parsing, lookup, iteration, path-set extraction,
 * JSONTestSuite conformance (skipped without the shared corpus) and a seeded random
 * differential between the validating scanner and the fast skipper.
 */
#include "json/json.h"

#include "core/alloc.h"
#include "ss_test.h"

#include <dirent.h>
#include <math.h>

/* ---- helpers ----------------------------------------------------------------------- */

static int validate_str(const char *s, struct ss_diag *d)
{
    ss_diag_clear(d);
    return ss_json_validate(s, strlen(s), NULL, d);
}

static struct ss_json_path *path_of(const char *spec)
{
    struct ss_json_path *p = NULL;

    if (ss_json_path_parse(spec, strlen(spec), &p, NULL) != 0)
        return NULL;
    return p;
}

/* Value of @spec in @rec (type SS_JSON__COUNT on error). */
static struct ss_json_val get_str(const char *rec, const char *spec)
{
    struct ss_json_val v = { .type = SS_JSON__COUNT };
    struct ss_json_path *p = path_of(spec);

    if (p == NULL || ss_json_get(rec, strlen(rec), p, &v) != 0)
        v.type = SS_JSON__COUNT;
    ss_json_path_free(p);
    return v;
}

/* Whether @v is a value whose raw text is @raw. */
static bool raw_is(const struct ss_json_val *v, const char *raw)
{
    return v->ptr != NULL && v->len == strlen(raw) && memcmp(v->ptr, raw, v->len) == 0;
}

static const char azure_rec[] =
    "{\"time\":\"2024-05-01T09:12:44.1234567Z\",\"resourceId\":\"/SUBSCRIPTIONS/"
    "11111111-2222-3333-4444-555555555555/RESOURCEGROUPS/RG-DATA/PROVIDERS/MICROSOFT.STORAGE/"
    "STORAGEACCOUNTS/STEXPORT01\",\"operationName\":\"MICROSOFT.STORAGE/STORAGEACCOUNTS/"
    "LISTKEYS/ACTION\",\"category\":\"Administrative\",\"resultType\":\"Success\","
    "\"resultSignature\":\"Succeeded.OK\",\"durationMs\":0,\"callerIpAddress\":"
    "\"198.51.100.23\",\"correlationId\":\"aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb\",\"identity\":"
    "{\"authorization\":{\"scope\":\"/subscriptions/11111111-2222-3333-4444-555555555555/"
    "resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stexport01\","
    "\"action\":\"Microsoft.Storage/storageAccounts/listKeys/action\",\"evidence\":{\"role\":"
    "\"Contributor\",\"roleAssignmentScope\":\"/subscriptions/"
    "11111111-2222-3333-4444-555555555555\",\"roleAssignmentId\":"
    "\"0123456789abcdef0123456789abcdef\",\"roleDefinitionId\":"
    "\"b24988ac618042a0ab8820f7382dd24c\",\"principalId\":\"fedcba9876543210fedcba9876543210\","
    "\"principalType\":\"User\"}},\"claims\":{\"http://schemas.xmlsoap.org/ws/2005/05/identity/"
    "claims/upn\":\"ops@contoso.example\",\"ipaddr\":\"198.51.100.23\",\"appid\":"
    "\"04b07795-8ddb-461a-bbee-02f9e1bf7b46\",\"http://schemas.microsoft.com/identity/claims/"
    "tenantid\":\"99999999-8888-7777-6666-555555555555\"}},\"level\":\"Information\","
    "\"location\":\"global\",\"properties\":{\"statusCode\":\"OK\",\"serviceRequestId\":null,"
    "\"eventCategory\":\"Administrative\"}}";

/* ---- basics ------------------------------------------------------------------------ */

static void test_type_names(void)
{
    ASSERT_STREQ(ss_json_type_name(SS_JSON_MISSING), "missing");
    ASSERT_STREQ(ss_json_type_name(SS_JSON_NULL), "null");
    ASSERT_STREQ(ss_json_type_name(SS_JSON_FALSE), "false");
    ASSERT_STREQ(ss_json_type_name(SS_JSON_TRUE), "true");
    ASSERT_STREQ(ss_json_type_name(SS_JSON_NUMBER), "number");
    ASSERT_STREQ(ss_json_type_name(SS_JSON_STRING), "string");
    ASSERT_STREQ(ss_json_type_name(SS_JSON_ARRAY), "array");
    ASSERT_STREQ(ss_json_type_name(SS_JSON_OBJECT), "object");
    ASSERT_STREQ(ss_json_type_name(SS_JSON__COUNT), "invalid");
}

static void test_validate_ok(void)
{
    static const char *const ok[] = {
        "0",
        "-0",
        "-0.0e+1",
        "1E-2",
        "123456789012345678901234567890",
        "\"\"",
        "true",
        "false",
        "null",
        "[]",
        "{}",
        " \t\r\n[ 1 , 2 ]\n ",
        "{\"a\":{\"b\":[{},[],\"\"]}}",
        "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u00e9\\ud83d\\ude00\"",
        ("\"\xc3\xa9\xe2\x82\xac"
         "\xf0\x9f\x98\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf\""),
    };
    struct ss_diag d;

    for (size_t k = 0; k < SS_ARRAY_LEN(ok); k++) {
        if (validate_str(ok[k], &d) != 0) {
            ss_test_fail_msg(__FILE__, __LINE__, "rejected %s: %s at %" PRIu64, ok[k], d.msg,
                             d.offset);
            return;
        }
    }
    ASSERT_OK(validate_str(azure_rec, &d));
    ASSERT_EQ(d.code, 0);
}

struct err_case {
    const char *text;
    size_t len; /* 0: strlen */
    int code;
    uint64_t offset;
};

static void test_validate_errors(void)
{
    static const struct err_case cases[] = {
        { "", 0, SS_ESYNTAX, 0 },
        { "  ", 0, SS_ESYNTAX, 2 },
        { "{\"a\":1,}", 0, SS_ESYNTAX, 7 },
        { "[1,]", 0, SS_ESYNTAX, 3 },
        { "[1 2]", 0, SS_ESYNTAX, 3 },
        { "{\"a\" 1}", 0, SS_ESYNTAX, 5 },
        { "{\"a\":1 \"b\":2}", 0, SS_ESYNTAX, 7 },
        { "{1:2}", 0, SS_ESYNTAX, 1 },
        { "[1}", 0, SS_ESYNTAX, 2 },
        { "\"abc", 0, SS_ESYNTAX, 4 },
        { "[\"a\x01\"]", 0, SS_ESYNTAX, 3 },
        { "\"\\q\"", 0, SS_ESYNTAX, 1 },
        { "\"\\u12G4\"", 0, SS_ESYNTAX, 1 },
        { "[\"\\uD800\"]", 0, SS_ESYNTAX, 2 },
        { "[\"\\uDC00\"]", 0, SS_ESYNTAX, 2 },
        { "\"ab\\uD83D\\u0041\"", 0, SS_ESYNTAX, 3 },
        { "\"\xc3\x28\"", 0, SS_ESYNTAX, 1 },
        { "\"\xed\xa0\x80\"", 0, SS_ESYNTAX, 1 },
        { "\"\xc0\xaf\"", 0, SS_ESYNTAX, 1 },
        { "\"\xf4\x90\x80\x80\"", 0, SS_ESYNTAX, 1 },
        { "\"abc\xe2\x82\"", 0, SS_ESYNTAX, 4 },
        { "01", 0, SS_ESYNTAX, 1 },
        { "-", 0, SS_ESYNTAX, 1 },
        { "-a", 0, SS_ESYNTAX, 1 },
        { "1.", 0, SS_ESYNTAX, 2 },
        { "1.e5", 0, SS_ESYNTAX, 2 },
        { "1e+", 0, SS_ESYNTAX, 3 },
        { "+1", 0, SS_ESYNTAX, 0 },
        { ".5", 0, SS_ESYNTAX, 0 },
        { "NaN", 0, SS_ESYNTAX, 0 },
        { "tru", 0, SS_ESYNTAX, 3 },
        { "trUe", 0, SS_ESYNTAX, 2 },
        { "nul", 0, SS_ESYNTAX, 3 },
        { "1 2", 0, SS_ESYNTAX, 2 },
        { "{} x", 0, SS_ESYNTAX, 3 },
        { "[1]\x00", 4, SS_ESYNTAX, 3 },
        { "\xef\xbb\xbf{}", 0, SS_ESYNTAX, 0 },
        { "// c\n1", 0, SS_ESYNTAX, 0 },
        { "[1,2", 0, SS_ESYNTAX, 4 },
        { "{\"a\":", 0, SS_ESYNTAX, 5 },
    };
    struct ss_diag d;

    for (size_t k = 0; k < SS_ARRAY_LEN(cases); k++) {
        const struct err_case *c = &cases[k];
        const size_t len = c->len != 0 ? c->len : strlen(c->text);
        int r;

        ss_diag_clear(&d);
        r = ss_json_validate(c->text, len, NULL, &d);
        if (r != c->code || d.code != c->code || d.offset != c->offset) {
            ss_test_fail_msg(__FILE__, __LINE__,
                             "case %zu: got %d at %" PRIu64 " (%s), want %d at %" PRIu64, k, r,
                             d.offset, d.msg, c->code, c->offset);
            return;
        }
    }
    ss_diag_clear(&d);
    ASSERT_EQ(validate_str("[\"\\uD800\"]", &d), SS_ESYNTAX);
    ASSERT_STREQ(d.msg, "lone high surrogate escape");
    ASSERT_EQ(validate_str("{\"a\" 1}", &d), SS_ESYNTAX);
    ASSERT_STREQ(d.msg, "expected ':' after object key, found '1'");
    ASSERT_EQ(validate_str("[\"\x7f\x01\"]", &d), SS_ESYNTAX);
    ASSERT_EQ(d.offset, 3);
    ASSERT_STREQ(d.msg, "unescaped control character in string");
}

/* Nested arrays: @n levels, as "[[...]]". */
static char *nested(size_t n, char open, char close)
{
    char *s = ss_malloc(2 * n + 1);

    if (s == NULL)
        return NULL;
    memset(s, open, n);
    memset(s + n, close, n);
    s[2 * n] = '\0';
    return s;
}

static void test_caps(void)
{
    struct ss_json_limits lim = ss_json_limits_default;
    struct ss_diag d;
    char *s;
    int r;

    /* Depth: exactly the cap passes, one more fails at the offending bracket. */
    s = nested(128, '[', ']');
    ASSERT_TRUE(s != NULL);
    r = ss_json_validate(s, 256, NULL, &d);
    ss_free(s);
    ASSERT_OK(r);
    s = nested(129, '[', ']');
    ASSERT_TRUE(s != NULL);
    ss_diag_clear(&d);
    r = ss_json_validate(s, 258, NULL, &d);
    ss_free(s);
    ASSERT_EQ(r, SS_ELIMIT);
    ASSERT_EQ(d.code, SS_ELIMIT);
    ASSERT_EQ(d.offset, 128);
    ASSERT_STREQ(d.msg, "nesting deeper than 128");
    /* Unclosed deep nesting fails on the cap, not on the stack. */
    s = nested(100000, '[', ']');
    ASSERT_TRUE(s != NULL);
    r = ss_json_validate(s, 100000, NULL, &d);
    ss_free(s);
    ASSERT_EQ(r, SS_ELIMIT);
    ASSERT_EQ(d.offset, 128);
    /* A max_depth past the hard limit behaves as the limit. */
    lim.max_depth = 1u << 30;
    s = nested(SS_JSON_MAX_DEPTH_LIMIT + 1, '[', ']');
    ASSERT_TRUE(s != NULL);
    r = ss_json_validate(s, 2 * (SS_JSON_MAX_DEPTH_LIMIT + 1), &lim, &d);
    if (r == SS_ELIMIT && d.offset == SS_JSON_MAX_DEPTH_LIMIT)
        r = ss_json_validate(s + 1, 2 * SS_JSON_MAX_DEPTH_LIMIT, &lim, &d);
    else
        r = -1;
    ss_free(s);
    ASSERT_OK(r);
    lim = ss_json_limits_default;
    lim.max_depth = 2;
    ASSERT_OK(ss_json_validate("[{}]", 4, &lim, &d));
    ASSERT_EQ(ss_json_validate("[{\"a\":[]}]", 10, &lim, &d), SS_ELIMIT);
    ASSERT_EQ(d.offset, 6);

    /* String length (raw bytes between the quotes), keys included. */
    lim = ss_json_limits_default;
    lim.max_string_bytes = 3;
    ASSERT_OK(ss_json_validate("[\"abc\"]", 7, &lim, &d));
    ASSERT_EQ(ss_json_validate("[\"abc\",\"abcd\"]", 14, &lim, &d), SS_ELIMIT);
    ASSERT_EQ(d.offset, 7);
    ASSERT_EQ(ss_json_validate("{\"abcd\":1}", 10, &lim, &d), SS_ELIMIT);
    ASSERT_EQ(d.offset, 1);

    /* Members of one object or array. */
    lim = ss_json_limits_default;
    lim.max_members = 2;
    ASSERT_OK(ss_json_validate("[[1,2],{\"a\":1,\"b\":[3,4]}]", 25, &lim, &d));
    ss_diag_clear(&d);
    ASSERT_EQ(ss_json_validate("[1,2,3]", 7, &lim, &d), SS_ELIMIT);
    ASSERT_EQ(d.offset, 5);
    ASSERT_STREQ(d.msg, "more than 2 members in one object or array");
    ASSERT_EQ(ss_json_validate("{\"a\":1,\"b\":2,\"c\":3}", 19, &lim, &d), SS_ELIMIT);
    ASSERT_EQ(d.offset, 13);
    lim.max_members = 0;
    ASSERT_OK(ss_json_validate("[]", 2, &lim, &d));
    ASSERT_EQ(ss_json_validate("[0]", 3, &lim, &d), SS_ELIMIT);
    ASSERT_EQ(d.offset, 1);

    /* Record size: validate checks the whole text, skip the value. */
    lim = ss_json_limits_default;
    lim.max_record_bytes = 5;
    ASSERT_OK(ss_json_validate("[1,2]", 5, &lim, &d));
    ss_diag_clear(&d);
    ASSERT_EQ(ss_json_validate("[1,2] ", 6, &lim, &d), SS_ELIMIT);
    ASSERT_EQ(d.offset, 5);
    ASSERT_STREQ(d.msg, "record larger than 5 bytes");
    {
        const char *t = "  [1,2]\n[1,22] 12345 123456 \"abc\" \"abcd\"";
        size_t st = 0, en = 0;

        ASSERT_OK(ss_json_skip(t, strlen(t), 0, &lim, &st, &en, &d));
        ASSERT_EQ(st, 2);
        ASSERT_EQ(en, 7);
        ss_diag_clear(&d);
        ASSERT_EQ(ss_json_skip(t, strlen(t), en, &lim, &st, &en, &d), SS_ELIMIT);
        ASSERT_EQ(d.offset, 13);
        ASSERT_OK(ss_json_skip(t, strlen(t), 15, &lim, &st, &en, &d));
        ASSERT_EQ(st, 15);
        ASSERT_EQ(en, 20);
        ASSERT_EQ(ss_json_skip(t, strlen(t), en, &lim, &st, &en, &d), SS_ELIMIT);
        ASSERT_EQ(d.offset, 26);
        ASSERT_OK(ss_json_skip(t, strlen(t), 28, &lim, &st, &en, &d));
        ASSERT_EQ(en, 33);
        ASSERT_EQ(ss_json_skip(t, strlen(t), en, &lim, &st, &en, &d), SS_ELIMIT);
        ASSERT_EQ(d.offset, 39);
    }
}

static void test_skip(void)
{
    const char *t = " {\"a\":[1,2]}\n\"x\"  7 [] ";
    const size_t len = strlen(t);
    size_t pos = 0, st = 99, en = 99;
    struct ss_diag d;

    ASSERT_OK(ss_json_skip(t, len, pos, NULL, &st, &en, &d));
    ASSERT_EQ(st, 1);
    ASSERT_EQ(en, 12);
    ASSERT_OK(ss_json_skip(t, len, en, NULL, &st, &en, &d));
    ASSERT_EQ(st, 13);
    ASSERT_EQ(en, 16);
    ASSERT_OK(ss_json_skip(t, len, en, NULL, &st, &en, &d));
    ASSERT_EQ(st, 18);
    ASSERT_EQ(en, 19);
    ASSERT_OK(ss_json_skip(t, len, en, NULL, &st, &en, &d));
    ASSERT_EQ(st, 20);
    ASSERT_EQ(en, 22);
    pos = en;
    st = 99;
    ASSERT_EQ(ss_json_skip(t, len, pos, NULL, &st, &en, &d), SS_EEMPTY);
    ASSERT_EQ(st, 99);
    ASSERT_EQ(ss_json_skip(t, len, len, NULL, &st, &en, &d), SS_EEMPTY);
    ASSERT_EQ(ss_json_skip_ws(t, len, 22), len);
    ASSERT_EQ(ss_json_skip_ws(t, len, 12), 13);
    ASSERT_EQ(ss_json_skip_ws(t, len, 1), 1);
    /* A malformed value: error with its offset, outputs untouched. */
    ASSERT_EQ(ss_json_skip("[1] [2,", 7, 3, NULL, &st, &en, &d), SS_ESYNTAX);
    ASSERT_EQ(d.offset, 7);
    ASSERT_EQ(st, 99);
}

/* ---- strings ----------------------------------------------------------------------- */

static void test_escapes(void)
{
    struct ss_buf b = SS_BUF_INIT(1024);
    struct ss_json_val v;
    char out[8];
    long long n;

    v = get_str("{\"k\":\"caf\\u00e9\"}", "k");
    ASSERT_EQ(v.type, SS_JSON_STRING);
    ASSERT_TRUE(v.escaped);
    ASSERT_OK(ss_json_unescape(&v, &b));
    ASSERT_EQ(b.len, 5);
    ASSERT_MEMEQ(b.ptr, "caf\xc3\xa9", 6);
    ss_buf_reset(&b);

    v = get_str("[\"\\ud83d\\ude00!\"]", "[0]");
    ASSERT_OK(ss_json_unescape(&v, &b));
    ASSERT_EQ(b.len, 5);
    ASSERT_MEMEQ(b.ptr, "\xf0\x9f\x98\x80!", 5);
    ss_buf_reset(&b);

    v = get_str("[\"a\\u0000b\"]", "[0]");
    ASSERT_OK(ss_json_unescape(&v, &b));
    ASSERT_EQ(b.len, 3);
    ASSERT_MEMEQ(b.ptr, "a\0b", 4);
    ss_buf_reset(&b);

    v = get_str("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u20AC\"]", "[0]");
    ASSERT_OK(ss_json_unescape(&v, &b));
    ASSERT_EQ(b.len, 11);
    ASSERT_MEMEQ(b.ptr, "\"\\/\b\f\n\r\t\xe2\x82\xac", 11);
    ss_buf_reset(&b);

    /* Non-strings append their raw text; unescaped strings their body. */
    v = get_str("{\"n\":-1.5e3,\"s\":\"plain\"}", "n");
    ASSERT_OK(ss_json_unescape(&v, &b));
    ASSERT_STREQ(b.ptr, "-1.5e3");
    ss_buf_reset(&b);
    v = get_str("{\"n\":-1.5e3,\"s\":\"plain\"}", "s");
    ASSERT_TRUE(!v.escaped);
    ASSERT_OK(ss_json_unescape(&v, &b));
    ASSERT_STREQ(b.ptr, "plain");

    /* Lone surrogates and bad escapes are rejected, the buffer left as it was. */
    v = (struct ss_json_val){ .type = SS_JSON_STRING, .ptr = "\"x\\ud800\"", .len = 9 };
    ASSERT_EQ(ss_json_unescape(&v, &b), SS_ESYNTAX);
    ASSERT_STREQ(b.ptr, "plain");
    v = (struct ss_json_val){ .type = SS_JSON_STRING, .ptr = "\"\\udc00\"", .len = 8 };
    ASSERT_EQ(ss_json_unescape(&v, &b), SS_ESYNTAX);
    v = (struct ss_json_val){ .type = SS_JSON_STRING, .ptr = "\"\\ud800\\u0041\"", .len = 14 };
    ASSERT_EQ(ss_json_unescape(&v, &b), SS_ESYNTAX);
    v = (struct ss_json_val){ .type = SS_JSON_STRING, .ptr = "\"\\x\"", .len = 4 };
    ASSERT_EQ(ss_json_unescape(&v, &b), SS_ESYNTAX);
    v = (struct ss_json_val){ .type = SS_JSON_STRING, .ptr = "\"\\u12\"", .len = 6 };
    ASSERT_EQ(ss_json_unescape(&v, &b), SS_ESYNTAX);
    ASSERT_EQ(b.len, 5);
    ss_buf_release(&b);

    /* The buffer cap applies to the decoded length. */
    b = SS_BUF_INIT(2);
    v = (struct ss_json_val){ .type = SS_JSON_STRING, .ptr = "\"\\u00e9\"", .len = 8 };
    ASSERT_OK(ss_json_unescape(&v, &b));
    ASSERT_EQ(b.len, 2);
    ASSERT_EQ(ss_json_unescape(&v, &b), SS_ELIMIT);
    ASSERT_EQ(b.len, 2);
    ss_buf_release(&b);

    /* str_copy: truncates, NUL-terminates, returns the full length. */
    v = get_str("[\"h\\u00e9llo w\"]", "[0]");
    n = ss_json_str_copy(&v, out, sizeof(out));
    ASSERT_EQ(n, 8);
    ASSERT_STREQ(out, "h\xc3\xa9llo ");
    n = ss_json_str_copy(&v, out, 3);
    ASSERT_EQ(n, 8);
    ASSERT_STREQ(out, "h\xc3");
    ASSERT_EQ(ss_json_str_copy(&v, NULL, 0), 8);
    v = get_str("[true]", "[0]");
    ASSERT_EQ(ss_json_str_copy(&v, out, sizeof(out)), 4);
    ASSERT_STREQ(out, "true");
    v = (struct ss_json_val){ .type = SS_JSON_STRING, .ptr = "\"\\ud800\"", .len = 8 };
    ASSERT_EQ(ss_json_str_copy(&v, out, sizeof(out)), SS_ESYNTAX);
    ASSERT_STREQ(out, "");

    /* str_eq: after unescaping; icase is ASCII only; non-strings compare raw text. */
    v = get_str("[\"Microsoft.Storage\\/listKeys\"]", "[0]");
    ASSERT_TRUE(ss_json_str_eq(&v, "Microsoft.Storage/listKeys", 26, false));
    ASSERT_TRUE(!ss_json_str_eq(&v, "MICROSOFT.STORAGE/LISTKEYS", 26, false));
    ASSERT_TRUE(ss_json_str_eq(&v, "MICROSOFT.STORAGE/LISTKEYS", 26, true));
    ASSERT_TRUE(!ss_json_str_eq(&v, "Microsoft.Storage/listKey", 25, false));
    ASSERT_TRUE(!ss_json_str_eq(&v, "Microsoft.Storage/listKeysX", 27, false));
    v = get_str("[\"\\u00C9\"]", "[0]");
    ASSERT_TRUE(ss_json_str_eq(&v, "\xc3\x89", 2, false));
    ASSERT_TRUE(!ss_json_str_eq(&v, "\xc3\xa9", 2, true));
    v = get_str("[78]", "[0]");
    ASSERT_TRUE(ss_json_str_eq(&v, "78", 2, false));
    ASSERT_TRUE(!ss_json_str_eq(&v, "\"78\"", 4, false));
    v = get_str("[\"\"]", "[0]");
    ASSERT_TRUE(ss_json_str_eq(&v, "", 0, false));
    ASSERT_TRUE(!ss_json_str_eq(&v, "a", 1, false));
}

/* ---- numbers ----------------------------------------------------------------------- */

static void test_numbers(void)
{
    const char *rec = "{\"a\":78,\"b\":\"78\",\"c\":\"7.8e1\",\"d\":\"\\u0037\\u0038\","
                      "\"e\":\" 78\",\"f\":\"078\",\"g\":1e400,\"h\":\"-1e400\",\"i\":true,"
                      "\"j\":-0,\"k\":123456789012345678,\"l\":\"abc\",\"m\":1e-400,"
                      "\"n\":-12.5,\"o\":\"\",\"p\":null}";
    struct ss_json_val v;
    double x = 0, y = 0;

    v = get_str(rec, "a");
    ASSERT_OK(ss_json_number(&v, &x));
    v = get_str(rec, "b");
    ASSERT_EQ(v.type, SS_JSON_STRING);
    ASSERT_OK(ss_json_number(&v, &y));
    ASSERT_TRUE(x == 78.0 && y == 78.0);
    v = get_str(rec, "c");
    ASSERT_OK(ss_json_number(&v, &y));
    ASSERT_TRUE(y == 78.0);
    v = get_str(rec, "d");
    ASSERT_OK(ss_json_number(&v, &y));
    ASSERT_TRUE(y == 78.0);
    y = 5;
    v = get_str(rec, "e");
    ASSERT_EQ(ss_json_number(&v, &y), SS_ESYNTAX);
    ASSERT_TRUE(y == 5.0);
    v = get_str(rec, "f");
    ASSERT_EQ(ss_json_number(&v, &y), SS_ESYNTAX);
    v = get_str(rec, "g");
    ASSERT_EQ(ss_json_number(&v, &y), SS_ELIMIT);
    v = get_str(rec, "h");
    ASSERT_EQ(ss_json_number(&v, &y), SS_ELIMIT);
    v = get_str(rec, "i");
    ASSERT_EQ(ss_json_number(&v, &y), SS_ESYNTAX);
    v = get_str(rec, "j");
    ASSERT_OK(ss_json_number(&v, &y));
    ASSERT_TRUE(y == 0.0 && signbit(y));
    v = get_str(rec, "k");
    ASSERT_OK(ss_json_number(&v, &y));
    ASSERT_TRUE(y == 123456789012345678.0);
    v = get_str(rec, "l");
    ASSERT_EQ(ss_json_number(&v, &y), SS_ESYNTAX);
    v = get_str(rec, "m");
    ASSERT_OK(ss_json_number(&v, &y));
    ASSERT_TRUE(y == 0.0);
    v = get_str(rec, "n");
    ASSERT_OK(ss_json_number(&v, &y));
    ASSERT_TRUE(y == -12.5);
    v = get_str(rec, "o");
    ASSERT_EQ(ss_json_number(&v, &y), SS_ESYNTAX);
    v = get_str(rec, "p");
    ASSERT_EQ(ss_json_number(&v, &y), SS_ESYNTAX);
    v = get_str(rec, "zz");
    ASSERT_EQ(v.type, SS_JSON_MISSING);
    ASSERT_EQ(ss_json_number(&v, &y), SS_ESYNTAX);
    /* Long texts: a 200-digit number is out of range for the parser, not a syntax error. */
    {
        char big[210];

        big[0] = '"';
        memset(big + 1, '9', 200);
        big[201] = '"';
        v = (struct ss_json_val){ .type = SS_JSON_STRING, .ptr = big, .len = 202 };
        ASSERT_EQ(ss_json_number(&v, &y), SS_ELIMIT);
        big[100] = 'x';
        ASSERT_EQ(ss_json_number(&v, &y), SS_ESYNTAX);
    }
}

/* ---- paths ------------------------------------------------------------------------- */

struct path_err {
    const char *spec;
    int code;
    uint64_t offset;
};

static void test_path_parse(void)
{
    static const char *const ok[] = {
        "",
        ".",
        "a",
        ".a",
        "a.b.c",
        "a[0]",
        "a[*].b",
        "[0]",
        "[*]",
        "[\"x.y\"]",
        "identity.claims.\"http://schemas.microsoft.com/identity/claims/tenantid\"",
        "a[\"b\"][12][*]",
        "\"a\\u00e9\\n\"",
        "sp ace.x",
        "a.\"\"",
        "x:y/z",
    };
    static const struct path_err bad[] = {
        { "a..b", SS_ESYNTAX, 2 },         { "a.", SS_ESYNTAX, 2 },
        { "..", SS_ESYNTAX, 1 },           { "a[", SS_ESYNTAX, 2 },
        { "a[x]", SS_ESYNTAX, 2 },         { "a[]", SS_ESYNTAX, 2 },
        { "a[01]", SS_ESYNTAX, 2 },        { "a[1", SS_ESYNTAX, 3 },
        { "a[1]b", SS_ESYNTAX, 4 },        { "a]b", SS_ESYNTAX, 1 },
        { "\"abc", SS_ESYNTAX, 4 },        { "\"a\"b", SS_ESYNTAX, 3 },
        { "a.\"\\x\"", SS_ESYNTAX, 3 },    { "a.\"\\ud800\"", SS_ESYNTAX, 3 },
        { "a[4294967296]", SS_ELIMIT, 2 }, { "a\"b", SS_ESYNTAX, 1 },
    };
    struct ss_json_path *p = NULL;
    struct ss_diag d;
    char spec[SS_JSON_PATH_MAX_BYTES + 2];

    for (size_t k = 0; k < SS_ARRAY_LEN(ok); k++) {
        p = NULL;
        if (ss_json_path_parse(ok[k], strlen(ok[k]), &p, &d) != 0) {
            ss_test_fail_msg(__FILE__, __LINE__, "rejected path '%s': %s", ok[k], d.msg);
            return;
        }
        ASSERT_EQ(ss_json_path_is_multi(p), strchr(ok[k], '*') != NULL);
        ss_json_path_free(p);
    }
    for (size_t k = 0; k < SS_ARRAY_LEN(bad); k++) {
        p = NULL;
        ss_diag_clear(&d);
        if (ss_json_path_parse(bad[k].spec, strlen(bad[k].spec), &p, &d) != bad[k].code ||
            d.code != bad[k].code || d.offset != bad[k].offset || p != NULL) {
            ss_test_fail_msg(__FILE__, __LINE__, "path '%s': got %d at %" PRIu64 " (%s)",
                             bad[k].spec, d.code, d.offset, d.msg);
            ss_json_path_free(p);
            return;
        }
    }
    ASSERT_OK(ss_json_path_parse("a[1]b", 5, &p, &d) == SS_ESYNTAX ? 0 : -1);
    ASSERT_STREQ(d.msg, "path: expected '.' or '[' between segments");
    /* Segment and length caps. */
    memset(spec, 0, sizeof(spec));
    for (size_t k = 0; k < 32; k++)
        memcpy(spec + 2 * k, "a.", 2);
    spec[63] = '\0';
    p = NULL;
    ASSERT_OK(ss_json_path_parse(spec, 63, &p, &d));
    ss_json_path_free(p);
    spec[63] = '.';
    spec[64] = 'b';
    p = NULL;
    ASSERT_EQ(ss_json_path_parse(spec, 65, &p, &d), SS_ELIMIT);
    ASSERT_EQ(d.offset, 64);
    ASSERT_TRUE(p == NULL);
    memset(spec, 'x', sizeof(spec));
    ASSERT_OK(ss_json_path_parse(spec, SS_JSON_PATH_MAX_BYTES, &p, &d));
    ss_json_path_free(p);
    p = NULL;
    ASSERT_EQ(ss_json_path_parse(spec, SS_JSON_PATH_MAX_BYTES + 1, &p, &d), SS_ELIMIT);
    ASSERT_EQ(d.offset, SS_JSON_PATH_MAX_BYTES);
}

static void test_get(void)
{
    const char *rec = azure_rec;
    struct ss_json_val v;

    v = get_str(rec, "time");
    ASSERT_EQ(v.type, SS_JSON_STRING);
    ASSERT_TRUE(raw_is(&v, "\"2024-05-01T09:12:44.1234567Z\""));
    v = get_str(rec, "identity.claims.\"http://schemas.microsoft.com/identity/claims/tenantid\"");
    ASSERT_TRUE(ss_json_str_eq(&v, "99999999-8888-7777-6666-555555555555", 36, false));
    v = get_str(rec, "identity.authorization.evidence.role");
    ASSERT_TRUE(raw_is(&v, "\"Contributor\""));
    v = get_str(rec, "identity[\"authorization\"].evidence[\"principalType\"]");
    ASSERT_TRUE(raw_is(&v, "\"User\""));
    v = get_str(rec, "durationMs");
    ASSERT_EQ(v.type, SS_JSON_NUMBER);
    ASSERT_TRUE(raw_is(&v, "0"));
    v = get_str(rec, "properties.serviceRequestId");
    ASSERT_EQ(v.type, SS_JSON_NULL);
    v = get_str(rec, "properties");
    ASSERT_EQ(v.type, SS_JSON_OBJECT);
    ASSERT_TRUE(raw_is(&v, "{\"statusCode\":\"OK\",\"serviceRequestId\":null,"
                           "\"eventCategory\":\"Administrative\"}"));
    v = get_str(rec, "identity.claims.upn");
    ASSERT_EQ(v.type, SS_JSON_MISSING);
    ASSERT_TRUE(v.ptr == NULL);
    v = get_str(rec, "time.x");
    ASSERT_EQ(v.type, SS_JSON_MISSING);
    v = get_str(rec, "identity[0]");
    ASSERT_EQ(v.type, SS_JSON_MISSING);
    v = get_str(rec, "");
    ASSERT_EQ(v.type, SS_JSON_OBJECT);
    ASSERT_EQ(v.len, strlen(rec));
    v = get_str("  [1, {\"a\" : [true , false]} ]  ", "[1].a[1]");
    ASSERT_EQ(v.type, SS_JSON_FALSE);
    v = get_str("  [1, {\"a\" : [true , false]} ]  ", "[1].a[2]");
    ASSERT_EQ(v.type, SS_JSON_MISSING);
    v = get_str("  [1, {\"a\" : [true , false]} ]  ", ".");
    ASSERT_TRUE(raw_is(&v, "[1, {\"a\" : [true , false]} ]"));
    /* Keys with escapes in the record match their unescaped path key. */
    v = get_str("{\"http:\\/\\/x\\u002fy\":1,\"\\u00e9\":2}", "\"http://x/y\"");
    ASSERT_TRUE(raw_is(&v, "1"));
    v = get_str("{\"http:\\/\\/x\\u002fy\":1,\"\\u00e9\":2}", "\"\\u00e9\"");
    ASSERT_TRUE(raw_is(&v, "2"));
    v = get_str("{\"http:\\/\\/x\\u002fy\":1,\"\\u00e9\":2}", "\xc3\xa9");
    ASSERT_TRUE(raw_is(&v, "2"));
    /* Malformed text: an error, never a read past the end. */
    v = get_str("{\"a\":[1,2", "a[5]");
    ASSERT_EQ(v.type, SS_JSON__COUNT);
    v = get_str("{\"a\":\"xx", "a");
    ASSERT_EQ(v.type, SS_JSON__COUNT);
    v = get_str("   ", "a");
    ASSERT_EQ(v.type, SS_JSON__COUNT);
}

struct collect {
    size_t n;
    char text[256];
    int stop_at;
};

static int collect_fn(void *ctx, const struct ss_json_val *val)
{
    struct collect *c = ctx;
    const size_t used = strlen(c->text);

    snprintf(c->text + used, sizeof(c->text) - used, "%s%.*s", c->n > 0 ? "|" : "", (int)val->len,
             val->ptr);
    c->n++;
    return (int)c->n == c->stop_at ? 42 : 0;
}

static void test_wildcard(void)
{
    const char *rec = "{\"targetResources\":[{\"id\":1},{\"userPrincipalName\":\"a@b\"},"
                      "{\"userPrincipalName\":\"c@d\",\"modifiedProperties\":[{\"n\":\"x\"},"
                      "{\"n\":\"y\"}]}],\"Records\":[{\"eventName\":\"A\"},{\"eventName\":\"B\"}]}";
    struct ss_json_path *p = path_of("targetResources[*].userPrincipalName");
    struct collect c = { 0 };
    struct ss_json_val v;

    ASSERT_TRUE(p != NULL);
    ASSERT_TRUE(ss_json_path_is_multi(p));
    ASSERT_OK(ss_json_get(rec, strlen(rec), p, &v));
    ASSERT_TRUE(raw_is(&v, "\"a@b\""));
    ASSERT_OK(ss_json_get_each(rec, strlen(rec), p, collect_fn, &c));
    ss_json_path_free(p);
    ASSERT_EQ(c.n, 2);
    ASSERT_STREQ(c.text, "\"a@b\"|\"c@d\"");

    p = path_of("targetResources[*].modifiedProperties[*].n");
    ASSERT_TRUE(p != NULL);
    memset(&c, 0, sizeof(c));
    ASSERT_OK(ss_json_get_each(rec, strlen(rec), p, collect_fn, &c));
    ASSERT_STREQ(c.text, "\"x\"|\"y\"");
    ss_json_path_free(p);

    p = path_of("[*]");
    ASSERT_TRUE(p != NULL);
    memset(&c, 0, sizeof(c));
    ASSERT_OK(ss_json_get_each("[1, \"two\" ,[3],{}]", 19, p, collect_fn, &c));
    ASSERT_STREQ(c.text, "1|\"two\"|[3]|{}");
    /* The callback's nonzero value stops the walk and is returned. */
    memset(&c, 0, sizeof(c));
    c.stop_at = 2;
    ASSERT_EQ(ss_json_get_each("[1, \"two\" ,[3],{}]", 19, p, collect_fn, &c), 42);
    ASSERT_EQ(c.n, 2);
    memset(&c, 0, sizeof(c));
    ASSERT_OK(ss_json_get_each("[]", 2, p, collect_fn, &c));
    ASSERT_EQ(c.n, 0);
    ASSERT_OK(ss_json_get_each("{\"a\":1}", 7, p, collect_fn, &c));
    ASSERT_EQ(c.n, 0);
    ss_json_path_free(p);

    v = get_str(rec, "Records[1].eventName");
    ASSERT_TRUE(raw_is(&v, "\"B\""));
    v = get_str(rec, "Records[2].eventName");
    ASSERT_EQ(v.type, SS_JSON_MISSING);
}

static void test_duplicates(void)
{
    const char *rec = "{\"a\":1,\"b\":{\"x\":1},\"a\":2,\"b\":{\"y\":2}}";
    struct ss_json_pathset *set = ss_json_pathset_new();
    const char *specs[] = { "a", "b.x", "b.y" };
    struct ss_json_val vals[3];
    struct ss_json_val key, v;
    size_t slot, cur = 0;
    int n = 0;

    v = get_str(rec, "a");
    ASSERT_TRUE(raw_is(&v, "1"));
    v = get_str(rec, "b.y");
    ASSERT_EQ(v.type, SS_JSON_MISSING);
    ASSERT_TRUE(set != NULL);
    for (size_t k = 0; k < 3; k++) {
        struct ss_json_path *p = path_of(specs[k]);

        ASSERT_TRUE(p != NULL);
        ASSERT_OK(ss_json_pathset_add(set, p, &slot));
        ASSERT_EQ(slot, k);
    }
    ASSERT_OK(ss_json_extract(set, rec, strlen(rec), vals));
    ss_json_pathset_free(set);
    ASSERT_TRUE(raw_is(&vals[0], "1"));
    ASSERT_TRUE(raw_is(&vals[1], "1"));
    ASSERT_EQ(vals[2].type, SS_JSON_MISSING);
    /* Iteration shows every member, duplicates included. */
    v = get_str(rec, "");
    for (;;) {
        const int r = ss_json_iter_next(&v, &cur, &key, &vals[0]);

        ASSERT_TRUE(r >= 0);
        if (r == 0)
            break;
        n++;
        if (n == 3) {
            ASSERT_TRUE(raw_is(&key, "\"a\""));
            ASSERT_TRUE(raw_is(&vals[0], "2"));
        }
    }
    ASSERT_EQ(n, 4);
}

static void test_iter(void)
{
    const char *rec = "{ \"k\\n\" : [ 1 , \"s\" , {} ] , \"e\":[] }";
    struct ss_json_val root = get_str(rec, ""), key, val, ek, ev;
    struct ss_buf b = SS_BUF_INIT(64);
    size_t cur = 0, c2 = 0;

    ASSERT_EQ(ss_json_iter_next(&root, &cur, &key, &val), 1);
    ASSERT_TRUE(raw_is(&key, "\"k\\n\""));
    ASSERT_TRUE(key.escaped);
    ASSERT_OK(ss_json_unescape(&key, &b));
    ASSERT_MEMEQ(b.ptr, "k\n", 3);
    ss_buf_release(&b);
    ASSERT_EQ(val.type, SS_JSON_ARRAY);
    ASSERT_EQ(ss_json_iter_next(&val, &c2, &ek, &ev), 1);
    ASSERT_EQ(ek.type, SS_JSON_MISSING);
    ASSERT_TRUE(raw_is(&ev, "1"));
    ASSERT_EQ(ss_json_iter_next(&val, &c2, NULL, &ev), 1);
    ASSERT_TRUE(raw_is(&ev, "\"s\""));
    ASSERT_EQ(ss_json_iter_next(&val, &c2, NULL, &ev), 1);
    ASSERT_TRUE(raw_is(&ev, "{}"));
    ASSERT_EQ(ss_json_iter_next(&val, &c2, NULL, &ev), 0);
    ASSERT_EQ(ss_json_iter_next(&val, &c2, NULL, &ev), 0);
    ASSERT_EQ(ss_json_iter_next(&root, &cur, &key, &val), 1);
    ASSERT_TRUE(raw_is(&key, "\"e\""));
    ASSERT_TRUE(!key.escaped);
    c2 = 0;
    ASSERT_EQ(ss_json_iter_next(&val, &c2, NULL, &ev), 0);
    ASSERT_EQ(ss_json_iter_next(&root, &cur, &key, &val), 0);
    val = get_str(rec, "k\n[0]"); /* a bare segment is raw bytes: here a real newline */
    ASSERT_TRUE(raw_is(&val, "1"));
    val = get_str(rec, "\"k\\n\"[0]");
    c2 = 0;
    ASSERT_EQ(ss_json_iter_next(&val, &c2, NULL, &ev), -EINVAL);
    root = (struct ss_json_val){ .type = SS_JSON_ARRAY, .ptr = "[1 2]", .len = 5 };
    c2 = 0;
    ASSERT_EQ(ss_json_iter_next(&root, &c2, NULL, &ev), 1);
    ASSERT_EQ(ss_json_iter_next(&root, &c2, NULL, &ev), SS_ESYNTAX);
}

/* ---- path sets --------------------------------------------------------------------- */

static int add_path(struct ss_json_pathset *set, const char *spec, size_t *slot)
{
    struct ss_json_path *p = path_of(spec);
    int r;

    if (p == NULL)
        return SS_ESYNTAX;
    r = ss_json_pathset_add(set, p, slot);
    if (r < 0)
        ss_json_path_free(p);
    return r;
}

static void test_pathset_azure(void)
{
    static const char *const specs[] = {
        "time",
        "operationName",
        "identity.claims.\"http://schemas.microsoft.com/identity/claims/tenantid\"",
        "identity.authorization.evidence.principalType",
        "properties.statusCode",
        "durationMs",
        "identity.claims",
        "nope.nothing",
        "time",
        "",
        "properties.serviceRequestId",
    };
    struct ss_json_pathset *set = ss_json_pathset_new();
    struct ss_json_val vals[SS_ARRAY_LEN(specs)];
    size_t slot;
    double ms = -1;

    ASSERT_TRUE(set != NULL);
    for (size_t k = 0; k < SS_ARRAY_LEN(specs); k++) {
        ASSERT_OK(add_path(set, specs[k], &slot));
        ASSERT_EQ(slot, k);
    }
    ASSERT_EQ(ss_json_pathset_len(set), SS_ARRAY_LEN(specs));
    ASSERT_OK(ss_json_extract(set, azure_rec, strlen(azure_rec), vals));
    ASSERT_TRUE(raw_is(&vals[0], "\"2024-05-01T09:12:44.1234567Z\""));
    ASSERT_TRUE(raw_is(&vals[1], "\"MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION\""));
    ASSERT_TRUE(raw_is(&vals[2], "\"99999999-8888-7777-6666-555555555555\""));
    ASSERT_TRUE(raw_is(&vals[3], "\"User\""));
    ASSERT_TRUE(raw_is(&vals[4], "\"OK\""));
    ASSERT_EQ(vals[5].type, SS_JSON_NUMBER);
    ASSERT_OK(ss_json_number(&vals[5], &ms));
    ASSERT_TRUE(ms == 0.0);
    ASSERT_EQ(vals[6].type, SS_JSON_OBJECT);
    ASSERT_EQ(vals[6].len, 250);
    ASSERT_TRUE(vals[6].ptr[0] == '{' && vals[6].ptr[249] == '}');
    ASSERT_EQ(vals[7].type, SS_JSON_MISSING);
    ASSERT_TRUE(raw_is(&vals[8], "\"2024-05-01T09:12:44.1234567Z\""));
    ASSERT_EQ(vals[9].type, SS_JSON_OBJECT);
    ASSERT_EQ(vals[9].len, strlen(azure_rec));
    ASSERT_EQ(vals[10].type, SS_JSON_NULL);
    /* Every slot agrees with a single-path lookup. */
    for (size_t k = 0; k < SS_ARRAY_LEN(specs); k++) {
        const struct ss_json_val g = get_str(azure_rec, specs[k]);

        ASSERT_EQ(g.type, vals[k].type);
        ASSERT_TRUE(g.ptr == vals[k].ptr && g.len == vals[k].len);
    }
    /* Malformed text: SS_ESYNTAX and every slot missing. */
    ASSERT_EQ(ss_json_extract(set, azure_rec, 100, vals), SS_ESYNTAX);
    for (size_t k = 0; k < SS_ARRAY_LEN(specs); k++)
        ASSERT_EQ(vals[k].type, SS_JSON_MISSING);
    ASSERT_EQ(ss_json_extract(set, " ", 1, vals), SS_ESYNTAX);
    ss_json_pathset_free(set);
}

static void test_pathset_arrays(void)
{
    const char *rec = "{\"r\":[{\"n\":\"A\",\"v\":1},{\"n\":\"B\",\"w\":2},{\"w\":3}],"
                      "\"s\":[10,20,30]}";
    static const char *const specs[] = {
        "r[0].n", "r[*].w", "r[1].n", "r[*].n", "s[2]", "s[*]", "r[5]", "r[*].z", "s",
    };
    struct ss_json_pathset *set = ss_json_pathset_new();
    struct ss_json_val vals[SS_ARRAY_LEN(specs)];
    size_t slot;

    ASSERT_TRUE(set != NULL);
    for (size_t k = 0; k < SS_ARRAY_LEN(specs); k++)
        ASSERT_OK(add_path(set, specs[k], &slot));
    ASSERT_OK(ss_json_extract(set, rec, strlen(rec), vals));
    ASSERT_TRUE(raw_is(&vals[0], "\"A\""));
    ASSERT_TRUE(raw_is(&vals[1], "2"));
    ASSERT_TRUE(raw_is(&vals[2], "\"B\""));
    ASSERT_TRUE(raw_is(&vals[3], "\"A\""));
    ASSERT_TRUE(raw_is(&vals[4], "30"));
    ASSERT_TRUE(raw_is(&vals[5], "10"));
    ASSERT_EQ(vals[6].type, SS_JSON_MISSING);
    ASSERT_EQ(vals[7].type, SS_JSON_MISSING);
    ASSERT_TRUE(raw_is(&vals[8], "[10,20,30]"));
    for (size_t k = 0; k < SS_ARRAY_LEN(specs); k++) {
        const struct ss_json_val g = get_str(rec, specs[k]);

        ASSERT_EQ(g.type, vals[k].type);
        ASSERT_TRUE(g.ptr == vals[k].ptr && g.len == vals[k].len);
    }
    /* Type mismatches are missing, not errors. */
    ASSERT_OK(ss_json_extract(set, "[1,2]", 5, vals));
    for (size_t k = 0; k < SS_ARRAY_LEN(specs); k++)
        ASSERT_EQ(vals[k].type, SS_JSON_MISSING);
    ss_json_pathset_free(set);
}

static void test_pathset_limits(void)
{
    struct ss_json_pathset *set = ss_json_pathset_new();
    struct ss_json_val *vals;
    char spec[16], rec[64];
    size_t slot;

    ASSERT_TRUE(set != NULL);
    ASSERT_EQ(ss_json_pathset_len(set), 0);
    ASSERT_OK(ss_json_extract(set, "{}", 2, NULL));
    for (size_t k = 0; k < SS_JSON_PATHSET_MAX_PATHS; k++) {
        snprintf(spec, sizeof(spec), "k%zu", k);
        ASSERT_OK(add_path(set, spec, &slot));
        ASSERT_EQ(slot, k);
    }
    ASSERT_EQ(add_path(set, "one.more", &slot), SS_ELIMIT);
    vals = ss_calloc(SS_JSON_PATHSET_MAX_PATHS, sizeof(*vals));
    ASSERT_TRUE(vals != NULL);
    snprintf(rec, sizeof(rec), "{\"k7\":7,\"k255\":255,\"k0\":0,\"x\":{}}");
    ASSERT_OK(ss_json_extract(set, rec, strlen(rec), vals));
    ASSERT_TRUE(raw_is(&vals[0], "0"));
    ASSERT_TRUE(raw_is(&vals[7], "7"));
    ASSERT_TRUE(raw_is(&vals[255], "255"));
    ASSERT_EQ(vals[1].type, SS_JSON_MISSING);
    ss_free(vals);
    ss_json_pathset_free(set);
    ss_json_pathset_free(NULL);
    ss_json_path_free(NULL);
}

/* ---- JSONTestSuite ----------------------------------------------------------------- */

/* Outcome of each i_ file; docs/json.md has the same table with the reasons. */
static const struct {
    const char *name;
    bool accept;
} i_expect[] = {
    { "i_number_double_huge_neg_exp.json", true },
    { "i_number_huge_exp.json", true },
    { "i_number_neg_int_huge_exp.json", true },
    { "i_number_pos_double_huge_exp.json", true },
    { "i_number_real_neg_overflow.json", true },
    { "i_number_real_pos_overflow.json", true },
    { "i_number_real_underflow.json", true },
    { "i_number_too_big_neg_int.json", true },
    { "i_number_too_big_pos_int.json", true },
    { "i_number_very_big_negative_int.json", true },
    { "i_object_key_lone_2nd_surrogate.json", false },
    { "i_string_1st_surrogate_but_2nd_missing.json", false },
    { "i_string_1st_valid_surrogate_2nd_invalid.json", false },
    { "i_string_UTF-16LE_with_BOM.json", false },
    { "i_string_UTF-8_invalid_sequence.json", false },
    { "i_string_UTF8_surrogate_U+D800.json", false },
    { "i_string_incomplete_surrogate_and_escape_valid.json", false },
    { "i_string_incomplete_surrogate_pair.json", false },
    { "i_string_incomplete_surrogates_escape_valid.json", false },
    { "i_string_invalid_lonely_surrogate.json", false },
    { "i_string_invalid_surrogate.json", false },
    { "i_string_invalid_utf-8.json", false },
    { "i_string_inverted_surrogates_U+1D11E.json", false },
    { "i_string_iso_latin_1.json", false },
    { "i_string_lone_second_surrogate.json", false },
    { "i_string_lone_utf8_continuation_byte.json", false },
    { "i_string_not_in_unicode_range.json", false },
    { "i_string_overlong_sequence_2_bytes.json", false },
    { "i_string_overlong_sequence_6_bytes.json", false },
    { "i_string_overlong_sequence_6_bytes_null.json", false },
    { "i_string_truncated-utf-8.json", false },
    { "i_string_utf16BE_no_BOM.json", false },
    { "i_string_utf16LE_no_BOM.json", false },
    { "i_structure_500_nested_arrays.json", false },
    { "i_structure_UTF-8_BOM_empty_object.json", false },
};

static int read_file(const char *path, char **ret, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, len = 0;

    if (f == NULL)
        return -errno;
    for (;;) {
        size_t n;

        if (cap - len < 4096) {
            char *nb = ss_realloc(buf, cap * 2 + 4096);

            if (nb == NULL) {
                ss_free(buf);
                fclose(f);
                return -ENOMEM;
            }
            buf = nb;
            cap = cap * 2 + 4096;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    *ret = buf;
    *ret_len = len;
    return 0;
}

static void test_jsontestsuite(void)
{
    char dir[1200], path[1600];
    const char *corpus = ss_test_corpus();
    size_t y_ok = 0, y_n = 0, n_rej = 0, n_n = 0, i_n = 0;
    struct dirent *e;
    DIR *dp;

    if (corpus[0] == '\0')
        SS_SKIP("shared corpus absent");
    snprintf(dir, sizeof(dir), "%s/jsontestsuite/nst-JSONTestSuite/test_parsing", corpus);
    dp = opendir(dir);
    if (dp == NULL)
        SS_SKIP("JSONTestSuite absent");
    while ((e = readdir(dp)) != NULL) {
        const char *name = e->d_name;
        struct ss_diag d;
        char *text = NULL;
        size_t len = 0, st, en;
        int r, rs;

        if (name[0] == '.' || strlen(name) < 2 || name[1] != '_')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        if (read_file(path, &text, &len) != 0) {
            closedir(dp);
            ss_test_fail_msg(__FILE__, __LINE__, "cannot read %s", path);
            return;
        }
        ss_diag_clear(&d);
        r = ss_json_validate(text, len, NULL, &d);
        /* skip agrees: the whole text when valid. */
        rs = ss_json_skip(text, len, 0, NULL, &st, &en, NULL);
        if (r == 0 && (rs != 0 || ss_json_skip_ws(text, len, en) != len)) {
            ss_test_fail_msg(__FILE__, __LINE__, "%s: skip disagrees with validate", name);
            ss_free(text);
            closedir(dp);
            return;
        }
        if (r != 0 && (d.code != r || d.offset > len || d.msg[0] == '\0')) {
            ss_test_fail_msg(__FILE__, __LINE__, "%s: bad diagnostic", name);
            ss_free(text);
            closedir(dp);
            return;
        }
        ss_free(text);
        if (name[0] == 'y') {
            y_n++;
            if (r == 0)
                y_ok++;
            else
                fprintf(stderr, "  rejected %s: %s at %" PRIu64 "\n", name, d.msg, d.offset);
        } else if (name[0] == 'n') {
            n_n++;
            if (r != 0)
                n_rej++;
            else
                fprintf(stderr, "  accepted %s\n", name);
        } else if (name[0] == 'i') {
            bool found = false;

            i_n++;
            for (size_t k = 0; k < SS_ARRAY_LEN(i_expect); k++) {
                if (strcmp(i_expect[k].name, name) != 0)
                    continue;
                found = true;
                if ((r == 0) != i_expect[k].accept) {
                    ss_test_fail_msg(__FILE__, __LINE__, "%s: got %d (%s), expected %s", name, r,
                                     d.msg, i_expect[k].accept ? "accept" : "reject");
                    closedir(dp);
                    return;
                }
            }
            if (!found) {
                ss_test_fail_msg(__FILE__, __LINE__, "%s: no documented expectation", name);
                closedir(dp);
                return;
            }
        }
    }
    closedir(dp);
    ASSERT_EQ(y_n, 95);
    ASSERT_EQ(y_ok, 95);
    ASSERT_EQ(n_n, 188);
    ASSERT_EQ(n_rej, 188);
    ASSERT_EQ(i_n, SS_ARRAY_LEN(i_expect));
}

/* ---- random differential ----------------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)((rng_state >> 33) % n);
}

/* Append a random valid value; strings are heavy in backslash runs and brackets. */
static int gen_value(struct ss_buf *b, unsigned depth)
{
    static const char *const lits[] = { "true", "false", "null", "0", "-12.5e3", "7" };
    const uint32_t kind = depth > 6 ? 2 + rnd(2) : rnd(4);
    int r = 0;

    if (kind == 0 || kind == 1) {
        const uint32_t n = rnd(depth == 0 ? 12 : 6);

        r = ss_buf_putc(b, kind == 0 ? '[' : '{');
        for (uint32_t k = 0; k < n && r == 0; k++) {
            if (k > 0)
                r = ss_buf_puts(b, rnd(4) == 0 ? " , " : ",");
            if (r == 0 && kind == 1) {
                r = ss_buf_printf(b, "\"k%u\\\\%u\"", k, rnd(5));
                if (r == 0)
                    r = ss_buf_puts(b, rnd(3) == 0 ? " :\n" : ":");
            }
            if (r == 0)
                r = gen_value(b, depth + 1);
        }
        if (r == 0)
            r = ss_buf_putc(b, kind == 0 ? ']' : '}');
    } else if (kind == 2) {
        const uint32_t n = rnd(100);

        r = ss_buf_putc(b, '"');
        for (uint32_t k = 0; k < n && r == 0; k++) {
            static const char *const parts[] = { "\\\\", "\\\"", "[",       "]",        "{", "}",
                                                 "a",    "\\n",  "\\u00e9", "\xc3\xa9", ",", ":" };

            r = ss_buf_puts(b, parts[rnd(SS_ARRAY_LEN(parts))]);
        }
        if (r == 0)
            r = ss_buf_putc(b, '"');
    } else {
        r = ss_buf_puts(b, lits[rnd(SS_ARRAY_LEN(lits))]);
    }
    return r;
}

/* Check that iteration and lookup agree on every member of container @v, recursively. */
static int check_tree(const char *rec, size_t rec_len, const struct ss_json_val *v,
                      struct ss_buf *spec)
{
    struct ss_json_val key, val;
    size_t cur = 0, idx = 0;
    const size_t base = spec->len;
    int r;

    for (;;) {
        struct ss_json_val got;
        struct ss_json_path *p = NULL;

        r = ss_json_iter_next(v, &cur, &key, &val);
        if (r <= 0)
            return r;
        ss_buf_truncate(spec, base);
        if (v->type == SS_JSON_OBJECT)
            r = ss_buf_printf(spec, "[%.*s]", (int)key.len, key.ptr);
        else
            r = ss_buf_printf(spec, "[%zu]", idx);
        if (r < 0)
            return r;
        r = ss_json_path_parse(spec->ptr, spec->len, &p, NULL);
        if (r == 0)
            r = ss_json_get(rec, rec_len, p, &got);
        ss_json_path_free(p);
        if (r < 0)
            return r;
        /* The generator makes keys unique, so lookup finds exactly this member. */
        if (got.ptr != val.ptr || got.len != val.len || got.type != val.type)
            return -1;
        /* The fast skipper and the validating scanner agree on where the value ends. */
        {
            size_t st, en;

            r = ss_json_skip(rec, rec_len, (size_t)(val.ptr - rec), NULL, &st, &en, NULL);
            if (r < 0)
                return r;
            if (rec + st != val.ptr || en - st != val.len)
                return -2;
        }
        if (val.type == SS_JSON_OBJECT || val.type == SS_JSON_ARRAY) {
            r = check_tree(rec, rec_len, &val, spec);
            if (r < 0)
                return r;
        }
        idx++;
    }
}

static void test_random_differential(void)
{
    struct ss_buf b = SS_BUF_INIT(1 << 20);
    struct ss_buf spec = SS_BUF_INIT(SS_JSON_PATH_MAX_BYTES);
    struct ss_json_path *whole = path_of("");
    size_t n_checked = 0;

    ASSERT_TRUE(whole != NULL);
    rng_state = 12345;
    for (unsigned iter = 0; iter < 3000; iter++) {
        struct ss_json_val v;
        size_t st, en;
        int r;

        ss_buf_reset(&b);
        ASSERT_OK(gen_value(&b, 0));
        ASSERT_OK(ss_json_validate(b.ptr, b.len, NULL, NULL));
        ASSERT_OK(ss_json_skip(b.ptr, b.len, 0, NULL, &st, &en, NULL));
        ASSERT_EQ(en, b.len);
        ASSERT_OK(ss_json_get(b.ptr, b.len, whole, &v));
        ASSERT_EQ(v.len, b.len);
        /* Truncations are rejected by the validator and never crash the fast paths. */
        for (size_t cut = 1; cut < b.len; cut += 1 + b.len / 7) {
            ASSERT_TRUE(ss_json_validate(b.ptr, cut, NULL, NULL) < 0 || v.type < SS_JSON_STRING);
            r = ss_json_get(b.ptr, cut, whole, &v);
            ASSERT_TRUE(r == SS_ESYNTAX || (r == 0 && v.len <= cut));
        }
        if (v.type == SS_JSON_OBJECT || v.type == SS_JSON_ARRAY) {
            ss_buf_reset(&spec);
            r = check_tree(b.ptr, b.len, &v, &spec);
            if (r != 0) {
                ss_test_fail_msg(__FILE__, __LINE__, "tree check %d on %s at %s", r, b.ptr,
                                 spec.ptr);
                break;
            }
        }
        n_checked++;
    }
    ss_json_path_free(whole);
    ss_buf_release(&b);
    ss_buf_release(&spec);
    ASSERT_EQ(n_checked, 3000);
}

/* Long strings and containers cross the 64-byte blocks of the SIMD skipper. */
static void test_skipper_blocks(void)
{
    struct ss_buf b = SS_BUF_INIT(1 << 16);
    struct ss_json_path *p = path_of("b");
    struct ss_json_val v;

    ASSERT_TRUE(p != NULL);
    for (size_t pad = 0; pad < 200; pad++) {
        ss_buf_reset(&b);
        ASSERT_OK(ss_buf_puts(&b, "{\"a\":[\""));
        for (size_t k = 0; k < pad; k++)
            ASSERT_OK(ss_buf_puts(&b, k % 3 == 0 ? "\\\\" : (k % 3 == 1 ? "]" : "\\\"")));
        ASSERT_OK(ss_buf_puts(&b, "\",{\"x\":\"}}]]\"}],\"b\":1}"));
        ASSERT_OK(ss_json_validate(b.ptr, b.len, NULL, NULL));
        ASSERT_OK(ss_json_get(b.ptr, b.len, p, &v));
        ASSERT_TRUE(raw_is(&v, "1"));
    }
    ss_json_path_free(p);
    ss_buf_release(&b);
}

int main(void)
{
    SS_RUN(test_type_names);
    SS_RUN(test_validate_ok);
    SS_RUN(test_validate_errors);
    SS_RUN(test_caps);
    SS_RUN(test_skip);
    SS_RUN(test_escapes);
    SS_RUN(test_numbers);
    SS_RUN(test_path_parse);
    SS_RUN(test_get);
    SS_RUN(test_wildcard);
    SS_RUN(test_duplicates);
    SS_RUN(test_iter);
    SS_RUN(test_pathset_azure);
    SS_RUN(test_pathset_arrays);
    SS_RUN(test_pathset_limits);
    SS_RUN(test_jsontestsuite);
    SS_RUN(test_random_differential);
    SS_RUN(test_skipper_blocks);
    return ss_test_done();
}
