/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/fuzz/fuzz_json.c - libFuzzer target for json/json.h.
 *
 * Input: JSON text, optionally followed by a NUL byte and path specs, one per line. The
 * target runs validate (default and tight limits), skip (one value and a concatenated
 * stream), path parsing, get, get_each, path-set extraction, iteration, unescape,
 * str_copy, str_eq and number, and aborts on any inconsistency:
 *  - validate accepts => skip consumes exactly the text (up to whitespace), the empty
 *    path's value is that same extent, every lookup succeeds, get and extract agree slot
 *    by slot, iteration ends cleanly, every string unescapes and copies to the same length
 *    and compares equal to its unescaped form;
 *  - tight limits accept => default limits accept;
 *  - every returned value lies inside the input, whatever the input (the copy is sized
 *    exactly, so ASan catches any read past it).
 */
#include "json/json.h"

#include "core/alloc.h"

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x)) {                                                                                \
            fprintf(stderr, "fuzz_json: check failed: %s (line %d)\n", #x, __LINE__);              \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define MAX_PATHS 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fixed_paths[] = {
    "",
    "a",
    "a.b",
    "[0]",
    "[1]",
    "[*]",
    "[*].a",
    "a[*]",
    "a[0].b",
    "\"\"",
    "records[*].time",
    "Records[0].eventName",
    "identity.claims.\"http://schemas.microsoft.com/identity/claims/tenantid\"",
    "properties.statusCode",
    "[0][0][0]",
};

static bool inside(const char *base, size_t len, const struct ss_json_val *v)
{
    if (v->type == SS_JSON_MISSING)
        return true;
    return v->ptr >= base && v->len <= len && (size_t)(v->ptr - base) <= len - v->len && v->len > 0;
}

static int count_fn(void *ctx, const struct ss_json_val *val)
{
    size_t *n = ctx;

    (void)val;
    (*n)++;
    return *n >= 1000 ? 1 : 0;
}

/* String and number accessors on @v; @valid: the text passed validation. */
static void check_value(const struct ss_json_val *v, bool valid)
{
    struct ss_buf b = SS_BUF_INIT((size_t)1 << 24);
    char small[16];
    double d;
    int r;

    if (v->type == SS_JSON_MISSING)
        return;
    r = ss_json_unescape(v, &b);
    if (valid)
        CHECK(r == 0);
    if (r == 0) {
        const long long n = ss_json_str_copy(v, small, sizeof(small));

        CHECK(n == (long long)b.len);
        CHECK(memcmp(small, b.ptr, SS_MIN(b.len, sizeof(small) - 1)) == 0);
        CHECK(ss_json_str_eq(v, b.ptr, b.len, false));
        CHECK(ss_json_str_eq(v, b.ptr, b.len, true));
        if (b.len > 0)
            CHECK(!ss_json_str_eq(v, b.ptr, b.len - 1, false));
    }
    r = ss_json_number(v, &d);
    CHECK(r == 0 || r == SS_ESYNTAX || r == SS_ELIMIT);
    if (valid && v->type == SS_JSON_NUMBER)
        CHECK(r == 0 || r == SS_ELIMIT);
    ss_buf_release(&b);
}

static void check_iter(const char *text, size_t len, const struct ss_json_val *v, bool valid)
{
    struct ss_json_val key, val;
    size_t cur = 0;

    if (v->type != SS_JSON_OBJECT && v->type != SS_JSON_ARRAY)
        return;
    for (int n = 0; n < 10000; n++) {
        const int r = ss_json_iter_next(v, &cur, &key, &val);

        if (valid)
            CHECK(r >= 0);
        if (r <= 0)
            return;
        CHECK(inside(text, len, &val));
        CHECK(inside(v->ptr, v->len, &val));
        if (v->type == SS_JSON_OBJECT) {
            CHECK(key.type == SS_JSON_STRING && inside(v->ptr, v->len, &key));
            check_value(&key, valid);
        }
        check_value(&val, valid);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ss_json_limits tight = {
        .max_depth = 4, .max_string_bytes = 16, .max_record_bytes = 256, .max_members = 4
    };
    struct ss_json_path *paths[MAX_PATHS];
    struct ss_json_val vals[MAX_PATHS];
    struct ss_json_pathset *set;
    struct ss_diag d;
    const uint8_t *nul = memchr(data, 0, size);
    const size_t len = nul != NULL ? (size_t)(nul - data) : size;
    size_t n_paths = 0, st = 0, en = 0, pos;
    char *text;
    bool valid;
    int r, rx;

    /* An exactly sized copy, so a read past the end is caught. */
    text = ss_malloc(len == 0 ? 1 : len);
    if (text == NULL)
        return 0;
    if (len > 0)
        memcpy(text, data, len);

    r = ss_json_validate(text, len, NULL, &d);
    CHECK(r == 0 || r == SS_ESYNTAX || r == SS_ELIMIT);
    CHECK(r == 0 || (d.code == r && d.offset <= len));
    valid = r == 0;
    rx = ss_json_validate(text, len, &tight, NULL);
    if (rx == 0)
        CHECK(valid);

    r = ss_json_skip(text, len, 0, NULL, &st, &en, NULL);
    if (valid) {
        CHECK(r == 0);
        CHECK(st == ss_json_skip_ws(text, len, 0));
        CHECK(ss_json_skip_ws(text, len, en) == len);
    } else if (r == 0) {
        CHECK(st < en && en <= len && ss_json_skip_ws(text, len, en) != len);
    }
    /* A stream of concatenated values. */
    pos = 0;
    for (int n = 0; n < 1000; n++) {
        r = ss_json_skip(text, len, pos, NULL, &st, &en, NULL);
        if (r != 0)
            break;
        CHECK(en > pos && en <= len);
        pos = en;
    }

    /* Paths: the fixed ones, then the specs after the NUL. */
    for (size_t k = 0; k < SS_ARRAY_LEN(fixed_paths); k++) {
        r = ss_json_path_parse(fixed_paths[k], strlen(fixed_paths[k]), &paths[n_paths], NULL);
        CHECK(r == 0);
        n_paths++;
    }
    if (nul != NULL) {
        const char *s = (const char *)nul + 1;
        const char *end = (const char *)data + size;

        while (s < end && n_paths < MAX_PATHS) {
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            const size_t n = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
            char *spec = ss_malloc(n == 0 ? 1 : n);

            if (spec == NULL)
                break;
            memcpy(spec, s, n);
            r = ss_json_path_parse(spec, n, &paths[n_paths], &d);
            ss_free(spec);
            CHECK(r == 0 || r == SS_ESYNTAX || r == SS_ELIMIT);
            if (r == 0)
                n_paths++;
            else
                CHECK(d.offset <= n);
            s += n + 1;
        }
    }

    set = ss_json_pathset_new();
    for (size_t k = 0; k < n_paths; k++) {
        struct ss_json_val v;
        size_t count = 0, slot = 0;
        struct ss_json_path *copy = NULL;

        r = ss_json_get(text, len, paths[k], &v);
        CHECK(r == 0 || r == SS_ESYNTAX);
        if (valid)
            CHECK(r == 0);
        if (r == 0) {
            CHECK(inside(text, len, &v));
            check_value(&v, valid);
            check_iter(text, len, &v, valid);
            if (k == 0 && valid)
                CHECK(v.ptr == text + ss_json_skip_ws(text, len, 0) &&
                      ss_json_skip_ws(text, len, (size_t)(v.ptr - text) + v.len) == len);
        }
        vals[k] = r == 0 ? v : (struct ss_json_val){ .type = SS_JSON__COUNT };
        r = ss_json_get_each(text, len, paths[k], count_fn, &count);
        CHECK(r == 0 || r == 1 || r == SS_ESYNTAX);
        if (valid && !ss_json_path_is_multi(paths[k]))
            CHECK(count == (vals[k].type == SS_JSON_MISSING ? 0u : 1u));
        /* The set takes a path: give it the one we own; the array keeps the rest. */
        if (set != NULL) {
            copy = paths[k];
            if (ss_json_pathset_add(set, copy, &slot) == 0) {
                CHECK(slot == k);
                paths[k] = NULL;
            }
        }
    }
    if (set != NULL && ss_json_pathset_len(set) == n_paths) {
        struct ss_json_val got[MAX_PATHS];

        r = ss_json_extract(set, text, len, got);
        CHECK(r == 0 || r == SS_ESYNTAX);
        if (valid)
            CHECK(r == 0);
        for (size_t k = 0; k < n_paths; k++) {
            CHECK(inside(text, len, &got[k]));
            if (r != 0)
                CHECK(got[k].type == SS_JSON_MISSING);
            if (valid) {
                CHECK(got[k].type == vals[k].type);
                CHECK(got[k].ptr == vals[k].ptr && got[k].len == vals[k].len);
            }
        }
    }
    ss_json_pathset_free(set);
    for (size_t k = 0; k < n_paths; k++)
        ss_json_path_free(paths[k]);
    ss_free(text);
    return 0;
}
