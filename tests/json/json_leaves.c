/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/json/json_leaves.c - the C half of the differential test against Python's json
 * module (diff_python.py is the other half). For each file named on the command line it
 * splits the text into top-level values with ss_json_skip (JSON arrays, objects, JSON
 * lines and concatenated values alike), walks every value with ss_json_iter_next and
 * prints one canonical line per leaf: path, type, value (strings unescaped, numbers as
 * raw text plus their ss_json_number value) and whether a duplicate key shadows it.
 *
 * It also checks the lookup side on the real data: every value not shadowed by a
 * duplicate key must come back, at the same bytes, from ss_json_get with a path built
 * from its keys, and from one ss_json_extract over a path set of up to 256 of them per
 * document. A disagreement is printed to stderr and makes the exit status 1.
 */
#include "json/json.h"

#include "core/alloc.h"

#define MAX_FILE_BYTES ((size_t)256 << 20)

struct leaf_check {
    struct ss_json_val val;
    char *spec;
};

struct walker {
    const char *doc;
    size_t doc_len;
    struct ss_buf path; /* canonical display path */
    struct ss_buf spec; /* ss_json_path spec of the same value */
    size_t n_segs;
    struct ss_json_pathset *set;
    struct leaf_check checks[SS_JSON_PATHSET_MAX_PATHS];
    size_t n_checks;
    unsigned long n_leaves;
    int failures;
};

static void put_escaped(FILE *f, const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const unsigned char c = (unsigned char)s[k];

        if (c == '\\')
            fputs("\\\\", f);
        else if (c < 0x20 || c > 0x7e)
            fprintf(f, "\\x%02x", (unsigned)c);
        else
            fputc(c, f);
    }
}

static int read_file(const char *path, char **ret, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, len = 0;
    int r = 0;

    if (f == NULL)
        return -errno;
    for (;;) {
        size_t n;

        if (cap - len < 65536) {
            char *nb;

            if (cap > MAX_FILE_BYTES) {
                r = SS_ELIMIT;
                break;
            }
            nb = ss_realloc(buf, cap * 2 + 65536);
            if (nb == NULL) {
                r = -ENOMEM;
                break;
            }
            buf = nb;
            cap = cap * 2 + 65536;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    if (r < 0) {
        ss_free(buf);
        return r;
    }
    *ret = buf;
    *ret_len = len;
    return 0;
}

static void fail(struct walker *w, const char *what)
{
    fprintf(stderr, "json_leaves: %s at %s\n", what, w->path.ptr);
    w->failures++;
}

/* Check @v against ss_json_get of the current spec; queue it for the path-set check. */
static void check_lookup(struct walker *w, const struct ss_json_val *v)
{
    struct ss_json_path *p = NULL;
    struct ss_json_val got;
    size_t slot;

    if (w->n_segs > SS_JSON_PATH_MAX_SEGMENTS || w->spec.len > SS_JSON_PATH_MAX_BYTES)
        return;
    if (ss_json_path_parse(w->spec.ptr, w->spec.len, &p, NULL) != 0) {
        fail(w, "path does not parse");
        return;
    }
    if (ss_json_get(w->doc, w->doc_len, p, &got) != 0 || got.type != v->type || got.ptr != v->ptr ||
        got.len != v->len)
        fail(w, "ss_json_get disagrees with iteration");
    if (w->n_checks < SS_JSON_PATHSET_MAX_PATHS && w->set != NULL) {
        struct leaf_check *c = &w->checks[w->n_checks];

        c->spec = ss_strndup(w->spec.ptr, w->spec.len);
        if (c->spec != NULL && ss_json_pathset_add(w->set, p, &slot) == 0) {
            p = NULL;
            c->val = *v;
            w->n_checks++;
        } else {
            ss_free(c->spec);
        }
    }
    ss_json_path_free(p);
}

static void print_leaf(struct walker *w, const struct ss_json_val *v, bool shadowed)
{
    struct ss_buf s = SS_BUF_INIT((size_t)64 << 20);
    double d;

    w->n_leaves++;
    fputs(w->path.ptr, stdout);
    printf("\t%s\t", ss_json_type_name(v->type));
    switch (v->type) {
    case SS_JSON_STRING:
        if (ss_json_unescape(v, &s) != 0)
            fail(w, "unescape failed");
        put_escaped(stdout, s.ptr, s.len);
        break;
    case SS_JSON_NUMBER:
        fwrite(v->ptr, 1, v->len, stdout);
        if (ss_json_number(v, &d) == 0)
            printf(" %.17g", d);
        else
            fputs(" range", stdout);
        break;
    case SS_JSON_OBJECT:
    case SS_JSON_ARRAY:
        break;
    default:
        fwrite(v->ptr, 1, v->len, stdout);
        break;
    }
    printf("\t%s\n", shadowed ? "S" : "-");
    ss_buf_release(&s);
}

/* Append ".key" to the display path, escaped so that it cannot be confused with '.'/'['. */
static int append_key(struct ss_buf *b, const char *s, size_t n)
{
    int r = ss_buf_putc(b, '.');

    for (size_t k = 0; k < n && r == 0; k++) {
        const unsigned char c = (unsigned char)s[k];

        if (c == '\\')
            r = ss_buf_puts(b, "\\\\");
        else if (c < 0x20 || c > 0x7e || c == '.' || c == '[')
            r = ss_buf_printf(b, "\\x%02x", (unsigned)c);
        else
            r = ss_buf_putc(b, (char)c);
    }
    return r;
}

/* Whether the decoded key @key appears among the @keys seen before in this object. */
static bool seen_before(const struct ss_buf *keys, const struct ss_buf *key)
{
    size_t i = 0;

    while (i < keys->len) {
        size_t n;

        memcpy(&n, keys->ptr + i, sizeof(n));
        i += sizeof(n);
        if (n == key->len && memcmp(keys->ptr + i, key->ptr, n) == 0)
            return true;
        i += n;
    }
    return false;
}

static void walk(struct walker *w, const struct ss_json_val *v, bool shadowed)
{
    struct ss_buf keys = SS_BUF_INIT((size_t)64 << 20);
    struct ss_buf key = SS_BUF_INIT((size_t)16 << 20);
    struct ss_json_val k, m;
    const size_t plen = w->path.len, slen = w->spec.len;
    size_t cur = 0, idx = 0;
    int r;

    if (!shadowed)
        check_lookup(w, v);
    if (v->type != SS_JSON_OBJECT && v->type != SS_JSON_ARRAY) {
        print_leaf(w, v, shadowed);
        return;
    }
    for (;;) {
        bool dup = false;

        r = ss_json_iter_next(v, &cur, &k, &m);
        if (r < 0)
            fail(w, "iteration failed");
        if (r <= 0)
            break;
        if (v->type == SS_JSON_OBJECT) {
            ss_buf_reset(&key);
            if (ss_json_unescape(&k, &key) != 0)
                fail(w, "key unescape failed");
            dup = seen_before(&keys, &key);
            if (ss_buf_append(&keys, &key.len, sizeof(key.len)) != 0 ||
                ss_buf_append(&keys, key.ptr, key.len) != 0)
                fail(w, "out of memory");
            if (append_key(&w->path, key.ptr, key.len) != 0 ||
                ss_buf_printf(&w->spec, "[%.*s]", (int)k.len, k.ptr) != 0)
                fail(w, "out of memory");
        } else {
            if (ss_buf_printf(&w->path, "[%zu]", idx) != 0 ||
                ss_buf_printf(&w->spec, "[%zu]", idx) != 0)
                fail(w, "out of memory");
        }
        w->n_segs++;
        walk(w, &m, shadowed || dup);
        w->n_segs--;
        ss_buf_truncate(&w->path, plen);
        ss_buf_truncate(&w->spec, slen);
        idx++;
    }
    if (idx == 0)
        print_leaf(w, v, shadowed); /* empty containers are leaves too */
    ss_buf_release(&keys);
    ss_buf_release(&key);
}

/* Walk one document; then extract every queued path in one pass and compare. */
static void do_doc(struct walker *w, const char *doc, size_t len)
{
    struct ss_json_path *whole = NULL;
    struct ss_json_val root, vals[SS_JSON_PATHSET_MAX_PATHS];

    w->doc = doc;
    w->doc_len = len;
    w->n_checks = 0;
    w->n_segs = 0;
    ss_buf_reset(&w->path);
    ss_buf_reset(&w->spec);
    if (ss_buf_putc(&w->path, '$') != 0 || ss_json_path_parse("", 0, &whole, NULL) != 0 ||
        ss_json_get(doc, len, whole, &root) != 0) {
        fail(w, "cannot read the document");
        ss_json_path_free(whole);
        return;
    }
    ss_json_path_free(whole);
    w->set = ss_json_pathset_new();
    walk(w, &root, false);
    if (w->set != NULL && ss_json_extract(w->set, doc, len, vals) != 0)
        fail(w, "ss_json_extract failed");
    for (size_t k = 0; k < w->n_checks && w->set != NULL; k++) {
        const struct leaf_check *c = &w->checks[k];

        if (vals[k].type != c->val.type || vals[k].ptr != c->val.ptr || vals[k].len != c->val.len) {
            fprintf(stderr, "json_leaves: ss_json_extract disagrees at %s\n", c->spec);
            w->failures++;
        }
    }
    for (size_t k = 0; k < w->n_checks; k++)
        ss_free(w->checks[k].spec);
    ss_json_pathset_free(w->set);
    w->set = NULL;
}

int main(int argc, char **argv)
{
    struct walker w = {
        .path = SS_BUF_INIT((size_t)1 << 20),
        .spec = SS_BUF_INIT((size_t)64 << 20),
    };
    unsigned long n_docs = 0;

    for (int a = 1; a < argc; a++) {
        char *text = NULL;
        size_t len = 0, pos = 0, doc = 0;

        printf("file %s\n", argv[a]);
        if (read_file(argv[a], &text, &len) != 0) {
            fprintf(stderr, "json_leaves: cannot read %s\n", argv[a]);
            return 2;
        }
        for (;;) {
            struct ss_diag d;
            size_t st, en;
            const int r = ss_json_skip(text, len, pos, NULL, &st, &en, &d);

            if (r == SS_EEMPTY)
                break;
            if (r < 0) {
                printf("error doc %zu\n", doc);
                break;
            }
            printf("doc %zu\n", doc);
            if (ss_json_validate(text + st, en - st, NULL, NULL) != 0) {
                fprintf(stderr, "json_leaves: skip accepted what validate rejects\n");
                w.failures++;
            }
            do_doc(&w, text + st, en - st);
            n_docs++;
            doc++;
            pos = en;
        }
        ss_free(text);
    }
    ss_buf_release(&w.path);
    ss_buf_release(&w.spec);
    fprintf(stderr, "json_leaves: %d files, %lu documents, %lu leaves, %d failures\n", argc - 1,
            n_docs, w.n_leaves, w.failures);
    return w.failures == 0 ? 0 : 1;
}
